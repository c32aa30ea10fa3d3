/* libFuzzer target for the text of a backup set's manifest.json and manifest.mac
   (tools/ctl/backup_manifest_check.c), which restore reads from a directory someone without the
   keyring may have written. The input is read as a manifest: it is either refused with a message
   that names the file, or accepted with every field restore_cmd.c reads of the type it reads it
   as, and what backup would write of it is accepted again. The input is then read as a MAC file:
   an accepted one has the three members restore compares, typed. Nothing crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../tools/ctl/backup_set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WHERE "set/manifest.json"

/* The member key of obj when it has the type; abort() otherwise. */
static json_object *
fuzz_member(json_object *obj, const char *key, json_type type)
{
	json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		abort();
	return v;
}

static int
fuzz_is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The files restore verifies and copies: listed once each, database.dump among them. */
static void
fuzz_check_files(json_object *files)
{
	size_t n = json_object_array_length(files);
	int dumps = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(files, i);
		const char *path = json_object_get_string(fuzz_member(f, "path", json_type_string));

		if (!backup_set_path_valid(path) ||
		    !fuzz_is_hex(json_object_get_string(fuzz_member(f, "sha256", json_type_string)), 64) ||
		    json_object_get_int64(fuzz_member(f, "size", json_type_int)) < 0)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(json_object_get_string(json_object_object_get(json_object_array_get_idx(files, j), "path")),
			           path) == 0)
				abort();
		dumps += strcmp(path, BACKUP_DUMP) == 0;
	}
	if (dumps != 1)
		abort();
}

/* What restore_cmd.c reads of an accepted manifest, as it reads it. */
static void
fuzz_check_manifest(json_object *m)
{
	json_object *migrations = fuzz_member(m, "schema_migrations", json_type_array);
	json_object *versions = fuzz_member(m, "key_versions", json_type_array);
	json_object *schema_version = NULL;
	size_t n;

	if (strcmp(json_object_get_string(fuzz_member(m, "format", json_type_string)), BACKUP_FORMAT) != 0 ||
	    json_object_get_int64(fuzz_member(m, "format_version", json_type_int)) != BACKUP_FORMAT_VERSION)
		abort();
	/* Printed with %s when the restore begins. */
	fuzz_member(m, "created_at", json_type_string);
	fuzz_member(m, "tool_version", json_type_string);
	fuzz_check_files(fuzz_member(m, "files", json_type_array));
	json_object_object_foreach(fuzz_member(m, "tables", json_type_object), name, count) {
		(void)name;
		if (!json_object_is_type(count, json_type_int) || json_object_get_int64(count) < 0)
			abort();
	}
	fuzz_member(m, "audit_chains", json_type_array);
	/* The version of the last migration, null when there is none. */
	n = json_object_array_length(migrations);
	if (!json_object_object_get_ex(m, "schema_version", &schema_version))
		abort();
	if (n == 0 ? schema_version != NULL
	           : json_object_get_int64(fuzz_member(m, "schema_version", json_type_int)) !=
	                 json_object_get_int64(fuzz_member(json_object_array_get_idx(migrations, n - 1), "version",
	                                                   json_type_int)))
		abort();
	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i), *id = NULL;
		int64_t version = json_object_get_int64(fuzz_member(v, "version", json_type_int));

		if (version < 1 || version > (int64_t)UINT32_MAX ||
		    json_object_get_int64(fuzz_member(v, "user_keys", json_type_int)) < 0 ||
		    json_object_get_int64(fuzz_member(v, "help_session_keys", json_type_int)) < 0 ||
		    !json_object_object_get_ex(v, "key_id", &id) || !(id == NULL || json_object_is_type(id, json_type_string)))
			abort();
	}
}

static void
fuzz_manifest(const char *text, size_t len)
{
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
	json_object *m = (json_object *)1, *again = (json_object *)1;
	const char *written;
	char why[512];

	if (backup_manifest_parse(text, len, FUZZ_WHERE, &m, why, sizeof(why)) != 0) {
		if (m != NULL || memchr(why, '\0', sizeof(why)) == NULL ||
		    strncmp(why, FUZZ_WHERE ": ", strlen(FUZZ_WHERE ": ")) != 0 || why[strlen(FUZZ_WHERE ": ")] == '\0')
			abort();  /* every refusal names the file and says why */
		return;
	}
	fuzz_check_manifest(m);
	/* As backup_manifest_write writes it. */
	written = json_object_to_json_string_ext(m, flags);
	if (written == NULL || backup_manifest_parse(written, strlen(written), FUZZ_WHERE, &again, why, sizeof(why)) != 0)
		abort();
	json_object_put(again);
	json_object_put(m);
}

static void
fuzz_mac(const char *text)
{
	json_object *m = backup_manifest_mac_parse(text);

	if (m == NULL)
		return;
	fuzz_member(m, "key_version", json_type_int);
	fuzz_member(m, "key_id", json_type_string);
	if (!fuzz_is_hex(json_object_get_string(fuzz_member(m, "hmac_sha256", json_type_string)), 64))
		abort();
	json_object_put(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_manifest((const char *)data, size);
	fuzz_mac(text);
	free(text);
	return 0;
}
