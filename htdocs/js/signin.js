// Sign-in page: helper (or passphrase) sign in with an optional TOTP step,
// helper registration, and recovery of an anonymous account by its code.

import { api, errorCode, errorMessage, fieldErrors } from './api.js';
import { showRecoveryCode } from './start.js';

const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
const TOTP_PATTERN = /^[0-9]{6}$/;
const encoder = new TextEncoder();

function input(prefix, name) {
	return document.getElementById(`${prefix}-${name}`);
}

function errorNode(prefix, name) {
	return document.getElementById(`${prefix}-${name}-error`);
}

function setDescribedBy(field, id, present) {
	const ids = (field.getAttribute('aria-describedby') || '')
		.split(/\s+/)
		.filter((token) => token && token !== id);
	if (present) {
		ids.push(id);
	}
	if (ids.length) {
		field.setAttribute('aria-describedby', ids.join(' '));
	} else {
		field.removeAttribute('aria-describedby');
	}
}

function sentence(text) {
	const trimmed = String(text).trim();
	return trimmed ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : trimmed;
}

function clearFieldErrors(prefix, names) {
	for (const name of names) {
		const field = input(prefix, name);
		const note = errorNode(prefix, name);
		if (!field || !note) {
			continue;
		}
		field.removeAttribute('aria-invalid');
		note.textContent = '';
		note.hidden = true;
		setDescribedBy(field, note.id, false);
	}
}

// Mark each named field; returns the names that are not fields of this form.
function showFieldErrors(prefix, errors) {
	const unplaced = [];
	let first = null;
	for (const [name, message] of Object.entries(errors)) {
		const field = input(prefix, name);
		const note = errorNode(prefix, name);
		if (!field || !note || field.closest('[hidden]')) {
			unplaced.push(name);
			continue;
		}
		field.setAttribute('aria-invalid', 'true');
		note.textContent = sentence(message);
		note.hidden = false;
		setDescribedBy(field, note.id, true);
		if (!first) {
			first = field;
		}
	}
	if (first) {
		first.focus();
	}
	return unplaced;
}

function setStatus(prefix, text, kind) {
	const node = document.getElementById(`${prefix}-status`);
	node.className = kind ? `status status-${kind}` : 'status';
	node.textContent = text;
}

function setBusy(form, busy) {
	const button = form.querySelector('button[type="submit"]');
	button.disabled = busy;
	form.setAttribute('aria-busy', busy ? 'true' : 'false');
}

function byteLength(text) {
	return encoder.encode(text).length;
}

function reportFailure(prefix, result, overrides = {}) {
	const fields = fieldErrors(result);
	const unplaced = showFieldErrors(prefix, fields);
	const code = errorCode(result);
	let message = overrides[code] || errorMessage(result);
	if (unplaced.length) {
		message += ` (${unplaced.map((name) => `${name}: ${fields[name]}`).join('; ')})`;
	}
	setStatus(prefix, message, 'error');
}

function invalidForm(prefix, errors) {
	if (Object.keys(errors).length === 0) {
		return false;
	}
	showFieldErrors(prefix, errors);
	setStatus(prefix, 'Please check the fields marked below.', 'error');
	return true;
}

async function onLogin(event) {
	event.preventDefault();
	const form = event.currentTarget;
	const prefix = 'login';
	const totpField = document.getElementById('login-totp-field');
	const askingForCode = !totpField.hidden;
	clearFieldErrors(prefix, ['username', 'password', 'totp_code']);

	const username = input(prefix, 'username').value.trim();
	const password = input(prefix, 'password').value;
	const code = input(prefix, 'totp_code').value.trim();
	const errors = {};
	if (!username) {
		errors.username = 'Enter your username.';
	}
	if (!password) {
		errors.password = 'Enter your password.';
	}
	if (askingForCode && !TOTP_PATTERN.test(code)) {
		errors.totp_code = 'Enter the 6 digits shown in your authenticator app.';
	}
	if (invalidForm(prefix, errors)) {
		return;
	}

	const body = { username, password };
	if (askingForCode) {
		body.totp_code = code;
	}
	setBusy(form, true);
	setStatus(prefix, 'Signing in…');
	const result = await api('POST', '/api/auth/login', body);
	setBusy(form, false);

	if (result.status === 200) {
		setStatus(prefix, 'Signed in. Opening your account…', 'success');
		window.location.replace('/account.html');
		return;
	}
	if (result.status === 401 && errorCode(result) === 'mfa_required') {
		const codeInput = input(prefix, 'totp_code');
		totpField.hidden = false;
		if (askingForCode) {
			showFieldErrors(prefix, { totp_code: 'Enter the 6 digits shown in your authenticator app.' });
			setStatus(prefix, 'A 6-digit code is needed to finish signing in.', 'error');
		} else {
			setStatus(prefix, 'One more step: enter the 6-digit code from your authenticator app.');
			codeInput.focus();
		}
		return;
	}
	if (errorCode(result) === 'invalid_credentials') {
		input(prefix, 'password').value = '';
		input(prefix, 'totp_code').value = '';
	}
	reportFailure(prefix, result, {
		invalid_credentials: askingForCode
			? 'That username, password or code is not right. Please try again.'
			: 'That username and password do not match. Please try again.',
	});
	if (errorCode(result) === 'invalid_credentials') {
		input(prefix, 'password').focus();
	}
}

