// "Start anonymously": create an anonymous seeker account and show its
// recovery code exactly once. Also exports showRecoveryCode for the recovery
// form on the sign-in page.

import { api, errorMessage } from './api.js';

function element(tag, attributes = {}, text = null) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		node.setAttribute(name, value);
	}
	if (text !== null) {
		node.textContent = text;
	}
	return node;
}

function selectContents(node) {
	const selection = window.getSelection();
	if (!selection) {
		return;
	}
	const range = document.createRange();
	range.selectNodeContents(node);
	selection.removeAllRanges();
	selection.addRange(range);
}

async function copyCode(code, codeNode, statusNode) {
	statusNode.className = 'status';
	try {
		if (!navigator.clipboard || !window.isSecureContext) {
			throw new Error('clipboard unavailable');
		}
		await navigator.clipboard.writeText(code);
		statusNode.classList.add('status-success');
		statusNode.textContent = 'Copied. Paste it somewhere private, such as a password manager.';
	} catch {
		selectContents(codeNode);
		statusNode.textContent = 'Copying is not allowed here, so the code is selected: press Ctrl+C (or ⌘+C) to copy it, or write it down.';
	}
}

// Render the one-time recovery code into container and move focus to it.
export function showRecoveryCode(container, code, { title = 'Save your recovery code' } = {}) {
	container.replaceChildren();
	const section = element('section', { class: 'panel', 'aria-labelledby': 'recovery-title' });
	const heading = element('h2', { id: 'recovery-title', tabindex: '-1' }, title);
	const warning = element('p', { class: 'warning' });
	warning.append(
		element('strong', {}, 'This code is shown only once. '),
		'We cannot show it again or send it to you. Without it you cannot get back into this account if this browser forgets you.',
	);
	const label = element('p', {}, 'Your recovery code:');
	const codeNode = element('p', { class: 'recovery-code', id: 'recovery-code' }, code);
	const copyButton = element('button', { type: 'button', class: 'btn btn-secondary' }, 'Copy code');
	const status = element('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const advice = element('p', {}, 'Keep it private: anyone with this code can open your account.');
	const actions = element('p', { class: 'actions' });
	actions.append(copyButton);
	const next = element('p', { class: 'actions' });
	next.append(element('a', { class: 'btn btn-primary', href: '/account.html' }, 'I have saved it: continue to my account'));

	copyButton.addEventListener('click', () => copyCode(code, codeNode, status));
	section.append(heading, warning, label, codeNode, actions, status, advice, next);
	container.append(section);
	heading.focus();
}

function setStatus(node, text, kind) {
	node.className = kind ? `status status-${kind}` : 'status';
	node.textContent = text;
}

async function checkExistingSession(notice, button) {
	const result = await api('GET', '/api/auth/session');
	if (result.status !== 200 || !result.body || !result.body.user) {
		return;
	}
	notice.replaceChildren(
		`You are already signed in as ${result.body.user.display_name}. `,
		element('a', { href: '/account.html' }, 'Go to your account'),
		'. Starting a new anonymous account signs you out of this one.',
	);
	notice.hidden = false;
	button.textContent = 'Start a new anonymous account';
}

async function start(panel, button, status, output) {
	button.disabled = true;
	setStatus(status, 'Creating your account…');
	const result = await api('POST', '/api/auth/anonymous', {});
	if (result.status === 201 && result.body && typeof result.body.recovery_code === 'string') {
		setStatus(status, '');
		panel.hidden = true;
		showRecoveryCode(output, result.body.recovery_code, { title: 'Your account is ready: save your recovery code' });
		return;
	}
	button.disabled = false;
	setStatus(status, errorMessage(result), 'error');
}

function init() {
	const panel = document.getElementById('start-panel');
	const button = document.getElementById('start-button');
	const status = document.getElementById('start-status');
	const output = document.getElementById('recovery-output');
	const notice = document.getElementById('already-signed-in');
	if (!panel || !button || !status || !output || !notice) {
		return;
	}
	panel.hidden = false;
	button.addEventListener('click', () => start(panel, button, status, output));
	checkExistingSession(notice, button);
}

if (document.body.dataset.page === 'start') {
	init();
}
