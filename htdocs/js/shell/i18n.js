// Message catalogues and lookup.
//
//   import { t, loadArea, setLanguage, getLanguage } from '/js/shell/i18n.js';
//   await loadArea('pages');
//   t('home.title');                       // "Someone to talk to…"
//   t('settings.saved', { what: 'Theme' }); // "{what} saved." with {what} filled in
//   t('common.items', { count: 3 });        // picks .one / .other by the language's plural rules
//
// Catalogues: /i18n/<lang>/<area>.json, nested JSON objects; a key is the
// dotted path. Every area's top-level names are distinct, so all loaded areas
// share one key space. A key missing in Spanish falls back to English; a key
// missing in both returns the key itself (and a console warning).

export const LANGUAGES = ['en', 'es'];
const DEFAULT_LANGUAGE = 'en';
const STORAGE_KEY = 'astral.lang';

let current = DEFAULT_LANGUAGE;
const areas = new Set();
// catalogues[lang][area] = parsed JSON
const catalogues = { en: {}, es: {} };
const pending = new Map();

function storedLanguage() {
	try {
		return window.localStorage.getItem(STORAGE_KEY);
	} catch {
		return null;
	}
}

/** The language to start with: stored choice, else the browser's, else English. */
export function initialLanguage() {
	const stored = storedLanguage();
	if (LANGUAGES.includes(stored)) {
		return stored;
	}
	for (const tag of navigator.languages || [navigator.language || '']) {
		const base = String(tag).toLowerCase().split('-')[0];
		if (LANGUAGES.includes(base)) {
			return base;
		}
	}
	return DEFAULT_LANGUAGE;
}

export function getLanguage() {
	return current;
}

async function fetchArea(lang, area) {
	const id = `${lang}/${area}`;
	if (catalogues[lang][area]) {
		return;
	}
	if (!pending.has(id)) {
		const job = fetch(`/i18n/${lang}/${area}.json`, { credentials: 'same-origin' })
			.then((response) => {
				if (!response.ok) {
					throw new Error(`catalogue ${id}: HTTP ${response.status}`);
				}
				return response.json();
			})
			.then((data) => {
				catalogues[lang][area] = data;
			})
			.finally(() => pending.delete(id));
		pending.set(id, job);
	}
	await pending.get(id);
}

/** Load an area's catalogue in the current language (and English, the fallback). */
export async function loadArea(area) {
	areas.add(area);
	const jobs = [fetchArea(DEFAULT_LANGUAGE, area)];
	if (current !== DEFAULT_LANGUAGE) {
		jobs.push(fetchArea(current, area).catch((error) => console.warn(error)));
	}
	await Promise.all(jobs);
}

/**
 * Switch language: loads every area already in use, sets <html lang>, stores
 * the choice, then emits `astral:language` on window (detail: { lang }).
 */
export async function setLanguage(lang, { store = true } = {}) {
	if (!LANGUAGES.includes(lang)) {
		return;
	}
	await Promise.all([...areas].map((area) => fetchArea(lang, area).catch((error) => console.warn(error))));
	const changed = lang !== current;
	current = lang;
	document.documentElement.lang = lang;
	if (store) {
		try {
			window.localStorage.setItem(STORAGE_KEY, lang);
		} catch {
			// Storage unavailable: the choice lasts for this page only.
		}
	}
	if (changed) {
		window.dispatchEvent(new CustomEvent('astral:language', { detail: { lang } }));
	}
}

function lookupIn(lang, key) {
	const parts = key.split('.');
	for (const data of Object.values(catalogues[lang])) {
		let node = data;
		for (const part of parts) {
			if (node === null || typeof node !== 'object' || !(part in node)) {
				node = undefined;
				break;
			}
			node = node[part];
		}
		if (node !== undefined) {
			return node;
		}
	}
	return undefined;
}

/** The raw catalogue value for key (string, array or object), or undefined. */
export function message(key) {
	const found = lookupIn(current, key);
	return found !== undefined ? found : lookupIn(DEFAULT_LANGUAGE, key);
}

function fill(text, vars) {
	return text.replace(/\{(\w+)\}/g, (whole, name) =>
		(Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole));
}

/** Translate key, filling {name} from vars; a {one, other} entry is chosen by vars.count. */
export function t(key, vars = {}) {
	let value = message(key);
	if (value && typeof value === 'object' && !Array.isArray(value) && typeof vars.count === 'number') {
		const form = new Intl.PluralRules(current).select(vars.count);
		value = value[form] !== undefined ? value[form] : value.other;
	}
	if (typeof value !== 'string') {
		console.warn(`i18n: no string for "${key}"`);
		return key;
	}
	return fill(value, vars);
}

/** Format a date/time for the current language. */
export function formatDate(value, options = { dateStyle: 'medium', timeStyle: 'short' }) {
	const date = value instanceof Date ? value : new Date(value);
	if (Number.isNaN(date.getTime())) {
		return '';
	}
	return new Intl.DateTimeFormat(current, options).format(date);
}
