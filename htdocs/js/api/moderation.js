// The moderation and administration API (docs/moderation-api-contract.md):
// the report queue, crisis alerts, sanctions, the person's own history,
// pending videos, break-glass reading of a help session, and the admin routes
// (applications, roles, statistics, the audit log). Small functions over the
// JSON client (client.js); each returns its result and never throws.
//
//   import { moderation, admin } from '/js/api/moderation.js';
//   const result = await moderation.alerts({ status: 'active' });
//
// Lists answer { items, next }: pass `next` back as `cursor` for the page after.

import { api } from './client.js';
import { query } from './peer.js';

export const ALERT_STATUSES = ['active', 'open', 'acknowledged', 'resolved'];
export const SEVERITIES = ['high', 'medium', 'low'];
export const ROLES = ['seeker', 'helper', 'moderator', 'admin'];
export const TIERS = ['community', 'certified'];
export const APPLICATION_STATUSES = ['pending', 'approved', 'rejected', 'all'];
export const REASON_MAX = 500;
export const NOTE_MAX = 1000;
export const BAN_HOURS_DEFAULT = 720;
export const BAN_HOURS_MAX = 87600;
export const GRANT_REASON_MIN = 10;
export const GRANT_MINUTES_DEFAULT = 30;
export const GRANT_MINUTES_MIN = 5;
export const GRANT_MINUTES_MAX = 60;
export const STATS_DAYS = [7, 30, 90, 365];

const id = (value) => encodeURIComponent(String(value));

export const moderation = {
	// Reports.
	reports: ({ limit, cursor } = {}) => api.get(`/api/moderation/reports${query({ limit, cursor })}`),
	dismiss: (postId, note) => api.post(`/api/moderation/reports/${id(postId)}/dismiss`, note ? { note } : {}),
	removePost: (postId, reason) => api.del(`/api/moderation/posts/${id(postId)}`, { reason }),

	// Crisis alerts.
	alerts: ({ status, limit, cursor } = {}) => api.get(`/api/moderation/alerts${query({ status, limit, cursor })}`),
	// One alert with its excerpt (the list carries none; the server audits each read).
	alert: (alertId) => api.get(`/api/moderation/alerts/${id(alertId)}`),
	acknowledge: (alertId) => api.post(`/api/moderation/alerts/${id(alertId)}/ack`),
	resolve: (alertId, note) => api.post(`/api/moderation/alerts/${id(alertId)}/resolve`, { note }),

	// People.
	user: (userId) => api.get(`/api/moderation/users/${id(userId)}`),
	warn: (userId, reason) => api.post(`/api/moderation/users/${id(userId)}/warn`, { reason }),
	ban: (userId, reason, hours) => api.post(`/api/moderation/users/${id(userId)}/ban`,
		hours ? { reason, hours } : { reason }),
	unban: (userId, reason) => api.post(`/api/moderation/users/${id(userId)}/unban`, { reason }),

	// What was done to me and what became of my reports (any signed-in person).
	history: () => api.get('/api/moderation/history'),

	// Videos waiting for a decision.
	videos: ({ limit, cursor } = {}) => api.get(`/api/moderation/videos${query({ limit, cursor })}`),
	approveVideo: (videoId) => api.post(`/api/moderation/videos/${id(videoId)}/approve`),
	rejectVideo: (videoId, reason) => api.post(`/api/moderation/videos/${id(videoId)}/reject`, { reason }),

	// Break-glass: a time-boxed grant to read one help session.
	openGrant: ({ sessionId, reason, minutes }) => api.post('/api/moderation/break-glass',
		minutes ? { session_id: sessionId, reason, minutes } : { session_id: sessionId, reason }),
	grants: () => api.get('/api/moderation/break-glass'),
	transcript: (sessionId, { limit, cursor } = {}) =>
		api.get(`/api/moderation/sessions/${id(sessionId)}/messages${query({ limit, cursor })}`),
};

export const admin = {
	applications: ({ status, limit, cursor } = {}) => api.get(`/api/admin/applications${query({ status, limit, cursor })}`),
	decide: (applicationId, status, notes) => api.put(`/api/admin/applications/${id(applicationId)}`,
		notes ? { status, notes } : { status }),
	setRole: (userId, role, tier) => api.put(`/api/admin/users/${id(userId)}/role`, tier ? { role, tier } : { role }),
	stats: (days) => api.get(`/api/admin/stats${query({ days })}`),
	audit: (filters = {}) => api.get(`/api/admin/audit${query(filters)}`),
};

/** True for a text that looks like a user id (a UUID). */
export function isUuid(value) {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(String(value || '').trim());
}

export default moderation;
