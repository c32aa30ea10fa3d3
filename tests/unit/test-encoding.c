/* Tests for lib/encoding.c: RFC 4648 vectors, round trips and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoding.h"

struct vector {
	const char *plain;
	const char *encoded;
};

typedef astral_err (*decode_fn)(const char *, size_t, unsigned char **, size_t *);

static void
check_decodes(decode_fn decode, const char *text, const void *want, size_t wantlen)
{
	unsigned char *out = NULL;
	size_t outlen = 99;

	assert_int_equal(decode(text, strlen(text), &out, &outlen), ASTRAL_OK);
	assert_non_null(out);
	assert_int_equal(outlen, wantlen);
	if (wantlen > 0)
		assert_memory_equal(out, want, wantlen);
	free(out);
}

static void
check_refused(decode_fn decode, const char *text)
{
	unsigned char *out = (unsigned char *)1;
	size_t outlen = 99;

	assert_int_equal(decode(text, strlen(text), &out, &outlen), ASTRAL_ERR_INVALID);
	assert_null(out);
	assert_int_equal(outlen, 0);
}

/* RFC 4648 section 10 */
static void
test_encoding_b64_rfc4648(void **state)
{
	static const struct vector v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *enc = astral_b64_encode((const unsigned char *)v[i].plain, strlen(v[i].plain));

		assert_non_null(enc);
		assert_string_equal(enc, v[i].encoded);
		free(enc);
		check_decodes(astral_b64_decode, v[i].encoded, v[i].plain, strlen(v[i].plain));
	}
}

static void
test_encoding_b64url(void **state)
{
	static const unsigned char bytes[] = { 0xfb, 0xff, 0xbf, 0x3e, 0x00 };
	char *enc;

	(void)state;
	enc = astral_b64url_encode(bytes, sizeof(bytes));
	assert_non_null(enc);
	assert_string_equal(enc, "-_-_PgA");
	free(enc);
	check_decodes(astral_b64url_decode, "-_-_PgA", bytes, sizeof(bytes));
	enc = astral_b64_encode(bytes, sizeof(bytes));
	assert_non_null(enc);
	assert_string_equal(enc, "+/+/PgA=");
	free(enc);
	enc = astral_b64url_encode((const unsigned char *)"foob", 4);
	assert_non_null(enc);
	assert_string_equal(enc, "Zm9vYg");
	free(enc);
	check_decodes(astral_b64url_decode, "", "", 0);
}

static void
test_encoding_round_trip_all_lengths(void **state)
{
	unsigned char buf[70];
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof(buf); len++) {
		char *a = astral_b64url_encode(buf, len);
		char *b = astral_b64_encode(buf, len);
		char *c = astral_hex_encode(buf, len);
		char *d = astral_base32_encode(buf, len);

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_non_null(d);
		check_decodes(astral_b64url_decode, a, buf, len);
		check_decodes(astral_b64_decode, b, buf, len);
		check_decodes(astral_hex_decode, c, buf, len);
		check_decodes(astral_base32_decode, d, buf, len);
		free(a);
		free(b);
		free(c);
		free(d);
	}
}

static void
test_encoding_hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0xab, 0xcd, 0xef, 0xff };
	char *enc;

	(void)state;
	enc = astral_hex_encode(bytes, sizeof(bytes));
	assert_non_null(enc);
	assert_string_equal(enc, "0001abcdefff");
	free(enc);
	check_decodes(astral_hex_decode, "0001ABCDEFFF", bytes, sizeof(bytes));
	check_decodes(astral_hex_decode, "0001abCDefFF", bytes, sizeof(bytes));
}

/* RFC 4648 section 10, padding dropped on output */
static void
test_encoding_base32_rfc4648(void **state)
{
	static const struct vector v[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *enc = astral_base32_encode((const unsigned char *)v[i].plain, strlen(v[i].plain));

		assert_non_null(enc);
		assert_string_equal(enc, v[i].encoded);
		free(enc);
		check_decodes(astral_base32_decode, v[i].encoded, v[i].plain, strlen(v[i].plain));
	}
	/* Padded forms from the RFC are accepted too. */
	check_decodes(astral_base32_decode, "MY======", "f", 1);
	check_decodes(astral_base32_decode, "MZXW6YQ=", "foob", 4);
}

