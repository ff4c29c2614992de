// opendata.test.mjs - the open data portal (数据开放平台) in the browser.
//
// Setup (through the API, as the demo data officer scjg.data): a resource
// of its own with a unique code (public fields plus a personal legal_rep),
// 37 rows, published as a dataset with a unique code, then 3 more rows and
// a second version (40 rows), so the test does not depend on the demo
// datasets (OD-520102-SCJG-00x) being there. The API side is read with a
// developer key of scjg.data (X-API-Key), so that the checks do not use up
// the anonymous rate limit the browser pages run under.
//
// Test plan:
//   1. #/open, anonymous, from the header link 数据开放: the total and every
//      facet count (部门, 主题, 地区, 格式, 更新频率) are the API's; a search
//      for the run's title lists exactly the API's cards; a theme facet link
//      filters (chip shown, results = API with theme), the chip removes it;
//      links to the DCAT catalog (200, JSON-LD) and developer keys; axe,
//      no sideways scrolling, also at 390 px; screenshots.
//   2. #/open/:id: the title, the data dictionary rows exactly (name, type,
//      description, unit), the preview = the API's first 20 rows cell by
//      cell; a filter (industry eq 制造业) narrows it to the API's rows; a
//      value of the wrong type is refused next to the value field; 下一页
//      shows the API's second page; the quality score and checks equal the
//      API's; the chart is drawn with one bar per API chart item and redrawn
//      for sum(capital); every download link answers 200 with the right
//      content type and row count (BOM only where asked; version 1 = 37
//      rows); axe, 390 px; screenshots.
//   3. A 429 from the API shows "请稍后再试，约 N 秒" (Retry-After), not a
//      broken page.
//   4. Publish form (scjg.data): resource 520102-SCJG-001's personal field
//      legal_rep is shown disabled with its reason; a taken code and an
//      unknown region are shown next to their fields; publishing works,
//      the dataset has no legal_rep and appears in the search; the owner
//      publishes a new version and withdraws it (then 404).
//   5. Developer keys (a citizen): a key is shown once, then listed by its
//      prefix only; it works in X-API-Key (who = key); revoked -> 401.
//   6. English: the portal pages have no Chinese interface text (data
//      aside); screenshots.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, shot, axe, check, noHorizontalScroll, login, token, interfaceText, expectNoErrors, CJK, BASE, CITIZEN } from './lib.mjs';

const RUN = String(Date.now()).slice(-6);
const RES = `520102-SCJG-E2EOD${RUN}`;
const CODE = `OD-E2E-${RUN}`;
const TITLE = `南明区市场主体行业明细（测试${RUN}）`;
const INDUSTRIES = ['批发和零售业', '住宿和餐饮业', '信息技术服务业', '制造业', '建筑业'];

let browser, scjg, devkey, ds;

function rowsOf(n, from = 0) {
	const out = [];
	for (let i = from; i < from + n; i++) {
		out.push({
			credit_code: `91520102E2${String(i).padStart(6, '0')}X`,
			name: `贵阳测试企业${i}有限公司`,
			industry: INDUSTRIES[(i * 3 + (i % 4)) % 5],
			legal_rep: `张${i}`,
			capital: 10 * (i + 1) + 0.5,
			employees: (i * 13) % 50,
			established: `20${10 + (i % 15)}-0${1 + (i % 9)}-1${i % 9}`,
		});
	}
	return out;
}

