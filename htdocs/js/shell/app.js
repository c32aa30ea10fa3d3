// The entry module: loaded by index.html. Applies theme and language, reads
// the session, draws the header and footer for the user's layout, starts the
// router and registers the service worker.

import { el } from '/js/components/dom.js';
import { initialLanguage, setLanguage, loadArea, getLanguage, t, LANGUAGES } from './i18n.js';
import { initTheme, setTheme, getTheme, THEMES } from './theme.js';
import { initToasts, toast } from './toast.js';
import { confirm } from './dialog.js';
import { configureRouter, startRouter, navigate, rerender } from './router.js';
import { navItemsFor, layoutFor } from './nav.js';
import { donationUrl } from '/js/api/donation.js';
import './routes.js';

const state = {
	session: null,
	api: null,
	client: null,
	features: { ai: false },   // header links that need a feature (nav.js `requires`)
};

// The account's theme and language are applied once per signed-in user: at start-up, and again
// whenever a different user signs in (however the session arrived).
let preferencesAppliedFor = null;

const SIGNED_OUT_TARGETS = {
	idle: '/signin?reason=idle',
	session_expired: '/signin?reason=expired',
	token_reused: '/signin?reason=expired',
};

async function loadClient() {
	try {
		state.client = await import('/js/api/client.js');
		state.api = state.client.api || state.client.default || null;
	} catch (error) {
		console.error('API client unavailable', error);
		state.api = null;
	}
}

async function readSession() {
	if (!state.api) {
		state.session = null;
		preferencesAppliedFor = null;
		return null;
	}
	const result = await state.api.get('/api/auth/session');
	state.session = result.ok && result.body && result.body.user ? result.body : null;
	return state.session;
}

async function applyPreferences() {
	if (!state.session || !state.api || preferencesAppliedFor === state.session.user.id) {
		return;
	}
	preferencesAppliedFor = state.session.user.id;
	const result = await state.api.get('/api/me/preferences');
	if (!result.ok || !result.body) {
		return;
	}
	if (THEMES.includes(result.body.theme)) {
		setTheme(result.body.theme);
	}
	if (LANGUAGES.includes(result.body.language)) {
		await setLanguage(result.body.language);
	}
}

async function savePreference(change) {
	if (!state.session || !state.api) {
		return;
	}
	const result = await state.api.put('/api/me/preferences', change);
	if (!result.ok) {
		toast(t('shell.errors.preferenceNotSaved'), 'error');
	}
}

async function refreshSession() {
	await readSession();
	await applyPreferences();
	renderChrome();
	return state.session;
}

async function signOut() {
	if (state.api) {
		await state.api.post('/api/auth/logout');
	}
	state.session = null;
	preferencesAppliedFor = null;
	renderChrome();
	navigate('/', { replace: false });
	toast(t('shell.signedOut.signed_out'), 'success');
}

// ------------------------------------------------------------------ header
function themeControl() {
	const select = el('select', { id: 'theme-select', class: 'select' },
		THEMES.map((theme) => el('option', { value: theme }, t(`theme.${theme}`))));
	select.value = getTheme();
	select.addEventListener('change', () => {
		setTheme(select.value);
		savePreference({ theme: select.value });
	});
	return el('span', { class: 'header-control' },
		el('label', { for: 'theme-select', class: 'visually-hidden' }, t('theme.label')), select);
}

function languageControl() {
	const other = getLanguage() === 'en' ? 'es' : 'en';
	const control = el('button', {
		type: 'button',
		id: 'language-toggle',
		class: 'btn btn-ghost btn-small',
		lang: other,
		'aria-label': t(`language.switchTo.${other}`),
	}, t(`language.name.${other}`));
	control.addEventListener('click', async () => {
		await setLanguage(other);
		savePreference({ language: other });
	});
	return control;
}

// On a narrow screen (a phone, or a page zoomed to 200 %) the app bar would make the sticky
// header cover half the window: there it folds behind "Menu" (layout.css), closed on each new page.
let menuOpen = false;

