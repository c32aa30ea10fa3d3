/* lib/cursor.c: keyset cursors round-trip; forged, truncated and oversized tokens are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"
#include "encoding.h"

static void
test_cursor_round_trip(void **state)
{
	struct astral_cursor c, d;
	char token[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long v = 0;
	const char *id = NULL;

	(void)state;
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add_int(&c, -17), ASTRAL_OK);
	assert_int_equal(astral_cursor_add_int(&c, 1764111111), ASTRAL_OK);
	assert_int_equal(astral_cursor_add(&c, "0b5c7a52-3f0e-4c55-9d0a-8a3a4f1d2e11"), ASTRAL_OK);
	assert_int_equal(astral_cursor_encode(&c, token, sizeof(token)), ASTRAL_OK);
	assert_null(strpbrk(token, "+/=\x1f"));
	assert_int_equal(astral_cursor_decode(token, 3, &d), ASTRAL_OK);
	assert_int_equal(astral_cursor_int(&d, 0, &v), ASTRAL_OK);
	assert_int_equal(v, -17);
	assert_int_equal(astral_cursor_int(&d, 1, &v), ASTRAL_OK);
	assert_int_equal(v, 1764111111);
	assert_int_equal(astral_cursor_uuid(&d, 2, &id), ASTRAL_OK);
	assert_string_equal(id, "0b5c7a52-3f0e-4c55-9d0a-8a3a4f1d2e11");
}

static void
test_cursor_bad_part_count(void **state)
{
	struct astral_cursor c, d;
	char token[ASTRAL_CURSOR_TEXT_MAX + 1];

	(void)state;
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add(&c, "a"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add(&c, "b"), ASTRAL_OK);
	assert_int_equal(astral_cursor_encode(&c, token, sizeof(token)), ASTRAL_OK);
	assert_int_equal(astral_cursor_decode(token, 1, &d), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_decode(token, 3, &d), ASTRAL_ERR_INVALID);
	assert_int_equal(d.n, 0);
}

static void
test_cursor_bad_tokens(void **state)
{
	static const char *const raw[] = { "c2\x1f" "a", "c1", "c1\x1f", "c1\x1f\x1f" "a", "c1\x1f" "a b",
	                                   "c1\x1f" "a'b", "x" };
	struct astral_cursor d;
	char *token;

	(void)state;
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		token = astral_b64url_encode((const unsigned char *)raw[i], strlen(raw[i]));
		assert_non_null(token);
		assert_int_equal(astral_cursor_decode(token, 1, &d), ASTRAL_ERR_INVALID);
		free(token);
	}
	assert_int_equal(astral_cursor_decode("", 1, &d), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_decode("!!!", 1, &d), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_decode(NULL, 1, &d), ASTRAL_ERR_INVALID);
}

static void
test_cursor_bad_oversize(void **state)
{
	struct astral_cursor c, d;
	char long_part[ASTRAL_CURSOR_PART_MAX + 2];
	char huge[ASTRAL_CURSOR_TEXT_MAX + 8];
	char small[4];

	(void)state;
	memset(long_part, 'a', sizeof(long_part) - 1);
	long_part[sizeof(long_part) - 1] = '\0';
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add(&c, long_part), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_add(&c, ""), ASTRAL_ERR_INVALID);
	for (int i = 0; i < ASTRAL_CURSOR_MAX_PARTS; i++)
		assert_int_equal(astral_cursor_add(&c, "x"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add(&c, "x"), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode(&c, small, sizeof(small)), ASTRAL_ERR_TOO_LARGE);
	memset(huge, 'A', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(astral_cursor_decode(huge, 1, &d), ASTRAL_ERR_INVALID);
}

static void
test_cursor_bad_types(void **state)
{
	struct astral_cursor c;
	long long v;
	const char *id;

	(void)state;
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add(&c, "12a"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add(&c, "99999999999999999999"), ASTRAL_OK);
	assert_int_equal(astral_cursor_int(&c, 0, &v), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_int(&c, 1, &v), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_uuid(&c, 0, &id), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_int(&c, 2, &v), ASTRAL_ERR_INVALID);
}

static void
test_cursor_text_round_trip(void **state)
{
	struct astral_cursor c, d;
	char token[ASTRAL_CURSOR_TEXT_MAX + 1], name[ASTRAL_CURSOR_TEXT_PART_MAX + 1];
	char longest[ASTRAL_CURSOR_TEXT_PART_MAX + 1];

	(void)state;
	memset(longest, 'z', ASTRAL_CURSOR_TEXT_PART_MAX);
	longest[ASTRAL_CURSOR_TEXT_PART_MAX] = '\0';
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add(&c, "n"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add_text(&c, "Zo\xc3\xab | \xe2\x98\x83 O'Brien"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add_text(&c, longest), ASTRAL_OK);
	assert_int_equal(astral_cursor_encode(&c, token, sizeof(token)), ASTRAL_OK);
	assert_int_equal(astral_cursor_decode(token, 3, &d), ASTRAL_OK);
	assert_int_equal(astral_cursor_text(&d, 1, name, sizeof(name)), ASTRAL_OK);
	assert_string_equal(name, "Zo\xc3\xab | \xe2\x98\x83 O'Brien");
	assert_int_equal(astral_cursor_text(&d, 2, name, sizeof(name)), ASTRAL_OK);
	assert_string_equal(name, longest);
}

static void
test_cursor_bad_text(void **state)
{
	struct astral_cursor c;
	char too_long[ASTRAL_CURSOR_TEXT_PART_MAX + 2], small[4], out[64];
	char *control;

	(void)state;
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	astral_cursor_init(&c);
	assert_int_equal(astral_cursor_add_text(&c, ""), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_add_text(&c, too_long), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_add_text(&c, NULL), ASTRAL_ERR_INVALID);
	/* Parts that are not base64url of clean text: a control character, broken UTF-8. */
	control = astral_b64url_encode((const unsigned char *)"a\x07b", 3);
	assert_non_null(control);
	assert_int_equal(astral_cursor_add(&c, control), ASTRAL_OK);
	free(control);
	assert_int_equal(astral_cursor_add(&c, "_-8"), ASTRAL_OK);
	assert_int_equal(astral_cursor_add_text(&c, "fine"), ASTRAL_OK);
	assert_int_equal(astral_cursor_text(&c, 0, out, sizeof(out)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_text(&c, 1, out, sizeof(out)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_text(&c, 2, small, sizeof(small)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_text(&c, 2, out, sizeof(out)), ASTRAL_OK);
	assert_string_equal(out, "fine");
	assert_int_equal(astral_cursor_text(&c, 3, out, sizeof(out)), ASTRAL_ERR_INVALID);
}

/* A list's "next" from its last row: the same token as adding the parts one by one. */
static void
test_cursor_encode_parts(void **state)
{
	const char *parts[] = { "r", "1", "1764111111000000", "0b5c7a52-3f0e-4c55-9d0a-8a3a4f1d2e11" };
	struct astral_cursor c, d;
	char token[ASTRAL_CURSOR_TEXT_MAX + 1], expected[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long v = 0;

	(void)state;
	assert_int_equal(astral_cursor_encode_parts(parts, 4, token, sizeof(token)), ASTRAL_OK);
	astral_cursor_init(&c);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(astral_cursor_add(&c, parts[i]), ASTRAL_OK);
	assert_int_equal(astral_cursor_encode(&c, expected, sizeof(expected)), ASTRAL_OK);
	assert_string_equal(token, expected);
	assert_int_equal(astral_cursor_decode(token, 4, &d), ASTRAL_OK);
	assert_string_equal(d.parts[0], "r");
	assert_int_equal(astral_cursor_int(&d, 2, &v), ASTRAL_OK);
	assert_int_equal(v, 1764111111000000LL);
	assert_int_equal(astral_cursor_encode_parts(parts, 1, token, sizeof(token)), ASTRAL_OK);
	assert_int_equal(astral_cursor_decode(token, 1, &d), ASTRAL_OK);
	assert_string_equal(d.parts[0], "r");
}

/* A NULL column (a part the row does not have), a malformed part, a count out of range or a short
   buffer: refused, and the output is left as it was. */
static void
test_cursor_bad_encode_parts(void **state)
{
	const char *null_part[] = { "l", NULL };
	const char *bad_part[] = { "l", "a b" };
	const char *empty_part[] = { "l", "" };
	const char *five[] = { "a", "b", "c", "d", "e" };
	char token[ASTRAL_CURSOR_TEXT_MAX + 1] = "untouched", small[4];

	(void)state;
	assert_int_equal(astral_cursor_encode_parts(null_part, 2, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(bad_part, 2, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(empty_part, 2, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(five, 5, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(five, 0, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(NULL, 1, token, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_cursor_encode_parts(five, 4, NULL, sizeof(token)), ASTRAL_ERR_INVALID);
	assert_string_equal(token, "untouched");
	memset(small, 'z', sizeof(small));
	assert_int_equal(astral_cursor_encode_parts(five, 4, small, sizeof(small)), ASTRAL_ERR_TOO_LARGE);
	assert_memory_equal(small, "zzzz", sizeof(small));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_round_trip),
		cmocka_unit_test(test_cursor_bad_part_count),
		cmocka_unit_test(test_cursor_bad_tokens),
		cmocka_unit_test(test_cursor_bad_oversize),
		cmocka_unit_test(test_cursor_bad_types),
		cmocka_unit_test(test_cursor_text_round_trip),
		cmocka_unit_test(test_cursor_bad_text),
		cmocka_unit_test(test_cursor_encode_parts),
		cmocka_unit_test(test_cursor_bad_encode_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
