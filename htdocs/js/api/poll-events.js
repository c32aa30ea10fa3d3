// Real time by polling, for a server without an event stream (behind Apache,
// GET /api/rt/connect answers {"transport":"polling"}) or when no streaming
// transport gets through: every few seconds, fetch the lists whose changes the
// stream would have announced and turn the differences into the same events.
//
//   import { createPollSource } from '/js/api/poll-events.js';
//   const poll = createPollSource({ session });   // the SessionResponse
//   const events = await poll();                 // [] the first time (it takes stock)
//
//   - my active help sessions (GET /api/sessions?status=active): a new one →
//     session.accepted; one gone → session.ended (with its ended_by, read once);
//     more unread → each new message to me (GET …/messages) as message.new;
//     the other participant typing lately (other_typing) → typing, at each poll
//     while it lasts;
//   - helpers: the direct requests to me (GET /api/posts/requests) → direct_request.new;
//   - moderators and admins with two-step sign-in: the open crisis alerts
//     (GET /api/moderation/alerts?status=open) → alert.new.
// poll() resolves to null when the server could not be reached (the caller
// backs off), else to the events, oldest first.

import { api } from './client.js';

const SESSION_LIMIT = 100;
const MESSAGE_LIMIT = 100;
const LIST_LIMIT = 50;
const STAFF = new Set(['moderator', 'admin']);

function items(result) {
	return result.ok && result.body && Array.isArray(result.body.items) ? result.body.items : null;
}

function at() {
	return new Date().toISOString();
}

/** The other side of a conversation from mine. */
function otherRole(myRole) {
	return myRole === 'seeker' ? 'helper' : 'seeker';
}

/** Ids of a list, in order. */
function ids(list) {
	return new Set(list.map((item) => item.id));
}

export function createPollSource({ session, get = api.get } = {}) {
	const user = session && session.user ? session.user : {};
	const role = user.role || '';
	const mfa = Boolean(session && session.session && session.session.mfa);
	let sessions = null;                      // id → { unread }
	let requests = null;                      // Set of post ids
	let alerts = null;                        // Set of alert ids
	const announced = new Map();              // session id → Set of message ids already given

	async function endedEvent(sessionId) {
		const result = await get(`/api/sessions/${encodeURIComponent(sessionId)}`);
		const endedBy = result.ok && result.body ? result.body.ended_by : null;
		return { type: 'session.ended', at: at(), session_id: sessionId, ended_by: endedBy || null };
	}

	async function newMessages(sessionId, grown) {
		const limit = Math.min(MESSAGE_LIMIT, grown + 20);
		const result = await get(`/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=${limit}`);
		const list = items(result) || [];
		const seen = announced.get(sessionId) || new Set();
		announced.set(sessionId, seen);
		const out = [];
		for (const message of list) {
			if (!message.mine && !message.read && !seen.has(message.id)) {
				seen.add(message.id);
				out.push({ type: 'message.new', at: at(), session_id: sessionId, message });
			}
		}
		return out;
	}

	async function sessionEvents() {
		const result = await get(`/api/sessions?status=active&limit=${SESSION_LIMIT}`);
		const list = items(result);
		if (!list) {
			return result.status === 0 ? null : [];
		}
		const now = new Map(list.map((s) => [s.id, { unread: Number(s.unread) || 0 }]));
		const before = sessions;
		sessions = now;
		if (!before) {
			return [];
		}
		const out = [];
		for (const item of list) {
			const was = before.get(item.id);
			if (!was) {
				out.push({ type: 'session.accepted', at: at(), session: item });
			}
			const grown = (Number(item.unread) || 0) - (was ? was.unread : 0);
			if (grown > 0) {
				out.push(...await newMessages(item.id, grown));
			}
			if (item.other_typing === true) {
				out.push({ type: 'typing', at: at(), session_id: item.id, sender_role: otherRole(item.my_role) });
			}
		}
		for (const id of before.keys()) {
			if (!now.has(id)) {
				announced.delete(id);
				out.push(await endedEvent(id));
			}
		}
		return out;
	}

	async function requestEvents() {
		const list = items(await get(`/api/posts/requests?limit=${LIST_LIMIT}`));
		if (!list) {
			return [];
		}
		const before = requests;
		requests = ids(list);
		if (!before) {
			return [];
		}
		return list.filter((post) => !before.has(post.id)).reverse()
			.map((post) => ({ type: 'direct_request.new', at: at(), post }));
	}

	async function alertEvents() {
		const list = items(await get(`/api/moderation/alerts?status=open&limit=${LIST_LIMIT}`));
		if (!list) {
			return [];
		}
		const before = alerts;
		alerts = ids(list);
		if (!before) {
			return [];
		}
		return list.filter((alert) => !before.has(alert.id)).map((alert) => ({
			type: 'alert.new',
			at: at(),
			alert: { id: alert.id, severity: alert.severity, source: alert.source, created_at: alert.created_at },
		}));
	}

	return async function poll() {
		const out = await sessionEvents();
		if (out === null) {
			return null;
		}
		if (role === 'helper') {
			out.push(...await requestEvents());
		}
		if (STAFF.has(role) && mfa) {
			out.push(...await alertEvents());
		}
		return out;
	};
}