/* the API as a browserless client: a session token, or the developer key */
async function call(method, path, { tok, body, key = devkey } = {}) {
	const headers = {};
	if (tok) headers.Authorization = `Bearer ${tok}`;
	else if (key) headers['X-API-Key'] = key;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(`${BASE}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, json, text, headers: res.headers };
}

async function ok(method, path, opts) {
	const r = await call(method, path, opts);
	assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
	return r.json;
}

const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')).toString();

before(async () => {
	browser = await launch();
	scjg = await token('scjg.data');
	const k = await call('POST', '/me/api-keys', { tok: scjg, body: { name: `e2e 检查 ${RUN}` } });
	assert.equal(k.status, 201, k.text);
	devkey = k.json.key;
	const res = await ok('POST', '/resources', {
		tok: scjg,
		body: {
			code: RES,
			name: TITLE,
			summary: '南明区市场主体按行业的注册资本与从业人数（浏览器测试数据）。',
			fields: [
				{ name: 'credit_code', label: '统一社会信用代码', type: 'string', sensitivity: 'public' },
				{ name: 'name', label: '名称', type: 'string', sensitivity: 'public' },
				{ name: 'industry', label: '行业', type: 'string', sensitivity: 'public' },
				{ name: 'legal_rep', label: '法定代表人', type: 'string', sensitivity: 'personal' },
				{ name: 'capital', label: '注册资本', type: 'number', sensitivity: 'public' },
				{ name: 'employees', label: '从业人数', type: 'integer', sensitivity: 'public' },
				{ name: 'established', label: '成立日期', type: 'date', sensitivity: 'public' },
			],
			key_field: 'credit_code',
			share_type: 'unconditional',
			share_method: 'api',
			open_type: 'open',
			update_cycle: 'monthly',
		},
	});
	await ok('PUT', `/resources/${res.id}/rows`, { tok: scjg, body: { rows: rowsOf(37) } });
	const pub = await ok('POST', '/datasets', {
		tok: scjg,
		body: {
			resource: RES,
			code: CODE,
			title: TITLE,
			description: '南明区市场主体按行业的注册资本与从业人数，用于浏览器测试。',
			keywords: ['市场主体', '行业', `测试${RUN}`],
			theme: `测试主题${RUN}`,
			license: 'CC-BY-4.0',
			update_frequency: 'monthly',
			temporal_from: '2010-01-01',
			temporal_to: '2026-02-28',
			spatial: ['520102'],
			contact: '南明区市场监督管理局 0851-12345678',
			fields: ['credit_code', 'name', 'industry', { name: 'capital', unit: '万元' }, { name: 'employees', unit: '人' }, 'established'],
		},
	});
	ds = pub.id;
	await ok('PUT', `/resources/${res.id}/rows`, { tok: scjg, body: { rows: rowsOf(3, 37) } });
	const v2 = await ok('POST', `/datasets/${ds}/versions`, { tok: scjg, body: {} });
	assert.equal(v2.version, 2);
});

after(async () => {
	await browser?.close();
});

/** A facet of the API answer as {value: count} (lists or maps). */
function facetCounts(f) {
	if (!f) return {};
	if (Array.isArray(f)) return Object.fromEntries(f.map((x) => [String(x.id ?? x.code ?? x.value), Number(x.count)]));
	return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Number(v)]));
}

async function pageFacets(page) {
	return page.$$eval('#od-facets li[data-facet]', (lis) => {
		const out = {};
		for (const li of lis) {
			out[li.dataset.facet] ??= {};
			out[li.dataset.facet][li.dataset.value] = Number(li.querySelector('.od-count').textContent.replace(/\D/g, ''));
		}
		return out;
	});
}

const cardIds = (page) => page.$$eval('#od-results li.od-result', (els) => els.map((e) => Number(e.dataset.id)));

async function englishOnly(page, name) {
	const chinese = (await interfaceText(page)).filter((s) => CJK.test(s) && s !== '中文');
	assert.deepEqual(chinese, [], `${name}: Chinese interface text on the English page`);
}

test('search: total, facets and results are the API answer', async () => {
	const page = await open(browser);
	await visit(page, '#/');
	await page.click('#site-nav a[href="#/open"]');
	await settle(page);
	assert.equal(await page.textContent('#main h1'), '数据开放平台');
	const all = await ok('GET', '/datasets?limit=10');
	assert.equal(Number(await page.getAttribute('#od-total', 'data-total')), all.total);
	assert.deepEqual(await cardIds(page), all.items.map((d) => d.id));
	const got = await pageFacets(page);
	for (const f of ['dept', 'theme', 'region', 'format', 'update_frequency']) {
		assert.ok(all.facets[f], `the API gives the facet ${f}`);
		assert.deepEqual(got[f] ?? {}, facetCounts(all.facets[f]), `facet ${f}`);
	}
	/* the DCAT catalog and developer keys are linked */
	const dcat = await page.getAttribute('#od-dcat', 'href');
	const cat = await fetch(`${BASE}${dcat}`);
	assert.equal(cat.status, 200);
	assert.match(cat.headers.get('content-type'), /json/);
	assert.equal(await page.getAttribute('#od-devkeys', 'href'), '#/me/api-keys');
	await check(page, 'opendata-search');

	/* full-text search with the form */
	await page.fill('#od-q', `测试${RUN}`);
	await page.click('#od-search');
	await page.waitForFunction(() => location.hash.includes('q='));
	await settle(page);
	const found = await ok('GET', `/datasets?${qs({ q: `测试${RUN}`, limit: 10 })}`);
	assert.deepEqual(found.items.map((d) => d.id), [ds]);
	assert.deepEqual(await cardIds(page), [ds]);
	const card = page.locator(`li.od-result[data-id="${ds}"]`);
	assert.equal(await card.locator('h3 a').textContent(), TITLE);
	assert.match(await card.locator('.od-queries').textContent(), /^查询 \d+ 次$/);
	assert.deepEqual(await card.locator('.od-format').allTextContents(), found.items[0].formats ?? ['CSV', 'JSON']);
	assert.equal(await card.locator('.od-quality').getAttribute('data-score'), String(Math.round(found.items[0].quality_score)));
	assert.equal(await card.locator('.od-rows').textContent(), '40 行');

	/* a facet link filters, its chip removes the filter */
	await visit(page, '#/open');
	await page.click(`#od-facets li[data-facet="theme"][data-value="测试主题${RUN}"] a`);
	await page.waitForFunction(() => location.hash.includes('theme='));
	await settle(page);
	const byTheme = await ok('GET', `/datasets?${qs({ theme: `测试主题${RUN}`, limit: 10 })}`);
	assert.deepEqual(await cardIds(page), byTheme.items.map((d) => d.id));
	assert.equal(byTheme.total, 1);
	assert.deepEqual(await pageFacets(page).then((f) => f.theme), facetCounts(byTheme.facets.theme));
	assert.match(await page.textContent('#od-chips li[data-facet="theme"]'), new RegExp(`主题：测试主题${RUN}`));
	assert.equal(await page.getAttribute(`#od-facets li[data-facet="theme"][data-value="测试主题${RUN}"] a`, 'aria-current'), 'true');
	await check(page, 'opendata-search-theme');
	await page.click('#od-chips li[data-facet="theme"] a');
	await page.waitForFunction(() => !location.hash.includes('theme='));
	await settle(page);
	assert.equal(await page.locator('#od-chips').count(), 0);
	assert.equal(Number(await page.getAttribute('#od-total', 'data-total')), all.total);
	expectNoErrors(page);

	const phone = await open(browser, { width: 390, height: 844 });
	await visit(phone, '#/open');
	await noHorizontalScroll(phone, 'open data search (phone)');
	await shot(phone, 'opendata-search-phone');
	expectNoErrors(phone);
});

