/* GET /api/wellness/mood/export.csv: every check-in of the caller (notes opened), then a blank
   line and every habit completion, as a CSV download. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "wellness.h"

/* The check-in rows: day,mood,anxiety,sleep,energy,tags,note (tags ;-joined). */
static astral_err
write_checkins(struct wellness_csv *csv, const PGresult *res, const unsigned char *dek)
{
	wellness_csv_text(csv, "day");
	wellness_csv_text(csv, "mood");
	wellness_csv_text(csv, "anxiety");
	wellness_csv_text(csv, "sleep");
	wellness_csv_text(csv, "energy");
	wellness_csv_text(csv, "tags");
	wellness_csv_text(csv, "note");
	wellness_csv_end_row(csv);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *joined = astral_db_value(res, i, WELLNESS_MC_TAGS);
		char tags[128];
		char *note = NULL;
		astral_err err;

		snprintf(tags, sizeof(tags), "%s", joined ? joined : "");
		for (char *p = tags; *p != '\0'; p++)
			if (*p == ',')
				*p = ';';
		if (dek != NULL) {
			err = wellness_mood_note_open(dek, res, i, &note);
			if (err != ASTRAL_OK)
				return err;
		}
		wellness_csv_text(csv, astral_db_value(res, i, WELLNESS_MC_DAY));
		wellness_csv_int(csv, astral_db_int(res, i, WELLNESS_MC_MOOD));
		wellness_csv_int(csv, astral_db_int(res, i, WELLNESS_MC_ANXIETY));
		wellness_csv_int(csv, astral_db_int(res, i, WELLNESS_MC_SLEEP));
		wellness_csv_int(csv, astral_db_int(res, i, WELLNESS_MC_ENERGY));
		wellness_csv_text(csv, tags);
		wellness_csv_text(csv, note);
		wellness_csv_end_row(csv);
		free(note);
	}
	return ASTRAL_OK;
}

static void
write_completions(struct wellness_csv *csv, const PGresult *res)
{
	wellness_csv_end_row(csv);
	wellness_csv_text(csv, "habit");
	wellness_csv_text(csv, "day");
	wellness_csv_end_row(csv);
	for (int i = 0; i < PQntuples(res); i++) {
		wellness_csv_text(csv, astral_db_value(res, i, 0));
		wellness_csv_text(csv, astral_db_value(res, i, 1));
		wellness_csv_end_row(csv);
	}
}

void
wellness_mood_export_csv(struct astral_request *req, const void *input)
{
	struct wellness_csv csv = { 0 };
	unsigned char dek[ASTRAL_DEK_LEN];
	PGresult *moods = NULL, *habits = NULL;
	char today[11], disposition[96];
	struct astral_params p;
	int have_key = 0;
	char *body = NULL;
	size_t len = 0;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = wellness_exec(req, WELLNESS_MOOD_EXPORT, &p, &moods);
	if (err == ASTRAL_OK)
		err = wellness_exec(req, WELLNESS_HABIT_EXPORT, &p, &habits);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (wellness_mood_rows_have_notes(moods)) {
		err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		have_key = 1;
	}
	err = write_checkins(&csv, moods, have_key ? dek : NULL);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	write_completions(&csv, habits);
	err = wellness_csv_finish(&csv, &body, &len);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	wellness_audit(req, "mood_read", "mood_checkin", NULL, "export");
	wellness_day_format(wellness_day_of_unix(req->now), today);
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"astral-mood-%s.csv\"", today);
	astral_header(req, "Content-Disposition", disposition);
	astral_respond_text(req, 200, "text/csv; charset=utf-8", body, len);
	body = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	wellness_csv_free(&csv);
	free(body);
	PQclear(moods);
	PQclear(habits);
}
