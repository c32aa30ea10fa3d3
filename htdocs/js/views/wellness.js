// /wellness — the wellness hub, three tabs (?tab=):
// - check-in: mood on an emoji scale (1–5), anxiety, sleep and energy sliders
//   (1–5, default 3), tags from the fixed list, a private note; today's
//   check-in (the day in the browser's time zone) is shown and can be updated;
//   a note the crisis detector flags shows the crisis card, as in the journal;
// - habits: my habits with current and longest streak and a complete / undo
//   button for today, "stop tracking"; the catalogue to discover; a custom habit;
// - journal: write (≤ 2000, counter), newest first, edit, delete (confirmed);
//   a crisis answer shows the crisis card and a link to the safety plan.

import { el, uid } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { tabs } from '/js/components/tabs.js';
import { states } from '/js/components/states.js';
import { badge } from '/js/components/badge.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { crisisCard } from '/js/components/crisis-card.js';
import { pagedList } from '/js/components/paged-list.js';
import { emojiScale } from '/js/components/emoji-scale.js';
import { rangeField } from '/js/components/range-field.js';
import { chipGroup } from '/js/components/chip-group.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, loadArea, message } from '/js/shell/i18n.js';
import { applyFieldErrors, errorText } from '/js/api/client.js';
import {
	wellness, localDay, MOOD_EMOJI, MOOD_TAGS, NOTE_MAX, JOURNAL_MAX, JOURNAL_WARN, HABIT_NAME_MAX, HABIT_CATEGORIES,
} from '/js/api/wellness.js';

const TABS = ['checkin', 'habits', 'journal'];
const SLIDERS = ['anxiety', 'sleep', 'energy'];
const JOURNAL_PAGE = 20;

function replaceQuery(params) {
	const url = new URL(window.location.href);
	for (const [name, value] of Object.entries(params)) {
		if (value) {
			url.searchParams.set(name, value);
		} else {
			url.searchParams.delete(name);
		}
	}
	window.history.replaceState({}, '', url.pathname + url.search);
}

/** The catalogue's word for a server value (a tag, a habit category), else the value itself. */
function labelOf(t, key, value) {
	return typeof message(key) === 'string' ? t(key) : String(value);
}

/**
 * A habit's name (or description) in the page's language: a catalogue habit's from the catalogue
 * (habitCatalog.<id>), a custom one as its person wrote it. `id` is the catalogue id (a tracked
 * habit's catalog_id, a catalogue item's id), or null.
 */
function habitText(t, id, part, value) {
	return id ? labelOf(t, `habitCatalog.${id}.${part}`, value) : String(value);
}

function setStatus(node, text, kind = null) {
	node.className = kind ? `status status-${kind}` : 'status';
	node.textContent = text;
}

// The crisis card the detector's answer asks for (a journal entry or a
// check-in note): the resources, focused so a screen reader hears them first,
// and the way to the safety plan. One function so both say the same thing.
function showCrisisIn(box, crisis, t) {
	const cardNode = crisisCard(crisis, { headingLevel: 3, onClose: () => box.replaceChildren() });
	box.replaceChildren(cardNode,
		el('p', { class: 'actions crisis-plan-link' },
			linkButton({ label: t('journal.openPlan'), href: '/wellness/safety-plan' }),
			linkButton({ label: t('journal.quietSpace'), href: '/quiet-space', kind: 'secondary' })));
	cardNode.focus();
}

// ------------------------------------------------------------------ check-in

