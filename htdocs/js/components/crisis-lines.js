import { el, uid } from './dom.js';
import { crisisAbroad, crisisList, crisisResources } from './crisis-card.js';

// crisisLines(resources, {title, intro, headingLevel}) → <section class="crisis crisis-lines">
// Crisis lines that are always shown (the safety plan, the screening
// result): the given resources ([{id, name, contact, href}], only tel:, sms:
// and https: links kept) and, after them, any of the host's crisis lines they
// lack, as the crisis card lists them. Known ids are named from the catalogue.

export function crisisLines(resources, { title, intro = null, headingLevel = 2 } = {}) {
	const headingId = uid('crisis-lines-title');
	return el('section', { class: 'crisis crisis-lines', 'aria-labelledby': headingId, tabindex: '-1', 'data-crisis-lines': true },
		el(`h${headingLevel}`, { id: headingId }, title),
		intro ? el('p', {}, intro) : null,
		crisisList(crisisResources({ resources: Array.isArray(resources) ? resources : [] }), { headingLevel }),
		crisisAbroad());
}
