/*
 * The append-only, hash-chained audit log (migrations/0004_audit_log.sql holds the table,
 * 0008_audit_chains.sql the sixteen chains, 0027_audit_append_lighter.sql the trigger that links
 * rows as it stands; this module appends and verifies).
 */
#ifndef ASTRAL_AUDIT_H
#define ASTRAL_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "digest.h"
#include "error.h"

struct astral_audit_event {
	const char *actor_id;     /* uuid or NULL */
	const char *actor_role;   /* seeker|helper|moderator|admin|anonymous|system */
	const char *action;       /* [a-z_]+, e.g. "login_failure" */
	const char *object_type;  /* [a-z_]+, e.g. "session" */
	const char *object_id;    /* or NULL */
	const char *subject_id;   /* whose data (uuid) or NULL */
	const char *outcome;      /* success|failure|denied */
	const char *request_id;   /* or NULL */
	const char *detail;       /* a reason code, never content; or NULL */
};

/* The columns an appender writes (the trigger fills the rest), for a statement that writes its
   audit row itself, in the same statement as the change it records: a sent message
   (cgi-bin/chat/statements.c). */
#define ASTRAL_AUDIT_COLUMNS "actor_id, actor_role, action, object_type, object_id, subject_id, outcome, request_id, detail"

/* Append inside the caller's open transaction (commits with it). */
astral_err astral_audit_append(struct astral_db *db, const struct astral_audit_event *ev) ASTRAL_MUST_USE;

/* One stored row, as text, the way verify reads it. */
struct astral_audit_row {
	const char *id, *occurred_us, *actor_id, *actor_role, *action, *object_type, *object_id,
	           *subject_id, *outcome, *request_id, *detail;   /* NULL for SQL NULL */
};

/* hash = SHA-256(prev_hash || canonical(row)); canonical as documented in the migration. */
astral_err astral_audit_row_hash(const struct astral_audit_row *row, const unsigned char prev[ASTRAL_SHA256_LEN],
                                 unsigned char out[ASTRAL_SHA256_LEN]) ASTRAL_MUST_USE;

/* Walk every chain in id order (as the owner role). ASTRAL_OK when intact; otherwise
   ASTRAL_ERR_CRYPTO with *bad_id set to the first row whose prev_hash or hash is wrong
   (a deleted row shows as a broken link at the next row of its chain, a deleted last row as a
   chain shorter than its head). *checked counts rows read. */
astral_err astral_audit_verify(struct astral_db *db, long long *checked, long long *bad_id,
                               char *why, size_t whylen) ASTRAL_MUST_USE;

#endif
