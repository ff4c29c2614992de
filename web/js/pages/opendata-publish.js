// opendata-publish.js - a data officer publishes an open dataset
// (#/open/publish): one of the department's resources whose open type is
// "open", the fields to open (public ones only: personal, sensitive and
// internal fields are shown but cannot be ticked, with the reason), and the
// DCAT-AP metadata. The server's field errors are shown next to the fields.

import { h, data, hasCJK } from '../dom.js';
import { t, deptName } from '../i18n.js';
import { api } from '../api.js';
import { tx, field, pageHead, section, empty, busy, flash, clearErrors, setFieldError, errorSlot } from '../ui.js';
import { currentUser, go } from '../app.js';
import { sensitivityLabel } from '../sharing.js';
import { LICENSES, FREQUENCIES, freqLabel, licenseLabel, typeLabel, showOdErrors, errorBlock } from './opendata.js';

/* a resource's update cycle as the closest update frequency */
const CYCLE_TO_FREQ = { realtime: 'realtime', daily: 'daily', weekly: 'weekly', monthly: 'monthly', quarterly: 'quarterly', yearly: 'yearly' };

function fieldRow(f) {
	const open = f.sensitivity === 'public';
	const id = `od-pf-${f.name}`;
	const described = [`${id}-error`];
	if (!open) described.unshift(`${id}-why`);
	const box = h('input', { type: 'checkbox', id, name: 'od-pf', value: f.name, checked: open, disabled: !open, 'aria-describedby': described.join(' ') });
	const label = h('label', { for: id }, data(f.label || f.name), ' ', h('code', { class: 'od-pf-name' }, f.name), h('span', { class: 'muted' }, ` · ${typeLabel(f.type)}`));
	const unit = open
		? h(
				'div',
				{ class: 'od-pf-unit' },
				h('label', { for: `od-pu-${f.name}`, class: 'visually-hidden' }, ...tx('od.pub.unit_for', { name: f.label || f.name })),
				h('input', { type: 'text', id: `od-pu-${f.name}`, class: 'od-pu', maxlength: '20', placeholder: t('od.pub.unit'), autocomplete: 'off' }),
			)
		: h('p', { class: 'od-pf-why', id: `${id}-why` }, h('span', { class: 'badge tone-warn' }, t('od.pub.not_open_reason', { sens: sensitivityLabel(f.sensitivity) })));
	return h('li', { class: open ? 'od-pf' : 'od-pf od-pf-closed', dataset: { field: f.name, sensitivity: f.sensitivity } }, h('div', { class: 'choice' }, box, label), unit, h('p', { class: 'field-error', id: `${id}-error` }));
}

