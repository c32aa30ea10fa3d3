// /helper — the helper's side of peer support.
// - No profile yet (GET /api/helpers/me is 404): a form for the bio and the
//   areas of expertise (POST /api/helpers/me).
// - Online / offline (PUT /api/helpers/me/availability): only an online
//   helper can accept posts and receive private requests.
// - Private requests to me (GET /api/posts/requests, then new ones in real
//   time: `direct_request.new`),
//   with Accept and Decline.
// - My active chats, with unread counts kept live.
// - Posts that need support (GET /api/posts?sort=needs_support), with Accept.
// - With the AI available (GET /api/ai/status): a "Summarize" button on those
//   posts (POST /api/ai/summarize-post, the summary under the card), and the
//   posts in two tabs, Available and For you (POST /api/ai/match: each post
//   with the AI's reason, "✨ …").

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { states } from '/js/components/states.js';
import { pagedList } from '/js/components/paged-list.js';
import { postCard } from '/js/components/post-card.js';
import { tabs } from '/js/components/tabs.js';
import { aiAsk, aiErrorText } from '/js/components/ai-tools.js';
import { sessionCard, unreadBadge } from '/js/components/session-card.js';
import { onlineBadge, reputationText } from '/js/components/helper-card.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText } from '/js/api/client.js';
import { subscribe } from '/js/api/events.js';
import { forgetRequest, onRequestsChange, pendingRequests, rememberRequest, watchPeer } from '/js/api/peer-watch.js';
import { peer, EXPERTISE } from '/js/api/peer.js';
import { ai, aiEnabled, aiStatus } from '/js/api/ai.js';
import { acceptPost, reportPost } from './feed.js';

