/* What the AI program holds for its whole life besides the app: the provider (its curl handle
   and circuit breaker) and the system prompts, read once at start-up. One request at a time per
   process, so nothing here changes while a request runs except the breaker's counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ai.h"
#include "log.h"

#define PROMPT_MAX (32 * 1024)

static const char *const prompt_files[AI_PROMPT_COUNT] = {
	[AI_PROMPT_COMPANION] = "companion.txt",
	[AI_PROMPT_DRAFT_POST] = "draft-post.txt",
	[AI_PROMPT_SUMMARIZE_POST] = "summarize-post.txt",
	[AI_PROMPT_SUMMARIZE_SESSION] = "summarize-session.txt",
	[AI_PROMPT_GUIDANCE] = "guidance.txt",
	[AI_PROMPT_MATCH] = "match.txt",
	[AI_PROMPT_HELPER_FEEDBACK] = "helper-feedback.txt",
};

static struct {
	struct ai_provider *provider;
	char *prompts[AI_PROMPT_COUNT];
} runtime;

/* One prompt file: UTF-8 text, not empty, at most PROMPT_MAX bytes. */
static astral_err
read_prompt(const char *dir, const char *name, char **out)
{
	char path[4096];
	FILE *f = NULL;
	char *text = NULL;
	size_t n;
	astral_err err = ASTRAL_ERR_CONFIG;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		goto out;
	f = fopen(path, "r");
	if (f == NULL) {
		astral_log(ASTRAL_LOG_ERROR, "ai prompt %s: %s", path, strerror(errno));
		goto out;
	}
	text = malloc(PROMPT_MAX + 1);
	if (text == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	n = fread(text, 1, PROMPT_MAX + 1, f);
	if (n == 0 || n > PROMPT_MAX || ferror(f)) {
		astral_log(ASTRAL_LOG_ERROR, "ai prompt %s: empty, unreadable or over %d bytes", path, PROMPT_MAX);
		goto out;
	}
	text[n] = '\0';
	*out = text;
	text = NULL;
	err = ASTRAL_OK;
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return err;
}

astral_err
ai_runtime_init(struct astral_app *app)
{
	astral_err err;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ASTRAL_ERR_INTERNAL;
	err = ai_provider_open(&app->cfg, &runtime.provider);
	if (err != ASTRAL_OK)
		return err;
	if (!ai_runtime_configured(app))
		return ASTRAL_OK;
	for (int i = 0; i < AI_PROMPT_COUNT; i++) {
		err = read_prompt(app->cfg.ai_prompt_dir, prompt_files[i], &runtime.prompts[i]);
		if (err != ASTRAL_OK)
			return err;
	}
	return ASTRAL_OK;
}

struct ai_provider *
ai_runtime_provider(void)
{
	return runtime.provider;
}

const char *
ai_runtime_prompt(enum ai_prompt prompt)
{
	return runtime.prompts[prompt] != NULL ? runtime.prompts[prompt] : "";
}

int
ai_runtime_configured(const struct astral_app *app)
{
	return app->cfg.ai_provider != ASTRAL_AI_NONE;
}
