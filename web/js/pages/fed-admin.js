// fed-admin.js - 联邦节点运行 (#/admin/federation, system administrators):
// this node's federation identity (or, before `node init`, how to join),
// the hub's signed register of nodes as cached here with its validity, and
// the durable outbox (counts by status and the latest messages with their
// attempts, next try and last error). Data: GET /fed/nodes (self) and
// GET /fed/status (registry and outbox), see docs/federation.md.

import { h, data, hasCJK } from '../dom.js';
import { t, tOr, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { field, pageHead, dl, empty, problemText, announce, busy } from '../ui.js';
import { go } from '../app.js';

const STATUSES = ['pending', 'delivered', 'failed'];
const STATUS_TONE = { pending: 'warn', delivered: 'ok', failed: 'bad' };
const LIMIT = 50;
const HUB = '000000';

/** Unix seconds as the API writes times (China time, +08:00), for fmtDateTime. */
function chinaTime(sec) {
	if (sec === null || sec === undefined) return null;
	const d = new Date((Number(sec) + 8 * 3600) * 1000);
	return `${d.toISOString().slice(0, 19)}+08:00`;
}

function timeEl(iso) {
	return iso ? h('time', { datetime: iso }, fmtDateTime(iso)) : null;
}

/* A short piece that must not wrap (a region code, a column heading). */
const nowrap = (text, cls = '') => h('span', { class: `change ${cls}`.trim() }, text);

/** "广东省" over "440000" (the name is data) from a region code and the known nodes. */
function regionView(code, names) {
	if (!code) return null;
	const name = names.get(code);
	return h('span', null, name ? data(name) : null, name ? h('br') : null, nowrap(code, 'case-no'));
}

/* Text that may wrap between words but not inside one (the page wraps
 * anywhere, which squeezes a short label in a table next to a long error). */
const words = (text) => String(text).split(/(\s+)/).map((w) => (/^\s+$/.test(w) ? w : nowrap(w)));

/* A table cell. On phones a cell is a grid of its label and its content, so
 * the content goes into one element (else each piece takes a grid cell). */
const cell = (attrs, ...children) => h('td', attrs, h('div', null, ...children));

const headRow = (cols) => h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, nowrap(c)))));

/* ---- this node ---- */

function selfSection(self, names) {
	if (!self) {
		const steps = ['init', 'key', 'hub', 'sync'];
		return h(
			'section',
			{ class: 'card card-attention', id: 'fedadm-self', 'aria-labelledby': 'fedadm-self-title', dataset: { federated: 'no' } },
			h('h2', { id: 'fedadm-self-title' }, t('fedadm.join_title')),
			h('p', null, t('fedadm.join_text')),
			h(
				'ol',
				{ class: 'steps', id: 'fedadm-join' },
				steps.map((s) => h('li', null, h('p', { class: 'fedadm-step' }, t(`fedadm.join_step_${s}`)), h('p', null, h('code', { translate: 'no' }, t(`fedadm.join_cmd_${s}`))))),
			),
			h('p', { class: 'muted' }, t('fedadm.join_more')),
		);
	}
	const parent = self.parent_region
		? h('span', null, names.get(self.parent_region) ? data(names.get(self.parent_region)) : null, ' ', nowrap(t('fedadm.code', { code: self.parent_region }), 'case-no'))
		: t('fedadm.self_hub');
	return h(
		'section',
		{ class: 'card', id: 'fedadm-self', 'aria-labelledby': 'fedadm-self-title', dataset: { federated: 'yes', region: self.region } },
		h('h2', { id: 'fedadm-self-title' }, t('fedadm.self_title')),
		dl([
			[t('fedadm.self_name'), data(self.name)],
			[t('fedadm.self_region'), h('span', null, data(self.region_name), ' ', nowrap(t('fedadm.code', { code: self.region }), 'case-no'))],
			[t('fedadm.self_parent'), parent],
		]),
	);
}

/* ---- the register of nodes ---- */

function nodesTable(nodes, self, names) {
	if (!nodes.length) return empty(t('fedadm.no_nodes'));
	const cols = [t('fedadm.col_region'), t('fedadm.col_name'), t('fedadm.col_url'), t('fedadm.col_parent'), t('fedadm.col_status'), t('fedadm.col_source')];
	const row = (n) => {
		const mine = self && n.region === self.region;
		return h(
			'tr',
			{ dataset: { region: n.region, status: n.status, source: n.source } },
			cell({ 'data-label': cols[0] }, data(n.region_name), h('br'), nowrap(n.region, 'case-no'), mine ? h('span', null, ' ', h('span', { class: 'badge tone-info' }, t('fedadm.this_node'))) : null),
			cell({ 'data-label': cols[1] }, data(n.name), h('br'), h('span', { class: 'case-no' }, t('fedadm.key_id', { id: n.key_id }))),
			cell({ 'data-label': cols[2] }, n.url ? h('code', { translate: 'no' }, n.url) : h('span', { class: 'muted' }, t('fedadm.no_url'))),
			cell({ 'data-label': cols[3] }, n.parent_region ? regionView(n.parent_region, names) : h('span', { class: 'muted' }, t('fedadm.no_parent'))),
			cell({ 'data-label': cols[4] }, h('span', { class: `badge ${n.status === 'active' ? 'tone-ok' : 'tone-muted'}` }, tOr(`fedadm.node.${n.status}`, n.status))),
			cell({ 'data-label': cols[5] }, tOr(`fedadm.source.${n.source}`, n.source)),
		);
	};
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack', id: 'fedadm-nodes' },
			h('caption', { class: 'visually-hidden' }, t('fedadm.nodes_caption', { n: nodes.length })),
			headRow(cols),
			h('tbody', null, nodes.map(row)),
		),
	);
}

