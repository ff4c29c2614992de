/*
 * fed-catalog.test.mjs - catalog up between real node processes
 * (docs/federation-catalog.md): the service items and data resources of
 * lower nodes become searchable at the upper nodes, kept current by each
 * parent pulling its children's change feeds.
 *
 * Nodes (tests/api/lib/fed.mjs): the hub 000000, 贵州 520000 with 贵阳
 * 520100 below it, 广东 440000; each province and city with the demo data of
 * `demo province` (3 published items and 1 data resource each).
 *
 * Test plan:
 *   1. 贵阳's items reach 贵州 (via 520100) and then the hub (via 520000):
 *      the hub's search finds 520100-RS-GF-101 with origin 520100, its node's
 *      name, the badge path 贵州省 · 贵阳市 and its cross-province modes; the
 *      hub then holds exactly 12 entries (4 per node, none of its own), 贵州
 *      exactly 4 (贵阳's); each parent stored a cursor per child.
 *   2. Search: words match name, summary or department; '%' and '_' are
 *      literal (no results); region, cross and kind filters; keyset pages of
 *      2 give exactly the one-page answer; a bad cursor, kind, region, cross
 *      or scope is 400 naming the field; data resources are for officials
 *      only (anonymous kind=resource 403 officials_only, and absent from an
 *      anonymous search).
 *   3. A new item published at 广东 appears at the hub within 10 s; its
 *      draft never did.
 *   4. Unpublishing at 贵阳 propagates as withdrawn to 贵州 and the hub
 *      (gone from both searches, the rows kept with status withdrawn);
 *      publishing again brings it back.
 *   5. scope=national at 广东 is the hub's answer (same JSON) and finds
 *      贵州's and 贵阳's items; scope=local at 广东 finds only its own (with
 *      its local id, which the hub's answer never has); an
 *      official's national search lists the three nodes' resources.
 *   6. GET /fed/services/{region}/{code} at 广东 for 贵阳's item equals 贵阳's
 *      own GET /services/{id} plus origin {region, region_name, node_name,
 *      url, local: false}; for its own item local: true; unknown code 404
 *      not_found, unknown region 404 unknown_node, bad region/code 400.
 *   7. The hub killed (-9): national search at 广东 answers 503
 *      hub_unreachable; an item published at 贵阳 meanwhile reaches the hub
 *      after its restart; the hub then holds exactly one more entry, no key
 *      twice.
 *   8. 广东 killed (-9): the hub logs its outage once; an item withdrawn in
 *      广东's database meanwhile (a plain SQL UPDATE: the triggers number the
 *      change) is withdrawn at the hub after 广东's restart, and the hub logs
 *      that the feed answers again.
 *   9. The feed: unsigned 400 (X-ZT-Sender malformed); a genuine signed call
 *      of 广东 (captured by a fake child registered at 广东) replayed to 贵阳,
 *      whose parent is 贵州, 403 not_parent; its body altered 400
 *      bad_digest; a query string 400. The fake child's feed: an entry of a
 *      region that is not below it is skipped, the good one is stored at
 *      广东 (and refused by the hub, which does not know that node).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startFederation, waitFor } from './lib/fed.mjs';
import { api } from './lib/node.mjs';

const q = (params) => new URLSearchParams(params).toString();
const codes = (r) => r.json.items.map((e) => `${e.origin.region}:${e.kind}:${e.code}`);
const errorOf = (r) => r.json?.errors?.[0] ?? {};

const ITEM = {
	name: '跨省异地就医登记备案',
	type: 'QR',
	target: 'citizen',
	legal_days: 10,
	promised_days: 1,
	depth: 6,
	max_visits: 0,
	fee: '不收费',
	conditions: '参加基本医疗保险、需要异地就医的参保人员。',
	legal_basis: '《中华人民共和国社会保险法》第二十九条。',
	process: ['网上申请', '审核', '备案'],
	place: '医疗保障服务大厅',
	office_hours: '工作日 9:00-17:00',
	consult: '12393',
	complaint: '12345 热线',
	channels: ['web', 'mobile'],
	cross_modes: ['full_online'],
	materials: [{ name: '居民身份证', form: 'original' }],
};

/* Creates and publishes an item at node as login; returns its id. */
async function publishItem(node, login, code, extra = {}) {
	let r = await node.as(login, 'POST', '/api/v1/services', { json: { ...ITEM, code, ...extra } });
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	r = await node.as(login, 'POST', `/api/v1/services/${id}/publish`, { json: {} });
	assert.equal(r.status, 200, r.text);
	return id;
}

