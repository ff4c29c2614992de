/*
 * supervision.test.mjs - public complaints (投诉/线索), escalation of overdue
 * supervision items to the region above (逐级督办), the supervisor's region
 * dashboard, the public service-quality figures and the case channel.
 *
 * Test plan (frozen clock; background sweep off; the server restarted to move
 * the clock). T0 = Wed 2026-04-29 10:00 (+08:00): 5 working days later is
 * Sat 2026-05-09, a 调休 working day after 劳动节 (05-01..05-05). The demo
 * holds one anonymous complaint about 食品经营许可 (TS20260429000001, open,
 * scjg), 南明区政务服务管理办公室 (zw, 520102) and 贵阳市政务服务管理办公室 (gy,
 * 520100) are oversight offices, gy.supervisor is 督查专员 林涛.
 *   1. GET /api/v1/departments marks zw and gy (only) as oversight.
 *   2. An anonymous complaint C1 about 食品经营许可 -> 201 {no TS20260429000002,
 *      dept scjg, due_date 2026-05-09, status open}; its 'complaint' item is
 *      owned by scjg.supervisor, due 2026-05-09 (end of day); the complaints
 *      row keeps the contact and content; the audit record holds neither.
 *      A signed-in citizen's C2 about their own case (case_no) -> rs, the
 *      contact taken from the account (not from the body); C3 about the
 *      department 民政局 -> mz.supervisor.
 *   3. Bad inputs change nothing (complaints, supervision items, audit rows)
 *      and name the field: anonymous without contact_name -> 422
 *      contact_name/required, without contact_phone -> 422
 *      contact_phone/required, a landline -> 400 contact_phone/format, 9
 *      characters of content -> 400 content, about=item with a dept_id ->
 *      400 dept_id/not_allowed, about=planet -> 400 about/enum, an
 *      unpublished item -> 404 item_id, an unknown case -> 404 case_no.
 *   4. The public list and view: newest first (C3, C2, C1, demo), filters
 *      dept_id and status, paging with limit=1 walks the same order; the JSON
 *      text carries none of the contents, contact names, phones or the
 *      citizen's name; an unknown number -> 404.
 *   5. scjg.supervisor sees C1 with its complaint {no, about, content,
 *      contact_name, contact_phone}, closes it with an outcome naming the
 *      complainant, an ID number and two mobile numbers; the public view shows
 *      status closed, on_time true, closed_at, and the outcome with the name
 *      "陈**", the ID "520102********xxxx" and the phones "138****5678",
 *      "+86139****0000" masked (exact text).
 *   6. Quality (period 2026-Q2, region 520102): a citizen's 就业创业证申领 case
 *      not accepted and rated 2 opens a bad_rating item; rs figures before
 *      closing it: ratings {1, 2, 0 good, 1 bad, [0,1,0,0,0]}, rectification
 *      {1 opened, 0 closed, rate 0}, on_time {1, 1, 100}; the item has the
 *      same; scjg has the demo's approved case on time and no ratings; after
 *      rs.supervisor closes the item: rectification {1, 1, 100}. March has
 *      nothing (rates null); region 520100 lists all six departments; a bad
 *      period -> 400 period, an unknown region -> 404 region.
 *   7. Escalation: restarted at Mon 05-11 10:00, `zhengtong sla sweep` prints
 *      exactly "escalated 6 overdue case(s)" and "escalated 3 overdue
 *      supervision item(s) to the region above": the open complaint items
 *      (demo, C2, C3; due 05-09) go to 贵阳市政务服务管理办公室, owner
 *      gy.supervisor, due 2026-05-18, parent_id the complaint's item, which
 *      gets escalated_at; a second sweep opens nothing.
 *   8. Region scope: gy.supervisor sees all 14 items of 520100 and below,
 *      zw.supervisor the 11 of 520102 (not 贵阳's escalated ones), each with
 *      dept and escalation fields; scjg.supervisor -> 403 scope/not_oversight;
 *      kind=escalated filters. Summary (exact): gy's region view per
 *      department and totals {open 12, overdue 3, closed 2}; scjg's own view.
 *   9. Closing an escalated item: scjg.supervisor -> 403; gy.supervisor -> 200.
 *  10. Channel: POST /api/v1/cases with "channel": "mobile" is stored and shown;
 *      without it "web"; "fax" -> 400 channel and no case.
 *  11. Rate limit per client (X-Real-IP from the loopback proxy): 5 complaints
 *      in a minute -> 201, the 6th -> 429 with Retry-After 1..60 and no row; a
 *      complaint refused for its input (422) from that address still answers
 *      422; another address is unaffected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, idNumber, login, newCitizen, pdf, startNode, upload } from './lib/node.mjs';

const T0 = '2026-04-29T10:00:00+08:00';
const TL = '2026-05-11T10:00:00+08:00';
const day = (y, m, d) => Date.UTC(y, m - 1, d) / 86400000;

const C1_TEXT = '四月在窗口申请食品经营许可，工作人员说材料齐全却迟迟不受理，也不说明原因。';
const C1_NAME = '陈小明';
const C1_PHONE = '13912345678';
const C2_TEXT = '就业创业证申请提交后一直没有人受理，电话也打不通，请督促办理。';
const C3_TEXT = '民政局窗口工作时间经常无人值守，群众排队很久也办不了事。';
const C3_NAME = '周女士';
const C3_PHONE = '15800001234';

describe('complaints, escalation and service quality', () => {
	let node, cit, itemFood, caseY, caseYNo, c1, c2, c3;
	let ip = 0;

	before(async () => {
		node = await startNode({ now: T0 });
		cit = await newCitizen(node.url, { name: '投诉人张三', seq: 41, phone: '13712345678' });
		itemFood = node.sql("SELECT id FROM service_items WHERE code = '520102-SCJG-XK-002'")[0].id;
	});
	after(async () => {
		await node?.stop();
	});

	const get = (path, tok) => api(node.url, 'GET', path, { token: tok });
	const post = (path, tok, json) => api(node.url, 'POST', path, { token: tok, json });
	/* Each complaint from its own address, so that only test 11 meets the limit. */
	const complain = (json, tok, addr = `198.51.100.${++ip}`) =>
		api(node.url, 'POST', '/api/v1/complaints', { token: tok, json, headers: { 'X-Real-IP': addr } });
	const state = () =>
		node.sql(
			'SELECT (SELECT count(*) FROM complaints) AS c, (SELECT count(*) FROM supervision_items) AS s,' +
				' (SELECT count(*) FROM audit_log) AS a',
		)[0];

	async function submitCase(tag, extra = {}) {
		const f = await upload(node.url, cit.token, pdf(tag));
		assert.equal(f.status, 201, f.text);
		return post('/api/v1/cases', cit.token, {
			item_code: '520102-RS-GG-002',
			materials: [{ seq: 1, name: '身份证明.pdf', file: f.json.id }],
			...extra,
		});
	}

	it('marks the oversight offices', async () => {
		const r = await get('/api/v1/departments');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(
			r.json.items.map((d) => [d.id, d.name, d.region_code, d.oversight]),
			[
				[1, '南明区政务服务管理办公室', '520102', true],
				[2, '南明区市场监督管理局', '520102', false],
				[3, '南明区人力资源和社会保障局', '520102', false],
				[4, '南明区民政局', '520102', false],
				[5, '贵阳市卫生健康委员会', '520100', false],
				[6, '贵阳市政务服务管理办公室', '520100', true],
			],
		);
		assert.deepEqual(node.sql("SELECT name, roles FROM users WHERE login = 'gy.supervisor'"), [
			{ name: '督查专员 林涛', roles: 16 },
		]);
	});

	it("routes complaints to the department's supervisor with a working-day deadline", async () => {
		let r = await complain({
			about: 'item',
			item_id: itemFood,
			content: C1_TEXT,
			contact_name: C1_NAME,
			contact_phone: C1_PHONE,
		});
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, {
			no: 'TS20260429000002',
			dept: { id: 2, name: '南明区市场监督管理局' },
			due_date: '2026-05-09',
			status: 'open',
		});
		assert.equal(r.headers.get('location'), '/api/v1/complaints/TS20260429000002');
		c1 = r.json.no;
		const row = node.sql(
			"SELECT m.about, m.item_id, m.case_id, m.dept_id, m.user_id, m.contact_name, m.contact_phone, m.content," +
				" s.kind, s.status, s.due_day, s.due_at, u.login AS owner FROM complaints m" +
				" JOIN supervision_items s ON s.complaint_id = m.id JOIN users u ON u.id = s.owner_id" +
				` WHERE m.no = '${c1}'`,
		);
		/* the contact is stored encrypted (encryption at rest) */
		assert.match(row[0].contact_name, /^enc1:\d+:/);
		assert.match(row[0].contact_phone, /^enc1:\d+:/);
		assert.deepEqual(node.open([row[0].contact_name, row[0].contact_phone]), [C1_NAME, C1_PHONE]);
		assert.deepEqual(row.map((x) => ({ ...x, contact_name: undefined, contact_phone: undefined })), [
			{
				about: 'item',
				item_id: itemFood,
				case_id: null,
				dept_id: 2,
				user_id: null,
				contact_name: undefined,
				contact_phone: undefined,
				content: C1_TEXT,
				kind: 'complaint',
				status: 'open',
				due_day: day(2026, 5, 9),
				due_at: Date.parse('2026-05-09T23:59:59+08:00') / 1000,
				owner: 'scjg.supervisor',
			},
		]);
		const audit = node.sql(
			"SELECT action, data FROM audit_log WHERE action IN ('complaint.create', 'supervision.open')" +
				' ORDER BY seq DESC LIMIT 2',
		);
		assert.deepEqual(
			audit.map((a) => a.action),
			['complaint.create', 'supervision.open'],
		);
		assert.deepEqual(JSON.parse(audit[0].data), { no: c1, about: 'item', dept_id: 2, anonymous: true });
		for (const a of audit) for (const s of [C1_NAME, C1_PHONE, C1_TEXT]) assert.ok(!a.data.includes(s));

		/* Signed in: about the citizen's own case, the contact from the account. */
		const y = await submitCase('complaint case Y');
		assert.equal(y.status, 201, y.text);
		caseY = y.json.id;
		caseYNo = y.json.case_no;
		r = await complain(
			{ about: 'case', case_no: caseYNo, content: C2_TEXT, contact_name: '冒名', contact_phone: '13000000000' },
			cit.token,
		);
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, {
			no: 'TS20260429000003',
			dept: { id: 3, name: '南明区人力资源和社会保障局' },
			due_date: '2026-05-09',
			status: 'open',
		});
		c2 = r.json.no;
		const row2 = node.sql(
			"SELECT m.case_id, m.item_id, m.user_id, m.contact_name, m.contact_phone, u.login AS owner FROM complaints m" +
				` JOIN supervision_items s ON s.complaint_id = m.id JOIN users u ON u.id = s.owner_id WHERE m.no = '${c2}'`,
		);
		assert.ok(row2.every((x) => x.contact_name.startsWith('enc1:') && x.contact_phone.startsWith('enc1:')));
		for (const x of row2) [x.contact_name, x.contact_phone] = node.open([x.contact_name, x.contact_phone]);
		assert.deepEqual(
			row2,
			[
				{
					case_id: caseY,
					item_id: null,
					user_id: cit.user.id,
					contact_name: '投诉人张三',
					contact_phone: '13712345678',
					owner: 'rs.supervisor',
				},
			],
		);

		r = await complain({
			about: 'department',
			dept_id: 4,
			content: C3_TEXT,
			contact_name: C3_NAME,
			contact_phone: C3_PHONE,
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.no, 'TS20260429000004');
		assert.deepEqual(r.json.dept, { id: 4, name: '南明区民政局' });
		c3 = r.json.no;
		assert.deepEqual(
			node.sql(
				'SELECT u.login FROM supervision_items s JOIN users u ON u.id = s.owner_id' +
					` JOIN complaints m ON m.id = s.complaint_id WHERE m.no = '${c3}'`,
			),
			[{ login: 'mz.supervisor' }],
		);
	});

	it('refuses bad complaints, naming the field, and changes nothing', async () => {
		const was = state();
		const base = { about: 'item', item_id: itemFood, content: C1_TEXT, contact_name: '某人', contact_phone: '13800001111' };
		const cases = [
			[{ ...base, contact_name: undefined }, 422, 'contact_name', 'required'],
			[{ ...base, contact_phone: undefined }, 422, 'contact_phone', 'required'],
			[{ ...base, contact_phone: '0851-1234567' }, 400, 'contact_phone', 'format'],
			[{ ...base, content: '太慢了太慢了太慢了' }, 400, 'content', 'too_short'],
			[{ ...base, dept_id: 2 }, 400, 'dept_id', 'not_allowed'],
			[{ ...base, about: 'planet' }, 400, 'about', 'enum'],
			[{ ...base, item_id: node.sql("SELECT id FROM service_items WHERE code = '520100-WJ-GG-002'")[0].id }, 404, 'item_id', 'not_found'],
			[{ ...base, about: 'case', item_id: undefined, case_no: '52010220260429999999' }, 404, 'case_no', 'not_found'],
		];
		for (const [json, status, field, reason] of cases) {
			const r = await complain(JSON.parse(JSON.stringify(json)));
			assert.equal(r.status, status, `${field}: ${r.text}`);
			assert.equal(r.json.errors[0].field, field, r.text);
			assert.equal(r.json.errors[0].reason, reason, r.text);
		}
		assert.deepEqual(state(), was);
	});

	it('publishes complaints without personal data', async () => {
		const r = await get('/api/v1/complaints/public');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(
			r.json.items.map((i) => [i.no, i.about, i.dept_id, i.dept_name, i.item_name, i.status, i.due_date, i.on_time]),
			[
				[c3, 'department', 4, '南明区民政局', null, 'open', '2026-05-09', null],
				[c2, 'case', 3, '南明区人力资源和社会保障局', '就业创业证申领', 'open', '2026-05-09', null],
				[c1, 'item', 2, '南明区市场监督管理局', '食品经营许可', 'open', '2026-05-09', null],
				['TS20260429000001', 'item', 2, '南明区市场监督管理局', '食品经营许可', 'open', '2026-05-09', null],
			],
		);
		assert.equal(r.json.next, null);
		assert.deepEqual(r.json.items[2], {
			no: c1,
			created_at: T0,
			about: 'item',
			dept_id: 2,
			dept_name: '南明区市场监督管理局',
			item_name: '食品经营许可',
			status: 'open',
			due_date: '2026-05-09',
			closed_at: null,
			on_time: null,
			outcome: null,
		});
		const personal = [C1_TEXT, C1_NAME, C1_PHONE, C2_TEXT, C3_TEXT, C3_NAME, C3_PHONE, '投诉人张三', '13712345678', caseYNo];
		const demo = node.sql("SELECT contact_name, contact_phone, content FROM complaints WHERE no = 'TS20260429000001'")[0];
		personal.push(...node.open([demo.contact_name, demo.contact_phone]), demo.content);
		for (const s of personal) assert.ok(!r.text.includes(s), `public list shows ${s}`);

		const one = await get(`/api/v1/complaints/${c2}`);
		assert.equal(one.status, 200, one.text);
		assert.deepEqual(one.json, r.json.items[1]);
		for (const s of personal) assert.ok(!one.text.includes(s), `public view shows ${s}`);
		assert.equal((await get('/api/v1/complaints/TS20260429999999')).status, 404);

		const scjg = await get('/api/v1/complaints/public?dept_id=2');
		assert.deepEqual(scjg.json.items.map((i) => i.no), [c1, 'TS20260429000001']);
		const closed = await get('/api/v1/complaints/public?status=closed');
		assert.deepEqual(closed.json, { items: [], next: null });
		const walked = [];
		let cursor = null;
		for (let i = 0; i < 10; i++) {
			const p = await get('/api/v1/complaints/public?limit=1' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
			assert.equal(p.status, 200, p.text);
			walked.push(...p.json.items.map((x) => x.no));
			cursor = p.json.next;
			if (cursor === null) break;
		}
		assert.deepEqual(walked, r.json.items.map((i) => i.no));
		const bad = await get('/api/v1/complaints/public?status=done');
		assert.equal(bad.status, 400);
		assert.equal(bad.json.errors[0].field, 'status');
		assert.equal((await get('/api/v1/complaints/public?cursor=zzz')).status, 400);
	});

	it('lets the supervisor answer; the outcome is published masked', async () => {
		const sup = await login(node.url, 'scjg.supervisor');
		const l = await get('/api/v1/supervision?kind=complaint', sup);
		assert.equal(l.status, 200, l.text);
		assert.deepEqual(l.json.items.map((i) => i.complaint.no), ['TS20260429000001', c1]);
		const item = l.json.items[1];
		assert.deepEqual(item.complaint, {
			no: c1,
			about: 'item',
			content: C1_TEXT,
			contact_name: C1_NAME,
			contact_phone: C1_PHONE,
		});
		assert.equal(item.title, `投诉督办：${c1} 关于事项「食品经营许可」`);
		assert.equal(item.due_date, '2026-05-09');
		assert.equal(item.dept_name, '南明区市场监督管理局');
		assert.equal(item.owner, '督查员 杨勇');

		const idn = idNumber('19880808', 7);
		const outcome = `已联系${C1_NAME}（身份证 ${idn}，电话${C1_PHONE}）核实，窗口已当日受理；经办人手机 +8613812345678，复核电话 139-1234-0000。`;
		const r = await post(`/api/v1/supervision/${item.id}/close`, sup, { outcome });
		assert.equal(r.status, 200, r.text);
		const p = await get(`/api/v1/complaints/${c1}`);
		assert.equal(p.status, 200, p.text);
		assert.equal(p.json.status, 'closed');
		assert.equal(p.json.closed_at, T0);
		assert.equal(p.json.on_time, true);
		assert.equal(
			p.json.outcome,
			`已联系陈**（身份证 ${idn.slice(0, 6)}********${idn.slice(14)}，电话139****5678）核实，窗口已当日受理；` +
				'经办人手机 +86138****5678，复核电话 139-****-0000。',
		);
		for (const s of [C1_NAME, C1_PHONE, idn, '13812345678', C1_TEXT]) assert.ok(!p.text.includes(s), s);
		const closed = await get('/api/v1/complaints/public?status=closed');
		assert.deepEqual(closed.json.items.map((i) => i.no), [c1]);
	});

	it('counts a bad rating in the rectification rate', async () => {
		const x = await submitCase('complaint case X');
		assert.equal(x.status, 201, x.text);
		const clerk = await login(node.url, 'rs.clerk');
		const na = await post(`/api/v1/cases/${x.json.id}/not-accept`, clerk, { reason: '材料不符合要求' });
		assert.equal(na.status, 200, na.text);
		const rate = await post(`/api/v1/cases/${x.json.id}/rating`, cit.token, { stars: 2, comment: '说明不清楚' });
		assert.equal(rate.status, 201, rate.text);

		const q = async (qs) => {
			const r = await get(`/api/v1/quality?${qs}`);
			assert.equal(r.status, 200, r.text);
			return r.json;
		};
		const itemId = node.sql("SELECT id FROM service_items WHERE code = '520102-RS-GG-002'")[0].id;
		const none = { count: 0, average: null, good: 0, bad: 0, stars: [0, 0, 0, 0, 0] };
		let j = await q('region=520102&period=2026-Q2');
		assert.equal(j.region, '520102');
		assert.equal(j.period, '2026-Q2');
		assert.equal(j.from, '2026-04-01');
		assert.equal(j.to, '2026-06-30');
		assert.deepEqual(j.departments.map((d) => d.id), [1, 2, 3, 4]);
		const rs = j.departments.find((d) => d.id === 3);
		assert.deepEqual(rs, {
			id: 3,
			name: '南明区人力资源和社会保障局',
			name_en: 'Nanming Human Resources and Social Security Bureau',
			ratings: { count: 1, average: 2, good: 0, bad: 1, stars: [0, 1, 0, 0, 0] },
			rectification: { opened: 1, closed: 0, rate: 0 },
			on_time: { closed: 1, on_time: 1, rate: 100 },
		});
		assert.deepEqual(j.departments.find((d) => d.id === 2), {
			id: 2,
			name: '南明区市场监督管理局',
			name_en: 'Nanming Administration for Market Regulation',
			ratings: none,
			rectification: { opened: 0, closed: 0, rate: null },
			on_time: { closed: 1, on_time: 1, rate: 100 },
		});
		const it6 = j.items.find((i) => i.id === itemId);
		assert.deepEqual(it6, {
			id: itemId,
			code: '520102-RS-GG-002',
			name: '就业创业证申领',
			dept_id: 3,
			ratings: rs.ratings,
			rectification: rs.rectification,
			on_time: rs.on_time,
		});
		assert.equal(j.items.length, node.count("SELECT count(*) FROM service_items i JOIN departments d ON d.id = i.dept_id WHERE i.status = 'published' AND d.region_code = '520102'"));

		const sup = await login(node.url, 'rs.supervisor');
		const id = node.sql(`SELECT id FROM supervision_items WHERE kind = 'bad_rating' AND case_id = ${x.json.id}`)[0].id;
		const c = await post(`/api/v1/supervision/${id}/close`, sup, { outcome: '已向申请人说明不受理原因' });
		assert.equal(c.status, 200, c.text);
		j = await q('region=520102&period=2026-Q2');
		assert.deepEqual(j.departments.find((d) => d.id === 3).rectification, { opened: 1, closed: 1, rate: 100 });
		assert.deepEqual(j.items.find((i) => i.id === itemId).rectification, { opened: 1, closed: 1, rate: 100 });
		/* The default period is the current year: the same figures. */
		assert.deepEqual((await q('region=520102')).departments, j.departments);
		const march = await q('region=520102&period=2026-03');
		assert.deepEqual(march.departments.find((d) => d.id === 3).ratings, none);
		assert.deepEqual(march.departments.find((d) => d.id === 3).on_time, { closed: 0, on_time: 0, rate: null });
		assert.deepEqual((await q('region=520100&period=2026')).departments.map((d) => d.id), [1, 2, 3, 4, 5, 6]);
		for (const [qs, status, field] of [
			['period=2026-13', 400, 'period'],
			['period=2026-Q5', 400, 'period'],
			['region=52', 400, 'region'],
			['region=520199', 404, 'region'],
		]) {
			const r = await get(`/api/v1/quality?${qs}`);
			assert.equal(r.status, status, `${qs}: ${r.text}`);
			assert.equal(r.json.errors[0].field, field);
		}
	});

	it('escalates overdue supervision items to the oversight office above, once', async () => {
		await node.restart({ now: TL });
		const r = node.cli(['sla', 'sweep']);
		assert.equal(r.code, 0, r.stderr);
		/* Overdue cases: the five open demo cases and Y. Overdue items: the
		 * open complaints (demo, C2, C3), due 05-09. */
		assert.equal(
			r.stdout,
			'escalated 6 overdue case(s)\nescalated 3 overdue supervision item(s) to the region above\n',
		);
		const rows = node.sql(
			"SELECT m.no, d.name AS dept, u.login AS owner, e.status, e.due_day, e.due_at, e.opened_at," +
				' p.escalated_at FROM supervision_items e JOIN supervision_items p ON p.id = e.parent_id' +
				' JOIN complaints m ON m.id = p.complaint_id JOIN departments d ON d.id = e.dept_id' +
				" JOIN users u ON u.id = e.owner_id WHERE e.kind = 'escalated' ORDER BY m.no",
		);
		const tl = Date.parse(TL) / 1000;
		assert.deepEqual(
			rows,
			['TS20260429000001', c2, c3].map((no) => ({
				no,
				dept: '贵阳市政务服务管理办公室',
				owner: 'gy.supervisor',
				status: 'open',
				due_day: day(2026, 5, 18),
				due_at: Date.parse('2026-05-18T23:59:59+08:00') / 1000,
				opened_at: tl,
				escalated_at: tl,
			})),
		);
		const again = node.cli(['sla', 'sweep']);
		assert.equal(again.stdout, 'escalated 0 overdue case(s)\n');
		assert.equal(node.count("SELECT count(*) FROM supervision_items WHERE kind = 'escalated'"), 3);
		const admin = await login(node.url, 'admin');
		const api3 = await post('/api/v1/sla/sweep', admin, {});
		assert.deepEqual(api3.json, { escalated: 0, escalated_requests: 0, escalated_items: 0 });
		assert.equal(node.count("SELECT count(*) FROM audit_log WHERE action = 'supervision.escalate'"), 3);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
	});

	it('shows the region to oversight supervisors only', async () => {
		const gy = await login(node.url, 'gy.supervisor');
		const zw = await login(node.url, 'zw.supervisor');
		const scjg = await login(node.url, 'scjg.supervisor');

		const all = await get('/api/v1/supervision?scope=region&limit=100', gy);
		assert.equal(all.status, 200, all.text);
		assert.equal(all.json.items.length, 14);
		assert.equal(all.json.next, null);
		const byDept = (items) =>
			Object.entries(
				items.reduce((m, i) => ({ ...m, [i.dept_name]: (m[i.dept_name] || 0) + 1 }), {}),
			).sort();
		assert.deepEqual(byDept(all.json.items), [
			['南明区人力资源和社会保障局', 5],
			['南明区市场监督管理局', 3],
			['南明区民政局', 3],
			['贵阳市政务服务管理办公室', 3],
		]);
		const c2item = all.json.items.find((i) => i.complaint?.no === c2);
		const up = all.json.items.find((i) => i.kind === 'escalated' && i.parent_id === c2item.id);
		assert.deepEqual(c2item.escalated_to, { item_id: up.id, dept_id: 6, dept_name: '贵阳市政务服务管理办公室' });
		assert.equal(c2item.escalated_at, TL);
		assert.equal(c2item.overdue, true);
		assert.equal(c2item.case_no, caseYNo);
		assert.deepEqual(
			{ ...up, id: 0, parent_id: 0, title: '' },
			{
				id: 0,
				kind: 'escalated',
				title: '',
				opened_at: TL,
				due_date: '2026-05-18',
				status: 'open',
				overdue: false,
				owner: '督查专员 林涛',
				case_id: caseY,
				case_no: caseYNo,
				closed_at: null,
				dept_id: 6,
				dept_name: '贵阳市政务服务管理办公室',
				parent_id: 0,
				escalated_at: null,
				escalated_to: null,
				complaint: {
					no: c2,
					about: 'case',
					content: C2_TEXT,
					contact_name: '投诉人张三',
					contact_phone: '13712345678',
				},
			},
		);
		assert.equal(up.title, `逐级督办：南明区人力资源和社会保障局 督办事项 #${c2item.id} 超期未办结`);

		const mine = await get('/api/v1/supervision?scope=region&limit=100', zw);
		assert.equal(mine.status, 200, mine.text);
		assert.equal(mine.json.items.length, 11);
		assert.ok(mine.json.items.every((i) => i.dept_id !== 6));
		const esc = await get('/api/v1/supervision?scope=region&kind=escalated', gy);
		assert.deepEqual(esc.json.items.map((i) => i.kind), ['escalated', 'escalated', 'escalated']);
		const own = await get('/api/v1/supervision?kind=escalated', gy);
		assert.equal(own.json.items.length, 3, 'the scope of 贵阳 itself holds them');

		const no = await get('/api/v1/supervision?scope=region', scjg);
		assert.equal(no.status, 403, no.text);
		assert.equal(no.json.errors[0].field, 'scope');
		assert.equal(no.json.errors[0].reason, 'not_oversight');
		assert.equal((await get('/api/v1/supervision/summary?scope=region', scjg)).status, 403);
		assert.equal((await get('/api/v1/supervision?scope=world', gy)).status, 400);

		const kinds = (k = {}) => ({ overdue: 0, bad_rating: 0, complaint: 0, share_overdue: 0, escalated: 0, ...k });
		const s = await get('/api/v1/supervision/summary?scope=region', gy);
		assert.equal(s.status, 200, s.text);
		assert.deepEqual(s.json, {
			departments: [
				{ id: 5, name: '贵阳市卫生健康委员会', region_code: '520100', open: 0, overdue: 0, closed: 0, kinds: kinds() },
				{ id: 6, name: '贵阳市政务服务管理办公室', region_code: '520100', open: 3, overdue: 0, closed: 0, kinds: kinds({ escalated: 3 }) },
				{ id: 1, name: '南明区政务服务管理办公室', region_code: '520102', open: 0, overdue: 0, closed: 0, kinds: kinds() },
				{ id: 2, name: '南明区市场监督管理局', region_code: '520102', open: 2, overdue: 1, closed: 1, kinds: kinds({ overdue: 1, complaint: 1 }) },
				{ id: 3, name: '南明区人力资源和社会保障局', region_code: '520102', open: 4, overdue: 1, closed: 1, kinds: kinds({ overdue: 3, complaint: 1 }) },
				{ id: 4, name: '南明区民政局', region_code: '520102', open: 3, overdue: 1, closed: 0, kinds: kinds({ overdue: 2, complaint: 1 }) },
			],
			totals: { open: 12, overdue: 3, closed: 2 },
		});
		const d = await get('/api/v1/supervision/summary', scjg);
		assert.equal(d.status, 200, d.text);
		assert.deepEqual(d.json, { departments: [s.json.departments[3]], totals: { open: 2, overdue: 1, closed: 1 } });
	});

	it('lets only the oversight office close an escalated item', async () => {
		const gy = await login(node.url, 'gy.supervisor');
		const scjg = await login(node.url, 'scjg.supervisor');
		const id = node.sql(
			"SELECT e.id FROM supervision_items e JOIN supervision_items p ON p.id = e.parent_id" +
				" JOIN complaints m ON m.id = p.complaint_id WHERE m.no = 'TS20260429000001'",
		)[0].id;
		let r = await post(`/api/v1/supervision/${id}/close`, scjg, { outcome: '越级关闭' });
		assert.equal(r.status, 403, r.text);
		r = await post(`/api/v1/supervision/${id}/close`, gy, { outcome: '已约谈市场监管局分管负责人，限期办结' });
		assert.deepEqual([r.status, r.json], [200, { id, status: 'closed' }]);
		assert.deepEqual(node.sql(`SELECT status, (SELECT login FROM users WHERE id = closed_by) AS by FROM supervision_items WHERE id = ${id}`), [
			{ status: 'closed', by: 'gy.supervisor' },
		]);
	});

	it('records the channel of an application', async () => {
		cit.token = await login(node.url, cit.idn);
		const m = await submitCase('channel mobile', { channel: 'mobile' });
		assert.equal(m.status, 201, m.text);
		assert.equal(m.json.channel, 'mobile');
		assert.equal((await get(`/api/v1/cases/${m.json.id}`, cit.token)).json.channel, 'mobile');
		const w = await submitCase('channel web');
		assert.equal(w.json.channel, 'web');
		assert.deepEqual(node.sql(`SELECT channel FROM cases WHERE id IN (${m.json.id}, ${w.json.id}) ORDER BY id`), [
			{ channel: 'mobile' },
			{ channel: 'web' },
		]);
		const n = node.count('SELECT count(*) FROM cases');
		const bad = await submitCase('channel fax', { channel: 'fax' });
		assert.equal(bad.status, 400, bad.text);
		assert.equal(bad.json.errors[0].field, 'channel');
		assert.equal(node.count('SELECT count(*) FROM cases'), n);
	});

	it('limits complaints per client', async () => {
		const body = (i) => ({ about: 'department', dept_id: 1, content: `第${i}条：窗口排队时间过长，希望增加人手。`, contact_name: '路人', contact_phone: '13600000000' });
		const addr = '203.0.113.7';
		for (let i = 1; i <= 5; i++) {
			const r = await complain(body(i), undefined, addr);
			assert.equal(r.status, 201, r.text);
		}
		const n = node.count('SELECT count(*) FROM complaints');
		const r = await complain(body(6), undefined, addr);
		assert.equal(r.status, 429, r.text);
		const wait = Number(r.headers.get('retry-after'));
		assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After ${wait}`);
		assert.equal(node.count('SELECT count(*) FROM complaints'), n);
		const refused = await complain({ ...body(7), contact_phone: undefined }, undefined, addr);
		assert.equal(refused.status, 422, refused.text);
		const other = await complain(body(8), undefined, '203.0.113.8');
		assert.equal(other.status, 201, other.text);
	});
});
