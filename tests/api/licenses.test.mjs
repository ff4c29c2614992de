/*
 * licenses.test.mjs - e-licenses (电子证照) and once-only materials (一次办).
 *
 * Test plan (clock frozen at T0 = Mon 2026-03-02 10:00 +08:00; the node is
 * restarted at TX = 2031-03-02, the day after a 5-year license ends):
 *   1. License types: scjg.admin defines 个体工商户营业执照 (5 years, fields 字号
 *      and 经营范围) -> 201, code = the department's credit code + "001"; the
 *      public list shows it; a citizen -> 403; valid_years 0 -> 400 naming it.
 *   2. Items: scjg.admin creates item A (issues that license type) and item B
 *      whose material 1 is satisfied by the license type; the guide shows
 *      license_type on A and on B's material 1 (and nothing on the others);
 *      an unknown type -> 400 naming license_type / materials[0].license_type.
 *   3. Without a license: prefill of B is []; submitting B without material
 *      1 -> 422 materials/missing_required naming 营业执照 (as before).
 *   4. Issuing: the citizen applies for A, the clerk accepts, the reviewer
 *      approves -> history ends with license_issued carrying the identifier;
 *      the identifier is exactly 1.2.156.3005.2.<cc>002.<cc>.0000001.001.<c>
 *      (type 001 is the demo node's 营业执照（个体工商户）)
 *      with c the ISO 7064 MOD 37,36 character computed here independently;
 *      the row holds the holder, the case, data {case_no, item_code,
 *      item_name, fields (only the type's fields)}, 2026-03-02 .. 2031-03-01;
 *      the signature verifies with the openssl command line (SM2 with SM3,
 *      ID 1234567812345678) over the canonical JSON rebuilt here from the row
 *      and the node_keys public key, and not over altered data.
 *   5. Reading: the holder lists it and reads it (data, qr); ?download=1 adds
 *      Content-Disposition: attachment with the file name; another citizen
 *      -> 404; the issuer's clerk -> 200 and sees it in ?dept=mine; another
 *      department's official -> 403; anonymous -> 401; a malformed id -> 404.
 *   6. Verify (public): valid (holder masked); QR content -> valid; the last
 *      character changed -> forged/bad_check_character; a well-formed unknown
 *      identifier -> forged/unknown_identifier; a QR with another license's
 *      signature -> forged/qr_mismatch; malformed identifier / QR / neither /
 *      both -> 400 naming the field. The CLI agrees: exit 0 "valid", exit 1
 *      "forged (bad_check_character)", exit 2 without an argument.
 *   7. Once-only: prefill of B lists material 1 from the license; submitting
 *      B with only material 2 -> 201, exempted 1, materials[] has source
 *      license, ref = identifier, the license data and file null, and the
 *      upload with source upload; cases.exempted = 1 and a case_materials
 *      row with source license; the scjg clerk sees the same data. Another
 *      citizen without a license still must upload material 1 (422).
 *   8. A second approval gives serial 0000002. Its data altered in the
 *      database -> verify forged/bad_signature (CLI exit 1).
 *   9. Revocation: a citizen -> 403; another department's reviewer -> 403;
 *      the scjg reviewer -> 200 revoked; again -> 409; verify -> revoked; CLI
 *      exit 1. With license 1 revoked and license 2 forged, B needs the
 *      upload again (422).
 *  10. Expiry: a third license (another citizen) is valid at T0; at TX the
 *      verify endpoint and the CLI say expired.
 *  11. Once-only through shared data: rs.data registers a resource (key and
 *      subject id_number, personal fields) and loads a row about the
 *      citizen; item D's material names it (an unknown resource -> 400
 *      materials[0].resource/unknown). Before any grant: prefill [] and
 *      the upload is required (422). After scjg.data's unconditional
 *      request (granted at once): prefill lists it (ref grant:<id>), and
 *      nothing was read yet (no access record); submitting with no
 *      materials -> 201, exempted 1, source share, ref grant:<id>/<key as
 *      the grant delivers it, masked>, data {resource, grant, row} with
 *      the personal fields masked; exactly one access record with purpose
 *      "办件 <case no>", visible in the citizen's /me/data-access. A
 *      citizen with no row still must upload (422).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { api, login, newCitizen, pdf, startNode, upload } from './lib/node.mjs';

const T0 = '2026-03-02T10:00:00+08:00';
const TX = '2031-03-02T10:00:00+08:00';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/* ISO/IEC 7064 MOD 37,36 (hybrid), written from the standard's recursion:
 * P0 = 36; S = (P + a) mod 36, 0 -> 36; P = 2S mod 37; check c with
 * (P + c) mod 36 = 1. The standard's example A12425GABC1234002 -> M. */
