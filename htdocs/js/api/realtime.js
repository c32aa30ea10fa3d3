// The real-time client: one connection per signed-in user to /api/rt/connect.
//
//   import { connect } from '/js/api/realtime.js';
//   const rt = connect({
//     onEvent(data, meta) { ... },        // data: parsed JSON (or the raw text)
//                                         // meta: { id, transport }
//     onStatus(status) { ... },           // { state, transport, attempt, delay }
//     poll: async (lastEventId) => [...], // optional last resort, see below
//   });
//   rt.close();
//
// Transports, tried in this order, each only when the one before never opened:
//   1. WebSocket   ws(s)://<host>/api/rt/connect?last_event_id=<id>
//                  (sub-protocol "ws+meta.nchan" asked for, so each message
//                  carries its id; plain messages are accepted too);
//   2. EventSource /api/rt/connect?last_event_id=<id> (the browser adds
//                  Last-Event-ID itself on its own reconnects);
//   3. polling     the caller's poll(lastEventId) → an array of events or
//                  { events, last_event_id }, every pollSeconds; while
//                  polling, WebSocket is tried again every upgradeSeconds.
// A transport that has opened once and then drops or fails is reconnected
// (not given up) with exponential
// backoff and jitter (1 s doubling, at most 30 s). The last event id seen is
// remembered and sent on every reconnect so no event is missed while the
// server still holds it; an event's id is the nchan message id, or the `id`
// field of a JSON event when the transport carries none.
//
// States given to onStatus: 'connecting', 'open', 'reconnecting' (with the
// delay in ms), 'polling', 'closed'. The caller should re-fetch history
// (…?after=<last id>) on each 'open' and merge by id.
//
// Everything the module touches in the browser can be replaced for tests:
// WebSocketImpl, EventSourceImpl, setTimeoutImpl, clearTimeoutImpl, random,
// location ({ protocol, host }).

const PATH = '/api/rt/connect';
const NCHAN_META = 'ws+meta.nchan';
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
const SETTLE_MS = 2000;          // the longest close() waits for a handshake in flight

/**
 * The delay before reconnect attempt number `attempt` (0-based): exponential
 * from 1 s, capped at 30 s, with "equal jitter" (between half and all of it).
 */
export function backoffDelay(attempt, random = Math.random) {
	const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Split an nchan "ws+meta.nchan" frame: "id: …\ncontent-type: …\n\n<data>". */
export function parseMetaFrame(text) {
	const split = text.indexOf('\n\n');
	if (split < 0) {
		return { id: null, data: text };
	}
	let id = null;
	for (const line of text.slice(0, split).split('\n')) {
		const colon = line.indexOf(':');
		if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'id') {
			id = line.slice(colon + 1).trim() || null;
		}
	}
	return { id, data: text.slice(split + 2) };
}

