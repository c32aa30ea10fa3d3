import { el } from './dom.js';

// button({label, kind, onClick, type, disabled, small}) → <button class="btn btn-<kind>">
// kind: 'primary' (default) | 'secondary' | 'ghost' | 'danger' | 'crisis' | 'exit'.
export function button({ label, kind = 'primary', onClick = null, type = 'button', disabled = false, small = false } = {}) {
	const node = el('button', {
		type,
		class: `btn btn-${kind}${small ? ' btn-small' : ''}`,
		disabled,
	}, label);
	if (onClick) {
		node.addEventListener('click', onClick);
	}
	return node;
}

// linkButton({label, href, kind}) → an <a> that looks like a button (router-aware).
export function linkButton({ label, href, kind = 'primary', small = false } = {}) {
	return el('a', { href, class: `btn btn-${kind}${small ? ' btn-small' : ''}` }, label);
}
