// quality.js - 服务质量（好差评）(public): for a region and a period, each
// department's and each item's ratings (count, average, good, bad),
// bad-rating rectification rate and on-time rate, with a bar chart of the
// departments' average stars.

import { h, data } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { api } from '../api.js';
import { pageHead, section, empty, field } from '../ui.js';
import { go } from '../app.js';
import { departments } from '../catalog.js';
import { chartFigure, base, axisText } from '../charts.js';
import { periodKind, periodLabel, periodPicker, noteCurrent, num } from '../periods.js';
import { evaluationTabs, nameOf, absent } from './evaluation.js';

function rate(v) {
	const s = num(v, 1);
	return s === null ? absent() : h('span', { class: 'num' }, `${s}%`);
}

function avg(v) {
	const s = num(v, 2);
	return s === null ? absent() : h('span', { class: 'num' }, t('q.avg', { n: s }));
}

function cells(x, head, from) {
	const r = x.ratings || {};
	const rc = x.rectification || {};
	const ot = x.on_time || {};
	const td = (i, ...c) => h('td', { 'data-label': head[from + i] }, ...c);
	return [
		td(0, String(r.count ?? 0)),
		td(1, avg(r.count ? r.average : null)),
		td(2, String(r.good ?? 0)),
		td(3, String(r.bad ?? 0)),
		td(4, rate(rc.rate), rc.opened ? h('span', { class: 'muted sub-num' }, ` (${t('q.rect_of', { closed: rc.closed ?? 0, opened: rc.opened })})`) : null),
		td(5, rate(ot.rate), ot.closed ? h('span', { class: 'muted sub-num' }, ` (${ot.on_time ?? 0}/${ot.closed})`) : null),
	];
}

const METRICS = () => [t('q.col.ratings'), t('q.col.average'), t('q.col.good'), t('q.col.bad'), t('q.col.rectification'), t('q.col.on_time')];

function deptTable(list) {
	const head = [t('ev.col.dept'), ...METRICS()];
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack', id: 'q-depts' },
			h('caption', { class: 'visually-hidden' }, t('q.depts')),
			h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
			h('tbody', null, list.map((d) => h('tr', { dataset: { id: d.id } }, h('td', { 'data-label': head[0] }, data(nameOf(d))), cells(d, head, 1)))),
		),
	);
}

function itemTable(list, deptNames) {
	const head = [t('ev.col.item'), t('ev.col.dept'), ...METRICS()];
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack', id: 'q-items' },
			h('caption', { class: 'visually-hidden' }, t('q.items')),
			h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
			h(
				'tbody',
				null,
				list.map((it) => h('tr', null, h('td', { 'data-label': head[0] }, h('a', { href: `#/services/${it.id}` }, data(it.name))), h('td', { 'data-label': head[1] }, data(deptNames.get(it.dept_id) || '')), cells(it, head, 2))),
			),
		),
	);
}

function barOption(list) {
	const many = list.length > 4;
	return base({
		grid: { left: 40, right: 16, top: 24, bottom: many ? 110 : 48 },
		tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
		xAxis: { type: 'category', data: list.map((d) => nameOf(d)), axisLabel: { ...axisText, interval: 0, rotate: many ? 30 : 0, width: 140, overflow: 'truncate' } },
		yAxis: { type: 'value', min: 0, max: 5, interval: 1, axisLabel: axisText },
		series: [
			{
				type: 'bar',
				name: t('q.col.average'),
				barMaxWidth: 48,
				itemStyle: { color: '#0b57a4' },
				data: list.map((d) => (d.ratings && d.ratings.count ? d.ratings.average : '-')),
				label: { show: true, position: 'top', color: '#1b1f24', formatter: (p) => (p.value === '-' ? '' : num(p.value, 2)) },
			},
		],
	});
}

/** Regions that have departments (and the regions above them), deepest first by department count. */
function regionChoices(depts, regions) {
	const count = new Map();
	for (const d of depts) {
		let c = d.region_code;
		let guard = 0;
		while (c && guard++ < 8) {
			count.set(c, (count.get(c) || 0) + 1);
			const r = regions.get(c);
			c = r && r.parent && r.parent !== '000000' ? r.parent : null;
		}
	}
	return [...count.keys()].sort((a, b) => a.localeCompare(b));
}

export async function render({ query }) {
	const qp = query.get('period');
	const period = periodKind(qp) ? qp : undefined;
	const [depts, regionsList] = await Promise.all([departments(), api('GET', '/regions').then((r) => r.items || [])]);
	const regions = new Map(regionsList.map((x) => [x.code, x]));
	const codes = regionChoices(depts, regions);
	/* by default the region with the most departments of its own */
	const own = new Map();
	for (const d of depts) own.set(d.region_code, (own.get(d.region_code) || 0) + 1);
	const dflt = [...own.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
	const region = codes.includes(query.get('region')) ? query.get('region') : dflt ? dflt[0] : undefined;
	const title = t('q.title');
	const head = pageHead(title, { sub: t('q.sub') });
	if (!region) return { title, node: h('div', { class: 'quality' }, evaluationTabs('quality'), head, empty(t('q.none'))) };
	const q = await api('GET', '/quality', null, { query: { region, period } });
	if (!period) noteCurrent(q.period);
	const P = q.period;
	const pp = periodPicker('q', P);
	const filter = h(
		'form',
		{ class: 'filter-bar q-filter no-print', novalidate: true, 'aria-label': t('q.filter') },
		field({ id: 'q-region', label: t('q.region'), kind: 'select', value: region, options: codes.map((c) => [c, nameOf(regions.get(c)) || c]) }),
		...pp.nodes,
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'q-show' }, t('ev.show'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		go(`#/quality?${new URLSearchParams({ region: filter.querySelector('#q-region').value, period: pp.value() })}`);
	});
	const dl = q.departments || [];
	const il = q.items || [];
	const deptNames = new Map(depts.map((d) => [d.id, getLang() === 'en' && d.name_en ? d.name_en : d.name]));
	for (const d of dl) deptNames.set(d.id, nameOf(d));
	const any = dl.length || il.length;
	const line = h('p', { class: 'period-line', id: 'q-period-line' }, nameOf(regions.get(region)) || region, ' · ', periodLabel(P));
	return {
		title,
		node: h(
			'div',
			{ class: 'quality' },
			evaluationTabs('quality'),
			head,
			filter,
			line,
			any
				? [
						section(t('q.depts'), deptTable(dl), h('p', { class: 'hint' }, t('q.absent_explain'))),
						dl.length ? section(t('q.chart'), chartFigure({ id: 'q-bars', caption: [nameOf(regions.get(region)) || region, ' · ', periodLabel(P)], desc: t('q.chart_desc'), option: () => barOption(dl) })) : null,
						il.length ? section(t('q.items'), itemTable(il, deptNames)) : null,
					]
				: empty(t('q.none')),
		),
	};
}
