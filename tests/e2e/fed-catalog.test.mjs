/*
 * fed-catalog.test.mjs - the national search page (全国政务服务事项检索) and
 * the remote guide, in Chromium against a federation of its own (the hub,
 * 贵州, 贵阳 and 广东 of tests/api/lib/fed.mjs, serving this repo's web/),
 * not the single node tests/e2e/run starts.
 *
 * Test plan:
 *   1. 广东's portal, header link 全国检索 -> #/national: the results are the
 *      API's national answer (GET /api/v1/fed/catalog?scope=national), in
 *      order (origin and code of every card); 贵阳's cards carry the badge
 *      贵州省 · 贵阳市 and the cross-province modes as tags; axe finds no
 *      serious violation, nothing scrolls sideways (also at phone width);
 *      screenshots fed-catalog-national, fed-catalog-national-phone.
 *   2. Searching 户口迁入 with the form: the three provinces' and 贵阳's
 *      户口迁入登记 cards, as the API answers; switching the scope to
 *      本地区 leaves 广东's own card only.
 *   3. Following 贵阳's card: the remote guide shows the item's name, the
 *      providing node 贵阳市政务服务节点, its materials as 贵阳 lists them;
 *      screenshot fed-catalog-guide; in English the page's own text has no
 *      Chinese (data aside); screenshot fed-catalog-guide-en.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launch, open, settle, shot, axe, interfaceText, expectNoErrors, noHorizontalScroll, CJK, REPO } from './lib.mjs';

const BIN = process.env.ZT_E2E_BIN;
const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let fed, browser, waitFor;

before(async () => {
	assert.ok(BIN, 'ZT_E2E_BIN is not set: run the tests with tests/e2e/run /abs/path/to/zhengtong');
	process.env.ZT_BIN = BIN; /* read by tests/api/lib/node.mjs when it is loaded */
	const lib = await import('../api/lib/fed.mjs');
	waitFor = lib.waitFor;
	fed = await lib.startFederation({ env: { ZT_WEB_DIR: join(REPO, 'web') } });
	await waitFor(() => fed.hub.count('SELECT count(*) FROM fed_catalog') === 12, { what: 'every entry at the hub' });
	browser = await launch();
});

after(async () => {
	await browser?.close();
	for (const n of fed?.nodes ?? []) await n.stop();
});

/* A page of the federation's node, with axe served from its origin. */
async function openAt(node, opts) {
	const page = await open(browser, opts);
	await page.context().route(`${node.url}/__e2e__/axe.min.js`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: AXE }));
	return page;
}

async function go(page, node, hash) {
	await page.goto(`${node.url}/${hash}`);
	await settle(page);
}

const cards = (page) =>
	page.$$eval('#fedcat-results li.fedcat-result', (els) =>
		els.map((e) => ({
			origin: e.dataset.origin,
			code: e.dataset.code,
			badge: e.querySelector('.fedcat-origin > span:last-child').textContent,
			cross: [...e.querySelectorAll('.fedcat-cross')].map((t) => t.textContent),
		})),
	);

async function apiItems(node, params) {
	const r = await node.call('GET', `/api/v1/fed/catalog?${new URLSearchParams(params)}`);
	assert.equal(r.status, 200, r.text);
	return r.json.items;
}

test('the national search lists what the API answers, with region badges and cross-province tags', async () => {
	const { gd } = fed;
	const page = await openAt(gd);
	await go(page, gd, '#/');
	await page.click('#site-nav a[href="#/national"]');
	await settle(page);
	assert.equal(await page.textContent('#main h1'), '全国政务服务事项检索');
	const want = await apiItems(gd, { scope: 'national', limit: 10 });
	assert.equal(want.length, 9);
	const got = await cards(page);
	assert.deepEqual(
		got.map((c) => [c.origin, c.code]),
		want.map((e) => [e.origin.region, e.code]),
	);
	const gy = got.find((c) => c.code === '520100-RS-GF-101');
	assert.equal(gy.badge, '贵州省 · 贵阳市');
	assert.deepEqual(gy.cross, ['全程网办', '异地代收代办', '多地联办']);
	assert.equal(got.find((c) => c.code === '440000-GA-XK-101').badge, '广东省');
	await shot(page, 'fed-catalog-national');
	await axe(page, 'national search');
	await noHorizontalScroll(page, 'national search');
	expectNoErrors(page);
	const phone = await openAt(gd, { width: 390, height: 844 });
	await go(phone, gd, '#/national');
	await noHorizontalScroll(phone, 'national search (phone)');
	await shot(phone, 'fed-catalog-national-phone');
	expectNoErrors(phone);
});

