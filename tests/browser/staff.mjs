// The helper program, moderation and administration in the browser, with
// several people in several browser contexts:
// - a moderator (signed in with two-step sign-in) sees a crisis alert arrive
//   live on /moderation while a seeker posts a crisis phrase; acknowledges and
//   resolves it; reads a chat through a break-glass grant (reason, minutes,
//   the transcript with the grant's end); staff see Moderation, only admins Admin;
// - reports (Remove with a reason, Dismiss), a person (Warn, Ban with the
//   default 720 hours, Unban), videos (Approve, Reject with a reason), and
//   the moderation history of the author and of the reporter;
// - the helper path: training, a failed quiz, again from lesson 1, a pass,
//   the application (pending); an admin approves it in the vetting table and
//   the helper's dashboard says certified; another application is rejected
//   with notes, which the helper reads with "Apply again"; the admin's roles,
//   statistics and audit log with "Verify chain";
// - the helpers' community: a thread and replies from two helpers; a
//   proposal from a council member (reputation ≥ 4.0) and a vote from a
//   helper who may not propose; the dashboard's rest notice after a
//   high-severity chat, ended with "I'm okay, continue"; the dashboard's stats
//   and achievements;
// - axe-core in light and dark on every new view and dialog, and their screenshots.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { SRC, Session, checkA11y } from './harness.mjs';
import {
	acceptConsents, apiCall, catalogueText, checkView, createSeeker, createStaff, deafStream, documentTitle, recordWebm,
	text, toasts, untilStreamHeard, waitForToast, waitForView,
} from './app.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));
const read = (lang, area) => JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', lang, `${area}.json`), 'utf8'));
const HELPERS = read('en', 'helpers');
const HELPERS_ES = read('es', 'helpers');
const STAFF = read('en', 'staff');
const ACCOUNT_ES = read('es', 'account');
const STAFF_ES = read('es', 'staff');
const PEER = read('en', 'peer');
const LIVE_MS = 10_000;

// The quiz's answer key is the server's (cgi-bin/helpers/training_content.c): the page never has it.
const RIGHT = { q1: 'b', q2: 'c', q3: 'a' };
const WRONG = { q1: 'a', q2: 'a', q3: 'b' };
// A phrase the crisis detector rates high (tests/crisis/corpus.tsv).
const CRISIS_PHRASE = 'I want to kill myself';

const htext = (key, vars) => catalogueText(HELPERS, 'helpers.json', key, vars);
const stext = (key, vars) => catalogueText(STAFF, 'staff.json', key, vars);
const ptext = (key, vars) => catalogueText(PEER, 'peer.json', key, vars);
const tag = () => crypto.randomBytes(3).toString('hex');

/** Another person: a fresh context of the same browser, checked like the first at the end. */
function otherPerson(session) {
	return Session.open(session.context.browser(), session.stack);
}

async function closeOther(other) {
	const problems = other.problems();
	await other.close();
	assert.deepEqual(problems, [], `another browser context recorded problems:\n${problems.join('\n')}`);
}

/** A helper account made through the API, consents given, with a profile unless profile is false. */
async function createHelper(session, displayName, { profile = true } = {}) {
	const { page } = session;
	await session.goto('/');
	const username = `helper-${crypto.randomBytes(5).toString('hex')}`;
	const created = await apiCall(page, 'POST', '/api/auth/register', {
		username, password: 'a long test passphrase for helpers', display_name: displayName,
	});
	assert.equal(created.status, 201, `POST /api/auth/register: ${JSON.stringify(created)}`);
	await acceptConsents(page);
	if (profile) {
		const made = await apiCall(page, 'POST', '/api/helpers/me', { bio: 'I listen without judging.', expertise: ['Loneliness', 'Anxiety & Stress'] });
		assert.equal(made.status, 201, `POST /api/helpers/me: ${JSON.stringify(made)}`);
	}
	await session.goto('/');
	return created.body.user;
}

/** A help session: the seeker (a page) posts, the helper (a page) goes online and accepts. */
async function helpSession(seekerPage, helperPage, content) {
	const post = await apiCall(seekerPage, 'POST', '/api/posts', { category: 'Loneliness', content });
	assert.equal(post.status, 201, `POST /api/posts: ${JSON.stringify(post)}`);
	const online = await apiCall(helperPage, 'PUT', '/api/helpers/me/availability', { online: true });
	assert.equal(online.status, 200, `PUT availability: ${JSON.stringify(online)}`);
	const accepted = await apiCall(helperPage, 'POST', `/api/posts/${post.body.id}/accept`);
	assert.equal(accepted.status, 201, `POST accept: ${JSON.stringify(accepted)}`);
	return accepted.body.id;
}

/** The modal dialog open now, as a locator of that dialog only (named by its heading's id). */
async function dialog(page) {
	const open = page.locator('dialog[open]').last();
	await open.waitFor();
	const id = await open.getAttribute('aria-labelledby');
	return page.locator(`dialog[aria-labelledby="${id}"]`);
}