function checkinPanel(panel, ctx) {
	const { t } = ctx;
	const today = localDay();
	const todayBox = el('div', { class: 'checkin-today', 'aria-live': 'polite' });
	const scale = emojiScale({
		legend: t('checkin.moodLegend'), name: 'checkin-mood', emoji: MOOD_EMOJI,
		labels: [1, 2, 3, 4, 5].map((n) => t(`mood.levels.${n}`)),
	});
	const sliders = Object.fromEntries(SLIDERS.map((measure) => [measure, rangeField({
		id: `checkin-${measure}`, label: t(`measures.${measure}`), value: 3,
		lowLabel: t(`checkin.ends.${measure}.low`), highLabel: t(`checkin.ends.${measure}.high`),
		valueText: (n) => t('checkin.valueText', { value: n, low: t(`checkin.ends.${measure}.low`), high: t(`checkin.ends.${measure}.high`) }),
	})]));
	const tags = chipGroup({
		legend: t('checkin.tags'), hint: t('checkin.tagsHint'),
		options: MOOD_TAGS.map((value) => ({ value, label: t(`tags.${value}`) })),
	});
	const note = field({ id: 'checkin-note', type: 'textarea', label: t('checkin.note'), hint: t('checkin.noteHint') });
	note.input.maxLength = NOTE_MAX;
	note.input.rows = 3;
	const counter = charCounter(note.input, { max: NOTE_MAX, warnAt: NOTE_MAX - 100 });
	const submit = button({ label: t('checkin.save'), type: 'submit' });
	const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const crisisBox = el('div', { class: 'checkin-crisis' });
	const form = el('form', { novalidate: true, 'aria-labelledby': 'checkin-title', class: 'checkin-form' },
		scale.element,
		el('div', { class: 'range-group' }, SLIDERS.map((measure) => sliders[measure].element)),
		tags.element, note.element, counter.element,
		el('p', { class: 'actions' }, submit), status);

	function summary(item) {
		return el('section', { class: 'panel checkin-summary', 'aria-labelledby': 'checkin-today-title', 'data-day': item.day, 'data-mood': item.mood },
			el('h3', { id: 'checkin-today-title' }, t('checkin.todayTitle')),
			el('p', { class: 'checkin-mood' },
				el('span', { class: 'scale-emoji', 'aria-hidden': 'true' }, MOOD_EMOJI[item.mood - 1] || ''), ' ',
				t('checkin.moodIs', { label: t(`mood.levels.${item.mood}`) })),
			el('dl', { class: 'details' }, SLIDERS.map((measure) => [
				el('dt', {}, t(`measures.${measure}`)),
				el('dd', {}, t('checkin.outOf', { value: item[measure] })),
			])),
			item.tags && item.tags.length
				? el('ul', { class: 'tag-list', 'aria-label': t('checkin.tags') }, item.tags.map((tag) => el('li', { class: 'tag' }, labelOf(t, `tags.${tag}`, tag))))
				: null,
			item.note ? el('p', { class: 'checkin-note' }, item.note) : null,
			el('p', { class: 'note' }, t('checkin.savedAt', { time: formatDate(item.updated_at || item.created_at) })));
	}

	function showToday(item) {
		if (!item) {
			todayBox.replaceChildren(el('p', { class: 'note' }, t('checkin.noneToday')));
			submit.textContent = t('checkin.save');
			return;
		}
		todayBox.replaceChildren(summary(item));
		submit.textContent = t('checkin.update');
	}

	function fill(item) {
		scale.set(item.mood);
		for (const measure of SLIDERS) {
			sliders[measure].set(item[measure] || 3);
		}
		tags.set(item.tags || []);
		note.input.value = item.note || '';
		counter.update();
	}

	async function load() {
		states.loading(todayBox);
		const result = await wellness.moodHistory({ from: today, to: today });
		if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
			states.error(todayBox, errorText(t, result), load);
			return;
		}
		const item = result.body.items.find((entry) => entry.day === today) || null;
		showToday(item);
		if (item) {
			fill(item);
		}
	}

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		const mood = scale.value();
		scale.setError(mood ? null : t('checkin.errors.mood'));
		if (!mood) {
			scale.focus();
			return;
		}
		const text = note.input.value.trim();
		if (countChars(text) > NOTE_MAX) {
			note.setError(t('checkin.errors.noteTooLong', { max: NOTE_MAX }));
			note.input.focus();
			return;
		}
		note.setError(null);
		submit.disabled = true;
		crisisBox.replaceChildren();
		setStatus(status, t('checkin.saving'));
		const result = await wellness.checkIn({
			mood,
			anxiety: sliders.anxiety.value(),
			sleep: sliders.sleep.value(),
			energy: sliders.energy.value(),
			tags: tags.values(),
			note: text,
		});
		submit.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			applyFieldErrors({ note }, result, () => t('checkin.errors.invalid'));
			return;
		}
		setStatus(status, t(result.status === 201 ? 'checkin.saved' : 'checkin.updated'), 'success');
		showToday(result.body);
		fill(result.body);
		if (result.body.crisis) {
			showCrisisIn(crisisBox, result.body.crisis, t);
		}
	});

	panel.replaceChildren(
		el('h2', { id: 'checkin-title' }, t('checkin.title')),
		el('p', { class: 'note' }, t('checkin.lead')),
		todayBox, form, crisisBox,
		el('p', {}, el('a', { href: '/wellness/insights' }, t('checkin.toInsights'))));
	load();
}

