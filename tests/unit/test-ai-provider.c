/*
 * Tests for cgi-bin/ai/provider.c: the real provider, libcurl and all, against a scripted HTTP
 * server on loopback started by the test. The server answers each request it reads with the next
 * step of its script (at once, or a few bytes at a time with pauses, or never), records every
 * request, and counts the connections and requests, so retries and reuse show in the counts.
 *
 * Covered: whole and streamed replies of both formats, blocks, HTTP errors, the one retry after
 * 429/503 or a refused connection, both timeouts, the reply cap, garbage, the sink stopping, the
 * circuit breaker opening, half-opening and closing, provider none, where the key is sent, and a
 * log that never holds the key, the prompt or the reply.
 *
 * Linked with loopback-guard.c, whose connect() refuses any address off the host and counts the
 * connections made.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "loopback-guard.h"
#include "test-socket.h"
#include "log.h"
#include "provider.h"

#define KEY "AIzaSyT3st-K3y_0123456789abcdefghijkl"
#define PROMPT_MARK "prompt-marker-8d1f"
#define REPLY_MARK "reply-marker-77ab"
#define SYSTEM_MARK "system-marker-c3e0"

/* ------------------------------------------------------------------ a scripted loopback server */

struct step {
	const char *reply;        /* the whole answer, head and body; NULL: never answer */
	size_t chunk;             /* bytes per send; 0: all at once */
	int pause_ms;             /* between sends */
	int then_close;
};

#define MAX_STEPS 8
#define MAX_REQUESTS 8
#define MAX_OWNED 16
#define REQUEST_MAX 65536

struct server {
	int listen_fd;
	int stop[2];              /* a byte on stop[1] ends the server */
	int port;
	struct step steps[MAX_STEPS];
	int nsteps;
	int accepts, requests;
	char *seen[MAX_REQUESTS]; /* each request, head and body */
	char *owned[MAX_OWNED];   /* answers made for this server, freed with it */
	int nowned;
	pthread_t thread;
};

/* Send the answer as the step says; 0 if the server was told to stop meanwhile, -1 if the
   client went away. */
static int
send_step(struct server *s, int fd, const struct step *st)
{
	size_t len = strlen(st->reply), off = 0, chunk = st->chunk ? st->chunk : len;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w;

		if (off > 0 && st->pause_ms > 0) {
			struct pollfd pfd = { .fd = s->stop[0], .events = POLLIN };

			if (poll(&pfd, 1, st->pause_ms) != 0)
				return 0;
		}
		w = send(fd, st->reply + off, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 1;
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	int conn = -1, step = 0, one = 1;
	char *buf = malloc(REQUEST_MAX);

	while (buf != NULL) {
		struct pollfd pfd[3] = {
			{ .fd = s->stop[0], .events = POLLIN },
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = conn, .events = POLLIN },
		};
		int rc = poll(pfd, conn >= 0 ? 3 : 2, 10000);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0 || pfd[0].revents != 0)
			break;                                 /* told to stop, or nobody came for 10 s */
		if (pfd[1].revents & POLLIN) {
			int fd = accept(s->listen_fd, NULL, NULL);

			if (fd >= 0) {
				s->accepts++;
				(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				if (conn >= 0)
					close(conn);           /* the client has moved on */
				conn = fd;
			}
			continue;
		}
		if (conn < 0 || pfd[2].revents == 0)
			continue;
		if (!test_read_http_request(conn, buf, REQUEST_MAX)) {
			close(conn);                           /* the client closed (or sent half a request) */
			conn = -1;
			continue;
		}
		if (s->requests < MAX_REQUESTS)
			s->seen[s->requests] = strdup(buf);
		s->requests++;
		if (step < s->nsteps) {
			const struct step *st = &s->steps[step++];
			int sent = 1;

			if (st->reply != NULL)
				sent = send_step(s, conn, st);
			if (sent == 0)
				break;
			if (sent < 0 || st->then_close) {
				close(conn);
				conn = -1;
			}
		}
	}
	if (conn >= 0)
		close(conn);
	free(buf);
	return NULL;
}

static void
server_start(struct server *s)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->listen_fd >= 0);
	(void)setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(listen(s->listen_fd, 8), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&in, &len), 0);
	s->port = ntohs(in.sin_port);
	assert_int_equal(pipe2(s->stop, O_CLOEXEC), 0);
}

