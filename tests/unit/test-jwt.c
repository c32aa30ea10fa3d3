/* Access-token issue and verify: a round trip, the skew edges, and a table of attacks that must
   all end in 401 (ASTRAL_ERR_UNAUTHORIZED or, for a genuine but old token, ASTRAL_ERR_EXPIRED). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../lib/jwt.h"

#define NOW INT64_C(1700000000)
#define ISS "astral-core"
#define AUD "astral-core"
#define SUB "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
#define SID "0a1b2c3d-4e5f-4061-9273-84a5b6c7d8e9"

static const unsigned char test_key[] = "0123456789abcdef0123456789abcdef-test-key";
#define TEST_KEYLEN (sizeof(test_key) - 1)
static const unsigned char other_key[] = "fedcba9876543210fedcba9876543210-other-key";
#define OTHER_KEYLEN (sizeof(other_key) - 1)

/* ---- hand-built tokens ---- */

static void
b64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	unsigned char tmp[16384];
	int n;
	size_t i, j = 0;

	assert_true(len <= 12000);
	n = EVP_EncodeBlock(tmp, in, (int)len);
	assert_true(n >= 0);
	for (i = 0; i < (size_t)n; i++) {
		char ch = (char)tmp[i];

		if (ch == '=')
			break;
		if (ch == '+')
			ch = '-';
		else if (ch == '/')
			ch = '_';
		assert_true(j + 1 < outlen);
		out[j++] = ch;
	}
	out[j] = '\0';
}

enum sign_mode {
	SIGN_HS256,        /* HMAC-SHA256 with the right key */
	SIGN_WRONG_KEY,    /* HMAC-SHA256 with another key */
	SIGN_HS384,        /* HMAC-SHA384 with the right key */
	SIGN_HS512,        /* HMAC-SHA512 with the right key */
	SIGN_EMPTY,        /* "header.payload." */
	SIGN_JUNK,         /* a signature that is base64url but means nothing */
	SIGN_TAMPERED      /* signature over the default payload, the row's payload sent instead */
};

struct override {
	const char *key;
	const char *json;  /* JSON value text; NULL leaves the claim out */
};

static const struct override default_claims[] = {
	{ "typ", "\"access\"" },
	{ "iss", "\"" ISS "\"" },
	{ "aud", "\"" AUD "\"" },
	{ "sub", "\"" SUB "\"" },
	{ "sid", "\"" SID "\"" },
	{ "role", "\"helper\"" },
	{ "mfa", "false" },
	{ "iat", "1699999900" },
	{ "exp", "1700000800" },
};
#define N_DEFAULT (sizeof(default_claims) / sizeof(default_claims[0]))
#define MAX_OVERRIDES 3

static void
build_payload(const struct override *ov, char *out, size_t outlen)
{
	size_t i, k, used = 0;
	int n;
	const char *sep = "";

	n = snprintf(out, outlen, "{");
	assert_true(n > 0 && (size_t)n < outlen);
	used = (size_t)n;
	for (i = 0; i < N_DEFAULT; i++) {
		const char *val = default_claims[i].json;

		for (k = 0; k < MAX_OVERRIDES && ov && ov[k].key; k++)
			if (strcmp(ov[k].key, default_claims[i].key) == 0)
				val = ov[k].json;
		if (!val)
			continue;
		n = snprintf(out + used, outlen - used, "%s\"%s\":%s", sep, default_claims[i].key, val);
		assert_true(n > 0 && (size_t)n < outlen - used);
		used += (size_t)n;
		sep = ",";
	}
	for (k = 0; k < MAX_OVERRIDES && ov && ov[k].key; k++) {
		bool known = false;

		for (i = 0; i < N_DEFAULT; i++)
			if (strcmp(ov[k].key, default_claims[i].key) == 0)
				known = true;
		if (known || !ov[k].json)
			continue;
		n = snprintf(out + used, outlen - used, "%s\"%s\":%s", sep, ov[k].key, ov[k].json);
		assert_true(n > 0 && (size_t)n < outlen - used);
		used += (size_t)n;
		sep = ",";
	}
	n = snprintf(out + used, outlen - used, "}");
	assert_true(n > 0 && (size_t)n < outlen - used);
}