/** The preview table as rows of cell texts. */
const previewCells = (page) => page.$$eval('#od-preview tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
const apiCells = (r) => r.items.map((row) => r.fields.map((f) => (row[f] === null || row[f] === undefined || row[f] === '' ? '—空' : typeof row[f] === 'boolean' ? (row[f] ? '是' : '否') : String(row[f]))));

async function chartBars(page) {
	await page.waitForFunction(() => {
		const c = document.querySelector('#od-chart-box .chart');
		return c && c.dataset.chart === 'ready' && c.querySelector('canvas');
	});
	return page.evaluate(async () => {
		const ec = await import('/vendor/echarts/echarts.esm.min.mjs');
		const box = document.querySelector('#od-chart-box .chart');
		const opt = ec.getInstanceByDom(box).getOption();
		const cv = box.querySelector('canvas');
		const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
		let painted = 0;
		for (let i = 3; i < px.length; i += 4 * 7) if (px[i] > 0) painted++;
		return { keys: opt.yAxis[0].data, values: opt.series[0].data, type: opt.series[0].type, painted };
	});
}

test('dataset page: dictionary, preview, filter, chart, downloads and quality are the API answer', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true; /* the refused filter value is a 400 on purpose */
	await visit(page, `#/open?q=${encodeURIComponent(`测试${RUN}`)}`);
	await page.click(`li.od-result[data-id="${ds}"] h3 a`);
	await settle(page);
	const meta = await ok('GET', `/datasets/${ds}`);
	assert.equal(await page.textContent('#main h1'), TITLE);
	assert.equal(meta.current_version, 2);
	assert.equal(await page.textContent('#od-version'), '第 2 版');

	/* the data dictionary, row by row */
	const TYPES = { string: '文本', integer: '整数', number: '数值', date: '日期', boolean: '是/否' };
	const dict = await page.$$eval('#od-dict tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
	assert.deepEqual(
		dict,
		meta.fields.map((f) => [f.name, TYPES[f.type], f.description, f.unit || '']),
	);
	assert.deepEqual(
		dict.map((r) => r[0]),
		['credit_code', 'name', 'industry', 'capital', 'employees', 'established'],
		'no personal field is published',
	);

	/* the preview: the API's first 20 rows */
	const first = await ok('GET', `/datasets/${ds}/rows?limit=20`);
	assert.equal(first.items.length, 20);
	assert.deepEqual(await previewCells(page), apiCells(first));

	/* a filter narrows it to exactly the API's rows */
	await page.selectOption('#od-pv-field', 'industry');
	assert.deepEqual(await page.$$eval('#od-pv-op option', (os) => os.map((o) => o.value)), ['eq', 'ne', 'like', 'in', 'lt', 'le', 'gt', 'ge']);
	await page.selectOption('#od-pv-op', 'eq');
	await page.fill('#od-pv-value', '制造业');
	await page.click('#od-pv-apply');
	await page.waitForFunction(() => document.querySelector('#od-pv-status').textContent.includes('第 1 页') && [...document.querySelectorAll('#od-preview tbody td[data-field="industry"]')].every((td) => td.textContent === '制造业'));
	const filtered = await ok('GET', `/datasets/${ds}/rows?${qs({ filter: 'industry:eq:制造业', limit: 20 })}`);
	assert.ok(filtered.items.length > 0 && filtered.items.length < 40);
	assert.deepEqual(await previewCells(page), apiCells(filtered));
	await shot(page, 'opendata-dataset-filtered');

	/* a number field offers no "contains"; a value of the wrong type is refused next to the value */
	await page.selectOption('#od-pv-field', 'capital');
	assert.deepEqual(await page.$$eval('#od-pv-op option', (os) => os.map((o) => o.value)), ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in']);
	await page.selectOption('#od-pv-op', 'gt');
	await page.fill('#od-pv-value', 'abc');
	await page.click('#od-pv-apply');
	await page.locator('#od-pv-value-error').filter({ hasText: '值与字段类型不符' }).waitFor();
	assert.equal(await page.getAttribute('#od-pv-value', 'aria-invalid'), 'true');
	/* a range filter with a sort, then the next page */
	await page.fill('#od-pv-value', '100');
	await page.selectOption('#od-pv-sort', '-capital');
	await page.click('#od-pv-apply');
	const ranged = await ok('GET', `/datasets/${ds}/rows?${qs({ filter: 'capital:gt:100', sort: '-capital', limit: 20 })}`);
	await page.waitForFunction((n) => document.querySelectorAll('#od-preview tbody tr').length === n && !document.querySelector('#od-pv-value[aria-invalid]'), ranged.items.length);
	assert.deepEqual(await previewCells(page), apiCells(ranged));
	assert.ok(ranged.next, 'more than one page');
	await page.click('#od-pv-next');
	const second = await ok('GET', `/datasets/${ds}/rows?${qs({ filter: 'capital:gt:100', sort: '-capital', limit: 20, cursor: ranged.next })}`);
	await page.waitForFunction(() => document.querySelector('#od-pv-status').textContent.startsWith('第 2 页'));
	assert.deepEqual(await previewCells(page), apiCells(second));
	assert.equal(await page.isVisible('#od-pv-prev'), true);

	/* quality: the score and every check as the API has them */
	assert.equal(typeof meta.quality.score, 'number', 'the API gives a quality score');
	{
		assert.equal(await page.textContent('#od-quality-score'), String(Math.round(meta.quality.score)));
		assert.equal(await page.textContent('#od-stat-quality'), String(Math.round(meta.quality.score)));
		const checks = await page.$$eval('#od-checks li', (lis) => lis.map((li) => [li.dataset.check, li.dataset.passed === 'true', li.querySelector('.od-check-badge').textContent]));
		assert.deepEqual(
			checks,
			meta.quality.checks.map((c) => [c.check, !!c.passed, c.passed ? '通过' : '未通过']),
		);
		assert.equal(checks.length, 6);
	}

	/* the chart: one bar per API item (count by the default group), then sum(capital) */
	const group = await page.inputValue('#od-ch-group');
	assert.equal(group, 'industry', 'the default group is the text field whose values repeat');
	const chart = await ok('GET', `/datasets/${ds}/chart?${qs({ group, agg: 'count' })}`);
	let bars = await chartBars(page);
	assert.equal(bars.type, 'bar');
	assert.equal(bars.values.length, chart.items.length);
	assert.deepEqual(bars.keys, chart.items.map((x) => x.key));
	assert.deepEqual(bars.values, chart.items.map((x) => x.value));
	assert.equal(chart.items.reduce((s, x) => s + x.value, 0) + Number(chart.other || 0), 40);
	assert.ok(bars.painted > 100, 'the bars are painted');
	await page.selectOption('#od-ch-value', 'capital');
	assert.equal(await page.inputValue('#od-ch-agg'), 'sum');
	await page.click('#od-ch-draw');
	await page.waitForFunction(() => document.querySelector('#od-chart-box .chart')?.id === 'od-chart-2');
	const sums = await ok('GET', `/datasets/${ds}/chart?${qs({ group, value: 'capital', agg: 'sum' })}`);
	bars = await chartBars(page);
	assert.deepEqual(bars.keys, sums.items.map((x) => x.key));
	assert.deepEqual(bars.values, sums.items.map((x) => x.value));

	/* downloads: 200, the content type, the rows; the BOM only where asked */
	const links = await page.$$eval('a.od-dl', (as) => as.map((a) => ({ href: a.getAttribute('href'), format: a.dataset.format, bom: a.dataset.bom, version: a.dataset.version, download: a.hasAttribute('download') })));
	assert.ok(links.length >= 7, 'three for the current version and two per version');
	for (const l of links) {
		assert.ok(l.download);
		const res = await fetch(`${BASE}${l.href}`);
		assert.equal(res.status, 200, l.href);
		const bytes = Buffer.from(await res.arrayBuffer());
		const rows = l.version === '1' ? 37 : 40;
		if (l.format === 'csv') {
			assert.match(res.headers.get('content-type'), /^text\/csv/, l.href);
			const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
			assert.equal(hasBom, l.bom !== '0', `${l.href}: a BOM unless bom=0 (the default is with)`);
			const lines = bytes.toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/).filter(Boolean);
			assert.equal(lines.length, rows + 1, `${l.href}: header + rows`);
			assert.ok(!lines[0].includes('legal_rep'));
		} else {
			assert.match(res.headers.get('content-type'), /^application\/json/, l.href);
			const body = JSON.parse(bytes.toString('utf8'));
			const items = Array.isArray(body) ? body : body.items;
			assert.equal(items.length, rows, l.href);
		}
	}
	assert.equal(links.find((l) => l.format === 'csv' && l.bom === '1').href, `/api/v1/datasets/${ds}/download?format=csv&bom=1`);
	/* the counts shown are the API's at the time the page was drawn */
	await visit(page, `#/open/${ds}`);
	const now = await ok('GET', `/datasets/${ds}`);
	assert.equal(Number(await page.textContent('#od-stat-downloads')), now.download_count);
	assert.ok(now.download_count >= links.length);
	assert.ok(Number(await page.textContent('#od-stat-queries')) >= 5);
	/* the API examples carry the real URL and the header */
	const api = await page.textContent('#od-api');
	assert.ok(api.includes(`curl -H "X-API-Key: 您的密钥" "${BASE}/api/v1/datasets/${ds}/rows?limit=20"`));
	await chartBars(page);
	await check(page, 'opendata-dataset');
	expectNoErrors(page);

	const phone = await open(browser, { width: 390, height: 844 });
	await visit(phone, `#/open/${ds}`);
	await chartBars(phone);
	await noHorizontalScroll(phone, 'dataset (phone)');
	await axe(phone, 'dataset (phone)');
	await shot(phone, 'opendata-dataset-phone');
	expectNoErrors(phone);
});

test('a rate-limited answer says how long to wait', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	page.on('console', () => {});
	await page.route(/\/api\/v1\/datasets\?/, (route) =>
		route.fulfill({ status: 429, headers: { 'Retry-After': '17', 'Content-Type': 'application/problem+json' }, body: JSON.stringify({ type: '/problems/rate_limited', title: 'Too Many Requests', status: 429 }) }),
	);
	await visit(page, '#/open');
	assert.equal(await page.textContent('#od-error'), '访问过于频繁，请稍后再试，约 17 秒后可以继续。');
	assert.equal(await page.textContent('#main h1'), '数据开放平台', 'the page itself is there');
	await page.unroute(/\/api\/v1\/datasets\?/);
	await page.click('#od-retry');
	await page.waitForSelector('#od-results');
	page.errors = page.errors.filter((e) => !/status of 429/.test(e));
	expectNoErrors(page);
});

