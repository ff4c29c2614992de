// fed-share-incoming.js - 跨节点数据共享 (the provider side): requests and
// flow-back subscriptions of other regions' departments for this
// department's resources, decided like local ones (approve, maybe with
// fewer fields or fewer in clear; refuse with a reason; revoke later), and
// the cross-node access log of both sides.

import { h, data } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, dl, pager, empty, problemText, showErrors, clearErrors, busy, announce, errorSlot, setFieldError } from '../ui.js';
import { go, render as rerender } from '../app.js';
import { dataTabs, dueView, sensitivityBadge, dayText } from '../sharing.js';
import { fedNodes, fedTabs, remoteMark, statusBadge, kindLabel, reasonText } from './fed-share-ui.js';

const STATUSES = ['pending', 'approved', 'refused', 'revoked'];

async function selfRegion() {
	try {
		const n = await fedNodes();
		return n.self ? n.self.region : '';
	} catch {
		return '';
	}
}

/** One row of the provider's list of remote requests (also used by
 * requests.js in the normal incoming list). */
export function incomingRow(r, self) {
	return h(
		'tr',
		{ class: r.status === 'pending' ? 'req-pending' : '' },
		h('td', { 'data-label': t('req.resource') }, h('a', { href: `#/data/fed/incoming/${r.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(r.resource.name)), h('span', { class: 'case-no' }, `${t('xs.in_no', { id: r.id })} · ${kindLabel(r.kind)}`))),
		h('td', { 'data-label': t('req.consumer') }, remoteMark(r.consumer.region, self), ' ', data(r.consumer.name)),
		h('td', { 'data-label': t('req.status') }, statusBadge(r.status)),
		h('td', { 'data-label': t('req.submitted') }, fmtDateTime(r.submitted_at)),
		h('td', { 'data-label': t('req.due') }, dueView(r)),
	);
}

export function incomingTable(caption) {
	const tbody = h('tbody');
	const table = h('table', { class: 'table stack req-table xs-incoming' }, h('caption', { class: 'visually-hidden' }, caption), h('thead', null, h('tr', null, [t('req.resource'), t('req.consumer'), t('req.status'), t('req.submitted'), t('req.due')].map((c) => h('th', { scope: 'col' }, c)))), tbody);
	return { table, tbody };
}

async function listView(query) {
	const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
	const self = await selfRegion();
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('req.filter') },
		field({ id: 'xsi-status', label: t('req.status'), kind: 'select', value: status, options: [['', t('req.all')], ...STATUSES.map((s) => [s, t(`xs.status.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filter.querySelector('#xsi-status').value;
		go(`#/data/fed/incoming${s ? `?status=${s}` : ''}`);
	});
	const { table, tbody } = incomingTable(t('xs.tab.incoming'));
	const load = (cursor) => api('GET', '/fed/share/incoming', null, { query: { status, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((r) => tbody.append(incomingRow(r, self))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((x) => tbody.append(incomingRow(x, self)));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, table, more.el) : empty(t('xs.none_incoming'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('xs.tab.incoming');
	return { title, node: h('div', { class: 'fed-share' }, pageHead(t('xs.title'), { sub: t('xs.remote_requests_hint') }), dataTabs('fed'), fedTabs('incoming'), filter, body) };
}

/* ---- one request of another node ---- */

function approveForm(r, resFields) {
	const byName = new Map(resFields.map((f) => [f.name, f]));
	const label = (n) => {
		const f = byName.get(n);
		return h('span', null, data(f && f.label ? f.label : n), ' ', h('code', { class: 'muted' }, n), f ? h('span', null, ' ', sensitivityBadge(f.sensitivity)) : null);
	};
	const fields = r.fields || [];
	const clear = r.clear_fields || [];
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xap-submit' }, t('req.approve_confirm'));
	const form = h(
		'form',
		{ class: 'form action-form', novalidate: true, id: 'xap-form' },
		h('h3', null, t('xs.in.approve')),
		h('p', { class: 'hint' }, t('req.approve_help')),
		h('fieldset', { class: 'field', 'aria-describedby': 'xap-fields-error' }, h('legend', null, t('req.grant_fields')), fields.map((n) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `xap-f-${n}`, value: n, class: 'xap-field', checked: true }), h('label', { for: `xap-f-${n}` }, label(n)))), h('input', { type: 'hidden', id: 'xap-fields' }), errorSlot('xap-fields')),
		clear.length ? h('fieldset', { class: 'field', 'aria-describedby': 'xap-clear-error' }, h('legend', null, t('req.grant_clear')), clear.map((n) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `xap-c-${n}`, value: n, class: 'xap-clear', checked: true }), h('label', { for: `xap-c-${n}` }, label(n)))), h('input', { type: 'hidden', id: 'xap-clear' }), errorSlot('xap-clear')) : null,
		field({ id: 'xap-comment', label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const chosen = [...form.querySelectorAll('.xap-field:checked')].map((x) => x.value);
		if (!chosen.length) {
			setFieldError(form, 'xap-fields', t('rq.pick_fields')).focus();
			return;
		}
		const body = {};
		if (chosen.length !== fields.length) body.fields = chosen;
		const cl = [...form.querySelectorAll('.xap-clear:checked')].map((x) => x.value).filter((n) => chosen.includes(n));
		if (cl.length !== clear.length || body.fields) body.clear_fields = cl;
		const comment = form.querySelector('#xap-comment').value.trim();
		if (comment) body.comment = comment;
		await busy(submit, async () => {
			try {
				await api('POST', `/fed/share/incoming/${r.id}/approve`, body);
				await rerender();
				announce(t('xs.in.approved_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f.startsWith('fields') ? 'xap-fields' : f.startsWith('clear_fields') ? 'xap-clear' : f === 'comment' ? 'xap-comment' : null));
			}
		});
	});
	return form;
}

function reasonForm(r, act) {
	const id = `x${act}`;
	const submit = h('button', { type: 'submit', class: 'btn btn-danger', id: `${id}-submit` }, t(act === 'revoke' ? 'xs.in.revoke_confirm' : 'req.refuse_confirm'));
	const form = h('form', { class: 'form action-form', novalidate: true, id: `${id}-form` }, h('h3', null, t(act === 'revoke' ? 'xs.in.revoke' : 'xs.in.refuse')), h('p', { class: 'hint' }, t(act === 'revoke' ? 'xs.in.revoke_help' : 'req.refuse_help')), field({ id: `${id}-reason`, label: t('act.reason'), kind: 'textarea', hint: t('act.reason_hint'), required: true, attrs: { maxlength: '1000' } }), h('div', { class: 'btn-row' }, submit));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const reason = form.querySelector(`#${id}-reason`).value.trim();
		if (!reason) {
			setFieldError(form, `${id}-reason`, t('err.reason.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/fed/share/incoming/${r.id}/${act}`, { reason });
				await rerender();
				announce(t(act === 'revoke' ? 'xs.in.revoked_msg' : 'xs.in.refused_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f === 'reason' ? `${id}-reason` : null));
			}
		});
	});
	return form;
}

function actionPanel(r, resFields) {
	const panel = h('div', { class: 'action-panel', id: 'xs-panel' });
	const acts = r.status === 'pending' ? [['approve', 'btn-primary', () => approveForm(r, resFields)], ['refuse', 'btn-danger-outline', () => reasonForm(r, 'refuse')]] : [['revoke', 'btn-danger-outline', () => reasonForm(r, 'revoke')]];
	const buttons = acts.map(([kind, cls, build]) => {
		const b = h('button', { type: 'button', class: `btn ${cls}`, id: `xs-btn-${kind}`, 'aria-expanded': 'false', 'aria-controls': 'xs-panel' }, t(`xs.in.${kind}`));
		b.addEventListener('click', () => {
			const open = b.getAttribute('aria-expanded') === 'true';
			for (const o of buttons) o.setAttribute('aria-expanded', 'false');
			if (open) {
				panel.replaceChildren();
				return;
			}
			b.setAttribute('aria-expanded', 'true');
			const form = build();
			panel.replaceChildren(form);
			(form.querySelector('input:not([type=hidden]), textarea') || form.querySelector('button')).focus();
		});
		return b;
	});
	return section(t('xs.in.decide'), h('div', { class: 'btn-row action-buttons' }, buttons), panel);
}

async function detailView(params) {
	const r = await api('GET', `/fed/share/incoming/${params.id}`);
	const self = await selfRegion();
	let res = null;
	try {
		res = await api('GET', `/resources/${r.resource.id}`);
	} catch {
		/* labels fall back to the field names */
	}
	const resFields = (res && res.fields) || [];
	const blocks = [];
	if (r.status === 'pending' || r.status === 'approved') blocks.push(actionPanel(r, resFields));
	if ((r.status === 'refused' || r.status === 'revoked') && r.reason) blocks.push(h('div', { class: 'card card-attention', role: 'note' }, h('h2', null, t(r.status === 'refused' ? 'req.refused_title' : 'xs.detail.revoked')), h('p', null, data(reasonText(r.reason)))));
	if (r.kind === 'subscription') blocks.push(h('div', { class: 'card info-card', role: 'note' }, h('p', null, t('xs.in.subscription_note'))));
	const fieldTags = h('ul', { class: 'tags field-tags' }, (r.fields || []).map((n) => {
		const f = resFields.find((x) => x.name === n);
		const clear = (r.clear_fields || []).includes(n);
		return h('li', { class: `tag ${clear ? 'tag-clear' : ''}` }, data(f && f.label ? f.label : n), h('span', { class: 'tag-code' }, ` ${n}`), clear ? h('span', { class: 'tag-note' }, ` · ${t('share.in_clear')}`) : null);
	}));
	const facts = dl([
		[t('req.no_label'), t('xs.in_no', { id: r.id })],
		[t('xs.col.resource'), h('a', { href: `#/data/resources/${r.resource.id}` }, data(r.resource.name))],
		[t('req.consumer'), h('span', null, remoteMark(r.consumer.region, self), ' ', data(r.consumer.name))],
		[t('xs.detail.node'), h('span', null, data(r.node.name || r.node.region), ' ', h('code', { class: 'muted' }, r.node.region))],
		[t('req.status'), statusBadge(r.status)],
		[t('req.due'), dueView(r)],
		[t('req.submitted'), fmtDateTime(r.submitted_at)],
		[t('req.requested_by'), r.requested_by ? data(r.requested_by.name) : null],
		[t('req.fields'), fieldTags],
		[t('req.purpose'), data(r.purpose, 'span', { class: 'prose' })],
		[t('req.basis'), r.legal_basis ? data(r.legal_basis, 'span', { class: 'prose' }) : null],
		r.kind === 'subscription' ? [t('xs.col.regions'), data((r.regions || []).join('、'))] : [t('req.period'), t('grant.valid_range', { from: dayText(r.valid_from), to: dayText(r.valid_to) })],
		r.kind === 'subscription' ? null : [t('req.rate'), r.rate_limit ? t('req.rate_n', { n: r.rate_limit }) : null],
		[t('xs.detail.decided_at'), r.decided_at ? fmtDateTime(r.decided_at) : null],
		[t('xs.detail.revoked_at'), r.revoked_at ? fmtDateTime(r.revoked_at) : null],
	].filter(Boolean));
	const title = kindLabel(r.kind);
	return {
		title: `${title} ${r.id}`,
		node: h(
			'div',
			{ class: 'fed-share request' },
			h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/requests?side=incoming' }, t('req.title')), h('span', { 'aria-hidden': 'true' }, ' / '), t('xs.in_no', { id: r.id })),
			pageHead(title, { titleNode: h('span', null, data(r.resource.name)), sub: h('span', null, remoteMark(r.consumer.region, self), ' ', title, ' · ', t('xs.in_no', { id: r.id })) }),
			blocks,
			section(t('req.details'), facts),
		),
	};
}

/* ---- the cross-node access log ---- */

const SIDES = ['consumer', 'provider'];

async function accessView(query) {
	const side = SIDES.includes(query.get('side')) ? query.get('side') : 'consumer';
	const self = await selfRegion();
	const tabs = h('nav', { class: 'tabs sub-tabs', 'aria-label': t('grant.sides') }, h('ul', null, SIDES.map((s) => h('li', null, h('a', { href: `#/data/fed/access?side=${s}`, 'aria-current': s === side ? 'page' : undefined }, t(`xs.access.side.${s}`))))));
	const tbody = h('tbody');
	const cols = [t('access.at'), side === 'provider' ? t('access.dept') : t('xs.col.provider'), t('access.by'), t('access.resource'), t('access.purpose'), t('access.rows')];
	const row = (a) =>
		h(
			'tr',
			null,
			h('td', { 'data-label': cols[0] }, fmtDateTime(a.at)),
			h('td', { 'data-label': cols[1] }, side === 'provider' ? h('span', null, remoteMark(a.consumer.region, self), ' ', data(a.consumer.name)) : data(a.provider.name || a.provider.region)),
			h('td', { 'data-label': cols[2] }, data(a.by)),
			h('td', { 'data-label': cols[3] }, data(a.resource.name), a.kind ? h('span', { class: 'case-no' }, ` · ${t(`xs.access.kind.${a.kind}`)}`) : null),
			h('td', { 'data-label': cols[4] }, data(a.purpose, 'span', { class: 'prose' })),
			h('td', { 'data-label': cols[5] }, String(a.rows)),
		);
	const load = (cursor) => api('GET', '/fed/share/access', null, { query: { side, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((a) => tbody.append(row(a))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((a) => tbody.append(row(a)));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, h('table', { class: 'table stack access-table' }, h('caption', { class: 'visually-hidden' }, t(`xs.access.side.${side}`)), h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el) : empty(t('xs.access.none'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('xs.tab.access');
	return { title, node: h('div', { class: 'fed-share data-access' }, pageHead(t('xs.title'), { sub: t(`xs.access.side.${side}`) }), dataTabs('fed'), fedTabs('access'), tabs, body) };
}

export async function render({ view, params, query }) {
	if (view === 'detail') return detailView(params);
	if (view === 'access') return accessView(query);
	return listView(query);
}
