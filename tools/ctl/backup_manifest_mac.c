/*
 * A backup set's manifest.mac: the HMAC-SHA-256 of manifest.json's bytes under a key derived from
 * the keyring's current master key, written by backup after the manifest and checked by restore
 * before anything else is read from the set.
 *
 * The manifest names every file of the set with its SHA-256, so the MAC makes the whole set
 * tamper-evident to whoever holds the keyring, which is kept apart from the sets: someone who can
 * write to where the sets are stored (and could otherwise make themselves an admin in the dump, or
 * swap a video) cannot make a set restore would take. The key is HMAC-SHA-256(master key,
 * BACKUP_MAC_KEY_LABEL): the master key itself never signs anything but its own derivations.
 *
 *   {"key_version": 3, "key_id": "<BACKUP_KEY_ID_HEX hex>", "hmac_sha256": "<64 hex>"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../../lib/keyring.h"
#include "backup_set.h"

#define MAC_FILE_MAX_BYTES 4096

/* The MAC of text under key `version` of kr, in hex; 0, or -1 when kr has no such version. */
static int
manifest_mac(struct astral_keyring *kr, uint32_t version, const char *text, size_t len,
             char hex[2 * ASTRAL_SHA256_LEN + 1])
{
	const unsigned char *master = astral_keyring_key(kr, version);
	unsigned char key[ASTRAL_SHA256_LEN], mac[ASTRAL_SHA256_LEN];
	int rc = -1;

	if (master != NULL &&
	    astral_hmac_sha256(master, ASTRAL_KEYRING_KEY_LEN, BACKUP_MAC_KEY_LABEL, strlen(BACKUP_MAC_KEY_LABEL), key) ==
	        ASTRAL_OK &&
	    astral_hmac_sha256(key, sizeof(key), text, len, mac) == ASTRAL_OK) {
		backup_hex(mac, sizeof(mac), hex);
		rc = 0;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
backup_manifest_mac_write(int dirfd, const char *dir_path, struct astral_keyring *kr, const char *text, size_t len)
{
	uint32_t version = astral_keyring_current(kr);
	char hex[2 * ASTRAL_SHA256_LEN + 1], id[BACKUP_KEY_ID_HEX + 1], line[256];
	int n;

	if (manifest_mac(kr, version, text, len, hex) != 0 || backup_key_id(kr, version, id) != 0) {
		astralctl_error("the keyring's current key version %u cannot sign %s", (unsigned)version,
		                BACKUP_MANIFEST);
		return -1;
	}
	n = snprintf(line, sizeof(line), "{ \"key_version\": %u, \"key_id\": \"%s\", \"hmac_sha256\": \"%s\" }\n",
	             (unsigned)version, id, hex);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return backup_write_new_file(dirfd, dir_path, BACKUP_MANIFEST_MAC, line, (size_t)n);
}

int
backup_manifest_mac_check(int dirfd, const char *dir_path, struct astral_keyring *kr, int accept_unsigned,
                          const char *text, size_t len)
{
	char where[4096 + sizeof(BACKUP_MANIFEST_MAC)], *buf = NULL;
	char want[2 * ASTRAL_SHA256_LEN + 1], id[BACKUP_KEY_ID_HEX + 1];
	json_object *m = NULL, *version, *key_id, *mac;
	size_t buflen;
	int64_t v;
	int rc = ASTRALCTL_USAGE, found;

	snprintf(where, sizeof(where), "%s/%s", dir_path, BACKUP_MANIFEST_MAC);
	found = backup_read_small_file(dirfd, BACKUP_MANIFEST_MAC, where, MAC_FILE_MAX_BYTES, &buf, &buflen);
	if (found < 0)
		return ASTRALCTL_USAGE;
	if (found == 1) {
		if (accept_unsigned) {
			fprintf(stderr, "astralctl: warning: %s has no %s; --accept-unsigned restores it unchecked\n",
			        dir_path, BACKUP_MANIFEST_MAC);
			return ASTRALCTL_OK;
		}
		astralctl_error("%s: no %s, so nothing shows that the set is as backup wrote it (a set made before "
		                "astralctl signed its manifests, or one whose signature was removed): nothing was "
		                "restored. Restore it only if you know it was not changed, with --accept-unsigned",
		                dir_path, BACKUP_MANIFEST_MAC);
		return ASTRALCTL_USAGE;
	}
	m = backup_manifest_mac_parse(buf);
	if (m == NULL) {
		astralctl_error("%s: not {\"key_version\": N, \"key_id\": \"…\", \"hmac_sha256\": \"<64 hex>\"}", where);
		goto out;
	}
	version = json_object_object_get(m, "key_version");
	key_id = json_object_object_get(m, "key_id");
	mac = json_object_object_get(m, "hmac_sha256");
	v = json_object_get_int64(version);
	if (v < 1 || v > (int64_t)UINT32_MAX || backup_key_id(kr, (uint32_t)v, id) != 0) {
		astralctl_error("the keyring has no key version %lld, which signed %s: nothing was restored. Put in "
		                "place the keyring of the set's period", (long long)v, where);
		rc = ASTRALCTL_KEYS;
		goto out;
	}
	if (strcmp(id, json_object_get_string(key_id)) != 0) {
		astralctl_error("key version %lld of the keyring is not the one that signed %s (key id %s, the set "
		                "names %s): nothing was restored. Put in place the keyring of the set's period",
		                (long long)v, where, id, json_object_get_string(key_id));
		rc = ASTRALCTL_KEYS;
		goto out;
	}
	if (manifest_mac(kr, (uint32_t)v, text, len, want) != 0) {
		astralctl_error("cannot compute the MAC of %s/%s", dir_path, BACKUP_MANIFEST);
		goto out;
	}
	if (CRYPTO_memcmp(want, json_object_get_string(mac), sizeof(want) - 1) != 0) {
		astralctl_error("%s/%s does not match its MAC in %s: the set was changed after astralctl backup wrote "
		                "it: nothing was restored", dir_path, BACKUP_MANIFEST, BACKUP_MANIFEST_MAC);
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	json_object_put(m);
	free(buf);
	return rc;
}
