/*
 * sla.test.mjs - deadlines, escalation of overdue cases and bad ratings (督办, 好差评).
 *
 * Test plan (frozen clock, server restarted to move it; background sweep off):
 *   T0 = Mon 2026-03-02 00:30 (+08:00; still Sunday in UTC). The demo data
 *   holds an open complaint about 食品经营许可 (its 'complaint' item due
 *   2026-03-09, the only supervision item at T0), five open cases (rs: one submitted, one accepted; mz: two
 *   submitted; scjg: one submitted), a conditional share request pending
 *   with 民政局 (due 2026-03-16) and one approved (closed) case, all made at
 *   T0.
 *   1. A citizen submits case A (失业保险金申领) and case P, and the clerk puts P
 *      into needs_supplement (paused). A's number carries 20260302 and its
 *      acceptance deadline is Mon 2026-03-09 (5 working days after Monday, not
 *      after Sunday). `zhengtong sla sweep` at T0 prints "escalated 0 overdue
 *      case(s)".
 *   2. Fri 03-06 (the last working day before the due day): A's timer is
 *      "warning" and inbox timer=warning lists it; a sweep escalates 0.
 *   2b. Mon 03-09 23:59:59, the last second of the due day: A is still not
 *      overdue (timer warning, 0 working days left) and a sweep escalates 0.
 *   3. The server is killed (SIGKILL) and started at Fri 03-20, far after
 *      every deadline; all earlier writes survived. The first sweep, run while
 *      the server takes 8 new applications (all 201, the chain stays intact),
 *      prints exactly
 *      "escalated 5 overdue case(s)" and "escalated 1 overdue share
 *      request(s)" (A + the open demo cases not escalated on 03-06; not P, not
 *      the closed one; the demo's unanswered request goes to mz.supervisor as
 *      share_overdue); a second sweep escalates 0; the API sweep escalates 0.
 *      supervision_items has exactly one 'overdue' row per overdue case, owned
 *      by the department's supervisor, due 5 working days later (2026-03-27).
 *      The same sweep prints "escalated 2 overdue supervision item(s) to the
 *      region above": the item opened on 03-06 and the demo complaint's go
 *      to 贵阳市政务服务管理办公室 (gy.supervisor, due 03-27); the API sweep
 *      then answers escalated_items 0.
 *   4. rs.supervisor sees exactly the rs items via GET /api/v1/supervision
 *      (filters kind/status); zw.supervisor (no cases) sees none.
 *   5. A's history has exactly one "escalate" event (actor system).
 *   6. Inbox timer=overdue lists exactly the rs overdue cases with negative
 *      remaining working days; timer=paused lists P; the whole inbox pages
 *      with limit=1 through the same cases in the same order as one page.
 *   7. A rating of 2 without a comment -> 400 comment/required, nothing stored;
 *      with a comment -> 201 and one 'bad_rating' item due after 15 working days
 *      (2026-04-13, across 清明 04-04..04-06).
 *   8. The supervisor closes the item with an outcome -> 200; closing again ->
 *      409 status/closed; a supervisor of another department -> 403; no
 *      outcome -> 400; the row is unchanged by the refusals.
 *   8b. With ZT_SLA_INTERVAL set, the server sweeps by itself at start: on
 *      Thu 04-30 the 8 applications of step 3 (due 03-27) are escalated once,
 *      and the log says so; the six items opened on 03-20 go up to 贵阳 (log
 *      line of its own) and 贵阳's two escalated items, with no office above,
 *      are only marked.
 *   9. Across the new year (a second node at Mon 2025-12-29 09:00): 元旦
 *      2026-01-01..03 are skipped and Sunday 2026-01-04 (调休) counts, so a
 *      3-working-day promise accepted on 12-29 is due on that Sunday and the
 *      5-day acceptance clock ends Tue 2026-01-06.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, newCitizen, pdf, startNode, upload } from './lib/node.mjs';

/* 00:30 China time is still Sunday in UTC: the day must be taken in +08:00. */
const T0 = '2026-03-02T00:30:00+08:00';
const TW = '2026-03-06T11:00:00+08:00';
const TE = '2026-03-09T23:59:59+08:00';
const TL = '2026-03-20T10:00:00+08:00';

