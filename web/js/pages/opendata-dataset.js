// opendata-dataset.js - one open dataset (#/open/:id): its DCAT-AP metadata,
// the quality score with each check, the data dictionary, a preview of the
// rows with a small filter builder, sort and paging, a bar chart (ECharts),
// the downloads of every version, API examples with the X-API-Key header,
// and for a data officer of the owning department: a new version, withdraw.

import { h, data, hasCJK } from '../dom.js';
import { t, tOr, fmtDate, fmtDateTime, getLang } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, dl, empty, announce, busy, flash, clearErrors, setFieldError, linkButton } from '../ui.js';
import { chartFigure, base, axisText } from '../charts.js';
import { currentUser, go, render as rerender } from '../app.js';
import { odGet, odErrorText, showOdErrors, errorBlock, freqLabel, licenseLabel, licenseUrl, typeLabel, regionNames, deptNameMap, isDataOfficer, fieldLabel } from './opendata.js';

const PREVIEW = 20;
const OPS = {
	string: ['eq', 'ne', 'like', 'in', 'lt', 'le', 'gt', 'ge'],
	integer: ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in'],
	number: ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in'],
	date: ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in'],
	boolean: ['eq', 'ne'],
};
const NUMERIC = ['integer', 'number'];
const GROUPABLE = ['string', 'date'];

const sep = () => h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ');

/** A value of a row as shown in a table cell. */
function cell(v) {
	if (v === null || v === undefined || v === '') return h('span', { class: 'muted od-empty' }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'visually-hidden' }, t('od.empty_value')));
	if (typeof v === 'boolean') return t(v ? 'od.bool.true' : 'od.bool.false');
	return data(String(v));
}

/* ---- metadata and quality ---- */

function temporalText(d) {
	const from = d.temporal_from ? fmtDate(d.temporal_from) : '';
	const to = d.temporal_to ? fmtDate(d.temporal_to) : '';
	if (from && to) return t('od.temporal_range', { from, to });
	if (from) return t('od.temporal_from', { from });
	if (to) return t('od.temporal_to', { to });
	return null;
}

function metaSection(d, names) {
	const lic = licenseUrl(d.license);
	const deptLabel = d.department ? names.dept.get(d.department.id) || d.department.name : '';
	const spatial = (d.spatial || []).map((c) => names.region.get(c) || c);
	return section(
		t('od.meta'),
		dl([
			[t('od.m.description'), d.description ? data(d.description, 'span', { class: 'prose' }) : null],
			[t('od.m.keywords'), (d.keywords || []).length ? h('ul', { class: 'tags od-keywords' }, d.keywords.map((k) => h('li', { class: 'tag' }, data(k)))) : null],
			[t('od.m.theme'), d.theme ? data(d.theme) : null],
			[t('od.m.publisher'), deptLabel ? data(deptLabel) : null],
			[t('od.m.license'), d.license ? (lic ? h('a', { href: lic, rel: 'license noopener', target: '_blank', id: 'od-license' }, licenseLabel(d.license)) : licenseLabel(d.license)) : null],
			[t('od.m.frequency'), freqLabel(d.update_frequency)],
			[t('od.m.temporal'), temporalText(d)],
			[t('od.m.spatial'), spatial.length ? data(spatial.join(t('common.list_sep'))) : null],
			[t('od.m.issued'), d.issued_at ? fmtDateTime(d.issued_at) : null],
			[t('od.m.modified'), d.modified_at ? fmtDateTime(d.modified_at) : null],
			[t('od.m.contact'), d.contact ? data(d.contact) : null],
			[t('od.m.version'), h('span', { id: 'od-version' }, t('od.version_n', { n: d.current_version }))],
			[t('od.m.code'), h('code', null, d.code)],
		]),
	);
}