static void
server_add(struct server *s, const char *reply, size_t chunk, int pause_ms, int then_close)
{
	assert_true(s->nsteps < MAX_STEPS);
	s->steps[s->nsteps].reply = reply;
	s->steps[s->nsteps].chunk = chunk;
	s->steps[s->nsteps].pause_ms = pause_ms;
	s->steps[s->nsteps].then_close = then_close;
	s->nsteps++;
}

static void
server_run(struct server *s)
{
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void
server_stop(struct server *s)
{
	assert_int_equal(write(s->stop[1], "x", 1), 1);
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->listen_fd);
}

static void
server_free(struct server *s)
{
	for (int i = 0; i < MAX_REQUESTS; i++)
		free(s->seen[i]);
	for (int i = 0; i < s->nowned; i++)
		free(s->owned[i]);
}

static char *
server_keep(struct server *s, char *r)
{
	assert_non_null(r);
	assert_true(s->nowned < MAX_OWNED);
	s->owned[s->nowned++] = r;
	return r;
}

/* An answer with a Content-Length. */
static const char *
answer(struct server *s, const char *status, const char *type, const char *extra, const char *body)
{
	size_t n = strlen(body) + strlen(extra) + 256;
	char *r = malloc(n);

	assert_non_null(r);
	snprintf(r, n, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n%s", status, type, strlen(body),
	         extra, body);
	return server_keep(s, r);
}

