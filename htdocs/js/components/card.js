import { el } from './dom.js';

// card({title, body, headingLevel, actions}) → <article class="card">
// body: a node, a string or an array of them; actions: nodes shown at the bottom.
export function card({ title = null, body = [], headingLevel = 2, actions = [] } = {}) {
	const heading = title ? el(`h${headingLevel}`, {}, title) : null;
	const content = el('div', { class: 'card-body' }, ...[body].flat().map((part) =>
		(typeof part === 'string' ? el('p', {}, part) : part)));
	const footer = actions.length ? el('p', { class: 'actions' }, actions) : null;
	return el('article', { class: 'card' }, heading, content, footer);
}
