// /wellness/safety-plan — the Stanley–Brown safety plan: six steps (warning
// signs; internal coping; people and places for distraction; people to ask
// for help, with phones; professionals and agencies; making the environment
// safe) and reasons for living. View mode: every step as a list, phones as
// tap-to-call links, a print button (wellness.css prints the plan alone);
// crisis lines always shown, also when the plan is empty. Edit mode: a list
// editor per step (add and remove rows); an empty plan opens in edit mode.
// A save names the plan version it edits; when the plan was saved elsewhere
// meanwhile (409 plan_changed) the edits stay in the form and the plan as it is
// now is shown above them, to re-apply the changes or start again from it.
//
// Offline: each plan loaded or saved is kept on the device for the signed-in
// user (api/plan-cache.js). The route is public so the view can decide: with
// no session and no network (the app started from the service worker's
// cache) it shows the kept copy, read-only, with the time it was saved; with
// no session and a working network it forgets the copy and goes to sign-in.

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { listEditor } from '/js/components/list-editor.js';
import { crisisLines } from '/js/components/crisis-lines.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import {
	wellness, telHref, PLAN_STEPS, PLAN_ROWS_MAX, PLAN_TEXT_MAX, PHONE_MAX, PHONE_PATTERN,
} from '/js/api/wellness.js';
import { savePlan, loadPlan, forgetPlan } from '/js/api/plan-cache.js';

/** True when no step of the plan has an entry. */
export function planIsEmpty(plan) {
	return !plan || PLAN_STEPS.every((step) => !Array.isArray(plan[step.key]) || plan[step.key].length === 0);
}

/** The heading of a step: "Step 3: …" for the six steps, the plain title for reasons for living. */
export function stepTitle(t, step, index) {
	const title = t(`plan.steps.${step.key}.title`);
	return index < 6 ? t('plan.stepNumber', { number: index + 1, title }) : title;
}

function entryNode(t, step, entry) {
	if (step.kind === 'text') {
		return el('li', {}, String(entry));
	}
	if (step.kind === 'contact') {
		return el('li', {}, el('span', { class: 'plan-name' }, entry.name), entry.contact ? [' — ', el('span', {}, entry.contact)] : null);
	}
	const href = telHref(entry.phone);
	return el('li', { class: 'plan-person' },
		el('span', { class: 'plan-name' }, entry.name),
		entry.phone && href
			? el('a', { class: 'btn btn-secondary btn-small tel-link', href, 'aria-label': t('plan.call', { name: entry.name, phone: entry.phone }) },
				entry.phone)
			: entry.phone ? el('span', {}, entry.phone) : null);
}

