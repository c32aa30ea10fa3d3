// The safety plan kept on this device for the bad night without a network.
//
// Where: Cache Storage, in a cache of its own ('astral-safety-plan', one
// entry: { user_id, saved_at, plan }), beside the service worker's shell
// cache. Cache Storage rather than localStorage because the plan is only of
// use where the service worker can start the app offline (both need a secure
// context); because it is not the synchronous key-value store every script
// reads for small preferences; and because the service worker keeps it
// across its own cache updates (sw.js leaves this cache alone). The service
// worker itself still never stores an /api/ answer: the page writes the plan
// it has just shown, for the user it was shown to.
//
// When: every time the signed-in user's plan loads or is saved. Forgotten
// when the session ends in this page (sign-out, idle or expired session, the
// account deleted), when another user signs in, and when the page is online
// and nobody is signed in. Signing out also sends `Clear-Site-Data:
// "storage"`, which empties Cache Storage in the browsers that support it.

import { onSessionChange } from './client.js';

export const PLAN_CACHE = 'astral-safety-plan';
const ENTRY = '/offline/safety-plan.json';

function available() {
	return typeof caches !== 'undefined' && window.isSecureContext;
}

/** Keep plan (a SafetyPlan answer) as the offline copy of userId's plan. */
export async function savePlan(userId, plan) {
	if (!available() || !userId || !plan) {
		return false;
	}
	try {
		const cache = await caches.open(PLAN_CACHE);
		const record = { user_id: userId, saved_at: new Date().toISOString(), plan };
		await cache.put(ENTRY, new Response(JSON.stringify(record), {
			headers: { 'Content-Type': 'application/json' },
		}));
		return true;
	} catch (error) {
		console.warn('offline safety plan not saved', error);
		return false;
	}
}

/** The offline copy: { user_id, saved_at, plan }, or null. */
export async function loadPlan() {
	if (!available()) {
		return null;
	}
	try {
		if (!(await caches.has(PLAN_CACHE))) {
			return null;
		}
		const cache = await caches.open(PLAN_CACHE);
		const hit = await cache.match(ENTRY);
		if (!hit) {
			return null;
		}
		const record = await hit.json();
		return record && record.user_id && record.plan ? record : null;
	} catch {
		return null;
	}
}

/** Drop the offline copy. */
export async function forgetPlan() {
	if (!available()) {
		return;
	}
	try {
		await caches.delete(PLAN_CACHE);
	} catch (error) {
		console.warn('offline safety plan not removed', error);
	}
}

let watching = false;

/**
 * Follow the session of this page: forget the copy when it ends, or when it
 * belongs to someone other than the user now signed in. The shell calls this
 * once at start-up (routes.js).
 */
export function watchSession() {
	if (watching) {
		return;
	}
	watching = true;
	onSessionChange(async (session) => {
		if (!session || !session.user) {
			await forgetPlan();
			return;
		}
		const saved = await loadPlan();
		if (saved && saved.user_id !== session.user.id) {
			await forgetPlan();
		}
	});
}
