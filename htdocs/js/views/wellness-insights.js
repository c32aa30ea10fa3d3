// /wellness/insights?days=7|30|90 — what the check-ins say: the window
// chosen with a radio group; per measure the average and the trend (arrow and
// words); a chart of the per-day series (mood as bars, anxiety, sleep and
// energy as lines that can be switched off) with the numbers as a table; the
// tags and habits that go with better or worse days in plain words, and those
// without enough days yet; the year in pixels with a legend and a month-by-
// month text alternative. Everything is computed on the server
// (GET /api/wellness/mood/insights); this view only draws it.

import { el, uid } from '/js/components/dom.js';
import { linkButton } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { svgChart } from '/js/components/svg-chart.js';
import { yearPixels } from '/js/components/year-pixels.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, getLanguage, loadArea, message } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { wellness, localDay, dayDate, MEASURES, MOOD_EMOJI, INSIGHT_WINDOWS } from '/js/api/wellness.js';

const LINES = ['anxiety', 'sleep', 'energy'];
const STEADY = 0.25;   // a change over the window smaller than this is "steady"

function replaceQuery(days) {
	const url = new URL(window.location.href);
	if (days === 30) {
		url.searchParams.delete('days');
	} else {
		url.searchParams.set('days', String(days));
	}
	window.history.replaceState({}, '', url.pathname + url.search);
}

/** One decimal in the page's language ("3.4", "3,4"); "—" for none. */
export function decimal(value) {
	if (value === null || value === undefined || Number.isNaN(Number(value))) {
		return '—';
	}
	return new Intl.NumberFormat(getLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(value));
}

/** 'up' | 'down' | 'steady' | null for a least-squares slope per day over a window. */
export function trendDirection(slope, days) {
	if (slope === null || slope === undefined) {
		return null;
	}
	const change = Number(slope) * Math.max(1, days - 1);
	if (Math.abs(change) < STEADY) {
		return 'steady';
	}
	return change > 0 ? 'up' : 'down';
}

const ARROWS = { up: '↑', down: '↓', steady: '→' };

/** A tag's or a catalogue habit's word in the page's language (the server's name when the catalogue has none). */
function itemName(t, item) {
	const key = item.kind === 'tag' ? `tags.${item.name}` : item.catalog_id ? `habitCatalog.${item.catalog_id}.name` : null;
	return key && typeof message(key) === 'string' ? t(key) : String(item.name);
}

/** A short date for a YYYY-MM-DD day ("Nov 25"). */
export function shortDay(day) {
	return formatDate(dayDate(day), { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Every how many days the x axis is labelled for a window of n days. */
function labelEvery(n) {
	if (n <= 7) {
		return 1;
	}
	return n <= 31 ? 5 : 15;
}

/** The day-by-day chart of an Insights answer: mood bars and the chosen lines. */
export function dayChart(t, series, { lines = LINES, title = null } = {}) {
	const every = labelEvery(series.length);
	const count = series.filter((point) => point.mood !== null && point.mood !== undefined).length;
	return svgChart({
		title: title || t('insights.chartTitle', { count: series.length }),
		description: t('insights.chartDescription', { count, days: series.length }),
		yMin: 0,
		yMax: 5,
		yTicks: [1, 2, 3, 4, 5],
		xCount: series.length,
		xLabels: series.map((point, index) => ({ index, text: shortDay(point.day) }))
			.filter((label, index) => (series.length - 1 - index) % every === 0),
		bars: series.map((point, index) => ({
			index,
			value: point.mood,
			className: point.mood ? `mood-${Math.round(point.mood)}` : '',
			label: t('insights.barLabel', { day: shortDay(point.day), value: point.mood }),
			data: { day: point.day, value: point.mood },
		})),
		lines: lines.map((measure) => ({
			className: `series-${measure}`,
			points: series.map((point, index) => ({
				index,
				value: point[measure],
				label: t('insights.pointLabel', { day: shortDay(point.day), measure: t(`measures.${measure}`), value: point[measure] }),
				data: { day: point.day, measure },
			})),
		})),
		className: 'insights-chart',
	});
}

/** The numbers behind the chart: a table of the days with a check-in, in a disclosure. */
export function seriesTable(t, series, caption) {
	const rows = series.filter((point) => MEASURES.some((m) => point[m] !== null && point[m] !== undefined));
	if (!rows.length) {
		return null;
	}
	return el('details', { class: 'chart-table' },
		el('summary', {}, t('insights.showTable')),
		el('div', { class: 'table-scroll' },
			el('table', {},
				el('caption', {}, caption),
				el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('insights.day')),
					MEASURES.map((m) => el('th', { scope: 'col' }, t(`measures.${m}`))))),
				el('tbody', {}, rows.slice().reverse().map((point) => el('tr', {},
					el('th', { scope: 'row' }, formatDate(dayDate(point.day), { dateStyle: 'medium', timeZone: 'UTC' })),
					MEASURES.map((m) => el('td', {}, point[m] === null || point[m] === undefined ? '—' : String(point[m])))))))));
}

