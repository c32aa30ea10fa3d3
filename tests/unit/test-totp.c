/* Tests for lib/totp.c: RFC 6238 / RFC 4226 vectors, window, replay, URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "totp.h"

static const unsigned char seed20[] = "12345678901234567890";
static const unsigned char seed32[] = "12345678901234567890123456789012";
static const unsigned char seed64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

/* RFC 6238 Appendix B */
static void
test_totp_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		enum astral_totp_alg alg;
		uint32_t code;
	} v[] = {
		{ 59, ASTRAL_TOTP_SHA1, 94287082 },
		{ 59, ASTRAL_TOTP_SHA256, 46119246 },
		{ 59, ASTRAL_TOTP_SHA512, 90693936 },
		{ 1111111109, ASTRAL_TOTP_SHA1, 7081804 },
		{ 1111111109, ASTRAL_TOTP_SHA256, 68084774 },
		{ 1111111109, ASTRAL_TOTP_SHA512, 25091201 },
		{ 1111111111, ASTRAL_TOTP_SHA1, 14050471 },
		{ 1111111111, ASTRAL_TOTP_SHA256, 67062674 },
		{ 1111111111, ASTRAL_TOTP_SHA512, 99943326 },
		{ 1234567890, ASTRAL_TOTP_SHA1, 89005924 },
		{ 1234567890, ASTRAL_TOTP_SHA256, 91819424 },
		{ 1234567890, ASTRAL_TOTP_SHA512, 93441116 },
		{ 2000000000, ASTRAL_TOTP_SHA1, 69279037 },
		{ 2000000000, ASTRAL_TOTP_SHA256, 90698825 },
		{ 2000000000, ASTRAL_TOTP_SHA512, 38618901 },
		{ INT64_C(20000000000), ASTRAL_TOTP_SHA1, 65353130 },
		{ INT64_C(20000000000), ASTRAL_TOTP_SHA256, 77737706 },
		{ INT64_C(20000000000), ASTRAL_TOTP_SHA512, 47863826 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const unsigned char *seed = v[i].alg == ASTRAL_TOTP_SHA1 ? seed20 :
		    v[i].alg == ASTRAL_TOTP_SHA256 ? seed32 : seed64;
		size_t len = v[i].alg == ASTRAL_TOTP_SHA1 ? 20 : v[i].alg == ASTRAL_TOTP_SHA256 ? 32 : 64;
		uint32_t code = 0;

		assert_int_equal(astral_totp_code(seed, len, v[i].t, 8, v[i].alg, &code), ASTRAL_OK);
		assert_int_equal(code, v[i].code);
	}
}

/* RFC 4226 Appendix D: HOTP counter c is TOTP time c * 30, 6 digits. */
static void
test_totp_rfc4226_six_digits(void **state)
{
	static const uint32_t want[] = {
		755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
	};
	size_t c;

	(void)state;
	for (c = 0; c < sizeof(want) / sizeof(want[0]); c++) {
		uint32_t code = 0;

		assert_int_equal(astral_totp_code(seed20, 20, (int64_t)c * ASTRAL_TOTP_PERIOD + 29, 6,
		    ASTRAL_TOTP_SHA1, &code), ASTRAL_OK);
		assert_int_equal(code, want[c]);
	}
}

static void
test_totp_bad_code_args(void **state)
{
	uint32_t code = 1;

	(void)state;
	assert_int_equal(astral_totp_code(seed20, 20, -1, 6, ASTRAL_TOTP_SHA1, &code), ASTRAL_ERR_INVALID);
	assert_int_equal(code, 0);
	assert_int_equal(astral_totp_code(seed20, 20, 59, 5, ASTRAL_TOTP_SHA1, &code), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_code(seed20, 20, 59, 9, ASTRAL_TOTP_SHA1, &code), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_code(seed20, 0, 59, 6, ASTRAL_TOTP_SHA1, &code), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_code(NULL, 20, 59, 6, ASTRAL_TOTP_SHA1, &code), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_code(seed20, 20, 59, 6, (enum astral_totp_alg)7, &code),
	    ASTRAL_ERR_INVALID);
}

/* The 6-digit text of the code for step. */
static void
code_text_at(int64_t step, char out[7])
{
	uint32_t code = 0;

	assert_int_equal(astral_totp_code(seed20, 20, step * ASTRAL_TOTP_PERIOD, 6,
	    ASTRAL_TOTP_SHA1, &code), ASTRAL_OK);
	assert_int_equal(snprintf(out, 7, "%06u", (unsigned)code), 6);
}

static void
test_totp_verify_window(void **state)
{
	const int64_t now = 1700000015;        /* step 56666667 */
	const int64_t step = now / ASTRAL_TOTP_PERIOD;
	char text[7];
	int64_t matched = 0;
	int64_t d;

	(void)state;
	for (d = -1; d <= 1; d++) {
		code_text_at(step + d, text);
		assert_int_equal(astral_totp_verify(seed20, 20, text, now, -1, &matched), ASTRAL_OK);
		assert_int_equal(matched, step + d);
	}
	code_text_at(step - 2, text);
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, -1, &matched), ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(matched, -1);
	code_text_at(step + 2, text);
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, -1, &matched), ASTRAL_ERR_UNAUTHORIZED);
}

