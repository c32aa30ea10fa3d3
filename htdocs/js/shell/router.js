// The client-side router: real URLs through the History API.
//
//   registerRoute({ path: '/legal/terms', view: () => import('/js/views/legal.js'),
//                   title: 'titles.terms', auth: 'public', defaults: { doc: 'terms' } });
//   navigate('/settings?tab=security');            // push
//   navigate('/signin?reason=idle', { replace: true });
//
// path may hold :param segments (params come to the view as ctx.params, merged
// over `defaults`). auth: 'public' | 'user' | 'staff' (checked by the guard the
// shell configures). Same-origin <a> clicks are intercepted unless the link
// has a target, `download` or `data-no-route`, or points at a file (a dot in
// the last segment: /crisis.html, /exit.html), /api/ or /rt/; `data-link`
// forces interception. On each route change the router renders the view,
// sets document.title, moves focus to the view's <h1> (tabindex=-1) and
// announces the title in a polite live region.

import { el } from '/js/components/dom.js';
import { states } from '/js/components/states.js';
import { t } from './i18n.js';

const routes = [];
let notFoundRoute = null;
let config = null;
let currentView = null;
let renderCount = 0;
let announcer = null;
let started = false;

function compile(path) {
	const names = [];
	const pattern = path.replace(/\/+$/, '').split('/').map((part) => {
		if (part.startsWith(':')) {
			names.push(part.slice(1));
			return '([^/]+)';
		}
		return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}).join('/');
	return { regex: new RegExp(`^${pattern}/?$`), names };
}

export function registerRoute({ path, view, title, auth = 'public', defaults = {} }) {
	const route = { path, view, title, auth, defaults, ...compile(path) };
	const existing = routes.findIndex((r) => r.path === path);
	if (existing >= 0) {
		routes[existing] = route;
	} else {
		routes.push(route);
	}
	return route;
}

/** The view shown when no route matches. */
export function setNotFound({ view, title }) {
	notFoundRoute = { path: '*', view, title, auth: 'public', defaults: {}, regex: /^$/, names: [] };
}

export function matchRoute(pathname) {
	for (const route of routes) {
		const found = route.regex.exec(pathname === '/' ? '' : pathname);
		if (found) {
			const params = { ...route.defaults };
			route.names.forEach((name, i) => {
				try {
					params[name] = decodeURIComponent(found[i + 1]);
				} catch {
					params[name] = found[i + 1];
				}
			});
			return { route, params };
		}
	}
	return { route: notFoundRoute, params: {} };
}

/**
 * configureRouter({ outlet, makeContext(route, params, query, url), guard(route, url),
 *                   onRouteChange(route, url) })
 * guard returns null (go ahead), { redirect: '/path' } or { forbidden: true } (with
 * reason: 'adminOnly' for a page of administrators).
 */
export function configureRouter(options) {
	config = options;
}

