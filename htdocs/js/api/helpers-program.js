// The helper program API (docs/helper-program-api-contract.md): training and
// its quiz, the certification application, the dashboard, and the helpers'
// community (forum threads and council proposals). Small functions over the
// JSON client (client.js); each returns its result
// { status, ok, body, fieldErrors, error, retryAfter } and never throws.
//
//   import { program } from '/js/api/helpers-program.js';
//   const result = await program.dashboard();
//
// Lists answer { items, next }: pass `next` back as `cursor` for the page after.

import { api } from './client.js';
import { query } from './peer.js';

export const MOTIVATION_MAX = 1000;
export const THREAD_TITLE_MIN = 3;
export const THREAD_TITLE_MAX = 120;
export const COMMUNITY_POST_MAX = 5000;
export const PROPOSAL_DESCRIPTION_MAX = 2000;
export const PROPOSAL_DAYS_DEFAULT = 7;
export const PROPOSAL_DAYS_MAX = 30;
export const COUNCIL_REPUTATION = 4;
export const VOTES = ['for', 'against', 'abstain'];

const id = (value) => encodeURIComponent(String(value));

export const program = {
	// Training and certification.
	training: () => api.get('/api/helpers/me/training'),
	submitQuiz: (answers) => api.post('/api/helpers/me/training', { answers }),
	application: () => api.get('/api/helpers/me/application'),
	apply: (motivation) => api.post('/api/helpers/me/application', motivation ? { motivation } : {}),

	// The dashboard, and ending a rest early (the gentle limit).
	dashboard: () => api.get('/api/helpers/me/dashboard'),
	endRest: () => api.put('/api/helpers/me/availability', { online: true, end_rest: true }),

	// The helpers' community: the forum.
	threads: ({ limit, cursor } = {}) => api.get(`/api/community/threads${query({ limit, cursor })}`),
	thread: (threadId) => api.get(`/api/community/threads/${id(threadId)}`),
	threadPosts: (threadId, { limit, cursor } = {}) =>
		api.get(`/api/community/threads/${id(threadId)}/posts${query({ limit, cursor })}`),
	createThread: ({ title, content }) => api.post('/api/community/threads', { title, content }),
	reply: (threadId, content) => api.post(`/api/community/threads/${id(threadId)}/posts`, { content }),

	// The council's proposals.
	proposals: ({ status, limit, cursor } = {}) => api.get(`/api/community/proposals${query({ status, limit, cursor })}`),
	createProposal: ({ title, description, days }) => api.post('/api/community/proposals', { title, description, days }),
	vote: (proposalId, vote) => api.post(`/api/community/proposals/${id(proposalId)}/vote`, { vote }),
};

/** True when a failed result is the 403 that names `reputation` (below the council's bar). */
export function isReputationRefusal(result) {
	return Boolean(result && result.status === 403 && result.fieldErrors && 'reputation' in result.fieldErrors);
}

export default program;
