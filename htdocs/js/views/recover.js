// /recover — get back into an anonymous account with its recovery code
// (POST /api/auth/recover). The new code is shown once, like at the start;
// "I have saved it" goes on through the consent gate.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText, safeNextPath } from '/js/api/client.js';
import { showRecoveryCode } from './start.js';
import { afterSignIn } from './signin.js';

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const next = safeNextPath((ctx.query || {}).next, '/');
		const heading = el('h1', { tabindex: '-1', id: 'recover-title' }, t('recover.title'));
		const lead = el('p', { class: 'lead' }, t('recover.lead'));
		const code = field({
			id: 'recover-code', name: 'recovery_code', label: t('recover.code'), hint: t('recover.codeHint'),
			autocomplete: 'off', required: true,
		});
		code.input.setAttribute('autocapitalize', 'characters');
		code.input.setAttribute('spellcheck', 'false');
		code.input.maxLength = 64;
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const submit = button({ label: t('recover.submit'), type: 'submit' });
		const form = el('form', { method: 'post', novalidate: true, 'aria-labelledby': 'recover-title' },
			code.element, el('p', { class: 'actions' }, submit), status);
		const output = el('div');
		const fields = { recovery_code: code };

		function setStatus(text, kind = null) {
			status.className = kind ? `status status-${kind}` : 'status';
			status.textContent = text;
		}

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const value = code.input.value.trim();
			if (!value) {
				applyFieldErrors(fields, { recovery_code: t('recover.enterCode') });
				setStatus(t('apiErrors.invalid_field'), 'error');
				return;
			}
			applyFieldErrors(fields, {});
			submit.disabled = true;
			form.setAttribute('aria-busy', 'true');
			setStatus(t('recover.busy'));
			const result = await ctx.api.post('/api/auth/recover', { recovery_code: value });
			submit.disabled = false;
			form.removeAttribute('aria-busy');
			if (result.ok && result.body && typeof result.body.recovery_code === 'string') {
				code.input.value = '';
				setStatus('');
				lead.hidden = true;
				form.hidden = true;
				showRecoveryCode(output, result.body.recovery_code, {
					t,
					title: t('recover.readyTitle'),
					onSaved: () => afterSignIn(ctx, result.body, next),
				});
				return;
			}
			if (result.status === 401 || result.status === 400) {
				applyFieldErrors(fields, { recovery_code: t('recover.notAccepted') });
				setStatus(t('recover.notAccepted'), 'error');
				return;
			}
			setStatus(errorText(t, result), 'error');
		});

		root.replaceChildren(heading, lead, form, output);
	},
};
