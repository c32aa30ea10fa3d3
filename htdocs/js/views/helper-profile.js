// /helpers/:id — a helper's public profile (GET /api/helpers/{id}): tier,
// the month they joined, bio, reputation out of 5 (two decimals, from the
// "was it helpful" answers), kudos, sessions, level, achievements, expertise;
// a seeker can request a private chat while the helper is online.

import { el } from '/js/components/dom.js';
import { badge } from '/js/components/badge.js';
import { meter } from '/js/components/meter.js';
import { states } from '/js/components/states.js';
import { onlineBadge, reputationText } from '/js/components/helper-card.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { peer } from '/js/api/peer.js';
import { requestChat } from './activity.js';

function row(term, ...details) {
	return [el('dt', {}, term), el('dd', {}, ...details)];
}

function paragraphs(text) {
	return String(text || '').split(/\n{2,}/).map((part) => part.trim()).filter(Boolean).map((part) => el('p', {}, part));
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const heading = el('h1', {}, t('helper.profileTitle'));
		const body = el('div');
		root.append(heading, body);
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : 'seeker';

		async function load() {
			states.loading(body);
			const result = await peer.helper(ctx.params.id);
			if (!result.ok || !result.body) {
				states.error(body, result.status === 404 ? t('helper.notFound') : errorText(t, result), result.status === 404 ? null : load);
				return;
			}
			show(result.body);
		}

		function show(profile) {
			heading.textContent = profile.display_name;
			const level = Number(profile.level) || 1;
			const xp = Number(profile.xp) || 0;
			const nextXp = Number(profile.next_level_xp) || level * 100;
			const achievements = Array.isArray(profile.achievements) ? profile.achievements : [];
			const expertise = Array.isArray(profile.expertise) ? profile.expertise : [];
			const achievementName = (id) => (typeof message(`achievements.${id}.name`) === 'string' ? t(`achievements.${id}.name`) : id);
			const achievementText = (id) => (typeof message(`achievements.${id}.text`) === 'string' ? t(`achievements.${id}.text`) : '');
			const request = role === 'seeker' && profile.online
				? el('p', { class: 'actions' }, el('button', {
					type: 'button', class: 'btn btn-primary', 'data-action': 'request',
					onClick: () => requestChat(ctx, profile),
				}, t('helper.requestChat')))
				: null;
			body.replaceChildren(...[
				el('p', { class: 'badges' }, badge(t(`helper.tiers.${profile.helper_tier || 'community'}`), 'info'), ' ', onlineBadge(profile)),
				request,
				el('section', { class: 'panel', 'aria-labelledby': 'helper-about' },
					el('h2', { id: 'helper-about' }, t('helper.about')),
					profile.bio ? paragraphs(profile.bio) : el('p', { class: 'note' }, t('helper.noBio')),
					el('dl', { class: 'details' },
						row(t('helper.joined'), formatDate(profile.joined_at, { year: 'numeric', month: 'long' })),
						row(t('helper.reputationLabel'), reputationText(profile)),
						row(t('helper.kudos'), String(Number(profile.kudos) || 0)),
						row(t('helper.sessions'), String(Number(profile.sessions) || 0)),
						row(t('helper.level'), t('helper.levelValue', { level, xp })))),
				meter({ value: xp, max: nextXp, label: t('helper.nextLevel', { level: level + 1 }), valueText: t('helper.xpOf', { xp, max: nextXp }) }),
				el('section', { 'aria-labelledby': 'helper-expertise' },
					el('h2', { id: 'helper-expertise' }, t('helper.expertise')),
					expertise.length
						? el('ul', { class: 'tag-list' }, expertise.map((item) => el('li', { class: 'tag' }, t(`expertise.${item}`))))
						: el('p', { class: 'note' }, t('helper.noExpertise'))),
				el('section', { 'aria-labelledby': 'helper-achievements' },
					el('h2', { id: 'helper-achievements' }, t('helper.achievements')),
					achievements.length
						? el('ul', { class: 'list' }, achievements.map((a) => el('li', {},
							el('strong', {}, achievementName(a.id)), achievementText(a.id) ? ` — ${achievementText(a.id)}` : '',
							a.awarded_at ? el('span', { class: 'note' }, ' · ', formatDate(a.awarded_at, { dateStyle: 'medium' })) : null)))
						: el('p', { class: 'note' }, t('helper.noAchievements')))].filter(Boolean));
		}

		await load();
	},
};
