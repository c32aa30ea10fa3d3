/*
 * astralctl restore --input DIR [--force] [--accept-unsigned]: brings a backup set (backup_set.h)
 * back into the configured database and media.video_dir, then checks the result against the set's
 * manifest.
 *
 * Nothing is changed before the set and the keyring have been checked: the manifest's MAC under the
 * keyring (a set without one only with --accept-unsigned), every file's SHA-256, and
 * every key version the data uses present in the keyring as the same key. The database must be
 * empty (--force first sets schema public aside, and drops it only once pg_restore has
 * succeeded); the roles the dump grants to are cluster-wide and not in it, so they are created
 * first, as migration 0001 does. pg_restore runs in one transaction: it restores everything or
 * nothing, and when it fails, --force puts the schema it set aside back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/audit.h"
#include "backup_set.h"
#include "tools/ctl/schema_version.h"     /* made by make in the build directory */

/* ".upload-" makes a copy a crash left behind one that `media sweep` and astral-videos remove. */
#define RESTORE_TMP_PREFIX ".upload-restore-"
/* Where --force keeps the previous schema public until pg_restore has succeeded. */
#define RESTORE_ASIDE "astral_restore_previous"

enum restore_stmt {
	RESTORE_OBJECTS,
	RESTORE_QUIET,
	RESTORE_DROP_SCHEMA,
	RESTORE_SET_ASIDE,
	RESTORE_PUT_BACK,
	RESTORE_DROP_ASIDE,
	RESTORE_CREATE_SCHEMA,
	RESTORE_GRANT_SCHEMA,
	RESTORE_ROLE_EXISTS,
	RESTORE_CREATE_OWNER,
	RESTORE_CREATE_APP,
};

static const struct astral_stmt restore_stmts[] = {
	[RESTORE_OBJECTS] = {
		"restore_objects",
		"SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
		" + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),"
		" (SELECT min(relname COLLATE \"C\") FROM pg_class WHERE relnamespace = 'public'::regnamespace"
		"  AND relkind IN ('r', 'p')),"
		" EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '" RESTORE_ASIDE "')",
		0,
	},
	/* DROP SCHEMA ... CASCADE lists every object it drops as a notice otherwise. */
	[RESTORE_QUIET] = { "restore_quiet", "SET LOCAL client_min_messages = warning", 0 },
	[RESTORE_DROP_SCHEMA] = { "restore_drop_schema", "DROP SCHEMA public CASCADE", 0 },
	[RESTORE_SET_ASIDE] = { "restore_set_aside", "ALTER SCHEMA public RENAME TO " RESTORE_ASIDE, 0 },
	[RESTORE_PUT_BACK] = { "restore_put_back", "ALTER SCHEMA " RESTORE_ASIDE " RENAME TO public", 0 },
	[RESTORE_DROP_ASIDE] = { "restore_drop_aside", "DROP SCHEMA " RESTORE_ASIDE " CASCADE", 0 },
	/* As initdb makes it in PostgreSQL 15; the dump then applies the source's privileges. */
	[RESTORE_CREATE_SCHEMA] = {
		"restore_create_schema", "CREATE SCHEMA public AUTHORIZATION pg_database_owner", 0,
	},
	[RESTORE_GRANT_SCHEMA] = { "restore_grant_schema", "GRANT USAGE ON SCHEMA public TO PUBLIC", 0 },
	[RESTORE_ROLE_EXISTS] = {
		"restore_role_exists",
		"SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'astral_owner'),"
		" EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'astral_app')",
		0,
	},
	/* The same roles as migrations/0001_roles_and_helpers.sql. */
	[RESTORE_CREATE_OWNER] = { "restore_create_owner", "CREATE ROLE astral_owner NOLOGIN", 0 },
	[RESTORE_CREATE_APP] = {
		"restore_create_app",
		"CREATE ROLE astral_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
		0,
	},
};

