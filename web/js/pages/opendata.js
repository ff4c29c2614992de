// opendata.js - 数据开放平台 (#/open): search of the open datasets with
// Chinese full-text, a facet sidebar (department, theme, region, format,
// update frequency) whose counts are the API's, active-filter chips, result
// cards and cursor paging; links to the DCAT catalog and developer keys.
// Works without an account. Also the helpers the other portal pages share:
// GETs that read Retry-After on 429, error texts, labels and badges.

import { h, data, hasCJK } from '../dom.js';
import { t, tOr, getLang, fmtDate, deptName } from '../i18n.js';
import { ApiError, session } from '../api.js';
import { tx, field, pageHead, empty, problemText, announce, busy, fieldErrorText, clearErrors, setFieldError, setFormError, linkButton } from '../ui.js';
import { departments } from '../catalog.js';
import { go, hasRole } from '../app.js';

const PAGE = 10;

/* ---- shared by the portal pages ---- */

export const LICENSES = ['CC-BY-4.0', 'CC-BY-SA-4.0', 'CC0-1.0', 'ODC-BY-1.0', 'ODbL-1.0', 'PDDL-1.0'];
export const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'];
const LICENSE_URL = {
	'CC-BY-4.0': 'https://creativecommons.org/licenses/by/4.0/',
	'CC-BY-SA-4.0': 'https://creativecommons.org/licenses/by-sa/4.0/',
	'CC0-1.0': 'https://creativecommons.org/publicdomain/zero/1.0/',
	'ODC-BY-1.0': 'https://opendatacommons.org/licenses/by/1-0/',
	'ODbL-1.0': 'https://opendatacommons.org/licenses/odbl/1-0/',
	'PDDL-1.0': 'https://opendatacommons.org/licenses/pddl/1-0/',
};

export const freqLabel = (f) => tOr(`od.freq.${f}`, f);
export const licenseLabel = (l) => tOr(`od.lic.${l}`, l);
export const licenseUrl = (l) => LICENSE_URL[l] || null;
export const typeLabel = (ty) => tOr(`od.type.${ty}`, ty);

function headers() {
	const hd = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN' };
	const tok = session.token();
	if (tok) hd.Authorization = `Bearer ${tok}`;
	return hd;
}

/**
 * GET /api/v1{path}?query for the public portal API. Like api(), but a 429
 * answer keeps its Retry-After (seconds) in err.retryAfter so the page can
 * say how long to wait. Empty query values are left out; arrays repeat.
 */
export async function odGet(path, query = {}) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(query)) {
		if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
		else if (v !== undefined && v !== null && v !== '') q.set(k, v);
	}
	const s = q.toString();
	let res;
	try {
		res = await fetch(`/api/v1${path}${s ? `?${s}` : ''}`, { headers: headers(), cache: 'no-store' });
	} catch {
		throw new ApiError(0, { type: '/problems/network' });
	}
	if (!res.ok) {
		let problem;
		try {
			problem = await res.json();
		} catch {
			problem = { title: res.statusText, status: res.status };
		}
		const err = new ApiError(res.status, problem);
		const ra = Number(res.headers.get('Retry-After'));
		if (res.status === 429) err.retryAfter = Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : Number(problem.retry_after) || null;
		throw err;
	}
	return res.json();
}

/** An error in the user's words; a 429 says how long to wait. */
export function odErrorText(err) {
	if (err && err.status === 429) return err.retryAfter ? t('od.rate_limited', { n: err.retryAfter }) : t('od.rate_limited_plain');
	if (err && err.errors && err.errors.length) return odFieldText(err.errors[0]);
	return problemText(err);
}

/** One field error, in the portal's own words when it has them. */
export function odFieldText(e) {
	const g = String(e.field || '').replace(/\[\d+\]/g, '[]');
	return tOr(`od.err.${g}.${e.reason}`, null) || fieldErrorText(e);
}

/** An error block for a page part that could not load. */
export function errorBlock(err, id) {
	return h('p', { class: 'error-text', role: 'alert', id }, odErrorText(err));
}

