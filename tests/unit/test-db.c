/*
 * lib/db.c, lib/account.c and lib/audit.c against a real PostgreSQL with the project's schema:
 * pipelined transactions, queued statements, reconnection, SQLSTATE mapping, row-level security
 * and the audit chain. Needs a database, so `make check` builds this program but does not run it;
 * tests/integration/test_db_library.py runs it against the integration stack with:
 *
 *   ASTRAL_TEST_APP_CONNINFO    libpq conninfo of the application role (astral_app)
 *   ASTRAL_TEST_OWNER_CONNINFO  libpq conninfo of the owner role (astral_owner)
 *
 * Without them the program fails (it never skips). It creates its own keyring in a temporary
 * directory. Rows it writes use random names, so it can run many times against one database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "account.h"
#include "address_budget.h"
#include "audit.h"
#include "crisis_alert.h"
#include "crypt.h"
#include "db.h"
#include "direct_request.h"
#include "error.h"
#include "health.h"
#include "help_session_key.h"
#include "keyring.h"
#include "log.h"
#include "random.h"
#include "role_change.h"
#include "write_budget.h"

extern const struct astral_stmt astral_audit_stmts[];
extern const size_t astral_audit_stmt_count;
extern const struct astral_stmt astral_account_stmts[];
extern const size_t astral_account_stmt_count;
extern const struct astral_stmt astral_session_stmts[];
extern const size_t astral_session_stmt_count;
extern const size_t astral_achievements_stmt_count;

/* ------------------------------------------------------------------ the test's own statements */

enum test_stmt {
	T_IDENTITY,
	T_BACKEND_PID,
	T_USER_VISIBLE,
	T_KEY_VISIBLE,
	T_USERNAME_COUNT,
	T_PREF_INSERT,
	T_PREF_COUNT,
	T_CONSENT_INSERT,
	T_CONSENT_VERSION,
	T_CONSENT_COUNT,
	T_TOTP_PENDING_SET,
	T_TOTP_PENDING_GET,
	T_AUDIT_COUNT,
	T_AUDIT_HEAD_ID,
	T_AUDIT_ROWS,
	T_INTEGER,
	T_SLEEP,
	T_TERMINATE,
	T_BACKEND_ALIVE,
	T_PREPARED_COUNT,
	T_STMT_COUNT
};

static const struct astral_stmt test_stmts[] = {
	[T_IDENTITY] = {
		"test_db_identity",
		"SELECT astral_current_user_id()::text, astral_current_role()",
		0,
	},
	[T_BACKEND_PID] = { "test_db_backend_pid", "SELECT pg_backend_pid()", 0 },
	[T_USER_VISIBLE] = {
		"test_db_user_visible",
		"SELECT count(*) FROM users WHERE id = $1::uuid",
		1,
	},
	[T_KEY_VISIBLE] = {
		"test_db_key_visible",
		"SELECT count(*) FROM user_keys WHERE user_id = $1::uuid",
		1,
	},
	[T_USERNAME_COUNT] = {
		"test_db_username_count",
		"SELECT count(*) FROM users WHERE username = $1",
		1,
	},
	[T_PREF_INSERT] = {
		"test_db_pref_insert",
		"INSERT INTO preferences (user_id, theme, updated_at) VALUES ($1::uuid, $2, now())",
		2,
	},
	[T_PREF_COUNT] = {
		"test_db_pref_count",
		"SELECT count(*) FROM preferences WHERE user_id = $1::uuid",
		1,
	},
	[T_CONSENT_INSERT] = {
		"test_db_consent_insert",
		"INSERT INTO consents (user_id, document, version, accepted_at)"
		" VALUES ($1::uuid, 'terms_of_service', $2, now())",
		2,
	},
	[T_CONSENT_VERSION] = {
		"test_db_consent_version",
		"SELECT version FROM consents WHERE user_id = $1::uuid AND document = 'terms_of_service'",
		1,
	},
	[T_CONSENT_COUNT] = {
		"test_db_consent_count",
		"SELECT count(*) FROM consents WHERE user_id = $1::uuid",
		1,
	},
	[T_TOTP_PENDING_SET] = {
		"test_db_totp_pending_set",
		"UPDATE users SET totp_pending = $2::bytea WHERE id = $1::uuid",
		2,
	},
	[T_TOTP_PENDING_GET] = {
		"test_db_totp_pending_get",
		"SELECT totp_pending, totp_pending IS NULL FROM users WHERE id = $1::uuid",
		1,
	},
	[T_AUDIT_COUNT] = {
		"test_db_audit_count",
		"SELECT count(*) FROM audit_log WHERE request_id = $1",
		1,
	},
	[T_AUDIT_HEAD_ID] = {
		"test_db_audit_head_id",
		"SELECT max(last_id) FROM audit_chains",
		0,
	},
	[T_AUDIT_ROWS] = { "test_db_audit_rows", "SELECT count(*) FROM audit_log", 0 },
	[T_INTEGER] = { "test_db_integer", "SELECT $1::integer", 1 },
	[T_SLEEP] = { "test_db_sleep", "SELECT pg_sleep($1::double precision)", 1 },
	[T_TERMINATE] = { "test_db_terminate", "SELECT pg_terminate_backend($1::integer)", 1 },
	[T_BACKEND_ALIVE] = {
		"test_db_backend_alive",
		"SELECT count(*) FROM pg_stat_activity WHERE pid = $1::integer",
		1,
	},
	[T_PREPARED_COUNT] = { "test_db_prepared_count", "SELECT count(*) FROM pg_prepared_statements", 0 },
};

static const struct astral_stmt *const test_tables[] = { test_stmts, NULL };
static const size_t test_counts[] = { T_STMT_COUNT };

static const struct astral_stmt bad_stmts[] = {
	{ "test_db_bad_good", "SELECT 1", 0 },
	{ "test_db_bad_syntax", "SELEC nothing FROM nowhere", 0 },
};
static const struct astral_stmt *const bad_tables[] = { bad_stmts, NULL };
static const size_t bad_counts[] = { 2 };

/* ------------------------------------------------------------------ shared state */

struct suite {
	const char *app_conninfo;
	const char *owner_conninfo;
	char dir[64];
	char keyring_path[128];
	struct astral_keyring *kr;
};

static struct suite suite;

/* Each test gets an application connection and an owner connection. */
struct fixture {
	struct astral_db *app;
	struct astral_db *owner;
};

#define assert_err(expr, want) assert_err_at((expr), (want), #expr, __FILE__, __LINE__)

static void
assert_err_at(astral_err got, astral_err want, const char *expr, const char *file, int line)
{
	if (got != want) {
		print_error("%s returned %s (%d), expected %s (%d)\n", expr, astral_strerror(got), (int)got,
		            astral_strerror(want), (int)want);
		_fail(file, line);
	}
}

