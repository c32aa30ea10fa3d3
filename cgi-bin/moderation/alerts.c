/*
 * The crisis alert queue: by severity (high, medium, low), then oldest first; one alert with its
 * excerpt; acknowledging and resolving (with a note). Least sight: the queue shows no words, only
 * whether an alert has an excerpt (`has_excerpt`); the excerpt (at most 280 characters of the
 * post or message that fired) is read one alert at a time, and each read gets its own audit row.
 * Keyset cursor: the list's status, the severity rank, the creation time in microseconds, the id.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "moderation.h"

#define CREATED_US_MAX 253402300799999999LL

static const char *const alert_statuses[] = { "active", "open", "acknowledged", "resolved", NULL };

struct alerts_in { const char *status; long long limit; const char *cursor; };
static const struct astral_field alerts_fields[] = {
	{ "status", ASTRAL_F_ENUM, 0, 0, 0, alert_statuses, offsetof(struct alerts_in, status), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, MOD_LIST_MAX, NULL, offsetof(struct alerts_in, limit), MOD_LIST_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct alerts_in, cursor), 0 },
};
const struct astral_input_spec moderation_alerts_input = { alerts_fields, 3, sizeof(struct alerts_in) };

struct resolve_in { const char *note; };
static const struct astral_field resolve_fields[] = {
	{ "note", ASTRAL_F_MULTILINE, 1, 1, MOD_NOTE_MAX, NULL, offsetof(struct resolve_in, note), 0 },
};
const struct astral_input_spec moderation_resolve_input = { resolve_fields, 1, sizeof(struct resolve_in) };

/* The Alert of row `row` with its excerpt, and the audit row of the excerpt when it shows one;
   with `audit_plain` an alert without one is audited too (`alert_read`), subject the person. */
static struct json_object *
alert_json_audited(struct astral_request *req, const PGresult *res, int row, int audit_plain, astral_err *err)
{
	struct json_object *o;
	int had_excerpt = 0;

	o = moderation_alert_json(req, res, row, 1, &had_excerpt, err);
	if (o == NULL)
		return NULL;
	if (had_excerpt || audit_plain) {
		*err = moderation_audit(req, had_excerpt ? "alert_excerpt_read" : "alert_read", "crisis_alert",
		                        astral_db_value(res, row, AC_ID), astral_db_value(res, row, AC_USER_ID), "success",
		                        astral_db_value(res, row, AC_SOURCE), NULL);
		if (*err != ASTRAL_OK) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

void
moderation_alerts(struct astral_request *req, const void *input)
{
	const struct alerts_in *in = input;
	const char *status = in->status != NULL ? in->status : "active";
	struct astral_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *items = NULL, *item;
	const char *after_id = NULL;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long rank = 0, created_us = 0;
	int n, have_next = 0, had_excerpt = 0;
	astral_err err = ASTRAL_OK;

	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, status, 4, &c) != ASTRAL_OK ||
	     astral_cursor_int(&c, 1, &rank) != ASTRAL_OK || rank < 0 || rank > 2 ||
	     astral_cursor_int(&c, 2, &created_us) != ASTRAL_OK || created_us < 0 || created_us > CREATED_US_MAX ||
	     astral_cursor_uuid(&c, 3, &after_id) != ASTRAL_OK)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, strcmp(status, "active") == 0 ? NULL : status);
	if (in->cursor != NULL) {
		astral_params_int(&p, rank);
		astral_params_int(&p, created_us);
	} else {
		astral_params_null(&p);
		astral_params_null(&p);
	}
	astral_params_text(&p, after_id);
	astral_params_int(&p, in->limit + 1);
	err = moderation_exec(req, MOD_ALERTS_PAGE, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++) {
		item = moderation_alert_json(req, res, i, 0, &had_excerpt, &err);
		if (item == NULL)
			goto out;
		json_object_array_add(items, item);
	}
	if (n > in->limit) {
		int last = (int)in->limit - 1;
		const char *parts[] = { status, astral_db_value(res, last, AC_RANK), astral_db_value(res, last, AC_CREATED_US),
		                        astral_db_value(res, last, AC_ID) };

		if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) != ASTRAL_OK) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		have_next = 1;
	}
	err = moderation_audit(req, "alert_queue_read", "crisis_alert", NULL, NULL, "success", status, NULL);
	if (err != ASTRAL_OK)
		goto out;
	astral_respond(req, 200, moderation_list(items, have_next ? next : NULL));
	items = NULL;
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	json_object_put(items);
	PQclear(res);
}

