/* Two-step sign-in with TOTP (RFC 6238): enrol, confirm, remove. Required for staff. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "auth.h"
#include "encoding.h"
#include "json.h"
#include "random.h"
#include "totp.h"

static const char *const mfa_actions[] = { "enrol", "confirm", NULL };

struct mfa_post_in { const char *action; const char *code; };
static const struct astral_field mfa_post_fields[] = {
	{ "action", ASTRAL_F_ENUM, 1, 0, 0, mfa_actions, offsetof(struct mfa_post_in, action), 0 },
	{ "code", ASTRAL_F_TEXT, 0, 6, 6, NULL, offsetof(struct mfa_post_in, code), 0 },
};
const struct astral_input_spec auth_mfa_post_input = { mfa_post_fields, 2, sizeof(struct mfa_post_in) };

struct mfa_delete_in { const char *code; };
static const struct astral_field mfa_delete_fields[] = {
	{ "code", ASTRAL_F_TEXT, 1, 6, 6, NULL, offsetof(struct mfa_delete_in, code), 0 },
};
const struct astral_input_spec auth_mfa_delete_input = { mfa_delete_fields, 1, sizeof(struct mfa_delete_in) };

/* The caller's TOTP state: column 0 = active secret, 1 = pending secret, 2 = last used step. */
static astral_err
load_totp(struct astral_request *req, PGresult **res)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	return auth_exec(req, AUTH_TOTP_GET, &p, res);
}

/* Decrypt the secret in `col` and check `code` against it. UNAUTHORIZED when it does not match. */
static astral_err
check_code(struct astral_request *req, const PGresult *res, int col, const char *column, const char *code,
           int64_t *step)
{
	unsigned char dek[ASTRAL_DEK_LEN], *sealed = NULL, *raw = NULL;
	size_t slen = 0, rlen = 0;
	char *text = NULL;
	astral_err err;

	err = astral_db_bytes(res, 0, col, &sealed, &slen);
	if (err == ASTRAL_OK)
		err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, "users", column, req->who.user_id, sealed, slen, &text);
	if (err == ASTRAL_OK)
		err = astral_b64url_decode(text, strlen(text), &raw, &rlen);
	if (err == ASTRAL_OK) {
		err = astral_totp_verify(raw, rlen, code, req->now, astral_db_int(res, 0, 2), step);
		if (err == ASTRAL_ERR_INVALID)
			err = ASTRAL_ERR_UNAUTHORIZED;
	}
	OPENSSL_cleanse(dek, sizeof(dek));
	if (raw != NULL) {
		OPENSSL_cleanse(raw, rlen);
		free(raw);
	}
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(sealed);
	return err;
}

static void
mfa_enrol(struct astral_request *req, const PGresult *state)
{
	unsigned char secret[ASTRAL_TOTP_SECRET_BYTES], dek[ASTRAL_DEK_LEN], *sealed = NULL;
	size_t slen = 0;
	char *b64 = NULL, *b32 = NULL, *uri = NULL;
	struct astral_params p;
	struct json_object *body;
	astral_err err;

	if (astral_db_value(state, 0, 0) != NULL) {
		astral_respond_error(req, 409, "conflict", "Two-step sign-in is already on.");
		return;
	}
	err = astral_random_bytes(secret, sizeof(secret));
	if (err == ASTRAL_OK && ((b64 = astral_b64url_encode(secret, sizeof(secret))) == NULL ||
	                         (b32 = astral_base32_encode(secret, sizeof(secret))) == NULL))
		err = ASTRAL_ERR_NOMEM;
	if (err == ASTRAL_OK)
		err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
	if (err == ASTRAL_OK)
		err = astral_field_seal(dek, "users", "totp_pending", req->who.user_id, b64, &sealed, &slen);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_bytes(&p, sealed, slen);
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_TOTP_SET_PENDING, &p, NULL);
	}
	if (err == ASTRAL_OK && (uri = astral_totp_uri("Astral Core", req->who.user_id, secret, sizeof(secret))) == NULL)
		err = ASTRAL_ERR_NOMEM;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "mfa_enrol", "user", req->who.user_id, "success", NULL);
	body = json_object_new_object();
	astral_json_add_str(body, "secret", b32);
	astral_json_add_str(body, "otpauth_uri", uri);
	astral_respond(req, 200, body);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(dek, sizeof(dek));
	if (b64 != NULL) {
		OPENSSL_cleanse(b64, strlen(b64));
		free(b64);
	}
	if (b32 != NULL) {
		OPENSSL_cleanse(b32, strlen(b32));
		free(b32);
	}
	free(uri);
	free(sealed);
}

