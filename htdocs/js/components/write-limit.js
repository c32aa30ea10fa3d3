import { t } from '/js/shell/i18n.js';
import { errorText } from '/js/api/client.js';
import { durationText } from './duration.js';

// writeErrorText(result, kind) → the sentence for a failed write that reaches other people.
// Past the person's budget of such writes (429 `too_many_requests` with Retry-After,
// lib/write_budget.c) a calm one with the wait in words: "You have posted a lot in a short
// time. You can post again in about 12 minutes." Anything else as errorText says.
// kind: 'posts', 'reports', 'directRequests', 'reflections' or 'videos' (`common.writeLimit`).

export function writeErrorText(result, kind) {
	if (result && result.status === 429 && result.error && result.error.code === 'too_many_requests' &&
		result.retryAfter !== null && result.retryAfter !== undefined) {
		return t(`common.writeLimit.${kind}`, { time: durationText(result.retryAfter) });
	}
	return errorText(t, result);
}
