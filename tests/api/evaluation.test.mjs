/*
 * evaluation.test.mjs - the capability evaluation (一体化政务服务能力评估):
 * ranking, region detail, trend, external indicators and analysis.
 *
 * Test plan (clock frozen at NOW = 2026-04-10 10:00 +08:00):
 *   1. Exact figures. A node made with `init --no-demo` gets, by SQL, three
 *      departments: A in 南明区 520102, B in 云岩区 520103 (both under 贵阳市
 *      520100) and C in 钟山区 520201 (under 六盘水市 520200). Items: A1
 *      (depth 5, 0 visits, web+mobile+window, legal 20 / promised 10, full
 *      guide, materials 1 required + 1 optional), A2 (depth 3, 1 visit,
 *      window, 10/10, a blank fee fails the fee check, 1 required material),
 *      A3 (draft: ignored), B1 (depth 4, 0 visits, mobile+window, 30/15, no
 *      materials: fails no_materials and web_channel), C1 (depth 7, 0 visits,
 *      all 5 channels, 0/0, full guide, 2 required materials). Required
 *      lists: 520102 {A1, X-MISSING}, 520100 {B1}. Cases in 2026-Q1: A1 c1
 *      (web, closed on time, 0 visits, 1 exempted, 5 stars), c2 (window,
 *      closed late, 2 visits, 2 stars), c3 (mobile, open past due, 1 visit),
 *      A2 c4 (mobile, open not yet due, 1 exempted, 4 stars), B1 c6 (window,
 *      closed on time, 3 visits, 3 stars); A2 c5 (web, closed on time) at
 *      the last second of 2025-Q4; A1 c7 at the first second of 2026-Q2
 *      (in neither). Bad-rating items of A opened in Q1: one closed, one
 *      open. Expected by hand (see docs/evaluation.md for the formulas):
 *        520102: coverage 50 (published 1/2, online 1/2), guide 50,
 *          maturity 51.67 (50, 50, trips 3/4 visits -> 75, exempted 2/4 ->
 *          50, compression 10/30 -> 33.33), channels 40, effectiveness 56.25
 *          (online 3/4 = 75, on time 1/3 = 33.33, rating 11/3 -> 66.67,
 *          rectification 50), composite 49.58, low, rank 1 of 2; previous
 *          (2025-Q4: c5 only) 57.33, change -7.75.
 *        520103: coverage 100 (published absent), guide 0, maturity 37.5
 *          (exempted absent), channels 40, effectiveness 50 (rectification
 *          absent), composite 45.5, rank 2 of 2; previous 47.5, change -2.
 *        520100: coverage 66.67 (published 2/3: its own B1 and 南明's A1),
 *          guide 33.33, maturity 50.33, channels 40, effectiveness 55.63,
 *          composite 49.19 rank 2 of 2 under 520000; 520200 = 520201 =
 *          100 (very_high, effectiveness absent) rank 1.
 *      Department A has coverage.published null. The region detail of
 *      520100 lists departments A and B, guide failures A2 [fee] and B1
 *      [no_materials, web_channel], and the trend 2024-Q4..2026-Q1 (not
 *      evaluated before 2025-Q3, when its items were published)
 *      (46.81 without cases, 57.67 in 2025-Q4, 49.19). The CLI's JSON is the
 *      same document; its CSV has the same composites; its HTML is one file
 *      without external references, with print CSS and an SVG chart.
 *   2. A generated data set (`demo generate --regions 6 --cases 3000
 *      --seed 7`): every evaluated region's sub-measures, indicators and
 *      composite for 2026 equal a computation from plain SQL sums done here
 *      (rounded to 2 decimals). SQLite only (the guide checks use SQLite's
 *      json and trim functions).
 *   3. Indicators: a CSV with a bad region, period, name, value and a
 *      duplicate -> exit 1, every bad line named with field and reason,
 *      nothing stored; a good one -> exit 0, "imported 4 rows (4 inserted, 0
 *      updated)"; again with one change -> "(0 inserted, 4 updated)". The
 *      indicator list shows it. Analysis of composite against it equals
 *      Pearson, Spearman and the log fit computed here in JS from the API's
 *      composites; above/below hold the regions with the largest residuals.
 *   4. Errors: period 2026-13 (400 period/range), period x (400
 *      period/format), unknown parent (404 parent/not_found), parent abc
 *      (400), analysis without indicator (400), with an indicator only 2
 *      regions have (422 indicator/too_few_regions), bad score (400 score),
 *      trend kind week / count 0 (400), region detail of an unknown code or
 *      of a region without departments (404).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, startNode } from './lib/node.mjs';

const NOW = '2026-04-10T10:00:00+08:00';
const NOW_S = 1775786400;
const Q1 = 1767196800; /* 2026-01-01 00:00 +08:00 */
const Q2 = 1774972800; /* 2026-04-01 00:00 +08:00 */
const DAY = 86400;
const PG = !!process.env.ZT_TEST_PG;

