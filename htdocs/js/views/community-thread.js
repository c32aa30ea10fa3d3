// /helper/community/threads/:id — one thread of the helpers' forum: its
// title (GET /api/community/threads/{id}), the posts oldest first (GET
// …/posts, "Later posts" with the cursor), each drawn as safe Markdown with
// its author and time, and the reply form (POST …/posts): the new post is
// added at the end and announced.

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { states } from '/js/components/states.js';
import { pagedList } from '/js/components/paged-list.js';
import { markdown } from '/js/components/markdown.js';
import { charCounter } from '/js/components/char-counter.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText } from '/js/api/client.js';
import { program, COMMUNITY_POST_MAX } from '/js/api/helpers-program.js';
import { authorName } from './helper-community.js';

const PAGE = 20;

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('helpers'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const fail = (result) => errorText(t, result);
		const threadId = ctx.params.id;
		const heading = el('h1', {}, t('community.threadHeading'));
		const body = el('div', { class: 'thread' });
		root.append(
			el('p', { class: 'breadcrumb' }, el('a', { href: '/helper/community' }, t('community.backToForum'))),
			heading,
			body);

		function postItem(post) {
			const id = uid('community-post');
			return el('article', { class: `community-post${post.mine ? ' is-mine' : ''}`, 'aria-labelledby': id, 'data-post-id': post.id },
				el('p', { class: 'community-post-head', id },
					el('strong', {}, authorName(t, post.author)), post.mine ? el('span', { class: 'note' }, ` (${t('community.you')})`) : null,
					' · ', el('time', { datetime: post.created_at }, formatDate(post.created_at))),
				markdown(String(post.content || '')));
		}

		async function load() {
			states.loading(body);
			const result = await program.thread(threadId);
			if (!result.ok || !result.body) {
				states.error(body, result.status === 404 ? t('community.threadNotFound') : fail(result), result.status === 404 ? null : load);
				return;
			}
			const thread = result.body;
			heading.textContent = String(thread.title || '');
			let postCount = Number(thread.post_count) || 0;
			const countNode = el('span', {}, t('community.posts', { count: postCount }));
			const posts = pagedList({
				fetchPage: (cursor) => program.threadPosts(threadId, { limit: PAGE, cursor }),
				renderItem: postItem,
				emptyText: t('community.noPosts'),
				moreLabel: t('community.laterPosts'),
				errorText: fail,
				label: t('community.postsLabel'),
				className: 'community-posts',
			});

			const reply = field({ id: 'reply-content', type: 'textarea', label: t('community.reply'), hint: t('community.markdownHint') });
			reply.input.maxLength = COMMUNITY_POST_MAX;
			const counter = charCounter(reply.input, { max: COMMUNITY_POST_MAX, warnAt: COMMUNITY_POST_MAX - 100 });
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const submit = button({ label: t('community.sendReply'), type: 'submit' });
			const form = el('form', { novalidate: true, class: 'reply-form' },
				reply.element, counter.element, el('p', { class: 'actions' }, submit), status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const content = reply.input.value.trim();
				if (!content) {
					reply.setError(t('community.errors.content'));
					reply.input.focus();
					return;
				}
				reply.setError(null);
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('community.sending');
				const answer = await program.reply(threadId, content);
				submit.disabled = false;
				if (!answer.ok || !answer.body) {
					status.className = 'status status-error';
					status.textContent = fail(answer);
					applyFieldErrors({ content: reply }, answer);
					return;
				}
				form.reset();
				counter.update();
				postCount += 1;
				countNode.textContent = t('community.posts', { count: postCount });
				status.className = 'status status-success';
				status.textContent = t('community.replied');
				// The new post goes at the end when the last page is showing; otherwise it is
				// reached with "Later posts".
				if (!posts.element.querySelector('.load-more:not([hidden])')) {
					const list = posts.element.querySelector('ul.community-posts');
					const item = el('li', { 'data-key': answer.body.id }, postItem(answer.body));
					if (list) {
						list.append(item);
					} else {
						posts.reload();
					}
				}
			});

			body.replaceChildren(
				el('p', { class: 'note' },
					t('community.startedBy', { name: authorName(t, thread.author), date: formatDate(thread.created_at, { dateStyle: 'medium' }) }),
					' · ', countNode),
				el('section', { 'aria-labelledby': 'thread-posts-title' },
					el('h2', { id: 'thread-posts-title', class: 'visually-hidden' }, t('community.postsLabel')),
					posts.element),
				el('section', { class: 'panel', 'aria-labelledby': 'thread-reply-title' },
					el('h2', { id: 'thread-reply-title' }, t('community.replyTitle')),
					form));
			await posts.reload();
		}

		await load();
	},
};
