/*
 * sharing.test.mjs - data sharing and exchange (数据共享交换), docs/sharing.md.
 *
 * Test plan (clock frozen at T0 = Mon 2026-03-02 10:00 +08:00; the node is
 * restarted at T1 = Tue 2026-03-17 09:00, after the 10-working-day answer
 * time of a request made at T0, which ends Mon 2026-03-16):
 *   Data officers of 人社 (rs, provider), 民政 (mz, consumer), 市场监管 (scjg)
 *   and 卫健 (wj) are created by the sysadmin; citizens A and B and
 *   enterprise E register.
 *   1. Catalog: rs registers R1 社保参保信息 (unconditional; personal and
 *      sensitive fields whose masks default from their names), R2
 *      失业保险金发放 (conditional), R3 人事档案 (none); scjg registers R4
 *      企业登记信息 (subject = credit code). The stored masks are exact; bad
 *      bodies -> 400 naming every field (edge) or the first rule broken
 *      (legal_basis, key_field); a taken code -> 409; a clerk -> 403; search
 *      by text / share_type / dept and paging with limit=1.
 *   2. Rows: an upsert with one bad row (rows[2].id_number invalid_subject)
 *      changes nothing; good rows -> {inserted 2, updated 0}, then
 *      {inserted 0, updated 1}. CSV via the API (BOM, CRLF, a quoted value
 *      with a comma and a line break): 2 rows load (1 inserted, 1 updated)
 *      and 5 lines are refused whole with exact {line, field, reason,
 *      detail}; a bad header -> 400 naming header; not text/csv -> 415. CLI
 *      import: exit 1 with the rejected line on stderr and in --errors, the
 *      summary on stdout; an all-good file exits 0; no arguments exits 2.
 *      row_count always equals the rows stored.
 *   3. Unconditional: mz requests R1 -> 201 approved with a grant at once. A
 *      mz clerk reads A's row by key: exactly the granted fields, personal
 *      ones masked, clear_fields (name) clear, ungranted (monthly_base)
 *      absent. By filter: exact items; paging with a cursor; filtering on an
 *      ungranted field -> 400 field_not_granted naming it; no filter -> 400.
 *      An unknown key -> 404 (still recorded). Another department -> 403
 *      not_granted. Every call leaves exactly one access record (with its
 *      subjects and audit_seq = its audit row) and one share.access audit row.
 *   4. Conditional: pending, due 2026-03-16; the consumer cannot approve
 *      (403); approval with fewer fields (clear_fields outside them -> 400);
 *      the grant and the exchange carry exactly the approved fields (benefit
 *      masked full); approving again -> 409. scjg's request is refused with a
 *      reason (no reason -> 400). None: refused at once, reason not_shareable,
 *      no grant.
 *   5. Grants: a grant valid from 2026-03-16 -> 403 grant_not_started; rate
 *      limit 2/minute -> third call 429 rate_limited with Retry-After 60 and
 *      no access record; revocation by the provider -> the next call 403
 *      grant_revoked; again -> 409; by the consumer -> 403.
 *   6. API keys: mz makes a key (ztk_ + 43, stored as its SM3 hash only); it
 *      reads through the exchange (access record with api_key_id, no user);
 *      elsewhere -> 403; revoked -> 401; another department cannot revoke it.
 *   7. The data subject: citizen A lists exactly the accesses to A's rows
 *      (who: official name or "system: key name"), B only B's; enterprise E
 *      sees rs reading R4 about it; an official -> 403. Data officers list
 *      access records by side, resource and grant.
 *   8. Input validation: share requests name every bad field.
 *   9. `zhengtong audit verify` passes; access records = share.access audit
 *      rows.
 *  10. At T1: `zhengtong sla sweep` escalates the unanswered request once
 *      (share_overdue item with request_id for rs's supervisor, visible in
 *      GET /api/v1/supervision); a second sweep opens none. The grant that
 *      ended 2026-03-16 -> 403 grant_expired; the one from 03-16 now reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, badIdNumber, idNumber, login, newCitizen, startNode, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const T1 = '2026-03-17T09:00:00+08:00';
/* The demo node has resources, grants and accesses of its own: every
 * assertion is scoped to what this file makes (codes start with T5-). */
const R1 = 'T5-RS-SHEBAO';
const R2 = 'T5-RS-SHIYE';
const R3 = 'T5-RS-DANGAN';
const R4 = 'T5-SCJG-QIYE';
const MINE = [R1, R2, R3, R4];
const mine = (items) => items.filter((i) => MINE.includes(i.resource?.code ?? i.code));
const CREDIT_E = '91350100M000100Y43';
const CREDIT_OTHER = '914403001922038216';
const ADDRESS_B = '贵州省贵阳市\n南明区中华南路1号';

/* 18 characters: first 6 and last 4 kept. */
const maskId = (s) => s.slice(0, 6) + '********' + s.slice(14);

const R1_BODY = {
	code: R1,
	name: '社保参保信息',
	summary: '南明区参保人员的参保单位、缴费基数和参保状态',
	fields: [
		{ name: 'id_number', label: '身份证号', type: 'string', sensitivity: 'personal' },
		{ name: 'name', label: '姓名', type: 'string', sensitivity: 'personal' },
		{ name: 'phone', label: '手机号', type: 'string', sensitivity: 'sensitive' },
		{ name: 'employer', label: '参保单位', type: 'string', sensitivity: 'internal' },
		{ name: 'monthly_base', label: '缴费基数', type: 'number', sensitivity: 'internal' },
		{ name: 'insured', label: '参保状态', type: 'boolean', sensitivity: 'public' },
		{ name: 'since', label: '参保日期', type: 'date', sensitivity: 'public' },
		{ name: 'address', label: '住址', type: 'string', sensitivity: 'personal' },
	],
	key_field: 'id_number',
	subject_field: 'id_number',
	share_type: 'unconditional',
	share_method: 'api',
	open_type: 'closed',
	update_cycle: 'daily',
};

const R2_BODY = {
	code: R2,
	name: '失业保险金发放信息',
	fields: [
		{ name: 'id_number', label: '身份证号', type: 'string', sensitivity: 'personal' },
		{ name: 'name', label: '姓名', type: 'string', sensitivity: 'personal' },
		{ name: 'phone', label: '手机号', type: 'string', sensitivity: 'personal' },
		{ name: 'benefit', label: '月发放金额', type: 'integer', sensitivity: 'sensitive', mask: 'full' },
	],
	key_field: 'id_number',
	subject_field: 'id_number',
	share_type: 'conditional',
	share_conditions: '仅用于社会救助对象资格核查',
	legal_basis: '《社会救助暂行办法》第五十九条',
	share_method: 'both',
	open_type: 'closed',
	update_cycle: 'monthly',
};