static astral_err
open_db(const char *conninfo, struct astral_db **out)
{
	return astral_db_open(conninfo, NULL, 10000, test_tables, test_counts, out);
}

static int
fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (open_db(suite.app_conninfo, &f->app) != ASTRAL_OK ||
	    open_db(suite.owner_conninfo, &f->owner) != ASTRAL_OK) {
		print_error("cannot open the test databases (app: %s; owner: %s)\n", suite.app_conninfo,
		            suite.owner_conninfo);
		astral_db_close(f->app);
		astral_db_close(f->owner);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	if (f != NULL) {
		astral_db_rollback(f->app);
		astral_db_rollback(f->owner);
		astral_db_close(f->app);
		astral_db_close(f->owner);
		free(f);
	}
	return 0;
}

/* ------------------------------------------------------------------ helpers */

static void
random_hex(char *out, size_t nbytes)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char b[32];

	assert_true(nbytes <= sizeof(b));
	assert_err(astral_random_bytes(b, nbytes), ASTRAL_OK);
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

/* A username that no earlier run has used: "dbt_" and 24 hex digits. */
static void
random_username(char out[32])
{
	memcpy(out, "dbt_", 4);
	random_hex(out + 4, 12);
}

static void
new_account(struct astral_new_account *a, const char *username, const char *role)
{
	memset(a, 0, sizeof(*a));
	a->role = role;
	a->helper_tier = strcmp(role, "helper") == 0 ? "community" : NULL;
	a->username = username;
	a->display_name = "DB test";
	a->request_id = "test-db";
	a->actor_role = "anonymous";
}

/* Creates and commits an account; returns its id in id. */
static void
make_user(struct astral_db *db, const char *role, char id[37])
{
	struct astral_new_account a;
	char name[32];

	random_username(name);
	new_account(&a, name, role);
	assert_err(astral_db_begin(db, NULL, NULL), ASTRAL_OK);
	assert_err(astral_account_create(db, suite.kr, &a, (long long)time(NULL), id), ASTRAL_OK);
	assert_err(astral_db_commit(db), ASTRAL_OK);
	assert_true(astral_uuid_valid(id));
}

/* Runs stmt (with one text parameter when arg is given) and returns the single integer it
   selects; the transaction must be open. Failures name the caller's line. */
#define exec_int(db, which, arg) exec_int_at((db), (which), (arg), __FILE__, __LINE__)
#define owner_int(db, which, arg) owner_int_at((db), (which), (arg), __FILE__, __LINE__)

static long long
exec_int_at(struct astral_db *db, enum test_stmt which, const char *arg, const char *file, int line)
{
	struct astral_params p;
	PGresult *res = NULL;
	long long v;

	astral_params_init(&p);
	if (test_stmts[which].nparams == 1)
		astral_params_text(&p, arg);
	assert_err_at(astral_db_exec(db, &test_stmts[which], &p, &res), ASTRAL_OK, test_stmts[which].name, file,
	              line);
	if (res == NULL || PQntuples(res) != 1 || astral_db_value(res, 0, 0) == NULL) {
		print_error("%s: expected one non-NULL value\n", test_stmts[which].name);
		PQclear(res);
		_fail(file, line);
	}
	v = astral_db_int(res, 0, 0);
	PQclear(res);
	return v;
}

/* The same in a transaction of its own (as the owner, the role "system"). */
static long long
owner_int_at(struct astral_db *owner, enum test_stmt which, const char *arg, const char *file, int line)
{
	long long v;

	assert_err_at(astral_db_begin(owner, NULL, "system"), ASTRAL_OK, "astral_db_begin(owner)", file, line);
	v = exec_int_at(owner, which, arg, file, line);
	assert_err_at(astral_db_commit(owner), ASTRAL_OK, "astral_db_commit(owner)", file, line);
	return v;
}

/* The identity the database sees: user id (or "" for none) and role. */
#define current_identity(db, user, role) current_identity_at((db), (user), (role), __FILE__, __LINE__)

static void
current_identity_at(struct astral_db *db, char user[64], char role[32], const char *file, int line)
{
	PGresult *res = NULL;
	const char *u, *r;

	assert_err_at(astral_db_exec(db, &test_stmts[T_IDENTITY], NULL, &res), ASTRAL_OK, "identity", file, line);
	u = astral_db_value(res, 0, 0);
	r = astral_db_value(res, 0, 1);
	if (PQntuples(res) != 1 || r == NULL) {
		PQclear(res);
		_fail(file, line);
	}
	snprintf(user, 64, "%s", u ? u : "");
	snprintf(role, 32, "%s", r);
	PQclear(res);
}

static void
pref_params(struct astral_params *p, const char *user_id, const char *theme)
{
	astral_params_init(p);
	astral_params_text(p, user_id);
	astral_params_text(p, theme);
}

static void
audit_event(struct astral_audit_event *ev, const char *actor_id, const char *marker, const char *detail)
{
	memset(ev, 0, sizeof(*ev));
	ev->actor_id = actor_id;
	ev->actor_role = actor_id ? "seeker" : "system";
	ev->action = "db_library_test";
	ev->object_type = "test";
	ev->object_id = marker;
	ev->subject_id = actor_id;
	ev->outcome = "success";
	ev->request_id = marker;
	ev->detail = detail;
}

static void
pid_text(long long pid, char out[24])
{
	snprintf(out, 24, "%lld", pid);
}

/* Terminates the backend pid and waits until it has gone. */
static void
terminate_backend(struct astral_db *owner, long long pid)
{
	char pidtxt[24];

	pid_text(pid, pidtxt);
	assert_err(astral_db_begin(owner, NULL, "system"), ASTRAL_OK);
	{
		struct astral_params p;
		PGresult *res = NULL;

		astral_params_init(&p);
		astral_params_text(&p, pidtxt);
		assert_err(astral_db_exec(owner, &test_stmts[T_TERMINATE], &p, &res), ASTRAL_OK);
		assert_true(astral_db_bool(res, 0, 0));
		PQclear(res);
	}
	assert_err(astral_db_commit(owner), ASTRAL_OK);
	for (int i = 0; i < 200; i++) {
		if (owner_int(owner, T_BACKEND_ALIVE, pidtxt) == 0) {
			/* The backend leaves pg_stat_activity just before its socket closes. */
			usleep(200 * 1000);
			return;
		}
		usleep(50 * 1000);
	}
	fail_msg("backend %lld still alive 10 s after pg_terminate_backend", pid);
}

/* ------------------------------------------------------------------ open */

