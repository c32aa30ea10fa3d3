/*
 * Database access: see db.h. The connection is opened at start-up and re-opened lazily when a
 * transaction begins on a broken one. BEGIN and the identity settings are queued and sent in
 * one pipeline with the transaction's first statement, so a typical request costs two round
 * trips (first statement, COMMIT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_internal.h"
#include "log.h"

extern const struct astral_stmt astral_audit_stmts[];
extern const size_t astral_audit_stmt_count;
extern const struct astral_stmt astral_account_stmts[];
extern const size_t astral_account_stmt_count;
extern const struct astral_stmt astral_session_stmts[];
extern const size_t astral_session_stmt_count;
extern const struct astral_stmt astral_crisis_alert_stmts[];
extern const size_t astral_crisis_alert_stmt_count;
extern const struct astral_stmt astral_help_session_key_stmts[];
extern const size_t astral_help_session_key_stmt_count;
extern const struct astral_stmt astral_health_stmts[];
extern const struct astral_stmt astral_address_budget_stmts[];
extern const size_t astral_health_stmt_count;
extern const size_t astral_address_budget_stmt_count;
extern const struct astral_stmt astral_direct_request_stmts[];
extern const size_t astral_direct_request_stmt_count;
extern const struct astral_stmt astral_role_change_stmts[];
extern const size_t astral_role_change_stmt_count;
extern const struct astral_stmt astral_achievements_stmts[];
extern const size_t astral_achievements_stmt_count;
extern const struct astral_stmt astral_write_budget_stmts[];
extern const size_t astral_write_budget_stmt_count;

const struct astral_stmt astral_dbi_set_identity_stmt = {
	"astral_set_identity",
	"SELECT set_config('astral.user_id', coalesce($1, ''), true), set_config('astral.role', $2, true)",
	2,
};


static astral_err round_trip(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
                             PGresult **res, int commit);

void
astral_params_init(struct astral_params *p)
{
	memset(p, 0, sizeof(*p));
}

static int
params_full(struct astral_params *p)
{
	if (p->n >= ASTRAL_DB_MAX_PARAMS) {
		astral_log(ASTRAL_LOG_ERROR, "statement has more than %d parameters", ASTRAL_DB_MAX_PARAMS);
		abort();
	}
	return 0;
}

void
astral_params_text(struct astral_params *p, const char *s)
{
	params_full(p);
	p->values[p->n] = s;
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

void
astral_params_bytes(struct astral_params *p, const void *b, size_t len)
{
	params_full(p);
	p->values[p->n] = b;
	p->lengths[p->n] = (int)len;
	p->formats[p->n] = 1;
	p->n++;
}

void
astral_params_int(struct astral_params *p, long long v)
{
	params_full(p);
	snprintf(p->numbers[p->n], sizeof(p->numbers[p->n]), "%lld", v);
	astral_params_text(p, p->numbers[p->n]);
}

void
astral_params_bool(struct astral_params *p, int v)
{
	astral_params_text(p, v ? "true" : "false");
}

void
astral_params_null(struct astral_params *p)
{
	astral_params_text(p, NULL);
}

static void
remember_error(struct astral_db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->constraint, sizeof(db->constraint), "%s", cons ? cons : "");
}

static astral_err
error_from_state(struct astral_db *db)
{
	if (PQstatus(db->conn) != CONNECTION_OK)
		return ASTRAL_ERR_DB_DOWN;
	if (strcmp(db->sqlstate, "23505") == 0)
		return ASTRAL_ERR_CONFLICT;
	if (strcmp(db->sqlstate, "23503") == 0)
		return ASTRAL_ERR_NOT_FOUND;
	if (strncmp(db->sqlstate, "22", 2) == 0 || strcmp(db->sqlstate, "23514") == 0)
		return ASTRAL_ERR_INVALID;
	if (strncmp(db->sqlstate, "08", 2) == 0 || strcmp(db->sqlstate, "57P01") == 0)
		return ASTRAL_ERR_DB_DOWN;
	return ASTRAL_ERR_DB;
}

static astral_err
prepare_all(struct astral_db *db)
{
	PGresult *res = PQprepare(db->conn, astral_dbi_set_identity_stmt.name, astral_dbi_set_identity_stmt.sql,
	                          astral_dbi_set_identity_stmt.nparams, NULL);
	astral_err err = ASTRAL_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		astral_log(ASTRAL_LOG_ERROR, "prepare %s: %s", astral_dbi_set_identity_stmt.name, PQresultErrorMessage(res));
		err = ASTRAL_ERR_DB;
	}
	PQclear(res);
	for (size_t t = 0; err == ASTRAL_OK && t < db->ntables; t++) {
		for (size_t i = 0; i < db->counts[t]; i++) {
			const struct astral_stmt *s = &db->tables[t][i];

			res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				astral_log(ASTRAL_LOG_ERROR, "prepare %s: %s", s->name, PQresultErrorMessage(res));
				err = PQstatus(db->conn) == CONNECTION_OK ? ASTRAL_ERR_DB : ASTRAL_ERR_DB_DOWN;
				PQclear(res);
				break;
			}
			PQclear(res);
		}
	}
	return err;
}

astral_err
astral_dbi_connect(struct astral_db *db)
{
	const char *keys[4] = { "dbname", "password", "application_name", NULL };
	const char *name = db->application_name != NULL ? db->application_name : "astral";
	const char *vals[4] = { db->conninfo, db->password, name, NULL };
	char timeout[128];
	PGresult *res;

	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if (db->password == NULL) {
		keys[1] = "application_name";
		vals[1] = name;
		keys[2] = NULL;
		vals[2] = NULL;
	}
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL)
		return ASTRAL_ERR_NOMEM;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		astral_log(ASTRAL_LOG_WARN, "database connection failed: %s", PQerrorMessage(db->conn));
		return ASTRAL_ERR_DB_DOWN;
	}
	/* Every statement is written for a generic plan (keyset parameters, the partial indexes'
	   predicates spelled out), so re-planning each execution for its values buys nothing and
	   cost a third of a feed request's database time. JIT compilation pays off for long
	   analytic queries, never for these: it once turned a 2 ms read into 450 ms. */
	snprintf(timeout, sizeof(timeout),
	         "SET statement_timeout = %lld; SET plan_cache_mode = force_generic_plan; SET jit = off",
	         db->statement_timeout_ms);
	res = PQexec(db->conn, timeout);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return ASTRAL_ERR_DB_DOWN;
	}
	PQclear(res);
	return prepare_all(db);
}

