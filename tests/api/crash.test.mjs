/*
 * crash.test.mjs - crash consistency: the node is killed with SIGKILL at
 * random moments while it answers concurrent case submissions and exchange
 * reads, again and again; what it answered 2xx must survive, and nothing may
 * be half-written.
 *
 * Test plan (real clock; one node for the whole file; ZT_CRASH_CYCLES, default
 * 50, cycles):
 *   Setup: the demo node; ROWS insured persons are imported into the demo
 *   resource 520102-RS-001 (`zhengtong resource import`), so every exchange
 *   read of a cycle has its own row key; 南明区民政局's data officer creates
 *   an API key and gets an (unconditional, rate limit far above the test)
 *   grant on it; both demo citizens upload one PDF each.
 *   Each cycle:
 *   1. SUBMITTERS clients send case submissions (POST /api/v1/cases, each with
 *      its own Idempotency-Key, the two citizens taking turns) and READERS
 *      clients exchange reads (GET /api/v1/exchange/{grant}/rows/{key} with the
 *      API key, a distinct key each), one request after another, all at once;
 *      after a random delay of 0-300 ms the server gets SIGKILL (requests in
 *      flight then fail; any answer other than 2xx or a dead connection fails
 *      the test). Every 2xx answer is recorded.
 *   2. The server is restarted on the same data and the database is checked:
 *      a. every submission answered 201 is in `cases` exactly once (found by
 *         its applicant and Idempotency-Key) with the id and case number the
 *         answer gave, state submitted, its one `submit` history event, its
 *         material and its `case.submit` audit record; every submission
 *         that died in flight is retried with its key: 200 with the same case
 *         if the crashed server had committed it, else 201; afterwards each
 *         key sent in the cycle has exactly one case;
 *      b. nothing half-written, over the whole database: no case without its
 *         submit event, its material row or its audit record; no event,
 *         material or audit record of a case that does not exist; every case
 *         has a case number; submissions not answered (killed in flight) may
 *         exist only whole and only with a key this test sent;
 *      c. every exchange read answered 200 has exactly one access record of
 *         this cycle (query key=<its key>, the API key, the grant) with its
 *         access subject and its `share.access` audit record (audit_seq ->
 *         audit_log); no access record of this cycle for a key not sent; no
 *         access record anywhere without its subject or audit record;
 *      d. `zhengtong audit verify` exits 0 (hash chain and head signature).
 *   3. After the last cycle the citizens' case lists (GET /api/v1/cases) hold
 *      every 2xx submission of every cycle, and at least one cycle killed the
 *      server with requests answered and others still in flight (so the kills
 *      did land during the traffic, not before or after it).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, demoGrant, idCheckChar, login, pdf, startNode, upload } from './lib/node.mjs';

const CYCLES = Number(process.env.ZT_CRASH_CYCLES || 50);
const SUBMITTERS = 12; /* concurrent clients */
const READERS = 12;
const ROWS = 2000;
const ITEM = '520102-RS-GG-002';
const RESOURCE = '520102-RS-001';
const CITIZENS = ['520102199003071236', '520101198511200048'];