function registrySection(reg, self, names) {
	const rows = [];
	let note = null;
	if (reg.issued_at !== null && reg.issued_at !== undefined) {
		rows.push([t('fedadm.issued'), timeEl(chinaTime(reg.issued_at))]);
		const until = chinaTime(reg.expires_at);
		rows.push([
			t('fedadm.valid_until'),
			until
				? h('span', { class: reg.expired ? 'error-text' : undefined, id: 'fedadm-valid-until' }, timeEl(until), ' ', h('span', { class: `badge ${reg.expired ? 'tone-bad' : 'tone-ok'}` }, t(reg.expired ? 'fedadm.expired_badge' : 'fedadm.valid_badge')))
				: null,
		]);
		if (reg.expired) note = h('p', { class: 'error-text', id: 'fedadm-expired', role: 'alert' }, h('strong', null, t('fedadm.expired')));
	} else if (self && self.region === HUB) note = h('p', { class: 'muted', id: 'fedadm-hub' }, t('fedadm.is_hub'));
	else if (self) note = h('p', { class: 'notice', id: 'fedadm-no-registry' }, t('fedadm.no_registry'));
	return h(
		'section',
		{ class: 'card', id: 'fedadm-registry', 'aria-labelledby': 'fedadm-registry-title', dataset: { expired: reg.expired ? 'yes' : 'no' } },
		h('h2', { id: 'fedadm-registry-title' }, t('fedadm.registry_title')),
		h('p', { class: 'muted' }, t('fedadm.registry_intro')),
		rows.length ? dl(rows) : null,
		note,
		h('div', { class: 'tips' }, h('h3', { id: 'fedadm-nodes-title' }, t('fedadm.nodes_caption', { n: (reg.nodes || []).length })), nodesTable(reg.nodes || [], self, names)),
	);
}

/* ---- the outbox ---- */

function countsView(counts) {
	const c = counts || {};
	return h(
		'dl',
		{ class: 'stats', id: 'fedadm-counts', 'aria-label': t('fedadm.counts_label') },
		STATUSES.map((s) =>
			h(
				'div',
				{ class: 'stat', dataset: { status: s } },
				h('dt', null, t(`fedadm.count.${s}`), h('br'), h('span', { class: 'sub-num' }, t(`fedadm.count_hint.${s}`))),
				h('dd', { class: s === 'failed' && Number(c[s]) > 0 ? 'error-text' : undefined }, h('span', { class: 'fedadm-n' }, String(c[s] ?? 0))),
			),
		),
	);
}

function errorText(s) {
	/* the sender's own error (curl, the receiver's problem): English unless it has Chinese */
	return h('span', { class: 'error-text fedadm-error', lang: hasCJK(s) ? 'zh-CN' : 'en' }, s);
}

function messagesTable(items, status, names) {
	const statusWord = status ? t(`fedadm.msg.${status}`) : '';
	if (!items.length) return empty(status ? t('fedadm.no_msgs_status', { status: statusWord }) : t('fedadm.no_msgs'));
	const cols = [t('fedadm.col_type'), t('fedadm.col_recipient'), t('fedadm.col_msg_status'), t('fedadm.col_attempts'), t('fedadm.col_next'), t('fedadm.col_error')];
	const none = (text) => h('span', { class: 'muted' }, text);
	const row = (m) =>
		h(
			'tr',
			{ class: m.status === 'pending' && m.attempts > 0 ? 'req-pending' : undefined, dataset: { id: m.message_id, type: m.type, status: m.status, recipient: m.recipient } },
			cell({ 'data-label': cols[0] }, h('span', { class: 'fedadm-type' }, words(tOr(`fedadm.type.${m.type}`, m.type))), ' ', h('code', { class: 'tag-code', translate: 'no' }, m.type), h('br'), h('span', { class: 'case-no fedadm-created' }, t('fedadm.created', { at: fmtDateTime(m.created_at) }))),
			cell({ 'data-label': cols[1] }, regionView(m.recipient, names)),
			cell(
				{ 'data-label': cols[2] },
				h('span', { class: `badge fedadm-status tone-${STATUS_TONE[m.status] || 'info'}` }, tOr(`fedadm.msg.${m.status}`, m.status)),
				m.delivered_at ? [h('br'), h('span', { class: 'case-no' }, t('fedadm.delivered_at', { at: fmtDateTime(m.delivered_at) }))] : null,
			),
			cell({ 'data-label': cols[3], class: 'num fedadm-attempts' }, String(m.attempts ?? 0)),
			cell({ 'data-label': cols[4] }, m.status === 'pending' ? timeEl(m.next_at) : none(t('fedadm.no_next'))),
			cell({ 'data-label': cols[5] }, m.last_error ? errorText(m.last_error) : none(t('fedadm.no_error'))),
		);
	const caption = status ? t('fedadm.msgs_caption_status', { status: statusWord, n: items.length }) : t('fedadm.msgs_caption', { n: items.length });
	return h(
		'div',
		{ class: 'table-wrap' },
		h(
			'table',
			{ class: 'table stack', id: 'fedadm-outbox' },
			h('caption', { class: 'visually-hidden' }, caption),
			headRow(cols),
			h('tbody', null, items.map(row)),
		),
	);
}

