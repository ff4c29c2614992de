/*
 * encryption.test.mjs - encryption at rest (docs/security.md, "Encryption
 * at rest"; src/crypto/fieldenc.h, src/cli/keys_cli.h).
 *
 * Test plan (demo node, clock frozen at T0; PostgreSQL too with ZT_TEST_PG):
 *   1. Normal use: a citizen registers with ID number and phone and signs in
 *      by ID number; rs.data loads a 社会保险参保信息 row about them; they
 *      apply for 最低生活保障申请 whose insurance material is filled from
 *      shared data (once-only: exempted 1, source share); mz.clerk reads
 *      their row and the demo citizen 张伟's through the demo grant; an
 *      anonymous complaint leaves a contact name and phone.
 *      The case form carries a contact phone (as a string and as a number),
 *      a family member's ID number and relation inside a list, a family
 *      size and an address: every one of its values is stored sealed.
 *   2. The raw database holds none of the ID numbers and phones used (the
 *      new citizen's, the demo's, the complaint's, the form's) nor the
 *      form's address: SQLite, the bytes of the
 *      database file and its -wal; PostgreSQL, every row of every table as
 *      text. `keys status` counts encrypted values and indexes, 0 clear.
 *   3. Lookups still work: login by ID number (the lower-case x form too for
 *      an X check character is covered by input.test.mjs), the exchange by
 *      key, the citizen's /me/data-access naming both reads, /me with the
 *      masked phone.
 *   4. `keys rotate` while the server runs, then SIGHUP: `keys status` shows
 *      every value under version 2 and version 1 removable; `keys remove 1`
 *      drops it; login, exchange, /me, data-access and once-only still work;
 *      no value names version 1 in the database.
 *   5. `keys rotate --lookup`, SIGHUP: every index is on lookup version 2;
 *      login by ID number, exchange by key, /me/data-access (older reads
 *      included) and a new once-only case still work.
 *   6. One byte of a stored ciphertext changed by SQL: the exchange read of
 *      that row answers 500 with the problem type /problems/integrity and no
 *      clear or garbled value; the tampered phone shows as null on /me,
 *      never as garbage; the server logs the failed check.
 *   7. Start-up: without the key file the node refuses to start (naming the
 *      missing file); with a different key file it refuses (key mismatch);
 *      with the right one it serves again.
 *
 * Across nodes (贵州 and 广东 of tests/api/lib/fed.mjs, PostgreSQL too):
 *   8. A citizen registered at 广东 with ID number and phone applies there
 *      (全程网办) for a 贵州 item: the case.submit message is delivered and
 *      贵州 holds the case with the applicant's ID number. 广东's raw
 *      database holds neither the ID number nor the phone; every outbox
 *      payload is an enc1: value, and the case's opens to the clear message
 *      (applicant id_no and phone). The form's contact phone is sealed in
 *      广东's fed_cases.form and in 贵州's cases.form, and 贵州's clerk sees
 *      the form as sent.
 *   9. Upgrade: a clear payload left by an older version (a failed message,
 *      written by SQL), a received flow-back row in clear (a revoked
 *      subscription with clear fields id_no and name, its row keyed by the
 *      clear ID number) and the conversion mark of level 1: after a restart
 *      the payload is enc1: and opens to the same text; the row's id_no and
 *      name are enc1:, region_code stays, its key is the ID number's blind
 *      index and the row opens to the original; a case form in clear (an
 *      ID number inside a list, a phone, a purpose, a yes/no) has every
 *      string and number enc1: (true stays true), and the case page shows
 *      the original form; the mark is 5; a second restart changes nothing.
 *      The same from the mark of level 4 (ID numbers and phones sealed, the
 *      other values in clear): the rest is sealed too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startFederation, waitFor } from './lib/fed.mjs';
import { api, DEMO_PASSWORD, idNumber, login, pdf, rawDatabase, startNode, upload } from './lib/node.mjs';

const T0 = '2026-04-27T09:30:00+08:00';
const PG = Boolean(process.env.ZT_TEST_PG);

const ZHANG = '520102199003071236'; /* demo citizen 张伟 */
const LI = '520101198511200048'; /* demo citizen 李秀英 */
const IDN = idNumber('19880808', 71);
const PHONE = '13755550071';
const COMPLAINT_PHONE = '13655550072';
const FORM_PHONE = '13555550074';
const FORM_PHONE_NUM = 13455550075;
const SPOUSE = idNumber('19890909', 76);
const FORM = { 家庭人口: 3, 联系电话: FORM_PHONE, 备用电话: FORM_PHONE_NUM, 家庭成员: [{ 关系: '配偶', 身份证号: SPOUSE }], 住址: '南明区花果园社区 7 栋 1203 室' };
const SECRETS = [IDN, PHONE, COMPLAINT_PHONE, FORM_PHONE, String(FORM_PHONE_NUM), SPOUSE, ZHANG, LI, '13800005678', '13900001234', '13600009876', '13700001111', FORM.住址];
const MZ_ITEM = '520102-MZ-GF-001';
const RS_RES = '520102-RS-001';

