// Harness for the browser tests: a throwaway Astral Core stack started by
// tools/dev/stack (as the pytest fixtures do), Debian's Chromium driven by
// playwright-core, and one fresh browser context per test that records what a
// page must never do: a request to a host other than the stack, a console
// error, an uncaught exception, a Content-Security-Policy violation, a static
// file that fails to load.
//
// Environment:
//   ASTRAL_SRC            source tree (default: two levels above this file)
//   ASTRAL_BUILD          build tree with the test build (default: $ASTRAL_SRC/build-test)
//   ASTRAL_HTDOCS         the UI the stack serves (default: the stack's own, $ASTRAL_SRC/htdocs)
//   ASTRAL_CHROMIUM       the browser (default: /usr/bin/chromium)
//   ASTRAL_SCREENSHOTS    where screenshot() writes (default: $ASTRAL_SRC/docs/screenshots)
//   ASTRAL_KEEP_STACK=1   keep the stack directory after the run
//
// useBrowser({ ai: true }) starts a stack with an AI provider: the mock model
// server (tests/integration/mock_ai.py, started here and stopped with the
// stack) behind `--ai-provider openai --ai-endpoint <mock>/v1`. Such a suite
// starts its stack and browser at its first test, not before: a run whose
// name pattern leaves it no test starts neither. useBrowser({ front: 'apache' })
// puts Debian's Apache with conf/apache2/astral.conf.in in front of the
// programs (`tools/dev/stack start --front apache`: real time by polling),
// started the same way.

import { after, before, beforeEach, it } from 'node:test';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SRC = path.resolve(process.env.ASTRAL_SRC || path.join(HERE, '..', '..'));
export const BUILD = path.resolve(process.env.ASTRAL_BUILD || path.join(SRC, 'build-test'));
const STACK_TOOL = path.join(SRC, 'tools', 'dev', 'stack');
export const DONATION_URL = 'https://donate.example.org/astral-core';
const MOCK_AI = path.join(SRC, 'tests', 'integration', 'mock_ai.py');
const MOCK_START_MS = 20_000;
const CHROMIUM = process.env.ASTRAL_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(process.env.ASTRAL_SCREENSHOTS || path.join(SRC, 'docs', 'screenshots'));
const RUN_USER = 'astral';          // the stack runs its services as this user when started as root

// Chromium as this machine needs it: no sandbox as root, no GPU, and no
// background connections to Google's hosts (the network is closed).
// playwright-core adds a fresh --user-data-dir of its own to every launch.
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export const VIEWPORTS = [
	{ width: 390, height: 844 },
	{ width: 1280, height: 800 },
];
export const SCHEMES = ['light', 'dark'];
const DEFAULT_VIEWPORT = VIEWPORTS[1];
const ACTION_TIMEOUT_MS = 10_000;
const AXE_TIMEOUT_MS = 30_000;

// ------------------------------------------------------------------ the stack

function parseEnvFile(file) {
	const env = {};
	for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
		const line = raw.trim();
		if (!line || line.startsWith('#') || !line.includes('=')) {
			continue;
		}
		const at = line.indexOf('=');
		let value = line.slice(at + 1).trim();
		if (value.length >= 2 && value[0] === value[value.length - 1] && (value[0] === '"' || value[0] === "'")) {
			value = value.slice(1, -1);
		}
		env[line.slice(0, at).trim()] = value;
	}
	return env;
}

function runUserIds() {
	for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
		const fields = line.split(':');
		if (fields[0] === RUN_USER && fields.length > 3) {
			return { uid: Number(fields[2]), gid: Number(fields[3]) };
		}
	}
	return null;
}

