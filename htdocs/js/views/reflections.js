// /reflections — short anonymous reflections (≤ 280 characters): write one,
// read others' (newest first, "Load more"), and send a light (one per person,
// a toggle) to say "I hear you".

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { pagedList } from '/js/components/paged-list.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText } from '/js/api/client.js';
import { writeErrorText } from '/js/components/write-limit.js';
import { peer, REFLECTION_MAX } from '/js/api/peer.js';

const PAGE = 20;

/** The light toggle; onFail(result) says why when the server refuses or cannot be reached. */
function lightButton(t, reflection, onFail) {
	let on = Boolean(reflection.lit_by_me);
	let count = Number(reflection.light_count) || 0;
	const node = el('button', { type: 'button', class: 'btn btn-ghost btn-small light-toggle', 'data-action': 'light' });
	const draw = () => {
		node.setAttribute('aria-pressed', String(on));
		node.textContent = t('reflections.light', { count });
	};
	draw();
	node.addEventListener('click', async () => {
		node.disabled = true;
		const result = await peer.light(reflection.id, !on);
		node.disabled = false;
		if (result.ok && result.body) {
			on = Boolean(result.body.lit_by_me);
			count = Number(result.body.light_count) || 0;
			draw();
		} else {
			onFail(result);
		}
	});
	return node;
}

function reflectionItem(t, reflection, onFail) {
	const id = uid('reflection');
	return el('article', { class: 'reflection', 'aria-labelledby': id, 'data-reflection-id': reflection.id },
		el('p', { class: 'reflection-text', id }, reflection.content),
		el('p', { class: 'reflection-meta' },
			el('time', { datetime: reflection.created_at }, formatDate(reflection.created_at)),
			reflection.mine ? el('span', { class: 'badge badge-info' }, t('reflections.mine')) : null,
			lightButton(t, reflection, onFail)));
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const fail = (result) => errorText(t, result);
		const content = field({ id: 'reflection-content', type: 'textarea', label: t('reflections.label'), hint: t('reflections.hint') });
		content.input.rows = 3;
		const counter = charCounter(content.input, { max: REFLECTION_MAX, warnAt: REFLECTION_MAX - 30 });
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const submit = button({ label: t('reflections.submit'), type: 'submit' });
		const form = el('form', { novalidate: true }, content.element, counter.element, el('p', { class: 'actions' }, submit), status);
		const list = pagedList({
			fetchPage: (cursor) => peer.reflections({ limit: PAGE, cursor }),
			renderItem: (reflection) => reflectionItem(t, reflection, (result) => ctx.toast(fail(result), 'error')),
			emptyText: t('reflections.empty'),
			moreLabel: t('feed.loadMore'),
			errorText: fail,
			label: t('reflections.listTitle'),
			className: 'reflection-list',
		});

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const text = content.input.value.trim();
			if (!text || countChars(text) > REFLECTION_MAX) {
				content.setError(text ? t('share.errors.tooLong', { max: REFLECTION_MAX }) : t('reflections.errors.empty'));
				content.input.focus();
				return;
			}
			content.setError(null);
			submit.disabled = true;
			status.className = 'status';
			status.textContent = t('reflections.posting');
			const result = await peer.createReflection(text);
			submit.disabled = false;
			if (!result.ok || !result.body) {
				status.className = 'status status-error';
				status.textContent = writeErrorText(result, 'reflections');
				applyFieldErrors({ content }, result);
				return;
			}
			content.input.value = '';
			counter.update();
			status.className = 'status status-success';
			status.textContent = t('reflections.posted');
			list.prepend(result.body);
		});

		root.append(
			el('h1', {}, t('reflections.title')),
			el('p', { class: 'lead' }, t('reflections.lead')),
			el('section', { class: 'panel', 'aria-labelledby': 'reflections-write' },
				el('h2', { id: 'reflections-write' }, t('reflections.write')), form),
			el('section', { 'aria-labelledby': 'reflections-list' },
				el('h2', { id: 'reflections-list' }, t('reflections.listTitle')), list.element));
		await list.reload();
	},
};
