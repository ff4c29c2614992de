/*
 * fed-cases.test.mjs - 跨省通办 between real node processes (docs/federation.md,
 * Cross-region cases): 全程网办, 异地代收代办 and 多地联办, refusals, and a home
 * node killed while applications and officials' decisions are under way.
 *
 * Nodes: the hub, 贵州 520000 (home node H of the items 520000-*) and 广东
 * 440000 (receiving node R), both with `demo province` data (PostgreSQL too
 * with ZT_TEST_PG). The 广东 demo citizen C applies at 广东.
 *
 * Test plan:
 *   1. 全程网办: C uploads two PDFs and applies for 520000-RS-GF-101 ->
 *      201, number KS440000<date><6 digits>, state forwarded, 办理地 贵州省.
 *      贵州 then holds exactly one case with fed_ref = number, fed_origin
 *      440000, fed_mode full_online, channel web, state submitted, for a
 *      shadow account (login = C's ID number, password hash '!fed:no-login',
 *      cannot sign in: 401), materials with C's digests and ref fed:440000.
 *      广东 learns 贵州's case number, item and department names. gz.rs.clerk
 *      sees it in the inbox marked cross {mode, origin_region 440000} and on
 *      the case page cross.origin_name 广东省. Supplement: the clerk asks for a
 *      material -> 广东 shows needs_supplement with the missing list; C
 *      resubmits at 广东 -> 贵州's case submitted again with a round-2
 *      material; accept, approve -> 广东 approved, with the exact history
 *      (source, action, from, to) of both nodes in order.
 *   2. 异地代收代办: gd.rs.clerk uploads scans (POST /fed/files; a PDF declared
 *      image/png and HTML declared application/pdf -> 415, type_mismatch
 *      for the first, nothing stored; as application/octet-stream -> 201)
 *      and registers
 *      C at the window for 520000-GA-XK-101 -> received, nothing sent to
 *      贵州; another department's clerk does not see it (404); formal review
 *      pass -> forwarded; 贵州's case has channel window, fed_mode proxy and
 *      fed_checked with the clerk and note; gz.ga.clerk accepts and approves;
 *      广东 approved; gd.rs.clerk hands over (deliver) -> delivered at both
 *      nodes, 贵州's event deliver by role origin with delivery window. C
 *      sees the application in their list (matched by ID number). A second
 *      registration rejected in review (no note: 400 naming note) ends as
 *      not_accepted_here and never reaches 贵州.
 *   3. 多地联办: C applies once for 440000-GA-XK-101 (local) and
 *      520000-GA-XK-101 (贵州) -> a local case (submitted, marked cross
 *      joint/local) linked to the fed case; overall in_progress until both
 *      parts are approved by gd.ga.clerk and gz.ga.clerk, then completed.
 *   4. Refusals: 贵州, asked when the application is made, says its item
 *      520000-SCJG-XK-101 is not offered for joint handling -> 422 naming
 *      item_code (nothing written); an item 贵州 does not have is taken at
 *      广东 (201, no name yet) and refused by 贵州 -> not_accepted at 广东
 *      with the reason, no case at 贵州; so are a proxy application for a
 *      person unknown at 贵州 and an online one without the required
 *      materials (贵州's case rules, rolled back whole: no case, no shadow
 *      account; "required materials missing: 身份证、参保缴费凭证");
 *      home_region own/unknown/malformed ->
 *      422/422/400 naming home_region; bad mode, missing item_code, bad file
 *      id, fields of another mode, a bad ID number -> 400 naming each field;
 *      the wrong party for a mode -> 403; a file not uploaded by the caller
 *      -> 422.
 *   5. Kill: 贵州 killed -9; meanwhile C submits a joint application for
 *      520000-SCJG-XK-101 (贵州 cannot be asked: taken, forwarded) and 20
 *      applications (all 201); 贵州 restarted refuses the first (not_accepted
 *      with mode_not_offered's text, overall ended) and creates the 20; then
 *      gz.rs.clerk accepts 10, 贵州 is killed -9 and restarted, accepts the
 *      other 10, 广东 is killed -9 while 贵州 approves all 20, then restarted.
 *      Every application exists exactly once at 贵州 (count by fed_ref), every
 *      state change of 贵州 arrives exactly once at 广东 (events per case
 *      equal, message ids seen once), no message failed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startFederation, waitFor } from './lib/fed.mjs';
import { api, countFiles, DEMO_PASSWORD, idCheckChar, idNumber, pdf, upload } from './lib/node.mjs';

const CITIZEN = '44000019900307123' + idCheckChar('44000019900307123');
const RS = '520000-RS-GF-101';
const GA = '520000-GA-XK-101';
const FORM = { purpose: '工作调动，转移养老保险关系', address: '广州市天河区体育西路 100 号' };

describe('跨省通办 between 广东 and 贵州', () => {
	let fed, gz, gd;
	let files; /* the citizen's uploaded file ids */

	const fedGet = async (who, id) => {
		const r = await gd.as(who, 'GET', `/api/v1/fed/cases/${id}`);
		assert.equal(r.status, 200, r.text);
		return r.json;
	};
	const homeCase = (ref) => gz.sql(`SELECT * FROM cases WHERE fed_ref = '${ref}'`);
	/* Messages in 广东's outbox naming text (payloads are stored encrypted). */
	const queued = (text) => gd.open(gd.sql('SELECT payload FROM fed_outbox').map((x) => x.payload)).filter((p) => p.includes(text)).length;
	const apply = (who, body) => gd.as(who, 'POST', '/api/v1/fed/cases', { json: body });
	const act = async (node, who, id, action, json = {}) => {
		const r = await node.as(who, 'POST', `/api/v1/cases/${id}/${action}`, { json });
		assert.equal(r.status, 200, `${action}: ${r.text}`);
		return r.json;
	};
	const hist = (c) => c.history.map((e) => [e.source, e.action, e.from, e.to]);
	const upFile = async (node, who, tag, path = '/api/v1/files') => {
		const r = await api(node.url, 'POST', path, {
			token: await node.token(who),
			body: pdf(tag),
			headers: { 'Content-Type': 'application/pdf' },
		});
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	};
	const mats = (a, b) => [
		{ seq: 1, name: '身份证', file: a },
		{ seq: 2, name: '第二份材料', file: b },
	];

	before(async () => {
		fed = await startFederation({ which: ['gz', 'gd'] });
		({ gz, gd } = fed);
		files = [await upFile(gd, CITIZEN, 'id-card'), await upFile(gd, CITIZEN, 'second')];
	});

	after(async () => {
		for (const n of fed?.nodes ?? []) await n.stop();
	});

	it('全程网办: applied at 广东, handled by 贵州 in its normal workflow, visible at 广东', async () => {
		const r = await apply(CITIZEN, { mode: 'full_online', home_region: '520000', item_code: RS, form: FORM, materials: mats(...files) });
		assert.equal(r.status, 201, r.text);
		const c = r.json;
		assert.match(c.number, /^KS440000\d{8}\d{6}$/);
		assert.equal(r.headers.get('location'), `/api/v1/fed/cases/${c.id}`);
		assert.equal(c.mode, 'full_online');
		assert.equal(c.state, 'forwarded');
		assert.equal(c.home.region, '520000');
		assert.equal(c.home.region_name, '贵州省');
		assert.equal(c.applicant.id_no, CITIZEN);
		assert.deepEqual(c.can, { review: false, deliver: false, resubmit: false });

		/* 贵州 creates the real case, exactly once, for a shadow applicant. */
		const [h] = await waitFor(() => homeCase(c.number).length && homeCase(c.number), { what: 'case at 贵州' });
		assert.equal(homeCase(c.number).length, 1);
		assert.equal(h.fed_origin, '440000');
		assert.equal(h.fed_mode, 'full_online');
		assert.equal(h.channel, 'web');
		assert.equal(h.state, 'submitted');
		assert.deepEqual(gz.sql(`SELECT login, kind, id_number, password_hash FROM users WHERE id = ${h.applicant_id}`), [
			{ login: gz.bi(CITIZEN), kind: 'citizen', id_number: gz.bi(CITIZEN), password_hash: '!fed:no-login' },
		]);
		const login = await api(gz.url, 'POST', '/api/v1/auth/login', { json: { login: CITIZEN, password: DEMO_PASSWORD } });
		assert.equal(login.status, 401);
		assert.deepEqual(
			gz.sql(`SELECT round, material_seq, file_hash, size, mime, source, ref FROM case_materials WHERE case_id = ${h.id} ORDER BY id`),
			files.map((f, i) => ({ round: 1, material_seq: i + 1, file_hash: f, size: pdf(i ? 'second' : 'id-card').length, mime: 'application/pdf', source: 'upload', ref: 'fed:440000' })),
		);

		/* 广东 learns 贵州's number and names. */
		let g = await waitFor(async () => {
			const x = await fedGet(CITIZEN, c.id);
			return x.state === 'submitted' && x;
		}, { what: 'submitted at 广东' });
		assert.equal(g.home_case_no, h.case_no);
		assert.equal(g.item.name, '城镇职工基本养老保险关系转移接续');
		assert.equal(g.department.name, '贵州省人力资源和社会保障厅');

		/* The officials at 贵州 see a marked case in their inbox. */
		const inbox = await gz.as('gz.rs.clerk', 'GET', '/api/v1/cases');
		const row = inbox.json.items.find((x) => x.id === h.id);
		assert.deepEqual(row.cross, { mode: 'full_online', origin_region: '440000', origin_name: '广东省', origin_name_en: 'Guangdong' });
		const page = await gz.as('gz.rs.clerk', 'GET', `/api/v1/cases/${h.id}`);
		assert.equal(page.json.cross.origin_name, '广东省');
		assert.equal(page.json.cross.ref, c.number);
		assert.equal(page.json.cross.mode, 'full_online');
		assert.equal(page.json.applicant.name, '陈志强');
		/* A local case has no mark. */
		const local = await gd.as(CITIZEN, 'GET', '/api/v1/cases');
		assert.equal(local.status, 200);

		/* 补正: asked at 贵州, supplied at 广东. */
		await act(gz, 'gz.rs.clerk', h.id, 'supplement', { missing: ['参保缴费凭证（加盖公章）'], comment: '请补充盖章凭证' });
		g = await waitFor(async () => {
			const x = await fedGet(CITIZEN, c.id);
			return x.state === 'needs_supplement' && x;
		}, { what: 'needs_supplement at 广东' });
		assert.deepEqual(g.missing, ['参保缴费凭证（加盖公章）']);
		assert.equal(g.can.resubmit, true);
		const extra = await upFile(gd, CITIZEN, 'stamped');
		const rs = await gd.as(CITIZEN, 'POST', `/api/v1/fed/cases/${c.id}/resubmit`, {
			json: { materials: [{ seq: 2, name: '参保缴费凭证（盖章）', file: extra }], comment: '已补充' },
		});
		assert.equal(rs.status, 200, rs.text);
		assert.equal(rs.json.state, 'submitted');
		assert.equal(rs.json.missing, null);
		await waitFor(() => homeCase(c.number)[0].state === 'submitted', { what: 'resubmitted at 贵州' });
		assert.deepEqual(gz.sql(`SELECT round, file_hash, ref FROM case_materials WHERE case_id = ${h.id} AND round = 2`), [
			{ round: 2, file_hash: extra, ref: 'fed:440000' },
		]);
		/* A second resubmit at 广东 is refused there (409). */
		const again = await gd.as(CITIZEN, 'POST', `/api/v1/fed/cases/${c.id}/resubmit`, { json: { comment: 'x', form: FORM } });
		assert.equal(again.status, 409);

		await act(gz, 'gz.rs.clerk', h.id, 'accept');
		await act(gz, 'gz.rs.reviewer', h.id, 'approve', { comment: '准予转移' });
		g = await waitFor(async () => {
			const x = await fedGet(CITIZEN, c.id);
			return x.state === 'approved' && x;
		}, { what: 'approved at 广东' });
		assert.deepEqual(hist(g), [
			['440000', 'submit', null, 'forwarded'],
			['520000', 'submit', null, 'submitted'],
			['520000', 'supplement', 'submitted', 'needs_supplement'],
			['440000', 'resubmit', 'needs_supplement', 'submitted'],
			['520000', 'resubmit', 'needs_supplement', 'submitted'],
			['520000', 'accept', 'submitted', 'accepted'],
			['520000', 'approve', 'accepted', 'approved'],
		]);
		assert.deepEqual(g.history.map((e) => e.role), ['applicant', 'applicant', 'clerk', 'applicant', 'applicant', 'clerk', 'reviewer']);
		assert.equal(g.history[6].comment, '准予转移');
		assert.equal(g.history[6].source_name, '贵州省');
		/* 广东 holds exactly 贵州's events, once each. */
		assert.equal(gd.count(`SELECT count(*) FROM fed_case_events WHERE fed_case_id = ${c.id} AND source = '520000'`),
			gz.count(`SELECT count(*) FROM case_events WHERE case_id = ${h.id}`));
		const list = await gd.as(CITIZEN, 'GET', '/api/v1/fed/cases');
		assert.equal(list.status, 200);
		const item = list.json.items.find((x) => x.id === c.id);
		assert.equal(item.state, 'approved');
		assert.equal(item.home.region_name, '贵州省');
		assert.equal(item.department.name, '贵州省人力资源和社会保障厅');
	});

	it('异地代收代办: 广东 window checks and forwards, 贵州 decides, 广东 hands over', async () => {
		const scans = [await upFile(gd, 'gd.rs.clerk', 'scan-hukou', '/api/v1/fed/files'), await upFile(gd, 'gd.rs.clerk', 'scan-id', '/api/v1/fed/files')];
		/* An applicant may not upload through the window's route. */
		/* uploads that lie about their type are refused, as at /files */
		const stored = countFiles(join(gd.dataDir, 'files'));
		const lie = await api(gd.url, 'POST', '/api/v1/fed/files', { token: await gd.token('gd.rs.clerk'), body: pdf('liar'), headers: { 'Content-Type': 'image/png' } });
		assert.equal(lie.status, 415, lie.text);
		assert.equal(lie.json.type, '/problems/type_mismatch');
		const html = await api(gd.url, 'POST', '/api/v1/fed/files', { token: await gd.token('gd.rs.clerk'), body: Buffer.from('<html><script>alert(1)</script></html>'), headers: { 'Content-Type': 'application/pdf' } });
		assert.equal(html.status, 415, html.text);
		assert.equal(countFiles(join(gd.dataDir, 'files')), stored);
		const generic = await api(gd.url, 'POST', '/api/v1/fed/files', { token: await gd.token('gd.rs.clerk'), body: pdf('generic'), headers: { 'Content-Type': 'application/octet-stream' } });
		assert.equal(generic.status, 201, generic.text);
		const bad = await api(gd.url, 'POST', '/api/v1/fed/files', { token: await gd.token(CITIZEN), body: pdf('x'), headers: { 'Content-Type': 'application/pdf' } });
		assert.equal(bad.status, 403);
		const r = await apply('gd.rs.clerk', {
			mode: 'proxy', home_region: '520000', item_code: GA, applicant_id_no: CITIZEN.toLowerCase(), applicant_name: '陈志强',
			applicant_phone: '13944000088', form: FORM,
			materials: [{ seq: 1, name: '居民户口簿', file: scans[0] }, { seq: 2, name: '身份证', file: scans[1] }],
		});
		assert.equal(r.status, 201, r.text);
		const c = r.json;
		assert.equal(c.state, 'received');
		assert.equal(c.mode, 'proxy');
		assert.deepEqual(c.can, { review: true, deliver: false, resubmit: false });
		/* Nothing goes to 贵州 before the review. */
		assert.equal(queued(c.number), 0);
		/* Another department's clerk does not see it; the applicant does. */
		assert.equal((await gd.as('gd.ga.clerk', 'GET', `/api/v1/fed/cases/${c.id}`)).status, 404);
		assert.equal((await gd.as('gd.ga.clerk', 'POST', `/api/v1/fed/cases/${c.id}/review`, { json: { decision: 'pass' } })).status, 404);
		const mine = await gd.as(CITIZEN, 'GET', '/api/v1/fed/cases?mode=proxy');
		assert.deepEqual(mine.json.items.map((x) => x.id), [c.id]);
		const window = await gd.as('gd.rs.clerk', 'GET', '/api/v1/fed/cases');
		assert.ok(window.json.items.some((x) => x.id === c.id));
		/* The window's scan can be read back through the application. */
		const scan = await api(gd.url, 'GET', `/api/v1/fed/cases/${c.id}/files/${scans[0]}`, { token: await gd.token('gd.rs.clerk') });
		assert.equal(scan.status, 200);
		assert.deepEqual(scan.bytes, pdf('scan-hukou'));
		/* An applicant cannot review. */
		assert.equal((await gd.as(CITIZEN, 'POST', `/api/v1/fed/cases/${c.id}/review`, { json: { decision: 'pass' } })).status, 403);

		const rv = await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${c.id}/review`, { json: { decision: 'pass', note: '身份证、户口簿原件已核验' } });
		assert.equal(rv.status, 200, rv.text);
		assert.equal(rv.json.state, 'forwarded');
		assert.equal(rv.json.review.decision, 'pass');
		assert.equal(rv.json.review.by, '受理员 罗丹');
		/* Reviewed once only. */
		assert.equal((await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${c.id}/review`, { json: { decision: 'pass' } })).status, 409);

		const [h] = await waitFor(() => homeCase(c.number).length && homeCase(c.number), { what: 'proxy case at 贵州' });
		assert.equal(h.channel, 'window');
		assert.equal(h.fed_mode, 'proxy');
		const checked = JSON.parse(h.fed_checked);
		assert.equal(checked.by, '受理员 罗丹');
		assert.equal(checked.note, '身份证、户口簿原件已核验');
		const page = await gz.as('gz.ga.clerk', 'GET', `/api/v1/cases/${h.id}`);
		assert.equal(page.json.cross.mode, 'proxy');
		assert.equal(page.json.cross.checked.note, '身份证、户口簿原件已核验');

		await act(gz, 'gz.ga.clerk', h.id, 'accept');
		await act(gz, 'gz.ga.clerk', h.id, 'approve');
		await waitFor(async () => (await fedGet('gd.rs.clerk', c.id)).state === 'approved', { what: 'approved at 广东' });
		const g = await fedGet('gd.rs.clerk', c.id);
		assert.equal(g.can.deliver, true);
		const d = await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${c.id}/deliver`, { json: { comment: '申请人本人到窗口领取' } });
		assert.equal(d.status, 200, d.text);
		assert.equal(d.json.state, 'delivered');
		await waitFor(() => homeCase(c.number)[0].state === 'delivered', { what: 'delivered at 贵州' });
		const ev = gz.sql(`SELECT actor_id, actor_role, action, from_state, to_state, comment, data FROM case_events WHERE case_id = ${h.id} ORDER BY id DESC LIMIT 1`)[0];
		assert.deepEqual(ev, {
			actor_id: null, actor_role: 'origin', action: 'deliver', from_state: 'approved', to_state: 'delivered',
			comment: '受理员 罗丹: 申请人本人到窗口领取', data: '{"delivery":"window"}',
		});
		const end = await waitFor(async () => {
			const x = await fedGet(CITIZEN, c.id);
			return x.history.length === 7 && x;
		}, { what: 'deliver event back at 广东' });
		assert.deepEqual(hist(end), [
			['440000', 'register', null, 'received'],
			['440000', 'review_pass', 'received', 'forwarded'],
			['520000', 'submit', null, 'submitted'],
			['520000', 'accept', 'submitted', 'accepted'],
			['520000', 'approve', 'accepted', 'approved'],
			['440000', 'deliver', 'approved', 'delivered'],
			['520000', 'deliver', 'approved', 'delivered'],
		]);
		assert.equal(end.state, 'delivered');

		/* Rejected in the formal review: ends at 广东. */
		const other = idNumber('19880101', 7);
		const r2 = await apply('gd.rs.clerk', { mode: 'proxy', home_region: '520000', item_code: GA, applicant_id_no: other, applicant_name: '王五', materials: [{ seq: 1, name: '居民户口簿', file: scans[0] }] });
		assert.equal(r2.status, 201, r2.text);
		const noNote = await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${r2.json.id}/review`, { json: { decision: 'reject' } });
		assert.equal(noNote.status, 400);
		assert.equal(noNote.json.errors[0].field, 'note');
		const rj = await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${r2.json.id}/review`, { json: { decision: 'reject', note: '身份证原件与本人不符' } });
		assert.equal(rj.status, 200);
		assert.equal(rj.json.state, 'not_accepted_here');
		await new Promise((res) => setTimeout(res, 600));
		assert.equal(homeCase(r2.json.number).length, 0);
		assert.equal(queued(r2.json.number), 0);
		/* Not this citizen's application. */
		assert.equal((await gd.as(CITIZEN, 'GET', `/api/v1/fed/cases/${r2.json.id}`)).status, 404);
	});

	it('多地联办: one application, a local step at 广东 and a step at 贵州', async () => {
		const hk = await upFile(gd, CITIZEN, 'hukou');
		const r = await apply(CITIZEN, {
			mode: 'joint', local_item_code: '440000-GA-XK-101', home_region: '520000', item_code: GA, form: FORM,
			local_materials: [{ seq: 1, name: '居民户口簿', file: hk }, { seq: 2, name: '身份证', file: files[0] }],
			materials: [{ seq: 1, name: '居民户口簿', file: hk }, { seq: 2, name: '身份证', file: files[0] }],
		});
		assert.equal(r.status, 201, r.text);
		const c = r.json;
		assert.equal(c.mode, 'joint');
		assert.equal(c.state, 'forwarded');
		assert.equal(c.local_case.state, 'submitted');
		assert.equal(c.local_case.department.name, '广东省公安厅');
		assert.equal(c.overall, 'in_progress');
		/* The local part is an ordinary case at 广东, marked. */
		const lc = await gd.as('gd.ga.clerk', 'GET', `/api/v1/cases/${c.local_case.id}`);
		assert.equal(lc.status, 200);
		assert.deepEqual(lc.json.cross, { mode: 'joint', part: 'local', ref: c.number, fed_case_id: c.id, home_region: '520000', home_name: '贵州省', home_name_en: 'Guizhou' });
		const mineLocal = await gd.as(CITIZEN, 'GET', '/api/v1/cases');
		assert.deepEqual(mineLocal.json.items.find((x) => x.id === c.local_case.id).cross, { mode: 'joint', part: 'local', ref: c.number });
		/* The officials of the local part may read the application. */
		assert.equal((await gd.as('gd.ga.clerk', 'GET', `/api/v1/fed/cases/${c.id}`)).status, 200);

		const [h] = await waitFor(() => homeCase(c.number).length && homeCase(c.number), { what: 'joint part at 贵州' });
		assert.equal(h.fed_mode, 'joint');
		await act(gd, 'gd.ga.clerk', c.local_case.id, 'accept');
		await act(gd, 'gd.ga.clerk', c.local_case.id, 'approve');
		let g = await fedGet(CITIZEN, c.id);
		assert.equal(g.local_case.state, 'approved');
		assert.equal(g.overall, 'in_progress');
		await act(gz, 'gz.ga.clerk', h.id, 'accept');
		await act(gz, 'gz.ga.clerk', h.id, 'approve');
		g = await waitFor(async () => {
			const x = await fedGet(CITIZEN, c.id);
			return x.state === 'approved' && x;
		}, { what: 'home part approved at 广东' });
		assert.equal(g.overall, 'completed');
		const list = await gd.as(CITIZEN, 'GET', '/api/v1/fed/cases?mode=joint');
		assert.deepEqual(list.json.items.map((x) => [x.id, x.overall, x.local_case.state]), [[c.id, 'completed', 'approved']]);
	});

	it('refusals: 贵州 refuses what it cannot take, 广东 refuses bad input', async () => {
		/* 贵州 answers at once that its item is not offered for joint handling. */
		const count = gd.count('SELECT count(*) FROM fed_cases');
		const a = await apply(CITIZEN, { mode: 'joint', local_item_code: '440000-GA-XK-101', home_region: '520000', item_code: '520000-SCJG-XK-101', form: FORM, local_materials: [{ seq: 1, name: '居民户口簿', file: files[0] }, { seq: 2, name: '身份证', file: files[1] }] });
		assert.equal(a.status, 422, a.text);
		assert.deepEqual([a.json.errors[0].field, a.json.errors[0].reason], ['item_code', 'mode_not_offered']);
		assert.equal(gd.count('SELECT count(*) FROM fed_cases'), count);
		/* An item 贵州 does not have: taken here, refused there, not_accepted here with the reason. */
		const b = await apply(CITIZEN, { mode: 'full_online', home_region: '520000', item_code: '520000-XX-999' });
		assert.equal(b.status, 201, b.text);
		assert.equal(b.json.item.name, '');
		for (const [x, reason] of [[b.json, 'no published item 520000-XX-999']]) {
			const g = await waitFor(async () => {
				const y = await fedGet(CITIZEN, x.id);
				return y.state === 'not_accepted' && y;
			}, { what: 'refusal at 广东' });
			assert.deepEqual(hist(g).slice(-1), [['520000', 'refuse', null, 'not_accepted']]);
			assert.ok(g.history.at(-1).comment.includes(reason), g.history.at(-1).comment);
			assert.equal(homeCase(x.number).length, 0);
		}
		/* 贵州's rules on the case itself (required materials): the attempt is
		 * rolled back whole, the new applicant's shadow account too. */
		const stranger = idNumber('19790505', 9);
		const p = await apply('gd.rs.clerk', { mode: 'proxy', home_region: '520000', item_code: RS, applicant_id_no: stranger, applicant_name: '赵六' });
		assert.equal(p.status, 201, p.text);
		assert.equal((await gd.as('gd.rs.clerk', 'POST', `/api/v1/fed/cases/${p.json.id}/review`, { json: { decision: 'pass', note: '无材料' } })).status, 200);
		const noMats = await apply(CITIZEN, { mode: 'full_online', home_region: '520000', item_code: RS, form: FORM });
		assert.equal(noMats.status, 201, noMats.text);
		for (const x of [p.json, noMats.json]) {
			const g = await waitFor(async () => {
				const y = await fedGet(x.mode === 'proxy' ? 'gd.rs.clerk' : CITIZEN, x.id);
				return y.state === 'not_accepted' && y;
			}, { what: 'refusal of missing materials' });
			assert.deepEqual(hist(g).slice(-1), [['520000', 'refuse', null, 'not_accepted']]);
			assert.equal(g.history.at(-1).comment, 'required materials missing: 身份证、参保缴费凭证');
			assert.equal(homeCase(x.number).length, 0);
		}
		assert.equal(gz.count(`SELECT count(*) FROM users WHERE id_number = '${gz.bi(stranger)}'`), 0);
		assert.equal(gz.count(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND data LIKE '%fed_origin%'`), 1);
		/* Refused at 广东 before anything is sent. */
		const check = async (who, body, status, field, reason) => {
			const r = await apply(who, body);
			assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
			if (field !== undefined) assert.equal(r.json.errors?.[0]?.field ?? r.json.field, field, r.text);
			if (reason) assert.equal(r.json.errors?.[0]?.reason ?? r.json.reason, reason, r.text);
		};
		const base = { mode: 'full_online', home_region: '520000', item_code: RS, form: FORM, materials: mats(...files) };
		const before = gd.count('SELECT count(*) FROM fed_cases');
		await check(CITIZEN, { ...base, home_region: '440000' }, 422, 'home_region', 'own_region');
		await check(CITIZEN, { ...base, home_region: '990000' }, 422, 'home_region', 'unknown_node');
		await check(CITIZEN, { ...base, home_region: '52000' }, 400, 'home_region');
		await check(CITIZEN, { ...base, mode: 'express' }, 400, 'mode', 'enum');
		await check(CITIZEN, { ...base, item_code: undefined }, 400, 'item_code', 'required');
		await check(CITIZEN, { ...base, materials: [{ seq: 1, name: '身份证', file: 'abc' }] }, 400, 'materials[0].file', 'format');
		await check(CITIZEN, { ...base, local_item_code: '440000-GA-XK-101' }, 400, 'local_item_code', 'not_allowed');
		await check(CITIZEN, { ...base, extra: 1 }, 400, 'extra');
		await check(CITIZEN, { ...base, materials: [{ seq: 1, name: '身份证', file: 'a'.repeat(64) }] }, 422, 'materials[0].file', 'unknown_file');
		await check(CITIZEN, { ...base, mode: 'joint' }, 400, 'local_item_code', 'required');
		await check(CITIZEN, { ...base, mode: 'joint', local_item_code: '440000-SCJG-XK-101' }, 422, 'local_item_code', 'mode_not_offered');
		await check(CITIZEN, { ...base, mode: 'proxy', applicant_id_no: CITIZEN, applicant_name: '陈志强' }, 403);
		await check('gd.rs.clerk', base, 403);
		const proxy = { mode: 'proxy', home_region: '520000', item_code: GA, applicant_name: '王五' };
		await check('gd.rs.clerk', { ...proxy, applicant_id_no: CITIZEN.slice(0, 17) + (CITIZEN[17] === '1' ? '2' : '1') }, 400, 'applicant_id_no');
		await check('gd.rs.clerk', { ...proxy }, 400, 'applicant_id_no', 'required');
		/* A clerk may not forward an applicant's files. */
		await check('gd.rs.clerk', { ...proxy, applicant_id_no: CITIZEN, materials: [{ seq: 1, name: '户口簿', file: files[0] }] }, 422, 'materials[0].file', 'unknown_file');
		assert.equal(gd.count('SELECT count(*) FROM fed_cases'), before);
		/* Reading: unknown id 404, bad filters 400, no anonymous access. */
		assert.equal((await gd.as(CITIZEN, 'GET', '/api/v1/fed/cases/999999')).status, 404);
		assert.equal((await gd.as(CITIZEN, 'GET', '/api/v1/fed/cases?state=x')).status, 400);
		assert.equal((await gd.call('GET', '/api/v1/fed/cases')).status, 401);
	});

	it('贵州 killed while applications arrive and while its officials act: nothing lost, nothing twice', async () => {
		await gz.stop('SIGKILL');
		/* 贵州 cannot be asked now: an application in a mode its item lacks is taken here ... */
		const late = await apply(CITIZEN, { mode: 'joint', local_item_code: '440000-GA-XK-101', home_region: '520000', item_code: '520000-SCJG-XK-101', form: FORM, local_materials: [{ seq: 1, name: '居民户口簿', file: files[0] }, { seq: 2, name: '身份证', file: files[1] }] });
		assert.equal(late.status, 201, late.text);
		assert.equal(late.json.state, 'forwarded');
		const ids = [];
		for (let i = 0; i < 20; i++) {
			const r = await apply(CITIZEN, { mode: 'full_online', home_region: '520000', item_code: RS, form: { ...FORM, purpose: `批量申请 ${i}` }, materials: mats(...files) });
			assert.equal(r.status, 201, r.text);
			assert.equal(r.json.state, 'forwarded');
			ids.push(r.json);
		}
		await gz.restart();
		/* ... and refused by 贵州 once it is back. */
		const refused = await waitFor(async () => {
			const y = await fedGet(CITIZEN, late.json.id);
			return y.state === 'not_accepted' && y;
		}, { timeout: 30000, what: 'refusal after restart' });
		assert.deepEqual(hist(refused).slice(-1), [['520000', 'refuse', null, 'not_accepted']]);
		assert.match(refused.history.at(-1).comment, /not offered for joint/);
		assert.equal(refused.overall, 'ended');
		assert.equal(homeCase(late.json.number).length, 0);
		const refs = ids.map((c) => `'${c.number}'`).join(',');
		await waitFor(() => gz.count(`SELECT count(*) FROM cases WHERE fed_ref IN (${refs})`) === 20, { timeout: 30000, what: '20 cases at 贵州' });
		const homeIds = () => gz.sql(`SELECT id, fed_ref FROM cases WHERE fed_ref IN (${refs}) ORDER BY id`);
		/* Officials act; 贵州 is killed half-way. */
		const hs = homeIds();
		for (const h of hs.slice(0, 10)) await act(gz, 'gz.rs.clerk', h.id, 'accept');
		await gz.restart({ crash: true });
		for (const h of hs.slice(10)) await act(gz, 'gz.rs.clerk', h.id, 'accept');
		/* 广东 killed while 贵州 decides and sends. */
		await gd.stop('SIGKILL');
		for (const h of hs) await act(gz, 'gz.rs.reviewer', h.id, 'approve');
		await gd.restart();
		const numbers = ids.map((c) => `'${c.number}'`).join(',');
		await waitFor(() => gd.count(`SELECT count(*) FROM fed_cases WHERE number IN (${numbers}) AND state = 'approved'`) === 20, { timeout: 30000, what: '20 approved at 广东' });
		await waitFor(() => gz.count("SELECT count(*) FROM fed_outbox WHERE status <> 'delivered'") === 0, { timeout: 30000, what: '贵州 outbox drained' });

		/* Exactly once at 贵州 ... */
		assert.deepEqual(gz.sql(`SELECT fed_ref, count(*) AS n FROM cases WHERE fed_origin = '440000' GROUP BY fed_ref HAVING count(*) <> 1`), []);
		assert.equal(gz.count(`SELECT count(*) FROM cases WHERE fed_ref IN (${refs})`), 20);
		/* ... and every event of 贵州 once at 广东: 3 per case (submit, accept, approve). */
		for (const c of ids) {
			const h = gz.sql(`SELECT id FROM cases WHERE fed_ref = '${c.number}'`)[0];
			assert.equal(gz.count(`SELECT count(*) FROM case_events WHERE case_id = ${h.id}`), 3);
			assert.deepEqual(
				gd.sql(`SELECT action, from_state AS "from", to_state AS "to" FROM fed_case_events WHERE fed_case_id = ${c.id} AND source = '520000' ORDER BY id`),
				[
					{ action: 'submit', from: null, to: 'submitted' },
					{ action: 'accept', from: 'submitted', to: 'accepted' },
					{ action: 'approve', from: 'accepted', to: 'approved' },
				],
			);
		}
		/* Each message applied once: as many seen ids as delivered messages, none failed. */
		assert.equal(gd.count("SELECT count(*) FROM fed_seen WHERE sender = '520000'"), gz.count("SELECT count(*) FROM fed_outbox WHERE recipient = '440000'"));
		assert.equal(gz.count("SELECT count(*) FROM fed_seen WHERE sender = '440000'"), gd.count("SELECT count(*) FROM fed_outbox WHERE recipient = '520000'"));
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE status = 'failed'"), 0);
		assert.equal(gz.count("SELECT count(*) FROM fed_outbox WHERE status = 'failed'"), 0);
	});
});
