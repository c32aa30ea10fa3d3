/* Tests for lib/input.c: declared inputs converted from JSON bodies and query strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "input.h"
#include "json.h"

static const char *const colours[] = { "red", "green", "blue", "black", NULL };

/* Every field type once. */
struct every {
	const char *text;
	const char *note;
	const char *secret;
	long long count;
	int flag;
	const char *id;
	const char *colour;
	struct astral_list tags;
	const char *day;
	char name[33];
};

static const struct astral_field every_fields[] = {
	{ "text", ASTRAL_F_TEXT, 1, 1, 20, NULL, offsetof(struct every, text), 0 },
	{ "note", ASTRAL_F_MULTILINE, 0, 0, 200, NULL, offsetof(struct every, note), 0 },
	{ "secret", ASTRAL_F_SECRET, 0, 8, 64, NULL, offsetof(struct every, secret), 0 },
	{ "count", ASTRAL_F_INT, 0, 0, 100, NULL, offsetof(struct every, count), 7 },
	{ "flag", ASTRAL_F_BOOL, 0, 0, 0, NULL, offsetof(struct every, flag), -1 },
	{ "id", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct every, id), 0 },
	{ "colour", ASTRAL_F_ENUM, 0, 0, 0, colours, offsetof(struct every, colour), 0 },
	{ "day", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct every, day), 0 },
	{ "name", ASTRAL_F_USERNAME, 0, 0, 0, NULL, offsetof(struct every, name), 0 },
	{ "tags", ASTRAL_F_ENUM_LIST, 0, 0, 3, colours, offsetof(struct every, tags), 0 },
};

static const struct astral_input_spec every_spec = {
	every_fields, sizeof(every_fields) / sizeof(every_fields[0]), sizeof(struct every)
};

/* The same without the list (the last field), which a query string cannot carry. */
static const struct astral_input_spec query_spec = {
	every_fields, sizeof(every_fields) / sizeof(every_fields[0]) - 1, sizeof(struct every)
};

#define UUID "123e4567-e89b-42d3-a456-426614174000"

