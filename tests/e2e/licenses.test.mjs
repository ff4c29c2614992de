// licenses.test.mjs - e-licenses (电子证照) and once-only (一次办) in the
// browser: the citizen's wallet lists a valid and a revoked license; a
// license's page shows its data, QR code and identifier, downloads as JSON
// and has a printable page whose print style leaves out the navigation;
// anyone, signed out, verifies a license by identifier or QR content and
// is told in plain words when it is revoked or forged; applying for an item
// whose materials an e-license and shared data satisfy shows them as
// "已由电子证照/共享数据免提交", and the case shows each material's source
// and, to the official, the verified data.
//
// What it needs (a license type, an item that issues it, approved cases, a
// resource with a row about the citizen and a grant of the handling
// department) is made through the API in before().

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, shot, login, api, token, pdf, interfaceText, expectNoErrors, CJK, CITIZEN, REPO } from './lib.mjs';

let browser;
const RUN = String(Date.now()).slice(-5);
const TYPE_NAME = `个体工商户营业执照（测试${RUN}）`;
const RES_CODE = `520102-SCJG-LIC-${RUN}`;
const ONCE_NAME = `创业担保贷款申请（测试${RUN}）`;
const env = {};

function itemBody(code, name, extra = {}) {
	return {
		code,
		name,
		type: 'XK',
		target: 'citizen',
		legal_days: 20,
		promised_days: 5,
		depth: 6,
		max_visits: 0,
		fee: '不收费',
		conditions: '在本区从事个体经营的自然人。',
		legal_basis: '《促进个体工商户发展条例》。',
		process: ['网上申请', '受理', '审查', '决定'],
		place: '南明区政务服务中心',
		office_hours: '工作日 9:00-17:00',
		consult: '0851-12345',
		complaint: '12345 热线',
		channels: ['web', 'mobile', 'window'],
		cross_modes: [],
		materials: [{ name: '经营者身份证明', form: 'electronic', count: 1, required: true }],
		...extra,
	};
}

async function applyAndApprove(cit, itemCode, purpose) {
	const file = await api('POST', '/files', { token: cit, body: pdf(`lic ${purpose}`), raw: true, type: 'application/pdf' });
	const c = await api('POST', '/cases', { token: cit, body: { item_code: itemCode, form: { purpose, address: '贵阳市南明区花果园大街 8 号' }, materials: [{ seq: 1, name: '经营者身份证明', file: file.id }] } });
	await api('POST', `/cases/${c.id}/accept`, { token: env.clerk, body: {} });
	await api('POST', `/cases/${c.id}/approve`, { token: env.reviewer, body: {} });
	return c;
}

before(async () => {
	browser = await launch();
	env.admin = await token('scjg.admin');
	env.clerk = await token('scjg.clerk');
	env.reviewer = await token('scjg.reviewer');
	const cit = await token(CITIZEN);
	/* a license type and an item that issues it */
	const type = await api('POST', '/license-types', { token: env.admin, body: { name: TYPE_NAME, name_en: `Individual business licence (test ${RUN})`, fields: [{ name: 'purpose', label: '经营范围' }, { name: 'address', label: '经营场所' }], valid_years: 5 } });
	env.type = type.code;
	const item = await api('POST', '/services', { token: env.admin, body: itemBody(`520102-SCJG-XK-L${RUN}`, `个体工商户登记（证照测试${RUN}）`, { license_type: env.type }) });
	await api('POST', `/services/${item.id}/publish`, { token: env.admin, body: {} });
	await applyAndApprove(cit, `520102-SCJG-XK-L${RUN}`, '小吃店经营');
	const second = await applyAndApprove(cit, `520102-SCJG-XK-L${RUN}`, '水果零售');
	await applyAndApprove(cit, `520102-SCJG-XK-L${RUN}`, '日用品零售');
	const mine = (await api('GET', '/licenses', { token: cit })).items.filter((l) => l.type.code === env.type);
	assert.equal(mine.length, 3, 'three licenses issued');
	const serial = (n) => mine.find((l) => l.identifier.includes(`.000000${n}.`));
	env.valid = serial(1);
	env.revoked = serial(2);
	env.third = serial(3); /* revoked in the browser below */
	await api('POST', `/licenses/${env.revoked.identifier}/revoke`, { token: env.reviewer, body: { reason: '经营者申请注销（测试）' } });
	env.secondCase = second.id;

	/* once-only: a resource with a row about the citizen, granted to 人社局 */
	const data = await token('scjg.data');
	const res = await api('POST', '/resources', {
		token: data,
		body: {
			code: RES_CODE,
			name: `个体经营登记信息（测试${RUN}）`,
			fields: [
				{ name: 'reg_no', label: '注册号', type: 'string', sensitivity: 'public' },
				{ name: 'owner_id', label: '经营者身份证号', type: 'string', sensitivity: 'sensitive' },
				{ name: 'owner_name', label: '经营者姓名', type: 'string', sensitivity: 'personal' },
				{ name: 'trade', label: '经营行业', type: 'string', sensitivity: 'internal' },
			],
			key_field: 'reg_no',
			subject_field: 'owner_id',
			share_type: 'unconditional',
			share_method: 'api',
			open_type: 'closed',
			update_cycle: 'daily',
		},
	});
	await api('PUT', `/resources/${res.id}/rows`, { token: data, body: { rows: [{ reg_no: `R${RUN}`, owner_id: CITIZEN, owner_name: '张伟', trade: '餐饮' }] } });
	const granted = await api('POST', '/share-requests', { token: await token('rs.data'), body: { resource: RES_CODE, fields: ['reg_no', 'owner_name', 'trade'], purpose: '创业担保贷款审核', legal_basis: '《就业促进法》', valid_to: '2026-12-31' } });
	assert.equal(granted.status, 'approved');
	/* an 人社局 item whose materials the license and the shared data satisfy */
	const rsAdmin = await token('rs.admin');
	const once = await api('POST', '/services', {
		token: rsAdmin,
		body: itemBody(`520102-RS-GF-L${RUN}`, ONCE_NAME, {
			type: 'GF',
			materials: [
				{ name: '营业执照', form: 'electronic', count: 1, required: true, license_type: env.type },
				{ name: '个体经营登记信息', form: 'electronic', count: 1, required: true, resource: RES_CODE },
				{ name: '贷款申请书', form: 'original', count: 1, required: true },
			],
		}),
	});
	await api('POST', `/services/${once.id}/publish`, { token: rsAdmin, body: {} });
	env.onceId = once.id;
});
after(async () => {
	await browser?.close();
});