/** showErrors() of ui.js with the portal's error words: each field error
 * next to its control (fieldToId maps an API field to a control id), the
 * rest on top; focuses the first. */
export function showOdErrors(form, err, fieldToId) {
	clearErrors(form);
	const loose = [];
	let first = null;
	const errs = err.errors && err.errors.length ? err.errors : [];
	for (const e of errs) {
		const id = e.field ? fieldToId(e.field) : null;
		const msg = odFieldText(e);
		const ctl = id ? setFieldError(form, id, msg) : null;
		if (ctl) first = first || ctl;
		else loose.push(msg);
	}
	if (!errs.length) loose.push(odErrorText(err));
	if (loose.length) first = first || setFormError(form, loose);
	if (first) first.focus();
	announce(t('common.not_saved'), 'error');
}

/** The quality score as a badge (colour and the number in words). */
export function qualityBadge(score) {
	if (score === undefined || score === null) return null;
	const n = Math.round(Number(score));
	const tone = n >= 80 ? 'ok' : n >= 60 ? 'warn' : 'bad';
	return h('span', { class: `badge tone-${tone} od-quality`, dataset: { score: String(n) } }, t('od.quality', { n }));
}

let regionMap = null;
/** Region codes to names in the page's language: Map(code -> name). */
export async function regionNames() {
	if (!regionMap) {
		regionMap = odGet('/regions')
			.then((r) => new Map((r.items || []).map((x) => [x.code, x])))
			.catch(() => {
				regionMap = null;
				return new Map();
			});
	}
	const m = await regionMap;
	const out = new Map();
	for (const [code, x] of m) out.set(code, getLang() === 'en' && x.name_en ? x.name_en : x.name);
	return out;
}

/** Department names in the page's language by id. */
export async function deptNameMap() {
	try {
		const list = await departments();
		return new Map(list.map((d) => [d.id, deptName(d)]));
	} catch {
		return new Map();
	}
}

export const isDataOfficer = () => hasRole('data_officer');

/** A dataset field's name for the interface: its description (Chinese
 * data) on the Chinese page; on the English page the field name when the
 * description is Chinese, so that controls and captions read in English. */
export function fieldLabel(f) {
	if (!f) return '';
	const d = f.description || '';
	if (!d || (getLang() === 'en' && hasCJK(d))) return f.name;
	return d;
}

/* ---- the search page ---- */

const FACETS = ['dept', 'theme', 'region', 'format', 'update_frequency'];

/** A facet of the API answer as [{value, label, count}] (lists or maps). */
function facetEntries(name, facet, names) {
	if (!facet) return [];
	let out;
	if (Array.isArray(facet)) {
		out = facet.map((x) => {
			const value = String(x.id ?? x.code ?? x.value ?? x.key ?? '');
			return { value, count: Number(x.count) || 0, zh: x.name || value };
		});
	} else out = Object.entries(facet).map(([value, count]) => ({ value, count: Number(count) || 0, zh: value }));
	for (const e of out) {
		if (name === 'dept') e.label = names.dept.get(Number(e.value)) || e.zh;
		else if (name === 'region') e.label = names.region.get(e.value) || e.zh;
		else if (name === 'update_frequency') e.label = freqLabel(e.value);
		else e.label = e.zh; /* theme (data) and format (CSV, JSON) */
	}
	return out;
}

/** The label of a filter value for its chip (when the facet no longer lists it). */
function filterLabel(name, value, names) {
	if (name === 'dept') return names.dept.get(Number(value)) || value;
	if (name === 'region') return names.region.get(value) || value;
	if (name === 'update_frequency') return freqLabel(value);
	return value;
}

function href(params) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
	const s = p.toString();
	return s ? `#/open?${s}` : '#/open';
}