astral_err
astral_db_open(const char *conninfo, const char *password, long long statement_timeout_ms,
               const struct astral_stmt *const *tables, const size_t *counts, struct astral_db **out)
{
	struct astral_db *db;
	astral_err err;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return ASTRAL_ERR_NOMEM;
	db->conninfo = strdup(conninfo);
	db->password = password ? strdup(password) : NULL;
	if (db->conninfo == NULL || (password && db->password == NULL)) {
		astral_db_close(db);
		return ASTRAL_ERR_NOMEM;
	}
	db->statement_timeout_ms = statement_timeout_ms;
	db->tables[db->ntables] = astral_audit_stmts;
	db->counts[db->ntables++] = astral_audit_stmt_count;
	db->tables[db->ntables] = astral_account_stmts;
	db->counts[db->ntables++] = astral_account_stmt_count;
	db->tables[db->ntables] = astral_session_stmts;
	db->counts[db->ntables++] = astral_session_stmt_count;
	db->tables[db->ntables] = astral_crisis_alert_stmts;
	db->counts[db->ntables++] = astral_crisis_alert_stmt_count;
	db->tables[db->ntables] = astral_help_session_key_stmts;
	db->counts[db->ntables++] = astral_help_session_key_stmt_count;
	db->tables[db->ntables] = astral_health_stmts;
	db->counts[db->ntables++] = astral_health_stmt_count;
	db->tables[db->ntables] = astral_address_budget_stmts;
	db->counts[db->ntables++] = astral_address_budget_stmt_count;
	db->tables[db->ntables] = astral_direct_request_stmts;
	db->counts[db->ntables++] = astral_direct_request_stmt_count;
	db->tables[db->ntables] = astral_role_change_stmts;
	db->counts[db->ntables++] = astral_role_change_stmt_count;
	db->tables[db->ntables] = astral_achievements_stmts;
	db->counts[db->ntables++] = astral_achievements_stmt_count;
	db->tables[db->ntables] = astral_write_budget_stmts;
	db->counts[db->ntables++] = astral_write_budget_stmt_count;
	for (size_t i = 0; tables != NULL && tables[i] != NULL; i++) {
		if (db->ntables == MAX_TABLES) {
			astral_db_close(db);
			return ASTRAL_ERR_INTERNAL;
		}
		db->tables[db->ntables] = tables[i];
		db->counts[db->ntables++] = counts[i];
	}
	err = astral_dbi_connect(db);
	if (err != ASTRAL_OK && err != ASTRAL_ERR_DB_DOWN) {
		astral_db_close(db);
		return err;
	}
	/* A database that is down at start-up is retried on the first request. */
	*out = db;
	return err;
}

