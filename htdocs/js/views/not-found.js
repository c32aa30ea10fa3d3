// Not found: any path no route matches.

import { el } from '/js/components/dom.js';
import { linkButton } from '/js/components/button.js';
import { loadArea } from '/js/shell/i18n.js';

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		root.append(
			el('h1', {}, t('notFound.title')),
			el('p', { class: 'lead' }, t('notFound.text')),
			el('p', { class: 'actions' },
				linkButton({ label: t('notFound.home'), href: '/' }),
				linkButton({ label: t('notFound.crisis'), href: '/crisis', kind: 'secondary' })));
	},
};