static const struct option restore_options[] = {
	{ "input", required_argument, NULL, 'i' },
	{ "force", no_argument, NULL, 'f' },
	{ "accept-unsigned", no_argument, NULL, 'u' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct restore_run {
	const char *in_path;
	int force;
	int accept_unsigned;          /* a set without manifest.mac is restored (with a warning) */
	int in_fd;
	json_object *manifest;
	struct astral_keyring *kr;
	const char *keyring_path;
	int created_app;              /* the role astral_app did not exist */
	long long set_aside;          /* objects --force moved to schema RESTORE_ASIDE */
	long long schema_version;     /* the set's (its last migration), 0 for none */
};

static int
restore_sql(PGconn *conn, enum restore_stmt which, PGresult **out)
{
	return backup_sql(conn, restore_stmts[which].sql, restore_stmts[which].name, out);
}

/* Step 0: the set's schema is one this astralctl knows: no newer than its newest migration (an
   older one is brought up to date by `astralctl migrate` afterwards). Exit code. */
static int
restore_check_schema_version(struct restore_run *run)
{
	json_object *v = json_object_object_get(run->manifest, "schema_version");
	long long version = v ? (long long)json_object_get_int64(v) : 0;

	run->schema_version = version;
	if (version <= ASTRALCTL_SCHEMA_VERSION)
		return ASTRALCTL_OK;
	astralctl_error("--input %s: the backup set is at schema version %lld (made by astralctl %s), newer than "
	                "this astralctl's schema version %d (its newest migration is %s): nothing was restored. "
	                "Restore it with an astralctl at least as new as the one that made it", run->in_path,
	                version, json_object_get_string(json_object_object_get(run->manifest, "tool_version")),
	                ASTRALCTL_SCHEMA_VERSION, ASTRALCTL_NEWEST_MIGRATION);
	return ASTRALCTL_USAGE;
}

/* Step 1: every file the manifest lists is there, with its size and SHA-256. Exit code. */
static int
restore_verify_files(struct restore_run *run, long long *bytes)
{
	json_object *files = json_object_object_get(run->manifest, "files");
	int bad = 0;

	*bytes = 0;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		const char *path = json_object_get_string(json_object_object_get(f, "path"));
		const char *want = json_object_get_string(json_object_object_get(f, "sha256"));
		long long want_size = json_object_get_int64(json_object_object_get(f, "size")), size;
		char hex[2 * ASTRAL_SHA256_LEN + 1];

		if (backup_file_sha256(run->in_fd, path, hex, &size) != 0) {
			astralctl_error("--input %s: %s is %s", run->in_path, path,
			                errno == ENOENT ? "missing from the set (manifest.json lists it)" : strerror(errno));
			bad++;
		} else if (size != want_size || strcmp(hex, want) != 0) {
			astralctl_error("--input %s: %s does not match its SHA-256 in manifest.json (it was changed or "
			                "damaged)", run->in_path, path);
			bad++;
		}
		*bytes += want_size;
	}
	if (bad > 0) {
		astralctl_error("the backup set has %d bad file%s: nothing was restored", bad, bad == 1 ? "" : "s");
		return ASTRALCTL_USAGE;
	}
	return ASTRALCTL_OK;
}

/* The manifest's entry for key version `version`, or NULL. */
static json_object *
restore_manifest_version(json_object *manifest, long long version)
{
	json_object *versions = json_object_object_get(manifest, "key_versions");

	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i);

		if (json_object_get_int64(json_object_object_get(v, "version")) == version)
			return v;
	}
	return NULL;
}

/* Every entry of versions (the manifest's, or those read from the restored data) is a key of the
   keyring, and the same key the backup named. Prints each problem; returns how many. */
static int
restore_check_keys(struct restore_run *run, json_object *versions, const char *whose)
{
	int bad = 0;

	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i), *named;
		long long version = json_object_get_int64(json_object_object_get(v, "version"));
		long long users = json_object_get_int64(json_object_object_get(v, "user_keys"));
		long long sessions = json_object_get_int64(json_object_object_get(v, "help_session_keys"));
		const char *want;
		char id[BACKUP_KEY_ID_HEX + 1];

		if (version < 1 || version > (long long)UINT32_MAX || backup_key_id(run->kr, (uint32_t)version, id) != 0) {
			astralctl_error("key version %lld is not in the keyring %s, yet %s %lld user keys and %lld help "
			                "session keys wrapped with it: that data would be unreadable. Put the keyring kept "
			                "apart with this backup in place first", version, run->keyring_path, whose, users,
			                sessions);
			bad++;
			continue;
		}
		named = restore_manifest_version(run->manifest, version);
		want = named ? json_object_get_string(json_object_object_get(named, "key_id")) : NULL;
		if (want != NULL && strcmp(want, id) != 0) {
			astralctl_error("key version %lld of the keyring is not the key the data was wrapped with (its key "
			                "id is %s, the backup's is %s): put the keyring kept apart with this backup in place "
			                "first", version, id, want);
			bad++;
		}
	}
	return bad;
}

/* Step 4: the database is empty, or --force sets schema public aside (as RESTORE_ASIDE) and puts
   a new empty one in its place. Exit code. */
