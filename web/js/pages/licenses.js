// licenses.js - 电子证照: the holder's wallet (each license with its status:
// valid, revoked, expired), one license with its data, QR code and
// identifier, its download as JSON, and a printable page (the print style
// sheet leaves out the navigation and buttons).

import { h, data } from '../dom.js';
import { t, fmtDateTime, getLang } from '../i18n.js';
import { api, apiBlob, ApiError } from '../api.js';
import { pageHead, section, dl, empty, problemText, linkButton, announce, busy, pager, field, clearErrors, setFieldError, showErrors } from '../ui.js';
import { currentUser, isApplicant, caseReader, hasRole, onLeave, render as rerender } from '../app.js';
import { licenseBadge, dayText } from '../sharing.js';
import { qrSvg } from '../qr.js';

/* ---- reading the API's license (tolerant of nested or flat shapes) ---- */

let typesP = null;
/** Map code -> {code, name, name_en, fields} from the public list. */
export function licenseTypes() {
	if (!typesP) {
		typesP = api('GET', '/license-types', null, { query: { limit: 100 } })
			.then((r) => new Map((r.items || []).map((x) => [x.code, x])))
			.catch(() => {
				typesP = null;
				return new Map();
			});
	}
	return typesP;
}

const str = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? v.name || v.code || v.id || '' : String(v));

export function licView(x, types) {
	const typeCode = typeof x.type === 'object' && x.type ? x.type.code : x.type_code || x.type;
	const type = (types && types.get(typeCode)) || (typeof x.type === 'object' ? x.type : null) || {};
	const name = getLang() === 'en' && (type.name_en || x.type_name_en) ? type.name_en || x.type_name_en : type.name || x.type_name || typeCode || '';
	const holder = typeof x.holder === 'object' && x.holder ? x.holder : { name: x.holder_name ?? (typeof x.holder === 'string' ? x.holder : ''), id: x.holder_id, kind: x.holder_kind };
	const issuer = typeof x.issuer === 'object' && x.issuer ? x.issuer : { name: x.issuer_name || x.issuer_dept_name || '', credit_code: typeof x.issuer === 'string' ? x.issuer : x.issuer_code };
	const issuerName = getLang() === 'en' && issuer.name_en ? issuer.name_en : issuer.name || issuer.credit_code || '';
	return {
		identifier: x.identifier,
		typeCode,
		typeName: name,
		typeFields: type.fields || [],
		holderName: str(holder.name),
		holderId: str(holder.id),
		holderKind: holder.kind,
		issuerName,
		issuerCode: issuer.credit_code || '',
		issuedOn: x.issued_on,
		validTo: x.valid_to,
		status: (x.status || 'valid') === 'valid' && (x.expired === true || x.state === 'expired') ? 'expired' : x.status || 'valid',
		revokedAt: x.revoked_at,
		revokeReason: x.revoke_reason,
		data: x.data && typeof x.data === 'object' ? x.data : {},
		qr: x.qr || x.qr_content || '',
		caseId: x.case_id || (x.case && x.case.id),
		sigAlg: x.alg || x.sig_alg || '',
		keyId: x.key_id || '',
	};
}

/** The license's data as [label, value] rows: case data first, then the
 * type's fields by their labels. */
function dataRows(v) {
	const rows = [];
	const d = v.data;
	const known = ['item_name', 'case_no', 'item_code'];
	for (const k of known) if (d[k] !== undefined && d[k] !== null && d[k] !== '') rows.push([t(`lic.data.${k}`), data(String(d[k]))]);
	const labels = new Map((v.typeFields || []).map((f) => [f.name, f.label || f.name]));
	const fields = d.fields && typeof d.fields === 'object' ? d.fields : {};
	for (const [k, val] of Object.entries(fields)) rows.push([data(labels.get(k) || k), data(typeof val === 'string' ? val : JSON.stringify(val))]);
	for (const [k, val] of Object.entries(d)) {
		if (known.includes(k) || k === 'fields') continue;
		rows.push([data(labels.get(k) || k), data(typeof val === 'string' ? val : JSON.stringify(val))]);
	}
	return rows;
}

function validity(v) {
	return v.validTo ? t('lic.valid_range', { from: dayText(v.issuedOn), to: dayText(v.validTo) }) : t('lic.valid_from_long', { from: dayText(v.issuedOn) });
}

/* ---- the wallet ---- */

function card(v) {
	return h(
		'li',
		{ class: `card lic-card lic-${v.status}` },
		h('div', { class: 'lic-card-head' }, h('h2', { class: 'lic-title' }, h('a', { href: `#/licenses/${encodeURIComponent(v.identifier)}` }, data(v.typeName))), licenseBadge(v.status)),
		dl([
			[t('lic.holder'), data(v.holderName)],
			[t('lic.issuer'), data(v.issuerName)],
			[t('lic.validity'), validity(v)],
			[t('lic.identifier'), h('code', { class: 'lic-id' }, v.identifier)],
		]),
	);
}