function announce(text) {
	if (!announcer) {
		announcer = el('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'route-announcer' });
		document.body.append(announcer);
	}
	announcer.textContent = '';
	setTimeout(() => {
		announcer.textContent = text;
	}, 50);
}

function focusHeading(root) {
	const heading = root.querySelector('h1');
	if (!heading) {
		return;
	}
	if (!heading.hasAttribute('tabindex')) {
		heading.setAttribute('tabindex', '-1');
	}
	heading.focus({ preventScroll: true });
}

function setTitle(route) {
	const name = route && route.title ? t(route.title) : '';
	const site = t('shell.siteName');
	document.title = name ? `${name} | ${site}` : site;
	return name;
}

// While the page is being left (reload, a link to a static page), requests still in flight are
// cancelled by the browser: their failures are not errors of the view and are not reported.
let leaving = false;
for (const event of ['beforeunload', 'pagehide']) {
	window.addEventListener(event, () => {
		leaving = true;
	});
}
window.addEventListener('pageshow', () => {
	leaving = false;
});

function reportError(error) {
	if (!leaving) {
		console.error(error);
	}
}

function disposeCurrent() {
	if (currentView && typeof currentView.dispose === 'function') {
		try {
			currentView.dispose();
		} catch (error) {
			console.error(error);
		}
	}
	currentView = null;
}

function failedView(root, route, text, retry) {
	const box = el('div');
	root.replaceChildren(el('h1', { tabindex: '-1' }, route && route.title ? t(route.title) : t('shell.siteName')), box);
	states.error(box, text, retry);
}

async function render({ focus = true, scroll = true } = {}) {
	renderCount += 1;
	const mine = renderCount;
	const url = new URL(window.location.href);
	const { route, params } = matchRoute(url.pathname);
	const decision = config.guard ? config.guard(route, url) : null;
	if (decision && decision.redirect) {
		navigate(decision.redirect, { replace: true });
		return;
	}
	disposeCurrent();
	const root = el('div', { class: 'view' });
	config.outlet.replaceChildren(root);
	const name = setTitle(route);
	const slow = setTimeout(() => states.loading(root), 200);

	let module = null;
	try {
		module = (await route.view()).default;
	} catch (error) {
		reportError(error);
	}
	clearTimeout(slow);
	if (mine !== renderCount) {
		return;
	}
	root.replaceChildren();
	if (!module || typeof module.render !== 'function') {
		failedView(root, route, t('shell.errors.viewLoad'), () => render({ focus: true }));
	} else if (decision && decision.forbidden) {
		failedView(root, route, t(decision.reason === 'adminOnly' ? 'shell.errors.adminOnly' : 'shell.errors.forbidden'), null);
	} else {
		const query = Object.fromEntries(url.searchParams.entries());
		const ctx = config.makeContext(route, params, query, url);
		try {
			await module.render(root, ctx);
			currentView = module;
		} catch (error) {
			reportError(error);
			if (mine === renderCount && !leaving) {
				failedView(root, route, t('shell.errors.viewRender'), () => render({ focus: true }));
			}
		}
	}
	if (mine !== renderCount) {
		return;
	}
	if (config.onRouteChange) {
		config.onRouteChange(route, url);
	}
	if (scroll && !url.hash) {
		window.scrollTo(0, 0);
	} else if (url.hash) {
		const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
		if (target) {
			target.scrollIntoView();
		}
	}
	if (focus) {
		focusHeading(root);
	}
	announce(name);
}

/** Go to path (same origin). replace: replace the history entry instead of adding one. */
export function navigate(path, { replace = false } = {}) {
	const target = new URL(path, window.location.href);
	if (target.origin !== window.location.origin) {
		window.location.assign(target.href);
		return;
	}
	const next = target.pathname + target.search + target.hash;
	const now = window.location.pathname + window.location.search + window.location.hash;
	if (replace || next === now) {
		window.history.replaceState({}, '', next);
	} else {
		window.history.pushState({}, '', next);
	}
	render({ focus: true });
}

/** Render the current URL again (after a language or session change). */
export function rerender({ focus = false } = {}) {
	return render({ focus, scroll: false });
}

function isAppLink(anchor, url) {
	if (url.origin !== window.location.origin) {
		return false;
	}
	if (anchor.hasAttribute('data-link')) {
		return true;
	}
	if (anchor.hasAttribute('data-no-route') || anchor.hasAttribute('download') || anchor.hasAttribute('data-quick-exit')) {
		return false;
	}
	if (anchor.target && anchor.target !== '_self') {
		return false;
	}
	if (/^\/(api|rt)\//.test(url.pathname) || /\.[^/]*$/.test(url.pathname)) {
		return false;
	}
	return true;
}

function onClick(event) {
	if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
		return;
	}
	const anchor = event.target.closest('a[href]');
	if (!anchor) {
		return;
	}
	const url = new URL(anchor.getAttribute('href'), window.location.href);
	if (!isAppLink(anchor, url)) {
		return;
	}
	const samePage = url.pathname === window.location.pathname && url.search === window.location.search;
	if (samePage && url.hash) {
		return;
	}
	event.preventDefault();
	navigate(url.pathname + url.search + url.hash);
}

/** Start listening (clicks, Back/Forward) and render the current URL. */
export function startRouter() {
	if (!started) {
		started = true;
		document.addEventListener('click', onClick);
		window.addEventListener('popstate', () => render({ focus: true }));
	}
	return render({ focus: false, scroll: false });
}
