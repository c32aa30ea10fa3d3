// /mfa — turn on two-step sign-in (TOTP):
//   1. POST /api/auth/mfa {action:"enrol"} → {secret, otpauth_uri}: the URI is
//      drawn as a QR code (a canvas, from the vendored qrcode-generator), and
//      the secret is shown in groups of four, with the URI as text too;
//   2. the 6-digit code → POST {action:"confirm", code} → on; the session is
//      upgraded (its access token now carries mfa), then ?next= or /.
// Staff whose session lacks two-step sign-in are sent here by the shell.

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { loadArea } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText, safeNextPath } from '/js/api/client.js';
import { copyText } from './start.js';
import { needsConsent } from './consent.js';

const QR_SCRIPT = '/vendor/qrcode-generator-1.4.4/qrcode.js';
const STAFF = new Set(['moderator', 'admin']);
const QUIET_ZONE = 4;

let qrLoading = null;

// qrcode-generator is a classic script that defines the global `qrcode`.
function loadQrLibrary() {
	if (typeof window.qrcode === 'function') {
		return Promise.resolve(window.qrcode);
	}
	if (!qrLoading) {
		qrLoading = new Promise((resolve, reject) => {
			const script = document.createElement('script');
			script.src = QR_SCRIPT;
			script.async = true;
			script.addEventListener('load', () => (typeof window.qrcode === 'function'
				? resolve(window.qrcode)
				: reject(new Error('qrcode-generator did not load'))));
			script.addEventListener('error', () => {
				qrLoading = null;
				reject(new Error('qrcode-generator could not be fetched'));
			});
			document.head.append(script);
		});
	}
	return qrLoading;
}

/**
 * A <canvas> QR code of text, dark on white whatever the theme, with a
 * 4-module quiet zone; role=img and label for assistive technology.
 */
