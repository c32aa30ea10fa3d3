/*
 * Inside the database layer: a connection's state, shared by db.c (one thread's transactions)
 * and db_shared_commit.c (transactions of several threads committed together). Nothing outside
 * those two files includes this.
 */
#ifndef ASTRAL_DB_INTERNAL_H
#define ASTRAL_DB_INTERNAL_H

#include "db.h"

#define MAX_TABLES 16
#define MAX_QUEUED 32

/* A statement whose result nobody waits for: it travels in the pipeline of the next statement
   that is waited for, or (at_commit) just before COMMIT. */
struct queued {
	const struct astral_stmt *stmt;
	int n;
	char *values[ASTRAL_DB_MAX_PARAMS];
	int lengths[ASTRAL_DB_MAX_PARAMS];
	int formats[ASTRAL_DB_MAX_PARAMS];
	int at_commit;
	/* The guard (astral_db_guard): judged by `check` before any other result of its round trip. */
	astral_db_guard_fn check;
	void *check_ctx;
};

struct astral_db {
	PGconn *conn;
	char *conninfo;
	char *password;
	long long statement_timeout_ms;
	const struct astral_stmt *tables[MAX_TABLES];
	size_t counts[MAX_TABLES];
	size_t ntables;
	int in_tx;            /* a transaction is open (or queued) */
	int begin_pending;    /* BEGIN + identity not yet sent */
	int failed;           /* the open transaction is aborted */
	size_t commit_answers; /* answers of a commit in flight still to read (astral_db_commit_in_flight) */
	char pending_user[37];
	char pending_role[16];
	char sqlstate[6];
	char constraint[64];
	struct queued queue[MAX_QUEUED];
	size_t nqueued;
	/* Where astral_db_exec_commit_shared commits a transaction still wholly unsent
	   (astral_db_share_commits): NULL, on this connection. */
	struct astral_db_shared_commit *shared;
	const char *application_name;   /* what pg_stat_activity shows; NULL: "astral" */
};

extern const struct astral_stmt astral_dbi_set_identity_stmt;

/* (Re)connect, set the session's settings and prepare every statement. */
astral_err astral_dbi_connect(struct astral_db *db);
/* The connection broke: forget it and the transaction; the next begin reconnects. */
void astral_dbi_connection_lost(struct astral_db *db);
/* Send db's queued statements (at_commit: those queued for commit) in conn's open pipeline; 0
   when the connection failed. */
int astral_dbi_send_queued(PGconn *conn, const struct astral_db *db, int at_commit);
/* Read every result of one query on db's connection; keep the last (a refusal too, when asked);
   report the first failure, remembering its SQLSTATE in db. */
astral_err astral_dbi_collect(struct astral_db *db, PGresult **keep, int keep_refusal);
/* How many statements are queued (at_commit: for commit). */
size_t astral_dbi_count_queued(const struct astral_db *db, int at_commit);
/* Drop the queued statements but an unsent guard, which the request may still want judged. */
void astral_dbi_queue_clear(struct astral_db *db);
/* Drop every queued statement, an unsent guard included. */
void astral_dbi_queue_drop_all(struct astral_db *db);
/* The commit of `db`'s transaction, wholly unsent, together with other threads' (db_shared_commit.c):
   1 when it was answered, with *err what the transaction's own round trip would have reported
   and the transaction over; 0 when nothing was committed and it must go on db's own connection. */
int astral_dbi_shared_commit(struct astral_db_shared_commit *shared, struct astral_db *db,
                             const struct astral_stmt *stmt, const struct astral_params *params,
                             PGresult **res, astral_err *err);

#endif
