/*
 * Database access over libpq: one connection per worker (per thread in astral-chat), reconnected
 * on failure; every statement comes from a statement table and is prepared once per connection;
 * every transaction carries the caller's identity for row-level security.
 */
#ifndef ASTRAL_DB_H
#define ASTRAL_DB_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "error.h"

/* One entry of a statement table. `name` is unique across all tables of a program. */
struct astral_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

#define ASTRAL_DB_MAX_PARAMS 16

/* Parameters of one statement: text, binary (bytea) or NULL. Numbers are kept in the struct. */
struct astral_params {
	int n;
	const char *values[ASTRAL_DB_MAX_PARAMS];
	int lengths[ASTRAL_DB_MAX_PARAMS];
	int formats[ASTRAL_DB_MAX_PARAMS];
	char numbers[ASTRAL_DB_MAX_PARAMS][24];
};

void astral_params_init(struct astral_params *p);
void astral_params_text(struct astral_params *p, const char *s);        /* NULL → SQL NULL */
void astral_params_bytes(struct astral_params *p, const void *b, size_t len); /* bytea */
void astral_params_int(struct astral_params *p, long long v);
void astral_params_bool(struct astral_params *p, int v);
void astral_params_null(struct astral_params *p);

struct astral_db;

/* Connect and prepare every statement of every table given (NULL-terminated array of tables,
   each with its count in `counts`). The library's own table is always included. */
astral_err astral_db_open(const char *conninfo, const char *password, long long statement_timeout_ms,
                          const struct astral_stmt *const *tables, const size_t *counts,
                          struct astral_db **out) ASTRAL_MUST_USE;
void astral_db_close(struct astral_db *db);

/* Start a transaction as `user_id` (NULL: nobody) with `role` (NULL: "anonymous"). Reconnects
   first if the connection was lost; ASTRAL_ERR_DB_DOWN when the database cannot be reached.
   BEGIN and the identity settings travel with the first statement (pipeline mode). */
astral_err astral_db_begin(struct astral_db *db, const char *user_id, const char *role) ASTRAL_MUST_USE;
/* Change the identity inside the open transaction (after a sign-in look-up, say). */
astral_err astral_db_set_identity(struct astral_db *db, const char *user_id, const char *role) ASTRAL_MUST_USE;
astral_err astral_db_commit(struct astral_db *db) ASTRAL_MUST_USE;
/* Run a prepared statement and commit, in one round trip: what is still queued (an unsent guard
   first), the statement, then what was queued for commit, then COMMIT. A failing statement rolls
   the transaction back and its error is returned (*res NULL); a failed COMMIT is reported as
   astral_db_commit reports it. Either way the transaction is over: a caller with more to do
   begins another. */
astral_err astral_db_exec_commit(struct astral_db *db, const struct astral_stmt *stmt,
                                 const struct astral_params *params, PGresult **res) ASTRAL_MUST_USE;
/* Shared commits, for a program whose threads each hold a connection (lib/db_shared_commit.c says
   how, and what each transaction keeps of its own). astral_db_exec_commit_shared is
   astral_db_exec_commit, except that a transaction of which nothing was sent yet, on a connection
   sharing its commits, commits in one transaction with the others arriving meanwhile, on the
   shared connection. Only for a transaction that sets no transaction-local setting but its
   identity and the audit chain: the next one in its batch would see it. */
astral_err astral_db_exec_commit_shared(struct astral_db *db, const struct astral_stmt *stmt,
                                        const struct astral_params *params, PGresult **res) ASTRAL_MUST_USE;
struct astral_db_shared_commit;
astral_err astral_db_shared_commit_open(const char *conninfo, const char *password, long long statement_timeout_ms,
                                        const struct astral_stmt *const *tables, const size_t *counts,
                                        struct astral_db_shared_commit **out) ASTRAL_MUST_USE;
void astral_db_shared_commit_close(struct astral_db_shared_commit *shared);
void astral_db_share_commits(struct astral_db *db, struct astral_db_shared_commit *shared);
/* Commit without waiting for PostgreSQL's answer, for a caller about to wait on something else (a
   model call): COMMIT, and what was queued for it, go at once and are executed while the caller
   goes on; their answers are read by the next astral_db_begin, which reports a failed commit as
   astral_db_commit would have (and DB_DOWN when the connection was lost meanwhile). When
   anything of the transaction still owes an answer (BEGIN, a queued statement, the session-check
   guard's verdict), this is astral_db_commit. */