async function onRegister(event) {
	event.preventDefault();
	const form = event.currentTarget;
	const prefix = 'register';
	clearFieldErrors(prefix, ['username', 'display_name', 'password']);

	const username = input(prefix, 'username').value.trim();
	const displayName = input(prefix, 'display_name').value.trim();
	const password = input(prefix, 'password').value;
	const errors = {};
	if (!USERNAME_PATTERN.test(username)) {
		errors.username = 'Use 3 to 32 characters: letters, digits, dot, dash or underscore.';
	}
	const nameLength = [...displayName].length;
	if (nameLength < 1 || nameLength > 50) {
		errors.display_name = 'Enter a display name of 1 to 50 characters.';
	}
	if (byteLength(password) < 8) {
		errors.password = 'Use at least 8 characters.';
	} else if (byteLength(password) > 256) {
		errors.password = 'That password is too long; use at most 256 bytes.';
	}
	if (invalidForm(prefix, errors)) {
		return;
	}

	setBusy(form, true);
	setStatus(prefix, 'Creating your helper account…');
	const result = await api('POST', '/api/auth/register', {
		username,
		password,
		display_name: displayName,
	});
	setBusy(form, false);

	if (result.status === 201) {
		setStatus(prefix, 'Account created. Opening your account…', 'success');
		window.location.replace('/account.html');
		return;
	}
	if (result.status === 409) {
		showFieldErrors(prefix, { username: 'That username is taken. Please choose another.' });
		setStatus(prefix, 'That username is taken.', 'error');
		return;
	}
	reportFailure(prefix, result);
}

async function onRecover(event) {
	event.preventDefault();
	const form = event.currentTarget;
	const prefix = 'recover';
	clearFieldErrors(prefix, ['recovery_code']);

	const codeInput = input(prefix, 'recovery_code');
	const code = codeInput.value.trim();
	if (invalidForm(prefix, code ? {} : { recovery_code: 'Enter your recovery code.' })) {
		return;
	}

	setBusy(form, true);
	setStatus(prefix, 'Checking your code…');
	const result = await api('POST', '/api/auth/recover', { recovery_code: code });
	setBusy(form, false);

	if (result.status === 200 && result.body && typeof result.body.recovery_code === 'string') {
		codeInput.value = '';
		setStatus(prefix, '');
		form.hidden = true;
		showRecoveryCode(document.getElementById('recovery-output'), result.body.recovery_code, {
			title: 'You are back in: save your new recovery code',
		});
		return;
	}
	reportFailure(prefix, result, {
		invalid_credentials: 'That recovery code did not work. Check it and try again.',
		unauthorized: 'That recovery code did not work. Check it and try again.',
	});
	if (result.status === 401) {
		showFieldErrors(prefix, { recovery_code: 'This code was not accepted.' });
	}
}

function focusFragmentTarget() {
	const id = decodeURIComponent(window.location.hash.slice(1));
	const target = id && document.getElementById(id);
	if (!target) {
		return;
	}
	const section = target.closest('section') || target;
	const first = section.querySelector('input');
	section.scrollIntoView();
	if (first) {
		first.focus({ preventScroll: true });
	}
}

function init() {
	const forms = document.getElementById('forms');
	forms.hidden = false;
	document.getElementById('login-form').addEventListener('submit', onLogin);
	document.getElementById('register-form').addEventListener('submit', onRegister);
	document.getElementById('recover-form').addEventListener('submit', onRecover);
	// After load, so the browser's own scroll to the fragment does not undo the focus.
	if (document.readyState === 'complete') {
		focusFragmentTarget();
	} else {
		window.addEventListener('load', () => window.setTimeout(focusFragmentTarget, 0), { once: true });
	}
}

init();
