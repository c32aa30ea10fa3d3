// Peer support in the browser, with two people in two browser contexts:
// - a seeker posts; a helper (a second context) makes a profile, goes online
//   with the dashboard's switch and accepts the post; both chat in real time
//   (each sees the other's message, typing and read marks without a reload);
//   Markdown is drawn safely; the emergency button is held, confirmed and
//   shows the crisis card; the seeker marks the post resolved (the helper's
//   chat ends live), gives kudos, feedback and a favourite;
// - the Markdown renderer makes elements from text only (no HTML, only http(s) links);
// - a long chat shows the "take a break" note; Block ends the chat and blocks the helper;
// - private requests from a helper's profile arrive live on the dashboard;
//   declined, they come back to the seeker only (who may share them);
//   accepted, they open the chat; a new message raises the unread badge live;
// - a crisis phrase in a post shows the crisis card before anything else;
// - past the person's budget of posts (429), /share says calmly when they can
//   post again, in English and in Spanish, the crisis card still first when
//   the refused post was flagged;
// - the feed: For you / Community, search, "Load more", a hidden topic
//   blurred until shown, support, and the report dialog with its five reasons;
// - reflections with a light;
// - axe-core in light and dark on every new view, and their screenshots.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SRC, Session, checkA11y, screenshot } from './harness.mjs';
import { acceptConsents, apiCall, checkBothSchemes, checkView, createSeeker, deafStream, text, untilStreamHeard, waitForToast, waitForView } from './app.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));
const PEER = JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'peer.json'), 'utf8'));
const HELPERS = JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'helpers.json'), 'utf8'));
const LIVE_MS = 5000;

