/*
 * fed-share.test.mjs - cross-node sharing and flow-back (数据回流) in the
 * browser, on a federation of its own (hub, 贵州 gz 520000, 贵阳 gy 520100
 * below it, 广东 gd 440000, started with tests/api/lib/fed.mjs from
 * ZT_E2E_BIN and serving this repo's web/; the node tests/e2e/run starts is
 * not used).
 *
 * Test plan:
 *   Setup (API): gz's 公安 data officer names region_code the region field of
 *   520000-GA-HJ-001.
 *   1. gd's 人社 data officer asks gz for the resource on #/data/fed/new:
 *      looking up a wrong code shows the error at the code field; the right
 *      one shows the resource; without a purpose the form says so at the
 *      field; sent, the request page says it awaits the provider.
 *   2. gz's 公安 data officer sees it on the normal requests page (收到的申请)
 *      marked "跨省 · 广东省" with the consumer's name, opens it and approves
 *      it without household_address.
 *   3. gd's 人社 clerk reads the demo citizen of 贵州 through the grant on the
 *      request page: the row shows 陈** and the id number in clear.
 *   4. The citizen of 贵州, signed in at gz, sees the read on 我的数据使用记录
 *      marked "跨省 · 广东省" with 广东省人力资源和社会保障厅.
 *   5. gy's 公安 data officer subscribes to the resource for 贵阳市 on
 *      #/data/fed/subscriptions/new; once gz approves (API), the subscription
 *      page shows the rows received, the cursor and the last sync; the list
 *      the same, in Chinese and in English.
 * Every page: screenshot (test-output/screenshots/fed-share-*.png), axe, no
 * console errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axe, launch, open as openPage, PASSWORD, REPO, SHOTS, expectNoErrors } from './lib.mjs';

if (process.env.ZT_E2E_BIN) process.env.ZT_BIN = process.env.ZT_E2E_BIN;
const { startFederation, waitFor } = await import('../api/lib/fed.mjs');
const { idCheckChar } = await import('../api/lib/node.mjs');

const RES = '520000-GA-HJ-001';
const CITIZEN = '52000019900307123' + idCheckChar('52000019900307123');
const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

async function open(browser, opts) {
	const page = await openPage(browser, opts);
	await page.context().route('**/__e2e__/axe.min.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: AXE }));
	return page;
}

async function go(page, base, hash) {
	const target = `${base}/${hash}`;
	if (page.url() === target) await page.reload();
	else await page.goto(target);
	await page.waitForFunction(() => document.body.dataset.rendered === (location.hash || '#/') && document.querySelector('#main h1'));
}

async function signIn(page, base, account) {
	await go(page, base, '#/login');
	await page.fill('#login-login', account);
	await page.fill('#login-password', PASSWORD);
	await page.click('#login-submit');
	await page.waitForFunction(() => !location.hash.startsWith('#/login') && document.querySelector('#main h1'));
}

async function snap(page, name) {
	await page.screenshot({ path: join(SHOTS, `fed-share-${name}.png`), fullPage: true });
	await axe(page, name);
}

