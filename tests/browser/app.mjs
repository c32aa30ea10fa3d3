// What the browser tests need to know about the app: its message catalogues
// (so the tests name buttons and titles as a person sees them), the API called
// from inside the page, accounts made quickly for tests that are about
// something else, TOTP codes (RFC 6238), the stack's test clock and a real
// WebM recorded in the page.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SRC, checkA11y, minorViolations, screenshot, setColorScheme } from './harness.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));

function catalogue(lang) {
	const merged = {};
	for (const area of ['shell', 'common', 'pages', 'account']) {
		const file = path.join(HTDOCS, 'i18n', lang, `${area}.json`);
		if (fs.existsSync(file)) {
			Object.assign(merged, JSON.parse(fs.readFileSync(file, 'utf8')));
		}
	}
	return merged;
}

const CATALOGUES = { en: catalogue('en'), es: catalogue('es') };

/** The text of an i18n key in a language, as the page shows it ({name} filled from vars). */
export function text(key, vars = {}, lang = 'en') {
	let node = CATALOGUES[lang];
	for (const part of key.split('.')) {
		node = node && typeof node === 'object' ? node[part] : undefined;
	}
	if (node === undefined && lang !== 'en') {
		return text(key, vars, 'en');
	}
	if (typeof node !== 'string') {
		throw new Error(`no string ${key} in the ${lang} catalogues`);
	}
	return node.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** document.title of a route: "<title> | <site name>". */
export function documentTitle(titleKey, lang = 'en') {
	return `${text(titleKey, {}, lang)} | ${text('shell.siteName', {}, lang)}`;
}

/**
 * Wait until the router has shown the view: the URL's path is pathname, the
 * title is the route's, the view's one <h1> is there, and the network is
 * quiet (views load their data after drawing the heading).
 */
export async function waitForView(page, pathname, titleKey, { lang = 'en' } = {}) {
	await page.waitForURL((url) => url.pathname === pathname);
	const title = documentTitle(titleKey, lang);
	await page.waitForFunction((expected) => document.title === expected &&
		document.querySelector('#main .view h1') !== null, title).catch(async (error) => {
		const now = await page.evaluate(() => `title "${document.title}", main: ${(document.querySelector('#main') || document.body).innerText.slice(0, 300)}`);
		throw new Error(`view ${pathname} (${title}) did not show: ${now}\n${error.message}`);
	});
	await page.waitForLoadState('networkidle');
}

/** The text of the toasts showing now. */
export async function toasts(page) {
	return page.locator('.toasts .toast-text').allInnerTexts();
}

/** Wait for a toast whose text contains expected. */
export async function waitForToast(page, expected) {
	await page.locator('.toasts .toast-text').filter({ hasText: expected }).first().waitFor({ state: 'attached' })
		.catch(async (error) => {
			throw new Error(`no toast "${expected}"; toasts: ${JSON.stringify(await toasts(page))}\n${error.message}`);
		});
}

// ------------------------------------------------------------------ the API, from inside the page

/**
 * One API request made by the page (its cookies, its origin): { status, body }.
 * Unsafe methods carry the CSRF token of a fresh GET /api/auth/session.
 */
export async function apiCall(page, method, pathname, body) {
	return page.evaluate(async ({ method: verb, pathname: where, body: payload }) => {
		const headers = { Accept: 'application/json' };
		if (!['GET', 'HEAD'].includes(verb)) {
			const current = await fetch('/api/auth/session', { headers, cache: 'no-store' });
			if (current.status === 200) {
				headers['X-CSRF-Token'] = (await current.json()).csrf_token;
			}
		}
		const init = { method: verb, headers, cache: 'no-store', credentials: 'same-origin' };
		if (payload !== undefined) {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(payload);
		}
		const response = await fetch(where, init);
		const type = response.headers.get('Content-Type') || '';
		const parsed = type.includes('application/json') ? await response.json().catch(() => null) : null;
		return { status: response.status, body: parsed };
	}, { method, pathname, body });
}

/**
 * Make the page's real-time stream deaf: it opens and stays open, and the page hears none of what
 * the server sends on it (a stream nchan left deaf after a Redis outage, or publishes lost). Set
 * before the page loads. Returns () => how many frames the server sent that the page never saw.
 */
export async function deafStream(page) {
	let heard = 0;
	await page.routeWebSocket(/\/api\/rt\/connect/, (ws) => {
		const server = ws.connectToServer();
		server.onMessage(() => {
			heard += 1;
		});
		ws.onMessage((frame) => server.send(frame));
	});
	return () => heard;
}

/**
 * Wait until the server has sent a deaf stream (deafStream's `heard`) at least one frame: the
 * event went out and the page missed it. Fails naming `what` after timeoutMs.
 */
export async function untilStreamHeard(page, heard, what, timeoutMs) {
	for (let waited = 0; heard() === 0; waited += 50) {
		assert.ok(waited < timeoutMs, `${what} never reached the stream`);
		await page.waitForTimeout(50);
	}
}

/** GET /api/auth/session from the page: the SessionResponse, or null when signed out. */
export async function currentSession(page) {
	const result = await apiCall(page, 'GET', '/api/auth/session');
	return result.status === 200 ? result.body : null;
}

/** Accept every document the signed-in user still has to; returns their ids. */
export async function acceptConsents(page) {
	const list = await apiCall(page, 'GET', '/api/me/consents');
	assert.equal(list.status, 200, `GET /api/me/consents: ${JSON.stringify(list)}`);
	const accepted = [];
	for (const doc of list.body.missing || []) {
		const result = await apiCall(page, 'POST', '/api/me/consents', { document: doc.document, version: doc.version });
		assert.ok(result.status >= 200 && result.status < 300, `consent ${doc.document}: ${JSON.stringify(result)}`);
		accepted.push(doc.document);
	}
	return accepted;
}

/**
 * An anonymous seeker made through the API in this browser context (the page
 * is left on /), with the consents given unless consents is false.
 * Returns { user, recoveryCode }.
 */
export async function createSeeker(session, { consents = true } = {}) {
	const { page } = session;
	await session.goto('/');
	const created = await apiCall(page, 'POST', '/api/auth/anonymous', {});
	assert.equal(created.status, 201, `POST /api/auth/anonymous: ${JSON.stringify(created)}`);
	if (consents) {
		await acceptConsents(page);
	}
	return { user: created.body.user, recoveryCode: created.body.recovery_code };
}

/**
 * A moderator or an admin, signed in in this browser context with two-step
 * sign-in (staff routes need it): the account is made with the stack's
 * astralctl, the page signs in through the API, enrols TOTP and confirms it
 * with a code computed here, and gives the consents. The page is left on /.
 * Returns { user, username, password, secret }.
 */
export async function createStaff(session, role, displayName) {
	const { page } = session;
	const username = `${role}-${crypto.randomBytes(5).toString('hex')}`;
	const password = `a long staff passphrase ${crypto.randomBytes(6).toString('hex')}`;
	await session.stack.astralctl(['user', 'create', '--role', role, '--username', username,
		'--display-name', displayName, '--password-stdin'], { input: `${password}\n` });
	await session.goto('/');
	const login = await apiCall(page, 'POST', '/api/auth/login', { username, password });
	assert.equal(login.status, 200, `POST /api/auth/login (${role}): ${JSON.stringify(login)}`);
	const enrol = await apiCall(page, 'POST', '/api/auth/mfa', { action: 'enrol' });
	assert.equal(enrol.status, 200, `POST /api/auth/mfa enrol: ${JSON.stringify(enrol)}`);
	const secret = enrol.body.secret;
	const confirmed = await apiCall(page, 'POST', '/api/auth/mfa', { action: 'confirm', code: totpCode(secret, totpStep()) });
	assert.equal(confirmed.status, 200, `POST /api/auth/mfa confirm: ${JSON.stringify(confirmed)}`);
	await acceptConsents(page);
	const signedIn = await currentSession(page);
	assert.equal(signedIn.session.mfa, true, `the ${role} session has no two-step sign-in: ${JSON.stringify(signedIn.session)}`);
	// The shell read the session before all this: load it again.
	await session.goto('/');
	return { user: signedIn.user, username, password, secret };
}

/** Everything the page keeps where script can read it: storage and cookies. */
export async function storedText(page) {
	return page.evaluate(() => {
		const dump = (storage) => Object.keys(storage).map((k) => `${k}=${storage.getItem(k)}`).join('\n');
		return `${dump(window.localStorage)}\n${dump(window.sessionStorage)}\n${document.cookie}`;
	});
}

// ------------------------------------------------------------------ TOTP (RFC 6238)

function base32Decode(input) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	const clean = input.replace(/[\s=]/g, '').toUpperCase();
	let bits = 0;
	let value = 0;
	const out = [];
	for (const char of clean) {
		const index = alphabet.indexOf(char);
		if (index < 0) {
			throw new Error(`not base32: ${char}`);
		}
		value = (value << 5) | index;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

export const TOTP_PERIOD = 30;

/** The time step of unix time `seconds` (default: now). */
export function totpStep(seconds = Date.now() / 1000) {
	return Math.floor(seconds / TOTP_PERIOD);
}

/** The 6-digit HMAC-SHA1 code of a base32 secret for a time step. */
export function totpCode(secret, step) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(step));
	const digest = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
	const offset = digest[digest.length - 1] & 0x0f;
	const binary = ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
	return String(binary % 1_000_000).padStart(6, '0');
}

