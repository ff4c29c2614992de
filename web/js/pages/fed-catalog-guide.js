// fed-catalog-guide.js - the 办事指南 of an item of another node
// (#/fed/services/{region}/{code}), fetched through this node
// (GET /api/v1/fed/services/{region}/{code}) and shown read-only with its
// origin marked: which node provides it, for which region.

import { h, data } from '../dom.js';
import { t, fmtWorkdays, fmtDateTime, getLang } from '../i18n.js';
import { api } from '../api.js';
import { tx, pageHead, section, dl, linkButton } from '../ui.js';
import { typeLabel, depthLabel, channelLabel, crossLabel, formLabel, targetLabel, visitsLabel, regionName } from '../catalog.js';

export async function render({ params }) {
	const region = params.code;
	const code = params.fedcode;
	const it = await api('GET', `/fed/services/${encodeURIComponent(region)}/${encodeURIComponent(code)}`);
	const o = it.origin || {};
	const where = await regionName(it.region.code, it.region.name);
	const title = it.name;
	const materials = h(
		'table',
		{ class: 'table stack' },
		h('caption', { class: 'visually-hidden' }, t('guide.materials')),
		h('thead', null, h('tr', null, [t('guide.m_seq'), t('guide.m_name'), t('guide.m_form'), t('guide.m_count'), t('guide.m_required'), t('guide.m_note')].map((c) => h('th', { scope: 'col' }, c)))),
		h(
			'tbody',
			null,
			it.materials.map((m) =>
				h(
					'tr',
					null,
					h('td', { 'data-label': t('guide.m_seq') }, String(m.seq)),
					h('td', { 'data-label': t('guide.m_name') }, data(m.name)),
					h('td', { 'data-label': t('guide.m_form') }, formLabel(m.form)),
					h('td', { 'data-label': t('guide.m_count') }, t('guide.copies', { n: m.count })),
					h('td', { 'data-label': t('guide.m_required') }, h('span', { class: `badge ${m.required ? 'tone-warn' : 'tone-info'}` }, m.required ? t('common.mandatory') : t('common.optional'))),
					h('td', { 'data-label': t('guide.m_note') }, m.note ? data(m.note) : h('span', { class: 'muted' }, t('common.none'))),
				),
			),
		),
	);
	const limits = h(
		'div',
		{ class: 'limits' },
		h('div', { class: 'limit' }, h('p', { class: 'limit-label' }, t('guide.legal_days')), h('p', { class: 'limit-value' }, fmtWorkdays(it.legal_days))),
		h('div', { class: 'limit limit-promised' }, h('p', { class: 'limit-label' }, t('guide.promised_days')), h('p', { class: 'limit-value' }, fmtWorkdays(it.promised_days))),
		h('div', { class: 'limit' }, h('p', { class: 'limit-label' }, t('guide.visits')), h('p', { class: 'limit-value' }, visitsLabel(it.max_visits))),
	);
	const originBox = h(
		'div',
		{ class: 'notice fedcat-origin-box', id: 'fedcat-origin' },
		h('p', null, h('span', { class: 'badge tone-info' }, t(o.local ? 'fedcat.local_badge' : 'fedcat.remote_badge')), ' ', ...tx('fedcat.remote_notice', { node: o.node_name || o.region, region: where })),
		h('p', null, t(o.local ? 'fedcat.local_hint' : 'fedcat.remote_hint')),
		o.local && it.id ? h('div', { class: 'btn-row' }, linkButton(`#/services/${it.id}`, t('fedcat.local_apply'), 'btn btn-primary')) : null,
		/* 跨省通办: apply here for the other node's item (全程网办 or 多地联办). */
		!o.local && (it.cross_modes || []).some((c) => c === 'full_online' || c === 'multi_site')
			? h('div', { class: 'btn-row' }, linkButton(`#/fed/apply/${o.region}/${encodeURIComponent(it.code)}`, t('fedcat.remote_apply'), 'btn btn-primary'))
			: null,
	);
	const node = h(
		'div',
		{ class: 'guide fedcat-guide' },
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/national' }, t('fedcat.nav')), h('span', { 'aria-hidden': 'true' }, ' / '), t('fedcat.guide_crumb')),
		pageHead(title, { titleNode: data(it.name), sub: h('span', null, t('fedcat.guide_sub')) }),
		originBox,
		limits,
		section(
			t('guide.basic'),
			dl([
				[t('guide.code'), data(it.code)],
				[t('guide.type'), typeLabel(it.type)],
				[t('guide.dept'), data(getLang() === 'en' && it.department.name_en ? it.department.name_en : it.department.name)],
				[t('guide.region'), data(where)],
				[t('fedcat.provider_node'), data(o.node_name || o.region)],
				[t('guide.target'), targetLabel(it.target)],
				[t('guide.depth'), depthLabel(it.depth)],
				[t('guide.fee'), data(it.fee)],
				[t('guide.channels'), it.channels.map(channelLabel).join(t('common.list_sep'))],
				[t('guide.cross'), it.cross_modes.length ? h('ul', { class: 'tags' }, it.cross_modes.map((c) => h('li', { class: 'tag tag-info' }, crossLabel(c)))) : t('guide.cross_none')],
				[t('guide.updated'), fmtDateTime(it.updated_at)],
			]),
		),
		section(t('guide.conditions'), data(it.conditions, 'p', { class: 'prose' })),
		section(t('guide.materials'), it.materials.length ? materials : h('p', null, t('guide.no_materials'))),
		section(t('guide.process'), h('ol', { class: 'process' }, it.process.map((s) => data(s, 'li')))),
		section(t('guide.basis'), data(it.legal_basis, 'p', { class: 'prose' })),
		section(
			t('guide.where'),
			dl([
				[t('guide.place'), data(it.place)],
				[t('guide.hours'), data(it.office_hours)],
				[t('guide.consult'), data(it.consult)],
				[t('guide.complaint'), data(it.complaint)],
			]),
		),
	);
	return { title, node };
}
