// /signin — username and password; a 6-digit code field appears when the
// server answers 401 mfa_required. ?reason=idle|expired|… explains why the
// person was signed out; ?next= is where to go afterwards.
//
// Also exports afterSignIn(), the one place that decides where a freshly
// signed-in person goes: /mfa for staff without two-step sign-in, /consent
// while documents are missing, else ?next= or /.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText, safeNextPath } from '/js/api/client.js';
import { needsConsent } from './consent.js';

const TOTP = /^[0-9]{6}$/;
const STAFF = new Set(['moderator', 'admin']);
const REASONS = {
	idle: 'idle',
	expired: 'session_expired',
	session_expired: 'session_expired',
	token_reused: 'token_reused',
	signed_out: 'signed_out',
	deleted: 'deleted',
};

/**
 * Go where a person who just signed in (session: the SessionResponse) should
 * go. next: a same-origin path they were on their way to.
 */
export async function afterSignIn(ctx, session, next = '/') {
	await ctx.refreshSession();
	const target = safeNextPath(next, '/');
	const user = session && session.user;
	if (user && STAFF.has(user.role) && !(session.session && session.session.mfa)) {
		ctx.navigate(`/mfa?next=${encodeURIComponent(target)}`, { replace: true });
		return;
	}
	if (await needsConsent(ctx.api)) {
		ctx.navigate(`/consent?next=${encodeURIComponent(target)}`, { replace: true });
		return;
	}
	ctx.navigate(target, { replace: true });
}

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const query = ctx.query || {};
		const next = safeNextPath(query.next, '/');
		const heading = el('h1', { tabindex: '-1', id: 'signin-title' }, t('signin.title'));
		const nodes = [heading];

		const reason = REASONS[query.reason];
		if (reason) {
			nodes.push(el('p', { class: reason === 'signed_out' || reason === 'deleted' ? 'note' : 'warning' },
				t(`signedOutReason.${reason}`)));
		}
		nodes.push(el('p', { class: 'lead' }, t('signin.lead')));

		const username = field({
			id: 'signin-username', name: 'username', label: t('signin.username'), autocomplete: 'username',
			required: true,
		});
		username.input.setAttribute('autocapitalize', 'none');
		username.input.setAttribute('spellcheck', 'false');
		username.input.maxLength = 32;
		const password = field({
			id: 'signin-password', name: 'password', type: 'password', label: t('signin.password'),
			autocomplete: 'current-password', required: true,
		});
		password.input.maxLength = 256;
		const code = field({
			id: 'signin-code', name: 'totp_code', label: t('signin.code'), hint: t('signin.codeHint'),
			autocomplete: 'one-time-code', inputmode: 'numeric',
		});
		code.input.maxLength = 6;
		code.input.setAttribute('pattern', '[0-9]{6}');
		code.element.hidden = true;

		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const submit = button({ label: t('signin.submit'), type: 'submit' });
		const form = el('form', { method: 'post', novalidate: true, 'aria-labelledby': 'signin-title' },
			username.element, password.element, code.element, el('p', { class: 'actions' }, submit), status);
		const fields = { username, password, totp_code: code };

		function setStatus(text, kind = null) {
			status.className = kind ? `status status-${kind}` : 'status';
			status.textContent = text;
		}

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const askingForCode = !code.element.hidden;
			const values = {
				username: username.input.value.trim(),
				password: password.input.value,
				totp_code: code.input.value.trim(),
			};
			const errors = {};
			if (!values.username) {
				errors.username = t('signin.enterUsername');
			}
			if (!values.password) {
				errors.password = t('signin.enterPassword');
			}
			if (askingForCode && !TOTP.test(values.totp_code)) {
				errors.totp_code = t('signin.enterCode');
			}
			applyFieldErrors(fields, errors);
			if (Object.keys(errors).length) {
				setStatus(t('apiErrors.invalid_field'), 'error');
				return;
			}
			const body = { username: values.username, password: values.password };
			if (askingForCode) {
				body.totp_code = values.totp_code;
			}
			submit.disabled = true;
			form.setAttribute('aria-busy', 'true');
			setStatus(t('signin.busy'));
			const result = await ctx.api.post('/api/auth/login', body);
			submit.disabled = false;
			form.removeAttribute('aria-busy');

			if (result.ok) {
				setStatus(t('signin.success'), 'success');
				await afterSignIn(ctx, result.body, next);
				return;
			}
			const codeName = result.error ? result.error.code : '';
			if (result.status === 401 && codeName === 'mfa_required') {
				code.element.hidden = false;
				if (askingForCode) {
					applyFieldErrors(fields, { totp_code: t('signin.codeWrong') });
					setStatus(t('signin.codeWrong'), 'error');
				} else {
					applyFieldErrors(fields, {});
					setStatus(t('signin.needCode'));
					code.input.focus();
				}
				return;
			}
			if (codeName === 'invalid_credentials') {
				password.input.value = '';
				code.input.value = '';
				applyFieldErrors(fields, {});
				setStatus(t(askingForCode ? 'signin.badCredentialsCode' : 'signin.badCredentials'), 'error');
				password.input.focus();
				return;
			}
			const { unplaced } = applyFieldErrors(fields, result, (name) => ({
				username: t('register.errorUsername'),
				password: t('register.errorPassword'),
				totp_code: t('signin.enterCode'),
			}[name]));
			setStatus(errorText(t, result) + (Object.keys(unplaced).length ? ` (${Object.keys(unplaced).join(', ')})` : ''), 'error');
		});

		const others = el('section', { class: 'panel', 'aria-labelledby': 'signin-others' },
			el('h2', { id: 'signin-others' }, t('signin.other')),
			el('ul', {},
				el('li', {}, el('a', { href: next !== '/' ? `/register?next=${encodeURIComponent(next)}` : '/register' }, t('signin.register'))),
				el('li', {}, el('a', { href: '/recover' }, t('signin.recover'))),
				el('li', {}, el('a', { href: '/start' }, t('signin.start')))));

		nodes.push(form, others);
		root.replaceChildren(...nodes);
	},
};
