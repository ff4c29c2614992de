/*
 * journey.test.mjs - one citizen's whole journey through 一网通办, end to end.
 *
 * Test plan (the clock is frozen with ZT_NOW; the server is restarted to move it):
 *   T0 = Mon 2026-04-27 09:30 (劳动节 holiday 05-01..05-05, 调休 working Saturday 05-09)
 *   1. A new citizen registers (ID number generated with the GB 11643 MOD 11-2
 *      check digit), signs in, and sees /me with masked login and phone.
 *   2. Search: 2-character query 失业 (substring scan) finds exactly 失业保险金申领;
 *      4-character 营业执照 (trigram FTS, ranked by name) finds exactly three
 *      items in rank order; region / type / depth / cross filters give exact
 *      sets; keyset paging with limit=1 walks the same lists via `next` to null.
 *   3. The guide of 失业保险金申领 is exact (limits, materials, process).
 *   4. Uploads: the answer is {id: SM3 hex of the bytes, size, mime}, the
 *      owner reads the bytes back, one row in `files`.
 *   5. Apply with both required materials at T0 -> 201 submitted, acceptance
 *      clock 5 working days -> due 2026-05-07 (skips 05-01..05-05).
 *   6. The clerk sees the case in the inbox and may read its material file.
 *   7. The clerk asks for a supplement -> needs_supplement, timer paused; the
 *      applicant sees `missing`; inbox timer=paused lists the case.
 *   8. T1 = Wed 04-29: the applicant resubmits with a new file -> submitted,
 *      2 paused working days, due moves to Sat 2026-05-09 (调休 working day).
 *   9. T2 = Thu 04-30 15:00: the clerk accepts -> decision clock of 5 promised
 *      working days from 04-30 -> due Mon 2026-05-11.
 *  10. The clerk records a visit -> visits.count 1.
 *  11. The reviewer approves, the clerk delivers (electronic).
 *  12. The applicant rates 5 -> rating present; rating again -> 409 already_rated.
 *  13. History holds every action in order with actor roles and data.
 *  14. Idempotency-Key: the same key twice -> 201 then 200 with
 *      Idempotent-Replayed: true, the same case id, one row in `cases`; ten
 *      concurrent submissions with one key -> one 201, nine replays, one row.
 *  15. The applicant's own list pages newest first with limit=1 to next=null.
 *  16. `zhengtong audit verify` exits 0 and counts every audit_log row; the
 *      sysadmin's GET /api/v1/audit/verify agrees. After one audit row is
 *      altered in the database, both report the chain broken at that row
 *      (CLI exit 1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, idNumber, login, pdf, sm3hex, startNode, upload, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-04-27T09:30:00+08:00';
const T1 = '2026-04-29T10:00:00+08:00';
const T2 = '2026-04-30T15:00:00+08:00';
const ITEM = '520102-RS-GF-001';
/* Relevance: SQLite ranks by FTS5 bm25 over name and guide; PostgreSQL by
 * pg_trgm similarity to the name, ties by id. The name match comes first on
 * both; below it the two functions order guide-only matches differently. */
const ON_PG = Boolean(process.env.ZT_TEST_PG);
const BY_RELEVANCE_营业执照 = ON_PG
	? ['520102-SCJG-QT-003', '520102-SCJG-XK-001', '520102-SCJG-XK-002']
	: ['520102-SCJG-QT-003', '520102-SCJG-XK-002', '520102-SCJG-XK-001'];
const MISSING = ['解除或终止劳动关系证明（须加盖单位公章）'];

