// /moderation?tab=reports|alerts|users|videos — the moderators' dashboard
// (staff; docs/moderation-api-contract.md). Least sight: a moderator sees the
// reported post, an alert's flagged excerpt when they ask for it, and a whole
// conversation only through a break-glass grant.
// - Reports (N): each reported post with its reasons and notes; Remove (a
//   reason is asked, DELETE /api/moderation/posts/{id}) and Dismiss (an
//   optional note).
// - Crisis alerts (N): ranked by the server (severity, then oldest), with a
//   severity badge, "Show what was written" (the list carries no words: the
//   excerpt of one alert is fetched on request, GET /api/moderation/alerts/{id},
//   and the server audits the read), Acknowledge, Resolve (a note is asked), and
//   "Read the conversation" for an alert about a chat: a grant is opened with
//   a reason and a number of minutes (POST /api/moderation/break-glass), then
//   the transcript shows with the time the grant ends. New alerts arrive in
//   real time (`alert.new` on the shared connection, api/events.js): they are
//   announced in a polite live region, counted in the tab's name and put at
//   the top of the list marked "New". An alert whose event never came (the
//   publisher down, a stream left deaf: docs/scaling.md) arrives the same way
//   within a minute: on each `resync` of an open stream (each minute while the
//   page is in view, and when it comes back into view) the open alerts are read again.
// - Users: find a person by id (?user=): warnings, ban and its end, the latest
//   actions; Warn, Ban (a reason and hours, 720 by default, blank for ever),
//   Unban.
// - Videos (N): each pending video plays here; Approve, or Reject with a reason.

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { badge } from '/js/components/badge.js';
import { modal } from '/js/components/modal.js';
import { tabs } from '/js/components/tabs.js';
import { states } from '/js/components/states.js';
import { markdown } from '/js/components/markdown.js';
import { pagedList } from '/js/components/paged-list.js';
import { dataTable } from '/js/components/data-table.js';
import { formDialog } from '/js/components/form-dialog.js';
import { alertStatusBadge, severityBadge } from '/js/components/severity-badge.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { refusalText } from '/js/api/client.js';
import { subscribe } from '/js/api/events.js';
import {
	moderation, isUuid, ALERT_STATUSES, BAN_HOURS_DEFAULT, BAN_HOURS_MAX, GRANT_MINUTES_DEFAULT, GRANT_MINUTES_MAX,
	GRANT_MINUTES_MIN, GRANT_REASON_MIN, NOTE_MAX, REASON_MAX,
} from '/js/api/moderation.js';

const TABS = ['reports', 'alerts', 'users', 'videos'];
const PAGE = 20;
const COUNT_LIMIT = 100;
let cleanups = [];

function replaceQuery(changes) {
	const url = new URL(window.location.href);
	for (const [name, value] of Object.entries(changes)) {
		if (value) {
			url.searchParams.set(name, value);
		} else {
			url.searchParams.delete(name);
		}
	}
	window.history.replaceState(window.history.state, '', url.pathname + url.search);
}

/** "Name (Role)" for a UserRef, or "—" for none. */
export function personText(t, user) {
	if (!user) {
		return t('moderation.nobody');
	}
	const role = user.role && typeof message(`account.roles.${user.role}`) === 'string' ? t(`account.roles.${user.role}`) : '';
	return role ? t('moderation.person', { name: String(user.display_name || ''), role }) : String(user.display_name || '');
}

