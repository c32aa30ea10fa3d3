/*
 * The text of a backup set's manifest.json and manifest.mac: what restore accepts of them. A set's
 * directory may be writable by someone without the keyring, so both are untrusted until the MAC
 * matches (and manifest.json stays so under --accept-unsigned). Pure functions, with no file, key
 * or database, so that tests/fuzz/fuzz-backup.c can give them any bytes; backup_manifest.c and
 * backup_manifest_mac.c read the files and print what these refuse.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/random.h"
#include "backup_set.h"

/* Where the first problem found is told: "<where>: <what>" into why. */
struct manifest_check {
	const char *where;
	char *why;
	size_t whylen;
};

/* Tells the problem; returns 0, for the checks to return. */
static int ASTRAL_PRINTF(2, 3)
manifest_refuse(struct manifest_check *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->whylen == 0)
		return 0;
	n = snprintf(c->why, c->whylen, "%s: ", c->where);
	if (n < 0 || (size_t)n >= c->whylen)
		return 0;
	va_start(ap, fmt);
	(void)vsnprintf(c->why + n, c->whylen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

int
backup_set_path_valid(const char *path)
{
	static const char prefix[] = BACKUP_VIDEOS "/";

	if (strcmp(path, BACKUP_DUMP) == 0)
		return 1;
	return strncmp(path, prefix, sizeof(prefix) - 1) == 0 && astral_uuid_valid(path + sizeof(prefix) - 1);
}

/* 1 when s is exactly n lowercase hex digits. */
static int
is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The member key of obj when it has the type wanted; else NULL, the problem told. */
static json_object *
manifest_member(struct manifest_check *c, json_object *obj, const char *key, json_type type, const char *type_name)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type)) {
		manifest_refuse(c, "\"%s\" is missing or is not %s", key, type_name);
		return NULL;
	}
	return v;
}

/* 1 when every member of obj named in keys is an integer >= 0. */
static int
manifest_counts_valid(struct manifest_check *c, json_object *obj, const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		json_object *v = manifest_member(c, obj, keys[i], json_type_int, "an integer");

		if (v == NULL)
			return 0;
		if (json_object_get_int64(v) < 0)
			return manifest_refuse(c, "\"%s\" is negative", keys[i]);
	}
	return 1;
}

/* Checks the "files" array: valid, distinct paths, sizes and hex SHA-256s, database.dump among them. */
static int
manifest_files_valid(struct manifest_check *c, json_object *files)
{
	static const char *const counts[] = { "size", NULL };
	size_t n = json_object_array_length(files);
	int has_dump = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(files, i), *path, *sum;
		const char *p;

		if (!json_object_is_type(f, json_type_object))
			return manifest_refuse(c, "\"files\" entry %zu is not an object", i);
		path = manifest_member(c, f, "path", json_type_string, "a string");
		sum = manifest_member(c, f, "sha256", json_type_string, "a string");
		if (path == NULL || sum == NULL || !manifest_counts_valid(c, f, counts))
			return 0;
		p = json_object_get_string(path);
		if (!backup_set_path_valid(p))
			return manifest_refuse(c, "\"files\" names \"%s\", which a backup set never holds", p);
		if (!is_hex(json_object_get_string(sum), 2 * ASTRAL_SHA256_LEN))
			return manifest_refuse(c, "the sha256 of %s is not 64 lower-case hex digits", p);
		for (size_t j = 0; j < i; j++) {
			json_object *other = NULL;

			if (json_object_object_get_ex(json_object_array_get_idx(files, j), "path", &other) &&
			    strcmp(json_object_get_string(other), p) == 0)
				return manifest_refuse(c, "\"files\" lists %s twice", p);
		}
		has_dump |= strcmp(p, BACKUP_DUMP) == 0;
	}
	if (!has_dump)
		return manifest_refuse(c, "\"files\" does not list %s", BACKUP_DUMP);
	return 1;
}

/* Checks schema_version: the version of the last of schema_migrations (null when there is none),
   which restore compares with the newest migration this astralctl ships. */
static int
manifest_schema_version_valid(struct manifest_check *c, json_object *m)
{
	json_object *migrations = json_object_object_get(m, "schema_migrations"), *v = NULL, *last;
	size_t n = json_object_array_length(migrations);
	int64_t want;

	if (!json_object_object_get_ex(m, "schema_version", &v) ||
	    !(v == NULL ? n == 0 : json_object_is_type(v, json_type_int)))
		return manifest_refuse(c, "\"schema_version\" is missing or is not an integer");
	if (n == 0 && v != NULL)
		return manifest_refuse(c, "\"schema_version\" is %lld but \"schema_migrations\" is empty",
		                       (long long)json_object_get_int64(v));
	if (n == 0)
		return 1;
	last = json_object_array_get_idx(migrations, n - 1);
	if (!json_object_is_type(last, json_type_object) ||
	    !json_object_is_type(json_object_object_get(last, "version"), json_type_int))
		return manifest_refuse(c, "the last entry of \"schema_migrations\" has no integer version");
	want = json_object_get_int64(json_object_object_get(last, "version"));
	if (json_object_get_int64(v) != want)
		return manifest_refuse(c, "\"schema_version\" is %lld but the last of \"schema_migrations\" is %lld",
		                       (long long)json_object_get_int64(v), (long long)want);
	return 1;
}

