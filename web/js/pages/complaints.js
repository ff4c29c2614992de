// complaints.js - 投诉/线索 (public): the complaint form (about an item, a
// case or a department; a contact asked only when not signed in), which
// shows the complaint's number and deadline once sent, and the published
// outcomes (no content, no contact; the API masks ID and phone numbers).

import { h, data } from '../dom.js';
import { t, fmtDate, fmtDateTime, getLang } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, empty, problemText, showErrors, clearErrors, setFieldError, busy, announce, errorSlot, pager, linkButton } from '../ui.js';
import { currentUser, go } from '../app.js';
import { departments } from '../catalog.js';

const ABOUT = ['item', 'case', 'department'];

function tabs(current) {
	return h(
		'nav',
		{ class: 'tabs', 'aria-label': t('cp.tabs') },
		h(
			'ul',
			null,
			[
				['#/complaints/new', 'new'],
				['#/complaints', 'list'],
			].map(([href, k]) => h('li', null, h('a', { href, 'aria-current': k === current ? 'page' : undefined }, t(`cp.tab.${k}`)))),
		),
	);
}

const deptLabel = (d) => (getLang() === 'en' && d.name_en ? d.name_en : d.name);

export function complaintStatus(s) {
	return h('span', { class: `badge ${s === 'closed' ? 'tone-ok' : 'tone-warn'}` }, t(`cp.status.${s === 'closed' ? 'closed' : 'open'}`));
}

/* ---- the form ---- */

const FIELD_IDS = { about: 'cp-about', item_id: 'cp-item', case_no: 'cp-case-no', dept_id: 'cp-dept', content: 'cp-content', contact_name: 'cp-contact-name', contact_phone: 'cp-contact-phone' };

function aboutFieldset(value) {
	const radio = (v) => h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'cp-about', id: `cp-about-${v}`, value: v, checked: v === value }), h('label', { for: `cp-about-${v}` }, t(`cp.about.${v}`)));
	return h('fieldset', { class: 'field choices-inline', id: 'cp-about-group' }, h('legend', null, t('cp.about'), h('span', { class: 'req' }, ' ', t('common.required_mark'))), ABOUT.map(radio), h('input', { type: 'hidden', id: 'cp-about' }), errorSlot('cp-about'));
}

function itemPicker() {
	const q = field({ id: 'cp-item-q', label: t('cp.item_search'), type: 'search', hint: t('cp.item_search_hint'), attrs: { maxlength: '50', autocomplete: 'off' } });
	const find = h('button', { type: 'button', class: 'btn btn-secondary', id: 'cp-item-find' }, t('cp.item_find'));
	const pick = field({ id: 'cp-item', label: t('cp.item'), kind: 'select', required: true, options: [['', t('cp.item_pick')]] });
	const status = h('p', { class: 'hint', id: 'cp-item-status', role: 'status' });
	const sel = pick.querySelector('select');
	async function search() {
		const words = q.querySelector('input').value.trim();
		await busy(find, async () => {
			try {
				const r = await api('GET', '/services', null, { query: { q: words, limit: 20 } });
				const items = r.items || [];
				sel.replaceChildren(h('option', { value: '' }, t('cp.item_pick')), ...items.map((it) => h('option', { value: it.id, lang: 'zh-CN' }, `${it.name}（${it.department ? it.department.name : ''}）`)));
				if (items.length) sel.value = String(items[0].id);
				status.textContent = items.length ? t('cp.item_found', { n: items.length }) : t('cp.item_none');
			} catch (e) {
				status.textContent = problemText(e);
			}
		});
	}
	find.addEventListener('click', search);
	q.querySelector('input').addEventListener('keydown', (e) => {
		if (e.key === 'Enter') {
			e.preventDefault();
			search();
		}
	});
	return h('div', { class: 'about-panel', dataset: { about: 'item' } }, h('div', { class: 'search-main cp-search' }, q, find), status, pick);
}

