/*
 * Shared commits: the one-round-trip transactions of a process's threads
 * (astral_db_exec_commit_shared on a transaction nothing of which was sent yet) that arrive while
 * another is committing are committed together, in one transaction on one connection, by
 * whichever of their threads leads.
 *
 * Why: on a machine where waking a process costs more than the work it wakes for, a durable
 * commit's price is its wake-ups (the backend's, the WAL flush's, the worker's), and those are
 * paid once per transaction, not per row. A chat send is one such transaction.
 *
 * What each transaction still gets: its own identity (astral.user_id, astral.role: row-level
 * security judges each statement as its caller), its guard first and judged by its own check,
 * its queued statements, its statement and its at-commit statements, in its own order. What
 * changes: they commit or roll back together, each holds its locks until the batch commits, and
 * any other transaction-local setting one of them makes is seen by the ones after it (the audit
 * chain: a batch's audit rows go to one chain). So only a transaction whose statements set
 * nothing but that may be shared, which its caller says by committing it with
 * astral_db_exec_commit_shared: astral-chat's message send.
 *
 * Failing: a batch that fails anywhere (a refused guard, a statement error, a failed COMMIT, a
 * lock waited for longer than 100 ms) is rolled back whole, and each of its transactions goes
 * again alone on its own thread's connection, where it gets exactly the answer it would have had.
 * A batch whose connection breaks is not retried (its COMMIT may have happened): each of its
 * transactions gets DB_DOWN, as it would alone.
 *
 * Leading: a thread whose transaction arrives when no batch is committing leads. It takes every
 * transaction waiting (its own first), commits them, wakes each of their threads, and hands the
 * lead to the first transaction that arrived meanwhile. Every thread sleeps on its own condition
 * variable, so a batch wakes exactly the threads it answered.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_internal.h"
#include "log.h"

/* The shared connection's application_name in pg_stat_activity. */
#define SHARED_COMMIT_NAME "astral-shared-commit"
/* The most transactions one batch commits: more wait for the next. */
#define SHARED_COMMIT_MAX 64
/* The longest a batch waits for a lock (a conversation's send lock held by a transaction of its
   own, say: a first send holds it over two round trips): then the transaction that waited goes
   alone, to wait for its lock on its own connection, and the rest of the batch is committed
   again without it. One conversation never keeps the others waiting for longer. */
#define SHARED_COMMIT_LOCK_WAIT "SET LOCAL lock_timeout = '10ms'"

/* WAITING in the queue; LEADS: commit the next batch; ANSWERED; ALONE: go on its own connection;
   AGAIN (an outcome only): back to the front of the queue, another transaction of its batch failed. */
enum job_state { JOB_WAITING, JOB_LEADS, JOB_ANSWERED, JOB_ALONE, JOB_AGAIN };

struct job {
	struct astral_db *db;          /* the thread's transaction: identity and queue, all unsent */
	const struct astral_stmt *stmt;
	const struct astral_params *params;
	PGresult *res;
	astral_err err;
	enum job_state outcome;        /* ANSWERED, ALONE or AGAIN: written by the leader, unlocked */
	enum job_state state;          /* read and written under the lock only */
	pthread_cond_t wake;
	struct job *next;
};

struct astral_db_shared_commit {
	pthread_mutex_t lock;
	struct job *first, *last;      /* waiting, in arrival order */
	int leading;                   /* a batch is being committed */
	struct astral_db *db;          /* the batches' connection */
	unsigned long batches, jobs;
};

astral_err
astral_db_shared_commit_open(const char *conninfo, const char *password, long long statement_timeout_ms,
                             const struct astral_stmt *const *tables, const size_t *counts,
                             struct astral_db_shared_commit **out)
{
	struct astral_db_shared_commit *shared;
	astral_err err;

	*out = NULL;
	shared = calloc(1, sizeof(*shared));
	if (shared == NULL)
		return ASTRAL_ERR_NOMEM;
	err = astral_db_open(conninfo, password, statement_timeout_ms, tables, counts, &shared->db);
	if (shared->db == NULL) {
		free(shared);
		return err;
	}
	/* Told apart from the threads' own connections in pg_stat_activity. */
	shared->db->application_name = SHARED_COMMIT_NAME;
	if (err == ASTRAL_OK)
		PQclear(PQexec(shared->db->conn, "SET application_name = '" SHARED_COMMIT_NAME "'"));
	pthread_mutex_init(&shared->lock, NULL);
	*out = shared;
	return err;               /* DB_DOWN: the first batch connects */
}

void
astral_db_shared_commit_close(struct astral_db_shared_commit *shared)
{
	if (shared == NULL)
		return;
	if (shared->batches > 0)
		astral_log(ASTRAL_LOG_INFO, "shared commits: %lu transactions in %lu batches", shared->jobs,
		           shared->batches);
	astral_db_close(shared->db);
	pthread_mutex_destroy(&shared->lock);
	free(shared);
}

