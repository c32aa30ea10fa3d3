import { el } from './dom.js';

// badge(text, kind) → <span class="badge badge-<kind>">; kind: 'neutral' | 'info' |
// 'success' | 'warning' | 'danger' | 'staff'.
export function badge(text, kind = 'neutral') {
	return el('span', { class: `badge badge-${kind}` }, text);
}