export async function qrCanvas(text, label, scale = 5) {
	const qrcode = await loadQrLibrary();
	const qr = qrcode(0, 'M');
	qr.addData(text);
	qr.make();
	const count = qr.getModuleCount();
	const size = (count + QUIET_ZONE * 2) * scale;
	const canvas = el('canvas', { class: 'qr-code', role: 'img', 'aria-label': label, width: size, height: size });
	const context = canvas.getContext('2d');
	context.fillStyle = '#ffffff';
	context.fillRect(0, 0, size, size);
	context.fillStyle = '#000000';
	for (let row = 0; row < count; row += 1) {
		for (let col = 0; col < count; col += 1) {
			if (qr.isDark(row, col)) {
				context.fillRect((col + QUIET_ZONE) * scale, (row + QUIET_ZONE) * scale, scale, scale);
			}
		}
	}
	return canvas;
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP". */
export function groupSecret(secret) {
	return String(secret).replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const next = safeNextPath((ctx.query || {}).next, '/');
		const session = ctx.session || {};
		const user = session.user || {};
		const heading = el('h1', { tabindex: '-1' }, t('mfa.title'));
		const lead = el('p', { class: 'lead' }, t('mfa.lead'));

		if (user.mfa_enabled) {
			root.replaceChildren(heading,
				el('p', { class: 'status status-success' }, t('mfa.alreadyOn')),
				el('p', { class: 'actions' },
					linkButton({ label: t('mfa.manage'), href: '/settings?tab=security', kind: 'secondary' }),
					next !== '/' ? linkButton({ label: t('mfa.continue'), href: next }) : null));
			return;
		}

		const nodes = [heading];
		if (STAFF.has(user.role)) {
			nodes.push(el('p', { class: 'warning' }, t('mfa.required')));
		}
		nodes.push(lead);

		const step1 = el('section', { class: 'panel', 'aria-labelledby': 'mfa-step1' },
			el('h2', { id: 'mfa-step1' }, t('mfa.step1')));
		const beginStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const begin = button({ label: t('mfa.begin') });
		step1.append(el('p', { class: 'actions' }, begin), beginStatus);

		const code = field({
			id: 'mfa-code', name: 'code', label: t('mfa.code'), hint: t('mfa.codeHint'),
			autocomplete: 'one-time-code', inputmode: 'numeric', required: true,
		});
		code.input.maxLength = 6;
		code.input.setAttribute('pattern', '[0-9]{6}');
		const confirmStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const confirmButton = button({ label: t('mfa.confirm'), type: 'submit' });
		const form = el('form', { method: 'post', novalidate: true, 'aria-labelledby': 'mfa-step2' },
			code.element, el('p', { class: 'actions' }, confirmButton), confirmStatus);
		const step2 = el('section', { class: 'panel', 'aria-labelledby': 'mfa-step2', hidden: true },
			el('h2', { id: 'mfa-step2' }, t('mfa.step2')), form);

		begin.addEventListener('click', async () => {
			begin.disabled = true;
			beginStatus.className = 'status';
			beginStatus.textContent = t('mfa.busy');
			const result = await ctx.api.post('/api/auth/mfa', { action: 'enrol' });
			if (!result.ok || !result.body || typeof result.body.secret !== 'string') {
				begin.disabled = false;
				beginStatus.className = 'status status-error';
				beginStatus.textContent = errorText(t, result);
				return;
			}
			const { secret, otpauth_uri: uri } = result.body;
			beginStatus.textContent = '';
			begin.hidden = true;

			const qrBox = el('div', { class: 'qr' });
			try {
				qrBox.append(await qrCanvas(uri, t('mfa.qrLabel')));
			} catch (error) {
				console.error(error);
				qrBox.append(el('p', { class: 'status status-error' }, t('mfa.qrFailed')));
			}
			const secretNode = el('p', { class: 'recovery-code', id: 'mfa-secret', translate: 'no' }, groupSecret(secret));
			const copyStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const copy = button({
				label: t('mfa.copyKey'),
				kind: 'secondary',
				onClick: async () => {
					const copied = await copyText(secret, secretNode);
					copyStatus.className = copied ? 'status status-success' : 'status';
					copyStatus.textContent = copied ? t('mfa.copied') : t('mfa.copyFallback');
				},
			});
			const uriNode = el('code', { class: 'otpauth-uri', translate: 'no' }, uri);
			step1.append(
				el('p', {}, t('mfa.scan')),
				qrBox,
				el('p', {}, t('mfa.manual')),
				el('p', { id: 'mfa-secret-label', class: 'visually-hidden' }, t('mfa.secretLabel')),
				secretNode,
				el('p', { class: 'actions' }, copy),
				copyStatus,
				el('details', {},
					el('summary', {}, t('mfa.uriLabel')),
					el('p', { class: 'break-anywhere' }, uriNode)));
			secretNode.setAttribute('aria-labelledby', 'mfa-secret-label');
			step2.hidden = false;
			code.input.focus();
		});

		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const value = code.input.value.replace(/\s+/g, '');
			if (!/^[0-9]{6}$/.test(value)) {
				applyFieldErrors({ code }, { code: t('mfa.enterCode') });
				return;
			}
			applyFieldErrors({ code }, {});
			confirmButton.disabled = true;
			confirmStatus.className = 'status';
			confirmStatus.textContent = t('mfa.confirming');
			const result = await ctx.api.post('/api/auth/mfa', { action: 'confirm', code: value });
			confirmButton.disabled = false;
			if (result.ok) {
				await ctx.refreshSession();
				const done = el('h2', { tabindex: '-1' }, t('mfa.successTitle'));
				// Staff arrive here straight from signing in: the consent gate comes next.
				const carryOn = button({
					label: t('mfa.continue'),
					onClick: async () => {
						carryOn.disabled = true;
						const gate = await needsConsent(ctx.api);
						ctx.navigate(gate ? `/consent?next=${encodeURIComponent(next)}` : next);
					},
				});
				root.replaceChildren(heading, el('section', { class: 'panel' },
					done,
					el('p', { class: 'status status-success' }, t('mfa.success')),
					el('p', { class: 'actions' }, carryOn)));
				done.focus();
				ctx.toast(t('mfa.successTitle'), 'success');
				return;
			}
			if (result.status === 400 || result.status === 403) {
				code.input.value = '';
				applyFieldErrors({ code }, { code: t('mfa.wrongCode') });
				confirmStatus.textContent = '';
				return;
			}
			confirmStatus.className = 'status status-error';
			confirmStatus.textContent = errorText(t, result);
		});

		nodes.push(step1, step2);
		root.replaceChildren(...nodes);
	},
};
