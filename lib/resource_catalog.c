/* The resources catalogue (data/resources.json): see resource_catalog.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "resource_catalog.h"
#include "validate.h"

const char *const astral_resource_categories[] = { "crisis", "anxiety", "depression", "coping", "grief", NULL };

static const char *const resource_keys[] = {
	"id", "title", "description", "category", "country", "contact", "href", "source", "emergency", NULL
};

/* A string member of `o`, or NULL (absent, null or not a string). */
static const char *
member(struct json_object *o, const char *key, int *present)
{
	struct json_object *v = NULL;

	*present = json_object_object_get_ex(o, key, &v) && v != NULL;
	if (!*present || !json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

static int
is_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int
is_country(const char *s)
{
	return strcmp(s, "INTL") == 0 ||
	       (strlen(s) == 2 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2);
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* https:// links, and tel:/sms: for numbers; printable ASCII without spaces or quotes. */
static int
is_link(const char *s, int official)
{
	size_t n = strlen(s);

	if (n < 5 || n > 300)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '<' || s[i] == '>' || s[i] == '\\')
			return 0;
	if (official)
		return has_prefix(s, "https://") && n > 8;
	return (has_prefix(s, "https://") && n > 8) || has_prefix(s, "tel:") || has_prefix(s, "sms:");
}

/* One entry checked and copied; NULL with `why` set. */
static struct json_object *
entry_from(struct json_object *e, const char **why)
{
	const char *id, *title, *description, *category, *country, *contact, *href, *source;
	int has_contact, has_href, present, emergency = 0;
	struct json_object *o, *flag = NULL;

	if (!json_object_is_type(e, json_type_object)) {
		*why = "is not an object";
		return NULL;
	}
	json_object_object_foreach(e, key, val) {
		(void)val;
		if (astral_check_enum(key, resource_keys) != NULL) {
			*why = "has an unknown key";
			return NULL;
		}
	}
	id = member(e, "id", &present);
	title = member(e, "title", &present);
	description = member(e, "description", &present);
	category = member(e, "category", &present);
	country = member(e, "country", &present);
	contact = member(e, "contact", &has_contact);
	href = member(e, "href", &has_href);
	source = member(e, "source", &present);
	if (json_object_object_get_ex(e, "emergency", &flag) && json_object_is_type(flag, json_type_boolean))
		emergency = json_object_get_boolean(flag);
	if (id == NULL || !is_id(id))
		*why = "id must be 1 to 64 of a-z 0-9 -";
	else if (title == NULL || astral_check_text(title, strlen(title), 1, 120, 0) != NULL)
		*why = "title must be 1 to 120 characters";
	else if (description == NULL || astral_check_text(description, strlen(description), 1, 400, 0) != NULL)
		*why = "description must be 1 to 400 characters";
	else if (category == NULL || astral_check_enum(category, astral_resource_categories) != NULL)
		*why = "category is not one of crisis, anxiety, depression, coping, grief";
	else if (country == NULL || !is_country(country))
		*why = "country must be an ISO 3166 alpha-2 code or INTL";
	else if (has_contact && (contact == NULL || astral_check_text(contact, strlen(contact), 1, 80, 0) != NULL))
		*why = "contact must be 1 to 80 characters or null";
	else if (has_href && (href == NULL || !is_link(href, 0)))
		*why = "href must be an https:, tel: or sms: link or null";
	else if (source == NULL || !is_link(source, 1))
		*why = "source must be the https:// page the entry was taken from";
	else if (strcmp(category, "crisis") == 0 && contact == NULL && href == NULL)
		*why = "a crisis resource needs a contact or a link";
	else if (flag != NULL && !json_object_is_type(flag, json_type_boolean))
		*why = "emergency must be true or false";
	else if (emergency && (strcmp(category, "crisis") != 0 || strcmp(country, "INTL") == 0 || contact == NULL ||
	                       href == NULL || !has_prefix(href, "tel:")))
		*why = "an emergency number is a crisis resource of one country with a contact and a tel: link";
	else
		*why = NULL;
	if (*why != NULL)
		return NULL;
	o = json_object_new_object();
	astral_json_add_str(o, "id", id);
	astral_json_add_str(o, "title", title);
	astral_json_add_str(o, "description", description);
	astral_json_add_str(o, "category", category);
	astral_json_add_str(o, "country", country);
	astral_json_add_str(o, "contact", contact);
	astral_json_add_str(o, "href", href);
	astral_json_add_str(o, "source", source);
	astral_json_add_bool(o, "emergency", emergency);
	return o;
}

astral_err
astral_resources_parse(const char *text, size_t len, struct json_object **out, char *err, size_t errlen)
{
	struct json_object *doc = NULL, *list = NULL, *result = NULL;
	const char *why = NULL;
	size_t n;

	*out = NULL;
	if (astral_json_parse(text, len, &doc, &why) != ASTRAL_OK) {
		snprintf(err, errlen, "not valid JSON: %s", why ? why : "parse error");
		return ASTRAL_ERR_CONFIG;
	}
	if (!json_object_is_type(doc, json_type_object) || !json_object_object_get_ex(doc, "resources", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		snprintf(err, errlen, "must be an object with a \"resources\" list");
		goto bad;
	}
	n = json_object_array_length(list);
	if (n == 0 || n > ASTRAL_RESOURCES_MAX) {
		snprintf(err, errlen, "must list 1 to %d resources", ASTRAL_RESOURCES_MAX);
		goto bad;
	}
	result = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = entry_from(json_object_array_get_idx(list, i), &why);

		if (o == NULL) {
			snprintf(err, errlen, "resource %zu: %s", i + 1, why);
			goto bad;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(json_object_get_string(json_object_object_get(json_object_array_get_idx(result, j), "id")),
			           json_object_get_string(json_object_object_get(o, "id"))) == 0) {
				snprintf(err, errlen, "resource %zu: id \"%s\" is used twice", i + 1,
				         json_object_get_string(json_object_object_get(o, "id")));
				json_object_put(o);
				goto bad;
			}
		json_object_array_add(result, o);
	}
	json_object_put(doc);
	*out = result;
	return ASTRAL_OK;
bad:
	json_object_put(result);
	json_object_put(doc);
	return ASTRAL_ERR_CONFIG;
}

astral_err
astral_resources_load(const char *path, struct json_object **out, char *err, size_t errlen)
{
	char *buf = NULL, why[200];
	size_t len = 0;
	FILE *f = NULL;
	astral_err rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ASTRAL_ERR_IO;
	}
	buf = malloc(ASTRAL_RESOURCES_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return ASTRAL_ERR_NOMEM;
	}
	len = fread(buf, 1, ASTRAL_RESOURCES_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = ASTRAL_ERR_IO;
	} else if (len > ASTRAL_RESOURCES_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, ASTRAL_RESOURCES_FILE_MAX);
		rc = ASTRAL_ERR_CONFIG;
	} else {
		rc = astral_resources_parse(buf, len, out, why, sizeof(why));
		if (rc != ASTRAL_OK)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	fclose(f);
	free(buf);
	return rc;
}

/* `needle` (lower-case ASCII letters compared without case) inside `hay`. */
static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return 1;
	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0') {
			char a = hay[i], b = needle[i];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			i++;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

struct json_object *
astral_resources_filter(struct json_object *all, const char *category, const char *country, const char *q)
{
	struct json_object *items = json_object_new_array();
	size_t n = all != NULL ? json_object_array_length(all) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(all, i);
		const char *c = json_object_get_string(json_object_object_get(r, "category"));
		const char *k = json_object_get_string(json_object_object_get(r, "country"));

		if (category != NULL && strcmp(c, category) != 0)
			continue;
		if (country != NULL && strcmp(k, country) != 0 && strcmp(k, "INTL") != 0)
			continue;
		if (q != NULL && !contains(json_object_get_string(json_object_object_get(r, "title")), q) &&
		    !contains(json_object_get_string(json_object_object_get(r, "description")), q))
			continue;
		json_object_array_add(items, json_object_get(r));
	}
	return items;
}