static void
test_db_bad_conninfo_is_down(void **state)
{
	struct astral_db *db = NULL;

	(void)state;
	/* No server behind this socket directory. */
	assert_err(astral_db_open("host=/nonexistent-astral-test port=1 dbname=astral user=astral_app "
	                          "connect_timeout=2", NULL, 1000, test_tables, test_counts, &db),
	           ASTRAL_ERR_DB_DOWN);
	/* A database that is down at start-up is retried on the first request. */
	if (db != NULL) {
		assert_false(astral_db_in_transaction(db));
		assert_err(astral_db_begin(db, NULL, NULL), ASTRAL_ERR_DB_DOWN);
		assert_false(astral_db_in_transaction(db));
		astral_db_close(db);
	}
}

static void
test_db_bad_conninfo_syntax_is_down(void **state)
{
	struct astral_db *db = NULL;

	(void)state;
	assert_err(astral_db_open("host=/nonexistent-astral-test nosuchkeyword=1 'unterminated", NULL, 1000,
	                          NULL, NULL, &db),
	           ASTRAL_ERR_DB_DOWN);
	astral_db_close(db);
}

static void
test_db_bad_statement_table(void **state)
{
	struct astral_db *db = (struct astral_db *)&db;   /* must be reset to NULL */

	(void)state;
	assert_err(astral_db_open(suite.app_conninfo, NULL, 1000, bad_tables, bad_counts, &db), ASTRAL_ERR_DB);
	assert_null(db);                                   /* and freed: the leak checker says so */
}

static void
test_db_bad_too_many_tables(void **state)
{
	const struct astral_stmt *tables[20];
	size_t counts[20];
	struct astral_db *db = (struct astral_db *)&db;

	(void)state;
	for (size_t i = 0; i < 19; i++) {
		tables[i] = test_stmts;
		counts[i] = 0;
	}
	tables[19] = NULL;
	assert_int_not_equal(astral_db_open(suite.app_conninfo, NULL, 1000, tables, counts, &db), ASTRAL_OK);
	assert_null(db);
}

static void
test_db_every_statement_prepared(void **state)
{
	struct fixture *f = *state;
	size_t want = 1 + astral_audit_stmt_count + astral_account_stmt_count + astral_session_stmt_count +
	              astral_crisis_alert_stmt_count + astral_help_session_key_stmt_count + astral_health_stmt_count +
	              astral_address_budget_stmt_count + astral_direct_request_stmt_count +
	              astral_role_change_stmt_count + astral_achievements_stmt_count +
	              astral_write_budget_stmt_count + T_STMT_COUNT;

	assert_int_equal(astral_db_statement_count(f->app), want);
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREPARED_COUNT, NULL), (long long)want);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_non_null(astral_db_conn(f->app));
}

/* ------------------------------------------------------------------ transactions, accounts, RLS */

static void
test_db_account_create_rls_and_data_key(void **state)
{
	struct fixture *f = *state;
	struct astral_new_account a;
	unsigned char dek1[ASTRAL_DEK_LEN], dek2[ASTRAL_DEK_LEN], dek3[ASTRAL_DEK_LEN];
	static const unsigned char zero[ASTRAL_DEK_LEN];
	char name[32], id[37], user[64], role[32];

	random_username(name);
	new_account(&a, name, "seeker");
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_true(astral_db_in_transaction(f->app));
	assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id), ASTRAL_OK);
	assert_true(astral_uuid_valid(id));

	/* The transaction now runs as the new account. */
	current_identity(f->app, user, role);
	assert_string_equal(user, id);
	assert_string_equal(role, "seeker");
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, id), 1);
	assert_int_equal(exec_int(f->app, T_KEY_VISIBLE, id), 1);

	/* The data key unwraps, and to the same key each time. */
	assert_err(astral_account_data_key(f->app, suite.kr, id, dek1), ASTRAL_OK);
	assert_err(astral_account_data_key(f->app, suite.kr, id, dek2), ASTRAL_OK);
	assert_memory_equal(dek1, dek2, sizeof(dek1));
	assert_memory_not_equal(dek1, zero, sizeof(dek1));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_false(astral_db_in_transaction(f->app));

	/* Nobody: row-level security hides the row and the key. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, "");
	assert_string_equal(role, "anonymous");
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, id), 0);
	assert_int_equal(exec_int(f->app, T_KEY_VISIBLE, id), 0);
	assert_err(astral_account_data_key(f->app, suite.kr, id, dek3), ASTRAL_ERR_NOT_FOUND);
	assert_memory_equal(dek3, zero, sizeof(dek3));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* The user again, in a later transaction: same key. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, id), 1);
	assert_err(astral_account_data_key(f->app, suite.kr, id, dek3), ASTRAL_OK);
	assert_memory_equal(dek1, dek3, sizeof(dek1));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* The owner sees what was committed, and the audit row that came with it. */
	assert_int_equal(owner_int(f->owner, T_USER_VISIBLE, id), 1);
	assert_int_equal(owner_int(f->owner, T_KEY_VISIBLE, id), 1);
	assert_int_equal(owner_int(f->owner, T_USERNAME_COUNT, name), 1);
}

static void
test_db_bad_data_key_requests(void **state)
{
	struct fixture *f = *state;
	unsigned char dek[ASTRAL_DEK_LEN];
	char id[37], other[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_uuid_v4(other), ASTRAL_OK);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_err(astral_account_data_key(f->app, suite.kr, "not-a-uuid", dek), ASTRAL_ERR_INVALID);
	assert_err(astral_account_data_key(f->app, suite.kr, other, dek), ASTRAL_ERR_NOT_FOUND);
	assert_false(astral_db_failed(f->app));
	assert_err(astral_account_data_key(f->app, suite.kr, id, dek), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

static void
test_db_commit_without_statements(void **state)
{
	struct fixture *f = *state;

	assert_err(astral_db_commit(f->app), ASTRAL_ERR_INTERNAL);    /* no transaction */
	astral_db_rollback(f->app);                                   /* no-op */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_false(astral_db_in_transaction(f->app));
	/* The connection is still idle and usable. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "7"), 7);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
}

static void
test_db_bad_calls_outside_transaction(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	PGresult *res = (PGresult *)&res;

	astral_params_init(&p);
	astral_params_text(&p, "1");
	assert_err(astral_db_exec(f->app, &test_stmts[T_INTEGER], &p, &res), ASTRAL_ERR_INTERNAL);
	assert_null(res);
	assert_err(astral_db_queue(f->app, &test_stmts[T_INTEGER], &p), ASTRAL_ERR_INTERNAL);
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_INTEGER], &p), ASTRAL_ERR_INTERNAL);
	assert_err(astral_db_set_identity(f->app, NULL, NULL), ASTRAL_ERR_INTERNAL);
	/* Wrong parameter counts inside a transaction are refused before anything is sent. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_err(astral_db_exec(f->app, &test_stmts[T_IDENTITY], &p, NULL), ASTRAL_ERR_INTERNAL);
	assert_err(astral_db_queue(f->app, &test_stmts[T_IDENTITY], &p), ASTRAL_ERR_INTERNAL);
	assert_err(astral_db_exec(f->app, &test_stmts[T_INTEGER], NULL, NULL), ASTRAL_ERR_INTERNAL);
	assert_false(astral_db_failed(f->app));
	assert_int_equal(exec_int(f->app, T_INTEGER, "3"), 3);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

/* ------------------------------------------------------------------ queued statements */

static void
test_db_queued_insert_seen_by_next_exec(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	/* Not sent yet: the owner cannot see it even after a moment. */
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 0);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 1);
	/* Sent once only: a second exec does not insert it again (that would be a duplicate key). */
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 1);
	assert_false(astral_db_failed(f->app));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);
}

