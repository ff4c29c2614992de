// home.js - 办事大厅: search the catalog (Chinese full text) with filters
// (department, type, online depth, cross-province), results paged by cursor.

import { h, data } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { tx, field, pageHead, pager, empty, problemText, announce } from '../ui.js';
import { departments, deptNames, TYPES, CROSS, typeLabel, crossLabel, visitsLabel } from '../catalog.js';
import { go } from '../app.js';
import { fmtWorkdays } from '../i18n.js';

const PAGE = 10;

function resultCard(it, names) {
	const dept = names.get(it.department.id) || it.department.name;
	const badges = h('ul', { class: 'tags', 'aria-label': t('search.features') });
	badges.append(h('li', { class: 'tag' }, typeLabel(it.type)));
	if (Number(it.max_visits) === 0) badges.append(h('li', { class: 'tag tag-ok' }, t('visits.zero')));
	for (const c of it.cross_modes || []) badges.append(h('li', { class: 'tag tag-info' }, crossLabel(c)));
	if (it.depth >= 3) badges.append(h('li', { class: 'tag tag-info' }, t('search.online_apply')));
	return h(
		'li',
		{ class: 'result' },
		h('h3', { class: 'result-title' }, h('a', { href: `#/services/${it.id}` }, data(it.name))),
		h('p', { class: 'result-meta' }, data(dept), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', null, t('search.promised', { days: fmtWorkdays(it.promised_days) })), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', null, visitsLabel(it.max_visits))),
		badges,
	);
}

export async function render({ query }) {
	const q = {
		q: query.get('q') || '',
		dept: query.get('dept') || '',
		type: query.get('type') || '',
		depth: query.get('depth') || '',
		cross: query.get('cross') || '',
	};
	const searched = Object.values(q).some(Boolean);
	let deptList = [];
	try {
		deptList = await departments();
	} catch {
		/* the filter shows "all" only */
	}
	const names = await deptNames();

	const form = h(
		'form',
		{ class: 'search-form', role: 'search', novalidate: true, 'aria-label': t('search.label') },
		h(
			'div',
			{ class: 'search-main' },
			field({ id: 'search-q', label: t('search.keyword'), type: 'search', value: q.q, hint: t('search.keyword_hint'), attrs: { autocomplete: 'off', maxlength: '100' } }),
			h('button', { type: 'submit', class: 'btn btn-primary search-btn' }, t('search.submit')),
		),
		h(
			'p',
			{ class: 'popular' },
			h('span', { id: 'popular-label' }, t('search.popular')),
			' ',
			h('span', { class: 'popular-links' }, ['失业', '营业执照', '社会保障卡', '婚姻'].map((w) => h('a', { href: `#/?q=${encodeURIComponent(w)}`, 'aria-describedby': 'popular-label' }, data(w)))),
		),
		h(
			'details',
			{ class: 'filters', open: q.dept || q.type || q.depth || q.cross ? true : undefined },
			h('summary', null, t('search.filters')),
			h(
				'div',
				{ class: 'filter-grid' },
				field({ id: 'search-dept', label: t('search.dept'), kind: 'select', value: q.dept, options: [['', t('search.any')], ...deptList.map((d) => [String(d.id), names.get(d.id) || d.name])] }),
				field({ id: 'search-type', label: t('search.type'), kind: 'select', value: q.type, options: [['', t('search.any')], ...TYPES.map((c) => [c, typeLabel(c)])] }),
				field({
					id: 'search-depth',
					label: t('search.depth'),
					kind: 'select',
					value: q.depth,
					options: [['', t('search.any')], ['4', t('search.depth4')], ['5', t('search.depth5')], ['6', t('search.depth6')], ['7', t('search.depth7')]],
				}),
				field({ id: 'search-cross', label: t('search.cross'), kind: 'select', value: q.cross, options: [['', t('search.any')], ...CROSS.map((c) => [c, crossLabel(c)])] }),
			),
		),
	);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const p = new URLSearchParams();
		for (const [k, id] of [['q', 'search-q'], ['dept', 'search-dept'], ['type', 'search-type'], ['depth', 'search-depth'], ['cross', 'search-cross']]) {
			const v = form.querySelector(`#${id}`).value.trim();
			if (v) p.set(k, v);
		}
		const s = p.toString();
		go(s ? `#/?${s}` : '#/');
	});

	const list = h('ul', { class: 'results' });
	const count = h('p', { class: 'result-count', id: 'result-count' });
	const load = (cursor) => api('GET', '/services', null, { query: { ...q, limit: PAGE, cursor } });
	const more = pager(load, (items) => {
		for (const it of items) list.append(resultCard(it, names));
	});
	let resultsBlock;
	try {
		const r = await load(null);
		for (const it of r.items) list.append(resultCard(it, names));
		more.setNext(r.next);
		if (!r.items.length) resultsBlock = empty(searched ? t('search.none') : t('search.catalog_empty'));
		else {
			count.replaceChildren(...(searched ? (q.q ? tx('search.results_for', { q: q.q }) : [t('search.filtered')]) : [t('search.all_items')]));
			resultsBlock = h('div', null, count, list, more.el);
		}
		if (searched) announce(r.items.length ? t('search.found', { n: r.items.length, more: r.next ? '+' : '' }) : t('search.none'), 'info', { quiet: true });
	} catch (e) {
		resultsBlock = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}

	const title = t('home.title');
	const node = h(
		'div',
		{ class: 'home' },
		h('div', { class: 'hero' }, pageHead(title, { sub: t('home.sub') }), form),
		h('section', { class: 'results-section', 'aria-labelledby': 'results-title' }, h('h2', { id: 'results-title' }, searched ? t('search.results') : t('home.browse')), resultsBlock),
		h(
			'section',
			{ class: 'card tips', 'aria-labelledby': 'tips-title' },
			h('h2', { id: 'tips-title' }, t('home.how_title')),
			h('ol', { class: 'steps' }, h('li', null, t('home.how1')), h('li', null, t('home.how2')), h('li', null, t('home.how3')), h('li', null, t('home.how4'))),
		),
	);
	return { title, node };
}
