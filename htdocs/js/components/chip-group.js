import { el, uid } from './dom.js';

// chipGroup({legend, options: [{value, label}], selected, hint}) → { element, values(), set(values) }
// Several-of-many as checkboxes drawn as chips (a checked chip is filled);
// each chip is a real checkbox with its label, so Tab, Space and screen
// readers work as with any checkbox.

export function chipGroup({ legend, options = [], selected = [], hint = null } = {}) {
	const hintId = hint ? uid('chips-hint') : null;
	const inputs = options.map((option) => {
		const id = uid('chip');
		const input = el('input', { type: 'checkbox', id, value: option.value, class: 'chip-input' });
		input.checked = selected.includes(option.value);
		return { input, node: el('li', { class: 'chip' }, input, el('label', { for: id, class: 'chip-label' }, option.label)) };
	});
	const element = el('fieldset', { class: 'field chip-group', 'aria-describedby': hintId },
		el('legend', {}, legend),
		hint ? el('p', { id: hintId, class: 'hint' }, hint) : null,
		el('ul', { class: 'chips' }, inputs.map((item) => item.node)));
	return {
		element,
		values: () => inputs.filter((item) => item.input.checked).map((item) => item.input.value),
		set(values) {
			for (const item of inputs) {
				item.input.checked = values.includes(item.input.value);
			}
		},
	};
}
