// /settings — tabs (?tab= keeps the one shown, so a reload or a link opens it):
//   appearance  theme and language: applied at once and saved in preferences;
//   content     the topics to hide (7 categories);
//   privacy     research consent, and the documents agreed to;
//   blocked     blocked people, with Unblock;
//   security    set a passphrase / change the password; two-step sign-in;
//   data        download my data (a .json file), my access log (keyset
//               "Load more"), delete my account (typed confirmation).

import { el } from '/js/components/dom.js';
import { button, linkButton } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { badge } from '/js/components/badge.js';
import { modal } from '/js/components/modal.js';
import { states } from '/js/components/states.js';
import { tabs } from '/js/components/tabs.js';
import { formatDate, getLanguage, loadArea, message, setLanguage, LANGUAGES } from '/js/shell/i18n.js';
import { getTheme, setTheme, THEMES } from '/js/shell/theme.js';
import { applyFieldErrors, errorText, signalSignedOut } from '/js/api/client.js';

const TABS = ['appearance', 'content', 'privacy', 'blocked', 'security', 'data'];
const CATEGORIES = ['Anxiety', 'Depression', 'Grief', 'Relationships', 'Stress', 'Loneliness', 'Other'];
const STAFF = new Set(['moderator', 'admin']);
const DELETE_CONFIRMATION = 'delete my account';
const LOG_PAGE = 20;
const encoder = new TextEncoder();

// After a language change the shell renders this view again; put focus back.
let focusAfterRender = null;

function statusNode() {
	return el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

function setStatus(node, text, kind = null) {
	node.className = kind ? `status status-${kind}` : 'status';
	node.textContent = text;
}

function section(id, title, ...children) {
	return el('section', { class: 'panel', 'aria-labelledby': id }, el('h2', { id }, title), ...children);
}

async function loadPreferences(ctx, panel, retry) {
	const result = await ctx.api.get('/api/me/preferences');
	if (!result.ok || !result.body) {
		states.error(panel, errorText(ctx.t, result), retry);
		return null;
	}
	return result.body;
}

async function savePreferences(ctx, change, status) {
	setStatus(status, ctx.t('settings.saving'));
	const result = await ctx.api.put('/api/me/preferences', change);
	if (result.ok) {
		setStatus(status, ctx.t('settings.saved'), 'success');
		return result.body;
	}
	setStatus(status, errorText(ctx.t, result), 'error');
	return null;
}

// Saves one at a time, the latest value winning: arrow keys on a select fire a change per step
// (System → Light → Dark), and two PUTs in flight may reach the server in either order. Changes
// made while a save runs are merged and sent after it; every caller gets the last save's answer.
function serialSaves(ctx, status) {
	let pending = null;
	let running = null;
	return (change) => {
		pending = { ...pending, ...change };
		if (!running) {
			running = (async () => {
				let saved = null;
				while (pending) {
					const next = pending;
					pending = null;
					saved = await savePreferences(ctx, next, status);
				}
				running = null;
				return saved;
			})();
		}
		return running;
	};
}

// ------------------------------------------------------------ appearance
function renderAppearance(ctx, panel) {
	const { t } = ctx;
	const theme = field({
		id: 'settings-theme', type: 'select', label: t('settings.theme.label'), hint: t('settings.theme.hint'),
		options: THEMES.map((value) => ({ value, label: t(`settings.theme.${value}`) })), value: getTheme(),
	});
	const language = field({
		id: 'settings-language', type: 'select', label: t('settings.language.label'),
		options: LANGUAGES.map((value) => ({ value, label: t(`settings.language.${value}`) })), value: getLanguage(),
	});
	for (const option of language.input.options) {
		option.lang = option.value;
	}
	const status = statusNode();
	const save = serialSaves(ctx, status);
	theme.input.addEventListener('change', async () => {
		setTheme(theme.input.value);
		await save({ theme: theme.input.value });
	});
	language.input.addEventListener('change', async () => {
		const lang = language.input.value;
		const saved = await save({ language: lang });
		if (saved && saved.language === lang && language.input.value === lang) {
			focusAfterRender = 'settings-language';
			await setLanguage(lang);
		}
	});
	panel.replaceChildren(section('settings-appearance-title', t('settings.tabs.appearance'),
		theme.element, language.element, status));
}

// ------------------------------------------------------------ content
async function renderContent(ctx, panel) {
	const { t } = ctx;
	states.loading(panel);
	const prefs = await loadPreferences(ctx, panel, () => renderContent(ctx, panel));
	if (!prefs) {
		return;
	}
	const chosen = new Set(prefs.content_filters || []);
	const boxes = CATEGORIES.map((category) => field({
		id: `settings-filter-${category.toLowerCase()}`, name: 'content_filters', type: 'checkbox',
		value: category, checked: chosen.has(category), label: t(`settings.content.categories.${category}`),
	}));
	const status = statusNode();
	const save = button({ label: t('settings.content.save'), type: 'submit' });
	const form = el('form', { novalidate: true },
		el('fieldset', {},
			el('legend', {}, t('settings.content.title')),
			boxes.map((box) => box.element)),
		el('p', { class: 'actions' }, save),
		status);
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		save.disabled = true;
		const selected = boxes.filter((box) => box.input.checked).map((box) => box.input.value);
		await savePreferences(ctx, { content_filters: selected }, status);
		save.disabled = false;
	});
	panel.replaceChildren(section('settings-content-title', t('settings.tabs.content'),
		el('p', {}, t('settings.content.lead')), form));
}

