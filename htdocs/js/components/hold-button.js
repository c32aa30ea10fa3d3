import { el, uid } from './dom.js';

// holdButton({label, hint, holdingText, ms, kind, onComplete}) → { element, button }
// A button that acts only after being held down for `ms` (pointer, or Space /
// Enter held on the keyboard): a plain click does nothing, so it cannot be
// set off by accident. While held, a bar fills and the seconds left are shown
// (holdingText(secondsLeft) → text); letting go early cancels. hint is tied
// to the button with aria-describedby ("Press and hold for 3 seconds").

const TICK_MS = 100;

export function holdButton({ label, hint, holdingText, ms = 3000, kind = 'crisis', onComplete }) {
	const hintId = uid('hold-hint');
	const progress = el('progress', { class: 'hold-progress', max: String(ms), value: '0', 'aria-hidden': 'true' });
	const text = el('span', { class: 'hold-label' }, label);
	const button = el('button', { type: 'button', class: `btn btn-${kind} hold-button`, 'aria-describedby': hintId }, text, progress);
	const status = el('span', { class: 'hold-status', role: 'status', 'aria-live': 'polite' });
	const element = el('span', { class: 'hold' }, button, el('span', { id: hintId, class: 'hint hold-hint' }, hint), status);
	let started = 0;
	let timer = null;
	let lastSecond = null;
	let heldKey = null;

	// The key that was held is still down when the confirmation opens: until it
	// is released, its repeats and its release must not press what has focus then.
	function swallowUntilReleased(key) {
		const swallow = (event) => {
			if (event.key !== key) {
				return;
			}
			event.preventDefault();
			event.stopPropagation();
			if (event.type === 'keyup') {
				window.removeEventListener('keydown', swallow, true);
				window.removeEventListener('keyup', swallow, true);
			}
		};
		window.addEventListener('keydown', swallow, true);
		window.addEventListener('keyup', swallow, true);
	}

	function stop() {
		clearInterval(timer);
		timer = null;
		started = 0;
		lastSecond = null;
		heldKey = null;
		progress.value = 0;
		button.classList.remove('is-holding');
		status.textContent = '';
	}

	function tick() {
		const elapsed = Date.now() - started;
		progress.value = Math.min(ms, elapsed);
		const left = Math.max(0, Math.ceil((ms - elapsed) / 1000));
		if (left !== lastSecond && left > 0) {
			lastSecond = left;
			status.textContent = holdingText(left);
		}
		if (elapsed >= ms) {
			const key = heldKey;
			stop();
			if (key) {
				swallowUntilReleased(key);
			}
			onComplete();
		}
	}

	function start(key = null) {
		if (timer || button.disabled) {
			return;
		}
		heldKey = key;
		started = Date.now();
		button.classList.add('is-holding');
		tick();
		timer = setInterval(tick, TICK_MS);
	}

	button.addEventListener('pointerdown', (event) => {
		if (event.button === 0) {
			start();
		}
	});
	for (const name of ['pointerup', 'pointerleave', 'pointercancel', 'blur']) {
		button.addEventListener(name, stop);
	}
	button.addEventListener('keydown', (event) => {
		if (event.key === ' ' || event.key === 'Enter') {
			event.preventDefault();
			if (!event.repeat) {
				start(event.key);
			}
		}
	});
	button.addEventListener('keyup', (event) => {
		if (event.key === ' ' || event.key === 'Enter') {
			event.preventDefault();
			stop();
		}
	});
	button.addEventListener('contextmenu', (event) => event.preventDefault());
	return { element, button };
}
