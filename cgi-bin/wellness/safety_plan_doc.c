/* The safety plan document: see safety_plan_doc.h. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "safety_plan_doc.h"
#include "validate.h"

enum entry_kind { ENTRY_TEXT, ENTRY_NAME_CONTACT, ENTRY_NAME_PHONE };

static const struct {
	const char *name;
	enum entry_kind kind;
} lists_def[CARE_PLAN_NLISTS] = {
	[CARE_PLAN_WARNING_SIGNS] = { "warning_signs", ENTRY_TEXT },
	[CARE_PLAN_COPING_STRATEGIES] = { "coping_strategies", ENTRY_TEXT },
	[CARE_PLAN_DISTRACTIONS] = { "distractions", ENTRY_NAME_CONTACT },
	[CARE_PLAN_SUPPORT_PEOPLE] = { "support_people", ENTRY_NAME_PHONE },
	[CARE_PLAN_PROFESSIONALS] = { "professionals", ENTRY_NAME_PHONE },
	[CARE_PLAN_SAFE_ENVIRONMENT] = { "safe_environment", ENTRY_TEXT },
	[CARE_PLAN_REASONS_FOR_LIVING] = { "reasons_for_living", ENTRY_TEXT },
};

const char *
care_plan_list_name(enum care_plan_list list)
{
	return (unsigned)list < CARE_PLAN_NLISTS ? lists_def[list].name : NULL;
}

static void
add_problem(struct json_object **problems, const char *where, const char *why)
{
	if (*problems == NULL)
		*problems = json_object_new_object();
	if (!json_object_object_get_ex(*problems, where, NULL))
		json_object_object_add(*problems, where, json_object_new_string(why));
}

/* One line of 1..300 code points that is not only spaces. */
static const char *
check_text(struct json_object *v)
{
	const char *s, *why;
	size_t len;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return "must be a string";
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return "must not contain NUL characters";
	why = astral_check_text(s, len, 1, CARE_PLAN_TEXT_MAX, 0);
	if (why != NULL)
		return why;
	if (s[strspn(s, " \t")] == '\0')
		return "must not be blank";
	return NULL;
}

/* 3..32 of 0-9 + ( ) - and spaces, with at least one digit. */
static const char *
check_phone(struct json_object *v)
{
	static const char why_pattern[] = "must be 3 to 32 of 0-9 + ( ) - and spaces";
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return "must be a string or null";
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len < CARE_PLAN_PHONE_MIN || len > CARE_PLAN_PHONE_MAX || strlen(s) != len ||
	    strspn(s, "0123456789+() -") != len || strpbrk(s, "0123456789") == NULL)
		return why_pattern;
	return NULL;
}

/* An entry {name, contact|null} or {name, phone|null}: a new canonical object, or NULL with the
   problems added under `where`. */
static struct json_object *
build_contact(struct json_object *v, enum entry_kind kind, const char *where, struct json_object **problems)
{
	const char *second = kind == ENTRY_NAME_PHONE ? "phone" : "contact";
	struct json_object *name = NULL, *other = NULL, *out;
	char at[96];
	const char *why;
	int bad = 0;

	if (v == NULL || !json_object_is_type(v, json_type_object)) {
		add_problem(problems, where, "must be an object with a name");
		return NULL;
	}
	json_object_object_foreach(v, key, val) {
		if (strcmp(key, "name") == 0) {
			name = val;
		} else if (strcmp(key, second) == 0) {
			other = val;
		} else {
			snprintf(at, sizeof(at), "%s", where);
			add_problem(problems, at, "has an unknown field");
			bad = 1;
		}
	}
	snprintf(at, sizeof(at), "%s.name", where);
	why = name == NULL ? "is required" : check_text(name);
	if (why != NULL) {
		add_problem(problems, at, why);
		bad = 1;
	}
	if (other != NULL) {
		snprintf(at, sizeof(at), "%s.%s", where, second);
		why = kind == ENTRY_NAME_PHONE ? check_phone(other) : check_text(other);
		if (why != NULL) {
			add_problem(problems, at, kind == ENTRY_NAME_PHONE ? why : "must be a string of 1 to 300 characters or null");
			bad = 1;
		}
	}
	if (bad)
		return NULL;
	out = json_object_new_object();
	json_object_object_add(out, "name", json_object_new_string(json_object_get_string(name)));
	json_object_object_add(out, second, other ? json_object_new_string(json_object_get_string(other)) : NULL);
	return out;
}

astral_err
care_safety_plan_build(struct json_object *const lists[CARE_PLAN_NLISTS], struct json_object **plan,
                       struct json_object **problems)
{
	struct json_object *doc;

	*plan = NULL;
	*problems = NULL;
	doc = json_object_new_object();
	for (int l = 0; l < CARE_PLAN_NLISTS; l++) {
		struct json_object *in = lists[l], *out = json_object_new_array();
		size_t n;

		json_object_object_add(doc, lists_def[l].name, out);
		if (in == NULL) {
			add_problem(problems, lists_def[l].name, "is required");
			continue;
		}
		if (!json_object_is_type(in, json_type_array)) {
			add_problem(problems, lists_def[l].name, "must be a list");
			continue;
		}
		n = json_object_array_length(in);
		if (n > CARE_PLAN_LIST_MAX) {
			add_problem(problems, lists_def[l].name, "has too many items");
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(in, i), *entry = NULL;
			char where[64];
			const char *why;

			snprintf(where, sizeof(where), "%s[%zu]", lists_def[l].name, i);
			if (lists_def[l].kind == ENTRY_TEXT) {
				why = check_text(v);
				if (why != NULL)
					add_problem(problems, where, why);
				else
					entry = json_object_new_string(json_object_get_string(v));
			} else {
				entry = build_contact(v, lists_def[l].kind, where, problems);
			}
			if (entry != NULL)
				json_object_array_add(out, entry);
		}
	}
	if (*problems != NULL) {
		json_object_put(doc);
		return ASTRAL_ERR_INVALID;
	}
	*plan = doc;
	return ASTRAL_OK;
}

astral_err
care_safety_plan_parse(const char *text, size_t len, struct json_object **plan)
{
	struct json_object *obj = NULL, *problems = NULL, *lists[CARE_PLAN_NLISTS] = { NULL };
	const char *why = NULL;
	astral_err err;

	*plan = NULL;
	err = astral_json_parse(text, len, &obj, &why);
	if (err != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	if (!json_object_is_type(obj, json_type_object) || json_object_object_length(obj) != CARE_PLAN_NLISTS) {
		json_object_put(obj);
		return ASTRAL_ERR_INVALID;
	}
	for (int l = 0; l < CARE_PLAN_NLISTS; l++)
		(void)json_object_object_get_ex(obj, lists_def[l].name, &lists[l]);
	err = care_safety_plan_build(lists, plan, &problems);
	json_object_put(problems);
	json_object_put(obj);
	return err == ASTRAL_OK ? ASTRAL_OK : ASTRAL_ERR_INVALID;
}

struct json_object *
care_safety_plan_empty(void)
{
	struct json_object *doc = json_object_new_object();

	for (int l = 0; l < CARE_PLAN_NLISTS; l++)
		json_object_object_add(doc, lists_def[l].name, json_object_new_array());
	return doc;
}