describe('encryption at rest', () => {
	let node, cit, mzClerk, grant, caseCount = 0;

	before(async () => {
		node = await startNode({ now: T0 });
	});
	after(async () => {
		await node?.stop();
	});

	const call = (method, path, token, json) => api(node.url, method, path, { token, json });
	const masked = (id) => `${id.slice(0, 6)}********${id.slice(14)}`;

	/* Applies for 最低生活保障 with the two uploads; the insurance material
	 * comes from shared data. */
	async function onceOnly(token) {
		caseCount++;
		const files = [];
		for (const tag of ['members', 'income']) {
			const r = await upload(node.url, token, pdf(`encryption ${tag} ${caseCount}`));
			assert.equal(r.status, 201, r.text);
			files.push(r.json.id);
		}
		const r = await call('POST', '/api/v1/cases', token, {
			item_code: MZ_ITEM,
			form: FORM,
			materials: [
				{ seq: 1, name: '家庭成员身份证明.pdf', file: files[0] },
				{ seq: 2, name: '家庭收入情况声明.pdf', file: files[1] },
			],
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.exempted, 1);
		const m = r.json.materials.find((x) => x.source === 'share');
		assert.ok(m, 'a material filled from shared data');
		assert.match(m.ref, new RegExp(`^grant:${grant}/`));
		/* the form is stored sealed and shown as submitted */
		const [stored] = node.sql(`SELECT form FROM cases WHERE id = ${r.json.id}`);
		const f = JSON.parse(stored.form);
		for (const v of [f.家庭人口, f.联系电话, f.备用电话, f.家庭成员[0].身份证号, f.家庭成员[0].关系, f.住址]) assert.match(v, /^enc1:\d+:/);
		assert.ok(!stored.form.includes(FORM.住址) && !stored.form.includes('配偶'), stored.form);
		const got = await call('GET', `/api/v1/cases/${r.json.id}`, token);
		assert.equal(got.status, 200, got.text);
		assert.deepEqual(got.json.form, FORM);
		return r.json;
	}

	const exchange = (key) => call('GET', `/api/v1/exchange/${grant}/rows/${key}`, mzClerk);

	async function lookupsWork() {
		const t = await login(node.url, IDN);
		const me = await call('GET', '/api/v1/me', t);
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.login, masked(IDN));
		assert.equal(me.json.phone, '137****0071');
		assert.ok(await login(node.url, ZHANG));
		mzClerk = await login(node.url, 'mz.clerk');
		for (const key of [IDN, ZHANG]) {
			const r = await exchange(key);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.row.id_number, masked(key));
		}
		const d = await call('GET', '/api/v1/me/data-access', t);
		assert.equal(d.status, 200, d.text);
		return { token: t, access: d.json.items };
	}

	function status() {
		const r = node.cli(['keys', 'status']);
		assert.equal(r.code, 0, r.stderr);
		return r.stdout;
	}

	it('stores nothing in clear after normal use', async () => {
		let r = await call('POST', '/api/v1/auth/register', null, {
			kind: 'citizen',
			name: '加密测试',
			id_number: IDN,
			phone: PHONE,
			password: DEMO_PASSWORD,
		});
		assert.equal(r.status, 201, r.text);
		const token = await login(node.url, IDN);
		cit = { token, id: r.json.id };

		/* rs.data loads a row about the citizen into the insurance resource */
		const rs = await login(node.url, 'rs.data');
		r = await call('GET', `/api/v1/resources?q=${RS_RES}`, rs);
		const resId = r.json.items.find((x) => x.code === RS_RES).id;
		r = await call('PUT', `/api/v1/resources/${resId}/rows`, rs, {
			rows: [{ id_number: IDN, name: '加密测试', phone: PHONE, insured: '参保缴费', employer: '贵阳某某科技有限公司', since: '2020-01' }],
		});
		assert.equal(r.status, 200, r.text);

		/* once-only: the insurance material comes from the shared row */
		r = await call('GET', '/api/v1/services?q=' + encodeURIComponent('最低生活保障'));
		const item = r.json.items.find((x) => x.code === MZ_ITEM);
		r = await call('GET', `/api/v1/services/${item.id}/prefill`, token);
		assert.equal(r.status, 200, r.text);
		const pre = r.json.find((x) => x.source === 'share');
		grant = Number(/^grant:(\d+)$/.exec(pre.ref)[1]);
		await onceOnly(token);

		/* exchange reads by mz.clerk, and a complaint with a contact */
		mzClerk = await login(node.url, 'mz.clerk');
		for (const key of [IDN, ZHANG]) assert.equal((await exchange(key)).status, 200);
		r = await call('POST', '/api/v1/complaints', null, {
			about: 'department',
			dept_id: 1,
			content: '窗口排队时间过长，希望增加人手。',
			contact_name: '投诉人加密',
			contact_phone: COMPLAINT_PHONE,
		});
		assert.equal(r.status, 201, r.text);

		const raw = rawDatabase(node);
		for (const s of SECRETS) assert.ok(!raw.includes(s), `${s} is stored in clear`);
		const st = status();
		assert.match(st, /^clear values in encrypted columns: 0$/m);
		assert.match(st, /^ {2}enc 1: \d{2,} values \(current\)$/m);
		assert.match(st, /^ {2}idx 1: \d{2,} values \(current\)$/m);
		/* and the stored forms are what the design says */
		assert.equal(node.count(`SELECT count(*) FROM users WHERE id_number = '${node.bi(IDN)}' AND login = id_number`), 1);
		assert.deepEqual(node.open(node.sql(`SELECT phone, id_number_enc FROM users WHERE id = ${cit.id}`).flatMap((x) => [x.phone, x.id_number_enc])), [PHONE, IDN]);
	});

	it('still finds people by ID number: login, exchange, data-access', async () => {
		const { access } = await lookupsWork();
		const mine = access.filter((a) => a.grant === grant);
		assert.ok(mine.length >= 2, JSON.stringify(access)); /* the once-only read and mz.clerk's */
		assert.ok(mine.some((a) => /^办件 /.test(a.purpose)));
	});

	it('rotates the data key with the server running', async () => {
		const r = node.cli(['keys', 'rotate']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /every encrypted value is under data key version 2/);
		node.child.kill('SIGHUP');
		await new Promise((res) => setTimeout(res, 300));
		let st = status();
		assert.match(st, /^ {2}enc 1: 0 values \(removable\)$/m);
		assert.match(st, /^ {2}enc 2: \d{2,} values \(current\)$/m);
		assert.match(st, /^clear values in encrypted columns: 0$/m);
		const rm = node.cli(['keys', 'remove', '1']);
		assert.equal(rm.code, 0, rm.stderr);
		st = status();
		assert.doesNotMatch(st, /enc 1:/);
		assert.equal(node.count("SELECT count(*) FROM users WHERE phone LIKE 'enc1:1:%' OR id_number_enc LIKE 'enc1:1:%'"), 0);
		assert.equal(node.count("SELECT count(*) FROM resource_rows WHERE data LIKE '%enc1:1:%'"), 0);
		await lookupsWork();
		await onceOnly(cit.token);
		const raw = rawDatabase(node);
		for (const s of [IDN, PHONE, ZHANG]) assert.ok(!raw.includes(s), `${s} is stored in clear`);
	});

	it('rotates the lookup key; logins and lookups still work', async () => {
		const before = (await lookupsWork()).access.length;
		const r = node.cli(['keys', 'rotate', '--lookup']);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^lookup key version 2 is current: \d+ blind indexes recomputed/);
		node.child.kill('SIGHUP');
		await new Promise((res) => setTimeout(res, 300));
		const st = status();
		assert.match(st, /^ {2}idx 1: 0 values \(removable\)$/m);
		assert.match(st, /^ {2}idx 2: \d{2,} values \(current\)$/m);
		assert.match(node.bi(IDN), /^bi1:2:/);
		assert.equal(node.count(`SELECT count(*) FROM users WHERE id_number = '${node.bi(IDN)}' AND login = id_number`), 1);
		assert.equal(node.count("SELECT count(*) FROM users WHERE id_number LIKE 'bi1:1:%' OR login LIKE 'bi1:1:%'"), 0);
		const { token, access } = await lookupsWork();
		/* older reads still listed (two more reads by lookupsWork above) */
		assert.equal(access.length, before + 1);
		await onceOnly(token);
	});

	it('refuses a tampered ciphertext with a clear error, never garbage', async () => {
		/* one base64url character of the citizen's stored row changed */
		const key = node.bi(IDN);
		const where = `key = '${key}' AND resource_id = (SELECT id FROM data_resources WHERE code = '${RS_RES}')`;
		const [row] = node.sql(`SELECT data FROM resource_rows WHERE ${where}`);
		const m = /"name":"(enc1:\d+:)([A-Za-z0-9_-])/.exec(row.data);
		assert.ok(m, row.data);
		const flipped = m[2] === 'A' ? 'B' : 'A';
		const data = row.data.replace(m[0], `"name":"${m[1]}${flipped}`);
		node.sql(`UPDATE resource_rows SET data = '${data}' WHERE ${where}`);
		let r = await exchange(IDN);
		assert.equal(r.status, 500, r.text);
		assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
		assert.equal(r.json.type, '/problems/integrity', r.text);
		assert.match(r.json.detail, /integrity/);
		assert.ok(!r.text.includes('加密测试') && !r.text.includes(IDN));
		/* the other rows are unaffected */
		assert.equal((await exchange(ZHANG)).status, 200);

		/* the phone of the account: shown as null, never garbage */
		const [u] = node.sql(`SELECT phone FROM users WHERE id = ${cit.id}`);
		const p = u.phone.replace(/(enc1:\d+:)(.)/, (_, a, c) => a + (c === 'A' ? 'B' : 'A'));
		node.sql(`UPDATE users SET phone = '${p}' WHERE id = ${cit.id}`);
		r = await call('GET', '/api/v1/me', cit.token);
		if (r.status === 200) assert.equal(r.json.phone, null, r.text);
		else assert.equal(r.status, 500, r.text);
		assert.match(node.log(), /bad_mac|integrity|failed its (integrity|authentication) check/i);
	});

	it('refuses to start without the key file or with another one', async () => {
		const file = join(node.dataDir, 'data.key');
		await node.stop();
		renameSync(file, `${file}.away`);
		/* `serve` exits at once when it refuses (a served port would hang here) */
		let r = node.cli(['serve']);
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /data key file .*data\.key is missing, but the database holds data encrypted under it/);
		const secret = () => randomBytes(32).toString('base64url');
		writeFileSync(file, `current 1\nlookup 1\nenc 1 ${secret()}\nenc 2 ${secret()}\nidx 1 ${secret()}\nidx 2 ${secret()}\n`, { mode: 0o600 });
		r = node.cli(['serve']);
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /does not match|mismatch|different key|another key/i);
		assert.doesNotMatch(r.stderr, /zhengtong serving/);
		renameSync(`${file}.away`, file);
		await node.restart();
		const t = await login(node.url, IDN);
		assert.equal((await call('GET', '/api/v1/me', t)).status, 200);
	});
});