static int
restore_prepare_database(struct restore_run *run, PGconn *conn)
{
	PGresult *res = NULL;
	long long objects;
	int rc = ASTRALCTL_DATABASE;

	if (restore_sql(conn, RESTORE_OBJECTS, &res) != 0)
		goto out;
	objects = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		astralctl_error("schema " RESTORE_ASIDE " exists: an earlier restore --force was interrupted, and it "
		                "holds the data from before that restore. Inspect it, then drop it (DROP SCHEMA "
		                RESTORE_ASIDE " CASCADE) or put it back in place of schema public");
		goto out;
	}
	if (objects > 0 && !run->force) {
		const char *table = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);

		astralctl_error("the database of database.owner_conninfo is not empty: schema public holds %lld "
		                "objects%s%s%s. Restore into an empty database, or give --force to drop everything in "
		                "schema public first", objects, table ? " (table " : "", table ? table : "",
		                table ? ", …)" : "");
		goto out;
	}
	if (objects > 0) {
		if (backup_sql(conn, "BEGIN", "starting a transaction", NULL) != 0 ||
		    restore_sql(conn, RESTORE_SET_ASIDE, NULL) != 0 || restore_sql(conn, RESTORE_CREATE_SCHEMA, NULL) != 0 ||
		    restore_sql(conn, RESTORE_GRANT_SCHEMA, NULL) != 0 ||
		    backup_sql(conn, "COMMIT", "setting schema public aside", NULL) != 0)
			goto out;
		run->set_aside = objects;
		printf("--force: set the %lld objects of schema public aside until pg_restore has succeeded\n", objects);
	}
	rc = ASTRALCTL_OK;
out:
	if (rc != ASTRALCTL_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		(void)backup_sql(conn, "ROLLBACK", "rolling back", NULL);
	PQclear(res);
	return rc;
}

/* After step 6, when --force set schema public aside: drops it when the restore succeeded (ok), or
   puts it back in place of the new schema public otherwise. Returns rc, or the failure's exit
   code. */
static int
restore_end_aside(struct astralctl *ctl, struct restore_run *run, int rc)
{
	PGconn *conn = NULL;
	int ok = rc == ASTRALCTL_OK, step;

	step = astralctl_connect_owner(ctl, &conn);
	if (step == ASTRALCTL_OK &&
	    (backup_sql(conn, "BEGIN", "starting a transaction", NULL) != 0 || restore_sql(conn, RESTORE_QUIET, NULL) != 0 ||
	     (ok ? restore_sql(conn, RESTORE_DROP_ASIDE, NULL) != 0
	         : (restore_sql(conn, RESTORE_DROP_SCHEMA, NULL) != 0 || restore_sql(conn, RESTORE_PUT_BACK, NULL) != 0)) ||
	     backup_sql(conn, "COMMIT", ok ? "dropping the previous schema public" : "putting schema public back",
	                NULL) != 0))
		step = ASTRALCTL_DATABASE;
	if (conn != NULL)
		PQfinish(conn);
	if (step != ASTRALCTL_OK) {
		astralctl_error("the previous schema public is still in schema " RESTORE_ASIDE "; %s",
		                ok ? "drop it (DROP SCHEMA " RESTORE_ASIDE " CASCADE) once the restore is checked"
		                   : "nothing of it was lost: drop schema public, then rename " RESTORE_ASIDE " to public");
		return rc != ASTRALCTL_OK ? rc : step;
	}
	if (ok)
		printf("--force: dropped the %lld objects of the previous schema public\n", run->set_aside);
	else
		printf("--force: put the previous schema public back as it was\n");
	return rc;
}

/* Step 5: the cluster-wide roles the dump names. Exit code. */
static int
restore_roles(struct restore_run *run, PGconn *conn)
{
	PGresult *res = NULL;
	int rc = ASTRALCTL_DATABASE;

	if (restore_sql(conn, RESTORE_ROLE_EXISTS, &res) != 0)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		if (restore_sql(conn, RESTORE_CREATE_OWNER, NULL) != 0)
			goto out;
		printf("created role astral_owner (NOLOGIN), as migration 0001 does\n");
	}
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		if (restore_sql(conn, RESTORE_CREATE_APP, NULL) != 0) {
			astralctl_error("the owner role needs CREATEROLE to create astral_app (or create it first)");
			goto out;
		}
		run->created_app = 1;
		printf("created role astral_app, as migration 0001 does (it has no password yet)\n");
	}
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	return rc;
}

