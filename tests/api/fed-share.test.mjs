/*
 * fed-share.test.mjs - cross-node data sharing and flow-back (数据回流)
 * between real node processes (docs/federation.md, "Cross-node sharing and
 * flow-back"; src/fed/xshare.h).
 *
 * Test plan (startFederation(): hub 000000, 贵州 gz 520000, 贵阳 gy 520100
 * below gz, 广东 gd 440000, each with `demo province` data; PostgreSQL too
 * with ZT_TEST_PG):
 *   Setup: gz's data officer of 公安 names region_code as the region field of
 *   520000-GA-HJ-001 户籍人口基本信息 (conditional; id_no is key and subject).
 *   1. Bad input at gd: every missing or malformed member is a 400 naming
 *      it; an unknown resource at gz -> 422 resource unknown_resource; an
 *      unknown field -> 400 fields[1]; a clerk -> 403; this node as
 *      provider -> 422 provider own_node; nothing is stored or sent.
 *   2. gd's 人社 data officer requests the resource (5 fields, 3 in clear):
 *      201 pending at gd; the request reaches gz (share.request) and shows in
 *      gz's incoming list, pending, due in 10 working days, naming 广东省 and
 *      the consumer department; gz's 人社 data officer does not see it (403 on
 *      the item, absent from the list).
 *   3. gz's 公安 data officer approves with fewer fields (no
 *      household_address) and fewer clear fields (id_no only): gd learns it
 *      (share.decision): state granted with exactly those terms.
 *   4. A gd 人社 clerk reads the demo citizen's row through the grant
 *      (POST /fed/share/exchange): exactly the granted fields, name masked as
 *      a local exchange masks it (陈**), id_no clear. A 公安 official of gd
 *      (another department) -> 403 not_granted.
 *   5. Access records at both ends, exact: gz fed_share_served one fetch row
 *      (by the clerk's name, purpose, key=..., rows 1) with the citizen as
 *      subject and an audit record; gd fed_share_access one row (clerk, key,
 *      fields, rows 1, remote_access_id = gz's record). An unknown key -> 404
 *      at gd, recorded at both ends with rows 0. The data officers' lists
 *      (GET /fed/share/access) show them. gd's department system reads with
 *      its API key: recorded with the key (no user) at gd, "system: <key
 *      name>" at gz.
 *   6. The data subject: the demo citizen of 520000 signed in at gz sees the
 *      access in /me/data-access naming 广东省 and gd's department, the
 *      resource and the purpose (remote: true).
 *   7. Revocation at gz: the very next exchange at gd is refused
 *      (403 grant_revoked, checked by gz) and writes no access record; gd
 *      learns the revocation by message (state revoked), after which it
 *      refuses by itself; revoking again -> 409.
 *   8. Flow-back: gy's 公安 data officer subscribes to the resource for
 *      [520100] (regions outside gy -> 403 regions[0] outside_own_region;
 *      malformed -> 400; gd as provider -> 422 not_upper_node). gz approves;
 *      gy receives exactly gz's rows whose region_code is 520100 or below,
 *      with gz's seq, as stored at gz. At rest at gy (encryption at rest):
 *      the values of the clear fields (id_no, name, household_address) are
 *      enc1: values and the key, given in clear, is its blind index (gy's
 *      `keys lookup`); no clear ID number or name is in fed_rows; the rows
 *      page answers the clear keys in the order of the stored indexes.
 *      `keys rotate` and `keys rotate --lookup` at gy (SIGHUP): every
 *      received value on data key 2, every received key on lookup key 2,
 *      and the rows page answers the same keys and rows.
 *   9. Kill -9 during traffic: 100 more row versions upserted at gz in 10
 *      batches (7 new keys inside and outside gy's regions and 3 updates of
 *      rows written before each, some moving into 520100); gy is killed with
 *      SIGKILL after the 4th batch while it pulls, restarted after the 7th
 *      (catching up while rows keep coming), killed again after the 9th and
 *      restarted at the end: gy ends with exactly the expected rows (count,
 *      content, gz's seq of each), its cursor = gz's largest seq, one row
 *      per key; gz's feed pages, each carrying rows, are in its access log
 *      with their data subjects.
 *  10. Revoking the subscription at gz: gy stops (state revoked) and a
 *      later row at gz does not arrive.
 *  11. A subscription whose grant masks the key field (id_no not in clear)
 *      receives the same rows under pseudonymous keys (p + 32 hex, one per
 *      row) with id_no masked, and only the granted fields.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { agrees, expectedOf, mayCall, refusedFirst, routesFromBinary } from './lib/authz.mjs';
import { startFederation, waitFor } from './lib/fed.mjs';
import { idCheckChar, login, rawDatabase } from './lib/node.mjs';

const RES = '520000-GA-HJ-001';
const GY_SUBTREE = ['520100', '520102', '520103', '520111', '520122', '520123'];

const idNo = (region, birth, seq) => {
	const first17 = `${region}${birth}${String(seq).padStart(3, '0')}`;
	return first17 + idCheckChar(first17);
};
const CITIZEN = idNo('520000', '19900307', 123);

const err0 = (r) => r.json?.errors?.[0] ?? {};
/* Access records keep queries with personal values masked (encryption at
 * rest, docs/security.md). */