function itemId(node, code) {
	const rows = node.sql(`SELECT id FROM service_items WHERE code = '${code}'`);
	assert.equal(rows.length, 1, `${code} at ${node.region}`);
	return rows[0].id;
}

const held = (node, where = '1 = 1') => node.count(`SELECT count(*) FROM fed_catalog WHERE ${where}`);
const statusAt = (node, code) => node.sql(`SELECT status FROM fed_catalog WHERE code = '${code}'`)[0]?.status;

/* A fresh SM2 public key PEM written into dir. */
function freshKey(dir, name) {
	const priv = join(dir, `${name}.key.pem`);
	const pub = join(dir, `${name}.pub.pem`);
	for (const args of [
		['genpkey', '-algorithm', 'SM2', '-out', priv],
		['pkey', '-in', priv, '-pubout', '-out', pub],
	]) {
		const r = spawnSync('openssl', args, { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
	}
	return pub;
}

describe('catalog up', () => {
	let fed, hub, gz, gy, gd;

	before(async () => {
		fed = await startFederation();
		({ hub, gz, gy, gd } = fed);
	});

	after(async () => {
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	it("a city's items reach its province and then the hub", async () => {
		const found = await waitFor(
			async () => {
				const r = await hub.call('GET', `/api/v1/fed/catalog?${q({ region: '520100' })}`);
				return r.status === 200 && r.json.items.some((e) => e.code === '520100-RS-GF-101') && r;
			},
			{ what: "贵阳's item at the hub" },
		);
		const e = found.json.items.find((x) => x.code === '520100-RS-GF-101');
		assert.equal(e.kind, 'service');
		assert.equal(e.status, 'published');
		assert.equal(e.origin_region, '520100');
		assert.deepEqual(e.origin, { region: '520100', node_name: '贵阳市政务服务节点', region_name: '贵阳市' });
		assert.equal(e.region_code, '520100');
		assert.equal(e.region_name, '贵阳市');
		assert.deepEqual(e.region_path.map((x) => x.name), ['贵州省', '贵阳市']);
		assert.equal(e.name, '城镇职工基本养老保险关系转移接续');
		assert.deepEqual(e.cross_modes, ['full_online', 'proxy', 'multi_site']);
		assert.equal(e.item_type, 'GF');
		assert.match(e.dept_name, /贵阳市人力资源和社会保障局/);
		const gyId = itemId(gy, '520100-RS-GF-101');
		assert.equal(e.guide_url, `${gy.url}/#/services/${gyId}`);
		/* Only 贵阳's region: 贵州's own items are not in region 520100. */
		assert.deepEqual(
			[...new Set(found.json.items.map((x) => x.origin.region))],
			['520100'],
		);

		/* Settled: every node's 4 entries at the hub, 贵阳's at 贵州. */
		await waitFor(() => held(hub) === 12, { what: '12 entries at the hub' });
		assert.deepEqual(
			hub.sql('SELECT origin_region, via_region, count(*) AS n FROM fed_catalog GROUP BY origin_region, via_region ORDER BY origin_region'),
			[
				{ origin_region: '440000', via_region: '440000', n: 4 },
				{ origin_region: '520000', via_region: '520000', n: 4 },
				{ origin_region: '520100', via_region: '520000', n: 4 },
			],
		);
		await waitFor(() => held(gz) === 4);
		assert.equal(held(gz, "origin_region = '520100' AND via_region = '520100'"), 4);
		assert.equal(held(gy), 0);
		assert.deepEqual(
			hub.sql('SELECT child_region FROM fed_catalog_cursors ORDER BY child_region').map((x) => x.child_region),
			['440000', '520000'],
		);
		assert.deepEqual(gz.sql('SELECT child_region FROM fed_catalog_cursors').map((x) => x.child_region), ['520100']);
		assert.equal(gy.count('SELECT count(*) FROM fed_catalog_cursors'), 0);
	});

	it('searches by words, region, cross-province mode and kind, in keyset pages', async () => {
		let r = await hub.call('GET', `/api/v1/fed/catalog?${q({ q: '户口迁入' })}`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(codes(r), ['440000:service:440000-GA-XK-101', '520000:service:520000-GA-XK-101', '520100:service:520100-GA-XK-101']);
		/* Two words: both must occur (name or department). */
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ q: '户口 贵阳市公安局' })}`);
		assert.deepEqual(codes(r), ['520100:service:520100-GA-XK-101']);
		/* LIKE's wildcards are plain characters here. */
		for (const w of ['%', '_', '户口%', '\\']) {
			r = await hub.call('GET', `/api/v1/fed/catalog?${q({ q: w })}`);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json.items, [], `q=${w}`);
		}
		/* Region: a province covers its cities. */
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ region: '520000', limit: 100 })}`);
		assert.equal(r.json.items.length, 6);
		assert.deepEqual([...new Set(r.json.items.map((e) => e.origin.region))], ['520000', '520100']);
		/* Cross-province mode: 食品经营许可 has online and proxy only. */
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ cross: 'multi_site', limit: 100 })}`);
		assert.equal(r.json.items.length, 6);
		assert.ok(r.json.items.every((e) => !e.code.includes('SCJG')));
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ cross: 'proxy', limit: 100 })}`);
		assert.equal(r.json.items.length, 9);
		/* Anonymous: services only; resources are for officials. */
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ limit: 100 })}`);
		assert.equal(r.json.items.length, 9);
		assert.ok(r.json.items.every((e) => e.kind === 'service'));
		assert.equal(r.json.next, null);
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ kind: 'resource' })}`);
		assert.equal(r.status, 403);
		assert.equal(r.json.type, '/problems/officials_only');
		/* Keyset pages of 2: the same items in the same order, each once. */
		const all = (await hub.call('GET', `/api/v1/fed/catalog?${q({ limit: 100 })}`)).json.items;
		const paged = [];
		let cursor = null;
		let pages = 0;
		do {
			r = await hub.call('GET', `/api/v1/fed/catalog?${q({ limit: 2, ...(cursor ? { cursor } : {}) })}`);
			assert.equal(r.status, 200, r.text);
			paged.push(...r.json.items);
			cursor = r.json.next;
			pages++;
		} while (cursor);
		assert.equal(pages, 5);
		assert.deepEqual(paged, all);
		/* Bad input names the field. */
		for (const [params, field] of [
			[{ cursor: 'zz' }, 'cursor'],
			[{ kind: 'law' }, 'kind'],
			[{ region: '52' }, 'region'],
			[{ cross: 'fax' }, 'cross'],
			[{ scope: 'world' }, 'scope'],
			[{ limit: '0' }, 'limit'],
		]) {
			r = await hub.call('GET', `/api/v1/fed/catalog?${q(params)}`);
			assert.equal(r.status, 400, `${field}: ${r.text}`);
			assert.equal(errorOf(r).field, field);
		}
	});

	it('a new item published at 广东 appears at the hub within seconds; drafts never', async () => {
		let r = await gd.as('gd.rs.admin', 'POST', '/api/v1/services', { json: { ...ITEM, code: '440000-RS-QR-201', name: '草稿事项不上报' } });
		assert.equal(r.status, 201, r.text);
		const t0 = Date.now();
		await publishItem(gd, 'gd.rs.admin', '440000-RS-QR-202');
		await waitFor(
			async () => {
				const s = await hub.call('GET', `/api/v1/fed/catalog?${q({ q: '异地就医' })}`);
				return s.json.items.some((e) => e.code === '440000-RS-QR-202');
			},
			{ timeout: 10000, what: 'the new item at the hub' },
		);
		assert.ok(Date.now() - t0 < 10000);
		r = await hub.call('GET', `/api/v1/fed/catalog?${q({ q: '异地就医' })}`);
		const e = r.json.items.find((x) => x.code === '440000-RS-QR-202');
		assert.deepEqual(e.cross_modes, ['full_online']);
		assert.deepEqual(e.region_path.map((x) => x.name), ['广东省']);
		assert.equal(hub.count("SELECT count(*) FROM fed_catalog WHERE code = '440000-RS-QR-201'"), 0);
		assert.equal(held(hub), 13);
	});

	it('unpublishing at 贵阳 propagates as withdrawn; publishing again brings it back', async () => {
		const id = itemId(gy, '520100-GA-XK-101');
		let r = await gy.as('gy.ga.admin', 'POST', `/api/v1/services/${id}/unpublish`, { json: {} });
		assert.equal(r.status, 200, r.text);
		await waitFor(() => statusAt(hub, '520100-GA-XK-101') === 'withdrawn', { timeout: 10000, what: 'withdrawn at the hub' });
		assert.equal(statusAt(gz, '520100-GA-XK-101'), 'withdrawn');
		for (const node of [hub, gz]) {
			r = await node.call('GET', `/api/v1/fed/catalog?${q({ q: '户口迁入' })}`);
			assert.ok(!codes(r).includes('520100:service:520100-GA-XK-101'), `${node.region}: ${codes(r)}`);
		}
		assert.equal(held(hub), 13, 'the row stays, withdrawn');
		r = await gy.as('gy.ga.admin', 'POST', `/api/v1/services/${id}/publish`, { json: {} });
		assert.equal(r.status, 200, r.text);
		await waitFor(() => statusAt(hub, '520100-GA-XK-101') === 'published', { timeout: 10000, what: 'published again at the hub' });
		assert.equal(held(hub), 13);
	});

	it('scope=national at 广东 is the hub\'s search; scope=local its own', async () => {
		const params = { q: '户口迁入', limit: 100 };
		const here = await gd.call('GET', `/api/v1/fed/catalog?${q({ ...params, scope: 'national' })}`);
		assert.equal(here.status, 200, here.text);
		const atHub = await hub.call('GET', `/api/v1/fed/catalog?${q(params)}`);
		assert.deepEqual(here.json, atHub.json);
		assert.deepEqual(codes(here), ['440000:service:440000-GA-XK-101', '520000:service:520000-GA-XK-101', '520100:service:520100-GA-XK-101']);
		const local = await gd.call('GET', `/api/v1/fed/catalog?${q(params)}`);
		assert.deepEqual(codes(local), ['440000:service:440000-GA-XK-101']);
		assert.equal(local.json.items[0].origin.node_name, '广东省政务服务节点');
		/* Its own items carry their id here; the hub's answer has none. */
		assert.equal(local.json.items[0].local_id, itemId(gd, '440000-GA-XK-101'));
		assert.ok(here.json.items.every((e) => e.local_id === undefined));
		/* An official: the national search lists resources too. */
		const res = await gd.as('gd.ga.data', 'GET', `/api/v1/fed/catalog?${q({ kind: 'resource', scope: 'national' })}`);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(codes(res), ['440000:resource:440000-GA-HJ-001', '520000:resource:520000-GA-HJ-001', '520100:resource:520100-GA-HJ-001']);
		const r0 = res.json.items[0];
		assert.equal(r0.name, '户籍人口基本信息');
		assert.equal(r0.share_type, 'conditional');
		assert.equal(r0.guide_url, undefined);
		assert.ok(!JSON.stringify(res.json).includes('household_address'), 'metadata only, no fields or rows');
		const anon = await gd.call('GET', `/api/v1/fed/catalog?${q({ kind: 'resource', scope: 'national' })}`);
		assert.equal(anon.status, 403);
		/* A national page's cursor works at the next national call. */
		const p1 = await gd.call('GET', `/api/v1/fed/catalog?${q({ scope: 'national', limit: 3 })}`);
		const p2 = await gd.call('GET', `/api/v1/fed/catalog?${q({ scope: 'national', limit: 3, cursor: p1.json.next })}`);
		const h2 = await hub.call('GET', `/api/v1/fed/catalog?${q({ limit: 3, cursor: p1.json.next })}`);
		assert.equal(p2.status, 200, p2.text);
		assert.deepEqual(p2.json, h2.json);
		/* A cursor the hub refuses is 400 naming it. */
		const bad = await gd.call('GET', `/api/v1/fed/catalog?${q({ scope: 'national', cursor: 'AAAA' })}`);
		assert.equal(bad.status, 400, bad.text);
		assert.equal(errorOf(bad).field, 'cursor');
	});

	it("a remote item's guide equals the origin's own", async () => {
		const id = itemId(gy, '520100-GA-XK-101');
		const own = await gy.call('GET', `/api/v1/services/${id}`);
		assert.equal(own.status, 200);
		const r = await gd.call('GET', '/api/v1/fed/services/520100/520100-GA-XK-101');
		assert.equal(r.status, 200, r.text);
		const { origin, ...guide } = r.json;
		assert.deepEqual(guide, own.json);
		assert.deepEqual(origin, { region: '520100', region_name: '贵阳市', node_name: '贵阳市政务服务节点', url: gy.url, local: false });
		assert.ok(guide.materials.length > 0);
		/* Its own item: no call, local: true. */
		const mine = await gd.call('GET', '/api/v1/fed/services/440000/440000-GA-XK-101');
		assert.equal(mine.status, 200, mine.text);
		assert.equal(mine.json.origin.local, true);
		assert.equal(mine.json.code, '440000-GA-XK-101');
		/* Not published, unknown, malformed. */
		let x = await gd.call('GET', '/api/v1/fed/services/440000/440000-RS-QR-201');
		assert.equal(x.status, 404, x.text);
		x = await gd.call('GET', '/api/v1/fed/services/520100/520100-NO-SUCH-1');
		assert.equal(x.status, 404, x.text);
		assert.equal(x.json.type, '/problems/not_found');
		x = await gd.call('GET', '/api/v1/fed/services/110000/110000-GA-XK-101');
		assert.equal(x.status, 404, x.text);
		assert.equal(x.json.errors[0].reason, 'unknown_node');
		x = await gd.call('GET', '/api/v1/fed/services/52/520100-GA-XK-101');
		assert.equal(x.status, 400);
		assert.equal(errorOf(x).field, 'region');
		x = await gd.call('GET', `/api/v1/fed/services/520100/${encodeURIComponent('a b')}`);
		assert.equal(x.status, 400);
		assert.equal(errorOf(x).field, 'code');
	});

	it('the hub killed: national search is 503; after its restart nothing is lost or doubled', async () => {
		const before = held(hub);
		await hub.stop('SIGKILL');
		const r = await gd.call('GET', `/api/v1/fed/catalog?${q({ scope: 'national' })}`);
		assert.equal(r.status, 503, r.text);
		assert.equal(r.json.type, '/problems/hub_unreachable');
		await publishItem(gy, 'gy.rs.admin', '520100-RS-QR-301', { name: '异地就医备案（贵阳）' });
		await waitFor(() => statusAt(gz, '520100-RS-QR-301') === 'published', { what: 'the new item at 贵州' });
		await hub.restart({ crash: true });
		await waitFor(() => statusAt(hub, '520100-RS-QR-301') === 'published', { timeout: 10000, what: 'the new item at the hub' });
		/* Give the pulls a few more rounds: nothing else may change. */
		await new Promise((res) => setTimeout(res, 1500));
		assert.equal(held(hub), before + 1);
		assert.equal(hub.count('SELECT count(*) FROM (SELECT DISTINCT origin_region, kind, code FROM fed_catalog) t'), before + 1);
	});

	it('a child down meanwhile catches up after its restart', async () => {
		const logFrom = hub.stderr.length;
		await gd.stop('SIGKILL');
		/* A change made while the node is down, by a plain SQL statement. */
		gd.sql("UPDATE service_items SET status = 'unpublished' WHERE code = '440000-SCJG-XK-101'");
		await waitFor(() => /cannot read the feed of 440000/.test(hub.stderr.slice(logFrom)), { what: 'the outage logged' });
		await new Promise((res) => setTimeout(res, 4000)); /* more failed pulls */
		assert.equal(statusAt(hub, '440000-SCJG-XK-101'), 'published');
		await gd.restart();
		await waitFor(() => statusAt(hub, '440000-SCJG-XK-101') === 'withdrawn', { timeout: 10000, what: 'the withdrawal at the hub' });
		const log = hub.stderr.slice(logFrom);
		assert.equal(log.match(/cannot read the feed of 440000/g).length, 1, log);
		await waitFor(() => /the feed of 440000 answers again/.test(hub.stderr.slice(logFrom)));
	});

	it('the feed answers the parent only, signed', async () => {
		const feed = '/api/v1/fed/catalog/feed';
		/* Unsigned. */
		let r = await api(gy.url, 'POST', feed, { json: { after: null, limit: 10 } });
		assert.equal(r.status, 400, r.text);
		assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Sender', 'malformed']);

		/* A fake child of 广东 captures 广东's signed pull and answers with one
		 * entry of its own and one of a region not below it. The regions
		 * table of the tests has cities of 贵州 only, so the fake child is
		 * 六盘水 520200, registered at 广东 (only) as a node below it. */
		const seen = [];
		const entry = (origin, code) => ({
			kind: 'service', origin_region: origin, code, name: `测试事项${code}`, dept_name: '测试部门',
			region_code: origin, status: 'published', summary: '', updated_at: '2026-03-09T10:00:00+08:00',
			guide_url: null, item_type: 'XK', cross_modes: ['proxy'], promised_days: 5, depth: 4, max_visits: 1,
		});
		const server = http.createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				seen.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
				res.writeHead(200, { 'Content-Type': 'application/json' });
				const first = seen.length === 1;
				res.end(JSON.stringify({
					entries: first ? [entry('520200', '520200-TEST-1'), entry('520100', '520100-FAKE-1')] : [],
					next: first ? '2' : null,
					head: '2',
				}));
			});
		});
		await new Promise((res) => server.listen(0, '127.0.0.1', res));
		try {
			const url = `http://127.0.0.1:${server.address().port}`;
			const pub = freshKey(gd.dataDir, 'fake520200');
			const add = gd.cli(['node', 'add', '--region', '520200', '--name', '广州测试节点', '--url', url, '--key', pub, '--parent-region', '440000']);
			assert.equal(add.code, 0, add.stderr);
			await waitFor(() => seen.length >= 2, { what: "广东's pulls at the fake child" });
			const msg = seen[0];
			assert.equal(msg.path, feed);
			assert.equal(msg.headers['x-zt-sender'], '440000');
			assert.deepEqual(JSON.parse(msg.body.toString()), { after: null, limit: 200 });
			await waitFor(() => held(gd, "via_region = '520200'") === 1);
			assert.deepEqual(gd.sql("SELECT origin_region, code FROM fed_catalog WHERE via_region = '520200'"), [{ origin_region: '520200', code: '520200-TEST-1' }]);
			assert.equal(gd.sql("SELECT cursor FROM fed_catalog_cursors WHERE child_region = '520200'")[0].cursor, '2');
			assert.match(gd.stderr, /skipped an entry from 520200: bad origin_region/);

			/* 广东's genuine signed call, replayed to 贵阳: not its parent. */
			const headers = { 'Content-Type': 'application/json' };
			for (const k of ['x-zt-sender', 'x-zt-message-id', 'x-zt-timestamp', 'x-zt-digest', 'x-zt-key-id', 'x-zt-signature']) headers[k] = msg.headers[k];
			r = await api(gy.url, 'POST', feed, { body: msg.body, headers });
			assert.equal(r.status, 403, r.text);
			assert.equal(r.json.type, '/problems/not_parent');
			r = await api(gy.url, 'POST', feed, { body: msg.body.toString().replace('200', '500'), headers });
			assert.equal(r.status, 400, r.text);
			assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Digest', 'bad_digest']);
			r = await api(gy.url, 'POST', `${feed}?limit=5`, { body: msg.body, headers });
			assert.equal(r.status, 400, r.text);
			assert.equal(errorOf(r).field, 'query');
			/* The hub does not know 520200: 广东's relay of it is refused. */
			await waitFor(() => /skipped an entry from 440000: bad origin_region/.test(hub.stderr), { what: 'the relay refused at the hub' });
			assert.equal(held(hub, "origin_region = '520200'"), 0);
		} finally {
			server.close();
		}
	});
});
