/*
 * Helper applications for certification (admins): the list (pending oldest first, decided ones
 * newest first) and the decision. Approving makes the helper's tier `certified`; a rejection
 * needs notes saying why. Keyset cursor: the list's status, the submission time in microseconds,
 * the id.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "moderation.h"

#define SUBMITTED_US_MAX 253402300799999999LL

static const char *const list_statuses[] = { "pending", "approved", "rejected", "all", NULL };
static const char *const decisions[] = { "approved", "rejected", NULL };

struct applications_in { const char *status; long long limit; const char *cursor; };
static const struct astral_field applications_fields[] = {
	{ "status", ASTRAL_F_ENUM, 0, 0, 0, list_statuses, offsetof(struct applications_in, status), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, MOD_LIST_MAX, NULL, offsetof(struct applications_in, limit), MOD_LIST_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct applications_in, cursor), 0 },
};
const struct astral_input_spec moderation_applications_input = { applications_fields, 3,
                                                                 sizeof(struct applications_in) };

struct decide_in { const char *status; const char *notes; };
static const struct astral_field decide_fields[] = {
	{ "status", ASTRAL_F_ENUM, 1, 0, 0, decisions, offsetof(struct decide_in, status), 0 },
	{ "notes", ASTRAL_F_MULTILINE, 0, 1, MOD_NOTE_MAX, NULL, offsetof(struct decide_in, notes), 0 },
};
const struct astral_input_spec moderation_decide_input = { decide_fields, 2, sizeof(struct decide_in) };

void
moderation_applications(struct astral_request *req, const void *input)
{
	const struct applications_in *in = input;
	const char *status = in->status != NULL ? in->status : "pending";
	int pending = strcmp(status, "pending") == 0;
	struct astral_cursor c;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *items = NULL;
	const char *after_id = NULL;
	char next[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long submitted_us = 0;
	int n, have_next = 0;
	astral_err err;

	if (in->cursor != NULL &&
	    (moderation_cursor_decode(in->cursor, status, 3, &c) != ASTRAL_OK ||
	     astral_cursor_int(&c, 1, &submitted_us) != ASTRAL_OK || submitted_us < 0 ||
	     submitted_us > SUBMITTED_US_MAX || astral_cursor_uuid(&c, 2, &after_id) != ASTRAL_OK)) {
		moderation_respond_bad_cursor(req);
		return;
	}
	astral_params_init(&p);
	if (!pending)
		astral_params_text(&p, strcmp(status, "all") == 0 ? NULL : status);
	if (in->cursor != NULL)
		astral_params_int(&p, submitted_us);
	else
		astral_params_null(&p);
	astral_params_text(&p, after_id);
	astral_params_int(&p, in->limit + 1);
	err = moderation_exec(req, pending ? MOD_APPLICATIONS_PENDING : MOD_APPLICATIONS_DECIDED, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++)
		json_object_array_add(items, moderation_application_json(res, i));
	if (n > in->limit) {
		int last = (int)in->limit - 1;
		const char *parts[] = { status, astral_db_value(res, last, PC_SUBMITTED_US), astral_db_value(res, last, PC_ID) };

		if (astral_cursor_encode_parts(parts, sizeof(parts) / sizeof(parts[0]), next, sizeof(next)) != ASTRAL_OK) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		have_next = 1;
	}
	err = moderation_audit(req, "application_list", "helper_application", NULL, NULL, "success", status, NULL);
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

void
moderation_application_decide(struct astral_request *req, const void *input)
{
	const struct decide_in *in = input;
	const char *id = req->path_params[0];
	int approve = strcmp(in->status, "approved") == 0;
	char helper[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!approve && in->notes == NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Say why the application is rejected.", "notes",
		                           "is required to reject");
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	err = moderation_exec(req, MOD_APPLICATION_LOCK, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	if (strcmp(astral_db_value(res, 0, 0), "pending") != 0) {
		err = moderation_refuse_conflict(req, "application_decide", "helper_application", id,
		                                 astral_db_value(res, 0, 1), "already_decided",
		                                 "That application has been decided already.");
		goto out;
	}
	snprintf(helper, sizeof(helper), "%s", astral_db_value(res, 0, 1));
	PQclear(res);
	res = NULL;
	if (approve) {
		astral_params_init(&p);
		astral_params_text(&p, helper);
		astral_params_int(&p, req->now);
		err = moderation_exec(req, MOD_HELPER_CERTIFY, &p, &res);
		if (err != ASTRAL_OK)
			goto out;
		if (PQntuples(res) != 1) {
			/* Refused like the others, with its audit row; this answer names the field. */
			err = moderation_audit(req, "application_decide", "helper_application", id, helper, "denied",
			                       "not_helper", NULL);
			if (err == ASTRAL_OK)
				astral_respond_refusal(req, 409, "not_helper", "The applicant is no longer a helper.",
				                       "status", "the applicant is no longer a helper");
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, in->status);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, in->notes);
	err = moderation_exec(req, MOD_APPLICATION_DECIDE, &p, NULL);
	if (err == ASTRAL_OK)
		err = moderation_audit(req, "application_decide", "helper_application", id, helper, "success", in->status,
		                       in->notes);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	err = moderation_exec(req, MOD_APPLICATION_GET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		astral_respond(req, 200, moderation_application_json(res, 0));
out:
	if (err != ASTRAL_OK)
		moderation_fail(req, err);
	PQclear(res);
}
