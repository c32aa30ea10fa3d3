// /wellness/assessments?kind=phq9|gad7 — self-screening with PHQ-9 or GAD-7.
// The questionnaires come from GET /api/wellness/assessments/definitions:
// one radio group per item, every item required (the missing ones are listed
// and focused). The server scores: the result shows a meter (score / max),
// the band, the recommendation and the "screening, not a diagnosis"
// disclaimer. PHQ-9 item 9 above "not at all": crisis lines, a button to the
// safety plan, and the question whether a trained volunteer may reach out
// (yes → POST …/contact; no → nothing is sent). History: a trend chart per
// questionnaire and the list of results.

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { meter } from '/js/components/meter.js';
import { badge } from '/js/components/badge.js';
import { svgChart } from '/js/components/svg-chart.js';
import { crisisLines } from '/js/components/crisis-lines.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { wellness, ASSESSMENT_KINDS } from '/js/api/wellness.js';

const HISTORY_PAGE = 50;

function label(t, key, fallback) {
	return typeof message(key) === 'string' ? t(key) : String(fallback || '');
}

/** The band's name in the page's language (the server's label when the catalogue has none). */
export function bandLabel(t, band, fallback) {
	return label(t, `assessments.bands.${band}`, fallback || band);
}

/** The short title of a questionnaire kind ("PHQ-9"). */
export function kindName(t, kind, fallback) {
	return label(t, `assessments.kinds.${kind}`, fallback || kind);
}

const BAND_KIND = { minimal: 'success', mild: 'info', moderate: 'warning', moderately_severe: 'danger', severe: 'danger' };

