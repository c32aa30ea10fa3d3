// /helper — the helper's side of peer support.
// - No profile yet (GET /api/helpers/me is 404): a form for the bio and the
//   areas of expertise (POST /api/helpers/me).
// - "Welcome, {name}. Level N" with the XP bar, Edit profile (PUT
//   /api/helpers/me) and the public profile, from GET /api/helpers/me/dashboard
//   (profile, counts, stats, all achievements with progress, certification,
//   wellbeing). Should that route fail, the profile alone is shown.
// - Online / offline (PUT /api/helpers/me/availability): only an online
//   helper can accept posts and receive private requests.
// - The gentle limit: after a high-severity chat the dashboard says I am
//   resting, with "Take a break" (goes offline) and "I'm okay, continue"
//   (ends the rest: end_rest).
// - "Become a certified helper" for community-tier helpers.
// - Tabs (?tab=): For you (the AI's matches with "✨ reason" when the AI is
//   available, else GET /api/posts/for-you), Requests (N) (GET
//   /api/posts/requests, then `direct_request.new` in real time; Accept,
//   Decline), Available (N, "100+") (GET /api/posts?sort=needs_support, with
//   "Summarize" when the AI is on), My active (N) (unread counts kept live),
//   History (ended chats), My stats, Achievements. Offline hides For you,
//   Requests and Available. Without ?tab= the first of Requests (when some
//   wait), My active (when there are chats) and Available is shown.

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { meter } from '/js/components/meter.js';
import { modal } from '/js/components/modal.js';
import { states } from '/js/components/states.js';
import { pagedList } from '/js/components/paged-list.js';
import { postCard } from '/js/components/post-card.js';
import { tabs } from '/js/components/tabs.js';
import { achievementList } from '/js/components/achievement-list.js';
import { aiAsk, aiErrorText } from '/js/components/ai-tools.js';
import { sessionCard, unreadBadge } from '/js/components/session-card.js';
import { formatReputation, onlineBadge, reputationText } from '/js/components/helper-card.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText } from '/js/api/client.js';
import { subscribe } from '/js/api/events.js';
import { forgetRequest, onRequestsChange, pendingRequests, syncRequests, watchPeer } from '/js/api/peer-watch.js';
import { peer, BIO_MAX, EXPERTISE } from '/js/api/peer.js';
import { program } from '/js/api/helpers-program.js';
import { ai, aiEnabled, aiStatus } from '/js/api/ai.js';
import { acceptPost, reportPost } from './feed.js';

const PAGE = 10;
const TABS = ['for-you', 'requests', 'available', 'active', 'history', 'stats', 'achievements'];
const ONLINE_ONLY = new Set(['for-you', 'requests', 'available']);
let cleanups = [];

