// case.js - one case: state, deadline and timer, the form, materials (with
// previews of images and PDFs from blob URLs), the full history; for the
// applicant the supplement answered in place and the rating; for officials
// the actions valid for the case's state and the official's roles. A
// cross-region case (跨省通办) shows its mark and where it was received (at the
// home node) or the other part of its joint application (at the receiving
// node); its materials from another node are files kept there.

import { h, data, hasCJK } from '../dom.js';
import { t, tOr, fmtDate, fmtDateTime, fmtSize, deptName } from '../i18n.js';
import { api, fileObjectUrl, ApiError } from '../api.js';
import {
	field, pageHead, section, dl, stateBadge, deadlineView, deadlineText, problemText, showErrors, clearErrors,
	setFieldError, setFormError, busy, announce, errorSlot, linkButton,
} from '../ui.js';
import { uploader } from './upload.js';
import { currentUser, isApplicant, hasRole, onLeave, render as rerender } from '../app.js';
import { caseCrossMark, nameIn } from './fed-cases-ui.js';

/* ---- pieces ---- */

function visitsText(v) {
	if (!v) return '';
	if (Number(v.max) === 0) return t('case.visits_zero', { count: v.count });
	return t('case.visits', { count: v.count, max: v.max });
}

function formView(form) {
	const keys = Object.keys(form || {});
	if (!keys.length) return h('p', { class: 'muted' }, t('case.form_empty'));
	return dl(keys.map((k) => [tOr(`apply.${k}`, null) ? t(`apply.${k}`) : data(k), data(typeof form[k] === 'string' ? form[k] : JSON.stringify(form[k]))]));
}

function actorText(ev) {
	const role = tOr(`role.${ev.actor.role}`, ev.actor.role);
	if (ev.actor.role === 'system') return h('span', null, role);
	return h('span', null, data(ev.actor.name), h('span', { class: 'muted' }, ` (${role})`));
}

function eventDetail(ev) {
	const out = [];
	if (ev.action === 'supplement' && ev.data && Array.isArray(ev.data.missing)) {
		out.push(h('p', null, t('case.ev_missing')), h('ul', { class: 'missing-list' }, ev.data.missing.map((m) => data(m, 'li'))));
	}
	if (ev.action === 'deliver' && ev.data && ev.data.delivery) out.push(h('p', null, t('case.ev_delivery', { how: tOr(`delivery.${ev.data.delivery}`, ev.data.delivery) })));
	if (ev.action === 'resubmit' && ev.data) out.push(h('p', null, t('case.ev_resubmit', { n: ev.data.materials || 0 })));
	if (ev.action === 'rate' && ev.data && ev.data.stars) out.push(h('p', null, t('case.ev_stars', { n: ev.data.stars, label: t(`stars.${ev.data.stars}`) })));
	/* system comments are generated text; the action's label says it */
	if (ev.comment && ev.actor.role !== 'system') out.push(h('p', { class: 'ev-comment' }, h('span', { class: 'muted' }, t('case.ev_comment')), data(ev.comment, 'q')));
	return out;
}

function timeline(history) {
	return h(
		'ol',
		{ class: 'timeline' },
		history.map((ev) =>
			h(
				'li',
				{ class: `ev ev-${ev.action}` },
				h('p', { class: 'ev-head' }, h('strong', null, tOr(`action.${ev.action}`, ev.action)), ev.from && ev.to && ev.from !== ev.to ? h('span', { class: 'ev-states' }, ' ', t('case.ev_states', { from: t(`state.${ev.from}`), to: t(`state.${ev.to}`) })) : null),
				h('p', { class: 'ev-meta' }, h('time', { datetime: ev.at }, fmtDateTime(ev.at)), h('span', { 'aria-hidden': 'true' }, ' · '), actorText(ev)),
				eventDetail(ev),
			),
		),
	);
}

/** A file name for saving a material: its name plus the type's extension. */
function downloadName(name, mime) {
	const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'application/ofd': 'ofd' }[mime] || 'bin';
	return new RegExp(`\\.${ext}$`, 'i').test(name) ? name : `${name}.${ext}`;
}

/* Once-only: a material the node filled from an e-license or shared data. */
function sourceView(m) {
	return h(
		'span',
		{ class: 'mat-source' },
		h('span', { class: 'badge tone-ok' }, t(`case.source.${m.source}`)),
		' ',
		h('span', { class: 'muted' }, t('case.exempted')),
	);
}

