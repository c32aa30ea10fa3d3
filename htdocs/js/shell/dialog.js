// confirm({title, body, confirmLabel, cancelLabel, danger}) → Promise<boolean>
// A modal confirm dialog (components/modal.js: focus trapped, Escape cancels,
// focus returns to the opener). Focus starts on Cancel, the safe choice.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { modal } from '/js/components/modal.js';
import { t } from './i18n.js';

export function confirm({ title, body = '', confirmLabel = null, cancelLabel = null, danger = false } = {}) {
	return new Promise((resolve) => {
		let handle = null;
		const cancel = button({
			label: cancelLabel || t('common.cancel'),
			kind: 'secondary',
			onClick: () => handle.close(false),
		});
		const ok = button({
			label: confirmLabel || t('common.confirm'),
			kind: danger ? 'danger' : 'primary',
			onClick: () => handle.close(true),
		});
		const paragraphs = [body].flat().filter(Boolean).map((text) =>
			(typeof text === 'string' ? el('p', {}, text) : text));
		handle = modal({
			title,
			content: [...paragraphs, el('p', { class: 'actions' }, cancel, ok)],
			initialFocus: cancel,
			onClose: (result) => resolve(result === true),
		});
	});
}
