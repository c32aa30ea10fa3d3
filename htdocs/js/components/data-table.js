import { el, uid } from './dom.js';

// dataTable({caption, columns, items, rowKey, captionHidden}) → element
// A table of items in a box that scrolls sideways on narrow screens (the box
// is a named, focusable region so that it can be scrolled with the keyboard).
// columns: [{ label, render(item) → node | string, header: bool (a row
// header), className }]; rowKey(item) → the row's data-key.
// Returns { element, addRows(items), clear() }.

export function dataTable({ caption, columns, items = [], rowKey = (item) => item.id, captionHidden = false }) {
	const captionId = uid('table-caption');
	const body = el('tbody');
	const table = el('table', { class: 'data-table' },
		el('caption', { id: captionId, class: captionHidden ? 'visually-hidden' : null }, caption),
		el('thead', {}, el('tr', {}, columns.map((column) => el('th', { scope: 'col', class: column.className || null }, column.label)))),
		body);
	const row = (item) => el('tr', { 'data-key': rowKey(item) }, columns.map((column) => {
		const content = column.render(item);
		return column.header
			? el('th', { scope: 'row', class: column.className || null }, content)
			: el('td', { class: column.className || null }, content);
	}));
	const element = el('div', { class: 'table-scroll', role: 'region', 'aria-labelledby': captionId, tabindex: '0' }, table);
	body.append(...items.map(row));
	return {
		element,
		addRows: (more) => body.append(...more.map(row)),
		clear: () => body.replaceChildren(),
	};
}
