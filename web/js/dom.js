// dom.js - building the page with DOM calls only (no innerHTML), so that
// API data can never become markup, and no inline style or handler is ever
// written (the Content-Security-Policy forbids both).

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

export function hasCJK(s) {
	return CJK.test(String(s ?? ''));
}

/**
 * h('button', {class: 'btn', type: 'button', onclick: fn}, 'text', child...)
 * attrs: class, for, text (textContent), on<event> (listeners), dataset
 * (object), boolean true/false attributes, everything else setAttribute.
 */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === undefined || v === null || v === false) continue;
			if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
			else if (k === 'text') el.textContent = v;
			else if (k === 'dataset') Object.assign(el.dataset, v);
			else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
			else if (k === 'value' && ('value' in el)) el.value = v;
			else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple' || k === 'required') {
				el[k] = !!v;
			} else if (k === 'style') throw new Error('no style attributes (CSP)');
			else el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false || c === '') continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

/** A piece of data from the API (a name, an address, a comment): marked
 * with its language when it is Chinese, so that screen readers read it
 * right on the English page and tests can tell data from interface text. */
export function data(text, tag = 'span', attrs = {}) {
	const s = text === null || text === undefined ? '' : String(text);
	return h(tag, { ...attrs, lang: hasCJK(s) ? 'zh-CN' : undefined }, s);
}

let uid = 0;
export function nextId(prefix = 'f') {
	uid += 1;
	return `${prefix}-${uid}`;
}
