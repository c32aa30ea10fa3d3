import { el, uid } from './dom.js';
import { t } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { durationText } from './duration.js';

// The pieces every AI feature shares (strings: the `ai` catalogue area, which
// the view loads). What the model wrote is always put in the page as text.
//
//   aiSender()                       "AI  Astral AI (not a person)", the label of every AI text
//   aiErrorText(result)              a sentence for a failed AI request (quota with the time in
//                                    words, durationText of duration.js; 503, …)
//   aiResult({title, text, fallback, headingLevel, note})
//                                    a labelled AI answer: <section class="ai-note">
//   aiAsk({label, title, request, pick, emptyText, headingLevel, note})
//                                    { button, output }: a button that asks once and shows
//                                    the answer under it; pressed again it hides or shows it
//   guidancePanel({headingLevel, onUse, onClose})
//                                    { element, loading(), show(result), clear() }: the
//                                    helper's guidance on a seeker's message

/** The visible label of every AI text. */
export function aiSender({ tag = 'p', className = 'bubble-sender ai-sender' } = {}) {
	return el(tag, { class: className },
		el('span', { class: 'badge badge-ai', 'aria-hidden': 'true' }, t('ai.badge')), ' ',
		el('span', {}, t('ai.sender')));
}

/** The sentence for a failed AI request: the day's limit with the time to wait, unavailable, age, … */
export function aiErrorText(result) {
	const code = result && result.error ? result.error.code : '';
	if (result && (result.status === 429 || code === 'quota_exceeded')) {
		const seconds = result.retryAfter;
		return seconds === null || seconds === undefined
			? t('ai.errors.quotaNoTime')
			: t('ai.errors.quota', { time: durationText(seconds) });
	}
	if (result && (result.status === 503 || code === 'ai_unavailable')) {
		return t('ai.errors.unavailable');
	}
	if (code === 'age_confirmation_required') {
		return t('ai.errors.ageRequired');
	}
	if (code === 'ai_chat_adults_only') {
		return t('ai.errors.adultsOnly');
	}
	if (code === 'nothing_to_draft') {
		return t('ai.errors.nothingToDraft');
	}
	if (code === 'stream_cut') {
		return t('ai.errors.cut');
	}
	return errorText(t, result);
}

/** A labelled answer written by the AI (text only), with a note when it is the standard fallback. */
export function aiResult({ title, text, fallback = false, headingLevel = 3, note = null }) {
	const headingId = uid('ai-note');
	return el('section', { class: 'ai-note', 'aria-labelledby': headingId, tabindex: '-1' },
		el(`h${headingLevel}`, { id: headingId, class: 'ai-note-title' }, title),
		aiSender(),
		el('p', { class: 'ai-text' }, String(text || '')),
		fallback ? el('p', { class: 'ai-fallback-note' }, t('ai.fallbackResult')) : null,
		el('p', { class: 'ai-disclaimer' }, note || t('ai.notPerson')));
}

/**
 * A button that asks the AI once (request() → API result) and shows the
 * answer under it: pick(body) → the text, or null when there is none
 * (emptyText is shown then). The answer's heading takes focus. Pressed again
 * it hides or shows the answer (aria-expanded), without asking again; after a
 * failure it asks again.
 */
export function aiAsk({ label, title, request, pick, emptyText, headingLevel = 3, note = null, action = null }) {
	const outputId = uid('ai-output');
	const button = el('button', {
		type: 'button', class: 'btn btn-secondary btn-small ai-ask', 'aria-expanded': 'false', 'aria-controls': outputId,
		'data-ai-action': action,
	}, label);
	const output = el('div', { class: 'ai-output', id: outputId });
	let shown = null;
	button.addEventListener('click', async () => {
		if (shown) {
			const open = output.hidden;
			output.hidden = !open;
			button.setAttribute('aria-expanded', String(open));
			return;
		}
		button.disabled = true;
		output.hidden = false;
		output.replaceChildren(el('p', { class: 'state state-loading', role: 'status' },
			el('span', { class: 'spinner', 'aria-hidden': 'true' }), el('span', {}, t('ai.working'))));
		const result = await request();
		button.disabled = false;
		if (!result.ok || !result.body) {
			output.replaceChildren(el('p', { class: 'status status-error', role: 'alert' }, aiErrorText(result)));
			return;
		}
		const text = pick(result.body);
		shown = text
			? aiResult({ title, text, fallback: Boolean(result.body.fallback), headingLevel, note })
			: el('p', { class: 'note', tabindex: '-1' }, emptyText);
		output.replaceChildren(shown);
		button.setAttribute('aria-expanded', 'true');
		shown.focus();
	});
	return { button, output };
}