/** A string of the peer catalogue as the page shows it ({name} filled, {one, other} by count). */
function ptext(key, vars = {}) {
	let node = PEER;
	for (const part of key.split('.')) {
		node = node && typeof node === 'object' ? node[part] : undefined;
	}
	if (node && typeof node === 'object' && typeof vars.count === 'number') {
		node = vars.count === 1 ? node.one : node.other;
	}
	if (typeof node !== 'string') {
		throw new Error(`no string ${key} in peer.json`);
	}
	return node.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

function titleOf(key) {
	return `${text(key)} | ${text('shell.siteName')}`;
}

/** Wait until the router shows a view whose path matches (a RegExp or a string). */
async function waitForPage(page, pathname, titleKey) {
	await page.waitForURL((url) => (pathname instanceof RegExp ? pathname.test(url.pathname) : url.pathname === pathname));
	await page.waitForFunction((expected) => document.title === expected && document.querySelector('#main .view h1') !== null,
		titleOf(titleKey));
	await page.waitForLoadState('networkidle');
}

/** A helper account made through the API in this context, consents given; the page is left on /. */
async function createHelper(session, displayName) {
	const { page } = session;
	await session.goto('/');
	const username = `helper-${crypto.randomBytes(5).toString('hex')}`;
	const created = await apiCall(page, 'POST', '/api/auth/register', {
		username, password: 'a long test passphrase for helpers', display_name: displayName,
	});
	assert.equal(created.status, 201, `POST /api/auth/register: ${JSON.stringify(created)}`);
	await acceptConsents(page);
	return created.body.user;
}

/** A second person: a fresh context of the same browser, checked like the first at the end. */
async function otherPerson(session) {
	return Session.open(session.context.browser(), session.stack);
}

async function closeOther(other) {
	const problems = other.problems();
	await other.close();
	assert.deepEqual(problems, [], `the second browser context recorded problems:\n${problems.join('\n')}`);
}

/** Post through the API from a page signed in as a seeker; returns the Post. */
async function postViaApi(page, category, content) {
	const result = await apiCall(page, 'POST', '/api/posts', { category, content });
	assert.equal(result.status, 201, `POST /api/posts: ${JSON.stringify(result)}`);
	return result.body;
}

/** The card of a post in the page, found by a piece of its text. */
function cardWith(page, content) {
	return page.locator('article.post-card').filter({ hasText: content });
}

async function confirmDialog(page, label) {
	const dialog = page.locator('dialog[open]');
	await dialog.waitFor();
	await dialog.getByRole('button', { name: label, exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
}

/**
 * A help session made through the API: a seeker (this session) posts, a helper
 * (another context, left open for the caller to close) makes a profile, goes
 * online and accepts. Returns { helper, helperUser, sessionId, post }.
 */
async function sessionViaApi(session, helperName) {
	await createSeeker(session);
	const post = await postViaApi(session.page, 'Loneliness', `Feeling alone tonight ${crypto.randomBytes(3).toString('hex')}`);
	const helper = await otherPerson(session);
	const helperUser = await createHelper(helper, helperName);
	const made = await apiCall(helper.page, 'POST', '/api/helpers/me', { bio: 'Here to listen.', expertise: ['Loneliness'] });
	assert.equal(made.status, 201, `POST /api/helpers/me: ${JSON.stringify(made)}`);
	const online = await apiCall(helper.page, 'PUT', '/api/helpers/me/availability', { online: true });
	assert.equal(online.status, 200, `PUT /api/helpers/me/availability: ${JSON.stringify(online)}`);
	const accepted = await apiCall(helper.page, 'POST', `/api/posts/${post.id}/accept`);
	assert.equal(accepted.status, 201, `POST /api/posts/{id}/accept: ${JSON.stringify(accepted)}`);
	return { helper, helperUser, sessionId: accepted.body.id, post };
}

export function peerSupportTests(test) {
	test('peer support: the Markdown renderer builds elements from text only', async (session) => {
		const { page } = session;
		await session.goto('/');
		const out = await page.evaluate(async () => {
			const { markdown } = await import('/js/components/markdown.js');
			const html = (text) => markdown(text).innerHTML;
			return {
				html: html('<b>x</b> <script>alert(1)</script> <img src=x onerror=alert(1)>'),
				javascript: html('[a](javascript:alert(1)) [b](data:text/html,hi) [c](//evil.example/) [d](https://ok.example/p?q=1)'),
				inline: html('**bold** and *em* and _em2_ and `co*de*` and snake_case_name'),
				lists: html('- one\n- two\n\n3. three\n4. four'),
				fence: html('```\n<b>not bold</b>\n```'),
				breaks: html('line one\nline two\n\nnext paragraph'),
				nested: html('**bold with *em* inside**'),
				unclosed: html('**not closed and *also not'),
			};
		});
		assert.equal(out.html, '<p>&lt;b&gt;x&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>');
		assert.equal(out.javascript, '<p>[a](javascript:alert(1)) [b](data:text/html,hi) [c](//evil.example/) ' +
			'<a href="https://ok.example/p?q=1" rel="noopener noreferrer" target="_blank" data-no-route="">d</a></p>');
		assert.equal(out.inline, '<p><strong>bold</strong> and <em>em</em> and <em>em2</em> and <code>co*de*</code> and snake_case_name</p>');
		assert.equal(out.lists, '<ul><li>one</li><li>two</li></ul><ol start="3"><li>three</li><li>four</li></ol>');
		assert.equal(out.fence, '<pre><code>&lt;b&gt;not bold&lt;/b&gt;</code></pre>');
		assert.equal(out.breaks, '<p>line one<br>line two</p><p>next paragraph</p>');
		assert.equal(out.nested, '<p><strong>bold with <em>em</em> inside</strong></p>');
		assert.equal(out.unclosed, '<p>**not closed and *also not</p>');
	});

	test('peer support: in a long chat a "take a break" note shows; Block ends the chat and blocks the helper', async (session, t) => {
		const { page } = session;
		const { helper, helperUser, sessionId } = await sessionViaApi(session, 'Quiet Harbour');
		try {
			// 29 messages through the API; the 30th, sent in the page, brings the note.
			for (let i = 1; i <= 29; i += 1) {
				const sender = i % 2 ? page : helper.page;
				const sent = await apiCall(sender, 'POST', `/api/sessions/${sessionId}/messages`, { text: `message ${i}`, client_key: `bulk-${i}` });
				assert.equal(sent.status, 201, `message ${i}: ${JSON.stringify(sent)}`);
			}
			await session.goto(`/chat/${sessionId}`);
			await waitForPage(page, `/chat/${sessionId}`, 'titles.chat');
			await page.locator('#chat-input').waitFor();
			assert.equal(await page.locator('.chat-break .warning').count(), 0, 'the note shows before any new message');
			await page.locator('#chat-input').fill('message 30');
			await page.locator('#chat-input').press('Enter');
			await page.locator('.chat-break .warning').waitFor({ timeout: LIVE_MS });
			assert.equal(await page.locator('.chat-log > li').count(), 30);

			// Block: confirmed, then the chat ends and the seeker leaves it.
			await page.getByRole('button', { name: ptext('chat.block'), exact: true }).click();
			const dialog = page.locator('dialog[open]');
			await dialog.waitFor();
			await checkA11y(page, { label: 'block confirmation' });
			await confirmDialog(page, ptext('chat.block'));
			await waitForPage(page, '/activity', 'titles.activity');
			await waitForToast(page, ptext('chat.blocked', { name: 'Quiet Harbour' }));
			const blocks = await apiCall(page, 'GET', '/api/me/blocks');
			assert.ok(blocks.body.items.some((item) => item.user_id === helperUser.id), `the helper is not blocked: ${JSON.stringify(blocks.body)}`);
			const ended = await apiCall(page, 'GET', `/api/sessions/${sessionId}`);
			assert.ok(ended.body.ended_at, `the chat did not end: ${JSON.stringify(ended.body)}`);
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a message whose live event was lost on the way still shows, fetched when the next one names it', async (session) => {
		const { page } = session;
		const { helper, sessionId } = await sessionViaApi(session, 'Still Water');
		try {
			// The stream between nchan and the page, with the first message.new of this chat dropped,
			// as a publish that met a real-time store coming back would be lost.
			let dropped = false;
			await page.routeWebSocket(/\/api\/rt\/connect/, (ws) => {
				const server = ws.connectToServer();
				server.onMessage((frame) => {
					if (!dropped && typeof frame === 'string' && frame.includes('"message.new"') && frame.includes(sessionId)) {
						dropped = true;
						return;
					}
					ws.send(frame);
				});
				ws.onMessage((frame) => server.send(frame));
			});
			await session.goto(`/chat/${sessionId}`);
			await waitForPage(page, `/chat/${sessionId}`, 'titles.chat');
			await page.locator('#chat-input').waitFor();
			await page.locator('.chat-connection', { hasText: ptext('chat.live') }).waitFor({ timeout: LIVE_MS });

			const lost = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'the words that got lost', client_key: 'lost-1' });
			assert.equal(lost.status, 201, JSON.stringify(lost));
			for (let waited = 0; !dropped; waited += 50) {
				assert.ok(waited < LIVE_MS, 'the first message.new never reached the stream');
				await page.waitForTimeout(50);
			}
			assert.equal(await page.locator('.chat-log > li', { hasText: 'the words that got lost' }).count(), 0,
				'the dropped message showed without its event');

			const next = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'and the next words', client_key: 'next-1' });
			assert.equal(next.status, 201, JSON.stringify(next));
			await page.locator('.chat-log > li', { hasText: 'and the next words' }).waitFor({ timeout: LIVE_MS });
			await page.locator('.chat-log > li', { hasText: 'the words that got lost' }).waitFor({ timeout: LIVE_MS });
			const order = await page.locator('.chat-log > li').allTextContents();
			const at = (words) => order.findIndex((line) => line.includes(words));
			assert.ok(at('the words that got lost') < at('and the next words'), `out of order: ${JSON.stringify(order)}`);
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a chat whose open stream hears nothing fetches what it missed after a quiet minute', async (session) => {
		const { page } = session;
		const { helper, sessionId } = await sessionViaApi(session, 'Quiet Stream Helper');
		try {
			// The stream stays open and the page hears none of it, as a stream nchan 1.3.6 left deaf
			// after its Redis store came back (docs/scaling.md).
			const heard = await deafStream(page);
			await page.clock.install();
			await session.goto(`/chat/${sessionId}`);
			await waitForPage(page, `/chat/${sessionId}`, 'titles.chat');
			await page.locator('#chat-input').waitFor();
			await page.locator('.chat-connection', { hasText: ptext('chat.live') }).waitFor({ timeout: LIVE_MS });

			const sent = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'are you still there?', client_key: 'quiet-1' });
			assert.equal(sent.status, 201, JSON.stringify(sent));
			await untilStreamHeard(page, heard, 'the message', LIVE_MS);
			await page.waitForTimeout(500);
			const message = page.locator('.chat-log > li', { hasText: 'are you still there?' });
			assert.equal(await message.count(), 0, 'the message showed although the stream heard nothing');
			await page.clock.fastForward('01:01');
			await message.waitFor({ timeout: LIVE_MS });
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a send that fails keeps the words with "Try again"; once it goes through, the error goes too', async (session) => {
		const { page } = session;
		const { helper, sessionId } = await sessionViaApi(session, 'Steady Hand');
		try {
			await session.goto(`/chat/${sessionId}`);
			await waitForPage(page, `/chat/${sessionId}`, 'titles.chat');
			// The first send meets a server that cannot answer.
			await page.route('**/api/sessions/*/messages', (route) => (route.request().method() === 'POST'
				? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"service_unavailable","message":"busy"}}' })
				: route.continue()), { times: 1 });
			await page.locator('#chat-input').fill('words that must not be lost');
			await page.locator('#chat-input').press('Enter');
			const mine = page.locator('.chat-log > li', { hasText: 'words that must not be lost' });
			await mine.locator('.bubble-failed').waitFor();
			const status = page.locator('.chat-composer .status');
			assert.equal(await status.innerText(), text('apiErrors.service_unavailable'));
			await mine.getByRole('button', { name: text('common.retry'), exact: true }).click();
			await mine.locator('.bubble-failed').waitFor({ state: 'detached' });
			const stored = await apiCall(helper.page, 'GET', `/api/sessions/${sessionId}/messages`);
			assert.deepEqual(stored.body.items.map((m) => m.text), ['words that must not be lost']);
			assert.equal(await status.innerText(), '', 'the error of the failed send still shows after it went through');
			assert.equal(await page.locator('.chat-log .bubble-failed').count(), 0);
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: seeker posts, helper accepts, both chat in real time, the seeker resolves and gives kudos', async (session, t) => {
		const seekerPage = session.page;
		await createSeeker(session);
		const helper = await otherPerson(session);
		try {
			const helperPage = helper.page;
			const helperName = 'Calm River';
			const helperUser = await createHelper(helper, helperName);

			// The seeker shares a post through the form.
			const postText = `Exams are close and I cannot sleep ${crypto.randomBytes(3).toString('hex')}`;
			await session.goto('/share');
			await waitForPage(seekerPage, '/share', 'titles.share');
			await checkView(seekerPage, t, 'share', '/share');
			await seekerPage.selectOption('#share-category', 'Stress');
			await seekerPage.fill('#share-content', postText);
			assert.match(await seekerPage.locator('.char-counter').innerText(), new RegExp(`${[...postText].length} / 5000`));
			await seekerPage.getByRole('button', { name: ptext('share.submit') }).click();
			await waitForPage(seekerPage, '/activity', 'titles.activity');
			const myPost = cardWith(seekerPage, postText);
			await myPost.waitFor();
			assert.match(await myPost.innerText(), new RegExp(ptext('postStatus.active')));

			// The helper: no profile yet, so the dashboard asks for one; then online.
			await helper.goto('/helper');
			await waitForPage(helperPage, '/helper', 'titles.dashboard');
			await helperPage.locator('#profile-bio').waitFor();
			await checkView(helperPage, t, 'helper-profile-form', '/helper (no profile yet)');
			await helperPage.fill('#profile-bio', 'I listen without judging. Exams were hard for me too.');
			await helperPage.getByLabel(ptext('expertise.Anxiety & Stress')).check();
			await helperPage.getByLabel(ptext('expertise.Academic/Work Stress')).check();
			await helperPage.getByRole('button', { name: ptext('dashboard.createProfile') }).click();
			const toggle = helperPage.locator('#availability-toggle');
			await toggle.waitFor();
			assert.equal(await toggle.getAttribute('aria-checked'), 'false');
			await toggle.click();
			await helperPage.waitForFunction(() => document.querySelector('#availability-toggle').getAttribute('aria-checked') === 'true');
			const profile = await apiCall(helperPage, 'GET', '/api/helpers/me');
			assert.equal(profile.body.online, true, `the helper is not online: ${JSON.stringify(profile)}`);

			// The post waits in the dashboard; the helper accepts it.
			const waiting = cardWith(helperPage, postText);
			await waiting.waitFor();
			await checkView(helperPage, t, 'helper-dashboard', '/helper');
			await waiting.locator('button[data-action="accept"]').click();
			await waitForPage(helperPage, /^\/chat\/[0-9a-f-]{36}$/, 'titles.chat');
			await helperPage.locator('#chat-input').waitFor();
			const chatPath = new URL(helperPage.url()).pathname;
			// A first chat earns the helper an achievement, told live.
			await waitForToast(helperPage, ptext('notices.achievement', { name: ptext('achievements.first_step.name') }));

			// The seeker's activity follows by itself: "View chat" appears without a reload.
			const viewChat = myPost.locator('a[data-action="view-chat"]');
			await viewChat.waitFor({ timeout: LIVE_MS });
			assert.match(await myPost.innerText(), new RegExp(ptext('postStatus.in_progress')));
			await viewChat.click();
			await waitForPage(seekerPage, chatPath, 'titles.chat');
			await seekerPage.locator('#chat-input').waitFor();
			assert.equal(await seekerPage.locator('#main h1').innerText(), ptext('chat.titleWithHelper', { name: helperName }));
			assert.equal(await seekerPage.locator('a[data-helper-profile]').getAttribute('href'), `/helpers/${helperUser.id}`);
			assert.equal(await helperPage.locator('a[data-helper-profile]').count(), 0, 'the helper is offered their own profile');
			await seekerPage.locator('.chat-connection').filter({ hasText: ptext('chat.live') }).waitFor({ timeout: LIVE_MS });
			await helperPage.locator('.chat-connection').filter({ hasText: ptext('chat.live') }).waitFor({ timeout: LIVE_MS });

			// Seeker → helper, live; the helper sees the typing indicator first.
			await seekerPage.locator('#chat-input').pressSequentially('Hi, thank you');
			await helperPage.locator('.chat-typing').filter({ hasText: ptext('chat.typing', { name: ptext('chat.seeker') }) })
				.waitFor({ timeout: LIVE_MS });
			await seekerPage.locator('#chat-input').fill('Hi, **thank you** for taking this');
			await seekerPage.locator('#chat-input').press('Enter');
			const atHelper = helperPage.locator('.bubble-theirs').filter({ hasText: 'for taking this' });
			await atHelper.waitFor({ timeout: LIVE_MS });
			assert.equal(await atHelper.locator('strong').innerText(), 'thank you');

			// Read marks: the helper has the chat open, so the seeker's message turns "Read".
			await seekerPage.locator('.bubble-mine [data-read="true"]').first().waitFor({ timeout: LIVE_MS });

			// Helper → seeker, live, with Markdown drawn safely: no HTML, no script link.
			const reply = 'I am here. *Breathe* first:\n\n- one\n- two\n\n<img src=x id=injected> [bad](javascript:alert(1)) [ok](https://example.org/)';
			await helperPage.locator('#chat-input').fill(reply);
			await helperPage.getByRole('button', { name: ptext('chat.send'), exact: true }).click();
			const atSeeker = seekerPage.locator('.bubble-theirs').filter({ hasText: 'Breathe' });
			await atSeeker.waitFor({ timeout: LIVE_MS });
			assert.equal(await atSeeker.locator('em').innerText(), 'Breathe');
			assert.equal(await atSeeker.locator('li').count(), 2);
			assert.equal(await seekerPage.locator('#injected').count(), 0, 'HTML in a message became an element');
			assert.match(await atSeeker.innerText(), /<img src=x id=injected>/);
			assert.equal(await atSeeker.locator('a[href^="javascript"]').count(), 0, 'a javascript: link was drawn');
			const link = atSeeker.locator('a[href="https://example.org/"]');
			assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
			await checkView(seekerPage, t, 'chat', `${chatPath} (seeker)`);
			await checkView(helperPage, t, 'chat-helper', `${chatPath} (helper)`);

			// Emergency: a click does nothing; held for 3 s it asks, then alerts and shows the crisis card.
			const emergency = seekerPage.getByRole('button', { name: ptext('chat.emergency') });
			await emergency.click();
			assert.equal(await seekerPage.locator('dialog[open]').count(), 0, 'a plain click opened the emergency dialog');
			// Held until the dialog opens (a page slowed down by a busy machine may count the 3 s
			// late; letting go at a fixed moment could then cancel the hold), and not opened before.
			await emergency.focus();
			const holdStart = Date.now();
			await seekerPage.keyboard.down('Space');
			await seekerPage.locator('dialog[open]').waitFor({ timeout: 30_000 });
			const held = Date.now() - holdStart;
			await seekerPage.keyboard.up('Space');
			assert.ok(held >= 3000, `the emergency dialog opened after ${held} ms of holding, before 3 s`);
			await checkA11y(seekerPage, { label: 'emergency confirmation' });
			await confirmDialog(seekerPage, ptext('chat.emergencyConfirm'));
			const card = seekerPage.locator('[data-crisis-card]');
			await card.waitFor();
			await waitForToast(seekerPage, ptext('chat.emergencySent'));
			assert.equal(await seekerPage.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-crisis-card')), true);
			for (const href of ['tel:988', 'sms:988', 'tel:911', 'https://findahelpline.com/']) {
				assert.equal(await card.locator(`a[href="${href}"]`).count(), 1, `the crisis card has no ${href}`);
			}
			assert.ok(await card.locator('a[href^="sms:741741"]').count() >= 1, 'the crisis card has no 741741');
			await card.getByRole('button', { name: ptext('crisisCard.close') }).click();

			// The helper brings in a moderator (no AI on this stack: the button is the chat's own).
			assert.equal(await seekerPage.locator('button[data-action="alert-moderators"]').count(), 0, 'the seeker has the helper\'s alert');
			await helperPage.locator('button[data-action="alert-moderators"]').click();
			await confirmDialog(helperPage, ptext('chat.alertConfirm'));
			await waitForToast(helperPage, ptext('chat.alertSent'));

			// The seeker marks the post resolved; the helper's chat ends live.
			await session.goto('/activity');
			await waitForPage(seekerPage, '/activity', 'titles.activity');
			await checkView(seekerPage, t, 'activity', '/activity');
			await cardWith(seekerPage, postText).locator('button[data-action="resolve"]').click();
			await confirmDialog(seekerPage, ptext('activity.resolve'));
			await cardWith(seekerPage, postText).filter({ hasText: ptext('postStatus.resolved') }).waitFor();
			await helperPage.locator('#chat-ended-title').waitFor({ timeout: LIVE_MS });
			assert.equal(await helperPage.locator('#chat-input').isVisible(), false, 'the helper can still type in an ended chat');

			// Past chats: kudos, "was it helpful", favourite.
			await seekerPage.getByRole('tab', { name: ptext('activity.tabs.sessions') }).click();
			const past = seekerPage.locator(`article.session-card[data-session-id="${chatPath.split('/').pop()}"]`);
			await past.locator('button[data-action="kudos"]').waitFor();
			await past.locator('button[data-action="kudos"]').click();
			await past.getByText(ptext('activity.kudosSent')).waitFor();
			await past.locator('button[data-action="helpful"]').click();
			await past.getByText(ptext('activity.feedbackYes')).waitFor();
			await past.locator('button[data-action="favorite"]').click();
			await seekerPage.waitForFunction(() => document.querySelector('button[data-action="favorite"]').getAttribute('aria-pressed') === 'true');
			await checkView(seekerPage, t, 'activity-sessions', '/activity?tab=sessions');
			const sessions = await apiCall(seekerPage, 'GET', '/api/sessions?status=ended');
			const ended = sessions.body.items.find((item) => `/chat/${item.id}` === chatPath);
			assert.ok(ended, `the chat is not among the ended ones: ${JSON.stringify(sessions.body)}`);
			assert.equal(ended.kudos_given, true);
			assert.equal(ended.feedback, true);
			assert.equal(ended.favorite, true);
			assert.equal(ended.ended_by, 'resolved');

			// The favourite helper, and their public profile with the reputation to two decimals.
			await seekerPage.getByRole('tab', { name: ptext('activity.tabs.helpers') }).click();
			const favourite = seekerPage.locator(`article.helper-card[data-helper-id="${helperUser.id}"]`);
			await favourite.waitFor();
			await checkView(seekerPage, t, 'activity-helpers', '/activity?tab=helpers');
			await favourite.getByRole('link', { name: helperName }).click();
			await waitForPage(seekerPage, `/helpers/${helperUser.id}`, 'titles.helperProfile');
			await seekerPage.locator('#main h1').filter({ hasText: helperName }).waitFor();
			await seekerPage.locator('#main .details').waitFor();
			const publicProfile = await apiCall(seekerPage, 'GET', `/api/helpers/${helperUser.id}`);
			assert.equal(typeof publicProfile.body.reputation, 'number', `no reputation after feedback: ${JSON.stringify(publicProfile.body)}`);
			assert.match(await seekerPage.locator('#main .details').innerText(),
				new RegExp(`${publicProfile.body.reputation.toFixed(2).replace('.', '\\.')} / 5`));
			await checkView(seekerPage, t, 'helper-public-profile', '/helpers/:id');
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: kudos given while a live refresh is on its way stays given', async (session) => {
		const seekerPage = session.page;
		const { helper, sessionId, post } = await sessionViaApi(session, 'Refresh Helper');
		try {
			const resolved = await apiCall(seekerPage, 'POST', `/api/posts/${post.id}/resolve`);
			assert.equal(resolved.status, 200, `POST /api/posts/{id}/resolve: ${JSON.stringify(resolved)}`);
			await session.goto('/activity?tab=sessions');
			await waitForPage(seekerPage, '/activity', 'titles.activity');
			const past = seekerPage.locator(`article.session-card[data-session-id="${sessionId}"]`);
			await past.locator('button[data-action="kudos"]').waitFor();

			// The kudos reaches the server only after a live refresh has fetched the lists: another
			// chat of this seeker ends meanwhile, and its session.ended makes the view redraw them
			// from what the server says before the kudos is stored.
			let kudosArrived;
			let letKudosGo;
			let staleServed;
			const arrived = new Promise((resolve) => { kudosArrived = resolve; });
			const go = new Promise((resolve) => { letKudosGo = resolve; });
			const served = new Promise((resolve) => { staleServed = resolve; });
			const kudosPath = (url) => url.pathname === `/api/sessions/${sessionId}/kudos`;
			const endedList = (url) => url.pathname === '/api/sessions' && url.searchParams.get('status') === 'ended';
			await seekerPage.route(kudosPath, async (route) => {
				kudosArrived();
				await go;
				await route.continue();
			});
			await seekerPage.route(endedList, async (route) => {
				await route.fulfill({ response: await route.fetch() });
				staleServed();
			});
			await past.locator('button[data-action="kudos"]').click();
			await arrived;
			const second = await postViaApi(seekerPage, 'Loneliness', `Another night ${crypto.randomBytes(3).toString('hex')}`);
			const accepted = await apiCall(helper.page, 'POST', `/api/posts/${second.id}/accept`);
			assert.equal(accepted.status, 201, `POST /api/posts/{id}/accept: ${JSON.stringify(accepted)}`);
			assert.equal((await apiCall(seekerPage, 'POST', `/api/posts/${second.id}/resolve`)).status, 200);
			await served;
			await past.locator('button[data-action="kudos"]').waitFor();
			letKudosGo();
			await past.getByText(ptext('activity.kudosSent')).waitFor();
			assert.equal(await past.locator('button[data-action="kudos"]').count(), 0, 'the card still offers kudos');
			await seekerPage.unroute(kudosPath);
			await seekerPage.unroute(endedList);
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a post accepted while the seeker\'s stream hears nothing shows as taken within a minute; a quiet minute redraws nothing', async (session) => {
		const seekerPage = session.page;
		await createSeeker(session);
		const content = `Nobody is awake ${crypto.randomBytes(3).toString('hex')}`;
		const post = await postViaApi(seekerPage, 'Loneliness', content);
		const helper = await otherPerson(session);
		try {
			const heard = await deafStream(seekerPage);
			await seekerPage.clock.install();
			await session.goto('/activity');
			await waitForPage(seekerPage, '/activity', 'titles.activity');
			const card = cardWith(seekerPage, content);
			await card.waitFor();
			// Nothing changed: the list is not drawn again (the person keeps their place).
			const before = await card.elementHandle();
			await seekerPage.clock.fastForward('01:01');
			await seekerPage.waitForTimeout(1000);
			assert.equal(await before.evaluate((node) => node.isConnected), true, 'a quiet minute redrew the list');

			await createHelper(helper, 'Night Owl Helper');
			assert.equal((await apiCall(helper.page, 'POST', '/api/helpers/me', { bio: 'Up late.', expertise: ['Loneliness'] })).status, 201);
			assert.equal((await apiCall(helper.page, 'PUT', '/api/helpers/me/availability', { online: true })).status, 200);
			const accepted = await apiCall(helper.page, 'POST', `/api/posts/${post.id}/accept`);
			assert.equal(accepted.status, 201, JSON.stringify(accepted));
			await untilStreamHeard(seekerPage, heard, 'the acceptance', LIVE_MS);
			await seekerPage.waitForTimeout(500);
			assert.equal(await card.locator('a[data-action="view-chat"]').count(), 0, 'the acceptance showed although the stream heard nothing');
			await seekerPage.clock.fastForward('01:01');
			await card.locator('a[data-action="view-chat"]').waitFor({ timeout: LIVE_MS });
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a private request whose event never came reaches the helper\'s dashboard within a minute', async (session) => {
		const seekerPage = session.page;
		await createSeeker(session);
		const helper = await otherPerson(session);
		try {
			const helperPage = helper.page;
			const helperUser = await createHelper(helper, 'Quiet Lantern');
			const made = await apiCall(helperPage, 'POST', '/api/helpers/me', { bio: 'Here at night.', expertise: ['Loneliness'] });
			assert.equal(made.status, 201, `POST /api/helpers/me: ${JSON.stringify(made)}`);
			const online = await apiCall(helperPage, 'PUT', '/api/helpers/me/availability', { online: true });
			assert.equal(online.status, 200, JSON.stringify(online));
			const heard = await deafStream(helperPage);
			await helperPage.clock.install();
			await helper.goto('/helper');
			await waitForPage(helperPage, '/helper', 'titles.dashboard');
			await helperPage.getByRole('tab', { name: HELPERS.program.tabs.requests }).click();
			await helperPage.locator('#main .state-empty').first().waitFor();

			const content = `Could we talk tonight? ${crypto.randomBytes(3).toString('hex')}`;
			const asked = await apiCall(seekerPage, 'POST', '/api/posts/direct-requests', { helper_id: helperUser.id, category: 'Loneliness', content });
			assert.equal(asked.status, 201, JSON.stringify(asked));
			await untilStreamHeard(helperPage, heard, 'the request', LIVE_MS);
			await helperPage.waitForTimeout(500);
			const request = cardWith(helperPage, content);
			assert.equal(await request.count(), 0, 'the request showed although the stream heard nothing');
			await helperPage.clock.fastForward('01:01');
			await request.waitFor({ timeout: LIVE_MS });
			assert.equal(await request.count(), 1, 'the request is listed twice');
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a seeker elsewhere in the app whose stream hears nothing is told within a minute that their post was taken', async (session) => {
		const seekerPage = session.page;
		await createSeeker(session);
		const content = `Is anyone up? ${crypto.randomBytes(3).toString('hex')}`;
		const post = await postViaApi(seekerPage, 'Loneliness', content);
		const helper = await otherPerson(session);
		try {
			const helperName = 'Midnight Lantern';
			await createHelper(helper, helperName);
			assert.equal((await apiCall(helper.page, 'POST', '/api/helpers/me', { bio: 'Awake with you.', expertise: ['Loneliness'] })).status, 201);
			assert.equal((await apiCall(helper.page, 'PUT', '/api/helpers/me/availability', { online: true })).status, 200);
			const heard = await deafStream(seekerPage);
			await seekerPage.clock.install();
			// The page reads the person's active sessions (none) when its stream opens.
			const tookStock = seekerPage.waitForResponse((response) => response.url().includes('/api/sessions?status=active'));
			await session.goto('/wellness');
			await waitForPage(seekerPage, '/wellness', 'titles.wellness');
			await tookStock;

			const accepted = await apiCall(helper.page, 'POST', `/api/posts/${post.id}/accept`);
			assert.equal(accepted.status, 201, JSON.stringify(accepted));
			await untilStreamHeard(seekerPage, heard, 'the acceptance', LIVE_MS);
			const told = ptext('notices.accepted', { name: helperName });
			// Every toast the page shows with that text, counted as it appears (toasts leave by themselves).
			await seekerPage.evaluate((text) => {
				window.toldCount = 0;
				new MutationObserver((records) => {
					for (const record of records) {
						for (const node of record.addedNodes) {
							if (node.nodeType === 1 && node.textContent.includes(text)) {
								window.toldCount += 1;
							}
						}
					}
				}).observe(document.body, { childList: true, subtree: true });
			}, told);
			await seekerPage.waitForTimeout(500);
			assert.equal(await seekerPage.evaluate(() => window.toldCount), 0, 'the acceptance was told although the stream heard nothing');
			await seekerPage.clock.fastForward('01:01');
			await waitForToast(seekerPage, told);
			// Told once: the next minute finds nothing new.
			await seekerPage.clock.fastForward('01:01');
			await seekerPage.waitForTimeout(1000);
			assert.equal(await seekerPage.evaluate(() => window.toldCount), 1, 'the acceptance was told more than once');
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a reply while the seeker is elsewhere puts a dot on My activity; reading the chat takes it away', async (session) => {
		const seekerPage = session.page;
		const { helper, sessionId } = await sessionViaApi(session, 'Quiet Harbour');
		try {
			// The page counts the unread messages of the person's active chats when its stream opens.
			const tookStock = seekerPage.waitForResponse((response) => response.url().includes('/api/sessions?status=active'));
			await session.goto('/wellness');
			await waitForPage(seekerPage, '/wellness', 'titles.wellness');
			await tookStock;
			assert.equal(await seekerPage.locator('#nav-activity .nav-dot').count(), 0, 'a dot before any message');
			for (const [i, text] of ['I am here with you.', 'Take your time.'].entries()) {
				const sent = await apiCall(helper.page, 'POST', `/api/sessions/${sessionId}/messages`, { text, client_key: `dot-${i}` });
				assert.equal(sent.status, 201, JSON.stringify(sent));
			}
			const dot = seekerPage.locator('#nav-activity .nav-dot[data-unread="2"]');
			await dot.waitFor({ timeout: LIVE_MS });
			assert.match(await seekerPage.locator('#nav-activity').innerText(), /\b2\b/, 'the count is not in the link\'s words');
			await session.goto(`/chat/${sessionId}`);
			await waitForPage(seekerPage, `/chat/${sessionId}`, 'titles.chat');
			await seekerPage.locator('.bubble-theirs').filter({ hasText: 'Take your time.' }).waitFor();
			await seekerPage.locator('#nav-activity .nav-dot').waitFor({ state: 'detached', timeout: LIVE_MS });
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a message whose event never came shows as unread on the helper\'s dashboard within a minute; a quiet minute redraws nothing', async (session) => {
		const seekerPage = session.page;
		const { helper, sessionId } = await sessionViaApi(session, 'Steady Lantern');
		try {
			const helperPage = helper.page;
			const heard = await deafStream(helperPage);
			await helperPage.clock.install();
			await helper.goto('/helper');
			await waitForPage(helperPage, '/helper', 'titles.dashboard');
			const card = helperPage.locator(`article.session-card[data-session-id="${sessionId}"]`);
			await card.waitFor();
			const before = await card.elementHandle();
			await helperPage.clock.fastForward('01:01');
			await helperPage.waitForTimeout(1000);
			assert.equal(await before.evaluate((node) => node.isConnected), true, 'a quiet minute redrew the active chats');

			const sent = await apiCall(seekerPage, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'Still there?', client_key: 'deaf-unread-1' });
			assert.equal(sent.status, 201, JSON.stringify(sent));
			await untilStreamHeard(helperPage, heard, 'the message', LIVE_MS);
			await helperPage.waitForTimeout(500);
			assert.equal(await card.locator('.unread-badge').count(), 0, 'the message showed although the stream heard nothing');
			await helperPage.clock.fastForward('01:01');
			await card.locator('.unread-badge').filter({ hasText: ptext('chat.unread', { count: 1 }) }).waitFor({ timeout: LIVE_MS });
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: private requests from a helper\'s profile, declined then accepted, live on the dashboard; unread badges', async (session, t) => {
		const seekerPage = session.page;
		await createSeeker(session);
		const helper = await otherPerson(session);
		try {
			const helperPage = helper.page;
			const helperName = 'Gentle Lantern';
			const helperUser = await createHelper(helper, helperName);
			const made = await apiCall(helperPage, 'POST', '/api/helpers/me', { bio: 'Grief taught me to listen.', expertise: ['Grief & Loss'] });
			assert.equal(made.status, 201, `POST /api/helpers/me: ${JSON.stringify(made)}`);
			await helper.goto('/helper');
			await waitForPage(helperPage, '/helper', 'titles.dashboard');
			await helperPage.locator('#availability-toggle').click();
			await helperPage.waitForFunction(() => document.querySelector('#availability-toggle').getAttribute('aria-checked') === 'true');
			// Online, the dashboard shows Available; the requests have a tab of their own.
			await helperPage.getByRole('tab', { name: HELPERS.program.tabs.requests }).click();

			// From the public profile: Request chat, a topic and a message.
			const ask = async (content) => {
				await session.goto(`/helpers/${helperUser.id}`);
				await waitForPage(seekerPage, `/helpers/${helperUser.id}`, 'titles.helperProfile');
				await seekerPage.locator('#main button[data-action="request"]').click();
				const dialog = seekerPage.locator('dialog[open]');
				await dialog.waitFor();
				await dialog.getByLabel(ptext('share.category')).selectOption('Grief');
				await dialog.getByLabel(ptext('request.message')).fill(content);
				await dialog.getByRole('button', { name: ptext('request.send') }).click();
				await dialog.waitFor({ state: 'detached' });
				await waitForToast(seekerPage, ptext('request.sent', { name: helperName }));
			};
			const first = `My dog died last week ${crypto.randomBytes(3).toString('hex')}`;
			await ask(first);
			await checkView(seekerPage, t, null, '/helpers/:id (request sent)');

			// The dashboard shows it without a reload; the helper declines.
			const request = cardWith(helperPage, first);
			await request.waitFor({ timeout: LIVE_MS });
			await request.locator('button[data-action="decline"]').click();
			await confirmDialog(helperPage, ptext('dashboard.decline'));
			await request.waitFor({ state: 'detached' });

			// Back with the seeker, privately: "Declined by", and they may share it.
			await session.goto('/activity');
			await waitForPage(seekerPage, '/activity', 'titles.activity');
			const declined = cardWith(seekerPage, first);
			await declined.filter({ hasText: ptext('postStatus.declined', { name: helperName }) }).waitFor();
			const feed = await apiCall(seekerPage, 'GET', `/api/posts?q=${encodeURIComponent(first.split(' ').pop())}`);
			assert.equal(feed.body.items.length, 0, 'a declined private request is in the public feed');
			await declined.locator('button[data-action="publish"]').click();
			await confirmDialog(seekerPage, ptext('activity.publish'));
			await cardWith(seekerPage, first).filter({ hasText: ptext('postStatus.active') }).waitFor();

			// A second request: accepted from the dashboard, the chat opens for both.
			const second = `Can we talk about my grandfather ${crypto.randomBytes(3).toString('hex')}`;
			await ask(second);
			const again = cardWith(helperPage, second);
			await again.waitFor({ timeout: LIVE_MS });
			await checkView(helperPage, t, 'helper-dashboard-request', '/helper with a private request');
			await again.locator('button[data-action="accept"]').click();
			await waitForPage(helperPage, /^\/chat\/[0-9a-f-]{36}$/, 'titles.chat');
			const sessionId = new URL(helperPage.url()).pathname.split('/').pop();

			// The helper goes back to the dashboard; a message from the seeker raises the unread count live.
			await helper.goto('/helper');
			await waitForPage(helperPage, '/helper', 'titles.dashboard');
			const activeCard = helperPage.locator(`article.session-card[data-session-id="${sessionId}"]`);
			await activeCard.waitFor();
			const sent = await apiCall(seekerPage, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'Are you there?', client_key: 'unread-1' });
			assert.equal(sent.status, 201, `POST message: ${JSON.stringify(sent)}`);
			await activeCard.locator('.unread-badge').filter({ hasText: ptext('chat.unread', { count: 1 }) }).waitFor({ timeout: LIVE_MS });
			await checkView(helperPage, t, 'helper-dashboard-unread', '/helper with an unread message');
		} finally {
			await closeOther(helper);
		}
	});

	test('peer support: a crisis phrase in a post shows the crisis card first', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/share');
		await waitForPage(page, '/share', 'titles.share');
		await page.selectOption('#share-category', 'Depression');
		await page.fill('#share-content', 'Everything is too much and I want to kill myself');
		await page.getByRole('button', { name: ptext('share.submit') }).click();
		const card = page.locator('[data-crisis-card]');
		await card.waitFor();
		assert.equal(new URL(page.url()).pathname, '/share', 'the page moved on instead of showing the crisis card');
		const first = await page.evaluate(() => {
			const view = document.querySelector('#main .view');
			const h1 = view.querySelector('h1');
			return h1.nextElementSibling && h1.nextElementSibling.firstElementChild &&
				h1.nextElementSibling.firstElementChild.hasAttribute('data-crisis-card');
		});
		assert.equal(first, true, 'the crisis card is not the first thing after the heading');
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-crisis-card')), true,
			'focus is not on the crisis card');
		for (const href of ['tel:988', 'tel:911']) {
			assert.equal(await card.locator(`a[href="${href}"]`).count(), 1, `the crisis card has no ${href}`);
		}
		assert.ok(await card.locator('a[href^="sms:741741"]').count() >= 1, 'the crisis card has no 741741');
		assert.match(await card.innerText(), new RegExp(ptext('crisisCard.title')));
		await checkView(page, t, 'share-crisis', '/share with the crisis card');
	});

	test('peer support: past the budget of posts, /share says calmly when to post again (English, Spanish)', async (session) => {
		const { page } = session;
		await createSeeker(session);
		// The server's answer past [limits] posts_per_hour (lib/write_budget.c), made in the page:
		// the browser stack's limits are far above what a test writes.
		let crisis = null;
		await page.route('**/api/posts', (route) => (route.request().method() === 'POST'
			? route.fulfill({
				status: 429,
				headers: { 'Retry-After': '720', 'Cache-Control': 'no-store' },
				contentType: 'application/json',
				body: JSON.stringify({
					error: { code: 'too_many_requests', message: 'You have posted a lot in a short time. You can post again a little later.' },
					...(crisis ? { crisis } : {}),
				}),
			})
			: route.continue()));
		for (const lang of ['en', 'es']) {
			if (lang === 'es') {
				const saved = await apiCall(page, 'PUT', '/api/me/preferences', { language: 'es' });
				assert.equal(saved.status, 200, `PUT /api/me/preferences: ${JSON.stringify(saved)}`);
				crisis = { severity: 'high', categories: ['suicide'],
					resources: [{ id: 'us-988', name: '988 Suicide & Crisis Lifeline', contact: '988', href: 'tel:988' }] };
			}
			await session.goto('/share');
			await waitForView(page, '/share', 'titles.share', { lang });
			await page.selectOption('#share-category', 'Stress');
			await page.fill('#share-content', 'A long day, and I wanted to say it somewhere');
			await page.locator('form button[type="submit"]').click();
			const status = page.locator('form .status-error');
			await status.waitFor();
			const wait = text('common.time.minutes.other', { count: 12 }, lang);
			assert.equal(await status.innerText(), text('common.writeLimit.posts', { time: wait }, lang));
			assert.equal(await page.inputValue('#share-content'), 'A long day, and I wanted to say it somewhere',
				'the words were lost');
			assert.equal(new URL(page.url()).pathname, '/share');
			if (crisis) {
				// Told to wait, a person in crisis is still shown where help is, first and focused.
				const card = page.locator('[data-crisis-card]');
				await card.waitFor();
				assert.equal(await card.locator('a[href="tel:988"]').count(), 1, 'the crisis card has no tel:988');
				assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-crisis-card')),
					true, 'focus is not on the crisis card');
			} else {
				assert.equal(await page.locator('[data-crisis-card]').count(), 0);
			}
		}
	});

	test('peer support: a post written in emoji keeps every character up to the limit', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/share');
		await waitForPage(page, '/share', 'titles.share');
		// 3,000 characters, 6,000 UTF-16 units: a maxlength of 5,000 would have cut them to 2,500.
		const text = '\u{1F642}'.repeat(3000);
		await page.fill('#share-content', text);
		const kept = await page.evaluate(() => [...document.querySelector('#share-content').value].length);
		assert.equal(kept, 3000, 'the text box cut the emoji text short of the 5,000-character limit');
	});

	test('peer support: the feed (tabs, search, load more, hidden topic, support, report) and reflections', async (session, t) => {
		const { page } = session;
		// Someone else's posts.
		const author = await otherPerson(session);
		const tag = crypto.randomBytes(3).toString('hex');
		const grief = `I miss my grandmother every day ${tag}`;
		const lonely = `New city, no friends yet ${tag}`;
		try {
			await createSeeker(author);
			await postViaApi(author.page, 'Grief', grief);
			await postViaApi(author.page, 'Loneliness', lonely);
			for (let i = 1; i <= 21; i += 1) {
				await postViaApi(author.page, 'Stress', `Deadline number ${i} again pages${tag}`);
			}
		} finally {
			await closeOther(author);
		}

		// The reader hides Grief.
		await createSeeker(session);
		const prefs = await apiCall(page, 'PUT', '/api/me/preferences', { content_filters: ['Grief'] });
		assert.equal(prefs.status, 200, `PUT /api/me/preferences: ${JSON.stringify(prefs)}`);

		await session.goto('/feed');
		await waitForPage(page, '/feed', 'titles.feed');
		assert.equal(await page.locator('[role="tab"][aria-selected="true"]').innerText(), ptext('feed.tabs.for-you'));
		await page.locator('#main article.post-card, #main .state-empty').first().waitFor();
		await checkView(page, t, 'feed', '/feed');

		// Community, searched for this test's posts.
		await page.getByRole('tab', { name: ptext('feed.tabs.community') }).click();
		await page.getByLabel(ptext('feed.search'), { exact: true }).fill(tag);
		await page.locator('form[role="search"] button[type="submit"]').click();
		await cardWith(page, lonely).waitFor();
		assert.equal(new URL(page.url()).searchParams.get('q'), tag);

		// The hidden topic is blurred and out of reach until shown.
		const hidden = page.locator('article.post-card').filter({ has: page.locator('.post-reveal') });
		await hidden.waitFor();
		assert.equal(await hidden.locator('.post-content').getAttribute('aria-hidden'), 'true');
		await checkView(page, t, 'feed-community', '/feed?tab=community');
		await hidden.locator('.post-reveal').click();
		await page.waitForFunction(() => !document.querySelector('.post-content.is-blurred'));
		assert.match(await cardWith(page, grief).innerText(), new RegExp(grief));

		// Support is a toggle with a count.
		const support = cardWith(page, lonely).locator('.support-toggle');
		assert.equal(await support.getAttribute('aria-pressed'), 'false');
		await support.click();
		await page.waitForFunction((content) => {
			const card = [...document.querySelectorAll('article.post-card')].find((node) => node.textContent.includes(content));
			return card && card.querySelector('.support-toggle').getAttribute('aria-pressed') === 'true';
		}, lonely);
		assert.equal(await support.innerText(), ptext('post.support', { count: 1 }));

		// Report: five reasons, a note; the post leaves the list.
		await cardWith(page, lonely).locator('button[data-action="report"]').click();
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		for (const reason of ['spam', 'hate', 'self_harm', 'inappropriate', 'other']) {
			await dialog.getByLabel(ptext(`report.reasons.${reason}`), { exact: true }).waitFor();
		}
		await checkBothSchemes(page, t, 'report dialog');
		await screenshot(page, 'feed-report');
		await dialog.getByRole('button', { name: ptext('report.submit'), exact: true }).click();
		await dialog.getByText(ptext('report.chooseReason')).waitFor();
		await dialog.getByLabel(ptext('report.reasons.spam'), { exact: true }).check();
		await dialog.getByLabel(ptext('report.note')).fill('Looks like an advert');
		await dialog.getByRole('button', { name: ptext('report.submit'), exact: true }).click();
		await dialog.waitFor({ state: 'detached' });
		await waitForToast(page, ptext('report.done'));
		await cardWith(page, lonely).waitFor({ state: 'detached' });

		// "Load more" fetches the next page with the cursor and moves focus to it.
		await page.getByLabel(ptext('feed.search'), { exact: true }).fill(`pages${tag}`);
		await page.locator('form[role="search"] button[type="submit"]').click();
		await page.locator('article.post-card').nth(19).waitFor();
		assert.equal(await page.locator('article.post-card').count(), 20);
		await page.getByRole('button', { name: ptext('feed.loadMore') }).click();
		await page.locator('article.post-card').nth(20).waitFor();
		assert.equal(await page.locator('article.post-card').count(), 21);
		assert.equal(await page.evaluate(() => document.activeElement.closest('li') === document.querySelectorAll('.post-list > li')[20]), true,
			'focus did not move to the first new post');
		await page.locator('.load-more').waitFor({ state: 'hidden' });

		// Reflections: write one, light another's.
		await session.goto('/reflections');
		await waitForPage(page, '/reflections', 'titles.reflections');
		const reflection = `Small steps still count ${tag}`;
		await page.fill('#reflection-content', reflection);
		await page.getByRole('button', { name: ptext('reflections.submit') }).click();
		const mine = page.locator('article.reflection').filter({ hasText: reflection });
		await mine.waitFor();
		const light = mine.locator('button[data-action="light"]');
		await light.click();
		await page.waitForFunction((content) => {
			const node = [...document.querySelectorAll('article.reflection')].find((item) => item.textContent.includes(content));
			return node && node.querySelector('[data-action="light"]').getAttribute('aria-pressed') === 'true';
		}, reflection);
		assert.equal(await light.innerText(), ptext('reflections.light', { count: 1 }));
		await checkView(page, t, 'reflections', '/reflections');
		// A light that cannot be sent says so, and the toggle stays as it was.
		await page.route('**/api/reflections/*/light', (route) => route.fulfill({
			status: 503, contentType: 'application/json', headers: { 'Retry-After': '5' },
			body: JSON.stringify({ error: { code: 'service_unavailable', message: 'Briefly unavailable.' } }),
		}));
		await light.click();
		await waitForToast(page, text('apiErrors.service_unavailable_seconds', { seconds: 5 }));
		assert.equal(await light.getAttribute('aria-pressed'), 'true');
		await page.unroute('**/api/reflections/*/light');
	});
}
