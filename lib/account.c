/*
 * Creating an account and reading its data key: the one path that cgi-bin/auth and astralctl
 * share, so every account gets its data key, its row and its audit entry the same way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "audit.h"
#include "digest.h"
#include "random.h"

enum account_stmt {
	ACCOUNT_INSERT,
	ACCOUNT_SELECT_KEY,
	ACCOUNT_STMT_COUNT
};

/* Registered by lib/db.c in every program's connection. */
extern const struct astral_stmt astral_account_stmts[];
extern const size_t astral_account_stmt_count;

const struct astral_stmt astral_account_stmts[] = {
	[ACCOUNT_INSERT] = {
		"account_insert",
		"WITH u AS (INSERT INTO users (id, role, helper_tier, username, display_name, password_hash,"
		"  recovery_hash, created_at, updated_at)"
		"  VALUES ($1::uuid, $2::astral_role, $3, $4, $5, $6, $7::bytea,"
		"  to_timestamp($8::bigint), to_timestamp($8::bigint))"
		"  ON CONFLICT (username) DO NOTHING RETURNING id)"
		" INSERT INTO user_keys (user_id, master_version, wrapped_key, created_at)"
		" SELECT id, $9::integer, $10::bytea, to_timestamp($8::bigint) FROM u RETURNING user_id",
		10,
	},
	[ACCOUNT_SELECT_KEY] = {
		"account_select_key",
		"SELECT wrapped_key FROM user_keys WHERE user_id = $1::uuid",
		1,
	},
};
const size_t astral_account_stmt_count = ACCOUNT_STMT_COUNT;

static int
account_role_valid(const char *role)
{
	static const char *const roles[] = { "seeker", "helper", "moderator", "admin", NULL };

	for (size_t i = 0; role != NULL && roles[i] != NULL; i++) {
		if (strcmp(role, roles[i]) == 0)
			return 1;
	}
	return 0;
}

/* The CHECK on users: helpers need a tier, seekers must not have one, staff may. */
static int
account_tier_valid(const char *role, const char *tier)
{
	if (tier != NULL && strcmp(tier, "community") != 0 && strcmp(tier, "certified") != 0)
		return 0;
	if (strcmp(role, "helper") == 0)
		return tier != NULL;
	if (strcmp(role, "seeker") == 0)
		return tier == NULL;
	return 1;
}

astral_err
astral_account_create(struct astral_db *db, struct astral_keyring *kr, const struct astral_new_account *acct,
                      long long now, char id_out[37])
{
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *wrapped = NULL;
	size_t wlen = 0;
	uint32_t version = 0;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	struct astral_audit_event ev;
	PGresult *res = NULL;
	int anonymous;
	astral_err err;

	memset(dek, 0, sizeof(dek));
	if (id_out != NULL)
		id_out[0] = '\0';
	if (db == NULL || kr == NULL || acct == NULL || id_out == NULL || now < 0 ||
	    !account_role_valid(acct->role) || !account_tier_valid(acct->role, acct->helper_tier) ||
	    acct->username == NULL || acct->display_name == NULL || acct->actor_role == NULL) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	anonymous = strcmp(acct->actor_role, "anonymous") == 0;

	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_db_set_identity(db, id, acct->role);
	if (err != ASTRAL_OK)
		goto out;

	err = astral_dek_generate(dek);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_dek_wrap(kr, id, dek, &wrapped, &wlen);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_sealed_version(wrapped, wlen, &version);
	if (err != ASTRAL_OK)
		goto out;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, acct->role);
	astral_params_text(&p, acct->helper_tier);
	astral_params_text(&p, acct->username);
	astral_params_text(&p, acct->display_name);
	astral_params_text(&p, acct->password_hash);
	if (acct->recovery_hash != NULL)
		astral_params_bytes(&p, acct->recovery_hash, ASTRAL_SHA256_LEN);
	else
		astral_params_null(&p);
	astral_params_int(&p, now);
	astral_params_int(&p, (long long)version);
	astral_params_bytes(&p, wrapped, wlen);
	/* The account and its data key in one statement. A taken name inserts neither and answers
	   CONFLICT without aborting the transaction, so callers may retry. */
	err = astral_db_exec(db, &astral_account_stmts[ACCOUNT_INSERT], &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_CONFLICT;
	PQclear(res);
	res = NULL;
	if (err != ASTRAL_OK)
		goto out;

	memset(&ev, 0, sizeof(ev));
	ev.actor_id = anonymous ? id : NULL;
	ev.actor_role = anonymous ? "anonymous" : "system";
	ev.action = "account_create";
	ev.object_type = "user";
	ev.object_id = id;
	ev.subject_id = id;
	ev.outcome = "success";
	ev.request_id = acct->request_id;
	ev.detail = acct->role;
	err = astral_audit_append(db, &ev);
	if (err != ASTRAL_OK)
		goto out;

	memcpy(id_out, id, sizeof(id));
out:
	OPENSSL_cleanse(dek, sizeof(dek));
	free(wrapped);
	return err;
}

astral_err
astral_account_data_key(struct astral_db *db, struct astral_keyring *kr, const char *user_id,
                        unsigned char dek[ASTRAL_DEK_LEN])
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	memset(dek, 0, ASTRAL_DEK_LEN);
	if (db == NULL || kr == NULL || user_id == NULL || !astral_uuid_valid(user_id)) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	err = astral_db_exec(db, &astral_account_stmts[ACCOUNT_SELECT_KEY], &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) != 1) {
		err = ASTRAL_ERR_NOT_FOUND;
		goto out;
	}
	err = astral_account_data_key_open(kr, user_id, res, 0, 0, dek);
out:
	if (err != ASTRAL_OK)
		OPENSSL_cleanse(dek, ASTRAL_DEK_LEN);
	PQclear(res);
	return err;
}

astral_err
astral_account_data_key_open(struct astral_keyring *kr, const char *user_id, const PGresult *res, int row, int col,
                             unsigned char dek[ASTRAL_DEK_LEN])
{
	unsigned char *wrapped = NULL;
	size_t wlen = 0;
	astral_err err;

	memset(dek, 0, ASTRAL_DEK_LEN);
	if (kr == NULL || user_id == NULL || !astral_uuid_valid(user_id))
		return ASTRAL_ERR_INVALID;
	if (PQgetisnull(res, row, col))
		return ASTRAL_ERR_NOT_FOUND;
	err = astral_db_bytes(res, row, col, &wrapped, &wlen);
	if (err == ASTRAL_OK)
		err = astral_dek_unwrap(kr, user_id, wrapped, wlen, dek);
	if (err != ASTRAL_OK)
		OPENSSL_cleanse(dek, ASTRAL_DEK_LEN);
	free(wrapped);
	return err;
}
