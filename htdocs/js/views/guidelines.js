// Community guidelines.

import { el } from '/js/components/dom.js';
import { docSections } from '/js/components/doc-sections.js';
import { loadArea, message } from '/js/shell/i18n.js';

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		root.append(
			el('h1', {}, t('guidelines.title')),
			el('p', { class: 'lead' }, t('guidelines.lead')),
			...docSections(message('guidelines.sections')),
			el('p', { class: 'note' }, t('guidelines.crisisNote'), ' ', el('a', { href: '/crisis' }, t('guidelines.crisisLink')), '.'));
	},
};
