/*
 * Creating an account: one place that both cgi-bin/auth and astralctl use, so every account
 * gets its data key, its row and its audit entry the same way.
 */
#ifndef ASTRAL_ACCOUNT_H
#define ASTRAL_ACCOUNT_H

#include <stddef.h>

#include "crypt.h"
#include "db.h"
#include "error.h"
#include "keyring.h"

struct astral_new_account {
	const char *role;           /* seeker|helper|moderator|admin */
	const char *helper_tier;    /* "community"/"certified" for helpers, else NULL */
	const char *username;       /* already validated and lower-cased */
	const char *display_name;
	const char *password_hash;  /* argon2id PHC string or NULL */
	const unsigned char *recovery_hash; /* SHA-256 of the recovery code, or NULL */
	const char *request_id;     /* for the audit row, or NULL */
	const char *actor_role;     /* who creates it: "anonymous" (self-service) or "system" (astralctl) */
};

/* Inside the caller's open transaction: picks a new id, sets the transaction identity to it,
   generates and wraps a data key, inserts users and user_keys, appends the audit row
   `account_create`. ASTRAL_ERR_CONFLICT when the username is taken; the transaction stays usable,
   so the caller may try another name. `now` is unix seconds. */
astral_err astral_account_create(struct astral_db *db, struct astral_keyring *kr,
                                 const struct astral_new_account *acct, long long now,
                                 char id_out[37]) ASTRAL_MUST_USE;

/* Load and unwrap a user's data key (inside a transaction whose identity is that user). */
astral_err astral_account_data_key(struct astral_db *db, struct astral_keyring *kr, const char *user_id,
                                   unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* The same from a row the caller read itself: column `col` of `row` holds user_keys.wrapped_key
   (NOT_FOUND when it is NULL: no key). */
astral_err astral_account_data_key_open(struct astral_keyring *kr, const char *user_id, const PGresult *res, int row,
                                        int col, unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;

#endif