/* Step 6: pg_restore of database.dump, in one transaction. Exit code. */
static int
restore_database(struct astralctl *ctl, struct restore_run *run)
{
	const char *args[] = { "pg_restore", "--single-transaction", "--exit-on-error", "--no-password", NULL };
	size_t len = strlen(run->in_path) + sizeof("/" BACKUP_DUMP);
	char *dump = malloc(len);
	int rc = ASTRALCTL_DATABASE;

	if (dump == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	snprintf(dump, len, "%s/%s", run->in_path, BACKUP_DUMP);
	if (pg_tool_run(args, ctl->cfg.db_owner_conninfo, astralctl_owner_password(ctl), dump, -1) != 0) {
		astralctl_error("pg_restore changed nothing (it runs in one transaction)");
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	free(dump);
	return rc;
}

/* Step 7: the video files into media.video_dir (0640, given to the directory's owner when run as
   root), each copied under a temporary name, checked and renamed. *count gets how many are in
   place, *total how many the set holds. Exit code: this runs after pg_restore has committed, so a
   failure leaves the restore incomplete (ASTRALCTL_DATABASE), or the set is bad (ASTRALCTL_USAGE). */
static int
restore_videos(struct restore_run *run, int media_fd, const char *media_dir, size_t *count, size_t *total)
{
	json_object *files = json_object_object_get(run->manifest, "files");
	static const char prefix[] = BACKUP_VIDEOS "/";
	int rc = ASTRALCTL_DATABASE;

	*count = 0;
	*total = 0;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		const char *path = json_object_get_string(json_object_object_get(json_object_array_get_idx(files, i),
		                                                                  "path"));

		if (strncmp(path, prefix, sizeof(prefix) - 1) == 0)
			(*total)++;
	}
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		const char *path = json_object_get_string(json_object_object_get(f, "path"));
		const char *want = json_object_get_string(json_object_object_get(f, "sha256"));
		char tmp[sizeof(RESTORE_TMP_PREFIX) + 40], hex[2 * ASTRAL_SHA256_LEN + 1];
		const char *id;
		long long size;

		if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
			continue;
		id = path + sizeof(prefix) - 1;
		snprintf(tmp, sizeof(tmp), "%s%s", RESTORE_TMP_PREFIX, id);
		(void)unlinkat(media_fd, tmp, 0);
		if (backup_file_copy(run->in_fd, path, media_fd, tmp, 0640, geteuid() == 0, hex, &size) != 0) {
			astralctl_error("cannot copy %s/%s into media.video_dir %s: %s", run->in_path, path, media_dir,
			                strerror(errno));
			goto out;
		}
		if (strcmp(hex, want) != 0) {
			(void)unlinkat(media_fd, tmp, 0);
			astralctl_error("--input %s: %s changed while it was being restored", run->in_path, path);
			rc = ASTRALCTL_USAGE;
			goto out;
		}
		if (renameat(media_fd, tmp, media_fd, id) != 0) {
			astralctl_error("cannot rename %s/%s to %s: %s", media_dir, tmp, id, strerror(errno));
			(void)unlinkat(media_fd, tmp, 0);
			goto out;
		}
		(*count)++;
	}
	if (fsync(media_fd) != 0) {
		astralctl_error("cannot write media.video_dir %s: %s", media_dir, strerror(errno));
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	return rc;
}

/* Compares the restored tables' row counts with the manifest's; prints each difference. */
static int
restore_compare_tables(json_object *want, json_object *got)
{
	int bad = 0;

	json_object_object_foreach(want, name, count) {
		json_object *now = NULL;

		if (!json_object_object_get_ex(got, name, &now)) {
			astralctl_error("table %s of the backup is missing from the restored database", name);
			bad++;
		} else if (json_object_get_int64(now) != json_object_get_int64(count)) {
			astralctl_error("table %s has %lld rows after the restore, the backup had %lld", name,
			                (long long)json_object_get_int64(now), (long long)json_object_get_int64(count));
			bad++;
		}
	}
	json_object_object_foreach(got, extra, ignored) {
		(void)ignored;
		if (!json_object_object_get_ex(want, extra, NULL)) {
			astralctl_error("table %s is in the restored database but not in the backup", extra);
			bad++;
		}
	}
	return bad;
}

/* Step 8: the restored database against the manifest: row counts, schema_migrations, the audit
   chain heads and the chain itself (*audit_rows -1: not walked, the set's schema being older), the
   key versions of the data in the keyring. Exit code. */
static int
restore_check(struct astralctl *ctl, struct restore_run *run, long long *rows, long long *audit_rows)
{
	json_object *tables = NULL, *migrations = NULL, *chains = NULL, *versions = NULL;
	struct astral_db *db = NULL;
	long long bad_id = 0;
	PGconn *conn = NULL;
	char why[256];
	astral_err err;
	int rc, first = ASTRALCTL_OK;

	*rows = 0;
	*audit_rows = 0;
	rc = astralctl_connect_owner(ctl, &conn);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_tables(conn, &tables);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_migrations(conn, &migrations);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_chains(conn, &chains);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_key_versions(conn, &versions);
	if (rc != ASTRALCTL_OK)
		goto out;
	json_object_object_foreach(tables, name, count) {
		(void)name;
		*rows += json_object_get_int64(count);
	}
	if (restore_compare_tables(json_object_object_get(run->manifest, "tables"), tables) > 0)
		first = ASTRALCTL_DATABASE;
	if (!json_object_equal(json_object_object_get(run->manifest, "schema_migrations"), migrations)) {
		astralctl_error("schema_migrations after the restore differs from the backup's");
		first = first ? first : ASTRALCTL_DATABASE;
	}
	if (!json_object_equal(json_object_object_get(run->manifest, "audit_chains"), chains)) {
		astralctl_error("the audit chain heads (audit_chains) after the restore differ from the backup's");
		first = first ? first : ASTRALCTL_AUDIT;
	}

	/* The audit chain, walked as `astralctl audit verify` does. That opens the database as the
	   programs do, preparing the statements of this version's schema, which a set of an older
	   schema does not have until `astralctl migrate` has run: the walk is left to after it (the
	   chain heads are compared above either way). */
	if (run->schema_version < ASTRALCTL_SCHEMA_VERSION) {
		*audit_rows = -1;
		if (restore_check_keys(run, versions, "the restored data has") > 0)
			first = first ? first : ASTRALCTL_KEYS;
		rc = first;
		goto out;
	}
	rc = astralctl_open_owner(ctl, NULL, 0, &db);
	if (rc != ASTRALCTL_OK) {
		astralctl_error("the audit chain could not be checked: run `astralctl migrate`, then `astralctl audit "
		                "verify`");
		goto out;
	}
	why[0] = '\0';
	err = astral_audit_verify(db, audit_rows, &bad_id, why, sizeof(why));
	if (err == ASTRAL_ERR_CRYPTO) {
		astralctl_error("audit log broken at row %lld: %s", bad_id, why);
		first = first ? first : ASTRALCTL_AUDIT;
	} else if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "verifying the audit log", err);
		goto out;
	}

	if (restore_check_keys(run, versions, "the restored data has") > 0)
		first = first ? first : ASTRALCTL_KEYS;
	rc = first;
