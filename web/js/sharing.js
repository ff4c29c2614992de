// sharing.js - the words and badges of data sharing (数据共享交换) and
// e-licenses (电子证照): sharing types, sensitivity, update cycles, request,
// grant and license statuses; the tabs shown on every data-sharing page;
// and small readers that tolerate both shapes the API may give (a nested
// {id, name} object or a flat name).

import { h, data } from './dom.js';
import { t, tOr, fmtDate, deptName, getLang } from './i18n.js';
import { timerBadge, deadlineText } from './ui.js';
import { hasRole, currentUser } from './app.js';

export const SHARE_TYPES = ['unconditional', 'conditional', 'none'];
export const SENSITIVITIES = ['public', 'internal', 'personal', 'sensitive'];
export const FIELD_TYPES = ['string', 'integer', 'number', 'date', 'boolean'];
export const MASKS = ['id_number', 'phone', 'name', 'credit_code', 'partial', 'full'];
export const SHARE_METHODS = ['api', 'file', 'both'];
export const OPEN_TYPES = ['open', 'conditional', 'closed'];
export const CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
export const REQUEST_STATUSES = ['pending', 'approved', 'refused'];
export const GRANT_STATUSES = ['active', 'revoked'];

const SHARE_TONE = { unconditional: 'ok', conditional: 'warn', none: 'bad' };
const SENS_TONE = { public: 'ok', internal: 'info', personal: 'warn', sensitive: 'bad' };
const REQ_TONE = { pending: 'warn', approved: 'ok', refused: 'bad' };
const GRANT_TONE = { active: 'ok', revoked: 'bad', expired: 'muted', not_started: 'info' };
const LIC_TONE = { valid: 'ok', revoked: 'bad', expired: 'warn', forged: 'bad' };

const badge = (tone, text) => h('span', { class: `badge tone-${tone}` }, text);

export const shareTypeLabel = (s) => tOr(`share.type.${s}`, s);
export const sensitivityLabel = (s) => tOr(`share.sens.${s}`, s);
export const fieldTypeLabel = (s) => tOr(`share.ftype.${s}`, s);
export const maskLabel = (s) => tOr(`share.mask.${s}`, s);
export const methodLabel = (s) => tOr(`share.method.${s}`, s);
export const openTypeLabel = (s) => tOr(`share.open.${s}`, s);
export const cycleLabel = (s) => tOr(`share.cycle.${s}`, s);

export const shareTypeBadge = (s) => badge(SHARE_TONE[s] || 'info', shareTypeLabel(s));
export const sensitivityBadge = (s) => badge(SENS_TONE[s] || 'info', sensitivityLabel(s));
export const requestBadge = (s) => badge(REQ_TONE[s] || 'info', tOr(`req.status.${s}`, s));
export const grantBadge = (s) => badge(GRANT_TONE[s] || 'info', tOr(`grant.status.${s}`, s));
export const licenseBadge = (s) => badge(LIC_TONE[s] || 'info', tOr(`lic.status.${s}`, s));

/** A department given as {id, name, name_en} or as a bare name. */
export function deptText(d, names) {
	if (!d) return '';
	if (typeof d === 'string') return d;
	return deptName(d, names);
}

/** A resource given as {id, code, name} (or a bare code). */
export function resourceName(r) {
	if (!r) return '';
	if (typeof r === 'string') return r;
	return r.name || r.code || '';
}

/** A day ('2026-03-09') as a date, or 长期 when absent. */
export function dayText(d, longTerm = false) {
	if (!d) return longTerm ? t('lic.long_term') : '';
	return fmtDate(d);
}

/** The response deadline of a share request: a deadline object like the
 * cases' ({due_date, remaining_workdays, timer}) or just a due day. */
export function dueView(r) {
	const dl = r.deadline || (r.due && typeof r.due === 'object' ? r.due : null);
	if (r.status && r.status !== 'pending') return h('span', { class: 'muted' }, r.decided_at ? t('req.decided_on', { date: fmtDate(r.decided_at) }) : t('req.decided'));
	if (dl && dl.timer) {
		return h('span', { class: 'deadline' }, timerBadge(dl.timer), ' ', h('span', null, deadlineText(dl)));
	}
	const day = r.due_date || (typeof r.due === 'string' ? r.due : '') || r.due_day;
	if (!day) return h('span', { class: 'muted' }, t('common.none'));
	if (r.overdue === true) return h('span', { class: 'deadline' }, timerBadge('overdue'), ' ', h('span', null, t('req.due_by', { date: fmtDate(day) })));
	return h('span', { class: 'deadline' }, h('span', { class: 'badge tone-warn' }, t('req.awaiting')), ' ', h('span', null, t('req.due_by', { date: fmtDate(day) })));
}

/** Field names as their labels, from a resource's field list when known. */
export function fieldLabels(names, resourceFields) {
	const by = new Map((resourceFields || []).map((f) => [f.name, f]));
	return (names || []).map((n) => {
		const f = by.get(n);
		return f && f.label ? `${f.label}` : n;
	});
}

export function fieldList(names, resourceFields, clear = []) {
	const by = new Map((resourceFields || []).map((f) => [f.name, f]));
	if (!names || !names.length) return h('span', { class: 'muted' }, t('common.none'));
	return h(
		'ul',
		{ class: 'tags field-tags' },
		names.map((n) => {
			const f = by.get(n);
			const label = f && f.label ? f.label : n;
			return h('li', { class: `tag ${clear.includes(n) ? 'tag-clear' : ''}` }, data(label), label !== n ? h('span', { class: 'tag-code' }, ` ${n}`) : null, clear.includes(n) ? h('span', { class: 'tag-note' }, ` · ${t('share.in_clear')}`) : null);
		}),
	);
}

/* ---- who may do what ---- */

export const isOfficial = (u = currentUser()) => !!u && u.kind === 'official';
export const isDataOfficer = (u = currentUser()) => hasRole('data_officer', u);
export const keyManager = (u = currentUser()) => hasRole('data_officer', u) || hasRole('dept_admin', u);

/** The tabs across the data-sharing pages (what this official may use). */
export function dataTabs(current) {
	const u = currentUser();
	const tabs = [['resources', '#/data/resources']];
	if (isDataOfficer(u)) tabs.push(['requests', '#/data/requests']);
	tabs.push(['grants', '#/data/grants'], ['exchange', '#/data/exchange']);
	tabs.push(['fed', '#/data/fed']);
	if (keyManager(u)) tabs.push(['keys', '#/data/api-keys']);
	if (isDataOfficer(u)) tabs.push(['access', '#/data/access']);
	return h(
		'nav',
		{ class: 'tabs data-tabs', 'aria-label': t('data.tabs') },
		h('ul', null, tabs.map(([k, href]) => h('li', null, h('a', { href, 'aria-current': k === current ? 'page' : undefined }, t(`data.tab.${k}`))))),
	);
}

/** Today in China time as YYYY-MM-DD (for date inputs' defaults). */
export function today(offsetDays = 0) {
	const d = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
	return d.toISOString().slice(0, 10);
}

export const isEnglish = () => getLang() === 'en';
