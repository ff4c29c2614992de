// supervision.js - the supervisor's 督办 dashboard: counts per department
// (open, overdue, closed), then the items - overdue cases, bad-rating
// rectifications, complaints (with their content and the complainant's
// contact) and items escalated from a lower level - closed with an outcome.
// Supervisors of an oversight department (政务服务管理办公室) switch between
// their own department and every department of their region.

import { h, data } from '../dom.js';
import { t, fmtDate, fmtDateTime, deptName, getLang } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, pager, empty, problemText, showErrors, clearErrors, busy, flash } from '../ui.js';
import { currentUser, go, render as rerender } from '../app.js';
import { departments } from '../catalog.js';

const KINDS = ['overdue', 'bad_rating', 'complaint', 'escalated'];

const fact = (term, value) => (value === null || value === undefined || value === '' ? null : h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value)));

function nameOfDept(s, deptNames) {
	return (getLang() === 'en' && deptNames.get(s.dept_id)) || s.dept_name || '';
}

function escalatedTo(s) {
	const e = s.escalated_to;
	if (e === null || e === undefined) return s.escalated_at ? t('sup.escalated_none') : null;
	if (typeof e === 'object') return data(getLang() === 'en' && e.dept_name_en ? e.dept_name_en : e.dept_name || e.name || '');
	return data(String(e));
}

function complaintFacts(c) {
	if (!c) return [];
	return [
		fact(t('sup.complaint_no'), h('span', { class: 'cp-no' }, c.no)),
		fact(t('sup.complaint_about'), c.about ? t(`cp.about.${c.about}`) : null),
		fact(t('sup.complaint_content'), data(c.content, 'p', { class: 'prose' })),
		fact(t('sup.contact'), c.contact_name || c.contact_phone ? [data(c.contact_name || ''), ' ', c.contact_phone ? h('a', { href: `tel:${c.contact_phone}` }, c.contact_phone) : null] : null),
	];
}

