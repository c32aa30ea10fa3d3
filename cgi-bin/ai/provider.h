/*
 * The model providers behind one interface (cgi-bin/ai): gemini (Generative Language API
 * generateContent / streamGenerateContent?alt=sse), openai (any OpenAI-compatible
 * /chat/completions, streamed or not) and none. libcurl with TLS verification, connect and total
 * timeouts, a cap on the bytes read, one retry only where it is safe (a connection that failed
 * before any byte was sent or received, or a 429/503 before any text reached the caller), and a
 * circuit breaker shared by the program's workers.
 *
 * provider.c     ai_provider_open/close/call, curl plumbing, retries; asks the breaker first
 * breaker.c      the circuit breaker's state, in a file every worker maps
 * provider_wire.c request bodies and response parsing for both wire formats (pure: no I/O; the
 *                 fuzz target drives the parsers)
 */
#ifndef ASTRAL_AI_PROVIDER_H
#define ASTRAL_AI_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"

/* One turn of a conversation sent to the model; the system prompt is separate. */
enum ai_speaker { AI_SPEAKER_USER, AI_SPEAKER_MODEL };
struct ai_turn {
	enum ai_speaker speaker;
	const char *text;              /* UTF-8, NUL-terminated */
};

/* Called with each piece of reply text as it arrives (streamed calls only); return 0 to go on,
   nonzero to stop reading (the call then ends as AI_STOPPED with the text received so far). */
typedef int (*ai_text_sink)(void *ctx, const char *piece, size_t len);

struct ai_call {
	const char *system;            /* the action's system prompt (from prompt_dir) */
	const struct ai_turn *turns;   /* oldest first; the last is the user's */
	size_t nturns;
	int json_reply;                /* ask for a JSON object (gemini responseMimeType, openai response_format) */
	int max_output_tokens;         /* 0: the provider's default */
	ai_text_sink on_text;          /* non-NULL: stream the reply through it */
	void *ctx;
};

/* How a call ended. Anything but AI_OK and AI_STOPPED is a failure the caller answers with its
   fallback; failures other than AI_BLOCKED, and AI_HTTP_ERROR with 400, 413 or 422 (this
   request refused, not the provider failing), count towards the breaker. */
enum ai_outcome {
	AI_OK,             /* a complete reply (text may still be empty: the caller checks) */
	AI_STOPPED,        /* the sink asked to stop */
	AI_BLOCKED,        /* the provider refused for safety (gemini finishReason SAFETY, blockReason,
	                      openai finish_reason content_filter) */
	AI_TIMEOUT,        /* connect or total timeout */
	AI_HTTP_ERROR,     /* a non-2xx status (http_status says which) */
	AI_BAD_REPLY,      /* unparsable, wrong shape, or larger than max_reply_bytes */
	AI_UNREACHABLE,    /* DNS, connect, TLS */
	AI_BREAKER_OPEN,   /* not called: the breaker is open */
	AI_NO_PROVIDER     /* provider = none */
};

struct ai_reply {
	enum ai_outcome outcome;
	char *text;                    /* malloc'd, NUL-terminated reply text ("" when none); caller frees */
	size_t len;
	long http_status;              /* 0 when no response was read */
	double elapsed_ms;
};

struct ai_provider;                /* one per worker process */

/* From the [ai] section; NOMEM only. With provider = none every call answers AI_NO_PROVIDER. */
astral_err ai_provider_open(const struct astral_config *cfg, struct ai_provider **out) ASTRAL_MUST_USE;
void ai_provider_close(struct ai_provider *p);
/* One call; never fails as a C function (the outcome says how it went): *out is always filled
   and out->text always allocated (or NULL only on NOMEM, with outcome AI_BAD_REPLY). */
void ai_provider_call(struct ai_provider *p, const struct ai_call *call, struct ai_reply *out);
void ai_reply_free(struct ai_reply *r);
/* Whether calls are currently refused by the breaker (for /api/ai/status). */
int ai_provider_breaker_open(const struct ai_provider *p);
const char *ai_outcome_name(enum ai_outcome o);

/* ---- wire formats (provider_wire.c): pure functions, fuzzed ---- */

/* The JSON request body for `call` (stream or not), malloc'd in *body. NOMEM only. */
astral_err ai_wire_gemini_request(const struct ai_call *call, char **body) ASTRAL_MUST_USE;
astral_err ai_wire_openai_request(const struct ai_call *call, const char *model, int stream, char **body)
	ASTRAL_MUST_USE;

/* A whole non-streamed response body → text and outcome (AI_OK, AI_BLOCKED or AI_BAD_REPLY). */
enum ai_outcome ai_wire_gemini_parse(const char *body, size_t len, char **text) ASTRAL_MUST_USE;
enum ai_outcome ai_wire_openai_parse(const char *body, size_t len, char **text) ASTRAL_MUST_USE;

/* Server-sent events, fed in arbitrary chunks. Each complete "data:" event is parsed with the
   format's chunk parser and its text handed to the sink; "[DONE]" (openai) ends the stream. */
enum ai_wire_format { AI_WIRE_GEMINI, AI_WIRE_OPENAI };
struct ai_sse {
	enum ai_wire_format format;
	char *line;                    /* the incomplete event so far */
	size_t len, cap, max;          /* max: bytes one event may take (a longer one: AI_BAD_REPLY) */
	int done;                      /* [DONE] seen, or a finish reason */
	enum ai_outcome outcome;       /* AI_OK until something goes wrong */
};
void ai_sse_init(struct ai_sse *s, enum ai_wire_format format, size_t max_event);
/* Feed bytes; calls sink for each text piece. Returns 0 to continue, nonzero when the stream is
   over (done, an error outcome, or the sink asked to stop: outcome AI_STOPPED). */
int ai_sse_feed(struct ai_sse *s, const char *data, size_t len, ai_text_sink sink, void *ctx);
void ai_sse_free(struct ai_sse *s);

#endif
