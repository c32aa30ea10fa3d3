/*
 * The safety plan as one JSON document (Stanley-Brown's six steps and reasons for living): the
 * seven lists a client sends are checked and copied into a canonical document, which is what is
 * sealed; a stored document is read back through the same checks. Pure code (json-c and
 * lib/validate only); tests/fuzz/fuzz-care.c drives it.
 */
#ifndef ASTRAL_WELLNESS_SAFETY_PLAN_DOC_H
#define ASTRAL_WELLNESS_SAFETY_PLAN_DOC_H

#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

#define CARE_PLAN_LIST_MAX 20       /* entries per list */
#define CARE_PLAN_TEXT_MAX 300      /* code points per text */
#define CARE_PLAN_PHONE_MIN 3
#define CARE_PLAN_PHONE_MAX 32

enum care_plan_list {
	CARE_PLAN_WARNING_SIGNS,        /* texts (the original's "triggers") */
	CARE_PLAN_COPING_STRATEGIES,    /* texts (the original's "coping") */
	CARE_PLAN_DISTRACTIONS,         /* {name, contact|null}: people and places (the original's "safe places") */
	CARE_PLAN_SUPPORT_PEOPLE,       /* {name, phone|null} (the original's "support team") */
	CARE_PLAN_PROFESSIONALS,        /* {name, phone|null}: professionals and agencies */
	CARE_PLAN_SAFE_ENVIRONMENT,     /* texts */
	CARE_PLAN_REASONS_FOR_LIVING,   /* texts */
	CARE_PLAN_NLISTS
};

/* The list's name in the document ("warning_signs"). */
const char *care_plan_list_name(enum care_plan_list list);

/* Check the seven lists (each a JSON array, or NULL when the client left it out) and build the
   canonical document: a new object with every list, entries trimmed of nothing, objects with
   exactly their two keys (null when absent). INVALID with *problems an object naming each bad
   place ("support_people[1].phone": "must be 3 to 32 of 0-9 + ( ) - and spaces"). */
astral_err care_safety_plan_build(struct json_object *const lists[CARE_PLAN_NLISTS], struct json_object **plan,
                                  struct json_object **problems) ASTRAL_MUST_USE;

/* A stored document (the opened text) back into a canonical document: INVALID when it is not one. */
astral_err care_safety_plan_parse(const char *text, size_t len, struct json_object **plan) ASTRAL_MUST_USE;

/* The document of a user without a plan: seven empty lists. */
struct json_object *care_safety_plan_empty(void);

#endif
