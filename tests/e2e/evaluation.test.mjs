// evaluation.test.mjs - the capability evaluation dashboard (能力评估) and the
// service-quality page (好差评) in the browser, on a node of their own with
// generated data (`demo generate --regions 8 --cases 4000 --seed 3`), so
// the generated regions and items do not change what the other tests see.
//
// Test plan:
// - The ranking table lists the API's regions (GET /evaluation?parent=)
//   in the API's order, with their ranks, composites and grades; the bar,
//   scatter and trend charts are drawn (a canvas with pixels on it); the
//   scatter labels exactly the API's above/below regions and the page
//   shows Pearson, Spearman and R² as the API gives them.
// - A region's page shows the radar, every sub-measure, the departments,
//   the failed guide checks in words (never the check ids) and the API's
//   missing required items (their codes, in order, and their total).
// - In English every piece of interface text is English and dates are
//   written "1 Jan 2026"; charts are drawn again.
// - The print style hides the navigation and the filters and keeps the charts.
// - The quality page lists the API's departments and draws their averages.
// - No console errors and no Content-Security-Policy violations anywhere
//   (ECharts draws under the portal's strict CSP); the vendored ECharts is
//   the pinned npm package's file.
// Screenshots: evaluation, evaluation-scatter, evaluation-region,
// evaluation-en, evaluation-region-en, evaluation-print, quality, quality-en.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, open, settle, shot, axe, noHorizontalScroll, interfaceText, expectNoErrors, CJK, REPO, SHOTS } from './lib.mjs';

const BIN = process.env.ZT_E2E_BIN;
let browser;
let node;
let dir;
let B2;
const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

function nodeEnv(now) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ZT_')) env[k] = v;
	return { ...env, ZT_DATA_DIR: dir, ZT_CALENDAR_DIR: join(REPO, 'calendar'), ZT_WEB_DIR: join(REPO, 'web'), ZT_LISTEN: '127.0.0.1:0', ZT_SLA_INTERVAL: '0', ZT_THREADS: '4', ZT_NOW: now };
}

before(async () => {
	assert.ok(BIN, 'ZT_E2E_BIN is not set: run the tests with tests/e2e/run /abs/path/to/zhengtong');
	dir = mkdtempSync(join(tmpdir(), 'zt-e2e-eval-'));
	execFileSync(BIN, ['init'], { env: nodeEnv('2026-03-02T09:00:00+08:00'), stdio: 'pipe' });
	execFileSync(BIN, ['demo', 'generate', '--regions', '8', '--cases', '4000', '--seed', '3'], { env: nodeEnv('2026-03-09T10:00:00+08:00'), stdio: 'pipe' });
	node = spawn(BIN, ['serve'], { env: nodeEnv('2026-03-09T10:00:00+08:00'), stdio: ['ignore', 'ignore', 'pipe'] });
	B2 = await new Promise((resolve, reject) => {
		let log = '';
		const timer = setTimeout(() => reject(new Error(`the evaluation node did not start: ${log}`)), 10000);
		node.stderr.on('data', (d) => {
			log += d;
			const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]);
			}
		});
		node.on('exit', (c) => reject(new Error(`the evaluation node exited (${c}): ${log}`)));
	});
	browser = await launch();
});

after(async () => {
	await browser?.close();
	if (node && node.exitCode === null) {
		node.kill();
		await new Promise((r) => node.once('exit', r));
	}
	if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get(path) {
	const res = await fetch(`${B2}/api/v1${path}`);
	assert.equal(res.status, 200, `GET ${path}`);
	return res.json();
}

/** A page on the evaluation node, recording CSP violations in window.__csp. */
async function page2(opts) {
	const page = await open(browser, opts);
	await page.context().route(`${B2}/__e2e__/axe.min.js`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: AXE }));
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	return page;
}

async function go2(page, hash) {
	await page.goto(`${B2}/${hash}`);
	await settle(page);
}

