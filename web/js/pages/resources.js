// resources.js - the data resource catalog (政务信息资源目录): search and
// filters for every official; one resource with its fields, sharing type,
// conditions and legal basis; for the provider's data officer the CSV load
// with its per-row error report; for other data officers "申请共享"; and
// the form that registers a resource with its fields editor.

import { h, data } from '../dom.js';
import { t, tOr, fmtDateTime, deptName } from '../i18n.js';
import { api, apiRaw } from '../api.js';
import { tx, field, pageHead, section, dl, pager, empty, problemText, showErrors, clearErrors, busy, announce, flash, errorSlot, linkButton, setFieldError, fieldErrorText } from '../ui.js';
import { departments, deptNames } from '../catalog.js';
import { currentUser, go } from '../app.js';
import {
	SHARE_TYPES, SENSITIVITIES, FIELD_TYPES, MASKS, SHARE_METHODS, OPEN_TYPES, CYCLES,
	shareTypeBadge, sensitivityBadge, fieldTypeLabel, maskLabel, methodLabel, openTypeLabel, cycleLabel, shareTypeLabel,
	deptText, dataTabs, isDataOfficer, grantBadge, dayText, fieldList,
} from '../sharing.js';

const PAGE = 20;

/* ---- the list ---- */

async function listView(query) {
	const q = (query.get('q') || '').trim();
	const dept = /^\d+$/.test(query.get('dept') || '') ? query.get('dept') : '';
	const shareType = SHARE_TYPES.includes(query.get('share_type')) ? query.get('share_type') : '';
	const names = await deptNames();
	let deptOpts = [];
	try {
		deptOpts = (await departments()).map((d) => [String(d.id), names.get(d.id) || d.name]);
	} catch {
		/* the filter offers "all" only */
	}
	const filters = h(
		'form',
		{ class: 'filter-bar res-filters', novalidate: true, role: 'search', 'aria-label': t('res.search') },
		field({ id: 'res-q', label: t('res.keyword'), type: 'search', value: q, hint: t('res.keyword_hint'), attrs: { maxlength: '100' } }),
		field({ id: 'res-dept', label: t('res.provider'), kind: 'select', value: dept, options: [['', t('res.all_depts')], ...deptOpts] }),
		field({ id: 'res-type', label: t('res.share_type'), kind: 'select', value: shareType, options: [['', t('res.all_types')], ...SHARE_TYPES.map((s) => [s, shareTypeLabel(s)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'res-search' }, t('res.search_btn'))),
	);
	filters.addEventListener('submit', (e) => {
		e.preventDefault();
		const p = new URLSearchParams();
		const v = (id) => filters.querySelector(`#${id}`).value.trim();
		if (v('res-q')) p.set('q', v('res-q'));
		if (v('res-dept')) p.set('dept', v('res-dept'));
		if (v('res-type')) p.set('share_type', v('res-type'));
		const s = p.toString();
		go(s ? `#/data/resources?${s}` : '#/data/resources');
	});

	const tbody = h('tbody');
	const row = (r) =>
		h(
			'tr',
			null,
			h('td', { 'data-label': t('res.name') }, h('a', { href: `#/data/resources/${r.id}`, class: 'case-link' }, h('span', { class: 'case-item' }, data(r.name)), h('span', { class: 'case-no' }, r.code))),
			h('td', { 'data-label': t('res.provider') }, data(deptText(r.department || r.provider || r.dept, names))),
			h('td', { 'data-label': t('res.share_type') }, shareTypeBadge(r.share_type)),
			h('td', { 'data-label': t('res.cycle') }, cycleLabel(r.update_cycle)),
			h('td', { 'data-label': t('res.rows') }, r.row_count === undefined ? '' : t('res.rows_n', { n: r.row_count })),
		);
	const load = (cursor) => api('GET', '/resources', null, { query: { q, dept, share_type: shareType, limit: PAGE, cursor } });
	const more = pager(load, (items) => items.forEach((r) => tbody.append(row(r))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((x) => tbody.append(row(x)));
		more.setNext(r.next);
		body = r.items.length
			? h(
					'div',
					null,
					h(
						'table',
						{ class: 'table stack res-table' },
						h('caption', { class: 'visually-hidden' }, t('res.caption')),
						h('thead', null, h('tr', null, [t('res.name'), t('res.provider'), t('res.share_type'), t('res.cycle'), t('res.rows')].map((c) => h('th', { scope: 'col' }, c)))),
						tbody,
					),
					more.el,
				)
			: empty(q || dept || shareType ? t('res.none_filtered') : t('res.none'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('res.title');
	return {
		title,
		node: h(
			'div',
			{ class: 'resources' },
			pageHead(title, { sub: t('res.sub'), actions: isDataOfficer() ? linkButton('#/data/resources/new', t('res.new'), 'btn btn-primary') : null }),
			dataTabs('resources'),
			filters,
			body,
		),
	};
}

/* ---- one resource ---- */

function fieldsTable(fields, keyField, subjectField) {
	return h(
		'table',
		{ class: 'table stack fields-table' },
		h('caption', { class: 'visually-hidden' }, t('res.fields')),
		h('thead', null, h('tr', null, [t('res.f_name'), t('res.f_label'), t('res.f_type'), t('res.f_sens'), t('res.f_mask')].map((c) => h('th', { scope: 'col' }, c)))),
		h(
			'tbody',
			null,
			fields.map((f) =>
				h(
					'tr',
					null,
					h('td', { 'data-label': t('res.f_name') }, h('code', null, f.name), f.name === keyField ? h('span', { class: 'tag tag-info field-role' }, t('res.key_mark')) : null, f.name === subjectField ? h('span', { class: 'tag tag-info field-role' }, t('res.subject_mark')) : null),
					h('td', { 'data-label': t('res.f_label') }, data(f.label || '')),
					h('td', { 'data-label': t('res.f_type') }, fieldTypeLabel(f.type)),
					h('td', { 'data-label': t('res.f_sens') }, sensitivityBadge(f.sensitivity)),
					h('td', { 'data-label': t('res.f_mask') }, f.mask && (f.sensitivity === 'personal' || f.sensitivity === 'sensitive') ? maskLabel(f.mask) : h('span', { class: 'muted' }, t('res.no_mask'))),
				),
			),
		),
	);
}

/** The CSV load: a file, then the report of what loaded and each bad row. */
function importForm(r, onDone) {
	const input = h('input', { type: 'file', id: 'imp-file', class: 'file-input', accept: '.csv,text/csv', 'aria-describedby': 'imp-file-hint imp-file-status imp-file-error' });
	const status = h('p', { class: 'upload-status', id: 'imp-file-status' }, t('imp.none'));
	const report = h('div', { class: 'import-report', id: 'imp-report', tabindex: '-1' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'imp-submit' }, t('imp.submit'));
	const header = (r.fields || []).map((f) => f.name).join(',');
	const form = h(
		'form',
		{ class: 'form', novalidate: true, id: 'imp-form' },
		h('div', { class: 'upload field' },
			h('p', { class: 'upload-title' }, t('imp.file')),
			h('p', { class: 'hint', id: 'imp-file-hint' }, t('imp.hint'), ' ', h('code', { class: 'csv-header' }, header)),
			h('div', { class: 'upload-row' }, input, h('label', { for: 'imp-file', class: 'btn btn-secondary file-pick' }, t('imp.choose'))),
			status,
			h('p', { class: 'field-error', id: 'imp-file-error' }),
		),
		h('div', { class: 'btn-row' }, submit),
	);
	input.addEventListener('change', () => {
		const f = input.files && input.files[0];
		status.replaceChildren(...(f ? tx('imp.chosen', { name: f.name }) : [t('imp.none')]));
		if (f) {
			input.removeAttribute('aria-invalid');
			form.querySelector('#imp-file-error').replaceChildren();
			form.querySelector('.upload').classList.remove('has-error');
		}
	});
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const f = input.files && input.files[0];
		if (!f) {
			setFieldError(form, 'imp-file', t('imp.pick_first'));
			input.focus();
			return;
		}
		await busy(submit, async () => {
			status.replaceChildren(...tx('imp.loading', { name: f.name }));
			try {
				const res = await apiRaw('POST', `/resources/${r.id}/import`, f, 'text/csv');
				report.replaceChildren(importReport(res, r));
				status.replaceChildren(...tx('imp.chosen', { name: f.name }));
				announce(t('imp.done', { loaded: res.loaded ?? 0, rejected: res.rejected ?? 0 }), res.rejected ? 'info' : 'ok');
				report.focus();
				onDone(res);
			} catch (err) {
				status.replaceChildren(...tx('imp.chosen', { name: f.name }));
				setFieldError(form, 'imp-file', problemText(err));
				input.focus();
				announce(problemText(err), 'error');
			}
		});
	});
	return h('div', null, form, report);
}

function fieldName(name, r) {
	const f = (r.fields || []).find((x) => x.name === name);
	return h('span', null, f && f.label ? data(f.label) : null, f && f.label ? ' ' : null, h('code', { class: f && f.label ? 'muted' : undefined }, name));
}

/** One refused row's problem in the user's language (the API's detail is
 * English developer text). */
function importProblem(e, r) {
	const f = (r.fields || []).find((x) => x.name === e.field);
	if (e.reason === 'type' && f) return t('imp.want_type', { type: fieldTypeLabel(f.type) });
	if (e.reason === 'required' && e.field && e.field === r.key_field) return t('err.missing_key');
	if (e.reason === 'invalid_subject') return t('err.bad_subject');
	if (e.reason === 'duplicate') return t('err.duplicate_key');
	return tOr(`imp.reason.${e.reason}`, null) || fieldErrorText({ field: '', reason: e.reason, detail: e.detail });
}

function importReport(res, r) {
	const errs = Array.isArray(res.errors) ? res.errors : [];
	const sum = h(
		'ul',
		{ class: 'import-sum' },
		h('li', { class: 'sum-ok' }, t('imp.loaded', { n: res.loaded ?? 0 })),
		h('li', null, t('imp.inserted', { n: res.inserted ?? 0 })),
		h('li', null, t('imp.updated', { n: res.updated ?? 0 })),
		h('li', { class: res.rejected ? 'sum-bad' : '' }, t('imp.rejected', { n: res.rejected ?? 0 })),
	);
	const out = [h('h3', null, t('imp.report')), sum];
	if (errs.length) {
		out.push(
			h(
				'table',
				{ class: 'table stack import-errors' },
				h('caption', null, t('imp.errors_caption', { n: errs.length })),
				h('thead', null, h('tr', null, [t('imp.line'), t('imp.field'), t('imp.problem')].map((c) => h('th', { scope: 'col' }, c)))),
				h(
					'tbody',
					null,
					errs.map((e) =>
						h(
							'tr',
							null,
							h('td', { 'data-label': t('imp.line') }, String(e.line ?? '')),
							h('td', { 'data-label': t('imp.field') }, e.field ? fieldName(e.field, r) : h('span', { class: 'muted' }, t('imp.whole_row'))),
							h('td', { 'data-label': t('imp.problem') }, importProblem(e, r)),
						),
					),
				),
			),
		);
		if ((res.rejected ?? 0) > errs.length) out.push(h('p', { class: 'hint' }, t('imp.first_only', { n: errs.length })));
	}
	return h('div', { class: `card import-result ${res.rejected ? 'card-attention' : ''}` }, out);
}

async function detailView(params) {
	const u = currentUser();
	const r = await api('GET', `/resources/${params.id}`);
	const names = await deptNames();
	const dept = r.department || r.provider || r.dept || {};
	const provider = dept && typeof dept === 'object' && u.department && dept.id === u.department.id;
	const officer = isDataOfficer(u);
	const fields = r.fields || [];
	const rowsBox = h('span', { id: 'res-rows' }, t('res.rows_n', { n: r.row_count ?? 0 }));

	const blocks = [];
	if (officer && !provider && r.share_type !== 'none') {
		blocks.push(h('div', { class: 'card apply-box' }, h('p', null, t(`res.request_help_${r.share_type}`)), h('div', { class: 'btn-row' }, linkButton(`#/data/resources/${r.id}/request`, t('res.request'), 'btn btn-primary btn-large'))));
	} else if (officer && !provider) {
		blocks.push(h('p', { class: 'notice' }, t('res.not_shareable')));
	}
	const grants = Array.isArray(r.grants) ? r.grants : [];
	if (grants.length) {
		blocks.push(
			section(
				t('res.my_grants'),
				h('ul', { class: 'plain-list' }, grants.map((g) => h('li', null, h('a', { href: `#/data/grants/${g.id}` }, t('grant.no', { id: g.id })), ' ', grantBadge(g.status), ' ', h('span', { class: 'muted' }, t('grant.valid_range', { from: dayText(g.valid_from), to: dayText(g.valid_to) })), g.status === 'active' ? h('span', null, ' · ', h('a', { href: `#/data/exchange?grant=${g.id}` }, t('grant.try'))) : null))),
			),
		);
	}

	const facts = dl([
		[t('res.code'), h('code', null, r.code)],
		[t('res.provider'), data(deptText(dept, names))],
		[t('res.summary'), r.summary ? data(r.summary, 'span', { class: 'prose' }) : null],
		[t('res.share_type'), shareTypeBadge(r.share_type)],
		[t('res.conditions'), r.share_conditions ? data(r.share_conditions, 'span', { class: 'prose' }) : null],
		[t('res.basis'), r.legal_basis ? data(r.legal_basis, 'span', { class: 'prose' }) : null],
		[t('res.method'), methodLabel(r.share_method)],
		[t('res.open_type'), openTypeLabel(r.open_type)],
		[t('res.cycle'), cycleLabel(r.update_cycle)],
		[t('res.rows'), rowsBox],
		[t('res.key_field'), h('code', null, r.key_field)],
		[t('res.subject_field'), r.subject_field ? h('code', null, r.subject_field) : null],
		[t('res.updated'), r.updated_at ? fmtDateTime(r.updated_at) : null],
	]);

	const parts = [section(t('res.basic'), facts), section(t('res.fields'), fields.length ? fieldsTable(fields, r.key_field, r.subject_field) : empty(t('res.no_fields')))];
	if (provider && officer) {
		parts.push(
			h(
				'section',
				{ class: 'card', 'aria-labelledby': 'imp-title' },
				h('h2', { id: 'imp-title' }, t('imp.title')),
				h('p', { class: 'hint' }, t('imp.intro')),
				importForm(r, (res) => {
					if (typeof res.row_count === 'number') rowsBox.textContent = t('res.rows_n', { n: res.row_count });
					else if (typeof res.inserted === 'number') rowsBox.textContent = t('res.rows_n', { n: (r.row_count = (r.row_count || 0) + res.inserted) });
				}),
			),
		);
	}
	const title = r.name;
	return {
		title,
		node: h(
			'div',
			{ class: 'resource' },
			h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/resources' }, t('res.title')), h('span', { 'aria-hidden': 'true' }, ' / '), data(r.code)),
			pageHead(title, { titleNode: data(r.name), sub: h('span', null, data(deptText(dept, names)), h('span', { 'aria-hidden': 'true' }, ' · '), shareTypeLabel(r.share_type)) }),
			blocks,
			parts,
		),
	};
}

/* ---- register a resource ---- */

const fieldRowsWanted = new Map();

function fieldRow(f) {
	const sel = (cls, values, label, v) => h('select', { class: cls }, values.map((x) => h('option', { value: x, selected: x === v }, label(x))));
	return h(
		'fieldset',
		{ class: 'mat-row res-field-row' },
		h('legend', { class: 'mat-legend' }),
		h(
			'div',
			{ class: 'rf-grid' },
			h('div', { class: 'field' }, h('label', { class: 'l-name' }), h('input', { type: 'text', class: 'i-name', maxlength: '40', value: f.name || '', autocapitalize: 'none', spellcheck: 'false' }), h('p', { class: 'field-error e-name' })),
			h('div', { class: 'field' }, h('label', { class: 'l-label' }), h('input', { type: 'text', class: 'i-label', maxlength: '100', value: f.label || '' }), h('p', { class: 'field-error e-label' })),
			h('div', { class: 'field' }, h('label', { class: 'l-type' }), sel('i-type', FIELD_TYPES, fieldTypeLabel, f.type || 'string'), h('p', { class: 'field-error e-type' })),
			h('div', { class: 'field' }, h('label', { class: 'l-sensitivity' }), sel('i-sensitivity', SENSITIVITIES, (s) => t(`share.sens.${s}`), f.sensitivity || 'internal'), h('p', { class: 'field-error e-sensitivity' })),
			h('div', { class: 'field' }, h('label', { class: 'l-mask' }), h('select', { class: 'i-mask' }, h('option', { value: '', class: 'o-auto' }), MASKS.map((m) => h('option', { value: m, selected: m === f.mask }, maskLabel(m)))), h('p', { class: 'field-error e-mask' })),
		),
		h('div', { class: 'btn-row mat-buttons' }, h('button', { type: 'button', class: 'btn btn-small btn-danger-outline b-remove' })),
	);
}

function renumberFields(list) {
	const rows = [...list.querySelectorAll('.res-field-row')];
	rows.forEach((row, i) => {
		const n = i + 1;
		row.querySelector('.mat-legend').textContent = t('rf.legend', { n });
		for (const x of ['name', 'label', 'type', 'sensitivity', 'mask']) {
			const id = `rf-${i}-${x}`;
			const input = row.querySelector(`.i-${x}`);
			input.id = id;
			const lab = row.querySelector(`.l-${x}`);
			lab.setAttribute('for', id);
			lab.textContent = t(`rf.${x}`);
			const err = row.querySelector(`.e-${x}`);
			err.id = `${id}-error`;
			input.setAttribute('aria-describedby', x === 'name' ? `rf-name-hint ${err.id}` : err.id);
		}
		row.querySelector('.o-auto').textContent = t('rf.mask_auto');
		const rm = row.querySelector('.b-remove');
		rm.textContent = t('rf.remove');
		rm.setAttribute('aria-label', t('rf.remove_n', { n }));
		rm.disabled = rows.length === 1;
	});
}

async function newView(path) {
	const u = currentUser();
	const list = h('div', { class: 'mat-list' });
	const wanted = Math.max(fieldRowsWanted.get(path) || 0, 2);
	for (let i = 0; i < wanted; i++) list.append(fieldRow(i === 0 ? { name: '', sensitivity: 'internal' } : {}));
	renumberFields(list);
	const track = () => fieldRowsWanted.set(path, list.querySelectorAll('.res-field-row').length);
	const addBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'rf-add' }, t('rf.add'));
	addBtn.addEventListener('click', () => {
		const row = fieldRow({});
		list.append(row);
		renumberFields(list);
		track();
		row.querySelector('.i-name').focus();
	});
	list.addEventListener('click', (e) => {
		const b = e.target.closest('.b-remove');
		if (!b) return;
		const row = b.closest('.res-field-row');
		const next = row.nextElementSibling || row.previousElementSibling;
		row.remove();
		renumberFields(list);
		track();
		announce(t('rf.removed'), 'info');
		(next ? next.querySelector('.i-name') : addBtn).focus();
	});

	const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'res-save' }, t('res.save'));
	const form = h(
		'form',
		{ class: 'form res-form', novalidate: true },
		section(
			t('res.basic'),
			h('div', { class: 'grid-2' },
				field({ id: 'res-code', label: t('res.code'), hint: t('res.code_hint'), required: true, attrs: { maxlength: '60', spellcheck: 'false', autocapitalize: 'characters' } }),
				field({ id: 'res-name', label: t('res.name'), required: true, attrs: { maxlength: '100' } }),
			),
			field({ id: 'res-summary', label: t('res.summary'), kind: 'textarea', hint: t('common.optional_hint'), attrs: { maxlength: '2000', rows: 2 } }),
		),
		h(
			'section',
			{ class: 'card', 'aria-labelledby': 'rf-title' },
			h('h2', { id: 'rf-title' }, t('res.fields')),
			h('p', { class: 'hint', id: 'rf-name-hint' }, t('rf.hint')),
			h('input', { type: 'hidden', id: 'res-fields' }),
			errorSlot('res-fields'),
			list,
			addBtn,
			h('div', { class: 'grid-2 rf-keys' },
				field({ id: 'res-key', label: t('res.key_field'), hint: t('res.key_hint'), required: true, attrs: { maxlength: '40', spellcheck: 'false', autocapitalize: 'none' } }),
				field({ id: 'res-subject', label: t('res.subject_field'), hint: t('res.subject_hint'), attrs: { maxlength: '40', spellcheck: 'false', autocapitalize: 'none' } }),
			),
		),
		section(
			t('res.sharing'),
			h('div', { class: 'grid-2' },
				field({ id: 'res-share-type', label: t('res.share_type'), kind: 'select', value: 'conditional', options: SHARE_TYPES.map((s) => [s, shareTypeLabel(s)]), hint: t('res.share_type_hint') }),
				field({ id: 'res-method', label: t('res.method'), kind: 'select', value: 'api', options: SHARE_METHODS.map((s) => [s, methodLabel(s)]) }),
				field({ id: 'res-open', label: t('res.open_type'), kind: 'select', value: 'closed', options: OPEN_TYPES.map((s) => [s, openTypeLabel(s)]) }),
				field({ id: 'res-cycle', label: t('res.cycle'), kind: 'select', value: 'daily', options: CYCLES.map((s) => [s, cycleLabel(s)]) }),
			),
			field({ id: 'res-conditions', label: t('res.conditions'), kind: 'textarea', hint: t('res.conditions_hint'), attrs: { maxlength: '2000', rows: 2 } }),
			field({ id: 'res-basis', label: t('res.basis'), kind: 'textarea', hint: t('res.basis_hint'), attrs: { maxlength: '2000', rows: 2 } }),
		),
		h('div', { class: 'btn-row' }, save, linkButton('#/data/resources', t('common.cancel'), 'btn btn-secondary')),
	);

	const ids = { code: 'res-code', name: 'res-name', summary: 'res-summary', fields: 'res-fields', key_field: 'res-key', subject_field: 'res-subject', share_type: 'res-share-type', share_method: 'res-method', open_type: 'res-open', update_cycle: 'res-cycle', share_conditions: 'res-conditions', legal_basis: 'res-basis' };
	const mapField = (f) => {
		if (ids[f]) return ids[f];
		const m = /^fields\[(\d+)\]\.(name|label|type|sensitivity|mask)$/.exec(f);
		if (m) return `rf-${m[1]}-${m[2]}`;
		if (/^fields\[(\d+)\]$/.test(f)) return `rf-${/\d+/.exec(f)[0]}-name`;
		return null;
	};
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const body = {
			code: v('res-code'),
			name: v('res-name'),
			summary: v('res-summary'),
			fields: [...list.querySelectorAll('.res-field-row')].map((row) => {
				const f = { name: row.querySelector('.i-name').value.trim(), label: row.querySelector('.i-label').value.trim(), type: row.querySelector('.i-type').value, sensitivity: row.querySelector('.i-sensitivity').value };
				const m = row.querySelector('.i-mask').value;
				if (m) f.mask = m;
				return f;
			}),
			key_field: v('res-key'),
			share_type: v('res-share-type'),
			share_method: v('res-method'),
			open_type: v('res-open'),
			update_cycle: v('res-cycle'),
			share_conditions: v('res-conditions'),
			legal_basis: v('res-basis'),
		};
		if (v('res-subject')) body.subject_field = v('res-subject');
		await busy(save, async () => {
			try {
				const r = await api('POST', '/resources', body);
				fieldRowsWanted.delete(path);
				flash(tx('res.created', { name: body.name }));
				go(`#/data/resources/${r.id}`);
			} catch (err) {
				showErrors(form, err, mapField);
			}
		});
	});
	const title = t('res.new_title');
	return {
		title,
		node: h('div', { class: 'resource-new' }, h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/resources' }, t('res.title')), h('span', { 'aria-hidden': 'true' }, ' / '), t('res.new')), pageHead(title, { sub: data(deptName(u.department)) }), form),
	};
}

export async function render({ view, params, query, path }) {
	if (view === 'new') return newView(path);
	if (view === 'detail') return detailView(params);
	return listView(query);
}

