// Idle logoff, both ways it happens:
// - the server's: with the stack's test clock moved past the idle limit, the
//   next request the page makes finds the session over; the page signs out,
//   goes to sign-in and says why;
// - the page's own: with the browser's clock moved on (Playwright's fake
//   clock), the warning opens 2 minutes before the limit, "Stay signed in"
//   keeps the session, and at the limit the page signs out and says why.

import assert from 'node:assert/strict';

import { apiCall, createSeeker, currentSession, setServerClock, text, waitForToast, waitForView } from './app.mjs';

const PAST_THE_IDLE_LIMIT_S = 31 * 60 + 60;

export function idleTests(test) {
	test('idle logoff: with the server clock 31 minutes on, the page signs out and says why', async (session) => {
		const { page, stack } = session;
		await createSeeker(session);
		await session.goto('/settings');
		await waitForView(page, '/settings', 'titles.settings');
		assert.ok(await page.locator('#sign-out').count(), 'not signed in');

		setServerClock(stack, PAST_THE_IDLE_LIMIT_S);
		try {
			// The security tab reads the session from the API.
			await page.getByRole('tab', { name: text('settings.tabs.security') }).click();
			await waitForView(page, '/signin', 'titles.signin');
			assert.equal(new URL(page.url()).searchParams.get('reason'), 'idle');
			await waitForToast(page, text('shell.signedOut.idle'));
			assert.match(await page.locator('#main').innerText(), new RegExp(text('signedOutReason.idle').slice(0, 40)));
			assert.equal(await page.locator('#sign-out').count(), 0, 'the header still offers Sign out');
			const after = await apiCall(page, 'GET', '/api/auth/session');
			assert.equal(after.status, 401, `GET /api/auth/session after idle logoff: ${JSON.stringify(after)}`);
		} finally {
			setServerClock(stack, 0);
		}
	});

	test('idle logoff in the page: the warning, Stay signed in, then signed out at the limit', async (session) => {
		const { page } = session;
		await session.context.clock.install();
		await createSeeker(session);
		await session.goto('/settings');
		await waitForView(page, '/settings', 'titles.settings');
		const limit = (await currentSession(page)).session.idle_timeout_seconds;
		assert.ok(limit > 180, `idle_timeout_seconds: ${limit}`);

		// Just inside the warning period: the warning opens, focus on "Stay signed in".
		await session.context.clock.fastForward((limit - 100) * 1000);
		const warning = page.locator('dialog[open][role="alertdialog"]');
		await warning.waitFor();
		assert.match(await warning.innerText(), new RegExp(text('idle.title').replace('?', '\\?')));
		await page.waitForFunction((label) => document.activeElement && document.activeElement.textContent.trim() === label,
			text('idle.stay'));
		await page.keyboard.press('Enter');
		await warning.waitFor({ state: 'detached' });
		assert.ok(await currentSession(page), 'Stay signed in did not keep the session');

		// Nothing more happens: at the limit the page signs out by itself.
		await session.context.clock.fastForward((limit + 30) * 1000);
		await waitForView(page, '/signin', 'titles.signin');
		assert.equal(new URL(page.url()).searchParams.get('reason'), 'idle');
		await waitForToast(page, text('shell.signedOut.idle'));
		const after = await apiCall(page, 'GET', '/api/auth/session');
		assert.equal(after.status, 401, `GET /api/auth/session after idle logoff: ${JSON.stringify(after)}`);
	});
}