function mod3736(s) {
	let p = 36;
	for (const ch of s.replaceAll('.', '')) {
		let t = (p + ALPHABET.indexOf(ch)) % 36;
		if (t === 0) t = 36;
		p = (2 * t) % 37;
	}
	return ALPHABET[(37 - p) % 36];
}

/* The canonical JSON of docs/sharing.md: sorted keys, compact, raw UTF-8. */
function canonical(v) {
	if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.keys(v)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
			.join(',')}}`;
	return JSON.stringify(v);
}

/* openssl dgst -sm3 -verify: true when the signature holds. */
function opensslVerify(pem, sigB64url, payload) {
	const dir = mkdtempSync(join(tmpdir(), 'zt-sm2-'));
	try {
		writeFileSync(join(dir, 'pub.pem'), pem);
		writeFileSync(join(dir, 'sig.der'), Buffer.from(sigB64url, 'base64url'));
		writeFileSync(join(dir, 'msg'), payload);
		const r = spawnSync(
			'openssl',
			['dgst', '-sm3', '-verify', 'pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'sig.der', 'msg'],
			{ cwd: dir, encoding: 'utf8' },
		);
		if (r.error) throw r.error;
		return r.status === 0 && /Verified OK/.test(r.stdout);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

function item(code, extra) {
	return {
		code,
		name: '测试事项',
		type: 'XK',
		target: 'citizen',
		legal_days: 20,
		promised_days: 5,
		depth: 6,
		max_visits: 0,
		fee: '不收费',
		conditions: '条件',
		legal_basis: '依据',
		process: ['网上申请', '受理', '决定'],
		place: '南明区政务服务中心',
		office_hours: '工作日 9:00-17:00',
		consult: '0851-12345',
		complaint: '12345',
		channels: ['web', 'window'],
		materials: [{ name: '申请书', form: 'electronic' }],
		...extra,
	};
}

describe('e-licenses and once-only', () => {
	let node, admin, clerk, reviewer, rsClerk, rsReviewer;
	let cc, typeCode, itemA, itemB, cit, cit2, cit3;
	let lic1, lic2, lic3, case1;

	before(async () => {
		node = await startNode({ now: T0 });
		admin = await login(node.url, 'scjg.admin');
		clerk = await login(node.url, 'scjg.clerk');
		reviewer = await login(node.url, 'scjg.reviewer');
		rsClerk = await login(node.url, 'rs.clerk');
		rsReviewer = await login(node.url, 'rs.reviewer');
		cit = await newCitizen(node.url, { name: '张小明', seq: 61 });
		cit2 = await newCitizen(node.url, { name: '李四', seq: 62 });
		cit3 = await newCitizen(node.url, { name: '王五', seq: 63 });
		cc = node.sql("SELECT credit_code FROM departments WHERE name = '南明区市场监督管理局'")[0].credit_code;
	});
	after(async () => {
		await node?.stop();
	});

	const get = (path, token, headers) => api(node.url, 'GET', path, { token, headers });
	const post = (path, token, json) => api(node.url, 'POST', path, { token, json });
	const verify = (json) => post('/api/v1/licenses/verify', null, json);

	async function apply(who, code, materials, form = {}) {
		return post('/api/v1/cases', who.token, { item_code: code, form, materials });
	}
	async function uploaded(who, tag) {
		const r = await upload(node.url, who.token, pdf(tag));
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	}
	/* Applies for A and takes the case to approval; returns the identifier. */
	async function licensed(who, form) {
		const f = await uploaded(who, `application ${who.idn} ${JSON.stringify(form)}`);
		const c = await apply(who, 'LIC-TEST-A', [{ seq: 1, name: '申请书.pdf', file: f }], form);
		assert.equal(c.status, 201, c.text);
		let r = await post(`/api/v1/cases/${c.json.id}/accept`, clerk, {});
		assert.equal(r.status, 200, r.text);
		r = await post(`/api/v1/cases/${c.json.id}/approve`, reviewer, { comment: '准予许可' });
		assert.equal(r.status, 200, r.text);
		const last = r.json.history.at(-1);
		assert.equal(last.action, 'license_issued');
		assert.equal(last.to, 'approved');
		return { caseId: c.json.id, caseNo: c.json.case_no, identifier: last.data.identifier, history: r.json.history };
	}

	it('defines a license type (dept_admin), public list, refusals', async () => {
		let r = await post('/api/v1/license-types', admin, {
			name: '个体工商户营业执照',
			name_en: 'Business licence (individual)',
			fields: [{ name: '字号', label: '字号名称' }, { name: '经营范围' }],
			valid_years: 5,
		});
		assert.equal(r.status, 201, r.text);
		typeCode = r.json.code;
		assert.equal(typeCode, `${cc}002`);
		assert.deepEqual(r.json.fields, [
			{ name: '字号', label: '字号名称' },
			{ name: '经营范围', label: '经营范围' },
		]);
		assert.equal(r.json.valid_years, 5);
		r = await get('/api/v1/license-types');
		assert.equal(r.status, 200);
		/* The demo node defines 营业执照（个体工商户） first (number 001). */
		assert.deepEqual(r.json.items.map((t) => [t.code, t.name, t.department.name]), [
			[`${cc}001`, '营业执照（个体工商户）', '南明区市场监督管理局'],
			[typeCode, '个体工商户营业执照', '南明区市场监督管理局'],
		]);
		assert.equal(r.json.next, null);
		r = await post('/api/v1/license-types', cit.token, { name: '某证' });
		assert.equal(r.status, 403);
		r = await post('/api/v1/license-types', admin, { name: '某证', valid_years: 0 });
		assert.equal(r.status, 400);
		assert.equal(r.json.errors[0].field, 'valid_years');
		assert.equal(node.count('SELECT count(*) FROM license_types'), 2, 'the demo type and this one');
	});

	it('items name the license they issue and the license that satisfies a material', async () => {
		let r = await post('/api/v1/services', admin, item('LIC-TEST-A', { name: '个体工商户登记', license_type: typeCode }));
		assert.equal(r.status, 201, r.text);
		itemA = r.json.id;
		assert.equal(r.json.license_type, typeCode);
		assert.deepEqual(r.json.materials, [
			{ seq: 1, name: '申请书', form: 'electronic', count: 1, required: true, note: '' },
		]);
		r = await post(
			'/api/v1/services',
			admin,
			item('LIC-TEST-B', {
				name: '食品经营许可',
				materials: [
					{ name: '营业执照', form: 'electronic', license_type: typeCode },
					{ name: '经营场所证明', form: 'copy' },
				],
			}),
		);
		assert.equal(r.status, 201, r.text);
		itemB = r.json.id;
		assert.equal(r.json.license_type, null);
		assert.deepEqual(r.json.materials, [
			{ seq: 1, name: '营业执照', form: 'electronic', count: 1, required: true, note: '', license_type: typeCode },
			{ seq: 2, name: '经营场所证明', form: 'copy', count: 1, required: true, note: '' },
		]);
		for (const id of [itemA, itemB]) {
			r = await post(`/api/v1/services/${id}/publish`, admin, {});
			assert.equal(r.status, 200, r.text);
		}
		const unknown = `${cc}999`;
		r = await post('/api/v1/services', admin, item('LIC-TEST-C', { license_type: unknown }));
		assert.equal(r.status, 400);
		assert.deepEqual([r.json.errors[0].field, r.json.errors[0].reason], ['license_type', 'unknown']);
		r = await post(
			'/api/v1/services',
			admin,
			item('LIC-TEST-C', { materials: [{ name: '证照', form: 'electronic', license_type: unknown }] }),
		);
		assert.equal(r.status, 400);
		assert.deepEqual([r.json.errors[0].field, r.json.errors[0].reason], ['materials[0].license_type', 'unknown']);
		assert.equal(node.count("SELECT count(*) FROM service_items WHERE code = 'LIC-TEST-C'"), 0);
	});

	it('without a license the material must be uploaded as before', async () => {
		let r = await get(`/api/v1/services/${itemB}/prefill`, cit.token);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, []);
		const f = await uploaded(cit, 'premises');
		r = await apply(cit, 'LIC-TEST-B', [{ seq: 2, name: '场所证明.pdf', file: f }]);
		assert.equal(r.status, 422, r.text);
		assert.deepEqual([r.json.errors[0].field, r.json.errors[0].reason], ['materials', 'missing_required']);
		assert.match(r.json.errors[0].detail, /营业执照/);
		r = await get(`/api/v1/services/${itemB}/prefill`, clerk);
		assert.equal(r.status, 403);
	});

	it('approving a case of the item issues a signed license in the GB/T 36904 layout', async () => {
		assert.equal(mod3736('A12425GABC1234002'), 'M');
		const form = { 字号: '小明便利店', 经营范围: '日用百货零售', 联系电话: '13712345678' };
		const got = await licensed(cit, form);
		lic1 = got.identifier;
		case1 = got;
		const body = `1.2.156.3005.2.${cc}002.${cc}.0000001.001.`;
		assert.equal(lic1, body + mod3736(body));
		assert.match(lic1, /^1\.2\.156\.3005\.2\.[0-9A-Z]{21}\.[0-9A-Z]{18}\.\d{7}\.\d{3}\.[0-9A-Z]$/);
		assert.deepEqual(
			got.history.map((h) => [h.action, h.from, h.to, h.actor.role]),
			[
				['submit', null, 'submitted', 'applicant'],
				['accept', 'submitted', 'accepted', 'clerk'],
				['approve', 'accepted', 'approved', 'reviewer'],
				['license_issued', 'approved', 'approved', 'reviewer'],
			],
		);
		const [row] = node.sql(`SELECT * FROM licenses WHERE identifier = '${lic1}'`);
		assert.equal(row.type_code, typeCode);
		assert.equal(row.holder_kind, 'citizen');
		/* the holder's ID number as its blind index, the number encrypted */
		assert.equal(row.holder_id, node.bi(cit.idn));
		assert.match(row.holder_id_enc, /^enc1:\d+:/);
		assert.deepEqual(node.open([row.holder_id_enc]), [cit.idn]);
		assert.equal(row.holder_name, '张小明');
		assert.equal(row.case_id, got.caseId);
		assert.equal(row.serial, 1);
		assert.equal(row.issued_on, '2026-03-02');
		assert.equal(row.valid_to, '2031-03-01');
		assert.equal(row.status, 'valid');
		const data = JSON.parse(row.data);
		assert.deepEqual(data, {
			case_no: got.caseNo,
			item_code: 'LIC-TEST-A',
			item_name: '个体工商户登记',
			fields: { 字号: '小明便利店', 经营范围: '日用百货零售' },
		});
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'license.issue' AND object_id = '${lic1}'`), 1);

		/* The signature, checked by the openssl command line (SM2 with SM3,
		 * ID 1234567812345678) against the registered public key. */
		const [key] = node.sql(`SELECT public_pem FROM node_keys WHERE key_id = '${row.key_id}'`);
		const payload = canonical({
			data,
			holder_id: cit.idn,
			holder_name: '张小明',
			identifier: lic1,
			issued_on: '2026-03-02',
			issuer: cc,
			type: typeCode,
			valid_to: '2031-03-01',
		});
		assert.equal(opensslVerify(key.public_pem, row.sig, payload), true);
		assert.equal(opensslVerify(key.public_pem, row.sig, payload.replace('小明', '大明')), false);
	});

	it('the holder lists, reads and downloads it; others cannot', async () => {
		let r = await get('/api/v1/licenses', cit.token);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((l) => [l.identifier, l.status, l.type.code]), [[lic1, 'valid', typeCode]]);
		assert.equal(r.json.next, null);
		r = await get(`/api/v1/licenses/${lic1}`, cit.token);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.holder.id, cit.idn);
		assert.equal(r.json.issuer.credit_code, cc);
		assert.equal(r.json.valid_to, '2031-03-01');
		assert.equal(r.json.expired, false);
		assert.deepEqual(r.json.data.fields, { 字号: '小明便利店', 经营范围: '日用百货零售' });
		assert.equal(r.json.qr, `ZTL1|${lic1}|${r.json.sig}`);
		assert.equal(r.headers.get('content-disposition'), null);
		r = await get(`/api/v1/licenses/${lic1}?download=1`, cit.token);
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('content-disposition'), `attachment; filename="${lic1}.json"`);
		assert.match(r.headers.get('content-type'), /^application\/json/);
		assert.equal(r.json.identifier, lic1);

		r = await get(`/api/v1/licenses/${lic1}`, cit2.token);
		assert.equal(r.status, 404);
		r = await get('/api/v1/licenses', cit2.token);
		assert.deepEqual(r.json.items, []);
		r = await get(`/api/v1/licenses/${lic1}`, clerk);
		assert.equal(r.status, 200);
		r = await get('/api/v1/licenses?dept=mine', clerk);
		/* Newest first: this one, then the demo node's licence of 李秀英. */
		const demoLic = node.sql("SELECT identifier FROM licenses WHERE holder_name = '李秀英'")[0].identifier;
		assert.deepEqual(r.json.items.map((l) => l.identifier), [lic1, demoLic]);
		r = await get(`/api/v1/licenses/${lic1}`, rsClerk);
		assert.equal(r.status, 403);
		r = await get('/api/v1/licenses?dept=mine', rsClerk);
		assert.deepEqual(r.json.items, []);
		r = await get('/api/v1/licenses?dept=other', clerk);
		assert.equal(r.status, 400);
		r = await get(`/api/v1/licenses/${lic1}`);
		assert.equal(r.status, 401);
		r = await get('/api/v1/licenses/1.2.156.bad', cit.token);
		assert.equal(r.status, 404);
	});

	it('verifies: valid, bad check character, unknown, QR mismatch, bad input', async () => {
		let r = await verify({ identifier: lic1 });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'valid');
		assert.equal(r.json.reason, null);
		assert.deepEqual(r.json.license.holder, { kind: 'citizen', id: `${cit.idn.slice(0, 6)}********${cit.idn.slice(14)}`, name: '张**' });
		assert.deepEqual(r.json.license.type, { code: typeCode, name: '个体工商户营业执照' });
		assert.equal(r.json.license.issued_on, '2026-03-02');
		assert.equal(r.json.license.valid_to, '2031-03-01');

		const full = (await get(`/api/v1/licenses/${lic1}`, cit.token)).json;
		r = await verify({ qr: full.qr });
		assert.equal(r.json.status, 'valid');

		const wrong = lic1.slice(0, -1) + (lic1.at(-1) === 'A' ? 'B' : 'A');
		r = await verify({ identifier: wrong });
		assert.deepEqual([r.status, r.json.status, r.json.reason, r.json.license], [200, 'forged', 'bad_check_character', undefined]);

		const body = `1.2.156.3005.2.${cc}002.${cc}.0099999.001.`;
		r = await verify({ identifier: body + mod3736(body) });
		assert.deepEqual([r.json.status, r.json.reason], ['forged', 'unknown_identifier']);

		/* Another genuine signature (of a different content) on the QR. */
		const other = crypto.sign('sm3', Buffer.from('something else'), crypto.generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey);
		r = await verify({ qr: `ZTL1|${lic1}|${other.toString('base64url')}` });
		assert.deepEqual([r.json.status, r.json.reason, r.json.license], ['forged', 'qr_mismatch', undefined]);

		for (const [json, field] of [
			[{ identifier: '1.2.156.3005.2.X' }, 'identifier'],
			[{ identifier: `${lic1.slice(0, -1)}a` }, 'identifier'],
			[{ qr: `ZTL2|${lic1}|abc` }, 'qr'],
			[{ qr: `ZTL1|${lic1}` }, 'qr'],
			[{ qr: `ZTL1|1.2.3|abc` }, 'qr'],
			[{}, 'identifier'],
			[{ identifier: lic1, qr: full.qr }, 'qr'],
			[{ identifier: lic1, extra: 1 }, 'extra'],
		]) {
			r = await verify(json);
			assert.equal(r.status, 400, JSON.stringify(json));
			assert.match(r.headers.get('content-type'), /problem\+json/);
			assert.equal(r.json.errors[0].field, field, JSON.stringify(json));
		}

		let c = node.cli(['license', 'verify', lic1]);
		assert.equal(c.code, 0, c.stderr);
		assert.match(c.stdout, /^valid\n/);
		c = node.cli(['license', 'verify', full.qr]);
		assert.equal(c.code, 0, c.stderr);
		c = node.cli(['license', 'verify', wrong]);
		assert.equal(c.code, 1);
		assert.match(c.stdout, /^forged \(bad_check_character\)\n/);
		c = node.cli(['license', 'verify']);
		assert.equal(c.code, 2);
	});

	it('once-only: the license fills the material; no upload needed', async () => {
		let r = await get(`/api/v1/services/${itemB}/prefill`, cit.token);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, [{ seq: 1, name: '营业执照', source: 'license', ref: lic1, label: '个体工商户营业执照' }]);
		const f = await uploaded(cit, 'premises');
		r = await apply(cit, 'LIC-TEST-B', [{ seq: 2, name: '场所证明.pdf', file: f }]);
		assert.equal(r.status, 201, r.text);
		const c = r.json;
		assert.equal(c.exempted, 1);
		assert.deepEqual(
			c.materials.map((m) => [m.round, m.seq, m.name, m.source, m.ref, m.file]),
			[
				[1, 1, '营业执照', 'license', lic1, null],
				[1, 2, '场所证明.pdf', 'upload', null, f],
			],
		);
		const d = c.materials[0].data;
		assert.equal(d.identifier, lic1);
		assert.equal(d.type, typeCode);
		assert.equal(d.valid_to, '2031-03-01');
		assert.deepEqual(d.data.fields, { 字号: '小明便利店', 经营范围: '日用百货零售' });
		assert.equal(c.materials[1].data, null);
		assert.equal(node.count(`SELECT exempted FROM cases WHERE id = ${c.id}`), 1);
		assert.deepEqual(node.sql(`SELECT source, ref, file_hash FROM case_materials WHERE case_id = ${c.id} ORDER BY id`), [
			{ source: 'license', ref: lic1, file_hash: '' },
			{ source: 'upload', ref: null, file_hash: f },
		]);
		const seen = await get(`/api/v1/cases/${c.id}`, clerk);
		assert.equal(seen.status, 200);
		assert.deepEqual(seen.json.materials[0].data, d);
		assert.equal(seen.json.exempted, 1);

		/* An ordinary case counts none. */
		assert.equal((await get(`/api/v1/cases/${case1.caseId}`, cit.token)).json.exempted, 0);

		/* Someone without the license still uploads it. */
		const g = await uploaded(cit2, 'premises 2');
		r = await apply(cit2, 'LIC-TEST-B', [{ seq: 2, name: '场所证明.pdf', file: g }]);
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.errors[0].detail, /营业执照/);
		r = await apply(cit2, 'LIC-TEST-B', [
			{ seq: 1, name: '营业执照.pdf', file: g },
			{ seq: 2, name: '场所证明.pdf', file: g },
		]);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.exempted, 0);
		assert.deepEqual(r.json.materials.map((m) => m.source), ['upload', 'upload']);
	});

	it('a second license gets the next serial; altered data is reported as forged', async () => {
		lic2 = (await licensed(cit, { 字号: '小明二店', 经营范围: '餐饮' })).identifier;
		const body = `1.2.156.3005.2.${cc}002.${cc}.0000002.001.`;
		assert.equal(lic2, body + mod3736(body));
		let r = await verify({ identifier: lic2 });
		assert.equal(r.json.status, 'valid');
		node.sql(`UPDATE licenses SET data = replace(data, '餐饮', '烟草') WHERE identifier = '${lic2}'`);
		r = await verify({ identifier: lic2 });
		assert.deepEqual([r.json.status, r.json.reason, r.json.license], ['forged', 'bad_signature', undefined]);
		const c = node.cli(['license', 'verify', lic2]);
		assert.equal(c.code, 1);
		assert.match(c.stdout, /^forged \(bad_signature\)\n/);
	});

	it('revocation by the issuer; revoked licenses are reported and not used', async () => {
		let r = await post(`/api/v1/licenses/${lic1}/revoke`, cit.token, { reason: '注销' });
		assert.equal(r.status, 403);
		r = await post(`/api/v1/licenses/${lic1}/revoke`, rsReviewer, { reason: '注销' });
		assert.equal(r.status, 403);
		r = await post(`/api/v1/licenses/${lic1}/revoke`, reviewer, {});
		assert.equal(r.status, 400);
		assert.equal(r.json.errors[0].field, 'reason');
		r = await post(`/api/v1/licenses/${lic1}/revoke`, reviewer, { reason: '申请人申请注销' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.status, 'revoked');
		assert.equal(r.json.revoke_reason, '申请人申请注销');
		assert.equal(r.json.revoked_at, T0);
		r = await post(`/api/v1/licenses/${lic1}/revoke`, reviewer, { reason: '再次注销' });
		assert.equal(r.status, 409);
		r = await verify({ identifier: lic1 });
		assert.deepEqual([r.json.status, r.json.reason], ['revoked', 'revoked']);
		assert.equal(r.json.license.revoked_at, T0);
		const c = node.cli(['license', 'verify', lic1]);
		assert.equal(c.code, 1);
		assert.match(c.stdout, /^revoked\n/);
		assert.equal(node.count(`SELECT count(*) FROM audit_log WHERE action = 'license.revoke'`), 1);

		/* Licence 1 revoked, licence 2 forged: nothing fills material 1. */
		r = await get(`/api/v1/services/${itemB}/prefill`, cit.token);
		assert.deepEqual(r.json, []);
		const f = await uploaded(cit, 'premises again');
		r = await apply(cit, 'LIC-TEST-B', [{ seq: 2, name: '场所证明.pdf', file: f }]);
		assert.equal(r.status, 422, r.text);
	});

	it('once-only through shared data: a granted row about the applicant fills the material', async () => {
		const rsData = await login(node.url, 'rs.data');
		const scjgData = await login(node.url, 'scjg.data');
		let r = await post('/api/v1/resources', rsData, {
			code: 'LIC-RS-SB',
			name: '社会保险参保信息',
			summary: '参保状态',
			fields: [
				{ name: 'id_number', label: '身份证号', type: 'string', sensitivity: 'personal' },
				{ name: 'name', label: '姓名', type: 'string', sensitivity: 'personal' },
				{ name: 'status', label: '参保状态', type: 'string', sensitivity: 'internal' },
			],
			key_field: 'id_number',
			subject_field: 'id_number',
			share_type: 'unconditional',
			share_method: 'api',
			open_type: 'closed',
			update_cycle: 'daily',
		});
		assert.equal(r.status, 201, r.text);
		const resId = r.json.id;
		r = await api(node.url, 'PUT', `/api/v1/resources/${resId}/rows`, {
			token: rsData,
			json: { rows: [{ id_number: cit.idn, name: '张小明', status: '正常参保' }] },
		});
		assert.equal(r.status, 200, r.text);

		/* The item names the resource; unknown resources are refused. */
		r = await post('/api/v1/services', admin, item('LIC-TEST-D', { materials: [{ name: '参保证明', form: 'electronic', resource: 'NO-SUCH' }] }));
		assert.equal(r.status, 400);
		assert.deepEqual([r.json.errors[0].field, r.json.errors[0].reason], ['materials[0].resource', 'unknown']);
		r = await post(
			'/api/v1/services',
			admin,
			item('LIC-TEST-D', { name: '从业人员登记', materials: [{ name: '参保证明', form: 'electronic', resource: 'LIC-RS-SB' }] }),
		);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.materials[0].resource, 'LIC-RS-SB');
		const itemD = r.json.id;
		assert.equal((await post(`/api/v1/services/${itemD}/publish`, admin, {})).status, 200);

		/* No grant yet: nothing is filled, the upload is required. */
		r = await get(`/api/v1/services/${itemD}/prefill`, cit.token);
		assert.deepEqual(r.json, []);
		r = await apply(cit, 'LIC-TEST-D', []);
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.errors[0].detail, /参保证明/);

		r = await post('/api/v1/share-requests', scjgData, {
			resource: 'LIC-RS-SB',
			fields: ['id_number', 'name', 'status'],
			purpose: '办理从业人员登记时核验参保状态',
			legal_basis: '《优化营商环境条例》第三十五条',
			valid_to: '2026-12-31',
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.status, 'approved');
		const grant = r.json.grant_id;

		r = await get(`/api/v1/services/${itemD}/prefill`, cit.token);
		assert.deepEqual(r.json, [{ seq: 1, name: '参保证明', source: 'share', ref: `grant:${grant}`, label: '社会保险参保信息' }]);
		assert.equal(node.count(`SELECT count(*) FROM access_records WHERE grant_id = ${grant}`), 0);

		r = await apply(cit, 'LIC-TEST-D', []);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.json.exempted, 1);
		const m = r.json.materials;
		/* The key as the grant delivers it: the ID number masked. */
		const masked = `${cit.idn.slice(0, 6)}********${cit.idn.slice(14)}`;
		assert.deepEqual(m.map((x) => [x.seq, x.source, x.ref, x.file]), [[1, 'share', `grant:${grant}/${masked}`, null]]);
		assert.equal(m[0].data.resource, 'LIC-RS-SB');
		assert.equal(m[0].data.grant, grant);
		assert.equal(m[0].data.row.status, '正常参保');
		assert.equal(m[0].data.row.id_number, masked);
		assert.equal(m[0].data.row.name, '张**');
		const purpose = `办件 ${r.json.case_no}`;
		assert.equal(node.count(`SELECT count(*) FROM access_records WHERE grant_id = ${grant} AND purpose = '${purpose}'`), 1);
		r = await get('/api/v1/me/data-access', cit.token);
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.items.some((a) => a.purpose === purpose), r.text);

		/* Someone with no row about them still uploads it. */
		r = await apply(cit2, 'LIC-TEST-D', []);
		assert.equal(r.status, 422, r.text);
	});

	it('expired after valid_to', async () => {
		lic3 = (await licensed(cit3, { 字号: '王五商行' })).identifier;
		let r = await verify({ identifier: lic3 });
		assert.equal(r.json.status, 'valid');
		await node.restart({ now: TX });
		r = await verify({ identifier: lic3 });
		assert.deepEqual([r.json.status, r.json.reason], ['expired', 'expired']);
		assert.equal(r.json.license.valid_to, '2031-03-01');
		const c = node.cli(['license', 'verify', lic3]);
		assert.equal(c.code, 1);
		assert.match(c.stdout, /^expired\n/);
		await node.restart({ now: T0 });
	});
});
