/*
 * fed-admin.test.mjs - the federation operations page (联邦节点运行,
 * #/admin/federation) for system administrators, in Chromium against a
 * federation of its own (the hub, 贵州 and 广东 of tests/api/lib/fed.mjs,
 * serving this repo's web/), not the single node tests/e2e/run starts.
 *
 * Test plan:
 *   1. 广东 queues three pings to 贵州 (`node ping --to 520000 --count 3`)
 *      and they are delivered. gd.admin follows the header link 联邦节点:
 *      this node is 广东省政务服务节点 below 000000; the known-nodes table
 *      is the API's (GET /api/v1/fed/status: regions in order, status and
 *      source words); the outbox counts are the API's; the three fed.ping
 *      rows read 连通测试 and 已送达. axe finds no serious violation, nothing
 *      scrolls sideways (also at 390 px); screenshots fed-admin,
 *      fed-admin-phone. A department admin has no link and is refused.
 *   2. 贵州 is killed and 广东 pings again: once 广东's outbox holds the ping
 *      pending with attempts > 0, 刷新 shows the API's pending count, the
 *      row as 待发送 with its attempts and the last error; the status filter
 *      待发送 leaves that row only (also at 390 px, screenshots
 *      fed-admin-pending, fed-admin-pending-phone).
 *   3. In English the page's own text has no Chinese (data aside);
 *      screenshot fed-admin-en.
 *   4. A node not yet federated (GET /fed/nodes with self null, answered
 *      by the test): the page explains it and lists the commands to join;
 *      at 390 px nothing scrolls sideways; screenshot fed-admin-unfederated.
 *   5. An expired register (the API answer with expired: true, by the test):
 *      the validity and a warning in red; screenshot fed-admin-expired.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launch, open, settle, shot, axe, interfaceText, expectNoErrors, noHorizontalScroll, CJK, PASSWORD, REPO } from './lib.mjs';

const BIN = process.env.ZT_E2E_BIN;
const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let fed, browser, waitFor, page;

before(async () => {
	assert.ok(BIN, 'ZT_E2E_BIN is not set: run the tests with tests/e2e/run /abs/path/to/zhengtong');
	process.env.ZT_BIN = BIN; /* read by tests/api/lib/node.mjs when it is loaded */
	const lib = await import('../api/lib/fed.mjs');
	waitFor = lib.waitFor;
	fed = await lib.startFederation({ which: ['gz', 'gd'], env: { ZT_WEB_DIR: join(REPO, 'web') } });
	browser = await launch();
});

after(async () => {
	await browser?.close();
	for (const n of fed?.nodes ?? []) await n.stop();
});

/* A page of the federation's node, with axe served from its origin. */
async function openAt(node, opts) {
	const p = await open(browser, opts);
	await p.context().route(`${node.url}/__e2e__/axe.min.js`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: AXE }));
	return p;
}

async function go(p, node, hash) {
	await p.goto(`${node.url}/${hash}`);
	await settle(p);
}

async function loginAt(p, node, account) {
	await go(p, node, '#/login');
	await p.fill('#login-login', account);
	await p.fill('#login-password', PASSWORD);
	await p.click('#login-submit');
	await p.waitForFunction(() => !location.hash.startsWith('#/login') && document.querySelector('#main h1'));
	await settle(p);
}

