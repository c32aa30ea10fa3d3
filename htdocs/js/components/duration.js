import { t } from '/js/shell/i18n.js';

// durationText(seconds) → "3 hours and 12 minutes", "12 minutes", "40 seconds": a wait in
// words, to the minute (rounded up), or in seconds under a minute. Strings: `common.time`.
// The AI's daily quota and the write budgets word their waits with it.

export function durationText(seconds) {
	const total = Math.max(0, Math.round(Number(seconds) || 0));
	if (total < 60) {
		return t('common.time.seconds', { count: Math.max(1, total) });
	}
	const minutesAll = Math.ceil(total / 60);
	const hours = Math.floor(minutesAll / 60);
	const minutes = minutesAll % 60;
	if (!hours) {
		return t('common.time.minutes', { count: minutes });
	}
	if (!minutes) {
		return t('common.time.hours', { count: hours });
	}
	return t('common.time.and', { a: t('common.time.hours', { count: hours }), b: t('common.time.minutes', { count: minutes }) });
}
