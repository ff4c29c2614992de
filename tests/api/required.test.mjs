/*
 * required.test.mjs - the regions' required item lists (事项清单): `zhengtong
 * items required import` and the region detail's missing_items.
 *
 * Test plan (clock frozen at NOW = 2026-04-10 10:00 +08:00; a demo node:
 * its items are published at NOW: nine of 南明区 520102, among them
 * 520102-SCJG-XK-001, 520102-MZ-QR-003 and 520102-RS-GF-001, and
 * 520100-WJ-XK-001 of 贵阳市 520100; 520100-WJ-GG-002 is a draft; 云岩区
 * 520103 has no department). 钟山区 520201 gets one row KEEP-1 by SQL.
 *   1. Import 1 (BOM, CRLF, columns in another order, a quoted name with a
 *      comma): 520102 {SCJG-XK-001, MZ-QR-003, 520102-X-NONE,
 *      520100-WJ-XK-001}, 520103 {520102-RS-GF-001, 520103-Z-001} -> exit 0,
 *      "imported 6 required items for 2 regions (0 replaced)", exactly those
 *      rows plus KEEP-1, one audit record with the regions and row counts.
 *      Region detail 520102 (period 2026): published 50 (2 of 4: the
 *      贵阳市 item is outside its subtree), missing_items = [520100-WJ-XK-001,
 *      520102-X-NONE], missing_total 2.
 *   2. Import 2 names 520102 only: {SCJG-XK-001, 520102-X-NONE,
 *      520100-WJ-GG-002 (draft), 520102-A-Z} -> "imported 4 required items
 *      for 1 region (4 replaced)"; 520102 holds exactly these four, 520103
 *      and 520201 keep theirs. 520102: published 25, missing 3 (by code).
 *      520100 (its subtree holds 520102's and 520103's lists): published
 *      33.33 (SCJG-XK-001 and RS-GF-001 of 6), missing 4 sorted by
 *      region_code, code. Period 2026-Q1 (before the items were published):
 *      520102 not evaluated (published null) and all 4 missing.
 *   3. A file with an unknown region, a code with a space, a 65-character
 *      code, an empty name, a 201-character name, a control character, a
 *      row of 2 fields and a duplicate -> exit 1, every bad line named with
 *      field and reason, "8 of 9 row(s) rejected; nothing was imported",
 *      the table unchanged and no new audit record. A bad header (a
 *      missing column, an unknown one) -> exit 1 naming the header. No
 *      FILE, no "import" -> exit 2.
 *   4. 205 required items for 520103: the detail of 520100 lists the first
 *      200 (by region_code, code) and missing_total 208.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, startNode } from './lib/node.mjs';

const NOW = '2026-04-10T10:00:00+08:00';

describe('required item lists (事项清单)', () => {
	let node;
	let file;
	const get = (path) => api(node.url, 'GET', path);
	const rows = () => node.sql('SELECT region_code, code, name FROM required_items ORDER BY region_code, code');
	const audits = () => node.sql("SELECT data FROM audit_log WHERE action = 'required_items.import' ORDER BY seq");
	const detail = async (code, period = '2026') => {
		const res = await get(`/api/v1/evaluation/regions/${code}?period=${period}`);
		assert.equal(res.status, 200, res.text);
		return res.json;
	};
	const importFile = (text) => {
		writeFileSync(file, text);
		return node.cli(['items', 'required', 'import', file]);
	};

	before(async () => {
		node = await startNode({ now: NOW });
		file = join(node.dataDir, 'list.csv');
		node.sql("INSERT INTO required_items (region_code, code, name) VALUES ('520201', 'KEEP-1', '保留')");
	});
	after(async () => {
		await node?.stop();
	});

	it('imports lists region by region and shows what is missing', async () => {
		let r = importFile(
			'\uFEFFcode,name,region_code\r\n' +
				'520102-SCJG-XK-001,个体工商户设立登记,520102\r\n' +
				'520102-MZ-QR-003,民政事项,520102\r\n' +
				'520102-X-NONE,"缺失, 事项",520102\r\n' +
				'520100-WJ-XK-001,市级事项,520102\r\n' +
				'520102-RS-GF-001,南明事项,520103\r\n' +
				'520103-Z-001,云岩事项,520103\r\n',
		);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, 'imported 6 required items for 2 regions (0 replaced)\n');
		assert.deepEqual(rows(), [
			{ region_code: '520102', code: '520100-WJ-XK-001', name: '市级事项' },
			{ region_code: '520102', code: '520102-MZ-QR-003', name: '民政事项' },
			{ region_code: '520102', code: '520102-SCJG-XK-001', name: '个体工商户设立登记' },
			{ region_code: '520102', code: '520102-X-NONE', name: '缺失, 事项' },
			{ region_code: '520103', code: '520102-RS-GF-001', name: '南明事项' },
			{ region_code: '520103', code: '520103-Z-001', name: '云岩事项' },
			{ region_code: '520201', code: 'KEEP-1', name: '保留' },
		]);
		const a = audits();
		assert.equal(a.length, 1);
		assert.deepEqual(JSON.parse(a[0].data), {
			rows: 6,
			replaced: 0,
			regions: [
				{ region_code: '520102', rows: 4, replaced: 0 },
				{ region_code: '520103', rows: 2, replaced: 0 },
			],
		});

		const d = await detail('520102');
		assert.equal(d.indicators.coverage.measures.published, 50);
		assert.deepEqual(d.missing_items, [
			{ code: '520100-WJ-XK-001', name: '市级事项', region_code: '520102' },
			{ code: '520102-X-NONE', name: '缺失, 事项', region_code: '520102' },
		]);
		assert.equal(d.missing_total, 2);
	});

	it('replaces the lists of the regions a file names and keeps the others', async () => {
		const r = importFile(
			'region_code,code,name\n' +
				'520102,520102-SCJG-XK-001,个体工商户设立登记\n' +
				'520102,520102-X-NONE,缺失事项\n' +
				'520102,520100-WJ-GG-002,草稿事项\n' +
				'520102,520102-A-Z,"其他, 事项"\n',
		);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, 'imported 4 required items for 1 region (4 replaced)\n');
		assert.deepEqual(rows(), [
			{ region_code: '520102', code: '520100-WJ-GG-002', name: '草稿事项' },
			{ region_code: '520102', code: '520102-A-Z', name: '其他, 事项' },
			{ region_code: '520102', code: '520102-SCJG-XK-001', name: '个体工商户设立登记' },
			{ region_code: '520102', code: '520102-X-NONE', name: '缺失事项' },
			{ region_code: '520103', code: '520102-RS-GF-001', name: '南明事项' },
			{ region_code: '520103', code: '520103-Z-001', name: '云岩事项' },
			{ region_code: '520201', code: 'KEEP-1', name: '保留' },
		]);
		const a = audits();
		assert.equal(a.length, 2);
		assert.deepEqual(JSON.parse(a[1].data), {
			rows: 4,
			replaced: 4,
			regions: [{ region_code: '520102', rows: 4, replaced: 4 }],
		});

		const own = [
			{ code: '520100-WJ-GG-002', name: '草稿事项', region_code: '520102' },
			{ code: '520102-A-Z', name: '其他, 事项', region_code: '520102' },
			{ code: '520102-X-NONE', name: '缺失事项', region_code: '520102' },
		];
		let d = await detail('520102');
		assert.equal(d.indicators.coverage.measures.published, 25);
		assert.deepEqual(d.missing_items, own);
		assert.equal(d.missing_total, 3);

		d = await detail('520100');
		assert.equal(d.indicators.coverage.measures.published, 33.33);
		assert.deepEqual(d.missing_items, [...own, { code: '520103-Z-001', name: '云岩事项', region_code: '520103' }]);
		assert.equal(d.missing_total, 4);

		/* Before the items were published nothing counts. */
		d = await detail('520102', '2026-Q1');
		assert.equal(d.indicators.coverage.measures.published, null);
		assert.deepEqual(
			d.missing_items.map((x) => x.code),
			['520100-WJ-GG-002', '520102-A-Z', '520102-SCJG-XK-001', '520102-X-NONE'],
		);
		assert.equal(d.missing_total, 4);
	});

	it('refuses a file with bad rows whole, naming every one', () => {
		const before = rows();
		const long = 'A'.repeat(65);
		let r = importFile(
			'region_code,code,name\n' +
				'520102,OK-1,好\n' + // 2: good
				'999999,OK-2,未知地区\n' + // 3
				'520102,A B,空格\n' + // 4
				`520102,${long},太长\n` + // 5
				'520102,OK-3,\n' + // 6
				`520102,OK-4,${'名'.repeat(201)}\n` + // 7
				'520102,OK-5,"换\n行"\n' + // 8 (a line break in the name)
				'520102,OK-6\n' + // 10
				'520102,OK-1,重复\n', // 11
		);
		assert.equal(r.code, 1, r.stdout);
		assert.equal(r.stdout, '');
		const lines = r.stderr.trim().split('\n');
		assert.deepEqual(lines, [
			'line 3: region_code: unknown: no such region',
			'line 4: code: format: 1-64 characters of A-Z, a-z, 0-9 and -',
			'line 5: code: format: 1-64 characters of A-Z, a-z, 0-9 and -',
			'line 6: name: required: 1-200 characters',
			'line 7: name: too_long: 1-200 characters',
			'line 8: name: encoding: not UTF-8 text (or a control character)',
			'line 10: -: columns: 2 fields, expected 3',
			'line 11: code: duplicate: the same region and code as line 2',
			'items required import: 8 of 9 row(s) rejected; nothing was imported',
		]);
		assert.deepEqual(rows(), before);
		assert.equal(audits().length, 2);

		r = importFile('region_code,code\n520102,OK-1\n');
		assert.equal(r.code, 1);
		assert.equal(r.stderr, 'items required import: header: column name is missing\n');
		r = importFile('region_code,code,name,extra\n520102,OK-1,好,x\n');
		assert.equal(r.code, 1);
		assert.match(r.stderr, /header: unknown column "extra"/);
		r = importFile('');
		assert.equal(r.code, 1);
		assert.match(r.stderr, /header: the file is empty/);
		assert.deepEqual(rows(), before);

		r = node.cli(['items', 'required', 'import']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /usage: zhengtong items required import FILE\.csv/);
		r = node.cli(['items', 'required', file]);
		assert.equal(r.code, 2);
		r = node.cli(['items', 'required', 'import', join(node.dataDir, 'none.csv')]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /cannot open/);
	});

	it('lists at most 200 missing items with their total', async () => {
		const codes = Array.from({ length: 205 }, (_, i) => `R-${String(i).padStart(3, '0')}`);
		const r = importFile('region_code,code,name\n' + codes.map((c) => `520103,${c},事项${c}`).join('\n') + '\n');
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, 'imported 205 required items for 1 region (2 replaced)\n');
		const d = await detail('520100');
		assert.equal(d.missing_total, 208);
		assert.equal(d.missing_items.length, 200);
		assert.deepEqual(
			d.missing_items.slice(0, 4).map((x) => `${x.region_code} ${x.code}`),
			['520102 520100-WJ-GG-002', '520102 520102-A-Z', '520102 520102-X-NONE', '520103 R-000'],
		);
		assert.deepEqual(d.missing_items[199], { code: 'R-196', name: '事项R-196', region_code: '520103' });
		/* 1 published (520102-SCJG-XK-001) of 4 + 205 */
		assert.equal(d.indicators.coverage.measures.published, Math.round((100 * 1) / 209 * 100) / 100);
	});
});
