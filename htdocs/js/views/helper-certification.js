// /helper/certification — becoming a certified helper, as a status machine
// over GET /api/helpers/me/application:
// - certified (or approved): a success card;
// - pending: the application is waiting for an admin (when it was sent, the
//   quiz score, the motivation);
// - rejected: the admin's notes, and "Apply again";
// - training not done: Step 1, the training (/helper/training);
// - trained, nothing sent: Step 2, apply, with an optional motivation
//   (≤ 1000, POST /api/helpers/me/application).
// The two steps are drawn as a list that says which is done and which is next.

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { badge } from '/js/components/badge.js';
import { states } from '/js/components/states.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText, refusalText } from '/js/api/client.js';
import { program, MOTIVATION_MAX } from '/js/api/helpers-program.js';

const STATUS_KIND = { none: 'neutral', pending: 'info', approved: 'success', rejected: 'warning' };

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('helpers'), loadArea('account'), loadArea('peer')]);
		const { t } = ctx;
		const heading = el('h1', {}, t('certification.title'));
		const body = el('div', { class: 'certification' });
		root.append(heading, body);

		async function load({ focus = null } = {}) {
			states.loading(body);
			const result = await program.application();
			if (result.status === 403) {
				states.empty(body, t('certification.helpersOnly'));
				return;
			}
			if (!result.ok || !result.body) {
				states.error(body, errorText(t, result), () => load());
				return;
			}
			show(result.body);
			if (focus) {
				const target = body.querySelector(focus);
				if (target) {
					target.tabIndex = -1;
					target.focus();
				}
			}
		}

		function when(value) {
			return value ? formatDate(value, { dateStyle: 'medium' }) : '';
		}

		function steps(application) {
			const trained = Boolean(application.training_completed);
			const applied = application.status !== 'none';
			const item = (done, current, title, text) => el('li', {
				class: done ? 'is-done' : current ? 'is-current' : null,
				'aria-current': current ? 'step' : null,
			},
			el('strong', {}, title), ' ',
			badge(done ? t('certification.stepDone') : current ? t('certification.stepNow') : t('certification.stepLater'),
				done ? 'success' : current ? 'info' : 'neutral'),
			el('p', { class: 'note' }, text));
			return el('ol', { class: 'cert-steps', 'aria-label': t('certification.stepsLabel') },
				item(trained, !trained, t('certification.step1'), t('certification.step1Text')),
				item(applied && application.status !== 'rejected', trained && (!applied || application.status === 'rejected'),
					t('certification.step2'), t('certification.step2Text')));
		}

		function details(application) {
			const rows = [];
			const row = (term, detail) => rows.push(el('dt', {}, term), el('dd', {}, detail));
			if (application.submitted_at) {
				row(t('certification.submitted'), when(application.submitted_at));
			}
			if (application.quiz_score !== null && application.quiz_score !== undefined) {
				row(t('certification.quizScore'), t('certification.percent', { score: Number(application.quiz_score) }));
			}
			if (application.motivation) {
				row(t('certification.motivation'), String(application.motivation));
			}
			if (application.decided_at) {
				row(t('certification.decided'), when(application.decided_at));
			}
			return rows.length ? el('dl', { class: 'details' }, rows) : null;
		}

		function applyForm({ again = false } = {}) {
			const motivation = field({
				id: 'application-motivation', type: 'textarea', label: t('certification.motivationLabel'),
				hint: t('certification.motivationHint', { max: MOTIVATION_MAX }),
			});
			motivation.input.maxLength = MOTIVATION_MAX;
			motivation.input.rows = 4;
			const counter = charCounter(motivation.input, { max: MOTIVATION_MAX, warnAt: MOTIVATION_MAX - 100 });
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const submit = button({ label: again ? t('certification.applyAgain') : t('certification.apply'), type: 'submit' });
			const form = el('form', { novalidate: true, class: 'apply-form' },
				motivation.element, counter.element, el('p', { class: 'actions' }, submit), status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				const text = motivation.input.value.trim();
				if (countChars(text) > MOTIVATION_MAX) {
					motivation.setError(t('certification.tooLong', { max: MOTIVATION_MAX }));
					motivation.input.focus();
					return;
				}
				motivation.setError(null);
				submit.disabled = true;
				status.className = 'status';
				status.textContent = t('certification.sending');
				const result = await program.apply(text);
				submit.disabled = false;
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = refusalText(t, result);
					if (result.fieldErrors && result.fieldErrors.motivation) {
						motivation.setError(String(result.fieldErrors.motivation));
					}
					return;
				}
				ctx.toast(t('certification.sent'), 'success');
				show(result.body);
				const target = body.querySelector('h2');
				target.tabIndex = -1;
				target.focus();
			});
			return form;
		}

		function show(application) {
			const status = application.status || 'none';
			const titleId = uid('cert-state');
			const stateBadge = badge(t(`certification.status.${status}`), STATUS_KIND[status] || 'neutral');
			let card;
			if (application.helper_tier === 'certified' || status === 'approved') {
				card = el('section', { class: 'panel result-card is-success', 'aria-labelledby': titleId, 'data-state': 'certified' },
					el('h2', { id: titleId }, t('certification.certifiedTitle')),
					el('p', {}, badge(t('helper.tiers.certified'), 'success')),
					el('p', {}, t('certification.certifiedText')),
					details(application),
					el('p', { class: 'actions' }, linkButton({ label: t('certification.toDashboard'), href: '/helper', kind: 'secondary' })));
			} else if (status === 'pending') {
				card = el('section', { class: 'panel', 'aria-labelledby': titleId, 'data-state': 'pending' },
					el('h2', { id: titleId }, t('certification.pendingTitle')),
					el('p', {}, stateBadge),
					el('p', {}, t('certification.pendingText')),
					details(application));
			} else if (status === 'rejected') {
				card = el('section', { class: 'panel', 'aria-labelledby': titleId, 'data-state': 'rejected' },
					el('h2', { id: titleId }, t('certification.rejectedTitle')),
					el('p', {}, stateBadge),
					el('p', {}, t('certification.rejectedText')),
					application.notes
						? el('blockquote', { class: 'admin-notes' },
							el('p', { class: 'note' }, t('certification.notes')),
							el('p', {}, String(application.notes)))
						: null,
					details(application),
					el('h3', {}, t('certification.applyAgainTitle')),
					applyForm({ again: true }));
			} else if (!application.training_completed) {
				card = el('section', { class: 'panel', 'aria-labelledby': titleId, 'data-state': 'untrained' },
					el('h2', { id: titleId }, t('certification.step1Title')),
					el('p', {}, t('certification.step1Lead')),
					el('p', { class: 'actions' }, linkButton({ label: t('certification.startTraining'), href: '/helper/training' })));
			} else {
				card = el('section', { class: 'panel', 'aria-labelledby': titleId, 'data-state': 'apply' },
					el('h2', { id: titleId }, t('certification.step2Title')),
					el('p', {}, t('certification.step2Lead')),
					application.quiz_score !== null && application.quiz_score !== undefined
						? el('p', { class: 'note' }, t('certification.yourScore', { score: Number(application.quiz_score) }))
						: null,
					applyForm());
			}
			const certified = application.helper_tier === 'certified' || status === 'approved';
			body.replaceChildren(...[
				el('p', { class: 'lead' }, t('certification.lead')),
				certified ? null : steps(application),
				card,
			].filter(Boolean));
		}

		await load();
	},
};