// As root the services run as RUN_USER: every parent must be traversable and
// the stack directory owned by that user (the stack tool creates the user and
// chowns the directory itself when the user does not exist yet).
function makeReachable(directory) {
	fs.chmodSync(directory, 0o755);
	if (process.getuid() !== 0) {
		return;
	}
	for (let parent = path.dirname(directory); ; parent = path.dirname(parent)) {
		const mode = fs.statSync(parent).mode;
		if (!(mode & 0o001)) {
			fs.chmodSync(parent, (mode & 0o7777) | 0o755);
		}
		if (parent === path.dirname(parent)) {
			break;
		}
	}
	const ids = runUserIds();
	if (ids) {
		fs.chownSync(directory, ids.uid, ids.gid);
	}
}

function sanitizerReports(logDir) {
	if (!logDir || !fs.existsSync(logDir)) {
		return [];
	}
	return fs.readdirSync(logDir)
		.filter((name) => name.startsWith('asan') || name.startsWith('ubsan'))
		.map((name) => path.join(logDir, name))
		.sort();
}

function describeReports(files) {
	return files.map((file) => `==== sanitizer report ${file}\n${fs.readFileSync(file, 'utf8').slice(0, 8000)}`).join('\n');
}

// ------------------------------------------------------------------ the mock AI provider

// The mock model server as a child of this process: { url, pid, output(), stop() }.
// It prints "listening http://127.0.0.1:PORT" once it serves; its output is
// kept (the last 16 KB) to explain a failure.
export function startMockAi({ pieceDelayMs = 20 } = {}) {
	if (!fs.existsSync(MOCK_AI)) {
		return Promise.reject(new Error(`no mock AI provider at ${MOCK_AI}`));
	}
	return new Promise((resolve, reject) => {
		const child = spawn('python3', [MOCK_AI, '--port', '0', '--latency-ms', '0', '--piece-delay-ms', String(pieceDelayMs)], {
			cwd: SRC,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let text = '';
		let settled = false;
		const keep = (chunk) => {
			text = (text + chunk.toString('utf8')).slice(-16_384);
		};
		const mock = {
			url: null,
			pid: child.pid,
			output: () => text,
			stop() {
				if (child.exitCode === null && child.signalCode === null) {
					try {
						process.kill(child.pid, 'SIGTERM');
					} catch {
						// Gone already.
					}
				}
			},
		};
		const timer = setTimeout(() => {
			if (!settled) {
				settled = true;
				mock.stop();
				reject(new Error(`the mock AI provider did not start within ${MOCK_START_MS} ms:\n${text}`));
			}
		}, MOCK_START_MS);
		child.stdout.on('data', (chunk) => {
			keep(chunk);
			const found = /listening (http:\/\/[^\s]+)/.exec(text);
			if (found && !settled) {
				settled = true;
				clearTimeout(timer);
				mock.url = found[1].replace(/\/+$/, '');
				resolve(mock);
			}
		});
		child.stderr.on('data', keep);
		child.on('error', (error) => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				reject(new Error(`the mock AI provider could not start: ${error.message}`));
			}
		});
		child.on('exit', (code, signal) => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				reject(new Error(`the mock AI provider exited (${code === null ? signal : code}) before it listened:\n${text}`));
			}
		});
	});
}

export class Stack {
	constructor(directory, env, { mockAi = null } = {}) {
		this.dir = directory;
		this.env = env;
		this.url = env.ASTRAL_URL.replace(/\/+$/, '');
		this.origin = new URL(this.url).origin;
		this.logDir = env.LOG_DIR || path.join(directory, 'log');
		this.mockAi = mockAi;
		this.stopped = false;
	}

	sanitizerReports() {
		return sanitizerReports(this.logDir);
	}

