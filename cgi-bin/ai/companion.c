/*
 * POST /api/ai/chat: one message to the companion and its reply, as JSON or, with Accept:
 * text/event-stream, streamed token by token (docs/ai-api-contract.md). The path of a message:
 *   1. the crisis detector screens the message; then one read (chat_open.c) gives the age
 *      answer, takes one use of today's quota unless the detector fired, and loads the key and
 *      the recent history. The person must have said they are 18 or over (else 403);
 *   2. a crisis hit answers with the fixed supportive reply and the crisis resources, alerts the
 *      moderators, and the model is not called; whatever is left of the quota, it takes none;
 *   3. otherwise the use must have been taken (or 429); the transaction is committed and the
 *      model is called with the server's prompt, the last AI_HISTORY_SENT messages and this one,
 *      names and contact details scrubbed, the oldest dropped beyond AI_CONTEXT_BYTES;
 *   4. the reply is screened as it arrives: a hit stops it and replaces it with the supportive
 *      reply and the resources (and alerts); a failure, block or empty reply becomes the fallback;
 *   5. in a new transaction both messages are stored sealed, the action audited.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "crisis_alert.h"
#include "json.h"
#include "log.h"
#include "strbuf.h"

struct chat_in { const char *message; };
static const struct astral_field chat_fields[] = {
	{ "message", ASTRAL_F_MULTILINE, 1, 1, AI_MESSAGE_MAX, NULL, offsetof(struct chat_in, message), 0 },
};
const struct astral_input_spec ai_chat_input = { chat_fields, 1, sizeof(struct chat_in) };

/* The reply as it streams in. */
struct reply_sink {
	struct astral_request *req;
	int streaming;
	struct astral_strbuf text;        /* the pieces so far */
	struct ai_output_count chars;     /* their characters, as ai_output_text counts them */
	int client_gone;
	int too_long;                     /* over AI_REPLY_MAX characters: not a reply the companion gives */
	int crisis;                       /* the detector fired on the reply so far */
	struct astral_crisis_stream stream; /* screens each piece with its sentence, not the whole */
	struct astral_crisis_result screen;
};

/* One server-sent event: "event: <name>\ndata: <json>\n\n"; takes `data`. */
static void
send_event(struct reply_sink *s, const char *name, struct json_object *data)
{
	const char *json = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t nlen = strlen(name), jlen = strlen(json);
	char *ev = malloc(nlen + jlen + 16);

	if (ev != NULL && !s->client_gone) {
		size_t n = 0;

		memcpy(ev + n, "event: ", 7), n += 7;
		memcpy(ev + n, name, nlen), n += nlen;
		memcpy(ev + n, "\ndata: ", 7), n += 7;
		memcpy(ev + n, json, jlen), n += jlen;
		memcpy(ev + n, "\n\n", 2), n += 2;
		if (astral_stream_write(s->req, ev, n) != ASTRAL_OK)
			s->client_gone = 1;
	}
	free(ev);
	json_object_put(data);
}

static struct json_object *
text_event(const char *text, size_t len)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "text", json_object_new_string_len(text, (int)len));
	return o;
}

/* The `error` event: the stream began but the conversation could not be stored. */
static void
send_not_stored(struct reply_sink *s)
{
	struct json_object *e = json_object_new_object();

	astral_json_add_str(e, "code", "not_stored");
	astral_json_add_str(e, "message", "The reply could not be saved. Please try again.");
	send_event(s, "error", e);
}

/* The provider's sink: keep the piece, screen what it brings to the reply so far (the sentence it
   is in and the words around, so a reply costs linear, not quadratic, detector time), pass it on.
   Stops the call on a crisis hit, at AI_REPLY_MAX, or when the client has gone. */
static int
on_piece(void *ctx, const char *piece, size_t len)
{
	struct reply_sink *s = ctx;

	astral_strbuf_add(&s->text, piece, len);
	if (s->text.failed)
		return 1;
	astral_crisis_stream_feed_or_none(&s->stream, s->text.s, s->text.len, &s->screen);
	if (s->screen.severity != ASTRAL_CRISIS_NONE) {
		s->crisis = 1;
		return 1;
	}
	/* Characters, not bytes: 4000 bytes are 1334 characters of Chinese. */
	ai_output_count_add(&s->chars, piece, len);
	if (s->chars.kept > AI_REPLY_MAX) {
		s->too_long = 1;
		return 1;
	}
	if (s->streaming)
		send_event(s, "token", text_event(piece, len));
	return s->client_gone;
}

static int
wants_stream(const struct astral_request *req)
{
	const char *accept = FCGX_GetParam("HTTP_ACCEPT", req->fcgx->envp);

	return accept != NULL && strstr(accept, "text/event-stream") != NULL;
}

