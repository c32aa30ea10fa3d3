// Account page: who is signed in, when the session ends, and sign out.

import { api, errorCode, errorMessage } from './api.js';

const ROLE_NAMES = {
	seeker: 'Anonymous member',
	helper: 'Helper',
	moderator: 'Moderator',
	admin: 'Administrator',
};

const TIER_NAMES = {
	community: 'community helper',
	certified: 'certified helper',
};

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function byId(id) {
	return document.getElementById(id);
}

function setStatus(text, kind) {
	const node = byId('account-status');
	node.className = kind ? `status status-${kind}` : 'status';
	node.textContent = text;
}

function roleText(user) {
	const role = ROLE_NAMES[user.role] || user.role;
	if (user.role === 'helper' && TIER_NAMES[user.helper_tier]) {
		return `${role} (${TIER_NAMES[user.helper_tier]})`;
	}
	return role;
}

function showSignedOut() {
	byId('signed-in').hidden = true;
	byId('signed-out').hidden = false;
}

function showSignedIn(session) {
	const { user } = session;
	byId('who-display-name').textContent = user.display_name;
	byId('who-username').textContent = user.username;
	byId('who-role').textContent = roleText(user);

	const expires = byId('who-expires');
	const when = new Date(session.session.expires_at);
	expires.setAttribute('datetime', session.session.expires_at);
	expires.textContent = Number.isNaN(when.getTime()) ? session.session.expires_at : dateFormat.format(when);

	const idle = Math.round(Number(session.session.idle_timeout_seconds) / 60);
	byId('who-idle').textContent = idle > 0
		? `You are signed out after ${idle} minute${idle === 1 ? '' : 's'} without activity.`
		: 'You are signed out after a period without activity.';

	byId('signed-out').hidden = true;
	byId('signed-in').hidden = false;
}

async function signOut(button) {
	button.disabled = true;
	setStatus('Signing out…');
	const result = await api('POST', '/api/auth/logout');
	button.disabled = false;
	if (result.status === 204 || result.status === 401) {
		showSignedOut();
		setStatus('You are signed out.', 'success');
		byId('signed-out-title').setAttribute('tabindex', '-1');
		byId('signed-out-title').focus();
		return;
	}
	setStatus(errorMessage(result), 'error');
}

async function init() {
	const button = byId('logout-button');
	button.addEventListener('click', () => signOut(button));
	setStatus('Checking your session…');
	const result = await api('GET', '/api/auth/session');
	if (result.status === 200 && result.body && result.body.user && result.body.session) {
		setStatus('');
		showSignedIn(result.body);
		return;
	}
	showSignedOut();
	const code = errorCode(result);
	if (result.status === 401 && code !== 'session_expired' && code !== 'token_reused') {
		setStatus('');
		return;
	}
	setStatus(errorMessage(result), result.status === 401 ? null : 'error');
}

init();