static void
make_token(const char *header, const char *payload, enum sign_mode mode, char *out, size_t outlen)
{
	char h64[2048], p64[16384], s64[256], signing[20000], def_payload[2048];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	const EVP_MD *md = EVP_sha256();
	const unsigned char *key = test_key;
	size_t keylen = TEST_KEYLEN;
	int n;

	b64url((const unsigned char *)header, strlen(header), h64, sizeof(h64));
	if (mode == SIGN_TAMPERED) {
		build_payload(NULL, def_payload, sizeof(def_payload));
		b64url((const unsigned char *)def_payload, strlen(def_payload), p64, sizeof(p64));
	} else {
		b64url((const unsigned char *)payload, strlen(payload), p64, sizeof(p64));
	}
	n = snprintf(signing, sizeof(signing), "%s.%s", h64, p64);
	assert_true(n > 0 && (size_t)n < sizeof(signing));
	if (mode == SIGN_WRONG_KEY) {
		key = other_key;
		keylen = OTHER_KEYLEN;
	} else if (mode == SIGN_HS384) {
		md = EVP_sha384();
	} else if (mode == SIGN_HS512) {
		md = EVP_sha512();
	}
	assert_non_null(HMAC(md, key, (int)keylen, (const unsigned char *)signing, strlen(signing), mac, &maclen));
	if (mode == SIGN_EMPTY)
		s64[0] = '\0';
	else if (mode == SIGN_JUNK)
		snprintf(s64, sizeof(s64), "%s", "c2lnbmF0dXJlLXRoYXQtbWVhbnMtbm90aGluZw");
	else
		b64url(mac, maclen, s64, sizeof(s64));
	if (mode == SIGN_TAMPERED)
		b64url((const unsigned char *)payload, strlen(payload), p64, sizeof(p64));
	n = snprintf(out, outlen, "%s.%s.%s", h64, p64, s64);
	assert_true(n > 0 && (size_t)n < outlen);
}

static void
make_default_token(const struct override *ov, char *out, size_t outlen)
{
	static char payload[16384];

	build_payload(ov, payload, sizeof(payload));
	make_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, SIGN_HS256, out, outlen);
}

static astral_err
verify(const char *token, int64_t now, struct astral_claims *out)
{
	return astral_jwt_verify(test_key, TEST_KEYLEN, ISS, AUD, token, now, out);
}

static void
good_claims(struct astral_claims *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->sub, SUB, sizeof(SUB));
	memcpy(c->sid, SID, sizeof(SID));
	memcpy(c->role, "moderator", sizeof("moderator"));
	c->mfa = 1;
	c->iat = NOW;
	c->exp = NOW + 900;
}

/* ---- good cases ---- */

static void
test_jwt_round_trip(void **state)
{
	struct astral_claims in, out;
	char *token = NULL;

	(void)state;
	good_claims(&in);
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &in, &token), ASTRAL_OK);
	assert_non_null(token);
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(verify(token, NOW + 10, &out), ASTRAL_OK);
	assert_string_equal(out.sub, SUB);
	assert_string_equal(out.sid, SID);
	assert_string_equal(out.role, "moderator");
	assert_int_equal(out.mfa, 1);
	assert_int_equal(out.iat, NOW);
	assert_int_equal(out.exp, NOW + 900);

	/* Same token, other verifier settings: every one of these must fail. */
	assert_int_equal(astral_jwt_verify(other_key, OTHER_KEYLEN, ISS, AUD, token, NOW, &out),
	    ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_verify(test_key, TEST_KEYLEN, "someone-else", AUD, token, NOW, &out),
	    ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_verify(test_key, TEST_KEYLEN, ISS, "other-aud", token, NOW, &out),
	    ASTRAL_ERR_UNAUTHORIZED);
	free(token);
}

