// svg(tag, attributes, ...children): build an SVG element without markup
// strings, as el() does for HTML (dom.js). Attributes are set as given
// (false/null/undefined skipped); string children become text nodes. Colours
// come from classes styled in CSS (the CSP allows no style attributes).

const NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attributes = {}, ...children) {
	const node = document.createElementNS(NS, tag);
	for (const [name, value] of Object.entries(attributes || {})) {
		if (value === false || value === null || value === undefined) {
			continue;
		}
		node.setAttribute(name, value === true ? '' : String(value));
	}
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) {
			continue;
		}
		node.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return node;
}
