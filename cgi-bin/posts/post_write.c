/* Writing a post: screened by the crisis detector (it flags, never blocks), taken from the writer's
   budget of posts or direct requests (lib/write_budget.h), stored, and, on a hit, an alert for the
   moderators and the resources in the writer's answer. */
#include <stddef.h>
#include <string.h>

#include "crisis_alert.h"
#include "json.h"
#include "posts.h"
#include "random.h"
#include "write_budget.h"

struct create_in { const char *category; const char *content; };
static const struct astral_field create_fields[] = {
	{ "category", ASTRAL_F_ENUM, 1, 0, 0, posts_categories, offsetof(struct create_in, category), 0 },
	{ "content", ASTRAL_F_MULTILINE, 1, 1, 5000, NULL, offsetof(struct create_in, content), 0 },
};
const struct astral_input_spec posts_create_input = { create_fields, 2, sizeof(struct create_in) };

int
posts_insert(struct astral_request *req, const char *category, const char *content, const char *requested_helper,
             PGresult **res, struct astral_crisis_result *crisis)
{
	enum astral_write_action action = requested_helper != NULL ? ASTRAL_WRITE_DIRECT_REQUEST : ASTRAL_WRITE_POST;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	astral_err err;

	*res = NULL;
	err = astral_crisis_screen(content, strlen(content), crisis);
	if (err == ASTRAL_OK)
		err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto fail;
	if (!astral_write_budget_take(req, action)) {
		/* Told to wait, a person the detector flags is still told where help is, now: "slow
		   down" alone is the worst answer to someone in crisis. Nothing was stored, so there is
		   no post for an alert to name. */
		if (req->status == 429 && crisis->severity != ASTRAL_CRISIS_NONE)
			json_object_object_add(req->response, "crisis", astral_crisis_response_json(req->app, crisis));
		return 0;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, id);
	astral_params_text(&p, category);
	astral_params_text(&p, content);
	astral_params_text(&p, requested_helper != NULL ? "direct_request" : "active");
	astral_params_text(&p, requested_helper);
	astral_params_text(&p, astral_crisis_severity_name(crisis->severity));
	astral_params_int(&p, req->now);
	err = posts_exec(req, POSTS_INSERT, &p, res);
	if (err != ASTRAL_OK)
		goto fail;
	if (crisis->severity != ASTRAL_CRISIS_NONE) {
		struct astral_crisis_alert alert = {
			.user_id = req->who.user_id, .source = "post", .source_id = id, .session_id = NULL,
			.severity = crisis->severity, .result = crisis,
		};

		err = astral_crisis_alert_raise(req, &alert, NULL);
		if (err != ASTRAL_OK)
			goto fail;
	}
	return 1;
fail:
	astral_respond_err(req, err);
	return 0;
}

int
posts_text_is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

void
posts_create(struct astral_request *req, const void *input)
{
	const struct create_in *in = input;
	struct astral_crisis_result crisis;
	struct json_object *body;
	PGresult *res = NULL;

	if (posts_text_is_blank(in->content)) {
		astral_respond_field_error(req, 400, "invalid_field", "Write something first.", "content",
		                           "must not be blank");
		return;
	}
	if (!posts_insert(req, in->category, in->content, NULL, &res, &crisis))
		goto out;
	posts_audit(req, "post_create", "post", astral_db_value(res, 0, POST_COL_ID), req->who.user_id,
	            crisis.severity != ASTRAL_CRISIS_NONE ? "crisis_flagged" : NULL);
	body = posts_post_json(res, 0);
	if (crisis.severity != ASTRAL_CRISIS_NONE)
		json_object_object_add(body, "crisis", astral_crisis_response_json(req->app, &crisis));
	astral_respond(req, 201, body);
out:
	PQclear(res);
}