test('publish form: personal fields cannot be chosen; errors next to fields; the dataset is published', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, 'scjg.data');
	await visit(page, '#/open');
	await page.click('a.od-publish-link');
	await settle(page);
	assert.equal(await page.textContent('#main h1'), '发布开放数据集');
	const opts = await page.$$eval('#od-p-resource option', (os) => os.map((o) => o.value).filter(Boolean));
	assert.ok(opts.includes('520102-SCJG-001') && opts.includes(RES));
	await page.selectOption('#od-p-resource', '520102-SCJG-001');
	await page.waitForSelector('#od-pf-legal_rep');
	assert.equal(await page.isDisabled('#od-pf-legal_rep'), true);
	assert.equal(await page.isChecked('#od-pf-legal_rep'), false);
	assert.equal((await page.textContent('#od-pf-legal_rep-why')).trim(), '个人信息，不可开放');
	for (const f of ['credit_code', 'name', 'address', 'status', 'established']) {
		assert.equal(await page.isDisabled(`#od-pf-${f}`), false, f);
		assert.equal(await page.isChecked(`#od-pf-${f}`), true, f);
	}
	assert.equal(await page.inputValue('#od-p-title'), '市场主体登记信息', 'the title starts as the resource name');
	const code2 = `OD-E2E-P${RUN}`;
	const title2 = `南明区市场主体名录（测试${RUN}）`;
	await page.fill('#od-p-code', CODE); /* taken */
	await page.fill('#od-p-title', title2);
	await page.fill('#od-p-description', '南明区登记的市场主体名称、住所和登记状态。');
	await page.fill('#od-p-keywords', `市场主体，名录，测试${RUN}`);
	await page.fill('#od-p-theme', '市场监管');
	await page.fill('#od-p-spatial', '520102, 999999');
	await page.uncheck('#od-pf-address');
	await page.click('#od-p-submit');
	await page.locator('.has-error').first().waitFor();
	const errs = await page.$$eval('.field-error', (ps) => Object.fromEntries(ps.filter((p) => p.textContent).map((p) => [p.id, p.textContent.replace(/^错误：/, '')])));
	/* the server reports what it checks first: the code or the region */
	assert.ok(errs['od-p-code-error'] === '已有数据集使用此代码' || errs['od-p-spatial-error'] === '没有这个行政区划代码', JSON.stringify(errs));
	await shot(page, 'opendata-publish-error');
	await page.fill('#od-p-spatial', '520102, 999999');
	await page.fill('#od-p-code', code2);
	await page.click('#od-p-submit');
	await page.locator('#od-p-spatial-error').filter({ hasText: '没有这个行政区划代码' }).waitFor();
	assert.equal(await page.getAttribute('#od-p-spatial', 'aria-invalid'), 'true');
	await page.fill('#od-p-spatial', '520102');
	await page.fill('#od-pu-established', '');
	await page.click('#od-p-submit');
	await page.waitForURL(/#\/open\/\d+$/);
	await settle(page);
	const id2 = Number(/(\d+)$/.exec(page.url())[1]);
	await page.getByText(`已发布数据集“${title2}”（第 1 版）。`).waitFor();
	const made = await ok('GET', `/datasets/${id2}`);
	assert.equal(made.code, code2);
	assert.deepEqual(made.fields.map((f) => f.name), ['credit_code', 'name', 'status', 'established']);
	/* it is in the search */
	await visit(page, `#/open?q=${encodeURIComponent(`测试${RUN}`)}`);
	assert.deepEqual((await cardIds(page)).sort(), [ds, id2].sort());

	/* the owner's tools: a new version, then withdraw */
	await visit(page, `#/open/${id2}`);
	await page.click('#od-republish');
	await page.getByText('已发布第 2 版。').waitFor();
	assert.equal(await page.textContent('#od-version'), '第 2 版');
	await check(page, 'opendata-dataset-owner');
	await page.click('#od-withdraw-yes');
	await page.locator('#od-withdraw-reason-error').filter({ hasText: '请填写撤回原因' }).waitFor();
	await page.fill('#od-withdraw-reason', '测试完毕，撤回');
	await page.click('#od-withdraw-yes');
	await page.waitForURL(/#\/open$/);
	await settle(page);
	await page.getByText(`已撤回数据集“${title2}”。`).waitFor();
	assert.equal((await call('GET', `/datasets/${id2}`)).status, 404);
	/* others see no owner tools */
	const anon = await open(browser);
	await visit(anon, `#/open/${ds}`);
	assert.equal(await anon.locator('#od-manage').count(), 0);
	expectNoErrors(page);
});

