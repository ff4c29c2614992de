// apply.js - the application form: 申请事由 and 联系地址, then one upload per
// listed material (with progress and the material's required flag), then
// POST /cases with the uploaded files' ids.

import { h, data } from '../dom.js';
import { t } from '../i18n.js';
import { api, idemKey } from '../api.js';
import { field, pageHead, section, showErrors, clearErrors, setFieldError, setFormError, busy, flash, announce } from '../ui.js';
import { formLabel } from '../catalog.js';
import { uploader } from './upload.js';
import { go } from '../app.js';

export const FORM_FIELDS = ['purpose', 'address'];

/** The materials the node will fill itself for this applicant (once-only):
 * Map seq -> {seq, name, source: license|share, ref, label}. */
async function prefill(id) {
	try {
		const r = await api('GET', `/services/${id}/prefill`);
		const list = Array.isArray(r) ? r : r && Array.isArray(r.items) ? r.items : [];
		return new Map(list.map((p) => [p.seq, p]));
	} catch {
		/* no once-only for this item: every material is uploaded */
		return new Map();
	}
}

function filledBox(m, p) {
	return h(
		'div',
		{ class: 'upload field filled', id: `mat-${m.seq}-wrap` },
		h('p', { class: 'upload-title' }, data(m.name), ' ', h('span', { class: 'badge tone-ok' }, t('apply.exempt_badge'))),
		h('p', { class: 'filled-text' }, h('span', { class: 'filled-icon', 'aria-hidden': 'true' }, '✓'), t(p.source === 'share' ? 'apply.exempt_share' : 'apply.exempt_license')),
		p.label ? h('p', { class: 'hint' }, t(p.source === 'share' ? 'apply.exempt_from_share' : 'apply.exempt_from_license'), t('common.colon'), data(p.label)) : null,
	);
}

export async function render({ params }) {
	const [it, filled] = await Promise.all([api('GET', `/services/${params.id}`), prefill(params.id)]);
	const uploads = new Map(); /* seq -> uploader */
	const key = idemKey();

	const matList = h('div', { class: 'materials-upload' });
	for (const m of it.materials) {
		if (filled.has(m.seq)) {
			matList.append(filledBox(m, filled.get(m.seq)));
			continue;
		}
		const up = uploader({
			id: `mat-${m.seq}`,
			label: data(m.name),
			required: m.required,
			hint: [formLabel(m.form), t('guide.copies', { n: m.count }), m.note].filter(Boolean),
		});
		uploads.set(m.seq, up);
		matList.append(up.el);
	}

	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'apply-submit' }, t('apply.submit'));
	const form = h(
		'form',
		{ class: 'form apply-form', novalidate: true },
		section(
			t('apply.form_section'),
			field({ id: 'apply-purpose', label: t('apply.purpose'), kind: 'textarea', hint: t('apply.purpose_hint'), required: true, attrs: { maxlength: '500', rows: 4 } }),
			field({ id: 'apply-address', label: t('apply.address'), hint: t('apply.address_hint'), required: true, attrs: { maxlength: '200', autocomplete: 'street-address' } }),
		),
		section(
			t('apply.materials_section'),
			filled.size ? h('p', { class: 'notice-ok', id: 'apply-exempt-note' }, t('apply.exempt_note', { n: filled.size })) : null,
			h('p', { class: 'hint' }, t('apply.materials_hint')),
			it.materials.length ? matList : h('p', null, t('guide.no_materials')),
		),
		h('div', { class: 'btn-row' }, submit, h('a', { class: 'btn btn-secondary', href: `#/services/${it.id}` }, t('apply.back_guide'))),
	);

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const purpose = form.querySelector('#apply-purpose').value.trim();
		const address = form.querySelector('#apply-address').value.trim();
		let first = null;
		if (!purpose) first = setFieldError(form, 'apply-purpose', t('err.required'));
		if (!address) first = first || setFieldError(form, 'apply-address', t('err.required'));
		for (const m of it.materials) {
			const up = uploads.get(m.seq);
			if (!up) continue; /* filled by the node */
			if (up.uploading()) first = first || setFieldError(form, `mat-${m.seq}`, t('upload.wait'));
			else if (m.required && !up.file()) first = first || setFieldError(form, `mat-${m.seq}`, t('apply.material_missing'));
		}
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		const materials = [];
		const index = [];
		for (const m of it.materials) {
			if (!uploads.has(m.seq)) continue;
			const f = uploads.get(m.seq).file();
			if (!f) continue;
			materials.push({ seq: m.seq, name: m.name, file: f.id });
			index.push(m.seq);
		}
		await busy(submit, async () => {
			try {
				const c = await api('POST', '/cases', { item_code: it.code, form: { purpose, address }, materials }, { headers: { 'Idempotency-Key': key } });
				flash(t('apply.done', { no: c.case_no }));
				go(`#/cases/${c.id}`);
			} catch (err) {
				showErrors(form, err, (fld) => {
					if (fld === 'form.purpose') return 'apply-purpose';
					if (fld === 'form.address') return 'apply-address';
					const mm = /^materials\[(\d+)\]/.exec(fld);
					if (mm && index[+mm[1]] !== undefined) return `mat-${index[+mm[1]]}`;
					return null;
				});
			}
		});
	});

	const title = t('apply.title');
	const node = h(
		'div',
		{ class: 'apply' },
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, t('nav.hall')), h('span', { 'aria-hidden': 'true' }, ' / '), h('a', { href: `#/services/${it.id}` }, data(it.name)), h('span', { 'aria-hidden': 'true' }, ' / '), t('apply.crumb')),
		pageHead(title, { sub: data(it.name) }),
		form,
	);
	return { title, node };
}
