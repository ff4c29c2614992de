// items.js - dept_admin: the department's service items by status (draft /
// published / unpublished), creating and editing an item with its whole
// guide and materials list, publishing and unpublishing.

import { h, data, hasCJK } from '../dom.js';
import { t, deptName, fmtWorkdays, fmtDateTime, getLang } from '../i18n.js';
import { api } from '../api.js';
import { tx, field, pageHead, section, pager, empty, problemText, showErrors, clearErrors, busy, announce, flash, errorSlot, linkButton } from '../ui.js';
import { TYPES, DEPTHS, CHANNELS, CROSS, FORMS, TARGETS, typeLabel, depthLabel, channelLabel, crossLabel, formLabel, targetLabel, departments, deptNames } from '../catalog.js';
import { currentUser, hasRole, go, render as rerender } from '../app.js';

const STATUSES = ['draft', 'published', 'unpublished'];

function statusBadge(s) {
	return h('span', { class: `badge ${s === 'published' ? 'tone-ok' : s === 'draft' ? 'tone-info' : 'tone-muted'}` }, t(`item_status.${s}`));
}

async function setStatus(id, to) {
	await api('POST', `/services/${id}/${to === 'published' ? 'publish' : 'unpublish'}`, {});
}

/* ---- the list ---- */

async function listView(query) {
	const status = STATUSES.includes(query.get('status')) ? query.get('status') : 'draft';
	const u = currentUser();
	const tabs = h(
		'nav',
		{ class: 'tabs', 'aria-label': t('items.tabs') },
		h('ul', null, STATUSES.map((s) => h('li', null, h('a', { href: `#/admin/items?status=${s}`, 'aria-current': s === status ? 'page' : undefined }, t(`item_status.${s}`))))),
	);
	const tbody = h('tbody');
	const row = (it) => {
		const actions = h('div', { class: 'btn-row' }, linkButton(`#/admin/items/${it.id}`, h('span', null, t('items.edit'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(it.name))), 'btn btn-small btn-secondary'));
		const to = it.status === 'published' ? 'unpublished' : 'published';
		const b = h('button', { type: 'button', class: `btn btn-small ${to === 'published' ? 'btn-primary' : 'btn-danger-outline'}` }, t(to === 'published' ? 'items.publish' : 'items.unpublish'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(it.name)));
		b.addEventListener('click', () =>
			busy(b, async () => {
				try {
					await setStatus(it.id, to);
					flash(tx(to === 'published' ? 'items.published' : 'items.unpublished', { name: it.name }));
					await rerender();
				} catch (e) {
					announce(problemText(e), 'error');
				}
			}),
		);
		actions.append(b);
		if (it.status === 'published') actions.append(linkButton(`#/services/${it.id}`, t('items.view_guide'), 'btn btn-small btn-secondary'));
		return h(
			'tr',
			null,
			h('td', { 'data-label': t('items.code') }, data(it.code)),
			h('td', { 'data-label': t('items.name') }, data(it.name)),
			h('td', { 'data-label': t('items.type') }, typeLabel(it.type)),
			h('td', { 'data-label': t('items.promised') }, fmtWorkdays(it.promised_days)),
			h('td', { 'data-label': t('items.status') }, statusBadge(it.status)),
			h('td', { 'data-label': t('items.actions') }, actions),
		);
	};
	const load = (cursor) => api('GET', '/dept/services', null, { query: { status, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((it) => tbody.append(row(it))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((it) => tbody.append(row(it)));
		more.setNext(r.next);
		body = r.items.length
			? h(
					'div',
					null,
					h(
						'table',
						{ class: 'table stack' },
						h('caption', { class: 'visually-hidden' }, t('items.caption', { status: t(`item_status.${status}`) })),
						h('thead', null, h('tr', null, [t('items.code'), t('items.name'), t('items.type'), t('items.promised'), t('items.status'), t('items.actions')].map((x) => h('th', { scope: 'col' }, x)))),
						tbody,
					),
					more.el,
				)
			: empty(t('items.none', { status: t(`item_status.${status}`) }));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('items.title');
	return {
		title,
		node: h('div', { class: 'items' }, pageHead(title, { sub: data(deptName(u.department)), actions: linkButton('#/admin/items/new', t('items.new'), 'btn btn-primary') }), tabs, body),
	};
}

/* ---- the editor ---- */

const rowCounts = new Map(); /* path -> rows, kept across a language switch */

function materialRow(m) {
	const row = h('fieldset', { class: 'mat-row' });
	row.append(
		h('legend', { class: 'mat-legend' }),
		h('div', { class: 'mat-grid' },
			h('div', { class: 'field mat-name' }, h('label', { class: 'l-name' }), h('input', { type: 'text', class: 'i-name', maxlength: '100', value: m.name || '' }), h('p', { class: 'field-error e-name' })),
			h('div', { class: 'field' }, h('label', { class: 'l-form' }), h('select', { class: 'i-form' }, FORMS.map((f) => h('option', { value: f, selected: f === (m.form || 'original') }, formLabel(f)))), h('p', { class: 'field-error e-form' })),
			h('div', { class: 'field' }, h('label', { class: 'l-count' }), h('input', { type: 'number', class: 'i-count', min: '1', max: '20', value: String(m.count || 1), inputmode: 'numeric' }), h('p', { class: 'field-error e-count' })),
			h('div', { class: 'field choice mat-req' }, h('input', { type: 'checkbox', class: 'i-required', checked: m.required !== false }), h('label', { class: 'l-required' })),
			h('div', { class: 'field mat-note' }, h('label', { class: 'l-note' }), h('input', { type: 'text', class: 'i-note', maxlength: '500', value: m.note || '' }), h('p', { class: 'field-error e-note' })),
			h('div', { class: 'field mat-source-field' }, h('label', { class: 'l-source' }), sourceSelect(m), h('p', { class: 'field-error e-source' })),
		),
		h('div', { class: 'btn-row mat-buttons' },
			h('button', { type: 'button', class: 'btn btn-small btn-secondary b-up' }),
			h('button', { type: 'button', class: 'btn btn-small btn-secondary b-down' }),
			h('button', { type: 'button', class: 'btn btn-small btn-danger-outline b-remove' }),
		),
	);
	return row;
}

/* Once-only: what may satisfy a material instead of an upload, an
 * e-license type or a shared data resource ({types, resources}, set by the
 * editor before it builds the rows). */
let sources = { types: [], resources: [] };

function sourceSelect(m) {
	const cur = m.license_type ? `lic:${m.license_type}` : m.resource ? `res:${m.resource}` : '';
	const opts = [h('option', { value: '', class: 'o-upload' })];
	const lic = sources.types.map((x) => [`lic:${x.code}`, x]);
	const res = sources.resources.map((x) => [`res:${x.code}`, x]);
	if (cur.startsWith('lic:') && !lic.some(([v]) => v === cur)) lic.push([cur, { code: m.license_type, name: m.license_type }]);
	if (cur.startsWith('res:') && !res.some(([v]) => v === cur)) res.push([cur, { code: m.resource, name: m.resource }]);
	const group = (cls, list, en) => (list.length ? h('optgroup', { class: cls }, list.map(([v, x]) => h('option', { value: v, selected: v === cur, lang: hasCJK(en && x.name_en ? x.name_en : x.name) ? 'zh-CN' : undefined }, en && x.name_en ? x.name_en : x.name))) : null);
	const en = getLang() === 'en';
	return h('select', { class: 'i-source' }, opts, group('g-lic', lic, en), group('g-res', res, false));
}

/** Gives every material row its ids and labels from its position. */
function renumber(list) {
	const rows = [...list.querySelectorAll('.mat-row')];
	rows.forEach((row, i) => {
		const n = i + 1;
		const id = (x) => `itm-m-${i}-${x}`;
		row.querySelector('.mat-legend').textContent = t('items.m_legend', { n });
		row.querySelector('.o-upload').textContent = t('items.m_source_upload');
		row.querySelector('.g-lic')?.setAttribute('label', t('items.m_source_lic'));
		row.querySelector('.g-res')?.setAttribute('label', t('items.m_source_res'));
		for (const x of ['name', 'form', 'count', 'required', 'note', 'source']) {
			const input = row.querySelector(`.i-${x}`);
			input.id = id(x);
			row.querySelector(`.l-${x}`).setAttribute('for', id(x));
			row.querySelector(`.l-${x}`).textContent = t(`items.m_${x}`);
			const err = row.querySelector(`.e-${x}`);
			if (err) {
				err.id = `${id(x)}-error`;
				input.setAttribute('aria-describedby', err.id);
			}
		}
		const up = row.querySelector('.b-up');
		const down = row.querySelector('.b-down');
		const rm = row.querySelector('.b-remove');
		up.textContent = t('items.m_up');
		down.textContent = t('items.m_down');
		rm.textContent = t('items.m_remove');
		up.setAttribute('aria-label', t('items.m_up_n', { n }));
		down.setAttribute('aria-label', t('items.m_down_n', { n }));
		rm.setAttribute('aria-label', t('items.m_remove_n', { n }));
		up.disabled = i === 0;
		down.disabled = i === rows.length - 1;
	});
}

async function editView(params, path) {
	const isNew = !params.id;
	const u = currentUser();
	const sysadmin = hasRole('sysadmin');
	const it = isNew
		? { code: '', name: '', type: 'XK', target: 'both', legal_days: 20, promised_days: 10, depth: 4, max_visits: 1, fee: '', conditions: '', legal_basis: '', process: [], place: '', office_hours: '', consult: '', complaint: '', channels: ['web', 'mobile', 'window'], cross_modes: [], materials: [], status: 'draft' }
		: await api('GET', `/services/${params.id}`);
	const [types, resources] = await Promise.all([
		api('GET', '/license-types', null, { query: { limit: 100 } }).then((r) => r.items || []).catch(() => []),
		api('GET', '/resources', null, { query: { limit: 100 } }).then((r) => r.items || []).catch(() => []),
	]);
	sources = { types, resources };
	const licenseOptions = (cur) => {
		const o = types.map((x) => [x.code, getLang() === 'en' && x.name_en ? x.name_en : x.name]);
		if (cur && !types.some((x) => x.code === cur)) o.push([cur, cur]);
		return o;
	};
	let deptOptions = [];
	if (sysadmin) {
		const names = await deptNames();
		deptOptions = (await departments()).map((d) => [String(d.id), names.get(d.id) || d.name]);
	}

	const checks = (prefix, values, selected, label) =>
		values.map((v) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `${prefix}-${v}`, value: v, checked: selected.includes(v) }), h('label', { for: `${prefix}-${v}` }, label(v))));

	const matList = h('div', { class: 'mat-list' });
	const wanted = Math.max(it.materials.length, rowCounts.get(path) || 0, isNew ? 1 : 0);
	for (let i = 0; i < wanted; i++) matList.append(materialRow(it.materials[i] || { required: true }));
	renumber(matList);
	const track = () => rowCounts.set(path, matList.querySelectorAll('.mat-row').length);
	matList.addEventListener('click', (e) => {
		const b = e.target.closest('button');
		if (!b) return;
		const row = b.closest('.mat-row');
		if (b.classList.contains('b-remove')) {
			const next = row.nextElementSibling || row.previousElementSibling;
			row.remove();
			renumber(matList);
			track();
			announce(t('items.m_removed'), 'info');
			(next ? next.querySelector('.i-name') : addBtn).focus();
		} else if (b.classList.contains('b-up') && row.previousElementSibling) {
			matList.insertBefore(row, row.previousElementSibling);
			renumber(matList);
			row.querySelector('.b-up').disabled ? row.querySelector('.b-down').focus() : row.querySelector('.b-up').focus();
			announce(t('items.m_moved', { n: [...matList.children].indexOf(row) + 1 }), 'info');
		} else if (b.classList.contains('b-down') && row.nextElementSibling) {
			matList.insertBefore(row.nextElementSibling, row);
			renumber(matList);
			row.querySelector('.b-down').disabled ? row.querySelector('.b-up').focus() : row.querySelector('.b-down').focus();
			announce(t('items.m_moved', { n: [...matList.children].indexOf(row) + 1 }), 'info');
		}
	});
	const addBtn = h('button', { type: 'button', class: 'btn btn-secondary', id: 'itm-add-material' }, t('items.m_add'));
	addBtn.addEventListener('click', () => {
		const row = materialRow({ required: true });
		matList.append(row);
		renumber(matList);
		track();
		row.querySelector('.i-name').focus();
	});

	const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'itm-save' }, isNew ? t('items.save_draft') : t('items.save'));
	const nf = (id, label, value, min, max, hint) => field({ id, label, type: 'number', value: String(value), hint, required: true, attrs: { min, max, inputmode: 'numeric' } });
	const form = h(
		'form',
		{ class: 'form item-form', novalidate: true },
		section(
			t('items.sec_basic'),
			h('div', { class: 'grid-2' },
				field({ id: 'itm-code', label: t('items.code'), value: it.code, hint: t('items.code_hint'), required: true, attrs: { maxlength: '40', autocapitalize: 'characters', spellcheck: 'false' } }),
				field({ id: 'itm-name', label: t('items.name'), value: it.name, required: true, attrs: { maxlength: '100' } }),
				field({ id: 'itm-type', label: t('items.type'), kind: 'select', value: it.type, options: TYPES.map((c) => [c, typeLabel(c)]) }),
				field({ id: 'itm-target', label: t('items.target'), kind: 'select', value: it.target, options: TARGETS.map((c) => [c, targetLabel(c)]) }),
				field({ id: 'itm-license', label: t('items.license_type'), kind: 'select', value: it.license_type || '', hint: t('items.license_hint'), options: [['', t('items.license_none')], ...licenseOptions(it.license_type)] }),
				sysadmin ? field({ id: 'itm-dept', label: t('items.dept'), kind: 'select', value: String(it.department ? it.department.id : u.department.id), options: deptOptions }) : null,
			),
		),
		section(
			t('items.sec_limits'),
			h('div', { class: 'grid-2' },
				nf('itm-legal', t('items.legal_days'), it.legal_days, '0', '365', t('items.days_hint')),
				nf('itm-promised', t('items.promised_days'), it.promised_days, '0', '365', t('items.promised_hint')),
				field({ id: 'itm-depth', label: t('items.depth'), kind: 'select', value: String(it.depth), options: DEPTHS.map((d) => [String(d), depthLabel(d)]) }),
				nf('itm-visits', t('items.max_visits'), it.max_visits, '0', '10', t('items.visits_hint')),
				field({ id: 'itm-fee', label: t('items.fee'), value: it.fee, hint: t('items.fee_hint'), required: true, attrs: { maxlength: '200' } }),
			),
			h('fieldset', { class: 'field choices', 'aria-describedby': 'itm-channels-error' }, h('legend', null, t('items.channels'), h('span', { class: 'req' }, ' ', t('common.required_mark'))), checks('itm-ch', CHANNELS, it.channels, channelLabel), h('input', { type: 'hidden', id: 'itm-channels' }), errorSlot('itm-channels')),
			h('fieldset', { class: 'field choices', 'aria-describedby': 'itm-cross-error' }, h('legend', null, t('items.cross')), checks('itm-x', CROSS, it.cross_modes, crossLabel), h('input', { type: 'hidden', id: 'itm-cross' }), errorSlot('itm-cross')),
		),
		section(
			t('items.sec_guide'),
			field({ id: 'itm-conditions', label: t('items.conditions'), kind: 'textarea', value: it.conditions, required: true, attrs: { rows: 3, maxlength: '4000' } }),
			field({ id: 'itm-basis', label: t('items.basis'), kind: 'textarea', value: it.legal_basis, required: true, attrs: { rows: 3, maxlength: '4000' } }),
			field({ id: 'itm-process', label: t('items.process'), kind: 'textarea', value: it.process.join('\n'), hint: t('items.process_hint'), required: true, attrs: { rows: 5 } }),
			h('div', { class: 'grid-2' },
				field({ id: 'itm-place', label: t('items.place'), value: it.place, required: true, attrs: { maxlength: '500' } }),
				field({ id: 'itm-hours', label: t('items.hours'), value: it.office_hours, required: true, attrs: { maxlength: '200' } }),
				field({ id: 'itm-consult', label: t('items.consult'), value: it.consult, required: true, attrs: { maxlength: '500' } }),
				field({ id: 'itm-complaint', label: t('items.complaint'), value: it.complaint, required: true, attrs: { maxlength: '500' } }),
			),
		),
		h(
			'section',
			{ class: 'card', 'aria-labelledby': 'itm-materials-title' },
			h('h2', { id: 'itm-materials-title' }, t('items.sec_materials')),
			h('p', { class: 'hint' }, t('items.materials_hint')),
			h('input', { type: 'hidden', id: 'itm-materials' }),
			errorSlot('itm-materials'),
			matList,
			addBtn,
		),
		h('div', { class: 'btn-row sticky-actions' }, save, linkButton(`#/admin/items?status=${it.status}`, t('common.cancel'), 'btn btn-secondary')),
	);

	const fieldIds = {
		code: 'itm-code', name: 'itm-name', type: 'itm-type', target: 'itm-target', dept_id: 'itm-dept', legal_days: 'itm-legal', promised_days: 'itm-promised', depth: 'itm-depth', max_visits: 'itm-visits', fee: 'itm-fee',
		conditions: 'itm-conditions', legal_basis: 'itm-basis', process: 'itm-process', place: 'itm-place', office_hours: 'itm-hours', consult: 'itm-consult', complaint: 'itm-complaint', channels: 'itm-channels', cross_modes: 'itm-cross', materials: 'itm-materials',
	};
	const mapField = (f) => {
		if (fieldIds[f]) return fieldIds[f];
		if (f === 'license_type') return 'itm-license';
		const ms = /^materials\[(\d+)\]\.(license_type|resource)$/.exec(f);
		if (ms) return `itm-m-${ms[1]}-source`;
		if (/^process\[\d+\]$/.test(f)) return 'itm-process';
		const m = /^materials\[(\d+)\]\.(name|form|count|required|note)$/.exec(f);
		if (m) return `itm-m-${m[1]}-${m[2]}`;
		if (/^materials\[\d+\]$/.test(f)) return 'itm-materials';
		return null;
	};

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const num = (id) => {
			const s = v(id);
			return /^-?\d+$/.test(s) ? Number(s) : s === '' ? undefined : s;
		};
		const body = {
			code: v('itm-code'), name: v('itm-name'), type: v('itm-type'), target: v('itm-target'),
			legal_days: num('itm-legal'), promised_days: num('itm-promised'), depth: Number(v('itm-depth')), max_visits: num('itm-visits'), fee: v('itm-fee'),
			conditions: v('itm-conditions'), legal_basis: v('itm-basis'),
			process: v('itm-process').split('\n').map((s) => s.trim()).filter(Boolean),
			place: v('itm-place'), office_hours: v('itm-hours'), consult: v('itm-consult'), complaint: v('itm-complaint'),
			channels: CHANNELS.filter((c) => form.querySelector(`#itm-ch-${c}`).checked),
			cross_modes: CROSS.filter((c) => form.querySelector(`#itm-x-${c}`).checked),
			materials: [...matList.querySelectorAll('.mat-row')].map((row) => {
				const m = { name: row.querySelector('.i-name').value.trim(), form: row.querySelector('.i-form').value, required: row.querySelector('.i-required').checked };
				const c = row.querySelector('.i-count').value.trim();
				m.count = /^\d+$/.test(c) ? Number(c) : 1;
				const note = row.querySelector('.i-note').value.trim();
				if (note) m.note = note;
				const src = row.querySelector('.i-source').value;
				if (src.startsWith('lic:')) m.license_type = src.slice(4);
				else if (src.startsWith('res:')) m.resource = src.slice(4);
				return m;
			}),
		};
		if (sysadmin) body.dept_id = Number(v('itm-dept'));
		if (v('itm-license')) body.license_type = v('itm-license');
		await busy(save, async () => {
			try {
				const saved = await api(isNew ? 'POST' : 'PUT', isNew ? '/services' : `/services/${it.id}`, body);
				rowCounts.delete(path);
				if (isNew) {
					flash(tx('items.created', { name: saved.name }));
					go(`#/admin/items/${saved.id}`);
				} else {
					flash(t('items.saved'));
					await rerender();
				}
			} catch (err) {
				showErrors(form, err, mapField);
			}
		});
	});

	let statusBox = null;
	if (!isNew) {
		const to = it.status === 'published' ? 'unpublished' : 'published';
		const b = h('button', { type: 'button', class: `btn ${to === 'published' ? 'btn-primary' : 'btn-danger-outline'}`, id: 'itm-status-btn' }, t(to === 'published' ? 'items.publish' : 'items.unpublish'));
		b.addEventListener('click', () =>
			busy(b, async () => {
				try {
					await setStatus(it.id, to);
					flash(tx(to === 'published' ? 'items.published' : 'items.unpublished', { name: it.name }));
					await rerender();
				} catch (e) {
					announce(problemText(e), 'error');
				}
			}),
		);
		statusBox = h(
			'div',
			{ class: 'card item-status' },
			h('p', null, t('items.status'), t('common.colon'), statusBadge(it.status), ' ', h('span', { class: 'muted' }, t('items.version', { n: it.version, at: fmtDateTime(it.updated_at) }))),
			h('p', { class: 'hint' }, t(it.status === 'published' ? 'items.publish_help_on' : 'items.publish_help_off')),
			h('div', { class: 'btn-row' }, b, it.status === 'published' ? linkButton(`#/services/${it.id}`, t('items.view_guide'), 'btn btn-secondary') : null),
		);
	}
	const title = isNew ? t('items.new_title') : t('items.edit_title');
	return {
		title,
		node: h('div', { class: 'item-edit' }, h('p', { class: 'breadcrumb' }, h('a', { href: '#/admin/items' }, t('nav.items')), h('span', { 'aria-hidden': 'true' }, ' / '), isNew ? t('items.new') : data(it.name)), pageHead(title, { sub: isNew ? t('items.new_sub') : data(it.name) }), statusBox, form),
	};
}

export async function render({ view, params, query, path }) {
	return view === 'edit' ? editView(params, path) : listView(query);
}