function setMenu(open, { focusToggle = false } = {}) {
	menuOpen = open;
	const header = document.querySelector('.site-header');
	const toggle = document.getElementById('menu-toggle');
	if (header) {
		header.classList.toggle('menu-open', open);
	}
	if (toggle) {
		toggle.setAttribute('aria-expanded', String(open));
		if (focusToggle) {
			toggle.focus();
		}
	}
}

function renderHeader(layout) {
	const inner = document.querySelector('.site-header-inner');
	if (!inner) {
		return;
	}
	const focusedId = document.activeElement && inner.contains(document.activeElement) ? document.activeElement.id : null;
	const brand = el('a', { class: 'brand', href: '/' },
		el('img', { src: '/favicon.svg', alt: '', width: '28', height: '28' }),
		el('span', { class: 'brand-name' }, t('shell.siteName')));
	const safety = el('nav', { class: 'safety-nav', 'aria-label': t('shell.safetyNav') },
		el('ul', {},
			el('li', {}, el('a', { id: 'get-help', class: 'btn btn-crisis btn-small', href: '/crisis' }, t('shell.getHelp'))),
			el('li', {}, el('a', { id: 'quick-exit', class: 'btn btn-exit btn-small', href: '/exit.html', 'data-quick-exit': true }, t('shell.quickExit')))));
	const role = state.session && state.session.user ? state.session.user.role : null;
	const links = navItemsFor(layout, state.features, role).map((item) =>
		el('li', {}, el('a', { href: item.href, 'data-nav': item.id, id: `nav-${item.id}` }, t(item.label))));
	const menu = el('button', {
		type: 'button', id: 'menu-toggle', class: 'btn btn-ghost btn-small menu-toggle',
		'aria-controls': 'header-bar', 'aria-expanded': 'false', onClick: () => setMenu(!menuOpen),
	}, t('shell.menu'));
	const bar = el('div', { class: 'header-bar', id: 'header-bar' },
		el('nav', { class: 'app-nav', 'aria-label': t('shell.mainNav') }, el('ul', {}, links)),
		layout === 'staff' ? el('span', { class: 'badge badge-staff' }, t('shell.staffBadge')) : null,
		el('div', { class: 'header-tools' },
			themeControl(),
			languageControl(),
			state.session ? el('button', {
				type: 'button', id: 'sign-out', class: 'btn btn-ghost btn-small', onClick: signOut,
			}, t('shell.signOut')) : null));
	bar.addEventListener('keydown', (event) => {
		if (event.key === 'Escape' && menuOpen && getComputedStyle(menu).display !== 'none') {
			setMenu(false, { focusToggle: true });
		}
	});
	inner.replaceChildren(brand, menu, bar, safety);
	setMenu(menuOpen);
	markCurrent();
	if (unreadSource) {
		showUnread(unreadSource.unreadCount());
	}
	if (focusedId) {
		const again = document.getElementById(focusedId);
		if (again) {
			again.focus();
		}
	}
}

function markCurrent() {
	const path = window.location.pathname.replace(/\/+$/, '') || '/';
	for (const link of document.querySelectorAll('.app-nav a, .safety-nav a, .site-footer nav a')) {
		const href = link.getAttribute('href');
		if (href === path) {
			link.setAttribute('aria-current', 'page');
		} else {
			link.removeAttribute('aria-current');
		}
	}
}

