// fed-share.js - 跨节点数据共享 (the consumer side): a department's requests
// to other regions' nodes and its flow-back subscriptions (数据回流), the
// forms that make them, and one request with its terms, the exchange
// through it (a granted request) or its synchronisation and received rows
// (a subscription). The provider side is fed-share-incoming.js.

import { h, data } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, dl, pager, empty, problemText, showErrors, clearErrors, busy, announce, errorSlot, setFieldError, setFormError, linkButton, flash } from '../ui.js';
import { go } from '../app.js';
import { dataTabs, isDataOfficer, sensitivityBadge, shareTypeBadge, dayText, today } from '../sharing.js';
import { fedNodes, fedTabs, stateBadge, kindLabel, reasonText, rowTable } from './fed-share-ui.js';

const STATES = ['pending', 'granted', 'refused', 'revoked'];
const masked = (f) => f.sensitivity === 'personal' || f.sensitivity === 'sensitive';

function providerText(p) {
	if (!p) return '';
	return [p.name || p.region, p.department].filter(Boolean).join(' · ');
}

/* ---- lists ---- */

async function listView(query, kind) {
	const sub = kind === 'subscription';
	const state = STATES.includes(query.get('state')) ? query.get('state') : '';
	const base = sub ? '#/data/fed/subscriptions' : '#/data/fed';
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('req.filter') },
		field({ id: 'xs-state', label: t('xs.col.state'), kind: 'select', value: state, options: [['', t('req.all')], ...STATES.map((s) => [s, t(`xs.state.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filter.querySelector('#xs-state').value;
		go(`${base}${s ? `?state=${s}` : ''}`);
	});
	const tbody = h('tbody');
	const cols = sub
		? [t('xs.col.resource'), t('xs.col.provider'), t('xs.col.regions'), t('xs.col.state'), t('xs.col.rows'), t('xs.col.synced'), t('xs.col.error')]
		: [t('xs.col.resource'), t('xs.col.provider'), t('xs.col.state'), t('xs.col.submitted')];
	const row = (r) => {
		const link = h('a', { href: `${sub ? '#/data/fed/subscriptions' : '#/data/fed/requests'}/${r.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(r.resource.name)), h('span', { class: 'case-no' }, ` ${r.resource.code}`));
		const cells = [h('td', { 'data-label': cols[0] }, link), h('td', { 'data-label': cols[1] }, data(providerText(r.provider)))];
		if (sub) {
			const s = r.sync || {};
			cells.push(
				h('td', { 'data-label': cols[2] }, data((r.regions || []).join('、'))),
				h('td', { 'data-label': cols[3] }, stateBadge(r.state)),
				h('td', { 'data-label': cols[4] }, t('xs.rows_n', { n: s.rows ?? 0 }), h('span', { class: 'case-no' }, ` · ${t('xs.col.cursor')} ${s.cursor ?? 0}`)),
				h('td', { 'data-label': cols[5] }, s.synced_at ? fmtDateTime(s.synced_at) : h('span', { class: 'muted' }, t('xs.never'))),
				h('td', { 'data-label': cols[6] }, s.error ? h('span', { class: 'error-text' }, data(s.error)) : h('span', { class: 'muted' }, t('xs.ok'))),
			);
		} else cells.push(h('td', { 'data-label': cols[2] }, stateBadge(r.state)), h('td', { 'data-label': cols[3] }, fmtDateTime(r.submitted_at)));
		return h('tr', { class: r.state === 'pending' ? 'req-pending' : '' }, cells);
	};
	const load = (cursor) => api('GET', sub ? '/fed/subscriptions' : '/fed/share/requests', null, { query: { state, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((r) => tbody.append(row(r))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((x) => tbody.append(row(x)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, h('table', { class: 'table stack xs-table' }, h('caption', { class: 'visually-hidden' }, t(sub ? 'xs.tab.subscriptions' : 'xs.tab.requests')), h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el)
			: empty(t(sub ? 'xs.none_subscriptions' : 'xs.none_requests'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('xs.title');
	const action = isDataOfficer() ? linkButton(sub ? '#/data/fed/subscriptions/new' : '#/data/fed/new', t(sub ? 'xs.new_subscription' : 'xs.new_request'), 'btn btn-primary') : null;
	return { title, node: h('div', { class: 'fed-share' }, pageHead(title, { sub: t('xs.sub'), actions: action }), dataTabs('fed'), fedTabs(sub ? 'subscriptions' : 'requests'), filter, body) };
}

/* ---- the request form ---- */

function fieldPicker(fields, prefix) {
	const clearSet = new Set();
	const checks = fields.map((f) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `${prefix}-f-${f.name}`, value: f.name, class: `${prefix}-field`, checked: true }), h('label', { for: `${prefix}-f-${f.name}` }, data(f.label || f.name), ' ', h('code', { class: 'muted' }, f.name), ' ', sensitivityBadge(f.sensitivity))));
	const clearBox = h('div', { class: 'rq-clear-list' });
	const renderClear = () => {
		const chosen = fields.filter((f) => masked(f) && checks.some((d) => d.firstChild.value === f.name && d.firstChild.checked));
		clearBox.replaceChildren(...(chosen.length ? chosen.map((f) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `${prefix}-c-${f.name}`, value: f.name, class: `${prefix}-clear`, checked: clearSet.has(f.name) }), h('label', { for: `${prefix}-c-${f.name}` }, data(f.label || f.name), ' ', h('code', { class: 'muted' }, f.name)))) : [h('p', { class: 'muted' }, t('rq.no_masked'))]));
	};
	const node = h(
		'div',
		null,
		h('fieldset', { class: 'field choices', 'aria-describedby': `${prefix}-fields-error` }, h('legend', null, t('xs.form.fields'), h('span', { class: 'req' }, ' ', t('common.required_mark'))), checks, h('input', { type: 'hidden', id: `${prefix}-fields` }), errorSlot(`${prefix}-fields`)),
		h('fieldset', { class: 'field', 'aria-describedby': `${prefix}-clear-hint ${prefix}-clear_fields-error` }, h('legend', null, t('xs.form.clear')), h('p', { class: 'hint', id: `${prefix}-clear-hint` }, t('xs.form.clear_hint')), clearBox, h('input', { type: 'hidden', id: `${prefix}-clear_fields` }), errorSlot(`${prefix}-clear_fields`)),
	);
	node.addEventListener('change', (e) => {
		if (e.target.classList.contains(`${prefix}-clear`)) {
			if (e.target.checked) clearSet.add(e.target.value);
			else clearSet.delete(e.target.value);
		}
		if (e.target.classList.contains(`${prefix}-field`)) renderClear();
	});
	renderClear();
	const chosen = () => [...node.querySelectorAll(`.${prefix}-field:checked`)].map((x) => x.value);
	const clear = () => [...node.querySelectorAll(`.${prefix}-clear:checked`)].map((x) => x.value).filter((n) => chosen().includes(n));
	return { node, chosen, clear };
}

/** The provider node and resource code, with a look-up that shows the
 * catalog entry; onFound(entry) builds the rest of the form. */
function lookupBlock(prefix, nodeOptions, onFound) {
	const result = h('div', { class: 'xs-lookup-result', 'aria-live': 'polite' });
	const btn = h('button', { type: 'button', class: 'btn btn-secondary', id: `${prefix}-lookup` }, t('xs.form.lookup'));
	const block = h(
		'div',
		null,
		h('div', { class: 'grid-2' }, field({ id: `${prefix}-provider`, label: t(prefix === 'xsb' ? 'xs.sub.provider' : 'xs.form.provider'), kind: 'select', options: nodeOptions, required: true, hint: prefix === 'xsb' ? null : t('xs.form.provider_hint') }), field({ id: `${prefix}-code`, label: t('xs.form.code'), hint: t('xs.form.code_hint'), required: true, attrs: { maxlength: '63', autocomplete: 'off' } })),
		h('div', { class: 'btn-row' }, btn),
		result,
	);
	btn.addEventListener('click', async () => {
		const form = block.closest('form');
		clearErrors(form);
		const provider = block.querySelector(`#${prefix}-provider`).value;
		const code = block.querySelector(`#${prefix}-code`).value.trim();
		if (!code) {
			setFieldError(form, `${prefix}-code`, t('err.required')).focus();
			return;
		}
		await busy(btn, async () => {
			try {
				const r = await api('GET', '/fed/share/resource', null, { query: { provider_region: provider, code } });
				result.replaceChildren(h('div', { class: 'card rq-about' }, h('p', null, h('strong', null, t('xs.form.found', { name: r.name, dept: r.department ? r.department.name : '' }))), h('p', null, shareTypeBadge(r.share_type), ' ', data(r.summary || '')), r.share_conditions ? h('p', null, h('strong', null, t('res.conditions'), t('common.colon')), data(r.share_conditions)) : null));
				onFound(r);
			} catch (err) {
				result.replaceChildren();
				onFound(null);
				showErrors(form, err, (f) => (f === 'code' ? `${prefix}-code` : f === 'provider_region' ? `${prefix}-provider` : null));
			}
		});
	});
	return block;
}

async function newRequestView() {
	let nodesInfo;
	try {
		nodesInfo = await fedNodes();
	} catch (e) {
		nodesInfo = { nodes: [], self: null };
	}
	const self = nodesInfo.self ? nodesInfo.self.region : '';
	const others = (nodesInfo.nodes || []).filter((n) => n.status === 'active' && n.region !== self && n.region !== '000000');
	const title = t('xs.form.title');
	if (!others.length) return { title, node: h('div', { class: 'fed-share' }, pageHead(title), dataTabs('fed'), empty(t('xs.form.no_nodes'))) };
	let entry = null;
	let picker = null;
	const details = h('div', { class: 'xs-details' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'xsr-submit' }, t('xs.form.submit'));
	const form = h('form', { class: 'form rq-form', novalidate: true });
	const lookup = lookupBlock(
		'xsr',
		others.map((n) => [n.region, `${n.region_name}（${n.name}）`]),
		(r) => {
			entry = r;
			if (!r) {
				details.replaceChildren();
				return;
			}
			picker = fieldPicker(r.fields || [], 'xsr');
			details.replaceChildren(
				section(t('rq.sec_fields'), picker.node),
				section(
					t('rq.sec_purpose'),
					field({ id: 'xsr-purpose', label: t('xs.form.purpose'), kind: 'textarea', hint: t('xs.form.purpose_hint'), required: true, attrs: { maxlength: '500', rows: 3 } }),
					field({ id: 'xsr-basis', label: t('xs.form.basis'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
					h('div', { class: 'grid-2' }, field({ id: 'xsr-to', label: t('xs.form.valid_to'), type: 'date', value: today(365), required: true }), field({ id: 'xsr-rate', label: t('xs.form.rate'), type: 'number', value: '600', attrs: { min: '1', max: '1000000', inputmode: 'numeric' } })),
				),
				h('div', { class: 'btn-row' }, submit, linkButton('#/data/fed', t('common.cancel'), 'btn btn-secondary')),
			);
		},
	);
	form.append(section(t('xs.col.provider'), lookup), details);
	const ids = { provider_region: 'xsr-provider', resource_code: 'xsr-code', fields: 'xsr-fields', clear_fields: 'xsr-clear_fields', purpose: 'xsr-purpose', legal_basis: 'xsr-basis', valid_to: 'xsr-to', rate_limit: 'xsr-rate' };
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		if (!entry) {
			setFieldError(form, 'xsr-code', t('xs.form.lookup_first')).focus();
			return;
		}
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		let first = null;
		if (!picker.chosen().length) first = setFieldError(form, 'xsr-fields', t('rq.pick_fields'));
		if (!v('xsr-purpose')) first = first || setFieldError(form, 'xsr-purpose', t('err.required'));
		if (!v('xsr-to')) first = first || setFieldError(form, 'xsr-to', t('err.required'));
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		const body = { provider_region: v('xsr-provider'), resource_code: v('xsr-code'), fields: picker.chosen(), clear_fields: picker.clear(), purpose: v('xsr-purpose'), valid_to: v('xsr-to') };
		if (v('xsr-basis')) body.legal_basis = v('xsr-basis');
		const rate = v('xsr-rate');
		if (rate) body.rate_limit = /^\d+$/.test(rate) ? Number(rate) : rate;
		await busy(submit, async () => {
			try {
				const res = await api('POST', '/fed/share/requests', body);
				flash(t('xs.form.sent', { node: providerText(res.provider) }));
				go(`#/data/fed/requests/${res.id}`);
			} catch (err) {
				showErrors(form, err, (f) => ids[f] || (/^fields\[\d+\]$/.test(f) ? 'xsr-fields' : /^clear_fields\[\d+\]$/.test(f) ? 'xsr-clear_fields' : f === 'resource' ? 'xsr-code' : f === 'provider' ? 'xsr-provider' : null));
			}
		});
	});
	return { title, node: h('div', { class: 'fed-share' }, h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/fed' }, t('xs.title')), h('span', { 'aria-hidden': 'true' }, ' / '), title), pageHead(title, { sub: t('xs.form.sub') }), form) };
}

/* ---- the subscription form ---- */

async function newSubscriptionView() {
	const title = t('xs.sub.title');
	let nodesInfo;
	try {
		nodesInfo = await fedNodes();
	} catch (e) {
		nodesInfo = { nodes: [], self: null };
	}
	const self = nodesInfo.self;
	const byRegion = new Map((nodesInfo.nodes || []).map((n) => [n.region, n]));
	const uppers = [];
	for (let p = self && self.parent_region; p && byRegion.has(p) && uppers.length < 5; p = byRegion.get(p).parent_region) if (p !== '000000') uppers.push(byRegion.get(p));
	if (!uppers.length) return { title, node: h('div', { class: 'fed-share' }, pageHead(title), dataTabs('fed'), empty(t('xs.sub.no_parent'))) };
	const children = await api('GET', '/regions', null, { query: { parent: self.region } }).then((r) => r.items || []).catch(() => []);
	const regionList = [{ code: self.region, name: self.region_name }, ...children];
	const regionChecks = h(
		'fieldset',
		{ class: 'field choices', 'aria-describedby': 'xsb-regions-hint xsb-regions-error' },
		h('legend', null, t('xs.sub.regions'), h('span', { class: 'req' }, ' ', t('common.required_mark'))),
		h('p', { class: 'hint', id: 'xsb-regions-hint' }, t('xs.sub.regions_hint')),
		regionList.map((r, i) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `xsb-r-${r.code}`, value: r.code, class: 'xsb-region', checked: i === 0 }), h('label', { for: `xsb-r-${r.code}` }, data(r.name), ' ', h('code', { class: 'muted' }, r.code)))),
		h('input', { type: 'hidden', id: 'xsb-regions' }),
		errorSlot('xsb-regions'),
	);
	let entry = null;
	let picker = null;
	const details = h('div', { class: 'xs-details' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'xsb-submit' }, t('xs.sub.submit'));
	const form = h('form', { class: 'form rq-form', novalidate: true });
	const lookup = lookupBlock(
		'xsb',
		uppers.map((n) => [n.region, `${n.region_name}（${n.name}）`]),
		(r) => {
			entry = r;
			if (!r) {
				details.replaceChildren();
				return;
			}
			picker = fieldPicker(r.fields || [], 'xsb');
			details.replaceChildren(section(t('xs.sub.regions'), regionChecks), section(t('rq.sec_fields'), picker.node, field({ id: 'xsb-purpose', label: t('xs.form.purpose'), kind: 'textarea', hint: t('xs.sub.purpose_hint'), attrs: { maxlength: '500', rows: 2 } })), h('div', { class: 'btn-row' }, submit, linkButton('#/data/fed/subscriptions', t('common.cancel'), 'btn btn-secondary')));
		},
	);
	form.append(section(t('xs.sub.provider'), lookup), details);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		if (!entry) {
			setFieldError(form, 'xsb-code', t('xs.form.lookup_first')).focus();
			return;
		}
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const regions = [...form.querySelectorAll('.xsb-region:checked')].map((x) => x.value);
		let first = null;
		if (!regions.length) first = setFieldError(form, 'xsb-regions', t('err.required'));
		if (!picker.chosen().length) first = first || setFieldError(form, 'xsb-fields', t('rq.pick_fields'));
		if (first) {
			first.focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		const body = { provider_region: v('xsb-provider'), resource_code: v('xsb-code'), regions, fields: picker.chosen(), clear_fields: picker.clear() };
		if (v('xsb-purpose')) body.purpose = v('xsb-purpose');
		await busy(submit, async () => {
			try {
				const res = await api('POST', '/fed/subscriptions', body);
				flash(t('xs.sub.sent', { node: providerText(res.provider) }));
				go(`#/data/fed/subscriptions/${res.id}`);
			} catch (err) {
				showErrors(form, err, (f) => (/^regions/.test(f) ? 'xsb-regions' : /^fields/.test(f) ? 'xsb-fields' : /^clear_fields/.test(f) ? 'xsb-clear_fields' : f === 'resource_code' || f === 'resource' ? 'xsb-code' : f === 'provider_region' || f === 'provider' ? 'xsb-provider' : f === 'purpose' ? 'xsb-purpose' : null));
			}
		});
	});
	return { title, node: h('div', { class: 'fed-share' }, h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/fed/subscriptions' }, t('xs.tab.subscriptions')), h('span', { 'aria-hidden': 'true' }, ' / '), title), pageHead(title, { sub: t('xs.sub.sub') }), form) };
}

/* ---- one request or subscription ---- */

function exchangeForm(r) {
	const result = h('div', { class: 'xs-result', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xse-submit' }, t('xs.ex.submit'));
	const form = h('form', { class: 'form action-form', novalidate: true, id: 'xse-form' }, h('p', { class: 'hint' }, t('xs.ex.hint')), field({ id: 'xse-key', label: t('xs.ex.key'), hint: t('ex.key_hint'), required: true, attrs: { maxlength: '127', autocomplete: 'off' } }), h('div', { class: 'btn-row' }, submit));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const key = form.querySelector('#xse-key').value.trim();
		if (!key) {
			setFieldError(form, 'xse-key', t('err.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				const res = await api('POST', '/fed/share/exchange', { grant: r.id, key });
				result.replaceChildren(h('h3', null, t('xs.ex.result')), h('p', { class: 'hint' }, t('ex.recorded')), rowTable(res.row, t('ex.row_caption')));
				announce(t('xs.ex.found'), 'ok');
			} catch (err) {
				if (err.status === 404) {
					result.replaceChildren(h('p', { class: 'notice' }, t('xs.ex.no_row')));
					announce(t('xs.ex.no_row'), 'info');
				} else {
					result.replaceChildren();
					showErrors(form, err, (f) => (f === 'key' ? 'xse-key' : null));
				}
			}
		});
	});
	return section(t('xs.ex.title'), form, result);
}

async function rowsSection(r) {
	const tbody = h('tbody');
	const row = (x) => h('tr', null, h('td', { 'data-label': t('xs.sync.key') }, h('code', null, x.key)), h('td', { 'data-label': t('xs.sync.seq') }, String(x.seq)), h('td', { 'data-label': t('xs.sync.data') }, data(Object.entries(x.row || {}).map(([k, v]) => `${k}: ${v ?? ''}`).join('；'))));
	const load = (cursor) => api('GET', `/fed/subscriptions/${r.id}/rows`, null, { query: { limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((x) => tbody.append(row(x))));
	try {
		const res = await load(null);
		res.items.forEach((x) => tbody.append(row(x)));
		more.setNext(res.next);
		if (!res.items.length) return section(t('xs.sync.rows_title'), empty(t('xs.never')));
		return section(t('xs.sync.rows_title'), h('table', { class: 'table stack xs-rows' }, h('caption', { class: 'visually-hidden' }, t('xs.sync.rows_caption')), h('thead', null, h('tr', null, [t('xs.sync.key'), t('xs.sync.seq'), t('xs.sync.data')].map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el);
	} catch (e) {
		return section(t('xs.sync.rows_title'), h('p', { class: 'error-text', role: 'alert' }, problemText(e)));
	}
}

async function detailView(params, kind) {
	const sub = kind === 'subscription';
	const r = await api('GET', `${sub ? '/fed/subscriptions' : '/fed/share/requests'}/${params.id}`);
	/* the field labels come from the provider's catalog entry, when it answers */
	const entry = await api('GET', '/fed/share/resource', null, { query: { provider_region: r.provider.region, code: r.resource.code } }).catch(() => null);
	const labels = new Map(((entry && entry.fields) || []).map((f) => [f.name, f.label || f.name]));
	const blocks = [];
	if (r.state === 'pending') blocks.push(h('div', { class: 'card info-card', role: 'note' }, h('p', null, t('xs.detail.waiting'))));
	if (r.state === 'refused' || r.state === 'revoked') blocks.push(h('div', { class: 'card card-attention', role: 'note' }, h('h2', null, t(r.state === 'refused' ? 'xs.detail.refused' : 'xs.detail.revoked')), h('p', null, r.reason ? data(reasonText(r.reason)) : t('common.none'))));
	if (sub) {
		const s = r.sync || {};
		blocks.push(
			section(
				t('xs.sync.title'),
				dl([
					[t('xs.col.state'), stateBadge(r.state)],
					[t('xs.col.cursor'), String(s.cursor ?? 0)],
					[t('xs.col.rows'), h('span', null, t('xs.rows_n', { n: s.rows ?? 0 }), h('span', { class: 'muted' }, ` · ${t('xs.received_n', { n: s.received ?? 0 })}`))],
					[t('xs.col.synced'), s.synced_at ? fmtDateTime(s.synced_at) : t('xs.never')],
					[t('xs.col.error'), s.error ? h('span', { class: 'error-text' }, data(s.error), s.error_at ? ` (${fmtDateTime(s.error_at)})` : '') : t('xs.ok')],
				]),
			),
		);
	} else if (r.state === 'granted') blocks.push(exchangeForm(r));
	const facts = dl([
		[t('req.no_label'), t('xs.no', { id: r.id })],
		[t('xs.col.resource'), h('span', null, data(r.resource.name), h('span', { class: 'case-no' }, ` ${r.resource.code}`))],
		[t('xs.col.provider'), data(providerText(r.provider))],
		[t('xs.col.state'), stateBadge(r.state)],
		[t('xs.detail.requested_by'), r.requested_by ? data(r.requested_by) : null],
		[t('xs.col.submitted'), fmtDateTime(r.submitted_at)],
		[t('xs.detail.decided_at'), r.decided_at ? fmtDateTime(r.decided_at) : null],
		[t('xs.detail.revoked_at'), r.revoked_at ? fmtDateTime(r.revoked_at) : null],
		[t('req.fields'), h('ul', { class: 'tags field-tags' }, (r.fields || []).map((n) => h('li', { class: `tag ${(r.clear_fields || []).includes(n) ? 'tag-clear' : ''}` }, data(labels.get(n) || n), labels.has(n) ? h('span', { class: 'tag-code' }, ` ${n}`) : null, (r.clear_fields || []).includes(n) ? h('span', { class: 'tag-note' }, ` · ${t('share.in_clear')}`) : null)))],
		[t('xs.form.purpose'), data(r.purpose, 'span', { class: 'prose' })],
		[t('xs.form.basis'), r.legal_basis ? data(r.legal_basis, 'span', { class: 'prose' }) : null],
		sub ? [t('xs.col.regions'), data((r.regions || []).join('、'))] : [t('xs.detail.period'), t('grant.valid_range', { from: dayText(r.valid_from), to: dayText(r.valid_to) })],
		sub ? null : [t('req.rate'), r.rate_limit ? t('req.rate_n', { n: r.rate_limit }) : null],
		[t('xs.detail.remote_id'), r.remote_id ? String(r.remote_id) : null],
	].filter(Boolean));
	if (sub && r.state !== 'pending') blocks.push(await rowsSection(r));
	const title = kindLabel(kind);
	return {
		title: `${title} ${r.id}`,
		node: h(
			'div',
			{ class: 'fed-share' },
			h('p', { class: 'breadcrumb' }, h('a', { href: sub ? '#/data/fed/subscriptions' : '#/data/fed' }, t(sub ? 'xs.tab.subscriptions' : 'xs.tab.requests')), h('span', { 'aria-hidden': 'true' }, ' / '), t('xs.no', { id: r.id })),
			pageHead(title, { titleNode: h('span', null, data(r.resource.name)), sub: h('span', null, title, ' · ', data(providerText(r.provider))) }),
			blocks,
			section(t('xs.detail.facts'), facts),
		),
	};
}

export async function render({ view, params, query }) {
	switch (view) {
		case 'new':
			return newRequestView();
		case 'sub_new':
			return newSubscriptionView();
		case 'detail':
			return detailView(params, 'request');
		case 'sub':
			return detailView(params, 'subscription');
		case 'subs':
			return listView(query, 'subscription');
		default:
			return listView(query, 'request');
	}
}

