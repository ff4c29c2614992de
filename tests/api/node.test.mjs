/*
 * node.test.mjs - the node's federation identity and its registry of nodes:
 * `zhengtong node init`, `node show` and `node add` (docs/federation.md).
 *
 * Test plan (a demo node, clock frozen at T0 = 2026-03-02 10:00 +08:00; runs
 * on PostgreSQL too with ZT_TEST_PG):
 *   1. Before init: `node show` -> exit 1, "node show: this node is not
 *      initialised (run zhengtong node init)", nothing on stdout; fed_nodes
 *      is empty.
 *   2. `node init --region 520102 --name 南明区政务服务节点 --url
 *      http://127.0.0.1:8080 --parent-region 520100` -> exit 0, stdout
 *      exactly "node initialised" and the identity lines (region with its
 *      name, name, url, parent region with its name, key_id, fingerprint),
 *      where fingerprint = SM3 of the registered public key PEM computed
 *      here and key_id its first 16 characters. fed_nodes holds one row
 *      (520102, name, url, key_id, parent 520100, active, registered_at =
 *      T0) whose public key is node_keys' key of that key_id; node_meta
 *      holds fed_region, fed_name, fed_url, fed_parent; one audit record
 *      node.init. `node show` prints the same identity lines, exit 0.
 *   3. init again with region 520102, another name and no URL or parent ->
 *      "node updated", url (none), parent (none); the same fed_nodes row
 *      (id, key) with the new name and NULL url and parent; fed_url and
 *      fed_parent gone from node_meta.
 *   4. Refusals, each exit 1 with the exact message and nothing changed:
 *      another region (520100) -> "this node is already initialised as
 *      region 520102"; region 999999 (unknown), 52010 (not 6 digits); URLs
 *      ftp://x, http://, http://host:70000, http://a b/, http://h/path;
 *      parent 999999; parent = region. Missing --name or an unknown option
 *      -> exit 2 with the usage.
 *   5. `node add` with an SM2 public key made by the openssl command line:
 *      440000 -> "peer added: region 440000, key_id K" (K = the first 16 of
 *      SM3 of the PEM), a row with the PEM as given, url and parent
 *      000000; again with another name -> "peer updated", still one row.
 *      Refused (exit 1): the same key for 330000 (key_in_use), this node's
 *      own region 520102, the private key file, a file that is not a key, a
 *      missing file, a bad URL; without --url -> exit 2. Audit records
 *      node.add: 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { sm3hex, startNode } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const T0_UNIX = 1772416800;
const NAME = '南明区政务服务节点';

function openssl(args, cwd) {
	const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
	if (r.error) throw r.error;
	assert.equal(r.status, 0, r.stderr);
}

describe('node identity and registry', () => {
	let node;
	const fedNodes = () =>
		node.sql(
			'SELECT id, region_code, name, url, key_id, parent_region, status, registered_at FROM fed_nodes ORDER BY id',
		);
	const meta = () => node.sql("SELECT key, value FROM node_meta WHERE key LIKE 'fed_%' ORDER BY key");
	const audits = (action) => node.count(`SELECT count(*) AS n FROM audit_log WHERE action = '${action}'`);
	const identityLines = (id) => [
		`region: 520102 南明区`,
		`name: ${id.name}`,
		`url: ${id.url ?? '(none)'}`,
		`parent region: ${id.parent ?? '(none)'}`,
		`key_id: ${id.keyId}`,
		`fingerprint: ${id.fingerprint}`,
	];
	let keyId, fingerprint, selfId;

	before(async () => {
		node = await startNode({ now: T0 });
	});
	after(async () => {
		await node?.stop();
	});

	it('says the node is not initialised before node init', () => {
		const r = node.cli(['node', 'show']);
		assert.equal(r.code, 1);
		assert.equal(r.stdout, '');
		assert.equal(r.stderr, 'node show: this node is not initialised (run zhengtong node init)\n');
		assert.deepEqual(fedNodes(), []);
	});

	it('initialises the identity and registers the node key', () => {
		const r = node.cli([
			'node', 'init', '--region', '520102', '--name', NAME,
			'--url', 'http://127.0.0.1:8080', '--parent-region', '520100',
		]);
		assert.equal(r.code, 0, r.stderr);
		const [row] = node.sql("SELECT id, key_id, public_key FROM fed_nodes WHERE region_code = '520102'");
		fingerprint = sm3hex(Buffer.from(row.public_key));
		keyId = fingerprint.slice(0, 16);
		selfId = row.id;
		assert.match(row.public_key, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
		const lines = identityLines({
			name: NAME, url: 'http://127.0.0.1:8080', parent: '520100 贵阳市', keyId, fingerprint,
		});
		assert.equal(r.stdout, ['node initialised', ...lines].join('\n') + '\n');
		assert.equal(r.stderr, '');
		assert.deepEqual(fedNodes(), [
			{
				id: selfId, region_code: '520102', name: NAME, url: 'http://127.0.0.1:8080',
				key_id: keyId, parent_region: '520100', status: 'active', registered_at: T0_UNIX,
			},
		]);
		/* The same key as the one that signs licenses and the audit chain. */
		const [nk] = node.sql(`SELECT public_pem FROM node_keys WHERE key_id = '${keyId}'`);
		assert.equal(nk.public_pem, row.public_key);
		assert.deepEqual(meta(), [
			{ key: 'fed_name', value: NAME },
			{ key: 'fed_parent', value: '520100' },
			{ key: 'fed_region', value: '520102' },
			{ key: 'fed_url', value: 'http://127.0.0.1:8080' },
		]);
		assert.equal(audits('node.init'), 1);

		const s = node.cli(['node', 'show']);
		assert.equal(s.code, 0, s.stderr);
		assert.equal(s.stdout, lines.join('\n') + '\n');
	});

	it('updates name, url and parent when run again with the same region', () => {
		const r = node.cli(['node', 'init', '--region', '520102', '--name', '南明区节点']);
		assert.equal(r.code, 0, r.stderr);
		const lines = identityLines({ name: '南明区节点', keyId, fingerprint });
		assert.equal(r.stdout, ['node updated', ...lines].join('\n') + '\n');
		assert.deepEqual(fedNodes(), [
			{
				id: selfId, region_code: '520102', name: '南明区节点', url: null,
				key_id: keyId, parent_region: null, status: 'active', registered_at: T0_UNIX,
			},
		]);
		assert.deepEqual(meta(), [
			{ key: 'fed_name', value: '南明区节点' },
			{ key: 'fed_region', value: '520102' },
		]);
		assert.equal(audits('node.init'), 2);
		assert.equal(node.cli(['node', 'show']).stdout, lines.join('\n') + '\n');
	});

	it('refuses another region, unknown regions and bad URLs', () => {
		const before = { rows: fedNodes(), meta: meta(), audits: audits('node.init') };
		const refuse = (args, message) => {
			const r = node.cli(['node', 'init', ...args]);
			assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
			assert.equal(r.stdout, '');
			assert.equal(r.stderr, `node init: ${message}\n`);
		};
		refuse(['--region', '520100', '--name', 'x'],
			"region: this node is already initialised as region 520102; a node's region cannot change");
		refuse(['--region', '999999', '--name', 'x'], 'region: no region 999999');
		refuse(['--region', '52010', '--name', 'x'], 'region: the region must be a 6-digit GB/T 2260 code');
		for (const url of ['ftp://x', 'http://', 'http://host:70000', 'http://a b/', 'http://h/path', 'https://h:'])
			refuse(['--region', '520102', '--name', 'x', '--url', url], 'url: the URL must be http(s)://host[:port]');
		refuse(['--region', '520102', '--name', 'x', '--parent-region', '999999'], 'parent: no region 999999');
		refuse(['--region', '520102', '--name', 'x', '--parent-region', '520102'], 'parent: a node cannot be its own parent');
		assert.deepEqual(fedNodes(), before.rows);
		assert.deepEqual(meta(), before.meta);
		assert.equal(audits('node.init'), before.audits);

		let r = node.cli(['node', 'init', '--region', '520102']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /--region and --name are required\nusage: zhengtong node init /);
		r = node.cli(['node', 'init', '--region', '520102', '--name', 'x', '--key', 'k.pem']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /^node init: unknown argument --key\nusage: /);
		r = node.cli(['node', 'remove']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /^node: unknown subcommand remove\nusage: /);
	});

	it('registers peers with their public keys', () => {
		const dir = node.dataDir;
		openssl(['genpkey', '-algorithm', 'SM2', '-out', 'peer.key'], dir);
		openssl(['pkey', '-in', 'peer.key', '-pubout', '-out', 'peer.pem'], dir);
		const pem = readFileSync(join(dir, 'peer.pem'), 'utf8');
		const peerId = sm3hex(Buffer.from(pem)).slice(0, 16);
		const add = (args) => node.cli(['node', 'add', ...args]);
		const gd = (name) => [
			'--region', '440000', '--name', name, '--url', 'https://gd.zw.example.cn:8443',
			'--key', 'peer.pem', '--parent-region', '000000',
		];

		let r = add(gd('广东省政务服务节点'));
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `peer added: region 440000, key_id ${peerId}\n`);
		r = add(gd('广东省节点'));
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, `peer updated: region 440000, key_id ${peerId}\n`);
		const rows = node.sql(
			"SELECT region_code, name, url, key_id, public_key, parent_region, status FROM fed_nodes WHERE region_code = '440000'",
		);
		assert.deepEqual(rows, [
			{
				region_code: '440000', name: '广东省节点', url: 'https://gd.zw.example.cn:8443', key_id: peerId,
				public_key: pem, parent_region: '000000', status: 'active',
			},
		]);

		writeFileSync(join(dir, 'junk.pem'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
		const refuse = (args, message) => {
			const res = add(args);
			assert.equal(res.code, 1, `${args.join(' ')}: ${res.stderr}`);
			assert.equal(res.stdout, '');
			assert.equal(res.stderr, `node add: ${message}\n`);
		};
		const peer = (region, key, url = 'https://peer.example.cn') => ['--region', region, '--name', 'p', '--url', url, '--key', key];
		refuse(peer('330000', 'peer.pem'), `key: key ${peerId} is already registered for region 440000`);
		refuse(peer('520102', 'peer.pem'), 'region: region 520102 is this node; use node init to change it');
		refuse(peer('330000', 'peer.key'), "key: the file holds a private key; give the peer's public key");
		refuse(peer('330000', 'junk.pem'), 'key: not an SM2 public key (PEM)');
		refuse(peer('330000', 'missing.pem'), 'key: cannot read missing.pem');
		refuse(peer('330000', 'peer.pem', 'gopher://x'), 'url: the URL must be http(s)://host[:port]');
		r = add(['--region', '330000', '--name', 'p', '--key', 'peer.pem']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /--region, --name, --url and --key are required\nusage: /);

		assert.deepEqual(
			node.sql('SELECT region_code FROM fed_nodes ORDER BY region_code').map((x) => x.region_code),
			['440000', '520102'],
		);
		assert.equal(audits('node.add'), 2);
		/* The node's own identity is untouched. */
		assert.equal(node.cli(['node', 'show']).stdout.split('\n')[0], 'region: 520102 南明区');
	});
});
