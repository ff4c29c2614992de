// fed-cases.js - 跨省通办 at the receiving node: one application with its
// history from both nodes (and, for 多地联办, its two steps); applying for
// an item of another province (全程网办 or 多地联办); the window's list and
// registration of 异地代收代办 with the formal review and the hand-over.
//
// Views: detail (#/fed/cases/:id), apply (#/fed/apply/:code/:fedcode),
// start (#/fed/apply), proxy (#/fed/proxy), proxy_new (#/fed/proxy/new).

import { h, data } from '../dom.js';
import { t, tOr, fmtDateTime, fmtDate, fmtSize } from '../i18n.js';
import { api, apiBlob, ApiError } from '../api.js';
import {
	field, pageHead, section, dl, problemText, showErrors, clearErrors, setFieldError, setFormError, busy, announce, flash,
	errorSlot, linkButton, empty, pager,
} from '../ui.js';
import { formLabel } from '../catalog.js';
import { uploader } from './upload.js';
import { currentUser, hasRole, go, onLeave, render as rerender } from '../app.js';
import { FED_STATES, fedStateBadge, crossMark, handledAt, nameIn } from './fed-cases-ui.js';

const PAGE = 20;

/* ---- pieces ---- */

function itemTitle(c) {
	return c.item.name ? data(c.item.name) : h('span', null, data(c.item.code), ' ', h('span', { class: 'muted' }, t('xcase.name_pending')));
}

function sourceText(ev) {
	return h('span', { class: 'badge tone-muted xcase-source' }, data(nameIn(ev.source_name, ev.source_name_en)));
}

function actorText(ev) {
	const role = ev.role ? tOr(`role.${ev.role}`, ev.role) : '';
	if (!ev.actor) return h('span', null, role);
	return h('span', null, data(ev.actor), role ? h('span', { class: 'muted' }, ` (${role})`) : null);
}

function timeline(history) {
	return h(
		'ol',
		{ class: 'timeline', id: 'xcase-history' },
		history.map((ev) =>
			h(
				'li',
				{ class: `ev ev-${ev.action}`, 'data-source': ev.source },
				h(
					'p',
					{ class: 'ev-head' },
					h('strong', null, tOr(`xcase.action.${ev.action}`, tOr(`action.${ev.action}`, ev.action))),
					ev.from && ev.to && ev.from !== ev.to ? h('span', { class: 'ev-states' }, ' ', t('case.ev_states', { from: tOr(`state.${ev.from}`, ev.from), to: tOr(`state.${ev.to}`, ev.to) })) : null,
				),
				h('p', { class: 'ev-meta' }, sourceText(ev), ' ', h('time', { datetime: ev.at }, fmtDateTime(ev.at)), h('span', { 'aria-hidden': 'true' }, ' · '), actorText(ev)),
				ev.comment ? h('p', { class: 'ev-comment' }, h('span', { class: 'muted' }, t('case.ev_comment')), data(ev.comment, 'q')) : null,
			),
		),
	);
}

function formView(form) {
	const keys = Object.keys(form || {});
	if (!keys.length) return h('p', { class: 'muted' }, t('case.form_empty'));
	return dl(keys.map((k) => [tOr(`apply.${k}`, null) ? t(`apply.${k}`) : data(k), data(typeof form[k] === 'string' ? form[k] : JSON.stringify(form[k]))]));
}

/* The files stay at this node: opened through the application. */
function materialsView(c) {
	if (!c.materials.length) return h('p', { class: 'muted' }, t('case.no_materials'));
	const urls = [];
	onLeave(() => urls.forEach((u) => URL.revokeObjectURL(u)));
	const rows = c.materials.map((m) => {
		const open = h('button', { type: 'button', class: 'btn btn-small btn-secondary' }, t('case.preview'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(m.name)));
		open.addEventListener('click', () =>
			busy(open, async () => {
				try {
					const blob = await apiBlob(`/fed/cases/${c.id}/files/${m.file}`);
					const url = URL.createObjectURL(blob);
					urls.push(url);
					window.open(url, '_blank', 'noopener');
				} catch (e) {
					announce(problemText(e), 'error');
				}
			}),
		);
		return h(
			'tr',
			null,
			h('td', { 'data-label': t('case.m_round') }, t(m.round > 1 ? 'case.round_n' : 'case.round_1', { n: m.round })),
			h('td', { 'data-label': t('case.m_name') }, data(m.name)),
			h('td', { 'data-label': t('case.m_type') }, tOr(`mime.${m.mime}`, m.mime), ' · ', fmtSize(m.size)),
			h('td', { 'data-label': t('xcase.digest') }, h('code', { class: 'tag-code', title: m.file }, `${m.file.slice(0, 12)}…`)),
			h('td', { 'data-label': t('case.m_view') }, open),
		);
	});
	return h(
		'table',
		{ class: 'table stack' },
		h('caption', { class: 'visually-hidden' }, t('case.materials')),
		h('thead', null, h('tr', null, [t('case.m_round'), t('case.m_name'), t('case.m_type'), t('xcase.digest'), t('case.m_view')].map((x) => h('th', { scope: 'col' }, x)))),
		h('tbody', null, rows),
	);
}

