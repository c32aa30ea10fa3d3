import { el, uid } from './dom.js';

// tabs([{id, label, render}], {selected, onChange, label}) → element
// The WAI-ARIA tabs pattern: arrow keys, Home and End move between tabs and
// select them; only the selected tab is in the Tab order. render(panel) fills
// the panel each time its tab is selected (it may be async).
export function tabs(items, { selected = null, onChange = null, label = null } = {}) {
	const base = uid('tabs');
	const tablist = el('div', { class: 'tablist', role: 'tablist', 'aria-label': label });
	const panel = el('div', { class: 'tabpanel', role: 'tabpanel', tabindex: '0' });
	const buttons = items.map((item) => el('button', {
		type: 'button',
		role: 'tab',
		class: 'tab',
		id: `${base}-${item.id}`,
		'aria-controls': `${base}-panel`,
	}, item.label));
	panel.id = `${base}-panel`;
	tablist.append(...buttons);
	let currentId = null;

	function select(id, { focus = false, notify = true } = {}) {
		const index = Math.max(0, items.findIndex((item) => item.id === id));
		const item = items[index];
		buttons.forEach((node, i) => {
			node.setAttribute('aria-selected', String(i === index));
			node.tabIndex = i === index ? 0 : -1;
		});
		panel.setAttribute('aria-labelledby', buttons[index].id);
		if (focus) {
			buttons[index].focus();
		}
		if (currentId === item.id) {
			return;
		}
		currentId = item.id;
		panel.replaceChildren();
		Promise.resolve(item.render(panel)).catch((error) => console.error(error));
		if (notify && onChange) {
			onChange(item.id);
		}
	}

	tablist.addEventListener('click', (event) => {
		const node = event.target.closest('[role="tab"]');
		if (node) {
			select(items[buttons.indexOf(node)].id);
		}
	});
	tablist.addEventListener('keydown', (event) => {
		const index = buttons.indexOf(document.activeElement);
		if (index < 0) {
			return;
		}
		let next = null;
		if (event.key === 'ArrowRight') {
			next = (index + 1) % buttons.length;
		} else if (event.key === 'ArrowLeft') {
			next = (index - 1 + buttons.length) % buttons.length;
		} else if (event.key === 'Home') {
			next = 0;
		} else if (event.key === 'End') {
			next = buttons.length - 1;
		}
		if (next !== null) {
			event.preventDefault();
			select(items[next].id, { focus: true });
		}
	});

	select(selected || (items[0] && items[0].id), { notify: false });
	return el('div', { class: 'tabs' }, tablist, panel);
}