function outboxSection(outbox, status, names) {
	const filter = h(
		'form',
		{ class: 'filter-bar', novalidate: true, 'aria-label': t('fedadm.filter'), id: 'fedadm-filter' },
		field({ id: 'fedadm-status', label: t('fedadm.filter_status'), kind: 'select', value: status, options: [['', t('fedadm.filter_all')], ...STATUSES.map((s) => [s, t(`fedadm.msg.${s}`)])] }),
		h('div', { class: 'filter-submit' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('cases.apply_filters'))),
	);
	filter.addEventListener('submit', (e) => {
		e.preventDefault();
		const s = filter.querySelector('#fedadm-status').value;
		go(`#/admin/federation${s ? `?status=${s}` : ''}`);
	});
	const items = outbox.items || [];
	const statusWord = status ? t(`fedadm.msg.${status}`) : '';
	return h(
		'section',
		{ class: 'card', id: 'fedadm-outbox-section', 'aria-labelledby': 'fedadm-outbox-title' },
		h('h2', { id: 'fedadm-outbox-title' }, t('fedadm.outbox_title')),
		h('p', { class: 'muted' }, t('fedadm.outbox_intro')),
		countsView(outbox.counts),
		filter,
		h('h3', { id: 'fedadm-msgs-title' }, status ? t('fedadm.msgs_caption_status', { status: statusWord, n: items.length }) : t('fedadm.msgs_caption', { n: items.length })),
		messagesTable(items, status, names),
	);
}

/* ---- the page ---- */

async function load(status) {
	const [nodes, st] = await Promise.all([api('GET', '/fed/nodes'), api('GET', '/fed/status', null, { query: { status, limit: LIMIT } })]);
	return { self: nodes.self || null, st };
}

function nowChina() {
	return chinaTime(Math.floor(Date.now() / 1000));
}

function content({ self, st }, status) {
	const reg = st.registry || { nodes: [] };
	const names = new Map((reg.nodes || []).map((n) => [n.region, n.region_name]));
	if (self && self.region_name) names.set(self.region, self.region_name);
	return [
		selfSection(self, names),
		registrySection(reg, self, names),
		outboxSection(st.outbox || { counts: {}, items: [] }, status, names),
	];
}

export async function render({ query }) {
	const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
	const title = t('fedadm.title');
	const body = h('div', { id: 'fedadm-body', dataset: { version: '1' } });
	const refresh = h('button', { type: 'button', class: 'btn btn-secondary', id: 'fedadm-refresh' }, t('fedadm.refresh'));
	const updated = h('span', { class: 'muted', id: 'fedadm-updated' });
	const stamp = () => updated.replaceChildren(t('fedadm.updated_at', { at: fmtDateTime(nowChina()) }));
	try {
		body.append(...content(await load(status), status));
		stamp();
	} catch (e) {
		body.append(h('p', { class: 'error-text', role: 'alert', id: 'fedadm-error' }, problemText(e)));
	}
	refresh.addEventListener('click', () =>
		busy(refresh, async () => {
			body.setAttribute('aria-busy', 'true');
			try {
				const d = await load(status);
				body.replaceChildren(...content(d, status));
				stamp();
				announce(t('fedadm.refreshed', { at: fmtDateTime(nowChina()) }), 'info');
			} catch (e) {
				announce(problemText(e), 'error');
			} finally {
				body.removeAttribute('aria-busy');
				body.dataset.version = String(Number(body.dataset.version) + 1);
			}
		}),
	);
	const toolbar = h('div', { class: 'btn-row lic-actions', id: 'fedadm-toolbar' }, refresh, updated);
	const node = h('div', { class: 'fed-admin' }, pageHead(title, { sub: t('fedadm.sub') }), toolbar, body);
	return { title, node };
}
