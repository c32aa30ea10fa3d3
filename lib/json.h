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

/* PostgreSQL numeric text such as "4.50" → a new JSON number that json-c writes exactly as that
   text, so a response keeps the rounding PostgreSQL chose. NULL for a NULL text (SQL NULL, which
   json-c writes as null), for text that is not a finite RFC 8259 number ("NaN", "Infinity",
   " 4.5", "0x10", "1e999") and when memory runs out. A caller that must refuse a bad value tests
   for a non-NULL text with a NULL result. */
struct json_object *astral_json_numeric(const char *text);

#endif