function qualitySection(d) {
	const q = d.quality;
	const score = q && q.score !== undefined ? q.score : d.quality_score;
	if (score === undefined || score === null) return section(t('od.quality_title'), empty(t('od.quality_none')));
	const checks = (q && q.checks) || [];
	return section(
		t('od.quality_title'),
		h(
			'div',
			{ class: 'od-quality-box' },
			h('p', { class: 'big-score' }, h('span', { class: 'big-value', id: 'od-quality-score' }, String(Math.round(Number(score)))), h('span', { class: 'big-label' }, t('od.quality_of'))),
			checks.length
				? h(
						'ul',
						{ class: 'od-checks', id: 'od-checks' },
						checks.map((c) =>
							h(
								'li',
								{ class: c.passed ? 'od-check od-check-ok' : 'od-check od-check-bad', dataset: { check: c.check, passed: String(!!c.passed) } },
								h('span', { class: 'od-check-icon', 'aria-hidden': 'true' }, c.passed ? '✓' : '✗'),
								h(
									'span',
									{ class: 'od-check-text' },
									h('span', { class: 'od-check-name' }, tOr(`od.check.${c.check}`, c.check)),
									h('span', { class: `badge ${c.passed ? 'tone-ok' : 'tone-bad'} od-check-badge` }, t(c.passed ? 'od.check_passed' : 'od.check_failed')),
									c.weight !== undefined ? h('span', { class: 'muted od-check-weight' }, ` ${t('od.check_weight', { n: c.weight })}`) : null,
									c.detail ? (() => { const d = getLang() === 'zh' && c.detail_zh ? c.detail_zh : c.detail; return h('span', { class: 'od-check-detail', lang: hasCJK(d) ? 'zh-CN' : 'en' }, String(d)); })() : null,
								),
							),
						),
					)
				: null,
		),
	);
}

function dictSection(d) {
	const head = [t('od.f.name'), t('od.f.type'), t('od.f.description'), t('od.f.unit')];
	return section(
		t('od.dict'),
		h('p', { class: 'muted' }, t('od.dict_desc', { n: d.current_version })),
		h(
			'table',
			{ class: 'table stack od-dict', id: 'od-dict' },
			h('caption', { class: 'visually-hidden' }, t('od.dict')),
			h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
			h(
				'tbody',
				null,
				(d.fields || []).map((f) =>
					h(
						'tr',
						{ dataset: { field: f.name } },
						h('td', { 'data-label': head[0] }, h('code', null, f.name)),
						h('td', { 'data-label': head[1] }, typeLabel(f.type)),
						h('td', { 'data-label': head[2] }, data(f.description || '')),
						h('td', { 'data-label': head[3] }, data(f.unit || '')),
					),
				),
			),
		),
	);
}

/* ---- the preview ---- */

