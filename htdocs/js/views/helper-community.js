// /helper/community?tab=forum|proposals — the helpers' own space (helpers
// and staff; docs/helper-program-api-contract.md).
// Forum: the threads, latest reply first ("Load more"), each opening at
// /helper/community/threads/:id; "Start a thread" (a title and the first
// post) opens the new thread.
// Proposals: the council's proposals (open, closed or all), newest first,
// with the for / against / abstain counts, my vote, "Ends …", and the vote
// buttons while it is open and I have not voted (helpers only: staff are not
// council members). The form to propose is offered to a helper whose
// reputation is 4.0 or more; a 403 naming `reputation` says why it is not.

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { badge } from '/js/components/badge.js';
import { tabs } from '/js/components/tabs.js';
import { pagedList } from '/js/components/paged-list.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { formatReputation } from '/js/components/helper-card.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, refusalText } from '/js/api/client.js';
import { peer } from '/js/api/peer.js';
import {
	program, isReputationRefusal, COMMUNITY_POST_MAX, COUNCIL_REPUTATION, PROPOSAL_DAYS_DEFAULT, PROPOSAL_DAYS_MAX,
	PROPOSAL_DESCRIPTION_MAX, THREAD_TITLE_MAX, THREAD_TITLE_MIN, VOTES,
} from '/js/api/helpers-program.js';

const TABS = ['forum', 'proposals'];
const PAGE = 20;
const PROPOSAL_STATUSES = ['open', 'closed', 'all'];

function replaceQuery(tab) {
	const url = new URL(window.location.href);
	if (tab === 'forum') {
		url.searchParams.delete('tab');
	} else {
		url.searchParams.set('tab', tab);
	}
	window.history.replaceState(window.history.state, '', url.pathname + url.search);
}

