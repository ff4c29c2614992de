// node.mjs - helpers for the black-box API tests: start a real node (init +
// serve on a loopback port 0) in a fresh temporary data directory, talk to it
// over HTTP, run its CLI against the same data, and read its database.
//
// Every child process is killed when the test process exits, and every data
// directory is removed (set ZT_KEEP_DATA=1 to keep them for debugging).

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { waitSigned } from '../../lib/audit.mjs';
import { childEnv, spawnCollect, waitExit } from '../../lib/spawn.mjs';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_PASSWORD = 'Zhengtong@2026';
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = process.env.ZT_BIN || join(REPO, 'build', 'zhengtong');

const children = new Set();
const dirs = new Set();
const databases = new Set();

/* ZT_TEST_PG=postgres://user@127.0.0.1:PORT runs every node on PostgreSQL:
 * each node gets a fresh database there, dropped when the tests end. */
const PG = process.env.ZT_TEST_PG || '';

function psql(db, args) {
	const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${PG}/${db}`, ...args], {
		encoding: 'utf8',
		timeout: 20000,
		maxBuffer: 64 << 20,
	});
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
	return r.stdout;
}

/* Rows as sqlite3 -json gives them: booleans as 1/0. */
function pgRows(db, query) {
	if (!/^\s*(select|with)\b/i.test(query)) {
		psql(db, ['-c', query]);
		return [];
	}
	const out = psql(db, ['-At', '-c', `SELECT coalesce(json_agg(t), '[]') FROM (${query}) t`]).trim();
	return JSON.parse(out).map((row) => {
		for (const k of Object.keys(row)) if (typeof row[k] === 'boolean') row[k] = row[k] ? 1 : 0;
		return row;
	});
}

/* On an interrupt, still take the children down (the 'exit' handler runs). */
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
	process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));

process.on('exit', () => {
	for (const c of children) {
		try {
			c.kill('SIGKILL');
		} catch {
			/* already gone */
		}
	}
	if (!process.env.ZT_KEEP_DATA) {
		for (const d of dirs) rmSync(d, { recursive: true, force: true });
		for (const db of databases) {
			try {
				psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
			} catch {
				/* the cluster may already be gone */
			}
		}
	}
});

/**
 * Starts a node. now: ZT_NOW (frozen clock) or undefined for the real clock;
 * env: extra ZT_* settings; init: run `zhengtong init` (demo data) first, or
 * the given arguments instead (e.g. ['init', '--no-demo']).
 * The SLA background sweep is off (ZT_SLA_INTERVAL=0) unless env sets it, so
 * that tests decide when sweeps happen.
 */
/**
 * The settings every test node runs with: its data directory, the repo's
 * calendars, a free loopback port, no timed SLA sweep (tests decide when),
 * 4 threads; extra (e.g. ZT_DB) added or overriding.
 */
export function nodeSettings(dataDir, extra = {}) {
	return {
		ZT_DATA_DIR: dataDir,
		ZT_CALENDAR_DIR: join(REPO, 'calendar'),
		ZT_LISTEN: '127.0.0.1:0',
		ZT_SLA_INTERVAL: '0',
		ZT_THREADS: '4',
		...extra,
	};
}

export async function startNode({ now, env = {}, init = true } = {}) {
	const dataDir = mkdtempSync(join(tmpdir(), 'zt-api-'));
	dirs.add(dataDir);
	let dbName = null;
	if (PG) {
		dbName = `zt_${process.pid}_${databases.size}_${Math.floor(Math.random() * 1e9)}`;
		psql('postgres', ['-c', `CREATE DATABASE ${dbName}`]);
		databases.add(dbName);
	}
	const base = nodeSettings(dataDir, { ...(PG ? { ZT_DB: `${PG}/${dbName}` } : {}), ...env });
	const node = {
		dataDir,
		url: null,
		now,
		env: base,
		child: null,
		stderr: '',
	};

	const envFor = (over = {}) =>
		childEnv({ ...node.env, ZT_NOW: node.now, ...over });

	node.cli = (args, extra = {}) => {
		const r = spawnSync(BIN, args, {
			cwd: dataDir,
			env: envFor(extra),
			encoding: 'utf8',
			timeout: 30000,
		});
		if (r.error) throw r.error;
		if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(r.stderr))
			throw new Error(`zhengtong ${args.join(' ')} reported a sanitizer error:\n${r.stderr}`);
		return { code: r.status, stdout: r.stdout, stderr: r.stderr };
	};

	/* The same as cli() without blocking the event loop, so that HTTP
	 * requests can run meanwhile. */
	node.cliAsync = (args, extra = {}) =>
		spawnCollect(BIN, args, { cwd: dataDir, env: envFor(extra) }, children);

	node.sql = (query) => {
		if (PG) return pgRows(dbName, query);
		/* The node writes meanwhile (requests, its audit seal thread): wait
		 * for its short write locks instead of failing with SQLITE_BUSY. */
		const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-json', join(dataDir, 'zhengtong.db'), query], {
			encoding: 'utf8',
			timeout: 10000,
			maxBuffer: 64 << 20, /* whole tables are compared (the 1 MiB default is too small) */
		});
		if (r.error) throw r.error;
		if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
		const out = r.stdout.trim();
		return out === '' ? [] : JSON.parse(out);
	};

	/* A single number from a one-column query. */
	node.count = (query) => {
		const rows = node.sql(query);
		return Object.values(rows[0])[0];
	};

	/* The blind index that lookup columns hold for value (an ID number or a
	 * credit code; encryption at rest keeps no clear copy of them), from
	 * `zhengtong keys lookup` under the node's own key file. */
	node.bi = (value) => {
		const r = node.cli(['keys', 'lookup', value]);
		if (r.code !== 0 || !/^bi1:\d+:[0-9a-f]{64}$/.test(r.stdout.trim()))
			throw new Error(`keys lookup ${value} failed (${r.code}): ${r.stderr}`);
		return r.stdout.trim();
	};

	/* Stored values decrypted by `zhengtong keys open` (values on stdin):
	 * an "enc1:" value gives its clear text, a stored row (JSON text) the
	 * row with its encrypted members opened; others come back as given. */
	node.open = (values) => {
		if (values.length === 0) return [];
		const r = spawnSync(BIN, ['keys', 'open'], {
			cwd: dataDir,
			env: envFor(),
			input: values.map((v) => String(v).replace(/\n/g, ' ')).join('\n') + '\n',
			encoding: 'utf8',
			timeout: 30000,
			maxBuffer: 64 << 20,
		});
		if (r.error) throw r.error;
		if (r.status !== 0) throw new Error(`keys open failed (${r.status}): ${r.stderr}`);
		const out = r.stdout.split('\n');
		out.pop();
		if (out.length !== values.length) throw new Error(`keys open gave ${out.length} lines for ${values.length}`);
		return out;
	};

	node.log = () => node.stderr;

	/* Waits until the audit head carries an SM2 signature (tests/lib/audit.mjs). */
	node.waitSigned = (timeoutMs) => waitSigned(node.count, timeoutMs);

	const spawnServe = () =>
		new Promise((res, rej) => {
			const from = node.stderr.length; /* look for this run's banner only */
			const child = spawn(BIN, ['serve'], {
				cwd: dataDir,
				env: envFor(),
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			children.add(child);
			node.child = child;
			let done = false;
			const timer = setTimeout(() => {
				if (done) return;
				done = true;
				child.kill('SIGKILL');
				rej(new Error(`server did not start in 10 s:\n${node.stderr}`));
			}, 10000);
			child.stderr.setEncoding('utf8');
			child.stderr.on('data', (s) => {
				node.stderr += s;
				const m = /zhengtong serving http:\/\/127\.0\.0\.1:(\d+)/.exec(node.stderr.slice(from));
				if (m && !done) {
					done = true;
					clearTimeout(timer);
					node.url = `http://127.0.0.1:${m[1]}`;
					res();
				}
			});
			child.once('exit', (code, sig) => {
				children.delete(child);
				if (!done) {
					done = true;
					clearTimeout(timer);
					rej(new Error(`server exited (${code ?? sig}) before serving:\n${node.stderr}`));
				}
			});
		});

	/* Stops the server: SIGTERM (a clean shutdown) or, with signal
	 * 'SIGKILL', a crash. Waits for the process to be gone. */
	node.stop = async (signal = 'SIGTERM') => {
		const c = node.child;
		node.child = null;
		if (c === null) return;
		c.kill(signal);
		if (!(await waitExit(c, 5000))) {
			c.kill('SIGKILL');
			await waitExit(c, 5000);
		}
		children.delete(c);
		// A sanitizer build reports leaks and errors on stderr at exit: any
		// such report, or an unclean exit after SIGTERM, fails the test.
		const bad = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.exec(node.stderr);
		if (bad) throw new Error(`server reported a sanitizer error:\n${node.stderr.slice(bad.index, bad.index + 4000)}`);
		if (signal === 'SIGTERM' && c.exitCode !== 0)
			throw new Error(`server exited with ${c.exitCode ?? c.signalCode} after SIGTERM:\n${node.stderr.slice(-2000)}`);
	};

	/* Stops (or with crash: true, kills -9) and starts the server on the same
	 * data, optionally with a new clock or settings. node.url changes (a new
	 * port 0). */
	node.restart = async ({ now, env, crash = false } = {}) => {
		await node.stop(crash ? 'SIGKILL' : 'SIGTERM');
		if (now !== undefined) node.now = now;
		if (env) node.env = { ...node.env, ...env };
		await spawnServe();
	};

	if (init) {
		const r = node.cli(Array.isArray(init) ? init : ['init']);
		if (r.code !== 0) throw new Error(`zhengtong init failed (${r.code}):\n${r.stderr}`);
		node.initOutput = r.stdout;
	}
	await spawnServe();
	return node;
}

