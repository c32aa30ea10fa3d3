/* cgi-bin/ai/provider_wire.c: the request bodies of both formats (read back with json-c), whole
   replies of both formats with their blocks and malformed shapes, and the server-sent-events
   reader: line ends, comments, fields, multi-line data, any chunking, the event cap, the sink
   stopping, and blocks or broken chunks in the middle of a stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "provider.h"

/* ------------------------------------------------------------------ helpers */

/* ai_outcome_name is provider.c's, which this test does not link. */
static const char *
oname(enum ai_outcome o)
{
	static const char *const names[] = { "ok", "stopped", "blocked", "timeout", "http_error", "bad_reply",
	                                     "unreachable", "breaker_open", "no_provider" };

	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static struct json_object *
parse_json(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	if (o == NULL)
		fail_msg("not JSON: %s", s);
	return o;
}

/* The member at a dotted path ("a.0.b": object key, array index, object key); NULL if absent. */
static struct json_object *
at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && o != NULL; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long i = strtol(tok, &end, 10);

			if (*end != '\0' || i < 0 || (size_t)i >= json_object_array_length(o))
				return NULL;
			o = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, tok, &o)) {
			return NULL;
		}
	}
	return o;
}

static const char *
at_str(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		fail_msg("%s: not a string", path);
	return json_object_get_string(v);
}

static size_t
at_len(struct json_object *o, const char *path)
{
	struct json_object *v = at(o, path);

	if (v == NULL || !json_object_is_type(v, json_type_array))
		fail_msg("%s: not an array", path);
	return json_object_array_length(v);
}

/* A sink that records every piece, and can ask to stop after some. */
struct rec {
	char text[8192];
	size_t len;
	int pieces;
	int stop_after;               /* stop once this many pieces came; 0: never */
};

static int
rec_sink(void *ctx, const char *piece, size_t len)
{
	struct rec *r = ctx;

	assert_true(len > 0);
	assert_null(memchr(piece, '\0', len));
	assert_true(r->len + len < sizeof(r->text));
	memcpy(r->text + r->len, piece, len);
	r->len += len;
	r->text[r->len] = '\0';
	r->pieces++;
	return r->stop_after > 0 && r->pieces >= r->stop_after;
}

/* Feed a whole stream in chunks of `chunk` bytes; the outcome, with the text in r. */
static enum ai_outcome
sse_run(enum ai_wire_format f, const char *stream, size_t len, size_t chunk, size_t max, struct rec *r,
        int *done)
{
	struct ai_sse s;
	int over = 0;
	size_t i;

	memset(r->text, 0, sizeof(r->text));
	r->len = 0;
	r->pieces = 0;
	ai_sse_init(&s, f, max);
	for (i = 0; i < len && !over; i += chunk)
		over = ai_sse_feed(&s, stream + i, len - i < chunk ? len - i : chunk, rec_sink, r);
	if (over) {
		int pieces = r->pieces;

		/* Once over, the reader takes nothing more. */
		assert_int_not_equal(ai_sse_feed(&s, "data: {}\n\n", 10, rec_sink, r), 0);
		assert_int_equal(r->pieces, pieces);
	}
	*done = s.done;
	ai_sse_free(&s);
	return s.outcome;
}

/* The same outcome and text whatever the chunking, from one byte at a time to all at once. */
static enum ai_outcome
sse_all_chunkings(enum ai_wire_format f, const char *stream, size_t max, char *text, size_t textlen, int *done)
{
	size_t len = strlen(stream);
	struct rec whole = { .stop_after = 0 }, pieces = { .stop_after = 0 };
	enum ai_outcome o = sse_run(f, stream, len, len ? len : 1, max, &whole, done);

	for (size_t chunk = 1; chunk < len; chunk++) {
		int d;

		if (sse_run(f, stream, len, chunk, max, &pieces, &d) != o || d != *done ||
		    strcmp(pieces.text, whole.text) != 0)
			fail_msg("chunk %zu: differs from the whole (\"%s\" vs \"%s\")", chunk, pieces.text, whole.text);
	}
	snprintf(text, textlen, "%s", whole.text);
	return o;
}