// ------------------------------------------------------------------ the stack's test clock

/** Move the server's clock: offset in seconds from the real time (0 puts it back). */
export function setServerClock(stack, offsetSeconds) {
	const file = stack.env.CLOCK_FILE;
	if (!file) {
		throw new Error('the stack has no CLOCK_FILE (not started with --test, or a build without the test clock)');
	}
	fs.writeFileSync(file, `${Math.trunc(offsetSeconds)}\n`);
}

/** axe on the page in light and dark (serious findings fail; minor ones are reported). */
export async function checkBothSchemes(page, t, label) {
	for (const colorScheme of ['light', 'dark']) {
		await setColorScheme(page, colorScheme);
		const results = await checkA11y(page, { label: `${label} (${colorScheme})` });
		for (const line of minorViolations(results)) {
			t.diagnostic(`${label} ${colorScheme}: ${line}`);
		}
	}
	await setColorScheme(page, 'light');
}

/** One <h1>, axe in light and dark, screenshots (without the passing toasts, which would cover the view). */
export async function checkView(page, t, name, label) {
	assert.equal(await page.locator('#main h1').count(), 1, `${label}: not exactly one <h1>`);
	await checkBothSchemes(page, t, label);
	if (name) {
		await page.evaluate(() => {
			for (const node of document.querySelectorAll('.toasts .toast')) {
				node.remove();
			}
		});
		await screenshot(page, name);
	}
}

