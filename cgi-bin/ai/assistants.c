/*
 * The assistants: one model call each, on the server's prompt, with a deterministic fallback when
 * the model fails (docs/ai-api-contract.md):
 *   POST /api/ai/draft-post          the companion conversation → { content, category }
 *   POST /api/ai/summarize-post      a helper: a post → { summary }
 *   POST /api/ai/summarize-session   a participant: a session → { summary }
 *   POST /api/ai/guidance            a helper: a seeker's message → { flag, reason, suggested_replies, resources }
 *   POST /api/ai/helper-feedback     a helper: an ended session → { feedback }
 * What a session's routes send is scrubbed of both participants' names (ai_session_names): the
 * other person's words, or words to them, go to the model though that person did not ask.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ai.h"
#include "crisis_alert.h"
#include "help_session_key.h"
#include "json.h"
#include "log.h"
#include "validate.h"

static const char *const post_categories[] = {
	"Anxiety", "Depression", "Grief", "Relationships", "Stress", "Loneliness", "Other", NULL
};

/* Replies a helper can always use when the model gives none. */
static const char *const safe_replies[] = {
	"Thank you for telling me. I'm here with you.",
	"That sounds really hard. Would you like to tell me more about what's happening right now?",
	"Are you safe at the moment? If you might act on these thoughts, please contact a crisis line or emergency services now.",
};

