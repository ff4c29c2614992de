/*
 * opendata-dcat.test.mjs - the open data catalog as DCAT-AP JSON-LD
 * (GET /api/v1/dcat/catalog) and the quality score of a dataset
 * (GET /api/v1/datasets/{id}/quality).
 *
 * Test plan (frozen clock; the node is restarted with a later ZT_NOW
 * between publications, and officers sign in again each time):
 *   Setup at T0 (2026-03-02 10:00 +08:00): a data officer of 市场监管 (scjg)
 *   registers resource T8-DCAT (open, 2 rows) and publishes
 *   A (CC-BY-4.0, daily, 2 regions, temporal coverage, every field described,
 *   numbers with units) and B (ODC-BY-1.0, weekly, no temporal coverage,
 *   capital and rate without units).
 *   1. Quality at T0: A scores 100 with all six checks passed; B exactly
 *      65 = 100 - coverage 15 - fields_documented 20, with exact details;
 *      unknown dataset -> 404.
 *   2. At T1 = T0 + 1 day: publish C (ODbL-1.0, monthly) and D (PDDL-1.0,
 *      realtime, CC0 not used). The catalog (no modified_since) is
 *      application/ld+json, a dcat:Catalog with the exact @context, @id
 *      (absolute, from the Host header), bilingual title, publisher,
 *      homepage; datasets A, B, C, D in (modified_at, id) order; A's
 *      dcat:Dataset is compared member by member (title, description,
 *      keywords, theme, publisher, license IRI, frequency IRI, temporal
 *      with xsd:date, spatial with region names, issued/modified as
 *      xsd:dateTime, contact point, version "1", CSV and JSON
 *      distributions); the license and frequency IRIs of B, C, D; B has no
 *      dct:temporal; no hydra:next on the last page.
 *   3. At T2 = T0 + 3 days: A's update_frequency_met fails (3 days > 2):
 *      score 80; B (weekly) is still 65. A is republished (version 2,
 *      modified T2): back to 100, dcat:version "2". C is withdrawn.
 *      - no modified_since: B, D, A (C gone);
 *      - modified_since=2026-03-03 (a day, 00:00 China time): D, A, then C
 *        with adms:status Withdrawn (and no distributions);
 *      - modified_since = T1 exactly (ISO, +08:00 and Z forms, and an
 *        unencoded '+' that arrives as a space): D included (at or after);
 *        T1 + 1 s: D excluded; after T2: no datasets, no hydra:next.
 *   4. Paging: limit=1 follows hydra:next absolute URLs B -> D -> A, the
 *      last page has no hydra:next; with modified_since and limit=2 the
 *      next URL keeps modified_since: [D, A] then [C].
 *   5. Errors: bad modified_since (not a date, 2026-02-30, hour 25, empty)
 *      -> 400 naming modified_since; bad cursors -> 400 cursor invalid;
 *      limit 0 and 501 -> 400 limit; quality of the withdrawn C -> 404.
 *   6. With the node's own address set (node_meta fed_url, as `node init
 *      --url` sets it), IRIs use it instead of the Host header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { api, login, startNode, DEMO_PASSWORD } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const T1 = '2026-03-03T10:00:00+08:00';
const T2 = '2026-03-05T10:00:00+08:00';

const FIELDS = [
	{ name: 'reg_no', label: '注册号', type: 'string', sensitivity: 'public' },
	{ name: 'company', label: '企业名称', type: 'string', sensitivity: 'public' },
	{ name: 'capital', label: '注册资本', type: 'integer', sensitivity: 'public' },
	{ name: 'rate', label: '抽检合格率', type: 'number', sensitivity: 'public' },
	{ name: 'legal_rep', label: '法定代表人', type: 'string', sensitivity: 'personal' },
];
const ROWS = [
	{ reg_no: 'R001', company: '贵阳甲科技有限公司', capital: 100, rate: 1.5, legal_rep: '张三' },
	{ reg_no: 'R002', company: '贵阳乙商贸有限公司', capital: 500, rate: 2.25, legal_rep: '李四' },
];
const DESC_A = '南明区市场主体的注册号、企业名称、注册资本和抽检合格率，每日更新'; /* 32 characters */
const DESC_B = '南明区市场主体抽检情况：注册号、企业名称、注册资本和抽检合格率汇总'; /* 33 characters */
const META = {
	resource: 'T8-DCAT',
	keywords: ['企业', '市场主体'],
	theme: '市场监管',
	contact: '南明区市场监督管理局 0851-12345678',
	spatial: ['520102'],
	fields: ['reg_no', 'company', 'capital', 'rate'],
};
const A = {
	...META,
	code: 'T8-DCAT-A',
	title: '南明区企业登记信息',
	description: DESC_A,
	license: 'CC-BY-4.0',
	update_frequency: 'daily',
	temporal_from: '2018-01-01',
	temporal_to: '2026-03-01',
	spatial: ['520102', '520103'],
	fields: ['reg_no', 'company', { name: 'capital', unit: '万元' }, { name: 'rate', unit: '%' }],
};
const B = { ...META, code: 'T8-DCAT-B', title: '南明区抽检汇总', description: DESC_B, license: 'ODC-BY-1.0', update_frequency: 'weekly' };
const C = { ...META, code: 'T8-DCAT-C', title: '南明区月度数据', description: '每月更新一次的企业登记数据', license: 'ODbL-1.0', update_frequency: 'monthly' };
const D = { ...META, code: 'T8-DCAT-D', title: '南明区实时数据', description: '实时更新的企业登记数据', license: 'PDDL-1.0', update_frequency: 'realtime' };