static void
test_jwt_round_trip_without_mfa(void **state)
{
	struct astral_claims in, out;
	char *token = NULL;

	(void)state;
	good_claims(&in);
	in.mfa = 0;
	memcpy(in.role, "seeker", sizeof("seeker"));
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &in, &token), ASTRAL_OK);
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	assert_int_equal(out.mfa, 0);
	assert_string_equal(out.role, "seeker");
	free(token);
}

/* The hand-built token helper makes tokens that verify: the attack rows below change one thing. */
static void
test_jwt_hand_built_good(void **state)
{
	char token[8192];
	struct astral_claims out;
	static const struct override no_mfa[] = { { "mfa", NULL }, { NULL, NULL } };

	(void)state;
	make_default_token(NULL, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	assert_string_equal(out.role, "helper");
	assert_int_equal(out.mfa, 0);
	make_default_token(no_mfa, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	assert_int_equal(out.mfa, 0);
}

static void
test_jwt_audience_array(void **state)
{
	char token[8192];
	struct astral_claims out;
	static const struct override ok[] = { { "aud", "[\"other\",\"" AUD "\"]" }, { NULL, NULL } };
	static const struct override bad[] = { { "aud", "[\"other\",\"more\"]" }, { NULL, NULL } };

	(void)state;
	make_default_token(ok, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	make_default_token(bad, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
}

static void
test_jwt_uuid_lower_cased(void **state)
{
	char token[8192];
	struct astral_claims out;
	static const struct override upper[] = {
		{ "sub", "\"6F1C2D3E-4A5B-4C6D-8E7F-901234567890\"" }, { NULL, NULL }
	};

	(void)state;
	make_default_token(upper, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	assert_string_equal(out.sub, SUB);
}

/* 60 seconds of skew, exactly: inside on one side of each edge, outside on the other. */
static void
test_jwt_skew_edges(void **state)
{
	struct astral_claims in, out;
	char *token = NULL;
	char hand[8192];
	static const struct override nbf_edge[] = { { "nbf", "1700000060" }, { NULL, NULL } };
	static const struct override nbf_past[] = { { "nbf", "1700000061" }, { NULL, NULL } };

	(void)state;
	good_claims(&in);
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &in, &token), ASTRAL_OK);
	/* exp + 60 > now */
	assert_int_equal(verify(token, in.exp + 59, &out), ASTRAL_OK);
	assert_int_equal(verify(token, in.exp + 60, &out), ASTRAL_ERR_EXPIRED);
	assert_int_equal(verify(token, in.exp + 100000, &out), ASTRAL_ERR_EXPIRED);
	/* iat <= now + 60 */
	assert_int_equal(verify(token, in.iat - 60, &out), ASTRAL_OK);
	assert_int_equal(verify(token, in.iat - 61, &out), ASTRAL_ERR_UNAUTHORIZED);
	free(token);

	/* nbf <= now + 60 */
	make_default_token(nbf_edge, hand, sizeof(hand));
	assert_int_equal(verify(hand, NOW, &out), ASTRAL_OK);
	make_default_token(nbf_past, hand, sizeof(hand));
	assert_int_equal(verify(hand, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(verify(hand, NOW + 1, &out), ASTRAL_OK);
}

/* exp - iat <= 3600 holds at 3600 and fails at 3601. */
static void
test_jwt_lifetime_edge(void **state)
{
	char token[8192];
	struct astral_claims out;
	static const struct override at[] = { { "iat", "1700000000" }, { "exp", "1700003600" }, { NULL, NULL } };
	static const struct override over[] = { { "iat", "1700000000" }, { "exp", "1700003601" }, { NULL, NULL } };

	(void)state;
	make_default_token(at, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_OK);
	make_default_token(over, token, sizeof(token));
	assert_int_equal(verify(token, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
}

/* ---- the attack table ---- */

#define HS256_HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

struct attack {
	const char *name;
	const char *header;
	enum sign_mode sign;
	struct override ov[MAX_OVERRIDES];
	astral_err want;
};

static const struct attack attacks[] = {
	{ "alg none, empty signature", "{\"alg\":\"none\",\"typ\":\"JWT\"}", SIGN_EMPTY, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "alg none, junk signature", "{\"alg\":\"none\"}", SIGN_JUNK, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "alg None", "{\"alg\":\"None\"}", SIGN_HS256, { { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "no alg", "{\"typ\":\"JWT\"}", SIGN_HS256, { { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "wrong key", HS256_HDR, SIGN_WRONG_KEY, { { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "RS256 header, HMAC signature", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", SIGN_HS256, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "ES256 header", "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", SIGN_HS256, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "HS384 with the same key", "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", SIGN_HS384, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "HS512 with the same key", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", SIGN_HS512, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "empty signature", HS256_HDR, SIGN_EMPTY, { { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "junk signature", HS256_HDR, SIGN_JUNK, { { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "tampered payload (role raised)", HS256_HDR, SIGN_TAMPERED, { { "role", "\"admin\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "tampered payload (exp extended)", HS256_HDR, SIGN_TAMPERED, { { "exp", "1700003400" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "header typ JWS", "{\"alg\":\"HS256\",\"typ\":\"JWS\"}", SIGN_HS256, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "header typ not a string", "{\"alg\":\"HS256\",\"typ\":1}", SIGN_HS256, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "header crit", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", SIGN_HS256, { { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "expired", HS256_HDR, SIGN_HS256, { { "iat", "1699999000" }, { "exp", "1699999939" }, { NULL, NULL } },
	  ASTRAL_ERR_EXPIRED },
	{ "expired and wrong key", HS256_HDR, SIGN_WRONG_KEY,
	  { { "iat", "1699999000" }, { "exp", "1699999939" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "expired and bad role", HS256_HDR, SIGN_HS256,
	  { { "iat", "1699999000" }, { "exp", "1699999939" }, { "role", "\"root\"" } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "future nbf", HS256_HDR, SIGN_HS256, { { "nbf", "1700000500" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "nbf a string", HS256_HDR, SIGN_HS256, { { "nbf", "\"1699999000\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "future iat", HS256_HDR, SIGN_HS256, { { "iat", "1700000100" }, { "exp", "1700000900" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "wrong aud", HS256_HDR, SIGN_HS256, { { "aud", "\"astral-core-staging\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "aud a number", HS256_HDR, SIGN_HS256, { { "aud", "7" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "aud missing", HS256_HDR, SIGN_HS256, { { "aud", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "wrong iss", HS256_HDR, SIGN_HS256, { { "iss", "\"evil\"" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "iss with embedded NUL", HS256_HDR, SIGN_HS256, { { "iss", "\"" ISS "\\u0000x\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "iss missing", HS256_HDR, SIGN_HS256, { { "iss", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "typ missing", HS256_HDR, SIGN_HS256, { { "typ", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "typ refresh", HS256_HDR, SIGN_HS256, { { "typ", "\"refresh\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "missing exp", HS256_HDR, SIGN_HS256, { { "exp", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "missing iat", HS256_HDR, SIGN_HS256, { { "iat", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "exp a float", HS256_HDR, SIGN_HS256, { { "exp", "1700000800.0" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "exp a string", HS256_HDR, SIGN_HS256, { { "exp", "\"1700000800\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "exp huge", HS256_HDR, SIGN_HS256, { { "exp", "9223372036854775807" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "times negative", HS256_HDR, SIGN_HS256, { { "iat", "-100" }, { "exp", "-50" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "times past year 9999", HS256_HDR, SIGN_HS256,
	  { { "iat", "253402300800" }, { "exp", "253402300900" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "iat negative", HS256_HDR, SIGN_HS256, { { "iat", "-5" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "exp before iat", HS256_HDR, SIGN_HS256, { { "iat", "1700000000" }, { "exp", "1699999999" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "lifetime over an hour", HS256_HDR, SIGN_HS256,
	  { { "iat", "1699990000" }, { "exp", "1700000000" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "missing sub", HS256_HDR, SIGN_HS256, { { "sub", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "sub not a uuid", HS256_HDR, SIGN_HS256, { { "sub", "\"42\"" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "sub uuid with NUL", HS256_HDR, SIGN_HS256, { { "sub", "\"" SUB "\\u0000\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "sub dashes misplaced", HS256_HDR, SIGN_HS256,
	  { { "sub", "\"6f1c2d3e4-a5b-4c6d-8e7f-901234567890\"" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "missing sid", HS256_HDR, SIGN_HS256, { { "sid", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "sid an object", HS256_HDR, SIGN_HS256, { { "sid", "{}" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "bad role", HS256_HDR, SIGN_HS256, { { "role", "\"superuser\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "role in capitals", HS256_HDR, SIGN_HS256, { { "role", "\"Admin\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "role an array", HS256_HDR, SIGN_HS256, { { "role", "[\"admin\"]" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "missing role", HS256_HDR, SIGN_HS256, { { "role", NULL }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	{ "mfa a string", HS256_HDR, SIGN_HS256, { { "mfa", "\"true\"" }, { NULL, NULL } },
	  ASTRAL_ERR_UNAUTHORIZED },
	{ "mfa a number", HS256_HDR, SIGN_HS256, { { "mfa", "1" }, { NULL, NULL } }, ASTRAL_ERR_UNAUTHORIZED },
	/* Key-selection headers are ignored, not obeyed: this token is good. */
	{ "kid/jku/jwk ignored",
	  "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../dev/null\",\"jku\":\"https://evil.example/k\","
	  "\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}",
	  SIGN_HS256, { { NULL, NULL } }, ASTRAL_OK },
};

static void
test_jwt_bad_attack_table(void **state)
{
	size_t i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		const struct attack *a = &attacks[i];
		char payload[4096], token[8192];
		struct astral_claims out;
		astral_err got;

		build_payload(a->ov, payload, sizeof(payload));
		make_token(a->header, payload, a->sign, token, sizeof(token));
		memset(&out, 0, sizeof(out));
		got = verify(token, NOW, &out);
		if (got != a->want) {
			print_error("attack \"%s\": got %s, want %s\n", a->name, astral_strerror(got),
			    astral_strerror(a->want));
			failures++;
		}
		if (a->want != ASTRAL_OK && out.sub[0] != '\0') {
			print_error("attack \"%s\": claims written on failure\n", a->name);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* libjwt itself accepts an HS384 token made with our key (decode returns 0): the pin is ours. */
static void
test_jwt_bad_hs384_via_libjwt(void **state)
{
	jwt_t *jwt = NULL, *decoded = NULL;
	char *token = NULL, payload[4096];
	struct astral_claims out;

	(void)state;
	build_payload(NULL, payload, sizeof(payload));
	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grants_json(jwt, payload), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS384, test_key, (int)TEST_KEYLEN), 0);
	token = jwt_encode_str(jwt);
	assert_non_null(token);
	assert_int_equal(jwt_decode(&decoded, token, test_key, (int)TEST_KEYLEN), 0);
	assert_int_equal(jwt_get_alg(decoded), JWT_ALG_HS384);
	assert_int_equal(verify(token, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
	jwt_free(decoded);
	jwt_free(jwt);
	free(token);
}

/* A well-formed, correctly signed token of 10 KB is refused on length alone. */
static void
test_jwt_bad_oversize(void **state)
{
	static char pad[10240], token[20000];
	char value[10300];
	struct override ov[2] = { { "pad", NULL }, { NULL, NULL } };
	struct astral_claims out;

	(void)state;
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(value, sizeof(value), "\"%s\"", pad);
	ov[0].json = value;
	make_default_token(ov, token, sizeof(token));
	assert_true(strlen(token) > 10000);
	assert_int_equal(verify(token, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);

	/* one byte over the limit, well-shaped */
	memset(token, 'A', ASTRAL_JWT_MAX_LEN + 1);
	token[10] = '.';
	token[20] = '.';
	token[ASTRAL_JWT_MAX_LEN + 1] = '\0';
	assert_int_equal(verify(token, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
}

static void
test_jwt_bad_garbage(void **state)
{
	static const char *const garbage[] = {
		"", ".", "..", "...", "a.b.c", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.",
		"eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.e30",
		"e30.e30.e30", "bnVsbA.bnVsbA.bnVsbA", "W10.W10.W10",
		"eyJhbGciOiJIUzI1NiJ9.eyJ.abc", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc",
		"eyJhbGciOiJIUzI1NiJ9.e30.abc\n", "eyJhbGciOiJIUzI1NiJ9=.e30=.abc=",
		"\xff\xfe\xfd.\x01\x02.\x7f",
	};
	struct astral_claims out;
	char random_bytes[1025];
	size_t i, j;
	unsigned int seed = 12345;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		assert_int_equal(verify(garbage[i], NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(verify(NULL, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
	for (j = 0; j < 200; j++) {
		for (i = 0; i < sizeof(random_bytes) - 1; i++) {
			seed = seed * 1103515245u + 12345u;
			random_bytes[i] = (char)((seed >> 16) & 0xff);
			if (random_bytes[i] == '\0')
				random_bytes[i] = '.';
		}
		random_bytes[(j * 37) % (sizeof(random_bytes) - 1) + 1] = '\0';
		assert_int_equal(verify(random_bytes, NOW, &out), ASTRAL_ERR_UNAUTHORIZED);
	}
}

static void
test_jwt_bad_arguments(void **state)
{
	struct astral_claims c, out;
	static char sentinel[] = "sentinel";
	char *token = sentinel;

	(void)state;
	good_claims(&c);
	assert_int_equal(astral_jwt_issue(test_key, 31, ISS, AUD, &c, &token), ASTRAL_ERR_INTERNAL);
	assert_null(token);
	assert_int_equal(astral_jwt_issue(NULL, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, NULL, AUD, &c, &token), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, NULL, &token), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, NULL), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify(test_key, 31, ISS, AUD, "a.b.c", NOW, &out), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify(test_key, TEST_KEYLEN, ISS, NULL, "a.b.c", NOW, &out),
	    ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify(test_key, TEST_KEYLEN, ISS, AUD, "a.b.c", NOW, NULL),
	    ASTRAL_ERR_INTERNAL);
}

/* We never sign what we would refuse to verify. */
static void
test_jwt_bad_issue_claims(void **state)
{
	struct astral_claims c;
	char *token = NULL;

	(void)state;
	good_claims(&c);
	memcpy(c.sub, "not-a-uuid", sizeof("not-a-uuid"));
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	memset(c.sid, 'a', sizeof(c.sid));  /* no terminator */
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	memcpy(c.role, "root", sizeof("root"));
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	memset(c.role, 'a', sizeof(c.role));
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	c.exp = c.iat;
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	c.exp = c.iat + 3601;
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	c.iat = -10;
	c.exp = 100;
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	good_claims(&c);
	c.iat = INT64_MAX - 100;
	c.exp = INT64_MAX;
	assert_int_equal(astral_jwt_issue(test_key, TEST_KEYLEN, ISS, AUD, &c, &token), ASTRAL_ERR_INVALID);
	assert_null(token);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jwt_round_trip),
		cmocka_unit_test(test_jwt_round_trip_without_mfa),
		cmocka_unit_test(test_jwt_hand_built_good),
		cmocka_unit_test(test_jwt_audience_array),
		cmocka_unit_test(test_jwt_uuid_lower_cased),
		cmocka_unit_test(test_jwt_skew_edges),
		cmocka_unit_test(test_jwt_lifetime_edge),
		cmocka_unit_test(test_jwt_bad_attack_table),
		cmocka_unit_test(test_jwt_bad_hs384_via_libjwt),
		cmocka_unit_test(test_jwt_bad_oversize),
		cmocka_unit_test(test_jwt_bad_garbage),
		cmocka_unit_test(test_jwt_bad_arguments),
		cmocka_unit_test(test_jwt_bad_issue_claims),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
