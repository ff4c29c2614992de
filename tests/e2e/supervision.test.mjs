// supervision.test.mjs - 投诉/督办 in the browser.
//
// Test plan:
// - Signed out, the complaint form (我要投诉) asks for a contact; sending it
//   empty shows each error next to its field; an item found by search,
//   a content and a contact give the complaint's number and deadline, and
//   the public API knows that number.
// - As zw.supervisor (南明区政务服务管理办公室, an oversight office) the
//   dashboard shows the summary per department and, in the region scope,
//   other departments' items (without a close form); its own complaint
//   shows the content and the complainant's contact; closing it with an
//   outcome publishes it in 投诉处理结果公开 (outcome, no contact).
// - Signed in as a citizen the form asks for no contact.
// - The pages in English carry no Chinese interface text; no console
//   errors or CSP violations anywhere. Screenshots: complaint-form(-en),
//   complaint-errors, complaint-sent, supervisor-dashboard(-en),
//   supervisor-complaint, complaints-public(-en).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, check, shot, login, api, token, interfaceText, expectNoErrors, CJK, CITIZEN } from './lib.mjs';

let browser;
const RUN = String(Date.now()).slice(-6);
const CONTENT = `两个月前在网上申请个体工商户设立登记，至今没有人受理，电话也打不通（测试${RUN}）。`;
const OUTCOME = `已核实，受理人员已联系申请人并当场受理（测试${RUN}）。`;
const PHONE = '13800138000';
const state = {};