const FREQ = 'http://publications.europa.eu/resource/authority/frequency/';
const CONTEXT = {
	dcat: 'http://www.w3.org/ns/dcat#',
	dct: 'http://purl.org/dc/terms/',
	foaf: 'http://xmlns.com/foaf/0.1/',
	vcard: 'http://www.w3.org/2006/vcard/ns#',
	xsd: 'http://www.w3.org/2001/XMLSchema#',
	adms: 'http://www.w3.org/ns/adms#',
	skos: 'http://www.w3.org/2004/02/skos/core#',
	hydra: 'http://www.w3.org/ns/hydra/core#',
};
const zh = (s) => ({ '@value': s, '@language': 'zh' });
const dt = (s) => ({ '@value': s, '@type': 'xsd:dateTime' });

describe('open data DCAT catalog and quality', () => {
	let node, admin, scjg;
	const ids = {};

	const call = (method, path, token, json) => api(node.url, method, path, { token, json });
	const get = (path, token) => call('GET', path, token);
	const post = (path, token, json) => call('POST', path, token, json ?? {});
	const err = (r) => [r.status, r.json?.errors?.[0]?.field, r.json?.errors?.[0]?.reason];
	const catalog = (q = '') => get(`/api/v1/dcat/catalog${q}`);
	const codes = (r) => r.json['dcat:dataset'].map((d) => d['dct:identifier']);
	/* The codes of the datasets `zhengtong init` publishes itself (demo
	 * data, all at T0 before ours), in catalog order: they come first in
	 * the lists without modified_since. */
	let demo = [];
	/* The same with any the demo withdrew (listed with a modified_since
	 * before T0). */
	let demoAll = [];
	const quality = async (id) => {
		const r = await get(`/api/v1/datasets/${id}/quality`);
		assert.equal(r.status, 200, r.text);
		return r.json;
	};
	const scores = (q) => Object.fromEntries(q.checks.map((c) => [c.check, c.passed]));
	/* The path and query of an absolute link of this node. */
	const local = (url) => {
		assert.ok(url.startsWith(node.url + '/'), url);
		return url.slice(node.url.length);
	};

	async function restartAt(now) {
		await node.restart({ now });
		scjg = await login(node.url, 'scjg.dcat');
	}
	async function publish(meta) {
		const r = await post('/api/v1/datasets', scjg, meta);
		assert.equal(r.status, 201, r.text);
		ids[meta.code] = r.json.id;
	}

	before(async () => {
		node = await startNode({ now: T0, env: { ZT_OPENDATA_RATE_ANON: '0' } });
		admin = await login(node.url, 'admin');
		const d = await get('/api/v1/departments');
		const dept = (d.json.items ?? d.json).find((x) => x.name === '南明区市场监督管理局').id;
		let r = await post('/api/v1/officials', admin, {
			login: 'scjg.dcat',
			name: '数据专员',
			password: DEMO_PASSWORD,
			dept_id: dept,
			roles: ['data_officer'],
		});
		assert.equal(r.status, 201, r.text);
		scjg = await login(node.url, 'scjg.dcat');
		r = await post('/api/v1/resources', scjg, {
			code: 'T8-DCAT',
			name: '企业登记 DCAT',
			fields: FIELDS,
			key_field: 'reg_no',
			share_type: 'unconditional',
			share_method: 'api',
			open_type: 'open',
			update_cycle: 'daily',
		});
		assert.equal(r.status, 201, r.text);
		r = await call('PUT', `/api/v1/resources/${r.json.id}/rows`, scjg, { rows: ROWS });
		assert.equal(r.status, 200, r.text);
		demo = node
			.sql("SELECT code, modified_at FROM datasets WHERE status = 'published' ORDER BY modified_at, id")
			.map((x) => { assert.ok(Number(x.modified_at) <= Date.parse(T0) / 1000); return x.code; });
		demoAll = node.sql('SELECT code FROM datasets ORDER BY modified_at, id').map((x) => x.code);
		await publish(A);
		await publish(B);
	});
	after(async () => {
		await node?.stop();
	});

	it('scores quality from the six checks', async () => {
		const a = await quality(ids['T8-DCAT-A']);
		assert.equal(a.score, 100);
		assert.deepEqual(
			a.checks.map((c) => [c.check, c.passed, c.weight]),
			[
				['license', true, 20],
				['description', true, 15],
				['coverage', true, 15],
				['update_frequency_met', true, 20],
				['fields_documented', true, 20],
				['open_format', true, 10],
			],
		);
		const b = await quality(ids['T8-DCAT-B']);
		assert.deepEqual(b, {
			score: 65,
			checks: [
				{ check: 'license', passed: true, weight: 20, detail: 'ODC-BY-1.0 is an open license', detail_zh: 'ODC-BY-1.0 是开放许可协议' },
				{ check: 'description', passed: true, weight: 15, detail: '33 characters (at least 30 wanted)', detail_zh: '33 个字（至少 30 个）' },
				{ check: 'coverage', passed: false, weight: 15, detail: 'no temporal coverage', detail_zh: '没有时间范围' },
				{ check: 'update_frequency_met', passed: true, weight: 20, detail: 'weekly: updated 0 days ago (at most 8 allowed)', detail_zh: '0 天前更新（按更新频率最多 8 天）' },
				{ check: 'fields_documented', passed: false, weight: 20, detail: '2 of 4 fields undocumented: capital (no unit), rate (no unit)', detail_zh: '2 个字段（共 4 个）说明不全：capital（缺单位），rate（缺单位）' },
				{ check: 'open_format', passed: true, weight: 10, detail: 'served as CSV and JSON, both open machine-readable formats', detail_zh: '以 CSV 和 JSON 两种开放的机器可读格式提供' },
			],
		});
		assert.equal((await get('/api/v1/datasets/999999/quality')).status, 404);
		assert.equal((await get('/api/v1/datasets/abc/quality')).status, 404);
	});

	it('describes the catalog in DCAT-AP JSON-LD', async () => {
		await restartAt(T1);
		await publish(C);
		await publish(D);
		const r = await catalog();
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.get('content-type'), 'application/ld+json');
		const { 'dcat:dataset': items, ...cat } = r.json;
		assert.deepEqual(cat, {
			'@context': CONTEXT,
			'@id': `${node.url}/api/v1/dcat/catalog`,
			'@type': 'dcat:Catalog',
			'dct:title': [zh('政通数据开放目录'), { '@value': 'Zhengtong Open Data Catalog', '@language': 'en' }],
			'dct:description': [
				zh('本节点公开发布的开放数据集（DCAT-AP）'),
				{ '@value': 'Open datasets published by this node (DCAT-AP)', '@language': 'en' },
			],
			'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': cat['dct:publisher']['foaf:name'] },
			'foaf:homepage': { '@id': `${node.url}/` },
			'hydra:view': { '@id': `${node.url}/api/v1/dcat/catalog?limit=100`, '@type': 'hydra:PartialCollectionView' },
		});
		assert.ok(cat['dct:publisher']['foaf:name'].length > 0);
		assert.deepEqual(items.map((d) => d['dct:identifier']), [...demo, 'T8-DCAT-A', 'T8-DCAT-B', 'T8-DCAT-C', 'T8-DCAT-D']);
		items.splice(0, demo.length);

		const iri = `${node.url}/api/v1/datasets/${ids['T8-DCAT-A']}`;
		const dist = (fmt, media, type) => ({
			'@id': `${iri}#distribution-${fmt}`,
			'@type': 'dcat:Distribution',
			'dct:title': type,
			'dcat:accessURL': { '@id': `${iri}/download?format=${fmt}` },
			'dcat:downloadURL': { '@id': `${iri}/download?format=${fmt}` },
			'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${media}` },
			'dct:format': { '@id': `http://publications.europa.eu/resource/authority/file-type/${type}` },
			'dct:license': { '@id': 'https://creativecommons.org/licenses/by/4.0/' },
		});
		assert.deepEqual(items[0], {
			'@id': iri,
			'@type': 'dcat:Dataset',
			'dct:identifier': 'T8-DCAT-A',
			'dct:title': zh('南明区企业登记信息'),
			'dct:description': zh(DESC_A),
			'dcat:keyword': ['企业', '市场主体'],
			'dcat:theme': { '@type': 'skos:Concept', 'skos:prefLabel': zh('市场监管') },
			'dct:publisher': { '@type': 'foaf:Organization', 'foaf:name': '南明区市场监督管理局' },
			'dct:license': { '@id': 'https://creativecommons.org/licenses/by/4.0/' },
			'dct:accrualPeriodicity': { '@id': `${FREQ}DAILY` },
			'dct:temporal': {
				'@type': 'dct:PeriodOfTime',
				'dcat:startDate': { '@value': '2018-01-01', '@type': 'xsd:date' },
				'dcat:endDate': { '@value': '2026-03-01', '@type': 'xsd:date' },
			},
			'dct:spatial': [
				{ '@type': 'dct:Location', 'dct:identifier': '520102', 'skos:prefLabel': zh(regionName('520102')) },
				{ '@type': 'dct:Location', 'dct:identifier': '520103', 'skos:prefLabel': zh(regionName('520103')) },
			],
			'dct:issued': dt(T0),
			'dct:modified': dt(T0),
			'dcat:contactPoint': { '@type': 'vcard:Kind', 'vcard:fn': '南明区市场监督管理局 0851-12345678' },
			'dcat:version': '1',
			'dcat:distribution': [dist('csv', 'text/csv', 'CSV'), dist('json', 'application/json', 'JSON')],
		});
		assert.equal(regionName('520102'), '南明区');
		/* The download links work. */
		const dl = await get(local(items[0]['dcat:distribution'][1]['dcat:downloadURL']['@id']));
		assert.equal(dl.status, 200, dl.text);
		assert.equal(dl.json.length, 2);

		const pick = (d) => [d['dct:license']['@id'], d['dct:accrualPeriodicity']['@id'], d['dcat:distribution'][0]['dct:license']['@id'], 'dct:temporal' in d, d['dct:issued']['@value']];
		assert.deepEqual(items.slice(1).map(pick), [
			['https://opendatacommons.org/licenses/by/1-0/', `${FREQ}WEEKLY`, 'https://opendatacommons.org/licenses/by/1-0/', false, T0],
			['https://opendatacommons.org/licenses/odbl/1-0/', `${FREQ}MONTHLY`, 'https://opendatacommons.org/licenses/odbl/1-0/', false, T1],
			['https://opendatacommons.org/licenses/pddl/1-0/', `${FREQ}UPDATE_CONT`, 'https://opendatacommons.org/licenses/pddl/1-0/', false, T1],
		]);
		assert.ok(!items.some((d) => 'adms:status' in d));
	});

	it('follows time: update frequency, republication, withdrawal, modified_since', async () => {
		await restartAt(T2);
		let a = await quality(ids['T8-DCAT-A']);
		assert.equal(a.score, 80);
		assert.equal(scores(a).update_frequency_met, false);
		assert.equal(a.checks[3].detail, 'daily: updated 3 days ago (at most 2 allowed)');
		assert.equal((await quality(ids['T8-DCAT-B'])).score, 65);

		let r = await post(`/api/v1/datasets/${ids['T8-DCAT-A']}/versions`, scjg, {});
		assert.equal(r.status, 201, r.text);
		a = await quality(ids['T8-DCAT-A']);
		assert.equal(a.score, 100);
		r = await post(`/api/v1/datasets/${ids['T8-DCAT-C']}/withdraw`, scjg, { reason: '数据停止更新' });
		assert.equal(r.status, 200, r.text);
		assert.equal((await get(`/api/v1/datasets/${ids['T8-DCAT-C']}/quality`)).status, 404);

		r = await catalog();
		assert.deepEqual(codes(r), [...demo, 'T8-DCAT-B', 'T8-DCAT-D', 'T8-DCAT-A']);
		const a2 = r.json['dcat:dataset'][demo.length + 2];
		assert.equal(a2['dcat:version'], '2');
		assert.deepEqual([a2['dct:issued'], a2['dct:modified']], [dt(T0), dt(T2)]);

		r = await catalog('?modified_since=2026-03-03');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(codes(r), ['T8-DCAT-D', 'T8-DCAT-A', 'T8-DCAT-C']);
		assert.deepEqual(r.json['dcat:dataset'][2], {
			'@id': `${node.url}/api/v1/datasets/${ids['T8-DCAT-C']}`,
			'@type': 'dcat:Dataset',
			'dct:identifier': 'T8-DCAT-C',
			'dct:title': zh('南明区月度数据'),
			'dct:modified': dt(T2),
			'adms:status': { '@id': 'http://purl.org/adms/status/Withdrawn' },
		});
		for (const since of [encodeURIComponent(T1), '2026-03-03T02:00:00Z', '2026-03-03T10:00:00+08:00', '2026-03-03T10:00:00.000%2B08:00'])
			assert.deepEqual(codes(await catalog(`?modified_since=${since}`)), ['T8-DCAT-D', 'T8-DCAT-A', 'T8-DCAT-C'], since);
		for (const since of ['2026-03-03T02:00:01Z', '2026-03-03T10:00:01'])
			assert.deepEqual(codes(await catalog(`?modified_since=${since}`)), ['T8-DCAT-A', 'T8-DCAT-C'], since);
		r = await catalog(`?modified_since=${encodeURIComponent('2026-03-05T10:00:01+08:00')}`);
		assert.deepEqual(codes(r), []);
		assert.equal('hydra:next' in r.json['hydra:view'], false);
		/* Before everything: every published and withdrawn dataset. */
		assert.deepEqual(codes(await catalog('?modified_since=2026-01-01')), [...demoAll, 'T8-DCAT-B', 'T8-DCAT-D', 'T8-DCAT-A', 'T8-DCAT-C']);
	});

	it('pages with hydra:next links', async () => {
		const seen = [];
		let path = '/api/v1/dcat/catalog?limit=1';
		for (let i = 0; i < demo.length + 5 && path; i++) {
			const r = await get(path);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json['dcat:dataset'].length, 1);
			seen.push(...codes(r));
			const next = r.json['hydra:view']['hydra:next'];
			path = next ? local(next['@id']) : null;
			if (next) assert.match(path, /^\/api\/v1\/dcat\/catalog\?limit=1&cursor=[A-Za-z0-9_-]+$/);
		}
		assert.equal(path, null);
		assert.deepEqual(seen, [...demo, 'T8-DCAT-B', 'T8-DCAT-D', 'T8-DCAT-A']);

		let r = await catalog('?modified_since=2026-03-03&limit=2');
		assert.deepEqual(codes(r), ['T8-DCAT-D', 'T8-DCAT-A']);
		const next = local(r.json['hydra:view']['hydra:next']['@id']);
		assert.match(next, /^\/api\/v1\/dcat\/catalog\?modified_since=2026-03-03&limit=2&cursor=/);
		r = await get(next);
		assert.deepEqual(codes(r), ['T8-DCAT-C']);
		assert.equal(r.json['hydra:view']['@id'], node.url + next);
		assert.equal('hydra:next' in r.json['hydra:view'], false);
	});

	it('refuses bad parameters', async () => {
		for (const since of ['yesterday', '2026-02-30', '2026-03-03T25:00:00', '2026-03-03T10:00', '2026-03-03T10:00:00+8', '', '1772416800'])
			assert.deepEqual(err(await catalog(`?modified_since=${since}`)), [400, 'modified_since', 'format'], since);
		const b64 = (s) => Buffer.from(s).toString('base64url');
		for (const cursor of ['!!', b64('12'), b64('x.1'), b64('1.0'), b64('-1.5'), b64('1.2.3'), b64('99999999999999999999.1')])
			assert.deepEqual(err(await catalog(`?cursor=${cursor}`)), [400, 'cursor', 'invalid'], cursor);
		assert.deepEqual(err(await catalog('?limit=0')), [400, 'limit', 'range']);
		assert.deepEqual(err(await catalog('?limit=501')), [400, 'limit', 'range']);
		assert.equal((await catalog('?limit=500')).status, 200);
		/* A well-formed cursor of any position is a place to start from. */
		assert.deepEqual(codes(await catalog(`?cursor=${b64('0.1')}`)), [...demo, 'T8-DCAT-B', 'T8-DCAT-D', 'T8-DCAT-A']);
	});

	it("uses the node's own address for IRIs when it has one", async () => {
		node.sql("INSERT INTO node_meta (key, value) VALUES ('fed_url', 'https://data.nanming.example.cn/')");
		const r = await catalog('?limit=1');
		assert.equal(r.json['@id'], 'https://data.nanming.example.cn/api/v1/dcat/catalog');
		const first = node.sql("SELECT id FROM datasets WHERE status = 'published' ORDER BY modified_at, id LIMIT 1")[0].id;
		assert.equal(r.json['dcat:dataset'][0]['@id'], `https://data.nanming.example.cn/api/v1/datasets/${first}`);
		assert.match(r.json['hydra:view']['hydra:next']['@id'], /^https:\/\/data\.nanming\.example\.cn\/api\/v1\/dcat\/catalog\?limit=1&cursor=/);
		node.sql("DELETE FROM node_meta WHERE key = 'fed_url'");
	});

	function regionName(code) {
		return node.sql(`SELECT name FROM regions WHERE code = '${code}'`)[0].name;
	}
});