function known(key) {
	return typeof message(key) === 'string';
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('staff'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const fail = (result) => refusalText(t, result);
		const heading = el('h1', {}, t('moderation.title'));
		const live = el('p', { class: 'live-note', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
		const body = el('div', { class: 'moderation' });
		root.append(heading, el('p', { class: 'lead' }, t('moderation.lead')), live, body);

		// ------------------------------------------------------------ counts in the tab names
		const counts = { reports: null, alerts: null, videos: null };
		const labels = {};
		function countText(n) {
			return n.value + (n.more ? '+' : '');
		}
		function drawLabels() {
			for (const [key, node] of Object.entries(labels)) {
				const n = counts[key];
				node.textContent = n ? t(`moderation.tabs.${key}Count`, { count: countText(n) }) : t(`moderation.tabs.${key}`);
			}
		}
		function adjust(key, delta) {
			if (counts[key]) {
				counts[key].value = Math.max(0, counts[key].value + delta);
				drawLabels();
			}
		}
		async function count(key, fetchFirst) {
			const result = await fetchFirst();
			if (result.ok && result.body && Array.isArray(result.body.items)) {
				counts[key] = { value: result.body.items.length, more: Boolean(result.body.next) };
			}
		}
		// The open alerts this page has heard of: each arrives once, by its event or by the sweep.
		const heardAlerts = new Set();
		async function openAlerts() {
			const result = await moderation.alerts({ status: 'open', limit: COUNT_LIMIT });
			return result.ok && result.body && Array.isArray(result.body.items) ? result.body.items : null;
		}
		const [, firstOpen] = await Promise.all([
			Promise.all([
				count('reports', () => moderation.reports({ limit: COUNT_LIMIT })),
				count('alerts', () => moderation.alerts({ status: 'active', limit: COUNT_LIMIT })),
				count('videos', () => moderation.videos({ limit: COUNT_LIMIT })),
			]),
			openAlerts(),
		]);
		for (const item of firstOpen || []) {
			heardAlerts.add(item.id);
		}

		// ------------------------------------------------------------ reports
		function reportsPanel(panel) {
			const list = pagedList({
				fetchPage: async (cursor) => {
					const result = await moderation.reports({ limit: PAGE, cursor });
					if (result.ok && result.body && Array.isArray(result.body.items)) {
						result.body.items = result.body.items.filter((item) => item && item.post)
							.map((item) => ({ ...item, id: item.post.id }));
					}
					return result;
				},
				renderItem: (item) => reportCard(item),
				emptyText: t('moderation.reports.empty'),
				moreLabel: t('moderation.loadMore'),
				errorText: fail,
				label: t('moderation.tabs.reports'),
				className: 'report-list',
			});

			async function remove(item) {
				const result = await formDialog({
					title: t('moderation.reports.removeTitle'),
					intro: t('moderation.reports.removeIntro'),
					fields: [{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, maxLength: REASON_MAX, hint: t('moderation.reasonHint') }],
					submitLabel: t('moderation.reports.remove'),
					danger: true,
					submit: (values) => moderation.removePost(item.post.id, values.reason),
					errorText: fail,
				});
				if (result) {
					list.remove(item.id);
					adjust('reports', -1);
					ctx.toast(t('moderation.reports.removed'), 'success');
				}
			}

			async function dismiss(item) {
				const result = await formDialog({
					title: t('moderation.reports.dismissTitle'),
					intro: t('moderation.reports.dismissIntro'),
					fields: [{ name: 'note', label: t('moderation.noteOptional'), type: 'textarea', maxLength: REASON_MAX }],
					submitLabel: t('moderation.reports.dismiss'),
					submit: (values) => moderation.dismiss(item.post.id, values.note),
					errorText: fail,
				});
				if (result) {
					list.remove(item.id);
					adjust('reports', -1);
					ctx.toast(t('moderation.reports.dismissed'), 'success');
				}
			}

			function reportCard(item) {
				const headingId = uid('report-title');
				const post = item.post;
				const reports = Array.isArray(item.reports) ? item.reports : [];
				const category = known(`categories.${post.category}`) ? t(`categories.${post.category}`) : String(post.category || '');
				const selfHarm = reports.some((report) => report.reason === 'self_harm');
				return el('article', { class: `card report-card${selfHarm ? ' is-urgent' : ''}`, 'aria-labelledby': headingId, 'data-post-id': post.id },
					el('header', { class: 'post-card-head' },
						el('h3', { id: headingId, class: 'post-card-title' }, category),
						selfHarm ? badge(t('report.reasons.self_harm'), 'danger') : null,
						el('time', { class: 'post-time', datetime: post.created_at }, formatDate(post.created_at))),
					el('p', { class: 'note' }, t('moderation.reports.author', { name: personText(t, post.author) }), ' · ',
						post.author ? el('a', { href: `/moderation?tab=users&user=${encodeURIComponent(post.author.id)}`, 'data-action': 'manage-user' }, t('moderation.manageUser')) : null),
					el('div', { class: 'reported-content' }, markdown(String(post.content || ''))),
					el('h4', {}, t('moderation.reports.reasons', { count: Number(item.report_count) || reports.length })),
					el('ul', { class: 'reason-list' }, reports.map((report) => el('li', {},
						badge(known(`report.reasons.${report.reason}`) ? t(`report.reasons.${report.reason}`) : String(report.reason), report.reason === 'self_harm' ? 'danger' : 'warning'),
						' ', el('time', { class: 'note', datetime: report.created_at }, formatDate(report.created_at)),
						report.note ? el('p', { class: 'report-note' }, String(report.note)) : null))),
					el('p', { class: 'actions' },
						el('button', { type: 'button', class: 'btn btn-danger btn-small', 'data-action': 'remove', onClick: () => remove(item) }, t('moderation.reports.remove')),
						el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'dismiss', onClick: () => dismiss(item) }, t('moderation.reports.dismiss'))));
			}

			panel.append(el('h2', { class: 'visually-hidden' }, t('moderation.tabs.reports')),
				el('p', { class: 'note' }, t('moderation.reports.lead')), list.element);
			list.reload();
		}

		// ------------------------------------------------------------ alerts and break-glass
		const grants = new Map();   // session id → Grant still active
		let alertList = null;
		let alertFilter = null;

		function activeGrant(sessionId) {
			const grant = grants.get(sessionId);
			return grant && Date.parse(grant.expires_at) > Date.now() ? grant : null;
		}

		async function readConversation(alert) {
			let grant = activeGrant(alert.session_id);
			if (!grant) {
				const result = await formDialog({
					title: t('moderation.grant.title'),
					intro: [t('moderation.grant.intro'), t('moderation.grant.audited')],
					fields: [
						{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, minLength: GRANT_REASON_MIN, maxLength: REASON_MAX, hint: t('moderation.grant.reasonHint', { min: GRANT_REASON_MIN }) },
						{ name: 'minutes', label: t('moderation.grant.minutes'), type: 'number', min: GRANT_MINUTES_MIN, max: GRANT_MINUTES_MAX, value: GRANT_MINUTES_DEFAULT, hint: t('moderation.grant.minutesHint', { min: GRANT_MINUTES_MIN, max: GRANT_MINUTES_MAX }) },
					],
					submitLabel: t('moderation.grant.open'),
					submit: (values) => moderation.openGrant({ sessionId: alert.session_id, reason: values.reason, minutes: values.minutes }),
					errorText: fail,
				});
				if (!result || !result.body) {
					return;
				}
				grant = result.body;
				grants.set(alert.session_id, grant);
			}
			transcript(grant);
		}

		// The conversation of a session under a grant, oldest first; "Earlier messages" pages back.
		function transcript(grant) {
			const messages = new Map();
			const logList = el('ol', { class: 'transcript' });
			const box = el('div', { class: 'transcript-scroll', role: 'log', 'aria-label': t('moderation.grant.messages'), tabindex: '0' }, logList);
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const earlier = button({ label: t('moderation.grant.earlier'), kind: 'ghost', small: true });
			const earlierRow = el('p', { class: 'actions', hidden: true }, earlier);
			let cursor = null;
			let handle = null;

			function draw() {
				const sorted = [...messages.values()].sort((a, b) => (Number(a.seq) || 0) - (Number(b.seq) || 0));
				if (!sorted.length) {
					logList.replaceChildren(el('li', { class: 'note' }, t('moderation.grant.noMessages')));
					return;
				}
				logList.replaceChildren(...sorted.map((item) => el('li', { class: `transcript-message from-${item.sender_role}`, 'data-message-id': item.id },
					el('p', { class: 'bubble-sender' }, t(`moderation.grant.sender.${item.sender_role === 'helper' ? 'helper' : 'seeker'}`),
						' · ', el('time', { datetime: item.created_at }, formatDate(item.created_at))),
					markdown(String(item.text || ''), { className: 'markdown' }),
					item.flagged ? el('p', { class: 'note' }, badge(t('moderation.grant.flagged'), 'danger')) : null)));
			}

			async function page(next) {
				earlier.disabled = true;
				const result = await moderation.transcript(grant.session_id, { limit: 50, cursor: next });
				earlier.disabled = false;
				if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
					status.className = 'status status-error';
					status.textContent = result.status === 403 ? t('moderation.grant.expired') : fail(result);
					if (result.status === 403) {
						grants.delete(grant.session_id);
					}
					return;
				}
				for (const item of result.body.items) {
					messages.set(item.id, item);
				}
				cursor = result.body.next || null;
				earlierRow.hidden = !cursor;
				draw();
			}
			earlier.addEventListener('click', () => page(cursor));

			handle = modal({
				title: t('moderation.grant.transcriptTitle'),
				content: [
					el('p', { class: 'grant-expiry' }, badge(t('moderation.grant.until', { time: formatDate(grant.expires_at, { timeStyle: 'short' }) }), 'warning')),
					el('p', { class: 'note' }, t('moderation.grant.reasonShown', { reason: String(grant.reason || '') })),
					earlierRow,
					box,
					status,
					el('p', { class: 'actions' }, button({ label: t('common.close'), kind: 'secondary', onClick: () => handle.close('close') })),
				],
			});
			handle.element.classList.add('modal-wide');
			page(null);
		}

		// The flagged words: shown once fetched (or carried by an acknowledge or resolve answer);
		// until then a button, when there are any to show.
		function excerptArea(alert) {
			if (alert.excerpt) {
				return el('blockquote', { class: 'alert-excerpt', tabindex: '-1' }, el('p', {}, String(alert.excerpt)));
			}
			if (alert.has_excerpt && !alert.excerptRead) {
				return el('p', { class: 'actions excerpt-action' },
					el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'excerpt', onClick: (event) => showExcerpt(alert, event.currentTarget) },
						t('moderation.alerts.showExcerpt')));
			}
			return el('p', { class: 'note' }, t('moderation.alerts.noExcerpt'));
		}

		// One alert read again with its excerpt; the card is redrawn with it and focus moves to the words.
		async function showExcerpt(alert, trigger) {
			trigger.disabled = true;
			const result = await moderation.alert(alert.id);
			if (!result.ok || !result.body) {
				trigger.disabled = false;
				ctx.toast(fail(result), 'error');
				return;
			}
			alertList.update({ ...result.body, isNew: alert.isNew, excerptRead: true });
			const card = document.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"]`);
			const target = card && (card.querySelector('.alert-excerpt') || card.querySelector('h3'));
			if (target) {
				if (!target.hasAttribute('tabindex')) {
					target.tabIndex = -1;
				}
				target.focus();
			}
		}

		function alertCard(alert) {
			const headingId = uid('alert-title');
			const source = known(`moderation.source.${alert.source}`) ? t(`moderation.source.${alert.source}`) : String(alert.source || '');
			const categories = (Array.isArray(alert.categories) ? alert.categories : [])
				.map((c) => (known(`moderation.categories.${c}`) ? t(`moderation.categories.${c}`) : String(c)));
			const actions = [];
			if (alert.status === 'open') {
				actions.push(el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'ack', onClick: () => acknowledge(alert) }, t('moderation.alerts.ack')));
			}
			if (alert.status !== 'resolved') {
				actions.push(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'resolve', onClick: () => resolve(alert) }, t('moderation.alerts.resolve')));
			}
			if (alert.session_id) {
				const grant = activeGrant(alert.session_id);
				actions.push(el('button', { type: 'button', class: 'btn btn-ghost btn-small', 'data-action': 'read', onClick: () => readConversation(alert) },
					grant ? t('moderation.alerts.readAgain', { time: formatDate(grant.expires_at, { timeStyle: 'short' }) }) : t('moderation.alerts.read')));
			}
			if (alert.user) {
				actions.push(el('a', { class: 'btn btn-ghost btn-small', href: `/moderation?tab=users&user=${encodeURIComponent(alert.user.id)}`, 'data-action': 'manage-user' }, t('moderation.manageUser')));
			}
			const history = [];
			if (alert.acknowledged_at) {
				history.push(el('li', {}, t('moderation.alerts.acknowledgedBy', { name: personText(t, alert.acknowledged_by), time: formatDate(alert.acknowledged_at) })));
			}
			if (alert.resolved_at) {
				history.push(el('li', {}, t('moderation.alerts.resolvedBy', { name: personText(t, alert.resolved_by), time: formatDate(alert.resolved_at) }),
					alert.resolution_note ? el('p', { class: 'report-note' }, String(alert.resolution_note)) : null));
			}
			return el('article', {
				class: `card alert-card severity-${alert.severity}${alert.isNew ? ' is-new' : ''}`,
				'aria-labelledby': headingId, 'data-alert-id': alert.id, 'data-severity': alert.severity,
			},
			el('header', { class: 'post-card-head' },
				el('h3', { id: headingId, class: 'post-card-title' }, t('moderation.alerts.heading', { source })),
				severityBadge(alert.severity),
				alertStatusBadge(alert.status),
				alert.isNew ? badge(t('moderation.alerts.new'), 'info') : null,
				el('time', { class: 'post-time', datetime: alert.created_at }, formatDate(alert.created_at))),
			el('p', { class: 'note' }, t('moderation.alerts.about', { name: personText(t, alert.user) })),
			categories.length ? el('p', {}, t('moderation.alerts.signs', { list: categories.join(', ') })) : null,
			excerptArea(alert),
			history.length ? el('ul', { class: 'alert-history' }, history) : null,
			el('p', { class: 'actions' }, actions));
		}

		async function acknowledge(alert) {
			const result = await moderation.acknowledge(alert.id);
			if (!result.ok || !result.body) {
				ctx.toast(fail(result), 'error');
				return;
			}
			alertList.update(result.body);
			ctx.toast(t('moderation.alerts.acknowledged'), 'success');
			focusAlert(result.body.id);
		}

		async function resolve(alert) {
			const result = await formDialog({
				title: t('moderation.alerts.resolveTitle'),
				intro: t('moderation.alerts.resolveIntro'),
				fields: [{ name: 'note', label: t('moderation.alerts.note'), type: 'textarea', required: true, maxLength: NOTE_MAX }],
				submitLabel: t('moderation.alerts.resolve'),
				submit: (values) => moderation.resolve(alert.id, values.note),
				errorText: fail,
			});
			if (!result || !result.body) {
				return;
			}
			adjust('alerts', -1);
			ctx.toast(t('moderation.alerts.resolved'), 'success');
			if (['active', 'open', 'acknowledged'].includes(alertFilter.input.value)) {
				alertList.remove(alert.id);
			} else {
				alertList.update(result.body);
			}
		}

		function focusAlert(alertId) {
			const card = document.querySelector(`[data-alert-id="${CSS.escape(alertId)}"] h3`);
			if (card) {
				card.tabIndex = -1;
				card.focus();
			}
		}

		function alertsPanel(panel) {
			alertFilter = field({
				id: 'alert-status', type: 'select', label: t('moderation.alerts.filter'),
				options: ALERT_STATUSES.map((value) => ({ value, label: t(`moderation.alerts.statuses.${value}`) })),
				value: 'active',
			});
			alertList = pagedList({
				fetchPage: (cursor) => moderation.alerts({ status: alertFilter.input.value, limit: PAGE, cursor }),
				renderItem: alertCard,
				emptyText: t('moderation.alerts.empty'),
				moreLabel: t('moderation.loadMore'),
				errorText: fail,
				label: t('moderation.tabs.alerts'),
				className: 'alert-list',
			});
			alertFilter.input.addEventListener('change', () => alertList.reload());
			panel.append(el('h2', { class: 'visually-hidden' }, t('moderation.tabs.alerts')),
				el('p', { class: 'note' }, t('moderation.alerts.lead')),
				el('div', { class: 'filters' }, alertFilter.element),
				alertList.element);
			moderation.grants().then((result) => {
				if (result.ok && result.body && Array.isArray(result.body.items)) {
					for (const grant of result.body.items) {
						grants.set(grant.session_id, grant);
					}
				}
				alertList.reload();
			});
		}

		// A new alert, live: announced, counted, and put first in the list marked "New". `listed` is
		// its row of the open list when the caller already has it (the sweep).
		async function onAlert(event, listed = null) {
			const info = event.alert || {};
			if (info.id) {
				if (heardAlerts.has(info.id)) {
					return;
				}
				heardAlerts.add(info.id);
			}
			const severity = known(`moderation.severity.${info.severity}`) ? t(`moderation.severity.${info.severity}`) : String(info.severity || '');
			const source = known(`moderation.source.${info.source}`) ? t(`moderation.source.${info.source}`) : String(info.source || '');
			live.textContent = t('moderation.alerts.arrived', { severity, source });
			adjust('alerts', 1);
			if (!counts.alerts) {
				counts.alerts = { value: 1, more: false };
				drawLabels();
			}
			if (!alertList || !alertList.element.isConnected || !['active', 'open'].includes(alertFilter.input.value) || !info.id) {
				return;
			}
			const found = listed || ((await openAlerts()) || []).find((item) => item.id === info.id);
			if (found) {
				alertList.prepend({ ...found, isNew: true });
			} else {
				alertList.reload();
			}
		}
		cleanups.push(subscribe('alert.new', onAlert));

		// Open alerts this page never heard of, oldest first, as if their events had come.
		async function sweepAlerts() {
			const items = await openAlerts();
			for (const item of (items || []).filter((a) => !heardAlerts.has(a.id)).reverse()) {
				await onAlert({ alert: item }, item);
			}
		}
		cleanups.push(subscribe('resync', sweepAlerts));

		// ------------------------------------------------------------ users
		// The person shown in the Users tab (?user=), kept while other tabs are open.
		let currentUserId = isUuid(ctx.query.user) ? ctx.query.user.trim() : null;

		function usersPanel(panel) {
			const idField = field({ id: 'user-id', label: t('moderation.users.id'), hint: t('moderation.users.idHint'), value: currentUserId || '' });
			idField.input.setAttribute('autocomplete', 'off');
			idField.input.setAttribute('spellcheck', 'false');
			const find = button({ label: t('moderation.users.find'), type: 'submit' });
			const form = el('form', { novalidate: true, role: 'search', class: 'user-search', 'aria-label': t('moderation.users.searchLabel') },
				idField.element, el('p', { class: 'actions' }, find));
			const result = el('div', { class: 'user-status' });

			async function lookUp(id, { focus = true } = {}) {
				states.loading(result);
				const answer = await moderation.user(id);
				if (!answer.ok || !answer.body) {
					states.error(result, answer.status === 404 ? t('moderation.users.notFound') : fail(answer));
					return;
				}
				currentUserId = id;
				replaceQuery({ user: id });
				showUser(answer.body, { focus });
			}

			form.addEventListener('submit', (event) => {
				event.preventDefault();
				const id = idField.input.value.trim();
				if (!isUuid(id)) {
					idField.setError(t('moderation.users.badId'));
					idField.input.focus();
					return;
				}
				idField.setError(null);
				lookUp(id);
			});

			async function act(kind, status) {
				const userId = status.user.id;
				const specs = {
					warn: {
						title: t('moderation.users.warnTitle', { name: status.user.display_name }),
						fields: [{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, maxLength: REASON_MAX, hint: t('moderation.users.reasonShown') }],
						submitLabel: t('moderation.users.warn'),
						submit: (values) => moderation.warn(userId, values.reason),
						done: 'moderation.users.warned',
					},
					ban: {
						title: t(status.banned ? 'moderation.users.updateBanTitle' : 'moderation.users.banTitle', { name: status.user.display_name }),
						intro: t('moderation.users.banIntro'),
						fields: [
							{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, maxLength: REASON_MAX, hint: t('moderation.users.reasonShown') },
							{ name: 'hours', label: t('moderation.users.hours'), type: 'number', min: 1, max: BAN_HOURS_MAX, value: BAN_HOURS_DEFAULT, hint: t('moderation.users.hoursHint', { days: BAN_HOURS_DEFAULT / 24 }) },
						],
						submitLabel: t(status.banned ? 'moderation.users.updateBan' : 'moderation.users.ban'),
						danger: true,
						submit: (values) => moderation.ban(userId, values.reason, values.hours),
						done: 'moderation.users.banned',
					},
					unban: {
						title: t('moderation.users.unbanTitle', { name: status.user.display_name }),
						fields: [{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, maxLength: REASON_MAX }],
						submitLabel: t('moderation.users.unban'),
						submit: (values) => moderation.unban(userId, values.reason),
						done: 'moderation.users.unbanned',
					},
				};
				const spec = specs[kind];
				const answer = await formDialog({ ...spec, errorText: fail });
				if (answer && answer.body) {
					ctx.toast(t(spec.done, { name: status.user.display_name }), 'success');
					showUser(answer.body, { focus: true });
				}
			}

			function showUser(status, { focus }) {
				const user = status.user || {};
				const headingId = uid('user-title');
				const ban = status.ban;
				const banText = !status.banned
					? t('moderation.users.notBanned')
					: ban && ban.until
						? t('moderation.users.bannedUntil', { time: formatDate(ban.until) })
						: t('moderation.users.bannedForever');
				const actions = Array.isArray(status.actions) ? status.actions : [];
				const table = dataTable({
					caption: t('moderation.users.actionsTitle'),
					columns: [
						{ label: t('moderation.users.when'), render: (a) => el('time', { datetime: a.created_at }, formatDate(a.created_at)), header: true },
						{ label: t('moderation.users.what'), render: (a) => (known(`moderation.actions.${a.action}`) ? t(`moderation.actions.${a.action}`) : String(a.action)) },
						{ label: t('moderation.reason'), render: (a) => String(a.reason || '') },
						{ label: t('moderation.users.by'), render: (a) => personText(t, a.moderator) },
						{ label: t('moderation.users.ends'), render: (a) => (a.expires_at ? formatDate(a.expires_at) : '') },
					],
					items: actions,
				});
				const row = (term, detail, key) => [el('dt', {}, term), el('dd', { 'data-field': key }, detail)];
				result.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': headingId, 'data-user-id': user.id },
					el('h3', { id: headingId }, String(user.display_name || '')),
					el('p', { class: 'badges' },
						badge(known(`account.roles.${user.role}`) ? t(`account.roles.${user.role}`) : String(user.role || ''), 'info'),
						status.helper_tier ? badge(t(`account.tiers.${status.helper_tier}`), 'neutral') : null,
						status.banned ? badge(t('moderation.users.bannedBadge'), 'danger') : null),
					el('dl', { class: 'details' },
						row(t('moderation.users.id'), el('code', { translate: 'no' }, String(user.id || '')), 'id'),
						status.created_at ? row(t('moderation.users.joined'), formatDate(status.created_at, { dateStyle: 'medium' }), 'joined') : null,
						row(t('moderation.users.warnings'), String(Number(status.warnings) || 0), 'warnings'),
						row(t('moderation.users.banStatus'), banText, 'ban'),
						status.banned && ban ? row(t('moderation.reason'), String(ban.reason || ''), 'ban-reason') : null,
						status.banned && ban ? row(t('moderation.users.bannedBy'), t('moderation.users.byAt', { name: personText(t, ban.by), time: formatDate(ban.at) }), 'ban-by') : null),
					el('p', { class: 'actions' },
						el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'warn', onClick: () => act('warn', status) }, t('moderation.users.warn')),
						el('button', { type: 'button', class: 'btn btn-danger btn-small', 'data-action': 'ban', onClick: () => act('ban', status) },
							t(status.banned ? 'moderation.users.updateBan' : 'moderation.users.ban')),
						status.banned
							? el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-action': 'unban', onClick: () => act('unban', status) }, t('moderation.users.unban'))
							: null),
					actions.length ? table.element : el('p', { class: 'note' }, t('moderation.users.noActions'))));
				if (focus) {
					const target = result.querySelector('h3');
					target.tabIndex = -1;
					target.focus();
				}
			}

			panel.append(el('h2', { class: 'visually-hidden' }, t('moderation.tabs.users')),
				el('p', { class: 'note' }, t('moderation.users.lead')), form, result);
			if (currentUserId) {
				lookUp(currentUserId, { focus: false });
			}
		}

		// ------------------------------------------------------------ videos
		function videosPanel(panel) {
			const list = pagedList({
				fetchPage: (cursor) => moderation.videos({ limit: PAGE, cursor }),
				renderItem: (video) => videoCard(video),
				emptyText: t('moderation.videos.empty'),
				moreLabel: t('moderation.loadMore'),
				errorText: fail,
				label: t('moderation.tabs.videos'),
				className: 'card-list video-list',
			});

			async function approve(video, node) {
				node.disabled = true;
				const result = await moderation.approveVideo(video.id);
				node.disabled = false;
				if (!result.ok) {
					ctx.toast(fail(result), 'error');
					return;
				}
				list.remove(video.id);
				adjust('videos', -1);
				ctx.toast(t('moderation.videos.approved'), 'success');
			}

			async function reject(video) {
				const result = await formDialog({
					title: t('moderation.videos.rejectTitle'),
					fields: [{ name: 'reason', label: t('moderation.reason'), type: 'textarea', required: true, maxLength: REASON_MAX, hint: t('moderation.videos.reasonShown') }],
					submitLabel: t('moderation.videos.reject'),
					danger: true,
					submit: (values) => moderation.rejectVideo(video.id, values.reason),
					errorText: fail,
				});
				if (result) {
					list.remove(video.id);
					adjust('videos', -1);
					ctx.toast(t('moderation.videos.rejected'), 'success');
				}
			}

			function videoCard(video) {
				const descId = uid('video-desc');
				const src = typeof video.media_url === 'string' && video.media_url.startsWith('/media/videos/')
					? video.media_url
					: `/media/videos/${encodeURIComponent(video.id)}`;
				const description = video.description ? String(video.description) : '';
				const approveButton = el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-action': 'approve' }, t('moderation.videos.approve'));
				approveButton.addEventListener('click', () => approve(video, approveButton));
				return el('article', { class: 'card video-card', 'aria-describedby': descId, 'data-video-id': video.id },
					el('video', {
						controls: true, preload: 'metadata', src, class: 'video-player',
						'aria-label': description ? t('moderation.videos.player', { description: description.slice(0, 80) }) : t('moderation.videos.playerUntitled'),
					}),
					el('p', { id: descId, class: 'video-description' }, description || t('moderation.videos.noDescription')),
					el('p', { class: 'note' },
						t('moderation.videos.uploader', { name: personText(t, video.uploader) }), ' · ',
						el('time', { datetime: video.created_at }, formatDate(video.created_at)), ' · ',
						t('moderation.videos.size', { size: ((Number(video.size) || 0) / (1024 * 1024)).toFixed(1), type: String(video.mime || '') })),
					el('p', { class: 'actions' },
						approveButton,
						el('button', { type: 'button', class: 'btn btn-danger btn-small', 'data-action': 'reject', onClick: () => reject(video) }, t('moderation.videos.reject'))));
			}

			panel.append(el('h2', { class: 'visually-hidden' }, t('moderation.tabs.videos')),
				el('p', { class: 'note' }, t('moderation.videos.lead')), list.element);
			list.reload();
		}

		// ------------------------------------------------------------ the tabs
		const renderers = { reports: reportsPanel, alerts: alertsPanel, users: usersPanel, videos: videosPanel };
		let selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : null;
		if (!selected) {
			selected = ctx.query.user ? 'users' : counts.alerts && counts.alerts.value > 0 ? 'alerts' : 'reports';
		}
		const items = TABS.map((id) => {
			const label = el('span', { 'data-tab-label': id });
			if (id in counts) {
				labels[id] = label;
			} else {
				label.textContent = t(`moderation.tabs.${id}`);
			}
			return { id, label, render: renderers[id] };
		});
		drawLabels();
		body.append(tabs(items, {
			selected,
			label: t('moderation.tabsLabel'),
			onChange: (id) => replaceQuery({ tab: id, user: id === 'users' ? currentUserId : null }),
		}));
	},
	dispose() {
		for (const off of cleanups) {
			off();
		}
		cleanups = [];
	},
};