/* The problem reported for `field`, or NULL. */
static const char *
problem_of(struct json_object *problems, const char *field)
{
	struct json_object *v;

	if (problems == NULL || !json_object_object_get_ex(problems, field, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
problem_count(struct json_object *problems)
{
	return problems ? json_object_object_length(problems) : 0;
}

/* Parse `json` (must be valid), convert it, keep the object alive in *obj. */
static struct json_object *
convert(const char *json, struct every *out, struct json_object **obj)
{
	struct json_object *problems = (struct json_object *)1;

	*obj = json_tokener_parse(json);
	if (*obj == NULL)
		fail_msg("test JSON does not parse: %s", json);
	memset(out, 0xa5, sizeof(*out));
	astral_input_from_json(&every_spec, *obj, out, &problems);
	return problems;
}

/* Convert and expect exactly one problem: `field` → `want` (want NULL: any text). */
static void
expect_one_problem(const char *json, const char *field, const char *want)
{
	struct json_object *obj, *problems;
	struct every in;
	const char *got;

	char why[512] = "";

	problems = convert(json, &in, &obj);
	got = problem_of(problems, field);
	if (got == NULL || (want != NULL && strcmp(got, want) != 0) || problem_count(problems) != 1)
		snprintf(why, sizeof(why), "%s: want only \"%s\": \"%s\", got %s", json, field,
		         want ? want : "(any)", problems ? json_object_to_json_string(problems) : "no problem");
	json_object_put(problems);
	json_object_put(obj);
	if (why[0] != '\0')
		fail_msg("%s", why);
}

static void
test_input_json_every_type(void **state)
{
	static const char json[] =
		"{\"text\":\"h\\u00e9llo\",\"note\":\"line\\nnext\\tx\",\"secret\":\"correct horse\","
		"\"count\":42,\"flag\":true,\"id\":\"" UUID "\",\"colour\":\"green\","
		"\"tags\":[\"red\",\"blue\"],\"day\":\"2024-02-29\",\"name\":\"Alice_01\"}";
	struct json_object *obj, *problems;
	struct every in;

	(void)state;
	problems = convert(json, &in, &obj);
	assert_null(problems);
	assert_string_equal(in.text, "h\xc3\xa9llo");
	assert_string_equal(in.note, "line\nnext\tx");
	assert_string_equal(in.secret, "correct horse");
	assert_int_equal(in.count, 42);
	assert_int_equal(in.flag, 1);
	assert_string_equal(in.id, UUID);
	assert_string_equal(in.colour, "green");
	assert_int_equal(in.tags.present, 1);
	assert_int_equal(in.tags.n, 2);
	assert_string_equal(in.tags.items[0], "red");
	assert_string_equal(in.tags.items[1], "blue");
	assert_string_equal(in.day, "2024-02-29");
	assert_string_equal(in.name, "alice_01");
	json_object_put(obj);
}

static void
test_input_json_defaults(void **state)
{
	struct json_object *obj, *problems;
	struct every in;

	(void)state;
	problems = convert("{\"text\":\"x\"}", &in, &obj);
	assert_null(problems);
	assert_string_equal(in.text, "x");
	assert_null(in.note);
	assert_null(in.secret);
	assert_int_equal(in.count, 7);
	assert_int_equal(in.flag, -1);
	assert_null(in.id);
	assert_null(in.colour);
	assert_int_equal(in.tags.present, 0);
	assert_int_equal(in.tags.n, 0);
	assert_null(in.day);
	assert_string_equal(in.name, "");
	json_object_put(obj);

	/* false and [] are values. */
	problems = convert("{\"text\":\"x\",\"flag\":false,\"tags\":[]}", &in, &obj);
	assert_null(problems);
	assert_int_equal(in.count, 7);
	assert_int_equal(in.flag, 0);
	assert_int_equal(in.tags.present, 1);
	assert_int_equal(in.tags.n, 0);
	json_object_put(obj);
}

static void
test_input_json_edges_of_ranges(void **state)
{
	struct json_object *obj, *problems;
	struct every in;

	(void)state;
	problems = convert("{\"text\":\"\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac"
	                   "\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\","
	                   "\"count\":100,\"secret\":\"12345678\",\"tags\":[\"red\",\"green\",\"blue\"],"
	                   "\"name\":\"abc\"}", &in, &obj);
	assert_null(problems);     /* 20 code points (60 bytes) within max 20 */
	assert_int_equal(in.count, 100);
	assert_int_equal(in.tags.n, 3);
	json_object_put(obj);
	problems = convert("{\"text\":\"x\",\"count\":0}", &in, &obj);
	assert_null(problems);
	assert_int_equal(in.count, 0);
	json_object_put(obj);
}

static void
test_input_bad_unknown_field(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":\"x\",\"admin\":true}", "admin", "unknown field");
	expect_one_problem("{\"text\":\"x\",\"Text\":\"y\"}", "Text", "unknown field");
	expect_one_problem("{\"text\":\"x\",\"text \":\"y\"}", "text ", "unknown field");
	/* Names that are not short and printable are not echoed back. */
	expect_one_problem("{\"text\":\"x\",\"a\\u001bb\":1}", "body", "unknown field");
	expect_one_problem("{\"text\":\"x\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}",
	                   "body", "unknown field");
	expect_one_problem("{\"text\":\"x\",\"\":1}", "body", "unknown field");
}

/* "text\u0000x" is not the declared field "text": accepting it would let a body that a proxy
   sees as one field reach the handler as another. json-c cuts such keys at the NUL, so the
   body parser and the conversion together must refuse it. */
static void
test_input_bad_key_with_nul(void **state)
{
	static const char body[] = "{\"text\\u0000x\":\"hello\"}";
	struct json_object *obj = NULL, *problems = NULL;
	const char *why = NULL;
	struct every in;

	(void)state;
	if (astral_json_parse(body, sizeof(body) - 1, &obj, &why) != ASTRAL_OK) {
		assert_null(obj);
		assert_non_null(why);
		return;
	}
	astral_input_from_json(&every_spec, obj, &in, &problems);
	json_object_put(obj);
	if (problems == NULL)
		fail_msg("key \"text\\u0000x\" was accepted as field \"text\"");
	json_object_put(problems);
}

static void
test_input_bad_types(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":5}", "text", "must be a string");
	expect_one_problem("{\"text\":[\"x\"]}", "text", "must be a string");
	expect_one_problem("{\"text\":{\"x\":1}}", "text", "must be a string");
	expect_one_problem("{\"text\":true}", "text", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"note\":1}", "note", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"secret\":12345678}", "secret", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"count\":\"5\"}", "count", "must be a whole number");
	expect_one_problem("{\"text\":\"x\",\"count\":5.0}", "count", "must be a whole number");
	expect_one_problem("{\"text\":\"x\",\"count\":5.5}", "count", "must be a whole number");
	expect_one_problem("{\"text\":\"x\",\"count\":true}", "count", "must be a whole number");
	expect_one_problem("{\"text\":\"x\",\"count\":[5]}", "count", "must be a whole number");
	expect_one_problem("{\"text\":\"x\",\"flag\":\"true\"}", "flag", "must be true or false");
	expect_one_problem("{\"text\":\"x\",\"flag\":1}", "flag", "must be true or false");
	expect_one_problem("{\"text\":\"x\",\"flag\":0}", "flag", "must be true or false");
	expect_one_problem("{\"text\":\"x\",\"id\":123}", "id", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"colour\":[\"red\"]}", "colour", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"tags\":\"red\"}", "tags", "must be a list");
	expect_one_problem("{\"text\":\"x\",\"tags\":{\"0\":\"red\"}}", "tags", "must be a list");
	expect_one_problem("{\"text\":\"x\",\"day\":20240229}", "day", "must be a string");
	expect_one_problem("{\"text\":\"x\",\"name\":{}}", "name", "must be a string");
}

static void
test_input_bad_values(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":\"\"}", "text", "must not be empty");
	expect_one_problem("{\"text\":\"123456789012345678901\"}", "text", "is too long");
	expect_one_problem("{\"text\":\"a\\nb\"}", "text", "must not contain control characters");
	expect_one_problem("{\"text\":\"a\\u007fb\"}", "text", "must not contain control characters");
	expect_one_problem("{\"text\":\"\xc0\x80\"}", "text", "must be valid UTF-8");
	expect_one_problem("{\"text\":\"\xed\xa0\x80\"}", "text", "must be valid UTF-8");
	expect_one_problem("{\"text\":\"x\",\"note\":\"a\\u0001b\"}", "note", "must not contain control characters");
	expect_one_problem("{\"text\":\"x\",\"secret\":\"short\"}", "secret", "is too short");
	expect_one_problem("{\"text\":\"x\",\"secret\":\"\\u20ac\\u20ac\"}", "secret", "is too short"); /* 6 bytes */
	expect_one_problem("{\"text\":\"x\",\"secret\":\"12345678901234567890123456789012345678901234567890"
	                   "123456789012345\"}", "secret", "is too long");
	expect_one_problem("{\"text\":\"x\",\"secret\":\"pass\\nword\"}", "secret", NULL);
	expect_one_problem("{\"text\":\"x\",\"count\":101}", "count", "is out of range");
	expect_one_problem("{\"text\":\"x\",\"count\":-1}", "count", "is out of range");
	expect_one_problem("{\"text\":\"x\",\"count\":99999999999999999999}", "count", "is out of range");
	expect_one_problem("{\"text\":\"x\",\"count\":-99999999999999999999}", "count", "is out of range");
	expect_one_problem("{\"text\":\"x\",\"count\":9223372036854775807}", "count", "is out of range");
	expect_one_problem("{\"text\":\"x\",\"id\":\"not-a-uuid\"}", "id", "must be a UUID");
	expect_one_problem("{\"text\":\"x\",\"id\":\"" UUID "0\"}", "id", "must be a UUID");
	expect_one_problem("{\"text\":\"x\",\"colour\":\"purple\"}", "colour", "is not one of the allowed values");
	expect_one_problem("{\"text\":\"x\",\"colour\":\"RED\"}", "colour", "is not one of the allowed values");
	expect_one_problem("{\"text\":\"x\",\"day\":\"2023-02-29\"}", "day", "must be a date that exists");
	expect_one_problem("{\"text\":\"x\",\"day\":\"2024-1-01\"}", "day", "must be a date (YYYY-MM-DD)");
	expect_one_problem("{\"text\":\"x\",\"name\":\"a b\"}", "name", NULL);
	expect_one_problem("{\"text\":\"x\",\"name\":\"ab\"}", "name", "must be 3 to 32 characters");
	expect_one_problem("{\"text\":\"x\",\"name\":\"abcdefghijklmnopqrstuvwxyz0123456\"}", "name",
	                   "must be 3 to 32 characters");
	expect_one_problem("{\"text\":\"x\",\"name\":\"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop\"}",
	                   "name", "must be 3 to 32 characters");
}