/** The plan's steps as sections (used by this view and by the clinician summary). */
export function planSections(t, plan, { headingLevel = 2 } = {}) {
	return PLAN_STEPS.map((step, index) => {
		const titleId = uid('plan-step');
		const entries = plan && Array.isArray(plan[step.key]) ? plan[step.key] : [];
		return el('section', { class: 'plan-step', 'aria-labelledby': titleId, 'data-step': step.key },
			el(`h${headingLevel}`, { id: titleId }, stepTitle(t, step, index)),
			el('p', { class: 'note plan-prompt' }, t(`plan.steps.${step.key}.prompt`)),
			entries.length
				? el('ul', { class: `plan-list plan-list-${step.kind}` }, entries.map((entry) => entryNode(t, step, entry)))
				: el('p', { class: 'plan-none' }, t('plan.none')));
	});
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const body = el('div', { class: 'plan-body' });
		root.append(
			el('h1', {}, t('plan.title')),
			el('p', { class: 'lead no-print' }, t('plan.lead')),
			wellnessNav('/wellness/safety-plan'),
			body);
		root.classList.add('print-sheet');
		const userId = ctx.session && ctx.session.user ? ctx.session.user.id : null;
		let plan = null;

		function show({ offline = null, focus = null } = {}) {
			const toolbar = el('p', { class: 'actions no-print plan-tools' },
				offline ? null : button({ label: t('plan.edit'), onClick: () => edit() }),
				button({ label: t('plan.print'), kind: 'secondary', onClick: () => window.print() }),
				offline ? null : linkButton({ label: t('plan.toSummary'), href: '/wellness/summary', kind: 'ghost' }));
			const editButton = toolbar.querySelector('button');
			body.replaceChildren(...[
				offline ? el('p', { class: 'warning plan-offline', role: 'status' }, t('plan.offline', { time: formatDate(offline.saved_at) })) : null,
				toolbar,
				planIsEmpty(plan) ? el('p', { class: 'state state-empty' }, t('plan.empty')) : null,
				el('div', { class: 'plan-steps' }, planSections(t, plan)),
				el('p', { class: 'note plan-updated' }, plan && plan.updated_at
					? t('plan.updatedAt', { time: formatDate(plan.updated_at) })
					: t('plan.notSaved')),
				crisisLines(plan && plan.crisis_resources, { title: t('plan.crisisTitle'), intro: t('plan.crisisIntro'), headingLevel: 2 }),
			].filter(Boolean));
			if (focus === 'edit' && editButton) {
				editButton.focus();
			}
		}

		function edit() {
			const labels = (step) => ({
				item: (n) => t(`plan.steps.${step.key}.item`, { n }),
				name: t('plan.name'),
				contact: t('plan.contact'),
				phone: t('plan.phone'),
				add: t(`plan.steps.${step.key}.add`),
				remove: (n) => t('plan.removeItem', { item: t(`plan.steps.${step.key}.item`, { n }) }),
				removeShort: t('plan.remove'),
				full: t('plan.full', { max: PLAN_ROWS_MAX }),
				nameNeeded: t('plan.errors.nameNeeded'),
				phoneInvalid: t('plan.errors.phone'),
			});
			const editors = PLAN_STEPS.map((step, index) => ({
				step,
				editor: listEditor({
					legend: stepTitle(t, step, index),
					hint: t(`plan.steps.${step.key}.prompt`),
					kind: step.kind,
					rows: plan && Array.isArray(plan[step.key]) && plan[step.key].length ? plan[step.key] : [step.kind === 'text' ? '' : {}],
					max: PLAN_ROWS_MAX,
					textMax: PLAN_TEXT_MAX,
					phoneMax: PHONE_MAX,
					phonePattern: PHONE_PATTERN,
					labels: labels(step),
				}),
			}));
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			// The version this edit started from: the server refuses the save (409
			// plan_changed) if the plan was saved elsewhere since, instead of wiping that.
			let baseVersion = plan && plan.version != null ? plan.version : null;
			const conflictBox = el('div', { class: 'plan-conflict' });
			const save = button({ label: t('plan.save'), type: 'submit' });
			const cancel = button({ label: t('common.cancel'), kind: 'ghost', onClick: () => show({ focus: 'edit' }) });
			const form = el('form', { novalidate: true, class: 'plan-form', 'aria-labelledby': 'plan-edit-title' },
				el('h2', { id: 'plan-edit-title', tabindex: '-1' }, t('plan.editTitle')),
				el('p', { class: 'note' }, t('plan.editLead')),
				conflictBox,
				editors.map(({ editor }) => editor.element),
				el('p', { class: 'actions' }, save, cancel),
				status);
			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				let first = null;
				for (const { editor } of editors) {
					const wrong = editor.validate();
					first = first || wrong;
				}
				if (first) {
					status.className = 'status status-error';
					status.textContent = t('plan.errors.check');
					first.focus();
					return;
				}
				const next = Object.fromEntries(editors.map(({ step, editor }) => [step.key, editor.value()]));
				if (baseVersion != null) {
					next.version = baseVersion;
				}
				save.disabled = true;
				status.className = 'status';
				status.textContent = t('plan.saving');
				const result = await wellness.saveSafetyPlan(next);
				save.disabled = false;
				if (result.status === 409 && result.error && result.error.code === 'plan_changed' && result.body.error.plan) {
					await showConflict(result.body.error.plan);
					return;
				}
				if (!result.ok || !result.body) {
					status.className = 'status status-error';
					status.textContent = result.status === 400 ? t('plan.errors.check') : errorText(t, result);
					return;
				}
				plan = result.body;
				await savePlan(userId, plan);
				ctx.toast(t('plan.saved'), 'success');
				show({ focus: 'edit' });
			});
			// Saved elsewhere since this edit began: keep the person's edits in the form,
			// show the plan as it is now beside them, and let the next save go on top of
			// it (they have seen it) or start again from it.
			async function showConflict(current) {
				plan = current;
				baseVersion = current.version;
				await savePlan(userId, plan);
				const titleId = uid('plan-conflict');
				conflictBox.replaceChildren(el('section', { class: 'warning plan-conflict-box', 'aria-labelledby': titleId },
					el('h3', { id: titleId, tabindex: '-1' }, t('plan.conflict.title')),
					el('p', {}, t('plan.conflict.lead')),
					el('div', { class: 'plan-steps' }, planSections(t, current, { headingLevel: 4 })),
					el('p', {}, t('plan.conflict.next')),
					el('p', { class: 'actions' }, button({ label: t('plan.conflict.useCurrent'), kind: 'secondary', onClick: () => edit() }))));
				status.className = 'status status-error';
				status.textContent = t('plan.conflict.status');
				conflictBox.querySelector('h3').focus();
			}

			body.replaceChildren(form, crisisLines(plan && plan.crisis_resources, { title: t('plan.crisisTitle'), intro: t('plan.crisisIntro'), headingLevel: 2 }));
			form.querySelector('h2').focus();
		}

		if (!userId) {
			// Signed out, or the app started without a network: the copy kept on this device, if any.
			const saved = await loadPlan();
			if (saved) {
				const probe = await ctx.api.get('/api/auth/session');
				if (probe.status === 0 || probe.status >= 500) {
					plan = saved.plan;
					show({ offline: saved });
					return;
				}
				if (probe.ok && probe.body && probe.body.user) {
					await ctx.refreshSession();
					ctx.navigate(ctx.path, { replace: true });
					return;
				}
				await forgetPlan();
			}
			ctx.navigate(`/signin?next=${encodeURIComponent(ctx.path)}`, { replace: true });
			return;
		}

		async function load() {
			states.loading(body);
			const result = await wellness.safetyPlan();
			if (result.ok && result.body) {
				plan = result.body;
				await savePlan(userId, plan);
				if (planIsEmpty(plan)) {
					edit();
					// The router focuses the page's <h1> after this; the form's heading follows it.
				} else {
					show();
				}
				return;
			}
			if (result.status === 0 || result.status >= 500) {
				const saved = await loadPlan();
				if (saved && saved.user_id === userId) {
					plan = saved.plan;
					show({ offline: saved });
					return;
				}
			}
			states.error(body, errorText(t, result), load);
		}
		await load();
	},
};
