/*
 * generate.test.mjs - `zhengtong demo generate`: synthetic regions, items and
 * cases for the evaluation and the benchmarks.
 *
 * Test plan (clock frozen at NOW = Fri 2026-11-20 10:00 +08:00):
 *   1. On a fresh demo node (server stopped), `demo generate --regions 4
 *      --cases 2000 --seed 1` exits 0 and fills 北京 110000, 天津 120000,
 *      河北 130000, 山西 140000 (the first 4 provinces by code). Its summary
 *      line names them and every figure in it equals a count in the
 *      database; the figures for seed 1 are frozen below.
 *   2. Structure: each region has exactly one oversight office
 *      (政务服务管理办公室, oversight 1) and 4-6 bureaus; every generated
 *      department has a valid-looking credit code carrying its region code;
 *      officials: a supervisor in the office, a clerk, a reviewer and a
 *      supervisor per bureau, none able to sign in (the server answers 401).
 *      Required items: 40-80 per region; every published generated item's
 *      code is on its region's list; promised <= legal; some guides are
 *      incomplete (empty fee or place, one step, depth >= 4 without web, or
 *      no materials).
 *   3. Cases: exactly 2000 synthetic ones ({"synthetic":true}), all in
 *      departments of the 4 regions, submitted in the 12 months before NOW;
 *      phase closed <=> state in (approved, denied, delivered, not_accepted),
 *      decision <=> accepted, acceptance <=> submitted/needs_supplement;
 *      accepted_at/decided_at/delivered_at present exactly when the state
 *      says so and in time order; paused_on only while needs_supplement;
 *      stars only on finished cases (delivered, denied, not_accepted) and
 *      rated = 1 exactly then; exempted <= the item's required materials;
 *      visits 0..3; case numbers unique, region code + submission date + id;
 *      some closed late and some open past due.
 *   4. Ratings: one row per case with stars, same stars and applicant;
 *      bad_rating supervision items: one per rating of 1-2 stars, owned by
 *      the department's supervisor, due 15 working days after the rating,
 *      the closed ones with an outcome, closed_at and closed_by.
 *   5. Indicators: gdp_per_capita and budget_revenue_per_capita for 2026 and
 *      2025 per region (16 rows, source 'demo generate'), GDP 40000-200000.
 *   6. One audit record demo.generate (no actor) with the parameters; the
 *      chain verifies (`audit verify` exits 0).
 *   7. A second run into the same regions is refused (exit 1, names them)
 *      and changes nothing.
 *   8. Determinism: a second fresh node with the same seed and clock gets
 *      exactly the same cases, items and indicator values. --parent 520000
 *      fills Guizhou's 4 cities there (city bureaus named 局).
 *   9. Argument errors exit 2 and name the option: --regions 0 / 32 /
 *      missing, --cases -1 / 100000001 / missing, --parent 99999 / 710000
 *      (unknown), --months 0, --seed x, an unknown option; nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, startNode } from './lib/node.mjs';

const NOW = '2026-11-20T10:00:00+08:00';
const NOW_S = Date.parse(NOW) / 1000;
const REGIONS = ['110000', '120000', '130000', '140000'];
const IN_REGIONS = `('${REGIONS.join("','")}')`;
const SYN = `c.form = '{"synthetic":true}'`;
/* Frozen figures for seed 1 at NOW (deterministic). */
const FROZEN = {
	departments: 21,
	officials: 55,
	required: 236,
	items: 185,
	published: 177,
	citizens: 160,
};

function summary(stdout) {
	const m =
		/^generated (\d+) regions \((\d+)\.\.(\d+) under (\d+)\): (\d+) departments, (\d+) officials, (\d+) required items, (\d+) items \((\d+) published, (\d+) with incomplete guides\), (\d+) citizens, (\d+) cases, (\d+) ratings, (\d+) supervision items \((\d+) closed\); \d+ rows in [\d.]+ s \(\d+ rows\/s\)\n$/.exec(
			stdout,
		);
	assert.ok(m, `summary line: ${stdout}`);
	const n = m.slice(1).map((x, i) => (i >= 1 && i <= 3 ? x : Number(x)));
	return {
		regions: n[0], first: n[1], last: n[2], parent: n[3], departments: n[4], officials: n[5],
		required: n[6], items: n[7], published: n[8], incomplete: n[9], citizens: n[10],
		cases: n[11], ratings: n[12], supervision: n[13], closed: n[14],
	};
}