	// Run the stack's admin CLI, `astralctl -c <conf> args…`, as the user the
	// services run as (input: text for its standard input, e.g. a password for
	// --password-stdin). Resolves with { stdout, stderr }; rejects when it fails.
	async astralctl(args, { input = null } = {}) {
		const build = this.env.ASTRAL_BUILD || BUILD;
		const command = [path.join(build, 'tools', 'astralctl'), '-c', this.env.ASTRAL_CONF, ...args];
		const runUser = this.env.RUN_USER;
		const me = os.userInfo().username;
		const argv = process.getuid() === 0 && runUser && runUser !== me ? ['runuser', '-u', runUser, '--', ...command] : command;
		return new Promise((resolve, reject) => {
			const child = execFile(argv[0], argv.slice(1), { cwd: '/', timeout: 60_000 }, (error, stdout, stderr) => {
				if (error) {
					reject(new Error(`astralctl ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
					return;
				}
				resolve({ stdout, stderr });
			});
			if (input !== null) {
				child.stdin.end(input);
			} else {
				child.stdin.end();
			}
		});
	}

	// Synchronous so that it also works from an exit or signal handler.
	stop() {
		if (this.stopped) {
			return [];
		}
		this.stopped = true;
		const problems = [];
		try {
			execFileSync(STACK_TOOL, ['stop', '--dir', this.dir], { stdio: 'pipe', timeout: 120_000 });
		} catch (error) {
			problems.push(`stack stop failed: ${error.message}\n${error.stdout || ''}${error.stderr || ''}`);
		}
		if (this.mockAi) {
			this.mockAi.stop();
		}
		const reports = this.sanitizerReports();
		if (reports.length) {
			problems.push(describeReports(reports));
		}
		if (problems.length || process.env.ASTRAL_KEEP_STACK) {
			process.stderr.write(`stack directory kept: ${this.dir}\n`);
		} else {
			fs.rmSync(this.dir, { recursive: true, force: true });
		}
		return problems;
	}
}

// startStack({ ai, front }): with ai, the mock AI provider first, and the stack pointed at it;
// front: 'nginx' or 'apache'.
export async function startStack({ ai = false, front = 'nginx' } = {}) {
	if (!fs.existsSync(path.join(BUILD, 'cgi-bin'))) {
		throw new Error(`no test build at ${BUILD} (expected ${BUILD}/cgi-bin); run tools/dev/test or set ASTRAL_BUILD`);
	}
	const mockAi = ai ? await startMockAi() : null;
	const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'astral-browser-'));
	makeReachable(directory);
	const envFile = path.join(directory, 'stack.env');
	let failure = null;
	try {
		// A donation page, as a host may set one: the footer links to it.
		const args = ['start', '--dir', directory, '--build', BUILD, '--test', '--donation-url', DONATION_URL];
		if (process.env.ASTRAL_HTDOCS) {
			args.push('--htdocs', path.resolve(process.env.ASTRAL_HTDOCS));
		}
		if (mockAi) {
			args.push('--ai-provider', 'openai', '--ai-endpoint', `${mockAi.url}/v1`);
		}
		args.push('--front', front);
		await execFileAsync(STACK_TOOL, args, {
			timeout: 600_000,
			maxBuffer: 16 * 1024 * 1024,
		});
	} catch (error) {
		failure = `stack start failed (${error.code}):\n${String(error.stdout || '').slice(-4000)}\n${String(error.stderr || '').slice(-4000)}`;
	}
	if (!failure && !fs.existsSync(envFile)) {
		failure = `stack start wrote no ${envFile}`;
	}
	if (failure) {
		try {
			execFileSync(STACK_TOOL, ['stop', '--dir', directory], { stdio: 'pipe', timeout: 120_000 });
		} catch {
			// The start already failed; its output says why.
		}
		if (mockAi) {
			mockAi.stop();
		}
		throw new Error(`${failure}\nstack directory kept: ${directory}`);
	}
	return new Stack(directory, parseEnvFile(envFile), { mockAi });
}

// ------------------------------------------------------------------ a browser session

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs in every page before its own scripts: report CSP violations.
function watchCspViolations() {
	document.addEventListener('securitypolicyviolation', (event) => {
		const report = window.__astralReportCsp;
		if (typeof report === 'function') {
			report(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile || document.URL}:${event.lineNumber}`);
		}
	});
}

function isApiStatusNoise(message, origin) {
	// Chromium logs every 4xx/5xx answer as a console error; an API call that
	// answers 401 or 409 is the page working as designed. Static files are
	// checked separately through their responses.
	if (!message.text().startsWith('Failed to load resource: the server responded with a status of')) {
		return false;
	}
	const where = message.location() && message.location().url;
	if (!where) {
		return false;
	}
	try {
		const url = new URL(where);
		return url.origin === origin && url.pathname.startsWith('/api/');
	} catch {
		return false;
	}
}

// One fresh browser context and page, with everything recorded that must not
// happen. problems() lists what was recorded; clear() forgets it (for the
// harness's own tests).
export class Session {
	constructor(stack, context, page) {
		this.stack = stack;
		this.context = context;
		this.page = page;
		this.foreignRequests = [];
		this.consoleErrors = [];
		this.pageErrors = [];
		this.cspViolations = [];
		this.failedFiles = [];
	}

	static async open(browser, stack, options = {}) {
		const context = await browser.newContext({
			viewport: DEFAULT_VIEWPORT,
			colorScheme: 'light',
			reducedMotion: 'reduce',
			locale: 'en-US',
			timezoneId: 'UTC',
			serviceWorkers: 'block',
			...options,
		});
		context.setDefaultTimeout(ACTION_TIMEOUT_MS);
		context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2);
		const session = new Session(stack, context, null);
		await context.route('**/*', (route) => {
			const request = route.request();
			let origin = null;
			try {
				origin = new URL(request.url()).origin;
			} catch {
				origin = null;
			}
			if (origin === stack.origin) {
				return route.continue();
			}
			session.foreignRequests.push(`${request.method()} ${request.url()}`);
			return route.abort('blockedbyclient');
		});
		await context.exposeBinding('__astralReportCsp', (_source, text) => {
			session.cspViolations.push(String(text));
		});
		await context.addInitScript(watchCspViolations);
		const page = await context.newPage();
		session.page = page;
		page.on('console', (message) => {
			if (message.type() === 'error' && !isApiStatusNoise(message, stack.origin)) {
				const where = message.location() && message.location().url;
				session.consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
			}
		});
		page.on('pageerror', (error) => {
			session.pageErrors.push(String(error && error.stack ? error.stack : error));
		});
		page.on('websocket', (socket) => {
			try {
				const url = new URL(socket.url());
				if (url.host !== new URL(stack.origin).host) {
					session.foreignRequests.push(`WebSocket ${socket.url()}`);
				}
			} catch {
				session.foreignRequests.push(`WebSocket ${socket.url()}`);
			}
		});
		page.on('response', (response) => {
			const url = new URL(response.url());
			if (url.origin === stack.origin && !url.pathname.startsWith('/api/') && response.status() >= 400) {
				session.failedFiles.push(`${response.status()} ${response.url()}`);
			}
		});
		return session;
	}

	url(pathname) {
		return `${this.stack.url}${pathname}`;
	}

	async goto(pathname) {
		const response = await this.page.goto(this.url(pathname), { waitUntil: 'load' });
		if (!response || !response.ok()) {
			throw new Error(`GET ${pathname}: ${response ? response.status() : 'no response'}`);
		}
		await this.settle();
		return response;
	}

	// Wait until the page's module scripts have run and the network is idle.
	async settle() {
		await this.page.waitForLoadState('networkidle');
	}

	problems() {
		const lines = [];
		const add = (title, list) => {
			if (list.length) {
				lines.push(`${title}:`, ...list.map((entry) => `  ${entry}`));
			}
		};
		add('requests to a host other than the test server', this.foreignRequests);
		add('Content-Security-Policy violations', this.cspViolations);
		add('uncaught exceptions', this.pageErrors);
		add('console errors', this.consoleErrors);
		add('static files that failed to load', this.failedFiles);
		return lines;
	}

	clear() {
		this.foreignRequests.length = 0;
		this.consoleErrors.length = 0;
		this.pageErrors.length = 0;
		this.cspViolations.length = 0;
		this.failedFiles.length = 0;
	}

	async close() {
		await this.context.close();
	}
}

// ------------------------------------------------------------------ the suite

// SIGKILL the direct children of this process (found through /proc).
function killChildren() {
	let entries = [];
	try {
		entries = fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name));
	} catch {
		return;
	}
	for (const pid of entries) {
		let stat = '';
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue;
		}
		// "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(fields[1]) === process.pid) {
			try {
				process.kill(Number(pid), 'SIGKILL');
			} catch {
				// Gone already.
			}
		}
	}
}