function valueText(v) {
	return data(v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
}

/** Labels for the verified data: license types by code and resources by
 * code (their fields' labels), fetched once per case page. */
async function sourceLabels(c) {
	const out = { types: new Map(), resources: new Map() };
	const filled = (c.materials || []).filter((m) => m.source === 'license' || m.source === 'share');
	if (!filled.length || currentUser()?.kind !== 'official') return out;
	try {
		const r = await api('GET', '/license-types', null, { query: { limit: 100 } });
		for (const x of r.items || []) out.types.set(x.code, x);
	} catch {
		/* field names stand in for labels */
	}
	const codes = new Set();
	for (const m of filled) {
		const d = parseData(m.data);
		if (m.source === 'share' && d && typeof d.resource === 'string') codes.add(d.resource);
	}
	for (const code of codes) {
		try {
			const hit = ((await api('GET', '/resources', null, { query: { q: code, limit: 5 } })).items || []).find((x) => x.code === code);
			if (hit) out.resources.set(code, await api('GET', `/resources/${hit.id}`));
		} catch {
			/* field names stand in for labels */
		}
	}
	return out;
}

function parseData(d) {
	if (typeof d !== 'string') return d;
	try {
		return JSON.parse(d);
	} catch {
		return d;
	}
}

/** For officials: the verified data behind a filled material; for the
 * applicant: where it came from. */
function verifiedView(m, i, labels) {
	const official = currentUser()?.kind === 'official';
	const ref = m.ref || '';
	const refNode = m.source === 'license' && ref ? h('a', { href: `#/verify?id=${encodeURIComponent(ref)}`, class: 'mat-ref' }, h('code', null, ref)) : ref ? h('code', { class: 'mat-ref' }, ref) : null;
	if (!official) return h('span', { class: 'mat-ref-wrap' }, refNode || t('case.exempted'));
	const d = parseData(m.data);
	const rows = [];
	const used = new Set();
	const take = (k) => {
		used.add(k);
		return d[k];
	};
	if (d && typeof d === 'object' && m.source === 'license') {
		const type = labels.types.get(d.type);
		const inner = d.data && typeof d.data === 'object' ? d.data : {};
		take('identifier');
		take('type');
		take('data');
		rows.push([t('lic.type'), data(take('type_name') || (type && type.name) || d.type || '')]);
		if (d.issuer) rows.push([t('lic.issuer'), data(take('issuer'))]);
		if (d.issued_on) rows.push([t('lic.issued_on'), fmtDate(take('issued_on'))]);
		if ('valid_to' in d) rows.push([t('lic.valid_to'), take('valid_to') ? fmtDate(d.valid_to) : t('lic.long_term')]);
		for (const k of ['item_name', 'case_no']) if (inner[k]) rows.push([t(`lic.data.${k}`), data(inner[k])]);
		const names = new Map(((type && type.fields) || []).map((f) => [f.name, f.label || f.name]));
		for (const [k, v] of Object.entries(inner.fields && typeof inner.fields === 'object' ? inner.fields : {})) rows.push([data(names.get(k) || k), valueText(v)]);
	} else if (d && typeof d === 'object' && m.source === 'share') {
		const res = labels.resources.get(d.resource);
		if (d.resource) rows.push([t('req.resource'), data(take('resource') && res ? res.name : d.resource)]);
		if (d.grant) rows.push([t('case.vd_grant'), t('grant.no', { id: take('grant') })]);
		const names = new Map(((res && res.fields) || []).map((f) => [f.name, f.label || f.name]));
		const row = d.row && typeof d.row === 'object' ? take('row') : {};
		for (const [k, v] of Object.entries(row)) rows.push([data(names.get(k) || k), valueText(v)]);
	}
	if (d && typeof d === 'object') {
		for (const [k, v] of Object.entries(d)) if (!used.has(k) && v !== null && typeof v !== 'object' && !rows.length) rows.push([data(k), valueText(v)]);
	} else if (d) rows.push([t('case.verified_data'), valueText(d)]);
	return h(
		'details',
		{ class: 'verified', id: `mat-verified-${i}` },
		h('summary', null, t('case.verified_data'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(m.name))),
		refNode ? h('p', { class: 'hint' }, t(`case.ref.${m.source}`), t('common.colon'), refNode) : null,
		rows.length ? dl(rows, 'facts facts-compact') : h('p', { class: 'muted' }, t('common.none')),
	);
}

/* 跨省通办: the mark, and where the case was received (home node) or the
 * joint application it is the local part of (receiving node). */
function crossBanner(x) {
	const lines = [];
	if (x.part === 'local') {
		lines.push(h('p', { class: 'xcase-where-line' }, h('span', { class: 'muted' }, t('xcase.joint_partner')), data(nameIn(x.home_name, x.home_name_en)), ' · ', h('a', { href: `#/fed/cases/${x.fed_case_id}`, id: 'xcase-whole' }, t('xcase.open_whole'), ' ', h('span', { class: 'case-no' }, x.ref))));
	} else {
		lines.push(h('p', { class: 'xcase-where-line' }, h('span', { class: 'muted' }, t('xcase.received_at')), data(nameIn(x.origin_name, x.origin_name_en)), ' · ', h('span', { class: 'muted' }, t('xcase.origin_ref')), h('span', { class: 'case-no' }, x.ref)));
		if (x.checked) lines.push(h('p', { class: 'xcase-checked' }, h('span', { class: 'muted' }, t('xcase.checked_by')), data(x.checked.by || ''), x.checked.at ? [' · ', fmtDateTime(x.checked.at)] : null, x.checked.note ? [h('span', { 'aria-hidden': 'true' }, ' · '), data(x.checked.note, 'q')] : null));
		lines.push(h('p', { class: 'hint' }, t('xcase.home_hint')));
	}
	return h('div', { class: 'xcase-banner', id: 'xcase-banner' }, caseCrossMark(x), lines);
}

/* Material previews: images inline, PDFs in an iframe, from blob URLs. */
function materialsView(c, labels) {
	const urls = [];
	onLeave(() => urls.forEach((u) => URL.revokeObjectURL(u)));
	const viewer = h('div', { class: 'viewer', id: 'viewer', hidden: true, tabindex: '-1', 'aria-labelledby': 'viewer-title' });
	const rows = c.materials.map((m, i) => {
		const btn = h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'aria-controls': 'viewer' }, t('case.preview'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(m.name)));
		btn.addEventListener('click', () =>
			busy(btn, async () => {
				try {
					const { url, type } = await fileObjectUrl(m.file);
					urls.push(url);
					const mime = m.mime || type;
					let body;
					if (mime.startsWith('image/')) body = h('img', { src: url, alt: m.name, lang: hasCJK(m.name) ? 'zh-CN' : undefined, class: 'preview-img' });
					else if (mime === 'application/pdf') body = h('iframe', { src: url, title: m.name, lang: hasCJK(m.name) ? 'zh-CN' : undefined, class: 'preview-pdf' });
					else body = h('p', null, t('case.no_preview'));
					viewer.replaceChildren(
						h('div', { class: 'viewer-head' }, h('h3', { id: 'viewer-title' }, t('case.preview_title'), data(m.name)), h('div', { class: 'btn-row' }, h('a', { class: 'btn btn-small btn-secondary', href: url, download: downloadName(m.name, mime) }, t('case.download')), h('button', { type: 'button', class: 'btn btn-small btn-secondary', onclick: () => { viewer.hidden = true; btn.focus(); } }, t('case.close_preview')))),
						body,
					);
					viewer.hidden = false;
					viewer.focus();
				} catch (e) {
					announce(problemText(e), 'error');
				}
			}),
		);
		const filled = m.source === 'license' || m.source === 'share';
		/* a file of the receiving node (跨省通办): named and digested here only */
		const remote = typeof m.ref === 'string' && m.ref.startsWith('fed:');
		return h(
			'tr',
			{ class: filled ? 'mat-filled' : undefined },
			h('td', { 'data-label': t('case.m_round') }, t(m.round > 1 ? 'case.round_n' : 'case.round_1', { n: m.round })),
			h('td', { 'data-label': t('case.m_name') }, data(m.name)),
			h('td', { 'data-label': t('case.m_type') }, filled ? sourceView(m) : h('span', null, tOr(`mime.${m.mime}`, m.mime), ' · ', fmtSize(m.size))),
			h('td', { 'data-label': t('case.m_at') }, fmtDateTime(m.at)),
			h('td', { 'data-label': t('case.m_view') }, filled ? verifiedView(m, i, labels) : remote ? h('span', { class: 'xcase-remote-file' }, t('xcase.file_elsewhere'), ' ', h('code', { class: 'tag-code', title: m.file }, `SM3 ${m.file.slice(0, 12)}…`)) : btn),
		);
	});
	if (!c.materials.length) return h('p', { class: 'muted' }, t('case.no_materials'));
	return h(
		'div',
		null,
		h(
			'table',
			{ class: 'table stack' },
			h('caption', { class: 'visually-hidden' }, t('case.materials')),
			h('thead', null, h('tr', null, [t('case.m_round'), t('case.m_name'), t('case.m_type'), t('case.m_at'), t('case.m_view')].map((x) => h('th', { scope: 'col' }, x)))),
			h('tbody', null, rows),
		),
		viewer,
	);
}

