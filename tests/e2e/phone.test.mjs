// phone.test.mjs - the 375 px phone layout: every main page fits the screen
// without sideways scrolling, the navigation stays within the screen, tap
// targets are large enough, and axe finds nothing serious. Screenshots are
// saved as *-phone.png.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, check, login, expectNoErrors, CITIZEN } from './lib.mjs';

let browser;
before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

const PHONE = { width: 375, height: 740 };

async function navFits(page, name) {
	const boxes = await page.evaluate(() => [...document.querySelectorAll('.site-header a, .site-header button')].map((e) => ({ t: e.textContent.trim(), r: e.getBoundingClientRect().right, h: e.getBoundingClientRect().height })));
	for (const b of boxes) {
		assert.ok(b.r <= 375, `${name}: "${b.t}" sticks out of the screen`);
		assert.ok(b.h >= 24, `${name}: "${b.t}" is too small to tap`);
	}
}

test('public pages at 375 px', async () => {
	for (const lang of ['zh', 'en']) {
		const page = await open(browser, { ...PHONE, lang });
		const sfx = lang === 'en' ? '-en-phone' : '-phone';
		await visit(page, '#/');
		await navFits(page, 'home');
		await check(page, `home${sfx}`);
		await visit(page, `#/?q=${encodeURIComponent('证')}`);
		await check(page, `search${sfx}`);
		await visit(page, '#/services/1');
		await check(page, `guide${sfx}`);
		await visit(page, '#/register');
		await check(page, `register${sfx}`);
		await visit(page, '#/login');
		await check(page, `login${sfx}`);
		expectNoErrors(page);
		await page.context().close();
	}
});

test('citizen pages at 375 px', async () => {
	const page = await open(browser, PHONE);
	await login(page, CITIZEN);
	await navFits(page, 'my cases');
	await check(page, 'my-cases-phone');
	await visit(page, '#/cases/2');
	await check(page, 'case-phone');
	await visit(page, '#/services/5/apply');
	await check(page, 'apply-phone');
	expectNoErrors(page);
});

test('official pages at 375 px', async () => {
	const page = await open(browser, PHONE);
	await login(page, 'rs.clerk');
	await navFits(page, 'workbench');
	await check(page, 'workbench-phone');
	await visit(page, '#/cases/1');
	await page.click('#btn-supplement');
	await check(page, 'official-case-phone');
	await page.context().close();

	const admin = await open(browser, PHONE);
	await login(admin, 'rs.admin');
	await navFits(admin, 'items');
	await check(admin, 'items-phone');
	await visit(admin, '#/admin/items/4');
	await check(admin, 'item-edit-phone');
	await admin.context().close();

	const sup = await open(browser, PHONE);
	await login(sup, 'rs.supervisor');
	await check(sup, 'supervision-phone');
	expectNoErrors(sup);
});