const R3_BODY = {
	code: R3,
	name: '人事档案',
	fields: [{ name: 'id_number', label: '身份证号', type: 'string', sensitivity: 'personal' }],
	key_field: 'id_number',
	share_type: 'none',
	legal_basis: '《干部人事档案工作条例》',
	share_method: 'file',
	open_type: 'closed',
	update_cycle: 'yearly',
};

const R4_BODY = {
	code: R4,
	name: '企业登记信息',
	fields: [
		{ name: 'credit_code', label: '统一社会信用代码', type: 'string', sensitivity: 'public' },
		{ name: 'company', label: '企业名称', type: 'string', sensitivity: 'public' },
		{ name: 'legal_rep', label: '法定代表人', type: 'string', sensitivity: 'personal', mask: 'name' },
		{ name: 'capital', label: '注册资本（万元）', type: 'integer', sensitivity: 'internal' },
	],
	key_field: 'credit_code',
	subject_field: 'credit_code',
	share_type: 'unconditional',
	share_method: 'api',
	open_type: 'open',
	update_cycle: 'realtime',
};

describe('data sharing and exchange', () => {
	let node;
	let admin, rs, mz, scjg, wj, mzClerk, rsSupervisor;
	let depts = {};
	let A, B, E;
	let r1, r2, r3, r4;
	let g1, g2, gLate, gShort;
	let req2, reqWj;
	let key, keyId;
	const idC = idNumber('19800101', 31);
	const idG = idNumber('19810202', 32);

	const call = (method, path, token, json, headers) => api(node.url, method, path, { token, json, headers });
	const get = (path, token) => call('GET', path, token);
	const post = (path, token, json) => call('POST', path, token, json ?? {});
	const put = (path, token, json) => call('PUT', path, token, json);
	const problem = (r, status, type) => {
		assert.equal(r.status, status, r.text);
		assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
		assert.equal(r.json.type, `/problems/${type}`, r.text);
	};
	const fieldErrors = (r) => r.json.errors.map((e) => [e.field, e.reason]);
	const accessCount = (where = '1 = 1') => Number(node.count(`SELECT count(*) AS n FROM access_records WHERE ${where}`));
	const auditCount = () => Number(node.count("SELECT count(*) AS n FROM audit_log WHERE action = 'share.access'"));

	async function official(login_, dept, roles) {
		const r = await post('/api/v1/officials', admin, {
			login: login_,
			name: `数据专员 ${login_}`,
			password: DEMO_PASSWORD,
			dept_id: dept,
			roles,
		});
		assert.equal(r.status, 201, r.text);
		return login(node.url, login_);
	}

	before(async () => {
		node = await startNode({ now: T0 });
		admin = await login(node.url, 'admin');
		const d = await get('/api/v1/departments');
		for (const x of d.json.items ?? d.json) depts[x.name] = x.id;
		rs = await official('rs.share', depts['南明区人力资源和社会保障局'], ['data_officer']);
		mz = await official('mz.share', depts['南明区民政局'], ['data_officer']);
		scjg = await official('scjg.share', depts['南明区市场监督管理局'], ['data_officer']);
		wj = await official('wj.share', depts['贵阳市卫生健康委员会'], ['data_officer']);
		mzClerk = await login(node.url, 'mz.clerk');
		rsSupervisor = await login(node.url, 'rs.supervisor');
		A = await newCitizen(node.url, { name: '张三', seq: 21 });
		B = await newCitizen(node.url, { name: '李小明', seq: 22, phone: '13800001111' });
		let r = await post('/api/v1/auth/register', null, {
			kind: 'enterprise',
			name: '福州测试科技有限公司',
			credit_code: CREDIT_E,
			phone: '13900009999',
			password: DEMO_PASSWORD,
		});
		assert.equal(r.status, 201, r.text);
		E = { token: await login(node.url, CREDIT_E) };
	});
	after(async () => {
		await node?.stop();
	});

	it('registers resources in the catalog with masks and validation', async () => {
		let r = await post('/api/v1/resources', rs, R1_BODY);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.code, R1);
		r1 = r.json.id;
		assert.equal(r.headers.get('location'), `/api/v1/resources/${r1}`);

		r = await get(`/api/v1/resources/${r1}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(
			r.json.fields.map((f) => [f.name, f.mask ?? null]),
			[
				['id_number', 'id_number'],
				['name', 'name'],
				['phone', 'phone'],
				['employer', null],
				['monthly_base', null],
				['insured', null],
				['since', null],
				['address', 'partial'],
			],
		);
		assert.equal(r.json.department.name, '南明区人力资源和社会保障局');
		assert.equal(r.json.share_type, 'unconditional');
		assert.equal(r.json.subject_field, 'id_number');
		assert.equal(r.json.row_count, 0);
		assert.deepEqual(r.json.grants, []);

		r = await post('/api/v1/resources', rs, R2_BODY);
		assert.equal(r.status, 201, r.text);
		r2 = r.json.id;
		r = await post('/api/v1/resources', rs, R3_BODY);
		assert.equal(r.status, 201, r.text);
		r3 = r.json.id;
		r = await post('/api/v1/resources', scjg, R4_BODY);
		assert.equal(r.status, 201, r.text);
		r4 = r.json.id;

		// Edge checks name every bad field.
		r = await post('/api/v1/resources', rs, {
			code: 'bad code!',
			name: '',
			fields: [{ name: 'Bad', label: '坏', type: 'text', sensitivity: 'secret', mask: 'blur', extra: 1 }],
			key_field: 'Bad',
			share_type: 'sometimes',
			share_method: 'api',
			open_type: 'closed',
			update_cycle: 'hourly',
		});
		problem(r, 400, 'invalid');
		assert.deepEqual(fieldErrors(r), [
			['code', 'format'],
			['name', 'required'],
			['fields[0].extra', 'unknown_field'],
			['fields[0].type', 'enum'],
			['fields[0].sensitivity', 'enum'],
			['fields[0].mask', 'enum'],
			['share_type', 'enum'],
			['update_cycle', 'enum'],
		]);
		// Rules: conditional without a legal basis; the key must be a field.
		r = await post('/api/v1/resources', rs, { ...R2_BODY, code: 'RS-X', legal_basis: undefined });
		problem(r, 400, 'invalid');
		assert.deepEqual(fieldErrors(r), [['legal_basis', 'required']]);
		r = await post('/api/v1/resources', rs, { ...R1_BODY, code: 'RS-Y', key_field: 'nope' });
		assert.deepEqual(fieldErrors(r), [['key_field', 'unknown_field']]);
		r = await post('/api/v1/resources', rs, {
			...R1_BODY,
			code: 'RS-Z',
			fields: [{ name: 'employer', label: '单位', type: 'string', sensitivity: 'public', mask: 'full' }],
			key_field: 'employer',
			subject_field: undefined,
		});
		assert.deepEqual(fieldErrors(r), [['fields[0].mask', 'not_applicable']]);
		r = await post('/api/v1/resources', rs, R1_BODY);
		problem(r, 409, 'conflict');
		assert.deepEqual(fieldErrors(r), [['code', 'taken']]);
		r = await post('/api/v1/resources', mzClerk, { ...R1_BODY, code: 'MZ-1' });
		problem(r, 403, 'forbidden');
		assert.equal(node.count("SELECT count(*) AS n FROM data_resources WHERE code LIKE 'T5-%' OR code IN ('RS-X', 'RS-Y', 'RS-Z', 'MZ-1')"), 4);

		// Search: every official; text, share type, department; keyset paging.
		r = await get('/api/v1/resources?q=' + encodeURIComponent('T5-RS-SHE'), mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((i) => i.code), [R1]);
		assert.equal(r.json.next, null);
		r = await get('/api/v1/resources?q=' + encodeURIComponent('失业保险金发放'), mzClerk);
		assert.deepEqual(r.json.items.map((i) => i.code), [R2]);
		r = await get('/api/v1/resources?q=T5-&share_type=conditional', mzClerk);
		assert.deepEqual(r.json.items.map((i) => i.code), [R2]);
		r = await get(`/api/v1/resources?q=T5-&dept=${depts['南明区市场监督管理局']}`, mzClerk);
		assert.deepEqual(r.json.items.map((i) => [i.code, i.department.name]), [[R4, '南明区市场监督管理局']]);
		const seen = [];
		let path = '/api/v1/resources?q=T5-&limit=1';
		for (;;) {
			r = await get(path, mzClerk);
			assert.equal(r.status, 200, r.text);
			seen.push(...r.json.items.map((i) => i.code));
			if (r.json.next === null) break;
			path = '/api/v1/resources?q=T5-&limit=1&cursor=' + encodeURIComponent(r.json.next);
		}
		assert.deepEqual(seen, [R1, R2, R3, R4]);
		r = await get('/api/v1/resources?share_type=maybe', mzClerk);
		assert.deepEqual(fieldErrors(r), [['share_type', 'enum']]);
		problem(await get('/api/v1/resources', A.token), 403, 'forbidden');
	});

	it('updates a resource only as its provider, keeping the shape rows rely on', async () => {
		let r = await put(`/api/v1/resources/${r2}`, scjg, R2_BODY);
		problem(r, 403, 'other_department');
		r = await put(`/api/v1/resources/${r2}`, rs, { ...R2_BODY, summary: '按月更新' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.summary, '按月更新');
		r = await put(`/api/v1/resources/${r2}`, rs, { ...R2_BODY, code: 'OTHER' });
		problem(r, 422, 'rule_violation');
		assert.deepEqual(fieldErrors(r), [['code', 'immutable']]);
	});

	it('upserts rows all or nothing', async () => {
		const rowA = {
			id_number: A.idn,
			name: '张三',
			phone: '13712345678',
			employer: '贵阳某某科技有限公司',
			monthly_base: 6000,
			insured: true,
			since: '2018-03-01',
			address: '贵州省贵阳市南明区花果园',
		};
		const rowC = { id_number: idC, name: '王五', employer: '贵阳某某科技有限公司', insured: false };
		let r = await put(`/api/v1/resources/${r1}/rows`, rs, {
			rows: [rowA, rowC, { id_number: badIdNumber('19800101', 33), name: '错' }],
		});
		problem(r, 400, 'invalid');
		assert.deepEqual(r.json.errors, [
			{
				field: 'rows[2].id_number',
				reason: 'invalid_subject',
				detail: 'id_number must be a valid ID number or unified social credit code',
			},
		]);
		r = await put(`/api/v1/resources/${r1}/rows`, rs, { rows: [rowA, { ...rowC, insured: 'yes' }] });
		assert.deepEqual(fieldErrors(r), [['rows[1].insured', 'type']]);
		r = await put(`/api/v1/resources/${r1}/rows`, rs, { rows: [rowA, { ...rowC, salary: 1 }] });
		assert.deepEqual(fieldErrors(r), [['rows[1].salary', 'unknown_field']]);
		r = await put(`/api/v1/resources/${r1}/rows`, rs, { rows: [{ name: '无键' }] });
		assert.deepEqual(fieldErrors(r), [['rows[0].id_number', 'required']]);
		assert.equal(node.count(`SELECT count(*) AS n FROM resource_rows WHERE resource_id = ${r1}`), 0);

		r = await put(`/api/v1/resources/${r1}/rows`, rs, { rows: [rowA, rowC] });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { inserted: 2, updated: 0 });
		r = await put(`/api/v1/resources/${r1}/rows`, rs, { rows: [{ ...rowC, employer: '新单位' }] });
		assert.deepEqual(r.json, { inserted: 0, updated: 1 });
		/* encryption at rest: key and subject as blind indexes, the personal
		 * values encrypted (employer and insured are internal, in clear) */
		const stored = node.sql(`SELECT subject, data FROM resource_rows WHERE key = '${node.bi(idC)}'`);
		assert.deepEqual(stored.map((x) => x.subject), [node.bi(idC)]);
		const raw = JSON.parse(stored[0].data);
		assert.match(raw.id_number, /^enc1:\d+:/);
		assert.match(raw.name, /^enc1:\d+:/);
		assert.ok(!stored[0].data.includes(idC) && !stored[0].data.includes('王五'));
		assert.deepEqual(node.open(stored.map((x) => x.data)).map((x) => JSON.parse(x)), [
			{ employer: '新单位', id_number: idC, insured: false, name: '王五' },
		]);
		r = await put(`/api/v1/resources/${r1}/rows`, mz, { rows: [rowA] });
		problem(r, 403, 'other_department');

		r = await put(`/api/v1/resources/${r2}/rows`, rs, {
			rows: [
				{ id_number: A.idn, name: '张三', phone: '13712345678', benefit: 1800 },
				{ id_number: B.idn, name: '李小明', phone: '13800001111', benefit: 1650 },
			],
		});
		assert.deepEqual(r.json, { inserted: 2, updated: 0 });
		r = await put(`/api/v1/resources/${r4}/rows`, scjg, {
			rows: [
				{ credit_code: CREDIT_E, company: '福州测试科技有限公司', legal_rep: '陈大文', capital: 500 },
				{ credit_code: CREDIT_OTHER, company: '深圳某公司', legal_rep: '林小华', capital: 3000 },
			],
		});
		assert.deepEqual(r.json, { inserted: 2, updated: 0 });
		// Rows exist now: the key field and existing fields stay.
		r = await put(`/api/v1/resources/${r2}`, rs, { ...R2_BODY, fields: R2_BODY.fields.slice(0, 3) });
		problem(r, 422, 'rule_violation');
		assert.deepEqual(fieldErrors(r), [['fields', 'in_use']]);
	});

	it('imports CSV through the API: good rows load, bad lines are refused whole', async () => {
		const csv =
			'\uFEFFid_number,name,phone,employer,monthly_base,insured,since,address\r\n' +
			`${B.idn},李小明,13800001111,"贵阳某某有限公司, 南明分公司",5200.5,true,2019-07-01,"贵州省贵阳市\n南明区中华南路1号"\r\n` +
			`${badIdNumber('19800101', 34)},王五,13800002222,某公司,3000,false,2020-01-01,地址\r\n` +
			`${idNumber('19800101', 35)},赵六,13800003333,某公司,abc,true,2020-01-01,地址\r\n` +
			`${idNumber('19800101', 36)},"孙七"x,13800004444,某公司,1,true,2020-01-01,地址\r\n` +
			`${idNumber('19800101', 37)},周八,13800005555,某公司,100,true,2020-02-30,地址\r\n` +
			`${A.idn},张三,13712345678,贵阳某某科技有限公司,6100,true,2018-03-01,贵州省贵阳市南明区花果园\r\n` +
			`${idNumber('19800101', 38)},吴九,138,公司,1,true\r\n` +
			'\r\n';
		let r = await api(node.url, 'POST', `/api/v1/resources/${r1}/import`, {
			token: rs,
			body: csv,
			headers: { 'Content-Type': 'text/csv; charset=utf-8' },
		});
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, {
			loaded: 2,
			inserted: 1,
			updated: 1,
			rejected: 5,
			errors: [
				{
					line: 4,
					field: 'id_number',
					reason: 'invalid_subject',
					detail: 'id_number must be a valid ID number or unified social credit code',
				},
				{ line: 5, field: 'monthly_base', reason: 'type', detail: 'monthly_base must be a number' },
				{ line: 6, field: '', reason: 'quote', detail: 'text after a closing quote' },
				{ line: 7, field: 'since', reason: 'type', detail: 'since must be a date YYYY-MM-DD' },
				{ line: 9, field: '', reason: 'columns', detail: '6 values for 8 columns' },
			],
		});
		const b = node.sql(`SELECT data FROM resource_rows WHERE key = '${node.bi(B.idn)}' AND resource_id = ${r1}`);
		assert.deepEqual(JSON.parse(node.open([b[0].data])[0]), {
			address: ADDRESS_B,
			employer: '贵阳某某有限公司, 南明分公司',
			id_number: B.idn,
			insured: true,
			monthly_base: 5200.5,
			name: '李小明',
			phone: '13800001111',
			since: '2019-07-01',
		});
		assert.equal(node.count(`SELECT count(*) AS n FROM resource_rows WHERE resource_id = ${r1}`), 3);

		r = await api(node.url, 'POST', `/api/v1/resources/${r1}/import`, {
			token: rs,
			body: 'id_number,salary\n1,2\n',
			headers: { 'Content-Type': 'text/csv' },
		});
		problem(r, 400, 'invalid');
		assert.deepEqual(r.json.errors, [
			{ field: 'header', reason: 'unknown_field', detail: 'column 2 (salary) is not a field of the resource' },
		]);
		r = await api(node.url, 'POST', `/api/v1/resources/${r1}/import`, {
			token: rs,
			body: 'name\n张\n',
			headers: { 'Content-Type': 'text/csv' },
		});
		assert.deepEqual(fieldErrors(r), [['header', 'missing_key']]);
		r = await api(node.url, 'POST', `/api/v1/resources/${r1}/import`, {
			token: rs,
			body: 'id_number\n1\n',
			headers: { 'Content-Type': 'application/json' },
		});
		problem(r, 415, 'unsupported_media_type');
		r = await api(node.url, 'POST', `/api/v1/resources/${r1}/import`, {
			token: mz,
			body: 'id_number\n1\n',
			headers: { 'Content-Type': 'text/csv' },
		});
		problem(r, 403, 'other_department');
	});

	it('imports CSV with the CLI', async (t) => {
		const dir = mkdtempSync(join(tmpdir(), 'zt-csv-'));
		t.after(() => rmSync(dir, { recursive: true, force: true }));
		const file = join(dir, 'rows.csv');
		const errors = join(dir, 'errors.csv');
		writeFileSync(file, `id_number,name,phone\n${idG},郑十,13900001111\n${badIdNumber('19810202', 39)},错误,13900002222\n`);
		let r = node.cli(['resource', 'import', R1, file, '--errors', errors]);
		assert.equal(r.code, 1, r.stderr);
		assert.equal(r.stdout, `loaded 1 rows into ${R1} (1 inserted, 0 updated), 1 rejected\n`);
		assert.equal(
			r.stderr,
			'line 3: id_number: invalid_subject: id_number must be a valid ID number or unified social credit code\n',
		);
		assert.equal(
			readFileSync(errors, 'utf8'),
			'line,field,reason,detail\n3,id_number,invalid_subject,id_number must be a valid ID number or unified social credit code\n',
		);
		writeFileSync(file, `id_number,phone\n${idG},13900001112\n`);
		r = node.cli(['resource', 'import', R1, file]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `loaded 1 rows into ${R1} (0 inserted, 1 updated), 0 rejected\n`);
		assert.equal(r.stderr, '');
		r = node.cli(['resource', 'import', 'NO-SUCH', file]);
		assert.equal(r.code, 1);
		assert.equal(r.stderr, 'resource import: no such data resource\n');
		r = node.cli(['resource', 'import', R1]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /^usage: zhengtong resource import CODE FILE\.csv/);
		const counts = node.sql(
			'SELECT r.code, r.row_count, (SELECT count(*) FROM resource_rows x WHERE x.resource_id = r.id) AS n' +
				" FROM data_resources r WHERE r.code LIKE 'T5-%' ORDER BY r.id",
		);
		assert.deepEqual(
			counts.map((c) => [c.code, Number(c.row_count), Number(c.n)]),
			[
				[R1, 4, 4],
				[R2, 2, 2],
				[R3, 0, 0],
				[R4, 2, 2],
			],
		);
	});

	it('grants an unconditional request at once and reads through it by key', async () => {
		let r = await post('/api/v1/share-requests', mz, {
			resource: R1,
			fields: ['address', 'id_number', 'name', 'phone', 'employer', 'insured'],
			clear_fields: ['name'],
			purpose: '最低生活保障对象家庭经济状况核查',
			legal_basis: '《社会救助暂行办法》第十一条',
			valid_to: '2026-12-31',
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'approved');
		g1 = r.json.grant_id;
		assert.deepEqual(r.json, { id: r.json.id, status: 'approved', grant_id: g1 });
		r = await get(`/api/v1/grants/${g1}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(
			[r.json.fields, r.json.clear_fields, r.json.valid_from, r.json.valid_to, r.json.rate_limit, r.json.state],
			[['id_number', 'name', 'phone', 'employer', 'insured', 'address'], ['name'], '2026-03-02', '2026-12-31', 600, 'active'],
		);

		const before = accessCount();
		r = await get(`/api/v1/exchange/${g1}/rows/${A.idn}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, {
			grant: g1,
			resource: R1,
			row: {
				id_number: maskId(A.idn),
				name: '张三',
				phone: '137****5678',
				employer: '贵阳某某科技有限公司',
				insured: true,
				address: '贵州省******花果园',
			},
		});

		// Exactly one access record (with its subject and audit row) per call.
		assert.equal(accessCount(), before + 1);
		const rec = node.sql(
			`SELECT a.grant_id, a.user_id, a.api_key_id, a.purpose, a.query, a.rows, a.audit_seq,` +
				` l.action, l.object_type, l.object_id FROM access_records a` +
				` JOIN audit_log l ON l.seq = a.audit_seq WHERE a.grant_id = ${g1} ORDER BY a.id`,
		);
		assert.equal(rec.length, 1);
		const clerkId = node.count("SELECT id AS n FROM users WHERE login = 'mz.clerk'");
		assert.deepEqual(
			[rec[0].user_id, rec[0].api_key_id, rec[0].purpose, rec[0].query, Number(rec[0].rows)],
			[clerkId, null, '最低生活保障对象家庭经济状况核查', `key=${maskId(A.idn)}`, 1],
		);
		assert.deepEqual([rec[0].action, rec[0].object_type, rec[0].object_id], ['share.access', 'grant', String(g1)]);
		assert.deepEqual(
			node.sql(`SELECT subject FROM access_subjects WHERE access_id = (SELECT max(id) FROM access_records)`),
			[{ subject: node.bi(A.idn) }],
		);

		// B's row from the CSV import: quoted comma and line break, partial mask.
		r = await get(`/api/v1/exchange/${g1}/rows/${B.idn}`, mz);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, {
			id_number: maskId(B.idn),
			name: '李小明',
			phone: '138****1111',
			employer: '贵阳某某有限公司, 南明分公司',
			insured: true,
			address: '贵州省贵********南路1号',
		});

		// An unknown key: 404, recorded all the same (no subject).
		r = await get(`/api/v1/exchange/${g1}/rows/${idNumber('19700101', 1)}`, mzClerk);
		problem(r, 404, 'not_found');
		assert.equal(accessCount(), before + 3);
		assert.deepEqual(
			node.sql(`SELECT count(*) AS n FROM access_subjects WHERE access_id = (SELECT max(id) FROM access_records)`).map(
				(x) => Number(x.n),
			),
			[0],
		);
		// Other departments hold no such grant; citizens may not call at all.
		problem(await get(`/api/v1/exchange/${g1}/rows/${A.idn}`, scjg), 403, 'not_granted');
		problem(await get(`/api/v1/exchange/999/rows/${A.idn}`, mzClerk), 403, 'not_granted');
		problem(await get(`/api/v1/exchange/${g1}/rows/${A.idn}`, A.token), 403, 'forbidden');
		assert.equal(accessCount(), before + 3);
	});

	it('reads through a grant by filter, granted fields only', async () => {
		const before = accessCount();
		let r = await get(`/api/v1/exchange/${g1}/rows?employer=` + encodeURIComponent('贵阳某某科技有限公司'), mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, {
			grant: g1,
			resource: R1,
			items: [
				{
					id_number: maskId(A.idn),
					name: '张三',
					phone: '137****5678',
					employer: '贵阳某某科技有限公司',
					insured: true,
					address: '贵州省******花果园',
				},
			],
			next: null,
		});
		r = await get(`/api/v1/exchange/${g1}/rows?insured=true&limit=1`, mzClerk);
		assert.equal(r.status, 200, r.text);
		const keys = [r.json.items[0].id_number];
		assert.notEqual(r.json.next, null);
		r = await get(`/api/v1/exchange/${g1}/rows?insured=true&limit=1&cursor=${encodeURIComponent(r.json.next)}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		keys.push(r.json.items[0].id_number);
		assert.equal(r.json.next, null);
		/* rows come in the order of their stored keys (blind indexes) */
		assert.deepEqual([...keys].sort(), [A.idn, B.idn].map(maskId).sort());
		r = await get(`/api/v1/exchange/${g1}/rows?id_number=${idC}`, mzClerk);
		assert.deepEqual(r.json.items, [
			{ id_number: maskId(idC), name: '王五', phone: null, employer: '新单位', insured: false, address: null },
		]);
		assert.equal(accessCount(), before + 4);
		assert.deepEqual(
			node.sql('SELECT query, rows FROM access_records ORDER BY id DESC LIMIT 3').map((x) => [x.query, Number(x.rows)]),
			[
				[`id_number=${maskId(idC)}`, 1],
				['insured=true', 1],
				['insured=true', 1],
			],
		);

		r = await get(`/api/v1/exchange/${g1}/rows?monthly_base=6000`, mzClerk);
		problem(r, 400, 'invalid');
		assert.deepEqual(r.json.errors, [
			{ field: 'monthly_base', reason: 'field_not_granted', detail: 'the grant does not cover the field monthly_base' },
		]);
		r = await get(`/api/v1/exchange/${g1}/rows?salary=1`, mzClerk);
		assert.deepEqual(fieldErrors(r), [['salary', 'field_not_granted']]);
		r = await get(`/api/v1/exchange/${g1}/rows?insured=maybe`, mzClerk);
		assert.deepEqual(fieldErrors(r), [['insured', 'type']]);
		r = await get(`/api/v1/exchange/${g1}/rows?limit=5`, mzClerk);
		assert.deepEqual(fieldErrors(r), [['filter', 'required']]);
		assert.equal(accessCount(), before + 4);
	});

	it('waits for the provider on a conditional request and grants fewer fields', async () => {
		let r = await post('/api/v1/share-requests', mz, {
			resource: R2,
			fields: ['id_number', 'name', 'phone', 'benefit'],
			clear_fields: ['phone'],
			purpose: '社会救助对象资格核查',
			legal_basis: '《社会救助暂行办法》第五十九条',
			valid_to: '2026-12-31',
			rate_limit: 100,
		});
		assert.equal(r.status, 201, r.text);
		req2 = r.json.id;
		assert.deepEqual(r.json, { id: req2, status: 'pending', due: '2026-03-16' });
		assert.equal(node.count(`SELECT count(*) AS n FROM grants WHERE request_id = ${req2}`), 0);

		r = await get('/api/v1/share-requests?side=incoming&status=pending', rs);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(mine(r.json.items).map((i) => [i.id, i.consumer.name, i.requested_by.name, i.resource.code, i.due]), [
			[req2, '南明区民政局', '数据专员 mz.share', R2, '2026-03-16'],
		]);
		r = await get('/api/v1/share-requests?side=outgoing', mz);
		assert.deepEqual(mine(r.json.items).map((i) => [i.resource.code, i.status]), [
			[R2, 'pending'],
			[R1, 'approved'],
		]);
		problem(await get(`/api/v1/share-requests/${req2}`, scjg), 403, 'other_department');

		problem(await post(`/api/v1/share-requests/${req2}/approve`, mz, {}), 403, 'other_department');
		r = await post(`/api/v1/share-requests/${req2}/approve`, rs, {
			fields: ['id_number', 'benefit'],
			clear_fields: ['benefit'],
		});
		problem(r, 400, 'invalid');
		assert.deepEqual(fieldErrors(r), [['clear_fields[0]', 'not_requested']]);
		r = await post(`/api/v1/share-requests/${req2}/approve`, rs, { fields: ['id_number', 'salary'] });
		assert.deepEqual(fieldErrors(r), [['fields[1]', 'unknown_field']]);
		r = await post(`/api/v1/share-requests/${req2}/approve`, rs, {
			fields: ['benefit', 'id_number'],
			comment: '仅提供核查所需字段',
		});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'approved');
		assert.deepEqual([r.json.fields, r.json.clear_fields, r.json.reason], [['id_number', 'benefit'], [], '仅提供核查所需字段']);
		g2 = r.json.grant_id;
		r = await get(`/api/v1/grants/${g2}`, rs);
		assert.deepEqual([r.json.fields, r.json.clear_fields, r.json.rate_limit], [['id_number', 'benefit'], [], 100]);
		r = await post(`/api/v1/share-requests/${req2}/approve`, rs, {});
		problem(r, 409, 'conflict');

		r = await get(`/api/v1/exchange/${g2}/rows/${B.idn}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, { id_number: maskId(B.idn), benefit: '****' });

		// scjg asks too and is refused with a reason.
		r = await post('/api/v1/share-requests', scjg, {
			resource: R2,
			fields: ['id_number'],
			purpose: '企业年报核查',
			legal_basis: '《企业信息公示暂行条例》',
			valid_to: '2026-06-30',
		});
		assert.equal(r.json.status, 'pending', r.text);
		const reqS = r.json.id;
		r = await post(`/api/v1/share-requests/${reqS}/refuse`, rs, {});
		assert.deepEqual(fieldErrors(r), [['reason', 'required']]);
		r = await post(`/api/v1/share-requests/${reqS}/refuse`, rs, { reason: '用途不符合共享条件' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual([r.json.status, r.json.reason, r.json.grant_id], ['refused', '用途不符合共享条件', null]);
		r = await get(`/api/v1/share-requests/${reqS}`, scjg);
		assert.deepEqual([r.json.status, r.json.reason], ['refused', '用途不符合共享条件']);
		problem(await post(`/api/v1/share-requests/${reqS}/refuse`, rs, { reason: '再次拒绝' }), 409, 'conflict');

		// wj asks and nobody answers (escalated at the end).
		r = await post('/api/v1/share-requests', wj, {
			resource: R2,
			fields: ['id_number', 'benefit'],
			purpose: '医疗救助对象核查',
			legal_basis: '《医疗保障基金使用监督管理条例》',
			valid_to: '2026-12-31',
		});
		assert.equal(r.json.status, 'pending', r.text);
		reqWj = r.json.id;

		// None: refused at once.
		r = await post('/api/v1/share-requests', mz, {
			resource: R3,
			fields: ['id_number'],
			purpose: '档案核查',
			legal_basis: '不适用',
			valid_to: '2026-12-31',
		});
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, { id: r.json.id, status: 'refused', reason: 'not_shareable' });
		assert.equal(node.count(`SELECT count(*) AS n FROM grants WHERE request_id = ${r.json.id}`), 0);
	});

	it('refuses reads outside the grant period, over the rate limit and after revocation', async () => {
		const ask = (extra) =>
			post('/api/v1/share-requests', mz, {
				resource: R1,
				fields: ['id_number', 'insured'],
				purpose: '临时救助核查',
				legal_basis: '《社会救助暂行办法》第四十七条',
				valid_to: '2026-12-31',
				...extra,
			});
		let r = await ask({ valid_from: '2026-03-16' });
		gLate = r.json.grant_id;
		problem(await get(`/api/v1/exchange/${gLate}/rows/${A.idn}`, mzClerk), 403, 'grant_not_started');
		r = await ask({ valid_to: '2026-03-16' });
		gShort = r.json.grant_id;
		assert.equal((await get(`/api/v1/exchange/${gShort}/rows/${A.idn}`, mzClerk)).status, 200);

		r = await ask({ rate_limit: 2 });
		const gRate = r.json.grant_id;
		const before = accessCount();
		assert.equal((await get(`/api/v1/exchange/${gRate}/rows/${A.idn}`, mzClerk)).status, 200);
		assert.equal((await get(`/api/v1/exchange/${gRate}/rows?insured=true`, mzClerk)).status, 200);
		r = await get(`/api/v1/exchange/${gRate}/rows/${A.idn}`, mzClerk);
		problem(r, 429, 'rate_limited');
		assert.equal(r.headers.get('retry-after'), '60');
		assert.equal(r.json.detail, 'the grant allows 2 calls a minute; retry in 60 s');
		assert.equal(accessCount(), before + 2);

		r = await post(`/api/v1/grants/${g1}/revoke`, mz, { reason: '不再需要' });
		problem(r, 403, 'other_department');
		r = await post(`/api/v1/grants/${g1}/revoke`, rs, {});
		assert.deepEqual(fieldErrors(r), [['reason', 'required']]);
		assert.equal((await get(`/api/v1/exchange/${g1}/rows/${A.idn}`, mzClerk)).status, 200);
		r = await post(`/api/v1/grants/${g1}/revoke`, rs, { reason: '核查工作已结束' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual([r.json.status, r.json.state, r.json.revoke_reason], ['revoked', 'revoked', '核查工作已结束']);
		const n = accessCount();
		problem(await get(`/api/v1/exchange/${g1}/rows/${A.idn}`, mzClerk), 403, 'grant_revoked');
		problem(await get(`/api/v1/exchange/${g1}/rows?insured=true`, mzClerk), 403, 'grant_revoked');
		assert.equal(accessCount(), n);
		problem(await post(`/api/v1/grants/${g1}/revoke`, rs, { reason: '再次' }), 409, 'conflict');

		r = await get('/api/v1/grants?side=consumer&status=revoked', mzClerk);
		assert.deepEqual(mine(r.json.items).map((g) => g.id), [g1]);
		r = await get('/api/v1/grants?side=provider', rs);
		assert.deepEqual(mine(r.json.items).map((g) => [g.id, g.consumer.name]), [
			[gRate, '南明区民政局'],
			[gShort, '南明区民政局'],
			[gLate, '南明区民政局'],
			[g2, '南明区民政局'],
			[g1, '南明区民政局'],
		]);
		problem(await get('/api/v1/grants?side=provider', mzClerk), 403, 'wrong_role');
	});

	it('lets a department system read with an API key and nothing else', async () => {
		let r = await post('/api/v1/api-keys', mz, { name: '民政业务系统' });
		assert.equal(r.status, 201, r.text);
		key = r.json.key;
		keyId = r.json.id;
		assert.match(key, /^ztk_[A-Za-z0-9_-]{43}$/);
		const stored = node.sql(`SELECT key_hash FROM api_keys WHERE id = ${keyId}`)[0].key_hash;
		assert.match(stored, /^[0-9a-f]{64}$/);
		assert.equal(node.count(`SELECT count(*) AS n FROM api_keys WHERE key_hash = '${key}'`), 0);

		r = await get(`/api/v1/exchange/${g2}/rows/${A.idn}`, key);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, { id_number: maskId(A.idn), benefit: '****' });
		const rec = node.sql('SELECT user_id, api_key_id FROM access_records ORDER BY id DESC LIMIT 1')[0];
		assert.deepEqual([rec.user_id, Number(rec.api_key_id)], [null, keyId]);
		r = await get(`/api/v1/exchange/${g2}/rows?benefit=1650`, key);
		assert.deepEqual(r.json.items, [{ id_number: maskId(B.idn), benefit: '****' }]);

		// Nothing but the exchange (and public routes).
		problem(await get('/api/v1/resources', key), 403, 'forbidden');
		problem(await get('/api/v1/me', key), 403, 'forbidden');
		problem(await get('/api/v1/grants', key), 403, 'forbidden');
		problem(await post('/api/v1/api-keys', key, { name: '自己再造' }), 403, 'forbidden');
		assert.equal((await get('/api/v1/services', key)).status, 200);
		problem(await get(`/api/v1/exchange/${g2}/rows/${A.idn}`, 'ztk_' + 'A'.repeat(43)), 401, 'invalid_token');

		r = await get('/api/v1/api-keys', mz);
		assert.deepEqual(r.json.items.map((k) => [k.id, k.name, k.revoked_at, k.key]), [[keyId, '民政业务系统', null, undefined]]);
		problem(await post(`/api/v1/api-keys/${keyId}/revoke`, rs), 404, 'not_found');
		r = await post(`/api/v1/api-keys/${keyId}/revoke`, mz);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { id: keyId, status: 'revoked' });
		problem(await get(`/api/v1/exchange/${g2}/rows/${A.idn}`, key), 401, 'invalid_token');
		problem(await post(`/api/v1/api-keys/${keyId}/revoke`, mz), 409, 'already_revoked');
		problem(await get('/api/v1/api-keys', mzClerk), 403, 'forbidden');
	});

	it('shows a citizen and an enterprise who read their data', async () => {
		// rs reads enterprise E's registration through an unconditional grant.
		let r = await post('/api/v1/share-requests', rs, {
			resource: R4,
			fields: ['credit_code', 'company', 'legal_rep'],
			purpose: '参保单位信息核验',
			legal_basis: '《社会保险法》第五十七条',
			valid_to: '2026-12-31',
		});
		const g4 = r.json.grant_id;
		r = await get(`/api/v1/exchange/${g4}/rows/${CREDIT_E}`, rs);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, { credit_code: CREDIT_E, company: '福州测试科技有限公司', legal_rep: '陈**' });

		const mine = (tok) => get('/api/v1/me/data-access', tok);
		r = await mine(A.token);
		assert.equal(r.status, 200, r.text);
		const expectA = Number(
			node.count(`SELECT count(*) AS n FROM access_subjects WHERE subject = '${node.bi(A.idn)}'`),
		);
		assert.equal(r.json.items.length, expectA);
		assert.equal(r.json.next, null);
		assert.ok(expectA >= 8, `A was read ${expectA} times`);
		assert.deepEqual(r.json.items[0], {
			at: '2026-03-02T10:00:00+08:00',
			consumer: { id: depts['南明区民政局'], name: '南明区民政局' },
			by: 'system: 民政业务系统',
			resource: { code: R2, name: '失业保险金发放信息' },
			purpose: '社会救助对象资格核查',
			grant: g2,
			rows: 1,
		});
		assert.deepEqual(r.json.items.at(-1), {
			at: '2026-03-02T10:00:00+08:00',
			consumer: { id: depts['南明区民政局'], name: '南明区民政局' },
			by: '受理员 徐丽',
			resource: { code: R1, name: '社保参保信息' },
			purpose: '最低生活保障对象家庭经济状况核查',
			grant: g1,
			rows: 1,
		});
		// Paging walks the same list.
		const walked = [];
		let path = '/api/v1/me/data-access?limit=3';
		for (;;) {
			const p = await get(path, A.token);
			walked.push(...p.json.items);
			if (p.json.next === null) break;
			path = '/api/v1/me/data-access?limit=3&cursor=' + encodeURIComponent(p.json.next);
		}
		assert.deepEqual(walked, r.json.items);

		r = await mine(B.token);
		const expectB = Number(node.count(`SELECT count(*) AS n FROM access_subjects WHERE subject = '${node.bi(B.idn)}'`));
		assert.equal(r.json.items.length, expectB);
		assert.ok(expectB >= 3);
		assert.ok(r.json.items.every((i) => i.consumer.name === '南明区民政局'));
		assert.ok(!walked.some((i) => JSON.stringify(i).includes(B.idn)));

		r = await mine(E.token);
		assert.deepEqual(r.json.items, [
			{
				at: '2026-03-02T10:00:00+08:00',
				consumer: { id: depts['南明区人力资源和社会保障局'], name: '南明区人力资源和社会保障局' },
				by: '数据专员 rs.share',
				resource: { code: R4, name: '企业登记信息' },
				purpose: '参保单位信息核验',
				grant: g4,
				rows: 1,
			},
		]);
		problem(await mine(mzClerk), 403, 'forbidden');

		// Data officers: their department's reads, and reads of their resources.
		r = await get(`/api/v1/access-records?side=provider&resource=${R4}`, scjg);
		assert.deepEqual(r.json.items.map((x) => [x.grant, x.consumer.name, x.by, x.query, x.rows, x.subjects]), [
			[g4, '南明区人力资源和社会保障局', '数据专员 rs.share', `key=${CREDIT_E}`, 1, 1],
		]);
		r = await get(`/api/v1/access-records?side=consumer&grant=${g2}`, mz);
		assert.deepEqual(
			r.json.items.map((x) => [x.by, x.query, x.rows]),
			[
				['system: 民政业务系统', 'benefit=****', 1], /* a sensitive field's value is not kept */
				['system: 民政业务系统', `key=${maskId(A.idn)}`, 1],
				['受理员 徐丽', `key=${maskId(B.idn)}`, 1],
			],
		);
		const total = accessCount(`consumer_dept = ${depts['南明区民政局']}`);
		r = await get('/api/v1/access-records?limit=100', mz);
		assert.equal(r.json.items.length, total);
		r = await get(`/api/v1/access-records?side=provider&resource=${R1}`, mz);
		assert.deepEqual(r.json.items, []);
		r = await get(`/api/v1/access-records?side=provider&resource=${R1}&limit=100`, rs);
		assert.equal(r.json.items.length, accessCount(`resource_id = ${r1}`));
	});

	it('names every bad field of a share request', async () => {
		let r = await post('/api/v1/share-requests', mz, {
			resource: '',
			fields: [],
			purpose: 'x',
			valid_to: '2026/12/31',
			rate_limit: 0,
			color: 'red',
		});
		problem(r, 400, 'invalid');
		assert.deepEqual(fieldErrors(r), [
			['color', 'unknown_field'],
			['resource', 'required'],
			['fields', 'too_short'],
			['purpose', 'too_short'],
			['legal_basis', 'required'],
			['valid_to', 'format'],
			['rate_limit', 'range'],
		]);
		const base = { resource: R1, fields: ['id_number'], purpose: '核查', legal_basis: '依据', valid_to: '2026-12-31' };
		r = await post('/api/v1/share-requests', mz, { ...base, resource: 'NO-SUCH' });
		problem(r, 422, 'rule_violation');
		assert.deepEqual(fieldErrors(r), [['resource', 'unknown_resource']]);
		r = await post('/api/v1/share-requests', mz, { ...base, fields: ['id_number', 'salary'] });
		assert.deepEqual(fieldErrors(r), [['fields[1]', 'unknown_field']]);
		r = await post('/api/v1/share-requests', mz, { ...base, fields: ['id_number', 'id_number'] });
		assert.deepEqual(fieldErrors(r), [['fields[1]', 'duplicate']]);
		r = await post('/api/v1/share-requests', mz, { ...base, clear_fields: ['name'] });
		assert.deepEqual(fieldErrors(r), [['clear_fields[0]', 'not_requested']]);
		r = await post('/api/v1/share-requests', mz, { ...base, valid_to: '2026-03-01' });
		assert.deepEqual(fieldErrors(r), [['valid_to', 'past']]);
		r = await post('/api/v1/share-requests', mz, { ...base, valid_from: '2026-05-01', valid_to: '2026-04-30' });
		assert.deepEqual(fieldErrors(r), [['valid_to', 'range']]);
		r = await post('/api/v1/share-requests', rs, base);
		assert.deepEqual(fieldErrors(r), [['resource', 'own_resource']]);
		problem(await post('/api/v1/share-requests', mzClerk, base), 403, 'forbidden');
	});

	it('keeps the audit chain intact, one share.access record per access', async () => {
		assert.equal(accessCount(), auditCount());
		assert.equal(
			node.count(
				"SELECT count(*) AS n FROM access_records a JOIN audit_log l ON l.seq = a.audit_seq" +
					" WHERE l.action = 'share.access' AND l.object_id = CAST(a.grant_id AS TEXT)",
			),
			accessCount(),
		);
		const r = node.cli(['audit', 'verify']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /^audit chain intact: \d+ records verified\n/);
	});

	it('escalates an unanswered conditional request and ends grants on their day', async () => {
		let r = node.cli(['sla', 'sweep']);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(node.count(`SELECT count(*) AS n FROM supervision_items WHERE request_id = ${reqWj}`), 0);
		await node.restart({ now: T1 });
		mzClerk = await login(node.url, 'mz.clerk');
		rsSupervisor = await login(node.url, 'rs.supervisor');
		r = node.cli(['sla', 'sweep']);
		assert.equal(r.code, 0, r.stderr);
		const items = node.sql(
			"SELECT kind, case_id, request_id, dept_id, title, status, owner_id FROM supervision_items" +
				` WHERE request_id = ${reqWj}`,
		);
		const supId = node.count("SELECT id AS n FROM users WHERE login = 'rs.supervisor'");
		assert.deepEqual(
			items.map((i) => [i.case_id, Number(i.request_id), Number(i.dept_id), i.title, i.status, Number(i.owner_id)]),
			[
				[
					null,
					reqWj,
					depts['南明区人力资源和社会保障局'],
					`超期督办：共享申请 ${reqWj}（${R2}）超过10个工作日未答复`,
					'open',
					Number(supId),
				],
			],
		);
		r = node.cli(['sla', 'sweep']);
		assert.equal(node.count(`SELECT count(*) AS n FROM supervision_items WHERE request_id = ${reqWj}`), 1);
		r = await get('/api/v1/supervision', rsSupervisor);
		assert.equal(r.status, 200, r.text);
		const sup = r.json.items.filter((i) => i.request_id === reqWj);
		assert.deepEqual(
			sup.map((i) => [i.request_id, i.status, i.due_date]),
			[[reqWj, 'open', '2026-03-24']],
		);

		problem(await get(`/api/v1/exchange/${gShort}/rows/${A.idn}`, mzClerk), 403, 'grant_expired');
		r = await get(`/api/v1/exchange/${gLate}/rows/${A.idn}`, mzClerk);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, { id_number: maskId(A.idn), insured: true });
		r = await get(`/api/v1/grants/${gShort}`, mzClerk);
		assert.equal(r.json.state, 'expired');
		r = node.cli(['audit', 'verify']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
	});
});
