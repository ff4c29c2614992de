// fed.mjs - multi-node federation fixtures: real node processes on loopback,
// each with its own data directory and database (tests/api/lib/node.mjs).
//
// startFederation() starts the national hub (000000), province 贵州 (520000)
// with the city 贵阳 (520100) below it, and province 广东 (440000). Every node
// except the hub is filled with `zhengtong demo province` (logins prefixed
// gz., gy., gd.); each is registered at the hub with its public key, has the
// hub registered as its trust anchor and has fetched the hub's signed
// registry, so every node knows every other one. Nodes keep their port across
// restarts (their address is in the registry).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, DEMO_PASSWORD, login, startNode } from './node.mjs';

/* Fast federation for tests: the sender and pollers run every 200 ms, the
 * registry is fetched every second, retries wait at most 1 s. */
export const FED_ENV = {
	ZT_FED_INTERVAL_MS: '200',
	ZT_FED_REGISTRY_REFRESH: '1',
	ZT_FED_RETRY_MAX: '1',
	ZT_FED_TIMEOUT: '5',
};

export const REGIONS = {
	hub: { region: '000000', name: '国家政务服务平台', parent: null, prefix: null },
	gz: { region: '520000', name: '贵州省政务服务节点', parent: '000000', prefix: 'gz' },
	gy: { region: '520100', name: '贵阳市政务服务节点', parent: '520000', prefix: 'gy' },
	gd: { region: '440000', name: '广东省政务服务节点', parent: '000000', prefix: 'gd' },
};

export function must(r, what) {
	if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
	return r;
}

/** Polls fn until it returns a truthy value (returned) or throws after timeout. */
export async function waitFor(fn, { timeout = 20000, interval = 100, what = 'condition' } = {}) {
	const end = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last) return last;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
		await new Promise((r) => setTimeout(r, interval));
	}
}

/**
 * Starts one federated node: init --no-demo, serve, `node init` with its
 * address, and (prefix) `demo province`. Adds to the node: region, fedName,
 * parent, prefix, keyFile (its public key PEM, written in its data dir),
 * call(method, path, opts) and token(login) (cached sign-in).
 */
export async function startFedNode({ region, name, parent = null, parentUrl = null, prefix = null, env = {} }) {
	const node = await startNode({ init: ['init', '--no-demo'], env: { ...FED_ENV, ...env } });
	/* Keep the port across restarts: the address is registered. */
	node.env.ZT_LISTEN = node.url.replace('http://', '');
	node.region = region;
	node.fedName = name;
	node.parent = parent;
	node.prefix = prefix;
	const args = ['node', 'init', '--region', region, '--name', name, '--url', node.url];
	/* --parent URL asks the parent node for its region; --parent-region names it. */
	if (parentUrl) args.push('--parent', parentUrl);
	else if (parent) args.push('--parent-region', parent);
	must(node.cli(args), `node init ${region}`);
	const key = must(node.cli(['node', 'key']), 'node key').stdout;
	node.keyFile = join(node.dataDir, `node-${region}.pub.pem`);
	writeFileSync(node.keyFile, key);
	if (prefix) must(node.cli(['demo', 'province', '--region', region, '--prefix', prefix]), `demo province ${region}`);
	const tokens = new Map();
	node.token = async (who) => {
		if (!tokens.has(who)) tokens.set(who, await login(node.url, who, DEMO_PASSWORD));
		return tokens.get(who);
	};
	node.call = (method, path, opts = {}) => api(node.url, method, path, opts);
	/* As a signed-in user: node.as('gd.rs.clerk', 'GET', '/api/v1/...'). */
	node.as = async (who, method, path, opts = {}) =>
		api(node.url, method, path, { ...opts, token: await node.token(who) });
	return node;
}

/** Registers peer at node (its key file, address, parent). */
export function addPeer(node, peer) {
	const args = ['node', 'add', '--region', peer.region, '--name', peer.fedName, '--url', peer.url, '--key', peer.keyFile];
	if (peer.parent) args.push('--parent-region', peer.parent);
	must(node.cli(args), `node add ${peer.region} at ${node.region}`);
}

/**
 * The federation of the tests (see the top). which: the keys of REGIONS to
 * start besides the hub (default all). Returns {hub, gz, gy, gd, nodes}.
 */
export async function startFederation({ which = ['gz', 'gy', 'gd'], env = {} } = {}) {
	const fed = { nodes: [] };
	fed.hub = await startFedNode({ ...REGIONS.hub, env });
	for (const k of which) {
		/* A city names its parent by address when the parent runs already. */
		const up = Object.keys(REGIONS).find((p) => REGIONS[p].region === REGIONS[k].parent && fed[p] && p !== 'hub');
		fed[k] = await startFedNode({ ...REGIONS[k], parentUrl: up ? fed[up].url : null, env });
	}
	const members = which.map((k) => fed[k]);
	for (const n of members) addPeer(fed.hub, n);
	for (const n of members) {
		addPeer(n, fed.hub);
		must(n.cli(['node', 'sync']), `node sync at ${n.region}`);
	}
	fed.nodes = [fed.hub, ...members];
	return fed;
}
