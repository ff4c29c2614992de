// guide.js - the full 办事指南 of one service item: every guide field, the
// materials table, channels, fee, legal vs promised time limits and visits.

import { h, data } from '../dom.js';
import { t, fmtWorkdays, fmtDateTime, deptName } from '../i18n.js';
import { api } from '../api.js';
import { pageHead, section, dl, linkButton } from '../ui.js';
import { typeLabel, depthLabel, channelLabel, crossLabel, formLabel, targetLabel, visitsLabel, regionName } from '../catalog.js';
import { currentUser, isApplicant } from '../app.js';

function applyBox(it) {
	const u = currentUser();
	const here = `#/services/${it.id}/apply`;
	if (it.status !== 'published') return h('p', { class: 'notice' }, t('guide.not_published'));
	if (it.depth < 3) return h('p', { class: 'notice' }, t('guide.window_only'));
	if (!u) return h('div', { class: 'apply-box' }, h('p', null, t('guide.login_to_apply')), h('div', { class: 'btn-row' }, linkButton(`#/login?next=${encodeURIComponent(here)}`, t('guide.login_apply'), 'btn btn-primary'), linkButton(`#/register?next=${encodeURIComponent(here)}`, t('nav.register'), 'btn btn-secondary')));
	if (!isApplicant(u)) return null;
	if ((it.target === 'citizen' && u.kind !== 'citizen') || (it.target === 'enterprise' && u.kind !== 'enterprise')) return h('p', { class: 'notice' }, t(`guide.only_${it.target}`));
	return h('div', { class: 'apply-box' }, linkButton(here, t('guide.apply'), 'btn btn-primary btn-large'));
}

export async function render({ params }) {
	const it = await api('GET', `/services/${params.id}`);
	const region = await regionName(it.region.code, it.region.name);
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
					h('td', { 'data-label': t('guide.m_note') }, m.note ? data(m.note) : m.license_type || m.resource ? null : h('span', { class: 'muted' }, t('common.none')), m.license_type || m.resource ? h('span', { class: 'tag tag-ok exempt-tag' }, t(m.license_type ? 'guide.m_exempt_license' : 'guide.m_exempt_share')) : null),
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
	const node = h(
		'div',
		{ class: 'guide' },
		h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, t('nav.hall')), h('span', { 'aria-hidden': 'true' }, ' / '), t('guide.crumb')),
		pageHead(title, { titleNode: data(it.name), sub: h('span', null, t('guide.sub')) }),
		applyBox(it),
		limits,
		section(
			t('guide.basic'),
			dl([
				[t('guide.code'), data(it.code)],
				[t('guide.type'), typeLabel(it.type)],
				[t('guide.dept'), data(deptName(it.department))],
				[t('guide.region'), data(region)],
				[t('guide.target'), targetLabel(it.target)],
				[t('guide.depth'), depthLabel(it.depth)],
				[t('guide.fee'), data(it.fee)],
				[t('guide.channels'), it.channels.map(channelLabel).join(t('common.list_sep'))],
				[t('guide.cross'), it.cross_modes.length ? it.cross_modes.map(crossLabel).join(t('common.list_sep')) : t('guide.cross_none')],
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
		applyBox(it),
	);
	return { title, node };
}
