/*
 * dbtools.test.mjs - `zhengtong db copy` between backends and `zhengtong backup`.
 *
 * Test plan (the clock is frozen at T0 = Mon 2026-03-02 10:00 +08:00 on every
 * node, so case deadlines render the same everywhere):
 *   Source: a node on SQLite (in the PostgreSQL pass too) with the demo data
 *   (cases submitted, accepted, approved) plus cases made through the API:
 *   needs_supplement, not_accepted, denied, and delivered with a visit and a
 *   2-star rating (which opens a bad_rating supervision item), a federation
 *   identity (`node init`: fed_nodes, node_meta) and a fed_seen row. Its answers
 *   to GET /api/v1/cases/N for every case, its search results and the
 *   session tokens used are taken before any copy; the source is not
 *   written to afterwards.
 *   1. CLI: `db copy` without --to -> exit 2 with the usage; --help -> exit 0
 *      with the usage; a missing SQLite source -> exit 1 and no file is
 *      created; the same file as source and target -> exit 1.
 *   2. SQLite -> SQLite while the source serves: exit 0; stderr shows
 *      progress ("copy: cases 10/10"); stdout says the row counts are equal and
 *      the audit chain intact with the source's record count. Every table
 *      holds exactly the source's rows (all columns, NULLs kept) and
 *      service_fts the same (rowid, name, guide) rows. `audit verify` on the
 *      copy exits 0 with the same count. A server on the copy answers every
 *      case with the same JSON (state, deadline, history, materials) using
 *      the source's session tokens, and searches give the same items.
 *   3. Copying again into the now non-empty target -> exit 1, the message
 *      names --force and the target is unchanged; with --force -> exit 0 and
 *      the same rows.
 *   3b. A source whose audit record 3 was altered: the copy fails its
 *      verification -> exit 1 naming sequence 3, and the target keeps no rows
 *      (the copy was rolled back).
 *   4. backup (SQLite) while the node serves: exit 0, prints the byte size
 *      and duration; the file opens with sqlite3, integrity_check is ok,
 *      journal_mode is delete (no -wal beside it, no .partial left) and every
 *      table has the source's row count. A second backup to the same PATH
 *      replaces it (exit 0). db copy from the backup restores the same rows
 *      and leaves the backup byte for byte as it was (read-only source).
 *   With ZT_TEST_PG (otherwise skipped, saying so):
 *   5. SQLite -> PostgreSQL: exit 0; every table holds the source's rows
 *      (compared as JSON; search_doc aside), search_doc is set for every
 *      item; `audit verify` on PostgreSQL exits 0; a server on it answers
 *      every case with the same JSON and searches give the same item sets.
 *   6. Copying into that (non-empty) PostgreSQL database -> exit 1.
 *   7. PostgreSQL -> SQLite: exit 0; every table and service_fts hold
 *      exactly the original source's rows; `audit verify` exits 0; a server
 *      on it answers every case with the same JSON.
 *   8. New writes continue the ids on the copies: on the PostgreSQL copy
 *      (identity sequences were set) and on the round-tripped SQLite copy, an
 *      upload and a new case get ids max + 1, and the audit chain stays intact.
 *   9. backup (PostgreSQL): exit 0; `pg_restore --list` reads the file and
 *      lists the data of every table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, BIN, DEMO_PASSWORD, login, newCitizen, pdf, startNode, upload } from './lib/node.mjs';
import { waitSigned } from '../lib/audit.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const PG = process.env.ZT_TEST_PG || '';
const ITEM = '520102-RS-GF-001';

/* Every copied table with the key its rows are ordered by. */
const TABLES = {
	regions: 'code',
	departments: 'id',
	users: 'id',
	sessions: 'token_hash',
	calendar_years: 'year',
	calendar_days: 'day',
	service_items: 'id',
	materials: 'id',
	files: 'id',
	cases: 'id',
	case_events: 'id',
	case_materials: 'id',
	visits: 'id',
	ratings: 'case_id',
	required_items: 'id',
	indicator_values: 'id',
	complaints: 'id',
	supervision_items: 'id',
	audit_log: 'seq',
	audit_head: 'id',
	node_meta: 'key',
	node_keys: 'key_id',
	audit_signatures: 'seq',
	license_types: 'code',
	licenses: 'id',
	data_resources: 'id',
	resource_rows: 'resource_id, key',
	share_requests: 'id',
	grants: 'id',
	api_keys: 'id',
	access_records: 'id',
	access_subjects: 'subject, access_id',
	fed_nodes: 'id',
	fed_seen: 'id',
	fed_outbox: 'id',
	fed_catalog: 'id',
	fed_catalog_cursors: 'child_region',
	fed_cases: 'id',
	fed_case_events: 'id',
	fed_share_requests: 'id',
	fed_share_access: 'id',
	fed_rows: 'request_id, key',
	fed_share_incoming: 'id',
	fed_share_served: 'id',
	fed_share_served_subjects: 'subject, served_id',
	datasets: 'id',
	dataset_versions: 'id',
	dev_api_keys: 'id',
};
const SEARCHES = ['失业', '营业执照', '证明'];