const r2 = (v) => (v === null ? null : (Math.sign(v) * Math.round(Math.abs(v) * 100)) / 100 || 0);
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function itemSql(id, code, dept, region, o) {
	const g = {
		legal: 20,
		promised: 10,
		depth: 5,
		visits: 0,
		channels: 7,
		fee: '不收取费用',
		status: 'published',
		...o,
	};
	return `INSERT INTO service_items (id, code, name, type, dept_id, region_code, target, legal_days,
		promised_days, depth, max_visits, fee, conditions, legal_basis, process, place, office_hours,
		consult, complaint, channels, cross_modes, status, version, created_at, updated_at, published_at)
		VALUES (${id}, ${q(code)}, ${q('事项' + code)}, 'XK', ${dept}, ${q(region)}, 'citizen', ${g.legal},
		${g.promised}, ${g.depth}, ${g.visits}, ${q(g.fee)}, '无', '《行政许可法》第十二条',
		'["申请","受理","决定"]', '政务服务中心一楼', '工作日 9:00-17:00', '0851-12345678',
		'12345 政务服务热线', ${g.channels}, 0, ${q(g.status)}, 1, ${Q1 - 100 * DAY}, ${Q1 - 100 * DAY},
		${Q1 - 100 * DAY})`;
}

function caseSql(id, item, dept, o) {
	const c = { channel: 'web', phase: 'closed', visits: 0, exempted: 0, stars: null, decided: null, due: 0, ...o };
	return `INSERT INTO cases (id, item_id, dept_id, applicant_id, state, form, submitted_at,
		promised_days, phase, clock_start, clock_limit, due_day, due_at, warn_at, updated_at, channel,
		stars, visits, exempted, decided_at) VALUES (${id}, ${item}, ${dept}, 900, 'approved', '{}',
		${c.at}, 5, ${q(c.phase)}, 20000, 5, 20000, ${c.due}, 0, ${c.at}, ${q(c.channel)},
		${c.stars ?? 'NULL'}, ${c.visits}, ${c.exempted}, ${c.decided ?? 'NULL'})`;
}

function buildSmall(node) {
	const s = [];
	s.push(`INSERT INTO users (id, kind, login, name, password_hash, created_at)
		VALUES (900, 'citizen', 'eval-applicant', '测试申请人', 'x', ${Q1})`);
	const depts = [
		[101, '520102', '南明区测试局A'],
		[102, '520103', '云岩区测试局B'],
		[103, '520201', '钟山区测试局C'],
	];
	for (const [id, region, name] of depts)
		s.push(`INSERT INTO departments (id, credit_code, name, name_en, region_code, created_at)
			VALUES (${id}, 'EVALTEST${id}', ${q(name)}, 'Test bureau ${id}', ${q(region)}, ${Q1})`);
	s.push(itemSql(1001, 'EV-A1', 101, '520102', {}));
	s.push(itemSql(1002, 'EV-A2', 101, '520102', { depth: 3, visits: 1, channels: 4, legal: 10, promised: 10, fee: ' ' }));
	s.push(itemSql(1003, 'EV-A3', 101, '520102', { status: 'draft' }));
	s.push(itemSql(1004, 'EV-B1', 102, '520103', { depth: 4, visits: 0, channels: 6, legal: 30, promised: 15 }));
	s.push(itemSql(1005, 'EV-C1', 103, '520201', { depth: 7, visits: 0, channels: 31, legal: 0, promised: 0 }));
	const mats = [
		[1001, 1, 1],
		[1001, 2, 0],
		[1002, 1, 1],
		[1003, 1, 1],
		[1005, 1, 1],
		[1005, 2, 1],
	];
	for (const [item, seq, req] of mats)
		s.push(`INSERT INTO materials (item_id, seq, name, form, count, required)
			VALUES (${item}, ${seq}, '材料${seq}', 'original', 1, ${req})`);
	s.push(`INSERT INTO required_items (region_code, code, name) VALUES
		('520102', 'EV-A1', '甲'), ('520102', 'X-MISSING', '缺'), ('520100', 'EV-B1', '乙')`);
	const d = (k) => Q1 + k * DAY;
	s.push(caseSql(2001, 1001, 101, { at: d(1), due: d(10), decided: d(5), visits: 0, exempted: 1, stars: 5 }));
	s.push(caseSql(2002, 1001, 101, { at: d(2), due: d(10), decided: d(12), channel: 'window', visits: 2, stars: 2 }));
	s.push(caseSql(2003, 1001, 101, { at: d(3), due: NOW_S - DAY, channel: 'mobile', phase: 'decision', visits: 1 }));
	s.push(caseSql(2004, 1002, 101, { at: d(4), due: NOW_S + DAY, channel: 'mobile', phase: 'acceptance', exempted: 1, stars: 4 }));
	s.push(caseSql(2005, 1002, 101, { at: Q1 - 1, due: Q1 + DAY, decided: Q1 }));
	s.push(caseSql(2006, 1004, 102, { at: d(5), due: d(20), decided: d(20), channel: 'window', visits: 3, stars: 3 }));
	s.push(caseSql(2007, 1001, 101, { at: Q2, due: Q2 + 9 * DAY, decided: Q2 + DAY }));
	s.push(`INSERT INTO supervision_items (kind, case_id, dept_id, title, opened_at, due_day, due_at, status)
		VALUES ('bad_rating', 2002, 101, '差评整改', ${d(13)}, 20000, ${d(30)}, 'closed'),
		       ('bad_rating', 2001, 101, '差评整改', ${d(14)}, 20000, ${d(30)}, 'open')`);
	for (const stmt of s) node.sql(stmt);
}

