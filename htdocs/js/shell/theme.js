// Theme: 'system' | 'light' | 'dark'.
//
//   import { getTheme, setTheme, THEMES } from '/js/shell/theme.js';
//   setTheme('dark');   // applies at once, stored in localStorage `astral.theme`
//
// 'system' removes <html data-theme>, so tokens.css follows
// prefers-color-scheme; 'light' and 'dark' set it. Signed-in users' choice is
// also saved in their preferences by whoever calls setTheme with a change the
// user made (the header switcher and the settings view do the PUT).
// Emits `astral:theme` on window (detail: { theme }).

export const THEMES = ['system', 'light', 'dark'];
const STORAGE_KEY = 'astral.theme';

let current = 'system';

function stored() {
	try {
		return window.localStorage.getItem(STORAGE_KEY);
	} catch {
		return null;
	}
}

function apply(theme) {
	const root = document.documentElement;
	if (theme === 'system') {
		root.removeAttribute('data-theme');
	} else {
		root.setAttribute('data-theme', theme);
	}
}

/** Apply the stored choice (call once at start-up). */
export function initTheme() {
	const saved = stored();
	current = THEMES.includes(saved) ? saved : 'system';
	apply(current);
	return current;
}

export function getTheme() {
	return current;
}

/** The theme actually showing: 'light' or 'dark'. */
export function resolvedTheme() {
	if (current !== 'system') {
		return current;
	}
	return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function setTheme(theme, { store = true } = {}) {
	if (!THEMES.includes(theme)) {
		return;
	}
	const changed = theme !== current;
	current = theme;
	apply(theme);
	if (store) {
		try {
			window.localStorage.setItem(STORAGE_KEY, theme);
		} catch {
			// Storage unavailable: the choice lasts for this page only.
		}
	}
	if (changed) {
		window.dispatchEvent(new CustomEvent('astral:theme', { detail: { theme } }));
	}
}
