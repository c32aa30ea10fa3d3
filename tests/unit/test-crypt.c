/*
 * Tests for lib/crypt.c (AES-256-GCM sealing, DEK wrapping across key
 * rotation) and the primitives it stands on: lib/digest.c and lib/random.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* memmem */
#endif
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypt.h"
#include "digest.h"
#include "encoding.h"
#include "keyring.h"
#include "random.h"

#define ROW "3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0f"

static const unsigned char key_a[32] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
	0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};
static const unsigned char key_b[32] = { 1 };

static char tmpdir[64];

static void
expect_hex(const unsigned char *bytes, size_t len, const char *want)
{
	char *hex = astral_hex_encode(bytes, len);

	assert_non_null(hex);
	assert_string_equal(hex, want);
	free(hex);
}

static void
seal_or_fail(const unsigned char *key, uint32_t version, const char *aad, const void *pt,
    size_t ptlen, unsigned char **out, size_t *outlen)
{
	assert_int_equal(astral_seal(key, version, aad, pt, ptlen, out, outlen), ASTRAL_OK);
	assert_non_null(*out);
}

static void
test_crypt_round_trip(void **state)
{
	static const char msg[] = "I have been feeling low this week.";
	static const unsigned char bin[] = { 0x00, 0xff, 0x00, 0x41 };
	unsigned char *ct = NULL, *ct2 = NULL;
	size_t ctlen = 0, ct2len = 0, ptlen = 0;
	char *pt = NULL;
	uint32_t v = 0;

	(void)state;
	seal_or_fail(key_a, 0x01020304, "posts|body|" ROW, msg, strlen(msg), &ct, &ctlen);
	assert_int_equal(ctlen, ASTRAL_SEAL_OVERHEAD + strlen(msg));
	assert_int_equal(ct[0], 0x01);
	assert_int_equal(ct[1], 0x01);
	assert_int_equal(ct[2], 0x02);
	assert_int_equal(ct[3], 0x03);
	assert_int_equal(ct[4], 0x04);
	assert_null(memmem(ct, ctlen, "feeling", 7));
	assert_int_equal(astral_sealed_version(ct, ctlen, &v), ASTRAL_OK);
	assert_int_equal(v, 0x01020304);
	assert_int_equal(astral_open(key_a, "posts|body|" ROW, ct, ctlen, &pt, &ptlen), ASTRAL_OK);
	assert_int_equal(ptlen, strlen(msg));
	assert_string_equal(pt, msg);
	free(pt);

	/* A fresh nonce each time. */
	seal_or_fail(key_a, 0x01020304, "posts|body|" ROW, msg, strlen(msg), &ct2, &ct2len);
	assert_int_equal(ct2len, ctlen);
	assert_memory_not_equal(ct + 5, ct2 + 5, ctlen - 5);
	free(ct);
	free(ct2);

	/* Empty plaintext and binary plaintext. */
	seal_or_fail(key_a, 1, "", "", 0, &ct, &ctlen);
	assert_int_equal(ctlen, ASTRAL_SEAL_OVERHEAD);
	assert_int_equal(astral_open(key_a, "", ct, ctlen, &pt, &ptlen), ASTRAL_OK);
	assert_int_equal(ptlen, 0);
	assert_string_equal(pt, "");
	free(pt);
	free(ct);
	seal_or_fail(key_a, 1, "x", bin, sizeof(bin), &ct, &ctlen);
	assert_int_equal(astral_open(key_a, "x", ct, ctlen, &pt, &ptlen), ASTRAL_OK);
	assert_int_equal(ptlen, sizeof(bin));
	assert_memory_equal(pt, bin, sizeof(bin));
	assert_int_equal(pt[ptlen], '\0');
	free(pt);
	free(ct);
}