function previewSection(d) {
	const fields = d.fields || [];
	const byName = new Map(fields.map((f) => [f.name, f]));
	const st = { q: '', filter: '', sort: '', cursors: [null], page: 0 };

	const opSelect = h('select', { id: 'od-pv-op', name: 'od-pv-op', 'aria-describedby': 'od-pv-op-error', disabled: true });
	const fieldSel = field({ id: 'od-pv-field', label: t('od.pv.field'), kind: 'select', options: [['', t('od.pv.any_field')], ...fields.map((f) => [f.name, fieldLabel(f) === f.name ? f.name : `${fieldLabel(f)} (${f.name})`])] });
	const opField = h('div', { class: 'field' }, h('label', { for: 'od-pv-op' }, t('od.pv.op')), opSelect, h('p', { class: 'field-error', id: 'od-pv-op-error' }));
	/* the value's hint (| for lists, the date format) sits below it and changes with the condition */
	const valueField = h(
		'div',
		{ class: 'field od-pv-value' },
		h('label', { for: 'od-pv-value' }, t('od.pv.value')),
		h('input', { type: 'text', id: 'od-pv-value', name: 'od-pv-value', maxlength: '200', autocomplete: 'off', disabled: true, 'aria-describedby': 'od-pv-value-hint od-pv-value-error' }),
		h('p', { class: 'hint od-pv-hint', id: 'od-pv-value-hint' }),
		h('p', { class: 'field-error', id: 'od-pv-value-error' }),
	);
	const sortOpts = [['', t('od.pv.sort_none')]];
	for (const f of fields) sortOpts.push([f.name, t('od.pv.sort_asc', { f: fieldLabel(f) })], [`-${f.name}`, t('od.pv.sort_desc', { f: fieldLabel(f) })]);
	const sortField = field({ id: 'od-pv-sort', label: t('od.pv.sort'), kind: 'select', options: sortOpts });
	const qField = field({ id: 'od-pv-q', label: t('od.pv.q'), type: 'search', attrs: { maxlength: '100', autocomplete: 'off', title: t('od.pv.q_hint') } });
	const apply = h('button', { type: 'submit', class: 'btn btn-primary', id: 'od-pv-apply' }, t('od.pv.apply'));
	const reset = h('button', { type: 'button', class: 'btn btn-secondary', id: 'od-pv-reset' }, t('od.pv.reset'));
	const form = h('form', { class: 'filter-bar od-pv-form', novalidate: true, 'aria-label': t('od.preview_form') }, fieldSel, opField, valueField, qField, sortField, h('div', { class: 'filter-submit btn-row' }, apply, reset));
	const fieldCtl = form.querySelector('#od-pv-field');
	const valueCtl = valueField.querySelector('#od-pv-value');
	const valueHint = valueField.querySelector('#od-pv-value-hint');

	function syncOps() {
		const f = byName.get(fieldCtl.value);
		const ops = f ? OPS[f.type] || ['eq', 'ne'] : [];
		const keep = opSelect.value;
		opSelect.replaceChildren(...ops.map((o) => h('option', { value: o, selected: o === keep }, t(`op.${o}`))));
		opSelect.disabled = !f;
		valueCtl.disabled = !f;
		syncHint();
	}
	function syncHint() {
		const f = byName.get(fieldCtl.value);
		const parts = [];
		if (opSelect.value === 'in') parts.push(t('od.pv.value_hint_in'));
		if (f && f.type === 'date') parts.push(t('od.pv.value_hint_date'));
		valueHint.textContent = parts.join(t('common.list_sep'));
		valueCtl.setAttribute('inputmode', f && NUMERIC.includes(f.type) && opSelect.value !== 'in' ? 'decimal' : 'text');
	}
	fieldCtl.addEventListener('change', syncOps);
	opSelect.addEventListener('change', syncHint);

	const status = h('p', { class: 'od-pv-status muted', id: 'od-pv-status' });
	const tableBox = h('div', { class: 'od-pv-table', id: 'od-pv-box' });
	const prev = h('button', { type: 'button', class: 'btn btn-secondary', id: 'od-pv-prev', hidden: true }, t('od.pv.prev'));
	const next = h('button', { type: 'button', class: 'btn btn-secondary', id: 'od-pv-next', hidden: true }, t('od.pv.next'));

	function table(r) {
		const names = r.fields || fields.map((f) => f.name);
		const label = (n) => (byName.get(n) && byName.get(n).description) || n;
		/* a data table keeps its columns on phones too: it scrolls sideways
		 * in its own focusable box, the page does not */
		return h(
			'div',
			{ class: 'od-scroll', tabindex: '0', role: 'region', 'aria-label': t('od.pv.caption', { n: st.page + 1 }) },
			h(
			'table',
			{ class: 'table od-preview', id: 'od-preview' },
			h('caption', { class: 'visually-hidden' }, t('od.pv.caption', { n: st.page + 1 })),
			h('thead', null, h('tr', null, names.map((n) => h('th', { scope: 'col', dataset: { field: n } }, data(label(n)), h('span', { class: 'od-col-name' }, n))))),
			h('tbody', null, r.items.map((row) => h('tr', null, names.map((n) => h('td', { dataset: { field: n } }, cell(row[n])))))),
			),
		);
	}

	async function load({ focus = false } = {}) {
		const query = { limit: PREVIEW, q: st.q, sort: st.sort, cursor: st.cursors[st.page] };
		if (st.filter) query.filter = st.filter;
		const r = await odGet(`/datasets/${d.id}/rows`, query);
		st.cursors[st.page + 1] = r.next || null;
		tableBox.replaceChildren(r.items.length ? table(r) : empty(t('od.pv.none')));
		status.textContent = t('od.pv.page', { n: st.page + 1, rows: r.items.length });
		prev.hidden = st.page === 0;
		next.hidden = !r.next;
		if (focus) announce(t('od.pv.loaded', { n: st.page + 1, rows: r.items.length }), 'info');
		return r;
	}

	async function run(button, { focus }) {
		await busy(button, async () => {
			try {
				await load({ focus });
			} catch (e) {
				if (e.status === 400 && e.errors && e.errors.length) {
					showOdErrors(form, e, (f) => {
						if (f === 'filter') return e.errors[0].reason === 'bad_operator' ? 'od-pv-op' : e.errors[0].reason === 'unknown_field' ? 'od-pv-field' : 'od-pv-value';
						if (f === 'sort') return 'od-pv-sort';
						if (f === 'q') return 'od-pv-q';
						return null;
					});
				} else {
					tableBox.replaceChildren(errorBlock(e, 'od-pv-error'));
					announce(odErrorText(e), 'error');
				}
			}
		});
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const f = fieldCtl.value;
		const v = valueCtl.value.trim();
		if (f && !v) {
			setFieldError(form, 'od-pv-value', t('od.pv.need_value')).focus();
			return;
		}
		st.q = form.querySelector('#od-pv-q').value.trim();
		st.filter = f ? `${f}:${opSelect.value}:${v}` : '';
		st.sort = form.querySelector('#od-pv-sort').value;
		st.cursors = [null];
		st.page = 0;
		await run(apply, { focus: true });
	});
	reset.addEventListener('click', async () => {
		clearErrors(form);
		form.reset();
		syncOps();
		Object.assign(st, { q: '', filter: '', sort: '', cursors: [null], page: 0 });
		await run(reset, { focus: true });
	});
	next.addEventListener('click', async () => {
		st.page += 1;
		await run(next, { focus: true });
		if (next.hidden) prev.focus();
	});
	prev.addEventListener('click', async () => {
		st.page = Math.max(0, st.page - 1);
		await run(prev, { focus: true });
		if (prev.hidden) next.focus();
	});

	const node = section(t('od.preview'), form, status, tableBox, h('div', { class: 'btn-row od-pv-pager' }, prev, next));
	node.id = 'od-preview-section';
	return { node, first: () => load().catch((e) => tableBox.replaceChildren(errorBlock(e, 'od-pv-error'))) };
}

