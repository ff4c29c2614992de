// grants.js - 授权: grants the department holds (consumer side, every
// official) and grants on its resources (provider side, data officers),
// one grant with its exact terms and revocation by the provider; and the
// exchange try-out (数据查询): an official of the consumer department reads
// one row by key through a grant and sees the values as the grant gives
// them (masked unless granted in clear). Every read is recorded and shown
// to the person the row is about.

import { h, data, hasCJK } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, dl, pager, empty, problemText, showErrors, clearErrors, busy, announce, setFieldError, linkButton } from '../ui.js';
import { deptNames } from '../catalog.js';
import { currentUser, go, render as rerender } from '../app.js';
import { GRANT_STATUSES, grantBadge, deptText, resourceName, dataTabs, dayText, fieldList, isDataOfficer, sensitivityBadge } from '../sharing.js';

const SIDES = ['consumer', 'provider'];

async function listView(query) {
	const officer = isDataOfficer();
	const side = officer && query.get('side') === 'provider' ? 'provider' : 'consumer';
	const status = GRANT_STATUSES.includes(query.get('status')) ? query.get('status') : '';
	const names = await deptNames();
	const tabs = officer
		? h('nav', { class: 'tabs sub-tabs', 'aria-label': t('grant.sides') }, h('ul', null, SIDES.map((s) => h('li', null, h('a', { href: `#/data/grants?side=${s}`, 'aria-current': s === side ? 'page' : undefined }, t(`grant.side.${s}`))))))
		: null;
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('grant.filter') },
		field({ id: 'grant-status', label: t('grant.status'), kind: 'select', value: status, options: [['', t('req.all')], ...GRANT_STATUSES.map((s) => [s, t(`grant.status.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filter.querySelector('#grant-status').value;
		go(`#/data/grants?side=${side}${s ? `&status=${s}` : ''}`);
	});
	const other = side === 'consumer' ? t('req.provider') : t('req.consumer');
	const tbody = h('tbody');
	const row = (g) => {
		const actions = h('div', { class: 'btn-row' });
		if (side === 'consumer' && (g.state || g.status) === 'active') actions.append(linkButton(`#/data/exchange?grant=${g.id}`, h('span', null, t('grant.try'), h('span', { class: 'visually-hidden' }, t('common.colon'), t('grant.no', { id: g.id }))), 'btn btn-small btn-secondary'));
		return h(
			'tr',
			null,
			h('td', { 'data-label': t('req.resource') }, h('a', { href: `#/data/grants/${g.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(resourceName(g.resource))), h('span', { class: 'case-no' }, t('grant.no', { id: g.id })))),
			h('td', { 'data-label': other }, data(deptText(side === 'consumer' ? g.provider || (g.resource && g.resource.department) : g.consumer, names))),
			h('td', { 'data-label': t('grant.status') }, grantBadge(g.state || g.status)),
			h('td', { 'data-label': t('req.period') }, t('grant.valid_range', { from: dayText(g.valid_from), to: dayText(g.valid_to) })),
			h('td', { 'data-label': t('grant.actions') }, actions.childNodes.length ? actions : h('span', { class: 'muted' }, t('common.none'))),
		);
	};
	const load = (cursor) => api('GET', '/grants', null, { query: { side, status, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((g) => tbody.append(row(g))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((g) => tbody.append(row(g)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, h('table', { class: 'table stack grant-table' }, h('caption', { class: 'visually-hidden' }, t(`grant.side.${side}`)), h('thead', null, h('tr', null, [t('req.resource'), other, t('grant.status'), t('req.period'), t('grant.actions')].map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el)
			: empty(t(`grant.none_${side}`));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('grant.title');
	return { title, node: h('div', { class: 'grants' }, pageHead(title, { sub: t(`grant.sub_${side}`) }), dataTabs('grants'), tabs, filter, body) };
}

function revokeForm(g) {
	const submit = h('button', { type: 'submit', class: 'btn btn-danger', id: 'rv-submit' }, t('grant.revoke_confirm'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'revoke-form' },
		h('p', { class: 'hint' }, t('grant.revoke_help')),
		field({ id: 'rv-reason', label: t('act.reason'), kind: 'textarea', hint: t('act.reason_hint'), required: true, attrs: { maxlength: '1000', rows: 2 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const reason = form.querySelector('#rv-reason').value.trim();
		if (!reason) {
			setFieldError(form, 'rv-reason', t('err.reason.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/grants/${g.id}/revoke`, { reason });
				await rerender();
				announce(t('grant.revoked_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f === 'reason' ? 'rv-reason' : null));
			}
		});
	});
	return form;
}

async function detailView(params) {
	const u = currentUser();
	const g = await api('GET', `/grants/${params.id}`);
	const names = await deptNames();
	let res = null;
	const resId = g.resource && typeof g.resource === 'object' ? g.resource.id : g.resource_id;
	if (resId) {
		try {
			res = await api('GET', `/resources/${resId}`);
		} catch {
			/* labels fall back to field names */
		}
	}
	const consumerId = g.consumer && typeof g.consumer === 'object' ? g.consumer.id : g.consumer_dept;
	const consumer = u.department && consumerId === u.department.id;
	const blocks = [];
	if (!consumer && isDataOfficer(u) && g.status === 'active') blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'rv-title' }, h('h2', { id: 'rv-title' }, t('grant.revoke')), revokeForm(g)));
	if (consumer && (g.state || g.status) === 'active') blocks.push(h('div', { class: 'btn-row' }, linkButton(`#/data/exchange?grant=${g.id}`, t('grant.try'), 'btn btn-primary')));
	if (g.status === 'revoked') blocks.push(h('p', { class: 'notice', role: 'note' }, t('grant.revoked_note', { at: fmtDateTime(g.revoked_at) }), g.revoke_reason ? h('span', null, ' ', t('grant.reason'), t('common.colon'), data(g.revoke_reason)) : null));
	const facts = dl([
		[t('req.resource'), resId ? h('a', { href: `#/data/resources/${resId}` }, data(resourceName(g.resource) || (res && res.name))) : data(resourceName(g.resource))],
		[t('req.consumer'), data(deptText(g.consumer, names))],
		[t('req.provider'), g.provider ? data(deptText(g.provider, names)) : res ? data(deptText(res.department, names)) : null],
		[t('grant.status'), grantBadge(g.state || g.status)],
		[t('req.fields'), fieldList(g.fields, res && res.fields, g.clear_fields || [])],
		[t('req.purpose'), data(g.purpose, 'span', { class: 'prose' })],
		[t('req.basis'), data(g.legal_basis, 'span', { class: 'prose' })],
		[t('req.period'), t('grant.valid_range', { from: dayText(g.valid_from), to: dayText(g.valid_to) })],
		[t('req.rate'), g.rate_limit ? t('req.rate_n', { n: g.rate_limit }) : null],
		[t('grant.created'), g.created_at ? fmtDateTime(g.created_at) : null],
		[t('grant.request'), g.request_id ? h('a', { href: `#/data/requests/${g.request_id}` }, t('req.no', { id: g.request_id })) : null],
	]);
	const title = t('grant.no', { id: g.id });
	return {
		title,
		node: h(
			'div',
			{ class: 'grant' },
			h('p', { class: 'breadcrumb' }, h('a', { href: `#/data/grants?side=${consumer ? 'consumer' : 'provider'}` }, t('grant.title')), h('span', { 'aria-hidden': 'true' }, ' / '), title),
			pageHead(title, { sub: h('span', null, data(resourceName(g.resource))) }),
			blocks,
			section(t('grant.terms'), facts),
		),
	};
}

/* ---- the exchange try-out ---- */

function rowView(row, resFields, grant) {
	const by = new Map((resFields || []).map((f) => [f.name, f]));
	const clear = (grant && grant.clear_fields) || [];
	const names = Object.keys(row || {});
	return h(
		'table',
		{ class: 'table stack row-table', id: 'ex-row' },
		h('caption', null, t('ex.row_caption')),
		h('thead', null, h('tr', null, [t('res.f_label'), t('ex.value'), t('res.f_sens')].map((c) => h('th', { scope: 'col' }, c)))),
		h(
			'tbody',
			null,
			names.map((n) => {
				const f = by.get(n);
				const personal = f && (f.sensitivity === 'personal' || f.sensitivity === 'sensitive');
				const v = row[n];
				const shown = v === null || v === undefined ? h('span', { class: 'muted' }, t('common.none')) : data(typeof v === 'string' ? v : JSON.stringify(v), 'span', { class: 'ex-value' });
				return h(
					'tr',
					null,
					h('td', { 'data-label': t('res.f_label') }, data(f && f.label ? f.label : n), ' ', h('code', { class: 'muted' }, n)),
					h('td', { 'data-label': t('ex.value') }, shown, personal ? h('span', { class: `tag ${clear.includes(n) ? 'tag-info' : 'tag-ok'} ex-mask-note` }, clear.includes(n) ? t('ex.clear') : t('ex.masked')) : null),
					h('td', { 'data-label': t('res.f_sens') }, f ? sensitivityBadge(f.sensitivity) : ''),
				);
			}),
		),
	);
}

async function exchangeView(query) {
	const names = await deptNames();
	let grants = [];
	let loadErr = null;
	try {
		grants = (await api('GET', '/grants', null, { query: { side: 'consumer', limit: 100 } })).items || [];
	} catch (e) {
		loadErr = e;
	}
	const live = (g) => (g.state || g.status) === 'active';
	const firstLive = grants.find(live);
	const wanted = query.get('grant') || (firstLive ? String(firstLive.id) : grants[0] ? String(grants[0].id) : '');
	const result = h('div', { class: 'ex-result', id: 'ex-result', tabindex: '-1' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'ex-submit' }, t('ex.submit'));
	const grantOpts = grants.map((g) => [String(g.id), `${t('grant.no', { id: g.id })} · ${resourceName(g.resource)}${live(g) ? '' : ` (${t(`grant.status.${g.state || g.status}`)})`}`]);
	const form = h(
		'form',
		{ class: 'form ex-form card', novalidate: true },
		field({ id: 'ex-grant', label: t('ex.grant'), kind: 'select', value: wanted, options: grantOpts, required: true }),
		h('p', { class: 'hint', id: 'ex-grant-terms' }),
		field({ id: 'ex-key', label: t('ex.key'), hint: t('ex.key_hint'), required: true, attrs: { maxlength: '200', spellcheck: 'false', autocomplete: 'off' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	const cache = new Map();
	async function resourceOf(g) {
		const id = g.resource && typeof g.resource === 'object' ? g.resource.id : g.resource_id;
		if (!id) return null;
		if (!cache.has(id)) cache.set(id, api('GET', `/resources/${id}`).catch(() => null));
		return cache.get(id);
	}
	const grantById = (id) => grants.find((g) => String(g.id) === String(id));
	async function showTerms() {
		const g = grantById(form.querySelector('#ex-grant').value);
		const el = form.querySelector('#ex-grant-terms');
		if (!g) {
			el.replaceChildren();
			return;
		}
		const res = await resourceOf(g);
		el.replaceChildren(
			h('span', null, t('ex.terms'), t('common.colon')),
			data(g.purpose || ''),
			h('span', { 'aria-hidden': 'true' }, ' · '),
			t('grant.valid_range', { from: dayText(g.valid_from), to: dayText(g.valid_to) }),
			res && res.key_field ? h('span', null, h('span', { 'aria-hidden': 'true' }, ' · '), t('ex.key_is'), t('common.colon'), h('code', null, res.key_field)) : null,
		);
	}
	/* the options carry resource names (data): mark their language */
	for (const o of form.querySelectorAll('#ex-grant option')) if (hasCJK(o.textContent)) o.setAttribute('lang', 'zh-CN');
	form.querySelector('#ex-grant').addEventListener('change', showTerms);
	showTerms();
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const gid = form.querySelector('#ex-grant').value;
		const key = form.querySelector('#ex-key').value.trim();
		if (!key) {
			setFieldError(form, 'ex-key', t('err.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				const r = await api('GET', `/exchange/${gid}/rows/${encodeURIComponent(key)}`);
				const g = grantById(gid) || { id: gid };
				const res = await resourceOf(g);
				result.replaceChildren(
					h('div', { class: 'card' },
						h('h2', null, t('ex.result')),
						h('p', { class: 'hint' }, t('ex.recorded')),
						rowView(r.row, res && res.fields, g),
					),
				);
				announce(t('ex.found'), 'ok');
				result.focus();
			} catch (err) {
				result.replaceChildren();
				if (err.status === 404 && !err.errors.length && (!err.reason || err.reason === 'not_found')) {
					result.replaceChildren(h('p', { class: 'notice', role: 'alert' }, t('ex.no_row')));
					announce(t('ex.no_row'), 'error');
					return;
				}
				if (err.status === 429) {
					result.replaceChildren(h('p', { class: 'notice', role: 'alert' }, t('problem.rate_limited')));
					announce(t('problem.rate_limited'), 'error');
					return;
				}
				showErrors(form, err, (f) => (f === 'key' ? 'ex-key' : f === 'grant' ? 'ex-grant' : null));
			}
		});
	});
	let body;
	if (loadErr) body = h('p', { class: 'error-text', role: 'alert' }, problemText(loadErr));
	else if (!grants.length) body = h('div', null, empty(t('ex.no_grants')), isDataOfficer() ? linkButton('#/data/resources', t('req.find_resource'), 'btn btn-secondary') : null);
	else body = h('div', null, form, result);
	const title = t('ex.title');
	return { title, node: h('div', { class: 'exchange' }, pageHead(title, { sub: t('ex.sub') }), dataTabs('exchange'), body) };
}

export async function render({ view, params, query }) {
	if (view === 'detail') return detailView(params);
	if (view === 'exchange') return exchangeView(query);
	return listView(query);
}

