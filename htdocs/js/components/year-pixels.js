import { el, uid } from './dom.js';
import { svg } from './svg.js';

// yearPixels({days, endDay, title, description, weekdays, monthLabel, dayLabel})
// → <figure class="year-pixels"> with an SVG grid: one square per day of the
// 53 weeks up to endDay (YYYY-MM-DD), a column per week (Monday first), each
// square coloured by that day's mood (class mood-1 … mood-5) or drawn empty.
//   days         [{ day: 'YYYY-MM-DD', mood: 1-5 }]
//   weekdays     seven short names, Monday first (Monday, Wednesday and Friday are labelled)
//   monthLabel(Date)        the short month name over the column where a month starts
//   dayLabel(day, mood|null) the <title> of a square
// The SVG is role="img" (title + description); the caller gives the legend
// and the text alternative.

const CELL = 11;
const GAP = 2;
const LEFT = 30;
const TOP = 16;

function parse(day) {
	return new Date(`${day}T12:00:00Z`);
}

function iso(date) {
	return date.toISOString().slice(0, 10);
}

export function yearPixels({
	days = [], endDay, title, description = '', weekdays = [], monthLabel = null, dayLabel = null,
} = {}) {
	const titleId = uid('pixels-title');
	const descId = uid('pixels-desc');
	const moods = new Map(days.filter((d) => d && d.day).map((d) => [d.day, d.mood]));
	const end = parse(endDay);
	const start = new Date(end);
	start.setUTCDate(start.getUTCDate() - 364);
	start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));   // back to Monday
	const total = Math.round((end - start) / 86400000) + 1;
	const weeks = Math.ceil(total / 7);
	const width = LEFT + weeks * (CELL + GAP);
	const height = TOP + 7 * (CELL + GAP);
	const cells = [];
	const months = [];
	for (let i = 0; i < total; i += 1) {
		const date = new Date(start);
		date.setUTCDate(start.getUTCDate() + i);
		const day = iso(date);
		const week = Math.floor(i / 7);
		const row = i % 7;
		const mood = moods.has(day) ? moods.get(day) : null;
		const level = Number.isInteger(mood) && mood >= 1 && mood <= 5 ? mood : null;
		cells.push(svg('rect', {
			x: LEFT + week * (CELL + GAP), y: TOP + row * (CELL + GAP), width: CELL, height: CELL, rx: 2,
			class: level ? `pixel mood-${level}` : 'pixel pixel-empty',
			'data-day': day, 'data-mood': level || null,
		}, svg('title', {}, dayLabel ? dayLabel(day, level) : day)));
		if (date.getUTCDate() === 1 && monthLabel) {
			months.push(svg('text', { x: LEFT + week * (CELL + GAP), y: TOP - 5, class: 'chart-label pixel-month' }, monthLabel(date)));
		}
	}
	const dayNames = [0, 2, 4].filter((i) => weekdays[i]).map((i) => svg('text', {
		x: LEFT - 5, y: TOP + i * (CELL + GAP) + CELL / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle',
		class: 'chart-label pixel-weekday',
	}, weekdays[i]));
	const drawing = svg('svg', {
		viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
		class: 'pixels-svg', focusable: 'false',
	},
	svg('title', { id: titleId }, title),
	svg('desc', { id: descId }, description),
	months, dayNames, cells);
	return el('figure', { class: 'year-pixels' }, el('div', { class: 'pixels-scroll' }, drawing));
}