static void
test_input_bad_missing_required(void **state)
{
	(void)state;
	expect_one_problem("{}", "text", "is required");
	expect_one_problem("{\"count\":5}", "text", "is required");
	expect_one_problem("{\"text\":null}", "text", "must not be null");
}

/* null is not a value of any field, required or not: leaving the field out keeps the default. */
static void
test_input_bad_null_optional(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":\"x\",\"count\":null}", "count", "must not be null");
	expect_one_problem("{\"text\":\"x\",\"flag\":null}", "flag", "must not be null");
	expect_one_problem("{\"text\":\"x\",\"tags\":null}", "tags", "must not be null");
	expect_one_problem("{\"text\":\"x\",\"name\":null}", "name", "must not be null");
}

static void
test_input_bad_several_problems(void **state)
{
	struct json_object *obj, *problems;
	struct every in;

	(void)state;
	problems = convert("{\"count\":\"x\",\"flag\":null,\"zzz\":1,\"colour\":\"pink\"}", &in, &obj);
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "text"), "is required");
	assert_string_equal(problem_of(problems, "count"), "must be a whole number");
	assert_string_equal(problem_of(problems, "zzz"), "unknown field");
	assert_string_equal(problem_of(problems, "colour"), "is not one of the allowed values");
	assert_string_equal(problem_of(problems, "flag"), "must not be null");
	assert_int_equal(problem_count(problems), 5);
	json_object_put(problems);
	json_object_put(obj);
}

