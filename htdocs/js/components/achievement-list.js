import { el } from './dom.js';
import { meter } from './meter.js';
import { badge } from './badge.js';
import { t, message, formatDate } from '/js/shell/i18n.js';

// achievementList(achievements, {headingLevel}) → <ul class="achievement-list">
// Every achievement, earned or not: its name and what it asks, "Earned on …"
// or its progress as a meter (current of target). achievements: the
// dashboard's [{ id, name, awarded_at, progress: { current, target } }].
// Strings: `achievements` (peer area) and `program.achievements` (helpers area).

function known(key) {
	return typeof message(key) === 'string';
}

export function achievementList(achievements, { headingLevel = 3 } = {}) {
	return el('ul', { class: 'achievement-list' }, achievements.map((item) => {
		const name = known(`achievements.${item.id}.name`) ? t(`achievements.${item.id}.name`) : String(item.name || item.id);
		const text = known(`achievements.${item.id}.text`) ? t(`achievements.${item.id}.text`) : '';
		const progress = item.progress || {};
		const target = Math.max(1, Number(progress.target) || 1);
		const current = Math.min(target, Math.max(0, Number(progress.current) || 0));
		const earned = Boolean(item.awarded_at);
		return el('li', { class: `achievement${earned ? ' is-earned' : ''}`, 'data-achievement': item.id },
			el(`h${headingLevel}`, { class: 'achievement-name' },
				el('span', { class: 'achievement-mark', 'aria-hidden': 'true' }, earned ? '★ ' : '☆ '), name),
			text ? el('p', { class: 'note' }, text) : null,
			earned
				? el('p', {}, badge(t('program.achievements.earned', { date: formatDate(item.awarded_at, { dateStyle: 'medium' }) }), 'success'))
				: meter({
					value: current,
					max: target,
					label: t('program.achievements.progress'),
					valueText: t('program.achievements.of', { current, target }),
				}));
	}));
}