/** 多地联办: the two steps side by side. */
function stepsView(c) {
	const l = c.local_case;
	const step = (n, title, where, item, state, link) =>
		h(
			'li',
			{ class: 'xcase-step', id: `xcase-step-${n}` },
			h('p', { class: 'xcase-step-title' }, h('span', { class: 'xcase-step-no', 'aria-hidden': 'true' }, String(n)), h('strong', null, title)),
			h('p', null, data(where)),
			h('p', null, item),
			h('p', null, fedStateBadge(state), link ? [' ', link] : null),
		);
	return h(
		'div',
		null,
		h('p', { class: 'xcase-overall' }, t('xcase.overall'), t('common.colon'), h('strong', { class: `xcase-overall-${c.overall}` }, t(`xcase.overall.${c.overall}`))),
		h(
			'ol',
			{ class: 'xcase-steps' },
			step(1, t('xcase.step_local'), [nameIn(l.department.name, l.department.name_en)].join(''), data(l.item.name), l.state, h('a', { href: `#/cases/${l.id}` }, t('xcase.open_local'), h('span', { class: 'visually-hidden' }, ' ', l.case_no))),
			step(2, t('xcase.step_home'), [nameIn(c.home.region_name, c.home.region_name_en), nameIn(c.department.name, c.department.name_en)].filter(Boolean).join(' · '), itemTitle(c), c.state, null),
		),
	);
}

function reviewView(r) {
	if (!r) return null;
	return dl([
		[t('xcase.review_decision'), h('span', { class: `badge ${r.decision === 'pass' ? 'tone-ok' : 'tone-bad'}` }, t(`xcase.review.${r.decision}`))],
		[t('xcase.review_by'), data(r.by)],
		[t('xcase.review_at'), fmtDateTime(r.at)],
		[t('xcase.review_note'), r.note ? data(r.note) : null],
	]);
}

/* ---- the window's actions ---- */