struct post_in { const char *post_id; };
static const struct astral_field post_fields[] = {
	{ "post_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct post_in, post_id), 0 },
};
const struct astral_input_spec ai_post_input = { post_fields, 1, sizeof(struct post_in) };

struct session_in { const char *session_id; };
static const struct astral_field session_fields[] = {
	{ "session_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct session_in, session_id), 0 },
};
const struct astral_input_spec ai_session_input = { session_fields, 1, sizeof(struct session_in) };

struct guidance_in { const char *session_id; const char *message_id; };
static const struct astral_field guidance_fields[] = {
	{ "session_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct guidance_in, session_id), 0 },
	{ "message_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct guidance_in, message_id), 0 },
};
const struct astral_input_spec ai_guidance_input = { guidance_fields, 2, sizeof(struct guidance_in) };

/* { <key>: text or null, fallback } from a free-text answer of the model. */
static void
respond_text(struct astral_request *req, const char *key, char *raw, size_t max_chars)
{
	struct json_object *body = json_object_new_object();
	char *text = ai_output_text(raw, max_chars);

	if (text != NULL)
		astral_json_add_str(body, key, text);
	else
		json_object_object_add(body, key, NULL);
	astral_json_add_bool(body, "fallback", text == NULL);
	free(text);
	astral_respond(req, 200, body);
}

/* A string member of the model's JSON, checked and cut; NULL when absent or unusable. */
static char *
json_text(struct json_object *o, const char *key, size_t max_chars)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return ai_output_text(json_object_get_string(v), max_chars);
}

void
ai_draft_post(struct astral_request *req, const void *input)
{
	char *conversation = NULL, *own = NULL, *raw = NULL, *content = NULL, *category = NULL;
	struct json_object *answer = NULL, *body;
	astral_err err;

	(void)input;
	if (!ai_require_provider(req) || !ai_require_adult(req))
		return;
	err = ai_companion_transcript(req, &conversation, &own);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (own[0] == '\0') {
		astral_respond_error(req, 409, "nothing_to_draft", "There is no conversation with the AI to draft a post from yet.");
		goto out;
	}
	if (!ai_gate(req, AI_ACTION_DRAFT_POST))
		goto out;
	err = ai_ask_text(req, AI_PROMPT_DRAFT_POST, conversation, 1, &raw);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	answer = ai_output_json(raw);
	content = json_text(answer, "content", AI_DRAFT_MAX);
	category = json_text(answer, "category", 32);
	body = json_object_new_object();
	if (content != NULL) {
		astral_json_add_str(body, "content", content);
	} else {
		char *mine = ai_output_text(own, AI_DRAFT_MAX);   /* the person's own words */

		astral_json_add_str(body, "content", mine != NULL ? mine : "");
		free(mine);
	}
	astral_json_add_str(body, "category",
	                    content != NULL && category != NULL && astral_check_enum(category, post_categories) == NULL
	                    ? category : "Other");
	astral_json_add_bool(body, "fallback", content == NULL);
	ai_audit(req, "ai_draft_post", "ai_messages", NULL, NULL, content == NULL ? "fallback" : "draft");
	astral_respond(req, 200, body);
out:
	json_object_put(answer);
	free(conversation);
	free(own);
	free(raw);
	free(content);
	free(category);
}

/* The free-text assistants: which quota, prompt, audit row and answer field each one uses. */
struct text_task {
	enum ai_action action;
	enum ai_prompt prompt;
	const char *audit_action, *object_type, *key;
	size_t max_chars;
};
static const struct text_task summarize_post_task = {
	AI_ACTION_SUMMARIZE, AI_PROMPT_SUMMARIZE_POST, "ai_summarize_post", "post", "summary", AI_POST_SUMMARY_MAX,
};
static const struct text_task summarize_session_task = {
	AI_ACTION_SUMMARIZE, AI_PROMPT_SUMMARIZE_SESSION, "ai_summarize_session", "help_session", "summary",
	AI_SESSION_SUMMARY_MAX,
};
static const struct text_task feedback_task = {
	AI_ACTION_FEEDBACK, AI_PROMPT_HELPER_FEEDBACK, "ai_helper_feedback", "help_session", "feedback", AI_FEEDBACK_MAX,
};

/* Take the quota, ask the model about `text` (scrubbed), audit, answer { key, fallback }. */
static void
answer_text(struct astral_request *req, const struct text_task *t, const char *object_id, const char *text)
{
	char *raw = NULL;
	astral_err err;

	if (!ai_gate(req, t->action))
		return;
	err = ai_ask_text(req, t->prompt, text, 0, &raw);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	ai_audit(req, t->audit_action, t->object_type, object_id, NULL, raw == NULL ? "fallback" : t->key);
	respond_text(req, t->key, raw, t->max_chars);
	free(raw);
}

/* The one row statement `stmt` finds for ($1 = id, $2 = the caller); NULL when it answered
   itself: the error, or 404 with `not_found`. */
static PGresult *
the_callers_row(struct astral_request *req, enum ai_stmt stmt, const char *id, const char *not_found)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	err = ai_exec(req, stmt, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) == 1)
		return res;
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond_error(req, 404, "not_found", not_found);
	PQclear(res);
	return NULL;
}

void
ai_summarize_post(struct astral_request *req, const void *input)
{
	const struct post_in *in = input;
	PGresult *res;
	char *text = NULL;

	if (!ai_require_provider(req))
		return;
	res = the_callers_row(req, AI_POST_FOR_HELPER, in->post_id, "That post is not there.");
	if (res == NULL)
		return;
	text = ai_scrub(req, astral_db_value(res, 0, 0));
	if (text == NULL)
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
	else
		answer_text(req, &summarize_post_task, in->post_id, text);
	free(text);
	PQclear(res);
}

/* The session's transcript for a route: answers 404 itself when there is none for the caller. */
static char *
transcript_or_404(struct astral_request *req, const char *session_id)
{
	char *text = NULL;
	astral_err err = ai_session_transcript(req, session_id, &text);

	if (err == ASTRAL_ERR_NOT_FOUND)
		astral_respond_error(req, 404, "not_found", "That conversation is not there, or has no messages yet.");
	else if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	return err == ASTRAL_OK ? text : NULL;
}

void
ai_summarize_session(struct astral_request *req, const void *input)
{
	const struct session_in *in = input;
	char *text;

	if (!ai_require_provider(req))
		return;
	text = transcript_or_404(req, in->session_id);
	if (text != NULL)
		answer_text(req, &summarize_session_task, in->session_id, text);
	free(text);
}

void
ai_helper_feedback(struct astral_request *req, const void *input)
{
	const struct session_in *in = input;
	PGresult *res;
	char *text = NULL;

	if (!ai_require_provider(req))
		return;
	res = the_callers_row(req, AI_FEEDBACK_SESSION, in->session_id, "That conversation is not one you helped in.");
	if (res == NULL)
		return;
	if (!astral_db_bool(res, 0, 0)) {
		astral_respond_error(req, 409, "session_not_ended", "Feedback is given once the conversation has ended.");
		goto out;
	}
	text = transcript_or_404(req, in->session_id);
	if (text != NULL)
		answer_text(req, &feedback_task, in->session_id, text);
out:
	free(text);
	PQclear(res);
}

/* The seeker's message, opened; answers 404 itself when it is not one the caller helps with. */
static char *
guidance_message(struct astral_request *req, const struct guidance_in *in)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct astral_params p;
	PGresult *res = NULL;
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char *text = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, in->session_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->message_id);
	err = ai_exec(req, AI_GUIDANCE_MESSAGE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1) {
		astral_respond_error(req, 404, "not_found", "That message is not a seeker's message in a conversation you help in.");
		goto out;
	}
	if (err == ASTRAL_OK)
		err = astral_help_session_key_load(req, in->session_id, dek);
	if (err == ASTRAL_OK) {
		err = astral_db_bytes(res, 0, 1, &sealed, &slen);
		if (err == ASTRAL_OK)
			err = astral_field_open(dek, "messages", "body", in->message_id, sealed, slen, &text);
		OPENSSL_cleanse(dek, sizeof(dek));
	}
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
out:
	free(sealed);
	PQclear(res);
	return text;
}

