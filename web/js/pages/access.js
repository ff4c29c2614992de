// access.js - who read data and why. For a citizen or an enterprise: every
// access to data about them (我的数据使用记录: when, which department, who,
// which resource, for what purpose). For a data officer: the department's
// access records as consumer or as provider.

import { h, data } from '../dom.js';
import { t, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { pageHead, pager, empty, problemText } from '../ui.js';
import { deptNames } from '../catalog.js';
import { currentUser } from '../app.js';
import { deptText, resourceName, dataTabs } from '../sharing.js';
import { remoteMark, fedNodes } from './fed-share-ui.js';

/** "数据专员 冯超" or "system: 社保核验系统" -> a readable actor. */
function byText(by) {
	if (!by) return h('span', { class: 'muted' }, t('common.none'));
	const s = typeof by === 'object' ? by.name || '' : String(by);
	const m = /^system:\s*(.*)$/.exec(s);
	if (m || (typeof by === 'object' && by.kind === 'system')) return h('span', null, h('span', { class: 'tag tag-info' }, t('access.system')), ' ', data(m ? m[1] : s));
	return data(s);
}

function purposeText(p) {
	return data(p || '', 'span', { class: 'prose' });
}

async function mine() {
	const u = currentUser();
	const names = await deptNames();
	/* this node's region, to mark reads by other provinces' departments */
	const self = await fedNodes().then((n) => (n.self ? n.self.region : '')).catch(() => '');
	const tbody = h('tbody');
	const row = (a) =>
		h(
			'tr',
			null,
			h('td', { 'data-label': t('access.at') }, h('time', { datetime: a.at }, fmtDateTime(a.at))),
			h('td', { 'data-label': t('access.dept') }, a.remote ? remoteMark(a.consumer.region, self) : null, a.remote ? ' ' : null, data(deptText(a.consumer, names))),
			h('td', { 'data-label': t('access.by') }, byText(a.by)),
			h('td', { 'data-label': t('access.resource') }, data(resourceName(a.resource)), a.resource && a.resource.code ? h('span', { class: 'case-no' }, ` ${a.resource.code}`) : null),
			h('td', { 'data-label': t('access.purpose') }, purposeText(a.purpose)),
		);
	const load = (cursor) => api('GET', '/me/data-access', null, { query: { limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((a) => tbody.append(row(a))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((a) => tbody.append(row(a)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, h('table', { class: 'table stack access-table' }, h('caption', { class: 'visually-hidden' }, t('access.caption')), h('thead', null, h('tr', null, [t('access.at'), t('access.dept'), t('access.by'), t('access.resource'), t('access.purpose')].map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el)
			: empty(t('access.none'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('access.title');
	return {
		title,
		node: h(
			'div',
			{ class: 'data-access' },
			pageHead(title, { sub: t(u.kind === 'enterprise' ? 'access.sub_enterprise' : 'access.sub_citizen') }),
			h('div', { class: 'card info-card' }, h('p', null, t('access.explain')), h('p', { class: 'hint' }, t('access.explain2'))),
			body,
		),
	};
}

const SIDES = ['consumer', 'provider'];

async function department(query) {
	const side = SIDES.includes(query.get('side')) ? query.get('side') : 'consumer';
	const names = await deptNames();
	const tabs = h('nav', { class: 'tabs sub-tabs', 'aria-label': t('grant.sides') }, h('ul', null, SIDES.map((s) => h('li', null, h('a', { href: `#/data/access?side=${s}`, 'aria-current': s === side ? 'page' : undefined }, t(`access.side.${s}`))))));
	const tbody = h('tbody');
	const row = (a) =>
		h(
			'tr',
			null,
			h('td', { 'data-label': t('access.at') }, fmtDateTime(a.at)),
			h('td', { 'data-label': t('access.dept') }, data(deptText(a.consumer, names))),
			h('td', { 'data-label': t('access.by') }, byText(a.by)),
			h('td', { 'data-label': t('access.resource') }, data(resourceName(a.resource)), a.grant ? h('span', { class: 'case-no' }, ` · ${t('grant.no', { id: typeof a.grant === 'object' ? a.grant.id : a.grant })}`) : null),
			h('td', { 'data-label': t('access.purpose') }, purposeText(a.purpose)),
			h('td', { 'data-label': t('access.rows') }, String(a.rows ?? '')),
		);
	const load = (cursor) => api('GET', '/access-records', null, { query: { side, limit: 20, cursor } });
	const more = pager(load, (items) => items.forEach((a) => tbody.append(row(a))));
	let body;
	try {
		const r = await load(null);
		r.items.forEach((a) => tbody.append(row(a)));
		more.setNext(r.next);
		body = r.items.length
			? h('div', null, h('table', { class: 'table stack access-table' }, h('caption', { class: 'visually-hidden' }, t(`access.side.${side}`)), h('thead', null, h('tr', null, [t('access.at'), t('access.dept'), t('access.by'), t('access.resource'), t('access.purpose'), t('access.rows')].map((c) => h('th', { scope: 'col' }, c)))), tbody), more.el)
			: empty(t('access.none_dept'));
	} catch (e) {
		body = h('p', { class: 'error-text', role: 'alert' }, problemText(e));
	}
	const title = t('access.dept_title');
	return { title, node: h('div', { class: 'data-access' }, pageHead(title, { sub: t(`access.sub_${side}`) }), dataTabs('access'), tabs, body) };
}

export async function render({ view, query }) {
	return view === 'dept' ? department(query) : mine();
}