function reviewForm(c) {
	const radios = ['pass', 'reject'].map((d) =>
		h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'xrev-decision', id: `xrev-${d}`, value: d }), h('label', { for: `xrev-${d}` }, t(`xcase.review.${d}`), ' ', h('span', { class: 'muted' }, t(`xcase.review.${d}_help`)))),
	);
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xrev-submit' }, t('xcase.review_submit'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'xrev-form' },
		h('p', { class: 'hint' }, t('xcase.review_intro')),
		h('fieldset', { class: 'field', 'aria-describedby': 'xrev-pass-error' }, h('legend', null, t('xcase.review_decision')), radios, errorSlot('xrev-pass')),
		field({ id: 'xrev-note', label: t('xcase.review_note'), kind: 'textarea', hint: t('xcase.review_note_hint'), attrs: { maxlength: '1000', rows: 3 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const picked = form.querySelector('input[name="xrev-decision"]:checked');
		const note = form.querySelector('#xrev-note').value.trim();
		if (!picked) {
			setFieldError(form, 'xrev-pass', t('xcase.review_pick'));
			form.querySelector('#xrev-pass').focus();
			return;
		}
		if (picked.value === 'reject' && !note) {
			setFieldError(form, 'xrev-note', t('xcase.review_note_required'));
			form.querySelector('#xrev-note').focus();
			return;
		}
		await busy(submit, async () => {
			try {
				await api('POST', `/fed/cases/${c.id}/review`, { decision: picked.value, ...(note ? { note } : {}) });
				await rerender();
				announce(t(picked.value === 'pass' ? 'xcase.review_passed' : 'xcase.review_rejected'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => ({ decision: 'xrev-pass', note: 'xrev-note' })[f] || null);
			}
		});
	});
	return form;
}

function deliverForm(c) {
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xdel-submit' }, t('xcase.deliver_submit'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'xdel-form' },
		h('p', { class: 'hint' }, t('xcase.deliver_intro')),
		field({ id: 'xdel-comment', label: t('act.comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000', rows: 2 } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const comment = form.querySelector('#xdel-comment').value.trim();
		await busy(submit, async () => {
			try {
				await api('POST', `/fed/cases/${c.id}/deliver`, comment ? { comment } : {});
				await rerender();
				announce(t('xcase.delivered'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => (f === 'comment' ? 'xdel-comment' : null));
			}
		});
	});
	return form;
}

/* 补正 at this node: one upload per missing material. */
function supplementForm(c, path) {
	const ups = [];
	const list = h('div', { class: 'materials-upload' });
	(c.missing || []).forEach((name, i) => {
		const up = uploader({ id: `xsupp-${i}`, label: data(name), required: true, hint: [], path });
		ups.push({ name, up });
		list.append(up.el);
	});
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xsupp-submit' }, t('case.resubmit'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'xsupp-form' },
		h('p', null, t('xcase.supp_intro', { where: nameIn(c.home.region_name, c.home.region_name_en) })),
		h('ul', { class: 'missing-list' }, (c.missing || []).map((m) => data(m, 'li'))),
		list,
		field({ id: 'xsupp-comment', label: t('case.supp_comment'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '1000' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		let first = null;
		for (const [i, x] of ups.entries()) {
			if (x.up.uploading()) first = first || setFieldError(form, `xsupp-${i}`, t('upload.wait'));
			else if (!x.up.file()) first = first || setFieldError(form, `xsupp-${i}`, t('apply.material_missing'));
		}
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			return;
		}
		const comment = form.querySelector('#xsupp-comment').value.trim();
		const materials = ups.map((x) => ({ name: x.name.slice(0, 100), file: x.up.file().id }));
		await busy(submit, async () => {
			try {
				await api('POST', `/fed/cases/${c.id}/resubmit`, { materials, ...(comment ? { comment } : {}) });
				await rerender();
				announce(t('case.resubmitted'), 'ok');
			} catch (err) {
				showErrors(form, err, (f) => {
					const m = /^materials\[(\d+)\]/.exec(f);
					if (m) return `xsupp-${m[1]}`;
					return f === 'comment' ? 'xsupp-comment' : null;
				});
			}
		});
	});
	return form;
}

/* ---- one application ---- */

async function detail({ params }) {
	const u = currentUser();
	const official = u.kind === 'official';
	const back = official ? '#/fed/proxy' : '#/cases';
	let c;
	try {
		c = await api('GET', `/fed/cases/${params.id}`);
	} catch (e) {
		if (e instanceof ApiError && e.status === 404) {
			const title = t('xcase.not_found_title');
			return { title, node: h('div', null, pageHead(title), h('p', { class: 'notice', role: 'alert' }, t('xcase.not_found_text')), linkButton(back, t('case.back_list'), 'btn btn-secondary')) };
		}
		throw e;
	}

	const marks = h(
		'div',
		{ class: 'xcase-banner', id: 'xcase-banner' },
		crossMark(c.mode, { id: 'xcase-mark' }),
		h('p', { class: 'xcase-where-line', id: 'xcase-where' }, handledAt(c), c.home.node_name ? h('span', { class: 'muted' }, ' · ', data(c.home.node_name)) : null),
		h('p', { class: 'hint' }, t(`xcase.explain.${c.mode}`)),
	);

	const status = h(
		'div',
		{ class: 'case-status' },
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, t('case.state')), fedStateBadge(c.state)),
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, t('xcase.home_case_no')), h('p', { class: 'visits' }, c.home_case_no ? h('span', { class: 'case-no' }, c.home_case_no) : t('xcase.home_pending'))),
		h('div', { class: 'status-block' }, h('p', { class: 'label' }, t('xcase.home_due')), h('p', { class: 'visits' }, c.home_due_at && !['approved', 'denied', 'not_accepted', 'delivered'].includes(c.state) ? fmtDate(c.home_due_at) : '—')),
	);

	const blocks = [];
	if (c.state === 'not_accepted' && c.history.length && c.history[c.history.length - 1].action === 'refuse') {
		blocks.push(h('p', { class: 'notice', role: 'status', id: 'xcase-refused' }, t('xcase.refused', { where: nameIn(c.home.region_name, c.home.region_name_en) })));
	}
	if (c.can.review) blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'xrev-title' }, h('h2', { id: 'xrev-title' }, t('xcase.review_title')), reviewForm(c)));
	if (c.can.deliver) blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'xdel-title' }, h('h2', { id: 'xdel-title' }, t('xcase.deliver_title')), deliverForm(c)));
	if (c.can.resubmit) blocks.push(h('section', { class: 'card card-attention', 'aria-labelledby': 'xsupp-title' }, h('h2', { id: 'xsupp-title' }, t('case.supp_title')), supplementForm(c, official ? '/fed/files' : '/files')));
	if (c.local_case) blocks.push(section(t('xcase.steps'), stepsView(c)));

	const facts = dl([
		[t('xcase.number'), h('span', { class: 'case-no' }, c.number)],
		[t('xcase.mode'), tOr(`xcase.mode.${c.mode}`, c.mode)],
		[t('case.item'), h('span', null, itemTitle(c), ' ', h('code', { class: 'tag-code' }, c.item.code))],
		[t('xcase.home'), data([nameIn(c.home.region_name, c.home.region_name_en), c.home.node_name].filter(Boolean).join(' · '))],
		[t('case.dept'), c.department.name ? data(nameIn(c.department.name, c.department.name_en)) : t('xcase.home_pending')],
		[t('case.applicant'), h('span', null, data(c.applicant.name), ' ', h('span', { class: 'muted' }, `(${t(`kind.${c.applicant.kind}`)})`))],
		official ? [t('xcase.id_no'), h('code', null, c.applicant.id_no)] : [null, null],
		official && c.applicant.phone ? [t('xcase.phone'), data(c.applicant.phone)] : [null, null],
		[t('case.submitted_at'), fmtDateTime(c.created_at)],
	]);

	const title = t('xcase.title');
	const node = h(
		'div',
		{ class: 'case xcase' },
		h('p', { class: 'breadcrumb' }, h('a', { href: back }, official ? t('xcase.proxy_title') : t('nav.my_cases')), h('span', { 'aria-hidden': 'true' }, ' / '), c.number),
		pageHead(title, { titleNode: h('span', null, itemTitle(c)), sub: h('span', null, t('xcase.number'), t('common.colon'), h('span', { class: 'case-no' }, c.number)) }),
		marks,
		status,
		blocks,
		c.review ? section(t('xcase.review_result'), reviewView(c.review)) : null,
		section(t('case.details'), facts),
		section(t('case.form'), formView(c.form)),
		section(t('case.materials'), h('p', { class: 'hint' }, t('xcase.files_here')), materialsView(c)),
		section(t('case.history'), h('p', { class: 'hint' }, t('xcase.history_hint')), timeline(c.history)),
	);
	return { title: `${title} ${c.number}`, node };
}

