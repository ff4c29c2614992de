// api.js - the JSON API client: bearer token from sessionStorage (never in a
// URL), problem+json errors as ApiError, uploads with progress.

import { getLang } from './i18n.js';

const TOKEN = 'zt.token';
const USER = 'zt.user';
export const UPLOAD_MAX = 20 * 1024 * 1024;

export class ApiError extends Error {
	constructor(status, problem) {
		super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
		this.status = status;
		this.problem = problem || {};
		this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
		const type = String(this.problem.type || '');
		this.reason = type.startsWith('/problems/') ? type.slice(10) : '';
	}
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

export const session = {
	token() {
		try {
			return sessionStorage.getItem(TOKEN);
		} catch {
			return null;
		}
	},
	user() {
		try {
			return JSON.parse(sessionStorage.getItem(USER) || 'null');
		} catch {
			return null;
		}
	},
	set(token, user) {
		sessionStorage.setItem(TOKEN, token);
		sessionStorage.setItem(USER, JSON.stringify(user));
	},
	setUser(user) {
		sessionStorage.setItem(USER, JSON.stringify(user));
	},
	clear() {
		sessionStorage.removeItem(TOKEN);
		sessionStorage.removeItem(USER);
	},
};

function headers(extra) {
	const hd = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN', ...extra };
	const tok = session.token();
	if (tok) hd.Authorization = `Bearer ${tok}`;
	return hd;
}

async function problemOf(res) {
	try {
		return await res.json();
	} catch {
		return { title: res.statusText, status: res.status };
	}
}

/** api('GET', '/cases', null, {query: {state: 'submitted'}}) -> parsed JSON. */
export async function api(method, path, body, opts = {}) {
	let url = `/api/v1${path}`;
	if (opts.query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(opts.query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
		const s = q.toString();
		if (s) url += `?${s}`;
	}
	const init = { method, headers: headers(opts.headers), cache: 'no-store' };
	if (body !== null && body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers['Content-Type'] = 'application/json';
	}
	let res;
	try {
		res = await fetch(url, init);
	} catch {
		throw new ApiError(0, { type: '/problems/network' });
	}
	if (!res.ok) {
		const err = new ApiError(res.status, await problemOf(res));
		if (res.status === 401 && session.token() && !opts.noAuthRedirect) onUnauthorized(err);
		throw err;
	}
	if (res.status === 204) return null;
	return res.json();
}

/** Sends a raw body (a File, Blob or string) with its content type; the
 * answer is JSON like api()'s. */
export async function apiRaw(method, path, body, contentType) {
	let res;
	try {
		res = await fetch(`/api/v1${path}`, { method, headers: headers({ 'Content-Type': contentType }), body, cache: 'no-store' });
	} catch {
		throw new ApiError(0, { type: '/problems/network' });
	}
	if (!res.ok) {
		const err = new ApiError(res.status, await problemOf(res));
		if (res.status === 401 && session.token()) onUnauthorized(err);
		throw err;
	}
	if (res.status === 204) return null;
	return res.json();
}

/** Fetches path with the bearer token as a Blob (a download). */
export async function apiBlob(path) {
	let res;
	try {
		res = await fetch(`/api/v1${path}`, { headers: headers({ Accept: 'application/json' }), cache: 'no-store' });
	} catch {
		throw new ApiError(0, { type: '/problems/network' });
	}
	if (!res.ok) throw new ApiError(res.status, await problemOf(res));
	return res.blob();
}

/** Uploads a file's raw bytes; onProgress(loaded, total). Resolves {id, size, mime}.
 * path: '/files' (an applicant's material) or '/fed/files' (a window's scan). */
export function upload(file, onProgress, path = '/files') {
	return new Promise((resolve, reject) => {
		if (file.size > UPLOAD_MAX) {
			reject(new ApiError(413, { type: '/problems/too_large' }));
			return;
		}
		if (file.size === 0) {
			reject(new ApiError(400, { type: '/problems/empty_file' }));
			return;
		}
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `/api/v1${path}`);
		for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
		xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
		xhr.upload.addEventListener('progress', (e) => {
			if (e.lengthComputable && onProgress) onProgress(e.loaded, e.total);
		});
		xhr.addEventListener('load', () => {
			let body = null;
			try {
				body = JSON.parse(xhr.responseText);
			} catch {
				/* not JSON */
			}
			if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body);
			else {
				const err = new ApiError(xhr.status, body || { title: xhr.statusText });
				if (xhr.status === 401) onUnauthorized(err);
				reject(err);
			}
		});
		xhr.addEventListener('error', () => reject(new ApiError(0, { type: '/problems/network' })));
		xhr.addEventListener('abort', () => reject(new ApiError(0, { type: '/problems/aborted' })));
		xhr.send(file);
	});
}

/** Reads an uploaded file with the bearer token; returns {url, type} for an
 * object URL (the caller revokes it). */
export async function fileObjectUrl(id) {
	let res;
	try {
		res = await fetch(`/api/v1/files/${encodeURIComponent(id)}`, { headers: headers({ Accept: '*/*' }), cache: 'no-store' });
	} catch {
		throw new ApiError(0, { type: '/problems/network' });
	}
	if (!res.ok) throw new ApiError(res.status, await problemOf(res));
	const blob = await res.blob();
	return { url: URL.createObjectURL(blob), type: blob.type };
}

/** A random Idempotency-Key for one submission (retries reuse it). */
export function idemKey() {
	const a = new Uint8Array(16);
	crypto.getRandomValues(a);
	return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
