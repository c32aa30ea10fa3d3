/*
 * astralctl keys init / keys rotate: the JWT signing key file and the keyring of master keys.
 *
 * Rotation adds a master key, makes it current, then re-wraps every per-user data key with it in
 * small transactions. Running programs keep working throughout: a data key wrapped with a
 * version they do not know yet makes their keyring reload the file once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "../../lib/crypt.h"
#include "../../lib/encoding.h"
#include "../../lib/random.h"
#include "astralctl.h"

#define KEYS_JWT_BYTES 64
#define KEYS_REWRAP_BATCH 500
#define KEYS_CONFIG_MAX (1024 * 1024)

enum keys_stmt {
	KEYS_USER_STALE_BATCH,
	KEYS_USER_REWRAP,
	KEYS_USER_COUNT_STALE,
	KEYS_SESSION_STALE_BATCH,
	KEYS_SESSION_REWRAP,
	KEYS_SESSION_COUNT_STALE,
	KEYS_STMT_COUNT
};

static const struct astral_stmt keys_stmts[] = {
	[KEYS_USER_STALE_BATCH] = {
		"astralctl_keys_user_stale_batch",
		"SELECT k.user_id, k.master_version, k.wrapped_key FROM user_keys k"
		" WHERE k.master_version < $1::integer AND k.user_id > $2::uuid"
		" ORDER BY k.user_id LIMIT $3::integer FOR UPDATE",
		3,
	},
	[KEYS_USER_REWRAP] = {
		"astralctl_keys_user_rewrap",
		"UPDATE user_keys SET master_version = $2::integer, wrapped_key = $3::bytea, rewrapped_at = now()"
		" WHERE user_id = $1::uuid AND master_version = $4::integer",
		4,
	},
	[KEYS_USER_COUNT_STALE] = {
		"astralctl_keys_user_count_stale",
		"SELECT count(*) FROM user_keys WHERE master_version < $1::integer",
		1,
	},
	[KEYS_SESSION_STALE_BATCH] = {
		"astralctl_keys_session_stale_batch",
		"SELECT k.session_id, k.master_version, k.wrapped_key FROM help_session_keys k"
		" WHERE k.master_version < $1::integer AND k.session_id > $2::uuid"
		" ORDER BY k.session_id LIMIT $3::integer FOR UPDATE",
		3,
	},
	[KEYS_SESSION_REWRAP] = {
		"astralctl_keys_session_rewrap",
		"UPDATE help_session_keys SET master_version = $2::integer, wrapped_key = $3::bytea,"
		" rewrapped_at = now() WHERE session_id = $1::uuid AND master_version = $4::integer",
		4,
	},
	[KEYS_SESSION_COUNT_STALE] = {
		"astralctl_keys_session_count_stale",
		"SELECT count(*) FROM help_session_keys WHERE master_version < $1::integer",
		1,
	},
};

/* The tables of wrapped data keys: each user's key, and each help session's conversation key. */
struct keys_wrapped_table {
	const char *table;        /* also the AAD's table part */
	const char *owner;        /* "user", "help session": for messages */
	enum keys_stmt stale_batch, rewrap, count_stale;
};

static const struct keys_wrapped_table keys_tables[] = {
	{ ASTRAL_USER_KEYS, "user", KEYS_USER_STALE_BATCH, KEYS_USER_REWRAP, KEYS_USER_COUNT_STALE },
	{ ASTRAL_HELP_SESSION_KEYS, "help session", KEYS_SESSION_STALE_BATCH, KEYS_SESSION_REWRAP,
	  KEYS_SESSION_COUNT_STALE },
};
#define KEYS_NTABLES (sizeof(keys_tables) / sizeof(keys_tables[0]))

#define KEYS_UUID_ZERO "00000000-0000-0000-0000-000000000000"

