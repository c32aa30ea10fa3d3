// Peer-support events that matter wherever the person is in the app:
// - a helper's pending direct requests (`direct_request.new`), kept in memory
//   for the dashboard (never in storage), with a toast when they arrive;
// - a seeker's post accepted (`session.accepted`): a toast;
// - a direct request declined (`direct_request.declined`): a toast.
// Toasts are left out while the view that shows the same thing is open.
//
//   import { watchPeer, pendingRequests, forgetRequest, onRequestsChange } from '/js/api/peer-watch.js';
//   watchPeer();   // the shell, once signed in (after startEvents)

import { subscribe } from './events.js';
import { onSessionChange } from './client.js';
import { loadArea, t } from '/js/shell/i18n.js';
import { toast } from '/js/shell/toast.js';

const requests = new Map();
const requestListeners = new Set();
let watching = false;

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

/** Remember a request (the dashboard found it) or forget one (accepted, declined, gone). */
export function rememberRequest(post) {
	if (post && post.id && post.status === 'direct_request') {
		requests.set(post.id, post);
		changed();
	}
}

export function forgetRequest(postId) {
	if (requests.delete(postId)) {
		changed();
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
		const session = event.session;
		if (session && session.my_role === 'seeker' && !onPath('/chat') && !onPath('/activity')) {
			notify('notices.accepted', { name: session.helper ? session.helper.display_name : '' });
		}
	});
	subscribe('direct_request.declined', () => {
		if (!onPath('/activity')) {
			notify('notices.declined');
		}
	});
	subscribe('session.ended', (event) => {
		for (const post of requests.values()) {
			if (post.session_id && post.session_id === event.session_id) {
				forgetRequest(post.id);
			}
		}
	});
}
