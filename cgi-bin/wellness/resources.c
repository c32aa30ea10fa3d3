/*
 * GET /api/resources: crisis lines and self-help pages from data/resources.json, by category,
 * country and words, with the host's region and its crisis lines (what a crisis answer lists) and
 * its donation page, for the UI. Public, never rate-limited, cacheable for an hour. The catalogue is read and checked
 * once at start-up (lib/program.c, lib/resource_catalog.h) and never changes while the program runs.
 */
#include <stddef.h>
#include <string.h>

#include "care.h"
#include "crisis_alert.h"
#include "json.h"
#include "resource_catalog.h"

#define RESOURCES_MAX_AGE 3600

struct resources_in { const char *category; const char *country; const char *q; };
static const struct astral_field resources_fields[] = {
	{ "category", ASTRAL_F_ENUM, 0, 0, 0, astral_resource_categories, offsetof(struct resources_in, category), 0 },
	{ "country", ASTRAL_F_TEXT, 0, 2, 4, NULL, offsetof(struct resources_in, country), 0 },
	{ "q", ASTRAL_F_TEXT, 0, 0, ASTRAL_RESOURCE_QUERY_MAX, NULL, offsetof(struct resources_in, q), 0 },
};
const struct astral_input_spec wellness_resources_list_input = {
	resources_fields, sizeof(resources_fields) / sizeof(resources_fields[0]), sizeof(struct resources_in)
};

/* ISO 3166 alpha-2 in upper case, or INTL. */
static int
country_valid(const char *s)
{
	size_t n = strlen(s);

	return (n == 2 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2) || strcmp(s, "INTL") == 0;
}

void
wellness_resources_list(struct astral_request *req, const void *input)
{
	const struct resources_in *in = input;
	struct json_object *body;

	if (in->country != NULL && !country_valid(in->country)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "country",
		                           "must be a two-letter country code in capitals (US, GB, ES) or INTL");
		return;
	}
	if (req->app->resources == NULL) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	body = json_object_new_object();
	json_object_object_add(body, "items",
	                       astral_resources_filter(req->app->resources, in->category, in->country,
	                                               in->q != NULL && in->q[0] != '\0' ? in->q : NULL));
	astral_json_add_str(body, "region", req->app->cfg.crisis_region);
	/* The host's donation page ([site] donation_url), for the UI's footer; null when none. */
	astral_json_add_str(body, "donation_url", req->app->cfg.site_donation_url);
	json_object_object_add(body, "crisis_lines", astral_crisis_lines_json(req->app));
	astral_response_cache_public(req, RESOURCES_MAX_AGE);
	astral_respond(req, 200, body);
}
