// fed-cases-ui.js - the marks of 跨省通办 (cross-region cases) shared by the
// case lists, the case page and the cross-region pages: "跨省通办 · 全程网办",
// where an application is handled (办理地) or was received (受理地), and the
// badge of a cross-region application's state.

import { h, data } from '../dom.js';
import { t, tOr, getLang } from '../i18n.js';

export const MODES = ['full_online', 'proxy', 'joint'];

/* States of an application at the receiving node: its own first, then the
 * home node's case states it mirrors. */
export const FED_STATES = ['received', 'not_accepted_here', 'forwarded', 'submitted', 'needs_supplement', 'accepted', 'not_accepted', 'approved', 'denied', 'delivered'];

const TONE = {
	received: 'info',
	forwarded: 'info',
	submitted: 'info',
	accepted: 'info',
	needs_supplement: 'warn',
	approved: 'ok',
	delivered: 'ok',
	denied: 'bad',
	not_accepted: 'bad',
	not_accepted_here: 'bad',
};

export function fedStateBadge(state) {
	return h('span', { class: `badge tone-${TONE[state] || 'info'}` }, tOr(`state.${state}`, state));
}

/** "跨省通办 · 全程网办" (with "· 本地环节" for the local part of a joint one). */
export function crossMark(mode, { local = false, id } = {}) {
	const parts = [t('xcase.mark'), tOr(`xcase.mode.${mode}`, mode)];
	if (local) parts.push(t('xcase.local_part'));
	return h('span', { class: 'badge xcase-mark', id }, parts.join(' · '));
}

/** A region's (or department's) name in the current language. */
export function nameIn(zh, en) {
	return getLang() === 'en' && en ? en : zh || '';
}

/** "办理地：贵州省 · 贵州省人力资源和社会保障厅" for an application. */
export function handledAt(c) {
	const where = [nameIn(c.home.region_name, c.home.region_name_en)];
	const dept = nameIn(c.department && c.department.name, c.department && c.department.name_en);
	if (dept) where.push(dept);
	return h('span', { class: 'xcase-where' }, h('span', { class: 'muted' }, t('xcase.handled_at')), data(where.join(' · ')));
}

/** The mark of a case in a list or on its page (case.cross from the API):
 * at the home node "跨省 · 受理地：广东省", at the receiving node for the local
 * part of a joint application "跨省通办 · 多地联办 · 本地环节". */
export function caseCrossMark(cross) {
	if (!cross) return null;
	if (cross.part === 'local') return crossMark('joint', { local: true });
	const origin = nameIn(cross.origin_name, cross.origin_name_en) || cross.origin_region;
	return h('span', { class: 'badge xcase-mark' }, t('xcase.cross_short'), ' · ', tOr(`xcase.mode.${cross.mode}`, cross.mode), ' · ', t('xcase.received_at'), data(origin));
}