const submission = (cit, tag) => ({
	item_code: ITEM,
	form: { reason: `崩溃测试 ${tag}` },
	materials: [{ seq: 1, name: '身份证明', file: cit.file }],
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ROWS distinct valid ID numbers: birth dates 1960-01-01 onwards, seq 1..50. */
function rowKeys() {
	const keys = [];
	for (let i = 0; keys.length < ROWS; i++) {
		const d = new Date(Date.UTC(1960, 0, 1 + Math.floor(i / 50)));
		const birth = d.toISOString().slice(0, 10).replace(/-/g, '');
		const first17 = `520103${birth}${String((i % 50) + 1).padStart(3, '0')}`;
		keys.push(first17 + idCheckChar(first17));
	}
	return keys;
}

/* A request that never throws: status 0 when the connection died. */
async function attempt(url, method, path, opts) {
	try {
		return await api(url, method, path, opts);
	} catch {
		return { status: 0, json: null, text: '' };
	}
}

describe('crash consistency (SIGKILL during concurrent writes)', () => {
	let node, grant, apiKey, apiKeyId;
	const citizens = []; /* {idn, token, file, userId} */
	const keys = rowKeys();
	const keyOfBi = new Map();
	const accepted = []; /* every 2xx submission: {cit, idem, id, case_no} */
	let readsOk = 0; /* exchange reads answered 200 */
	let retried = 0; /* submissions lost in flight and sent again */
	let replayed = 0; /* ... of which the crashed server had committed */
	let landed = 0; /* cycles killed with some answered and some in flight */
	const run = `c${process.pid}-${Date.now()}`;

	before(async () => {
		node = await startNode({ env: { ZT_THREADS: '8', ZT_LOG_LEVEL: 'error' } });
		// ROWS rows of the demo 参保 resource: one key per exchange read.
		const csv = join(node.dataDir, 'rows.csv');
		writeFileSync(
			csv,
			'id_number,name,phone,insured,employer,since\n' +
				keys.map((k, i) => `${k},测试${i},139${String(i).padStart(8, '0')},参保缴费,南明区第${i % 97}企业,2015-01`).join('\n') +
				'\n',
		);
		const imp = node.cli(['resource', 'import', RESOURCE, csv]);
		assert.equal(imp.code, 0, imp.stderr);

		({ apiKey, apiKeyId, grant } = await demoGrant(node.url, { keyName: '崩溃测试系统', purpose: '最低生活保障审核：核对参保状态（崩溃测试）' }));
		const r = await api(node.url, 'GET', `/api/v1/exchange/${grant}/rows/${keys[0]}`, { token: apiKey });
		assert.equal(r.status, 200, r.text);

		/* Access records name their subject by its blind index (encryption
		 * at rest): the key each index stands for. */
		const bis = node.cli(['keys', 'lookup', ...keys]);
		assert.equal(bis.code, 0, bis.stderr);
		bis.stdout.trim().split('\n').forEach((bi, i) => keyOfBi.set(bi, keys[i]));
		assert.equal(keyOfBi.size, keys.length);
		for (const [i, idn] of CITIZENS.entries()) {
			const token = await login(node.url, idn);
			const up = await upload(node.url, token, pdf(`crash-${i}`));
			assert.equal(up.status, 201, up.text);
			const userId = node.count(`SELECT id FROM users WHERE login = '${node.bi(idn)}'`); /* logins are blind indexes */
			citizens.push({ idn, token, file: up.json.id, userId });
		}
	});

	after(async () => {
		if (node) await node.stop();
	});

	it(`keeps every 2xx answer and nothing half-written over ${CYCLES} kills`, async () => {
		const t0 = Date.now();
		let nextKey = 1;
		for (let cycle = 0; cycle < CYCLES; cycle++) {
			const accessBefore = node.count('SELECT coalesce(max(id), 0) AS n FROM access_records');
			const url = node.url;
			const sent = [];
			const reads = [];
			/* SUBMITTERS + READERS clients, each sending one request after
			 * another until the kill. */
			let killed = false;
			const submitter = async (w) => {
				for (let n = 0; !killed; n++) {
					const cit = citizens[w % citizens.length];
					const s = { cit, idem: `${run}-${cycle}-${w}-${n}`, r: null };
					sent.push(s);
					s.r = await attempt(url, 'POST', '/api/v1/cases', {
						token: cit.token,
						headers: { 'Idempotency-Key': s.idem },
						json: submission(cit, `${cycle}/${w}/${n}`),
					});
				}
			};
			const reader = async () => {
				while (!killed) {
					const x = { key: keys[nextKey++ % keys.length], r: null };
					reads.push(x);
					x.r = await attempt(url, 'GET', `/api/v1/exchange/${grant}/rows/${x.key}`, { token: apiKey });
				}
			};
			const clients = [];
			for (let w = 0; w < SUBMITTERS; w++) clients.push(submitter(w));
			for (let w = 0; w < READERS; w++) clients.push(reader());
			await sleep(Math.floor(Math.random() * 301));
			killed = true;
			await node.restart({ crash: true });
			await Promise.all(clients);

			// What the server answered before it died. Anything else than 2xx
			// or a dead connection would be a bug of its own.
			const okSubs = [];
			const lost = [];
			for (const s of sent) {
				assert.ok(s.r.status === 0 || s.r.status === 201, `submission: ${s.r.status} ${s.r.text}`);
				if (s.r.status === 201) okSubs.push({ cit: s.cit, idem: s.idem, id: s.r.json.id, case_no: s.r.json.case_no });
				else lost.push(s);
			}
			const okReads = [];
			for (const x of reads) {
				assert.ok(x.r.status === 0 || x.r.status === 200, `exchange read: ${x.r.status} ${x.r.text}`);
				if (x.r.status === 200) okReads.push(x.key);
			}
			if (okSubs.length + okReads.length > 0 && lost.length > 0) landed++;
			accepted.push(...okSubs);
			readsOk += okReads.length;

			// a. every 201 submission, whole, exactly once.
			const mine = node.sql(
				`SELECT c.id, c.case_no, c.state, c.applicant_id, c.idem_key,` +
					` (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events,` +
					` (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'submit'` +
					`   AND e.to_state = 'submitted') AS submit_events,` +
					` (SELECT count(*) FROM case_materials m WHERE m.case_id = c.id) AS materials,` +
					` (SELECT count(*) FROM audit_log l WHERE l.action = 'case.submit'` +
					`   AND l.object_type = 'case' AND l.object_id = CAST(c.id AS TEXT)) AS audits` +
					` FROM cases c WHERE c.idem_key LIKE '${run}-${cycle}-%'`,
			);
			const byKey = new Map();
			for (const row of mine) {
				const k = `${row.applicant_id}/${row.idem_key}`;
				assert.ok(!byKey.has(k), `cycle ${cycle}: key ${k} stored twice`);
				byKey.set(k, row);
				// b. a submission nobody saw answered is still whole or absent.
				assert.ok(sent.some((s) => s.idem === row.idem_key && s.cit.userId === row.applicant_id), `stray case ${row.idem_key}`);
				assert.deepEqual(
					[row.state, Number(row.events), Number(row.submit_events), Number(row.materials), Number(row.audits)],
					['submitted', 1, 1, 1, 1],
					`cycle ${cycle}: case ${row.id} (${row.idem_key}) is half-written`,
				);
			}
			for (const s of okSubs) {
				const row = byKey.get(`${s.cit.userId}/${s.idem}`);
				assert.ok(row, `cycle ${cycle}: submission ${s.idem} answered 201 (case ${s.id}) is lost`);
				assert.deepEqual([Number(row.id), row.case_no], [Number(s.id), s.case_no]);
			}

			// A client whose submission died in flight retries it with the same
			// Idempotency-Key: a committed one is replayed (200, same case), an
			// uncommitted one is created now (201); either way exactly one case.
			for (const s of lost) {
				const before = byKey.get(`${s.cit.userId}/${s.idem}`);
				const r = await api(node.url, 'POST', '/api/v1/cases', {
					token: s.cit.token,
					headers: { 'Idempotency-Key': s.idem },
					json: submission(s.cit, s.idem.split('-').slice(-3).join('/')),
				});
				if (before) {
					assert.equal(r.status, 200, `retry of committed ${s.idem}: ${r.status} ${r.text}`);
					assert.equal(Number(r.json.id), Number(before.id));
				} else {
					assert.equal(r.status, 201, `retry of lost ${s.idem}: ${r.status} ${r.text}`);
				}
				accepted.push({ cit: s.cit, idem: s.idem, id: r.json.id, case_no: r.json.case_no });
				retried++;
				if (before) replayed++;
			}
			assert.equal(
				node.count(`SELECT count(*) AS n FROM cases WHERE idem_key LIKE '${run}-${cycle}-%'`),
				sent.length,
				`cycle ${cycle}: after the retries every submission exists exactly once`,
			);

			// c. every 200 exchange read has its access record, subject and audit record.
			const acc = node.sql(
				`SELECT a.id, a.query, a.grant_id, a.api_key_id, a.rows,` +
					` (SELECT min(s.subject) FROM access_subjects s WHERE s.access_id = a.id) AS subject,` +
					` (SELECT count(*) FROM access_subjects s WHERE s.access_id = a.id) AS subjects,` +
					` l.action, l.object_type, l.object_id` +
					` FROM access_records a LEFT JOIN audit_log l ON l.seq = a.audit_seq` +
					` WHERE a.id > ${accessBefore} ORDER BY a.id`,
			);
			const seen = new Map();
			const sentKeys = new Set(reads.map((x) => x.key));
			for (const a of acc) {
				const key = keyOfBi.get(a.subject) ?? a.query;
				assert.ok(sentKeys.has(key), `cycle ${cycle}: access record ${a.id} for a key not read: ${a.query}`);
				assert.ok(!seen.has(key), `cycle ${cycle}: two access records for one read of ${key}`);
				seen.set(key, a);
				assert.deepEqual(
					[Number(a.grant_id), Number(a.api_key_id), Number(a.rows), Number(a.subjects), a.action, a.object_type, a.object_id],
					[grant, apiKeyId, 1, 1, 'share.access', 'grant', String(grant)],
					`cycle ${cycle}: access record ${a.id} is half-written`,
				);
			}
			for (const key of okReads) assert.ok(seen.has(key), `cycle ${cycle}: read of ${key} answered 200 has no access record`);

			// b/c over the whole database: the tables one transaction writes together.
			const orphans = node.sql(
				`SELECT` +
					` (SELECT count(*) FROM cases c WHERE c.case_no IS NULL` +
					`   OR NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'submit')` +
					`   OR NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.action = 'case.submit'` +
					`     AND l.object_type = 'case' AND l.object_id = CAST(c.id AS TEXT))) AS cases_without,` +
					` (SELECT count(*) FROM cases c WHERE c.idem_key LIKE '${run}-%'` +
					`   AND NOT EXISTS (SELECT 1 FROM case_materials m WHERE m.case_id = c.id)) AS no_material,` +
					` (SELECT count(*) FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id)) AS events_without,` +
					` (SELECT count(*) FROM case_materials m WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = m.case_id)) AS materials_without,` +
					` (SELECT count(*) FROM audit_log l WHERE l.object_type = 'case'` +
					`   AND NOT EXISTS (SELECT 1 FROM cases c WHERE CAST(c.id AS TEXT) = l.object_id)) AS audits_without,` +
					` (SELECT count(*) FROM access_records a WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.seq = a.audit_seq` +
					`   AND l.action = 'share.access')) AS access_without_audit,` +
					` (SELECT count(*) FROM access_records a WHERE NOT EXISTS` +
					`   (SELECT 1 FROM access_subjects s WHERE s.access_id = a.id)) AS access_without_subject`,
			)[0];
			for (const k of Object.keys(orphans)) orphans[k] = Number(orphans[k]);
			assert.deepEqual(
				orphans,
				{
					cases_without: 0,
					no_material: 0,
					events_without: 0,
					materials_without: 0,
					audits_without: 0,
					access_without_audit: 0,
					access_without_subject: 0,
				},
				`cycle ${cycle}: half-written rows`,
			);

			// d. the audit chain.
			const v = await node.cliAsync(['audit', 'verify']);
			assert.equal(v.code, 0, `cycle ${cycle}: audit verify: ${v.stdout}${v.stderr}`);
		}

		// 3. the applicants see every accepted case (through the restarted server).
		for (const cit of citizens) {
			const token = await login(node.url, cit.idn);
			const ids = new Set();
			let cursor = '';
			for (;;) {
				const r = await api(node.url, 'GET', `/api/v1/cases?limit=100${cursor}`, { token });
				assert.equal(r.status, 200, r.text);
				for (const c of r.json.items) ids.add(Number(c.id));
				if (!r.json.next) break;
				cursor = `&cursor=${encodeURIComponent(r.json.next)}`;
			}
			for (const s of accepted.filter((a) => a.cit === cit)) assert.ok(ids.has(Number(s.id)), `case ${s.id} not listed`);
		}
		assert.ok(landed > 0, `no kill landed during the traffic (${CYCLES} cycles)`);
		console.log(
			`crash: ${CYCLES} kills, ${accepted.length} submissions answered 201, ` +
				`${readsOk} exchange reads answered 200, ${retried} retried (${replayed} had been committed), ${landed} kills mid-traffic, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
		);
	});
});