/* A 200 whose body comes in chunked transfer coding, `piece` bytes a chunk (as SSE servers do). */
static const char *
answer_chunked(struct server *s, const char *type, const char *body, size_t piece)
{
	size_t len = strlen(body), n = len * 2 + 256 + (len / piece + 1) * 16, w;
	char *r = malloc(n);

	assert_non_null(r);
	w = (size_t)snprintf(r, n, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n", type);
	for (size_t off = 0; off < len; off += piece) {
		size_t k = len - off < piece ? len - off : piece;

		w += (size_t)snprintf(r + w, n - w, "%zx\r\n", k);
		memcpy(r + w, body + off, k);
		w += k;
		w += (size_t)snprintf(r + w, n - w, "\r\n");
	}
	snprintf(r + w, n - w, "0\r\n\r\n");
	return server_keep(s, r);
}

/* The request line, the head and the body of a recorded request. */
static void
request_parts(const char *req, char *line, size_t linelen, char *head, size_t headlen, const char **body)
{
	const char *eol = strstr(req, "\r\n"), *end = strstr(req, "\r\n\r\n");

	assert_non_null(eol);
	assert_non_null(end);
	snprintf(line, linelen, "%.*s", (int)(eol - req), req);
	snprintf(head, headlen, "%.*s", (int)(end + 2 - req), req);
	*body = end + 4;
}

/* ------------------------------------------------------------------ the provider under test */

struct fixture {
	struct astral_config cfg;
	char endpoint[128];
	struct ai_provider *p;
};

static char the_key[] = KEY;
static char gemini_model[] = "gemini-test";
static char openai_model[] = "local-llm";

/* The configuration for a provider at the loopback port (nothing opened yet: tests adjust it). */
static void
provider_open(struct fixture *f, int kind, int port, char *key)
{
	memset(f, 0, sizeof(*f));
	if (kind == ASTRAL_AI_GEMINI)
		snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d/v1beta", port);
	else
		snprintf(f->endpoint, sizeof(f->endpoint), "http://127.0.0.1:%d/v1", port);
	f->cfg.ai_provider = kind;
	f->cfg.ai_endpoint = f->endpoint;
	f->cfg.ai_model = kind == ASTRAL_AI_GEMINI ? gemini_model : openai_model;
	f->cfg.ai_key = key;
	f->cfg.ai_connect_timeout_ms = 1000;
	f->cfg.ai_timeout_ms = 3000;
	f->cfg.ai_max_reply_bytes = 65536;
	f->cfg.ai_breaker_failures = 5;
	f->cfg.ai_breaker_cooldown = 30;
}

static void
provider_start(struct fixture *f)
{
	assert_int_equal(ai_provider_open(&f->cfg, &f->p), ASTRAL_OK);
	assert_non_null(f->p);
}

static const struct ai_turn turns[] = {
	{ AI_SPEAKER_USER, "I keep worrying about exams." },
	{ AI_SPEAKER_MODEL, "That sounds hard. What part worries you most?" },
	{ AI_SPEAKER_USER, "Failing them, " PROMPT_MARK },
};

/* What a streamed call's sink saw. */
struct collect {
	char text[16384];
	size_t len;
	int pieces;
	int stop_after;           /* ask to stop once this many pieces came; 0: never */
};

static int
collect_sink(void *ctx, const char *piece, size_t len)
{
	struct collect *c = ctx;

	assert_true(len > 0);
	assert_true(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, piece, len);
	c->len += len;
	c->text[c->len] = '\0';
	c->pieces++;
	return c->stop_after > 0 && c->pieces >= c->stop_after;
}

static void
call(struct fixture *f, struct collect *sink, struct ai_reply *out)
{
	struct ai_call c = { .system = "Be kind. " SYSTEM_MARK, .turns = turns, .nturns = 3,
	                     .on_text = sink != NULL ? collect_sink : NULL, .ctx = sink };

	ai_provider_call(f->p, &c, out);
	assert_non_null(out->text);
	assert_int_equal(out->len, strlen(out->text));
}

static void
expect_outcome(const struct ai_reply *r, enum ai_outcome want)
{
	if (r->outcome != want)
		fail_msg("outcome %s (status %ld, %.0f ms), want %s", ai_outcome_name(r->outcome), r->http_status,
		         r->elapsed_ms, ai_outcome_name(want));
}

/* ------------------------------------------------------------------ replies */

#define GEMINI_BODY "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"It is normal to worry. \"}," \
	"{\"text\":\"" REPLY_MARK "\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}]," \
	"\"usageMetadata\":{\"promptTokenCount\":30,\"candidatesTokenCount\":9,\"totalTokenCount\":39}," \
	"\"modelVersion\":\"gemini-test\"}"
#define GEMINI_TEXT "It is normal to worry. " REPLY_MARK

#define OPENAI_BODY "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764104400,\"model\":\"local-llm\"," \
	"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Breathe slowly. " REPLY_MARK "\"}," \
	"\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":5,\"total_tokens\":35}}"
#define OPENAI_TEXT "Breathe slowly. " REPLY_MARK

#define G_EVENT(t, fin) "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" t "\"}],\"role\":\"model\"}" fin \
	",\"index\":0}],\"modelVersion\":\"gemini-test\"}\r\n\r\n"
#define GEMINI_SSE G_EVENT("You are ", "") G_EVENT("doing better ", "") G_EVENT("than you think. ", "") \
	G_EVENT(REPLY_MARK, ",\"finishReason\":\"STOP\"")
#define GEMINI_SSE_TEXT "You are doing better than you think. " REPLY_MARK

#define O_EVENT(t, fin) "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0," \
	"\"delta\":{\"content\":\"" t "\"},\"finish_reason\":" fin "}]}\n\n"
#define OPENAI_SSE "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}," \
	"\"finish_reason\":null}]}\n\n" ": keep-alive\n\n" O_EVENT("One ", "null") O_EVENT("step ", "null") \
	O_EVENT("at a time. ", "null") O_EVENT(REPLY_MARK, "null") O_EVENT("", "\"stop\"") "data: [DONE]\n\n"
#define OPENAI_SSE_TEXT "One step at a time. " REPLY_MARK

/* The key only in its header, never in the request line or body. */
static void
check_key_placement(const char *req, const char *want_header)
{
	char line[1024], head[8192];
	const char *body, *first;

	request_parts(req, line, sizeof(line), head, sizeof(head), &body);
	assert_null(strstr(line, KEY));
	assert_null(strstr(body, KEY));
	first = strstr(head, KEY);
	if (want_header == NULL) {
		assert_null(first);
		assert_null(strcasestr(head, "\r\nAuthorization:"));
		assert_null(strcasestr(head, "\r\nx-goog-api-key:"));
		return;
	}
	assert_non_null(strstr(head, want_header));
	assert_non_null(first);
	assert_null(strstr(first + 1, KEY));
}

static void
test_gemini_whole(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	char line[1024], head[8192];
	const char *body;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json; charset=UTF-8", "", GEMINI_BODY), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json; charset=UTF-8", "", GEMINI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	provider_start(&f);
	connect_calls = 0;
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, GEMINI_TEXT);
	assert_int_equal(r.http_status, 200);
	assert_true(r.elapsed_ms >= 0);
	ai_reply_free(&r);
	assert_null(r.text);
	/* The second call reuses the connection. */
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 2);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(connect_calls, 1);

	request_parts(s.seen[0], line, sizeof(line), head, sizeof(head), &body);
	assert_string_equal(line, "POST /v1beta/models/gemini-test:generateContent HTTP/1.1");
	assert_non_null(strstr(head, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(head, "\r\nAccept: application/json\r\n"));
	assert_null(strcasestr(head, "\r\nExpect:"));
	assert_non_null(strstr(body, "\"systemInstruction\":{\"parts\":[{\"text\":\"Be kind. " SYSTEM_MARK "\"}]}"));
	assert_non_null(strstr(body, "{\"role\":\"model\",\"parts\":[{\"text\":\"That sounds hard."));
	check_key_placement(s.seen[0], "\r\nx-goog-api-key: " KEY "\r\n");
	assert_null(strcasestr(head, "\r\nAuthorization:"));
	server_free(&s);
}