const get = (node, path) => api(node.url, 'GET', path);

function fieldError(res, status, field, reason) {
	assert.equal(res.status, status, res.text);
	assert.match(res.headers.get('content-type'), /problem\+json/);
	const e = res.json.errors.find((x) => x.field === field);
	assert.ok(e, `no error for ${field}: ${res.text}`);
	if (reason) assert.equal(e.reason, reason);
}

function byCode(doc, code) {
	const r = doc.regions.find((x) => x.code === code);
	assert.ok(r, `region ${code} missing`);
	return r;
}

describe('capability evaluation: exact figures', () => {
	let node;

	before(async () => {
		node = await startNode({ now: NOW, init: false });
		const r = node.cli(['init', '--no-demo']);
		assert.equal(r.code, 0, r.stderr);
		buildSmall(node);
	});
	after(async () => {
		await node?.stop();
	});

	it('ranks the regions with the hand-computed figures', async () => {
		const res = await get(node, '/api/v1/evaluation?period=2026-Q1');
		assert.equal(res.status, 200, res.text);
		const doc = res.json;
		assert.equal(doc.period, '2026-Q1');
		assert.equal(doc.from, '2026-01-01');
		assert.equal(doc.to, '2026-03-31');
		assert.equal(doc.previous, '2025-Q4');
		assert.deepEqual(doc.weights, { coverage: 1, guide: 1, maturity: 1, channels: 1, effectiveness: 1 });
		assert.deepEqual(doc.bands, [
			{ grade: 'very_high', min: 90 },
			{ grade: 'high', min: 80 },
			{ grade: 'medium', min: 60 },
			{ grade: 'low', min: 0 },
		]);
		assert.deepEqual(
			doc.regions.map((r) => [r.parent, r.code, r.rank, r.of]),
			[
				[null, '000000', 1, 1],
				['000000', '520000', 1, 1],
				['520000', '520200', 1, 2],
				['520000', '520100', 2, 2],
				['520100', '520102', 1, 2],
				['520100', '520103', 2, 2],
				['520200', '520201', 1, 1],
			],
		);
		const nm = byCode(doc, '520102');
		assert.equal(nm.name, '南明区');
		assert.equal(nm.level, 'county');
		assert.deepEqual(nm.indicators, {
			coverage: { score: 50, measures: { published: 50, online: 50 } },
			guide: { score: 50, measures: { complete: 50 } },
			maturity: {
				score: 51.67,
				measures: { full_online: 50, zero_visit: 50, trips: 75, exempted: 50, compression: 33.33 },
			},
			channels: { score: 40, measures: { offered: 40 } },
			effectiveness: {
				score: 56.25,
				measures: { online_share: 75, on_time: 33.33, rating: 66.67, rectification: 50 },
			},
		});
		assert.equal(nm.composite, 49.58);
		assert.equal(nm.grade, 'low');
		assert.equal(nm.cases, 4);
		assert.equal(nm.items, 2);
		assert.deepEqual(nm.absent, []);
		assert.equal(nm.previous_composite, 57.33);
		assert.equal(nm.previous_rank, 1);
		assert.equal(nm.change, -7.75);

		const yy = byCode(doc, '520103');
		assert.deepEqual(
			[yy.indicators.coverage.score, yy.indicators.coverage.measures.published, yy.indicators.guide.score],
			[100, null, 0],
		);
		assert.equal(yy.indicators.maturity.score, 37.5);
		assert.equal(yy.indicators.maturity.measures.exempted, null);
		assert.equal(yy.indicators.effectiveness.score, 50);
		assert.equal(yy.indicators.effectiveness.measures.rectification, null);
		assert.deepEqual([yy.composite, yy.grade, yy.previous_composite, yy.previous_rank, yy.change], [45.5, 'low', 47.5, 2, -2]);

		const gy = byCode(doc, '520100');
		assert.deepEqual(
			Object.fromEntries(Object.entries(gy.indicators).map(([k, v]) => [k, v.score])),
			{ coverage: 66.67, guide: 33.33, maturity: 50.33, channels: 40, effectiveness: 55.63 },
		);
		assert.equal(gy.indicators.coverage.measures.published, 66.67);
		assert.equal(gy.composite, 49.19);
		assert.equal(gy.cases, 5);

		const lps = byCode(doc, '520200');
		assert.deepEqual([lps.composite, lps.grade, lps.rank], [100, 'very_high', 1]);
		assert.deepEqual(lps.absent, ['effectiveness']);
		assert.equal(lps.indicators.effectiveness.score, null);
		assert.equal(lps.change, 100 - 100);
	});

	it('filters by parent and keeps ranks within the group', async () => {
		const res = await get(node, '/api/v1/evaluation?period=2026-Q1&parent=520100');
		assert.equal(res.status, 200);
		assert.deepEqual(
			res.json.regions.map((r) => [r.code, r.rank, r.composite]),
			[
				['520102', 1, 49.58],
				['520103', 2, 45.5],
			],
		);
	});

	it('details a region with departments, guide failures and trend', async () => {
		const res = await get(node, '/api/v1/evaluation/regions/520100?period=2026-Q1');
		assert.equal(res.status, 200, res.text);
		const d = res.json;
		assert.equal(d.code, '520100');
		assert.equal(d.composite, 49.19);
		assert.equal(d.rank, 2);
		assert.deepEqual(
			d.departments.map((x) => [x.id, x.name, x.composite, x.indicators.coverage.measures.published]),
			[
				[101, '南明区测试局A', 49.58, null],
				[102, '云岩区测试局B', 45.5, null],
			],
		);
		assert.deepEqual(
			d.guide_failures.map((g) => [g.item_id, g.code, g.dept, g.checks]),
			[
				[1002, 'EV-A2', '南明区测试局A', ['fee']],
				[1004, 'EV-B1', '云岩区测试局B', ['no_materials', 'web_channel']],
			],
		);
		assert.deepEqual(d.trend, [
			{ period: '2024-Q4', composite: null, rank: null },
			{ period: '2025-Q1', composite: null, rank: null },
			{ period: '2025-Q2', composite: null, rank: null },
			{ period: '2025-Q3', composite: 46.81, rank: 2 },
			{ period: '2025-Q4', composite: 57.67, rank: 2 },
			{ period: '2026-Q1', composite: 49.19, rank: 2 },
		]);
	});

	it('gives the trend by kind', async () => {
		const res = await get(node, '/api/v1/evaluation/trend?kind=month&count=4&parent=520100');
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.periods, ['2026-01', '2026-02', '2026-03', '2026-04']);
		const nm = res.json.regions.find((r) => r.code === '520102');
		/* 2026-04 holds c7 only (A1, web, closed on time): recomputed below. */
		assert.equal(nm.composite.length, 4);
		assert.equal(nm.composite[1], nm.composite[2]); /* Feb and Mar: no cases */
	});

	it('prints the same document from the CLI, as CSV and as HTML', async () => {
		const api1 = (await get(node, '/api/v1/evaluation?period=2026-Q1')).json;
		const j = node.cli(['evaluate', '--period', '2026-Q1', '--format', 'json']);
		assert.equal(j.code, 0, j.stderr);
		assert.deepEqual(JSON.parse(j.stdout), api1);
		const c = node.cli(['evaluate', '--period', '2026-Q1', '--format', 'csv']);
		assert.equal(c.code, 0);
		const lines = c.stdout.split('\r\n');
		assert.match(lines[0], /^period,rank,of,code,name,name_en,level,parent,composite,grade,coverage,guide,maturity,channels,effectiveness,previous_composite,previous_rank,change,cases,items,absent$/);
		assert.equal(lines.length, api1.regions.length + 2); /* header + rows + final empty */
		assert.ok(lines.includes('2026-Q1,1,2,520102,南明区,Nanming District,county,520100,49.58,low,50.00,50.00,51.67,40.00,56.25,57.33,1,-7.75,4,2,'));
		const t = node.cli(['evaluate', '--period', '2026-Q1', '--parent', '520100']);
		assert.equal(t.code, 0);
		assert.match(t.stdout, /排名\s+地区\s+综合指数\s+等级\s+覆盖度\s+准确度\s+成熟度\s+完备度\s+成效度\s+变化/);
		assert.match(t.stdout, /1 {2}南明区\s+49\.58 {2}低\s+50\.00\s+50\.00\s+51\.67\s+40\.00\s+56\.25\s+-7\.75/);
		const h = node.cli(['evaluate', '--period', '2026-Q1', '--format', 'html', '--lang', 'en']);
		assert.equal(h.code, 0);
		assert.match(h.stdout, /^<!DOCTYPE html>/);
		assert.match(h.stdout, /@page\{size:A4/);
		assert.match(h.stdout, /break-inside:avoid/);
		assert.match(h.stdout, /<svg /);
		assert.doesNotMatch(h.stdout, /(src|href)=|url\(|@import/);
		assert.match(h.stdout, /Nanming District/);
		const bad = node.cli(['evaluate', '--period', '2026-Q9']);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /quarter must be Q1-Q4/);
	});

	it('refuses bad input naming the field', async () => {
		fieldError(await get(node, '/api/v1/evaluation?period=2026-13'), 400, 'period', 'range');
		fieldError(await get(node, '/api/v1/evaluation?period=x'), 400, 'period', 'format');
		fieldError(await get(node, '/api/v1/evaluation?parent=999999'), 404, 'parent', 'not_found');
		fieldError(await get(node, '/api/v1/evaluation?parent=abc'), 400, 'parent', 'format');
		fieldError(await get(node, '/api/v1/evaluation/analysis?period=2026-Q1'), 400, 'indicator', 'required');
		fieldError(await get(node, '/api/v1/evaluation/analysis?period=2026-Q1&indicator=GDP'), 400, 'indicator', 'format');
		fieldError(await get(node, '/api/v1/evaluation/analysis?indicator=gdp&score=speed'), 400, 'score');
		fieldError(await get(node, '/api/v1/evaluation/trend?kind=week'), 400, 'kind', 'enum');
		fieldError(await get(node, '/api/v1/evaluation/trend?count=0'), 400, 'count');
		fieldError(await get(node, '/api/v1/evaluation/regions/999999'), 404, 'code', 'not_found');
		fieldError(await get(node, '/api/v1/evaluation/regions/520123'), 404, 'code', 'not_evaluated');
	});

	it('refuses a bad weight or band setting by name, at start and in the CLI', () => {
		const serve = node.cli(['serve'], { ZT_EVAL_WEIGHTS: 'coverage:1,speed:2', ZT_LISTEN: '127.0.0.1:0' });
		assert.equal(serve.code, 1);
		assert.match(serve.stderr, /^serve: eval_weights: unknown indicator "speed"/m);
		const ev = node.cli(['evaluate', '--period', '2026'], { ZT_EVAL_BANDS: 'high:80,very_high:90' });
		assert.equal(ev.code, 1);
		assert.match(ev.stderr, /eval_bands/);
	});

	it('imports external indicators all or nothing and analyses them', async () => {
		const bad = join(node.dataDir, 'bad.csv');
		writeFileSync(
			bad,
			'region_code,period,indicator,value\r\n' +
				'520102,2026-Q1,gdp_per_capita,85000\r\n' +
				'999999,2026-Q1,gdp_per_capita,1\r\n' +
				'520103,2026-13,gdp_per_capita,1\r\n' +
				'520103,2026-Q1,GDP,1\r\n' +
				'520103,2026-Q1,gdp_per_capita,inf\r\n' +
				'"520102",2026-Q1,gdp_per_capita,"1"\r\n',
		);
		let r = node.cli(['indicators', 'import', bad]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /line 3: region_code: unknown/);
		assert.match(r.stderr, /line 4: period: range/);
		assert.match(r.stderr, /line 5: indicator: format/);
		assert.match(r.stderr, /line 6: value: number/);
		assert.match(r.stderr, /line 7: indicator: duplicate: the same region, period and indicator as line 2/);
		assert.match(r.stderr, /5 of 6 row\(s\) rejected; nothing was imported/);
		assert.equal(node.count('SELECT count(*) AS n FROM indicator_values'), 0);

		const x = { '520102': 85000, '520103': 120000, '520201': 40000, '520100': 100000 };
		const good = join(node.dataDir, 'good.csv');
		const csv = (vals) =>
			'indicator,region_code,value,period\n' +
			Object.entries(vals)
				.map(([code, v]) => `gdp_per_capita,${code},${v},2026-Q1`)
				.join('\n') +
			'\n';
		writeFileSync(good, csv(x));
		r = node.cli(['indicators', 'import', good, '--source', '统计年鉴 2026']);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout.trim(), 'imported 4 rows (4 inserted, 0 updated) from 统计年鉴 2026');
		x['520201'] = 45000;
		writeFileSync(good, csv(x));
		r = node.cli(['indicators', 'import', good]);
		assert.equal(r.stdout.trim(), 'imported 4 rows (0 inserted, 4 updated) from good.csv');
		assert.deepEqual(node.sql("SELECT value, source FROM indicator_values WHERE region_code = '520201'"), [
			{ value: 45000, source: 'good.csv' },
		]);

		const list = await get(node, '/api/v1/evaluation/indicators');
		assert.deepEqual(list.json, { indicators: [{ name: 'gdp_per_capita', periods: ['2026-Q1'], regions: 4 }] });

		const ev = (await get(node, '/api/v1/evaluation?period=2026-Q1')).json;
		const pts = ev.regions.filter((g) => g.code in x).map((g) => ({ code: g.code, x: x[g.code], y: g.composite }));
		const res = await get(node, '/api/v1/evaluation/analysis?period=2026-Q1&indicator=gdp_per_capita');
		assert.equal(res.status, 200, res.text);
		const a = res.json;
		assert.equal(a.n, 4);
		assert.equal(a.score, 'composite');
		const X = pts.map((p) => p.x),
			Y = pts.map((p) => p.y);
		assert.equal(a.pearson, r2(pearson(X, Y)));
		assert.equal(a.spearman, r2(pearson(avgRanks(X), avgRanks(Y))));
		const U = X.map(Math.log);
		const mu = mean(U),
			my = mean(Y);
		const b = sum(U.map((u, i) => (u - mu) * (Y[i] - my))) / sum(U.map((u) => (u - mu) ** 2));
		const a0 = my - b * mu;
		assert.equal(a.fit.a, r2(a0));
		assert.equal(a.fit.b, r2(b));
		assert.equal(a.fit.r2, r2(pearson(U, Y) ** 2));
		const resid = pts.map((p) => ({ code: p.code, r: p.y - (a0 + b * Math.log(p.x)) }));
		for (const p of a.points) {
			const mine = resid.find((z) => z.code === p.code);
			assert.equal(p.residual, r2(mine.r));
			assert.equal(p.x, x[p.code]);
		}
		const sorted = [...resid].sort((u, v) => v.r - u.r);
		assert.deepEqual(a.above, sorted.filter((z) => z.r > 0).slice(0, 3).map((z) => z.code));
		assert.deepEqual(a.below, sorted.reverse().filter((z) => z.r < 0).slice(0, 3).map((z) => z.code));

		/* Only two regions under 520100 have a value. */
		fieldError(
			await get(node, '/api/v1/evaluation/analysis?period=2026-Q1&indicator=gdp_per_capita&parent=520100'),
			422,
			'indicator',
			'too_few_regions',
		);
		fieldError(await get(node, '/api/v1/evaluation/analysis?period=2026-Q2&indicator=gdp_per_capita'), 422, 'indicator', 'too_few_regions');
	});
});

