/*
 * Master keys for envelope encryption, read from a text file (mode 0600):
 *
 *   # astral keyring
 *   key 1 <base64 of 32 bytes>
 *   key 2 <base64 of 32 bytes>
 *   current 2
 *
 * Blank lines and lines starting with '#' are ignored.  A struct astral_keyring
 * is not locked: use one per thread (FastCGI workers here are single-threaded).
 */
#ifndef ASTRAL_KEYRING_H
#define ASTRAL_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ASTRAL_KEYRING_KEY_LEN 32

struct astral_keyring;

/*
 * Loads the keyring at path.  On failure err (if not NULL) receives a message
 * naming the file and, for a format problem, the line.  A file with any
 * group or other permission bit is refused (the message says "chmod 600").
 * ASTRAL_ERR_IO when the file cannot be read, ASTRAL_ERR_CONFIG for a bad mode
 * or content.
 */
astral_err astral_keyring_load(const char *path, struct astral_keyring **out,
    char *err, size_t errlen) ASTRAL_MUST_USE;

/*
 * Parses the text of a keyring file, len bytes, as astral_keyring_load does after
 * reading the file (a NUL byte among them is refused); messages name the file
 * `name`.  The keyring has no file behind it: astral_keyring_reload() fails, and
 * astral_keyring_key() knows only the versions of text.  For the fuzz target,
 * which gives it bytes without a file.
 */
astral_err astral_keyring_parse(const char *name, const char *text, size_t len,
    struct astral_keyring **out, char *err, size_t errlen) ASTRAL_MUST_USE;

/* Re-reads the same path.  On failure the keyring keeps its keys and
 * astral_keyring_error() tells why.  Pointers returned by astral_keyring_key()
 * stay valid until astral_keyring_free(); a key dropped from (or changed in)
 * the file reads as zeros after the reload. */
astral_err astral_keyring_reload(struct astral_keyring *kr) ASTRAL_MUST_USE;

/* The message of the last failed reload, or "" */
const char *astral_keyring_error(const struct astral_keyring *kr);

uint32_t astral_keyring_current(const struct astral_keyring *kr);

/* The 32-byte key of version; for an unknown version the file is reloaded
 * once, and NULL is returned if the version is still absent. */
const unsigned char *astral_keyring_key(struct astral_keyring *kr, uint32_t version);

/* Zeroes all key material and frees kr (NULL is fine). */
void astral_keyring_free(struct astral_keyring *kr);

/* Creates a new keyring file (O_EXCL, 0600) with one random key, version 1,
 * as current.  ASTRAL_ERR_CONFLICT if the file exists. */
astral_err astral_keyring_create(const char *path) ASTRAL_MUST_USE;

/* Adds a random key with version max+1 and makes it current.  Writes a temp
 * file "<file>.astral-tmp.XXXXXX" (0600, same owner) beside the file path
 * names (through symbolic links), fsyncs it and renames it over that file;
 * comments and existing keys are kept.  Concurrent callers on the same
 * directory are serialised with flock(). */
astral_err astral_keyring_add_version(const char *path, uint32_t *new_version) ASTRAL_MUST_USE;

/* Removes the temp files of astral_keyring_add_version that a killed run left
 * beside the file path names (through symbolic links): regular files named
 * "<file>.astral-tmp." and 6 letters or digits, nothing else.  Holds the lock
 * add_version holds, so a temp file being written is never touched.  *removed
 * (if not NULL) gets how many were removed.  ASTRAL_ERR_IO when the directory
 * cannot be read or a file cannot be removed (the others still are). */
astral_err astral_keyring_remove_stale_temps(const char *path, unsigned *removed) ASTRAL_MUST_USE;

#endif
