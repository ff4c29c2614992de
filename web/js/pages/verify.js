// verify.js - 证照核验, open to anyone without signing in: the identifier
// printed on an e-license, or the content of its QR code, is checked by the
// node (check character, the record, revocation, validity and the SM2
// signature); the answer is valid / revoked / expired / forged, explained
// in plain words.

import { h, data } from '../dom.js';
import { t, tOr, getLang } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, dl, showErrors, clearErrors, busy, announce, setFieldError } from '../ui.js';
import { licenseBadge, dayText } from '../sharing.js';
import { licenseTypes } from './licenses.js';

const ICON = { valid: '✓', revoked: '✕', expired: '!', forged: '✕' };

function explain(res) {
	const status = res.status;
	const reason = res.reason || '';
	return tOr(`verify.reason.${reason}`, null) || t(`verify.status_text.${status}`);
}

async function resultView(res) {
	const l = res.license || null;
	let rows = null;
	if (l) {
		const types = await licenseTypes();
		const code = typeof l.type === 'object' && l.type ? l.type.code : l.type_code || l.type;
		const ty = types.get(code) || (typeof l.type === 'object' ? l.type : {}) || {};
		const typeName = getLang() === 'en' && ty.name_en ? ty.name_en : ty.name || l.type_name || code;
		const issuer = typeof l.issuer === 'object' && l.issuer ? (getLang() === 'en' && l.issuer.name_en ? l.issuer.name_en : l.issuer.name) : l.issuer_name || l.issuer;
		const holder = typeof l.holder === 'object' && l.holder ? [l.holder.name, l.holder.id].filter(Boolean).join(' ') : l.holder;
		rows = dl([
			[t('lic.type'), data(typeName)],
			[t('verify.holder_masked'), data(holder)],
			[t('lic.issuer'), data(issuer)],
			[t('lic.issued_on'), dayText(l.issued_on)],
			[t('lic.valid_to'), dayText(l.valid_to, true)],
			[t('lic.identifier'), l.identifier ? h('code', { class: 'lic-id' }, l.identifier) : null],
		]);
	}
	const status = res.status;
	return h(
		'section',
		{ class: `card verify-result verify-${status}`, 'aria-labelledby': 'verify-result-title', id: 'verify-result', tabindex: '-1' },
		h('h2', { id: 'verify-result-title' }, h('span', { class: 'verify-icon', 'aria-hidden': 'true' }, ICON[status] || '?'), t(`verify.headline.${status}`)),
		h('p', null, licenseBadge(status)),
		h('p', { class: 'verify-explain' }, explain(res)),
		status === 'forged' ? h('p', { class: 'hint' }, t('verify.forged_advice')) : null,
		status === 'revoked' || status === 'expired' ? h('p', { class: 'hint' }, t('verify.not_valid_advice')) : null,
		rows,
	);
}

export async function render({ query }) {
	const initial = query.get('id') || query.get('qr') || '';
	const out = h('div', { class: 'verify-out', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', id: 'verify-submit' }, t('verify.submit'));
	const form = h(
		'form',
		{ class: 'form card verify-form', novalidate: true },
		field({ id: 'verify-input', label: t('verify.input'), kind: 'textarea', value: initial, hint: t('verify.input_hint'), required: true, attrs: { rows: 3, maxlength: '1000', spellcheck: 'false', autocapitalize: 'characters' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	async function run(focusResult) {
		clearErrors(form);
		const s = form.querySelector('#verify-input').value.trim();
		if (!s) {
			setFieldError(form, 'verify-input', t('verify.empty')).focus();
			return;
		}
		const body = s.startsWith('ZTL') ? { qr: s } : { identifier: s.toUpperCase().replace(/\s+/g, '') };
		await busy(submit, async () => {
			try {
				const res = await api('POST', '/licenses/verify', body, { noAuthRedirect: true });
				out.replaceChildren(await resultView(res));
				announce(t(`verify.headline.${res.status}`), res.status === 'valid' ? 'ok' : 'error', { quiet: true });
				if (focusResult) out.querySelector('#verify-result').focus();
			} catch (err) {
				out.replaceChildren();
				showErrors(form, err, (f) => (f === 'identifier' || f === 'qr' ? 'verify-input' : null));
			}
		});
	}
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		run(true);
	});
	if (initial) await run(false);
	const title = t('verify.title');
	return {
		title,
		node: h(
			'div',
			{ class: 'verify' },
			pageHead(title, { sub: t('verify.sub') }),
			form,
			out,
			h('section', { class: 'card tips', 'aria-labelledby': 'verify-how' }, h('h2', { id: 'verify-how' }, t('verify.how_title')), h('ul', { class: 'steps' }, ['how1', 'how2', 'how3'].map((k) => h('li', null, t(`verify.${k}`))))),
		),
	};
}
