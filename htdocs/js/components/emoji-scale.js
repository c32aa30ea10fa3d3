import { el, uid } from './dom.js';

// emojiScale({legend, name, labels, emoji, value, hint}) → { element, value(), set(n), setError(text|null), focus() }
// A required choice of 1–5 as a radio group drawn as large emoji buttons, each
// with its word under it (the emoji is hidden from screen readers, the word
// names the choice). Arrow keys move within the group as with any radios.

export function emojiScale({ legend, name = uid('scale'), labels = [], emoji = [], value = null, hint = null } = {}) {
	const legendId = uid('scale-legend');
	const errorId = uid('scale-error');
	const hintId = hint ? uid('scale-hint') : null;
	const inputs = [];
	const options = emoji.map((face, index) => {
		const level = index + 1;
		const id = uid(`${name}-${level}`);
		const input = el('input', { type: 'radio', id, name, value: String(level), class: 'scale-input' });
		input.checked = value === level;
		inputs.push(input);
		return el('div', { class: 'scale-option' }, input,
			el('label', { for: id, class: 'scale-label' },
				el('span', { class: 'scale-emoji', 'aria-hidden': 'true' }, face),
				el('span', { class: 'scale-word' }, labels[index] || String(level))));
	});
	const error = el('p', { id: errorId, class: 'field-error', hidden: true });
	const element = el('fieldset', { class: 'field emoji-scale', 'aria-describedby': hintId },
		el('legend', { id: legendId }, legend),
		hint ? el('p', { id: hintId, class: 'hint' }, hint) : null,
		el('div', { class: 'scale-options' }, options),
		error);
	return {
		element,
		value() {
			const chosen = inputs.find((input) => input.checked);
			return chosen ? Number(chosen.value) : null;
		},
		set(level) {
			for (const input of inputs) {
				input.checked = Number(input.value) === level;
			}
		},
		setError(text) {
			error.textContent = text || '';
			error.hidden = !text;
			const described = [hintId, text ? errorId : null].filter(Boolean).join(' ');
			if (described) {
				element.setAttribute('aria-describedby', described);
			} else {
				element.removeAttribute('aria-describedby');
			}
			for (const input of inputs) {
				if (text) {
					input.setAttribute('aria-invalid', 'true');
				} else {
					input.removeAttribute('aria-invalid');
				}
			}
		},
		focus() {
			(inputs.find((input) => input.checked) || inputs[0]).focus();
		},
	};
}
