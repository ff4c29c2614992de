// i18n.js - every visible string comes from the tables in i18n/zh.js and
// i18n/en.js. Chinese is the default; the choice is remembered in
// localStorage. Dates are written the way each language writes them.

import zh from './i18n/zh.js';
import en from './i18n/en.js';
import zhOpendata from './i18n/zh-opendata.js';
import enOpendata from './i18n/en-opendata.js';

/* The open data portal's strings (issue 8) are merged here. */
export const TABLES = { zh: { ...zh, ...zhOpendata }, en: { ...en, ...enOpendata } };
const KEY = 'zt.lang';

let lang = 'zh';
try {
	const saved = localStorage.getItem(KEY);
	if (saved === 'en' || saved === 'zh') lang = saved;
} catch {
	/* storage disabled: stay with Chinese */
}

export function getLang() {
	return lang;
}

export function setLang(l) {
	lang = l === 'en' ? 'en' : 'zh';
	try {
		localStorage.setItem(KEY, lang);
	} catch {
		/* not remembered, still switched */
	}
	document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}

export function htmlLang() {
	return lang === 'en' ? 'en' : 'zh-CN';
}

/** t('key', {n: 3}) - the string for key in the current language, with
 * {name} placeholders filled. A missing key shows as the key itself (and
 * the tests look for that). */
export function t(key, params) {
	let s = TABLES[lang][key];
	if (s === undefined) s = TABLES.zh[key];
	if (s === undefined) return key;
	if (typeof s === 'function') return s(params || {});
	if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
	return s;
}

/** The raw template of key (a string with {placeholders}, or a function). */
export function template(key) {
	const s = TABLES[lang][key];
	return s === undefined ? TABLES.zh[key] : s;
}

/** t() for a key that may not exist: returns fallback instead. */
export function tOr(key, fallback, params) {
	if (TABLES[lang][key] === undefined) return fallback;
	return t(key, params);
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/* The API writes dates as 2026-12-04 and times as 2026-12-04T09:30:00+08:00
 * in the node's own time zone; they are shown as written (the office's
 * local time), never converted to the browser's zone. */
function parts(s) {
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(String(s || ''));
	if (!m) return null;
	return { y: +m[1], mo: +m[2], d: +m[3], hh: m[4], mm: m[5] };
}

/** 2026年12月4日 / 4 Dec 2026 */
export function fmtDate(s) {
	const p = parts(s);
	if (!p) return '';
	return lang === 'en' ? `${p.d} ${MONTHS_EN[p.mo - 1]} ${p.y}` : `${p.y}年${p.mo}月${p.d}日`;
}

/** 2026年12月4日 09:30 / 4 Dec 2026, 09:30 */
export function fmtDateTime(s) {
	const p = parts(s);
	if (!p) return '';
	if (!p.hh) return fmtDate(s);
	return lang === 'en' ? `${fmtDate(s)}, ${p.hh}:${p.mm}` : `${fmtDate(s)} ${p.hh}:${p.mm}`;
}

/** The working-day part of a deadline: 剩余 3 个工作日 / 3 working days left. */
export function fmtRemaining(dl) {
	if (!dl) return '';
	if (dl.timer === 'closed') return t('deadline.closed');
	if (dl.timer === 'paused') return t('deadline.paused');
	const n = dl.remaining_workdays;
	if (n === undefined || n === null) return '';
	if (n < 0) return t('deadline.overdue_by', { n: -n });
	if (n === 0) return t('deadline.due_today');
	return t(n === 1 ? 'deadline.left_one' : 'deadline.left', { n });
}

export function fmtSize(bytes) {
	const n = Number(bytes) || 0;
	if (n < 1024) return t('size.bytes', { n });
	if (n < 1024 * 1024) return t('size.kb', { n: (n / 1024).toFixed(n < 10240 ? 1 : 0) });
	return t('size.mb', { n: (n / 1048576).toFixed(1) });
}

/** Working days: 5 个工作日 / 5 working days (0 = 即办 / same day). */
export function fmtWorkdays(n) {
	if (Number(n) === 0) return t('days.same_day');
	return t(Number(n) === 1 ? 'days.one' : 'days.n', { n });
}

/** A department's name in the current language (name_en when English). */
export function deptName(d, enNames) {
	if (!d) return '';
	if (lang === 'en') {
		if (d.name_en) return d.name_en;
		if (enNames && enNames.get(d.id)) return enNames.get(d.id);
	}
	return d.name || '';
}