export async function render() {
	const u = currentUser();
	const dept = u.department || {};
	const title = t('od.pub.title');
	let resources;
	try {
		const r = await api('GET', '/resources', null, { query: { dept: dept.id, limit: 100 } });
		resources = (r.items || []).filter((x) => x.open_type === 'open' && (!x.department || Number(x.department.id) === Number(dept.id)));
	} catch (e) {
		return { title, node: h('div', null, pageHead(title), errorBlock(e, 'od-pub-error')) };
	}
	const head = pageHead(title, { sub: t('od.pub.sub') });
	const crumb = h('p', { class: 'breadcrumb' }, h('a', { href: '#/open' }, t('od.crumb')), h('span', { 'aria-hidden': 'true' }, ' / '), title);
	if (!resources.length) return { title, node: h('div', { class: 'opendata od-publish' }, crumb, head, empty(t('od.pub.no_resources'))) };

	const fieldList = h('ul', { class: 'od-pf-list', id: 'od-pf-list' }, h('li', { class: 'muted' }, t('od.pub.pick_resource_first')));
	let resFields = [];
	const fieldsSet = h(
		'fieldset',
		{ class: 'field od-fields', id: 'od-p-fields-set' },
		h('legend', null, t('od.pub.fields')),
		h('p', { class: 'hint' }, t('od.pub.fields_hint')),
		h('input', { type: 'hidden', id: 'od-p-fields' }),
		errorSlot('od-p-fields'),
		fieldList,
	);
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'od-p-submit' }, t('od.pub.submit'));
	const form = h(
		'form',
		{ class: 'form od-pub-form', novalidate: true },
		section(
			t('od.pub.resource'),
			field({ id: 'od-p-resource', label: t('od.pub.resource'), kind: 'select', hint: t('od.pub.resource_hint'), required: true, options: [['', t('od.pub.resource_pick')], ...resources.map((r) => [r.code, `${r.name} (${r.code})`])] }),
			fieldsSet,
		),
		section(
			t('od.pub.meta'),
			h(
				'div',
				{ class: 'grid-2' },
				field({ id: 'od-p-code', label: t('od.pub.code'), hint: t('od.pub.code_hint'), required: true, attrs: { maxlength: '40', autocomplete: 'off' } }),
				field({ id: 'od-p-title', label: t('od.pub.ds_title'), hint: t('od.pub.title_hint'), required: true, attrs: { maxlength: '100' } }),
			),
			field({ id: 'od-p-description', label: t('od.pub.description'), kind: 'textarea', required: true, attrs: { maxlength: '2000' } }),
			h(
				'div',
				{ class: 'grid-2' },
				field({ id: 'od-p-keywords', label: t('od.pub.keywords'), hint: t('od.pub.keywords_hint'), required: true, attrs: { maxlength: '400' } }),
				field({ id: 'od-p-theme', label: t('od.pub.theme'), hint: t('od.pub.theme_hint'), required: true, attrs: { maxlength: '40' } }),
				field({ id: 'od-p-license', label: t('od.pub.license'), kind: 'select', value: 'CC-BY-4.0', required: true, options: LICENSES.map((l) => [l, licenseLabel(l)]) }),
				field({ id: 'od-p-update_frequency', label: t('od.pub.frequency'), kind: 'select', value: 'irregular', required: true, options: FREQUENCIES.map((f) => [f, freqLabel(f)]) }),
				field({ id: 'od-p-temporal_from', label: t('od.pub.temporal_from'), type: 'date' }),
				field({ id: 'od-p-temporal_to', label: t('od.pub.temporal_to'), type: 'date' }),
				field({ id: 'od-p-spatial', label: t('od.pub.spatial'), hint: t('od.pub.spatial_hint'), required: true, value: dept.region_code || '', attrs: { maxlength: '200', autocomplete: 'off', inputmode: 'numeric' } }),
				field({ id: 'od-p-contact', label: t('od.pub.contact'), hint: t('od.pub.contact_hint'), required: true, value: dept.name || '', attrs: { maxlength: '200' } }),
			),
		),
		h('div', { class: 'btn-row' }, submit),
	);
	const resCtl = form.querySelector('#od-p-resource');
	/* resource names are data: marked with their language */
	for (const o of resCtl.options) if (o.value && hasCJK(o.textContent)) o.lang = 'zh-CN';
	let loadSeq = 0;
	resCtl.addEventListener('change', async () => {
		const code = resCtl.value;
		const res = resources.find((r) => r.code === code);
		const my = ++loadSeq;
		resFields = [];
		if (!res) {
			fieldList.replaceChildren(h('li', { class: 'muted' }, t('od.pub.pick_resource_first')));
			return;
		}
		fieldList.replaceChildren(h('li', { class: 'muted' }, t('common.loading')));
		try {
			const full = await api('GET', `/resources/${res.id}`);
			if (my !== loadSeq) return;
			resFields = full.fields || [];
			fieldList.replaceChildren(...resFields.map(fieldRow));
			const titleCtl = form.querySelector('#od-p-title');
			if (!titleCtl.value.trim()) titleCtl.value = full.name || '';
			const descCtl = form.querySelector('#od-p-description');
			if (!descCtl.value.trim() && full.summary) descCtl.value = full.summary;
			const freq = CYCLE_TO_FREQ[full.update_cycle];
			if (freq) form.querySelector('#od-p-update_frequency').value = freq;
		} catch (e) {
			if (my === loadSeq) fieldList.replaceChildren(h('li', null, errorBlock(e, 'od-pf-error')));
		}
	});

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		if (!v('od-p-resource')) {
			setFieldError(form, 'od-p-resource', t('err.required')).focus();
			return;
		}
		const chosen = [...form.querySelectorAll('input[name="od-pf"]:checked:not(:disabled)')].map((c) => c.value);
		if (!chosen.length) {
			setFieldError(form, 'od-p-fields', t('od.pub.pick_fields')).focus();
			return;
		}
		const split = (s) =>
			s
				.split(/[,，、;；\s]+/)
				.map((x) => x.trim())
				.filter(Boolean);
		const body = {
			resource: v('od-p-resource'),
			code: v('od-p-code'),
			title: v('od-p-title'),
			description: v('od-p-description'),
			keywords: split(v('od-p-keywords')),
			theme: v('od-p-theme'),
			license: v('od-p-license'),
			update_frequency: v('od-p-update_frequency'),
			spatial: split(v('od-p-spatial')),
			contact: v('od-p-contact'),
			fields: chosen.map((name) => {
				const unit = (form.querySelector(`#od-pu-${name}`)?.value || '').trim();
				return unit ? { name, unit } : { name };
			}),
		};
		if (v('od-p-temporal_from')) body.temporal_from = v('od-p-temporal_from');
		if (v('od-p-temporal_to')) body.temporal_to = v('od-p-temporal_to');
		await busy(submit, async () => {
			try {
				const r = await api('POST', '/datasets', body);
				flash(t('od.pub.done', { title: body.title }));
				go(`#/open/${r.id}`);
			} catch (err) {
				showOdErrors(form, err, (f) => {
					const m = /^fields\[(\d+)\]/.exec(f);
					if (m) return chosen[Number(m[1])] ? `od-pf-${chosen[Number(m[1])]}` : 'od-p-fields';
					if (f === 'fields') return 'od-p-fields';
					if (/^keywords/.test(f)) return 'od-p-keywords';
					if (/^spatial/.test(f)) return 'od-p-spatial';
					if (['resource', 'code', 'title', 'description', 'theme', 'license', 'update_frequency', 'temporal_from', 'temporal_to', 'contact'].includes(f)) return `od-p-${f}`;
					return null;
				});
			}
		});
	});

	return {
		title,
		node: h('div', { class: 'opendata od-publish' }, crumb, pageHead(title, { sub: h('span', null, data(deptName(dept)), h('span', { 'aria-hidden': 'true' }, ' · '), t('od.pub.sub')) }), form),
	};
}
