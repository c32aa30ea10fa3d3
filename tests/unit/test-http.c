/* Tests for the request edge: lib/json.c (body parsing) and lib/http.c (cookies, query strings,
   content type, response headers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "json.h"
#include "log.h"

/* astral_json_parse on a literal, its length from sizeof so that NULs count. */
#define PARSE(lit, out, why) astral_json_parse((lit), sizeof(lit) - 1, (out), (why))

/* A printable copy of len bytes for failure messages: other bytes become \xNN. */
static void
printable(char *dst, size_t cap, const char *src, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
	}
	dst[o] = '\0';
}

static void
expect_json_refused(const char *buf, size_t len, const char *want)
{
	struct json_object *obj = (struct json_object *)1;
	const char *why = NULL;
	astral_err rc = astral_json_parse(buf, len, &obj, &why);
	char msg[512] = "", in[200];

	printable(in, sizeof(in), buf, len);
	if (rc != ASTRAL_ERR_INVALID)
		snprintf(msg, sizeof(msg), "%s: accepted (rc %d)", in, (int)rc);
	else if (obj != NULL)
		snprintf(msg, sizeof(msg), "%s: refused but *out is set", in);
	else if (why == NULL)
		snprintf(msg, sizeof(msg), "%s: refused without a reason", in);
	else if (want != NULL && strcmp(why, want) != 0)
		snprintf(msg, sizeof(msg), "%s: reason \"%s\", want \"%s\"", in, why, want);
	if (rc == ASTRAL_OK)
		json_object_put(obj);
	if (msg[0] != '\0')
		fail_msg("%s", msg);
}

#define REFUSED(lit, want) expect_json_refused((lit), sizeof(lit) - 1, (want))

static void
test_http_json_parse_good(void **state)
{
	struct json_object *obj = NULL, *v;
	const char *why = "x";

	(void)state;
	assert_int_equal(PARSE("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"\\u00e9\"}}", &obj, &why),
	                 ASTRAL_OK);
	assert_null(why);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "a", &v));
	assert_int_equal(json_object_get_int64(v), 1);
	assert_true(json_object_object_get_ex(obj, "c", &v));
	assert_true(json_object_object_get_ex(v, "d", &v));
	assert_string_equal(json_object_get_string(v), "\xc3\xa9");
	json_object_put(obj);

	assert_int_equal(PARSE(" \t\r\n{ \"a\" : \"x\" } \r\n\t ", &obj, &why), ASTRAL_OK);
	assert_true(json_object_is_type(obj, json_type_object));
	json_object_put(obj);

	assert_int_equal(PARSE("[1,2.5,-3e2,\"\xe2\x82\xac\xf0\x9f\x98\x80\"]", &obj, &why), ASTRAL_OK);
	assert_int_equal(json_object_array_length(obj), 4);
	json_object_put(obj);

	assert_int_equal(PARSE("{}", &obj, &why), ASTRAL_OK);
	json_object_put(obj);

	/* Only `len` bytes are read. */
	assert_int_equal(astral_json_parse("{}garbage", 2, &obj, &why), ASTRAL_OK);
	json_object_put(obj);
}

static void
test_http_bad_json_syntax(void **state)
{
	(void)state;
	REFUSED("", "body is not valid JSON");
	REFUSED("   ", NULL);
	REFUSED("{", "body is not valid JSON");
	REFUSED("{\"a\":", NULL);
	REFUSED("{\"a\" 1}", NULL);
	REFUSED("{a:1}", NULL);
	REFUSED("[1,]", NULL);
	REFUSED("{\"a\":1,}", NULL);
	REFUSED("[01]", NULL);
	REFUSED("[0x10]", NULL);
	REFUSED("[+1]", NULL);
	REFUSED("[.5]", NULL);
	REFUSED("[True]", NULL);
	REFUSED("[nul]", NULL);
	REFUSED("[\"a\\x\"]", NULL);
	REFUSED("[\"\\u12\"]", NULL);
	REFUSED("{\"a\":\"x\0y\"}", NULL);       /* raw NUL */
}

