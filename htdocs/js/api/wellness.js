// The wellness API (docs/wellness-api-contract.md) as small functions over the
// JSON client (client.js): each returns the client's result
// { status, ok, body, fieldErrors, error, retryAfter } and never throws.
//
//   import { wellness, localDay } from '/js/api/wellness.js';
//   const result = await wellness.checkIn({ mood: 4, tags: ['Calm'] });
//
// Routes that decide "today" (check-in, insights, habits) are sent the
// browser's IANA time zone. Lists answer { items, next }: pass `next` back as
// `cursor` for the page after. The video upload goes through XMLHttpRequest
// (fetch reports no upload progress), with the same CSRF header and one
// refresh-and-retry on an expired access token.

import { api, buildResult, currentSession } from './client.js';
import { query } from './peer.js';

export const MOOD_TAGS = ['Grateful', 'Anxious', 'Tired', 'Hopeful', 'Stressed', 'Calm', 'Lonely', 'Productive'];
export const MOOD_EMOJI = ['😞', '🙁', '😐', '🙂', '😊'];
export const MEASURES = ['mood', 'anxiety', 'sleep', 'energy'];
export const INSIGHT_WINDOWS = [7, 30, 90];
export const HABIT_CATEGORIES = ['Health', 'Mindfulness', 'Movement', 'Connection', 'Rest'];
export const RESOURCE_CATEGORIES = ['crisis', 'anxiety', 'depression', 'coping', 'grief'];
export const ASSESSMENT_KINDS = ['phq9', 'gad7'];
export const VIDEO_TYPES = ['video/mp4', 'video/webm'];

export const NOTE_MAX = 1000;
export const JOURNAL_MAX = 2000;
export const JOURNAL_WARN = 1900;
export const HABIT_NAME_MAX = 80;
export const PLAN_ROWS_MAX = 20;
export const PLAN_TEXT_MAX = 300;
export const PHONE_MAX = 32;
export const PHONE_PATTERN = /^[0-9+() -]{3,32}$/;
export const RESOURCE_QUERY_MAX = 100;
export const VIDEO_DESCRIPTION_MAX = 500;
export const VIDEO_MAX_BYTES = 50 * 1024 * 1024;

// The safety plan's steps in Stanley–Brown order (reasons for living last).
// kind: 'text' (a list of strings), 'contact' ({name, contact}) or 'phone' ({name, phone}).
export const PLAN_STEPS = [
	{ key: 'warning_signs', kind: 'text' },
	{ key: 'coping_strategies', kind: 'text' },
	{ key: 'distractions', kind: 'contact' },
	{ key: 'support_people', kind: 'phone' },
	{ key: 'professionals', kind: 'phone' },
	{ key: 'safe_environment', kind: 'text' },
	{ key: 'reasons_for_living', kind: 'text' },
];

export const MOOD_CSV_URL = '/api/wellness/mood/export.csv';
export const FHIR_URL = '/api/wellness/assessments/export.fhir.json';

const id = (value) => encodeURIComponent(String(value));

// Zone ids a browser can report (ICU keeps them as zones) that PostgreSQL reads
// as fixed-offset abbreviations, so the server refuses them (a CET "today" would
// be an hour off all summer): each goes as the region zone with the same rules
// (tzdata's links). "Etc/Unknown" is ICU's answer when it cannot tell.
const SERVER_ZONES = {
	CET: 'Europe/Brussels', MET: 'Europe/Brussels', EET: 'Europe/Athens', WET: 'Europe/Lisbon',
	EST: 'America/Panama', MST: 'America/Phoenix', HST: 'Pacific/Honolulu',
	GMT: 'UTC', UCT: 'UTC', Zulu: 'UTC', 'Etc/Unknown': 'UTC',
};

/** The name of a zone the server accepts for `zone` (the same rules). */
export function serverZone(zone) {
	return Object.hasOwn(SERVER_ZONES, zone) ? SERVER_ZONES[zone] : zone;
}

/** The browser's IANA time zone ("Europe/Madrid") as the server accepts it, or UTC when it does not say. */
export function timeZone() {
	try {
		return serverZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
	} catch {
		return 'UTC';
	}
}

/** The calendar day (YYYY-MM-DD) of a moment in a time zone (default: now, here). */
export function localDay(moment = new Date(), zone = timeZone()) {
	let parts;
	try {
		parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
			.formatToParts(moment);
	} catch {
		return moment.toISOString().slice(0, 10);
	}
	const part = (type) => parts.find((p) => p.type === type).value;
	return `${part('year')}-${part('month')}-${part('day')}`;
}

