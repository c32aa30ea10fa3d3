// /ai — the AI companion (docs/ai-api-contract.md), for signed-in people.
// - GET /api/ai/status first: with provider none the companion is not offered
//   here; when it is down, it says so (and points to people who can help).
// - A disclaimer in a modal that only "I understand" closes (or "Not now",
//   which leaves): Astral AI is not a human or a therapist, cannot advise or
//   help in a crisis; "Get help now" links to /crisis.html. Shown each time
//   the view opens, before anything else.
// - The 18+ question, once (POST /api/ai/age-confirmation). Under 18: a calm
//   message with the human helpers and resources instead of the chat.
// - The chat: history (GET /api/ai/history), a message box (≤ 2000, Enter
//   sends), the reply streamed into the AI bubble as it comes (`token`),
//   swapped (`replace`) and settled (`done`); a `crisis` shows the crisis card,
//   focused; fallback replies carry a quiet note; Reset (confirmed) deletes
//   the history. Every AI message is labelled "AI · Astral AI (not a person)".
// Model text goes into the page with textContent only.

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { states } from '/js/components/states.js';
import { modal } from '/js/components/modal.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { crisisCard } from '/js/components/crisis-card.js';
import { aiErrorText, aiSender } from '/js/components/ai-tools.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { ai, aiStatus, AI_MESSAGE_MAX, AI_MESSAGE_WARN } from '/js/api/ai.js';

