import { el } from './dom.js';

// docSections(sections, headingLevel) → nodes for a long text from a catalogue:
// sections = [{ title, paragraphs: [string], items: [string], after: [string] }].
export function docSections(sections, headingLevel = 2) {
	if (!Array.isArray(sections)) {
		return [];
	}
	return sections.map((section, index) => {
		const id = `section-${index + 1}`;
		return el('section', { 'aria-labelledby': id },
			el(`h${headingLevel}`, { id }, section.title || ''),
			(section.paragraphs || []).map((text) => el('p', {}, text)),
			section.items && section.items.length ? el('ul', {}, section.items.map((text) => el('li', {}, text))) : null,
			(section.after || []).map((text) => el('p', {}, text)));
	});
}
