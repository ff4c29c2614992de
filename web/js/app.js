// app.js - the shell: a small hash router (#/path?query), the header with the
// language switch and the navigation for the signed-in role, and page
// rendering with focus moved to each new page's heading.

import { h } from './dom.js';
import { t, getLang, setLang, htmlLang } from './i18n.js';
import { api, session, setUnauthorizedHandler } from './api.js';
import { announce, clearAnnouncement, flash, takeFlash, pageHead, problemText, linkButton } from './ui.js';
import * as home from './pages/home.js';
import * as guide from './pages/guide.js';
import * as auth from './pages/auth.js';
import * as apply from './pages/apply.js';
import * as cases from './pages/cases.js';
import * as casePage from './pages/case.js';
import * as items from './pages/items.js';
import * as supervision from './pages/supervision.js';
import * as resources from './pages/resources.js';
import * as shareRequest from './pages/share-request.js';
import * as requests from './pages/requests.js';
import * as grants from './pages/grants.js';
import * as apikeys from './pages/apikeys.js';
import * as access from './pages/access.js';
import * as licenses from './pages/licenses.js';
import * as verify from './pages/verify.js';
import * as evaluation from './pages/evaluation.js';
import * as quality from './pages/quality.js';
import * as complaints from './pages/complaints.js';
import * as fedCatalog from './pages/fed-catalog.js';
import * as fedCatalogGuide from './pages/fed-catalog-guide.js';
import * as fedCases from './pages/fed-cases.js';
import * as fedShare from './pages/fed-share.js';
import * as fedShareIn from './pages/fed-share-incoming.js';
import * as fedAdmin from './pages/fed-admin.js';
import * as opendata from './pages/opendata.js';
import * as opendataDataset from './pages/opendata-dataset.js';
import * as opendataPublish from './pages/opendata-publish.js';
import * as devkeys from './pages/devkeys.js';

/* ---- who is signed in ---- */

export function currentUser() {
	return session.token() ? session.user() : null;
}

export function isApplicant(u = currentUser()) {
	return !!u && (u.kind === 'citizen' || u.kind === 'enterprise');
}

export function hasRole(role, u = currentUser()) {
	return !!u && u.kind === 'official' && Array.isArray(u.roles) && u.roles.includes(role);
}

export function caseReader(u = currentUser()) {
	return ['clerk', 'reviewer', 'dept_admin', 'supervisor'].some((r) => hasRole(r, u));
}

export function itemAdmin(u = currentUser()) {
	return hasRole('dept_admin', u) || hasRole('sysadmin', u);
}

export function isOfficial(u = currentUser()) {
	return !!u && u.kind === 'official';
}

export function keyManager(u = currentUser()) {
	return hasRole('data_officer', u) || hasRole('dept_admin', u);
}

/** Where a user starts after signing in. */
export function homeOf(u = currentUser()) {
	if (!u) return '#/';
	if (isApplicant(u)) return '#/cases';
	if (caseReader(u) && (hasRole('clerk', u) || hasRole('reviewer', u))) return '#/work';
	if (itemAdmin(u)) return '#/admin/items';
	if (hasRole('supervisor', u)) return '#/supervision';
	if (hasRole('data_officer', u)) return '#/data/requests';
	if (isOfficial(u)) return '#/data/resources';
	return '#/';
}

/* ---- routes ---- */

