// The peer-support API (docs/peer-support-api-contract.md) as small functions
// over the JSON client (client.js): each returns the client's result
// { status, ok, body, fieldErrors, error, retryAfter } and never throws.
//
//   import { peer } from '/js/api/peer.js';
//   const result = await peer.feed({ category: 'Grief', sort: 'newest' });
//
// Lists answer { items, next }: pass `next` back as `cursor` for the page after.

import { api } from './client.js';

export const CATEGORIES = ['Anxiety', 'Depression', 'Grief', 'Relationships', 'Stress', 'Loneliness', 'Other'];
export const SORTS = ['newest', 'most_support', 'needs_support'];
export const REPORT_REASONS = ['spam', 'hate', 'self_harm', 'inappropriate', 'other'];
export const EXPERTISE = ['Anxiety & Stress', 'Depression', 'Grief & Loss', 'Relationships', 'Family Issues',
	'Loneliness', 'Self-Esteem', 'Academic/Work Stress'];
export const POST_MAX = 5000;
export const POST_WARN = 4900;
export const MESSAGE_MAX = 4000;
export const REFLECTION_MAX = 280;
export const REPORT_NOTE_MAX = 500;
export const BIO_MAX = 500;

const id = (value) => encodeURIComponent(String(value));

/** "?a=1&b=2" from the non-empty values of params ('' when none). */
export function query(params = {}) {
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(params)) {
		if (value !== null && value !== undefined && value !== '') {
			search.set(name, String(value));
		}
	}
	const text = search.toString();
	return text ? `?${text}` : '';
}

/** A client_key for POST …/messages: 1–64 chars of [A-Za-z0-9_-]. */
export function clientKey() {
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	return `k${Date.now().toString(36)}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export const peer = {
	// Posts.
	feed: ({ category, q, sort, limit, cursor } = {}) => api.get(`/api/posts${query({ category, q, sort, limit, cursor })}`),
	forYou: ({ limit, cursor } = {}) => api.get(`/api/posts/for-you${query({ limit, cursor })}`),
	myPosts: ({ limit, cursor } = {}) => api.get(`/api/posts/mine${query({ limit, cursor })}`),
	requestsToMe: ({ limit, cursor } = {}) => api.get(`/api/posts/requests${query({ limit, cursor })}`),
	post: (postId) => api.get(`/api/posts/${id(postId)}`),
	createPost: ({ category, content }) => api.post('/api/posts', { category, content }),
	support: (postId, on) => (on ? api.post(`/api/posts/${id(postId)}/support`) : api.del(`/api/posts/${id(postId)}/support`)),
	report: (postId, reason, note) => api.post(`/api/posts/${id(postId)}/report`, note ? { reason, note } : { reason }),
	accept: (postId) => api.post(`/api/posts/${id(postId)}/accept`),
	resolve: (postId) => api.post(`/api/posts/${id(postId)}/resolve`),
	publish: (postId) => api.post(`/api/posts/${id(postId)}/publish`),
	decline: (postId) => api.post(`/api/posts/${id(postId)}/decline`),
	directRequest: ({ helperId, category, content }) => api.post('/api/posts/direct-requests', {
		helper_id: helperId, category, content,
	}),

	// Reflections.
	reflections: ({ limit, cursor } = {}) => api.get(`/api/reflections${query({ limit, cursor })}`),
	createReflection: (content) => api.post('/api/reflections', { content }),
	light: (reflectionId, on) => (on
		? api.post(`/api/reflections/${id(reflectionId)}/light`)
		: api.del(`/api/reflections/${id(reflectionId)}/light`)),

	// Help sessions and messages.
	sessions: ({ status, limit, cursor } = {}) => api.get(`/api/sessions${query({ status, limit, cursor })}`),
	session: (sessionId) => api.get(`/api/sessions/${id(sessionId)}`),
	messages: (sessionId, { after, before, limit } = {}) =>
		api.get(`/api/sessions/${id(sessionId)}/messages${query({ after, before, limit })}`),
	send: (sessionId, text, key) => api.post(`/api/sessions/${id(sessionId)}/messages`, { text, client_key: key }),
	typing: (sessionId) => api.post(`/api/sessions/${id(sessionId)}/typing`),
	read: (sessionId, upTo) => api.post(`/api/sessions/${id(sessionId)}/read`, { up_to: upTo }),
	end: (sessionId) => api.post(`/api/sessions/${id(sessionId)}/end`),
	feedback: (sessionId, helpful) => api.post(`/api/sessions/${id(sessionId)}/feedback`, { helpful }),
	kudos: (sessionId) => api.post(`/api/sessions/${id(sessionId)}/kudos`),
	favorite: (sessionId, on) => (on
		? api.post(`/api/sessions/${id(sessionId)}/favorite`)
		: api.del(`/api/sessions/${id(sessionId)}/favorite`)),
	emergency: (sessionId) => api.post(`/api/sessions/${id(sessionId)}/emergency`, {}),
	helperAlert: (sessionId) => api.post(`/api/sessions/${id(sessionId)}/alert`, {}),

	// Helpers.
	onlineCount: () => api.get('/api/helpers/online-count'),
	helpers: ({ expertise, online, limit, cursor } = {}) => api.get(`/api/helpers${query({ expertise, online, limit, cursor })}`),
	helper: (helperId) => api.get(`/api/helpers/${id(helperId)}`),
	myProfile: () => api.get('/api/helpers/me'),
	createProfile: ({ bio, expertise }) => api.post('/api/helpers/me', { bio, expertise }),
	updateProfile: (change) => api.put('/api/helpers/me', change),
	setAvailability: (online) => api.put('/api/helpers/me/availability', { online }),
	favorites: () => api.get('/api/helpers/favorites'),

	// Blocks (the account API).
	block: (userId) => api.post('/api/me/blocks', { user_id: userId }),
};

export default peer;
