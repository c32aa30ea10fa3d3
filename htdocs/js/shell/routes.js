// The one table of routes. A new view: add its module under /js/views/, a line
// here, and its title under "titles" in /i18n/<lang>/shell.json (docs/ui.md).
// A new header link: registerNavItem (see nav.js).

import { registerRoute, setNotFound } from './router.js';

const view = (name) => () => import(`/js/views/${name}.js`);

// Content and safety (UI-A).
registerRoute({ path: '/', view: view('home'), title: 'titles.home', auth: 'public' });
registerRoute({ path: '/crisis', view: view('crisis'), title: 'titles.crisis', auth: 'public' });
registerRoute({ path: '/guidelines', view: view('guidelines'), title: 'titles.guidelines', auth: 'public' });
registerRoute({ path: '/legal', view: view('legal'), title: 'titles.legal', auth: 'public', defaults: { doc: '' } });
registerRoute({ path: '/legal/terms', view: view('legal'), title: 'titles.terms', auth: 'public', defaults: { doc: 'terms' } });
registerRoute({ path: '/legal/privacy', view: view('legal'), title: 'titles.privacy', auth: 'public', defaults: { doc: 'privacy' } });
registerRoute({
	path: '/legal/helper-agreement', view: view('legal'), title: 'titles.helperAgreement', auth: 'public',
	defaults: { doc: 'helper-agreement' },
});
registerRoute({ path: '/quiet-space', view: view('quiet-space'), title: 'titles.quietSpace', auth: 'public' });

// Accounts (UI-B).
registerRoute({ path: '/start', view: view('start'), title: 'titles.start', auth: 'public' });
registerRoute({ path: '/signin', view: view('signin'), title: 'titles.signin', auth: 'public' });
registerRoute({ path: '/register', view: view('register'), title: 'titles.register', auth: 'public' });
registerRoute({ path: '/recover', view: view('recover'), title: 'titles.recover', auth: 'public' });
registerRoute({ path: '/consent', view: view('consent'), title: 'titles.consent', auth: 'user' });
registerRoute({ path: '/account', view: view('account'), title: 'titles.account', auth: 'user' });
registerRoute({ path: '/settings', view: view('settings'), title: 'titles.settings', auth: 'user' });
registerRoute({ path: '/mfa', view: view('mfa'), title: 'titles.mfa', auth: 'user' });

// Peer support (issue 4).
registerRoute({ path: '/feed', view: view('feed'), title: 'titles.feed', auth: 'user' });
registerRoute({ path: '/share', view: view('share'), title: 'titles.share', auth: 'user' });
registerRoute({ path: '/activity', view: view('activity'), title: 'titles.activity', auth: 'user' });
registerRoute({ path: '/helpers/:id', view: view('helper-profile'), title: 'titles.helperProfile', auth: 'user' });
registerRoute({ path: '/chat/:id', view: view('chat'), title: 'titles.chat', auth: 'user' });
registerRoute({ path: '/helper', view: view('helper-dashboard'), title: 'titles.dashboard', auth: 'user' });
registerRoute({ path: '/reflections', view: view('reflections'), title: 'titles.reflections', auth: 'user' });

// The helper program and moderation (docs/helper-program-api-contract.md,
// docs/moderation-api-contract.md). The helper views say so to a non-helper
// (their API answers 403); `staff` is moderators and admins, `admin` admins only.
registerRoute({ path: '/helper/training', view: view('helper-training'), title: 'titles.training', auth: 'user' });
registerRoute({ path: '/helper/certification', view: view('helper-certification'), title: 'titles.certification', auth: 'user' });
registerRoute({ path: '/helper/community', view: view('helper-community'), title: 'titles.community', auth: 'user' });
registerRoute({ path: '/helper/community/threads/:id', view: view('community-thread'), title: 'titles.thread', auth: 'user' });
registerRoute({ path: '/moderation', view: view('moderation'), title: 'titles.moderation', auth: 'staff' });
registerRoute({ path: '/moderation/history', view: view('moderation-history'), title: 'titles.moderationHistory', auth: 'user' });
registerRoute({ path: '/admin', view: view('admin'), title: 'titles.admin', auth: 'admin' });

// Wellness (issue 5). The safety plan's route is public: the view itself sends
// a signed-out visitor to sign in, but shows the copy kept on this device when
// the app started without a network (views/safety-plan.js).
registerRoute({ path: '/wellness', view: view('wellness'), title: 'titles.wellness', auth: 'user' });
registerRoute({ path: '/wellness/insights', view: view('wellness-insights'), title: 'titles.insights', auth: 'user' });
registerRoute({ path: '/wellness/assessments', view: view('assessments'), title: 'titles.assessments', auth: 'user' });
registerRoute({ path: '/wellness/safety-plan', view: view('safety-plan'), title: 'titles.safetyPlan', auth: 'public' });
registerRoute({ path: '/wellness/videos', view: view('videos'), title: 'titles.videos', auth: 'user' });
registerRoute({ path: '/wellness/summary', view: view('clinician-summary'), title: 'titles.summary', auth: 'user' });
registerRoute({ path: '/resources', view: view('resources'), title: 'titles.resources', auth: 'public' });

// The AI companion (docs/ai-api-contract.md); its header link shows only while /api/ai/status
// says the AI is available (nav.js `requires: 'ai'`, app.js).
registerRoute({ path: '/ai', view: view('ai-chat'), title: 'titles.ai', auth: 'user' });

// The safety plan kept for offline use is forgotten when the session ends (api/plan-cache.js).
import('/js/api/plan-cache.js').then((cache) => cache.watchSession())
	.catch((error) => console.warn('offline safety plan', error));

setNotFound({ view: view('not-found'), title: 'titles.notFound' });
