// Crisis resources: the same numbers as the static /crisis.html, which keeps
// working without JavaScript and offline.

import { el } from '/js/components/dom.js';
import { loadArea } from '/js/shell/i18n.js';

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		const call = (href, label) => el('a', { class: 'btn btn-crisis', href }, label);
		root.append(
			el('h1', {}, t('crisis.title')),
			el('section', { class: 'crisis', 'aria-labelledby': 'danger-title' },
				el('h2', { id: 'danger-title' }, t('crisis.danger.title')),
				el('p', { class: 'danger-callout' }, t('crisis.danger.text')),
				el('p', { class: 'actions' }, call('tel:911', t('crisis.danger.action'))),
				el('p', {}, t('crisisBlock.abroad'))),
			el('section', { 'aria-labelledby': 'talk-title' },
				el('h2', { id: 'talk-title' }, t('crisis.talk.title')),
				el('p', {}, t('crisis.talk.intro')),
				el('ul', { class: 'crisis-list' },
					el('li', {},
						el('h3', {}, t('crisisBlock.lifeline.title')),
						el('p', {}, t('crisisBlock.lifeline.text')),
						el('ul', {},
							el('li', {}, t('crisis.talk.veterans')),
							el('li', { lang: 'es' }, t('crisis.talk.spanish')),
							el('li', {}, t('crisis.talk.tty'))),
						el('p', { class: 'actions' },
							call('tel:988', t('crisisBlock.lifeline.call')), ' ',
							call('sms:988', t('crisisBlock.lifeline.textAction')))),
					el('li', {},
						el('h3', {}, t('crisisBlock.textLine.title')),
						el('p', {}, t('crisis.talk.textLine')),
						el('p', { class: 'actions' }, call('sms:741741', t('crisisBlock.textLine.action')))))),
			el('section', { 'aria-labelledby': 'calm-title' },
				el('h2', { id: 'calm-title' }, t('crisis.calm.title')),
				el('p', {}, t('crisis.calm.text'), ' ', el('a', { href: '/quiet-space' }, t('crisis.calm.link')), '.')),
			el('section', { 'aria-labelledby': 'about-title' },
				el('h2', { id: 'about-title' }, t('crisis.about.title')),
				el('p', {}, t('crisis.about.text')),
				el('p', {}, el('a', { href: '/crisis.html' }, t('crisis.about.offline')))));
	},
};
