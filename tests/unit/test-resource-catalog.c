/* lib/resource_catalog.c: the catalogue's emergency entries, the crisis lines of a region (its
   lines, its emergency number, then Find A Helpline) and the start-up check of the host's region;
   lib/crisis_alert.c's crisis answer built from them. The shipped data/resources.json is read as
   the programs read it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/app.h"
#include "../../lib/crisis_alert.h"
#include "../../lib/resource_catalog.h"

static struct json_object *shipped;

static int
load_shipped(void **state)
{
	char path[1024], err[512] = "";
	const char *dir = getenv("ASTRAL_SRCDIR");

	(void)state;
	snprintf(path, sizeof(path), "%s/data/resources.json", dir != NULL ? dir : ASTRAL_SRCDIR);
	if (astral_resources_load(path, &shipped, err, sizeof(err)) != ASTRAL_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
free_shipped(void **state)
{
	(void)state;
	json_object_put(shipped);
	return 0;
}

static const char *
str(struct json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

/* The ids of lines, comma-separated, into buf. */
static const char *
ids(struct json_object *lines, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(lines) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", str(json_object_array_get_idx(lines, i), "id"));
	return buf;
}

static void
expect_lines(const char *region, const char *want)
{
	struct json_object *lines = astral_resources_crisis_lines(shipped, region);
	char buf[512];

	assert_string_equal(ids(lines, buf, sizeof(buf)), want);
	json_object_put(lines);
}

static void
test_crisis_lines_by_region(void **state)
{
	(void)state;
	expect_lines("US", "us-988-lifeline,us-988-text,us-crisis-text-line,us-911,intl-find-a-helpline");
	expect_lines("GB", "gb-samaritans,gb-999,intl-find-a-helpline");
	expect_lines("ES", "es-024,es-112,intl-find-a-helpline");
	expect_lines("CA", "ca-988,ca-911,intl-find-a-helpline");
	expect_lines("AU", "au-lifeline,au-000,intl-find-a-helpline");
	expect_lines("FR", "intl-find-a-helpline");
	expect_lines(NULL, "");
}

/* Every line has the shape a crisis answer promises: id, name, contact, href, all strings. */
static void
test_crisis_line_shape(void **state)
{
	struct json_object *lines = astral_resources_crisis_lines(shipped, "GB"), *line;

	(void)state;
	assert_int_equal(json_object_array_length(lines), 3);
	line = json_object_array_get_idx(lines, 0);
	assert_int_equal(json_object_object_length(line), 4);
	assert_string_equal(str(line, "name"), "Samaritans");
	assert_string_equal(str(line, "contact"), "Call 116 123");
	assert_string_equal(str(line, "href"), "tel:116123");
	line = json_object_array_get_idx(lines, 1);
	assert_string_equal(str(line, "contact"), "Call 999 or 112");
	assert_string_equal(str(line, "href"), "tel:999");
	line = json_object_array_get_idx(lines, 2);
	assert_string_equal(str(line, "name"), "Find A Helpline");
	assert_string_equal(str(line, "contact"), "findahelpline.com");      /* no contact: the link's host */
	assert_string_equal(str(line, "href"), "https://findahelpline.com/");
	json_object_put(lines);
}

static void
test_check_region(void **state)
{
	static const char *const covered[] = { "US", "GB", "ES", "CA", "AU" };
	char err[256] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		assert_int_equal(astral_resources_check_region(shipped, covered[i], err, sizeof(err)), ASTRAL_OK);
}

