/*
 * dbdown.test.mjs - the database cannot be reached for a while (PostgreSQL
 * restarting, a fail-over, a network cut): requests answer 503 problem+json,
 * the node stays up, and it serves again by itself when the database is
 * back, its pooled connections renewed.
 *
 * Runs only in the PostgreSQL pass (tests/with-pg sets ZT_TEST_PG); skipped
 * otherwise. The test cannot stop the shared server, so it makes the node's
 * own database unreachable: ALTER DATABASE ... ALLOW_CONNECTIONS false (new
 * connections refused, superusers too) and pg_terminate_backend for the
 * node's sessions (the pooled connections and the writer's die).
 *
 * Test plan (demo node, 4 threads):
 *   1. Up: the citizen's case list answers 200 (the session and the list
 *      are read from the database; the catalog would come from its cache).
 *   2. Down: 12 concurrent case lists and a case submission (Idempotency-Key
 *      dbdown-1) each answer 503 problem+json, never 500 or a dropped
 *      connection; the node process stays alive. (Before: a
 *      request that found no idle connection got none from the pool, and
 *      the handler dereferenced it: the process died.)
 *   3. Back: the very first case list answers 200, the submission with
 *      the same key answers 201 (it was not stored while down), and exactly
 *      one case with that key exists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { api, login, pdf, startNode, upload } from './lib/node.mjs';

const PG = process.env.ZT_TEST_PG || '';
const CITIZEN = '520102199003071236';
const ITEM = '520102-RS-GG-002';

function admin(sql) {
	const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', `${PG}/postgres`, '-c', sql], { encoding: 'utf8', timeout: 20000 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

describe('database unreachable for a while', { skip: PG ? false : 'PostgreSQL pass only (ZT_TEST_PG)' }, () => {
	let node, db, token, file;
	/* the citizen's cases: the session and the list are read from the database (the catalog is cached) */
	const mine = () => api(node.url, 'GET', '/api/v1/cases', { token });
	const submit = () =>
		api(node.url, 'POST', '/api/v1/cases', {
			token,
			headers: { 'Idempotency-Key': 'dbdown-1' },
			json: { item_code: ITEM, materials: [{ seq: 1, name: '身份证明', file }] },
		});
	const unavailable = (r, what) => {
		assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
		assert.match(r.headers.get('content-type'), /^application\/problem\+json/, what);
		assert.equal(r.json.status, 503, what);
	};

	before(async () => {
		node = await startNode({ now: '2026-03-02T10:00:00+08:00' });
		db = new URL(node.env.ZT_DB).pathname.slice(1);
		token = await login(node.url, CITIZEN);
		const f = await upload(node.url, token, pdf('dbdown'));
		assert.equal(f.status, 201, f.text);
		file = f.json.id;
	});

	after(async () => {
		if (db) admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
		await node?.stop();
	});

	it('answers 503 while the database cannot be reached, and serves again when it is back', async () => {
		let r = await mine();
		assert.equal(r.status, 200, r.text);

		admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS false`);
		const killed = Number(admin(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${db}'`));
		assert.ok(killed >= 2, `the node's sessions: ${killed}`); /* the writer and at least one reader */

		const answers = await Promise.all(Array.from({ length: 12 }, () => mine()));
		answers.forEach((a, i) => unavailable(a, `case list ${i}`));
		unavailable(await submit(), 'submission');
		assert.equal(node.child.exitCode, null, `the node exited:\n${node.stderr.slice(-2000)}`);
		assert.equal(node.child.signalCode, null, `the node died:\n${node.stderr.slice(-2000)}`);

		admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
		r = await mine();
		assert.equal(r.status, 200, r.text);
		r = await submit();
		assert.equal(r.status, 201, r.text);
		assert.equal(node.count("SELECT count(*) FROM cases WHERE idem_key = 'dbdown-1'"), 1);
	});
});
