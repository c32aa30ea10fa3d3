// el(tag, attributes, ...children): build an element without HTML strings.
// attributes: plain attributes; `class` and `text` are shortcuts; `on<Event>`
// keys with function values become listeners; false/null/undefined values
// are skipped. Children: nodes or strings (inserted as text), arrays
// flattened, null/false skipped.

export function el(tag, attributes = {}, ...children) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes || {})) {
		if (value === false || value === null || value === undefined) {
			continue;
		}
		if (name === 'text') {
			node.textContent = String(value);
		} else if (name.startsWith('on') && typeof value === 'function') {
			node.addEventListener(name.slice(2).toLowerCase(), value);
		} else if (value === true) {
			node.setAttribute(name, '');
		} else {
			node.setAttribute(name, String(value));
		}
	}
	append(node, children);
	return node;
}

export function append(node, children) {
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) {
			continue;
		}
		node.append(child instanceof Node ? child : String(child));
	}
	return node;
}

let counter = 0;

/** A document-unique id with the given prefix. */
export function uid(prefix = 'id') {
	counter += 1;
	return `${prefix}-${counter}`;
}