function facetBox(name, entries, current, q) {
	const id = `od-facet-${name}`;
	const list = h('ul', { class: 'od-facet-list' });
	for (const e of entries) {
		const on = current[name] === e.value;
		const next = { ...current, q, [name]: on ? '' : e.value };
		list.append(
			h(
				'li',
				{ dataset: { facet: name, value: e.value } },
				h(
					'a',
					{ href: href(next), class: on ? 'od-facet-on' : undefined, 'aria-current': on ? 'true' : undefined },
					h('span', { class: 'od-facet-label' }, name === 'theme' ? data(e.label) : name === 'dept' || name === 'region' ? data(e.label) : e.label),
					h('span', { class: 'od-count' }, h('span', { class: 'visually-hidden' }, ' · '), String(e.count)),
				),
			),
		);
	}
	return h('section', { class: 'od-facet', 'aria-labelledby': id }, h('h3', { id }, t(`od.facet.${name}`)), entries.length ? list : h('p', { class: 'muted od-facet-empty' }, t('common.none')));
}

function resultCard(d, names) {
	const dept = d.department ? names.dept.get(d.department.id) || d.department.name : '';
	const formats = d.formats || ['CSV', 'JSON'];
	const sep = () => h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ');
	return h(
		'li',
		{ class: 'result od-result', dataset: { id: String(d.id), code: d.code } },
		h('div', { class: 'od-result-head' }, h('h3', { class: 'result-title' }, h('a', { href: `#/open/${d.id}` }, data(d.title))), qualityBadge(d.quality_score)),
		h('p', { class: 'result-meta' }, data(dept), d.theme ? [sep(), data(d.theme)] : null, sep(), h('span', null, freqLabel(d.update_frequency))),
		d.description ? h('p', { class: 'od-result-desc' }, data(d.description)) : null,
		h(
			'ul',
			{ class: 'od-result-stats', 'aria-label': t('od.card_stats') },
			d.row_count !== undefined ? h('li', { class: 'od-rows' }, t('od.rows_n', { n: d.row_count })) : null,
			h('li', { class: 'od-queries' }, t('od.queries_n', { n: d.query_count ?? 0 })),
			h('li', { class: 'od-downloads' }, t('od.downloads_n', { n: d.download_count ?? 0 })),
			d.modified_at ? h('li', null, t('od.modified_on', { date: fmtDate(d.modified_at) })) : null,
		),
		h('ul', { class: 'tags', 'aria-label': t('od.formats') }, formats.map((f) => h('li', { class: 'tag tag-info od-format' }, f))),
	);
}

