// Peer-support events that matter wherever the person is in the app:
// - a helper's pending direct requests (`direct_request.new`), kept in memory
//   for the dashboard (never in storage), with a toast when they arrive;
// - a seeker's post accepted (`session.accepted`): a toast;
// - a direct request declined (`direct_request.declined`): a toast.
// - a helper's achievement earned (`achievement.unlocked`, an accept or a
//   seeker's kudos): a toast naming it.
// Toasts are left out while the view that shows the same thing is open.
// syncRequests() makes the kept requests the server's pending ones: the
// dashboard calls it when it opens, and for a helper it runs on each `resync`
// of an open stream (api/events.js), so a request whose event never came
// still arrives, toasted as its event would be, within a minute.
// In the same way, the ids of the person's active help sessions are read when
// the stream opens and again on each `resync`: one that appeared meanwhile,
// in which they are the seeker, is toasted as its `session.accepted` would
// have been. The same read sums their unread messages (unreadCount(), for
// the dot on My activity / Dashboard in the header); a message from the other
// side in a chat not open reads them again (a second later, once per burst),
// and so does the chat view once it has marked what it showed as read while
// the count is above zero (readMarked()).
//
//   import { watchPeer, pendingRequests, forgetRequest, onRequestsChange, syncRequests, unreadCount, onUnreadChange,
//            readMarked } from '/js/api/peer-watch.js';
//   watchPeer();   // the shell, once signed in (after startEvents)

import { onEventsStatus, subscribe } from './events.js';
import { currentSession, onSessionChange } from './client.js';
import { peer } from './peer.js';
import { loadArea, message, t } from '/js/shell/i18n.js';
import { toast } from '/js/shell/toast.js';

const requests = new Map();
const requestListeners = new Set();
let watching = false;
let synced = false;        // the kept requests have been matched with the server's once
let activeSessions = null; // ids of my active help sessions the page knows of; null until read
let unread = 0;            // unread messages from the other side in my active help sessions
const unreadListeners = new Set();
let unreadTimer = null;

function changed() {
	for (const fn of requestListeners) {
		try {
			fn(pendingRequests());
		} catch (error) {
			console.error(error);
		}
	}
}

function onPath(prefix) {
	return window.location.pathname === prefix || window.location.pathname.startsWith(`${prefix}/`);
}

async function notify(key, vars = {}) {
	await loadArea('peer');
	toast(t(key, vars), 'info');
}

/** The direct requests received since the page loaded and not yet answered, newest first. */
export function pendingRequests() {
	return [...requests.values()].reverse();
}

/** Forget a request (accepted, declined, gone). */
export function forgetRequest(postId) {
	if (requests.delete(postId)) {
		changed();
	}
}

/**
 * Make the kept requests the server's pending ones: those answered elsewhere
 * go, those not kept join. Resolves to the requests that joined (only those
 * arriving after a first match with the server), or null when the server
 * could not say.
 */
export async function syncRequests() {
	const result = await peer.requestsToMe({ limit: 100 });
	if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
		return null;
	}
	const waitingIds = new Set(result.body.items.map((post) => post.id));
	for (const post of pendingRequests()) {
		if (!waitingIds.has(post.id)) {
			requests.delete(post.id);
		}
	}
	const joined = [];
	for (const post of [...result.body.items].reverse()) {
		if (post && post.id && post.status === 'direct_request') {
			if (!requests.has(post.id)) {
				joined.push(post);
			}
			requests.set(post.id, post);
		}
	}
	const first = !synced;
	synced = true;
	changed();
	return first ? [] : joined;
}

function setUnread(count) {
	if (count === unread) {
		return;
	}
	unread = count;
	for (const fn of unreadListeners) {
		try {
			fn(unread);
		} catch (error) {
			console.error(error);
		}
	}
}

/** Unread messages in my active help sessions, as last read from the server. */
export function unreadCount() {
	return unread;
}

/** Call fn(count) whenever unreadCount() changes; returns an unsubscribe. */
export function onUnreadChange(fn) {
	unreadListeners.add(fn);
	return () => unreadListeners.delete(fn);
}