/* One transaction's statements in the batch's pipeline: identity, guard and queue, statement,
   at-commit queue. */
static int
send_job(PGconn *conn, struct job *j)
{
	const char *who[2] = { j->db->pending_user[0] ? j->db->pending_user : NULL, j->db->pending_role };
	const struct astral_params *p = j->params;

	return PQsendQueryPrepared(conn, astral_dbi_set_identity_stmt.name, 2, who, NULL, NULL, 0) == 1 &&
	       astral_dbi_send_queued(conn, j->db, 0) &&
	       PQsendQueryPrepared(conn, j->stmt->name, p ? p->n : 0, p ? p->values : NULL, p ? p->lengths : NULL,
	                           p ? p->formats : NULL, 0) == 1 &&
	       astral_dbi_send_queued(conn, j->db, 1);
}

/* One transaction's answers: the guard's row (kept for its check), the statement's result. */
static astral_err
collect_job(struct astral_db *b, struct job *j, PGresult **guard)
{
	astral_err err = astral_dbi_collect(b, NULL, 0), qerr;    /* identity */

	for (size_t i = 0; i < j->db->nqueued; i++) {
		const struct queued *q = &j->db->queue[i];

		if (q->at_commit)
			continue;
		qerr = astral_dbi_collect(b, q->check != NULL ? guard : NULL, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	qerr = astral_dbi_collect(b, &j->res, 0);
	if (err == ASTRAL_OK)
		err = qerr;
	for (size_t i = astral_dbi_count_queued(j->db, 1); i > 0; i--) {
		qerr = astral_dbi_collect(b, NULL, 0);
		if (err == ASTRAL_OK)
			err = qerr;
	}
	return err;
}

/* The transaction was committed with its batch: its guard judged, its queue gone, over. */
static void
answer_job(struct job *j, PGresult *guard)
{
	astral_err verdict = ASTRAL_OK;

	for (size_t i = 0; i < j->db->nqueued; i++)
		if (j->db->queue[i].check != NULL && guard != NULL)
			verdict = j->db->queue[i].check(j->db->queue[i].check_ctx, guard);
	astral_dbi_queue_drop_all(j->db);
	j->db->in_tx = 0;
	j->db->begin_pending = 0;
	j->db->failed = 0;
	j->db->sqlstate[0] = '\0';
	j->db->constraint[0] = '\0';
	j->err = verdict;
	if (verdict != ASTRAL_OK) {
		PQclear(j->res);
		j->res = NULL;
	}
	j->outcome = JOB_ANSWERED;
}

static void
give_up(struct job **batch, int n, enum job_state outcome, astral_err err)
{
	for (int i = 0; i < n; i++) {
		PQclear(batch[i]->res);
		batch[i]->res = NULL;
		batch[i]->err = err;
		batch[i]->outcome = outcome;
	}
}

/* Commit the batch in one round trip on the shared connection. */
static void
commit_batch(struct astral_db *b, struct job **batch, int n)
{
	PGresult *guards[SHARED_COMMIT_MAX] = { NULL };
	astral_err err = ASTRAL_OK, qerr;
	int i, failed = -1;                 /* the first transaction that failed */
	PGresult *sync;

	if ((b->conn == NULL || PQstatus(b->conn) != CONNECTION_OK ||
	     PQtransactionStatus(b->conn) != PQTRANS_IDLE) && astral_dbi_connect(b) != ASTRAL_OK) {
		give_up(batch, n, JOB_ALONE, ASTRAL_OK);       /* each tries its own connection */
		return;
	}
	b->sqlstate[0] = '\0';
	if (PQenterPipelineMode(b->conn) != 1 ||
	    PQsendQueryParams(b->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(b->conn, SHARED_COMMIT_LOCK_WAIT, 0, NULL, NULL, NULL, NULL, 0) != 1)
		goto lost;
	for (i = 0; i < n; i++)
		if (!send_job(b->conn, batch[i]))
			goto lost;
	if (PQsendQueryParams(b->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 || PQpipelineSync(b->conn) != 1)
		goto lost;
	err = astral_dbi_collect(b, NULL, 0);                  /* BEGIN */
	qerr = astral_dbi_collect(b, NULL, 0);                 /* lock_timeout */
	if (err == ASTRAL_OK)
		err = qerr;
	for (i = 0; i < n; i++) {
		qerr = collect_job(b, batch[i], &guards[i]);
		if (qerr != ASTRAL_OK && failed < 0)
			failed = i;
		if (err == ASTRAL_OK)
			err = qerr;
	}
	qerr = astral_dbi_collect(b, NULL, 0);                 /* COMMIT */
	if (err == ASTRAL_OK)
		err = qerr;
	sync = PQgetResult(b->conn);
	if (sync == NULL || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(b->conn) != 1) {
		PQclear(sync);
		goto lost;
	}
	PQclear(sync);
	if (err == ASTRAL_ERR_DB_DOWN)
		goto lost;
	if (err != ASTRAL_OK) {
		/* Rolled back whole. The transaction that failed goes alone, to get its own answer; the
		   others (none of which failed: each statement after the failure was skipped) are
		   committed again in the next batch. A failed BEGIN or COMMIT: each goes alone. */
		if (PQtransactionStatus(b->conn) != PQTRANS_IDLE)
			PQclear(PQexec(b->conn, "ROLLBACK"));
		give_up(batch, n, failed >= 0 ? JOB_AGAIN : JOB_ALONE, ASTRAL_OK);
		if (failed >= 0)
			batch[failed]->outcome = JOB_ALONE;
	} else {
		for (i = 0; i < n; i++)
			answer_job(batch[i], guards[i]);
	}
	for (i = 0; i < n; i++)
		PQclear(guards[i]);
	return;
lost:
	for (i = 0; i < n; i++)
		PQclear(guards[i]);
	astral_dbi_connection_lost(b);
	/* The COMMIT may have happened: a transaction alone would have been told DB_DOWN, and so is
	   each of these. Its guard stays queued, as a lone connection's loss leaves it: the request
	   may still want the session judged, on its own connection. */
	for (i = 0; i < n; i++)
		astral_dbi_queue_clear(batch[i]->db);
	give_up(batch, n, JOB_ANSWERED, ASTRAL_ERR_DB_DOWN);
	for (i = 0; i < n; i++) {
		batch[i]->db->in_tx = 0;
		batch[i]->db->begin_pending = 0;
		batch[i]->db->failed = 0;
	}
}

/* As leader: commit what waits, answer it, put what must go again back at the front of the
   queue, hand the lead on (to the leader itself, when its own transaction is first again). Called
   and returning with the lock held. */
static void
lead(struct astral_db_shared_commit *shared)
{
	struct job *batch[SHARED_COMMIT_MAX];
	int n = 0;

	while (shared->first != NULL && n < SHARED_COMMIT_MAX) {
		batch[n++] = shared->first;
		shared->first = shared->first->next;
	}
	if (shared->first == NULL)
		shared->last = NULL;
	pthread_mutex_unlock(&shared->lock);
	commit_batch(shared->db, batch, n);
	pthread_mutex_lock(&shared->lock);
	shared->batches++;
	for (int i = n - 1; i >= 0; i--) {       /* backwards: the ones going again keep their order */
		if (batch[i]->outcome == JOB_AGAIN) {
			batch[i]->state = JOB_WAITING;
			batch[i]->next = shared->first;
			shared->first = batch[i];
			if (shared->last == NULL)
				shared->last = batch[i];
			continue;
		}
		shared->jobs++;
		batch[i]->state = batch[i]->outcome;
		if (i > 0)                           /* batch[0] is the leader's own */
			pthread_cond_signal(&batch[i]->wake);
	}
	if (shared->first != NULL) {
		shared->first->state = JOB_LEADS;
		pthread_cond_signal(&shared->first->wake);
	} else {
		shared->leading = 0;
	}
}

int
astral_dbi_shared_commit(struct astral_db_shared_commit *shared, struct astral_db *db, const struct astral_stmt *stmt,
                         const struct astral_params *params, PGresult **res, astral_err *err)
{
	struct job j = { .db = db, .stmt = stmt, .params = params, .state = JOB_WAITING };
	int answered;

	pthread_cond_init(&j.wake, NULL);
	pthread_mutex_lock(&shared->lock);
	if (shared->last != NULL)
		shared->last->next = &j;
	else
		shared->first = &j;
	shared->last = &j;
	if (!shared->leading) {
		shared->leading = 1;
		j.state = JOB_LEADS;
	}
	for (;;) {
		if (j.state == JOB_LEADS) {
			lead(shared);
			continue;                    /* answered, alone, or leading again */
		}
		if (j.state == JOB_ANSWERED || j.state == JOB_ALONE)
			break;
		pthread_cond_wait(&j.wake, &shared->lock);
	}
	pthread_mutex_unlock(&shared->lock);
	pthread_cond_destroy(&j.wake);
	answered = j.state == JOB_ANSWERED;
	if (answered) {
		*err = j.err;
		if (res != NULL)
			*res = j.res;
		else
			PQclear(j.res);
	}
	return answered;
}

void
astral_db_share_commits(struct astral_db *db, struct astral_db_shared_commit *shared)
{
	db->shared = shared;
}
