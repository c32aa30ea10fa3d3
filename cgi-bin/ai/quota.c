/* Daily limits per user and action ([ai] quota_*), counted per UTC day in ai_usage. */
#include <stdio.h>

#include "ai.h"

static const char *const action_names[AI_ACTION_COUNT] = {
	[AI_ACTION_CHAT] = "chat", [AI_ACTION_DRAFT_POST] = "draft_post", [AI_ACTION_SUMMARIZE] = "summarize",
	[AI_ACTION_GUIDANCE] = "guidance", [AI_ACTION_MATCH] = "match", [AI_ACTION_FEEDBACK] = "feedback",
};

const char *
ai_action_name(enum ai_action a)
{
	return action_names[a];
}

long long
ai_action_limit(const struct astral_app *app, enum ai_action a)
{
	switch (a) {
	case AI_ACTION_CHAT:
		return app->cfg.ai_quota_chat;
	case AI_ACTION_DRAFT_POST:
		return app->cfg.ai_quota_draft_post;
	case AI_ACTION_SUMMARIZE:
		return app->cfg.ai_quota_summarize;
	case AI_ACTION_GUIDANCE:
		return app->cfg.ai_quota_guidance;
	case AI_ACTION_MATCH:
		return app->cfg.ai_quota_match;
	default:
		return app->cfg.ai_quota_feedback;
	}
}

long long
ai_seconds_to_midnight(long long now)
{
	long long left = 86400 - now % 86400;

	return left > 0 ? left : 86400;
}

int
ai_require_provider(struct astral_request *req)
{
	if (ai_runtime_configured(req->app))
		return 1;
	astral_respond_error(req, 503, "ai_unavailable",
	                     "The AI assistant is not available on this service. People are: Get Help Now is always open.");
	return 0;
}

int
ai_action_on(struct astral_request *req, enum ai_action a)
{
	if (ai_action_limit(req->app, a) > 0)
		return 1;
	astral_respond_error(req, 403, "ai_action_off", "This AI feature is turned off on this service.");
	return 0;
}

void
ai_refuse_quota(struct astral_request *req)
{
	char retry[24];

	snprintf(retry, sizeof(retry), "%lld", ai_seconds_to_midnight(req->now));
	astral_header(req, "Retry-After", retry);
	astral_respond_error(req, 429, "quota_exceeded",
	                     "You have used today's AI requests of this kind. They start again tomorrow (UTC).");
}

int
ai_gate(struct astral_request *req, enum ai_action a)
{
	long long limit = ai_action_limit(req->app, a);
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;
	int open = 0;

	if (!ai_require_provider(req) || !ai_action_on(req, a))
		return 0;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, ai_action_name(a));
	astral_params_int(&p, req->now);
	astral_params_int(&p, limit);
	err = ai_exec(req, AI_USAGE_TAKE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		ai_refuse_quota(req);
		goto out;
	}
	open = 1;
out:
	PQclear(res);
	return open;
}
