import { el, uid } from './dom.js';
import { t } from '/js/shell/i18n.js';

// crisisBlock({headingLevel, linkToAll}) → the crisis box shown on home and
// wherever a view needs it: 988 call/text, Crisis Text Line, 911, the
// emergency number abroad. Same numbers as /crisis.html.
export function crisisBlock({ headingLevel = 2, linkToAll = true } = {}) {
	const headingId = uid('crisis-title');
	const sub = `h${headingLevel + 1}`;
	const item = (title, text, ...links) => el('li', {},
		el(sub, {}, title), el('p', {}, text), el('p', { class: 'actions' }, links));
	const action = (href, label) => el('a', { class: 'btn btn-crisis', href }, label);
	return el('section', { class: 'crisis', 'aria-labelledby': headingId },
		el(`h${headingLevel}`, { id: headingId }, t('crisisBlock.title')),
		el('p', {}, t('crisisBlock.intro')),
		el('ul', { class: 'crisis-list' },
			item(t('crisisBlock.lifeline.title'), t('crisisBlock.lifeline.text'),
				action('tel:988', t('crisisBlock.lifeline.call')), ' ', action('sms:988', t('crisisBlock.lifeline.textAction'))),
			item(t('crisisBlock.textLine.title'), t('crisisBlock.textLine.text'),
				action('sms:741741', t('crisisBlock.textLine.action'))),
			item(t('crisisBlock.emergency.title'), t('crisisBlock.emergency.text'),
				action('tel:911', t('crisisBlock.emergency.action')))),
		el('p', {}, t('crisisBlock.abroad')),
		linkToAll ? el('p', {}, el('a', { href: '/crisis' }, t('crisisBlock.allResources'))) : null);
}