static void
test_input_bad_enum_list(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"red\",\"red\"]}", "tags", "contains a value twice");
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"red\",\"blue\",\"red\"]}", "tags", "contains a value twice");
	expect_one_problem("{\"text\":\"x\",\"tags\":[1]}", "tags", "must be a list of strings");
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"red\",null]}", "tags", "must be a list of strings");
	expect_one_problem("{\"text\":\"x\",\"tags\":[[\"red\"]]}", "tags", "must be a list of strings");
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"pink\"]}", "tags", "contains a value that is not allowed");
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"Red\"]}", "tags", "contains a value that is not allowed");
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"red\",\"green\",\"blue\",\"black\"]}", "tags",
	                   "has too many items");
}

/* A spec that allows more than ASTRAL_LIST_MAX items is still held to the array size. */
static void
test_input_bad_enum_list_over_list_max(void **state)
{
	static const char *const digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
	                                      "12", "13", "14", "15", "16", "17", NULL };
	static const struct astral_field f[] = {
		{ "l", ASTRAL_F_ENUM_LIST, 0, 0, 1000, digits, 0, 0 },
	};
	static const struct astral_input_spec spec = { f, 1, sizeof(struct astral_list) };
	struct json_object *obj, *problems;
	struct astral_list list;

	(void)state;
	obj = json_tokener_parse("{\"l\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
	                         "\"11\",\"12\",\"13\",\"14\",\"15\"]}");
	assert_non_null(obj);
	astral_input_from_json(&spec, obj, &list, &problems);
	assert_null(problems);
	assert_int_equal(list.n, ASTRAL_LIST_MAX);
	json_object_put(obj);

	obj = json_tokener_parse("{\"l\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
	                         "\"11\",\"12\",\"13\",\"14\",\"15\",\"16\"]}");
	assert_non_null(obj);
	astral_input_from_json(&spec, obj, &list, &problems);
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "l"), "has too many items");
	json_object_put(problems);
	json_object_put(obj);
}

