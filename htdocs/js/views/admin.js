// /admin?tab=vetting|roles|stats|audit — the administrators' panel (admins
// only; docs/moderation-api-contract.md).
// - Helper vetting (N): the applications (pending by default, oldest first)
//   in a table: name, date, quiz score, status, Review. Review opens a dialog
//   with the bio, expertise, joined, chats, kudos, reputation, quiz score and
//   motivation; Approve (optional notes) or Reject (notes required).
// - Roles: a user id, a role and, for helpers, a tier (PUT
//   /api/admin/users/{id}/role), confirmed first: it signs the person out.
// - Statistics: cards over a window of days (GET /api/admin/stats?days=).
// - Audit log: filters (actor, subject, action, object type, from, to), newest
//   first with "Load more", and "Verify chain" (verify=true): ok, or broken
//   with the first bad id.

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { badge } from '/js/components/badge.js';
import { modal } from '/js/components/modal.js';
import { tabs } from '/js/components/tabs.js';
import { states } from '/js/components/states.js';
import { dataTable } from '/js/components/data-table.js';
import { formatReputation } from '/js/components/helper-card.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { admin, isUuid, APPLICATION_STATUSES, NOTE_MAX, ROLES, STATS_DAYS, TIERS } from '/js/api/moderation.js';
import { personText } from './moderation.js';
import { refusalText } from '/js/api/client.js';

const TABS = ['vetting', 'roles', 'stats', 'audit'];
const PAGE = 50;

function replaceQuery(tab) {
	const url = new URL(window.location.href);
	if (tab === 'vetting') {
		url.searchParams.delete('tab');
	} else {
		url.searchParams.set('tab', tab);
	}
	window.history.replaceState(window.history.state, '', url.pathname + url.search);
}

function known(key) {
	return typeof message(key) === 'string';
}

