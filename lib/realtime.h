/*
 * The server side of real time: events go to nchan's publisher, which listens on loopback only
 * (realtime.publish_url), after COMMIT. A failed publish loses nothing: PostgreSQL holds the data.
 *
 * The publisher is reached with plain HTTP/1.1 over a loopback socket (lib/publisher.c), one
 * keep-alive connection per process that carries every publish and close in turn. That keeps
 * libcurl (and its dozen libraries) out of programs that only publish; the AI program, which talks
 * to the outside world over TLS, is the one that links libcurl.
 *
 * With [realtime] transport = polling (a front end without nchan, such as Apache) nothing is
 * published or closed: the UI learns of changes by polling the lists (docs/architecture.md).
 */
#ifndef ASTRAL_REALTIME_H
#define ASTRAL_REALTIME_H

#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "http.h"
#include "error.h"

/* The channel id of a user's event stream: "user-<uuid>". */
void astral_rt_user_channel(const char *user_id, char *buf, size_t len);
/* Delete the user's channel, which closes every open stream of that user (logout, ban, role change). */
astral_err astral_rt_close_user(const struct astral_app *app, const char *user_id) ASTRAL_MUST_USE;

/* Keep an event for the user until the request's transaction has committed; the dispatcher
   publishes every kept event after the response is sent, and drops them when the request
   fails. Takes ownership of event. */
void astral_rt_after_commit(struct astral_request *req, const char *user_id, struct json_object *event);
/* Close every open stream of the user once the request's transaction has committed (logout, a
   reused refresh token, account deletion, a ban, a role change, a password change): by then the
   sessions are revoked, so a stream that reconnects is refused. Closing before COMMIT would let
   a stream reconnect in between and stay open. Nothing happens when the request fails (5xx). */
void astral_rt_close_after_commit(struct astral_request *req, const char *user_id);
/* The dispatcher's side, once the request's transaction has committed: close the streams asked
   for, and publish the kept events when `with_events` (the request succeeded: a refusal's events
   are dropped, while its closes still run, as a refusal may have revoked sessions — a reused
   refresh token, say); then forget them all. */
void astral_rt_publish_pending(struct astral_request *req, int with_events);
/* "http://127.0.0.1:8091/rt/pub" → host, port, path. INVALID for anything else (https, names,
   user info, a missing path). Exposed for the config check and the fuzz target; the same as
   astral_publisher_parse_url. */
astral_err astral_rt_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen,
                               char *path, size_t pathlen) ASTRAL_MUST_USE;
/* The status code of an HTTP/1.x status line ("HTTP/1.1 204 No Content\r\n..."); the same as
   astral_publisher_parse_status (astral_publisher_parse_head reads a whole response head). */
astral_err astral_rt_parse_status(const char *buf, size_t len, int *status) ASTRAL_MUST_USE;

#endif
