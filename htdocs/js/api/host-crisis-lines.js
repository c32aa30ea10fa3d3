// The host's crisis lines: what the crisis card, the crisis block and the
// crisis page list for the country this host serves (wellness.crisis_region).
//
// Where from: GET /api/resources (public, cacheable, never rate-limited)
// names the `region` and its `crisis_lines`, the very list a crisis answer
// carries (its crisis lines, its emergency number, then Find A Helpline).
// Kept in localStorage (`astral.crisisLines`): it is the same for every
// visitor of this host and holds nothing about the person, and the card must
// show it at once, offline too, and before any answer arrives. Only when no
// answer was ever kept on this device do the lines of the default region (US)
// stand in: FALLBACK.

import { getLanguage } from '/js/shell/i18n.js';

const STORAGE_KEY = 'astral.crisisLines';
const SOURCE = '/api/resources?category=crisis';

export const FALLBACK = Object.freeze({
	region: 'US',
	lines: Object.freeze([
		{ id: 'us-988-lifeline', name: '988 Suicide & Crisis Lifeline', contact: 'Call 988', href: 'tel:988' },
		{ id: 'us-988-text', name: '988 Suicide & Crisis Lifeline', contact: 'Text 988', href: 'sms:988' },
		{ id: 'us-crisis-text-line', name: 'Crisis Text Line', contact: 'Text HOME to 741741', href: 'sms:741741?body=HOME' },
		{ id: 'us-911', name: 'Emergency services (911)', contact: 'Call 911', href: 'tel:911' },
		{ id: 'intl-find-a-helpline', name: 'Find A Helpline', contact: 'findahelpline.com', href: 'https://findahelpline.com/' },
	]),
});

/** href when it is a link a crisis line may have (tel:, sms:, https:), else null. */
export function allowedHref(href) {
	return typeof href === 'string' && /^(tel:|sms:|https:\/\/)/i.test(href) ? href : null;
}

function validLine(line) {
	return line && ['id', 'name', 'contact', 'href'].every((k) => typeof line[k] === 'string') && allowedHref(line.href);
}

function valid(record) {
	return record && typeof record.region === 'string' && /^[A-Z]{2}$/.test(record.region) &&
		Array.isArray(record.lines) && record.lines.length > 0 && record.lines.every(validLine);
}

function stored() {
	try {
		const record = JSON.parse(window.localStorage.getItem(STORAGE_KEY));
		return valid(record) ? record : null;
	} catch (error) {
		return null;
	}
}

let known = stored();
let asked = null;
const listeners = new Set();

/** { region, lines } of this host: the last answer kept, else FALLBACK. */
export function hostCrisisLines() {
	return known || FALLBACK;
}

/** Call fn({ region, lines }) when a newer answer changes the lines; returns the unsubscribe. */
export function onHostCrisisLines(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

/** Ask the server once per page; resolves to hostCrisisLines() (the kept lines when offline). */
export function refreshHostCrisisLines() {
	if (!asked) {
		asked = fetch(SOURCE, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
			.then((response) => (response.ok ? response.json() : null))
			.then((body) => {
				const record = body ? { region: body.region, lines: body.crisis_lines } : null;
				if (valid(record) && JSON.stringify(record) !== JSON.stringify(known)) {
					known = record;
					try {
						window.localStorage.setItem(STORAGE_KEY, JSON.stringify(record));
					} catch (error) {
						// Private browsing or a full store: the lines still serve this page.
					}
					for (const fn of listeners) {
						fn(record);
					}
				}
				return hostCrisisLines();
			})
			.catch(() => hostCrisisLines());
	}
	return asked;
}

/** The region's name in the page's language ("United Kingdom"), or its code. */
export function regionName(region) {
	try {
		return new Intl.DisplayNames([getLanguage()], { type: 'region' }).of(region) || region;
	} catch (error) {
		return region;
	}
}
