// The real-time client in a page of the app, with no /api/rt/connect program
// on the stack: WebSocket fails, then EventSource, then it polls the callback
// it was given; every change is reported, and close() stops it.

import assert from 'node:assert/strict';

import { createSeeker } from './app.mjs';

// What the browser logs when the two transports fail, which is the point here.
const EXPECTED_FAILURES = /\/api\/rt\/connect/;

export function realtimeTests(test) {
	test('real-time client: WebSocket → EventSource → polling, status reported, close() stops it', async (session) => {
		const { page } = session;
		await session.goto('/');
		const outcome = await page.evaluate(async () => {
			const { connect } = await import('/js/api/realtime.js');
			const statuses = [];
			const events = [];
			const polls = [];
			let firstPoll = null;
			let secondPoll = null;
			const polled = new Promise((resolve) => {
				firstPoll = resolve;
			});
			const polledAgain = new Promise((resolve) => {
				secondPoll = resolve;
			});
			const rt = connect({
				onStatus: (status) => statuses.push({ state: status.state, transport: status.transport }),
				onEvent: (data, meta) => events.push({ data, id: meta.id, transport: meta.transport }),
				poll: async (lastEventId) => {
					polls.push(lastEventId);
					if (polls.length === 1) {
						firstPoll();
						return [{ id: 'e1', text: 'hello' }];
					}
					secondPoll();
					return [];
				},
				pollSeconds: 0.1,
			});
			const timeout = new Promise((resolve) => {
				setTimeout(() => resolve('timeout'), 15000);
			});
			const first = await Promise.race([polled, timeout]);
			// The next poll (every 0.1 s; a busy machine may take longer), then close.
			await Promise.race([polledAgain, timeout]);
			const transport = rt.transport;
			const lastEventId = rt.lastEventId;
			rt.close();
			const pollsAtClose = polls.length;
			await new Promise((resolve) => {
				setTimeout(resolve, 600);
			});
			return { first, statuses, events, polls, pollsAtClose, pollsAfter: polls.length, transport, lastEventId };
		});
		assert.notEqual(outcome.first, 'timeout', `never polled: ${JSON.stringify(outcome.statuses)}`);
		const states = outcome.statuses.map((s) => `${s.state}:${s.transport}`);
		const at = (entry) => states.indexOf(entry);
		assert.ok(at('connecting:websocket') >= 0, `no WebSocket attempt: ${states}`);
		assert.ok(at('connecting:eventsource') > at('connecting:websocket'), `no EventSource after WebSocket: ${states}`);
		assert.ok(at('polling:polling') > at('connecting:eventsource'), `no polling after EventSource: ${states}`);
		assert.equal(states.includes('open:websocket') || states.includes('open:eventsource'), false, `a transport opened: ${states}`);
		assert.equal(states[states.length - 1].split(':')[0], 'closed', `close() did not report closed: ${states}`);
		assert.equal(outcome.transport, 'polling');
		assert.deepEqual(outcome.events[0], { data: { id: 'e1', text: 'hello' }, id: 'e1', transport: 'polling' });
		assert.equal(outcome.lastEventId, 'e1');
		assert.equal(outcome.polls[0], null);
		assert.ok(outcome.polls.length >= 2 && outcome.polls[1] === 'e1', `the next poll was not given the last id: ${JSON.stringify(outcome.polls)}`);
		assert.equal(outcome.pollsAfter, outcome.pollsAtClose, 'it kept polling after close()');

		// The failed transports are logged by the browser; nothing else may be.
		const unexpected = session.consoleErrors.filter((line) => !EXPECTED_FAILURES.test(line));
		session.consoleErrors.splice(0, session.consoleErrors.length, ...unexpected);
	});

	test('real-time client: close() lets a WebSocket handshake in flight end, then closes it', async (session) => {
		const { page } = session;
		await session.goto('/');
		const outcome = await page.evaluate(async () => {
			const { connect } = await import('/js/api/realtime.js');
			const sockets = [];
			// A socket whose handshake ends when the test says: open(), or never.
			class HeldSocket {
				constructor() {
					this.readyState = 0;
					this.closes = 0;
					sockets.push(this);
				}
				open() {
					this.readyState = 1;
					if (this.onopen) {
						this.onopen();
					}
				}
				close() {
					this.closes += 1;
					this.readyState = 3;
				}
			}
			const sleep = (ms) => new Promise((resolve) => {
				setTimeout(resolve, ms);
			});
			const track = (promise) => {
				const state = { done: false };
				promise.then(() => {
					state.done = true;
				});
				return state;
			};

			// The handshake opens after close(): close() waits for it, then closes the socket.
			const rt = connect({ WebSocketImpl: HeldSocket, EventSourceImpl: null });
			const opened = sockets[0];
			const first = track(rt.close());
			await sleep(100);
			const waitedForOpen = !first.done && opened.closes === 0;
			opened.open();
			await sleep(0);
			const afterOpen = { done: first.done, closes: opened.closes };

			// A handshake that never ends: close() gives up waiting after its cap, and aborts it.
			const stuck = connect({ WebSocketImpl: HeldSocket, EventSourceImpl: null });
			const started = performance.now();
			await stuck.close();
			const waitedMs = performance.now() - started;
			const stuckCloses = sockets[1].closes;

			// A socket already open is closed at once.
			const live = connect({ WebSocketImpl: HeldSocket, EventSourceImpl: null });
			sockets[2].open();
			await live.close();
			return { waitedForOpen, afterOpen, waitedMs, stuckCloses, liveCloses: sockets[2].closes };
		});
		assert.equal(outcome.waitedForOpen, true, 'close() did not wait for the handshake in flight, or aborted it');
		assert.deepEqual(outcome.afterOpen, { done: true, closes: 1 }, 'the socket was not closed once its handshake ended');
		assert.ok(outcome.waitedMs >= 1900 && outcome.waitedMs < 4000, `a stuck handshake held close() for ${outcome.waitedMs} ms`);
		assert.equal(outcome.stuckCloses, 1, 'a stuck handshake was not aborted');
		assert.equal(outcome.liveCloses, 1);
	});

	test('real-time client: a sign-out closes the stream before it asks the server to end the session', async (session) => {
		const { page } = session;
		await createSeeker(session);
		const order = [];
		await page.route('**/api/auth/logout', async (route) => {
			const streams = await page.evaluate(() => window.__openStreams);
			order.push(`logout with ${streams} open stream(s)`);
			await route.continue();
		});
		await page.addInitScript(() => {
			window.__openStreams = 0;
			const Native = window.WebSocket;
			// Counts the page's sockets not yet closed by the page or the server.
			window.WebSocket = class extends Native {
				constructor(...args) {
					super(...args);
					window.__openStreams += 1;
					this.__gone = false;
					this.addEventListener('close', () => this.__forget());
				}
				__forget() {
					if (!this.__gone) {
						this.__gone = true;
						window.__openStreams -= 1;
					}
				}
				close(...args) {
					this.__forget();
					return super.close(...args);
				}
			};
		});
		await session.goto('/');
		await page.waitForFunction(() => window.__openStreams === 1, null, { timeout: 15000 });
		await page.locator('#sign-out').click();
		await page.waitForFunction(() => document.querySelector('#sign-out') === null, null, { timeout: 15000 });
		assert.deepEqual(order, ['logout with 0 open stream(s)']);
	});
}
