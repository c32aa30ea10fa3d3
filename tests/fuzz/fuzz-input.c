/* libFuzzer target for request bodies: astral_json_parse, then astral_input_from_json against a
   spec with every field type. Any input either is refused with a reason, or converts into a
   struct whose every value passes its validator again; then everything is freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/input.h"
#include "../../lib/json.h"
#include "../../lib/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_colours[] = { "red", "green", "blue", "black", NULL };

struct fuzz_every {
	const char *text;
	const char *note;
	const char *secret;
	long long count;
	int flag;
	const char *id;
	const char *colour;
	const char *day;
	char name[33];
	struct astral_list tags;
	struct json_object *items;
	struct json_object *answers;
};

static const struct astral_field fuzz_fields[] = {
	{ "text", ASTRAL_F_TEXT, 1, 1, 20, NULL, offsetof(struct fuzz_every, text), 0 },
	{ "note", ASTRAL_F_MULTILINE, 0, 0, 200, NULL, offsetof(struct fuzz_every, note), 0 },
	{ "secret", ASTRAL_F_SECRET, 0, 8, 64, NULL, offsetof(struct fuzz_every, secret), 0 },
	{ "count", ASTRAL_F_INT, 0, -5, 100, NULL, offsetof(struct fuzz_every, count), 7 },
	{ "flag", ASTRAL_F_BOOL, 0, 0, 0, NULL, offsetof(struct fuzz_every, flag), -1 },
	{ "id", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct fuzz_every, id), 0 },
	{ "colour", ASTRAL_F_ENUM, 0, 0, 0, fuzz_colours, offsetof(struct fuzz_every, colour), 0 },
	{ "day", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct fuzz_every, day), 0 },
	{ "name", ASTRAL_F_USERNAME, 0, 0, 0, NULL, offsetof(struct fuzz_every, name), 0 },
	{ "tags", ASTRAL_F_ENUM_LIST, 0, 0, 3, fuzz_colours, offsetof(struct fuzz_every, tags), 0 },
	{ "items", ASTRAL_F_ARRAY, 0, 1, 4, NULL, offsetof(struct fuzz_every, items), 0 },
	{ "answers", ASTRAL_F_OBJECT, 0, 1, 4, NULL, offsetof(struct fuzz_every, answers), 0 },
};

static const struct astral_input_spec fuzz_spec = {
	fuzz_fields, sizeof(fuzz_fields) / sizeof(fuzz_fields[0]), sizeof(struct fuzz_every)
};

/* A converted struct holds only values that pass their checks. */
static void
fuzz_check_every(const struct fuzz_every *in)
{
	char name[33];

	if (in->text == NULL || astral_check_text(in->text, strlen(in->text), 1, 20, 0) != NULL)
		abort();
	if (in->note != NULL && astral_check_text(in->note, strlen(in->note), 0, 200, 1) != NULL)
		abort();
	if (in->secret != NULL && (strlen(in->secret) < 8 || strlen(in->secret) > 64 ||
	                           astral_check_text(in->secret, strlen(in->secret), 0, 64, 0) != NULL))
		abort();
	if (in->count < -5 || in->count > 100)
		abort();
	if (in->flag != -1 && in->flag != 0 && in->flag != 1)
		abort();
	if (in->id != NULL && astral_check_uuid(in->id) != NULL)
		abort();
	if (in->colour != NULL && astral_check_enum(in->colour, fuzz_colours) != NULL)
		abort();
	if (in->day != NULL && astral_check_date(in->day) != NULL)
		abort();
	if (memchr(in->name, '\0', sizeof(in->name)) == NULL)
		abort();
	if (in->name[0] != '\0') {
		memcpy(name, in->name, sizeof(name));
		if (astral_check_username(name) != NULL || strcmp(name, in->name) != 0)
			abort();   /* valid and already lower-case */
	}
	if (in->tags.n > 3 || (!in->tags.present && in->tags.n != 0))
		abort();
	if (in->items != NULL && (!json_object_is_type(in->items, json_type_array) ||
	                          json_object_array_length(in->items) < 1 || json_object_array_length(in->items) > 4))
		abort();
	if (in->answers != NULL && (!json_object_is_type(in->answers, json_type_object) ||
	                            json_object_object_length(in->answers) < 1 ||
	                            json_object_object_length(in->answers) > 4))
		abort();
	for (size_t i = 0; i < in->tags.n; i++) {
		if (astral_check_enum(in->tags.items[i], fuzz_colours) != NULL)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(in->tags.items[i], in->tags.items[j]) == 0)
				abort();
	}
}

/* Problems are an object of non-empty strings, each under a key that is short and printable. */
static void
fuzz_check_problems(struct json_object *problems)
{
	if (!json_object_is_type(problems, json_type_object) || json_object_object_length(problems) == 0)
		abort();
	json_object_object_foreach(problems, key, val) {
		if (astral_check_text(key, strlen(key), 1, 64, 0) != NULL)
			abort();
		if (!json_object_is_type(val, json_type_string) || json_object_get_string_len(val) == 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj = NULL, *problems = NULL;
	struct fuzz_every in;
	const char *why = NULL;
	astral_err rc;

	rc = astral_json_parse((const char *)data, size, &obj, &why);
	if (rc != ASTRAL_OK) {
		if (rc != ASTRAL_ERR_INVALID || obj != NULL || why == NULL)
			abort();
		return 0;
	}
	if (obj == NULL || why != NULL)
		abort();
	astral_input_from_json(&fuzz_spec, obj, &in, &problems);
	if (problems == NULL)
		fuzz_check_every(&in);
	else
		fuzz_check_problems(problems);
	json_object_put(problems);
	json_object_put(obj);
	return 0;
}
