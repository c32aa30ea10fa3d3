// Toasts: short messages at the bottom of the screen.
//   toast(message, kind = 'info' | 'success' | 'error')
// Info and success go to a polite live region (role=status) and leave after
// 8 seconds (the timer pauses while the pointer or focus is on the toast);
// errors go to an assertive one (role=alert) and stay until dismissed.
// At most 3 toasts show at once.

import { el } from '/js/components/dom.js';
import { t } from './i18n.js';

const LIFETIME_MS = 8000;
const MAX_VISIBLE = 3;
let container = null;
let politeRegion = null;
let assertiveRegion = null;

/** Create the live regions; call once at start-up, before any toast. */
export function initToasts() {
	if (container) {
		return;
	}
	politeRegion = el('div', { class: 'toast-region', role: 'status', 'aria-live': 'polite' });
	assertiveRegion = el('div', { class: 'toast-region', role: 'alert', 'aria-live': 'assertive' });
	container = el('div', { class: 'toasts' }, assertiveRegion, politeRegion);
	document.body.append(container);
}

export function toast(message, kind = 'info') {
	initToasts();
	const safeKind = ['info', 'success', 'error'].includes(kind) ? kind : 'info';
	const region = safeKind === 'error' ? assertiveRegion : politeRegion;
	const close = el('button', { type: 'button', class: 'btn btn-ghost btn-small' }, t('common.dismiss'));
	const node = el('div', { class: `toast toast-${safeKind}` }, el('p', { class: 'toast-text' }, message), close);
	let timer = null;

	function remove() {
		clearTimeout(timer);
		const hadFocus = node.contains(document.activeElement);
		node.remove();
		if (hadFocus) {
			const main = document.getElementById('main');
			if (main) {
				main.focus();
			}
		}
	}

	function arm() {
		if (safeKind !== 'error') {
			clearTimeout(timer);
			timer = setTimeout(remove, LIFETIME_MS);
		}
	}

	close.addEventListener('click', remove);
	node.addEventListener('mouseenter', () => clearTimeout(timer));
	node.addEventListener('focusin', () => clearTimeout(timer));
	node.addEventListener('mouseleave', arm);
	node.addEventListener('focusout', arm);
	region.append(node);
	const all = container.querySelectorAll('.toast');
	for (let i = 0; i < all.length - MAX_VISIBLE; i += 1) {
		all[i].remove();
	}
	arm();
	return remove;
}