function resourceItem(resource) {
	const title = String((resource && (resource.name || resource.title)) || '');
	const contact = String((resource && resource.contact) || '');
	return el('li', {}, el('strong', {}, title), contact ? ` · ${contact}` : '');
}

/**
 * The helper's guidance panel: flag and reason, suggested replies (each one
 * put into the message box by onUse(text), never sent), resources, and
 * "Alert a moderator" when onAlert is given (onAlert() → a {ok} result).
 */
export function guidancePanel({ headingLevel = 2, onUse, onClose = null, onAlert = null }) {
	const headingId = uid('guidance-title');
	const heading = el(`h${headingLevel}`, { id: headingId, tabindex: '-1' }, t('ai.guidance.title'));
	const content = el('div', { class: 'guidance-content' });
	const element = el('section', { class: 'panel guidance-panel', 'aria-labelledby': headingId, hidden: true },
		heading, aiSender(), el('p', { class: 'note' }, t('ai.guidance.lead')), content);
	const sub = `h${Math.min(headingLevel + 1, 6)}`;

	function open() {
		element.hidden = false;
	}

	function loading() {
		open();
		content.replaceChildren(el('p', { class: 'state state-loading', role: 'status' },
			el('span', { class: 'spinner', 'aria-hidden': 'true' }), el('span', {}, t('ai.guidance.working'))));
		heading.focus();
	}

	function show(result) {
		open();
		if (!result.ok || !result.body) {
			content.replaceChildren(el('p', { class: 'status status-error', role: 'alert' }, aiErrorText(result)));
			return;
		}
		const body = result.body;
		const replies = Array.isArray(body.suggested_replies) ? body.suggested_replies.filter((r) => typeof r === 'string' && r) : [];
		const resources = Array.isArray(body.resources) ? body.resources.filter((r) => r && (r.name || r.title || r.contact)) : [];
		const parts = [
			el('p', { class: `guidance-flag ${body.flag ? 'is-flagged' : 'is-clear'}`, 'data-flag': String(Boolean(body.flag)) },
				el('span', { 'aria-hidden': 'true' }, body.flag ? '⚠ ' : '✓ '),
				t(body.flag ? 'ai.guidance.flagged' : 'ai.guidance.notFlagged')),
			body.reason ? el('p', { class: 'ai-text guidance-reason' }, String(body.reason)) : null,
			body.flag ? el('p', { class: 'note' }, t('ai.guidance.crisisGuide'), ' ',
				el('a', { href: '/crisis' }, t('ai.guidance.crisisLink'))) : null,
		];
		if (replies.length) {
			parts.push(el(sub, {}, t('ai.guidance.replies')),
				el('ul', { class: 'list guidance-replies' }, replies.map((text) => {
					const textId = uid('suggestion');
					return el('li', { class: 'guidance-reply' },
						el('p', { class: 'ai-text', id: textId }, text),
						el('button', {
							type: 'button', class: 'btn btn-secondary btn-small', 'aria-describedby': textId, 'data-action': 'use-reply',
							onClick: () => onUse(text),
						}, t('ai.guidance.use')));
				})));
		}
		if (resources.length) {
			parts.push(el(sub, {}, t('ai.guidance.resources')), el('ul', { class: 'guidance-resources' }, resources.map(resourceItem)));
		}
		if (body.fallback) {
			parts.push(el('p', { class: 'ai-fallback-note' }, t('ai.fallbackResult')));
		}
		if (onAlert) {
			const alertStatus = el('p', { class: 'status', role: 'status' });
			const alertButton = el('button', {
				type: 'button', class: `btn btn-small ${body.flag ? 'btn-primary' : 'btn-secondary'}`, 'data-action': 'alert-moderator',
				onClick: async () => {
					alertButton.disabled = true;
					const sent = await onAlert();
					alertStatus.className = sent && sent.ok ? 'status status-success' : 'status status-error';
					alertStatus.textContent = t(sent && sent.ok ? 'ai.guidance.alerted' : 'ai.guidance.alertFailed');
					alertButton.disabled = Boolean(sent && sent.ok);
				},
			}, t('ai.guidance.alert'));
			parts.push(el('p', { class: 'actions' }, alertButton), alertStatus);
		}
		parts.push(el('p', { class: 'ai-disclaimer' }, t('ai.notPerson')),
			el('p', { class: 'actions' }, el('button', {
				type: 'button', class: 'btn btn-ghost btn-small', onClick: () => {
					clear();
					if (onClose) {
						onClose();
					}
				},
			}, t('ai.guidance.close'))));
		content.replaceChildren(...parts.filter(Boolean));
	}

	function clear() {
		content.replaceChildren();
		element.hidden = true;
	}

	return { element, loading, show, clear, heading };
}