/* Checks what restore compares: tables, schema_migrations, audit_chains, key_versions. */
static int
manifest_facts_valid(struct manifest_check *c, json_object *m)
{
	static const char *const key_counts[] = { "version", "user_keys", "help_session_keys", NULL };
	json_object *tables, *versions;

	tables = manifest_member(c, m, "tables", json_type_object, "an object");
	versions = manifest_member(c, m, "key_versions", json_type_array, "an array");
	if (tables == NULL || versions == NULL ||
	    manifest_member(c, m, "schema_migrations", json_type_array, "an array") == NULL ||
	    manifest_member(c, m, "audit_chains", json_type_array, "an array") == NULL)
		return 0;
	if (!manifest_schema_version_valid(c, m))
		return 0;
	json_object_object_foreach(tables, name, count) {
		if (!json_object_is_type(count, json_type_int) || json_object_get_int64(count) < 0)
			return manifest_refuse(c, "the row count of table %s is not an integer >= 0", name);
	}
	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i), *id = NULL;
		int64_t version;

		if (!json_object_is_type(v, json_type_object))
			return manifest_refuse(c, "\"key_versions\" entry %zu is not an object", i);
		if (!manifest_counts_valid(c, v, key_counts))
			return 0;
		version = json_object_get_int64(json_object_object_get(v, "version"));
		if (version < 1 || version > (int64_t)UINT32_MAX)
			return manifest_refuse(c, "key version %lld is out of range", (long long)version);
		if (!json_object_object_get_ex(v, "key_id", &id) || !(id == NULL || json_object_is_type(id, json_type_string)))
			return manifest_refuse(c, "the key_id of a key version is missing or not a string");
	}
	return 1;
}

int
backup_manifest_parse(const char *text, size_t len, const char *where, json_object **out, char *why, size_t whylen)
{
	struct manifest_check c = { .where = where, .why = why, .whylen = whylen };
	struct json_tokener *tok = NULL;
	json_object *m = NULL, *format, *fversion, *files;
	int rc = -1;

	*out = NULL;
	if (whylen > 0)
		why[0] = '\0';
	if (len > INT_MAX) {
		manifest_refuse(&c, "larger than %d bytes", INT_MAX);
		return -1;
	}
	tok = json_tokener_new();
	m = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	if (m == NULL || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(m, json_type_object)) {
		manifest_refuse(&c, "not a JSON object (%s)",
		                tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory");
		goto out;
	}
	format = manifest_member(&c, m, "format", json_type_string, "a string");
	if (format == NULL)
		goto out;
	if (strcmp(json_object_get_string(format), BACKUP_FORMAT) != 0) {
		manifest_refuse(&c, "format is \"%s\", not \"%s\"", json_object_get_string(format), BACKUP_FORMAT);
		goto out;
	}
	fversion = manifest_member(&c, m, "format_version", json_type_int, "an integer");
	if (fversion == NULL)
		goto out;
	if (json_object_get_int64(fversion) != BACKUP_FORMAT_VERSION) {
		manifest_refuse(&c, "format_version %lld is not %d, the one this astralctl reads",
		                (long long)json_object_get_int64(fversion), BACKUP_FORMAT_VERSION);
		goto out;
	}
	/* restore prints both with %s before it checks anything else. */
	if (manifest_member(&c, m, "created_at", json_type_string, "a string") == NULL ||
	    manifest_member(&c, m, "tool_version", json_type_string, "a string") == NULL)
		goto out;
	files = manifest_member(&c, m, "files", json_type_array, "an array");
	if (files == NULL || !manifest_files_valid(&c, files) || !manifest_facts_valid(&c, m))
		goto out;
	*out = m;
	m = NULL;
	rc = 0;
out:
	json_object_put(m);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

json_object *
backup_manifest_mac_parse(const char *text)
{
	json_object *m = json_tokener_parse(text), *version, *key_id, *mac;

	if (m == NULL || !json_object_is_type(m, json_type_object) ||
	    !json_object_object_get_ex(m, "key_version", &version) || !json_object_is_type(version, json_type_int) ||
	    !json_object_object_get_ex(m, "key_id", &key_id) || !json_object_is_type(key_id, json_type_string) ||
	    !json_object_object_get_ex(m, "hmac_sha256", &mac) || !json_object_is_type(mac, json_type_string) ||
	    !is_hex(json_object_get_string(mac), 2 * ASTRAL_SHA256_LEN)) {
		json_object_put(m);
		return NULL;
	}
	return m;
}
