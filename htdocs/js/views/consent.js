// /consent — the consent gate. GET /api/me/consents lists the documents the
// user's role still has to accept (terms and privacy for everyone, the helper
// agreement for helpers); each gets a link to read it and "I agree" (POST
// /api/me/consents {document, version}). When none is missing the view goes
// on to ?next= (a same-origin path) or /.
//
// needsConsent(api) is for the shell's router: true when a signed-in user
// still has documents to accept.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { states } from '/js/components/states.js';
import { formatDate, loadArea } from '/js/shell/i18n.js';
import { errorText, safeNextPath } from '/js/api/client.js';

const LINKS = {
	terms_of_service: '/legal/terms',
	privacy_policy: '/legal/privacy',
	helper_agreement: '/legal/helper-agreement',
};

/** True when the signed-in user has consents still to give (false on errors). */
export async function needsConsent(api) {
	const result = await api.get('/api/me/consents');
	return Boolean(result.ok && result.body && Array.isArray(result.body.missing) &&
		result.body.missing.length > 0);
}

function documentTitle(t, documentId) {
	return LINKS[documentId] ? t(`consent.documents.${documentId}.title`) : documentId;
}

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const next = safeNextPath((ctx.query || {}).next, '/');
		const heading = el('h1', { tabindex: '-1' }, t('consent.title'));
		const body = el('div');
		root.replaceChildren(heading, body);

		async function load() {
			states.loading(body, t('consent.loading'));
			const result = await ctx.api.get('/api/me/consents');
			if (!result.ok || !result.body) {
				states.error(body, errorText(t, result), load);
				return;
			}
			const missing = Array.isArray(result.body.missing) ? result.body.missing : [];
			if (missing.length === 0) {
				ctx.navigate(next, { replace: true });
				return;
			}
			show(missing, Array.isArray(result.body.items) ? result.body.items : []);
		}

		function show(missing, accepted) {
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const list = el('div', { class: 'cards' });
			let remaining = missing.length;
			for (const doc of missing) {
				const title = documentTitle(t, doc.document);
				const agree = button({ label: t('consent.agree') });
				agree.setAttribute('aria-label', t('consent.agreeTo', { title }));
				const error = el('p', { class: 'status', role: 'alert' });
				const cardNode = el('article', { class: 'card' },
					el('h2', {}, title),
					el('div', { class: 'card-body' },
						el('p', {}, t(`consent.documents.${doc.document}.summary`)),
						el('p', {}, t('consent.version', { version: doc.version })),
						LINKS[doc.document]
							? el('p', {}, el('a', { href: LINKS[doc.document] }, t('consent.read', { title })))
							: null),
					el('p', { class: 'actions' }, agree),
					error);
				agree.addEventListener('click', async () => {
					agree.disabled = true;
					error.textContent = '';
					error.className = 'status';
					const answer = await ctx.api.post('/api/me/consents', {
						document: doc.document,
						version: doc.version,
					});
					if (!answer.ok) {
						agree.disabled = false;
						error.className = 'status status-error';
						error.textContent = errorText(t, answer);
						return;
					}
					remaining -= 1;
					const done = el('p', { class: 'status status-success', tabindex: '-1' },
						t('consent.accepted', { title }));
					cardNode.replaceChildren(el('h2', {}, title), done);
					if (remaining === 0) {
						status.className = 'status status-success';
						status.textContent = t('consent.allDone');
						ctx.navigate(next, { replace: true });
						return;
					}
					// Focus the next document still waiting, so keyboard users carry on.
					const nextButton = list.querySelector('button:not([disabled])');
					(nextButton || done).focus();
				});
				list.append(cardNode);
			}
			const nodes = [el('p', { class: 'lead' }, t('consent.lead')), list, status];
			if (accepted.length) {
				nodes.push(el('h2', {}, t('consent.acceptedTitle')),
					el('ul', {}, accepted.map((item) => el('li', {}, t('consent.acceptedOn', {
						title: documentTitle(t, item.document),
						version: item.version,
						date: formatDate(item.accepted_at, { dateStyle: 'medium' }),
					})))));
			}
			body.replaceChildren(...nodes);
		}

		await load();
	},
};
