/*
 * A companion message's opening: the age answer, one use of today's quota, the conversation key
 * and its recent history in one statement (AI_CHAT_OPEN), where they were four round trips. Under
 * load each round trip is two more waits for a core (the worker's and PostgreSQL's), and the
 * gateway's added latency grew with them (docs/ai.md, "Sizing the worker pool").
 */
#include <string.h>

#include "account.h"
#include "ai.h"
#include "log.h"

astral_err
ai_chat_open(struct astral_request *req, int take_quota, struct ai_chat_opening *o)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	memset(o, 0, sizeof(*o));
	o->adult = -1;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, ai_action_name(AI_ACTION_CHAT));
	astral_params_int(&p, req->now);
	astral_params_int(&p, ai_action_limit(req->app, AI_ACTION_CHAT));
	astral_params_bool(&p, take_quota);
	astral_params_int(&p, AI_HISTORY_SENT);
	err = ai_exec(req, AI_CHAT_OPEN, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(res) < 1) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	if (!PQgetisnull(res, 0, 0))
		o->adult = astral_db_bool(res, 0, 0);
	o->quota_taken = !PQgetisnull(res, 0, 1);
	if (o->adult != 1)
		goto out;                       /* refused: no key, no history */
	err = astral_account_data_key_open(req->app->keyring, req->who.user_id, res, 0, 2, o->conversation.dek);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "ai chat: the person's data key cannot be opened: %s", astral_strerror(err));
		err = err == ASTRAL_ERR_DB_DOWN ? err : ASTRAL_ERR_INTERNAL;
		goto out;
	}
	o->conversation.open = 1;
	err = ai_history_from_rows(&o->conversation, res, 3, &o->history, &o->nhistory);
out:
	if (err != ASTRAL_OK)
		ai_chat_opening_free(o);
	PQclear(res);
	return err;
}

void
ai_chat_opening_free(struct ai_chat_opening *o)
{
	ai_conversation_close(&o->conversation);
	ai_history_free(o->history, o->nhistory);
	o->history = NULL;
	o->nhistory = 0;
}
