import { el } from './dom.js';
import { button } from './button.js';
import { states } from './states.js';

// pagedList({fetchPage, renderItem, emptyText, moreLabel, errorText, label, className, changeKey})
// → { element, reload(), refresh(), remove(key), prepend(item), update(item), items() }
// A keyset-paged list: fetchPage(cursor) returns an API result whose body is
// { items, next }; the first page shows with the loading, empty and error
// states, "Load more" appends the next page and moves focus to its first new
// item. renderItem(item) → a node; items are keyed by item.id.
// errorText(result) → the sentence for a failed request.
// refresh() fetches the first page again and reloads only when it differs from
// what is shown, compared by changeKey(item) (by default the whole item): a
// list nothing happened to keeps its place and the focus in it.

export function pagedList({
	fetchPage, renderItem, emptyText, moreLabel, errorText, label = null, className = 'item-list',
	changeKey = (item) => JSON.stringify(item),
}) {
	const list = el('ul', { class: `list ${className}`, 'aria-label': label });
	const body = el('div', { class: 'paged-body' });
	const more = button({ label: moreLabel, kind: 'secondary' });
	const moreRow = el('p', { class: 'actions load-more', hidden: true }, more);
	const moreStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const element = el('div', { class: 'paged-list' }, body, moreRow, moreStatus);
	const rows = new Map();
	let cursor = null;
	let generation = 0;

	function row(item) {
		const li = el('li', { 'data-key': item.id }, renderItem(item));
		rows.set(item.id, { li, item });
		return li;
	}

	function showEmptyIfNone() {
		if (!rows.size && moreRow.hidden) {
			states.empty(body, emptyText);
		}
	}

	async function reload() {
		generation += 1;
		const mine = generation;
		rows.clear();
		cursor = null;
		moreRow.hidden = true;
		moreStatus.textContent = '';
		states.loading(body);
		const result = await fetchPage(null);
		if (mine !== generation) {
			return;
		}
		if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
			states.error(body, errorText(result), reload);
			return;
		}
		list.replaceChildren(...result.body.items.map(row));
		cursor = result.body.next || null;
		moreRow.hidden = !cursor;
		if (!rows.size && !cursor) {
			states.empty(body, emptyText);
		} else {
			body.replaceChildren(list);
		}
	}

	async function refresh() {
		const mine = generation;
		const result = await fetchPage(null);
		if (mine !== generation || !result.ok || !result.body || !Array.isArray(result.body.items)) {
			return;
		}
		const shown = [...rows.values()].slice(0, result.body.items.length).map((entry) => changeKey(entry.item));
		const fresh = result.body.items.map(changeKey);
		if (shown.length !== fresh.length || fresh.some((key, i) => key !== shown[i])) {
			await reload();
		}
	}

	more.addEventListener('click', async () => {
		const mine = generation;
		more.disabled = true;
		moreStatus.className = 'status';
		moreStatus.textContent = '';
		const result = await fetchPage(cursor);
		more.disabled = false;
		if (mine !== generation) {
			return;
		}
		if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
			moreStatus.className = 'status status-error';
			moreStatus.textContent = errorText(result);
			return;
		}
		const fresh = result.body.items.filter((item) => !rows.has(item.id)).map(row);
		if (!list.isConnected) {
			body.replaceChildren(list);
		}
		list.append(...fresh);
		cursor = result.body.next || null;
		moreRow.hidden = !cursor;
		const target = fresh.length ? fresh[0].querySelector('h2, h3, a, button, [tabindex]') : null;
		if (target) {
			if (!target.matches('a, button') && !target.hasAttribute('tabindex')) {
				target.tabIndex = -1;
			}
			target.focus();
		} else if (!cursor) {
			showEmptyIfNone();
		}
	});

	return {
		element,
		reload,
		refresh,
		/** Take an item out (reported, answered); focus moves to the next one (or to "Load more", or the empty note). */
		remove(key) {
			const found = rows.get(key);
			if (!found) {
				return;
			}
			const hadFocus = found.li.contains(document.activeElement);
			const next = found.li.nextElementSibling || found.li.previousElementSibling;
			found.li.remove();
			rows.delete(key);
			if (hadFocus && next) {
				const target = next.querySelector('button, a');
				if (target) {
					target.focus();
				}
			}
			showEmptyIfNone();
			// The last one shown went with the focus: "Load more" takes it, else the note that the list is empty.
			if (hadFocus && !next) {
				if (!moreRow.hidden) {
					more.focus();
				} else if (body.firstElementChild && body.firstElementChild !== list) {
					body.firstElementChild.tabIndex = -1;
					body.firstElementChild.focus();
				}
			}
		},
		/** Put an item first (new reflection, new request), or redraw it when already shown. */
		prepend(item) {
			const old = rows.get(item.id);
			const li = row(item);
			if (old) {
				old.li.replaceWith(li);
				return;
			}
			if (!list.isConnected) {
				body.replaceChildren(list);
			}
			list.prepend(li);
		},
		/** Redraw one item with new data. */
		update(item) {
			const old = rows.get(item.id);
			if (old) {
				old.li.replaceWith(row(item));
			}
		},
		items() {
			return [...rows.values()].map((entry) => entry.item);
		},
	};
}