/* suggested_replies: the model's (strings only, cut), or the safe ones. */
static struct json_object *
suggestions(struct json_object *answer, int *from_model)
{
	struct json_object *out = json_object_new_array(), *list;

	*from_model = 0;
	if (answer != NULL && json_object_object_get_ex(answer, "suggested_replies", &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list) && json_object_array_length(out) < AI_SUGGESTIONS; i++) {
			struct json_object *v = json_object_array_get_idx(list, i);
			char *t = json_object_is_type(v, json_type_string)
			          ? ai_output_text(json_object_get_string(v), AI_SUGGESTION_MAX) : NULL;

			if (t != NULL)
				json_object_array_add(out, json_object_new_string(t));
			free(t);
		}
	}
	if (json_object_array_length(out) > 0) {
		*from_model = 1;
		return out;
	}
	for (size_t i = 0; i < sizeof(safe_replies) / sizeof(safe_replies[0]); i++)
		json_object_array_add(out, json_object_new_string(safe_replies[i]));
	return out;
}

void
ai_guidance(struct astral_request *req, const void *input)
{
	const struct guidance_in *in = input;
	struct astral_crisis_result screen;
	struct json_object *answer = NULL, *body, *flag;
	struct ai_names names = { .n = 0 };
	char *message, *text = NULL, *raw = NULL, *reason = NULL;
	int model_flag = 0, from_model = 0, flagged;
	astral_err err;

	if (!ai_require_provider(req))
		return;
	message = guidance_message(req, in);
	if (message == NULL)
		return;
	astral_crisis_screen_or_none(message, &screen);
	/* The seeker wrote it and did not ask for the model: their names go as the helper's do. */
	err = ai_session_names(req, in->session_id, &names);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	text = ai_scrub_names(req, message, &names);
	if (text == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		goto out;
	}
	if (!ai_gate(req, AI_ACTION_GUIDANCE))
		goto out;
	err = ai_ask_text(req, AI_PROMPT_GUIDANCE, text, 1, &raw);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	answer = ai_output_json(raw);
	if (answer != NULL && json_object_object_get_ex(answer, "flag", &flag) && json_object_is_type(flag, json_type_boolean)) {
		model_flag = json_object_get_boolean(flag);
	} else {
		json_object_put(answer);                     /* no valid flag: the whole answer is not used */
		answer = NULL;
	}
	if (answer != NULL && !model_flag && screen.severity != ASTRAL_CRISIS_NONE) {
		/* The detector found risk where the model saw none: the model's all-clear reason and the
		   replies it wrote for a harmless message must not stand under a crisis flag. */
		json_object_put(answer);
		answer = NULL;
	}
	reason = json_text(answer, "reason", AI_REASON_MAX);
	flagged = model_flag || screen.severity != ASTRAL_CRISIS_NONE;
	body = json_object_new_object();
	astral_json_add_bool(body, "flag", flagged);
	if (reason != NULL && answer != NULL)
		astral_json_add_str(body, "reason", reason);
	else
		astral_json_add_str(body, "reason", screen.severity != ASTRAL_CRISIS_NONE
		                    ? "The crisis detector found signs of risk in this message." : "none");
	json_object_object_add(body, "suggested_replies", suggestions(answer, &from_model));
	/* Resources come from the server's vetted list, never from the model. */
	json_object_object_add(body, "resources", flagged ? astral_crisis_lines_json(req->app) : json_object_new_array());
	astral_json_add_bool(body, "fallback", answer == NULL);
	if (flagged) {
		struct astral_params p;

		astral_params_init(&p);
		astral_params_text(&p, "guidance");
		astral_params_int(&p, req->now);
		if (astral_db_queue(req->app->db, &ai_stmts[AI_REFERRAL_COUNT], &p) != ASTRAL_OK)
			astral_log(ASTRAL_LOG_ERROR, "the crisis referral count could not be queued");
	}
	ai_audit(req, "ai_guidance", "message", in->message_id, NULL, answer == NULL ? "fallback" : "guidance");
	astral_respond(req, 200, body);
out:
	json_object_put(answer);
	ai_names_free(&names);
	free(message);
	free(text);
	free(raw);
	free(reason);
}
