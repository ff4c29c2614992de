// devkeys.js - developer keys for the open data API (#/me/api-keys), for
// any signed-in user: how to send a key (header X-API-Key, never in the
// URL) and the limits with and without one; create a key (shown once, with
// a copy button), list them (prefix only), revoke one.

import { h, data } from '../dom.js';
import { t, tOr, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, empty, busy, announce, clearErrors, setFieldError, keyBox } from '../ui.js';
import { render as rerender } from '../app.js';
import { odGet, odErrorText, showOdErrors, errorBlock } from './opendata.js';

let shownKey = null; /* {id, name, key}: the new key, shown on the next rendering only */

function keyRow(k, head) {
	const revoked = !!k.revoked_at;
	let action = h('span', { class: 'muted' }, t('common.none'));
	if (!revoked) {
		const cell = h('div', { class: 'btn-row key-actions' });
		const ask = h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', id: `dev-revoke-${k.id}` }, t('key.revoke'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(k.name)));
		const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', id: `dev-revoke-yes-${k.id}` }, t('key.revoke_yes'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(k.name)));
		const no = h('button', { type: 'button', class: 'btn btn-small btn-secondary' }, t('common.cancel'));
		const q = h('span', { class: 'key-confirm' }, t('dev.revoke_q'));
		ask.addEventListener('click', () => {
			cell.replaceChildren(q, yes, no);
			yes.focus();
		});
		no.addEventListener('click', () => {
			cell.replaceChildren(ask);
			ask.focus();
		});
		yes.addEventListener('click', () =>
			busy(yes, async () => {
				try {
					await api('POST', `/me/api-keys/${k.id}/revoke`, {});
					await rerender();
					announce(t('key.revoked'), 'ok');
				} catch (err) {
					announce(odErrorText(err), 'error');
				}
			}),
		);
		cell.append(ask);
		action = cell;
	}
	return h(
		'tr',
		{ dataset: { id: String(k.id) } },
		h('td', { 'data-label': head[0] }, data(k.name)),
		h('td', { 'data-label': head[1] }, h('code', { class: 'dev-prefix' }, `${k.prefix || ''}…`)),
		h('td', { 'data-label': head[2] }, fmtDateTime(k.created_at)),
		h('td', { 'data-label': head[3] }, k.last_used_at ? fmtDateTime(k.last_used_at) : h('span', { class: 'muted' }, t('dev.never_used'))),
		h('td', { 'data-label': head[4] }, k.rate_per_min ? t('dev.per_min', { n: k.rate_per_min }) : ''),
		h('td', { 'data-label': head[5] }, h('span', { class: `badge ${revoked ? 'tone-bad' : 'tone-ok'}` }, t(revoked ? 'key.revoked_status' : 'key.active')), revoked ? h('span', { class: 'muted' }, ` ${fmtDateTime(k.revoked_at)}`) : null),
		h('td', { 'data-label': head[6] }, action),
	);
}

export async function render() {
	const fresh = shownKey;
	shownKey = null;
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'dev-key-create' }, t('dev.create'));
	const form = h('form', { class: 'form key-form', novalidate: true }, field({ id: 'dev-key-name', label: t('dev.name'), hint: t('dev.name_hint'), required: true, attrs: { maxlength: '100', autocomplete: 'off' } }), h('div', { class: 'btn-row' }, submit));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const name = form.querySelector('#dev-key-name').value.trim();
		if (!name) {
			setFieldError(form, 'dev-key-name', t('err.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				shownKey = await api('POST', '/me/api-keys', { name });
				await rerender();
				announce(t('dev.created_msg'), 'ok');
				document.getElementById('dev-key-box')?.focus();
			} catch (err) {
				showOdErrors(form, err, (f) => (f === 'name' ? 'dev-key-name' : null));
			}
		});
	});

	const head = [t('dev.name'), t('dev.prefix'), t('dev.created'), t('dev.last_used'), t('dev.rate'), t('dev.status'), t('dev.actions')];
	const [keys, limit] = await Promise.allSettled([api('GET', '/me/api-keys'), odGet('/me/api-keys/limit')]);
	let list;
	if (keys.status === 'fulfilled') {
		const items = keys.value.items || [];
		list = items.length
			? h('table', { class: 'table stack key-table dev-keys', id: 'dev-keys' }, h('caption', { class: 'visually-hidden' }, t('dev.list')), h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', null, items.map((k) => keyRow(k, head))))
			: empty(t('dev.none'));
	} else list = errorBlock(keys.reason, 'dev-keys-error');

	let limits = null;
	if (limit.status === 'fulfilled' && limit.value) {
		const l = limit.value;
		limits = h(
			'dl',
			{ class: 'stats dev-limit', id: 'dev-limit', 'aria-label': t('dev.limit_title') },
			h('div', { class: 'stat' }, h('dt', null, t('dev.limit')), h('dd', { id: 'dev-limit-n' }, String(l.limit ?? '—'))),
			h('div', { class: 'stat' }, h('dt', null, t('dev.remaining')), h('dd', { id: 'dev-remaining' }, String(l.remaining ?? '—'))),
			h('div', { class: 'stat dev-who' }, h('dt', null, t('dev.who')), h('dd', null, tOr(`dev.who.${l.who}`, l.who || '—'))),
		);
	}
	const example = `curl -H "X-API-Key: ${t('dev.key_placeholder')}" "${location.origin}/api/v1/datasets?q=…"`;
	const title = t('dev.title');
	return {
		title,
		node: h(
			'div',
			{ class: 'api-keys dev-keys-page' },
			h('p', { class: 'breadcrumb' }, h('a', { href: '#/open' }, t('od.crumb')), h('span', { 'aria-hidden': 'true' }, ' / '), title),
			pageHead(title, { sub: t('dev.sub') }),
			fresh ? keyBox(fresh, { id: 'dev-key', once: t('dev.once'), refocus: 'dev-key-name' }) : null,
			section(t('dev.how'), h('p', null, t('dev.how_header')), h('pre', { class: 'od-code' }, h('code', { lang: 'en' }, example)), h('p', null, t('dev.how_limits')), limits ? h('h3', null, t('dev.limit_title')) : null, limits),
			section(t('dev.new'), form),
			section(t('dev.list'), list),
		),
	};
}
