import { el, uid } from './dom.js';
import { t, message } from '/js/shell/i18n.js';
import { allowedHref, hostCrisisLines, regionName } from '/js/api/host-crisis-lines.js';

// crisisCard(crisis, {headingLevel, onClose}) → <section class="crisis crisis-card">
// Shown when an API answer carries `crisis` (CrisisInfo: severity, categories,
// resources [{id, name, contact, href}], the host region's lines). It lists
// the resources of the answer (only tel:, sms: and https: links) and then any
// of the host's crisis lines it lacks (js/api/host-crisis-lines.js: the last
// ones learnt from the server, else the US lines), so the card never shows an
// empty list. The section has tabindex=-1 so a view can move focus to it;
// onClose adds a "Close" button (the resources stay one tap away in the header).

// A label from the catalogue when the resource is one we know, else the server's text.
function label(resource, part) {
	const key = `crisisLines.${resource.id}.${part}`;
	return typeof message(key) === 'string' ? t(key) : String(resource[part] || '');
}

/** The resources to show: the answer's, then any of the host's lines it lacks. */
export function crisisResources(crisis) {
	const given = crisis && Array.isArray(crisis.resources) ? crisis.resources : [];
	const list = given.filter((r) => r && allowedHref(r.href));
	const hrefs = new Set(list.map((r) => r.href.split('?')[0]));
	for (const line of hostCrisisLines().lines) {
		if (!hrefs.has(line.href.split('?')[0])) {
			list.push(line);
		}
	}
	return list;
}

/** <ul class="crisis-list">: one item per service (name heading, its contact buttons). */
export function crisisList(resources, { headingLevel = 2 } = {}) {
	const groups = new Map();
	for (const resource of resources) {
		const name = label(resource, 'name');
		if (!groups.has(name)) {
			groups.set(name, []);
		}
		groups.get(name).push(el('a', { class: 'btn btn-crisis', href: allowedHref(resource.href) }, label(resource, 'contact')));
	}
	const sub = `h${Math.min(headingLevel + 1, 6)}`;
	return el('ul', { class: 'crisis-list' }, [...groups].map(([name, links]) =>
		el('li', {}, el(sub, {}, name), el('p', { class: 'actions' }, links))));
}

/** "Outside <the host's country>, call the local emergency number." and the link to /crisis. */
export function crisisAbroad() {
	return el('p', {}, t('crisisCard.abroad', { country: regionName(hostCrisisLines().region) }), ' ',
		el('a', { href: '/crisis' }, t('crisisCard.allResources')));
}

export function crisisCard(crisis, { headingLevel = 2, onClose = null } = {}) {
	const headingId = uid('crisis-card-title');
	const severity = crisis && ['low', 'medium', 'high'].includes(crisis.severity) ? crisis.severity : 'high';
	const close = onClose
		? el('p', { class: 'actions' }, el('button', { type: 'button', class: 'btn btn-secondary', onClick: onClose }, t('crisisCard.close')))
		: null;
	return el('section', {
		class: `crisis crisis-card crisis-card-${severity}`,
		'aria-labelledby': headingId,
		tabindex: '-1',
		'data-crisis-card': true,
	},
	el(`h${headingLevel}`, { id: headingId }, t('crisisCard.title')),
	el('p', {}, t('crisisCard.intro')),
	crisisList(crisisResources(crisis), { headingLevel }),
	crisisAbroad(),
	close);
}