async function englishOnly(page, name) {
	const chinese = (await interfaceText(page)).filter((s) => CJK.test(s));
	assert.deepEqual(chinese, [], `${name}: Chinese interface text on the English page`);
}

test('the vendored QR encoder is the pinned npm package', (t) => {
	if (!existsSync(`${REPO}/node_modules/qr/index.js`)) {
		t.skip('node_modules/qr is not installed (npm ci)');
		return;
	}
	const vendored = readFileSync(`${REPO}/web/vendor/qr/index.js`, 'utf8');
	const pinned = readFileSync(`${REPO}/node_modules/qr/index.js`, 'utf8');
	assert.equal(vendored, pinned, 'web/vendor/qr/index.js differs from node_modules/qr: run npm run vendor');
});

test('the wallet: list, detail with QR code, JSON download, printable page', async () => {
	const page = await open(browser, { downloads: true });
	await login(page, CITIZEN);
	await page.getByRole('link', { name: '电子证照' }).click();
	await settle(page);
	const cards = page.locator('.lic-card', { hasText: TYPE_NAME });
	assert.equal(await cards.count(), 3);
	await page.locator('.lic-card', { hasText: env.valid.identifier }).getByText('有效', { exact: true }).waitFor();
	await page.locator('.lic-card', { hasText: env.revoked.identifier }).getByText('已撤销').waitFor();
	await check(page, 'licenses');

	await page.locator('.lic-card', { hasText: env.valid.identifier }).getByRole('link', { name: TYPE_NAME }).click();
	await settle(page);
	assert.equal(await page.locator('#lic-identifier').textContent(), env.valid.identifier);
	for (const w of ['张伟', '南明区市场监督管理局', '经营范围', '个体工商户登记（证照测试', '2026年3月9日', '2031年3月8日']) await page.getByText(w).first().waitFor();
	const qr = await page.locator('#lic-qr-text').textContent();
	assert.match(qr, /^ZTL1\|1\.2\.156\.3005\.2\.[0-9A-Z.]+\|[A-Za-z0-9_-]+$/);
	assert.ok(qr.includes(env.valid.identifier));
	const svg = page.locator('svg.qr');
	assert.equal(await svg.getAttribute('role'), 'img');
	assert.ok((await svg.locator('path').getAttribute('d')).length > 200, 'the QR code is drawn');
	await check(page, 'license');

	const [download] = await Promise.all([page.waitForEvent('download'), page.click('#lic-download')]);
	assert.equal(download.suggestedFilename(), `${env.valid.identifier}.json`);
	const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
	assert.equal(saved.identifier, env.valid.identifier);
	assert.equal(saved.qr, qr);

	await page.getByRole('link', { name: '打印版' }).click();
	await settle(page);
	await page.locator('.lic-sheet .lic-id').getByText(env.valid.identifier).waitFor();
	await page.locator('.lic-sheet').getByText(qr).waitFor();
	await check(page, 'license-print');
	await page.emulateMedia({ media: 'print' });
	for (const sel of ['.site-header', '.site-footer', '#lic-print']) assert.equal(await page.locator(sel).evaluate((e) => getComputedStyle(e).display), 'none', `${sel} is not printed`);
	assert.notEqual(await page.locator('.lic-sheet svg.qr').evaluate((e) => getComputedStyle(e).display), 'none', 'the QR code is printed');
	await shot(page, 'license-print-media');
	await page.emulateMedia({ media: 'screen' });

	await visit(page, `#/licenses/${encodeURIComponent(env.revoked.identifier)}`);
	await page.getByText('该证照已被签发部门撤销').waitFor();
	await page.getByText('经营者申请注销（测试）').waitFor();
	await shot(page, 'license-revoked');
	expectNoErrors(page);
	await page.context().close();

	/* phone width and English */
	const phone = await open(browser, { width: 375, height: 740 });
	await login(phone, CITIZEN);
	await visit(phone, '#/licenses');
	await check(phone, 'licenses-phone');
	await visit(phone, `#/licenses/${encodeURIComponent(env.valid.identifier)}`);
	await check(phone, 'license-phone');
	await visit(phone, `#/licenses/${encodeURIComponent(env.valid.identifier)}/print`);
	await check(phone, 'license-print-phone');
	await phone.context().close();
	const en = await open(browser, { lang: 'en' });
	await login(en, CITIZEN);
	await visit(en, `#/licenses/${encodeURIComponent(env.valid.identifier)}`);
	await en.getByText('License identifier').first().waitFor();
	await en.getByText(`Individual business licence (test ${RUN})`).first().waitFor();
	await englishOnly(en, 'license-en');
	await check(en, 'license-en');
	await visit(en, '#/licenses');
	await englishOnly(en, 'licenses-en');
	await en.context().close();
});

