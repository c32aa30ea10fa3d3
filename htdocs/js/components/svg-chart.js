import { el, uid } from './dom.js';
import { svg } from './svg.js';

// svgChart({title, description, yMin, yMax, yTicks, xCount, xLabels, bars, lines, className})
// → <figure class="chart"> holding an inline SVG drawn from data.
//   xCount        number of slots along the x axis (one per day or per result)
//   xLabels       [{ index, text }] labels under chosen slots
//   yTicks        [numbers] horizontal grid lines with their labels
//   bars          [{ index, value, className, label, data: {name: value} }]
//   lines         [{ className, points: [{ index, value, label }] }] (null values break the line)
// Every bar and point carries a <title> (its label) and data-* attributes;
// the SVG is role="img" named by title and described by description. The
// caller adds the text alternative (a table) next to it. Colours and dash
// patterns come from the classes (wellness.css).

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { top: 12, right: 12, bottom: 34, left: 34 };

export function svgChart({
	title, description = '', yMin = 0, yMax = 5, yTicks = [], xCount = 1, xLabels = [],
	bars = [], lines = [], className = '',
} = {}) {
	const titleId = uid('chart-title');
	const descId = uid('chart-desc');
	const plotW = WIDTH - PAD.left - PAD.right;
	const plotH = HEIGHT - PAD.top - PAD.bottom;
	const slot = plotW / Math.max(1, xCount);
	const x = (index) => PAD.left + slot * index + slot / 2;
	const y = (value) => PAD.top + plotH - ((value - yMin) / (yMax - yMin || 1)) * plotH;

	const grid = yTicks.map((tick) => svg('g', { class: 'chart-tick' },
		svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick), class: 'chart-grid' }),
		svg('text', { x: PAD.left - 8, y: y(tick), 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'chart-label' }, String(tick))));
	const labels = xLabels.map((label) => svg('text', {
		x: x(label.index), y: HEIGHT - PAD.bottom + 20, 'text-anchor': 'middle', class: 'chart-label',
	}, label.text));
	const barWidth = Math.max(2, Math.min(28, slot * 0.7));
	const barNodes = bars.filter((bar) => bar.value !== null && bar.value !== undefined).map((bar) => {
		const top = y(bar.value);
		const data = Object.fromEntries(Object.entries(bar.data || {}).map(([name, value]) => [`data-${name}`, value]));
		return svg('rect', {
			x: x(bar.index) - barWidth / 2, y: top, width: barWidth, height: Math.max(1, y(yMin) - top),
			rx: Math.min(3, barWidth / 4), class: `chart-bar ${bar.className || ''}`.trim(), ...data,
		}, svg('title', {}, bar.label || String(bar.value)));
	});
	const lineNodes = lines.map((line) => {
		let d = '';
		let pen = false;
		const marks = [];
		for (const point of line.points) {
			if (point.value === null || point.value === undefined) {
				pen = false;
				continue;
			}
			d += `${pen ? 'L' : 'M'}${x(point.index).toFixed(1)} ${y(point.value).toFixed(1)} `;
			pen = true;
			const data = Object.fromEntries(Object.entries(point.data || {}).map(([name, value]) => [`data-${name}`, value]));
			marks.push(svg('circle', { cx: x(point.index), cy: y(point.value), r: 3.5, class: 'chart-point', ...data },
				svg('title', {}, point.label || String(point.value))));
		}
		return svg('g', { class: `chart-series ${line.className || ''}`.trim() },
			d ? svg('path', { d: d.trim(), class: 'chart-line', fill: 'none' }) : null, marks);
	});
	const axis = svg('line', {
		x1: PAD.left, x2: WIDTH - PAD.right, y1: y(yMin), y2: y(yMin), class: 'chart-axis',
	});
	const drawing = svg('svg', {
		viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
		class: 'chart-svg', preserveAspectRatio: 'xMidYMid meet', focusable: 'false',
	},
	svg('title', { id: titleId }, title),
	svg('desc', { id: descId }, description),
	grid, axis, labels, barNodes, lineNodes);
	return el('figure', { class: `chart ${className}`.trim() }, drawing);
}