function sum(v) {
	return v.reduce((s, x) => s + x, 0);
}
function mean(v) {
	return sum(v) / v.length;
}
function pearson(x, y) {
	const mx = mean(x),
		my = mean(y);
	const sxy = sum(x.map((v, i) => (v - mx) * (y[i] - my)));
	return sxy / Math.sqrt(sum(x.map((v) => (v - mx) ** 2)) * sum(y.map((v) => (v - my) ** 2)));
}
function avgRanks(v) {
	const idx = v.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
	const out = new Array(v.length);
	for (let i = 0; i < idx.length; ) {
		let j = i;
		while (j < idx.length && idx[j][0] === idx[i][0]) j++;
		for (let k = i; k < j; k++) out[idx[k][1]] = (i + j + 1) / 2;
		i = j;
	}
	return out;
}

/* Plain-SQL sums per region (its whole subtree) for [from, to). */
function sqlFigures(node, from, to, now) {
	const blank = `' ' || char(9) || char(10) || char(13) || char(11) || char(12) || char(12288)`;
	const short = (col) => `length(trim(i.${col}, ${blank})) < ${col === 'fee' ? 1 : 4}`;
	return node.sql(`
WITH RECURSIVE anc(code, anc) AS (
  SELECT code, code FROM regions
  UNION ALL SELECT anc.code, r.parent FROM anc JOIN regions r ON r.code = anc.anc WHERE r.parent IS NOT NULL),
it AS (
  SELECT i.id, i.code, d.region_code AS reg, i.depth, i.max_visits, i.channels, i.legal_days, i.promised_days,
    (SELECT count(*) FROM materials m WHERE m.item_id = i.id AND m.required = 1) AS nreq,
    CASE WHEN i.promised_days > i.legal_days
      OR NOT EXISTS (SELECT 1 FROM materials m WHERE m.item_id = i.id)
      OR ${short('legal_basis')} OR ${short('fee')} OR ${short('place')} OR ${short('office_hours')}
      OR ${short('consult')} OR ${short('complaint')}
      OR NOT json_valid(i.process) OR json_type(i.process) <> 'array' OR json_array_length(i.process) < 2
      OR (i.depth >= 4 AND (i.channels & 1) = 0) OR (i.max_visits = 0 AND i.channels = 4)
    THEN 0 ELSE 1 END AS complete,
    ((i.channels & 1) > 0) + ((i.channels & 2) > 0) + ((i.channels & 4) > 0) + ((i.channels & 8) > 0)
      + ((i.channels & 16) > 0) AS nch
  FROM service_items i JOIN departments d ON d.id = i.dept_id
  WHERE i.status = 'published' AND coalesce(i.published_at, 0) < ${to}),
cs AS (
  SELECT item_id, count(*) AS n, sum(channel IN ('web', 'mobile')) AS online,
    sum(phase = 'closed' AND decided_at <= due_at) AS on_time,
    sum((phase = 'closed' AND decided_at > due_at) OR (phase <> 'closed' AND due_at < ${now})) AS late,
    sum(visits) AS visits, sum(exempted) AS exempted, count(stars) AS rated, sum(stars) AS stars
  FROM cases WHERE submitted_at >= ${from} AND submitted_at < ${to} GROUP BY item_id),
reg AS (
  SELECT a.anc AS code, count(*) AS items, sum(it.depth >= 4) AS online_items,
    sum(it.depth BETWEEN 5 AND 7) AS full_online, sum(it.max_visits = 0) AS zero_visit,
    sum(it.complete) AS complete, sum(it.legal_days) AS legal, sum(it.promised_days) AS promised,
    sum(it.nch) AS nch, coalesce(sum(cs.n), 0) AS cases, coalesce(sum(cs.online), 0) AS cases_online,
    coalesce(sum(cs.on_time), 0) AS on_time, coalesce(sum(cs.late), 0) AS late,
    coalesce(sum(cs.visits), 0) AS visits, coalesce(sum(cs.exempted), 0) AS exempted,
    coalesce(sum(cs.n * it.nreq), 0) AS req_materials, coalesce(sum(cs.rated), 0) AS rated,
    coalesce(sum(cs.stars), 0) AS stars
  FROM it JOIN anc a ON a.code = it.reg LEFT JOIN cs ON cs.item_id = it.id GROUP BY a.anc),
rect AS (
  SELECT a.anc AS code, count(*) AS opened, sum(s.status = 'closed') AS closed
  FROM supervision_items s JOIN departments d ON d.id = s.dept_id JOIN anc a ON a.code = d.region_code
  WHERE s.kind = 'bad_rating' AND s.opened_at >= ${from} AND s.opened_at < ${to} GROUP BY a.anc),
req AS (
  SELECT a.anc AS code, count(*) AS required,
    sum(EXISTS (SELECT 1 FROM it JOIN anc b ON b.code = it.reg WHERE b.anc = a.anc AND it.code = q.code)) AS published
  FROM required_items q JOIN anc a ON a.code = q.region_code GROUP BY a.anc)
SELECT reg.*, coalesce(rect.opened, 0) AS opened, coalesce(rect.closed, 0) AS closed,
  coalesce(req.required, 0) AS required, coalesce(req.published, 0) AS req_published
FROM reg LEFT JOIN rect ON rect.code = reg.code LEFT JOIN req ON req.code = reg.code ORDER BY reg.code`);
}