/* ---- applying for an item of another province ---- */

/** The uploads for a guide's materials; returns {el, collect(form) -> materials|null, index}. */
function materialUploads(prefix, materials, path = '/files') {
	const ups = new Map();
	const el = h('div', { class: 'materials-upload' });
	for (const m of materials) {
		const up = uploader({ id: `${prefix}-${m.seq}`, label: data(m.name), required: m.required, hint: [formLabel(m.form), t('guide.copies', { n: m.count }), m.note].filter(Boolean), path });
		ups.set(m.seq, up);
		el.append(up.el);
	}
	const index = [];
	return {
		el,
		index,
		check(form) {
			let first = null;
			for (const m of materials) {
				const up = ups.get(m.seq);
				if (up.uploading()) first = first || setFieldError(form, `${prefix}-${m.seq}`, t('upload.wait'));
				else if (m.required && !up.file()) first = first || setFieldError(form, `${prefix}-${m.seq}`, t('apply.material_missing'));
			}
			return first;
		},
		collect() {
			index.length = 0;
			const out = [];
			for (const m of materials) {
				const f = ups.get(m.seq).file();
				if (!f) continue;
				out.push({ seq: m.seq, name: m.name, file: f.id });
				index.push(m.seq);
			}
			return out;
		},
	};
}

