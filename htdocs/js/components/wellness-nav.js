import { el } from './dom.js';
import { t } from '/js/shell/i18n.js';

// wellnessNav(currentPath) → <nav class="wellness-nav"> linking the wellness
// views to one another (the current one marked aria-current="page") and to
// the Quiet Space. Its strings are in the `wellness` catalogue.

const LINKS = [
	['/wellness', 'wellnessNav.hub'],
	['/wellness/insights', 'wellnessNav.insights'],
	['/wellness/assessments', 'wellnessNav.assessments'],
	['/wellness/safety-plan', 'wellnessNav.safetyPlan'],
	['/resources', 'wellnessNav.resources'],
	['/wellness/videos', 'wellnessNav.videos'],
	['/wellness/summary', 'wellnessNav.summary'],
	['/quiet-space', 'wellnessNav.quietSpace'],
];

export function wellnessNav(currentPath) {
	return el('nav', { class: 'wellness-nav no-print', 'aria-label': t('wellnessNav.label') },
		el('ul', {}, LINKS.map(([href, key]) => el('li', {},
			el('a', { href, 'aria-current': href === currentPath ? 'page' : null }, t(key))))));
}
