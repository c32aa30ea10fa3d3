/* POST /api/wellness/mood: the day's check-in in the caller's time zone, created (201) or, when
   that day already has one, replaced (200). With a note: look the day up, seal, upsert; without
   one: a single statement. The note is private free text like a journal entry, written at the
   person's lowest moments, so it is screened the same way: a detector hit shows the writer crisis
   resources and the safety-plan prompt, and (as for the journal, docs/wellness-api-contract.md)
   raises no alert and tells nobody. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "crisis.h"
#include "crisis_alert.h"
#include "random.h"
#include "wellness.h"

const char *const wellness_mood_tags[] = {
	"Grateful", "Anxious", "Tired", "Hopeful", "Stressed", "Calm", "Lonely", "Productive", NULL
};

struct checkin_in {
	long long mood, anxiety, sleep, energy;
	struct astral_list tags;
	const char *note;
	const char *timezone;
};
static const struct astral_field checkin_fields[] = {
	{ "mood", ASTRAL_F_INT, 1, 1, 5, NULL, offsetof(struct checkin_in, mood), 0 },
	{ "anxiety", ASTRAL_F_INT, 0, 1, 5, NULL, offsetof(struct checkin_in, anxiety), 3 },
	{ "sleep", ASTRAL_F_INT, 0, 1, 5, NULL, offsetof(struct checkin_in, sleep), 3 },
	{ "energy", ASTRAL_F_INT, 0, 1, 5, NULL, offsetof(struct checkin_in, energy), 3 },
	{ "tags", ASTRAL_F_ENUM_LIST, 0, 0, 8, wellness_mood_tags, offsetof(struct checkin_in, tags), 0 },
	{ "note", ASTRAL_F_MULTILINE, 0, 0, WELLNESS_NOTE_MAX, NULL, offsetof(struct checkin_in, note), 0 },
	{ "timezone", ASTRAL_F_TEXT, 0, 1, WELLNESS_TIMEZONE_MAX, NULL, offsetof(struct checkin_in, timezone), 0 },
};
const struct astral_input_spec wellness_mood_checkin_input = {
	checkin_fields, sizeof(checkin_fields) / sizeof(checkin_fields[0]), sizeof(struct checkin_in)
};

/* The tags as one comma-separated string (tags hold no comma). */
static void
join_tags(const struct astral_list *tags, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < tags->n; i++) {
		int n = snprintf(out + used, outlen - used, "%s%s", i ? "," : "", tags->items[i]);

		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

/* The caller's local day (YYYY-MM-DD) and the id of its check-in ("" when none yet). INVALID when
   the zone is not known. */
static astral_err
checkin_day(struct astral_request *req, const char *tz, char day[11], char existing[37])
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;
	const char *d, *id;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, tz);
	astral_params_int(&p, req->now);
	err = wellness_exec(req, WELLNESS_MOOD_DAY, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	d = PQntuples(res) == 1 ? astral_db_value(res, 0, 0) : NULL;
	if (d == NULL || strlen(d) != 10) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	memcpy(day, d, 11);
	id = astral_db_value(res, 0, 1);
	existing[0] = '\0';
	if (id != NULL && strlen(id) == 36)
		memcpy(existing, id, 37);
out:
	PQclear(res);
	return err;
}

/* A check-in with a note: the note is sealed for the row's id (AAD), so the day's row is looked
   up first. Twice at most: a first attempt can lose a race with another first check-in of the
   day, whose row (and id) this one then updates. On success *res holds the row and *created says
   whether it is new; otherwise the error is answered. */