/* The five indicators from the sums, as docs/evaluation.md defines them. */
function scoresFrom(f) {
	const ratio = (n, d) => (d > 0 ? (100 * n) / d : null);
	const m = {
		coverage: { published: ratio(f.req_published, f.required), online: ratio(f.online_items, f.items) },
		guide: { complete: ratio(f.complete, f.items) },
		maturity: {
			full_online: ratio(f.full_online, f.items),
			zero_visit: ratio(f.zero_visit, f.items),
			trips: f.cases > 0 ? 100 * (1 - Math.min(f.visits / f.cases, 3) / 3) : null,
			exempted: f.req_materials > 0 ? Math.min(100, (100 * f.exempted) / f.req_materials) : null,
			compression: ratio(f.legal - f.promised, f.legal),
		},
		channels: { offered: ratio(f.nch, 5 * f.items) },
		effectiveness: {
			online_share: ratio(f.cases_online, f.cases),
			on_time: ratio(f.on_time, f.on_time + f.late),
			rating: f.rated > 0 ? ((f.stars / f.rated - 1) / 4) * 100 : null,
			rectification: ratio(f.closed, f.opened),
		},
	};
	const ind = {};
	for (const [k, ms] of Object.entries(m)) {
		const present = Object.values(ms).filter((v) => v !== null);
		ind[k] = { score: present.length ? sum(present) / present.length : null, measures: ms };
	}
	const present = Object.values(ind).filter((v) => v.score !== null).map((v) => v.score);
	return { indicators: ind, composite: present.length ? sum(present) / present.length : null };
}