/* ASTRAL_F_ARRAY: a list of min..max items of any kind, handed over as the body's own array. */
struct with_array {
	struct json_object *items;
};

static const struct astral_field array_fields[] = {
	{ "items", ASTRAL_F_ARRAY, 0, 1, 3, NULL, offsetof(struct with_array, items), 0 },
};

static const struct astral_input_spec array_spec = { array_fields, 1, sizeof(struct with_array) };

static void
test_input_json_array(void **state)
{
	struct json_object *obj, *problems;
	struct with_array in;

	(void)state;
	obj = json_tokener_parse("{\"items\":[1,\"two\",{\"three\":3}]}");
	assert_non_null(obj);
	astral_input_from_json(&array_spec, obj, &in, &problems);
	assert_null(problems);
	assert_true(json_object_is_type(in.items, json_type_array));
	assert_int_equal(json_object_array_length(in.items), 3);
	assert_ptr_equal(in.items, json_object_object_get(obj, "items"));
	json_object_put(obj);

	obj = json_tokener_parse("{}");
	assert_non_null(obj);
	astral_input_from_json(&array_spec, obj, &in, &problems);
	assert_null(problems);
	assert_null(in.items);               /* absent: NULL */
	json_object_put(obj);
}

static void
test_input_bad_array(void **state)
{
	static const struct { const char *json, *why; } cases[] = {
		{ "{\"items\":[]}", "has too few items" },
		{ "{\"items\":[1,2,3,4]}", "has too many items" },
		{ "{\"items\":{\"0\":1}}", "must be a list" },
		{ "{\"items\":\"[1]\"}", "must be a list" },
		{ "{\"items\":1}", "must be a list" },
		{ "{\"items\":null}", "must not be null" },
	};
	struct json_object *obj, *problems;
	struct with_array in;
	char store[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = json_tokener_parse(cases[i].json);
		assert_non_null(obj);
		astral_input_from_json(&array_spec, obj, &in, &problems);
		if (problem_of(problems, "items") == NULL || strcmp(problem_of(problems, "items"), cases[i].why) != 0)
			fail_msg("%s: want \"%s\", got %s", cases[i].json, cases[i].why,
			         problems ? json_object_to_json_string(problems) : "no problem");
		json_object_put(problems);
		json_object_put(obj);
	}
	astral_input_from_query(&array_spec, "items=1", &in, store, sizeof(store), &problems);
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "items"), "is not accepted in a query");
	json_object_put(problems);
}

/* ASTRAL_F_OBJECT: an object of min..max members of any kind, handed over as the body's own
   object; arrays, strings and null are refused, and queries never carry one. */
struct with_object {
	struct json_object *answers;
};

static const struct astral_field object_fields[] = {
	{ "answers", ASTRAL_F_OBJECT, 1, 1, 3, NULL, offsetof(struct with_object, answers), 0 },
};

static const struct astral_input_spec object_spec = { object_fields, 1, sizeof(struct with_object) };

static void
test_input_json_object(void **state)
{
	struct json_object *obj, *problems;
	struct with_object in;

	(void)state;
	obj = json_tokener_parse("{\"answers\":{\"q1\":\"a\",\"q2\":[1],\"q3\":null}}");
	assert_non_null(obj);
	astral_input_from_json(&object_spec, obj, &in, &problems);
	assert_null(problems);
	assert_true(json_object_is_type(in.answers, json_type_object));
	assert_ptr_equal(in.answers, json_object_object_get(obj, "answers"));
	json_object_put(obj);
}

