// sharing.test.mjs - data sharing (数据共享交换) in the browser: the
// market-regulation data officer registers a resource (a bad field name and
// a missing legal basis are shown next to their fields) and loads rows from
// a CSV file (the bad rows reported line by line); the HR bureau finds it in
// the catalog with filters and requests access; the provider approves fewer
// fields; an HR official reads a row through the grant and sees the masked
// values; the citizen the row is about sees who read it and why; another
// request is refused with a reason; API keys are made (shown once) and
// revoked; revoking the grant stops the exchange at once. Every page gets a
// screenshot and axe, and the catalog, exchange and "who used my data" are
// also checked at phone width and in English.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, shot, login, api, token, interfaceText, expectNoErrors, CJK, CITIZEN, BASE } from './lib.mjs';

let browser;
const RUN = String(Date.now()).slice(-5);
const CODE = `520102-SCJG-E2E-${RUN}`;
const NAME = `个体工商户登记信息（测试${RUN}）`;
const REG1 = `5201026${RUN}01`;
const state = {};
const KEYNAME = `社保待遇核验系统${RUN}`;

before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

async function englishOnly(page, name) {
	const chinese = (await interfaceText(page)).filter((s) => CJK.test(s));
	assert.deepEqual(chinese, [], `${name}: Chinese interface text on the English page`);
}

