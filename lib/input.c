#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "input.h"
#include "validate.h"

static void
problem(struct json_object **problems, const char *field, const char *what)
{
	if (*problems == NULL)
		*problems = json_object_new_object();
	if (json_object_object_get_ex(*problems, field, NULL))
		return;
	json_object_object_add(*problems, field, json_object_new_string(what));
}

static void
set_defaults(const struct astral_input_spec *spec, void *out)
{
	memset(out, 0, spec->size);
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct astral_field *f = &spec->fields[i];
		char *slot = (char *)out + f->offset;

		if (f->type == ASTRAL_F_INT)
			memcpy(slot, &f->dflt, sizeof(long long));
		else if (f->type == ASTRAL_F_BOOL) {
			int v = (int)f->dflt;
			memcpy(slot, &v, sizeof(int));
		}
	}
}

/* Check one string value for field f; on success store it. */
static const char *
take_string(const struct astral_field *f, const char *s, size_t len, char *slot)
{
	const char *why = NULL;
	long long n;

	switch (f->type) {
	case ASTRAL_F_TEXT:
	case ASTRAL_F_MULTILINE:
		why = astral_check_text(s, len, f->min, f->max, f->type == ASTRAL_F_MULTILINE);
		break;
	case ASTRAL_F_SECRET:
		why = astral_check_text(s, len, 0, (long long)len, 0);
		if (why == NULL && (long long)len < f->min)
			why = "is too short";
		else if (why == NULL && (long long)len > f->max)
			why = "is too long";
		break;
	case ASTRAL_F_UUID:
		why = strlen(s) != len ? "must be a UUID" : astral_check_uuid(s);
		break;
	case ASTRAL_F_ENUM:
		why = strlen(s) != len ? "is not one of the allowed values" : astral_check_enum(s, f->allowed);
		break;
	case ASTRAL_F_DATE:
		why = strlen(s) != len ? "must be a date (YYYY-MM-DD)" : astral_check_date(s);
		break;
	case ASTRAL_F_USERNAME: {
		char buf[33];

		if (len > 32 || strlen(s) != len)
			return "must be 3 to 32 characters";
		memcpy(buf, s, len + 1);
		why = astral_check_username(buf);
		if (why == NULL)
			memcpy(slot, buf, len + 1);
		return why;
	}
	case ASTRAL_F_INT:
		why = strlen(s) != len ? "must be a whole number" : astral_check_int(s, f->min, f->max, &n);
		if (why == NULL)
			memcpy(slot, &n, sizeof(n));
		return why;
	case ASTRAL_F_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			n = 1;
		else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			n = 0;
		else
			return "must be true or false";
		{
			int v = (int)n;
			memcpy(slot, &v, sizeof(int));
		}
		return NULL;
	case ASTRAL_F_ENUM_LIST:
	case ASTRAL_F_ARRAY:
		return "must be a list";
	case ASTRAL_F_OBJECT:
		return "must be an object";
	}
	if (why == NULL)
		memcpy(slot, &s, sizeof(const char *));
	return why;
}

static const char *
take_json(const struct astral_field *f, struct json_object *v, char *slot)
{
	enum json_type t = json_object_get_type(v);

	switch (f->type) {
	case ASTRAL_F_INT: {
		long long n;

		if (t != json_type_int)
			return "must be a whole number";
		errno = 0;
		n = json_object_get_int64(v);
		if (errno != 0 || n < f->min || n > f->max)
			return "is out of range";
		memcpy(slot, &n, sizeof(n));
		return NULL;
	}
	case ASTRAL_F_BOOL: {
		int b;

		if (t != json_type_boolean)
			return "must be true or false";
		b = json_object_get_boolean(v) ? 1 : 0;
		memcpy(slot, &b, sizeof(b));
		return NULL;
	}
	case ASTRAL_F_ENUM_LIST: {
		struct astral_list list;
		size_t n;

		if (t != json_type_array)
			return "must be a list";
		n = json_object_array_length(v);
		if ((long long)n > f->max || n > ASTRAL_LIST_MAX)
			return "has too many items";
		memset(&list, 0, sizeof(list));
		list.present = 1;
		for (size_t i = 0; i < n; i++) {
			struct json_object *item = json_object_array_get_idx(v, i);
			const char *s;

			if (json_object_get_type(item) != json_type_string)
				return "must be a list of strings";
			s = json_object_get_string(item);
			if ((size_t)json_object_get_string_len(item) != strlen(s) ||
			    astral_check_enum(s, f->allowed) != NULL)
				return "contains a value that is not allowed";
			for (size_t j = 0; j < list.n; j++)
				if (strcmp(list.items[j], s) == 0)
					return "contains a value twice";
			list.items[list.n++] = s;
		}
		memcpy(slot, &list, sizeof(list));
		return NULL;
	}
	case ASTRAL_F_ARRAY: {
		size_t n;

		if (t != json_type_array)
			return "must be a list";
		n = json_object_array_length(v);
		if ((long long)n > f->max)
			return "has too many items";
		if ((long long)n < f->min)
			return "has too few items";
		memcpy(slot, &v, sizeof(v));
		return NULL;
	}
	case ASTRAL_F_OBJECT: {
		int n;

		if (t != json_type_object)
			return "must be an object";
		n = json_object_object_length(v);
		if ((long long)n > f->max)
			return "has too many members";
		if ((long long)n < f->min)
			return "has too few members";
		memcpy(slot, &v, sizeof(v));
		return NULL;
	}
	default:
		if (t != json_type_string)
			return "must be a string";
		return take_string(f, json_object_get_string(v), (size_t)json_object_get_string_len(v), slot);
	}
}

