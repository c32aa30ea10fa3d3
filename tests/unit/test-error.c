/* Tests for lib/error.c: every error has its own readable message, and values outside the enum
   still get one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"

/* Every value of the enum, in declaration order: a new value added to error.h without a message
   shows up here as "unknown error", which the distinctness check refuses. */
static const astral_err all_errors[] = {
	ASTRAL_OK, ASTRAL_ERR_NOMEM, ASTRAL_ERR_INVALID, ASTRAL_ERR_TOO_LARGE, ASTRAL_ERR_NOT_FOUND,
	ASTRAL_ERR_CONFLICT, ASTRAL_ERR_UNAUTHORIZED, ASTRAL_ERR_FORBIDDEN, ASTRAL_ERR_EXPIRED,
	ASTRAL_ERR_CRYPTO, ASTRAL_ERR_IO, ASTRAL_ERR_CONFIG, ASTRAL_ERR_DB, ASTRAL_ERR_DB_DOWN,
	ASTRAL_ERR_INTERNAL,
};
#define NERRORS (sizeof(all_errors) / sizeof(all_errors[0]))

static void
test_error_values_are_dense(void **state)
{
	(void)state;
	/* The list above is the whole enum: values 0..INTERNAL with no gaps. */
	for (size_t i = 0; i < NERRORS; i++)
		assert_int_equal((int)all_errors[i], (int)i);
	assert_int_equal((int)ASTRAL_ERR_INTERNAL, (int)NERRORS - 1);
}

static void
test_error_messages_nonempty(void **state)
{
	(void)state;
	for (size_t i = 0; i < NERRORS; i++) {
		const char *s = astral_strerror(all_errors[i]);

		assert_non_null(s);
		if (s[0] == '\0')
			fail_msg("astral_strerror(%d) is empty", (int)all_errors[i]);
		if (strcmp(s, astral_strerror((astral_err)(ASTRAL_ERR_INTERNAL + 1))) == 0)
			fail_msg("astral_strerror(%d) is the unknown-value message \"%s\"", (int)all_errors[i], s);
	}
}

static void
test_error_messages_distinct(void **state)
{
	(void)state;
	for (size_t i = 0; i < NERRORS; i++)
		for (size_t j = i + 1; j < NERRORS; j++)
			if (strcmp(astral_strerror(all_errors[i]), astral_strerror(all_errors[j])) == 0)
				fail_msg("errors %zu and %zu share the message \"%s\"", i, j, astral_strerror(all_errors[i]));
}

static void
test_error_known_messages(void **state)
{
	(void)state;
	/* A few fixed points: logs and operators read these words. */
	assert_string_equal(astral_strerror(ASTRAL_OK), "success");
	assert_string_equal(astral_strerror(ASTRAL_ERR_NOMEM), "out of memory");
	assert_string_equal(astral_strerror(ASTRAL_ERR_DB_DOWN), "database unavailable");
	assert_string_equal(astral_strerror(ASTRAL_ERR_INTERNAL), "internal error");
}

static void
test_error_bad_unknown_values(void **state)
{
	static const int unknown[] = { -1, (int)ASTRAL_ERR_INTERNAL + 1, 100, 1 << 30, -2147483647 - 1 };

	(void)state;
	for (size_t k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
		const char *s = astral_strerror((astral_err)unknown[k]);

		assert_non_null(s);
		assert_true(s[0] != '\0');
		for (size_t i = 0; i < NERRORS; i++)
			if (strcmp(s, astral_strerror(all_errors[i])) == 0)
				fail_msg("unknown value %d reads as error %zu (\"%s\")", unknown[k], i, s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_values_are_dense),
		cmocka_unit_test(test_error_messages_nonempty),
		cmocka_unit_test(test_error_messages_distinct),
		cmocka_unit_test(test_error_known_messages),
		cmocka_unit_test(test_error_bad_unknown_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
