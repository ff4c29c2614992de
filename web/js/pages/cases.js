// cases.js - "my cases" for applicants and the department inbox for
// officials (sorted by deadline by the API), with state and timer filters.
// Cross-region cases (跨省通办) carry their mark; applicants also see their
// applications for items of other provinces, with where each is handled.

import { h, data } from '../dom.js';
import { t, fmtDateTime, deptName } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, pager, empty, stateBadge, deadlineView, problemText, linkButton } from '../ui.js';
import { STATES, TIMERS } from '../catalog.js';
import { currentUser, go, hasRole } from '../app.js';
import { caseCrossMark, crossMark, fedStateBadge, handledAt } from './fed-cases-ui.js';

const PAGE = 20;

function row(c, inbox) {
	const cells = [
		h('td', { 'data-label': t('cases.no') }, h('a', { href: `#/cases/${c.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(c.item_name)), h('span', { class: 'case-no' }, c.case_no)), c.cross ? h('span', { class: 'case-cross' }, caseCrossMark(c.cross)) : null),
		inbox ? h('td', { 'data-label': t('cases.applicant') }, data(c.applicant_name)) : null,
		h('td', { 'data-label': t('cases.state') }, stateBadge(c.state)),
		h('td', { 'data-label': t('cases.submitted') }, fmtDateTime(c.submitted_at)),
		h('td', { 'data-label': t('cases.deadline') }, deadlineView(c.deadline)),
	];
	return h('tr', { class: `timer-row-${c.deadline.timer}` }, cells);
}

/* 跨省通办: the applicant's applications for items of other provinces. */
function fedRow(c) {
	return h(
		'tr',
		null,
		h('td', { 'data-label': t('cases.no') }, h('a', { href: `#/fed/cases/${c.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(c.item.name || c.item.code)), h('span', { class: 'case-no' }, c.number)), h('span', { class: 'case-cross' }, crossMark(c.mode))),
		h('td', { 'data-label': t('xcase.where') }, handledAt(c)),
		h('td', { 'data-label': t('cases.state') }, fedStateBadge(c.state), c.overall ? h('span', { class: 'muted' }, ' · ', t(`xcase.overall.${c.overall}`)) : null),
		h('td', { 'data-label': t('cases.submitted') }, fmtDateTime(c.created_at)),
	);
}

async function fedSection() {
	let r;
	try {
		r = await api('GET', '/fed/cases', null, { query: { limit: PAGE } });
	} catch {
		return null; /* not a federated node, or unavailable: the local list stands alone */
	}
	if (!r.items.length) return null;
	const tbody = h('tbody', null, r.items.map(fedRow));
	const more = pager((cursor) => api('GET', '/fed/cases', null, { query: { limit: PAGE, cursor } }), (items) => items.forEach((c) => tbody.append(fedRow(c))));
	more.setNext(r.next);
	return h(
		'section',
		{ class: 'xcase-mine', 'aria-labelledby': 'xcase-mine-title', id: 'xcase-mine' },
		h('h2', { id: 'xcase-mine-title' }, t('xcase.mine_title')),
		h('p', { class: 'hint' }, t('xcase.mine_hint')),
		h(
			'table',
			{ class: 'table stack cases-table' },
			h('caption', { class: 'visually-hidden' }, t('xcase.mine_title')),
			h('thead', null, h('tr', null, [t('cases.no'), t('xcase.where'), t('cases.state'), t('cases.submitted')].map((c) => h('th', { scope: 'col' }, c)))),
			tbody,
		),
		more.el,
	);
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

	const fed = inbox ? null : await fedSection();
	const title = inbox ? t('cases.inbox_title') : t('cases.mine_title');
	const sub = inbox ? h('span', null, data(deptName(u.department)), h('span', { 'aria-hidden': 'true' }, ' · '), t('cases.inbox_sub')) : t('cases.mine_sub');
	const legend = h(
		'p',
		{ class: 'legend' },
		t('cases.legend'),
		' ',
		['normal', 'warning', 'overdue', 'paused'].map((x) => h('span', { class: `badge timer timer-${x}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`timer.${x}`))),
	);
	const actions = inbox
		? hasRole('clerk') ? linkButton('#/fed/proxy', t('xcase.proxy_title'), 'btn btn-secondary') : null
		: h('div', { class: 'btn-row' }, linkButton('#/', t('cases.new_application'), 'btn btn-primary'), linkButton('#/fed/apply', t('xcase.start_link'), 'btn btn-secondary'));
	return { title, node: h('div', { class: 'cases' }, pageHead(title, { sub, actions }), fed, filters, legend, body) };
}