// Register hooks that start the stack and Chromium before the tests of the
// enclosing describe() and always stop both after them. Returns the live state
// and test(), which runs a test in a fresh context and fails it on anything the
// session recorded. With { ai: true } the stack has an AI provider (the mock,
// see startStack) and both start before the suite's first test that runs
// (beforeEach): a suite left without tests by --test-name-pattern starts nothing.
export function useBrowser({ ai = false, front = 'nginx' } = {}) {
	const state = { stack: null, browser: null };
	const lazy = ai || front !== 'nginx';
	let starting = null;
	const stopOnExit = () => {
		if (state.stack) {
			state.stack.stop();
		}
	};
	// Interrupted: playwright-core starts Chromium detached, so the signal does
	// not reach it. Everything here is synchronous: kill this process's own
	// children (Chromium), stop the stack, and go.
	const stopOnSignal = (signal) => {
		killChildren();
		stopOnExit();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	};

	async function start() {
		process.on('exit', stopOnExit);
		process.once('SIGINT', stopOnSignal);
		process.once('SIGTERM', stopOnSignal);
		state.stack = await startStack({ ai, front });
		state.browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			timeout: 60_000,
			handleSIGINT: false,
			handleSIGTERM: false,
		});
	}

	// Once: a failed start fails every test that needs it, with its reason.
	function ensureStarted() {
		if (!starting) {
			starting = start();
		}
		return starting;
	}

	if (lazy) {
		beforeEach(ensureStarted, { timeout: 720_000 });
	} else {
		before(ensureStarted);
	}

	after(async () => {
		if (!starting) {
			return;
		}
		const problems = [];
		if (state.browser) {
			try {
				await state.browser.close();
			} catch (error) {
				problems.push(`closing Chromium failed: ${error.message}`);
			}
		}
		if (state.stack) {
			problems.push(...state.stack.stop());
		}
		process.removeListener('exit', stopOnExit);
		process.removeListener('SIGINT', stopOnSignal);
		process.removeListener('SIGTERM', stopOnSignal);
		if (problems.length) {
			throw new Error(`after the browser tests:\n${problems.join('\n')}`);
		}
	});

	// test(name, [contextOptions,] fn): fn(session, t) runs with a fresh context.
	function test(name, contextOptions, fn) {
		if (typeof contextOptions === 'function') {
			fn = contextOptions;
			contextOptions = {};
		}
		it(name, { timeout: 120_000 }, async (t) => {
			const before = new Set(state.stack.sanitizerReports());
			const session = await Session.open(state.browser, state.stack, contextOptions);
			let failure = null;
			try {
				await fn(session, t);
			} catch (error) {
				failure = error;
			}
			const problems = session.problems();
			await session.close();
			const reports = state.stack.sanitizerReports().filter((file) => !before.has(file));
			if (reports.length) {
				problems.push('sanitizer reports from the stack during this test:', describeReports(reports));
			}
			if (failure) {
				if (problems.length && failure instanceof Error) {
					failure.message += `\n${problems.join('\n')}`;
				}
				throw failure;
			}
			if (problems.length) {
				throw new Error(problems.join('\n'));
			}
		});
	}

	return { state, test };
}

