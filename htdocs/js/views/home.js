// Home: the landing page when signed out (what Astral Core is, the crisis
// block, the ways in); a welcome with the main links when signed in.

import { el } from '/js/components/dom.js';
import { card } from '/js/components/card.js';
import { linkButton } from '/js/components/button.js';
import { crisisBlock } from '/js/components/crisis-block.js';
import { loadArea } from '/js/shell/i18n.js';
import { peer } from '/js/api/peer.js';

/**
 * "N helpers are online now" (GET /api/helpers/online-count), filled in when the answer comes; with
 * none online, what a person can still do. Nothing when the count cannot be had.
 */
function onlineNote(t) {
	const note = el('p', { class: 'note online-count', 'aria-live': 'polite' });
	peer.onlineCount().then((result) => {
		const count = result.ok && result.body ? Number(result.body.online) : NaN;
		if (Number.isInteger(count) && count >= 0) {
			note.dataset.online = String(count);
			note.textContent = count > 0 ? t('home.online', { count }) : t('home.onlineNone');
		}
	});
	return note;
}

function landing(root, t) {
	const expect = ['peer', 'anonymous', 'private', 'leave'].map((id) =>
		el('li', {}, el('strong', {}, t(`home.expect.${id}.title`)), ' ', t(`home.expect.${id}.text`)));
	const recover = el('p', {}, t('home.waysIn.recoverIntro'), ' ',
		el('a', { href: '/recover' }, t('home.waysIn.recoverLink')), '.');
	root.append(
		el('h1', {}, t('home.title')),
		el('p', { class: 'lead' }, t('home.lead')),
		onlineNote(t),
		crisisBlock(),
		el('section', { 'aria-labelledby': 'ways-in-title' },
			el('h2', { id: 'ways-in-title' }, t('home.waysIn.title')),
			el('div', { class: 'cards' },
				card({
					title: t('home.waysIn.seeker.title'),
					headingLevel: 3,
					body: t('home.waysIn.seeker.text'),
					actions: [linkButton({ label: t('home.waysIn.seeker.action'), href: '/start' })],
				}),
				card({
					title: t('home.waysIn.helper.title'),
					headingLevel: 3,
					body: t('home.waysIn.helper.text'),
					actions: [
						linkButton({ label: t('home.waysIn.helper.signin'), href: '/signin', kind: 'secondary' }),
						linkButton({ label: t('home.waysIn.helper.register'), href: '/register', kind: 'ghost' }),
					],
				})),
			recover),
		el('section', { 'aria-labelledby': 'expect-title' },
			el('h2', { id: 'expect-title' }, t('home.expect.title')),
			el('ul', {}, expect)));
}

function welcome(root, t, user) {
	const links = [
		['settings', '/settings', 'primary'],
		['crisis', '/crisis', 'crisis'],
		['quiet', '/quiet-space', 'secondary'],
		['guidelines', '/guidelines', 'secondary'],
	];
	root.append(
		el('h1', {}, t('home.welcome.title', { name: user.display_name || user.username || '' })),
		el('p', { class: 'lead' }, t(`home.welcome.lead.${user.role === 'seeker' ? 'seeker' : 'helper'}`)),
		user.role === 'seeker' ? onlineNote(t) : null,
		el('section', { 'aria-labelledby': 'shortcuts-title' },
			el('h2', { id: 'shortcuts-title', class: 'visually-hidden' }, t('home.welcome.shortcuts')),
			el('div', { class: 'cards' }, links.map(([id, href, kind]) => card({
				title: t(`home.welcome.${id}.title`),
				body: t(`home.welcome.${id}.text`),
				actions: [linkButton({ label: t(`home.welcome.${id}.action`), href, kind })],
			})))),
		el('p', { class: 'note' }, t('home.welcome.reminder')));
}

export default {
	async render(root, ctx) {
		await loadArea('pages');
		if (ctx.session && ctx.session.user) {
			welcome(root, ctx.t, ctx.session.user);
		} else {
			landing(root, ctx.t);
		}
	},
};
