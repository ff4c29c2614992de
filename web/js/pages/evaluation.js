// evaluation.js - 政务服务能力评估 (public): the ranking of the regions under
// a parent region for a period (table, bar chart of the composite index in
// grade colours with the bands' legend), the relation of the index to an
// imported economic indicator (scatter with the fitted line, outliers
// labelled, correlations), the trend over the last periods, and one
// region's breakdown (radar of the five indicators, sub-measures,
// departments, guide checks that fail, required items not published,
// trend). The charts come from
// charts.js (ECharts, loaded only here); every figure is also in a table.

import { h, data } from '../dom.js';
import { t, tOr, getLang, fmtDate } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { pageHead, section, empty, problemText, linkButton, field } from '../ui.js';
import { go } from '../app.js';
import { chartFigure, base, axisText, GRADE_COLOURS, SERIES_COLOURS } from '../charts.js';
import { periodKind, periodLabel, periodPicker, noteCurrent, num } from '../periods.js';

export const INDICATORS = ['coverage', 'guide', 'maturity', 'channels', 'effectiveness'];
export const GRADES = ['very_high', 'high', 'medium', 'low'];

/* ---- small pieces ---- */

let regionsP = null;
/** Map code -> {code, name, name_en, parent} of all regions. */
function allRegions() {
	if (!regionsP) {
		regionsP = api('GET', '/regions')
			.then((r) => new Map((r.items || []).map((x) => [x.code, x])))
			.catch(() => {
				regionsP = null;
				return new Map();
			});
	}
	return regionsP;
}

/** A region's (or department's) name in the interface language. */
export function nameOf(x) {
	if (!x) return '';
	return getLang() === 'en' && x.name_en ? x.name_en : x.name || x.code || '';
}

/** "—" for a value that could not be computed, with its meaning for screen readers. */
export function absent() {
	return h('span', { class: 'absent', title: t('ev.absent_sr') }, h('span', { 'aria-hidden': 'true' }, t('ev.absent')), h('span', { class: 'visually-hidden' }, t('ev.absent_sr')));
}

export function score(v, d = 2) {
	const s = num(v, d);
	return s === null ? absent() : h('span', { class: 'num' }, s);
}

export function gradeBadge(g) {
	if (!g) return absent();
	return h('span', { class: `badge grade grade-${g}` }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), t(`ev.grade.${g}`));
}

function changeView(c) {
	if (c === null || c === undefined) return h('span', { class: 'change' }, absent(), h('span', { class: 'visually-hidden' }, ` ${t('ev.change_none')}`));
	const n = num(Math.abs(c));
	if (Number(c) > 0) return h('span', { class: 'change change-up' }, h('span', { 'aria-hidden': 'true' }, `↑ ${n}`), h('span', { class: 'visually-hidden' }, t('ev.change_up', { n })));
	if (Number(c) < 0) return h('span', { class: 'change change-down' }, h('span', { 'aria-hidden': 'true' }, `↓ ${n}`), h('span', { class: 'visually-hidden' }, t('ev.change_down', { n })));
	return h('span', { class: 'change' }, t('ev.change_same'));
}

const indScore = (r, k) => (r.indicators && r.indicators[k] ? r.indicators[k].score : null);

function td(label, ...children) {
	return h('td', { 'data-label': label }, ...children);
}

function bandText(bands, i) {
	const b = bands[i];
	if (i === 0) return t('ev.band_range', { min: b.min });
	return t('ev.band_range_to', { min: b.min, max: bands[i - 1].min });
}

/** The legend of the grade bands (colour swatch and word). */
function bandsLegend(bands) {
	const sorted = [...(bands || [])].sort((a, b) => b.min - a.min);
	return h(
		'div',
		{ class: 'bands' },
		h('span', { class: 'bands-title' }, t('ev.bands'), t('common.colon')),
		h('ul', { class: 'bands-list' }, sorted.map((b, i) => h('li', null, gradeBadge(b.grade), ' ', h('span', { class: 'band-range' }, bandText(sorted, i))))),
	);
}

function errorBox(e) {
	return h('p', { class: 'error-text', role: 'alert' }, problemText(e));
}

/* ---- the ranking ---- */

