// periods.js - evaluation periods: 2026 (year), 2026-Q3 (quarter), 2026-09
// (month), their names in the interface language, and the period picker
// (a kind select and a period select filled for that kind).

import { h } from './dom.js';
import { t, getLang } from './i18n.js';
import { field } from './ui.js';

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const KINDS = ['year', 'quarter', 'month'];

export function periodKind(p) {
	const s = String(p || '');
	if (/^\d{4}$/.test(s)) return 'year';
	if (/^\d{4}-Q[1-4]$/.test(s)) return 'quarter';
	if (/^\d{4}-(0[1-9]|1[0-2])$/.test(s)) return 'month';
	return null;
}

/** 2026年第3季度 / Q3 2026 */
export function periodLabel(p) {
	const s = String(p || '');
	const y = s.slice(0, 4);
	switch (periodKind(s)) {
		case 'year':
			return t('period.year', { y });
		case 'quarter':
			return t('period.quarter', { y, q: s.slice(6) });
		case 'month': {
			const m = Number(s.slice(5));
			return t('period.month', { y, m, mon: MONTHS_EN[m - 1] });
		}
		default:
			return s;
	}
}

/** The periods of kind to offer, newest first, up to the end of year top. */
export function periodOptions(kind, top) {
	const out = [];
	if (kind === 'year') for (let y = top; y > top - 5; y--) out.push(String(y));
	else if (kind === 'quarter') for (let y = top; y > top - 2; y--) for (let q = 4; q >= 1; q--) out.push(`${y}-Q${q}`);
	else for (let y = top; y > top - 2; y--) for (let m = 12; m >= 1; m--) out.push(`${y}-${String(m).padStart(2, '0')}`);
	return out;
}

let latestYear = 0;
/** Remembers the year of the API's default period (the node's current year). */
export function noteCurrent(period) {
	const y = Number(String(period || '').slice(0, 4));
	if (y > latestYear) latestYear = y;
}

/** Two selects: the kind of period and the period (ids prefix-kind, prefix-period). */
export function periodPicker(prefix, period) {
	const kind = periodKind(period) || 'year';
	const top = Math.max(Number(String(period).slice(0, 4)) || new Date().getFullYear(), latestYear);
	const opts = (k) => periodOptions(k, top).map((p) => [p, periodLabel(p)]);
	const kindField = field({ id: `${prefix}-kind`, label: t('period.kind'), kind: 'select', value: kind, options: KINDS.map((k) => [k, t(`period.kind.${k}`)]) });
	const periodField = field({ id: `${prefix}-period`, label: t('period.label'), kind: 'select', value: period, options: opts(kind) });
	const kindSel = kindField.querySelector('select');
	const perSel = periodField.querySelector('select');
	if (![...perSel.options].some((o) => o.value === period)) perSel.prepend(h('option', { value: period, selected: true }, periodLabel(period)));
	kindSel.addEventListener('change', () => {
		const cur = perSel.value;
		const k = kindSel.value;
		/* the same time of year in the new kind, e.g. 2026-Q1 -> 2026-01 */
		const y = cur.slice(0, 4);
		const want = k === 'year' ? y : k === 'quarter' ? `${y}-Q${periodKind(cur) === 'month' ? Math.ceil(Number(cur.slice(5)) / 3) : 1}` : `${y}-${periodKind(cur) === 'quarter' ? String((Number(cur.slice(6)) - 1) * 3 + 1).padStart(2, '0') : '01'}`;
		perSel.replaceChildren(...opts(k).map(([v, l]) => h('option', { value: v, selected: v === want }, l)));
	});
	return { nodes: [kindField, periodField], value: () => perSel.value };
}

/** A number with d decimals in the interface's way, or null. */
export function num(v, d = 2) {
	if (v === null || v === undefined || Number.isNaN(Number(v))) return null;
	return Number(v).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { minimumFractionDigits: d, maximumFractionDigits: d });
}
