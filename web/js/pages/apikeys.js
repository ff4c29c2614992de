// apikeys.js - API keys of the department's systems (data officer or
// dept_admin): create one (the key is shown once, with a copy button),
// list them, revoke one. A key lets a system call the exchange for the
// department and nothing else.

import { h, data } from '../dom.js';
import { t, fmtDateTime, deptName } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, section, empty, problemText, showErrors, clearErrors, busy, announce, setFieldError, keyBox } from '../ui.js';
import { currentUser, render as rerender } from '../app.js';
import { dataTabs } from '../sharing.js';

let shownKey = null; /* {id, name, key}: the new key, shown once */

export async function render() {
	const u = currentUser();
	const fresh = shownKey; /* shown on this rendering only */
	shownKey = null;
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'key-create' }, t('key.create'));
	const form = h(
		'form',
		{ class: 'form key-form', novalidate: true },
		field({ id: 'key-name', label: t('key.name'), hint: t('key.name_hint'), required: true, attrs: { maxlength: '100' } }),
		h('div', { class: 'btn-row' }, submit),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const name = form.querySelector('#key-name').value.trim();
		if (!name) {
			setFieldError(form, 'key-name', t('err.required')).focus();
			return;
		}
		await busy(submit, async () => {
			try {
				const k = await api('POST', '/api-keys', { name });
				shownKey = k;
				await rerender();
				announce(t('key.created_msg'), 'ok');
				document.getElementById('key-box')?.focus();
			} catch (err) {
				showErrors(form, err, (f) => (f === 'name' ? 'key-name' : null));
			}
		});
	});
	let list;
	try {
		const r = await api('GET', '/api-keys', null, { query: { limit: 100 } });
		const items = r.items || [];
		list = items.length
			? h(
					'table',
					{ class: 'table stack key-table' },
					h('caption', { class: 'visually-hidden' }, t('key.list')),
					h('thead', null, h('tr', null, [t('key.name'), t('key.created'), t('key.status'), t('grant.actions')].map((c) => h('th', { scope: 'col' }, c)))),
					h(
						'tbody',
						null,
						items.map((k) => {
							const revoked = !!k.revoked_at || k.status === 'revoked';
							let action = h('span', { class: 'muted' }, t('common.none'));
							if (!revoked) {
								const cell = h('div', { class: 'btn-row key-actions' });
								const ask = h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', id: `key-revoke-${k.id}` }, t('key.revoke'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(k.name)));
								const yes = h('button', { type: 'button', class: 'btn btn-small btn-danger', id: `key-revoke-yes-${k.id}` }, t('key.revoke_yes'), h('span', { class: 'visually-hidden' }, t('common.colon'), data(k.name)));
								const no = h('button', { type: 'button', class: 'btn btn-small btn-secondary' }, t('common.cancel'));
								const q = h('span', { class: 'key-confirm', id: `key-q-${k.id}` }, t('key.revoke_q'));
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
											await api('POST', `/api-keys/${k.id}/revoke`, {});
											await rerender();
											announce(t('key.revoked'), 'ok');
										} catch (err) {
											announce(problemText(err), 'error');
										}
									}),
								);
								cell.append(ask);
								action = cell;
							}
							return h(
								'tr',
								null,
								h('td', { 'data-label': t('key.name') }, data(k.name), k.prefix ? h('code', { class: 'muted' }, ` ${k.prefix}…`) : null),
								h('td', { 'data-label': t('key.created') }, fmtDateTime(k.created_at), k.created_by ? h('span', { class: 'muted' }, ' · ', data(typeof k.created_by === 'object' ? k.created_by.name : k.created_by)) : null),
								h('td', { 'data-label': t('key.status') }, h('span', { class: `badge ${revoked ? 'tone-bad' : 'tone-ok'}` }, t(revoked ? 'key.revoked_status' : 'key.active')), revoked && k.revoked_at ? h('span', { class: 'muted' }, ` ${fmtDateTime(k.revoked_at)}`) : null),
								h('td', { 'data-label': t('grant.actions') }, action),
							);
						}),
					),
				)
			: empty(t('key.none'));
	} catch (e) {
		list = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('key.title');
	return {
		title,
		node: h(
			'div',
			{ class: 'api-keys' },
			pageHead(title, { sub: h('span', null, data(deptName(u.department)), h('span', { 'aria-hidden': 'true' }, ' · '), t('key.sub')) }),
			dataTabs('keys'),
			fresh ? keyBox(fresh, { id: 'key', once: t('key.once'), refocus: 'key-name' }) : null,
			section(t('key.new'), form),
			section(t('key.list'), list),
		),
	};
}