/** Swatches that name what the chart's marks mean. */
function chartLegend(t, toggles) {
	return el('fieldset', { class: 'chart-legend' },
		el('legend', {}, t('insights.legend')),
		el('ul', {},
			el('li', { class: 'legend-item' }, el('span', { class: 'swatch swatch-bar', 'aria-hidden': 'true' }), t('insights.moodBars')),
			toggles));
}

function correlationText(t, item) {
	const vars = {
		name: itemName(t, item),
		with: decimal(item.mood_with),
		without: decimal(item.mood_without),
		daysWith: item.days_with,
		daysWithout: item.days_without,
	};
	return t(item.kind === 'tag' ? 'insights.correlationTag' : 'insights.correlationHabit', vars);
}

function monthRows(t, year) {
	const months = new Map();
	for (const entry of year) {
		const key = entry.day.slice(0, 7);
		if (!months.has(key)) {
			months.set(key, []);
		}
		months.get(key).push(entry.mood);
	}
	return [...months].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([key, moods]) => {
		const average = moods.reduce((sum, m) => sum + m, 0) / moods.length;
		return el('tr', {},
			el('th', { scope: 'row' }, formatDate(dayDate(`${key}-15`), { month: 'long', year: 'numeric', timeZone: 'UTC' })),
			el('td', {}, String(moods.length)),
			el('td', {}, decimal(average)));
	});
}

