/* Tests for lib/json_text.c: every piece lands as written, strings are escaped so that json-c
   reads back exactly what went in, a large document grows the buffer, and finish hands over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "json_text.h"

static char *
finish(struct astral_json_text *t, size_t *len)
{
	char *out = NULL;

	assert_int_equal(astral_json_text_finish(t, &out, len), ASTRAL_OK);
	assert_non_null(out);
	assert_int_equal(strlen(out), *len);
	return out;
}

static void
test_json_text_pieces(void **state)
{
	struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
	size_t len;
	char *out;

	(void)state;
	astral_json_text_lit(&t, "{\"n\":");
	astral_json_text_int(&t, -9223372036854775807LL - 1);
	astral_json_text_lit(&t, ",\"s\":");
	astral_json_text_str(&t, "plain");
	astral_json_text_lit(&t, ",\"z\":");
	astral_json_text_str(&t, NULL);
	astral_json_text_raw(&t, "}xyz", 1);
	out = finish(&t, &len);
	assert_string_equal(out, "{\"n\":-9223372036854775808,\"s\":\"plain\",\"z\":null}");
	free(out);
	assert_null(t.text.s);
}

/* Whatever a string holds, json-c parses it back to the same bytes. */
static void
test_json_text_bad_characters_escaped(void **state)
{
	static const char *const texts[] = {
		"quote \" and backslash \\", "line\nbreak\rtab\t", "\x01\x1f bell\a", "</script>",
		"caf\xc3\xa9 \xf0\x9f\x8c\xb1", "", "\\\\\"\"",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
		struct json_object *back;
		size_t len;
		char *out;

		astral_json_text_str(&t, texts[i]);
		out = finish(&t, &len);
		for (size_t k = 0; k < len; k++)
			assert_true((unsigned char)out[k] >= 0x20);
		back = json_tokener_parse(out);
		assert_non_null(back);
		assert_true(json_object_is_type(back, json_type_string));
		assert_string_equal(json_object_get_string(back), texts[i]);
		json_object_put(back);
		free(out);
	}
}

static void
test_json_text_grows(void **state)
{
	struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
	struct json_object *back;
	size_t len;
	char *out;

	(void)state;
	astral_json_text_lit(&t, "[");
	for (int i = 0; i < 20000; i++) {
		if (i > 0)
			astral_json_text_lit(&t, ",");
		astral_json_text_int(&t, i);
	}
	astral_json_text_lit(&t, "]");
	out = finish(&t, &len);
	back = json_tokener_parse(out);
	assert_non_null(back);
	assert_int_equal(json_object_array_length(back), 20000);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(back, 19999)), 19999);
	json_object_put(back);
	free(out);
}

static void
test_json_text_empty_finish(void **state)
{
	struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
	size_t len = 99;
	char *out;

	(void)state;
	out = finish(&t, &len);
	assert_int_equal(len, 0);
	free(out);
}

/* A failed growth is reported by finish, and nothing is handed over. */
static void
test_json_text_bad_size_fails(void **state)
{
	struct astral_json_text t = ASTRAL_JSON_TEXT_INIT;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	astral_json_text_lit(&t, "[1");
	astral_json_text_raw(&t, "x", ((size_t)-1) / 2);   /* never read: refused by size */
	astral_json_text_lit(&t, "]");
	assert_int_equal(astral_json_text_finish(&t, &out, &len), ASTRAL_ERR_NOMEM);
	assert_null(out);
	assert_null(t.text.s);
	astral_json_text_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_text_pieces),
		cmocka_unit_test(test_json_text_bad_characters_escaped),
		cmocka_unit_test(test_json_text_grows),
		cmocka_unit_test(test_json_text_empty_finish),
		cmocka_unit_test(test_json_text_bad_size_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
