// The harness's own checks must be able to fail: each of these makes a page do
// what the harness forbids and asserts that it was caught.

import assert from 'node:assert/strict';

import { checkA11y } from './harness.mjs';

export function harnessTests(test) {
	test('harness: a request to another host is blocked and recorded', async (session) => {
		await session.goto('/');
		// A navigation: the CSP stops fetches and images, not where a link goes.
		await session.page.evaluate(() => {
			window.location.href = 'http://third-party.invalid/';
		});
		await session.page.waitForTimeout(500);
		assert.ok(
			session.foreignRequests.some((r) => r.includes('third-party.invalid')),
			`not recorded: ${JSON.stringify(session.foreignRequests)}`,
		);
		session.clear();
	});

	test('harness: a Content-Security-Policy violation is recorded', async (session) => {
		await session.goto('/');
		await session.page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'window.inlineRan = true;';
			document.head.append(script);
		});
		await session.page.waitForTimeout(300);
		assert.equal(await session.page.evaluate(() => window.inlineRan === true), false, 'the inline script ran');
		assert.ok(session.cspViolations.length > 0, 'no violation recorded');
		session.clear();
	});

	test('harness: an uncaught exception is recorded', async (session) => {
		await session.goto('/');
		// setTimeout in the page: an exception outside any evaluate() call.
		await session.page.evaluate(() => {
			window.setTimeout(() => {
				throw new Error('deliberate');
			}, 0);
		});
		await session.page.waitForTimeout(300);
		assert.ok(session.pageErrors.some((e) => e.includes('deliberate')), 'not recorded');
		session.clear();
	});

	test('harness: axe-core fails a page with a serious violation', async (session) => {
		await session.goto('/');
		await session.page.evaluate(() => {
			const button = document.createElement('button');
			button.type = 'button';
			document.querySelector('main').append(button);   // a button with no name: critical
		});
		await assert.rejects(checkA11y(session.page), /button-name/);
	});
}
