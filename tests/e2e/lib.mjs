// lib.mjs - helpers for the browser tests: Debian's Chromium through
// playwright-core, a node started by tests/e2e/run (ZT_E2E_URL), axe-core
// served to the page from a same-origin path (the CSP allows only 'self'
// scripts), screenshots under test-output/screenshots/, and small builders
// of test data (valid ID numbers, a PDF, a PNG).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE = process.env.ZT_E2E_URL;
export const PASSWORD = 'Zhengtong@2026';
export const SHOTS = join(REPO, 'test-output', 'screenshots');
export const CITIZEN = '520102199003071236'; /* demo citizen 张伟 */

if (!BASE) throw new Error('ZT_E2E_URL is not set: run the tests with tests/e2e/run /abs/path/to/zhengtong');
mkdirSync(SHOTS, { recursive: true });

const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const AXE_PATH = '/__e2e__/axe.min.js';

export async function launch() {
	return chromium.launch({
		executablePath: process.env.ZT_CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
}

/**
 * A fresh browser context (its own sessionStorage/localStorage) and page.
 * Page errors and console errors are collected in page.errors; the test
 * checks them with expectNoErrors(page). lang: 'zh' (default) or 'en';
 * downloads: true to let the page save files (page.waitForEvent('download')).
 */
export async function open(browser, { width = 1280, height = 900, lang, downloads = false } = {}) {
	const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: downloads });
	await ctx.route(`${BASE}${AXE_PATH}`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: AXE }));
	if (lang) await ctx.addInitScript((l) => localStorage.setItem('zt.lang', l), lang);
	const page = await ctx.newPage();
	page.errors = [];
	page.expected404 = 0;
	page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		/* a 4xx answer the test provoked on purpose is reported by the browser too */
		if (/status of (400|401|403|404|409|415|422)/.test(m.text()) && page.allowHttpErrors) return;
		page.errors.push(`console: ${m.text()}`);
	});
	page.setDefaultTimeout(8000);
	return page;
}

export function expectNoErrors(page) {
	assert.deepEqual(page.errors, [], 'the page logged errors');
}

/** Goes to a hash route and waits until the page's heading is there. */
export async function visit(page, hash) {
	const target = `${BASE}/${hash}`;
	if (page.url() === target) await page.reload();
	else await page.goto(target);
	await settle(page);
}

/** Waits for the app to finish rendering the current route. */
export async function settle(page) {
	await page.waitForFunction(() => document.body.dataset.rendered === (location.hash || '#/') && document.querySelector('#main h1'));
}

export async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA) and fails on serious or critical violations. */
export async function axe(page, name) {
	const has = await page.evaluate(() => typeof window.axe !== 'undefined');
	if (!has) await page.addScriptTag({ url: AXE_PATH });
	const res = await page.evaluate(async () => {
		const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
	});
	const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	assert.deepEqual(bad, [], `axe found serious/critical violations on ${name}`);
	return res;
}

/** Both checks every main page gets: a screenshot and axe. */
export async function check(page, name) {
	await shot(page, name);
	await axe(page, name);
	await noHorizontalScroll(page, name);
}

export async function noHorizontalScroll(page, name) {
	const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
	assert.ok(sw <= cw, `${name}: page scrolls sideways (${sw} > ${cw})`);
}

export async function login(page, account, password = PASSWORD) {
	await visit(page, '#/login');
	await page.fill('#login-login', account);
	await page.fill('#login-password', password);
	await page.click('#login-submit');
	await page.waitForFunction(() => !location.hash.startsWith('#/login') && document.querySelector('#main h1'));
	await settle(page);
}

/** Text of every visible text node that is interface text, i.e. not inside
 * an element marked with another language than the page's (API data such as
 * names is marked lang="zh-CN", the language switch lang="en"). Also the
 * accessible names and hints in attributes. */
export async function interfaceText(page) {
	return page.evaluate(() => {
		const out = [];
		const pageLang = document.documentElement.lang.slice(0, 2);
		const inData = (el) => {
			const l = el.closest('[lang]');
			return l && l !== document.documentElement && l.getAttribute('lang').slice(0, 2) !== pageLang;
		};
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const el = n.parentElement;
			if (!el || !n.textContent.trim()) continue;
			if (['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
			if (!el.checkVisibility() && !el.closest('.visually-hidden')) continue;
			if (inData(el)) continue;
			out.push(n.textContent.trim());
		}
		for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [data-label]')) {
			if (inData(el)) continue;
			for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'data-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
		}
		return out;
	});
}

export const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/* ---- the API, for setting up and checking state without the browser ---- */

export async function api(method, path, { token, body, raw, type } = {}) {
	const headers = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (body !== undefined) headers['Content-Type'] = type || 'application/json';
	const res = await fetch(`${BASE}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
	return json;
}

export async function token(account, password = PASSWORD) {
	return (await api('POST', '/auth/login', { body: { login: account, password } })).token;
}

/* ---- test data ---- */

let serial = 0;

/** A valid 18-character resident ID number (GB 11643, MOD 11-2), unique per call. */
export function idNumber() {
	serial += 1;
	const seq = String((process.pid * 7 + serial * 13) % 1000).padStart(3, '0');
	const day = String(1 + ((process.pid + serial) % 28)).padStart(2, '0');
	const first17 = `520102${1980 + (serial % 20)}06${day}${seq}`;
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
	return first17 + '10X98765432'[sum % 11];
}

/** A small valid one-page PDF. */
export function pdf(label = 'Zhengtong test') {
	const content = `BT /F1 18 Tf 20 60 Td (${label}) Tj ET`;
	const objs = [
		'<</Type/Catalog/Pages 2 0 R>>',
		'<</Type/Pages/Kids[3 0 R]/Count 1>>',
		'<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 120]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
		`<</Length ${content.length}>>stream\n${content}\nendstream`,
		'<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
	];
	let out = '%PDF-1.4\n';
	const offs = [];
	objs.forEach((o, i) => {
		offs.push(out.length);
		out += `${i + 1} 0 obj\n${o}\nendobj\n`;
	});
	const xref = out.length;
	out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offs.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	out += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

/** A small PNG (a blue square with a white bar), built without libraries. */
export function png(w = 120, h = 80) {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	const rows = [];
	for (let y = 0; y < h; y++) {
		const row = Buffer.alloc(1 + w * 3);
		for (let x = 0; x < w; x++) {
			const bar = y > h / 2 - 6 && y < h / 2 + 6 && x > 15 && x < w - 15;
			row.set(bar ? [255, 255, 255] : [11, 87, 164], 1 + x * 3);
		}
		rows.push(row);
	}
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