async function apply({ params }) {
	const region = params.code;
	const code = params.fedcode;
	const it = await api('GET', `/fed/services/${encodeURIComponent(region)}/${encodeURIComponent(code)}`);
	const origin = it.origin || { region, region_name: region };
	const modes = [];
	if ((it.cross_modes || []).includes('full_online')) modes.push('full_online');
	if ((it.cross_modes || []).includes('multi_site')) modes.push('joint');
	const where = nameIn(origin.region_name, origin.region_name_en);
	const title = t('xcase.apply_title');
	const head = [
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, t('nav.hall')), h('span', { 'aria-hidden': 'true' }, ' / '), h('a', { href: `#/fed/services/${region}/${encodeURIComponent(code)}` }, data(it.name)), h('span', { 'aria-hidden': 'true' }, ' / '), t('apply.crumb')),
		pageHead(title, { sub: data(it.name) }),
		h('div', { class: 'xcase-banner' }, h('span', { class: 'badge xcase-mark' }, t('xcase.mark')), h('p', { class: 'xcase-where-line' }, h('span', { class: 'muted' }, t('xcase.handled_at')), data([where, nameIn(it.department && it.department.name, it.department && it.department.name_en)].filter(Boolean).join(' · ')))),
	];
	if (!modes.length) {
		return { title, node: h('div', { class: 'apply' }, head, h('p', { class: 'notice', id: 'xapply-none' }, t((it.cross_modes || []).includes('proxy') ? 'xcase.apply_proxy_only' : 'xcase.apply_no_mode', { where }))) };
	}

	/* Joint: the local items offered for 多地联办. */
	let locals = [];
	if (modes.includes('joint')) {
		try {
			locals = (await api('GET', '/services', null, { query: { cross: 'multi_site', limit: 50 } })).items || [];
		} catch {
			locals = [];
		}
	}
	const remote = materialUploads('xmat', it.materials || []);
	const localBox = h('div', { id: 'xapply-local-materials' });
	let local = null; /* {item, uploads} */

	const modeRadios = modes.map((m, i) =>
		h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'xapply-mode', id: `xapply-mode-${m}`, value: m, checked: i === 0 }), h('label', { for: `xapply-mode-${m}` }, t(`xcase.mode.${m}`), ' ', h('span', { class: 'muted' }, t(`xcase.explain.${m}`)))),
	);
	const localSelect = field({ id: 'xapply-local', label: t('xcase.local_item'), kind: 'select', hint: t('xcase.local_item_hint'), options: [['', t('xcase.local_pick')], ...locals.map((x) => [x.code, x.name])] });
	const jointBox = h('div', { id: 'xapply-joint', hidden: true }, localSelect, localBox);
	const sel = localSelect.querySelector('select');
	sel.addEventListener('change', async () => {
		localBox.replaceChildren();
		local = null;
		const x = locals.find((y) => y.code === sel.value);
		if (!x) return;
		try {
			const full = await api('GET', `/services/${x.id}`);
			local = { item: full, uploads: materialUploads('xlocal', full.materials || []) };
			localBox.append(h('h3', null, t('xcase.local_materials', { name: full.name })), local.uploads.el);
		} catch (e) {
			announce(problemText(e), 'error');
		}
	});

	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'xapply-submit' }, t('apply.submit'));
	const form = h(
		'form',
		{ class: 'form apply-form', novalidate: true },
		section(t('xcase.mode'), h('fieldset', { class: 'field' }, h('legend', null, t('xcase.mode_pick')), modeRadios), jointBox),
		section(
			t('apply.form_section'),
			field({ id: 'xapply-purpose', label: t('apply.purpose'), kind: 'textarea', hint: t('apply.purpose_hint'), required: true, attrs: { maxlength: '500', rows: 4 } }),
			field({ id: 'xapply-address', label: t('apply.address'), hint: t('apply.address_hint'), required: true, attrs: { maxlength: '200', autocomplete: 'street-address' } }),
		),
		section(t('xcase.remote_materials', { where }), h('p', { class: 'hint' }, t('xcase.files_stay')), (it.materials || []).length ? remote.el : h('p', null, t('guide.no_materials'))),
		h('div', { class: 'btn-row' }, submit),
	);
	const modeOf = () => form.querySelector('input[name="xapply-mode"]:checked').value;
	for (const r of form.querySelectorAll('input[name="xapply-mode"]')) r.addEventListener('change', () => (jointBox.hidden = modeOf() !== 'joint'));

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const mode = modeOf();
		const purpose = form.querySelector('#xapply-purpose').value.trim();
		const address = form.querySelector('#xapply-address').value.trim();
		let first = null;
		if (mode === 'joint' && !local) first = setFieldError(form, 'xapply-local', t('xcase.local_pick_required'));
		if (!purpose) first = first || setFieldError(form, 'xapply-purpose', t('err.required'));
		if (!address) first = first || setFieldError(form, 'xapply-address', t('err.required'));
		first = remote.check(form) || first;
		if (mode === 'joint' && local) first = local.uploads.check(form) || first;
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		const body = { mode, home_region: region, item_code: it.code, form: { purpose, address }, materials: remote.collect() };
		if (mode === 'joint') {
			body.local_item_code = local.item.code;
			body.local_materials = local.uploads.collect();
		}
		await busy(submit, async () => {
			try {
				const c = await api('POST', '/fed/cases', body);
				flash(t('xcase.applied', { no: c.number, where }));
				go(`#/fed/cases/${c.id}`);
			} catch (err) {
				showErrors(form, err, (f) => {
					if (f === 'form.purpose') return 'xapply-purpose';
					if (f === 'form.address') return 'xapply-address';
					if (f === 'local_item_code') return 'xapply-local';
					let m = /^materials\[(\d+)\]/.exec(f);
					if (m && remote.index[+m[1]] !== undefined) return `xmat-${remote.index[+m[1]]}`;
					m = /^local_materials\[(\d+)\]/.exec(f);
					if (m && local && local.uploads.index[+m[1]] !== undefined) return `xlocal-${local.uploads.index[+m[1]]}`;
					return null;
				});
			}
		});
	});
	return { title, node: h('div', { class: 'apply xcase-apply' }, head, form) };
}

