// fed-share-ui.js - small pieces of the cross-node sharing pages
// (fed-share.js, fed-share-incoming.js) that requests.js and access.js use
// too: the "跨省 · 广东省" mark of another node's department, the state
// badges, this node's identity and the sub-tabs.

import { h, data } from '../dom.js';
import { t, tOr } from '../i18n.js';
import { api } from '../api.js';
import { isDataOfficer } from '../sharing.js';

let nodes = null;

/** This node and the nodes it knows: {self: {region, ...}, nodes: [...]}. */
export function fedNodes() {
	if (!nodes) {
		nodes = api('GET', '/fed/nodes').catch((e) => {
			nodes = null;
			throw e;
		});
	}
	return nodes;
}

/** "跨省 · 广东省" (another province), "下级节点 · 贵阳市" (a region below this
 * node) or "跨节点 · …", from the other side's region {code, name}. */
export function remoteMark(region, selfRegion) {
	if (!region) return null;
	const name = region.name || region.code;
	let key = 'xs.mark_node';
	if (selfRegion && region.code && region.code.slice(0, 2) !== selfRegion.slice(0, 2)) key = 'xs.mark_cross';
	else if (selfRegion && region.code && region.code !== selfRegion) key = 'xs.mark_lower';
	return h('span', { class: 'tag tag-remote xs-mark' }, t(key, { region: name }));
}

const STATE_TONE = { pending: 'warn', granted: 'ok', approved: 'ok', refused: 'bad', revoked: 'bad' };

/** The consumer's state of a cross-node request (pending, granted, ...). */
export const stateBadge = (s) => h('span', { class: `badge tone-${STATE_TONE[s] || 'info'}` }, tOr(`xs.state.${s}`, s));
/** The provider's status (pending, approved, refused, revoked). */
export const statusBadge = (s) => h('span', { class: `badge tone-${STATE_TONE[s] || 'info'}` }, tOr(`xs.status.${s}`, s));
export const kindLabel = (k) => tOr(`xs.kind.${k}`, k);
export const reasonText = (r) => (r ? tOr(`xs.reason.${r}`, null) || r : null);

/** The sub-tabs of the cross-node pages. */
export function fedTabs(current) {
	const tabs = [
		['requests', '#/data/fed'],
		['subscriptions', '#/data/fed/subscriptions'],
	];
	if (isDataOfficer()) tabs.push(['incoming', '#/data/fed/incoming'], ['access', '#/data/fed/access']);
	return h(
		'nav',
		{ class: 'tabs sub-tabs', 'aria-label': t('xs.tabs') },
		h('ul', null, tabs.map(([k, href]) => h('li', null, h('a', { href, 'aria-current': k === current ? 'page' : undefined }, t(`xs.tab.${k}`))))),
	);
}

/** A row's values as a small definition table. */
export function rowTable(row, caption) {
	const entries = Object.entries(row || {});
	return h(
		'table',
		{ class: 'table stack xs-row' },
		h('caption', { class: 'visually-hidden' }, caption),
		h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('res.f_label')), h('th', { scope: 'col' }, t('ex.value')))),
		h('tbody', null, entries.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, h('code', null, k)), h('td', { 'data-label': k }, v === null ? h('span', { class: 'muted' }, t('common.none')) : data(String(v)))))),
	);
}
