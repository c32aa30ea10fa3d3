/*
 * One HTTP request over libfcgi's explicit API, and its response. The request struct owns every
 * allocation made for it; astral_request_free() releases them all. The response is buffered and
 * written once by astral_response_send(), after the transaction has committed.
 */
#ifndef ASTRAL_HTTP_H
#define ASTRAL_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <fcgiapp.h>
#include <json-c/json.h>

#include "app.h"
#include "error.h"

#define ASTRAL_MAX_PATH_PARAMS 4

struct astral_identity {
	int authenticated;
	char user_id[37];
	char session_id[37];
	char role[16];          /* seeker|helper|moderator|admin */
	int mfa;                /* the session passed MFA */
	int via_cookie;         /* credentials came from the cookie (CSRF applies) */
	int64_t access_expires;
	int64_t session_created_at;    /* filled by the session check */
	int64_t session_expires_at;
	/* The signed-in user's account summary, read with the session check: empty while the check is
	   pending, so a handler reads them after its first statement has come back (or its route is
	   ASTRAL_SESSION_FIRST). */
	char username[33];
	char display_name[208];
	char helper_tier[16];          /* "" when none */
	int has_password;
	int mfa_enabled;
	int64_t user_created_at;
	/* The session check (lib/session.c): pending while it rides with the handler's first
	   statement, then its verdict; for an EXPIRED one, which limit was passed. */
	int check_pending;
	astral_err check_verdict;
	const char *expired_reason;
};

struct astral_request {
	FCGX_Request *fcgx;
	struct astral_app *app;
	int64_t now;                   /* read once per request from the clock */
	double started_ms;

	/* From the FastCGI parameters (pointers into libfcgi's environment). */
	const char *method;
	char *path;                    /* without the query string */
	const char *query;             /* "" when absent */
	const char *content_type;
	const char *cookie_header;
	const char *authorization;
	const char *origin;
	const char *remote_addr;
	const char *token_delivery;    /* X-Astral-Token-Delivery */
	long long content_length;      /* -1 when absent */
	char request_id[40];
	char route[96];                /* the matched pattern, for logs */

	char *body;
	size_t body_len;
	struct json_object *json;      /* the parsed body, owned */
	char *query_store;             /* decoded query values the handler's input points into, owned */
	char path_params[ASTRAL_MAX_PATH_PARAMS][64];
	int npath_params;

	struct astral_identity who;

	/* Response. */
	int status;
	char *headers;                 /* "Name: value\r\n" lines */
	size_t headers_len, headers_cap;
	struct json_object *response;  /* owned; NULL for an empty body */
	int has_response;
	/* A body that is not JSON (astral_respond_text), owned; NULL otherwise. */
	char *text_body;
	size_t text_len;
	char text_type[80];
	/* Real-time events to publish once committed (lib/realtime.c), owned: [{user, event}]. */
	struct json_object *rt_events;
	/* The answer is being streamed (astral_stream_begin): status and headers are on the wire,
	   astral_response_send only logs it. */
	int streaming;
	/* Seconds a shared cache may keep a successful answer (astral_response_cache_public); 0:
	   Cache-Control: no-store, as every answer with personal data. */
	int cache_max_age;
	/* A file as the answer (lib/file_response.h): open, owned, sent after COMMIT; the bytes
	   file_first..file_last of it. Only meaningful while has_file is set. */
	int has_file;
	int file_fd;
	long long file_first, file_last;
	char file_type[80];
};

/* Fill `req` from an accepted FastCGI request. Never fails on bad input: the dispatcher turns
   that into 4xx. Returns NOMEM only. */
astral_err astral_request_init(struct astral_request *req, FCGX_Request *fcgx, struct astral_app *app) ASTRAL_MUST_USE;
void astral_request_free(struct astral_request *req);

/* Read the body (at most `max` bytes; TOO_LARGE beyond). */
astral_err astral_request_read_body(struct astral_request *req, size_t max) ASTRAL_MUST_USE;

