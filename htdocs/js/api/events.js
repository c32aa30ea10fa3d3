// The one real-time connection of a signed-in page, shared by every view.
//
//   import { startEvents, subscribe, onEventsStatus } from '/js/api/events.js';
//   startEvents();                          // the shell, once signed in
//   const off = subscribe('message.new', (event) => { ... });
//   const offStatus = onEventsStatus((status) => {
//     if (status.state === 'open') { /* refetch …?after=<last id> and merge by id */ }
//   });
//   off(); offStatus();                      // in the view's dispose()
//
// It asks the server first (GET /api/rt/connect?probe=true) whether it streams
// events at all, then opens /api/rt/connect through realtime.js (WebSocket,
// then EventSource, then polling) for the user the API client knows, follows
// that user (a new sign-in reconnects, sign-out closes) and hands each event (a
// JSON object with `type`) to the subscribers of its type and of '*'. A server
// without nchan (behind Apache) answers {"transport":"polling"}: then no stream
// is tried (nothing fails in the console) and realtime.js polls at once. While
// polling, every poll_seconds, poll-events.js turns changes in the lists into
// the same events (message.new, session.accepted, session.ended, alert.new, …)
// and the subscribers of 'poll' are called so views can refetch what they show
// (…/messages?after=).
// An open stream can stay open and bring nothing (a publish lost while the
// real-time store was down; nchan 1.3.6 leaves a stream deaf after a Redis
// outage: docs/scaling.md). So while a stream is open, every RESYNC_MS and
// whenever the page comes back into view, the subscribers of 'resync' are
// called to fetch again what they show, as 'poll' subscribers are on each tick.
// When a stream that was open drops, the session is checked once
// (GET /api/auth/session): a session that has ended signs the page out
// through the API client instead of reconnecting. A sign-out in this page
// closes the stream before it asks the server to end the session.

import { connect } from './realtime.js';
import { api, currentSession, onBeforeLogout, onSessionChange } from './client.js';
import { createPollSource } from './poll-events.js';

const POLL_SECONDS = 5;
const CHECK_DELAY_MS = 250;
const RESYNC_MS = 60000;

const listeners = new Map();
const statusListeners = new Set();
let connection = null;
let userId = null;
let status = { state: 'closed', transport: null };
let wasOpen = false;
let watching = false;
let opening = 0;          // counts open() calls: a probe answered after a newer one is dropped
let resyncTimer = null;

function emit(type, data) {
	for (const key of [type, '*']) {
		for (const fn of listeners.get(key) || []) {
			try {
				fn(data);
			} catch (error) {
				console.error(error);
			}
		}
	}
}

function setStatus(next) {
	status = { state: next.state, transport: next.transport || null };
	if (next.state === 'open') {
		wasOpen = true;
	}
	if (next.state === 'reconnecting' && wasOpen) {
		wasOpen = false;
		checkSession();
	}
	for (const fn of statusListeners) {
		try {
			fn(status);
		} catch (error) {
			console.error(error);
		}
	}
}

// 'resync' to the views while a stream is open and the page is in view.
function resync() {
	if (status.state === 'open' && document.visibilityState === 'visible') {
		emit('resync', { type: 'resync' });
	}
}

// A moment after the drop (a sign-out in this page closes the stream too, and
// its answer should be in first), unless the connection was closed or came
// back meanwhile: the client refreshes the access token if it has to, and
// signs the page out (onSessionChange(null) → stopEvents) when the session is over.
function checkSession() {
	const current = connection;
	setTimeout(() => {
		if (connection === current && connection && status.state !== 'open') {
			api.get('/api/auth/session');
		}
	}, CHECK_DELAY_MS);
}

// What the server says about its event stream: { transport: 'nchan' } or
// { transport: 'polling', poll_seconds }; null when it could not be asked (the
// transports are then tried in turn).
async function probe() {
	const result = await api.get('/api/rt/connect?probe=true');
	return result.ok && result.body && typeof result.body.transport === 'string' ? result.body : null;
}

async function open(id) {
	userId = id;
	wasOpen = false;
	const mine = ++opening;
	const answer = await probe();
	if (mine !== opening || userId !== id) {
		return;                                    // signed out or switched meanwhile
	}
	const polling = Boolean(answer && answer.transport === 'polling');
	const seconds = polling && Number(answer.poll_seconds) > 0 ? Number(answer.poll_seconds) : POLL_SECONDS;
	const pollEvents = createPollSource({ session: currentSession() });
	connection = connect({
		onEvent(data) {
			if (data && typeof data === 'object' && typeof data.type === 'string') {
				emit(data.type, data);
			}
		},
		onStatus: setStatus,
		poll: async () => {
			const events = await pollEvents();
			emit('poll', { type: 'poll' });
			return events;
		},
		pollSeconds: seconds,
		// No stream to try: polling from the start.
		...(polling ? { WebSocketImpl: null, EventSourceImpl: null } : {}),
	});
	clearInterval(resyncTimer);
	resyncTimer = setInterval(resync, RESYNC_MS);
}

/**
 * Close the connection (sign-out); subscribers stay for the next one. The
 * promise resolves when a handshake in flight has ended (realtime.js close()).
 */
export function stopEvents() {
	opening += 1;
	let settled = Promise.resolve();
	if (connection) {
		const closing = connection;
		connection = null;
		settled = closing.close();
	}
	clearInterval(resyncTimer);
	resyncTimer = null;
	userId = null;
	return settled;
}

/**
 * Open the connection for the signed-in user (from the API client's last
 * session) and follow later sign-ins and sign-outs. Safe to call again.
 */
export function startEvents() {
	if (!watching) {
		watching = true;
		onBeforeLogout(stopEvents);
		document.addEventListener('visibilitychange', resync);
		onSessionChange((session) => {
			const id = session && session.user ? session.user.id : null;
			if (id !== userId) {
				stopEvents();
				if (id) {
					open(id);
				}
			}
		});
	}
	const session = currentSession();
	const id = session && session.user ? session.user.id : null;
	if (id && id !== userId) {
		stopEvents();
		open(id);
	}
}

/**
 * Call fn(event) for each event of type ('*': every event; 'poll': a polling
 * tick; 'resync': a minute of an open stream, or the page back in view).
 */
export function subscribe(type, fn) {
	if (!listeners.has(type)) {
		listeners.set(type, new Set());
	}
	listeners.get(type).add(fn);
	return () => listeners.get(type).delete(fn);
}

/** Call fn({state, transport}) now and on every change; returns an unsubscribe. */
export function onEventsStatus(fn) {
	statusListeners.add(fn);
	fn(status);
	return () => statusListeners.delete(fn);
}

/** The connection's state now: { state, transport }. */
export function eventsStatus() {
	return status;
}
