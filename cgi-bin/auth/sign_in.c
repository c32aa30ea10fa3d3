/* Getting in and out: anonymous start, helper registration, login, recovery, refresh, logout. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "auth.h"
#include "digest.h"
#include "encoding.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "random.h"
#include "realtime.h"
#include "totp.h"

#define RECOVERY_CODE_BYTES 20          /* 160 bits, shown as 32 base32 characters */
#define HANDLE_ATTEMPTS 5

/* ---- inputs ---- */

struct register_in { char username[33]; const char *password; const char *display_name; };
static const struct astral_field register_fields[] = {
	{ "username", ASTRAL_F_USERNAME, 1, 3, 32, NULL, offsetof(struct register_in, username), 0 },
	{ "password", ASTRAL_F_SECRET, 1, 1, 1024, NULL, offsetof(struct register_in, password), 0 },
	{ "display_name", ASTRAL_F_TEXT, 1, 1, AUTH_DISPLAY_NAME_MAX, NULL, offsetof(struct register_in, display_name), 0 },
};
const struct astral_input_spec auth_register_input = { register_fields, 3, sizeof(struct register_in) };

struct login_in { char username[33]; const char *password; const char *totp_code; };
static const struct astral_field login_fields[] = {
	{ "username", ASTRAL_F_USERNAME, 1, 3, 32, NULL, offsetof(struct login_in, username), 0 },
	{ "password", ASTRAL_F_SECRET, 1, 1, 1024, NULL, offsetof(struct login_in, password), 0 },
	{ "totp_code", ASTRAL_F_TEXT, 0, 6, 6, NULL, offsetof(struct login_in, totp_code), 0 },
};
const struct astral_input_spec auth_login_input = { login_fields, 3, sizeof(struct login_in) };

struct recover_in { const char *recovery_code; };
static const struct astral_field recover_fields[] = {
	{ "recovery_code", ASTRAL_F_TEXT, 1, 16, 64, NULL, offsetof(struct recover_in, recovery_code), 0 },
};
const struct astral_input_spec auth_recover_input = { recover_fields, 1, sizeof(struct recover_in) };

struct refresh_in { const char *refresh_token; };
static const struct astral_field refresh_fields[] = {
	{ "refresh_token", ASTRAL_F_TEXT, 0, 16, 128, NULL, offsetof(struct refresh_in, refresh_token), 0 },
};
const struct astral_input_spec auth_refresh_input = { refresh_fields, 1, sizeof(struct refresh_in) };

struct anonymous_in { int unused; };
const struct astral_input_spec auth_anonymous_input = { NULL, 0, sizeof(struct anonymous_in) };

/* ---- recovery codes and handles ---- */

/* A new recovery code ("ABCD-EFGH-…", 8 groups of 4) and the SHA-256 stored for it. */
static char *
new_recovery_code(unsigned char hash[ASTRAL_SHA256_LEN])
{
	unsigned char raw[RECOVERY_CODE_BYTES];
	char *b32, *code;
	size_t n, o = 0;

	if (astral_random_bytes(raw, sizeof(raw)) != ASTRAL_OK)
		return NULL;
	b32 = astral_base32_encode(raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	if (b32 == NULL)
		return NULL;
	astral_sha256(b32, strlen(b32), hash);
	n = strlen(b32);
	code = malloc(n + n / 4 + 1);
	if (code != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (i > 0 && i % 4 == 0)
				code[o++] = '-';
			code[o++] = b32[i];
		}
		code[o] = '\0';
	}
	OPENSSL_cleanse(b32, n);
	free(b32);
	return code;
}

/* Normalise what a person typed (case, spaces, dashes) and hash it. 0 when it cannot be a code. */
static int
recovery_code_hash(const char *typed, unsigned char hash[ASTRAL_SHA256_LEN])
{
	char norm[65];
	size_t o = 0;

	for (const char *p = typed; *p != '\0'; p++) {
		char c = *p;

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) || o + 1 >= sizeof(norm))
			return 0;
		norm[o++] = c;
	}
	norm[o] = '\0';
	if (o != 32)
		return 0;
	astral_sha256(norm, o, hash);
	OPENSSL_cleanse(norm, sizeof(norm));
	return 1;
}

