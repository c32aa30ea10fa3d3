// Quiet Space: box breathing, 4-4-4-4. A dot travels round a square, one side
// per phase, while the prompt and a 1-4 counter change. Under
// prefers-reduced-motion the square is hidden (components.css): prompt and
// counter only.

import { el } from '/js/components/dom.js';
import { button } from '/js/components/button.js';
import { loadArea } from '/js/shell/i18n.js';

const PHASES = ['in', 'holdFull', 'out', 'holdEmpty'];
const PHASE_MS = 4000;
const TICK_MS = 200;

let timer = null;

function stopTimer() {
	if (timer !== null) {
		clearInterval(timer);
		timer = null;
	}
}

export default {
	async render(root, ctx) {
		await loadArea('pages');
		const { t } = ctx;
		const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
		const prompt = el('p', { class: 'breath-prompt', 'aria-live': 'polite' }, t('quiet.ready'));
		const count = el('p', { class: 'breath-count', 'aria-hidden': 'true' });
		const rounds = el('p', { class: 'note' });
		const square = el('div', { class: 'breath-square', 'aria-hidden': 'true' }, el('div', { class: 'breath-dot' }));
		const box = el('div', { class: 'breath' }, square, prompt, count, rounds);
		let started = 0;
		let lastPhase = -1;
		let lastSecond = -1;

		const startButton = button({ label: t('quiet.start'), onClick: start });
		const stopButton = button({ label: t('quiet.stop'), kind: 'secondary', onClick: stop, disabled: true });
		box.append(el('p', { class: 'actions' }, startButton, stopButton));

		function tick() {
			const elapsed = performance.now() - started;
			const step = Math.floor(elapsed / PHASE_MS);
			const phase = step % PHASES.length;
			const second = Math.floor((elapsed % PHASE_MS) / 1000) + 1;
			if (phase !== lastPhase) {
				lastPhase = phase;
				prompt.textContent = t(`quiet.phase.${PHASES[phase]}`);
			}
			if (second !== lastSecond) {
				lastSecond = second;
				count.textContent = String(second);
			}
			const done = Math.floor(step / PHASES.length);
			rounds.textContent = t('quiet.rounds', { count: done });
		}

		function start() {
			stopTimer();
			started = performance.now();
			lastPhase = -1;
			lastSecond = -1;
			box.classList.remove('is-running');
			void box.offsetWidth; // restart the CSS animation from the first corner
			box.classList.add('is-running');
			startButton.disabled = true;
			stopButton.disabled = false;
			stopButton.focus();
			tick();
			timer = setInterval(tick, TICK_MS);
		}

		function stop() {
			stopTimer();
			box.classList.remove('is-running');
			prompt.textContent = t('quiet.stopped');
			count.textContent = '';
			startButton.disabled = false;
			stopButton.disabled = true;
			startButton.focus();
		}

		root.append(
			el('h1', {}, t('quiet.title')),
			el('p', { class: 'lead' }, t('quiet.lead')),
			el('section', { 'aria-labelledby': 'breath-title' },
				el('h2', { id: 'breath-title' }, t('quiet.breathTitle')),
				el('p', {}, t(reduced ? 'quiet.howReduced' : 'quiet.how')),
				box),
			el('section', { 'aria-labelledby': 'breath-tips' },
				el('h2', { id: 'breath-tips' }, t('quiet.tipsTitle')),
				el('ul', {}, ['sit', 'dizzy', 'anytime'].map((id) => el('li', {}, t(`quiet.tips.${id}`)))),
				el('p', {}, t('quiet.crisis'), ' ', el('a', { href: '/crisis' }, t('quiet.crisisLink')), '.')));
	},
	dispose() {
		stopTimer();
	},
};
