/* Message bodies at rest: sealed with the session's conversation key, bound to the message row. */
#include <stdlib.h>

#include "chat.h"
#include "log.h"

astral_err
chat_message_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *message_id, const char *text,
                  unsigned char **out, size_t *outlen)
{
	return astral_field_seal(dek, "messages", "body", message_id, text, out, outlen);
}

astral_err
chat_message_from_row(const PGresult *res, int row, const unsigned char dek[ASTRAL_DEK_LEN], struct chat_message *m,
                      char **text_out)
{
	unsigned char *sealed = NULL;
	size_t slen = 0;
	astral_err err;

	*text_out = NULL;
	m->id = astral_db_value(res, row, CHAT_MC_ID);
	m->seq = astral_db_int(res, row, CHAT_MC_SEQ);
	m->sender_role = astral_db_value(res, row, CHAT_MC_SENDER_ROLE);
	m->client_key = astral_db_value(res, row, CHAT_MC_CLIENT_KEY);
	m->crisis_severity = astral_db_value(res, row, CHAT_MC_CRISIS);
	m->created_at = astral_db_int(res, row, CHAT_MC_CREATED_AT);
	m->text = NULL;
	if (m->id == NULL || m->sender_role == NULL || m->client_key == NULL || m->crisis_severity == NULL)
		return ASTRAL_ERR_INTERNAL;
	err = astral_db_bytes(res, row, CHAT_MC_BODY, &sealed, &slen);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_field_open(dek, "messages", "body", m->id, sealed, slen, text_out);
	if (err != ASTRAL_OK) {
		/* The id only: never the body. */
		astral_log(ASTRAL_LOG_ERROR, "message %s does not open with its session key: %s", m->id,
		           astral_strerror(err));
		goto out;
	}
	m->text = *text_out;
out:
	free(sealed);
	return err;
}
