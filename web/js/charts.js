// charts.js - the charts of the evaluation and quality pages, drawn with the
// vendored Apache ECharts (web/vendor/echarts, an ES module loaded with a
// dynamic import() only by the pages that chart). Each chart sits in a
// <figure> with a caption that says in words what it shows (the figures
// themselves are always in a table next to it). Charts draw on canvas and
// tooltips are drawn on the canvas too (renderMode 'richText'): ECharts'
// HTML tooltips write style attributes, which the CSP forbids.

import { h } from './dom.js';
import { getLang } from './i18n.js';
import { onLeave } from './app.js';

let lib = null;

/** The echarts module (loaded once). */
export function echarts() {
	if (!lib) {
		lib = import('../vendor/echarts/echarts.esm.min.mjs').catch((e) => {
			lib = null;
			throw e;
		});
	}
	return lib;
}

/* Grade colours, each at least 3:1 against white (graphics), and always
 * shown with the grade's word in the legend and the table. */
export const GRADE_COLOURS = { very_high: '#17602f', high: '#0b57a4', medium: '#b26a00', low: '#a1161b' };
export const SERIES_COLOURS = ['#0b57a4', '#c62828', '#17602f', '#8a5a00', '#6a3d9a', '#00796b', '#ad1457', '#37474f', '#1565c0', '#9e6400'];

const TEXT = '#1b1f24';
const MUTED = '#4d5560';
const FONT = 'system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif';

/** Options every chart shares (font, colours, canvas tooltips). */
export function base(extra = {}) {
	const { tooltip, ...rest } = extra;
	return {
		animation: false,
		color: SERIES_COLOURS,
		textStyle: { fontFamily: FONT, color: TEXT },
		tooltip: { renderMode: 'richText', confine: true, ...(tooltip || {}) },
		...rest,
	};
}

export const axisText = { color: MUTED, fontFamily: FONT };

/**
 * A figure holding a chart: caption (visible), the chart box (role img,
 * named by the description) and, when given, a note below. option is an
 * ECharts option or a function returning one (called once the library is
 * loaded, with the module). The chart is drawn once the box is in the page
 * and has a size; it follows the box's size and is disposed of when the
 * page is left. When drawn, the box gets data-chart="ready".
 */
export function chartFigure({ id, caption, desc, option, cls = '', note }) {
	const box = h('div', { class: `chart ${cls}`, id, role: 'img', 'aria-label': desc, dataset: { chart: 'pending' } });
	const fig = h('figure', { class: 'chart-figure' }, h('figcaption', { class: 'chart-caption' }, caption), box, note || null);
	let chart = null;
	let gone = false;
	const printing = window.matchMedia('print');
	const ro = new ResizeObserver(() => {
		/* the print style sheet scales the drawn canvas instead */
		if (gone || printing.matches || !box.clientWidth || !box.clientHeight) return;
		if (chart) {
			chart.resize();
			return;
		}
		chart = 'loading';
		echarts()
			.then((ec) => {
				if (gone) return;
				chart = ec.init(box, null, { renderer: 'canvas', locale: getLang() === 'en' ? 'EN' : 'ZH' });
				chart.on('finished', () => {
					box.dataset.chart = 'ready';
				});
				chart.setOption(typeof option === 'function' ? option(ec) : option);
			})
			.catch(() => {
				box.dataset.chart = 'failed';
				chart = null;
			});
	});
	ro.observe(box);
	onLeave(() => {
		gone = true;
		ro.disconnect();
		if (chart && chart !== 'loading') chart.dispose();
	});
	return fig;
}
