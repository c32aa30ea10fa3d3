/* Reporting a post: the trigger hides it from the feed until a moderator decides. Each report is
   taken from the reporter's budget (lib/write_budget.h), or one account could hide every post. */
#include <stddef.h>
#include <string.h>

#include "json.h"
#include "posts.h"
#include "random.h"
#include "write_budget.h"

static const char *const reasons[] = { "spam", "hate", "self_harm", "inappropriate", "other", NULL };

struct report_in { const char *reason; const char *note; };
static const struct astral_field report_fields[] = {
	{ "reason", ASTRAL_F_ENUM, 1, 0, 0, reasons, offsetof(struct report_in, reason), 0 },
	{ "note", ASTRAL_F_MULTILINE, 0, 0, 500, NULL, offsetof(struct report_in, note), 0 },
};
const struct astral_input_spec posts_report_input = { report_fields, 2, sizeof(struct report_in) };

/* The post has left my view: because I reported it already (409), or it never was mine to see. */
static astral_err
reported_before(struct astral_request *req, const char *post_id, int *before)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, post_id);
	err = posts_exec(req, POSTS_REPORTED_BY_ME, &p, &res);
	*before = err == ASTRAL_OK && PQntuples(res) > 0;
	PQclear(res);
	return err;
}

void
posts_report(struct astral_request *req, const void *input)
{
	const struct report_in *in = input;
	const char *post_id = req->path_params[0];
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *post = NULL;
	struct json_object *body;
	astral_err err;
	int before = 0;

	err = posts_get_visible(req, post_id, &post);
	if (err == ASTRAL_ERR_NOT_FOUND) {
		err = reported_before(req, post_id, &before);
		if (err == ASTRAL_OK && before) {
			posts_respond_conflict(req, "You have already reported this post.", NULL, NULL);
			goto out;
		}
		if (err == ASTRAL_OK)
			err = ASTRAL_ERR_NOT_FOUND;
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (astral_db_bool(post, 0, POST_COL_MINE)) {
		posts_respond_conflict(req, "You cannot report your own post.", NULL, NULL);
		goto out;
	}
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	/* After the checks that answer 404 and 409 without a write: those take nothing. A report
	   that loses a race to a second one fails below, and its transaction's rollback gives the
	   token back. */
	if (!astral_write_budget_take(req, ASTRAL_WRITE_REPORT))
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, id);
	astral_params_text(&p, post_id);
	astral_params_text(&p, in->reason);
	astral_params_text(&p, in->note != NULL && in->note[0] != '\0' ? in->note : NULL);
	astral_params_int(&p, req->now);
	err = posts_exec(req, POSTS_REPORT_INSERT, &p, NULL);
	if (err == ASTRAL_ERR_CONFLICT) {
		posts_respond_conflict(req, "You have already reported this post.", NULL, NULL);
		goto out;
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	posts_audit(req, "post_report", "post", post_id, req->who.user_id, in->reason);
	body = json_object_new_object();
	astral_json_add_str(body, "id", id);
	astral_json_add_str(body, "reason", in->reason);
	astral_json_add_str(body, "status", "open");
	astral_respond(req, 201, body);
out:
	PQclear(post);
}