static const char *const handle_words_a[] = {
	"quiet", "gentle", "brave", "calm", "kind", "bright", "steady", "warm", "hopeful", "patient",
	"soft", "clear", "golden", "silver", "still", "open", "honest", "restful", "tender", "mellow",
	"sunny", "misty", "starry", "cosy", "humble", "curious", "quiet", "lucid", "serene", "amber",
	"willow", "velvet",
};
static const char *const handle_words_b[] = {
	"otter", "heron", "fox", "owl", "wren", "finch", "badger", "hare", "lynx", "robin", "sparrow",
	"deer", "seal", "swan", "moth", "lark", "panda", "koala", "dolphin", "falcon", "beaver", "puffin",
	"marten", "plover", "raven", "turtle", "bison", "crane", "gecko", "lemur", "orca", "tern",
};

/* "quiet-otter-482913" and "Quiet Otter". */
static astral_err
new_handle(char *username, size_t ulen, char *display, size_t dlen)
{
	unsigned char r[6];
	const char *a, *b;
	unsigned num;
	astral_err err = astral_random_bytes(r, sizeof(r));

	if (err != ASTRAL_OK)
		return err;
	a = handle_words_a[r[0] % (sizeof(handle_words_a) / sizeof(handle_words_a[0]))];
	b = handle_words_b[r[1] % (sizeof(handle_words_b) / sizeof(handle_words_b[0]))];
	num = ((unsigned)r[2] << 16 | (unsigned)r[3] << 8 | r[4]) % 1000000u;
	snprintf(username, ulen, "%s-%s-%06u", a, b, num);
	snprintf(display, dlen, "%c%s %c%s", a[0] - 'a' + 'A', a + 1, b[0] - 'a' + 'A', b + 1);
	return ASTRAL_OK;
}

/* ---- bans (cgi-bin/moderation) ---- */

int
auth_refuse_banned(struct astral_request *req, const char *user_id, const char *role, const char *action)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body, *error, *ban;
	astral_err err;
	int banned = 0;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	err = astral_db_queue(req->app->db, &auth_stmts[AUTH_USER_LOCK], &p);
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	if (err == ASTRAL_OK)
		err = auth_exec(req, AUTH_BAN_FIND, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		banned = -1;
		goto out;
	}
	if (PQntuples(res) != 1)
		goto out;
	banned = 1;
	auth_audit(req, user_id, role, action, "user", user_id, "denied", "banned");
	error = json_object_new_object();
	astral_json_add_str(error, "code", "account_banned");
	astral_json_add_str(error, "message", "This account is suspended.");
	ban = json_object_new_object();
	astral_json_add_str(ban, "reason", astral_db_value(res, 0, 0));
	if (astral_db_value(res, 0, 1) != NULL)
		astral_json_add_time(ban, "until", astral_db_int(res, 0, 1));
	else
		json_object_object_add(ban, "until", NULL);
	json_object_object_add(error, "ban", ban);
	body = json_object_new_object();
	json_object_object_add(body, "error", error);
	astral_session_clear_cookies(req);
	astral_respond(req, 403, body);
out:
	PQclear(res);
	return banned;
}

/* ---- handlers ---- */