/* ---- the chart ---- */

function barOption(items, seriesName) {
	return base({
		grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
		tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
		xAxis: { type: 'value', axisLabel: axisText },
		yAxis: { type: 'category', inverse: true, data: items.map((x) => String(x.key ?? '')), axisLabel: { ...axisText, width: 150, overflow: 'truncate' } },
		series: [
			{
				type: 'bar',
				name: seriesName,
				barMaxWidth: 28,
				itemStyle: { color: '#0b57a4' },
				data: items.map((x) => x.value),
				label: { show: true, position: 'right', color: '#1b1f24', formatter: (p) => fmtNum(p.value) },
			},
		],
	});
}

function fmtNum(v) {
	const n = Number(v);
	if (!Number.isFinite(n)) return String(v ?? '');
	return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** The default group of the chart: of the text (then date) fields, the one
 * whose values repeat most in the first page of rows (an identifier such as
 * a credit code makes a chart of ones); the first text field without rows. */
function defaultGroup(groups, rows) {
	const ordered = [...groups.filter((f) => f.type === 'string'), ...groups.filter((f) => f.type !== 'string')];
	if (!rows || rows.length < 2) return ordered[0].name;
	let best = ordered[0];
	let bestN = Infinity;
	for (const f of ordered) {
		const n = new Set(rows.map((r) => r[f.name])).size;
		if (n < bestN && n < rows.length) {
			best = f;
			bestN = n;
		}
	}
	return best.name;
}

function chartSection(d) {
	const fields = d.fields || [];
	const groups = fields.filter((f) => GROUPABLE.includes(f.type));
	const values = fields.filter((f) => NUMERIC.includes(f.type));
	const label = fieldLabel;
	if (!groups.length) {
		const s = section(t('od.chart'), empty(t('od.ch.none')));
		s.id = 'od-chart-section';
		return { node: s, first: async () => {}, group: () => '' };
	}
	const form = h(
		'form',
		{ class: 'filter-bar od-ch-form', novalidate: true, 'aria-label': t('od.chart_form') },
		field({ id: 'od-ch-group', label: t('od.ch.group'), kind: 'select', options: groups.map((f) => [f.name, label(f)]) }),
		field({ id: 'od-ch-value', label: t('od.ch.value'), kind: 'select', value: '', options: [['', t('od.ch.value_none')], ...values.map((f) => [f.name, label(f)])] }),
		field({ id: 'od-ch-agg', label: t('od.ch.agg'), kind: 'select', value: 'count', options: ['count', 'sum', 'avg'].map((a) => [a, t(`od.agg.${a}`)]), attrs: { disabled: true } }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'od-ch-draw' }, t('od.ch.draw'))),
	);
	const groupCtl = form.querySelector('#od-ch-group');
	const valueCtl = form.querySelector('#od-ch-value');
	const aggCtl = form.querySelector('#od-ch-agg');
	valueCtl.addEventListener('change', () => {
		aggCtl.disabled = !valueCtl.value;
		aggCtl.value = valueCtl.value ? (aggCtl.value === 'count' ? 'sum' : aggCtl.value) : 'count';
	});
	const box = h('div', { class: 'od-chart-box', id: 'od-chart-box' });
	let drawn = 0;

	async function draw({ focus = false } = {}) {
		const group = groupCtl.value;
		const value = valueCtl.value;
		const agg = value ? aggCtl.value : 'count';
		const r = await odGet(`/datasets/${d.id}/chart`, { group, value, agg });
		const items = r.items || [];
		drawn += 1;
		if (!items.length) {
			box.replaceChildren(empty(t('od.ch.empty')));
			return;
		}
		const gf = fields.find((f) => f.name === group);
		const vf = fields.find((f) => f.name === value);
		const caption = value ? t('od.ch.caption_value', { group: label(gf), value: label(vf), agg: t(`od.agg.${agg}`) }) : t('od.ch.caption_count', { group: label(gf) });
		const size = items.length <= 5 ? 's' : items.length <= 10 ? 'm' : 'l';
		const fig = chartFigure({
			id: `od-chart-${drawn}`,
			cls: `od-chart od-chart-${size}`,
			caption,
			desc: t('od.ch.desc', { caption, n: items.length }),
			option: () => barOption(items, caption),
			note:
				r.other !== undefined && r.other !== null && Number(r.other) !== 0
					? h('p', { class: 'muted od-ch-other', id: 'od-ch-other' }, t('od.ch.other', { n: fmtNum(r.other) }))
					: null,
		});
		const tbl = h(
			'details',
			{ class: 'od-ch-details' },
			h('summary', null, t('od.ch.table')),
			h(
				'table',
				{ class: 'table od-ch-table', id: 'od-ch-table' },
				h('caption', { class: 'visually-hidden' }, caption),
				h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('od.ch.key')), h('th', { scope: 'col', class: 'num-cell' }, t('od.ch.val')))),
				h('tbody', null, items.map((x) => h('tr', null, h('td', null, cell(x.key)), h('td', { class: 'num-cell' }, fmtNum(x.value))))),
			),
		);
		box.replaceChildren(fig, tbl);
		if (focus) announce(t('od.ch.drawn'), 'info');
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		await busy(form.querySelector('#od-ch-draw'), async () => {
			try {
				await draw({ focus: true });
			} catch (err) {
				if (err.status === 400 && err.errors && err.errors.length) showOdErrors(form, err, (f) => ({ group: 'od-ch-group', value: 'od-ch-value', agg: 'od-ch-agg' })[f] || null);
				else box.replaceChildren(errorBlock(err, 'od-ch-error'));
			}
		});
	});
	const node = section(t('od.chart'), form, box);
	node.id = 'od-chart-section';
	const first = (rows) => {
		groupCtl.value = defaultGroup(groups, rows);
		return draw().catch((e) => box.replaceChildren(errorBlock(e, 'od-ch-error')));
	};
	return { node, first, group: () => groupCtl.value };
}

