// /resources — crisis and self-help resources (GET /api/resources, public):
// a search box (title and description, ≤ 100 characters) and category and
// country filters, kept in the URL (?q=&category=&country=); the count of
// results is announced; each resource shows its contact (a tap-to-call link
// when it is a number), its website and the official source it comes from.

import { el, uid } from '/js/components/dom.js';
import { field } from '/js/components/field.js';
import { states } from '/js/components/states.js';
import { badge } from '/js/components/badge.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { getLanguage, loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { wellness, telHref, RESOURCE_CATEGORIES, RESOURCE_QUERY_MAX } from '/js/api/wellness.js';

const PHONE_LIKE = /^[0-9+() -]{2,32}$/;

function countryName(t, code) {
	if (code === 'INTL') {
		return t('resources.international');
	}
	try {
		return new Intl.DisplayNames([getLanguage()], { type: 'region' }).of(code) || code;
	} catch {
		return code;
	}
}

function host(href) {
	try {
		return new URL(href).host;
	} catch {
		return href;
	}
}

function safeHref(href) {
	return typeof href === 'string' && /^(https:\/\/|tel:|sms:)/i.test(href) ? href : null;
}

function resourceCard(t, resource) {
	const titleId = uid('resource');
	const href = safeHref(resource.href);
	const contact = resource.contact ? String(resource.contact) : '';
	const call = PHONE_LIKE.test(contact) ? telHref(contact) : null;
	const links = [];
	if (call) {
		links.push(el('a', { class: 'btn btn-secondary btn-small', href: call }, t('resources.call', { number: contact })));
	}
	if (href && /^https:/i.test(href)) {
		links.push(el('a', { class: 'btn btn-ghost btn-small', href, target: '_blank', rel: 'noopener noreferrer', 'data-no-route': true },
			t('resources.website'), el('span', { class: 'visually-hidden' }, ` ${t('resources.newTab')}`)));
	} else if (href) {
		const number = decodeURIComponent(href.replace(/^(tel|sms):/i, '').split('?')[0]);
		links.push(el('a', { class: 'btn btn-secondary btn-small', href }, t(/^sms:/i.test(href) ? 'resources.textTo' : 'resources.call', { number })));
	}
	const source = safeHref(resource.source);
	return el('article', { class: 'card resource-card', 'aria-labelledby': titleId, 'data-resource-id': resource.id, 'data-category': resource.category },
		el('h2', { id: titleId }, resource.title),
		el('p', { class: 'badges' },
			badge(t(`resources.categories.${resource.category}`), resource.category === 'crisis' ? 'danger' : 'info'),
			badge(countryName(t, resource.country), 'neutral')),
		resource.description ? el('p', {}, resource.description) : null,
		contact && !call ? el('p', {}, el('strong', {}, t('resources.contact')), ' ', contact) : null,
		links.length ? el('p', { class: 'actions' }, links) : null,
		source ? el('p', { class: 'note' }, t('resources.source'), ' ',
			el('a', { href: source, target: '_blank', rel: 'noopener noreferrer', 'data-no-route': true }, host(source))) : null);
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('account')]);
		const { t } = ctx;
		const search = field({ id: 'resources-q', type: 'search', label: t('resources.search'), value: ctx.query.q || '' });
		search.input.maxLength = RESOURCE_QUERY_MAX;
		const category = field({
			id: 'resources-category', type: 'select', label: t('resources.category'),
			options: [{ value: '', label: t('resources.allCategories') },
				...RESOURCE_CATEGORIES.map((value) => ({ value, label: t(`resources.categories.${value}`) }))],
			value: RESOURCE_CATEGORIES.includes(ctx.query.category) ? ctx.query.category : '',
		});
		const country = field({
			id: 'resources-country', type: 'select', label: t('resources.country'),
			options: [{ value: '', label: t('resources.allCountries') }],
		});
		const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
		const results = el('div', { class: 'resource-results' });
		const form = el('form', { class: 'feed-filters resource-filters', role: 'search', 'aria-label': t('resources.filters') },
			search.element, category.element, country.element,
			el('p', { class: 'actions' }, el('button', { type: 'submit', class: 'btn btn-secondary' }, t('resources.apply'))));
		let generation = 0;

		function filters() {
			return { q: search.input.value.trim(), category: category.input.value, country: country.input.value };
		}

		async function fillCountries(wanted) {
			const all = await wellness.resources({});
			const codes = all.ok && all.body && Array.isArray(all.body.items)
				? [...new Set(all.body.items.map((item) => item.country).filter(Boolean))]
				: [];
			if (wanted && !codes.includes(wanted)) {
				codes.push(wanted);
			}
			codes.sort((a, b) => (a === 'INTL' ? -1 : b === 'INTL' ? 1 : countryName(t, a).localeCompare(countryName(t, b))));
			country.input.replaceChildren(el('option', { value: '' }, t('resources.allCountries')),
				...codes.map((code) => el('option', { value: code }, countryName(t, code))));
			country.input.value = wanted || '';
		}

		async function load() {
			generation += 1;
			const mine = generation;
			const chosen = filters();
			const url = new URL(window.location.href);
			for (const [name, value] of Object.entries(chosen)) {
				if (value) {
					url.searchParams.set(name, value);
				} else {
					url.searchParams.delete(name);
				}
			}
			window.history.replaceState({}, '', url.pathname + url.search);
			states.loading(results);
			const result = await wellness.resources(chosen);
			if (mine !== generation) {
				return;
			}
			if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
				status.textContent = '';
				states.error(results, errorText(t, result), load);
				return;
			}
			const items = result.body.items;
			status.textContent = t('resources.count', { count: items.length });
			if (!items.length) {
				states.empty(results, t('resources.empty'));
				return;
			}
			results.replaceChildren(el('ul', { class: 'list card-list resource-list', 'aria-label': t('resources.listLabel') },
				items.map((item) => el('li', {}, resourceCard(t, item)))));
		}

		form.addEventListener('submit', (event) => {
			event.preventDefault();
			load();
		});
		category.input.addEventListener('change', load);
		country.input.addEventListener('change', load);

		root.append(
			el('h1', {}, t('resources.title')),
			el('p', { class: 'lead' }, t('resources.lead')),
			ctx.session ? wellnessNav('/resources') : null,
			el('p', { class: 'crisis resources-urgent' }, t('resources.urgent'), ' ', el('a', { href: '/crisis' }, t('resources.urgentLink'))),
			form, status, results);
		await fillCountries(/^([A-Z]{2}|INTL)$/.test(ctx.query.country || '') ? ctx.query.country : '');
		await load();
	},
};
