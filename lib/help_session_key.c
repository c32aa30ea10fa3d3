#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "help_session_key.h"

enum help_session_key_stmt {
	HELP_SESSION_KEY_INSERT,
	HELP_SESSION_KEY_SELECT,
	HELP_SESSION_KEY_STMT_COUNT
};

const struct astral_stmt astral_help_session_key_stmts[] = {
	[HELP_SESSION_KEY_INSERT] = {
		"help_session_key_insert",
		"INSERT INTO help_session_keys (session_id, master_version, wrapped_key, created_at)"
		" VALUES ($1::uuid, $2::integer, $3::bytea, to_timestamp($4::bigint))",
		4,
	},
	[HELP_SESSION_KEY_SELECT] = {
		"help_session_key_select",
		"SELECT wrapped_key FROM help_session_keys WHERE session_id = $1::uuid",
		1,
	},
};
const size_t astral_help_session_key_stmt_count = HELP_SESSION_KEY_STMT_COUNT;

astral_err
astral_help_session_key_create(struct astral_request *req, const char *session_id, unsigned char dek[ASTRAL_DEK_LEN])
{
	unsigned char *wrapped = NULL;
	size_t wlen = 0;
	uint32_t version = 0;
	struct astral_params p;
	astral_err err;

	err = astral_dek_generate(dek);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_key_wrap(req->app->keyring, ASTRAL_HELP_SESSION_KEYS, session_id, dek, &wrapped, &wlen);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_sealed_version(wrapped, wlen, &version);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, session_id);
	astral_params_int(&p, (long long)version);
	astral_params_bytes(&p, wrapped, wlen);
	astral_params_int(&p, req->now);
	err = astral_db_queue(req->app->db, &astral_help_session_key_stmts[HELP_SESSION_KEY_INSERT], &p);
out:
	if (err != ASTRAL_OK)
		OPENSSL_cleanse(dek, ASTRAL_DEK_LEN);
	free(wrapped);
	return err;
}

astral_err
astral_help_session_key_open(struct astral_request *req, const char *session_id, const PGresult *res, int row,
                             int col, unsigned char dek[ASTRAL_DEK_LEN])
{
	unsigned char *wrapped = NULL;
	size_t wlen = 0;
	astral_err err;

	err = astral_db_bytes(res, row, col, &wrapped, &wlen);
	if (err == ASTRAL_OK)
		err = astral_key_unwrap(req->app->keyring, ASTRAL_HELP_SESSION_KEYS, session_id, wrapped, wlen, dek);
	free(wrapped);
	return err;
}

astral_err
astral_help_session_key_load(struct astral_request *req, const char *session_id, unsigned char dek[ASTRAL_DEK_LEN])
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, session_id);
	err = astral_db_exec(req->app->db, &astral_help_session_key_stmts[HELP_SESSION_KEY_SELECT], &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		err = ASTRAL_ERR_NOT_FOUND;
		goto out;
	}
	err = astral_help_session_key_open(req, session_id, res, 0, 0, dek);
out:
	PQclear(res);
	return err;
}
