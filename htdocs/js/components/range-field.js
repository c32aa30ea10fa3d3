import { el, uid } from './dom.js';

// rangeField({id, label, min, max, value, lowLabel, highLabel, valueText})
// → { element, input, value(), set(n) }
// A labelled slider with its ends named under it ("Low" … "High") and the
// value shown beside the label; valueText(n) gives the words a screen reader
// hears for a value (aria-valuetext), e.g. "3 of 5".

export function rangeField({
	id = uid('range'), label, min = 1, max = 5, value = 3, lowLabel = '', highLabel = '', valueText = null,
} = {}) {
	const ends = uid('range-ends');
	const input = el('input', { type: 'range', id, name: id, min, max, step: 1, 'aria-describedby': ends, class: 'range-input' });
	input.value = String(value);
	const shown = el('output', { for: id, class: 'range-value', 'aria-hidden': 'true' });
	function sync() {
		shown.textContent = input.value;
		if (valueText) {
			input.setAttribute('aria-valuetext', valueText(Number(input.value)));
		}
	}
	input.addEventListener('input', sync);
	sync();
	const element = el('div', { class: 'field range-field' },
		el('div', { class: 'range-head' }, el('label', { for: id }, label), shown),
		input,
		el('p', { class: 'range-ends hint', id: ends },
			el('span', {}, lowLabel), el('span', {}, highLabel)));
	return {
		element,
		input,
		value: () => Number(input.value),
		set(n) {
			input.value = String(n);
			sync();
		},
	};
}