/* ---- downloads and the API ---- */

export function downloadHref(id, format, { version, bom } = {}) {
	const p = new URLSearchParams({ format });
	if (version) p.set('version', version);
	if (bom !== undefined) p.set('bom', bom ? '1' : '0');
	return `/api/v1/datasets/${id}/download?${p}`;
}

function dlLink(href, text, id, extra) {
	return h('a', { href, download: '', id, class: 'od-dl', dataset: extra }, text);
}

function downloadSection(d) {
	const versions = [...(d.versions || [])].sort((a, b) => b.version - a.version);
	const cur = versions.find((v) => v.version === d.current_version) || { version: d.current_version, row_count: d.row_count };
	const head = [t('od.dl.version'), t('od.dl.rows'), t('od.dl.published'), t('od.dl.files')];
	return section(
		t('od.downloads'),
		h('p', { class: 'od-dl-current' }, t('od.dl.current', { n: cur.version, rows: cur.row_count ?? '' })),
		h(
			'ul',
			{ class: 'od-dl-list', id: 'od-downloads' },
			h('li', null, dlLink(downloadHref(d.id, 'csv', { bom: true }), t('od.dl.csv_bom'), 'od-dl-csv-bom', { format: 'csv', bom: '1' })),
			h('li', null, dlLink(downloadHref(d.id, 'csv', { bom: false }), t('od.dl.csv'), 'od-dl-csv', { format: 'csv', bom: '0' })),
			h('li', null, dlLink(downloadHref(d.id, 'json'), t('od.dl.json'), 'od-dl-json', { format: 'json' })),
		),
		h('p', { class: 'hint' }, t('od.dl.hint')),
		versions.length > 1
			? h(
					'div',
					null,
					h('h3', null, t('od.dl.versions')),
					h(
						'table',
						{ class: 'table stack od-versions', id: 'od-versions' },
						h('caption', { class: 'visually-hidden' }, t('od.dl.versions')),
						h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
						h(
							'tbody',
							null,
							versions.map((v) =>
								h(
									'tr',
									{ dataset: { version: String(v.version) } },
									h('td', { 'data-label': head[0] }, t('od.version_n', { n: v.version })),
									h('td', { 'data-label': head[1] }, String(v.row_count ?? '')),
									h('td', { 'data-label': head[2] }, fmtDateTime(v.published_at)),
									h(
										'td',
										{ 'data-label': head[3] },
										h(
											'span',
											{ class: 'od-dl-row' },
											['csv', 'json'].map((f) =>
												h(
													'a',
													{ href: downloadHref(d.id, f, { version: v.version }), download: '', class: 'od-dl', dataset: { format: f, version: String(v.version) } },
													f.toUpperCase(),
													h('span', { class: 'visually-hidden' }, ` ${t('od.dl.file_for', { n: v.version, format: f.toUpperCase() })}`),
												),
											),
										),
									),
								),
							),
						),
					),
				)
			: null,
	);
}

