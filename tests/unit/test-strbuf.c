/* Tests for lib/strbuf.c: pieces land in order and stay NUL-terminated, take hands over (an empty
   text when nothing was added), a large text grows the buffer, a size that cannot be held fails
   without an allocation, and a failure is reported once by take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

static void
test_strbuf_appends(void **state)
{
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
	char *out;

	(void)state;
	astral_strbuf_puts(&b, "one");
	assert_string_equal(b.s, "one");
	astral_strbuf_add(&b, ", two, three", 5);
	astral_strbuf_add(&b, "", 0);
	astral_strbuf_puts(&b, "");
	astral_strbuf_add(&b, "\0x", 2);                /* NULs are bytes like any other */
	assert_int_equal(b.len, 10);
	assert_int_equal(b.failed, 0);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.s, "one, two\0x", 11);
	out = astral_strbuf_take(&b);
	assert_non_null(out);
	assert_memory_equal(out, "one, two\0x", 11);
	free(out);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	astral_strbuf_puts(&b, "again");                /* usable after take */
	out = astral_strbuf_take(&b);
	assert_string_equal(out, "again");
	free(out);
}

static void
test_strbuf_empty_take(void **state)
{
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
	char *out;

	(void)state;
	out = astral_strbuf_take(&b);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
	assert_null(b.s);
	astral_strbuf_free(&b);                         /* freeing an empty buffer is harmless */
	astral_strbuf_free(&b);
	assert_null(b.s);
}

static void
test_strbuf_grows(void **state)
{
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
	size_t big = 3 * 1024 * 1024 + 7;
	char *piece = malloc(big), *out;

	(void)state;
	assert_non_null(piece);
	memset(piece, 'z', big);
	for (int i = 0; i < 100000; i++)
		astral_strbuf_add(&b, i % 2 ? "b" : "a", 1);
	astral_strbuf_add(&b, piece, big);
	astral_strbuf_puts(&b, "!");
	assert_int_equal(b.failed, 0);
	assert_int_equal(b.len, 100000 + big + 1);
	out = astral_strbuf_take(&b);
	assert_non_null(out);
	assert_int_equal(strlen(out), 100000 + big + 1);
	for (size_t i = 0; i < 100000; i++)
		assert_int_equal(out[i], i % 2 ? 'b' : 'a');
	assert_memory_equal(out + 100000, piece, big);
	assert_string_equal(out + 100000 + big, "!");
	free(out);
	free(piece);
}

/* Sizes no object can have fail at once: nothing is allocated (under ASan a request this large
   would itself be reported), and the text already there is kept until take. */
static void
test_strbuf_overflow_guard(void **state)
{
	static const size_t sizes[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2 + 1, SIZE_MAX / 2 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct astral_strbuf b = ASTRAL_STRBUF_INIT;

		astral_strbuf_add(&b, "x", sizes[i]);           /* never read: refused by size */
		assert_int_equal(b.failed, 1);
		assert_null(b.s);
		assert_int_equal(b.len, 0);
		assert_int_equal(b.cap, 0);
		astral_strbuf_free(&b);
		assert_int_equal(b.failed, 0);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct astral_strbuf b = ASTRAL_STRBUF_INIT;
		size_t cap;

		astral_strbuf_puts(&b, "kept");
		cap = b.cap;
		astral_strbuf_add(&b, "x", sizes[i]);
		assert_int_equal(b.failed, 1);
		assert_string_equal(b.s, "kept");
		assert_int_equal(b.len, 4);
		assert_int_equal(b.cap, cap);
		astral_strbuf_free(&b);
	}
}

/* After a failure every append does nothing, take frees and answers NULL, and the buffer is
   ready again. */
static void
test_strbuf_take_after_failure(void **state)
{
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
	char *out;

	(void)state;
	astral_strbuf_add(&b, "x", SIZE_MAX);           /* failed before anything was added */
	assert_null(astral_strbuf_take(&b));

	astral_strbuf_puts(&b, "before");
	astral_strbuf_add(&b, "x", SIZE_MAX);
	astral_strbuf_puts(&b, " after");
	astral_strbuf_add(&b, "more", 4);
	assert_string_equal(b.s, "before");
	assert_null(astral_strbuf_take(&b));
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.failed, 0);

	astral_strbuf_puts(&b, "fresh");
	out = astral_strbuf_take(&b);
	assert_string_equal(out, "fresh");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_appends),
		cmocka_unit_test(test_strbuf_empty_take),
		cmocka_unit_test(test_strbuf_grows),
		cmocka_unit_test(test_strbuf_overflow_guard),
		cmocka_unit_test(test_strbuf_take_after_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
