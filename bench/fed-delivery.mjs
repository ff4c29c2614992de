// fed-delivery.mjs - how fast the durable outbox delivers between two real
// nodes on loopback: the hub, 贵州 and 广东 (tests/api/lib/fed.mjs), N
// fed.ping messages queued at 广东, timed until all are applied at 贵州.
// Each message is one signed HTTP call and two durable commits (the
// receiver's apply and the sender's mark), one at a time per recipient.
//   ZT_BIN=build/zhengtong N=2000 node bench/fed-delivery.mjs
//   tests/with-pg node bench/fed-delivery.mjs          # on PostgreSQL
// Writes bench/results/fed-delivery-<backend>.json.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addPeer, must, REGIONS, startFedNode, waitFor } from '../tests/api/lib/fed.mjs';

const N = Number(process.env.N || 2000);
const hub = await startFedNode({ ...REGIONS.hub });
const gz = await startFedNode({ ...REGIONS.gz, prefix: null });
const gd = await startFedNode({ ...REGIONS.gd, prefix: null });
for (const n of [gz, gd]) addPeer(hub, n);
for (const n of [gz, gd]) {
	addPeer(n, hub);
	must(n.cli(['node', 'sync']), 'node sync');
}
must(gd.cli(['node', 'ping', '--to', '520000', '--count', String(N)]), 'node ping');
const t0 = Date.now();
await waitFor(
	() => Number(gz.sql("SELECT value FROM node_meta WHERE key = 'fed_pings_440000'")[0]?.value ?? 0) === N,
	{ timeout: 600000, interval: 50, what: 'all messages applied' },
);
const seconds = (Date.now() - t0) / 1000;
const backend = process.env.ZT_TEST_PG ? 'postgresql' : 'sqlite';
const result = { messages: N, seconds, per_second: Math.round(N / seconds), backend, fed_interval_ms: 200 };
console.log(JSON.stringify(result));
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'results', `fed-delivery-${backend}.json`), JSON.stringify(result, null, 2) + '\n');
process.exit(0);