void
auth_anonymous(struct astral_request *req, const void *input)
{
	char username[48], display[48], id[37];
	unsigned char rhash[ASTRAL_SHA256_LEN];
	struct astral_issued iss;
	struct json_object *extra;
	char *code = NULL;
	astral_err err = ASTRAL_ERR_CONFLICT;
	struct astral_new_account acct = {
		.role = "seeker", .username = username, .display_name = display, .recovery_hash = rhash,
		.request_id = req->request_id, .actor_role = "anonymous",
	};

	(void)input;
	memset(&iss, 0, sizeof(iss));
	code = new_recovery_code(rhash);
	if (code == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	/* A random handle is almost never taken; when it is, draw another. */
	for (int attempt = 0; attempt < HANDLE_ATTEMPTS && err == ASTRAL_ERR_CONFLICT; attempt++) {
		err = new_handle(username, sizeof(username), display, sizeof(display));
		if (err == ASTRAL_OK)
			err = astral_account_create(req->app->db, req->app->keyring, &acct, req->now, id);
	}
	if (err == ASTRAL_OK)
		err = astral_session_start(req, id, "seeker", 0, &iss);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err == ASTRAL_ERR_CONFLICT ? ASTRAL_ERR_INTERNAL : err);
		goto out;
	}
	extra = json_object_new_object();
	astral_json_add_str(extra, "recovery_code", code);
	auth_respond_session(req, 201, &iss, auth_new_account_json(&acct, id, req->now), extra);
out:
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	astral_issued_free(&iss);
}

void
auth_register(struct astral_request *req, const void *input)
{
	const struct register_in *in = input;
	struct astral_issued iss;
	char *hash = NULL, id[37];
	const char *problem;
	astral_err err;
	struct astral_new_account acct = {
		.role = "helper", .helper_tier = "community", .username = in->username,
		.display_name = in->display_name, .request_id = req->request_id, .actor_role = "anonymous",
	};

	memset(&iss, 0, sizeof(iss));
	problem = astral_password_policy_problem(req->app->common_passwords, in->password);
	if (problem != NULL) {
		astral_respond_field_error(req, 400, "invalid_field", "Please choose another password.", "password",
		                           problem);
		goto out;
	}
	err = astral_password_hash(in->password, &hash);
	acct.password_hash = hash;
	if (err == ASTRAL_OK)
		err = astral_account_create(req->app->db, req->app->keyring, &acct, req->now, id);
	if (err == ASTRAL_ERR_CONFLICT) {
		astral_respond_field_error(req, 409, "conflict", "That username is taken.", "username", "is taken");
		goto out;
	}
	if (err == ASTRAL_OK)
		err = astral_session_start(req, id, "helper", 0, &iss);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_respond_session(req, 201, &iss, auth_new_account_json(&acct, id, req->now), NULL);
out:
	free(hash);
	astral_issued_free(&iss);
}

/* Per-name throttle: 429 while a failed-attempt delay runs. Returns 1 when the caller may try,
   holding the name's throttle row until COMMIT (statements.c, AUTH_THROTTLE_ENSURE). */
static int
throttle_allows(struct astral_request *req, const unsigned char name_hash[ASTRAL_SHA256_LEN])
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;
	int ok = 1;

	astral_params_init(&p);
	astral_params_bytes(&p, name_hash, ASTRAL_SHA256_LEN);
	err = astral_db_queue(req->app->db, &auth_stmts[AUTH_THROTTLE_ENSURE], &p);
	if (err == ASTRAL_OK)
		err = auth_exec(req, AUTH_THROTTLE_GET, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		ok = 0;
	} else if (PQntuples(res) == 1 && astral_db_int(res, 0, 1) > req->now) {
		char wait[24];

		snprintf(wait, sizeof(wait), "%lld", astral_db_int(res, 0, 1) - (long long)req->now);
		astral_header(req, "Retry-After", wait);
		astral_respond_error(req, 429, "too_many_requests",
		                     "Too many sign-in attempts. Please wait a little and try again.");
		ok = 0;
	}
	PQclear(res);
	return ok;
}

