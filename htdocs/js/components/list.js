import { el } from './dom.js';

// list(items, renderItem, {empty, label}) → <ul class="list"> with one <li> per
// item (renderItem returns a node or a string), or, when there are no items,
// <p class="state state-empty"> with the `empty` text.
export function list(items, renderItem, { empty = '', label = null } = {}) {
	if (!items || items.length === 0) {
		return el('p', { class: 'state state-empty' }, empty);
	}
	return el('ul', { class: 'list', 'aria-label': label },
		items.map((item, index) => el('li', {}, renderItem(item, index))));
}