static void
test_crypt_bad_tamper(void **state)
{
	static const char msg[] = "safety plan: call my sister";
	unsigned char *ct = NULL;
	size_t ctlen = 0, i, ptlen = 0;
	char *pt = NULL;
	int bit;

	(void)state;
	seal_or_fail(key_a, 2, "safety_plans|steps|" ROW, msg, strlen(msg), &ct, &ctlen);
	/* Every bit after the format byte: version, nonce, body and tag. */
	for (i = 1; i < ctlen; i++) {
		for (bit = 0; bit < 8; bit++) {
			ct[i] ^= (unsigned char)(1u << bit);
			pt = (char *)1;
			if (astral_open(key_a, "safety_plans|steps|" ROW, ct, ctlen, &pt, &ptlen) != ASTRAL_ERR_CRYPTO)
				fail_msg("flipping bit %d of byte %zu was not detected", bit, i);
			assert_null(pt);
			ct[i] ^= (unsigned char)(1u << bit);
		}
	}
	/* The format byte: refused as an unknown format. */
	ct[0] ^= 0x80;
	assert_int_equal(astral_open(key_a, "safety_plans|steps|" ROW, ct, ctlen, &pt, &ptlen),
	    ASTRAL_ERR_INVALID);
	ct[0] ^= 0x80;
	assert_int_equal(astral_open(key_a, "safety_plans|steps|" ROW, ct, ctlen, &pt, &ptlen), ASTRAL_OK);
	free(pt);
	free(ct);
}