async function walletView() {
	const u = currentUser();
	const types = await licenseTypes();
	const list = h('ul', { class: 'lic-list' });
	const load = (cursor) => api('GET', '/licenses', null, { query: { limit: 20, cursor, dept: isApplicant(u) ? undefined : 'mine' } });
	const more = pager(load, (items) => items.forEach((x) => list.append(card(licView(x, types)))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((x) => list.append(card(licView(x, types))));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, list, more.el) : h('div', null, empty(t('lic.none')), linkButton('#/', t('cases.find_service'), 'btn btn-primary'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = isApplicant(u) ? t('lic.title') : t('lic.issued_title');
	return {
		title,
		node: h(
			'div',
			{ class: 'licenses' },
			pageHead(title, { sub: isApplicant(u) ? t('lic.sub') : t('lic.issued_sub'), actions: linkButton('#/verify', t('nav.verify'), 'btn btn-secondary') }),
			h('div', { class: 'card info-card' }, h('p', null, t('lic.explain'))),
			body,
		),
	};
}

/* ---- one license ---- */

async function getLicense(identifier) {
	try {
		return await api('GET', `/licenses/${encodeURIComponent(identifier)}`);
	} catch (e) {
		if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return null;
		throw e;
	}
}

function notFound() {
	const title = t('lic.not_found_title');
	return { title, node: h('div', null, pageHead(title), h('p', { class: 'notice', role: 'alert' }, t('lic.not_found')), linkButton('#/licenses', t('lic.back'), 'btn btn-secondary')) };
}

function qrBlock(v) {
	if (!v.qr) return null;
	let img = null;
	try {
		img = qrSvg(v.qr, t('lic.qr_alt', { id: v.identifier }));
	} catch {
		/* too long for a QR code: the text is still shown */
	}
	return h('figure', { class: 'lic-qr' }, img, h('figcaption', null, h('span', { class: 'lic-qr-label' }, t('lic.qr_content')), h('code', { class: 'qr-text', id: 'lic-qr-text' }, v.qr)));
}

function downloadButton(v) {
	const b = h('button', { type: 'button', class: 'btn btn-secondary', id: 'lic-download' }, t('lic.download'));
	const urls = [];
	onLeave(() => urls.forEach((u) => URL.revokeObjectURL(u)));
	b.addEventListener('click', () =>
		busy(b, async () => {
			try {
				const blob = await apiBlob(`/licenses/${encodeURIComponent(v.identifier)}?download=1`);
				const url = URL.createObjectURL(new Blob([blob], { type: 'application/json' }));
				urls.push(url);
				const a = h('a', { href: url, download: `${v.identifier}.json`, class: 'visually-hidden' }, v.identifier);
				document.body.append(a);
				a.click();
				a.remove();
				announce(t('lic.downloaded'), 'ok');
			} catch (e) {
				announce(problemText(e), 'error');
			}
		}),
	);
	return b;
}

async function detailView(params) {
	const [x, types] = await Promise.all([getLicense(params.identifier), licenseTypes()]);
	if (!x) return notFound();
	const v = licView(x, types);
	const u = currentUser();
	const enc = encodeURIComponent(v.identifier);
	const status = h(
		'div',
		{ class: `card lic-status lic-${v.status}` },
		h('p', null, licenseBadge(v.status), ' ', t(`lic.status_text.${v.status}`)),
		v.status === 'revoked' ? h('p', null, t('lic.revoked_at', { at: fmtDateTime(v.revokedAt) }), v.revokeReason ? h('span', null, ' ', t('grant.reason'), t('common.colon'), data(v.revokeReason)) : null) : null,
	);
	const facts = dl([
		[t('lic.type'), data(v.typeName)],
		[t('lic.holder'), data(v.holderName)],
		[t('lic.holder_id'), v.holderId ? h('code', null, v.holderId) : null],
		[t('lic.issuer'), data(v.issuerName)],
		[t('lic.issuer_code'), v.issuerCode ? h('code', null, v.issuerCode) : null],
		[t('lic.issued_on'), dayText(v.issuedOn)],
		[t('lic.valid_to'), dayText(v.validTo, true)],
		[t('lic.identifier'), h('code', { class: 'lic-id', id: 'lic-identifier' }, v.identifier)],
		[t('lic.case'), v.caseId && (isApplicant(u) || caseReader(u)) ? h('a', { href: `#/cases/${v.caseId}` }, v.data.case_no || t('lic.view_case')) : v.data.case_no ? data(v.data.case_no) : null],
	]);
	const rows = dataRows(v);
	const title = v.typeName;
	return {
		title,
		node: h(
			'div',
			{ class: 'license' },
			h('p', { class: 'breadcrumb' }, h('a', { href: '#/licenses' }, isApplicant(u) ? t('lic.title') : t('lic.issued_title')), h('span', { 'aria-hidden': 'true' }, ' / '), data(v.typeName)),
			pageHead(title, { titleNode: data(v.typeName), sub: data(v.holderName) }),
			status,
			h('div', { class: 'btn-row lic-actions' }, linkButton(`#/licenses/${enc}/print`, t('lic.print_page'), 'btn btn-primary'), downloadButton(v), linkButton(`#/verify?id=${enc}`, t('lic.verify_this'), 'btn btn-secondary')),
			h('div', { class: 'lic-grid' }, section(t('lic.basic'), facts), section(t('lic.qr'), qrBlock(v) || h('p', { class: 'muted' }, t('common.none')), h('p', { class: 'hint' }, t('lic.qr_hint')))),
			section(t('lic.data'), rows.length ? dl(rows) : h('p', { class: 'muted' }, t('common.none'))),
			v.status === 'valid' && !isApplicant(u) && (hasRole('reviewer', u) || hasRole('dept_admin', u)) ? revokeBox(v) : null,
		),
	};
}

/** The issuing department's reviewer or dept_admin revokes a valid license. */
function revokeBox(v) {
	const submit = h('button', { type: 'submit', class: 'btn btn-danger', id: 'lic-revoke-submit' }, t('lic.revoke_confirm'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'lic-revoke-form' },
		h('p', { class: 'hint' }, t('lic.revoke_help')),
		field({ id: 'lic-revoke-reason', label: t('act.reason'), kind: 'textarea', hint: t('act.reason_hint'), required: true, attrs: { maxlength: '500', rows: 2 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const reason = form.querySelector('#lic-revoke-reason').value.trim();
		if (!reason) {
			setFieldError(form, 'lic-revoke-reason', t('err.reason.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/licenses/${encodeURIComponent(v.identifier)}/revoke`, { reason });
				await rerender();
				announce(t('lic.revoked_msg'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f === 'reason' ? 'lic-revoke-reason' : null));
			}
		});
	});
	return h('section', { class: 'card card-attention', 'aria-labelledby': 'lic-revoke-title' }, h('h2', { id: 'lic-revoke-title' }, t('lic.revoke')), form);
}

/* ---- printable page ---- */

async function printView(params) {
	const [x, types] = await Promise.all([getLicense(params.identifier), licenseTypes()]);
	if (!x) return notFound();
	const v = licView(x, types);
	const enc = encodeURIComponent(v.identifier);
	const printBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'lic-print' }, t('lic.print'));
	printBtn.addEventListener('click', () => window.print());
	const rows = dataRows(v);
	const title = v.typeName;
	const sheet = h(
		'article',
		{ class: `lic-sheet lic-${v.status}`, 'aria-labelledby': 'page-title' },
		h('header', { class: 'lic-sheet-head' }, h('p', { class: 'lic-sheet-kicker' }, t('lic.sheet_kicker')), pageHead(title, { titleNode: data(v.typeName) }), v.status !== 'valid' ? h('p', { class: 'lic-sheet-warn' }, licenseBadge(v.status), ' ', t(`lic.status_text.${v.status}`)) : null),
		h(
			'div',
			{ class: 'lic-sheet-body' },
			h(
				'div',
				{ class: 'lic-sheet-facts' },
				dl([
					[t('lic.holder'), data(v.holderName)],
					[t('lic.holder_id'), v.holderId ? h('code', null, v.holderId) : null],
					...rows,
					[t('lic.issuer'), data(v.issuerName)],
					[t('lic.issued_on'), dayText(v.issuedOn)],
					[t('lic.valid_to'), dayText(v.validTo, true)],
				]),
			),
			qrBlock(v),
		),
		h('footer', { class: 'lic-sheet-foot' }, h('p', null, t('lic.identifier'), t('common.colon'), h('code', { class: 'lic-id' }, v.identifier)), h('p', { class: 'hint' }, t('lic.sheet_verify', { url: `${location.origin}${location.pathname}#/verify` }))),
	);
	return {
		title,
		node: h(
			'div',
			{ class: 'license-print' },
			h('p', { class: 'breadcrumb no-print' }, h('a', { href: `#/licenses/${enc}` }, data(v.typeName)), h('span', { 'aria-hidden': 'true' }, ' / '), t('lic.print_page')),
			h('div', { class: 'btn-row no-print' }, printBtn, linkButton(`#/licenses/${enc}`, t('lic.back_detail'), 'btn btn-secondary')),
			sheet,
		),
	};
}

export async function render({ view, params }) {
	if (view === 'detail') return detailView(params);
	if (view === 'print') return printView(params);
	return walletView();
}

