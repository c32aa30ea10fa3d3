/* Mood notes sealed with the user's data key, AAD mood_checkins|note|<check-in id>. */
#include <stdlib.h>

#include "wellness.h"

astral_err
wellness_mood_note_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *id, const char *note,
                        unsigned char **out, size_t *outlen)
{
	return astral_field_seal(dek, "mood_checkins", "note", id, note, out, outlen);
}

astral_err
wellness_mood_note_open(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row, char **note)
{
	unsigned char *sealed = NULL;
	size_t len = 0;
	astral_err err;

	*note = NULL;
	err = astral_db_bytes(res, row, WELLNESS_MC_NOTE, &sealed, &len);
	if (err == ASTRAL_ERR_NOT_FOUND)
		return ASTRAL_OK;
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, "mood_checkins", "note", astral_db_value(res, row, WELLNESS_MC_ID), sealed,
		                        len, note);
	free(sealed);
	return err;
}

int
wellness_mood_rows_have_notes(const PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, WELLNESS_MC_NOTE))
			return 1;
	return 0;
}
