/*
 * cluster.test.mjs - scale-out: two app processes on one PostgreSQL behind nginx.
 *
 * Test plan (run by tests/cluster/run, which provides ZT_TEST_PG):
 *   Setup: a fresh database; `zhengtong init` (demo data) at T0 = Mon
 *   2026-03-02 09:00 +08:00; processes A and B (`zhengtong serve`, same ZT_DB,
 *   same ZT_DATA_DIR, fixed loopback ports, ZT_SLA_INTERVAL=1, clock pinned
 *   at T0); nginx from deploy/nginx/zhengtong.conf (TLS with a throw-away
 *   self-signed certificate, upstream = A and B, round robin) on free
 *   loopback ports.
 *   1. nginx: HTTP redirects to HTTPS; 20 GET /healthz through HTTPS are all
 *      200 and both A and B answered some of them (their access logs).
 *   2. Sessions are shared: a login through nginx gives a token that works on
 *      A and on B directly (GET /api/v1/me, same user); logging out on A
 *      makes it 401 on B too.
 *   3. Shared upload directory: a citizen uploads two PDFs to A; B serves the
 *      same bytes; B accepts a case whose materials are those files; the
 *      clerk of the department reads them through A and through nginx.
 *   4. 200 concurrent case submissions through nginx from 4 citizens: all
 *      201 with distinct ids and case numbers, exactly 200 new rows in cases,
 *      200 new case.submit audit records, both processes served some (their
 *      access logs add up to 200), `zhengtong audit verify` passes and
 *      audit_log.seq is 1..N without a gap, with audit_head at N.
 *   5. (regression) The same Idempotency-Key sent to A and B at once yields one case
 *      and 2xx answers only (PostgreSQL's unique violation must not leak).
 *   6. Sign-in throttling counts failures across processes: after 5
 *      failures (3 on A, 2 on B) the next attempt on B is 429.
 *   7. (regression) Two processes started at once on a new, empty database both
 *      start (each applies pending migrations at start).
 *   8. (regression) 30 fresh starts with ZT_SLA_INTERVAL=1: each finishes its
 *      start-up check and answers its first write (a start-up race: setup
 *      and step 9 retry such a start, counted as startupRaceHits).
 *   9. SLA: A and B restart at once with the clock at TL (after every
 *      deadline), each sweeping at start and every second; within 20 s every
 *      open, unpaused case due before TL has exactly one 'overdue'
 *      supervision item and one 'escalate' event, and no other case has one;
 *      two `zhengtong sla sweep` runs and 3 more seconds of sweeps by both
 *      change nothing; the escalations reported by the processes' logs and
 *      the CLI runs add up to exactly that number (one sweep at a time: no
 *      double work, no failed sweep); the demo complaint's item (the only
 *      supervision item at T0, due 03-09) is raised to the region above
 *      exactly once, reported once; the audit chain verifies.
 *  10. A is killed (SIGKILL) in the middle of 300 GET requests through nginx
 *      (16 at a time): all 300 are 200; afterwards 10 submissions through
 *      nginx are 201, all served by B; the chain still verifies and stays
 *      contiguous.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { waitSigned } from '../lib/audit.mjs';
import {
	DEMO_PASSWORD,
	REPO,
	accessLines,
	cli,
	cliAsync,
	closeAgents,
	createDatabase,
	freePort,
	killAll,
	login,
	makeCert,
	newCitizen,
	nginxConfigFrom,
	pdf,
	pgCount,
	pgRows,
	request,
	serve,
	SHIPPED_NGINX,
	sleep,
	startNginx,
	started,
	tempDir,
	waitFor,
} from './lib.mjs';

const T0 = '2026-03-02T09:00:00+08:00';
const TL = '2026-03-30T10:00:00+08:00';
const ZHANG_WEI = '520102199003071236';
const ITEM = '520102-RS-GF-001'; /* 失业保险金申领: two PDF materials */

