/*
 * astralctl backup / restore: what the two commands share.
 *
 * A backup set is a directory:
 *
 *   manifest.json      what the set holds and what the database held
 *   manifest.mac       the manifest's MAC under a key of the keyring (written last)
 *   database.dump      pg_dump -Fc of the database, taken in one snapshot
 *   videos/<id>        the wellness video files of media.video_dir named by a row of that snapshot
 *
 * It never holds the JWT key or the keyring: those are backed up apart.
 */
#ifndef ASTRALCTL_BACKUP_SET_H
#define ASTRALCTL_BACKUP_SET_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "../../lib/digest.h"
#include "astralctl.h"

#define BACKUP_MANIFEST "manifest.json"
#define BACKUP_MANIFEST_MAC "manifest.mac"
/* What the manifest's MAC key is derived with from a master key (backup_manifest_mac.c). */
#define BACKUP_MAC_KEY_LABEL "astral-core backup manifest mac v1"
#define BACKUP_DUMP "database.dump"
#define BACKUP_VIDEOS "videos"
#define BACKUP_FORMAT "astral-core-backup"
#define BACKUP_FORMAT_VERSION 1
/* Characters of a key identifier: the start of HMAC-SHA-256(key, label), in hex. */
#define BACKUP_KEY_ID_HEX 16

/* ---- the database, as the owner role, over libpq (backup_facts.c) ---- */

/* The connection is astralctl_connect_owner's (common.c). */

/* Runs one SQL text without parameters; 0 when it succeeded. `what` names it in the message. */
int backup_sql(PGconn *conn, const char *sql, const char *what, PGresult **out);

/* Facts read from the database, the same way at backup (inside the dump's snapshot) and after a
   restore, so the two can be compared. Each returns an exit code (ASTRALCTL_DATABASE on failure)
   and gives a new JSON value:
     tables            {"name": rows, ...} for every table of schema public
     schema_migrations [{"version", "name", "checksum"}, ...] by version
     audit_chains      [{"chain", "last_id", "last_hash"}, ...] by chain
     key_versions      [{"version", "user_keys", "help_session_keys"}, ...] by version: the
                       master key versions the wrapped data keys use */
int backup_facts_tables(PGconn *conn, json_object **out);
int backup_facts_migrations(PGconn *conn, json_object **out);
int backup_facts_chains(PGconn *conn, json_object **out);
int backup_facts_key_versions(PGconn *conn, json_object **out);

/* The ids of every wellness_videos row, as a JSON array of strings. */
int backup_facts_video_ids(PGconn *conn, json_object **out);

/* Checks that row-level security hides no row of any table from the connected role (pg_dump reads
   with row security on). Returns an exit code; names the first table otherwise. */
int backup_facts_check_visibility(PGconn *conn);

/* The non-secret identifier of key `version` of kr (BACKUP_KEY_ID_HEX hex characters and a NUL
   into id). 0 on success, -1 when kr has no such version. */
int backup_key_id(struct astral_keyring *kr, uint32_t version, char id[BACKUP_KEY_ID_HEX + 1]);

/* ---- files and time (backup_files.c) ---- */

/* A monotonic clock, in seconds, for the durations the commands print. */
double backup_now(void);

/* SHA-256 (hex, 64 characters and a NUL) and size of the regular file `name` under dirfd, read
   without following a symbolic link. 0 on success; -1 with errno set otherwise. */
int backup_file_sha256(int dirfd, const char *name, char hex[2 * ASTRAL_SHA256_LEN + 1], long long *size);

/* Copies the regular file src_name under src_dirfd to a new file dst_name under dst_dirfd (created
   with O_EXCL and `mode`, fsynced), computing the SHA-256 of what it copied. With chown_to_dir
   set, the new file gets the owner and group of dst_dirfd's directory. 0 on success; -1 with
   errno set (ENOENT: no source file); a failed copy leaves no destination file. */
int backup_file_copy(int src_dirfd, const char *src_name, int dst_dirfd, const char *dst_name, unsigned mode,
                     int chown_to_dir, char hex[2 * ASTRAL_SHA256_LEN + 1], long long *size);

/* n bytes as 2n lowercase hex digits and a NUL into hex. */
void backup_hex(const unsigned char *bytes, size_t n, char *hex);

