// supervision.js - the supervisor's 督办 list: overdue escalations, bad-rating
// rectifications and complaints of the department, closed with an outcome.

import { h, data } from '../dom.js';
import { t, fmtDate, fmtDateTime, deptName } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, pager, empty, problemText, showErrors, clearErrors, busy, flash } from '../ui.js';
import { currentUser, go, render as rerender } from '../app.js';

const KINDS = ['overdue', 'bad_rating', 'complaint'];

function itemCard(s) {
	const head = h(
		'div',
		{ class: 'sup-head' },
		h('h2', { class: 'sup-title' }, t(`sup.kind.${s.kind}`), s.case_no ? h('span', { class: 'case-no' }, ` · ${s.case_no}`) : null),
		h('div', { class: 'sup-badges' }, h('span', { class: `badge ${s.status === 'open' ? 'tone-warn' : 'tone-ok'}` }, t(`sup.status.${s.status}`)), s.overdue ? h('span', { class: 'badge timer timer-overdue' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('sup.overdue')) : null),
	);
	const facts = h(
		'dl',
		{ class: 'facts' },
		h('div', { class: 'fact' }, h('dt', null, t('sup.opened')), h('dd', null, fmtDateTime(s.opened_at))),
		h('div', { class: 'fact' }, h('dt', null, t('sup.due')), h('dd', null, fmtDate(s.due_date))),
		s.owner ? h('div', { class: 'fact' }, h('dt', null, t('sup.owner')), h('dd', null, data(s.owner))) : null,
		s.kind === 'complaint' ? h('div', { class: 'fact' }, h('dt', null, t('sup.subject')), h('dd', null, data(s.title))) : null,
		s.outcome ? h('div', { class: 'fact' }, h('dt', null, t('sup.outcome')), h('dd', null, data(s.outcome))) : null,
	);
	const card = h('li', { class: 'card sup-item' }, head, h('p', { class: 'hint' }, t(`sup.explain.${s.kind}`)), facts);
	if (s.case_id) card.append(h('p', null, h('a', { href: `#/cases/${s.case_id}` }, t('sup.view_case'), h('span', { class: 'visually-hidden' }, ` ${s.case_no}`))));
	if (s.status === 'open') {
		const id = `sup-${s.id}-outcome`;
		const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('sup.close'));
		const form = h('form', { class: 'form', novalidate: true }, field({ id, label: t('sup.outcome_label'), kind: 'textarea', hint: t('sup.outcome_hint'), required: true, attrs: { maxlength: '2000', rows: 3 } }), h('div', { class: 'btn-row' }, submit));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			clearErrors(form);
			await busy(submit, async () => {
				try {
					await api('POST', `/supervision/${s.id}/close`, { outcome: form.querySelector(`#${id}`).value.trim() });
					flash(t('sup.closed_msg'));
					await rerender();
				} catch (err) {
					showErrors(form, err, (f) => (f === 'outcome' ? id : null));
				}
			});
		});
		card.append(form);
	}
	return card;
}

export async function render({ query }) {
	const u = currentUser();
	const status = query.get('status') === 'closed' ? 'closed' : 'open';
	const kind = KINDS.includes(query.get('kind')) ? query.get('kind') : '';
	const tabs = h(
		'nav',
		{ class: 'tabs', 'aria-label': t('sup.tabs') },
		h('ul', null, ['open', 'closed'].map((s) => h('li', null, h('a', { href: `#/supervision?status=${s}`, 'aria-current': s === status ? 'page' : undefined }, t(`sup.status.${s}`))))),
	);
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('sup.filter') },
		field({ id: 'sup-kind', label: t('sup.kind_label'), kind: 'select', value: kind, options: [['', t('sup.all_kinds')], ...KINDS.map((k) => [k, t(`sup.kind.${k}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const k = filter.querySelector('#sup-kind').value;
		go(`#/supervision?status=${status}${k ? `&kind=${k}` : ''}`);
	});
	const list = h('ul', { class: 'sup-list' });
	const load = (cursor) => api('GET', '/supervision', null, { query: { status, kind, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((s) => list.append(itemCard(s))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((s) => list.append(itemCard(s)));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, list, more.el) : empty(status === 'open' ? t('sup.none_open') : t('sup.none_closed'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('sup.title');
	return { title, node: h('div', { class: 'supervision' }, pageHead(title, { sub: data(deptName(u.department)) }), tabs, filter, body) };
}
