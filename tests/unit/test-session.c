/* Tests for the parts of lib/session.c that need no database: the CSRF token and its check, the
   idle limit by role, and reading the access token from the Authorization header or the cookie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "session.h"

#define NOW INT64_C(1795640145)
#define ISS "astral-test-issuer"
#define AUD "astral-test-audience"
#define USER_ID "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
#define SESSION_ID "0a1b2c3d-4e5f-4061-9273-84a5b6c7d8e9"
#define OTHER_SESSION_ID "1b2c3d4e-5f60-4172-8384-95a6b7c8d9e0"

static unsigned char test_key[] = "0123456789abcdef0123456789abcdef-session-key";
static unsigned char other_key[] = "fedcba9876543210fedcba9876543210-other-key!!";
static char issuer[] = ISS;
static char audience[] = AUD;

static void
app_init(struct astral_app *app, unsigned char *key, size_t keylen)
{
	memset(app, 0, sizeof(*app));
	app->program = "test-session";
	app->cfg.jwt_key = key;
	app->cfg.jwt_key_len = keylen;
	app->cfg.jwt_issuer = issuer;
	app->cfg.jwt_audience = audience;
	app->cfg.access_ttl = 900;
	app->cfg.idle_timeout = 1800;
	app->cfg.staff_idle_timeout = 600;
	app->cfg.absolute_timeout = 86400;
	app->cfg.max_body_bytes = 65536;
	app->db = NULL;
}

/* A request with only what these functions read: headers, the FastCGI environment, the clock. */
struct fixture {
	struct astral_app app;
	FCGX_Request fcgx;
	char *envp[4];
	char csrf_env[128];
	struct astral_request req;
};

static void
fixture_init(struct fixture *f, const char *authorization, const char *cookies, const char *csrf)
{
	memset(f, 0, sizeof(*f));
	app_init(&f->app, test_key, sizeof(test_key) - 1);
	if (csrf != NULL) {
		snprintf(f->csrf_env, sizeof(f->csrf_env), "HTTP_X_CSRF_TOKEN=%s", csrf);
		f->envp[0] = f->csrf_env;
	}
	f->fcgx.envp = f->envp;
	f->req.fcgx = &f->fcgx;
	f->req.app = &f->app;
	f->req.now = NOW;
	f->req.method = "POST";
	f->req.authorization = authorization;
	f->req.cookie_header = cookies;
	f->req.query = "";
	f->req.content_type = "";
	f->req.origin = "";
}

