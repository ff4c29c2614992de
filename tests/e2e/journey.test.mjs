// journey.test.mjs - the whole life of one application in a real browser:
// a citizen registers, finds an item by a Chinese keyword, applies with
// uploaded PDFs; the clerk asks for a supplement; the citizen supplements in
// place; the clerk accepts and records a visit; the reviewer approves and
// delivers; the citizen rates (a bad rating first without the required
// comment); the supervisor closes the rectification item. Every page gets a
// screenshot and an axe-core check.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, shot, login, idNumber, pdf, png, expectNoErrors } from './lib.mjs';

let browser;
before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

const ITEM = '失业保险金申领';
const state = {};

async function caseState(page) {
	return (await page.locator('.case-status .badge').first().textContent()).trim();
}

test('the application journey, from registration to rating', async (t) => {
	const cit = await open(browser);
	cit.allowHttpErrors = true; /* the test provokes 400s on purpose */

	await t.test('a citizen registers; a bad ID number is explained next to its field, in Chinese', async () => {
		await visit(cit, '#/register');
		await check(cit, 'register');
		const id = idNumber();
		const bad = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
		await cit.fill('#reg-name', '王小明');
		await cit.fill('#reg-id', bad);
		await cit.fill('#reg-phone', '13812345678');
		await cit.fill('#reg-password', 'Minzheng2026');
		await cit.fill('#reg-password2', 'Minzheng2026');
		await cit.click('#reg-submit');
		await cit.locator('#reg-id-error').filter({ hasText: '校验位' }).waitFor();
		assert.equal(await cit.getAttribute('#reg-id', 'aria-invalid'), 'true');
		await shot(cit, 'register-error');
		await cit.fill('#reg-id', id);
		await cit.click('#reg-submit');
		await cit.waitForURL(/#\/cases$/);
		await settle(cit);
		await cit.getByText('注册成功').waitFor();
		assert.match(await cit.locator('.nav-user').textContent(), /王小明/);
		state.id = id;
	});

	await t.test('finds the item by a Chinese keyword and reads its guide', async () => {
		await visit(cit, '#/');
		await check(cit, 'home');
		await cit.fill('#search-q', '失业');
		await cit.getByRole('button', { name: '搜索', exact: true }).click();
		await cit.waitForURL(/q=/);
		await settle(cit);
		const results = cit.locator('.results .result');
		assert.equal(await results.count(), 1, 'one item matches 失业');
		await check(cit, 'search-results');
		await cit.getByRole('link', { name: ITEM }).click();
		await settle(cit);
		assert.equal((await cit.locator('h1').textContent()).trim(), ITEM);
		for (const text of ['法定办结时限', '20 个工作日', '承诺办结时限', '5 个工作日', '零跑动', '申请材料', '解除或终止劳动关系证明', '办理流程', '设定依据', '咨询方式', '投诉监督', '全程网办'])
			await cit.getByText(text, { exact: false }).first().waitFor();
		await check(cit, 'guide');
	});

	await t.test('applies with uploaded PDFs, upload progress shown', async () => {
		await cit.getByRole('link', { name: '在线申请' }).first().click();
		await settle(cit);
		await cit.fill('#apply-purpose', '单位经济性裁员，非本人意愿中断就业，申领失业保险金。');
		await cit.fill('#apply-address', '贵阳市南明区花果园大街 8 号');
		await cit.click('#apply-submit');
		await cit.locator('#mat-1-error').filter({ hasText: '请上传此材料' }).waitFor();
		await cit.locator('.form-errors').waitFor();
		await shot(cit, 'apply-errors');
		await cit.setInputFiles('#mat-1', { name: '身份证明.pdf', mimeType: 'application/pdf', buffer: pdf('ID card') });
		await cit.locator('#mat-1-status').filter({ hasText: '已上传' }).waitFor();
		assert.equal(await cit.locator('#mat-1-wrap progress').evaluate((p) => p.value), 100);
		await cit.setInputFiles('#mat-2', { name: '解除劳动关系证明.pdf', mimeType: 'application/pdf', buffer: pdf('Termination') });
		await cit.locator('#mat-2-status').filter({ hasText: '已上传' }).waitFor();
		await check(cit, 'apply');
		await cit.click('#apply-submit');
		await cit.waitForURL(/#\/cases\/\d+$/);
		await settle(cit);
		state.caseId = cit.url().match(/#\/cases\/(\d+)$/)[1];
		await cit.getByText('申请已提交').waitFor();
		assert.equal(await caseState(cit), '已提交');
		await cit.getByText(/剩余 \d+ 个工作日/).first().waitFor();
		state.caseNo = (await cit.locator('.page-sub .case-no').textContent()).trim();
		await check(cit, 'case-submitted');
		await visit(cit, '#/cases');
		await cit.getByRole('link', { name: new RegExp(state.caseNo) }).waitFor();
		await check(cit, 'my-cases');
	});

	const clerk = await open(browser);
	await t.test('the clerk sees it in the inbox, previews the PDF and asks for a supplement', async () => {
		await login(clerk, 'rs.clerk');
		assert.match(clerk.url(), /#\/work$/);
		await clerk.getByRole('link', { name: new RegExp(state.caseNo) }).waitFor();
		/* sorted by deadline: the overdue demo case comes first */
		assert.match(await clerk.locator('.cases-table tbody tr').first().textContent(), /超期/);
		await check(clerk, 'workbench');
		await clerk.getByRole('link', { name: new RegExp(state.caseNo) }).click();
		await settle(clerk);
		await clerk.getByRole('button', { name: /预览.*身份证明/ }).click();
		await clerk.locator('#viewer iframe').waitFor();
		assert.match(await clerk.locator('#viewer iframe').getAttribute('src'), /^blob:/);
		await clerk.waitForTimeout(1500); /* Chromium's PDF viewer draws the page */
		await check(clerk, 'official-case-preview');
		await clerk.click('#btn-supplement');
		clerk.allowHttpErrors = true;
		await clerk.click('#act-supplement-submit');
		await clerk.locator('#act-supplement-missing-error').filter({ hasText: '请至少选择或填写一项' }).waitFor();
		await clerk.getByLabel('解除或终止劳动关系证明').check();
		await clerk.fill('#act-supplement-other', '加盖单位公章的离职证明');
		await shot(clerk, 'official-supplement-form');
		await clerk.click('#act-supplement-submit');
		await clerk.getByText('已通知申请人补正材料').waitFor();
		assert.equal(await caseState(clerk), '待补正');
		await clerk.locator('.badge.timer-paused').first().waitFor();
	});

	await t.test('the citizen supplements in place', async () => {
		await visit(cit, `#/cases/${state.caseId}`);
		assert.equal(await caseState(cit), '待补正');
		await cit.locator('#supp-form').waitFor();
		await check(cit, 'case-needs-supplement');
		await cit.setInputFiles('#supp-0', { name: '解除劳动关系证明-新.pdf', mimeType: 'application/pdf', buffer: pdf('Termination v2') });
		await cit.locator('#supp-0-status').filter({ hasText: '已上传' }).waitFor();
		await cit.setInputFiles('#supp-1', { name: '离职证明.png', mimeType: 'image/png', buffer: png() });
		await cit.locator('#supp-1-status').filter({ hasText: '已上传' }).waitFor();
		await cit.fill('#supp-comment', '已补交盖章版本');
		await cit.click('#supp-submit');
		await cit.getByText('补正材料已提交').waitFor();
		assert.equal(await caseState(cit), '已提交');
		await cit.locator('.timeline').getByText('补正材料', { exact: true }).waitFor();
	});

	await t.test('the clerk accepts, previews the new image and records a visit', async () => {
		await visit(clerk, `#/cases/${state.caseId}`);
		await clerk.getByRole('button', { name: /预览.*加盖单位公章的离职证明/ }).click();
		await clerk.locator('#viewer img.preview-img').waitFor();
		await clerk.click('#btn-accept');
		await clerk.click('#act-accept-submit');
		await clerk.getByText('已受理。').waitFor();
		assert.equal(await caseState(clerk), '已受理');
		await clerk.click('#btn-visit');
		await clerk.fill('#act-visit-purpose', '核验身份证原件');
		await clerk.click('#act-visit-submit');
		await clerk.getByText('到现场 1 次').waitFor();
	});

	const reviewer = await open(browser);
	await t.test('the reviewer approves and delivers', async () => {
		await login(reviewer, 'rs.reviewer');
		await visit(reviewer, `#/cases/${state.caseId}`);
		assert.equal(await reviewer.locator('#btn-accept').count(), 0, 'a reviewer is not offered acceptance');
		await reviewer.click('#btn-approve');
		await reviewer.fill('#act-approve-comment', '符合申领条件');
		await reviewer.click('#act-approve-submit');
		await reviewer.getByText('已作出准予决定').waitFor();
		assert.equal(await caseState(reviewer), '已准予');
		await reviewer.click('#btn-deliver');
		await reviewer.selectOption('#act-deliver-delivery', 'mail');
		await reviewer.click('#act-deliver-submit');
		await reviewer.getByText('办理结果已送达').waitFor();
		assert.equal(await caseState(reviewer), '已送达');
		await check(reviewer, 'official-case-delivered');
	});

	await t.test('the citizen rates: 2 stars need a comment', async () => {
		await visit(cit, `#/cases/${state.caseId}`);
		await cit.locator('#rate-form').waitFor();
		await check(cit, 'case-rate');
		await cit.check('#rate-2');
		await cit.click('#rate-submit');
		await cit.locator('#rate-comment-error').filter({ hasText: '请说明原因' }).waitFor();
		await shot(cit, 'case-rate-error');
		await cit.fill('#rate-comment', '补正要求没有一次说清楚，多跑了一趟。');
		await cit.click('#rate-submit');
		await cit.getByText('感谢您的评价').waitFor();
		assert.equal(await cit.locator('#rate-form').count(), 0);
		await cit.locator('.rating-view').filter({ hasText: '不满意' }).waitFor();
		const history = await cit.locator('.timeline').textContent();
		for (const step of ['提交申请', '要求补正', '补正材料', '受理', '到现场办理', '准予', '送达结果', '评价']) assert.ok(history.includes(step), `history shows ${step}`);
		await check(cit, 'case-rated');
	});

	const sup = await open(browser);
	await t.test('the supervisor closes the rectification item', async () => {
		await login(sup, 'rs.supervisor');
		assert.match(sup.url(), /#\/supervision$/);
		const item = sup.locator('.sup-item').filter({ hasText: state.caseNo });
		await item.getByText('差评整改').waitFor();
		await check(sup, 'supervision');
		await item.getByLabel('办结结果').fill('已约谈受理人员，补正告知改为一次性告知清单。');
		await item.getByRole('button', { name: '确认办结' }).click();
		await sup.getByText('督办事项已办结').waitFor();
		assert.equal(await sup.locator('.sup-item').filter({ hasText: state.caseNo }).count(), 0);
		await visit(sup, '#/supervision?status=closed');
		await sup.locator('.sup-item').filter({ hasText: state.caseNo }).getByText('已约谈受理人员').waitFor();
	});

	for (const p of [cit, clerk, reviewer, sup]) expectNoErrors(p);
});