static astral_err
upsert_sealed(struct astral_request *req, const struct checkin_in *in, const char *tz, const char *tags,
              PGresult **res, int *created)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	char day[11], existing[37], id[37];
	astral_err err;

	err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return err;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		struct astral_params p;

		err = checkin_day(req, tz, day, existing);
		if (err == ASTRAL_ERR_INVALID) {
			wellness_respond_unknown_timezone(req, "timezone");
			goto out;
		}
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		*created = existing[0] == '\0';
		if (*created) {
			err = astral_uuid_v4(id);
			if (err != ASTRAL_OK) {
				astral_respond_err(req, err);
				goto out;
			}
		} else {
			memcpy(id, existing, sizeof(id));
		}
		free(sealed);
		sealed = NULL;
		err = wellness_mood_note_seal(dek, id, in->note, &sealed, &sealed_len);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		astral_params_init(&p);
		astral_params_text(&p, id);
		astral_params_text(&p, req->who.user_id);
		astral_params_text(&p, day);
		astral_params_int(&p, in->mood);
		astral_params_int(&p, in->anxiety);
		astral_params_int(&p, in->sleep);
		astral_params_int(&p, in->energy);
		astral_params_text(&p, tags);
		astral_params_bytes(&p, sealed, sealed_len);
		astral_params_int(&p, req->now);
		PQclear(*res);
		*res = NULL;
		err = wellness_exec(req, WELLNESS_MOOD_UPSERT, &p, res);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		if (PQntuples(*res) == 1)
			goto out;
	}
	err = ASTRAL_ERR_CONFLICT;
	astral_respond_err(req, err);
out:
	OPENSSL_cleanse(dek, sizeof(dek));
	free(sealed);
	return err;
}

/* A check-in without a note (the two-tap one): nothing to seal, so one statement finds the day,
   creates or replaces its row. Answers the error itself, as upsert_sealed. */
static astral_err
upsert_plain(struct astral_request *req, const struct checkin_in *in, const char *tz, const char *tags,
             PGresult **res, int *created)
{
	struct astral_params p;
	char id[37];
	astral_err err;

	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return err;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, tz);
	astral_params_int(&p, in->mood);
	astral_params_int(&p, in->anxiety);
	astral_params_int(&p, in->sleep);
	astral_params_int(&p, in->energy);
	astral_params_text(&p, tags);
	astral_params_int(&p, req->now);
	err = wellness_exec(req, WELLNESS_MOOD_UPSERT_TODAY, &p, res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return err;
	}
	if (PQntuples(*res) != 1) {
		wellness_respond_unknown_timezone(req, "timezone");
		return ASTRAL_ERR_INVALID;
	}
	/* A new row has the id offered; a replaced one keeps its own. */
	*created = strcmp(astral_db_value(*res, 0, WELLNESS_MC_ID), id) == 0;
	return ASTRAL_OK;
}

void
wellness_mood_checkin(struct astral_request *req, const void *input)
{
	const struct checkin_in *in = input;
	const char *tz = in->timezone != NULL ? in->timezone : "UTC";
	int with_note = in->note != NULL && in->note[0] != '\0';
	char tags[128];
	int created = 0;
	PGresult *res = NULL;
	struct astral_crisis_result screened;
	const char *why;
	astral_err err;

	why = wellness_timezone_problem(tz);
	if (why != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "timezone", why);
		return;
	}
	join_tags(&in->tags, tags, sizeof(tags));
	memset(&screened, 0, sizeof(screened));
	if (with_note) {
		astral_crisis_screen_or_none(in->note, &screened);
		err = upsert_sealed(req, in, tz, tags, &res, &created);
	} else {
		err = upsert_plain(req, in, tz, tags, &res, &created);
	}
	if (err == ASTRAL_OK) {
		wellness_audit(req, "mood_checkin_write", "mood_checkin", astral_db_value(res, 0, WELLNESS_MC_ID),
		               created ? "created" : "updated");
		astral_respond(req, created ? 201 : 200,
		               wellness_mood_json(res, 0, with_note ? in->note : NULL,
		                                  screened.severity != ASTRAL_CRISIS_NONE
		                                          ? astral_crisis_response_json(req->app, &screened) : NULL));
	}
	PQclear(res);
}
