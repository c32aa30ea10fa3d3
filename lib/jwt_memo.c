/* Verified access tokens, remembered per process (see jwt_memo.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "jwt_memo.h"

struct memo_slot {
	int used;
	unsigned char digest[ASTRAL_SHA256_LEN];
	struct astral_claims claims;
};

static struct memo_slot slots[ASTRAL_JWT_MEMO_SLOTS];
static unsigned long hits;

/* SHA-256 over each part with its length in front, so that no two quadruples hash the same text. */
static int
memo_digest(const unsigned char *key, size_t keylen, const char *iss, const char *aud, const char *token,
            unsigned char out[ASTRAL_SHA256_LEN])
{
	static EVP_MD *sha256;
	const void *part[4] = { key, iss, aud, token };
	size_t len[4] = { keylen, strlen(iss), strlen(aud), strlen(token) };
	EVP_MD_CTX *ctx;
	unsigned int outlen = 0;
	int ok, i;

	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return 0;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return 0;
	ok = EVP_DigestInit_ex2(ctx, sha256, NULL) == 1;
	for (i = 0; ok && i < 4; i++) {
		uint64_t n = len[i];

		ok = EVP_DigestUpdate(ctx, &n, sizeof(n)) == 1 && EVP_DigestUpdate(ctx, part[i], len[i]) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == ASTRAL_SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static struct memo_slot *
memo_slot_for(const unsigned char digest[ASTRAL_SHA256_LEN])
{
	return &slots[((size_t)digest[0] << 8 | digest[1]) % ASTRAL_JWT_MEMO_SLOTS];
}

astral_err
astral_jwt_verify_remembered(const unsigned char *key, size_t keylen, const char *iss, const char *aud,
                             const char *token, int64_t now, struct astral_claims *out)
{
	unsigned char digest[ASTRAL_SHA256_LEN];
	struct memo_slot *slot;
	astral_err err;

	/* Anything astral_jwt_verify refuses before decoding is refused by it here too. */
	if (key == NULL || iss == NULL || aud == NULL || token == NULL || out == NULL ||
	    strnlen(token, ASTRAL_JWT_MAX_LEN + 1) > ASTRAL_JWT_MAX_LEN ||
	    !memo_digest(key, keylen, iss, aud, token, digest))
		return astral_jwt_verify(key, keylen, iss, aud, token, now, out);
	slot = memo_slot_for(digest);
	if (slot->used && CRYPTO_memcmp(slot->digest, digest, sizeof(digest)) == 0) {
		err = astral_jwt_times_check(&slot->claims, now);
		if (err != ASTRAL_OK)
			return err;
		hits++;
		*out = slot->claims;
		return ASTRAL_OK;
	}
	err = astral_jwt_verify(key, keylen, iss, aud, token, now, out);
	if (err == ASTRAL_OK) {
		slot->used = 1;
		memcpy(slot->digest, digest, sizeof(digest));
		slot->claims = *out;
	}
	return err;
}

unsigned long
astral_jwt_memo_hits(void)
{
	return hits;
}

void
astral_jwt_memo_forget(void)
{
	memset(slots, 0, sizeof(slots));
}