/** The year in pixels with its legend and its text alternative. */
export function yearSection(t, year, today) {
	const weekdays = [1, 2, 3, 4, 5, 6, 7].map((n) => formatDate(new Date(Date.UTC(2024, 0, n, 12)), { weekday: 'short', timeZone: 'UTC' }));
	const counts = [1, 2, 3, 4, 5].map((level) => year.filter((entry) => entry.mood === level).length);
	const pixels = yearPixels({
		days: year,
		endDay: today,
		title: t('insights.yearTitle'),
		description: t('insights.yearDescription', { count: year.length }),
		weekdays,
		monthLabel: (date) => formatDate(date, { month: 'short', timeZone: 'UTC' }),
		dayLabel: (day, mood) => (mood
			? t('insights.pixelLabel', { day: formatDate(dayDate(day), { dateStyle: 'medium', timeZone: 'UTC' }), label: t(`mood.levels.${mood}`) })
			: t('insights.pixelEmpty', { day: formatDate(dayDate(day), { dateStyle: 'medium', timeZone: 'UTC' }) })),
	});
	const legend = el('ul', { class: 'pixel-legend', 'aria-label': t('insights.legend') },
		[1, 2, 3, 4, 5].map((level) => el('li', {},
			el('span', { class: `swatch swatch-pixel mood-${level}`, 'aria-hidden': 'true' }),
			el('span', { 'aria-hidden': 'true' }, `${MOOD_EMOJI[level - 1]} `),
			t('insights.legendLevel', { label: t(`mood.levels.${level}`), count: counts[level - 1] }))),
		el('li', {}, el('span', { class: 'swatch swatch-pixel pixel-empty', 'aria-hidden': 'true' }), t('insights.legendNone')));
	const rows = monthRows(t, year);
	return el('section', { 'aria-labelledby': 'insights-year-title', class: 'insights-year' },
		el('h2', { id: 'insights-year-title' }, t('insights.yearTitle')),
		el('p', { class: 'note' }, t('insights.yearLead')),
		pixels,
		legend,
		rows.length ? el('details', { class: 'chart-table' },
			el('summary', {}, t('insights.yearTable')),
			el('div', { class: 'table-scroll' },
				el('table', {},
					el('caption', {}, t('insights.yearCaption')),
					el('thead', {}, el('tr', {},
						el('th', { scope: 'col' }, t('insights.month')),
						el('th', { scope: 'col' }, t('insights.daysRecorded')),
						el('th', { scope: 'col' }, t('insights.averageMood')))),
					el('tbody', {}, rows)))) : null);
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('account')]);
		const { t } = ctx;
		let days = INSIGHT_WINDOWS.includes(Number(ctx.query.days)) ? Number(ctx.query.days) : 30;
		const name = uid('window');
		const choices = INSIGHT_WINDOWS.map((n) => {
			const id = `${name}-${n}`;
			const input = el('input', { type: 'radio', id, name, value: String(n), class: 'segment-input' });
			input.checked = n === days;
			input.addEventListener('change', () => {
				if (input.checked) {
					days = n;
					replaceQuery(n);
					load();
				}
			});
			return el('span', { class: 'segment' }, input, el('label', { for: id }, t('insights.window', { count: n })));
		});
		const picker = el('fieldset', { class: 'segmented' }, el('legend', {}, t('insights.windowLegend')), el('div', { class: 'segments' }, choices));
		const status = el('p', { class: 'status insights-status', role: 'status', 'aria-live': 'polite' });
		const results = el('div', { class: 'insights-results' });
		let generation = 0;

		function averages(data) {
			return el('section', { 'aria-labelledby': 'insights-averages-title' },
				el('h2', { id: 'insights-averages-title' }, t('insights.averagesTitle')),
				el('ul', { class: 'measure-grid' }, MEASURES.map((measure) => {
					const entry = (data.measures && data.measures[measure]) || {};
					const direction = trendDirection(entry.trend, data.days);
					return el('li', { class: 'measure', 'data-measure': measure },
						el('span', { class: 'measure-name' }, t(`measures.${measure}`)),
						el('span', { class: 'measure-value' }, decimal(entry.average)),
						el('span', { class: `measure-trend trend-${direction || 'none'}` },
							direction ? el('span', { 'aria-hidden': 'true', class: 'trend-arrow' }, `${ARROWS[direction]} `) : null,
							t(`insights.trend.${direction || 'none'}`)));
				})));
		}

		function chartSection(data) {
			const holder = el('div', { class: 'chart-holder' });
			const shown = new Set(LINES);
			const toggles = LINES.map((measure) => {
				const id = uid(`series-${measure}`);
				const input = el('input', { type: 'checkbox', id, checked: true, 'data-series': measure });
				input.addEventListener('change', () => {
					if (input.checked) {
						shown.add(measure);
					} else {
						shown.delete(measure);
					}
					draw();
				});
				return el('li', { class: 'legend-item' }, input,
					el('label', { for: id }, el('span', { class: `swatch swatch-line series-${measure}`, 'aria-hidden': 'true' }), t(`measures.${measure}`)));
			});
			function draw() {
				holder.replaceChildren(dayChart(t, data.series || [], { lines: LINES.filter((m) => shown.has(m)) }));
			}
			draw();
			return el('section', { 'aria-labelledby': 'insights-chart-title' },
				el('h2', { id: 'insights-chart-title' }, t('insights.dayByDay')),
				holder,
				chartLegend(t, toggles),
				seriesTable(t, data.series || [], t('insights.tableCaption', { count: data.days })));
		}

		function correlations(data) {
			const found = Array.isArray(data.correlations) ? data.correlations : [];
			const short = Array.isArray(data.not_enough_data) ? data.not_enough_data : [];
			return el('section', { 'aria-labelledby': 'insights-corr-title' },
				el('h2', { id: 'insights-corr-title' }, t('insights.correlationsTitle')),
				el('p', { class: 'note' }, t('insights.correlationsLead')),
				found.length
					? el('ul', { class: 'list correlation-list' }, found.map((item) => el('li', { 'data-kind': item.kind, 'data-name': item.name }, correlationText(t, item))))
					: el('p', { class: 'state state-empty' }, t('insights.noCorrelations')),
				short.length ? el('div', { class: 'not-enough' },
					el('h3', {}, t('insights.notEnoughTitle')),
					el('p', {}, t('insights.notEnoughLead')),
					el('ul', {}, short.map((item) => el('li', {},
						t('insights.notEnoughItem', {
							name: itemName(t, item),
							daysWith: item.days_with, daysWithout: item.days_without,
						}))))) : null);
		}

		async function load() {
			generation += 1;
			const mine = generation;
			states.loading(results);
			status.textContent = '';
			const result = await wellness.insights(days);
			if (mine !== generation) {
				return;
			}
			if (!result.ok || !result.body) {
				states.error(results, errorText(t, result), load);
				return;
			}
			const data = result.body;
			status.textContent = t('insights.summary', { count: data.checkins || 0, days: data.days || days });
			const year = Array.isArray(data.year) ? data.year : [];
			const today = data.to || localDay();
			if (!data.checkins) {
				results.replaceChildren(...[
					el('div', { class: 'state state-empty' },
						el('p', {}, t('insights.empty', { days: data.days || days })),
						el('p', { class: 'actions' }, linkButton({ label: t('insights.checkInNow'), href: '/wellness' }))),
					year.length ? yearSection(t, year, today) : null,
				].filter(Boolean));
				return;
			}
			results.replaceChildren(averages(data), chartSection(data), correlations(data), yearSection(t, year, today));
		}

		root.append(
			el('h1', {}, t('insights.title')),
			el('p', { class: 'lead' }, t('insights.lead')),
			wellnessNav('/wellness/insights'),
			picker,
			status,
			results);
		await load();
	},
};
