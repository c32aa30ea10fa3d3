/*
 * The append-only, hash-chained audit log: appending (the trigger, last replaced in
 * migrations/0027_audit_append_lighter.sql, assigns id, time and hashes) and verifying the
 * chain by recomputing every row's hash in C.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "validate.h"
#include "random.h"

#define AUDIT_BATCH 1000
#define AUDIT_DETAIL_MAX_CHARS 200
#define AUDIT_CODE_MAX 64
#define AUDIT_FIELDS 11
#define AUDIT_CHAINS 16                 /* migrations/0008_audit_chains.sql */

enum audit_stmt {
	AUDIT_APPEND,
	AUDIT_HEAD,
	AUDIT_BATCH_AFTER,
	AUDIT_STMT_COUNT
};

/* Registered by lib/db.c in every program's connection. */
extern const struct astral_stmt astral_audit_stmts[];
extern const size_t astral_audit_stmt_count;

const struct astral_stmt astral_audit_stmts[] = {
	[AUDIT_APPEND] = {
		"audit_append",
		"INSERT INTO audit_log (" ASTRAL_AUDIT_COLUMNS ") VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, $7, $8, $9)",
		9,
	},
	[AUDIT_HEAD] = {
		"audit_head",
		"SELECT chain, last_id, last_hash FROM audit_chains ORDER BY chain",
		0,
	},
	[AUDIT_BATCH_AFTER] = {
		"audit_batch_after",
		"SELECT a.id, (extract(epoch FROM a.occurred_at) * 1000000)::bigint,"
		" a.actor_id, a.actor_role, a.action, a.object_type, a.object_id, a.subject_id,"
		" a.outcome, a.request_id, a.detail, a.prev_hash, a.hash, a.chain"
		" FROM audit_log a WHERE a.id > $1::bigint AND a.id <= $2::bigint ORDER BY a.id LIMIT $3::integer",
		3,
	},
};
const size_t astral_audit_stmt_count = AUDIT_STMT_COUNT;

/* Number of code points of well-formed UTF-8 (lib/validate.c decides what that is); -1 otherwise. */
static long long
utf8_chars(const unsigned char *s, size_t len)
{
	const char *text = (const char *)s;

	return astral_utf8_valid(text, len) ? (long long)astral_utf8_length(text, len) : -1;
}

/* 1 when s matches ^[a-z_]{1,64}$ (the CHECK on action and object_type). */
static int
audit_code_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++) {
		if (n >= AUDIT_CODE_MAX || !((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'))
			return 0;
	}
	return n > 0;
}

static int
audit_in_set(const char *s, const char *const *set)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; set[i] != NULL; i++) {
		if (strcmp(s, set[i]) == 0)
			return 1;
	}
	return 0;
}

static const char *const audit_roles[] = {
	"seeker", "helper", "moderator", "admin", "anonymous", "system", NULL
};
static const char *const audit_outcomes[] = { "success", "failure", "denied", NULL };

astral_err
astral_audit_append(struct astral_db *db, const struct astral_audit_event *ev)
{
	struct astral_params p;
	long long detail_chars;

	if (db == NULL || ev == NULL)
		return ASTRAL_ERR_INVALID;
	if (!audit_in_set(ev->actor_role, audit_roles) || !audit_code_valid(ev->action) ||
	    !audit_code_valid(ev->object_type) || !audit_in_set(ev->outcome, audit_outcomes))
		return ASTRAL_ERR_INVALID;
	if ((ev->actor_id != NULL && !astral_uuid_valid(ev->actor_id)) ||
	    (ev->subject_id != NULL && !astral_uuid_valid(ev->subject_id)))
		return ASTRAL_ERR_INVALID;
	if (ev->detail != NULL) {
		detail_chars = utf8_chars((const unsigned char *)ev->detail, strlen(ev->detail));
		if (detail_chars < 0 || detail_chars > AUDIT_DETAIL_MAX_CHARS)
			return ASTRAL_ERR_INVALID;
	}
	astral_params_init(&p);
	astral_params_text(&p, ev->actor_id);
	astral_params_text(&p, ev->actor_role);
	astral_params_text(&p, ev->action);
	astral_params_text(&p, ev->object_type);
	astral_params_text(&p, ev->object_id);
	astral_params_text(&p, ev->subject_id);
	astral_params_text(&p, ev->outcome);
	astral_params_text(&p, ev->request_id);
	astral_params_text(&p, ev->detail);
	/* Appended just before COMMIT: the chain head stays locked for the commit only. */
	return astral_db_queue_at_commit(db, &astral_audit_stmts[AUDIT_APPEND], &p);
}

