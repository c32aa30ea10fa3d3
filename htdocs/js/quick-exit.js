// Quick exit: on a click of any [data-quick-exit] link, or Escape pressed three
// times within two seconds, replace this page with a neutral one. replace()
// swaps the current history entry, so Back does not return to this page.
// Without JavaScript the link falls back to the crisis page. The click is
// caught on the document (capture phase), so links the app shell draws later
// work too.

const EXIT_URL = '/exit.html';
const PRESSES_NEEDED = 3;
const WINDOW_MS = 2000;

let escapeTimes = [];

function leave() {
	try {
		window.sessionStorage.clear();
	} catch {
		// Storage can be unavailable (private mode, blocked); leaving matters more.
	}
	window.location.replace(EXIT_URL);
}

for (const link of document.querySelectorAll('a[data-quick-exit]')) {
	link.setAttribute('href', EXIT_URL);
}

document.addEventListener('click', (event) => {
	const link = event.target instanceof Element ? event.target.closest('a[data-quick-exit]') : null;
	if (!link) {
		return;
	}
	event.preventDefault();
	event.stopPropagation();
	leave();
}, true);

document.addEventListener('keydown', (event) => {
	if (event.key !== 'Escape' || event.repeat) {
		return;
	}
	const now = Date.now();
	escapeTimes = escapeTimes.filter((t) => now - t < WINDOW_MS);
	escapeTimes.push(now);
	if (escapeTimes.length >= PRESSES_NEEDED) {
		escapeTimes = [];
		leave();
	}
}, true);

for (const hint of document.querySelectorAll('[data-quick-exit-hint]')) {
	hint.hidden = false;
}
