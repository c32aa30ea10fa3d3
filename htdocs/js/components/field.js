import { el, uid } from './dom.js';

// field({id, label, type, hint, autocomplete, value, name, required, options, inputmode, checked})
// → { element, input, setError(text|null) }
// type: any <input> type, 'textarea', 'select' (options: [{value, label}]) or
// 'checkbox' (label after the box). The hint and the error are tied to the
// input with aria-describedby; setError sets aria-invalid and the message.
export function field({
	id = uid('field'), label, type = 'text', hint = null, autocomplete = null, value = null,
	name = null, required = false, options = [], inputmode = null, checked = false,
} = {}) {
	const hintId = `${id}-hint`;
	const errorId = `${id}-error`;
	let input;
	if (type === 'textarea') {
		input = el('textarea', { id, name: name || id, autocomplete, required });
		if (value !== null) {
			input.value = value;
		}
	} else if (type === 'select') {
		input = el('select', { id, name: name || id, autocomplete, required },
			options.map((option) => el('option', { value: option.value }, option.label)));
		if (value !== null) {
			input.value = value;
		}
	} else {
		input = el('input', { id, name: name || id, type, autocomplete, required, inputmode });
		if (type === 'checkbox' || type === 'radio') {
			input.checked = Boolean(checked);
			if (value !== null) {
				input.value = value;
			}
		} else if (value !== null) {
			input.value = value;
		}
	}
	const labelNode = el('label', { for: id }, label);
	const hintNode = hint ? el('p', { id: hintId, class: 'hint' }, hint) : null;
	const errorNode = el('p', { id: errorId, class: 'field-error', hidden: true });
	const described = () => [hint ? hintId : null, errorNode.hidden ? null : errorId].filter(Boolean).join(' ');

	let element;
	if (type === 'checkbox' || type === 'radio') {
		element = el('div', { class: 'field' },
			el('div', { class: 'field-check' }, input, labelNode), hintNode, errorNode);
	} else {
		element = el('div', { class: 'field' }, labelNode, hintNode, input, errorNode);
	}

	function setError(text) {
		if (text) {
			errorNode.textContent = text;
			errorNode.hidden = false;
			input.setAttribute('aria-invalid', 'true');
		} else {
			errorNode.textContent = '';
			errorNode.hidden = true;
			input.removeAttribute('aria-invalid');
		}
		const ids = described();
		if (ids) {
			input.setAttribute('aria-describedby', ids);
		} else {
			input.removeAttribute('aria-describedby');
		}
	}
	setError(null);
	return { element, input, setError };
}