const ALL = () => true;
const routes = [
	{ path: '/', page: home, allow: ALL },
	{ path: '/services/:id', page: guide, allow: ALL },
	{ path: '/services/:id/apply', page: apply, allow: isApplicant, login: true },
	{ path: '/login', page: auth, view: 'login', allow: ALL },
	{ path: '/register', page: auth, view: 'register', allow: ALL },
	{ path: '/cases', page: cases, view: 'mine', allow: isApplicant, login: true },
	{ path: '/cases/:id', page: casePage, allow: (u) => isApplicant(u) || caseReader(u), login: true },
	{ path: '/work', page: cases, view: 'inbox', allow: caseReader, login: true },
	{ path: '/admin/items', page: items, view: 'list', allow: itemAdmin, login: true },
	{ path: '/admin/items/new', page: items, view: 'edit', allow: itemAdmin, login: true },
	{ path: '/admin/items/:id', page: items, view: 'edit', allow: itemAdmin, login: true },
	{ path: '/admin/federation', page: fedAdmin, allow: (u) => hasRole('sysadmin', u), login: true },
	{ path: '/supervision', page: supervision, allow: (u) => hasRole('supervisor', u), login: true },
	{ path: '/data/resources', page: resources, view: 'list', allow: isOfficial, login: true },
	{ path: '/data/resources/new', page: resources, view: 'new', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/resources/:id', page: resources, view: 'detail', allow: isOfficial, login: true },
	{ path: '/data/resources/:id/request', page: shareRequest, allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/requests', page: requests, view: 'list', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/requests/:id', page: requests, view: 'detail', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/grants', page: grants, view: 'list', allow: isOfficial, login: true },
	{ path: '/data/grants/:id', page: grants, view: 'detail', allow: isOfficial, login: true },
	{ path: '/data/exchange', page: grants, view: 'exchange', allow: isOfficial, login: true },
	{ path: '/data/api-keys', page: apikeys, allow: keyManager, login: true },
	{ path: '/data/access', page: access, view: 'dept', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/me/data-access', page: access, view: 'mine', allow: isApplicant, login: true },
	{ path: '/data/fed', page: fedShare, view: 'list', allow: isOfficial, login: true },
	{ path: '/data/fed/new', page: fedShare, view: 'new', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/fed/requests/:id', page: fedShare, view: 'detail', allow: isOfficial, login: true },
	{ path: '/data/fed/subscriptions', page: fedShare, view: 'subs', allow: isOfficial, login: true },
	{ path: '/data/fed/subscriptions/new', page: fedShare, view: 'sub_new', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/fed/subscriptions/:id', page: fedShare, view: 'sub', allow: isOfficial, login: true },
	{ path: '/data/fed/incoming', page: fedShareIn, view: 'list', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/fed/incoming/:id', page: fedShareIn, view: 'detail', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/data/fed/access', page: fedShareIn, view: 'access', allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/licenses', page: licenses, view: 'wallet', allow: (u) => isApplicant(u) || isOfficial(u), login: true },
	{ path: '/licenses/:identifier', page: licenses, view: 'detail', allow: (u) => isApplicant(u) || isOfficial(u), login: true },
	{ path: '/licenses/:identifier/print', page: licenses, view: 'print', allow: (u) => isApplicant(u) || isOfficial(u), login: true },
	{ path: '/verify', page: verify, allow: ALL },
	{ path: '/evaluation', page: evaluation, view: 'dashboard', allow: ALL },
	{ path: '/evaluation/regions/:code', page: evaluation, view: 'region', allow: ALL },
	{ path: '/quality', page: quality, allow: ALL },
	{ path: '/complaints', page: complaints, view: 'list', allow: ALL },
	{ path: '/complaints/new', page: complaints, view: 'new', allow: ALL },
	{ path: '/national', page: fedCatalog, allow: ALL },
	{ path: '/fed/services/:code/:fedcode', page: fedCatalogGuide, allow: ALL },
	{ path: '/fed/apply', page: fedCases, view: 'start', allow: isApplicant, login: true },
	{ path: '/fed/apply/:code/:fedcode', page: fedCases, view: 'apply', allow: isApplicant, login: true },
	{ path: '/fed/cases/:id', page: fedCases, view: 'detail', allow: (u) => isApplicant(u) || caseReader(u), login: true },
	{ path: '/fed/proxy', page: fedCases, view: 'proxy', allow: caseReader, login: true },
	{ path: '/fed/proxy/new', page: fedCases, view: 'proxy_new', allow: (u) => hasRole('clerk', u), login: true },
	/* 数据开放平台 (issue 8) */
	{ path: '/open', page: opendata, allow: ALL },
	{ path: '/open/publish', page: opendataPublish, allow: (u) => hasRole('data_officer', u), login: true },
	{ path: '/open/:id', page: opendataDataset, allow: ALL },
	{ path: '/me/api-keys', page: devkeys, allow: (u) => !!u, login: true },
];

/* Route parameters are numbers, except a license identifier (GB/T 36904:
 * digits, capital letters and dots). */
const PARAM_RE = { identifier: /^[0-9A-Za-z.]{10,80}$/, code: /^\d{6}$/, fedcode: /^[0-9A-Za-z._-]{1,40}$/ };

function parseHash() {
	let raw = location.hash.replace(/^#/, '');
	if (!raw.startsWith('/')) raw = '/';
	const qi = raw.indexOf('?');
	const path = qi >= 0 ? raw.slice(0, qi) : raw;
	const query = new URLSearchParams(qi >= 0 ? raw.slice(qi + 1) : '');
	return { path: path.replace(/\/+$/, '') || '/', query, raw };
}

function match(path) {
	const segs = path.split('/').filter(Boolean);
	for (const r of routes) {
		const rs = r.path.split('/').filter(Boolean);
		if (rs.length !== segs.length) continue;
		const params = {};
		let ok = true;
		for (let i = 0; i < rs.length && ok; i++) {
			if (rs[i].startsWith(':')) {
				const name = rs[i].slice(1);
				let seg = segs[i];
				try {
					seg = decodeURIComponent(seg);
				} catch {
					ok = false;
				}
				if (!ok || !(PARAM_RE[name] || /^\d+$/).test(seg)) ok = false;
				else params[name] = seg;
			} else if (rs[i] !== segs[i]) ok = false;
		}
		if (ok) return { route: r, params };
	}
	return null;
}

/** Navigates to a hash like '#/cases/3'. */
export function go(hash) {
	if (location.hash === hash) render();
	else location.hash = hash;
}

/* ---- the header ---- */

function navLink(href, text, current) {
	return h('li', null, h('a', { href, 'aria-current': current ? 'page' : undefined }, text));
}

function renderHeader(path) {
	const u = currentUser();
	document.getElementById('brand-tag').textContent = t('app.tagline');
	document.getElementById('skip-link').textContent = t('app.skip');
	const sw = document.getElementById('lang-switch');
	const other = getLang() === 'en' ? 'zh' : 'en';
	sw.textContent = other === 'en' ? 'English' : '中文';
	sw.setAttribute('lang', other === 'en' ? 'en' : 'zh-CN');
	sw.setAttribute('aria-label', other === 'en' ? 'Switch to English' : '切换到中文');
	const nav = document.getElementById('site-nav');
	nav.setAttribute('aria-label', t('nav.label'));
	const at = (p) => path === p || path.startsWith(`${p}/`);
	const list = h('ul', { class: 'nav-list' });
	list.append(navLink('#/', t('nav.hall'), path === '/' || at('/services')));
	list.append(navLink('#/national', t('fedcat.nav'), at('/national') || at('/fed/services')));
	list.append(navLink('#/open', t('od.nav'), at('/open') || at('/me/api-keys')));
	const publicLinks = () => {
		list.append(navLink('#/evaluation', t('nav.evaluation'), at('/evaluation') || at('/quality')));
		list.append(navLink('#/complaints/new', t('nav.complaint'), at('/complaints')));
	};
	if (!u) {
		publicLinks();
		list.append(navLink('#/verify', t('nav.verify'), at('/verify')));
		list.append(navLink('#/login', t('nav.login'), at('/login')));
		list.append(navLink('#/register', t('nav.register'), at('/register')));
	} else {
		if (isApplicant(u)) list.append(navLink('#/cases', t('nav.my_cases'), at('/cases')));
		if (caseReader(u)) list.append(navLink('#/work', t('nav.inbox'), at('/work') || at('/cases')));
		if (hasRole('clerk', u)) list.append(navLink('#/fed/proxy', t('xcase.nav_proxy'), at('/fed/proxy') || (at('/fed/cases') && !isApplicant(u))));
		if (itemAdmin(u)) list.append(navLink('#/admin/items', t('nav.items'), at('/admin') && !at('/admin/federation')));
		if (hasRole('sysadmin', u)) list.append(navLink('#/admin/federation', t('fedadm.nav'), at('/admin/federation')));
		if (hasRole('supervisor', u)) list.append(navLink('#/supervision', t('nav.supervision'), at('/supervision')));
		if (isOfficial(u)) list.append(navLink('#/data/resources', t('nav.data'), at('/data')));
		if (isApplicant(u)) {
			list.append(navLink('#/licenses', t('nav.licenses'), at('/licenses')));
			list.append(navLink('#/me/data-access', t('nav.data_access'), at('/me/data-access')));
		}
		publicLinks();
		list.append(navLink('#/verify', t('nav.verify'), at('/verify')));
	}
	const userBox = u
		? h(
				'div',
				{ class: 'nav-user' },
				h('span', { class: 'user-name' }, h('span', { class: 'visually-hidden' }, t('nav.signed_in_as')), h('span', { lang: 'zh-CN' }, u.name)),
				h('button', { type: 'button', class: 'btn-link nav-logout', id: 'logout', onclick: logout }, t('nav.logout')),
			)
		: null;
	nav.replaceChildren(list, userBox || '');
	document.getElementById('site-footer').replaceChildren(h('p', null, t('app.footer')));
}

async function logout() {
	try {
		await api('POST', '/auth/logout', {}, { noAuthRedirect: true });
	} catch {
		/* the session ends here either way */
	}
	session.clear();
	flash(t('auth.logged_out'));
	go('#/');
}

/* ---- rendering ---- */

let seq = 0;
let rendered = 0;
let cleanup = [];

/** Registers fn to run when the page is left (e.g. revoke object URLs). */
export function onLeave(fn) {
	cleanup.push(fn);
}

/** Values typed in the current page, by control id (kept across a language switch). */
function typedValues() {
	const vals = new Map();
	for (const el of document.querySelectorAll('#main input, #main textarea, #main select')) {
		if (!el.id || el.type === 'file' || el.type === 'hidden') continue;
		vals.set(el.id, el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value);
	}
	return vals;
}

function restoreValues(vals) {
	for (const [id, v] of vals) {
		const el = document.getElementById(id);
		if (!el || el.closest('#main') === null) continue;
		if (el.type === 'checkbox' || el.type === 'radio') {
			if (el.checked !== v) {
				el.checked = v;
				/* let the page react as if the person had clicked it */
				el.dispatchEvent(new Event('change', { bubbles: true }));
			}
		}
		else if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === v)) continue;
		else el.value = v;
	}
}

export async function render({ keepValues = false } = {}) {
	const my = ++seq;
	const { path, query, raw } = parseHash();
	const main = document.getElementById('main');
	/* tests and assistive tools can tell when a page is complete */
	main.setAttribute('aria-busy', 'true');
	delete document.body.dataset.rendered;
	const vals = keepValues ? typedValues() : null;
	for (const fn of cleanup.splice(0)) {
		try {
			fn();
		} catch {
			/* ignore */
		}
	}
	renderHeader(path);
	const m = match(path);
	let node;
	let title;
	const slow = setTimeout(() => {
		if (my === seq) main.replaceChildren(h('p', { class: 'loading' }, t('common.loading')));
	}, 250);
	try {
		if (!m) {
			title = t('notfound.title');
			node = h('div', null, pageHead(title), h('p', null, t('notfound.text')), linkButton('#/', t('nav.hall')));
		} else {
			const u = currentUser();
			if (m.route.login && !u) {
				clearTimeout(slow);
				flash(t('auth.please_login'), 'info');
				location.replace(`#/login?next=${encodeURIComponent(`#${raw}`)}`);
				return;
			}
			if (!m.route.allow(u)) {
				title = t('denied.title');
				node = h('div', null, pageHead(title), h('p', null, t('denied.text')), linkButton(homeOf(u), t('common.back_home')));
			} else {
				const out = await m.route.page.render({ params: m.params, query, view: m.route.view, path });
				title = out.title;
				node = out.node;
			}
		}
	} catch (e) {
		title = t('error.title');
		node = h('div', null, pageHead(title), h('p', { class: 'error-text' }, problemText(e)), linkButton('#/', t('nav.hall'), 'btn btn-secondary'));
	}
	clearTimeout(slow);
	if (my !== seq) return;
	main.replaceChildren(node);
	main.removeAttribute('aria-busy');
	document.body.dataset.rendered = location.hash || '#/';
	document.title = `${title} - ${t('app.name')}`;
	if (vals) restoreValues(vals);
	const f = takeFlash();
	if (f) announce(f.msg, f.kind);
	else if (!keepValues) clearAnnouncement();
	if (!keepValues) {
		/* After in-app navigation, focus goes to the new page's heading (so a
		 * screen reader reads it); on the first load it stays at the top so
		 * that Tab reaches the skip link first. */
		const h1 = main.querySelector('h1');
		if (h1 && rendered > 0) h1.focus({ preventScroll: true });
		window.scrollTo(0, 0);
	}
	rendered += 1;
}

/* ---- start ---- */

async function refreshMe() {
	if (!session.token()) return;
	try {
		const me = await api('GET', '/me', null, { noAuthRedirect: true });
		session.setUser(me);
	} catch (e) {
		if (e.status === 401) session.clear();
	}
}

function start() {
	setLang(getLang());
	document.documentElement.lang = htmlLang();
	setUnauthorizedHandler(() => {
		session.clear();
		flash(t('auth.expired'), 'error');
		const { raw } = parseHash();
		location.replace(`#/login?next=${encodeURIComponent(`#${raw}`)}`);
	});
	document.getElementById('lang-switch').addEventListener('click', () => {
		setLang(getLang() === 'en' ? 'zh' : 'en');
		render({ keepValues: true }).then(() => announce(t('app.lang_switched'), 'info'));
	});
	document.getElementById('skip-link').addEventListener('click', (e) => {
		e.preventDefault();
		const h1 = document.querySelector('#main h1');
		(h1 || document.getElementById('main')).focus();
	});
	window.addEventListener('hashchange', () => render());
	refreshMe().then(() => render());
}

start();