#define SSE_MAX 4096

static void
expect_sse(enum ai_wire_format f, const char *stream, enum ai_outcome want, const char *want_text, int want_done)
{
	char text[8192];
	int done;
	enum ai_outcome o = sse_all_chunkings(f, stream, SSE_MAX, text, sizeof(text), &done);

	if (o != want || strcmp(text, want_text) != 0 || done != want_done)
		fail_msg("%s: got %s \"%s\" done=%d, want %s \"%s\" done=%d", stream, oname(o), text, done,
		         oname(want), want_text, want_done);
}

/* ------------------------------------------------------------------ request bodies */

static const struct ai_turn conversation[] = {
	{ AI_SPEAKER_USER, "I slept badly again." },
	{ AI_SPEAKER_MODEL, "That sounds tiring. What kept you up?" },
	{ AI_SPEAKER_USER, "Exams \"next week\"\n\u00e9\u2014</script>\\" },
};

static void
test_gemini_request_full(void **state)
{
	struct ai_call call = { .system = "You are kind.", .turns = conversation, .nturns = 3, .json_reply = 1,
	                        .max_output_tokens = 512 };
	struct json_object *o;
	char *body = NULL;

	(void)state;
	assert_int_equal(ai_wire_gemini_request(&call, &body), ASTRAL_OK);
	o = parse_json(body);
	assert_string_equal(at_str(o, "systemInstruction.parts.0.text"), "You are kind.");
	assert_int_equal(at_len(o, "systemInstruction.parts"), 1);
	assert_null(at(o, "systemInstruction.role"));
	assert_int_equal(at_len(o, "contents"), 3);
	assert_string_equal(at_str(o, "contents.0.role"), "user");
	assert_string_equal(at_str(o, "contents.0.parts.0.text"), "I slept badly again.");
	assert_string_equal(at_str(o, "contents.1.role"), "model");
	assert_string_equal(at_str(o, "contents.1.parts.0.text"), "That sounds tiring. What kept you up?");
	assert_string_equal(at_str(o, "contents.2.role"), "user");
	assert_string_equal(at_str(o, "contents.2.parts.0.text"), conversation[2].text);
	assert_int_equal(json_object_get_int(at(o, "generationConfig.maxOutputTokens")), 512);
	assert_string_equal(at_str(o, "generationConfig.responseMimeType"), "application/json");
	assert_int_equal(json_object_object_length(o), 3);
	json_object_put(o);
	free(body);
}

static void
test_gemini_request_minimal(void **state)
{
	struct ai_call call = { .system = NULL, .turns = conversation, .nturns = 1 };
	struct json_object *o;
	char *body = NULL;

	(void)state;
	assert_int_equal(ai_wire_gemini_request(&call, &body), ASTRAL_OK);
	o = parse_json(body);
	/* No system prompt, no config: neither key is sent. */
	assert_null(at(o, "systemInstruction"));
	assert_null(at(o, "generationConfig"));
	assert_int_equal(at_len(o, "contents"), 1);
	json_object_put(o);
	free(body);

	/* Only the token cap: no responseMimeType. */
	call.max_output_tokens = 7;
	call.system = "";
	assert_int_equal(ai_wire_gemini_request(&call, &body), ASTRAL_OK);
	o = parse_json(body);
	assert_null(at(o, "systemInstruction"));
	assert_int_equal(json_object_get_int(at(o, "generationConfig.maxOutputTokens")), 7);
	assert_null(at(o, "generationConfig.responseMimeType"));
	json_object_put(o);
	free(body);
}

