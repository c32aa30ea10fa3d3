import { el, uid } from './dom.js';
import { badge } from './badge.js';
import { t, getLanguage } from '/js/shell/i18n.js';

// helperCard(profile, {headingLevel, onRequest}) → <article class="card helper-card">
// A HelperProfile in short: name (a link to the public profile), tier,
// online or offline, reputation out of 5 with two decimals, expertise.
// onRequest(profile) adds "Request chat" while the helper is online.

/** "4.50" in the page's language, or null when there is no reputation yet. */
export function formatReputation(value) {
	if (value === null || value === undefined || !Number.isFinite(Number(value))) {
		return null;
	}
	return new Intl.NumberFormat(getLanguage(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(value));
}

export function reputationText(profile) {
	const value = formatReputation(profile.reputation);
	return value === null
		? t('helper.noReputation')
		: t('helper.reputation', { value, count: Number(profile.feedback_count) || 0 });
}

export function onlineBadge(profile) {
	return profile.online ? badge(t('helper.online'), 'success') : badge(t('helper.offline'), 'neutral');
}

export function helperCard(profile, { headingLevel = 3, onRequest = null } = {}) {
	const headingId = uid('helper-title');
	const expertise = Array.isArray(profile.expertise) ? profile.expertise : [];
	return el('article', { class: 'card helper-card', 'aria-labelledby': headingId, 'data-helper-id': profile.id },
		el(`h${headingLevel}`, { id: headingId },
			el('a', { href: `/helpers/${encodeURIComponent(profile.id)}` }, profile.display_name)),
		el('p', { class: 'badges' },
			badge(t(`helper.tiers.${profile.helper_tier || 'community'}`), 'info'), ' ', onlineBadge(profile)),
		el('p', {}, reputationText(profile)),
		expertise.length
			? el('p', { class: 'note' }, t('helper.expertiseList', { list: expertise.map((e) => t(`expertise.${e}`)).join(', ') }))
			: null,
		onRequest && profile.online
			? el('p', { class: 'actions' }, el('button', {
				type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'request', onClick: () => onRequest(profile),
			}, t('helper.requestChat')))
			: null);
}
