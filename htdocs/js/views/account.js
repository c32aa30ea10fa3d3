// /account — who is signed in (display name, username, role and helper level,
// two-step sign-in), when the session ends, a link to my moderation history,
// Change display name (PUT /api/me), and Sign out (POST
// /api/auth/logout, then `astral:signed-out` so the shell shows it).

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { badge } from '/js/components/badge.js';
import { states } from '/js/components/states.js';
import { formDialog } from '/js/components/form-dialog.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText, signalSignedOut } from '/js/api/client.js';

const DISPLAY_NAME_MAX = 50;

function row(term, ...details) {
	return [el('dt', {}, term), el('dd', {}, ...details)];
}

function timeNode(value) {
	return el('time', { datetime: value }, formatDate(value) || value);
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('account'), loadArea('staff')]);   // staff: the dialog's words
		const { t } = ctx;
		const heading = el('h1', { tabindex: '-1' }, t('account.title'));
		const body = el('div');
		root.replaceChildren(heading, body);

		async function load() {
			states.loading(body, t('account.loading'));
			const result = await ctx.api.get('/api/auth/session');
			if (!result.ok || !result.body || !result.body.user) {
				states.error(body, errorText(t, result), load);
				return;
			}
			show(result.body);
		}

		function show(session) {
			const { user } = session;
			const info = session.session || {};
			const minutes = Math.round(Number(info.idle_timeout_seconds) / 60);
			const details = el('dl', { class: 'details' },
				row(t('account.displayName'), user.display_name),
				row(t('account.username'), el('span', { translate: 'no' }, user.username)),
				row(t('account.role'), t(`account.roles.${user.role}`)),
				user.role === 'helper' && user.helper_tier
					? row(t('account.tier'), t(`account.tiers.${user.helper_tier}`))
					: null,
				row(t('account.mfa'), user.mfa_enabled
					? badge(t('account.mfaOn'), 'success')
					: badge(t('account.mfaOff'), 'neutral')),
				info.created_at ? row(t('account.sessionStarted'), timeNode(info.created_at)) : null,
				info.expires_at ? row(t('account.sessionEnds'), timeNode(info.expires_at)) : null,
				minutes > 0 ? row(t('account.idle'), t('account.idleMinutes', { count: minutes })) : null);

			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const signOut = button({
				label: t('account.signOut'),
				kind: 'secondary',
				onClick: async () => {
					signOut.disabled = true;
					status.className = 'status';
					status.textContent = t('account.signingOut');
					const result = await ctx.api.post('/api/auth/logout');
					if (result.ok || result.status === 401) {
						signalSignedOut('signed_out', { force: true });
						return;
					}
					signOut.disabled = false;
					status.className = 'status status-error';
					status.textContent = errorText(t, result);
				},
			});
			const rename = button({
				label: t('account.rename'),
				kind: 'secondary',
				onClick: async () => {
					const done = await formDialog({
						title: t('account.renameTitle'),
						intro: t('account.renameIntro'),
						fields: [{ name: 'display_name', label: t('account.displayName'), value: user.display_name,
							required: true, maxLength: DISPLAY_NAME_MAX }],
						submitLabel: t('account.renameSave'),
						submit: (values) => ctx.api.put('/api/me', { display_name: values.display_name }),
						errorText: (result) => errorText(t, result),
					});
					if (done && done.body && done.body.user) {
						ctx.toast(t('account.renamed', { name: done.body.user.display_name }), 'success');
						await load();     // the session again: the header shows the new name too
						const again = body.querySelector('button[data-action="rename"]');
						if (again) {
							again.focus();
						}
					}
				},
			});
			rename.dataset.action = 'rename';
			body.replaceChildren(
				el('section', { class: 'panel', 'aria-labelledby': 'account-who' },
					el('h2', { id: 'account-who', class: 'visually-hidden' }, user.display_name),
					details,
					el('p', { class: 'actions' },
						linkButton({ label: t('account.settings'), href: '/settings' }),
						linkButton({ label: t('account.moderationHistory'), href: '/moderation/history', kind: 'secondary' }),
						rename,
						signOut),
					status));
		}

		await load();
	},
};
