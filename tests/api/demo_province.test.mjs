/*
 * demo_province.test.mjs - `zhengtong demo province`: a small demo data set
 * for one province or city node of a federation.
 *
 * Test plan (one node, started with init: false, then `init --no-demo`):
 *   1. The empty node has no departments, users, items or resources.
 *   2. `demo province --region 440000 --prefix gd` exits 0 and prints the
 *      accounts (citizen first, then every official with roles and
 *      department) and the three item codes and the resource code.
 *   3. Database: exactly 4 departments of 440000 (政务服务管理办公室 the only
 *      oversight office, 厅 for a province code, English "440000 ..." names,
 *      credit codes 11 440000 P440000n + check chars, valid by GB 32100);
 *      exactly the 11 officials with their roles and departments; one citizen
 *      (ID 440000 19900307 123 + GB 11643 check char, phone 13944000088);
 *      exactly 3 published items with complete guides (depth 5, zero visits,
 *      fee 不收费, web+mobile+window+self-service, the cross modes, the
 *      materials); one conditional, closed resource with the five fields, key
 *      and subject id_no, masks id_number / name / partial; exactly 6 rows,
 *      all in 440000 (no child regions in the table), one of them the
 *      citizen, every ID number valid and led by its row's region code.
 *   4. One audit record per object: 4 department.create, 12 user.create,
 *      3 service.create, 3 service.publish, 1 resource.create, 1 resource.rows;
 *      `audit verify` exits 0.
 *   5. HTTP: gd.rs.clerk and the citizen sign in with the demo password and
 *      /me shows their role and department; GET /api/v1/services?q=养老 finds
 *      exactly 440000-RS-GF-101 with all three cross modes, and its guide is
 *      complete; gd.ga.data reads the resource with its masks and 6 rows.
 *   6. A second run exits 1 with "demo province: prefix gd already present"
 *      and changes no row of any table (audit_log included); another prefix on
 *      the same region exits 1 too (its codes are taken), nothing written.
 *   7. A city: `--region 520100 --prefix gy` gets 局 names (贵阳市公安局 ...)
 *      and its 6 rows: the citizen in 520100, then 2, 2, 1 in 520102, 520103,
 *      520111 (its first three child regions by code).
 *   8. Errors: unknown regions (999999, 710000, the root 000000, abc) exit
 *      1 naming --region; missing --region / --prefix, an option without
 *      value, an unknown option, a bad prefix and a bare `demo` exit 2 with
 *      the usage; nothing is written by any of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, DEMO_PASSWORD, idCheckChar, login, startNode } from './lib/node.mjs';

const CITIZEN = '44000019900307123' + idCheckChar('44000019900307123');
const ITEMS = ['440000-GA-XK-101', '440000-RS-GF-101', '440000-SCJG-XK-101'];
const RESOURCE = '440000-GA-HJ-001';
const OFFICIALS = [
	['gd.admin', 'sysadmin', '广东省政务服务管理办公室'],
	['gd.supervisor', 'supervisor', '广东省政务服务管理办公室'],
	['gd.rs.clerk', 'clerk', '广东省人力资源和社会保障厅'],
	['gd.rs.reviewer', 'reviewer', '广东省人力资源和社会保障厅'],
	['gd.rs.admin', 'dept_admin', '广东省人力资源和社会保障厅'],
	['gd.rs.data', 'data_officer', '广东省人力资源和社会保障厅'],
	['gd.ga.clerk', 'clerk,reviewer', '广东省公安厅'],
	['gd.ga.admin', 'dept_admin', '广东省公安厅'],
	['gd.ga.data', 'data_officer', '广东省公安厅'],
	['gd.scjg.clerk', 'clerk,reviewer', '广东省市场监督管理局'],
	['gd.scjg.admin', 'dept_admin', '广东省市场监督管理局'],
];
const ROLE_BITS = { clerk: 1, reviewer: 2, dept_admin: 4, data_officer: 8, supervisor: 16, sysadmin: 32 };
const TABLES = [
	'departments',
	'users',
	'service_items',
	'materials',
	'data_resources',
	'resource_rows',
	'audit_log',
];

/* GB 32100: the check character of a unified social credit code. */
const CC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditValid(cc) {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += CC_CHARS.indexOf(cc[i]) * CC_W[i];
	return CC_CHARS[(31 - (sum % 31)) % 31] === cc[17];
}