static void
test_http_bad_json_trailing_data(void **state)
{
	(void)state;
	REFUSED("{} x", "unexpected data after the JSON value");
	REFUSED("{}{}", "unexpected data after the JSON value");
	REFUSED("{}\0", "unexpected data after the JSON value");
	REFUSED("[1]]", "unexpected data after the JSON value");
	REFUSED("{\"a\":1}}", "unexpected data after the JSON value");
	REFUSED("{} // note", NULL);
	REFUSED("{}\n{\"admin\":true}", NULL);
}

static void
nest(char *buf, size_t cap, int depth, int objects)
{
	size_t k = 0;

	for (int i = 0; i < depth; i++) {
		const char *open = objects ? "{\"a\":" : "[";

		assert_true(k + strlen(open) < cap);
		memcpy(buf + k, open, strlen(open));
		k += strlen(open);
	}
	assert_true(k + 2 + (size_t)depth < cap);
	buf[k++] = '1';
	for (int i = 0; i < depth; i++)
		buf[k++] = objects ? '}' : ']';
	buf[k] = '\0';
}

static void
test_http_json_depth_limit(void **state)
{
	char buf[512];
	struct json_object *obj;
	const char *why;

	(void)state;
	for (int objects = 0; objects <= 1; objects++) {
		nest(buf, sizeof(buf), ASTRAL_JSON_MAX_DEPTH, objects);
		if (astral_json_parse(buf, strlen(buf), &obj, &why) != ASTRAL_OK)
			fail_msg("%d nested %s holding a value refused: %s", ASTRAL_JSON_MAX_DEPTH,
			         objects ? "objects" : "arrays", why);
		json_object_put(obj);
		nest(buf, sizeof(buf), ASTRAL_JSON_MAX_DEPTH + 1, objects);
		expect_json_refused(buf, strlen(buf), "JSON is nested too deeply");
		nest(buf, sizeof(buf), 60, objects);
		expect_json_refused(buf, strlen(buf), "JSON is nested too deeply");
	}
}

static void
test_http_bad_json_utf8(void **state)
{
	(void)state;
	REFUSED("[\"\xff\"]", "JSON is not valid UTF-8");
	REFUSED("[\"\xfe\"]", "JSON is not valid UTF-8");
	REFUSED("[\"a\x80\"]", "JSON is not valid UTF-8");            /* lone continuation */
	REFUSED("[\"\xc3\"]", "JSON is not valid UTF-8");             /* truncated */
	REFUSED("[\"\xe2\x82\"]", "JSON is not valid UTF-8");
	REFUSED("[\"\xf8\x88\x80\x80\x80\"]", "JSON is not valid UTF-8");  /* 5-byte form */
	REFUSED("{\"\xff\":1}", "JSON is not valid UTF-8");           /* in a key */
}

/* json.h promises valid UTF-8: overlong forms and encoded surrogates are not. */
static void
test_http_bad_json_utf8_overlong_and_surrogates(void **state)
{
	(void)state;
	REFUSED("[\"\xc0\x80\"]", "JSON is not valid UTF-8");          /* overlong NUL */
	REFUSED("[\"\xc1\xbf\"]", "JSON is not valid UTF-8");
	REFUSED("[\"\xe0\x80\xaf\"]", "JSON is not valid UTF-8");      /* overlong '/' */
	REFUSED("[\"\xed\xa0\x80\"]", "JSON is not valid UTF-8");      /* U+D800 */
	REFUSED("[\"\xf4\x90\x80\x80\"]", "JSON is not valid UTF-8");  /* past U+10FFFF */
	REFUSED("{\"\xc0\xaf\":1}", "JSON is not valid UTF-8");        /* in a key */
}

static void
test_http_bad_json_comments(void **state)
{
	(void)state;
	REFUSED("/* c */{}", NULL);
	REFUSED("// c\n{}", NULL);
	REFUSED("{\"a\":1/* c */}", NULL);
	REFUSED("[1,/* c */2]", NULL);
	REFUSED("# c\n{}", NULL);
}

