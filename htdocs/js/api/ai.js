// The AI API (docs/ai-api-contract.md) as small functions over the JSON client
// (client.js): each returns the client's result
// { status, ok, body, fieldErrors, error, retryAfter } and never throws.
//
//   import { ai, aiStatus, aiEnabled } from '/js/api/ai.js';
//   if (aiEnabled(await aiStatus())) { … }
//   const result = await ai.chatStream('Hello', { onToken, onReplace, onDone });
//
// - aiStatus() keeps GET /api/ai/status for the signed-in user for the life of
//   the page (one request however many views ask); { fresh: true } asks again.
//   A failed answer counts as "not available": every AI feature stays hidden.
// - chatStream() is POST /api/ai/chat with Accept: text/event-stream. It reads
//   the events as they arrive (an event may be split across chunks, or a chunk
//   hold several) and calls onToken(text) for each `token`, onReplace(text) for
//   a `replace` and onDone(answer) for `done` (the same object as the JSON
//   answer). An answer in JSON (the errors, before any event, or a server that
//   does not stream) is returned as it is, and a 200 in JSON goes to onDone too.
//   The CSRF token and the one refresh-and-retry on an expired access token are
//   those of client.js, as for the video upload (wellness.js).
// - Model text is untrusted: views put it in the page with textContent only.

import { api, buildResult, currentSession, onSessionChange, parseRetryAfter, signalSignedOut } from './client.js';

export const AI_MESSAGE_MAX = 2000;
export const AI_MESSAGE_WARN = 1900;
export const QUOTA_ACTIONS = ['chat', 'draft_post', 'summarize', 'guidance', 'match', 'feedback'];

const CHAT_PATH = '/api/ai/chat';
const ENDED_CODES = new Set(['session_expired', 'token_reused']);

// ------------------------------------------------------------------ status

let cached = null;   // { userId, promise }

function userIdNow() {
	const session = currentSession();
	return session && session.user ? session.user.id : null;
}

onSessionChange((session) => {
	const userId = session && session.user ? session.user.id : null;
	if (!cached || cached.userId !== userId) {
		cached = null;
	}
});

/**
 * The AI status for the signed-in user (the body of GET /api/ai/status), or
 * null when signed out or when the request failed.
 */
export function aiStatus({ fresh = false } = {}) {
	const userId = userIdNow();
	if (!userId) {
		return Promise.resolve(null);
	}
	if (!fresh && cached && cached.userId === userId) {
		return cached.promise;
	}
	const entry = { userId, promise: null };
	entry.promise = api.get('/api/ai/status').then((result) => {
		// No answer at all (offline): ask again next time rather than keep "not available".
		if (result.status === 0 && cached === entry) {
			cached = null;
		}
		return result.ok && result.body ? result.body : null;
	}).catch(() => null);
	cached = entry;
	return entry.promise;
}

/** True when a status says the AI features are on (any provider but none, and available). */
export function aiEnabled(status) {
	return Boolean(status && status.provider && status.provider !== 'none' && status.available === true);
}

// ------------------------------------------------------------------ server-sent events

/**
 * A parser of a text/event-stream: push(text) as the chunks arrive (any split),
 * end() when the stream ends. onEvent(name, data) gets each complete event:
 * name ('message' when the event has none) and data (the JSON of its data
 * lines, or the raw text when it is not JSON).
 */
export function sseParser(onEvent) {
	let buffer = '';
	let name = '';
	let data = [];

	function dispatch() {
		if (!data.length && !name) {
			return;
		}
		const raw = data.join('\n');
		let parsed = raw;
		try {
			parsed = raw ? JSON.parse(raw) : null;
		} catch {
			parsed = raw;
		}
		const event = name || 'message';
		name = '';
		data = [];
		onEvent(event, parsed);
	}

	function line(text) {
		if (text === '') {
			dispatch();
			return;
		}
		if (text.startsWith(':')) {
			return;
		}
		const colon = text.indexOf(':');
		const field = colon < 0 ? text : text.slice(0, colon);
		let value = colon < 0 ? '' : text.slice(colon + 1);
		if (value.startsWith(' ')) {
			value = value.slice(1);
		}
		if (field === 'event') {
			name = value;
		} else if (field === 'data') {
			data.push(value);
		}
	}

	function drain(final) {
		for (;;) {
			const match = /\r\n|\r|\n/.exec(buffer);
			if (!match) {
				break;
			}
			// A lone \r at the end of a chunk may be the first half of \r\n.
			if (match[0] === '\r' && match.index === buffer.length - 1 && !final) {
				break;
			}
			line(buffer.slice(0, match.index));
			buffer = buffer.slice(match.index + match[0].length);
		}
	}

	return {
		push(text) {
			buffer += text;
			drain(false);
		},
		end() {
			drain(true);
			if (buffer) {
				line(buffer);
				buffer = '';
			}
			dispatch();
		},
	};
}

// ------------------------------------------------------------------ the streamed chat