describe('encryption at rest across nodes', () => {
	const RS_ITEM = '520000-RS-GF-101';
	const FED_IDN = idNumber('19870202', 73);
	const FED_PHONE = '13755550073';
	const FED_FORM = { purpose: '工作调动', 联系电话: '13355550077' };
	let fed, gz, gd;

	before(async () => {
		fed = await startFederation({ which: ['gz', 'gd'] });
		({ gz, gd } = fed);
	});
	after(async () => {
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	it('keeps outbox payloads encrypted; the case still arrives', async () => {
		let r = await gd.call('POST', '/api/v1/auth/register', {
			json: { kind: 'citizen', name: '跨省加密', id_number: FED_IDN, phone: FED_PHONE, password: DEMO_PASSWORD },
		});
		assert.equal(r.status, 201, r.text);
		const files = [];
		for (const tag of ['id-card', 'second']) {
			const u = await api(gd.url, 'POST', '/api/v1/files', { token: await gd.token(FED_IDN), body: pdf(`fed enc ${tag}`), headers: { 'Content-Type': 'application/pdf' } });
			assert.equal(u.status, 201, u.text);
			files.push(u.json.id);
		}
		r = await gd.as(FED_IDN, 'POST', '/api/v1/fed/cases', {
			json: {
				mode: 'full_online', home_region: '520000', item_code: RS_ITEM, form: FED_FORM,
				materials: [{ seq: 1, name: '身份证', file: files[0] }, { seq: 2, name: '第二份材料', file: files[1] }],
			},
		});
		assert.equal(r.status, 201, r.text);
		const number = r.json.number;
		await waitFor(() => gz.count(`SELECT count(*) FROM cases WHERE fed_ref = '${number}'`) === 1, { what: 'the case at 贵州' });
		await waitFor(() => gd.count("SELECT count(*) FROM fed_outbox WHERE type = 'case.submit' AND status = 'delivered'") >= 1, { what: 'delivered' });
		/* 贵州 got the clear ID number: its shadow account is found by it */
		assert.equal(gz.count(`SELECT count(*) FROM users u JOIN cases c ON c.applicant_id = u.id WHERE c.fed_ref = '${number}' AND u.id_number = '${gz.bi(FED_IDN)}'`), 1);

		const raw = rawDatabase(gd);
		for (const v of [FED_IDN, FED_PHONE, FED_FORM.联系电话]) assert.ok(!raw.includes(v), `${v} is stored in clear at 广东`);
		/* the form: sealed at both nodes, as sent at 贵州 */
		assert.match(JSON.parse(gd.sql(`SELECT form FROM fed_cases WHERE number = '${number}'`)[0].form).联系电话, /^enc1:/);
		const [home] = gz.sql(`SELECT id, form FROM cases WHERE fed_ref = '${number}'`);
		assert.match(JSON.parse(home.form).联系电话, /^enc1:/);
		const hc = await gz.as('gz.rs.clerk', 'GET', `/api/v1/cases/${home.id}`);
		assert.equal(hc.status, 200, hc.text);
		assert.deepEqual(hc.json.form, FED_FORM);
		assert.deepEqual((await gd.as(FED_IDN, 'GET', `/api/v1/fed/cases/${r.json.id}`)).json.form, FED_FORM);
		const rows = gd.sql('SELECT type, payload FROM fed_outbox ORDER BY id');
		assert.ok(rows.length >= 1);
		assert.ok(rows.every((x) => /^enc1:\d+:[A-Za-z0-9_-]+$/.test(x.payload)), 'every payload is encrypted');
		const open = gd.open(rows.map((x) => x.payload)).map((x) => JSON.parse(x));
		const sub = open.filter((p, i) => rows[i].type === 'case.submit' && p.ref === number);
		assert.equal(sub.length, 1, JSON.stringify(open));
		assert.equal(sub[0].applicant.id_no, FED_IDN);
		assert.equal(sub[0].applicant.phone, FED_PHONE);
		const st = gd.cli(['keys', 'status']);
		assert.match(st.stdout, /^clear values in encrypted columns: 0$/m);
	});

	it('encrypts clear payloads and received rows of an older version at the next start', async () => {
		const clear = JSON.stringify({ ref: 'OLD-1', applicant: { id_no: FED_IDN, phone: FED_PHONE } });
		gd.sql(
			"INSERT INTO fed_outbox (message_id, recipient, type, payload, status, next_at, created_at)" +
				` VALUES ('old-clear-1', '520000', 'case.submit', '${clear}', 'failed', 0, 0)`,
		);
		gd.sql(
			"INSERT INTO fed_share_requests (kind, consumer_dept, provider_region, resource_code, resource_name, fields, clear_fields, purpose, state, submitted_at)" +
				` VALUES ('subscription', (SELECT min(id) FROM departments), '520000', '520000-GA-HJ-001', '户籍', '["id_no","name","region_code"]', '["id_no","name"]', '测试', 'revoked', 0)`,
		);
		const sub = gd.count('SELECT max(id) FROM fed_share_requests');
		const oldRow = JSON.stringify({ id_no: FED_IDN, name: '回流旧行', region_code: '520102' });
		gd.sql(`INSERT INTO fed_rows (request_id, key, seq, data, received_at) VALUES (${sub}, '${FED_IDN}', 1, '${oldRow}', 0)`);
		const oldForm = { purpose: '旧表单', 成员: [{ 身份证号: FED_IDN }], 电话: FED_PHONE, 同意: true };
		const [fc] = gd.sql("SELECT id FROM fed_cases ORDER BY id LIMIT 1");
		gd.sql(`UPDATE fed_cases SET form = '${JSON.stringify(oldForm)}' WHERE id = ${fc.id}`);
		gd.sql("UPDATE node_meta SET value = '1' WHERE key = 'fieldenc.converted'");
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE payload NOT LIKE 'enc1:%'"), 1);
		await gd.restart();
		const [row] = gd.sql("SELECT payload FROM fed_outbox WHERE message_id = 'old-clear-1'");
		assert.match(row.payload, /^enc1:/);
		assert.deepEqual(gd.open([row.payload]), [clear]);
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE payload NOT LIKE 'enc1:%'"), 0);
		const [fr] = gd.sql(`SELECT key, data FROM fed_rows WHERE request_id = ${sub}`);
		assert.equal(fr.key, gd.bi(FED_IDN));
		const sealed = JSON.parse(fr.data);
		assert.match(sealed.id_no, /^enc1:/);
		assert.match(sealed.name, /^enc1:/);
		assert.equal(sealed.region_code, '520102');
		assert.deepEqual(JSON.parse(gd.open([fr.data])[0]), JSON.parse(oldRow));
		const sf = JSON.parse(gd.sql(`SELECT form FROM fed_cases WHERE id = ${fc.id}`)[0].form);
		assert.match(sf.成员[0].身份证号, /^enc1:/);
		assert.match(sf.电话, /^enc1:/);
		assert.match(sf.purpose, /^enc1:/);
		assert.equal(sf.同意, true);
		assert.deepEqual((await gd.as(FED_IDN, 'GET', `/api/v1/fed/cases/${fc.id}`)).json.form, oldForm);
		assert.equal(gd.sql("SELECT value FROM node_meta WHERE key = 'fieldenc.converted'")[0].value, '5');
		await gd.restart();
		assert.equal(gd.sql("SELECT payload FROM fed_outbox WHERE message_id = 'old-clear-1'")[0].payload, row.payload);
		assert.deepEqual(gd.sql(`SELECT key, data FROM fed_rows WHERE request_id = ${sub}`), [fr]);
		/* from level 4: the values that were not ID numbers or phones */
		const l4 = { purpose: '四级表单', 份数: 2, 地址: '天河区体育西路 1 号' };
		gd.sql(`UPDATE fed_cases SET form = '${JSON.stringify(l4)}' WHERE id = ${fc.id}`);
		gd.sql("UPDATE node_meta SET value = '4' WHERE key = 'fieldenc.converted'");
		await gd.restart();
		const f4 = JSON.parse(gd.sql(`SELECT form FROM fed_cases WHERE id = ${fc.id}`)[0].form);
		for (const k of Object.keys(l4)) assert.match(f4[k], /^enc1:/, k);
		assert.deepEqual((await gd.as(FED_IDN, 'GET', `/api/v1/fed/cases/${fc.id}`)).json.form, l4);
		assert.equal(gd.sql("SELECT value FROM node_meta WHERE key = 'fieldenc.converted'")[0].value, '5');
	});
});
