// Every view of the shell, and the two static pages: each loads with no
// request to another host, no console error and no CSP violation (the harness
// fails the test on any), has the route's title and one <h1>, axe-core finds
// nothing serious or critical in light and in dark, and its screenshots are
// written (docs/screenshots/<name>-<width>-<scheme>.png). The views that need
// an account are seen by a signed-in seeker.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { DONATION_URL, SRC, screenshot } from './harness.mjs';
import { apiCall, checkBothSchemes, createSeeker, text, waitForView } from './app.mjs';

const PUBLIC_VIEWS = [
	{ name: 'home', path: '/', title: 'titles.home' },
	{ name: 'crisis', path: '/crisis', title: 'titles.crisis' },
	{ name: 'guidelines', path: '/guidelines', title: 'titles.guidelines' },
	{ name: 'legal-terms', path: '/legal/terms', title: 'titles.terms' },
	{ name: 'legal-privacy', path: '/legal/privacy', title: 'titles.privacy' },
	{ name: 'legal-helper-agreement', path: '/legal/helper-agreement', title: 'titles.helperAgreement' },
	{ name: 'quiet-space', path: '/quiet-space', title: 'titles.quietSpace' },
	{ name: 'start', path: '/start', title: 'titles.start' },
	{ name: 'signin', path: '/signin', title: 'titles.signin' },
	{ name: 'register', path: '/register', title: 'titles.register' },
	{ name: 'recover', path: '/recover', title: 'titles.recover' },
	{ name: 'not-found', path: '/no-such-page', title: 'titles.notFound' },
];

const STATIC_PAGES = [
	{ name: 'crisis-html', path: '/crisis.html', heading: /Get help now/ },
	{ name: 'exit', path: '/exit.html', heading: /weather forecast/ },
];

// The views a signed-in seeker is shown in Spanish by the test below.
const SEEKER_VIEWS = ['/', '/feed', '/share', '/activity', '/reflections', '/wellness', '/wellness?tab=habits',
	'/wellness?tab=journal', '/wellness/insights', '/wellness/assessments', '/wellness/safety-plan', '/wellness/videos',
	'/wellness/videos?tab=share', '/wellness/summary', '/resources', '/settings', '/settings?tab=content',
	'/settings?tab=privacy', '/settings?tab=blocked', '/settings?tab=security', '/settings?tab=data', '/account',
	'/moderation/history', '/quiet-space', '/crisis', '/guidelines', '/legal/terms', '/no-such-page'];

