import { el } from './dom.js';
import { markdown } from './markdown.js';
import { t, formatDate } from '/js/shell/i18n.js';

// messageBubble(message, {otherName, state, onRetry}) → <li class="bubble …">
// message: a Message of the API (mine, text, created_at, read, flagged).
// state: 'sent' (default), 'sending' or 'failed' (a "Try again" button calls
// onRetry(message)). My messages carry a read mark: "Sent" or "Read".
// A flagged message (the crisis detector fired; the API says so to helpers
// only) carries a note that points to the crisis guidance.

export function messageBubble(message, { otherName = '', state = 'sent', onRetry = null } = {}) {
	const mine = Boolean(message.mine);
	let mark = null;
	if (mine) {
		if (state === 'sending') {
			mark = el('span', { class: 'bubble-mark' }, t('chat.sending'));
		} else if (state === 'failed') {
			mark = el('span', { class: 'bubble-mark bubble-failed' }, t('chat.notSent'), ' ',
				onRetry ? el('button', { type: 'button', class: 'btn btn-ghost btn-small', onClick: () => onRetry(message) }, t('common.retry')) : null);
		} else {
			mark = el('span', { class: `bubble-mark${message.read ? ' is-read' : ''}`, 'data-read': String(Boolean(message.read)) },
				el('span', { 'aria-hidden': 'true' }, message.read ? '✓✓ ' : '✓ '),
				message.read ? t('chat.read') : t('chat.sent'));
		}
	}
	const flagged = !mine && message.flagged
		? el('p', { class: 'bubble-flag' }, t('chat.flagged'), ' ', el('a', { href: '/crisis' }, t('chat.flaggedLink')))
		: null;
	return el('li', {
		class: `bubble ${mine ? 'bubble-mine' : 'bubble-theirs'}${state !== 'sent' ? ` bubble-${state}` : ''}`,
		'data-message-id': message.id || null,
		'data-client-key': message.client_key || null,
	},
	el('p', { class: 'bubble-sender' }, mine ? t('chat.you') : otherName),
	markdown(message.text, { className: 'markdown bubble-text' }),
	flagged,
	el('p', { class: 'bubble-meta' },
		message.created_at ? el('time', { datetime: message.created_at }, formatDate(message.created_at, { timeStyle: 'short' })) : null,
		mark ? ' · ' : null,
		mark));
}
