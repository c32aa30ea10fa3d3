/* Access tokens. libjwt 1.10 checks the signature for whatever algorithm the header names and checks
   no claim, so the algorithm pin and every claim rule live here (security.md, "Libraries"). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <jwt.h>
#ifndef JWT_H
#error "<jwt.h> resolved to lib/jwt.h: keep lib/ off the -I path (use -I$(top_srcdir) and \"lib/x.h\")"
#endif

#include "jwt.h"

/* 9999-12-31T23:59:59Z: bounds every time claim so that the arithmetic below cannot overflow. */
#define JWT_TIME_MAX INT64_C(253402300799)
#define UUID_LEN 36
#define JSON_MAX_DEPTH 8

static const char *const jwt_roles[] = { "seeker", "helper", "moderator", "admin" };

static bool
jwt_uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (len != UUID_LEN)
		return false;
	for (i = 0; i < UUID_LEN; i++) {
		char ch = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-')
				return false;
		} else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		    (ch >= 'A' && ch <= 'F'))) {
			return false;
		}
	}
	return true;
}

/* Copy a UUID already checked by jwt_uuid_valid, in lower case. */
static void
jwt_uuid_copy(char dst[UUID_LEN + 1], const char *src)
{
	size_t i;

	for (i = 0; i < UUID_LEN; i++) {
		char ch = src[i];

		dst[i] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
	}
	dst[UUID_LEN] = '\0';
}

static bool
jwt_role_valid(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(jwt_roles) / sizeof(jwt_roles[0]); i++) {
		if (strlen(jwt_roles[i]) == len && memcmp(jwt_roles[i], s, len) == 0)
			return true;
	}
	return false;
}

/* header.payload.signature, base64url only, three non-empty parts: refuse anything else before
   libjwt sees it. */
static bool
jwt_token_shape_valid(const char *token)
{
	size_t len = strnlen(token, ASTRAL_JWT_MAX_LEN + 1);
	size_t i, dots = 0, seg = 0;

	if (len == 0 || len > ASTRAL_JWT_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char ch = token[i];

		if (ch == '.') {
			if (seg == 0 || ++dots > 2)
				return false;
			seg = 0;
		} else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
			seg++;
		} else {
			return false;
		}
	}
	return dots == 2 && seg > 0;
}

