// soak.mjs - the soak of issue 9 (bench/, not CI): DURATION (default 600 s) of
// mixed traffic at CONNECTIONS (default 256) connections against one node
// (wrk with bench/soak.lua: catalog search, open data rows, case reads, case
// submissions, exchange reads), recording the server's resident memory every
// SAMPLE seconds (default 5).
//   ZT_BIN=build/zhengtong node bench/soak.mjs               # SQLite, 10 min
//   DURATION=60 ZT_BIN=build/zhengtong node bench/soak.mjs   # shorter
//   tests/with-pg env ZT_BIN=build/zhengtong node bench/soak.mjs   # PostgreSQL
// Writes bench/results/soak-<backend>.json: the RSS curve, request counts by
// status, the errors, and two verdicts:
//   errors: zero non-2xx answers and zero socket errors (the open data rate
//     limit is off, ZT_OPENDATA_RATE_ANON=0, and the grant's limit is far above
//     the run, so no 429 is expected either);
//   memory flat: the mean RSS of the last minute within FLAT_PCT (default 5)
//     percent of the mean RSS of minute 2 (minute 1 is warm-up: caches, pools,
//     thread stacks). With DURATION < 180 the windows are the second and the
//     last sixth of the run.
// After the run every submission answered 201 must be a case of this run's
// key prefix (at most the unanswered ones more): `durable` (access records
// added are reported beside it). Exits 1 when a verdict fails. Loopback
// only; the node and its data directory are removed at the end.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, idCheckChar, login, pdf, startNode, upload } from '../tests/api/lib/node.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DURATION = Number(process.env.DURATION || 600);
const CONNECTIONS = Number(process.env.CONNECTIONS || 256);
const THREADS = Number(process.env.WRK_THREADS || 4);
const SAMPLE = Number(process.env.SAMPLE || 5);
const FLAT_PCT = Number(process.env.FLAT_PCT || 5);
const ROWS = Number(process.env.ROWS || 100000); /* open data rows */
const KEYS = 5000; /* exchange row keys */
const backend = process.env.ZT_TEST_PG ? 'postgresql' : 'sqlite';
const log = (s) => console.error(`soak: ${s}`);

