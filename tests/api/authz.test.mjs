/*
 * authz.test.mjs - who may do what: authentication, roles, departments,
 * ownership, the case state machine, logout and login throttling.
 *
 * Test plan (ZT_NOW = Mon 2026-03-02 10:00; citizen A owns case X, a
 * submitted 失业保险金申领 of the rs department; citizen B is a stranger):
 *   1. No token -> 401 unauthenticated on every protected route; an unknown
 *      bearer token -> 401 invalid_token; both are problem+json.
 *   2. A citizen on official routes -> 403; an official on applicant-only
 *      routes (upload, apply) -> 403.
 *   3. Officials of another department (scjg.clerk, scjg.reviewer) reading or
 *      acting on the rs case -> 403 other_department (its file -> 404), and
 *      nothing changes (state, events, audit rows).
 *   4. Wrong role in the right department: rs.reviewer accept -> 403,
 *      rs.clerk approve -> 403, rs.supervisor accept -> 403, rs.admin
 *      accept -> 403; nothing changes.
 *   5. Citizen B reading or acting on A's case or file -> 404 (existence is
 *      not revealed); B's own list is empty.
 *   6. Illegal transitions -> 409 with errors[0] {field "state", reason
 *      "illegal_transition"} and the database unchanged: approve a submitted
 *      case, accept twice, deliver before approval, resubmit when not asked.
 *   7. Logout revokes only that token (then 401), the other session stays.
 *   8. Login throttling: 5 wrong passwords -> 401 each; the 6th attempt, even
 *      with the right password -> 429 with Retry-After: 900; other logins are
 *      unaffected.
 *   9. Races: ten concurrent accepts of one case -> exactly one 200 and nine
 *      409, one accept event; ten concurrent ratings -> one 201, nine 409.
 *  10. Officials: a dept_admin adds a clerk to their own department (who can
 *      then act on its cases), but not to another department, not as
 *      sysadmin, and cannot list another department's officials (403).
 *  11. Every problem answer's `instance` is its X-Request-Id header.
 *  12. A session lasts 8 hours to the second: valid at 17:59:59 for a
 *      sign-in at 10:00, refused (401 invalid_token) at 18:00:00.
 *  13. With ZT_LOGIN_MAX_FAILURES=3 and ZT_LOGIN_WINDOW=60 the 4th attempt is
 *      refused and Retry-After says 60, as the detail does (was a bug: the
 *      header is always 900).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, newCitizen, pdf, startNode, upload, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';

describe('authorization', () => {
	let node, A, B, caseX, fileX;

	before(async () => {
		node = await startNode({ now: T0 });
		A = await newCitizen(node.url, { name: '甲', seq: 31 });
		B = await newCitizen(node.url, { name: '乙', seq: 32, phone: '13912340000' });
		const f1 = await upload(node.url, A.token, pdf('authz 1'));
		const f2 = await upload(node.url, A.token, pdf('authz 2'));
		fileX = f1.json.id;
		const r = await api(node.url, 'POST', '/api/v1/cases', {
			token: A.token,
			json: {
				item_code: '520102-RS-GF-001',
				materials: [
					{ seq: 1, name: '身份证明', file: f1.json.id },
					{ seq: 2, name: '解除劳动关系证明', file: f2.json.id },
				],
			},
		});
		assert.equal(r.status, 201, r.text);
		caseX = r.json.id;
	});
	after(async () => {
		await node?.stop();
	});

	const call = (method, path, token, json) =>
		api(node.url, method, path, { token, json: method === 'GET' ? undefined : (json ?? {}) });

	/* Everything a refused request must leave untouched. */
	const snapshot = () =>
		node.sql(
			`SELECT (SELECT state FROM cases WHERE id = ${caseX}) AS state,` +
				` (SELECT count(*) FROM case_events) AS events, (SELECT count(*) FROM audit_log) AS audit,` +
				` (SELECT count(*) FROM visits) AS visits, (SELECT count(*) FROM cases) AS cases,` +
				` (SELECT count(*) FROM ratings) AS ratings`,
		)[0];

	/* type: the problem type; reason: errors[0].reason when a field is named. */
	function assertProblem(r, status, type, reason) {
		assert.equal(r.status, status, r.text);
		assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
		assert.equal(r.json.status, status);
		if (type) assert.equal(r.json.type, `/problems/${type}`);
		if (reason) assert.equal(r.json.errors[0].reason, reason);
	}

	it('answers 401 without a token', async () => {
		const protectedRoutes = [
			['GET', '/api/v1/me'],
			['POST', '/api/v1/auth/logout'],
			['GET', '/api/v1/cases'],
			['GET', `/api/v1/cases/${caseX}`],
			['POST', '/api/v1/cases'],
			['POST', `/api/v1/cases/${caseX}/accept`],
			['POST', `/api/v1/cases/${caseX}/rating`],
			['GET', `/api/v1/files/${fileX}`],
			['GET', '/api/v1/supervision'],
			['POST', '/api/v1/services'],
			['GET', '/api/v1/dept/services'],
			['GET', '/api/v1/officials'],
			['POST', '/api/v1/sla/sweep'],
			['GET', '/api/v1/audit/verify'],
		];
		const was = snapshot();
		for (const [m, p] of protectedRoutes) {
			const r = await call(m, p, null);
			assertProblem(r, 401, 'unauthenticated');
		}
		const up = await upload(node.url, null, pdf('anonymous'));
		assertProblem(up, 401, 'unauthenticated');
		const bogus = await call('GET', '/api/v1/me', 'zt_' + 'A'.repeat(43));
		assertProblem(bogus, 401, 'invalid_token');
		const junk = await call('GET', `/api/v1/cases/${caseX}`, 'not a token at all');
		assertProblem(junk, 401, 'invalid_token');
		assert.deepEqual(snapshot(), was);
	});

	it('answers 403 to a citizen on official routes and to an official on applicant routes', async () => {
		const clerk = await login(node.url, 'rs.clerk');
		const was = snapshot();
		for (const [m, p] of [
			['POST', `/api/v1/cases/${caseX}/accept`],
			['POST', `/api/v1/cases/${caseX}/supplement`],
			['POST', `/api/v1/cases/${caseX}/approve`],
			['POST', `/api/v1/cases/${caseX}/visits`],
			['GET', '/api/v1/supervision'],
			['POST', '/api/v1/services'],
			['GET', '/api/v1/dept/services'],
			['GET', '/api/v1/officials'],
			['POST', '/api/v1/sla/sweep'],
			['GET', '/api/v1/audit/verify'],
		]) {
			const r = await call(m, p, A.token);
			assertProblem(r, 403, 'forbidden');
		}
		assertProblem(await upload(node.url, clerk, pdf('official upload')), 403, 'forbidden');
		assertProblem(
			await call('POST', '/api/v1/cases', clerk, { item_code: '520102-RS-GF-001', materials: [] }),
			403,
			'forbidden',
		);
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/rating`, clerk, { stars: 5 }), 403);
		assert.deepEqual(snapshot(), was);
	});

	it("refuses officials of another department on an rs case", async () => {
		const sc = await login(node.url, 'scjg.clerk');
		const sr = await login(node.url, 'scjg.reviewer');
		const ss = await login(node.url, 'scjg.supervisor');
		const was = snapshot();
		assertProblem(await call('GET', `/api/v1/cases/${caseX}`, sc), 403, 'other_department');
		assertProblem(await call('GET', `/api/v1/cases/${caseX}`, ss), 403, 'other_department');
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/accept`, sc, {}), 403, 'other_department');
		assertProblem(
			await call('POST', `/api/v1/cases/${caseX}/supplement`, sc, { missing: ['任何材料'] }),
			403,
			'other_department',
		);
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/not-accept`, sc, { reason: '越权操作' }), 403);
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/visits`, sc, { purpose: '越权登记' }), 403);
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/approve`, sr, {}), 403);
		const f = await call('GET', `/api/v1/files/${fileX}`, sc);
		assertProblem(f, 404, 'not_found');
		const inbox = await call('GET', '/api/v1/cases', sc);
		assert.equal(inbox.status, 200);
		assert.ok(!inbox.json.items.some((i) => i.id === caseX), 'not in the other inbox');
		assert.deepEqual(snapshot(), was);
	});

	it('refuses the wrong role within the department', async () => {
		const reviewer = await login(node.url, 'rs.reviewer');
		const clerk = await login(node.url, 'rs.clerk');
		const sup = await login(node.url, 'rs.supervisor');
		const admin = await login(node.url, 'rs.admin');
		const was = snapshot();
		let r = await call('POST', `/api/v1/cases/${caseX}/accept`, reviewer, {});
		assertProblem(r, 403, 'forbidden');
		r = await call('POST', `/api/v1/cases/${caseX}/approve`, clerk, {});
		assertProblem(r, 403, 'forbidden');
		r = await call('POST', `/api/v1/cases/${caseX}/accept`, sup, {});
		assertProblem(r, 403, 'forbidden');
		r = await call('POST', `/api/v1/cases/${caseX}/accept`, admin, {});
		assertProblem(r, 403, 'forbidden');
		/* They may all read it. */
		for (const t of [reviewer, clerk, sup, admin]) {
			const g = await call('GET', `/api/v1/cases/${caseX}`, t);
			assert.equal(g.status, 200, g.text);
			assert.equal(g.json.state, 'submitted');
		}
		assert.deepEqual(snapshot(), was);
	});

	it("hides a citizen's case and files from another citizen (404)", async () => {
		const was = snapshot();
		const g = await call('GET', `/api/v1/cases/${caseX}`, B.token);
		assertProblem(g, 404, 'not_found');
		assert.ok(!g.text.includes('失业保险金申领'));
		assertProblem(await call('GET', `/api/v1/cases/${caseX + 1000}`, B.token), 404, 'not_found');
		assertProblem(
			await call('POST', `/api/v1/cases/${caseX}/resubmit`, B.token, { comment: '冒充补正', form: {} }),
			404,
		);
		assertProblem(await call('POST', `/api/v1/cases/${caseX}/rating`, B.token, { stars: 1, comment: '差评' }), 404);
		const f = await call('GET', `/api/v1/files/${fileX}`, B.token);
		assertProblem(f, 404, 'not_found');
		assert.ok(!f.text.includes('%PDF'));
		const list = await call('GET', '/api/v1/cases', B.token);
		assert.deepEqual(list.json, { items: [], next: null });
		assert.deepEqual(snapshot(), was);
	});

	it('refuses illegal transitions with 409 and changes nothing', async () => {
		const reviewer = await login(node.url, 'rs.reviewer');
		const clerk = await login(node.url, 'rs.clerk');
		const illegal = async (path, token, json, from) => {
			const was = snapshot();
			const r = await call('POST', `/api/v1/cases/${caseX}/${path}`, token, json);
			assertProblem(r, 409, 'conflict', 'illegal_transition');
			assert.equal(r.json.errors.length, 1);
			assert.equal(r.json.errors[0].field, 'state');
			assert.equal(r.json.errors[0].reason, 'illegal_transition');
			assert.equal(was.state, from);
			assert.deepEqual(snapshot(), was);
		};
		await illegal('approve', reviewer, { comment: '越级审批' }, 'submitted');
		await illegal('deliver', clerk, {}, 'submitted');
		await illegal('resubmit', A.token, { comment: '未要求补正', form: { a: 1 } }, 'submitted');

		const ok = await call('POST', `/api/v1/cases/${caseX}/accept`, clerk, {});
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.json.state, 'accepted');
		await illegal('accept', clerk, {}, 'accepted');
		await illegal('supplement', clerk, { missing: ['补充材料'] }, 'accepted');
		await illegal('not-accept', clerk, { reason: '已受理不能不予受理' }, 'accepted');
		await illegal('deliver', clerk, {}, 'accepted');
		const early = await call('POST', `/api/v1/cases/${caseX}/rating`, A.token, { stars: 5 });
		assertProblem(early, 409, 'conflict', 'not_finished');
		assert.equal(early.json.errors[0].field, 'state');
		assert.deepEqual(
			node.sql(`SELECT action FROM case_events WHERE case_id = ${caseX} ORDER BY id`).map((r) => r.action),
			['submit', 'accept'],
		);
	});

	it('revokes the token on logout', async () => {
		const t1 = await login(node.url, B.idn);
		const t2 = await login(node.url, B.idn);
		assert.equal((await call('GET', '/api/v1/me', t1)).status, 200);
		const out = await call('POST', '/api/v1/auth/logout', t1, {});
		assert.equal(out.status, 200, out.text);
		assert.deepEqual(out.json, { ok: true });
		assertProblem(await call('GET', '/api/v1/me', t1), 401, 'invalid_token');
		assertProblem(await call('GET', '/api/v1/cases', t1), 401);
		assertProblem(await call('POST', '/api/v1/auth/logout', t1, {}), 401);
		const still = await call('GET', '/api/v1/me', t2);
		assert.equal(still.status, 200);
		assert.equal(still.json.name, '乙');
		assert.equal(
			node.count(`SELECT count(*) FROM sessions WHERE user_id = ${B.user.id} AND revoked_at IS NOT NULL`),
			1,
		);
	});

	it('lets exactly one of ten concurrent accepts and ratings win', async () => {
		const B2 = await newCitizen(node.url, { name: '丙', seq: 33, phone: '13612340000' });
		const f = await upload(node.url, B2.token, pdf('authz race'));
		const c = await call('POST', '/api/v1/cases', B2.token, {
			item_code: '520102-RS-GG-002',
			materials: [{ seq: 1, name: '身份证明', file: f.json.id }],
		});
		assert.equal(c.status, 201, c.text);
		const id = c.json.id;
		const clerk = await login(node.url, 'rs.clerk');
		const reviewer = await login(node.url, 'rs.reviewer');
		const acc = await Promise.all(Array.from({ length: 10 }, () => call('POST', `/api/v1/cases/${id}/accept`, clerk, {})));
		assert.deepEqual(acc.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE case_id = ${id} AND action = 'accept'`), 1);
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'case.accept' AND object_id = '${id}'`), 1);
		assert.equal((await call('POST', `/api/v1/cases/${id}/deny`, reviewer, { reason: '不符合条件' })).status, 200);
		const rates = await Promise.all(
			Array.from({ length: 10 }, (_, i) =>
				call('POST', `/api/v1/cases/${id}/rating`, B2.token, { stars: 1 + (i % 5), comment: `评价${i}` }),
			),
		);
		assert.deepEqual(rates.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
		assert.equal(node.count(`SELECT count(*) FROM ratings WHERE case_id = ${id}`), 1);
		assert.equal(node.count(`SELECT count(*) FROM case_events WHERE case_id = ${id} AND action = 'rate'`), 1);
		const stars = node.count(`SELECT stars FROM ratings WHERE case_id = ${id}`);
		assert.equal(
			node.count(`SELECT count(*) FROM supervision_items WHERE case_id = ${id} AND kind = 'bad_rating'`),
			stars <= 2 ? 1 : 0,
		);
	});

	it('lets a dept_admin add officials to their own department only', async () => {
		const admin = await login(node.url, 'scjg.admin');
		const add = (json, token = admin) => call('POST', '/api/v1/officials', token, json);
		const users = node.count('SELECT count(*) FROM users');
		let r = await add({ login: 'rs.ghost', name: '冒名', password: DEMO_PASSWORD, roles: ['clerk'], dept_id: 3 });
		assertProblem(r, 403, 'forbidden', 'other_department');
		r = await add({ login: 'scjg.root', name: '越权', password: DEMO_PASSWORD, roles: ['sysadmin'] });
		assertProblem(r, 403, 'forbidden', 'sysadmin');
		r = await add({ login: 'Bad Login', name: '格式', password: DEMO_PASSWORD, roles: ['clerk'] });
		assertProblem(r, 400, 'invalid', 'format');
		r = await add({ login: 'scjg.x', name: '角色', password: DEMO_PASSWORD, roles: ['king'] });
		assertProblem(r, 400, 'invalid', 'enum');
		r = await add({ login: 'scjg.y', name: '受理员', password: DEMO_PASSWORD, roles: ['clerk'] }, A.token);
		assertProblem(r, 403, 'forbidden');
		assert.equal(node.count('SELECT count(*) FROM users'), users);
		assertProblem(await call('GET', '/api/v1/officials?dept_id=3', admin), 403, 'other_department');

		r = await add({ login: 'scjg.clerk2', name: '受理员 新', password: DEMO_PASSWORD, roles: ['clerk'] });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.department.id, 2);
		assert.deepEqual(r.json.roles, ['clerk']);
		r = await add({ login: 'scjg.clerk2', name: '重复', password: DEMO_PASSWORD, roles: ['clerk'] });
		assertProblem(r, 409, 'conflict', 'taken');
		const list = await call('GET', '/api/v1/officials', admin);
		assert.equal(list.status, 200);
		assert.deepEqual(
			list.json.items.map((o) => o.login),
			['scjg.clerk', 'scjg.reviewer', 'scjg.admin', 'scjg.supervisor', 'scjg.data', 'scjg.clerk2'],
		);
		/* The new clerk works in scjg but not on rs cases. */
		const c2 = await login(node.url, 'scjg.clerk2');
		assertProblem(await call('GET', `/api/v1/cases/${caseX}`, c2), 403, 'other_department');
		const inbox = await call('GET', '/api/v1/cases?state=submitted', c2);
		assert.equal(inbox.status, 200);
		/* Only scjg's own waiting case: the demo's 食品经营许可 application. */
		assert.equal(inbox.json.items.length, 1);
		assert.equal(inbox.json.items[0].item_name, '食品经营许可');
	});

	it('names every answer with its request id', async () => {
		const r = await call('GET', `/api/v1/cases/${caseX}`, B.token);
		assert.equal(r.status, 404);
		assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
		assert.equal(r.json.instance, r.headers.get('x-request-id'));
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
		assert.equal(r.headers.get('cache-control'), 'no-store');
		const again = await call('GET', `/api/v1/cases/${caseX}`, B.token);
		assert.notEqual(again.json.instance, r.json.instance);
		assert.equal(r.json.title, '未找到');
		const en = await api(node.url, 'GET', `/api/v1/cases/${caseX}`, {
			token: B.token,
			headers: { 'Accept-Language': 'en-US,en;q=0.9' },
		});
		assert.equal(en.json.title, 'Not found');
		const q = await api(node.url, 'GET', `/api/v1/cases/${caseX}?lang=en`, { token: B.token });
		assert.equal(q.json.title, 'Not found');
	});

	it('throttles sign-in after 5 wrong passwords, even with the right one', async () => {
		const who = 'mz.clerk';
		const sessions = node.count('SELECT count(*) FROM sessions');
		for (let i = 0; i < 5; i++) {
			const r = await call('POST', '/api/v1/auth/login', null, { login: who, password: `Wrong@${i}pass` });
			assertProblem(r, 401, 'unauthenticated', 'bad_credentials');
			assert.equal(r.json.errors[0].field, 'password');
			assert.equal(r.headers.get('retry-after'), null);
		}
		const r = await call('POST', '/api/v1/auth/login', null, { login: who, password: DEMO_PASSWORD });
		assertProblem(r, 429, 'rate_limited', 'throttled');
		assert.equal(r.headers.get('retry-after'), '900');
		assert.equal(r.json.errors[0].field, 'login');
		assert.equal(r.json.token, undefined);
		assert.equal(node.count('SELECT count(*) FROM sessions'), sessions);
		/* Another account is not locked out. */
		const other = await call('POST', '/api/v1/auth/login', null, { login: 'mz.admin', password: DEMO_PASSWORD });
		assert.equal(other.status, 200, other.text);
	});

	it('expires a session exactly 8 hours after sign-in', async () => {
		const t = await login(node.url, 'rs.supervisor');
		await node.restart({ now: '2026-03-02T17:59:59+08:00' });
		const ok = await call('GET', '/api/v1/me', t);
		assert.equal(ok.status, 200, ok.text);
		await node.restart({ now: '2026-03-02T18:00:00+08:00' });
		assertProblem(await call('GET', '/api/v1/me', t), 401, 'invalid_token');
		assertProblem(await call('GET', '/api/v1/supervision', t), 401, 'invalid_token');
	});

	/*
	 * Regression (a bug found and fixed): src/api/auth.c always sends
	 * "Retry-After: 900" although the wait is the configured login_window minus
	 * the time since the first failure; the problem detail states the real
	 * wait ("try again in 60 seconds") while the header says 900.
	 */
	it('sends the real wait in Retry-After (regression)', async () => {
		await node.restart({ env: { ZT_LOGIN_MAX_FAILURES: '3', ZT_LOGIN_WINDOW: '60' } });
		for (let i = 0; i < 3; i++) {
			const r = await call('POST', '/api/v1/auth/login', null, { login: 'wj.clerk', password: `Wrong@${i}pass` });
			assertProblem(r, 401, 'unauthenticated', 'bad_credentials');
		}
		const r = await call('POST', '/api/v1/auth/login', null, { login: 'wj.clerk', password: DEMO_PASSWORD });
		assertProblem(r, 429, 'rate_limited', 'throttled');
		assert.equal(r.json.errors[0].detail, 'too many failed sign-ins; try again in 60 seconds');
		assert.equal(r.headers.get('retry-after'), '60');
	});
});
