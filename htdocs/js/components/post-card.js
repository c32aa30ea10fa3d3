import { el, uid } from './dom.js';
import { badge } from './badge.js';
import { markdown } from './markdown.js';
import { t, formatDate } from '/js/shell/i18n.js';

// postCard(post, {headingLevel, showStatus, support, report, accept, actions})
// → <article class="card post-card">: the category as its heading, the time,
// the text (Markdown, rendered safely), and the actions asked for:
//   support(post, on)  → Promise<API result {support_count, supported_by_me}>:
//                        a toggle button (aria-pressed) with the count;
//   report(post)       → a "Report" button calls it;
//   accept(post)       → an "Accept" button (helpers) calls it;
//   actions            → more nodes for the action row.
// A post with `filtered` (its category is one the person chose to hide) is
// blurred, hidden from assistive technology and inert until "Show" is pressed.

const STATUS_KIND = {
	active: 'info',
	in_progress: 'success',
	resolved: 'neutral',
	direct_request: 'info',
	declined: 'warning',
	removed: 'danger',
};

export function statusBadge(post) {
	return badge(t(`postStatus.${post.status}`, { name: post.requested_helper ? post.requested_helper.display_name : '' }),
		STATUS_KIND[post.status] || 'neutral');
}

function supportButton(post, support) {
	let on = Boolean(post.supported_by_me);
	let count = Number(post.support_count) || 0;
	const node = el('button', { type: 'button', class: 'btn btn-ghost btn-small support-toggle' });
	const draw = () => {
		node.setAttribute('aria-pressed', String(on));
		node.textContent = t('post.support', { count });
	};
	draw();
	node.addEventListener('click', async () => {
		node.disabled = true;
		const result = await support(post, !on);
		node.disabled = false;
		if (result && result.ok && result.body) {
			on = Boolean(result.body.supported_by_me);
			count = Number(result.body.support_count) || 0;
			post.supported_by_me = on;
			post.support_count = count;
			draw();
		}
	});
	return node;
}

export function postCard(post, {
	headingLevel = 2, showStatus = false, support = null, report = null, accept = null, actions = [],
} = {}) {
	const headingId = uid('post-title');
	const category = t(`categories.${post.category}`);
	const content = el('div', { class: 'post-content', id: uid('post-content') }, markdown(post.content));
	let reveal = null;
	if (post.filtered) {
		content.classList.add('is-blurred');
		content.setAttribute('aria-hidden', 'true');
		content.inert = true;
		reveal = el('button', { type: 'button', class: 'btn btn-secondary btn-small post-reveal' },
			t('post.reveal', { category }));
		reveal.addEventListener('click', () => {
			content.classList.remove('is-blurred');
			content.removeAttribute('aria-hidden');
			content.inert = false;
			content.tabIndex = -1;
			reveal.remove();
			content.focus();
		});
	}
	const buttons = [];
	if (accept) {
		buttons.push(el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'accept', onClick: () => accept(post) },
			t('post.accept')));
	}
	if (support) {
		buttons.push(supportButton(post, support));
	}
	if (report) {
		buttons.push(el('button', {
			type: 'button', class: 'btn btn-ghost btn-small', 'data-action': 'report', onClick: () => report(post),
		}, t('post.report')));
	}
	buttons.push(...actions);
	return el('article', { class: 'card post-card', 'aria-labelledby': headingId, 'data-post-id': post.id },
		el('header', { class: 'post-card-head' },
			el(`h${headingLevel}`, { id: headingId, class: 'post-card-title' }, category),
			showStatus ? statusBadge(post) : null,
			el('time', { class: 'post-time', datetime: post.created_at }, formatDate(post.created_at))),
		el('div', { class: 'post-body' }, content, reveal),
		buttons.length ? el('p', { class: 'actions' }, buttons) : null);
}
