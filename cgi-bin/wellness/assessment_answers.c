/* The answers of a stored assessment: opened with the data key (AAD assessments|answers|<id>)
   and checked against the assessment's form again. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "care.h"
#include "json.h"
#include "log.h"

astral_err
care_assessment_answers(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row,
                        long long out[CARE_ITEMS_MAX], size_t *n)
{
	const char *id = astral_db_value(res, row, CARE_AC_ID);
	const struct care_form *form = care_form_find(astral_db_value(res, row, CARE_AC_KIND));
	struct json_object *list = NULL;
	const char *why = NULL;
	char *text = NULL, field[24];
	astral_err err;

	*n = 0;
	if (form == NULL)
		return ASTRAL_ERR_INTERNAL;
	err = care_open_column(dek, "assessments", "answers", id, res, row, CARE_AC_ANSWERS, &text);
	if (err != ASTRAL_OK)
		return err;
	if (astral_json_parse(text, strlen(text), &list, &why) != ASTRAL_OK ||
	    care_answers_from_json(form, list, out, field, sizeof(field), &why) != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "the answers of assessment %s are not a valid list", id ? id : "-");
		err = ASTRAL_ERR_INTERNAL;
	} else {
		*n = form->nitems;
	}
	json_object_put(list);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return err;
}
