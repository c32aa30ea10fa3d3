// Account flows through the shell's views:
// - the anonymous start, the recovery code shown once, the consent gate and
//   settings, with the keyboard alone;
// - theme and language kept across a reload and across signing out and in;
// - a helper who registers (with the helper agreement), turns on two-step
//   sign-in and signs in again with a code;
// - download my data, and delete my account.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';

import { checkA11y, tabTo } from './harness.mjs';
import {
	apiCall, createSeeker, currentSession, documentTitle, storedText, text, totpCode, totpStep,
	waitForToast, waitForView,
} from './app.mjs';

const RECOVERY_CODE = /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3,}$/;

async function focusedId(page) {
	return page.evaluate(() => (document.activeElement ? document.activeElement.id : ''));
}

async function focusedText(page) {
	return page.evaluate(() => (document.activeElement ? (document.activeElement.textContent || '').trim() : ''));
}

/** The ids of the documents the consent view asks for, by their headings. */
async function consentDocuments(page) {
	await page.locator('#main .card h2').first().waitFor();
	const titles = await page.locator('#main .card h2').allInnerTexts();
	const ids = ['terms_of_service', 'privacy_policy', 'helper_agreement'];
	return ids.filter((id) => titles.includes(text(`consent.documents.${id}.title`)));
}

async function preferences(page) {
	const result = await apiCall(page, 'GET', '/api/me/preferences');
	assert.equal(result.status, 200, `GET /api/me/preferences: ${JSON.stringify(result)}`);
	return result.body;
}