describe('citizen journey', () => {
	let node;
	let idn, me, token, clerk, reviewer;
	let file1, file2, file3, caseId, caseNo;

	before(async () => {
		node = await startNode({ now: T0 });
	});
	after(async () => {
		await node?.stop();
	});

	const get = (path, tok) => api(node.url, 'GET', path, { token: tok });
	const post = (path, tok, json, headers) => api(node.url, 'POST', path, { token: tok, json, headers });

	it('registers a citizen and signs in', async () => {
		idn = idNumber('19950615', 7);
		assert.equal(idn, '520102199506150075');
		const r = await post('/api/v1/auth/register', null, {
			kind: 'citizen',
			name: '王小明',
			id_number: idn,
			phone: '13712345678',
			password: DEMO_PASSWORD,
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.kind, 'citizen');
		assert.equal(r.json.login, '520102********0075');
		assert.equal(r.json.phone, '137****5678');
		assert.equal(r.json.name, '王小明');
		me = r.json.id;
		/* stored as its blind index, the number and the phone encrypted */
		assert.equal(node.count(`SELECT count(*) FROM users WHERE id_number = '${node.bi(idn)}' AND login = id_number`), 1);
		const [u] = node.sql(`SELECT id_number_enc, phone FROM users WHERE id = ${me}`);
		assert.deepEqual(node.open([u.id_number_enc, u.phone]), [idn, '13712345678']);
		assert.equal(node.count(`SELECT count(*) FROM users WHERE id_number = '${idn}' OR phone = '13712345678'`), 0);

		const l = await post('/api/v1/auth/login', null, { login: idn, password: DEMO_PASSWORD });
		assert.equal(l.status, 200, l.text);
		assert.match(l.json.token, /^zt_[A-Za-z0-9_-]{43}$/);
		assert.equal(l.json.expires_at, '2026-04-27T17:30:00+08:00');
		assert.equal(l.json.user.id, me);
		token = l.json.token;

		const m = await get('/api/v1/me', token);
		assert.equal(m.status, 200);
		assert.deepEqual(m.json, {
			id: me,
			kind: 'citizen',
			login: '520102********0075',
			name: '王小明',
			phone: '137****5678',
		});
	});

	const codes = (r) => r.json.items.map((i) => i.code);

	it('searches the catalog in Chinese with filters', async () => {
		let r = await get('/api/v1/services?q=' + encodeURIComponent('失业'));
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(codes(r), [ITEM]);
		assert.equal(r.json.next, null);
		assert.equal(r.json.items[0].name, '失业保险金申领');
		assert.equal(r.json.items[0].promised_days, 5);
		assert.deepEqual(r.json.items[0].cross_modes, ['full_online', 'proxy']);

		r = await get('/api/v1/services?q=' + encodeURIComponent('营业执照'));
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(codes(r), BY_RELEVANCE_营业执照);

		r = await get('/api/v1/services?q=' + encodeURIComponent('失业 保险金'));
		assert.deepEqual(codes(r), [ITEM]);

		r = await get('/api/v1/services?q=' + encodeURIComponent('不存在的事项名称'));
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, { items: [], next: null });

		r = await get('/api/v1/services?region=520102');
		assert.equal(r.json.items.length, 9);
		assert.ok(!codes(r).includes('520100-WJ-XK-001'));
		r = await get('/api/v1/services?region=520100');
		assert.equal(r.json.items.length, 10, 'a city includes its districts');
		assert.equal(codes(r)[9], '520100-WJ-XK-001');

		r = await get('/api/v1/services?type=GF');
		assert.deepEqual(codes(r), [ITEM, '520102-MZ-GF-001']);
		r = await get('/api/v1/services?depth=6');
		assert.deepEqual(codes(r), [
			'520102-SCJG-XK-001',
			'520102-SCJG-QT-003',
			ITEM,
			'520102-RS-GG-002',
			'520100-WJ-XK-001',
		]);
		r = await get('/api/v1/services?cross=proxy');
		assert.deepEqual(codes(r), [ITEM, '520102-MZ-GF-001']);
		r = await get('/api/v1/services?q=' + encodeURIComponent('证明') + '&type=GG&region=520102');
		assert.deepEqual(codes(r), ['520102-RS-GG-002', '520102-RS-GG-003']);

		r = await get('/api/v1/services?type=ZZ');
		assert.equal(r.status, 400);
		assert.equal(r.json.errors[0].field, 'type');
		assert.equal(r.json.errors[0].reason, 'enum');
	});

	async function walk(query) {
		const seen = [];
		let cursor = null;
		for (let i = 0; i < 20; i++) {
			const r = await get(`/api/v1/services?${query}&limit=1` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.items.length <= 1, true);
			seen.push(...codes(r));
			cursor = r.json.next;
			if (cursor === null) return seen;
			assert.equal(typeof cursor, 'string');
		}
		assert.fail('paging did not end');
	}

	it('pages search results with a keyset cursor until next is null', async () => {
		assert.deepEqual(await walk('depth=6&region=520102'), [
			'520102-SCJG-XK-001',
			'520102-SCJG-QT-003',
			ITEM,
			'520102-RS-GG-002',
		]);
		/* Ranked (bm25) results page in rank order too. */
		assert.deepEqual(await walk('q=' + encodeURIComponent('营业执照')), BY_RELEVANCE_营业执照);
		const bad = await get('/api/v1/services?cursor=%21%21notacursor');
		assert.equal(bad.status, 400);
		assert.equal(bad.json.errors[0].field, 'cursor');
	});

	let itemId;
	it('reads the guide', async () => {
		const s = await get('/api/v1/services?q=' + encodeURIComponent('失业'));
		itemId = s.json.items[0].id;
		const r = await get(`/api/v1/services/${itemId}`);
		assert.equal(r.status, 200, r.text);
		const g = r.json;
		assert.equal(g.code, ITEM);
		assert.equal(g.type, 'GF');
		assert.equal(g.target, 'citizen');
		assert.equal(g.legal_days, 20);
		assert.equal(g.promised_days, 5);
		assert.equal(g.depth, 6);
		assert.equal(g.max_visits, 0);
		assert.equal(g.status, 'published');
		assert.equal(g.department.name, '南明区人力资源和社会保障局');
		assert.deepEqual(g.region, { code: '520102', name: '南明区' });
		assert.deepEqual(g.process, ['网上申请', '受理', '审核', '决定', '按月发放']);
		assert.deepEqual(g.materials, [
			{ seq: 1, name: '社会保障卡或身份证明', form: 'electronic', count: 1, required: true, note: '' },
			{ seq: 2, name: '解除或终止劳动关系证明', form: 'copy', count: 1, required: true, note: '' },
		]);
		assert.equal(g.legal_basis, '《失业保险条例》第十四条；《社会保险法》第四十五条。');
	});

	it('uploads PDFs identified by their SM3 hash', async () => {
		const b1 = pdf('journey identity'), b2 = pdf('journey termination');
		let r = await upload(node.url, token, b1);
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, { id: sm3hex(b1), size: b1.length, mime: 'application/pdf' });
		file1 = r.json.id;
		r = await upload(node.url, token, b2);
		assert.equal(r.status, 201, r.text);
		file2 = r.json.id;
		assert.notEqual(file1, file2);

		const g = await get(`/api/v1/files/${file1}`, token);
		assert.equal(g.status, 200);
		assert.equal(g.headers.get('content-type'), 'application/pdf');
		assert.deepEqual(g.bytes, b1);
		assert.equal(node.count(`SELECT count(*) FROM files WHERE owner_id = ${me}`), 2);
	});

	it('applies with all required materials: 201 submitted with the acceptance deadline', async () => {
		const r = await post('/api/v1/cases', token, {
			item_code: ITEM,
			form: { 失业原因: '劳动合同期满', 开户银行: '贵阳银行' },
			materials: [
				{ seq: 1, name: '身份证.pdf', file: file1 },
				{ seq: 2, name: '解除劳动关系证明.pdf', file: file2 },
			],
		});
		assert.equal(r.status, 201, r.text);
		const c = r.json;
		caseId = c.id;
		caseNo = c.case_no;
		assert.equal(r.headers.get('location'), `/api/v1/cases/${caseId}`);
		assert.equal(r.headers.get('idempotent-replayed'), null);
		assert.equal(c.state, 'submitted');
		assert.equal(c.case_no, `52010220260427${String(caseId).padStart(6, '0')}`);
		assert.equal(c.submitted_at, T0);
		assert.equal(c.accepted_at, null);
		assert.deepEqual(c.form, { 失业原因: '劳动合同期满', 开户银行: '贵阳银行' });
		assert.deepEqual(c.deadline, {
			timer: 'normal',
			phase: 'acceptance',
			limit_days: 5,
			paused_workdays: 0,
			due_date: '2026-05-07',
			remaining_workdays: 5,
		});
		assert.equal(c.item.code, ITEM);
		assert.equal(c.applicant.id, me);
		assert.deepEqual(c.visits, { count: 0, max: 0 });
		assert.equal(c.rating, null);
		assert.equal(c.can_rate, false);
		assert.deepEqual(
			c.materials.map((m) => [m.round, m.seq, m.name, m.file, m.mime]),
			[
				[1, 1, '身份证.pdf', file1, 'application/pdf'],
				[1, 2, '解除劳动关系证明.pdf', file2, 'application/pdf'],
			],
		);
		assert.deepEqual(
			c.history.map((h) => [h.action, h.from, h.to, h.actor.role, h.at]),
			[['submit', null, 'submitted', 'applicant', T0]],
		);
		assert.equal(node.count(`SELECT count(*) FROM cases WHERE applicant_id = ${me}`), 1);

		const mine = await get('/api/v1/cases', token);
		assert.equal(mine.status, 200);
		assert.deepEqual(mine.json.items.map((i) => [i.id, i.state, i.item_name]), [
			[caseId, 'submitted', '失业保险金申领'],
		]);
	});

	it("lists the case in the clerk's inbox and lets the clerk read its files", async () => {
		clerk = await login(node.url, 'rs.clerk');
		const r = await get('/api/v1/cases?state=submitted', clerk);
		assert.equal(r.status, 200, r.text);
		const mine = r.json.items.find((i) => i.id === caseId);
		assert.ok(mine, 'the new case is in the inbox');
		assert.equal(mine.applicant_name, '王小明');
		assert.equal(mine.case_no, caseNo);
		assert.equal(mine.deadline.due_date, '2026-05-07');
		const f = await get(`/api/v1/files/${file2}`, clerk);
		assert.equal(f.status, 200);
		assert.deepEqual(f.bytes, pdf('journey termination'));
	});

	it('asks for a supplement: needs_supplement, timer paused, applicant sees missing', async () => {
		const r = await post(`/api/v1/cases/${caseId}/supplement`, clerk, {
			missing: MISSING,
			comment: '请补充盖章件',
		});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.state, 'needs_supplement');
		assert.deepEqual(r.json.deadline, {
			timer: 'paused',
			phase: 'acceptance',
			limit_days: 5,
			paused_workdays: 0,
			due_date: '2026-05-07',
		});
		const a = await get(`/api/v1/cases/${caseId}`, token);
		assert.equal(a.status, 200);
		assert.equal(a.json.state, 'needs_supplement');
		assert.deepEqual(a.json.missing, MISSING);
		assert.equal(a.json.deadline.timer, 'paused');

		const p = await get('/api/v1/cases?timer=paused', clerk);
		assert.deepEqual(p.json.items.map((i) => i.id), [caseId]);
		assert.equal(node.sql(`SELECT paused_on IS NOT NULL AS p FROM cases WHERE id = ${caseId}`)[0].p, 1);
	});

	it('resubmits two working days later: the pause moves the deadline to the 调休 Saturday', async () => {
		await node.restart({ now: T1 });
		/* Sessions from T0 have expired (8 h); sign in again. */
		const old = await get('/api/v1/me', token);
		assert.equal(old.status, 401);
		token = await login(node.url, idn);
		clerk = await login(node.url, 'rs.clerk');

		const b3 = pdf('journey termination, stamped');
		const u = await upload(node.url, token, b3);
		assert.equal(u.status, 201, u.text);
		file3 = u.json.id;
		const r = await post(`/api/v1/cases/${caseId}/resubmit`, token, {
			materials: [{ seq: 2, name: '解除劳动关系证明（盖章）.pdf', file: file3 }],
			comment: '已补充',
		});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.state, 'submitted');
		assert.deepEqual(r.json.deadline, {
			timer: 'normal',
			phase: 'acceptance',
			limit_days: 5,
			paused_workdays: 2,
			due_date: '2026-05-09',
			remaining_workdays: 5,
		});
		assert.equal(r.json.missing, undefined);
		assert.deepEqual(
			r.json.materials.map((m) => [m.round, m.seq, m.file]),
			[
				[1, 1, file1],
				[1, 2, file2],
				[2, 2, file3],
			],
		);
	});

	it('accepts: the decision clock runs 5 promised working days from acceptance', async () => {
		await node.restart({ now: T2 });
		token = await login(node.url, idn);
		clerk = await login(node.url, 'rs.clerk');
		reviewer = await login(node.url, 'rs.reviewer');
		const r = await post(`/api/v1/cases/${caseId}/accept`, clerk, { comment: '材料齐全，予以受理' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.state, 'accepted');
		assert.equal(r.json.accepted_at, T2);
		assert.deepEqual(r.json.deadline, {
			timer: 'normal',
			phase: 'decision',
			limit_days: 5,
			paused_workdays: 0,
			due_date: '2026-05-11',
			remaining_workdays: 5,
		});
	});

	it('records a visit', async () => {
		const r = await post(`/api/v1/cases/${caseId}/visits`, clerk, { purpose: '窗口核验原件' });
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json.visits, { count: 1, max: 0 });
		assert.equal(node.count(`SELECT count(*) FROM visits WHERE case_id = ${caseId}`), 1);
	});

	it('approves and delivers', async () => {
		let r = await post(`/api/v1/cases/${caseId}/approve`, reviewer, { comment: '符合申领条件' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.state, 'approved');
		assert.equal(r.json.decided_at, T2);
		assert.equal(r.json.deadline.timer, 'closed');
		assert.equal(r.json.deadline.phase, 'closed');
		assert.equal(r.json.deadline.remaining_workdays, undefined);
		r = await post(`/api/v1/cases/${caseId}/deliver`, clerk, { delivery: 'electronic' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.state, 'delivered');
		assert.equal(r.json.delivered_at, T2);
	});

	it('rates the delivered case once', async () => {
		let r = await get(`/api/v1/cases/${caseId}`, token);
		assert.equal(r.json.can_rate, true);
		r = await post(`/api/v1/cases/${caseId}/rating`, token, { stars: 5, comment: '办事高效' });
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json.rating, { stars: 5, comment: '办事高效', at: T2 });
		assert.equal(r.json.can_rate, false);

		r = await post(`/api/v1/cases/${caseId}/rating`, token, { stars: 4 });
		assert.equal(r.status, 409, r.text);
		assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
		assert.equal(r.json.errors[0].field, 'stars');
		assert.equal(r.json.errors[0].reason, 'already_rated');
		assert.deepEqual(node.sql(`SELECT stars, comment FROM ratings WHERE case_id = ${caseId}`), [
			{ stars: 5, comment: '办事高效' },
		]);
		assert.equal(node.count(`SELECT count(*) FROM supervision_items WHERE case_id = ${caseId}`), 0);
	});

	it('keeps the full history in order', async () => {
		const r = await get(`/api/v1/cases/${caseId}`, token);
		assert.equal(r.status, 200);
		const h = r.json.history;
		assert.deepEqual(
			h.map((e) => [e.action, e.from, e.to, e.actor.role, e.at]),
			[
				['submit', null, 'submitted', 'applicant', T0],
				['supplement', 'submitted', 'needs_supplement', 'clerk', T0],
				['resubmit', 'needs_supplement', 'submitted', 'applicant', T1],
				['accept', 'submitted', 'accepted', 'clerk', T2],
				['visit', 'accepted', 'accepted', 'clerk', T2],
				['approve', 'accepted', 'approved', 'reviewer', T2],
				['deliver', 'approved', 'delivered', 'clerk', T2],
				['rate', 'delivered', 'delivered', 'applicant', T2],
			],
		);
		assert.deepEqual(h[1].data, { missing: MISSING });
		assert.equal(h[1].comment, '请补充盖章件');
		assert.equal(h[1].actor.name, '受理员 赵敏');
		assert.deepEqual(h[2].data, { materials: 1, paused_workdays: 2 });
		assert.equal(h[4].comment, '窗口核验原件');
		assert.equal(h[5].actor.name, '审批员 黄磊');
		assert.deepEqual(h[6].data, { delivery: 'electronic' });
		assert.deepEqual(h[7].data, { stars: 5 });
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE case_id = ${caseId}`), 8);
		/* Every step is also in the audit chain, in the same order. */
		assert.deepEqual(
			node
				.sql(`SELECT action FROM audit_log WHERE object_type = 'case' AND object_id = '${caseId}' ORDER BY seq`)
				.map((r) => r.action),
			[
				'case.submit',
				'case.supplement',
				'case.resubmit',
				'case.accept',
				'case.visit',
				'case.approve',
				'case.deliver',
				'case.rate',
			],
		);
	});

	it('replays a submission with the same Idempotency-Key', async () => {
		const u = await upload(node.url, token, pdf('journey id card again'));
		assert.equal(u.status, 201);
		const body = {
			item_code: '520102-RS-GG-002',
			materials: [{ seq: 1, name: '身份证明.pdf', file: u.json.id }],
		};
		const key = 'journey-7f3a9c';
		const a = await post('/api/v1/cases', token, body, { 'Idempotency-Key': key });
		assert.equal(a.status, 201, a.text);
		assert.equal(a.headers.get('idempotent-replayed'), null);
		const b = await post('/api/v1/cases', token, body, { 'Idempotency-Key': key });
		assert.equal(b.status, 200, b.text);
		assert.equal(b.headers.get('idempotent-replayed'), 'true');
		assert.equal(b.json.id, a.json.id);
		assert.equal(b.headers.get('location'), `/api/v1/cases/${a.json.id}`);
		assert.equal(node.count(`SELECT count(*) FROM cases WHERE idem_key = '${key}'`), 1);
		assert.equal(node.count(`SELECT count(*) FROM cases WHERE applicant_id = ${me}`), 2);
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE case_id = ${a.json.id}`), 1);

		/* Without a key the same body is a new application. */
		const c = await post('/api/v1/cases', token, body);
		assert.equal(c.status, 201);
		assert.notEqual(c.json.id, a.json.id);
		assert.equal(node.count(`SELECT count(*) FROM cases WHERE applicant_id = ${me}`), 3);
	});

	/*
	 * Regression (a bug found and fixed): reusing an Idempotency-Key with a
	 * different request body silently replays the first case (200,
	 * Idempotent-Replayed: true) although the client asked for something else.
	 * draft-ietf-httpapi-idempotency-key-header (section 2.7) requires 422 for
	 * a key reused with a different payload; nothing may be created.
	 */
	it('refuses an Idempotency-Key reused for a different application (regression)', async () => {
		const u = await upload(node.url, token, pdf('journey other item'));
		const key = 'journey-7f3a9c'; /* used above for 520102-RS-GG-002 */
		const cases = node.count('SELECT count(*) FROM cases');
		const r = await post(
			'/api/v1/cases',
			token,
			{
				item_code: ITEM,
				materials: [
					{ seq: 1, name: '身份证.pdf', file: u.json.id },
					{ seq: 2, name: '解除劳动关系证明.pdf', file: u.json.id },
				],
			},
			{ 'Idempotency-Key': key },
		);
		assert.equal(node.count('SELECT count(*) FROM cases'), cases);
		assert.equal(r.status, 422, `${r.status} ${r.text.slice(0, 120)}`);
		assert.equal(r.json.errors[0].field, 'Idempotency-Key');
	});

	it('replays concurrent submissions with one Idempotency-Key into one case', async () => {
		const u = await upload(node.url, token, pdf('journey concurrent'));
		const body = { item_code: '520102-RS-GG-002', materials: [{ seq: 1, name: '身份证明.pdf', file: u.json.id }] };
		const key = 'journey-concurrent-01';
		const rs = await Promise.all(
			Array.from({ length: 10 }, () => post('/api/v1/cases', token, body, { 'Idempotency-Key': key })),
		);
		const statuses = rs.map((r) => r.status).sort();
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
		const ids = new Set(rs.map((r) => r.json.id));
		assert.equal(ids.size, 1);
		assert.equal(rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 9);
		assert.equal(node.count(`SELECT count(*) FROM cases WHERE idem_key = '${key}'`), 1);
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE case_id = ${[...ids][0]}`), 1);
	});

	it("pages the applicant's own cases newest first", async () => {
		const all = node.sql(`SELECT id FROM cases WHERE applicant_id = ${me} ORDER BY id DESC`).map((r) => r.id);
		assert.equal(all.length, 4);
		const seen = [];
		let cursor = null;
		for (let i = 0; i < 10; i++) {
			const r = await get('/api/v1/cases?limit=1' + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''), token);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.items.length, 1);
			seen.push(r.json.items[0].id);
			cursor = r.json.next;
			if (cursor === null) break;
		}
		assert.deepEqual(seen, all);
		const delivered = await get('/api/v1/cases?state=delivered', token);
		assert.deepEqual(delivered.json.items.map((i) => i.id), [caseId]);
	});

	it('verifies the audit chain (CLI and API)', async () => {
		await node.waitSigned();
		const n = node.count('SELECT count(*) FROM audit_log');
		assert.ok(n > 50, `audit_log has ${n} rows`);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stderr);
		const keys = node.sql('SELECT key_id FROM node_keys');
		assert.equal(keys.length, 1, 'one process, one node key');
		const kid = keys[0].key_id;
		assert.match(kid, /^[0-9a-f]{16}$/);
		assert.equal(
			v.stdout,
			`audit chain intact: ${n} records verified\nsigned by node key ${kid} up to record ${n}\n`,
		);
		const admin = await login(node.url, 'admin');
		await node.waitSigned();
		const r = await get('/api/v1/audit/verify', admin);
		assert.equal(r.status, 200);
		assert.deepEqual(
			r.json,
			{ ok: true, checked: n + 1, signed_upto: n + 1, key_id: kid },
			'the admin sign-in added one record, signed within a second',
		);
		/* Between signatures, transactions are sealed with the node's HMAC. */
		assert.ok(node.count("SELECT count(*) FROM audit_signatures WHERE alg = 'hmac-sm3'") > 0);

		/* Rewriting the tail needs the key: a missing or borrowed signature is caught. */
		const last = node.sql("SELECT seq, sig FROM audit_signatures WHERE alg = 'sm2' ORDER BY seq DESC LIMIT 2");
		node.sql(`UPDATE audit_signatures SET sig = '${last[1].sig}' WHERE seq = ${last[0].seq}`);
		const forged = node.cli(['audit', 'verify']);
		assert.equal(forged.code, 1);
		assert.equal(
			forged.stdout,
			`audit chain BROKEN at sequence ${last[1].seq + 1}: the signature over record ${last[0].seq} is not valid for key ${kid}\n`,
		);
		node.sql(`DELETE FROM audit_signatures WHERE seq = ${last[0].seq}`);
		const sealed = node.count('SELECT max(seq) FROM audit_signatures');
		const unsigned = node.cli(['audit', 'verify']);
		assert.equal(unsigned.code, 1);
		assert.equal(
			unsigned.stdout,
			`audit chain BROKEN at sequence ${sealed + 1}: records ${sealed + 1}..${last[0].seq} were added without the node's signature\n`,
		);
		node.sql(`INSERT INTO audit_signatures (seq, hash, key_id, alg, sig, at) VALUES (${last[0].seq}, (SELECT hash FROM audit_log WHERE seq = ${last[0].seq}), '${kid}', 'sm2', '${last[0].sig}', 0)`);
		assert.equal(node.cli(['audit', 'verify']).code, 0, 'the original signature restored');

		/* Fault injection: alter one record behind the server's back. */
		const seq = node.count(`SELECT min(seq) FROM audit_log WHERE object_type = 'case' AND object_id = '${caseId}'`);
		node.sql(`UPDATE audit_log SET data = '{"to":"denied"}' WHERE seq = ${seq}`);
		const broken = node.cli(['audit', 'verify']);
		assert.equal(broken.code, 1, broken.stdout + broken.stderr);
		assert.match(broken.stdout, new RegExp(`^audit chain BROKEN at sequence ${seq}: `));
		const b = await get('/api/v1/audit/verify', admin);
		assert.equal(b.status, 200);
		assert.equal(b.json.ok, false);
		assert.equal(b.json.first_bad_seq, seq);
	});
});