describe('cross-node sharing in the browser', () => {
	let fed, gz, gy, gd, browser, resId;

	before(async () => {
		fed = await startFederation({ env: { ZT_WEB_DIR: join(REPO, 'web') } });
		({ gz, gy, gd } = fed);
		browser = await launch();
		let r = await gz.as('gz.ga.data', 'GET', `/api/v1/resources?q=${RES}`);
		resId = r.json.items[0].id;
		r = await gz.as('gz.ga.data', 'GET', `/api/v1/resources/${resId}`);
		const x = r.json;
		if (x.region_field !== 'region_code') {
			const body = { region_field: 'region_code' };
			for (const k of ['code', 'name', 'summary', 'fields', 'key_field', 'subject_field', 'share_type', 'share_conditions', 'legal_basis', 'share_method', 'open_type', 'update_cycle']) body[k] = x[k];
			r = await gz.as('gz.ga.data', 'PUT', `/api/v1/resources/${resId}`, { json: body });
			assert.equal(r.status, 200, r.text);
		}
	});
	after(async () => {
		await browser?.close();
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	let reqId;

	it("asks another province's node for its data", async () => {
		const page = await open(browser);
		page.allowHttpErrors = true;
		await signIn(page, gd.url, 'gd.rs.data');
		await go(page, gd.url, '#/data/fed/new');
		await page.selectOption('#xsr-provider', '520000');
		await page.fill('#xsr-code', '520000-NO-SUCH');
		await page.click('#xsr-lookup');
		await page.waitForSelector('#xsr-code-error:not(:empty)');
		assert.match(await page.textContent('#xsr-code-error'), /提供方节点没有这个资源编码/);
		await page.fill('#xsr-code', RES);
		await page.click('#xsr-lookup');
		await page.waitForSelector('#xsr-purpose');
		assert.match(await page.textContent('.xs-lookup-result'), /已查到资源：户籍人口基本信息（贵州省公安厅）/);
		await page.check('#xsr-c-id_no');
		await page.click('#xsr-submit');
		await page.waitForSelector('#xsr-purpose-error:not(:empty)');
		await snap(page, 'request-error');
		await page.fill('#xsr-purpose', '养老保险关系转移接续：核验申请人户籍');
		await page.fill('#xsr-basis', '《城镇企业职工基本养老保险关系转移接续暂行办法》');
		await page.click('#xsr-submit');
		await page.waitForFunction(() => /^#\/data\/fed\/requests\/\d+$/.test(location.hash) && document.body.dataset.rendered === location.hash);
		reqId = Number(/(\d+)$/.exec(page.url())[1]);
		assert.match(await page.textContent('#main'), /申请已送达提供方节点，等待审批/);
		assert.match(await page.textContent('#main'), /待提供方审批/);
		await snap(page, 'request-pending');
		expectNoErrors(page);
	});

	it('shows the request of the other node on the normal requests page, marked', async () => {
		const page = await open(browser);
		await signIn(page, gz.url, 'gz.ga.data');
		await waitFor(async () => {
			await go(page, gz.url, '#/data/requests?side=incoming');
			return (await page.$('.xs-incoming')) !== null;
		}, { what: 'the remote request at gz' });
		const row = await page.textContent('.xs-incoming tbody tr');
		assert.match(row, /跨省 · 广东省/);
		assert.match(row, /广东省人力资源和社会保障厅/);
		assert.match(row, /户籍人口基本信息/);
		await snap(page, 'incoming-list');
		await page.click('.xs-incoming tbody tr a');
		await page.waitForSelector('#xs-btn-approve');
		await page.click('#xs-btn-approve');
		await page.uncheck('#xap-f-household_address');
		await snap(page, 'incoming-approve');
		await page.click('#xap-submit');
		await page.waitForFunction(() => document.querySelector('#xs-btn-revoke'));
		assert.match(await page.textContent('#main'), /已批准/);
		expectNoErrors(page);
	});

	it("reads through the grant at the consumer's node", async () => {
		const page = await open(browser);
		await signIn(page, gd.url, 'gd.rs.clerk');
		await waitFor(async () => {
			await go(page, gd.url, `#/data/fed/requests/${reqId}`);
			return (await page.$('#xse-key')) !== null;
		}, { what: 'the grant at gd' });
		await page.fill('#xse-key', CITIZEN);
		await page.click('#xse-submit');
		await page.waitForSelector('.xs-row');
		const table = await page.textContent('.xs-row');
		assert.match(table, /陈\*\*/);
		assert.ok(table.includes(CITIZEN));
		assert.ok(!table.includes('household_address'));
		await snap(page, 'exchange');
		expectNoErrors(page);
	});

	it('shows the data subject the read by the other province', async () => {
		const page = await open(browser);
		await signIn(page, gz.url, CITIZEN);
		await go(page, gz.url, '#/me/data-access');
		const row = await page.textContent('.access-table tbody tr');
		assert.match(row, /跨省 · 广东省/);
		assert.match(row, /广东省人力资源和社会保障厅/);
		assert.match(row, /户籍人口基本信息/);
		assert.match(row, /养老保险关系转移接续/);
		await snap(page, 'citizen-access');
		expectNoErrors(page);
	});

	it('subscribes the lower node to flow-back and shows its progress', async () => {
		const page = await open(browser);
		await signIn(page, gy.url, 'gy.ga.data');
		await go(page, gy.url, '#/data/fed/subscriptions/new');
		await page.fill('#xsb-code', RES);
		await page.click('#xsb-lookup');
		await page.waitForSelector('#xsb-r-520100');
		assert.equal(await page.isChecked('#xsb-r-520100'), true);
		await page.check('#xsb-c-name');
		await snap(page, 'subscribe');
		await page.click('#xsb-submit');
		await page.waitForFunction(() => /^#\/data\/fed\/subscriptions\/\d+$/.test(location.hash) && document.body.dataset.rendered === location.hash);
		const subId = Number(/(\d+)$/.exec(page.url())[1]);
		const inc = await waitFor(async () => {
			const l = await gz.as('gz.ga.data', 'GET', '/api/v1/fed/share/incoming?kind=subscription');
			return l.json.items.find((x) => x.remote_id === subId);
		}, { what: 'the subscription at gz' });
		const r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inc.id}/approve`, { json: {} });
		assert.equal(r.status, 200);
		await waitFor(async () => gy.count(`SELECT count(*) FROM fed_rows WHERE request_id = ${subId}`) >= 2, { what: 'rows at gy' });
		await go(page, gy.url, `#/data/fed/subscriptions/${subId}`);
		assert.match(await page.textContent('#main'), /已授权/);
		assert.match(await page.textContent('.xs-rows'), /520100/);
		/* id_no is not granted in clear: keys are pseudonyms, numbers masked */
		assert.doesNotMatch(await page.textContent('.xs-rows'), /\d{17}[\dX]/);
		assert.match(await page.textContent('.xs-rows tbody tr'), /^p[0-9a-f]{32}/);
		await snap(page, 'subscription');
		await go(page, gy.url, '#/data/fed/subscriptions');
		assert.match(await page.textContent('.xs-table'), /户籍人口基本信息/);
		await snap(page, 'subscriptions');
		expectNoErrors(page);
		const en = await open(browser, { lang: 'en' });
		await signIn(en, gy.url, 'gy.ga.data');
		await go(en, gy.url, '#/data/fed/subscriptions');
		assert.match(await en.textContent('#main h1'), /Sharing across nodes/);
		assert.match(await en.textContent('.xs-table'), /Granted/);
		await snap(en, 'subscriptions-en');
		expectNoErrors(en);
	});
});