const PAGE = 10;
const BIO_MAX = 1000;
let cleanups = [];

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const fail = (result) => errorText(t, result);
		const heading = el('h1', {}, t('dashboard.title'));
		const body = el('div');
		root.append(heading, body);
		watchPeer();
		let aiOn = false;

		// ------------------------------------------------------------ AI
		// A post card with, when the AI is on, "Summarize" and the summary under the card.
		function cardWithSummary(post, options) {
			if (!aiOn) {
				return postCard(post, options);
			}
			const ask = aiAsk({
				label: t('ai.summary.button'),
				title: t('ai.summary.title'),
				request: () => ai.summarizePost(post.id),
				pick: (answer) => answer.summary,
				emptyText: t('ai.summary.none'),
				headingLevel: (options.headingLevel || 3) + 1,
				action: 'summarize-post',
			});
			const card = postCard(post, { ...options, actions: [...(options.actions || []), ask.button] });
			card.append(ask.output);
			return card;
		}

		// For you: the posts the AI matched to this helper, each with its reason.
		function forYouPanel() {
			const box = el('div', { class: 'ai-match' });
			async function loadMatch() {
				states.loading(box, t('ai.match.working'));
				const result = await ai.match();
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					states.error(box, aiErrorText(result), loadMatch);
					return;
				}
				const again = button({ label: t('ai.match.again'), kind: 'ghost', small: true, onClick: loadMatch });
				const items = result.body.items.filter((item) => item && item.post && item.post.id);
				if (!items.length) {
					box.replaceChildren(el('p', { class: 'state state-empty' }, t('ai.match.empty')), el('p', { class: 'actions' }, again));
					return;
				}
				box.replaceChildren(...[
					result.body.fallback ? el('p', { class: 'ai-fallback-note' }, t('ai.match.fallback')) : null,
					el('ul', { class: 'list post-list', 'aria-label': t('ai.match.tab') }, items.map((item) => {
						const row = el('li', {});
						const post = { ...item.post, content: String(item.post.excerpt || '') };
						const card = cardWithSummary(post, {
							headingLevel: 3,
							accept: (chosen) => acceptPost(ctx, chosen, { onGone: () => row.remove() }),
						});
						if (item.reason) {
							card.querySelector('.post-body').after(el('p', { class: 'ai-reason' },
								el('span', { class: 'ai-spark', 'aria-hidden': 'true' }, '✨ '),
								el('strong', {}, t('ai.match.reasonLabel')), ' ',
								String(item.reason)));
						}
						row.append(card);
						return row;
					})),
					el('p', { class: 'actions' }, again),
				].filter(Boolean));
			}
			return {
				element: el('div', {}, el('p', { class: 'note' }, t('ai.match.lead')), box),
				load: loadMatch,
			};
		}

		// ------------------------------------------------------------ profile form
		function profileForm() {
			const bio = field({ id: 'profile-bio', type: 'textarea', label: t('dashboard.bio'), hint: t('dashboard.bioHint', { max: BIO_MAX }) });
			bio.input.maxLength = BIO_MAX;
			const boxes = EXPERTISE.map((value, index) => field({
				id: `profile-expertise-${index}`, name: 'expertise', type: 'checkbox', value, label: t(`expertise.${value}`),
			}));
			const expertiseError = el('p', { class: 'field-error', id: 'profile-expertise-error', hidden: true });
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const submit = button({ label: t('dashboard.createProfile'), type: 'submit' });
			const form = el('form', { novalidate: true },
				bio.element,
				el('fieldset', { class: 'field', 'aria-describedby': 'profile-expertise-error' },
					el('legend', {}, t('dashboard.expertise')),
					boxes.map((box) => box.element),
					expertiseError),
				el('p', { class: 'actions' }, submit),
				status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const chosen = boxes.filter((box) => box.input.checked).map((box) => box.input.value);
				const text = bio.input.value.trim();
				bio.setError(text ? null : t('dashboard.errors.bio'));
				expertiseError.hidden = chosen.length > 0;
				expertiseError.textContent = chosen.length ? '' : t('dashboard.errors.expertise');
				if (!text) {
					bio.input.focus();
					return;
				}
				if (!chosen.length) {
					boxes[0].input.focus();
					return;
				}
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('dashboard.saving');
				const result = await peer.createProfile({ bio: text, expertise: chosen });
				submit.disabled = false;
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = fail(result);
					applyFieldErrors({ bio }, result);
					return;
				}
				ctx.toast(t('dashboard.profileCreated'), 'success');
				dashboard(result.body);
				heading.focus();
			});
			body.replaceChildren(
				el('section', { class: 'panel', 'aria-labelledby': 'profile-form-title' },
					el('h2', { id: 'profile-form-title' }, t('dashboard.profileTitle')),
					el('p', {}, t('dashboard.profileLead')),
					form));
		}

		// ------------------------------------------------------------ dashboard
		function dashboard(profile) {
			let online = Boolean(profile.online);
			const toggle = el('button', { type: 'button', role: 'switch', class: 'btn btn-secondary switch', id: 'availability-toggle' },
				el('span', { class: 'switch-track', 'aria-hidden': 'true' }, el('span', { class: 'switch-thumb' })),
				el('span', {}, t('dashboard.available')));
			const stateText = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const badgeHolder = el('span');
			const draw = () => {
				toggle.setAttribute('aria-checked', String(online));
				badgeHolder.replaceChildren(onlineBadge({ online }));
			};
			draw();
			toggle.addEventListener('click', async () => {
				toggle.disabled = true;
				const result = await peer.setAvailability(!online);
				toggle.disabled = false;
				toggle.focus();
				if (!result.ok || !result.body) {
					stateText.className = 'status status-error';
					stateText.textContent = fail(result);
					return;
				}
				online = Boolean(result.body.online);
				draw();
				stateText.className = 'status status-success';
				stateText.textContent = t(online ? 'dashboard.nowOnline' : 'dashboard.nowOffline');
			});

			// Private requests.
			const requestsBox = el('div');
			function drawRequests() {
				const list = pendingRequests();
				if (!list.length) {
					states.empty(requestsBox, t('dashboard.noRequests'));
					return;
				}
				requestsBox.replaceChildren(el('ul', { class: 'list post-list', 'aria-label': t('dashboard.requests') },
					list.map((post) => el('li', {}, postCard(post, {
						headingLevel: 3,
						actions: [
							el('button', {
								type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'accept',
								onClick: async () => {
									const result = await acceptPost(ctx, post, { onGone: () => forgetRequest(post.id) });
									if (result.ok) {
										forgetRequest(post.id);
									}
								},
							}, t('post.accept')),
							el('button', {
								type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'decline',
								onClick: async () => {
									const ok = await ctx.confirm({ title: t('dashboard.declineTitle'), body: t('dashboard.declineBody'), confirmLabel: t('dashboard.decline') });
									if (!ok) {
										return;
									}
									const result = await peer.decline(post.id);
									if (result.ok || result.status === 404 || result.status === 409) {
										forgetRequest(post.id);
										ctx.toast(t('dashboard.declined'), 'success');
										heading.focus();
										return;
									}
									ctx.toast(fail(result), 'error');
								},
							}, t('dashboard.decline')),
						],
					})))));
			}

			// Active chats.
			const active = pagedList({
				fetchPage: (cursor) => peer.sessions({ status: 'active', limit: 50, cursor }),
				renderItem: (session) => sessionCard(session, { headingLevel: 3 }),
				emptyText: t('dashboard.noActive'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('dashboard.activeChats'),
				className: 'session-list',
			});

			// Posts that need support.
			const waiting = pagedList({
				fetchPage: (cursor) => peer.feed({ sort: 'needs_support', limit: PAGE, cursor }),
				renderItem: (post) => cardWithSummary(post, {
					headingLevel: 3,
					support: (item, on) => peer.support(item.id, on),
					report: (item) => reportPost(ctx, item, () => waiting.remove(item.id)),
					accept: post.mine ? null : (item) => acceptPost(ctx, item, { onGone: () => waiting.remove(item.id) }),
				}),
				emptyText: t('dashboard.noWaiting'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('dashboard.waiting'),
				className: 'post-list',
			});

			body.replaceChildren(
				el('section', { class: 'panel', 'aria-labelledby': 'dashboard-availability' },
					el('h2', { id: 'dashboard-availability' }, t('dashboard.availability'), ' ', badgeHolder),
					el('p', {}, t('dashboard.availabilityLead')),
					el('p', { class: 'actions' }, toggle),
					stateText,
					el('p', { class: 'note' }, reputationText(profile), ' · ',
						el('a', { href: `/helpers/${encodeURIComponent(profile.id)}` }, t('dashboard.publicProfile')))),
				el('section', { 'aria-labelledby': 'dashboard-requests' },
					el('h2', { id: 'dashboard-requests' }, t('dashboard.requests')),
					el('p', { class: 'note' }, t('dashboard.requestsLead')),
					requestsBox),
				el('section', { 'aria-labelledby': 'dashboard-active' },
					el('h2', { id: 'dashboard-active' }, t('dashboard.activeChats')),
					active.element),
				el('section', { 'aria-labelledby': 'dashboard-waiting' },
					el('h2', { id: 'dashboard-waiting' }, t('dashboard.waiting')),
					waitingContent()));
			drawRequests();
			active.reload();
			waiting.reload();

			// Posts that need support: the list, or with the AI on, tabs Available and For you.
			function waitingContent() {
				const available = [waiting.element,
					el('p', {}, linkButton({ label: t('dashboard.toFeed'), href: '/feed?tab=community', kind: 'ghost' }))];
				if (!aiOn) {
					return available;
				}
				let forYou = null;
				return tabs([
					{ id: 'available', label: t('ai.match.available'), render: (panel) => panel.append(...available) },
					{
						id: 'for-you',
						label: t('ai.match.tab'),
						render: (panel) => {
							if (!forYou) {
								forYou = forYouPanel();
								forYou.load();
							}
							panel.append(forYou.element);
						},
					},
				], { label: t('dashboard.waiting') });
			}

			// The requests waiting for me, from the server (real-time arrivals join them later);
			// any remembered earlier in this page's life and answered elsewhere are dropped.
			peer.requestsToMe({ limit: 100 }).then((result) => {
				if (!result.ok || !result.body) {
					return;
				}
				const waitingIds = new Set(result.body.items.map((post) => post.id));
				for (const post of pendingRequests()) {
					if (!waitingIds.has(post.id)) {
						forgetRequest(post.id);
					}
				}
				for (const post of [...result.body.items].reverse()) {
					rememberRequest(post);
				}
			});

			let pendingReload = null;
			const reloadActive = () => {
				clearTimeout(pendingReload);
				pendingReload = setTimeout(() => active.reload(), 300);
			};
			cleanups.push(
				onRequestsChange(drawRequests),
				subscribe('message.new', (event) => {
					if (!event.message || event.message.mine) {
						return;
					}
					const card = body.querySelector(`.session-card[data-session-id="${CSS.escape(event.session_id)}"]`);
					if (!card) {
						reloadActive();
						return;
					}
					const old = card.querySelector('.unread-badge');
					const count = (old ? Number(old.dataset.unread) : 0) + 1;
					const fresh = unreadBadge(count);
					if (old) {
						old.replaceWith(fresh);
					} else {
						card.querySelector('.post-card-head').append(fresh);
					}
				}),
				subscribe('session.accepted', reloadActive),
				subscribe('session.ended', reloadActive),
				() => clearTimeout(pendingReload));
		}

		async function load() {
			states.loading(body);
			const [result, aiState] = await Promise.all([peer.myProfile(), aiStatus()]);
			aiOn = aiEnabled(aiState);
			if (aiOn) {
				await loadArea('ai');
			}
			if (result.status === 404) {
				profileForm();
				return;
			}
			if (result.status === 403) {
				states.empty(body, t('dashboard.helpersOnly'));
				return;
			}
			if (!result.ok || !result.body) {
				states.error(body, fail(result), load);
				return;
			}
			dashboard(result.body);
		}

		await load();
	},
	dispose() {
		for (const off of cleanups) {
			off();
		}
		cleanups = [];
	},
};
