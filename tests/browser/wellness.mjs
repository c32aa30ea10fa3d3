// Wellness in the browser, as a seeker:
// - check-in with the emoji scale (by mouse), a slider (by keyboard), a tag
//   and a note; the same day again updates it; the insights chart, the
//   averages and the year in pixels show it; the hub in Spanish; a crisis
//   phrase in the note shows the crisis card, focused, and the safety plan link;
// - habits: track one from the catalogue, complete it (streak 1), undo,
//   a custom habit, stop tracking (confirmed);
// - journal: write, edit, delete (confirmed); a crisis phrase shows the crisis
//   card, focused, and a link to the safety plan;
// - PHQ-9: every item required; the result with meter, band and
//   recommendation; item 9 shows the crisis lines, the safety plan button and
//   the volunteer question ("yes" is recorded); GAD-7 without item 9 asks
//   nothing; history with a chart per questionnaire;
// - safety plan: a save made after another device saved shows the plan as it
//   is now and keeps the edits, and starting again from it saves both;
// - safety plan: an empty plan opens in edit mode; rows added, a bad phone
//   refused, saved; tap-to-call links; print (window.print called) and the
//   print stylesheet shows the plan without navigation; the clinician summary;
// - offline: with a service worker, after one online load the plan view
//   renders from the device's copy with the network off; sign-out forgets
//   the copy, and signed out the view leads to sign-in;
// - resources (search, filters) and videos (415 for a file that is not a
//   video, a real WebM recorded in the page waits for a moderator);
// - videos: the chosen file is previewed (muted, still, from a blob: URL that is
//   revoked when the choice changes, is cleared, the tab or the view is left, or
//   the upload is done); a file the browser cannot play gets a note; the CSP
//   allows blob: for media only;
// - axe-core in light and dark on every wellness view, and their screenshots.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SRC, screenshot } from './harness.mjs';
import { apiCall, catalogueText, checkBothSchemes, checkView, createSeeker, currentSession, recordWebm, waitForToast, waitForView } from './app.mjs';

const HTDOCS = path.resolve(process.env.ASTRAL_HTDOCS || path.join(SRC, 'htdocs'));
const CATALOGUE = Object.assign({},
	JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'wellness.json'), 'utf8')),
	JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'en', 'peer.json'), 'utf8')));
const SPANISH = JSON.parse(fs.readFileSync(path.join(HTDOCS, 'i18n', 'es', 'wellness.json'), 'utf8'));

/** A string of the wellness (or peer) catalogue as the page shows it. */
function wtext(key, vars = {}, catalogue = CATALOGUE) {
	return catalogueText(catalogue, 'wellness.json', key, vars);
}

