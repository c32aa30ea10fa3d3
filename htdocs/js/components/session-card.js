import { el, uid } from './dom.js';
import { badge } from './badge.js';
import { t, formatDate } from '/js/shell/i18n.js';

// sessionCard(session, {headingLevel, kudos, favorite, feedback, errorText, toast})
// → <article class="card session-card"> for a HelpSession: who it was with,
// the category, when, the unread count, a link to the chat, and (for the
// seeker of an ended session) the actions after a chat:
//   kudos(session)              → Promise<API result>  "Send kudos" (once);
//   favorite(session, on)       → Promise<API result>  a toggle (aria-pressed);
//   feedback(session, helpful)  → Promise<API result>  "Was this chat helpful?" Yes / No.
// errorText(result) → sentence for failures, toast(text, kind) to say what happened.

function otherName(session) {
	if (session.my_role === 'helper') {
		return session.seeker && session.seeker.display_name ? session.seeker.display_name : t('chat.seeker');
	}
	return session.helper ? session.helper.display_name : t('chat.formerHelper');
}

/** An unread badge (or null at 0): "2 unread". */
export function unreadBadge(count) {
	const n = Number(count) || 0;
	return n > 0 ? el('span', { class: 'badge badge-info unread-badge', 'data-unread': String(n) }, t('chat.unread', { count: n })) : null;
}

export function sessionCard(session, {
	headingLevel = 3, kudos = null, favorite = null, feedback = null, errorText = () => '', toast = () => {},
} = {}) {
	const headingId = uid('session-title');
	const ended = Boolean(session.ended_at);
	const name = otherName(session);
	const when = ended
		? t('activity.sessionDates', { start: formatDate(session.started_at, { dateStyle: 'medium' }), end: formatDate(session.ended_at, { dateStyle: 'medium' }) })
		: t('activity.sessionStarted', { start: formatDate(session.started_at) });
	const unread = unreadBadge(session.unread);
	const actions = [el('a', { class: 'btn btn-secondary btn-small', href: `/chat/${encodeURIComponent(session.id)}`, 'data-action': 'open-chat' },
		ended ? t('activity.viewChat') : t('activity.openChat'))];
	const after = [];

	if (ended && session.my_role === 'seeker' && session.helper) {
		if (kudos) {
			const sent = () => badge(t('activity.kudosSent'), 'success');
			if (session.kudos_given) {
				actions.push(sent());
			} else {
				const node = el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'kudos' }, t('activity.sendKudos'));
				node.addEventListener('click', async () => {
					node.disabled = true;
					const result = await kudos(session);
					if (result.ok || result.status === 409) {
						session.kudos_given = true;
						const done = sent();
						done.tabIndex = -1;
						node.replaceWith(done);
						done.focus();
						toast(t('activity.kudosThanks', { name }), 'success');
						return;
					}
					node.disabled = false;
					toast(errorText(result), 'error');
				});
				actions.push(node);
			}
		}
		if (favorite) {
			const node = el('button', { type: 'button', class: 'btn btn-ghost btn-small favorite-toggle', 'data-action': 'favorite' });
			const draw = () => {
				node.setAttribute('aria-pressed', String(Boolean(session.favorite)));
				node.textContent = t('activity.favorite');
			};
			draw();
			node.addEventListener('click', async () => {
				node.disabled = true;
				const result = await favorite(session, !session.favorite);
				node.disabled = false;
				if (result.ok) {
					session.favorite = result.body && typeof result.body.favorite === 'boolean' ? result.body.favorite : !session.favorite;
					draw();
					toast(t(session.favorite ? 'activity.favoriteAdded' : 'activity.favoriteRemoved', { name }), 'success');
				} else {
					toast(errorText(result), 'error');
				}
			});
			actions.push(node);
		}
		if (feedback) {
			const questionId = uid('feedback-q');
			const box = el('div', { class: 'feedback', role: 'group', 'aria-labelledby': questionId });
			const answered = (helpful) => el('p', { class: 'note', tabindex: '-1' },
				t(helpful ? 'activity.feedbackYes' : 'activity.feedbackNo'));
			if (session.feedback === true || session.feedback === false) {
				box.append(el('p', { id: questionId, class: 'visually-hidden' }, t('activity.feedbackQuestion')), answered(session.feedback));
			} else {
				const ask = (helpful) => {
					const node = el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': helpful ? 'helpful' : 'not-helpful' },
						t(helpful ? 'common.yes' : 'common.no'));
					node.addEventListener('click', async () => {
						for (const b of box.querySelectorAll('button')) {
							b.disabled = true;
						}
						const result = await feedback(session, helpful);
						if (result.ok || result.status === 409) {
							session.feedback = helpful;
							const done = answered(helpful);
							box.querySelector('.actions').replaceWith(done);
							done.focus();
							toast(t('activity.feedbackThanks'), 'success');
							return;
						}
						for (const b of box.querySelectorAll('button')) {
							b.disabled = false;
						}
						toast(errorText(result), 'error');
					});
					return node;
				};
				box.append(el('p', { id: questionId, class: 'feedback-question' }, t('activity.feedbackQuestion')),
					el('p', { class: 'actions' }, ask(true), ask(false)));
			}
			after.push(box);
		}
	}

	return el('article', { class: 'card session-card', 'aria-labelledby': headingId, 'data-session-id': session.id },
		el('header', { class: 'post-card-head' },
			el(`h${headingLevel}`, { id: headingId, class: 'post-card-title' },
				session.my_role === 'seeker' && session.helper
					? el('a', { href: `/helpers/${encodeURIComponent(session.helper.id)}` }, t('activity.sessionWith', { name }))
					: t('activity.sessionWith', { name })),
			unread),
		el('p', { class: 'note' }, t(`categories.${session.category}`), ' · ', when,
			ended && session.ended_by ? ` · ${t(`chat.endedBy.${session.ended_by}`)}` : ''),
		session.post_excerpt ? el('p', { class: 'session-excerpt' }, session.post_excerpt) : null,
		el('p', { class: 'actions' }, actions),
		after);
}
