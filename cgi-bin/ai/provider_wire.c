/*
 * The two wire formats of cgi-bin/ai: request bodies for gemini (generateContent) and openai
 * (/chat/completions), the parsers of their whole responses, and a server-sent-events reader
 * that hands each streamed chunk's text to a sink. Pure: no I/O, no clock, no logging; every
 * input is untrusted (tests/fuzz/fuzz-ai-wire.c drives the parsers with arbitrary bytes).
 *
 * Responses go through astral_json_parse (strict RFC 8259, valid UTF-8, bounded depth). Text
 * holding a NUL character is refused: the reply is handed on as a C string.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "provider.h"
#include "strbuf.h"

/* ------------------------------------------------------------------ request bodies */

/* Add v to o under k, taking ownership of v either way. 0 on success. */
static int
wire_obj_add(struct json_object *o, const char *k, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
wire_arr_add(struct json_object *a, struct json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static struct json_object *
wire_string(const char *s)
{
	return json_object_new_string(s != NULL ? s : "");
}

/* {"parts":[{"text":s}]} with an optional role; NULL when memory runs out. */
static struct json_object *
wire_gemini_content(const char *role, const char *s)
{
	struct json_object *content = json_object_new_object(), *parts = json_object_new_array(), *part;
	struct json_object *result = NULL;

	if (content == NULL || parts == NULL)
		goto out;
	if (role != NULL && wire_obj_add(content, "role", json_object_new_string(role)) != 0)
		goto out;
	part = json_object_new_object();
	if (wire_arr_add(parts, part) != 0 || wire_obj_add(part, "text", wire_string(s)) != 0)
		goto out;
	if (wire_obj_add(content, "parts", parts) == 0)
		result = content;
	parts = NULL;                           /* content holds it, or it is gone */
out:
	json_object_put(parts);
	if (result == NULL)
		json_object_put(content);
	return result;
}

/* The object serialised into a malloc'd string in *body. */
static astral_err
wire_serialise(struct json_object *root, char **body)
{
	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s == NULL)
		return ASTRAL_ERR_NOMEM;
	*body = strdup(s);
	return *body != NULL ? ASTRAL_OK : ASTRAL_ERR_NOMEM;
}

astral_err
ai_wire_gemini_request(const struct ai_call *call, char **body)
{
	struct json_object *root = NULL, *contents = NULL, *config = NULL;
	astral_err err = ASTRAL_ERR_NOMEM;

	*body = NULL;
	root = json_object_new_object();
	if (root == NULL)
		goto out;
	if (call->system != NULL && call->system[0] != '\0' &&
	    wire_obj_add(root, "systemInstruction", wire_gemini_content(NULL, call->system)) != 0)
		goto out;
	contents = json_object_new_array();
	if (wire_obj_add(root, "contents", contents) != 0)
		goto out;
	for (size_t i = 0; i < call->nturns; i++) {
		const struct ai_turn *t = &call->turns[i];
		const char *role = t->speaker == AI_SPEAKER_MODEL ? "model" : "user";

		if (wire_arr_add(contents, wire_gemini_content(role, t->text)) != 0)
			goto out;
	}
	if (call->max_output_tokens > 0 || call->json_reply) {
		config = json_object_new_object();
		if (wire_obj_add(root, "generationConfig", config) != 0)
			goto out;
		if (call->max_output_tokens > 0 &&
		    wire_obj_add(config, "maxOutputTokens", json_object_new_int(call->max_output_tokens)) != 0)
			goto out;
		if (call->json_reply &&
		    wire_obj_add(config, "responseMimeType", json_object_new_string("application/json")) != 0)
			goto out;
	}
	err = wire_serialise(root, body);
out:
	json_object_put(root);
	return err;
}

/* {"role":role,"content":s}; NULL when memory runs out. */
static struct json_object *
wire_openai_message(const char *role, const char *s)
{
	struct json_object *m = json_object_new_object();

	if (m != NULL && (wire_obj_add(m, "role", json_object_new_string(role)) != 0 ||
	                  wire_obj_add(m, "content", wire_string(s)) != 0)) {
		json_object_put(m);
		m = NULL;
	}
	return m;
}

astral_err
ai_wire_openai_request(const struct ai_call *call, const char *model, int stream, char **body)
{
	struct json_object *root = NULL, *messages = NULL, *format = NULL;
	astral_err err = ASTRAL_ERR_NOMEM;

	*body = NULL;
	root = json_object_new_object();
	if (root == NULL)
		goto out;
	if (wire_obj_add(root, "model", wire_string(model)) != 0)
		goto out;
	messages = json_object_new_array();
	if (wire_obj_add(root, "messages", messages) != 0)
		goto out;
	if (call->system != NULL && call->system[0] != '\0' &&
	    wire_arr_add(messages, wire_openai_message("system", call->system)) != 0)
		goto out;
	for (size_t i = 0; i < call->nturns; i++) {
		const struct ai_turn *t = &call->turns[i];
		const char *role = t->speaker == AI_SPEAKER_MODEL ? "assistant" : "user";

		if (wire_arr_add(messages, wire_openai_message(role, t->text)) != 0)
			goto out;
	}
	if (wire_obj_add(root, "stream", json_object_new_boolean(stream ? 1 : 0)) != 0)
		goto out;
	if (call->max_output_tokens > 0 &&
	    wire_obj_add(root, "max_tokens", json_object_new_int(call->max_output_tokens)) != 0)
		goto out;
	if (call->json_reply) {
		format = json_object_new_object();
		if (wire_obj_add(root, "response_format", format) != 0)
			goto out;
		if (wire_obj_add(format, "type", json_object_new_string("json_object")) != 0)
			goto out;
	}
	err = wire_serialise(root, body);
out:
	json_object_put(root);
	return err;
}

/* ------------------------------------------------------------------ response chunks */

/* How one parsed response object (a whole reply, or one streamed chunk) went. */
struct wire_chunk {
	enum ai_outcome outcome;   /* AI_OK, AI_BLOCKED, AI_BAD_REPLY, or AI_STOPPED (the sink said so) */
	int finished;              /* a finish reason was given */
};

/* The member k of o when it is there and not null. */
static struct json_object *
wire_member(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

/* Hand one piece of text to the sink: an empty piece is skipped, a NUL inside is a bad reply. */
static enum ai_outcome
wire_emit(struct json_object *str, ai_text_sink sink, void *ctx)
{
	const char *s = json_object_get_string(str);
	int n = json_object_get_string_len(str);

	if (s == NULL || n <= 0)
		return AI_OK;
	if (memchr(s, '\0', (size_t)n) != NULL)
		return AI_BAD_REPLY;
	if (sink != NULL && sink(ctx, s, (size_t)n) != 0)
		return AI_STOPPED;
	return AI_OK;
}

/* A candidate that ends for any other reason than these two is not a reply to keep: SAFETY and its
   kin are blocks, and RECITATION, OTHER, LANGUAGE and the rest cut the text off (a recitation of
   someone else's words, say), so the text so far gives way to the fallback. */
static int
wire_gemini_good_finish(const char *r)
{
	return strcmp(r, "STOP") == 0 || strcmp(r, "MAX_TOKENS") == 0;
}

/*
 * {"candidates":[{"content":{"parts":[{"text":...},...],"role":"model"},"finishReason":...}],
 *  "promptFeedback":{"blockReason":...}}. A whole reply must have a candidate (or a block); a
 * streamed chunk without one (usage metadata only) carries nothing. Parts marked "thought" are
 * the model's reasoning and are not part of the reply.
 */
static struct wire_chunk
wire_gemini_chunk(struct json_object *root, int whole, ai_text_sink sink, void *ctx)
{
	struct wire_chunk r = { AI_BAD_REPLY, 0 };
	struct json_object *feedback, *block, *candidates, *cand, *reason, *content, *parts = NULL;

	if (!json_object_is_type(root, json_type_object) || wire_member(root, "error") != NULL)
		goto out;
	feedback = wire_member(root, "promptFeedback");
	if (feedback != NULL && !json_object_is_type(feedback, json_type_object))
		goto out;
	block = feedback != NULL ? wire_member(feedback, "blockReason") : NULL;
	if (block != NULL) {
		if (json_object_is_type(block, json_type_string))
			r = (struct wire_chunk){ AI_BLOCKED, 1 };
		goto out;
	}
	candidates = wire_member(root, "candidates");
	if (candidates != NULL && !json_object_is_type(candidates, json_type_array))
		goto out;
	if (candidates == NULL || json_object_array_length(candidates) == 0) {
		if (!whole)
			r.outcome = AI_OK;              /* a streamed chunk of metadata only */
		goto out;
	}
	cand = json_object_array_get_idx(candidates, 0);
	if (!json_object_is_type(cand, json_type_object))
		goto out;
	reason = wire_member(cand, "finishReason");
	if (reason != NULL && !json_object_is_type(reason, json_type_string))
		goto out;
	if (reason != NULL && !wire_gemini_good_finish(json_object_get_string(reason))) {
		r = (struct wire_chunk){ AI_BLOCKED, 1 };
		goto out;
	}
	content = wire_member(cand, "content");
	if (content != NULL) {
		if (!json_object_is_type(content, json_type_object))
			goto out;
		parts = wire_member(content, "parts");
		if (parts != NULL && !json_object_is_type(parts, json_type_array))
			goto out;
	}
	for (size_t i = 0; parts != NULL && i < json_object_array_length(parts); i++) {
		struct json_object *part = json_object_array_get_idx(parts, i), *text, *thought;

		if (!json_object_is_type(part, json_type_object))
			goto out;
		text = wire_member(part, "text");
		if (text == NULL)
			continue;
		if (!json_object_is_type(text, json_type_string))
			goto out;
		thought = wire_member(part, "thought");
		if (thought != NULL && json_object_is_type(thought, json_type_boolean) && json_object_get_boolean(thought))
			continue;
		r.outcome = wire_emit(text, sink, ctx);
		if (r.outcome != AI_OK)
			goto out;
	}
	r = (struct wire_chunk){ AI_OK, reason != NULL };
out:
	return r;
}

/*
 * Whole: {"choices":[{"message":{"content":...,"refusal":...},"finish_reason":...}]}.
 * Streamed: {"choices":[{"delta":{"content":...},"finish_reason":...}]}; a chunk with no choices
 * (the usage chunk) carries nothing. finish_reason "content_filter" or a refusal is a block.
 */
static struct wire_chunk
wire_openai_chunk(struct json_object *root, int whole, ai_text_sink sink, void *ctx)
{
	struct wire_chunk r = { AI_BAD_REPLY, 0 };
	struct json_object *choices, *choice, *reason, *message, *content, *refusal;

	if (!json_object_is_type(root, json_type_object) || wire_member(root, "error") != NULL)
		goto out;
	choices = wire_member(root, "choices");
	if (choices != NULL && !json_object_is_type(choices, json_type_array))
		goto out;
	if (choices == NULL || json_object_array_length(choices) == 0) {
		if (!whole)
			r.outcome = AI_OK;              /* the usage chunk */
		goto out;
	}
	choice = json_object_array_get_idx(choices, 0);
	if (!json_object_is_type(choice, json_type_object))
		goto out;
	reason = wire_member(choice, "finish_reason");
	if (reason != NULL && !json_object_is_type(reason, json_type_string))
		goto out;
	if (reason != NULL && strcmp(json_object_get_string(reason), "content_filter") == 0) {
		r = (struct wire_chunk){ AI_BLOCKED, 1 };
		goto out;
	}
	message = wire_member(choice, whole ? "message" : "delta");
	if (message == NULL ? whole : !json_object_is_type(message, json_type_object))
		goto out;
	refusal = message != NULL ? wire_member(message, "refusal") : NULL;
	if (refusal != NULL) {
		if (json_object_is_type(refusal, json_type_string))
			r = (struct wire_chunk){ AI_BLOCKED, 1 };
		goto out;
	}
	content = message != NULL ? wire_member(message, "content") : NULL;
	if (content != NULL) {
		if (!json_object_is_type(content, json_type_string))
			goto out;
		r.outcome = wire_emit(content, sink, ctx);
		if (r.outcome != AI_OK)
			goto out;
	}
	r = (struct wire_chunk){ AI_OK, reason != NULL };
out:
	return r;
}

/* ------------------------------------------------------------------ whole responses */

/* A sink that keeps every piece; it stops the reply only when memory runs out. */
static int
wire_collect(void *ctx, const char *piece, size_t len)
{
	struct astral_strbuf *b = ctx;

	astral_strbuf_add(b, piece, len);
	return b->failed;
}

static enum ai_outcome
wire_parse_whole(enum ai_wire_format format, const char *body, size_t len, char **text)
{
	struct json_object *root = NULL;
	struct astral_strbuf buf = ASTRAL_STRBUF_INIT;
	struct wire_chunk r = { AI_BAD_REPLY, 0 };
	const char *problem;

	*text = NULL;
	if (body == NULL || astral_json_parse(body, len, &root, &problem) != ASTRAL_OK)
		goto out;
	if (format == AI_WIRE_GEMINI)
		r = wire_gemini_chunk(root, 1, wire_collect, &buf);
	else
		r = wire_openai_chunk(root, 1, wire_collect, &buf);
	/* The collector stops only when memory runs out. */
	if (r.outcome == AI_STOPPED)
		r.outcome = AI_BAD_REPLY;
	if (r.outcome == AI_OK) {
		*text = astral_strbuf_take(&buf);
		if (*text == NULL)
			r.outcome = AI_BAD_REPLY;
	}
out:
	astral_strbuf_free(&buf);
	json_object_put(root);
	return r.outcome;
}

enum ai_outcome
ai_wire_gemini_parse(const char *body, size_t len, char **text)
{
	return wire_parse_whole(AI_WIRE_GEMINI, body, len, text);
}

enum ai_outcome
ai_wire_openai_parse(const char *body, size_t len, char **text)
{
	return wire_parse_whole(AI_WIRE_OPENAI, body, len, text);
}

/* ------------------------------------------------------------------ server-sent events */

/*
 * The buffer holds the current event as it came: its data lines, each with its own line end
 * ('\r' or '\n' as sent), then the line being read. Other lines (comments, event:, id:, retry:)
 * are dropped when they end, leaving at most their line end behind so that the buffer's last
 * byte still says whether the previous line ended in '\r' (then a '\n' is the second half of a
 * CRLF, not an empty line). An empty line ends the event.
 */

void
ai_sse_init(struct ai_sse *s, enum ai_wire_format format, size_t max_event)
{
	memset(s, 0, sizeof(*s));
	s->format = format;
	s->max = max_event;
	s->outcome = AI_OK;
}

void
ai_sse_free(struct ai_sse *s)
{
	free(s->line);
	s->line = NULL;
	s->len = s->cap = 0;
}

static int
sse_fail(struct ai_sse *s, enum ai_outcome outcome)
{
	s->outcome = outcome;
	return 1;
}

/* 0 on success, -1 when the event would pass s->max or memory runs out. */
static int
sse_append(struct ai_sse *s, const char *p, size_t n)
{
	if (n > s->max || s->len > s->max - n)
		return -1;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 512;
		char *np;

		while (cap < s->len + n)
			cap = cap > s->max / 2 ? s->max : cap * 2;
		if (cap > s->max)
			cap = s->max;
		np = realloc(s->line, cap);
		if (np == NULL)
			return -1;
		s->line = np;
		s->cap = cap;
	}
	memcpy(s->line + s->len, p, n);
	s->len += n;
	return 0;
}

static int
sse_is_line_end(char c)
{
	return c == '\r' || c == '\n';
}

/* Where the line being read starts. */
static size_t
sse_line_start(const struct ai_sse *s)
{
	size_t i = s->len;

	while (i > 0 && !sse_is_line_end(s->line[i - 1]))
		i--;
	return i;
}

/* "data" or "data:..." (field names are case-sensitive). */
static int
sse_is_data_line(const char *p, size_t n)
{
	return n >= 4 && memcmp(p, "data", 4) == 0 && (n == 4 || p[4] == ':');
}

/* The event is over: join its data lines with '\n' (in place: the result is never longer), then
   parse it as one chunk of the format. */
static int
sse_dispatch(struct ai_sse *s, ai_text_sink sink, void *ctx)
{
	struct json_object *root = NULL;
	struct wire_chunk r;
	size_t r_at = 0, w = 0;
	int any = 0, rc = 0;
	const char *problem;

	while (r_at < s->len) {
		size_t e = r_at, v;

		while (e < s->len && !sse_is_line_end(s->line[e]))
			e++;
		if (e > r_at && sse_is_data_line(s->line + r_at, e - r_at)) {
			v = r_at + 4;
			if (v < e && s->line[v] == ':')
				v++;
			if (v < e && s->line[v] == ' ')
				v++;
			if (any)
				s->line[w++] = '\n';
			memmove(s->line + w, s->line + v, e - v);
			w += e - v;
			any = 1;
		}
		r_at = e + 1;
	}
	s->len = 0;
	if (w == 0)
		return 0;                       /* no data, or only empty data: nothing to parse */
	if (s->format == AI_WIRE_OPENAI && w == 6 && memcmp(s->line, "[DONE]", 6) == 0) {
		s->done = 1;
		return 1;
	}
	if (astral_json_parse(s->line, w, &root, &problem) != ASTRAL_OK)
		return sse_fail(s, AI_BAD_REPLY);
	if (s->format == AI_WIRE_GEMINI)
		r = wire_gemini_chunk(root, 0, sink, ctx);
	else
		r = wire_openai_chunk(root, 0, sink, ctx);
	json_object_put(root);
	if (r.outcome != AI_OK) {
		rc = sse_fail(s, r.outcome);
	} else if (r.finished) {
		s->done = 1;
		rc = 1;
	}
	return rc;
}

int
ai_sse_feed(struct ai_sse *s, const char *data, size_t len, ai_text_sink sink, void *ctx)
{
	size_t i = 0;

	if (s->done || s->outcome != AI_OK)
		return 1;
	while (i < len) {
		size_t run = 0, start;
		char c;

		while (i + run < len && !sse_is_line_end(data[i + run]))
			run++;
		if (run > 0) {
			if (sse_append(s, data + i, run) != 0)
				return sse_fail(s, AI_BAD_REPLY);
			i += run;
			continue;
		}
		c = data[i++];
		if (c == '\n' && s->len > 0 && s->line[s->len - 1] == '\r') {
			/* The LF of a CRLF: the line ended at the CR. A lone CR left by a dropped line
			   has done its work. */
			if (s->len == 1 || sse_is_line_end(s->line[s->len - 2]))
				s->len--;
			continue;
		}
		start = sse_line_start(s);
		if (start == s->len) {
			if (sse_dispatch(s, sink, ctx) != 0)
				return 1;
			continue;
		}
		if (!sse_is_data_line(s->line + start, s->len - start)) {
			int after_cr = start > 0 && s->line[start - 1] == '\r';

			s->len = start;
			/* Keep the buffer's last byte telling whether a '\n' now would be half a CRLF. */
			if (c == '\r' ? after_cr : !after_cr)
				continue;
		}
		if (sse_append(s, &c, 1) != 0)
			return sse_fail(s, AI_BAD_REPLY);
	}
	return 0;
}
