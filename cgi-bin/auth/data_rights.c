/* A person's rights over their data: take all of it with them, or delete it for good. */
#include <stddef.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "log.h"
#include "realtime.h"

#define DELETE_CONFIRMATION "delete my account"

struct delete_in { const char *confirm; };
static const struct astral_field delete_fields[] = {
	{ "confirm", ASTRAL_F_TEXT, 1, 1, 64, NULL, offsetof(struct delete_in, confirm), 0 },
};
const struct astral_input_spec me_delete_input = { delete_fields, 1, sizeof(struct delete_in) };

void
me_export(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *tables = NULL, *body;
	const char *text, *why;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = auth_exec(req, AUTH_EXPORT, &p, &res);
	if (err == ASTRAL_OK) {
		text = astral_db_value(res, 0, 0);
		if (text == NULL || astral_json_parse(text, strlen(text), &tables, &why) != ASTRAL_OK)
			err = ASTRAL_ERR_INTERNAL;
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "data_export", "user", req->who.user_id, "success", NULL);
	body = json_object_new_object();
	astral_json_add_int(body, "format", 1);
	astral_json_add_time(body, "exported_at", req->now);
	astral_json_add_str(body, "user_id", req->who.user_id);
	json_object_object_add(body, "tables", tables);
	astral_header(req, "Content-Disposition", "attachment; filename=\"astral-export.json\"");
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

void
me_delete(struct astral_request *req, const void *input)
{
	const struct delete_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (strcmp(in->confirm, DELETE_CONFIRMATION) != 0) {
		astral_respond_field_error(req, 400, "invalid_field", "Type the confirmation exactly.", "confirm",
		                           "must be \"" DELETE_CONFIRMATION "\"");
		return;
	}
	/* The tombstone: who and when, no content. Deleting the row cascades to every table of the
	   person's data, the data key included, so what backups still hold can no longer be read. */
	auth_audit(req, req->who.user_id, req->who.role, "account_delete", "user", req->who.user_id, "success", NULL);
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = auth_exec(req, AUTH_USER_DELETE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (astral_rt_close_user(req->app, req->who.user_id) != ASTRAL_OK)
		astral_log(ASTRAL_LOG_WARN, "could not close real-time streams after account deletion");
	astral_session_clear_cookies(req);
	astral_header(req, "Clear-Site-Data", "\"cookies\", \"storage\"");
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}
