/* The companion conversation: each message sealed with the person's data key (AAD
   ai_messages|body|<id>), read back opened; GET shows it, DELETE resets it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "ai.h"
#include "json.h"
#include "random.h"

void
ai_history_free(struct ai_message *m, size_t count)
{
	for (size_t i = 0; m != NULL && i < count; i++)
		free(m[i].text);
	free(m);
}

astral_err
ai_conversation_open(struct astral_request *req, struct ai_conversation *c)
{
	astral_err err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, c->dek);

	c->open = err == ASTRAL_OK;
	return err;
}

void
ai_conversation_close(struct ai_conversation *c)
{
	OPENSSL_cleanse(c->dek, sizeof(c->dek));
	c->open = 0;
}

astral_err
ai_history_from_rows(const struct ai_conversation *c, const PGresult *res, int col, struct ai_message **out,
                     size_t *count)
{
	struct ai_message *m = NULL;
	size_t rows = (size_t)PQntuples(res), k = 0;
	astral_err err = ASTRAL_OK;

	*out = NULL;
	*count = 0;
	if (!c->open)
		return ASTRAL_ERR_INTERNAL;
	if (rows == 0)
		return ASTRAL_OK;
	m = calloc(rows, sizeof(*m));
	if (m == NULL)
		return ASTRAL_ERR_NOMEM;
	for (size_t i = 0; i < rows; i++) {
		int row = (int)(rows - 1 - i);          /* newest first in the result, oldest first here */
		unsigned char *sealed = NULL;
		size_t slen = 0;

		if (PQgetisnull(res, row, col))
			continue;                       /* a row without a message (none yet) */
		snprintf(m[k].id, sizeof(m[k].id), "%s", astral_db_value(res, row, col));
		m[k].role = strcmp(astral_db_value(res, row, col + 1), "ai") == 0 ? "ai" : "user";
		m[k].fallback = astral_db_bool(res, row, col + 3);
		m[k].created_at = astral_db_int(res, row, col + 4);
		err = astral_db_bytes(res, row, col + 2, &sealed, &slen);
		if (err == ASTRAL_OK)
			err = astral_field_open(c->dek, "ai_messages", "body", m[k].id, sealed, slen, &m[k].text);
		free(sealed);
		if (err != ASTRAL_OK) {
			ai_history_free(m, k);
			return err;
		}
		k++;
	}
	*out = m;
	*count = k;
	return ASTRAL_OK;
}

astral_err
ai_history_load(struct astral_request *req, const struct ai_conversation *c, int n, struct ai_message **out,
                size_t *count)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	*out = NULL;
	*count = 0;
	if (!c->open)
		return ASTRAL_ERR_INTERNAL;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, n);
	err = ai_exec(req, AI_HISTORY_RECENT, &p, &res);
	if (err == ASTRAL_OK)
		err = ai_history_from_rows(c, res, 0, out, count);
	PQclear(res);
	return err;
}

astral_err
ai_history_append(struct astral_request *req, const struct ai_conversation *c, struct ai_message *m,
                  const char *severity)
{
	unsigned char *sealed = NULL;
	size_t slen = 0;
	struct astral_params p;
	astral_err err;

	if (!c->open)
		return ASTRAL_ERR_INTERNAL;
	err = astral_uuid_v4(m->id);
	if (err == ASTRAL_OK)
		err = astral_field_seal(c->dek, "ai_messages", "body", m->id, m->text, &sealed, &slen);
	if (err != ASTRAL_OK)
		return err;
	astral_params_init(&p);
	astral_params_text(&p, m->id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, m->role);
	astral_params_bytes(&p, sealed, slen);
	astral_params_bool(&p, m->fallback);
	astral_params_text(&p, severity);
	astral_params_int(&p, m->created_at);
	err = astral_db_queue(req->app->db, &ai_stmts[AI_MESSAGE_INSERT], &p);
	free(sealed);
	return err;
}

struct json_object *
ai_message_json(const struct ai_message *m)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", m->id);
	astral_json_add_str(o, "role", m->role);
	astral_json_add_str(o, "text", m->text);
	astral_json_add_time(o, "created_at", m->created_at);
	astral_json_add_bool(o, "fallback", m->fallback);
	return o;
}

void
ai_history_get(struct astral_request *req, const void *input)
{
	struct ai_conversation c = { .open = 0 };
	struct ai_message *m = NULL;
	struct json_object *body, *items;
	size_t n = 0;
	astral_err err;

	(void)input;
	err = ai_conversation_open(req, &c);
	if (err == ASTRAL_OK)
		err = ai_history_load(req, &c, AI_HISTORY_SHOWN, &m, &n);
	ai_conversation_close(&c);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(items, ai_message_json(&m[i]));
	json_object_object_add(body, "items", items);
	ai_history_free(m, n);
	ai_audit(req, "ai_history_read", "ai_messages", NULL, NULL, NULL);
	astral_respond(req, 200, body);
}

void
ai_history_delete(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = ai_exec(req, AI_HISTORY_DELETE, &p, &res);
	PQclear(res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	ai_audit(req, "ai_history_reset", "ai_messages", NULL, NULL, NULL);
	astral_respond(req, 204, NULL);
}
