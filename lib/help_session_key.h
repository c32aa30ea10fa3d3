/*
 * The conversation key of a help session: one random data key per session, wrapped by the
 * keyring's master key (AAD "help_session_keys|dek|<session id>"), so both participants'
 * requests can read the messages and neither needs the other's personal key. Deleting the
 * session deletes the key, and with it every message.
 */
#ifndef ASTRAL_HELP_SESSION_KEY_H
#define ASTRAL_HELP_SESSION_KEY_H

#include "crypt.h"
#include "db.h"
#include "error.h"
#include "http.h"

/* Generate a key for a session created in this transaction (queue its row after the session's
   INSERT) and return it in dek. */
astral_err astral_help_session_key_create(struct astral_request *req, const char *session_id,
                                          unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* Unwrap the key a program read itself (wrapped_key in column `col` of `row`), for a statement
   that fetches the session and its key together. NOT_FOUND when the column is NULL. */
astral_err astral_help_session_key_open(struct astral_request *req, const char *session_id, const PGresult *res,
                                        int row, int col, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* Load and unwrap the key (row-level security lets only participants read it). NOT_FOUND when
   the session has none or the caller is not in it. */
astral_err astral_help_session_key_load(struct astral_request *req, const char *session_id,
                                        unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;

extern const struct astral_stmt astral_help_session_key_stmts[];
extern const size_t astral_help_session_key_stmt_count;

#endif
