// The header navigation as a data table, by layout.
//
//   registerNavItem({ id: 'dashboard', href: '/dashboard', label: 'nav.dashboard',
//                     layouts: ['helper', 'staff'], order: 40 });
//
// Layouts: 'guest' (signed out), 'seeker', 'helper', 'staff' (moderator or
// admin). label is an i18n key. Items show in `order`, lowest first.
// requires: the name of a feature the shell turns on (app.js: 'ai' while
// GET /api/ai/status says the AI is available); the item shows only then.
// roles: the account roles (session.user.role) the item is for, when a layout
// is wider than its audience (the staff layout holds moderators and admins).

const items = [];

export function registerNavItem(item) {
	const existing = items.findIndex((i) => i.id === item.id);
	const entry = { order: 50, ...item };
	if (existing >= 0) {
		items[existing] = entry;
	} else {
		items.push(entry);
	}
}

export function navItemsFor(layout, features = {}, role = null) {
	return items.filter((item) => item.layouts.includes(layout) && (!item.requires || features[item.requires]) &&
		(!item.roles || item.roles.includes(role)))
		.sort((a, b) => a.order - b.order);
}

/** The layout for a session response (or null when signed out). */
export function layoutFor(session) {
	const role = session && session.user ? session.user.role : null;
	if (role === 'moderator' || role === 'admin') {
		return 'staff';
	}
	if (role === 'helper') {
		return 'helper';
	}
	if (role === 'seeker') {
		return 'seeker';
	}
	return 'guest';
}

registerNavItem({ id: 'home', href: '/', label: 'nav.home', layouts: ['guest', 'seeker', 'helper', 'staff'], order: 10 });
registerNavItem({ id: 'start', href: '/start', label: 'nav.start', layouts: ['guest'], order: 20 });
registerNavItem({ id: 'signin', href: '/signin', label: 'nav.signin', layouts: ['guest'], order: 30 });
registerNavItem({ id: 'dashboard', href: '/helper', label: 'nav.dashboard', layouts: ['helper'], order: 15 });
registerNavItem({ id: 'certification', href: '/helper/certification', label: 'nav.certification', layouts: ['helper'], order: 16 });
registerNavItem({ id: 'community', href: '/helper/community', label: 'nav.community', layouts: ['helper', 'staff'], order: 17 });
registerNavItem({ id: 'moderation', href: '/moderation', label: 'nav.moderation', layouts: ['staff'], order: 12 });
registerNavItem({ id: 'admin', href: '/admin', label: 'nav.admin', layouts: ['staff'], roles: ['admin'], order: 13 });
registerNavItem({ id: 'feed', href: '/feed', label: 'nav.feed', layouts: ['seeker', 'helper', 'staff'], order: 20 });
registerNavItem({ id: 'share', href: '/share', label: 'nav.share', layouts: ['seeker'], order: 25 });
registerNavItem({ id: 'activity', href: '/activity', label: 'nav.activity', layouts: ['seeker'], order: 30 });
registerNavItem({ id: 'ai', href: '/ai', label: 'nav.ai', layouts: ['seeker', 'helper'], order: 33, requires: 'ai' });
registerNavItem({ id: 'wellness', href: '/wellness', label: 'nav.wellness', layouts: ['seeker', 'helper', 'staff'], order: 35 });
registerNavItem({ id: 'safety-plan', href: '/wellness/safety-plan', label: 'nav.safetyPlan', layouts: ['seeker'], order: 36 });
registerNavItem({ id: 'reflections', href: '/reflections', label: 'nav.reflections', layouts: ['seeker', 'helper', 'staff'], order: 40 });
registerNavItem({ id: 'settings', href: '/settings', label: 'nav.settings', layouts: ['seeker', 'helper', 'staff'], order: 90 });