// ------------------------------------------------------------------ helpers

// Run axe-core on the page and fail on any serious or critical violation.
// The page's CSP allows no inline script, so axe is evaluated through the
// DevTools protocol rather than added as a <script> element (which the CSP
// would block, and report). Returns axe's results; the lesser violations are
// in results.violations for the caller to report.
export async function checkA11y(page, { label = '' } = {}) {
	const present = await page.evaluate(() => typeof window.axe === 'object' && window.axe !== null);
	if (!present) {
		await page.evaluate(AXE_SOURCE);
	}
	let timer = null;
	const timeout = new Promise((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`axe-core did not finish within ${AXE_TIMEOUT_MS} ms on ${label || page.url()}`)), AXE_TIMEOUT_MS);
	});
	let results;
	try {
		results = await Promise.race([
			page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
	}
	const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	if (blocking.length) {
		const text = blocking.map((v) => {
			const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
			return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
		}).join('\n');
		throw new Error(`axe-core: serious or critical violations on ${label || page.url()}:\n${text}`);
	}
	return results;
}

// Lesser axe violations, one line each, for t.diagnostic().
export function minorViolations(results) {
	return results.violations
		.filter((v) => v.impact !== 'serious' && v.impact !== 'critical')
		.map((v) => `axe ${v.impact}: ${v.id} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}): ${v.help}`);
}

// Switch prefers-color-scheme and wait two frames for the page to restyle.
// (Reduced motion turns every transition off, so no colour is caught midway;
// the reduced-motion test checks that.)
export async function setColorScheme(page, colorScheme) {
	await page.emulateMedia({ colorScheme });
	await page.evaluate(() => new Promise((resolve) => {
		requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)));
	}));
}