static void
test_db_queued_failure_reported_by_next_exec(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);   /* duplicate */
	assert_false(astral_db_failed(f->app));
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_COUNT], &p, NULL), ASTRAL_ERR_INTERNAL);
	astral_params_init(&p);
	astral_params_text(&p, id);
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_COUNT], &p, NULL), ASTRAL_ERR_CONFLICT);
	assert_true(astral_db_failed(f->app));
	assert_true(astral_db_in_transaction(f->app));
	assert_string_equal(astral_db_last_sqlstate(f->app), "23505");
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_pkey");
	/* The transaction is aborted: nothing more runs in it, and commit refuses. */
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_COUNT], &p, NULL), ASTRAL_ERR_INTERNAL);
	assert_int_not_equal(astral_db_queue(f->app, &test_stmts[T_PREF_COUNT], &p), ASTRAL_OK);
	assert_int_not_equal(astral_db_commit(f->app), ASTRAL_OK);
	assert_false(astral_db_in_transaction(f->app));
	assert_false(astral_db_failed(f->app));
	/* Neither insert survived, and the connection works. */
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 0);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

static void
test_db_rollback_discards_queue(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	pref_params(&p, id, "dark");

	/* Queued while BEGIN is still pending. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	astral_db_rollback(f->app);
	assert_false(astral_db_in_transaction(f->app));
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);

	/* Queued in a transaction already open on the server. */
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	astral_db_rollback(f->app);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* A new begin without rollback drops the previous transaction's queue as well. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 0);
}

/* Queued statements travel with COMMIT too, and their failures are reported by it. */
static void
test_db_commit_sends_queue_and_reports_failure(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);

	/* Only a queued statement: BEGIN, it and COMMIT travel together. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);

	/* A failing statement queued for commit fails the commit, and takes the whole transaction
	   (an earlier successful statement included) with it. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, "v1");
	assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_INSERT], &p, NULL), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, "v2");
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_CONSENT_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_CONSENT_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_ERR_CONFLICT);
	assert_string_equal(astral_db_last_constraint(f->app), "consents_pkey");
	assert_false(astral_db_in_transaction(f->app));
	assert_false(astral_db_failed(f->app));
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_VERSION], &p, NULL), ASTRAL_ERR_INTERNAL);
	{
		PGresult *res = NULL;

		astral_params_init(&p);
		astral_params_text(&p, id);
		assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_VERSION], &p, &res), ASTRAL_OK);
		assert_int_equal(PQntuples(res), 0);
		PQclear(res);
	}
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* A failing plain queued statement with nothing after it: reported by commit. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "light");                          /* the row exists: duplicate key */
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_ERR_CONFLICT);
	assert_false(astral_db_in_transaction(f->app));
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);
}

/* A commit in flight (astral_db_commit_in_flight, the AI gateway's before a model call) returns
   before PostgreSQL answers; the next begin reads the answer, and reports a failed commit as
   astral_db_commit would have. */
static void
test_db_commit_in_flight_answered_by_next_begin(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);

	/* An answered statement and one queued for commit: both committed, the answer read later. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "5"), 5);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit_in_flight(f->app), ASTRAL_OK);
	assert_false(astral_db_in_transaction(f->app));
	assert_int_not_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);  /* not read yet */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);
	assert_int_equal(exec_int(f->app, T_INTEGER, "6"), 6);      /* the connection goes on */
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* A statement queued for commit that fails: the commit returns at once, the next begin says
	   CONFLICT and names the constraint, and the transaction's earlier statement is gone too. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, "v1");
	assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_INSERT], &p, NULL), ASTRAL_OK);
	pref_params(&p, id, "light");                          /* the row exists: duplicate key */
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit_in_flight(f->app), ASTRAL_OK);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_ERR_CONFLICT);
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_pkey");
	assert_false(astral_db_in_transaction(f->app));
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
	assert_int_equal(owner_int(f->owner, T_CONSENT_COUNT, id), 0);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);     /* and the connection goes on */
	assert_int_equal(exec_int(f->app, T_INTEGER, "8"), 8);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

/* What has not had its answer yet goes the ordinary way: a commit in flight with BEGIN still
   unsent, or a plain queued statement, waits for the answers and reports a failure itself. */
static void
test_db_commit_in_flight_waits_when_answers_are_owed(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_commit_in_flight(f->app), ASTRAL_ERR_INTERNAL);   /* no transaction */

	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit_in_flight(f->app), ASTRAL_OK);
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);   /* answered */
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);

	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "1"), 1);
	pref_params(&p, id, "light");                          /* duplicate key */
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_commit_in_flight(f->app), ASTRAL_ERR_CONFLICT);
	assert_false(astral_db_in_transaction(f->app));
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
}

/* astral_db_exec_commit (a message send's insert): the statement, what was queued for commit and
   COMMIT in one round trip, with BEGIN too when nothing was sent yet; a failing statement takes
   the whole transaction with it; either way the transaction is over. */