static void
test_openai_whole(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	char line[1024], head[8192];
	const char *body;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "", OPENAI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, OPENAI_TEXT);
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 1);

	request_parts(s.seen[0], line, sizeof(line), head, sizeof(head), &body);
	assert_string_equal(line, "POST /v1/chat/completions HTTP/1.1");
	assert_non_null(strstr(body, "\"model\":\"local-llm\""));
	assert_non_null(strstr(body, "\"stream\":false"));
	assert_non_null(strstr(body, "{\"role\":\"system\",\"content\":\"Be kind. " SYSTEM_MARK "\"}"));
	check_key_placement(s.seen[0], "\r\nAuthorization: Bearer " KEY "\r\n");
	assert_null(strcasestr(head, "\r\nx-goog-api-key:"));
	server_free(&s);
}

/* A local model without a key: no Authorization header at all. */
static void
test_openai_without_key(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "", OPENAI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, NULL);
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	check_key_placement(s.seen[0], NULL);
	server_free(&s);
}

static void
test_gemini_streamed_in_small_pieces(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };
	char line[1024], head[8192];
	const char *body;

	(void)state;
	server_start(&s);
	server_add(&s, answer_chunked(&s, "text/event-stream", GEMINI_SSE, 13), 7, 1, 0);
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", GEMINI_SSE), 3, 1, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	provider_start(&f);
	call(&f, &c, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, GEMINI_SSE_TEXT);
	assert_string_equal(c.text, GEMINI_SSE_TEXT);
	assert_int_equal(c.pieces, 4);
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	/* Again with a Content-Length, three bytes at a time, on the same connection. */
	memset(&c, 0, sizeof(c));
	call(&f, &c, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(c.text, GEMINI_SSE_TEXT);
	assert_string_equal(r.text, GEMINI_SSE_TEXT);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);

	request_parts(s.seen[0], line, sizeof(line), head, sizeof(head), &body);
	assert_string_equal(line, "POST /v1beta/models/gemini-test:streamGenerateContent?alt=sse HTTP/1.1");
	assert_non_null(strstr(head, "\r\nAccept: text/event-stream\r\n"));
	check_key_placement(s.seen[0], "\r\nx-goog-api-key: " KEY "\r\n");
	server_free(&s);
}

static void
test_openai_streamed_in_small_pieces(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };
	const char *body;
	char line[1024], head[8192];

	(void)state;
	server_start(&s);
	server_add(&s, answer_chunked(&s, "text/event-stream", OPENAI_SSE, 11), 5, 1, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	provider_start(&f);
	call(&f, &c, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, OPENAI_SSE_TEXT);
	assert_string_equal(c.text, OPENAI_SSE_TEXT);
	assert_int_equal(c.pieces, 4);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	request_parts(s.seen[0], line, sizeof(line), head, sizeof(head), &body);
	assert_string_equal(line, "POST /v1/chat/completions HTTP/1.1");
	assert_non_null(strstr(body, "\"stream\":true"));
	check_key_placement(s.seen[0], "\r\nAuthorization: Bearer " KEY "\r\n");
	server_free(&s);
}

/* The sink stops after two pieces: the call ends as stopped with the text so far. */
static void
test_sink_stops_stream(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 2 };

	(void)state;
	server_start(&s);
	server_add(&s, answer_chunked(&s, "text/event-stream", OPENAI_SSE, 40), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, NULL);
	provider_start(&f);
	call(&f, &c, &r);
	expect_outcome(&r, AI_STOPPED);
	assert_string_equal(c.text, "One step ");
	assert_string_equal(r.text, "One step ");
	assert_int_equal(c.pieces, 2);
	assert_false(ai_provider_breaker_open(f.p));
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 1);
	server_free(&s);
}

