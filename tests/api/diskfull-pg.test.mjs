/*
 * diskfull-pg.test.mjs - a full disk under PostgreSQL: writes fail with a
 * clear 507 (or 503), reads go on, and the node recovers when space returns,
 * with nothing half-written. The PostgreSQL twin of diskfull.test.mjs.
 *
 * Only the database fills up. The test starts its OWN throw-away PostgreSQL
 * cluster (scripts/pg-temp, not the ZT_TEST_PG server, which must not fill)
 * whose data directory is on a small tmpfs mounted in a private mount
 * namespace (unshare --mount): nothing is mounted on the host. A holder
 * process (sleep) owns the namespace; pg-temp (so the postmaster) and the
 * filler run inside it through nsenter. The node runs on the host with its
 * data directory (keys, files) on the normal disk, and reaches the cluster
 * over loopback TCP (the network namespace is shared). The server log is on
 * the normal disk too, so PostgreSQL's own report of the full disk is kept.
 *
 * Runs only in the PostgreSQL pass of the suite (ZT_TEST_PG set, as
 * tests/with-pg does); skipped with the reason otherwise, or without root,
 * unshare, nsenter, mount, psql, runuser or the PostgreSQL server binaries.
 *
 * What PostgreSQL does when full (observed with PostgreSQL 15; it shapes
 * the test):
 *   - A table, index or free space map that must grow fails with "could not
 *     extend file ...: No space left on device" (SQLSTATE 53100, which
 *     src/db/pg.c maps to 507 storage_full); that transaction is rolled
 *     back and the server goes on. An insert that still fits in a page the
 *     table already has succeeds, so while full a write may rightly answer
 *     201 (here the first ~11 submissions fit, then the cases table must
 *     grow and every submission is refused).
 *   - WAL that needs a new segment file is a PANIC (the postmaster kills
 *     every backend and runs crash recovery): "could not write to file
 *     pg_wal/xlogtemp..." with a 38 MB tmpfs. So before the fill the WAL
 *     is switched to a fresh segment and checkpointed, which recycles old
 *     segments as future ones (already allocated, see PG_OPTS): step 3
 *     writes ~100 kB of WAL and never needs a new file, and only data files
 *     run out, as on a real full disk between two checkpoints.
 *   - A checkpoint on a full disk is a PANIC as well (it writes
 *     pg_logical/replorigin_checkpoint in a critical section). On a real
 *     full disk that comes with the next timed checkpoint (checkpoint_timeout,
 *     5 min by default); step 4 forces it. Crash recovery then ran its own
 *     checkpoint fine (the restart frees ~136 kB) and the server accepted
 *     connections again within a second; every connection of the node was
 *     cut.
 *
 * Test plan (real clock):
 *   1. Setup: a tmpfs (SIZE_MB) in a private mount namespace; a cluster on
 *      it on a free loopback port; database zt; `zhengtong init` (demo) and
 *      `zhengtong serve`. Citizen 张伟 uploads a PDF and submits case K0
 *      (201); 南明区民政局's data officer gets an API key and an
 *      unconditional grant on 520102-RS-001; one exchange read -> 200.
 *   2. Fill: CHECKPOINT, pg_switch_wal(), CHECKPOINT (a fresh WAL segment),
 *      then a filler file takes every free byte (df: 0 available).
 *   3. While full:
 *      - submissions, each with its own Idempotency-Key, one at a time until
 *        one is refused (at most MAX_TRIES): each answer is exactly 201, or
 *        problem+json 507 /problems/storage_full, or 503 — never 500; at
 *        least one 507; then 16 concurrent submissions, each 201/507/503;
 *      - an upload and an exchange read: 201/200 or 507/503, never 500;
 *      - reads answer 200: /healthz, the catalog (GET /api/v1/services),
 *        the citizen's case K0 and case list, the file of K0;
 *      - the node and PostgreSQL are alive (no PANIC), PostgreSQL's log
 *        says "could not extend file", and no refused key has a case.
 *   4. Still full, CHECKPOINT (PANIC and crash recovery, see above): the
 *      node stays up; submissions, exchange reads and reads of K0 answer
 *      201/200, 507 or 503, never 500; once PostgreSQL is back, the first
 *      round already has no 503 and its read of K0 answers 200 (the node
 *      notices the closed pooled connections before using them).
 *   5. The filler is removed (and PostgreSQL started again if it stayed
 *      down): the key of a refused submission now creates its case (201;
 *      polled for a bounded time), a new submission 201, an upload 201, a
 *      submission with it 201, an exchange read 200 — nothing is wedged.
 *   6. Stop the node (SIGTERM: exit 0, no sanitizer report) and start it;
 *      SIGKILL it and start it again: every key answered 201 has
 *      exactly one case with its submit event, its material and its audit
 *      record; no refused key has a case; the exchange reads answered 200
 *      have exactly one access record each, with its audit record; every
 *      upload answered 201 has its file row; `zhengtong audit verify`
 *      exits 0.
 *   Teardown (after(), and at process exit): the node, then PostgreSQL
 *   (pg_ctl stop -m immediate inside the namespace, the postmaster killed
 *   if that fails), then the holder; the directory is removed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { childEnv, serveUntilBanner, waitExit } from '../lib/spawn.mjs';
import { api, assertProblem, assertReadsGoOn, BIN, demoGrant, login, nodeSettings, pdf, REPO, upload } from './lib/node.mjs';

/* Measured with PostgreSQL 15 and 1 MB WAL segments: ~45 MB are used when
 * the fill starts (initdb ~21 MB, database zt with the demo data ~14 MB,
 * pg_wal ~9 MB); 46 MB passes, 44 MB does not (PANIC at the CHECKPOINT
 * before the fill: no room for a new WAL segment). 52 MB leaves room for
 * the demo data and PostgreSQL versions to grow. */