static void
test_check_region_bad_uncovered(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(astral_resources_check_region(shipped, "FR", err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "no crisis line for region \"FR\""));
	assert_int_equal(astral_resources_check_region(shipped, "INTL", err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_int_equal(astral_resources_check_region(NULL, "US", err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_int_equal(astral_resources_check_region(shipped, NULL, err, sizeof(err)), ASTRAL_ERR_CONFIG);
}

#define ENTRY(id, category, country, href, extra) \
	"{\"id\":\"" id "\",\"title\":\"T " id "\",\"description\":\"D\",\"category\":\"" category "\"," \
	"\"country\":\"" country "\",\"contact\":\"Call\",\"href\":\"" href "\",\"source\":\"https://example.org/\"" extra "}"

static struct json_object *
parse_ok(const char *text)
{
	struct json_object *list = NULL;
	char err[256] = "";

	if (astral_resources_parse(text, strlen(text), &list, err, sizeof(err)) != ASTRAL_OK)
		fail_msg("refused: %s", err);
	return list;
}

/* Order is by kind, not by place in the file; other categories and other countries stay out. */
static void
test_crisis_lines_order_by_kind(void **state)
{
	struct json_object *list = parse_ok("{\"resources\":["
		ENTRY("zz-intl", "crisis", "INTL", "https://example.org/", "") ","
		ENTRY("xx-112", "crisis", "XX", "tel:112", ",\"emergency\":true") ","
		ENTRY("xx-coping", "coping", "XX", "https://example.org/", "") ","
		ENTRY("yy-line", "crisis", "YY", "tel:1", "") ","
		ENTRY("xx-line", "crisis", "XX", "tel:2", ",\"emergency\":false") "]}");
	struct json_object *lines = astral_resources_crisis_lines(list, "XX");
	char buf[256];

	(void)state;
	assert_string_equal(ids(lines, buf, sizeof(buf)), "xx-line,xx-112,zz-intl");
	assert_true(json_object_get_boolean(json_object_object_get(json_object_array_get_idx(list, 1), "emergency")));
	assert_false(json_object_get_boolean(json_object_object_get(json_object_array_get_idx(list, 0), "emergency")));
	json_object_put(lines);
	json_object_put(list);
}

/* An emergency number alone does not make a region covered: its seekers need a crisis line. */
static void
test_check_region_bad_emergency_only(void **state)
{
	struct json_object *list = parse_ok("{\"resources\":["
		ENTRY("xx-112", "crisis", "XX", "tel:112", ",\"emergency\":true") "]}");
	char err[256] = "";

	(void)state;
	assert_int_equal(astral_resources_check_region(list, "XX", err, sizeof(err)), ASTRAL_ERR_CONFIG);
	json_object_put(list);
}

static void
test_parse_bad_emergency(void **state)
{
	static const char *const bad[] = {
		"{\"resources\":[" ENTRY("a", "crisis", "XX", "tel:112", ",\"emergency\":\"yes\"") "]}",
		"{\"resources\":[" ENTRY("a", "crisis", "XX", "tel:112", ",\"emergency\":1") "]}",
		"{\"resources\":[" ENTRY("a", "crisis", "INTL", "tel:112", ",\"emergency\":true") "]}",
		"{\"resources\":[" ENTRY("a", "coping", "XX", "tel:112", ",\"emergency\":true") "]}",
		"{\"resources\":[" ENTRY("a", "crisis", "XX", "https://example.org/", ",\"emergency\":true") "]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *list = NULL;
		char err[256] = "";

		if (astral_resources_parse(bad[i], strlen(bad[i]), &list, err, sizeof(err)) != ASTRAL_ERR_CONFIG ||
		    (strstr(err, "resource 1: emergency") == NULL && strstr(err, "resource 1: an emergency") == NULL))
			fail_msg("%s: not refused as it should be (\"%s\")", bad[i], err);
		assert_null(list);
	}
}

/* The crisis answer keeps its severity and categories and lists the host region's lines. */
static void
test_crisis_response_for_host_region(void **state)
{
	struct astral_app app;
	struct astral_crisis_result result = { .severity = ASTRAL_CRISIS_MEDIUM, .categories = ASTRAL_CRISIS_SELF_HARM };
	struct json_object *o;
	char buf[256], region[] = "GB";

	(void)state;
	memset(&app, 0, sizeof(app));
	app.resources = shipped;
	app.cfg.crisis_region = region;
	o = astral_crisis_response_json(&app, &result);
	assert_string_equal(str(o, "severity"), "medium");
	assert_string_equal(json_object_to_json_string(json_object_object_get(o, "categories")), "[ \"self_harm\" ]");
	assert_string_equal(ids(json_object_object_get(o, "resources"), buf, sizeof(buf)),
	                    "gb-samaritans,gb-999,intl-find-a-helpline");
	assert_null(strstr(json_object_to_json_string(o), "988"));
	json_object_put(o);
	o = astral_crisis_response_json(&app, NULL);                 /* the emergency button */
	assert_string_equal(str(o, "severity"), "high");
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crisis_lines_by_region),
		cmocka_unit_test(test_crisis_line_shape),
		cmocka_unit_test(test_check_region),
		cmocka_unit_test(test_check_region_bad_uncovered),
		cmocka_unit_test(test_crisis_lines_order_by_kind),
		cmocka_unit_test(test_check_region_bad_emergency_only),
		cmocka_unit_test(test_parse_bad_emergency),
		cmocka_unit_test(test_crisis_response_for_host_region),
	};

	return cmocka_run_group_tests(tests, load_shipped, free_shipped);
}