test('searching by keyword and switching to this region', async () => {
	const { gd } = fed;
	const page = await openAt(gd);
	await go(page, gd, '#/national');
	await page.fill('#fedcat-q', '户口迁入');
	await page.click('#fedcat-submit');
	await page.waitForFunction(() => location.hash.includes('q='));
	await settle(page);
	const want = await apiItems(gd, { scope: 'national', q: '户口迁入', limit: 10 });
	assert.deepEqual(want.map((e) => e.code), ['440000-GA-XK-101', '520000-GA-XK-101', '520100-GA-XK-101']);
	assert.deepEqual((await cards(page)).map((c) => c.code), want.map((e) => e.code));
	await page.check('#fedcat-scope-local');
	await page.click('#fedcat-submit');
	await page.waitForFunction(() => location.hash.includes('scope=local'));
	await settle(page);
	assert.deepEqual((await cards(page)).map((c) => c.code), ['440000-GA-XK-101']);
	assert.equal(await page.textContent('#fedcat-results-title'), '本地区检索结果');
	expectNoErrors(page);
});

test("a remote item's guide, with its origin marked, in Chinese and English", async () => {
	const { gd, gy } = fed;
	const page = await openAt(gd);
	await go(page, gd, `#/national?q=${encodeURIComponent('户口迁入')}`);
	await page.click('li[data-code="520100-GA-XK-101"] h3 a');
	await settle(page);
	assert.equal(await page.evaluate(() => location.hash), '#/fed/services/520100/520100-GA-XK-101');
	const id = gy.sql("SELECT id FROM service_items WHERE code = '520100-GA-XK-101'")[0].id;
	const own = (await gy.call('GET', `/api/v1/services/${id}`)).json;
	assert.equal(await page.textContent('#main h1'), own.name);
	const origin = await page.textContent('#fedcat-origin');
	assert.match(origin, /异地事项/);
	assert.match(origin, /贵阳市政务服务节点/);
	const materials = await page.$$eval('.fedcat-guide table tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
	assert.deepEqual(materials, own.materials.map((m) => m.name));
	/* 跨省通办: the way to apply from 广东 for 贵阳's item. */
	const apply = page.locator('#fedcat-origin a.btn-primary');
	assert.equal(await apply.getAttribute('href'), '#/fed/apply/520100/520100-GA-XK-101');
	assert.equal(await apply.textContent(), '申请跨省通办（在本地提交，由办理地审批）');
	await shot(page, 'fed-catalog-guide');
	await axe(page, 'remote guide');
	expectNoErrors(page);

	const en = await openAt(gd, { lang: 'en' });
	await go(en, gd, '#/fed/services/520100/520100-GA-XK-101');
	assert.match(await en.textContent('#fedcat-origin'), /Elsewhere/);
	const text = await interfaceText(en);
	const chinese = text.filter((s) => CJK.test(s) && s !== '中文');
	assert.deepEqual(chinese, [], 'interface text in Chinese on the English page');
	await shot(en, 'fed-catalog-guide-en');
	await go(en, gd, '#/national');
	assert.equal(await en.textContent('#main h1'), 'Nationwide search of government services');
	assert.deepEqual(
		(await interfaceText(en)).filter((s) => CJK.test(s) && s !== '中文'),
		[],
	);
	await shot(en, 'fed-catalog-national-en');
	expectNoErrors(en);
});
