// Crisis resources: the host's crisis lines, its emergency number and Find A
// Helpline (js/api/host-crisis-lines.js, the same list a crisis answer
// carries). The static /crisis.html lists every country's lines and keeps
// working without JavaScript and offline.

import { el } from '/js/components/dom.js';
import { crisisList } from '/js/components/crisis-card.js';
import { loadArea, message } from '/js/shell/i18n.js';
import { hostCrisisLines, refreshHostCrisisLines, regionName } from '/js/api/host-crisis-lines.js';

const WAIT_MS = 2000;   // a slow network: show the lines kept on this device rather than wait

// What the catalogue says of a line beyond its contact (988's options), when we know the line.
function details(lines) {
	return lines.flatMap((line) => {
		const notes = message(`crisis.details.${line.id}`);
		return Array.isArray(notes) ? notes : [];
	});
}

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		const { region, lines } = await Promise.race([refreshHostCrisisLines(),
			new Promise((resolve) => setTimeout(() => resolve(hostCrisisLines()), WAIT_MS))]);
		const notes = details(lines);
		root.append(
			el('h1', {}, t('crisis.title')),
			el('section', { class: 'crisis', 'aria-labelledby': 'danger-title' },
				el('h2', { id: 'danger-title' }, t('crisis.danger.title')),
				el('p', { class: 'danger-callout' }, t('crisis.danger.text')),
				el('h2', { id: 'talk-title' }, t('crisis.talk.title', { country: regionName(region) })),
				el('p', {}, t('crisis.talk.intro')),
				crisisList(lines, { headingLevel: 2 }),
				notes.length ? el('ul', {}, notes.map((note) => el('li', {}, note))) : null,
				el('p', {}, t('crisisBlock.abroad', { country: regionName(region) }))),
			el('section', { 'aria-labelledby': 'calm-title' },
				el('h2', { id: 'calm-title' }, t('crisis.calm.title')),
				el('p', {}, t('crisis.calm.text'), ' ', el('a', { href: '/quiet-space' }, t('crisis.calm.link')), '.')),
			el('section', { 'aria-labelledby': 'about-title' },
				el('h2', { id: 'about-title' }, t('crisis.about.title')),
				el('p', {}, t('crisis.about.text')),
				el('p', {}, el('a', { href: '/crisis.html' }, t('crisis.about.offline')))));
	},
};
