/*
 * authz-matrix.test.mjs - the authorization matrix, generated from the route
 * table itself (`zhengtong routes`): every route x every kind of caller, the
 * expected allow or deny computed from the route's declared `who` and
 * `scope`, every answer checked.
 *
 * Test plan (ZT_NOW = Mon 2026-03-02 10:00, demo node):
 *   - Department X = 南明区市场监督管理局 (scjg), Y = 人社局 (rs). Callers:
 *     anonymous; citizen A (李秀英, owner of the fixtures), citizen B (张伟),
 *     an enterprise; for each official role (clerk, reviewer, dept_admin,
 *     data_officer, supervisor, sysadmin) an official of X and one of Y (the
 *     sysadmins are created here); X's department system (an API key); and
 *     the oversight office's supervisor (zw.supervisor).
 *   - Fixtures, all of X: a case of A (with A's file), A's e-license, a
 *     service item, a resource, a conditional resource with a pending share
 *     request (from 民政局), a grant X provides and one X consumes, a dataset,
 *     a supervision item, an API key, A's developer key, and a cross-region
 *     application registered for A at X's window (异地代收代办; the node gets a
 *     federation identity and a fake, unreachable home node 贵州).
 *   - Every route of `zhengtong routes` must have a request below (REQ):
 *     a route added without one fails the test. For each route, the callers
 *     expected to be refused go first (so that an allowed state change does
 *     not hide a refusal), then the allowed ones.
 *   - Expected, from the declared policy: a caller outside `who` gets exactly
 *     401 (anonymous) or 403; inside `who`, scope any: allowed; self: the
 *     fixture's owner A only; owner: A and officials of X; dept: officials
 *     (and the system) of X; dept_sysadmin: the same plus every sysadmin;
 *     signed (node-to-node): a call with a forged envelope (the registered
 *     peer's sender and key id, the body's digest, a made-up signature) is
 *     refused 401 bad_signature whoever sends it, session token or not.
 *   - Observed: refused = 401 / 403, or 404 on object routes (existence
 *     hidden); allowed = anything else below 500 (400 and 409 mean the
 *     request got past authorization), and not 404 when the object exists.
 *     A 5xx anywhere fails.
 *   - EXCEPTIONS lists the few routes whose policy depends on more than
 *     who/scope, each with its reason.
 *   - Lists: a caller refused an object (by its own route's policy) must not
 *     find it in the corresponding list (cases, cross-region cases,
 *     licenses, grants, share requests, API keys, developer keys,
 *     supervision items).
 *   - The failures are reported all at once, one line per wrong cell.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { agrees, expectedOf, mayCall, routesFromBinary, SCOPES } from './lib/authz.mjs';
import { api, login, pdf, sm3hex, startNode, upload, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const A_LOGIN = '520101198511200048'; /* 李秀英, holder of the demo license of X */
const B_LOGIN = '520102199003071236'; /* 张伟 */
const ENT_LOGIN = '91520102214567897B';

const ROLES = ['clerk', 'reviewer', 'dept_admin', 'data_officer', 'supervisor', 'sysadmin'];
const DEMO_LOGIN = { clerk: 'clerk', reviewer: 'reviewer', dept_admin: 'admin', data_officer: 'data', supervisor: 'supervisor' };

/* Routes whose policy depends on more than who and scope: the expected
 * answer per caller, with the reason. `who` still decides first. */
const EXCEPTIONS = {
	/* The fixture is a proxy application (异地代收代办, registered at X's
	 * window): the window's clerk resubmits it, not the applicant (403
	 * wrong_role); A may still read it (fed_cases.get). */
	'fed_cases.resubmit': (p) => p.dept === 'X',
};

/* Routes whose objects only another node can create (cross-node share
 * requests, subscriptions, incoming requests; a peer's service item): checked
 * here against a missing object, so only the `who` part of the policy; the
 * whole policy of each, every caller against a real object, is checked with
 * real nodes by fed-share.test.mjs ("holds every cross-node object to its
 * route's declared policy"); fed.services.get is scope any (a peer's public
 * item, read in fed-catalog.test.mjs). */
