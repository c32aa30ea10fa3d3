// /wellness/summary — a page to print (or save as PDF) and take to a
// clinician: the mood trend of the last 90 days (averages, trends and the
// day-by-day chart), the screening history (chart and table) and the safety
// plan. A print button; links to the machine-readable exports (mood and
// habits as CSV, assessments as FHIR R4). Printed, the page is plain: no
// header, navigation, buttons or footer (wellness.css, .print-sheet).

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { wellness, MEASURES, ASSESSMENT_KINDS, MOOD_CSV_URL, FHIR_URL } from '/js/api/wellness.js';
import { dayChart, decimal, trendDirection } from './wellness-insights.js';
import { bandLabel, kindName, scoreChart } from './assessments.js';
import { planSections } from './safety-plan.js';

const DAYS = 90;
const HISTORY = 100;

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		root.classList.add('print-sheet');
		const mood = el('div');
		const screening = el('div');
		const plan = el('div');
		root.append(
			el('h1', {}, t('summary.title')),
			el('p', { class: 'lead no-print' }, t('summary.lead')),
			wellnessNav('/wellness/summary'),
			el('div', { class: 'actions no-print summary-tools' },
				button({ label: t('summary.print'), onClick: () => window.print() }),
				el('a', { class: 'btn btn-ghost', href: MOOD_CSV_URL, download: 'mood-and-habits.csv' }, t('summary.csv')),
				el('a', { class: 'btn btn-ghost', href: FHIR_URL, download: 'assessments.fhir.json' }, t('summary.fhir'))),
			el('p', { class: 'summary-meta' }, t('summary.prepared', { date: formatDate(new Date(), { dateStyle: 'long' }) })),
			el('p', { class: 'note' }, t('summary.disclaimer')),
			el('section', { 'aria-labelledby': 'summary-mood-title', class: 'summary-section' },
				el('h2', { id: 'summary-mood-title' }, t('summary.moodTitle', { days: DAYS })), mood),
			el('section', { 'aria-labelledby': 'summary-screening-title', class: 'summary-section' },
				el('h2', { id: 'summary-screening-title' }, t('summary.screeningTitle')), screening),
			el('section', { 'aria-labelledby': 'summary-plan-title', class: 'summary-section' },
				el('h2', { id: 'summary-plan-title' }, t('summary.planTitle')), plan));

		async function loadMood() {
			states.loading(mood);
			const result = await wellness.insights(DAYS);
			if (!result.ok || !result.body) {
				states.error(mood, errorText(t, result), loadMood);
				return;
			}
			const data = result.body;
			if (!data.checkins) {
				states.empty(mood, t('summary.noMood', { days: DAYS }));
				return;
			}
			mood.replaceChildren(
				el('p', {}, t('summary.moodCount', { count: data.checkins, from: formatDate(`${data.from}T12:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' }), to: formatDate(`${data.to}T12:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' }) })),
				el('table', { class: 'summary-table' },
					el('caption', { class: 'visually-hidden' }, t('summary.averagesCaption')),
					el('thead', {}, el('tr', {},
						el('th', { scope: 'col' }, t('summary.measure')),
						el('th', { scope: 'col' }, t('summary.average')),
						el('th', { scope: 'col' }, t('summary.trend')))),
					el('tbody', {}, MEASURES.map((measure) => {
						const entry = (data.measures && data.measures[measure]) || {};
						return el('tr', {},
							el('th', { scope: 'row' }, t(`measures.${measure}`)),
							el('td', {}, decimal(entry.average)),
							el('td', {}, t(`insights.trend.${trendDirection(entry.trend, data.days) || 'none'}`)));
					}))),
				dayChart(t, data.series || [], { lines: [], title: t('summary.chartTitle', { days: DAYS }) }));
		}

		async function loadScreening() {
			states.loading(screening);
			const [history, definitions] = await Promise.all([wellness.assessments({ limit: HISTORY }), wellness.definitions()]);
			if (!history.ok || !history.body || !Array.isArray(history.body.items)) {
				states.error(screening, errorText(t, history), loadScreening);
				return;
			}
			const items = history.body.items;
			if (!items.length) {
				states.empty(screening, t('summary.noScreening'));
				return;
			}
			const byKind = definitions.ok && definitions.body && Array.isArray(definitions.body.kinds)
				? Object.fromEntries(definitions.body.kinds.map((def) => [def.kind, def]))
				: {};
			const charts = ASSESSMENT_KINDS.filter((kind) => items.some((item) => item.kind === kind))
				.map((kind) => [el('h3', {}, kindName(t, kind)), scoreChart(t, kind, items.filter((item) => item.kind === kind), byKind[kind])]);
			screening.replaceChildren(
				...charts.flat(),
				el('table', { class: 'summary-table screening-table' },
					el('caption', { class: 'visually-hidden' }, t('summary.screeningCaption')),
					el('thead', {}, el('tr', {},
						el('th', { scope: 'col' }, t('summary.date')),
						el('th', { scope: 'col' }, t('summary.questionnaire')),
						el('th', { scope: 'col' }, t('summary.score')),
						el('th', { scope: 'col' }, t('summary.band')))),
					el('tbody', {}, items.map((item) => el('tr', {},
						el('td', {}, formatDate(item.created_at, { dateStyle: 'medium' })),
						el('td', {}, kindName(t, item.kind)),
						el('td', {}, t('assessments.scoreOf', { score: item.score, max: item.max })),
						el('td', {}, bandLabel(t, item.band, item.band_label), item.item9_positive ? ` · ${t('summary.item9')}` : ''))))),
				el('p', { class: 'note' }, t('summary.screeningNote')));
		}

		async function loadPlan() {
			states.loading(plan);
			const result = await wellness.safetyPlan();
			if (!result.ok || !result.body) {
				states.error(plan, errorText(t, result), loadPlan);
				return;
			}
			plan.replaceChildren(
				el('p', { class: 'note' }, result.body.updated_at
					? t('plan.updatedAt', { time: formatDate(result.body.updated_at) })
					: t('plan.notSaved')),
				...planSections(t, result.body, { headingLevel: 3 }));
		}

		await Promise.all([loadMood(), loadScreening(), loadPlan()]);
	},
};