// ------------------------------------------------------------------ footer
function renderFooter() {
	const inner = document.querySelector('.site-footer-inner');
	if (!inner) {
		return;
	}
	const links = [
		['/', 'footer.home'],
		['/crisis', 'footer.crisis'],
		['/quiet-space', 'footer.quietSpace'],
		['/guidelines', 'footer.guidelines'],
		['/legal/terms', 'footer.terms'],
		['/legal/privacy', 'footer.privacy'],
		['/legal/helper-agreement', 'footer.helperAgreement'],
	];
	const hint = el('p', {});
	const [before, after] = t('footer.quickExitHint').split('{key}');
	hint.append(before, el('kbd', {}, 'Esc'), after || '');
	const list = el('ul', {}, links.map(([href, key]) => el('li', {}, el('a', { href }, t(key)))));
	inner.replaceChildren(
		el('nav', { 'aria-label': t('footer.siteNav') }, list),
		el('p', {}, t('footer.disclaimer')),
		hint);
	// The host's donation page, when it has one: another site, which takes the payment.
	donationUrl().then((url) => {
		if (url && list.isConnected) {
			list.append(el('li', {}, el('a', { href: url, rel: 'noopener noreferrer', 'data-donate': '' }, t('footer.donate'))));
		}
	});
}

function renderChrome() {
	const layout = layoutFor(state.session);
	document.body.dataset.layout = layout;
	// index.html's skip link is written in English for the page without JavaScript.
	const skip = document.querySelector('.skip-link');
	if (skip) {
		skip.textContent = t('shell.skipToMain');
	}
	if (featuresCheckedFor !== userIdOf(state.session)) {
		state.features.ai = false;
	}
	renderHeader(layout);
	renderFooter();
	markCurrent();
	checkFeatures();
}

// The AI link shows for seekers and helpers while GET /api/ai/status says the AI is available
// (js/api/ai.js keeps the answer for the page), unless they said they are under 18; asked once
// per signed-in user.
let featuresCheckedFor = null;

function userIdOf(session) {
	return session && session.user ? session.user.id : null;
}

async function checkFeatures() {
	const userId = userIdOf(state.session);
	if (featuresCheckedFor === userId) {
		return;
	}
	featuresCheckedFor = userId;
	const layout = layoutFor(state.session);
	let on = false;
	if (userId && (layout === 'seeker' || layout === 'helper') && !needsMfaEnrolment(state.session)) {
		try {
			const aiApi = await import('/js/api/ai.js');
			const status = await aiApi.aiStatus();
			// Not for someone who said they are under 18: the companion is not theirs to use.
			on = aiApi.aiEnabled(status) && status.age_confirmed !== false;
		} catch (error) {
			console.warn('AI status unavailable', error);
		}
	}
	if (featuresCheckedFor !== userId || on === state.features.ai) {
		return;
	}
	state.features.ai = on;
	renderHeader(layoutFor(state.session));
}

// ------------------------------------------------------------------ routing
function guard(route) {
	if (route.auth === 'public') {
		return null;
	}
	if (!state.session) {
		const next = window.location.pathname + window.location.search;
		return { redirect: `/signin?next=${encodeURIComponent(next)}` };
	}
	if (route.auth === 'staff' && layoutFor(state.session) !== 'staff') {
		return { forbidden: true };
	}
	if (route.auth === 'admin' && state.session.user.role !== 'admin') {
		return { forbidden: true, reason: 'adminOnly' };
	}
	// Staff act only after two-step sign-in: until it is set up, every signed-in page leads to it.
	if (needsMfaEnrolment(state.session) && window.location.pathname !== '/mfa') {
		const next = window.location.pathname + window.location.search;
		return { redirect: `/mfa?next=${encodeURIComponent(next)}` };
	}
	return null;
}

function needsMfaEnrolment(session) {
	const role = session && session.user && session.user.role;
	return (role === 'moderator' || role === 'admin') && !(session.session && session.session.mfa);
}

function makeContext(route, params, query, url) {
	return {
		params,
		query,
		path: url.pathname,
		t,
		api: state.api,
		session: state.session,
		navigate,
		toast,
		confirm,
		refreshSession,
		loadArea,
	};
}

// ------------------------------------------------------------------ events
function onSignedOut(event) {
	const reason = event.detail && event.detail.reason ? event.detail.reason : 'signed_out';
	const wasSignedIn = Boolean(state.session);
	state.session = null;
	preferencesAppliedFor = null;
	renderChrome();
	if (!wasSignedIn) {
		return;
	}
	const key = `shell.signedOut.${reason}`;
	const text = t(key);
	toast(text === key ? t('shell.signedOut.signed_out') : text, reason === 'signed_out' || reason === 'deleted' ? 'success' : 'info');
	navigate(SIGNED_OUT_TARGETS[reason] || '/', { replace: true });
}