/**
 * One HTTP request. json: a value sent as application/json; body: raw bytes
 * or text (with headers giving its type). Returns {status, headers, json,
 * text}; json is the parsed body when the answer is JSON, else null.
 */
export async function api(url, method, path, { token, json, body, headers = {} } = {}) {
	const h = { ...headers };
	let payload = body;
	if (json !== undefined) {
		payload = JSON.stringify(json);
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
			h['Content-Type'] = 'application/json';
	}
	if (token) h.Authorization = `Bearer ${token}`;
	const res = await fetch(url + path, { method, headers: h, body: payload });
	const buf = Buffer.from(await res.arrayBuffer());
	const text = buf.toString('utf8');
	let parsed = null;
	const ct = res.headers.get('content-type') || '';
	if (/json/.test(ct) && text !== '') parsed = JSON.parse(text);
	return { status: res.status, headers: res.headers, json: parsed, text, bytes: buf };
}

/**
 * A request whose path goes on the wire exactly as given (fetch would
 * normalise "/a/../b"), for path traversal and framing tests. A body gets a
 * Content-Length unless headers ask for chunked transfer. The answer counts
 * even when the server stops reading the body early (as it may for 413);
 * errors while still sending are then ignored.
 */
export function rawRequest(url, method, rawPath, { headers = {}, body } = {}) {
	const u = new URL(url);
	const h = { ...headers };
	const chunked = Object.entries(h).some(
		([k, v]) => k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v),
	);
	if (body !== undefined && !chunked && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length'))
		h['Content-Length'] = String(Buffer.byteLength(body));
	return new Promise((res, rej) => {
		let answered = false;
		const req = http.request(
			{ host: u.hostname, port: u.port, method, path: rawPath, headers: h, agent: false },
			(r) => {
				answered = true;
				const chunks = [];
				r.on('data', (c) => chunks.push(c));
				r.on('error', () => {});
				r.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json = null;
					if (/json/.test(r.headers['content-type'] || '') && text) json = JSON.parse(text);
					res({ status: r.statusCode, headers: r.headers, text, json });
				});
			},
		);
		req.on('error', (e) => {
			if (!answered) rej(e);
		});
		if (body !== undefined) {
			/* Large bodies go in pieces so that an early answer can arrive. */
			const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
			for (let off = 0; off < buf.length; off += 65536) req.write(buf.subarray(off, off + 65536));
		}
		req.end();
	});
}

