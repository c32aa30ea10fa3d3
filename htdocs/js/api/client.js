// The Astral Core JSON API client used by every view.
//
//   import { api, applyFieldErrors, errorKey } from '/js/api/client.js';
//   const result = await api.post('/api/me/consents', { document, version });
//   // result = { status, ok, body, fieldErrors, error, retryAfter }
//
// - JSON in and out; cookies for this origin only (credentials: 'same-origin').
// - The CSRF token of the last session response is kept in memory (never in
//   storage) and sent as X-CSRF-Token on POST, PUT and DELETE.
// - A 401 `unauthorized` on a signed-in route makes one POST /api/auth/refresh
//   (shared by parallel callers) and one retry of the request.
// - When the session is over (401 `session_expired` or `token_reused`, or a
//   refresh that fails) it emits `astral:signed-out` on window with detail
//   { reason }: 'idle' (session_expired before the absolute end),
//   'session_expired' or 'token_reused'. A failed refresh without either code
//   emits only when the page believed it was signed in.
// - A 403 `mfa_required` (a staff session without two-step sign-in) emits
//   `astral:mfa-required` on window (detail { path }).
// - Every session response seen is announced as `astral:session` on window
//   (detail: the SessionResponse) so the idle timer and the shell stay current.
// - It never throws on HTTP errors; a network failure is status 0 with
//   error.code 'network'.

// Relative, so that Node (the Apache front's poll driver, tests/integration/test_apache_front.py) loads it too.
import { message } from '../shell/i18n.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REFRESH_PATH = '/api/auth/refresh';
const LOGOUT_PATH = '/api/auth/logout';

// Routes where a 401 is an answer about the credentials sent, not about an
// expired access token: never refresh-and-retry these.
const NO_REFRESH = new Set([
	REFRESH_PATH,
	LOGOUT_PATH,
	'/api/auth/anonymous',
	'/api/auth/login',
	'/api/auth/recover',
	'/api/auth/register',
]);

const ENDED_CODES = new Set(['session_expired', 'token_reused']);

let csrfToken = null;
let signedIn = false;
let lastSession = null;
let refreshInFlight = null;
const activityListeners = new Set();
const sessionListeners = new Set();

function notifySession(body) {
	for (const fn of sessionListeners) {
		try {
			fn(body);
		} catch (error) {
			console.error(error);
		}
	}
}

export function parseRetryAfter(value) {
	if (!value) {
		return null;
	}
	const text = value.trim();
	if (/^\d+$/.test(text)) {
		return Number.parseInt(text, 10);
	}
	const when = Date.parse(text);
	return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

function isSessionResponse(body) {
	return Boolean(body && typeof body === 'object' && body.user && body.session &&
		typeof body.csrf_token === 'string');
}

function emit(name, detail) {
	window.dispatchEvent(new CustomEvent(name, { detail }));
}

/** Remember a SessionResponse (CSRF token, signed-in state) and announce it. */
export function rememberSession(body) {
	if (!isSessionResponse(body)) {
		return;
	}
	csrfToken = body.csrf_token;
	signedIn = true;
	lastSession = body;
	notifySession(body);
	emit('astral:session', body);
}

/** Forget the session held in memory (after logout, deletion or expiry). */
export function forgetSession() {
	const was = signedIn;
	csrfToken = null;
	signedIn = false;
	lastSession = null;
	if (was) {
		notifySession(null);
	}
}

/**
 * Call fn(session) whenever a session response arrives and fn(null) when the
 * session is forgotten (logout, expiry, deletion). Returns an unsubscribe.
 */
export function onSessionChange(fn) {
	sessionListeners.add(fn);
	return () => sessionListeners.delete(fn);
}

const beforeLogout = new Set();

/**
 * Call fn() before this page asks the server to end the session, and wait for
 * the promise it returns: the real-time stream closes first, so that it neither
 * reconnects nor finishes a handshake against a session already ended (each of
 * which fails in the console). Returns an unsubscribe.
 */
export function onBeforeLogout(fn) {
	beforeLogout.add(fn);
	return () => beforeLogout.delete(fn);
}

/** The last SessionResponse seen (null when signed out). */
export function currentSession() {
	return lastSession;
}

/** True when the last answer the client saw said the user is signed in. */
export function isSignedIn() {
	return signedIn;
}

/**
 * End the session in this page and tell the shell why, with the event
 * `astral:signed-out` (detail { reason }).
 * reason: 'idle' | 'session_expired' | 'token_reused' | 'signed_out' | 'deleted'.
 * The event is sent only when the page believed it was signed in, unless
 * options.force is true (the caller knows a session just ended).
 */
export function signalSignedOut(reason, { force = false } = {}) {
	const was = signedIn;
	forgetSession();
	if (was || force) {
		emit('astral:signed-out', { reason });
	}
}

/** Call fn() after every request that reached the server (idle.js uses it). */
export function onServerContact(fn) {
	activityListeners.add(fn);
	return () => activityListeners.delete(fn);
}

export function buildResult(status, body, retryAfter = null) {
	const error = body && typeof body === 'object' && body.error && typeof body.error === 'object'
		? body.error
		: null;
	const fields = error && error.fields && typeof error.fields === 'object' ? error.fields : {};
	return {
		status,
		ok: status >= 200 && status < 300,
		body,
		fieldErrors: fields,
		error: error
			? { code: String(error.code || ''), message: String(error.message || ''), reason: String(error.reason || '') }
			: null,
		retryAfter,
	};
}

async function send(method, path, body) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (body !== undefined && body !== null) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (UNSAFE.has(method) && csrfToken) {
		headers['X-CSRF-Token'] = csrfToken;
	}
	let response;
	try {
		response = await fetch(path, init);
	} catch {
		const result = buildResult(0, null, null);
		result.error = { code: 'network', message: '' };
		return result;
	}
	for (const fn of activityListeners) {
		fn();
	}
	let parsed = null;
	const type = response.headers.get('Content-Type') || '';
	if (response.status !== 204 && type.includes('application/json')) {
		try {
			parsed = await response.json();
		} catch {
			parsed = null;
		}
	}
	rememberSession(parsed);
	return buildResult(response.status, parsed, parseRetryAfter(response.headers.get('Retry-After')));
}

