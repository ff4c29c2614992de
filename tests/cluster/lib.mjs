// lib.mjs - helpers for the scale-out and deployment tests: several
// `zhengtong serve` processes on one PostgreSQL behind nginx, on loopback.
//
//   * processes: serve() starts one app process and waits for its banner;
//     cli() runs a subcommand; every child is killed when the test process
//     exits, and every temporary directory and database is removed then
//     (ZT_KEEP_DATA=1 keeps them).
//   * PostgreSQL: createDatabase() makes a fresh database on the cluster
//     that ZT_TEST_PG names (tests/cluster/run starts one when unset);
//     pgCluster() makes and starts a cluster of our own (the replication test).
//   * nginx: nginxConfigFrom() rewrites the shipped deploy/nginx/zhengtong.conf
//     for a temporary prefix, loopback ports and the given upstream processes;
//     startNginx() runs it in the foreground (daemon off) until the end.
//   * HTTP: request() speaks HTTP or HTTPS (trusting the test certificate)
//     with keep-alive agents.

import { childEnv, spawnCollect, waitExit } from '../lib/spawn.mjs';
export { childEnv } from '../lib/spawn.mjs';

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_PASSWORD = 'Zhengtong@2026';
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.ZT_BIN || join(REPO, 'build', 'zhengtong');
export const PG = (process.env.ZT_TEST_PG || '').replace(/\/+$/, '');
export const IS_ROOT = process.getuid?.() === 0;

const children = new Set();
const groups = new Set(); /* nginx: master and workers in their own process group */
const dirs = new Set();
const databases = new Set();
const clusters = new Set();

/* ---- cleanup ---- */

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
	process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));

/** Kills every child process still running (SIGKILL), nginx included. A test
 * file calls it last, so that a process left behind by a failed test cannot
 * keep the test process alive. */
