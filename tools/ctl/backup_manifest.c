/* A backup set's manifest.json: written last by backup (before its MAC), read and checked first by
   restore (after its MAC). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup_set.h"

#define MANIFEST_MAX_BYTES ((size_t)64 * 1024 * 1024)

int
backup_manifest_write(int dirfd, const char *dir_path, json_object *manifest, struct astral_keyring *kr)
{
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *json = json_object_to_json_string_ext(manifest, flags);
	char *text;
	size_t len;
	int rc = -1;

	if (json == NULL || (text = malloc(strlen(json) + 2)) == NULL) {
		astralctl_error("out of memory writing %s", BACKUP_MANIFEST);
		return -1;
	}
	len = strlen(json);
	memcpy(text, json, len);
	text[len++] = '\n';
	if (backup_write_new_file(dirfd, dir_path, BACKUP_MANIFEST, text, len) == 0 &&
	    backup_manifest_mac_write(dirfd, dir_path, kr, text, len) == 0)
		rc = 0;
	free(text);
	return rc;
}

/* The member key of obj when it has the type wanted; else NULL, the problem printed. */
static json_object *
manifest_member(json_object *obj, const char *where, const char *key, json_type type, const char *type_name)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type)) {
		astralctl_error("%s: \"%s\" is missing or is not %s", where, key, type_name);
		return NULL;
	}
	return v;
}

/* 1 when every member of obj named in keys is an integer >= 0. */
static int
manifest_counts_valid(json_object *obj, const char *where, const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		json_object *v = manifest_member(obj, where, keys[i], json_type_int, "an integer");

		if (v == NULL)
			return 0;
		if (json_object_get_int64(v) < 0) {
			astralctl_error("%s: \"%s\" is negative", where, keys[i]);
			return 0;
		}
	}
	return 1;
}

/* Checks the "files" array: valid, distinct paths, sizes and hex SHA-256s, database.dump among them. */
static int
manifest_files_valid(json_object *files, const char *where)
{
	static const char *const counts[] = { "size", NULL };
	size_t n = json_object_array_length(files);
	int has_dump = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(files, i), *path, *sum;
		const char *p, *hex;

		if (!json_object_is_type(f, json_type_object)) {
			astralctl_error("%s: \"files\" entry %zu is not an object", where, i);
			return 0;
		}
		path = manifest_member(f, where, "path", json_type_string, "a string");
		sum = manifest_member(f, where, "sha256", json_type_string, "a string");
		if (path == NULL || sum == NULL || !manifest_counts_valid(f, where, counts))
			return 0;
		p = json_object_get_string(path);
		hex = json_object_get_string(sum);
		if (!backup_set_path_valid(p)) {
			astralctl_error("%s: \"files\" names \"%s\", which a backup set never holds", where, p);
			return 0;
		}
		if (strlen(hex) != 2 * ASTRAL_SHA256_LEN || strspn(hex, "0123456789abcdef") != strlen(hex)) {
			astralctl_error("%s: the sha256 of %s is not 64 lower-case hex digits", where, p);
			return 0;
		}
		for (size_t j = 0; j < i; j++) {
			json_object *other = NULL;

			if (json_object_object_get_ex(json_object_array_get_idx(files, j), "path", &other) &&
			    strcmp(json_object_get_string(other), p) == 0) {
				astralctl_error("%s: \"files\" lists %s twice", where, p);
				return 0;
			}
		}
		has_dump |= strcmp(p, BACKUP_DUMP) == 0;
	}
	if (!has_dump)
		astralctl_error("%s: \"files\" does not list %s", where, BACKUP_DUMP);
	return has_dump;
}

/* Checks schema_version: the version of the last of schema_migrations (null when there is none),
   which restore compares with the newest migration this astralctl ships. */
static int
manifest_schema_version_valid(json_object *m, const char *where)
{
	json_object *migrations = json_object_object_get(m, "schema_migrations"), *v = NULL, *last;
	size_t n = json_object_array_length(migrations);
	int64_t want;

	if (!json_object_object_get_ex(m, "schema_version", &v) ||
	    !(v == NULL ? n == 0 : json_object_is_type(v, json_type_int))) {
		astralctl_error("%s: \"schema_version\" is missing or is not an integer", where);
		return 0;
	}
	if (n == 0)
		return 1;
	last = json_object_array_get_idx(migrations, n - 1);
	if (!json_object_is_type(last, json_type_object) ||
	    !json_object_is_type(json_object_object_get(last, "version"), json_type_int)) {
		astralctl_error("%s: the last entry of \"schema_migrations\" has no integer version", where);
		return 0;
	}
	want = json_object_get_int64(json_object_object_get(last, "version"));
	if (json_object_get_int64(v) != want) {
		astralctl_error("%s: \"schema_version\" is %lld but the last of \"schema_migrations\" is %lld", where,
		                (long long)json_object_get_int64(v), (long long)want);
		return 0;
	}
	return 1;
}

