// Astral Core service worker: keeps the app shell and the crisis page for
// offline use. It never touches /api/ or /rt/: it caches no API answer. (The
// safety plan view keeps the signed-in user's plan in a cache of its own,
// PLAN_CACHE, written by the page; see js/api/plan-cache.js.)
//
// - HTML (navigations): network first; offline, the cached page, else the
//   shell (index.html) for app routes, else crisis.html.
// - Static files (CSS, JS, catalogues, icons, manifest): network first too, the
//   cache refreshed with every answer and used only when the network fails, so
//   a deploy reaches browsers at once (file names carry no hash; nginx answers
//   an unchanged file with a 304). CACHE_VERSION changes only when the cache's
//   layout does; the new worker then deletes the old caches when it activates.

const CACHE_VERSION = 'astral-v2';

// The safety plan kept on this device for offline use (js/api/plan-cache.js
// writes and reads it, from the page): never deleted here.
const PLAN_CACHE = 'astral-safety-plan';

// Needed offline: the install fails without these.
const CORE = [
	'/',
	'/index.html',
	'/crisis.html',
	'/exit.html',
	'/css/tokens.css',
	'/css/layout.css',
	'/css/components.css',
	'/css/wellness.css',
	'/js/quick-exit.js',
	'/favicon.svg',
];

// The rest of the shell: fetched at install too, but a missing one does not stop it.
const SHELL = [
	'/manifest.webmanifest',
	'/css/ai.css',
	'/css/staff.css',
	'/js/shell/app.js',
	'/js/shell/router.js',
	'/js/shell/routes.js',
	'/js/shell/nav.js',
	'/js/shell/i18n.js',
	'/js/shell/theme.js',
	'/js/shell/toast.js',
	'/js/shell/dialog.js',
	'/js/components/index.js',
	'/js/components/dom.js',
	'/js/components/button.js',
	'/js/components/field.js',
	'/js/components/card.js',
	'/js/components/tabs.js',
	'/js/components/list.js',
	'/js/components/badge.js',
	'/js/components/meter.js',
	'/js/components/modal.js',
	'/js/components/states.js',
	'/js/components/crisis-block.js',
	'/js/components/doc-sections.js',
	'/js/views/home.js',
	'/js/views/crisis.js',
	'/js/views/quiet-space.js',
	'/js/views/guidelines.js',
	'/js/views/legal.js',
	'/js/views/not-found.js',
	'/js/api/client.js',
	'/js/api/peer.js',
	'/js/api/wellness.js',
	'/js/api/plan-cache.js',
	'/js/api/host-crisis-lines.js',
	'/js/api/donation.js',
	'/js/components/svg.js',
	'/js/components/list-editor.js',
	'/js/components/crisis-card.js',
	'/js/components/crisis-lines.js',
	'/js/components/wellness-nav.js',
	'/js/views/safety-plan.js',
	'/i18n/en/wellness.json',
	'/i18n/en/peer.json',
	'/i18n/en/account.json',
	'/i18n/es/wellness.json',
	'/i18n/es/peer.json',
	'/i18n/es/account.json',
	'/i18n/en/shell.json',
	'/i18n/en/common.json',
	'/i18n/en/pages.json',
	'/i18n/es/shell.json',
	'/i18n/es/common.json',
	'/i18n/es/pages.json',
];

const STATIC = /\.(?:css|js|mjs|json|svg|png|ico|webmanifest|woff2?)$/;

function fresh(path) {
	return new Request(path, { cache: 'reload', credentials: 'same-origin' });
}

self.addEventListener('install', (event) => {
	event.waitUntil((async () => {
		const cache = await caches.open(CACHE_VERSION);
		await cache.addAll(CORE.map(fresh));
		await Promise.all(SHELL.map((path) => cache.add(fresh(path)).catch(() => undefined)));
		await self.skipWaiting();
	})());
});

self.addEventListener('activate', (event) => {
	event.waitUntil((async () => {
		const names = await caches.keys();
		await Promise.all(names.filter((name) => name.startsWith('astral-') && name !== CACHE_VERSION && name !== PLAN_CACHE)
			.map((name) => caches.delete(name)));
		await self.clients.claim();
	})());
});

function cacheable(response) {
	return response && response.ok && response.type === 'basic' &&
		!/no-store/.test(response.headers.get('Cache-Control') || '');
}

async function networkFirst(request, url) {
	const cache = await caches.open(CACHE_VERSION);
	try {
		const response = await fetch(request);
		if (cacheable(response) && (url.pathname === '/' || url.pathname.endsWith('.html'))) {
			cache.put(request, response.clone());
		}
		return response;
	} catch (error) {
		const exact = await cache.match(request, { ignoreSearch: true });
		if (exact) {
			return exact;
		}
		const isAppRoute = !/\.[^/]*$/.test(url.pathname);
		const fallback = await cache.match(isAppRoute ? '/index.html' : '/crisis.html');
		return fallback || (await cache.match('/crisis.html')) || Response.error();
	}
}

async function networkThenCache(request) {
	const cache = await caches.open(CACHE_VERSION);
	try {
		const response = await fetch(request);
		if (cacheable(response)) {
			cache.put(request, response.clone());
		}
		return response;
	} catch (error) {
		const hit = await cache.match(request);
		if (hit) {
			return hit;
		}
		throw error;
	}
}

self.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') {
		return;
	}
	const url = new URL(request.url);
	if (url.origin !== self.location.origin || /^\/(api|rt)\//.test(url.pathname)) {
		return;
	}
	if (request.mode === 'navigate') {
		event.respondWith(networkFirst(request, url));
	} else if (STATIC.test(url.pathname) && url.pathname !== '/sw.js') {
		event.respondWith(networkThenCache(request));
	}
});
