/*
 * catalog.test.mjs - the service catalog's life cycle, health and metrics.
 *
 * Test plan (ZT_NOW = Mon 2026-03-02 10:00):
 *   1. scjg.admin creates a draft with a full body -> 201 draft, version 1,
 *      defaults filled (material count 1, required true, note ""), one
 *      service.create audit row.
 *   2. The draft is invisible to the public, to citizens and to officials of
 *      other departments (404) and absent from search, but visible to its own
 *      department (GET and /dept/services?status=draft); applying -> 422.
 *   3. Publishing makes it readable and searchable (3+ and 2-character
 *      queries, filters); publishing again -> 409 status/unchanged.
 *   4. A citizen applies while the promise is 4 working days.
 *   5. Editing (PUT) increments the version, replaces name and materials, and
 *      re-indexes search (old phrase gone, new found); the case keeps the
 *      promise it was submitted under: accepted on Mon 03-02 -> due Fri 03-06.
 *   6. Another department's admin cannot edit, publish or unpublish (403) and
 *      nothing changes; citizens and clerks cannot create items (403).
 *   7. Unpublishing removes it from search and public reads (404), keeps it
 *      for its department, refuses new applications (422), keeps old cases
 *      readable; unpublishing again -> 409; unpublishing a never-published
 *      draft -> 409 status/draft (a dept_admin's dept_id is ignored: the draft
 *      is in their own department); a duplicate code -> 409 code/taken.
 *   8. GET /healthz -> 200 {"status":"ok"}; GET /metrics has
 *      zt_http_requests_total counting exactly the requests made (2xx and 4xx
 *      per route) and zt_cases{state="submitted"} equal to the database count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, newCitizen, pdf, startNode, upload } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const CODE = '520102-SCJG-XK-101';

const ITEM = {
	code: CODE,
	name: '户外广告设置许可',
	type: 'XK',
	target: 'citizen',
	legal_days: 20,
	promised_days: 4,
	depth: 5,
	max_visits: 0,
	fee: '不收费',
	conditions: '在城市道路两侧设置户外广告设施的单位和个人。',
	legal_basis: '《城市市容和环境卫生管理条例》第十一条。',
	process: ['网上申请', '受理', '审查', '决定'],
	place: '南明区政务服务中心二楼',
	office_hours: '工作日 9:00-17:00',
	consult: '0851-12345',
	complaint: '12345 热线',
	channels: ['web', 'mobile', 'window'],
	cross_modes: ['proxy'],
	materials: [
		{ name: '户外广告设置申请表', form: 'original' },
		{ name: '设计效果图', form: 'electronic', count: 2, required: true, note: '彩色' },
		{ name: '场地使用证明', form: 'copy', required: false },
	],
};

describe('service catalog', () => {
	let node, admin, otherAdmin, clerk, cit, id, caseId;

	before(async () => {
		node = await startNode({ now: T0 });
		admin = await login(node.url, 'scjg.admin');
		otherAdmin = await login(node.url, 'rs.admin');
		clerk = await login(node.url, 'scjg.clerk');
		cit = await newCitizen(node.url, { name: '广告商', seq: 51 });
	});
	after(async () => {
		await node?.stop();
	});

	const get = (path, token) => api(node.url, 'GET', path, { token });
	const send = (method, path, token, json) => api(node.url, method, path, { token, json });
	const search = async (q) => (await get('/api/v1/services?' + q)).json.items.map((i) => i.code);
	const row = () => node.sql(`SELECT name, status, version, promised_days FROM service_items WHERE code = '${CODE}'`)[0];

	it('creates a draft in the admin’s department', async () => {
		const r = await send('POST', '/api/v1/services', admin, ITEM);
		assert.equal(r.status, 201, r.text);
		const s = r.json;
		id = s.id;
		assert.equal(s.code, CODE);
		assert.equal(s.status, 'draft');
		assert.equal(s.version, 1);
		assert.equal(s.updated_at, T0);
		assert.deepEqual(s.department, {
			id: 2,
			name: '南明区市场监督管理局',
			name_en: 'Nanming Administration for Market Regulation',
		});
		assert.deepEqual(s.region, { code: '520102', name: '南明区' });
		assert.deepEqual(s.channels, ['web', 'mobile', 'window']);
		assert.deepEqual(s.cross_modes, ['proxy']);
		assert.deepEqual(s.process, ITEM.process);
		assert.deepEqual(s.materials, [
			{ seq: 1, name: '户外广告设置申请表', form: 'original', count: 1, required: true, note: '' },
			{ seq: 2, name: '设计效果图', form: 'electronic', count: 2, required: true, note: '彩色' },
			{ seq: 3, name: '场地使用证明', form: 'copy', count: 1, required: false, note: '' },
		]);
		for (const k of ['type', 'target', 'legal_days', 'promised_days', 'depth', 'max_visits', 'fee', 'conditions', 'legal_basis', 'place', 'office_hours', 'consult', 'complaint'])
			assert.equal(s[k], ITEM[k], k);
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'service.create' AND object_id = '${id}'`), 1);
	});

	it('hides the draft from everyone but its department', async () => {
		for (const token of [null, cit.token, otherAdmin]) {
			const r = await get(`/api/v1/services/${id}`, token);
			assert.equal(r.status, 404, r.text);
			assert.ok(!r.text.includes('户外广告'));
		}
		for (const token of [admin, clerk]) {
			const r = await get(`/api/v1/services/${id}`, token);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.status, 'draft');
		}
		assert.deepEqual(await search('q=' + encodeURIComponent('户外广告')), []);
		assert.deepEqual(await search('q=' + encodeURIComponent('广告')), []);
		const mine = await get('/api/v1/dept/services?status=draft', admin);
		assert.equal(mine.status, 200, mine.text);
		assert.deepEqual(mine.json.items.map((i) => i.code), [CODE]);
		const theirs = await get('/api/v1/dept/services?status=draft', otherAdmin);
		assert.deepEqual(theirs.json.items, []);

		const f1 = await upload(node.url, cit.token, pdf('ad form'));
		const apply = await send('POST', '/api/v1/cases', cit.token, {
			item_code: CODE,
			materials: [{ seq: 1, name: '申请表', file: f1.json.id }],
		});
		assert.equal(apply.status, 422, apply.text);
		assert.equal(apply.json.errors[0].field, 'item_code');
		assert.equal(apply.json.errors[0].reason, 'not_published');
	});

	it('publishes: readable and searchable', async () => {
		const r = await send('POST', `/api/v1/services/${id}/publish`, admin, {});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'published');
		assert.equal(r.json.version, 1);
		const again = await send('POST', `/api/v1/services/${id}/publish`, admin, {});
		assert.equal(again.status, 409, again.text);
		assert.equal(again.json.errors[0].field, 'status');
		assert.equal(again.json.errors[0].reason, 'unchanged');

		const pub = await get(`/api/v1/services/${id}`);
		assert.equal(pub.status, 200);
		assert.equal(pub.json.name, '户外广告设置许可');
		assert.deepEqual(await search('q=' + encodeURIComponent('户外广告')), [CODE]);
		assert.deepEqual(await search('q=' + encodeURIComponent('广告')), [CODE]);
		assert.deepEqual(await search('q=' + encodeURIComponent('环境卫生管理条例')), [CODE], 'the guide is indexed');
		assert.deepEqual(await search('cross=proxy'), ['520102-RS-GF-001', '520102-MZ-GF-001', CODE]);
		assert.deepEqual(await search('type=XK&region=520102'), ['520102-SCJG-XK-001', '520102-SCJG-XK-002', CODE]);
		assert.deepEqual(await search(`dept=2&depth=5`), ['520102-SCJG-XK-001', '520102-SCJG-XK-002', '520102-SCJG-QT-003', CODE]);
	});

	it('accepts applications under the promise in force when submitted', async () => {
		const f1 = await upload(node.url, cit.token, pdf('ad form 2'));
		const f2 = await upload(node.url, cit.token, pdf('ad design'));
		const r = await send('POST', '/api/v1/cases', cit.token, {
			item_code: CODE,
			materials: [
				{ seq: 1, name: '申请表.pdf', file: f1.json.id },
				{ seq: 2, name: '效果图.pdf', file: f2.json.id },
			],
		});
		assert.equal(r.status, 201, r.text);
		caseId = r.json.id;
		assert.equal(node.count(`SELECT promised_days FROM cases WHERE id = ${caseId}`), 4);
	});

	it('edits: version increments, name, materials and search follow', async () => {
		const edited = {
			...ITEM,
			name: '户外广告设施设置许可',
			promised_days: 2,
			materials: [
				{ name: '户外广告设施设置申请表', form: 'original' },
				{ name: '设计效果图', form: 'electronic', count: 2, note: '彩色' },
			],
		};
		const r = await send('PUT', `/api/v1/services/${id}`, admin, edited);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.version, 2);
		assert.equal(r.json.name, '户外广告设施设置许可');
		assert.equal(r.json.promised_days, 2);
		assert.equal(r.json.status, 'published');
		assert.deepEqual(r.json.materials.map((m) => [m.seq, m.name]), [
			[1, '户外广告设施设置申请表'],
			[2, '设计效果图'],
		]);
		assert.deepEqual(await search('q=' + encodeURIComponent('户外广告设施设置')), [CODE]);
		assert.deepEqual(await search('q=' + encodeURIComponent('户外广告设置许可')), []);
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'service.update' AND object_id = '${id}'`), 1);

		/* The case submitted under a 4-day promise keeps it. */
		const acc = await send('POST', `/api/v1/cases/${caseId}/accept`, clerk, {});
		assert.equal(acc.status, 200, acc.text);
		assert.deepEqual(acc.json.deadline, {
			timer: 'normal',
			phase: 'decision',
			limit_days: 4,
			paused_workdays: 0,
			due_date: '2026-03-06',
			remaining_workdays: 4,
		});
	});

	it("refuses another department's admin and non-admins", async () => {
		const was = row();
		let r = await send('PUT', `/api/v1/services/${id}`, otherAdmin, { ...ITEM, name: '被篡改的名称' });
		assert.equal(r.status, 403, r.text);
		r = await send('POST', `/api/v1/services/${id}/unpublish`, otherAdmin, {});
		assert.equal(r.status, 403, r.text);
		r = await send('POST', `/api/v1/services/${id}/publish`, otherAdmin, {});
		assert.equal(r.status, 403, r.text);
		assert.deepEqual(row(), was);
		assert.deepEqual(was, { name: '户外广告设施设置许可', status: 'published', version: 2, promised_days: 2 });

		const items = node.count('SELECT count(*) FROM service_items');
		for (const token of [cit.token, clerk]) {
			r = await send('POST', '/api/v1/services', token, { ...ITEM, code: '520102-SCJG-XK-102' });
			assert.equal(r.status, 403, r.text);
		}
		r = await send('PUT', `/api/v1/services/${id}`, clerk, ITEM);
		assert.equal(r.status, 403);
		assert.equal(node.count('SELECT count(*) FROM service_items'), items);
		assert.deepEqual(row(), was);
	});

	it('unpublishes: gone from search and public reads, kept for the department', async () => {
		const r = await send('POST', `/api/v1/services/${id}/unpublish`, admin, {});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'unpublished');
		assert.deepEqual(await search('q=' + encodeURIComponent('户外广告')), []);
		assert.deepEqual(await search('cross=proxy'), ['520102-RS-GF-001', '520102-MZ-GF-001']);
		assert.equal((await get(`/api/v1/services/${id}`)).status, 404);
		assert.equal((await get(`/api/v1/services/${id}`, cit.token)).status, 404);
		const own = await get(`/api/v1/services/${id}`, admin);
		assert.equal(own.status, 200);
		assert.equal(own.json.status, 'unpublished');
		const listed = await get('/api/v1/dept/services?status=unpublished', admin);
		assert.deepEqual(listed.json.items.map((i) => i.code), [CODE]);

		const again = await send('POST', `/api/v1/services/${id}/unpublish`, admin, {});
		assert.equal(again.status, 409);
		assert.equal(again.json.errors[0].reason, 'unchanged');

		const f = await upload(node.url, cit.token, pdf('ad form 3'));
		const apply = await send('POST', '/api/v1/cases', cit.token, {
			item_code: CODE,
			materials: [
				{ seq: 1, name: '申请表', file: f.json.id },
				{ seq: 2, name: '效果图', file: f.json.id },
			],
		});
		assert.equal(apply.status, 422);
		assert.equal(apply.json.errors[0].reason, 'not_published');
		const old = await get(`/api/v1/cases/${caseId}`, cit.token);
		assert.equal(old.status, 200);
		assert.equal(old.json.item.code, CODE);
		assert.equal(old.json.state, 'accepted');

		/* dept_id is for sysadmins; a dept_admin always creates in their own department. */
		const draft = await send('POST', '/api/v1/services', admin, { ...ITEM, code: '520102-SCJG-XK-103', dept_id: 3 });
		assert.equal(draft.status, 201, draft.text);
		assert.equal(draft.json.department.id, 2);
		assert.equal(node.count(`SELECT dept_id FROM service_items WHERE id = ${draft.json.id}`), 2);
		const un = await send('POST', `/api/v1/services/${draft.json.id}/unpublish`, admin, {});
		assert.equal(un.status, 409, un.text);
		assert.equal(un.json.errors[0].field, 'status');
		assert.equal(un.json.errors[0].reason, 'draft');
		const dup = await send('POST', '/api/v1/services', admin, ITEM);
		assert.equal(dup.status, 409, dup.text);
		assert.equal(dup.json.errors[0].field, 'code');
		assert.equal(dup.json.errors[0].reason, 'taken');
		assert.equal(node.count(`SELECT count(*) FROM service_items WHERE code LIKE '520102-SCJG-XK-10%'`), 2);
		const missing = await send('POST', `/api/v1/services/999999/publish`, admin, {});
		assert.equal(missing.status, 404);
	});

	it('answers /healthz and counts requests in /metrics', async () => {
		const h = await get('/healthz');
		assert.equal(h.status, 200);
		assert.match(h.headers.get('content-type'), /^application\/json/);
		assert.deepEqual(h.json, { status: 'ok' });

		const metric = (text, name) => {
			const line = text.split('\n').find((l) => l.startsWith(name + ' '));
			return line === undefined ? 0 : Number(line.slice(name.length + 1));
		};
		const m0 = await get('/metrics');
		assert.equal(m0.status, 200);
		assert.match(m0.headers.get('content-type'), /^text\/plain/);
		const ok0 = metric(m0.text, 'zt_http_requests_total{route="services.search",code="2xx"}');
		const bad0 = metric(m0.text, 'zt_http_requests_total{route="services.search",code="4xx"}');
		assert.ok(ok0 >= 10, `searches so far: ${ok0}`);
		for (let i = 0; i < 3; i++) assert.equal((await get('/api/v1/services?type=GF')).status, 200);
		assert.equal((await get('/api/v1/services?type=NOPE')).status, 400);
		const m1 = await get('/metrics');
		assert.equal(metric(m1.text, 'zt_http_requests_total{route="services.search",code="2xx"}'), ok0 + 3);
		assert.equal(metric(m1.text, 'zt_http_requests_total{route="services.search",code="4xx"}'), bad0 + 1);
		assert.equal(metric(m1.text, 'zt_http_requests_total{route="metrics",code="2xx"}'), metric(m0.text, 'zt_http_requests_total{route="metrics",code="2xx"}') + 1);
		assert.match(m1.text, /^# TYPE zt_http_requests_total counter$/m);

		const submitted = node.count("SELECT count(*) FROM cases WHERE state = 'submitted'");
		assert.equal(submitted, 4, 'the four demo cases still waiting');
		assert.equal(metric(m1.text, 'zt_cases{state="submitted"}'), submitted);
		assert.equal(metric(m1.text, 'zt_cases{state="accepted"}'), 2);
		assert.equal(metric(m1.text, 'zt_cases{state="approved"}'), 1);
	});
});
