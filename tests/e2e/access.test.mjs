// access.test.mjs - who sees what: an official of another department cannot
// see a case (nor its files), an applicant sees only their own cases, a
// signed-out visitor is sent to sign in and back, each role's navigation
// shows only what it may do. Also keyboard use: skip link, sign-in by keys.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, shot, login, api, token, pdf, expectNoErrors, CITIZEN, BASE } from './lib.mjs';

let browser;
before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

/* Demo case 1 belongs to 张伟 and the 人社局 (rs); case 3 to 李秀英 and the 市场监管局 (scjg). */

test('an official of another department cannot see the case', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, 'scjg.clerk');
	assert.match(page.url(), /#\/work$/);
	const inbox = await page.locator('.cases-table').textContent();
	assert.ok(!inbox.includes('失业保险金申领'), 'the rs case is not in the scjg inbox');
	assert.ok(inbox.includes('个体工商户设立登记'), 'the scjg case is');
	await visit(page, '#/cases/1');
	await page.getByText('该办件属于其他部门，您无权查看。').waitFor();
	assert.equal(await page.locator('.case-status').count(), 0, 'nothing of the case is shown');
	assert.equal(await page.locator('#btn-accept').count(), 0);
	await check(page, 'other-department');
	/* nor its files: a case with a file of its own, asked for directly */
	const cit = await token(CITIZEN);
	const file = await api('POST', '/files', { token: cit, body: pdf(`access ${Date.now()}`), raw: true, type: 'application/pdf' });
	const c = await api('POST', '/cases', { token: cit, body: { item_code: '520102-RS-GG-002', form: { purpose: '测试' }, materials: [{ seq: 1, name: '身份证明', file: file.id }] } });
	const own = await fetch(`${BASE}/api/v1/files/${file.id}`, { headers: { Authorization: `Bearer ${await token('rs.clerk')}` } });
	assert.equal(own.status, 200, 'the case department reads the file');
	const other = await fetch(`${BASE}/api/v1/files/${file.id}`, { headers: { Authorization: `Bearer ${await token('scjg.clerk')}` } });
	assert.equal(other.status, 404, 'another department does not');
	await visit(page, `#/cases/${c.id}`);
	await page.getByText('该办件属于其他部门，您无权查看。').waitFor();
	expectNoErrors(page);
});

test('an applicant sees only their own cases', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, '520101198511200048'); /* 李秀英 */
	const mine = await page.locator('.cases-table').textContent();
	assert.ok(!mine.includes('就业创业证申领'), "张伟's case is not listed");
	await visit(page, '#/cases/2');
	await page.getByText('没有找到这个办件，或您无权查看。').waitFor();
	/* an applicant has no workbench, item or supervision pages */
	const nav = await page.locator('#site-nav').textContent();
	for (const w of ['工作台', '事项管理', '督办']) assert.ok(!nav.includes(w), `no ${w} in the applicant's navigation`);
	await visit(page, '#/work');
	await page.getByText('当前账号无权使用此页面。').waitFor();
	expectNoErrors(page);
});

test('each role sees only its own navigation and actions', async () => {
	const roles = [
		['rs.clerk', ['办事大厅', '工作台'], ['事项管理', '督办', '我的办件']],
		['rs.admin', ['工作台', '事项管理'], ['督办', '我的办件']],
		['rs.supervisor', ['工作台', '督办'], ['事项管理', '我的办件']],
		[CITIZEN, ['办事大厅', '我的办件'], ['工作台', '事项管理', '督办']],
	];
	for (const [who, yes, no] of roles) {
		const page = await open(browser);
		await login(page, who);
		const nav = await page.locator('.nav-list').textContent();
		for (const w of yes) assert.ok(nav.includes(w), `${who} sees ${w}`);
		for (const w of no) assert.ok(!nav.includes(w), `${who} does not see ${w}`);
		if (who === 'rs.supervisor' || who === 'rs.admin') {
			/* may read the department's case, but is offered no action */
			await visit(page, '#/cases/1');
			assert.equal(await page.locator('#action-panel').count(), 0, `${who} gets no action buttons`);
		}
		expectNoErrors(page);
		await page.context().close();
	}
});

test('a signed-out visitor is sent to sign in and then back', async () => {
	const page = await open(browser);
	await visit(page, '#/cases/2');
	assert.match(page.url(), /#\/login\?next=/);
	await page.getByText('请先登录。').waitFor();
	await page.fill('#login-login', CITIZEN);
	await page.fill('#login-password', 'Zhengtong@2026');
	await page.click('#login-submit');
	await page.waitForURL(/#\/cases\/2$/);
	await settle(page);
	await page.getByText('就业创业证申领').first().waitFor();
	expectNoErrors(page);
});

test('keyboard only: skip link, then sign in with Tab and Enter', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await visit(page, '#/login');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
	await shot(page, 'skip-link-focus');
	await page.keyboard.press('Enter');
	assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
	/* wrong password: the message is next to the field, in Chinese */
	await page.focus('#login-login');
	await page.keyboard.type('rs.clerk');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
	await page.keyboard.type('wrong-password1');
	await page.keyboard.press('Enter');
	await page.locator('#login-password-error').filter({ hasText: '账号或密码不正确' }).waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password', 'focus goes to the field in error');
	const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	assert.notEqual(outline, 'none', 'the focused field shows its focus');
	await shot(page, 'login-error');
	await page.fill('#login-password', '');
	await page.keyboard.type('Zhengtong@2026');
	await page.keyboard.press('Enter');
	await page.waitForURL(/#\/work$/);
	await settle(page);
	/* the action buttons are real buttons, reachable by Tab */
	await visit(page, '#/cases/1');
	await page.focus('#btn-accept');
	await page.keyboard.press('Enter');
	await page.locator('#act-accept-form').waitFor();
	assert.equal(await page.getAttribute('#btn-accept', 'aria-expanded'), 'true');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'act-accept-comment', 'focus moves into the opened form');
	expectNoErrors(page);
});

test('an enterprise registers with its credit code; a wrong code is explained next to the field', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await visit(page, '#/register');
	await page.check('#reg-kind-enterprise');
	await page.getByLabel('企业名称').fill('贵州测试科技有限公司');
	await page.getByLabel('统一社会信用代码').fill('91520102214567890X');
	await page.fill('#reg-phone', '13600001111');
	await page.fill('#reg-password', 'Qiye2026!');
	await page.fill('#reg-password2', 'Qiye2026!');
	await page.click('#reg-submit');
	await page.locator('#reg-id-error').filter({ hasText: '统一社会信用代码' }).waitFor();
	/* the demo enterprise's code is valid but taken */
	await page.fill('#reg-id', '91520102214567897B');
	await page.click('#reg-submit');
	await page.locator('#reg-id-error').filter({ hasText: '已注册' }).waitFor();
	await shot(page, 'register-enterprise-error');
	expectNoErrors(page);
});
