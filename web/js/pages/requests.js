// requests.js - 共享申请: the data officer's outgoing requests (what the
// department asked for) and incoming ones (asked of its resources), with
// status and the response deadline (10 working days, shown like a case
// timer); one request with approve (optionally fewer fields, fewer fields
// in clear) or refuse with a reason.

import { h, data } from '../dom.js';
import { t, tOr, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, dl, pager, empty, problemText, showErrors, clearErrors, busy, announce, errorSlot, setFieldError, linkButton } from '../ui.js';
import { deptNames } from '../catalog.js';
import { currentUser, go, render as rerender } from '../app.js';
import { REQUEST_STATUSES, requestBadge, dueView, deptText, resourceName, dataTabs, dayText, fieldList, sensitivityBadge } from '../sharing.js';
import { incomingRow, incomingTable } from './fed-share-incoming.js';
import { fedNodes } from './fed-share-ui.js';

const SIDES = ['incoming', 'outgoing'];

async function listView(query) {
	const side = SIDES.includes(query.get('side')) ? query.get('side') : 'incoming';
	const status = REQUEST_STATUSES.includes(query.get('status')) ? query.get('status') : '';
	const names = await deptNames();
	const tabs = h(
		'nav',
		{ class: 'tabs sub-tabs', 'aria-label': t('req.sides') },
		h('ul', null, SIDES.map((s) => h('li', null, h('a', { href: `#/data/requests?side=${s}`, 'aria-current': s === side ? 'page' : undefined }, t(`req.side.${s}`))))),
	);
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('req.filter') },
		field({ id: 'req-status', label: t('req.status'), kind: 'select', value: status, options: [['', t('req.all')], ...REQUEST_STATUSES.map((s) => [s, t(`req.status.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filter.querySelector('#req-status').value;
		go(`#/data/requests?side=${side}${s ? `&status=${s}` : ''}`);
	});
	const other = side === 'incoming' ? t('req.consumer') : t('req.provider');
	const tbody = h('tbody');
	const row = (r) =>
		h(
			'tr',
			{ class: r.status === 'pending' ? 'req-pending' : '' },
			h('td', { 'data-label': t('req.resource') }, h('a', { href: `#/data/requests/${r.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(resourceName(r.resource))), h('span', { class: 'case-no' }, t('req.no', { id: r.id })))),
			h('td', { 'data-label': other }, data(deptText(side === 'incoming' ? r.consumer : r.provider || (r.resource && r.resource.department), names))),
			h('td', { 'data-label': t('req.status') }, requestBadge(r.status)),
			h('td', { 'data-label': t('req.submitted') }, fmtDateTime(r.submitted_at)),
			h('td', { 'data-label': t('req.due') }, dueView(r)),
		);
	const load = (cursor) => api('GET', '/share-requests', null, { query: { side, status, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((r) => tbody.append(row(r))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((x) => tbody.append(row(x)));
		more.setNext(r.next);
		body = r.items.length
			? h(
					'div',
					null,
					h('table', { class: 'table stack req-table' }, h('caption', { class: 'visually-hidden' }, t(`req.side.${side}`)), h('thead', null, h('tr', null, [t('req.resource'), other, t('req.status'), t('req.submitted'), t('req.due')].map((c) => h('th', { scope: 'col' }, c)))), tbody),
					more.el,
				)
			: empty(t(`req.none_${side}`));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	/* Requests of other nodes' departments, marked 跨省 · <region> (fed-share-incoming.js). */
	let remote = null;
	if (side === 'incoming') {
		try {
			const rr = await api('GET', '/fed/share/incoming', null, { query: { status, limit: 20 } });
			const self = await fedNodes().then((n) => (n.self ? n.self.region : '')).catch(() => '');
			if (rr.items.length) {
				const { table, tbody } = incomingTable(t('xs.remote_requests'));
				rr.items.forEach((x) => tbody.append(incomingRow(x, self)));
				remote = section(t('xs.remote_requests'), h('p', { class: 'hint' }, t('xs.remote_requests_hint')), table, rr.next ? h('p', null, h('a', { href: '#/data/fed/incoming' }, t('common.more'))) : null);
			}
		} catch {
			/* a node without federation shows local requests only */
		}
	}
	const title = t('req.title');
	return {
		title,
		node: h('div', { class: 'requests' }, pageHead(title, { sub: t(`req.sub_${side}`), actions: linkButton('#/data/resources', t('req.find_resource'), 'btn btn-secondary') }), dataTabs('requests'), tabs, filter, body, remote),
	};
}

/* ---- one request ---- */

function approveForm(r, resFields) {
	const masked = (n) => {
		const f = resFields.find((x) => x.name === n);
		return f && (f.sensitivity === 'personal' || f.sensitivity === 'sensitive');
	};
	const label = (n) => {
		const f = resFields.find((x) => x.name === n);
		return h('span', null, data(f && f.label ? f.label : n), ' ', h('code', { class: 'muted' }, n), f ? h('span', null, ' ', sensitivityBadge(f.sensitivity)) : null);
	};
	const fields = r.fields || [];
	const clear = r.clear_fields || [];
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'ap-submit' }, t('req.approve_confirm'));
	const form = h(
		'form',
		{ class: 'form action-form', novalidate: true, id: 'ap-form' },
		h('h3', null, t('req.approve')),
		h('p', { class: 'hint' }, t('req.approve_help')),
		h('fieldset', { class: 'field', 'aria-describedby': 'ap-fields-error' }, h('legend', null, t('req.grant_fields')), fields.map((n) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `ap-f-${n}`, value: n, class: 'ap-field', checked: true }), h('label', { for: `ap-f-${n}` }, label(n)))), h('input', { type: 'hidden', id: 'ap-fields' }), errorSlot('ap-fields')),
		clear.length ? h('fieldset', { class: 'field', 'aria-describedby': 'ap-clear-error' }, h('legend', null, t('req.grant_clear')), clear.filter(masked).concat(clear.filter((n) => !masked(n))).map((n) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `ap-c-${n}`, value: n, class: 'ap-clear', checked: true }), h('label', { for: `ap-c-${n}` }, label(n)))), h('input', { type: 'hidden', id: 'ap-clear' }), errorSlot('ap-clear')) : null,
		field({ id: 'ap-comment', label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const chosen = [...form.querySelectorAll('.ap-field:checked')].map((x) => x.value);
		if (!chosen.length) {
			setFieldError(form, 'ap-fields', t('rq.pick_fields')).focus();
			return;
		}
		const body = {};
		if (chosen.length !== fields.length) body.fields = chosen;
		const cl = [...form.querySelectorAll('.ap-clear:checked')].map((x) => x.value).filter((n) => chosen.includes(n));
		if (cl.length !== clear.length || body.fields) body.clear_fields = cl;
		const comment = form.querySelector('#ap-comment').value.trim();
		if (comment) body.comment = comment;
		await busy(submit, async () => {
			try {
				await api('POST', `/share-requests/${r.id}/approve`, body);
				await rerender();
				announce(t('req.approved_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f.startsWith('fields') ? 'ap-fields' : f.startsWith('clear_fields') ? 'ap-clear' : f === 'comment' ? 'ap-comment' : null));
			}
		});
	});
	return form;
}

function refuseForm(r) {
	const submit = h('button', { type: 'submit', class: 'btn btn-danger', id: 'rf-submit' }, t('req.refuse_confirm'));
	const form = h(
		'form',
		{ class: 'form action-form', novalidate: true, id: 'refuse-form' },
		h('h3', null, t('req.refuse')),
		h('p', { class: 'hint' }, t('req.refuse_help')),
		field({ id: 'rf-reason', label: t('act.reason'), kind: 'textarea', hint: t('act.reason_hint'), required: true, attrs: { maxlength: '1000' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const reason = form.querySelector('#rf-reason').value.trim();
		if (!reason) {
			setFieldError(form, 'rf-reason', t('err.reason.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/share-requests/${r.id}/refuse`, { reason });
				await rerender();
				announce(t('req.refused_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f === 'reason' ? 'rf-reason' : null));
			}
		});
	});
	return form;
}

function decisionPanel(r, resFields) {
	const panel = h('div', { class: 'action-panel', id: 'req-panel' });
	const mk = (kind, cls, build) => {
		const b = h('button', { type: 'button', class: `btn ${cls}`, id: `btn-${kind}`, 'aria-expanded': 'false', 'aria-controls': 'req-panel' }, t(`req.${kind}`));
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
	};
	const buttons = [mk('approve', 'btn-primary', () => approveForm(r, resFields)), mk('refuse', 'btn-danger-outline', () => refuseForm(r))];
	return section(t('req.decide'), h('div', { class: 'btn-row action-buttons' }, buttons), panel);
}

async function detailView(params) {
	const u = currentUser();
	const r = await api('GET', `/share-requests/${params.id}`);
	const names = await deptNames();
	let res = null;
	const resId = r.resource && typeof r.resource === 'object' ? r.resource.id : null;
	if (resId) {
		try {
			res = await api('GET', `/resources/${resId}`);
		} catch {
			/* the labels fall back to the field names */
		}
	}
	const resFields = (res && res.fields) || [];
	const consumerId = r.consumer && typeof r.consumer === 'object' ? r.consumer.id : r.consumer_dept;
	const incoming = u.department && consumerId !== u.department.id;
	const blocks = [];
	if (incoming && r.status === 'pending') blocks.push(decisionPanel(r, resFields));
	if (r.status === 'refused') blocks.push(h('div', { class: 'card card-attention', role: 'note' }, h('h2', null, t('req.refused_title')), h('p', null, r.reason ? (tOr(`req.reason.${r.reason}`, null) ? t(`req.reason.${r.reason}`) : data(r.reason)) : t('common.none'))));
	const grantId = r.grant_id || (r.grant && r.grant.id);
	if (r.status === 'approved' && grantId) blocks.push(h('div', { class: 'card' }, h('p', null, t('req.granted_as'), ' ', h('a', { href: `#/data/grants/${grantId}` }, t('grant.no', { id: grantId }))), !incoming ? h('div', { class: 'btn-row' }, linkButton(`#/data/exchange?grant=${grantId}`, t('grant.try'), 'btn btn-secondary')) : null));

	const facts = dl([
		[t('req.no_label'), t('req.no', { id: r.id })],
		[t('req.resource'), resId ? h('a', { href: `#/data/resources/${resId}` }, data(resourceName(r.resource))) : data(resourceName(r.resource))],
		[t('req.consumer'), data(deptText(r.consumer, names))],
		[t('req.provider'), r.provider ? data(deptText(r.provider, names)) : res ? data(deptText(res.department, names)) : null],
		[t('req.status'), requestBadge(r.status)],
		[t('req.due'), dueView(r)],
		[t('req.submitted'), fmtDateTime(r.submitted_at)],
		[t('req.requested_by'), r.requested_by ? data(typeof r.requested_by === 'object' ? r.requested_by.name : r.requested_by) : null],
		[t('req.decided_at'), r.decided_at ? fmtDateTime(r.decided_at) : null],
		[t('req.fields'), fieldList(r.fields, resFields, r.clear_fields || [])],
		[t('req.purpose'), data(r.purpose, 'span', { class: 'prose' })],
		[t('req.basis'), data(r.legal_basis, 'span', { class: 'prose' })],
		[t('req.period'), t('grant.valid_range', { from: dayText(r.valid_from), to: dayText(r.valid_to) })],
		[t('req.rate'), r.rate_limit ? t('req.rate_n', { n: r.rate_limit }) : null],
	]);
	const title = t('req.detail_title');
	return {
		title: `${title} ${r.id}`,
		node: h(
			'div',
			{ class: 'request' },
			h('p', { class: 'breadcrumb' }, h('a', { href: `#/data/requests?side=${incoming ? 'incoming' : 'outgoing'}` }, t('req.title')), h('span', { 'aria-hidden': 'true' }, ' / '), t('req.no', { id: r.id })),
			pageHead(title, { titleNode: h('span', null, data(resourceName(r.resource))), sub: h('span', null, t(incoming ? 'req.side.incoming' : 'req.side.outgoing'), h('span', { 'aria-hidden': 'true' }, ' · '), t('req.no', { id: r.id })) }),
			blocks,
			section(t('req.details'), facts),
		),
	};
}

export async function render({ view, params, query }) {
	return view === 'detail' ? detailView(params) : listView(query);
}