// ------------------------------------------------------------ privacy
async function renderPrivacy(ctx, panel) {
	const { t } = ctx;
	states.loading(panel);
	const [prefs, consents] = await Promise.all([
		loadPreferences(ctx, panel, () => renderPrivacy(ctx, panel)),
		ctx.api.get('/api/me/consents'),
	]);
	if (!prefs) {
		return;
	}
	const research = field({
		id: 'settings-research', type: 'checkbox', label: t('settings.privacy.research'),
		checked: Boolean(prefs.research_consent),
	});
	const status = statusNode();
	research.input.addEventListener('change', async () => {
		const on = research.input.checked;
		const saved = await savePreferences(ctx, { research_consent: on }, status);
		if (saved) {
			setStatus(status, t(on ? 'settings.privacy.on' : 'settings.privacy.off'), 'success');
		} else {
			research.input.checked = !on;
		}
	});
	const items = consents.ok && consents.body && Array.isArray(consents.body.items) ? consents.body.items : [];
	const accepted = items.length
		? el('ul', {}, items.map((item) => el('li', {}, t('consent.acceptedOn', {
			title: message(`consent.documents.${item.document}.title`) ? t(`consent.documents.${item.document}.title`) : item.document,
			version: item.version,
			date: formatDate(item.accepted_at, { dateStyle: 'medium' }),
		}))))
		: el('p', {}, t('settings.privacy.noDocuments'));
	panel.replaceChildren(
		section('settings-research-title', t('settings.privacy.title'),
			el('p', {}, t('settings.privacy.lead')), research.element, status),
		section('settings-documents-title', t('settings.privacy.documents'), accepted,
			el('p', {}, el('a', { href: '/legal/privacy' }, t('settings.privacy.privacyLink')))),
		section('settings-moderation-title', t('settings.privacy.moderationTitle'),
			el('p', {}, t('settings.privacy.moderationLead')),
			el('p', {}, el('a', { href: '/moderation/history', 'data-action': 'moderation-history' }, t('settings.privacy.moderationLink')))));
}

// ------------------------------------------------------------ blocked
async function renderBlocked(ctx, panel) {
	const { t } = ctx;
	states.loading(panel);
	const status = statusNode();
	const listNode = el('ul', { class: 'list', 'aria-labelledby': 'settings-blocked-title' });
	const emptyNode = el('p', { class: 'state state-empty', hidden: true }, t('settings.blocked.empty'));
	const more = button({ label: t('settings.blocked.loadMore'), kind: 'secondary' });
	more.hidden = true;
	let after = null;

	function item(block) {
		const name = block.display_name || '';
		const unblock = button({ label: t('settings.blocked.unblock'), kind: 'secondary', small: true });
		unblock.setAttribute('aria-label', t('settings.blocked.unblockName', { name }));
		const li = el('li', { class: 'list-row' },
			el('span', {}, el('strong', {}, name), ' ',
				el('span', { class: 'hint' }, t('settings.blocked.since', { date: formatDate(block.created_at, { dateStyle: 'medium' }) }))),
			unblock);
		unblock.addEventListener('click', async () => {
			unblock.disabled = true;
			const result = await ctx.api.del(`/api/me/blocks/${encodeURIComponent(block.user_id)}`);
			if (result.ok || result.status === 404) {
				const following = li.nextElementSibling || li.previousElementSibling;
				li.remove();
				setStatus(status, t('settings.blocked.unblocked', { name }), 'success');
				const target = following ? following.querySelector('button') : null;
				(target || panel.querySelector('h2')).focus();
				if (!listNode.children.length && more.hidden) {
					emptyNode.hidden = false;
				}
				return;
			}
			unblock.disabled = false;
			setStatus(status, errorText(t, result), 'error');
		});
		return li;
	}

	async function page() {
		more.disabled = true;
		const path = `/api/me/blocks${after ? `?after=${encodeURIComponent(after)}` : ''}`;
		const result = await ctx.api.get(path);
		more.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			return false;
		}
		const items = Array.isArray(result.body.items) ? result.body.items : [];
		listNode.append(...items.map(item));
		after = result.body.next || null;
		more.hidden = !after;
		emptyNode.hidden = listNode.children.length > 0;
		return true;
	}

	more.addEventListener('click', page);
	const heading = el('h2', { id: 'settings-blocked-title', tabindex: '-1' }, t('settings.blocked.title'));
	const ok = await page();
	if (!ok && !listNode.children.length) {
		states.error(panel, status.textContent, () => renderBlocked(ctx, panel));
		return;
	}
	panel.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': 'settings-blocked-title' },
		heading, el('p', {}, t('settings.blocked.lead')), listNode, emptyNode,
		el('p', { class: 'actions' }, more), status));
}

