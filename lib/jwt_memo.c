/* Verified access tokens, remembered per process (see jwt_memo.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "digest.h"
#include "jwt_memo.h"

struct memo_slot {
	int used;
	unsigned char digest[ASTRAL_SHA256_LEN];
	struct astral_claims claims;
};

/* Shared by a process's serving threads, under the lock. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct memo_slot slots[ASTRAL_JWT_MEMO_SLOTS];
static unsigned long hits;

/* HMAC-SHA-256 under the key over the issuer, audience and token, each with its length in front,
   so that no two triples give the same text (and a token is never remembered under another key). */
static int
memo_digest(const unsigned char *key, size_t keylen, const char *iss, const char *aud, const char *token,
            unsigned char out[ASTRAL_SHA256_LEN])
{
	const char *part[3] = { iss, aud, token };
	size_t len[3] = { strlen(iss), strlen(aud), strlen(token) };
	size_t total = 0, at = 0;
	unsigned char *text;
	int ok;

	for (int i = 0; i < 3; i++)
		total += sizeof(uint64_t) + len[i];
	text = malloc(total);
	if (text == NULL)
		return 0;
	for (int i = 0; i < 3; i++) {
		uint64_t n = len[i];

		memcpy(text + at, &n, sizeof(n));
		memcpy(text + at + sizeof(n), part[i], len[i]);
		at += sizeof(n) + len[i];
	}
	ok = astral_hmac_sha256(key, keylen, text, total, out) == ASTRAL_OK;
	free(text);
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
	pthread_mutex_lock(&memo_lock);
	if (slot->used && CRYPTO_memcmp(slot->digest, digest, sizeof(digest)) == 0) {
		struct astral_claims claims = slot->claims;

		pthread_mutex_unlock(&memo_lock);
		err = astral_jwt_times_check(&claims, now);
		if (err != ASTRAL_OK)
			return err;
		pthread_mutex_lock(&memo_lock);
		hits++;
		pthread_mutex_unlock(&memo_lock);
		*out = claims;
		return ASTRAL_OK;
	}
	pthread_mutex_unlock(&memo_lock);
	err = astral_jwt_verify(key, keylen, iss, aud, token, now, out);
	if (err == ASTRAL_OK) {
		pthread_mutex_lock(&memo_lock);
		slot->used = 1;
		memcpy(slot->digest, digest, sizeof(digest));
		slot->claims = *out;
		pthread_mutex_unlock(&memo_lock);
	}
	return err;
}

unsigned long
astral_jwt_memo_hits(void)
{
	unsigned long n;

	pthread_mutex_lock(&memo_lock);
	n = hits;
	pthread_mutex_unlock(&memo_lock);
	return n;
}

void
astral_jwt_memo_forget(void)
{
	pthread_mutex_lock(&memo_lock);
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&memo_lock);
}