describe('demo province', () => {
	let node;

	const counts = () => Object.fromEntries(TABLES.map((t) => [t, node.count(`SELECT count(*) FROM ${t}`)]));

	before(async () => {
		node = await startNode({ init: false });
		const r = node.cli(['init', '--no-demo']);
		assert.equal(r.code, 0, r.stderr);
	});
	after(async () => {
		await node?.stop();
	});

	it('starts from an empty node', () => {
		const c = counts();
		for (const t of ['departments', 'users', 'service_items', 'data_resources', 'resource_rows'])
			assert.equal(c[t], 0, t);
	});

	it('creates the demo of 广东省 440000 and prints its accounts', () => {
		const r = node.cli(['demo', 'province', '--region', '440000', '--prefix', 'gd']);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.equal(lines[0], '广东省 440000 演示账号 Demo accounts (password 密码: Zhengtong@2026)');
		assert.match(lines[1], new RegExp(`^  ${CITIZEN} +市民 citizen 陈志强$`));
		for (let i = 0; i < OFFICIALS.length; i++) {
			const [l, roles, dept] = OFFICIALS[i];
			const re = `^  ${l.replace(/\./g, '\\.')} +\\S+ \\S+ \\(${roles}\\) ${dept}$`;
			assert.match(lines[2 + i], new RegExp(re));
		}
		assert.equal(lines[13], '服务事项 Service items (已发布 published)');
		const all = '跨域通办 全程网办、代收代办、多地联办';
		const squeeze = (l) => l.replace(/ +/g, ' ');
		assert.equal(squeeze(lines[14]), ` 440000-RS-GF-101 城镇职工基本养老保险关系转移接续 (广东省人力资源和社会保障厅; ${all})`);
		assert.equal(squeeze(lines[15]), ` 440000-GA-XK-101 户口迁入登记 (广东省公安厅; ${all})`);
		assert.equal(squeeze(lines[16]), ' 440000-SCJG-XK-101 食品经营许可 (广东省市场监督管理局; 跨域通办 全程网办、代收代办)');
		assert.equal(lines[17], '数据资源 Data resource');
		assert.equal(squeeze(lines[18]), ' 440000-GA-HJ-001 户籍人口基本信息 (广东省公安厅; 有条件共享 conditional; 6 行 rows)');
		assert.equal(lines.length, 19);
	});

	it('stores exactly the departments, officials and the citizen', () => {
		const depts = node.sql(
			'SELECT credit_code, name, name_en, region_code, oversight FROM departments ORDER BY id',
		);
		assert.deepEqual(
			depts.map((d) => [d.name, d.name_en, d.region_code, d.oversight]),
			[
				['广东省政务服务管理办公室', '440000 Government Services Office', '440000', 1],
				['广东省人力资源和社会保障厅', '440000 Human Resources and Social Security', '440000', 0],
				['广东省公安厅', '440000 Public Security', '440000', 0],
				['广东省市场监督管理局', '440000 Market Regulation', '440000', 0],
			],
		);
		depts.forEach((d, i) => {
			assert.match(d.credit_code, new RegExp(`^11440000P440000${i + 1}[0-9X][0-9A-Z]$`));
			assert.ok(creditValid(d.credit_code), d.credit_code);
		});

		const offs = node.sql(
			`SELECT u.login, u.roles, d.name AS dept FROM users u JOIN departments d ON d.id = u.dept_id
			 WHERE u.kind = 'official' ORDER BY u.id`,
		);
		assert.deepEqual(
			offs.map((o) => [o.login, o.roles, o.dept]),
			OFFICIALS.map(([l, roles, dept]) => [l, roles.split(',').reduce((a, x) => a | ROLE_BITS[x], 0), dept]),
		);
		/* encryption at rest: the ID number (and the login, which is it) as its
		 * blind index, the number itself and the phone encrypted */
		const applicants = node.sql(
			`SELECT kind, login, id_number, id_number_enc, name, phone, dept_id FROM users WHERE kind <> 'official'`,
		);
		assert.equal(applicants.length, 1);
		const [a] = applicants;
		assert.match(a.id_number_enc, /^enc1:\d+:/);
		assert.match(a.phone, /^enc1:\d+:/);
		assert.deepEqual(node.open([a.id_number_enc, a.phone]), [CITIZEN, '13944000088']);
		assert.deepEqual({ ...a, id_number_enc: undefined, phone: undefined }, {
			kind: 'citizen', login: node.bi(CITIZEN), id_number: node.bi(CITIZEN), id_number_enc: undefined, name: '陈志强', phone: undefined, dept_id: null,
		});
	});

	it('publishes the three items with complete guides and cross modes', () => {
		const items = node.sql(
			`SELECT i.code, i.name, i.type, i.target, d.name AS dept, i.region_code, i.legal_days,
			        i.promised_days, i.cross_modes, i.depth, i.max_visits, i.fee, i.channels, i.status,
			        i.process, length(i.conditions) > 10 AS c, length(i.legal_basis) > 10 AS b,
			        length(i.place) > 4 AS p, length(i.office_hours) > 4 AS h,
			        length(i.consult) > 4 AS q, length(i.complaint) > 4 AS k
			 FROM service_items i JOIN departments d ON d.id = i.dept_id ORDER BY i.code`,
		);
		const head = (i) => [i.code, i.name, i.type, i.target, i.dept, i.region_code, i.legal_days, i.promised_days, i.cross_modes];
		assert.deepEqual(items.map(head), [
			[ITEMS[0], '户口迁入登记', 'XK', 'citizen', '广东省公安厅', '440000', 10, 5, 7],
			[ITEMS[1], '城镇职工基本养老保险关系转移接续', 'GF', 'citizen', '广东省人力资源和社会保障厅', '440000', 15, 10, 7],
			[ITEMS[2], '食品经营许可', 'XK', 'both', '广东省市场监督管理局', '440000', 20, 10, 3],
		]);
		/* depth 5 (full_online needs it), zero visits, web+mobile+window+self-service. */
		for (const i of items) {
			assert.deepEqual(
				[i.depth, i.max_visits, i.fee, i.channels, i.status, i.c, i.b, i.p, i.h, i.q, i.k],
				[5, 0, '不收费', 15, 'published', 1, 1, 1, 1, 1, 1],
				i.code,
			);
			assert.equal(JSON.parse(i.process).length, 5, i.code);
		}
		const mats = node.sql(
			`SELECT i.code, m.name, m.required FROM materials m JOIN service_items i ON i.id = m.item_id ORDER BY i.code, m.seq`,
		);
		assert.deepEqual(
			mats.map((m) => [m.code, m.name, m.required]),
			[
				[ITEMS[0], '居民户口簿', 1],
				[ITEMS[0], '身份证', 1],
				[ITEMS[1], '身份证', 1],
				[ITEMS[1], '参保缴费凭证', 1],
				[ITEMS[2], '营业执照', 1],
				[ITEMS[2], '经营场所证明', 1],
			],
		);
	});

	it('registers the household register with 6 rows, one the citizen', () => {
		const [res] = node.sql(
			`SELECT r.code, r.name, d.name AS dept, r.key_field, r.subject_field, r.share_type, r.share_method,
			        r.open_type, r.update_cycle, r.fields, length(r.share_conditions) > 10 AS c, length(r.legal_basis) > 10 AS b
			 FROM data_resources r JOIN departments d ON d.id = r.dept_id`,
		);
		assert.equal(node.count('SELECT count(*) FROM data_resources'), 1);
		assert.deepEqual(
			{ ...res, fields: undefined },
			{
				code: RESOURCE, name: '户籍人口基本信息', dept: '广东省公安厅', key_field: 'id_no', subject_field: 'id_no',
				share_type: 'conditional', share_method: 'api', open_type: 'closed', update_cycle: 'daily', c: 1, b: 1,
				fields: undefined,
			},
		);
		assert.deepEqual(
			JSON.parse(res.fields).map((f) => [f.name, f.type, f.sensitivity, f.mask ?? null]),
			[
				['id_no', 'string', 'personal', 'id_number'],
				['name', 'string', 'personal', 'name'],
				['region_code', 'string', 'public', null],
				['household_address', 'string', 'sensitive', 'partial'],
				['registered_on', 'date', 'public', null],
			],
		);
		const raw = node.sql('SELECT key, data FROM resource_rows ORDER BY key');
		const rows = node.open(raw.map((r) => r.data)).map((d) => JSON.parse(d));
		assert.equal(rows.length, 6);
		/* stored with the key as blind index, id_no, name, address encrypted */
		raw.forEach((x, i) => {
			assert.equal(x.key, node.bi(rows[i].id_no));
			const d = JSON.parse(x.data);
			for (const f of ['id_no', 'name', 'household_address']) assert.match(d[f], /^enc1:\d+:/);
			assert.equal(d.region_code, rows[i].region_code);
		});
		assert.equal(new Set(rows.map((r) => r.id_no)).size, 6);
		for (const r of rows) {
			assert.equal(r.region_code, '440000');
			assert.equal(r.id_no.slice(0, 6), r.region_code);
			assert.equal(r.id_no[17], idCheckChar(r.id_no.slice(0, 17)), r.id_no);
			assert.match(r.household_address, /^广东省.+号/);
			assert.match(r.registered_on, /^\d{4}-\d{2}-\d{2}$/);
			assert.match(r.name, /^\p{Script=Han}{2,3}$/u);
		}
		assert.deepEqual(
			rows.filter((r) => r.id_no === CITIZEN).map((r) => r.name),
			['陈志强'],
		);
	});

	it('writes one audit record per object and keeps the chain intact', () => {
		const audit = Object.fromEntries(
			node.sql('SELECT action, count(*) AS n FROM audit_log GROUP BY action').map((r) => [r.action, r.n]),
		);
		assert.deepEqual(
			{ ...audit, 'calendar.load': undefined },
			{
				'department.create': 4, 'user.create': 12, 'service.create': 3, 'service.publish': 3,
				'resource.create': 1, 'resource.rows': 1, 'calendar.load': undefined,
			},
		);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stderr + v.stdout);
	});

	it('lets the clerk and the citizen sign in; the catalog finds 养老 with its cross modes', async () => {
		const clerk = await login(node.url, 'gd.rs.clerk');
		let r = await api(node.url, 'GET', '/api/v1/me', { token: clerk });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.kind, 'official');
		assert.deepEqual(r.json.roles, ['clerk']);
		assert.equal(r.json.department.name, '广东省人力资源和社会保障厅');
		assert.equal(r.json.department.region_code, '440000');

		const citizen = await login(node.url, CITIZEN, DEMO_PASSWORD);
		r = await api(node.url, 'GET', '/api/v1/me', { token: citizen });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.kind, 'citizen');
		assert.equal(r.json.name, '陈志强');
		assert.equal(r.json.login, '440000********' + CITIZEN.slice(14));
		assert.equal(r.json.phone, '139****0088');

		r = await api(node.url, 'GET', '/api/v1/services?q=' + encodeURIComponent('养老'));
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((i) => i.code), ['440000-RS-GF-101']);
		assert.deepEqual(r.json.items[0].cross_modes, ['full_online', 'proxy', 'multi_site']);
		assert.equal(r.json.next, null);

		const g = await api(node.url, 'GET', `/api/v1/services/${r.json.items[0].id}`);
		assert.equal(g.status, 200, g.text);
		assert.equal(g.json.status, 'published');
		assert.equal(g.json.promised_days, 10);
		assert.equal(g.json.legal_days, 15);
		assert.deepEqual(g.json.region, { code: '440000', name: '广东省' });
		assert.deepEqual(g.json.channels, ['web', 'mobile', 'window', 'self_service']);
		assert.equal(g.json.process.length, 5);
		assert.deepEqual(
			g.json.materials.map((m) => [m.name, m.required]),
			[['身份证', true], ['参保缴费凭证', true]],
		);

		const data = await login(node.url, 'gd.ga.data');
		const id = node.count(`SELECT id FROM data_resources WHERE code = '${RESOURCE}'`);
		r = await api(node.url, 'GET', `/api/v1/resources/${id}`, { token: data });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.code, RESOURCE);
		assert.equal(r.json.share_type, 'conditional');
		assert.equal(r.json.row_count, 6);
		assert.deepEqual(
			r.json.fields.map((f) => [f.name, f.mask ?? null]),
			[['id_no', 'id_number'], ['name', 'name'], ['region_code', null], ['household_address', 'partial'], ['registered_on', null]],
		);
	});

	it('refuses a second run and another prefix on the same region, writing nothing', () => {
		const before = counts();
		let r = node.cli(['demo', 'province', '--region', '440000', '--prefix', 'gd']);
		assert.equal(r.code, 1);
		assert.equal(r.stderr, 'demo province: prefix gd already present\n');
		assert.equal(r.stdout, '');
		assert.deepEqual(counts(), before);

		r = node.cli(['demo', 'province', '--region', '440000', '--prefix', 'gd2']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /^demo province: --region: .*440000.* exists\n$/);
		assert.deepEqual(counts(), before);
	});

	it('names a city\'s departments 局 and spreads its rows over the child regions', () => {
		const r = node.cli(['demo', 'province', '--region', '520100', '--prefix', 'gy']);
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(
			node.sql(`SELECT name, oversight FROM departments WHERE region_code = '520100' ORDER BY id`).map((d) => [d.name, d.oversight]),
			[
				['贵阳市政务服务管理办公室', 1],
				['贵阳市人力资源和社会保障局', 0],
				['贵阳市公安局', 0],
				['贵阳市市场监督管理局', 0],
			],
		);
		assert.equal(node.count(`SELECT count(*) FROM users WHERE login LIKE 'gy.%'`), 11);
		assert.equal(node.count(`SELECT count(*) FROM service_items WHERE code LIKE '520100-%' AND status = 'published'`), 3);
		const stored = node
			.sql(
				`SELECT k.data FROM resource_rows k JOIN data_resources r ON r.id = k.resource_id
				 WHERE r.code = '520100-GA-HJ-001'`,
			)
			.map((x) => x.data);
		const rows = node.open(stored).map((x) => JSON.parse(x));
		const byRegion = {};
		for (const x of rows) {
			byRegion[x.region_code] = (byRegion[x.region_code] || 0) + 1;
			assert.equal(x.id_no.slice(0, 6), x.region_code);
			assert.equal(x.id_no[17], idCheckChar(x.id_no.slice(0, 17)));
		}
		assert.deepEqual(byRegion, { 520100: 1, 520102: 2, 520103: 2, 520111: 1 });
		const cit = '52010019900307123' + idCheckChar('52010019900307123');
		assert.deepEqual(rows.filter((x) => x.id_no === cit).map((x) => [x.name, x.household_address]), [['陈志强', '贵阳市人民路 18 号']]);
		assert.ok(rows.some((x) => x.household_address.startsWith('贵阳市南明区')));
	});

	it('rejects unknown regions (exit 1) and bad arguments (exit 2), writing nothing', () => {
		const before = counts();
		for (const region of ['999999', '710000', '000000', 'abc']) {
			const r = node.cli(['demo', 'province', '--region', region, '--prefix', 'xx']);
			assert.equal(r.code, 1, `${region}: ${r.stderr}`);
			assert.match(r.stderr, new RegExp(`^demo province: --region: ${region} `));
		}
		const bad = [
			[['demo', 'province', '--prefix', 'xx'], /--region is required/],
			[['demo', 'province', '--region', '440000'], /--prefix is required/],
			[['demo', 'province', '--region', '440000', '--prefix'], /--prefix needs/],
			[['demo', 'province', '--region', '440000', '--prefix', 'xx', '--force'], /unknown argument --force/],
			[['demo', 'province', '--region', '440000', '--prefix', 'GD'], /--prefix: 1 to 16/],
			[['demo', 'province', '--region', '440000', '--prefix', 'a.b'], /--prefix: 1 to 16/],
			[['demo', 'province', '--region', '440000', '--prefix', 'abcdefg'], /18 characters/],
			[['demo'], /zhengtong demo province --region CODE --prefix P/],
			[['demo', 'nothing'], /zhengtong demo generate/],
		];
		for (const [args, msg] of bad) {
			const r = node.cli(args);
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, msg);
			assert.match(r.stderr, /usage: zhengtong demo province --region CODE --prefix P \[--config FILE\]/);
		}
		const h = node.cli(['demo', 'province', '--help']);
		assert.equal(h.code, 0);
		assert.match(h.stdout, /^Usage: zhengtong demo province --region CODE --prefix P/);
		assert.deepEqual(counts(), before);
	});
});
