// qr.js - a QR code as an SVG element built with DOM calls (no markup
// strings), from the module matrix of the vendored encoder (web/vendor/qr,
// the npm package "qr" pinned in package.json; `npm run vendor` copies it).

import encodeQR from '../vendor/qr/index.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An <svg> showing text as a QR code; label is its accessible name. */
export function qrSvg(text, label) {
	const m = encodeQR(text, 'raw', { ecc: 'medium' });
	const n = m.length;
	const quiet = 4;
	const size = n + quiet * 2;
	let d = '';
	for (let y = 0; y < n; y++) {
		for (let x = 0; x < n; x++) {
			if (!m[y][x]) continue;
			/* runs of dark modules on a row become one rectangle */
			let run = 1;
			while (x + run < n && m[y][x + run]) run++;
			d += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
			x += run - 1;
		}
	}
	const svg = document.createElementNS(SVG, 'svg');
	svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
	svg.setAttribute('class', 'qr');
	svg.setAttribute('role', 'img');
	svg.setAttribute('aria-label', label);
	svg.setAttribute('shape-rendering', 'crispEdges');
	const bg = document.createElementNS(SVG, 'rect');
	bg.setAttribute('width', String(size));
	bg.setAttribute('height', String(size));
	bg.setAttribute('fill', '#fff');
	const path = document.createElementNS(SVG, 'path');
	path.setAttribute('d', d);
	path.setAttribute('fill', '#000');
	svg.append(bg, path);
	return svg;
}
