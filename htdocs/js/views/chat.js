// /chat/:id — a help session, in real time.
// - Messages: the latest page first (GET …/messages), "Earlier messages"
//   (?before=), new ones from the shared real-time connection (events.js:
//   `message.new`); on every (re)connection, on each polling tick where
//   no stream works, and when a `message.new` names a `prev_id` I do not
//   hold (an event lost on the way), what was missed is fetched with
//   ?after=<last id> and merged by id; so too on each `resync` of an open stream (each minute,
//   and when the page comes back into view: an open stream can bring nothing, docs/scaling.md).
//   Sending uses a client_key, so a retry never duplicates.
// - Markdown is rendered safely (components/markdown.js: text nodes only).
// - Typing indicator both ways (POST …/typing at most every 3 s), read marks
//   (POST …/read when the page is visible; `read` events mark mine as read, and
//   while polling, which has no `read` event, each tick's newest page does).
// - Seeker: the emergency button (held 3 s, then confirmed) raises a
//   high-severity alert and shows the crisis card; Block (confirmed) blocks
//   the helper, ends the chat and leaves. Both: End chat.
// - A `crisis` in the answer to my message shows the crisis card.
// - After more than 20 messages, every 10th shows a "take a break" note for 10 s.
// - With the AI available (GET /api/ai/status): the helper gets "Guidance on
//   this message" on the seeker's messages (POST /api/ai/guidance: flag and
//   reason, suggested replies that go into the message box, never sent,
//   resources, and "Alert a moderator": POST /api/sessions/{id}/alert) and,
//   once the chat has ended, "Private feedback on this session" (POST
//   /api/ai/helper-feedback, shown to the helper only); both participants get
//   "Summary" of an ended chat (POST /api/ai/summarize-session).

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { states } from '/js/components/states.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { crisisCard } from '/js/components/crisis-card.js';
import { holdButton } from '/js/components/hold-button.js';
import { messageBubble } from '/js/components/message-bubble.js';
import { loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { onEventsStatus, subscribe } from '/js/api/events.js';
import { clientKey, peer, MESSAGE_MAX } from '/js/api/peer.js';
import { readMarked } from '/js/api/peer-watch.js';
import { aiAsk, guidancePanel } from '/js/components/ai-tools.js';
import { ai, aiEnabled, aiStatus } from '/js/api/ai.js';

const PAGE = 50;
const TYPING_SEND_MS = 3000;
const TYPING_SHOW_MS = 6000;
const BREAK_AFTER = 20;
const BREAK_EVERY = 10;
const BREAK_SHOW_MS = 10000;
const EMERGENCY_HOLD_MS = 3000;

let cleanups = [];

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account'), loadArea('pages')]);
		const { t } = ctx;
		const sessionId = ctx.params.id;
		const fail = (result) => errorText(t, result);
		const timers = new Set();
		const later = (fn, ms) => {
			const id = setTimeout(() => {
				timers.delete(id);
				fn();
			}, ms);
			timers.add(id);
			return id;
		};
		const cancel = (id) => {
			clearTimeout(id);
			timers.delete(id);
		};

		const heading = el('h1', {}, t('chat.title'));
		const body = el('div', { class: 'chat' });
		root.append(heading, body);

		let session = null;
		const messages = new Map();      // id → Message
		const bubbles = new Map();       // id or client_key → <li>
		const pending = new Map();       // client_key → { message, state }
		let olderCursor = null;
		let lastReadSent = 0;
		let lastTypingSent = 0;
		let typingTimer = null;
		let breakTimer = null;
		let loaded = false;
		let catchingUp = null;

		// ------------------------------------------------------------ nodes
		const connection = el('p', { class: 'chat-connection note', role: 'status', 'aria-live': 'polite' });
		const crisisHolder = el('div', { class: 'chat-crisis' });
		const breakBanner = el('div', { class: 'chat-break', role: 'status', 'aria-live': 'polite' });
		const log = el('ol', { class: 'chat-log' });
		// The scrolling box is the live log (role=log keeps the list a list inside it).
		const scroller = el('div', { class: 'chat-scroll', role: 'log', 'aria-label': t('chat.messages'), tabindex: '0' }, log);
		const earlier = button({ label: t('chat.earlier'), kind: 'ghost', small: true });
		const earlierRow = el('p', { class: 'actions chat-earlier', hidden: true }, earlier);
		const typing = el('p', { class: 'chat-typing', 'aria-live': 'polite' });
		const composerStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const input = field({ id: 'chat-input', type: 'textarea', label: t('chat.inputLabel'), hint: t('chat.inputHint') });
		input.input.maxLength = MESSAGE_MAX;
		input.input.rows = 3;
		const counter = charCounter(input.input, { max: MESSAGE_MAX, warnAt: MESSAGE_MAX - 100 });
		const send = button({ label: t('chat.send'), type: 'submit' });
		const composer = el('form', { class: 'chat-composer', novalidate: true },
			input.element, counter.element, el('p', { class: 'actions' }, send), composerStatus);
		const endedPanel = el('div', { class: 'chat-ended', hidden: true });
		const tools = el('div', { class: 'chat-tools' });

		// ------------------------------------------------------------ AI
		let aiOn = false;
		let guidanceFor = null;
		let aiEndedNode = null;
		// Made once the AI's catalogue has loaded (in load()), so that its heading and lead have their text.
		let aiGuide = null;
		const makeGuide = () => guidancePanel({
			headingLevel: 2,
			onUse: (text) => {
				if (composer.hidden) {
					ctx.toast(t('ai.guidance.ended'), 'info');
					return;
				}
				input.input.value = text;
				input.setError(null);
				counter.update();
				composerStatus.className = 'status';
				composerStatus.textContent = t('ai.guidance.inserted');
				input.input.focus();
			},
			onClose: () => input.input.focus(),
			onAlert: () => peer.helperAlert(sessionId),
		});

		async function askGuidance(message) {
			guidanceFor = message.id;
			aiGuide.loading();
			const result = await ai.guidance(sessionId, message.id);
			if (guidanceFor === message.id) {
				aiGuide.show(result);
			}
		}

		// The helper's "Guidance on this message" under each of the seeker's messages.
		function withAi(node, message) {
			if (!aiOn || !session || session.my_role !== 'helper' || message.mine || !message.id) {
				return node;
			}
			const text = node.querySelector('.bubble-text');
			if (text && !text.id) {
				text.id = uid('bubble-text');
			}
			node.append(el('p', { class: 'bubble-ai-action' }, el('button', {
				type: 'button', class: 'btn btn-ghost btn-small', 'data-action': 'guidance',
				'aria-describedby': text ? text.id : null,
				onClick: () => askGuidance(messages.get(message.id) || message),
			}, t('ai.guidance.button'))));
			return node;
		}

		// After the chat: "Summary" for both, "Private feedback on this session" for the helper.
		function aiEnded() {
			if (!aiOn || !session) {
				return null;
			}
			if (!aiEndedNode) {
				const summary = aiAsk({
					label: t('ai.sessionSummary.button'),
					title: t('ai.sessionSummary.title'),
					request: () => ai.summarizeSession(sessionId),
					pick: (answer) => answer.summary,
					emptyText: t('ai.sessionSummary.none'),
					headingLevel: 3,
					action: 'summarize-session',
				});
				const feedback = session.my_role === 'helper' ? aiAsk({
					label: t('ai.feedback.button'),
					title: t('ai.feedback.title'),
					request: () => ai.helperFeedback(sessionId),
					pick: (answer) => answer.feedback,
					emptyText: t('ai.feedback.none'),
					headingLevel: 3,
					note: t('ai.feedback.private'),
					action: 'helper-feedback',
				}) : null;
				aiEndedNode = el('div', { class: 'ai-after' },
					el('p', { class: 'actions' }, summary.button, feedback ? feedback.button : null),
					summary.output, feedback ? feedback.output : null);
			}
			return aiEndedNode;
		}

		function otherName() {
			if (!session) {
				return '';
			}
			if (session.my_role === 'helper') {
				return session.seeker && session.seeker.display_name ? session.seeker.display_name : t('chat.seeker');
			}
			return session.helper ? session.helper.display_name : t('chat.formerHelper');
		}

		// ------------------------------------------------------------ messages
		function bubbleFor(message, state = 'sent') {
			return withAi(messageBubble(message, {
				otherName: otherName(),
				state,
				onRetry: (failed) => deliver(failed.client_key, failed.text),
			}), message);
		}

		function isNearBottom() {
			return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
		}

		function scrollToEnd() {
			scroller.scrollTop = scroller.scrollHeight;
		}

		// Put a confirmed message in its place (by seq), replacing its pending
		// bubble or an older drawing of itself. Returns true when it is new.
		function merge(message) {
			if (!message || !message.id) {
				return false;
			}
			const known = messages.has(message.id);
			const previous = messages.get(message.id) || {};
			// "read" only ever turns true: the other side's read event can arrive before the answer
			// to our own send (which says false), and must not be undone by it.
			messages.set(message.id, { ...previous, ...message, read: Boolean(previous.read || message.read) });
			const node = bubbleFor(messages.get(message.id));
			const key = message.client_key;
			const draft = key && pending.has(key) ? bubbles.get(key) : null;
			if (key && pending.has(key)) {
				pending.delete(key);
				bubbles.delete(key);
			}
			const drawn = bubbles.get(message.id);
			bubbles.set(message.id, node);
			if (draft && draft.isConnected && draft !== drawn) {
				draft.remove();
			}
			if (drawn && drawn.isConnected) {
				drawn.replaceWith(node);
				return !known;
			}
			const seq = Number(message.seq) || 0;
			let before = null;
			for (const child of log.children) {
				const id = child.dataset.messageId;
				const other = id ? messages.get(id) : null;
				if (!other || Number(other.seq) > seq) {
					before = child;
					break;
				}
			}
			log.insertBefore(node, before);
			return !known;
		}

		function lastId() {
			let best = null;
			for (const message of messages.values()) {
				if (!best || Number(message.seq) > Number(best.seq)) {
					best = message;
				}
			}
			return best ? best.id : null;
		}

		function lastFromOther() {
			let best = null;
			for (const message of messages.values()) {
				if (!message.mine && (!best || Number(message.seq) > Number(best.seq))) {
					best = message;
				}
			}
			return best;
		}

		function markRead() {
			const last = lastFromOther();
			if (!last || document.visibilityState !== 'visible' || Number(last.seq) <= lastReadSent) {
				return;
			}
			lastReadSent = Number(last.seq);
			// Once marked, the header's unread dot is read again (it may have counted these).
			peer.read(sessionId, last.id).then(readMarked);
		}

		function countChanged(before) {
			const now = messages.size;
			if (now > before && now > BREAK_AFTER && Math.floor(now / BREAK_EVERY) > Math.floor(before / BREAK_EVERY)) {
				showBreak();
			}
		}

		function showBreak() {
			cancel(breakTimer);
			breakBanner.replaceChildren(el('p', { class: 'warning' }, t('chat.breakText'), ' ',
				el('a', { href: '/quiet-space' }, t('chat.breakLink'))));
			breakBanner.hidden = false;
			breakTimer = later(() => {
				breakBanner.hidden = true;
				breakBanner.replaceChildren();
			}, BREAK_SHOW_MS);
		}

		function addLive(list) {
			const stick = isNearBottom();
			const before = messages.size;
			let fromOther = false;
			for (const message of list) {
				if (merge(message) && !message.mine) {
					fromOther = true;
				}
			}
			countChanged(before);
			if (fromOther) {
				hideTyping();
			}
			if (stick || fromOther) {
				scrollToEnd();
			}
			markRead();
		}

		async function catchUp() {
			if (!loaded || catchingUp) {
				return catchingUp;
			}
			const after = lastId();
			catchingUp = (async () => {
				let cursor = after;
				for (let page = 0; page < 20; page += 1) {
					const result = await peer.messages(sessionId, cursor ? { after: cursor, limit: PAGE } : { limit: PAGE });
					if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
						return;
					}
					addLive(result.body.items);
					if (!cursor || result.body.items.length < PAGE) {
						return;
					}
					cursor = result.body.items[result.body.items.length - 1].id;
				}
			})().finally(() => {
				catchingUp = null;
			});
			return catchingUp;
		}

		async function loadEarlier() {
			earlier.disabled = true;
			const result = await peer.messages(sessionId, { before: olderCursor, limit: PAGE });
			earlier.disabled = false;
			if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
				ctx.toast(fail(result), 'error');
				return;
			}
			const height = scroller.scrollHeight;
			for (const message of result.body.items) {
				merge(message);
			}
			scroller.scrollTop += scroller.scrollHeight - height;
			olderCursor = result.body.next || null;
			earlierRow.hidden = !olderCursor;
			if (!olderCursor) {
				scroller.focus();
			}
		}
		earlier.addEventListener('click', loadEarlier);

		// ------------------------------------------------------------ read marks
		// My messages up to seq upTo have been read by the other participant.
		function showReadUpTo(upTo) {
			for (const message of messages.values()) {
				if (message.mine && !message.read && Number(message.seq) <= upTo) {
					message.read = true;
					const node = bubbleFor(message);
					const old = bubbles.get(message.id);
					if (old) {
						old.replaceWith(node);
					}
					bubbles.set(message.id, node);
				}
			}
		}

		// While polling no `read` event comes: on each tick, while a message of mine is still
		// unread, the newest page says how far the other participant has read.
		async function refreshReadMarks() {
			if (![...messages.values()].some((message) => message.mine && !message.read)) {
				return;
			}
			const result = await peer.messages(sessionId, { limit: PAGE });
			if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
				return;
			}
			const read = result.body.items.filter((message) => message.mine && message.read);
			showReadUpTo(Math.max(0, ...read.map((message) => Number(message.seq) || 0)));
		}

		// ------------------------------------------------------------ typing
		function hideTyping() {
			cancel(typingTimer);
			typing.textContent = '';
		}

		function showTyping() {
			cancel(typingTimer);
			typing.textContent = t('chat.typing', { name: otherName() });
			typingTimer = later(hideTyping, TYPING_SHOW_MS);
		}

		input.input.addEventListener('input', () => {
			const now = Date.now();
			if (session && !session.ended_at && input.input.value.trim() && now - lastTypingSent > TYPING_SEND_MS) {
				lastTypingSent = now;
				peer.typing(sessionId);
			}
		});

		// ------------------------------------------------------------ crisis
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

		// ------------------------------------------------------------ sending
		async function deliver(key, text) {
			const draft = { client_key: key, text, mine: true, created_at: new Date().toISOString() };
			pending.set(key, { message: draft, state: 'sending' });
			const node = bubbleFor(draft, 'sending');
			const old = bubbles.get(key);
			if (old && old.isConnected) {
				old.replaceWith(node);
			} else {
				log.append(node);
			}
			bubbles.set(key, node);
			scrollToEnd();
			const result = await peer.send(sessionId, text, key);
			if (result.ok && result.body && result.body.id) {
				const before = messages.size;
				merge({ ...result.body, mine: true, client_key: result.body.client_key || key });
				// The error of an earlier failed send goes once nothing waits for "Try again".
				if (composerStatus.classList.contains('status-error') &&
					![...pending.values()].some((entry) => entry.state === 'failed')) {
					composerStatus.className = 'status';
					composerStatus.textContent = '';
				}
				countChanged(before);
				scrollToEnd();
				if (result.body.crisis) {
					showCrisis(result.body.crisis);
				}
				return;
			}
			if (!pending.has(key)) {
				return;
			}
			if (result.status === 409) {
				pending.delete(key);
				bubbles.delete(key);
				node.remove();
				composerStatus.className = 'status status-error';
				composerStatus.textContent = t('chat.endedCannotSend');
				await refreshSession();
				return;
			}
			pending.set(key, { message: draft, state: 'failed' });
			const failed = bubbleFor(draft, 'failed');
			node.replaceWith(failed);
			bubbles.set(key, failed);
			composerStatus.className = 'status status-error';
			composerStatus.textContent = fail(result);
		}

		composer.addEventListener('submit', (event) => {
			event.preventDefault();
			const text = input.input.value.trim();
			composerStatus.className = 'status';
			composerStatus.textContent = '';
			if (!text) {
				input.setError(t('chat.empty'));
				input.input.focus();
				return;
			}
			if (countChars(text) > MESSAGE_MAX) {
				input.setError(t('share.errors.tooLong', { max: MESSAGE_MAX }));
				input.input.focus();
				return;
			}
			input.setError(null);
			input.input.value = '';
			counter.update();
			deliver(clientKey(), text);
			input.input.focus();
		});
		input.input.addEventListener('keydown', (event) => {
			if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
				event.preventDefault();
				composer.requestSubmit();
			}
		});

		// ------------------------------------------------------------ session
		function drawEnded() {
			const ended = Boolean(session && session.ended_at);
			composer.hidden = ended;
			endedPanel.hidden = !ended;
			if (!ended) {
				return;
			}
			hideTyping();
			const by = session.ended_by ? t(`chat.endedBy.${session.ended_by}`) : '';
			endedPanel.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': 'chat-ended-title' },
				el('h2', { id: 'chat-ended-title' }, t('chat.endedTitle')),
				by ? el('p', {}, by) : null,
				session.my_role === 'seeker'
					? el('p', { class: 'actions' }, linkButton({ label: t('chat.afterChat'), href: '/activity?tab=sessions' }))
					: el('p', { class: 'actions' }, linkButton({ label: t('chat.toDashboard'), href: '/helper' })),
				aiEnded()));
			drawTools();
		}

		async function refreshSession() {
			const result = await peer.session(sessionId);
			if (result.ok && result.body) {
				session = result.body;
				drawEnded();
			}
		}

		async function endChat() {
			const ok = await ctx.confirm({ title: t('chat.endTitle'), body: t('chat.endBody'), confirmLabel: t('chat.end'), danger: true });
			if (!ok) {
				return;
			}
			const result = await peer.end(sessionId);
			if (!result.ok) {
				ctx.toast(fail(result), 'error');
				return;
			}
			session = result.body && result.body.id ? result.body : { ...session, ended_at: new Date().toISOString() };
			drawEnded();
			ctx.toast(t('chat.endedToast'), 'success');
			const title = document.getElementById('chat-ended-title');
			if (title) {
				title.tabIndex = -1;
				title.focus();
			}
		}

		async function blockHelper() {
			const name = otherName();
			const ok = await ctx.confirm({
				title: t('chat.blockTitle', { name }), body: [t('chat.blockBody', { name }), t('chat.blockBody2')],
				confirmLabel: t('chat.block'), danger: true,
			});
			if (!ok) {
				return;
			}
			const result = await peer.block(session.helper.id);
			if (!result.ok && result.status !== 409) {
				ctx.toast(fail(result), 'error');
				return;
			}
			await peer.end(sessionId);
			ctx.toast(t('chat.blocked', { name }), 'success');
			ctx.navigate('/activity');
		}

		async function emergency() {
			const ok = await ctx.confirm({
				title: t('chat.emergencyTitle'), body: [t('chat.emergencyBody'), t('chat.emergencyBody2')],
				confirmLabel: t('chat.emergencyConfirm'), danger: true,
			});
			if (!ok) {
				return;
			}
			const result = await peer.emergency(sessionId);
			if (!result.ok) {
				ctx.toast(fail(result), 'error');
				showCrisis(null);
				return;
			}
			ctx.toast(t('chat.emergencySent'), 'success');
			showCrisis(result.body ? result.body.crisis : null);
		}

		// The helper's way to bring in a moderator, whatever the AI: the training tells helpers to use
		// it at once when someone may be in danger (cgi-bin/helpers/training_content.c).
		async function alertModerator() {
			const ok = await ctx.confirm({
				title: t('chat.alertTitle'), body: [t('chat.alertBody'), t('chat.alertBody2')],
				confirmLabel: t('chat.alertConfirm'),
			});
			if (!ok) {
				return;
			}
			const result = await peer.helperAlert(sessionId);
			ctx.toast(result.ok ? t('chat.alertSent') : fail(result), result.ok ? 'success' : 'error');
		}

		function drawTools() {
			const ended = Boolean(session.ended_at);
			const parts = [];
			if (session.my_role === 'seeker') {
				const hold = holdButton({
					label: t('chat.emergency'),
					hint: t('chat.emergencyHint'),
					holdingText: (seconds) => t('chat.emergencyHolding', { seconds }),
					ms: EMERGENCY_HOLD_MS,
					onComplete: emergency,
				});
				parts.push(hold.element);
			}
			const row = [];
			if (session.my_role === 'seeker' && session.helper && session.helper.id) {
				row.push(button({ label: t('chat.block'), kind: 'secondary', small: true, onClick: blockHelper }));
			}
			if (session.my_role === 'helper' && !ended) {
				const alert = button({ label: t('chat.alertModerator'), kind: 'secondary', small: true, onClick: alertModerator });
				alert.dataset.action = 'alert-moderators';
				row.push(alert);
			}
			if (!ended) {
				row.push(button({ label: t('chat.end'), kind: 'secondary', small: true, onClick: endChat }));
			}
			if (row.length) {
				parts.push(el('p', { class: 'actions' }, row));
			}
			tools.replaceChildren(...parts);
		}

		// ------------------------------------------------------------ live
		// What polling does on each tick: the messages I missed, the session, the read marks.
		function resync() {
			catchUp();
			if (session && !session.ended_at) {
				refreshSession();
				refreshReadMarks();
			}
		}
		cleanups = [
			() => {
				for (const id of timers) {
					clearTimeout(id);
				}
				timers.clear();
			},
			subscribe('message.new', (event) => {
				if (event.session_id !== sessionId || !event.message || !loaded) {
					return;
				}
				// The message before this one never reached me (an event lost on the way, say while
				// the real-time store came back): fetch what I missed first, then add this one.
				if (event.prev_id && !messages.has(event.prev_id)) {
					Promise.resolve(catchUp()).then(() => addLive([event.message]));
					return;
				}
				addLive([event.message]);
			}),
			subscribe('typing', (event) => {
				if (event.session_id === sessionId && session && event.sender_role !== session.my_role) {
					showTyping();
				}
			}),
			subscribe('read', (event) => {
				if (event.session_id !== sessionId || !session || event.reader_role === session.my_role) {
					return;
				}
				showReadUpTo(Number(event.up_to_seq) || 0);
			}),
			subscribe('session.ended', (event) => {
				if (event.session_id === sessionId && session) {
					session = { ...session, ended_at: session.ended_at || new Date().toISOString(), ended_by: event.ended_by || session.ended_by };
					drawEnded();
					refreshSession();
				}
			}),
			subscribe('poll', resync),
			subscribe('resync', resync),
			onEventsStatus((status) => {
				connection.textContent = status.state === 'open' ? t('chat.live')
					: status.state === 'polling' ? t('chat.polling')
						: status.state === 'closed' ? '' : t('chat.reconnecting');
				if (status.state === 'open') {
					catchUp();
				}
			}),
		];
		const onVisible = () => markRead();
		document.addEventListener('visibilitychange', onVisible);
		cleanups.push(() => document.removeEventListener('visibilitychange', onVisible));

		// ------------------------------------------------------------ load
		async function load() {
			states.loading(body);
			const [found, page, aiState] = await Promise.all([
				peer.session(sessionId),
				peer.messages(sessionId, { limit: PAGE }),
				aiStatus(),
			]);
			aiOn = aiEnabled(aiState);
			if (aiOn) {
				await loadArea('ai');
				aiGuide = aiGuide || makeGuide();
			}
			if (!found.ok || !found.body) {
				states.error(body, found.status === 404 ? t('chat.notFound') : fail(found), found.status === 404 ? null : load);
				return;
			}
			if (!page.ok || !page.body || !Array.isArray(page.body.items)) {
				states.error(body, fail(page), load);
				return;
			}
			session = found.body;
			heading.textContent = session.my_role === 'helper'
				? t('chat.titleWithSeeker', { name: otherName() })
				: t('chat.titleWithHelper', { name: otherName() });
			const about = el('p', { class: 'note' }, t(`categories.${session.category}`),
				session.post_excerpt ? ` · ${session.post_excerpt}` : '');
			// The seeker may look at who is listening: their public profile (reputation, expertise).
			const helperLink = session.my_role === 'seeker' && session.helper && session.helper.id
				? el('p', {}, el('a', { href: `/helpers/${encodeURIComponent(session.helper.id)}`, 'data-helper-profile': '' },
					t('chat.helperProfile', { name: otherName() })))
				: null;
			log.replaceChildren();
			messages.clear();
			bubbles.clear();
			for (const message of page.body.items) {
				merge(message);
			}
			olderCursor = page.body.next || null;
			earlierRow.hidden = !olderCursor;
			const guidance = session.my_role === 'helper' ? el('p', { class: 'note' }, t('chat.helperGuidance')) : null;
			body.replaceChildren(...[about, helperLink, guidance, connection, crisisHolder, tools, breakBanner,
				el('section', { class: 'chat-thread', 'aria-label': t('chat.conversation') },
					earlierRow, scroller, typing),
				aiOn && session.my_role === 'helper' ? aiGuide.element : null,
				composer, endedPanel].filter(Boolean));
			if (!messages.size) {
				log.append(el('li', { class: 'chat-empty note', 'data-empty': true }, t('chat.noMessages')));
			}
			drawTools();
			drawEnded();
			loaded = true;
			scrollToEnd();
			markRead();
			// Anything sent between the page and the subscription.
			catchUp();
		}

		// Drop the "no messages yet" line as soon as one arrives.
		const observer = new MutationObserver(() => {
			const empty = log.querySelector('[data-empty]');
			if (empty && log.children.length > 1) {
				empty.remove();
			}
		});
		observer.observe(log, { childList: true });
		cleanups.push(() => observer.disconnect());

		await load();
	},
	dispose() {
		for (const off of cleanups) {
			off();
		}
		cleanups = [];
	},
};