function replaceQuery(tab) {
	const url = new URL(window.location.href);
	url.searchParams.set('tab', tab);
	window.history.replaceState(window.history.state, '', url.pathname + url.search);
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account'), loadArea('helpers')]);
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

		// For you with the AI: the posts it matched to this helper, each with its reason.
		function aiForYouPanel() {
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

		// ------------------------------------------------------------ profile fields
		// The bio and the areas of expertise, for the create form and the edit dialog.
		function profileFields(prefix, profile = null) {
			const bio = field({
				id: `${prefix}-bio`, type: 'textarea', label: t('dashboard.bio'), hint: t('dashboard.bioHint', { max: BIO_MAX }),
				value: profile ? String(profile.bio || '') : null,
			});
			bio.input.maxLength = BIO_MAX;
			const chosen = new Set(profile && Array.isArray(profile.expertise) ? profile.expertise : []);
			const boxes = EXPERTISE.map((value, index) => field({
				id: `${prefix}-expertise-${index}`, name: 'expertise', type: 'checkbox', value, label: t(`expertise.${value}`),
				checked: chosen.has(value),
			}));
			const expertiseError = el('p', { class: 'field-error', id: `${prefix}-expertise-error`, hidden: true });
			const fieldset = el('fieldset', { class: 'field', 'aria-describedby': expertiseError.id },
				el('legend', {}, t('dashboard.expertise')),
				boxes.map((box) => box.element),
				expertiseError);
			// The values, or null after showing what is missing (and focusing it).
			function read() {
				const expertise = boxes.filter((box) => box.input.checked).map((box) => box.input.value);
				const text = bio.input.value.trim();
				bio.setError(text ? null : t('dashboard.errors.bio'));
				expertiseError.hidden = expertise.length > 0;
				expertiseError.textContent = expertise.length ? '' : t('dashboard.errors.expertise');
				if (!text) {
					bio.input.focus();
					return null;
				}
				if (!expertise.length) {
					boxes[0].input.focus();
					return null;
				}
				return { bio: text, expertise };
			}
			return { bio, elements: [bio.element, fieldset], read };
		}

		// ------------------------------------------------------------ profile form
		function profileForm() {
			const fields = profileFields('profile');
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const submit = button({ label: t('dashboard.createProfile'), type: 'submit' });
			const form = el('form', { novalidate: true }, fields.elements, el('p', { class: 'actions' }, submit), status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const values = fields.read();
				if (!values) {
					return;
				}
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('dashboard.saving');
				const result = await peer.createProfile(values);
				submit.disabled = false;
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = fail(result);
					applyFieldErrors({ bio: fields.bio }, result);
					return;
				}
				ctx.toast(t('dashboard.profileCreated'), 'success');
				const dash = await program.dashboard();
				dashboard(result.body, dash.ok && dash.body ? dash.body : null);
				heading.focus();
			});
			body.replaceChildren(
				el('section', { class: 'panel', 'aria-labelledby': 'profile-form-title' },
					el('h2', { id: 'profile-form-title' }, t('dashboard.profileTitle')),
					el('p', {}, t('dashboard.profileLead')),
					form));
		}

		// ------------------------------------------------------------ dashboard
		// hasActive: without the dashboard's counts, whether an active chat was found.
		function dashboard(firstProfile, dash, { hasActive = false } = {}) {
			let profile = { ...firstProfile, ...(dash && dash.profile ? dash.profile : {}) };
			let online = Boolean(profile.online);
			let counts = dash && dash.counts ? { ...dash.counts } : null;
			let stats = dash && dash.stats ? dash.stats : null;
			let achievements = dash && Array.isArray(dash.achievements) ? dash.achievements : null;
			const certification = dash && dash.certification ? dash.certification : null;
			const wellbeing = dash && dash.wellbeing ? dash.wellbeing : { resting: false };
			let requestsLoaded = false;
			let chosenTab = TABS.includes(ctx.query.tab) ? ctx.query.tab : null;

			// -------------------------------------------------- header: welcome, level, XP
			const progressBox = el('div', { class: 'helper-progress' });
			function drawProgress() {
				const level = Number((stats && stats.level) || profile.level) || 1;
				const xp = Number((stats && stats.xp) ?? profile.xp) || 0;
				const nextXp = Number((stats && stats.next_level_xp) || profile.next_level_xp) || level * 100;
				heading.textContent = t('program.welcome', { name: profile.display_name, level });
				const tier = profile.helper_tier || 'community';
				progressBox.replaceChildren(
					el('p', { class: 'badges' },
						el('span', { class: `badge badge-${tier === 'certified' ? 'success' : 'info'}`, 'data-tier': tier }, t(`helper.tiers.${tier}`))),
					meter({ value: xp, max: nextXp, label: t('program.xpLabel', { level }), valueText: t('helper.xpOf', { xp, max: nextXp }) }),
					el('p', { class: 'actions' },
						button({ label: t('program.editProfile'), kind: 'secondary', small: true, onClick: editProfile }),
						el('a', { href: `/helpers/${encodeURIComponent(profile.id)}` }, t('dashboard.publicProfile'))));
			}

			function editProfile() {
				const fields = profileFields('edit-profile', profile);
				const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
				let handle = null;
				const save = button({ label: t('common.save'), type: 'submit' });
				const form = el('form', { novalidate: true }, fields.elements, status,
					el('p', { class: 'actions' }, button({ label: t('common.cancel'), kind: 'secondary', onClick: () => handle.close('cancel') }), save));
				form.addEventListener('submit', async (event) => {
					event.preventDefault();
					const values = fields.read();
					if (!values) {
						return;
					}
					save.disabled = true;
					status.className = 'status';
					status.textContent = t('dashboard.saving');
					const result = await peer.updateProfile(values);
					save.disabled = false;
					if (!result.ok || !result.body) {
						status.className = 'status status-error';
						status.textContent = fail(result);
						applyFieldErrors({ bio: fields.bio }, result);
						return;
					}
					profile = { ...profile, ...result.body };
					handle.close('done');
					ctx.toast(t('program.profileSaved'), 'success');
					drawProgress();
				});
				handle = modal({ title: t('program.editProfileTitle'), content: form });
			}

			// -------------------------------------------------- availability
			const toggle = el('button', { type: 'button', role: 'switch', class: 'btn btn-secondary switch', id: 'availability-toggle' },
				el('span', { class: 'switch-track', 'aria-hidden': 'true' }, el('span', { class: 'switch-thumb' })),
				el('span', {}, t('dashboard.available')));
			const stateText = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const badgeHolder = el('span');
			const offlineNote = el('p', { class: 'note' }, t('program.offlineNote'));
			const draw = () => {
				toggle.setAttribute('aria-checked', String(online));
				badgeHolder.replaceChildren(onlineBadge({ online }));
				offlineNote.hidden = online;
			};
			draw();
			async function setOnline(wanted) {
				toggle.disabled = true;
				const result = await peer.setAvailability(wanted);
				toggle.disabled = false;
				if (!result.ok || !result.body) {
					stateText.className = 'status status-error';
					stateText.textContent = fail(result);
					return false;
				}
				online = Boolean(result.body.online);
				draw();
				stateText.className = 'status status-success';
				// While resting the profile reads offline whatever the switch says.
				stateText.textContent = wanted && !online && wellbeing.resting
					? t('program.rest.stillResting')
					: t(online ? 'dashboard.nowOnline' : 'dashboard.nowOffline');
				drawTabs();
				refreshCounts();
				return true;
			}
			toggle.addEventListener('click', async () => {
				await setOnline(!online);
				toggle.focus();
			});

			// -------------------------------------------------- the gentle limit
			function restNotice() {
				if (!wellbeing.resting) {
					return null;
				}
				const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
				const until = wellbeing.rest_until ? formatDate(wellbeing.rest_until, { timeStyle: 'short' }) : null;
				const rest = button({
					label: t('program.rest.takeBreak'),
					kind: 'primary',
					onClick: async () => {
						// Off, switch and all: the rest may end before the break does.
						if (!(await setOnline(false))) {
							return;
						}
						status.className = 'status status-success';
						status.replaceChildren(t('program.rest.resting'), ' ', el('a', { href: '/quiet-space' }, t('program.rest.quietSpace')));
					},
				});
				const carryOn = button({
					label: t('program.rest.continue'),
					kind: 'secondary',
					onClick: async () => {
						carryOn.disabled = true;
						const result = await program.endRest();
						carryOn.disabled = false;
						if (!result.ok) {
							status.className = 'status status-error';
							status.textContent = fail(result);
							return;
						}
						wellbeing.resting = false;
						if (result.body && typeof result.body.online === 'boolean') {
							online = result.body.online;
							draw();
						}
						notice.remove();
						ctx.toast(t('program.rest.ended'), 'success');
						drawTabs();
						refreshCounts();
						heading.focus();
					},
				});
				const notice = el('section', { class: 'panel rest-notice', 'aria-labelledby': 'rest-title' },
					el('h2', { id: 'rest-title' }, t('program.rest.title')),
					el('p', {}, t('program.rest.text')),
					el('p', {}, until ? t('program.rest.until', { time: until }) : t('program.rest.noMatches')),
					el('p', { class: 'actions' }, rest, carryOn),
					status);
				return notice;
			}

			// -------------------------------------------------- certification card
			function certificationCard() {
				if (profile.helper_tier === 'certified') {
					return null;
				}
				const state = certification ? certification.status : 'none';
				const trained = Boolean(certification && certification.training_completed);
				let key = 'untrained';
				if (state === 'pending') {
					key = 'pending';
				} else if (state === 'rejected') {
					key = 'rejected';
				} else if (state === 'approved') {
					key = 'approved';
				} else if (trained) {
					key = 'trained';
				}
				return el('section', { class: 'panel certify-card', 'aria-labelledby': 'certify-title' },
					el('h2', { id: 'certify-title' }, t('program.certify.title')),
					el('p', {}, t(`program.certify.text.${key}`)),
					el('p', { class: 'actions' },
						linkButton({ label: t(`program.certify.link.${key}`), href: key === 'untrained' ? '/helper/training' : '/helper/certification', kind: 'secondary' })));
			}

			// -------------------------------------------------- the lists
			const requestsBox = el('div');
			const requestsLive = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
			let shownRequests = 0;
			function drawRequests() {
				const list = pendingRequests();
				if (requestsLoaded && list.length > shownRequests) {
					requestsLive.textContent = t('program.requestArrived', { count: list.length });
				}
				shownRequests = list.length;
				if (requestsLoaded && counts) {
					counts.requests = list.length;
				}
				drawLabels();
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

			const active = pagedList({
				fetchPage: (cursor) => peer.sessions({ status: 'active', limit: 50, cursor }),
				renderItem: (session) => sessionCard(session, { headingLevel: 3 }),
				changeKey: (session) => `${session.id} ${session.unread || 0}`,
				emptyText: t('dashboard.noActive'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('dashboard.activeChats'),
				className: 'session-list',
			});

			const history = pagedList({
				fetchPage: (cursor) => peer.sessions({ status: 'ended', limit: PAGE, cursor }),
				renderItem: (session) => sessionCard(session, { headingLevel: 3 }),
				emptyText: t('program.noHistory'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('program.tabs.history'),
				className: 'session-list',
			});

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

			// For you without the AI: the posts the server suggests (GET /api/posts/for-you).
			const forYouPosts = pagedList({
				fetchPage: (cursor) => peer.forYou({ limit: PAGE, cursor }),
				renderItem: (post) => postCard(post, {
					headingLevel: 3,
					accept: post.mine ? null : (item) => acceptPost(ctx, item, { onGone: () => forYouPosts.remove(item.id) }),
				}),
				emptyText: t('program.forYouEmpty'),
				moreLabel: t('feed.loadMore'),
				errorText: fail,
				label: t('program.tabs.forYou'),
				className: 'post-list',
			});
			let aiForYou = null;

			// -------------------------------------------------- stats and achievements
			function statsPanel(panel) {
				const reputation = stats ? stats.reputation : profile.reputation;
				const feedbackCount = Number(stats ? stats.feedback_count : profile.feedback_count) || 0;
				const value = formatReputation(reputation);
				const level = Number((stats && stats.level) || profile.level) || 1;
				const xp = Number((stats && stats.xp) ?? profile.xp) || 0;
				const row = (term, detail, key) => [el('dt', {}, term), el('dd', { 'data-stat': key }, detail)];
				panel.replaceChildren(
					el('h2', { class: 'visually-hidden' }, t('program.tabs.stats')),
					el('dl', { class: 'details stat-list' },
						row(t('program.stats.reputation'), value === null ? t('helper.noReputation') : t('program.stats.reputationValue', { value }), 'reputation'),
						row(t('program.stats.feedback'), String(feedbackCount), 'feedback'),
						row(t('program.stats.kudos'), String(Number(stats ? stats.kudos : profile.kudos) || 0), 'kudos'),
						row(t('program.stats.sessions'), String(Number(profile.sessions) || 0), 'sessions'),
						row(t('program.stats.tier'), t(`helper.tiers.${profile.helper_tier || 'community'}`), 'tier'),
						row(t('program.stats.level'), t('helper.levelValue', { level, xp }), 'level')),
					el('p', { class: 'note' }, reputationText({ reputation, feedback_count: feedbackCount })));
			}

			function achievementsPanel(panel) {
				const list = achievements || (Array.isArray(profile.achievements) ? profile.achievements : []);
				panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('program.tabs.achievements')),
					list.length ? achievementList(list, { headingLevel: 3 }) : el('p', { class: 'state state-empty' }, t('helper.noAchievements')));
			}

			// -------------------------------------------------- tabs
			const labels = {};
			function countText(key) {
				if (!counts) {
					return '';
				}
				if (key === 'available') {
					return counts.available_posts_more ? t('program.hundredPlus') : String(Number(counts.available_posts) || 0);
				}
				const field = { requests: 'requests', active: 'active_sessions' }[key];
				return String(Number(counts[field]) || 0);
			}
			function drawLabels() {
				for (const [key, node] of Object.entries(labels)) {
					const n = countText(key);
					node.textContent = n === '' ? t(`program.tabs.${key}`) : t(`program.tabs.${key}Count`, { count: n });
				}
			}
			const tabHolder = el('div', { class: 'helper-tabs' });
			function defaultTab() {
				const visible = visibleTabs();
				if (chosenTab && visible.includes(chosenTab)) {
					return chosenTab;
				}
				if (online && counts && Number(counts.requests) > 0) {
					return 'requests';
				}
				if (counts ? Number(counts.active_sessions) > 0 : hasActive) {
					return 'active';
				}
				return online ? 'available' : 'active';
			}
			function visibleTabs() {
				return TABS.filter((id) => online || !ONLINE_ONLY.has(id));
			}
			const renderers = {
				'for-you': (panel) => {
					panel.append(el('h2', { class: 'visually-hidden' }, t('program.tabs.forYou')));
					if (aiOn) {
						if (!aiForYou) {
							aiForYou = aiForYouPanel();
							aiForYou.load();
						}
						panel.append(aiForYou.element);
					} else {
						panel.append(el('p', { class: 'note' }, t('program.forYouLead')), forYouPosts.element);
						forYouPosts.reload();
					}
				},
				requests: (panel) => panel.append(
					el('h2', { class: 'visually-hidden' }, t('dashboard.requests')),
					el('p', { class: 'note' }, t('program.requestsLead')),
					requestsBox),
				available: (panel) => {
					panel.append(el('h2', { class: 'visually-hidden' }, t('dashboard.waiting')), waiting.element,
						el('p', {}, linkButton({ label: t('dashboard.toFeed'), href: '/feed?tab=community', kind: 'ghost' })));
					waiting.reload();
				},
				active: (panel) => {
					panel.append(el('h2', { class: 'visually-hidden' }, t('dashboard.activeChats')), active.element);
					active.reload();
				},
				history: (panel) => {
					panel.append(el('h2', { class: 'visually-hidden' }, t('program.tabs.history')), history.element);
					history.reload();
				},
				stats: statsPanel,
				achievements: achievementsPanel,
			};
			function drawTabs() {
				for (const key of Object.keys(labels)) {
					delete labels[key];
				}
				const items = visibleTabs().map((id) => {
					const key = id === 'for-you' ? 'forYou' : id;
					const label = el('span', { 'data-tab-label': id });
					if (['requests', 'available', 'active'].includes(id)) {
						labels[id] = label;
					} else {
						label.textContent = t(`program.tabs.${key}`);
					}
					return { id, label, render: renderers[id] };
				});
				drawLabels();
				tabHolder.replaceChildren(tabs(items, {
					selected: defaultTab(),
					label: t('program.tabsLabel'),
					onChange: (id) => {
						chosenTab = id;
						replaceQuery(id);
					},
				}));
			}

			// The counts in the tab names, and the stats, from the dashboard again.
			let countsTimer = null;
			function refreshCounts() {
				clearTimeout(countsTimer);
				countsTimer = setTimeout(async () => {
					const result = await program.dashboard();
					if (!result.ok || !result.body) {
						return;
					}
					counts = result.body.counts ? { ...result.body.counts } : counts;
					if (counts && requestsLoaded) {
						counts.requests = pendingRequests().length;
					}
					stats = result.body.stats || stats;
					achievements = Array.isArray(result.body.achievements) ? result.body.achievements : achievements;
					drawLabels();
				}, 300);
			}

			drawProgress();
			drawTabs();
			body.replaceChildren(...[
				restNotice(),
				progressBox,
				el('section', { class: 'panel', 'aria-labelledby': 'dashboard-availability' },
					el('h2', { id: 'dashboard-availability' }, t('dashboard.availability'), ' ', badgeHolder),
					el('p', {}, t('dashboard.availabilityLead')),
					el('p', { class: 'actions' }, toggle),
					stateText,
					offlineNote,
					el('p', { class: 'note' }, reputationText(profile))),
				certificationCard(),
				requestsLive,
				el('section', { 'aria-labelledby': 'dashboard-work' },
					el('h2', { id: 'dashboard-work', class: 'visually-hidden' }, t('program.workTitle')),
					tabHolder),
			].filter(Boolean));
			drawRequests();

			// The requests waiting for me, from the server (real-time arrivals join them later);
			// any remembered earlier in this page's life and answered elsewhere are dropped.
			syncRequests().then((joined) => {
				if (joined !== null) {
					requestsLoaded = true;
					drawRequests();
				}
			});

			let pendingReload = null;
			const reloadActive = () => {
				clearTimeout(pendingReload);
				pendingReload = setTimeout(() => {
					if (active.element.isConnected) {
						active.reload();
					}
				}, 300);
				refreshCounts();
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
					// The shown item keeps the count too, so the next resync compares like with like.
					const shown = active.items().find((session) => session.id === event.session_id);
					if (shown) {
						shown.unread = count;
					}
					const fresh = unreadBadge(count);
					if (old) {
						old.replaceWith(fresh);
					} else {
						card.querySelector('.post-card-head').append(fresh);
					}
				}),
				subscribe('session.accepted', reloadActive),
				subscribe('session.ended', reloadActive),
				// A minute of an open stream: what its lost events would have changed.
				subscribe('resync', () => {
					if (active.element.isConnected) {
						active.refresh();
					}
					refreshCounts();
				}),
				() => clearTimeout(pendingReload),
				() => clearTimeout(countsTimer));
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
			const dash = await program.dashboard();
			if (dash.ok && dash.body) {
				dashboard(result.body, dash.body);
				return;
			}
			const active = await peer.sessions({ status: 'active', limit: 1 });
			dashboard(result.body, null, { hasActive: Boolean(active.ok && active.body && Array.isArray(active.body.items) && active.body.items.length) });
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