const SIZE_MB = 52;
/* 1 MB WAL segments (instead of 16 MB) keep the tmpfs small; min_wal_size
 * 8MB makes each checkpoint keep (recycle) ~8 old segments as future ones,
 * already allocated: the WAL room while full (step 3 writes ~100 kB of
 * WAL). max_wal_size 16MB checkpoints during init so that old WAL goes
 * away. Autovacuum is off so that no background work races the filler. */
const PG_INITDB_OPTS = '--wal-segsize=1';
const PG_OPTS = '-c autovacuum=off -c min_wal_size=8MB -c max_wal_size=16MB';
const MAX_TRIES = 200;
const ITEM = '520102-RS-GG-002';
const CITIZEN = '520102199003071236';
const ROW_KEY = '520102199003071236';
const SANITIZER = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;

const PG_BIN = (() => {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const vs = readdirSync(root)
		.filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(a) - Number(b));
	return vs.length ? join(root, vs.at(-1), 'bin') : null;
})();

function whyNot() {
	if (!process.env.ZT_TEST_PG) return 'ZT_TEST_PG is not set: runs only in the PostgreSQL pass (tests/with-pg)';
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root (mount)';
	for (const tool of ['unshare', 'nsenter', 'mount', 'psql', 'runuser'])
		if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
	if (!PG_BIN) return 'PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin; apt-get install postgresql)';
	if (spawnSync('id', ['postgres']).status !== 0) return 'no postgres user';
	const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], {
		encoding: 'utf8',
	});
	if (probe.status !== 0) return `cannot mount a tmpfs in a private mount namespace: ${probe.stderr.trim()}`;
	return null;
}

const skip = whyNot();