before(async () => {
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

/** Records CSP violations in the page (window.__csp). */
async function watchCsp(page) {
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
}

async function noViolations(page) {
	assert.deepEqual(await page.evaluate(() => window.__csp || []), [], 'CSP violations');
	expectNoErrors(page);
}

async function englishOnly(page, name) {
	const chinese = (await interfaceText(page)).filter((s) => CJK.test(s));
	assert.deepEqual(chinese, [], `${name}: Chinese interface text on the English page`);
}

test('an anonymous complaint through the form gets a number and a deadline', async () => {
	const page = await open(browser);
	await watchCsp(page);
	page.allowHttpErrors = true;
	await visit(page, '#/');
	await page.getByRole('link', { name: '我要投诉' }).click();
	await page.locator('h1', { hasText: '我要投诉' }).waitFor();
	await page.locator('#cp-contact-name').waitFor();
	await check(page, 'complaint-form');

	/* nothing chosen: the error sits next to the item */
	await page.click('#cp-submit');
	await page.locator('#cp-item-error', { hasText: '请选择事项' }).waitFor();
	/* an item, but a too short content and no contact: the API's errors go next to their fields */
	await page.fill('#cp-item-q', '个体工商户设立登记');
	await page.click('#cp-item-find');
	await page.locator('#cp-item-status', { hasText: '找到' }).waitFor();
	const value = await page.locator('#cp-item option').evaluateAll((os) => (os.find((o) => o.textContent.startsWith('个体工商户设立登记（')) || {}).value);
	assert.ok(value, 'the search finds the item');
	await page.selectOption('#cp-item', value);
	await page.fill('#cp-content', '太慢');
	await page.click('#cp-submit');
	await page.locator('#cp-content-error').filter({ hasText: /\S/ }).waitFor();
	assert.equal(await page.getAttribute('#cp-content', 'aria-invalid'), 'true');
	await page.locator('#cp-contact-name-error').filter({ hasText: /\S/ }).waitFor();
	await page.locator('#cp-contact-phone-error').filter({ hasText: /\S/ }).waitFor();
	await shot(page, 'complaint-errors');

	/* the complaint goes to the government services office itself */
	await page.check('#cp-about-department');
	await page.selectOption('#cp-dept', { label: '南明区政务服务管理办公室' });
	await page.fill('#cp-content', CONTENT);
	await page.fill('#cp-contact-name', '赵敏');
	await page.fill('#cp-contact-phone', PHONE);
	await page.click('#cp-submit');
	await page.locator('#cp-result').waitFor();
	state.no = (await page.locator('#cp-no').textContent()).trim();
	assert.ok(state.no.length >= 6, `a complaint number: ${state.no}`);
	const pub = await api('GET', `/complaints/${encodeURIComponent(state.no)}`);
	assert.equal(pub.no, state.no);
	assert.equal(pub.status, 'open');
	assert.equal(pub.about, 'department');
	assert.equal(pub.dept_name, '南明区政务服务管理办公室');
	assert.ok(!JSON.stringify(pub).includes(PHONE), 'the public view has no phone number');
	const due = (await page.locator('#cp-due').textContent()).trim();
	assert.match(due, /^\d{4}年\d{1,2}月\d{1,2}日$/);
	const [y, m, d] = pub.due_date.split('-').map(Number);
	assert.equal(due, `${y}年${m}月${d}日`);
	await check(page, 'complaint-sent');
	await noViolations(page);
});

test('the oversight supervisor sees the complaint with its contact and closes it; the outcome is published', async () => {
	assert.ok(state.no, 'the complaint of the first test');
	const sup = await open(browser);
	await watchCsp(sup);
	await login(sup, 'zw.supervisor');
	await visit(sup, '#/supervision');
	/* counts per department */
	await sup.locator('#sup-summary').waitFor();
	const tok = await token('zw.supervisor');
	const sumDept = await api('GET', '/supervision/summary?scope=dept', { token: tok });
	assert.equal(await sup.locator('#sup-summary .sum-card:not(.sum-total)').count(), sumDept.departments.length);
	/* the oversight office's region scope holds the other departments' complaint */
	await sup.click('#sup-scope-region');
	await sup.waitForFunction(() => location.hash.includes('scope=region') && document.body.dataset.rendered === location.hash);
	const sumRegion = await api('GET', '/supervision/summary?scope=region', { token: tok });
	assert.equal(await sup.locator('#sup-summary .sum-card:not(.sum-total)').count(), sumRegion.departments.length);
	const first = sumRegion.departments[0];
	const firstCard = sup.locator(`#sup-summary .sum-card[data-id="${first.id}"]`);
	assert.equal((await firstCard.locator('.sum-open .sum-n').textContent()).trim(), String(first.open));
	await check(sup, 'supervisor-dashboard');
	/* in the region scope the office follows every department's items, but closes only its own */
	const regionItems = (await api('GET', '/supervision?scope=region&status=open', { token: tok })).items;
	const others = regionItems.filter((s) => s.dept_id !== 1).length;
	if (others) assert.equal(await sup.locator('.sup-item form').count() < (await sup.locator('.sup-item').count()), true, 'no close form on other departments\' items');
	await visit(sup, '#/supervision?status=open&kind=complaint');
	const card = sup.locator('.sup-item').filter({ hasText: state.no });
	await card.waitFor();
	await card.getByText(CONTENT).waitFor();
	await card.getByText('赵敏').waitFor();
	await card.getByText(PHONE).waitFor();
	await shot(sup, 'supervisor-complaint');
	await card.getByLabel('办结结果').fill(OUTCOME);
	await card.getByRole('button', { name: '确认办结' }).click();
	await sup.getByText('督办事项已办结').waitFor();
	assert.equal(await sup.locator('.sup-item').filter({ hasText: state.no }).count(), 0);
	await noViolations(sup);

	const pub = await open(browser);
	await watchCsp(pub);
	await visit(pub, '#/complaints?status=closed');
	const row = pub.locator(`#cp-list tr[data-no="${state.no}"]`);
	await row.waitFor();
	await row.getByText(OUTCOME).waitFor();
	await row.getByText('已办结').waitFor();
	const text = await row.textContent();
	assert.ok(!text.includes(PHONE) && !text.includes(CONTENT) && !text.includes('赵敏'), 'no content or contact in the public list');
	await check(pub, 'complaints-public');
	await noViolations(pub);
});

test('a signed-in citizen is not asked for a contact', async () => {
	const page = await open(browser);
	await login(page, CITIZEN);
	await visit(page, '#/complaints/new');
	await page.getByText('将使用您账号的姓名和手机号联系您').waitFor();
	assert.equal(await page.locator('#cp-contact-name').count(), 0);
	await page.check('#cp-about-department');
	assert.ok(await page.locator('#cp-dept').isVisible());
	assert.ok(!(await page.locator('#cp-item').isVisible()));
	expectNoErrors(page);
});

test('complaint and supervision pages in English', async () => {
	const page = await open(browser, { lang: 'en' });
	await watchCsp(page);
	await visit(page, '#/complaints/new');
	await page.locator('h1', { hasText: 'Make a complaint' }).waitFor();
	await englishOnly(page, 'complaint-form-en');
	await check(page, 'complaint-form-en');
	await visit(page, '#/complaints');
	await page.locator('h1', { hasText: 'Published outcomes' }).waitFor();
	await englishOnly(page, 'complaints-public-en');
	await check(page, 'complaints-public-en');
	await noViolations(page);

	const sup = await open(browser, { lang: 'en' });
	await login(sup, 'zw.supervisor');
	await visit(sup, '#/supervision?scope=region&status=closed');
	await sup.locator('#sup-summary').waitFor();
	await sup.getByRole('link', { name: 'My region' }).waitFor();
	await englishOnly(sup, 'supervisor-dashboard-en');
	await check(sup, 'supervisor-dashboard-en');
	expectNoErrors(sup);
});