/** The other nodes one may apply to (not this one, not the hub). */
async function otherNodes() {
	try {
		const r = await api('GET', '/fed/nodes');
		const self = r.self && r.self.region;
		return (r.nodes || []).filter((n) => n.status === 'active' && n.region !== self && n.region !== '000000');
	} catch {
		return [];
	}
}

async function start() {
	const nodes = await otherNodes();
	const title = t('xcase.start_title');
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'xstart-submit' }, t('xcase.start_go'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'xstart-form' },
		field({ id: 'xstart-region', label: t('xcase.home'), kind: 'select', required: true, options: [['', t('xcase.region_pick')], ...nodes.map((n) => [n.region, `${n.region_name} · ${n.name}`])] }),
		field({ id: 'xstart-code', label: t('xcase.item_code'), hint: t('xcase.item_code_hint'), required: true, attrs: { maxlength: '40', autocomplete: 'off' } }),
		h('div', { class: 'btn-row' }, submit, linkButton('#/national', t('xcase.search_national'), 'btn btn-secondary')),
	);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		clearErrors(form);
		const region = form.querySelector('#xstart-region').value;
		const code = form.querySelector('#xstart-code').value.trim();
		let first = null;
		if (!region) first = setFieldError(form, 'xstart-region', t('err.required'));
		if (!/^[0-9A-Za-z._-]{1,40}$/.test(code)) first = first || setFieldError(form, 'xstart-code', t('xcase.item_code_bad'));
		if (first) {
			first.focus();
			return;
		}
		go(`#/fed/apply/${region}/${encodeURIComponent(code)}`);
	});
	return { title, node: h('div', { class: 'xcase-start' }, pageHead(title, { sub: t('xcase.start_sub') }), section(t('xcase.start_section'), form)) };
}

/* ---- the window: 异地代收代办 ---- */