/** "A helper" for an author whose account is gone. */
export function authorName(t, author) {
	return author && author.display_name ? String(author.display_name) : t('community.formerMember');
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('helpers'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const fail = (result) => refusalText(t, result);
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : null;
		const isHelper = role === 'helper';

		// ------------------------------------------------------------ forum
		function forumPanel(panel) {
			const threads = pagedList({
				fetchPage: (cursor) => program.threads({ limit: PAGE, cursor }),
				renderItem: (thread) => threadCard(thread),
				emptyText: t('community.noThreads'),
				moreLabel: t('community.loadMore'),
				errorText: fail,
				label: t('community.threadsLabel'),
				className: 'thread-list',
			});

			const title = field({
				id: 'thread-title', label: t('community.threadTitle'),
				hint: t('community.threadTitleHint', { min: THREAD_TITLE_MIN, max: THREAD_TITLE_MAX }),
			});
			title.input.maxLength = THREAD_TITLE_MAX;
			const content = field({ id: 'thread-content', type: 'textarea', label: t('community.firstPost'), hint: t('community.markdownHint') });
			content.input.maxLength = COMMUNITY_POST_MAX;
			const counter = charCounter(content.input, { max: COMMUNITY_POST_MAX, warnAt: COMMUNITY_POST_MAX - 100 });
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const submit = button({ label: t('community.startThread'), type: 'submit' });
			const form = el('form', { novalidate: true, class: 'thread-form' },
				title.element, content.element, counter.element, el('p', { class: 'actions' }, submit), status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const values = { title: title.input.value.trim(), content: content.input.value.trim() };
				const titleLength = countChars(values.title);
				title.setError(titleLength < THREAD_TITLE_MIN || titleLength > THREAD_TITLE_MAX
					? t('community.errors.title', { min: THREAD_TITLE_MIN, max: THREAD_TITLE_MAX }) : null);
				content.setError(values.content ? null : t('community.errors.content'));
				if (title.input.getAttribute('aria-invalid')) {
					title.input.focus();
					return;
				}
				if (!values.content) {
					content.input.focus();
					return;
				}
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('community.sending');
				const result = await program.createThread(values);
				submit.disabled = false;
				if (!result.ok || !result.body || !result.body.thread) {
					status.className = 'status status-error';
					status.textContent = fail(result);
					applyFieldErrors({ title, content }, result);
					return;
				}
				ctx.toast(t('community.threadStarted'), 'success');
				ctx.navigate(`/helper/community/threads/${encodeURIComponent(result.body.thread.id)}`);
			});

			panel.append(
				el('h2', { class: 'visually-hidden' }, t('community.tabs.forum')),
				el('details', { class: 'disclosure', 'data-form': 'thread' },
					el('summary', {}, t('community.startThread')),
					el('p', { class: 'note' }, t('community.startLead')),
					form),
				threads.element);
			threads.reload();
		}

		function threadCard(thread) {
			const headingId = uid('thread-title');
			const count = Number(thread.post_count) || 0;
			return el('article', { class: 'card thread-card', 'aria-labelledby': headingId, 'data-thread-id': thread.id },
				el('h3', { id: headingId }, el('a', { href: `/helper/community/threads/${encodeURIComponent(thread.id)}` }, String(thread.title || ''))),
				el('p', { class: 'note' },
					t('community.startedBy', { name: authorName(t, thread.author), date: formatDate(thread.created_at, { dateStyle: 'medium' }) }),
					' · ', t('community.posts', { count }),
					' · ', t('community.lastReply', { date: formatDate(thread.last_post_at) })));
		}

		// ------------------------------------------------------------ proposals
		async function proposalsPanel(panel) {
			const proposalStatus = field({
				id: 'proposal-status', type: 'select', label: t('community.proposalFilter'),
				options: PROPOSAL_STATUSES.map((value) => ({ value, label: t(`community.proposalStatus.${value}`) })),
				value: 'open',
			});
			const list = pagedList({
				fetchPage: (cursor) => program.proposals({ status: proposalStatus.input.value, limit: PAGE, cursor }),
				renderItem: (proposal) => proposalCard(proposal),
				emptyText: t('community.noProposals'),
				moreLabel: t('community.loadMore'),
				errorText: fail,
				label: t('community.proposalsLabel'),
				className: 'proposal-list',
			});
			proposalStatus.input.addEventListener('change', () => list.reload());

			async function vote(proposal, choice, holder) {
				for (const node of holder.querySelectorAll('button')) {
					node.disabled = true;
				}
				const result = await program.vote(proposal.id, choice);
				if (result.ok && result.body) {
					list.update(result.body);
					ctx.toast(t('community.voted', { vote: t(`community.votes.${choice}`) }), 'success');
					const again = panel.querySelector(`[data-proposal-id="${CSS.escape(proposal.id)}"] .vote-result`);
					if (again) {
						again.tabIndex = -1;
						again.focus();
					}
					return;
				}
				for (const node of holder.querySelectorAll('button')) {
					node.disabled = false;
				}
				ctx.toast(fail(result), 'error');
			}

			function proposalCard(proposal) {
				const headingId = uid('proposal-title');
				const votes = proposal.votes || {};
				const total = VOTES.reduce((sum, key) => sum + (Number(votes[key]) || 0), 0);
				const open = proposal.status === 'open';
				const holder = el('p', { class: 'actions vote-buttons', role: 'group', 'aria-labelledby': headingId });
				if (isHelper && open && !proposal.my_vote) {
					holder.append(...VOTES.map((choice) => el('button', {
						type: 'button', class: `btn btn-${choice === 'for' ? 'primary' : 'secondary'} btn-small`, 'data-vote': choice,
						onClick: () => vote(proposal, choice, holder),
					}, t(`community.voteButton.${choice}`))));
				}
				return el('article', { class: 'card proposal-card', 'aria-labelledby': headingId, 'data-proposal-id': proposal.id, 'data-status': proposal.status },
					el('header', { class: 'post-card-head' },
						el('h3', { id: headingId, class: 'post-card-title' }, String(proposal.title || '')),
						badge(t(`community.proposalStatus.${open ? 'open' : 'closed'}`), open ? 'info' : 'neutral')),
					el('p', { class: 'note' },
						t('community.proposedBy', { name: authorName(t, proposal.author), date: formatDate(proposal.created_at, { dateStyle: 'medium' }) }),
						' · ',
						el('time', { datetime: proposal.ends_at }, t(open ? 'community.ends' : 'community.ended', { date: formatDate(proposal.ends_at) }))),
					String(proposal.description || '').split(/\n{2,}/).filter((part) => part.trim()).map((part) => el('p', { class: 'proposal-text' }, part.trim())),
					el('ul', { class: 'vote-tally', 'aria-label': t('community.tallyLabel', { count: total }) },
						VOTES.map((key) => {
							const n = Number(votes[key]) || 0;
							return el('li', { 'data-tally': key },
								el('span', { class: 'vote-name' }, t(`community.votes.${key}`)),
								el('span', { class: 'vote-bar', 'aria-hidden': 'true' },
									el('span', { class: `vote-fill vote-${key}`, 'data-share': String(total ? Math.round((n / total) * 10) : 0) })),
								el('span', { class: 'vote-count' }, String(n)));
						})),
					proposal.my_vote
						? el('p', { class: 'vote-result' }, badge(t('community.myVote', { vote: t(`community.votes.${proposal.my_vote}`) }), 'success'))
						: null,
					holder.childElementCount ? holder : null);
			}

			// Who may propose: a helper with a reputation of 4.0 or more.
			const proposeBox = el('div', { class: 'propose' });
			function councilNote(reputation) {
				const value = formatReputation(reputation);
				return el('p', { class: 'note council-note', 'data-council': 'no' },
					t('community.councilOnly'), ' ',
					value === null ? t('community.noReputation') : t('community.yourReputation', { value }));
			}
			function proposeForm() {
				const title = field({
					id: 'proposal-title', label: t('community.proposalTitle'),
					hint: t('community.threadTitleHint', { min: THREAD_TITLE_MIN, max: THREAD_TITLE_MAX }),
				});
				title.input.maxLength = THREAD_TITLE_MAX;
				const description = field({ id: 'proposal-description', type: 'textarea', label: t('community.proposalDescription') });
				description.input.maxLength = PROPOSAL_DESCRIPTION_MAX;
				const counter = charCounter(description.input, { max: PROPOSAL_DESCRIPTION_MAX, warnAt: PROPOSAL_DESCRIPTION_MAX - 100 });
				const days = field({
					id: 'proposal-days', type: 'number', label: t('community.proposalDays'), inputmode: 'numeric',
					hint: t('community.proposalDaysHint', { max: PROPOSAL_DAYS_MAX }), value: String(PROPOSAL_DAYS_DEFAULT),
				});
				days.input.min = '1';
				days.input.max = String(PROPOSAL_DAYS_MAX);
				const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
				const submit = button({ label: t('community.propose'), type: 'submit' });
				const form = el('form', { novalidate: true, class: 'proposal-form' },
					title.element, description.element, counter.element, days.element, el('p', { class: 'actions' }, submit), status);
				form.addEventListener('submit', async (event) => {
					event.preventDefault();
					const values = {
						title: title.input.value.trim(),
						description: description.input.value.trim(),
						days: Number(days.input.value),
					};
					const titleLength = countChars(values.title);
					const problems = [
						[title, titleLength < THREAD_TITLE_MIN || titleLength > THREAD_TITLE_MAX ? t('community.errors.title', { min: THREAD_TITLE_MIN, max: THREAD_TITLE_MAX }) : null],
						[description, values.description ? null : t('community.errors.description')],
						[days, Number.isInteger(values.days) && values.days >= 1 && values.days <= PROPOSAL_DAYS_MAX ? null : t('community.errors.days', { max: PROPOSAL_DAYS_MAX })],
					];
					for (const [control, text] of problems) {
						control.setError(text);
					}
					const first = problems.find(([, text]) => text);
					if (first) {
						first[0].input.focus();
						return;
					}
					submit.disabled = true;
					status.className = 'status';
					status.textContent = t('community.sending');
					const result = await program.createProposal(values);
					submit.disabled = false;
					if (isReputationRefusal(result)) {
						proposeBox.replaceChildren(councilNote(null));
						return;
					}
					if (!result.ok || !result.body) {
						status.className = 'status status-error';
						status.textContent = fail(result);
						applyFieldErrors({ title, description, days }, result);
						return;
					}
					form.reset();
					counter.update();
					status.className = 'status status-success';
					status.textContent = t('community.proposed');
					if (proposalStatus.input.value !== 'closed') {
						list.prepend(result.body);
					}
				});
				return el('details', { class: 'disclosure', 'data-form': 'proposal' },
					el('summary', {}, t('community.propose')),
					el('p', { class: 'note' }, t('community.proposeLead')),
					form);
			}

			panel.append(
				el('h2', { class: 'visually-hidden' }, t('community.tabs.proposals')),
				el('p', { class: 'note' }, t('community.proposalsLead')),
				proposeBox,
				el('div', { class: 'filters' }, proposalStatus.element),
				list.element);
			list.reload();

			if (!isHelper) {
				proposeBox.replaceChildren(el('p', { class: 'note', 'data-council': 'staff' }, t('community.staffNote')));
				return;
			}
			const me = await peer.myProfile();
			if (!me.ok || !me.body) {
				proposeBox.replaceChildren(councilNote(null));
				return;
			}
			const reputation = me.body.reputation;
			if (reputation !== null && reputation !== undefined && Number(reputation) >= COUNCIL_REPUTATION) {
				proposeBox.replaceChildren(proposeForm());
			} else {
				proposeBox.replaceChildren(councilNote(reputation));
			}
		}

		if (role === 'seeker') {
			root.append(el('h1', {}, t('community.title')), el('p', { class: 'state state-empty' }, t('community.helpersOnly')));
			return;
		}
		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'forum';
		root.append(
			el('h1', {}, t('community.title')),
			el('p', { class: 'lead' }, t('community.lead')),
			tabs([
				{ id: 'forum', label: t('community.tabs.forum'), render: forumPanel },
				{ id: 'proposals', label: t('community.tabs.proposals'), render: proposalsPanel },
			], { selected, label: t('community.tabsLabel'), onChange: replaceQuery }));
	},
};