const work = mkdtempSync(join(tmpdir(), 'zt-dbtools-'));
const pgDatabases = [];

/* zhengtong with only the given ZT_* settings (none from our environment). */
function zt(args, env = {}) {
	const clean = {};
	for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ZT_')) clean[k] = v;
	const r = spawnSync(BIN, args, { cwd: work, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60000 });
	if (r.error) throw r.error;
	if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(r.stderr))
		throw new Error(`zhengtong ${args.join(' ')} reported a sanitizer error:\n${r.stderr}`);
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sqlite(file, query) {
	const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-json', file, query], { encoding: 'utf8', timeout: 20000 });
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
	const out = r.stdout.trim();
	return out === '' ? [] : JSON.parse(out);
}

function psql(url, args) {
	const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, ...args], {
		encoding: 'utf8',
		timeout: 20000,
	});
	if (r.error) throw r.error;
	if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
	return r.stdout;
}

function pgRows(url, query) {
	return JSON.parse(psql(url, ['-At', '-c', `SELECT coalesce(json_agg(t), '[]') FROM (${query}) t`]).trim());
}

function newPgDatabase(tag) {
	const name = `zt_copy_${process.pid}_${tag}`;
	psql(`${PG}/postgres`, ['-c', `DROP DATABASE IF EXISTS ${name}`, '-c', `CREATE DATABASE ${name}`]);
	pgDatabases.push(name);
	return `${PG}/${name}`;
}

/* Rows sorted by key in code point order (the backends collate text
 * differently), without the PostgreSQL-only search_doc. */
function sorted(rows, key) {
	for (const r of rows) delete r.search_doc;
	const keys = key.split(', ');
	const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
	return rows.sort((a, b) => keys.reduce((c, k) => c || cmp(a[k], b[k]), 0));
}

const sqliteTable = (file, t) => sorted(sqlite(file, `SELECT * FROM ${t}`), TABLES[t]);
const pgTable = (url, t) => sorted(pgRows(url, `SELECT * FROM ${t}`), TABLES[t]);
const ftsRows = (file) => sqlite(file, 'SELECT rowid AS id, name, guide FROM service_fts ORDER BY rowid');