test('data sharing: register, load, request, approve, read masked, see the access', async (t) => {
	const scjg = await open(browser);
	scjg.allowHttpErrors = true;
	const rs = await open(browser);
	rs.allowHttpErrors = true;

	await t.test('the data officer registers a resource; errors are shown next to their fields', async () => {
		await login(scjg, 'scjg.data');
		assert.match(scjg.url(), /#\/data\/requests/, 'a data officer starts at the requests');
		await visit(scjg, '#/data/resources');
		await scjg.getByRole('link', { name: '登记资源' }).click();
		await settle(scjg);
		await scjg.fill('#res-code', CODE);
		await scjg.fill('#res-name', NAME);
		await scjg.fill('#res-summary', '南明区个体工商户的登记信息，按日更新。');
		await scjg.fill('#rf-0-name', 'Reg_No'); /* upper case: refused */
		await scjg.fill('#rf-0-label', '注册号');
		await scjg.selectOption('#rf-0-sensitivity', 'public');
		await scjg.fill('#rf-1-name', 'owner_name');
		await scjg.fill('#rf-1-label', '经营者姓名');
		await scjg.selectOption('#rf-1-sensitivity', 'personal');
		await scjg.click('#rf-add');
		assert.equal(await scjg.evaluate(() => document.activeElement.id), 'rf-2-name', 'focus goes to the new field');
		await scjg.fill('#rf-2-name', 'owner_id');
		await scjg.fill('#rf-2-label', '经营者身份证号');
		await scjg.selectOption('#rf-2-sensitivity', 'sensitive');
		await scjg.click('#rf-add');
		await scjg.fill('#rf-3-name', 'phone');
		await scjg.fill('#rf-3-label', '联系电话');
		await scjg.selectOption('#rf-3-sensitivity', 'personal');
		await scjg.click('#rf-add');
		await scjg.fill('#rf-4-name', 'capital');
		await scjg.fill('#rf-4-label', '资金数额');
		await scjg.selectOption('#rf-4-type', 'number');
		await scjg.fill('#res-key', 'reg_no');
		await scjg.fill('#res-subject', 'owner_id');
		await scjg.selectOption('#res-share-type', 'conditional');
		await scjg.fill('#res-conditions', '仅用于就业创业补贴等法定职责的核验。');
		await scjg.click('#res-save');
		await scjg.locator('#rf-0-name-error').filter({ hasText: '字段名须以小写字母开头' }).waitFor();
		assert.equal(await scjg.getAttribute('#rf-0-name', 'aria-invalid'), 'true');
		assert.equal(await scjg.evaluate(() => document.activeElement.id), 'rf-0-name', 'focus goes to the field in error');
		await check(scjg, 'resource-new-error');
		await scjg.fill('#rf-0-name', 'reg_no');
		await scjg.click('#res-save');
		/* conditional sharing without a legal basis */
		await scjg.locator('#res-basis-error').filter({ hasText: '法律依据' }).waitFor();
		await scjg.fill('#res-basis', '《促进个体工商户发展条例》第十条');
		await scjg.click('#res-save');
		await scjg.waitForURL(/#\/data\/resources\/\d+$/);
		await settle(scjg);
		state.resId = Number(/(\d+)$/.exec(scjg.url())[1]);
		await scjg.getByText(`已登记数据资源“${NAME}”`).waitFor();
		const fields = await scjg.locator('.fields-table').textContent();
		for (const w of ['reg_no', '主键', '经营者身份证号', '数据主体', '敏感信息', '个人信息', '手机号']) assert.ok(fields.includes(w), `the fields table shows ${w}`);
		await scjg.locator('.fact', { hasText: '共享类型' }).getByText('有条件共享').waitFor();
		assert.equal(await scjg.locator('#res-rows').textContent(), '0 条');
	});

	await t.test('loads rows from CSV: good rows load, each bad row is reported', async () => {
		const csv = [
			'reg_no,owner_name,owner_id,phone,capital',
			`${REG1},张伟,${CITIZEN},13812345678,50000`,
			`5201026${RUN}02,李秀英,520101198511200048,13900001111,abc`,
			`5201026${RUN}03,王五,12345,13900002222,1000`,
			`5201026${RUN}04,赵六,,13900003333,2000.5`,
		].join('\n');
		await scjg.setInputFiles('#imp-file', { name: 'rows.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${csv}\n`) });
		await scjg.getByText('已选择 rows.csv').waitFor();
		await scjg.click('#imp-submit');
		const report = scjg.locator('.import-result');
		await report.waitFor();
		await report.getByText('已导入 2 行').waitFor();
		await report.getByText('未导入 2 行').waitFor();
		const rows = report.locator('.import-errors tbody tr');
		assert.equal(await rows.count(), 2);
		assert.match(await rows.nth(0).textContent(), /3.*资金数额.*capital.*值不符合类型，应为数值/);
		assert.match(await rows.nth(1).textContent(), /4.*经营者身份证号.*不是有效的身份证号或统一社会信用代码/);
		assert.equal(await scjg.locator('#res-rows').textContent(), '2 条');
		await check(scjg, 'resource-import');
		expectNoErrors(scjg);
	});

	await t.test('any official finds the resource in the catalog with filters', async () => {
		const clerk = await open(browser);
		await login(clerk, 'rs.clerk');
		await clerk.getByRole('link', { name: '数据共享' }).click();
		await settle(clerk);
		assert.equal(await clerk.getByRole('link', { name: '登记资源' }).count(), 0, 'only data officers register resources');
		assert.equal(await clerk.locator('.data-tabs').getByText('共享申请').count(), 0, 'and only they see requests');
		await clerk.fill('#res-q', `测试${RUN}`);
		await clerk.selectOption('#res-dept', { label: '南明区市场监督管理局' });
		await clerk.selectOption('#res-type', 'conditional');
		await clerk.click('#res-search');
		await clerk.waitForURL(/share_type=conditional/);
		await settle(clerk);
		assert.equal(await clerk.locator('.res-table tbody tr').count(), 1);
		await clerk.locator('.res-table').getByText('有条件共享').waitFor();
		await check(clerk, 'catalog');
		await clerk.selectOption('#res-type', 'unconditional');
		await clerk.click('#res-search');
		await clerk.waitForURL(/share_type=unconditional/);
		await settle(clerk);
		await clerk.locator('.empty', { hasText: '没有符合条件的数据资源' }).waitFor();
		await clerk.goBack();
		await settle(clerk);
		await clerk.getByRole('link', { name: NAME }).click();
		await settle(clerk);
		assert.equal(await clerk.getByRole('link', { name: '申请共享' }).count(), 0, 'a clerk cannot request access');
		expectNoErrors(clerk);
		await clerk.context().close();
	});

	await t.test('the HR data officer requests access to chosen fields', async () => {
		await login(rs, 'rs.data');
		await visit(rs, `#/data/resources/${state.resId}`);
		await rs.getByText('有条件共享资源：提交申请后由提供部门审核').waitFor();
		await rs.getByRole('link', { name: '申请共享' }).click();
		await settle(rs);
		/* personal and sensitive fields are not pre-checked */
		assert.equal(await rs.isChecked('#rq-f-reg_no'), true);
		assert.equal(await rs.isChecked('#rq-f-owner_id'), false);
		await rs.getByText('所选信息项中没有需要脱敏的项。').waitFor();
		await rs.check('#rq-f-owner_name');
		await rs.check('#rq-f-owner_id');
		await rs.check('#rq-f-phone');
		await rs.uncheck('#rq-f-capital'); /* not needed for the purpose */
		await rs.locator('#rq-c-owner_id').waitFor();
		await rs.check('#rq-c-phone'); /* asks for the phone in clear */
		await rs.click('#rq-submit');
		await rs.locator('#rq-purpose-error').filter({ hasText: '此项必填' }).waitFor();
		await check(rs, 'share-request-error');
		await rs.fill('#rq-purpose', '核验就业创业补贴申请人的个体经营情况');
		await rs.fill('#rq-basis', '《就业促进法》第十九条');
		await rs.fill('#rq-to', '2026-12-31');
		await rs.click('#rq-submit');
		await rs.waitForURL(/#\/data\/requests\/\d+$/);
		await settle(rs);
		await rs.getByText('申请已提交，提供部门应于 2026年3月23日 前答复。').waitFor();
		state.reqId = Number(/(\d+)$/.exec(rs.url())[1]);
		await rs.locator('.fact', { hasText: '状态' }).getByText('待审核').waitFor();
		await check(rs, 'share-request');
		await visit(rs, '#/data/requests?side=outgoing');
		const row = rs.locator('.req-table tr', { hasText: NAME });
		await row.getByText('待答复').waitFor();
		await row.getByText('2026年3月23日 前答复').waitFor();
		await check(rs, 'requests-outgoing');
		expectNoErrors(rs);
	});

	await t.test('the provider approves fewer fields and no field in clear', async () => {
		await visit(scjg, '#/data/requests?side=incoming&status=pending');
		await scjg.locator('.req-table tr', { hasText: NAME }).getByRole('link').click();
		await settle(scjg);
		await check(scjg, 'request-incoming');
		await scjg.click('#btn-approve');
		assert.equal(await scjg.getAttribute('#btn-approve', 'aria-expanded'), 'true');
		await scjg.uncheck('#ap-f-phone');
		await scjg.uncheck('#ap-c-phone');
		await shot(scjg, 'request-approve-form');
		await scjg.click('#ap-submit');
		await scjg.locator('.fact', { hasText: '状态' }).getByText('已批准').waitFor();
		await scjg.getByText('已批准，授权立即生效。').waitFor();
		state.grantId = Number(/(\d+)/.exec(await scjg.locator('a', { hasText: /授权 \d+ 号/ }).first().textContent())[1]);
		await visit(scjg, '#/data/grants?side=provider');
		await scjg.locator('.grant-table tr', { hasText: NAME }).getByText('有效').waitFor();
		await check(scjg, 'grants-provider');
		expectNoErrors(scjg);
	});

	await t.test('an HR official reads a row through the grant; personal fields come masked', async () => {
		const clerk = await open(browser);
		clerk.allowHttpErrors = true; /* the look-up of a missing key answers 404 */
		await login(clerk, 'rs.clerk');
		await visit(clerk, '#/data/grants');
		await clerk.locator('.grant-table tr', { hasText: NAME }).getByRole('link', { name: /查询数据/ }).click();
		await settle(clerk);
		assert.equal(await clerk.inputValue('#ex-grant'), String(state.grantId));
		await clerk.locator('#ex-grant-terms').getByText('核验就业创业补贴申请人的个体经营情况').waitFor();
		await clerk.fill('#ex-key', REG1);
		await clerk.click('#ex-submit');
		const table = clerk.locator('#ex-row');
		await table.waitFor();
		const text = await table.textContent();
		assert.ok(text.includes('张*'), 'the name is masked');
		assert.match(text, /5201\d{0,2}\*+1236/, 'the ID number is masked');
		assert.ok(!text.includes(CITIZEN), 'the full ID number is not shown');
		assert.ok(!text.includes('13812345678'), 'the phone was not granted');
		assert.ok(!text.includes('资金数额'), 'capital was not requested');
		assert.equal(await table.locator('.ex-mask-note').first().textContent(), '已脱敏');
		await check(clerk, 'exchange');
		/* a key without a row: recorded too, and said plainly */
		await clerk.fill('#ex-key', 'no-such-key');
		await clerk.click('#ex-submit');
		/* the notice itself: the live region (#status) may say the same words */
		await clerk.getByRole('alert').filter({ hasText: '没有这个主键的数据。本次查询同样已记录。' }).waitFor();
		expectNoErrors(clerk);
		await clerk.context().close();
	});

	await t.test('the citizen sees who read the data and why', async () => {
		const cit = await open(browser);
		await login(cit, CITIZEN);
		await cit.getByRole('link', { name: '数据使用记录' }).click();
		await settle(cit);
		const row = cit.locator('.access-table tbody tr', { hasText: NAME }).first();
		await row.waitFor();
		const text = await row.textContent();
		for (const w of ['南明区人力资源和社会保障局', '受理员 赵敏', '核验就业创业补贴申请人的个体经营情况', '2026年3月9日']) assert.ok(text.includes(w), `the record shows ${w}: ${text}`);
		await check(cit, 'data-access');
		/* 李秀英's row was refused at load, so nothing about her */
		const other = await open(browser);
		await login(other, '520101198511200048');
		await visit(other, '#/me/data-access');
		assert.equal(await other.locator('.access-table tbody tr', { hasText: NAME }).count(), 0);
		await other.context().close();
		expectNoErrors(cit);
		await cit.context().close();
	});

	await t.test('a request is refused with a reason', async () => {
		const mz = await open(browser);
		mz.allowHttpErrors = true;
		const mzTok = await token('mz.data');
		const r = await api('POST', '/share-requests', { token: mzTok, body: { resource: CODE, fields: ['reg_no', 'capital'], purpose: '低保家庭经营收入核对', legal_basis: '《社会救助暂行办法》第十一条', valid_to: '2026-12-31' } });
		assert.equal(r.status, 'pending');
		await visit(scjg, `#/data/requests/${r.id}`);
		await scjg.click('#btn-refuse');
		await scjg.click('#rf-submit');
		await scjg.locator('#rf-reason-error').filter({ hasText: '请填写理由' }).waitFor();
		await scjg.fill('#rf-reason', '资金数额不属于低保核对所需信息，请改为申请注册号。');
		await scjg.click('#rf-submit');
		await scjg.getByText('已拒绝该申请。').waitFor();
		await login(mz, 'mz.data');
		await visit(mz, `#/data/requests/${r.id}`);
		await mz.locator('.fact', { hasText: '状态' }).getByText('已拒绝').waitFor();
		await mz.getByText('资金数额不属于低保核对所需信息').waitFor();
		await check(mz, 'request-refused');
		expectNoErrors(mz);
		await mz.context().close();
	});

	await t.test('API keys: shown once with a copy button, listed, revoked', async () => {
		await rs.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
		await visit(rs, '#/data/api-keys');
		await rs.click('#key-create');
		await rs.locator('#key-name-error').filter({ hasText: '此项必填' }).waitFor();
		await rs.fill('#key-name', KEYNAME);
		await rs.click('#key-create');
		await rs.locator('#key-box').waitFor();
		const key = await rs.inputValue('#key-value');
		assert.match(key, /^ztk_[A-Za-z0-9_-]{43}$/);
		await rs.getByText('密钥只显示这一次').waitFor();
		await rs.click('#key-copy');
		await rs.getByText('已复制到剪贴板').waitFor();
		assert.equal(await rs.evaluate(() => navigator.clipboard.readText()), key);
		await check(rs, 'api-keys-new');
		/* the key reads through the department's grant */
		const res = await fetch(`${BASE}/api/v1/exchange/${state.grantId}/rows/${REG1}`, { headers: { Authorization: `Bearer ${key}` } });
		assert.equal(res.status, 200);
		/* shown once: not after a reload */
		await visit(rs, '#/data/api-keys');
		assert.equal(await rs.locator('#key-box').count(), 0);
		const row = rs.locator('.key-table tr', { hasText: KEYNAME });
		await row.getByText('有效').waitFor();
		await row.getByRole('button', { name: /撤销/ }).click();
		await row.getByText('撤销后使用该密钥的系统将立即无法访问').waitFor();
		await row.getByRole('button', { name: /确认撤销/ }).click();
		await rs.getByText('密钥已撤销。').waitFor();
		await rs.locator('.key-table tr', { hasText: KEYNAME }).getByText('已撤销').waitFor();
		const after = await fetch(`${BASE}/api/v1/exchange/${state.grantId}/rows/${REG1}`, { headers: { Authorization: `Bearer ${key}` } });
		assert.equal(after.status, 401);
		await check(rs, 'api-keys');
		expectNoErrors(rs);
	});

	await t.test('the provider revokes the grant; the exchange refuses at once', async () => {
		await visit(scjg, `#/data/grants/${state.grantId}`);
		await check(scjg, 'grant');
		await scjg.click('#rv-submit');
		await scjg.locator('#rv-reason-error').filter({ hasText: '请填写理由' }).waitFor();
		await scjg.fill('#rv-reason', '补贴核验工作已结束。');
		await scjg.click('#rv-submit');
		await scjg.getByText('授权已撤销，立即生效。').waitFor();
		await scjg.locator('.fact', { hasText: '状态' }).getByText('已撤销').waitFor();
		await visit(rs, `#/data/exchange?grant=${state.grantId}`);
		await rs.fill('#ex-key', REG1);
		await rs.click('#ex-submit');
		await rs.locator('.form-errors').getByText('该授权已被撤销，不能再查询').waitFor();
		await shot(rs, 'exchange-revoked');
		expectNoErrors(rs);
		expectNoErrors(scjg);
	});

	await scjg.context().close();
	await rs.context().close();
});

test('data-sharing pages at phone width and in English', async () => {
	const phone = await open(browser, { width: 375, height: 740 });
	await login(phone, 'scjg.data');
	for (const [hash, name] of [
		['#/data/resources', 'catalog-phone'],
		[`#/data/resources/${state.resId}`, 'resource-phone'],
		['#/data/requests?side=incoming', 'requests-phone'],
		['#/data/grants?side=provider', 'grants-phone'],
		['#/data/api-keys', 'api-keys-phone'],
		['#/data/resources/new', 'resource-new-phone'],
		['#/data/access?side=provider', 'access-log-phone'],
	]) {
		await visit(phone, hash);
		await check(phone, name);
	}
	expectNoErrors(phone);
	await phone.context().close();

	const hr = await open(browser, { width: 375, height: 740 });
	hr.allowHttpErrors = true;
	await login(hr, 'rs.data');
	await visit(hr, `#/data/exchange?grant=${state.grantId}`);
	await check(hr, 'exchange-phone');
	await visit(hr, '#/data/access');
	await hr.locator('.access-table').getByText(NAME).first().waitFor();
	await check(hr, 'access-log');
	expectNoErrors(hr);
	await hr.context().close();

	const cit = await open(browser, { width: 375, height: 740 });
	await login(cit, CITIZEN);
	await visit(cit, '#/me/data-access');
	await check(cit, 'data-access-phone');
	await cit.context().close();

	const en = await open(browser, { lang: 'en' });
	await login(en, 'scjg.data');
	await visit(en, `#/data/resources/${state.resId}`);
	await en.getByText('Shared on conditions').first().waitFor();
	await englishOnly(en, 'resource-en');
	await check(en, 'resource-en');
	await visit(en, '#/data/requests?side=incoming');
	await englishOnly(en, 'requests-en');
	await check(en, 'requests-en');
	await visit(en, '#/data/grants?side=provider');
	await englishOnly(en, 'grants-en');
	expectNoErrors(en);
	await en.context().close();

	const cen = await open(browser, { lang: 'en' });
	await login(cen, CITIZEN);
	await visit(cen, '#/me/data-access');
	await cen.getByText('Who used my data').first().waitFor();
	await englishOnly(cen, 'data-access-en');
	await check(cen, 'data-access-en');
	await cen.context().close();
});
