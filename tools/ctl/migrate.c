/*
 * astralctl migrate: applies migrations/NNNN_name.sql files in order, each in its own
 * transaction, under an advisory lock, and records each with the SHA-256 of its text in
 * schema_migrations. An applied file that has since changed is refused.
 *
 * This runs on a database that may not have any of the library's tables yet, so it talks to
 * libpq directly instead of through astral_db_open (which prepares the library's statements).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>

#include "../../lib/digest.h"
#include "../../lib/encoding.h"
#include "astralctl.h"

/* Key of the session advisory lock ("astrlmig"), held for the whole run. */
#define MIGRATE_LOCK_KEY "8319104568640580967"
#define MIGRATE_MAX_FILE (16L * 1024 * 1024)
#define MIGRATE_MAX_FILES 9999

enum migrate_stmt {
	MIGRATE_TRY_LOCK,
	MIGRATE_LOCK,
	MIGRATE_UNLOCK,
	MIGRATE_TABLE_EXISTS,
	MIGRATE_CREATE_TABLE,
	MIGRATE_APPLIED,
	MIGRATE_BEGIN,
	MIGRATE_RECORD,
	MIGRATE_COMMIT,
	MIGRATE_ROLLBACK,
};

static const struct astral_stmt migrate_stmts[] = {
	[MIGRATE_TRY_LOCK] = { "migrate_try_lock", "SELECT pg_try_advisory_lock($1::bigint)", 1 },
	[MIGRATE_LOCK] = { "migrate_lock", "SELECT pg_advisory_lock($1::bigint)", 1 },
	[MIGRATE_UNLOCK] = { "migrate_unlock", "SELECT pg_advisory_unlock($1::bigint)", 1 },
	[MIGRATE_TABLE_EXISTS] = {
		"migrate_table_exists",
		"SELECT to_regclass('public.schema_migrations') IS NOT NULL",
		0,
	},
	[MIGRATE_CREATE_TABLE] = {
		"migrate_create_table",
		"CREATE TABLE public.schema_migrations ("
		" version integer PRIMARY KEY,"
		" name text NOT NULL,"
		" checksum text NOT NULL,"
		" applied_at timestamptz NOT NULL DEFAULT now())",
		0,
	},
	[MIGRATE_APPLIED] = {
		"migrate_applied",
		"SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
		" FROM public.schema_migrations ORDER BY version",
		0,
	},
	[MIGRATE_BEGIN] = { "migrate_begin", "BEGIN", 0 },
	[MIGRATE_RECORD] = {
		"migrate_record",
		"INSERT INTO public.schema_migrations (version, name, checksum, applied_at)"
		" VALUES ($1::integer, $2, $3, now())",
		3,
	},
	[MIGRATE_COMMIT] = { "migrate_commit", "COMMIT", 0 },
	[MIGRATE_ROLLBACK] = { "migrate_rollback", "ROLLBACK", 0 },
};

struct migration {
	int version;
	char *name;            /* file name, "0002_identity.sql" */
	char *path;
	char *text;
	char checksum[2 * ASTRAL_SHA256_LEN + 1];
};

struct migration_set {
	struct migration *items;
	size_t count;
};

static void
migration_set_free(struct migration_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].name);
		free(set->items[i].path);
		free(set->items[i].text);
	}
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