describe('demo generate', () => {
	let node, node2, s;

	before(async () => {
		node = await startNode({ now: NOW });
		await node.stop();
	});
	after(async () => {
		await node?.stop();
		await node2?.stop();
	});

	it('fills the first 4 provinces and reports what it wrote', () => {
		const r = node.cli(['demo', 'generate', '--regions', '4', '--cases', '2000', '--seed', '1']);
		assert.equal(r.code, 0, r.stderr);
		s = summary(r.stdout);
		assert.equal(s.regions, 4);
		assert.equal(s.first, '110000');
		assert.equal(s.last, '140000');
		assert.equal(s.parent, '000000');
		assert.equal(s.cases, 2000);
		assert.equal(s.departments, FROZEN.departments);
		assert.equal(s.officials, FROZEN.officials);
		assert.equal(s.required, FROZEN.required);
		assert.equal(s.items, FROZEN.items);
		assert.equal(s.published, FROZEN.published);
		assert.equal(s.citizens, FROZEN.citizens);
		assert.match(r.stderr, /demo generate: 2000\/2000 cases \(100%\)/);
	});

	it('creates departments, officials and items per region', () => {
		assert.equal(node.count(`SELECT count(*) FROM departments WHERE region_code IN ${IN_REGIONS}`), s.departments);
		const per = node.sql(
			`SELECT region_code, sum(oversight) AS o, count(*) AS n,
			   sum(CASE WHEN oversight = 1 AND name LIKE '%政务服务管理办公室' THEN 1 ELSE 0 END) AS named
			 FROM departments WHERE region_code IN ${IN_REGIONS} GROUP BY region_code ORDER BY region_code`,
		);
		assert.deepEqual(per.map((x) => x.region_code), REGIONS);
		for (const x of per) {
			assert.equal(x.o, 1);
			assert.equal(x.named, 1);
			assert.ok(x.n >= 5 && x.n <= 7, `${x.region_code}: ${x.n} departments`);
		}
		const depts = node.sql(`SELECT credit_code, region_code FROM departments WHERE region_code IN ${IN_REGIONS}`);
		for (const d of depts) assert.match(d.credit_code, new RegExp(`^11${d.region_code}[0-9A-HJ-NP-RTUW-Y]{10}$`));
		assert.equal(new Set(depts.map((d) => d.credit_code)).size, depts.length);
		// Officials: a supervisor in the office, clerk + reviewer + supervisor per bureau.
		assert.equal(
			node.count(`SELECT count(*) FROM users u JOIN departments d ON d.id = u.dept_id WHERE d.region_code IN ${IN_REGIONS}`),
			s.officials,
		);
		assert.equal(s.officials, 4 + 3 * (s.departments - 4));
		assert.equal(
			node.count(
				`SELECT count(*) FROM departments d WHERE d.region_code IN ${IN_REGIONS} AND (SELECT count(*) FROM users u
				 WHERE u.dept_id = d.id AND u.roles = 16) <> 1`,
			),
			0,
		);
		assert.equal(node.count(`SELECT count(*) FROM users WHERE login LIKE 'gen.%' AND password_hash <> '!synthetic:no-login'`), 0);
		assert.equal(node.count(`SELECT count(*) FROM users WHERE kind = 'citizen' AND password_hash = '!synthetic:no-login'`), s.citizens);
		// Required lists and items.
		assert.equal(node.count(`SELECT count(*) FROM required_items WHERE region_code IN ${IN_REGIONS}`), s.required);
		for (const x of node.sql(`SELECT count(*) AS n FROM required_items WHERE region_code IN ${IN_REGIONS} GROUP BY region_code`))
			assert.ok(x.n >= 40 && x.n <= 80);
		assert.equal(node.count(`SELECT count(*) FROM service_items WHERE region_code IN ${IN_REGIONS}`), s.items);
		assert.equal(
			node.count(`SELECT count(*) FROM service_items WHERE region_code IN ${IN_REGIONS} AND status = 'published'`),
			s.published,
		);
		assert.equal(
			node.count(
				`SELECT count(*) FROM service_items i WHERE i.region_code IN ${IN_REGIONS} AND NOT EXISTS
				 (SELECT 1 FROM required_items q WHERE q.region_code = i.region_code AND q.code = i.code)`,
			),
			0,
		);
		assert.equal(node.count(`SELECT count(*) FROM service_items WHERE region_code IN ${IN_REGIONS} AND promised_days > legal_days`), 0);
		const incomplete = node.count(
			`SELECT count(*) FROM service_items i WHERE i.region_code IN ${IN_REGIONS} AND i.status = 'published' AND (
			   i.fee = '' OR i.place = '' OR i.process NOT LIKE '%,%' OR (i.depth >= 4 AND (i.channels & 1) = 0)
			   OR NOT EXISTS (SELECT 1 FROM materials m WHERE m.item_id = i.id))`,
		);
		assert.equal(incomplete, s.incomplete);
		assert.ok(s.incomplete > 0 && s.incomplete < s.published);
	});

	it('writes cases whose states, times and figures are consistent', () => {
		assert.equal(node.count(`SELECT count(*) FROM cases c WHERE ${SYN}`), 2000);
		assert.equal(
			node.count(`SELECT count(*) FROM cases c JOIN departments d ON d.id = c.dept_id WHERE ${SYN} AND d.region_code IN ${IN_REGIONS}`),
			2000,
		);
		assert.equal(node.count(`SELECT count(*) FROM cases c JOIN service_items i ON i.id = c.item_id WHERE ${SYN} AND (i.dept_id <> c.dept_id OR i.status <> 'published')`), 0);
		const bad = (cond) => node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND NOT (${cond})`);
		assert.equal(bad(`(c.phase = 'closed') = (c.state IN ('approved', 'denied', 'delivered', 'not_accepted'))`), 0);
		assert.equal(bad(`(c.phase = 'decision') = (c.state = 'accepted')`), 0);
		assert.equal(bad(`(c.phase = 'acceptance') = (c.state IN ('submitted', 'needs_supplement'))`), 0);
		assert.equal(bad(`(c.accepted_at IS NOT NULL) = (c.state IN ('accepted', 'approved', 'denied', 'delivered'))`), 0);
		assert.equal(bad(`(c.decided_at IS NOT NULL) = (c.phase = 'closed')`), 0);
		assert.equal(bad(`(c.delivered_at IS NOT NULL) = (c.state = 'delivered')`), 0);
		assert.equal(bad(`(c.paused_on IS NOT NULL) = (c.state = 'needs_supplement')`), 0);
		assert.equal(bad(`c.accepted_at IS NULL OR c.accepted_at > c.submitted_at`), 0);
		assert.equal(bad(`c.decided_at IS NULL OR c.decided_at >= c.submitted_at`), 0);
		assert.equal(bad(`c.decided_at IS NULL OR c.accepted_at IS NULL OR c.decided_at > c.accepted_at`), 0);
		assert.equal(bad(`c.delivered_at IS NULL OR c.delivered_at > c.decided_at`), 0);
		assert.equal(bad(`c.submitted_at >= ${NOW_S - 366 * 86400} AND c.submitted_at < ${NOW_S} AND c.updated_at <= ${NOW_S}`), 0);
		assert.equal(bad(`c.due_at > c.submitted_at AND c.warn_at <= c.due_at`), 0);
		assert.equal(bad(`c.stars IS NULL OR c.state IN ('delivered', 'denied', 'not_accepted')`), 0);
		assert.equal(bad(`c.rated = (CASE WHEN c.stars IS NULL THEN 0 ELSE 1 END)`), 0);
		assert.equal(bad(`c.visits BETWEEN 0 AND 3`), 0);
		assert.equal(bad(`c.channel IN ('web', 'mobile', 'window', 'self_service', 'mail')`), 0);
		assert.equal(
			bad(`c.exempted <= (SELECT count(*) FROM materials m WHERE m.item_id = c.item_id AND m.required = 1)`),
			0,
		);
		assert.equal(bad(`c.promised_days = (SELECT i.promised_days FROM service_items i WHERE i.id = c.item_id)`), 0);
		const nos = node.sql(
			`SELECT c.id, c.case_no, c.submitted_at, d.region_code FROM cases c JOIN departments d ON d.id = c.dept_id WHERE ${SYN}`,
		);
		assert.equal(new Set(nos.map((x) => x.case_no)).size, 2000);
		for (const x of nos) {
			const day = new Date((Number(x.submitted_at) + 8 * 3600) * 1000).toISOString().slice(0, 10).replaceAll('-', '');
			assert.equal(x.case_no, `${x.region_code}${day}${String(x.id).padStart(6, '0')}`);
		}
		// Every state occurs; some closed late, some open past due, channels mixed.
		const states = node.sql(`SELECT c.state, count(*) AS n FROM cases c WHERE ${SYN} GROUP BY c.state ORDER BY c.state`);
		assert.deepEqual(
			states.map((x) => x.state),
			['accepted', 'approved', 'delivered', 'denied', 'needs_supplement', 'not_accepted', 'submitted'],
		);
		assert.ok(node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.phase = 'closed' AND c.decided_at > c.due_at`) > 0);
		assert.ok(node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.phase <> 'closed' AND c.due_at < ${NOW_S}`) > 0);
		assert.equal(node.count(`SELECT count(DISTINCT c.channel) FROM cases c WHERE ${SYN}`), 5);
		assert.ok(node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.exempted > 0`) > 0);
	});

	it('rates about 40% of finished cases and opens bad-rating items', () => {
		const rated = node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.stars IS NOT NULL`);
		assert.equal(rated, s.ratings);
		const finished = node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.state IN ('delivered', 'denied', 'not_accepted')`);
		assert.ok(rated > 0.3 * finished && rated < 0.5 * finished, `${rated} of ${finished}`);
		assert.equal(node.count(`SELECT count(*) FROM ratings r JOIN cases c ON c.id = r.case_id WHERE ${SYN}`), rated);
		assert.equal(
			node.count(
				`SELECT count(*) FROM ratings r JOIN cases c ON c.id = r.case_id WHERE ${SYN}
				 AND (r.stars <> c.stars OR r.applicant_id <> c.applicant_id OR r.at > ${NOW_S} OR r.at < c.decided_at)`,
			),
			0,
		);
		const bads = node.count(`SELECT count(*) FROM cases c WHERE ${SYN} AND c.stars <= 2`);
		assert.equal(bads, s.supervision);
		assert.ok(bads > 0);
		assert.equal(
			node.count(
				`SELECT count(*) FROM supervision_items v JOIN cases c ON c.id = v.case_id JOIN users u ON u.id = v.owner_id
				 WHERE ${SYN} AND v.kind = 'bad_rating' AND c.stars <= 2 AND v.dept_id = c.dept_id AND u.dept_id = c.dept_id
				 AND u.roles = 16 AND v.opened_at = (SELECT r.at FROM ratings r WHERE r.case_id = c.id) AND v.due_at > v.opened_at`,
			),
			bads,
		);
		const closed = node.sql(
			`SELECT v.status, v.outcome, v.closed_at, v.closed_by, v.owner_id, v.opened_at FROM supervision_items v
			 JOIN cases c ON c.id = v.case_id WHERE ${SYN} AND v.status = 'closed'`,
		);
		assert.equal(closed.length, s.closed);
		assert.ok(closed.length > 0 && closed.length < bads);
		for (const v of closed) {
			assert.ok(v.outcome.length > 10);
			assert.ok(v.closed_at > v.opened_at && v.closed_at <= NOW_S);
			assert.equal(v.closed_by, v.owner_id);
		}
		assert.equal(
			node.count(`SELECT count(*) FROM supervision_items v JOIN cases c ON c.id = v.case_id WHERE ${SYN} AND v.status = 'open' AND v.outcome IS NOT NULL`),
			0,
		);
	});

	it('stores GDP and budget revenue per capita for this year and last', () => {
		const rows = node.sql(
			`SELECT region_code, period, indicator, value FROM indicator_values WHERE source = 'demo generate'
			 ORDER BY region_code, indicator, period`,
		);
		assert.equal(rows.length, 16);
		assert.deepEqual(
			rows.slice(0, 4).map((x) => [x.region_code, x.indicator, x.period]),
			[
				['110000', 'budget_revenue_per_capita', '2025'],
				['110000', 'budget_revenue_per_capita', '2026'],
				['110000', 'gdp_per_capita', '2025'],
				['110000', 'gdp_per_capita', '2026'],
			],
		);
		for (const x of rows.filter((x) => x.indicator === 'gdp_per_capita'))
			assert.ok(x.value >= 35000 && x.value <= 200000, `${x.region_code} ${x.period} ${x.value}`);
		for (const code of REGIONS) {
			const v = Object.fromEntries(rows.filter((x) => x.region_code === code).map((x) => [`${x.indicator}/${x.period}`, x.value]));
			assert.ok(v['gdp_per_capita/2026'] > v['gdp_per_capita/2025']);
			assert.ok(v['budget_revenue_per_capita/2026'] < 0.15 * v['gdp_per_capita/2026']);
		}
	});

	it('writes one audit record and the chain verifies', () => {
		const a = node.sql(`SELECT actor_id, object_type, object_id, data FROM audit_log WHERE action = 'demo.generate'`);
		assert.equal(a.length, 1);
		assert.equal(a[0].actor_id, null);
		assert.equal(`${a[0].object_type}:${a[0].object_id}`, 'region:000000');
		const d = JSON.parse(a[0].data);
		assert.deepEqual(d.regions, REGIONS);
		assert.equal(d.cases, 2000);
		assert.equal(d.seed, '1');
		assert.equal(d.months, 12);
		assert.equal(d.departments, s.departments);
		const v = node.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stderr);
		assert.match(v.stdout, /audit chain intact/);
	});

	it('refuses to generate into the same regions twice', () => {
		const before = node.count(`SELECT count(*) FROM cases`);
		const r = node.cli(['demo', 'generate', '--regions', '2', '--cases', '10']);
		assert.equal(r.code, 1);
		assert.equal(r.stdout, '');
		assert.match(r.stderr, /--regions: already generated into 110000 北京市, 120000 天津市;/);
		assert.equal(node.count(`SELECT count(*) FROM cases`), before);
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'demo.generate'`), 1);
	});

	it('the generated officials cannot sign in', async () => {
		await node.restart();
		const r = await api(node.url, 'POST', '/api/v1/auth/login', {
			json: { login: 'gen.110000.zw.supervisor', password: '!synthetic:no-login' },
		});
		assert.equal(r.status, 401);
		await node.stop();
	});

	it('is deterministic for a seed and clock', async () => {
		node2 = await startNode({ now: NOW });
		await node2.stop();
		const r = node2.cli(['demo', 'generate', '--regions', '4', '--cases', '2000', '--seed', '1']);
		assert.equal(r.code, 0, r.stderr);
		const q = [
			`SELECT c.* FROM cases c WHERE ${SYN} ORDER BY c.id`,
			`SELECT code, name, dept_id, depth, channels, legal_days, promised_days, max_visits, fee, place, process, status
			 FROM service_items WHERE region_code IN ${IN_REGIONS} ORDER BY id`,
			`SELECT region_code, period, indicator, value FROM indicator_values ORDER BY id`,
			`SELECT * FROM supervision_items ORDER BY id`,
		];
		for (const sql of q) assert.deepEqual(node2.sql(sql), node.sql(sql));
		// Another parent: Guizhou's four cities, whose bureaus are 局.
		const g = node2.cli(['demo', 'generate', '--parent', '520000', '--regions', '4', '--cases', '100', '--seed', '2']);
		assert.equal(g.code, 0, g.stderr);
		assert.match(g.stdout, /^generated 4 regions \(520100\.\.520400 under 520000\): .* 100 cases,/);
		assert.equal(node2.count(`SELECT count(*) FROM departments WHERE name = '贵阳市政务服务管理办公室' AND oversight = 1 AND name_en LIKE '%synthetic%'`), 1);
		assert.equal(node2.count(`SELECT count(*) FROM departments WHERE region_code = '520100' AND name LIKE '%厅'`), 0);
		const v = node2.cli(['audit', 'verify']);
		assert.equal(v.code, 0, v.stderr);
	});

	it('rejects bad arguments naming the option, writing nothing', () => {
		const before = node.count(`SELECT count(*) FROM cases`);
		const cases = [
			[['--regions', '0', '--cases', '1'], /--regions: a number of regions, at least 1/],
			[['--regions', '32', '--cases', '1', '--seed', '9'], /--regions: 000000 has only 31 child regions \(1\.\.31\)/],
			[['--cases', '1'], /--regions is required/],
			[['--regions', '1', '--cases', '-1'], /--cases: a number from 0 to 100000000/],
			[['--regions', '1', '--cases', '100000001'], /--cases: a number from 0 to 100000000/],
			[['--regions', '1'], /--cases is required/],
			[['--regions', '1', '--cases', '1', '--parent', '99999'], /--parent: a 6-digit region code/],
			[['--regions', '1', '--cases', '1', '--parent', '110100'], /--parent: no region 110100/],
			[['--regions', '1', '--cases', '1', '--months', '0'], /--months: a number from 1 to 120/],
			[['--regions', '1', '--cases', '1', '--seed', 'x'], /--seed: a non-negative integer/],
			[['--regions', '1', '--cases', '1', '--fast'], /unknown argument --fast/],
		];
		for (const [args, re] of cases) {
			const r = node.cli(['demo', 'generate', ...args]);
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, re, args.join(' '));
			assert.equal(r.stdout, '');
		}
		assert.equal(node.count(`SELECT count(*) FROM cases`), before);
	});
});