static void
login_failed(struct astral_request *req, const unsigned char name_hash[ASTRAL_SHA256_LEN], const char *user_id,
             const char *detail)
{
	struct astral_params p;
	struct astral_audit_event ev = {
		.actor_id = NULL, .actor_role = "anonymous", .action = "login_failure", .object_type = "user",
		.object_id = user_id, .subject_id = user_id, .outcome = "failure", .request_id = req->request_id,
		.detail = detail,
	};
	astral_err err;

	astral_params_init(&p);
	astral_params_bytes(&p, name_hash, ASTRAL_SHA256_LEN);
	astral_params_int(&p, req->now);
	err = astral_db_queue(req->app->db, &auth_stmts[AUTH_THROTTLE_FAIL], &p);
	if (err == ASTRAL_OK)
		err = astral_audit_append(req->app->db, &ev);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	astral_respond_error(req, 401, "invalid_credentials", "That username and password do not match.");
}

/* The second factor of a login; 1 when it passed. Responds itself when it did not. */
static int
login_totp(struct astral_request *req, const char *user_id, const char *code,
           const unsigned char name_hash[ASTRAL_SHA256_LEN])
{
	unsigned char dek[ASTRAL_DEK_LEN], *sealed = NULL;
	size_t slen = 0;
	char *secret_b = NULL;
	size_t secret_len = 0;
	struct astral_params p;
	PGresult *res = NULL, *used = NULL;
	int64_t step = 0;
	astral_err err;
	int ok = 0;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	err = auth_exec(req, AUTH_TOTP_GET, &p, &res);
	if (err == ASTRAL_OK)
		err = astral_db_bytes(res, 0, 0, &sealed, &slen);
	if (err == ASTRAL_OK)
		err = astral_account_data_key(req->app->db, req->app->keyring, user_id, dek);
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, "users", "totp_secret", user_id, sealed, slen, &secret_b);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	secret_len = 0;
	{
		unsigned char *raw = NULL;

		if (astral_b64url_decode(secret_b, strlen(secret_b), &raw, &secret_len) != ASTRAL_OK) {
			astral_respond_err(req, ASTRAL_ERR_INTERNAL);
			goto out;
		}
		err = astral_totp_verify(raw, secret_len, code, req->now, astral_db_int(res, 0, 2), &step);
		OPENSSL_cleanse(raw, secret_len);
		free(raw);
	}
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, user_id);
		astral_params_int(&p, step);
		err = auth_exec(req, AUTH_TOTP_USE_STEP, &p, &used);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			goto out;
		}
		if (PQntuples(used) != 1)
			err = ASTRAL_ERR_UNAUTHORIZED;        /* the same code, used a moment ago */
	}
	if (err != ASTRAL_OK) {
		login_failed(req, name_hash, user_id, "totp");
		goto out;
	}
	ok = 1;
out:
	OPENSSL_cleanse(dek, sizeof(dek));
	if (secret_b != NULL) {
		OPENSSL_cleanse(secret_b, strlen(secret_b));
		free(secret_b);
	}
	free(sealed);
	PQclear(res);
	PQclear(used);
	return ok;
}

