// auth.js - sign in (citizens with the ID number, enterprises with the
// credit code, officials with their login) and registration.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, session } from '../api.js';
import { tx, field, pageHead, showErrors, clearErrors, setFieldError, busy, flash } from '../ui.js';
import { go, homeOf } from '../app.js';

/** A safe place to go after signing in: only our own hash routes. */
function nextOf(query) {
	const n = query.get('next') || '';
	return /^#\/[A-Za-z0-9/?=&%._-]*$/.test(n) && !n.startsWith('#/login') && !n.startsWith('#/register') ? n : null;
}

async function signIn(login, password) {
	const r = await api('POST', '/auth/login', { login, password }, { noAuthRedirect: true });
	session.set(r.token, r.user);
	try {
		session.setUser(await api('GET', '/me'));
	} catch {
		/* the login answer's user will do */
	}
	return session.user();
}

function loginView(query) {
	const next = nextOf(query);
	const form = h(
		'form',
		{ class: 'card form narrow', novalidate: true },
		field({ id: 'login-login', label: t('auth.account'), hint: t('auth.account_hint'), required: true, attrs: { autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' } }),
		field({ id: 'login-password', label: t('auth.password'), type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
		h('div', { class: 'btn-row' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, t('auth.login'))),
		h('p', { class: 'muted' }, t('auth.no_account'), ' ', h('a', { href: next ? `#/register?next=${encodeURIComponent(next)}` : '#/register' }, t('auth.register_here'))),
	);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const login = form.querySelector('#login-login').value.trim();
		const password = form.querySelector('#login-password').value;
		let bad = false;
		if (!login) bad = !!setFieldError(form, 'login-login', t('err.required'));
		if (!password) bad = !!setFieldError(form, 'login-password', t('err.required')) || bad;
		if (bad) {
			form.querySelector('[aria-invalid="true"]').focus();
			return;
		}
		await busy(form.querySelector('#login-submit'), async () => {
			try {
				const u = await signIn(login, password);
				flash(tx('auth.welcome', { name: u.name }));
				go(next || homeOf(u));
			} catch (err) {
				showErrors(form, err, (f) => ({ login: 'login-login', password: 'login-password' })[f] || null);
			}
		});
	});
	const title = t('auth.login_title');
	return {
		title,
		node: h('div', { class: 'auth' }, pageHead(title, { sub: t('auth.login_sub') }), form, h('aside', { class: 'card narrow demo-hint' }, h('h2', null, t('auth.demo_title')), h('p', null, t('auth.demo_text')))),
	};
}

function registerView(query) {
	const next = nextOf(query);
	const kindRadio = (value, label, checked) =>
		h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'reg-kind', id: `reg-kind-${value}`, value, checked }), h('label', { for: `reg-kind-${value}` }, label));
	const kind = h(
		'fieldset',
		{ class: 'field choices-inline' },
		h('legend', null, t('auth.kind')),
		kindRadio('citizen', t('auth.kind_citizen'), true),
		kindRadio('enterprise', t('auth.kind_enterprise'), false),
	);
	const nameField = field({ id: 'reg-name', label: t('auth.name_citizen'), required: true, attrs: { autocomplete: 'name', maxlength: '100' } });
	const idField = field({ id: 'reg-id', label: t('auth.id_number'), hint: t('auth.id_hint'), required: true, attrs: { autocomplete: 'off', maxlength: '18', autocapitalize: 'characters', spellcheck: 'false' } });
	const form = h(
		'form',
		{ class: 'card form narrow', novalidate: true },
		kind,
		nameField,
		idField,
		field({ id: 'reg-phone', label: t('auth.phone'), type: 'tel', hint: t('auth.phone_hint'), required: true, attrs: { autocomplete: 'tel', inputmode: 'numeric', maxlength: '11' } }),
		field({ id: 'reg-password', label: t('auth.password'), type: 'password', hint: t('auth.password_hint'), required: true, attrs: { autocomplete: 'new-password' } }),
		field({ id: 'reg-password2', label: t('auth.password2'), type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
		h('div', { class: 'btn-row' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'reg-submit' }, t('auth.register'))),
		h('p', { class: 'muted' }, t('auth.have_account'), ' ', h('a', { href: next ? `#/login?next=${encodeURIComponent(next)}` : '#/login' }, t('auth.login_here'))),
	);
	const setKind = () => {
		const ent = form.querySelector('#reg-kind-enterprise').checked;
		nameField.querySelector('label').firstChild.textContent = ent ? t('auth.name_enterprise') : t('auth.name_citizen');
		idField.querySelector('label').firstChild.textContent = ent ? t('auth.credit_code') : t('auth.id_number');
		idField.querySelector('.hint').textContent = ent ? t('auth.credit_hint') : t('auth.id_hint');
		form.querySelector('#reg-name').setAttribute('autocomplete', ent ? 'organization' : 'name');
	};
	for (const r of form.querySelectorAll('input[name="reg-kind"]')) r.addEventListener('change', setKind);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearErrors(form);
		const ent = form.querySelector('#reg-kind-enterprise').checked;
		const v = (id) => form.querySelector(`#${id}`).value.trim();
		const body = { kind: ent ? 'enterprise' : 'citizen', name: v('reg-name'), phone: v('reg-phone'), password: form.querySelector('#reg-password').value };
		body[ent ? 'credit_code' : 'id_number'] = v('reg-id').toUpperCase();
		if (body.password !== form.querySelector('#reg-password2').value) {
			setFieldError(form, 'reg-password2', t('auth.password_mismatch')).focus();
			return;
		}
		await busy(form.querySelector('#reg-submit'), async () => {
			try {
				await api('POST', '/auth/register', body, { noAuthRedirect: true });
			} catch (err) {
				showErrors(form, err, (f) => ({ kind: 'reg-kind-citizen', name: 'reg-name', id_number: 'reg-id', credit_code: 'reg-id', phone: 'reg-phone', password: 'reg-password' })[f] || null);
				return;
			}
			try {
				const u = await signIn(body[ent ? 'credit_code' : 'id_number'], body.password);
				flash(tx('auth.registered', { name: u.name }));
				go(next || homeOf(u));
			} catch {
				flash(t('auth.registered_login'));
				go('#/login');
			}
		});
	});
	const title = t('auth.register_title');
	return { title, node: h('div', { class: 'auth' }, pageHead(title, { sub: t('auth.register_sub') }), form) };
}

export async function render({ view, query }) {
	return view === 'register' ? registerView(query) : loginView(query);
}

