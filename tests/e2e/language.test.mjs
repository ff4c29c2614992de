// language.test.mjs - Chinese by default, English on the switch, remembered
// across reloads; on the English pages every piece of interface text is
// English (only API data such as names, marked lang="zh-CN", stays Chinese);
// dates are written 2026年3月9日 in Chinese and 9 Mar 2026 in English; typed
// values survive the switch. Also checks the translation tables themselves.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, open, visit, settle, check, login, interfaceText, CJK, api, token, expectNoErrors, CITIZEN } from './lib.mjs';
import zh from '../../web/js/i18n/zh.js';
import en from '../../web/js/i18n/en.js';

let browser;
before(async () => {
	browser = await launch();
	/* overdue demo cases become 督办 items for the supervisor page */
	await api('POST', '/sla/sweep', { token: await token('admin'), body: {} });
});
after(async () => {
	await browser?.close();
});

async function englishOnly(page, name) {
	const texts = await interfaceText(page);
	const chinese = texts.filter((s) => CJK.test(s));
	assert.deepEqual(chinese, [], `${name}: Chinese interface text on the English page`);
	assert.match(await page.title(), / - Zhengtong$/);
	await check(page, name);
}

const LONG_EN = /\b(?!PDF|JPG|PNG|OFD|Zhengtong)[A-Za-z]{4,}\b/;

async function chineseOnly(page, name) {
	const texts = await interfaceText(page);
	const english = texts.filter((s) => LONG_EN.test(s.replace(/Zhengtong@2026|rs\.clerk/g, '')));
	assert.deepEqual(english, [], `${name}: English interface text on the Chinese page`);
}

test('the translation tables have the same keys and the English one no Chinese', () => {
	assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
	const sample = { n: 2, name: 'X', no: '1', q: 'x', days: '3', a: 1, b: 5, count: 1, max: 2, from: 'a', to: 'b', how: 'h', label: 'l', status: 's', at: 'a', more: '', size: '1 KB' };
	for (const [k, v] of Object.entries(en)) {
		const s = typeof v === 'function' ? v(sample) : v;
		assert.ok(!CJK.test(s), `en ${k} has Chinese: ${s}`);
		assert.ok(s.length > 0, `en ${k} is empty`);
	}
	for (const [k, v] of Object.entries(zh)) assert.ok((typeof v === 'function' ? v(sample) : v).length > 0, `zh ${k} is empty`);
});

test('anonymous pages switch language, and the choice is remembered', async () => {
	const page = await open(browser);
	await visit(page, '#/');
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
	assert.equal((await page.locator('h1').textContent()).trim(), '政务服务 一网通办');
	await chineseOnly(page, 'home');
	await page.fill('#search-q', '营业执照');
	await page.click('#lang-switch');
	await page.locator('h1', { hasText: 'Government services' }).waitFor();
	assert.equal(await page.getAttribute('html', 'lang'), 'en');
	assert.equal(await page.inputValue('#search-q'), '营业执照', 'typed text survives the switch');
	await page.getByRole('link', { name: 'Service hall' }).waitFor();
	await englishOnly(page, 'home-en');
	await page.reload();
	await settle(page);
	assert.equal(await page.getAttribute('html', 'lang'), 'en', 'English is remembered');

	await visit(page, `#/?q=${encodeURIComponent('失业')}`);
	await page.getByText('Results for').waitFor();
	await englishOnly(page, 'search-en');
	await visit(page, '#/services/4');
	await page.getByText('Statutory time limit').waitFor();
	await page.getByText('20 working days').waitFor();
	await page.getByText('Zero visits').first().waitFor();
	await englishOnly(page, 'guide-en');
	await visit(page, '#/register');
	await englishOnly(page, 'register-en');
	await page.check('#reg-kind-enterprise');
	await page.getByLabel('Unified social credit code').waitFor();
	await page.fill('#reg-name', '贵州测试科技有限公司');
	await page.click('#lang-switch');
	await page.getByLabel('统一社会信用代码').waitFor();
	assert.equal(await page.isChecked('#reg-kind-enterprise'), true, 'the choice survives the switch');
	assert.equal(await page.inputValue('#reg-name'), '贵州测试科技有限公司');
	await page.getByLabel('企业名称').waitFor();
	await page.click('#lang-switch');
	await page.getByLabel('Enterprise name').waitFor();
	await visit(page, '#/login');
	await englishOnly(page, 'login-en');

	await page.click('#lang-switch');
	await page.locator('h1', { hasText: '登录' }).waitFor();
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
	await page.getByRole('button', { name: '登录', exact: true }).waitFor();
	await chineseOnly(page, 'login');
	expectNoErrors(page);
});

test('signed-in pages in English: dates and working days in English, data marked Chinese', async () => {
	const cit = await open(browser, { lang: 'en' });
	await login(cit, CITIZEN);
	await visit(cit, '#/cases');
	await cit.getByText(/\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 2026/).first().waitFor();
	await englishOnly(cit, 'my-cases-en');
	await visit(cit, '#/cases/2');
	await cit.getByText('Decision deadline').waitFor();
	await cit.getByText(/Overdue by \d+ working days?/).first().waitFor();
	await englishOnly(cit, 'case-en');

	const clerk = await open(browser, { lang: 'en' });
	await login(clerk, 'rs.clerk');
	await clerk.getByText('Workbench', { exact: true }).first().waitFor();
	await englishOnly(clerk, 'workbench-en');
	await visit(clerk, '#/cases/1');
	await clerk.click('#btn-supplement');
	await clerk.getByText('Send supplement request').waitFor();
	await englishOnly(clerk, 'official-case-en');

	const admin = await open(browser, { lang: 'en' });
	await login(admin, 'rs.admin');
	await visit(admin, '#/admin/items?status=published');
	await englishOnly(admin, 'items-en');
	await visit(admin, '#/admin/items/new');
	await englishOnly(admin, 'item-new-en');

	const sup = await open(browser, { lang: 'en' });
	await login(sup, 'rs.supervisor');
	await sup.locator('.sup-title', { hasText: 'Overdue case' }).first().waitFor();
	await englishOnly(sup, 'supervision-en');

	/* the same case in Chinese: Chinese dates */
	await cit.click('#lang-switch');
	await cit.getByText('办理期限').waitFor();
	await cit.getByText(/2026年3月\d+日/).first().waitFor();
	await chineseOnly(cit, 'case');
	for (const p of [cit, clerk, admin, sup]) expectNoErrors(p);
});