static void
test_crypt_bad_aad(void **state)
{
	unsigned char *ct = NULL;
	size_t ctlen = 0, ptlen = 0;
	char *pt = NULL;

	(void)state;
	seal_or_fail(key_a, 1, "journal|body|" ROW, "entry", 5, &ct, &ctlen);
	assert_int_equal(astral_open(key_a, "journal|body|3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e00", ct, ctlen,
	    &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_int_equal(astral_open(key_a, "journal|title|" ROW, ct, ctlen, &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_int_equal(astral_open(key_a, "posts|body|" ROW, ct, ctlen, &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_int_equal(astral_open(key_a, "", ct, ctlen, &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_int_equal(astral_open(key_a, NULL, ct, ctlen, &pt, &ptlen), ASTRAL_ERR_INVALID);
	assert_null(pt);
	free(ct);
}

static void
test_crypt_bad_wrong_key(void **state)
{
	unsigned char *ct = NULL;
	size_t ctlen = 0, ptlen = 0;
	char *pt = NULL;

	(void)state;
	seal_or_fail(key_a, 1, "a|b|c", "text", 4, &ct, &ctlen);
	assert_int_equal(astral_open(key_b, "a|b|c", ct, ctlen, &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_null(pt);
	free(ct);
}

static void
test_crypt_bad_truncated(void **state)
{
	unsigned char *ct = NULL, *longer;
	size_t ctlen = 0, ptlen = 0, n;
	char *pt = NULL;
	uint32_t v = 0;

	(void)state;
	seal_or_fail(key_a, 1, "a|b|c", "some text", 9, &ct, &ctlen);
	for (n = 0; n < ctlen; n++) {
		astral_err want = n < ASTRAL_SEAL_OVERHEAD ? ASTRAL_ERR_INVALID : ASTRAL_ERR_CRYPTO;

		assert_int_equal(astral_open(key_a, "a|b|c", ct, n, &pt, &ptlen), want);
		assert_null(pt);
		if (n < ASTRAL_SEAL_OVERHEAD)
			assert_int_equal(astral_sealed_version(ct, n, &v), ASTRAL_ERR_INVALID);
	}
	longer = malloc(ctlen + 1);
	assert_non_null(longer);
	memcpy(longer, ct, ctlen);
	longer[ctlen] = 0;
	assert_int_equal(astral_open(key_a, "a|b|c", longer, ctlen + 1, &pt, &ptlen), ASTRAL_ERR_CRYPTO);
	assert_int_equal(astral_open(key_a, "a|b|c", NULL, 0, &pt, &ptlen), ASTRAL_ERR_INVALID);
	free(longer);
	free(ct);
}

static void
test_crypt_bad_args(void **state)
{
	static const unsigned char v0[ASTRAL_SEAL_OVERHEAD] = { 0x01, 0, 0, 0, 0 };
	static const unsigned char fmt2[ASTRAL_SEAL_OVERHEAD] = { 0x02, 0, 0, 0, 1 };
	unsigned char *ct = (unsigned char *)1;
	size_t ctlen = 1;
	uint32_t v = 5;

	(void)state;
	assert_int_equal(astral_seal(key_a, 0, "a", "x", 1, &ct, &ctlen), ASTRAL_ERR_INVALID);
	assert_null(ct);
	assert_int_equal(ctlen, 0);
	assert_int_equal(astral_seal(key_a, 1, NULL, "x", 1, &ct, &ctlen), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_seal(key_a, 1, "a", NULL, 1, &ct, &ctlen), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_sealed_version(v0, sizeof(v0), &v), ASTRAL_ERR_INVALID);
	assert_int_equal(v, 0);
	assert_int_equal(astral_sealed_version(fmt2, sizeof(fmt2), &v), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_sealed_version(NULL, 40, &v), ASTRAL_ERR_INVALID);
}

static void
test_crypt_aad(void **state)
{
	char *aad;

	(void)state;
	aad = astral_aad("posts", "body", ROW);
	assert_non_null(aad);
	assert_string_equal(aad, "posts|body|" ROW);
	free(aad);
}

static void
test_crypt_bad_aad_parts(void **state)
{
	(void)state;
	/* '|' inside a part would let two triples share one AAD. */
	assert_null(astral_aad("posts|body", "x", ROW));
	assert_null(astral_aad("posts", "body|x", ROW));
	assert_null(astral_aad("posts", "body", "a|b"));
	assert_null(astral_aad("", "body", ROW));
	assert_null(astral_aad("posts", "", ROW));
	assert_null(astral_aad("posts", "body", ""));
	assert_null(astral_aad(NULL, "body", ROW));
	assert_null(astral_aad("posts", NULL, ROW));
	assert_null(astral_aad("posts", "body", NULL));
}

static void
test_crypt_field_round_trip(void **state)
{
	static const char text[] = "Mood note: \xc3\xa9puis\xc3\xa9 \xf0\x9f\x98\x94";
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *ct = NULL;
	size_t ctlen = 0;
	char *out = NULL;
	uint32_t v = 0;

	(void)state;
	assert_int_equal(astral_dek_generate(dek), ASTRAL_OK);
	assert_int_equal(astral_field_seal(dek, "mood_entries", "note", ROW, text, &ct, &ctlen), ASTRAL_OK);
	assert_int_equal(astral_sealed_version(ct, ctlen, &v), ASTRAL_OK);
	assert_int_equal(v, ASTRAL_FIELD_DEK_VERSION);
	assert_int_equal(astral_field_open(dek, "mood_entries", "note", ROW, ct, ctlen, &out), ASTRAL_OK);
	assert_string_equal(out, text);
	free(out);
	out = (char *)1;
	/* Moved to another row or column: refused. */
	assert_int_equal(astral_field_open(dek, "mood_entries", "note", "00000000-0000-4000-8000-000000000000",
	    ct, ctlen, &out), ASTRAL_ERR_CRYPTO);
	assert_null(out);
	assert_int_equal(astral_field_open(dek, "journal", "note", ROW, ct, ctlen, &out), ASTRAL_ERR_CRYPTO);
	/* The same AAD as seal + open spell it. */
	{
		size_t ptlen = 0;

		assert_int_equal(astral_open(dek, "mood_entries|note|" ROW, ct, ctlen, &out, &ptlen), ASTRAL_OK);
		assert_string_equal(out, text);
		free(out);
	}
	free(ct);
}

static void
test_crypt_bad_field(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN] = { 7 };
	unsigned char *ct = NULL;
	size_t ctlen = 0;
	char *out = NULL;
	static const unsigned char bin[] = { 'a', 0, 'b' };

	(void)state;
	assert_int_equal(astral_field_seal(dek, "t", "c", "a|b", "x", &ct, &ctlen), ASTRAL_ERR_INVALID);
	assert_null(ct);
	assert_int_equal(astral_field_seal(dek, "t", "c", ROW, NULL, &ct, &ctlen), ASTRAL_ERR_INVALID);
	/* A sealed blob with an embedded NUL is not a text field. */
	seal_or_fail(dek, 1, "t|c|" ROW, bin, sizeof(bin), &ct, &ctlen);
	assert_int_equal(astral_field_open(dek, "t", "c", ROW, ct, ctlen, &out), ASTRAL_ERR_INVALID);
	assert_null(out);
	free(ct);
}

/* A keyring file made with astral_keyring_create in tmpdir; returns its path. */
static char *
new_keyring_file(const char *name)
{
	char buf[256];

	assert_true(snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name) < (int)sizeof(buf));
	assert_int_equal(astral_keyring_create(buf), ASTRAL_OK);
	return strdup(buf);
}

static void
test_crypt_dek_wrap_unwrap(void **state)
{
	struct astral_keyring *kr = NULL;
	unsigned char dek[ASTRAL_DEK_LEN], back[ASTRAL_DEK_LEN];
	unsigned char *w = NULL;
	size_t wlen = 0;
	uint32_t v = 0;
	char *path = new_keyring_file("wrap-keyring");
	char *pt = NULL;
	size_t ptlen = 0;

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_dek_generate(dek), ASTRAL_OK);
	assert_int_equal(astral_dek_wrap(kr, "user-1", dek, &w, &wlen), ASTRAL_OK);
	assert_int_equal(wlen, ASTRAL_SEAL_OVERHEAD + ASTRAL_DEK_LEN);
	assert_int_equal(astral_sealed_version(w, wlen, &v), ASTRAL_OK);
	assert_int_equal(v, 1);
	assert_null(memmem(w, wlen, dek, sizeof(dek)));
	assert_int_equal(astral_dek_unwrap(kr, "user-1", w, wlen, back), ASTRAL_OK);
	assert_memory_equal(back, dek, sizeof(dek));
	/* The documented AAD. */
	assert_int_equal(astral_open(astral_keyring_key(kr, 1), "user_keys|dek|user-1", w, wlen, &pt, &ptlen),
	    ASTRAL_OK);
	assert_int_equal(ptlen, ASTRAL_DEK_LEN);
	assert_memory_equal(pt, dek, sizeof(dek));
	free(pt);
	free(w);
	astral_keyring_free(kr);
	free(path);
}

static void
test_crypt_bad_dek_unwrap(void **state)
{
	struct astral_keyring *kr = NULL;
	unsigned char dek[ASTRAL_DEK_LEN], back[ASTRAL_DEK_LEN];
	unsigned char *w = NULL;
	size_t wlen = 0;
	char *path = new_keyring_file("bad-unwrap-keyring");

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_dek_generate(dek), ASTRAL_OK);
	assert_int_equal(astral_dek_wrap(kr, "user-1", dek, &w, &wlen), ASTRAL_OK);
	/* Another user's id. */
	assert_int_equal(astral_dek_unwrap(kr, "user-2", w, wlen, back), ASTRAL_ERR_CRYPTO);
	/* Tampered body. */
	w[wlen - 20] ^= 1;
	assert_int_equal(astral_dek_unwrap(kr, "user-1", w, wlen, back), ASTRAL_ERR_CRYPTO);
	w[wlen - 20] ^= 1;
	/* A key version the keyring does not have, even after a reload. */
	w[4] = 9;
	assert_int_equal(astral_dek_unwrap(kr, "user-1", w, wlen, back), ASTRAL_ERR_CRYPTO);
	w[4] = 1;
	/* Truncated, or not a wrapped key at all. */
	assert_int_equal(astral_dek_unwrap(kr, "user-1", w, 10, back), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_dek_unwrap(kr, "a|b", w, wlen, back), ASTRAL_ERR_INVALID);
	free(w);
	assert_int_equal(astral_dek_wrap(kr, "", dek, &w, &wlen), ASTRAL_ERR_INVALID);
	assert_null(w);
	astral_keyring_free(kr);
	free(path);
}

static void
test_crypt_dek_after_rotation(void **state)
{
	struct astral_keyring *kr = NULL, *stale = NULL;
	unsigned char dek[ASTRAL_DEK_LEN], dek2[ASTRAL_DEK_LEN], back[ASTRAL_DEK_LEN];
	unsigned char *w1 = NULL, *w2 = NULL;
	size_t w1len = 0, w2len = 0;
	uint32_t v = 0;
	char *path = new_keyring_file("rotate-keyring");

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_keyring_load(path, &stale, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_dek_generate(dek), ASTRAL_OK);
	assert_int_equal(astral_dek_wrap(kr, "user-1", dek, &w1, &w1len), ASTRAL_OK);

	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_OK);
	assert_int_equal(astral_keyring_current(kr), 2);

	/* Old wraps still open. */
	assert_int_equal(astral_dek_unwrap(kr, "user-1", w1, w1len, back), ASTRAL_OK);
	assert_memory_equal(back, dek, sizeof(dek));
	/* New wraps use version 2. */
	assert_int_equal(astral_dek_generate(dek2), ASTRAL_OK);
	assert_int_equal(astral_dek_wrap(kr, "user-2", dek2, &w2, &w2len), ASTRAL_OK);
	assert_int_equal(astral_sealed_version(w2, w2len, &v), ASTRAL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(astral_dek_unwrap(kr, "user-2", w2, w2len, back), ASTRAL_OK);
	assert_memory_equal(back, dek2, sizeof(dek2));

	/* A process that loaded before the rotation reloads once on version 2. */
	assert_int_equal(astral_keyring_current(stale), 1);
	assert_int_equal(astral_dek_unwrap(stale, "user-2", w2, w2len, back), ASTRAL_OK);
	assert_memory_equal(back, dek2, sizeof(dek2));
	assert_int_equal(astral_keyring_current(stale), 2);

	free(w1);
	free(w2);
	astral_keyring_free(kr);
	astral_keyring_free(stale);
	free(path);
}

static void
test_crypt_sha256(void **state)
{
	unsigned char md[ASTRAL_SHA256_LEN];

	(void)state;
	astral_sha256("abc", 3, md);
	expect_hex(md, sizeof(md), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	astral_sha256("", 0, md);
	expect_hex(md, sizeof(md), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	astral_sha256(NULL, 0, md);
	expect_hex(md, sizeof(md), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* RFC 4231 test cases 1, 2 and 6, plus the empty key and message. */
static void
test_crypt_hmac_sha256(void **state)
{
	unsigned char md[ASTRAL_SHA256_LEN], k1[20], k6[131];
	static const char m6[] = "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	memset(k1, 0x0b, sizeof(k1));
	assert_int_equal(astral_hmac_sha256(k1, sizeof(k1), "Hi There", 8, md), ASTRAL_OK);
	expect_hex(md, sizeof(md), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(astral_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md), ASTRAL_OK);
	expect_hex(md, sizeof(md), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k6, 0xaa, sizeof(k6));
	assert_int_equal(astral_hmac_sha256(k6, sizeof(k6), m6, strlen(m6), md), ASTRAL_OK);
	expect_hex(md, sizeof(md), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	assert_int_equal(astral_hmac_sha256(NULL, 0, NULL, 0, md), ASTRAL_OK);
	expect_hex(md, sizeof(md), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void
test_crypt_bad_hmac_args(void **state)
{
	unsigned char md[ASTRAL_SHA256_LEN], big[64];
	size_t n = 1;

	(void)state;
	assert_int_equal(astral_hmac_sha256(NULL, 4, "x", 1, md), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_hmac_sha256("k", 1, NULL, 4, md), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_hmac("NO-SUCH-DIGEST", "k", 1, "x", 1, big, sizeof(big), &n), ASTRAL_ERR_CRYPTO);
	assert_int_equal(n, 0);
	/* Output buffer too small for SHA-512. */
	assert_int_equal(astral_hmac("SHA512", "k", 1, "x", 1, big, 32, &n), ASTRAL_ERR_CRYPTO);
}

static void
test_crypt_ct_equal(void **state)
{
	(void)state;
	assert_true(astral_ct_equal("abcdef", "abcdef", 6));
	assert_false(astral_ct_equal("abcdef", "abcdeg", 6));
	assert_false(astral_ct_equal("xbcdef", "abcdef", 6));
	assert_true(astral_ct_equal("a", "b", 0));
}

static void
test_crypt_random(void **state)
{
	unsigned char a[32] = { 0 }, b[32] = { 0 };
	char *t1, *t2;
	size_t i;

	(void)state;
	assert_int_equal(astral_random_bytes(a, sizeof(a)), ASTRAL_OK);
	assert_int_equal(astral_random_bytes(b, sizeof(b)), ASTRAL_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(astral_random_bytes(NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_random_bytes(NULL, 1), ASTRAL_ERR_INVALID);
	t1 = astral_random_token(32);
	t2 = astral_random_token(32);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_int_equal(strlen(t1), 43);
	assert_string_not_equal(t1, t2);
	for (i = 0; t1[i] != '\0'; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", t1[i]));
	free(t1);
	free(t2);
	assert_null(astral_random_token(0));
}

static void
test_crypt_uuid(void **state)
{
	char a[ASTRAL_UUID_STR_LEN + 1], b[ASTRAL_UUID_STR_LEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		assert_int_equal(astral_uuid_v4(a), ASTRAL_OK);
		assert_int_equal(strlen(a), 36);
		assert_true(astral_uuid_valid(a));
		assert_int_equal(a[14], '4');
		assert_non_null(strchr("89ab", a[19]));
		assert_null(strpbrk(a, "ABCDEF"));
	}
	assert_int_equal(astral_uuid_v4(b), ASTRAL_OK);
	assert_string_not_equal(a, b);
	assert_true(astral_uuid_valid(ROW));
	assert_true(astral_uuid_valid("3F1C2A90-5B7E-4D0A-9C1E-7A2B4C6D8E0F"));
	assert_true(astral_uuid_valid("00000000-0000-0000-0000-000000000000"));
}

static void
test_crypt_bad_uuid(void **state)
{
	static const char *bad[] = {
		"", "3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0", "3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0f0",
		"3f1c2a905b7e4d0a9c1e7a2b4c6d8e0f", "{3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0f}",
		"3f1c2a90-5b7e-4d0a-9c1e_7a2b4c6d8e0f", "3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0g",
		"3f1c2a9-05b7e-4d0a-9c1e-7a2b4c6d8e0f", " 3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0",
		"3f1c2a90-5b7e-4d0a-9c1e-7a2b4c6d8e0f\n", "' OR 1=1 --",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (astral_uuid_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(astral_uuid_valid(NULL));
}

static int
setup_tmpdir(void **state)
{
	(void)state;
	memcpy(tmpdir, "/tmp/astral-test-crypt-XXXXXX", sizeof("/tmp/astral-test-crypt-XXXXXX"));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmpdir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;

	(void)state;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[512];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name) < (int)sizeof(path))
			(void)unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypt_round_trip),
		cmocka_unit_test(test_crypt_bad_tamper),
		cmocka_unit_test(test_crypt_bad_aad),
		cmocka_unit_test(test_crypt_bad_wrong_key),
		cmocka_unit_test(test_crypt_bad_truncated),
		cmocka_unit_test(test_crypt_bad_args),
		cmocka_unit_test(test_crypt_aad),
		cmocka_unit_test(test_crypt_bad_aad_parts),
		cmocka_unit_test(test_crypt_field_round_trip),
		cmocka_unit_test(test_crypt_bad_field),
		cmocka_unit_test(test_crypt_dek_wrap_unwrap),
		cmocka_unit_test(test_crypt_bad_dek_unwrap),
		cmocka_unit_test(test_crypt_dek_after_rotation),
		cmocka_unit_test(test_crypt_sha256),
		cmocka_unit_test(test_crypt_hmac_sha256),
		cmocka_unit_test(test_crypt_bad_hmac_args),
		cmocka_unit_test(test_crypt_ct_equal),
		cmocka_unit_test(test_crypt_random),
		cmocka_unit_test(test_crypt_uuid),
		cmocka_unit_test(test_crypt_bad_uuid),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