function rankingTable(regions, caption, period) {
	const head = [t('ev.col.rank'), t('ev.col.region'), t('ev.col.composite'), t('ev.col.grade'), ...INDICATORS.map((k) => t(`ev.ind.${k}`)), t('ev.col.change')];
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack ranking-table', id: 'ev-ranking' },
			h('caption', { class: 'visually-hidden' }, caption),
			h('thead', null, h('tr', null, head.map((x, i) => h('th', { scope: 'col', class: i >= 4 && i < 9 ? 'ind-col' : undefined }, x)))),
			h(
				'tbody',
				null,
				regions.map((r) =>
					h(
						'tr',
						{ dataset: { code: r.code } },
						td(head[0], r.rank ? t('ev.rank_of', { rank: r.rank, of: r.of }) : absent()),
						td(head[1], h('a', { href: `#/evaluation/regions/${r.code}?period=${encodeURIComponent(period)}`, class: 'region-link' }, data(nameOf(r)))),
						td(head[2], h('strong', null, score(r.composite))),
						td(head[3], gradeBadge(r.grade)),
						INDICATORS.map((k, i) => td(head[4 + i], score(indScore(r, k)))),
						td(head[9], changeView(r.change)),
					),
				),
			),
		),
	);
}

function barOption(regions, bands) {
	const names = regions.map((r) => nameOf(r));
	const many = regions.length > 6;
	return base({
		grid: { left: 48, right: 16, top: 24, bottom: many ? 90 : 40 },
		tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
		xAxis: { type: 'category', data: names, axisLabel: { ...axisText, interval: 0, rotate: many ? 35 : 0 } },
		yAxis: { type: 'value', min: 0, max: 100, axisLabel: axisText },
		series: [
			{
				type: 'bar',
				name: t('ev.col.composite'),
				barMaxWidth: 48,
				data: regions.map((r) => ({ value: r.composite === null ? '-' : r.composite, itemStyle: { color: GRADE_COLOURS[r.grade] || '#8a939e' } })),
				label: { show: true, position: 'top', color: '#1b1f24', formatter: (p) => (p.value === '-' ? '' : num(p.value, 1)) },
				markLine: {
					silent: true,
					symbol: 'none',
					lineStyle: { type: 'dashed', color: '#4d5560' },
					label: { position: 'insideEndTop', color: '#4d5560', formatter: (p) => t(`ev.grade.${p.data.grade}`) },
					data: (bands || []).filter((b) => b.min > 0).map((b) => ({ yAxis: b.min, grade: b.grade })),
				},
			},
		],
	});
}

/* ---- the analysis ---- */

/** An external indicator's name: known ones translated, others as imported. */
const indLabel = (name) => tOr(`ev.extind.${name}`, name);

function scatterOption(a, indName, byCode) {
	const above = new Set(a.above || []);
	const below = new Set(a.below || []);
	const pts = a.points || [];
	const xs = pts.map((p) => p.x).filter((x) => x > 0);
	const lo = Math.min(...xs);
	const hi = Math.max(...xs);
	/* the fitted curve y = a + b ln x, drawn on a plain axis */
	const curve = [];
	for (let i = 0; xs.length && i <= 40; i++) {
		const x = lo + ((hi - lo) * i) / 40;
		curve.push([x, a.fit.a + a.fit.b * Math.log(x)]);
	}
	const colour = (c) => (above.has(c) ? '#17602f' : below.has(c) ? '#a1161b' : '#0b57a4');
	const label = (p) => nameOf(byCode.get(p.code)) || p.name;
	return base({
		grid: { left: 56, right: 32, top: 40, bottom: 56 },
		tooltip: { trigger: 'item' },
		legend: { top: 0, textStyle: axisText, data: [t('ev.series.regions'), t('ev.series.fit')] },
		xAxis: { type: 'value', name: indName, nameLocation: 'middle', nameGap: 30, axisLabel: axisText, nameTextStyle: axisText, scale: true },
		yAxis: { type: 'value', name: t('ev.axis.composite'), axisLabel: axisText, nameTextStyle: axisText, scale: true },
		series: [
			{
				type: 'scatter',
				name: t('ev.series.regions'),
				symbolSize: 11,
				itemStyle: { color: '#0b57a4' },
				data: pts.map((p) => ({
					value: [p.x, p.y],
					name: label(p),
					code: p.code,
					itemStyle: { color: colour(p.code) },
					label: above.has(p.code) || below.has(p.code) ? { show: true, formatter: label(p), position: above.has(p.code) ? 'top' : 'bottom', color: colour(p.code), fontWeight: 'bold' } : { show: false },
				})),
			},
			{ type: 'line', name: t('ev.series.fit'), showSymbol: false, smooth: false, data: curve, lineStyle: { color: '#4d5560', type: 'dashed', width: 2 }, itemStyle: { color: '#4d5560' } },
		],
	});
}