void
auth_login(struct astral_request *req, const void *input)
{
	const struct login_in *in = input;
	unsigned char name_hash[ASTRAL_SHA256_LEN];
	char name_key[48], uid[37] = "", role[16] = "";
	struct astral_params p;
	PGresult *res = NULL;
	struct astral_issued iss;
	const char *stored;
	int totp_enabled, mfa = 0;
	astral_err err;

	memset(&iss, 0, sizeof(iss));
	snprintf(name_key, sizeof(name_key), "login|%s", in->username);
	astral_sha256(name_key, strlen(name_key), name_hash);
	if (!throttle_allows(req, name_hash))
		goto out;

	astral_params_init(&p);
	astral_params_text(&p, in->username);
	err = auth_exec(req, AUTH_LOGIN_FIND, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	stored = PQntuples(res) == 1 ? astral_db_value(res, 0, 2) : NULL;
	if (stored == NULL) {
		/* Unknown name or no password set: spend the same time as a real check. */
		astral_password_burn(in->password);
		login_failed(req, name_hash, PQntuples(res) == 1 ? astral_db_value(res, 0, 0) : NULL, "password");
		goto out;
	}
	snprintf(uid, sizeof(uid), "%s", astral_db_value(res, 0, 0));
	snprintf(role, sizeof(role), "%s", astral_db_value(res, 0, 1));
	totp_enabled = astral_db_bool(res, 0, 3);
	if (astral_password_verify(stored, in->password) != ASTRAL_OK) {
		login_failed(req, name_hash, uid, "password");
		goto out;
	}
	err = astral_db_set_identity(req->app->db, uid, role);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (totp_enabled) {
		if (in->totp_code == NULL) {
			astral_respond_field_error(req, 401, "mfa_required", "Enter the 6-digit code from your app.",
			                           "totp_code", "is required");
			goto out;
		}
		if (!login_totp(req, uid, in->totp_code, name_hash))
			goto out;
		mfa = 1;
	}
	if (auth_refuse_banned(req, uid, role, "login") != 0)
		goto out;
	if (astral_password_needs_rehash(stored)) {
		char *fresh = NULL;

		if (astral_password_hash(in->password, &fresh) == ASTRAL_OK) {
			astral_params_init(&p);
			astral_params_text(&p, uid);
			astral_params_text(&p, fresh);
			astral_params_int(&p, req->now);
			err = astral_db_queue(req->app->db, &auth_stmts[AUTH_SET_PASSWORD], &p);
			free(fresh);
			if (err != ASTRAL_OK) {
				astral_respond_err(req, err);
				goto out;
			}
		}
	}
	astral_params_init(&p);
	astral_params_bytes(&p, name_hash, sizeof(name_hash));
	err = astral_db_queue(req->app->db, &auth_stmts[AUTH_THROTTLE_CLEAR], &p);
	if (err == ASTRAL_OK)
		err = astral_session_start(req, uid, role, mfa, &iss);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, uid, role, "login", "session", iss.session_id, "success", mfa ? "password+totp" : "password");
	auth_respond_session(req, 200, &iss, NULL, NULL);
out:
	PQclear(res);
	astral_issued_free(&iss);
}

void
auth_recover(struct astral_request *req, const void *input)
{
	const struct recover_in *in = input;
	unsigned char hash[ASTRAL_SHA256_LEN], fresh_hash[ASTRAL_SHA256_LEN];
	struct astral_params p;
	PGresult *res = NULL;
	struct astral_issued iss;
	struct json_object *extra;
	char uid[37], role[16], *code = NULL;
	astral_err err;

	memset(&iss, 0, sizeof(iss));
	if (!recovery_code_hash(in->recovery_code, hash)) {
		astral_respond_error(req, 401, "invalid_credentials", "That recovery code is not valid.");
		goto out;
	}
	astral_params_init(&p);
	astral_params_bytes(&p, hash, sizeof(hash));
	err = auth_exec(req, AUTH_RECOVERY_FIND, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		struct astral_audit_event ev = {
			.actor_role = "anonymous", .action = "login_failure", .object_type = "user",
			.outcome = "failure", .request_id = req->request_id, .detail = "recovery_code",
		};

		err = astral_audit_append(req->app->db, &ev);
		if (err != ASTRAL_OK)
			astral_respond_err(req, err);
		else
			astral_respond_error(req, 401, "invalid_credentials", "That recovery code is not valid.");
		goto out;
	}
	snprintf(uid, sizeof(uid), "%s", astral_db_value(res, 0, 0));
	snprintf(role, sizeof(role), "%s", astral_db_value(res, 0, 1));
	err = astral_db_set_identity(req->app->db, uid, role);
	if (err == ASTRAL_OK && auth_refuse_banned(req, uid, role, "login") != 0)
		goto out;
	code = err == ASTRAL_OK ? new_recovery_code(fresh_hash) : NULL;
	if (err == ASTRAL_OK && code == NULL)
		err = ASTRAL_ERR_NOMEM;
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, uid);
		astral_params_bytes(&p, fresh_hash, sizeof(fresh_hash));
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_SET_RECOVERY, &p, NULL);
	}
	if (err == ASTRAL_OK)
		err = astral_session_start(req, uid, role, 0, &iss);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, uid, role, "login", "session", iss.session_id, "success", "recovery_code");
	extra = json_object_new_object();
	astral_json_add_str(extra, "recovery_code", code);
	auth_respond_session(req, 200, &iss, NULL, extra);