// ------------------------------------------------------------------ habits

function habitsPanel(panel, ctx) {
	const { t } = ctx;
	const mine = el('div', { class: 'habits-mine' });
	const discover = el('div', { class: 'habits-discover' });
	const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	let tracked = [];
	let catalog = [];

	const nameField = field({ id: 'habit-name', label: t('habits.customName'), hint: t('habits.customHint', { max: HABIT_NAME_MAX }), required: true });
	nameField.input.maxLength = HABIT_NAME_MAX;
	const categoryField = field({
		id: 'habit-category', type: 'select', label: t('habits.category'), required: true,
		options: HABIT_CATEGORIES.map((value) => ({ value, label: labelOf(t, `habitCategories.${value}`, value) })),
	});
	const addButton = button({ label: t('habits.customAdd'), type: 'submit', kind: 'secondary' });
	const customForm = el('form', { novalidate: true, 'aria-labelledby': 'habits-custom-title', class: 'habit-form' },
		nameField.element, categoryField.element, el('p', { class: 'actions' }, addButton));

	function streakText(habit) {
		return [t('habits.current', { count: habit.current_streak || 0 }), t('habits.longest', { count: habit.longest_streak || 0 })].join(' · ');
	}

	function focusAction(habitId, action) {
		const node = mine.querySelector(`[data-habit-id="${CSS.escape(habitId)}"] [data-action="${action}"]`);
		if (node) {
			node.focus();
		}
	}

	function replaceHabit(habit) {
		tracked = tracked.map((item) => (item.id === habit.id ? habit : item));
		drawMine();
	}

	async function toggleToday(habit, node) {
		node.disabled = true;
		const day = localDay();
		const result = habit.completed_today ? await wellness.undoHabit(habit.id, day) : await wellness.completeHabit(habit.id, day);
		node.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			return;
		}
		replaceHabit(result.body);
		setStatus(status, t(result.body.completed_today ? 'habits.doneStatus' : 'habits.undoneStatus', {
			name: habitText(t, result.body.catalog_id, 'name', result.body.name),
			streak: t('habits.current', { count: result.body.current_streak || 0 }),
		}), 'success');
		focusAction(habit.id, result.body.completed_today ? 'undo' : 'complete');
	}

	async function untrack(habit) {
		const sure = await ctx.confirm({
			title: t('habits.untrackTitle', { name: habitText(t, habit.catalog_id, 'name', habit.name) }),
			body: t('habits.untrackBody'),
			confirmLabel: t('habits.untrack'), danger: true,
		});
		if (!sure) {
			return;
		}
		const result = await wellness.untrackHabit(habit.id);
		if (!result.ok) {
			setStatus(status, errorText(t, result), 'error');
			return;
		}
		tracked = tracked.filter((item) => item.id !== habit.id);
		drawMine();
		drawDiscover();
		setStatus(status, t('habits.untracked', { name: habitText(t, habit.catalog_id, 'name', habit.name) }), 'success');
		// The focus was on the habit just taken away: the first habit left takes it, else the note that none is tracked.
		const first = mine.querySelector('[data-action="complete"], [data-action="undo"]') || mine.querySelector('.state-empty');
		if (first) {
			if (!first.matches('button')) {
				first.tabIndex = -1;
			}
			first.focus();
		}
	}

	function habitCard(habit) {
		const titleId = uid('habit');
		const done = Boolean(habit.completed_today);
		const toggle = button({
			label: t(done ? 'habits.undo' : 'habits.complete'), kind: done ? 'secondary' : 'primary', small: true,
		});
		toggle.dataset.action = done ? 'undo' : 'complete';
		toggle.addEventListener('click', () => toggleToday(habit, toggle));
		const remove = button({ label: t('habits.untrack'), kind: 'ghost', small: true, onClick: () => untrack(habit) });
		remove.dataset.action = 'untrack';
		return el('article', {
			class: 'card habit-card', 'aria-labelledby': titleId, 'data-habit-id': habit.id,
			'data-current-streak': habit.current_streak || 0, 'data-done-today': String(done),
		},
		el('h3', { id: titleId, class: 'habit-name' }, habitText(t, habit.catalog_id, 'name', habit.name)),
		el('p', { class: 'badges' },
			badge(labelOf(t, `habitCategories.${habit.category}`, habit.category), 'neutral'),
			done ? badge(t('habits.doneToday'), 'success') : null),
		el('p', { class: 'habit-streak' },
			el('span', { 'aria-hidden': 'true' }, habit.current_streak > 0 ? '🔥 ' : ''),
			el('span', { class: 'streak-text' }, streakText(habit))),
		el('p', { class: 'actions' }, toggle, remove));
	}

	function drawMine() {
		if (!tracked.length) {
			states.empty(mine, t('habits.emptyMine'));
			return;
		}
		mine.replaceChildren(el('ul', { class: 'list card-list habit-list', 'aria-label': t('habits.mineTitle') },
			tracked.map((habit) => el('li', {}, habitCard(habit)))));
	}

	async function track(item, node) {
		node.disabled = true;
		const result = await wellness.trackHabit(item.id);
		node.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, result.status === 409 ? t('habits.already', { name: habitText(t, item.id, 'name', item.name) })
				: errorText(t, result), 'error');
			if (result.status === 409) {
				load();
			}
			return;
		}
		tracked = [...tracked, result.body];
		drawMine();
		drawDiscover();
		setStatus(status, t('habits.tracking', { name: habitText(t, result.body.catalog_id, 'name', result.body.name) }), 'success');
		focusAction(result.body.id, 'complete');
	}

	function drawDiscover() {
		const taken = new Set(tracked.map((habit) => habit.catalog_id).filter(Boolean));
		const open = catalog.filter((item) => !taken.has(item.id));
		if (!open.length) {
			states.empty(discover, t('habits.emptyDiscover'));
			return;
		}
		discover.replaceChildren(el('ul', { class: 'list card-list discover-list', 'aria-label': t('habits.discoverTitle') },
			open.map((item) => {
				const titleId = uid('catalog');
				const add = button({ label: t('habits.track'), kind: 'secondary', small: true });
				add.dataset.action = 'track';
				add.setAttribute('aria-describedby', titleId);
				add.addEventListener('click', () => track(item, add));
				return el('li', {}, el('article', { class: 'card catalog-card', 'aria-labelledby': titleId, 'data-catalog-id': item.id },
					el('h4', { id: titleId }, habitText(t, item.id, 'name', item.name)),
					el('p', { class: 'badges' }, badge(labelOf(t, `habitCategories.${item.category}`, item.category), 'neutral')),
					item.description ? el('p', {}, habitText(t, item.id, 'description', item.description)) : null,
					el('p', { class: 'actions' }, add)));
			})));
	}

	async function load() {
		states.loading(mine);
		states.loading(discover);
		const [mineResult, catalogResult] = await Promise.all([wellness.habits(), wellness.habitCatalog()]);
		if (mineResult.ok && mineResult.body && Array.isArray(mineResult.body.items)) {
			tracked = mineResult.body.items;
			drawMine();
		} else {
			states.error(mine, errorText(t, mineResult), load);
		}
		if (catalogResult.ok && catalogResult.body && Array.isArray(catalogResult.body.items)) {
			catalog = catalogResult.body.items;
			drawDiscover();
		} else {
			states.error(discover, errorText(t, catalogResult), load);
		}
	}

	customForm.addEventListener('submit', async (event) => {
		event.preventDefault();
		const name = nameField.input.value.trim();
		nameField.setError(name ? null : t('habits.errors.name'));
		if (!name) {
			nameField.input.focus();
			return;
		}
		addButton.disabled = true;
		const result = await wellness.createHabit({ name, category: categoryField.input.value });
		addButton.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			applyFieldErrors({ name: nameField, category: categoryField }, result, () => t('habits.errors.invalid'));
			return;
		}
		nameField.input.value = '';
		tracked = [...tracked, result.body];
		drawMine();
		setStatus(status, t('habits.tracking', { name: habitText(t, result.body.catalog_id, 'name', result.body.name) }), 'success');
		focusAction(result.body.id, 'complete');
	});

	panel.replaceChildren(
		el('h2', { id: 'habits-mine-title' }, t('habits.mineTitle')),
		el('p', { class: 'note' }, t('habits.lead')),
		status,
		mine,
		el('h3', { id: 'habits-discover-title' }, t('habits.discoverTitle')),
		discover,
		el('h3', { id: 'habits-custom-title' }, t('habits.customTitle')),
		customForm);
	load();
}

