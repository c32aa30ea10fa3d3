// Idle logoff that mirrors the server's idle timeout.
//
//   import { startIdleWatch } from '/js/api/idle.js';
//   startIdleWatch();          // once, at start-up (the shell does it)
//
// The watch is armed while the API client knows a session (any session
// response arms it and resets the clock; logout, expiry or deletion disarm
// it), so it can be started once and left running.
//
// The server ends a session when no request has reached it for
// session.idle_timeout_seconds (30 min; 15 min for staff). This module:
// - counts the person's own input (keys, pointer, touch, wheel, scroll) as
//   activity, in this tab and in the site's other tabs (BroadcastChannel);
// - while the person is active, sends a light GET /api/auth/session now and
//   then so the server sees the activity too;
// - 2 minutes before the limit opens a modal warning with "Stay signed in"
//   (POST /api/auth/refresh) and "Sign out now";
// - at the limit calls POST /api/auth/logout and emits `astral:signed-out`
//   with reason 'idle'; the shell then shows why and goes to /signin.
// Time is read from Date.now() on a short interval, so a sleeping laptop or a
// throttled background tab is caught up as soon as it runs again.

import { api, currentSession, isSignedIn, onServerContact, onSessionChange, signalSignedOut } from './client.js';
import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { modal } from '/js/components/modal.js';
import { loadArea, t as translate } from '/js/shell/i18n.js';

const TICK_MS = 5000;
const ACTIVITY_THROTTLE_MS = 1000;
const BROADCAST_EVERY_MS = 15000;
// The server records activity at most every 15 s; keep that much in hand.
const SERVER_TOUCH_SLACK_MS = 15000;
const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'touchstart', 'wheel', 'scroll'];
const CHANNEL_NAME = 'astral-idle';

let current = null;

function limitOf(session) {
	const seconds = Number(session && session.session && session.session.idle_timeout_seconds);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30 * 60 * 1000;
}

