// The real-time client in a page of the app, with no /api/rt/connect program
// on the stack: WebSocket fails, then EventSource, then it polls the callback
// it was given; every change is reported, and close() stops it.

import assert from 'node:assert/strict';

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
			const polled = new Promise((resolve) => {
				firstPoll = resolve;
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
					return [];
				},
				pollSeconds: 0.1,
			});
			const timeout = new Promise((resolve) => {
				setTimeout(() => resolve('timeout'), 15000);
			});
			const first = await Promise.race([polled, timeout]);
			// A few polls more, then close.
			await new Promise((resolve) => {
				setTimeout(resolve, 500);
			});
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
}
