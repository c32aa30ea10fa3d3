/*
 * GET /api/admin/audit: the audit log newest first, filtered by actor, subject, action, object
 * type and days (UTC), in keyset pages (the cursor holds the last id returned). With verify=true
 * the hash chains are walked with lib/audit.c (astral_audit_verify) in the admin's own
 * transaction: row-level security lets admins read every audit row and the chain heads
 * (migration 0016), so the walk needs no rights beyond the admin's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "moderation.h"

#define AUDIT_CODE_MAX 64

struct audit_in {
	const char *actor, *subject, *action, *object_type, *from, *to, *cursor;
	long long limit;
	int verify;
};
static const struct astral_field audit_fields[] = {
	{ "actor", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct audit_in, actor), 0 },
	{ "subject", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct audit_in, subject), 0 },
	{ "action", ASTRAL_F_TEXT, 0, 1, AUDIT_CODE_MAX, NULL, offsetof(struct audit_in, action), 0 },
	{ "object_type", ASTRAL_F_TEXT, 0, 1, AUDIT_CODE_MAX, NULL, offsetof(struct audit_in, object_type), 0 },
	{ "from", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct audit_in, from), 0 },
	{ "to", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct audit_in, to), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, MOD_LIST_MAX, NULL, offsetof(struct audit_in, limit), MOD_LIST_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct audit_in, cursor), 0 },
	{ "verify", ASTRAL_F_BOOL, 0, 0, 1, NULL, offsetof(struct audit_in, verify), 0 },
};
const struct astral_input_spec moderation_audit_input = { audit_fields, 9, sizeof(struct audit_in) };

/* Columns of the MOD_AUDIT_* statements. */
enum { LC_ID, LC_AT, LC_ACTOR, LC_ROLE, LC_ACTION, LC_OBJECT_TYPE, LC_OBJECT_ID, LC_SUBJECT, LC_OUTCOME,
       LC_REQUEST_ID, LC_DETAIL };

/* Audit codes are [a-z_]{1,64} (the table's CHECK): anything else matches nothing, so say so. */
static int
audit_code_ok(const char *s)
{
	return s == NULL || (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s));
}

static struct json_object *
audit_row_json(const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_int(o, "id", astral_db_int(res, row, LC_ID));
	moderation_add_time(o, "at", res, row, LC_AT);
	astral_json_add_str(o, "actor_id", astral_db_value(res, row, LC_ACTOR));
	astral_json_add_str(o, "actor_role", astral_db_value(res, row, LC_ROLE));
	astral_json_add_str(o, "action", astral_db_value(res, row, LC_ACTION));
	astral_json_add_str(o, "object_type", astral_db_value(res, row, LC_OBJECT_TYPE));
	astral_json_add_str(o, "object_id", astral_db_value(res, row, LC_OBJECT_ID));
	astral_json_add_str(o, "subject_id", astral_db_value(res, row, LC_SUBJECT));
	astral_json_add_str(o, "outcome", astral_db_value(res, row, LC_OUTCOME));
	astral_json_add_str(o, "request_id", astral_db_value(res, row, LC_REQUEST_ID));
	astral_json_add_str(o, "detail", astral_db_value(res, row, LC_DETAIL));
	return o;
}

/* The `chain` object: walked only when asked. */
static astral_err
chain_json(struct astral_request *req, int verify, struct json_object **out)
{
	struct json_object *o = json_object_new_object();
	long long checked = 0, bad = 0;
	char why[256];
	astral_err err = ASTRAL_OK;

	*out = NULL;
	if (!verify) {
		astral_json_add_str(o, "status", "not_checked");
		astral_json_add_int(o, "checked", 0);
		json_object_object_add(o, "first_bad_id", NULL);
		*out = o;
		return ASTRAL_OK;
	}
	err = astral_audit_verify(req->app->db, &checked, &bad, why, sizeof(why));
	if (err == ASTRAL_OK) {
		astral_json_add_str(o, "status", "ok");
		astral_json_add_int(o, "checked", checked);
		json_object_object_add(o, "first_bad_id", NULL);
	} else if (err == ASTRAL_ERR_CRYPTO) {
		astral_log(ASTRAL_LOG_WARN, "audit chain broken at row %lld: %s", bad, why);
		astral_json_add_str(o, "status", "broken");
		astral_json_add_int(o, "checked", checked);
		astral_json_add_int(o, "first_bad_id", bad);
		err = ASTRAL_OK;
	} else {
		json_object_put(o);
		return err;
	}
	*out = o;
	return err;
}

void
moderation_audit_log(struct astral_request *req, const void *input)
{
	const struct audit_in *in = input;
	struct astral_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body = NULL, *items, *chain = NULL;
	enum moderation_stmt stmt;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long before = INT64_MAX;
	int n;
	astral_err err;

	if (!audit_code_ok(in->action)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "action",
		                           "must be lower-case letters and underscores");
		return;
	}
	if (!audit_code_ok(in->object_type)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "object_type",
		                           "must be lower-case letters and underscores");
		return;
	}
	/* Dates are YYYY-MM-DD: their order is the order of the strings. */
	if (in->from != NULL && in->to != NULL && strcmp(in->from, in->to) > 0) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "to",
		                           "must not be before from");
		return;
	}
	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, "l", 2, &c) != ASTRAL_OK || astral_cursor_int(&c, 1, &before) != ASTRAL_OK ||
	     before < 1)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	stmt = in->actor != NULL ? MOD_AUDIT_BY_ACTOR : in->subject != NULL ? MOD_AUDIT_BY_SUBJECT : MOD_AUDIT_ALL;
	astral_params_init(&p);
	astral_params_text(&p, in->actor);
	astral_params_text(&p, in->subject);
	astral_params_text(&p, in->action);
	astral_params_text(&p, in->object_type);
	astral_params_text(&p, in->from);
	astral_params_text(&p, in->to);
	astral_params_int(&p, before);
	astral_params_int(&p, in->limit + 1);
	err = moderation_exec(req, stmt, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	err = chain_json(req, in->verify == 1, &chain);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < n && i < in->limit; i++)
		json_object_array_add(items, audit_row_json(res, i));
	if (n > in->limit) {
		const char *parts[] = { "l", astral_db_value(res, (int)in->limit - 1, LC_ID) };

		if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) != ASTRAL_OK) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		astral_json_add_str(body, "next", next);
	} else {
		astral_json_add_str(body, "next", NULL);
	}
	json_object_object_add(body, "chain", chain);
	chain = NULL;
	err = moderation_audit(req, "audit_query", "audit_log", NULL, in->subject, "success",
	                       in->verify == 1 ? "verify" : "list", NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	json_object_put(chain);
	json_object_put(body);
	PQclear(res);
}
