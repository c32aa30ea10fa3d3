/*
 * Declared inputs. A route names the fields it accepts; this module checks a JSON body or a
 * query string against that declaration and converts it into the handler's C struct. Unknown
 * fields, wrong types, missing required fields and values out of range come back as a JSON
 * object `{ field: problem }` for the 400 response.
 */
#ifndef ASTRAL_INPUT_H
#define ASTRAL_INPUT_H

#include <stddef.h>
#include <json-c/json.h>

#include "http.h"

#define ASTRAL_LIST_MAX 16

enum astral_ftype {
	ASTRAL_F_TEXT,       /* const char *: one line, min..max code points */
	ASTRAL_F_MULTILINE,  /* const char *: newlines and tabs allowed */
	ASTRAL_F_SECRET,     /* const char *: password-like, min..max BYTES, any UTF-8 but NUL/controls */
	ASTRAL_F_INT,        /* long long in min..max; absent → dflt */
	ASTRAL_F_BOOL,       /* int 0/1; absent → dflt (use -1 for "not given") */
	ASTRAL_F_UUID,       /* const char * */
	ASTRAL_F_ENUM,       /* const char *, one of allowed */
	ASTRAL_F_ENUM_LIST,  /* struct astral_list, at most max items, each one of allowed, no duplicates */
	ASTRAL_F_DATE,       /* const char * YYYY-MM-DD */
	ASTRAL_F_USERNAME,   /* char[33], lower-cased; "" when absent */
	ASTRAL_F_ARRAY,      /* struct json_object *: a JSON array of min..max items, borrowed from the
	                        body (NULL when absent); the handler converts its items with a pure
	                        function of its own that has a fuzz target. Bodies only, never queries. */
	ASTRAL_F_OBJECT      /* struct json_object *: a JSON object of min..max members, borrowed and
	                        converted like ASTRAL_F_ARRAY (quiz answers keyed by question id). */
};

struct astral_list {
	int present;
	size_t n;
	const char *items[ASTRAL_LIST_MAX];
};

struct astral_field {
	const char *name;
	enum astral_ftype type;
	int required;
	long long min, max;
	const char *const *allowed;
	size_t offset;            /* offsetof(struct handler_input, member) */
	long long dflt;
};

struct astral_input_spec {
	const struct astral_field *fields;
	size_t nfields;
	size_t size;              /* sizeof(struct handler_input) */
};

/* Values of strings point into `obj`, which must outlive `out`. *problems is NULL on success. */
void astral_input_from_json(const struct astral_input_spec *spec, struct json_object *obj, void *out,
                            struct json_object **problems);
/* Query strings: every parameter must be declared. Strings are copied into `store` (bytes). */
void astral_input_from_query(const struct astral_input_spec *spec, const char *query, void *out,
                             char *store, size_t storelen, struct json_object **problems);

#endif
