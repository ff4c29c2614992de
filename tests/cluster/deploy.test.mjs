/*
 * deploy.test.mjs - the files under deploy/, exercised where this machine allows.
 *
 * Test plan:
 *   nginx (deploy/nginx/zhengtong.conf)
 *   1. `nginx -t` accepts the shipped file with only its file paths (pid,
 *      logs, certificate) moved to a temporary directory: no error, no warning.
 *   2. Served on loopback (ports, web root and upstream rewritten) in front of
 *      one node: HTTP answers 301 to the same path on HTTPS; TLS 1.3 by
 *      default, ALPN h2; TLS 1.2 with ECDHE+AES-GCM works, while a CBC suite
 *      or one without forward secrecy is refused.
 *   3. Static files come from nginx with the same bytes, Content-Type, CSP
 *      and security headers as the node sends for them (the node asked
 *      directly), plus HSTS; an ETag revalidates (304); dot files are 404.
 *   4. /api/ is proxied: the node's answer and its own headers arrive
 *      unchanged (one CSP, not two); /metrics answers loopback.
 *   5. Body limits match the node: a 20 MiB upload is 201, 20 MiB + 1 byte is
 *      413 problem+json from nginx; a JSON body over 1 MiB is 413.
 *   6. Sign-in is rate limited per address by nginx (429 problem+json with
 *      Retry-After) after the burst, while the node answers the others.
 *   7. With no app process left, /api/ answers 503 problem+json with
 *      Retry-After (nginx's own error, in the node's format).
 *   systemd (deploy/systemd/*)
 *   8. `systemd-analyze verify` (skipped when absent) accepts the templated
 *      unit as an instance, the backup service and the timer with no
 *      message at all (unknown keys and bad values only warn); the timer's
 *      OnCalendar parses; the hardening settings are present, and the paths
 *      agree with the environment example.
 *   environment (deploy/env/zhengtong.env.example)
 *   9. Every ZT_* key is a key the node knows (as a config file, an unknown
 *      key is an error: checked both ways), `zhengtong migrate` runs with
 *      them (database and directories pointed at the test's); no ZT_LISTEN
 *      or ZT_NOW; the limits equal nginx's.
 *  10. (regression) The start-up line of `serve` does not show a password in ZT_DB.
 *  11. The backup service's commands, run as systemd would run them (%% and
 *      $$ unescaped, its UMask, variables from the environment file), write
 *      a private dated backup that pg_restore --list reads and copy the
 *      uploaded files; the pruning removes only backups older than
 *      BACKUP_KEEP_DAYS.
 *   PostgreSQL (deploy/postgresql/*)
 *  12. A primary with zhengtong-primary.conf (sizing scaled down) and
 *      zhengtong-hba.conf (addresses -> 127.0.0.1, TLS with a test
 *      certificate); standby-setup.sh makes a standby with pg_basebackup -R
 *      (verify-full TLS, slot, application_name); it streams as the
 *      synchronous ('quorum') standby. The replication line really decides:
 *      a wrong password and a non-TLS replication connection are refused.
 *  13. zhengtong (ZT_DB listing both hosts, target_session_attrs=read-write,
 *      password from PGPASSFILE) inits and serves on the primary; cases
 *      submitted through it are on the standby, with the same audit head;
 *      the standby refuses writes.
 *  14. (regression) `zhengtong audit verify` runs against the read-only standby.
 *  15. Fail-over: the primary crashes (immediate stop); promote.sh promotes
 *      the standby (timeline 2, synchronous_standby_names cleared); the
 *      process started before the fail-over answers writes again within 30 s
 *      (it reconnects and libpq finds the new primary); a new process with the
 *      unchanged ZT_DB serves; every case committed before the crash is
 *      there, a new case is accepted and the audit chain verifies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	BIN,
	PG,
	PG_BIN,
	REPO,
	SHIPPED_NGINX,
	asPostgres,
	cli,
	closeAgents,
	createDatabase,
	freePort,
	initdb,
	killAll,
	login,
	makeCert,
	nginxConfigFrom,
	nginxTest,
	pdf,
	pgCount,
	pgStart,
	pgStop,
	postgresDir,
	psql,
	request,
	serve,
	startNginx,
	tempDir,
	waitFor,
	writeForPostgres,
} from './lib.mjs';

const DEPLOY = join(REPO, 'deploy');
const T0 = '2026-03-02T09:00:00+08:00';
const ZHANG_WEI = '520102199003071236';
const ITEM = '520102-RS-GF-001';

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/* KEY=value lines of an environment file (comments and blanks skipped). */
function envFile(path) {
	const out = {};
	for (const line of readFileSync(path, 'utf8').split('\n')) {
		const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

/* The value(s) of Key= lines in a unit file. */
function unitValues(text, key) {
	return [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
}

async function caseBody(base, token, tag, ca) {
	const ids = [];
	for (const i of [1, 2]) {
		const r = await request(base, 'POST', '/api/v1/files', {
			token,
			body: pdf(`${tag} ${i}`),
			headers: { 'Content-Type': 'application/pdf' },
			ca,
		});
		assert.equal(r.status, 201, r.text);
		ids.push(r.json.id);
	}
	return {
		item_code: ITEM,
		materials: [
			{ seq: 1, name: '身份证明.pdf', file: ids[0] },
			{ seq: 2, name: '解除劳动关系证明.pdf', file: ids[1] },
		],
	};
}

after(() => {
	closeAgents();
	killAll();
});

describe('nginx: deploy/nginx/zhengtong.conf', { timeout: 180000 }, () => {
	let node, ng, base, httpBase, ca, prefix;

	before(async () => {
		prefix = tempDir('cl4-deploy-nginx-');
		const cert = makeCert(prefix);
		ca = cert.pem;
		/* One node on SQLite: the proxy does not care which database. */
		const nodeEnv = {
			ZT_DATA_DIR: tempDir('cl4-deploy-node-'),
			ZT_CALENDAR_DIR: join(REPO, 'calendar'),
			ZT_WEB_DIR: join(REPO, 'web'),
			ZT_SLA_INTERVAL: '0',
			ZT_THREADS: '4',
			ZT_NOW: T0,
		};
		const init = cli(['init'], nodeEnv);
		assert.equal(init.code, 0, init.stderr);
		node = await serve('node', nodeEnv);
		const [httpPort, httpsPort] = [await freePort(), await freePort()];
		const conf = nginxConfigFrom(readFileSync(SHIPPED_NGINX, 'utf8'), {
			prefix,
			httpPort,
			httpsPort,
			cert: cert.cert,
			key: cert.key,
			servers: [`127.0.0.1:${node.port}`],
		});
		ng = await startNginx(prefix, conf, [httpPort, httpsPort]);
		base = `https://127.0.0.1:${httpsPort}`;
		httpBase = `http://127.0.0.1:${httpPort}`;
	});
	after(async () => {
		closeAgents();
		await ng?.stop();
		await node?.stop();
	});

	it('passes nginx -t as shipped (only file paths moved)', () => {
		const dir = tempDir('cl4-nginx-t-');
		const cert = makeCert(dir);
		let t = readFileSync(SHIPPED_NGINX, 'utf8');
		const moves = [
			[/^pid\s+[^;]+;/m, `pid ${dir}/nginx.pid;`],
			[/^error_log\s+\S+/m, `error_log ${dir}/error.log`],
			[/access_log\s+\/\S+/g, `access_log ${dir}/access.log`],
			[/ssl_certificate\s+[^;]+;/g, `ssl_certificate ${cert.cert};`],
			[/ssl_certificate_key\s+[^;]+;/g, `ssl_certificate_key ${cert.key};`],
		];
		for (const [re, by] of moves) {
			assert.match(t, re);
			t = t.replace(re, by);
		}
		const file = join(dir, 'zhengtong.conf');
		writeFileSync(file, t);
		const r = nginxTest(dir, file);
		assert.equal(r.code, 0, r.output);
		assert.match(r.output, /syntax is ok/);
		assert.match(r.output, /test is successful/);
		assert.doesNotMatch(r.output, /\[(warn|emerg|alert|error)\]/, r.output);
	});

	it('redirects HTTP to HTTPS and speaks modern TLS only', async () => {
		const r = await request(httpBase, 'GET', '/api/v1/services?q=%E7%A4%BE%E4%BF%9D');
		assert.equal(r.status, 301);
		assert.equal(r.headers.location, 'https://127.0.0.1/api/v1/services?q=%E7%A4%BE%E4%BF%9D');

		const tls = await import('node:tls');
		const port = Number(new URL(base).port);
		const hello = (opts) =>
			new Promise((res) => {
				const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...opts }, () => {
					const out = { ok: true, version: s.getProtocol(), cipher: s.getCipher().name, alpn: s.alpnProtocol };
					s.end();
					res(out);
				});
				s.once('error', (e) => res({ ok: false, error: e.code || e.message }));
			});
		const def = await hello({ ALPNProtocols: ['h2', 'http/1.1'] });
		assert.deepEqual([def.ok, def.version, def.alpn], [true, 'TLSv1.3', 'h2']);
		const gcm = await hello({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
		assert.deepEqual([gcm.ok, gcm.version, gcm.cipher], [true, 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
		for (const weak of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
			const w = await hello({ maxVersion: 'TLSv1.2', ciphers: weak });
			assert.equal(w.ok, false, `${weak} must be refused: ${JSON.stringify(w)}`);
		}
	});

	it('serves web/ itself with the node\'s headers and CSP', async () => {
		for (const path of ['/', '/js/app.js', '/css/app.css', '/img/logo.svg', '/js/i18n/zh.js']) {
			const file = path === '/' ? 'index.html' : path.slice(1);
			const viaNginx = await request(base, 'GET', path, { ca });
			const direct = await request(node.url, 'GET', path);
			assert.equal(viaNginx.status, 200, `${path}: ${viaNginx.text.slice(0, 200)}`);
			assert.equal(direct.status, 200);
			assert.ok(viaNginx.bytes.equals(readFileSync(join(REPO, 'web', file))), `${path}: the file's bytes`);
			for (const h of ['content-type', 'content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options', 'cache-control'])
				assert.equal(viaNginx.headers[h], direct.headers[h], `${path}: ${h}`);
			assert.equal(viaNginx.headers['strict-transport-security'], 'max-age=63072000');
			assert.equal(viaNginx.headers['x-request-id'], undefined, `${path} came from nginx, not the node`);
			const again = await request(base, 'GET', path, { ca, headers: { 'If-None-Match': viaNginx.headers.etag } });
			assert.equal(again.status, 304, `${path}: revalidation`);
		}
		for (const path of ['/.git/config', '/.env', '/nope.html']) {
			const r = await request(base, 'GET', path, { ca });
			assert.equal(r.status, 404, path);
		}
	});

	it('proxies /api/ with the node\'s own headers, and /metrics to loopback', async () => {
		const viaNginx = await request(base, 'GET', '/api/v1/services?limit=2', { ca });
		const direct = await request(node.url, 'GET', '/api/v1/services?limit=2');
		assert.equal(viaNginx.status, 200, viaNginx.text);
		assert.deepEqual(viaNginx.json.items, direct.json.items);
		assert.equal(viaNginx.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
		assert.equal(viaNginx.headers['content-type'], direct.headers['content-type']);
		assert.match(viaNginx.headers['x-request-id'], /^[0-9a-f]{16}$/);
		const m = await request(base, 'GET', '/metrics', { ca });
		assert.equal(m.status, 200);
		assert.match(m.text, /^zt_http_requests_total\{route="services.search",code="2xx"\} \d+$/m);
	});

	it('limits bodies like the node: 20 MiB uploads, 1 MiB JSON', async () => {
		const tok = await login(base, ZHANG_WEI, { ca });
		const max = 20 * 1024 * 1024;
		const big = Buffer.alloc(max, 0x20);
		pdf('max').copy(big);
		const ok = await request(base, 'POST', '/api/v1/files', { ca, token: tok, body: big, headers: { 'Content-Type': 'application/pdf' }, timeout: 60000 });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.json.size, max);
		const over = Buffer.alloc(max + 1, 0x20);
		pdf('over').copy(over);
		const no = await request(base, 'POST', '/api/v1/files', { ca, token: tok, body: over, headers: { 'Content-Type': 'application/pdf' }, timeout: 60000 });
		assert.equal(no.status, 413);
		assert.equal(no.headers['content-type'], 'application/problem+json; charset=utf-8');
		assert.equal(no.json.type, '/problems/too_large');
		assert.equal(no.json.status, 413);
		const json = Buffer.from(JSON.stringify({ item_code: 'x'.repeat(1024 * 1024) }));
		const j = await request(base, 'POST', '/api/v1/cases', { ca, token: tok, body: json, headers: { 'Content-Type': 'application/json' } });
		assert.equal(j.status, 413);
		assert.equal(j.json.type, '/problems/too_large');
	});

	it('rate-limits sign-in per client address after a burst', async () => {
		const statuses = [];
		let limited = null;
		for (let i = 0; i < 45; i++) {
			const r = await request(base, 'POST', '/api/v1/auth/login', { ca, json: { login: `nobody-${i}`, password: 'wrong-password-1' } });
			statuses.push(r.status);
			if (r.status === 429 && !limited) limited = r;
		}
		assert.deepEqual(statuses.slice(0, 25), Array(25).fill(401), 'the burst passes to the node');
		assert.ok(limited, `no 429 in ${statuses.join(',')}`);
		assert.equal(limited.json.type, '/problems/rate_limited');
		assert.equal(limited.headers['retry-after'], '10');
		assert.equal(limited.headers['x-request-id'], undefined, 'nginx answered, not the node');
	});

	it('answers 503 problem+json when no app process is up', async () => {
		await node.stop();
		const r = await request(base, 'GET', '/api/v1/services', { ca });
		assert.equal(r.status, 503);
		assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
		assert.equal(r.headers['retry-after'], '5');
		assert.equal(r.json.type, '/problems/unavailable');
		const s = await request(base, 'GET', '/', { ca });
		assert.equal(s.status, 200, 'the portal\'s files still come from nginx');
	});
});

describe('systemd units and the environment file', { timeout: 120000 }, () => {
	const unit = readFileSync(join(DEPLOY, 'systemd', 'zhengtong@.service'), 'utf8');
	const backup = readFileSync(join(DEPLOY, 'systemd', 'zhengtong-backup.service'), 'utf8');
	const timer = readFileSync(join(DEPLOY, 'systemd', 'zhengtong-backup.timer'), 'utf8');
	const envPath = join(DEPLOY, 'env', 'zhengtong.env.example');
	const env = envFile(envPath);

	it('passes systemd-analyze verify', { skip: !have('systemd-analyze') && 'systemd-analyze is not installed' }, () => {
		const dir = tempDir('cl4-units-');
		const real = (t) => t.replaceAll('/opt/zhengtong/bin/zhengtong', BIN);
		writeFileSync(join(dir, 'zhengtong@.service'), real(unit));
		writeFileSync(join(dir, 'zhengtong@8081.service'), real(unit));
		writeFileSync(join(dir, 'zhengtong-backup.service'), real(backup));
		writeFileSync(join(dir, 'zhengtong-backup.timer'), timer);
		const files = ['zhengtong@8081.service', 'zhengtong-backup.service', 'zhengtong-backup.timer'].map((f) => join(dir, f));
		const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8', timeout: 60000 });
		assert.equal(r.status, 0, r.stdout + r.stderr);
		assert.equal((r.stdout + r.stderr).trim(), '', 'no warning at all');
		/* The check can fail: a misspelt key is reported. */
		writeFileSync(join(dir, 'bad.service'), real(unit).replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
		const bad = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'bad.service')], { encoding: 'utf8', timeout: 60000 });
		assert.match(bad.stdout + bad.stderr, /Unknown key( name)? 'NoNewPrivilege'/);
		for (const cal of unitValues(timer, 'OnCalendar')) {
			const c = spawnSync('systemd-analyze', ['calendar', cal], { encoding: 'utf8', timeout: 30000 });
			assert.equal(c.status, 0, c.stdout + c.stderr);
			assert.match(c.stdout, /Next elapse:/);
		}
	});

	it('hardens the app unit and agrees with the environment file', () => {
		for (const kv of [
			'User=zhengtong',
			'NoNewPrivileges=yes',
			'ProtectSystem=strict',
			'PrivateTmp=yes',
			'ProtectHome=yes',
			'EnvironmentFile=/etc/zhengtong/zhengtong.env',
			'Environment=ZT_LISTEN=127.0.0.1:%i',
			'ExecStart=/opt/zhengtong/bin/zhengtong serve',
		])
			assert.match(unit, new RegExp(`^${kv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), kv);
		assert.deepEqual(unitValues(unit, 'ReadWritePaths'), [env.ZT_DATA_DIR], 'the unit may write exactly the data directory');
		assert.deepEqual(unitValues(unit, 'RequiresMountsFor'), [env.ZT_DATA_DIR]);
		assert.deepEqual(unitValues(backup, 'ReadWritePaths'), [env.BACKUP_DIR], 'the backup may write exactly the backup directory');
		assert.match(unitValues(backup, 'RequiresMountsFor')[0], new RegExp(`${env.BACKUP_DIR}$`));
		assert.equal(env.ZT_LISTEN, undefined, 'ZT_LISTEN in the file would override each instance\'s port');
		assert.equal(env.ZT_NOW, undefined);
		assert.doesNotMatch(env.ZT_DB, /:\/\/[^@/]*:[^@/]*@/, 'no password in ZT_DB (the node prints it when starting)');
		assert.ok(env.PGPASSFILE);
		/* The limits equal nginx's. */
		const ngx = readFileSync(SHIPPED_NGINX, 'utf8');
		const files = /location = \/api\/v1\/files \{[^}]*client_max_body_size (\d+)m;/.exec(ngx);
		assert.equal(Number(env.ZT_UPLOAD_MAX), Number(files[1]) * 1024 * 1024);
		const server = /listen 443[\s\S]*?client_max_body_size (\d+)m;/.exec(ngx);
		assert.equal(Number(env.ZT_JSON_MAX), Number(server[1]) * 1024 * 1024);
	});

	it('names only settings that the node knows, and migrates with them', { skip: !PG && 'ZT_TEST_PG is not set' }, () => {
		const dir = tempDir('cl4-env-');
		const db = createDatabase('envfile');
		const over = { ZT_DB: db, ZT_DATA_DIR: join(dir, 'data'), ZT_CALENDAR_DIR: join(REPO, 'calendar'), ZT_WEB_DIR: join(REPO, 'web') };
		const keys = Object.keys(env).filter((k) => k.startsWith('ZT_'));
		assert.ok(keys.length >= 10, keys.join(' '));
		const conf = keys.map((k) => `${k.slice(3).toLowerCase()} = ${over[k] ?? env[k]}`).join('\n') + '\n';
		writeFileSync(join(dir, 'zhengtong.conf'), conf);
		const r = cli(['migrate', '--config', join(dir, 'zhengtong.conf')], {});
		assert.equal(r.code, 0, `${r.stderr}\n--- config ---\n${conf}`);
		writeFileSync(join(dir, 'bad.conf'), `${conf}no_such_setting = 1\n`);
		const bad = cli(['migrate', '--config', join(dir, 'bad.conf')], {});
		assert.notEqual(bad.code, 0);
		assert.match(bad.stderr, /unknown key 'no_such_setting'/);
		/* And as the environment, the way systemd passes it. */
		const asEnv = {};
		for (const k of keys) asEnv[k] = over[k] ?? env[k];
		const e = cli(['migrate'], asEnv);
		assert.equal(e.code, 0, e.stderr);
	});

	it(
		'keeps the database password out of the start-up line',
		{ skip: !PG && 'ZT_TEST_PG is not set' } /* regression (fixed): serve prints cfg.db verbatim ("zhengtong serving ... (database URL") into the journal (src/cli/cli.c); the env example therefore uses PGPASSFILE */,
		async () => {
			const db = createDatabase('banner');
			const withPassword = db.replace('postgres://postgres@', 'postgres://postgres:Banner-Secret-42@');
			assert.notEqual(withPassword, db);
			const p = await serve('banner', { ZT_DB: withPassword, ZT_DATA_DIR: tempDir('cl4-banner-'), ZT_CALENDAR_DIR: join(REPO, 'calendar'), ZT_SLA_INTERVAL: '0' });
			await p.stop();
			assert.match(p.log(), /zhengtong serving http:/);
			assert.doesNotMatch(p.log(), /Banner-Secret-42/);
		},
	);

	it('backs up with the backup unit\'s own commands and prunes old backups', { skip: !PG && 'ZT_TEST_PG is not set' }, async () => {
		const dir = tempDir('cl4-backup-');
		const db = createDatabase('backup');
		const vars = { ...env, ZT_DB: db, ZT_DATA_DIR: join(dir, 'data'), ZT_CALENDAR_DIR: join(REPO, 'calendar'), BACKUP_DIR: join(dir, 'backups'), ZT_NOW: T0 };
		delete vars.PGPASSFILE;
		mkdirSync(vars.BACKUP_DIR);
		const init = cli(['init'], vars);
		assert.equal(init.code, 0, init.stderr);
		/* An uploaded file, the way the node stores one. */
		const p = await serve('backup-node', { ...vars, ZT_SLA_INTERVAL: '0' });
		const tok = await login(p.url, ZHANG_WEI);
		const up = await request(p.url, 'POST', '/api/v1/files', { token: tok, body: pdf('backup'), headers: { 'Content-Type': 'application/pdf' } });
		assert.equal(up.status, 201, up.text);
		await p.stop();
		/* A backup older than BACKUP_KEEP_DAYS, and an unrelated file. */
		const old = join(vars.BACKUP_DIR, 'zhengtong-20200101T023000.backup');
		writeFileSync(old, 'old');
		const past = Date.now() / 1000 - (Number(env.BACKUP_KEEP_DAYS) + 2) * 86400;
		utimesSync(old, past, past);
		writeFileSync(join(vars.BACKUP_DIR, 'README'), 'keep me');
		utimesSync(join(vars.BACKUP_DIR, 'README'), past, past);

		/* ExecStart / ExecStartPost as systemd runs them: no shell of its own,
		 * "%%" is "%", "$$" is "$"; $VAR/${VAR} of the environment file are
		 * expanded by the shell the command starts. */
		const cmds = [...unitValues(backup, 'ExecStart'), ...unitValues(backup, 'ExecStartPost')];
		assert.equal(cmds.length, 2, cmds.join('\n'));
		for (const line of cmds) {
			assert.doesNotMatch(line.replaceAll('$$', ''), /\$/, `systemd would expand a $ itself: ${line}`);
			const m = /^\/bin\/sh -c '([^']*)'$/.exec(line);
			assert.ok(m, `expected /bin/sh -c '...': ${line}`);
			const umask = unitValues(backup, 'UMask')[0];
			const script = `umask ${umask}; ${m[1].replaceAll('%%', '%').replaceAll('$$', '$').replaceAll('/opt/zhengtong/bin/zhengtong', BIN)}`;
			const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', timeout: 120000, env: { PATH: process.env.PATH, ...vars } });
			assert.equal(r.status, 0, `${script}\n${r.stdout}${r.stderr}`);
		}
		const made = readdirSync(vars.BACKUP_DIR).filter((f) => /^zhengtong-\d{8}T\d{6}\.backup$/.test(f));
		assert.equal(made.length, 1, readdirSync(vars.BACKUP_DIR).join(' '));
		assert.ok(!existsSync(old), 'the old backup is pruned');
		assert.ok(existsSync(join(vars.BACKUP_DIR, 'README')), 'only backups are pruned');
		const list = spawnSync('pg_restore', ['--list', join(vars.BACKUP_DIR, made[0])], { encoding: 'utf8', timeout: 60000 });
		assert.equal(list.status, 0, list.stderr);
		assert.match(list.stdout, /TABLE DATA public audit_log /);
		const copied = join(vars.BACKUP_DIR, 'files', up.json.id.slice(0, 2), up.json.id);
		assert.ok(readFileSync(copied).equals(pdf('backup')), 'the uploaded files are copied');
		assert.equal(statSync(join(vars.BACKUP_DIR, made[0])).mode & 0o077, 0, 'the backup is private');
	});
});

describe('PostgreSQL primary, streaming standby and fail-over: deploy/postgresql', { timeout: 300000, skip: !existsSync(join(PG_BIN, 'pg_basebackup')) && 'PostgreSQL server programs are not installed' }, () => {
	let dir, primary, standby, pPort, sPort, cert, ztEnv, node, tok, body;
	const committed = [];
	const admin = (port, db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;

	before(async () => {
		dir = tempDir('cl4-repl-');
		[pPort, sPort] = [await freePort(), await freePort()];
		primary = postgresDir(dir, 'primary');
		const standbyParent = postgresDir(dir, 'standby-parent');
		standby = join(standbyParent, 'data');
		cert = makeCert(dir);
		chmodSync(cert.key, 0o600);
		for (const f of ['cert.pem', 'key.pem']) writeForPostgres(join(dir, `pg-${f}`), readFileSync(join(dir, f)), 0o600);
		writeForPostgres(join(dir, 'zhengtong-primary.conf'), readFileSync(join(DEPLOY, 'postgresql', 'zhengtong-primary.conf')), 0o644);

		initdb(primary);
		/* The shipped settings, then only what this machine needs: sizes
		 * scaled down and the test certificate. */
		const extra = [
			'',
			`include '${join(dir, 'zhengtong-primary.conf')}'`,
			'shared_buffers = 128MB',
			'effective_cache_size = 512MB',
			'maintenance_work_mem = 64MB',
			'max_wal_size = 256MB',
			'min_wal_size = 80MB',
			'wal_keep_size = 64MB',
			'max_slot_wal_keep_size = 1GB',
			`ssl_cert_file = '${join(dir, 'pg-cert.pem')}'`,
			`ssl_key_file = '${join(dir, 'pg-key.pem')}'`,
			'',
		].join('\n');
		writeForPostgres(join(primary, 'postgresql.conf'), readFileSync(join(primary, 'postgresql.conf'), 'utf8') + extra, 0o600);
		const hba = readFileSync(join(DEPLOY, 'postgresql', 'zhengtong-hba.conf'), 'utf8')
			.replace(/10\.10\.\d+\.\d+\/(24|32)/g, '127.0.0.1/32');
		assert.match(hba, /^hostssl\s+replication\s+replicator\s+127\.0\.0\.1\/32\s+scram-sha-256$/m);
		writeForPostgres(
			join(primary, 'pg_hba.conf'),
			`local all postgres trust\n${hba}\nhost all postgres 127.0.0.1/32 trust\n`,
			0o600,
		);
		pgStart(primary, pPort);
		/* No standby yet: commits would wait for one (synchronous_standby_names),
		 * so the bootstrap commits locally, as docs/deploy.md says. */
		const local = { env: { PGOPTIONS: '-c synchronous_commit=local' } };
		psql(admin(pPort), "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'repl-secret-1'", local);
		psql(admin(pPort), "CREATE ROLE zhengtong WITH LOGIN PASSWORD 'zt-secret-1'", local);
		psql(admin(pPort), 'CREATE DATABASE zhengtong OWNER zhengtong', local);

		const pgpass = join(dir, 'pgpass');
		writeFileSync(pgpass, `127.0.0.1:*:zhengtong:zhengtong:zt-secret-1\n`, { mode: 0o600 });
		ztEnv = {
			ZT_DB: `postgresql://zhengtong@127.0.0.1:${pPort},127.0.0.1:${sPort}/zhengtong?target_session_attrs=read-write&sslmode=verify-full&sslrootcert=${cert.cert}&connect_timeout=3`,
			PGPASSFILE: pgpass,
			ZT_DATA_DIR: join(dir, 'data'),
			ZT_CALENDAR_DIR: join(REPO, 'calendar'),
			ZT_SLA_INTERVAL: '0',
			ZT_THREADS: '4',
			ZT_NOW: T0,
		};
	});
	after(async () => {
		closeAgents();
		await node?.stop().catch(() => {});
		for (const d of [standby, primary]) if (d) pgStop(d, 'fast');
	});

	it('makes a synchronous streaming standby with standby-setup.sh', () => {
		const script = join(DEPLOY, 'postgresql', 'standby-setup.sh');
		const envs = {
			PGDATA: standby,
			PG_BINDIR: PG_BIN,
			STANDBY_NAME: 'zt_standby1',
			PGSSLROOTCERT: join(dir, 'pg-cert.pem'),
		};
		/* The replication line decides: wrong password, or no TLS: refused. */
		const wrong = asPostgres(script, ['127.0.0.1', String(pPort)], { env: { ...envs, PGPASSWORD: 'wrong' } });
		assert.notEqual(wrong.code, 0);
		assert.match(wrong.stderr, /password authentication failed for user "replicator"/);
		assert.ok(!existsSync(join(standby, 'PG_VERSION')) || readdirSync(standby).length === 0);
		const plain = asPostgres(script, ['127.0.0.1', String(pPort)], { env: { ...envs, PGPASSWORD: 'repl-secret-1', SSLMODE: 'disable' } });
		assert.notEqual(plain.code, 0);
		assert.match(plain.stderr, /no pg_hba\.conf entry for replication connection/);

		const r = asPostgres(script, ['127.0.0.1', String(pPort)], { env: { ...envs, PGPASSWORD: 'repl-secret-1' }, timeout: 120000 });
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /standby zt_standby1 ready/);
		assert.ok(existsSync(join(standby, 'standby.signal')));
		const auto = readFileSync(join(standby, 'postgresql.auto.conf'), 'utf8');
		assert.match(auto, /primary_slot_name = 'zt_standby1'/);
		/* Running it again onto the now full directory is refused. */
		const again = asPostgres(script, ['127.0.0.1', String(pPort)], { env: { ...envs, PGPASSWORD: 'repl-secret-1' } });
		assert.notEqual(again.code, 0);
		assert.match(again.stderr, /is not empty/);

		pgStart(standby, sPort);
		return waitFor(
			'the standby streaming as the synchronous standby',
			() => {
				const rows = JSON.parse(
					psql(admin(pPort), "SELECT coalesce(json_agg(t), '[]') FROM (SELECT application_name, state, sync_state FROM pg_stat_replication) t").trim(),
				);
				return rows.length === 1 && rows[0].state === 'streaming' && rows[0].sync_state === 'quorum' && rows;
			},
			30000,
			200,
		);
	});

	it('replicates what zhengtong writes on the primary; the standby refuses writes', async () => {
		const init = cli(['init'], ztEnv);
		assert.equal(init.code, 0, init.stderr);
		node = await serve('primary-node', ztEnv);
		assert.match(node.log(), new RegExp(`127\\.0\\.0\\.1:${pPort}`));
		tok = await login(node.url, ZHANG_WEI);
		body = await caseBody(node.url, tok, 'replica');
		for (let i = 0; i < 5; i++) {
			const r = await request(node.url, 'POST', '/api/v1/cases', { token: tok, json: body });
			assert.equal(r.status, 201, r.text);
			committed.push(r.json.id);
		}
		const q = `SELECT count(*) FROM cases WHERE id IN (${committed.join(',')})`;
		await waitFor('the cases on the standby', () => pgCount(admin(sPort, 'zhengtong'), q) === 5, 10000, 100);
		const head = (port) => psql(admin(port, 'zhengtong'), 'SELECT seq, hash FROM audit_head').trim();
		await waitFor('the same audit head on the standby', () => head(sPort) === head(pPort), 10000, 100);
		assert.equal(psql(admin(sPort), 'SELECT pg_is_in_recovery()').trim(), 't');
		assert.throws(() => psql(admin(sPort, 'zhengtong'), "UPDATE cases SET state = state WHERE id = 1"), /read-only transaction/);
	});

	it(
		'verifies the audit chain on the read-only standby',
		{} /* regression (fixed): every command runs migrations first (CREATE TABLE IF NOT EXISTS schema_migrations), which a hot standby refuses */,
		() => {
			const r = cli(['audit', 'verify'], { ...ztEnv, ZT_DB: `postgresql://zhengtong@127.0.0.1:${sPort}/zhengtong?sslmode=require` });
			assert.equal(r.code, 0, r.stdout + r.stderr);
			assert.match(r.stdout, /^audit chain intact/);
		},
	);

	it('fails over: promote.sh, and zhengtong carries on against the new primary', async () => {
		const t0 = Date.now();
		const crash = pgStop(primary, 'immediate');
		assert.equal(crash.code, 0, crash.stderr);
		const down = await request(node.url, 'POST', '/api/v1/cases', { token: tok, json: body, timeout: 10000 }).catch((e) => ({ status: 0, text: e.message }));
		assert.notEqual(down.status, 201, 'no primary: no write can succeed');

		const pr = asPostgres(join(DEPLOY, 'postgresql', 'promote.sh'), [], { env: { PGHOST: '127.0.0.1', PGPORT: String(sPort), PGUSER: 'postgres' } });
		assert.equal(pr.code, 0, pr.stdout + pr.stderr);
		assert.match(pr.stdout, /promoted: this server is the primary now \(timeline 2\)/);
		assert.equal(psql(admin(sPort), 'SELECT pg_is_in_recovery()').trim(), 'f');
		assert.equal(psql(admin(sPort), 'SHOW synchronous_standby_names').trim(), '');
		const again = asPostgres(join(DEPLOY, 'postgresql', 'promote.sh'), [], { env: { PGHOST: '127.0.0.1', PGPORT: String(sPort), PGUSER: 'postgres' } });
		assert.notEqual(again.code, 0, 'promoting a primary is refused');

		/* Every case answered 201 before the crash is on the new primary. */
		const q = `SELECT count(*) FROM cases WHERE id IN (${committed.join(',')})`;
		assert.equal(pgCount(admin(sPort, 'zhengtong'), q), committed.length);

		/* The process that ran before the fail-over: writes again. */
		let last = null;
		await waitFor(
			'the old process writing to the new primary',
			async () => {
				last = await request(node.url, 'POST', '/api/v1/cases', { token: tok, json: body, timeout: 5000 }).catch((e) => ({ status: 0, text: e.message }));
				return last.status === 201;
			},
			30000,
			500,
		).catch(() => assert.fail(`the running process did not recover: ${last?.status} ${last?.text?.slice(0, 300)}`));
		committed.push(last.json.id);

		/* A process started now, with the unchanged ZT_DB, serves too. */
		const fresh = await serve('after-failover', ztEnv);
		try {
			const t2 = await login(fresh.url, ZHANG_WEI);
			const r = await request(fresh.url, 'POST', '/api/v1/cases', { token: t2, json: await caseBody(fresh.url, t2, 'after failover') });
			assert.equal(r.status, 201, r.text);
			committed.push(r.json.id);
		} finally {
			await fresh.stop();
		}
		assert.equal(pgCount(admin(sPort, 'zhengtong'), `SELECT count(*) FROM cases WHERE id IN (${committed.join(',')})`), committed.length);
		const v = cli(['audit', 'verify'], ztEnv);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		/* The process that wrote last stopped cleanly: it signed its last records. */
		assert.match(v.stdout, /^audit chain intact: (\d+) records verified\nsigned by node key [0-9a-f]{16} up to record \1\n$/);
		console.log(`# fail-over to a serving process took ${Date.now() - t0} ms`);
	});
});