function itemCard(s, scope, deptNames, u) {
	const head = h(
		'div',
		{ class: 'sup-head' },
		h('h2', { class: 'sup-title' }, t(`sup.kind.${s.kind}`), s.case_no ? h('span', { class: 'case-no' }, ` · ${s.case_no}`) : null),
		h('div', { class: 'sup-badges' }, h('span', { class: `badge ${s.status === 'open' ? 'tone-warn' : 'tone-ok'}` }, t(`sup.status.${s.status}`)), s.overdue ? h('span', { class: 'badge timer timer-overdue' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t('sup.overdue')) : null),
	);
	const facts = h(
		'dl',
		{ class: 'facts' },
		scope === 'region' || s.kind === 'escalated' ? fact(t('sup.dept'), s.dept_name ? data(nameOfDept(s, deptNames)) : null) : null,
		fact(t('sup.opened'), fmtDateTime(s.opened_at)),
		fact(t('sup.due'), fmtDate(s.due_date)),
		s.owner ? fact(t('sup.owner'), data(s.owner)) : null,
		s.kind === 'complaint' && !s.complaint ? fact(t('sup.subject'), data(s.title)) : null,
		...complaintFacts(s.complaint),
		s.kind === 'escalated' && s.parent_id ? fact(t('sup.escalated_from'), [h('span', null, `#${s.parent_id}`), s.title ? [' · ', data(s.title)] : null]) : null,
		s.escalated_at ? fact(t('sup.escalated_at'), [fmtDateTime(s.escalated_at), ' · ', t('sup.escalated_to'), t('common.colon'), escalatedTo(s)]) : null,
		s.outcome ? fact(t('sup.outcome'), data(s.outcome)) : null,
	);
	const card = h('li', { class: `card sup-item sup-${s.kind}`, dataset: { id: s.id } }, head, h('p', { class: 'hint' }, t(`sup.explain.${s.kind}`)), facts);
	if (s.case_id) card.append(h('p', null, h('a', { href: `#/cases/${s.case_id}` }, t('sup.view_case'), h('span', { class: 'visually-hidden' }, ` ${s.case_no}`))));
	/* only the owning department's supervisor closes an item (the region
	 * scope also shows other departments' items, to follow them) */
	const mine = !s.dept_id || !u.department || s.dept_id === u.department.id;
	if (s.status === 'open' && mine) {
		const id = `sup-${s.id}-outcome`;
		const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('sup.close'));
		const form = h('form', { class: 'form', novalidate: true }, field({ id, label: t('sup.outcome_label'), kind: 'textarea', hint: t(s.kind === 'complaint' || s.complaint ? 'sup.outcome_hint_public' : 'sup.outcome_hint'), required: true, attrs: { maxlength: '2000', rows: 3 } }), h('div', { class: 'btn-row' }, submit));
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

/** Counts per department, with the totals. */
function summaryView(sum, deptNames) {
	const list = sum.departments || [];
	if (!list.length) return null;
	const tot = sum.totals || {};
	const cell = (label, n, cls) => h('div', { class: `sum-cell ${cls}` }, h('span', { class: 'sum-n' }, String(n ?? 0)), h('span', { class: 'sum-label' }, label));
	const card = (title, x, cls = '') =>
		h(
			'li',
			{ class: `card sum-card ${cls}`, dataset: { id: x.id ?? 'total' } },
			h('h3', { class: 'sum-title' }, title),
			h('div', { class: 'sum-cells' }, cell(t('sup.sum.open'), x.open, 'sum-open'), cell(t('sup.sum.overdue'), x.overdue, Number(x.overdue) > 0 ? 'sum-overdue' : ''), cell(t('sup.sum.closed'), x.closed, 'sum-closed')),
			x.kinds && Object.values(x.kinds).some((n) => n > 0)
				? h(
						'ul',
						{ class: 'tags' },
						KINDS.filter((k) => x.kinds[k] > 0).map((k) => h('li', { class: 'tag tag-info' }, `${t(`sup.kind.${k}`)} ${x.kinds[k]}`)),
					)
				: null,
		);
	return h(
		'section',
		{ class: 'sup-summary', 'aria-labelledby': 'sup-summary-title' },
		h('h2', { id: 'sup-summary-title' }, t('sup.summary')),
		h('ul', { class: 'sum-list', id: 'sup-summary' }, list.length > 1 ? card(t('sup.sum_total'), tot, 'sum-total') : null, list.map((d) => card(data((getLang() === 'en' && deptNames.get(d.id)) || d.name), d))),
	);
}

async function isOversight(u) {
	if (u.department && (u.department.oversight === true || u.department.oversight === 1)) return true;
	try {
		const d = (await departments()).find((x) => u.department && x.id === u.department.id);
		return !!(d && (d.oversight === true || d.oversight === 1));
	} catch {
		return false;
	}
}

export async function render({ query }) {
	const u = currentUser();
	const status = query.get('status') === 'closed' ? 'closed' : 'open';
	const kind = KINDS.includes(query.get('kind')) ? query.get('kind') : '';
	const oversight = await isOversight(u);
	const scope = oversight && query.get('scope') === 'region' ? 'region' : 'dept';
	const deptNames = new Map();
	try {
		for (const d of await departments()) if (d.name_en) deptNames.set(d.id, d.name_en);
	} catch {
		/* Chinese names only */
	}
	const link = (over) => {
		const q = new URLSearchParams();
		const v = { scope, status, kind, ...over };
		if (v.scope === 'region') q.set('scope', 'region');
		q.set('status', v.status);
		if (v.kind) q.set('kind', v.kind);
		return `#/supervision?${q}`;
	};
	const scopeTabs = oversight
		? h(
				'nav',
				{ class: 'tabs sub-tabs scope-tabs', 'aria-label': t('sup.scope') },
				h('ul', null, ['dept', 'region'].map((s) => h('li', null, h('a', { href: link({ scope: s }), id: `sup-scope-${s}`, 'aria-current': s === scope ? 'page' : undefined }, t(`sup.scope.${s}`))))),
			)
		: null;
	const tabs = h(
		'nav',
		{ class: 'tabs', 'aria-label': t('sup.tabs') },
		h('ul', null, ['open', 'closed'].map((s) => h('li', null, h('a', { href: link({ status: s, kind: '' }), 'aria-current': s === status ? 'page' : undefined }, t(`sup.status.${s}`))))),
	);
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('sup.filter') },
		field({ id: 'sup-kind', label: t('sup.kind_label'), kind: 'select', value: kind, options: [['', t('sup.all_kinds')], ...KINDS.map((k) => [k, t(`sup.kind.${k}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		go(link({ kind: filter.querySelector('#sup-kind').value }));
	});
	let summary = null;
	try {
		summary = summaryView(await api('GET', '/supervision/summary', null, { query: { scope } }), deptNames);
	} catch (e) {
		summary = e.status === 404 ? null : h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const list = h('ul', { class: 'sup-list' });
	const load = (cursor) => api('GET', '/supervision', null, { query: { scope: scope === 'region' ? 'region' : undefined, status, kind, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((s) => list.append(itemCard(s, scope, deptNames, u))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((s) => list.append(itemCard(s, scope, deptNames, u)));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, list, more.el) : empty(status === 'open' ? t('sup.none_open') : t('sup.none_closed'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('sup.title');
	return { title, node: h('div', { class: 'supervision' }, pageHead(title, { sub: data(deptName(u.department)) }), scopeTabs, summary, tabs, filter, body) };
}