void
astral_db_close(struct astral_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->password);
	free(db);
}

/* Read the answers of a commit sent by astral_db_commit_in_flight: its at-commit statements, the
   COMMIT and the pipeline's sync. The first failure is reported, as round_trip reports it. */
static astral_err
read_commit_in_flight(struct astral_db *db)
{
	PGresult *sync;
	astral_err err = ASTRAL_OK, qerr;
	size_t answers = db->commit_answers;

	if (answers == 0)
		return ASTRAL_OK;
	db->commit_answers = 0;
	db->sqlstate[0] = '\0';
	db->constraint[0] = '\0';
	for (size_t i = 0; i < answers; i++) {
		qerr = astral_dbi_collect(db, NULL, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	sync = PQgetResult(db->conn);
	if (sync == NULL || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(db->conn) != 1) {
		PQclear(sync);
		astral_dbi_connection_lost(db);
		return ASTRAL_ERR_DB_DOWN;
	}
	PQclear(sync);
	if (err != ASTRAL_OK) {
		/* As astral_db_commit: a statement before COMMIT failed, so COMMIT was skipped and the
		   transaction is left aborted. */
		astral_log(ASTRAL_LOG_ERROR, "a commit sent without waiting failed: sqlstate %s", db->sqlstate);
		if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
			PQclear(PQexec(db->conn, "ROLLBACK"));
	}
	return err;
}

astral_err
astral_db_begin(struct astral_db *db, const char *user_id, const char *role)
{
	astral_err err;

	if (db->commit_answers > 0 && db->conn != NULL) {
		err = read_commit_in_flight(db);
		if (err != ASTRAL_OK)
			return err;
	}
	if ((user_id != NULL && strlen(user_id) >= sizeof(db->pending_user)) ||
	    (role != NULL && strlen(role) >= sizeof(db->pending_role)))
		return ASTRAL_ERR_INVALID;
	if (db->in_tx)
		astral_db_rollback(db);
	/* A server that ended an idle connection left a goodbye message: the first read takes it,
	   the second sees the closed socket, and the status says so (libpq's socket never blocks). */
	for (int i = 0; db->conn != NULL && i < 2 && PQconsumeInput(db->conn) == 1; i++)
		continue;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
		err = astral_dbi_connect(db);
		if (err != ASTRAL_OK)
			return err == ASTRAL_ERR_DB ? ASTRAL_ERR_DB_DOWN : err;
	}
	snprintf(db->pending_user, sizeof(db->pending_user), "%s", user_id ? user_id : "");
	snprintf(db->pending_role, sizeof(db->pending_role), "%s", role ? role : "anonymous");
	db->in_tx = 1;
	db->begin_pending = 1;
	db->failed = 0;
	return ASTRAL_OK;
}

int
astral_db_in_transaction(const struct astral_db *db)
{
	return db->in_tx;
}

int
astral_db_failed(const struct astral_db *db)
{
	return db->failed;
}

/* Drop the queued statements, except an unsent guard: it goes with the next transaction's first
   round trip, so work done after a rollback still waits for its verdict. */
void
astral_dbi_queue_clear(struct astral_db *db)
{
	size_t keep = 0;

	for (size_t i = 0; i < db->nqueued; i++) {
		if (db->queue[i].check != NULL) {
			db->queue[keep++] = db->queue[i];
			continue;
		}
		for (int j = 0; j < db->queue[i].n; j++)
			free(db->queue[i].values[j]);
	}
	db->nqueued = keep;
}

void
astral_dbi_queue_drop_all(struct astral_db *db)
{
	for (size_t i = 0; i < db->nqueued; i++)
		for (int j = 0; j < db->queue[i].n; j++)
			free(db->queue[i].values[j]);
	db->nqueued = 0;
}

static astral_err
queue_add(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params, int at_commit,
          astral_db_guard_fn check, void *check_ctx)
{
	struct queued *q;
	int n = params ? params->n : 0;

	if (!db->in_tx || db->failed)
		return ASTRAL_ERR_INTERNAL;
	if (n != stmt->nparams || db->nqueued == MAX_QUEUED) {
		astral_log(ASTRAL_LOG_ERROR, "statement %s cannot be queued", stmt->name);
		return ASTRAL_ERR_INTERNAL;
	}
	q = &db->queue[db->nqueued];
	memset(q, 0, sizeof(*q));
	q->stmt = stmt;
	q->at_commit = at_commit;
	q->check = check;
	q->check_ctx = check_ctx;
	for (int i = 0; i < n; i++) {
		size_t len;

		if (params->values[i] == NULL)
			continue;
		len = params->formats[i] ? (size_t)params->lengths[i] : strlen(params->values[i]) + 1;
		q->values[i] = malloc(len ? len : 1);
		if (q->values[i] == NULL) {
			for (int j = 0; j < i; j++)
				free(q->values[j]);
			return ASTRAL_ERR_NOMEM;
		}
		memcpy(q->values[i], params->values[i], len);
		q->lengths[i] = params->lengths[i];
		q->formats[i] = params->formats[i];
	}
	q->n = n;
	db->nqueued++;
	return ASTRAL_OK;
}

astral_err
astral_db_queue(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params)
{
	return queue_add(db, stmt, params, 0, NULL, NULL);
}

astral_err
astral_db_queue_at_commit(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params)
{
	return queue_add(db, stmt, params, 1, NULL, NULL);
}

int
astral_db_guard_pending(const struct astral_db *db)
{
	for (size_t i = 0; i < db->nqueued; i++)
		if (db->queue[i].check != NULL)
			return 1;
	return 0;
}

astral_err
astral_db_guard(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
                astral_db_guard_fn check, void *ctx)
{
	astral_dbi_queue_drop_all(db);                   /* a guard left by an earlier request is not this one's */
	if (check == NULL || !db->begin_pending)
		return ASTRAL_ERR_INTERNAL;       /* the guard is the transaction's first statement */
	return queue_add(db, stmt, params, 0, check, ctx);
}

void
astral_db_guard_forget(struct astral_db *db)
{
	size_t keep = 0;

	for (size_t i = 0; i < db->nqueued; i++) {
		if (db->queue[i].check == NULL) {
			db->queue[keep++] = db->queue[i];
			continue;
		}
		for (int j = 0; j < db->queue[i].n; j++)
			free(db->queue[i].values[j]);
	}
	db->nqueued = keep;
}

astral_err
astral_db_settle_guard(struct astral_db *db)
{
	if (!astral_db_guard_pending(db))
		return ASTRAL_OK;
	if (!db->in_tx || db->failed)
		return ASTRAL_ERR_INTERNAL;
	return round_trip(db, NULL, NULL, NULL, 0);
}

/* A guard's refusal: an error of the class its statement raises when the verdict is not OK. */
static int
is_refusal(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return PQresultStatus(r) == PGRES_FATAL_ERROR && state != NULL &&
	       strncmp(state, ASTRAL_DB_REFUSAL_CLASS, 2) == 0;
}

/* Read every result of one query; keep the last (when asked; a refusal too, when asked), report
   the first failure. */
astral_err
astral_dbi_collect(struct astral_db *db, PGresult **keep, int keep_refusal)
{
	PGresult *r;
	astral_err err = ASTRAL_OK;

	while ((r = PQgetResult(db->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		int kept = keep != NULL && ((st != PGRES_FATAL_ERROR && st != PGRES_PIPELINE_ABORTED) ||
		                            (keep_refusal && is_refusal(r)));

		if (st == PGRES_FATAL_ERROR) {
			remember_error(db, r);
			err = error_from_state(db);
		} else if (st == PGRES_PIPELINE_ABORTED) {
			err = ASTRAL_ERR_DB;
		}
		if (kept) {
			PQclear(*keep);
			*keep = r;
		} else {
			PQclear(r);
		}
	}
	return err;
}

int
astral_dbi_send_queued(PGconn *conn, const struct astral_db *db, int at_commit)
{
	for (size_t i = 0; i < db->nqueued; i++) {
		const struct queued *q = &db->queue[i];

		if (q->at_commit != at_commit)
			continue;
		if (PQsendQueryPrepared(conn, q->stmt->name, q->n, (const char *const *)q->values, q->lengths,
		                        q->formats, 0) != 1)
			return 0;
	}
	return 1;
}

size_t
astral_dbi_count_queued(const struct astral_db *db, int at_commit)
{
	size_t n = 0;

	for (size_t i = 0; i < db->nqueued; i++)
		n += db->queue[i].at_commit == at_commit;
	return n;
}

/*
 * One round trip: [BEGIN, identity] when still pending, the queued statements, then `stmt` (when
 * given), then — when committing — the statements queued for commit and COMMIT. The first
 * failure is reported; the result of `stmt` is kept in *res.
 */
static astral_err
round_trip(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
           PGresult **res, int commit)
{
	PGresult *result = NULL, *sync;
	astral_err err = ASTRAL_OK, qerr;
	size_t at_commit = commit ? astral_dbi_count_queued(db, 1) : 0;
	int n = params ? params->n : 0;
	int began = db->begin_pending;

	db->sqlstate[0] = '\0';
	db->constraint[0] = '\0';
	if (PQenterPipelineMode(db->conn) != 1)
		goto lost;
	if (began) {
		const char *vals[2] = { db->pending_user[0] ? db->pending_user : NULL, db->pending_role };

		if (PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
		    PQsendQueryPrepared(db->conn, astral_dbi_set_identity_stmt.name, 2, vals, NULL, NULL, 0) != 1)
			goto lost;
	}
	if (!astral_dbi_send_queued(db->conn, db, 0))
		goto lost;
	if (stmt != NULL && PQsendQueryPrepared(db->conn, stmt->name, n, params ? params->values : NULL,
	                                        params ? params->lengths : NULL,
	                                        params ? params->formats : NULL, 0) != 1)
		goto lost;
	if (commit && (!astral_dbi_send_queued(db->conn, db, 1) ||
	               PQsendQueryParams(db->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1))
		goto lost;
	if (PQpipelineSync(db->conn) != 1)
		goto lost;

	for (int i = 0; i < (began ? 2 : 0); i++) {
		qerr = astral_dbi_collect(db, NULL, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	for (size_t i = 0; i < db->nqueued; i++) {
		const struct queued *q = &db->queue[i];
		PGresult *guard = NULL;

		if (q->at_commit)
			continue;
		qerr = astral_dbi_collect(db, q->check != NULL ? &guard : NULL, 1);
		/* The guard's verdict (its row, or its refusal) comes before anything else this round
		   trip reports. */
		if (q->check != NULL && guard != NULL)
			qerr = q->check(q->check_ctx, guard);
		PQclear(guard);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	db->begin_pending = 0;
	if (stmt != NULL) {
		qerr = astral_dbi_collect(db, &result, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	for (size_t i = 0; i < at_commit + (commit ? 1 : 0); i++) {
		qerr = astral_dbi_collect(db, NULL, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	sync = PQgetResult(db->conn);
	if (sync == NULL || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
		PQclear(sync);
		PQclear(result);
		goto lost;
	}
	PQclear(sync);
	if (PQexitPipelineMode(db->conn) != 1) {
		PQclear(result);
		goto lost;
	}
	/* Sent statements leave the queue whatever happened to them. */
	{
		size_t keep = 0;

		for (size_t i = 0; i < db->nqueued; i++) {
			if (!db->queue[i].at_commit || commit) {
				for (int j = 0; j < db->queue[i].n; j++)
					free(db->queue[i].values[j]);
			} else {
				db->queue[keep++] = db->queue[i];
			}
		}
		db->nqueued = keep;
	}
	if (err != ASTRAL_OK) {
		db->failed = 1;
		/* UNAUTHORIZED and EXPIRED come from the guard only: a session that is over is routine
		   (a signed-out token), not a failed statement. */
		if (err != ASTRAL_ERR_CONFLICT && err != ASTRAL_ERR_INVALID && err != ASTRAL_ERR_NOT_FOUND &&
		    err != ASTRAL_ERR_UNAUTHORIZED && err != ASTRAL_ERR_EXPIRED)
			astral_log(ASTRAL_LOG_ERROR, "a statement in the round trip of %s failed: sqlstate %s",
			           stmt ? stmt->name : "COMMIT", db->sqlstate);
		PQclear(result);
		return err;
	}
	if (res != NULL)
		*res = result;
	else
		PQclear(result);
	return ASTRAL_OK;
lost:
	astral_dbi_connection_lost(db);
	return ASTRAL_ERR_DB_DOWN;
}

void
astral_dbi_connection_lost(struct astral_db *db)
{
	astral_log(ASTRAL_LOG_WARN, "database connection lost");
	astral_dbi_queue_clear(db);
	db->failed = 1;
	db->in_tx = 0;
	db->begin_pending = 0;
	db->commit_answers = 0;
	PQfinish(db->conn);
	db->conn = NULL;
}

/* A statement may run: a transaction is open and has not failed, and the parameters are as many as
   the statement takes. */
static astral_err
statement_may_run(const struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params)
{
	int n = params ? params->n : 0;

	if (!db->in_tx || db->failed)
		return ASTRAL_ERR_INTERNAL;
	if (n != stmt->nparams) {
		astral_log(ASTRAL_LOG_ERROR, "statement %s: %d parameters given, %d expected", stmt->name, n,
		           stmt->nparams);
		return ASTRAL_ERR_INTERNAL;
	}
	return ASTRAL_OK;
}

astral_err
astral_db_exec(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
               PGresult **res)
{
	astral_err err;

	if (res != NULL)
		*res = NULL;
	err = statement_may_run(db, stmt, params);
	return err == ASTRAL_OK ? round_trip(db, stmt, params, res, 0) : err;
}

astral_err
astral_db_set_identity(struct astral_db *db, const char *user_id, const char *role)
{
	struct astral_params p;

	if (!db->in_tx)
		return ASTRAL_ERR_INTERNAL;
	if ((user_id != NULL && strlen(user_id) >= sizeof(db->pending_user)) ||
	    (role != NULL && strlen(role) >= sizeof(db->pending_role)))
		return ASTRAL_ERR_INVALID;
	if (db->begin_pending && astral_dbi_count_queued(db, 0) == 0) {
		snprintf(db->pending_user, sizeof(db->pending_user), "%s", user_id ? user_id : "");
		snprintf(db->pending_role, sizeof(db->pending_role), "%s", role ? role : "anonymous");
		return ASTRAL_OK;
	}
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_text(&p, role ? role : "anonymous");
	return astral_db_queue(db, &astral_dbi_set_identity_stmt, &p);
}

/* The last round trip of a transaction: what is still queued (an unsent guard first), `stmt`
   (when given), what was queued for commit, and COMMIT. A guard that refuses fails its statement,
   which aborts the transaction and skips COMMIT. Whatever happens, the transaction is over
   (rolled back when anything failed). */
static astral_err
commit_with(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
            PGresult **res)
{
	astral_err err = round_trip(db, stmt, params, res, 1);

	if (err != ASTRAL_OK && db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	db->in_tx = 0;
	db->failed = 0;
	return err;
}

astral_err
astral_db_commit(struct astral_db *db)
{
	if (!db->in_tx)
		return ASTRAL_ERR_INTERNAL;
	if (db->failed) {
		astral_db_rollback(db);
		return ASTRAL_ERR_DB;
	}
	if (db->begin_pending && db->nqueued == 0) {   /* nothing was sent: nothing to commit */
		db->in_tx = 0;
		db->begin_pending = 0;
		return ASTRAL_OK;
	}
	return commit_with(db, NULL, NULL, NULL);
}

astral_err
astral_db_exec_commit(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
                      PGresult **res)
{
	astral_err err;

	if (res != NULL)
		*res = NULL;
	err = statement_may_run(db, stmt, params);
	return err == ASTRAL_OK ? commit_with(db, stmt, params, res) : err;
}

astral_err
astral_db_exec_commit_shared(struct astral_db *db, const struct astral_stmt *stmt, const struct astral_params *params,
                             PGresult **res)
{
	astral_err err;

	/* Nothing of the transaction sent yet: it may commit with other threads' (db_shared_commit.c).
	   Anything else, or one that has to go alone, is an ordinary commit on this connection. */
	if (db->shared != NULL && db->begin_pending && db->commit_answers == 0 &&
	    statement_may_run(db, stmt, params) == ASTRAL_OK &&
	    astral_dbi_shared_commit(db->shared, db, stmt, params, res, &err))
		return err;
	return astral_db_exec_commit(db, stmt, params, res);
}

astral_err
astral_db_commit_in_flight(struct astral_db *db)
{
	size_t at_commit;

	/* Whatever still needs an answer before COMMIT may go (BEGIN, a queued statement, the guard's
	   verdict) makes this an ordinary commit. */
	if (!db->in_tx || db->failed || db->begin_pending || astral_db_guard_pending(db) ||
	    astral_dbi_count_queued(db, 0) > 0)
		return astral_db_commit(db);
	at_commit = astral_dbi_count_queued(db, 1);
	if (PQenterPipelineMode(db->conn) != 1 || !astral_dbi_send_queued(db->conn, db, 1) ||
	    PQsendQueryParams(db->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(db->conn) != 1) {
		astral_dbi_connection_lost(db);
		return ASTRAL_ERR_DB_DOWN;
	}
	astral_dbi_queue_drop_all(db);
	db->commit_answers = at_commit + 1;
	db->in_tx = 0;
	db->failed = 0;
	return ASTRAL_OK;
}

void
astral_db_rollback(struct astral_db *db)
{
	astral_dbi_queue_clear(db);
	if (!db->in_tx)
		return;
	db->in_tx = 0;
	db->failed = 0;
	if (db->begin_pending) {
		db->begin_pending = 0;
		return;
	}
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

const char *
astral_db_last_sqlstate(const struct astral_db *db)
{
	return db->sqlstate;
}

const char *
astral_db_last_constraint(const struct astral_db *db)
{
	return db->constraint;
}

const char *
astral_db_value(const PGresult *res, int row, int col)
{
	if (res == NULL || row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

int
astral_db_bool(const PGresult *res, int row, int col)
{
	const char *v = astral_db_value(res, row, col);

	return v != NULL && v[0] == 't';
}

long long
astral_db_int(const PGresult *res, int row, int col)
{
	const char *v = astral_db_value(res, row, col);
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	n = strtoll(v, &end, 10);
	return *end == '\0' ? n : 0;
}

astral_err
astral_db_bytes(const PGresult *res, int row, int col, unsigned char **out, size_t *len)
{
	const char *v = astral_db_value(res, row, col);
	unsigned char *tmp;
	size_t n;

	*out = NULL;
	*len = 0;
	if (v == NULL)
		return ASTRAL_ERR_NOT_FOUND;
	tmp = PQunescapeBytea((const unsigned char *)v, &n);
	if (tmp == NULL)
		return ASTRAL_ERR_NOMEM;
	*out = malloc(n ? n : 1);
	if (*out == NULL) {
		PQfreemem(tmp);
		return ASTRAL_ERR_NOMEM;
	}
	memcpy(*out, tmp, n);
	PQfreemem(tmp);
	*len = n;
	return ASTRAL_OK;
}

size_t
astral_db_statement_count(const struct astral_db *db)
{
	size_t n = 1;                                  /* the identity statement */

	for (size_t t = 0; t < db->ntables; t++)
		n += db->counts[t];
	return n;
}

PGconn *
astral_db_conn(struct astral_db *db)
{
	return db->conn;
}