/* The expected token, computed here with OpenSSL directly: base64url(HMAC-SHA256(key, "csrf|" sid)). */
static void
reference_csrf(const unsigned char *key, size_t keylen, const char *sid, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE], b64[128];
	unsigned int maclen = 0;
	char msg[64];
	size_t j = 0;
	int n;

	snprintf(msg, sizeof(msg), "csrf|%s", sid);
	assert_non_null(HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), mac, &maclen));
	assert_int_equal(maclen, 32);
	n = EVP_EncodeBlock(b64, mac, (int)maclen);
	assert_true(n > 0);
	for (int i = 0; i < n && b64[i] != '='; i++) {
		char c = (char)b64[i];

		assert_true(j + 1 < outlen);
		out[j++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	out[j] = '\0';
}

/* An access token for the test key. */
static char *
make_token(const unsigned char *key, size_t keylen, const char *role, int mfa, int64_t iat, int64_t exp)
{
	struct astral_claims c;
	char *token = NULL;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", USER_ID);
	snprintf(c.sid, sizeof(c.sid), "%s", SESSION_ID);
	snprintf(c.role, sizeof(c.role), "%s", role);
	c.mfa = mfa;
	c.iat = iat;
	c.exp = exp;
	assert_int_equal(astral_jwt_issue(key, keylen, ISS, AUD, &c, &token), ASTRAL_OK);
	assert_non_null(token);
	return token;
}

/* ---- CSRF token ---- */

static void
test_session_csrf_token_matches_reference(void **state)
{
	struct astral_app app;
	char want[64];
	char *tok;

	(void)state;
	app_init(&app, test_key, sizeof(test_key) - 1);
	reference_csrf(test_key, sizeof(test_key) - 1, SESSION_ID, want, sizeof(want));
	tok = astral_csrf_token(&app, SESSION_ID);
	assert_non_null(tok);
	assert_string_equal(tok, want);
	assert_int_equal(strlen(tok), 43);
	free(tok);
}

static void
test_session_csrf_token_stable(void **state)
{
	struct astral_app app;
	char *a, *b;

	(void)state;
	app_init(&app, test_key, sizeof(test_key) - 1);
	a = astral_csrf_token(&app, SESSION_ID);
	b = astral_csrf_token(&app, SESSION_ID);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_session_csrf_token_differs(void **state)
{
	struct astral_app app, other;
	char *a, *b, *c;

	(void)state;
	app_init(&app, test_key, sizeof(test_key) - 1);
	app_init(&other, other_key, sizeof(other_key) - 1);
	a = astral_csrf_token(&app, SESSION_ID);
	b = astral_csrf_token(&app, OTHER_SESSION_ID);
	c = astral_csrf_token(&other, SESSION_ID);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_string_not_equal(a, b);    /* another session */
	assert_string_not_equal(a, c);    /* another key */
	free(a);
	free(b);
	free(c);
}

static void
test_session_csrf_valid_good(void **state)
{
	struct fixture f;
	char tok[64];

	(void)state;
	reference_csrf(test_key, sizeof(test_key) - 1, SESSION_ID, tok, sizeof(tok));
	fixture_init(&f, "", "", tok);
	f.req.who.authenticated = 1;
	snprintf(f.req.who.session_id, sizeof(f.req.who.session_id), "%s", SESSION_ID);
	assert_true(astral_csrf_valid(&f.req));
}

static void
test_session_bad_csrf_header(void **state)
{
	char right[64], other_session[64], other_key_tok[64], longer[80], shorter[64];
	const char *bad[6];
	struct fixture f;

	(void)state;
	reference_csrf(test_key, sizeof(test_key) - 1, SESSION_ID, right, sizeof(right));
	reference_csrf(test_key, sizeof(test_key) - 1, OTHER_SESSION_ID, other_session, sizeof(other_session));
	reference_csrf(other_key, sizeof(other_key) - 1, SESSION_ID, other_key_tok, sizeof(other_key_tok));
	snprintf(longer, sizeof(longer), "%sA", right);
	snprintf(shorter, sizeof(shorter), "%.42s", right);
	bad[0] = other_session;
	bad[1] = other_key_tok;
	bad[2] = longer;
	bad[3] = shorter;
	bad[4] = "";
	bad[5] = "not-a-token";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fixture_init(&f, "", "", bad[i]);
		f.req.who.authenticated = 1;
		snprintf(f.req.who.session_id, sizeof(f.req.who.session_id), "%s", SESSION_ID);
		if (astral_csrf_valid(&f.req))
			fail_msg("CSRF header \"%s\" accepted", bad[i]);
	}
}

static void
test_session_bad_csrf_missing(void **state)
{
	struct fixture f;
	char tok[64];

	(void)state;
	/* No header at all. */
	fixture_init(&f, "", "", NULL);
	f.req.who.authenticated = 1;
	snprintf(f.req.who.session_id, sizeof(f.req.who.session_id), "%s", SESSION_ID);
	assert_false(astral_csrf_valid(&f.req));

	/* The right token, but nobody is signed in. */
	reference_csrf(test_key, sizeof(test_key) - 1, SESSION_ID, tok, sizeof(tok));
	fixture_init(&f, "", "", tok);
	snprintf(f.req.who.session_id, sizeof(f.req.who.session_id), "%s", SESSION_ID);
	assert_false(astral_csrf_valid(&f.req));
}

/* ---- idle limit ---- */

static void
test_session_idle_limit_by_role(void **state)
{
	struct astral_app app;

	(void)state;
	app_init(&app, test_key, sizeof(test_key) - 1);
	assert_int_equal(astral_session_idle_limit(&app, "seeker"), 1800);
	assert_int_equal(astral_session_idle_limit(&app, "helper"), 1800);
	assert_int_equal(astral_session_idle_limit(&app, "moderator"), 600);
	assert_int_equal(astral_session_idle_limit(&app, "admin"), 600);
}

static void
test_session_bad_idle_limit_role(void **state)
{
	struct astral_app app;

	(void)state;
	app_init(&app, test_key, sizeof(test_key) - 1);
	/* Unknown roles are never treated as staff, and a NULL role does not crash. */
	assert_int_equal(astral_session_idle_limit(&app, ""), 1800);
	assert_int_equal(astral_session_idle_limit(&app, "Admin"), 1800);
	assert_int_equal(astral_session_idle_limit(&app, "administrator"), 1800);
	assert_int_equal(astral_session_idle_limit(&app, NULL), 1800);
}

/* ---- reading the access token ---- */

static void
test_session_read_token_bearer(void **state)
{
	char *tok = make_token(test_key, sizeof(test_key) - 1, "moderator", 1, NOW - 10, NOW + 890);
	char header[4200];
	struct fixture f;

	(void)state;
	snprintf(header, sizeof(header), "Bearer %s", tok);
	fixture_init(&f, header, "", NULL);
	f.req.who.via_cookie = 1;      /* stale state must be cleared */
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_OK);
	assert_true(f.req.who.authenticated);
	assert_string_equal(f.req.who.user_id, USER_ID);
	assert_string_equal(f.req.who.session_id, SESSION_ID);
	assert_string_equal(f.req.who.role, "moderator");
	assert_int_equal(f.req.who.mfa, 1);
	assert_int_equal(f.req.who.via_cookie, 0);
	assert_int_equal(f.req.who.access_expires, NOW + 890);
	free(tok);
}