/** A date input's day as the start (or, with end, the end) of that day in UTC, ISO 8601. */
function dayBound(value, end = false) {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
		return '';
	}
	return `${value}T${end ? '23:59:59' : '00:00:00'}Z`;
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('staff'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const fail = (result) => refusalText(t, result);
		const heading = el('h1', {}, t('admin.title'));
		root.append(heading, el('p', { class: 'lead' }, t('admin.lead')));
		const role = ctx.session && ctx.session.user ? ctx.session.user.role : null;
		if (role !== 'admin') {
			root.append(el('p', { class: 'state state-empty' }, t('admin.adminsOnly')));
			return;
		}

		let pendingCount = null;
		const vettingLabel = el('span', { 'data-tab-label': 'vetting' });
		function drawVettingLabel() {
			vettingLabel.textContent = pendingCount === null
				? t('admin.tabs.vetting')
				: t('admin.tabs.vettingCount', { count: pendingCount.value + (pendingCount.more ? '+' : '') });
		}
		const pending = await admin.applications({ status: 'pending', limit: 100 });
		if (pending.ok && pending.body && Array.isArray(pending.body.items)) {
			pendingCount = { value: pending.body.items.length, more: Boolean(pending.body.next) };
		}
		drawVettingLabel();

		// ------------------------------------------------------------ vetting
		function vettingPanel(panel) {
			const filter = field({
				id: 'application-status', type: 'select', label: t('admin.vetting.filter'),
				options: APPLICATION_STATUSES.map((value) => ({ value, label: t(`admin.vetting.statuses.${value}`) })),
				value: 'pending',
			});
			const box = el('div', { class: 'vetting' });
			const moreRow = el('p', { class: 'actions load-more', hidden: true });
			let cursor = null;
			let table = null;
			const shown = new Map();

			const allColumns = [
				{ label: t('admin.vetting.name'), header: true, render: (a) => String(a.helper ? a.helper.display_name : '') },
				{ label: t('admin.vetting.date'), render: (a) => el('time', { datetime: a.submitted_at }, formatDate(a.submitted_at, { dateStyle: 'short' })) },
				{ label: t('admin.vetting.score'), render: (a) => t('admin.percent', { score: Number(a.quiz_score) || 0 }) },
				{ key: 'status', label: t('admin.vetting.status'), render: (a) => badge(t(`admin.vetting.statuses.${a.status}`), a.status === 'approved' ? 'success' : a.status === 'rejected' ? 'warning' : 'info') },
				{
					label: t('admin.vetting.actions'),
					render: (a) => el('button', {
						type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'review', 'data-application-id': a.id,
						'aria-label': t('admin.vetting.reviewName', { name: a.helper ? a.helper.display_name : '' }),
						onClick: () => review(a),
					}, t('admin.vetting.review')),
				},
			];

			async function load(next = null) {
				if (!next) {
					states.loading(box);
					shown.clear();
				}
				const result = await admin.applications({ status: filter.input.value, limit: PAGE, cursor: next });
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					states.error(box, fail(result), () => load());
					return;
				}
				const fresh = result.body.items.filter((item) => !shown.has(item.id));
				for (const item of fresh) {
					shown.set(item.id, item);
				}
				if (!next) {
					if (!fresh.length) {
						states.empty(box, t('admin.vetting.empty'));
					} else {
						// The status says nothing new in the list of pending ones (and the table stays narrow).
						const columns = filter.input.value === 'pending' ? allColumns.filter((c) => c.key !== 'status') : allColumns;
						table = dataTable({ caption: t('admin.vetting.caption'), columns, items: fresh });
						box.replaceChildren(table.element);
					}
				} else if (table) {
					table.addRows(fresh);
				}
				cursor = result.body.next || null;
				moreRow.hidden = !cursor;
			}
			const more = button({ label: t('admin.loadMore'), kind: 'secondary', onClick: () => load(cursor) });
			moreRow.append(more);
			filter.input.addEventListener('change', () => load());

			function review(application) {
				const helper = application.helper || {};
				const stats = application.stats || {};
				const expertise = Array.isArray(helper.expertise) ? helper.expertise : [];
				const reputation = formatReputation(stats.reputation);
				const notes = field({ id: uid('decision-notes'), type: 'textarea', label: t('admin.vetting.notes'), hint: t('admin.vetting.notesHint') });
				notes.input.maxLength = NOTE_MAX;
				notes.input.rows = 3;
				const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
				let handle = null;
				const row = (term, detail, key) => [el('dt', {}, term), el('dd', { 'data-field': key }, detail)];
				async function decide(decision, node) {
					const text = notes.input.value.trim();
					if (decision === 'rejected' && !text) {
						notes.setError(t('admin.vetting.notesRequired'));
						notes.input.focus();
						return;
					}
					notes.setError(null);
					node.disabled = true;
					status.className = 'status';
					status.textContent = t('admin.sending');
					const result = await admin.decide(application.id, decision, text);
					node.disabled = false;
					if (!result.ok || !result.body) {
						status.className = 'status status-error';
						status.textContent = fail(result);
						if (result.fieldErrors && result.fieldErrors.notes) {
							notes.setError(String(result.fieldErrors.notes));
						}
						return;
					}
					handle.close('done');
					if (application.status === 'pending' && pendingCount) {
						pendingCount.value = Math.max(0, pendingCount.value - 1);
						drawVettingLabel();
					}
					ctx.toast(t(decision === 'approved' ? 'admin.vetting.approvedToast' : 'admin.vetting.rejectedToast', { name: helper.display_name }), 'success');
					load();
					heading.focus();
				}
				const decided = application.status !== 'pending';
				const approveButton = el('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'approve' }, t('admin.vetting.approve'));
				approveButton.addEventListener('click', () => decide('approved', approveButton));
				const rejectButton = el('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'reject' }, t('admin.vetting.reject'));
				rejectButton.addEventListener('click', () => decide('rejected', rejectButton));
				handle = modal({
					title: t('admin.vetting.reviewTitle', { name: helper.display_name || '' }),
					content: [
						el('dl', { class: 'details review-details' },
							row(t('admin.vetting.bio'), helper.bio ? String(helper.bio) : t('admin.none'), 'bio'),
							row(t('admin.vetting.expertise'), expertise.length
								? expertise.map((e) => (known(`expertise.${e}`) ? t(`expertise.${e}`) : String(e))).join(', ')
								: t('admin.none'), 'expertise'),
							row(t('admin.vetting.joined'), helper.joined_at ? formatDate(helper.joined_at, { dateStyle: 'medium' }) : t('admin.none'), 'joined'),
							row(t('admin.vetting.sessions'), String(Number(stats.sessions) || 0), 'sessions'),
							row(t('admin.vetting.kudos'), String(Number(stats.kudos) || 0), 'kudos'),
							row(t('admin.vetting.reputation'), reputation === null
								? t('admin.vetting.noReputation')
								: t('admin.vetting.reputationValue', { value: reputation, count: Number(stats.feedback_count) || 0 }), 'reputation'),
							row(t('admin.vetting.score'), t('admin.percent', { score: Number(application.quiz_score) || 0 }), 'score'),
							row(t('admin.vetting.motivation'), application.motivation ? String(application.motivation) : t('admin.none'), 'motivation'),
							row(t('admin.vetting.submitted'), formatDate(application.submitted_at), 'submitted'),
							decided ? row(t('admin.vetting.decision'), t('admin.vetting.decidedBy', {
								status: t(`admin.vetting.statuses.${application.status}`),
								name: personText(t, application.decided_by),
								time: formatDate(application.decided_at),
							}), 'decision') : null,
							decided && application.notes ? row(t('admin.vetting.notes'), String(application.notes), 'notes') : null),
						decided ? null : notes.element,
						status,
						el('p', { class: 'actions' },
							button({ label: t('common.close'), kind: 'secondary', onClick: () => handle.close('cancel') }),
							decided ? null : rejectButton,
							decided ? null : approveButton),
					],
				});
			}

			panel.append(el('h2', { class: 'visually-hidden' }, t('admin.tabs.vetting')),
				el('p', { class: 'note' }, t('admin.vetting.lead')),
				el('div', { class: 'filters' }, filter.element), box, moreRow);
			load();
		}

		// ------------------------------------------------------------ roles
		function rolesPanel(panel) {
			const userId = field({ id: 'role-user', label: t('admin.roles.user'), hint: t('admin.roles.userHint') });
			userId.input.setAttribute('autocomplete', 'off');
			userId.input.setAttribute('spellcheck', 'false');
			const roleField = field({
				id: 'role-role', type: 'select', label: t('admin.roles.role'),
				options: ROLES.map((value) => ({ value, label: t(`account.roles.${value}`) })), value: 'helper',
			});
			const tierField = field({
				id: 'role-tier', type: 'select', label: t('admin.roles.tier'),
				options: TIERS.map((value) => ({ value, label: t(`account.tiers.${value}`) })), value: 'community',
			});
			const syncTier = () => {
				tierField.element.hidden = roleField.input.value !== 'helper';
			};
			roleField.input.addEventListener('change', syncTier);
			syncTier();
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const outcome = el('div');
			const submit = button({ label: t('admin.roles.save'), type: 'submit' });
			const form = el('form', { novalidate: true, class: 'role-form' },
				userId.element, roleField.element, tierField.element, el('p', { class: 'actions' }, submit), status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const id = userId.input.value.trim();
				if (!isUuid(id)) {
					userId.setError(t('admin.roles.badId'));
					userId.input.focus();
					return;
				}
				userId.setError(null);
				const chosenRole = roleField.input.value;
				const tier = chosenRole === 'helper' ? tierField.input.value : null;
				const ok = await ctx.confirm({
					title: t('admin.roles.confirmTitle'),
					body: [t('admin.roles.confirmBody', { role: t(`account.roles.${chosenRole}`) }), t('admin.roles.confirmSignOut')],
					confirmLabel: t('admin.roles.save'),
				});
				if (!ok) {
					return;
				}
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('admin.sending');
				const result = await admin.setRole(id, chosenRole, tier);
				submit.disabled = false;
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = result.status === 404 ? t('admin.roles.notFound') : fail(result);
					return;
				}
				const user = result.body.user || {};
				status.className = 'status status-success';
				status.textContent = t('admin.roles.saved', {
					name: String(user.display_name || ''),
					role: known(`account.roles.${user.role}`) ? t(`account.roles.${user.role}`) : String(user.role || ''),
				});
				outcome.replaceChildren(el('p', { class: 'note' },
					result.body.helper_tier ? t('admin.roles.tierNow', { tier: t(`account.tiers.${result.body.helper_tier}`) }) : ''));
			});
			panel.append(el('h2', {}, t('admin.tabs.roles')),
				el('p', { class: 'note' }, t('admin.roles.lead')), form, outcome);
		}

		// ------------------------------------------------------------ statistics
		function statsPanel(panel) {
			const days = field({
				id: 'stats-days', type: 'select', label: t('admin.stats.window'),
				options: STATS_DAYS.map((value) => ({ value: String(value), label: t('admin.stats.days', { count: value }) })), value: '30',
			});
			const box = el('div', { class: 'stat-cards-box' });
			async function load() {
				states.loading(box);
				const result = await admin.stats(Number(days.input.value));
				if (!result.ok || !result.body) {
					states.error(box, fail(result), load);
					return;
				}
				const s = result.body;
				const alerts = s.alerts || {};
				const card = (key, value, note = null) => el('li', { class: 'stat-card', 'data-stat': key },
					el('p', { class: 'stat-value' }, value),
					el('p', { class: 'stat-name' }, t(`admin.stats.cards.${key}`)),
					note ? el('p', { class: 'note' }, note) : null);
				const median = s.median_minutes_to_first_helper;
				box.replaceChildren(el('ul', { class: 'stat-cards', 'aria-label': t('admin.stats.cardsLabel', { count: Number(s.days) || Number(days.input.value) }) },
					card('activePosts', String(Number(s.active_posts) || 0)),
					card('timeToHelper', median === null || median === undefined
						? t('admin.none')
						: Number(median) < 1 ? t('admin.stats.underMinute') : t('admin.stats.minutes', { count: Math.round(Number(median)) })),
					card('helpersOnline', String(Number(s.helpers_online) || 0), t('admin.stats.ofTotal', { total: Number(s.helpers_total) || 0 })),
					card('certified', String(Number(s.certified_helpers) || 0)),
					card('category', s.most_common_category
						? (known(`categories.${s.most_common_category}`) ? t(`categories.${s.most_common_category}`) : String(s.most_common_category))
						: t('admin.none')),
					card('alertsOpen', String(Number(alerts.open) || 0), t('admin.stats.acknowledged', { count: Number(alerts.acknowledged) || 0 })),
					card('alertsResolved', String(Number(alerts.resolved_in_window) || 0)),
					card('reports', String(Number(s.open_reports) || 0)),
					card('applications', String(Number(s.pending_applications) || 0)),
					card('videos', String(Number(s.pending_videos) || 0))));
			}
			days.input.addEventListener('change', load);
			panel.append(el('h2', {}, t('admin.tabs.stats')), el('div', { class: 'filters' }, days.element), box);
			load();
		}

		// ------------------------------------------------------------ audit log
		function auditPanel(panel) {
			const filters = {
				actor: field({ id: 'audit-actor', label: t('admin.audit.actor'), hint: t('admin.audit.idHint') }),
				subject: field({ id: 'audit-subject', label: t('admin.audit.subject'), hint: t('admin.audit.idHint') }),
				action: field({ id: 'audit-action', label: t('admin.audit.action'), hint: t('admin.audit.actionHint') }),
				object_type: field({ id: 'audit-object', label: t('admin.audit.objectType') }),
				from: field({ id: 'audit-from', type: 'date', label: t('admin.audit.from') }),
				to: field({ id: 'audit-to', type: 'date', label: t('admin.audit.to') }),
			};
			const search = button({ label: t('admin.audit.search'), type: 'submit' });
			const verify = button({ label: t('admin.audit.verify'), kind: 'secondary' });
			verify.dataset.action = 'verify';
			const chainStatus = el('div', { class: 'chain-status', role: 'status', 'aria-live': 'polite' });
			const form = el('form', { novalidate: true, class: 'audit-filters', 'aria-label': t('admin.audit.filtersLabel') },
				el('div', { class: 'filter-grid' }, Object.values(filters).map((f) => f.element)),
				el('p', { class: 'actions' }, search, verify));
			const box = el('div', { class: 'audit' });
			const more = button({ label: t('admin.loadMore'), kind: 'secondary' });
			const moreRow = el('p', { class: 'actions load-more', hidden: true }, more);
			let cursor = null;
			let table = null;
			let current = {};

			function values() {
				const out = {};
				for (const name of ['actor', 'subject']) {
					const value = filters[name].input.value.trim();
					filters[name].setError(value && !isUuid(value) ? t('admin.audit.badId') : null);
					if (value) {
						out[name] = value;
					}
				}
				for (const name of ['action', 'object_type']) {
					const value = filters[name].input.value.trim();
					if (value) {
						out[name] = value;
					}
				}
				const from = dayBound(filters.from.input.value);
				const to = dayBound(filters.to.input.value, true);
				if (from) {
					out.from = from;
				}
				if (to) {
					out.to = to;
				}
				return out;
			}

			const columns = [
				{ label: t('admin.audit.id'), header: true, render: (e) => String(e.id) },
				{ label: t('admin.audit.at'), render: (e) => el('time', { datetime: e.at }, formatDate(e.at, { dateStyle: 'short', timeStyle: 'medium' })) },
				{ label: t('admin.audit.actor'), render: (e) => el('span', {}, e.actor_role ? `${e.actor_role} ` : '', e.actor_id ? el('code', { translate: 'no', class: 'short-id', title: e.actor_id }, String(e.actor_id).slice(0, 8)) : '') },
				{ label: t('admin.audit.action'), render: (e) => el('code', { translate: 'no' }, String(e.action || '')) },
				{ label: t('admin.audit.object'), render: (e) => [String(e.object_type || ''), e.object_id ? el('code', { translate: 'no', class: 'short-id', title: e.object_id }, ` ${String(e.object_id).slice(0, 8)}`) : ''] },
				{ label: t('admin.audit.subject'), render: (e) => (e.subject_id ? el('code', { translate: 'no', class: 'short-id', title: e.subject_id }, String(e.subject_id).slice(0, 8)) : '') },
				{ label: t('admin.audit.outcome'), render: (e) => String(e.outcome || '') },
				{
					label: t('admin.audit.detail'),
					render: (e) => (e.detail === null || e.detail === undefined || e.detail === ''
						? ''
						: el('details', {}, el('summary', {}, t('admin.audit.show')),
							el('pre', { class: 'audit-detail' }, typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail, null, 2)),
							e.request_id ? el('p', { class: 'note' }, t('admin.audit.request', { id: String(e.request_id) })) : null)),
				},
			];

			function showChain(chain) {
				if (!chain || chain.status === 'not_checked') {
					return;
				}
				chainStatus.replaceChildren(chain.status === 'ok'
					? el('p', { class: 'status status-success', 'data-chain': 'ok' }, t('admin.audit.chainOk', { count: Number(chain.checked) || 0 }))
					: el('p', { class: 'status status-error', 'data-chain': 'broken' }, t('admin.audit.chainBroken', {
						count: Number(chain.checked) || 0, id: chain.first_bad_id === null || chain.first_bad_id === undefined ? '?' : String(chain.first_bad_id),
					})));
			}

			async function load(next = null, { check = false } = {}) {
				if (!next) {
					states.loading(box);
				}
				const result = await admin.audit({ ...current, limit: PAGE, cursor: next, verify: check ? 'true' : null });
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					states.error(box, fail(result), () => load(null));
					return;
				}
				showChain(result.body.chain);
				if (!next) {
					if (!result.body.items.length) {
						states.empty(box, t('admin.audit.empty'));
					} else {
						table = dataTable({ caption: t('admin.audit.caption'), columns, items: result.body.items });
						box.replaceChildren(table.element);
					}
				} else if (table) {
					table.addRows(result.body.items);
				}
				cursor = result.body.next || null;
				moreRow.hidden = !cursor;
			}
			more.addEventListener('click', () => load(cursor));
			form.addEventListener('submit', (event) => {
				event.preventDefault();
				const next = values();
				const bad = Object.values(filters).find((f) => f.input.getAttribute('aria-invalid'));
				if (bad) {
					bad.input.focus();
					return;
				}
				current = next;
				load();
			});
			verify.addEventListener('click', async () => {
				verify.disabled = true;
				chainStatus.replaceChildren(el('p', { class: 'status' }, t('admin.audit.verifying')));
				await load(null, { check: true });
				verify.disabled = false;
			});
			panel.append(el('h2', {}, t('admin.tabs.audit')),
				el('p', { class: 'note' }, t('admin.audit.lead')), form, chainStatus, box, moreRow);
			load();
		}

		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'vetting';
		const renderers = { vetting: vettingPanel, roles: rolesPanel, stats: statsPanel, audit: auditPanel };
		root.append(tabs(TABS.map((id) => ({
			id,
			label: id === 'vetting' ? vettingLabel : t(`admin.tabs.${id}`),
			render: renderers[id],
		})), { selected, label: t('admin.tabsLabel'), onChange: replaceQuery }));
	},
};
