/* JSON builders of cgi-bin/posts, the conflict answer and the audit helper. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "posts.h"

const char *const posts_categories[] = {
	"Anxiety", "Depression", "Grief", "Relationships", "Stress", "Loneliness", "Other", NULL,
};

void
posts_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
            const char *subject_id, const char *detail)
{
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = object_type, .object_id = object_id, .subject_id = subject_id, .outcome = "success",
		.request_id = req->request_id, .detail = detail,
	};

	if (astral_audit_append(req->app->db, &ev) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s", action);
}

struct json_object *
posts_post_json(const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();
	const char *requested = astral_db_value(res, row, POST_COL_REQUESTED_ID);

	astral_json_add_str(o, "id", astral_db_value(res, row, POST_COL_ID));
	astral_json_add_str(o, "category", astral_db_value(res, row, POST_COL_CATEGORY));
	astral_json_add_str(o, "content", astral_db_value(res, row, POST_COL_CONTENT));
	astral_json_add_str(o, "status", astral_db_value(res, row, POST_COL_STATUS));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, POST_COL_CREATED_AT));
	astral_json_add_int(o, "support_count", astral_db_int(res, row, POST_COL_SUPPORT_COUNT));
	astral_json_add_bool(o, "supported_by_me", astral_db_bool(res, row, POST_COL_SUPPORTED_BY_ME));
	astral_json_add_bool(o, "mine", astral_db_bool(res, row, POST_COL_MINE));
	astral_json_add_bool(o, "filtered", astral_db_bool(res, row, POST_COL_FILTERED));
	astral_json_add_str(o, "session_id", astral_db_value(res, row, POST_COL_SESSION_ID));
	if (requested != NULL) {
		struct json_object *h = json_object_new_object();
		const char *name = astral_db_value(res, row, POST_COL_REQUESTED_NAME);

		astral_json_add_str(h, "id", requested);
		astral_json_add_str(h, "display_name", name != NULL ? name : "Helper");
		json_object_object_add(o, "requested_helper", h);
	} else {
		json_object_object_add(o, "requested_helper", NULL);
	}
	json_object_object_add(o, "crisis", NULL);
	return o;
}

void
posts_respond_post_list(struct astral_request *req, const PGresult *res, long long limit, char kind, int by_count)
{
	struct json_object *body = json_object_new_object();
	struct json_object *items = json_object_new_array();
	int n = PQntuples(res);
	char *next = NULL;

	for (int i = 0; i < n && i < limit; i++)
		json_object_array_add(items, posts_post_json(res, i));
	if (n > limit) {
		int last = (int)limit - 1;

		next = posts_cursor_make(kind, by_count ? astral_db_int(res, last, POST_COL_SUPPORT_COUNT) : 0,
		                         astral_db_int(res, last, POST_COL_CREATED_US),
		                         astral_db_value(res, last, POST_COL_ID));
		if (next == NULL) {
			json_object_put(items);
			json_object_put(body);
			astral_respond_err(req, ASTRAL_ERR_NOMEM);
			return;
		}
	}
	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", next);
	free(next);
	astral_respond(req, 200, body);
}

void
posts_respond_conflict(struct astral_request *req, const char *message, const char *field, const char *problem)
{
	if (field != NULL)
		astral_respond_field_error(req, 409, "conflict", message, field, problem);
	else
		astral_respond_error(req, 409, "conflict", message);
}

struct json_object *
posts_event_new(const struct astral_request *req, const char *type)
{
	struct json_object *e = json_object_new_object();

	astral_json_add_str(e, "type", type);
	astral_json_add_time(e, "at", req->now);
	return e;
}