/* ------------------------------------------------------------------ blocks */

static void
test_gemini_blocked(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "",
	                      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Sure, here\"}],\"role\":\"model\"},"
	                      "\"finishReason\":\"SAFETY\",\"safetyRatings\":[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\","
	                      "\"probability\":\"HIGH\",\"blocked\":true}]}]}"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "",
	                      "{\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[]},"
	                      "\"usageMetadata\":{\"promptTokenCount\":12}}"), 0, 0, 0);
	server_add(&s, answer_chunked(&s, "text/event-stream", G_EVENT("Here ", "")
	                              G_EVENT("", ",\"finishReason\":\"PROHIBITED_CONTENT\""), 17), 9, 1, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_breaker_failures = 1;              /* a block is no failure */
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BLOCKED);
	assert_string_equal(r.text, "");
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BLOCKED);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_BLOCKED);
	assert_string_equal(r.text, "");
	assert_string_equal(c.text, "Here ");
	ai_reply_free(&r);
	assert_false(ai_provider_breaker_open(f.p));
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 3);
	server_free(&s);
}

static void
test_openai_content_filter(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "",
	                      "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},"
	                      "\"finish_reason\":\"content_filter\"}]}"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "",
	                      O_EVENT("I ", "null") O_EVENT("", "\"content_filter\"") "data: [DONE]\n\n"), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BLOCKED);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_BLOCKED);
	assert_string_equal(c.text, "I ");
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	server_free(&s);
}

/* ------------------------------------------------------------------ failures and retries */

#define ERROR_JSON "{\"error\":{\"code\":500,\"message\":\"Internal error\",\"status\":\"INTERNAL\"}}"

static void
test_http_500_not_retried(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "500 Internal Server Error", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 500);
	assert_string_equal(r.text, "");
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 1);
	server_free(&s);
}

static void
test_429_then_success(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "429 Too Many Requests", "application/json", "Retry-After: 0\r\n",
	                      "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\"}}"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	/* Streamed: a 503 without Retry-After, then the stream. */
	server_add(&s, answer(&s, "503 Service Unavailable", "text/html", "", "<html>overloaded</html>"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", GEMINI_SSE), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, GEMINI_TEXT);
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(c.text, GEMINI_SSE_TEXT);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 4);
	assert_int_equal(s.accepts, 1);
	server_free(&s);
}

static void
test_retry_once_only(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct timespec t0, t1;
	double ms;

	(void)state;
	server_start(&s);
	/* 503 twice: one retry, then the error (after the second wait of Retry-After: 1). */
	server_add(&s, answer(&s, "503 Service Unavailable", "text/plain", "Retry-After: 1\r\n", "busy"), 0, 0, 0);
	server_add(&s, answer(&s, "503 Service Unavailable", "text/plain", "Retry-After: 1\r\n", "busy"), 0, 0, 0);
	/* A Retry-After longer than a second, or a date: no retry. */
	server_add(&s, answer(&s, "429 Too Many Requests", "text/plain", "Retry-After: 30\r\n", "later"), 0, 0, 0);
	server_add(&s, answer(&s, "429 Too Many Requests", "text/plain",
	                      "Retry-After: Wed, 26 Nov 2025 07:28:00 GMT\r\n", "later"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	provider_start(&f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	call(&f, NULL, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 503);
	assert_true(ms >= 950);                     /* Retry-After: 1 was honoured */
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 429);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 429);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 4);
	server_free(&s);
}

/* A retry never goes past the call's time budget. */
static void
test_retry_within_budget(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "429 Too Many Requests", "text/plain", "Retry-After: 1\r\n", "later"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_timeout_ms = 1000;
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 429);
	assert_true(r.elapsed_ms < 900);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 1);
	server_free(&s);
}

static void
expect_timeout_near(const struct ai_reply *r, double timeout_ms)
{
	expect_outcome(r, AI_TIMEOUT);
	if (r->elapsed_ms < timeout_ms - 50 || r->elapsed_ms > timeout_ms + 400)
		fail_msg("timed out after %.0f ms, want about %.0f", r->elapsed_ms, timeout_ms);
}

