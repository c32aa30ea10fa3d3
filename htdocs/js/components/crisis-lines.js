import { el, uid } from './dom.js';
import { t, message } from '/js/shell/i18n.js';
import { crisisResources } from './crisis-card.js';

// crisisLines(resources, {title, intro, headingLevel}) → <section class="crisis crisis-lines">
// Crisis lines that are always shown (the safety plan, the screening
// result): the given resources ([{id, name, contact, href}], only tel:, sms:
// and https: links kept) and, after them, the fixed 988, 741741 and 911
// lines of the crisis card. Known ids are named from the catalogue.

function text(resource, part) {
	const key = `crisisCard.resources.${resource.id}.${part}`;
	return typeof message(key) === 'string' ? t(key) : String(resource[part] || '');
}

export function crisisLines(resources, { title, intro = null, headingLevel = 2 } = {}) {
	const headingId = uid('crisis-lines-title');
	const groups = new Map();
	for (const resource of crisisResources({ resources: Array.isArray(resources) ? resources : [] })) {
		const name = text(resource, 'name');
		if (!groups.has(name)) {
			groups.set(name, []);
		}
		groups.get(name).push(el('a', { class: 'btn btn-crisis', href: resource.href }, text(resource, 'contact')));
	}
	const sub = `h${Math.min(headingLevel + 1, 6)}`;
	return el('section', { class: 'crisis crisis-lines', 'aria-labelledby': headingId, tabindex: '-1', 'data-crisis-lines': true },
		el(`h${headingLevel}`, { id: headingId }, title),
		intro ? el('p', {}, intro) : null,
		el('ul', { class: 'crisis-list' }, [...groups].map(([name, links]) =>
			el('li', {}, el(sub, {}, name), el('p', { class: 'actions' }, links)))),
		el('p', {}, t('crisisCard.abroad'), ' ', el('a', { href: '/crisis' }, t('crisisCard.allResources'))));
}
