/* A person's rights over their data: take all of it with them, or delete it for good. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "crypt.h"
#include "direct_request.h"
#include "encoding.h"
#include "help_session_key.h"
#include "json.h"
#include "log.h"
#include "realtime.h"

#define DELETE_CONFIRMATION "delete my account"

struct delete_in { const char *confirm; };
static const struct astral_field delete_fields[] = {
	{ "confirm", ASTRAL_F_TEXT, 1, 1, 64, NULL, offsetof(struct delete_in, confirm), 0 },
};
const struct astral_input_spec me_delete_input = { delete_fields, 1, sizeof(struct delete_in) };

/* One message of the export: its sealed body (hex, from SQL) opened with the session's key.
   A body that cannot be opened (no key, or tampered) is exported as null and logged. */
static struct json_object *
export_message(const struct json_object *row, const unsigned char *dek)
{
	struct json_object *out = json_object_new_object(), *v;
	const char *id = NULL, *hex = NULL;
	unsigned char *ct = NULL;
	size_t ctlen = 0;
	char *text = NULL;

	if (json_object_object_get_ex(row, "id", &v))
		id = json_object_get_string(v);
	if (json_object_object_get_ex(row, "body", &v))
		hex = json_object_get_string(v);
	if (json_object_object_get_ex(row, "session_id", &v))
		json_object_object_add(out, "session_id", json_object_get(v));
	if (json_object_object_get_ex(row, "sender_role", &v))
		json_object_object_add(out, "sender_role", json_object_get(v));
	if (dek != NULL && id != NULL && hex != NULL &&
	    astral_hex_decode(hex, strlen(hex), &ct, &ctlen) == ASTRAL_OK &&
	    astral_field_open(dek, "messages", "body", id, ct, ctlen, &text) == ASTRAL_OK) {
		astral_json_add_str(out, "text", text);
	} else {
		astral_log(ASTRAL_LOG_WARN, "export: a message body could not be opened");
		astral_json_add_str(out, "text", NULL);
	}
	if (json_object_object_get_ex(row, "created_at", &v))
		json_object_object_add(out, "created_at", json_object_get(v));
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(ct);
	return out;
}

/* Replace tables.messages (sealed, ordered by session) with the opened messages, loading each
   session's key once. */
static astral_err
export_open_messages(struct astral_request *req, struct json_object *tables)
{
	struct json_object *sealed, *opened;
	unsigned char dek[ASTRAL_DEK_LEN];
	char session[40] = "";
	int have_key = 0;
	astral_err err = ASTRAL_OK;

	if (!json_object_object_get_ex(tables, "messages", &sealed) || !json_object_is_type(sealed, json_type_array))
		return ASTRAL_ERR_INTERNAL;
	opened = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(sealed); i++) {
		struct json_object *row = json_object_array_get_idx(sealed, i), *v;
		const char *sid = NULL;

		if (json_object_object_get_ex(row, "session_id", &v))
			sid = json_object_get_string(v);
		if (sid == NULL || strlen(sid) >= sizeof(session)) {
			err = ASTRAL_ERR_INTERNAL;
			break;
		}
		if (strcmp(sid, session) != 0) {
			memcpy(session, sid, strlen(sid) + 1);
			err = astral_help_session_key_load(req, session, dek);
			have_key = err == ASTRAL_OK;
			if (err == ASTRAL_ERR_DB_DOWN || err == ASTRAL_ERR_DB || err == ASTRAL_ERR_NOMEM)
				break;
			err = ASTRAL_OK;
		}
		json_object_array_add(opened, export_message(row, have_key ? dek : NULL));
	}
	OPENSSL_cleanse(dek, sizeof(dek));
	if (err != ASTRAL_OK) {
		json_object_put(opened);
		return err;
	}
	json_object_object_add(tables, "messages", opened);
	return ASTRAL_OK;
}

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
	if (err == ASTRAL_OK)
		err = export_open_messages(req, tables);
	if (err == ASTRAL_OK)
		err = auth_export_open_personal(req, tables);
	if (err != ASTRAL_OK) {
		json_object_put(tables);
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
	/* A helper's pending direct requests go back to their authors, declined, before the account
	   goes (lib/direct_request.c): the author may then publish or resolve each, and hears of it as
	   of any decline. Without this the requests stayed in direct_request with nobody to accept or
	   decline them, and publish (which wants `declined`) refused them. */
	err = astral_direct_requests_decline_to(req, req->who.user_id, "account_delete");
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
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
	astral_rt_close_after_commit(req, req->who.user_id);
	astral_session_clear_cookies(req);
	astral_header(req, "Clear-Site-Data", "\"cookies\", \"storage\"");
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}
