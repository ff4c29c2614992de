/*
 * opendata.test.mjs - the open data portal (数据开放平台), datasets.
 *
 * Test plan (clock frozen at T0; the demo node's own resources are left
 * alone: this file registers its own, codes starting with T8-):
 *   Data officers of 市场监管 (scjg) and 民政 (mz) are made by the sysadmin.
 *   scjg registers OPEN (open type open; public fields plus a personal
 *   legal_rep), COND (conditional) and CLOSED (closed), and loads 5 rows
 *   into OPEN (one without rate).
 *   1. Publish refusals: a personal field -> 400 fields[1] not_public; an
 *      unknown field -> 400 fields[0] unknown_field; a duplicate -> 400
 *      fields[1] duplicate; CLOSED -> 422 resource not_open; COND -> 422
 *      conditional_open; bad metadata (license, update_frequency, empty
 *      keywords, bad day, temporal_to before from) -> 400 naming each; an
 *      unknown region -> 400 spatial[1] unknown_region; mz's officer on
 *      scjg's resource -> 403; a clerk -> 403; an unknown resource -> 404.
 *      No refusal leaves a dataset behind.
 *   2. Publish: 201 {id, code, version 1}; the snapshot in dataset_rows is
 *      exactly the 5 rows with the published fields only (no legal_rep, no
 *      internal tax), in key order, seq 1..5; an audit record
 *      dataset.publish; a taken code -> 409. GET /datasets/{id} shows metadata, the dictionary (labels as
 *      default descriptions, units) and versions [1].
 *   3. Republish after a row changes and one is added: version 2 has 6 rows,
 *      version 1 still the 5 old ones (queried with ?version=1); an unknown
 *      version -> 404 naming version; mz -> 403.
 *   3b. Downloads: version 1 as CSV is exact bytes (BOM, header, CRLF,
 *      absent value empty); version 2 quotes a value with a comma and
 *      quotes; JSON equals the rows; no personal field anywhere;
 *      download_count counts only successful downloads; bad format -> 400,
 *      unknown version -> 404 naming version.
 *   4. Rows: every operator (eq ne lt le gt ge in like) on integer, number,
 *      date, boolean and string fields with exact keys; rows without the
 *      field never match; fields= projects; sort asc/desc with paging by
 *      cursor across pages; last page next=null; empty result; limit 1
 *      paging without sort; invalid cursor, unknown field (fields, filter,
 *      sort), bad operator, like on a number, bad value type, malformed
 *      filter -> 400 naming the parameter; a personal field of the resource
 *      -> 400 (in fields= and in filter=). query_count counts queries.
 *   5. Catalog: search by q (title, keyword), facets (dept, theme, region,
 *      update_frequency), filters, paging with limit 1; withdraw -> not
 *      listed, GET and rows 404, withdrawing again -> 409, republishing a
 *      withdrawn dataset -> 409, another department -> 403; anonymous calls
 *      work for the public routes. `zhengtong audit verify` passes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, startNode, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';

const FIELDS = [
	{ name: 'reg_no', label: '注册号', type: 'string', sensitivity: 'public' },
	{ name: 'company', label: '企业名称', type: 'string', sensitivity: 'public' },
	{ name: 'legal_rep', label: '法定代表人', type: 'string', sensitivity: 'personal' },
	{ name: 'capital', label: '注册资本', type: 'integer', sensitivity: 'public' },
	{ name: 'rate', label: '抽检合格率', type: 'number', sensitivity: 'public' },
	{ name: 'founded', label: '成立日期', type: 'date', sensitivity: 'public' },
	{ name: 'active', label: '存续', type: 'boolean', sensitivity: 'public' },
	{ name: 'district', label: '所在区', type: 'string', sensitivity: 'public' },
	{ name: 'tax', label: '纳税额', type: 'integer', sensitivity: 'internal' },
];
const resource = (code, open_type) => ({
	code,
	name: `企业登记 ${code}`,
	fields: FIELDS,
	key_field: 'reg_no',
	share_type: 'unconditional',
	share_method: 'api',
	open_type,
	update_cycle: 'daily',
});
const ROWS = [
	{ reg_no: 'R001', company: '贵阳甲科技有限公司', legal_rep: '张三', capital: 100, rate: 1.5, founded: '2020-01-15', active: true, district: '南明区', tax: 9 },
	{ reg_no: 'R002', company: '贵阳乙商贸有限公司', legal_rep: '李四', capital: 500, rate: 2.25, founded: '2019-06-01', active: false, district: '云岩区', tax: 9 },
	{ reg_no: 'R003', company: '贵阳丙餐饮店', legal_rep: '王五', capital: 50, rate: 0.5, founded: '2021-03-10', active: true, district: '南明区', tax: 9 },
	{ reg_no: 'R004', company: '贵阳丁科技有限公司', legal_rep: '赵六', capital: 1000, rate: 3, founded: '2018-11-20', active: true, district: '观山湖区', tax: 9 },
	{ reg_no: 'R005', company: '贵阳戊物流有限公司', legal_rep: '钱七', capital: 300, founded: '2022-08-08', active: false, district: '南明区', tax: 9 },
];
const PUB = ['reg_no', 'company', 'capital', 'rate', 'founded', 'active', 'district'];
const project = (row, names = PUB) => Object.fromEntries(names.filter((n) => n in row).map((n) => [n, row[n]]));

const META = {
	resource: 'T8-OPEN',
	code: 'T8-DS-QIYE',
	title: '南明区企业登记信息',
	description: '南明区市场主体的注册号、名称、注册资本和存续状态',
	keywords: ['企业', '市场主体'],
	theme: '市场监管',
	license: 'CC-BY-4.0',
	update_frequency: 'daily',
	temporal_from: '2018-01-01',
	temporal_to: '2026-03-01',
	spatial: ['520102'],
	contact: '南明区市场监督管理局 0851-12345678',
	fields: ['reg_no', 'company', { name: 'capital', unit: '万元' }, 'rate', 'founded', 'active', { name: 'district', description: '企业住所所在区' }],
};

describe('open data portal', () => {
	let node, admin, scjg, mz, clerk, depts = {};
	let ds, ds2;

	const call = (method, path, token, json) => api(node.url, method, path, { token, json });
	const get = (path, token) => call('GET', path, token);
	const post = (path, token, json) => call('POST', path, token, json ?? {});
	const put = (path, token, json) => call('PUT', path, token, json);
	/* [status, first error field, its reason] */
	const err = (r) => [r.status, r.json?.errors?.[0]?.field, r.json?.errors?.[0]?.reason];
	const rows = (q) => get(`/api/v1/datasets/${ds}/rows${q}`);
	const keys = (r) => r.json.items.map((i) => i.reg_no);
	const datasets = () => Number(node.count('SELECT count(*) AS n FROM datasets'));

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
		node = await startNode({ now: T0, env: { ZT_OPENDATA_RATE_ANON: '0' } });
		admin = await login(node.url, 'admin');
		const d = await get('/api/v1/departments');
		for (const x of d.json.items ?? d.json) depts[x.name] = x.id;
		scjg = await official('scjg.open', depts['南明区市场监督管理局'], ['data_officer']);
		mz = await official('mz.open', depts['南明区民政局'], ['data_officer']);
		clerk = await login(node.url, 'mz.clerk');
		for (const [code, type] of [['T8-OPEN', 'open'], ['T8-COND', 'conditional'], ['T8-CLOSED', 'closed']]) {
			const r = await post('/api/v1/resources', scjg, resource(code, type));
			assert.equal(r.status, 201, r.text);
			if (code === 'T8-OPEN') {
				const u = await put(`/api/v1/resources/${r.json.id}/rows`, scjg, { rows: ROWS });
				assert.equal(u.status, 200, u.text);
				assert.equal(u.json.inserted, 5);
			}
		}
	});
	after(async () => {
		await node?.stop();
	});

	it('refuses what may not be published', async () => {
		const before_ = datasets();
		const cases = [
			[{ fields: ['reg_no', 'legal_rep'] }, [400, 'fields[1]', 'not_public']],
			[{ fields: ['reg_no', 'tax'] }, [400, 'fields[1]', 'not_public']],
			[{ fields: ['nope'] }, [400, 'fields[0]', 'unknown_field']],
			[{ fields: ['reg_no', 'reg_no'] }, [400, 'fields[1]', 'duplicate']],
			[{ resource: 'T8-CLOSED' }, [422, 'resource', 'not_open']],
			[{ resource: 'T8-COND' }, [422, 'resource', 'conditional_open']],
			[{ resource: 'T8-NONE' }, [404, 'resource', 'not_found']],
			[{ spatial: ['520102', '999999'] }, [400, 'spatial[1]', 'unknown_region']],
			[{ license: 'WTFPL' }, [400, 'license', 'enum']],
			[{ update_frequency: 'hourly' }, [400, 'update_frequency', 'enum']],
			[{ temporal_from: '2026/01/01' }, [400, 'temporal_from', 'format']],
			[{ temporal_to: '2017-12-31' }, [400, 'temporal_to', 'before_from']],
		];
		for (const [over, want] of cases) {
			const r = await post('/api/v1/datasets', scjg, { ...META, ...over });
			assert.deepEqual(err(r), want, JSON.stringify(over) + ' ' + r.text);
		}
		let r = await post('/api/v1/datasets', scjg, { ...META, keywords: [], title: undefined });
		assert.equal(r.status, 400);
		assert.deepEqual(
			r.json.errors.map((e) => e.field).sort(),
			['keywords', 'title'],
		);
		r = await post('/api/v1/datasets', mz, META);
		assert.deepEqual(err(r), [403, 'resource', 'other_department']);
		r = await post('/api/v1/datasets', clerk, META);
		assert.equal(r.status, 403);
		r = await post('/api/v1/datasets', null, META);
		assert.equal(r.status, 401);
		assert.equal(datasets(), before_);
	});

	it('publishes version 1 with an exact snapshot of the public fields', async () => {
		let r = await post('/api/v1/datasets', scjg, META);
		assert.equal(r.status, 201, r.text);
		assert.deepEqual({ code: r.json.code, version: r.json.version }, { code: META.code, version: 1 });
		ds = r.json.id;
		assert.equal(r.headers.get('location'), `/api/v1/datasets/${ds}`);

		/* The version's own table: one typed column per published field. */
		const vid = node.count(`SELECT id AS n FROM dataset_versions WHERE dataset_id = ${ds} AND version = 1`);
		const snap = node.sql(`SELECT * FROM dsr_${vid} ORDER BY seq`);
		const BOOL = new Set(['active']);
		assert.deepEqual(
			snap.map((x) => [
				Number(x.seq),
				Object.fromEntries(
					Object.entries(x)
						.filter(([k, v]) => k !== 'seq' && v !== null)
						.map(([k, v]) => [k.slice(2), BOOL.has(k.slice(2)) ? Number(v) === 1 : typeof v === 'string' && /^-?[0-9.]+$/.test(v) ? Number(v) : v]),
				),
			]),
			ROWS.map((row, i) => [i + 1, project(row)]),
		);
		assert.deepEqual(Object.keys(snap[0]).sort(), ['seq', ...PUB.map((n) => 'c_' + n)].sort());
		assert.ok(!snap.some((x) => /legal_rep|张三|tax/.test(JSON.stringify(x))));
		assert.equal(Number(node.count(`SELECT count(*) AS n FROM audit_log WHERE action = 'dataset.publish' AND object_type = 'dataset' AND object_id = '${ds}'`)), 1);

		r = await post('/api/v1/datasets', scjg, META);
		assert.deepEqual(err(r), [409, 'code', 'taken']);

		r = await get(`/api/v1/datasets/${ds}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.title, META.title);
		assert.equal(r.json.license, 'CC-BY-4.0');
		assert.deepEqual(r.json.keywords, META.keywords);
		assert.deepEqual(r.json.spatial, ['520102']);
		assert.equal(r.json.department.name, '南明区市场监督管理局');
		assert.equal(r.json.resource, 'T8-OPEN');
		assert.equal(r.json.current_version, 1);
		assert.equal(r.json.query_count, 0);
		assert.deepEqual(r.json.fields, [
			{ name: 'reg_no', type: 'string', description: '注册号', unit: '' },
			{ name: 'company', type: 'string', description: '企业名称', unit: '' },
			{ name: 'capital', type: 'integer', description: '注册资本', unit: '万元' },
			{ name: 'rate', type: 'number', description: '抽检合格率', unit: '' },
			{ name: 'founded', type: 'date', description: '成立日期', unit: '' },
			{ name: 'active', type: 'boolean', description: '存续', unit: '' },
			{ name: 'district', type: 'string', description: '企业住所所在区', unit: '' },
		]);
		assert.deepEqual(r.json.versions.map((v) => [v.version, v.row_count]), [[1, 5]]);
	});

	it('republishes as version 2 and keeps version 1', async () => {
		const resId = Number(node.count("SELECT id AS n FROM data_resources WHERE code = 'T8-OPEN'"));
		let r = await put(`/api/v1/resources/${resId}/rows`, scjg, {
			rows: [
				{ ...ROWS[0], capital: 150 },
				{ reg_no: 'R006', company: '贵阳己建材有限公司, "花溪"', legal_rep: '孙八', capital: 80, rate: 1, founded: '2023-01-01', active: true, district: '花溪区' },
			],
		});
		assert.equal(r.status, 200, r.text);
		r = await post(`/api/v1/datasets/${ds}/versions`, mz, {});
		assert.deepEqual(err(r), [403, undefined, undefined]);
		r = await post(`/api/v1/datasets/${ds}/versions`, scjg, { fields: ['reg_no', 'legal_rep'] });
		assert.deepEqual(err(r), [400, 'fields[1]', 'not_public']);
		r = await post(`/api/v1/datasets/${ds}/versions`, scjg, {});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.version, 2);

		r = await rows('?limit=100');
		assert.equal(r.json.version, 2);
		assert.equal(r.json.items.length, 6);
		assert.equal(r.json.items.find((x) => x.reg_no === 'R001').capital, 150);
		r = await rows('?version=1&limit=100');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.version, 1);
		assert.deepEqual(r.json.items, ROWS.map((row) => ({ ...project(row), rate: row.rate ?? null })));
		r = await rows('?version=3');
		assert.deepEqual(err(r), [404, 'version', 'not_found']);
		r = await get(`/api/v1/datasets/${ds}`);
		assert.deepEqual(r.json.versions.map((v) => [v.version, v.row_count]), [[1, 5], [2, 6]]);
		assert.equal(r.json.current_version, 2);
	});

	it('downloads a version as CSV or JSON', async () => {
		let r = await get(`/api/v1/datasets/${ds}/download?version=1`);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^text\/csv/);
		assert.equal(r.headers.get('content-disposition'), 'attachment; filename="T8-DS-QIYE-v1.csv"');
		assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
		assert.equal(
			r.bytes.subarray(3).toString('utf8'),
			'reg_no,company,capital,rate,founded,active,district\r\n' +
				'R001,贵阳甲科技有限公司,100,1.5,2020-01-15,true,南明区\r\n' +
				'R002,贵阳乙商贸有限公司,500,2.25,2019-06-01,false,云岩区\r\n' +
				'R003,贵阳丙餐饮店,50,0.5,2021-03-10,true,南明区\r\n' +
				'R004,贵阳丁科技有限公司,1000,3,2018-11-20,true,观山湖区\r\n' +
				'R005,贵阳戊物流有限公司,300,,2022-08-08,false,南明区\r\n',
		);
		r = await get(`/api/v1/datasets/${ds}/download`);
		assert.equal(r.headers.get('content-disposition'), 'attachment; filename="T8-DS-QIYE-v2.csv"');
		assert.ok(r.text.endsWith('R006,"贵阳己建材有限公司, ""花溪""",80,1,2023-01-01,true,花溪区\r\n'), r.text);
		assert.ok(!/legal_rep|张三/.test(r.text));
		r = await get(`/api/v1/datasets/${ds}/download?format=json&version=2`);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^application\/json/);
		assert.equal(r.json.length, 6);
		assert.deepEqual(r.json[0], { ...project(ROWS[0]), capital: 150 });
		const downloads = async () => (await get(`/api/v1/datasets/${ds}`)).json.download_count;
		assert.equal(await downloads(), 3);
		assert.deepEqual(err(await get(`/api/v1/datasets/${ds}/download?format=xml`)), [400, 'format', 'enum']);
		assert.deepEqual(err(await get(`/api/v1/datasets/${ds}/download?version=9`)), [404, 'version', 'not_found']);
		assert.equal((await get('/api/v1/datasets/999999/download')).status, 404);
		assert.equal(await downloads(), 3);
		/* counts reach the table within the flush interval (1 s) */
		for (let i = 0; i < 50 && Number(node.count(`SELECT download_count AS n FROM datasets WHERE id = ${ds}`)) !== 3; i++)
			await new Promise((res) => setTimeout(res, 100));
		assert.equal(Number(node.count(`SELECT download_count AS n FROM datasets WHERE id = ${ds}`)), 3);
	});

	it('filters rows with every operator', async () => {
		const v = '&version=1&limit=100';
		const want = {
			'capital:eq:500': ['R002'],
			'capital:ne:500': ['R001', 'R003', 'R004', 'R005'],
			'capital:lt:300': ['R001', 'R003'],
			'capital:le:300': ['R001', 'R003', 'R005'],
			'capital:gt:300': ['R002', 'R004'],
			'capital:ge:300': ['R002', 'R004', 'R005'],
			'capital:in:50|1000|7': ['R003', 'R004'],
			'rate:gt:1.5': ['R002', 'R004'],
			'rate:le:1.5': ['R001', 'R003'],
			'rate:ne:1.5': ['R002', 'R003', 'R004'], /* R005 has no rate: never matches */
			'founded:lt:2020-01-01': ['R002', 'R004'],
			'founded:ge:2021-03-10': ['R003', 'R005'],
			'active:eq:false': ['R002', 'R005'],
			'active:in:true|false': ['R001', 'R002', 'R003', 'R004', 'R005'],
			'district:eq:南明区': ['R001', 'R003', 'R005'],
			'district:in:云岩区|观山湖区': ['R002', 'R004'],
			'company:like:科技': ['R001', 'R004'],
			'company:like:餐饮': ['R003'],
			'company:like:银行': [],
			'reg_no:gt:R003': ['R004', 'R005'],
		};
		for (const [f, k] of Object.entries(want)) {
			const r = await rows(`?filter=${encodeURIComponent(f)}${v}`);
			assert.equal(r.status, 200, f + ' ' + r.text);
			assert.deepEqual(keys(r), k, f);
			assert.equal(r.json.next, null, f);
		}
		const r = await rows(`?fields=reg_no,capital&filter=${encodeURIComponent('capital:eq:100')}${v}`);
		assert.deepEqual(r.json.items, [{ reg_no: 'R001', capital: 100 }]);
		assert.deepEqual(r.json.fields, ['reg_no', 'capital']);
	});

	it('sorts and pages with keyset cursors', async () => {
		/* ascending capital over 3 pages of 2: 50 100 | 300 500 | 1000 */
		let r = await rows('?version=1&sort=capital&limit=2');
		assert.deepEqual(keys(r), ['R003', 'R001']);
		assert.ok(r.json.next);
		r = await rows(`?version=1&sort=capital&limit=2&cursor=${r.json.next}`);
		assert.deepEqual(keys(r), ['R005', 'R002']);
		r = await rows(`?version=1&sort=capital&limit=2&cursor=${r.json.next}`);
		assert.deepEqual(keys(r), ['R004']);
		assert.equal(r.json.next, null);
		/* descending rate: absent last */
		r = await rows('?version=1&sort=-rate&limit=10');
		assert.deepEqual(keys(r), ['R004', 'R002', 'R001', 'R003', 'R005']);
		/* descending with a filter, 2 per page */
		r = await rows(`?version=1&sort=-founded&limit=2&filter=${encodeURIComponent('district:eq:南明区')}`);
		assert.deepEqual(keys(r), ['R005', 'R003']);
		r = await rows(`?version=1&sort=-founded&limit=2&filter=${encodeURIComponent('district:eq:南明区')}&cursor=${r.json.next}`);
		assert.deepEqual(keys(r), ['R001']);
		assert.equal(r.json.next, null);
		/* unsorted, limit 1: row order, exactly 5 pages */
		const seen = [];
		let cursor = '';
		for (let i = 0; i < 10; i++) {
			r = await rows(`?version=1&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			seen.push(...keys(r));
			if (r.json.next === null) break;
			cursor = r.json.next;
		}
		assert.deepEqual(seen, ['R001', 'R002', 'R003', 'R004', 'R005']);
		/* exactly a full last page: next null */
		r = await rows('?version=1&limit=5');
		assert.equal(r.json.items.length, 5);
		assert.equal(r.json.next, null);
		/* empty */
		r = await rows(`?version=1&filter=${encodeURIComponent('capital:gt:99999')}`);
		assert.deepEqual(r.json.items, []);
		assert.equal(r.json.next, null);
	});

	it('refuses bad queries naming the parameter, and every non-public field', async () => {
		const bad = {
			'?cursor=%%%': ['cursor', 'invalid'],
			'?cursor=bm9wZQ': ['cursor', 'invalid'],
			'?fields=reg_no,legal_rep': ['fields', 'unknown_field'],
			'?fields=tax': ['fields', 'unknown_field'],
			'?fields=nope': ['fields', 'unknown_field'],
			[`?filter=${encodeURIComponent('legal_rep:eq:张三')}`]: ['filter', 'unknown_field'],
			[`?filter=${encodeURIComponent('nope:eq:1')}`]: ['filter', 'unknown_field'],
			[`?filter=${encodeURIComponent('capital:between:1')}`]: ['filter', 'bad_operator'],
			[`?filter=${encodeURIComponent('capital:like:1')}`]: ['filter', 'bad_operator'],
			[`?filter=${encodeURIComponent('active:lt:true')}`]: ['filter', 'bad_operator'],
			[`?filter=${encodeURIComponent('capital:eq:abc')}`]: ['filter', 'bad_value'],
			[`?filter=${encodeURIComponent('capital:in:1|x')}`]: ['filter', 'bad_value'],
			[`?filter=${encodeURIComponent('rate:gt:1.5x')}`]: ['filter', 'bad_value'],
			[`?filter=${encodeURIComponent('founded:lt:2020-1-1')}`]: ['filter', 'bad_value'],
			[`?filter=${encodeURIComponent('active:eq:yes')}`]: ['filter', 'bad_value'],
			'?filter=capital': ['filter', 'bad_filter'],
			'?sort=legal_rep': ['sort', 'unknown_field'],
			'?sort=-nope': ['sort', 'unknown_field'],
		};
		for (const [q, want] of Object.entries(bad)) {
			const r = await rows(q);
			assert.deepEqual(err(r), [400, ...want], q + ' ' + r.text);
		}
		/* a cursor belongs to its sort: another sort, or none, refuses it */
		let r = await rows('?version=1&sort=capital&limit=1');
		const c = r.json.next;
		for (const other of ['&sort=-capital', '&sort=rate', ''])
			assert.deepEqual(err(await rows(`?version=1&limit=1&cursor=${c}${other}`)), [400, 'cursor', 'invalid'], other);
		r = await rows('?version=1&limit=1');
		assert.deepEqual(err(await rows(`?version=1&limit=1&sort=capital&cursor=${r.json.next}`)), [400, 'cursor', 'invalid']);
		const queries = async () => (await get(`/api/v1/datasets/${ds}`)).json.query_count;
		const n = await queries();
		r = await rows('?limit=1');
		assert.equal(await queries(), n + 1);
		r = await get('/api/v1/datasets/999999/rows');
		assert.equal(r.status, 404);
	});

	it('lists published datasets with facets, and withdraws', async () => {
		let r = await post('/api/v1/datasets', scjg, {
			...META,
			code: 'T8-DS-JIANCE',
			title: '企业抽检合格率',
			description: '各区企业的抽检合格率统计结果',
			keywords: ['抽检', '质量'],
			theme: '质量监督',
			update_frequency: 'monthly',
			spatial: ['520102', '520103'],
			fields: ['reg_no', 'rate'],
		});
		assert.equal(r.status, 201, r.text);
		ds2 = r.json.id;
		const mine = (items) => items.filter((i) => i.code.startsWith('T8-')).map((i) => i.code);
		/* The demo's own datasets (same department) leave the catalog, so
		 * totals and facets count this file's datasets only. */
		for (const d of (await get('/api/v1/datasets?limit=100')).json.items.filter((i) => i.code.startsWith('OD-')))
			assert.equal((await post(`/api/v1/datasets/${d.id}/withdraw`, scjg, { reason: '测试前撤回演示数据' })).status, 200);

		r = await get('/api/v1/datasets?q=' + encodeURIComponent('市场主体'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-QIYE']);
		r = await get('/api/v1/datasets?q=' + encodeURIComponent('合格率'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-JIANCE']);
		r = await get('/api/v1/datasets?q=' + encodeURIComponent('企业'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-QIYE', 'T8-DS-JIANCE']);
		assert.equal(r.json.total, 2);
		assert.deepEqual(r.json.facets.theme, { 市场监管: 1, 质量监督: 1 });
		assert.deepEqual(r.json.facets.update_frequency, { daily: 1, monthly: 1 });
		assert.deepEqual(
			r.json.facets.region.sort((a, b) => a.code.localeCompare(b.code)),
			[
				{ code: '520102', name: '南明区', count: 2 },
				{ code: '520103', name: '云岩区', count: 1 },
			],
		);
		assert.deepEqual(r.json.facets.format, { CSV: 2, JSON: 2 });
		const q1 = r.json.items.find((i) => i.code === 'T8-DS-QIYE');
		assert.deepEqual(
			[q1.row_count, q1.formats, typeof q1.quality_score, q1.quality_score === (await get(`/api/v1/datasets/${q1.id}/quality`)).json.score],
			[6, ['CSV', 'JSON'], 'number', true],
		);
		assert.deepEqual(err(await get('/api/v1/datasets?format=xml')), [400, 'format', 'enum']);
		assert.equal((await get('/api/v1/datasets?format=CSV&q=' + encodeURIComponent('企业'))).json.total, 2);
		assert.deepEqual(r.json.facets.dept, [{ id: depts['南明区市场监督管理局'], name: '南明区市场监督管理局', count: 2 }]);
		r = await get('/api/v1/datasets?region=520103');
		assert.deepEqual(mine(r.json.items), ['T8-DS-JIANCE']);
		r = await get('/api/v1/datasets?update_frequency=daily&theme=' + encodeURIComponent('市场监管'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-QIYE']);
		r = await get('/api/v1/datasets?update_frequency=hourly');
		assert.deepEqual(err(r), [400, 'update_frequency', 'enum']);
		r = await get(`/api/v1/datasets?dept=${depts['南明区民政局']}`);
		assert.deepEqual(r.json.items, []);
		assert.equal(r.json.total, 0);
		r = await get('/api/v1/datasets?limit=1&q=' + encodeURIComponent('企业'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-QIYE']);
		assert.equal(r.json.total, 2);
		r = await get(`/api/v1/datasets?limit=1&q=${encodeURIComponent('企业')}&cursor=${r.json.next}`);
		assert.deepEqual(mine(r.json.items), ['T8-DS-JIANCE']);
		assert.equal(r.json.next, null);
		r = await get('/api/v1/datasets?cursor=xyz');
		assert.deepEqual(err(r), [400, 'cursor', 'invalid']);

		r = await post(`/api/v1/datasets/${ds2}/withdraw`, mz, { reason: '数据有误' });
		assert.equal(r.status, 403);
		r = await post(`/api/v1/datasets/${ds2}/withdraw`, scjg, {});
		assert.deepEqual(err(r), [400, 'reason', 'required']);
		r = await post(`/api/v1/datasets/${ds2}/withdraw`, scjg, { reason: '数据有误' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'withdrawn');
		r = await post(`/api/v1/datasets/${ds2}/withdraw`, scjg, { reason: '数据有误' });
		assert.equal(r.status, 409);
		r = await post(`/api/v1/datasets/${ds2}/versions`, scjg, {});
		assert.equal(r.status, 409);
		r = await get('/api/v1/datasets?q=' + encodeURIComponent('企业'));
		assert.deepEqual(mine(r.json.items), ['T8-DS-QIYE']);
		assert.equal(r.json.total, 1);
		assert.equal((await get(`/api/v1/datasets/${ds2}`)).status, 404);
		assert.equal((await get(`/api/v1/datasets/${ds2}/rows`)).status, 404);
		assert.equal(Number(node.count(`SELECT count(*) AS n FROM audit_log WHERE action = 'dataset.withdraw' AND object_type = 'dataset' AND object_id = '${ds2}'`)), 1);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
	});
});