function outlierList(a, key, cls, byCode) {
	const codes = a[key] || [];
	const pts = new Map((a.points || []).map((p) => [p.code, p]));
	return h(
		'div',
		{ class: `outliers ${cls}` },
		h('h3', null, t(`ev.${key}`)),
		codes.length
			? h(
					'ol',
					{ id: `ev-${key}` },
					codes.map((c) => {
						const p = pts.get(c) || { name: c };
						return h('li', { dataset: { code: c } }, ...[data(nameOf(byCode.get(c)) || p.name), ' ', h('span', { class: 'muted' }, `(${num(p.residual)})`)]);
					}),
				)
			: h('p', { class: 'muted' }, t('ev.none')),
	);
}

async function analysisSection(period, parent, byCode, query) {
	let inds;
	try {
		inds = (await api('GET', '/evaluation/indicators')).indicators || [];
	} catch (e) {
		return section(t('ev.analysis'), errorBox(e));
	}
	if (!inds.length) return section(t('ev.analysis'), h('p', { class: 'muted', id: 'ev-no-indicators' }, t('ev.no_indicators')));
	const want = query.get('indicator');
	const ind = inds.some((x) => x.name === want) ? want : (inds.find((x) => x.name === 'gdp_per_capita') || inds[0]).name;
	const picker = h(
		'form',
		{ class: 'filter-bar ev-ind-filter no-print', novalidate: true, 'aria-label': t('ev.indicator') },
		field({ id: 'ev-indicator', label: t('ev.indicator'), kind: 'select', value: ind, options: inds.map((x) => [x.name, t('ev.indicator_opt', { name: indLabel(x.name), n: x.regions })]) }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('ev.show'))),
	);
	picker.addEventListener('submit', (e) => {
		e.preventDefault();
		const q = new URLSearchParams(query);
		q.set('indicator', picker.querySelector('#ev-indicator').value);
		go(`#/evaluation?${q}`);
	});
	let body;
	try {
		const a = await api('GET', '/evaluation/analysis', null, { query: { period, indicator: ind, parent } });
		const stats = h(
			'dl',
			{ class: 'stats', id: 'ev-stats' },
			[
				[t('ev.n'), String(a.n)],
				[t('ev.pearson'), num(a.pearson, 3)],
				[t('ev.spearman'), num(a.spearman, 3)],
				[t('ev.r2'), num(a.fit && a.fit.r2, 3)],
			].map(([k, v]) => h('div', { class: 'stat' }, h('dt', null, k), h('dd', null, v === null ? absent() : v))),
		);
		const eq = a.fit ? h('p', { class: 'fit-eq' }, t('ev.fit'), t('common.colon'), t('ev.fit_eq', { a: num(a.fit.a, 3), b: num(a.fit.b, 3) })) : null;
		body = h(
			'div',
			null,
			stats,
			eq,
			chartFigure({ id: 'ev-scatter', cls: 'chart-scatter', caption: t('ev.analysis'), desc: t('ev.scatter_desc', { indicator: indLabel(ind) }), option: () => scatterOption(a, indLabel(ind), byCode) }),
			h('div', { class: 'grid-2 outlier-lists' }, outlierList(a, 'above', 'outliers-above', byCode), outlierList(a, 'below', 'outliers-below', byCode)),
		);
	} catch (e) {
		const few = e instanceof ApiError && e.errors.some((x) => x.reason === 'too_few_regions');
		body = few ? h('p', { class: 'notice', id: 'ev-too-few' }, t('ev.too_few')) : errorBox(e);
	}
	return section(t('ev.analysis'), h('p', { class: 'hint' }, t('ev.analysis_sub')), picker, body);
}