/* A catalogue entry as a crisis answer lists it ({id, name, contact, href}): the contact is the
   entry's, or the link's host for a web-only entry ("findahelpline.com"). */
static struct json_object *
crisis_line(struct json_object *r)
{
	const char *contact = json_object_get_string(json_object_object_get(r, "contact"));
	const char *href = json_object_get_string(json_object_object_get(r, "href"));
	struct json_object *o = json_object_new_object();
	char host[301];

	if (contact == NULL) {
		snprintf(host, sizeof(host), "%s", has_prefix(href, "https://") ? href + 8 : href);
		host[strcspn(host, "/")] = '\0';
		contact = host;
	}
	astral_json_add_str(o, "id", json_object_get_string(json_object_object_get(r, "id")));
	astral_json_add_str(o, "name", json_object_get_string(json_object_object_get(r, "title")));
	astral_json_add_str(o, "contact", contact);
	astral_json_add_str(o, "href", href);
	return o;
}

/* Pass 0: the region's crisis lines; 1: its emergency numbers; 2: the international entries. */
static int
in_pass(struct json_object *r, const char *region, int pass)
{
	const char *country = json_object_get_string(json_object_object_get(r, "country"));
	int emergency = json_object_get_boolean(json_object_object_get(r, "emergency"));

	if (strcmp(json_object_get_string(json_object_object_get(r, "category")), "crisis") != 0 ||
	    json_object_get_string(json_object_object_get(r, "href")) == NULL)
		return 0;
	if (pass == 2)
		return strcmp(country, "INTL") == 0;
	return strcmp(country, region) == 0 && emergency == (pass == 1);
}

struct json_object *
astral_resources_crisis_lines(struct json_object *all, const char *region)
{
	struct json_object *lines = json_object_new_array();
	size_t n = all != NULL ? json_object_array_length(all) : 0;

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < n; i++) {
			struct json_object *r = json_object_array_get_idx(all, i);

			if (region != NULL && in_pass(r, region, pass))
				json_object_array_add(lines, crisis_line(r));
		}
	return lines;
}

astral_err
astral_resources_check_region(struct json_object *all, const char *region, char *err, size_t errlen)
{
	size_t n = all != NULL ? json_object_array_length(all) : 0;

	for (size_t i = 0; i < n; i++)
		if (region != NULL && strcmp(region, "INTL") != 0 && in_pass(json_object_array_get_idx(all, i), region, 0))
			return ASTRAL_OK;
	snprintf(err, errlen, "the resources catalogue has no crisis line for region \"%s\": add one (with its "
	         "official source) or choose a region it covers", region != NULL ? region : "");
	return ASTRAL_ERR_CONFIG;
}