function failed(code) {
	const result = buildResult(0, null);
	result.error = { code, message: '' };
	return result;
}

async function streamOnce(message, { onToken, onReplace, onDone, signal }) {
	const headers = { Accept: 'text/event-stream', 'Content-Type': 'application/json' };
	const session = currentSession();
	if (session && session.csrf_token) {
		headers['X-CSRF-Token'] = session.csrf_token;
	}
	let response;
	try {
		response = await fetch(CHAT_PATH, {
			method: 'POST',
			headers,
			body: JSON.stringify({ message }),
			credentials: 'same-origin',
			cache: 'no-store',
			signal,
		});
	} catch {
		return failed(signal && signal.aborted ? 'aborted' : 'network');
	}
	const type = (response.headers.get('Content-Type') || '').toLowerCase();
	const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));

	if (!type.includes('text/event-stream')) {
		let body = null;
		if (response.status !== 204 && type.includes('application/json')) {
			try {
				body = await response.json();
			} catch {
				body = null;
			}
		}
		const result = buildResult(response.status, body, retryAfter);
		if (result.ok && body && body.reply && onDone) {
			onDone(body);
		}
		return result;
	}

	let answer = null;
	const parser = sseParser((event, data) => {
		const text = data && typeof data === 'object' && typeof data.text === 'string' ? data.text : '';
		if (event === 'token') {
			if (onToken && text) {
				onToken(text);
			}
		} else if (event === 'replace') {
			if (onReplace) {
				onReplace(text);
			}
		} else if (event === 'done' && data && typeof data === 'object') {
			answer = data;
			if (onDone) {
				onDone(data);
			}
		}
	});
	if (!response.body || typeof response.body.getReader !== 'function') {
		parser.push(await response.text());
		parser.end();
	} else {
		const reader = response.body.getReader();
		const decoder = new TextDecoder();
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) {
					break;
				}
				parser.push(decoder.decode(value, { stream: true }));
				if (answer) {
					break;
				}
			}
			parser.push(decoder.decode());
			parser.end();
		} catch {
			if (!answer) {
				return failed(signal && signal.aborted ? 'aborted' : 'stream_cut');
			}
		} finally {
			reader.cancel().catch(() => undefined);
		}
	}
	// A stream that ended without `done` was cut off: what arrived is not the reply.
	return answer ? buildResult(response.status, answer) : failed('stream_cut');
}

/**
 * POST /api/ai/chat, streamed. callbacks: { onToken(text), onReplace(text),
 * onDone(answer), signal }. Resolves to the client's result: body is the
 * `done` answer on success. Failed before any event: the error of the JSON
 * answer (429 with retryAfter, 503, 403, …). Cut off mid-stream: status 0,
 * error.code 'stream_cut' ('aborted' after signal, 'network' for no answer).
 */
export async function chatStream(message, callbacks = {}) {
	let result = await streamOnce(message, callbacks);
	let code = result.error ? result.error.code : null;
	if (result.status === 401 && code === 'unauthorized') {
		const refreshed = await api.post('/api/auth/refresh');
		if (refreshed.ok) {
			result = await streamOnce(message, callbacks);
			code = result.error ? result.error.code : null;
		} else if (refreshed.status !== 0) {
			// An ended session on the refresh was announced by client.js already.
			if (!(refreshed.error && ENDED_CODES.has(refreshed.error.code))) {
				signalSignedOut('session_expired');
			}
			return result;
		}
	}
	if (result.status === 401 && ENDED_CODES.has(code)) {
		signalSignedOut(code, { force: true });
	}
	if (result.status === 403 && code === 'mfa_required') {
		window.dispatchEvent(new CustomEvent('astral:mfa-required', { detail: { path: CHAT_PATH } }));
	}
	return result;
}

// ------------------------------------------------------------------ the routes

/** POST /api/ai/age-confirmation; the status kept for the page is asked again afterwards. */
async function confirmAge(adult) {
	const result = await api.post('/api/ai/age-confirmation', { adult: Boolean(adult) });
	if (result.ok) {
		cached = null;
	}
	return result;
}

export const ai = {
	status: () => api.get('/api/ai/status'),
	confirmAge,

	// The companion.
	chat: (message) => api.post(CHAT_PATH, { message }),
	chatStream,
	history: () => api.get('/api/ai/history'),
	clearHistory: () => api.del('/api/ai/history'),

	// For a seeker: a draft post from the conversation (reviewed and posted by the person).
	draftPost: () => api.post('/api/ai/draft-post', {}),

	// For helpers and participants.
	summarizePost: (postId) => api.post('/api/ai/summarize-post', { post_id: postId }),
	summarizeSession: (sessionId) => api.post('/api/ai/summarize-session', { session_id: sessionId }),
	guidance: (sessionId, messageId) => api.post('/api/ai/guidance', { session_id: sessionId, message_id: messageId }),
	match: () => api.post('/api/ai/match', {}),
	helperFeedback: (sessionId) => api.post('/api/ai/helper-feedback', { session_id: sessionId }),
};

export default ai;
