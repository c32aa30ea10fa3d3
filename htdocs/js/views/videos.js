// /wellness/videos?tab=feed|mine|share — wellness videos. Feed: approved
// videos newest first (<video controls preload="metadata">, a like toggle,
// "Load more"). My uploads: every status, pending ones marked "waiting for a
// moderator". Share: an MP4 or WebM file (≤ 50 MB, checked here and by the
// server from the bytes) and a description (≤ 500), sent with a progress bar
// that can be cancelled; 413 and 415 answers are explained in words. A chosen
// file that passes those checks is previewed, muted and never playing by itself,
// from an object URL that lives only as long as the choice (revoked when the file
// changes, the form is reset, the tab or the view is left); a file the browser
// cannot play gets a note instead, and can still be sent: the server judges.

import { el, uid } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { field } from '/js/components/field.js';
import { tabs } from '/js/components/tabs.js';
import { badge } from '/js/components/badge.js';
import { charCounter, countChars } from '/js/components/char-counter.js';
import { pagedList } from '/js/components/paged-list.js';
import { wellnessNav } from '/js/components/wellness-nav.js';
import { formatDate, getLanguage, loadArea } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { writeErrorText } from '/js/components/write-limit.js';
import { wellness, VIDEO_TYPES, VIDEO_MAX_BYTES, VIDEO_DESCRIPTION_MAX } from '/js/api/wellness.js';

const TABS = ['feed', 'mine', 'share'];
const PAGE = 10;
const STATUS_BADGE = { pending: 'warning', approved: 'success', rejected: 'danger' };

// The upload in progress (its AbortController), cancelled when the view is left.
let controller = null;
// The preview of the chosen file, { url, player }: its object URL is revoked when it ends.
let preview = null;

/** End the preview: revoke its object URL and let its player drop what it loaded. */
function endPreview() {
	if (!preview) {
		return;
	}
	URL.revokeObjectURL(preview.url);
	preview.player.removeAttribute('src');
	preview.player.load();
	preview = null;
}

function replaceQuery(tab) {
	const url = new URL(window.location.href);
	if (tab === 'feed') {
		url.searchParams.delete('tab');
	} else {
		url.searchParams.set('tab', tab);
	}
	window.history.replaceState({}, '', url.pathname + url.search);
}

function videoSource(video) {
	return typeof video.url === 'string' && video.url.startsWith('/media/videos/')
		? video.url
		: `/media/videos/${encodeURIComponent(video.id)}`;
}

function likeButton(t, video) {
	let on = Boolean(video.liked_by_me);
	let count = Number(video.like_count) || 0;
	const node = el('button', { type: 'button', class: 'btn btn-ghost btn-small like-toggle', 'data-action': 'like' });
	const draw = () => {
		node.setAttribute('aria-pressed', String(on));
		node.textContent = t('videos.like', { count });
	};
	draw();
	node.addEventListener('click', async () => {
		node.disabled = true;
		const result = await wellness.like(video.id, !on);
		node.disabled = false;
		if (result.ok && result.body) {
			on = Boolean(result.body.liked_by_me);
			count = Number(result.body.like_count) || 0;
			draw();
		}
	});
	return node;
}

function videoCard(t, video, { showStatus = false } = {}) {
	const descId = uid('video-desc');
	const description = video.description ? String(video.description) : '';
	return el('article', { class: 'card video-card', 'aria-describedby': descId, 'data-video-id': video.id, 'data-status': video.status },
		el('video', {
			controls: true, preload: 'metadata', src: videoSource(video), class: 'video-player',
			'aria-label': description ? t('videos.playerLabel', { description: description.slice(0, 80) }) : t('videos.playerUntitled'),
		}),
		el('p', { id: descId, class: 'video-description' }, description || t('videos.noDescription')),
		el('p', { class: 'badges video-meta' },
			el('time', { datetime: video.created_at, class: 'note' }, formatDate(video.created_at)),
			showStatus ? badge(t(`videos.status.${video.status}`), STATUS_BADGE[video.status] || 'neutral') : null,
			video.status === 'approved' ? likeButton(t, video) : null),
		showStatus && video.status === 'pending' ? el('p', { class: 'note' }, t('videos.pendingNote')) : null);
}