const node = await startNode({
	env: { ZT_OPENDATA_RATE_ANON: '0', ZT_LOG_LEVEL: 'warn', ZT_ACCESS_LOG: '', ...(process.env.ZT_THREADS ? { ZT_THREADS: process.env.ZT_THREADS } : {}) },
});
try {
	// Open data: a generated dataset.
	const made = await node.cliAsync(['demo', 'opendata', '--rows', String(ROWS), '--code', 'SOAK-OD']);
	if (made.code !== 0) throw new Error(`demo opendata failed: ${made.stderr}`);
	const dataset = Number(/dataset (\d+)/.exec(made.stdout)[1]);

	// Exchange: KEYS insured persons in the demo resource, an API key and a grant.
	const keys = [];
	for (let i = 0; keys.length < KEYS; i++) {
		const d = new Date(Date.UTC(1950, 0, 1 + Math.floor(i / 100)));
		const f17 = `520103${d.toISOString().slice(0, 10).replace(/-/g, '')}${String((i % 100) + 1).padStart(3, '0')}`;
		keys.push(f17 + idCheckChar(f17));
	}
	const csv = join(node.dataDir, 'soak-rows.csv');
	writeFileSync(csv, 'id_number,name,phone,insured,employer,since\n' + keys.map((k, i) => `${k},测试${i},139${String(i).padStart(8, '0')},参保缴费,南明区第${i % 97}企业,2015-01`).join('\n') + '\n');
	const imp = await node.cliAsync(['resource', 'import', '520102-RS-001', csv]);
	if (imp.code !== 0) throw new Error(`resource import failed: ${imp.stderr}`);
	const keysFile = join(node.dataDir, 'soak-keys.txt');
	writeFileSync(keysFile, keys.join('\n') + '\n');
	const mz = await login(node.url, 'mz.data');
	let r = await api(node.url, 'POST', '/api/v1/api-keys', { token: mz, json: { name: '浸泡测试系统' } });
	if (r.status !== 201) throw new Error(`api key: ${r.status} ${r.text}`);
	const apiKey = r.json.key;
	r = await api(node.url, 'POST', '/api/v1/share-requests', {
		token: mz,
		json: {
			resource: '520102-RS-001',
			fields: ['id_number', 'name', 'insured', 'employer'],
			purpose: '最低生活保障审核：核对参保状态（浸泡测试）',
			legal_basis: '《社会救助暂行办法》第十一条',
			valid_to: '2099-12-31',
			rate_limit: 1000000,
		},
	});
	if (r.status !== 201) throw new Error(`share request: ${r.status} ${r.text}`);
	const grant = r.json.grant_id;

	// Citizen: a file and a few cases to read.
	const token = await login(node.url, '520102199003071236');
	r = await upload(node.url, token, pdf('soak'));
	if (r.status !== 201) throw new Error(`upload: ${r.status} ${r.text}`);
	const file = r.json.id;
	const cases = [];
	for (let i = 0; i < 20; i++) {
		r = await api(node.url, 'POST', '/api/v1/cases', {
			token,
			json: { item_code: '520102-RS-GG-002', form: { reason: `浸泡 ${i}` }, materials: [{ seq: 1, name: '身份证明', file }] },
		});
		if (r.status !== 201) throw new Error(`submission: ${r.status} ${r.text}`);
		cases.push(r.json.id);
	}
	const runId = String(Date.now());
	const accessBefore = node.count('SELECT count(*) AS n FROM access_records');
	log(`${backend}: dataset ${dataset} (${ROWS} rows), grant ${grant}, ${KEYS} keys; ${DURATION} s at ${CONNECTIONS} connections`);

	const pid = node.child.pid;
	const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
	const threadsOf = () => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
	const fds = () => readdirSync(`/proc/${pid}/fd`).length;
	const curve = [{ t: 0, rss: rss(), threads: threadsOf(), fds: fds() }];
	const t0 = Date.now();
	const timer = setInterval(() => {
		try {
			curve.push({ t: Math.round((Date.now() - t0) / 1000), rss: rss(), threads: threadsOf(), fds: fds() });
		} catch {
			/* the server is gone: the run will say so */
		}
	}, SAMPLE * 1000);

	const wrk = await new Promise((res) => {
		const c = spawn(
			'wrk',
			['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${DURATION}s`, '--timeout', '10s', '-s', join(HERE, 'soak.lua'), node.url],
			{
				env: {
					...process.env,
					BENCH_NAME: 'soak',
					SOAK_TOKEN: token,
					SOAK_FILE_ID: file,
					SOAK_CASES: cases.join(','),
					SOAK_API_KEY: apiKey,
					SOAK_GRANT: String(grant),
					SOAK_KEYS: keysFile,
					SOAK_DATASET: String(dataset),
					SOAK_RUN_ID: runId,
				},
			},
		);
		let stdout = '',
			stderr = '';
		c.stdout.on('data', (d) => (stdout += d));
		c.stderr.on('data', (d) => (stderr += d));
		c.on('close', (status) => res({ status, stdout, stderr }));
	});
	clearInterval(timer);
	curve.push({ t: Math.round((Date.now() - t0) / 1000), rss: rss(), threads: threadsOf(), fds: fds() });
	if (wrk.status !== 0) throw new Error(`wrk failed (${wrk.status}): ${wrk.stderr}`);
	const m = /BENCH_JSON (.*)/.exec(wrk.stdout);
	if (!m) throw new Error(`no BENCH_JSON in wrk output:\n${wrk.stdout}`);
	const w = JSON.parse(m[1]);
	const alive = node.child && node.child.exitCode === null;

	// Memory: minute 2 against the last minute (or the 2nd and last sixth).
	const mean = (a) => a.reduce((s, x) => s + x.rss, 0) / Math.max(a.length, 1);
	const [w2, wl] = DURATION >= 180 ? [[60, 120], [DURATION - 60, DURATION + 1e9]] : [[DURATION / 6, DURATION / 3], [(DURATION * 5) / 6, DURATION + 1e9]];
	const early = mean(curve.filter((x) => x.t >= w2[0] && x.t < w2[1]));
	const late = mean(curve.filter((x) => x.t >= wl[0] && x.t < wl[1]));
	const growthPct = ((late - early) / early) * 100;

	// Durability of the 2xx writes (the node still runs; nothing in flight).
	const submitted = node.count(`SELECT count(*) AS n FROM cases WHERE idem_key LIKE 'soak-${runId}-%'`);
	const accessAdded = node.count('SELECT count(*) AS n FROM access_records') - accessBefore;

	const socketErrors = Object.values(w.socket_errors).reduce((a, b) => a + b, 0);
	const result = {
		backend,
		date: new Date().toISOString(),
		duration_s: DURATION,
		connections: CONNECTIONS,
		wrk_threads: THREADS,
		server_threads: node.env.ZT_THREADS,
		mix: { search: 30, opendata_rows: 25, case_read: 20, exchange_read: 15, submission: 10 },
		opendata_rows: ROWS,
		requests: w.requests,
		rps: w.rps,
		latency_ms: w.latency_ms,
		status: w.status,
		non_2xx: w.non_2xx,
		socket_errors: w.socket_errors,
		unanswered: w.unanswered,
		server_alive: alive,
		/* 201 comes only from submissions: each must be a case; requests in
		 * flight when wrk stopped may have been committed too. */
		durable: {
			cases_added: submitted,
			submissions_201: w.status['201'] ?? 0,
			access_records_added: accessAdded,
			ok: submitted >= (w.status['201'] ?? 0) && submitted <= (w.status['201'] ?? 0) + (w.unanswered ?? 0),
		},
		rss_sample_s: SAMPLE,
		rss_mib: curve.map((x) => ({ t: x.t, rss_mib: +(x.rss / 1048576).toFixed(1), threads: x.threads, fds: x.fds })),
		memory: {
			window_early_s: w2,
			window_late_s: [wl[0], DURATION],
			early_mib: +(early / 1048576).toFixed(1),
			late_mib: +(late / 1048576).toFixed(1),
			growth_pct: +growthPct.toFixed(2),
			limit_pct: FLAT_PCT,
			flat: Math.abs(growthPct) <= FLAT_PCT,
		},
		errors_ok: w.non_2xx === 0 && socketErrors === 0 && alive,
	};
	const out = join(HERE, 'results', `soak-${backend}.json`);
	writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
	log(
		`${w.requests} requests, ${w.rps.toFixed(0)} req/s, p99 ${w.latency_ms.p99} ms, non-2xx ${w.non_2xx}, socket errors ${socketErrors}; ` +
			`RSS ${result.memory.early_mib} -> ${result.memory.late_mib} MiB (${result.memory.growth_pct} %), ` +
			`cases +${submitted}, access records +${accessAdded} -> ${out}`,
	);
	await node.stop();
	if (!result.errors_ok || !result.memory.flat || !result.durable.ok) process.exit(1);
} catch (e) {
	console.error(e);
	await node.stop('SIGKILL').catch(() => {});
	process.exit(2);
}