function onSession(event) {
	const body = event.detail;
	if (!body || !body.user) {
		return;
	}
	const before = state.session;
	state.session = body;
	if (!before || before.user.id !== body.user.id || before.user.role !== body.user.role ||
		before.user.display_name !== body.user.display_name) {
		renderChrome();
	}
	startRealtime();
}

async function startIdleWatch() {
	try {
		const idle = await import('/js/api/idle.js');
		idle.startIdleWatch({ session: state.session });
	} catch (error) {
		console.warn('idle logoff unavailable', error);
	}
}

// Real time: one connection per signed-in page (/js/api/events.js) and the
// peer-support notices that ride on it (/js/api/peer-watch.js), loaded only
// once someone is signed in; events.js then follows sign-ins and sign-outs.
let realtimeStarted = false;

// The dot on My activity (a seeker) or Dashboard (a helper) while a chat of theirs has unread
// messages (api/peer-watch.js counts them); drawn again with the header.
let unreadSource = null;
const UNREAD_NAV = ['nav-activity', 'nav-dashboard'];

function showUnread(count) {
	for (const id of UNREAD_NAV) {
		const link = document.getElementById(id);
		if (!link) {
			continue;
		}
		const old = link.querySelector('.nav-dot');
		if (old) {
			old.remove();
		}
		if (count > 0) {
			link.append(el('span', { class: 'nav-dot', 'data-unread': String(count) },
				el('span', { class: 'visually-hidden' }, t('nav.unread', { count }))));
		}
	}
}

function startRealtime() {
	if (realtimeStarted || !state.session || needsMfaEnrolment(state.session)) {
		return;
	}
	realtimeStarted = true;
	Promise.all([import('/js/api/events.js'), import('/js/api/peer-watch.js')]).then(([events, watch]) => {
		events.startEvents();
		watch.watchPeer();
		unreadSource = watch;
		watch.onUnreadChange(showUnread);
		showUnread(watch.unreadCount());
	}).catch((error) => {
		realtimeStarted = false;
		console.warn('real time unavailable', error);
	});
}

function registerServiceWorker() {
	if (!('serviceWorker' in navigator) || !window.isSecureContext) {
		return;
	}
	navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => console.warn('service worker', error));
}

async function boot() {
	initTheme();
	initToasts();
	await setLanguage(initialLanguage(), { store: false });
	await Promise.all([loadArea('shell'), loadArea('common'), loadClient()]);
	await readSession();
	await applyPreferences();
	renderChrome();
	// The host's crisis lines, for the crisis card and block (kept on this device for offline use).
	import('/js/api/host-crisis-lines.js').then((lines) => lines.refreshHostCrisisLines())
		.catch((error) => console.warn('crisis lines', error));

	window.addEventListener('astral:signed-out', onSignedOut);
	window.addEventListener('astral:session', onSession);
	window.addEventListener('astral:mfa-required', () => {
		if (window.location.pathname !== '/mfa') {
			const next = window.location.pathname + window.location.search;
			navigate(`/mfa?next=${encodeURIComponent(next)}`);
		}
	});
	window.addEventListener('astral:language', () => {
		renderChrome();
		rerender({ focus: false });
	});
	window.addEventListener('astral:theme', () => {
		const select = document.getElementById('theme-select');
		if (select) {
			select.value = getTheme();
		}
	});

	configureRouter({
		outlet: document.getElementById('main'),
		makeContext,
		guard,
		onRouteChange: () => {
			setMenu(false);
			markCurrent();
		},
	});
	await startRouter();
	startIdleWatch();
	startRealtime();
	registerServiceWorker();
}

boot().catch((error) => {
	// The static landing page and crisis links stay usable when start-up fails.
	console.error('Astral Core could not start', error);
});
