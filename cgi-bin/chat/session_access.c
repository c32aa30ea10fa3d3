/* The caller's view of one help session: the object check every session route starts with. */
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "help_session_key.h"
#include "log.h"

void
chat_copy_value(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* Row `res` (CHAT_SESSION_ACCESS or CHAT_SESSION_OPEN) as the caller's view. */
static void
session_from_row(const PGresult *res, struct chat_session *out)
{
	chat_copy_value(out->id, sizeof(out->id), astral_db_value(res, 0, 0));
	chat_copy_value(out->seeker_id, sizeof(out->seeker_id), astral_db_value(res, 0, 1));
	chat_copy_value(out->helper_id, sizeof(out->helper_id), astral_db_value(res, 0, 2));
	chat_copy_value(out->my_role, sizeof(out->my_role), astral_db_value(res, 0, 3));
	out->ended = astral_db_bool(res, 0, 4);
	out->seeker_read_seq = astral_db_int(res, 0, 5);
	out->helper_read_seq = astral_db_int(res, 0, 6);
	out->feedback_given = astral_db_bool(res, 0, 7);
	out->kudos_given = astral_db_bool(res, 0, 8);
}

/* Run `stmt` for session `id` as the caller; NOT_FOUND unless exactly one row. */
static astral_err
session_query(struct astral_request *req, enum chat_stmt stmt, const char *id, PGresult **res)
{
	struct astral_params p;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	err = chat_exec(req, stmt, &p, res);
	if (err == ASTRAL_OK && PQntuples(*res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	return err;
}

astral_err
chat_session_access(struct astral_request *req, const char *id, struct chat_session *out)
{
	PGresult *res = NULL;
	astral_err err;

	memset(out, 0, sizeof(*out));
	err = session_query(req, CHAT_SESSION_ACCESS, id, &res);
	if (err == ASTRAL_OK)
		session_from_row(res, out);
	PQclear(res);
	return err;
}

/* The session and its key, read with `stmt` (CHAT_SESSION_OPEN or CHAT_SESSION_OPEN_TO_SEND). */
static astral_err
session_open_with(struct astral_request *req, enum chat_stmt stmt, const char *id, struct chat_session *out,
                  unsigned char dek[ASTRAL_DEK_LEN])
{
	PGresult *res = NULL;
	astral_err err;

	memset(out, 0, sizeof(*out));
	err = session_query(req, stmt, id, &res);
	if (err != ASTRAL_OK)
		goto out;
	session_from_row(res, out);
	err = astral_help_session_key_open(req, out->id, res, 0, 9, dek);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "session %s: its key cannot be loaded: %s", out->id, astral_strerror(err));
		err = err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL;
	}
out:
	PQclear(res);
	return err;
}

astral_err
chat_session_open(struct astral_request *req, const char *id, struct chat_session *out,
                  unsigned char dek[ASTRAL_DEK_LEN])
{
	return session_open_with(req, CHAT_SESSION_OPEN, id, out, dek);
}

astral_err
chat_session_open_to_send(struct astral_request *req, const char *id, struct chat_session *out,
                          unsigned char dek[ASTRAL_DEK_LEN])
{
	return session_open_with(req, CHAT_SESSION_OPEN_TO_SEND, id, out, dek);
}

const char *
chat_session_other(const struct chat_session *s)
{
	const char *other = strcmp(s->my_role, "seeker") == 0 ? s->helper_id : s->seeker_id;

	return other[0] != '\0' ? other : NULL;
}

const char *
chat_other_role(const char *role)
{
	return strcmp(role, "seeker") == 0 ? "helper" : "seeker";
}

long long
chat_read_seq_of(const struct chat_session *s, const char *role)
{
	return strcmp(role, "seeker") == 0 ? s->seeker_read_seq : s->helper_read_seq;
}