export function accountFlowTests(test) {
	test('onboarding and settings with the keyboard only: start, recovery code once, consent, theme, language, content',
		{ permissions: ['clipboard-read', 'clipboard-write'] },
		async (session) => {
			const { page } = session;
			await session.goto('/start');
			await waitForView(page, '/start', 'titles.start');

			// Start: Tab to the button, Enter.
			await tabTo(page, '#main button', { name: text('start.button') });
			await page.keyboard.press('Enter');

			// The code is shown once, focus moves to its heading, a copy button is there.
			const code = page.locator('#recovery-code');
			await code.waitFor({ state: 'visible' });
			const recoveryCode = (await code.innerText()).trim();
			assert.match(recoveryCode, RECOVERY_CODE);
			assert.equal(await focusedText(page), text('start.readyTitle'));
			await checkA11y(page, { label: 'start: recovery code shown' });

			// Copy with the keyboard: the clipboard holds the code.
			await tabTo(page, '#main button', { name: text('recoveryCode.copy') });
			await page.keyboard.press('Enter');
			await page.locator('#main [role="status"]').filter({ hasText: text('recoveryCode.copied') }).waitFor();
			assert.equal(await page.evaluate(() => navigator.clipboard.readText()), recoveryCode);
			assert.equal((await storedText(page)).includes(recoveryCode), false, 'the recovery code was stored');

			// "I have saved it" → the consent gate: terms and privacy, nothing else.
			await tabTo(page, '#main button', { name: text('recoveryCode.saved') });
			await page.keyboard.press('Enter');
			await waitForView(page, '/consent', 'titles.consent');
			assert.deepEqual(await consentDocuments(page), ['terms_of_service', 'privacy_policy']);
			assert.equal((await page.content()).includes(recoveryCode), false, 'the recovery code is still in the page');

			// Agree to each with the keyboard; focus goes on to the next one by itself.
			await tabTo(page, '#main button', { name: text('consent.agreeTo', { title: text('consent.documents.terms_of_service.title') }) });
			await page.keyboard.press('Enter');
			await page.waitForFunction((label) => document.activeElement && document.activeElement.getAttribute('aria-label') === label,
				text('consent.agreeTo', { title: text('consent.documents.privacy_policy.title') }));
			await page.keyboard.press('Enter');
			await waitForView(page, '/', 'titles.home');
			const consents = await apiCall(page, 'GET', '/api/me/consents');
			assert.deepEqual(consents.body.missing, []);
			assert.deepEqual(consents.body.items.map((item) => item.document).sort(), ['privacy_policy', 'terms_of_service']);

			// The start page does not show the code again.
			await session.goto('/start');
			await waitForView(page, '/start', 'titles.start');
			assert.equal(await page.locator('#recovery-code').count(), 0);
			assert.equal((await page.content()).includes(recoveryCode), false);

			// Settings through the header link.
			await session.goto('/');
			await waitForView(page, '/', 'titles.home');
			await tabTo(page, '#nav-settings');
			await page.keyboard.press('Enter');
			await waitForView(page, '/settings', 'titles.settings');
			assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.tagName), 'H1',
				'focus is not on the heading after the route change');

			// Theme: arrow keys on the select choose, and the choice applies at once.
			await tabTo(page, '#settings-theme');
			assert.equal(await page.inputValue('#settings-theme'), 'system');
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			assert.equal(await page.inputValue('#settings-theme'), 'dark');
			await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
			await page.locator('#main .status-success').waitFor();

			// Language: Spanish; the view is drawn again in Spanish and focus stays on the select.
			await tabTo(page, '#settings-language');
			await page.keyboard.press('ArrowDown');
			await page.waitForFunction(() => document.documentElement.lang === 'es');
			await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });
			await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'settings-language');
			assert.equal(await page.locator('#main h1').innerText(), text('settings.title', {}, 'es'));

			// Content: back to the tab list, arrow to the next tab, Space on a box, Enter on Save.
			await tabTo(page, '[role="tab"][aria-selected="true"]', { backwards: true });
			await page.keyboard.press('ArrowRight');
			assert.equal(await focusedText(page), text('settings.tabs.content', {}, 'es'));
			await page.locator('#settings-filter-anxiety').waitFor();
			await tabTo(page, '#settings-filter-anxiety');
			await page.keyboard.press('Space');
			assert.equal(await page.isChecked('#settings-filter-anxiety'), true);
			await tabTo(page, '[role="tabpanel"] button[type="submit"]');
			await page.keyboard.press('Enter');
			await page.locator('[role="tabpanel"] .status-success').waitFor();

			const saved = await preferences(page);
			assert.equal(saved.theme, 'dark');
			assert.equal(saved.language, 'es');
			assert.deepEqual(saved.content_filters, ['Anxiety']);

			// A reload keeps all three.
			await page.reload();
			await session.settle();
			await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });
			assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
			assert.equal(await page.isChecked('#settings-filter-anxiety'), true);
		});

	test('theme and language persist across reload and across signing out and in with a passphrase', async (session) => {
		const { page } = session;
		await session.goto('/start');
		await waitForView(page, '/start', 'titles.start');
		await page.getByRole('button', { name: text('start.button') }).click();
		await page.locator('#recovery-code').waitFor();
		await page.getByRole('button', { name: text('recoveryCode.saved') }).click();
		await waitForView(page, '/consent', 'titles.consent');
		assert.deepEqual(await consentDocuments(page), ['terms_of_service', 'privacy_policy']);
		await page.getByRole('button', { name: text('consent.agreeTo', { title: text('consent.documents.terms_of_service.title') }) }).click();
		await page.getByRole('button', { name: text('consent.agreeTo', { title: text('consent.documents.privacy_policy.title') }) }).click();
		await waitForView(page, '/', 'titles.home');
		const user = (await currentSession(page)).user;
		assert.equal(user.role, 'seeker');

		await session.goto('/settings');
		await waitForView(page, '/settings', 'titles.settings');
		await page.selectOption('#settings-theme', 'dark');
		await page.locator('#main .status-success').waitFor();
		await page.selectOption('#settings-language', 'es');
		await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });

		await page.reload();
		await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });
		assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
		assert.equal(await page.inputValue('#settings-theme'), 'dark');
		assert.equal(await page.inputValue('#settings-language'), 'es');

		// A passphrase, so the seeker can sign in with the username.
		const passphrase = `river ${crypto.randomBytes(4).toString('hex')} lantern`;
		await session.goto('/settings?tab=security');
		await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });
		await page.locator('#settings-new-password').waitFor();
		assert.equal(await page.locator('#settings-current-password').count(), 0, 'a seeker without a passphrase is asked for the current one');
		await page.fill('#settings-new-password', passphrase);
		await page.fill('#settings-repeat-password', passphrase);
		await page.getByRole('button', { name: text('settings.security.set', {}, 'es') }).click();
		await waitForToast(page, text('settings.security.passphraseSet', {}, 'es'));
		assert.equal((await currentSession(page)).user.has_password, true);

		// Sign out (the header button), forget what this browser stored, sign in.
		await page.locator('#sign-out').click();
		await waitForView(page, '/', 'titles.home', { lang: 'es' });
		assert.equal(await currentSession(page), null, 'still signed in after signing out');
		await page.evaluate(() => window.localStorage.clear());
		await session.goto('/signin');
		await waitForView(page, '/signin', 'titles.signin');
		assert.equal(await page.evaluate(() => document.documentElement.dataset.theme || 'system'), 'system');
		await page.fill('#signin-username', user.username);
		await page.fill('#signin-password', passphrase);
		await page.locator('#main form button[type="submit"]').click();
		await page.waitForURL((url) => url.pathname === '/');
		await page.locator('#sign-out').waitFor();
		await session.settle();
		assert.equal((await currentSession(page)).user.id, user.id);
		// The account's preferences apply as soon as the person is signed in.
		const shown = await page.evaluate(() => ({
			theme: document.documentElement.dataset.theme || 'system',
			lang: document.documentElement.lang,
			title: document.title,
		}));
		assert.deepEqual(shown, { theme: 'dark', lang: 'es', title: documentTitle('titles.home', 'es') },
			'the saved theme and language were not applied on signing in');
		// And after a reload.
		await session.goto('/settings');
		await waitForView(page, '/settings', 'titles.settings', { lang: 'es' });
		assert.equal(await page.inputValue('#settings-theme'), 'dark');
		assert.equal(await page.inputValue('#settings-language'), 'es');
	});

	test('helper: registration with the helper agreement, two-step sign-in, sign out, sign in with a code', async (session) => {
		const { page } = session;
		const username = `helper-${crypto.randomBytes(4).toString('hex')}`;
		const password = 'correct horse battery staple';
		const displayName = 'Sam Helper';

		await session.goto('/register');
		await waitForView(page, '/register', 'titles.register');
		// A field error is shown next to its field, and the field is marked.
		await page.fill('#register-username', username);
		await page.fill('#register-display-name', displayName);
		await page.fill('#register-password', 'short');
		await page.locator('#main form button[type="submit"]').click();
		await page.locator('#register-password-error:not([hidden])').waitFor();
		assert.equal(await page.getAttribute('#register-password', 'aria-invalid'), 'true');
		assert.equal(await focusedId(page), 'register-password');
		await checkA11y(page, { label: 'register with a field error' });

		await page.fill('#register-password', password);
		await page.locator('#main form button[type="submit"]').click();
		await waitForView(page, '/consent', 'titles.consent');
		assert.deepEqual(await consentDocuments(page), ['terms_of_service', 'privacy_policy', 'helper_agreement']);
		for (const id of ['terms_of_service', 'privacy_policy', 'helper_agreement']) {
			await page.getByRole('button', { name: text('consent.agreeTo', { title: text(`consent.documents.${id}.title`) }) }).click();
		}
		await waitForView(page, '/', 'titles.home');
		const registered = await currentSession(page);
		assert.equal(registered.user.username, username);
		assert.equal(registered.user.role, 'helper');
		assert.equal(registered.user.mfa_enabled, false);

		// Two-step sign-in: read the key from the page, compute the code here.
		await session.goto('/mfa');
		await waitForView(page, '/mfa', 'titles.mfa');
		await page.getByRole('button', { name: text('mfa.begin') }).click();
		const secret = (await page.locator('#mfa-secret').innerText()).replace(/\s+/g, '');
		assert.match(secret, /^[A-Z2-7]{16,}$/);
		const uri = await page.locator('.otpauth-uri').textContent();
		assert.equal(new URL(uri).searchParams.get('secret'), secret);
		assert.equal(await focusedId(page), 'mfa-code');
		const confirmStep = totpStep();
		await page.fill('#mfa-code', totpCode(secret, confirmStep));
		await page.getByRole('button', { name: text('mfa.confirm') }).click();
		await page.getByRole('heading', { name: text('mfa.successTitle') }).waitFor();
		assert.equal((await currentSession(page)).user.mfa_enabled, true);

		// Sign out.
		await page.locator('#sign-out').click();
		await waitForView(page, '/', 'titles.home');
		assert.equal(await currentSession(page), null, 'still signed in after signing out');

		// A wrong password: an error, the password cleared, still on the page.
		await session.goto('/signin');
		await waitForView(page, '/signin', 'titles.signin');
		await page.fill('#signin-username', username);
		await page.fill('#signin-password', 'not the password');
		await page.locator('#main form button[type="submit"]').click();
		await page.locator('#main .status-error').filter({ hasText: text('signin.badCredentials') }).waitFor();
		assert.equal(await page.inputValue('#signin-password'), '');

		// The right password: a code is asked for.
		await page.fill('#signin-password', password);
		await page.locator('#main form button[type="submit"]').click();
		await page.locator('#signin-code').waitFor({ state: 'visible' });
		assert.equal(await focusedId(page), 'signin-code');

		// The code already used to confirm is a replay: refused. The server
		// does not say which part was wrong, so the password is asked again.
		await page.fill('#signin-code', totpCode(secret, confirmStep));
		await page.locator('#main form button[type="submit"]').click();
		await page.locator('#main .status-error').filter({ hasText: text('signin.badCredentialsCode') }).waitFor();
		assert.equal(await currentSession(page), null, 'a replayed code signed in');
		assert.equal(await page.inputValue('#signin-password'), '');
		assert.equal(await page.locator('#signin-code').isVisible(), true, 'the code field went away');

		// The next time step's code: accepted.
		await page.fill('#signin-password', password);
		await page.fill('#signin-code', totpCode(secret, confirmStep + 1));
		await page.locator('#main form button[type="submit"]').click();
		await waitForView(page, '/', 'titles.home');
		const signedIn = await currentSession(page);
		assert.equal(signedIn.user.username, username);
		assert.equal(signedIn.user.role, 'helper');
		assert.equal(signedIn.session.mfa, true, `the session does not record two-step sign-in: ${JSON.stringify(signedIn.session)}`);
	});

	test('download my data, then delete my account: signed out, and the session is gone', async (session) => {
		const { page } = session;
		const { user } = await createSeeker(session);
		await session.goto('/settings?tab=data');
		await waitForView(page, '/settings', 'titles.settings');

		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: text('settings.data.export') }).click(),
		]);
		assert.match(download.suggestedFilename(), /^astral-core-data-\d{4}-\d{2}-\d{2}\.json$/);
		const file = await download.path();
		const data = JSON.parse(fs.readFileSync(file, 'utf8'));
		assert.equal(data.user_id, user.id);
		assert.ok(data.tables && Array.isArray(data.tables.users), 'no tables.users in the export');
		assert.ok(data.tables.users.some((row) => row.id === user.id), 'the user row is not in the export');
		assert.ok(Array.isArray(data.tables.consents) && data.tables.consents.length >= 2, 'the consents are not in the export');
		assert.equal(JSON.stringify(data).includes(user.display_name), true, 'the display name is not in the export');

		// Delete: the phrase must be typed; a wrong one is refused in place.
		await page.getByRole('button', { name: text('settings.data.delete') }).click();
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		assert.equal(await focusedId(page), 'settings-delete-phrase');
		await checkA11y(page, { label: 'delete account dialog' });
		await page.keyboard.type('delete it');
		await dialog.getByRole('button', { name: text('settings.data.deleteConfirm') }).click();
		await page.locator('#settings-delete-phrase-error').filter({ hasText: text('settings.data.deleteMismatch') }).waitFor();
		assert.ok(await currentSession(page), 'signed out by a wrong phrase');

		await page.fill('#settings-delete-phrase', text('settings.data.deletePhrase'));
		await dialog.getByRole('button', { name: text('settings.data.deleteConfirm') }).click();
		await waitForToast(page, text('shell.signedOut.deleted'));
		await waitForView(page, '/', 'titles.home');
		assert.equal(await page.locator('#sign-out').count(), 0, 'the header still offers Sign out');
		const after = await apiCall(page, 'GET', '/api/auth/session');
		assert.equal(after.status, 401, `GET /api/auth/session after deletion: ${JSON.stringify(after)}`);
	});

	test('deep links load the view, and a document title names it', async (session) => {
		const { page } = session;
		await session.goto('/legal/privacy');
		await waitForView(page, '/legal/privacy', 'titles.privacy');
		assert.equal(await page.title(), documentTitle('titles.privacy'));
		// A click on an app link does not load a new document.
		await page.evaluate(() => {
			window.__sameDocument = true;
		});
		await page.locator('.site-footer a[href="/guidelines"]').click();
		await waitForView(page, '/guidelines', 'titles.guidelines');
		assert.equal(await page.evaluate(() => window.__sameDocument === true), true, 'the link loaded a new document');
		await page.goBack();
		await waitForView(page, '/legal/privacy', 'titles.privacy');
	});
}
