// /share — a seeker writes a post: a category and up to 5000 characters
// (a counter, a warning past 4900), posted anonymously (POST /api/posts).
// When the answer carries `crisis`, the crisis card comes first, before
// anything else, and takes focus; otherwise the person goes to their activity.
// Past the person's budget of posts (429) the page says, calmly, when they can
// post again; a refused post the detector flagged still shows the crisis card
// first (the text stays in the box).
// With the AI available and a conversation with it, "Draft a post from my AI
// chat" (POST /api/ai/draft-post) fills the topic and the text for the person
// to read, change and post themselves (components/ai-draft.js).

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { crisisCard } from '/js/components/crisis-card.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors } from '/js/api/client.js';
import { writeErrorText } from '/js/components/write-limit.js';
import { peer, CATEGORIES, POST_MAX, POST_WARN } from '/js/api/peer.js';
import { aiDraftOffer } from '/js/components/ai-draft.js';

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account'), loadArea('pages')]);
		const { t } = ctx;
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : 'seeker';
		const heading = el('h1', {}, t('share.title'));
		const body = el('div');
		root.append(heading, body);

		if (role !== 'seeker') {
			body.append(el('p', { class: 'state state-empty' }, t('share.seekersOnly')),
				el('p', { class: 'actions' }, linkButton({ label: t('share.toFeed'), href: '/feed', kind: 'secondary' })));
			return;
		}

		const category = field({
			id: 'share-category', type: 'select', label: t('share.category'), required: true,
			options: [{ value: '', label: t('share.chooseCategory') },
				...CATEGORIES.map((value) => ({ value, label: t(`categories.${value}`) }))],
			value: CATEGORIES.includes(ctx.query.category) ? ctx.query.category : '',
		});
		const content = field({
			id: 'share-content', type: 'textarea', label: t('share.content'), hint: t('share.contentHint'), required: true,
		});
		content.input.rows = 10;
		const counter = charCounter(content.input, { max: POST_MAX, warnAt: POST_WARN });
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const submit = button({ label: t('share.submit'), type: 'submit' });
		const form = el('form', { novalidate: true },
			category.element, content.element, counter.element,
			el('p', { class: 'note' }, t('share.anonymous')),
			el('p', { class: 'actions' }, submit, linkButton({ label: t('common.cancel'), href: '/feed', kind: 'ghost' })),
			status);

		let refusedCrisisCard = null;
		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const text = content.input.value.trim();
			category.setError(category.input.value ? null : t('share.errors.category'));
			content.setError(!text ? t('share.errors.empty') : countChars(text) > POST_MAX ? t('share.errors.tooLong', { max: POST_MAX }) : null);
			if (!category.input.value) {
				category.input.focus();
				return;
			}
			if (!text || countChars(text) > POST_MAX) {
				content.input.focus();
				return;
			}
			submit.disabled = true;
			status.className = 'status';
			status.textContent = t('share.posting');
			const result = await peer.createPost({ category: category.input.value, content: text });
			submit.disabled = false;
			if (!result.ok || !result.body) {
				status.className = 'status status-error';
				status.textContent = writeErrorText(result, 'posts');
				if (result.status === 429 && result.body && result.body.crisis) {
					// Not posted, but help comes first all the same.
					const cardNode = crisisCard(result.body.crisis, { headingLevel: 2 });
					if (refusedCrisisCard) {
						refusedCrisisCard.replaceWith(cardNode);
					} else {
						body.prepend(cardNode);
					}
					refusedCrisisCard = cardNode;
					cardNode.focus();
				}
				applyFieldErrors({ category, content }, result, (name) => t(`share.errors.${name === 'category' ? 'category' : 'invalid'}`));
				return;
			}
			if (result.body.crisis) {
				// Safety first: the resources, then what happened to the post.
				const cardNode = crisisCard(result.body.crisis, { headingLevel: 2 });
				body.replaceChildren(
					cardNode,
					el('section', { class: 'panel', 'aria-labelledby': 'share-posted-title' },
						el('h2', { id: 'share-posted-title' }, t('share.postedTitle')),
						el('p', {}, t('share.postedCrisis')),
						el('p', { class: 'actions' },
							linkButton({ label: t('share.toActivity'), href: '/activity' }),
							linkButton({ label: t('share.toQuiet'), href: '/quiet-space', kind: 'secondary' }))));
				cardNode.focus();
				return;
			}
			ctx.toast(t('share.posted'), 'success');
			ctx.navigate('/activity');
		});

		const draftHolder = el('div', { class: 'ai-draft-holder' });
		body.append(el('p', { class: 'lead' }, t('share.lead')), draftHolder, form);
		aiDraftOffer(draftHolder, { category, content, counter, categories: CATEGORIES });
	},
};