// One refresh at a time: parallel 401s share the same attempt.
function refreshOnce() {
	if (!refreshInFlight) {
		refreshInFlight = send('POST', REFRESH_PATH).finally(() => {
			refreshInFlight = null;
		});
	}
	return refreshInFlight;
}

// The server says `session_expired` both after the idle limit and after the
// absolute one. While the absolute end is still ahead, it was the idle limit.
function endReason(code) {
	if (code !== 'session_expired' || !lastSession || !lastSession.session) {
		return code;
	}
	const absolute = Date.parse(lastSession.session.expires_at);
	return Number.isFinite(absolute) && Date.now() < absolute ? 'idle' : code;
}

/** Send one request; see the top of this file for what it does. */
export async function request(method, path, body) {
	const verb = method.toUpperCase();
	if (path === LOGOUT_PATH) {
		await Promise.allSettled([...beforeLogout].map((fn) => fn()));
	}
	let result = await send(verb, path, body);
	let code = result.error ? result.error.code : null;

	if (result.status === 401 && code === 'unauthorized' && !NO_REFRESH.has(path)) {
		const refreshed = await refreshOnce();
		if (refreshed.ok) {
			result = await send(verb, path, body);
			code = result.error ? result.error.code : null;
		} else if (refreshed.status !== 0) {
			const ended = refreshed.error && ENDED_CODES.has(refreshed.error.code);
			signalSignedOut(endReason(ended ? refreshed.error.code : 'session_expired'), { force: ended });
			return result;
		}
	}
	// These two codes come only from a session that existed and has now ended
	// (the server clears its cookies), so say so even after a reload.
	if (result.status === 401 && ENDED_CODES.has(code) && path !== LOGOUT_PATH) {
		signalSignedOut(endReason(code), { force: true });
	}
	// A staff session without two-step sign-in: the shell sends the person to /mfa.
	if (result.status === 403 && code === 'mfa_required') {
		emit('astral:mfa-required', { path });
	}
	if (path === LOGOUT_PATH && (result.ok || result.status === 401)) {
		forgetSession();
	}
	return result;
}

export const api = {
	request,
	get: (path) => request('GET', path),
	post: (path, body) => request('POST', path, body),
	put: (path, body) => request('PUT', path, body),
	del: (path, body) => request('DELETE', path, body),
};

export default api;

/**
 * Show `error.fields` next to their fields.
 *   fields: { name: fieldComponent | HTMLInputElement } — a component from
 *     components/field.js ({ input, setError }) or a bare input whose error
 *     node is found by its aria-errormessage / `<id>-error` id;
 *   source: an API result (from this module), or its body.
 *   translate(name, message): optional, returns the text to show.
 * Clears the fields that are not in error, focuses the first one in error and
 * returns { unplaced: { name: message } } for errors with no field here.
 */
