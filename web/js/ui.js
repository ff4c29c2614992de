// ui.js - the portal's shared pieces: page headings, form fields with their
// labels and error slots, status badges (colour AND word), deadlines,
// translated API errors shown next to their fields, and the live region.

import { h, data } from './dom.js';
import { t, tOr, template, fmtDate, fmtRemaining } from './i18n.js';

/* ---- text with data in it ---- */

/**
 * Like t(), but the values put into the text are API data (names, file
 * names, search words): they become elements marked with their language,
 * so an English sentence can carry a Chinese name. Returns an array of nodes.
 */
export function tx(key, params = {}) {
	const tpl = template(key);
	if (typeof tpl !== 'string') return [t(key, params)];
	const out = [];
	let last = 0;
	for (const m of tpl.matchAll(/\{(\w+)\}/g)) {
		if (m.index > last) out.push(tpl.slice(last, m.index));
		const v = params[m[1]];
		out.push(v instanceof Node ? v : data(v === undefined ? m[0] : v));
		last = m.index + m[0].length;
	}
	if (last < tpl.length) out.push(tpl.slice(last));
	return out;
}

/* ---- announcements ---- */

let pending = null;

/** Says msg in the polite live region and shows it (kind: ok | error |
 * info); with {quiet: true} it is only said, for news already visible on
 * the page (e.g. the number of search results). */
export function announce(msg, kind = 'ok', { quiet = false } = {}) {
	const region = document.getElementById('status');
	if (!region) return;
	region.replaceChildren();
	region.className = `status-region status-${kind}${quiet ? ' status-quiet' : ''}`;
	/* A fresh node so that the same text is announced again. */
	setTimeout(() => {
		region.replaceChildren(h('p', { class: quiet ? 'visually-hidden' : undefined }, msg));
	}, 30);
}

export function clearAnnouncement() {
	const region = document.getElementById('status');
	if (region) {
		region.replaceChildren();
		region.className = 'status-region';
	}
}

/** A message to show after the next page has rendered. */
export function flash(msg, kind = 'ok') {
	pending = { msg, kind };
}

export function takeFlash() {
	const p = pending;
	pending = null;
	return p;
}

/* ---- page structure ---- */

export function pageHead(title, { sub, actions, titleNode } = {}) {
	return h(
		'div',
		{ class: 'page-head' },
		h('div', { class: 'page-head-text' }, h('h1', { tabindex: '-1', id: 'page-title' }, titleNode || title), sub ? h('p', { class: 'page-sub' }, sub) : null),
		actions ? h('div', { class: 'page-actions' }, actions) : null,
	);
}