astral_err
astral_audit_row_hash(const struct astral_audit_row *row, const unsigned char prev[ASTRAL_SHA256_LEN],
                      unsigned char out[ASTRAL_SHA256_LEN])
{
	const char *fields[AUDIT_FIELDS];
	long long chars[AUDIT_FIELDS];
	size_t lens[AUDIT_FIELDS];
	unsigned char *buf = NULL;
	size_t total = ASTRAL_SHA256_LEN, pos;
	astral_err err = ASTRAL_ERR_INVALID;

	memset(out, 0, ASTRAL_SHA256_LEN);
	if (row == NULL || prev == NULL)
		goto out;
	fields[0] = row->id;
	fields[1] = row->occurred_us;
	fields[2] = row->actor_id;
	fields[3] = row->actor_role;
	fields[4] = row->action;
	fields[5] = row->object_type;
	fields[6] = row->object_id;
	fields[7] = row->subject_id;
	fields[8] = row->outcome;
	fields[9] = row->request_id;
	fields[10] = row->detail;
	for (size_t i = 0; i < AUDIT_FIELDS; i++) {
		if (fields[i] == NULL) {
			total += 2;                             /* "-;" */
			continue;
		}
		lens[i] = strlen(fields[i]);
		chars[i] = utf8_chars((const unsigned char *)fields[i], lens[i]);
		if (chars[i] < 0)
			goto out;
		if (lens[i] > SIZE_MAX / 2 - total)
			goto out;
		total += 20 + 2 + lens[i];                 /* digits, ':' and ';', text */
	}
	buf = malloc(total);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	memcpy(buf, prev, ASTRAL_SHA256_LEN);
	pos = ASTRAL_SHA256_LEN;
	for (size_t i = 0; i < AUDIT_FIELDS; i++) {
		int n;

		if (fields[i] == NULL) {
			memcpy(buf + pos, "-;", 2);
			pos += 2;
			continue;
		}
		n = snprintf((char *)buf + pos, total - pos, "%lld:", chars[i]);
		if (n < 0 || (size_t)n >= total - pos) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		pos += (size_t)n;
		memcpy(buf + pos, fields[i], lens[i]);
		pos += lens[i];
		buf[pos++] = ';';
	}
	astral_sha256(buf, pos, out);
	err = ASTRAL_OK;
out:
	free(buf);
	return err;
}

/* Copies one bytea column of 32 bytes into out; 0 on success. */
static int
audit_hash_column(const PGresult *res, int row, int col, unsigned char out[ASTRAL_SHA256_LEN])
{
	unsigned char *b = NULL;
	size_t n = 0;
	int rc = -1;

	if (astral_db_bytes(res, row, col, &b, &n) == ASTRAL_OK && n == ASTRAL_SHA256_LEN) {
		memcpy(out, b, ASTRAL_SHA256_LEN);
		rc = 0;
	}
	free(b);
	return rc;
}

/* Opens a transaction for the walk unless the caller already has one. */
static astral_err
audit_walk_begin(struct astral_db *db, int own)
{
	return own ? astral_db_begin(db, NULL, "system") : ASTRAL_OK;
}

static astral_err
audit_walk_end(struct astral_db *db, int own)
{
	return own ? astral_db_commit(db) : ASTRAL_OK;
}

/* Where each chain stands: its head as read before the walk, and the walk's progress. */
struct audit_chain_state {
	long long head_id;                           /* the head's last row (0: empty) */
	unsigned char head_hash[ASTRAL_SHA256_LEN];
	long long last_id;                           /* the last row walked */
	unsigned char prev[ASTRAL_SHA256_LEN];       /* its hash */
};

/* Read the 16 chain heads; *top = the highest last id. */
static astral_err
audit_read_heads(struct astral_db *db, struct audit_chain_state chains[AUDIT_CHAINS], long long *top,
                 char *why, size_t whylen)
{
	PGresult *res = NULL;
	astral_err err;

	*top = 0;
	err = astral_db_exec(db, &astral_audit_stmts[AUDIT_HEAD], NULL, &res);
	if (err != ASTRAL_OK)
		goto out;
	err = ASTRAL_ERR_CRYPTO;
	if (PQntuples(res) != AUDIT_CHAINS) {
		snprintf(why, whylen, "the chain heads (audit_chains) are not the %d rows expected", AUDIT_CHAINS);
		goto out;
	}
	for (int r = 0; r < AUDIT_CHAINS; r++) {
		if (astral_db_int(res, r, 0) != r || audit_hash_column(res, r, 2, chains[r].head_hash) != 0) {
			snprintf(why, whylen, "the head of chain %d (audit_chains) is missing or malformed", r);
			goto out;
		}
		chains[r].head_id = astral_db_int(res, r, 1);
		if (chains[r].head_id > *top)
			*top = chains[r].head_id;
	}
	err = ASTRAL_OK;
out:
	PQclear(res);
	return err;
}