/** Waits until every chart on the page is drawn; returns {id: painted pixels} */
async function chartsDrawn(page) {
	await page.waitForFunction(() => {
		const cs = [...document.querySelectorAll('.chart')];
		return cs.length > 0 && cs.every((c) => c.dataset.chart === 'ready' && c.querySelector('canvas'));
	});
	return page.evaluate(() => {
		const out = {};
		for (const c of document.querySelectorAll('.chart')) {
			const cv = c.querySelector('canvas');
			const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			let n = 0;
			for (let i = 3; i < px.length; i += 4 * 7) if (px[i] > 0) n++;
			out[c.id] = n;
		}
		return out;
	});
}

async function clean(page) {
	assert.deepEqual(await page.evaluate(() => window.__csp), [], 'Content-Security-Policy violations');
	expectNoErrors(page);
}

async function checked(page, name) {
	await shot(page, name);
	await axe(page, name);
	await noHorizontalScroll(page, name);
}

const num = (v) => Number(v).toFixed(2);

test('the vendored ECharts is the pinned npm file', () => {
	const vendored = join(REPO, 'web', 'vendor', 'echarts', 'echarts.esm.min.mjs');
	assert.ok(existsSync(vendored));
	const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
	assert.match(pkg.dependencies.echarts, /^\d+\.\d+\.\d+$/, 'an exact version');
	const npm = join(REPO, 'node_modules', 'echarts', 'dist', 'echarts.esm.min.mjs');
	if (existsSync(npm)) {
		assert.equal(JSON.parse(readFileSync(join(REPO, 'node_modules', 'echarts', 'package.json'), 'utf8')).version, pkg.dependencies.echarts);
		assert.ok(readFileSync(vendored).equals(readFileSync(npm)), 'web/vendor/echarts equals node_modules/echarts (npm run vendor)');
	}
});

test('the dashboard ranks the regions as the API does, with charts and the economic analysis', async () => {
	const all = await get('/evaluation');
	const parent = '000000';
	const api = await get(`/evaluation?period=${all.period}&parent=${parent}`);
	assert.ok(api.regions.length >= 8, 'the generated regions are evaluated');
	const page = await page2();
	await go2(page, '#/');
	await page.getByRole('link', { name: '能力评估' }).click();
	await page.locator('h1', { hasText: '政务服务能力评估' }).waitFor();
	await settle(page);
	assert.equal(await page.inputValue('#ev-parent'), parent, 'the parent with the most evaluated regions is chosen');
	const rows = await page.locator('#ev-ranking tbody tr').evaluateAll((trs) => trs.map((tr) => ({ code: tr.dataset.code, cells: [...tr.cells].map((c) => c.innerText.trim()) })));
	assert.deepEqual(
		rows.map((r) => r.code),
		api.regions.map((r) => r.code),
		'the rows are the API regions in order',
	);
	const gradeWord = { very_high: '非常高', high: '高', medium: '中', low: '低' };
	api.regions.forEach((r, i) => {
		const c = rows[i].cells;
		assert.equal(c[0], `${r.rank}/${r.of}`);
		assert.equal(c[1], r.name);
		assert.equal(c[2], num(r.composite));
		assert.equal(c[3], gradeWord[r.grade]);
		assert.equal(c[4], r.indicators.coverage.score === null ? '—' : num(r.indicators.coverage.score));
		if (r.change === null) assert.ok(c[9].startsWith('—'), `change of ${r.code} (not evaluated before): ${c[9]}`);
		else assert.ok(c[9].includes(num(Math.abs(r.change))) && c[9].startsWith(r.change > 0 ? '↑' : r.change < 0 ? '↓' : '持平'), `change of ${r.code}: ${c[9]}`);
	});
	const drawn = await chartsDrawn(page);
	for (const id of ['ev-bars', 'ev-scatter', 'ev-trend']) assert.ok(drawn[id] > 200, `${id} is drawn (${drawn[id]})`);
	await page.locator('.bands-list li').first().waitFor();
	assert.equal(await page.locator('.bands-list li').count(), api.bands.length);

	/* the scatter: the fitted line and exactly the API's outliers labelled */
	const ind = await page.inputValue('#ev-indicator');
	assert.equal(ind, 'gdp_per_capita');
	const a = await get(`/evaluation/analysis?period=${all.period}&indicator=${ind}&parent=${parent}`);
	assert.ok(a.above.length > 0 && a.below.length > 0);
	assert.deepEqual(await page.locator('#ev-above li').evaluateAll((l) => l.map((x) => x.dataset.code)), a.above);
	assert.deepEqual(await page.locator('#ev-below li').evaluateAll((l) => l.map((x) => x.dataset.code)), a.below);
	const stats = await page.locator('#ev-stats dd').allInnerTexts();
	assert.deepEqual(stats, [String(a.n), a.pearson.toFixed(3), a.spearman.toFixed(3), a.fit.r2.toFixed(3)]);
	const labelled = await page.evaluate(async () => {
		const ec = await import('/vendor/echarts/echarts.esm.min.mjs');
		const opt = ec.getInstanceByDom(document.querySelector('#ev-scatter')).getOption();
		return { labels: opt.series[0].data.filter((d) => d.label && d.label.show).map((d) => [d.code, d.label.formatter]), line: opt.series[1].data.length };
	});
	const names = new Map(a.points.map((p) => [p.code, p.name]));
	assert.deepEqual(
		labelled.labels.map(([c]) => c).sort(),
		[...a.above, ...a.below].sort(),
		'the outliers are labelled on the chart',
	);
	for (const [c, label] of labelled.labels) assert.equal(label, names.get(c));
	assert.ok(labelled.line > 2, 'the fitted line is drawn');
	await checked(page, 'evaluation');
	await page.locator('#ev-scatter').scrollIntoViewIfNeeded();
	await page.locator('.chart-figure', { has: page.locator('#ev-scatter') }).screenshot({ path: join(SHOTS, 'evaluation-scatter.png') });
	await clean(page);
});

