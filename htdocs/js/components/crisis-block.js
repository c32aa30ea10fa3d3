import { el, uid } from './dom.js';
import { t } from '/js/shell/i18n.js';
import { crisisList } from './crisis-card.js';
import { hostCrisisLines, onHostCrisisLines, refreshHostCrisisLines, regionName } from '/js/api/host-crisis-lines.js';

// crisisBlock({headingLevel, linkToAll}) → the crisis box shown on home and
// wherever a view needs it: the host's crisis lines, its emergency number and
// Find A Helpline (js/api/host-crisis-lines.js), then the emergency number
// abroad. It shows the lines kept on this device at once and follows a newer
// answer from the server. /crisis.html lists every country's lines without
// JavaScript.
export function crisisBlock({ headingLevel = 2, linkToAll = true } = {}) {
	const headingId = uid('crisis-title');
	const list = el('div', {}, crisisList(hostCrisisLines().lines, { headingLevel }));
	const abroad = el('p', {});
	const show = ({ region, lines }) => {
		list.replaceChildren(crisisList(lines, { headingLevel }));
		abroad.textContent = t('crisisBlock.abroad', { country: regionName(region) });
	};
	show(hostCrisisLines());
	const stop = onHostCrisisLines((record) => {
		stop();                      // the server is asked once a page: at most one newer answer
		show(record);
	});
	refreshHostCrisisLines();
	return el('section', { class: 'crisis', 'aria-labelledby': headingId, 'data-crisis-block': true },
		el(`h${headingLevel}`, { id: headingId }, t('crisisBlock.title')),
		el('p', {}, t('crisisBlock.intro')),
		list,
		abroad,
		linkToAll ? el('p', {}, el('a', { href: '/crisis' }, t('crisisBlock.allResources'))) : null);
}