test('the issuing reviewer revokes a license; verification says so at once', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, 'scjg.reviewer');
	await visit(page, '#/licenses');
	await page.getByText('本部门签发的证照').first().waitFor();
	await visit(page, `#/licenses/${encodeURIComponent(env.third.identifier)}`);
	await page.click('#lic-revoke-submit');
	await page.locator('#lic-revoke-reason-error').filter({ hasText: '请填写理由' }).waitFor();
	await check(page, 'license-revoke-form');
	await page.fill('#lic-revoke-reason', '经营者已办理注销登记。');
	await page.click('#lic-revoke-submit');
	await page.getByText('证照已撤销。').waitFor();
	await page.locator('.lic-status').getByText('已撤销').waitFor();
	assert.equal(await page.locator('#lic-revoke-form').count(), 0);
	const v = await api('POST', '/licenses/verify', { body: { identifier: env.third.identifier } });
	assert.equal(v.status, 'revoked');
	expectNoErrors(page);
	await page.context().close();
});

test('anyone verifies a license without signing in', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await visit(page, '#/');
	await page.getByRole('link', { name: '证照核验' }).click();
	await settle(page);
	await check(page, 'verify');
	/* valid, by identifier */
	await page.fill('#verify-input', env.valid.identifier);
	await page.click('#verify-submit');
	await page.locator('#verify-result').getByText('证照有效').waitFor();
	await page.getByText('数字签名核验通过').waitFor();
	const text = await page.locator('#verify-result').textContent();
	assert.ok(text.includes('张*'), 'the holder is masked');
	assert.ok(!text.includes(CITIZEN), 'the full ID number is not shown');
	await check(page, 'verify-valid');
	/* forged: one character of the identifier changed, so the check character no longer fits */
	const id = env.valid.identifier;
	const forged = id.replace('.0000001.', '.0000009.') === id ? id.slice(0, -1) + (id.endsWith('0') ? '1' : '0') : id.replace('.0000001.', '.0000009.');
	await page.fill('#verify-input', forged);
	await page.click('#verify-submit');
	await page.locator('#verify-result').getByText('证照无法核验，可能是伪造的').waitFor();
	await page.getByText('校验码不正确').waitFor();
	await check(page, 'verify-forged');
	/* not an identifier at all: said next to the field */
	await page.fill('#verify-input', '1.2.156.abc');
	await page.click('#verify-submit');
	await page.locator('#verify-input-error').filter({ hasText: '证照标识格式不正确' }).waitFor();
	assert.equal(await page.locator('#verify-result').count(), 0);
	/* the QR content, as a scanner gives it */
	await page.fill('#verify-input', env.valid.qr);
	await page.click('#verify-submit');
	await page.locator('#verify-result').getByText('证照有效').waitFor();
	/* a QR code whose signature belongs to another license */
	await page.fill('#verify-input', `ZTL1|${env.valid.identifier}|${env.revoked.qr.split('|')[2]}`);
	await page.click('#verify-submit');
	await page.locator('#verify-result').getByText('证照无法核验，可能是伪造的').waitFor();
	/* revoked, reached from a link with the identifier */
	await visit(page, `#/verify?id=${encodeURIComponent(env.revoked.identifier)}`);
	await page.locator('#verify-result').getByText('证照已撤销').waitFor();
	await page.getByText('不能再作为有效证明使用').first().waitFor();
	await check(page, 'verify-revoked');
	expectNoErrors(page);
	await page.context().close();

	const phone = await open(browser, { width: 375, height: 740 });
	await visit(phone, `#/verify?id=${encodeURIComponent(env.valid.identifier)}`);
	await phone.locator('#verify-result').waitFor();
	await check(phone, 'verify-phone');
	await phone.context().close();
	const en = await open(browser, { lang: 'en' });
	en.allowHttpErrors = true;
	await visit(en, `#/verify?id=${encodeURIComponent(env.revoked.identifier)}`);
	await en.locator('#verify-result').getByText('License revoked').waitFor();
	await englishOnly(en, 'verify-en');
	await check(en, 'verify-en');
	await en.context().close();
});