static json_object *
jwt_json_parse(const char *text)
{
	json_tokener *tok = NULL;
	json_object *obj = NULL;
	size_t len = strlen(text);

	if (len > INT_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

static bool
jwt_json_string_is(json_object *o, const char *want)
{
	if (!json_object_is_type(o, json_type_string))
		return false;
	return (size_t)json_object_get_string_len(o) == strlen(want) &&
	    memcmp(json_object_get_string(o), want, strlen(want)) == 0;
}

static bool
jwt_claim_string(json_object *claims, const char *name, const char **val, size_t *len)
{
	json_object *o = NULL;

	if (!json_object_object_get_ex(claims, name, &o) || !json_object_is_type(o, json_type_string))
		return false;
	*val = json_object_get_string(o);
	*len = (size_t)json_object_get_string_len(o);
	return true;
}

/* An integer time in 0..JWT_TIME_MAX; a float, string or anything else is refused. */
static bool
jwt_claim_time(json_object *claims, const char *name, int64_t *val)
{
	json_object *o = NULL;
	int64_t v;

	if (!json_object_object_get_ex(claims, name, &o) || !json_object_is_type(o, json_type_int))
		return false;
	errno = 0;
	v = json_object_get_int64(o);
	if (errno != 0 || v < 0 || v > JWT_TIME_MAX)
		return false;
	*val = v;
	return true;
}

static bool
jwt_audience_matches(json_object *claims, const char *aud)
{
	json_object *o = NULL;
	size_t i, n;

	if (!json_object_object_get_ex(claims, "aud", &o))
		return false;
	if (json_object_is_type(o, json_type_string))
		return jwt_json_string_is(o, aud);
	if (!json_object_is_type(o, json_type_array))
		return false;
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		if (jwt_json_string_is(json_object_array_get_idx(o, i), aud))
			return true;
	}
	return false;
}

static bool
jwt_header_acceptable(json_object *hdr)
{
	json_object *o = NULL;

	/* alg is pinned through jwt_get_alg(); kid, jku and jwk are never read. */
	if (json_object_object_get_ex(hdr, "typ", &o) && !jwt_json_string_is(o, "JWT"))
		return false;
	/* RFC 7515 §4.1.11: extensions we do not understand must not be ignored. */
	if (json_object_object_get_ex(hdr, "crit", NULL))
		return false;
	return true;
}

static bool
jwt_claims_lifetime_valid(int64_t iat, int64_t exp)
{
	return exp > iat && exp - iat <= ASTRAL_JWT_MAX_LIFETIME;
}

static bool
jwt_key_usable(const unsigned char *key, size_t keylen)
{
	return key && keylen >= ASTRAL_JWT_MIN_KEY_LEN && keylen <= INT_MAX;
}

static bool
jwt_claims_valid_for_issue(const struct astral_claims *c)
{
	size_t sublen = strnlen(c->sub, sizeof(c->sub));
	size_t sidlen = strnlen(c->sid, sizeof(c->sid));
	size_t rolelen = strnlen(c->role, sizeof(c->role));

	if (!jwt_uuid_valid(c->sub, sublen) || !jwt_uuid_valid(c->sid, sidlen))
		return false;
	if (rolelen == sizeof(c->role) || !jwt_role_valid(c->role, rolelen))
		return false;
	if (c->iat < 0 || c->exp > JWT_TIME_MAX)
		return false;
	return jwt_claims_lifetime_valid(c->iat, c->exp);
}

static int
jwt_object_add(json_object *obj, const char *name, json_object *val)
{
	if (!val)
		return -1;
	if (json_object_object_add(obj, name, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

astral_err
astral_jwt_issue(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
	const struct astral_claims *c, char **token)
{
	astral_err err = ASTRAL_ERR_INTERNAL;
	json_object *claims = NULL;
	jwt_t *jwt = NULL;
	char *encoded = NULL;
	char sub[UUID_LEN + 1], sid[UUID_LEN + 1];
	const char *payload;

	if (!token)
		goto out;
	*token = NULL;
	if (!jwt_key_usable(key, keylen) || !iss || !aud || !c)
		goto out;
	err = ASTRAL_ERR_INVALID;
	if (!jwt_claims_valid_for_issue(c))
		goto out;
	jwt_uuid_copy(sub, c->sub);
	jwt_uuid_copy(sid, c->sid);

	err = ASTRAL_ERR_NOMEM;
	claims = json_object_new_object();
	if (!claims)
		goto out;
	if (jwt_object_add(claims, "typ", json_object_new_string("access")) ||
	    jwt_object_add(claims, "iss", json_object_new_string(iss)) ||
	    jwt_object_add(claims, "aud", json_object_new_string(aud)) ||
	    jwt_object_add(claims, "sub", json_object_new_string(sub)) ||
	    jwt_object_add(claims, "sid", json_object_new_string(sid)) ||
	    jwt_object_add(claims, "role", json_object_new_string(c->role)) ||
	    jwt_object_add(claims, "mfa", json_object_new_boolean(c->mfa != 0)) ||
	    jwt_object_add(claims, "iat", json_object_new_int64(c->iat)) ||
	    jwt_object_add(claims, "exp", json_object_new_int64(c->exp)))
		goto out;
	payload = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN);
	if (!payload)
		goto out;
	if (jwt_new(&jwt) != 0)
		goto out;
	err = ASTRAL_ERR_INTERNAL;
	if (jwt_add_grants_json(jwt, payload) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen) != 0)
		goto out;
	encoded = jwt_encode_str(jwt);
	if (!encoded) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	*token = encoded;
	encoded = NULL;
	err = ASTRAL_OK;
out:
	free(encoded);
	jwt_free(jwt);
	json_object_put(claims);
	return err;
}

astral_err
astral_jwt_times_check(const struct astral_claims *c, int64_t now)
{
	/* Claim values are bounded by JWT_TIME_MAX, so moving the skew to their side cannot overflow. */
	if (c->iat - ASTRAL_JWT_SKEW > now)
		return ASTRAL_ERR_UNAUTHORIZED;
	if (c->has_nbf && c->nbf - ASTRAL_JWT_SKEW > now)
		return ASTRAL_ERR_UNAUTHORIZED;
	if (c->exp + ASTRAL_JWT_SKEW <= now)
		return ASTRAL_ERR_EXPIRED;
	return ASTRAL_OK;
}

astral_err
astral_jwt_verify(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
	const char *token, int64_t now, struct astral_claims *out)
{
	astral_err err = ASTRAL_ERR_INTERNAL;
	jwt_t *jwt = NULL;
	char *hdr_text = NULL, *claims_text = NULL;
	json_object *hdr = NULL, *claims = NULL, *o = NULL;
	struct astral_claims c;
	const char *s;
	size_t slen;
	int rc;

	memset(&c, 0, sizeof(c));
	if (!jwt_key_usable(key, keylen) || !iss || !aud || !out)
		goto out;
	err = ASTRAL_ERR_UNAUTHORIZED;
	if (!token || !jwt_token_shape_valid(token))
		goto out;
	rc = jwt_decode(&jwt, token, key, (int)keylen);
	if (rc == ENOMEM)
		err = ASTRAL_ERR_NOMEM;
	if (rc != 0 || !jwt)
		goto out;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;

	hdr_text = jwt_get_headers_json(jwt, NULL);
	claims_text = jwt_get_grants_json(jwt, NULL);
	if (!hdr_text || !claims_text)
		goto out;
	hdr = jwt_json_parse(hdr_text);
	claims = jwt_json_parse(claims_text);
	if (!hdr || !claims || !jwt_header_acceptable(hdr))
		goto out;

	if (!json_object_object_get_ex(claims, "typ", &o) || !jwt_json_string_is(o, "access"))
		goto out;
	if (!json_object_object_get_ex(claims, "iss", &o) || !jwt_json_string_is(o, iss))
		goto out;
	if (!jwt_audience_matches(claims, aud))
		goto out;

	if (!jwt_claim_string(claims, "sub", &s, &slen) || !jwt_uuid_valid(s, slen))
		goto out;
	jwt_uuid_copy(c.sub, s);
	if (!jwt_claim_string(claims, "sid", &s, &slen) || !jwt_uuid_valid(s, slen))
		goto out;
	jwt_uuid_copy(c.sid, s);
	if (!jwt_claim_string(claims, "role", &s, &slen) || !jwt_role_valid(s, slen))
		goto out;
	memcpy(c.role, s, slen);
	c.role[slen] = '\0';
	if (json_object_object_get_ex(claims, "mfa", &o)) {
		if (!json_object_is_type(o, json_type_boolean))
			goto out;
		c.mfa = json_object_get_boolean(o) ? 1 : 0;
	}

	if (!jwt_claim_time(claims, "iat", &c.iat) || !jwt_claim_time(claims, "exp", &c.exp))
		goto out;
	if (!jwt_claims_lifetime_valid(c.iat, c.exp))
		goto out;
	if (json_object_object_get_ex(claims, "nbf", NULL)) {
		if (!jwt_claim_time(claims, "nbf", &c.nbf))
			goto out;
		c.has_nbf = 1;
	}
	err = astral_jwt_times_check(&c, now);
	if (err != ASTRAL_OK)
		goto out;

	*out = c;
out:
	json_object_put(hdr);
	json_object_put(claims);
	free(hdr_text);
	free(claims_text);
	jwt_free(jwt);
	return err;
}