async function goTo(session, pathname, titleKey) {
	await session.goto(pathname);
	await waitForView(session.page, new URL(pathname, 'http://x').pathname, titleKey);
}

/** Answer the quiz on the page (answers: question id → option id) and send it. */
async function answerQuiz(page, answers) {
	for (const [question, option] of Object.entries(answers)) {
		await page.locator(`input[data-question="${question}"][value="${option}"]`).check();
	}
	await page.getByRole('button', { name: htext('training.submitQuiz') }).click();
}

/** From lesson 1 to the quiz with "Next lesson": focus follows each lesson's heading (on the
    view's first lesson it is on the view's <h1>, where the router put it, unless focusFirst). */
async function readLessons(page, { focusFirst = false } = {}) {
	for (let lesson = 1; lesson <= 4; lesson += 1) {
		await page.locator('.lesson').filter({ hasText: htext('training.lessonOf', { number: lesson, total: 4 }) }).waitFor();
		if (lesson > 1 || focusFirst) {
			const focused = await page.evaluate(() => {
				const node = document.activeElement;
				return Boolean(node && node.tagName === 'H2' && node.closest('.lesson'));
			});
			assert.equal(focused, true, `focus is not on the heading of lesson ${lesson}`);
		}
		await page.locator('.lesson button[data-action="next"]').click();
	}
	await page.locator('.quiz-panel').waitFor();
}

/** Record a short WebM from a canvas in the page and upload it (the wellness API): returns the video id. */
async function uploadVideo(page, description) {
	const recorded = await recordWebm(page);
	const result = await page.evaluate(async ({ bytes, text }) => {
		const { uploadVideo: upload } = await import('/js/api/wellness.js');
		const file = new File([new Uint8Array(bytes)], 'calm.webm', { type: 'video/webm' });
		const answer = await upload({ file, description: text });
		return { status: answer.status, id: answer.body && answer.body.id };
	}, { bytes: Array.from(recorded), text: description });
	assert.equal(result.status, 201, `video upload: ${JSON.stringify(result)}`);
	return result.id;
}