test("a region's breakdown: radar, sub-measures, departments, failed guide checks, missing items", async () => {
	const all = await get('/evaluation?parent=000000');
	const top = all.regions[0];
	const r = await get(`/evaluation/regions/${top.code}?period=${all.period}`);
	const page = await page2();
	await go2(page, `#/evaluation?period=${all.period}&parent=000000`);
	await page.locator(`#ev-ranking tr[data-code="${top.code}"] a`).click();
	await page.locator('h1', { hasText: top.name }).waitFor();
	await settle(page);
	assert.equal((await page.locator('#ev-composite').innerText()).trim(), num(r.composite));
	const drawn = await chartsDrawn(page);
	assert.ok(drawn['ev-radar'] > 200, 'the radar is drawn');
	const measures = Object.values(r.indicators).reduce((n, i) => n + Object.keys(i.measures).length, 0);
	assert.equal(await page.locator('#ev-measures .measure-row').count(), measures);
	assert.equal(await page.locator('#ev-depts tbody tr').count(), r.departments.length);
	assert.ok(r.guide_failures.length > 0, 'generated items with incomplete guides');
	assert.equal(await page.locator('#ev-failures tbody tr').count(), r.guide_failures.length);
	const checks = await page.locator('#ev-failures .checks li').allInnerTexts();
	assert.equal(checks.length, r.guide_failures.reduce((n, f) => n + f.checks.length, 0));
	for (const c of checks) assert.ok(CJK.test(c) && !/^[a-z_]+$/.test(c), `a check in words: ${c}`);
	assert.ok(r.missing_total > 0, 'generated required items left unpublished');
	assert.equal(await page.locator('#ev-missing-total').getAttribute('data-total'), String(r.missing_total));
	assert.ok((await page.locator('#ev-missing-total').innerText()).includes(String(r.missing_total)));
	assert.deepEqual(await page.locator('#ev-missing tbody tr td:first-child').allInnerTexts(), r.missing_items.map((m) => m.code));
	assert.equal(await page.locator('#ev-region-trend tbody tr').count(), r.trend.length);
	await checked(page, 'evaluation-region');
	await clean(page);
});