/* ---- the applicant: supplement in place ---- */

function supplementForm(c, itemMaterials) {
	const ups = [];
	const list = h('div', { class: 'materials-upload' });
	(c.missing || []).forEach((name, i) => {
		const im = itemMaterials.find((m) => m.name === name);
		const up = uploader({ id: `supp-${i}`, label: data(name), required: true, hint: [] });
		ups.push({ name, seq: im ? im.seq : undefined, up });
		list.append(up.el);
	});
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'supp-submit' }, t('case.resubmit'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'supp-form' },
		h('p', null, t('case.supp_intro')),
		list,
		field({ id: 'supp-comment', label: t('case.supp_comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		let first = null;
		for (const [i, x] of ups.entries()) {
			if (x.up.uploading()) first = first || setFieldError(form, `supp-${i}`, t('upload.wait'));
			else if (!x.up.file()) first = first || setFieldError(form, `supp-${i}`, t('apply.material_missing'));
		}
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			return;
		}
		const materials = ups.map((x) => ({ ...(x.seq ? { seq: x.seq } : {}), name: x.name.slice(0, 100), file: x.up.file().id }));
		const comment = form.querySelector('#supp-comment').value.trim();
		await busy(submit, async () => {
			try {
				await api('POST', `/cases/${c.id}/resubmit`, { materials, ...(comment ? { comment } : {}) });
				await rerender();
				announce(t('case.resubmitted'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => {
					const m = /^materials\[(\d+)\]/.exec(f);
					if (m) return `supp-${m[1]}`;
					return f === 'comment' ? 'supp-comment' : null;
				});
			}
		});
	});
	return form;
}