static void
test_openai_request(void **state)
{
	struct ai_call call = { .system = "Be brief.", .turns = conversation, .nturns = 3, .json_reply = 1,
	                        .max_output_tokens = 300 };
	struct json_object *o;
	char *body = NULL;

	(void)state;
	assert_int_equal(ai_wire_openai_request(&call, "llama-3.1-8b", 1, &body), ASTRAL_OK);
	o = parse_json(body);
	assert_string_equal(at_str(o, "model"), "llama-3.1-8b");
	assert_int_equal(at_len(o, "messages"), 4);
	assert_string_equal(at_str(o, "messages.0.role"), "system");
	assert_string_equal(at_str(o, "messages.0.content"), "Be brief.");
	assert_string_equal(at_str(o, "messages.1.role"), "user");
	assert_string_equal(at_str(o, "messages.2.role"), "assistant");
	assert_string_equal(at_str(o, "messages.2.content"), conversation[1].text);
	assert_string_equal(at_str(o, "messages.3.role"), "user");
	assert_string_equal(at_str(o, "messages.3.content"), conversation[2].text);
	assert_true(json_object_get_boolean(at(o, "stream")));
	assert_true(json_object_is_type(at(o, "stream"), json_type_boolean));
	assert_int_equal(json_object_get_int(at(o, "max_tokens")), 300);
	assert_string_equal(at_str(o, "response_format.type"), "json_object");
	json_object_put(o);
	free(body);

	call.system = NULL;
	call.json_reply = 0;
	call.max_output_tokens = 0;
	call.nturns = 1;
	assert_int_equal(ai_wire_openai_request(&call, "m", 0, &body), ASTRAL_OK);
	o = parse_json(body);
	assert_int_equal(at_len(o, "messages"), 1);
	assert_string_equal(at_str(o, "messages.0.role"), "user");
	assert_false(json_object_get_boolean(at(o, "stream")));
	assert_true(json_object_is_type(at(o, "stream"), json_type_boolean));
	assert_null(at(o, "max_tokens"));
	assert_null(at(o, "response_format"));
	assert_int_equal(json_object_object_length(o), 3);
	json_object_put(o);
	free(body);
}

/* ------------------------------------------------------------------ whole replies */

static void
expect_parse(enum ai_wire_format f, const char *body, enum ai_outcome want, const char *want_text)
{
	char *text = (char *)&text;     /* not NULL: the parser must set it */
	enum ai_outcome o = f == AI_WIRE_GEMINI ? ai_wire_gemini_parse(body, strlen(body), &text)
	                                        : ai_wire_openai_parse(body, strlen(body), &text);

	if (o != want)
		fail_msg("%s: got %s, want %s", body, oname(o), oname(want));
	if (want == AI_OK) {
		assert_non_null(text);
		assert_string_equal(text, want_text);
	} else {
		assert_null(text);
	}
	free(text);
}

#define GEMINI_OK "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello, \"},{\"text\":\"friend.\"}]," \
	"\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0,\"safetyRatings\":[{\"category\":" \
	"\"HARM_CATEGORY_HARASSMENT\",\"probability\":\"NEGLIGIBLE\"}]}],\"usageMetadata\":{\"promptTokenCount\":9," \
	"\"candidatesTokenCount\":3,\"totalTokenCount\":12},\"modelVersion\":\"gemini-2.5-flash\"}"

static void
test_gemini_parse_good(void **state)
{
	(void)state;
	expect_parse(AI_WIRE_GEMINI, GEMINI_OK, AI_OK, "Hello, friend.");
	/* Escapes and non-ASCII come out as UTF-8. */
	expect_parse(AI_WIRE_GEMINI, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"caf\\u00e9 \\\"ok\\\"\\n\xf0\x9f\x99\x82\"}]}}]}",
	             AI_OK, "caf\xc3\xa9 \"ok\"\n\xf0\x9f\x99\x82");
	/* Thoughts are not the reply; parts without text (function calls) are skipped. */
	expect_parse(AI_WIRE_GEMINI, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hmm\",\"thought\":true},"
	             "{\"functionCall\":{\"name\":\"f\"}},{\"text\":\"Yes.\",\"thought\":false}]},\"finishReason\":\"STOP\"}]}",
	             AI_OK, "Yes.");
	/* Cut by the token cap with nothing written: an empty reply, which the caller judges. */
	expect_parse(AI_WIRE_GEMINI, "{\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}]}",
	             AI_OK, "");
	expect_parse(AI_WIRE_GEMINI, "{\"candidates\":[{\"finishReason\":\"STOP\"}]}", AI_OK, "");
	/* null is the same as absent, as everywhere in these replies. */
	expect_parse(AI_WIRE_GEMINI, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":null},{\"text\":\"b\"}]},"
	             "\"finishReason\":null}],\"promptFeedback\":{\"blockReason\":null}}", AI_OK, "b");
	/* Feedback without a block is not a block. */
	expect_parse(AI_WIRE_GEMINI, "{\"promptFeedback\":{\"safetyRatings\":[]},\"candidates\":[{\"content\":{\"parts\":"
	             "[{\"text\":\"ok\"}]}}]}", AI_OK, "ok");
}

