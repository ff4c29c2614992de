/*
 * fed-cases.test.mjs - 跨省通办 in the browser, on a federation of its own
 * (the hub, 贵州 520000 and 广东 440000 started with tests/api/lib/fed.mjs
 * from ZT_E2E_BIN, serving this repo's web/; the node tests/e2e/run starts
 * is not used).
 *
 * Test plan:
 *   1. 广东's citizen applies for 520000-RS-GF-101 on the remote apply page
 *      (#/fed/apply/520000/520000-RS-GF-101: the remote guide's materials,
 *      uploads, mode 全程网办) -> the application page shows the mark
 *      "跨省通办 · 全程网办" and "办理地：贵州省 · 贵州省人力资源和社会保障厅"
 *      once 贵州 has it; 我的办件 lists it in 跨省通办申请 with the same mark.
 *   2. 贵州's clerk sees it in the inbox marked "跨省 · 全程网办 · 受理地：广东省"
 *      and the case page shows the banner with 广东's number; the materials
 *      are named "文件保存在受理地".
 *   3. 广东's clerk registers a proxy application in the browser (reads the
 *      remote guide, uploads two scans, the person's name and ID number),
 *      reviews it (通过，转办理地) -> 已提交 once 贵州 has it, whose case
 *      carries the window's note; the list #/fed/proxy shows it.
 *   4. A joint application shows its two steps and 整件进度 办理中.
 *   5. The application page in English: "Cross-province · Fully online".
 * Every page: screenshot (test-output/screenshots/fed-cases-*.png), axe,
 * no sideways scroll at 375 px for the applicant's page, no console errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axe, launch, noHorizontalScroll, open as openPage, PASSWORD, pdf, REPO, SHOTS } from './lib.mjs';

/* The federation's nodes run the binary tests/e2e/run was given (the API
 * test library reads ZT_BIN when it is loaded). */
if (process.env.ZT_E2E_BIN) process.env.ZT_BIN = process.env.ZT_E2E_BIN;
const { startFederation, waitFor } = await import('../api/lib/fed.mjs');
const { idCheckChar } = await import('../api/lib/node.mjs');

const CITIZEN = '44000019900307123' + idCheckChar('44000019900307123');

const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/* lib.mjs's page, with axe-core served on this federation's origins too. */
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
	await page.screenshot({ path: join(SHOTS, `fed-cases-${name}.png`), fullPage: true });
	await axe(page, name);
}