function resultCard(r) {
	const dept = r.dept || {};
	return h(
		'section',
		{ class: 'card cp-result', id: 'cp-result', tabindex: '-1', 'aria-labelledby': 'cp-result-title' },
		h('h2', { id: 'cp-result-title' }, t('cp.done_title')),
		h(
			'dl',
			{ class: 'facts' },
			h('div', { class: 'fact' }, h('dt', null, t('cp.no')), h('dd', null, h('strong', { class: 'cp-no', id: 'cp-no' }, r.no))),
			h('div', { class: 'fact' }, h('dt', null, t('cp.handled_by')), h('dd', null, data(deptLabel(dept)))),
			h('div', { class: 'fact' }, h('dt', null, t('cp.due')), h('dd', { id: 'cp-due' }, fmtDate(r.due_date))),
			h('div', { class: 'fact' }, h('dt', null, t('cp.status')), h('dd', null, complaintStatus(r.status))),
		),
		h('p', null, t('cp.done_text')),
		h('div', { class: 'btn-row' }, linkButton('#/complaints', t('cp.view_list'), 'btn btn-primary'), h('a', { class: 'btn btn-secondary', href: '#/complaints/new', id: 'cp-another' }, t('cp.another'))),
	);
}

async function formView(query) {
	const u = currentUser();
	const depts = await departments();
	const about = ABOUT.includes(query.get('about')) ? query.get('about') : 'item';
	const deptField = field({ id: 'cp-dept', label: t('cp.dept'), kind: 'select', required: true, value: query.get('dept') || '', options: [['', t('cp.dept_pick')], ...depts.map((d) => [d.id, deptLabel(d)])] });
	const panels = [
		itemPicker(),
		h('div', { class: 'about-panel', dataset: { about: 'case' } }, field({ id: 'cp-case-no', label: t('cp.case_no'), hint: t('cp.case_no_hint'), required: true, value: query.get('case') || '', attrs: { maxlength: '40', autocomplete: 'off', spellcheck: 'false' } })),
		h('div', { class: 'about-panel', dataset: { about: 'department' } }, deptField),
	];
	const contact = u
		? h('p', { class: 'hint' }, t('cp.signed_in'))
		: h(
				'fieldset',
				{ class: 'field cp-contact' },
				h('legend', null, t('cp.contact')),
				h('p', { class: 'hint' }, t('cp.contact_hint')),
				h('div', { class: 'grid-2' }, field({ id: 'cp-contact-name', label: t('cp.contact_name'), required: true, attrs: { autocomplete: 'name', maxlength: '50' } }), field({ id: 'cp-contact-phone', label: t('cp.contact_phone'), type: 'tel', required: true, attrs: { autocomplete: 'tel', inputmode: 'numeric', maxlength: '11' } })),
			);
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'cp-submit' }, t('cp.submit'));
	const form = h(
		'form',
		{ class: 'card form cp-form', novalidate: true, id: 'cp-form' },
		aboutFieldset(about),
		panels,
		field({ id: 'cp-content', label: t('cp.content'), kind: 'textarea', hint: t('cp.content_hint'), required: true, attrs: { maxlength: '2000', rows: 6 } }),
		contact,
		h('div', { class: 'btn-row' }, submit),
	);
	const chosen = () => (form.querySelector('input[name="cp-about"]:checked') || {}).value || 'item';
	const showPanel = () => {
		for (const p of panels) p.hidden = p.dataset.about !== chosen();
	};
	for (const r of form.querySelectorAll('input[name="cp-about"]')) r.addEventListener('change', showPanel);
	showPanel();
	const out = h('div', { class: 'cp-out' });
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const kind = chosen();
		const body = { about: kind, content: v('cp-content') };
		if (kind === 'item') body.item_id = v('cp-item') ? Number(v('cp-item')) : undefined;
		if (kind === 'case') body.case_no = v('cp-case-no');
		if (kind === 'department') body.dept_id = v('cp-dept') ? Number(v('cp-dept')) : undefined;
		if (!u) {
			body.contact_name = v('cp-contact-name');
			body.contact_phone = v('cp-contact-phone');
		}
		if (kind === 'item' && !body.item_id) {
			setFieldError(form, 'cp-item', t('err.item_id.required')).focus();
			announce(t('common.not_saved'), 'error');
			return;
		}
		await busy(submit, async () => {
			try {
				const r = await api('POST', '/complaints', body);
				form.hidden = true;
				out.replaceChildren(resultCard(r));
				out.querySelector('#cp-result').focus();
				announce(`${t('cp.done_title')}${t('common.colon')}${r.no}`, 'ok');
			} catch (err) {
				showErrors(form, err, (f) => FIELD_IDS[f] || null);
			}
		});
	});
	const title = t('cp.title');
	return { title, node: h('div', { class: 'complaints' }, tabs('new'), pageHead(title, { sub: t('cp.sub') }), out, form) };
}