export function killAll() {
	for (const pid of groups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	groups.clear();
	for (const c of children) {
		try {
			c.kill('SIGKILL');
		} catch {
			/* already gone */
		}
	}
	children.clear();
}

process.on('exit', () => {
	for (const pid of groups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	for (const c of children) {
		try {
			c.kill('SIGKILL');
		} catch {
			/* already gone */
		}
	}
	for (const dir of clusters) pgCtl(dir, ['-m', 'immediate', '-w', 'stop']);
	if (process.env.ZT_KEEP_DATA) return;
	for (const db of databases) {
		try {
			psql(`${PG}/postgres`, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
		} catch {
			/* the cluster may already be gone */
		}
	}
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory, removed at exit; readable by other users (the
 * nginx workers and the postgres user need to look inside). */
export function tempDir(prefix) {
	const d = mkdtempSync(join(tmpdir(), prefix));
	chmodSync(d, 0o755);
	dirs.add(d);
	return d;
}

/** A loopback TCP port that was free a moment ago. */
export function freePort() {
	return new Promise((res, rej) => {
		const s = net.createServer();
		s.once('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

/** Resolves when host:port accepts a TCP connection (within ms). */
export async function waitPort(port, ms = 10000) {
	const until = Date.now() + ms;
	for (;;) {
		const ok = await new Promise((res) => {
			const s = net.connect({ host: '127.0.0.1', port }, () => {
				s.destroy();
				res(true);
			});
			s.once('error', () => res(false));
		});
		if (ok) return;
		if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
		await sleep(50);
	}
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until fn() is truthy (polling every step ms); returns its value. */
export async function waitFor(what, fn, ms = 15000, step = 100) {
	const until = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await sleep(step);
	}
}

/* ---- the node's processes ---- */

/* The working directory of every zhengtong process: empty, so that no
 * zhengtong.conf and no default data/ directory of the checkout is used. */
let cwdDir = null;
function cwd() {
	if (cwdDir === null) cwdDir = tempDir('cl4-cwd-');
	return cwdDir;
}

/** Runs `zhengtong ARGS` to completion: {code, stdout, stderr}. */
export function cli(args, env, { timeout = 60000 } = {}) {
	const r = spawnSync(BIN, args, { env: childEnv(env), encoding: 'utf8', timeout, cwd: cwd() });
	if (r.error) throw r.error;
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking the event loop: resolves {code, stdout, stderr}. */
export function cliAsync(args, env) {
	return spawnCollect(BIN, args, { env: childEnv(env), cwd: cwd() }, children);
}

/**
 * Starts `zhengtong serve` with env (ZT_LISTEN defaults to a free loopback
 * port chosen by the node); resolves when it prints its banner. Returns
 * {name, url, port, child, log(), stop(signal)}.
 */
export function serve(name, env) {
	return new Promise((res, rej) => {
		const child = spawn(BIN, ['serve'], {
			cwd: cwd(),
			env: childEnv({ ZT_LISTEN: '127.0.0.1:0', ...env }),
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		children.add(child);
		const p = { name, child, url: null, port: 0, stderr: '' };
		p.log = () => p.stderr;
		p.stop = async (signal = 'SIGTERM') => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill(signal);
			if (!(await waitExit(child, 10000))) {
				child.kill('SIGKILL');
				await waitExit(child, 5000);
			}
			children.delete(child);
			if (signal === 'SIGTERM' && child.exitCode !== 0)
				throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode} after SIGTERM:\n${p.stderr.slice(-2000)}`);
		};
		let done = false;
		const timer = setTimeout(() => {
			if (done) return;
			done = true;
			child.kill('SIGKILL');
			rej(new Error(`${name} did not start in 15 s:\n${p.stderr}`));
		}, 15000);
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (s) => {
			p.stderr += s;
			const m = /zhengtong serving http:\/\/127\.0\.0\.1:(\d+)/.exec(p.stderr);
			if (m && !done) {
				done = true;
				clearTimeout(timer);
				p.port = Number(m[1]);
				p.url = `http://127.0.0.1:${p.port}`;
				res(p);
			}
		});
		child.once('exit', (code, sig) => {
			children.delete(child);
			if (!done) {
				done = true;
				clearTimeout(timer);
				rej(new Error(`${name} exited (${code ?? sig}) before serving:\n${p.stderr}`));
			}
		});
	});
}

/**
 * Waits (at most ms) until a started process has finished starting: with
 * demo data it prints the demo accounts after checking the database for
 * them; a failure of that check is logged as an error instead. Resolves
 * true when the account list appeared.
 */
export async function started(proc, ms = 5000) {
	try {
		await waitFor(`${proc.name}'s start-up`, () => /Demo accounts| error /.test(proc.log()), ms, 20);
	} catch {
		return false;
	}
	return /Demo accounts/.test(proc.log());
}

/** The access-log lines (JSON) a process wrote for one route name. */
export function accessLines(proc, route) {
	const out = [];
	for (const line of proc.log().split('\n')) {
		if (!line.startsWith('{"ts"')) continue;
		try {
			const j = JSON.parse(line);
			if (route === undefined || j.route === route) out.push(j);
		} catch {
			/* a line cut in the middle */
		}
	}
	return out;
}

/* ---- PostgreSQL ---- */

/** psql -c SQL on url; returns stdout (tuples only, unaligned). env: extra
 * variables (PGOPTIONS, ...). */
export function psql(url, sql, { timeout = 30000, env = {} } = {}) {
	const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], {
		encoding: 'utf8',
		timeout,
		env: childEnv(env),
	});
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`psql ${url} failed (${r.status}): ${r.stderr}`);
	return r.stdout;
}

/** The rows of a SELECT as objects. */
export function pgRows(url, query) {
	const out = psql(url, `SELECT coalesce(json_agg(t), '[]') FROM (${query}) t`).trim();
	return JSON.parse(out);
}

/** A single number from a one-column query. */
export function pgCount(url, query) {
	return Number(psql(url, query).trim());
}

/** A fresh database on the ZT_TEST_PG cluster, dropped at exit; its URL. */
export function createDatabase(tag) {
	if (!PG) throw new Error('ZT_TEST_PG is not set (tests/cluster/run sets it)');
	const db = `zt_${tag}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
	psql(`${PG}/postgres`, `CREATE DATABASE ${db}`);
	databases.add(db);
	return `${PG}/${db}`;
}

export const PG_BIN = (() => {
	const r = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1'], {
		encoding: 'utf8',
	});
	return r.stdout.trim();
})();

/** Runs a PostgreSQL program as the postgres user when we are root. */
export function asPostgres(prog, args, { env = {}, timeout = 60000 } = {}) {
	const exe = prog.includes('/') ? prog : join(PG_BIN, prog);
	const cmd = IS_ROOT ? 'runuser' : exe;
	const argv = IS_ROOT ? ['-u', 'postgres', '--', exe, ...args] : args;
	const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout, env: childEnv(env), cwd: '/' });
	if (r.error) throw r.error;
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pgCtl(dir, args) {
	return asPostgres('pg_ctl', ['-D', dir, ...args]);
}

/** A directory that the postgres user owns (for a data directory). */
export function postgresDir(parent, name) {
	const d = join(parent, name);
	mkdirSync(d, { recursive: true, mode: 0o700 });
	if (IS_ROOT) {
		const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
		chownSync(d, Number(r.stdout), Number(g.stdout));
	}
	return d;
}

/** initdb into dir (owned by postgres); extra postgresql.conf text appended. */
export function initdb(dir) {
	const r = asPostgres('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
	if (r.code !== 0) throw new Error(`initdb failed:\n${r.stderr}`);
}

/** Starts the cluster in dir on port (stopped at exit); throws with its log. */
export function pgStart(dir, port) {
	clusters.add(dir);
	const r = pgCtl(dir, ['-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-h 127.0.0.1 -p ${port} -k ${dir}`, 'start']);
	if (r.code !== 0) {
		const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
		throw new Error(`pg_ctl start ${dir} failed:\n${r.stderr}\n${log.slice(-3000)}`);
	}
}

/** Stops it: mode fast (clean) or immediate (a crash). */
export function pgStop(dir, mode = 'fast') {
	const r = pgCtl(dir, ['-m', mode, '-w', '-t', '60', 'stop']);
	clusters.delete(dir);
	return r;
}

/** Writes a file the postgres user may read. */
export function writeForPostgres(path, text, mode = 0o600) {
	writeFileSync(path, text, { mode });
	if (IS_ROOT) {
		const u = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
		const g = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
		chownSync(path, u, g);
	}
}

/* ---- TLS and nginx ---- */

/** A self-signed P-256 certificate for 127.0.0.1 and localhost (one day). */
export function makeCert(dir, cn = '127.0.0.1') {
	const cert = join(dir, 'cert.pem');
	const key = join(dir, 'key.pem');
	const r = spawnSync(
		'openssl',
		[
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
			'-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`,
			'-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
		],
		{ encoding: 'utf8', timeout: 30000 },
	);
	if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
	return { cert, key, pem: readFileSync(cert) };
}

export const SHIPPED_NGINX = join(REPO, 'deploy', 'nginx', 'zhengtong.conf');

/* Replaces every match of re (which must match at least once: the shipped
 * file changed shape otherwise, and the test should say so). */
function must(text, re, by, what) {
	if (!re.test(text)) throw new Error(`deploy/nginx/zhengtong.conf: no ${what} to rewrite (${re})`);
	re.lastIndex = 0;
	return text.replace(re, by);
}

/**
 * The shipped nginx configuration made runnable on loopback: pid, logs and
 * temporary files under prefix; the certificate and key given; web/ of this
 * repository; HTTP and HTTPS on the given loopback ports (no IPv6); the
 * upstream servers replaced by `servers` (host:port strings), keeping the
 * parameters of the first shipped line; no `user` switch. Everything else
 * (TLS settings, headers, limits, locations) is the shipped text.
 */
export function nginxConfigFrom(shipped, { prefix, httpPort, httpsPort, cert, key, servers, webRoot = join(REPO, 'web') }) {
	let t = shipped;
	t = must(t, /^user\s+[^;]+;/m, '# user: as started (test)', 'user');
	t = must(t, /^pid\s+[^;]+;/m, `pid ${prefix}/nginx.pid;`, 'pid');
	t = must(t, /^error_log\s+\S+/m, `error_log ${prefix}/error.log`, 'error_log');
	t = must(t, /access_log\s+\/\S+/g, `access_log ${prefix}/access.log`, 'access_log');
	t = must(t, /ssl_certificate\s+[^;]+;/g, `ssl_certificate ${cert};`, 'ssl_certificate');
	t = must(t, /ssl_certificate_key\s+[^;]+;/g, `ssl_certificate_key ${key};`, 'ssl_certificate_key');
	t = must(t, /root\s+\/opt\/zhengtong\/web;/g, `root ${webRoot};`, 'web root');
	t = must(t, /root\s+\/var\/www\/acme;/g, `root ${prefix}/acme;`, 'ACME root');
	t = must(t, /listen\s+\[::\]:\d+[^;]*;/g, '# (no IPv6 in the test)', 'IPv6 listen');
	t = must(t, /listen\s+80;/g, `listen 127.0.0.1:${httpPort};`, 'listen 80');
	t = must(t, /listen\s+443\s+ssl/g, `listen 127.0.0.1:${httpsPort} ssl`, 'listen 443');
	t = must(
		t,
		/(upstream\s+zhengtong\s*\{[^}]*?)((?:\s*server\s+[^;]+;)+)/,
		(_, head, lines) => {
			const params = /server\s+\S+\s*([^;]*);/.exec(lines)[1];
			return head + servers.map((s) => `\n        server ${s} ${params};`).join('');
		},
		'upstream servers',
	);
	t = t.replace(/^(http\s*\{)/m, `$1\n    client_body_temp_path ${prefix}/body;\n    proxy_temp_path ${prefix}/proxy;`);
	return t;
}

/** nginx -t on a configuration file: {code, output}. */
export function nginxTest(prefix, confFile) {
	const r = spawnSync('nginx', ['-t', '-p', prefix, '-e', join(prefix, 'error.log'), '-c', confFile], {
		encoding: 'utf8',
		timeout: 30000,
	});
	if (r.error) throw r.error;
	return { code: r.status, output: r.stdout + r.stderr };
}

/**
 * Writes conf into prefix/nginx.conf and runs nginx in the foreground
 * (daemon off) until the test ends; resolves once httpsPort (and httpPort)
 * accept connections. Returns {child, stop(), log()}.
 */
export async function startNginx(prefix, conf, ports) {
	mkdirSync(join(prefix, 'acme'), { recursive: true });
	const file = join(prefix, 'nginx.conf');
	writeFileSync(file, conf);
	const t = nginxTest(prefix, file);
	if (t.code !== 0) throw new Error(`nginx -t failed:\n${t.output}\n--- config ---\n${conf}`);
	const child = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', file, '-g', 'daemon off;'], {
		stdio: ['ignore', 'ignore', 'pipe'],
		detached: true, /* its own process group, so that the workers go too */
	});
	groups.add(child.pid);
	let stderr = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (s) => (stderr += s));
	const log = () => stderr + (existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : '');
	try {
		for (const p of ports) await waitPort(p, 10000);
	} catch (e) {
		process.kill(-child.pid, 'SIGKILL');
		throw new Error(`${e.message}\nnginx log:\n${log()}`);
	}
	return {
		child,
		log,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGQUIT'); /* graceful: finish requests, then exit */
			if (!(await waitExit(child, 10000))) process.kill(-child.pid, 'SIGKILL');
			await waitExit(child, 5000);
			groups.delete(child.pid);
		},
	};
}