/* Move the pending secret to active, re-sealed under its new column name. */
static void
mfa_confirm(struct astral_request *req, const PGresult *state, const char *code)
{
	unsigned char dek[ASTRAL_DEK_LEN], *pending = NULL, *sealed = NULL;
	size_t plen = 0, slen = 0;
	char *text = NULL;
	int64_t step = 0;
	struct astral_params p;
	struct astral_issued iss;
	struct json_object *body;
	astral_err err;

	memset(&iss, 0, sizeof(iss));
	if (code == NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Enter the 6-digit code.", "code", "is required");
		return;
	}
	if (astral_db_value(state, 0, 1) == NULL) {
		astral_respond_error(req, 409, "conflict", "Start two-step sign-in set-up first.");
		return;
	}
	err = check_code(req, state, 1, "totp_pending", code, &step);
	if (err == ASTRAL_ERR_UNAUTHORIZED) {
		astral_respond_field_error(req, 400, "invalid_field", "That code is not correct.", "code",
		                           "is not correct");
		return;
	}
	if (err == ASTRAL_OK)
		err = astral_db_bytes(state, 0, 1, &pending, &plen);
	if (err == ASTRAL_OK)
		err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, "users", "totp_pending", req->who.user_id, pending, plen, &text);
	if (err == ASTRAL_OK)
		err = astral_field_seal(dek, "users", "totp_secret", req->who.user_id, text, &sealed, &slen);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_bytes(&p, sealed, slen);
		astral_params_int(&p, step);
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_TOTP_CONFIRM, &p, NULL);
	}
	if (err == ASTRAL_OK)
		err = astral_session_mark_mfa(req, &iss);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	astral_session_set_cookies(req, &iss);
	auth_audit(req, req->who.user_id, req->who.role, "mfa_confirm", "user", req->who.user_id, "success", NULL);
	body = json_object_new_object();
	astral_json_add_bool(body, "mfa_enabled", 1);
	if (strcmp(req->token_delivery, "body") == 0)
		astral_json_add_str(body, "access_token", iss.access_token);
	astral_respond(req, 200, body);
out:
	OPENSSL_cleanse(dek, sizeof(dek));
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(pending);
	free(sealed);
	astral_issued_free(&iss);
}

void
auth_mfa_post(struct astral_request *req, const void *input)
{
	const struct mfa_post_in *in = input;
	PGresult *state = NULL;
	astral_err err;

	err = load_totp(req, &state);
	if (err != ASTRAL_OK || PQntuples(state) != 1) {
		astral_respond_err(req, err != ASTRAL_OK ? err : ASTRAL_ERR_NOT_FOUND);
		goto out;
	}
	if (strcmp(in->action, "enrol") == 0)
		mfa_enrol(req, state);
	else
		mfa_confirm(req, state, in->code);
out:
	PQclear(state);
}

void
auth_mfa_delete(struct astral_request *req, const void *input)
{
	const struct mfa_delete_in *in = input;
	PGresult *state = NULL, *used = NULL;
	struct astral_params p;
	int64_t step = 0;
	astral_err err;

	if (astral_role_is_staff(req->who.role)) {
		astral_respond_error(req, 403, "mfa_required", "Staff accounts must keep two-step sign-in on.");
		return;
	}
	err = load_totp(req, &state);
	if (err != ASTRAL_OK || PQntuples(state) != 1) {
		astral_respond_err(req, err != ASTRAL_OK ? err : ASTRAL_ERR_NOT_FOUND);
		goto out;
	}
	if (astral_db_value(state, 0, 0) == NULL) {
		astral_respond_error(req, 404, "not_found", "Two-step sign-in is not on.");
		goto out;
	}
	err = check_code(req, state, 0, "totp_secret", in->code, &step);
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_int(&p, step);
		err = auth_exec(req, AUTH_TOTP_USE_STEP, &p, &used);
		if (err == ASTRAL_OK && PQntuples(used) != 1)
			err = ASTRAL_ERR_UNAUTHORIZED;
	}
	if (err == ASTRAL_ERR_UNAUTHORIZED) {
		astral_respond_field_error(req, 403, "forbidden", "That code is not correct.", "code", "is not correct");
		goto out;
	}
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_TOTP_REMOVE, &p, NULL);
	}
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "mfa_remove", "user", req->who.user_id, "success", NULL);
	astral_respond(req, 204, NULL);
out:
	PQclear(state);
	PQclear(used);
}
