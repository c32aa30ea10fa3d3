// The AI companion in the browser, on a stack of its own with an AI provider:
// the mock model server (tests/integration/mock_ai.py, which streams
// "I hear you. …" in several pieces 20 ms apart) behind
// `tools/dev/stack start --ai-provider openai --ai-endpoint <mock>/v1`
// (harness.mjs: useBrowser({ ai: true })).
// - the disclaimer comes first: a modal that Escape does not close, with the
//   link to Get help now; nothing of the chat before "I understand"; then the
//   18+ question, asked once; under 18, a calm message and no chat;
// - a streamed companion reply appears token by token: the AI bubble's text
//   is seen growing through at least two states before `done`, labelled
//   "AI" and "Astral AI (not a person)"; the conversation is kept;
// - a reply the detector flags is replaced and the crisis card shows, focused;
// - the day's limit (429) in words with the time to wait, 503 as unavailable
//   (answers made in the page with page.route), the message kept in the box;
// - reset (confirmed) clears the conversation, in the page and on the server;
// - the share form filled from the conversation ("Draft a post from my AI
//   chat"), nothing posted;
// - helpers: "Summarize" under a post, the For you tab with the AI's reason,
//   guidance on a seeker's message whose suggested reply goes into the
//   message box (not sent), and after the chat a summary and private feedback;
//   the seeker's summary of a past chat in My activity;
// - axe-core in light and dark, and screenshots.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SRC, Session, checkA11y, screenshot } from './harness.mjs';
import { acceptConsents, apiCall, catalogueText, checkBothSchemes, checkView, createSeeker, text, waitForToast, waitForView } from './app.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));
const AI = JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'ai.json'), 'utf8')).ai;
const STREAM_MS = 20_000;

/** A string of the ai catalogue (under its top-level "ai") as the page shows it. */
function atext(key, vars = {}) {
	return catalogueText(AI, 'ai.json', key, vars);
}

/** Open /ai from the header link and wait for the disclaimer. */
async function openCompanion(session) {
	const { page } = session;
	await session.goto('/');
	const link = page.locator('#nav-ai');
	await link.waitFor();
	assert.equal((await link.innerText()).trim(), text('nav.ai'));
	await link.click();
	await waitForView(page, '/ai', 'titles.ai');
	const dialog = page.locator('dialog[open][data-ai-disclaimer]');
	await dialog.waitFor();
	return dialog;
}

/** Through the disclaimer (and the age question, when it is asked) to the message box. */
async function enterChat(session, { adult = true } = {}) {
	const { page } = session;
	const dialog = await openCompanion(session);
	await dialog.locator('#ai-disclaimer-accept').click();
	await dialog.waitFor({ state: 'detached' });
	const age = page.locator('button[data-age]');
	const input = page.locator('#ai-input');
	await Promise.race([age.first().waitFor(), input.waitFor()]);
	if (await age.count()) {
		await page.locator(`button[data-age="${adult ? 'adult' : 'minor'}"]`).click();
	}
	if (adult) {
		await input.waitFor();
	}
}

/** Send a message in the page; resolves once the AI bubble is settled (data-state done). */
async function sendAndWait(page, message) {
	const before = await page.locator('.ai-log .ai-msg-ai').count();
	await page.locator('#ai-input').fill(message);
	await page.locator('#ai-input').press('Enter');
	const bubble = page.locator('.ai-log .ai-msg-ai').nth(before);
	await bubble.waitFor();
	await page.waitForFunction((index) => {
		const node = document.querySelectorAll('.ai-log .ai-msg-ai')[index];
		return node && node.dataset.state !== 'streaming';
	}, before, { timeout: STREAM_MS });
	return bubble;
}