/* Runs one entry of the statement table; NULL params for none. Returns the result (PQclear it). */
static PGresult *
migrate_run(PGconn *conn, enum migrate_stmt which, const char *const *params)
{
	const struct astral_stmt *s = &migrate_stmts[which];

	return PQexecParams(conn, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
}

/* Runs a statement and checks it succeeded; prints why not. 0 on success. */
static int
migrate_run_ok(PGconn *conn, enum migrate_stmt which, const char *const *params, PGresult **out)
{
	PGresult *res = migrate_run(conn, which, params);
	ExecStatusType st = PQresultStatus(res);

	if (out != NULL)
		*out = NULL;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		astralctl_error("%s failed: %s", migrate_stmts[which].name,
		                res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* 1 when name is NNNN_<something>.sql; the version goes to *version. */
static int
migration_name_valid(const char *name, int *version)
{
	size_t len = strlen(name);
	int v = 0;

	if (len < 10 || strcmp(name + len - 4, ".sql") != 0 || name[4] != '_')
		return 0;
	for (size_t i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		v = v * 10 + (name[i] - '0');
	}
	for (size_t i = 5; i < len - 4; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	*version = v;
	return v > 0;
}

static int
migration_compare(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	if (x->version != y->version)
		return (x->version > y->version) - (x->version < y->version);
	return strcmp(x->name, y->name);
}

/* Reads a whole migration file (no NUL bytes, at most MIGRATE_MAX_FILE) and its checksum. */
static int
migration_read(struct migration *m)
{
	unsigned char digest[ASTRAL_SHA256_LEN];
	char *hex = NULL;
	FILE *f = NULL;
	long size;
	size_t got;
	int rc = -1;

	f = fopen(m->path, "rb");
	if (f == NULL) {
		astralctl_error("cannot read %s: %s", m->path, strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		astralctl_error("cannot read %s: %s", m->path, strerror(errno));
		goto out;
	}
	if (size > MIGRATE_MAX_FILE) {
		astralctl_error("%s is larger than %ld bytes", m->path, MIGRATE_MAX_FILE);
		goto out;
	}
	m->text = malloc((size_t)size + 1);
	if (m->text == NULL) {
		astralctl_error("out of memory reading %s", m->path);
		goto out;
	}
	got = fread(m->text, 1, (size_t)size, f);
	if (got != (size_t)size || ferror(f)) {
		astralctl_error("cannot read %s: short read", m->path);
		goto out;
	}
	m->text[got] = '\0';
	if (memchr(m->text, '\0', got) != NULL) {
		astralctl_error("%s contains a NUL byte; migrations are SQL text", m->path);
		goto out;
	}
	astral_sha256(m->text, got, digest);
	hex = astral_hex_encode(digest, sizeof(digest));
	if (hex == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	memcpy(m->checksum, hex, sizeof(m->checksum));
	rc = 0;
out:
	free(hex);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Lists and reads every NNNN_*.sql file of dir, sorted by version. Returns an exit code. */
static int
migrations_scan(const char *dir, struct migration_set *set)
{
	DIR *d = NULL;
	struct dirent *e;
	int rc = ASTRALCTL_DATABASE;
	size_t cap = 0;

	d = opendir(dir);
	if (d == NULL) {
		astralctl_error("cannot open migrations directory %s: %s", dir, strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		struct migration *m;
		size_t len = strlen(e->d_name), plen;
		int version;

		if (len < 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		if (!migration_name_valid(e->d_name, &version)) {
			astralctl_error("%s/%s: a migration file must be named NNNN_name.sql "
			                "(four digits above 0000, then [a-z0-9_-])", dir, e->d_name);
			goto out;
		}
		if (set->count == MIGRATE_MAX_FILES) {
			astralctl_error("%s holds more than %d migrations", dir, MIGRATE_MAX_FILES);
			goto out;
		}
		if (set->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct migration *n = realloc(set->items, ncap * sizeof(*n));

			if (n == NULL) {
				astralctl_error("out of memory");
				goto out;
			}
			set->items = n;
			cap = ncap;
		}
		m = &set->items[set->count];
		memset(m, 0, sizeof(*m));
		set->count++;
		m->version = version;
		m->name = strdup(e->d_name);
		plen = strlen(dir) + 1 + len + 1;
		m->path = malloc(plen);
		if (m->name == NULL || m->path == NULL) {
			astralctl_error("out of memory");
			goto out;
		}
		snprintf(m->path, plen, "%s/%s", dir, e->d_name);
	}
	if (set->count > 0)
		qsort(set->items, set->count, sizeof(set->items[0]), migration_compare);
	for (size_t i = 0; i < set->count; i++) {
		if (i > 0 && set->items[i].version == set->items[i - 1].version) {
			astralctl_error("%s and %s have the same version number %04d; renumber one of them",
			                set->items[i - 1].name, set->items[i].name, set->items[i].version);
			goto out;
		}
		if (migration_read(&set->items[i]) != 0)
			goto out;
	}
	rc = ASTRALCTL_OK;
out:
	if (d != NULL)
		closedir(d);
	return rc;
}

static struct migration *
migration_find(struct migration_set *set, int version)
{
	for (size_t i = 0; i < set->count; i++) {
		if (set->items[i].version == version)
			return &set->items[i];
	}
	return NULL;
}

/* Line (1-based) of the character at 1-based character position pos in text. */
static long
migration_line_of(const char *text, long pos)
{
	long line = 1, chars = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if (++chars >= pos)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Applies one migration in its own transaction and records it. Returns an exit code. */
static int
migration_apply(PGconn *conn, const struct migration *m)
{
	PGresult *res = NULL;
	char version[16];
	const char *params[3];
	ExecStatusType st;
	int rc = ASTRALCTL_DATABASE;

	if (migrate_run_ok(conn, MIGRATE_BEGIN, NULL, NULL) != 0)
		goto out;
	res = PQexec(conn, m->text);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
		const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		char *end = NULL;
		long p = pos ? strtol(pos, &end, 10) : 0;

		if (pos != NULL && end != NULL && *end == '\0' && p > 0)
			astralctl_error("migration %s failed at line %ld: %s (SQLSTATE %s); nothing of it was applied",
			                m->name, migration_line_of(m->text, p), primary ? primary : "error",
			                state ? state : "?");
		else
			astralctl_error("migration %s failed: %s (SQLSTATE %s); nothing of it was applied", m->name,
			                primary ? primary : PQerrorMessage(conn), state ? state : "?");
		goto out;
	}
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		astralctl_error("migration %s ends or aborts the transaction itself; migration files must not "
		                "contain BEGIN, COMMIT or ROLLBACK. Check what it changed before running migrate again",
		                m->name);
		goto out;
	}
	snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->name;
	params[2] = m->checksum;
	if (migrate_run_ok(conn, MIGRATE_RECORD, params, NULL) != 0)
		goto out;
	if (migrate_run_ok(conn, MIGRATE_COMMIT, NULL, NULL) != 0)
		goto out;
	printf("applied %s\n", m->name);
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	if (rc != ASTRALCTL_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(migrate_run(conn, MIGRATE_ROLLBACK, NULL));
	return rc;
}

/* Prints server notices (RAISE NOTICE in a migration) as astralctl messages. */
/* Compares what the database recorded with the files. Returns an exit code; *max_applied set. */
static int
migrations_check_applied(PGconn *conn, struct migration_set *set, unsigned char *applied, int *max_applied)
{
	PGresult *res = NULL;
	int rc = ASTRALCTL_DATABASE;

	*max_applied = 0;
	if (migrate_run_ok(conn, MIGRATE_APPLIED, NULL, &res) != 0)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *vtext = PQgetvalue(res, r, 0);
		const char *name = PQgetvalue(res, r, 1);
		const char *sum = PQgetvalue(res, r, 2);
		const char *when = PQgetvalue(res, r, 3);
		char *end;
		long v = strtol(vtext, &end, 10);
		struct migration *m;

		if (*end != '\0' || v <= 0 || v > MIGRATE_MAX_FILES) {
			astralctl_error("schema_migrations holds an impossible version \"%s\"", vtext);
			goto out;
		}
		m = migration_find(set, (int)v);
		if (m == NULL) {
			astralctl_error("the database has migration %04ld (%s) applied, but the migrations directory "
			                "has no %04ld_*.sql: this astralctl is older than the database, or --dir "
			                "names the wrong directory", v, name, v);
			goto out;
		}
		if (strcmp(m->checksum, sum) != 0) {
			astralctl_error("migration %s has changed since it was applied on %s UTC "
			                "(recorded sha256 %s, file sha256 %s); an applied migration must never be "
			                "edited: restore the original file and put the change in a new migration",
			                m->name, when, sum, m->checksum);
			goto out;
		}
		applied[m - set->items] = 1;
		if (v > *max_applied)
			*max_applied = (int)v;
	}
	for (size_t i = 0; i < set->count; i++) {
		if (!applied[i] && set->items[i].version < *max_applied) {
			astralctl_error("migration %s was never applied but the database is already at version %d; "
			                "give it a number above %04d", set->items[i].name, *max_applied, *max_applied);
			goto out;
		}
	}
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	return rc;
}

static const struct option migrate_options[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_migrate(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command(NULL, "migrate");
#ifdef ASTRAL_MIGRATIONS_DIR
	const char *dir = ASTRAL_MIGRATIONS_DIR;
#else
	const char *dir = NULL;
#endif
	struct migration_set set = { NULL, 0 };
	const char *lock_params[1] = { MIGRATE_LOCK_KEY };
	unsigned char *applied = NULL;
	PGconn *conn = NULL;
	PGresult *res = NULL;
	int rc, opt, max_applied = 0, done = 0, locked = 0;
	struct stat st;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+d:h", migrate_options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	if (dir == NULL) {
		astralctl_error("this astralctl was built without a default migrations directory: give --dir DIR");
		return ASTRALCTL_USAGE;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		astralctl_error("migrations directory %s does not exist (give another with --dir)", dir);
		return ASTRALCTL_USAGE;
	}
	rc = astralctl_load_config(ctl);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = migrations_scan(dir, &set);
	if (rc != ASTRALCTL_OK)
		goto out;
	applied = calloc(set.count + 1, 1);
	if (applied == NULL) {
		astralctl_error("out of memory");
		rc = ASTRALCTL_DATABASE;
		goto out;
	}
	rc = astralctl_connect_owner(ctl, &conn);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = ASTRALCTL_DATABASE;

	if (migrate_run_ok(conn, MIGRATE_TRY_LOCK, lock_params, &res) != 0)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		fprintf(stderr, "astralctl: another migrate is running; waiting for it to finish\n");
		if (migrate_run_ok(conn, MIGRATE_LOCK, lock_params, NULL) != 0)
			goto out;
	}
	locked = 1;
	PQclear(res);
	res = NULL;

	if (migrate_run_ok(conn, MIGRATE_TABLE_EXISTS, NULL, &res) != 0)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0 &&
	    migrate_run_ok(conn, MIGRATE_CREATE_TABLE, NULL, NULL) != 0)
		goto out;
	PQclear(res);
	res = NULL;

	rc = migrations_check_applied(conn, &set, applied, &max_applied);
	if (rc != ASTRALCTL_OK)
		goto out;
	for (size_t i = 0; i < set.count; i++) {
		if (applied[i])
			continue;
		rc = migration_apply(conn, &set.items[i]);
		if (rc != ASTRALCTL_OK) {
			if (done > 0 || max_applied > 0)
				astralctl_error("the database stays at version %d", max_applied);
			goto out;
		}
		max_applied = set.items[i].version;
		done++;
	}
	if (done == 0)
		printf("no pending migrations\n");
	printf("database is at version %d\n", max_applied);
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	if (conn != NULL) {
		if (locked)
			PQclear(migrate_run(conn, MIGRATE_UNLOCK, lock_params));
		PQfinish(conn);
	}
	free(applied);
	migration_set_free(&set);
	return rc;
}
