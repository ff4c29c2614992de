/*
 * devkeys.test.mjs - developer API keys and the open-data rate limit
 * (issue 8: "anonymous use is rate limited per client; registered
 * developers get API keys with higher limits").
 *
 * Test plan (clock frozen at T0; node A runs with ZT_OPENDATA_RATE_ANON=5
 * and ZT_OPENDATA_RATE_KEY=20; the quota is read through
 * GET /api/v1/me/api-keys/limit, which counts like any open-data call;
 * each part uses its own X-Real-IP so that buckets do not mix):
 *   1. Create: citizen A -> 201 exactly {id, name, key, prefix, created_at
 *      T0, rate_per_min 20} with Location; key "ztd_" + 43 base64url
 *      characters, prefix its first 12; the row holds the SM3 of the key
 *      and the prefix, never the key; one audit record dev_key.create
 *      {name}. Bad input -> 400 naming the field (missing, empty, 41
 *      characters, unknown field); 40 Chinese characters are fine;
 *      anonymous -> 401; an official (mz.clerk) may have keys too.
 *   2. List: own keys only, newest first, exact items without a key
 *      (last_used_at and revoked_at null), next null; another person sees
 *      only theirs.
 *   3. At most 5 active keys: the 6th -> 422 too_many_keys and no row;
 *      after a revoke a new one may be made.
 *   4. Revoke: another person's key -> 404 (and it still works); an
 *      unknown id -> 404; own -> 200 with revoked_at T0; again -> 409
 *      already_revoked; audit dev_key.revoke for each revoke.
 *   5. Anonymous limit: 5 calls -> 200 with X-RateLimit-Limit 5,
 *      X-RateLimit-Remaining 4..0 and {limit 5, remaining, who anonymous};
 *      the 6th -> 429 rate_limited, Retry-After 11..12, remaining 0; another
 *      address (X-Real-IP from the loopback proxy) has its own 5.
 *   6. A key from the exhausted address -> its own bucket: limit 20,
 *      remaining 19 .. 0, then 429 with Retry-After 2..3; a second key of
 *      the same person has its own 20; last_used_at becomes T0 for the used
 *      keys only (written once a minute at most, in memory before that).
 *   7. Refused keys -> 401 invalid_api_key: a revoked key, a key of a
 *      disabled account, a well-formed unknown key, garbage, an empty
 *      header. A key in the query string is ignored (anonymous).
 *   8. Secrecy: no key (nor its random part) in the access log (which
 *      holds the calls), the audit chain or any dev_api_keys column;
 *      `zhengtong audit verify` passes.
 *   9. Node B with the defaults (anon 120, key 1200) listening on every
 *      interface, called from a non-loopback address: X-Real-IP is not
 *      believed (the 121st call is refused whatever the header says); a
 *      key gets X-RateLimit-Limit 1200. With ZT_OPENDATA_RATE_ANON=0 the
 *      limit is off: {limit null, remaining null} and no X-RateLimit
 *      headers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';

import { api, BIN, login, newCitizen, sm3hex, startNode } from './lib/node.mjs';
import { childEnv, waitExit } from '../lib/spawn.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const KEY_RE = /^ztd_[A-Za-z0-9_-]{43}$/;

describe('developer API keys and the open-data rate limit', () => {
	let node, a, b, clerk;
	const keys = {}; /* name -> {id, key} */

	before(async () => {
		node = await startNode({ now: T0, env: { ZT_OPENDATA_RATE_ANON: '5', ZT_OPENDATA_RATE_KEY: '20' } });
		a = await newCitizen(node.url, { name: '开发者甲', seq: 81, phone: '13700000081' });
		b = await newCitizen(node.url, { name: '开发者乙', seq: 82, phone: '13700000082' });
		clerk = await login(node.url, 'mz.clerk');
	});
	after(async () => {
		await node?.stop();
	});

	const create = (tok, json) => api(node.url, 'POST', '/api/v1/me/api-keys', { token: tok, json });
	const list = (tok) => api(node.url, 'GET', '/api/v1/me/api-keys', { token: tok });
	const revoke = (tok, id) => api(node.url, 'POST', `/api/v1/me/api-keys/${id}/revoke`, { token: tok, json: {} });
	const quota = (headers) => api(node.url, 'GET', '/api/v1/me/api-keys/limit', { headers });
	const problem = (r, status, reason, field) => {
		assert.equal(r.status, status, r.text);
		assert.equal(r.json.type, `/problems/${reason}`, r.text);
		if (field !== undefined) assert.deepEqual(r.json.errors.map((e) => e.field), [field], r.text);
	};
	const rows = () => node.count('SELECT count(*) FROM dev_api_keys');

	it('creates a key and shows it once', async () => {
		const r = await create(a.token, { name: '公交查询小程序' });
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(Object.keys(r.json).sort(), ['created_at', 'id', 'key', 'name', 'prefix', 'rate_per_min']);
		assert.match(r.json.key, KEY_RE);
		assert.deepEqual(
			{ ...r.json, key: undefined },
			{ id: r.json.id, name: '公交查询小程序', key: undefined, prefix: r.json.key.slice(0, 12), created_at: T0, rate_per_min: 20 },
		);
		assert.equal(r.headers.get('location'), `/api/v1/me/api-keys/${r.json.id}`);
		keys.a1 = { id: r.json.id, key: r.json.key };
		const row = node.sql(`SELECT user_id, name, key_hash, prefix, last_used_at, revoked_at FROM dev_api_keys WHERE id = ${r.json.id}`);
		assert.deepEqual(row, [
			{ user_id: a.user.id, name: '公交查询小程序', key_hash: sm3hex(Buffer.from(r.json.key)), prefix: r.json.key.slice(0, 12), last_used_at: null, revoked_at: null },
		]);
		const audit = node.sql(`SELECT actor_id, action, data FROM audit_log WHERE object_type = 'dev_key' AND object_id = '${r.json.id}'`);
		assert.deepEqual(audit, [{ actor_id: a.user.id, action: 'dev_key.create', data: '{"name":"公交查询小程序"}' }]);

		const c = await create(clerk, { name: '民政数据看板' });
		assert.equal(c.status, 201, c.text);
		keys.clerk = { id: c.json.id, key: c.json.key };
		const long = await create(b.token, { name: '数'.repeat(40) });
		assert.equal(long.status, 201, long.text);
		keys.b1 = { id: long.json.id, key: long.json.key };
	});

	it('refuses bad names and anonymous callers', async () => {
		const n = rows();
		problem(await create(a.token, {}), 400, 'invalid', 'name');
		problem(await create(a.token, { name: '' }), 400, 'invalid', 'name');
		problem(await create(a.token, { name: '数'.repeat(41) }), 400, 'invalid', 'name');
		problem(await create(a.token, { name: 'x', key: 'ztd_mine' }), 400, 'invalid', 'key');
		problem(await create(undefined, { name: 'x' }), 401, 'unauthenticated');
		problem(await api(node.url, 'GET', '/api/v1/me/api-keys'), 401, 'unauthenticated');
		assert.equal(rows(), n);
	});

	it('lists only the caller\'s own keys, without the key', async () => {
		const r2 = await create(a.token, { name: '第二个应用' });
		assert.equal(r2.status, 201, r2.text);
		keys.a2 = { id: r2.json.id, key: r2.json.key };
		const r = await list(a.token);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, {
			items: [
				{ id: keys.a2.id, name: '第二个应用', prefix: keys.a2.key.slice(0, 12), created_at: T0, last_used_at: null, revoked_at: null, rate_per_min: 20 },
				{ id: keys.a1.id, name: '公交查询小程序', prefix: keys.a1.key.slice(0, 12), created_at: T0, last_used_at: null, revoked_at: null, rate_per_min: 20 },
			],
			next: null,
		});
		const rb = await list(b.token);
		assert.deepEqual(rb.json.items.map((k) => k.id), [keys.b1.id]);
		const rc = await list(clerk);
		assert.deepEqual(rc.json.items.map((k) => k.id), [keys.clerk.id]);
	});

	it('allows at most 5 active keys', async () => {
		for (let i = 3; i <= 5; i++) {
			const r = await create(a.token, { name: `应用${i}` });
			assert.equal(r.status, 201, r.text);
			keys[`a${i}`] = { id: r.json.id, key: r.json.key };
		}
		const n = rows();
		const r = await create(a.token, { name: '应用6' });
		problem(r, 422, 'too_many_keys');
		assert.equal(rows(), n);
		/* b is unaffected by a's count. */
		const rb = await create(b.token, { name: '乙的第二个' });
		assert.equal(rb.status, 201, rb.text);
		keys.b2 = { id: rb.json.id, key: rb.json.key };
	});

	it('revokes only one\'s own keys, once', async () => {
		const before = node.count("SELECT count(*) FROM audit_log WHERE action = 'dev_key.revoke'");
		problem(await revoke(b.token, keys.a5.id), 404, 'not_found');
		problem(await revoke(a.token, 999999), 404, 'not_found');
		assert.equal(node.count(`SELECT count(*) FROM dev_api_keys WHERE id = ${keys.a5.id} AND revoked_at IS NULL`), 1);
		const r = await revoke(a.token, keys.a5.id);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, {
			id: keys.a5.id, name: '应用5', prefix: keys.a5.key.slice(0, 12), created_at: T0, last_used_at: null, revoked_at: T0, rate_per_min: 20,
		});
		problem(await revoke(a.token, keys.a5.id), 409, 'already_revoked');
		const audit = node.sql(`SELECT actor_id, object_id, data FROM audit_log WHERE action = 'dev_key.revoke' ORDER BY seq`);
		assert.equal(audit.length, before + 1);
		assert.deepEqual(audit.at(-1), { actor_id: a.user.id, object_id: String(keys.a5.id), data: '{}' });
		/* With one revoked, a fifth active key is allowed again, a sixth not. */
		const again = await create(a.token, { name: '应用5b' });
		assert.equal(again.status, 201, again.text);
		keys.a5b = { id: again.json.id, key: again.json.key };
		problem(await create(a.token, { name: '应用7' }), 422, 'too_many_keys');
	});

	it('limits anonymous callers per address', async () => {
		const ip = { 'X-Real-IP': '203.0.113.10' };
		for (let i = 1; i <= 5; i++) {
			const r = await quota(ip);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json, { limit: 5, remaining: 5 - i, who: 'anonymous' });
			assert.equal(r.headers.get('x-ratelimit-limit'), '5');
			assert.equal(r.headers.get('x-ratelimit-remaining'), String(5 - i));
		}
		const r = await quota(ip);
		problem(r, 429, 'rate_limited');
		const wait = Number(r.headers.get('retry-after'));
		assert.ok(wait === 11 || wait === 12, `Retry-After ${wait}`);
		assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
		assert.equal(r.headers.get('x-ratelimit-limit'), '5');
		const other = await quota({ 'X-Real-IP': '203.0.113.11' });
		assert.equal(other.status, 200, other.text);
		assert.deepEqual(other.json, { limit: 5, remaining: 4, who: 'anonymous' });
	});

	it('gives each key its own, higher bucket', async () => {
		const ip = { 'X-Real-IP': '203.0.113.10' }; /* exhausted above */
		problem(await quota(ip), 429, 'rate_limited');
		for (let i = 1; i <= 20; i++) {
			const r = await quota({ ...ip, 'X-API-Key': keys.a1.key });
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json, { limit: 20, remaining: 20 - i, who: 'key' });
			assert.equal(r.headers.get('x-ratelimit-remaining'), String(20 - i));
		}
		const r = await quota({ ...ip, 'X-API-Key': keys.a1.key });
		problem(r, 429, 'rate_limited');
		const wait = Number(r.headers.get('retry-after'));
		assert.ok(wait === 2 || wait === 3, `Retry-After ${wait}`);
		const second = await quota({ ...ip, 'X-API-Key': keys.a2.key });
		assert.equal(second.status, 200, second.text);
		assert.deepEqual(second.json, { limit: 20, remaining: 19, who: 'key' });
		/* The same key from another address is the same bucket. */
		problem(await quota({ 'X-Real-IP': '203.0.113.99', 'X-API-Key': keys.a1.key }), 429, 'rate_limited');
		const l = await list(a.token);
		assert.deepEqual(
			l.json.items.map((k) => [k.id, k.last_used_at]),
			[
				[keys.a5b.id, null], [keys.a5.id, null], [keys.a4.id, null], [keys.a3.id, null],
				[keys.a2.id, T0], [keys.a1.id, T0],
			],
		);
	});

	it('refuses revoked, unknown and malformed keys', async () => {
		const ip = { 'X-Real-IP': '203.0.113.20' };
		problem(await quota({ ...ip, 'X-API-Key': keys.a5.key }), 401, 'invalid_api_key');
		const fake = 'ztd_' + 'A'.repeat(43);
		problem(await quota({ ...ip, 'X-API-Key': fake }), 401, 'invalid_api_key');
		problem(await quota({ ...ip, 'X-API-Key': 'not-a-key' }), 401, 'invalid_api_key');
		problem(await quota({ ...ip, 'X-API-Key': '' }), 401, 'invalid_api_key');
		/* A department system key (ztk_) is no developer key. */
		problem(await quota({ ...ip, 'X-API-Key': 'ztk_' + 'A'.repeat(43) }), 401, 'invalid_api_key');
		/* Refusals do not spend the address's calls. */
		const r = await quota(ip);
		assert.deepEqual(r.json, { limit: 5, remaining: 4, who: 'anonymous' });
		/* Never read from the query string. */
		const q = await api(node.url, 'GET', `/api/v1/me/api-keys/limit?api_key=${fake}&X-API-Key=${fake}`, { headers: ip });
		assert.deepEqual(q.json, { limit: 5, remaining: 3, who: 'anonymous' });
		/* A disabled account's keys stop working. */
		const ok = await quota({ ...ip, 'X-API-Key': keys.b1.key });
		assert.equal(ok.status, 200, ok.text);
		node.sql(`UPDATE users SET status = 'disabled' WHERE id = ${b.user.id}`);
		problem(await quota({ ...ip, 'X-API-Key': keys.b1.key }), 401, 'invalid_api_key');
		node.sql(`UPDATE users SET status = 'active' WHERE id = ${b.user.id}`);
	});

	it('never writes a key to the log, the audit chain or the database', async () => {
		const log = node.log();
		assert.match(log, /"route":"devkeys\.create","status":201/);
		assert.match(log, /"route":"devkeys\.limit","status":429/);
		const audit = JSON.stringify(node.sql('SELECT * FROM audit_log'));
		const stored = JSON.stringify(node.sql('SELECT * FROM dev_api_keys'));
		assert.ok(Object.keys(keys).length >= 9);
		for (const { key } of Object.values(keys)) {
			for (const s of [key, key.slice(4), key.slice(12)]) {
				assert.ok(!log.includes(s), 'key in the access log');
				assert.ok(!audit.includes(s), 'key in the audit chain');
				assert.ok(!stored.includes(s), 'key in dev_api_keys');
			}
		}
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stderr + v.stdout);
	});
});