/** A string of a parsed catalogue (`file` names it in errors) as the page shows it: each {name}
    filled in from vars, and {one, other} plurals chosen by vars.count. */
export function catalogueText(catalogue, file, key, vars = {}) {
	let node = catalogue;
	for (const part of key.split('.')) {
		node = node && typeof node === 'object' ? node[part] : undefined;
	}
	if (node && typeof node === 'object' && typeof vars.count === 'number') {
		node = vars.count === 1 ? node.one : node.other;
	}
	if (typeof node !== 'string') {
		throw new Error(`no string ${key} in ${file}`);
	}
	return node.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** A real WebM (eight frames in two colours), recorded from a canvas in the page: its bytes. */
export async function recordWebm(page) {
	const bytes = await page.evaluate(async () => {
		const canvas = document.createElement('canvas');
		canvas.width = 64;
		canvas.height = 48;
		const context = canvas.getContext('2d');
		const stream = canvas.captureStream(10);
		const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
		const chunks = [];
		recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
		const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve));
		recorder.start(100);
		for (let frame = 0; frame < 8; frame += 1) {
			context.fillStyle = frame % 2 ? '#3730a3' : '#15803d';
			context.fillRect(0, 0, 64, 48);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		recorder.stop();
		await stopped;
		return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
	});
	return Buffer.from(bytes);
}