void
astral_input_from_json(const struct astral_input_spec *spec, struct json_object *obj, void *out,
                       struct json_object **problems)
{
	*problems = NULL;
	set_defaults(spec, out);
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		problem(problems, "body", "must be a JSON object");
		return;
	}
	json_object_object_foreach(obj, key, val) {
		const struct astral_field *f = NULL;

		for (size_t i = 0; i < spec->nfields; i++)
			if (strcmp(spec->fields[i].name, key) == 0)
				f = &spec->fields[i];
		if (f == NULL) {
			/* Names the client sent are echoed only when they are short and printable. */
			problem(problems, astral_check_text(key, strlen(key), 1, 64, 0) ? "body" : key,
			        "unknown field");
			continue;
		}
		if (val == NULL) {
			/* Leave a field out to keep it as it is; null is not a value of any field. */
			problem(problems, f->name, "must not be null");
			continue;
		}
		const char *why = take_json(f, val, (char *)out + f->offset);
		if (why != NULL)
			problem(problems, f->name, why);
	}
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct astral_field *f = &spec->fields[i];
		struct json_object *v;

		if (f->required && (!json_object_object_get_ex(obj, f->name, &v) || v == NULL))
			problem(problems, f->name, "is required");
	}
}

static size_t
next_param(const char *q, const char **name, size_t *nlen)
{
	const char *amp = strchr(q, '&');
	const char *eq;
	size_t len = amp ? (size_t)(amp - q) : strlen(q);

	eq = memchr(q, '=', len);
	*name = q;
	*nlen = eq ? (size_t)(eq - q) : len;
	return len;
}

/* The parameters after `rest` (which starts at '&' or the end) name `field` again. */
static int
query_names_field_again(const char *rest, const char *field)
{
	size_t flen = strlen(field);

	while (*rest == '&') {
		const char *name;
		size_t nlen, len;

		rest++;
		len = next_param(rest, &name, &nlen);
		if (nlen == flen && strncmp(name, field, flen) == 0)
			return 1;
		rest += len;
	}
	return 0;
}

void
astral_input_from_query(const struct astral_input_spec *spec, const char *query, void *out, char *store,
                        size_t storelen, struct json_object **problems)
{
	struct astral_request fake;
	size_t used = 0;

	*problems = NULL;
	set_defaults(spec, out);
	memset(&fake, 0, sizeof(fake));
	fake.query = query;
	for (const char *q = query; *q != '\0';) {
		const char *name;
		size_t nlen, len = next_param(q, &name, &nlen);
		int known = 0;

		for (size_t i = 0; i < spec->nfields; i++) {
			if (strlen(spec->fields[i].name) != nlen || strncmp(spec->fields[i].name, name, nlen) != 0)
				continue;
			known = 1;
			/* ?days=7&days=90: which one did the caller mean? Never silently the first. */
			if (query_names_field_again(q + len, spec->fields[i].name))
				problem(problems, spec->fields[i].name, "must be given once");
		}
		if (!known && len > 0)
			problem(problems, "query", "unknown parameter");
		q += len;
		if (*q == '&')
			q++;
	}
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct astral_field *f = &spec->fields[i];
		astral_err err;
		const char *why;

		if (f->type == ASTRAL_F_ENUM_LIST || f->type == ASTRAL_F_ARRAY || f->type == ASTRAL_F_OBJECT) {
			problem(problems, f->name, "is not accepted in a query");
			continue;
		}
		err = astral_query_get(&fake, f->name, store + used, storelen - used);
		if (err == ASTRAL_ERR_NOT_FOUND) {
			if (f->required)
				problem(problems, f->name, "is required");
			continue;
		}
		if (err != ASTRAL_OK) {
			problem(problems, f->name, err == ASTRAL_ERR_TOO_LARGE ? "is too long" : "is badly encoded");
			continue;
		}
		why = take_string(f, store + used, strlen(store + used), (char *)out + f->offset);
		if (why != NULL)
			problem(problems, f->name, why);
		used += strlen(store + used) + 1;
	}
}