/* Reads the regular file `name` under dirfd (not through a symbolic link), of 1 to max bytes, into
   a new NUL-terminated buffer (*text, to free; *len bytes). 0; 1 when there is no such file; -1
   after printing why (naming `where`) otherwise. */
int backup_read_small_file(int dirfd, const char *name, const char *where, size_t max, char **text, size_t *len);

/* Writes len bytes of text as the new file `name` under dirfd (mode 0600, O_EXCL, not through a
   symbolic link), fsyncs it and the directory. 0 on success; prints why and returns -1 otherwise
   (a file begun is left for the caller to remove). */
int backup_write_new_file(int dirfd, const char *dir_path, const char *name, const char *text, size_t len);

/* ---- the manifest (backup_manifest.c) and its MAC (backup_manifest_mac.c) ---- */

/* Writes manifest as BACKUP_MANIFEST under dirfd, then BACKUP_MANIFEST_MAC, its MAC under the
   keyring's current key version. 0 on success; prints why and returns -1 otherwise. */
int backup_manifest_write(int dirfd, const char *dir_path, json_object *manifest, struct astral_keyring *kr);

/* Checks BACKUP_MANIFEST_MAC against BACKUP_MANIFEST's bytes, `text`. Without the MAC file the set
   is refused unless accept_unsigned (then a warning is printed). Returns an exit code, printing
   why: ASTRALCTL_USAGE for a MAC that is missing, malformed or does not match; ASTRALCTL_KEYS when
   the keyring lacks the key version that signed, or has another key under that version. */
int backup_manifest_mac_check(int dirfd, const char *dir_path, struct astral_keyring *kr, int accept_unsigned,
                              const char *text, size_t len);
int backup_manifest_mac_write(int dirfd, const char *dir_path, struct astral_keyring *kr, const char *text,
                              size_t len);

/* Reads BACKUP_MANIFEST under dirfd, checks its MAC (backup_manifest_mac_check), then its text
   (backup_manifest_parse). Returns an exit code (ASTRALCTL_USAGE for a set that is not a valid
   one), printing why. */
int backup_manifest_read(int dirfd, const char *dir_path, struct astral_keyring *kr, int accept_unsigned,
                         json_object **out);

/* ---- the text of the manifest and its MAC, with no file or key (backup_manifest_check.c) ---- */

/* 1 when path names a file a backup set may hold: BACKUP_DUMP or "videos/<uuid>". */
int backup_set_path_valid(const char *path);

/* Parses BACKUP_MANIFEST's text (len bytes) and checks its format, and that every field restore
   uses has the right type (created_at and tool_version, which it prints, included); each file's path is one backup_set_path_valid accepts, and listed
   once; schema_version is the version of the last of schema_migrations (null when there is
   none). 0 with *out the manifest (to put); -1 with *out NULL and the first problem in why,
   "<where>: <what>". */
int backup_manifest_parse(const char *text, size_t len, const char *where, json_object **out, char *why,
                          size_t whylen);

/* Parses BACKUP_MANIFEST_MAC's text (NUL-terminated): the object, to put, when it is
   {"key_version": <integer>, "key_id": <string>, "hmac_sha256": <64 lowercase hex digits>};
   NULL otherwise. Whether the keyring has that key is backup_manifest_mac_check's to say. */
json_object *backup_manifest_mac_parse(const char *text);

/* ---- PostgreSQL's client programs (pg_tool.c) ---- */

/* Runs pg_dump or pg_restore (looked up on PATH) with args (NULL-terminated, args[0] being the
   program's name), then --dbname=<conninfo> and last_arg (when not NULL), never through a shell.
   last_arg is a file's path: a relative one is passed as "./<path>", so that a name starting
   with '-' is never read as an option.
   The password is taken out of the connection string (or is `password` when not NULL) and
   travels in PGPASSWORD, in the child's environment only: no password on a command line. stdin is
   /dev/null; stdout goes to stdout_fd (or stays astralctl's when -1); stderr stays astralctl's.
   0 when the program exited with status 0; otherwise prints what happened and returns -1. */
int pg_tool_run(const char *const *args, const char *conninfo, const char *password, const char *last_arg,
                int stdout_fd);

#endif
