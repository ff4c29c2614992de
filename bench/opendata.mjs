// opendata.mjs - the open data portal on a 1,000,000-row dataset (issue 8):
//   * a filtered page of 100 rows: wrk on loopback, one connection (latency)
//     and 16 connections (throughput), for several filter shapes;
//   * the full CSV download (and JSON): rows per second, and the server's
//     resident memory sampled every 50 ms while it streams (it must stay
//     flat: the download is read in batches, never held whole).
//   ZT_BIN=build/zhengtong ROWS=1000000 node bench/opendata.mjs
//   tests/with-pg node bench/opendata.mjs          # on PostgreSQL
// Writes bench/results/opendata-<backend>.json. Loopback only; the node and
// its temporary data directory are removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode } from '../tests/api/lib/node.mjs';

const ROWS = Number(process.env.ROWS || 1000000);
const DURATION = process.env.DURATION || '10s';
const backend = process.env.ZT_TEST_PG ? 'postgresql' : 'sqlite';

/* The rate limit is a guard for the public, not for a benchmark. */
const node = await startNode({ env: { ZT_OPENDATA_RATE_ANON: '100000000' } });
let t0 = Date.now();
const made = await node.cliAsync(['demo', 'opendata', '--rows', String(ROWS), '--code', 'BENCH-OD']);
if (made.code !== 0) throw new Error(`demo opendata failed: ${made.stderr}`);
const publishSeconds = (Date.now() - t0) / 1000;
const id = Number(/dataset (\d+)/.exec(made.stdout)[1]);
console.log(`published ${ROWS} rows as dataset ${id} in ${publishSeconds.toFixed(1)} s`);

const rss = () => {
	const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.child.pid}/status`, 'utf8'));
	return Number(m[1]) * 1024;
};

/* wrk runs asynchronously: this process must keep reading the node's
 * stderr meanwhile, or the node blocks writing its log. */
async function wrk(path, connections) {
	const r = await new Promise((res) => {
		const c = spawn('wrk', ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', DURATION, '--latency', node.url + path]);
		let stdout = '',
			stderr = '';
		c.stdout.on('data', (d) => (stdout += d));
		c.stderr.on('data', (d) => (stderr += d));
		c.on('close', (status) => res({ status, stdout, stderr }));
	});
	if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
	const ms = (label) => {
		const m = new RegExp(`${label}%\\s+([0-9.]+)(us|ms|s)`).exec(r.stdout);
		return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : null;
	};
	const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
	return {
		connections,
		p50_ms: ms('50'),
		p90_ms: ms('90'),
		p99_ms: ms('99'),
		requests_per_second: Number(/Requests\/sec:\s+([0-9.]+)/.exec(r.stdout)[1]),
		errors: non2xx ? Number(non2xx[1]) : 0,
	};
}

const enc = encodeURIComponent;
const queries = {
	'street eq (1 in 10 rows)': `filter=${enc('street:eq:花果园街道')}`,
	'employees ge 490 and capital lt 5000': `filter=${enc('employees:ge:490')}&filter=${enc('capital:lt:5000')}`,
	'established in 3 days': `filter=${enc('established:in:2010-01-01|2011-02-03|2012-03-04')}`,
	'capital gt 9000 sorted by capital': `filter=${enc('capital:gt:9000')}&sort=capital`,
	'industry eq, sorted by -established, fields': `filter=${enc('industry:eq:制造业')}&sort=-established&fields=id,street,established`,
};
/* Every query's first page must be full: a benchmark of empty pages
 * measures nothing. */
const pages = {};
for (const [name, q] of Object.entries(queries)) {
	const res = await fetch(`${node.url}/api/v1/datasets/${id}/rows?limit=100&${q}`);
	const body = await res.json();
	if (res.status !== 200 || body.items.length !== 100) throw new Error(`${name}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
	pages[name] = {
		latency: await wrk(`/api/v1/datasets/${id}/rows?limit=100&${q}`, 1),
		throughput: await wrk(`/api/v1/datasets/${id}/rows?limit=100&${q}`, 16),
	};
	console.log(name, JSON.stringify(pages[name]));
}

/* curl fetches (a C client, so the client is not what is measured) into a
 * temporary file; wc counts the lines after. */
async function download(format) {
	const before = rss();
	let peak = before;
	const timer = setInterval(() => {
		peak = Math.max(peak, rss());
	}, 50);
	const file = join(tmpdir(), `zt-bench-opendata-${process.pid}.${format}`);
	const out = await new Promise((res) => {
		const c = spawn('curl', ['-s', '-o', file, '-w', '%{time_total} %{size_download} %{http_code}', `${node.url}/api/v1/datasets/${id}/download?format=${format}`]);
		let stdout = '';
		c.stdout.on('data', (d) => (stdout += d));
		c.on('close', () => res(stdout));
	});
	clearInterval(timer);
	const [seconds, bytes, code] = out.trim().split(' ').map(Number);
	const lines = Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.split(' ')[0]);
	unlinkSync(file);
	if (code !== 200) throw new Error(`${format}: HTTP ${code}`);
	/* CSV: a header line, then a line per row; JSON: "[", a line per row, "]". */
	const rows = format === 'csv' ? lines - 1 : lines - 2;
	if (rows !== ROWS) throw new Error(`${format}: ${rows} rows, ${ROWS} expected`);
	const result = {
		rows,
		bytes,
		seconds,
		rows_per_second: Math.round(rows / seconds),
		rss_before_bytes: before,
		rss_peak_bytes: peak,
		rss_growth_bytes: peak - before,
	};
	console.log(format, JSON.stringify(result));
	return result;
}
/* Twice each: the first warms the page cache, the second is reported. */
await download('csv');
const csv = await download('csv');
await download('json');
const json = await download('json');

const result = {
	backend,
	rows: ROWS,
	publish_seconds: publishSeconds,
	filtered_page_of_100: pages,
	download_csv: csv,
	download_json: json,
	machine: `${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores`,
	/* other work on the machine during the run skews every figure */
	load_average_1_5_15_min: loadavg().map((x) => Math.round(x * 100) / 100),
	date: new Date().toISOString(),
};
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'results', `opendata-${backend}.json`), JSON.stringify(result, null, 2) + '\n');
await node.stop();
process.exit(0);