// ------------------------------------------------------------ security
function passwordSection(ctx, user, rerender) {
	const { t } = ctx;
	const hasPassword = Boolean(user.has_password);
	const current = hasPassword ? field({
		id: 'settings-current-password', type: 'password', label: t('settings.security.current'),
		autocomplete: 'current-password', required: true,
	}) : null;
	const fresh = field({
		id: 'settings-new-password', type: 'password',
		label: t(hasPassword ? 'settings.security.new' : 'settings.security.newPassphrase'),
		hint: t('settings.security.newHint'), autocomplete: 'new-password', required: true,
	});
	const repeat = field({
		id: 'settings-repeat-password', type: 'password', label: t('settings.security.repeat'),
		autocomplete: 'new-password', required: true,
	});
	fresh.input.maxLength = 256;
	repeat.input.maxLength = 256;
	const status = statusNode();
	const submit = button({ label: t(hasPassword ? 'settings.security.change' : 'settings.security.set'), type: 'submit' });
	const fields = { current_password: current, new_password: fresh, repeat };
	if (!current) {
		delete fields.current_password;
	}
	const form = el('form', { novalidate: true },
		current ? current.element : null, fresh.element, repeat.element,
		el('p', { class: 'actions' }, submit), status);
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		const errors = {};
		if (current && !current.input.value) {
			errors.current_password = t('settings.security.enterCurrent');
		}
		const bytes = encoder.encode(fresh.input.value).length;
		if (bytes < 8 || bytes > 256) {
			errors.new_password = t('settings.security.tooShort');
		}
		if (repeat.input.value !== fresh.input.value) {
			errors.repeat = t('settings.security.mismatch');
		}
		applyFieldErrors(fields, errors);
		if (Object.keys(errors).length) {
			setStatus(status, t('apiErrors.invalid_field'), 'error');
			return;
		}
		const body = { new_password: fresh.input.value };
		if (current) {
			body.current_password = current.input.value;
		}
		submit.disabled = true;
		setStatus(status, t('settings.saving'));
		const result = await ctx.api.post('/api/auth/password', body);
		submit.disabled = false;
		if (result.ok) {
			ctx.toast(t(hasPassword ? 'settings.security.changed' : 'settings.security.passphraseSet'), 'success');
			await ctx.refreshSession();
			rerender();
			return;
		}
		applyFieldErrors(fields, result, (name) => ({
			current_password: t('settings.security.wrongCurrent'),
			new_password: t('register.errorPassword'),
		}[name] || name));
		setStatus(status, errorText(t, result), 'error');
	});
	const lead = hasPassword
		? t('settings.security.passwordLead')
		: t('settings.security.passphraseLead', { username: user.username });
	return section('settings-password-title',
		t(hasPassword ? 'settings.security.passwordTitle' : 'settings.security.passphraseTitle'),
		el('p', {}, lead), form);
}

