/*
 * opendata-rows.test.mjs - row queries, charts and downloads of the open
 * data portal on a generated dataset whose every row is known here.
 *
 * `zhengtong demo opendata --rows 3000` registers the resource T9-STATS and
 * publishes dataset OD-T9-STATS; its rows are a function of the row number i
 * (src/domain/demo_opendata.c), recomputed below, so every answer is checked
 * against the exact expected rows:
 *   1. filters: each operator, several filters ANDed, in-lists, like, q over
 *      the text fields, fields=; every sorted order walked page by page to
 *      the end equals the JS sort (ascending and descending, ties by row
 *      number), for limit 1, 7 and 1000; last page next=null; empty result.
 *   2. edges: invalid cursor, a cursor of another sort, unknown field,
 *      bad operator, bad value, malformed filter, more than 10 filters,
 *      an in-list over 100 values, q on nothing, limit 1001 -> 400 naming
 *      the parameter; the personal field legal_rep can never be read,
 *      filtered, sorted, grouped or downloaded.
 *   3. charts: count by street, sum and avg of capital by industry, with a
 *      filter; bad group/value/agg -> 400.
 *   4. downloads: CSV equals the expected bytes (BOM, header, CRLF), bom=0
 *      leaves the BOM out, JSON equals the rows; after a cell is changed to a
 *      formula and the dataset republished, version 2's CSV cell is
 *      prefixed with ' and version 1 is unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, startNode } from './lib/node.mjs';

const N = 3000;
const STREETS = ['中华南路街道', '遵义路街道', '兴关路街道', '新华路街道', '西湖路街道', '河滨街道', '花果园街道', '太慈桥街道', '湘雅街道', '油榨街道'];
const INDUSTRIES = ['批发和零售业', '住宿和餐饮业', '制造业', '建筑业', '信息技术服务业', '租赁和商务服务业', '交通运输业', '居民服务业', '文化体育和娱乐业', '房地产业', '教育', '科学研究和技术服务业'];
const FIELDS = ['id', 'street', 'industry', 'established', 'capital', 'employees', 'active'];
const day = (d) => new Date(Date.UTC(2000, 0, 1) + d * 86400000).toISOString().slice(0, 10);
const ROWS = Array.from({ length: N }, (_, k) => {
	const i = k + 1;
	return {
		seq: i,
		id: 'E' + String(i).padStart(8, '0'),
		street: STREETS[(i * 13) % 10],
		industry: INDUSTRIES[(i * 7) % 12],
		established: day((i * 37) % 9000),
		capital: ((i * 7919) % 100000) / 10,
		employees: (i * 31) % 500,
		active: i % 10 !== 0,
	};
});
const strip = ({ seq, ...r }) => r;
const pick = (r, names) => Object.fromEntries(names.map((n) => [n, r[n]]));
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
/* Strings compare by bytes (UTF-8), as the server does. */
const bytes = (s) => Buffer.from(s);
const cmpv = (a, b) => (typeof a === 'string' ? Buffer.compare(bytes(a), bytes(b)) : cmp(a, b));