const masked = (id) => `${id.slice(0, 6)}********${id.slice(14)}`;

describe('cross-node sharing and flow-back', () => {
	let fed, gz, gy, gd, resId, resBody;

	before(async () => {
		fed = await startFederation();
		({ gz, gy, gd } = fed);
		let r = await gz.as('gz.ga.data', 'GET', `/api/v1/resources?q=${RES}`);
		assert.equal(r.status, 200, r.text);
		resId = r.json.items[0].id;
		r = await gz.as('gz.ga.data', 'GET', `/api/v1/resources/${resId}`);
		const x = r.json;
		resBody = {
			code: x.code,
			name: x.name,
			summary: x.summary,
			fields: x.fields,
			key_field: x.key_field,
			subject_field: x.subject_field,
			share_type: x.share_type,
			share_conditions: x.share_conditions,
			legal_basis: x.legal_basis,
			share_method: x.share_method,
			open_type: x.open_type,
			update_cycle: x.update_cycle,
		};
		if (x.region_field !== 'region_code') {
			r = await gz.as('gz.ga.data', 'PUT', `/api/v1/resources/${resId}`, { json: { ...resBody, region_field: 'region_code' } });
			assert.equal(r.status, 200, r.text);
		}
		assert.equal(r.json.region_field, 'region_code');
	});

	after(async () => {
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	const ask = (body, who = 'gd.rs.data') => gd.as(who, 'POST', '/api/v1/fed/share/requests', { json: body });
	const GOOD = {
		provider_region: '520000',
		resource_code: RES,
		fields: ['id_no', 'name', 'region_code', 'household_address', 'registered_on'],
		clear_fields: ['id_no', 'name', 'household_address'],
		purpose: '养老保险关系转移接续：核验申请人户籍',
		legal_basis: '《城镇企业职工基本养老保险关系转移接续暂行办法》',
		valid_to: '2099-12-31',
	};
	let reqId, inId;

	it('names every bad member of a request and sends nothing', async () => {
		let r = await ask({});
		assert.equal(r.status, 400);
		assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['fields', 'provider_region', 'purpose', 'resource_code', 'valid_to']);
		r = await ask({ ...GOOD, provider_region: '52', fields: 'id_no', valid_to: '2099-13-01', extra: 1 });
		assert.equal(r.status, 400);
		assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['extra', 'fields', 'provider_region', 'valid_to']);
		r = await ask({ ...GOOD, valid_to: undefined, days: 0 });
		assert.equal(r.status, 400);
		assert.equal(err0(r).field, 'days');
		r = await ask({ ...GOOD, resource_code: '520000-NO-SUCH' });
		assert.equal(r.status, 422);
		assert.deepEqual([err0(r).field, err0(r).reason], ['resource', 'unknown_resource']);
		r = await ask({ ...GOOD, fields: ['id_no', 'salary'] });
		assert.equal(r.status, 400);
		assert.deepEqual([err0(r).field, err0(r).reason], ['fields[1]', 'unknown_field']);
		r = await ask({ ...GOOD, clear_fields: ['registered_on', 'x'] });
		assert.equal(r.status, 400);
		assert.equal(err0(r).field, 'clear_fields[1]');
		r = await ask({ ...GOOD, provider_region: '440000' });
		assert.equal(r.status, 422);
		assert.deepEqual([err0(r).field, err0(r).reason], ['provider', 'own_node']);
		r = await ask({ ...GOOD, valid_to: '2020-01-01' });
		assert.equal(r.status, 400);
		assert.deepEqual([err0(r).field, err0(r).reason], ['valid_to', 'past']);
		r = await ask(GOOD, 'gd.rs.clerk');
		assert.equal(r.status, 403);
		assert.equal(gd.count('SELECT count(*) FROM fed_share_requests'), 0);
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE type LIKE 'share.%'"), 0);
	});

	it('delivers a request to the provider, where its data officer sees it', async () => {
		const r = await ask(GOOD);
		assert.equal(r.status, 201, r.text);
		reqId = r.json.id;
		assert.equal(r.headers.get('location'), `/api/v1/fed/share/requests/${reqId}`);
		assert.equal(r.json.state, 'pending');
		assert.equal(r.json.kind, 'request');
		assert.deepEqual(r.json.provider, { region: '520000', name: '贵州省', department: '贵州省公安厅' });
		assert.deepEqual(r.json.resource, { code: RES, name: '户籍人口基本信息' });
		assert.deepEqual(r.json.fields, GOOD.fields);
		assert.deepEqual(r.json.clear_fields, ['id_no', 'name', 'household_address']);
		const item = await waitFor(async () => {
			const l = await gz.as('gz.ga.data', 'GET', '/api/v1/fed/share/incoming?kind=request');
			return l.json.items.find((x) => x.remote_id === reqId);
		}, { what: 'the request at gz' });
		inId = item.id;
		assert.equal(item.status, 'pending');
		assert.equal(item.remote, true);
		assert.deepEqual(item.node.region, '440000');
		assert.deepEqual(item.consumer, { id: null, name: '广东省人力资源和社会保障厅', code: item.consumer.code, region: { code: '440000', name: '广东省' } });
		assert.equal(item.consumer.code.length, 18);
		assert.deepEqual(item.requested_by, { name: '数据专员 宋磊' });
		assert.equal(item.purpose, GOOD.purpose);
		assert.equal(item.remaining_workdays, 10);
		assert.match(item.due, /^\d{4}-\d{2}-\d{2}$/);
		let o = await gz.as('gz.rs.data', 'GET', `/api/v1/fed/share/incoming/${inId}`);
		assert.equal(o.status, 403);
		o = await gz.as('gz.rs.data', 'GET', '/api/v1/fed/share/incoming');
		assert.deepEqual(o.json.items, []);
		o = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/revoke`, { json: { reason: '尚未批准' } });
		assert.equal(o.status, 409);
	});

	it('brings the approval with fewer fields back to the consumer', async () => {
		let r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/approve`, { json: { fields: ['id_no', 'name', 'region_code', 'registered_on', 'x'] } });
		assert.equal(r.status, 400);
		assert.equal(err0(r).field, 'fields[4]');
		r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/approve`, { json: { fields: ['id_no', 'name', 'region_code', 'registered_on'], clear_fields: ['id_no'], comment: '仅核验身份，不提供户籍地址' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'approved');
		assert.deepEqual(r.json.fields, ['id_no', 'name', 'region_code', 'registered_on']);
		assert.deepEqual(r.json.clear_fields, ['id_no']);
		r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/approve`, { json: {} });
		assert.equal(r.status, 409);
		const g = await waitFor(async () => {
			const x = await gd.as('gd.rs.clerk', 'GET', `/api/v1/fed/share/requests/${reqId}`);
			return x.json.state === 'granted' && x.json;
		}, { what: 'the grant at gd' });
		assert.deepEqual(g.fields, ['id_no', 'name', 'region_code', 'registered_on']);
		assert.deepEqual(g.clear_fields, ['id_no']);
		assert.equal(g.remote_id, inId);
		assert.equal(g.valid_to, '2099-12-31');
		assert.equal(g.rate_limit, 600);
		const l = await gd.as('gd.rs.clerk', 'GET', '/api/v1/fed/share/requests?state=granted');
		assert.deepEqual(l.json.items.map((x) => x.id), [reqId]);
	});

	const exchange = (key, who = 'gd.rs.clerk', grant = reqId) => gd.as(who, 'POST', '/api/v1/fed/share/exchange', { json: { grant, key } });

	it('reads a masked row through the remote grant and records it at both ends', async () => {
		let r = await exchange(CITIZEN);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.row, { id_no: CITIZEN, name: '陈**', region_code: '520000', registered_on: '2012-09-03' });
		assert.equal(r.json.grant, reqId);
		assert.equal(r.json.provider, '520000');
		assert.equal(r.json.resource, RES);
		r = await exchange(CITIZEN, 'gd.ga.clerk');
		assert.equal(r.status, 403);
		assert.equal(err0(r).reason, 'not_granted');
		r = await gd.as('gd.rs.clerk', 'POST', '/api/v1/fed/share/exchange', { json: { grant: 'x' } });
		assert.equal(r.status, 400);
		assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['grant', 'key']);

		const served = gz.sql('SELECT id, incoming_id, kind, by_name, purpose, query, rows FROM fed_share_served ORDER BY id');
		assert.deepEqual(served.map(({ id, ...x }) => x), [{ incoming_id: inId, kind: 'fetch', by_name: '受理员 罗丹', purpose: GOOD.purpose, query: `key=${masked(CITIZEN)}`, rows: 1 }]);
		assert.deepEqual(gz.sql('SELECT subject, served_id FROM fed_share_served_subjects'), [{ subject: gz.bi(CITIZEN), served_id: served[0].id }]);
		assert.equal(gz.count("SELECT count(*) FROM audit_log WHERE action = 'fed_share.serve'"), 1);
		const clerk = gd.count("SELECT id FROM users WHERE login = 'gd.rs.clerk'");
		const acc = gd.sql('SELECT request_id, user_id, api_key_id, purpose, query, fields, rows, remote_access_id FROM fed_share_access');
		assert.deepEqual(acc, [{ request_id: reqId, user_id: clerk, api_key_id: null, purpose: GOOD.purpose, query: `key=${masked(CITIZEN)}`, fields: '["id_no","name","region_code","registered_on"]', rows: 1, remote_access_id: served[0].id }]);
		assert.equal(gd.count("SELECT count(*) FROM audit_log WHERE action = 'fed_share.access'"), 1);

		const missing = idNo('520000', '19800101', 999);
		r = await exchange(missing);
		assert.equal(r.status, 404);
		assert.equal(gz.count(`SELECT rows FROM fed_share_served WHERE query = 'key=${masked(missing)}'`), 0);
		assert.equal(gd.count(`SELECT rows FROM fed_share_access WHERE query = 'key=${masked(missing)}'`), 0);
		assert.equal(gz.count('SELECT count(*) FROM fed_share_served'), 2);
		assert.equal(gd.count('SELECT count(*) FROM fed_share_access'), 2);

		const pl = await gz.as('gz.ga.data', 'GET', '/api/v1/fed/share/access?side=provider');
		assert.deepEqual(pl.json.items.map((x) => [x.kind, x.rows, x.consumer.region.name, x.by]), [
			['fetch', 0, '广东省', '受理员 罗丹'],
			['fetch', 1, '广东省', '受理员 罗丹'],
		]);
		const cl = await gd.as('gd.rs.data', 'GET', '/api/v1/fed/share/access?side=consumer');
		assert.deepEqual(cl.json.items.map((x) => [x.grant, x.rows, x.provider.name, x.by]), [
			[reqId, 0, '贵州省', '受理员 罗丹'],
			[reqId, 1, '贵州省', '受理员 罗丹'],
		]);

		/* the department's system reads with its API key */
		const k = await gd.as('gd.rs.data', 'POST', '/api/v1/api-keys', { json: { name: '社保核验系统' } });
		assert.equal(k.status, 201, k.text);
		r = await gd.call('POST', '/api/v1/fed/share/exchange', { token: k.json.key, json: { grant: reqId, key: CITIZEN } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.row.name, '陈**');
		assert.deepEqual(gd.sql('SELECT user_id, api_key_id FROM fed_share_access ORDER BY id DESC LIMIT 1'), [{ user_id: null, api_key_id: k.json.id }]);
		assert.equal(gz.count('SELECT by_name FROM fed_share_served ORDER BY id DESC LIMIT 1'), 'system: 社保核验系统');
	});

	it("shows the access to the data subject at the subject's home node", async () => {
		const token = await login(gz.url, CITIZEN);
		const r = await gz.call('GET', '/api/v1/me/data-access', { token });
		assert.equal(r.status, 200, r.text);
		const mine = r.json.items.filter((x) => x.remote);
		assert.deepEqual(mine.map((x) => x.by), ['system: 社保核验系统', '受理员 罗丹']);
		assert.deepEqual({ ...mine[1], at: undefined }, {
			at: undefined,
			consumer: { id: null, name: '广东省人力资源和社会保障厅', region: { code: '440000', name: '广东省' } },
			by: '受理员 罗丹',
			resource: { code: RES, name: '户籍人口基本信息' },
			purpose: GOOD.purpose,
			grant: inId,
			rows: 1,
			remote: true,
		});
	});

	it('refuses the next exchange once the provider revokes, then learns it', async () => {
		let r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/revoke`, { json: { reason: '核验工作已结束' } });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'revoked');
		const before = gd.count('SELECT count(*) FROM fed_share_access');
		const served = gz.count('SELECT count(*) FROM fed_share_served');
		r = await exchange(CITIZEN);
		assert.equal(r.status, 403);
		assert.equal(err0(r).reason, 'grant_revoked');
		assert.equal(gd.count('SELECT count(*) FROM fed_share_access'), before);
		assert.equal(gz.count('SELECT count(*) FROM fed_share_served'), served);
		await waitFor(async () => (await gd.as('gd.rs.clerk', 'GET', `/api/v1/fed/share/requests/${reqId}`)).json.state === 'revoked', { what: 'the revocation at gd' });
		const g = (await gd.as('gd.rs.clerk', 'GET', `/api/v1/fed/share/requests/${reqId}`)).json;
		assert.equal(g.reason, '核验工作已结束');
		r = await exchange(CITIZEN);
		assert.equal(r.status, 403);
		assert.equal(err0(r).reason, 'grant_revoked');
		assert.equal(gz.count('SELECT count(*) FROM fed_share_served'), served);
		r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inId}/revoke`, { json: { reason: '再次撤销' } });
		assert.equal(r.status, 409);
	});

	/* ---- flow-back ---- */

	const subscribe = (body, who = 'gy.ga.data') => gy.as(who, 'POST', '/api/v1/fed/subscriptions', { json: body });
	let subId, subIn;

	/* gz's rows of the resource, decrypted (gz stores id_no, the key, as a
	 * blind index and the personal values encrypted): [{key, seq, data}]
	 * with the clear key and the row as it was before sealing. */
	const gzRows = (limit = '') => {
		const rows = gz.sql(`SELECT key, seq, data FROM resource_rows WHERE resource_id = ${resId} ORDER BY seq ${limit}`);
		assert.ok(rows.every((x) => /^bi1:\d+:[0-9a-f]{64}$/.test(x.key) && !x.data.includes(x.key)), 'gz keeps keys as blind indexes');
		const open = gz.open(rows.map((x) => x.data));
		return rows.map((x, i) => ({ key: JSON.parse(open[i]).id_no, seq: Number(x.seq), data: open[i] }));
	};
	/* gz's rows of the resource inside gy's regions: key -> {seq, data}. */
	const expected = () =>
		new Map(gzRows().filter((x) => GY_SUBTREE.includes(JSON.parse(x.data).region_code)).map((x) => [x.key, { seq: x.seq, data: x.data }]));
	/* gy's received rows, opened (the values of clear fields are stored
	 * encrypted, a clear key as its blind index): clear key -> {seq, data}. */
	const receivedOf = (id) => {
		const rows = gy.sql(`SELECT key, seq, data FROM fed_rows WHERE request_id = ${id} ORDER BY key`);
		const open = gy.open(rows.map((x) => x.data));
		return new Map(rows.map((x, i) => [/^bi1:/.test(x.key) ? JSON.parse(open[i]).id_no : x.key, { seq: Number(x.seq), data: open[i], stored: x }]));
	};
	const received = () => receivedOf(subId);
	const sameRows = () => {
		const e = expected();
		const g = received();
		return e.size === g.size && [...e].every(([k, v]) => g.get(k)?.seq === v.seq && g.get(k)?.data === v.data);
	};

	it('subscribes a lower node to its own regions only', async () => {
		let r = await subscribe({ provider_region: '520000', resource_code: RES, regions: ['520200'] });
		assert.equal(r.status, 403);
		assert.deepEqual([err0(r).field, err0(r).reason], ['regions[0]', 'outside_own_region']);
		r = await subscribe({ provider_region: '520000', resource_code: RES, regions: ['520100', '5201'] });
		assert.equal(r.status, 400);
		assert.equal(err0(r).field, 'regions[1]');
		r = await subscribe({ provider_region: '520000', resource_code: RES });
		assert.equal(r.status, 400);
		assert.equal(err0(r).field, 'regions');
		r = await subscribe({ provider_region: '440000', resource_code: '440000-GA-HJ-001', regions: ['520100'] });
		assert.equal(r.status, 422);
		assert.deepEqual([err0(r).field, err0(r).reason], ['provider', 'not_upper_node']);
		r = await subscribe({ provider_region: '520000', resource_code: RES, regions: ['520100'] }, 'gy.ga.clerk');
		assert.equal(r.status, 403);
		assert.equal(gy.count('SELECT count(*) FROM fed_share_requests'), 0);

		r = await subscribe({ provider_region: '520000', resource_code: RES, regions: ['520100'], clear_fields: ['id_no', 'name', 'household_address'] });
		assert.equal(r.status, 201, r.text);
		subId = r.json.id;
		assert.equal(r.json.kind, 'subscription');
		assert.deepEqual(r.json.regions, ['520100']);
		assert.deepEqual(r.json.fields, ['id_no', 'name', 'region_code', 'household_address', 'registered_on']);
		assert.deepEqual(r.json.sync, { cursor: 0, received: 0, rows: 0, synced_at: null, error: null, error_at: null });
		const item = await waitFor(async () => {
			const l = await gz.as('gz.ga.data', 'GET', '/api/v1/fed/share/incoming?kind=subscription');
			return l.json.items.find((x) => x.remote_id === subId);
		}, { what: 'the subscription at gz' });
		subIn = item.id;
		assert.equal(item.status, 'pending');
		assert.deepEqual(item.regions, ['520100']);
		assert.deepEqual(item.consumer.region, { code: '520100', name: '贵阳市' });
	});

	it('flows back exactly the rows of the subscribed regions', async () => {
		const r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${subIn}/approve`, { json: {} });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.clear_fields, ['id_no', 'name', 'household_address']);
		const e = expected();
		assert.ok(e.size >= 2, `gz holds ${e.size} rows in 520100`);
		await waitFor(() => sameRows(), { what: 'the first rows at gy' });
		const s = await waitFor(async () => {
			const x = (await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}`)).json;
			return x.sync.cursor === gz.count(`SELECT max(seq) FROM resource_rows WHERE resource_id = ${resId}`) && x;
		}, { what: 'the cursor at gy' });
		assert.equal(s.state, 'granted');
		assert.equal(s.sync.rows, e.size);
		assert.equal(s.sync.error, null);
		/* at rest: clear fields encrypted, the clear key as its index */
		const got = received();
		for (const [k, v] of got) {
			const row = JSON.parse(v.data);
			assert.equal(v.stored.key, gy.bi(k));
			const stored = JSON.parse(v.stored.data);
			for (const f of ['id_no', 'name', 'household_address']) assert.match(stored[f], /^enc1:\d+:/, f);
			assert.equal(stored.region_code, row.region_code);
			assert.ok(!v.stored.data.includes(k) && !v.stored.data.includes(row.name), v.stored.data);
		}
		const raw = rawDatabase(gy);
		for (const k of got.keys()) assert.ok(!raw.includes(k), `${k} is stored in clear at gy`);
		/* the page answers clear keys and rows, in the order of the indexes */
		const order = [...got].sort((a, b) => (a[1].stored.key < b[1].stored.key ? -1 : 1)).map((x) => x[0]);
		const rows = await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}/rows?limit=1`);
		assert.equal(rows.json.items.length, 1);
		assert.equal(rows.json.items[0].key, order[0]);
		assert.deepEqual(rows.json.items[0].row, JSON.parse(got.get(order[0]).data));
		assert.ok(rows.json.next);
		const page2 = await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}/rows?limit=100&cursor=${rows.json.next}`);
		assert.deepEqual(page2.json.items.map((x) => x.key), order.slice(1));
		const other = await gy.as('gy.rs.clerk', 'GET', `/api/v1/fed/subscriptions/${subId}/rows`);
		assert.equal(other.status, 403);
	});

	it("holds every cross-node object to its route's declared policy", async () => {
		/* authz-matrix.test.mjs can only check the `who` of these routes (one
		 * node cannot create their objects); here every caller of the node
		 * holding each object, against the policy from `zhengtong routes`. */
		const routes = routesFromBinary();
		const route = (name) => routes.find((x) => x.name === name) ?? assert.fail(`no route ${name}`);
		const principals = async (node) => {
			const p = node.prefix;
			const P = [{ name: 'anonymous', kind: 'anonymous', token: null }];
			const add = async (login, kinds, dept) => P.push({ name: `${p}.${login}`, kind: kinds[0], kinds, dept, token: await node.token(`${p}.${login}`) });
			P.push({ name: 'demo citizen', kind: 'citizen', token: await login(node.url, idNo(node.region, '19900307', 123)) });
			await add('admin', ['sysadmin'], 'zw');
			await add('supervisor', ['supervisor'], 'zw');
			await add('rs.clerk', ['clerk'], 'rs');
			await add('rs.reviewer', ['reviewer'], 'rs');
			await add('rs.admin', ['dept_admin'], 'rs');
			await add('rs.data', ['data_officer'], 'rs');
			await add('ga.clerk', ['clerk', 'reviewer'], 'ga');
			await add('ga.admin', ['dept_admin'], 'ga');
			await add('ga.data', ['data_officer'], 'ga');
			await add('scjg.clerk', ['clerk', 'reviewer'], 'scjg');
			await add('scjg.admin', ['dept_admin'], 'scjg');
			for (const d of ['rs', 'ga']) {
				const k = await node.as(`${p}.${d}.data`, 'POST', '/api/v1/api-keys', { json: { name: `policy ${d}` } });
				assert.equal(k.status, 201, k.text);
				P.push({ name: `system of ${p}.${d}`, kind: 'system', dept: d, token: k.json.key });
			}
			return P;
		};
		/* [node, route, path params, body, the object's department, list
		 * route that must not show it to whoever the object's route refuses,
		 * how to find it there] */
		const reason = { reason: '授权检查' };
		const cells = [
			[gd, 'fed_share.requests.get', reqId, null, 'rs', 'fed_share.requests.list', reqId],
			[gy, 'fed_share.subscriptions.get', subId, null, 'ga', 'fed_share.subscriptions.list', subId],
			[gy, 'fed_share.subscriptions.rows', subId, null, 'ga'],
			/* inId was revoked above: an allowed caller gets 409, nothing changes */
			[gz, 'fed_share.incoming.get', inId, null, 'ga', 'fed_share.incoming.list', inId],
			[gz, 'fed_share.incoming.approve', inId, {}, 'ga'],
			[gz, 'fed_share.incoming.refuse', inId, reason, 'ga'],
			[gz, 'fed_share.incoming.revoke', inId, reason, 'ga'],
		];
		const failures = [];
		let n = 0;
		const people = new Map();
		for (const [node, name, id, body, dept, listName, listId] of cells) {
			if (!people.has(node)) people.set(node, await principals(node));
			const rt = route(name);
			assert.ok(rt.path.endsWith('{id}') || rt.path.includes('{id}/'), rt.path);
			const path = rt.path.replace('{id}', String(id));
			for (const p of refusedFirst(rt, people.get(node), dept)) {
				const want = expectedOf(rt, p, dept);
				const r = await node.call(rt.method, path, { token: p.token, json: body ?? undefined });
				n++;
				if (!agrees(rt, p, want, r, true))
					failures.push(`${node.prefix} ${rt.method} ${path} (${name}, ${rt.scope}) as ${p.name}: want ${want}, got ${r.status} ${r.text.slice(0, 120)}`);
			}
			if (listName) {
				const lr = route(listName);
				for (const p of people.get(node)) {
					if (expectedOf(rt, p, dept) === 'allow' || !mayCall(lr, p)) continue;
					const r = await node.call(lr.method, lr.path, { token: p.token });
					n++;
					if (r.status !== 200 || r.json.items.some((x) => x.id === listId))
						failures.push(`${node.prefix} ${lr.path} as ${p.name}: ${r.status}, shows ${name} ${listId}`);
				}
			}
		}
		assert.deepEqual(failures, [], `${failures.length} of ${n} cells wrong`);
		/* the refused and allowed calls changed nothing */
		assert.equal((await gz.as('gz.ga.data', 'GET', `/api/v1/fed/share/incoming/${inId}`)).json.status, 'revoked');
		assert.equal((await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}`)).json.state, 'granted');
	});

	it('keeps received rows readable across key rotations at the subscriber', async () => {
		const page = async () => (await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}/rows?limit=100`)).json.items.map((x) => [x.key, x.row]);
		const before = await page();
		assert.ok(before.length >= 2);
		for (const args of [['keys', 'rotate'], ['keys', 'rotate', '--lookup']]) {
			const r = gy.cli(args);
			assert.equal(r.code, 0, r.stderr);
			gy.child.kill('SIGHUP');
			await new Promise((res) => setTimeout(res, 300));
		}
		assert.equal(gy.count("SELECT count(*) FROM fed_rows WHERE data LIKE '%enc1:1:%' OR key LIKE 'bi1:1:%'"), 0);
		assert.equal(gy.count(`SELECT count(*) FROM fed_rows WHERE request_id = ${subId} AND key LIKE 'bi1:2:%'`), before.length);
		const after = await page();
		assert.deepEqual(new Map(after), new Map(before));
		assert.ok(sameRows());
	});

	it('loses nothing and applies nothing twice when the subscriber is killed during traffic', async () => {
		/* 100 row versions in 10 batches of 10: 7 new rows each (inside and
		 * outside gy's regions) and 3 updates each of rows written before
		 * (the demo's in the first batch): a new address, and every third
		 * one moved from outside into 520100. */
		const places = ['520102', '520103', '520200', '520111', '520302', '520100', '520400'];
		const people = [];
		for (let i = 0; i < 70; i++) {
			const region = places[i % places.length];
			people.push({ id_no: idNo(region, '19880101', 200 + i), name: `测试人${i}`, region_code: region, household_address: `测试路 ${i} 号`, registered_on: '2020-01-01' });
		}
		const demo = gzRows('LIMIT 3').map((x) => JSON.parse(x.data));
		const batches = [];
		for (let b = 0; b < 10; b++) {
			const olds = b === 0 ? demo : people.slice((b - 1) * 7, (b - 1) * 7 + 3);
			const upd = olds.map((p, k) => ({ ...p, household_address: `${p.household_address}（${b} 更新）`, region_code: k === 2 && !GY_SUBTREE.includes(p.region_code) ? '520100' : p.region_code }));
			batches.push([...people.slice(b * 7, b * 7 + 7), ...upd]);
		}
		assert.equal(batches.flat().length, 100);
		const versionsBefore = gz.count(`SELECT max(seq) FROM resource_rows WHERE resource_id = ${resId}`);
		const pause = (ms) => new Promise((res) => setTimeout(res, ms));
		let partial = -1;
		for (let b = 0; b < batches.length; b++) {
			const r = await gz.as('gz.ga.data', 'PUT', `/api/v1/resources/${resId}/rows`, { json: { rows: batches[b] } });
			assert.equal(r.status, 200, r.text);
			if (b === 3) {
				/* gy pulls the first batches; kill it while rows keep coming */
				await pause(120);
				await gy.stop('SIGKILL');
				partial = gy.count(`SELECT count(*) FROM fed_rows WHERE request_id = ${subId}`);
			} else if (b === 6) {
				await gy.restart(); /* it catches up while batches 7.. arrive */
			} else if (b === 8) {
				await gy.stop('SIGKILL'); /* and dies again in the middle */
			} else await pause(40);
		}
		await gy.restart();
		const top = gz.count(`SELECT max(seq) FROM resource_rows WHERE resource_id = ${resId}`);
		assert.equal(top - versionsBefore, 100);
		await waitFor(() => sameRows() && gy.count(`SELECT feed_cursor FROM fed_share_requests WHERE id = ${subId}`) === top, { timeout: 30000, what: 'gy to catch up' });
		const e = expected();
		assert.ok(e.size > partial, `${e.size} rows expected, ${partial} before the restart`);
		assert.equal(gy.count(`SELECT count(*) FROM fed_rows WHERE request_id = ${subId}`), e.size);
		assert.equal(gy.count(`SELECT count(DISTINCT key) FROM fed_rows WHERE request_id = ${subId}`), e.size);
		assert.ok(gy.count(`SELECT received FROM fed_share_requests WHERE id = ${subId}`) >= e.size);
		/* every page gz served carried rows and is in its access log */
		const pages = gz.sql(`SELECT rows, query FROM fed_share_served WHERE kind = 'feed' AND incoming_id = ${subIn}`);
		assert.ok(pages.length >= 2);
		assert.ok(pages.every((p) => p.rows > 0 && /^after=\d+&next=\d+$/.test(p.query)));
		assert.ok(gz.count(`SELECT count(*) FROM fed_share_served_subjects y JOIN fed_share_served f ON f.id = y.served_id WHERE f.kind = 'feed'`) >= e.size);
	});

	it('stops the flow when the provider revokes the subscription', async () => {
		const r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${subIn}/revoke`, { json: { reason: '订阅期满' } });
		assert.equal(r.status, 200, r.text);
		await waitFor(() => gy.count(`SELECT count(*) FROM fed_share_requests WHERE id = ${subId} AND state = 'revoked'`) === 1, { what: 'the revocation at gy' });
		const late = { id_no: idNo('520102', '19770707', 321), name: '迟到', region_code: '520102', household_address: '迟到路 1 号', registered_on: '2021-02-03' };
		const u = await gz.as('gz.ga.data', 'PUT', `/api/v1/resources/${resId}/rows`, { json: { rows: [late] } });
		assert.equal(u.status, 200);
		await new Promise((res) => setTimeout(res, 1500));
		assert.equal(gy.count(`SELECT count(*) FROM fed_rows WHERE key IN ('${late.id_no}', '${gy.bi(late.id_no)}')`), 0);
		const r2 = await gy.as('gy.ga.data', 'GET', `/api/v1/fed/subscriptions/${subId}`);
		assert.equal(r2.json.state, 'revoked');
		assert.equal(r2.json.reason, '订阅期满');
	});

	it('gives pseudonymous row keys when the grant masks the key field', async () => {
		let r = await subscribe({ provider_region: '520000', resource_code: RES, regions: ['520100'], fields: ['id_no', 'region_code', 'registered_on'] });
		assert.equal(r.status, 201, r.text);
		const id2 = r.json.id;
		const inc = await waitFor(async () => (await gz.as('gz.ga.data', 'GET', '/api/v1/fed/share/incoming?kind=subscription&status=pending')).json.items.find((x) => x.remote_id === id2), { what: 'the second subscription at gz' });
		r = await gz.as('gz.ga.data', 'POST', `/api/v1/fed/share/incoming/${inc.id}/approve`, { json: {} });
		assert.equal(r.status, 200);
		const e = expected();
		await waitFor(() => gy.count(`SELECT count(*) FROM fed_rows WHERE request_id = ${id2}`) === e.size, { what: 'the rows of the second subscription' });
		const rows = [...receivedOf(id2)].map(([key, v]) => ({ key, data: v.data }));
		assert.ok(rows.every((x) => /^p[0-9a-f]{32}$/.test(x.key)), 'every key is a pseudonym');
		assert.equal(new Set(rows.map((x) => x.key)).size, e.size);
		const masked = new Set([...e.keys()].map((k) => `${k.slice(0, 6)}********${k.slice(14)}`));
		assert.deepEqual(new Set(rows.map((x) => JSON.parse(x.data).id_no)), masked);
		assert.ok(rows.every((x) => Object.keys(JSON.parse(x.data)).join() === 'id_no,region_code,registered_on'));
	});
});