/* ---- the trend ---- */

function trendOption(periods, series) {
	return base({
		grid: { left: 48, right: 24, top: series.length > 4 ? 64 : 40, bottom: 36 },
		tooltip: { trigger: 'axis' },
		legend: { type: 'scroll', top: 0, textStyle: axisText },
		xAxis: { type: 'category', data: periods.map(periodLabel), axisLabel: axisText, boundaryGap: false },
		yAxis: { type: 'value', min: 0, max: 100, axisLabel: axisText },
		series: series.map((s, i) => ({ type: 'line', name: s.name, data: s.values.map((v) => (v === null ? '-' : v)), connectNulls: false, symbolSize: 7, lineStyle: { width: 2, color: SERIES_COLOURS[i % SERIES_COLOURS.length] }, itemStyle: { color: SERIES_COLOURS[i % SERIES_COLOURS.length] } })),
	});
}

async function trendSection(kind, parent, byCode, parentName) {
	let tr;
	try {
		tr = await api('GET', '/evaluation/trend', null, { query: { kind, count: 6, parent } });
	} catch (e) {
		return section(t('ev.trend'), errorBox(e));
	}
	const regions = tr.regions || [];
	if (!regions.length || !(tr.periods || []).length) return section(t('ev.trend'), h('p', { class: 'muted' }, t('ev.trend_none')));
	const series = regions.map((r) => ({ name: nameOf(byCode.get(r.code)) || r.name, values: r.composite }));
	return section(t('ev.trend'), chartFigure({ id: 'ev-trend', caption: [data(parentName), ' · ', t(`period.kind.${kind}`)], desc: t('ev.trend_desc', { n: tr.periods.length, kind: t(`period.kind.${kind}`) }), option: () => trendOption(tr.periods, series) }));
}

/* ---- the dashboard ---- */

function tabs(current) {
	return h(
		'nav',
		{ class: 'tabs no-print', 'aria-label': t('ev.tabs') },
		h(
			'ul',
			null,
			[
				['#/evaluation', 'ranking'],
				['#/quality', 'quality'],
			].map(([href, k]) => h('li', null, h('a', { href, 'aria-current': k === current ? 'page' : undefined }, t(`ev.tab.${k}`)))),
		),
	);
}
export { tabs as evaluationTabs };

function printButton() {
	const b = h('button', { type: 'button', class: 'btn btn-secondary', id: 'ev-print' }, t('ev.print'));
	b.addEventListener('click', () => window.print());
	return b;
}

/** The parents to offer: regions that have evaluated children, most children first. */
function parentsOf(all) {
	const count = new Map();
	for (const r of all) if (r.parent) count.set(r.parent, (count.get(r.parent) || 0) + 1);
	return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code]) => code);
}