static void
test_input_bad_object(void **state)
{
	static const struct { const char *json, *why; } cases[] = {
		{ "{\"answers\":{}}", "has too few members" },
		{ "{\"answers\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}", "has too many members" },
		{ "{\"answers\":[\"a\"]}", "must be an object" },
		{ "{\"answers\":\"{}\"}", "must be an object" },
		{ "{\"answers\":1}", "must be an object" },
		{ "{\"answers\":null}", "must not be null" },
		{ "{}", "is required" },
	};
	struct json_object *obj, *problems;
	struct with_object in;
	char store[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = json_tokener_parse(cases[i].json);
		assert_non_null(obj);
		astral_input_from_json(&object_spec, obj, &in, &problems);
		if (problem_of(problems, "answers") == NULL || strcmp(problem_of(problems, "answers"), cases[i].why) != 0)
			fail_msg("%s: want \"%s\", got %s", cases[i].json, cases[i].why,
			         problems ? json_object_to_json_string(problems) : "no problem");
		json_object_put(problems);
		json_object_put(obj);
	}
	astral_input_from_query(&object_spec, "answers=1", &in, store, sizeof(store), &problems);
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "answers"), "is not accepted in a query");
	json_object_put(problems);
}

static void
test_input_bad_embedded_nul(void **state)
{
	(void)state;
	expect_one_problem("{\"text\":\"a\\u0000b\"}", "text", "must not contain NUL characters");
	expect_one_problem("{\"text\":\"x\",\"note\":\"a\\u0000b\"}", "note", NULL);
	expect_one_problem("{\"text\":\"x\",\"secret\":\"password\\u0000trailing\"}", "secret", NULL);
	expect_one_problem("{\"text\":\"x\",\"id\":\"" UUID "\\u0000x\"}", "id", NULL);
	expect_one_problem("{\"text\":\"x\",\"colour\":\"red\\u0000\"}", "colour", NULL);
	expect_one_problem("{\"text\":\"x\",\"tags\":[\"red\\u0000blue\"]}", "tags", NULL);
	expect_one_problem("{\"text\":\"x\",\"day\":\"2024-02-29\\u0000\"}", "day", NULL);
	expect_one_problem("{\"text\":\"x\",\"name\":\"alice\\u0000admin\"}", "name", NULL);
}

static void
test_input_bad_body_not_object(void **state)
{
	static const char *const bodies[] = { "[]", "[{\"text\":\"x\"}]", "\"text\"", "5", "true" };
	struct json_object *obj, *problems;
	struct every in;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		problems = convert(bodies[i], &in, &obj);
		assert_non_null(problems);
		assert_string_equal(problem_of(problems, "body"), "must be a JSON object");
		assert_int_equal(problem_count(problems), 1);
		assert_int_equal(in.count, 7);     /* defaults are set all the same */
		assert_int_equal(in.flag, -1);
		json_object_put(problems);
		json_object_put(obj);
	}
	astral_input_from_json(&every_spec, NULL, &in, &problems);
	assert_string_equal(problem_of(problems, "body"), "must be a JSON object");
	json_object_put(problems);
}

/* Query strings. */
static struct json_object *
convert_query(const char *query, struct every *out, char *store, size_t storelen)
{
	struct json_object *problems = (struct json_object *)1;

	memset(out, 0xa5, sizeof(*out));
	astral_input_from_query(&query_spec, query, out, store, storelen, &problems);
	return problems;
}

static void
expect_query_problem(const char *query, const char *field, const char *want)
{
	char store[512], why[512] = "";
	struct every in;
	struct json_object *problems = convert_query(query, &in, store, sizeof(store));
	const char *got = problem_of(problems, field);

	if (got == NULL || (want != NULL && strcmp(got, want) != 0))
		snprintf(why, sizeof(why), "%s: want \"%s\": \"%s\", got %s", query, field, want ? want : "(any)",
		         problems ? json_object_to_json_string(problems) : "no problem");
	json_object_put(problems);
	if (why[0] != '\0')
		fail_msg("%s", why);
}