static void
test_db_exec_commit(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	PGresult *res = NULL;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_exec_commit(f->app, &test_stmts[T_INTEGER], NULL, &res), ASTRAL_ERR_INTERNAL);

	/* BEGIN still pending: it travels with the statement and COMMIT. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, "v1");
	assert_err(astral_db_exec_commit(f->app, &test_stmts[T_CONSENT_INSERT], &p, &res), ASTRAL_OK);
	assert_non_null(res);
	PQclear(res);
	assert_false(astral_db_in_transaction(f->app));
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 1);
	assert_int_equal(owner_int(f->owner, T_CONSENT_COUNT, id), 1);

	/* After an answered statement; the result is the statement's. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "3"), 3);
	astral_params_init(&p);
	astral_params_text(&p, "41");
	assert_err(astral_db_exec_commit(f->app, &test_stmts[T_INTEGER], &p, &res), ASTRAL_OK);
	assert_int_equal(astral_db_int(res, 0, 0), 41);
	PQclear(res);
	assert_false(astral_db_in_transaction(f->app));

	/* A failing statement: its error and constraint, nothing of the transaction kept (the earlier
	   statement and the one queued for commit), the connection clean for the next. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, "v2");
	assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_INSERT], &p, NULL), ASTRAL_OK);
	assert_err(astral_db_queue_at_commit(f->app, &test_stmts[T_CONSENT_INSERT], &p), ASTRAL_OK);
	pref_params(&p, id, "light");                          /* the row exists: duplicate key */
	assert_err(astral_db_exec_commit(f->app, &test_stmts[T_PREF_INSERT], &p, &res), ASTRAL_ERR_CONFLICT);
	assert_null(res);
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_pkey");
	assert_false(astral_db_in_transaction(f->app));
	assert_int_equal(PQtransactionStatus(astral_db_conn(f->app)), PQTRANS_IDLE);
	assert_int_equal(owner_int(f->owner, T_CONSENT_COUNT, id), 1);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "8"), 8);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* The wrong number of parameters: refused before anything is sent. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_err(astral_db_exec_commit(f->app, &test_stmts[T_INTEGER], NULL, &res), ASTRAL_ERR_INTERNAL);
	astral_db_rollback(f->app);
}

/* A statement queued before astral_db_set_identity runs as the identity it was queued under,
   also when nothing has been sent yet (BEGIN still pending). */
static void
test_db_queued_statement_keeps_its_identity(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char a[37], b[37], user[64], role[32];
	astral_err err;

	make_user(f->app, "seeker", a);
	make_user(f->app, "seeker", b);

	/* After the first statement: the identity change is queued behind the insert. */
	assert_err(astral_db_begin(f->app, a, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "1"), 1);
	pref_params(&p, a, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_set_identity(f->app, b, "seeker"), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, b);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, a), 1);

	/* Before the first statement. */
	assert_err(astral_db_begin(f->app, b, "seeker"), ASTRAL_OK);
	pref_params(&p, b, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_set_identity(f->app, a, "seeker"), ASTRAL_OK);
	err = astral_db_exec(f->app, &test_stmts[T_IDENTITY], NULL, NULL);
	if (err != ASTRAL_OK)
		print_error("the insert queued as %s ran as %s: sqlstate %s\n", b, a, astral_db_last_sqlstate(f->app));
	assert_err(err, ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, a);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, b), 1);
}

/* Queued parameters are copies: text, bytea with NUL bytes, an empty bytea and SQL NULL. */
static void
test_db_queued_parameters_are_copied(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	PGresult *res = NULL;
	char id[37], version[8];
	unsigned char blob[5] = { 0x00, 0x01, 0x00, 0xff, 0x7f };
	static const unsigned char want[5] = { 0x00, 0x01, 0x00, 0xff, 0x7f };
	unsigned char *got = NULL;
	size_t glen = 0;

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	snprintf(version, sizeof(version), "v1.2");
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, version);
	assert_err(astral_db_queue(f->app, &test_stmts[T_CONSENT_INSERT], &p), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_bytes(&p, blob, sizeof(blob));
	assert_err(astral_db_queue(f->app, &test_stmts[T_TOTP_PENDING_SET], &p), ASTRAL_OK);
	memset(version, 'X', sizeof(version) - 1);
	memset(blob, 0xee, sizeof(blob));
	memset(&p, 0xa5, sizeof(p));

	astral_params_init(&p);
	astral_params_text(&p, id);
	assert_err(astral_db_exec(f->app, &test_stmts[T_CONSENT_VERSION], &p, &res), ASTRAL_OK);
	assert_int_equal(PQntuples(res), 1);
	assert_string_equal(astral_db_value(res, 0, 0), "v1.2");
	PQclear(res);
	res = NULL;
	assert_err(astral_db_exec(f->app, &test_stmts[T_TOTP_PENDING_GET], &p, &res), ASTRAL_OK);
	assert_int_equal(PQntuples(res), 1);
	assert_err(astral_db_bytes(res, 0, 0, &got, &glen), ASTRAL_OK);
	assert_int_equal(glen, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	free(got);
	got = NULL;
	PQclear(res);
	res = NULL;

	/* An empty bytea stays empty (not NULL), and NULL stays NULL. */
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_bytes(&p, blob, 0);
	assert_err(astral_db_queue(f->app, &test_stmts[T_TOTP_PENDING_SET], &p), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	assert_err(astral_db_exec(f->app, &test_stmts[T_TOTP_PENDING_GET], &p, &res), ASTRAL_OK);
	assert_false(astral_db_bool(res, 0, 1));
	assert_err(astral_db_bytes(res, 0, 0, &got, &glen), ASTRAL_OK);
	assert_int_equal(glen, 0);
	free(got);
	got = NULL;
	PQclear(res);
	res = NULL;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_null(&p);
	assert_err(astral_db_queue(f->app, &test_stmts[T_TOTP_PENDING_SET], &p), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, id);
	assert_err(astral_db_exec(f->app, &test_stmts[T_TOTP_PENDING_GET], &p, &res), ASTRAL_OK);
	assert_true(astral_db_bool(res, 0, 1));
	assert_err(astral_db_bytes(res, 0, 0, &got, &glen), ASTRAL_ERR_NOT_FOUND);
	assert_null(got);
	PQclear(res);
	astral_db_rollback(f->app);
}

static void
test_db_bad_queue_overflow(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	astral_err err = ASTRAL_OK;
	int accepted = 0;

	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, "1");
	for (int i = 0; i < 1000 && err == ASTRAL_OK; i++) {
		err = astral_db_queue(f->app, &test_stmts[T_INTEGER], &p);
		if (err == ASTRAL_OK)
			accepted++;
	}
	/* A bounded queue refuses, it does not overflow. */
	assert_err(err, ASTRAL_ERR_INTERNAL);
	assert_true(accepted >= 1 && accepted < 1000);
	/* What was accepted runs with the next exec. */
	assert_int_equal(exec_int(f->app, T_INTEGER, "5"), 5);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

/* ------------------------------------------------------------------ audit rows at commit */

static void
test_db_audit_row_only_after_commit(void **state)
{
	struct fixture *f = *state;
	struct astral_audit_event ev;
	char id[37], marker[40], marker2[40], marker3[40];
	long long checked = 0, bad = -1;
	char why[256];

	make_user(f->app, "seeker", id);
	memcpy(marker, "dbt-", 4);
	random_hex(marker + 4, 16);
	memcpy(marker2, "dbt-", 4);
	random_hex(marker2 + 4, 16);
	memcpy(marker3, "dbt-", 4);
	random_hex(marker3 + 4, 16);

	/* Committed: absent before COMMIT (even to the transaction itself), present after. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	audit_event(&ev, id, marker, "db test");
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_AUDIT_COUNT, marker), 0);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker), 0);
	assert_int_equal(exec_int(f->app, T_AUDIT_COUNT, marker), 0);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker), 1);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_AUDIT_COUNT, marker), 1);   /* RLS: the actor sees it */
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* Rolled back after a statement ran: absent. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	audit_event(&ev, id, marker2, NULL);
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "1"), 1);
	astral_db_rollback(f->app);
	/* ... and the next transaction on the same connection does not carry it either. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "2"), 2);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker2), 0);

	/* The only statement of a transaction: BEGIN, the row and COMMIT in one round trip. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	audit_event(&ev, NULL, marker3, NULL);
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker3), 1);

	assert_err(astral_audit_verify(f->owner, &checked, &bad, why, sizeof(why)), ASTRAL_OK);
	assert_int_equal(bad, 0);
	assert_true(checked >= 2);
	assert_false(astral_db_in_transaction(f->owner));
}

static void
test_db_bad_audit_events(void **state)
{
	struct fixture *f = *state;
	struct astral_audit_event ev;
	char marker[40];

	memcpy(marker, "dbt-", 4);
	random_hex(marker + 4, 16);
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	audit_event(&ev, NULL, marker, NULL);
	ev.action = "Not-A-Code";
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_ERR_INVALID);
	audit_event(&ev, NULL, marker, NULL);
	ev.actor_id = "not-a-uuid";
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_ERR_INVALID);
	audit_event(&ev, NULL, marker, "\xff\xfe");
	assert_err(astral_audit_append(f->app, &ev), ASTRAL_ERR_INVALID);
	assert_false(astral_db_failed(f->app));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker), 0);
}

static void
test_db_audit_chain_holds_over_200_appends(void **state)
{
	struct fixture *f = *state;
	struct astral_audit_event ev;
	char id[37], marker[40], detail[64];
	long long head_before, head_after, checked = 0, bad = -1;
	char why[256];

	make_user(f->app, "seeker", id);
	memcpy(marker, "dbt-", 4);
	random_hex(marker + 4, 16);
	head_before = owner_int(f->owner, T_AUDIT_HEAD_ID, NULL);

	/* 20 transactions of 10 rows; every other one runs a statement before COMMIT. */
	for (int t = 0; t < 20; t++) {
		assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
		for (int i = 0; i < 10; i++) {
			/* Multi-byte text: the canonical form counts characters, not bytes. */
			snprintf(detail, sizeof(detail), "r\xc3\xa9sum\xc3\xa9 \xe2\x9c\x93 %d", t * 10 + i);
			audit_event(&ev, id, marker, detail);
			assert_err(astral_audit_append(f->app, &ev), ASTRAL_OK);
		}
		if (t % 2 == 0)
			assert_int_equal(exec_int(f->app, T_USER_VISIBLE, id), 1);
		assert_err(astral_db_commit(f->app), ASTRAL_OK);
	}
	head_after = owner_int(f->owner, T_AUDIT_HEAD_ID, NULL);
	assert_int_equal(owner_int(f->owner, T_AUDIT_COUNT, marker), 200);
	assert_true(head_after >= head_before + 200);

	assert_err(astral_audit_verify(f->owner, &checked, &bad, why, sizeof(why)), ASTRAL_OK);
	if (bad != 0)
		fail_msg("audit chain broken at row %lld: %s", bad, why);
	assert_true(checked >= owner_int(f->owner, T_AUDIT_ROWS, NULL));
}