function apiSection(d, sample) {
	const origin = location.origin;
	const key = t('od.apiuse.key_placeholder');
	const line = (path) => `curl -H "X-API-Key: ${key}" "${origin}/api/v1${path}"`;
	const examples = [[t('od.apiuse.rows'), line(`/datasets/${d.id}/rows?limit=20`)]];
	if (sample) {
		const [f, op, ...v] = sample.split(':');
		const num = (d.fields || []).find((x) => NUMERIC.includes(x.type));
		examples.push([t('od.apiuse.filter'), line(`/datasets/${d.id}/rows?filter=${f}:${op}:${encodeURIComponent(v.join(':'))}${num ? `&sort=-${num.name}` : ''}&limit=100`)]);
	}
	examples.push([t('od.apiuse.download'), `curl -H "X-API-Key: ${key}" -o ${d.code}.csv "${origin}${downloadHref(d.id, 'csv', { bom: true })}"`]);
	return section(
		t('od.apiuse'),
		h('p', null, t('od.apiuse_intro')),
		h(
			'dl',
			{ class: 'od-api', id: 'od-api' },
			examples.map(([what, cmd]) => h('div', { class: 'od-api-ex' }, h('dt', null, what), h('dd', null, h('pre', { class: 'od-code' }, h('code', { lang: 'en' }, cmd))))),
		),
		h('p', null, h('a', { href: '#/me/api-keys', id: 'od-get-key' }, t('od.apiuse.get_key'))),
	);
}

/** A filter for the API example: the first string field equal to its value in the first row. */
function sampleFilter(d, firstRow, prefer) {
	if (!firstRow) return '';
	const ok = (x) => x.type === 'string' && typeof firstRow[x.name] === 'string' && firstRow[x.name] && !firstRow[x.name].includes(':');
	const fields = d.fields || [];
	const f = fields.find((x) => x.name === prefer && ok(x)) || fields.find(ok);
	return f ? `${f.name}:eq:${firstRow[f.name]}` : '';
}

/* ---- the data officer's tools ---- */