/** Signs in and returns the session token (throws unless 200). */
export async function login(url, name, password = DEMO_PASSWORD) {
	const r = await api(url, 'POST', '/api/v1/auth/login', { json: { login: name, password } });
	if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
	return r.json.token;
}

/* ---- test data ---- */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The GB 11643 MOD 11-2 check character of a 17-digit prefix. */
export function idCheckChar(first17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
	return ID_CHECK[sum % 11];
}

/** A valid 18-digit ID number: region 520102, the given birth date and sequence. */
export function idNumber(birth = '19950615', seq = 1) {
	const first17 = `520102${birth}${String(seq).padStart(3, '0')}`;
	return first17 + idCheckChar(first17);
}

/** The same number with a wrong check character. */
export function badIdNumber(birth = '19950615', seq = 1) {
	const good = idNumber(birth, seq);
	const wrong = ID_CHECK.split('').find((c) => c !== good[17]);
	return good.slice(0, 17) + wrong;
}

/** A small valid PDF whose content (and so SM3 id) depends on tag. */
export function pdf(tag) {
	return Buffer.from(
		'%PDF-1.4\n' +
			`% ${tag}\n` +
			'1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
			'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
			'trailer<</Root 1 0 R>>\n%%EOF\n',
	);
}

export function sm3hex(buf) {
	return createHash('sm3').update(buf).digest('hex');
}