static void
test_server_never_answers(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	server_add(&s, NULL, 0, 0, 0);
	server_add(&s, NULL, 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	f.cfg.ai_timeout_ms = 1000;
	provider_start(&f);
	call(&f, NULL, &r);
	expect_timeout_near(&r, 1000);
	assert_int_equal(r.http_status, 0);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_timeout_near(&r, 1000);
	assert_int_equal(c.pieces, 0);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 2);              /* a timeout is not retried */
	server_free(&s);
}

static void
test_slow_drip(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	/* The head within the time, the body not. */
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 20, 100, 0);
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", GEMINI_SSE), 10, 60, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_timeout_ms = 1000;
	provider_start(&f);
	call(&f, NULL, &r);
	expect_timeout_near(&r, 1000);
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	/* Streamed: some text may have gone out, and the call still ends on time. */
	call(&f, &c, &r);
	expect_timeout_near(&r, 1000);
	assert_string_equal(r.text, "");
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	server_free(&s);
}

static void
test_reply_too_large(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };
	char *big = malloc(8192), *events = malloc(16384);
	size_t n = 0;

	(void)state;
	assert_non_null(big);
	assert_non_null(events);
	n = (size_t)snprintf(big, 8192, "{\"choices\":[{\"message\":{\"content\":\"");
	memset(big + n, 'a', 4000);
	snprintf(big + n + 4000, 8192 - n - 4000, "\"},\"finish_reason\":\"stop\"}]}");
	/* Many small events, each well under the cap, adding up to more than it. */
	n = 0;
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(events + n, 16384 - n, O_EVENT("0123456789", "null"));
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "", big), 0, 0, 0);
	server_add(&s, answer_chunked(&s, "application/json", big, 500), 0, 0, 0);
	server_add(&s, answer_chunked(&s, "text/event-stream", events, 300), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	f.cfg.ai_max_reply_bytes = 2048;
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	assert_int_equal(r.http_status, 200);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	assert_true(c.len < 2048);
	assert_string_equal(r.text, "");
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 3);
	server_free(&s);
	free(big);
	free(events);
}

