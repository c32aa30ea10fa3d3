import { el, uid } from './dom.js';
import { button } from './button.js';
import { field } from './field.js';
import { modal } from './modal.js';
import { t } from '/js/shell/i18n.js';

// reportDialog({reasons, noteMax, submit}) → Promise<result|null>
// A modal with the report reasons as radio buttons and an optional note.
// submit({reason, note}) is called on "Report" and returns an API result
// ({ok, ...}); the dialog stays open and shows errorText(result) when it fails,
// and resolves with the result when it succeeds, or null when cancelled.
// errorText(result) → the sentence to show for a failed result.

export function reportDialog({ reasons, noteMax = 500, submit, errorText }) {
	return new Promise((resolve) => {
		const name = uid('report-reason');
		const radios = reasons.map((reason) => field({
			id: `${name}-${reason}`, name, type: 'radio', value: reason, label: t(`report.reasons.${reason}`),
		}));
		const legendId = uid('report-legend');
		const reasonError = el('p', { class: 'field-error', id: `${name}-error`, hidden: true });
		const note = field({
			id: uid('report-note'), type: 'textarea', label: t('report.note'), hint: t('report.noteHint', { max: noteMax }),
		});
		note.input.maxLength = noteMax;
		note.input.rows = 3;
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		let handle = null;
		let result = null;
		const cancel = button({ label: t('common.cancel'), kind: 'secondary', onClick: () => handle.close('cancel') });
		const send = button({ label: t('report.submit'), kind: 'danger', type: 'submit' });
		const form = el('form', { novalidate: true },
			el('p', {}, t('report.intro')),
			el('fieldset', { class: 'field choice-list', 'aria-labelledby': legendId, 'aria-describedby': reasonError.id },
				el('legend', { id: legendId }, t('report.reason')),
				radios.map((radio) => radio.element),
				reasonError),
			note.element,
			status,
			el('p', { class: 'actions' }, cancel, send));
		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const chosen = radios.find((radio) => radio.input.checked);
			if (!chosen) {
				reasonError.textContent = t('report.chooseReason');
				reasonError.hidden = false;
				radios[0].input.focus();
				return;
			}
			reasonError.hidden = true;
			send.disabled = true;
			status.className = 'status';
			status.textContent = t('report.sending');
			const answer = await submit({ reason: chosen.input.value, note: note.input.value.trim() });
			send.disabled = false;
			if (answer && answer.ok) {
				result = answer;
				handle.close('done');
				return;
			}
			status.className = 'status status-error';
			status.textContent = errorText(answer);
		});
		handle = modal({
			title: t('report.title'),
			content: form,
			onClose: () => resolve(result),
		});
	});
}