test('in English, and printed', async () => {
	const all = await get('/evaluation?parent=000000');
	const page = await page2();
	await go2(page, '#/evaluation');
	await chartsDrawn(page);
	await page.click('#lang-switch');
	await page.locator('h1', { hasText: 'Government service capability evaluation' }).waitFor();
	await settle(page);
	await chartsDrawn(page);
	const chinese = (await interfaceText(page)).filter((s) => CJK.test(s));
	assert.deepEqual(chinese, [], 'Chinese interface text on the English page');
	const from = all.from.split('-').map(Number);
	const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
	assert.ok((await page.locator('#ev-period-line').innerText()).includes(`${from[2]} ${MON[from[1] - 1]} ${from[0]}`), 'English dates');
	const first = all.regions[0];
	assert.equal((await page.locator('#ev-ranking tbody tr').first().locator('td').nth(1).innerText()).trim(), first.name_en);
	await page.locator('#ev-stats').getByText('Pearson correlation r').waitFor();
	await checked(page, 'evaluation-en');
	await go2(page, `#/evaluation/regions/${first.code}`);
	await chartsDrawn(page);
	assert.deepEqual((await interfaceText(page)).filter((s) => CJK.test(s)), [], 'Chinese interface text on the English region page');
	await checked(page, 'evaluation-region-en');

	/* printed: no navigation, filters or buttons; the charts stay */
	await page.click('#lang-switch');
	await go2(page, '#/evaluation');
	await chartsDrawn(page);
	await page.emulateMedia({ media: 'print' });
	for (const sel of ['#site-nav', '.ev-filter', '#ev-print', '.tabs']) assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
	for (const id of ['#ev-bars', '#ev-scatter', '#ev-trend']) {
		const box = await page.locator(`${id} canvas`).first().boundingBox();
		assert.ok(box && box.width > 300 && box.height > 100, `${id} is printed (${JSON.stringify(box)})`);
	}
	await shot(page, 'evaluation-print');
	await page.emulateMedia({ media: 'screen' });
	await clean(page);
});

test('the service-quality page lists the departments and their averages', async () => {
	const region = '110000';
	const q = await get(`/quality?region=${region}`);
	assert.ok(q.departments.length > 0);
	const page = await page2();
	await go2(page, '#/evaluation');
	await page.getByRole('link', { name: '服务质量（好差评）' }).click();
	await page.locator('h1', { hasText: '服务质量（好差评）' }).waitFor();
	await settle(page);
	await page.selectOption('#q-region', region);
	await page.click('#q-show');
	await page.waitForFunction((r) => location.hash.includes(`region=${r}`) && document.body.dataset.rendered === location.hash, region);
	assert.deepEqual(
		await page.locator('#q-depts tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id))),
		q.departments.map((d) => d.id),
	);
	const firstRated = q.departments.find((d) => d.ratings.count > 0);
	if (firstRated) {
		const cells = await page.locator(`#q-depts tr[data-id="${firstRated.id}"] td`).allInnerTexts();
		assert.equal(cells[1], String(firstRated.ratings.count));
		assert.ok(cells[2].startsWith(num(firstRated.ratings.average)));
	}
	assert.equal(await page.locator('#q-items tbody tr').count(), q.items.length);
	const drawn = await chartsDrawn(page);
	assert.ok(drawn['q-bars'] > 200, 'the averages are drawn');
	await checked(page, 'quality');
	await page.click('#lang-switch');
	await page.locator('h1', { hasText: 'Service quality (ratings)' }).waitFor();
	await settle(page);
	await chartsDrawn(page);
	assert.deepEqual((await interfaceText(page)).filter((s) => CJK.test(s)), [], 'Chinese interface text on the English quality page');
	await checked(page, 'quality-en');
	await clean(page);
});
