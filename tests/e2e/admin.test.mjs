// admin.test.mjs - a department's item administrator creates a service item
// with its guide and materials list (a rule violation is shown next to its
// field, translated), publishes it so that citizens find it, and
// unpublishes it again.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, shot, login, expectNoErrors } from './lib.mjs';

let browser;
before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

test('create, publish and unpublish a service item', async () => {
	const page = await open(browser);
	page.allowHttpErrors = true;
	await login(page, 'scjg.admin');
	assert.match(page.url(), /#\/admin\/items$/);
	await visit(page, '#/admin/items?status=published');
	await page.getByText('食品经营许可').first().waitFor();
	await check(page, 'items');
	await page.getByRole('link', { name: '新建事项' }).click();
	await settle(page);
	const code = `520102-SCJG-XK-${String(Date.now()).slice(-4)}`;
	await page.fill('#itm-code', code);
	await page.fill('#itm-name', '户外广告设施设置审批');
	await page.fill('#itm-legal', '10');
	await page.fill('#itm-promised', '15'); /* more than the legal limit */
	await page.selectOption('#itm-depth', '5');
	await page.fill('#itm-visits', '0');
	await page.fill('#itm-fee', '不收费');
	await page.fill('#itm-conditions', '在城市建成区内设置户外广告设施的单位和个人。');
	await page.fill('#itm-basis', '《城市市容和环境卫生管理条例》第十一条。');
	await page.fill('#itm-process', '网上申请\n受理\n审查\n决定');
	await page.fill('#itm-place', '南明区政务服务中心二楼');
	await page.fill('#itm-hours', '工作日 9:00-17:00');
	await page.fill('#itm-consult', '0851-12345');
	await page.fill('#itm-complaint', '12345 热线');
	await page.fill('#itm-m-0-name', '设置申请书');
	await page.click('#itm-add-material');
	await page.fill('#itm-m-1-name', '设计效果图');
	await page.selectOption('#itm-m-1-form', 'electronic');
	await page.click('#itm-add-material');
	await page.fill('#itm-m-2-name', '场地使用证明');
	await page.uncheck('#itm-m-2-required');
	/* move the last material up: it becomes the second */
	await page.getByRole('button', { name: '上移材料 3' }).click();
	assert.equal(await page.inputValue('#itm-m-1-name'), '场地使用证明');
	await page.click('#itm-save');
	await page.locator('#itm-promised-error').filter({ hasText: '承诺时限不能超过法定时限' }).waitFor();
	assert.equal(await page.getAttribute('#itm-promised', 'aria-invalid'), 'true');
	await check(page, 'item-new-error');
	await page.fill('#itm-promised', '5');
	assert.equal(await page.locator('#itm-promised-error').textContent(), '', 'the message goes once the field is changed');
	await page.click('#itm-save');
	await page.waitForURL(/#\/admin\/items\/\d+$/);
	await settle(page);
	await page.getByText('已创建草稿').waitFor();
	assert.equal(await page.inputValue('#itm-m-1-name'), '场地使用证明');
	assert.equal(await page.isChecked('#itm-m-1-required'), false);
	await check(page, 'item-edit');
	await page.click('#itm-status-btn');
	await page.getByText('已发布：').waitFor();
	await page.locator('.item-status .badge', { hasText: '已发布' }).waitFor();

	/* citizens find it now; the catalog has 11 items, so it pages */
	const cit = await open(browser);
	await visit(cit, '#/');
	assert.equal(await cit.locator('.results .result').count(), 10);
	await cit.getByRole('button', { name: '加载更多' }).click();
	await cit.getByRole('link', { name: '户外广告设施设置审批' }).waitFor();
	assert.equal(await cit.locator('.results .result').count(), 11);
	assert.equal(await cit.getByRole('button', { name: '加载更多' }).isVisible(), false, 'no more pages');
	await visit(cit, `#/?q=${encodeURIComponent('户外广告')}`);
	await cit.getByRole('link', { name: '户外广告设施设置审批' }).click();
	await settle(cit);
	await cit.getByText('设计效果图').waitFor();
	await cit.getByText('选交').waitFor();

	await visit(page, '#/admin/items?status=published');
	const row = page.locator('tr', { hasText: code });
	await row.getByRole('button', { name: /下线/ }).click();
	await page.getByText('已下线：').waitFor();
	await visit(page, '#/admin/items?status=unpublished');
	await page.locator('tr', { hasText: code }).waitFor();
	await shot(page, 'items-unpublished');
	await visit(cit, `#/?q=${encodeURIComponent('户外广告')}`);
	await cit.locator('.empty', { hasText: '没有找到符合条件的事项' }).waitFor();
	expectNoErrors(page);
	expectNoErrors(cit);
});