static void
test_totp_verify_rfc_code(void **state)
{
	int64_t matched = 0;

	(void)state;
	/* RFC 6238 SHA1 at 59 s is 94287082: its last 6 digits are the 6-digit code. */
	assert_int_equal(astral_totp_verify(seed20, 20, "287082", 59, -1, &matched), ASTRAL_OK);
	assert_int_equal(matched, 1);
	/* Leading zero kept: 07081804 -> "081804" at 1111111109. */
	assert_int_equal(astral_totp_verify(seed20, 20, "081804", 1111111109, -1, &matched), ASTRAL_OK);
	assert_int_equal(matched, 1111111109 / 30);
}

static void
test_totp_bad_replay(void **state)
{
	const int64_t now = 1700000015;
	const int64_t step = now / ASTRAL_TOTP_PERIOD;
	char text[7], prev[7];
	int64_t matched = 0;

	(void)state;
	code_text_at(step, text);
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, -1, &matched), ASTRAL_OK);
	assert_int_equal(matched, step);
	/* The same code again, now that step is the last used one. */
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, matched, &matched),
	    ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(matched, -1);
	/* And 20 s later, still inside the window. */
	assert_int_equal(astral_totp_verify(seed20, 20, text, now + 20, step, &matched),
	    ASTRAL_ERR_UNAUTHORIZED);
	/* An older (previous-step) code after a newer one was used. */
	code_text_at(step - 1, prev);
	assert_int_equal(astral_totp_verify(seed20, 20, prev, now, step, &matched),
	    ASTRAL_ERR_UNAUTHORIZED);
	/* The next step's code is still fine. */
	code_text_at(step + 1, text);
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, step, &matched), ASTRAL_OK);
	assert_int_equal(matched, step + 1);
}

static void
test_totp_bad_wrong_code(void **state)
{
	const int64_t now = 1700000015;
	char text[7];
	int64_t matched = 0;
	uint32_t code = 0;

	(void)state;
	code_text_at(now / ASTRAL_TOTP_PERIOD, text);
	assert_int_equal(astral_totp_code(seed20, 20, now, 6, ASTRAL_TOTP_SHA1, &code), ASTRAL_OK);
	assert_int_equal(snprintf(text, sizeof(text), "%06u", (unsigned)((code + 1) % 1000000)), 6);
	assert_int_equal(astral_totp_verify(seed20, 20, text, now, -1, &matched), ASTRAL_ERR_UNAUTHORIZED);
	/* Right code, wrong secret. */
	code_text_at(now / ASTRAL_TOTP_PERIOD, text);
	assert_int_equal(astral_totp_verify((const unsigned char *)"ABCDEFGHIJKLMNOPQRST", 20, text,
	    now, -1, &matched), ASTRAL_ERR_UNAUTHORIZED);
}

static void
test_totp_bad_code_text(void **state)
{
	static const char *bad[] = {
		"", "12345", "1234567", "12a456", " 12345", "123456 ", "-12345", "+12345",
		"12345\n", "１２３４５６", "12 456", "0x1234",
	};
	int64_t matched = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(astral_totp_verify(seed20, 20, bad[i], 1700000015, -1, &matched),
		    ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_verify(seed20, 20, NULL, 1700000015, -1, &matched), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_verify(seed20, 20, "123456", -5, -1, &matched), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_totp_verify(seed20, 0, "123456", 1700000015, -1, &matched), ASTRAL_ERR_INVALID);
}

static void
test_totp_uri(void **state)
{
	static const unsigned char secret[ASTRAL_TOTP_SECRET_BYTES] = "12345678901234567890";
	char *uri;

	(void)state;
	uri = astral_totp_uri("Astral", "sam@example.org", secret, sizeof(secret));
	assert_non_null(uri);
	assert_string_equal(uri,
	    "otpauth://totp/Astral:sam%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=Astral&algorithm=SHA1&digits=6&period=30");
	free(uri);
	uri = astral_totp_uri("Astral Core", "a:b&c=d?\xc3\xa9", secret, sizeof(secret));
	assert_non_null(uri);
	assert_string_equal(uri,
	    "otpauth://totp/Astral%20Core:a%3Ab%26c%3Dd%3F%C3%A9?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=Astral%20Core&algorithm=SHA1&digits=6&period=30");
	free(uri);
}

static void
test_totp_bad_uri_args(void **state)
{
	static const unsigned char secret[ASTRAL_TOTP_SECRET_BYTES] = "12345678901234567890";

	(void)state;
	assert_null(astral_totp_uri(NULL, "sam", secret, sizeof(secret)));
	assert_null(astral_totp_uri("Astral", NULL, secret, sizeof(secret)));
	assert_null(astral_totp_uri("", "sam", secret, sizeof(secret)));
	assert_null(astral_totp_uri("Astral", "", secret, sizeof(secret)));
	assert_null(astral_totp_uri("Astral", "sam", secret, 0));
	assert_null(astral_totp_uri("Astral", "sam", NULL, 20));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp_rfc6238_vectors),
		cmocka_unit_test(test_totp_rfc4226_six_digits),
		cmocka_unit_test(test_totp_bad_code_args),
		cmocka_unit_test(test_totp_verify_window),
		cmocka_unit_test(test_totp_verify_rfc_code),
		cmocka_unit_test(test_totp_bad_replay),
		cmocka_unit_test(test_totp_bad_wrong_code),
		cmocka_unit_test(test_totp_bad_code_text),
		cmocka_unit_test(test_totp_uri),
		cmocka_unit_test(test_totp_bad_uri_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
