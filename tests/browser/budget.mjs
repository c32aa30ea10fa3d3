// The budget: the shell's first load of / (HTML + CSS + JS, with gzip as
// nginx serves it) is at most 120 KB. Measured in Chromium with an empty
// cache: the encoded body size of every response of the first navigation.

import assert from 'node:assert/strict';

const BUDGET_BYTES = 120 * 1024;

function kind(url, contentType) {
	if (contentType.includes('text/html')) {
		return 'html';
	}
	if (contentType.includes('text/css')) {
		return 'css';
	}
	if (contentType.includes('javascript')) {
		return 'js';
	}
	if (url.pathname.startsWith('/api/')) {
		return 'api';
	}
	return 'other';
}

export function budgetTests(test) {
	test('budget: the first load of / (HTML + CSS + JS, gzip) is at most 120 KB', async (session, t) => {
		const { page } = session;
		const finished = [];
		page.on('requestfinished', (request) => {
			finished.push(request);
		});
		await session.goto('/');
		await page.waitForTimeout(300);
		await session.settle();

		const rows = [];
		for (const request of finished) {
			const response = await request.response();
			if (!response) {
				continue;
			}
			const sizes = await request.sizes();
			const headers = await response.allHeaders();
			const url = new URL(request.url());
			rows.push({
				path: url.pathname,
				kind: kind(url, headers['content-type'] || ''),
				encoding: headers['content-encoding'] || 'identity',
				bytes: sizes.responseBodySize,
				status: response.status(),
			});
		}
		const sum = (list) => list.reduce((total, row) => total + row.bytes, 0);
		const shell = rows.filter((row) => ['html', 'css', 'js'].includes(row.kind));
		const byKind = {};
		for (const row of rows) {
			byKind[row.kind] = (byKind[row.kind] || 0) + row.bytes;
		}
		const total = sum(shell);
		const unzipped = shell.filter((row) => row.encoding === 'identity' && row.bytes > 1024);
		t.diagnostic(`first load of /: HTML + CSS + JS ${total} bytes (${(total / 1024).toFixed(1)} KB) in ${shell.length} responses; budget ${BUDGET_BYTES} bytes`);
		t.diagnostic(`by kind (encoded bytes): ${JSON.stringify(byKind)}; all responses ${sum(rows)} bytes`);
		for (const row of [...shell].sort((a, b) => b.bytes - a.bytes).slice(0, 8)) {
			t.diagnostic(`  ${row.bytes} ${row.encoding} ${row.path}`);
		}
		assert.ok(shell.some((row) => row.kind === 'html'), 'no HTML response was recorded');
		assert.ok(shell.some((row) => row.encoding === 'gzip'), 'no response came gzip-encoded: the figure is not what nginx serves');
		assert.deepEqual(unzipped.map((row) => row.path), [], 'text over 1 KB served without gzip');
		assert.ok(total <= BUDGET_BYTES, `the first load is ${total} bytes, over the budget of ${BUDGET_BYTES}`);
	});
}
