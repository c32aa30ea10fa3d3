/* The list handlers of the sealed care records (the journal, the assessment history): one keyset
   page of the caller's rows, newest first, each opened with the caller's data key, then the
   `next` cursor and one audit row. The data key is loaded only when the page has rows. */
#include <stddef.h>

#include <openssl/crypto.h>

#include "care.h"
#include "cursor.h"
#include "json.h"

static const struct astral_field care_list_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, CARE_PAGE_MAX, NULL, offsetof(struct care_list_in, limit), CARE_PAGE_DEFAULT },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct care_list_in, cursor), 0 },
};
const struct astral_input_spec care_list_input = { care_list_fields, 2, sizeof(struct care_list_in) };

void
care_list_respond(struct astral_request *req, const struct care_list *list, const struct care_list_in *in)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct json_object *body = NULL, *items, *item;
	struct care_page page;
	struct astral_params p;
	PGresult *res = NULL;
	int have_key = 0, n, shown;
	astral_err err;

	if (care_page_from_input(req, in->limit, in->cursor, &page) != ASTRAL_OK)
		return;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	care_page_params(&p, &page);
	err = care_exec(req, list->stmt, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	shown = n < page.limit ? n : (int)page.limit;
	if (shown > 0) {
		if (care_data_key_or_answer(req, dek) != ASTRAL_OK)
			goto out;
		have_key = 1;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(body, "items", items);
	for (int i = 0; i < shown; i++) {
		err = list->item(dek, res, i, &item);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		json_object_array_add(items, item);
	}
	care_page_next(body, &page, n, shown > 0 ? astral_db_int(res, shown - 1, list->created_at_col) : 0,
	               shown > 0 ? astral_db_value(res, shown - 1, list->id_col) : NULL);
	wellness_audit(req, list->audit_action, list->audit_object_type, NULL, "list");
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	json_object_put(body);
	PQclear(res);
}
