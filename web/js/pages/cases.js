// cases.js - "my cases" for applicants and the department inbox for
// officials (sorted by deadline by the API), with state and timer filters.

import { h, data } from '../dom.js';
import { t, fmtDateTime, deptName } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, pager, empty, stateBadge, deadlineView, problemText, linkButton } from '../ui.js';
import { STATES, TIMERS } from '../catalog.js';
import { currentUser, go } from '../app.js';

const PAGE = 20;

function row(c, inbox) {
	const cells = [
		h('td', { 'data-label': t('cases.no') }, h('a', { href: `#/cases/${c.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(c.item_name)), h('span', { class: 'case-no' }, c.case_no))),
		inbox ? h('td', { 'data-label': t('cases.applicant') }, data(c.applicant_name)) : null,
		h('td', { 'data-label': t('cases.state') }, stateBadge(c.state)),
		h('td', { 'data-label': t('cases.submitted') }, fmtDateTime(c.submitted_at)),
		h('td', { 'data-label': t('cases.deadline') }, deadlineView(c.deadline)),
	];
	return h('tr', { class: `timer-row-${c.deadline.timer}` }, cells);
}

export async function render({ view, query }) {
	const inbox = view === 'inbox';
	const u = currentUser();
	const state = STATES.includes(query.get('state')) ? query.get('state') : '';
	const timer = TIMERS.includes(query.get('timer')) ? query.get('timer') : '';
	const base = inbox ? '#/work' : '#/cases';

	const filters = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('cases.filters') },
		field({ id: 'cases-state', label: t('cases.state'), kind: 'select', value: state, options: [['', t('cases.all_states')], ...STATES.map((s) => [s, t(`state.${s}`)])] }),
		field({ id: 'cases-timer', label: t('cases.timer'), kind: 'select', value: timer, options: [['', t('cases.all_timers')], ...TIMERS.map((s) => [s, t(`timer.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filters.addEventListener('submit', (e) => {
		e.preventDefault();
		const p = new URLSearchParams();
		const s = filters.querySelector('#cases-state').value;
		const tm = filters.querySelector('#cases-timer').value;
		if (s) p.set('state', s);
		if (tm) p.set('timer', tm);
		const qs = p.toString();
		go(qs ? `${base}?${qs}` : base);
	});

	const tbody = h('tbody');
	const table = h(
		'table',
		{ class: 'table stack cases-table' },
		h('caption', { class: 'visually-hidden' }, inbox ? t('cases.inbox_caption') : t('cases.mine_caption')),
		h('thead', null, h('tr', null, [t('cases.no'), inbox ? t('cases.applicant') : null, t('cases.state'), t('cases.submitted'), t('cases.deadline')].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
		tbody,
	);
	const load = (cursor) => api('GET', '/cases', null, { query: { state, timer, limit: PAGE, cursor } });
	const more = pager(load, (items) => items.forEach((c) => tbody.append(row(c, inbox))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((c) => tbody.append(row(c, inbox)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, table, more.el)
			: empty(state || timer ? t('cases.none_filtered') : inbox ? t('cases.inbox_empty') : t('cases.mine_empty'));
		if (!r.items.length && !inbox && !state && !timer) body = h('div', null, body, linkButton('#/', t('cases.find_service'), 'btn btn-primary'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}

	const title = inbox ? t('cases.inbox_title') : t('cases.mine_title');
	const sub = inbox ? h('span', null, data(deptName(u.department)), h('span', { 'aria-hidden': 'true' }, ' · '), t('cases.inbox_sub')) : t('cases.mine_sub');
	const legend = h(
		'p',
		{ class: 'legend' },
		t('cases.legend'),
		' ',
		['normal', 'warning', 'overdue', 'paused'].map((x) => h('span', { class: `badge timer timer-${x}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`timer.${x}`))),
	);
	return { title, node: h('div', { class: 'cases' }, pageHead(title, { sub, actions: inbox ? null : linkButton('#/', t('cases.new_application'), 'btn btn-primary') }), filters, legend, body) };
}