/* Checks what restore compares: tables, schema_migrations, audit_chains, key_versions. */
static int
manifest_facts_valid(json_object *m, const char *where)
{
	static const char *const key_counts[] = { "version", "user_keys", "help_session_keys", NULL };
	json_object *tables, *versions;

	tables = manifest_member(m, where, "tables", json_type_object, "an object");
	versions = manifest_member(m, where, "key_versions", json_type_array, "an array");
	if (tables == NULL || versions == NULL ||
	    manifest_member(m, where, "schema_migrations", json_type_array, "an array") == NULL ||
	    manifest_member(m, where, "audit_chains", json_type_array, "an array") == NULL)
		return 0;
	if (!manifest_schema_version_valid(m, where))
		return 0;
	json_object_object_foreach(tables, name, count) {
		if (!json_object_is_type(count, json_type_int) || json_object_get_int64(count) < 0) {
			astralctl_error("%s: the row count of table %s is not an integer >= 0", where, name);
			return 0;
		}
	}
	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i), *id = NULL;

		if (!json_object_is_type(v, json_type_object) || !manifest_counts_valid(v, where, key_counts))
			return 0;
		if (json_object_get_int64(json_object_object_get(v, "version")) < 1 ||
		    json_object_get_int64(json_object_object_get(v, "version")) > (int64_t)UINT32_MAX) {
			astralctl_error("%s: key version %lld is out of range", where,
			                (long long)json_object_get_int64(json_object_object_get(v, "version")));
			return 0;
		}
		if (!json_object_object_get_ex(v, "key_id", &id) ||
		    !(id == NULL || json_object_is_type(id, json_type_string))) {
			astralctl_error("%s: the key_id of a key version is missing or not a string", where);
			return 0;
		}
	}
	return 1;
}

int
backup_manifest_read(int dirfd, const char *dir_path, struct astral_keyring *kr, int accept_unsigned,
                     json_object **out)
{
	struct json_tokener *tok = NULL;
	json_object *m = NULL, *format, *fversion, *files;
	char where[4096 + sizeof(BACKUP_MANIFEST)];
	char *text = NULL;
	size_t got = 0;
	int found, rc = ASTRALCTL_USAGE;

	*out = NULL;
	snprintf(where, sizeof(where), "%s/%s", dir_path, BACKUP_MANIFEST);
	found = backup_read_small_file(dirfd, BACKUP_MANIFEST, where, MANIFEST_MAX_BYTES, &text, &got);
	if (found == 1)
		astralctl_error("--input %s: there is no %s (is it a backup set made by astralctl backup?)", dir_path,
		                BACKUP_MANIFEST);
	if (found != 0)
		goto out;
	rc = backup_manifest_mac_check(dirfd, dir_path, kr, accept_unsigned, text, got);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = ASTRALCTL_USAGE;
	tok = json_tokener_new();
	m = tok ? json_tokener_parse_ex(tok, text, (int)got) : NULL;
	if (m == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(m, json_type_object)) {
		astralctl_error("%s: not a JSON object (%s)", where,
		                tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory");
		goto out;
	}
	format = manifest_member(m, where, "format", json_type_string, "a string");
	if (format == NULL)
		goto out;
	if (strcmp(json_object_get_string(format), BACKUP_FORMAT) != 0) {
		astralctl_error("%s: format is \"%s\", not \"%s\"", where, json_object_get_string(format), BACKUP_FORMAT);
		goto out;
	}
	fversion = manifest_member(m, where, "format_version", json_type_int, "an integer");
	if (fversion == NULL)
		goto out;
	if (json_object_get_int64(fversion) != BACKUP_FORMAT_VERSION) {
		astralctl_error("%s: format_version %lld is not %d, the one this astralctl reads", where,
		                (long long)json_object_get_int64(fversion), BACKUP_FORMAT_VERSION);
		goto out;
	}
	files = manifest_member(m, where, "files", json_type_array, "an array");
	if (files == NULL || !manifest_files_valid(files, where) || !manifest_facts_valid(m, where))
		goto out;
	*out = m;
	m = NULL;
	rc = ASTRALCTL_OK;
out:
	json_object_put(m);
	if (tok != NULL)
		json_tokener_free(tok);
	free(text);
	return rc;
}