/* ---- HTTP ---- */

const agents = new Map();

function agentFor(url, ca) {
	const key = `${url.protocol}//${url.host}`;
	let a = agents.get(key);
	if (!a) {
		const opts = { keepAlive: true, maxSockets: 256 };
		a = url.protocol === 'https:' ? new https.Agent({ ...opts, ca }) : new http.Agent(opts);
		agents.set(key, a);
	}
	return a;
}

/** Closes every keep-alive connection (so node can exit promptly). */
export function closeAgents() {
	for (const a of agents.values()) a.destroy();
	agents.clear();
}

/**
 * One request: base is http(s)://host:port; json is sent as
 * application/json, body as given. ca: the certificate to trust for https.
 * Returns {status, headers, text, bytes, json, tls (the TLS version or null)}.
 */
export function request(base, method, path, { token, json, body, headers = {}, ca, agent, timeout = 30000 } = {}) {
	const url = new URL(base + path);
	const h = { ...headers };
	let payload = body;
	if (json !== undefined) {
		payload = JSON.stringify(json);
		h['Content-Type'] = 'application/json';
	}
	if (payload !== undefined) h['Content-Length'] = String(Buffer.byteLength(payload));
	if (token) h.Authorization = `Bearer ${token}`;
	const mod = url.protocol === 'https:' ? https : http;
	return new Promise((res, rej) => {
		const req = mod.request(
			url,
			{ method, headers: h, agent: agent === undefined ? agentFor(url, ca) : agent, ca, timeout },
			(r) => {
				const tls = typeof r.socket?.getProtocol === 'function' ? r.socket.getProtocol() : null;
				const chunks = [];
				r.on('data', (c) => chunks.push(c));
				r.on('error', rej);
				r.on('end', () => {
					const bytes = Buffer.concat(chunks);
					const text = bytes.toString('utf8');
					let parsed = null;
					if (/json/.test(r.headers['content-type'] || '') && text !== '') {
						try {
							parsed = JSON.parse(text);
						} catch {
							parsed = null;
						}
					}
					res({ status: r.statusCode, headers: r.headers, text, bytes, json: parsed, tls });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${base}${path}: no answer in ${timeout} ms`)));
		req.on('error', rej);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

/** Signs in (through base); returns the token or throws. */
export async function login(base, name, { ca, password = DEMO_PASSWORD } = {}) {
	const r = await request(base, 'POST', '/api/v1/auth/login', { json: { login: name, password }, ca });
	if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
	return r.json.token;
}

/* ---- test data ---- */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A valid GB 11643 ID number in region 520102 (birth date, sequence). */
export function idNumber(birth = '19950615', seq = 1) {
	const first17 = `520102${birth}${String(seq).padStart(3, '0')}`;
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
	return first17 + ID_CHECK[sum % 11];
}

/** A small valid PDF whose bytes depend on tag. */
export function pdf(tag) {
	return Buffer.from(
		'%PDF-1.4\n' +
			`% ${tag}\n` +
			'1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
			'2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
			'trailer<</Root 1 0 R>>\n%%EOF\n',
	);
}

/** Registers a citizen through base and signs in: {idn, token}. */
export async function newCitizen(base, { seq, name = '集群测试市民', ca }) {
	const idn = idNumber('19950615', seq);
	const r = await request(base, 'POST', '/api/v1/auth/register', {
		json: { kind: 'citizen', name, id_number: idn, phone: '13712345678', password: DEMO_PASSWORD },
		ca,
	});
	if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
	return { idn, token: await login(base, idn, { ca }) };
}
