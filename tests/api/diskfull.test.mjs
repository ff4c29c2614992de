/*
 * diskfull.test.mjs - a full disk: writes fail with a clear 507, reads go on,
 * and the node recovers when space returns, with nothing half-written.
 *
 * The node's data directory (SQLite database, WAL, files, tmp/) lives on a
 * small tmpfs mounted in a private mount namespace (unshare --mount), so
 * nothing is mounted on the host and the tmpfs goes away with the namespace.
 * A holder process (sleep) owns the namespace; init, serve, sqlite3 and the
 * filler all run inside it through nsenter. Needs root, unshare and nsenter;
 * skipped with the reason otherwise. SQLite only: on PostgreSQL the database
 * lives in the server's own data directory (not the node's), so the variant
 * would test PostgreSQL, not us.
 *
 * Test plan (real clock):
 *   1. Setup on the tmpfs: demo node; citizen 张伟 uploads a PDF and submits
 *      case K0 (201); 南明区民政局's data officer gets an API key and an
 *      unconditional grant on 520102-RS-001; one exchange read -> 200.
 *   2. Fill: the WAL is checkpointed and truncated (so the next commit must
 *      grow it), then a filler file takes every free byte (df: 0 available).
 *   3. While full:
 *      - a case submission -> 507 problem+json, type /problems/storage_full,
 *        status 507; 16 concurrent submissions -> every one 507 (a batch of
 *        failing jobs in the writer thread), never 500;
 *      - an upload -> 507 storage_full, nothing left in tmp/;
 *      - an exchange read -> 507: no data leaves without its access record;
 *      - reads still answer 200: /healthz, the catalog (GET /api/v1/services),
 *        the citizen's case K0 and case list, the file of K0.
 *   4. The filler is removed: a submission (with the key of a refused one)
 *      -> 201, an upload -> 201, an exchange read -> 200 — the writer thread
 *      is not wedged.
 *   5. Recovery for real: SIGKILL the server and start it again on the same
 *      tmpfs; then PRAGMA integrity_check = ok, the WAL checkpoints fully
 *      (TRUNCATE, not busy), every 2xx write of the whole test is present
 *      with its event/audit/access record, no case, file row or access record
 *      of a refused request exists, and `zhengtong audit verify` exits 0.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { childEnv, serveUntilBanner, waitExit } from '../lib/spawn.mjs';
import { api, assertProblem, assertReadsGoOn, BIN, demoGrant, login, nodeSettings, pdf, upload } from './lib/node.mjs';

const SIZE_MB = 16;
const ITEM = '520102-RS-GG-002';
const CITIZEN = '520102199003071236';
const ROW_KEY = '520102199003071236';

function whyNot() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root (mount)';
	for (const tool of ['unshare', 'nsenter', 'mount', 'sqlite3'])
		if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
	const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], {
		encoding: 'utf8',
	});
	if (probe.status !== 0) return `cannot mount a tmpfs in a private mount namespace: ${probe.stderr.trim()}`;
	return null;
}

const skip = whyNot();

describe('full disk (tmpfs in a private mount namespace)', { skip: skip ?? false }, () => {
	let dir, holder, server, url;
	const env = () => childEnv(nodeSettings(dir));
	/* A command inside the namespace (nsenter does not fork for a mount namespace). */
	const inNs = (cmd, args, opts = {}) =>
		spawnSync('nsenter', ['-t', String(holder.pid), '-m', '--', cmd, ...args], {
			cwd: dir,
			env: env(),
			encoding: 'utf8',
			timeout: 30000,
			maxBuffer: 16 << 20,
			...opts,
		});
	const sql = (q) => {
		const r = inNs('sqlite3', ['-cmd', '.timeout 5000', '-json', join(dir, 'zhengtong.db'), q]);
		assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
		return r.stdout.trim() === '' ? [] : JSON.parse(r.stdout);
	};
	const count = (q) => Number(Object.values(sql(q)[0])[0]);
	const avail = () => {
		const r = inNs('df', ['-B1', '--output=avail', dir]);
		return Number(r.stdout.trim().split('\n')[1]);
	};
	const log = { text: '' };
	const serve = async () => {
		({ child: server, url } = await serveUntilBanner('nsenter', ['-t', String(holder.pid), '-m', '--', BIN, 'serve'], { cwd: dir, env: env() }, log));
	};
	const alive = () => server.exitCode === null && server.signalCode === null;
	const problem = assertProblem;

	let token, file, k0, apiKey, grant;
	const submit = (idem, tag, f = file) =>
		api(url, 'POST', '/api/v1/cases', {
			token,
			headers: { 'Idempotency-Key': idem },
			json: { item_code: ITEM, form: { reason: tag }, materials: [{ seq: 1, name: '身份证明', file: f }] },
		});
	const okCases = []; /* ids answered 201 */
	const refusedKeys = [];

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'zt-diskfull-'));
		holder = spawn(
			'unshare',
			['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${SIZE_MB}m tmpfs "$0" && echo ready && exec sleep 100000`, dir],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		await new Promise((res, rej) => {
			holder.stdout.on('data', (d) => /ready/.test(d) && res());
			holder.once('exit', (c) => rej(new Error(`namespace holder exited ${c}`)));
		});
		// The host sees an empty directory; the namespace sees the tmpfs.
		assert.equal(spawnSync('mountpoint', ['-q', dir]).status !== 0, true, 'tmpfs leaked onto the host');
		assert.equal(inNs('mountpoint', ['-q', dir]).status, 0);
		const init = inNs(BIN, ['init']);
		assert.equal(init.status, 0, init.stderr);
		await serve();

		token = await login(url, CITIZEN);
		let r = await upload(url, token, pdf('diskfull-0'));
		assert.equal(r.status, 201, r.text);
		file = r.json.id;
		r = await submit('full-k0', 'before');
		assert.equal(r.status, 201, r.text);
		k0 = r.json.id;
		okCases.push(k0);

		({ apiKey, grant } = await demoGrant(url, { keyName: '满盘测试系统', purpose: '最低生活保障审核：核对参保状态（满盘测试）' }));
		r = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
		assert.equal(r.status, 200, r.text);
	});

	after(async () => {
		if (server && alive()) {
			server.kill('SIGKILL');
			await waitExit(server, 5000);
		}
		if (holder) {
			holder.kill('SIGKILL'); /* the namespace and its tmpfs go with it */
			await waitExit(holder, 5000);
		}
		if (dir && !process.env.ZT_KEEP_DATA) rmSync(dir, { recursive: true, force: true });
	});

	it('refuses writes with 507 storage_full while full and keeps serving reads', async () => {
		const casesBefore = count('SELECT count(*) FROM cases');
		const filesBefore = count('SELECT count(*) FROM files');
		const accessBefore = count('SELECT count(*) FROM access_records');
		const auditBefore = count('SELECT count(*) FROM audit_log');

		// The next commit must grow the WAL: checkpoint it and cut it to 0 bytes.
		assert.deepEqual(sql('PRAGMA wal_checkpoint(TRUNCATE)')[0].busy, 0);
		inNs('sh', ['-c', 'dd if=/dev/zero of="$0/filler" bs=65536 2>/dev/null; sync', dir]);
		assert.equal(avail(), 0, 'the tmpfs is full');

		problem(await submit('full-1', 'while full'), 507, 'storage_full');
		refusedKeys.push('full-1');
		const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(`full-b${i}`, `burst ${i}`)));
		for (const r of burst) problem(r, 507, 'storage_full');
		refusedKeys.push(...burst.map((_, i) => `full-b${i}`));
		problem(await upload(url, token, pdf('diskfull-1')), 507, 'storage_full');
		assert.equal(inNs('find', [join(dir, 'tmp'), '-type', 'f']).stdout, '', 'tmp/ is empty');
		problem(await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey }), 507, 'storage_full');

		// Reads go on.
		await assertReadsGoOn(url, { token, caseId: k0, file, item: ITEM });
		assert.ok(alive(), 'the server is alive');
		assert.ok(!/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(log.text), log.text);

		// Nothing of a refused write is stored.
		assert.deepEqual(
			[
				count('SELECT count(*) FROM cases'),
				count('SELECT count(*) FROM files'),
				count('SELECT count(*) FROM access_records'),
				count('SELECT count(*) FROM audit_log'),
			],
			[casesBefore, filesBefore, accessBefore, auditBefore],
		);
	});

	it('accepts writes again when space returns, and survives a crash whole', async () => {
		assert.equal(inNs('rm', ['-f', join(dir, 'filler')]).status, 0);
		assert.ok(avail() > 1 << 20);

		// The writer is not wedged: a refused key now creates its case.
		let r = await submit('full-1', 'while full');
		assert.equal(r.status, 201, r.text);
		okCases.push(r.json.id);
		r = await submit('full-2', 'after');
		assert.equal(r.status, 201, r.text);
		okCases.push(r.json.id);
		r = await upload(url, token, pdf('diskfull-2'));
		assert.equal(r.status, 201, r.text);
		const file2 = r.json.id;
		r = await submit('full-3', 'after, new file', file2);
		assert.equal(r.status, 201, r.text);
		okCases.push(r.json.id);
		r = await api(url, 'GET', `/api/v1/exchange/${grant}/rows/${ROW_KEY}`, { token: apiKey });
		assert.equal(r.status, 200, r.text);

		// Crash and start again on the same tmpfs.
		server.kill('SIGKILL');
		await waitExit(server, 5000);
		await serve();
		r = await api(url, 'GET', `/api/v1/cases/${okCases.at(-1)}`, { token });
		assert.equal(r.status, 200, r.text);

		assert.deepEqual(sql('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
		assert.equal(sql('PRAGMA wal_checkpoint(TRUNCATE)')[0].busy, 0);
		const rows = sql(
			`SELECT c.id, c.idem_key,` +
				` (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'submit') AS ev,` +
				` (SELECT count(*) FROM case_materials m WHERE m.case_id = c.id) AS mat,` +
				` (SELECT count(*) FROM audit_log l WHERE l.action = 'case.submit' AND l.object_type = 'case'` +
				`   AND l.object_id = CAST(c.id AS TEXT)) AS aud` +
				` FROM cases c WHERE c.idem_key LIKE 'full-%' ORDER BY c.id`,
		);
		assert.deepEqual(
			rows.map((x) => [x.id, x.idem_key, x.ev, x.mat, x.aud]),
			okCases.map((id, i) => [id, ['full-k0', 'full-1', 'full-2', 'full-3'][i], 1, 1, 1]),
		);
		assert.equal(count(`SELECT count(*) FROM files WHERE hash = '${file2}'`), 1);
		// Two reads answered 200, each with its access record and audit record.
		assert.equal(
			count(
				`SELECT count(*) FROM access_records a JOIN audit_log l ON l.seq = a.audit_seq` +
					` AND l.action = 'share.access' WHERE a.grant_id = ${grant}`,
			),
			2,
		);
		const v = inNs(BIN, ['audit', 'verify']);
		assert.equal(v.status, 0, `audit verify: ${v.stdout}${v.stderr}`);
	});
});