test('developer keys: shown once, listed by prefix, used in X-API-Key, revoked', async () => {
	const page = await open(browser);
	await login(page, CITIZEN);
	await visit(page, '#/open');
	await page.click('#od-devkeys');
	await settle(page);
	assert.equal(await page.textContent('#main h1'), '开发者密钥');
	assert.match(await page.textContent('#dev-limit'), /每分钟上限/);
	const name = `企业查询小程序 ${RUN}`;
	await page.fill('#dev-key-name', name);
	await page.click('#dev-key-create');
	await page.waitForSelector('#dev-key-box');
	const key = await page.inputValue('#dev-key-value');
	assert.ok(key.length >= 20, key);
	await shot(page, 'opendata-devkey-new');
	const mine = await ok('GET', '/me/api-keys', { tok: await token(CITIZEN) });
	const k = mine.items.find((x) => x.name === name);
	assert.ok(k && key.startsWith(k.prefix));
	assert.ok(!JSON.stringify(mine).includes(key), 'the list never has the key');
	/* once: after the page is drawn again only the prefix is left */
	await visit(page, '#/me/api-keys');
	assert.equal(await page.locator('#dev-key-box').count(), 0);
	const row = page.locator(`#dev-keys tr[data-id="${k.id}"]`);
	assert.equal(await row.locator('.dev-prefix').textContent(), `${k.prefix}…`);
	assert.ok(!(await page.content()).includes(key));
	await check(page, 'opendata-devkeys');
	/* the key works in the header */
	assert.equal((await call('GET', `/datasets/${ds}/rows?limit=1`, { key })).status, 200);
	const used = await call('GET', '/me/api-keys/limit', { key });
	assert.equal(used.status, 200);
	assert.equal(used.json.who, 'key');
	/* revoke */
	await page.click(`#dev-revoke-${k.id}`);
	await page.click(`#dev-revoke-yes-${k.id}`);
	await row.locator('.badge', { hasText: '已撤销' }).waitFor();
	assert.equal((await call('GET', '/me/api-keys/limit', { key })).status, 401);
	assert.equal((await call('GET', `/datasets/${ds}/rows?limit=1`, { key })).status, 401, 'a revoked key is refused, not served anonymously');
	expectNoErrors(page);
	const phone = await open(browser, { width: 390, height: 844 });
	await login(phone, CITIZEN);
	await visit(phone, '#/me/api-keys');
	await noHorizontalScroll(phone, 'developer keys (phone)');
	await shot(phone, 'opendata-devkeys-phone');
});