/* Check one row against its chain; on success it becomes the chain's last row. */
static astral_err
audit_check_row(const PGresult *res, int r, struct audit_chain_state *chain, long long *bad_id, char *why,
                size_t whylen)
{
	unsigned char stored_prev[ASTRAL_SHA256_LEN], stored[ASTRAL_SHA256_LEN], computed[ASTRAL_SHA256_LEN];
	struct astral_audit_row row;

	row.id = astral_db_value(res, r, 0);
	row.occurred_us = astral_db_value(res, r, 1);
	row.actor_id = astral_db_value(res, r, 2);
	row.actor_role = astral_db_value(res, r, 3);
	row.action = astral_db_value(res, r, 4);
	row.object_type = astral_db_value(res, r, 5);
	row.object_id = astral_db_value(res, r, 6);
	row.subject_id = astral_db_value(res, r, 7);
	row.outcome = astral_db_value(res, r, 8);
	row.request_id = astral_db_value(res, r, 9);
	row.detail = astral_db_value(res, r, 10);
	*bad_id = astral_db_int(res, r, 0);
	if (audit_hash_column(res, r, 11, stored_prev) != 0 || audit_hash_column(res, r, 12, stored) != 0) {
		snprintf(why, whylen, "prev_hash or hash is not 32 bytes");
		return ASTRAL_ERR_CRYPTO;
	}
	if (!astral_ct_equal(stored_prev, chain->prev, sizeof(stored_prev))) {
		if (chain->last_id == 0)
			snprintf(why, whylen, "prev_hash of the first row of its chain is not all zeros "
			         "(a row before it is missing)");
		else
			snprintf(why, whylen, "prev_hash does not match the hash of row %lld, the one before it in "
			         "its chain (a row between them is missing, or row %lld was changed)", chain->last_id,
			         chain->last_id);
		return ASTRAL_ERR_CRYPTO;
	}
	if (astral_audit_row_hash(&row, chain->prev, computed) != ASTRAL_OK) {
		snprintf(why, whylen, "the row is not valid UTF-8 text");
		return ASTRAL_ERR_CRYPTO;
	}
	if (!astral_ct_equal(computed, stored, sizeof(stored))) {
		snprintf(why, whylen, "hash does not match the row's contents");
		return ASTRAL_ERR_CRYPTO;
	}
	memcpy(chain->prev, stored, sizeof(stored));
	chain->last_id = *bad_id;
	*bad_id = 0;
	return ASTRAL_OK;
}

/* After the walk: every chain must end where its head says. */
static astral_err
audit_check_ends(const struct audit_chain_state chains[AUDIT_CHAINS], long long *bad_id, char *why, size_t whylen)
{
	for (int c = 0; c < AUDIT_CHAINS; c++) {
		if (chains[c].last_id != chains[c].head_id) {
			*bad_id = chains[c].head_id;
			snprintf(why, whylen, "the row is missing: chain %d ends at row %lld but its head says it "
			         "ends at row %lld", c, chains[c].last_id, chains[c].head_id);
			return ASTRAL_ERR_CRYPTO;
		}
		if (!astral_ct_equal(chains[c].prev, chains[c].head_hash, ASTRAL_SHA256_LEN)) {
			*bad_id = chains[c].last_id;
			snprintf(why, whylen, "hash differs from the one recorded in the head of chain %d", c);
			return ASTRAL_ERR_CRYPTO;
		}
	}
	return ASTRAL_OK;
}

astral_err
astral_audit_verify(struct astral_db *db, long long *checked, long long *bad_id, char *why, size_t whylen)
{
	struct audit_chain_state chains[AUDIT_CHAINS];
	struct astral_params p;
	PGresult *res = NULL;
	long long top = 0, last_id = 0;
	int own, rows;
	astral_err err;

	*checked = 0;
	*bad_id = 0;
	if (whylen > 0)
		why[0] = '\0';
	own = !astral_db_in_transaction(db);
	memset(chains, 0, sizeof(chains));

	/* A chain's rows are in id order, so rows past a chain's head as read now were appended
	   during the walk; they are left for next time. */
	err = audit_walk_begin(db, own);
	if (err == ASTRAL_OK)
		err = audit_read_heads(db, chains, &top, why, whylen);
	if (err == ASTRAL_OK)
		err = audit_walk_end(db, own);
	if (err != ASTRAL_OK)
		goto out;

	for (;;) {
		err = audit_walk_begin(db, own);
		if (err != ASTRAL_OK)
			goto out;
		astral_params_init(&p);
		astral_params_int(&p, last_id);
		astral_params_int(&p, top);
		astral_params_int(&p, AUDIT_BATCH);
		err = astral_db_exec(db, &astral_audit_stmts[AUDIT_BATCH_AFTER], &p, &res);
		if (err != ASTRAL_OK)
			goto out;
		rows = PQntuples(res);
		for (int r = 0; r < rows; r++) {
			long long id = astral_db_int(res, r, 0), chain = astral_db_int(res, r, 13);

			last_id = id;
			if (chain < 0 || chain >= AUDIT_CHAINS) {
				*bad_id = id;
				snprintf(why, whylen, "the row names chain %lld, which does not exist", chain);
				err = ASTRAL_ERR_CRYPTO;
				goto out;
			}
			if (id > chains[chain].head_id)
				continue;
			(*checked)++;
			err = audit_check_row(res, r, &chains[chain], bad_id, why, whylen);
			if (err != ASTRAL_OK)
				goto out;
		}
		PQclear(res);
		res = NULL;
		err = audit_walk_end(db, own);
		if (err != ASTRAL_OK)
			goto out;
		if (rows < AUDIT_BATCH)
			break;
	}
	err = audit_check_ends(chains, bad_id, why, whylen);
out:
	PQclear(res);
	if (own && astral_db_in_transaction(db))
		astral_db_rollback(db);
	return err;
}
