/* POST /api/ai/match: posts waiting for a helper that fit the helper's expertise, each with a
   reason. The model chooses among the newest AI_MATCH_CANDIDATES public posts (scrubbed
   excerpts, never who wrote them); only ids from that list are accepted. Fallback: the posts
   whose category is named in the helper's expertise, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "json.h"
#include "strbuf.h"
#include "validate.h"

#define MATCHES_MAX 10

struct candidate { const char *id, *category, *excerpt; long long created_at; };

static struct json_object *
item(const struct candidate *c, const char *reason)
{
	struct json_object *o = json_object_new_object(), *post = json_object_new_object();

	astral_json_add_str(post, "id", c->id);
	astral_json_add_str(post, "category", c->category);
	astral_json_add_str(post, "excerpt", c->excerpt);
	astral_json_add_time(post, "created_at", c->created_at);
	json_object_object_add(o, "post", post);
	astral_json_add_str(o, "reason", reason);
	return o;
}

/* The model's matches, kept only for listed ids, each once, reasons checked. Whether the answer
   stands: `matches` is a list, and either empty (the model found nothing that fits) or with at
   least one match kept. A wrong shape, or a list of nothing but unknown ids, does not: the caller
   falls back to the posts in the helper's expertise rather than telling them nothing fits. */
static int
add_model_matches(struct json_object *items, struct json_object *answer, const struct candidate *c, int n)
{
	struct json_object *list;
	int used[AI_MATCH_CANDIDATES] = { 0 };

	if (answer == NULL || !json_object_object_get_ex(answer, "matches", &list) ||
	    !json_object_is_type(list, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(list) && json_object_array_length(items) < MATCHES_MAX; i++) {
		struct json_object *m = json_object_array_get_idx(list, i), *id, *why;
		char *reason;

		if (!json_object_is_type(m, json_type_object) || !json_object_object_get_ex(m, "post_id", &id) ||
		    !json_object_is_type(id, json_type_string) || !json_object_object_get_ex(m, "reason", &why) ||
		    !json_object_is_type(why, json_type_string))
			continue;
		for (int k = 0; k < n; k++) {
			if (used[k] || strcmp(c[k].id, json_object_get_string(id)) != 0)
				continue;
			reason = ai_output_text(json_object_get_string(why), AI_REASON_MAX);
			if (reason != NULL) {
				json_object_array_add(items, item(&c[k], reason));
				used[k] = 1;
			}
			free(reason);
			break;
		}
	}
	return json_object_array_length(list) == 0 || json_object_array_length(items) > 0;
}

/* Whether a post category is named in the helper's expertise ("Anxiety & Stress" covers both). */
static int
in_expertise(const char *expertise, const char *category)
{
	return expertise != NULL && category != NULL && strstr(expertise, category) != NULL;
}

void
ai_match(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct candidate c[AI_MATCH_CANDIDATES];
	struct json_object *answer = NULL, *items, *body;
	const char *expertise = NULL;
	struct astral_strbuf prompt = ASTRAL_STRBUF_INIT;
	char *raw = NULL;
	int n;
	astral_err err;

	(void)input;
	if (!ai_require_provider(req))
		return;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, AI_MATCH_CANDIDATES);
	astral_params_int(&p, req->now);
	astral_params_int(&p, req->app->cfg.helpers_rest_minutes);
	err = ai_exec(req, AI_MATCH_POSTS, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	if (n == 0) {                       /* nothing waiting, or I am resting: nothing to ask */
		body = json_object_new_object();
		json_object_object_add(body, "items", json_object_new_array());
		astral_json_add_bool(body, "fallback", 0);
		astral_respond(req, 200, body);
		goto out;
	}
	expertise = astral_db_value(res, 0, 4);
	if (expertise == NULL) {
		astral_respond_error(req, 409, "no_helper_profile", "Set up your helper profile and expertise first.");
		goto out;
	}
	/* The ids and categories are the server's own words; only the excerpts are people's, and only
	   they are scrubbed (a scrubbed id could no longer be matched). */
	astral_strbuf_puts(&prompt, "Expertise: ");
	astral_strbuf_puts(&prompt, expertise);
	astral_strbuf_puts(&prompt, "\n\n");
	for (int i = 0; i < n; i++) {
		char *excerpt;

		c[i] = (struct candidate){ astral_db_value(res, i, 0), astral_db_value(res, i, 1),
		                           astral_db_value(res, i, 2), astral_db_int(res, i, 3) };
		excerpt = ai_scrub(req, c[i].excerpt);
		if (excerpt == NULL) {
			prompt.failed = 1;
			break;
		}
		astral_strbuf_puts(&prompt, "post ");
		astral_strbuf_puts(&prompt, c[i].id);
		astral_strbuf_puts(&prompt, " [");
		astral_strbuf_puts(&prompt, c[i].category);
		astral_strbuf_puts(&prompt, "]: ");
		astral_strbuf_puts(&prompt, excerpt);
		astral_strbuf_puts(&prompt, "\n");
		free(excerpt);
	}
	if (prompt.failed) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	if (!ai_gate(req, AI_ACTION_MATCH))
		goto out;
	err = ai_ask_text(req, AI_PROMPT_MATCH, prompt.s, 1, &raw);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	answer = ai_output_json(raw);
	items = json_object_new_array();
	if (!add_model_matches(items, answer, c, n)) {
		json_object_put(answer);
		answer = NULL;
	}
	body = json_object_new_object();
	astral_json_add_bool(body, "fallback", answer == NULL);
	if (answer == NULL) {
		for (int i = 0; i < n && json_object_array_length(items) < MATCHES_MAX; i++)
			if (in_expertise(expertise, c[i].category))
				json_object_array_add(items, item(&c[i], "In your area of expertise."));
	}
	json_object_object_add(body, "items", items);
	ai_audit(req, "ai_match", "post", NULL, NULL, answer == NULL ? "fallback" : "matches");
	astral_respond(req, 200, body);
out:
	json_object_put(answer);
	astral_strbuf_free(&prompt);
	free(raw);
	PQclear(res);
}