after(() => {
	if (process.env.ZT_KEEP_DATA) return;
	rmSync(work, { recursive: true, force: true });
	for (const name of pgDatabases) {
		try {
			psql(`${PG}/postgres`, ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
		} catch {
			/* the cluster may already be gone */
		}
	}
});

describe('db copy and backup', () => {
	let src, srcDb;
	const tokens = {}; /* case id -> a token that may read it */
	let cases = []; /* [{id, json}] as the source answers */
	const searches = {}; /* query -> item codes in the source's order */
	let source = {}; /* table -> rows */
	let sourceFts;
	let auditCount;

	before(async () => {
		/* A SQLite source in both passes: ZT_DB unset selects data/zhengtong.db. */
		src = await startNode({ now: T0, env: { ZT_DB: undefined } });
		srcDb = join(src.dataDir, 'zhengtong.db');
		const post = async (path, tok, json, want = 200) => {
			const r = await api(src.url, 'POST', path, { token: tok, json });
			assert.equal(r.status, want, `${path}: ${r.text}`);
			return r.json;
		};
		const cit = await newCitizen(src.url, { name: '周迁移', seq: 41 });
		const clerk = await login(src.url, 'rs.clerk');
		const reviewer = await login(src.url, 'rs.reviewer');
		const f1 = await upload(src.url, cit.token, pdf('copy identity'));
		const f2 = await upload(src.url, cit.token, pdf('copy termination'));
		assert.equal(f1.status, 201);
		assert.equal(f2.status, 201);
		const submit = () =>
			post(
				'/api/v1/cases',
				cit.token,
				{
					item_code: ITEM,
					form: { 失业原因: '合同到期' },
					materials: [
						{ seq: 1, name: '身份证明.pdf', file: f1.json.id },
						{ seq: 2, name: '解除劳动关系证明.pdf', file: f2.json.id },
					],
				},
				201,
			);
		const a = await submit();
		await post(`/api/v1/cases/${a.id}/supplement`, clerk, { missing: ['解除劳动关系证明（盖章）'] });
		const b = await submit();
		await post(`/api/v1/cases/${b.id}/not-accept`, clerk, { reason: '不属于本部门受理范围' });
		const c = await submit();
		await post(`/api/v1/cases/${c.id}/accept`, clerk, {});
		await post(`/api/v1/cases/${c.id}/deny`, reviewer, { reason: '不符合申领条件' });
		const d = await submit();
		await post(`/api/v1/cases/${d.id}/accept`, clerk, { comment: '受理' });
		await post(`/api/v1/cases/${d.id}/visits`, clerk, { purpose: '窗口核验原件' }, 201);
		await post(`/api/v1/cases/${d.id}/approve`, reviewer, {});
		await post(`/api/v1/cases/${d.id}/deliver`, clerk, { delivery: 'window' });
		await post(`/api/v1/cases/${d.id}/rating`, cit.token, { stars: 2, comment: '等候时间太长' }, 201);

		/* Tokens that may read each case: its applicant's (all made now, so
		 * their sessions are part of every copy). */
		/* a citizen's login is their ID number, stored as its blind index
		 * (encryption at rest): sign in with the decrypted number */
		const applicants = sqlite(srcDb, 'SELECT c.id, u.login, u.id_number_enc FROM cases c JOIN users u ON u.id = c.applicant_id');
		const ids = src.open(applicants.map((x) => x.id_number_enc ?? ''));
		applicants.forEach((x, i) => {
			if (x.login.startsWith('bi1:')) x.login = ids[i];
		});
		const byLogin = {};
		for (const { id, login: l } of applicants) {
			byLogin[l] ??= await login(src.url, l, DEMO_PASSWORD);
			tokens[id] = byLogin[l];
		}
		for (const { id } of sqlite(srcDb, 'SELECT id FROM cases ORDER BY id')) {
			const r = await api(src.url, 'GET', `/api/v1/cases/${id}`, { token: tokens[id] });
			assert.equal(r.status, 200, r.text);
			cases.push({ id, json: r.json });
		}
		for (const q of SEARCHES) {
			const r = await api(src.url, 'GET', '/api/v1/services?q=' + encodeURIComponent(q));
			assert.equal(r.status, 200);
			searches[q] = r.json.items.map((i) => i.code);
			assert.ok(searches[q].length > 0, q);
		}
		/* Federation: this node's identity and a received message id. */
		const ni = src.cli(['node', 'init', '--region', '520102', '--name', '南明区节点', '--parent-region', '520100']);
		assert.equal(ni.code, 0, ni.stderr);
		sqlite(srcDb, "INSERT INTO fed_seen (sender, message_id, received_at) VALUES ('520100', '00112233445566778899aabbccddeeff', 1772416800)");
		/* The copies carry the head's SM2 signature (the source is SQLite even
		 * under ZT_TEST_PG). */
		await waitSigned((q) => Object.values(sqlite(srcDb, q)[0])[0]);
		/* The open data versions' row tables (dsr_<version id>) are copied too. */
		const dsr = sqlite(srcDb, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'dsr\\_%' ESCAPE '\\'").map((x) => x.name);
		assert.ok(dsr.length >= 2, 'the demo publishes datasets');
		for (const t of dsr) TABLES[t] = 'seq';
		for (const t of Object.keys(TABLES)) source[t] = sqliteTable(srcDb, t);
		sourceFts = ftsRows(srcDb);
		auditCount = source.audit_log.length;
	});
	after(async () => {
		await src?.stop();
	});

	it('has cases in every state to copy', () => {
		assert.deepEqual(
			[...new Set(source.cases.map((c) => c.state))].sort(),
			['accepted', 'approved', 'delivered', 'denied', 'needs_supplement', 'not_accepted', 'submitted'],
		);
		assert.equal(source.cases.length, 10, 'six demo cases and four of this test');
		assert.equal(source.ratings.length, 1);
		assert.equal(source.visits.length, 1);
		/* The demo's open complaint, then this test's bad rating. */
		assert.deepEqual(source.supervision_items.map((s) => s.kind), ['complaint', 'bad_rating']);
		assert.ok(source.sessions.length >= 4);
		assert.equal(sourceFts.length, source.service_items.length);
	});

	/* Every case answers as on the source; searches find the same items. */
	async function sameAnswers(node, { orderedSearch }) {
		for (const { id, json } of cases) {
			const r = await api(node.url, 'GET', `/api/v1/cases/${id}`, { token: tokens[id] });
			assert.equal(r.status, 200, `case ${id}: ${r.text}`);
			assert.deepEqual(r.json, json, `case ${id}`);
		}
		for (const q of SEARCHES) {
			const r = await api(node.url, 'GET', '/api/v1/services?q=' + encodeURIComponent(q));
			assert.equal(r.status, 200);
			const codes = r.json.items.map((i) => i.code);
			if (orderedSearch) assert.deepEqual(codes, searches[q], q);
			else assert.deepEqual([...codes].sort(), [...searches[q]].sort(), q);
		}
	}

	function assertCopied(r) {
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /^copy: cases 10\/10$/m);
		assert.match(r.stderr, /^copy: audit_log (\d+)\/\1$/m);
		assert.match(r.stdout, /row counts equal; audit chain intact \((\d+) records\)/);
		assert.equal(Number(/intact \((\d+) records\)/.exec(r.stdout)[1]), auditCount);
		assert.match(r.stdout, new RegExp(`^  cases +10$`, 'm'));
	}

	/* A copy or backup holds the source's encrypted fields: it is used with
	 * the source's key file (kept apart from database backups,
	 * docs/security.md), as a restore would. */
	const srcKey = () => ({ ZT_DATA_KEY_FILE: join(src.dataDir, 'data.key') });

	function assertAuditVerifies(env) {
		const v = zt(['audit', 'verify'], { ...env, ...srcKey() });
		assert.equal(v.code, 0, v.stdout + v.stderr);
		const [{ key_id: kid }] = source.node_keys;
		assert.equal(
			v.stdout,
			`audit chain intact: ${auditCount} records verified\nsigned by node key ${kid} up to record ${auditCount}\n`,
		);
	}

	it('refuses bad invocations', () => {
		let r = zt(['db', 'copy', '--from', srcDb]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /usage: zhengtong db copy --from URL --to URL \[--force\]/);
		r = zt(['db', 'copy', '--help']);
		assert.equal(r.code, 0);
		assert.match(r.stdout, /^Usage: zhengtong db copy --from URL --to URL \[--force\]/);
		r = zt(['backup', '--help']);
		assert.equal(r.code, 0);
		assert.match(r.stdout, /^Usage: zhengtong backup --to PATH/);
		const missing = join(work, 'missing.db');
		r = zt(['db', 'copy', '--from', missing, '--to', join(work, 'x.db')]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /no source database at .*missing\.db/);
		assert.equal(existsSync(missing), false);
		assert.equal(existsSync(join(work, 'x.db')), false);
		r = zt(['db', 'copy', '--from', srcDb, '--to', `sqlite:${srcDb}`]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /source and target are the same database/);
	});

	const sqliteCopy = join(work, 'copy.db');

	it('copies SQLite to SQLite while the source serves, row for row', async () => {
		const r = zt(['db', 'copy', '--from', srcDb, '--to', sqliteCopy]);
		assertCopied(r);
		for (const t of Object.keys(TABLES)) assert.deepEqual(sqliteTable(sqliteCopy, t), source[t], t);
		assert.deepEqual(ftsRows(sqliteCopy), sourceFts);
		assertAuditVerifies({ ZT_DB: sqliteCopy });
		const node = await startNode({ now: T0, init: false, env: { ZT_DB: sqliteCopy, ...srcKey() } });
		try {
			await sameAnswers(node, { orderedSearch: true });
		} finally {
			await node.stop();
		}
	});

	it('refuses a target that holds data unless --force', () => {
		const before = sqliteTable(sqliteCopy, 'audit_log');
		let r = zt(['db', 'copy', '--from', srcDb, '--to', sqliteCopy]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /already holds data \(\d+ users, \d+ audit records\); use --force to replace it/);
		assert.deepEqual(sqliteTable(sqliteCopy, 'audit_log'), before);
		r = zt(['db', 'copy', '--from', srcDb, '--to', sqliteCopy, '--force']);
		assertCopied(r);
		for (const t of Object.keys(TABLES)) assert.deepEqual(sqliteTable(sqliteCopy, t), source[t], t);
		assert.deepEqual(ftsRows(sqliteCopy), sourceFts);
	});

	it('names a broken audit chain, exits 1 and keeps nothing', () => {
		const tampered = join(work, 'tampered.db');
		const target = join(work, 'from-tampered.db');
		let r = zt(['db', 'copy', '--from', srcDb, '--to', tampered]);
		assert.equal(r.code, 0, r.stderr);
		sqlite(tampered, `UPDATE audit_log SET data = '{"x":1}' WHERE seq = 3`);
		r = zt(['db', 'copy', '--from', tampered, '--to', target]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /verification failed, nothing kept: the audit chain of the target is broken at sequence 3: record 3 was changed/);
		assert.match(r.stdout, /^db copy: FAILED: /m);
		assert.equal(sqlite(target, 'SELECT count(*) AS n FROM users')[0].n, 0);
		assert.equal(sqlite(target, 'SELECT count(*) AS n FROM audit_log')[0].n, 0);
	});

	it('backs up SQLite into a standalone, checked file', () => {
		const file = join(work, 'backup.db');
		for (let i = 0; i < 2; i++) {
			const r = src.cli(['backup', '--to', file]);
			assert.equal(r.code, 0, r.stderr);
			assert.match(r.stdout, /^backup: .*zhengtong\.db -> .*backup\.db: \d+ bytes \([\d.]+ MiB\) in [\d.]+ s, SQLite online backup, integrity check ok\n$/);
			assert.equal(existsSync(`${file}.partial`), false);
			assert.equal(existsSync(`${file}-wal`), false);
			assert.deepEqual(sqlite(file, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
			assert.deepEqual(sqlite(file, 'PRAGMA journal_mode'), [{ journal_mode: 'delete' }]);
			for (const t of Object.keys(TABLES))
				assert.equal(sqlite(file, `SELECT count(*) AS n FROM ${t}`)[0].n, source[t].length, t);
		}
		/* The backup restores with db copy, which only reads its source. */
		const digest = () => createHash('sha256').update(readFileSync(file)).digest('hex');
		const before = digest();
		const restored = join(work, 'restored.db');
		let r = zt(['db', 'copy', '--from', file, '--to', restored]);
		assertCopied(r);
		assert.equal(digest(), before);
		assert.deepEqual(sqlite(file, 'PRAGMA journal_mode'), [{ journal_mode: 'delete' }]);
		for (const t of Object.keys(TABLES)) assert.deepEqual(sqliteTable(restored, t), source[t], t);

		r = zt(['backup', '--to', join(work, 'b.db')], { ZT_DB: join(work, 'nothing.db') });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /no database at .*nothing\.db/);
	});

	describe('between SQLite and PostgreSQL', { skip: PG ? false : 'ZT_TEST_PG is not set: no PostgreSQL cluster to copy to' }, () => {
		let pgUrl;
		const back = join(work, 'back.db');

		it('copies SQLite to PostgreSQL', async () => {
			pgUrl = newPgDatabase('a');
			const r = zt(['db', 'copy', '--from', `sqlite:${srcDb}`, '--to', pgUrl]);
			assertCopied(r);
			for (const t of Object.keys(TABLES)) assert.deepEqual(pgTable(pgUrl, t), source[t], t);
			assert.deepEqual(
				pgRows(pgUrl, `SELECT id FROM service_items WHERE search_doc LIKE name || chr(10) || '%' ORDER BY id`).map((x) => x.id),
				source.service_items.map((x) => x.id),
			);
			assertAuditVerifies({ ZT_DB: pgUrl });
			const node = await startNode({ now: T0, init: false, env: { ZT_DB: pgUrl, ...srcKey() } });
			try {
				await sameAnswers(node, { orderedSearch: false });
			} finally {
				await node.stop();
			}
		});

		it('refuses the now non-empty PostgreSQL database', () => {
			const r = zt(['db', 'copy', '--from', srcDb, '--to', pgUrl]);
			assert.equal(r.code, 1);
			assert.match(r.stderr, /already holds data .*use --force/);
			assert.equal(pgRows(pgUrl, 'SELECT count(*) AS n FROM audit_log')[0].n, auditCount);
		});

		it('copies PostgreSQL back to SQLite unchanged', async () => {
			const r = zt(['db', 'copy', '--from', pgUrl, '--to', `sqlite:${back}`]);
			assertCopied(r);
			for (const t of Object.keys(TABLES)) assert.deepEqual(sqliteTable(back, t), source[t], t);
			assert.deepEqual(ftsRows(back), sourceFts);
			assertAuditVerifies({ ZT_DB: back });
			const node = await startNode({ now: T0, init: false, env: { ZT_DB: back, ...srcKey() } });
			try {
				await sameAnswers(node, { orderedSearch: true });
			} finally {
				await node.stop();
			}
		});

		it('continues ids after the copied rows on both copies', async () => {
			for (const db of [pgUrl, back]) {
				const node = await startNode({ now: T0, init: false, env: { ZT_DB: db, ...srcKey() } });
				try {
					const cit = await newCitizen(node.url, { name: '吴新户', seq: 42 });
					assert.equal(cit.user.id, Math.max(...source.users.map((u) => u.id)) + 1, db);
					const f1 = await upload(node.url, cit.token, pdf(`after copy 1 ${db}`));
					const f2 = await upload(node.url, cit.token, pdf(`after copy 2 ${db}`));
					assert.equal(f1.status, 201, f1.text);
					assert.equal(f2.status, 201, f2.text);
					const c = await api(node.url, 'POST', '/api/v1/cases', {
						token: cit.token,
						json: {
							item_code: ITEM,
							materials: [
								{ seq: 1, name: 'a.pdf', file: f1.json.id },
								{ seq: 2, name: 'b.pdf', file: f2.json.id },
							],
						},
					});
					assert.equal(c.status, 201, c.text);
					assert.equal(c.json.id, 11, db); // after the ten copied cases
					assert.equal(c.json.history.length, 1);
				} finally {
					await node.stop();
				}
				const v = zt(['audit', 'verify'], { ZT_DB: db, ...srcKey() });
				assert.equal(v.code, 0, v.stdout + v.stderr);
				/* The node that wrote on the copy signed its last records when it stopped. */
				assert.match(v.stdout, /^audit chain intact: (\d+) records verified\nsigned by node key [0-9a-f]{16} up to record \1\n$/);
				assert.ok(Number(/(\d+) records/.exec(v.stdout)[1]) > auditCount);
			}
			assert.deepEqual(
				pgRows(pgUrl, 'SELECT max(id) AS id FROM files')[0].id,
				Math.max(...source.files.map((f) => f.id)) + 2,
			);
		});

		it('backs up PostgreSQL with pg_dump into an archive pg_restore reads', () => {
			const file = join(work, 'backup.dump');
			const r = zt(['backup', '--to', file], { ZT_DB: pgUrl });
			assert.equal(r.code, 0, r.stderr);
			assert.match(r.stdout, /^backup: postgres:\/\/.* -> .*backup\.dump: \d+ bytes .* pg_dump custom format/);
			assert.equal(existsSync(`${file}.partial`), false);
			const l = spawnSync('pg_restore', ['--list', file], { encoding: 'utf8' });
			assert.equal(l.status, 0, l.stderr);
			for (const t of Object.keys(TABLES)) assert.match(l.stdout, new RegExp(`TABLE DATA public ${t} `), t);
		});
	});
});
