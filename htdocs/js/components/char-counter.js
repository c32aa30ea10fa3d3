import { el, uid } from './dom.js';
import { t } from '/js/shell/i18n.js';

// charCounter(input, {max, warnAt}) → element
// "123 / 5000" under a text field, updated as the person types. Past warnAt
// a warning is added ("87 characters left", a polite live region; silent
// below warnAt, so ordinary typing is not read out). The counter is tied to
// the field with aria-describedby. Counts characters as the server does
// (Unicode code points).

export function countChars(text) {
	return [...String(text || '')].length;
}

export function charCounter(input, { max, warnAt = max } = {}) {
	const id = uid('counter');
	const count = el('span', { class: 'char-count', 'aria-hidden': 'true' });
	const warning = el('span', { class: 'char-warning', role: 'status', 'aria-live': 'polite' });
	const element = el('p', { class: 'char-counter', id }, count, ' ', warning);
	const described = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
	input.setAttribute('aria-describedby', [...described, id].join(' '));
	let stage = 'ok';

	function update() {
		const used = countChars(input.value);
		count.textContent = t('counter.count', { used, max });
		const next = used >= max ? 'full' : used > warnAt ? 'warn' : 'ok';
		element.classList.toggle('is-warning', next !== 'ok');
		if (next !== stage) {
			stage = next;
			warning.textContent = next === 'ok' ? '' : t(next === 'full' ? 'counter.full' : 'counter.left', { count: max - used });
		} else if (next === 'warn') {
			warning.textContent = t('counter.left', { count: max - used });
		}
	}

	input.addEventListener('input', update);
	update();
	return { element, update };
}
