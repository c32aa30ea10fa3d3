import { el, uid } from './dom.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
	'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// modal({title, content, onClose, initialFocus, dismissable}) → { element, close(result) }
// A modal <dialog>: the rest of the page is inert, Tab and Shift+Tab stay
// inside, Escape closes (onClose gets 'cancel'), and on close focus returns
// to what had it before. content: a node or an array of nodes; initialFocus:
// a node inside content to focus first (default: the first focusable one).
// dismissable: false keeps it open on Escape (only its own buttons close it;
// Quick exit's three presses of Escape still work: they are caught earlier).
export function modal({ title, content = [], onClose = null, initialFocus = null, dismissable = true } = {}) {
	const headingId = uid('modal-title');
	const heading = el('h2', { id: headingId, tabindex: '-1' }, title);
	const dialog = el('dialog', { class: 'modal', 'aria-labelledby': headingId }, heading, content);
	const opener = document.activeElement;
	let closed = false;

	function focusables() {
		return [...dialog.querySelectorAll(FOCUSABLE)].filter((node) => !node.closest('[hidden]'));
	}

	function close(result = 'close') {
		if (closed) {
			return;
		}
		closed = true;
		if (dialog.open) {
			dialog.close();
		}
		dialog.remove();
		if (opener && typeof opener.focus === 'function' && document.contains(opener)) {
			opener.focus();
		}
		if (onClose) {
			onClose(result);
		}
	}

	dialog.addEventListener('cancel', (event) => {
		event.preventDefault();
		if (dismissable) {
			close('cancel');
		}
	});
	if (!dismissable) {
		// Should the browser close it anyway, it opens again.
		dialog.addEventListener('close', () => {
			if (!closed && dialog.isConnected) {
				dialog.showModal();
			}
		});
	}
	dialog.addEventListener('keydown', (event) => {
		if (event.key === 'Escape') {
			event.preventDefault();
			if (dismissable) {
				close('cancel');
			}
			return;
		}
		if (event.key !== 'Tab') {
			return;
		}
		const nodes = focusables();
		if (nodes.length === 0) {
			event.preventDefault();
			heading.focus();
			return;
		}
		const first = nodes[0];
		const last = nodes[nodes.length - 1];
		if (event.shiftKey && (document.activeElement === first || document.activeElement === heading)) {
			event.preventDefault();
			last.focus();
		} else if (!event.shiftKey && document.activeElement === last) {
			event.preventDefault();
			first.focus();
		}
	});

	document.body.append(dialog);
	dialog.showModal();
	const target = initialFocus || focusables()[0] || heading;
	target.focus();
	return { element: dialog, close };
}