describe('跨省通办 in the browser', () => {
	let fed, gz, gd, browser;
	const uploadFile = async (node, who, tag, path = '/api/v1/files') => {
		const r = await fetch(`${node.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${await node.token(who)}`, 'Content-Type': 'application/pdf' }, body: pdf(tag) });
		assert.equal(r.status, 201);
		return (await r.json()).id;
	};

	before(async () => {
		fed = await startFederation({ which: ['gz', 'gd'], env: { ZT_WEB_DIR: join(REPO, 'web') } });
		({ gz, gd } = fed);
		browser = await launch();
	});
	after(async () => {
		await browser?.close();
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	let appId, number;

	it('the applicant applies at 广东 for 贵州\'s item and sees where it is handled', async () => {
		const page = await open(browser);
		await signIn(page, gd.url, CITIZEN);
		await go(page, gd.url, '#/fed/apply/520000/520000-RS-GF-101');
		assert.match(await page.textContent('.xcase-banner'), /办理地：贵州省/);
		await page.fill('#xapply-purpose', '工作调动，转移养老保险关系');
		await page.fill('#xapply-address', '广州市天河区体育西路 100 号');
		for (const seq of [1, 2]) {
			await page.setInputFiles(`#xmat-${seq}`, { name: `m${seq}.pdf`, mimeType: 'application/pdf', buffer: pdf(`material ${seq}`) });
			await page.waitForSelector(`#xmat-${seq}-status.upload-ok`);
		}
		await snap(page, 'apply');
		await page.click('#xapply-submit');
		await page.waitForFunction(() => location.hash.startsWith('#/fed/cases/') && document.querySelector('#xcase-mark'));
		appId = Number(/#\/fed\/cases\/(\d+)/.exec(page.url())[1]);
		/* Once 贵州 has it, the department is known. */
		await waitFor(async () => {
			await go(page, gd.url, `#/fed/cases/${appId}`);
			return /贵州省人力资源和社会保障厅/.test(await page.textContent('#xcase-where'));
		}, { what: 'department at 广东' });
		assert.equal(await page.textContent('#xcase-mark'), '跨省通办 · 全程网办');
		assert.equal((await page.textContent('#xcase-where')).trim().startsWith('办理地：贵州省 · 贵州省人力资源和社会保障厅'), true);
		number = (await page.textContent('.page-sub .case-no')).trim();
		assert.match(number, /^KS440000/);
		await snap(page, 'application');
		await go(page, gd.url, '#/cases');
		const row = await page.textContent('#xcase-mine');
		assert.match(row, /跨省通办 · 全程网办/);
		assert.match(row, /办理地：贵州省 · 贵州省人力资源和社会保障厅/);
		await snap(page, 'my-cases');
		await page.setViewportSize({ width: 375, height: 800 });
		await go(page, gd.url, `#/fed/cases/${appId}`);
		await noHorizontalScroll(page, 'application at 375 px');
		await page.screenshot({ path: join(SHOTS, 'fed-cases-application-phone.png'), fullPage: true });
		assert.deepEqual(page.errors, []);
		await page.context().close();
	});

	it('贵州\'s officials see the case marked with where it was received', async () => {
		const page = await open(browser);
		await signIn(page, gz.url, 'gz.rs.clerk');
		await go(page, gz.url, '#/work');
		const mark = page.locator('tr', { hasText: '城镇职工' }).locator('.xcase-mark').first();
		assert.equal(await mark.textContent(), '跨省 · 全程网办 · 受理地：广东省');
		await snap(page, 'home-inbox');
		const id = gz.sql(`SELECT id FROM cases WHERE fed_ref = '${number}'`)[0].id;
		await go(page, gz.url, `#/cases/${id}`);
		const banner = await page.textContent('#xcase-banner');
		assert.match(banner, /受理地：广东省/);
		assert.ok(banner.includes(number));
		assert.equal(await page.locator('.xcase-remote-file').count(), 2);
		await snap(page, 'home-case');
		assert.deepEqual(page.errors, []);
		await page.context().close();
	});

	it('广东\'s window registers a proxy application, reviews it and forwards it', async () => {
		const page = await open(browser);
		await signIn(page, gd.url, 'gd.rs.clerk');
		await go(page, gd.url, '#/fed/proxy/new');
		await page.selectOption('#xproxy-region', '520000');
		await page.fill('#xproxy-code', '520000-GA-XK-101');
		await page.click('#xproxy-load');
		await page.waitForSelector('#xproxy-guide-ok');
		assert.match(await page.textContent('#xproxy-guide-ok'), /户口迁入登记 · 贵州省公安厅/);
		for (const seq of [1, 2]) {
			await page.setInputFiles(`#xscan-${seq}`, { name: `scan${seq}.pdf`, mimeType: 'application/pdf', buffer: pdf(`scan ${seq}`) });
			await page.waitForSelector(`#xscan-${seq}-status.upload-ok`);
		}
		await page.fill('#xproxy-name', '陈志强');
		await page.fill('#xproxy-idno', CITIZEN);
		await page.fill('#xproxy-purpose', '投靠亲属');
		await page.fill('#xproxy-address', '广州市天河区');
		await snap(page, 'proxy-new');
		await page.click('#xproxy-submit');
		await page.waitForFunction(() => location.hash.startsWith('#/fed/cases/') && document.querySelector('#xrev-form'));
		const id = Number(/#\/fed\/cases\/(\d+)/.exec(page.url())[1]);
		assert.equal(await page.textContent('#xcase-mark'), '跨省通办 · 异地代收代办');
		assert.match(await page.textContent('.case-status'), /窗口已收件/);
		await snap(page, 'proxy-review');
		await page.check('#xrev-pass');
		await page.fill('#xrev-note', '身份证、户口簿原件已核验');
		await page.click('#xrev-submit');
		await page.waitForFunction(() => !document.querySelector('#xrev-form') && /已转办理地|已提交/.test(document.querySelector('.case-status').textContent));
		await waitFor(async () => {
			await go(page, gd.url, `#/fed/cases/${id}`);
			return /已提交/.test(await page.textContent('.case-status'));
		}, { what: 'submitted at 贵州, shown at 广东' });
		assert.match(await page.textContent('#xcase-history'), /形式审查通过，转办理地/);
		await snap(page, 'proxy-forwarded');
		await go(page, gd.url, '#/fed/proxy');
		assert.match(await page.textContent('#xproxy-table'), /户口迁入登记/);
		await snap(page, 'proxy-list');
		/* 贵州's case carries the window's check. */
		const h = gz.sql(`SELECT fed_mode, channel, fed_checked FROM cases WHERE fed_mode = 'proxy'`);
		assert.equal(h.length, 1);
		assert.equal(JSON.parse(h[0].fed_checked).note, '身份证、户口簿原件已核验');
		assert.deepEqual(page.errors, []);
		await page.context().close();
	});

	it('a joint application shows its two steps', async () => {
		const f = await uploadFile(gd, CITIZEN, 'joint');
		const r = await gd.as(CITIZEN, 'POST', '/api/v1/fed/cases', {
			json: { mode: 'joint', local_item_code: '440000-GA-XK-101', home_region: '520000', item_code: '520000-GA-XK-101', form: { purpose: '户口迁移', address: '广州市' }, local_materials: [{ seq: 1, name: '居民户口簿', file: f }, { seq: 2, name: '身份证', file: f }], materials: [{ seq: 1, name: '居民户口簿', file: f }, { seq: 2, name: '身份证', file: f }] },
		});
		assert.equal(r.status, 201);
		const page = await open(browser);
		await signIn(page, gd.url, CITIZEN);
		await go(page, gd.url, `#/fed/cases/${r.json.id}`);
		assert.equal(await page.textContent('#xcase-mark'), '跨省通办 · 多地联办');
		assert.match(await page.textContent('#xcase-step-1'), /广东省公安厅/);
		assert.match(await page.textContent('.xcase-overall'), /办理中/);
		await snap(page, 'joint');
		/* The local part in 我的办件 carries the mark too. */
		await go(page, gd.url, '#/cases');
		assert.ok((await page.locator('.cases-table .xcase-mark', { hasText: '多地联办 · 本地环节' }).count()) >= 1);
		await page.context().close();
	});

	it('in English', async () => {
		const page = await open(browser, { lang: 'en' });
		await signIn(page, gd.url, CITIZEN);
		await go(page, gd.url, `#/fed/cases/${appId}`);
		assert.equal(await page.textContent('#xcase-mark'), 'Cross-province · Fully online');
		assert.match(await page.textContent('#xcase-where'), /^Handled in: Guizhou/);
		await snap(page, 'application-en');
		assert.deepEqual(page.errors, []);
		await page.context().close();
	});
});
