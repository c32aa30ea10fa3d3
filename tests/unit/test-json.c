/* lib/json.c astral_json_numeric: PostgreSQL numeric text becomes a JSON number written exactly as
   the text; SQL NULL and anything that is not a finite JSON number give NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "json.h"

static void
test_json_numeric_written_as_given(void **state)
{
	static const struct { const char *text; double value; } cases[] = {
		{ "4.50", 4.5 }, { "5.00", 5.0 }, { "3.33", 3.33 }, { "0", 0.0 }, { "-0.25", -0.25 },
		{ "12.5", 12.5 }, { "1234567.000", 1234567.0 }, { "2e3", 2000.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o = astral_json_numeric(cases[i].text), *back;

		assert_non_null(o);
		assert_true(json_object_is_type(o, json_type_double));
		assert_true(json_object_get_double(o) == cases[i].value);
		assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), cases[i].text);
		back = json_tokener_parse(json_object_to_json_string(o));
		assert_non_null(back);
		assert_true(json_object_get_double(back) == cases[i].value);
		json_object_put(back);
		json_object_put(o);
	}
}

/* Written inside an object, the number keeps its text and SQL NULL becomes null. */
static void
test_json_numeric_in_object(void **state)
{
	struct json_object *o = json_object_new_object();

	(void)state;
	json_object_object_add(o, "reputation", astral_json_numeric("4.50"));
	json_object_object_add(o, "median", astral_json_numeric(NULL));
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                    "{\"reputation\":4.50,\"median\":null}");
	json_object_put(o);
}

/* Text that json-c would copy into the response as it stands must be a JSON number. */
static void
test_json_numeric_bad_text(void **state)
{
	static const char *const bad[] = {
		"", "NaN", "Infinity", "-Infinity", "nan", "inf", " 4.5", "4.5 ", "4.5x", "+1", ".5", "5.",
		"01", "0x10", "1e", "1e+", "--1", "-", "1,5", "1e999", "-1e999", "4.5\n",
	};

	(void)state;
	assert_null(astral_json_numeric(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = astral_json_numeric(bad[i]);

		if (o != NULL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_numeric_written_as_given),
		cmocka_unit_test(test_json_numeric_in_object),
		cmocka_unit_test(test_json_numeric_bad_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