static void
test_encoding_base32_lenient_spelling(void **state)
{
	(void)state;
	check_decodes(astral_base32_decode, "mzxw6ytboi", "foobar", 6);
	check_decodes(astral_base32_decode, "MZXW 6YTB OI", "foobar", 6);
	check_decodes(astral_base32_decode, "mzxw-6ytb-oi", "foobar", 6);
	check_decodes(astral_base32_decode, "  MzXw6YtBoI  ", "foobar", 6);
}

static void
test_encoding_bad_b64url(void **state)
{
	(void)state;
	check_refused(astral_b64url_decode, "Zm9vYg==");   /* padding */
	check_refused(astral_b64url_decode, "Zm9v+g");     /* standard alphabet */
	check_refused(astral_b64url_decode, "Zm9v/g");
	check_refused(astral_b64url_decode, "Zm9vY");      /* length 4n+1 */
	check_refused(astral_b64url_decode, "Zm9 v");      /* space */
	check_refused(astral_b64url_decode, "Zm9vYh");     /* non-zero trailing bits */
	check_refused(astral_b64url_decode, "Zm9vYmF");    /* non-zero trailing bits */
	{
		unsigned char *out = NULL;
		size_t outlen = 0;

		/* An embedded NUL counted by inlen is a bad character. */
		assert_int_equal(astral_b64url_decode("Zm\0v", 4, &out, &outlen), ASTRAL_ERR_INVALID);
		assert_null(out);
	}
}

static void
test_encoding_bad_b64(void **state)
{
	(void)state;
	check_refused(astral_b64_decode, "Zm9vYg");        /* missing padding */
	check_refused(astral_b64_decode, "Zm9vYg=");       /* short padding */
	check_refused(astral_b64_decode, "Zm9vY===");      /* three pad chars */
	check_refused(astral_b64_decode, "Zm=vYmFy");      /* padding inside */
	check_refused(astral_b64_decode, "Zm9vYg==Zm9v");  /* data after padding */
	check_refused(astral_b64_decode, "Zm9v-_==");      /* url alphabet */
	check_refused(astral_b64_decode, "Zm9vYh==");      /* non-zero trailing bits */
	check_refused(astral_b64_decode, "====");
	check_refused(astral_b64_decode, "Zm9v\n");
}

static void
test_encoding_bad_hex(void **state)
{
	(void)state;
	check_refused(astral_hex_decode, "abc");           /* odd length */
	check_refused(astral_hex_decode, "0g");
	check_refused(astral_hex_decode, "0x00");
	check_refused(astral_hex_decode, " 00");
}

static void
test_encoding_bad_base32(void **state)
{
	(void)state;
	check_refused(astral_base32_decode, "MZXW1");      /* '1' not in alphabet */
	check_refused(astral_base32_decode, "MZXW0");      /* '0' not in alphabet */
	check_refused(astral_base32_decode, "MZXW8");
	check_refused(astral_base32_decode, "M");          /* impossible length */
	check_refused(astral_base32_decode, "MZX");
	check_refused(astral_base32_decode, "MZXW6Y");
	check_refused(astral_base32_decode, "MZ");         /* non-zero trailing bits */
	check_refused(astral_base32_decode, "MY=====");    /* wrong pad count */
	check_refused(astral_base32_decode, "MY==MY");     /* data after padding */
	check_refused(astral_base32_decode, "========");   /* padding alone (found by tests/fuzz) */
	check_refused(astral_base32_decode, "MZXW6YTB========");  /* a whole group of padding */
	check_refused(astral_base32_decode, "MY==============");
	check_refused(astral_base32_decode, "MZ_W6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_b64_rfc4648),
		cmocka_unit_test(test_encoding_b64url),
		cmocka_unit_test(test_encoding_round_trip_all_lengths),
		cmocka_unit_test(test_encoding_hex),
		cmocka_unit_test(test_encoding_base32_rfc4648),
		cmocka_unit_test(test_encoding_base32_lenient_spelling),
		cmocka_unit_test(test_encoding_bad_b64url),
		cmocka_unit_test(test_encoding_bad_b64),
		cmocka_unit_test(test_encoding_bad_hex),
		cmocka_unit_test(test_encoding_bad_base32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