function proxyRow(c) {
	return h(
		'tr',
		null,
		h('td', { 'data-label': t('xcase.number') }, h('a', { href: `#/fed/cases/${c.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, c.item.name ? data(c.item.name) : data(c.item.code)), h('span', { class: 'case-no' }, c.number))),
		h('td', { 'data-label': t('case.applicant') }, data(c.applicant_name)),
		h('td', { 'data-label': t('xcase.home') }, data([nameIn(c.home.region_name, c.home.region_name_en), nameIn(c.department.name, c.department.name_en)].filter(Boolean).join(' · '))),
		h('td', { 'data-label': t('case.state') }, fedStateBadge(c.state)),
		h('td', { 'data-label': t('case.submitted') }, fmtDateTime(c.created_at)),
	);
}

async function proxyList({ query }) {
	const state = FED_STATES.includes(query.get('state')) ? query.get('state') : '';
	const tbody = h('tbody');
	const table = h(
		'table',
		{ class: 'table stack cases-table', id: 'xproxy-table' },
		h('caption', { class: 'visually-hidden' }, t('xcase.proxy_title')),
		h('thead', null, h('tr', null, [t('xcase.number'), t('case.applicant'), t('xcase.home'), t('case.state'), t('case.submitted')].map((x) => h('th', { scope: 'col' }, x)))),
		tbody,
	);
	const filters = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('cases.filters') },
		field({ id: 'xproxy-state', label: t('cases.state'), kind: 'select', value: state, options: [['', t('cases.all_states')], ...FED_STATES.map((s) => [s, tOr(`state.${s}`, s)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filters.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filters.querySelector('#xproxy-state').value;
		go(s ? `#/fed/proxy?state=${s}` : '#/fed/proxy');
	});
	const load = (cursor) => api('GET', '/fed/cases', null, { query: { mode: 'proxy', state, limit: PAGE, cursor } });
	const more = pager(load, (items) => items.forEach((c) => tbody.append(proxyRow(c))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((c) => tbody.append(proxyRow(c)));
		more.setNext(r.next);
		body = r.items.length ? h('div', null, table, more.el) : empty(state ? t('cases.none_filtered') : t('xcase.proxy_empty'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('xcase.proxy_title');
	return {
		title,
		node: h('div', { class: 'cases xcase-proxy' }, pageHead(title, { sub: t('xcase.proxy_sub'), actions: hasRole('clerk') ? linkButton('#/fed/proxy/new', t('xcase.proxy_new'), 'btn btn-primary') : null }), filters, body),
	};
}

async function proxyNew() {
	const nodes = await otherNodes();
	const title = t('xcase.proxy_new_title');
	const guideBox = h('div', { id: 'xproxy-guide' });
	let guide = null; /* {it, uploads} */
	const loadBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'xproxy-load' }, t('xcase.load_guide'));
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'xproxy-submit' }, t('xcase.proxy_register'));
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'xproxy-form' },
		section(
			t('xcase.proxy_item'),
			field({ id: 'xproxy-region', label: t('xcase.home'), kind: 'select', required: true, options: [['', t('xcase.region_pick')], ...nodes.map((n) => [n.region, `${n.region_name} · ${n.name}`])] }),
			field({ id: 'xproxy-code', label: t('xcase.item_code'), hint: t('xcase.item_code_hint'), required: true, attrs: { maxlength: '40', autocomplete: 'off' } }),
			h('div', { class: 'btn-row' }, loadBtn),
			guideBox,
		),
		section(
			t('xcase.proxy_person'),
			field({ id: 'xproxy-kind', label: t('xcase.applicant_kind'), kind: 'select', value: 'citizen', options: ['citizen', 'enterprise'].map((k) => [k, t(`kind.${k}`)]) }),
			field({ id: 'xproxy-name', label: t('xcase.applicant_name'), required: true, attrs: { maxlength: '50', autocomplete: 'off' } }),
			field({ id: 'xproxy-idno', label: t('xcase.id_no'), hint: t('xcase.id_no_hint'), required: true, attrs: { maxlength: '18', autocomplete: 'off', spellcheck: 'false' } }),
			field({ id: 'xproxy-phone', label: t('xcase.phone'), hint: t('common.optional_hint'), attrs: { maxlength: '20', type: 'tel', autocomplete: 'off' } }),
		),
		section(
			t('apply.form_section'),
			field({ id: 'xproxy-purpose', label: t('apply.purpose'), kind: 'textarea', required: true, attrs: { maxlength: '500', rows: 3 } }),
			field({ id: 'xproxy-address', label: t('apply.address'), required: true, attrs: { maxlength: '200' } }),
		),
		h('div', { class: 'btn-row' }, submit, linkButton('#/fed/proxy', t('common.cancel'), 'btn btn-secondary')),
	);
	loadBtn.addEventListener('click', () =>
		busy(loadBtn, async () => {
			clearErrors(form);
			const region = form.querySelector('#xproxy-region').value;
			const code = form.querySelector('#xproxy-code').value.trim();
			guideBox.replaceChildren();
			guide = null;
			if (!region) return setFieldError(form, 'xproxy-region', t('err.required')).focus();
			if (!/^[0-9A-Za-z._-]{1,40}$/.test(code)) return setFieldError(form, 'xproxy-code', t('xcase.item_code_bad')).focus();
			try {
				const it = await api('GET', `/fed/services/${region}/${encodeURIComponent(code)}`);
				if (!(it.cross_modes || []).includes('proxy')) {
					guideBox.append(h('p', { class: 'notice', role: 'alert' }, t('xcase.no_proxy')));
					return;
				}
				guide = { it, region, uploads: materialUploads('xscan', it.materials || [], '/fed/files') };
				guideBox.append(
					h('p', { class: 'notice-ok', id: 'xproxy-guide-ok' }, data(it.name), ' · ', data(nameIn(it.department && it.department.name, it.department && it.department.name_en))),
					h('h3', null, t('xcase.scan_title')),
					h('p', { class: 'hint' }, t('xcase.scan_hint')),
					guide.uploads.el,
				);
			} catch (e) {
				guideBox.append(h('p', { class: 'error-text', role: 'alert' }, problemText(e)));
			}
		}),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const val = (id) => form.querySelector(`#${id}`).value.trim();
		let first = null;
		if (!guide) first = setFieldError(form, 'xproxy-code', t('xcase.load_guide_first'));
		if (!val('xproxy-name')) first = first || setFieldError(form, 'xproxy-name', t('err.required'));
		if (!val('xproxy-idno')) first = first || setFieldError(form, 'xproxy-idno', t('err.required'));
		if (!val('xproxy-purpose')) first = first || setFieldError(form, 'xproxy-purpose', t('err.required'));
		if (!val('xproxy-address')) first = first || setFieldError(form, 'xproxy-address', t('err.required'));
		if (guide) first = guide.uploads.check(form) || first;
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			return;
		}
		const body = {
			mode: 'proxy',
			home_region: guide.region,
			item_code: guide.it.code,
			applicant_kind: val('xproxy-kind'),
			applicant_name: val('xproxy-name'),
			applicant_id_no: val('xproxy-idno'),
			form: { purpose: val('xproxy-purpose'), address: val('xproxy-address') },
			materials: guide.uploads.collect(),
		};
		if (val('xproxy-phone')) body.applicant_phone = val('xproxy-phone');
		await busy(submit, async () => {
			try {
				const c = await api('POST', '/fed/cases', body);
				flash(t('xcase.registered', { no: c.number }));
				go(`#/fed/cases/${c.id}`);
			} catch (err) {
				showErrors(form, err, (f) => {
					const map = { applicant_name: 'xproxy-name', applicant_id_no: 'xproxy-idno', applicant_phone: 'xproxy-phone', applicant_kind: 'xproxy-kind', home_region: 'xproxy-region', item_code: 'xproxy-code', 'form.purpose': 'xproxy-purpose', 'form.address': 'xproxy-address' };
					if (map[f]) return map[f];
					const m = /^materials\[(\d+)\]/.exec(f);
					if (m && guide.uploads.index[+m[1]] !== undefined) return `xscan-${guide.uploads.index[+m[1]]}`;
					return null;
				});
			}
		});
	});
	return { title, node: h('div', { class: 'xcase-proxy-new' }, h('p', { class: 'breadcrumb' }, h('a', { href: '#/fed/proxy' }, t('xcase.proxy_title')), h('span', { 'aria-hidden': 'true' }, ' / '), t('xcase.proxy_new')), pageHead(title, { sub: t('xcase.proxy_new_sub') }), form) };
}

export async function render(ctx) {
	switch (ctx.view) {
		case 'apply':
			return apply(ctx);
		case 'start':
			return start(ctx);
		case 'proxy':
			return proxyList(ctx);
		case 'proxy_new':
			return proxyNew(ctx);
		default:
			return detail(ctx);
	}
}