astral_err astral_db_commit_in_flight(struct astral_db *db) ASTRAL_MUST_USE;
void astral_db_rollback(struct astral_db *db);           /* no-op outside a transaction */
int astral_db_in_transaction(const struct astral_db *db);
int astral_db_failed(const struct astral_db *db);        /* the open transaction is aborted */

/* Run a prepared statement. On success *res holds the result (caller PQclear()s it; may pass
   NULL when the rows are not wanted). Errors: CONFLICT (unique violation), NOT_FOUND (foreign key
   violation), INVALID (data exception, check violation), DB_DOWN (connection lost), DB (other). */
astral_err astral_db_exec(struct astral_db *db, const struct astral_stmt *stmt,
                          const struct astral_params *params, PGresult **res) ASTRAL_MUST_USE;

/* Statements whose results nobody waits for are queued and travel in the pipeline of the next
   astral_db_exec (astral_db_queue) or just before COMMIT (astral_db_queue_at_commit: audit rows,
   so the audit chain's lock is held for the commit only). Their errors are reported by that exec
   or by astral_db_commit. Parameters are copied. */
astral_err astral_db_queue(struct astral_db *db, const struct astral_stmt *stmt,
                           const struct astral_params *params) ASTRAL_MUST_USE;
astral_err astral_db_queue_at_commit(struct astral_db *db, const struct astral_stmt *stmt,
                                     const struct astral_params *params) ASTRAL_MUST_USE;

/* The guard: a statement whose result must pass `check` before the transaction's work counts
   (the caller's session check, lib/session.c). It is queued as the transaction's first statement
   and travels in the pipeline of the first round trip, ahead of everything else. Its statement
   refuses in SQL: when the verdict is not OK it fails with an error of SQLSTATE class
   ASTRAL_DB_REFUSAL_CLASS, which aborts the transaction and skips everything after it in the
   pipeline, COMMIT included. So COMMIT may share the guard's round trip (astral_db_exec_commit:
   a write committed in one round trip), and still nothing is committed for a refused caller.
   `check` judges the result, a row or the refusal, before any other result of that round trip is
   looked at, and a verdict other than ASTRAL_OK is what that round trip reports. A rollback keeps
   an unsent guard for the next transaction. astral_db_guard replaces a guard left unsent. */
#define ASTRAL_DB_REFUSAL_CLASS "AS"
typedef astral_err (*astral_db_guard_fn)(void *ctx, const PGresult *res);
astral_err astral_db_guard(struct astral_db *db, const struct astral_stmt *stmt,
                           const struct astral_params *params, astral_db_guard_fn check, void *ctx) ASTRAL_MUST_USE;
int astral_db_guard_pending(const struct astral_db *db);
/* Send an unsent guard now, in a round trip of its own (with the statements queued so far), and
   return the verdict; ASTRAL_OK when there is none. Needs an open transaction. */
astral_err astral_db_settle_guard(struct astral_db *db) ASTRAL_MUST_USE;
/* Forget the guard, judged or not: the request it was set for is over. A connection lost in the
   guard's round trip leaves it queued (its verdict may still be wanted in that request), and its
   `check` judges into that request: it must never travel with the next one's statements. */
void astral_db_guard_forget(struct astral_db *db);

/* Details of the last error, for logs and for naming a field (constraint name). */
const char *astral_db_last_sqlstate(const struct astral_db *db);
const char *astral_db_last_constraint(const struct astral_db *db);

/* Result helpers (text-format results). */
const char *astral_db_value(const PGresult *res, int row, int col);   /* NULL when SQL NULL */
int astral_db_bool(const PGresult *res, int row, int col);
long long astral_db_int(const PGresult *res, int row, int col);       /* 0 when NULL */
/* bytea column decoded into a malloc'd buffer; NOT_FOUND when NULL. */
astral_err astral_db_bytes(const PGresult *res, int row, int col, unsigned char **out, size_t *len) ASTRAL_MUST_USE;

/* How many statements each connection prepares (all of them, at connect). */
size_t astral_db_statement_count(const struct astral_db *db);

/* The raw connection, for tools that need COPY or ad-hoc administration. */
PGconn *astral_db_conn(struct astral_db *db);

#endif
