// Behind Apache (a stack started with --front apache: no nchan, real time by
// polling): the chat page asks /api/rt/connect, is told to poll, opens no
// WebSocket or EventSource, says so, and a message from the helper, the helper
// having read the seeker's message, the helper typing, and the end of the chat
// still appear in the seeker's page without a reload. The harness
// fails the test on any console error.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SRC, Session } from './harness.mjs';
import { acceptConsents, apiCall, createSeeker } from './app.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));
const PEER = JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'peer.json'), 'utf8'));
// One poll_seconds (5) and the page's own work on top.
const POLL_MS = 12_000;

export function apacheFrontTests(test) {
	test('behind Apache: the chat polls (no stream opened) and a helper\'s message, a read mark, typing and the end arrive', async (session) => {
		const { page } = session;
		const streams = [];
		page.on('websocket', (socket) => streams.push(`WebSocket ${socket.url()}`));
		page.on('request', (request) => {
			if (new URL(request.url()).pathname === '/api/rt/connect' && !request.url().includes('probe=true')) {
				streams.push(`${request.method()} ${request.url()}`);
			}
		});

		await createSeeker(session);
		const post = await apiCall(page, 'POST', '/api/posts', {
			category: 'Loneliness', content: `Quiet evening, a bit lonely ${crypto.randomBytes(3).toString('hex')}`,
		});
		assert.equal(post.status, 201, `POST /api/posts: ${JSON.stringify(post)}`);

		const helper = await Session.open(session.context.browser(), session.stack);
		try {
			await helper.goto('/');
			const username = `helper-${crypto.randomBytes(5).toString('hex')}`;
			const created = await apiCall(helper.page, 'POST', '/api/auth/register', {
				username, password: 'a long test passphrase for helpers', display_name: 'Quiet Harbour',
			});
			assert.equal(created.status, 201, `POST /api/auth/register: ${JSON.stringify(created)}`);
			await acceptConsents(helper.page);
			for (const [method, where, body, status] of [
				['POST', '/api/helpers/me', { bio: 'Here to listen.', expertise: ['Loneliness'] }, 201],
				['PUT', '/api/helpers/me/availability', { online: true }, 200],
			]) {
				const result = await apiCall(helper.page, method, where, body);
				assert.equal(result.status, status, `${method} ${where}: ${JSON.stringify(result)}`);
			}
			const accepted = await apiCall(helper.page, 'POST', `/api/posts/${post.body.id}/accept`);
			assert.equal(accepted.status, 201, `POST /api/posts/{id}/accept: ${JSON.stringify(accepted)}`);
			const sessionId = accepted.body.id;

			// The seeker's chat: told to poll, it says so.
			await session.goto(`/chat/${sessionId}`);
			await page.locator('#chat-input').waitFor();
			await page.locator('.chat-connection').filter({ hasText: PEER.chat.polling }).waitFor({ timeout: POLL_MS });
			const probe = await apiCall(page, 'GET', '/api/rt/connect?probe=true');
			assert.equal(probe.body && probe.body.transport, 'polling', `the server does not say to poll: ${JSON.stringify(probe)}`);

			// A message from the helper appears by polling.
			const words = `Still here with you ${crypto.randomBytes(3).toString('hex')}`;
			const sent = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/messages`, {
				text: words, client_key: crypto.randomBytes(8).toString('hex'),
			});
			assert.equal(sent.status, 201, `POST /api/sessions/{id}/messages: ${JSON.stringify(sent)}`);
			await page.locator('.bubble-theirs').filter({ hasText: words }).waitFor({ timeout: POLL_MS });

			// The seeker writes; the helper reads it: "Read" appears under the seeker's bubble by
			// polling too (there is no `read` event to carry it).
			const mine = `Thank you for staying ${crypto.randomBytes(3).toString('hex')}`;
			await page.locator('#chat-input').fill(mine);
			await page.keyboard.press('Enter');
			const myBubble = page.locator('.bubble-mine').filter({ hasText: mine });
			await myBubble.locator('.bubble-mark[data-read="false"]').waitFor({ timeout: POLL_MS });
			const history = await apiCall(helper.page, 'GET', `/api/sessions/${sessionId}/messages?limit=5`);
			const received = (history.body.items || []).find((message) => message.text === mine);
			assert.ok(received, `the helper does not see the seeker's message: ${JSON.stringify(history)}`);
			const read = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/read`, { up_to: received.id });
			assert.ok(read.status >= 200 && read.status < 300, `POST /api/sessions/{id}/read: ${JSON.stringify(read)}`);
			await myBubble.locator('.bubble-mark[data-read="true"]').waitFor({ timeout: POLL_MS });

			// The helper types (as the page does, every few seconds while typing): "… is typing"
			// appears in the seeker's page by polling as well (the session list says other_typing).
			const typingShown = page.locator('.chat-typing')
				.filter({ hasText: PEER.chat.typing.replace('{name}', 'Quiet Harbour') });
			let shown = false;
			for (const until = Date.now() + POLL_MS; !shown && Date.now() < until;) {
				const typed = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/typing`);
				assert.equal(typed.status, 204, `POST /api/sessions/{id}/typing: ${JSON.stringify(typed)}`);
				shown = await typingShown.waitFor({ timeout: 3000 }).then(() => true, () => false);
			}
			assert.ok(shown, 'the helper typing never showed in the seeker\'s page behind Apache');

			// The helper ends the chat: the seeker's page shows it ended, still without a reload.
			const ended = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/end`);
			assert.equal(ended.status, 200, `POST /api/sessions/{id}/end: ${JSON.stringify(ended)}`);
			await page.locator('#chat-ended-title').waitFor({ timeout: POLL_MS });

			assert.deepEqual(streams, [], `a stream was tried behind Apache: ${streams.join(', ')}`);
		} finally {
			const problems = helper.problems();
			await helper.close();
			assert.deepEqual(problems, [], `the helper's browser context recorded problems:\n${problems.join('\n')}`);
		}
	});
}
