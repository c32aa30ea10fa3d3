/*
 * The private journal: list, write, edit, delete. Text is sealed with the writer's data key.
 * Every write is screened by the crisis detector, but a journal is private: a hit shows the
 * writer crisis resources and a prompt to open their safety plan, and raises no alert.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "care.h"
#include "crisis_alert.h"
#include "json.h"
#include "random.h"

struct journal_write_in { const char *text; };
static const struct astral_field journal_write_fields[] = {
	{ "text", ASTRAL_F_MULTILINE, 1, 1, CARE_JOURNAL_MAX, NULL, offsetof(struct journal_write_in, text), 0 },
};
const struct astral_input_spec wellness_journal_write_input = {
	journal_write_fields, 1, sizeof(struct journal_write_in)
};

static const char table[] = "journal_entries";
static const char column[] = "body";
static const char not_found[] = "No such journal entry.";

/* A JournalEntry from row `row` of a journal statement, its text opened with `dek`. */
static astral_err
journal_item(const unsigned char dek[ASTRAL_DEK_LEN], const PGresult *res, int row, struct json_object **item)
{
	const char *id = astral_db_value(res, row, CARE_JC_ID);
	char *text = NULL;
	astral_err err = care_open_column(dek, table, column, id, res, row, CARE_JC_BODY, &text);

	if (err != ASTRAL_OK)
		return err;
	*item = care_journal_json(id, text, astral_db_int(res, row, CARE_JC_CREATED_AT),
	                          astral_db_int(res, row, CARE_JC_UPDATED_AT), NULL);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return ASTRAL_OK;
}

static const struct care_list journal_list = {
	CARE_JOURNAL_LIST, CARE_JC_ID, CARE_JC_CREATED_AT, journal_item, "journal_read", "journal_entry"
};

void
wellness_journal_list(struct astral_request *req, const void *input)
{
	care_list_respond(req, &journal_list, input);
}

/* Write an entry: a new one (id NULL) or an edit of `id`. */
static void
journal_write(struct astral_request *req, const struct journal_write_in *in, const char *edit_id)
{
	struct astral_crisis_result result;
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (in->text[strspn(in->text, " \t\r\n")] == '\0') {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "text",
		                           "must not be blank");
		return;
	}
	if (edit_id != NULL) {
		memcpy(id, edit_id, sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
	} else if (astral_uuid_v4(id) != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	astral_crisis_screen_or_none(in->text, &result);
	err = care_seal_for_caller(req, table, column, id, in->text, &sealed, &slen);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_bytes(&p, sealed, slen);
	astral_params_text(&p, astral_crisis_severity_name(result.severity));
	astral_params_int(&p, req->now);
	if (care_exec_row(req, edit_id ? CARE_JOURNAL_UPDATE : CARE_JOURNAL_INSERT, &p, &res, not_found) != ASTRAL_OK)
		goto out;
	wellness_audit(req, edit_id ? "journal_update" : "journal_create", "journal_entry", id, NULL);
	astral_respond(req, edit_id ? 200 : 201,
	               care_journal_json(id, in->text, astral_db_int(res, 0, CARE_JC_CREATED_AT),
	                                 astral_db_int(res, 0, CARE_JC_UPDATED_AT),
	                                 result.severity != ASTRAL_CRISIS_NONE ? astral_crisis_response_json(req->app, &result)
	                                                                       : NULL));
out:
	free(sealed);
	PQclear(res);
}

void
wellness_journal_create(struct astral_request *req, const void *input)
{
	journal_write(req, input, NULL);
}

void
wellness_journal_update(struct astral_request *req, const void *input)
{
	journal_write(req, input, req->path_params[0]);
}

void
wellness_journal_delete(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->path_params[0]);
	astral_params_text(&p, req->who.user_id);
	if (care_exec_row(req, CARE_JOURNAL_DELETE, &p, &res, not_found) != ASTRAL_OK)
		goto out;
	wellness_audit(req, "journal_delete", "journal_entry", req->path_params[0], NULL);
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}
