#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "encoding.h"
#include "json.h"
#include "validate.h"

/*
 * json-c accepts more than RFC 8259 even in strict mode (single quotes, raw control characters
 * in strings, NaN, NUL escapes that cut object keys short). So a body is first checked by this
 * small recursive-descent recogniser, which accepts exactly RFC 8259 JSON without "\u0000" in keys and
 * with at most ASTRAL_JSON_MAX_DEPTH levels of nesting; json-c then builds the objects.
 */
struct scan {
	const unsigned char *p, *end;
	const char *problem;
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
fail(struct scan *s, const char *problem)
{
	if (s->problem == NULL)
		s->problem = problem;
	return 0;
}

static int
hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int d = astral_hex_digit(p[i]);

		if (d < 0)
			return 0;
		v = (v << 4) | (unsigned)d;
	}
	*out = v;
	return 1;
}

static int
scan_string(struct scan *s, int is_key)
{
	s->p++;                                     /* opening quote */
	while (s->p < s->end) {
		unsigned char c = *s->p;

		if (c == '"') {
			s->p++;
			return 1;
		}
		if (c < 0x20)
			return fail(s, "JSON strings must not contain raw control characters");
		if (c == '\\') {
			unsigned cp;

			if (s->end - s->p < 2)
				break;
			switch (s->p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				s->p += 2;
				continue;
			case 'u':
				if (s->end - s->p < 6 || !hex4(s->p + 2, &cp))
					return fail(s, "body is not valid JSON");
				/* json-c cuts a key at NUL, so "a\u0000b" would pass as "a"; values
				   keep their length and are refused by the field's validator. */
				if (cp == 0 && is_key)
					return fail(s, "JSON field names must not contain NUL characters");
				s->p += 6;
				continue;
			default:
				return fail(s, "body is not valid JSON");
			}
		}
		s->p++;
	}
	return fail(s, "body is not valid JSON");
}

static int
scan_number(struct scan *s)
{
	const unsigned char *start = s->p;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0') {
		s->p++;
	} else if (s->p < s->end && *s->p >= '1' && *s->p <= '9') {
		while (s->p < s->end && isdigit(*s->p))
			s->p++;
	} else {
		return fail(s, "body is not valid JSON");
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || !isdigit(*s->p))
			return fail(s, "body is not valid JSON");
		while (s->p < s->end && isdigit(*s->p))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || !isdigit(*s->p))
			return fail(s, "body is not valid JSON");
		while (s->p < s->end && isdigit(*s->p))
			s->p++;
	}
	return s->p > start;
}

static int
scan_literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "body is not valid JSON");
	s->p += n;
	return 1;
}

static int scan_value(struct scan *s, int depth);

static int
scan_container(struct scan *s, int depth, int object)
{
	unsigned char close = object ? '}' : ']';

	if (depth > ASTRAL_JSON_MAX_DEPTH)
		return fail(s, "JSON is nested too deeply");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	for (;;) {
		if (object) {
			skip_ws(s);
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "body is not valid JSON");
			if (!scan_string(s, 1))
				return 0;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "body is not valid JSON");
			s->p++;
		}
		if (!scan_value(s, depth))
			return 0;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 1;
		}
		return fail(s, "body is not valid JSON");
	}
}

static int
scan_value(struct scan *s, int depth)
{
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "body is not valid JSON");
	switch (*s->p) {
	case '{': return scan_container(s, depth + 1, 1);
	case '[': return scan_container(s, depth + 1, 0);
	case '"': return scan_string(s, 0);
	case 't': return scan_literal(s, "true");
	case 'f': return scan_literal(s, "false");
	case 'n': return scan_literal(s, "null");
	default:  return scan_number(s);
	}
}

/* NULL when buf is one strict JSON value (surrounded by whitespace only), else the problem. */
static const char *
strict_json_problem(const char *buf, size_t len)
{
	struct scan s = { (const unsigned char *)buf, (const unsigned char *)buf + len, NULL };

	if (!scan_value(&s, 0))
		return s.problem ? s.problem : "body is not valid JSON";
	skip_ws(&s);
	if (s.p != s.end)
		return "unexpected data after the JSON value";
	return NULL;
}

astral_err
astral_json_parse(const char *buf, size_t len, struct json_object **out, const char **problem)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	*out = NULL;
	*problem = NULL;
	if (len > (size_t)INT32_MAX) {
		*problem = "body is too large";
		return ASTRAL_ERR_INVALID;
	}
	if (memchr(buf, '\0', len) == NULL && !astral_utf8_valid(buf, len)) {
		*problem = "JSON is not valid UTF-8";
		return ASTRAL_ERR_INVALID;
	}
	*problem = strict_json_problem(buf, len);
	if (*problem != NULL)
		return ASTRAL_ERR_INVALID;
	/* json-c counts the outermost value as one level of its stack. */
	tok = json_tokener_new_ex(ASTRAL_JSON_MAX_DEPTH + 1);
	if (tok == NULL)
		return ASTRAL_ERR_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
	                            JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		json_object_put(obj);
		if (jerr == json_tokener_error_depth)
			*problem = "JSON is nested too deeply";
		else if (jerr == json_tokener_error_parse_utf8_string)
			*problem = "JSON is not valid UTF-8";
		else
			*problem = "body is not valid JSON";
		return ASTRAL_ERR_INVALID;
	}
	for (; end < len; end++) {
		if (!isspace((unsigned char)buf[end])) {
			json_object_put(obj);
			*problem = "unexpected data after the JSON value";
			return ASTRAL_ERR_INVALID;
		}
	}

	*out = obj;
	return ASTRAL_OK;
}

void
astral_json_add_str(struct json_object *obj, const char *key, const char *value)
{
	json_object_object_add(obj, key, value ? json_object_new_string(value) : NULL);
}

void
astral_json_add_int(struct json_object *obj, const char *key, long long value)
{
	json_object_object_add(obj, key, json_object_new_int64(value));
}

void
astral_json_add_bool(struct json_object *obj, const char *key, int value)
{
	json_object_object_add(obj, key, json_object_new_boolean(value ? 1 : 0));
}

void
astral_json_add_time(struct json_object *obj, const char *key, int64_t t)
{
	char buf[32];

	if (t < 0) {
		json_object_object_add(obj, key, NULL);
		return;
	}
	astral_clock_format(t, buf, sizeof(buf));
	json_object_object_add(obj, key, json_object_new_string(buf));
}

struct json_object *
astral_json_numeric(const char *text)
{
	struct scan s;
	double v;

	if (text == NULL)
		return NULL;
	s.p = (const unsigned char *)text;
	s.end = s.p + strlen(text);
	s.problem = NULL;
	if (!scan_number(&s) || s.p != s.end)
		return NULL;
	v = strtod(text, NULL);
	if (!isfinite(v))
		return NULL;
	return json_object_new_double_s(v, text);
}
