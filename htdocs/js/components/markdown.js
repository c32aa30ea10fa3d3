import { el } from './dom.js';

// markdown(text) → <div class="markdown"> built from a small, safe subset of
// Markdown. Every piece of the text becomes a text node (never HTML):
//   blocks   paragraphs (blank line between), single line breaks kept,
//            "- " / "* " / "+ " lists, "1. " / "1) " lists, ``` fenced code;
//   inline   `code`, **strong** / __strong__, *emphasis* / _emphasis_,
//            [text](https://…) links (only http and https; others stay text).
// Links get rel="noopener noreferrer" and open in a new tab; anything that
// does not parse is shown as the characters that were typed.

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;
const MAX_DEPTH = 4;

const INLINE = [
	{ kind: 'code', re: /`([^`\n]+)`/y },
	{ kind: 'strong', re: /\*\*(?=\S)([\s\S]*?\S)\*\*/y },
	{ kind: 'strong', re: /__(?=\S)([\s\S]*?\S)__(?!\w)/y },
	{ kind: 'em', re: /\*(?=[^\s*])([\s\S]*?[^\s*])\*/y },
	{ kind: 'em', re: /_(?=[^\s_])([\s\S]*?[^\s_])_(?!\w)/y },
	{ kind: 'link', re: /\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)/y },
];
const TRIGGERS = new Set(['`', '*', '_', '[']);

/** The URL to link to when href is http(s), else null. */
export function safeHref(href) {
	let url;
	try {
		url = new URL(href);
	} catch {
		return null;
	}
	return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

// Text with line breaks: "a\nb" → "a", <br>, "b".
function textWithBreaks(text) {
	const parts = [];
	text.split('\n').forEach((line, index) => {
		if (index > 0) {
			parts.push(el('br'));
		}
		if (line) {
			parts.push(document.createTextNode(line));
		}
	});
	return parts;
}

function inlineMatch(text, at) {
	for (const { kind, re } of INLINE) {
		re.lastIndex = at;
		const found = re.exec(text);
		if (found) {
			return { kind, found };
		}
	}
	return null;
}

/** Inline Markdown of text as an array of nodes. */
export function inline(text, depth = 0) {
	const nodes = [];
	let plain = '';
	let i = 0;
	const flush = () => {
		if (plain) {
			nodes.push(...textWithBreaks(plain));
			plain = '';
		}
	};
	while (i < text.length) {
		const char = text[i];
		// "_" opens emphasis only at the start of a word (snake_case stays text).
		const wordBefore = i > 0 && /\w/.test(text[i - 1]);
		const match = TRIGGERS.has(char) && depth < MAX_DEPTH && !(char === '_' && wordBefore)
			? inlineMatch(text, i) : null;
		if (!match) {
			plain += char;
			i += 1;
			continue;
		}
		const { kind, found } = match;
		let node = null;
		if (kind === 'code') {
			node = el('code', {}, found[1]);
		} else if (kind === 'strong') {
			node = el('strong', {}, inline(found[1], depth + 1));
		} else if (kind === 'em') {
			node = el('em', {}, inline(found[1], depth + 1));
		} else {
			const href = safeHref(found[2]);
			node = href
				? el('a', { href, rel: 'noopener noreferrer', target: '_blank', 'data-no-route': true }, inline(found[1], depth + 1))
				: null;
		}
		if (!node) {
			plain += char;
			i += 1;
			continue;
		}
		flush();
		nodes.push(node);
		i += found[0].length;
	}
	flush();
	return nodes;
}

function listOf(lines, numbered) {
	const first = numbered ? Number.parseInt(NUMBERED.exec(lines[0])[1], 10) : 1;
	const items = lines.map((line) => {
		const found = (numbered ? NUMBERED : BULLET).exec(line);
		return el('li', {}, inline(numbered ? found[2] : found[1]));
	});
	return numbered
		? el('ol', { start: first !== 1 ? first : null }, items)
		: el('ul', {}, items);
}

/** The block nodes of a Markdown text. */
export function blocks(text) {
	const lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
	const out = [];
	let i = 0;
	while (i < lines.length) {
		const line = lines[i];
		if (!line.trim()) {
			i += 1;
			continue;
		}
		if (FENCE.test(line)) {
			const code = [];
			i += 1;
			while (i < lines.length && !FENCE.test(lines[i])) {
				code.push(lines[i]);
				i += 1;
			}
			i += 1;
			out.push(el('pre', {}, el('code', {}, code.join('\n'))));
			continue;
		}
		const numbered = NUMBERED.test(line);
		if (numbered || BULLET.test(line)) {
			const test = numbered ? NUMBERED : BULLET;
			const items = [];
			while (i < lines.length && test.test(lines[i])) {
				items.push(lines[i]);
				i += 1;
			}
			out.push(listOf(items, numbered));
			continue;
		}
		const paragraph = [];
		while (i < lines.length && lines[i].trim() && !FENCE.test(lines[i]) &&
			!BULLET.test(lines[i]) && !NUMBERED.test(lines[i])) {
			paragraph.push(lines[i]);
			i += 1;
		}
		out.push(el('p', {}, inline(paragraph.join('\n'))));
	}
	return out;
}

export function markdown(text, { className = 'markdown' } = {}) {
	return el('div', { class: className }, blocks(text));
}