function decode(text) {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

function withLastId(url, lastEventId) {
	if (!lastEventId) {
		return url;
	}
	const join = url.includes('?') ? '&' : '?';
	return `${url}${join}last_event_id=${encodeURIComponent(lastEventId)}`;
}

/**
 * Open the user's real-time connection; see the top of this file.
 * Returns { close() (a promise: see SETTLE_MS), get transport(), get lastEventId() }.
 */
export function connect(options = {}) {
	const {
		onEvent = () => {},
		onStatus = () => {},
		poll = null,
		path = PATH,
		lastEventId: initialId = null,
		pollSeconds = 5,
		upgradeSeconds = 120,
		WebSocketImpl = globalThis.WebSocket,
		EventSourceImpl = globalThis.EventSource,
		setTimeoutImpl = globalThis.setTimeout.bind(globalThis),
		clearTimeoutImpl = globalThis.clearTimeout.bind(globalThis),
		random = Math.random,
		location = globalThis.location,
	} = options;

	const order = [];
	if (typeof WebSocketImpl === 'function') {
		order.push('websocket');
	}
	if (typeof EventSourceImpl === 'function') {
		order.push('eventsource');
	}
	if (typeof poll === 'function') {
		order.push('polling');
	}

	let lastEventId = initialId;
	let closed = false;
	let transportIndex = 0;
	let attempt = 0;
	let socket = null;
	let source = null;
	let timer = null;
	let pollSince = 0;
	// Transports that have opened once: a later failure of one of them is
	// taken as the network or the server being away, not as the transport
	// being blocked, so it is retried rather than given up.
	const proven = new Set();

	function status(state, extra = {}) {
		try {
			onStatus({ state, transport: order[transportIndex] || null, attempt, ...extra });
		} catch (error) {
			queueMicrotask(() => {
				throw error;
			});
		}
	}

	function deliver(rawData, id) {
		const data = typeof rawData === 'string' ? decode(rawData) : rawData;
		let eventId = id;
		if (!eventId && data && typeof data === 'object' && (typeof data.id === 'string' || typeof data.id === 'number')) {
			eventId = String(data.id);
		}
		if (eventId) {
			lastEventId = eventId;
		}
		try {
			onEvent(data, { id: eventId || null, transport: order[transportIndex] });
		} catch (error) {
			queueMicrotask(() => {
				throw error;
			});
		}
	}

	function later(fn, ms) {
		clearTimeoutImpl(timer);
		timer = setTimeoutImpl(() => {
			timer = null;
			if (!closed) {
				fn();
			}
		}, ms);
	}

	// Resolves once the WebSocket handshake in flight, if any, has ended. close() lets it end by
	// itself and closes the socket then: aborted mid-handshake, the browser reports "closed
	// before the connection is established" in the console; and a sign-out waits for this before
	// revoking the session the handshake is checked against.
	let settled = Promise.resolve();

	function shut(closing) {
		try {
			closing.close();
		} catch {
			// Already closed.
		}
	}

	function teardown() {
		if (socket) {
			const closing = socket;
			closing.onmessage = null;
			if (closing.readyState === 0) {                // CONNECTING
				settled = new Promise((resolve) => {
					const done = () => {
						closing.onopen = closing.onclose = closing.onerror = null;
						clearTimeoutImpl(cap);
						resolve();
					};
					const cap = setTimeoutImpl(() => {       // stuck: stop waiting, and abort it
						done();
						shut(closing);
					}, SETTLE_MS);
					closing.onopen = () => {
						done();
						shut(closing);
					};
					closing.onclose = closing.onerror = done;
				});
			} else {
				closing.onopen = closing.onclose = closing.onerror = null;
				shut(closing);
			}
			socket = null;
		}
		if (source) {
			source.onopen = source.onmessage = source.onerror = null;
			source.close();
			source = null;
		}
	}

	// A transport ended. `opened` says whether it had worked: a working one is
	// retried with backoff, one that never opened hands over to the next.
	function failed(opened) {
		teardown();
		if (closed) {
			return;
		}
		const blocked = !opened && !proven.has(order[transportIndex]);
		if (blocked && transportIndex < order.length - 1) {
			transportIndex += 1;
			start();
			return;
		}
		if (blocked && order[transportIndex] !== 'polling') {
			// Nothing further to fall back to: start again from the best one.
			transportIndex = 0;
		}
		const delay = backoffDelay(attempt, random);
		attempt += 1;
		status('reconnecting', { delay });
		later(start, delay);
	}

	function endpoint(scheme) {
		const proto = scheme === 'ws' ? (location.protocol === 'https:' ? 'wss:' : 'ws:') : location.protocol;
		return withLastId(`${proto}//${location.host}${path}`, lastEventId);
	}

	function openWebSocket() {
		let opened = false;
		try {
			socket = new WebSocketImpl(endpoint('ws'), [NCHAN_META]);
		} catch {
			failed(false);
			return;
		}
		socket.onopen = () => {
			opened = true;
			proven.add('websocket');
			attempt = 0;
			status('open');
		};
		socket.onmessage = (event) => {
			if (typeof event.data !== 'string') {
				return;
			}
			if (socket && socket.protocol === NCHAN_META) {
				const frame = parseMetaFrame(event.data);
				deliver(frame.data, frame.id);
			} else {
				deliver(event.data, null);
			}
		};
		socket.onerror = () => {
			// onclose follows and decides.
		};
		socket.onclose = () => {
			failed(opened);
		};
	}

	function openEventSource() {
		let opened = false;
		try {
			source = new EventSourceImpl(withLastId(path, lastEventId), { withCredentials: false });
		} catch {
			failed(false);
			return;
		}
		source.onopen = () => {
			opened = true;
			proven.add('eventsource');
			attempt = 0;
			status('open');
		};
		source.onmessage = (event) => {
			deliver(event.data, event.lastEventId || null);
		};
		source.onerror = () => {
			// The browser retries by itself only while readyState is CONNECTING;
			// we take over so the backoff and the fallback are ours.
			failed(opened);
		};
	}

	async function pollOnce() {
		let answer;
		try {
			answer = await poll(lastEventId);
		} catch {
			answer = null;
		}
		if (closed || order[transportIndex] !== 'polling') {
			return;
		}
		if (answer === null || answer === undefined || answer === false) {
			const delay = backoffDelay(attempt, random);
			attempt += 1;
			status('reconnecting', { delay });
			later(pollOnce, delay);
			return;
		}
		if (attempt > 0) {
			attempt = 0;
			status('polling');
		}
		const events = Array.isArray(answer) ? answer : (answer.events || []);
		for (const item of events) {
			deliver(item, null);
		}
		if (!Array.isArray(answer) && answer.last_event_id) {
			lastEventId = String(answer.last_event_id);
		}
		if (Date.now() - pollSince >= upgradeSeconds * 1000 && order[0] !== 'polling') {
			transportIndex = 0;
			start();
			return;
		}
		later(pollOnce, pollSeconds * 1000);
	}

	function start() {
		if (closed) {
			return;
		}
		const transport = order[transportIndex];
		if (!transport) {
			status('closed', { reason: 'unsupported' });
			return;
		}
		if (transport === 'polling') {
			pollSince = Date.now();
			attempt = 0;
			status('polling');
			pollOnce();
			return;
		}
		status('connecting');
		if (transport === 'websocket') {
			openWebSocket();
		} else {
			openEventSource();
		}
	}

	start();

	return {
		/** Stop for good. The promise resolves when a handshake in flight has ended (at most SETTLE_MS). */
		close() {
			if (!closed) {
				closed = true;
				clearTimeoutImpl(timer);
				teardown();
				status('closed');
			}
			return settled;
		},
		get transport() {
			return order[transportIndex] || null;
		},
		get lastEventId() {
			return lastEventId;
		},
	};
}
