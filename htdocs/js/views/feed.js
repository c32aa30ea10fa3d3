// /feed — the peer-support feed. Tabs (?tab=): "For you" (GET /api/posts/for-you)
// and "Community" (GET /api/posts with search ?q=, ?category= and ?sort=:
// newest, most support, needs support). Keyset "Load more". A post in a
// category the person hides is blurred until shown. Everyone can support
// (a toggle) and report (a dialog with the five reasons and a note); helpers
// accept a post, which opens the chat.

import { el, uid } from '/js/components/dom.js';
import { linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { tabs } from '/js/components/tabs.js';
import { pagedList } from '/js/components/paged-list.js';
import { postCard } from '/js/components/post-card.js';
import { reportDialog } from '/js/components/report-dialog.js';
import { loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { writeErrorText } from '/js/components/write-limit.js';
import { peer, CATEGORIES, SORTS, REPORT_REASONS, REPORT_NOTE_MAX } from '/js/api/peer.js';

const TABS = ['for-you', 'community'];
const PAGE = 20;

function replaceQuery(params) {
	const url = new URL(window.location.href);
	for (const [name, value] of Object.entries(params)) {
		if (value) {
			url.searchParams.set(name, value);
		} else {
			url.searchParams.delete(name);
		}
	}
	window.history.replaceState({}, '', url.pathname + url.search);
}

/** The action shared by the feed and the dashboard: accept a post and open its chat. */
export async function acceptPost(ctx, post, { onGone = null } = {}) {
	const { t } = ctx;
	const result = await peer.accept(post.id);
	if (result.ok && result.body && result.body.id) {
		ctx.toast(t('post.accepted'), 'success');
		ctx.navigate(`/chat/${encodeURIComponent(result.body.id)}`);
		return result;
	}
	if (result.status === 409 && result.fieldErrors && result.fieldErrors.available) {
		ctx.toast(t('post.acceptOffline'), 'error');
	} else if (result.status === 409 || result.status === 404) {
		ctx.toast(t('post.acceptTaken'), 'error');
		if (onGone) {
			onGone(post);
		}
	} else {
		ctx.toast(errorText(t, result), 'error');
	}
	return result;
}

/** Report a post through the dialog; onDone(post) when the report was taken. */
export async function reportPost(ctx, post, onDone) {
	const { t } = ctx;
	const result = await reportDialog({
		reasons: REPORT_REASONS,
		noteMax: REPORT_NOTE_MAX,
		submit: ({ reason, note }) => peer.report(post.id, reason, note),
		errorText: (answer) => (answer && answer.status === 409 ? t('report.already') : writeErrorText(answer, 'reports')),
	});
	if (result) {
		ctx.toast(t('report.done'), 'success');
		onDone(post);
	}
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : 'seeker';
		const isHelper = role === 'helper';

		function card(post, list) {
			return postCard(post, {
				headingLevel: 3,
				support: (item, on) => peer.support(item.id, on),
				report: (item) => reportPost(ctx, item, () => list.remove(item.id)),
				accept: isHelper && !post.mine ? (item) => acceptPost(ctx, item, { onGone: () => list.remove(item.id) }) : null,
			});
		}

		function forYou(panel) {
			const list = pagedList({
				fetchPage: (cursor) => peer.forYou({ limit: PAGE, cursor }),
				renderItem: (post) => card(post, list),
				emptyText: t('feed.emptyForYou'),
				moreLabel: t('feed.loadMore'),
				errorText: (result) => errorText(t, result),
				label: t('feed.tabs.for-you'),
				className: 'post-list',
			});
			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('feed.tabs.for-you')), el('p', { class: 'note' }, t('feed.forYouLead')), list.element);
			list.reload();
		}

		function community(panel) {
			const search = field({ id: uid('feed-q'), type: 'search', label: t('feed.search'), value: ctx.query.q || '' });
			const category = field({
				id: uid('feed-category'), type: 'select', label: t('feed.category'),
				options: [{ value: '', label: t('feed.allCategories') }, ...CATEGORIES.map((value) => ({ value, label: t(`categories.${value}`) }))],
				value: CATEGORIES.includes(ctx.query.category) ? ctx.query.category : '',
			});
			const sort = field({
				id: uid('feed-sort'), type: 'select', label: t('feed.sort'),
				options: SORTS.map((value) => ({ value, label: t(`feed.sorts.${value}`) })),
				value: SORTS.includes(ctx.query.sort) ? ctx.query.sort : 'newest',
			});
			const filters = () => ({
				q: search.input.value.trim(), category: category.input.value, sort: sort.input.value,
			});
			// The filters of the list on screen: "Load more" continues that list, whatever has been
			// typed in the search box since without applying it.
			let shown = filters();
			const list = pagedList({
				fetchPage: (cursor) => peer.feed({ ...shown, limit: PAGE, cursor }),
				renderItem: (post) => card(post, list),
				emptyText: t('feed.empty'),
				moreLabel: t('feed.loadMore'),
				errorText: (result) => errorText(t, result),
				label: t('feed.tabs.community'),
				className: 'post-list',
			});
			const form = el('form', { class: 'feed-filters', role: 'search', 'aria-label': t('feed.filters') },
				search.element, category.element, sort.element,
				el('p', { class: 'actions' }, el('button', { type: 'submit', class: 'btn btn-secondary' }, t('feed.apply'))));
			const apply = () => {
				const chosen = filters();
				shown = chosen;
				replaceQuery({ tab: 'community', q: chosen.q, category: chosen.category, sort: chosen.sort === 'newest' ? '' : chosen.sort });
				list.reload();
			};
			form.addEventListener('submit', (event) => {
				event.preventDefault();
				apply();
			});
			category.input.addEventListener('change', apply);
			sort.input.addEventListener('change', apply);
			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('feed.tabs.community')), form, list.element);
			list.reload();
		}

		const intro = [];
		if (role === 'seeker') {
			intro.push(el('p', { class: 'actions' }, linkButton({ label: t('feed.share'), href: '/share' })));
		} else if (isHelper) {
			intro.push(el('p', { class: 'note' }, t('feed.helperNote'), ' ', el('a', { href: '/helper' }, t('feed.dashboardLink'))));
		}
		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'for-you';
		root.append(
			el('h1', {}, t('feed.title')),
			el('p', { class: 'lead' }, t('feed.lead')),
			...intro,
			tabs([
				{ id: 'for-you', label: t('feed.tabs.for-you'), render: forYou },
				{ id: 'community', label: t('feed.tabs.community'), render: community },
			], {
				selected,
				label: t('feed.tabsLabel'),
				onChange: (id) => replaceQuery({ tab: id === 'for-you' ? '' : id }),
			}));
	},
};
