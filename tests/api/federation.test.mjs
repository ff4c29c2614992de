/*
 * federation.test.mjs - the federation's plumbing between real node
 * processes on loopback (docs/federation.md): the hub's signed registry,
 * signed envelopes refused when tampered, unsigned, replayed, stale or from
 * an unknown or retired node, and the durable outbox delivering every
 * message exactly once while receiver or sender are killed.
 *
 * Nodes: the hub 000000, 贵州 520000 and 广东 440000 (no demo data: fed.ping
 * messages are enough here), each with its own data directory and database
 * (PostgreSQL too with ZT_TEST_PG). A fake peer (an HTTP server in this
 * process, registered at 广东 as region 450000) captures genuine signed
 * messages of 广东 to replay and tamper with against 贵州.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { addPeer, must, REGIONS, startFedNode, waitFor } from './lib/fed.mjs';
import { api, login } from './lib/node.mjs';

const pings = (node, from) =>
	Number(node.sql(`SELECT value FROM node_meta WHERE key = 'fed_pings_${from}'`)[0]?.value ?? 0);
const outbox = (node, status) =>
	node.count(`SELECT count(*) FROM fed_outbox WHERE status = '${status}'`);

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

/* An HTTP server that records requests and answers with handler(req, body). */
function fakePeer(handler) {
	const seen = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			seen.push({ method: req.method, path: req.url, headers: req.headers, body });
			const out = await handler(req, body);
			res.writeHead(out.status, { 'Content-Type': 'application/json' });
			res.end(out.body);
		});
	});
	return new Promise((res) =>
		server.listen(0, '127.0.0.1', () => res({ server, seen, url: `http://127.0.0.1:${server.address().port}` })),
	);
}

const ENVELOPE = ['x-zt-sender', 'x-zt-message-id', 'x-zt-timestamp', 'x-zt-digest', 'x-zt-key-id', 'x-zt-signature'];

/* POSTs a captured message (its envelope headers and body) to node's inbox. */
function replay(node, msg, { headers = {}, body = msg.body, drop = [] } = {}) {
	const h = { 'Content-Type': 'application/json' };
	for (const k of ENVELOPE) if (!drop.includes(k)) h[k] = msg.headers[k];
	return api(node.url, 'POST', '/api/v1/fed/inbox', { body, headers: { ...h, ...headers } });
}

const errorOf = (r) => r.json?.errors?.[0] ?? {};

