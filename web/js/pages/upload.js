// upload.js - one material upload: a labelled file control, a progress bar
// while the bytes go up (XMLHttpRequest progress), the result, and an
// error slot for messages in the user's language.

import { h } from '../dom.js';
import { t, fmtSize } from '../i18n.js';
import { upload } from '../api.js';
import { problemText, announce, fieldFixed, tx } from '../ui.js';

export const ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png';

/**
 * uploader({id, label, required, hint: [..]}) -> {el, file(), uploading(), reset()}
 * The control's id is `id`; its error slot `${id}-error` (see ui.setFieldError).
 */
export function uploader({ id, label, required, hint = [], path = '/files' }) {
	let result = null;
	let busyNow = false;
	const statusId = `${id}-status`;
	const hintId = `${id}-hint`;
	const errId = `${id}-error`;
	const input = h('input', { type: 'file', id, class: 'file-input', accept: ACCEPT, 'aria-describedby': `${hintId} ${statusId} ${errId}` });
	const pickText = h('span', null, t('upload.choose'));
	const pick = h('label', { for: id, class: 'btn btn-secondary file-pick' }, pickText, h('span', { class: 'visually-hidden' }, t('common.colon'), label.cloneNode ? label.cloneNode(true) : label));
	const bar = h('progress', { max: '100', value: '0', hidden: true, 'aria-label': t('upload.progress') });
	const pct = h('span', { class: 'upload-pct', hidden: true });
	const status = h('p', { class: 'upload-status', id: statusId }, t('upload.none'));
	const remove = h('button', { type: 'button', class: 'btn-link', hidden: true }, t('upload.remove'));
	const err = h('p', { class: 'field-error', id: errId });
	const el = h(
		'div',
		{ class: 'upload field', id: `${id}-wrap` },
		h('p', { class: 'upload-title' }, label, ' ', h('span', { class: `badge ${required ? 'tone-warn' : 'tone-info'}` }, required ? t('common.mandatory') : t('common.optional'))),
		h('p', { class: 'hint', id: hintId }, [...hint, t('upload.types')].join(t('common.list_sep'))),
		h('div', { class: 'upload-row' }, input, pick, remove),
		h('div', { class: 'upload-progress' }, bar, pct),
		status,
		err,
	);

	function clearError() {
		err.replaceChildren();
		input.removeAttribute('aria-invalid');
		el.classList.remove('has-error');
	}

	function showError(msg) {
		err.replaceChildren(h('span', { class: 'visually-hidden' }, t('common.error_prefix')), msg);
		input.setAttribute('aria-invalid', 'true');
		el.classList.add('has-error');
	}

	function reset() {
		result = null;
		input.value = '';
		status.textContent = t('upload.none');
		status.className = 'upload-status';
		pickText.textContent = t('upload.choose');
		remove.hidden = true;
		bar.hidden = true;
		pct.hidden = true;
	}

	input.addEventListener('change', async () => {
		const f = input.files && input.files[0];
		clearError();
		if (!f) return;
		result = null;
		busyNow = true;
		bar.hidden = false;
		pct.hidden = false;
		bar.value = 0;
		pct.textContent = '0%';
		remove.hidden = true;
		status.className = 'upload-status';
		status.replaceChildren(...tx('upload.uploading', { name: f.name }));
		try {
			const r = await upload(f, (loaded, total) => {
				const p = Math.round((loaded / total) * 100);
				bar.value = p;
				pct.textContent = `${p}%`;
			}, path);
			bar.value = 100;
			pct.textContent = '100%';
			result = { id: r.id, size: r.size, mime: r.mime, name: f.name };
			status.className = 'upload-status upload-ok';
			status.replaceChildren(...tx('upload.done', { name: f.name, size: fmtSize(r.size) }));
			pickText.textContent = t('upload.replace');
			remove.hidden = false;
			announce(tx('upload.done', { name: f.name, size: fmtSize(r.size) }), 'ok');
			const form = el.closest('form');
			if (form) fieldFixed(form, input);
		} catch (e) {
			reset();
			const msg = e.status === 413 ? t('problem.too_large') : problemText(e);
			showError(msg);
			announce(msg, 'error');
		} finally {
			busyNow = false;
			bar.hidden = result === null;
			pct.hidden = result === null;
		}
	});
	remove.addEventListener('click', () => {
		reset();
		clearError();
		input.focus();
		announce(t('upload.removed'), 'info');
	});

	return {
		el,
		file: () => result,
		uploading: () => busyNow,
		reset,
	};
}
