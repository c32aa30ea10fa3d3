/* One model call with what every call needs around it: no transaction held while it runs, the
   action's system prompt from the server, and a plain answer (text, or NULL for the fallback). */
#include <stdlib.h>
#include <string.h>

#include "ai.h"

astral_err
ai_pause_transaction(struct astral_request *req)
{
	return astral_db_commit_in_flight(req->app->db);
}

astral_err
ai_resume_transaction(struct astral_request *req)
{
	return astral_db_begin(req->app->db, req->who.user_id, req->who.role);
}

astral_err
ai_ask_text(struct astral_request *req, enum ai_prompt prompt, const char *user_text, int json_reply, char **out)
{
	struct ai_turn turn = { AI_SPEAKER_USER, user_text };
	struct ai_call call = {
		.system = ai_runtime_prompt(prompt), .turns = &turn, .nturns = 1, .json_reply = json_reply,
		.max_output_tokens = 0, .on_text = NULL, .ctx = NULL,
	};
	struct ai_reply reply;
	char *text = NULL;
	astral_err err;

	*out = NULL;
	err = ai_pause_transaction(req);
	if (err != ASTRAL_OK)
		return err;
	ai_provider_call(ai_runtime_provider(), &call, &reply);
	if (reply.outcome == AI_OK && reply.text != NULL && reply.text[strspn(reply.text, " \t\r\n")] != '\0') {
		text = reply.text;
		reply.text = NULL;
	}
	ai_reply_free(&reply);
	err = ai_resume_transaction(req);
	if (err != ASTRAL_OK) {
		free(text);
		return err;
	}
	*out = text;
	return ASTRAL_OK;
}