/* 200 with the Alert `id` as it stands now, its excerpt audited (`audit_plain`: see
   alert_json_audited). */
static astral_err
respond_alert(struct astral_request *req, const char *id, int audit_plain)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *o;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	err = moderation_exec(req, MOD_ALERT_GET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err == ASTRAL_OK) {
		o = alert_json_audited(req, res, 0, audit_plain, &err);
		if (o != NULL)
			astral_respond(req, 200, o);
	}
	PQclear(res);
	return err;
}

/* One alert with its excerpt: the read of the person's words is audited (`alert_excerpt_read`),
   and so is reading an alert that has none (`alert_read`). An alert that does not exist: 404,
   nothing written. */
void
moderation_alert_get(struct astral_request *req, const void *input)
{
	astral_err err;

	(void)input;
	err = respond_alert(req, req->path_params[0], 1);
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}

/* Lock alert `id`: its status and whose safety it is about (37 bytes). */
static astral_err
lock_alert(struct astral_request *req, const char *id, char *status, size_t slen, char *user_id)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	err = moderation_exec(req, MOD_ALERT_LOCK, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err == ASTRAL_OK) {
		snprintf(status, slen, "%s", astral_db_value(res, 0, 0));
		snprintf(user_id, ASTRAL_UUID_STR_LEN + 1, "%s", astral_db_value(res, 0, 1));
	}
	PQclear(res);
	return err;
}

void
moderation_alert_ack(struct astral_request *req, const void *input)
{
	const char *id = req->path_params[0];
	char status[16], user_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	astral_err err;

	(void)input;
	err = lock_alert(req, id, status, sizeof(status), user_id);
	if (err != ASTRAL_OK)
		goto out;
	if (strcmp(status, "resolved") == 0) {
		err = moderation_refuse_conflict(req, "alert_ack", "crisis_alert", id, user_id, "already_resolved",
		                                 "That alert has been resolved already.");
		goto out;
	}
	/* A second acknowledgement keeps the first one's name and time. */
	if (strcmp(status, "open") == 0) {
		astral_params_init(&p);
		astral_params_text(&p, id);
		astral_params_text(&p, req->who.user_id);
		astral_params_int(&p, req->now);
		err = moderation_exec(req, MOD_ALERT_ACK, &p, NULL);
		if (err != ASTRAL_OK)
			goto out;
	}
	err = moderation_audit(req, "alert_ack", "crisis_alert", id, user_id, "success",
	                       strcmp(status, "open") == 0 ? "acknowledged" : "already_acknowledged", NULL);
	if (err == ASTRAL_OK)
		err = respond_alert(req, id, 0);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}

void
moderation_alert_resolve(struct astral_request *req, const void *input)
{
	const struct resolve_in *in = input;
	const char *id = req->path_params[0];
	char status[16], user_id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	astral_err err;

	err = lock_alert(req, id, status, sizeof(status), user_id);
	if (err != ASTRAL_OK)
		goto out;
	if (strcmp(status, "resolved") == 0) {
		err = moderation_refuse_conflict(req, "alert_resolve", "crisis_alert", id, user_id, "already_resolved",
		                                 "That alert has been resolved already.");
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, in->note);
	err = moderation_exec(req, MOD_ALERT_RESOLVE, &p, NULL);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "alert_resolve", "crisis_alert", id, user_id, "success", "resolved", in->note);
	if (err == ASTRAL_OK)
		err = respond_alert(req, id, 0);
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
}