describe('federation plumbing', () => {
	let hub, gz, gd, fake;

	before(async () => {
		hub = await startFedNode({ ...REGIONS.hub });
		gz = await startFedNode({ ...REGIONS.gz, prefix: null });
		gd = await startFedNode({ ...REGIONS.gd, prefix: null });
		for (const n of [gz, gd]) addPeer(hub, n);
		for (const n of [gz, gd]) {
			addPeer(n, hub);
			must(n.cli(['node', 'sync']), 'node sync');
		}
		/* The fake peer 450000 accepts everything (and keeps it). */
		fake = await fakePeer(() => ({ status: 200, body: '{"status":"applied"}' }));
		const key = freshKey(gd.dataDir, 'fake');
		must(gd.cli(['node', 'add', '--region', '450000', '--name', '广西测试节点', '--url', fake.url, '--key', key]), 'node add fake');
	});

	after(async () => {
		fake?.server.close();
		for (const n of [hub, gz, gd]) await n?.stop();
	});

	it('the hub signs the registry and every node learns the others from it', async () => {
		const r = await hub.call('GET', '/api/v1/fed/registry');
		assert.equal(r.status, 200);
		const payload = JSON.parse(r.json.payload);
		assert.equal(payload.format, 'zt-registry-1');
		assert.equal(payload.hub, '000000');
		assert.deepEqual(payload.nodes.map((n) => [n.region, n.parent_region, n.status]), [
			['000000', null, 'active'],
			['440000', '000000', 'active'],
			['520000', '000000', 'active'],
		]);
		assert.ok(payload.expires_at > payload.issued_at);
		/* node init --parent URL: an address that answers nothing is named. */
		const bad = gz.cli(['node', 'init', '--region', '520000', '--name', REGIONS.gz.name, '--url', gz.url, '--parent', 'http://127.0.0.1:9']);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /^node init: parent: http:\/\/127\.0\.0\.1:9\/api\/v1\/fed\/nodes: /);
		/* Only the hub serves it. */
		const notHub = await gz.call('GET', '/api/v1/fed/registry');
		assert.equal(notHub.status, 404);
		assert.equal(notHub.json.type, '/problems/not_hub');
		/* 贵州 knows 广东 from the registry, the hub as its anchor. */
		assert.deepEqual(gz.sql('SELECT region_code, source, status FROM fed_nodes ORDER BY region_code'), [
			{ region_code: '000000', source: 'local', status: 'active' },
			{ region_code: '440000', source: 'registry', status: 'active' },
			{ region_code: '520000', source: 'local', status: 'active' },
		]);
		const nodes = await gd.call('GET', '/api/v1/fed/nodes');
		assert.equal(nodes.status, 200);
		assert.equal(nodes.json.self.region, '440000');
		assert.equal(nodes.json.expired, false);
		assert.deepEqual(nodes.json.nodes.map((n) => n.region), ['000000', '440000', '450000', '520000']);
	});

	it('a registry that is tampered with, signed by another key or older is refused and changes nothing', async () => {
		const real = (await hub.call('GET', '/api/v1/fed/registry')).json;
		let serve = { hello: 'world' }; /* nothing to apply until asked */
		const mirror = await fakePeer(() => ({ status: 200, body: JSON.stringify(serve) }));
		try {
			/* A node whose hub address is the mirror (the hub's real key). */
			const x = await startFedNode({ region: '330000', name: '浙江省政务服务节点', parent: '000000' });
			must(x.cli(['node', 'add', '--region', '000000', '--name', '国家政务服务平台', '--url', mirror.url, '--key', hub.keyFile]), 'add mirror');
			const before = x.sql('SELECT region_code, url, source FROM fed_nodes ORDER BY region_code');
			/* The payload changed after signing: 广东's address replaced. */
			const p = JSON.parse(real.payload);
			p.nodes.find((n) => n.region === '440000').url = 'http://127.0.0.1:9';
			serve = { ...real, payload: JSON.stringify(p) };
			let r = await x.cliAsync(['node', 'sync']);
			assert.equal(r.code, 1);
			assert.match(r.stderr, /does not verify with the hub's key \(bad_signature\)/);
			/* Signed with a key that is not the hub's. */
			serve = { ...real, key_id: '0123456789abcdef' };
			r = await x.cliAsync(['node', 'sync']);
			assert.equal(r.code, 1);
			assert.match(r.stderr, /signed with key 0123456789abcdef, not the hub's registered key .* \(unknown_key\)/);
			/* Not a registry at all. */
			serve = { hello: 'world' };
			r = await x.cliAsync(['node', 'sync']);
			assert.equal(r.code, 1);
			assert.match(r.stderr, /\(malformed\)/);
			assert.deepEqual(x.sql('SELECT region_code, url, source FROM fed_nodes ORDER BY region_code'), before);
			/* The genuine one is accepted; then an older genuine one is a rollback. */
			await new Promise((res) => setTimeout(res, 1100));
			const newer = (await hub.call('GET', '/api/v1/fed/registry')).json;
			serve = newer;
			must(await x.cliAsync(['node', 'sync']), 'sync genuine');
			serve = real;
			r = await x.cliAsync(['node', 'sync']);
			assert.equal(r.code, 1);
			assert.match(r.stderr, /older than the one cached here \(rollback\)/);
			assert.equal(x.count("SELECT count(*) FROM fed_nodes WHERE source = 'registry'"), 2);
			await x.stop();
		} finally {
			mirror.server.close();
		}
	});

	it('pings are delivered once each, and the operator sees the outbox', async () => {
		const r = must(gd.cli(['node', 'ping', '--to', '520000', '--count', '3']), 'ping');
		assert.equal(r.stdout, '3 ping(s) to 520000 queued; the outbox delivers them\n');
		await waitFor(() => pings(gz, '440000') === 3, { what: '3 pings at 贵州' });
		await waitFor(() => outbox(gd, 'pending') === 0, { what: 'outbox drained' });
		const out = must(gd.cli(['node', 'outbox', '--status', 'delivered']), 'outbox').stdout;
		assert.match(out, /^pending 0, delivered 3, failed 0\n/);
		assert.equal(out.split('\n').filter((l) => / delivered to 520000  fed\.ping /.test(l)).length, 3);
		const admin = await gz.call('GET', '/api/v1/fed/status');
		assert.equal(admin.status, 401);
	});

	it('envelopes that are tampered with, unsigned, replayed, stale or from an unknown node are refused', async () => {
		/* Capture a genuine message of 广东 sent to the fake peer. */
		must(gd.cli(['node', 'ping', '--to', '450000', '--count', '2']), 'ping fake');
		await waitFor(() => fake.seen.length >= 2, { what: 'captured messages' });
		const [m1, m2] = fake.seen;
		assert.equal(m1.path, '/api/v1/fed/inbox');
		assert.equal(m1.headers['x-zt-sender'], '440000');
		const base = pings(gz, '440000');

		/* Unsigned: no envelope at all. */
		let r = await replay(gz, m1, { drop: ENVELOPE });
		assert.equal(r.status, 400);
		assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Sender', 'malformed']);
		/* The body changed: its digest no longer matches. */
		r = await replay(gz, m1, { body: m1.body.toString().replace('"seq":1', '"seq":7') });
		assert.equal(r.status, 400);
		assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Digest', 'bad_digest']);
		/* The digest changed with it: the signature no longer verifies. */
		const forged = m1.body.toString().replace('"seq":1', '"seq":7');
		const { createHash } = await import('node:crypto');
		let digest;
		try {
			digest = createHash('sm3').update(forged).digest('hex');
		} catch {
			digest = null; /* this node.js has no SM3: skip that case */
		}
		if (digest) {
			r = await replay(gz, m1, { body: forged, headers: { 'x-zt-digest': digest } });
			assert.equal(r.status, 401);
			assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Signature', 'bad_signature']);
		}
		/* Another sender claimed: 450000 is unknown at 贵州. */
		r = await replay(gz, m1, { headers: { 'x-zt-sender': '450000' } });
		assert.equal(r.status, 401);
		assert.equal(errorOf(r).reason, 'unknown_sender');
		/* Nothing of that took effect. */
		assert.equal(pings(gz, '440000'), base);
		/* The genuine message is applied once, then refused as a replay. */
		r = await replay(gz, m1);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'applied');
		assert.equal(r.json.result.count, base + 1);
		r = await replay(gz, m1);
		assert.equal(r.status, 409);
		assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Message-Id', 'replayed']);
		assert.equal(pings(gz, '440000'), base + 1);
		/* A signed call carries no query string. */
		r = await api(gz.url, 'POST', '/api/v1/fed/inbox?x=1', {
			body: m2.body,
			headers: Object.fromEntries(ENVELOPE.map((k) => [k, m2.headers[k]]).concat([['Content-Type', 'application/json']])),
		});
		assert.equal(r.status, 400);
		assert.equal(errorOf(r).field, 'query');
		/* Stale: the receiver's clock is 10 minutes ahead of the signature. */
		const ahead = new Date(Number(m2.headers['x-zt-timestamp']) * 1000 + 600000)
			.toISOString()
			.replace(/\.\d{3}Z$/, '+00:00');
		await gz.restart({ now: ahead });
		r = await replay(gz, m2);
		assert.equal(r.status, 401);
		assert.deepEqual([errorOf(r).field, errorOf(r).reason], ['X-ZT-Timestamp', 'stale']);
		await gz.restart({ now: '' });
		assert.equal(pings(gz, '440000'), base + 1);
	});

	it('a receiver killed during traffic misses nothing and applies nothing twice', async () => {
		const base = pings(gz, '440000');
		must(gd.cli(['node', 'ping', '--to', '520000', '--count', '150']), 'ping 150');
		await waitFor(() => pings(gz, '440000') >= base + 20, { what: 'some delivered', interval: 5 });
		await gz.stop('SIGKILL');
		/* Meanwhile 广东 keeps trying and records why it cannot deliver. */
		await waitFor(() => gd.count("SELECT count(*) FROM fed_outbox WHERE status = 'pending' AND attempts > 0 AND last_error LIKE '%520000%' OR (status = 'pending' AND last_error LIKE '%onnect%')") > 0, {
			what: 'a failed attempt recorded',
		});
		await gz.restart();
		await waitFor(() => outbox(gd, 'pending') === 0, { what: 'all delivered', timeout: 30000 });
		assert.equal(pings(gz, '440000'), base + 150);
		assert.equal(outbox(gd, 'failed'), 0);
	});

	it('a sender killed during delivery resends what it had not marked, and nothing is applied twice', async () => {
		const base = pings(gz, '440000');
		const sent = gd.count("SELECT count(*) FROM fed_outbox WHERE recipient = '520000'");
		must(gd.cli(['node', 'ping', '--to', '520000', '--count', '200']), 'ping 200');
		await waitFor(() => pings(gz, '440000') >= base + 30, { what: 'some delivered', interval: 5 });
		await gd.stop('SIGKILL');
		const mid = pings(gz, '440000');
		assert.ok(mid < base + 200, 'killed before the end');
		await gd.restart();
		await waitFor(() => outbox(gd, 'pending') === 0, { what: 'all delivered', timeout: 30000 });
		assert.equal(pings(gz, '440000'), base + 200);
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE recipient = '520000'"), sent + 200);
		assert.equal(gd.count("SELECT count(*) FROM fed_outbox WHERE recipient = '520000' AND status = 'delivered'"), sent + 200);
	});

	it('the cached registry is used while the hub is down, until it expires', async () => {
		await hub.stop();
		const base = pings(gz, '440000');
		must(gd.cli(['node', 'ping', '--to', '520000']), 'ping');
		await waitFor(() => pings(gz, '440000') === base + 1, { what: 'delivered with the hub down' });
		/* The registry expires (as if a day had passed with the hub down). */
		gz.sql("UPDATE node_meta SET value = '1000' WHERE key = 'fed_registry_expires'");
		must(gd.cli(['node', 'ping', '--to', '520000']), 'ping');
		await waitFor(
			() => gd.count("SELECT count(*) FROM fed_outbox WHERE status = 'pending' AND last_error LIKE '%unknown_sender%expired%'") === 1,
			{ what: 'refused: the registry expired' },
		);
		assert.equal(pings(gz, '440000'), base + 1);
		const nodes = await gz.call('GET', '/api/v1/fed/nodes');
		assert.equal(nodes.json.expired, true);
		/* The hub is back: 贵州 fetches a fresh registry, the ping goes through. */
		await hub.restart();
		await waitFor(() => pings(gz, '440000') === base + 2, { what: 'delivered after the hub came back', timeout: 30000 });
		assert.equal((await gz.call('GET', '/api/v1/fed/nodes')).json.expired, false);
	});

	it('a node retired at the hub is refused everywhere once the registry says so', async () => {
		const r = must(hub.cli(['node', 'retire', '--region', '440000']), 'retire');
		assert.equal(r.stdout, 'node 440000 is now retired\n');
		await waitFor(() => gz.count("SELECT count(*) FROM fed_nodes WHERE region_code = '440000' AND status = 'retired'") === 1, {
			what: 'retired at 贵州',
		});
		const base = pings(gz, '440000');
		must(gd.cli(['node', 'ping', '--to', '520000']), 'ping');
		await waitFor(
			() => gd.count("SELECT count(*) FROM fed_outbox WHERE status = 'pending' AND last_error LIKE '%retired%'") === 1,
			{ what: 'refused as retired' },
		);
		assert.equal(pings(gz, '440000'), base);
		must(hub.cli(['node', 'activate', '--region', '440000']), 'activate');
		await waitFor(() => pings(gz, '440000') === base + 1, { what: 'delivered once active again', timeout: 30000 });
		/* The hub cannot retire itself; an unknown node is named. */
		let bad = hub.cli(['node', 'retire', '--region', '000000']);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /cannot retire itself/);
		bad = hub.cli(['node', 'retire', '--region', '110000']);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /no node of region 110000/);
	});
});
