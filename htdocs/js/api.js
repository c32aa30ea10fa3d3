// Fetch wrapper for the Astral Core JSON API.
//
// JSON in and out, cookies only for this origin. The CSRF token from the last
// session response is kept in memory (never in storage) and sent on unsafe
// methods. A 401 session_expired/unauthorized answer triggers one refresh and
// one retry. Every call resolves to { status, body, retryAfter }; status 0
// means the network failed. It never throws.

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REFRESH_PATH = '/api/auth/refresh';

// Routes where a 401 means "wrong credentials", not "access token expired".
const NO_REFRESH_PATHS = new Set([
	REFRESH_PATH,
	'/api/auth/anonymous',
	'/api/auth/login',
	'/api/auth/logout',
	'/api/auth/recover',
	'/api/auth/register',
]);

let csrfToken = null;
let refreshInFlight = null;

function parseRetryAfter(value) {
	if (!value) {
		return null;
	}
	if (/^\d+$/.test(value.trim())) {
		return Number.parseInt(value, 10);
	}
	const when = Date.parse(value);
	if (Number.isNaN(when)) {
		return null;
	}
	return Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

function rememberCsrf(body) {
	if (body && typeof body === 'object' && typeof body.csrf_token === 'string') {
		csrfToken = body.csrf_token;
	}
}

async function send(method, path, body) {
	const headers = { Accept: 'application/json' };
	const init = {
		method,
		headers,
		credentials: 'same-origin',
		cache: 'no-store',
	};
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (UNSAFE_METHODS.has(method) && csrfToken) {
		headers['X-CSRF-Token'] = csrfToken;
	}

	let response;
	try {
		response = await fetch(path, init);
	} catch {
		return { status: 0, body: null, retryAfter: null };
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
	rememberCsrf(parsed);
	return {
		status: response.status,
		body: parsed,
		retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
	};
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

export function errorCode(result) {
	const error = result && result.body && result.body.error;
	return error && typeof error.code === 'string' ? error.code : null;
}

export function fieldErrors(result) {
	const error = result && result.body && result.body.error;
	if (error && error.fields && typeof error.fields === 'object') {
		return error.fields;
	}
	return {};
}

export async function api(method, path, body) {
	const verb = method.toUpperCase();
	let result = await send(verb, path, body);
	const code = errorCode(result);
	if (result.status === 401 && !NO_REFRESH_PATHS.has(path) &&
	    (code === 'session_expired' || code === 'unauthorized')) {
		const refreshed = await refreshOnce();
		if (refreshed.status === 200) {
			result = await send(verb, path, body);
		}
	}
	if (path === '/api/auth/logout' && (result.status === 204 || result.status === 401)) {
		csrfToken = null;
	}
	return result;
}

export function hasCsrfToken() {
	return csrfToken !== null;
}

function waitPhrase(seconds) {
	if (seconds === null || seconds === undefined) {
		return 'Please wait a little and try again.';
	}
	if (seconds < 60) {
		const s = Math.max(1, seconds);
		return `Please wait ${s} second${s === 1 ? '' : 's'} and try again.`;
	}
	const minutes = Math.ceil(seconds / 60);
	return `Please wait about ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`;
}

const MESSAGES = {
	invalid_json: 'The request could not be read. Please reload the page and try again.',
	invalid_field: 'Please check the fields marked below.',
	unsupported_media_type: 'The request could not be read. Please reload the page and try again.',
	payload_too_large: 'That is too long. Please shorten it and try again.',
	not_found: 'That could not be found.',
	method_not_allowed: 'That action is not available here.',
	unauthorized: 'You are not signed in.',
	invalid_credentials: 'That username and password do not match.',
	token_reused: 'For your safety, this session was ended. Please sign in again.',
	session_expired: 'Your session has ended. Please sign in again.',
	forbidden: 'You do not have permission to do that.',
	csrf: 'Your session could not be confirmed. Please reload the page and try again.',
	mfa_required: 'Enter the 6-digit code from your authenticator app.',
	conflict: 'That is already taken.',
	internal: 'Something went wrong on our side. Please try again in a moment.',
};

// A sentence a person can act on, for any failed result.
export function errorMessage(result) {
	if (!result || result.status === 0) {
		return 'Could not reach Astral Core. Check your connection and try again.';
	}
	const code = errorCode(result);
	if (code === 'too_many_requests' || result.status === 429) {
		return `Too many attempts. ${waitPhrase(result.retryAfter)}`;
	}
	if (code === 'service_unavailable' || result.status === 503) {
		return `Astral Core is busy right now. ${waitPhrase(result.retryAfter)}`;
	}
	if (code && MESSAGES[code]) {
		return MESSAGES[code];
	}
	if (result.status >= 500) {
		return MESSAGES.internal;
	}
	const error = result.body && result.body.error;
	if (error && typeof error.message === 'string' && error.message) {
		return error.message;
	}
	return `The request could not be completed (status ${result.status}).`;
}
