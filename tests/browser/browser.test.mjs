// The browser tests: one throwaway stack and one Chromium for the whole run,
// a fresh browser context for each test.
//
// Run: cd tests/browser && npm ci && node --test --test-reporter=spec browser.test.mjs
// (tools/dev/test does this after the integration tests).
// The AI tests run on a second stack, with the mock AI provider (harness.mjs:
// useBrowser({ ai: true })), started only when one of them runs.

import { describe } from 'node:test';

import { useBrowser } from './harness.mjs';
import { harnessTests } from './harness-self.mjs';
import { budgetTests } from './budget.mjs';
import { pageTests } from './pages.mjs';
import { accountFlowTests } from './account-flows.mjs';
import { idleTests } from './idle.mjs';
import { realtimeTests } from './realtime.mjs';
import { quickExitTests } from './quick-exit.mjs';
import { peerSupportTests } from './peer-support.mjs';
import { wellnessTests } from './wellness.mjs';
import { staffTests } from './staff.mjs';
import { aiTests } from './ai.mjs';
import { apacheFrontTests } from './apache-front.mjs';

describe('Astral Core in Chromium', () => {
	const { test } = useBrowser();
	harnessTests(test);
	budgetTests(test);
	pageTests(test);
	accountFlowTests(test);
	idleTests(test);
	realtimeTests(test);
	quickExitTests(test);
	peerSupportTests(test);
	wellnessTests(test);
	staffTests(test);
});

describe('Astral Core AI features in Chromium', () => {
	const { test } = useBrowser({ ai: true });
	aiTests(test);
});

describe('Astral Core behind Apache in Chromium', () => {
	const { test } = useBrowser({ front: 'apache' });
	apacheFrontTests(test);
});