out:
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	PQclear(res);
	astral_issued_free(&iss);
}

void
auth_refresh(struct astral_request *req, const void *input)
{
	const struct refresh_in *in = input;
	char cookie[256];
	const char *token = in->refresh_token;
	struct astral_issued iss;
	astral_err err;

	memset(&iss, 0, sizeof(iss));
	if (token == NULL) {
		if (astral_cookie_get(req, ASTRAL_COOKIE_REFRESH, cookie, sizeof(cookie)) != ASTRAL_OK ||
		    cookie[0] == '\0') {
			astral_respond_error(req, 401, "unauthorized", "Please sign in.");
			goto out;
		}
		token = cookie;
	}
	err = astral_session_refresh(req, token, &iss);
	/* A banned person's sessions were revoked with the ban: their refresh answers why. */
	if ((err == ASTRAL_OK || err == ASTRAL_ERR_UNAUTHORIZED || err == ASTRAL_ERR_EXPIRED) && iss.user_id[0] != '\0') {
		int banned = auth_refuse_banned(req, iss.user_id, iss.role, "token_refresh");

		if (banned != 0) {
			if (banned == 1 && err == ASTRAL_OK &&
			    astral_session_revoke(req, iss.session_id, "ban") != ASTRAL_OK)
				astral_respond_err(req, ASTRAL_ERR_INTERNAL);
			goto out;
		}
	}
	switch (err) {
	case ASTRAL_OK:
		auth_audit(req, iss.user_id, iss.role, "token_refresh", "session", iss.session_id, "success", NULL);
		auth_respond_session(req, 200, &iss, NULL, NULL);
		break;
	case ASTRAL_ERR_UNAUTHORIZED:
		astral_session_clear_cookies(req);
		astral_respond_error(req, 401, "unauthorized", "Please sign in.");
		break;
	case ASTRAL_ERR_EXPIRED:
		astral_session_clear_cookies(req);
		astral_respond_error(req, 401, "session_expired", "Your session has ended. Please sign in again.");
		break;
	case ASTRAL_ERR_CONFLICT:
		astral_session_clear_cookies(req);
		astral_rt_close_after_commit(req, iss.user_id);
		astral_respond_error(req, 401, "token_reused",
		                     "This sign-in was used from somewhere else, so it has been ended for your safety.");
		break;
	default:
		astral_respond_err(req, err);
		break;
	}
out:
	OPENSSL_cleanse(cookie, sizeof(cookie));
	astral_issued_free(&iss);
}

void
auth_logout(struct astral_request *req, const void *input)
{
	astral_err err;

	(void)input;
	err = astral_session_revoke(req, req->who.session_id, "logout");
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	auth_audit(req, req->who.user_id, req->who.role, "logout", "session", req->who.session_id, "success", NULL);
	astral_rt_close_after_commit(req, req->who.user_id);
	astral_session_clear_cookies(req);
	astral_header(req, "Clear-Site-Data", "\"cookies\", \"storage\"");
	astral_respond(req, 204, NULL);
}

void
auth_session(struct astral_request *req, const void *input)
{
	struct astral_issued iss;

	(void)input;
	memset(&iss, 0, sizeof(iss));
	memcpy(iss.session_id, req->who.session_id, sizeof(iss.session_id));
	memcpy(iss.user_id, req->who.user_id, sizeof(iss.user_id));
	memcpy(iss.role, req->who.role, sizeof(iss.role));
	iss.mfa = req->who.mfa;
	iss.created_at = req->who.session_created_at;
	iss.expires_at = req->who.session_expires_at;
	iss.access_expires_at = req->who.access_expires;
	auth_respond_session(req, 200, &iss, NULL, NULL);
}
