// Quick exit: Escape three times, or the Quick exit link, replaces the page
// with the neutral one, and Back does not return to Astral Core.

import assert from 'node:assert/strict';

import { tabTo } from './harness.mjs';
import { waitForView } from './app.mjs';

const EXIT_PATH = '/exit.html';

// The history entry before the app page is about:blank (a new page starts
// there): Back from the exit page must land on it, not on the app.
async function assertBackLeavesTheApp(session) {
	const { page } = session;
	await page.goBack({ waitUntil: 'load' }).catch(() => null);
	const url = page.url();
	assert.equal(url.startsWith(session.stack.origin) && new URL(url).pathname !== EXIT_PATH, false,
		`Back returned to the app: ${url}`);
}

export function quickExitTests(test) {
	test('quick exit: Escape three times leaves for exit.html and Back does not return', async (session) => {
		const { page } = session;
		await session.goto('/start');
		await waitForView(page, '/start', 'titles.start');
		await page.evaluate(() => window.sessionStorage.setItem('draft', 'something private'));
		await Promise.all([
			page.waitForURL(`**${EXIT_PATH}`),
			(async () => {
				for (let i = 0; i < 3; i++) {
					await page.keyboard.press('Escape');
				}
			})(),
		]);
		assert.match(await page.locator('h1').innerText(), /weather forecast/);
		assert.equal(await page.evaluate(() => window.sessionStorage.length), 0, 'sessionStorage was not cleared');
		assert.equal(await page.evaluate(() => window.history.length), 2);
		await assertBackLeavesTheApp(session);
	});

	test('quick exit: two presses of Escape do nothing', async (session) => {
		const { page } = session;
		await session.goto('/');
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
		assert.equal(new URL(page.url()).pathname, '/');
	});

	test('quick exit: the Quick exit link, by keyboard, leaves and Back does not return', async (session) => {
		const { page } = session;
		await session.goto('/signin');
		await waitForView(page, '/signin', 'titles.signin');
		await tabTo(page, 'a[data-quick-exit]');
		await Promise.all([page.waitForURL(`**${EXIT_PATH}`), page.keyboard.press('Enter')]);
		assert.match(await page.locator('h1').innerText(), /weather forecast/);
		await assertBackLeavesTheApp(session);
	});
}
