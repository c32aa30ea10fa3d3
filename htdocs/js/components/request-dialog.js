import { el, uid } from './dom.js';
import { button } from './button.js';
import { field } from './field.js';
import { modal } from './modal.js';
import { charCounter, countChars } from './char-counter.js';
import { t } from '/js/shell/i18n.js';

// requestDialog({helperName, categories, max, warnAt, submit, errorText}) → Promise<result|null>
// "Request a chat with {name}": a category and a private message. submit({category,
// content}) returns an API result; a failure is shown in the dialog (field
// errors next to their fields), a success closes it and resolves with the
// result; Cancel or Escape resolves null.

export function requestDialog({ helperName, categories, max = 5000, warnAt = 4900, submit, errorText }) {
	return new Promise((resolve) => {
		const category = field({
			id: uid('request-category'), type: 'select', label: t('share.category'),
			options: [{ value: '', label: t('share.chooseCategory') },
				...categories.map((value) => ({ value, label: t(`categories.${value}`) }))],
		});
		const content = field({
			id: uid('request-content'), type: 'textarea', label: t('request.message'), hint: t('request.messageHint', { name: helperName }),
		});
		const counter = charCounter(content.input, { max, warnAt });
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		let handle = null;
		let result = null;
		const cancel = button({ label: t('common.cancel'), kind: 'secondary', onClick: () => handle.close('cancel') });
		const send = button({ label: t('request.send'), type: 'submit' });
		const form = el('form', { novalidate: true },
			el('p', {}, t('request.intro', { name: helperName })),
			category.element, content.element, counter.element, status,
			el('p', { class: 'actions' }, cancel, send));
		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			category.setError(category.input.value ? null : t('share.errors.category'));
			const text = content.input.value.trim();
			content.setError(!text ? t('share.errors.empty') : countChars(text) > max ? t('share.errors.tooLong', { max }) : null);
			if (!category.input.value) {
				category.input.focus();
				return;
			}
			if (!text || countChars(text) > max) {
				content.input.focus();
				return;
			}
			send.disabled = true;
			status.className = 'status';
			status.textContent = t('request.sending');
			const answer = await submit({ category: category.input.value, content: text });
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
			title: t('request.title', { name: helperName }),
			content: form,
			onClose: () => resolve(result),
		});
	});
}