test('English: the portal pages have no Chinese interface text', async () => {
	const page = await open(browser, { lang: 'en' });
	await visit(page, '#/open');
	assert.equal(await page.textContent('#main h1'), 'Open data portal');
	await englishOnly(page, 'search');
	await shot(page, 'opendata-search-en');
	await visit(page, `#/open/${ds}`);
	await chartBars(page);
	await englishOnly(page, 'dataset');
	assert.ok((await page.textContent('#od-api')).includes('X-API-Key: YOUR_KEY'));
	await axe(page, 'dataset (en)');
	await shot(page, 'opendata-dataset-en');
	const phone = await open(browser, { lang: 'en', width: 390, height: 844 });
	await visit(phone, `#/open/${ds}`);
	await noHorizontalScroll(phone, 'dataset (en, phone)');
	await shot(phone, 'opendata-dataset-en-phone');

	const officer = await open(browser, { lang: 'en' });
	await login(officer, 'scjg.data');
	await visit(officer, '#/open/publish');
	await officer.selectOption('#od-p-resource', '520102-SCJG-001');
	await officer.waitForSelector('#od-pf-legal_rep');
	assert.equal((await officer.textContent('#od-pf-legal_rep-why')).trim(), 'Personal: cannot be opened');
	await englishOnly(officer, 'publish');
	await axe(officer, 'publish (en)');
	await shot(officer, 'opendata-publish-en');
	await visit(officer, '#/me/api-keys');
	await englishOnly(officer, 'developer keys');
	await shot(officer, 'opendata-devkeys-en');
	expectNoErrors(page);
	expectNoErrors(officer);
});
