/*
 * The crisis and self-help resources (data/resources.json, named by wellness.resources_file): read
 * and checked once at start-up by every program (lib/program.c keeps them in struct astral_app),
 * then filtered per request by GET /api/resources and turned into the crisis lines of a crisis
 * answer (lib/crisis_alert.h) for the host's region (wellness.crisis_region). Pure code (json-c,
 * lib/json, lib/validate).
 */
#ifndef ASTRAL_RESOURCE_CATALOG_H
#define ASTRAL_RESOURCE_CATALOG_H

#include <stddef.h>
#include <json-c/json.h>

#include "error.h"

#define ASTRAL_RESOURCES_FILE_MAX (256 * 1024)
#define ASTRAL_RESOURCES_MAX 500
#define ASTRAL_RESOURCE_QUERY_MAX 100

/* The categories, in the original's filter order. */
extern const char *const astral_resource_categories[];

/* Check a resources document {"resources":[Resource…]} and return the list (a new array of new
   objects with exactly the Resource keys, `emergency` always present as a boolean). An entry with
   "emergency": true is a country's emergency number (category crisis, a tel: link). CONFIG with
   `err` naming the entry and the problem. */
astral_err astral_resources_parse(const char *text, size_t len, struct json_object **out, char *err,
                                  size_t errlen) ASTRAL_MUST_USE;

/* Read and parse the file (at most ASTRAL_RESOURCES_FILE_MAX bytes). IO or CONFIG with `err`. */
astral_err astral_resources_load(const char *path, struct json_object **out, char *err, size_t errlen)
	ASTRAL_MUST_USE;

/* The entries matching every given filter (NULL: any): category exactly; country exactly or
   INTL (resources for everyone); q a substring of the title or description, ASCII letters
   compared without case. A new array holding references to the catalogue's objects. */
struct json_object *astral_resources_filter(struct json_object *all, const char *category, const char *country,
                                            const char *q);

/* The crisis lines to show someone in `region` (ISO 3166 alpha-2), in this order: the region's
   crisis lines, its emergency numbers, then the international crisis entries (Find A Helpline);
   each in catalogue order, each as {id, name, contact, href} (name: the title; contact: the
   entry's, or the link's host for a web-only entry). Entries without a link are left out. A new
   array of new objects; empty for a NULL catalogue or region. */
struct json_object *astral_resources_crisis_lines(struct json_object *all, const char *region);

/* OK when the catalogue has at least one crisis line (not counting emergency numbers) for region;
   CONFIG with `err` saying so otherwise: a host must not show its seekers another country's lines. */
astral_err astral_resources_check_region(struct json_object *all, const char *region, char *err, size_t errlen)
	ASTRAL_MUST_USE;

#endif