static void
test_input_query_every_type(void **state)
{
	char store[512];
	struct every in;
	struct json_object *problems;

	(void)state;
	problems = convert_query("text=hello+w%6Frld&note=a%0Ab&secret=correct%20horse&count=42&flag=true&"
	                         "id=" UUID "&colour=blue&day=2024-02-29&name=Alice", &in, store, sizeof(store));
	assert_null(problems);
	assert_string_equal(in.text, "hello world");
	assert_string_equal(in.note, "a\nb");
	assert_string_equal(in.secret, "correct horse");
	assert_int_equal(in.count, 42);
	assert_int_equal(in.flag, 1);
	assert_string_equal(in.id, UUID);
	assert_string_equal(in.colour, "blue");
	assert_string_equal(in.day, "2024-02-29");
	assert_string_equal(in.name, "alice");
	/* Strings live in the store. */
	assert_true(in.text >= store && in.text < store + sizeof(store));

	problems = convert_query("flag=0&text=caf%C3%A9%26%3D%2B", &in, store, sizeof(store));
	assert_null(problems);
	assert_string_equal(in.text, "caf\xc3\xa9&=+");
	assert_int_equal(in.flag, 0);
	assert_int_equal(in.count, 7);
	assert_null(in.id);
	assert_string_equal(in.name, "");

	problems = convert_query("text=x&flag=1&count=0", &in, store, sizeof(store));
	assert_null(problems);
	assert_int_equal(in.flag, 1);
	assert_int_equal(in.count, 0);
}

static void
test_input_bad_query_unknown_parameter(void **state)
{
	(void)state;
	expect_query_problem("text=x&admin=1", "query", "unknown parameter");
	expect_query_problem("text=x&admin", "query", "unknown parameter");
	expect_query_problem("text=x&=1", "query", "unknown parameter");
	expect_query_problem("text=x&TEXT=y", "query", "unknown parameter");
	expect_query_problem("te%78t=x", "query", "unknown parameter");   /* names are not decoded */
	expect_query_problem("text=x&tags=red", "query", "unknown parameter");
}

/* A parameter given twice is refused, naming it: never silently the first or the last value. */
static void
test_input_bad_query_repeated_parameter(void **state)
{
	(void)state;
	expect_query_problem("text=x&text=y", "text", "must be given once");
	expect_query_problem("count=1&text=x&count=2", "count", "must be given once");
	expect_query_problem("text=x&&flag&count=3&flag=1", "flag", "must be given once");
	expect_query_problem("text=x&count=1&count=1", "count", "must be given once");   /* even the same */
}

static void
test_input_bad_query_encoding(void **state)
{
	(void)state;
	expect_query_problem("text=a%00b", "text", "is badly encoded");
	expect_query_problem("text=%zz", "text", "is badly encoded");
	expect_query_problem("text=abc%4", "text", "is badly encoded");
	expect_query_problem("text=abc%", "text", "is badly encoded");
	expect_query_problem("text=%g1", "text", "is badly encoded");
	expect_query_problem("text=%C0%80", "text", "must be valid UTF-8");
	expect_query_problem("text=%ff", "text", "must be valid UTF-8");
	expect_query_problem("text=a%0Ab", "text", "must not contain control characters");
}

static void
test_input_bad_query_values(void **state)
{
	(void)state;
	expect_query_problem("", "text", "is required");
	expect_query_problem("count=5", "text", "is required");
	expect_query_problem("text=", "text", "must not be empty");
	expect_query_problem("text", "text", "must not be empty");
	expect_query_problem("text=x&count=%2B1", "count", "must be a whole number");
	expect_query_problem("text=x&count=+1", "count", "must be a whole number");   /* '+' is a space */
	expect_query_problem("text=x&count=0x10", "count", "must be a whole number");
	expect_query_problem("text=x&count=", "count", "must be a whole number");
	expect_query_problem("text=x&count=101", "count", "is out of range");
	expect_query_problem("text=x&count=99999999999999999999", "count", "is out of range");
	expect_query_problem("text=x&flag=yes", "flag", "must be true or false");
	expect_query_problem("text=x&flag", "flag", "must be true or false");
	expect_query_problem("text=x&flag=TRUE", "flag", "must be true or false");
	expect_query_problem("text=x&id=123", "id", "must be a UUID");
	expect_query_problem("text=x&colour=pink", "colour", "is not one of the allowed values");
	expect_query_problem("text=x&day=2023-02-29", "day", "must be a date that exists");
	expect_query_problem("text=x&name=a%20b", "name", NULL);
	expect_query_problem("text=x&name=abcdefghijklmnopqrstuvwxyz0123456", "name", "must be 3 to 32 characters");
	expect_query_problem("text=x&secret=short", "secret", "is too short");
}