// The id of the open alert raised by `sourceId` (a post or a message), from the moderator's queue,
// which names whether it has an excerpt but never carries one.
async function alertIdFor(page, sourceId) {
	let cursor = null;
	do {
		const listed = await apiCall(page, 'GET', `/api/moderation/alerts?status=open&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		assert.equal(listed.status, 200, JSON.stringify(listed));
		const found = listed.body.items.find((item) => item.source_id === sourceId);
		if (found) {
			assert.equal(found.excerpt, null, `the queue carries an excerpt: ${JSON.stringify(found)}`);
			assert.equal(found.has_excerpt, true, JSON.stringify(found));
			return found.id;
		}
		cursor = listed.body.next;
	} while (cursor);
	throw new Error(`no open alert for ${sourceId}`);
}

export function staffTests(test) {
	test('staff: a crisis alert whose event never came reaches /moderation within a minute', async (session) => {
		const { page } = session;
		await createStaff(session, 'moderator', 'Mod Lighthouse');
		// The moderator's stream stays open and the page hears none of it (a publish lost while the
		// real-time store was down, or a stream nchan left deaf: docs/scaling.md).
		const heard = await deafStream(page);
		await page.clock.install();
		await goTo(session, '/moderation?tab=alerts', 'titles.moderation');
		await page.locator('#alert-status').waitFor();
		await page.locator('.alert-list, #main .state-empty').first().waitFor();

		const seeker = await otherPerson(session);
		try {
			await createSeeker(seeker);
			const posted = await apiCall(seeker.page, 'POST', '/api/posts', { category: 'Depression', content: `${CRISIS_PHRASE} ${tag()}` });
			assert.equal(posted.status, 201, JSON.stringify(posted));
			await untilStreamHeard(page, heard, 'the alert', LIVE_MS);
			const card = page.locator(`.alert-card.is-new[data-alert-id="${await alertIdFor(page, posted.body.id)}"]`);
			await page.waitForTimeout(500);
			assert.equal(await card.count(), 0, 'the alert showed although the stream heard nothing');
			await page.clock.fastForward('01:01');
			await card.waitFor({ timeout: LIVE_MS });
			await page.locator('.live-note').filter({
				hasText: stext('moderation.alerts.arrived', { severity: stext('moderation.severity.high'), source: stext('moderation.source.post') }),
			}).waitFor();
			assert.equal(await page.locator(`.alert-card[data-alert-id="${await card.getAttribute('data-alert-id')}"]`).count(), 1, 'the alert is listed twice');
		} finally {
			await closeOther(seeker);
		}
	});

	test('staff: a crisis alert arrives live on /moderation; acknowledge, resolve; a chat read through a break-glass grant', async (session, t) => {
		const { page } = session;
		await createStaff(session, 'moderator', 'Mod Nightingale');
		// Staff see Moderation; only admins see Admin, and /admin says so to a moderator.
		assert.equal(await page.locator('#nav-moderation').count(), 1, 'no Moderation link for a moderator');
		assert.equal(await page.locator('#nav-admin').count(), 0, 'a moderator has the Admin link');
		await goTo(session, '/admin', 'titles.admin');
		await page.locator('#main .state-error').filter({ hasText: text('shell.errors.adminOnly') }).waitFor();

		await goTo(session, '/moderation?tab=alerts', 'titles.moderation');
		await page.locator('#alert-status').waitFor();
		await page.locator('.alert-list, #main .state-empty').first().waitFor();

		const seeker = await otherPerson(session);
		const helper = await otherPerson(session);
		try {
			// A seeker posts a crisis phrase: the alert arrives without a reload, announced and marked new.
			await createSeeker(seeker);
			const mark = tag();
			const posted = await apiCall(seeker.page, 'POST', '/api/posts', { category: 'Depression', content: `${CRISIS_PHRASE} ${mark}` });
			assert.equal(posted.status, 201, JSON.stringify(posted));
			assert.ok(posted.body.crisis, `the detector did not fire: ${JSON.stringify(posted.body)}`);
			// The queue carries no words: the card offers them, and the excerpt is fetched on request.
			const card = page.locator(`.alert-card.is-new[data-alert-id="${await alertIdFor(page, posted.body.id)}"]`);
			await card.waitFor({ timeout: LIVE_MS });
			assert.equal(await card.getAttribute('data-severity'), 'high');
			await page.locator('.live-note').filter({
				hasText: stext('moderation.alerts.arrived', { severity: stext('moderation.severity.high'), source: stext('moderation.source.post') }),
			}).waitFor();
			assert.equal(await card.locator('.alert-excerpt').count(), 0, 'the queue shows the words unasked');
			assert.doesNotMatch(await card.innerText(), new RegExp(mark));
			await card.getByRole('button', { name: stext('moderation.alerts.showExcerpt') }).click();
			assert.match(await card.locator('.alert-excerpt').innerText(), new RegExp(mark));
			assert.equal(await card.locator('.alert-excerpt').evaluate((node) => node === document.activeElement), true, 'focus did not move to the excerpt');
			assert.match(await page.getByRole('tab', { name: stext('moderation.tabs.alerts') }).innerText(), /\(\d+\+?\)/);
			await checkView(page, t, 'moderation-alerts', '/moderation crisis alerts');

			// Acknowledge, then resolve with a note (required).
			const alertId = await card.getAttribute('data-alert-id');
			const byId = page.locator(`.alert-card[data-alert-id="${alertId}"]`);
			await card.locator('button[data-action="ack"]').click();
			await byId.locator('[data-status="acknowledged"]').waitFor();
			await byId.locator('button[data-action="resolve"]').click();
			let box = await dialog(page);
			await box.getByRole('button', { name: stext('moderation.alerts.resolve'), exact: true }).click();
			await box.getByText(stext('forms.required')).waitFor();
			await checkA11y(page, { label: 'resolve dialog with an error' });
			await box.getByLabel(stext('moderation.alerts.note')).fill('Shared the crisis lines with the seeker; a helper is with them.');
			await box.getByRole('button', { name: stext('moderation.alerts.resolve'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await waitForToast(page, stext('moderation.alerts.resolved'));
			await byId.waitFor({ state: 'detached' });

			// A chat: the seeker writes a crisis phrase in it; the moderator reads the conversation.
			await createHelper(helper, 'Steady Harbour');
			const sessionId = await helpSession(seeker.page, helper.page, `Nights are long ${tag()}`);
			const line = `${CRISIS_PHRASE} tonight ${tag()}`;
			const sent = await apiCall(seeker.page, 'POST', `/api/sessions/${sessionId}/messages`, { text: line, client_key: `crisis-${tag()}` });
			assert.equal(sent.status, 201, JSON.stringify(sent));
			const chatAlert = page.locator(`.alert-card.is-new[data-alert-id="${await alertIdFor(page, sent.body.id)}"]`);
			await chatAlert.waitFor({ timeout: LIVE_MS });
			await chatAlert.getByRole('button', { name: stext('moderation.alerts.showExcerpt') }).click();
			assert.match(await chatAlert.locator('.alert-excerpt').innerText(), new RegExp(line));
			await chatAlert.locator('button[data-action="read"]').click();
			box = await dialog(page);
			const minutes = box.getByLabel(stext('moderation.grant.minutes'));
			assert.equal(await minutes.inputValue(), '30');
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('too short');
			await box.getByRole('button', { name: stext('moderation.grant.open') }).click();
			await box.getByText(stext('forms.tooShort', { min: 10 })).waitFor();
			await checkA11y(page, { label: 'break-glass dialog' });
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('High-severity message in a live chat: checking the seeker is safe.');
			await minutes.fill('15');
			await box.getByRole('button', { name: stext('moderation.grant.open') }).click();
			await box.waitFor({ state: 'detached' });
			const transcript = await dialog(page);
			await transcript.locator('.transcript-message').filter({ hasText: line }).waitFor();
			await transcript.locator('.grant-expiry').waitFor();
			assert.match(await transcript.locator('.grant-expiry').innerText(), new RegExp(stext('moderation.grant.until', { time: '' }).trim()));
			await checkView(page, t, 'moderation-transcript', 'break-glass transcript');
			await transcript.getByRole('button', { name: text('common.close') }).click();
			await transcript.waitFor({ state: 'detached' });
			const grants = await apiCall(page, 'GET', '/api/moderation/break-glass');
			assert.ok(grants.body.items.some((grant) => grant.session_id === sessionId), `no active grant: ${JSON.stringify(grants.body)}`);
		} finally {
			await closeOther(seeker);
			await closeOther(helper);
		}
	});

	test('staff: reports (remove, dismiss), a person (warn, ban 720 h, unban), videos (approve, reject), moderation history', async (session, t) => {
		const { page } = session;
		const author = await otherPerson(session);
		const reporter = await otherPerson(session);
		try {
			const { user: authorUser } = await createSeeker(author);
			await createSeeker(reporter);
			const mark = tag();
			const spam = `Buy cheap followers now ${mark}`;
			const harmless = `I had a rough week at work ${mark}`;
			const ids = {};
			for (const [key, content] of [['spam', spam], ['harmless', harmless]]) {
				const made = await apiCall(author.page, 'POST', '/api/posts', { category: 'Stress', content });
				assert.equal(made.status, 201, JSON.stringify(made));
				ids[key] = made.body.id;
			}
			for (const [key, reason] of [['spam', 'spam'], ['harmless', 'inappropriate']]) {
				const reported = await apiCall(reporter.page, 'POST', `/api/posts/${ids[key]}/report`, { reason, note: 'Seen in the feed' });
				assert.equal(reported.status, 201, JSON.stringify(reported));
			}
			// Two videos from the author wait for a decision.
			await author.goto('/wellness/videos');
			const videoA = await uploadVideo(author.page, `Rain on a window ${mark}`);
			const videoB = await uploadVideo(author.page, `A candle ${mark}`);

			await createStaff(session, 'moderator', 'Mod Kestrel');
			await goTo(session, '/moderation?tab=reports', 'titles.moderation');
			const spamCard = page.locator(`.report-card[data-post-id="${ids.spam}"]`);
			await spamCard.waitFor();
			assert.match(await spamCard.innerText(), new RegExp(ptext('report.reasons.spam')));
			assert.match(await spamCard.innerText(), /Seen in the feed/);
			await checkView(page, t, 'moderation-reports', '/moderation reports');

			// Remove asks a reason.
			await spamCard.locator('button[data-action="remove"]').click();
			let box = await dialog(page);
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('Advertising is not allowed here.');
			await box.getByRole('button', { name: stext('moderation.reports.remove'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await waitForToast(page, stext('moderation.reports.removed'));
			await spamCard.waitFor({ state: 'detached' });
			// Dismiss, with no note.
			const harmlessCard = page.locator(`.report-card[data-post-id="${ids.harmless}"]`);
			await harmlessCard.locator('button[data-action="dismiss"]').click();
			box = await dialog(page);
			await box.getByRole('button', { name: stext('moderation.reports.dismiss'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await harmlessCard.waitFor({ state: 'detached' });
			const back = await apiCall(author.page, 'GET', `/api/posts/${ids.harmless}`);
			assert.equal(back.body.status, 'active', `a dismissed post is not back: ${JSON.stringify(back.body)}`);

			// The person: find, warn.
			await page.getByRole('tab', { name: stext('moderation.tabs.users') }).click();
			await page.fill('#user-id', 'not-an-id');
			await page.getByRole('button', { name: stext('moderation.users.find') }).click();
			await page.getByText(stext('moderation.users.badId')).waitFor();
			await page.fill('#user-id', authorUser.id);
			await page.getByRole('button', { name: stext('moderation.users.find') }).click();
			const status = page.locator(`.user-status [data-user-id="${authorUser.id}"]`);
			await status.waitFor();
			assert.equal(await status.locator('[data-field="warnings"]').innerText(), '0');
			await status.locator('button[data-action="warn"]').click();
			box = await dialog(page);
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('Please keep posts about support, not sales.');
			await box.getByRole('button', { name: stext('moderation.users.warn'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await page.locator('.user-status [data-field="warnings"]').filter({ hasText: '1' }).waitFor();
			await checkView(page, t, 'moderation-user', '/moderation user');

			// The author's moderation history: the removed post and the warning, with the reasons.
			await goTo(author, '/moderation/history', 'titles.moderationHistory');
			await author.page.locator('[data-action-kind="post_removed"]').filter({ hasText: 'Advertising is not allowed here.' }).waitFor();
			await author.page.locator('[data-action-kind="warning"]').waitFor();
			await checkView(author.page, t, 'moderation-history', '/moderation/history');
			// The reporter's: one report acted on, one dismissed.
			await goTo(reporter, '/moderation/history', 'titles.moderationHistory');
			await reporter.page.locator('[data-report-status="actioned"]').waitFor();
			await reporter.page.locator('[data-report-status="dismissed"]').waitFor();
			// Linked from settings and account.
			await goTo(reporter, '/account', 'titles.account');
			await reporter.page.locator('a[href="/moderation/history"]').waitFor();

			// Videos: each plays here; approve one, reject the other with a reason.
			await page.getByRole('tab', { name: stext('moderation.tabs.videos') }).click();
			const cardA = page.locator(`.video-card[data-video-id="${videoA}"]`);
			const cardB = page.locator(`.video-card[data-video-id="${videoB}"]`);
			await cardA.waitFor();
			assert.equal(await cardA.locator('video').getAttribute('preload'), 'metadata');
			await checkView(page, t, 'moderation-videos', '/moderation videos');
			await cardA.locator('button[data-action="approve"]').click();
			await cardA.waitFor({ state: 'detached' });
			await cardB.locator('button[data-action="reject"]').click();
			box = await dialog(page);
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('Please share videos without text overlays.');
			await box.getByRole('button', { name: stext('moderation.videos.reject'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await cardB.waitFor({ state: 'detached' });
			const mine = await apiCall(author.page, 'GET', '/api/wellness/videos?mine=true&limit=50');
			const statusOf = (id) => (mine.body.items.find((video) => video.id === id) || {}).status;
			assert.equal(statusOf(videoA), 'approved');
			assert.equal(statusOf(videoB), 'rejected');

			// Ban: 720 hours by default; the end is shown. Then lift it. The ban ends the author's
			// sessions, so their page leaves the app first.
			await author.page.goto('about:blank');
			await page.getByRole('tab', { name: stext('moderation.tabs.users') }).click();
			await page.locator(`.user-status [data-user-id="${authorUser.id}"]`).waitFor();
			await page.locator('.user-status button[data-action="ban"]').click();
			box = await dialog(page);
			assert.equal(await box.getByLabel(stext('moderation.users.hours')).inputValue(), '720');
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('Repeated advertising after a warning.');
			await checkA11y(page, { label: 'ban dialog' });
			await box.getByRole('button', { name: stext('moderation.users.ban'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			const banCell = page.locator('.user-status [data-field="ban"]');
			await banCell.filter({ hasText: stext('moderation.users.bannedUntil', { time: '' }).trim() }).waitFor();
			const banned = await apiCall(page, 'GET', `/api/moderation/users/${authorUser.id}`);
			const hours = (Date.parse(banned.body.ban.until) - Date.parse(banned.body.ban.at)) / 3_600_000;
			assert.ok(Math.abs(hours - 720) < 0.1, `the ban lasts ${hours} hours`);
			await page.locator('.user-status button[data-action="unban"]').click();
			box = await dialog(page);
			await box.getByLabel(stext('moderation.reason'), { exact: true }).fill('Agreed to stop; lifting early.');
			await box.getByRole('button', { name: stext('moderation.users.unban'), exact: true }).click();
			await box.waitFor({ state: 'detached' });
			await banCell.filter({ hasText: stext('moderation.users.notBanned') }).waitFor();
		} finally {
			await closeOther(author);
			await closeOther(reporter);
		}
	});

	test('staff: a refusal is worded in the page\'s language (a video decided meanwhile, in Spanish)', async (session) => {
		const { page } = session;
		const author = await otherPerson(session);
		try {
			await createSeeker(author);
			await author.goto('/wellness/videos');
			const video = await uploadVideo(author.page, `Waves at dusk ${tag()}`);
			await createStaff(session, 'moderator', 'Mod Tern');
			await goTo(session, '/moderation?tab=videos', 'titles.moderation');
			await page.locator('#language-toggle').click();
			await page.getByRole('tab', { name: STAFF_ES.moderation.tabs.videos }).waitFor();
			const card = page.locator(`.video-card[data-video-id="${video}"]`);
			await card.waitFor();
			// Decided in another tab meanwhile: this page still offers the buttons.
			const decided = await apiCall(page, 'POST', `/api/moderation/videos/${video}/approve`, {});
			assert.equal(decided.status, 200, JSON.stringify(decided));
			await card.locator('button[data-action="approve"]').click();
			await waitForToast(page, ACCOUNT_ES.apiErrors.reasons.already_decided);
			const shown = (await toasts(page)).join(' ');
			assert.ok(!shown.includes('decided already'), `the server's English sentence was shown: ${shown}`);
		} finally {
			await closeOther(author);
		}
	});

	test('staff: training (fail, again from lesson 1, pass), apply, pending; an admin approves and the dashboard says certified; a rejection with notes; roles, statistics, audit chain', async (session, t) => {
		const { page } = session;
		const name = `Willow ${tag()}`;
		await createHelper(session, name);

		// The dashboard offers certification.
		await goTo(session, '/helper', 'titles.dashboard');
		const certify = page.locator('.certify-card');
		await certify.waitFor();
		assert.match(await page.locator('#main h1').innerText(), new RegExp(htext('program.welcome', { name, level: 1 }).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
		await page.locator('#main meter').first().waitFor();
		await certify.getByRole('link', { name: htext('program.certify.link.untrained') }).click();
		await waitForView(page, '/helper/training', 'titles.training');

		// Four lessons, then the quiz; nothing answered is named.
		await page.locator('.lesson h2').waitFor();
		await checkView(page, t, 'helper-training-lesson', '/helper/training lesson 1');
		await readLessons(page);
		await page.getByRole('button', { name: htext('training.submitQuiz') }).click();
		await page.locator('.quiz-panel .status-error').filter({ hasText: htext('training.missing', { count: 3 }) }).waitFor();
		await checkView(page, t, 'helper-training-quiz', '/helper/training quiz with errors');

		// A fail: said kindly, and the training starts again from lesson 1.
		await answerQuiz(page, WRONG);
		const failed = page.locator('[data-result="failed"]');
		await failed.waitFor();
		assert.match(await failed.innerText(), new RegExp(htext('training.failedTitle')));
		await checkView(page, t, 'helper-training-failed', '/helper/training failed');
		await failed.locator('button[data-action="restart"]').click();
		await readLessons(page, { focusFirst: true });
		await answerQuiz(page, RIGHT);
		const passed = page.locator('[data-result="passed"]');
		await passed.waitFor();
		assert.match(await passed.innerText(), /100%/);
		await checkView(page, t, 'helper-training-passed', '/helper/training passed');

		// Apply, with a motivation: pending.
		await passed.getByRole('link', { name: htext('training.apply') }).click();
		await waitForView(page, '/helper/certification', 'titles.certification');
		await page.locator('[data-state="apply"]').waitFor();
		await checkView(page, t, 'helper-certification-apply', '/helper/certification step 2');
		const motivation = `I have listened to friends through hard years ${tag()}`;
		await page.fill('#application-motivation', motivation);
		await page.getByRole('button', { name: htext('certification.apply') }).click();
		await page.locator('[data-state="pending"]').waitFor();
		await checkView(page, t, 'helper-certification-pending', '/helper/certification pending');

		// A second helper applies through the API, to be rejected.
		const other = await otherPerson(session);
		const admin = await otherPerson(session);
		try {
			const otherName = `Rowan ${tag()}`;
			await createHelper(other, otherName);
			const quiz = await apiCall(other.page, 'POST', '/api/helpers/me/training', { answers: RIGHT });
			assert.equal(quiz.body.passed, true, JSON.stringify(quiz));
			const applied = await apiCall(other.page, 'POST', '/api/helpers/me/application', {});
			assert.equal(applied.status, 201, JSON.stringify(applied));

			// The admin: the vetting table, Review with everything, Approve.
			const ap = admin.page;
			await createStaff(admin, 'admin', 'Admin Heron');
			assert.equal(await ap.locator('#nav-admin').count(), 1, 'no Admin link for an admin');
			await goTo(admin, '/admin', 'titles.admin');
			const row = ap.locator('.vetting tr').filter({ hasText: name });
			await row.waitFor();
			await checkView(ap, t, 'admin-vetting', '/admin helper vetting');
			await row.locator('button[data-action="review"]').click();
			let box = await dialog(ap);
			assert.equal(await box.locator('[data-field="motivation"]').innerText(), motivation);
			assert.equal(await box.locator('[data-field="score"]').innerText(), stext('admin.percent', { score: 100 }));
			assert.equal(await box.locator('[data-field="bio"]').innerText(), 'I listen without judging.');
			await checkView(ap, t, 'admin-review', '/admin review dialog');
			await box.locator('button[data-action="approve"]').click();
			await box.waitFor({ state: 'detached' });
			await waitForToast(ap, stext('admin.vetting.approvedToast', { name }));
			await row.waitFor({ state: 'detached' });

			// Reject needs notes.
			const otherRow = ap.locator('.vetting tr').filter({ hasText: otherName });
			await otherRow.locator('button[data-action="review"]').click();
			box = await dialog(ap);
			await box.locator('button[data-action="reject"]').click();
			await box.getByText(stext('admin.vetting.notesRequired')).waitFor();
			const notes = 'Thank you. Please complete ten chats first, then apply again.';
			await box.getByLabel(stext('admin.vetting.notes')).fill(notes);
			await box.locator('button[data-action="reject"]').click();
			await box.waitFor({ state: 'detached' });
			await otherRow.waitFor({ state: 'detached' });

			// The helpers see the decisions.
			await goTo(session, '/helper', 'titles.dashboard');
			await page.locator('[data-tier="certified"]').waitFor();
			assert.equal(await page.locator('.certify-card').count(), 0, 'a certified helper is still offered certification');
			await page.getByRole('tab', { name: htext('program.tabs.stats') }).click();
			await page.locator('[data-stat="tier"]').filter({ hasText: ptext('helper.tiers.certified') }).waitFor();
			await checkView(page, t, 'helper-dashboard-stats', '/helper My stats');
			await page.getByRole('tab', { name: htext('program.tabs.achievements') }).click();
			assert.equal(await page.locator('.achievement-list > li').count(), 5, 'not all five achievements are shown');
			await checkView(page, t, 'helper-dashboard-achievements', '/helper Achievements');
			await goTo(session, '/helper/certification', 'titles.certification');
			await page.locator('[data-state="certified"]').waitFor();
			await checkView(page, t, 'helper-certification-certified', '/helper/certification certified');
			await goTo(other, '/helper/certification', 'titles.certification');
			const rejected = other.page.locator('[data-state="rejected"]');
			await rejected.waitFor();
			assert.match(await rejected.locator('.admin-notes').innerText(), new RegExp(notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
			await rejected.getByRole('button', { name: htext('certification.applyAgain') }).waitFor();
			await checkView(other.page, t, 'helper-certification-rejected', '/helper/certification rejected');

			// Roles: a seeker becomes a helper (confirmed first).
			const newcomer = await otherPerson(session);
			let newcomerId = null;
			try {
				newcomerId = (await createSeeker(newcomer)).user.id;
			} finally {
				await closeOther(newcomer);
			}
			await ap.getByRole('tab', { name: stext('admin.tabs.roles') }).click();
			await ap.fill('#role-user', newcomerId);
			await ap.selectOption('#role-role', 'helper');
			await ap.getByRole('button', { name: stext('admin.roles.save') }).click();
			box = await dialog(ap);
			await box.getByRole('button', { name: stext('admin.roles.save') }).click();
			await box.waitFor({ state: 'detached' });
			await ap.locator('.role-form .status-success').waitFor();
			await checkView(ap, t, 'admin-roles', '/admin roles');

			// Statistics.
			await ap.getByRole('tab', { name: stext('admin.tabs.stats') }).click();
			await ap.locator('.stat-card[data-stat="certified"]').waitFor();
			assert.ok(Number(await ap.locator('.stat-card[data-stat="certified"] .stat-value').innerText()) >= 1);
			await checkView(ap, t, 'admin-stats', '/admin statistics');

			// The audit log: the approval is there; the chain verifies.
			await ap.getByRole('tab', { name: stext('admin.tabs.audit') }).click();
			await ap.locator('.audit .data-table').waitFor();
			await ap.fill('#audit-action', 'application_decide');
			await ap.getByRole('button', { name: stext('admin.audit.search') }).click();
			await ap.locator('.audit .data-table tbody tr, .audit .state-empty').first().waitFor();
			await ap.fill('#audit-action', '');
			await ap.getByRole('button', { name: stext('admin.audit.search') }).click();
			await ap.locator('.audit .data-table').waitFor();
			await ap.locator('button[data-action="verify"]').click();
			await ap.locator('[data-chain="ok"]').waitFor({ timeout: 30_000 });
			await checkView(ap, t, 'admin-audit', '/admin audit log');
		} finally {
			await closeOther(other);
			await closeOther(admin);
		}
	});

	test('staff: helper community (a thread with replies from two helpers, a proposal and a vote); the rest notice after a high-severity chat', async (session, t) => {
		const { page } = session;
		const seeker = await otherPerson(session);
		const second = await otherPerson(session);
		try {
			// A council member: a chat the seeker found helpful gives a reputation of 5.
			const nameA = `Juniper ${tag()}`;
			await createHelper(session, nameA);
			await createSeeker(seeker);
			const sessionId = await helpSession(seeker.page, page, `I feel alone in this city ${tag()}`);
			// The seeker presses the emergency button (a high-severity alert naming the chat), then ends it.
			const emergency = await apiCall(seeker.page, 'POST', `/api/sessions/${sessionId}/emergency`, {});
			assert.equal(emergency.status, 201, JSON.stringify(emergency));
			const ended = await apiCall(seeker.page, 'POST', `/api/sessions/${sessionId}/end`);
			assert.equal(ended.status, 200, JSON.stringify(ended));
			const feedback = await apiCall(seeker.page, 'POST', `/api/sessions/${sessionId}/feedback`, { helpful: true });
			assert.equal(feedback.status, 200, JSON.stringify(feedback));

			// The dashboard: resting after that chat; "I'm okay, continue" ends the rest.
			await goTo(session, '/helper', 'titles.dashboard');
			const rest = page.locator('.rest-notice');
			await rest.waitFor();
			await checkView(page, t, 'helper-dashboard-resting', '/helper resting');
			await rest.getByRole('button', { name: htext('program.rest.continue') }).click();
			await waitForToast(page, htext('program.rest.ended'));
			await rest.waitFor({ state: 'detached' });
			const dash = await apiCall(page, 'GET', '/api/helpers/me/dashboard');
			assert.equal(dash.body.wellbeing.resting, false, JSON.stringify(dash.body.wellbeing));

			// A thread with its first post.
			await goTo(session, '/helper/community', 'titles.community');
			await page.locator('details[data-form="thread"] summary').click();
			const title = `Looking after ourselves after hard chats ${tag()}`;
			await page.fill('#thread-title', 'ab');
			await page.fill('#thread-content', 'What helps you **switch off** after a long evening?');
			await page.getByRole('button', { name: htext('community.startThread') }).click();
			await page.getByText(htext('community.errors.title', { min: 3, max: 120 })).waitFor();
			await checkView(page, t, 'community-forum', '/helper/community forum');
			await page.fill('#thread-title', title);
			await page.getByRole('button', { name: htext('community.startThread') }).click();
			await page.waitForURL((url) => /^\/helper\/community\/threads\/[0-9a-f-]{36}$/.test(url.pathname));
			await page.waitForFunction((expected) => document.querySelector('#main h1') && document.querySelector('#main h1').textContent === expected, title);
			const threadPath = new URL(page.url()).pathname;
			assert.equal(await page.title(), documentTitle('titles.thread'));
			await page.locator('.community-post strong').filter({ hasText: 'switch off' }).waitFor();

			// The second helper replies; the first sees it and answers.
			const nameB = `Alder ${tag()}`;
			await createHelper(second, nameB);
			await goTo(second, threadPath, 'titles.thread');
			await second.page.fill('#reply-content', 'A walk without my phone, every time.');
			await second.page.getByRole('button', { name: htext('community.sendReply') }).click();
			await second.page.locator('.community-post').filter({ hasText: 'A walk without my phone' }).waitFor();
			await goTo(session, threadPath, 'titles.thread');
			await page.locator('.community-post').filter({ hasText: nameB }).waitFor();
			await page.fill('#reply-content', 'Thank you, I will try that.');
			await page.getByRole('button', { name: htext('community.sendReply') }).click();
			await page.locator('.community-post.is-mine').filter({ hasText: 'I will try that' }).waitFor();
			assert.equal(await page.locator('.community-post').count(), 3);
			await checkView(page, t, 'community-thread', '/helper/community/threads/:id');
			await goTo(session, '/helper/community', 'titles.community');
			await page.locator('.thread-card').filter({ hasText: title }).filter({ hasText: htext('community.posts', { count: 3 }) }).waitFor();

			// A proposal from the council member.
			await page.getByRole('tab', { name: htext('community.tabs.proposals') }).click();
			await page.locator('details[data-form="proposal"] summary').click();
			const proposal = `A quiet hour each Sunday ${tag()}`;
			await page.fill('#proposal-title', proposal);
			await page.fill('#proposal-description', 'No new matches for an hour on Sundays, so helpers can rest together.');
			await page.fill('#proposal-days', '3');
			await page.getByRole('button', { name: htext('community.propose') }).click();
			const mineCard = page.locator('.proposal-card').filter({ hasText: proposal });
			await mineCard.waitFor();
			await checkView(page, t, 'community-proposals', '/helper/community proposals (council member)');

			// The second helper may not propose, and votes.
			await goTo(second, '/helper/community?tab=proposals', 'titles.community');
			const sp = second.page;
			await sp.locator('[data-council="no"]').filter({ hasText: htext('community.councilOnly') }).waitFor();
			assert.equal(await sp.locator('details[data-form="proposal"]').count(), 0, 'the form is offered below the reputation bar');
			const theirCard = sp.locator('.proposal-card').filter({ hasText: proposal });
			await theirCard.locator('button[data-vote="for"]').click();
			await theirCard.locator('.vote-result').filter({ hasText: htext('community.myVote', { vote: htext('community.votes.for') }) }).waitFor();
			assert.equal(await theirCard.locator('[data-tally="for"] .vote-count').innerText(), '1');
			assert.equal(await theirCard.locator('button[data-vote]').count(), 0, 'the vote buttons stay after voting');
			await checkView(sp, t, 'community-proposals-voted', '/helper/community proposals (voted)');
			// The same view in Spanish.
			await sp.locator('#language-toggle').click();
			await sp.locator('#main h1').filter({ hasText: HELPERS_ES.community.title }).waitFor();
			await sp.getByRole('tab', { name: HELPERS_ES.community.tabs.proposals }).waitFor();
			await sp.locator('.proposal-card').filter({ hasText: proposal }).locator('.vote-result')
				.filter({ hasText: catalogueText(HELPERS_ES, 'es/helpers.json', 'community.myVote', { vote: HELPERS_ES.community.votes.for }) }).waitFor();
			// Below the bar the server refuses too, naming reputation.
			const refused = await apiCall(sp, 'POST', '/api/community/proposals', { title: 'Not allowed', description: 'x', days: 2 });
			assert.equal(refused.status, 403, JSON.stringify(refused));
			assert.ok(refused.body.error.fields && 'reputation' in refused.body.error.fields, `the 403 does not name reputation: ${JSON.stringify(refused.body)}`);
		} finally {
			await closeOther(seeker);
			await closeOther(second);
		}
	});
}