describe('SLA escalation and supervision', () => {
	let node, cit, clerk;
	let caseA, caseP, caseB, caseANo;

	before(async () => {
		node = await startNode({ now: T0 });
	});
	after(async () => {
		await node?.stop();
	});

	const get = (path, tok) => api(node.url, 'GET', path, { token: tok });
	const post = (path, tok, json) => api(node.url, 'POST', path, { token: tok, json });

	async function submit(tag) {
		const f1 = await upload(node.url, cit.token, pdf(`${tag} 1`));
		const f2 = await upload(node.url, cit.token, pdf(`${tag} 2`));
		assert.equal(f1.status, 201);
		assert.equal(f2.status, 201);
		const r = await post('/api/v1/cases', cit.token, {
			item_code: '520102-RS-GF-001',
			materials: [
				{ seq: 1, name: '身份证明.pdf', file: f1.json.id },
				{ seq: 2, name: '解除劳动关系证明.pdf', file: f2.json.id },
			],
		});
		assert.equal(r.status, 201, r.text);
		return r.json;
	}

	const sweep = () => node.cli(['sla', 'sweep']);

	it('submits cases at T0; nothing is overdue yet', async () => {
		cit = await newCitizen(node.url, { name: '刘超时', seq: 21 });
		clerk = await login(node.url, 'rs.clerk');
		const a = await submit('sla A');
		caseA = a.id;
		caseANo = a.case_no;
		assert.equal(a.deadline.due_date, '2026-03-09');
		assert.equal(a.submitted_at, T0);
		assert.equal(a.case_no, `52010220260302${String(caseA).padStart(6, '0')}`);
		caseP = (await submit('sla P')).id;
		const s = await post(`/api/v1/cases/${caseP}/supplement`, clerk, { missing: ['身份证明（清晰件）'] });
		assert.equal(s.status, 200, s.text);
		assert.equal(s.json.state, 'needs_supplement');

		const r = sweep();
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, 'escalated 0 overdue case(s)\n');
		/* Only the demo's complaint (due Mon 03-09) is open. */
		assert.deepEqual(node.sql('SELECT kind, due_day FROM supervision_items'), [
			{ kind: 'complaint', due_day: Date.UTC(2026, 2, 9) / 86400000 },
		]);
	});

	it('shows the warning timer on the last working day before the deadline', async () => {
		await node.restart({ now: TW });
		clerk = await login(node.url, 'rs.clerk');
		const r = await get(`/api/v1/cases?timer=warning`, clerk);
		assert.equal(r.status, 200, r.text);
		/* Demo case 1 (失业保险金申领, submitted at T0) and A are both due Mon 03-09. */
		assert.deepEqual(r.json.items.map((i) => [i.id, i.item_name]), [
			[1, '失业保险金申领'],
			[caseA, '失业保险金申领'],
		]);
		const a = r.json.items.find((i) => i.id === caseA);
		assert.equal(a.deadline.timer, 'warning');
		assert.equal(a.deadline.remaining_workdays, 1);
		/* Only the demo case accepted at T0 (3 promised days: due Thu 03-05) is late. */
		assert.equal(sweep().stdout, 'escalated 1 overdue case(s)\n');
		assert.deepEqual(
			node.sql(
				"SELECT i.code, c.state, s.kind FROM supervision_items s JOIN cases c ON c.id = s.case_id" +
					' JOIN service_items i ON i.id = c.item_id',
			),
			[{ code: '520102-RS-GG-002', state: 'accepted', kind: 'overdue' }],
		);
		const late = await get('/api/v1/cases?timer=overdue', clerk);
		assert.deepEqual(late.json.items.map((i) => [i.item_name, i.deadline.due_date, i.deadline.remaining_workdays]), [
			['就业创业证申领', '2026-03-05', -1],
		]);
	});

	it('is not overdue until the due day has ended', async () => {
		await node.restart({ now: TE });
		clerk = await login(node.url, 'rs.clerk');
		const r = await get(`/api/v1/cases/${caseA}`, clerk);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.deadline.timer, 'warning');
		assert.equal(r.json.deadline.remaining_workdays, 0);
		assert.equal(sweep().stdout, 'escalated 0 overdue case(s)\n');
	});

	it('escalates every overdue case exactly once', async () => {
		const was = node.sql('SELECT (SELECT count(*) FROM cases) AS c, (SELECT count(*) FROM case_events) AS e, (SELECT count(*) FROM audit_log) AS a')[0];
		await node.restart({ now: TL, crash: true });
		assert.deepEqual(
			node.sql('SELECT (SELECT count(*) FROM cases) AS c, (SELECT count(*) FROM case_events) AS e, (SELECT count(*) FROM audit_log) AS a')[0],
			was,
			'every answered write survived the crash',
		);
		/* The CLI sweeps while the server takes new applications. */
		cit.token = await login(node.url, cit.idn);
		const f = await upload(node.url, cit.token, pdf('sla concurrent'));
		const body = {
			item_code: '520102-RS-GF-001',
			materials: [
				{ seq: 1, name: '身份证明.pdf', file: f.json.id },
				{ seq: 2, name: '解除劳动关系证明.pdf', file: f.json.id },
			],
		};
		const [first, ...subs] = await Promise.all([
			node.cliAsync(['sla', 'sweep']),
			...Array.from({ length: 8 }, () => post('/api/v1/cases', cit.token, body)),
		]);
		assert.deepEqual(subs.map((r) => r.status), Array(8).fill(201));
		assert.equal(first.code, 0, first.stderr);
		/* Also raised to 贵阳市政务服务管理办公室 (the oversight office above
		 * 南明区): the item opened on 03-06 (due 03-13) and the demo
		 * complaint (due 03-09). */
		assert.equal(
			first.stdout,
			'escalated 5 overdue case(s)\nescalated 1 overdue share request(s)\n' +
				'escalated 2 overdue supervision item(s) to the region above\n',
		);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		const second = sweep();
		assert.equal(second.code, 0, second.stderr);
		assert.equal(second.stdout, 'escalated 0 overdue case(s)\n');
		const admin = await login(node.url, 'admin');
		const viaApi = await post('/api/v1/sla/sweep', admin, {});
		assert.equal(viaApi.status, 200, viaApi.text);
		assert.deepEqual(viaApi.json, { escalated: 0, escalated_requests: 0, escalated_items: 0 });
		assert.deepEqual(
			node.sql(
				'SELECT p.kind AS parent, d.name AS dept, u.login AS owner, s.status, s.due_day,' +
					' p.escalated_at IS NOT NULL AS marked FROM supervision_items s' +
					' JOIN supervision_items p ON p.id = s.parent_id JOIN departments d ON d.id = s.dept_id' +
					" JOIN users u ON u.id = s.owner_id WHERE s.kind = 'escalated' ORDER BY s.id",
			),
			['complaint', 'overdue'].map((parent) => ({
				parent,
				dept: '贵阳市政务服务管理办公室',
				owner: 'gy.supervisor',
				status: 'open',
				due_day: Date.UTC(2026, 2, 27) / 86400000,
				marked: 1,
			})),
		);

		const rows = node.sql(
			"SELECT s.case_id, s.status, c.state FROM supervision_items s" +
				" JOIN cases c ON c.id = s.case_id WHERE s.kind = 'overdue' ORDER BY s.case_id",
		);
		assert.equal(rows.length, 6);
		assert.equal(new Set(rows.map((r) => r.case_id)).size, 6, 'one row per case');
		assert.ok(rows.every((r) => r.status === 'open'));
		assert.deepEqual(rows.map((r) => r.state).sort(), ['accepted', 'submitted', 'submitted', 'submitted', 'submitted', 'submitted']);
		assert.ok(rows.some((r) => r.case_id === caseA));
		assert.ok(!rows.some((r) => r.case_id === caseP), 'a paused case is not overdue');
		assert.equal(
			node.count("SELECT count(*) FROM supervision_items s JOIN cases c ON c.id = s.case_id WHERE c.state = 'approved'"),
			0,
		);
		const owner = node.sql(
			`SELECT u.login FROM supervision_items s JOIN users u ON u.id = s.owner_id WHERE s.case_id = ${caseA}`,
		);
		assert.deepEqual(owner, [{ login: 'rs.supervisor' }]);
		assert.equal(
			node.count("SELECT count(*) FROM audit_log WHERE action = 'supervision.open'"),
			10,
			'six overdue cases, the share request, the demo complaint and two escalations',
		);
		assert.equal(node.count("SELECT count(*) FROM audit_log WHERE action = 'supervision.escalate'"), 2);
		/* The demo's conditional request (人社局 asks 民政局 for marriage records,
		 * due 2026-03-16) went unanswered: one share_overdue item for 民政局. */
		assert.deepEqual(
			node.sql(
				"SELECT s.kind, s.status, u.login AS owner FROM supervision_items s JOIN users u ON u.id = s.owner_id" +
					" WHERE s.request_id IS NOT NULL",
			),
			[{ kind: 'share_overdue', status: 'open', owner: 'mz.supervisor' }],
		);
	});

	it("lists the items for the department's supervisor only", async () => {
		const sup = await login(node.url, 'rs.supervisor');
		const r = await get('/api/v1/supervision', sup);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.next, null);
		assert.equal(r.json.items.length, 3, 'two demo rs cases and case A');
		/* Only the item opened on 03-06 (due 03-13) is itself overdue now. */
		assert.deepEqual(
			r.json.items.map((i) => [i.due_date, i.overdue]),
			[
				['2026-03-13', true],
				['2026-03-27', false],
				['2026-03-27', false],
			],
		);
		const a = r.json.items.find((i) => i.case_id === caseA);
		assert.deepEqual(
			{ ...a, id: 0 },
			{
				id: 0,
				kind: 'overdue',
				title: `超期督办：办件 ${caseANo} 已超过办理时限`,
				opened_at: TL,
				due_date: '2026-03-27',
				status: 'open',
				overdue: false,
				owner: '督查员 吴霞',
				case_id: caseA,
				case_no: caseANo,
				closed_at: null,
				dept_id: 3,
				dept_name: '南明区人力资源和社会保障局',
				parent_id: null,
				escalated_at: null,
				escalated_to: null,
			},
		);
		const k = await get('/api/v1/supervision?kind=bad_rating', sup);
		assert.deepEqual(k.json.items, []);
		const paged = await get('/api/v1/supervision?limit=2', sup);
		assert.equal(paged.json.items.length, 2);
		assert.equal(typeof paged.json.next, 'string');
		const rest = await get(`/api/v1/supervision?limit=2&cursor=${paged.json.next}`, sup);
		assert.equal(rest.json.items.length, 1);
		assert.equal(rest.json.next, null);

		const other = await login(node.url, 'zw.supervisor');
		const o = await get('/api/v1/supervision', other);
		assert.equal(o.status, 200);
		assert.deepEqual(o.json, { items: [], next: null });
		const clerkTry = await get('/api/v1/supervision', clerk);
		assert.equal(clerkTry.status, 401, 'the T0 session has expired');
		clerk = await login(node.url, 'rs.clerk');
		assert.equal((await get('/api/v1/supervision', clerk)).status, 403);
	});

	it('records one escalate event in the case history', async () => {
		cit.token = await login(node.url, cit.idn);
		const r = await get(`/api/v1/cases/${caseA}`, cit.token);
		assert.equal(r.status, 200, r.text);
		const esc = r.json.history.filter((e) => e.action === 'escalate');
		assert.equal(esc.length, 1);
		assert.equal(esc[0].actor.role, 'system');
		assert.equal(esc[0].from, 'submitted');
		assert.equal(esc[0].to, 'submitted');
		assert.equal(esc[0].at, TL);
		assert.equal(esc[0].comment, '超过办理时限，已转督办');
		assert.equal(r.json.state, 'submitted', 'escalation does not change the state');
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE action = 'escalate'`), 6);
	});

	it('filters the inbox by timer', async () => {
		const r = await get('/api/v1/cases?timer=overdue', clerk);
		assert.equal(r.status, 200, r.text);
		/* Most urgent first: demo case 2 (due Thu 03-05), then demo case 1 and A
		 * (due Mon 03-09): 11 and 9 working days late on Fri 03-20. */
		assert.deepEqual(
			r.json.items.map((i) => [i.id, i.state, i.deadline.timer, i.deadline.due_date, i.deadline.remaining_workdays]),
			[
				[2, 'accepted', 'overdue', '2026-03-05', -11],
				[1, 'submitted', 'overdue', '2026-03-09', -9],
				[caseA, 'submitted', 'overdue', '2026-03-09', -9],
			],
		);
		const p = await get('/api/v1/cases?timer=paused', clerk);
		assert.deepEqual(p.json.items.map((i) => i.id), [caseP]);
		const whole = await get('/api/v1/cases?limit=100', clerk);
		assert.equal(whole.json.next, null);
		const order = whole.json.items.map((i) => i.id);
		assert.equal(order.length, node.count('SELECT count(*) FROM cases WHERE dept_id = 3'));
		assert.equal(order[order.length - 1], caseP, 'paused cases come last');
		const walked = [];
		let cursor = null;
		for (let i = 0; i < 20; i++) {
			const page = await get('/api/v1/cases?limit=1' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), clerk);
			assert.equal(page.status, 200, page.text);
			walked.push(...page.json.items.map((it) => it.id));
			cursor = page.json.next;
			if (cursor === null) break;
		}
		assert.deepEqual(walked, order);
		const bad = await get('/api/v1/cases?timer=late', clerk);
		assert.equal(bad.status, 400);
		assert.equal(bad.json.errors[0].field, 'timer');
	});

	it('opens a bad_rating item for a rating of 2 with a comment', async () => {
		caseB = (await submit('sla B')).id;
		const na = await post(`/api/v1/cases/${caseB}/not-accept`, clerk, { reason: '不符合申领条件' });
		assert.equal(na.status, 200, na.text);
		assert.equal(na.json.state, 'not_accepted');

		const noComment = await post(`/api/v1/cases/${caseB}/rating`, cit.token, { stars: 2 });
		assert.equal(noComment.status, 400, noComment.text);
		assert.equal(noComment.json.errors[0].field, 'comment');
		assert.equal(noComment.json.errors[0].reason, 'required');
		assert.equal(node.count(`SELECT count(*) FROM ratings WHERE case_id = ${caseB}`), 0);

		const r = await post(`/api/v1/cases/${caseB}/rating`, cit.token, { stars: 2, comment: '等了很久才告知不受理' });
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json.rating, { stars: 2, comment: '等了很久才告知不受理', at: TL });
		const rows = node.sql(
			`SELECT kind, status, dept_id, (SELECT login FROM users WHERE id = owner_id) AS owner FROM supervision_items WHERE case_id = ${caseB}`,
		);
		assert.deepEqual(rows, [{ kind: 'bad_rating', status: 'open', dept_id: 3, owner: 'rs.supervisor' }]);

		const sup = await login(node.url, 'rs.supervisor');
		const l = await get('/api/v1/supervision?kind=bad_rating', sup);
		assert.equal(l.json.items.length, 1);
		assert.equal(l.json.items[0].case_id, caseB);
		assert.equal(l.json.items[0].title, `差评整改：办件 ${l.json.items[0].case_no} 评价 2 星`);
		assert.match(l.json.items[0].case_no, /^520102\d{8}0*\d+$/);
		assert.equal(l.json.items[0].due_date, '2026-04-13');
	});

	it('closes an item once, with an outcome, in its own department only', async () => {
		const sup = await login(node.url, 'rs.supervisor');
		const other = await login(node.url, 'scjg.supervisor');
		const id = node.sql(`SELECT id FROM supervision_items WHERE case_id = ${caseB}`)[0].id;
		const path = `/api/v1/supervision/${id}/close`;

		let r = await post(path, other, { outcome: '越权关闭' });
		assert.equal(r.status, 403, r.text);
		r = await post(path, sup, {});
		assert.equal(r.status, 400, r.text);
		assert.equal(r.json.errors[0].field, 'outcome');
		assert.deepEqual(node.sql(`SELECT status, outcome FROM supervision_items WHERE id = ${id}`), [
			{ status: 'open', outcome: null },
		]);

		r = await post(path, sup, { outcome: '已约谈经办人，向申请人说明不受理原因并致歉' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { id, status: 'closed' });
		r = await post(path, sup, { outcome: '再次关闭' });
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.errors[0].field, 'status');
		assert.equal(r.json.errors[0].reason, 'closed');
		const row = node.sql(
			`SELECT s.status, s.outcome, u.login FROM supervision_items s JOIN users u ON u.id = s.closed_by WHERE s.id = ${id}`,
		);
		assert.deepEqual(row, [{ status: 'closed', outcome: '已约谈经办人，向申请人说明不受理原因并致歉', login: 'rs.supervisor' }]);

		const closed = await get('/api/v1/supervision?status=closed', sup);
		assert.deepEqual(closed.json.items.map((i) => [i.id, i.outcome]), [[id, '已约谈经办人，向申请人说明不受理原因并致歉']]);
		const nf = await post('/api/v1/supervision/999999/close', sup, { outcome: '不存在' });
		assert.equal(nf.status, 404);

		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
	});

	it('sweeps by itself when ZT_SLA_INTERVAL is set', async () => {
		const was = node.count("SELECT count(*) FROM supervision_items WHERE kind = 'overdue'");
		assert.equal(was, 6);
		await node.restart({ now: '2026-04-30T10:00:00+08:00', env: { ZT_SLA_INTERVAL: '3600' } });
		let n = was;
		for (let i = 0; i < 50 && n === was; i++) {
			await new Promise((r) => setTimeout(r, 100));
			n = node.count("SELECT count(*) FROM supervision_items WHERE kind = 'overdue'");
		}
		assert.equal(n, was + 8);
		/* The sweep logs after its commits: the lines may come a moment after
		 * the rows (seen under ASan on PostgreSQL). */
		const cases = /sla sweep: 8 overdue case\(s\) and 0 overdue share request\(s\) escalated/;
		/* The five overdue items and the share_overdue item opened on 03-20 (due
		 * 03-27) go up to 贵阳; the two escalated ones 贵阳 holds have no office
		 * above (贵州省 has none here): marked, nothing opened. */
		const items = /sla sweep: 6 overdue supervision item\(s\) escalated to the region above/;
		for (let i = 0; i < 100 && !(cases.test(node.log()) && items.test(node.log())); i++)
			await new Promise((r) => setTimeout(r, 100));
		assert.match(node.log(), cases);
		assert.match(node.log(), items);
		assert.equal(node.count("SELECT count(*) FROM supervision_items WHERE kind = 'escalated'"), 8);
		assert.equal(
			node.count(
				"SELECT count(*) FROM supervision_items WHERE kind = 'escalated' AND escalated_at IS NOT NULL" +
					" AND NOT EXISTS (SELECT 1 FROM supervision_items c WHERE c.parent_id = supervision_items.id)",
			),
			2,
		);
		const r = node.cli(['sla', 'sweep']);
		assert.equal(r.stdout, 'escalated 0 overdue case(s)\n');
	});
});

describe('deadlines across the new year', () => {
	let node;

	before(async () => {
		node = await startNode({ now: '2025-12-29T09:00:00+08:00' });
	});
	after(async () => {
		await node?.stop();
	});

	it('skips 元旦 and counts the 调休 Sunday', async () => {
		const cit = await newCitizen(node.url, { name: '跨年', seq: 71 });
		const f = await upload(node.url, cit.token, pdf('new year'));
		const r = await api(node.url, 'POST', '/api/v1/cases', {
			token: cit.token,
			json: { item_code: '520102-RS-GG-002', materials: [{ seq: 1, name: '身份证明', file: f.json.id }] },
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.deadline.due_date, '2026-01-06');
		assert.equal(r.json.deadline.remaining_workdays, 5);
		const clerk = await login(node.url, 'rs.clerk');
		const a = await api(node.url, 'POST', `/api/v1/cases/${r.json.id}/accept`, { token: clerk, json: {} });
		assert.equal(a.status, 200, a.text);
		assert.deepEqual(a.json.deadline, {
			timer: 'normal',
			phase: 'decision',
			limit_days: 3,
			paused_workdays: 0,
			due_date: '2026-01-04',
			remaining_workdays: 3,
		});
		const cal = await api(node.url, 'GET', '/api/v1/calendar');
		assert.equal(cal.status, 200);
		assert.deepEqual(cal.json.years.map((y) => y.year), [2025, 2026]);
	});
});
