import { el } from './dom.js';
import { button } from './button.js';
import { t } from '/js/shell/i18n.js';

// Loading, empty and error states. Each replaces root's children.
//   states.loading(root, text?)        polite "Loading…" with a spinner
//   states.empty(root, text)           a quiet note
//   states.error(root, text, retry?)   role=alert; a "Try again" button calls retry()

function loading(root, text = null) {
	const node = el('div', { class: 'state state-loading', role: 'status' },
		el('span', { class: 'spinner', 'aria-hidden': 'true' }),
		el('span', {}, text || t('common.loading')));
	root.replaceChildren(node);
	return node;
}

function empty(root, text) {
	const node = el('p', { class: 'state state-empty' }, text);
	root.replaceChildren(node);
	return node;
}

function error(root, text = null, retry = null) {
	const node = el('div', { class: 'state state-error', role: 'alert' },
		el('p', {}, text || t('common.errorGeneric')),
		retry ? el('p', { class: 'actions' }, button({ label: t('common.retry'), kind: 'secondary', onClick: retry })) : null);
	root.replaceChildren(node);
	return node;
}

export const states = { loading, empty, error };
