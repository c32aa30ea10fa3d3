/* Text at rest in the care tables: sealed with the user's own data key, bound to its table,
   column and row, so that a ciphertext copied to another row or user does not open. */
#include <stdlib.h>

#include <openssl/crypto.h>

#include "account.h"
#include "care.h"
#include "log.h"

astral_err
care_data_key(struct astral_request *req, unsigned char dek[ASTRAL_DEK_LEN])
{
	astral_err err = astral_account_data_key(req->app->db, req->app->keyring, req->who.user_id, dek);

	/* The key's read is often the handler's first statement, which brings the session check's
	   verdict: a session that is over is the dispatcher's to answer (401), not a lost key. */
	if (err != ASTRAL_OK && err != ASTRAL_ERR_DB_DOWN && err != ASTRAL_ERR_UNAUTHORIZED &&
	    err != ASTRAL_ERR_EXPIRED) {
		astral_log(ASTRAL_LOG_ERROR, "the data key of the signed-in user cannot be loaded: %s",
		           astral_strerror(err));
		err = ASTRAL_ERR_INTERNAL;
	}
	return err;
}

astral_err
care_data_key_or_answer(struct astral_request *req, unsigned char dek[ASTRAL_DEK_LEN])
{
	astral_err err = care_data_key(req, dek);

	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	return err;
}

astral_err
care_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *table, const char *column, const char *row_id,
          const char *text, unsigned char **out, size_t *outlen)
{
	return astral_field_seal(dek, table, column, row_id, text, out, outlen);
}

astral_err
care_seal_for_caller(struct astral_request *req, const char *table, const char *column, const char *row_id,
                     const char *text, unsigned char **out, size_t *outlen)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	astral_err err = care_data_key(req, dek);

	if (err != ASTRAL_OK)
		return err;
	if (care_seal(dek, table, column, row_id, text, out, outlen) != ASTRAL_OK)
		err = ASTRAL_ERR_INTERNAL;
	OPENSSL_cleanse(dek, sizeof(dek));
	return err;
}

astral_err
care_open_column(const unsigned char dek[ASTRAL_DEK_LEN], const char *table, const char *column,
                 const char *row_id, const PGresult *res, int row, int col, char **text)
{
	unsigned char *sealed = NULL;
	size_t slen = 0;
	astral_err err;

	*text = NULL;
	err = astral_db_bytes(res, row, col, &sealed, &slen);
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, table, column, row_id, sealed, slen, text);
	if (err != ASTRAL_OK) {
		/* Where, never what. */
		astral_log(ASTRAL_LOG_ERROR, "%s.%s of row %s does not open with its owner's key: %s", table, column,
		           row_id ? row_id : "-", astral_strerror(err));
		err = ASTRAL_ERR_INTERNAL;
	}
	free(sealed);
	return err;
}