/* ------------------------------------------------------------------ CONFLICT without abort */

static void
test_db_account_conflict_keeps_transaction(void **state)
{
	struct fixture *f = *state;
	struct astral_new_account a;
	char name[32], id1[37], id2[37];

	random_username(name);
	new_account(&a, name, "seeker");
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id1), ASTRAL_OK);
	memset(id2, 'x', sizeof(id2));
	assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id2), ASTRAL_ERR_CONFLICT);
	assert_string_equal(id2, "");
	assert_false(astral_db_failed(f->app));
	assert_true(astral_db_in_transaction(f->app));
	assert_int_equal(exec_int(f->app, T_INTEGER, "42"), 42);
	/* Another name works in the same transaction. */
	{
		char other[32], id3[37];

		random_username(other);
		new_account(&a, other, "helper");
		assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id3), ASTRAL_OK);
		assert_err(astral_db_commit(f->app), ASTRAL_OK);
		assert_int_equal(owner_int(f->owner, T_USER_VISIBLE, id3), 1);
		assert_int_equal(owner_int(f->owner, T_KEY_VISIBLE, id3), 1);
	}
	assert_int_equal(owner_int(f->owner, T_USERNAME_COUNT, name), 1);
	assert_int_equal(owner_int(f->owner, T_USER_VISIBLE, id1), 1);
	assert_int_equal(owner_int(f->owner, T_KEY_VISIBLE, id1), 1);

	/* Taken in an earlier transaction: CONFLICT again. */
	new_account(&a, name, "seeker");
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id2), ASTRAL_ERR_CONFLICT);
	assert_false(astral_db_failed(f->app));
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

static void
test_db_bad_account_input(void **state)
{
	struct fixture *f = *state;
	struct astral_new_account a;
	char name[32], id[37];

	random_username(name);
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	new_account(&a, name, "superuser");
	assert_err(astral_account_create(f->app, suite.kr, &a, 1, id), ASTRAL_ERR_INVALID);
	new_account(&a, name, "helper");
	a.helper_tier = NULL;
	assert_err(astral_account_create(f->app, suite.kr, &a, 1, id), ASTRAL_ERR_INVALID);
	new_account(&a, name, "seeker");
	assert_err(astral_account_create(f->app, suite.kr, &a, -1, id), ASTRAL_ERR_INVALID);
	assert_false(astral_db_failed(f->app));
	/* The name the database refuses (CHECK on users.username) is INVALID and names the check. */
	new_account(&a, "Bad Name!", "seeker");
	assert_err(astral_account_create(f->app, suite.kr, &a, 1, id), ASTRAL_ERR_INVALID);
	assert_string_equal(astral_db_last_sqlstate(f->app), "23514");
	assert_string_equal(astral_db_last_constraint(f->app), "users_username_check");
	assert_true(astral_db_failed(f->app));
	astral_db_rollback(f->app);
}

/* ------------------------------------------------------------------ error mapping */

static void
test_db_check_violation_is_invalid(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "purple");
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_INSERT], &p, NULL), ASTRAL_ERR_INVALID);
	assert_string_equal(astral_db_last_sqlstate(f->app), "23514");
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_theme_check");
	assert_true(astral_db_failed(f->app));
	astral_db_rollback(f->app);
	/* The details are cleared by the next statement that succeeds. */
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);
	assert_string_equal(astral_db_last_sqlstate(f->app), "");
	assert_string_equal(astral_db_last_constraint(f->app), "");
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

