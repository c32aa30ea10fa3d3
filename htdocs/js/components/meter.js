import { el, uid } from './dom.js';

// meter({value, max, label, valueText}) → a labelled <meter> with the value shown as text.
export function meter({ value = 0, max = 100, label = '', valueText = null } = {}) {
	const id = uid('meter');
	const shown = valueText !== null ? valueText : `${value} / ${max}`;
	return el('div', { class: 'meter' },
		el('div', { class: 'meter-label' },
			el('label', { for: id }, label),
			el('span', { 'aria-hidden': 'true' }, shown)),
		el('meter', { id, min: 0, max, value, 'aria-valuetext': shown }, shown));
}
