import { el, uid } from './dom.js';
import { button } from './button.js';

// listEditor({legend, hint, kind, rows, max, textMax, phoneMax, phonePattern, labels})
// → { element, value(), validate() }
// An editable list inside a <fieldset>: one row per entry, "Add" appends an
// empty row and focuses it, each row's "Remove" takes it out and moves focus
// to the next row (or to "Add").
//   kind 'text'     rows are strings                       (one text input)
//   kind 'contact'  rows are { name, contact|null }        (name + free-text contact)
//   kind 'phone'    rows are { name, phone|null }          (name + telephone)
// labels: { item(n), name, contact, phone, add, remove(n), full, nameNeeded, phoneInvalid }
// value() drops empty rows; validate() marks the rows in error and returns the
// first input in error (null when all is well).

export function listEditor({
	legend, hint = null, kind = 'text', rows = [], max = 20, textMax = 300, phoneMax = 32,
	phonePattern = /^[0-9+() -]{3,32}$/, labels = {},
} = {}) {
	const hintId = hint ? uid('editor-hint') : null;
	const list = el('ol', { class: 'editor-rows' });
	const fullNote = el('p', { class: 'note', hidden: true }, labels.full || '');
	const addButton = button({ label: labels.add, kind: 'secondary', small: true, onClick: () => addRow(null, true) });
	const element = el('fieldset', { class: 'field list-editor', 'aria-describedby': hintId },
		el('legend', {}, legend),
		hint ? el('p', { id: hintId, class: 'hint' }, hint) : null,
		list,
		el('p', { class: 'actions' }, addButton),
		fullNote);
	const entries = [];

	function input(id, value, attributes = {}) {
		const node = el('input', { id, type: 'text', maxlength: textMax, autocomplete: 'off', ...attributes });
		node.value = value || '';
		return node;
	}

	function labelFor(id, text, n, hidden) {
		return el('label', { for: id, class: hidden ? 'visually-hidden' : 'editor-label' }, text,
			hidden ? null : el('span', { class: 'visually-hidden' }, ` (${labels.item(n)})`));
	}

	function renumber() {
		entries.forEach((entry, index) => {
			const n = index + 1;
			entry.number.textContent = String(n);
			entry.relabel(n);
		});
		addButton.disabled = entries.length >= max;
		fullNote.hidden = entries.length < max;
	}

	function addRow(data, focus) {
		if (entries.length >= max) {
			return;
		}
		const base = uid('row');
		const error = el('p', { class: 'field-error', id: `${base}-error`, hidden: true });
		const number = el('span', { class: 'editor-number', 'aria-hidden': 'true' });
		const fields = [];
		const cells = el('div', { class: `editor-fields editor-${kind}` });
		const relabelFns = [];
		if (kind === 'text') {
			const id = `${base}-text`;
			const node = input(id, typeof data === 'string' ? data : '');
			const label = labelFor(id, labels.item(1), 1, true);
			relabelFns.push((n) => {
				label.textContent = labels.item(n);
			});
			fields.push({ key: 'text', node });
			cells.append(el('div', { class: 'editor-cell editor-cell-wide' }, label, node));
		} else {
			const second = kind === 'phone' ? 'phone' : 'contact';
			const nameId = `${base}-name`;
			const otherId = `${base}-${second}`;
			const nameNode = input(nameId, data && data.name);
			const otherNode = kind === 'phone'
				? input(otherId, data && data.phone, { type: 'tel', inputmode: 'tel', maxlength: phoneMax, autocomplete: 'off' })
				: input(otherId, data && data.contact);
			const nameLabel = el('span');
			const otherLabel = el('span');
			const nameLabelNode = el('label', { for: nameId, class: 'editor-label' }, labels.name, el('span', { class: 'visually-hidden' }, nameLabel));
			const otherLabelNode = el('label', { for: otherId, class: 'editor-label' }, labels[second], el('span', { class: 'visually-hidden' }, otherLabel));
			relabelFns.push((n) => {
				nameLabel.textContent = ` (${labels.item(n)})`;
				otherLabel.textContent = ` (${labels.item(n)})`;
			});
			fields.push({ key: 'name', node: nameNode }, { key: second, node: otherNode });
			cells.append(
				el('div', { class: 'editor-cell' }, nameLabelNode, nameNode),
				el('div', { class: 'editor-cell' }, otherLabelNode, otherNode));
		}
		const remove = el('button', { type: 'button', class: 'btn btn-ghost btn-small editor-remove' });
		relabelFns.push((n) => {
			remove.textContent = labels.removeShort || '×';
			remove.setAttribute('aria-label', labels.remove(n));
		});
		const li = el('li', { class: 'editor-row' }, number, cells, el('div', { class: 'editor-cell editor-cell-action' }, remove), error);
		const entry = {
			li, fields, error, number,
			relabel: (n) => relabelFns.forEach((fn) => fn(n)),
		};
		remove.addEventListener('click', () => {
			const index = entries.indexOf(entry);
			entries.splice(index, 1);
			li.remove();
			renumber();
			const next = entries[index] || entries[index - 1];
			(next ? next.fields[0].node : addButton).focus();
		});
		entries.push(entry);
		list.append(li);
		renumber();
		if (focus) {
			fields[0].node.focus();
		}
	}

	function setRowError(entry, text, target) {
		entry.error.textContent = text || '';
		entry.error.hidden = !text;
		for (const { node } of entry.fields) {
			const describedBy = (node.getAttribute('aria-describedby') || '').split(/\s+/).filter((id) => id && id !== entry.error.id);
			if (text && node === target) {
				node.setAttribute('aria-invalid', 'true');
				describedBy.push(entry.error.id);
			} else {
				node.removeAttribute('aria-invalid');
			}
			if (describedBy.length) {
				node.setAttribute('aria-describedby', describedBy.join(' '));
			} else {
				node.removeAttribute('aria-describedby');
			}
		}
	}

	function read(entry) {
		return Object.fromEntries(entry.fields.map(({ key, node }) => [key, node.value.trim()]));
	}

	for (const row of rows || []) {
		addRow(row, false);
	}
	renumber();

	return {
		element,
		value() {
			const out = [];
			for (const entry of entries) {
				const row = read(entry);
				if (kind === 'text') {
					if (row.text) {
						out.push(row.text);
					}
				} else if (row.name) {
					const second = kind === 'phone' ? 'phone' : 'contact';
					out.push({ name: row.name, [second]: row[second] || null });
				}
			}
			return out;
		},
		validate() {
			let first = null;
			for (const entry of entries) {
				const row = read(entry);
				let text = null;
				let target = null;
				if (kind !== 'text') {
					const second = kind === 'phone' ? 'phone' : 'contact';
					if (!row.name && row[second]) {
						text = labels.nameNeeded;
						target = entry.fields[0].node;
					} else if (kind === 'phone' && row.phone && !phonePattern.test(row.phone)) {
						text = labels.phoneInvalid;
						target = entry.fields[1].node;
					}
				}
				setRowError(entry, text, target);
				if (target && !first) {
					first = target;
				}
			}
			return first;
		},
	};
}