/** A size in MB with one decimal, written the page's language's way ("60.5", "60,5"). */
function megabytes(bytes) {
	return new Intl.NumberFormat(getLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 })
		.format(bytes / (1024 * 1024));
}

export default {
	async render(root, ctx) {
		await Promise.all([loadArea('wellness'), loadArea('peer'), loadArea('account')]);
		const { t } = ctx;

		function feedPanel(panel) {
			const list = pagedList({
				fetchPage: (cursor) => wellness.videos({ limit: PAGE, cursor }),
				renderItem: (video) => videoCard(t, video),
				emptyText: t('videos.emptyFeed'),
				moreLabel: t('videos.loadMore'),
				errorText: (result) => errorText(t, result),
				label: t('videos.tabs.feed'),
				className: 'card-list video-list',
			});
			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('videos.tabs.feed')), list.element);
			list.reload();
		}

		function minePanel(panel) {
			const list = pagedList({
				fetchPage: (cursor) => wellness.videos({ limit: PAGE, cursor, mine: true }),
				renderItem: (video) => videoCard(t, video, { showStatus: true }),
				emptyText: t('videos.emptyMine'),
				moreLabel: t('videos.loadMore'),
				errorText: (result) => errorText(t, result),
				label: t('videos.tabs.mine'),
				className: 'card-list video-list',
			});
			panel.replaceChildren(el('h2', { class: 'visually-hidden' }, t('videos.tabs.mine')), list.element);
			list.reload();
		}

		function sharePanel(panel) {
			endPreview();
			const file = field({ id: 'video-file', type: 'file', label: t('videos.file'), hint: t('videos.fileHint', { max: 50 }), required: true });
			file.input.setAttribute('accept', VIDEO_TYPES.join(','));
			const description = field({ id: 'video-description', type: 'textarea', label: t('videos.description'), hint: t('videos.descriptionHint') });
			description.input.maxLength = VIDEO_DESCRIPTION_MAX;
			description.input.rows = 3;
			const counter = charCounter(description.input, { max: VIDEO_DESCRIPTION_MAX, warnAt: VIDEO_DESCRIPTION_MAX - 50 });
			const previewBox = el('div', { class: 'upload-preview', hidden: true });
			const progress = el('progress', { max: 100, value: 0, class: 'upload-progress', hidden: true, 'aria-labelledby': 'video-progress-label' });
			const progressLabel = el('p', { id: 'video-progress-label', class: 'note', hidden: true }, t('videos.progressLabel'));
			const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
			const outcome = el('div', { class: 'upload-outcome' });
			const submit = button({ label: t('videos.upload'), type: 'submit' });
			const cancel = button({ label: t('videos.cancelUpload'), kind: 'ghost', onClick: () => controller && controller.abort() });
			cancel.hidden = true;
			const form = el('form', { novalidate: true, class: 'upload-form', 'aria-labelledby': 'video-share-title' },
				file.element, previewBox, description.element, counter.element,
				progressLabel, progress,
				el('p', { class: 'actions' }, submit, cancel), status);

			/** Why the page refuses this file before sending it, or null. */
			function fileProblem(chosen) {
				if (chosen.size > VIDEO_MAX_BYTES) {
					return t('videos.errors.tooLarge', { size: megabytes(chosen.size), max: 50 });
				}
				if (chosen.type && !VIDEO_TYPES.includes(chosen.type)) {
					return t('videos.errors.type');
				}
				return null;
			}

			function clearPreview() {
				endPreview();
				previewBox.replaceChildren();
				previewBox.hidden = true;
			}

			function showPreview(chosen) {
				clearPreview();
				if (!chosen || fileProblem(chosen)) {
					return;
				}
				const captionId = uid('video-preview');
				const player = el('video', {
					controls: true, preload: 'metadata', muted: true, class: 'video-player', 'aria-labelledby': captionId,
				});
				// The attribute alone is only the default (read by the HTML parser): mute this player too.
				player.muted = true;
				const shown = { url: URL.createObjectURL(chosen), player };
				preview = shown;
				player.addEventListener('error', () => {
					if (preview !== shown) {
						return;   // a player already given up (its URL revoked)
					}
					clearPreview();
					previewBox.append(el('p', { class: 'note upload-preview-note' }, t('videos.previewUnplayable')));
					previewBox.hidden = false;
				});
				player.src = shown.url;
				previewBox.append(el('figure', { class: 'upload-preview-figure' },
					player, el('figcaption', { id: captionId, class: 'note' }, t('videos.previewLabel', { name: chosen.name }))));
				previewBox.hidden = false;
			}

			file.input.addEventListener('change', () => showPreview(file.input.files && file.input.files[0]));
			// After an upload (form.reset()) or any other reset the file is gone, and so is its preview.
			form.addEventListener('reset', clearPreview);

			function fail(text, target = null) {
				status.className = 'status status-error';
				status.textContent = text;
				if (target) {
					target.setError(text);
					target.input.focus();
				}
			}

			form.addEventListener('submit', async (event) => {
				event.preventDefault();
				file.setError(null);
				description.setError(null);
				outcome.replaceChildren();
				const chosen = file.input.files && file.input.files[0];
				if (!chosen) {
					fail(t('videos.errors.noFile'), file);
					return;
				}
				const problem = fileProblem(chosen);
				if (problem) {
					fail(problem, file);
					return;
				}
				const text = description.input.value.trim();
				if (countChars(text) > VIDEO_DESCRIPTION_MAX) {
					fail(t('videos.errors.descriptionTooLong', { max: VIDEO_DESCRIPTION_MAX }), description);
					return;
				}
				controller = new AbortController();
				submit.disabled = true;
				cancel.hidden = false;
				progress.hidden = false;
				progressLabel.hidden = false;
				progress.value = 0;
				status.className = 'status';
				status.textContent = t('videos.uploading', { percent: 0 });
				let announced = 0;
				const result = await wellness.uploadVideo({
					file: chosen,
					description: text,
					signal: controller.signal,
					onProgress: (loaded, total) => {
						const percent = Math.min(100, Math.round((loaded / total) * 100));
						progress.value = percent;
						if (percent >= announced + 25 || percent === 100) {
							announced = percent - (percent % 25);
							status.textContent = t('videos.uploading', { percent });
						}
					},
				});
				controller = null;
				// "Cancel upload" goes away now: whoever pressed it carries on from the upload button.
				const cancelHadFocus = document.activeElement === cancel;
				submit.disabled = false;
				cancel.hidden = true;
				if (cancelHadFocus) {
					submit.focus();
				}
				progress.hidden = true;
				progressLabel.hidden = true;
				if (result.ok && result.body) {
					form.reset();
					counter.update();
					status.className = 'status status-success';
					status.textContent = t('videos.uploaded');
					outcome.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': 'video-waiting-title' },
						el('h3', { id: 'video-waiting-title' }, t('videos.waitingTitle')),
						el('p', {}, t('videos.pendingNote')),
						videoCard(t, result.body, { showStatus: true })));
					return;
				}
				if (result.error && result.error.code === 'aborted') {
					status.className = 'status';
					status.textContent = t('videos.cancelled');
					return;
				}
				if (result.status === 413) {
					fail(t('videos.errors.tooLarge', { size: megabytes(chosen.size), max: 50 }), file);
				} else if (result.status === 415) {
					fail(t('videos.errors.type'), file);
				} else if (result.status === 400 && result.fieldErrors && result.fieldErrors.description) {
					fail(t('videos.errors.description'), description);
				} else {
					fail(writeErrorText(result, 'videos'));
				}
			});

			panel.replaceChildren(
				el('h2', { id: 'video-share-title' }, t('videos.shareTitle')),
				el('p', { class: 'note' }, t('videos.shareLead')),
				form, outcome);
		}

		const selected = TABS.includes(ctx.query.tab) ? ctx.query.tab : 'feed';
		root.append(
			el('h1', {}, t('videos.title')),
			el('p', { class: 'lead' }, t('videos.lead')),
			wellnessNav('/wellness/videos'),
			tabs([
				{ id: 'feed', label: t('videos.tabs.feed'), render: feedPanel },
				{ id: 'mine', label: t('videos.tabs.mine'), render: minePanel },
				{ id: 'share', label: t('videos.tabs.share'), render: sharePanel },
			], {
				selected,
				label: t('videos.tabsLabel'),
				onChange: (tab) => {
					if (tab !== 'share') {
						endPreview();
					}
					replaceQuery(tab);
				},
			}));
	},
	dispose() {
		if (controller) {
			controller.abort();
			controller = null;
		}
		endPreview();
	},
};