/** Every string of every catalogue area of a language, by dotted key. */
function allStrings(lang) {
	const directory = path.join(path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs')), 'i18n', lang);
	const out = new Map();
	const walk = (node, prefix) => {
		for (const [name, value] of Object.entries(node)) {
			const key = prefix ? `${prefix}.${name}` : name;
			if (typeof value === 'string') {
				out.set(key, value);
			} else if (value && typeof value === 'object' && !Array.isArray(value)) {
				walk(value, key);
			}
		}
	};
	for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.json'))) {
		walk(JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')), '');
	}
	return out;
}

/** The English strings (without {placeholders}) that no Spanish string is: text a page in Spanish must not show. */
function englishOnlyStrings() {
	const english = allStrings('en');
	const spanish = allStrings('es');
	const spanishTexts = new Set(spanish.values());
	const only = new Map();
	for (const [key, value] of english) {
		if (!value.includes('{') && value.trim().length >= 4 && !spanishTexts.has(value)) {
			only.set(value.trim(), key);
		}
	}
	return only;
}

/** The text a person meets in the page: text nodes, and the names and hints in attributes. */
async function pageStrings(page) {
	return page.evaluate(() => {
		const found = [];
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		while (walker.nextNode()) {
			const node = walker.currentNode;
			if (node.parentElement && !node.parentElement.closest('script, style, template')) {
				found.push(node.textContent.trim());
			}
		}
		for (const name of ['aria-label', 'aria-valuetext', 'aria-roledescription', 'title', 'alt', 'placeholder']) {
			for (const node of document.querySelectorAll(`[${name}]`)) {
				found.push(node.getAttribute(name).trim());
			}
		}
		found.push(document.title);
		return found.filter(Boolean);
	});
}

async function assertOneHeading(page, label) {
	const count = await page.locator('#main h1').count();
	assert.equal(count, 1, `${label}: ${count} <h1> elements in <main>`);
}

/** Title, one <h1>, axe in both schemes, screenshots. */
async function checkView(session, t, { name, path, title }) {
	const { page } = session;
	await waitForView(page, new URL(path, 'http://x').pathname, title);
	await assertOneHeading(page, path);
	await checkBothSchemes(page, t, path);
	await screenshot(page, name);
}

export function pageTests(test) {
	for (const spec of PUBLIC_VIEWS) {
		test(`view ${spec.path}: loads cleanly, axe in light and dark, screenshots`, async (session, t) => {
			await session.goto(spec.path);
			await checkView(session, t, spec);
		});
	}

	for (const spec of STATIC_PAGES) {
		test(`page ${spec.path}: loads cleanly, axe in light and dark, screenshots`, async (session, t) => {
			const { page } = session;
			await session.goto(spec.path);
			assert.match(await page.locator('h1').first().innerText(), spec.heading);
			await checkBothSchemes(page, t, spec.path);
			await screenshot(page, spec.name);
		});
	}

	// axe-core cannot run here (it needs the page's scripts); the page itself
	// is checked with JavaScript above.
	test('page /crisis.html works without JavaScript', { javaScriptEnabled: false }, async (session) => {
		const { page } = session;
		await session.goto('/crisis.html');
		const content = await page.locator('main').innerText();
		assert.match(content, /988/);
		assert.match(content, /911/);
		assert.ok(await page.locator('a[href="tel:988"]').count() > 0, 'no tel:988 link');
	});

	test('the shell without JavaScript is the landing page with the crisis block', { javaScriptEnabled: false }, async (session) => {
		const { page } = session;
		await session.goto('/settings');
		const content = await page.locator('main').innerText();
		assert.match(content, /988/);
		assert.match(content, /741741/);
		assert.match(content, /911/);
		assert.ok(await page.locator('a[data-quick-exit]').count() > 0, 'no Quick exit link');
	});

	test('a signed-out visitor to /settings is sent to sign in, and back there after', async (session) => {
		const { page } = session;
		const { user } = await createSeeker(session);
		const passphrase = 'a passphrase for this test';
		const set = await apiCall(page, 'POST', '/api/auth/password', { new_password: passphrase });
		assert.ok(set.status >= 200 && set.status < 300, `POST /api/auth/password: ${JSON.stringify(set)}`);
		const out = await apiCall(page, 'POST', '/api/auth/logout');
		assert.ok(out.status >= 200 && out.status < 300, `POST /api/auth/logout: ${JSON.stringify(out)}`);

		await session.goto('/settings?tab=data');
		await waitForView(page, '/signin', 'titles.signin');
		assert.equal(new URL(page.url()).searchParams.get('next'), '/settings?tab=data');
		await page.fill('#signin-username', user.username);
		await page.fill('#signin-password', passphrase);
		await page.locator('#main form button[type="submit"]').click();
		await waitForView(page, '/settings', 'titles.settings');
		assert.equal(new URL(page.url()).search, '?tab=data');
		assert.equal(await page.locator('[role="tab"][aria-selected="true"]').innerText(), text('settings.tabs.data'));
	});

	// The views behind sign-in, seen by a seeker.
	test('view /consent (signed in, documents missing): axe in light and dark, screenshots', async (session, t) => {
		const { page } = session;
		await createSeeker(session, { consents: false });
		await session.goto('/consent');
		await checkView(session, t, { name: 'consent', path: '/consent', title: 'titles.consent' });
		const documents = await page.locator('#main h2').allInnerTexts();
		assert.ok(documents.includes(text('consent.documents.terms_of_service.title')), `documents: ${documents}`);
		assert.ok(documents.includes(text('consent.documents.privacy_policy.title')), `documents: ${documents}`);
	});

	// A phone, or a laptop at 200 % zoom: the sticky header must leave the page most of the window.
	test('a narrow window: the app bar folds behind Menu, which opens, closes with Escape and on a new page', { viewport: { width: 320, height: 568 } }, async (session) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness');
		await waitForView(page, '/wellness', 'titles.wellness');
		const height = () => page.evaluate(() => document.querySelector('.site-header').getBoundingClientRect().height);
		assert.ok(await height() <= 568 / 4, `the sticky header is ${await height()} px of a 568 px window`);
		assert.equal(await page.locator('#get-help').isVisible(), true);
		assert.equal(await page.locator('#quick-exit').isVisible(), true);
		const menu = page.getByRole('button', { name: text('shell.menu'), exact: true });
		assert.equal(await page.locator('#nav-feed').isVisible(), false);
		await menu.focus();
		await page.keyboard.press('Enter');
		assert.equal(await menu.getAttribute('aria-expanded'), 'true');
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.closest('.app-nav') !== null), true, 'Tab after Menu is not in the menu');
		await page.keyboard.press('Escape');
		assert.equal(await menu.getAttribute('aria-expanded'), 'false');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'menu-toggle');
		await menu.click();
		await page.locator('#nav-feed').click();
		await waitForView(page, '/feed', 'titles.feed');
		assert.equal(await menu.getAttribute('aria-expanded'), 'false');
		assert.equal(await page.locator('#nav-feed').isVisible(), false);
	});

	// Sessions open with reduced motion (harness.mjs). The stylesheet must then
	// turn transitions off, not make them short: a short duration on every
	// element would start a transition of every colour on a theme switch, and
	// for a frame the page (and axe) would see stale text on new backgrounds.
	test('with reduced motion, switching the colour scheme starts no transition', async (session) => {
		const { page } = session;
		await session.goto('/');
		await waitForView(page, '/', 'titles.home');
		assert.equal(await page.evaluate(() => window.matchMedia('(prefers-reduced-motion: reduce)').matches), true);
		for (const colorScheme of ['dark', 'light']) {
			await page.emulateMedia({ colorScheme });
			const running = await page.evaluate(() => document.getAnimations()
				.filter((a) => a instanceof CSSTransition)
				.map((a) => `${a.effect.target.tagName.toLowerCase()}.${a.effect.target.className}: ${a.transitionProperty}`));
			assert.deepEqual(running, [], `transitions after switching to ${colorScheme}`);
		}
	});

	test('Quiet Space: box breathing goes round in, hold, out, hold, four seconds each, counting rounds; Stop ends it', async (session) => {
		const { page } = session;
		await page.clock.install();
		await session.goto('/quiet-space');
		await waitForView(page, '/quiet-space', 'titles.quietSpace');
		const prompt = page.locator('.breath-prompt');
		const count = page.locator('.breath-count');
		const rounds = page.locator('.breath + .note, .breath .note').first();
		await page.getByRole('button', { name: text('quiet.start'), exact: true }).click();
		assert.equal(await prompt.innerText(), text('quiet.phase.in'));
		assert.equal(await count.innerText(), '1');
		await page.clock.runFor(3100);
		assert.equal(await count.innerText(), '4', 'the count does not reach 4 within a phase');
		assert.equal(await prompt.innerText(), text('quiet.phase.in'));
		for (const phase of ['holdFull', 'out', 'holdEmpty']) {
			await page.clock.runFor(1000);
			assert.equal(await prompt.innerText(), text(`quiet.phase.${phase}`), `not ${phase} after four seconds more`);
			assert.equal(await count.innerText(), '1');
			await page.clock.runFor(3000);
		}
		await page.clock.runFor(1000);
		assert.equal(await prompt.innerText(), text('quiet.phase.in'), 'a second round does not begin after 16 s');
		const words = JSON.parse(fs.readFileSync(path.join(path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs')), 'i18n', 'en', 'pages.json'), 'utf8')).quiet.rounds;
		assert.equal(await rounds.innerText(), words.one.replace('{count}', '1'));
		await page.getByRole('button', { name: text('quiet.stop'), exact: true }).click();
		assert.equal(await prompt.innerText(), text('quiet.stopped'));
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.textContent), text('quiet.start'));
	});

	test('views / and /account (signed in): axe in light and dark, screenshots', async (session, t) => {
		const { page } = session;
		const { user } = await createSeeker(session);
		await session.goto('/');
		await checkView(session, t, { name: 'home-signed-in', path: '/', title: 'titles.home' });
		// How many helpers are online, as GET /api/helpers/online-count says; with none, what to do.
		const note = page.locator('.online-count[data-online]');
		await note.waitFor();
		const online = (await apiCall(page, 'GET', '/api/helpers/online-count')).body.online;
		assert.equal(Number(await note.getAttribute('data-online')), online);
		const words = JSON.parse(fs.readFileSync(path.join(path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs')), 'i18n', 'en', 'pages.json'), 'utf8')).home.online;
		assert.equal(await note.innerText(), online === 0 ? text('home.onlineNone')
			: (online === 1 ? words.one : words.other).replace('{count}', String(online)));
		// The host's donation page (site.donation_url), linked from the footer.
		const donate = page.locator('.site-footer a[data-donate]');
		await donate.waitFor();
		assert.equal(await donate.getAttribute('href'), DONATION_URL);
		assert.equal(await donate.innerText(), text('footer.donate'));
		await session.goto('/account');
		await checkView(session, t, { name: 'account', path: '/account', title: 'titles.account' });
		assert.match(await page.locator('#main').innerText(), new RegExp(user.display_name));
		// Change display name: a name of spaces is refused in the dialog; a new one shows at once.
		await page.locator('button[data-action="rename"]').click();
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		const nameInput = dialog.getByLabel(text('account.displayName'), { exact: true });
		assert.equal(await nameInput.inputValue(), user.display_name);
		await nameInput.fill('Slow Tide');
		await dialog.getByRole('button', { name: text('account.renameSave'), exact: true }).click();
		await dialog.waitFor({ state: 'detached' });
		await page.locator('.toasts .toast-text').filter({ hasText: text('account.renamed', { name: 'Slow Tide' }) }).waitFor();
		await page.locator('dl.details dd').filter({ hasText: 'Slow Tide' }).first().waitFor();
		assert.equal((await apiCall(page, 'GET', '/api/auth/session')).body.user.display_name, 'Slow Tide');
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.dataset.action), 'rename');
	});

	test('/settings, Your data: the access log names what a seeker did in words, in English and in Spanish', async (session) => {
		const { page } = session;
		await createSeeker(session);
		for (const [method, where, body] of [
			['POST', '/api/wellness/mood', { mood: 2, anxiety: 3, sleep: 3, energy: 3, tags: [], note: '', timezone: 'UTC' }],
			['GET', '/api/wellness/journal'],
			['GET', '/api/wellness/safety-plan'],
			['POST', '/api/posts', { category: 'Stress', content: 'Words for the access log test.' }],
		]) {
			const done = await apiCall(page, method, where, body);
			assert.ok(done.status < 300, `${method} ${where}: ${JSON.stringify(done)}`);
		}
		for (const lang of ['en', 'es']) {
			await apiCall(page, 'PUT', '/api/me/preferences', { language: lang });
			await session.goto('/settings?tab=data');
			const log = page.locator('.access-log > li');
			await log.first().waitFor();
			const lines = await log.allInnerTexts();
			assert.ok(lines.length >= 4, `the access log: ${JSON.stringify(lines)}`);
			const raw = lines.filter((line) => /\b[a-z]+_[a-z_]+\b/.test(line));
			assert.deepEqual(raw, [], `${lang}: entries show the server's action codes`);
		}
	});

	test('view /settings, every tab (signed in): axe in light and dark, screenshots', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		for (const tab of ['appearance', 'content', 'privacy', 'blocked', 'security', 'data']) {
			await session.goto(`/settings?tab=${tab}`);
			await waitForView(page, '/settings', 'titles.settings');
			const selected = page.locator('[role="tab"][aria-selected="true"]');
			assert.equal(await selected.innerText(), text(`settings.tabs.${tab}`));
			await page.locator('[role="tabpanel"] h2').first().waitFor();
			await assertOneHeading(page, `/settings?tab=${tab}`);
			await checkBothSchemes(page, t, `/settings?tab=${tab}`);
			if (tab === 'appearance') {
				await screenshot(page, 'settings');
			} else if (tab === 'security' || tab === 'data') {
				await screenshot(page, `settings-${tab}`);
			}
		}
	});

	test('in Spanish, no view shows a string that only the English catalogues have', async (session) => {
		const { page } = session;
		const englishOnly = englishOnlyStrings();
		await createSeeker(session);
		await apiCall(page, 'PUT', '/api/me/preferences', { language: 'es' });
		const seen = [];
		for (const where of SEEKER_VIEWS) {
			await session.goto(where);
			await page.waitForFunction(() => document.documentElement.lang === 'es' && document.querySelector('#main .view h1') !== null);
			await page.waitForLoadState('networkidle');
			for (const value of await pageStrings(page)) {
				if (englishOnly.has(value)) {
					seen.push(`${where}: "${value}" (${englishOnly.get(value)})`);
				}
			}
		}
		assert.deepEqual([...new Set(seen)], [], 'English text in the Spanish pages');
	});

	test('view /mfa (signed in): axe before and after the QR code, screenshots', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/mfa');
		await checkView(session, t, { name: 'mfa', path: '/mfa', title: 'titles.mfa' });
		await page.getByRole('button', { name: text('mfa.begin') }).click();
		await page.locator('canvas.qr-code').waitFor();
		await page.locator('#mfa-secret').waitFor();
		await page.waitForLoadState('networkidle');
		await checkBothSchemes(page, t, '/mfa with the QR code');
		await screenshot(page, 'mfa-qr');
	});
}