async function status(node, query = '') {
	const r = await node.as(`${node.prefix}.admin`, 'GET', `/api/v1/fed/status${query}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

const nodeRows = (p) =>
	p.$$eval('#fedadm-nodes tbody tr', (trs) =>
		trs.map((tr) => ({
			region: tr.dataset.region,
			status: tr.querySelector('td:nth-child(5)').textContent.trim(),
			source: tr.querySelector('td:nth-child(6)').textContent.trim(),
		})),
	);

const counts = (p) =>
	p.$$eval('#fedadm-counts .stat', (els) => Object.fromEntries(els.map((e) => [e.dataset.status, Number(e.querySelector('.fedadm-n').textContent)])));

const msgRows = (p) =>
	p.$$eval('#fedadm-outbox tbody tr', (trs) =>
		trs.map((tr) => ({
			id: tr.dataset.id,
			type: tr.dataset.type,
			recipient: tr.dataset.recipient,
			label: tr.querySelector('.fedadm-type').textContent,
			status: tr.querySelector('.fedadm-status').textContent,
			attempts: Number(tr.querySelector('.fedadm-attempts').textContent),
			error: tr.querySelector('.fedadm-error')?.textContent ?? null,
		})),
	);

test('the operations page shows this node, the known nodes and the outbox as the API does', async () => {
	const { gd } = fed;
	assert.equal(gd.cli(['node', 'ping', '--to', '520000', '--count', '3']).code, 0);
	await waitFor(
		async () => {
			const s = await status(gd);
			return s.outbox.items.filter((m) => m.type === 'fed.ping' && m.status === 'delivered').length === 3 && s.outbox.counts.pending === 0;
		},
		{ what: "广东's three pings delivered" },
	);

	page = await openAt(gd);
	await loginAt(page, gd, 'gd.admin');
	await page.click('#site-nav a[href="#/admin/federation"]');
	await settle(page);
	assert.equal(await page.textContent('#main h1'), '联邦节点运行');
	assert.equal(await page.getAttribute('#site-nav a[href="#/admin/federation"]', 'aria-current'), 'page');
	assert.equal(await page.getAttribute('#site-nav a[href="#/admin/items"]', 'aria-current'), null);
	const st = await status(gd);

	/* this node */
	assert.equal(await page.getAttribute('#fedadm-self', 'data-federated'), 'yes');
	const self = await page.textContent('#fedadm-self');
	assert.match(self, /广东省政务服务节点/);
	assert.match(self, /广东省.*440000/);
	assert.match(self, /国家.*000000|000000/);

	/* the register: validity and the known nodes, as the API lists them */
	assert.equal(st.registry.expired, false);
	assert.equal(await page.getAttribute('#fedadm-registry', 'data-expired'), 'no');
	assert.match(await page.textContent('#fedadm-registry'), /签发时间.*\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/);
	assert.match(await page.textContent('#fedadm-registry'), /有效期至.*\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d.*有效/);
	assert.equal(await page.$('#fedadm-expired'), null);
	const rows = await nodeRows(page);
	assert.deepEqual(
		rows.map((r) => r.region),
		st.registry.nodes.map((n) => n.region),
	);
	assert.deepEqual(rows.map((r) => r.region), ['000000', '440000', '520000']);
	const word = { active: '在用', retired: '已停用', local: '本节点登记', registry: '国家枢纽名录' };
	assert.deepEqual(
		rows.map((r) => [r.status, r.source]),
		st.registry.nodes.map((n) => [word[n.status], word[n.source]]),
	);
	assert.equal(rows.find((r) => r.region === '520000').source, '国家枢纽名录');
	assert.match(await page.textContent('#fedadm-nodes tr[data-region="440000"]'), /本节点/);

	/* the outbox */
	assert.deepEqual(await counts(page), st.outbox.counts);
	const msgs = await msgRows(page);
	assert.deepEqual(
		msgs.map((m) => m.id),
		st.outbox.items.map((m) => m.message_id),
	);
	const pings = msgs.filter((m) => m.type === 'fed.ping');
	assert.equal(pings.length, 3);
	for (const m of pings) {
		assert.equal(m.label, '连通测试');
		assert.equal(m.status, '已送达');
		assert.equal(m.recipient, '520000');
		assert.equal(m.error, null);
	}
	await shot(page, 'fed-admin');
	await axe(page, 'federation operations');
	await noHorizontalScroll(page, 'federation operations');
	expectNoErrors(page);

	const phone = await openAt(gd, { width: 390, height: 844 });
	await loginAt(phone, gd, 'gd.admin');
	await go(phone, gd, '#/admin/federation');
	await noHorizontalScroll(phone, 'federation operations (phone)');
	await shot(phone, 'fed-admin-phone');
	expectNoErrors(phone);

	/* other officials have no link, and the page refuses them */
	const other = await openAt(gd);
	await loginAt(other, gd, 'gd.rs.admin');
	assert.equal(await other.$('#site-nav a[href="#/admin/federation"]'), null);
	await go(other, gd, '#/admin/federation');
	assert.equal(await other.textContent('#main h1'), '无权访问');
	expectNoErrors(other);
});

test('a node that is down: the ping waits, and refreshing shows its attempts and last error', async () => {
	const { gd, gz } = fed;
	assert.ok(page, 'the first test opened the page');
	await gz.stop('SIGKILL');
	assert.equal(gd.cli(['node', 'ping', '--to', '520000']).code, 0);
	const waiting = await waitFor(
		async () => {
			const s = await status(gd, '?status=pending');
			const m = s.outbox.items.find((x) => x.type === 'fed.ping' && x.attempts > 0 && x.last_error);
			return m || null;
		},
		{ what: 'a pending ping with a failed attempt' },
	);
	const version = await page.getAttribute('#fedadm-body', 'data-version');
	await page.click('#fedadm-refresh');
	await page.waitForFunction((v) => document.getElementById('fedadm-body').dataset.version !== v, version);
	const st = await status(gd);
	assert.equal(st.outbox.counts.pending, 1);
	const shown = await counts(page);
	assert.equal(shown.pending, st.outbox.counts.pending);
	assert.equal(shown.delivered, st.outbox.counts.delivered);
	const row = (await msgRows(page)).find((m) => m.id === waiting.message_id);
	assert.ok(row, 'the waiting ping is listed');
	assert.equal(row.label, '连通测试');
	assert.equal(row.status, '待发送');
	assert.ok(row.attempts > 0, `attempts ${row.attempts}`);
	assert.ok(row.error && row.error.length > 0, 'the last error is shown');
	const now = st.outbox.items.find((m) => m.message_id === waiting.message_id);
	/* curl's text says how long it tried ("after 0 ms"): that may differ between attempts */
	const plain = (e) => String(e).replace(/\d+ ms\b/g, 'N ms');
	assert.equal(plain(row.error), plain(now.last_error));
	assert.match(await page.textContent(`#fedadm-outbox tr[data-id="${waiting.message_id}"] td:nth-child(5)`), /\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/);

	/* the filter: 待发送 only */
	await page.selectOption('#fedadm-status', 'pending');
	await page.click('#fedadm-filter button[type="submit"]');
	await page.waitForFunction(() => location.hash === '#/admin/federation?status=pending');
	await settle(page);
	const pending = await msgRows(page);
	assert.deepEqual(pending.map((m) => m.id), [waiting.message_id]);
	assert.match(await page.textContent('#fedadm-msgs-title'), /待发送/);
	await shot(page, 'fed-admin-pending');
	await axe(page, 'federation operations, pending');
	expectNoErrors(page);

	/* the long error text wraps at phone width too */
	const phone = await openAt(gd, { width: 390, height: 844 });
	await loginAt(phone, gd, 'gd.admin');
	await go(phone, gd, '#/admin/federation?status=pending');
	assert.ok((await msgRows(phone)).some((m) => m.id === waiting.message_id && m.error));
	await noHorizontalScroll(phone, 'federation operations, pending (phone)');
	await shot(phone, 'fed-admin-pending-phone');
	expectNoErrors(phone);
});