static void
test_session_read_token_cookie(void **state)
{
	char *tok = make_token(test_key, sizeof(test_key) - 1, "seeker", 0, NOW - 10, NOW + 890);
	char cookies[4300];
	struct fixture f;

	(void)state;
	snprintf(cookies, sizeof(cookies), "a=b; " ASTRAL_COOKIE_ACCESS "=%s; c=d", tok);
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_OK);
	assert_true(f.req.who.authenticated);
	assert_int_equal(f.req.who.via_cookie, 1);
	assert_string_equal(f.req.who.user_id, USER_ID);
	assert_string_equal(f.req.who.session_id, SESSION_ID);
	assert_string_equal(f.req.who.role, "seeker");
	assert_int_equal(f.req.who.mfa, 0);

	/* The cookie last in the header, as the brief's example has it. */
	snprintf(cookies, sizeof(cookies), "a=b; " ASTRAL_COOKIE_ACCESS "=%s", tok);
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_OK);
	assert_int_equal(f.req.who.via_cookie, 1);
	free(tok);
}

static void
test_session_read_token_bearer_wins_over_cookie(void **state)
{
	char *bearer = make_token(test_key, sizeof(test_key) - 1, "helper", 0, NOW - 10, NOW + 890);
	char header[4200], cookies[4300];
	struct fixture f;

	(void)state;
	snprintf(header, sizeof(header), "Bearer %s", bearer);
	snprintf(cookies, sizeof(cookies), ASTRAL_COOKIE_ACCESS "=garbage");
	fixture_init(&f, header, cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_OK);
	assert_string_equal(f.req.who.role, "helper");
	assert_int_equal(f.req.who.via_cookie, 0);
	free(bearer);
}

static void
test_session_bad_token_expired(void **state)
{
	/* Past exp by more than the allowed skew. */
	char *tok = make_token(test_key, sizeof(test_key) - 1, "seeker", 0, NOW - 1000, NOW - 100);
	char header[4200], cookies[4300];
	struct fixture f;

	(void)state;
	snprintf(header, sizeof(header), "Bearer %s", tok);
	fixture_init(&f, header, "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_EXPIRED);
	assert_false(f.req.who.authenticated);

	snprintf(cookies, sizeof(cookies), ASTRAL_COOKIE_ACCESS "=%s", tok);
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_EXPIRED);
	assert_false(f.req.who.authenticated);
	free(tok);
}