async function confirmDialog(page, label) {
	const dialog = page.locator('dialog[open]');
	await dialog.waitFor();
	await dialog.getByRole('button', { name: label, exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
}

/** The day the page calls today (the browser's time zone). */
async function pageToday(page) {
	return page.evaluate(async () => (await import('/js/api/wellness.js')).localDay());
}

/** Wait for the text of a role=status region. */
async function waitForStatus(locator, expected) {
	await locator.filter({ hasText: expected }).waitFor();
}

export function wellnessTests(test) {
	test('wellness: check-in (emoji scale, slider by keyboard, tag, note), updated the same day; insights show it', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness');
		await waitForView(page, '/wellness', 'titles.wellness');
		assert.equal(await page.locator('#nav-wellness').getAttribute('aria-current'), 'page');
		await page.locator('#main .checkin-today .note').waitFor();
		assert.equal(await page.locator('#main .checkin-today').innerText(), wtext('checkin.noneToday'));
		await checkView(page, t, 'wellness-checkin', '/wellness');

		// Saving without a mood says so and focuses the scale.
		await page.getByRole('button', { name: wtext('checkin.save') }).click();
		await page.getByText(wtext('checkin.errors.mood')).waitFor();
		assert.equal(await page.evaluate(() => document.activeElement.name), 'checkin-mood');

		await page.locator('.scale-option:has(input[value="4"]) label').click();
		await page.locator('#checkin-anxiety').focus();
		await page.keyboard.press('ArrowLeft');
		assert.equal(await page.locator('#checkin-anxiety').inputValue(), '2');
		assert.equal(await page.locator('#checkin-anxiety').getAttribute('aria-valuetext'),
			wtext('checkin.valueText', { value: 2, low: wtext('checkin.ends.anxiety.low'), high: wtext('checkin.ends.anxiety.high') }));
		await page.locator('label.chip-label').filter({ hasText: wtext('tags.Calm') }).click();
		await page.fill('#checkin-note', 'Walked by the river');
		await page.getByRole('button', { name: wtext('checkin.save') }).click();
		await waitForStatus(page.locator('.checkin-form .status'), wtext('checkin.saved'));
		const summary = page.locator('.checkin-summary');
		await summary.waitFor();
		const today = await summary.getAttribute('data-day');
		assert.equal(today, await pageToday(page));
		assert.equal(await summary.getAttribute('data-mood'), '4');
		assert.match(await summary.innerText(), /Walked by the river/);

		// The same day again: an update, not a second check-in.
		await page.locator('.scale-option:has(input[value="5"]) label').click();
		await page.getByRole('button', { name: wtext('checkin.update') }).click();
		await waitForStatus(page.locator('.checkin-form .status'), wtext('checkin.updated'));
		await page.locator('.checkin-summary[data-mood="5"]').waitFor();
		const history = await apiCall(page, 'GET', `/api/wellness/mood?from=${today}&to=${today}`);
		assert.equal(history.body.items.length, 1, `more than one check-in today: ${JSON.stringify(history.body)}`);
		assert.deepEqual(history.body.items[0].tags, ['Calm']);
		assert.equal(history.body.items[0].anxiety, 2);

		// Insights: today's bar, the averages, the year in pixels.
		await page.getByRole('link', { name: wtext('checkin.toInsights') }).click();
		await waitForView(page, '/wellness/insights', 'titles.insights');
		await page.locator(`label[for$="-7"]`).click();
		await page.waitForURL((url) => url.searchParams.get('days') === '7');
		const bar = page.locator(`.insights-chart rect.chart-bar[data-day="${today}"]`);
		await bar.waitFor();
		assert.equal(await bar.getAttribute('data-value'), '5');
		assert.match(await bar.getAttribute('class'), /mood-5/);
		assert.equal(await page.locator('.insights-chart .chart-bar').count(), 1, 'bars for days without a check-in');
		assert.equal(await page.locator('.insights-chart svg').getAttribute('role'), 'img');
		assert.equal(await page.locator('.measure[data-measure="mood"] .measure-value').innerText(), '5.0');
		assert.equal(await page.locator('.insights-status').innerText(), wtext('insights.summary', { count: 1, days: 7 }));
		assert.match(await page.locator(`.year-pixels rect[data-day="${today}"]`).getAttribute('class'), /mood-5/);
		await page.getByText(wtext('insights.notEnoughTitle')).waitFor();
		await checkView(page, t, 'wellness-insights', '/wellness/insights');

		// The hub in Spanish.
		await page.goto(session.url('/wellness'));
		await waitForView(page, '/wellness', 'titles.wellness');
		await page.locator('#language-toggle').click();
		await page.locator('#main h1').filter({ hasText: SPANISH.wellness.title }).waitFor();
		await page.getByRole('tab', { name: SPANISH.wellness.tabs.habits }).waitFor();
	});

	test('wellness: in Spanish, a catalogue habit is worded in Spanish on the habits tab and in insights', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness?tab=habits');
		await waitForView(page, '/wellness', 'titles.wellness');
		await page.locator('#language-toggle').click();
		const water = SPANISH.habitCatalog['drink-water'];
		const item = page.locator('.catalog-card[data-catalog-id="drink-water"]');
		await item.filter({ hasText: water.name }).filter({ hasText: water.description }).waitFor();
		await item.getByRole('button', { name: SPANISH.habits.track }).click();
		await page.locator('.habit-card .habit-name').filter({ hasText: water.name }).waitFor();
		await page.locator('.status-success').filter({ hasText: water.name }).waitFor();
		assert.equal(await page.getByText(CATALOGUE.habitCatalog['drink-water'].name).count(), 0, 'the English name is shown');
		// Insights list the habit once there is a check-in.
		const checkin = await page.evaluate(async () => {
			const { wellness } = await import('/js/api/wellness.js');
			return (await wellness.checkIn({ mood: 4 })).status;
		});
		assert.equal(checkin, 201);
		await session.goto('/wellness/insights');
		await page.locator('.not-enough li').filter({ hasText: water.name }).waitFor();
	});

	test('wellness: habits — track from the catalogue, complete (streak 1), undo, a custom habit, stop tracking', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness?tab=habits');
		await waitForView(page, '/wellness', 'titles.wellness');
		const firstCatalog = page.locator('.catalog-card').first();
		await firstCatalog.waitFor();
		const name = await firstCatalog.locator('h4').innerText();
		await firstCatalog.getByRole('button', { name: wtext('habits.track') }).click();
		const card = page.locator('.habit-card').filter({ hasText: name });
		await card.waitFor();
		assert.equal(await card.getAttribute('data-current-streak'), '0');
		assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'complete');

		await card.getByRole('button', { name: wtext('habits.complete') }).click();
		await page.locator('.habit-card[data-current-streak="1"]').waitFor();
		assert.match(await card.locator('.habit-streak').innerText(), new RegExp(wtext('habits.current', { count: 1 })));
		assert.equal(await card.getAttribute('data-done-today'), 'true');
		await page.locator('.habits-mine').locator('..').locator('.status-success').waitFor();
		await checkView(page, t, 'wellness-habits', '/wellness?tab=habits');

		await card.getByRole('button', { name: wtext('habits.undo') }).click();
		await page.locator('.habit-card[data-current-streak="0"]').waitFor();
		assert.equal(await card.getAttribute('data-done-today'), 'false');

		await page.fill('#habit-name', 'Text a friend');
		await page.selectOption('#habit-category', 'Connection');
		await page.getByRole('button', { name: wtext('habits.customAdd') }).click();
		await page.locator('.habit-card').filter({ hasText: 'Text a friend' }).waitFor();

		await card.getByRole('button', { name: wtext('habits.untrack') }).click();
		await confirmDialog(page, wtext('habits.untrack'));
		await card.waitFor({ state: 'detached' });
		const left = await apiCall(page, 'GET', '/api/wellness/habits');
		assert.deepEqual(left.body.items.map((habit) => habit.name), ['Text a friend']);
	});

	test('wellness: habits — stopping the only habit from the keyboard leaves the focus on the empty list', async (session) => {
		const { page } = session;
		await createSeeker(session);
		const made = await apiCall(page, 'POST', '/api/wellness/habits', { name: 'Stretch', category: 'Movement' });
		assert.equal(made.status, 201, `POST /api/wellness/habits: ${JSON.stringify(made)}`);
		await session.goto('/wellness?tab=habits');
		await waitForView(page, '/wellness', 'titles.wellness');
		const card = page.locator('.habit-card').filter({ hasText: 'Stretch' });
		await card.waitFor();
		await card.getByRole('button', { name: wtext('habits.untrack') }).focus();
		await page.keyboard.press('Enter');
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		await dialog.getByRole('button', { name: wtext('habits.untrack'), exact: true }).focus();
		await page.keyboard.press('Enter');
		await card.waitFor({ state: 'detached' });
		assert.equal(await page.evaluate(() => (document.activeElement === document.body ? 'the page itself'
			: `${document.activeElement.tagName} ${document.activeElement.textContent}`)), `P ${wtext('habits.emptyMine')}`,
		'where the focus is after stopping the only habit');
	});

	test('wellness: check-in from a browser on TZ=CET — sent as a region zone the server accepts, for the day the page shows', { timezoneId: 'CET' }, async (session) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness');
		await waitForView(page, '/wellness', 'titles.wellness');
		await page.locator('#main .checkin-today .note').waitFor();
		// Whatever this Chromium's ICU calls the zone, the names PostgreSQL reads as abbreviations
		// never reach the server.
		const mapped = await page.evaluate(async () => {
			const { serverZone } = await import('/js/api/wellness.js');
			return ['CET', 'MET', 'EET', 'WET', 'EST', 'MST', 'HST', 'GMT', 'Europe/Madrid', 'UTC'].map(serverZone);
		});
		assert.deepEqual(mapped, ['Europe/Brussels', 'Europe/Brussels', 'Europe/Athens', 'Europe/Lisbon', 'America/Panama',
			'America/Phoenix', 'Pacific/Honolulu', 'UTC', 'Europe/Madrid', 'UTC']);
		await page.locator('.scale-option:has(input[value="3"]) label').click();
		const sent = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/wellness/mood');
		await page.getByRole('button', { name: wtext('checkin.save') }).click();
		const zone = JSON.parse((await sent).postData()).timezone;
		assert.ok(['Europe/Brussels', 'Europe/Paris'].includes(zone), `sent timezone ${zone}`);
		await waitForStatus(page.locator('.checkin-form .status'), wtext('checkin.saved'));
		assert.equal(await page.locator('.checkin-summary').getAttribute('data-day'), await pageToday(page));
	});

	test('wellness: check-in — a crisis phrase in the note shows the crisis card and the safety plan link', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness');
		await waitForView(page, '/wellness', 'titles.wellness');
		await page.locator('#main .checkin-today .note').waitFor();
		await page.locator('.scale-option:has(input[value="1"]) label').click();
		await page.fill('#checkin-note', 'I cannot go on, I want to kill myself');
		await page.getByRole('button', { name: wtext('checkin.save') }).click();
		await waitForStatus(page.locator('.checkin-form .status'), wtext('checkin.saved'));
		const crisis = page.locator('.checkin-crisis [data-crisis-card]');
		await crisis.waitFor();
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-crisis-card')), true,
			'focus is not on the crisis card');
		assert.equal(await crisis.locator('a[href="tel:988"]').count(), 1);
		assert.equal(await page.locator('.checkin-crisis a[href="/wellness/safety-plan"]').innerText(), wtext('journal.openPlan'));
		await checkView(page, t, null, '/wellness with the crisis card');
		// A calm note saved after it clears the card.
		await page.fill('#checkin-note', 'Calmer now');
		await page.getByRole('button', { name: wtext('checkin.update') }).click();
		await waitForStatus(page.locator('.checkin-form .status'), wtext('checkin.updated'));
		assert.equal(await page.locator('.checkin-crisis [data-crisis-card]').count(), 0);
	});

	test('wellness: journal — write, edit, delete; a crisis phrase shows the crisis card and the safety plan link', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness?tab=journal');
		await waitForView(page, '/wellness', 'titles.wellness');
		await page.locator('#journal-text').waitFor();
		await page.fill('#journal-text', 'Today was slow but fine.');
		assert.match(await page.locator('.char-counter').first().innerText(), /24 \/ 2000/);
		await page.getByRole('button', { name: wtext('journal.save') }).click();
		await page.locator('.journal-entry').filter({ hasText: 'Today was slow but fine.' }).waitFor();
		const entryId = await page.locator('.journal-entry').filter({ hasText: 'Today was slow but fine.' }).getAttribute('data-entry-id');
		const entry = page.locator(`.journal-entry[data-entry-id="${entryId}"]`);

		await entry.getByRole('button', { name: wtext('journal.edit') }).click();
		const editor = entry.getByLabel(wtext('journal.editLabel'));
		await editor.fill('Today was slow, and then better.');
		await entry.getByRole('button', { name: wtext('journal.saveEdit') }).click();
		const edited = page.locator('.journal-entry').filter({ hasText: 'Today was slow, and then better.' });
		await edited.waitFor();
		await checkView(page, t, 'wellness-journal', '/wellness?tab=journal');

		await edited.getByRole('button', { name: wtext('journal.delete') }).click();
		await confirmDialog(page, wtext('journal.delete'));
		await edited.waitFor({ state: 'detached' });
		const rest = await apiCall(page, 'GET', '/api/wellness/journal');
		assert.equal(rest.body.items.length, 0);

		await page.fill('#journal-text', 'I cannot go on, I want to kill myself');
		await page.getByRole('button', { name: wtext('journal.save') }).click();
		const crisis = page.locator('.journal-crisis [data-crisis-card]');
		await crisis.waitFor();
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-crisis-card')), true,
			'focus is not on the crisis card');
		assert.equal(await crisis.locator('a[href="tel:988"]').count(), 1);
		assert.equal(await page.locator('.journal-crisis a[href="/wellness/safety-plan"]').innerText(), wtext('journal.openPlan'));
		await checkView(page, t, 'wellness-journal-crisis', '/wellness?tab=journal with the crisis card');
		await page.locator('.journal-crisis a[href="/wellness/safety-plan"]').click();
		await waitForView(page, '/wellness/safety-plan', 'titles.safetyPlan');
	});

	test('wellness: journal — deleting the only entry from the keyboard leaves the focus on the empty list', async (session) => {
		const { page } = session;
		await createSeeker(session);
		const made = await apiCall(page, 'POST', '/api/wellness/journal', { text: 'The only entry.' });
		assert.equal(made.status, 201, `POST /api/wellness/journal: ${JSON.stringify(made)}`);
		await session.goto('/wellness?tab=journal');
		await waitForView(page, '/wellness', 'titles.wellness');
		const entry = page.locator('.journal-entry').filter({ hasText: 'The only entry.' });
		await entry.waitFor();
		await entry.getByRole('button', { name: wtext('journal.delete') }).focus();
		await page.keyboard.press('Enter');
		const dialog = page.locator('dialog[open]');
		await dialog.waitFor();
		await dialog.getByRole('button', { name: wtext('journal.delete'), exact: true }).focus();
		await page.keyboard.press('Enter');
		await entry.waitFor({ state: 'detached' });
		await page.locator('.journal-list .state-empty, .paged-list .state-empty').first().waitFor();
		assert.equal(await page.evaluate(() => (document.activeElement === document.body ? 'the page itself'
			: `${document.activeElement.tagName} ${document.activeElement.textContent}`)), `P ${wtext('journal.empty')}`,
		'where the focus is after deleting the only entry');
	});

	test('wellness: PHQ-9 — every item required, result with meter and band; item 9 asks about a volunteer; GAD-7; history', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness/assessments');
		await waitForView(page, '/wellness/assessments', 'titles.assessments');
		await page.locator('button[data-kind="phq9"]').waitFor();
		await checkView(page, t, 'wellness-assessments', '/wellness/assessments');

		await page.locator('button[data-kind="phq9"]').click();
		const form = page.locator('form.assessment-form[data-kind="phq9"]');
		await form.waitFor();
		assert.equal(await form.locator('fieldset.question').count(), 9);
		// Two answered, then submit: the seven others are listed and the first is focused.
		await form.locator('#q-phq9-1-1').check();
		await form.locator('#q-phq9-2-1').check();
		await form.getByRole('button', { name: wtext('assessments.submit') }).click();
		const problem = form.locator('[role="alert"]');
		await problem.waitFor();
		assert.match(await problem.innerText(), new RegExp(wtext('assessments.missing', { count: 7 }).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
		assert.equal(await page.evaluate(() => document.activeElement.id), 'q-phq9-3-0');
		for (let item = 3; item <= 9; item += 1) {
			await form.locator(`#q-phq9-${item}-1`).check();
		}
		assert.equal(await form.locator('.assessment-progress').innerText(), wtext('assessments.progress', { done: 9, total: 9 }));
		await form.getByRole('button', { name: wtext('assessments.submit') }).click();

		const result = page.locator('.assessment-result');
		await result.waitFor();
		assert.equal(await result.getAttribute('data-score'), '9');
		assert.equal(await result.getAttribute('data-band'), 'mild');
		assert.equal(await result.locator('meter').getAttribute('value'), '9');
		assert.equal(await result.locator('meter').getAttribute('max'), '27');
		assert.match(await result.locator('.result-band').innerText(), new RegExp(wtext('assessments.bands.mild')));
		assert.ok((await result.locator('.result-recommendation').innerText()).length > 10, 'no recommendation');
		await result.locator('.assessment-disclaimer').waitFor();
		// Item 9 above "not at all": crisis lines, the plan, the question.
		await result.locator('[data-crisis-lines] a[href="tel:988"]').waitFor();
		assert.equal(await result.locator('a[href="/wellness/safety-plan"]').innerText(), wtext('assessments.openPlan'));
		await result.getByText(wtext('assessments.contactQuestion')).waitFor();
		await checkView(page, t, 'wellness-assessment-result', '/wellness/assessments (PHQ-9 result)');
		await result.locator('button[data-action="contact-yes"]').click();
		await waitForStatus(result.locator('.contact-question .status'), wtext('assessments.contactSent'));
		const taken = await apiCall(page, 'GET', '/api/wellness/assessments');
		assert.equal(taken.body.items[0].contact_requested, true, `contact not recorded: ${JSON.stringify(taken.body.items[0])}`);

		// GAD-7, all "not at all": minimal, and no crisis lines nor question.
		await page.locator('button[data-kind="gad7"]').click();
		const gad = page.locator('form.assessment-form[data-kind="gad7"]');
		await gad.waitFor();
		for (let item = 1; item <= 7; item += 1) {
			await gad.locator(`#q-gad7-${item}-0`).check();
		}
		await gad.getByRole('button', { name: wtext('assessments.submit') }).click();
		await page.locator('.assessment-result[data-band="minimal"]').waitFor();
		assert.equal(await page.locator('.assessment-result [data-crisis-lines]').count(), 0);
		assert.equal(await page.locator('.assessment-result .contact-question').count(), 0);

		// History: both results, a chart for each questionnaire.
		await page.locator('.assessment-history > li').nth(1).waitFor();
		assert.equal(await page.locator('.assessment-history > li').count(), 2);
		assert.equal(await page.locator('.score-chart').count(), 2);
	});

	test('wellness: PHQ-9 item 9 — answering the volunteer question from the keyboard keeps the focus on the question', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/wellness/assessments?kind=phq9');
		await waitForView(page, '/wellness/assessments', 'titles.assessments');
		const form = page.locator('form.assessment-form[data-kind="phq9"]');
		await form.waitFor();
		for (let item = 1; item <= 9; item += 1) {
			await form.locator(`#q-phq9-${item}-1`).check();
		}
		await form.getByRole('button', { name: wtext('assessments.submit') }).click();
		const question = page.locator('.assessment-result .contact-question');
		await question.waitFor();
		await question.locator('button[data-action="contact-no"]').focus();
		await page.keyboard.press('Enter');
		await waitForStatus(question.locator('.status'), wtext('assessments.contactDeclined'));
		assert.equal(await question.locator('button').count(), 0);
		assert.equal(await page.evaluate(() => (document.activeElement === document.body ? 'the page itself'
			: `${document.activeElement.tagName} ${document.activeElement.textContent}`)), `H3 ${wtext('assessments.contactQuestion')}`,
		'where the focus is after answering "no"');
	});

	test('wellness: safety plan — edit (add rows, bad phone refused), tap-to-call, print without navigation; clinician summary', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/');
		await page.locator('#nav-safety-plan').click();
		await waitForView(page, '/wellness/safety-plan', 'titles.safetyPlan');
		// Empty: edit mode, and the crisis lines anyway.
		const form = page.locator('form.plan-form');
		await form.waitFor();
		await page.locator('[data-crisis-lines] a[href="tel:988"]').waitFor();
		await checkView(page, t, 'safety-plan-edit', '/wellness/safety-plan (editing)');

		const signs = form.locator('fieldset').filter({ hasText: wtext('plan.steps.warning_signs.title') });
		await signs.getByLabel(wtext('plan.steps.warning_signs.item', { n: 1 }), { exact: true }).fill('Not sleeping for days');
		await signs.getByRole('button', { name: wtext('plan.steps.warning_signs.add') }).click();
		const second = signs.getByLabel(wtext('plan.steps.warning_signs.item', { n: 2 }), { exact: true });
		assert.equal(await second.evaluate((node) => node === document.activeElement), true, 'the new row is not focused');
		await second.fill('Pulling away from friends');
		const people = form.locator('fieldset').filter({ hasText: wtext('plan.steps.support_people.title') });
		await people.locator('input[id$="-name"]').first().fill('Sam');
		await people.locator('input[type="tel"]').first().fill('call me maybe');
		await form.getByRole('button', { name: wtext('plan.save') }).click();
		await people.getByText(wtext('plan.errors.phone')).waitFor();
		assert.equal(await page.evaluate(() => document.activeElement.type), 'tel');
		await people.locator('input[type="tel"]').first().fill('+1 (555) 010-2030');
		const reasons = form.locator('fieldset').filter({ hasText: wtext('plan.steps.reasons_for_living.title') });
		await reasons.getByLabel(wtext('plan.steps.reasons_for_living.item', { n: 1 }), { exact: true }).fill('My cat, Miso');
		await form.getByRole('button', { name: wtext('plan.save') }).click();
		await waitForToast(page, wtext('plan.saved'));

		// View mode: the entries, tap-to-call.
		const steps = page.locator('.plan-steps');
		await steps.waitFor();
		assert.match(await steps.locator('[data-step="warning_signs"]').innerText(), /Not sleeping for days[\s\S]*Pulling away from friends/);
		const call = steps.locator('[data-step="support_people"] a.tel-link');
		assert.equal(await call.getAttribute('href'), 'tel:+15550102030');
		assert.equal(await call.getAttribute('aria-label'), wtext('plan.call', { name: 'Sam', phone: '+1 (555) 010-2030' }));
		const saved = await apiCall(page, 'GET', '/api/wellness/safety-plan');
		assert.deepEqual(saved.body.warning_signs, ['Not sleeping for days', 'Pulling away from friends']);
		assert.deepEqual(saved.body.support_people, [{ name: 'Sam', phone: '+1 (555) 010-2030' }]);
		assert.deepEqual(saved.body.reasons_for_living, ['My cat, Miso']);
		await checkView(page, t, 'safety-plan', '/wellness/safety-plan');

		// Print: the button prints; the print stylesheet shows the plan alone.
		await page.evaluate(() => {
			window.printCalls = 0;
			window.print = () => {
				window.printCalls += 1;
			};
		});
		await page.getByRole('button', { name: wtext('plan.print') }).click();
		assert.equal(await page.evaluate(() => window.printCalls), 1);
		await page.emulateMedia({ media: 'print' });
		try {
			for (const selector of ['.site-header', '.app-nav', '.wellness-nav', '.site-footer', '.plan-tools']) {
				assert.equal(await page.locator(selector).first().isVisible(), false, `${selector} shows in print`);
			}
			assert.equal(await page.locator('#main h1').isVisible(), true);
			assert.equal(await page.getByText('Pulling away from friends').isVisible(), true);
			assert.equal(await page.locator('[data-crisis-lines]').isVisible(), true);
			assert.equal(await call.isVisible(), true, 'the phone number is not printed');
		} finally {
			await page.emulateMedia({ media: 'screen' });
		}
		assert.equal(await page.locator('.app-nav').isVisible(), true);

		// Edit again: the rows come back filled; cancel keeps the plan.
		await page.getByRole('button', { name: wtext('plan.edit') }).click();
		await page.locator('form.plan-form').waitFor();
		assert.equal(await page.locator('form.plan-form input[type="tel"]').first().inputValue(), '+1 (555) 010-2030');
		await page.locator('form.plan-form').getByRole('button', { name: 'Cancel' }).click();
		await steps.waitFor();

		// The clinician summary: plan, screening, mood; printable the same way.
		await apiCall(page, 'POST', '/api/wellness/mood', { mood: 3, tags: [], note: '', timezone: 'UTC' });
		await apiCall(page, 'POST', '/api/wellness/assessments', { kind: 'gad7', answers: [1, 1, 1, 1, 1, 0, 0] });
		await page.locator('.plan-tools').getByRole('link', { name: wtext('plan.toSummary') }).click();
		await waitForView(page, '/wellness/summary', 'titles.summary');
		await page.locator('.summary-section .plan-step').first().waitFor();
		await page.locator('.screening-table tbody tr').waitFor();
		await page.locator('.summary-section .insights-chart').waitFor();
		assert.match(await page.locator('.screening-table').innerText(), /GAD-7[\s\S]*5 of 21/);
		assert.equal(await page.locator(`a[href="/api/wellness/mood/export.csv"]`).count(), 1);
		await checkView(page, t, 'clinician-summary', '/wellness/summary');
		await page.emulateMedia({ media: 'print' });
		try {
			assert.equal(await page.locator('.site-header').isVisible(), false);
			assert.equal(await page.locator('.summary-tools').isVisible(), false);
			assert.equal(await page.getByText('My cat, Miso').isVisible(), true);
		} finally {
			await page.emulateMedia({ media: 'screen' });
		}
	});

	test('wellness: safety plan — a save after the plan changed on another device shows the current plan and keeps the edits', async (session) => {
		const { page } = session;
		await createSeeker(session);
		const empty = { warning_signs: [], coping_strategies: [], distractions: [], support_people: [], professionals: [], safe_environment: [] };
		const first = await apiCall(page, 'PUT', '/api/wellness/safety-plan', { ...empty, reasons_for_living: ['my cat'] });
		assert.equal(first.status, 200);
		await session.goto('/wellness/safety-plan');
		await waitForView(page, '/wellness/safety-plan', 'titles.safetyPlan');
		await page.getByRole('button', { name: wtext('plan.edit') }).click();
		const form = page.locator('form.plan-form');
		await form.waitFor();
		// Another device adds a support person meanwhile.
		const other = await apiCall(page, 'PUT', '/api/wellness/safety-plan',
			{ ...empty, reasons_for_living: ['my cat'], support_people: [{ name: 'Ana', phone: '600 000 000' }], version: first.body.version });
		assert.equal(other.status, 200);
		const coping = form.locator('fieldset').filter({ hasText: wtext('plan.steps.coping_strategies.title') });
		await coping.getByLabel(wtext('plan.steps.coping_strategies.item', { n: 1 }), { exact: true }).fill('Walk by the river');
		await form.getByRole('button', { name: wtext('plan.save') }).click();
		const conflict = page.locator('.plan-conflict-box');
		await conflict.waitFor();
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.textContent), wtext('plan.conflict.title'));
		assert.match(await conflict.locator('[data-step="support_people"]').innerText(), /Ana/);
		assert.equal(await form.locator('.status').innerText(), wtext('plan.conflict.status'));
		let now = await apiCall(page, 'GET', '/api/wellness/safety-plan');
		assert.deepEqual(now.body.support_people, [{ name: 'Ana', phone: '600 000 000' }]);
		assert.deepEqual(now.body.coping_strategies, []);
		// The edit is still in the form; "start again from the plan as it is now" brings Ana into it.
		assert.equal(await coping.getByLabel(wtext('plan.steps.coping_strategies.item', { n: 1 }), { exact: true }).inputValue(), 'Walk by the river');
		await conflict.getByRole('button', { name: wtext('plan.conflict.useCurrent') }).click();
		const people = page.locator('form.plan-form fieldset').filter({ hasText: wtext('plan.steps.support_people.title') });
		assert.equal(await people.locator('input[id$="-name"]').first().inputValue(), 'Ana');
		const coping2 = page.locator('form.plan-form fieldset').filter({ hasText: wtext('plan.steps.coping_strategies.title') });
		await coping2.getByLabel(wtext('plan.steps.coping_strategies.item', { n: 1 }), { exact: true }).fill('Walk by the river');
		await page.locator('form.plan-form').getByRole('button', { name: wtext('plan.save') }).click();
		await waitForToast(page, wtext('plan.saved'));
		now = await apiCall(page, 'GET', '/api/wellness/safety-plan');
		assert.deepEqual(now.body.support_people, [{ name: 'Ana', phone: '600 000 000' }]);
		assert.deepEqual(now.body.coping_strategies, ['Walk by the river']);
	});

	test('wellness: the safety plan opens offline on the device that loaded it; sign-out forgets it', { serviceWorkers: 'allow' }, async (session, t) => {
		const { page } = session;
		const { user } = await createSeeker(session);
		const plan = {
			warning_signs: ['Staying in bed all day'], coping_strategies: ['Box breathing'], distractions: [{ name: 'The library', contact: null }],
			support_people: [{ name: 'Robin', phone: '555 0100' }], professionals: [], safe_environment: [], reasons_for_living: ['Seeing spring again'],
		};
		const put = await apiCall(page, 'PUT', '/api/wellness/safety-plan', plan);
		assert.equal(put.status, 200, `PUT /api/wellness/safety-plan: ${JSON.stringify(put)}`);

		await session.goto('/wellness/safety-plan');
		await waitForView(page, '/wellness/safety-plan', 'titles.safetyPlan');
		await page.getByText('Staying in bed all day').waitFor();
		// The service worker controls the page and the device keeps this user's plan.
		await page.evaluate(() => navigator.serviceWorker.ready);
		await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
		await page.waitForFunction(async (id) => {
			const cache = await caches.open('astral-safety-plan');
			const hit = await cache.match('/offline/safety-plan.json');
			return Boolean(hit) && (await hit.json()).user_id === id;
		}, user.id);

		await session.context.setOffline(true);
		try {
			await page.reload({ waitUntil: 'load' });
			await page.locator('.plan-offline').waitFor();
			assert.equal(await page.locator('#main h1').innerText(), wtext('plan.title'));
			assert.equal(await page.getByText('Staying in bed all day').isVisible(), true);
			assert.equal(await page.locator('a.tel-link[href="tel:5550100"]').isVisible(), true);
			await page.locator('[data-crisis-lines] a[href="tel:988"]').waitFor();
			assert.equal(await page.getByRole('button', { name: wtext('plan.edit') }).count(), 0, 'offline, the plan offers editing');
			await screenshot(page, 'safety-plan-offline');
		} finally {
			await session.context.setOffline(false);
			// The requests the page made while the network was off failed by design.
			const offline = /ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|ERR_FAILED/;
			session.consoleErrors.splice(0, session.consoleErrors.length,
				...session.consoleErrors.filter((line) => !offline.test(line)));
		}

		// Online again: the live plan; signing out forgets the device's copy.
		await page.reload({ waitUntil: 'load' });
		await page.getByText('Staying in bed all day').waitFor();
		assert.equal(await page.locator('.plan-offline').count(), 0);
		await page.locator('#sign-out').click();
		await page.waitForFunction(async () => !(await caches.has('astral-safety-plan')));
		assert.equal(await currentSession(page), null);
		await session.goto('/wellness/safety-plan');
		await page.waitForURL((url) => url.pathname === '/signin');
		assert.equal(new URL(page.url()).searchParams.get('next'), '/wellness/safety-plan');
	});

	test('wellness: videos in Spanish — a file over 50 MB is refused with its size written the Spanish way', async (session) => {
		const { page } = session;
		await createSeeker(session);
		await apiCall(page, 'PUT', '/api/me/preferences', { language: 'es' });
		await session.goto('/wellness/videos?tab=share');
		await waitForView(page, '/wellness/videos', 'titles.videos', { lang: 'es' });
		await page.locator('#video-file').waitFor();
		// 52.5 MB, a sparse file: nothing is sent, the page refuses it from its size.
		const big = path.join(os.tmpdir(), `astral-big-${crypto.randomBytes(4).toString('hex')}.webm`);
		fs.writeFileSync(big, '');
		fs.truncateSync(big, 52.5 * 1024 * 1024);
		try {
			await page.setInputFiles('#video-file', big);
			await page.getByRole('button', { name: wtext('videos.upload', {}, SPANISH) }).click();
			const error = page.locator('.upload-form .status-error');
			await error.waitFor();
			assert.equal(await error.innerText(), wtext('videos.errors.tooLarge', { size: '52,5', max: 50 }, SPANISH));
		} finally {
			fs.rmSync(big, { force: true });
		}
	});

	test('wellness: videos — Cancel upload, pressed from the keyboard, leaves the focus on the upload button', async (session) => {
		const { page } = session;
		await createSeeker(session);
		// The upload is held at the network until the page gives it up.
		const held = [];
		await page.route('**/api/wellness/videos', (route) => {
			if (route.request().method() === 'POST') {
				held.push(route);
				return undefined;
			}
			return route.continue();
		});
		await session.goto('/wellness/videos?tab=share');
		await waitForView(page, '/wellness/videos', 'titles.videos');
		await page.setInputFiles('#video-file', { name: 'calm.webm', mimeType: 'video/webm', buffer: Buffer.alloc(64 * 1024) });
		await page.getByRole('button', { name: wtext('videos.upload') }).click();
		const cancel = page.getByRole('button', { name: wtext('videos.cancelUpload') });
		await cancel.waitFor();
		for (let waited = 0; !held.length; waited += 50) {
			assert.ok(waited < 10_000, 'the upload never reached the network');
			await page.waitForTimeout(50);
		}
		await cancel.focus();
		await page.keyboard.press('Enter');
		await waitForStatus(page.locator('.upload-form .status'), wtext('videos.cancelled'));
		assert.equal(await cancel.isVisible(), false);
		assert.equal(await page.evaluate(() => (document.activeElement === document.body ? 'the page itself'
			: `${document.activeElement.tagName} ${document.activeElement.textContent}`)), `BUTTON ${wtext('videos.upload')}`,
		'where the focus is after Cancel upload');
		for (const route of held) {
			await route.abort().catch(() => {});
		}
	});

	test('wellness: videos — the chosen file is previewed (muted, still, blob: URL revoked when the choice changes or the view is left); an unplayable one gets a note; blob: stays media-only', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		// Every object URL the page revokes, in order.
		await page.addInitScript(() => {
			const revoke = URL.revokeObjectURL.bind(URL);
			window.revokedUrls = [];
			URL.revokeObjectURL = (url) => {
				window.revokedUrls.push(String(url));
				revoke(url);
			};
		});
		const revoked = () => page.evaluate(() => window.revokedUrls);
		await session.goto('/wellness/videos?tab=share');
		await waitForView(page, '/wellness/videos', 'titles.videos');
		const recorded = await recordWebm(page);
		const player = page.locator('.upload-preview video');
		const choose = async (name) => {
			await page.setInputFiles('#video-file', { name, mimeType: 'video/webm', buffer: recorded });
			await player.waitFor();
			const src = await player.getAttribute('src');
			assert.match(src, /^blob:/, `the preview's src: ${src}`);
			return src;
		};

		// A playable file: a player named by its caption, muted, still, its metadata loaded (the CSP lets it).
		const first = await choose('calm.webm');
		await page.waitForFunction(() => document.querySelector('.upload-preview video').readyState >= 1);
		const state = await player.evaluate((video) => ({
			muted: video.muted, paused: video.paused, autoplay: video.autoplay, controls: video.controls,
			preload: video.getAttribute('preload'), error: video.error && video.error.code,
		}));
		assert.deepEqual(state, { muted: true, paused: true, autoplay: false, controls: true, preload: 'metadata', error: null });
		assert.equal(await page.getByLabel(wtext('videos.previewLabel', { name: 'calm.webm' })).evaluate((node) => node.tagName), 'VIDEO');
		assert.equal(await page.locator('.upload-preview figcaption').innerText(), wtext('videos.previewLabel', { name: 'calm.webm' }));
		// From the file field, Tab reaches the player's controls.
		await page.locator('#video-file').focus();
		await page.keyboard.press('Tab');
		assert.equal(await page.evaluate(() => document.activeElement.tagName), 'VIDEO', 'Tab from the file field');
		await checkBothSchemes(page, t, 'videos share with a preview');
		assert.deepEqual(await revoked(), []);

		// Another file: the first URL is revoked, a new one shown.
		const second = await choose('rain.webm');
		assert.notEqual(second, first);
		assert.deepEqual(await revoked(), [first]);

		// A file the browser cannot play: a note, no broken player, and the upload button still there.
		await page.setInputFiles('#video-file', { name: 'holiday.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is text, not a video '.repeat(40)) });
		const note = page.locator('.upload-preview .upload-preview-note');
		await note.waitFor();
		assert.equal(await note.innerText(), wtext('videos.previewUnplayable'));
		assert.equal(await player.count(), 0, 'a player for a file the browser cannot play');
		assert.equal((await revoked()).length, 3, 'the unplayable file\'s URL is revoked too');
		assert.equal(await page.getByRole('button', { name: wtext('videos.upload') }).isEnabled(), true);

		// A file the page refuses (too large, of another type) is not previewed.
		await page.setInputFiles('#video-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a video') });
		await page.locator('.upload-preview').waitFor({ state: 'hidden' });
		assert.equal(await page.locator('.upload-preview > *').count(), 0, 'a preview of a file the page refuses');

		// The choice cleared: the player goes, its URL revoked.
		const third = await choose('calm.webm');
		await page.setInputFiles('#video-file', []);
		await player.waitFor({ state: 'detached' });
		assert.equal((await revoked()).at(-1), third);

		// Another tab, then leaving the view: each revokes the preview's URL.
		const fourth = await choose('calm.webm');
		await page.getByRole('tab', { name: wtext('videos.tabs.feed') }).click();
		await player.waitFor({ state: 'detached' });
		assert.equal((await revoked()).at(-1), fourth);
		await page.getByRole('tab', { name: wtext('videos.tabs.share') }).click();
		const fifth = await choose('calm.webm');
		await page.locator('.wellness-nav').getByRole('link', { name: wtext('wellnessNav.hub') }).click();
		await waitForView(page, '/wellness', 'titles.wellness');
		assert.equal((await revoked()).at(-1), fifth);
		assert.deepEqual(session.problems(), [], 'the preview broke the CSP or logged an error');

		// The CSP still refuses blob: everywhere but media: an image, a script and a worker from one.
		const blocked = await page.evaluate(async () => {
			const url = URL.createObjectURL(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' }));
			const script = URL.createObjectURL(new Blob(["self.blobScriptRan = true; if (typeof document === 'undefined') postMessage('ran');"], { type: 'text/javascript' }));
			const image = await new Promise((resolve) => {
				const node = document.createElement('img');
				node.addEventListener('load', () => resolve('loaded'));
				node.addEventListener('error', () => resolve('refused'));
				node.src = url;
			});
			await new Promise((resolve) => {
				const node = document.createElement('script');
				node.addEventListener('load', resolve);
				node.addEventListener('error', resolve);
				node.src = script;
				document.head.append(node);
			});
			const worker = await new Promise((resolve) => {
				try {
					const node = new Worker(script);
					node.addEventListener('message', () => resolve('ran'));
					node.addEventListener('error', () => resolve('refused'));
					setTimeout(() => resolve('no answer'), 3000);
				} catch {
					resolve('refused');
				}
			});
			return { image, script: self.blobScriptRan === true ? 'ran' : 'refused', worker };
		});
		assert.deepEqual(blocked, { image: 'refused', script: 'refused', worker: 'refused' });
		const directives = session.cspViolations.map((line) => line.split(' ')[0]).sort();
		assert.deepEqual(directives, ['img-src', 'script-src-elem', 'worker-src'], session.cspViolations.join('\n'));
		session.clear();
	});

	test('wellness: resources (search, filters); videos (a non-video refused with 415, a recorded WebM waits for a moderator)', async (session, t) => {
		const { page } = session;
		await createSeeker(session);
		await session.goto('/resources');
		await waitForView(page, '/resources', 'titles.resources');
		await page.locator('.resource-card').first().waitFor();
		const all = await page.locator('.resource-card').count();
		assert.ok(all >= 2, `only ${all} resources`);
		assert.equal(await page.locator('#main [role="status"]').first().innerText(), wtext('resources.count', { count: all }));
		await checkView(page, t, 'resources', '/resources');
		await page.fill('#resources-q', '988');
		await page.locator('form[role="search"] button[type="submit"]').click();
		await page.waitForURL((url) => url.searchParams.get('q') === '988');
		await page.waitForFunction((before) => document.querySelectorAll('.resource-card').length < before, all);
		assert.match(await page.locator('.resource-card').first().innerText(), /988/);
		await page.fill('#resources-q', '');
		await page.selectOption('#resources-category', 'crisis');
		await page.waitForURL((url) => url.searchParams.get('category') === 'crisis' && !url.searchParams.has('q'));
		await page.waitForFunction(() => {
			const cards = [...document.querySelectorAll('.resource-card')];
			return cards.length > 0 && cards.every((node) => node.dataset.category === 'crisis');
		});

		// Videos: the share form refuses a file that is not a video (the server looks at the bytes).
		await session.goto('/wellness/videos?tab=share');
		await waitForView(page, '/wellness/videos', 'titles.videos');
		await page.locator('#video-file').waitFor();
		await checkView(page, t, 'videos-share', '/wellness/videos?tab=share');
		await page.setInputFiles('#video-file', { name: 'holiday.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is text, not a video '.repeat(40)) });
		await page.getByRole('button', { name: wtext('videos.upload') }).click();
		await page.locator('.upload-form .status-error').filter({ hasText: wtext('videos.errors.type') }).waitFor();

		// Over 50 MB is refused before anything is sent.
		const big = path.join(os.tmpdir(), `astral-big-${crypto.randomBytes(4).toString('hex')}.webm`);
		fs.writeFileSync(big, Buffer.alloc(50 * 1024 * 1024 + 1));
		try {
			await page.setInputFiles('#video-file', big);
			await page.getByRole('button', { name: wtext('videos.upload') }).click();
			await page.locator('.upload-form .status-error').filter({ hasText: wtext('videos.errors.tooLarge', { size: '50.0', max: 50 }) }).waitFor();
		} finally {
			fs.rmSync(big, { force: true });
		}

		// A real WebM, recorded from a canvas in the page, uploads and waits for a moderator.
		const recorded = await recordWebm(page);
		assert.ok(recorded.length > 100, `the recorded video is ${recorded.length} bytes`);
		await page.setInputFiles('#video-file', { name: 'calm.webm', mimeType: 'video/webm', buffer: recorded });
		await page.locator('.upload-preview video').waitFor();
		await page.fill('#video-description', 'Rain on the window, ten seconds of calm');
		await page.getByRole('button', { name: wtext('videos.upload') }).click();
		await waitForStatus(page.locator('.upload-form .status'), wtext('videos.uploaded'));
		// The form is reset after the upload: the file and its preview are gone.
		assert.equal(await page.locator('.upload-preview video').count(), 0, 'the preview outlived the upload');
		const pending = page.locator('.upload-outcome .video-card[data-status="pending"]');
		await pending.waitFor();
		assert.match(await pending.innerText(), new RegExp(wtext('videos.status.pending')));
		assert.equal(await pending.locator('video').getAttribute('preload'), 'metadata');

		await page.getByRole('tab', { name: wtext('videos.tabs.mine') }).click();
		await page.locator('.video-list .video-card[data-status="pending"]').waitFor();
		await checkView(page, t, 'videos-mine', '/wellness/videos?tab=mine');
		await page.getByRole('tab', { name: wtext('videos.tabs.feed') }).click();
		await page.locator('.video-list, .state-empty').first().waitFor();
		assert.equal(await page.locator('.video-card[data-status="pending"]').count(), 0, 'a pending video is in the feed');
		await checkView(page, t, 'videos', '/wellness/videos');
	});
}