export function applyFieldErrors(fields, source, translate) {
	let errors = {};
	if (source && source.fieldErrors) {
		errors = source.fieldErrors;
	} else if (source && source.error && source.error.fields) {
		errors = source.error.fields;
	} else if (source && typeof source === 'object' && !source.error && !source.status) {
		errors = source;
	}
	const unplaced = {};
	let first = null;
	for (const [name, target] of Object.entries(fields)) {
		if (!(name in errors)) {
			setFieldError(target, null);
		}
	}
	for (const [name, message] of Object.entries(errors)) {
		const target = fields[name];
		if (!target) {
			unplaced[name] = message;
			continue;
		}
		const text = translate ? translate(name, message) : sentence(message);
		setFieldError(target, text);
		if (!first) {
			first = inputOf(target);
		}
	}
	if (first) {
		first.focus();
	}
	return { unplaced };
}

function inputOf(target) {
	return target instanceof HTMLElement ? target : target.input;
}

/** Set (text) or clear (null) the error of a field component or an input. */
export function setFieldError(target, text) {
	if (!target) {
		return;
	}
	if (typeof target.setError === 'function') {
		target.setError(text);
		return;
	}
	const input = target;
	const id = input.getAttribute('aria-errormessage') || `${input.id}-error`;
	let note = document.getElementById(id);
	if (!note && text) {
		note = document.createElement('p');
		note.id = id;
		note.className = 'field-error';
		input.insertAdjacentElement('afterend', note);
	}
	const described = (input.getAttribute('aria-describedby') || '')
		.split(/\s+/).filter((token) => token && token !== id);
	if (text) {
		note.textContent = text;
		note.hidden = false;
		input.setAttribute('aria-invalid', 'true');
		described.push(id);
	} else {
		if (note) {
			note.textContent = '';
			note.hidden = true;
		}
		input.removeAttribute('aria-invalid');
	}
	if (described.length) {
		input.setAttribute('aria-describedby', described.join(' '));
	} else {
		input.removeAttribute('aria-describedby');
	}
}

function sentence(text) {
	const trimmed = String(text || '').trim();
	return trimmed ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : trimmed;
}

const KNOWN_CODES = new Set([
	'network', 'invalid_json', 'invalid_field', 'unsupported_media_type', 'payload_too_large',
	'not_found', 'method_not_allowed', 'unauthorized', 'invalid_credentials', 'token_reused',
	'session_expired', 'forbidden', 'csrf', 'mfa_required', 'too_many_requests', 'bad_request',
	'conflict', 'service_unavailable', 'internal',
]);

/**
 * The i18n key (in the `account` catalogue) of a sentence a person can act on
 * for a failed result, and the variables it needs: { key, vars }.
 */
export function errorKey(result) {
	if (!result || result.status === 0) {
		return { key: 'apiErrors.network', vars: {} };
	}
	const reason = result.error ? result.error.reason : '';
	if (reason && /^[a-z_]{1,40}$/.test(reason) && typeof message(`apiErrors.reasons.${reason}`) === 'string') {
		return { key: `apiErrors.reasons.${reason}`, vars: {} };
	}
	let code = result.error ? result.error.code : '';
	if (result.status === 429) {
		code = 'too_many_requests';
	} else if (result.status === 503) {
		code = 'service_unavailable';
	} else if (!KNOWN_CODES.has(code)) {
		code = result.status >= 500 ? 'internal' : 'unknown';
	}
	if (code === 'too_many_requests' || code === 'service_unavailable') {
		const seconds = result.retryAfter;
		if (seconds === null || seconds === undefined) {
			return { key: `apiErrors.${code}`, vars: {} };
		}
		if (seconds < 60) {
			return { key: `apiErrors.${code}_seconds`, vars: { seconds: Math.max(1, seconds) } };
		}
		return { key: `apiErrors.${code}_minutes`, vars: { minutes: Math.ceil(seconds / 60) } };
	}
	return { key: `apiErrors.${code}`, vars: { status: result.status } };
}

/** errorKey(result) looked up with the i18n function t. */
export function errorText(t, result) {
	const { key, vars } = errorKey(result);
	return t(key, vars);
}

/**
 * The sentence for a refused action (a 403 or 409): the catalogue's wording of its reason. A
 * refusal whose reason this page does not know keeps the server's own sentence (English), which
 * says what happened, rather than a general one that may be wrong ("That is already taken.").
 */
export function refusalText(t, result) {
	const { key, vars } = errorKey(result);
	if (!key.startsWith('apiErrors.reasons.') && result && (result.status === 409 || result.status === 403) &&
		result.error && result.error.message && result.error.code !== 'mfa_required') {
		return result.error.message;
	}
	return t(key, vars);
}

/**
 * A same-origin app path to go to after a step (from ?next=), or fallback.
 * Only "/…" paths are accepted: never "//host", a scheme, or a backslash.
 */
export function safeNextPath(value, fallback = '/') {
	if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') ||
		value.includes('\\') || /[\u0000-\u001f]/.test(value) || value.length > 512) {
		return fallback;
	}
	return value;
}
