/* libFuzzer target for astral_jwt_verify.
   An input is either a token, verified as is, or — when it starts with '{' — "header JSON" LF
   "payload JSON", which this target signs with the fixed key (HS256) before verifying, so that the
   claim checks are reached and not only the signature check. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../lib/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW INT64_C(1700000000)
#define FUZZ_MAX_INPUT (3 * ASTRAL_JWT_MAX_LEN)

static const unsigned char fuzz_key[] = "astral-fuzz-key-0123456789abcdef0123456789";
#define FUZZ_KEYLEN (sizeof(fuzz_key) - 1)

static bool
fuzz_is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* What any accepted token must satisfy; a violation is a bug, so crash loudly. */
static void
fuzz_check_claims(const struct astral_claims *c)
{
	if (!fuzz_is_uuid(c->sub) || !fuzz_is_uuid(c->sid))
		abort();
	if (strcmp(c->role, "seeker") != 0 && strcmp(c->role, "helper") != 0 &&
	    strcmp(c->role, "moderator") != 0 && strcmp(c->role, "admin") != 0)
		abort();
	if (c->mfa != 0 && c->mfa != 1)
		abort();
	if (!(c->exp + 60 > FUZZ_NOW) || c->iat > FUZZ_NOW + 60 || c->exp - c->iat > 3600 || c->exp <= c->iat)
		abort();
}

/* base64url without padding; out must hold 4 * ((len + 2) / 3) + 1 bytes. */
static void
fuzz_b64url(const uint8_t *in, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);

	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
		else if (out[i] == '=')
			out[i] = '\0';
	}
	out[n] = '\0';
}

/* "header\npayload" → signed token (malloc'd), or NULL. */
static char *
fuzz_sign(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t hlen, plen, cap, used;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char *tok;

	if (!nl)
		return NULL;
	hlen = (size_t)(nl - data);
	plen = size - hlen - 1;
	cap = 4 * ((hlen + 2) / 3) + 4 * ((plen + 2) / 3) + 4 * ((sizeof(mac) + 2) / 3) + 8;
	tok = malloc(cap);
	if (!tok)
		return NULL;
	fuzz_b64url(data, hlen, tok);
	used = strlen(tok);
	tok[used++] = '.';
	fuzz_b64url(nl + 1, plen, tok + used);
	used += strlen(tok + used);
	if (!HMAC(EVP_sha256(), fuzz_key, (int)FUZZ_KEYLEN, (const unsigned char *)tok, used, mac, &maclen)) {
		free(tok);
		return NULL;
	}
	tok[used++] = '.';
	fuzz_b64url(mac, maclen, tok + used);
	return tok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_claims claims;
	char *token;
	astral_err err;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (size > 0 && data[0] == '{') {
		token = fuzz_sign(data, size);
	} else {
		token = malloc(size + 1);
		if (token) {
			memcpy(token, data, size);
			token[size] = '\0';
		}
	}
	if (!token)
		return 0;
	memset(&claims, 0, sizeof(claims));
	err = astral_jwt_verify(fuzz_key, FUZZ_KEYLEN, "astral-core", "astral-core", token, FUZZ_NOW, &claims);
	if (err == ASTRAL_OK)
		fuzz_check_claims(&claims);
	else if (err != ASTRAL_ERR_UNAUTHORIZED && err != ASTRAL_ERR_EXPIRED && err != ASTRAL_ERR_NOMEM)
		abort();  /* a bad token is a 401, never a 500 */
	free(token);
	return 0;
}
