#include <ctype.h>

#include "clock.h"
#include "json.h"

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
	tok = json_tokener_new_ex(ASTRAL_JSON_MAX_DEPTH);
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