static void
test_gemini_parse_blocked(void **state)
{
	/* Every finish but STOP and MAX_TOKENS: blocks, and text cut off (RECITATION and the rest). */
	static const char *const reasons[] = { "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION",
	                                       "OTHER", "LANGUAGE", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY",
	                                       "FINISH_REASON_UNSPECIFIED" };
	char body[512];

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		snprintf(body, sizeof(body), "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"partial\"}]},"
		         "\"finishReason\":\"%s\",\"safetyRatings\":[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\","
		         "\"probability\":\"HIGH\",\"blocked\":true}]}]}", reasons[i]);
		expect_parse(AI_WIRE_GEMINI, body, AI_BLOCKED, NULL);
	}
	expect_parse(AI_WIRE_GEMINI, "{\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[]},"
	             "\"usageMetadata\":{\"promptTokenCount\":8}}", AI_BLOCKED, NULL);
	expect_parse(AI_WIRE_GEMINI, "{\"promptFeedback\":{\"blockReason\":\"OTHER\"},\"candidates\":[]}", AI_BLOCKED, NULL);
}

static void
test_gemini_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "null", "[]", "\"text\"", "{", "{}", GEMINI_OK "x", GEMINI_OK ",{}",
		"{\"candidates\":[]}",
		"{\"candidates\":{}}",
		"{\"candidates\":[1]}",
		"{\"candidates\":[{\"content\":[]}]}",
		"{\"candidates\":[{\"content\":{\"parts\":{}}}]}",
		"{\"candidates\":[{\"content\":{\"parts\":[\"text\"]}}]}",
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":5}]}}]}",
		"{\"candidates\":[{\"finishReason\":1}]}",
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\\u0000b\"}]}}]}",
		"{\"promptFeedback\":{\"blockReason\":3}}",
		"{\"promptFeedback\":[]}",
		"{\"error\":{\"code\":400,\"message\":\"API key not valid\",\"status\":\"INVALID_ARGUMENT\"}}",
		"{'candidates':[]}",
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\xff\"}]}}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse(AI_WIRE_GEMINI, bad[i], AI_BAD_REPLY, NULL);
	{
		/* The length given is respected. */
		char *text = NULL;

		assert_int_equal(ai_wire_gemini_parse(GEMINI_OK, strlen(GEMINI_OK) - 1, &text), AI_BAD_REPLY);
		assert_null(text);
		assert_int_equal(ai_wire_gemini_parse(NULL, 0, &text), AI_BAD_REPLY);
	}
}

#define OPENAI_OK "{\"id\":\"chatcmpl-9x\",\"object\":\"chat.completion\",\"created\":1764104400,\"model\":\"llama\"," \
	"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Take a slow breath.\"}," \
	"\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5}}"

