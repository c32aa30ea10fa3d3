import { el } from './dom.js';
import { t } from '/js/shell/i18n.js';

// severityBadge(severity) → a badge for a crisis alert's severity: high, medium
// or low, in words (never by colour alone) with a mark before them.
// alertStatusBadge(status) → open, acknowledged or resolved.
// Strings: `moderation.severity` and `moderation.alertStatus` (the `staff` area).

const SEVERITY_KIND = { high: 'danger', medium: 'warning', low: 'neutral' };
const SEVERITY_MARK = { high: '▲▲▲', medium: '▲▲', low: '▲' };
const STATUS_KIND = { open: 'danger', acknowledged: 'info', resolved: 'success' };

export function severityBadge(severity) {
	const kind = SEVERITY_KIND[severity] || 'neutral';
	return el('span', { class: `badge badge-${kind} severity severity-${kind}`, 'data-severity': severity },
		el('span', { 'aria-hidden': 'true', class: 'severity-mark' }, SEVERITY_MARK[severity] || '▲'), ' ',
		t(`moderation.severity.${severity}`));
}

export function alertStatusBadge(status) {
	return el('span', { class: `badge badge-${STATUS_KIND[status] || 'neutral'}`, 'data-status': status },
		t(`moderation.alertStatus.${status}`));
}