test('the page in English has no Chinese interface text', async () => {
	const { gd } = fed;
	const en = await openAt(gd, { lang: 'en' });
	await loginAt(en, gd, 'gd.admin');
	await go(en, gd, '#/admin/federation');
	assert.equal(await en.textContent('#main h1'), 'Federation operations');
	const rows = await msgRows(en);
	assert.ok(rows.some((m) => m.label === 'Connectivity test' && m.status === 'Delivered'));
	assert.ok(rows.some((m) => m.label === 'Connectivity test' && m.status === 'Waiting'));
	assert.match(await en.textContent('#fedadm-nodes'), /Hub's register/);
	const text = await interfaceText(en);
	const chinese = text.filter((s) => CJK.test(s) && s !== '中文');
	assert.deepEqual(chinese, [], 'interface text in Chinese on the English page');
	await shot(en, 'fed-admin-en');
	await axe(en, 'federation operations (English)');
	expectNoErrors(en);
});

test('a node not yet federated is told how to join', async () => {
	const { gd } = fed;
	const p = await openAt(gd, { width: 390, height: 844 });
	await loginAt(p, gd, 'gd.admin');
	/* what an un-initialised node answers */
	await p.route(`${gd.url}/api/v1/fed/nodes`, (route) =>
		route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ issued_at: null, expires_at: null, expired: false, self: null, nodes: [] }) }),
	);
	await p.route(`${gd.url}/api/v1/fed/status?*`, (route) =>
		route.fulfill({
			status: 200,
			contentType: 'application/json',
			body: JSON.stringify({ region: '', registry: { issued_at: null, expires_at: null, expired: false, nodes: [] }, outbox: { counts: { pending: 0, delivered: 0, failed: 0 }, items: [] } }),
		}),
	);
	await go(p, gd, '#/admin/federation');
	assert.equal(await p.getAttribute('#fedadm-self', 'data-federated'), 'no');
	assert.equal(await p.textContent('#fedadm-self-title'), '本节点尚未加入联邦');
	const cmds = await p.$$eval('#fedadm-join code', (els) => els.map((e) => e.textContent));
	assert.equal(cmds.length, 4);
	assert.match(cmds[0], /^zhengtong node init --region /);
	assert.match(cmds[1], /^zhengtong node key/);
	assert.match(cmds[2], /^zhengtong node add --region 000000 /);
	assert.equal(cmds[3], 'zhengtong node sync');
	await noHorizontalScroll(p, 'not federated (phone)');
	await shot(p, 'fed-admin-unfederated');
	await axe(p, 'not federated');
	expectNoErrors(p);
});

test('an expired register is shown in red with what it means', async () => {
	const { gd } = fed;
	const p = await openAt(gd);
	await loginAt(p, gd, 'gd.admin');
	/* the node's own answer, as it would be a day after the hub went silent */
	await p.route(`${gd.url}/api/v1/fed/status?*`, async (route) => {
		const res = await route.fetch();
		const body = await res.json();
		body.registry.expires_at = body.registry.issued_at - 3600;
		body.registry.expired = true;
		await route.fulfill({ response: res, json: body });
	});
	await go(p, gd, '#/admin/federation');
	assert.equal(await p.getAttribute('#fedadm-registry', 'data-expired'), 'yes');
	assert.match(await p.textContent('#fedadm-expired'), /^名录已过期/);
	assert.match(await p.textContent('#fedadm-valid-until'), /已过期/);
	const red = await p.$eval('#fedadm-expired', (e) => getComputedStyle(e).color);
	assert.equal(red, 'rgb(161, 22, 27)'); /* --c-bad */
	await shot(p, 'fed-admin-expired');
	await axe(p, 'expired register');
	expectNoErrors(p);
});