/** A helper account with a profile, online, made through the API in this context; the page is left on /. */
async function createOnlineHelper(session, displayName) {
	const { page } = session;
	await session.goto('/');
	const created = await apiCall(page, 'POST', '/api/auth/register', {
		username: `helper-${crypto.randomBytes(5).toString('hex')}`,
		password: 'a long test passphrase for helpers',
		display_name: displayName,
	});
	assert.equal(created.status, 201, `POST /api/auth/register: ${JSON.stringify(created)}`);
	await acceptConsents(page);
	const made = await apiCall(page, 'POST', '/api/helpers/me', { bio: 'Here to listen.', expertise: ['Loneliness'] });
	assert.equal(made.status, 201, `POST /api/helpers/me: ${JSON.stringify(made)}`);
	const online = await apiCall(page, 'PUT', '/api/helpers/me/availability', { online: true });
	assert.equal(online.status, 200, `PUT /api/helpers/me/availability: ${JSON.stringify(online)}`);
	return created.body.user;
}

async function closeOther(other) {
	const problems = other.problems();
	await other.close();
	assert.deepEqual(problems, [], `the second browser context recorded problems:\n${problems.join('\n')}`);
}

export function aiTests(test) {
	test('AI companion: the disclaimer comes first, then the 18+ question once', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		const dialog = await openCompanion(session);

		// Nothing of the chat, nor the age question, before the disclaimer is acknowledged.
		assert.equal(await page.locator('#ai-input').count(), 0, 'the message box shows behind the disclaimer');
		assert.equal(await page.locator('button[data-age]').count(), 0, 'the age question shows behind the disclaimer');
		assert.equal(await dialog.locator('h2').innerText(), atext('chat.disclaimer.title'));
		assert.ok((await dialog.innerText()).includes(atext('chat.disclaimer.p2')), 'the disclaimer does not say what the AI cannot do');
		assert.equal(await dialog.getByRole('link', { name: atext('chat.getHelp') }).getAttribute('href'), '/crisis.html');
		assert.ok(await page.evaluate(() => document.querySelector('dialog[open]').contains(document.activeElement)),
			'focus is not in the disclaimer');
		await checkBothSchemes(page, t, '/ai disclaimer');
		await screenshot(page, 'ai-disclaimer');

		// Escape does not dismiss it (one press: two more would be Quick exit).
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
		assert.equal(await dialog.count(), 1, 'Escape closed the disclaimer');
		// Tab stays inside.
		for (let i = 0; i < 6; i += 1) {
			await page.keyboard.press('Tab');
			assert.ok(await page.evaluate(() => document.querySelector('dialog[open]').contains(document.activeElement)),
				'Tab left the disclaimer');
		}

		// Acknowledged by keyboard: then the age question.
		await dialog.locator('#ai-disclaimer-accept').focus();
		await page.keyboard.press('Enter');
		await dialog.waitFor({ state: 'detached' });
		const status = await apiCall(page, 'GET', '/api/ai/status');
		assert.equal(status.body.age_confirmed, null, `age asked before: ${JSON.stringify(status.body)}`);
		await page.locator('button[data-age="adult"]').waitFor();
		assert.equal(await page.locator('#ai-input').count(), 0, 'the message box shows before the age question');
		await checkView(page, t, 'ai-age', '/ai age question');
		await page.locator('button[data-age="adult"]').click();
		await page.locator('#ai-input').waitFor();
		assert.equal((await apiCall(page, 'GET', '/api/ai/status')).body.age_confirmed, true);
		assert.equal(await page.locator('.ai-log [data-empty]').innerText(), atext('chat.empty'));

		// Again: the disclaimer again, the age question not.
		await page.reload();
		const again = page.locator('dialog[open][data-ai-disclaimer]');
		await again.waitFor();
		await again.locator('#ai-disclaimer-accept').click();
		await page.locator('#ai-input').waitFor();
		assert.equal(await page.locator('button[data-age]').count(), 0, 'the age question was asked twice');

		// Someone under 18: a calm message pointing to people and resources, and no chat.
		const young = await Session.open(session.context.browser(), session.stack);
		try {
			await createSeeker(young);
			await enterChat(young, { adult: false });
			await young.page.locator('.ai-minor').waitFor();
			assert.equal(await young.page.locator('#ai-input').count(), 0);
			assert.equal(await young.page.locator('.ai-minor h2').innerText(), atext('chat.minor.title'));
			assert.equal(await young.page.locator('.ai-minor a[href="/share"]').count(), 1);
			assert.equal(await young.page.locator('.ai-minor a[href="/crisis.html"]').count(), 1);
			const refused = await apiCall(young.page, 'POST', '/api/ai/chat', { message: 'hello' });
			assert.equal(refused.status, 403, JSON.stringify(refused));
			assert.equal(refused.body.error.code, 'ai_chat_adults_only');
			await checkView(young.page, t, 'ai-minor', '/ai under 18');
		} finally {
			const problems = young.problems();
			await young.close();
			assert.deepEqual(problems, [], `the second context recorded problems:\n${problems.join('\n')}`);
		}
	});

	test('AI companion: a streamed companion reply appears token by token', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await enterChat(session);

		// Record every state of the newest AI bubble (its text and data-state) as the page changes it.
		await page.evaluate(() => {
			const log = document.querySelector('.ai-log');
			window.__aiStates = [];
			const record = () => {
				const bubbles = log.querySelectorAll('.ai-msg-ai');
				const bubble = bubbles[bubbles.length - 1];
				if (!bubble) {
					return;
				}
				const textNode = bubble.querySelector('.ai-text');
				const entry = { text: textNode ? textNode.textContent : '', state: bubble.dataset.state };
				const last = window.__aiStates[window.__aiStates.length - 1];
				if (!last || last.text !== entry.text || last.state !== entry.state) {
					window.__aiStates.push(entry);
				}
			};
			new MutationObserver(record).observe(log, {
				subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'],
			});
		});

		const message = 'I have been feeling tired and low this week';
		const bubble = await sendAndWait(page, message);
		assert.equal(await bubble.getAttribute('data-state'), 'done');
		const final = await bubble.locator('.ai-text').innerText();
		assert.match(final, /^I hear you\./, `the reply: ${final}`);

		const states = await page.evaluate(() => window.__aiStates);
		const growing = states.filter((entry) => entry.state === 'streaming' && entry.text && entry.text !== '…').map((entry) => entry.text);
		const distinct = [...new Set(growing)];
		t.diagnostic(`AI bubble states before done: ${JSON.stringify(distinct)}`);
		assert.ok(distinct.length >= 2, `the reply did not stream: states seen ${JSON.stringify(states)}`);
		for (let i = 1; i < distinct.length; i += 1) {
			assert.ok(distinct[i].startsWith(distinct[i - 1]) && distinct[i].length > distinct[i - 1].length,
				`the text did not grow: ${JSON.stringify(distinct[i - 1])} then ${JSON.stringify(distinct[i])}`);
		}
		assert.ok(final.startsWith(distinct[distinct.length - 1].trimEnd()), 'the streamed text is not the start of the reply');
		assert.equal(states[states.length - 1].state, 'done');

		// Labelled as the AI, in a polite live log; the person's message beside it.
		assert.equal((await bubble.locator('.ai-sender .badge-ai').innerText()).trim(), atext('badge'));
		assert.ok((await bubble.locator('.ai-sender').innerText()).includes(atext('sender')), 'the AI bubble does not say it is not a person');
		assert.equal(await page.locator('.chat-scroll[role="log"]').getAttribute('aria-live'), 'polite');
		assert.equal(await page.locator('.chat-scroll[role="log"]').getAttribute('aria-busy'), 'false');
		assert.equal(await page.locator('.ai-log .ai-msg-user .ai-text').last().innerText(), message);
		assert.equal(await bubble.locator('.ai-fallback-note').isVisible(), false, 'a model reply is marked as a fallback');
		await checkView(page, t, 'ai-chat', '/ai conversation');

		// The conversation is kept: the history after a reload.
		const history = await apiCall(page, 'GET', '/api/ai/history');
		assert.deepEqual(history.body.items.map((item) => item.role), ['user', 'ai']);
		assert.equal(history.body.items[1].text, final);
		await page.reload();
		const dialog = page.locator('dialog[open][data-ai-disclaimer]');
		await dialog.waitFor();
		await dialog.locator('#ai-disclaimer-accept').click();
		await page.locator('#ai-input').waitFor();
		assert.equal(await page.locator('.ai-log .ai-msg-ai .ai-text').last().innerText(), final);
		assert.equal(await page.locator('.ai-log .ai-msg-user .ai-text').last().innerText(), message);
	});

	test('AI companion: a reply the detector flags is replaced and the crisis card shows', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await enterChat(session);
		const bubble = await sendAndWait(page, '[[mock:crisis-reply]] tell me something');
		const card = page.locator('[data-crisis-card]');
		await card.waitFor().catch(async (error) => {
			const history = await apiCall(page, 'GET', '/api/ai/history');
			throw new Error(`no crisis card; the bubble: ${await bubble.innerText()}; history: ${JSON.stringify(history.body)}\n${error.message}`);
		});
		assert.ok(await page.evaluate(() => document.activeElement && document.activeElement.matches('[data-crisis-card]')),
			'the crisis card does not have focus');
		assert.equal(await bubble.getAttribute('data-fallback'), 'true');
		assert.equal(await bubble.locator('.ai-fallback-note').isVisible(), true);
		assert.doesNotMatch(await bubble.locator('.ai-text').innerText(), /kill themselves/);
	});

	test('AI companion: the day\'s limit (429) says when in words, 503 says the AI is unavailable; the message stays', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await enterChat(session);
		// The server's answers before any event, as the contract gives them.
		const answers = [
			{ status: 429, headers: { 'Retry-After': String(3 * 3600 + 12 * 60) }, code: 'quota_exceeded' },
			{ status: 503, headers: {}, code: 'ai_unavailable' },
		];
		await page.route('**/api/ai/chat', (route) => {
			const answer = answers.shift();
			return route.fulfill({
				status: answer.status,
				headers: { ...answer.headers, 'Content-Type': 'application/json' },
				body: JSON.stringify({ error: { code: answer.code, message: answer.code } }),
			});
		});
		const status = page.locator('.ai-composer .status-error');
		await page.locator('#ai-input').fill('Are you there?');
		await page.locator('#ai-input').press('Enter');
		await status.filter({ hasText: atext('errors.quota', { time: '3 hours and 12 minutes' }) }).waitFor();
		assert.equal(await page.locator('#ai-input').inputValue(), 'Are you there?');
		assert.equal(await page.locator('.ai-log .ai-msg').count(), 0, 'a message that was not sent stays in the log');
		await page.locator('#ai-input').press('Enter');
		await status.filter({ hasText: atext('errors.unavailable') }).waitFor();
		assert.equal(await page.locator('#ai-input').inputValue(), 'Are you there?');
	});

	test('AI companion: reset clears the conversation', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await enterChat(session);
		await sendAndWait(page, 'Can we talk about my week?');
		assert.equal(await page.locator('.ai-log .ai-msg').count(), 2);

		await page.locator('#ai-reset').click();
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		assert.equal(await dialog.locator('h2').innerText(), atext('chat.resetTitle'));
		await checkA11y(page, { label: 'reset confirmation' });
		// Cancel first: nothing changes.
		await dialog.getByRole('button', { name: text('common.cancel'), exact: true }).click();
		await dialog.waitFor({ state: 'detached' });
		assert.equal(await page.locator('.ai-log .ai-msg').count(), 2);

		await page.locator('#ai-reset').click();
		await dialog.waitFor();
		await dialog.getByRole('button', { name: atext('chat.resetConfirm'), exact: true }).click();
		await dialog.waitFor({ state: 'detached' });
		await waitForToast(page, atext('chat.resetDone'));
		assert.equal(await page.locator('.ai-log .ai-msg').count(), 0);
		assert.equal(await page.locator('.ai-log [data-empty]').innerText(), atext('chat.empty'));
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'ai-input');
		const history = await apiCall(page, 'GET', '/api/ai/history');
		assert.deepEqual(history.body.items, []);

		// Still empty after a reload.
		await page.reload();
		const again = page.locator('dialog[open][data-ai-disclaimer]');
		await again.waitFor();
		await again.locator('#ai-disclaimer-accept').click();
		await page.locator('#ai-input').waitFor();
		assert.equal(await page.locator('.ai-log .ai-msg').count(), 0);
		t.diagnostic('reset: the conversation is empty in the page and on the server');
	});

	test('AI for seekers: a post drafted from the AI chat fills the share form, and nothing is posted', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await enterChat(session);
		await sendAndWait(page, 'My exams are next week and I cannot sleep');
		await page.getByRole('link', { name: text('nav.share'), exact: true }).click();
		await waitForView(page, '/share', 'titles.share');
		const draft = page.locator('#ai-draft-post');
		await draft.waitFor();
		await checkView(page, t, 'ai-share-draft', '/share with the AI draft');
		await draft.click();
		await page.locator('.ai-draft .status-success').waitFor({ timeout: STREAM_MS });
		const content = await page.locator('#share-content').inputValue();
		assert.ok(content.trim().length > 0, 'the draft left the text empty');
		assert.equal(await page.locator('#share-category').inputValue(), 'Anxiety');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'share-content');
		const mine = await apiCall(page, 'GET', '/api/posts/mine');
		assert.deepEqual(mine.body.items, [], 'the draft was posted');
	});

	test('AI for helpers: Summarize, For you with reasons, guidance into the message box, summary and private feedback after the chat', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		const postText = `I moved to a new city and I feel alone most evenings ${crypto.randomBytes(3).toString('hex')}`;
		const posted = await apiCall(page, 'POST', '/api/posts', { category: 'Loneliness', content: postText });
		assert.equal(posted.status, 201, JSON.stringify(posted));
		const helper = await Session.open(session.context.browser(), session.stack);
		try {
			const hp = helper.page;
			await createOnlineHelper(helper, 'Steady Lantern');
			await helper.goto('/');
			await hp.locator('#nav-ai').waitFor();
			await helper.goto('/helper');
			await waitForView(hp, '/helper', 'titles.dashboard');

			// Available: the post, with Summarize; the summary shows under the card.
			const card = hp.locator('article.post-card').filter({ hasText: postText });
			await card.waitFor();
			await card.locator('button[data-ai-action="summarize-post"]').click();
			const summary = card.locator('.ai-note');
			await summary.waitFor({ timeout: STREAM_MS });
			assert.ok((await summary.locator('.ai-text').innerText()).trim(), 'an empty summary');
			assert.ok((await summary.innerText()).includes(atext('sender')));
			assert.equal(await card.locator('button[data-ai-action="summarize-post"]').getAttribute('aria-expanded'), 'true');
			await checkView(hp, t, 'ai-helper-summary', '/helper with a summary');

			// For you: the matched post with the AI's reason.
			await hp.getByRole('tab', { name: atext('match.tab') }).click();
			const matched = hp.locator('.ai-match article.post-card').first();
			await matched.waitFor({ timeout: STREAM_MS }).catch(async (error) => {
				const shown = await hp.locator('.ai-match').innerText().catch(() => '(no For you panel)');
				const answer = await apiCall(hp, 'POST', '/api/ai/match', {});
				throw new Error(`For you shows no post: "${shown}"; POST /api/ai/match now: ${JSON.stringify(answer)}\n${error.message}`);
			});
			const reason = matched.locator('.ai-reason');
			await reason.waitFor();
			assert.match(await reason.innerText(), /✨/);
			await checkView(hp, t, 'ai-helper-for-you', '/helper For you');

			// Accept from For you; the seeker writes; guidance on that message.
			await matched.locator('button[data-action="accept"]').click();
			await hp.waitForURL((url) => /^\/chat\/[0-9a-f-]{36}$/.test(url.pathname));
			const sessionId = new URL(hp.url()).pathname.split('/').pop();
			await hp.locator('#chat-input').waitFor();
			const sent = await apiCall(page, 'POST', `/api/sessions/${sessionId}/messages`, { text: 'Thank you for answering, evenings are hard', client_key: 'ai-guidance-1' });
			assert.equal(sent.status, 201, JSON.stringify(sent));
			const theirs = hp.locator('.bubble-theirs').filter({ hasText: 'evenings are hard' });
			await theirs.waitFor({ timeout: STREAM_MS });
			await theirs.locator('button[data-action="guidance"]').click();
			const panel = hp.locator('.guidance-panel');
			const use = panel.locator('button[data-action="use-reply"]').first();
			await use.waitFor({ timeout: STREAM_MS });
			assert.ok(await panel.locator('.guidance-flag').count(), 'no flag line in the guidance');
			await checkView(hp, t, 'ai-helper-guidance', '/chat guidance');
			const suggestion = await panel.locator('.guidance-reply .ai-text').first().innerText();
			const before = (await apiCall(hp, 'GET', `/api/sessions/${sessionId}/messages`)).body.items.length;
			await use.click();
			assert.equal(await hp.locator('#chat-input').inputValue(), suggestion);
			assert.equal(await hp.evaluate(() => document.activeElement.id), 'chat-input');
			await hp.waitForTimeout(500);
			const after = (await apiCall(hp, 'GET', `/api/sessions/${sessionId}/messages`)).body.items.length;
			assert.equal(after, before, 'using a suggested reply sent it');

			// "Alert a moderator" raises an alert about the seeker (POST /api/sessions/{id}/alert).
			await panel.locator('button[data-action="alert-moderator"]').click();
			await panel.locator('.status-success').waitFor({ timeout: STREAM_MS });
			assert.equal(await panel.locator('button[data-action="alert-moderator"]').isDisabled(), true);

			// The chat opened straight from its address (a reload, a link): the panel has its own words.
			await hp.reload();
			await theirs.locator('button[data-action="guidance"]').click();
			await use.waitFor({ timeout: STREAM_MS });
			assert.equal(await panel.locator('h2').innerText(), atext('guidance.title'));
			assert.ok((await panel.innerText()).includes(atext('guidance.lead')), `the panel without its lead: ${await panel.innerText()}`);

			// The chat ends: a summary and private feedback for the helper.
			const ended = await apiCall(hp, 'POST', `/api/sessions/${sessionId}/end`);
			assert.equal(ended.status, 200, JSON.stringify(ended));
			await hp.reload();
			await hp.locator('#chat-ended-title').waitFor();
			await hp.locator('button[data-ai-action="helper-feedback"]').click();
			const feedback = hp.locator('.ai-after .ai-note').first();
			await feedback.waitFor({ timeout: STREAM_MS });
			assert.ok((await feedback.innerText()).includes(atext('feedback.private')));
			await hp.locator('button[data-ai-action="summarize-session"]').click();
			await hp.locator('.ai-after .ai-note').nth(1).waitFor({ timeout: STREAM_MS });
			await checkView(hp, t, 'ai-helper-after-chat', '/chat ended, helper');

			// The seeker: Summary on the past chat in My activity.
			await session.goto('/activity?tab=sessions');
			await waitForView(page, '/activity', 'titles.activity');
			const past = page.locator(`.session-card[data-session-id="${sessionId}"]`);
			await past.waitFor();
			await past.locator('button[data-ai-action="summarize-session"]').click();
			await past.locator('.ai-note').waitFor({ timeout: STREAM_MS });
		} finally {
			await closeOther(helper);
		}
	});
}