/* Strict mode: NaN and Infinity are not JSON. */
static void
test_http_bad_json_non_finite(void **state)
{
	(void)state;
	REFUSED("[NaN]", NULL);
	REFUSED("{\"a\":NaN}", NULL);
	REFUSED("[Infinity]", NULL);
	REFUSED("[-Infinity]", NULL);
	REFUSED("NaN ", NULL);
}

/* Strict mode: strings, keys included, take double quotes only. */
static void
test_http_bad_json_single_quotes(void **state)
{
	(void)state;
	REFUSED("{\"a\":'x'}", NULL);
	REFUSED("['x']", NULL);
	REFUSED("{'a':1}", NULL);
}

/* RFC 8259 section 7: U+0000..U+001F must be escaped inside strings. */
static void
test_http_bad_json_raw_control_in_string(void **state)
{
	(void)state;
	REFUSED("[\"a\x01\"]", NULL);
	REFUSED("[\"a\nb\"]", NULL);
	REFUSED("{\"a\x1b\":1}", NULL);
}

/* A request with only the fields these functions read. */
static void
request_init(struct astral_request *req, const char *cookies, const char *query)
{
	memset(req, 0, sizeof(*req));
	req->cookie_header = cookies;
	req->query = query;
	req->content_type = "";
}

static void
expect_cookie(const char *header, const char *name, const char *want)
{
	struct astral_request req;
	char buf[64];

	request_init(&req, header, "");
	memset(buf, 'Z', sizeof(buf));
	if (astral_cookie_get(&req, name, buf, sizeof(buf)) != ASTRAL_OK)
		fail_msg("cookie \"%s\" not found in \"%s\"", name, header);
	if (strcmp(buf, want) != 0)
		fail_msg("cookie \"%s\" in \"%s\": got \"%s\", want \"%s\"", name, header, buf, want);
}

static void
expect_no_cookie(const char *header, const char *name)
{
	struct astral_request req;
	char buf[64];
	astral_err rc;

	request_init(&req, header, "");
	rc = astral_cookie_get(&req, name, buf, sizeof(buf));
	if (rc != ASTRAL_ERR_NOT_FOUND)
		fail_msg("cookie \"%s\" in \"%s\": rc %d, want NOT_FOUND", name, header, (int)rc);
}

static void
test_http_cookie_get(void **state)
{
	(void)state;
	expect_cookie("a=1", "a", "1");
	expect_cookie("a=1; b=2; astral_refresh=tok.en-_", "b", "2");
	expect_cookie("a=1; b=2; astral_refresh=tok.en-_", "astral_refresh", "tok.en-_");
	expect_cookie("a=1;b=2", "b", "2");
	expect_cookie(";; a=1 ;  b=2", "b", "2");
	expect_cookie("a=; b=2", "a", "");
	expect_cookie("a=b=c; b=2", "a", "b=c");
	expect_cookie("a=1; a=2", "a", "1");
	/* Names that are prefixes or suffixes of others. */
	expect_cookie("ab=2; a=1", "a", "1");
	expect_cookie("a=1; ab=2", "ab", "2");
	expect_cookie("xa=3; a=1", "a", "1");
	expect_cookie("session_id=9; session=8", "session", "8");
	expect_cookie("session=8; session_id=9", "session_id", "9");
}

static void
test_http_bad_cookie_absent(void **state)
{
	(void)state;
	expect_no_cookie("", "a");
	expect_no_cookie(";;; ", "a");
	expect_no_cookie("ab=1; ba=2", "a");
	expect_no_cookie("x=a=1", "a");
	expect_no_cookie("a; b=2", "a");
	expect_no_cookie("A=1", "a");
	expect_no_cookie("a =1", "a");
	expect_no_cookie("b=2; aa=1", "a");
}