/* Cookie and query look-ups; copy into buf. NOT_FOUND when absent, TOO_LARGE when it doesn't fit.
   Query values are percent-decoded. */
astral_err astral_cookie_get(const struct astral_request *req, const char *name, char *buf, size_t len) ASTRAL_MUST_USE;
astral_err astral_query_get(const struct astral_request *req, const char *name, char *buf, size_t len) ASTRAL_MUST_USE;
/* True when the header value is exactly one of the comma-separated media types "application/json"
   (parameters such as charset=utf-8 allowed). */
int astral_content_type_is_json(const char *content_type);

/* Response building. astral_header refuses (and logs) names or values with CR or LF: such a
   header never reaches the wire. */
void astral_header(struct astral_request *req, const char *name, const char *value);
void astral_cookie_set(struct astral_request *req, const char *name, const char *value, long long max_age);
void astral_cookie_clear(struct astral_request *req, const char *name);
/* Public data only (the crisis resources, the questionnaires): a 2xx answer says
   `Cache-Control: public, max-age=<seconds>` instead of no-store (1..86400; anything else keeps
   no-store). Errors are never cached. */
void astral_response_cache_public(struct astral_request *req, int seconds);
/* Takes ownership of body (may be NULL for no body). */
void astral_respond(struct astral_request *req, int status, struct json_object *body);
/* Forget the answer built so far: body, headers, cookies, file and real-time events (the
   dispatcher, when the caller's session fails its check after the handler ran). Not for a
   streamed answer, which is already on the wire. */
void astral_response_reset(struct astral_request *req);
/* A body that is not JSON (a CSV download, say): takes ownership of `body` (malloc'd, `len`
   bytes; freed with the request). `content_type` ("text/csv; charset=utf-8") must be under 80
   bytes without CR or LF, else the answer is a 500. A later astral_respond* replaces it. */
void astral_respond_text(struct astral_request *req, int status, const char *content_type, char *body, size_t len);
void astral_respond_error(struct astral_request *req, int status, const char *code, const char *message);
/* One bad field. */
void astral_respond_field_error(struct astral_request *req, int status, const char *code, const char *message,
                                const char *field, const char *problem);
/* Several bad fields: takes ownership of `fields` (an object field → problem). */
void astral_respond_fields(struct astral_request *req, int status, const char *code, const char *message,
                           struct json_object *fields);
/* A refusal of something the caller may not do now (403 `forbidden`, 409 `conflict`) with its
   `reason`: a stable code in [a-z_] the client words in its own language (the web UI's
   apiErrors.reasons catalogue); `message` is the English sentence for other clients. `field`
   (with `problem`) names the field refused, or is NULL. */
void astral_respond_refusal(struct astral_request *req, int status, const char *reason, const char *message,
                            const char *field, const char *problem);
/* 429 `too_many_requests` with Retry-After: `wait` in whole seconds, rounded up (a fraction under a
   millisecond is rounding, not a second more), 1..86400. */
void astral_respond_too_many(struct astral_request *req, double wait, const char *message);
/* Map a library error to the response a client should see (503 + Retry-After for DB_DOWN...). */
void astral_respond_err(struct astral_request *req, astral_err err);

/* A streamed answer (server-sent events): write the status line and headers now (no-store, and
   X-Accel-Buffering: no so nginx passes each piece on at once), then pieces as they come. The
   handler must have committed what it needs to before: a streamed answer cannot be replaced by
   an error afterwards. astral_stream_write flushes; it fails (IO) when the client went away. */
astral_err astral_stream_begin(struct astral_request *req, int status, const char *content_type) ASTRAL_MUST_USE;
astral_err astral_stream_write(struct astral_request *req, const char *data, size_t len) ASTRAL_MUST_USE;
/* Write status, headers and body to the FastCGI stream (after a streamed answer: log it only). */
void astral_response_send(struct astral_request *req);
/* Push what was written to nginx now, before the worker does more for this request (the
   real-time events it publishes afterwards). */
void astral_response_flush(struct astral_request *req);

#endif