// Write NAME-WIDTH-SCHEME.png for each width and colour scheme, full page,
// scrolled to the top, and put the viewport and scheme back as they were.
export async function screenshot(page, name) {
	if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
		throw new Error(`screenshot name must be lower-case letters, digits and dashes: ${name}`);
	}
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const viewport = page.viewportSize() || DEFAULT_VIEWPORT;
	const scheme = await page.evaluate(() => (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
	const written = [];
	try {
		for (const size of VIEWPORTS) {
			await page.setViewportSize(size);
			for (const colorScheme of SCHEMES) {
				await setColorScheme(page, colorScheme);
				// From the top: a sticky header scrolled with the page would be
				// drawn in the middle of a full-page shot.
				await page.evaluate(() => window.scrollTo(0, 0));
				const file = path.join(SCREENSHOT_DIR, `${name}-${size.width}-${colorScheme}.png`);
				await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
				written.push(file);
			}
		}
	} finally {
		await page.setViewportSize(viewport);
		await setColorScheme(page, scheme);
	}
	return written;
}

// Press Tab (or Shift+Tab) until the focused element matches selector (and,
// with name, has that accessible text: its aria-label or its text); fails
// after maxPresses. Keyboard-only flows use this instead of clicks.
export async function tabTo(page, selector, { maxPresses = 40, backwards = false, name = null } = {}) {
	for (let i = 0; i < maxPresses; i++) {
		await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
		const focused = await page.evaluate(({ sel, wanted }) => {
			const active = document.activeElement;
			if (!active || active === document.body || !active.matches(sel)) {
				return false;
			}
			if (wanted === null) {
				return true;
			}
			const label = active.getAttribute('aria-label') || (active.textContent || '').trim();
			return label === wanted;
		}, { sel: selector, wanted: name });
		if (focused) {
			return i + 1;
		}
	}
	const active = await page.evaluate(() => {
		const a = document.activeElement;
		return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''} "${(a.textContent || '').trim().slice(0, 40)}"` : 'nothing';
	});
	throw new Error(`${selector}${name === null ? '' : ` "${name}"`} was not reached with ${maxPresses} presses of Tab (focus is on ${active})`);
}