/** Uploads bytes as the owner of token; returns the response. */
export function upload(url, token, bytes, type = 'application/pdf') {
	return api(url, 'POST', '/api/v1/files', {
		token,
		body: bytes,
		headers: { 'Content-Type': type },
	});
}

/** Registers a citizen and returns {idn, token, user}. */
export async function newCitizen(url, { name = '测试市民', seq = 1, phone = '13712345678' } = {}) {
	const idn = idNumber('19950615', seq);
	const r = await api(url, 'POST', '/api/v1/auth/register', {
		json: { kind: 'citizen', name, id_number: idn, phone, password: DEMO_PASSWORD },
	});
	if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
	const token = await login(url, idn);
	return { idn, token, user: r.json };
}

/** Number of regular files under dir (recursively), 0 when absent. */
/* Every stored text of the database: SQLite file bytes (and -wal),
 * PostgreSQL every row of every table as text (encryption at rest tests). */
export function rawDatabase(node) {
	if (!process.env.ZT_TEST_PG) {
		let s = '';
		for (const f of ['zhengtong.db', 'zhengtong.db-wal', 'zhengtong.db-journal']) {
			const p = join(node.dataDir, f);
			if (existsSync(p)) s += readFileSync(p).toString('latin1');
		}
		assert.ok(s.length > 100000);
		return s;
	}
	const tables = node.sql(
		"SELECT table_schema AS sch, table_name AS tab FROM information_schema.tables WHERE table_type = 'BASE TABLE'" +
			" AND table_schema NOT IN ('pg_catalog', 'information_schema')",
	);
	const names = tables.map((x) => x.tab);
	assert.ok(names.includes('users') && names.includes('resource_rows'), JSON.stringify(names));
	/* node.sql wraps the query as (...) t: the row alias is r */
	return tables.map(({ sch, tab }) => node.sql(`SELECT r::text AS x FROM "${sch}"."${tab}" r`).map((x) => x.x).join('\n')).join('\n');
}

export function countFiles(dir) {
	if (!existsSync(dir)) return 0;
	let n = 0;
	for (const e of readdirSync(dir)) {
		const p = join(dir, e);
		const st = statSync(p);
		if (st.isDirectory()) n += countFiles(p);
		else if (st.isFile()) n++;
	}
	return n;
}

/** Asserts that r is a problem+json answer of status (and of type, when given). */
export function assertProblem(r, status, type) {
	assert.equal(r.status, status, r.text);
	assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
	if (type) assert.equal(r.json.type, `/problems/${type}`, r.text);
	assert.equal(r.json.status, status);
}

/**
 * The demo's 南明区民政局 data officer (mz.data) makes an API key for its
 * system (keyName) and gets an unconditional grant on the insurance
 * resource 520102-RS-001 (id_number, name, insured) for purpose, with a
 * rate limit no test reaches. Resolves {apiKey, apiKeyId, grant}.
 */
export async function demoGrant(url, { keyName, purpose }) {
	const mz = await login(url, 'mz.data');
	let r = await api(url, 'POST', '/api/v1/api-keys', { token: mz, json: { name: keyName } });
	assert.equal(r.status, 201, r.text);
	const { key: apiKey, id: apiKeyId } = r.json;
	r = await api(url, 'POST', '/api/v1/share-requests', {
		token: mz,
		json: {
			resource: '520102-RS-001',
			fields: ['id_number', 'name', 'insured'],
			purpose,
			legal_basis: '《社会救助暂行办法》第十一条',
			valid_to: '2099-12-31',
			rate_limit: 1000000,
		},
	});
	assert.equal(r.status, 201, r.text);
	assert.ok(Number.isInteger(r.json.grant_id), r.text);
	return { apiKey, apiKeyId, grant: r.json.grant_id };
}

/**
 * The reads a node must go on answering when it cannot write (a full disk):
 * /healthz, a catalog search finding item, the citizen's case caseId
 * (submitted) and case list, and the case's file.
 */
export async function assertReadsGoOn(url, { token, caseId, file, item }) {
	let r = await api(url, 'GET', '/healthz');
	assert.equal(r.status, 200, r.text);
	r = await api(url, 'GET', '/api/v1/services?q=' + encodeURIComponent('就业'));
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.items.some((i) => i.code === item));
	r = await api(url, 'GET', `/api/v1/cases/${caseId}`, { token });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.state, 'submitted');
	r = await api(url, 'GET', '/api/v1/cases', { token });
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.items.some((c) => c.id === caseId));
	r = await api(url, 'GET', `/api/v1/files/${file}`, { token });
	assert.equal(r.status, 200);
}