/* ---- the applicant: rating ---- */

function ratingForm(c) {
	const radios = [5, 4, 3, 2, 1].map((n) =>
		h('div', { class: 'choice star-choice' }, h('input', { type: 'radio', name: 'rate-stars', id: `rate-${n}`, value: String(n) }), h('label', { for: `rate-${n}` }, h('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(n) + '☆'.repeat(5 - n)), ' ', t('case.stars_n', { n }), ' ', h('span', { class: 'muted' }, t(`stars.${n}`)))),
	);
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'rate-submit' }, t('case.rate_submit'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'rate-form' },
		h('fieldset', { class: 'field stars-field', 'aria-describedby': 'rate-1-error' }, h('legend', null, t('case.rate_legend')), radios, errorSlot('rate-1')),
		field({ id: 'rate-comment', label: t('case.rate_comment'), kind: 'textarea', hint: t('case.rate_comment_hint'), attrs: { maxlength: '500' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const picked = form.querySelector('input[name="rate-stars"]:checked');
		if (!picked) {
			setFieldError(form, 'rate-1', t('case.rate_pick'));
			form.querySelector('#rate-5').focus();
			return;
		}
		const comment = form.querySelector('#rate-comment').value.trim();
		await busy(submit, async () => {
			try {
				await api('POST', `/cases/${c.id}/rating`, { stars: Number(picked.value), comment });
				await rerender();
				announce(t('case.rated'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => ({ stars: 'rate-1', comment: 'rate-comment' })[f] || null);
			}
		});
	});
	return form;
}

/* ---- officials: actions ---- */

/** The actions this official may take on the case now. */
function actionsFor(c) {
	const clerk = hasRole('clerk');
	const reviewer = hasRole('reviewer');
	const a = [];
	if (c.state === 'submitted' && clerk) a.push('accept', 'supplement', 'not_accept');
	if (c.state === 'accepted' && reviewer) a.push('approve', 'deny');
	if (c.state === 'approved' && (clerk || reviewer)) a.push('deliver');
	if (clerk || reviewer) a.push('visit');
	return a;
}

const ENDPOINT = { accept: 'accept', not_accept: 'not-accept', supplement: 'supplement', approve: 'approve', deny: 'deny', deliver: 'deliver', visit: 'visits' };

function actionForm(kind, c, itemMaterials) {
	const id = (x) => `act-${kind}-${x}`;
	const parts = [];
	if (kind === 'accept' || kind === 'approve') parts.push(field({ id: id('comment'), label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }));
	if (kind === 'not_accept' || kind === 'deny') parts.push(field({ id: id('reason'), label: t('act.reason'), kind: 'textarea', hint: t('act.reason_hint'), required: true, attrs: { maxlength: '1000' } }));
	if (kind === 'supplement') {
		parts.push(
			h(
				'fieldset',
				{ class: 'field', 'aria-describedby': `${id('missing')}-error` },
				h('legend', null, t('act.missing_legend')),
				itemMaterials.map((m) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: id(`m${m.seq}`), value: m.name, class: 'missing-check' }), h('label', { for: id(`m${m.seq}`) }, data(m.name)))),
				h('input', { type: 'hidden', id: id('missing') }),
				errorSlot(id('missing')),
			),
			field({ id: id('other'), label: t('act.missing_other'), kind: 'textarea', hint: t('act.missing_other_hint'), attrs: { rows: 2 } }),
			field({ id: id('comment'), label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
		);
	}
	if (kind === 'deliver') {
		parts.push(
			field({ id: id('delivery'), label: t('act.delivery'), kind: 'select', value: 'electronic', options: ['electronic', 'mail', 'window'].map((d) => [d, t(`delivery.${d}`)]) }),
			field({ id: id('comment'), label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
		);
	}
	if (kind === 'visit') parts.push(field({ id: id('purpose'), label: t('act.visit_purpose'), hint: t('act.visit_hint'), required: true, attrs: { maxlength: '200' } }));
	const submit = h('button', { type: 'submit', class: `btn ${kind === 'not_accept' || kind === 'deny' ? 'btn-danger' : 'btn-primary'}`, id: id('submit') }, t(`act.${kind}_confirm`));
	const form = h('form', { class: 'form action-form', novalidate: true, id: id('form') }, h('h3', null, t(`act.${kind}`)), h('p', { class: 'hint' }, t(`act.${kind}_help`)), parts, h('div', { class: 'btn-row' }, submit));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const val = (x) => {
			const el = form.querySelector(`#${id(x)}`);
			return el ? el.value.trim() : '';
		};
		const body = {};
		if (val('comment')) body.comment = val('comment');
		if (kind === 'not_accept' || kind === 'deny') body.reason = val('reason');
		if (kind === 'deliver') body.delivery = val('delivery');
		if (kind === 'visit') body.purpose = val('purpose');
		if (kind === 'supplement') {
			const missing = [...form.querySelectorAll('.missing-check:checked')].map((x) => x.value);
			for (const line of val('other').split('\n')) if (line.trim()) missing.push(line.trim());
			body.missing = missing;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/cases/${c.id}/${ENDPOINT[kind]}`, body);
				await rerender();
				announce(t(`act.${kind}_done`), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => {
					if (f === 'reason') return id('reason');
					if (f === 'comment') return id('comment');
					if (f === 'purpose') return id('purpose');
					if (f === 'delivery') return id('delivery');
					if (f === 'missing' || f.startsWith('missing[')) return id('missing');
					return null;
				});
			}
		});
	});
	return form;
}

function actionsPanel(c, itemMaterials) {
	const kinds = actionsFor(c);
	if (!kinds.length) return null;
	const panel = h('div', { class: 'action-panel', id: 'action-panel' });
	const buttons = kinds.map((k) => {
		const b = h('button', { type: 'button', class: `btn ${k === 'not_accept' || k === 'deny' ? 'btn-danger-outline' : k === 'visit' ? 'btn-secondary' : 'btn-primary'}`, id: `btn-${k}`, 'aria-expanded': 'false', 'aria-controls': 'action-panel' }, t(`act.${k}`));
		b.addEventListener('click', () => {
			const open = b.getAttribute('aria-expanded') === 'true';
			for (const o of buttons) o.setAttribute('aria-expanded', 'false');
			if (open) {
				panel.replaceChildren();
				return;
			}
			b.setAttribute('aria-expanded', 'true');
			const form = actionForm(k, c, itemMaterials);
			panel.replaceChildren(form);
			const firstInput = form.querySelector('input:not([type=hidden]), textarea, select');
			(firstInput || form.querySelector('button[type=submit]')).focus();
		});
		return b;
	});
	return section(t('case.actions'), h('div', { class: 'btn-row action-buttons' }, buttons), panel);
}

/* ---- the page ---- */

export async function render({ params }) {
	const u = currentUser();
	let c;
	try {
		c = await api('GET', `/cases/${params.id}`);
	} catch (e) {
		if (e instanceof ApiError && (e.status === 403 || e.status === 404)) {
			const title = e.status === 403 ? t('case.other_dept_title') : t('case.not_found_title');
			return { title, node: h('div', null, pageHead(title), h('p', { class: 'notice', role: 'alert' }, e.status === 403 ? t('case.other_dept_text') : t('case.not_found_text')), linkButton(isApplicant(u) ? '#/cases' : '#/work', t('case.back_list'), 'btn btn-secondary')) };
		}
		throw e;
	}
	const official = u.kind === 'official';
	let itemMaterials = [];
	if ((official && c.state === 'submitted') || (!official && c.state === 'needs_supplement')) {
		try {
			itemMaterials = (await api('GET', `/services/${c.item.id}`)).materials || [];
		} catch {
			/* an unpublished item: free-text list only */
		}
	}

	const status = h(
		'div',
		{ class: 'case-status' },
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, t('case.state')), stateBadge(c.state)),
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, c.deadline.phase === 'acceptance' ? t('case.deadline_accept') : t('case.deadline_decide')), deadlineView(c.deadline)),
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, t('case.visits_label')), h('p', { class: 'visits' }, visitsText(c.visits))),
	);

	const blocks = [];
	if (!official && c.state === 'needs_supplement' && c.missing) blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'supp-title' }, h('h2', { id: 'supp-title' }, t('case.supp_title')), supplementForm(c, itemMaterials)));
	if (!official && c.can_rate) blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'rate-title' }, h('h2', { id: 'rate-title' }, t('case.rate_title')), h('p', null, t('case.rate_intro')), ratingForm(c)));
	if (official) {
		const panel = actionsPanel(c, itemMaterials);
		if (panel) blocks.push(panel);
	}
	if (c.rating) {
		blocks.push(section(t('case.rating'), h('p', { class: 'rating-view' }, h('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(c.rating.stars) + '☆'.repeat(5 - c.rating.stars)), ' ', t('case.stars_n', { n: c.rating.stars }), ' · ', t(`stars.${c.rating.stars}`)), c.rating.comment ? data(c.rating.comment, 'p', { class: 'ev-comment' }) : null));
	}

	const facts = dl([
		[t('case.no'), c.case_no],
		[t('case.exempted_n'), c.exempted ? t('case.exempted_count', { n: c.exempted }) : null],
		[t('case.item'), h('a', { href: `#/services/${c.item.id}` }, data(c.item.name))],
		[t('case.dept'), data(deptName(c.department))],
		official ? [t('case.applicant'), h('span', null, data(c.applicant.name), ' ', h('span', { class: 'muted' }, `(${t(`kind.${c.applicant.kind}`)})`))] : [null, null],
		[t('case.submitted_at'), fmtDateTime(c.submitted_at)],
		[t('case.accepted_at'), c.accepted_at ? fmtDateTime(c.accepted_at) : null],
		[t('case.decided_at'), c.decided_at ? fmtDateTime(c.decided_at) : null],
		[t('case.delivered_at'), c.delivered_at ? fmtDateTime(c.delivered_at) : null],
		[t('case.due'), deadlineText(c.deadline)],
		c.deadline.paused_workdays ? [t('case.paused_days'), t('days.n', { n: c.deadline.paused_workdays })] : [null, null],
	]);

	const title = t('case.title');
	const node = h(
		'div',
		{ class: 'case' },
		h('p', { class: 'breadcrumb' }, h('a', { href: official ? '#/work' : '#/cases' }, official ? t('nav.inbox') : t('nav.my_cases')), h('span', { 'aria-hidden': 'true' }, ' / '), c.case_no),
		pageHead(title, { titleNode: h('span', null, data(c.item.name)), sub: h('span', null, t('case.no'), t('common.colon'), h('span', { class: 'case-no' }, c.case_no)) }),
		c.cross ? crossBanner(c.cross) : null,
		status,
		blocks,
		section(t('case.details'), facts),
		section(t('case.form'), formView(c.form)),
		section(t('case.materials'), materialsView(c, await sourceLabels(c))),
		section(t('case.history'), timeline(c.history)),
	);
	return { title: `${title} ${c.case_no}`, node };
}

