// catalog.js - reference data shared by pages (departments with their English
// names), loaded once per visit, and the labels of the catalog's codes.

import { api } from './api.js';
import { t, tOr, getLang } from './i18n.js';

let depts = null;

/** [{id, name, name_en, region_code, region_name}] */
export async function departments() {
	if (!depts) {
		depts = api('GET', '/departments').then((r) => r.items || []).catch((e) => {
			depts = null;
			throw e;
		});
	}
	return depts;
}

/** A department's name in the current language, looked up by id when the
 * API gave only the Chinese name (search results). */
export async function deptNames() {
	try {
		const list = await departments();
		return new Map(list.map((d) => [d.id, getLang() === 'en' && d.name_en ? d.name_en : d.name]));
	} catch {
		return new Map();
	}
}

let regions = null;

/** A region's name in the current language, by its code (the API gives the
 * Chinese name with items). */
export async function regionName(code, zhName) {
	if (getLang() !== 'en') return zhName;
	if (!regions) regions = api('GET', '/regions').then((r) => new Map((r.items || []).map((x) => [x.code, x.name_en]))).catch(() => new Map());
	return (await regions).get(code) || zhName;
}

export const TYPES = ['XK', 'QR', 'GF', 'CF', 'QZ', 'ZS', 'JC', 'JL', 'CJ', 'GG', 'QT'];
export const DEPTHS = [1, 2, 3, 4, 5, 6, 7];
export const CHANNELS = ['web', 'mobile', 'window', 'self_service', 'mail'];
export const CROSS = ['full_online', 'proxy', 'multi_site'];
export const FORMS = ['original', 'copy', 'electronic', 'original_or_copy'];
export const TARGETS = ['citizen', 'enterprise', 'both'];
export const STATES = ['submitted', 'needs_supplement', 'accepted', 'not_accepted', 'approved', 'denied', 'delivered'];
export const TIMERS = ['normal', 'warning', 'overdue', 'paused', 'closed'];

export const typeLabel = (c) => tOr(`type.${c}`, c);
export const depthLabel = (d) => t('depth.label', { n: d, name: tOr(`depth.${d}`, '') });
export const channelLabel = (c) => tOr(`channel.${c}`, c);
export const crossLabel = (c) => tOr(`cross.${c}`, c);
export const formLabel = (c) => tOr(`form.${c}`, c);
export const targetLabel = (c) => tOr(`target.${c}`, c);

/** 到现场次数: 0 is 零跑动. */
export function visitsLabel(n) {
	if (Number(n) === 0) return t('visits.zero');
	return t(Number(n) === 1 ? 'visits.max_one' : 'visits.max', { n });
}
