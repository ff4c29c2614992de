// share-request.js - "申请共享": a consumer department's data officer asks
// for access to a resource: which fields, which of them in clear (personal
// and sensitive fields are masked otherwise), the purpose, the legal basis,
// the period and the rate limit. Unconditional resources are granted at
// once, conditional ones wait for the provider, none are refused.

import { h, data } from '../dom.js';
import { t } from '../i18n.js';
import { api, idemKey } from '../api.js';
import { field, pageHead, section, showErrors, clearErrors, busy, flash, errorSlot, linkButton, setFieldError, setFormError, announce, tx } from '../ui.js';
import { deptNames } from '../catalog.js';
import { go } from '../app.js';
import { sensitivityBadge, shareTypeBadge, deptText, today, dayText } from '../sharing.js';

export async function render({ params }) {
	const r = await api('GET', `/resources/${params.id}`);
	const names = await deptNames();
	const fields = r.fields || [];
	const key = idemKey();
	const masked = (f) => f.sensitivity === 'personal' || f.sensitivity === 'sensitive';

	const fieldChecks = fields.map((f) =>
		h(
			'div',
			{ class: 'choice' },
			h('input', { type: 'checkbox', id: `rq-f-${f.name}`, value: f.name, class: 'rq-field', checked: !masked(f) }),
			h('label', { for: `rq-f-${f.name}` }, data(f.label || f.name), ' ', h('code', { class: 'muted' }, f.name), ' ', sensitivityBadge(f.sensitivity)),
		),
	);
	const clearBox = h('div', { class: 'rq-clear-list' });
	const clearSet = new Set();
	function renderClear() {
		const chosen = fields.filter((f) => masked(f) && fieldChecks.some((d) => d.firstChild.value === f.name && d.firstChild.checked));
		clearBox.replaceChildren(
			...(chosen.length
				? chosen.map((f) => h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: `rq-c-${f.name}`, value: f.name, class: 'rq-clear', checked: clearSet.has(f.name) }), h('label', { for: `rq-c-${f.name}` }, data(f.label || f.name), ' ', h('code', { class: 'muted' }, f.name))))
				: [h('p', { class: 'muted' }, t('rq.no_masked'))]),
		);
	}
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'rq-submit' }, t('rq.submit'));
	const form = h(
		'form',
		{ class: 'form rq-form', novalidate: true },
		section(
			t('rq.sec_fields'),
			h('fieldset', { class: 'field choices', 'aria-describedby': 'rq-fields-error' }, h('legend', null, t('rq.fields'), h('span', { class: 'req' }, ' ', t('common.required_mark'))), fieldChecks, h('input', { type: 'hidden', id: 'rq-fields' }), errorSlot('rq-fields')),
			h('fieldset', { class: 'field', 'aria-describedby': 'rq-clear-hint rq-clear_fields-error' }, h('legend', null, t('rq.clear')), h('p', { class: 'hint', id: 'rq-clear-hint' }, t('rq.clear_hint')), clearBox, h('input', { type: 'hidden', id: 'rq-clear_fields' }), errorSlot('rq-clear_fields')),
		),
		section(
			t('rq.sec_purpose'),
			field({ id: 'rq-purpose', label: t('rq.purpose'), kind: 'textarea', hint: t('rq.purpose_hint'), required: true, attrs: { maxlength: '500', rows: 3 } }),
			field({ id: 'rq-basis', label: t('rq.basis'), kind: 'textarea', hint: t('rq.basis_hint'), required: true, attrs: { maxlength: '1000', rows: 2 } }),
			h('div', { class: 'grid-3' },
				field({ id: 'rq-from', label: t('rq.valid_from'), type: 'date', hint: t('rq.valid_from_hint') }),
				field({ id: 'rq-to', label: t('rq.valid_to'), type: 'date', value: today(365), required: true }),
				field({ id: 'rq-rate', label: t('rq.rate'), type: 'number', value: '600', hint: t('rq.rate_hint'), attrs: { min: '1', max: '1000000', inputmode: 'numeric' } }),
			),
		),
		h('div', { class: 'btn-row' }, submit, linkButton(`#/data/resources/${r.id}`, t('common.cancel'), 'btn btn-secondary')),
	);
	form.addEventListener('change', (e) => {
		if (e.target.classList.contains('rq-clear')) {
			if (e.target.checked) clearSet.add(e.target.value);
			else clearSet.delete(e.target.value);
		}
		if (e.target.classList.contains('rq-field')) renderClear();
	});
	renderClear();

	const ids = { fields: 'rq-fields', clear_fields: 'rq-clear_fields', purpose: 'rq-purpose', legal_basis: 'rq-basis', valid_from: 'rq-from', valid_to: 'rq-to', rate_limit: 'rq-rate', resource: null };
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const chosen = [...form.querySelectorAll('.rq-field:checked')].map((x) => x.value);
		const clear = [...form.querySelectorAll('.rq-clear:checked')].map((x) => x.value).filter((n) => chosen.includes(n));
		let first = null;
		if (!chosen.length) first = setFieldError(form, 'rq-fields', t('rq.pick_fields'));
		if (!v('rq-purpose')) first = first || setFieldError(form, 'rq-purpose', t('err.required'));
		if (!v('rq-basis')) first = first || setFieldError(form, 'rq-basis', t('err.required'));
		if (!v('rq-to')) first = first || setFieldError(form, 'rq-to', t('err.required'));
		if (first) {
			setFormError(form, [t('apply.check_fields')]);
			first.focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		const body = { resource: r.code, fields: chosen, clear_fields: clear, purpose: v('rq-purpose'), legal_basis: v('rq-basis'), valid_to: v('rq-to') };
		if (v('rq-from')) body.valid_from = v('rq-from');
		const rate = v('rq-rate');
		if (rate) body.rate_limit = /^\d+$/.test(rate) ? Number(rate) : rate;
		await busy(submit, async () => {
			try {
				const res = await api('POST', '/share-requests', body, { headers: { 'Idempotency-Key': key } });
				if (res.status === 'approved') flash(t('rq.done_approved'));
				else if (res.status === 'pending') flash(res.due ? t('rq.done_pending_due', { date: dayText(typeof res.due === 'string' ? res.due : res.due.due_date) }) : t('rq.done_pending'));
				else flash(t('rq.done_refused', { reason: t(`req.reason.${res.reason}`) }), 'error');
				go(`#/data/requests/${res.id}`);
			} catch (err) {
				showErrors(form, err, (f) => {
					if (f in ids) return ids[f];
					if (/^fields\[\d+\]$/.test(f)) return 'rq-fields';
					if (/^clear_fields\[\d+\]$/.test(f)) return 'rq-clear_fields';
					return null;
				});
			}
		});
	});

	const title = t('rq.title');
	const node = h(
		'div',
		{ class: 'share-request' },
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/data/resources' }, t('res.title')), h('span', { 'aria-hidden': 'true' }, ' / '), h('a', { href: `#/data/resources/${r.id}` }, data(r.name)), h('span', { 'aria-hidden': 'true' }, ' / '), t('rq.crumb')),
		pageHead(title, { sub: h('span', null, ...tx('rq.sub', { name: r.name, dept: deptText(r.department || r.provider, names) })) }),
		h('div', { class: 'card rq-about' }, h('p', null, shareTypeBadge(r.share_type), ' ', t(`res.request_help_${r.share_type}`)), r.share_conditions ? h('p', null, h('strong', null, t('res.conditions'), t('common.colon')), data(r.share_conditions)) : null),
		form,
	);
	return { title, node };
}
