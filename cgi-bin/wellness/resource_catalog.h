/*
 * The crisis and self-help resources (data/resources.json): read and checked once at start-up,
 * then filtered per request. Pure code (json-c, lib/json, lib/validate).
 */
#ifndef ASTRAL_WELLNESS_RESOURCE_CATALOG_H
#define ASTRAL_WELLNESS_RESOURCE_CATALOG_H

#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

#define CARE_RESOURCES_FILE_MAX (256 * 1024)
#define CARE_RESOURCES_MAX 500
#define CARE_RESOURCE_QUERY_MAX 100

/* The categories, in the original's filter order. */
extern const char *const care_resource_categories[];

/* Check a resources document {"resources":[Resource…]} and return the list (a new array of new
   objects with exactly the Resource keys). CONFIG with `err` naming the entry and the problem. */
astral_err care_resources_parse(const char *text, size_t len, struct json_object **out, char *err,
                                size_t errlen) ASTRAL_MUST_USE;

/* Read and parse the file (at most CARE_RESOURCES_FILE_MAX bytes). IO or CONFIG with `err`. */
astral_err care_resources_load(const char *path, struct json_object **out, char *err, size_t errlen) ASTRAL_MUST_USE;

/* The entries matching every given filter (NULL: any): category exactly; country exactly or
   INTL (resources for everyone); q a substring of the title or description, ASCII letters
   compared without case. A new array holding references to the catalogue's objects. */
struct json_object *care_resources_filter(struct json_object *all, const char *category, const char *country,
                                          const char *q);

#endif