function mfaSection(ctx, user, rerender) {
	const { t } = ctx;
	const nodes = [];
	if (!user.mfa_enabled) {
		nodes.push(el('p', {}, badge(t('account.mfaOff'), 'neutral'), ' ', t('settings.security.mfaOffText')),
			el('p', { class: 'actions' }, linkButton({ label: t('settings.security.mfaEnrol'), href: '/mfa?next=%2Fsettings%3Ftab%3Dsecurity' })));
	} else if (STAFF.has(user.role)) {
		nodes.push(el('p', {}, badge(t('account.mfaOn'), 'success'), ' ', t('settings.security.mfaOnText')),
			el('p', {}, t('settings.security.mfaStaff')));
	} else {
		const code = field({
			id: 'settings-mfa-code', name: 'code', label: t('settings.security.mfaCode'),
			hint: t('settings.security.mfaRemoveHint'), autocomplete: 'one-time-code', inputmode: 'numeric',
		});
		code.input.maxLength = 6;
		const status = statusNode();
		const submit = button({ label: t('settings.security.mfaRemove'), kind: 'danger', type: 'submit' });
		const form = el('form', { novalidate: true, 'aria-labelledby': 'settings-mfa-remove' },
			el('h3', { id: 'settings-mfa-remove' }, t('settings.security.mfaRemoveTitle')),
			code.element, el('p', { class: 'actions' }, submit), status);
		form.addEventListener('submit', async (event) => {
			event.preventDefault();
			const value = code.input.value.replace(/\s+/g, '');
			if (!/^[0-9]{6}$/.test(value)) {
				applyFieldErrors({ code }, { code: t('mfa.enterCode') });
				return;
			}
			applyFieldErrors({ code }, {});
			submit.disabled = true;
			const result = await ctx.api.del('/api/auth/mfa', { code: value });
			submit.disabled = false;
			if (result.ok) {
				ctx.toast(t('settings.security.mfaRemoved'), 'success');
				await ctx.refreshSession();
				rerender();
				return;
			}
			if (result.status === 403 && result.fieldErrors.code) {
				code.input.value = '';
				applyFieldErrors({ code }, { code: t('settings.security.mfaWrongCode') });
				return;
			}
			setStatus(status, errorText(t, result), 'error');
		});
		nodes.push(el('p', {}, badge(t('account.mfaOn'), 'success'), ' ', t('settings.security.mfaOnText')), form);
	}
	return section('settings-mfa-title', t('settings.security.mfaTitle'), ...nodes);
}

async function renderSecurity(ctx, panel) {
	states.loading(panel);
	const result = await ctx.api.get('/api/auth/session');
	if (!result.ok || !result.body || !result.body.user) {
		states.error(panel, errorText(ctx.t, result), () => renderSecurity(ctx, panel));
		return;
	}
	const user = result.body.user;
	const rerender = () => renderSecurity(ctx, panel).then(() => {
		const heading = panel.querySelector('h2');
		if (heading) {
			heading.setAttribute('tabindex', '-1');
			heading.focus();
		}
	});
	panel.replaceChildren(passwordSection(ctx, user, rerender), mfaSection(ctx, user, rerender));
}

// ------------------------------------------------------------ your data
function exportSection(ctx) {
	const { t } = ctx;
	const status = statusNode();
	const download = button({ label: t('settings.data.export'), kind: 'secondary' });
	download.addEventListener('click', async () => {
		download.disabled = true;
		setStatus(status, t('settings.data.exporting'));
		const result = await ctx.api.get('/api/me/export');
		download.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			return;
		}
		const day = new Date().toISOString().slice(0, 10);
		const file = `astral-core-data-${day}.json`;
		const blob = new Blob([`${JSON.stringify(result.body, null, 2)}\n`], { type: 'application/json' });
		const url = URL.createObjectURL(blob);
		const link = el('a', { href: url, download: file, 'data-no-route': true, hidden: true });
		document.body.append(link);
		link.click();
		link.remove();
		setTimeout(() => URL.revokeObjectURL(url), 60000);
		setStatus(status, t('settings.data.exported', { file }), 'success');
	});
	return section('settings-export-title', t('settings.data.exportTitle'),
		el('p', {}, t('settings.data.exportLead')), el('p', { class: 'actions' }, download), status);
}

