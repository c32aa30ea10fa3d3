// /start — anonymous onboarding: no email or phone; "Start" creates an
// anonymous seeker account (POST /api/auth/anonymous) and shows its recovery
// code exactly once, with a Copy button; "I have saved it" goes to /consent.
//
// Also exports showRecoveryCode() and copyText(), which /recover uses.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';

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

/**
 * Copy text to the clipboard; when the browser does not allow it, select the
 * text of `node` so the person can copy it by hand. Resolves to true when
 * the clipboard write worked.
 */
export async function copyText(text, node) {
	try {
		if (!navigator.clipboard || !window.isSecureContext) {
			throw new Error('clipboard unavailable');
		}
		// A permission prompt that nobody answers must not leave the person
		// waiting: after a second, fall back to selecting the text.
		await Promise.race([
			navigator.clipboard.writeText(text),
			new Promise((resolve, reject) => {
				setTimeout(() => reject(new Error('clipboard timed out')), 1000);
			}),
		]);
		return true;
	} catch {
		selectContents(node);
		return false;
	}
}

/**
 * Show a recovery code once inside container (replacing its content) and move
 * focus to the heading. onSaved() runs when "I have saved it" is pressed.
 */
export function showRecoveryCode(container, code, { t, title, onSaved }) {
	const heading = el('h2', { tabindex: '-1' }, title || t('recoveryCode.title'));
	const codeNode = el('p', { class: 'recovery-code', id: 'recovery-code', translate: 'no' }, code);
	const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const copy = button({
		label: t('recoveryCode.copy'),
		kind: 'secondary',
		onClick: async () => {
			status.className = 'status';
			status.textContent = '';
			const copied = await copyText(code, codeNode);
			status.className = copied ? 'status status-success' : 'status';
			status.textContent = copied ? t('recoveryCode.copied') : t('recoveryCode.copyFallback');
		},
	});
	const saved = button({ label: t('recoveryCode.saved'), onClick: () => onSaved() });
	const section = el('section', { class: 'panel', 'aria-labelledby': 'recovery-code-label' },
		heading,
		el('p', { class: 'warning' },
			el('strong', {}, t('recoveryCode.onceStrong')), ' ', t('recoveryCode.once')),
		el('p', { id: 'recovery-code-label' }, t('recoveryCode.label')),
		codeNode,
		el('p', { class: 'actions' }, copy),
		status,
		el('p', {}, t('recoveryCode.private')),
		el('p', { class: 'actions' }, saved));
	container.replaceChildren(section);
	heading.focus();
	return section;
}

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const heading = el('h1', { tabindex: '-1' }, t('start.title'));
		const intro = el('div', {},
			el('p', { class: 'lead' }, t('start.lead')),
			el('ul', {},
				el('li', {}, t('start.pointName')),
				el('li', {}, t('start.pointCode')),
				el('li', {}, t('start.pointPeer'), ' ', el('a', { href: '/crisis' }, t('start.crisisLink')))));

		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const startButton = button({ label: t('start.button') });
		const panel = el('section', { class: 'panel' }, el('p', { class: 'actions' }, startButton), status);
		const signedIn = ctx.session && ctx.session.user;
		if (signedIn) {
			startButton.textContent = t('start.buttonNew');
			panel.prepend(el('p', { class: 'warning' },
				t('start.already', { name: ctx.session.user.display_name }), ' ',
				el('a', { href: '/account' }, t('start.goAccount'))));
		}
		const others = el('p', {},
			t('start.haveAccount'), ' ',
			el('a', { href: '/signin' }, t('start.signIn')), ' · ',
			el('a', { href: '/recover' }, t('start.recover')));
		const output = el('div');

		startButton.addEventListener('click', async () => {
			startButton.disabled = true;
			status.className = 'status';
			status.textContent = t('start.creating');
			const result = await ctx.api.post('/api/auth/anonymous', {});
			if (result.status === 201 && result.body && typeof result.body.recovery_code === 'string') {
				status.textContent = '';
				intro.hidden = true;
				panel.hidden = true;
				others.hidden = true;
				showRecoveryCode(output, result.body.recovery_code, {
					t,
					title: t('start.readyTitle'),
					onSaved: async () => {
						await ctx.refreshSession();
						ctx.navigate('/consent');
					},
				});
				return;
			}
			startButton.disabled = false;
			status.className = 'status status-error';
			status.textContent = errorText(t, result);
		});

		root.replaceChildren(heading, intro, panel, others, output);
	},
};