function freePort() {
	return new Promise((res, rej) => {
		const s = createServer();
		s.once('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

describe('full disk under PostgreSQL (its cluster on a tmpfs in a private mount namespace)', { skip: skip ?? false }, () => {
	let base, mnt, pgdata, pglog, nodeDir, holder, postmaster, port, pgUrl, server, url;
	const dbUrl = () => `${pgUrl}/zt`;
	const env = () => childEnv(nodeSettings(nodeDir, { ZT_DB: dbUrl() }));
	/* A command inside the namespace (absolute paths: nsenter's cwd is /). */
	const inNs = (cmd, args, extraEnv = {}) =>
		spawnSync('nsenter', ['-t', String(holder.pid), '-m', '--', cmd, ...args], {
			env: { ...process.env, ...extraEnv },
			encoding: 'utf8',
			timeout: 60000,
		});
	const psql = (db, args) => {
		const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${pgUrl}/${db}`, ...args], {
			encoding: 'utf8',
			timeout: 20000,
			maxBuffer: 16 << 20,
		});
		assert.equal(r.status, 0, `psql: ${r.error ?? r.stderr}`);
		return r.stdout;
	};
	const sql = (q) => JSON.parse(psql('zt', ['-At', '-c', `SELECT coalesce(json_agg(t), '[]') FROM (${q}) t`]).trim());
	const count = (q) => Number(Object.values(sql(q)[0])[0]);
	const avail = () => Number(inNs('df', ['-B1', '--output=avail', mnt]).stdout.trim().split('\n')[1]);
	const pgLog = () => (existsSync(pglog) ? readFileSync(pglog, 'utf8') : '');
	/* A process runs (and is not a zombie waiting for its reaper). */
	const procAlive = (pid) => {
		try {
			return pid > 0 && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
		} catch {
			return false;
		}
	};
	const pgAlive = () => procAlive(postmaster);
	const noCase = (keys) =>
		keys.length === 0 || count(`SELECT count(*) FROM cases WHERE idem_key IN (${keys.map((k) => `'${k}'`).join(',')})`) === 0;
	const log = { text: '' }; /* the node's stderr, every start */
	const serve = async () => {
		({ child: server, url } = await serveUntilBanner(BIN, ['serve'], { cwd: nodeDir, env: env() }, log, 15000));
	};
	const alive = () => server.exitCode === null && server.signalCode === null;
	const problem = assertProblem;

	/* A write while full: done (okStatus), or refused with 507 storage_full
	 * or 503 — never 500, never anything else. Returns true when done. */
	const doneOrRefused = (r, okStatus, what) => {
		if (r.status === okStatus) return true;
		assert.ok(r.status === 507 || r.status === 503, `${what} while full: ${r.status} ${r.text}`);
		problem(r, r.status, r.status === 507 ? 'storage_full' : null);
		return false;
	};

	let token, file, k0, apiKey, grant;
	const submit = (idem, tag, f = file) =>
		api(url, 'POST', '/api/v1/cases', {
			token,
			headers: { 'Idempotency-Key': idem },
			json: { item_code: ITEM, form: { reason: tag }, materials: [{ seq: 1, name: '身份证明', file: f }] },
		});
	const okKeys = new Map(); /* Idempotency-Key -> case id, answered 201 */
	const refusedKeys = [];
	const okFiles = [];
	let reads200 = 0; /* exchange reads answered 200 */
	const seen = { 201: 0, 503: 0, 507: 0 }; /* answers to writes while full */

	/* Starts the cluster inside the namespace (initdb the first time). */
	const startPg = () => {
		const r = inNs(join(REPO, 'scripts', 'pg-temp'), ['start', pgdata, String(port)], {
			PG_TEMP_LOG: pglog,
			PG_TEMP_INITDB_OPTS: PG_INITDB_OPTS,
			PG_TEMP_OPTS: PG_OPTS,
		});
		assert.equal(r.status, 0, `pg-temp start: ${r.stderr}\n${pgLog().slice(-3000)}`);
		pgUrl = r.stdout.trim();
		postmaster = Number(inNs('head', ['-1', join(pgdata, 'postmaster.pid')]).stdout.trim());
		assert.ok(postmaster > 1 && pgAlive(), 'postmaster pid');
	};
	/* PostgreSQL answers a query (not starting up, not in recovery). */
	const pgReady = () =>
		(spawnSync('psql', ['-X', '-At', `${pgUrl}/zt`, '-c', 'SELECT 1'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '').trim() === '1';
	/* A submission's answer while full (or while PostgreSQL restarts): kept
	 * as done (201) or refused (507/503). */
	const record = (key, r) => {
		if (doneOrRefused(r, 201, `submission ${key}`)) okKeys.set(key, r.json.id);
		else refusedKeys.push(key);
		seen[r.status]++;
	};
	const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

	/* Idempotent, synchronous (so that it also runs from an exit handler):
	 * the node, PostgreSQL inside the namespace, the holder, the directory. */
	const teardown = () => {
		if (server && alive()) server.kill('SIGKILL');
		const holderAlive = holder && holder.exitCode === null && holder.signalCode === null;
		if (pgAlive()) {
			if (holderAlive) inNs(join(REPO, 'scripts', 'pg-temp'), ['stop', pgdata], { PG_TEMP_STOP_MODE: 'immediate' });
			for (let i = 0; i < 50 && pgAlive(); i++) spawnSync('sleep', ['0.1']);
			/* its backends follow a dead postmaster */
			if (pgAlive()) process.kill(postmaster, 'SIGKILL');
		}
		postmaster = 0; /* never signal a later process with that pid */
		/* the namespace and its tmpfs go with the last process in it */
		if (holderAlive) holder.kill('SIGKILL');
		if (base && !process.env.ZT_KEEP_DATA) rmSync(base, { recursive: true, force: true });
	};
	process.on('exit', teardown);

	before(async () => {
		base = mkdtempSync(join(tmpdir(), 'zt-diskfull-pg-'));
		chmodSync(base, 0o755); /* the postgres user must reach pg/ and the log */
		mnt = join(base, 'pg');
		pgdata = join(mnt, 'data');
		pglog = join(base, 'postgresql.log');
		nodeDir = join(base, 'node');
		mkdirSync(mnt);
		mkdirSync(nodeDir);
		holder = spawn(
			'unshare',
			[
				'--mount',
				'--propagation',
				'private',
				'sh',
				'-c',
				`mount -t tmpfs -o size=${SIZE_MB}m,mode=755 tmpfs "$0" && echo ready && exec sleep 3600`,
				mnt,
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		await new Promise((res, rej) => {
			holder.stdout.on('data', (d) => /ready/.test(d) && res());
			holder.once('exit', (c) => rej(new Error(`namespace holder exited ${c}`)));
		});
		assert.notEqual(spawnSync('mountpoint', ['-q', mnt]).status, 0, 'tmpfs leaked onto the host');
		assert.equal(inNs('mountpoint', ['-q', mnt]).status, 0);

		port = await freePort();
		startPg();
		psql('postgres', ['-c', 'CREATE DATABASE zt']);

		const init = spawnSync(BIN, ['init'], { cwd: nodeDir, env: env(), encoding: 'utf8', timeout: 60000 });
		assert.equal(init.status, 0, init.stderr);
		await serve();

		token = await login(url, CITIZEN);
		let r = await upload(url, token, pdf('diskfull-pg-0'));
		assert.equal(r.status, 201, r.text);
		file = r.json.id;
		okFiles.push(file);
		r = await submit('pgfull-k0', 'before');
		assert.equal(r.status, 201, r.text);
		k0 = r.json.id;
		okKeys.set('pgfull-k0', k0);

		({ apiKey, grant } = await demoGrant(url, { keyName: '满盘测试系统', purpose: '最低生活保障审核：核对参保状态（满盘测试）' }));
		r = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
		assert.equal(r.status, 200, r.text);
		reads200++;
	});

	after(async () => {
		const s = server;
		if (s && alive()) {
			s.kill('SIGTERM');
			if (!(await waitExit(s, 5000))) s.kill('SIGKILL');
			await waitExit(s, 5000);
		}
		const pm = postmaster;
		teardown();
		if (holder) assert.ok(await waitExit(holder, 5000), 'the namespace holder is gone');
		assert.ok(!procAlive(pm), 'PostgreSQL is stopped');
		assert.ok(!SANITIZER.test(log.text), log.text);
	});

	it('refuses writes with 507 storage_full while full, keeps serving reads, PostgreSQL stays up', async () => {
		// A fresh WAL segment (see the header): only data files can run out.
		// The switch may need one new segment: room for it, or PANIC.
		assert.ok(avail() >= 2 << 20, `the tmpfs is too small (raise SIZE_MB): ${avail()} bytes free`);
		psql('zt', ['-c', 'CHECKPOINT', '-c', 'SELECT pg_switch_wal()', '-c', 'CHECKPOINT']);
		inNs('sh', ['-c', 'dd if=/dev/zero of="$0/filler" bs=65536 2>/dev/null; sync', mnt]);
		assert.equal(avail(), 0, 'the tmpfs is full');

		let n = 0;
		for (; n < MAX_TRIES && seen[507] === 0; n++) {
			const key = `pgfull-${n}`;
			record(key, await submit(key, `while full ${n}`));
		}
		assert.ok(seen[507] > 0, `no submission of ${n} was refused with 507 (answers: ${JSON.stringify(seen)})`);
		const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(`pgfull-b${i}`, `burst ${i}`)));
		burst.forEach((r, i) => record(`pgfull-b${i}`, r));
		let r = await upload(url, token, pdf('diskfull-pg-1'));
		if (doneOrRefused(r, 201, 'upload')) okFiles.push(r.json.id);
		const up = r.status;
		r = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
		if (doneOrRefused(r, 200, 'exchange read')) reads200++;
		console.log(
			`while full: submissions ${n} one at a time then 16 at once: ${seen[201]} x 201, ${seen[507]} x 507, ` +
				`${seen[503]} x 503; upload ${up}; exchange read ${r.status}`,
		);

		// Reads go on.
		await assertReadsGoOn(url, { token, caseId: k0, file, item: ITEM });

		assert.ok(alive(), 'the node is alive');
		assert.ok(pgAlive(), 'the postmaster is alive');
		assert.equal(avail(), 0, 'still full');
		const log = pgLog();
		assert.doesNotMatch(log, /PANIC|terminated by signal|server process .* was terminated/, 'PostgreSQL did not crash');
		assert.match(log, /could not extend file "[^"]+": (No space left on device|wrote only)/, 'PostgreSQL reported the full disk');
		assert.ok(!SANITIZER.test(log.text), log.text);
		// Nothing of a refused submission is stored.
		assert.ok(noCase(refusedKeys), 'a refused submission left a case');
	});

	it('a checkpoint while full: PostgreSQL PANICs and restarts; the node reconnects without a 503, never 500', async () => {
		// A PANIC and crash recovery with PostgreSQL 15 (see the header).
		// Another version may only fail the checkpoint, or stay down (step 5
		// starts it again); the node's answers are checked either way.
		const c = spawnSync('psql', ['-X', `${pgUrl}/zt`, '-c', 'CHECKPOINT'], { encoding: 'utf8', timeout: 30000 });
		const panicked = /PANIC/.test(pgLog());
		for (const until = Date.now() + 20000; pgAlive() && !pgReady() && Date.now() < until; ) await sleep(100);
		const up = pgAlive() && pgReady();

		// The node's connections died with the backends. Once PostgreSQL is
		// back, the node sees that a pooled connection was closed before it
		// uses it (pg_alive reads what is pending) and opens another, so the
		// first requests already answer: no 503 (src/db/db.c, src/db/pg.c).
		const rounds = []; /* [submission, exchange read, read of K0] */
		let back = false;
		for (let n = 0, until = Date.now() + 10000; !back && Date.now() < until; n++) {
			const sub = await submit(`pgfull-p${n}`, `after the checkpoint ${n}`);
			record(`pgfull-p${n}`, sub);
			const ex = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
			if (doneOrRefused(ex, 200, 'exchange read')) reads200++;
			const rd = await api(url, 'GET', `/api/v1/cases/${k0}`, { token });
			assert.ok(rd.status === 200 || rd.status === 503, `case K0 after the checkpoint: ${rd.status} ${rd.text}`);
			if (rd.status === 503) problem(rd, 503, null);
			rounds.push(`${sub.status}/${ex.status}/${rd.status}`);
			back = rd.status === 200;
			if (!back) await sleep(200);
		}
		console.log(
			`checkpoint while full: psql ${c.status === 0 ? 'ok' : 'failed'}, ${panicked ? 'PANIC' : 'no PANIC'}, ` +
				`PostgreSQL ${up ? 'back' : 'down'}; submission/exchange read/read of K0: ${rounds.join(' ')}`,
		);
		assert.ok(alive(), 'the node is alive');
		if (up) {
			assert.ok(back, 'the node reads again once PostgreSQL is back');
			assert.ok(!rounds[0].includes('503'), `the first requests after the restart: ${rounds[0]}`);
		}
		assert.ok(!SANITIZER.test(log.text), log.text);
		assert.ok(noCase(refusedKeys), 'a refused submission left a case');
	});

	it('accepts writes again when space returns, and survives a node crash whole', async () => {
		assert.equal(inNs('rm', ['-f', join(mnt, 'filler')]).status, 0);
		assert.ok(avail() > 1 << 20);
		// A PostgreSQL that stayed down is started again, as its service
		// manager or an operator would.
		if (!pgAlive()) startPg();

		// A refused key now creates its case; PostgreSQL may need a moment.
		const key = refusedKeys[0];
		let r;
		for (const until = Date.now() + 15000; ; ) {
			r = await submit(key, 'after space returned');
			if (r.status === 201 || Date.now() > until || (r.status !== 507 && r.status !== 503)) break;
			await sleep(250);
		}
		assert.equal(r.status, 201, r.text);
		okKeys.set(key, r.json.id);
		refusedKeys.shift();
		r = await submit('pgfull-after', 'after');
		assert.equal(r.status, 201, r.text);
		okKeys.set('pgfull-after', r.json.id);
		r = await upload(url, token, pdf('diskfull-pg-2'));
		assert.equal(r.status, 201, r.text);
		const file2 = r.json.id;
		okFiles.push(file2);
		r = await submit('pgfull-after-file', 'after, new file', file2);
		assert.equal(r.status, 201, r.text);
		okKeys.set('pgfull-after-file', r.json.id);
		r = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
		assert.equal(r.status, 200, r.text);
		reads200++;

		// A clean stop first: it exits 0 and, in a sanitizer build, reports
		// no leak or error from the failure paths of steps 3 and 4.
		server.kill('SIGTERM');
		assert.ok(await waitExit(server, 10000), 'the node stops on SIGTERM');
		assert.equal(server.exitCode, 0, `exit after SIGTERM:\n${log.text.slice(-3000)}`);
		assert.ok(!SANITIZER.test(log.text), log.text);
		await serve();
		// Then a crash, and start again.
		server.kill('SIGKILL');
		await waitExit(server, 5000);
		await serve();
		r = await api(url, 'GET', `/api/v1/cases/${okKeys.get('pgfull-after-file')}`, { token });
		assert.equal(r.status, 200, r.text);

		const rows = sql(
			`SELECT c.id, c.idem_key,` +
				` (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'submit') AS ev,` +
				` (SELECT count(*) FROM case_materials m WHERE m.case_id = c.id) AS mat,` +
				` (SELECT count(*) FROM audit_log l WHERE l.action = 'case.submit' AND l.object_type = 'case'` +
				`   AND l.object_id = CAST(c.id AS TEXT)) AS aud` +
				` FROM cases c WHERE c.idem_key LIKE 'pgfull-%' ORDER BY c.id`,
		);
		const want = [...okKeys].map(([k, id]) => [id, k, 1, 1, 1]).sort((a, b) => a[0] - b[0]);
		assert.deepEqual(
			rows.map((x) => [x.id, x.idem_key, x.ev, x.mat, x.aud]),
			want,
		);
		assert.ok(noCase(refusedKeys), 'a refused submission left a case');
		for (const h of okFiles) assert.equal(count(`SELECT count(*) FROM files WHERE hash = '${h}'`), 1, h);
		// Each exchange read answered 200 has its access record and audit record.
		assert.equal(
			count(
				`SELECT count(*) FROM access_records a JOIN audit_log l ON l.seq = a.audit_seq` +
					` AND l.action = 'share.access' WHERE a.grant_id = ${grant}`,
			),
			reads200,
		);
		assert.equal(count(`SELECT count(*) FROM access_records WHERE grant_id = ${grant}`), reads200);
		const v = spawnSync(BIN, ['audit', 'verify'], { cwd: nodeDir, env: env(), encoding: 'utf8', timeout: 60000 });
		assert.equal(v.status, 0, `audit verify: ${v.stdout}${v.stderr}`);
	});
});