describe('two app processes on one PostgreSQL behind nginx', { timeout: 600000 }, () => {
	let db, dataDir, env, A, B, nginx, base, ca, httpBase;
	const t = {}; /* timings, printed at the end */

	const viaNginx = (method, path, opts = {}) => request(base, method, path, { ca, ...opts });
	const direct = (proc, method, path, opts = {}) => request(proc.url, method, path, opts);
	const verify = () => cli(['audit', 'verify'], env);
	const sql = (q) => pgRows(db, q);
	const count = (q) => pgCount(db, q);
	const signed = () => waitSigned(count);

	function chainContiguous() {
		const r = sql('SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n, (SELECT seq FROM audit_head WHERE id = 1) AS head FROM audit_log')[0];
		assert.equal(Number(r.lo), 1, 'audit_log starts at seq 1');
		assert.equal(Number(r.n), Number(r.hi), `audit_log has ${r.n} rows for seq 1..${r.hi}: a gap or a duplicate`);
		assert.equal(Number(r.head), Number(r.hi), 'audit_head points at the last record');
		return Number(r.hi);
	}

	/*
	 * Starts an app process and waits until it has finished starting (the
	 * demo account list follows the start-up check that reads the database
	 * on the write connection), then probes one write (a sign-in). A process
	 * whose check failed or whose first write does not answer in 5 s hit the
	 * start-up race the regression test below guards: it is killed and started
	 * again (at most 3 times), and the incident is counted in the timings
	 * line, so that the scale-out checks do not depend on that bug.
	 */
	async function startApp(name, penv) {
		for (let attempt = 1; ; attempt++) {
			const p = await serve(name, penv);
			const demo = await started(p);
			const probe = await request(p.url, 'POST', '/api/v1/auth/login', {
				json: { login: 'rs.reviewer', password: DEMO_PASSWORD },
				timeout: 5000,
				agent: false,
			}).catch((e) => ({ status: 0, text: e.message }));
			if (probe.status === 200 && demo) return p;
			t.startupRaceHits = (t.startupRaceHits || 0) + 1;
			console.log(`# ${name}: broken start (demo check ${demo ? 'ok' : 'failed'}, first write ${probe.status} ${probe.text.slice(0, 120)}); log:\n${p.log().slice(0, 1500)}`);
			await p.stop('SIGKILL');
			if (attempt === 3) throw new Error(`${name}: no working start in 3 attempts`);
		}
	}

	async function submit(token, files, opts = {}) {
		return viaNginx('POST', '/api/v1/cases', {
			token,
			json: {
				item_code: ITEM,
				materials: [
					{ seq: 1, name: '身份证明.pdf', file: files[0] },
					{ seq: 2, name: '解除劳动关系证明.pdf', file: files[1] },
				],
			},
			...opts,
		});
	}

	async function uploadTwo(target, token, tag) {
		const ids = [];
		for (const i of [1, 2]) {
			const r = await request(target, 'POST', '/api/v1/files', {
				token,
				body: pdf(`${tag} ${i}`),
				headers: { 'Content-Type': 'application/pdf' },
				ca,
			});
			assert.equal(r.status, 201, r.text);
			ids.push(r.json.id);
		}
		return ids;
	}

	before(async () => {
		const t0 = Date.now();
		db = createDatabase('cluster');
		dataDir = tempDir('cl4-data-');
		const [portA, portB] = [await freePort(), await freePort()];
		env = {
			ZT_DB: db,
			ZT_DATA_DIR: dataDir,
			ZT_CALENDAR_DIR: join(REPO, 'calendar'),
			ZT_WEB_DIR: join(REPO, 'web'),
			ZT_THREADS: '8',
			ZT_SLA_INTERVAL: '1',
			ZT_NOW: T0,
		};
		const init = cli(['init'], env);
		assert.equal(init.code, 0, init.stderr);
		[A, B] = await Promise.all([
			startApp('A', { ...env, ZT_LISTEN: `127.0.0.1:${portA}` }),
			startApp('B', { ...env, ZT_LISTEN: `127.0.0.1:${portB}` }),
		]);
		const prefix = tempDir('cl4-nginx-');
		const cert = makeCert(prefix);
		ca = cert.pem;
		const [httpPort, httpsPort] = [await freePort(), await freePort()];
		const conf = nginxConfigFrom(readFileSync(SHIPPED_NGINX, 'utf8'), {
			prefix,
			httpPort,
			httpsPort,
			cert: cert.cert,
			key: cert.key,
			servers: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`],
		});
		nginx = await startNginx(prefix, conf, [httpPort, httpsPort]);
		base = `https://127.0.0.1:${httpsPort}`;
		httpBase = `http://127.0.0.1:${httpPort}`;
		t.setup = Date.now() - t0;
	});

	after(async () => {
		closeAgents();
		try {
			await nginx?.stop();
			await Promise.all([A?.stop(), B?.stop()]);
		} finally {
			killAll();
			console.log(`timings (ms): ${JSON.stringify(t)}`);
		}
	});

	it('terminates TLS and spreads requests over both processes', async () => {
		const red = await request(httpBase, 'GET', '/api/v1/me?x=1');
		assert.equal(red.status, 301);
		assert.equal(red.headers.location, 'https://127.0.0.1/api/v1/me?x=1');
		const before = [accessLines(A, 'healthz').length, accessLines(B, 'healthz').length];
		for (let i = 0; i < 20; i++) {
			const r = await viaNginx('GET', '/healthz');
			assert.equal(r.status, 200, r.text);
			assert.equal(r.tls, 'TLSv1.3');
		}
		/* The access log reaches us through a pipe: let it catch up. */
		const counted = () => accessLines(A, 'healthz').length - before[0] + accessLines(B, 'healthz').length - before[1];
		await waitFor('20 healthz lines in the access logs', () => counted() >= 20, 5000, 20).catch(() => {});
		const a = accessLines(A, 'healthz').length - before[0];
		const b = accessLines(B, 'healthz').length - before[1];
		assert.equal(a + b, 20);
		assert.ok(a >= 5 && b >= 5, `round robin: A answered ${a}, B ${b} of 20`);
	});

	it('shares sessions: a token from nginx works on both processes', async () => {
		const token = await login(base, 'rs.clerk', { ca });
		const ma = await direct(A, 'GET', '/api/v1/me', { token });
		const mb = await direct(B, 'GET', '/api/v1/me', { token });
		assert.equal(ma.status, 200, ma.text);
		assert.equal(mb.status, 200, mb.text);
		assert.equal(ma.json.login, 'rs.clerk');
		assert.deepEqual(mb.json, ma.json);
		const out = await direct(A, 'POST', '/api/v1/auth/logout', { token, json: {} });
		assert.ok(out.status >= 200 && out.status < 300, out.text);
		const gone = await direct(B, 'GET', '/api/v1/me', { token });
		assert.equal(gone.status, 401, 'a session closed on A is closed on B');
	});

	it('shares the upload directory: a file uploaded to A is read and used on B', async () => {
		const cit = await login(A.url, ZHANG_WEI);
		const files = await uploadTwo(A.url, cit, 'shared upload');
		const want = pdf('shared upload 1');
		const st = statSync(join(dataDir, 'files', files[0].slice(0, 2), files[0]));
		assert.equal(st.size, want.length);
		const got = await direct(B, 'GET', `/api/v1/files/${files[0]}`, { token: cit });
		assert.equal(got.status, 200, got.text);
		assert.ok(got.bytes.equals(want), 'B serves the bytes uploaded to A');
		const c = await request(B.url, 'POST', '/api/v1/cases', {
			token: cit,
			json: {
				item_code: ITEM,
				materials: [
					{ seq: 1, name: '身份证明.pdf', file: files[0] },
					{ seq: 2, name: '解除劳动关系证明.pdf', file: files[1] },
				],
			},
		});
		assert.equal(c.status, 201, c.text);
		const clerk = await login(B.url, 'rs.clerk');
		for (const target of [A.url, base]) {
			const r = await request(target, 'GET', `/api/v1/files/${files[1]}`, { token: clerk, ca });
			assert.equal(r.status, 200, `${target}: ${r.text}`);
			assert.ok(r.bytes.equals(pdf('shared upload 2')));
		}
	});

	it('takes 200 concurrent submissions through nginx: 200 rows, one intact audit chain', async () => {
		const citizens = [];
		for (let i = 0; i < 4; i++) {
			const c = await newCitizen(base, { seq: 401 + i, name: `并发市民${i}`, ca });
			c.files = await uploadTwo(base, c.token, `load ${i}`);
			citizens.push(c);
		}
		const cases0 = count('SELECT count(*) FROM cases');
		const audit0 = count("SELECT count(*) FROM audit_log WHERE action = 'case.submit'");
		const served0 = [A, B].map((p) => accessLines(p, 'cases.submit').filter((l) => l.status === 201).length);
		const t0 = Date.now();
		const rs = await Promise.all(
			Array.from({ length: 200 }, (_, i) => {
				const c = citizens[i % citizens.length];
				return submit(c.token, c.files);
			}),
		);
		t.submit200 = Date.now() - t0;
		const bad = rs.filter((r) => r.status !== 201);
		assert.deepEqual(bad.map((r) => `${r.status} ${r.text}`), [], 'every submission is 201');
		assert.equal(new Set(rs.map((r) => r.json.id)).size, 200, 'distinct case ids');
		assert.equal(new Set(rs.map((r) => r.json.case_no)).size, 200, 'distinct case numbers');
		assert.equal(count('SELECT count(*) FROM cases') - cases0, 200);
		assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'case.submit'") - audit0, 200);
		const servedNow = () => [A, B].map((p, k) => accessLines(p, 'cases.submit').filter((l) => l.status === 201).length - served0[k]);
		await waitFor('200 submissions in the access logs', () => servedNow()[0] + servedNow()[1] >= 200, 5000, 20).catch(() => {});
		const served = servedNow();
		assert.equal(served[0] + served[1], 200);
		assert.ok(served[0] > 0 && served[1] > 0, `both processes wrote: A ${served[0]}, B ${served[1]}`);
		t.submitSplit = served.join('/');
		await signed();
		const t1 = Date.now();
		const v = verify();
		t.auditVerify = Date.now() - t1;
		assert.equal(v.code, 0, v.stdout + v.stderr);
		const hi = chainContiguous();
		assert.match(v.stdout, new RegExp(`^audit chain intact: ${hi} records verified\nsigned by node key [0-9a-f]{16} up to record ${hi}\n$`));
	});

	it(
		'answers one case for one Idempotency-Key sent to both processes at once',
		{} /* regression (fixed): two processes race on UNIQUE (applicant_id, idem_key): the loser gets 409 with PostgreSQL\'s error text */,
		async () => {
			const cit = await login(A.url, ZHANG_WEI);
			const files = await uploadTwo(A.url, cit, 'idempotent');
			const cases0 = count('SELECT count(*) FROM cases');
			const outcomes = [];
			for (let round = 0; round < 5; round++) {
				const key = `cluster-idem-${process.pid}-${round}`;
				const body = {
					item_code: ITEM,
					materials: [
						{ seq: 1, name: '身份证明.pdf', file: files[0] },
						{ seq: 2, name: '解除劳动关系证明.pdf', file: files[1] },
					],
				};
				const rs = await Promise.all(
					[A, B, A, B].map((p) => direct(p, 'POST', '/api/v1/cases', { token: cit, json: body, headers: { 'Idempotency-Key': key } })),
				);
				outcomes.push(rs.map((r) => `${r.status}${r.status >= 300 ? ` ${r.text.slice(0, 160)}` : ''}`));
				assert.equal(new Set(rs.filter((r) => r.json?.id).map((r) => r.json.id)).size, 1);
			}
			assert.equal(count('SELECT count(*) FROM cases') - cases0, 5, 'one case per key');
			for (const o of outcomes) assert.ok(o.every((s) => /^20[01]/.test(s)), `answers: ${JSON.stringify(outcomes)}`);
		},
	);

	it(
		'throttles sign-in failures across processes',
		async () => {
			/* 5 failures (= login_max_failures), 3 on A and 2 on B: the next
			 * attempt is refused (429) wherever it lands, also on B, which
			 * saw only 2 of them itself. */
			const name = 'mz.clerk';
			for (const p of [A, B, A, B, A]) {
				const r = await direct(p, 'POST', '/api/v1/auth/login', { json: { login: name, password: 'wrong-password-1' } });
				assert.equal(r.status, 401, r.text);
			}
			const next = await direct(B, 'POST', '/api/v1/auth/login', { json: { login: name, password: 'wrong-password-1' } });
			assert.equal(next.status, 429, `6th attempt, on B: ${next.status} ${next.text}`);
		},
	);

	it(
		'starts two processes at once on a new database (migrations race)',
		{} /* regression (fixed): migrations are not serialized between processes: the second runs CREATE TABLE concurrently and exits (duplicate key "pg_type_typname_nsp_index") */,
		async () => {
			const fresh = createDatabase('fresh');
			const dir = tempDir('cl4-fresh-');
			const penv = { ZT_DB: fresh, ZT_DATA_DIR: dir, ZT_CALENDAR_DIR: join(REPO, 'calendar'), ZT_SLA_INTERVAL: '0', ZT_THREADS: '2' };
			const rs = await Promise.allSettled([serve('M1', penv), serve('M2', penv)]);
			for (const r of rs) if (r.status === 'fulfilled') await r.value.stop('SIGKILL');
			const failed = rs.filter((r) => r.status === 'rejected').map((r) => r.reason.message.slice(0, 300));
			assert.deepEqual(failed, []);
		},
	);

	it(
		'answers the first write of a freshly started process (SLA sweep on)',
		{} /* regression (fixed): start-up race: `serve` reads node_meta on the write connection (demo_present) while the writer thread runs the first SLA sweep on it (src/cli/cli.c) */,
		async () => {
			const hits = [];
			for (let i = 0; i < 30; i++) {
				const p = await serve(`R${i}`, { ...env, ZT_THREADS: '2' });
				try {
					const demo = await started(p);
					const r = await request(p.url, 'POST', '/api/v1/auth/login', {
						json: { login: 'rs.reviewer', password: DEMO_PASSWORD },
						timeout: 5000,
						agent: false,
					}).catch((e) => ({ status: 0, text: e.message }));
					if (r.status !== 200 || !demo) {
						const errors = p.log().split('\n').filter((l) => / error /.test(l));
						hits.push(`start ${i}: demo check ${demo ? 'ok' : 'FAILED'}, first write ${r.status} ${r.text.slice(0, 80)} | ${errors.join(' | ').slice(0, 400)}`);
					}
				} finally {
					await p.stop('SIGKILL');
				}
			}
			assert.deepEqual(hits, [], `${hits.length} of 30 starts lost their write connection`);
		},
	);

	it('escalates each overdue case exactly once with both processes sweeping', async () => {
		const tl = Math.floor(Date.parse(TL) / 1000);
		const due = sql(
			`SELECT id FROM cases WHERE phase <> 'closed' AND paused_on IS NULL AND due_at < ${tl} ORDER BY id`,
		).map((r) => Number(r.id));
		assert.ok(due.length >= 200, `${due.length} cases are overdue at TL`);
		assert.deepEqual(
			sql('SELECT kind FROM supervision_items'),
			[{ kind: 'complaint' }],
			'nothing escalated at T0 (the demo complaint only, due 03-09)',
		);
		const events0 = count("SELECT count(*) FROM case_events WHERE action = 'escalate'");
		assert.equal(events0, 0);

		await Promise.all([A.stop(), B.stop()]);
		const t0 = Date.now();
		const tlEnv = { ...env, ZT_NOW: TL };
		/* Both start at once: each sweeps at start and then every second. */
		[A, B] = await Promise.all([
			startApp('A', { ...tlEnv, ZT_LISTEN: `127.0.0.1:${A.port}` }),
			startApp('B', { ...tlEnv, ZT_LISTEN: `127.0.0.1:${B.port}` }),
		]);
		await waitFor('every overdue case escalated', () => count("SELECT count(*) FROM supervision_items WHERE kind = 'overdue'") >= due.length, 20000, 200);
		t.slaEscalate = Date.now() - t0;
		/* Two CLI sweeps race with the processes' next sweeps. */
		const cliRuns = await Promise.all([cliAsync(['sla', 'sweep'], tlEnv), cliAsync(['sla', 'sweep'], tlEnv)]);
		for (const r of cliRuns) assert.equal(r.code, 0, r.stderr);
		await sleep(3000); /* both processes sweep again meanwhile */

		const items = sql("SELECT case_id, count(*) AS n FROM supervision_items WHERE kind = 'overdue' GROUP BY case_id ORDER BY case_id");
		assert.deepEqual(items.map((r) => Number(r.case_id)), due, 'exactly the overdue cases are escalated');
		assert.deepEqual(items.filter((r) => Number(r.n) !== 1), [], 'one supervision item per case');
		const ev = sql("SELECT case_id, count(*) AS n FROM case_events WHERE action = 'escalate' GROUP BY case_id ORDER BY case_id");
		assert.deepEqual(ev.map((r) => Number(r.case_id)), due);
		assert.deepEqual(ev.filter((r) => Number(r.n) !== 1), [], 'one escalate event per case');

		const reported = (p) => [...p.log().matchAll(/sla sweep: (\d+) overdue case\(s\) and \d+ overdue share request\(s\) escalated/g)].reduce((s, m) => s + Number(m[1]), 0);
		const cliLine = /^escalated (\d+) overdue case\(s\)\n(?:escalated (\d+) overdue supervision item\(s\) to the region above\n)?$/;
		const byCli = cliRuns.map((r) => Number(cliLine.exec(r.stdout)?.[1] ?? NaN));
		const total = reported(A) + reported(B) + byCli[0] + byCli[1];
		t.slaSplit = `A ${reported(A)} / B ${reported(B)} / cli ${byCli.join('+')}`;
		assert.equal(total, due.length, `escalations reported: ${t.slaSplit}`);
		/* The demo complaint, overdue at TL, is raised to 贵阳 exactly once. */
		assert.equal(count("SELECT count(*) FROM supervision_items WHERE kind = 'escalated'"), 1);
		const raised = (p) => [...p.log().matchAll(/sla sweep: (\d+) overdue supervision item\(s\) escalated/g)].reduce((s, m) => s + Number(m[1]), 0);
		const raisedByCli = cliRuns.reduce((s, r) => s + Number(cliLine.exec(r.stdout)?.[2] ?? 0), 0);
		assert.equal(raised(A) + raised(B) + raisedByCli, 1, 'one escalation reported');
		for (const p of [A, B]) assert.doesNotMatch(p.log(), /sla sweep failed/, `${p.name}: ${p.log().slice(-1500)}`);
		const v = verify();
		assert.equal(v.code, 0, v.stdout + v.stderr);
		chainContiguous();
	});

	it('keeps serving through B when A is killed (SIGKILL)', async () => {
		const clerk = await login(base, 'rs.clerk', { ca });
		const cit = await login(base, ZHANG_WEI, { ca });
		const files = await uploadTwo(base, cit, 'after kill');
		let done = 0;
		let killedAt = -1;
		const statuses = [];
		const queue = Array.from({ length: 300 }, (_, i) => i);
		const t0 = Date.now();
		const worker = async () => {
			while (queue.length) {
				queue.shift();
				const r = await viaNginx('GET', '/api/v1/me', { token: clerk }).catch((e) => ({ status: `error ${e.message}` }));
				statuses.push(r.status);
				if (++done === 50) {
					killedAt = done;
					A.child.kill('SIGKILL');
				}
			}
		};
		await Promise.all(Array.from({ length: 16 }, worker));
		t.get300WithKill = Date.now() - t0;
		assert.equal(killedAt, 50);
		assert.equal(A.child.signalCode, 'SIGKILL', 'A is dead');
		const notOk = statuses.filter((s) => s !== 200);
		assert.deepEqual(notOk, [], `all 300 GETs are 200 (${notOk.length} were not)`);

		const servedB0 = accessLines(B, 'cases.submit').filter((l) => l.status === 201).length;
		for (let i = 0; i < 10; i++) {
			const r = await submit(cit, files);
			assert.equal(r.status, 201, r.text);
		}
		const servedB = () => accessLines(B, 'cases.submit').filter((l) => l.status === 201).length - servedB0;
		await waitFor('10 submissions in B\'s access log', () => servedB() >= 10, 5000, 20).catch(() => {});
		assert.equal(servedB(), 10, 'B took them all');
		const v = verify();
		assert.equal(v.code, 0, v.stdout + v.stderr);
		chainContiguous();
	});
});