out:
	astral_db_close(db);
	if (conn != NULL)
		PQfinish(conn);
	json_object_put(tables);
	json_object_put(migrations);
	json_object_put(chains);
	json_object_put(versions);
	return rc;
}

/* Prints one timed step. */
static void
restore_step(const char *what, double since)
{
	printf("  %-34s %8.2f s\n", what, backup_now() - since);
}

int
astralctl_restore(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command(NULL, "restore");
	struct restore_run run = { .in_fd = -1 };
	long long bytes = 0, rows = 0, audit_rows = 0;
	double started = backup_now(), t;
	const char *media_dir;
	PGconn *conn = NULL;
	size_t videos = 0, set_videos = 0;
	int rc, opt, media_fd = -1, bad;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", restore_options, NULL)) != -1) {
		switch (opt) {
		case 'i':
			run.in_path = optarg;
			break;
		case 'f':
			run.force = 1;
			break;
		case 'u':
			run.accept_unsigned = 1;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	if (run.in_path == NULL || run.in_path[0] == '\0') {
		astralctl_error("--input DIR is required: the backup set made by astralctl backup");
		return astralctl_usage(cmd);
	}
	rc = astralctl_open_keyring(ctl, &run.kr);
	if (rc != ASTRALCTL_OK)
		goto out;
	run.keyring_path = ctl->cfg.keyring_file;
	media_dir = ctl->cfg.media_video_dir;
	run.in_fd = open(run.in_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run.in_fd < 0) {
		astralctl_error("--input %s: %s", run.in_path, strerror(errno));
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	rc = backup_manifest_read(run.in_fd, run.in_path, run.kr, run.accept_unsigned, &run.manifest);
	if (rc != ASTRALCTL_OK)
		goto out;
	printf("restoring the backup set %s, made %s by astralctl %s (schema version %lld; this astralctl's is "
	       "%d)\n", run.in_path, json_object_get_string(json_object_object_get(run.manifest, "created_at")),
	       json_object_get_string(json_object_object_get(run.manifest, "tool_version")),
	       (long long)json_object_get_int64(json_object_object_get(run.manifest, "schema_version")),
	       ASTRALCTL_SCHEMA_VERSION);

	/* Checks first: nothing changes unless the set is one this astralctl knows, it is whole and the
	   keys fit it. */
	rc = restore_check_schema_version(&run);
	if (rc != ASTRALCTL_OK)
		goto out;
	t = backup_now();
	rc = restore_verify_files(&run, &bytes);
	if (rc != ASTRALCTL_OK)
		goto out;
	restore_step("checked the files' SHA-256", t);
	t = backup_now();
	bad = restore_check_keys(&run, json_object_object_get(run.manifest, "key_versions"), "the backup has");
	if (bad > 0) {
		astralctl_error("the keyring %s does not fit this backup: nothing was restored", ctl->cfg.keyring_file);
		rc = ASTRALCTL_KEYS;
		goto out;
	}
	restore_step("checked the keyring's key versions", t);
	media_fd = open(media_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (media_fd < 0 || faccessat(media_fd, ".", W_OK, AT_EACCESS) != 0) {
		astralctl_error("media.video_dir %s cannot be written: %s", media_dir, strerror(errno));
		rc = ASTRALCTL_CONFIG;
		goto out;
	}

	t = backup_now();
	rc = astralctl_connect_owner(ctl, &conn);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = restore_prepare_database(&run, conn);
	if (rc == ASTRALCTL_OK)
		rc = restore_roles(&run, conn);
	PQfinish(conn);
	conn = NULL;
	if (rc == ASTRALCTL_OK) {
		restore_step("prepared the database and roles", t);
		t = backup_now();
		rc = restore_database(ctl, &run);
		if (rc == ASTRALCTL_OK)
			restore_step("pg_restore (one transaction)", t);
	}
	if (run.set_aside > 0)
		rc = restore_end_aside(ctl, &run, rc);
	if (rc != ASTRALCTL_OK)
		goto out;

	t = backup_now();
	rc = restore_videos(&run, media_fd, media_dir, &videos, &set_videos);
	if (rc != ASTRALCTL_OK) {
		astralctl_error("the restore is not complete: the database is restored (pg_restore committed%s), "
		                "but only %zu of the set's %zu video files were copied into media.video_dir %s. "
		                "Fix the cause above (free space, for example), then run `astralctl restore "
		                "--input %s --force` again: --force is needed because the database is no longer "
		                "empty", run.set_aside > 0 ? " and the previous schema public was dropped" : "",
		                videos, set_videos, media_dir, run.in_path);
		goto out;
	}
	restore_step("copied the video files", t);

	t = backup_now();
	rc = restore_check(ctl, &run, &rows, &audit_rows);
	if (rc != ASTRALCTL_OK) {
		astralctl_error("the restored data does not match the backup (see above)");
		goto out;
	}
	restore_step("checked counts, audit chain, keys", t);
	printf("restored %lld rows in %zu tables and %zu video files (%lld bytes of backup set) in %.2f s\n", rows,
	       (size_t)json_object_object_length(json_object_object_get(run.manifest, "tables")), videos, bytes,
	       backup_now() - started);
	if (audit_rows >= 0)
		printf("audit log intact: %lld rows; every key version the data uses is in the keyring\n", audit_rows);
	else
		printf("audit chain heads as in the backup; every key version the data uses is in the keyring; "
		       "walk the chain with `astralctl audit verify` once migrated\n");
	printf("next: %sput the JWT key kept apart in place (auth.jwt_key_file), %sthen start the programs\n",
	       run.created_app ? "give astral_app its password or peer mapping (roles are not in a backup), " : "",
	       run.schema_version < ASTRALCTL_SCHEMA_VERSION
	           ? "run `astralctl migrate` (the set's schema is older than this astralctl's), " : "");
	rc = ASTRALCTL_OK;
out:
	if (conn != NULL)
		PQfinish(conn);
	if (media_fd >= 0)
		close(media_fd);
	if (run.in_fd >= 0)
		close(run.in_fd);
	json_object_put(run.manifest);
	astral_keyring_free(run.kr);
	return rc;
}
