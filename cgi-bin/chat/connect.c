/*
 * GET /api/rt/connect: the signed-in user's event stream. The dispatcher has checked the session;
 * this hands the connection to nchan with X-Accel-Redirect to the user's own channel
 * (docs/architecture.md §6). Clients never name a channel; `session` only checks membership.
 * `probe=true`, and every call when [realtime] transport = polling (a front end without nchan),
 * answers JSON instead: the transport, and how often to poll with it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "realtime.h"

#define LAST_EVENT_ID_MAX 100

struct connect_in { const char *session; const char *last_event_id; int probe; };
static const struct astral_field connect_fields[] = {
	{ "session", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct connect_in, session), 0 },
	{ "last_event_id", ASTRAL_F_TEXT, 0, 1, LAST_EVENT_ID_MAX, NULL, offsetof(struct connect_in, last_event_id), 0 },
	{ "probe", ASTRAL_F_BOOL, 0, 0, 0, NULL, offsetof(struct connect_in, probe), 0 },
};
const struct astral_input_spec chat_rt_connect_input = { connect_fields, 3, sizeof(struct connect_in) };

/* nchan's message ids look like "1700000000:0" (time and tag; a multi-tag id separates tags
   with commas). Digits, letters, ':', ',', '.', '_' and '-' only, so the value goes into the
   redirect's query string as it is. */
static int
last_event_id_valid(const char *v)
{
	static const char allowed[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:,._-";

	return v[0] != '\0' && strspn(v, allowed) == strlen(v);
}

/* The JSON answer: {"transport":"nchan"} or {"transport":"polling","poll_seconds":N,"message":...}. */
static void
respond_transport(struct astral_request *req)
{
	const struct astral_config *cfg = &req->app->cfg;
	struct json_object *body = json_object_new_object();

	if (body == NULL) {
		astral_respond_err(req, ASTRAL_ERR_NOMEM);
		return;
	}
	if (cfg->rt_transport == ASTRAL_RT_POLLING) {
		json_object_object_add(body, "transport", json_object_new_string("polling"));
		json_object_object_add(body, "poll_seconds", json_object_new_int64(cfg->rt_poll_seconds));
		json_object_object_add(body, "message", json_object_new_string(
			"This server has no event stream: fetch the lists (messages with ?after=, sessions, "
			"alerts) every poll_seconds instead."));
	} else {
		json_object_object_add(body, "transport", json_object_new_string("nchan"));
	}
	astral_respond(req, 200, body);
}

void
chat_rt_connect(struct astral_request *req, const void *input)
{
	const struct connect_in *in = input;
	char channel[64], target[64 + 32 + LAST_EVENT_ID_MAX];
	struct chat_session s;
	astral_err err;
	int n;

	if (in->last_event_id != NULL && !last_event_id_valid(in->last_event_id)) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "last_event_id",
		                           "is not an event id");
		return;
	}
	if (in->session != NULL) {
		err = chat_session_access(req, in->session, &s);
		if (err != ASTRAL_OK) {
			astral_respond_err(req, err);
			return;
		}
	}
	if (in->probe || req->app->cfg.rt_transport == ASTRAL_RT_POLLING) {
		respond_transport(req);
		return;
	}
	astral_rt_user_channel(req->who.user_id, channel, sizeof(channel));
	if (in->last_event_id != NULL)
		n = snprintf(target, sizeof(target), "/rt/internal/%s?last_event_id=%s", channel, in->last_event_id);
	else
		n = snprintf(target, sizeof(target), "/rt/internal/%s", channel);
	if (n < 0 || (size_t)n >= sizeof(target)) {
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	astral_header(req, "X-Accel-Redirect", target);
	astral_header(req, "X-Accel-Buffering", "no");
	/* No body and no Content-Type: nginx replaces this answer with nchan's stream. */
	astral_respond(req, 200, NULL);
}
