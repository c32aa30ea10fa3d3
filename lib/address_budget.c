/* The per-address request budget (see address_budget.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_budget.h"
#include "app.h"
#include "digest.h"
#include "error.h"
#include "log.h"

const struct astral_stmt astral_address_budget_stmts[] = {
	/* $1 the address's key, $2 now (unix seconds), $3 rate a second, $4 burst: 0 or seconds to wait. */
	{ "address_budget_take",
	  "SELECT astral_auth_address_take($1::bytea, to_timestamp($2::bigint), $3::double precision, $4::integer)", 4 },
};
const size_t astral_address_budget_stmt_count =
	sizeof(astral_address_budget_stmts) / sizeof(astral_address_budget_stmts[0]);

/* HMAC(server key, "address-budget|" address): the same address always gives the same key, and the
   table cannot be read back into addresses without the server key. */
static astral_err
address_key(const struct astral_request *req, unsigned char key[ASTRAL_SHA256_LEN])
{
	const char *addr = req->remote_addr != NULL ? req->remote_addr : "";
	char text[128];
	int n = snprintf(text, sizeof(text), "address-budget|%s", addr);

	if (n < 0 || (size_t)n >= sizeof(text))
		return ASTRAL_ERR_INVALID;
	return astral_hmac_sha256(req->app->cfg.jwt_key, req->app->cfg.jwt_key_len, text, (size_t)n, key);
}

static void
refuse(struct astral_request *req, double wait)
{
	astral_respond_too_many(req, wait, "Too many requests from this address. Wait a moment and try again.");
}

int
astral_address_budget_take(struct astral_request *req)
{
	const struct astral_config *cfg = &req->app->cfg;
	struct astral_db *db = req->app->db;
	unsigned char key[ASTRAL_SHA256_LEN];
	struct astral_params p;
	PGresult *res = NULL;
	double wait = 0;
	astral_err err;

	if (cfg->auth_address_rate <= 0)
		return 1;
	err = address_key(req, key);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_WARN, "the client address is too long to budget");
		refuse(req, 1);
		return 0;
	}
	astral_params_init(&p);
	astral_params_bytes(&p, key, sizeof(key));
	astral_params_int(&p, req->now);
	astral_params_int(&p, cfg->auth_address_rate);
	astral_params_int(&p, cfg->auth_address_burst);
	err = astral_db_begin(db, NULL, NULL);
	if (err == ASTRAL_OK)
		err = astral_db_exec(db, &astral_address_budget_stmts[0], &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err == ASTRAL_OK)
		wait = strtod(astral_db_value(res, 0, 0), NULL);
	PQclear(res);
	if (err == ASTRAL_OK)
		err = astral_db_commit(db);
	else
		astral_db_rollback(db);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL);
		return 0;
	}
	if (wait > 0) {
		refuse(req, wait);
		return 0;
	}
	return 1;
}
