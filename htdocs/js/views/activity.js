// /activity — a seeker's own activity. Tabs (?tab=):
//   posts     my posts with their status; "View chat" (with the unread count)
//             when a helper took one; "Mark as resolved" (ends its chat);
//             "Share with the community" for a declined private request;
//   sessions  my active chats, and past chats with kudos, favourite and
//             "was it helpful";
//   helpers   my favourite helpers, "Request chat" while one is online
//             (a private request: category and message).
// Live: new messages raise the unread counts; an accepted, ended or declined
// request redraws the tab shown; a `resync` (an event may have been lost)
// redraws it only when its first page changed.
// With the AI available, each past chat has "Summary" (POST
// /api/ai/summarize-session), shown under its card.

import { el } from '/js/components/dom.js';
import { linkButton } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { tabs } from '/js/components/tabs.js';
import { pagedList } from '/js/components/paged-list.js';
import { postCard } from '/js/components/post-card.js';
import { sessionCard, unreadBadge } from '/js/components/session-card.js';
import { helperCard } from '/js/components/helper-card.js';
import { requestDialog } from '/js/components/request-dialog.js';
import { loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { writeErrorText } from '/js/components/write-limit.js';
import { subscribe } from '/js/api/events.js';
import { peer, CATEGORIES, POST_MAX, POST_WARN } from '/js/api/peer.js';
import { aiAsk } from '/js/components/ai-tools.js';
import { ai, aiEnabled, aiStatus } from '/js/api/ai.js';

const TABS = ['posts', 'sessions', 'helpers'];
const PAGE = 20;
let cleanups = [];

/** Ask an online helper for a private chat; shared with the helper profile. */
export async function requestChat(ctx, helper) {
	const { t } = ctx;
	const result = await requestDialog({
		helperName: helper.display_name,
		categories: CATEGORIES,
		max: POST_MAX,
		warnAt: POST_WARN,
		submit: ({ category, content }) => peer.directRequest({ helperId: helper.id, category, content }),
		errorText: (answer) => (answer && answer.status === 409
			? t('request.offline', { name: helper.display_name })
			: writeErrorText(answer, 'directRequests')),
	});
	if (result) {
		ctx.toast(t('request.sent', { name: helper.display_name }), 'success');
	}
	return result;
}

export default {
	async render(root, ctx) {
		const [aiState] = await Promise.all([aiStatus(), loadArea('peer'), loadArea('account'), loadArea('pages')]);
		const aiOn = aiEnabled(aiState);
		if (aiOn) {
			await loadArea('ai');
		}
		const { t } = ctx;
		const fail = (result) => errorText(t, result);
		let refreshShown = () => {};
		// On a `resync` (api/events.js): the tab shown fetches its first page again and redraws only
		// what changed (an acceptance or an end whose event never came), keeping the person's place.
		let resyncShown = () => {};
		const sessionKey = (session) => `${session.id} ${session.ended_at || ''} ${session.helper ? session.helper.id : ''}`;

		// A past chat's card with "Summary" when the AI is on.
		function pastCard(session, options) {
			const card = sessionCard(session, options);
			if (!aiOn || !session.ended_at) {
				return card;
			}
			const ask = aiAsk({
				label: t('ai.sessionSummary.button'),
				title: t('ai.sessionSummary.title'),
				request: () => ai.summarizeSession(session.id),
				pick: (answer) => answer.summary,
				emptyText: t('ai.sessionSummary.none'),
				headingLevel: 4,
				action: 'summarize-session',
			});
			card.append(el('p', { class: 'actions' }, ask.button), ask.output);
			return card;
		}
		let unreadBySession = new Map();

		async function loadUnread() {
			const result = await peer.sessions({ status: 'active', limit: 100 });
			unreadBySession = new Map();
			if (result.ok && result.body && Array.isArray(result.body.items)) {
				for (const session of result.body.items) {
					unreadBySession.set(session.id, Number(session.unread) || 0);
				}
			}
		}

		// ------------------------------------------------------------ posts
		async function renderPosts(panel) {
			states.loading(panel);
			await loadUnread();
			const list = pagedList({
				fetchPage: (cursor) => peer.myPosts({ limit: PAGE, cursor }),
				renderItem: (post) => myPost(post),
				emptyText: t('activity.noPosts'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('activity.tabs.posts'),
				className: 'post-list',
				changeKey: (post) => `${post.id} ${post.status} ${post.session_id || ''}`,
			});

			function myPost(post) {
				const actions = [];
				if (post.session_id) {
					const link = el('a', { class: 'btn btn-secondary btn-small', href: `/chat/${encodeURIComponent(post.session_id)}`, 'data-action': 'view-chat' },
						t('activity.viewChat'));
					actions.push(link, unreadBadge(unreadBySession.get(post.session_id)));
				}
				if (post.status === 'active' || post.status === 'in_progress') {
					actions.push(el('button', {
						type: 'button', class: 'btn btn-ghost btn-small', 'data-action': 'resolve',
						onClick: async (event) => {
							const ok = await ctx.confirm({
								title: t('activity.resolveTitle'), body: t('activity.resolveBody'), confirmLabel: t('activity.resolve'),
							});
							if (!ok) {
								return;
							}
							event.target.disabled = true;
							const result = await peer.resolve(post.id);
							if (!result.ok || !result.body) {
								event.target.disabled = false;
								ctx.toast(fail(result), 'error');
								return;
							}
							list.update(result.body);
							ctx.toast(t('activity.resolved'), 'success');
							focusPost(result.body.id);
						},
					}, t('activity.resolve')));
				}
				if (post.status === 'declined') {
					actions.push(el('button', {
						type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'publish',
						onClick: async (event) => {
							const ok = await ctx.confirm({
								title: t('activity.publishTitle'), body: t('activity.publishBody'), confirmLabel: t('activity.publish'),
							});
							if (!ok) {
								return;
							}
							event.target.disabled = true;
							const result = await peer.publish(post.id);
							if (!result.ok || !result.body) {
								event.target.disabled = false;
								ctx.toast(fail(result), 'error');
								return;
							}
							list.update(result.body);
							ctx.toast(t('activity.published'), 'success');
							focusPost(result.body.id);
						},
					}, t('activity.publish')));
				}
				return postCard(post, { headingLevel: 3, showStatus: true, actions });
			}

			function focusPost(id) {
				const heading = panel.querySelector(`[data-post-id="${CSS.escape(id)}"] .post-card-title`);
				if (heading) {
					heading.tabIndex = -1;
					heading.focus();
				}
			}

			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('activity.tabs.posts')),
				el('p', { class: 'actions' }, linkButton({ label: t('feed.share'), href: '/share' })),
				list.element);
			await list.reload();
			refreshShown = () => renderPosts(panel);
			resyncShown = () => list.refresh();
		}

		// ------------------------------------------------------------ sessions
		function renderSessions(panel) {
			// What the person did on a card stands through a redraw. A live event's refresh can
			// fetch the lists while their kudos, feedback or favourite is still being stored: a
			// redraw made meanwhile is made again once it is stored, and any answer fetched before
			// it is corrected by what the server already said yes to.
			const settled = new Map();
			let redraws = 0;
			const withSettled = (session) => Object.assign(session, settled.get(session.id));
			const act = (request, change) => async (session, ...args) => {
				const seen = redraws;
				const result = await request(session, ...args);
				if (result.ok || result.status === 409) {
					settled.set(session.id, { ...settled.get(session.id), ...change(result, ...args) });
					if (redraws !== seen) {
						refreshShown();
					}
				}
				return result;
			};
			const cardOptions = {
				kudos: act((session) => peer.kudos(session.id), () => ({ kudos_given: true })),
				favorite: act((session, on) => peer.favorite(session.id, on), (result, on) => ({
					favorite: result.body && typeof result.body.favorite === 'boolean' ? result.body.favorite : on,
				})),
				feedback: act((session, helpful) => peer.feedback(session.id, helpful), (result, helpful) => ({ feedback: helpful })),
				errorText: fail,
				toast: ctx.toast,
			};
			const active = pagedList({
				fetchPage: (cursor) => peer.sessions({ status: 'active', limit: PAGE, cursor }),
				renderItem: (session) => sessionCard(withSettled(session), cardOptions),
				changeKey: sessionKey,
				emptyText: t('activity.noActive'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('activity.activeChats'),
				className: 'session-list',
			});
			const past = pagedList({
				fetchPage: (cursor) => peer.sessions({ status: 'ended', limit: PAGE, cursor }),
				renderItem: (session) => pastCard(withSettled(session), cardOptions),
				changeKey: sessionKey,
				emptyText: t('activity.noPast'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('activity.pastChats'),
				className: 'session-list',
			});
			panel.replaceChildren(
				el('section', { 'aria-labelledby': 'activity-active-title' },
					el('h2', { id: 'activity-active-title' }, t('activity.activeChats')), active.element),
				el('section', { 'aria-labelledby': 'activity-past-title' },
					el('h2', { id: 'activity-past-title' }, t('activity.pastChats')), past.element));
			active.reload();
			past.reload();
			refreshShown = () => {
				redraws += 1;
				active.reload();
				past.reload();
			};
			resyncShown = () => {
				active.refresh();
				past.refresh();
			};
		}

		// ------------------------------------------------------------ helpers
		async function renderHelpers(panel) {
			const box = el('div');
			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('activity.tabs.helpers')),
				el('p', { class: 'note' }, t('activity.favoritesLead')), box);
			async function load() {
				states.loading(box);
				const result = await peer.favorites();
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					states.error(box, fail(result), load);
					return;
				}
				if (!result.body.items.length) {
					states.empty(box, t('activity.noFavorites'));
					return;
				}
				box.replaceChildren(el('ul', { class: 'list helper-list', 'aria-label': t('activity.tabs.helpers') },
					result.body.items.map((helper) => el('li', {}, helperCard(helper, {
						headingLevel: 3,
						onRequest: (chosen) => requestChat(ctx, chosen),
					})))));
			}
			await load();
			refreshShown = load;
			resyncShown = () => {};
		}

		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'posts';
		root.append(
			el('h1', {}, t('activity.title')),
			el('p', { class: 'lead' }, t('activity.lead')),
			tabs([
				{ id: 'posts', label: t('activity.tabs.posts'), render: renderPosts },
				{ id: 'sessions', label: t('activity.tabs.sessions'), render: renderSessions },
				{ id: 'helpers', label: t('activity.tabs.helpers'), render: renderHelpers },
			], {
				selected,
				label: t('activity.tabsLabel'),
				onChange: (id) => {
					const url = new URL(window.location.href);
					url.searchParams.set('tab', id);
					window.history.replaceState({}, '', url.pathname + url.search);
				},
			}));

		// Live: unread counts in place; anything else redraws the tab shown.
		let pending = null;
		const later = () => {
			clearTimeout(pending);
			pending = setTimeout(() => refreshShown(), 300);
		};
		cleanups = [
			subscribe('message.new', (event) => {
				if (!event.message || event.message.mine) {
					return;
				}
				const count = (unreadBySession.get(event.session_id) || 0) + 1;
				unreadBySession.set(event.session_id, count);
				for (const holder of root.querySelectorAll(`[data-post-id], [data-session-id="${CSS.escape(event.session_id)}"]`)) {
					const link = holder.querySelector(`a[href="/chat/${CSS.escape(event.session_id)}"]`);
					if (!link) {
						continue;
					}
					const old = holder.querySelector('.unread-badge');
					const fresh = unreadBadge(count);
					if (old) {
						old.replaceWith(fresh);
					} else if (holder.matches('[data-session-id]')) {
						holder.querySelector('.post-card-head').append(fresh);
					} else {
						link.after(fresh);
					}
				}
			}),
			subscribe('session.accepted', later),
			subscribe('session.ended', later),
			subscribe('direct_request.declined', later),
			subscribe('resync', () => resyncShown()),
			() => clearTimeout(pending),
		];
	},
	dispose() {
		for (const off of cleanups) {
			off();
		}
		cleanups = [];
	},
};
