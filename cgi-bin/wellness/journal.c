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
#include "cursor.h"
#include "json.h"
#include "log.h"
#include "random.h"

struct journal_list_in { long long limit; const char *cursor; };
static const struct astral_field journal_list_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, CARE_PAGE_MAX, NULL, offsetof(struct journal_list_in, limit), CARE_PAGE_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct journal_list_in, cursor), 0 },
};
const struct astral_input_spec wellness_journal_list_input = {
	journal_list_fields, 2, sizeof(struct journal_list_in)
};

struct journal_write_in { const char *text; };
static const struct astral_field journal_write_fields[] = {
	{ "text", ASTRAL_F_MULTILINE, 1, 1, CARE_JOURNAL_MAX, NULL, offsetof(struct journal_write_in, text), 0 },
};
const struct astral_input_spec wellness_journal_write_input = {
	journal_write_fields, 1, sizeof(struct journal_write_in)
};

static const char table[] = "journal_entries";
static const char column[] = "body";

void
wellness_journal_list(struct astral_request *req, const void *input)
{
	const struct journal_list_in *in = input;
	unsigned char dek[ASTRAL_DEK_LEN];
	struct json_object *body = NULL, *items;
	struct care_page page;
	struct astral_params p;
	PGresult *res = NULL;
	char *text = NULL;
	int have_key = 0, n, shown;
	astral_err err;

	if (care_page_from_input(req, in->limit, in->cursor, &page) != ASTRAL_OK)
		return;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	care_page_params(&p, &page);
	err = care_exec(req, CARE_JOURNAL_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	shown = n < page.limit ? n : (int)page.limit;
	if (shown > 0) {
		err = care_data_key(req, dek);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		have_key = 1;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < shown; i++) {
		const char *id = astral_db_value(res, i, CARE_JC_ID);

		err = care_open_column(dek, table, column, id, res, i, CARE_JC_BODY, &text);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		json_object_array_add(items, care_journal_json(id, text, astral_db_int(res, i, CARE_JC_CREATED_AT),
		                                               astral_db_int(res, i, CARE_JC_UPDATED_AT), NULL));
		OPENSSL_cleanse(text, strlen(text));
		free(text);
		text = NULL;
	}
	care_page_next(body, &page, n, shown > 0 ? astral_db_int(res, shown - 1, CARE_JC_CREATED_AT) : 0,
	               shown > 0 ? astral_db_value(res, shown - 1, CARE_JC_ID) : NULL);
	care_audit(req, "journal_read", "journal_entry", NULL, "list");
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	json_object_put(body);
	PQclear(res);
}

/* Screen the writer's words; a detector failure is logged and never stops the entry. */
static void
screen(const char *text, struct astral_crisis_result *result)
{
	astral_err err = astral_crisis_screen(text, strlen(text), result);

	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "crisis screen failed: %s", astral_strerror(err));
		memset(result, 0, sizeof(*result));
	}
}

/* Write an entry: a new one (id NULL) or an edit of `id`. */
static void
journal_write(struct astral_request *req, const struct journal_write_in *in, const char *edit_id)
{
	struct astral_crisis_result result;
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	int have_key = 0;
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
	screen(in->text, &result);
	err = care_data_key(req, dek);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	have_key = 1;
	if (care_seal(dek, table, column, id, in->text, &sealed, &slen) != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_bytes(&p, sealed, slen);
	astral_params_text(&p, astral_crisis_severity_name(result.severity));
	astral_params_int(&p, req->now);
	err = care_exec(req, edit_id ? CARE_JOURNAL_UPDATE : CARE_JOURNAL_INSERT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		care_respond_not_found(req, "No such journal entry.");
		goto out;
	}
	care_audit(req, edit_id ? "journal_update" : "journal_create", "journal_entry", id, NULL);
	astral_respond(req, edit_id ? 200 : 201,
	               care_journal_json(id, in->text, astral_db_int(res, 0, CARE_JC_CREATED_AT),
	                                 astral_db_int(res, 0, CARE_JC_UPDATED_AT),
	                                 result.severity != ASTRAL_CRISIS_NONE ? astral_crisis_response_json(&result)
	                                                                       : NULL));
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
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
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->path_params[0]);
	astral_params_text(&p, req->who.user_id);
	err = care_exec(req, CARE_JOURNAL_DELETE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		care_respond_not_found(req, "No such journal entry.");
		goto out;
	}
	care_audit(req, "journal_delete", "journal_entry", req->path_params[0], NULL);
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}