function formatRemaining(ms) {
	const total = Math.max(0, Math.ceil(ms / 1000));
	const minutes = Math.floor(total / 60);
	const seconds = total % 60;
	return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

// The warning: components/modal.js (the rest of the page is inert, focus is
// trapped inside, focus returns to where it was). Escape means the person is
// here, so it counts as "stay signed in".
function buildWarning(t, { onStay, onLeave }) {
	const body = el('p', {}, t('idle.body'));
	const countdown = el('p', { class: 'idle-countdown' });
	const status = el('p', { class: 'status', role: 'status' });
	const stay = button({ label: t('idle.stay'), onClick: () => onStay() });
	const leave = button({ label: t('idle.leave'), kind: 'secondary', onClick: () => onLeave() });
	let closing = false;
	const handle = modal({
		title: t('idle.title'),
		content: [body, countdown, el('p', { class: 'actions' }, stay, leave), status],
		initialFocus: stay,
		onClose: (result) => {
			if (!closing && result === 'cancel') {
				onStay({ escaped: true });
			}
		},
	});
	body.id = `${handle.element.getAttribute('aria-labelledby')}-body`;
	handle.element.setAttribute('role', 'alertdialog');
	handle.element.setAttribute('aria-describedby', body.id);
	return {
		setRemaining(ms) {
			countdown.textContent = t('idle.countdown', { time: formatRemaining(ms) });
		},
		setStatus(text) {
			status.textContent = text;
		},
		setBusy(busy) {
			stay.disabled = busy;
			leave.disabled = busy;
		},
		close() {
			closing = true;
			handle.close('close');
		},
	};
}

/**
 * Start the idle watch (once; a second call returns the same watch).
 * options (all optional):
 *   session   a SessionResponse to arm with at once (otherwise the next one
 *             the API client sees arms it);
 *   t         the i18n function (default: shell/i18n.js's t; keys idle.* of
 *             the account catalogue, which this module loads);
 *   warnSeconds       how long before the limit the warning opens (120);
 *   keepAliveSeconds  the longest gap between server contacts while the
 *                     person is active (300, or a third of the limit).
 * Returns { stop(), touch(), get armed() }.
 */
export function startIdleWatch({ session = null, t = translate, warnSeconds = 120, keepAliveSeconds = 300 } = {}) {
	if (current) {
		if (session) {
			current.arm(session);
		}
		return current;
	}
	loadArea('account').catch(() => {});
	let armed = false;
	let limit = limitOf(session || currentSession());
	let lastActivity = Date.now();
	let lastContact = Date.now();
	let lastBroadcast = 0;
	let lastInput = 0;
	let warning = null;
	let ending = false;
	let keepAliveInFlight = false;
	let stopped = false;
	const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;

	function keepAliveMs() {
		return Math.min(keepAliveSeconds * 1000, limit / 3);
	}

	function deadline() {
		return Math.min(lastActivity + limit, lastContact + limit - SERVER_TOUCH_SLACK_MS);
	}

	function closeWarning() {
		if (warning) {
			const open = warning;
			warning = null;
			open.close();
		}
	}

	function arm(body) {
		limit = limitOf(body);
		if (!armed || ending) {
			lastActivity = Date.now();
			lastContact = lastActivity;
		}
		armed = true;
		ending = false;
	}

	function disarm() {
		armed = false;
		closeWarning();
	}

	function markActive(at, { fromOtherTab = false } = {}) {
		if (!armed || ending || warning) {
			return;
		}
		lastActivity = Math.max(lastActivity, at);
		if (!fromOtherTab && channel && at - lastBroadcast >= BROADCAST_EVERY_MS) {
			lastBroadcast = at;
			channel.postMessage({ type: 'activity', at });
		}
		if (!fromOtherTab && !keepAliveInFlight && at - lastContact >= keepAliveMs()) {
			keepAliveInFlight = true;
			api.get('/api/auth/session').finally(() => {
				keepAliveInFlight = false;
			});
		}
	}

	function onInput() {
		const now = Date.now();
		if (now - lastInput < ACTIVITY_THROTTLE_MS) {
			return;
		}
		lastInput = now;
		markActive(now);
	}

	async function stay({ escaped = false } = {}) {
		if (!warning || ending) {
			return;
		}
		if (escaped) {
			// The modal closed itself; carry on without it.
			warning = null;
			lastActivity = Date.now();
		} else {
			warning.setBusy(true);
		}
		const result = await api.post('/api/auth/refresh');
		if (stopped || !armed) {
			return;
		}
		if (result.ok) {
			closeWarning();
			lastActivity = Date.now();
			lastContact = lastActivity;
			if (channel) {
				channel.postMessage({ type: 'activity', at: lastActivity });
			}
			return;
		}
		if (result.status === 0) {
			if (warning) {
				warning.setBusy(false);
				warning.setStatus(t('apiErrors.network'));
			}
			return;
		}
		disarm();
		signalSignedOut('session_expired', { force: true });
	}

	async function signOut(reason) {
		if (ending) {
			return;
		}
		ending = true;
		closeWarning();
		await api.post('/api/auth/logout');
		if (channel) {
			channel.postMessage({ type: 'signed-out', reason });
		}
		disarm();
		signalSignedOut(reason, { force: true });
	}

	function tick() {
		if (stopped || !armed || ending) {
			return;
		}
		const remaining = deadline() - Date.now();
		if (remaining <= 0) {
			signOut('idle');
			return;
		}
		if (remaining <= warnSeconds * 1000) {
			if (!warning) {
				warning = buildWarning(t, { onStay: stay, onLeave: () => signOut('signed_out') });
			}
			warning.setRemaining(remaining);
		} else if (warning) {
			// Activity in another tab moved the deadline.
			closeWarning();
		}
	}

	// Every 5 s normally; every second while the warning shows its countdown.
	const slowTimer = window.setInterval(() => {
		if (!warning) {
			tick();
		}
	}, TICK_MS);
	const fastTimer = window.setInterval(() => {
		if (warning) {
			tick();
		}
	}, 1000);

	function onVisible() {
		if (document.visibilityState === 'visible') {
			tick();
		}
	}

	function onChannel(event) {
		const message = event.data || {};
		if (!armed) {
			return;
		}
		if (message.type === 'activity' && Number.isFinite(message.at)) {
			if (warning && message.at > lastActivity) {
				lastActivity = message.at;
				tick();
				return;
			}
			markActive(message.at, { fromOtherTab: true });
		} else if (message.type === 'signed-out' && !ending) {
			disarm();
			signalSignedOut(message.reason === 'idle' ? 'idle' : 'signed_out', { force: true });
		}
	}

	const stopContact = onServerContact(() => {
		lastContact = Date.now();
	});
	const stopSession = onSessionChange((body) => {
		if (body) {
			arm(body);
		} else {
			disarm();
		}
	});
	for (const name of ACTIVITY_EVENTS) {
		window.addEventListener(name, onInput, { capture: true, passive: true });
	}
	document.addEventListener('visibilitychange', onVisible);
	window.addEventListener('focus', onVisible);
	if (channel) {
		channel.addEventListener('message', onChannel);
	}
	if (session || isSignedIn()) {
		arm(session || currentSession());
	}

	function stop() {
		if (stopped) {
			return;
		}
		stopped = true;
		disarm();
		window.clearInterval(slowTimer);
		window.clearInterval(fastTimer);
		stopContact();
		stopSession();
		for (const name of ACTIVITY_EVENTS) {
			window.removeEventListener(name, onInput, { capture: true });
		}
		document.removeEventListener('visibilitychange', onVisible);
		window.removeEventListener('focus', onVisible);
		if (channel) {
			channel.removeEventListener('message', onChannel);
			channel.close();
		}
		current = null;
	}

	current = {
		stop,
		arm,
		// Count something other than input as activity (e.g. a long upload).
		touch: () => markActive(Date.now()),
		get armed() {
			return armed;
		},
	};
	return current;
}

/** Stop the running watch, if any. */
export function stopIdleWatch() {
	if (current) {
		current.stop();
	}
}