/* The conversation sent to the model: the last messages (read at the opening) and this one, all
   scrubbed, within AI_CONTEXT_BYTES. */
static astral_err
build_turns(struct astral_request *req, const struct ai_message *history, size_t n, const char *message,
            struct ai_turn **turns, size_t *nturns)
{
	struct ai_turn *t = NULL;
	size_t k = 0;
	astral_err err = ASTRAL_OK;

	t = calloc(n + 1, sizeof(*t));
	if (t == NULL)
		return ASTRAL_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (history[i].fallback)
			continue;                 /* not the model's words: leave them out */
		t[k].speaker = strcmp(history[i].role, "ai") == 0 ? AI_SPEAKER_MODEL : AI_SPEAKER_USER;
		t[k].text = ai_scrub(req, history[i].text);
		if (t[k++].text == NULL) {
			err = ASTRAL_ERR_NOMEM;
			goto out;
		}
	}
	t[k].speaker = AI_SPEAKER_USER;
	t[k].text = ai_scrub(req, message);
	if (t[k++].text == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	*turns = t;
	*nturns = ai_context_keep_newest(t, k);   /* a long conversation would be refused whole */
	t = NULL;
out:
	for (size_t i = 0; t != NULL && i < k; i++)
		free((char *)(uintptr_t)t[i].text);
	free(t);
	return err;
}

static void
free_turns(struct ai_turn *t, size_t n)
{
	for (size_t i = 0; t != NULL && i < n; i++)
		free((char *)(uintptr_t)t[i].text);
	free(t);
}

/* Store both messages, alert on a crisis, audit; the answer's body. */
static astral_err
record(struct astral_request *req, const struct ai_conversation *c, struct ai_message *mine, struct ai_message *reply,
       const struct astral_crisis_result *crisis, int crisis_in_message, struct json_object **body)
{
	const char *severity = crisis != NULL ? astral_crisis_severity_name(crisis->severity) : "none";
	astral_err err;

	err = ai_history_append(req, c, mine, crisis_in_message ? severity : "none");
	if (err == ASTRAL_OK)
		err = ai_history_append(req, c, reply, crisis_in_message ? "none" : severity);
	if (err != ASTRAL_OK)
		return err;
	if (crisis != NULL)
		ai_crisis_raise(req, crisis, AI_ACTION_CHAT, crisis_in_message ? mine->id : reply->id);
	ai_audit(req, "ai_chat", "ai_messages", reply->id, NULL,
	         crisis != NULL ? "crisis" : reply->fallback ? "fallback" : "reply");
	*body = json_object_new_object();
	json_object_object_add(*body, "user_message", ai_message_json(mine));
	json_object_object_add(*body, "reply", ai_message_json(reply));
	if (crisis != NULL) {
		json_object_object_add(*body, "crisis", astral_crisis_response_json(req->app, crisis));
	} else if (reply->fallback) {
		/* The model failed: the supportive message comes with the crisis lines all the same. */
		json_object_object_add(*body, "resources", astral_crisis_lines_json(req->app));
	}
	astral_json_add_bool(*body, "fallback", reply->fallback);
	return ASTRAL_OK;
}

/* Call the model with the conversation, streaming pieces through the sink (and to the client when
   it asked for events). Outside any transaction: the caller resumes one after. */
static astral_err
ask_companion(struct astral_request *req, const struct ai_chat_opening *o, const char *message,
              struct reply_sink *sink, struct ai_reply *got)
{
	struct ai_turn *turns = NULL;
	size_t nturns = 0;
	astral_err err;

	err = build_turns(req, o->history, o->nhistory, message, &turns, &nturns);
	if (err == ASTRAL_OK)
		err = ai_pause_transaction(req);
	if (err == ASTRAL_OK && sink->streaming)
		err = astral_stream_begin(req, 200, "text/event-stream; charset=utf-8");
	if (err == ASTRAL_OK) {
		struct ai_call call = {
			.system = ai_runtime_prompt(AI_PROMPT_COMPANION), .turns = turns, .nturns = nturns,
			.json_reply = 0, .max_output_tokens = 0, .on_text = on_piece, .ctx = sink,
		};

		ai_provider_call(ai_runtime_provider(), &call, got);
	}
	free_turns(turns, nturns);
	return err;
}

/* What the person gets: the model's reply once checked and screened whole, the crisis reply when
   the detector fired on it, or the fallback when the call failed, was cut, or said nothing. */