async function dashboard(query) {
	const qp = query.get('period');
	const period = periodKind(qp) ? qp : undefined;
	const title = t('ev.title');
	const [all, regionsMap] = await Promise.all([api('GET', '/evaluation', null, { query: { period } }), allRegions()]);
	if (!period) noteCurrent(all.period);
	const P = all.period;
	const parents = parentsOf(all.regions || []);
	const parent = parents.includes(query.get('parent')) ? query.get('parent') : parents[0];
	const byCode = new Map(regionsMap);
	for (const r of all.regions || []) byCode.set(r.code, { ...byCode.get(r.code), ...r });
	const parentName = (c) => nameOf(byCode.get(c)) || c;

	const pp = periodPicker('ev', P);
	const filter = h(
		'form',
		{ class: 'filter-bar ev-filter no-print', novalidate: true, 'aria-label': t('ev.filter') },
		...pp.nodes,
		parents.length ? field({ id: 'ev-parent', label: t('ev.parent'), kind: 'select', value: parent, options: parents.map((c) => [c, parentName(c)]) }) : null,
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'ev-show' }, t('ev.show'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const q = new URLSearchParams({ period: pp.value() });
		const par = filter.querySelector('#ev-parent');
		if (par) q.set('parent', par.value);
		go(`#/evaluation?${q}`);
	});

	const head = pageHead(title, { sub: t('ev.sub'), actions: printButton() });
	const periodLine = h('p', { class: 'period-line', id: 'ev-period-line' }, t('ev.period_line', { period: periodLabel(P), range: t('period.range', { from: fmtDate(all.from), to: fmtDate(all.to) }), previous: periodLabel(all.previous) }));
	if (!parent) return { title, node: h('div', { class: 'evaluation' }, tabs('ranking'), head, filter, periodLine, empty(t('ev.no_regions'))) };

	const [ranked, analysis, trend] = await Promise.all([
		api('GET', '/evaluation', null, { query: { period: P, parent } }),
		analysisSection(P, parent, byCode, query),
		trendSection(periodKind(P), parent, byCode, parentName(parent)),
	]);
	const regions = ranked.regions || [];
	const caption = t('ev.ranking_caption', { parent: parentName(parent), period: periodLabel(P) });
	const weights = Object.entries(all.weights || {}).map(([k, w]) => `${t(`ev.ind.${k}`)} ${w}`).join(t('common.list_sep'));
	const hasAbsent = regions.some((r) => r.composite === null || (r.absent && r.absent.length));
	const ranking = section(
		t('ev.ranking'),
		h('p', { class: 'hint' }, caption),
		regions.length ? rankingTable(regions, caption, P) : empty(t('ev.no_regions')),
		h('p', { class: 'hint absent-note', id: 'ev-absent-note' }, hasAbsent ? t('ev.absent_explain') : null, hasAbsent ? ' ' : null, weights ? t('ev.weights', { list: weights }) : null),
	);
	const bars = regions.length
		? section(t('ev.chart_bar'), chartFigure({ id: 'ev-bars', caption: caption, desc: t('ev.chart_bar_desc'), option: () => barOption(regions, ranked.bands || all.bands), note: bandsLegend(ranked.bands || all.bands) }))
		: null;
	return {
		title,
		node: h('div', { class: 'evaluation' }, tabs('ranking'), head, filter, periodLine, ranking, bars, analysis, trend),
	};
}

/* ---- one region ---- */

function radarOption(r) {
	const vals = INDICATORS.map((k) => indScore(r, k));
	return base({
		tooltip: { trigger: 'item' },
		radar: {
			radius: '66%',
			indicator: INDICATORS.map((k) => ({ name: t(`ev.ind.${k}`), max: 100, min: 0 })),
			axisName: { color: '#1b1f24', fontSize: 13 },
			splitLine: { lineStyle: { color: '#d5dae0' } },
			splitArea: { areaStyle: { color: ['#ffffff', '#f3f5f8'] } },
		},
		series: [{ type: 'radar', name: nameOf(r), data: [{ value: vals.map((v) => (v === null ? 0 : v)), name: nameOf(r), areaStyle: { color: 'rgba(11, 87, 164, 0.25)' }, lineStyle: { color: '#0b57a4', width: 2 }, itemStyle: { color: '#0b57a4' } }] }],
	});
}

function measuresTable(r) {
	const rows = [];
	for (const k of INDICATORS) {
		const ind = (r.indicators && r.indicators[k]) || { score: null, measures: {} };
		rows.push(h('tr', { class: 'ind-row' }, h('th', { scope: 'row' }, t(`ev.ind.${k}`)), h('td', { class: 'num-cell' }, h('strong', null, score(ind.score)))));
		for (const [m, v] of Object.entries(ind.measures || {})) rows.push(h('tr', { class: 'measure-row' }, h('td', { class: 'measure-name' }, t(`ev.m.${m}`)), h('td', { class: 'num-cell' }, score(v))));
	}
	return h('table', { class: 'table measures-table', id: 'ev-measures' }, h('caption', { class: 'visually-hidden' }, t('ev.breakdown')), h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('ev.col.measure')), h('th', { scope: 'col', class: 'num-cell' }, t('ev.col.score')))), h('tbody', null, rows));
}

