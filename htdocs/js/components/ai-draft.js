import { el } from './dom.js';
import { button } from './button.js';
import { aiErrorText } from './ai-tools.js';
import { confirm } from '/js/shell/dialog.js';
import { loadArea, t } from '/js/shell/i18n.js';
import { ai, aiEnabled, aiStatus } from '/js/api/ai.js';

// aiDraftOffer(holder, {category, content, counter, categories})
// On the share form: when the AI is available and the person has a
// conversation with it, a "Draft a post from my AI chat" button fills the
// form's topic and text from POST /api/ai/draft-post. Nothing is posted: the
// person reads the draft, changes it and posts it themselves. Text already
// in the form is replaced only after a confirmation. Otherwise the holder
// stays empty. category and content are field components (field.js), counter
// the text's charCounter.

export async function aiDraftOffer(holder, { category, content, counter, categories }) {
	const status = await aiStatus();
	if (!aiEnabled(status) || status.age_confirmed === false || !holder.isConnected) {
		return;
	}
	const [history] = await Promise.all([ai.history(), loadArea('ai')]);
	if (!history.ok || !history.body || !Array.isArray(history.body.items) || !history.body.items.length || !holder.isConnected) {
		return;
	}
	const note = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const draft = button({ label: t('ai.draft.button'), kind: 'secondary' });
	draft.id = 'ai-draft-post';
	draft.addEventListener('click', async () => {
		if (content.input.value.trim()) {
			const ok = await confirm({ title: t('ai.draft.replaceTitle'), body: t('ai.draft.replaceBody'), confirmLabel: t('ai.draft.replace') });
			if (!ok) {
				return;
			}
		}
		draft.disabled = true;
		note.className = 'status';
		note.textContent = t('ai.draft.working');
		const result = await ai.draftPost();
		draft.disabled = false;
		if (!result.ok || !result.body) {
			note.className = 'status status-error';
			note.textContent = aiErrorText(result);
			return;
		}
		content.input.value = String(result.body.content || '');
		content.setError(null);
		counter.update();
		if (categories.includes(result.body.category)) {
			category.input.value = result.body.category;
			category.setError(null);
		}
		note.className = 'status status-success';
		note.textContent = result.body.fallback ? t('ai.draft.fallback') : t('ai.draft.filled');
		content.input.focus();
	});
	holder.replaceChildren(el('section', { class: 'panel ai-draft', 'aria-labelledby': 'ai-draft-title' },
		el('h2', { id: 'ai-draft-title' }, t('ai.draft.title')),
		el('p', {}, t('ai.draft.lead')),
		el('p', { class: 'actions' }, draft),
		note));
}