static void
test_http_bad_cookie_too_large(void **state)
{
	struct astral_request req;
	char buf[8];

	(void)state;
	request_init(&req, "x=1; a=12345678; b=2", "");
	assert_int_equal(astral_cookie_get(&req, "a", buf, 8), ASTRAL_ERR_TOO_LARGE);
	assert_int_equal(astral_cookie_get(&req, "a", buf, 1), ASTRAL_ERR_TOO_LARGE);
	assert_int_equal(astral_cookie_get(&req, "a", buf, 0), ASTRAL_ERR_TOO_LARGE);
	request_init(&req, "x=1; a=1234567; b=2", "");
	assert_int_equal(astral_cookie_get(&req, "a", buf, 8), ASTRAL_OK);
	assert_string_equal(buf, "1234567");
}

static void
expect_query(const char *query, const char *name, const char *want)
{
	struct astral_request req;
	char buf[64];
	astral_err rc;

	request_init(&req, "", query);
	rc = astral_query_get(&req, name, buf, sizeof(buf));
	if (rc != ASTRAL_OK)
		fail_msg("query \"%s\", \"%s\": rc %d", query, name, (int)rc);
	if (strcmp(buf, want) != 0)
		fail_msg("query \"%s\", \"%s\": got \"%s\", want \"%s\"", query, name, buf, want);
}

static void
expect_query_rc(const char *query, const char *name, astral_err want)
{
	struct astral_request req;
	char buf[64];
	astral_err rc;

	request_init(&req, "", query);
	rc = astral_query_get(&req, name, buf, sizeof(buf));
	if (rc != want)
		fail_msg("query \"%s\", \"%s\": rc %d, want %d", query, name, (int)rc, (int)want);
}

static void
test_http_query_get(void **state)
{
	(void)state;
	expect_query("a=1&b=2", "a", "1");
	expect_query("a=1&b=2", "b", "2");
	expect_query("ab=1&a=2", "a", "2");
	expect_query("a=2&ab=1", "ab", "1");
	expect_query("&&a=1&", "a", "1");
	expect_query("a=", "a", "");
	expect_query("a&b=2", "a", "");
	expect_query("a=1&a=2", "a", "1");
	expect_query("q=hello+world", "q", "hello world");
	expect_query("q=%41%62%2b%2B%25%26%3d", "q", "Ab++%&=");
	expect_query("q=caf%C3%A9", "q", "caf\xc3\xa9");
	expect_query("q=a=b", "q", "a=b");
}

static void
test_http_bad_query(void **state)
{
	(void)state;
	expect_query_rc("", "a", ASTRAL_ERR_NOT_FOUND);
	expect_query_rc("b=1&ab=2", "a", ASTRAL_ERR_NOT_FOUND);
	expect_query_rc("A=1", "a", ASTRAL_ERR_NOT_FOUND);
	expect_query_rc("%61=1", "a", ASTRAL_ERR_NOT_FOUND);
	expect_query_rc("a=%00", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=x%00y", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%zz", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%4", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%4&b=1", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%%41", "a", ASTRAL_ERR_INVALID);
	expect_query_rc("a=%-1", "a", ASTRAL_ERR_INVALID);
}

static void
test_http_bad_query_too_large(void **state)
{
	struct astral_request req;
	char buf[4];

	(void)state;
	request_init(&req, "", "a=1234&b=123");
	assert_int_equal(astral_query_get(&req, "a", buf, sizeof(buf)), ASTRAL_ERR_TOO_LARGE);
	assert_int_equal(astral_query_get(&req, "b", buf, sizeof(buf)), ASTRAL_OK);
	assert_string_equal(buf, "123");
	request_init(&req, "", "a=%41%41%41%41");
	assert_int_equal(astral_query_get(&req, "a", buf, sizeof(buf)), ASTRAL_ERR_TOO_LARGE);
}

/* With no room at all, not even the terminating NUL may be written. */
static void
test_http_bad_query_zero_length_buffer(void **state)
{
	static const char *const queries[] = { "a=", "a", "a=x" };
	struct astral_request req;
	char buf[2];
	astral_err rc;

	(void)state;
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		request_init(&req, "", queries[i]);
		buf[0] = 'X';
		rc = astral_query_get(&req, "a", buf, 0);
		if (rc != ASTRAL_ERR_TOO_LARGE || buf[0] != 'X')
			fail_msg("query \"%s\" with a 0-byte buffer: rc %d (want TOO_LARGE), %s", queries[i], (int)rc,
			         buf[0] != 'X' ? "wrote into it" : "nothing written");
	}
}