static void
test_input_bad_query_list_field(void **state)
{
	char store[64];
	struct every in;
	struct json_object *problems = (struct json_object *)1;

	(void)state;
	astral_input_from_query(&every_spec, "text=x", &in, store, sizeof(store), &problems);
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "tags"), "is not accepted in a query");
	json_object_put(problems);
}

static void
test_input_bad_query_store_too_small(void **state)
{
	char store[8];
	struct every in;
	struct json_object *problems;

	(void)state;
	problems = convert_query("text=abcdefghij", &in, store, sizeof(store));
	assert_non_null(problems);
	assert_string_equal(problem_of(problems, "text"), "is too long");
	json_object_put(problems);

	problems = convert_query("text=abcdefg", &in, store, sizeof(store));   /* 7 + NUL fits */
	assert_null(problems);
	assert_string_equal(in.text, "abcdefg");
}

/* When the first values fill the store exactly, an empty value after them must not be written
   past its end. */
static void
test_input_bad_query_store_full_then_empty_value(void **state)
{
	static const struct astral_field f[] = {
		{ "a", ASTRAL_F_TEXT, 0, 0, 10, NULL, 0, 0 },
		{ "b", ASTRAL_F_TEXT, 0, 0, 10, NULL, sizeof(const char *), 0 },
	};
	static const struct astral_input_spec spec = { f, 2, 2 * sizeof(const char *) };
	static const char *const queries[] = { "a=abc&b=", "a=abc&b" };
	const char *out[2];
	char arena[8];
	struct json_object *problems;

	(void)state;
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		memset(arena, 'X', sizeof(arena));
		astral_input_from_query(&spec, queries[i], out, arena, 4, &problems);
		json_object_put(problems);
		if (arena[4] != 'X')
			fail_msg("%s with a 4-byte store: the byte past the store was overwritten", queries[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_json_every_type),
		cmocka_unit_test(test_input_json_defaults),
		cmocka_unit_test(test_input_json_edges_of_ranges),
		cmocka_unit_test(test_input_bad_unknown_field),
		cmocka_unit_test(test_input_bad_key_with_nul),
		cmocka_unit_test(test_input_bad_types),
		cmocka_unit_test(test_input_bad_values),
		cmocka_unit_test(test_input_bad_missing_required),
		cmocka_unit_test(test_input_bad_null_optional),
		cmocka_unit_test(test_input_bad_several_problems),
		cmocka_unit_test(test_input_bad_enum_list),
		cmocka_unit_test(test_input_bad_enum_list_over_list_max),
		cmocka_unit_test(test_input_json_array),
		cmocka_unit_test(test_input_bad_array),
		cmocka_unit_test(test_input_json_object),
		cmocka_unit_test(test_input_bad_object),
		cmocka_unit_test(test_input_bad_embedded_nul),
		cmocka_unit_test(test_input_bad_body_not_object),
		cmocka_unit_test(test_input_query_every_type),
		cmocka_unit_test(test_input_bad_query_unknown_parameter),
		cmocka_unit_test(test_input_bad_query_repeated_parameter),
		cmocka_unit_test(test_input_bad_query_encoding),
		cmocka_unit_test(test_input_bad_query_values),
		cmocka_unit_test(test_input_bad_query_list_field),
		cmocka_unit_test(test_input_bad_query_store_too_small),
		cmocka_unit_test(test_input_bad_query_store_full_then_empty_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
