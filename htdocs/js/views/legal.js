// Legal texts, version 1.0: terms of service, privacy policy, helper
// agreement (ctx.params.doc), or the list of them when doc is empty.

import { el } from '/js/components/dom.js';
import { docSections } from '/js/components/doc-sections.js';
import { loadArea, message } from '/js/shell/i18n.js';

export const LEGAL_VERSION = '1.0';
const DOCS = [
	{ id: 'terms', key: 'terms', href: '/legal/terms' },
	{ id: 'privacy', key: 'privacy', href: '/legal/privacy' },
	{ id: 'helper-agreement', key: 'helperAgreement', href: '/legal/helper-agreement' },
];

function otherDocs(t, currentId) {
	return el('nav', { class: 'doc-nav', 'aria-label': t('legal.otherDocs') },
		el('ul', {}, DOCS.filter((doc) => doc.id !== currentId).map((doc) =>
			el('li', {}, el('a', { href: doc.href }, t(`legal.${doc.key}.title`))))));
}

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		const doc = DOCS.find((d) => d.id === ctx.params.doc);
		if (!doc) {
			root.append(
				el('h1', {}, t('legal.indexTitle')),
				el('p', { class: 'lead' }, t('legal.indexLead', { version: LEGAL_VERSION })),
				el('ul', {}, DOCS.map((d) => el('li', {},
					el('a', { href: d.href }, t(`legal.${d.key}.title`)), ' — ', t(`legal.${d.key}.summary`)))));
			return;
		}
		root.append(
			el('h1', {}, t(`legal.${doc.key}.title`)),
			el('p', { class: 'doc-meta' }, t('legal.version', { version: LEGAL_VERSION })),
			el('p', { class: 'lead' }, t(`legal.${doc.key}.summary`)),
			...docSections(message(`legal.${doc.key}.sections`)),
			el('h2', {}, t('legal.questionsTitle')),
			el('p', {}, t('legal.questions')),
			otherDocs(t, doc.id));
	},
};