static void
test_openai_parse(void **state)
{
	static const char *const bad[] = {
		"", "{}", "[]", OPENAI_OK "}",
		"{\"choices\":[]}",
		"{\"choices\":{}}",
		"{\"choices\":[null]}",
		"{\"choices\":[{\"finish_reason\":\"stop\"}]}",
		"{\"choices\":[{\"message\":\"hi\"}]}",
		"{\"choices\":[{\"message\":{\"content\":3}}]}",
		"{\"choices\":[{\"message\":{\"content\":[\"a\"]}}]}",
		"{\"choices\":[{\"message\":{\"content\":\"a\"},\"finish_reason\":7}]}",
		"{\"choices\":[{\"message\":{\"content\":\"a\\u0000\"}}]}",
		"{\"error\":{\"message\":\"model not found\",\"type\":\"invalid_request_error\"}}",
	};

	(void)state;
	expect_parse(AI_WIRE_OPENAI, OPENAI_OK, AI_OK, "Take a slow breath.");
	expect_parse(AI_WIRE_OPENAI, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null},"
	             "\"finish_reason\":\"length\"}]}", AI_OK, "");
	expect_parse(AI_WIRE_OPENAI, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null}}]}",
	             AI_OK, "x");
	expect_parse(AI_WIRE_OPENAI, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
	             "\"finish_reason\":\"content_filter\"}]}", AI_BLOCKED, NULL);
	expect_parse(AI_WIRE_OPENAI, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
	             "\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}", AI_BLOCKED, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse(AI_WIRE_OPENAI, bad[i], AI_BAD_REPLY, NULL);
}

/* ------------------------------------------------------------------ server-sent events */

#define G_CHUNK(t) "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" t "\"}],\"role\":\"model\"},\"index\":0}]}"
#define G_LAST(t) "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" t "\"}],\"role\":\"model\"}," \
	"\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"totalTokenCount\":40}}"
#define O_CHUNK(t) "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0," \
	"\"delta\":{\"content\":\"" t "\"},\"finish_reason\":null}]}"
#define O_STOP "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"

static void
test_sse_gemini_stream(void **state)
{
	(void)state;
	/* As the Generative Language API sends it: CRLF line ends. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("You ") "\r\n\r\n" G_CHUNK("are ") "\r\n\r\n" G_LAST("not alone.") "\r\n\r\n",
	           AI_OK, "You are not alone.", 1);
	/* LF only, CR only. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\n\n" G_LAST("b") "\n\n", AI_OK, "ab", 1);
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\r\r" G_LAST("b") "\r\r", AI_OK, "ab", 1);
	/* After the finish reason nothing more is read. */
	expect_sse(AI_WIRE_GEMINI, G_LAST("end") "\n\n" G_CHUNK("more") "\n\n", AI_OK, "end", 1);
	/* Not finished yet: the text so far, not done. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\n\n" G_CHUNK("b") "\n\n", AI_OK, "ab", 0);
	/* An event without its empty line is not dispatched yet. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\n\n" G_LAST("b") "\n", AI_OK, "a", 0);
	/* A usage-only chunk carries nothing. */
	expect_sse(AI_WIRE_GEMINI, "data: {\"usageMetadata\":{\"promptTokenCount\":3}}\n\n" G_LAST("x") "\n\n", AI_OK, "x", 1);
}