/** day (YYYY-MM-DD) moved by n days. */
export function addDays(day, n) {
	const date = new Date(`${day}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + n);
	return date.toISOString().slice(0, 10);
}

/** A YYYY-MM-DD day as a Date at noon UTC (safe to format in any zone with timeZone: 'UTC'). */
export function dayDate(day) {
	return new Date(`${day}T12:00:00Z`);
}

/** A phone number as a tel: link target (digits and a leading +), or null. */
export function telHref(phone) {
	const text = String(phone || '').trim();
	const digits = text.replace(/\D/g, '');
	return digits.length >= 3 ? `tel:${text.startsWith('+') ? '+' : ''}${digits}` : null;
}

function sendUpload({ file, description, onProgress, signal }) {
	return new Promise((resolve) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', '/api/wellness/videos');
		xhr.setRequestHeader('Accept', 'application/json');
		const session = currentSession();
		if (session && session.csrf_token) {
			xhr.setRequestHeader('X-CSRF-Token', session.csrf_token);
		}
		xhr.upload.addEventListener('progress', (event) => {
			if (onProgress && event.lengthComputable) {
				onProgress(event.loaded, event.total);
			}
		});
		xhr.addEventListener('load', () => {
			let body = null;
			if ((xhr.getResponseHeader('Content-Type') || '').includes('application/json')) {
				try {
					body = JSON.parse(xhr.responseText);
				} catch {
					body = null;
				}
			}
			const retry = Number.parseInt(xhr.getResponseHeader('Retry-After') || '', 10);
			resolve(buildResult(xhr.status, body, Number.isFinite(retry) ? retry : null));
		});
		const failed = (code) => () => {
			const result = buildResult(0, null);
			result.error = { code, message: '' };
			resolve(result);
		};
		xhr.addEventListener('error', failed('network'));
		xhr.addEventListener('abort', failed('aborted'));
		if (signal) {
			signal.addEventListener('abort', () => xhr.abort(), { once: true });
		}
		const form = new FormData();
		form.append('description', description);
		form.append('file', file, file.name);
		xhr.send(form);
	});
}

/**
 * Upload a video (multipart: description, file). onProgress(loaded, total)
 * follows the upload; signal (an AbortSignal) cancels it (status 0, code
 * 'aborted'). 201 Video (pending); 413 over 50 MB; 415 not MP4/WebM.
 */
export async function uploadVideo({ file, description, onProgress = null, signal = null }) {
	let result = await sendUpload({ file, description, onProgress, signal });
	if (result.status === 401 && result.error && result.error.code === 'unauthorized') {
		const refreshed = await api.post('/api/auth/refresh');
		if (refreshed.ok) {
			result = await sendUpload({ file, description, onProgress, signal });
		}
	}
	return result;
}

export const wellness = {
	// Mood.
	// note: the text, '' for none (an empty note also clears the day's earlier one).
	checkIn: ({ mood, anxiety = 3, sleep = 3, energy = 3, tags = [], note = '' }) => api.post('/api/wellness/mood', {
		mood, anxiety, sleep, energy, tags, note, timezone: timeZone(),
	}),
	moodHistory: ({ from, to } = {}) => api.get(`/api/wellness/mood${query({ from, to })}`),
	insights: (days = 30) => api.get(`/api/wellness/mood/insights${query({ days, timezone: timeZone() })}`),

	// Habits.
	habitCatalog: () => api.get('/api/wellness/habits/catalog'),
	habits: () => api.get(`/api/wellness/habits${query({ timezone: timeZone() })}`),
	trackHabit: (catalogId) => api.post('/api/wellness/habits', { catalog_id: catalogId }),
	createHabit: ({ name, category }) => api.post('/api/wellness/habits', { name, category }),
	untrackHabit: (habitId) => api.del(`/api/wellness/habits/${id(habitId)}`),
	completeHabit: (habitId, day) =>
		api.post(`/api/wellness/habits/${id(habitId)}/completions/${id(day)}${query({ timezone: timeZone() })}`),
	undoHabit: (habitId, day) =>
		api.del(`/api/wellness/habits/${id(habitId)}/completions/${id(day)}${query({ timezone: timeZone() })}`),

	// Journal.
	journal: ({ limit, cursor } = {}) => api.get(`/api/wellness/journal${query({ limit, cursor })}`),
	createEntry: (text) => api.post('/api/wellness/journal', { text }),
	updateEntry: (entryId, text) => api.put(`/api/wellness/journal/${id(entryId)}`, { text }),
	deleteEntry: (entryId) => api.del(`/api/wellness/journal/${id(entryId)}`),

	// Assessments.
	definitions: () => api.get('/api/wellness/assessments/definitions'),
	assessments: ({ limit, cursor } = {}) => api.get(`/api/wellness/assessments${query({ limit, cursor })}`),
	submitAssessment: ({ kind, answers }) => api.post('/api/wellness/assessments', { kind, answers }),
	requestContact: (assessmentId) =>
		api.post(`/api/wellness/assessments/${id(assessmentId)}/contact`, { contact_requested: true }),

	// Safety plan.
	safetyPlan: () => api.get('/api/wellness/safety-plan'),
	saveSafetyPlan: (plan) => api.put('/api/wellness/safety-plan', plan),

	// Resources (public).
	resources: ({ category, country, q } = {}) => api.get(`/api/resources${query({ category, country, q })}`),

	// Videos.
	videos: ({ limit, cursor, mine } = {}) =>
		api.get(`/api/wellness/videos${query({ limit, cursor, mine: mine ? 'true' : null })}`),
	like: (videoId, on) => (on
		? api.post(`/api/wellness/videos/${id(videoId)}/like`)
		: api.del(`/api/wellness/videos/${id(videoId)}/like`)),
	uploadVideo,
};

export default wellness;