export async function render({ query }) {
	const q = (query.get('q') || '').trim().slice(0, 100);
	const current = {};
	for (const f of FACETS) current[f] = (query.get(f) || '').slice(0, 100);
	const [dept, region] = await Promise.all([deptNameMap(), regionNames()]);
	const names = { dept, region };

	const form = h(
		'form',
		{ class: 'search-form', role: 'search', novalidate: true, 'aria-label': t('od.search_label') },
		h(
			'div',
			{ class: 'search-main' },
			field({ id: 'od-q', label: t('od.keyword'), type: 'search', value: q, hint: t('od.keyword_hint'), attrs: { autocomplete: 'off', maxlength: '100' } }),
			h('button', { type: 'submit', class: 'btn btn-primary search-btn', id: 'od-search' }, t('od.search')),
		),
	);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		go(href({ ...current, q: form.querySelector('#od-q').value.trim() }));
	});

	const list = h('ul', { class: 'results od-results', id: 'od-results' });
	const count = h('p', { class: 'result-count', id: 'od-total' });
	const params = { q, ...current, limit: PAGE };
	const load = (cursor) => odGet('/datasets', { ...params, cursor });
	let next = null;
	const moreBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'od-more', hidden: true }, t('common.more'));
	const moreMsg = h('p', { class: 'error-text', id: 'od-more-error', hidden: true });
	moreBtn.addEventListener('click', () =>
		busy(moreBtn, async () => {
			try {
				const r = await load(next);
				for (const d of r.items) list.append(resultCard(d, names));
				next = r.next || null;
				moreBtn.hidden = !next;
				moreMsg.hidden = true;
				announce(t('common.loaded_more', { n: r.items.length }), 'info');
			} catch (e) {
				moreMsg.textContent = odErrorText(e);
				moreMsg.hidden = false;
				announce(odErrorText(e), 'error');
			}
		}),
	);

	let block;
	let facets = null;
	try {
		const r = await load(null);
		facets = r.facets || {};
		for (const d of r.items) list.append(resultCard(d, names));
		next = r.next || null;
		moreBtn.hidden = !next;
		const total = r.total ?? r.items.length;
		const filtered = q || FACETS.some((f) => current[f]);
		if (!r.items.length) block = empty(filtered ? t('od.none') : t('od.none_at_all'));
		else {
			count.replaceChildren(...(q ? tx('od.total_for', { q, n: String(total) }) : [t('od.total', { n: total })]));
			count.dataset.total = String(total);
			block = h('div', null, count, list, h('div', { class: 'pager' }, moreBtn), moreMsg);
		}
		announce(r.items.length ? t('od.found', { n: total }) : t('od.none'), 'info', { quiet: true });
	} catch (e) {
		const retry = h('button', { type: 'button', class: 'btn btn-secondary', id: 'od-retry' }, t('od.retry'));
		retry.addEventListener('click', () => go(location.hash || '#/open'));
		block = h('div', null, errorBlock(e, 'od-error'), h('p', null, retry));
	}

	/* the chips of the filters in force, each one removing itself */
	const active = FACETS.filter((f) => current[f]);
	const chips = active.length
		? h(
				'div',
				{ class: 'od-chips', id: 'od-chips' },
				h('p', { class: 'od-chips-title', id: 'od-chips-title' }, t('od.active_filters')),
				h(
					'ul',
					{ 'aria-labelledby': 'od-chips-title' },
					active.map((f) =>
						h(
							'li',
							{ dataset: { facet: f } },
							h(
								'a',
								{ class: 'od-chip', href: href({ ...current, q, [f]: '' }) },
								h('span', { class: 'od-chip-name' }, t(`od.facet.${f}`), t('common.colon')),
								data(filterLabel(f, current[f], names)),
								h('span', { class: 'visually-hidden' }, ` (${t('od.remove_filter')})`),
								h('span', { class: 'od-chip-x', 'aria-hidden': 'true' }, ' ×'),
							),
						),
					),
					h('li', null, h('a', { href: href({ q }), class: 'od-chip-clear', id: 'od-clear' }, t('od.clear_all'))),
				),
			)
		: null;

	const side = facets
		? h(
				'aside',
				{ class: 'od-facets', id: 'od-facets', 'aria-labelledby': 'od-facets-title' },
				h('h2', { id: 'od-facets-title' }, t('od.filters')),
				FACETS.map((f) => facetBox(f, facetEntries(f, facets[f], names), current, q)),
			)
		: null;

	const links = h(
		'div',
		{ class: 'od-links' },
		h('a', { href: '/api/v1/dcat/catalog', id: 'od-dcat', class: 'od-link', type: 'application/ld+json' }, t('od.dcat'), h('span', { class: 'od-link-hint' }, ` · ${t('od.dcat_hint')}`)),
		h('a', { href: '#/me/api-keys', id: 'od-devkeys', class: 'od-link' }, t('od.devkeys')),
	);
	const title = t('od.title');
	const node = h(
		'div',
		{ class: 'home opendata' },
		h('div', { class: 'hero' }, pageHead(title, { sub: t('od.sub'), actions: isDataOfficer() ? linkButton('#/open/publish', t('od.publish'), 'btn btn-secondary od-publish-link') : null }), form, links),
		h('div', { class: side ? 'od-layout' : 'od-layout od-layout-single' }, side, h('section', { class: 'results-section od-main', 'aria-labelledby': 'od-results-title' }, h('h2', { id: 'od-results-title' }, t('od.results')), chips, block)),
	);
	return { title, node };
}