function deptTable(depts) {
	const head = [t('ev.col.dept'), t('ev.col.composite'), t('ev.col.grade'), ...INDICATORS.map((k) => t(`ev.ind.${k}`))];
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack', id: 'ev-depts' },
			h('caption', { class: 'visually-hidden' }, t('ev.departments')),
			h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
			h('tbody', null, depts.map((d) => h('tr', null, td(head[0], data(nameOf(d))), td(head[1], h('strong', null, score(d.composite))), td(head[2], gradeBadge(d.grade)), INDICATORS.map((k, i) => td(head[3 + i], score(indScore(d, k))))))),
		),
	);
}

function failuresTable(list, deptNames) {
	const head = [t('ev.col.item'), t('ev.col.dept'), t('ev.col.checks')];
	return h(
		'table',
		{ class: 'table stack', id: 'ev-failures' },
		h('caption', { class: 'visually-hidden' }, t('ev.failures')),
		h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
		h(
			'tbody',
			null,
			list.map((f) =>
				h(
					'tr',
					null,
					td(head[0], h('a', { href: `#/services/${f.item_id}` }, data(f.name)), h('br'), h('span', { class: 'case-no' }, f.code)),
					td(head[1], data(deptNames.get(f.dept) || f.dept)),
					td(head[2], h('ul', { class: 'checks' }, (f.checks || []).map((c) => h('li', { dataset: { check: c } }, t(`ev.check.${c}`))))),
				),
			),
		),
	);
}

function missingTable(list, regionsMap) {
	const head = [t('ev.col.code'), t('ev.col.item'), t('ev.col.region')];
	return h(
		'table',
		{ class: 'table stack', id: 'ev-missing' },
		h('caption', { class: 'visually-hidden' }, t('ev.missing')),
		h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
		h(
			'tbody',
			null,
			list.map((m) =>
				h(
					'tr',
					null,
					td(head[0], h('span', { class: 'case-no' }, m.code)),
					td(head[1], data(m.name)),
					td(head[2], data(nameOf(regionsMap.get(m.region_code)) || m.region_code), ' ', h('span', { class: 'case-no' }, m.region_code)),
				),
			),
		),
	);
}

/** The required items of the subtree that nothing published covers. */
function missingSection(r, regionsMap) {
	const list = r.missing_items || [];
	const total = r.missing_total ?? list.length;
	if (total === 0) {
		const noList = r.indicators?.coverage?.measures?.published === null;
		return section(t('ev.missing'), h('p', { class: 'muted', id: 'ev-no-missing' }, t(noList ? 'ev.no_required' : 'ev.no_missing')));
	}
	return section(
		t('ev.missing'),
		h('p', { class: 'hint', id: 'ev-missing-total', dataset: { total: String(total) } }, t('ev.missing_sub', { total }), list.length < total ? [' ', t('ev.missing_more', { shown: list.length })] : null),
		h('div', { class: 'table-wrap' }, missingTable(list, regionsMap)),
	);
}

function trendTable(trend) {
	const head = [t('ev.col.period'), t('ev.col.composite'), t('ev.col.rank')];
	return h(
		'table',
		{ class: 'table trend-table', id: 'ev-region-trend' },
		h('caption', { class: 'visually-hidden' }, t('ev.region_trend')),
		h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
		h('tbody', null, trend.map((p) => h('tr', null, h('td', null, periodLabel(p.period)), h('td', null, score(p.composite)), h('td', null, p.rank ? String(p.rank) : absent())))),
	);
}