/* The first IPv4 address of this host that is not loopback, or null. */
function outsideAddress() {
	for (const list of Object.values(networkInterfaces()))
		for (const i of list || []) if (i.family === 'IPv4' && !i.internal) return i.address;
	return null;
}

describe('the rate limit seen from outside the host', () => {
	let node, server, url;
	const addr = outsideAddress();

	/* Serves node's data on every interface (startNode listens on loopback
	 * only); resolves the URL through addr. */
	const serveOutside = async (extraEnv = {}) => {
		await node.stop();
		server = spawn(BIN, ['serve'], {
			cwd: node.dataDir,
			env: childEnv({ ...node.env, ZT_NOW: node.now, ZT_LISTEN: '0.0.0.0:0', ...extraEnv }),
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let err = '';
		server.stderr.setEncoding('utf8');
		const port = await new Promise((res, rej) => {
			const t = setTimeout(() => rej(new Error(`no banner:\n${err}`)), 10000);
			server.stderr.on('data', (s) => {
				err += s;
				const m = /zhengtong serving http:\/\/[^:]+:(\d+)/.exec(err);
				if (m) {
					clearTimeout(t);
					res(m[1]);
				}
			});
			server.once('exit', (code) => rej(new Error(`server exited ${code}:\n${err}`)));
		});
		url = `http://${addr}:${port}`;
	};
	const stopOutside = async () => {
		if (!server) return;
		server.kill('SIGTERM');
		if (!(await waitExit(server, 5000))) server.kill('SIGKILL');
		server = null;
	};

	before(async () => {
		node = await startNode({ now: T0 });
	});
	after(async () => {
		await stopOutside();
		await node?.stop();
	});

	it('believes X-Real-IP only from loopback; defaults 120 and 1200', { skip: addr === null && 'no non-loopback IPv4 address' }, async () => {
		const cit = await newCitizen(node.url, { name: '外部开发者', seq: 83, phone: '13700000083' });
		const k = await api(node.url, 'POST', '/api/v1/me/api-keys', { token: cit.token, json: { name: '外部应用' } });
		assert.equal(k.status, 201, k.text);
		assert.equal(k.json.rate_per_min, 1200);
		await serveOutside();
		const call = (i) =>
			api(url, 'GET', '/api/v1/me/api-keys/limit', { headers: { 'X-Real-IP': `203.0.113.${i % 250}` } });
		for (let i = 1; i <= 120; i++) {
			const r = await call(i);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.remaining, 120 - i);
			assert.equal(r.headers.get('x-ratelimit-limit'), '120');
		}
		const r = await call(121);
		assert.equal(r.status, 429, r.text);
		const withKey = await api(url, 'GET', '/api/v1/me/api-keys/limit', { headers: { 'X-API-Key': k.json.key } });
		assert.equal(withKey.status, 200, withKey.text);
		assert.deepEqual(withKey.json, { limit: 1200, remaining: 1199, who: 'key' });
		assert.equal(withKey.headers.get('x-ratelimit-limit'), '1200');
		await stopOutside();
	});

	it('turns the limit off with 0', async () => {
		await node.restart({ env: { ZT_OPENDATA_RATE_ANON: '0' } });
		for (let i = 0; i < 3; i++) {
			const r = await api(node.url, 'GET', '/api/v1/me/api-keys/limit');
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json, { limit: null, remaining: null, who: 'anonymous' });
			assert.equal(r.headers.get('x-ratelimit-limit'), null);
			assert.equal(r.headers.get('x-ratelimit-remaining'), null);
		}
	});
});
