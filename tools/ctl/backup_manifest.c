/* A backup set's manifest.json: written last by backup (before its MAC), read and checked first by
   restore (after its MAC; backup_manifest_check.c checks its text). */
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

int
backup_manifest_read(int dirfd, const char *dir_path, struct astral_keyring *kr, int accept_unsigned,
                     json_object **out)
{
	char where[4096 + sizeof(BACKUP_MANIFEST)], why[512 + sizeof(where)];
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
	if (backup_manifest_parse(text, got, where, out, why, sizeof(why)) != 0) {
		astralctl_error("%s", why);
		rc = ASTRALCTL_USAGE;
	}
out:
	free(text);
	return rc;
}