static void
test_session_bad_token_scheme(void **state)
{
	char *tok = make_token(test_key, sizeof(test_key) - 1, "seeker", 0, NOW - 10, NOW + 890);
	char cookies[4300], basic_tok[4200], other_scheme[4200];
	struct fixture f;

	(void)state;
	snprintf(cookies, sizeof(cookies), ASTRAL_COOKIE_ACCESS "=%s", tok);
	snprintf(basic_tok, sizeof(basic_tok), "Basic %s", tok);
	snprintf(other_scheme, sizeof(other_scheme), "Token %s", tok);
	/* Another scheme is refused, even with a good cookie beside it. */
	fixture_init(&f, "Basic xyz", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	assert_false(f.req.who.authenticated);
	fixture_init(&f, basic_tok, "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	fixture_init(&f, other_scheme, "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	fixture_init(&f, "Bearer", "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	fixture_init(&f, "Bearer ", "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	free(tok);
}

static void
test_session_bad_token_garbage(void **state)
{
	static const char *const headers[] = {
		"Bearer garbage",
		"Bearer a.b.c",
		"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"Bearer \xff\xfe",
	};
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		fixture_init(&f, headers[i], "", NULL);
		assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
		assert_false(f.req.who.authenticated);
	}
	fixture_init(&f, "", ASTRAL_COOKIE_ACCESS "=garbage", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	assert_false(f.req.who.authenticated);
}

static void
test_session_bad_token_no_credentials(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, "", "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	fixture_init(&f, "", "a=b; c=d", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	/* An empty access cookie. */
	fixture_init(&f, "", "a=b; " ASTRAL_COOKIE_ACCESS "=; c=d", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	assert_false(f.req.who.authenticated);
	assert_int_equal(f.req.who.via_cookie, 0);
}

static void
test_session_bad_token_cookie_lookalike(void **state)
{
	char *tok = make_token(test_key, sizeof(test_key) - 1, "seeker", 0, NOW - 10, NOW + 890);
	char cookies[4300];
	struct fixture f;

	(void)state;
	/* Names that merely contain or extend the access cookie's name do not count. */
	snprintf(cookies, sizeof(cookies), "x" ASTRAL_COOKIE_ACCESS "=%s", tok);
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	snprintf(cookies, sizeof(cookies), ASTRAL_COOKIE_ACCESS "x=%s", tok);
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	free(tok);
}

static void
test_session_bad_token_wrong_key(void **state)
{
	char *tok = make_token(other_key, sizeof(other_key) - 1, "admin", 1, NOW - 10, NOW + 890);
	char header[4200];
	struct fixture f;

	(void)state;
	snprintf(header, sizeof(header), "Bearer %s", tok);
	fixture_init(&f, header, "", NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	assert_false(f.req.who.authenticated);
	assert_string_equal(f.req.who.role, "");
	free(tok);
}

static void
test_session_bad_token_too_long_cookie(void **state)
{
	size_t n = ASTRAL_JWT_MAX_LEN + 64;
	char *cookies = malloc(n + 32);
	struct fixture f;
	int used;

	(void)state;
	assert_non_null(cookies);
	used = snprintf(cookies, n + 32, ASTRAL_COOKIE_ACCESS "=");
	memset(cookies + used, 'a', n);
	cookies[(size_t)used + n] = '\0';
	fixture_init(&f, "", cookies, NULL);
	assert_int_equal(astral_session_read_token(&f.req), ASTRAL_ERR_UNAUTHORIZED);
	free(cookies);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_csrf_token_matches_reference),
		cmocka_unit_test(test_session_csrf_token_stable),
		cmocka_unit_test(test_session_csrf_token_differs),
		cmocka_unit_test(test_session_csrf_valid_good),
		cmocka_unit_test(test_session_bad_csrf_header),
		cmocka_unit_test(test_session_bad_csrf_missing),
		cmocka_unit_test(test_session_idle_limit_by_role),
		cmocka_unit_test(test_session_bad_idle_limit_role),
		cmocka_unit_test(test_session_read_token_bearer),
		cmocka_unit_test(test_session_read_token_cookie),
		cmocka_unit_test(test_session_read_token_bearer_wins_over_cookie),
		cmocka_unit_test(test_session_bad_token_expired),
		cmocka_unit_test(test_session_bad_token_scheme),
		cmocka_unit_test(test_session_bad_token_garbage),
		cmocka_unit_test(test_session_bad_token_no_credentials),
		cmocka_unit_test(test_session_bad_token_cookie_lookalike),
		cmocka_unit_test(test_session_bad_token_wrong_key),
		cmocka_unit_test(test_session_bad_token_too_long_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