export function section(title, ...children) {
	const id = `sec-${Math.random().toString(36).slice(2, 8)}`;
	return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A description list from [[term, value], ...]; rows with null value are skipped. */
export function dl(rows, cls = 'facts') {
	const el = h('dl', { class: cls });
	for (const [term, value] of rows) {
		if (value === null || value === undefined || value === '') continue;
		el.append(h('div', { class: 'fact' }, h('dt', null, term), h('dd', null, value)));
	}
	return el;
}

export function loading() {
	return h('p', { class: 'loading' }, t('common.loading'));
}

export function empty(text) {
	return h('p', { class: 'empty' }, text);
}

export function linkButton(href, text, cls = 'btn') {
	return h('a', { class: cls, href }, text);
}

/* ---- badges ---- */

const STATE_TONE = {
	submitted: 'info',
	accepted: 'info',
	needs_supplement: 'warn',
	approved: 'ok',
	delivered: 'ok',
	denied: 'bad',
	not_accepted: 'bad',
};

export function stateBadge(state) {
	return h('span', { class: `badge tone-${STATE_TONE[state] || 'info'}` }, tOr(`state.${state}`, state));
}

/** Timer colour with its word: normal / warning / overdue / paused / closed. */
export function timerBadge(timer) {
	return h('span', { class: `badge timer timer-${timer}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), tOr(`timer.${timer}`, timer));
}

/** Deadline as date + working days left, e.g. 2026年12月4日 · 剩余 5 个工作日 */
export function deadlineText(dl) {
	if (!dl) return '';
	if (dl.timer === 'closed') return t('deadline.closed');
	const rem = fmtRemaining(dl);
	if (dl.timer === 'paused') return rem;
	return `${fmtDate(dl.due_date)} · ${rem}`;
}

export function deadlineView(dl) {
	if (dl.timer === 'closed') return h('span', { class: 'deadline' }, timerBadge(dl.timer));
	return h('span', { class: 'deadline' }, timerBadge(dl.timer), ' ', h('span', null, deadlineText(dl)));
}

/* ---- errors ---- */

function numbers(detail) {
	const m = String(detail || '').match(/-?\d+/g) || [];
	return { n: m[0], a: m[0], b: m[1] };
}

/** The generic field name: materials[2].file -> materials[].file */
function genericField(field) {
	return String(field || '').replace(/\[\d+\]/g, '[]');
}

/** One field error {field, reason, detail} in the user's language. */
export function fieldErrorText(e) {
	const g = genericField(e.field);
	const p = numbers(e.detail);
	return tOr(`err.${g}.${e.reason}`, null, p) || tOr(`err.${e.reason}`, null, p) || e.detail || t('err.unknown');
}

/** A whole ApiError in the user's language (for errors without a field). */
export function problemText(err) {
	if (!err) return t('err.unknown');
	if (err.errors && err.errors.length) {
		const e = err.errors[0];
		if (!e.field || e.field === '' || !['state', 'status'].includes(e.field)) return fieldErrorText(e);
		return fieldErrorText(e);
	}
	return tOr(`problem.${err.reason}`, null) || tOr(`status.${err.status}`, null) || err.problem.title || err.message || t('err.unknown');
}

/** Clears the error marks in a form. */
export function clearErrors(form) {
	for (const el of form.querySelectorAll('.field-error')) el.replaceChildren();
	for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
	for (const el of form.querySelectorAll('.has-error')) el.classList.remove('has-error');
	const sum = form.querySelector('.form-errors');
	if (sum) {
		sum.replaceChildren();
		sum.hidden = true;
	}
}

/** Puts message next to the field whose control has id. Returns the control. */
export function setFieldError(form, id, message) {
	const ctl = form.querySelector(`#${CSS.escape(id)}`);
	const slot = form.querySelector(`#${CSS.escape(id)}-error`);
	if (!slot) return null;
	liveClear(form);
	slot.replaceChildren(h('span', { class: 'visually-hidden' }, t('common.error_prefix')), message);
	const wrap = slot.closest('.field, fieldset');
	if (wrap) wrap.classList.add('has-error');
	if (ctl && ctl.type === 'hidden') {
		/* a group (checkboxes): mark and focus its first control */
		const firstInGroup = wrap && wrap.querySelector('input:not([type=hidden]), textarea, select');
		if (firstInGroup) {
			firstInGroup.setAttribute('aria-invalid', 'true');
			return firstInGroup;
		}
		slot.setAttribute('tabindex', '-1');
		return slot;
	}
	if (ctl) ctl.setAttribute('aria-invalid', 'true');
	return ctl || slot;
}

/** Once a form has shown errors, a field's message goes away as soon as the
 * person changes that field, and the summary when no field error is left. */
function liveClear(form) {
	if (form.dataset.liveClear) return;
	form.dataset.liveClear = '1';
	const onEdit = (e) => {
		let ctl = e.target;
		if (ctl && (ctl.type === 'radio' || ctl.type === 'checkbox')) {
			/* a group's error sits on its first control */
			const group = ctl.closest('fieldset');
			ctl = (group && group.querySelector('[aria-invalid="true"]')) || ctl;
		}
		if (!ctl || ctl.getAttribute('aria-invalid') !== 'true') return;
		if (ctl.type === 'file') return; /* the uploader clears its own error after a good upload */
		fieldFixed(form, ctl);
	};
	form.addEventListener('input', onEdit);
	form.addEventListener('change', onEdit);
}

/** Clears the error of control ctl (and the summary when none is left). */
export function fieldFixed(form, ctl) {
	ctl.removeAttribute('aria-invalid');
	const slot = form.querySelector(`#${CSS.escape(ctl.id)}-error`);
	if (slot) slot.replaceChildren();
	const wrap = ctl.closest('.field, fieldset');
	if (wrap) {
		wrap.classList.remove('has-error');
		if (wrap.tagName === 'FIELDSET') for (const e of wrap.querySelectorAll('.field-error')) e.replaceChildren();
	}
	if (!form.querySelector('.has-error')) {
		const sum = form.querySelector('.form-errors');
		if (sum) {
			sum.replaceChildren();
			sum.hidden = true;
		}
	}
}

/** Shows messages that belong to no field at the top of the form. */
export function setFormError(form, messages) {
	let sum = form.querySelector('.form-errors');
	if (!sum) {
		sum = h('div', { class: 'form-errors', role: 'alert', tabindex: '-1' });
		form.prepend(sum);
	}
	sum.hidden = false;
	sum.replaceChildren(h('p', { class: 'form-errors-title' }, t('common.fix_errors')), h('ul', null, messages.map((m) => h('li', null, m))));
	return sum;
}

/**
 * Shows an ApiError in form: each field error next to the field it names
 * (fieldToId maps an API field to a control id, or null), the rest on top.
 * Focuses the first problem.
 */
export function showErrors(form, err, fieldToId = (f) => f) {
	clearErrors(form);
	const loose = [];
	let first = null;
	const errs = err.errors && err.errors.length ? err.errors : [];
	for (const e of errs) {
		const id = e.field ? fieldToId(e.field) : null;
		const msg = fieldErrorText(e);
		const ctl = id ? setFieldError(form, id, msg) : null;
		if (ctl) first = first || ctl;
		else loose.push(msg);
	}
	if (!errs.length) loose.push(problemText(err));
	if (loose.length) {
		const sum = setFormError(form, loose);
		first = first || sum;
	}
	if (first) first.focus();
	announce(t('common.not_saved'), 'error');
}

/* ---- form fields ---- */

/**
 * A labelled control with an optional hint and an error slot.
 * kind: input (default) | textarea | select; options: [[value, label], ...]
 */
export function field({ id, label, kind = 'input', type = 'text', value, hint, required, options, attrs = {}, labelNode }) {
	const describedBy = [];
	const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
	if (hintEl) describedBy.push(`${id}-hint`);
	const errEl = h('p', { class: 'field-error', id: `${id}-error` });
	describedBy.push(`${id}-error`);
	let ctl;
	const common = { id, name: id, 'aria-describedby': describedBy.join(' '), 'aria-required': required ? 'true' : undefined, ...attrs };
	if (kind === 'textarea') ctl = h('textarea', { rows: 3, ...common }, value ?? '');
	else if (kind === 'select') {
		ctl = h('select', common, (options || []).map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, l)));
	} else ctl = h('input', { type, value: value ?? '', ...common });
	const lab = h('label', { for: id }, labelNode || label, required ? h('span', { class: 'req' }, ' ', t('common.required_mark')) : null);
	return h('div', { class: 'field' }, lab, hintEl, ctl, errEl);
}

/** An error slot for a fieldset or a group without a single control. */
export function errorSlot(id) {
	return h('p', { class: 'field-error', id: `${id}-error` });
}

/** Disables a form's submit button while fn runs. */
export async function busy(button, fn) {
	const was = button.disabled;
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	try {
		return await fn();
	} finally {
		button.disabled = was;
		button.removeAttribute('aria-busy');
	}
}

/** A "more" button for cursor paging: load(cursor) -> {items, next}. */
export function pager(load, renderItems) {
	const wrap = h('div', { class: 'pager' });
	let next = null;
	const btn = h('button', { type: 'button', class: 'btn btn-secondary', hidden: true }, t('common.more'));
	btn.addEventListener('click', async () => {
		await busy(btn, async () => {
			try {
				const r = await load(next);
				renderItems(r.items, true);
				setNext(r.next);
				announce(t('common.loaded_more', { n: r.items.length }), 'info');
			} catch (e) {
				announce(problemText(e), 'error');
			}
		});
	});
	function setNext(n) {
		next = n || null;
		btn.hidden = !next;
	}
	wrap.append(btn);
	return { el: wrap, setNext };
}


/**
 * A new key, shown once: the key in a read-only field, a copy button (falls
 * back to selecting it for a manual copy) and a done button that removes
 * the box and returns focus to the element refocus. Element ids start with
 * id ('key' gives key-box, key-value, key-copy, key-done); once is the
 * sentence saying it is shown only now. k: {name, key}.
 */
export function keyBox(k, { id, once, refocus }) {
	const input = h('input', { type: 'text', id: `${id}-value`, class: 'key-value', readonly: true, value: k.key, 'aria-describedby': `${id}-once`, spellcheck: 'false' });
	const copy = h('button', { type: 'button', class: 'btn btn-primary', id: `${id}-copy` }, t('key.copy'));
	copy.addEventListener('click', async () => {
		try {
			await navigator.clipboard.writeText(k.key);
			announce(t('key.copied'), 'ok');
		} catch {
			input.focus();
			input.select();
			announce(t('key.copy_manual'), 'info');
		}
	});
	const done = h('button', { type: 'button', class: 'btn btn-secondary', id: `${id}-done` }, t('key.done'));
	const box = h(
		'section',
		{ class: 'card card-attention key-box', 'aria-labelledby': `${id}-new-title`, id: `${id}-box`, tabindex: '-1' },
		h('h2', { id: `${id}-new-title` }, ...tx('key.new_title', { name: k.name })),
		h('p', { class: 'notice', id: `${id}-once` }, once),
		h('div', { class: 'field' }, h('label', { for: `${id}-value` }, t('key.key')), input),
		h('div', { class: 'btn-row' }, copy, done),
	);
	done.addEventListener('click', () => {
		box.remove();
		document.getElementById(refocus)?.focus();
	});
	return box;
}