function logLabel(t, prefix, value) {
	return value && message(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : String(value || '');
}

function accessLogSection(ctx) {
	const { t } = ctx;
	const listNode = el('ul', { class: 'list access-log', 'aria-labelledby': 'settings-log-title' });
	const emptyNode = el('p', { class: 'state state-empty', hidden: true }, t('settings.data.logEmpty'));
	const status = statusNode();
	const more = button({ label: t('settings.data.loadMore'), kind: 'secondary' });
	more.hidden = true;
	let before = null;
	let loaded = false;

	async function page() {
		more.disabled = true;
		setStatus(status, loaded ? '' : t('common.loading'));
		const query = new URLSearchParams({ limit: String(LOG_PAGE) });
		if (before !== null) {
			query.set('before', String(before));
		}
		const result = await ctx.api.get(`/api/me/access-log?${query}`);
		more.disabled = false;
		if (!result.ok || !result.body) {
			setStatus(status, errorText(t, result), 'error');
			return;
		}
		setStatus(status, '');
		const items = Array.isArray(result.body.items) ? result.body.items : [];
		const firstNew = items.length ? listNode.children.length : -1;
		for (const entry of items) {
			listNode.append(el('li', {},
				el('time', { datetime: entry.occurred_at }, formatDate(entry.occurred_at)), ' — ',
				t('settings.data.logEntry', {
					action: logLabel(t, 'settings.data.actions', entry.action),
					actor: logLabel(t, 'settings.data.actors', entry.actor),
					outcome: logLabel(t, 'settings.data.outcomes', entry.outcome),
				})));
		}
		before = result.body.next === null || result.body.next === undefined ? null : result.body.next;
		more.hidden = before === null;
		emptyNode.hidden = listNode.children.length > 0;
		if (loaded && firstNew >= 0) {
			// Keyboard users continue at the first new entry.
			const node = listNode.children[firstNew];
			node.setAttribute('tabindex', '-1');
			node.focus();
		}
		loaded = true;
	}
	more.addEventListener('click', page);
	page();
	return section('settings-log-title', t('settings.data.logTitle'),
		el('p', {}, t('settings.data.logLead')), listNode, emptyNode, el('p', { class: 'actions' }, more), status);
}

function openDeleteDialog(ctx) {
	const { t } = ctx;
	const phrase = t('settings.data.deletePhrase');
	const typed = field({
		id: 'settings-delete-phrase', label: t('settings.data.deleteType', { phrase }), autocomplete: 'off',
	});
	typed.input.setAttribute('spellcheck', 'false');
	typed.input.setAttribute('autocapitalize', 'none');
	const status = statusNode();
	const cancel = button({ label: t('settings.data.cancel'), kind: 'secondary' });
	const confirmButton = button({ label: t('settings.data.deleteConfirm'), kind: 'danger', type: 'submit' });
	const matches = () => typed.input.value.trim().toLowerCase() === phrase.toLowerCase();
	const form = el('form', { novalidate: true },
		el('p', {}, t('settings.data.deleteDialogBody')),
		typed.element,
		el('p', { class: 'actions' }, cancel, confirmButton),
		status);
	const handle = modal({ title: t('settings.data.deleteDialogTitle'), content: form, initialFocus: typed.input });
	cancel.addEventListener('click', () => handle.close('cancel'));
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		if (!matches()) {
			typed.setError(t('settings.data.deleteMismatch'));
			typed.input.focus();
			return;
		}
		typed.setError(null);
		confirmButton.disabled = true;
		cancel.disabled = true;
		setStatus(status, t('settings.data.deleting'));
		const result = await ctx.api.del('/api/me', { confirm: DELETE_CONFIRMATION });
		if (result.ok) {
			handle.close('deleted');
			signalSignedOut('deleted', { force: true });
			return;
		}
		confirmButton.disabled = false;
		cancel.disabled = false;
		setStatus(status, errorText(t, result), 'error');
	});
}

function deleteSection(ctx) {
	const { t } = ctx;
	const open = button({ label: t('settings.data.delete'), kind: 'danger', onClick: () => openDeleteDialog(ctx) });
	return section('settings-delete-title', t('settings.data.deleteTitle'),
		el('p', {}, t('settings.data.deleteLead')), el('p', { class: 'actions' }, open));
}

function renderData(ctx, panel) {
	panel.replaceChildren(exportSection(ctx), accessLogSection(ctx), deleteSection(ctx));
}

// ------------------------------------------------------------ the view
const RENDERERS = {
	appearance: renderAppearance,
	content: renderContent,
	privacy: renderPrivacy,
	blocked: renderBlocked,
	security: renderSecurity,
	data: renderData,
};

export default {
	async render(root, ctx) {
		await loadArea('account');
		const { t } = ctx;
		const requested = (ctx.query || {}).tab;
		const selected = TABS.includes(requested) ? requested : 'appearance';
		const heading = el('h1', { tabindex: '-1' }, t('settings.title'));
		const view = tabs(TABS.map((id) => ({
			id,
			label: t(`settings.tabs.${id}`),
			render: (panel) => RENDERERS[id](ctx, panel),
		})), {
			selected,
			label: t('settings.tabsLabel'),
			onChange: (id) => {
				const url = new URL(window.location.href);
				url.searchParams.set('tab', id);
				window.history.replaceState(window.history.state, '', url.pathname + url.search);
			},
		});
		root.replaceChildren(heading, view);
		if (focusAfterRender) {
			const target = document.getElementById(focusAfterRender);
			focusAfterRender = null;
			if (target) {
				setTimeout(() => target.focus(), 0);
			}
		}
	},
};
