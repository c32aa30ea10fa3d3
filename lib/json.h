/* JSON on json-c: a bounded parser for request bodies and small builders for responses. */
#ifndef ASTRAL_JSON_H
#define ASTRAL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "error.h"

#define ASTRAL_JSON_MAX_DEPTH 16

/* Strict JSON, valid UTF-8, nesting at most ASTRAL_JSON_MAX_DEPTH, nothing but whitespace after
   the value. INVALID with *problem set to a client-facing reason. */
astral_err astral_json_parse(const char *buf, size_t len, struct json_object **out, const char **problem) ASTRAL_MUST_USE;

/* Builders: a NULL string becomes JSON null. */
void astral_json_add_str(struct json_object *obj, const char *key, const char *value);
void astral_json_add_int(struct json_object *obj, const char *key, long long value);
void astral_json_add_bool(struct json_object *obj, const char *key, int value);
/* RFC 3339 UTC from unix seconds; a negative time becomes null. */
void astral_json_add_time(struct json_object *obj, const char *key, int64_t t);

#endif
