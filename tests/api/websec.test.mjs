/*
 * websec.test.mjs - web security of a node: response headers, the web
 * pages' Content-Security-Policy, secrets kept out of URLs and logs, login
 * throttling, and uploads that lie about their type or are too large.
 *
 * Test plan (ZT_NOW = Mon 2026-03-02 10:00; access log to a file, debug
 * server log; upload_max 64 KiB):
 *   1. Every API answer (200 JSON, 201, 400/401/403/404/405 problems, a file
 *      download) carries X-Content-Type-Options: nosniff, Referrer-Policy:
 *      no-referrer, X-Frame-Options: DENY, Cache-Control: no-store and the
 *      CSP "default-src 'none'; frame-ancestors 'none'".
 *   2. The web pages (/, /index.html, a script, a stylesheet) carry the
 *      portal's CSP: script-src 'self' only (no 'unsafe-inline', no
 *      'unsafe-eval', no other origin), default-src 'self', base-uri 'none',
 *      frame-ancestors 'none', form-action 'self'; plus nosniff and
 *      no-referrer.
 *   3. A token in the URL is not a credential: /api/v1/me?access_token=T,
 *      ?token=T and ?auth=T answer 401; no script of the portal (web/js)
 *      builds a URL with a token or key parameter.
 *   4. After a run of sign-ins, calls with session tokens, API keys and
 *      developer keys, and failed sign-ins, neither the access log nor the
 *      server log contains any token, key or password used, nor any
 *      password hash; the access log has one line per request.
 *   5. Login throttling: 5 wrong passwords -> 401; the 6th (right password)
 *      -> 429 with Retry-After; another account is unaffected.
 *   6. Uploads: a PDF declared image/png -> 415 type_mismatch; HTML declared
 *      application/pdf -> 415; a body over upload_max -> 413 (declared
 *      length, and chunked without a length); nothing of them is stored;
 *      a PDF declared as a PDF or as application/octet-stream is accepted.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, REPO, countFiles, idNumber, login, newCitizen, pdf, rawRequest, startNode, upload, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

describe('web security', () => {
	let node, cit, accessLog;
	const secrets = new Set([DEMO_PASSWORD]);

	before(async () => {
		node = await startNode({ now: T0, env: { ZT_WEB_DIR: join(REPO, 'web'), ZT_UPLOAD_MAX: '65536', ZT_LOG_LEVEL: 'debug', ZT_ACCESS_LOG: 'access.log' } });
		accessLog = join(node.dataDir, 'access.log');
		cit = await newCitizen(node.url, { name: '安全', seq: 61 });
		secrets.add(cit.token);
		/* An account with a password of its own (the demo one is printed). */
		const own = 'Websec#Own2026pw';
		const reg = await api(node.url, 'POST', '/api/v1/auth/register', {
			json: { kind: 'citizen', name: '密码', id_number: idNumber('19800101', 62), phone: '13800000062', password: own },
		});
		assert.equal(reg.status, 201, reg.text);
		secrets.add(own);
		secrets.add(await login(node.url, idNumber('19800101', 62), own));
		assert.equal((await api(node.url, 'POST', '/api/v1/auth/login', { json: { login: idNumber('19800101', 62), password: 'Websec#Bad2026pw' } })).status, 401);
		secrets.add('Websec#Bad2026pw');
	});
	after(async () => {
		await node?.stop();
	});

	function apiHeaders(r, what) {
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
		assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
		assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
		assert.equal(r.headers.get('content-security-policy'), API_CSP, what);
		assert.equal(r.headers.get('cache-control'), 'no-store', what);
	}

	it('sends the security headers on every API answer', async () => {
		const f = await upload(node.url, cit.token, pdf('websec headers'));
		assert.equal(f.status, 201, f.text);
		const checks = [
			[await api(node.url, 'GET', '/api/v1/regions'), 200],
			[await api(node.url, 'GET', '/api/v1/me', { token: cit.token }), 200],
			[f, 201],
			[await api(node.url, 'GET', `/api/v1/files/${f.json.id}`, { token: cit.token }), 200],
			[await api(node.url, 'POST', '/api/v1/auth/login', { json: {} }), 400],
			[await api(node.url, 'GET', '/api/v1/me'), 401],
			[await api(node.url, 'GET', '/api/v1/audit/verify', { token: cit.token }), 403],
			[await api(node.url, 'GET', '/api/v1/nothing'), 404],
			[await api(node.url, 'DELETE', '/api/v1/me', { token: cit.token }), 405],
			[await api(node.url, 'GET', '/healthz'), 200],
		];
		for (const [r, status] of checks) {
			assert.equal(r.status, status, r.text);
			apiHeaders(r, `${status} ${r.text.slice(0, 80)}`);
		}
	});

	it('serves the web pages under a strict CSP', async () => {
		for (const path of ['/', '/index.html', '/js/app.js', '/css/app.css']) {
			const r = await api(node.url, 'GET', path);
			assert.equal(r.status, 200, path);
			const csp = r.headers.get('content-security-policy');
			const d = Object.fromEntries(
				csp.split(';').map((s) => s.trim()).filter(Boolean).map((s) => {
					const [k, ...v] = s.split(/\s+/);
					return [k, v];
				}),
			);
			assert.deepEqual(d['default-src'], ["'self'"], path);
			assert.deepEqual(d['script-src'], ["'self'"], path);
			assert.deepEqual(d['frame-ancestors'], ["'none'"], path);
			assert.deepEqual(d['base-uri'], ["'none'"], path);
			assert.deepEqual(d['form-action'], ["'self'"], path);
			assert.ok(!/unsafe-inline|unsafe-eval|\*|https?:/.test(csp), `${path}: ${csp}`);
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
			assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
			assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
		}
		/* The page itself has no inline script that the CSP would have to allow. */
		const page = await api(node.url, 'GET', '/index.html');
		assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(page.text), 'inline <script> in index.html');
		assert.ok(!/\son[a-z]+\s*=/i.test(page.text), 'inline event handler in index.html');
	});

	it('does not take a token from the URL, and the portal never puts one there', async () => {
		for (const q of ['access_token', 'token', 'auth'])
			assert.equal((await api(node.url, 'GET', `/api/v1/me?${q}=${cit.token}`)).status, 401, q);
		/* The portal's scripts send the token in the Authorization header only
		 * (files too are fetched, not linked): no token or key in a URL. */
		const files = [];
		const walk = (d) => {
			for (const e of readdirSync(d, { withFileTypes: true }))
				if (e.isDirectory()) walk(join(d, e.name));
				else if (e.name.endsWith('.js')) files.push(join(d, e.name));
		};
		walk(join(REPO, 'web', 'js'));
		assert.ok(files.length > 5);
		for (const f of files) {
			const src = readFileSync(f, 'utf8');
			assert.ok(!/[?&](access_token|token|api_key|key|auth)=/.test(src), `${f} builds a URL with a credential`);
		}
	});

	it('throttles sign-ins per account', async () => {
		const who = '520102199003071236';
		for (let i = 0; i < 5; i++) {
			const r = await api(node.url, 'POST', '/api/v1/auth/login', { json: { login: who, password: `Wrong#${i}pass` } });
			secrets.add(`Wrong#${i}pass`);
			assert.equal(r.status, 401, r.text);
		}
		const r = await api(node.url, 'POST', '/api/v1/auth/login', { json: { login: who, password: DEMO_PASSWORD } });
		assert.equal(r.status, 429, r.text);
		assert.ok(Number(r.headers.get('retry-after')) > 0);
		secrets.add(await login(node.url, '520101198511200048'));
	});

	it('refuses uploads that lie about their type or are too large', async () => {
		const before_ = countFiles(join(node.dataDir, 'files'));
		let r = await upload(node.url, cit.token, pdf('liar'), 'image/png');
		assert.equal(r.status, 415, r.text);
		assert.equal(r.json.type, '/problems/type_mismatch');
		r = await upload(node.url, cit.token, Buffer.from('<html><script>alert(1)</script></html>'), 'application/pdf');
		assert.equal(r.status, 415, r.text);
		r = await upload(node.url, cit.token, Buffer.concat([pdf('big'), Buffer.alloc(70000, 0x20)]));
		assert.equal(r.status, 413, r.text);
		r = await rawRequest(node.url, 'POST', '/api/v1/files', {
			headers: { Authorization: `Bearer ${cit.token}`, 'Content-Type': 'application/pdf', 'Transfer-Encoding': 'chunked' },
			body: Buffer.concat([pdf('big chunked'), Buffer.alloc(200000, 0x20)]),
		});
		assert.equal(r.status, 413, r.text);
		assert.equal(countFiles(join(node.dataDir, 'files')), before_, 'a refused upload was stored');
		/* A refused upload's temporary file goes when its request is done,
		 * which may be just after the answer reached the client. */
		for (let i = 0; i < 50 && countFiles(join(node.dataDir, 'tmp')) !== 0; i++) await new Promise((res) => setTimeout(res, 100));
		assert.equal(countFiles(join(node.dataDir, 'tmp')), 0, 'a refused upload was left in tmp/');
		r = await upload(node.url, cit.token, pdf('honest'), 'application/pdf');
		assert.equal(r.status, 201, r.text);
		r = await upload(node.url, cit.token, pdf('generic'), 'application/octet-stream');
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.mime, 'application/pdf');
	});

	it('keeps every token, key and password out of the logs', async () => {
		/* Keys of every kind, used once each. */
		const data = await login(node.url, 'scjg.data');
		secrets.add(data);
		const k = await api(node.url, 'POST', '/api/v1/api-keys', { token: data, json: { name: 'websec' } });
		assert.equal(k.status, 201, k.text);
		secrets.add(k.json.key);
		assert.equal((await api(node.url, 'GET', '/api/v1/grants', { token: k.json.key })).status, 403);
		const d = await api(node.url, 'POST', '/api/v1/me/api-keys', { token: cit.token, json: { name: 'websec' } });
		assert.equal(d.status, 201, d.text);
		const devKey = d.json.key ?? d.json.token;
		assert.ok(devKey, d.text);
		secrets.add(devKey);
		await api(node.url, 'GET', '/api/v1/datasets', { headers: { Authorization: `Bearer ${devKey}` } });
		await api(node.url, 'GET', '/api/v1/me', { headers: { Authorization: `Bearer ${cit.token}x` } });
		const lo = await login(node.url, 'scjg.clerk');
		secrets.add(lo);
		assert.equal((await api(node.url, 'POST', '/api/v1/auth/logout', { token: lo, json: {} })).status, 200);
		await node.stop(); /* flushes the logs */
		/* The demo banner names the demo's published password: that one line
		 * aside, the server log must hold no secret. */
		const server = node.log().split('\n').filter((l) => !l.startsWith('演示账号 Demo accounts (password')).join('\n');
		const logs = { access: readFileSync(accessLog, 'utf8'), server };
		assert.ok(logs.access.split('\n').length > 30, 'the access log was written');
		const hashes = node.sql('SELECT password_hash AS h FROM users LIMIT 3').map((x) => x.h);
		for (const [name, text] of Object.entries(logs)) {
			for (const s of [...secrets, ...hashes]) {
				assert.ok(s && s.length >= 8);
				assert.ok(!text.includes(s), `${name} log contains a secret: ${s.slice(0, 6)}…`);
			}
		}
		await node.restart();
	});
});