static void
test_sse_openai_stream(void **state)
{
	(void)state;
	expect_sse(AI_WIRE_OPENAI, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
	           O_CHUNK("Breathe") "\n\n" O_CHUNK(" in.") "\n\n" O_STOP "\n\n" "data: [DONE]\n\n",
	           AI_OK, "Breathe in.", 1);
	/* [DONE] alone ends it (llama.cpp sends the finish reason with the last text). */
	expect_sse(AI_WIRE_OPENAI, O_CHUNK("a") "\n\n" O_CHUNK("b") "\n\ndata: [DONE]\n\n", AI_OK, "ab", 1);
	expect_sse(AI_WIRE_OPENAI, O_CHUNK("a") "\r\n\r\ndata:[DONE]\r\n\r\n", AI_OK, "a", 1);
	/* The usage chunk has no choices. */
	expect_sse(AI_WIRE_OPENAI, O_CHUNK("a") "\n\ndata: {\"choices\":[],\"usage\":{\"total_tokens\":9}}\n\n"
	           "data: [DONE]\n\n", AI_OK, "a", 1);
	/* "[DONE]" means nothing to gemini. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\n\ndata: [DONE]\n\n", AI_BAD_REPLY, "a", 0);
}

static void
test_sse_lines_and_fields(void **state)
{
	(void)state;
	/* Comments and keep-alives, before, inside and between events. */
	expect_sse(AI_WIRE_OPENAI, ": ping\n\n:\n" O_CHUNK("a") "\n: inside\n\n: x\r\n\r\n" O_CHUNK("b") "\r\n:y\r\n\r\n"
	           "data: [DONE]\n\n", AI_OK, "ab", 1);
	/* event:, id:, retry: and unknown fields are ignored; so are fields that only start with "data". */
	expect_sse(AI_WIRE_OPENAI, "event: message\nid: 7\nretry: 100\n" O_CHUNK("a") "\nfoo: bar\ndatax: {\n\n"
	           "data: [DONE]\n\n", AI_OK, "a", 1);
	/* One JSON value over several data lines (joined with '\n'), no space after the colon. */
	expect_sse(AI_WIRE_OPENAI, "data:{\"choices\":\ndata: [{\"delta\":\r\ndata:{\"content\":\"multi\"}}]}\n\n"
	           "data: [DONE]\n\n", AI_OK, "multi", 1);
	/* Events with no data, or empty data, are skipped. */
	expect_sse(AI_WIRE_OPENAI, "data\n\ndata:\n\ndata: \n\nevent: x\n\n\n\n\r\n" O_CHUNK("z") "\n\ndata: [DONE]\n\n",
	           AI_OK, "z", 1);
	/* Mixed line ends: a CR-ended line, then an LF-ended dropped line, then an empty line. */
	expect_sse(AI_WIRE_OPENAI, O_CHUNK("m") "\rid: 5\n\n" O_STOP "\n\n", AI_OK, "m", 1);
	/* A CRLF-ended comment after an LF-ended data line is one line end, not an empty line. */
	expect_sse(AI_WIRE_OPENAI, "data: {\"choices\":\n:c\r\ndata: [{\"delta\":{\"content\":\"j\"}}]}\n\n" O_STOP "\n\n",
	           AI_OK, "j", 1);
	/* A CR-ended comment, then an empty LF line: the LF is the comment's CRLF, not the event's end. */
	expect_sse(AI_WIRE_OPENAI, "data: {\"choices\":\r:c\r\ndata: [{\"delta\":{\"content\":\"k\"}}]}\r\n\r\n" O_STOP "\n\n",
	           AI_OK, "k", 1);
}

static void
test_sse_blocked_and_broken(void **state)
{
	(void)state;
	/* A block after some text: the text already handed on stays handed on. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("I ") "\r\n\r\n" "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]},"
	           "\"finishReason\":\"SAFETY\"}]}\r\n\r\n", AI_BLOCKED, "I ", 0);
	expect_sse(AI_WIRE_GEMINI, "data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}\n\n", AI_BLOCKED, "", 0);
	/* Cut off for reciting: what was streamed before gives way too. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("Here are the lyrics: ") "\r\n\r\n" "data: {\"candidates\":[{\"content\":{\"parts\":"
	           "[{\"text\":\"first line\"}]},\"finishReason\":\"RECITATION\"}]}\r\n\r\n", AI_BLOCKED, "Here are the lyrics: ", 0);
	expect_sse(AI_WIRE_OPENAI, O_CHUNK("a") "\n\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n",
	           AI_BLOCKED, "a", 0);
	expect_sse(AI_WIRE_OPENAI, "data: {\"choices\":[{\"delta\":{\"refusal\":\"No.\"}}]}\n\n", AI_BLOCKED, "", 0);
	/* Broken chunks. */
	expect_sse(AI_WIRE_GEMINI, G_CHUNK("a") "\n\ndata: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\n\n",
	           AI_BAD_REPLY, "a", 0);
	expect_sse(AI_WIRE_OPENAI, "data: {\"choices\":[{\"delta\":{\"content\":1}}]}\n\n", AI_BAD_REPLY, "", 0);
	expect_sse(AI_WIRE_OPENAI, "data: {\"error\":{\"message\":\"overloaded\"}}\n\n", AI_BAD_REPLY, "", 0);
	expect_sse(AI_WIRE_OPENAI, "data: <html>\n\n", AI_BAD_REPLY, "", 0);
	expect_sse(AI_WIRE_GEMINI, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\\u0000\"}]}}]}\n\n",
	           AI_BAD_REPLY, "", 0);
}