test('once-only: materials filled from an e-license and shared data need no upload', async () => {
	/* the item administrator sees (and keeps, on saving) what satisfies each material */
	const adm = await open(browser);
	await login(adm, 'rs.admin');
	await visit(adm, `#/admin/items/${env.onceId}`);
	assert.equal(await adm.inputValue('#itm-m-0-source'), `lic:${env.type}`);
	assert.equal(await adm.inputValue('#itm-m-1-source'), `res:${RES_CODE}`);
	assert.equal(await adm.inputValue('#itm-m-2-source'), '');
	await shot(adm, 'item-edit-once-only');
	await adm.click('#itm-save');
	await adm.getByText('修改已保存。').waitFor();
	const saved = await api('GET', `/services/${env.onceId}`);
	assert.equal(saved.materials[0].license_type, env.type, 'saving keeps the license link');
	assert.equal(saved.materials[1].resource, RES_CODE, 'and the resource link');
	expectNoErrors(adm);
	await adm.context().close();

	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, CITIZEN);
	await visit(page, `#/services/${env.onceId}`);
	await page.getByText('可由电子证照免提交').waitFor();
	await page.getByText('可由共享数据免提交').waitFor();
	await visit(page, `#/services/${env.onceId}/apply`);
	const lic = page.locator('#mat-1-wrap');
	await lic.getByText('已由电子证照免提交').waitFor();
	await lic.getByText('免提交').first().waitFor();
	await page.locator('#mat-2-wrap').getByText('已由共享数据免提交').waitFor();
	assert.equal(await page.locator('#mat-1').count(), 0, 'no upload control for a filled material');
	assert.equal(await page.locator('#mat-2').count(), 0);
	await page.locator('#mat-3').waitFor();
	await page.getByText('有 2 项材料已由电子证照或共享数据自动提供，无需上传。').waitFor();
	await check(page, 'apply-once-only');
	await page.fill('#apply-purpose', '申请创业担保贷款，用于小吃店扩大经营。');
	await page.fill('#apply-address', '贵阳市南明区花果园大街 8 号');
	await page.click('#apply-submit');
	await page.locator('#mat-3-error').filter({ hasText: '请上传此材料' }).waitFor();
	assert.equal(await page.locator('#mat-1-error').count(), 0);
	await page.setInputFiles('#mat-3', { name: '贷款申请书.pdf', mimeType: 'application/pdf', buffer: pdf('loan') });
	await page.locator('#mat-3-status').filter({ hasText: '已上传' }).waitFor();
	await page.click('#apply-submit');
	await page.waitForURL(/#\/cases\/\d+$/);
	await settle(page);
	const caseUrl = page.url();
	const rows = page.locator('.mat-filled');
	assert.equal(await rows.count(), 2);
	await rows.nth(0).getByText('电子证照').waitFor();
	await rows.nth(1).getByText('共享数据').waitFor();
	await page.locator('.fact', { hasText: '免提交材料' }).getByText('2 项').waitFor();
	await check(page, 'case-once-only');
	expectNoErrors(page);

	/* the reviewer of 人社局 sees the verified data behind each */
	const off = await open(browser);
	await login(off, 'rs.clerk');
	await off.goto(caseUrl.replace(/^.*#/, `${new URL(caseUrl).origin}/#`));
	await settle(off);
	const filled = off.locator('.mat-filled');
	assert.equal(await filled.count(), 2);
	await filled.nth(0).locator('summary').click();
	await filled.nth(0).getByRole('link', { name: env.valid.identifier }).waitFor();
	await filled.nth(0).getByText('小吃店经营').waitFor();
	await filled.nth(1).locator('summary').click();
	await filled.nth(1).getByText('餐饮').waitFor();
	await check(off, 'case-once-only-official');
	expectNoErrors(off);
	await off.context().close();
	await page.context().close();
});
