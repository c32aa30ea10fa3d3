/* Pending direct requests handed back to their authors: see direct_request.h. */
#include <stddef.h>

#include "audit.h"
#include "direct_request.h"
#include "json.h"
#include "log.h"
#include "realtime.h"

enum direct_request_stmt {
	DIRECT_REQUEST_DECLINE,
	DIRECT_REQUEST_STMT_COUNT
};

const struct astral_stmt astral_direct_request_stmts[] = {
	/* Declined as the helper's own decline does ($3 the clock). $1 the helper; $2, when given,
	   keeps only that author's requests to $1 and adds $1's requests to $2 (a block between
	   them). Both arms use the partial index posts_requested. */
	[DIRECT_REQUEST_DECLINE] = {
		"direct_request_decline",
		"UPDATE posts SET status = 'declined', updated_at = to_timestamp($3::bigint)"
		" WHERE status = 'direct_request'"
		" AND ((requested_helper_id = $1::uuid AND ($2::uuid IS NULL OR author_id = $2::uuid))"
		"  OR (requested_helper_id = $2::uuid AND author_id = $1::uuid))"
		" RETURNING id, author_id",
		3,
	},
};
const size_t astral_direct_request_stmt_count = DIRECT_REQUEST_STMT_COUNT;

static ASTRAL_MUST_USE astral_err
decline(struct astral_request *req, const char *helper_id, const char *other_id, const char *subject_id,
        const char *why)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, helper_id);
	astral_params_text(&p, other_id);
	astral_params_int(&p, req->now);
	err = astral_db_exec(req->app->db, &astral_direct_request_stmts[DIRECT_REQUEST_DECLINE], &p, &res);
	for (int i = 0; err == ASTRAL_OK && i < PQntuples(res); i++) {
		const char *post_id = astral_db_value(res, i, 0);
		struct astral_audit_event ev = {
			/* astralctl (lib/role_change.c) acts as the system: no person, no request id. */
			.actor_id = req->who.user_id[0] != '\0' ? req->who.user_id : NULL, .actor_role = req->who.role,
			.action = "direct_request_decline", .object_type = "post", .object_id = post_id,
			.subject_id = subject_id, .outcome = "success",
			.request_id = req->request_id[0] != '\0' ? req->request_id : NULL, .detail = why,
		};
		struct json_object *event;

		err = astral_audit_append(req->app->db, &ev);
		if (err != ASTRAL_OK) {
			astral_log(ASTRAL_LOG_ERROR, "audit append failed for direct_request_decline: %s",
			           astral_strerror(err));
			break;
		}
		/* The same event as after the helper's own decline (cgi-bin/posts). */
		event = json_object_new_object();
		astral_json_add_str(event, "type", "direct_request.declined");
		astral_json_add_time(event, "at", req->now);
		astral_json_add_str(event, "post_id", post_id);
		astral_rt_after_commit(req, astral_db_value(res, i, 1), event);
	}
	PQclear(res);
	return err;
}

astral_err
astral_direct_requests_decline_to(struct astral_request *req, const char *helper_id, const char *why)
{
	return decline(req, helper_id, NULL, helper_id, why);
}

astral_err
astral_direct_requests_decline_between(struct astral_request *req, const char *other_id, const char *why)
{
	return decline(req, req->who.user_id, other_id, req->who.user_id, why);
}