static void
test_sse_event_cap(void **state)
{
	char stream[600], text[64];
	struct rec r = { .stop_after = 0 };
	size_t n;
	int done;

	(void)state;
	/* An event of exactly the cap passes; one byte more does not, whatever the chunking. */
	n = (size_t)snprintf(stream, sizeof(stream), O_CHUNK("%s") "\n", "cap");
	assert_int_equal(sse_all_chunkings(AI_WIRE_OPENAI, stream, n, text, sizeof(text), &done), AI_OK);
	assert_string_equal(text, "");
	snprintf(stream + n, sizeof(stream) - n, "\n");
	assert_int_equal(sse_all_chunkings(AI_WIRE_OPENAI, stream, n, text, sizeof(text), &done), AI_OK);
	assert_string_equal(text, "cap");
	assert_int_equal(sse_all_chunkings(AI_WIRE_OPENAI, stream, n - 1, text, sizeof(text), &done), AI_BAD_REPLY);
	assert_string_equal(text, "");
	/* Long comment lines count too, until they end. */
	memset(stream, ':', 300);
	stream[300] = '\0';
	assert_int_equal(sse_run(AI_WIRE_OPENAI, stream, 300, 7, 100, &r, &done), AI_BAD_REPLY);
	/* Many short comments without an empty line do not add up. */
	for (n = 0; n + 3 < 600; n += 3)
		memcpy(stream + n, ":\r\n", 3);
	assert_int_equal(sse_run(AI_WIRE_OPENAI, stream, n, 5, 16, &r, &done), AI_OK);
	/* A cap of zero takes no event at all. */
	assert_int_equal(sse_run(AI_WIRE_OPENAI, O_CHUNK("a") "\n\n", strlen(O_CHUNK("a") "\n\n"), 3, 0, &r, &done),
	                 AI_BAD_REPLY);
}

static void
test_sse_sink_stops(void **state)
{
	static const char stream[] = O_CHUNK("one") "\n\n" O_CHUNK("two") "\n\n" O_CHUNK("three") "\n\ndata: [DONE]\n\n";
	struct rec r = { .stop_after = 2 };
	int done;

	(void)state;
	for (size_t chunk = 1; chunk <= sizeof(stream); chunk++) {
		r.stop_after = 2;
		assert_int_equal(sse_run(AI_WIRE_OPENAI, stream, sizeof(stream) - 1, chunk, SSE_MAX, &r, &done), AI_STOPPED);
		assert_string_equal(r.text, "onetwo");
		assert_int_equal(r.pieces, 2);
		assert_false(done);
	}
	/* A whole reply collected by a sink that never stops is unaffected. */
	{
		struct ai_sse s;

		ai_sse_init(&s, AI_WIRE_OPENAI, SSE_MAX);
		assert_int_not_equal(ai_sse_feed(&s, stream, sizeof(stream) - 1, NULL, NULL), 0);
		assert_int_equal(s.outcome, AI_OK);
		assert_true(s.done);
		ai_sse_free(&s);
		ai_sse_free(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gemini_request_full),
		cmocka_unit_test(test_gemini_request_minimal),
		cmocka_unit_test(test_openai_request),
		cmocka_unit_test(test_gemini_parse_good),
		cmocka_unit_test(test_gemini_parse_blocked),
		cmocka_unit_test(test_gemini_parse_bad),
		cmocka_unit_test(test_openai_parse),
		cmocka_unit_test(test_sse_gemini_stream),
		cmocka_unit_test(test_sse_openai_stream),
		cmocka_unit_test(test_sse_lines_and_fields),
		cmocka_unit_test(test_sse_blocked_and_broken),
		cmocka_unit_test(test_sse_event_cap),
		cmocka_unit_test(test_sse_sink_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