static void
test_http_content_type_json(void **state)
{
	(void)state;
	assert_true(astral_content_type_is_json("application/json"));
	assert_true(astral_content_type_is_json("application/json; charset=utf-8"));
	assert_true(astral_content_type_is_json("application/json;charset=UTF-8"));
	assert_true(astral_content_type_is_json("APPLICATION/JSON"));
	assert_true(astral_content_type_is_json("Application/Json ; charset=utf-8"));
}

static void
test_http_bad_content_type(void **state)
{
	static const char *const bad[] = {
		"", "application/jsonx", "application/json-patch+json", "application/json5", "text/plain",
		"text/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/", "application", "text/plain; application/json", "application/jso",
		"application/json,", "application/json x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (astral_content_type_is_json(bad[i]))
			fail_msg("content type \"%s\" taken for JSON", bad[i]);
	assert_false(astral_content_type_is_json(NULL));
}

static void
test_http_header(void **state)
{
	struct astral_request req;

	(void)state;
	request_init(&req, "", "");
	astral_header(&req, "X-One", "1");
	astral_header(&req, "Retry-After", "5");
	assert_non_null(req.headers);
	assert_int_equal(req.headers_len, strlen("X-One: 1\r\nRetry-After: 5\r\n"));
	assert_memory_equal(req.headers, "X-One: 1\r\nRetry-After: 5\r\n", req.headers_len);
	/* Growth past the first allocation keeps every line. */
	for (int i = 0; i < 200; i++)
		astral_header(&req, "X-Padding", "0123456789abcdefghijklmnopqrstuvwxyz");
	assert_int_equal(req.headers_len, strlen("X-One: 1\r\nRetry-After: 5\r\n") +
	                 200 * strlen("X-Padding: 0123456789abcdefghijklmnopqrstuvwxyz\r\n"));
	assert_true(req.headers_len < req.headers_cap);
	assert_memory_equal(req.headers + req.headers_len - 3, "z\r\n", 3);
	free(req.headers);
}

static void
test_http_bad_header_line_breaks(void **state)
{
	static const char *const pairs[][2] = {
		{ "X-A", "1\r\nSet-Cookie: admin=1" }, { "X-A", "1\nSet-Cookie: admin=1" },
		{ "X-A", "1\r" }, { "X-A", "\n" }, { "X-A\r\nSet-Cookie", "admin=1" }, { "X\nA", "1" },
		{ "\r\n", "1" }, { "", "1" }, { "X-A: 1\r\nX-B", "2" }, { "X:A", "1" },
	};
	struct astral_request req;
	FILE *sink = tmpfile();
	char line[512];
	size_t before;

	(void)state;
	assert_non_null(sink);
	astral_log_set_sink(sink);
	request_init(&req, "", "");
	astral_header(&req, "X-Ok", "1");
	before = req.headers_len;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		astral_header(&req, pairs[i][0], pairs[i][1]);
		if (req.headers_len != before)
			fail_msg("header \"%s\": \"%s\" was added", pairs[i][0], pairs[i][1]);
	}
	assert_memory_equal(req.headers, "X-Ok: 1\r\n", before);
	/* Cookies go through the same door. */
	astral_cookie_set(&req, "a", "1\r\nSet-Cookie: admin=1", 60);
	astral_cookie_set(&req, "a\nb", "1", 60);
	assert_int_equal(req.headers_len, before);
	astral_log_set_sink(NULL);
	/* Each refusal was logged. */
	rewind(sink);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) + 2; i++) {
		assert_non_null(fgets(line, sizeof(line), sink));
		assert_non_null(strstr(line, "refused"));
	}
	fclose(sink);
	free(req.headers);
}