describe('capability evaluation: a generated data set against SQL', { skip: PG && 'SQLite-specific SQL' }, () => {
	let node;
	const GNOW = '2026-05-15T10:00:00+08:00';

	before(async () => {
		node = await startNode({ now: GNOW });
	});
	after(async () => {
		await node?.stop();
	});

	it('matches a direct SQL computation for every region', async () => {
		const g = node.cli(['demo', 'generate', '--regions', '6', '--cases', '3000', '--seed', '7']);
		assert.equal(g.code, 0, g.stderr);
		assert.ok(node.count('SELECT count(*) AS n FROM cases') >= 3000);
		const res = await get(node, '/api/v1/evaluation?period=2026');
		assert.equal(res.status, 200, res.text);
		const figs = sqlFigures(node, 1767196800, 1798732800, 1778810400);
		const evaluated = res.json.regions.map((r) => r.code).sort();
		assert.deepEqual(evaluated, figs.map((f) => f.code).sort());
		assert.ok(evaluated.length >= 7);
		for (const f of figs) {
			const want = scoresFrom(f);
			const got = byCode(res.json, f.code);
			assert.equal(got.cases, f.cases, f.code);
			assert.equal(got.items, f.items, f.code);
			for (const [k, v] of Object.entries(want.indicators)) {
				assert.equal(got.indicators[k].score, v.score === null ? null : r2(v.score), `${f.code} ${k}`);
				for (const [mk, mv] of Object.entries(v.measures))
					assert.equal(got.indicators[k].measures[mk], mv === null ? null : r2(mv), `${f.code} ${k}.${mk}`);
			}
			assert.equal(got.composite, want.composite === null ? null : r2(want.composite), f.code);
		}
		/* Ranks within each parent group follow the rounded composites. */
		for (const r of res.json.regions) {
			const peers = res.json.regions.filter((p) => p.parent === r.parent && p.composite !== null);
			if (r.composite === null) continue;
			assert.equal(r.rank, 1 + peers.filter((p) => p.composite > r.composite).length, r.code);
			assert.equal(r.of, peers.length);
		}
	});
});