static void
test_db_foreign_key_violation_is_not_found(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char ghost[37];

	assert_err(astral_uuid_v4(ghost), ASTRAL_OK);            /* no such user */
	assert_err(astral_db_begin(f->app, ghost, "seeker"), ASTRAL_OK);
	pref_params(&p, ghost, "dark");
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_INSERT], &p, NULL), ASTRAL_ERR_NOT_FOUND);
	assert_string_equal(astral_db_last_sqlstate(f->app), "23503");
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_user_id_fkey");
	assert_true(astral_db_failed(f->app));
	astral_db_rollback(f->app);
}

static void
test_db_unique_violation_is_conflict(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pref_params(&p, id, "light");
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_INSERT], &p, NULL), ASTRAL_OK);
	assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_INSERT], &p, NULL), ASTRAL_ERR_CONFLICT);
	assert_string_equal(astral_db_last_constraint(f->app), "preferences_pkey");
	astral_db_rollback(f->app);
	assert_int_equal(owner_int(f->owner, T_PREF_COUNT, id), 0);
}

static void
test_db_bad_data_is_invalid(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;

	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, "not a number");
	assert_err(astral_db_exec(f->app, &test_stmts[T_INTEGER], &p, NULL), ASTRAL_ERR_INVALID);
	assert_string_equal(astral_db_last_sqlstate(f->app), "22P02");
	assert_string_equal(astral_db_last_constraint(f->app), "");
	astral_db_rollback(f->app);

	/* RLS WITH CHECK: inserting a row for someone else is neither OK nor a constraint. */
	{
		char a[37], b[37];

		make_user(f->app, "seeker", a);
		make_user(f->app, "seeker", b);
		assert_err(astral_db_begin(f->app, a, "seeker"), ASTRAL_OK);
		pref_params(&p, b, "dark");
		assert_err(astral_db_exec(f->app, &test_stmts[T_PREF_INSERT], &p, NULL), ASTRAL_ERR_DB);
		assert_string_equal(astral_db_last_sqlstate(f->app), "42501");
		astral_db_rollback(f->app);
	}
}

static void
test_db_statement_timeout(void **state)
{
	struct astral_db *db = NULL;
	struct astral_params p;

	(void)state;
	assert_err(astral_db_open(suite.app_conninfo, NULL, 200, test_tables, test_counts, &db), ASTRAL_OK);
	assert_err(astral_db_begin(db, NULL, NULL), ASTRAL_OK);
	astral_params_init(&p);
	astral_params_text(&p, "5");
	assert_err(astral_db_exec(db, &test_stmts[T_SLEEP], &p, NULL), ASTRAL_ERR_DB);
	assert_string_equal(astral_db_last_sqlstate(db), "57014");
	astral_db_rollback(db);
	assert_err(astral_db_begin(db, NULL, NULL), ASTRAL_OK);
	assert_int_equal(exec_int(db, T_INTEGER, "9"), 9);
	assert_err(astral_db_commit(db), ASTRAL_OK);
	astral_db_close(db);
}

/* ------------------------------------------------------------------ reconnection */

static void
test_db_reconnect_after_terminate(void **state)
{
	struct fixture *f = *state;
	struct astral_new_account a;
	char name[32], id[37];
	long long pid1, pid2;

	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	pid1 = exec_int(f->app, T_BACKEND_PID, NULL);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	terminate_backend(f->owner, pid1);

	/* Between transactions: begin reconnects, and the statements are prepared again. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	pid2 = exec_int(f->app, T_BACKEND_PID, NULL);
	assert_int_not_equal(pid1, pid2);
	random_username(name);
	new_account(&a, name, "seeker");
	assert_err(astral_account_create(f->app, suite.kr, &a, (long long)time(NULL), id), ASTRAL_OK);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
	assert_int_equal(owner_int(f->owner, T_USER_VISIBLE, id), 1);
}

static void
test_db_reconnect_after_terminate_mid_transaction(void **state)
{
	struct fixture *f = *state;
	struct astral_params p;
	long long pid1, pid2;
	char id[37];

	make_user(f->app, "seeker", id);
	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pid1 = exec_int(f->app, T_BACKEND_PID, NULL);
	terminate_backend(f->owner, pid1);

	/* The lost connection is reported as such, the transaction is over. */
	pref_params(&p, id, "dark");
	assert_err(astral_db_queue(f->app, &test_stmts[T_PREF_INSERT], &p), ASTRAL_OK);
	assert_err(astral_db_exec(f->app, &test_stmts[T_BACKEND_PID], NULL, NULL), ASTRAL_ERR_DB_DOWN);
	assert_false(astral_db_in_transaction(f->app));
	assert_err(astral_db_commit(f->app), ASTRAL_ERR_INTERNAL);

	assert_err(astral_db_begin(f->app, id, "seeker"), ASTRAL_OK);
	pid2 = exec_int(f->app, T_BACKEND_PID, NULL);
	assert_int_not_equal(pid1, pid2);
	/* The queued insert died with the old connection. */
	assert_int_equal(exec_int(f->app, T_PREF_COUNT, id), 0);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

/* ------------------------------------------------------------------ identity */

static void
test_db_identity_change_mid_transaction(void **state)
{
	struct fixture *f = *state;
	char a[37], b[37], user[64], role[32];

	make_user(f->app, "seeker", a);
	make_user(f->app, "helper", b);

	assert_err(astral_db_begin(f->app, a, "seeker"), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, a);
	assert_string_equal(role, "seeker");
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, a), 1);
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, b), 0);

	assert_err(astral_db_set_identity(f->app, b, "helper"), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, b);
	assert_string_equal(role, "helper");
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, a), 0);
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, b), 1);

	assert_err(astral_db_set_identity(f->app, NULL, NULL), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, "");
	assert_string_equal(role, "anonymous");
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, b), 0);

	/* Staff see every row. */
	assert_err(astral_db_set_identity(f->app, NULL, "moderator"), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, a), 1);
	assert_int_equal(exec_int(f->app, T_USER_VISIBLE, b), 1);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* The identity belongs to the transaction: the next one starts from its own. */
	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, "");
	assert_string_equal(role, "anonymous");
	assert_err(astral_db_commit(f->app), ASTRAL_OK);

	/* Changed before anything was sent: the first statement already runs as the new one. */
	assert_err(astral_db_begin(f->app, a, "seeker"), ASTRAL_OK);
	assert_err(astral_db_set_identity(f->app, b, "helper"), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, b);
	assert_string_equal(role, "helper");
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

