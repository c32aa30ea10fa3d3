// /moderation/history — for anyone signed in (GET /api/moderation/history):
// what moderators did about me or my content (warnings, bans and when they
// end, removed posts, rejected videos, with the reason they gave), and what
// became of the posts I reported (waiting, dismissed, acted on).

import { el } from '/js/components/dom.js';
import { badge } from '/js/components/badge.js';
import { states } from '/js/components/states.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { moderation } from '/js/api/moderation.js';

const ACTION_KIND = { warning: 'warning', ban: 'danger', unban: 'success', post_removed: 'warning', video_rejected: 'warning' };
const REPORT_KIND = { open: 'info', dismissed: 'neutral', actioned: 'success' };

function known(key) {
	return typeof message(key) === 'string';
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('staff'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const body = el('div', { class: 'moderation-history' });
		root.append(el('h1', {}, t('modHistory.title')), el('p', { class: 'lead' }, t('modHistory.lead')), body);

		function actionItem(action) {
			const name = known(`moderation.actions.${action.action}`) ? t(`moderation.actions.${action.action}`) : String(action.action);
			return el('li', { class: 'history-item', 'data-action-kind': action.action },
				el('p', {}, badge(name, ACTION_KIND[action.action] || 'neutral'), ' ',
					el('time', { class: 'note', datetime: action.created_at }, formatDate(action.created_at))),
				action.reason ? el('p', {}, t('modHistory.reason', { reason: String(action.reason) })) : null,
				action.action === 'ban'
					? el('p', { class: 'note' }, action.expires_at
						? t('modHistory.banEnds', { time: formatDate(action.expires_at) })
						: t('modHistory.banPermanent'))
					: null,
				action.post_id ? el('p', { class: 'note' }, t('modHistory.aboutPost')) : null,
				action.video_id ? el('p', { class: 'note' }, t('modHistory.aboutVideo')) : null);
		}

		function reportItem(report) {
			const reason = known(`report.reasons.${report.reason}`) ? t(`report.reasons.${report.reason}`) : String(report.reason);
			return el('li', { class: 'history-item', 'data-report-status': report.status },
				el('p', {}, el('strong', {}, reason), ' ', badge(t(`modHistory.reportStatus.${report.status}`), REPORT_KIND[report.status] || 'neutral')),
				el('p', { class: 'note' },
					t('modHistory.reportedOn', { time: formatDate(report.created_at) }),
					report.decided_at ? ` · ${t('modHistory.decidedOn', { time: formatDate(report.decided_at) })}` : ''));
		}

		async function load() {
			states.loading(body);
			const result = await moderation.history();
			if (!result.ok || !result.body) {
				states.error(body, errorText(t, result), load);
				return;
			}
			const actions = Array.isArray(result.body.actions) ? result.body.actions : [];
			const reports = Array.isArray(result.body.reports) ? result.body.reports : [];
			body.replaceChildren(
				el('section', { class: 'panel', 'aria-labelledby': 'history-actions' },
					el('h2', { id: 'history-actions' }, t('modHistory.actionsTitle')),
					actions.length
						? el('ul', { class: 'list history-list' }, actions.map(actionItem))
						: el('p', { class: 'state state-empty' }, t('modHistory.noActions'))),
				el('section', { class: 'panel', 'aria-labelledby': 'history-reports' },
					el('h2', { id: 'history-reports' }, t('modHistory.reportsTitle')),
					el('p', { class: 'note' }, t('modHistory.reportsLead')),
					reports.length
						? el('ul', { class: 'list history-list' }, reports.map(reportItem))
						: el('p', { class: 'state state-empty' }, t('modHistory.noReports'))),
				el('p', {}, el('a', { href: '/guidelines' }, t('modHistory.guidelines'))));
		}

		await load();
	},
};
