// fed-catalog.js - 全国政务服务事项检索: searches the catalog of every node
// (scope national: the hub's; local: this node and the nodes below it),
// with each result's region as a badge, its cross-province modes as tags and
// a link to the remote guide (#/fed/services/{region}/{code}).

import { h, data } from '../dom.js';
import { t, tOr, getLang, fmtWorkdays } from '../i18n.js';
import { api } from '../api.js';
import { tx, field, pageHead, pager, empty, problemText, announce } from '../ui.js';
import { CROSS, TYPES, typeLabel, crossLabel, visitsLabel } from '../catalog.js';
import { go, isOfficial } from '../app.js';

const PAGE = 10;

/** "贵州省 · 贵阳市" from an entry's region_path (names in the page's language). */
export function regionBadgeText(path, fallback) {
	const names = (path || []).map((r) => (getLang() === 'en' && r.name_en ? r.name_en : r.name));
	return names.length ? names.join(' · ') : fallback || '';
}

export function remoteGuideHref(region, code) {
	return `#/fed/services/${encodeURIComponent(region)}/${encodeURIComponent(code)}`;
}

function resultCard(e) {
	const service = e.kind === 'service';
	const badge = h('span', { class: 'badge tone-info fedcat-origin', 'data-origin': e.origin.region }, h('span', { class: 'visually-hidden' }, t('fedcat.origin_label')), data(regionBadgeText(e.region_path, e.region_name || e.origin.region_name)));
	const tags = h('ul', { class: 'tags', 'aria-label': t('search.features') });
	if (service) {
		tags.append(h('li', { class: 'tag' }, TYPES.includes(e.item_type) ? typeLabel(e.item_type) : e.item_type));
		if (Number(e.max_visits) === 0) tags.append(h('li', { class: 'tag tag-ok' }, t('visits.zero')));
		for (const c of e.cross_modes || []) tags.append(h('li', { class: 'tag tag-info fedcat-cross' }, crossLabel(c)));
	} else {
		tags.append(h('li', { class: 'tag' }, t('fedcat.kind_resource')));
		tags.append(h('li', { class: 'tag tag-info' }, tOr(`share.type.${e.share_type}`, e.share_type)));
		tags.append(h('li', { class: 'tag' }, tOr(`share.open.${e.open_type}`, e.open_type)));
	}
	/* This node's own items open the local guide (where one can apply). */
	const href = e.local_id ? `#/services/${e.local_id}` : remoteGuideHref(e.origin.region, e.code);
	const title = service ? h('a', { href }, data(e.name)) : data(e.name);
	const meta = [data(e.dept_name)];
	if (service) {
		meta.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', null, t('search.promised', { days: fmtWorkdays(e.promised_days) })));
		meta.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', null, visitsLabel(e.max_visits)));
	} else meta.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', null, tOr(`share.cycle.${e.update_cycle}`, e.update_cycle)));
	return h(
		'li',
		{ class: 'result fedcat-result', dataset: { code: e.code, origin: e.origin.region, kind: e.kind } },
		h('div', { class: 'fedcat-head' }, badge, h('h3', { class: 'result-title' }, title)),
		h('p', { class: 'result-meta' }, ...meta),
		h('p', { class: 'result-meta fedcat-provider' }, ...tx('fedcat.provider', { node: e.origin.node_name || e.origin.region }), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', { class: 'tag-code' }, data(e.code))),
		tags,
	);
}

async function provinces() {
	try {
		const r = await api('GET', '/regions', null, { query: { parent: '000000' } });
		return (r.items || []).map((x) => [x.code, getLang() === 'en' && x.name_en ? x.name_en : x.name]);
	} catch {
		return [];
	}
}

export async function render({ query }) {
	const official = isOfficial();
	const q = {
		q: query.get('q') || '',
		scope: query.get('scope') === 'local' ? 'local' : 'national',
		kind: official ? query.get('kind') || '' : 'service',
		region: query.get('region') || '',
		cross: query.get('cross') || '',
	};
	const regionOptions = await provinces();

	const scopeField = h(
		'fieldset',
		{ class: 'field choices-inline fedcat-scope' },
		h('legend', null, t('fedcat.scope')),
		...['national', 'local'].map((s) =>
			h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'fedcat-scope', id: `fedcat-scope-${s}`, value: s, checked: q.scope === s }), h('label', { for: `fedcat-scope-${s}` }, t(`fedcat.scope_${s}`))),
		),
	);
	const filters = [
		field({ id: 'fedcat-region', label: t('fedcat.region'), kind: 'select', value: q.region, options: [['', t('search.any')], ...regionOptions] }),
		field({ id: 'fedcat-cross', label: t('search.cross'), kind: 'select', value: q.cross, options: [['', t('search.any')], ...CROSS.map((c) => [c, crossLabel(c)])] }),
	];
	if (official)
		filters.unshift(
			field({
				id: 'fedcat-kind',
				label: t('fedcat.kind'),
				kind: 'select',
				value: q.kind,
				options: [['', t('fedcat.kind_all')], ['service', t('fedcat.kind_service')], ['resource', t('fedcat.kind_resource')]],
			}),
		);
	const form = h(
		'form',
		{ class: 'search-form', role: 'search', novalidate: true, 'aria-label': t('fedcat.search_label') },
		h(
			'div',
			{ class: 'search-main' },
			field({ id: 'fedcat-q', label: t('search.keyword'), type: 'search', value: q.q, hint: t('fedcat.keyword_hint'), attrs: { autocomplete: 'off', maxlength: '100' } }),
			h('button', { type: 'submit', class: 'btn btn-primary search-btn', id: 'fedcat-submit' }, t('search.submit')),
		),
		scopeField,
		h('div', { class: 'filter-grid' }, ...filters),
	);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const p = new URLSearchParams();
		const v = (id) => (form.querySelector(`#${id}`) ? form.querySelector(`#${id}`).value.trim() : '');
		if (v('fedcat-q')) p.set('q', v('fedcat-q'));
		if (form.querySelector('#fedcat-scope-local').checked) p.set('scope', 'local');
		for (const [k, id] of [['kind', 'fedcat-kind'], ['region', 'fedcat-region'], ['cross', 'fedcat-cross']]) if (v(id)) p.set(k, v(id));
		const s = p.toString();
		go(s ? `#/national?${s}` : '#/national');
	});

	const list = h('ul', { class: 'results', id: 'fedcat-results' });
	const count = h('p', { class: 'result-count', id: 'result-count' });
	const params = { q: q.q, kind: q.kind, region: q.region, cross: q.cross, scope: q.scope, limit: PAGE };
	const load = (cursor) => api('GET', '/fed/catalog', null, { query: { ...params, cursor } });
	const more = pager(load, (items) => {
		for (const e of items) list.append(resultCard(e));
	});
	let block;
	try {
		const r = await load(null);
		for (const e of r.items) list.append(resultCard(e));
		more.setNext(r.next);
		if (!r.items.length) block = empty(t('fedcat.none'));
		else {
			count.replaceChildren(...(q.q ? tx('fedcat.results_for', { q: q.q }) : [t(q.scope === 'national' ? 'fedcat.all_national' : 'fedcat.all_local')]));
			block = h('div', null, count, list, more.el);
		}
		announce(r.items.length ? t('fedcat.found', { n: r.items.length, more: r.next ? '+' : '' }) : t('fedcat.none'), 'info', { quiet: true });
	} catch (e) {
		block = h('p', { class: 'error-text', role: 'alert', id: 'fedcat-error' }, problemText(e));
	}

	const title = t('fedcat.title');
	const node = h(
		'div',
		{ class: 'home fedcat' },
		h('div', { class: 'hero' }, pageHead(title, { sub: t('fedcat.sub') }), form),
		h('section', { class: 'results-section', 'aria-labelledby': 'fedcat-results-title' }, h('h2', { id: 'fedcat-results-title' }, t(q.scope === 'national' ? 'fedcat.results_national' : 'fedcat.results_local')), block),
	);
	return { title, node };
}
