/* GET /api/wellness/mood: the caller's check-ins between two days, newest day first. */
#include <stddef.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "account.h"
#include "json.h"
#include "wellness.h"

struct history_in { const char *from; const char *to; };
static const struct astral_field history_fields[] = {
	{ "from", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct history_in, from), 0 },
	{ "to", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct history_in, to), 0 },
};
const struct astral_input_spec wellness_mood_history_input = { history_fields, 2, sizeof(struct history_in) };

/* from and to as day numbers: to defaults to today (UTC), from to 29 days before to. 0 after
   answering 400. */
static int
history_range(struct astral_request *req, const struct history_in *in, int32_t *from, int32_t *to)
{
	if (in->to != NULL) {
		if (wellness_day_parse(in->to, to) != ASTRAL_OK)
			goto bad_to;
	} else {
		*to = wellness_day_of_unix(req->now);
	}
	if (in->from != NULL) {
		if (wellness_day_parse(in->from, from) != ASTRAL_OK) {
			astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "from",
			                           "must be a date (YYYY-MM-DD)");
			return 0;
		}
	} else {
		*from = *to - WELLNESS_HISTORY_DEFAULT_SPAN;
	}
	if (*to < *from) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "to",
		                           "must not be before from");
		return 0;
	}
	if ((int64_t)*to - *from > WELLNESS_HISTORY_MAX_SPAN) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "from",
		                           "must be at most 366 days before to");
		return 0;
	}
	return 1;
bad_to:
	astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "to",
	                           "must be a date (YYYY-MM-DD)");
	return 0;
}

void
wellness_mood_history(struct astral_request *req, const void *input)
{
	const struct history_in *in = input;
	struct json_object *body = NULL, *items = NULL;
	unsigned char dek[ASTRAL_DEK_LEN];
	char from_text[11], to_text[11];
	struct astral_params p;
	int32_t from, to;
	int have_key = 0;
	PGresult *res = NULL;
	astral_err err;

	if (!history_range(req, in, &from, &to))
		return;
	wellness_day_format(from, from_text);
	wellness_day_format(to, to_text);
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, from_text);
	astral_params_text(&p, to_text);
	err = wellness_exec(req, WELLNESS_MOOD_RANGE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (wellness_mood_rows_have_notes(res)) {
		err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		have_key = 1;
	}
	items = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		char *note = NULL;

		if (have_key) {
			err = wellness_mood_note_open(dek, res, i, &note);
			if (err != ASTRAL_OK) {
				astral_respond_err(req, ASTRAL_ERR_INTERNAL);
				goto out;
			}
		}
		json_object_array_add(items, wellness_mood_json(res, i, note, NULL));
		free(note);
	}
	wellness_audit(req, "mood_read", "mood_checkin", NULL, "history");
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	items = NULL;
	astral_respond(req, 200, body);
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	json_object_put(items);
	PQclear(res);
}