describe('open data rows', () => {
	let node, scjg, ds;
	const get = (path, opts = {}) => api(node.url, 'GET', path, opts);
	const rows = (q) => get(`/api/v1/datasets/${ds}/rows?${q}`);
	const err = (r) => [r.status, r.json?.errors?.[0]?.field, r.json?.errors?.[0]?.reason];
	const enc = encodeURIComponent;
	const f = (...xs) => xs.map((x) => `filter=${enc(x)}`).join('&');

	/* Every page of a query, following next to the end. */
	async function walk(q, limit) {
		const out = [];
		let cursor = null;
		for (let n = 0; n < 10000; n++) {
			const r = await rows(`${q}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.items.length <= limit);
			out.push(...r.json.items);
			if (r.json.next === null) return out;
			assert.equal(r.json.items.length, limit, 'only the last page is short');
			cursor = r.json.next;
		}
		throw new Error('no end');
	}

	before(async () => {
		node = await startNode({ init: true, env: { ZT_OPENDATA_RATE_ANON: '0' } });
		const made = await node.cliAsync(['demo', 'opendata', '--rows', String(N), '--code', 'T9-STATS']);
		assert.equal(made.code, 0, made.stderr);
		ds = Number(/dataset (\d+) OD-T9-STATS: 3000 rows/.exec(made.stdout)[1]);
		scjg = await login(node.url, 'scjg.data');
	});
	after(() => node?.stop());

	it('filters with every operator, several at once, and q', async () => {
		const cases = [
			[[`street:eq:${STREETS[3]}`], (r) => r.street === STREETS[3]],
			[[`street:ne:${STREETS[3]}`], (r) => r.street !== STREETS[3]],
			[['employees:lt:20'], (r) => r.employees < 20],
			[['employees:le:20', 'active:eq:false'], (r) => r.employees <= 20 && !r.active],
			[['capital:gt:9990'], (r) => r.capital > 9990],
			[['capital:ge:9990.5', 'capital:lt:9999'], (r) => r.capital >= 9990.5 && r.capital < 9999],
			[['established:ge:2024-01-01', `industry:eq:${INDUSTRIES[2]}`], (r) => r.established >= '2024-01-01' && r.industry === INDUSTRIES[2]],
			[[`industry:in:${INDUSTRIES[0]}|${INDUSTRIES[5]}`, 'employees:in:0|31|62|93'], (r) => [INDUSTRIES[0], INDUSTRIES[5]].includes(r.industry) && [0, 31, 62, 93].includes(r.employees)],
			[['street:like:花果'], (r) => r.street.includes('花果')],
			[['id:like:E000012'], (r) => r.id.includes('E000012')],
			[['active:ne:true'], (r) => !r.active],
			[['id:eq:E00000042'], (r) => r.id === 'E00000042'],
			[['id:eq:nope'], () => false],
		];
		for (const [filters, want] of cases) {
			const got = await walk(f(...filters), 1000);
			assert.deepEqual(got, ROWS.filter(want).map(strip), filters.join(' & '));
		}
		/* q: a substring of any text field (id, street, industry) */
		for (const [q, want] of [['湘雅', (r) => r.street.includes('湘雅')], ['服务业', (r) => r.industry.includes('服务业')], ['E0000299', (r) => r.id.includes('E0000299')], ['无此内容', () => false]]) {
			const got = await walk(`q=${enc(q)}&${f('employees:lt:250')}`, 500);
			assert.deepEqual(got, ROWS.filter((r) => want(r) && r.employees < 250).map(strip), q);
		}
		/* fields= projects, in the order asked */
		const r = await rows(`fields=capital,id&limit=3&${f('street:eq:' + STREETS[0])}`);
		assert.deepEqual(r.json.fields, ['capital', 'id']);
		assert.deepEqual(r.json.items, ROWS.filter((x) => x.street === STREETS[0]).slice(0, 3).map((x) => pick(x, ['capital', 'id'])));
		assert.deepEqual(Object.keys(r.json.items[0]), ['capital', 'id']);
		/* empty result */
		const e = await rows(f('employees:gt:100000'));
		assert.deepEqual([e.status, e.json.items, e.json.next], [200, [], null]);
	});

	it('sorts every field both ways, paging to the end', async () => {
		for (const field of ['capital', 'established', 'street', 'employees', 'active', 'id']) {
			for (const desc of [false, true]) {
				const want = [...ROWS].sort((a, b) => {
					const c = cmpv(a[field], b[field]) || a.seq - b.seq;
					return desc ? -c : c;
				});
				for (const limit of field === 'capital' ? [1, 7, 1000] : [250]) {
					if (limit === 1) continue; /* 3000 calls: done for one filter below */
					const got = await walk(`sort=${desc ? '-' : ''}${field}`, limit);
					assert.deepEqual(got, want.map(strip), `${desc ? '-' : ''}${field} limit ${limit}`);
				}
			}
		}
		/* limit 1 over a filtered, sorted result (also with the sort field filtered) */
		const want = ROWS.filter((r) => r.industry === INDUSTRIES[4] && r.employees > 400).sort((a, b) => b.employees - a.employees || b.seq - a.seq);
		assert.deepEqual(await walk(`sort=-employees&${f('industry:eq:' + INDUSTRIES[4], 'employees:gt:400')}`, 1), want.map(strip));
	});

	it('refuses bad queries naming the parameter, and never a personal field', async () => {
		const first = await rows('sort=capital&limit=2');
		const unsorted = await rows('limit=2');
		const bad = {
			'cursor=%%%': ['cursor', 'invalid'],
			'cursor=bm9wZQ': ['cursor', 'invalid'],
			[`cursor=${first.json.next}`]: ['cursor', 'invalid'],
			[`sort=-capital&cursor=${first.json.next}`]: ['cursor', 'invalid'],
			[`sort=capital&cursor=${unsorted.json.next}`]: ['cursor', 'invalid'],
			'fields=id,legal_rep': ['fields', 'unknown_field'],
			'sort=legal_rep': ['sort', 'unknown_field'],
			[f('legal_rep:eq:经营者1')]: ['filter', 'unknown_field'],
			[f('capital:like:1')]: ['filter', 'bad_operator'],
			[f('active:gt:true')]: ['filter', 'bad_operator'],
			[f('capital:between:1')]: ['filter', 'bad_operator'],
			[f('capital:eq:abc')]: ['filter', 'bad_value'],
			[f('established:eq:2024-13-01')]: ['filter', 'bad_value'],
			[f('employees:in:1|x')]: ['filter', 'bad_value'],
			[f('active:eq:yes')]: ['filter', 'bad_value'],
			[f('capital')]: ['filter', 'bad_filter'],
			[f('capital:eq')]: ['filter', 'bad_filter'],
			[f(...Array.from({ length: 11 }, () => 'capital:gt:1'))]: ['filter', 'too_many'],
			[f('employees:in:' + Array.from({ length: 101 }, (_, i) => i).join('|'))]: ['filter', 'too_many'],
			'limit=1001': ['limit', 'range'],
			'limit=0': ['limit', 'range'],
		};
		for (const [q, want] of Object.entries(bad)) {
			const r = await rows(q);
			assert.deepEqual(err(r), [400, ...want], q + ' ' + r.text);
		}
		assert.deepEqual(err(await get(`/api/v1/datasets/${ds}/chart?group=legal_rep`)), [400, 'group', 'unknown_field']);
		for (const fmt of ['csv', 'json']) {
			const d = await get(`/api/v1/datasets/${ds}/download?format=${fmt}`);
			assert.ok(!/legal_rep|经营者/.test(d.text), fmt);
		}
		/* the version's table has no column for it at all */
		const vid = node.count(`SELECT id AS n FROM dataset_versions WHERE dataset_id = ${ds}`);
		assert.deepEqual(Object.keys(node.sql(`SELECT * FROM dsr_${vid} WHERE seq = 1`)[0]), ['seq', ...FIELDS.map((x) => 'c_' + x)]);
	});

	it('aggregates for charts', async () => {
		const group = (rowsIn, key, val) => {
			const m = new Map();
			for (const r of rowsIn) {
				const g = m.get(r[key]) ?? { n: 0, sum: 0 };
				g.n++;
				g.sum += val ? r[val] : 0;
				m.set(r[key], g);
			}
			return m;
		};
		let r = await get(`/api/v1/datasets/${ds}/chart?group=street`);
		assert.equal(r.status, 200, r.text);
		const byStreet = group(ROWS, 'street');
		assert.deepEqual(
			r.json.items,
			[...byStreet].map(([key, g]) => ({ key, value: g.n })).sort((a, b) => b.value - a.value || cmpv(a.key, b.key)),
		);
		assert.deepEqual([r.json.group, r.json.value, r.json.agg, r.json.other], ['street', null, 'count', 0]);

		r = await get(`/api/v1/datasets/${ds}/chart?group=industry&value=capital&agg=sum&${f('active:eq:true')}`);
		const sums = group(ROWS.filter((x) => x.active), 'industry', 'capital');
		const got = r.json.items.map((x) => [x.key, Math.round(x.value * 10)]);
		const want = [...sums].map(([key, g]) => [key, Math.round(g.sum * 10)]).sort((a, b) => b[1] - a[1] || cmpv(a[0], b[0]));
		assert.deepEqual(got, want);

		r = await get(`/api/v1/datasets/${ds}/chart?group=industry&value=employees&agg=avg`);
		const avgs = group(ROWS, 'industry', 'employees');
		for (const x of r.json.items) assert.ok(Math.abs(x.value - avgs.get(x.key).sum / avgs.get(x.key).n) < 1e-9, x.key);
		assert.equal(r.json.items.length, 12);

		/* more than 20 groups: the top 20 and how many more */
		r = await get(`/api/v1/datasets/${ds}/chart?group=employees`);
		assert.equal(r.json.items.length, 20);
		assert.equal(r.json.other, new Set(ROWS.map((x) => x.employees)).size - 20);

		const bad = {
			'': ['group', 'required'],
			'group=capital': ['group', 'bad_type'],
			'group=street&value=industry&agg=sum': ['value', 'bad_type'],
			'group=street&agg=sum': ['value', 'required'],
			'group=street&value=capital': ['value', 'not_allowed'],
			'group=street&agg=max': ['agg', 'enum'],
			'group=nope': ['group', 'unknown_field'],
		};
		for (const [q, want] of Object.entries(bad)) assert.deepEqual(err(await get(`/api/v1/datasets/${ds}/chart?${q}`)), [400, ...want], q);
	});

	it('downloads exact CSV and JSON, guarding against formulas', async () => {
		const num = (x) => String(x);
		const csvOf = (list) =>
			FIELDS.join(',') + '\r\n' + list.map((r) => [r.id, r.street, r.industry, r.established, num(r.capital), num(r.employees), String(r.active)].join(',') + '\r\n').join('');
		let r = await get(`/api/v1/datasets/${ds}/download`);
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
		assert.equal(r.headers.get('content-disposition'), 'attachment; filename="OD-T9-STATS-v1.csv"');
		const body = Buffer.from(await (await fetch(`${node.url}/api/v1/datasets/${ds}/download`)).arrayBuffer());
		assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
		assert.equal(body.subarray(3).toString('utf8'), csvOf(ROWS));
		r = await get(`/api/v1/datasets/${ds}/download?bom=0`);
		assert.equal(r.text, csvOf(ROWS));
		r = await get(`/api/v1/datasets/${ds}/download?format=json`);
		assert.deepEqual(r.json, ROWS.map(strip));
		assert.deepEqual(err(await get(`/api/v1/datasets/${ds}/download?bom=2`)), [400, 'bom', 'range']);

		/* A cell that is a formula in a spreadsheet: republished, quoted. */
		node.sql(
			process.env.ZT_TEST_PG
				? `UPDATE resource_rows SET data = jsonb_set(data::jsonb, '{street}', '"=HYPERLINK(\\"http://x\\")"')::text WHERE key = 'E00000002'`
				: `UPDATE resource_rows SET data = json_set(data, '$.street', '=HYPERLINK("http://x")') WHERE key = 'E00000002'`,
		);
		const v2 = await api(node.url, 'POST', `/api/v1/datasets/${ds}/versions`, { token: scjg, json: {} });
		assert.equal(v2.status, 201, v2.text);
		r = await get(`/api/v1/datasets/${ds}/download?bom=0&version=2`);
		assert.equal(r.text.split('\r\n')[2], `E00000002,"'=HYPERLINK(""http://x"")",${ROWS[1].industry},${ROWS[1].established},${ROWS[1].capital},${ROWS[1].employees},true`);
		r = await get(`/api/v1/datasets/${ds}/download?format=json&version=2`);
		assert.equal(r.json[1].street, '=HYPERLINK("http://x")');
		r = await get(`/api/v1/datasets/${ds}/download?bom=0&version=1`);
		assert.equal(r.text, csvOf(ROWS));
		const d = await get(`/api/v1/datasets/${ds}`);
		assert.equal(d.json.download_count, 9); /* 2 in the refusal test, 7 here */
	});
});
