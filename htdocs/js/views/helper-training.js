// /helper/training — the helper training (GET /api/helpers/me/training): the
// four lessons one at a time ("Lesson 2 of 4", Previous / Next, focus on the
// lesson's heading at each step), then the quiz, one radio group per
// question, every question required (the missing ones named and the first
// focused). The answers go to POST /api/helpers/me/training, which grades
// them: passed, the score and a link to the application; failed, a kind word,
// the score and the pass mark, and the training starts again from lesson 1.
// The correct answers are never in the page.

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { badge } from '/js/components/badge.js';
import { states } from '/js/components/states.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { program } from '/js/api/helpers-program.js';

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('helpers'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const heading = el('h1', {}, t('training.title'));
		const body = el('div', { class: 'training' });
		root.append(heading, body);

		let data = null;
		let step = 0;
		let lastResult = null;

		async function load() {
			states.loading(body);
			const result = await program.training();
			if (result.status === 403) {
				states.empty(body, t('training.helpersOnly'));
				return;
			}
			if (!result.ok || !result.body || !Array.isArray(result.body.lessons) || !result.body.quiz) {
				states.error(body, errorText(t, result), load);
				return;
			}
			data = result.body;
			step = 0;
			show({ focus: false });
		}

		// Where the training stands: done or not, the best score, the attempts.
		function summary() {
			const parts = [];
			if (data.completed) {
				parts.push(badge(t('training.completed'), 'success'), ' ',
					data.completed_at ? t('training.completedOn', { date: formatDate(data.completed_at, { dateStyle: 'medium' }) }) : '');
			}
			if (Number(data.attempts) > 0) {
				parts.push(parts.length ? ' · ' : '', t('training.attempts', { count: Number(data.attempts) }));
				if (data.best_score !== null && data.best_score !== undefined) {
					parts.push(' · ', t('training.bestScore', { score: Number(data.best_score) }));
				}
			}
			return parts.length ? el('p', { class: 'note training-summary' }, parts) : null;
		}

		function stepper() {
			const total = data.lessons.length + 1;
			return el('ol', { class: 'training-steps', 'aria-label': t('training.stepsLabel') },
				[...data.lessons.map((lesson) => lesson.title), t('training.quizTitle')].map((title, index) =>
					el('li', {
						class: index === step ? 'is-current' : index < step ? 'is-done' : null,
						'aria-current': index === step ? 'step' : null,
					}, el('span', { class: 'visually-hidden' }, t('training.stepOf', { step: index + 1, total }), ' '), title)));
		}

		function show({ focus = true } = {}) {
			const content = step < data.lessons.length ? lessonView(data.lessons[step]) : quizView();
			body.replaceChildren(...[
				el('p', { class: 'lead' }, t('training.lead')),
				summary(),
				data.completed ? el('p', {}, el('a', { href: '/helper/certification' }, t('training.toCertification'))) : null,
				stepper(),
				content,
			].filter(Boolean));
			if (focus) {
				const target = content.querySelector('h2');
				target.tabIndex = -1;
				target.focus();
			}
		}

		function lessonView(lesson) {
			const titleId = uid('lesson-title');
			const paragraphs = Array.isArray(lesson.paragraphs) ? lesson.paragraphs : [];
			const previous = step > 0
				? button({ label: t('common.previous'), kind: 'secondary', onClick: () => { step -= 1; show(); } })
				: null;
			const next = button({
				label: step + 1 < data.lessons.length ? t('training.nextLesson') : t('training.toQuiz'),
				onClick: () => { step += 1; show(); },
			});
			next.dataset.action = 'next';
			return el('section', { class: 'panel lesson', 'aria-labelledby': titleId, 'data-lesson': lesson.id },
				el('p', { class: 'note' }, t('training.lessonOf', { number: step + 1, total: data.lessons.length })),
				el('h2', { id: titleId }, String(lesson.title || '')),
				paragraphs.map((text) => el('p', {}, String(text))),
				el('p', { class: 'actions' }, previous, next));
		}

		function quizView() {
			const quiz = data.quiz;
			const questions = Array.isArray(quiz.questions) ? quiz.questions : [];
			const titleId = uid('quiz-title');
			const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const groups = questions.map((question, index) => {
				const name = uid(`quiz-${question.id}`);
				const legendId = `${name}-legend`;
				const errorNode = el('p', { class: 'field-error', id: `${name}-error`, hidden: true });
				const options = (Array.isArray(question.options) ? question.options : []).map((option) => {
					const id = `${name}-${option.id}`;
					return el('div', { class: 'field-check' },
						el('input', { type: 'radio', id, name, value: option.id, 'data-question': question.id }),
						el('label', { for: id }, String(option.text || '')));
				});
				const fieldset = el('fieldset', { class: 'field quiz-question', 'aria-labelledby': legendId, 'data-question': question.id },
					el('legend', { id: legendId }, t('training.questionNumber', { number: index + 1 }), ' ', String(question.text || '')),
					options,
					errorNode);
				return { question, fieldset, errorNode, name };
			});
			const submit = button({ label: t('training.submitQuiz'), type: 'submit' });
			const previous = button({ label: t('common.previous'), kind: 'secondary', onClick: () => { step -= 1; show(); } });
			const form = el('form', { novalidate: true, class: 'quiz' },
				groups.map((group) => group.fieldset),
				el('p', { class: 'actions' }, previous, submit),
				status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const answers = {};
				const missing = [];
				for (const group of groups) {
					const chosen = group.fieldset.querySelector('input:checked');
					group.errorNode.hidden = Boolean(chosen);
					group.errorNode.textContent = chosen ? '' : t('training.answerThis');
					if (chosen) {
						group.fieldset.removeAttribute('aria-describedby');
					} else {
						group.fieldset.setAttribute('aria-describedby', group.errorNode.id);
					}
					if (chosen) {
						answers[group.question.id] = chosen.value;
					} else {
						missing.push(group);
					}
				}
				if (missing.length) {
					status.className = 'status status-error';
					status.textContent = t('training.missing', { count: missing.length });
					missing[0].fieldset.querySelector('input').focus();
					return;
				}
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('training.grading');
				const result = await program.submitQuiz(answers);
				submit.disabled = false;
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = errorText(t, result);
					return;
				}
				lastResult = result.body;
				data.attempts = (Number(data.attempts) || 0) + 1;
				data.best_score = Math.max(Number(data.best_score) || 0, Number(result.body.score) || 0);
				if (result.body.completed) {
					data.completed = true;
				}
				outcome();
			});
			return el('section', { class: 'panel quiz-panel', 'aria-labelledby': titleId },
				el('h2', { id: titleId }, t('training.quizTitle')),
				el('p', {}, t('training.quizLead', { count: questions.length, mark: Number(quiz.pass_mark) || 75 })),
				form);
		}

		// The quiz graded: a pass links to the application; a fail starts again from lesson 1.
		function outcome() {
			const result = lastResult;
			const titleId = uid('result-title');
			const score = t('training.score', { correct: Number(result.correct) || 0, total: Number(result.total) || 0, score: Number(result.score) || 0 });
			let panel;
			if (result.passed) {
				panel = el('section', { class: 'panel result-card is-success', 'aria-labelledby': titleId, 'data-result': 'passed' },
					el('h2', { id: titleId }, t('training.passedTitle')),
					el('p', {}, score),
					el('p', {}, t('training.passedText')),
					el('p', { class: 'actions' }, linkButton({ label: t('training.apply'), href: '/helper/certification' })));
			} else {
				const again = button({
					label: t('training.restart'),
					onClick: () => {
						step = 0;
						show();
					},
				});
				again.dataset.action = 'restart';
				panel = el('section', { class: 'panel result-card is-retry', 'aria-labelledby': titleId, 'data-result': 'failed' },
					el('h2', { id: titleId }, t('training.failedTitle')),
					el('p', {}, score),
					el('p', {}, t('training.failedText', { mark: Number(result.pass_mark) || 75 })),
					el('p', { class: 'actions' }, again));
			}
			body.replaceChildren(...[el('p', { class: 'lead' }, t('training.lead')), summary(), panel].filter(Boolean));
			const target = panel.querySelector('h2');
			target.tabIndex = -1;
			target.focus();
		}

		await load();
	},
};