/* ---- the published outcomes ---- */

function aboutText(c) {
	if (c.item_name) return data(c.item_name);
	if (c.about === 'case') return t('cp.case_about');
	if (c.about === 'department') return t('cp.about.department');
	return t(`cp.about.${c.about}`);
}

function row(c, head, deptNames) {
	const td = (i, ...x) => h('td', { 'data-label': head[i] }, ...x);
	return h(
		'tr',
		{ dataset: { no: c.no } },
		td(0, h('span', { class: 'cp-no' }, c.no)),
		td(1, fmtDateTime(c.created_at)),
		td(2, aboutText(c)),
		td(3, data(deptNames.get(c.dept_id) || c.dept_name)),
		td(4, complaintStatus(c.status)),
		td(5, fmtDate(c.due_date)),
		td(6, c.closed_at ? [fmtDateTime(c.closed_at), ' ', h('span', { class: `badge ${c.on_time === false ? 'tone-bad' : 'tone-ok'}` }, c.on_time === false ? t('cp.late') : t('cp.on_time'))] : ''),
		td(7, c.outcome ? data(c.outcome, 'span', { class: 'prose' }) : ''),
	);
}

async function listView(query) {
	const depts = await departments();
	const deptNames = new Map(depts.map((d) => [d.id, deptLabel(d)]));
	const dept = depts.some((d) => String(d.id) === query.get('dept_id')) ? query.get('dept_id') : '';
	const status = ['open', 'closed'].includes(query.get('status')) ? query.get('status') : '';
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('cp.filter') },
		field({ id: 'cp-f-dept', label: t('cp.dept'), kind: 'select', value: dept, options: [['', t('cp.all_depts')], ...depts.map((d) => [d.id, deptLabel(d)])] }),
		field({ id: 'cp-f-status', label: t('cp.status'), kind: 'select', value: status, options: [['', t('cp.status.all')], ['open', t('cp.status.open')], ['closed', t('cp.status.closed')]] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const q = new URLSearchParams();
		const d = filter.querySelector('#cp-f-dept').value;
		const s = filter.querySelector('#cp-f-status').value;
		if (d) q.set('dept_id', d);
		if (s) q.set('status', s);
		go(`#/complaints${q.toString() ? `?${q}` : ''}`);
	});
	const head = [t('cp.col.no'), t('cp.col.created'), t('cp.col.about'), t('cp.col.dept'), t('cp.col.status'), t('cp.col.due'), t('cp.col.closed'), t('cp.col.outcome')];
	const tbody = h('tbody');
	const load = (cursor) => api('GET', '/complaints/public', null, { query: { dept_id: dept, status, cursor } });
	const more = pager(load, (items) => items.forEach((c) => tbody.append(row(c, head, deptNames))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((c) => tbody.append(row(c, head, deptNames)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, h('div', { class: 'table-wrap' }, h('table', { class: 'table stack', id: 'cp-list' }, h('caption', { class: 'visually-hidden' }, t('cp.tab.list')), h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))), tbody)), more.el)
			: empty(t('cp.none'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('cp.tab.list');
	return { title, node: h('div', { class: 'complaints' }, tabs('list'), pageHead(title, { sub: t('cp.list_sub') }), filter, body) };
}

export async function render({ view, query }) {
	return view === 'new' ? formView(query) : listView(query);
}