// ------------------------------------------------------------------ journal

function journalPanel(panel, ctx) {
	const { t } = ctx;
	const text = field({ id: 'journal-text', type: 'textarea', label: t('journal.label'), hint: t('journal.hint') });
	text.input.maxLength = JOURNAL_MAX;
	text.input.rows = 6;
	const counter = charCounter(text.input, { max: JOURNAL_MAX, warnAt: JOURNAL_WARN });
	const submit = button({ label: t('journal.save'), type: 'submit' });
	const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
	const crisisBox = el('div', { class: 'journal-crisis' });
	const form = el('form', { novalidate: true, 'aria-labelledby': 'journal-title' },
		text.element, counter.element, el('p', { class: 'actions' }, submit), status);

	function showCrisis(crisis) {
		showCrisisIn(crisisBox, crisis, t);
	}

	function tooLong(value) {
		return countChars(value) > JOURNAL_MAX;
	}

	function entryView(entry) {
		const titleId = uid('entry');
		const edited = entry.updated_at && entry.created_at && entry.updated_at !== entry.created_at;
		const article = el('article', { class: 'journal-entry', 'aria-labelledby': titleId, 'data-entry-id': entry.id });
		const editButton = button({ label: t('journal.edit'), kind: 'secondary', small: true, onClick: () => edit() });
		editButton.dataset.action = 'edit';
		editButton.setAttribute('aria-describedby', titleId);
		const deleteButton = button({ label: t('journal.delete'), kind: 'ghost', small: true, onClick: () => remove() });
		deleteButton.dataset.action = 'delete';
		deleteButton.setAttribute('aria-describedby', titleId);

		function show() {
			article.replaceChildren(
				el('h4', { id: titleId, class: 'entry-meta' },
					el('time', { datetime: entry.created_at }, formatDate(entry.created_at, { dateStyle: 'full', timeStyle: 'short' })),
					edited ? el('span', { class: 'note' }, ` · ${t('journal.edited')}`) : null),
				el('p', { class: 'entry-text' }, entry.text),
				el('p', { class: 'actions' }, editButton, deleteButton));
		}

		function edit() {
			const editor = field({ id: uid('journal-edit'), type: 'textarea', label: t('journal.editLabel'), value: entry.text });
			editor.input.maxLength = JOURNAL_MAX;
			editor.input.rows = 6;
			const editCounter = charCounter(editor.input, { max: JOURNAL_MAX, warnAt: JOURNAL_WARN });
			const save = button({ label: t('journal.saveEdit'), type: 'submit' });
			const cancel = button({ label: t('common.cancel'), kind: 'ghost', onClick: () => {
				show();
				editButton.focus();
			} });
			const editStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const editForm = el('form', { novalidate: true, class: 'journal-edit' },
				editor.element, editCounter.element, el('p', { class: 'actions' }, save, cancel), editStatus);
			editForm.addEventListener('submit', async (event) => {
				event.preventDefault();
				const value = editor.input.value.trim();
				editor.setError(!value ? t('journal.errors.empty') : tooLong(value) ? t('journal.errors.tooLong', { max: JOURNAL_MAX }) : null);
				if (!value || tooLong(value)) {
					editor.input.focus();
					return;
				}
				save.disabled = true;
				const result = await wellness.updateEntry(entry.id, value);
				save.disabled = false;
				if (!result.ok || !result.body) {
					setStatus(editStatus, errorText(t, result), 'error');
					return;
				}
				list.update(result.body);
				setStatus(status, t('journal.updated'), 'success');
				if (result.body.crisis) {
					showCrisis(result.body.crisis);
					return;
				}
				const again = list.element.querySelector(`[data-entry-id="${CSS.escape(entry.id)}"] [data-action="edit"]`);
				if (again) {
					again.focus();
				}
			});
			article.replaceChildren(
				el('h4', { id: titleId, class: 'entry-meta' }, el('time', { datetime: entry.created_at }, formatDate(entry.created_at, { dateStyle: 'full', timeStyle: 'short' }))),
				editForm);
			editor.input.focus();
		}

		async function remove() {
			const sure = await ctx.confirm({
				title: t('journal.deleteTitle'), body: t('journal.deleteBody'), confirmLabel: t('journal.delete'), danger: true,
			});
			if (!sure) {
				return;
			}
			const result = await wellness.deleteEntry(entry.id);
			if (!result.ok && result.status !== 404) {
				setStatus(status, errorText(t, result), 'error');
				return;
			}
			list.remove(entry.id);
			setStatus(status, t('journal.deleted'), 'success');
		}

		show();
		return article;
	}

	const list = pagedList({
		fetchPage: (cursor) => wellness.journal({ limit: JOURNAL_PAGE, cursor }),
		renderItem: entryView,
		emptyText: t('journal.empty'),
		moreLabel: t('journal.loadMore'),
		errorText: (result) => errorText(t, result),
		label: t('journal.listTitle'),
		className: 'journal-list',
	});

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		const value = text.input.value.trim();
		text.setError(!value ? t('journal.errors.empty') : tooLong(value) ? t('journal.errors.tooLong', { max: JOURNAL_MAX }) : null);
		if (!value || tooLong(value)) {
			text.input.focus();
			return;
		}
		submit.disabled = true;
		setStatus(status, t('journal.saving'));
		const result = await wellness.createEntry(value);
		submit.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			applyFieldErrors({ text }, result, () => t('journal.errors.invalid'));
			return;
		}
		text.input.value = '';
		counter.update();
		list.prepend(result.body);
		setStatus(status, t('journal.saved'), 'success');
		if (result.body.crisis) {
			showCrisis(result.body.crisis);
		}
	});

	panel.replaceChildren(
		el('h2', { id: 'journal-title' }, t('journal.title')),
		el('p', { class: 'note' }, t('journal.private')),
		form, crisisBox,
		el('h3', {}, t('journal.listTitle')),
		list.element);
	list.reload();
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;
		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'checkin';
		root.append(
			el('h1', {}, t('wellness.title')),
			el('p', { class: 'lead' }, t('wellness.lead')),
			wellnessNav('/wellness'),
			tabs([
				{ id: 'checkin', label: t('wellness.tabs.checkin'), render: (panel) => checkinPanel(panel, ctx) },
				{ id: 'habits', label: t('wellness.tabs.habits'), render: (panel) => habitsPanel(panel, ctx) },
				{ id: 'journal', label: t('wellness.tabs.journal'), render: (panel) => journalPanel(panel, ctx) },
			], {
				selected,
				label: t('wellness.tabsLabel'),
				onChange: (id) => replaceQuery({ tab: id === 'checkin' ? '' : id }),
			}));
	},
};