/**
 * Read my active help sessions again. Resolves to those the page did not know
 * of (none the first time: that read takes stock), or null when the server
 * could not say. Their unread messages make unreadCount().
 */
async function syncActiveSessions() {
	const result = await peer.sessions({ status: 'active', limit: 100 });
	if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
		return null;
	}
	const before = activeSessions;
	activeSessions = new Set(result.body.items.map((session) => session.id));
	setUnread(result.body.items.reduce((sum, session) => sum + (Number(session.unread) || 0), 0));
	return before ? result.body.items.filter((session) => !before.has(session.id)) : [];
}

/**
 * The chat view marked messages read. The count can only have gone down: read it again only while
 * it is above zero, so that an open chat's messages cost no extra request.
 */
export function readMarked() {
	if (unread > 0) {
		refreshUnread(0);
	}
}

/** Read the unread count again soon (a burst of messages or read marks makes one read). */
function refreshUnread(delayMs = 1000) {
	if (!watching) {
		return;
	}
	clearTimeout(unreadTimer);
	unreadTimer = setTimeout(() => {
		syncActiveSessions();
	}, delayMs);
}

function toastAccepted(session) {
	if (session && session.my_role === 'seeker' && !onPath('/chat') && !onPath('/activity')) {
		notify('notices.accepted', { name: session.helper ? session.helper.display_name : '' });
	}
}

/** Call fn(list) whenever the pending requests change; returns an unsubscribe. */
export function onRequestsChange(fn) {
	requestListeners.add(fn);
	return () => requestListeners.delete(fn);
}

export function watchPeer() {
	if (watching) {
		return;
	}
	watching = true;
	let userId = null;
	onSessionChange((session) => {
		const id = session && session.user ? session.user.id : null;
		if (id !== userId) {
			userId = id;
			requests.clear();
			synced = false;
			activeSessions = null;
			setUnread(0);
			changed();
		}
	});
	subscribe('direct_request.new', (event) => {
		if (!event.post || !event.post.id) {
			return;
		}
		requests.delete(event.post.id);
		requests.set(event.post.id, { ...event.post, status: event.post.status || 'direct_request' });
		changed();
		if (window.location.pathname.replace(/\/+$/, '') !== '/helper') {
			notify('notices.directRequest');
		}
	});
	subscribe('session.accepted', (event) => {
		if (event.session && activeSessions) {
			activeSessions.add(event.session.id);
		}
		toastAccepted(event.session);
	});
	subscribe('achievement.unlocked', async (event) => {
		await loadArea('peer');
		for (const id of Array.isArray(event.achievements) ? event.achievements : []) {
			const key = `achievements.${id}.name`;
			toast(t('notices.achievement', { name: typeof message(key) === 'string' ? t(key) : String(id) }), 'success');
		}
	});
	subscribe('direct_request.declined', () => {
		if (!onPath('/activity')) {
			notify('notices.declined');
		}
	});
	onEventsStatus((status) => {
		if (status.state === 'open' && activeSessions === null) {
			syncActiveSessions();
		}
	});
	subscribe('resync', async () => {
		for (const session of await syncActiveSessions() || []) {
			toastAccepted(session);
		}
		const session = currentSession();
		if (!session || !session.user || session.user.role !== 'helper') {
			return;
		}
		const joined = await syncRequests();
		if (joined && joined.length && window.location.pathname.replace(/\/+$/, '') !== '/helper') {
			notify('notices.directRequest');
		}
	});
	subscribe('message.new', (event) => {
		if (event.message && !event.message.mine && !onPath(`/chat/${event.session_id}`)) {
			refreshUnread();
		}
	});
	subscribe('session.ended', (event) => {
		if (activeSessions) {
			activeSessions.delete(event.session_id);
		}
		refreshUnread();
		for (const post of requests.values()) {
			if (post.session_id && post.session_id === event.session_id) {
				forgetRequest(post.id);
			}
		}
	});
}