/** A chart of one questionnaire's scores, oldest first, with the band limits as grid lines. */
export function scoreChart(t, kind, items, definition) {
	const points = items.slice().sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
	const max = definition ? definition.max : Math.max(...points.map((p) => p.max || 0), 1);
	const ticks = definition && Array.isArray(definition.bands) ? [...definition.bands.map((b) => b.min), max] : [0, max];
	const when = (item) => formatDate(item.created_at, { month: 'short', day: 'numeric' });
	const every = Math.max(1, Math.ceil(points.length / 6));
	return svgChart({
		title: t('assessments.chartTitle', { name: kindName(t, kind) }),
		description: t('assessments.chartDescription', {
			count: points.length, first: points.length ? points[0].score : 0, last: points.length ? points[points.length - 1].score : 0, max,
		}),
		yMin: 0,
		yMax: max,
		yTicks: ticks,
		xCount: points.length,
		xLabels: points.map((item, index) => ({ index, text: when(item) })).filter((_, index) => (points.length - 1 - index) % every === 0),
		lines: [{
			className: 'series-score',
			points: points.map((item, index) => ({
				index,
				value: item.score,
				label: t('assessments.pointLabel', { date: when(item), score: item.score, max: item.max, band: bandLabel(t, item.band, item.band_label) }),
				data: { id: item.id, score: item.score },
			})),
		}],
		className: 'score-chart',
	});
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const heading = el('h1', {}, t('assessments.title'));
		const body = el('div');
		root.append(heading, el('p', { class: 'lead' }, t('assessments.lead')), wellnessNav('/wellness/assessments'), body);
		states.loading(body);
		const defined = await wellness.definitions();
		if (!defined.ok || !defined.body || !Array.isArray(defined.body.kinds)) {
			states.error(body, errorText(t, defined), () => ctx.navigate(ctx.path + window.location.search, { replace: true }));
			return;
		}
		const definitions = defined.body;
		const kinds = definitions.kinds.filter((def) => ASSESSMENT_KINDS.includes(def.kind));
		const options = Array.isArray(definitions.options) ? definitions.options : [];
		const byKind = Object.fromEntries(kinds.map((def) => [def.kind, def]));

		const chooser = el('section', { 'aria-labelledby': 'assess-choose-title' });
		const taking = el('div', { class: 'assessment-taking' });
		const history = el('section', { 'aria-labelledby': 'assess-history-title' });
		const historyBody = el('div');
		let historyItems = [];
		let historyNext = null;

		function disclaimer() {
			// The page's own words (the server's `disclaimer` says the same in English).
			return el('p', { class: 'warning assessment-disclaimer' }, t('assessments.disclaimer'));
		}

		function drawChooser() {
			chooser.replaceChildren(
				el('h2', { id: 'assess-choose-title' }, t('assessments.chooseTitle')),
				disclaimer(),
				el('div', { class: 'cards' }, kinds.map((def) => {
					const titleId = uid('kind');
					const start = button({ label: t('assessments.start', { name: kindName(t, def.kind, def.title) }), onClick: () => startForm(def) });
					start.dataset.kind = def.kind;
					return el('article', { class: 'card', 'aria-labelledby': titleId },
						el('h3', { id: titleId }, def.title),
						el('p', {}, t(`assessments.about.${def.kind}`)),
						el('p', { class: 'note' }, t('assessments.itemCount', { count: def.items.length })),
						el('p', { class: 'actions' }, start));
				})));
		}

		function startForm(def) {
			const url = new URL(window.location.href);
			url.searchParams.set('kind', def.kind);
			window.history.replaceState({}, '', url.pathname + url.search);
			const formTitle = uid('assess-form-title');
			const progress = el('p', { class: 'note assessment-progress' });
			const problem = el('div', { class: 'status status-error', role: 'alert', hidden: true });
			const groups = def.items.map((item) => {
				const groupId = `q-${def.kind}-${item.number}`;
				const inputs = options.map((option) => {
					const id = `${groupId}-${option.value}`;
					const input = el('input', { type: 'radio', id, name: groupId, value: String(option.value), required: true });
					return { input, node: el('div', { class: 'field-check' }, input, el('label', { for: id }, label(t, `assessments.options.${option.value}`, option.label))) };
				});
				const fieldset = el('fieldset', { class: 'field question', id: groupId, 'data-item': item.number },
					el('legend', {}, el('span', { class: 'question-number' }, `${item.number}. `), item.text),
					inputs.map((entry) => entry.node));
				return { item, fieldset, inputs: inputs.map((entry) => entry.input) };
			});
			const answered = () => groups.filter((group) => group.inputs.some((input) => input.checked)).length;
			const updateProgress = () => {
				progress.textContent = t('assessments.progress', { done: answered(), total: groups.length });
			};
			updateProgress();
			const submit = button({ label: t('assessments.submit'), type: 'submit' });
			const cancel = button({ label: t('common.cancel'), kind: 'ghost', onClick: () => {
				taking.replaceChildren();
				const first = chooser.querySelector(`[data-kind="${def.kind}"]`);
				if (first) {
					first.focus();
				}
			} });
			const form = el('form', { novalidate: true, class: 'assessment-form', 'aria-labelledby': formTitle, 'data-kind': def.kind },
				el('h2', { id: formTitle, tabindex: '-1' }, def.title),
				el('p', { class: 'assessment-instruction' }, def.instruction),
				progress,
				groups.map((group) => group.fieldset),
				problem,
				el('p', { class: 'actions' }, submit, cancel),
				el('p', { class: 'note' }, t('assessments.disclaimer')));
			form.addEventListener('change', () => {
				updateProgress();
				for (const group of groups) {
					if (group.inputs.some((input) => input.checked)) {
						group.fieldset.classList.remove('is-missing');
						group.inputs.forEach((input) => input.removeAttribute('aria-invalid'));
					}
				}
			});
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const answers = groups.map((group) => {
					const chosen = group.inputs.find((input) => input.checked);
					return chosen ? Number(chosen.value) : null;
				});
				const missing = groups.filter((_, index) => answers[index] === null);
				for (const group of groups) {
					const isMissing = missing.includes(group);
					group.fieldset.classList.toggle('is-missing', isMissing);
					group.inputs.forEach((input) => (isMissing ? input.setAttribute('aria-invalid', 'true') : input.removeAttribute('aria-invalid')));
				}
				if (missing.length) {
					problem.replaceChildren(
						el('p', {}, t('assessments.missing', { count: missing.length })),
						el('ul', {}, missing.map((group) => el('li', {},
							el('a', { href: `#${group.fieldset.id}`, 'data-no-route': true, onClick: (clickEvent) => {
								clickEvent.preventDefault();
								group.inputs[0].focus();
							} }, t('assessments.question', { number: group.item.number }))))));
					problem.hidden = false;
					missing[0].inputs[0].focus();
					return;
				}
				problem.hidden = true;
				submit.disabled = true;
				const result = await wellness.submitAssessment({ kind: def.kind, answers });
				submit.disabled = false;
				if (!result.ok || !result.body) {
					problem.replaceChildren(el('p', {}, errorText(t, result)));
					problem.hidden = false;
					return;
				}
				showResult(def, result.body);
				loadHistory();
			});
			taking.replaceChildren(form);
			form.querySelector('h2').focus();
		}

		function contactQuestion(assessment) {
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const questionId = uid('contact-question');
			const box = el('section', { class: 'panel contact-question', 'aria-labelledby': questionId });
			if (assessment.contact_requested === true) {
				box.append(el('h3', { id: questionId }, t('assessments.contactQuestion')), el('p', {}, t('assessments.contactSent')));
				return box;
			}
			const yes = button({ label: t('assessments.contactYes') });
			const no = button({ label: t('assessments.contactNo'), kind: 'secondary' });
			yes.dataset.action = 'contact-yes';
			no.dataset.action = 'contact-no';
			yes.addEventListener('click', async () => {
				yes.disabled = true;
				no.disabled = true;
				status.className = 'status';
				status.textContent = t('assessments.contactSending');
				const result = await wellness.requestContact(assessment.id);
				if (!result.ok) {
					yes.disabled = false;
					no.disabled = false;
					status.className = 'status status-error';
					status.textContent = errorText(t, result);
					return;
				}
				actions.remove();
				status.className = 'status status-success';
				status.textContent = t('assessments.contactSent');
				refocus();
			});
			no.addEventListener('click', () => {
				actions.remove();
				status.className = 'status';
				status.textContent = t('assessments.contactDeclined');
				refocus();
			});
			const actions = el('p', { class: 'actions' }, yes, no);
			// The answer's buttons go once it is given: the focus, when it was on them (or fell to the
			// page meanwhile), goes back to the question.
			const question = el('h3', { id: questionId, tabindex: '-1' }, t('assessments.contactQuestion'));
			const refocus = () => {
				const now = document.activeElement;
				if (!now || now === document.body || box.contains(now) || !now.isConnected) {
					question.focus();
				}
			};
			box.append(question,
				el('p', {}, t('assessments.contactExplain')), actions, status);
			return box;
		}

		function showResult(def, assessment) {
			const titleId = uid('result');
			const band = bandLabel(t, assessment.band, assessment.band_label);
			const section = el('section', {
				class: 'panel assessment-result', 'aria-labelledby': titleId, 'data-band': assessment.band, 'data-score': assessment.score,
			},
			el('h2', { id: titleId, tabindex: '-1' }, t('assessments.resultTitle', { name: kindName(t, def.kind, def.title) })));
			if (assessment.item9_positive) {
				// Safety first: the crisis lines, the plan and the question come before the score.
				const lines = crisisLines(assessment.crisis && assessment.crisis.resources, {
					title: t('assessments.item9Title'), intro: t('assessments.item9Intro'), headingLevel: 3,
				});
				section.append(lines,
					el('p', { class: 'actions' }, linkButton({ label: t('assessments.openPlan'), href: '/wellness/safety-plan' })),
					contactQuestion(assessment));
			}
			section.append(
				meter({
					value: assessment.score, max: assessment.max, label: t('assessments.score'),
					valueText: t('assessments.scoreOf', { score: assessment.score, max: assessment.max }),
				}),
				el('p', { class: 'result-band' }, t('assessments.bandIs'), ' ', badge(band, BAND_KIND[assessment.band] || 'neutral')),
				el('p', { class: 'result-recommendation' }, assessment.recommendation || ''),
				disclaimer(),
				el('p', { class: 'actions' },
					button({ label: t('assessments.again'), kind: 'secondary', onClick: () => startForm(def) }),
					button({ label: t('assessments.backToChoice'), kind: 'ghost', onClick: () => {
						taking.replaceChildren();
						chooser.querySelector('button').focus();
					} })));
			taking.replaceChildren(section);
			section.querySelector('h2').focus();
		}

		function drawHistory() {
			if (!historyItems.length) {
				states.empty(historyBody, t('assessments.historyEmpty'));
				return;
			}
			const parts = [];
			for (const kind of ASSESSMENT_KINDS) {
				const items = historyItems.filter((item) => item.kind === kind);
				if (!items.length) {
					continue;
				}
				parts.push(el('h3', {}, kindName(t, kind, byKind[kind] && byKind[kind].title)), scoreChart(t, kind, items, byKind[kind]));
			}
			parts.push(el('ul', { class: 'list assessment-history', 'aria-label': t('assessments.historyTitle') },
				historyItems.map((item) => el('li', { class: 'list-row', 'data-assessment-id': item.id },
					el('span', {},
						el('strong', {}, kindName(t, item.kind)), ' · ',
						el('time', { datetime: item.created_at }, formatDate(item.created_at))),
					el('span', { class: 'badges' },
						el('span', {}, t('assessments.scoreOf', { score: item.score, max: item.max })),
						badge(bandLabel(t, item.band, item.band_label), BAND_KIND[item.band] || 'neutral'))))));
			if (historyNext) {
				parts.push(el('p', { class: 'actions' }, button({ label: t('assessments.loadMore'), kind: 'secondary', onClick: () => loadHistory(historyNext) })));
			}
			historyBody.replaceChildren(...parts);
		}

		async function loadHistory(cursor = null) {
			if (!cursor) {
				states.loading(historyBody);
			}
			const result = await wellness.assessments({ limit: HISTORY_PAGE, cursor });
			if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
				states.error(historyBody, errorText(t, result), () => loadHistory());
				return;
			}
			historyItems = cursor ? [...historyItems, ...result.body.items] : result.body.items;
			historyNext = result.body.next || null;
			drawHistory();
		}

		history.append(el('h2', { id: 'assess-history-title' }, t('assessments.historyTitle')), historyBody);
		drawChooser();
		body.replaceChildren(chooser, taking, history);
		loadHistory();
		if (byKind[ctx.query.kind]) {
			startForm(byKind[ctx.query.kind]);
		}
	},
};