static void
choose_reply(struct reply_sink *sink, const struct ai_reply *got, struct ai_message *reply,
             const struct astral_crisis_result **crisis, char **checked)
{
	int usable = (got->outcome == AI_OK || (got->outcome == AI_STOPPED && sink->client_gone)) && !sink->too_long;

	if (!sink->crisis && usable)
		*checked = ai_output_text(sink->text.len > 0 ? sink->text.s : got->text, AI_REPLY_MAX);
	if (*checked != NULL) {
		astral_crisis_screen_or_none(*checked, &sink->screen);
		sink->crisis = sink->screen.severity != ASTRAL_CRISIS_NONE;
	}
	if (sink->crisis) {
		*crisis = &sink->screen;
		reply->text = (char *)(uintptr_t)ai_crisis_reply;
		reply->fallback = 1;
	} else if (*checked != NULL) {
		reply->text = *checked;
	} else {
		reply->text = (char *)(uintptr_t)ai_fallback_reply;
		reply->fallback = 1;
	}
	/* The client saw the pieces: tell it when what stands is something else. */
	if (sink->streaming && strcmp(reply->text, sink->text.s != NULL ? sink->text.s : "") != 0)
		send_event(sink, "replace", text_event(reply->text, strlen(reply->text)));
}

/* Store, audit and answer: as JSON, or (streamed) commit first and then the `done` event, so that
   `done` means stored; a failure after the stream began is the `error` event. */
static void
answer(struct astral_request *req, const struct ai_conversation *c, struct reply_sink *sink, struct ai_message *mine,
       struct ai_message *reply, const struct astral_crisis_result *crisis, int crisis_in_message)
{
	struct json_object *body = NULL;
	astral_err err;

	err = record(req, c, mine, reply, crisis, crisis_in_message, &body);
	if (err == ASTRAL_OK && !sink->streaming) {
		astral_respond(req, 200, body);
		return;
	}
	if (err == ASTRAL_OK)
		err = astral_db_commit(req->app->db);
	if (err == ASTRAL_OK && !req->streaming)
		err = astral_stream_begin(req, 200, "text/event-stream; charset=utf-8");
	if (err == ASTRAL_OK) {
		send_event(sink, "done", body);
		return;
	}
	json_object_put(body);
	astral_log(ASTRAL_LOG_ERROR, "ai chat: the messages could not be stored");
	if (!req->streaming) {
		astral_respond_err(req, err);
		return;
	}
	if (astral_db_in_transaction(req->app->db))
		astral_db_rollback(req->app->db);
	send_not_stored(sink);
}

void
ai_chat(struct astral_request *req, const void *input)
{
	const struct chat_in *in = input;
	struct ai_chat_opening o;
	struct reply_sink sink = { .req = req };
	struct ai_message mine = { .role = "user" }, reply = { .role = "ai" };
	struct astral_crisis_result in_screen;
	const struct astral_crisis_result *crisis = NULL;
	struct ai_reply got = { 0 };
	char *checked = NULL;
	int in_crisis, chat_on;
	astral_err err;

	if (!ai_require_provider(req))
		return;
	/* The message is screened before the quota: a person in crisis is never turned away with a
	   429 (or a 403 for chat turned off), and the crisis reply takes no use of the day's quota,
	   as it asks no model. */
	astral_crisis_screen_or_none(in->message, &in_screen);
	in_crisis = in_screen.severity != ASTRAL_CRISIS_NONE;
	chat_on = ai_action_limit(req->app, AI_ACTION_CHAT) > 0;
	err = ai_chat_open(req, !in_crisis && chat_on, &o);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return;
	}
	if (!ai_adult_or_refuse(req, o.adult) || (!in_crisis && !ai_action_on(req, AI_ACTION_CHAT)))
		goto out;
	if (!in_crisis && !o.quota_taken) {
		ai_refuse_quota(req);
		goto out;
	}
	sink.streaming = wants_stream(req);
	mine.text = (char *)(uintptr_t)in->message;
	mine.created_at = reply.created_at = req->now;
	if (in_screen.severity != ASTRAL_CRISIS_NONE) {
		/* The model is not asked: the supportive reply and the resources, now. */
		crisis = &in_screen;
		reply.text = (char *)(uintptr_t)ai_crisis_reply;
		reply.fallback = 1;
		answer(req, &o.conversation, &sink, &mine, &reply, crisis, 1);
		goto out;
	}
	err = ask_companion(req, &o, in->message, &sink, &got);
	if (err == ASTRAL_OK) {
		choose_reply(&sink, &got, &reply, &crisis, &checked);
		err = ai_resume_transaction(req);
	}
	if (err == ASTRAL_OK)
		answer(req, &o.conversation, &sink, &mine, &reply, crisis, 0);
	else if (!req->streaming)
		astral_respond_err(req, err);
	else
		send_not_stored(&sink);
out:
	ai_chat_opening_free(&o);
	ai_reply_free(&got);
	free(checked);
	astral_strbuf_free(&sink.text);
}