function manageSection(d) {
	const republish = h('button', { type: 'button', class: 'btn btn-primary', id: 'od-republish' }, t('od.republish'));
	republish.addEventListener('click', () =>
		busy(republish, async () => {
			try {
				const r = await api('POST', `/datasets/${d.id}/versions`, {});
				flash(t('od.republished', { n: r.version }));
				await rerender();
			} catch (e) {
				announce(odErrorText(e), 'error');
			}
		}),
	);
	const yes = h('button', { type: 'submit', class: 'btn btn-danger', id: 'od-withdraw-yes' }, t('od.withdraw_yes'));
	const form = h(
		'form',
		{ class: 'form od-withdraw', novalidate: true, id: 'od-withdraw-form' },
		field({ id: 'od-withdraw-reason', label: t('od.withdraw_reason'), kind: 'textarea', hint: t('od.withdraw_hint'), required: true, attrs: { maxlength: '500' } }),
		h('div', { class: 'btn-row' }, yes),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const reason = form.querySelector('#od-withdraw-reason').value.trim();
		if (!reason) {
			setFieldError(form, 'od-withdraw-reason', t('od.err.reason.required')).focus();
			return;
		}
		await busy(yes, async () => {
			try {
				await api('POST', `/datasets/${d.id}/withdraw`, { reason });
				flash(t('od.withdrawn', { title: d.title }));
				go('#/open');
			} catch (err) {
				showOdErrors(form, err, (f) => (f === 'reason' ? 'od-withdraw-reason' : null));
			}
		});
	});
	const s = section(t('od.manage'), h('p', null, t('od.manage_intro')), h('div', { class: 'btn-row' }, republish), h('h3', null, t('od.withdraw')), form);
	s.id = 'od-manage';
	return s;
}

function ownsDataset(d) {
	const u = currentUser();
	if (!u || !isDataOfficer() || !u.department) return false;
	const dept = d.dept_id ?? (d.department && d.department.id);
	return Number(dept) === Number(u.department.id);
}

/* ---- the page ---- */

export async function render({ params }) {
	const id = params.id;
	const [d, deptMap, regionMap] = await Promise.all([odGet(`/datasets/${id}`), deptNameMap(), regionNames()]);
	const names = { dept: deptMap, region: regionMap };
	const cur = (d.versions || []).find((v) => v.version === d.current_version);
	const rows = d.row_count ?? (cur ? cur.row_count : undefined);
	const deptLabel = d.department ? names.dept.get(d.department.id) || d.department.name : '';

	const preview = previewSection(d);
	const chart = chartSection(d);
	/* the first page of rows also gives the API example a real value */
	const firstRows = await preview.first();
	await chart.first(firstRows && firstRows.items);
	const sample = firstRows && firstRows.items ? sampleFilter(d, firstRows.items[0], chart.group()) : '';

	const stat = (label, value, sid) => h('div', { class: 'stat' }, h('dt', null, label), h('dd', { id: sid }, value));
	const stats = h(
		'dl',
		{ class: 'stats od-stats', 'aria-label': t('od.stats') },
		stat(t('od.stat.rows'), rows === undefined ? '—' : String(rows), 'od-stat-rows'),
		stat(t('od.stat.queries'), String(d.query_count ?? 0), 'od-stat-queries'),
		stat(t('od.stat.downloads'), String(d.download_count ?? 0), 'od-stat-downloads'),
		stat(t('od.stat.quality'), d.quality && d.quality.score !== undefined ? String(Math.round(Number(d.quality.score))) : d.quality_score !== undefined ? String(Math.round(Number(d.quality_score))) : '—', 'od-stat-quality'),
	);
	const title = d.title;
	const node = h(
		'div',
		{ class: 'opendata od-dataset', dataset: { id: String(d.id) } },
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/open' }, t('od.crumb')), h('span', { 'aria-hidden': 'true' }, ' / '), data(d.title)),
		pageHead(title, {
			titleNode: data(d.title),
			sub: h('span', null, data(deptLabel), d.theme ? [sep(), data(d.theme)] : null, sep(), t('od.version_n', { n: d.current_version })),
			actions: linkButton(downloadHref(d.id, 'csv', { bom: true }), t('od.dl.csv_bom'), 'btn btn-primary od-dl-top'),
		}),
		stats,
		h('div', { class: 'od-grid' }, metaSection(d, names), qualitySection(d)),
		dictSection(d),
		preview.node,
		chart.node,
		downloadSection(d),
		apiSection(d, sample),
		ownsDataset(d) ? manageSection(d) : null,
	);
	return { title, node };
}