/* Reads the configuration file without its secret files, which may not exist yet. */
static int
keys_parse_config(struct astralctl *ctl, struct astral_config *cfg)
{
	char err[512];
	char *text = NULL;
	FILE *f = NULL;
	size_t len;
	int rc = ASTRALCTL_CONFIG;

	f = fopen(ctl->config_path, "r");
	if (f == NULL) {
		astralctl_error("cannot read %s: %s", ctl->config_path, strerror(errno));
		goto out;
	}
	text = malloc(KEYS_CONFIG_MAX + 1);
	if (text == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	len = fread(text, 1, KEYS_CONFIG_MAX + 1, f);
	if (ferror(f) || len > KEYS_CONFIG_MAX) {
		astralctl_error("cannot read %s: %s", ctl->config_path, ferror(f) ? "read error" : "file too large");
		goto out;
	}
	err[0] = '\0';
	if (astral_config_parse(text, len, cfg, err, sizeof(err)) != ASTRAL_OK) {
		astralctl_error("%s: %s", ctl->config_path, err);
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	free(text);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Gives path to the user named owner (when not NULL). 0 on success. */
static int
keys_chown(const char *path, const struct passwd *owner)
{
	if (owner == NULL)
		return 0;
	if (chown(path, owner->pw_uid, owner->pw_gid) != 0) {
		astralctl_error("cannot give %s to %s: %s", path, owner->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Creates the JWT key file: 64 random bytes as base64url text, mode 0600, never over a file.
   1 when created, 0 when it exists, -1 on error (after a message). */
static int
keys_create_jwt_file(const char *path, const struct passwd *owner)
{
	unsigned char raw[KEYS_JWT_BYTES];
	char *text = NULL;
	size_t len, off = 0;
	int fd = -1, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		astralctl_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (astral_random_bytes(raw, sizeof(raw)) != ASTRAL_OK) {
		astralctl_error("the random generator failed");
		goto out;
	}
	text = astral_b64url_encode(raw, sizeof(raw));
	if (text == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	len = strlen(text);
	text[len++] = '\n';                   /* replaces the NUL; the loader strips one newline */
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			astralctl_error("cannot write %s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		astralctl_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if (owner != NULL && fchown(fd, owner->pw_uid, owner->pw_gid) != 0) {
		astralctl_error("cannot give %s to %s: %s", path, owner->pw_name, strerror(errno));
		goto out;
	}
	rc = 1;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	if (fd >= 0 && close(fd) != 0 && rc == 1) {
		astralctl_error("cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		(void)unlink(path);        /* a half-written key must not be taken for a good one */
	return rc;
}

/* An existing key file that keys init leaves unchanged: 0 when the programs can use its mode, -1
   (after saying what is wrong and how to fix it) when group or others have access, which the
   programs refuse. `what` names the file ("JWT key file", "keyring"). */
static int
keys_check_existing(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		astralctl_error("%s %s exists but cannot be examined: %s", what, path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		astralctl_error("%s %s exists but its mode %03o gives access to group or others, so the "
		                "programs refuse it: run chmod 600 %s (keys init never changes an existing key "
		                "file)", what, path, (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	return 0;
}

/* Removes the temporary copies of the keyring (key material) that a keys rotate killed while writing
   left beside it; says what it did. A failure is a warning: the command goes on. */
static void
keys_remove_stale_temps(const char *keyring)
{
	unsigned removed = 0;

	if (astral_keyring_remove_stale_temps(keyring, &removed) != ASTRAL_OK)
		fprintf(stderr, "astralctl: warning: cannot remove every temporary copy (%s.astral-tmp.*) that an "
		        "interrupted keys rotate left beside the keyring: %s. They hold key material: remove them\n",
		        keyring, strerror(errno));
	if (removed > 0)
		printf("removed %u temporary cop%s of the keyring (%s.astral-tmp.*) that an interrupted keys rotate "
		       "left behind\n", removed, removed == 1 ? "y" : "ies", keyring);
}

static const struct option keys_init_options[] = {
	{ "owner", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_keys_init(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("keys", "init");
	struct astral_config cfg;
	const struct passwd *owner = NULL;
	const char *jwt_path;
	astral_err err;
	int rc, opt, made, too_open = 0;

	memset(&cfg, 0, sizeof(cfg));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", keys_init_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			owner = getpwnam(optarg);
			if (owner == NULL) {
				astralctl_error("--owner: no user named \"%s\"", optarg);
				return ASTRALCTL_USAGE;
			}
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);

	rc = keys_parse_config(ctl, &cfg);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = ASTRALCTL_KEYS;
	jwt_path = astral_config_secret_path(&cfg, "auth.jwt_key_file");
	if (jwt_path == NULL || cfg.keyring_file == NULL) {
		astralctl_error("%s must set auth.jwt_key_file and crypto.keyring_file", ctl->config_path);
		rc = ASTRALCTL_CONFIG;
		goto out;
	}

	made = keys_create_jwt_file(jwt_path, owner);
	if (made < 0)
		goto out;
	if (made)
		printf("created JWT key file %s\n", jwt_path);
	else if (keys_check_existing("JWT key file", jwt_path) != 0)
		too_open = 1;
	else
		printf("JWT key file %s exists; left unchanged\n", jwt_path);

	err = astral_keyring_create(cfg.keyring_file);
	if (err == ASTRAL_ERR_CONFLICT) {
		if (keys_check_existing("keyring", cfg.keyring_file) != 0)
			too_open = 1;
		else
			printf("keyring %s exists; left unchanged\n", cfg.keyring_file);
	} else if (err != ASTRAL_OK) {
		astralctl_error("cannot create the keyring %s: %s%s", cfg.keyring_file, astral_strerror(err),
		                err == ASTRAL_ERR_IO ? " (does its directory exist and is it writable?)" : "");
		goto out;
	} else {
		if (keys_chown(cfg.keyring_file, owner) != 0)
			goto out;
		printf("created keyring %s with key version 1\n", cfg.keyring_file);
		printf("back up the keyring apart from the database: without it, encrypted data cannot be read\n");
	}
	keys_remove_stale_temps(cfg.keyring_file);
	if (owner == NULL && geteuid() == 0 && made)
		printf("note: the new files belong to root; the programs read them as the service user "
		       "(use --owner USER)\n");
	rc = too_open ? ASTRALCTL_KEYS : ASTRALCTL_OK;
out:
	astral_config_free(&cfg);
	return rc;
}

/* Counters of one re-wrap run. */
struct keys_rewrap_stats {
	long long rewrapped;
	long long failed;          /* in the last pass */
	char first_failed[64];    /* "user <id>" or "help session <id>" */
	char first_reason[96];
};

/* Says why a data key did not unwrap: its key version is gone, or the stored blob is damaged. */
static void
keys_explain_failure(struct astral_keyring *kr, const struct keys_wrapped_table *t, const char *owner_id,
                     const unsigned char *wrapped, size_t wlen, struct keys_rewrap_stats *st)
{
	uint32_t v = 0;

	snprintf(st->first_failed, sizeof(st->first_failed), "%s %s", t->owner, owner_id);
	if (wrapped == NULL || astral_sealed_version(wrapped, wlen, &v) != ASTRAL_OK)
		snprintf(st->first_reason, sizeof(st->first_reason), "the stored wrapped key is malformed");
	else if (astral_keyring_key(kr, v) == NULL)
		snprintf(st->first_reason, sizeof(st->first_reason), "key version %u is not in the keyring", v);
	else
		snprintf(st->first_reason, sizeof(st->first_reason),
		         "it does not decrypt with key version %u (damaged?)", v);
}

/* Re-wraps one batch of table t after *after (keyset on the owner id) inside its own transaction.
   *rows gets the number of rows read. Returns an exit code. */
static int
keys_rewrap_batch(struct astral_db *db, struct astral_keyring *kr, const struct keys_wrapped_table *t,
                  uint32_t version, char after[37], int *rows, struct keys_rewrap_stats *st)
{
	struct astral_params p;
	PGresult *res = NULL;
	unsigned char dek[ASTRAL_DEK_LEN];
	unsigned char *wrapped = NULL, *rewrapped = NULL;
	size_t wlen = 0, rlen = 0;
	long long done = 0;
	astral_err err;
	int rc = ASTRALCTL_DATABASE;

	*rows = 0;
	err = astral_db_begin(db, NULL, "system");
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "starting a transaction", err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_int(&p, (long long)version);
	astral_params_text(&p, after);
	astral_params_int(&p, KEYS_REWRAP_BATCH);
	err = astral_db_exec(db, &keys_stmts[t->stale_batch], &p, &res);
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "reading data keys", err);
		goto out;
	}
	*rows = PQntuples(res);
	for (int r = 0; r < *rows; r++) {
		const char *owner_id = astral_db_value(res, r, 0);
		const char *old_version = astral_db_value(res, r, 1);

		free(wrapped);
		wrapped = NULL;
		free(rewrapped);
		rewrapped = NULL;
		snprintf(after, 37, "%s", owner_id);
		err = astral_db_bytes(res, r, 2, &wrapped, &wlen);
		if (err == ASTRAL_OK)
			err = astral_key_unwrap(kr, t->table, owner_id, wrapped, wlen, dek);
		if (err != ASTRAL_OK) {
			if (st->failed++ == 0)
				keys_explain_failure(kr, t, owner_id, wrapped, wlen, st);
			continue;
		}
		err = astral_key_wrap(kr, t->table, owner_id, dek, &rewrapped, &rlen);
		OPENSSL_cleanse(dek, sizeof(dek));
		if (err != ASTRAL_OK) {
			astralctl_error("cannot wrap a data key with key version %u: %s", version, astral_strerror(err));
			rc = ASTRALCTL_KEYS;
			goto out;
		}
		astral_params_init(&p);
		astral_params_text(&p, owner_id);
		astral_params_int(&p, (long long)version);
		astral_params_bytes(&p, rewrapped, rlen);
		astral_params_text(&p, old_version);
		err = astral_db_exec(db, &keys_stmts[t->rewrap], &p, NULL);
		if (err != ASTRAL_OK) {
			rc = astralctl_db_failure(db, "storing a re-wrapped data key", err);
			goto out;
		}
		done++;
	}
	err = astral_db_commit(db);
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "committing re-wrapped data keys", err);
		goto out;
	}
	st->rewrapped += done;
	rc = ASTRALCTL_OK;
out:
	OPENSSL_cleanse(dek, sizeof(dek));
	free(wrapped);
	free(rewrapped);
	PQclear(res);
	astral_db_rollback(db);
	return rc;
}

/* Re-wraps every data key of every table older than version until a full pass finds none left. */
static int
keys_rewrap_all(struct astral_db *db, struct astral_keyring *kr, uint32_t version, struct keys_rewrap_stats *st)
{
	long long before;
	char after[37];
	int rows, rc;

	do {
		before = st->rewrapped;
		st->failed = 0;
		for (size_t t = 0; t < KEYS_NTABLES; t++) {
			snprintf(after, sizeof(after), "%s", KEYS_UUID_ZERO);
			do {
				rc = keys_rewrap_batch(db, kr, &keys_tables[t], version, after, &rows, st);
				if (rc != ASTRALCTL_OK)
					return rc;
			} while (rows == KEYS_REWRAP_BATCH);
		}
	} while (st->rewrapped > before);
	return ASTRALCTL_OK;
}

/* Number of data keys (all tables) still wrapped with a version older than version. Returns an
   exit code. */
static int
keys_count_stale(struct astral_db *db, uint32_t version, long long *stale)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	*stale = 0;
	err = astral_db_begin(db, NULL, "system");
	for (size_t t = 0; err == ASTRAL_OK && t < KEYS_NTABLES; t++) {
		astral_params_init(&p);
		astral_params_int(&p, (long long)version);
		err = astral_db_exec(db, &keys_stmts[keys_tables[t].count_stale], &p, &res);
		if (err == ASTRAL_OK)
			*stale += astral_db_int(res, 0, 0);
		PQclear(res);
		res = NULL;
	}
	if (err == ASTRAL_OK)
		err = astral_db_commit(db);
	if (err != ASTRAL_OK) {
		astral_db_rollback(db);
		return astralctl_db_failure(db, "counting data keys", err);
	}
	return ASTRALCTL_OK;
}

static const struct option keys_rotate_options[] = {
	{ "rewrap-only", no_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_keys_rotate(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("keys", "rotate");
	struct keys_rewrap_stats st;
	struct astral_keyring *kr = NULL;
	struct astral_db *db = NULL;
	uint32_t version = 0;
	long long stale = 0;
	int rc, opt, rewrap_only = 0;
	astral_err err;

	memset(&st, 0, sizeof(st));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", keys_rotate_options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rewrap_only = 1;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);

	rc = astralctl_load_config(ctl);
	if (rc != ASTRALCTL_OK)
		goto out;
	/* The keyring as the programs read it: a mode or content problem is named, with its fix,
	   before anything changes. */
	rc = astralctl_open_keyring(ctl, &kr);
	if (rc != ASTRALCTL_OK)
		goto out;
	keys_remove_stale_temps(ctl->cfg.keyring_file);
	/* Connect first: a key added while the database is unreachable would only be half a rotation. */
	rc = astralctl_open_owner(ctl, keys_stmts, KEYS_STMT_COUNT, &db);
	if (rc != ASTRALCTL_OK)
		goto out;
	if (!rewrap_only) {
		err = astral_keyring_add_version(ctl->cfg.keyring_file, &version);
		if (err != ASTRAL_OK) {
			astralctl_error("cannot add a key to the keyring %s: %s%s", ctl->cfg.keyring_file,
			                astral_strerror(err), err == ASTRAL_ERR_CONFIG
			                    ? " (it changed since it was read: run `astralctl config check`)" : "");
			rc = ASTRALCTL_KEYS;
			goto out;
		}
		printf("added key version %u to %s; it is now current\n", version, ctl->cfg.keyring_file);
		if (astral_keyring_reload(kr) != ASTRAL_OK) {
			astralctl_error("%s", astral_keyring_error(kr));
			rc = ASTRALCTL_KEYS;
			goto out;
		}
	}
	if (rewrap_only)
		version = astral_keyring_current(kr);
	else if (astral_keyring_current(kr) != version) {
		astralctl_error("the keyring's current version is %u, not the %u just added; was it changed "
		                "meanwhile?", astral_keyring_current(kr), version);
		rc = ASTRALCTL_KEYS;
		goto out;
	}

	rc = keys_rewrap_all(db, kr, version, &st);
	printf("re-wrapped %lld data key%s with key version %u\n", st.rewrapped, st.rewrapped == 1 ? "" : "s",
	       version);
	if (rc != ASTRALCTL_OK) {
		astralctl_error("rotation stopped; run `astralctl keys rotate --rewrap-only` to finish it");
		goto out;
	}
	if (st.failed > 0) {
		astralctl_error("%lld data key%s could not be re-wrapped (first: %s: %s); the others "
		                "were", st.failed, st.failed == 1 ? "" : "s", st.first_failed, st.first_reason);
		rc = ASTRALCTL_KEYS;
		goto out;
	}
	rc = keys_count_stale(db, version, &stale);
	if (rc != ASTRALCTL_OK)
		goto out;
	if (stale > 0)
		printf("%lld data key%s made during the rotation still use%s an older version: run "
		       "`astralctl keys rotate --rewrap-only` again once the programs have reloaded the keyring\n",
		       stale, stale == 1 ? "" : "s", stale == 1 ? "s" : "");
	else
		printf("every data key now uses key version %u\n", version);
	printf("programs switch to version %u when they next reload the keyring (they do on meeting a data "
	       "key wrapped with it)\n", version);
	rc = ASTRALCTL_OK;
out:
	astral_db_close(db);
	astral_keyring_free(kr);
	return rc;
}
