import { el, uid } from './dom.js';
import { t, message } from '/js/shell/i18n.js';

// crisisCard(crisis, {headingLevel, onClose}) → <section class="crisis crisis-card">
// Shown when an API answer carries `crisis` (CrisisInfo: severity, categories,
// resources [{id, name, contact, href}]). It lists the resources of the
// answer (only tel:, sms: and https: links) and always 988, 741741 and 911.
// The section has tabindex=-1 so a view can move focus to it; onClose adds a
// "Close" button (the resources stay one tap away in the header).

const FIXED = [
	{ id: '988_call', name: '988 Suicide & Crisis Lifeline', contact: 'Call 988', href: 'tel:988' },
	{ id: '988_text', name: '988 Suicide & Crisis Lifeline', contact: 'Text 988', href: 'sms:988' },
	{ id: 'crisis_text_line', name: 'Crisis Text Line', contact: 'Text HOME to 741741', href: 'sms:741741?body=HOME' },
	{ id: 'emergency', name: 'Emergency services', contact: 'Call 911', href: 'tel:911' },
];

function allowedHref(href) {
	return typeof href === 'string' && /^(tel:|sms:|https:\/\/)/i.test(href) ? href : null;
}

// A label from the catalogue when the resource is one we know, else the server's text.
function label(resource, part) {
	const key = `crisisCard.resources.${resource.id}.${part}`;
	return typeof message(key) === 'string' ? t(key) : String(resource[part] || '');
}

/** The resources to show: the answer's, then any of the fixed ones it lacks. */
export function crisisResources(crisis) {
	const given = crisis && Array.isArray(crisis.resources) ? crisis.resources : [];
	const list = given.filter((r) => r && allowedHref(r.href));
	const hrefs = new Set(list.map((r) => r.href.split('?')[0]));
	for (const fixed of FIXED) {
		if (!hrefs.has(fixed.href.split('?')[0])) {
			list.push(fixed);
		}
	}
	return list;
}

export function crisisCard(crisis, { headingLevel = 2, onClose = null } = {}) {
	const headingId = uid('crisis-card-title');
	const severity = crisis && ['low', 'medium', 'high'].includes(crisis.severity) ? crisis.severity : 'high';
	const groups = new Map();
	for (const resource of crisisResources(crisis)) {
		const name = label(resource, 'name');
		if (!groups.has(name)) {
			groups.set(name, []);
		}
		groups.get(name).push(el('a', { class: 'btn btn-crisis', href: allowedHref(resource.href) }, label(resource, 'contact')));
	}
	const sub = `h${Math.min(headingLevel + 1, 6)}`;
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
	el('ul', { class: 'crisis-list' }, [...groups].map(([name, links]) =>
		el('li', {}, el(sub, {}, name), el('p', { class: 'actions' }, links)))),
	el('p', {}, t('crisisCard.abroad'), ' ', el('a', { href: '/crisis' }, t('crisisCard.allResources'))),
	close);
}