let cleanups = [];

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('ai'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : 'seeker';
		const heading = el('h1', {}, t('ai.chat.title'));
		const body = el('div', { class: 'ai-chat' });
		root.append(heading, body);
		let alive = true;
		let stream = null;
		const gone = () => !alive || !root.isConnected;
		cleanups.push(() => {
			alive = false;
			if (stream) {
				stream.abort();
			}
		});

		// ------------------------------------------------------------ people who can help
		function humanHelp() {
			const links = [];
			if (role === 'seeker') {
				links.push(linkButton({ label: t('ai.chat.minor.share'), href: '/share' }));
			}
			links.push(linkButton({ label: t('ai.chat.minor.feed'), href: '/feed', kind: 'secondary' }),
				linkButton({ label: t('ai.chat.minor.resources'), href: '/resources', kind: 'secondary' }),
				linkButton({ label: t('ai.chat.minor.quiet'), href: '/quiet-space', kind: 'secondary' }));
			return [
				el('p', { class: 'actions' }, links),
				el('p', {}, t('ai.chat.minor.crisisLead'), ' ', el('a', { href: '/crisis.html', class: 'ai-crisis-link' }, t('ai.chat.getHelp'))),
			];
		}

		function notOffered(text) {
			body.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': 'ai-off-title' },
				el('h2', { id: 'ai-off-title' }, t('ai.chat.offTitle')),
				el('p', {}, text),
				humanHelp()));
		}

		function minor() {
			const title = el('h2', { id: 'ai-minor-title', tabindex: '-1' }, t('ai.chat.minor.title'));
			body.replaceChildren(el('section', { class: 'panel ai-minor', 'aria-labelledby': 'ai-minor-title' },
				title,
				el('p', {}, t('ai.chat.minor.p1')),
				el('p', {}, t('ai.chat.minor.p2')),
				humanHelp()));
			return title;
		}

		// ------------------------------------------------------------ disclaimer
		function disclaimer() {
			return new Promise((resolve) => {
				let handle = null;
				const accept = button({ label: t('ai.chat.disclaimer.accept'), onClick: () => handle.close('accept') });
				accept.id = 'ai-disclaimer-accept';
				const leave = button({ label: t('ai.chat.disclaimer.leave'), kind: 'ghost', onClick: () => handle.close('leave') });
				const text = el('div', { id: 'ai-disclaimer-text' },
					el('p', {}, t('ai.chat.disclaimer.p1')),
					el('p', {}, t('ai.chat.disclaimer.p2')),
					el('p', {}, t('ai.chat.disclaimer.p3'), ' ',
						el('a', { href: '/crisis.html', class: 'btn btn-crisis btn-small' }, t('ai.chat.getHelp'))),
					el('p', {}, t('ai.chat.disclaimer.p4')));
				handle = modal({
					title: t('ai.chat.disclaimer.title'),
					content: [text, el('p', { class: 'actions' }, accept, leave)],
					dismissable: false,
					onClose: (result) => resolve(result),
				});
				handle.element.classList.add('ai-disclaimer-modal');
				handle.element.setAttribute('aria-describedby', 'ai-disclaimer-text');
				handle.element.dataset.aiDisclaimer = '';
				// Read from the top: the heading first, then the text.
				const title = handle.element.querySelector('h2');
				if (title) {
					title.focus();
				}
				cleanups.push(() => handle.close('gone'));
			});
		}

		// ------------------------------------------------------------ age
		function askAge() {
			return new Promise((resolve) => {
				const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
				const title = el('h2', { id: 'ai-age-title', tabindex: '-1' }, t('ai.chat.age.title'));
				const answer = async (adult, node) => {
					for (const b of group.querySelectorAll('button')) {
						b.disabled = true;
					}
					status.className = 'status';
					status.textContent = t('ai.chat.age.saving');
					const result = await ai.confirmAge(adult);
					if (gone()) {
						return;
					}
					if (!result.ok || !result.body) {
						for (const b of group.querySelectorAll('button')) {
							b.disabled = false;
						}
						status.className = 'status status-error';
						status.textContent = aiErrorText(result);
						node.focus();
						return;
					}
					resolve(result.body.age_confirmed === true);
				};
				const yes = button({ label: t('ai.chat.age.yes'), kind: 'secondary', onClick: () => answer(true, yes) });
				const no = button({ label: t('ai.chat.age.no'), kind: 'secondary', onClick: () => answer(false, no) });
				yes.dataset.age = 'adult';
				no.dataset.age = 'minor';
				const group = el('div', { role: 'group', 'aria-labelledby': 'ai-age-question' },
					el('p', { id: 'ai-age-question', class: 'ai-age-question' }, t('ai.chat.age.question')),
					el('p', { class: 'actions' }, yes, no));
				body.replaceChildren(el('section', { class: 'panel ai-age', 'aria-labelledby': 'ai-age-title' },
					title, el('p', { class: 'note' }, t('ai.chat.age.hint')), group, status));
				title.focus();
			});
		}

		// ------------------------------------------------------------ the chat
		function chat() {
			const crisisHolder = el('div', { class: 'chat-crisis' });
			const log = el('ol', { class: 'chat-log ai-log' });
			const scroller = el('div', {
				class: 'chat-scroll', role: 'log', 'aria-live': 'polite', 'aria-label': t('ai.chat.conversation'), tabindex: '0',
			}, log);
			const replying = el('p', { class: 'visually-hidden', role: 'status' });
			const composerStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const input = field({
				id: 'ai-input', type: 'textarea', label: t('ai.chat.inputLabel'), hint: t('ai.chat.inputHint', { max: AI_MESSAGE_MAX }),
			});
			input.input.maxLength = AI_MESSAGE_MAX;
			input.input.rows = 3;
			const counter = charCounter(input.input, { max: AI_MESSAGE_MAX, warnAt: AI_MESSAGE_WARN });
			const send = button({ label: t('ai.chat.send'), type: 'submit' });
			send.id = 'ai-send';
			const composer = el('form', { class: 'chat-composer ai-composer', novalidate: true },
				input.element, counter.element, el('p', { class: 'actions' }, send), composerStatus);
			const reset = button({ label: t('ai.chat.reset'), kind: 'secondary', small: true, onClick: resetConversation });
			reset.id = 'ai-reset';
			let busy = false;

			function isNearBottom() {
				return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
			}

			function scrollToEnd() {
				scroller.scrollTop = scroller.scrollHeight;
			}

			function showEmpty() {
				log.replaceChildren(el('li', { class: 'chat-empty note', 'data-empty': true }, t('ai.chat.empty')));
			}

			function dropEmpty() {
				const empty = log.querySelector('[data-empty]');
				if (empty) {
					empty.remove();
				}
			}

			function meta(createdAt) {
				return el('p', { class: 'bubble-meta' },
					createdAt ? el('time', { datetime: createdAt }, formatDate(createdAt, { timeStyle: 'short' })) : null);
			}

			function userBubble(message) {
				return el('li', { class: 'bubble bubble-mine ai-msg ai-msg-user', 'data-message-id': message.id || null },
					el('p', { class: 'bubble-sender' }, t('ai.you')),
					el('p', { class: 'ai-text' }, String(message.text || '')),
					meta(message.created_at));
			}

			// An AI bubble: { node, text, setText, finish }. state: 'streaming' until finish().
			function aiBubble(message = null) {
				const textNode = el('p', { class: 'ai-text' });
				const note = el('p', { class: 'ai-fallback-note', hidden: true }, t('ai.fallbackNote'));
				const when = el('p', { class: 'bubble-meta' });
				const node = el('li', {
					class: 'bubble bubble-theirs ai-msg ai-msg-ai',
					'data-state': message ? 'done' : 'streaming',
				}, aiSender(), textNode, note, when);
				const setText = (text) => {
					textNode.textContent = text;
				};
				const finish = (reply, state = 'done') => {
					if (reply) {
						setText(String(reply.text || ''));
						if (reply.id) {
							node.dataset.messageId = reply.id;
						}
						note.hidden = !reply.fallback;
						node.dataset.fallback = String(Boolean(reply.fallback));
						when.replaceWith(meta(reply.created_at));
					}
					node.classList.remove('ai-msg-pending');
					node.dataset.state = state;
				};
				if (message) {
					finish(message);
				} else {
					node.classList.add('ai-msg-pending');
					textNode.append(el('span', { class: 'ai-typing', 'aria-hidden': 'true' }, '…'));
				}
				return { node, setText, finish };
			}

			function draw(message) {
				return message.role === 'ai' ? aiBubble(message).node : userBubble(message);
			}

			function showCrisis(crisis) {
				const card = crisisCard(crisis, {
					headingLevel: 2,
					onClose: () => {
						crisisHolder.replaceChildren();
						input.input.focus();
					},
				});
				crisisHolder.replaceChildren(card);
				card.focus();
			}

			function setBusy(on) {
				busy = on;
				send.disabled = on;
				reset.disabled = on;
				scroller.setAttribute('aria-busy', String(on));
			}

			async function deliver(text) {
				setBusy(true);
				composerStatus.className = 'status';
				composerStatus.textContent = '';
				replying.textContent = t('ai.chat.replying');
				dropEmpty();
				const mine = userBubble({ text, created_at: new Date().toISOString() });
				const reply = aiBubble();
				log.append(mine, reply.node);
				scrollToEnd();
				let shown = '';
				let crisis = null;
				stream = new AbortController();
				const result = await ai.chatStream(text, {
					signal: stream.signal,
					onToken: (piece) => {
						const stick = isNearBottom();
						shown += piece;
						reply.setText(shown);
						if (stick) {
							scrollToEnd();
						}
					},
					onReplace: (whole) => {
						shown = whole;
						reply.setText(shown);
					},
					onDone: (answer) => {
						if (answer.user_message && answer.user_message.id) {
							mine.dataset.messageId = answer.user_message.id;
						}
						reply.finish(answer.reply || { text: shown });
						crisis = answer.crisis || null;
					},
				});
				stream = null;
				if (gone()) {
					return;
				}
				setBusy(false);
				if (result.ok) {
					replying.textContent = t('ai.chat.replied');
					scrollToEnd();
					if (crisis) {
						showCrisis(crisis);
					}
					return;
				}
				replying.textContent = '';
				const code = result.error ? result.error.code : '';
				if (code === 'stream_cut' && shown) {
					// Part of a reply arrived: keep it, marked as cut off.
					reply.finish(null, 'cut');
					reply.node.append(el('p', { class: 'ai-fallback-note' }, t('ai.chat.interrupted')));
				} else {
					// Nothing was said: the message goes back into the box to send again.
					mine.remove();
					reply.node.remove();
					if (!input.input.value.trim()) {
						input.input.value = text;
						counter.update();
					}
					if (!log.children.length) {
						showEmpty();
					}
				}
				if (code === 'ai_chat_adults_only') {
					const title = minor();
					title.focus();
					return;
				}
				if (code === 'age_confirmation_required') {
					start({ ageConfirmed: null });
					return;
				}
				composerStatus.className = 'status status-error';
				composerStatus.textContent = aiErrorText(result);
			}

			composer.addEventListener('submit', (event) => {
				event.preventDefault();
				if (busy) {
					return;
				}
				const text = input.input.value.trim();
				if (!text) {
					input.setError(t('ai.chat.emptyMessage'));
					input.input.focus();
					return;
				}
				if (countChars(text) > AI_MESSAGE_MAX) {
					input.setError(t('ai.chat.tooLong', { max: AI_MESSAGE_MAX }));
					input.input.focus();
					return;
				}
				input.setError(null);
				input.input.value = '';
				counter.update();
				deliver(text);
				input.input.focus();
			});
			input.input.addEventListener('keydown', (event) => {
				if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
					event.preventDefault();
					composer.requestSubmit();
				}
			});

			async function resetConversation() {
				const ok = await ctx.confirm({
					title: t('ai.chat.resetTitle'), body: t('ai.chat.resetBody'), confirmLabel: t('ai.chat.resetConfirm'), danger: true,
				});
				if (!ok || gone()) {
					return;
				}
				reset.disabled = true;
				const result = await ai.clearHistory();
				reset.disabled = false;
				if (!result.ok) {
					ctx.toast(aiErrorText(result), 'error');
					return;
				}
				crisisHolder.replaceChildren();
				showEmpty();
				ctx.toast(t('ai.chat.resetDone'), 'success');
				input.input.focus();
			}

			async function load() {
				states.loading(body);
				const result = await ai.history();
				if (gone()) {
					return;
				}
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					const code = result.error ? result.error.code : '';
					if (code === 'ai_chat_adults_only') {
						minor();
						return;
					}
					states.error(body, aiErrorText(result), load);
					return;
				}
				log.replaceChildren(...result.body.items.map(draw));
				if (!result.body.items.length) {
					showEmpty();
				}
				body.replaceChildren(
					el('p', { class: 'ai-reminder' }, aiSender({ tag: 'span', className: 'ai-sender' }), ' ',
						t('ai.chat.reminder'), ' ', el('a', { href: '/crisis.html' }, t('ai.chat.getHelp'))),
					crisisHolder,
					el('div', { class: 'chat-tools' }, el('p', { class: 'note' }, t('ai.chat.lead')), el('p', { class: 'actions' }, reset)),
					el('section', { class: 'chat-thread ai-thread', 'aria-label': t('ai.chat.conversation') }, scroller, replying),
					composer);
				scrollToEnd();
				input.input.focus();
			}

			return load();
		}

		// ------------------------------------------------------------ the order of things
		async function start({ ageConfirmed }) {
			if (ageConfirmed === false) {
				minor();
				return;
			}
			if (ageConfirmed !== true) {
				const adult = await askAge();
				if (gone()) {
					return;
				}
				if (!adult) {
					minor().focus();
					return;
				}
			}
			await chat();
		}

		// What follows the status waits for the person (the modal, the age question): it runs after
		// render() has returned, so that the router's focus on the <h1> comes first and a route
		// change disposes this view (and closes the modal) at any point.
		async function flow(status) {
			if (status.age_confirmed === false) {
				minor();
				return;
			}
			const answer = await disclaimer();
			if (gone()) {
				return;
			}
			if (answer !== 'accept') {
				if (answer === 'leave') {
					ctx.navigate('/');
				}
				return;
			}
			heading.focus();
			await start({ ageConfirmed: status.age_confirmed });
		}

		states.loading(body);
		const status = await aiStatus({ fresh: true });
		if (gone()) {
			return;
		}
		if (!status || !status.provider || status.provider === 'none') {
			notOffered(t('ai.chat.notOffered'));
			return;
		}
		if (status.available !== true) {
			notOffered(t('ai.chat.unavailable'));
			return;
		}
		setTimeout(() => {
			if (!gone()) {
				flow(status).catch((error) => {
					console.error(error);
					states.error(body, t('common.errorGeneric'));
				});
			}
		}, 0);
	},
	dispose() {
		for (const off of cleanups) {
			off();
		}
		cleanups = [];
	},
};