static void
test_http_cookie_set(void **state)
{
	struct astral_request req;

	(void)state;
	request_init(&req, "", "");
	astral_cookie_set(&req, "astral_refresh", "abc", 3600);
	assert_non_null(req.headers);
	assert_memory_equal(req.headers, "Set-Cookie: astral_refresh=abc; Path=/; Max-Age=3600; HttpOnly; Secure; "
	                    "SameSite=Strict\r\n", req.headers_len);
	free(req.headers);
}

static void
test_http_respond_err_db_down(void **state)
{
	struct astral_request req;
	struct json_object *err, *code;

	(void)state;
	request_init(&req, "", "");
	astral_respond_err(&req, ASTRAL_ERR_DB_DOWN);
	assert_int_equal(req.status, 503);
	assert_int_equal(req.has_response, 1);
	assert_non_null(strstr(req.headers, "Retry-After: 5\r\n"));
	assert_true(json_object_object_get_ex(req.response, "error", &err));
	assert_true(json_object_object_get_ex(err, "code", &code));
	assert_string_equal(json_object_get_string(code), "service_unavailable");
	json_object_put(req.response);
	free(req.headers);
}

/* Retry-After of a 429: whole seconds rounded up, where a fraction under a millisecond is the
   budget's floating-point rounding and not a second more; 1..86400. */
static void
test_http_respond_too_many_retry_after(void **state)
{
	static const struct { double wait; const char *header; } cases[] = {
		{ 0.001, "Retry-After: 1\r\n" }, { 0.5, "Retry-After: 1\r\n" }, { 1.0, "Retry-After: 1\r\n" },
		{ 1.2, "Retry-After: 2\r\n" }, { 900.0000000000001, "Retry-After: 900\r\n" },
		{ 899.9999999999, "Retry-After: 900\r\n" }, { 86400.5, "Retry-After: 86400\r\n" },
		{ 1e12, "Retry-After: 86400\r\n" },
	};
	struct json_object *err, *code;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct astral_request req;

		request_init(&req, "", "");
		astral_respond_too_many(&req, cases[i].wait, "Wait a little.");
		assert_int_equal(req.status, 429);
		if (strstr(req.headers, cases[i].header) == NULL)
			fail_msg("wait %.13g: headers %s, want %s", cases[i].wait, req.headers, cases[i].header);
		assert_true(json_object_object_get_ex(req.response, "error", &err));
		assert_true(json_object_object_get_ex(err, "code", &code));
		assert_string_equal(json_object_get_string(code), "too_many_requests");
		json_object_put(req.response);
		free(req.headers);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_json_parse_good),
		cmocka_unit_test(test_http_bad_json_syntax),
		cmocka_unit_test(test_http_bad_json_trailing_data),
		cmocka_unit_test(test_http_json_depth_limit),
		cmocka_unit_test(test_http_bad_json_utf8),
		cmocka_unit_test(test_http_bad_json_utf8_overlong_and_surrogates),
		cmocka_unit_test(test_http_bad_json_comments),
		cmocka_unit_test(test_http_bad_json_non_finite),
		cmocka_unit_test(test_http_bad_json_single_quotes),
		cmocka_unit_test(test_http_bad_json_raw_control_in_string),
		cmocka_unit_test(test_http_cookie_get),
		cmocka_unit_test(test_http_bad_cookie_absent),
		cmocka_unit_test(test_http_bad_cookie_too_large),
		cmocka_unit_test(test_http_query_get),
		cmocka_unit_test(test_http_bad_query),
		cmocka_unit_test(test_http_bad_query_too_large),
		cmocka_unit_test(test_http_bad_query_zero_length_buffer),
		cmocka_unit_test(test_http_content_type_json),
		cmocka_unit_test(test_http_bad_content_type),
		cmocka_unit_test(test_http_header),
		cmocka_unit_test(test_http_bad_header_line_breaks),
		cmocka_unit_test(test_http_cookie_set),
		cmocka_unit_test(test_http_respond_err_db_down),
		cmocka_unit_test(test_http_respond_too_many_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
