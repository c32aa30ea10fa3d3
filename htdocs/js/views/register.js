// /register — create a helper account (username, display name, password),
// then the consent gate (/consent), which includes the helper agreement.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText, safeNextPath } from '/js/api/client.js';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const encoder = new TextEncoder();

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const next = safeNextPath((ctx.query || {}).next, '/');
		const heading = el('h1', { tabindex: '-1', id: 'register-title' }, t('register.title'));

		const username = field({
			id: 'register-username', name: 'username', label: t('register.username'),
			hint: t('register.usernameHint'), autocomplete: 'username', required: true,
		});
		username.input.setAttribute('autocapitalize', 'none');
		username.input.setAttribute('spellcheck', 'false');
		username.input.minLength = 3;
		username.input.maxLength = 32;
		const displayName = field({
			id: 'register-display-name', name: 'display_name', label: t('register.displayName'),
			hint: t('register.displayNameHint'), autocomplete: 'nickname', required: true,
		});
		displayName.input.maxLength = 50;
		const password = field({
			id: 'register-password', name: 'password', type: 'password', label: t('register.password'),
			hint: t('register.passwordHint'), autocomplete: 'new-password', required: true,
		});
		password.input.minLength = 8;
		password.input.maxLength = 256;
		const show = field({ id: 'register-show-password', type: 'checkbox', label: t('register.showPassword') });
		show.input.addEventListener('change', () => {
			password.input.type = show.input.checked ? 'text' : 'password';
		});

		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const submit = button({ label: t('register.submit'), type: 'submit' });
		const form = el('form', { method: 'post', novalidate: true, 'aria-labelledby': 'register-title' },
			username.element, displayName.element, password.element, show.element,
			el('p', { class: 'actions' }, submit), status);
		const fields = { username, display_name: displayName, password };

		function setStatus(text, kind = null) {
			status.className = kind ? `status status-${kind}` : 'status';
			status.textContent = text;
		}

		const messages = {
			username: () => t('register.errorUsername'),
			display_name: () => t('register.errorDisplayName'),
			password: () => t('register.errorPassword'),
		};

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const values = {
				username: username.input.value.trim(),
				display_name: displayName.input.value.trim(),
				password: password.input.value,
			};
			const errors = {};
			if (!USERNAME.test(values.username)) {
				errors.username = messages.username();
			}
			const nameLength = [...values.display_name].length;
			if (nameLength < 1 || nameLength > 50) {
				errors.display_name = messages.display_name();
			}
			const bytes = encoder.encode(values.password).length;
			if (bytes < 8 || bytes > 256) {
				errors.password = messages.password();
			}
			applyFieldErrors(fields, errors);
			if (Object.keys(errors).length) {
				setStatus(t('apiErrors.invalid_field'), 'error');
				return;
			}
			submit.disabled = true;
			form.setAttribute('aria-busy', 'true');
			setStatus(t('register.busy'));
			const result = await ctx.api.post('/api/auth/register', values);
			submit.disabled = false;
			form.removeAttribute('aria-busy');
			if (result.status === 201) {
				setStatus(t('register.success'), 'success');
				await ctx.refreshSession();
				ctx.navigate(`/consent?next=${encodeURIComponent(next)}`, { replace: true });
				return;
			}
			if (result.status === 409) {
				applyFieldErrors(fields, { username: t('register.errorUsernameTaken') });
				setStatus(t('register.errorUsernameTaken'), 'error');
				return;
			}
			applyFieldErrors(fields, result, (name) => (messages[name] ? messages[name]() : name));
			setStatus(errorText(t, result), 'error');
		});

		root.replaceChildren(heading,
			el('p', { class: 'lead' }, t('register.lead')),
			form,
			el('p', {}, el('a', { href: '/signin' }, t('register.haveAccount'))));
	},
};