static void
test_garbage(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	struct collect c = { .stop_after = 0 };

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "200 OK", "application/json", "", "{\"candidates\":[{\"content\":"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "text/html", "", "<html><body>Welcome to nginx!</body></html>"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", "{\"candidates\":[]}"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", "data: {\"candidates\":[{\"content\":{\"parts\"\n\n"),
	           0, 0, 0);
	/* A stream that ends before its finish reason. */
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", G_EVENT("cut ", "")), 0, 0, 0);
	/* The last event without its empty line is still read. */
	server_add(&s, answer(&s, "200 OK", "text/event-stream", "", "data: {\"candidates\":[{\"content\":{\"parts\":"
	                      "[{\"text\":\"fine\"}]},\"finishReason\":\"STOP\"}]}"), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_breaker_failures = 100;           /* five failures in a row here */
	provider_start(&f);
	for (int i = 0; i < 3; i++) {
		call(&f, NULL, &r);
		expect_outcome(&r, AI_BAD_REPLY);
		assert_int_equal(r.http_status, 200);
		ai_reply_free(&r);
	}
	call(&f, &c, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	assert_string_equal(c.text, "cut ");
	ai_reply_free(&r);
	call(&f, &c, &r);
	expect_outcome(&r, AI_OK);
	assert_string_equal(r.text, "fine");
	ai_reply_free(&r);
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 6);
	server_free(&s);
}

/* A port with nothing listening: refused, tried once more, unreachable. */
static void
test_connection_refused(void **state)
{
	struct fixture f;
	struct ai_reply r;
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	/* Bound but not listening: the port stays ours, and connecting to it is refused. */
	assert_true(fd >= 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	provider_open(&f, ASTRAL_AI_OPENAI, ntohs(in.sin_port), the_key);
	provider_start(&f);
	connect_calls = 0;
	call(&f, NULL, &r);
	expect_outcome(&r, AI_UNREACHABLE);
	assert_int_equal(r.http_status, 0);
	assert_true(r.elapsed_ms < 1000);
	assert_int_equal(connect_calls, 2);
	ai_reply_free(&r);
	ai_provider_close(f.p);
	close(fd);
}

/* ------------------------------------------------------------------ the breaker */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
test_breaker(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;
	int calls;

	(void)state;
	server_start(&s);
	for (int i = 0; i < 3; i++)
		server_add(&s, answer(&s, "500 Internal Server Error", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "500 Internal Server Error", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	server_add(&s, answer(&s, "500 Internal Server Error", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_breaker_failures = 3;
	f.cfg.ai_breaker_cooldown = 1;
	provider_start(&f);

	/* Three failures in a row open it. */
	for (int i = 0; i < 3; i++) {
		assert_false(ai_provider_breaker_open(f.p));
		call(&f, NULL, &r);
		expect_outcome(&r, AI_HTTP_ERROR);
		ai_reply_free(&r);
	}
	assert_true(ai_provider_breaker_open(f.p));
	/* Open: refused at once, without a connection. */
	calls = connect_calls;
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BREAKER_OPEN);
	assert_int_equal(r.http_status, 0);
	assert_string_equal(r.text, "");
	assert_true(r.elapsed_ms < 50);
	ai_reply_free(&r);
	assert_int_equal(connect_calls, calls);

	/* After the cooldown one trial call goes through; it fails, so the breaker opens again at once. */
	sleep_ms(1100);
	assert_false(ai_provider_breaker_open(f.p));
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	ai_reply_free(&r);
	assert_true(ai_provider_breaker_open(f.p));
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BREAKER_OPEN);
	ai_reply_free(&r);

	/* The next trial succeeds and closes it: one failure after that does not open it. */
	sleep_ms(1100);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	ai_reply_free(&r);
	assert_false(ai_provider_breaker_open(f.p));
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	ai_reply_free(&r);
	assert_false(ai_provider_breaker_open(f.p));
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 6);
	server_free(&s);
}

/* Timeouts and refused connections count too; one success in between starts the count again. */
static void
test_breaker_counts_consecutive(void **state)
{
	struct server s;
	struct fixture f;
	struct ai_reply r;

	(void)state;
	server_start(&s);
	server_add(&s, answer(&s, "400 Bad Request", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", "not json"), 0, 0, 0);
	server_add(&s, answer(&s, "200 OK", "application/json", "", GEMINI_BODY), 0, 0, 0);
	server_add(&s, answer(&s, "401 Unauthorized", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "404 Not Found", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, NULL, 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_GEMINI, s.port, the_key);
	f.cfg.ai_breaker_failures = 3;
	f.cfg.ai_timeout_ms = 1000;
	provider_start(&f);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_BAD_REPLY);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_OK);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 404);
	ai_reply_free(&r);
	assert_false(ai_provider_breaker_open(f.p));
	call(&f, NULL, &r);
	expect_outcome(&r, AI_TIMEOUT);
	ai_reply_free(&r);
	assert_true(ai_provider_breaker_open(f.p));
	ai_provider_close(f.p);
	server_stop(&s);
	server_free(&s);
}

/* A 400, 413 or 422 refuses this one request (a conversation over the model's context): the
   provider answered, so it is no failure, however many come; a 401, 403 or 404 is about the key or
   the endpoint and still counts. */
static void
test_breaker_request_errors_are_no_failure(void **state)
{
	static const char *const refused[] = { "400 Bad Request", "413 Payload Too Large",
	                                       "422 Unprocessable Entity", "400 Bad Request" };
	static const long refused_status[] = { 400, 413, 422, 400 };
	struct server s;
	struct fixture f;
	struct ai_reply r;

	(void)state;
	server_start(&s);
	for (int i = 0; i < 4; i++)
		server_add(&s, answer(&s, refused[i], "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "401 Unauthorized", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "422 Unprocessable Entity", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "403 Forbidden", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_add(&s, answer(&s, "404 Not Found", "application/json", "", ERROR_JSON), 0, 0, 0);
	server_run(&s);
	provider_open(&f, ASTRAL_AI_OPENAI, s.port, the_key);
	f.cfg.ai_breaker_failures = 2;
	provider_start(&f);
	for (int i = 0; i < 4; i++) {
		call(&f, NULL, &r);
		expect_outcome(&r, AI_HTTP_ERROR);
		assert_int_equal(r.http_status, refused_status[i]);
		ai_reply_free(&r);
		assert_false(ai_provider_breaker_open(f.p));
	}
	/* One config failure; a refused request in between starts the count again (the provider
	   answered), so the next two are needed to open it. */
	call(&f, NULL, &r);
	assert_int_equal(r.http_status, 401);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	assert_int_equal(r.http_status, 422);
	ai_reply_free(&r);
	call(&f, NULL, &r);
	assert_int_equal(r.http_status, 403);
	ai_reply_free(&r);
	assert_false(ai_provider_breaker_open(f.p));
	call(&f, NULL, &r);
	expect_outcome(&r, AI_HTTP_ERROR);
	assert_int_equal(r.http_status, 404);
	ai_reply_free(&r);
	assert_true(ai_provider_breaker_open(f.p));
	ai_provider_close(f.p);
	server_stop(&s);
	assert_int_equal(s.requests, 8);
	server_free(&s);
}

static void
test_provider_none(void **state)
{
	struct fixture f;
	struct ai_reply r;
	int calls = connect_calls;

	(void)state;
	provider_open(&f, ASTRAL_AI_NONE, 9, the_key);
	provider_start(&f);
	for (int i = 0; i < 3; i++) {
		call(&f, NULL, &r);
		expect_outcome(&r, AI_NO_PROVIDER);
		assert_string_equal(r.text, "");
		assert_int_equal(r.http_status, 0);
		ai_reply_free(&r);
	}
	assert_false(ai_provider_breaker_open(f.p));
	assert_int_equal(connect_calls, calls);
	ai_provider_close(f.p);
	ai_provider_close(NULL);
	assert_false(ai_provider_breaker_open(NULL));
}

static void
test_outcome_names(void **state)
{
	static const char *const names[] = { "ok", "stopped", "blocked", "timeout", "http_error", "bad_reply",
	                                     "unreachable", "breaker_open", "no_provider" };

	(void)state;
	for (int o = AI_OK; o <= AI_NO_PROVIDER; o++)
		assert_string_equal(ai_outcome_name((enum ai_outcome)o), names[o]);
	assert_string_equal(ai_outcome_name((enum ai_outcome)42), "unknown");
	ai_reply_free(NULL);
}

/* ------------------------------------------------------------------ the log */

static FILE *log_file;

/* Every call above was logged with its outcome; the key, the prompts and the replies never. */
static void
test_log_holds_no_secrets(void **state)
{
	char *text;
	long n;

	(void)state;
	assert_non_null(log_file);
	fflush(log_file);
	n = ftell(log_file);
	assert_true(n > 0);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	rewind(log_file);
	assert_int_equal(fread(text, 1, (size_t)n, log_file), (size_t)n);
	assert_non_null(strstr(text, "outcome=ok"));
	assert_non_null(strstr(text, "outcome=timeout"));
	assert_non_null(strstr(text, "outcome=blocked"));
	assert_non_null(strstr(text, "status=429"));
	assert_non_null(strstr(text, "ai breaker open"));
	assert_null(strstr(text, KEY));
	assert_null(strstr(text, "AIzaSy"));
	assert_null(strstr(text, PROMPT_MARK));
	assert_null(strstr(text, SYSTEM_MARK));
	assert_null(strstr(text, REPLY_MARK));
	assert_null(strstr(text, "exams"));
	free(text);
}

static int
group_setup(void **state)
{
	(void)state;
	/* No proxy from the environment may stand between the provider and the loopback server. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	log_file = tmpfile();
	if (log_file == NULL)
		return -1;
	astral_log_init("ai-test", ASTRAL_LOG_DEBUG);
	astral_log_set_sink(log_file);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	astral_log_set_sink(NULL);
	if (log_file != NULL)
		fclose(log_file);
	curl_global_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gemini_whole),
		cmocka_unit_test(test_openai_whole),
		cmocka_unit_test(test_openai_without_key),
		cmocka_unit_test(test_gemini_streamed_in_small_pieces),
		cmocka_unit_test(test_openai_streamed_in_small_pieces),
		cmocka_unit_test(test_sink_stops_stream),
		cmocka_unit_test(test_gemini_blocked),
		cmocka_unit_test(test_openai_content_filter),
		cmocka_unit_test(test_http_500_not_retried),
		cmocka_unit_test(test_429_then_success),
		cmocka_unit_test(test_retry_once_only),
		cmocka_unit_test(test_retry_within_budget),
		cmocka_unit_test(test_server_never_answers),
		cmocka_unit_test(test_slow_drip),
		cmocka_unit_test(test_reply_too_large),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_breaker),
		cmocka_unit_test(test_breaker_counts_consecutive),
		cmocka_unit_test(test_breaker_request_errors_are_no_failure),
		cmocka_unit_test(test_provider_none),
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_log_holds_no_secrets),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