async function regionView(params, query) {
	const qp = query.get('period');
	const period = periodKind(qp) ? qp : undefined;
	let r;
	let regionsMap;
	try {
		[r, regionsMap] = await Promise.all([api('GET', `/evaluation/regions/${encodeURIComponent(params.code)}`, null, { query: { period } }), allRegions()]);
	} catch (e) {
		if (e instanceof ApiError && e.status === 404) {
			const title = t('notfound.title');
			return { title, node: h('div', null, pageHead(title), h('p', null, t('notfound.text')), linkButton('#/evaluation', t('ev.back'), 'btn btn-secondary')) };
		}
		throw e;
	}
	const P = r.period || period;
	const name = nameOf(r);
	const parentName = nameOf(regionsMap.get(r.parent)) || r.parent || '';
	const title = t('ev.detail_title', { name });
	const back = `#/evaluation?period=${encodeURIComponent(P)}${r.parent ? `&parent=${r.parent}` : ''}`;
	const deptNames = new Map();
	for (const d of r.departments || []) deptNames.set(d.id, nameOf(d));
	const absentNames = (r.absent || []).map((k) => t(`ev.ind.${k}`)).join(t('common.list_sep'));
	const summary = h(
		'section',
		{ class: 'card ev-summary', 'aria-labelledby': 'ev-summary-title' },
		h('h2', { id: 'ev-summary-title' }, t('ev.summary'), ' · ', periodLabel(P)),
		h(
			'div',
			{ class: 'summary-grid' },
			h('div', { class: 'big-score' }, h('span', { class: 'big-label' }, t('ev.col.composite')), h('span', { class: 'big-value', id: 'ev-composite' }, r.composite === null ? absent() : num(r.composite)), gradeBadge(r.grade)),
			h(
				'div',
				null,
				r.rank ? h('p', { id: 'ev-rank' }, t('ev.rank_text', { rank: r.rank, of: r.of, parent: parentName })) : null,
				h('p', null, t('ev.col.change'), t('common.colon'), changeView(r.change)),
				h('p', null, t('ev.items_cases', { items: r.items ?? 0, cases: r.cases ?? 0 })),
				absentNames ? h('p', { class: 'hint' }, t('ev.absent_list', { list: absentNames }), ' ', t('ev.absent_explain')) : null,
			),
		),
	);
	const breakdown = section(
		t('ev.breakdown'),
		h('div', { class: 'breakdown-grid' }, chartFigure({ id: 'ev-radar', cls: 'chart-radar', caption: t('ev.breakdown'), desc: t('ev.radar_desc'), option: () => radarOption(r) }), measuresTable(r)),
	);
	const deptAbsent = (r.departments || []).some((d) => d.composite === null || INDICATORS.some((k) => indScore(d, k) === null));
	const depts = section(t('ev.departments'), (r.departments || []).length ? [deptTable(r.departments), deptAbsent ? h('p', { class: 'hint' }, t('ev.absent_explain')) : null] : h('p', { class: 'muted' }, t('ev.no_departments')));
	const failures = section(t('ev.failures'), (r.guide_failures || []).length ? [h('p', { class: 'hint' }, t('ev.failures_sub')), failuresTable(r.guide_failures, deptNames)] : h('p', { class: 'muted', id: 'ev-no-failures' }, t('ev.no_failures')));
	const missing = missingSection(r, regionsMap);
	const trend = r.trend || [];
	const trendSec = trend.length
		? section(
				t('ev.region_trend'),
				h(
					'div',
					{ class: 'breakdown-grid' },
					chartFigure({ id: 'ev-region-trend-chart', caption: t('ev.region_trend'), desc: t('ev.trend_desc', { n: trend.length, kind: t(`period.kind.${periodKind(P)}`) }), option: () => trendOption(trend.map((p) => p.period), [{ name, values: trend.map((p) => p.composite) }]) }),
					trendTable(trend),
				),
			)
		: null;
	return {
		title,
		node: h(
			'div',
			{ class: 'evaluation ev-region' },
			h('p', { class: 'breadcrumb' }, h('a', { href: back }, t('ev.back')), h('span', { 'aria-hidden': 'true' }, ' / '), data(name)),
			pageHead(title, { titleNode: titleParts(name), sub: r.from ? t('ev.period_line', { period: periodLabel(P), range: t('period.range', { from: fmtDate(r.from), to: fmtDate(r.to) }), previous: periodLabel(r.previous) }) : periodLabel(P), actions: printButton() }),
			summary,
			breakdown,
			depts,
			failures,
			missing,
			trendSec,
		),
	};
}

/** The title with the region's name marked as data. */
function titleParts(name) {
	const tpl = t('ev.detail_title', { name: '\u0000' });
	const [a, b] = tpl.split('\u0000');
	return [a, data(name), b];
}

export async function render({ view, params, query }) {
	if (view === 'region') return regionView(params, query);
	return dashboard(query);
}