static void
test_db_bad_identity(void **state)
{
	struct fixture *f = *state;
	char a[37], longer[64], user[64], role[32];
	astral_err err;

	/* Not a uuid: refused, by astral_db_begin or at the latest when the database uses it. */
	err = astral_db_begin(f->app, "not-a-uuid", "seeker");
	if (err == ASTRAL_OK)
		err = astral_db_exec(f->app, &test_stmts[T_IDENTITY], NULL, NULL);
	assert_err(err, ASTRAL_ERR_INVALID);
	astral_db_rollback(f->app);

	/* A longer string that starts with a real user's id must not become that user, whether it
	   is given to astral_db_begin or to astral_db_set_identity. */
	make_user(f->app, "seeker", a);
	snprintf(longer, sizeof(longer), "%s0", a);
	err = astral_db_begin(f->app, longer, "seeker");
	if (err == ASTRAL_OK) {
		PGresult *res = NULL;

		err = astral_db_exec(f->app, &test_stmts[T_IDENTITY], NULL, &res);
		if (err == ASTRAL_OK) {
			const char *u = astral_db_value(res, 0, 0);

			print_error("astral_db_begin(\"%s\") ran as user %s\n", longer, u ? u : "(none)");
			PQclear(res);
			fail_msg("an over-long user id was cut to a valid one instead of being refused");
		}
	}
	assert_int_not_equal(err, ASTRAL_OK);
	astral_db_rollback(f->app);

	assert_err(astral_db_begin(f->app, NULL, NULL), ASTRAL_OK);
	assert_int_equal(exec_int(f->app, T_INTEGER, "1"), 1);
	err = astral_db_set_identity(f->app, longer, "seeker");
	if (err == ASTRAL_OK)
		err = astral_db_exec(f->app, &test_stmts[T_IDENTITY], NULL, NULL);
	assert_int_not_equal(err, ASTRAL_OK);
	astral_db_rollback(f->app);

	assert_err(astral_db_begin(f->app, a, "seeker"), ASTRAL_OK);
	current_identity(f->app, user, role);
	assert_string_equal(user, a);
	assert_err(astral_db_commit(f->app), ASTRAL_OK);
}

/* ------------------------------------------------------------------ result helpers */

static void
test_db_result_helpers(void **state)
{
	unsigned char *b = (unsigned char *)&b;
	size_t len = 99;

	(void)state;
	assert_null(astral_db_value(NULL, 0, 0));
	assert_int_equal(astral_db_int(NULL, 0, 0), 0);
	assert_false(astral_db_bool(NULL, 0, 0));
	assert_err(astral_db_bytes(NULL, 0, 0, &b, &len), ASTRAL_ERR_NOT_FOUND);
	assert_null(b);
	assert_int_equal(len, 0);
}

/* ------------------------------------------------------------------ main */

static int
suite_setup(void **state)
{
	char err[256];

	(void)state;
	snprintf(suite.dir, sizeof(suite.dir), "/tmp/astral-test-db-XXXXXX");
	if (mkdtemp(suite.dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(suite.keyring_path, sizeof(suite.keyring_path), "%s/keyring", suite.dir);
	if (astral_keyring_create(suite.keyring_path) != ASTRAL_OK ||
	    astral_keyring_load(suite.keyring_path, &suite.kr, err, sizeof(err)) != ASTRAL_OK) {
		fprintf(stderr, "test-db: cannot create a keyring in %s\n", suite.dir);
		return -1;
	}
	return 0;
}

static int
suite_teardown(void **state)
{
	(void)state;
	astral_keyring_free(suite.kr);
	suite.kr = NULL;
	unlink(suite.keyring_path);
	rmdir(suite.dir);
	return 0;
}

#define DB_TEST(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_bad_conninfo_is_down),
		cmocka_unit_test(test_db_bad_conninfo_syntax_is_down),
		cmocka_unit_test(test_db_bad_statement_table),
		cmocka_unit_test(test_db_bad_too_many_tables),
		cmocka_unit_test(test_db_result_helpers),
		DB_TEST(test_db_every_statement_prepared),
		DB_TEST(test_db_account_create_rls_and_data_key),
		DB_TEST(test_db_bad_data_key_requests),
		DB_TEST(test_db_commit_without_statements),
		DB_TEST(test_db_bad_calls_outside_transaction),
		DB_TEST(test_db_queued_insert_seen_by_next_exec),
		DB_TEST(test_db_queued_failure_reported_by_next_exec),
		DB_TEST(test_db_rollback_discards_queue),
		DB_TEST(test_db_commit_sends_queue_and_reports_failure),
		DB_TEST(test_db_commit_in_flight_answered_by_next_begin),
		DB_TEST(test_db_commit_in_flight_waits_when_answers_are_owed),
		DB_TEST(test_db_exec_commit),
		DB_TEST(test_db_queued_statement_keeps_its_identity),
		DB_TEST(test_db_queued_parameters_are_copied),
		DB_TEST(test_db_bad_queue_overflow),
		DB_TEST(test_db_audit_row_only_after_commit),
		DB_TEST(test_db_bad_audit_events),
		DB_TEST(test_db_audit_chain_holds_over_200_appends),
		DB_TEST(test_db_account_conflict_keeps_transaction),
		DB_TEST(test_db_bad_account_input),
		DB_TEST(test_db_check_violation_is_invalid),
		DB_TEST(test_db_foreign_key_violation_is_not_found),
		DB_TEST(test_db_unique_violation_is_conflict),
		DB_TEST(test_db_bad_data_is_invalid),
		cmocka_unit_test(test_db_statement_timeout),
		DB_TEST(test_db_reconnect_after_terminate),
		DB_TEST(test_db_reconnect_after_terminate_mid_transaction),
		DB_TEST(test_db_identity_change_mid_transaction),
		DB_TEST(test_db_bad_identity),
	};

	suite.app_conninfo = getenv("ASTRAL_TEST_APP_CONNINFO");
	suite.owner_conninfo = getenv("ASTRAL_TEST_OWNER_CONNINFO");
	if (suite.app_conninfo == NULL || suite.app_conninfo[0] == '\0' || suite.owner_conninfo == NULL ||
	    suite.owner_conninfo[0] == '\0') {
		fprintf(stderr, "test-db: needs a database: set ASTRAL_TEST_APP_CONNINFO (role astral_app) and "
		        "ASTRAL_TEST_OWNER_CONNINFO (role astral_owner), e.g. \"host=/path/to/socketdir port=5432 "
		        "dbname=astral user=astral_app\" (tests/integration/test_db_library.py does this)\n");
		return 1;
	}
	astral_log_init("test-db", ASTRAL_LOG_WARN);
	return cmocka_run_group_tests_name("db", tests, suite_setup, suite_teardown);
}
