/*
 * The export's fields sealed with the person's own data key (mood notes, journal text,
 * assessment answers, the safety plan, the AI companion conversation): the export statement gives them as hex, and each is
 * opened in place with the key, loaded once. A field that cannot be opened is exported as null
 * and logged (without a word of it); NULL in the database stays null.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "auth.h"
#include "crypt.h"
#include "encoding.h"
#include "json.h"
#include "log.h"

struct sealed_field {
	const char *table;      /* the export's table, and the AAD's table */
	const char *column;     /* the export's field, and the AAD's column */
	const char *row_key;    /* the field of the row whose value is the AAD's row id */
	int is_json;            /* the plaintext is a JSON document (exported as JSON, not a string) */
};

static const struct sealed_field sealed_fields[] = {
	{ "mood_checkins", "note", "id", 0 },
	{ "journal_entries", "body", "id", 0 },
	{ "assessments", "answers", "id", 1 },
	{ "safety_plans", "plan", "user_id", 1 },
	{ "ai_messages", "body", "id", 0 },
};

/* The opened value of one field, or JSON null. */
static struct json_object *
open_field(const unsigned char dek[ASTRAL_DEK_LEN], const struct sealed_field *f, const char *row_id,
           const char *hex)
{
	struct json_object *value = NULL;
	unsigned char *ct = NULL;
	size_t ctlen = 0;
	char *text = NULL;
	const char *why;

	if (row_id != NULL && astral_hex_decode(hex, strlen(hex), &ct, &ctlen) == ASTRAL_OK &&
	    astral_field_open(dek, f->table, f->column, row_id, ct, ctlen, &text) == ASTRAL_OK) {
		if (!f->is_json)
			value = json_object_new_string(text);
		else if (astral_json_parse(text, strlen(text), &value, &why) != ASTRAL_OK)
			value = NULL;
	}
	if (value == NULL)
		astral_log(ASTRAL_LOG_WARN, "export: a sealed %s.%s could not be opened", f->table, f->column);
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(ct);
	return value;
}

static void
open_table(const unsigned char dek[ASTRAL_DEK_LEN], struct json_object *tables, const struct sealed_field *f)
{
	struct json_object *rows, *row, *v;

	if (!json_object_object_get_ex(tables, f->table, &rows) || !json_object_is_type(rows, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		const char *row_id = NULL;

		row = json_object_array_get_idx(rows, i);
		if (!json_object_object_get_ex(row, f->column, &v) || !json_object_is_type(v, json_type_string))
			continue;                              /* NULL in the database: nothing sealed */
		if (json_object_object_get_ex(row, f->row_key, &v))
			row_id = json_object_get_string(v);
		json_object_object_get_ex(row, f->column, &v);
		json_object_object_add(row, f->column, open_field(dek, f, row_id, json_object_get_string(v)));
	}
}

astral_err
auth_export_open_personal(struct astral_request *req, struct json_object *tables)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	astral_err err;

	err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
	if (err != ASTRAL_OK)
		return err;
	for (size_t i = 0; i < sizeof(sealed_fields) / sizeof(sealed_fields[0]); i++)
		open_table(dek, tables, &sealed_fields[i]);
	OPENSSL_cleanse(dek, sizeof(dek));
	return ASTRAL_OK;
}
