/* libFuzzer target for the AI provider wire formats (cgi-bin/ai/provider_wire.c). The first byte
   picks a chunk size and the second an event cap; the rest is a provider's response body. It is
   parsed as a whole gemini and openai reply (the outcome is one of OK, BLOCKED or BAD_REPLY, text
   comes with OK only, holds no NUL and is never longer than the body), then read as a gemini and
   an openai event stream at once and in chunks: both readings must agree on the outcome, the end
   and every byte of text, the sink gets only non-empty pieces, and a sink that stops ends the
   stream as STOPPED with nothing handed on after. Last, the body as a user's message must come
   back unchanged from the request each format builds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../cgi-bin/ai/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct trace {
	size_t bytes;
	int pieces;
	int stop_after;             /* ask to stop once this many pieces came; 0: never */
	int stopped;
	uint64_t hash;              /* FNV-1a over the pieces' bytes */
};

static int
trace_sink(void *ctx, const char *piece, size_t len)
{
	struct trace *t = ctx;

	if (t->stopped || len == 0 || memchr(piece, '\0', len) != NULL)
		abort();
	t->bytes += len;
	t->pieces++;
	for (size_t i = 0; i < len; i++) {
		t->hash ^= (unsigned char)piece[i];
		t->hash *= 1099511628211ULL;
	}
	if (t->stop_after > 0 && t->pieces >= t->stop_after)
		t->stopped = 1;
	return t->stopped;
}

static void
check_whole(enum ai_outcome o, char *text, size_t len)
{
	if (o != AI_OK && o != AI_BLOCKED && o != AI_BAD_REPLY)
		abort();
	if ((o == AI_OK) != (text != NULL))
		abort();
	if (text != NULL && strlen(text) > len)
		abort();
	free(text);
}

static enum ai_outcome
run_sse(enum ai_wire_format f, const char *body, size_t len, size_t chunk, size_t max, struct trace *t, int *done)
{
	struct ai_sse s;
	enum ai_outcome o;
	int over = 0;

	t->bytes = 0;
	t->pieces = 0;
	t->stopped = 0;
	t->hash = 14695981039346656037ULL;
	ai_sse_init(&s, f, max);
	for (size_t i = 0; i < len && !over; i += chunk)
		over = ai_sse_feed(&s, body + i, len - i < chunk ? len - i : chunk, trace_sink, t);
	if (over) {
		int pieces = t->pieces;

		if (s.outcome == AI_OK && !s.done)
			abort();
		if (ai_sse_feed(&s, "data: {}\n\n", 10, trace_sink, t) == 0 || t->pieces != pieces)
			abort();
	} else if (s.outcome != AI_OK || s.done) {
		abort();
	}
	if (s.len > max || t->bytes > len)
		abort();
	if ((s.outcome == AI_STOPPED) != t->stopped)
		abort();
	o = s.outcome;
	*done = s.done;
	ai_sse_free(&s);
	return o;
}

static void
check_sse(enum ai_wire_format f, const char *body, size_t len, size_t chunk, size_t max)
{
	struct trace whole = { .stop_after = 0 }, pieces = { .stop_after = 0 };
	int d1, d2;
	enum ai_outcome a = run_sse(f, body, len, len ? len : 1, max, &whole, &d1);
	enum ai_outcome b = run_sse(f, body, len, chunk, max, &pieces, &d2);

	if (a != b || d1 != d2 || whole.bytes != pieces.bytes || whole.pieces != pieces.pieces || whole.hash != pieces.hash)
		abort();
	if (a != AI_OK && a != AI_BLOCKED && a != AI_BAD_REPLY)
		abort();
	/* A sink that stops at the first piece. */
	if (whole.pieces > 0) {
		pieces.stop_after = 1;
		if (run_sse(f, body, len, chunk, max, &pieces, &d2) != AI_STOPPED || pieces.pieces != 1 || d2)
			abort();
	}
}

/* The body as the user's message: each request must carry it back unchanged. */
static void
check_requests(const char *msg)
{
	struct ai_turn turn = { AI_SPEAKER_USER, msg };
	struct ai_call call = { .system = "sys", .turns = &turn, .nturns = 1, .json_reply = 1, .max_output_tokens = 9 };
	struct json_object *o = NULL, *v = NULL;
	char *body = NULL;

	if (ai_wire_gemini_request(&call, &body) != ASTRAL_OK)
		abort();
	o = json_tokener_parse(body);
	if (o == NULL || !json_object_object_get_ex(o, "contents", &v) ||
	    (v = json_object_array_get_idx(v, 0)) == NULL || !json_object_object_get_ex(v, "parts", &v) ||
	    (v = json_object_array_get_idx(v, 0)) == NULL || !json_object_object_get_ex(v, "text", &v) ||
	    strcmp(json_object_get_string(v), msg) != 0)
		abort();
	json_object_put(o);
	free(body);
	if (ai_wire_openai_request(&call, msg, 1, &body) != ASTRAL_OK)
		abort();
	o = json_tokener_parse(body);
	if (o == NULL || !json_object_object_get_ex(o, "model", &v) || strcmp(json_object_get_string(v), msg) != 0 ||
	    !json_object_object_get_ex(o, "messages", &v) || json_object_array_length(v) != 2 ||
	    (v = json_object_array_get_idx(v, 1)) == NULL || !json_object_object_get_ex(v, "content", &v) ||
	    strcmp(json_object_get_string(v), msg) != 0)
		abort();
	json_object_put(o);
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body;
	size_t len, chunk, max;
	char *text = NULL, *msg;
	enum ai_outcome o;

	if (size < 2)
		return 0;
	chunk = (size_t)data[0] % 61 + 1;
	max = (size_t)data[1] * 16 + 8;
	body = (const char *)data + 2;
	len = size - 2;

	o = ai_wire_gemini_parse(body, len, &text);
	check_whole(o, text, len);
	text = NULL;
	o = ai_wire_openai_parse(body, len, &text);
	check_whole(o, text, len);
	check_sse(AI_WIRE_GEMINI, body, len, chunk, max);
	check_sse(AI_WIRE_OPENAI, body, len, chunk, max);

	if (len <= 4096 && memchr(body, '\0', len) == NULL) {
		msg = malloc(len + 1);
		if (msg == NULL)
			return 0;
		memcpy(msg, body, len);
		msg[len] = '\0';
		check_requests(msg);
		free(msg);
	}
	return 0;
}
