import { el, uid } from './dom.js';
import { button } from './button.js';
import { field } from './field.js';
import { modal } from './modal.js';
import { charCounter, countChars } from './char-counter.js';
import { t } from '/js/shell/i18n.js';

// formDialog({title, intro, fields, submitLabel, danger, submit, errorText}) → Promise<result|null>
// A modal form for a decision that needs words: a reason, a note, a number of
// hours. fields: [{ name, label, type ('text' | 'textarea' | 'number' |
// 'select'), hint, value, required, minLength, maxLength, min, max, options }].
// The fields are checked here first (a required field, a length in characters,
// a whole number in range: the first in error is focused); then
// submit(values) is called and returns an API result; while it fails the
// dialog stays open, the server's field errors beside their fields and
// errorText(result) in a status line. Resolves with the result that
// succeeded, or null when cancelled. values: trimmed strings, numbers for
// 'number' fields (null when left blank). Strings: the `forms` names of the
// `staff` catalogue area, which the calling view loads.

export function formDialog({
	title, intro = null, fields = [], submitLabel, danger = false, submit, errorText,
}) {
	return new Promise((resolve) => {
		const controls = fields.map((spec) => {
			const control = field({
				id: uid(`dialog-${spec.name}`),
				name: spec.name,
				label: spec.label,
				type: spec.type || 'text',
				hint: spec.hint || null,
				value: spec.value === undefined || spec.value === null ? null : String(spec.value),
				options: spec.options || [],
				required: Boolean(spec.required),
				inputmode: spec.type === 'number' ? 'numeric' : null,
			});
			/* A textarea has a counter instead: maxlength counts UTF-16 units, so emoji would stop at half
			   the limit, where the counter and the check below count characters, as the server does. */
			if (spec.maxLength && spec.type !== 'textarea') {
				control.input.maxLength = spec.maxLength;
			}
			if (spec.type === 'number') {
				if (spec.min !== undefined) {
					control.input.min = String(spec.min);
				}
				if (spec.max !== undefined) {
					control.input.max = String(spec.max);
				}
				control.input.step = '1';
			}
			if (spec.type === 'textarea') {
				control.input.rows = 3;
			}
			const counter = spec.type === 'textarea' && spec.maxLength
				? charCounter(control.input, { max: spec.maxLength, warnAt: Math.floor(spec.maxLength * 0.9) })
				: null;
			return { spec, control, counter };
		});
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		let handle = null;
		let result = null;
		const cancel = button({ label: t('common.cancel'), kind: 'secondary', onClick: () => handle.close('cancel') });
		const send = button({ label: submitLabel, kind: danger ? 'danger' : 'primary', type: 'submit' });
		const form = el('form', { novalidate: true, class: 'form-dialog' },
			[intro].flat().filter(Boolean).map((text) => (typeof text === 'string' ? el('p', {}, text) : text)),
			controls.map(({ control, counter }) => [control.element, counter ? counter.element : null]),
			status,
			el('p', { class: 'actions' }, cancel, send));

		function check({ spec, control }) {
			const raw = control.input.value.trim();
			if (!raw) {
				return spec.required ? t('forms.required') : null;
			}
			if (spec.type === 'number') {
				const number = Number(raw);
				if (!/^\d+$/.test(raw) || number < (spec.min ?? 0) || (spec.max !== undefined && number > spec.max)) {
					return t('forms.range', { min: spec.min ?? 0, max: spec.max ?? number });
				}
				return null;
			}
			if (spec.minLength && countChars(raw) < spec.minLength) {
				return t('forms.tooShort', { min: spec.minLength });
			}
			if (spec.maxLength && countChars(raw) > spec.maxLength) {
				return t('forms.tooLong', { max: spec.maxLength });
			}
			return null;
		}

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			let first = null;
			for (const entry of controls) {
				const problem = check(entry);
				entry.control.setError(problem);
				if (problem && !first) {
					first = entry.control.input;
				}
			}
			if (first) {
				status.className = 'status';
				status.textContent = '';
				first.focus();
				return;
			}
			const values = {};
			for (const { spec, control } of controls) {
				const raw = control.input.value.trim();
				values[spec.name] = spec.type === 'number' ? (raw ? Number(raw) : null) : raw;
			}
			send.disabled = true;
			status.className = 'status';
			status.textContent = t('forms.sending');
			const answer = await submit(values);
			send.disabled = false;
			if (answer && answer.ok) {
				result = answer;
				handle.close('done');
				return;
			}
			let placed = false;
			const errors = (answer && answer.fieldErrors) || {};
			for (const { spec, control } of controls) {
				if (spec.name in errors) {
					control.setError(String(errors[spec.name]));
					if (!placed) {
						control.input.focus();
					}
					placed = true;
				}
			}
			status.className = 'status status-error';
			status.textContent = errorText(answer);
		});

		handle = modal({
			title,
			content: form,
			onClose: () => resolve(result),
		});
	});
}