const NO_FIXTURE = new Set([
	'fed_share.requests.get',
	'fed_share.subscriptions.get',
	'fed_share.subscriptions.rows',
	'fed_share.incoming.get',
	'fed_share.incoming.approve',
	'fed_share.incoming.refuse',
	'fed_share.incoming.revoke',
	'fed.services.get',
]);

/* A full service item (PUT replaces the whole item). */
const ITEM_BODY = {
	code: '520102-SCJG-QT-003', name: '授权矩阵测试事项', type: 'QT', target: 'citizen',
	legal_days: 20, promised_days: 4, depth: 5, max_visits: 0, fee: '不收费',
	conditions: '测试。', legal_basis: '《测试条例》第一条。', process: ['网上申请', '受理'],
	place: '南明区政务服务中心', office_hours: '工作日 9:00-17:00', consult: '0851-12345',
	complaint: '12345 热线', channels: ['web'], cross_modes: [],
	materials: [{ name: '申请表', form: 'original' }],
};

describe('authorization matrix', () => {
	let node, routes;
	const P = []; /* principals */
	const F = {}; /* fixtures */

	before(async () => {
		routes = routesFromBinary();
		node = await startNode({ now: T0 });
		/* A federation identity and a (fake, unreachable) home node 贵州 for
		 * the cross-region application registered at the window below. */
		let nc = node.cli(['node', 'init', '--region', '520102', '--name', '南明区']);
		assert.equal(nc.code, 0, nc.stderr);
		const pem = join(node.dataDir, 'peer.pem');
		writeFileSync(pem, generateKeyPairSync('ec', { namedCurve: 'SM2' }).publicKey.export({ type: 'spki', format: 'pem' }));
		nc = node.cli(['node', 'add', '--region', '520000', '--name', '贵州省', '--url', 'http://127.0.0.1:9', '--key', pem]);
		assert.equal(nc.code, 0, nc.stderr);
		F.peerKeyId = /key_id ([0-9a-f]{16})/.exec(nc.stdout)[1];
		await node.restart();
		const url = node.url;
		const admin = await login(url, 'admin');
		const call = (method, path, token, json) => api(url, method, path, { token, json });
		const ok = (r, status = 200) => {
			assert.equal(r.status, status, r.text);
			return r.json;
		};
		const dept = Object.fromEntries(ok(await call('GET', '/api/v1/departments')).items.map((d) => [d.name, d]));
		const X = dept['南明区市场监督管理局'], Y = dept['南明区人力资源和社会保障局'];
		assert.ok(X && Y);
		F.X = X.id;
		/* The sysadmins of X and Y. */
		for (const [d, tag] of [[X, 'scjg'], [Y, 'rs']])
			ok(await call('POST', '/api/v1/officials', admin, {
				login: `${tag}.sysadmin`, name: `系统管理员 ${tag}`, password: DEMO_PASSWORD,
				dept_id: d.id, roles: ['sysadmin'],
			}), 201);

		const add = async (name, kind, loginName, extra = {}) => {
			const token = await login(url, loginName);
			const spare = await login(url, loginName); /* for logout */
			P.push({ name, kind, token, spare, ...extra });
		};
		P.push({ name: 'anonymous', kind: 'anonymous', token: null, spare: null });
		await add('citizen A', 'citizen', A_LOGIN, { isOwner: true });
		await add('citizen B', 'citizen', B_LOGIN);
		await add('enterprise', 'enterprise', ENT_LOGIN);
		for (const role of ROLES)
			for (const [tag, d] of [['scjg', 'X'], ['rs', 'Y']])
				await add(`${role} of ${d}`, role, role === 'sysadmin' ? `${tag}.sysadmin` : `${tag}.${DEMO_LOGIN[role]}`, { dept: d });
		await add('oversight supervisor', 'supervisor', 'zw.supervisor', { dept: 'Z', oversight: true });
		const tok = (n) => P.find((p) => p.name === n).token;
		const A = tok('citizen A'), dataX = tok('data_officer of X');

		/* X's department system, and a second key to be revoked. */
		const k1 = ok(await call('POST', '/api/v1/api-keys', dataX, { name: 'matrix system' }), 201);
		const k2 = ok(await call('POST', '/api/v1/api-keys', dataX, { name: 'matrix revoke' }), 201);
		P.push({ name: 'system of X', kind: 'system', token: k1.key, spare: null, dept: 'X' });
		F.apiKey = k2.id;
		/* A's developer key. */
		F.devKey = ok(await call('POST', '/api/v1/me/api-keys', A, { name: 'matrix' }), 201).id;

		/* A's case of X with A's file. */
		const itemId = (code) => node.sql(`SELECT id FROM service_items WHERE code = '${code}'`)[0].id;
		F.item = itemId('520102-SCJG-XK-001');
		F.item2 = itemId('520102-SCJG-QT-003'); /* published and unpublished by the matrix */
		const f = ok(await upload(url, A, pdf('matrix A')), 201);
		F.file = f.id;
		const c = ok(await call('POST', '/api/v1/cases', A, {
			item_code: '520102-SCJG-XK-001',
			materials: ['经营者身份证明', '经营场所使用证明', '个体工商户登记申请书'].map((name, i) => ({ seq: i + 1, name, file: f.id })),
		}), 201);
		F.case = c.id;
		/* 异地代收代办: X's clerk registers A at the window for 贵州's item. */
		const clerkX = tok('clerk of X');
		const ff = ok(await api(url, 'POST', '/api/v1/fed/files', { token: clerkX, body: pdf('matrix fed'), headers: { 'Content-Type': 'application/pdf' } }), 201);
		F.fedFile = ff.id;
		F.fedCase = ok(await call('POST', '/api/v1/fed/cases', clerkX, {
			mode: 'proxy', home_region: '520000', item_code: '520000-GA-XK-101',
			applicant_id_no: A_LOGIN, applicant_name: '李秀英', materials: [{ seq: 1, name: '身份证', file: ff.id }],
		}), 201).id;
		/* A's e-license, issued by X (demo). */
		F.license = node.sql(`SELECT identifier FROM licenses WHERE holder_id = '${node.bi(A_LOGIN)}'`)[0].identifier;
		/* A supervision item of X (the demo complaint). */
		F.supervision = node.sql(`SELECT id FROM supervision_items WHERE dept_id = ${X.id} AND status = 'open'`)[0].id;
		/* Resources: X's open resource (demo) and a conditional one with a
		 * pending request from 民政局; a grant X provides; a grant X consumes
		 * (of a 民政局 resource). */
		const mz = await login(url, 'mz.data');
		const res = ok(await call('GET', '/api/v1/resources/4', dataX));
		assert.equal(res.department.id ?? X.id, X.id);
		F.resource = res.id;
		F.resourceCode = res.code;
		F.resourceFields = res.fields.map((x) => x.name);
		const field = (name) => ({ name, label: name, type: 'string', sensitivity: 'public' });
		const resBody = (code, share) => ({
			code, name: `矩阵 ${code}`, summary: '授权矩阵测试资源',
			fields: [field('k'), field('v')], key_field: 'k',
			share_type: share, share_method: 'api', open_type: 'closed', update_cycle: 'daily',
			...(share === 'conditional' ? { share_conditions: '仅限测试' } : {}),
			legal_basis: '《测试条例》第一条',
		});
		F.condBody = resBody('520102-SCJG-901', 'conditional');
		const cond = ok(await call('POST', '/api/v1/resources', dataX, F.condBody), 201);
		F.condResource = cond.id;
		const reqBody = (code, fields) => ({
			resource: code, fields, purpose: '授权矩阵测试', legal_basis: '《测试条例》第一条', valid_to: '2027-12-31',
		});
		F.shareRequest = ok(await call('POST', '/api/v1/share-requests', mz, reqBody(cond.code, ['k', 'v'])), 201).id;
		const g1 = ok(await call('POST', '/api/v1/share-requests', mz, reqBody(res.code, F.resourceFields.slice(0, 2))), 201);
		F.grantProvided = g1.grant_id ?? g1.grant?.id;
		const mzRes = ok(await call('POST', '/api/v1/resources', mz, resBody('520102-MZ-901', 'unconditional')), 201);
		ok(await call('PUT', `/api/v1/resources/${mzRes.id}/rows`, mz, { rows: [{ k: 'a1', v: 'x' }] }));
		const g2 = ok(await call('POST', '/api/v1/share-requests', dataX, reqBody(mzRes.code, ['k', 'v'])), 201);
		F.grantConsumed = g2.grant_id ?? g2.grant?.id;
		assert.ok(F.grantProvided && F.grantConsumed, JSON.stringify([g1, g2]));
		/* X's dataset (demo). */
		[F.dataset, F.dataset2] = node.sql(`SELECT id FROM datasets WHERE dept_id = ${X.id} ORDER BY id`).map((d) => d.id);
		assert.ok(F.dataset2, 'the demo has two datasets of X');
		F.complaint = node.sql('SELECT no FROM complaints LIMIT 1')[0].no;
	});

	after(async () => {
		await node?.stop();
	});

	/* The request each route gets: path (params filled with fixtures) and
	 * body. Every route must be here. */
	const REQ = {
		healthz: () => ({}),
		metrics: () => ({}),
		'auth.register': () => ({ body: {} }),
		'auth.login': () => ({ body: {} }),
		'auth.logout': () => ({ body: {}, spare: true }),
		me: () => ({}),
		'officials.list': () => ({}),
		'officials.add': (p) => ({
			body: { login: `m.${P.indexOf(p)}`, name: '矩阵', password: DEMO_PASSWORD, dept_id: F.X, roles: ['clerk'] },
		}),
		'regions.list': () => ({}),
		'departments.list': () => ({}),
		'departments.add': () => ({ body: {} }),
		calendar: () => ({}),
		'services.search': () => ({}),
		'services.create': () => ({ body: {} }),
		'services.get': () => ({ path: { id: F.item } }),
		'services.update': () => ({ path: { id: F.item2 }, body: ITEM_BODY }),
		'services.publish': () => ({ path: { id: F.item2 }, body: {} }),
		'services.unpublish': () => ({ path: { id: F.item2 }, body: { reason: '矩阵测试' } }),
		'dept.services': () => ({}),
		'files.upload': () => ({ file: pdf('matrix upload'), type: 'application/pdf' }),
		'files.get': () => ({ path: { hash: F.file } }),
		'cases.submit': () => ({ body: {} }),
		'cases.list': () => ({}),
		'cases.get': () => ({ path: { id: F.case } }),
		'cases.accept': () => ({ path: { id: F.case }, body: {} }),
		'cases.not_accept': () => ({ path: { id: F.case }, body: { reason: '矩阵' } }),
		'cases.supplement': () => ({ path: { id: F.case }, body: { missing: ['经营场所使用证明'] } }),
		'cases.resubmit': () => ({ path: { id: F.case }, body: { form: { note: '矩阵' } } }),
		'cases.approve': () => ({ path: { id: F.case }, body: {} }),
		'cases.deny': () => ({ path: { id: F.case }, body: { reason: '矩阵' } }),
		'cases.deliver': () => ({ path: { id: F.case }, body: {} }),
		'cases.visit': () => ({ path: { id: F.case }, body: { purpose: '矩阵测试' } }),
		'cases.rate': () => ({ path: { id: F.case }, body: { stars: 5 } }),
		'supervision.list': () => ({}),
		'supervision.close': () => ({ path: { id: F.supervision }, body: { outcome: '矩阵测试' } }),
		'sla.sweep': () => ({ body: {} }),
		'audit.verify': () => ({}),
		static: () => ({ path: { path: 'index.html' } }),
		'dcat.catalog': () => ({}),
		'datasets.quality': () => ({ path: { id: F.dataset } }),
		'devkeys.limit': () => ({}),
		'devkeys.create': () => ({ body: {} }),
		'devkeys.list': () => ({}),
		'devkeys.revoke': () => ({ path: { id: F.devKey }, body: {} }),
		'evaluation.ranking': () => ({}),
		'evaluation.region': () => ({ path: { code: '520102' } }),
		'evaluation.analysis': () => ({}),
		'evaluation.indicators': () => ({}),
		'evaluation.trend': () => ({}),
		'fed.inbox': () => ({ body: { type: 'fed.ping', payload: {} } }),
		'fed.registry': () => ({}),
		'fed.nodes': () => ({}),
		'fed.status': () => ({}),
		'fed_cases.create': () => ({ body: {} }),
		'fed_cases.list': () => ({}),
		'fed_cases.get': () => ({ path: { id: F.fedCase } }),
		'fed_cases.review': () => ({ path: { id: F.fedCase }, body: { decision: 'pass', note: '矩阵测试' } }),
		'fed_cases.resubmit': () => ({ path: { id: F.fedCase }, body: { form: { note: '矩阵' } } }),
		'fed_cases.deliver': () => ({ path: { id: F.fedCase }, body: {} }),
		'fed_cases.file': () => ({ path: { id: F.fedCase, hash: F.fedFile } }),
		'fed_files.upload': () => ({ file: pdf('matrix fed upload'), type: 'application/pdf' }),
		'fed.catalog.feed': () => ({ body: {} }),
		'fed.catalog.query': () => ({ body: {} }),
		'fed.catalog.item': () => ({ body: {} }),
		'fed.catalog.search': () => ({}),
		'fed.services.get': () => ({ path: { region: '520102', code: '520102-SCJG-XK-001' } }),
		'fed_share.requests.create': () => ({ body: {} }),
		'fed_share.requests.list': () => ({}),
		'fed_share.requests.get': () => ({ path: { id: 999999 } }),
		'fed_share.resource': () => ({}),
		'fed_share.exchange': () => ({ body: {} }),
		'fed_share.access': () => ({}),
		'fed_share.subscriptions.create': () => ({ body: {} }),
		'fed_share.subscriptions.list': () => ({}),
		'fed_share.subscriptions.get': () => ({ path: { id: 999999 } }),
		'fed_share.subscriptions.rows': () => ({ path: { id: 999999 } }),
		'fed_share.incoming.list': () => ({}),
		'fed_share.incoming.get': () => ({ path: { id: 999999 } }),
		'fed_share.incoming.approve': () => ({ path: { id: 999999 }, body: {} }),
		'fed_share.incoming.refuse': () => ({ path: { id: 999999 }, body: {} }),
		'fed_share.incoming.revoke': () => ({ path: { id: 999999 }, body: {} }),
		'fed_share.serve.resource': () => ({ body: {} }),
		'fed_share.serve.fetch': () => ({ body: {} }),
		'fed_share.serve.feed': () => ({ body: {} }),
		'license_types.list': () => ({}),
		'license_types.create': () => ({ body: {} }),
		'licenses.list': () => ({}),
		'licenses.verify': () => ({ body: {} }),
		'licenses.get': () => ({ path: { identifier: F.license } }),
		'licenses.revoke': () => ({ path: { identifier: F.license }, body: { reason: '矩阵测试' } }),
		'services.prefill': () => ({ path: { id: F.item } }),
		'datasets.search': () => ({}),
		'datasets.publish': (p) => ({
			body: {
				resource: F.resourceCode, code: `MATRIX-DS-${P.indexOf(p)}`, title: '矩阵数据集', description: '授权矩阵测试用的开放数据集',
				keywords: ['测试'], theme: '市场监管', license: 'CC-BY-4.0', update_frequency: 'daily',
				spatial: ['520102'], contact: '测试', fields: F.resourceFields.slice(0, 2),
			},
		}),
		'datasets.get': () => ({ path: { id: F.dataset } }),
		'datasets.republish': () => ({ path: { id: F.dataset }, body: {} }),
		'datasets.withdraw': () => ({ path: { id: F.dataset2 }, body: { reason: '矩阵测试' } }),
		'datasets.rows': () => ({ path: { id: F.dataset } }),
		'datasets.chart': () => ({ path: { id: F.dataset } }),
		'datasets.download': () => ({ path: { id: F.dataset } }),
		'resources.search': () => ({}),
		'resources.create': () => ({ body: {} }),
		'resources.get': () => ({ path: { id: F.resource } }),
		'resources.update': () => ({ path: { id: F.condResource }, body: F.condBody }),
		'resources.rows': () => ({ path: { id: F.condResource }, body: { rows: [{ k: 'r1', v: 'x' }] } }),
		'resources.import': () => ({ path: { id: F.condResource }, file: Buffer.from('x\n'), type: 'text/csv' }),
		'share_requests.create': () => ({ body: {} }),
		'share_requests.list': () => ({}),
		'share_requests.get': () => ({ path: { id: F.shareRequest } }),
		'share_requests.approve': () => ({ path: { id: F.shareRequest }, body: {} }),
		'share_requests.refuse': () => ({ path: { id: F.shareRequest }, body: { reason: '矩阵测试' } }),
		'grants.list': () => ({}),
		'grants.get': () => ({ path: { id: F.grantConsumed } }),
		'grants.revoke': () => ({ path: { id: F.grantProvided }, body: { reason: '矩阵测试' } }),
		'api_keys.create': () => ({ body: {} }),
		'api_keys.list': () => ({}),
		'api_keys.revoke': () => ({ path: { id: F.apiKey }, body: {} }),
		'exchange.row': () => ({ path: { grant: F.grantConsumed, key: 'a1' } }),
		'exchange.rows': () => ({ path: { grant: F.grantConsumed }, query: '?k=a1' }),
		'me.data_access': () => ({}),
		'access_records.list': () => ({}),
		'complaints.submit': () => ({ body: {} }),
		'complaints.public': () => ({}),
		'complaints.get': () => ({ path: { no: F.complaint } }),
		'supervision.summary': () => ({}),
		quality: () => ({}),
	};

	/* Lists: a caller who may not see an object must not find it in a list
	 * either. list route -> [the object's own route, is it in the answer?] */
	const ids = (j) => (j?.items ?? []).map((i) => i.id);
	const LEAKS = {
		'cases.list': ['cases.get', (j) => ids(j).includes(F.case)],
		'fed_cases.list': ['fed_cases.get', (j) => ids(j).includes(F.fedCase)],
		'licenses.list': ['licenses.get', (j) => JSON.stringify(j).includes(F.license)],
		'grants.list': ['grants.get', (j) => ids(j).includes(F.grantConsumed)],
		'share_requests.list': ['share_requests.get', (j) => ids(j).includes(F.shareRequest)],
		'api_keys.list': ['api_keys.revoke', (j) => ids(j).includes(F.apiKey)],
		'devkeys.list': ['devkeys.revoke', (j) => ids(j).includes(F.devKey)],
		'supervision.list': ['supervision.close', (j) => ids(j).includes(F.supervision)],
	};

	/* Expected: 'allow', 'deny-who' (401/403 by the guard), 'deny' (by
	 * scope); the fixtures are X's and A's (lib/authz.mjs). */
	function expected(route, p) {
		if (!mayCall(route, p)) return 'deny-who';
		if (EXCEPTIONS[route.name]) return EXCEPTIONS[route.name](p) ? 'allow' : 'deny';
		if (NO_FIXTURE.has(route.name)) return 'allow';
		return expectedOf(route, p, 'X');
	}

	function fill(route, params = {}) {
		return route.path.replace(/\{\*?([a-z]+)\}/g, (_, k) => {
			assert.ok(params[k] !== undefined, `route ${route.name}: no value for {${k}}`);
			return encodeURIComponent(String(params[k]));
		});
	}

	async function send(route, p, spec) {
		const token = spec.spare && p.spare ? p.spare : p.token;
		const path = fill(route, spec.path) + (spec.query ?? '');
		if (route.scope === 'signed') {
			/* A well-formed envelope from the registered peer 贵州 with its key
			 * id and the body's digest, but a signature nobody made. */
			const body = JSON.stringify(spec.body ?? {});
			const headers = {
				'Content-Type': 'application/json',
				'X-ZT-Sender': '520000',
				'X-ZT-Message-Id': randomBytes(16).toString('hex'),
				'X-ZT-Timestamp': String(Date.parse(T0) / 1000),
				'X-ZT-Digest': sm3hex(Buffer.from(body)),
				'X-ZT-Key-Id': F.peerKeyId,
				'X-ZT-Signature': randomBytes(71).toString('base64url'),
				...(token ? { Authorization: `Bearer ${token}` } : {}),
			};
			return api(node.url, route.method, path, { body, headers });
		}
		if (spec.file)
			return api(node.url, route.method, path, { token, body: spec.file, headers: { 'Content-Type': spec.type } });
		return api(node.url, route.method, path, { token, json: route.method === 'GET' ? undefined : spec.body ?? {} });
	}

	it('lists every route with a declared policy', () => {
		for (const [list, [obj]] of Object.entries(LEAKS))
			assert.ok(routes.some((r) => r.name === list) && routes.some((r) => r.name === obj), list);
		assert.ok(routes.length > 100, `only ${routes.length} routes`);
		for (const r of routes) {
			assert.ok(r.who.length > 0, `${r.name}: empty who`);
			assert.ok(SCOPES.includes(r.scope), `${r.name}: scope ${r.scope}`);
		}
		const missing = routes.filter((r) => !REQ[r.name]).map((r) => r.name);
		assert.deepEqual(missing, [], 'routes without a request in the matrix (add one to REQ)');
		const stale = Object.keys(REQ).filter((n) => !routes.some((r) => r.name === n));
		assert.deepEqual(stale, [], 'REQ names routes that no longer exist');
	});

	it('allows and refuses every route for every caller as declared', async () => {
		const failures = [];
		let cells = 0;
		for (const route of routes) {
			if (!REQ[route.name]) continue;
			const order = [...P].sort((a, b) => (expected(route, a) === 'allow') - (expected(route, b) === 'allow'));
			for (const p of order) {
				const want = expected(route, p);
				const spec = REQ[route.name](p);
				const r = await send(route, p, spec);
				cells++;
				const hasObject = route.path.includes('{') && !NO_FIXTURE.has(route.name) && route.name !== 'static';
				const ok = agrees(route, p, want, r, hasObject);
				const leak = LEAKS[route.name];
				if (ok && leak && r.status === 200 && expected(routes.find((x) => x.name === leak[0]), p) !== 'allow' && leak[1](r.json))
					failures.push(`${route.method} ${route.path} (${route.name}) as ${p.name}: lists an object that ${leak[0]} refuses`);
				if (!ok)
					failures.push(`${route.method} ${route.path} (${route.name}, ${route.scope}) as ${p.name}: want ${want}, got ${r.status} ${r.text.slice(0, 160)}`);
			}
		}
		assert.deepEqual(failures, [], `${failures.length} of ${cells} cells wrong`);
	});
});
