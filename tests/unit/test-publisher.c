/*
 * Tests for lib/publisher.c: the response-head parser, and the kept connection to the publisher
 * against a scripted HTTP server on loopback started by the test. The server answers each request
 * it reads with the next step of its script, counts the connections it accepted and the requests
 * it read, and keeps reading (and counting, without answering) after the script ends, so a
 * request sent again where it must not be shows in the counts.
 *
 * Linked with loopback-guard.c, whose connect() refuses any address off the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loopback-guard.h"
#include "test-socket.h"
#include "publisher.h"

#define CHANNEL "user-6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
#define BODY "{\"type\":\"message\"}"

/* nchan's answer to a publish when nobody listens, as nginx sends it on a kept connection. */
#define NCHAN_202 "HTTP/1.1 202 Accepted\r\nServer: nginx\r\nDate: Tue, 25 Nov 2025 21:00:00 GMT\r\n" \
	"Content-Type: text/plain\r\nContent-Length: 100\r\nConnection: keep-alive\r\n\r\n" \
	"queued messages: 1\r\nlast requested: 0 sec. ago\r\nactive subscribers: 0\r\n" \
	"last message id: 17641044:0\r\n"

/* ---- a scripted loopback HTTP server ---- */

/* What the server does with the request it has just read. */
struct step {
	const char *reply;        /* sent whole; NULL: nothing */
	int then_close;           /* close the connection afterwards */
	const char *later;        /* sent 100 ms after the reply, unasked */
};

#define MAX_STEPS 4
#define MAX_REQUESTS 8

struct server {
	int listen_fd;
	int stop[2];              /* a byte on stop[1] ends the server */
	char port[8];
	struct step steps[MAX_STEPS];
	int nsteps;
	int accepts;              /* connections accepted */
	int requests;             /* whole requests read (answered or not) */
	char seen[MAX_REQUESTS][1024];   /* each request, head and body */
	pthread_t thread;
};

static void *
server_main(void *arg)
{
	struct server *s = arg;
	int conn = -1, step = 0;

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = s->stop[0], .events = POLLIN },
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = conn, .events = POLLIN },
		};
		char sink[1024];
		int rc = poll(pfd, conn >= 0 ? 3 : 2, 10000);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0 || pfd[0].revents != 0)
			break;                                 /* told to stop, or nobody came for 10 s */
		if (pfd[1].revents & POLLIN) {
			int fd = accept(s->listen_fd, NULL, NULL);

			if (fd >= 0) {
				s->accepts++;
				if (conn >= 0)
					close(conn);           /* the client has moved on */
				conn = fd;
			}
			continue;
		}
		if (conn < 0 || pfd[2].revents == 0)
			continue;
		if (!test_read_http_request(conn, s->requests < MAX_REQUESTS ? s->seen[s->requests] : sink,
		                  s->requests < MAX_REQUESTS ? sizeof(s->seen[0]) : sizeof(sink))) {
			close(conn);                           /* the client closed (or sent half a request) */
			conn = -1;
			continue;
		}
		s->requests++;
		if (step < s->nsteps) {
			if (s->steps[step].reply != NULL)
				test_send_all(conn, s->steps[step].reply);
			if (s->steps[step].later != NULL) {
				struct timespec pause = { 0, 100 * 1000 * 1000 };

				nanosleep(&pause, NULL);
				test_send_all(conn, s->steps[step].later);
			}
			if (s->steps[step].then_close) {
				close(conn);
				conn = -1;
			}
			step++;
		}
	}
	if (conn >= 0)
		close(conn);
	return NULL;
}

/* Listen on a loopback port (0: any free one); 0 when that cannot be done here. */
static int
server_start_on(struct server *s, int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	memset(s, 0, sizeof(*s));
	memset(&ss, 0, sizeof(ss));
	s->listen_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return 0;
	(void)setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		memcpy(&ss, &in, sizeof(in));
		len = sizeof(in);
	} else {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

		in6.sin6_addr = in6addr_loopback;
		memcpy(&ss, &in6, sizeof(in6));
		len = sizeof(in6);
	}
	if (bind(s->listen_fd, (struct sockaddr *)&ss, len) != 0 || listen(s->listen_fd, 4) != 0 ||
	    getsockname(s->listen_fd, (struct sockaddr *)&ss, &len) != 0) {
		close(s->listen_fd);
		return 0;
	}
	if (family == AF_INET) {
		struct sockaddr_in in;

		memcpy(&in, &ss, sizeof(in));
		port = ntohs(in.sin_port);
	} else {
		struct sockaddr_in6 in6;

		memcpy(&in6, &ss, sizeof(in6));
		port = ntohs(in6.sin6_port);
	}
	snprintf(s->port, sizeof(s->port), "%d", port);
	assert_int_equal(pipe2(s->stop, O_CLOEXEC), 0);
	return 1;
}

static void
server_add(struct server *s, const char *reply, int then_close)
{
	assert_true(s->nsteps < MAX_STEPS);
	s->steps[s->nsteps].reply = reply;
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

/* A server on an ephemeral IPv4 loopback port, with its URL. */
static void
server_start(struct server *s, char *url, size_t urllen)
{
	assert_true(server_start_on(s, AF_INET, 0));
	snprintf(url, urllen, "http://127.0.0.1:%s/rt/pub", s->port);
}

static astral_err
publish(const char *url, int *status)
{
	*status = -1;
	return astral_publisher_request(url, "POST", CHANNEL, BODY, strlen(BODY), status);
}

/* ---- astral_publisher_parse_head ---- */

static astral_err
head_of(const char *text, struct astral_publisher_head *h)
{
	memset(h, 0xa5, sizeof(*h));
	return astral_publisher_parse_head(text, strlen(text), h);
}

static void
test_publisher_parse_head_nchan(void **state)
{
	struct astral_publisher_head h;
	const char *body;

	(void)state;
	assert_int_equal(head_of(NCHAN_202, &h), ASTRAL_OK);
	body = strstr(NCHAN_202, "\r\n\r\n") + 4;
	assert_int_equal(h.status, 202);
	assert_int_equal(h.head_len, (size_t)(body - NCHAN_202));
	assert_int_equal(h.content_length, 100);
	assert_int_equal(strlen(body), 100);
	assert_true(h.keep_alive);

	/* The head alone parses the same: bytes after it are not looked at. */
	assert_int_equal(astral_publisher_parse_head(NCHAN_202, (size_t)(body - NCHAN_202), &h), ASTRAL_OK);
	assert_int_equal(h.content_length, 100);
	assert_true(h.keep_alive);
}

static void
test_publisher_parse_head_without_body(void **state)
{
	struct astral_publisher_head h;

	(void)state;
	/* 204 and 304 have no body: nginx sends no Content-Length, and the connection stays usable. */
	assert_int_equal(head_of("HTTP/1.1 204 No Content\r\nServer: nginx\r\n\r\n", &h), ASTRAL_OK);
	assert_int_equal(h.status, 204);
	assert_int_equal(h.content_length, 0);
	assert_true(h.keep_alive);
	assert_int_equal(head_of("HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n", &h), ASTRAL_OK);
	assert_int_equal(h.content_length, 0);
	assert_true(h.keep_alive);
	/* The shortest head there is. */
	assert_int_equal(head_of("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", &h), ASTRAL_OK);
	assert_int_equal(h.status, 200);
	assert_int_equal(h.head_len, 35);
	assert_int_equal(h.content_length, 0);
	assert_true(h.keep_alive);
}

static void
test_publisher_parse_head_header_forms(void **state)
{
	struct astral_publisher_head h;

	(void)state;
	/* Names in any case, spaces around values, unknown and odd-but-valid headers. */
	assert_int_equal(head_of("HTTP/1.1 201 Created\r\ncontent-LENGTH:   7 \t\r\nX-Thing:\r\n"
	                         "Set-Cookie: a=b; Path=/\r\nCONNECTION: Keep-Alive\r\n"
	                         "Content-Lengthy: 9\r\nX-Connection: close\r\n\r\nabcdefg", &h), ASTRAL_OK);
	assert_int_equal(h.status, 201);
	assert_int_equal(h.content_length, 7);
	assert_true(h.keep_alive);
	/* Leading zeros; the limit itself. */
	assert_int_equal(head_of("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000000012\r\n\r\n", &h), ASTRAL_OK);
	assert_int_equal(h.content_length, 12);
	assert_int_equal(head_of("HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n", &h), ASTRAL_OK);
	assert_int_equal(h.content_length, ASTRAL_PUBLISHER_BODY_MAX);
	/* A head of exactly the largest size read. */
	{
		char big[ASTRAL_PUBLISHER_HEAD_MAX + 1];
		static const char start[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";

		memset(big, 'p', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		memcpy(big, start, sizeof(start) - 1);
		memcpy(big + ASTRAL_PUBLISHER_HEAD_MAX - 4, "\r\n\r\n", 4);
		assert_int_equal(head_of(big, &h), ASTRAL_OK);
		assert_int_equal(h.head_len, ASTRAL_PUBLISHER_HEAD_MAX);
	}
}

static void
expect_not_reusable(const char *text, int status, long content_length)
{
	struct astral_publisher_head h;
	astral_err err = head_of(text, &h);

	if (err != ASTRAL_OK)
		fail_msg("\"%s\": %s", text, astral_strerror(err));
	if (h.keep_alive || h.status != status || h.content_length != content_length)
		fail_msg("\"%s\": status %d, length %ld, keep-alive %d", text, h.status, h.content_length, (int)h.keep_alive);
}

static void
test_publisher_parse_head_not_reusable(void **state)
{
	(void)state;
	/* No length: the body runs to the end of the connection. */
	expect_not_reusable("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc", 200, -1);
	/* Any Transfer-Encoding, with or without a Content-Length beside it. */
	expect_not_reusable("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 201, -1);
	expect_not_reusable("HTTP/1.1 201 Created\r\nContent-Length: 5\r\ntransfer-encoding: gzip, chunked\r\n\r\n",
	                    201, -1);
	/* The server says it closes. */
	expect_not_reusable("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 202, 0);
	expect_not_reusable("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nconnection: Keep-Alive , CLOSE\r\n\r\n", 202,
	                    0);
	expect_not_reusable("HTTP/1.1 202 Accepted\r\nConnection: keep-alive\r\nConnection: close\r\n"
	                    "Content-Length: 0\r\n\r\n", 202, 0);
	/* HTTP/1.0 closes unless told otherwise; we never keep it. */
	expect_not_reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", 200, 0);
	/* An interim answer is not the answer. */
	expect_not_reusable("HTTP/1.1 100 Continue\r\n\r\n", 100, 0);
}

static void
expect_head_refused(const char *buf, size_t len, astral_err want)
{
	struct astral_publisher_head h;
	astral_err err = astral_publisher_parse_head(buf, len, &h);

	if (err != want)
		fail_msg("\"%.*s\": got %s, want %s", (int)len, buf, astral_strerror(err), astral_strerror(want));
}

#define HEAD_REFUSED(lit, want) expect_head_refused((lit), sizeof(lit) - 1, (want))

static void
test_publisher_bad_head_no_end(void **state)
{
	char big[ASTRAL_PUBLISHER_HEAD_MAX + 64];

	(void)state;
	HEAD_REFUSED("", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\nContent-Length: 0\n\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", ASTRAL_ERR_INVALID);
	/* The length given is respected: a good head cut short is refused. */
	expect_head_refused("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 36, ASTRAL_ERR_INVALID);
	/* A blank line one byte past the largest head read. */
	memset(big, 'p', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nX-Pad: ", 24);
	memcpy(big + ASTRAL_PUBLISHER_HEAD_MAX - 3, "\r\n\r\n", 4);
	expect_head_refused(big, sizeof(big), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_publisher_parse_head(NULL, 0, NULL), ASTRAL_ERR_INVALID);
}

static void
test_publisher_bad_head_status(void **state)
{
	(void)state;
	HEAD_REFUSED("HTTP/2 200\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.2 200 OK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 2000 OK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 20 OK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 099 Low\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 2x0 OK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("http/1.1 200 OK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("SSH-2.0-OpenSSH_9.2\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 O\rK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 O\nK\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 O\0K\r\n\r\n", ASTRAL_ERR_INVALID);
}

static void
test_publisher_bad_head_content_length(void **state)
{
	(void)state;
	/* Twice, even with the same value: which one frames the body is not for us to guess. */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", ASTRAL_ERR_INVALID);
	/* Not digits. */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 12.0\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length:   \r\n\r\n", ASTRAL_ERR_INVALID);
	/* Too large, and far too large (no overflow to a small number). */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 65537\r\n\r\n", ASTRAL_ERR_TOO_LARGE);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551621\r\n\r\n", ASTRAL_ERR_TOO_LARGE);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999999999999999\r\n\r\n",
	             ASTRAL_ERR_TOO_LARGE);
	/* Checked on a 204 too, though its body is empty whatever it says. */
	HEAD_REFUSED("HTTP/1.1 204 No Content\r\nContent-Length: x\r\n\r\n", ASTRAL_ERR_INVALID);
}

static void
test_publisher_bad_head_lines(void **state)
{
	(void)state;
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n", ASTRAL_ERR_INVALID);       /* no colon */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", ASTRAL_ERR_INVALID);     /* space in name */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\n: 0\r\n\r\n", ASTRAL_ERR_INVALID);                    /* no name */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", ASTRAL_ERR_INVALID);     /* obs-fold */
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 0\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nX-A: 1\rContent-Length: 0\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nX-A: \0\r\n\r\n", ASTRAL_ERR_INVALID);
	HEAD_REFUSED("HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n", ASTRAL_ERR_INVALID);
}

/* ---- the kept connection ---- */

/* Two requests, one connection: no "Connection: close", the whole answer read each time. */
static void
test_publisher_two_requests_one_connection(void **state)
{
	struct server s;
	char url[128], want[256];
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 0);
	server_add(&s, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0);
	server_run(&s);
	connect_calls = connect_refused = 0;
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 201);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.requests, 2);
	assert_int_equal(connect_calls, 1);
	snprintf(want, sizeof(want), "POST /rt/pub/" CHANNEL " HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
	         "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n" BODY, s.port, strlen(BODY));
	assert_string_equal(s.seen[0], want);
	assert_string_equal(s.seen[1], want);
}

/* A 204 (no Content-Length, as nginx sends it) and a DELETE without a body keep the connection. */
static void
test_publisher_no_content_keeps_connection(void **state)
{
	struct server s;
	char url[128];
	int status = -1;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, "HTTP/1.1 204 No Content\r\nServer: nginx\r\n\r\n", 0);
	server_add(&s, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", 0);
	server_add(&s, NCHAN_202, 0);
	server_run(&s);
	assert_int_equal(astral_publisher_request(url, "DELETE", CHANNEL, NULL, 0, &status), ASTRAL_OK);
	assert_int_equal(status, 204);
	assert_int_equal(astral_publisher_request(url, "DELETE", CHANNEL, NULL, 0, &status), ASTRAL_OK);
	assert_int_equal(status, 404);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.requests, 3);
	assert_non_null(strstr(s.seen[0], "DELETE /rt/pub/" CHANNEL " HTTP/1.1\r\n"));
	assert_non_null(strstr(s.seen[0], "\r\nContent-Length: 0\r\n\r\n"));
}

/* nginx closed the idle connection (keepalive_timeout): the next request opens a new one. */
static void
test_publisher_idle_close_reconnects(void **state)
{
	struct server s;
	char url[128];
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 1);
	server_add(&s, NCHAN_202, 0);
	server_run(&s);
	connect_calls = 0;
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	server_stop(&s);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.requests, 2);
	assert_int_equal(connect_calls, 2);
}

/* The kept connection takes the request, then closes without a word (nginx closing it at that
   moment): the request goes again, once, on a new connection. */
static void
test_publisher_stale_connection_retried(void **state)
{
	struct server s;
	char url[128];
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 0);
	server_add(&s, NULL, 1);
	server_add(&s, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 201);
	server_stop(&s);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.requests, 3);
	assert_string_equal(s.seen[1], s.seen[2]);
}

/* The fresh connection of the retry is closed the same way: an error, and no third try. */
static void
test_publisher_bad_stale_retry_once(void **state)
{
	struct server s;
	char url[128];
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 0);
	server_add(&s, NULL, 1);
	server_add(&s, NULL, 1);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
	server_stop(&s);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.requests, 3);
}

/* A fresh connection that closes without a word is an error at once, not retried. */
static void
test_publisher_bad_fresh_hang_up(void **state)
{
	struct server s;
	char url[128];
	int status;

	(void)state;
	astral_publisher_disconnect();
	server_start(&s, url, sizeof(url));
	server_add(&s, NULL, 1);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.requests, 1);
}

/* Answers after which the connection is not used again. */
static void
expect_new_connection_after(const char *reply, int want_status)
{
	struct server s;
	char url[128];
	int status;

	server_start(&s, url, sizeof(url));
	server_add(&s, reply, 0);               /* the server keeps its side open */
	server_add(&s, NCHAN_202, 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, want_status);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	server_stop(&s);
	if (s.accepts != 2 || s.requests != 2)
		fail_msg("after \"%s\": %d connections, %d requests", reply, s.accepts, s.requests);
}

static void
test_publisher_not_reusable_answers(void **state)
{
	(void)state;
	expect_new_connection_after("HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n\r\nqueued", 201);
	expect_new_connection_after("HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 201);
	expect_new_connection_after("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	                            201);
	expect_new_connection_after("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200);
	/* More bytes than the body: the connection's state is unknown. */
	expect_new_connection_after("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nokEXTRA", 202);
}

/* Part of an answer, then the connection closes: an error, and the request is not sent again,
   on a kept connection as on a fresh one. */
static void
test_publisher_bad_partial_answer_not_retried(void **state)
{
	static const char *const partial[] = {
		"HTTP/1.1 20",
		"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n",
		"HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\nqueued messages: 1\r\n",
		"H",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		struct server s;
		char url[128];
		int status;

		server_start(&s, url, sizeof(url));
		server_add(&s, NCHAN_202, 0);
		server_add(&s, partial[i], 1);
		server_run(&s);
		assert_int_equal(publish(url, &status), ASTRAL_OK);
		assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
		server_stop(&s);
		if (s.accepts != 1 || s.requests != 2)
			fail_msg("after \"%s\": %d connections, %d requests", partial[i], s.accepts, s.requests);

		astral_publisher_disconnect();
		server_start(&s, url, sizeof(url));
		server_add(&s, partial[i], 1);
		server_run(&s);
		assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
		server_stop(&s);
		if (s.accepts != 1 || s.requests != 1)
			fail_msg("fresh, after \"%s\": %d connections, %d requests", partial[i], s.accepts, s.requests);
	}
}

/* Malformed answers: an error, and the next request goes on a new connection. */
static void
test_publisher_bad_answers_close(void **state)
{
	static const char *const bad[] = {
		"SSH-2.0-OpenSSH_9.2\r\n\r\n",
		"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 202 Accepted\r\nContent-Length: 70000\r\n\r\n",
		"HTTP/1.1 202 Accepted\r\nBad Header\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct server s;
		char url[128];
		int status;

		server_start(&s, url, sizeof(url));
		server_add(&s, bad[i], 0);
		server_add(&s, NCHAN_202, 0);
		server_run(&s);
		assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
		assert_int_equal(publish(url, &status), ASTRAL_OK);
		server_stop(&s);
		if (s.accepts != 2 || s.requests != 2)
			fail_msg("after \"%s\": %d connections, %d requests", bad[i], s.accepts, s.requests);
	}
}

/* A head larger than ASTRAL_PUBLISHER_HEAD_MAX is an error. */
static void
test_publisher_bad_huge_head(void **state)
{
	static char huge[ASTRAL_PUBLISHER_HEAD_MAX + 200];
	struct server s;
	char url[128];
	int status;

	(void)state;
	memset(huge, 'p', sizeof(huge) - 1);
	memcpy(huge, "HTTP/1.1 202 Accepted\r\nX-Pad: ", 30);
	memcpy(huge + sizeof(huge) - 24, "\r\nContent-Length: 0\r\n\r\n", 24);   /* the NUL too */
	server_start(&s, url, sizeof(url));
	server_add(&s, huge, 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.requests, 1);
}

/* No answer within the second: an error, and the silent connection is never used again. */
static void
test_publisher_bad_silence_closes(void **state)
{
	struct timespec t0, t1;
	struct server s;
	char url[128];
	double secs;
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 0);
	server_add(&s, NULL, 0);
	server_add(&s, NCHAN_202, 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(publish(url, &status), ASTRAL_ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	server_stop(&s);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs < 0.9 || secs > 3.0)
		fail_msg("a silent publisher held the caller for %.2f s", secs);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.requests, 3);
}

/* Bytes that arrive on the idle connection (a server that says 408 before closing it) are no
   answer to the next request: the connection is dropped before that request is sent. */
static void
test_publisher_stray_bytes_on_idle_connection(void **state)
{
	struct timespec pause = { 0, 300 * 1000 * 1000 };
	struct server s;
	char url[128];
	int status;

	(void)state;
	server_start(&s, url, sizeof(url));
	server_add(&s, NCHAN_202, 0);
	s.steps[0].later = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n";
	server_add(&s, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	nanosleep(&pause, NULL);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 201);
	server_stop(&s);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.requests, 2);
}

/* Another port is another connection; going back to the first opens a new one. */
static void
test_publisher_other_address_reconnects(void **state)
{
	struct server a, b;
	char url_a[128], url_b[128];
	int status;

	(void)state;
	server_start(&a, url_a, sizeof(url_a));
	server_add(&a, NCHAN_202, 0);
	server_add(&a, NCHAN_202, 0);
	server_run(&a);
	server_start(&b, url_b, sizeof(url_b));
	server_add(&b, NCHAN_202, 0);
	server_run(&b);
	assert_int_equal(publish(url_a, &status), ASTRAL_OK);
	assert_int_equal(publish(url_b, &status), ASTRAL_OK);
	assert_int_equal(publish(url_a, &status), ASTRAL_OK);
	server_stop(&a);
	server_stop(&b);
	assert_int_equal(a.accepts, 2);
	assert_int_equal(a.requests, 2);
	assert_int_equal(b.accepts, 1);
	assert_int_equal(b.requests, 1);
}

/* The server behind the kept connection went away and a new one listens on the same port: the
   dead connection is noticed and replaced before the request is sent. */
static void
test_publisher_server_gone_same_port(void **state)
{
	struct server a, b;
	char url[128];
	int status, port;

	(void)state;
	server_start(&a, url, sizeof(url));
	server_add(&a, NCHAN_202, 0);
	server_run(&a);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	server_stop(&a);
	port = (int)strtol(a.port, NULL, 10);
	if (!server_start_on(&b, AF_INET, port))
		skip();
	server_add(&b, NCHAN_202, 0);
	server_run(&b);
	connect_calls = 0;
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(status, 202);
	server_stop(&b);
	assert_int_equal(b.accepts, 1);
	assert_int_equal(b.requests, 1);
	assert_int_equal(connect_calls, 1);
}

/* IPv6 loopback; the Host header carries the address in brackets. */
static void
test_publisher_ipv6(void **state)
{
	struct server s;
	char url[128], host[64];
	int status;

	(void)state;
	if (!server_start_on(&s, AF_INET6, 0))
		skip();
	snprintf(url, sizeof(url), "http://[::1]:%s/rt/pub", s.port);
	server_add(&s, NCHAN_202, 0);
	server_add(&s, NCHAN_202, 0);
	server_run(&s);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	assert_int_equal(publish(url, &status), ASTRAL_OK);
	server_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.requests, 2);
	snprintf(host, sizeof(host), "\r\nHost: [::1]:%s\r\n", s.port);
	assert_non_null(strstr(s.seen[0], host));
}

static const char *
shown(const char *s)
{
	return s != NULL ? s : "(none)";
}

/* Refused before any socket is opened. */
static void
expect_refused_without_connect(const char *url, const char *method, const char *channel, astral_err want)
{
	int status = -1;
	astral_err err;

	connect_calls = connect_refused = 0;
	err = astral_publisher_request(url, method, channel, NULL, 0, &status);
	if (err != want)
		fail_msg("%s %s %s: got %s, want %s", shown(url), shown(method), shown(channel), astral_strerror(err),
		         astral_strerror(want));
	if (connect_calls != 0 || connect_refused != 0)
		fail_msg("%s %s %s: a connection was attempted", shown(url), shown(method), shown(channel));
}

static void
test_publisher_bad_request_refused(void **state)
{
	(void)state;
	expect_refused_without_connect("http://10.0.0.1:9/x", "POST", CHANNEL, ASTRAL_ERR_CONFIG);
	expect_refused_without_connect("http://[::ffff:127.0.0.1]:9/x", "POST", CHANNEL, ASTRAL_ERR_CONFIG);
	expect_refused_without_connect("http://localhost:9/x", "POST", CHANNEL, ASTRAL_ERR_CONFIG);
	expect_refused_without_connect(NULL, "POST", CHANNEL, ASTRAL_ERR_CONFIG);
	expect_refused_without_connect("http://127.0.0.1:9/x", "POST", "a/../b", ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", "POST", "a b", ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", "POST", "a\r\nX-Injected: 1", ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", "POST", "", ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", "POST", NULL, ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", "PO ST", CHANNEL, ASTRAL_ERR_INVALID);
	expect_refused_without_connect("http://127.0.0.1:9/x", NULL, CHANNEL, ASTRAL_ERR_INVALID);
}

static int
group_teardown(void **state)
{
	(void)state;
	astral_publisher_disconnect();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publisher_parse_head_nchan),
		cmocka_unit_test(test_publisher_parse_head_without_body),
		cmocka_unit_test(test_publisher_parse_head_header_forms),
		cmocka_unit_test(test_publisher_parse_head_not_reusable),
		cmocka_unit_test(test_publisher_bad_head_no_end),
		cmocka_unit_test(test_publisher_bad_head_status),
		cmocka_unit_test(test_publisher_bad_head_content_length),
		cmocka_unit_test(test_publisher_bad_head_lines),
		cmocka_unit_test(test_publisher_two_requests_one_connection),
		cmocka_unit_test(test_publisher_no_content_keeps_connection),
		cmocka_unit_test(test_publisher_idle_close_reconnects),
		cmocka_unit_test(test_publisher_stale_connection_retried),
		cmocka_unit_test(test_publisher_bad_stale_retry_once),
		cmocka_unit_test(test_publisher_bad_fresh_hang_up),
		cmocka_unit_test(test_publisher_not_reusable_answers),
		cmocka_unit_test(test_publisher_bad_partial_answer_not_retried),
		cmocka_unit_test(test_publisher_bad_answers_close),
		cmocka_unit_test(test_publisher_bad_huge_head),
		cmocka_unit_test(test_publisher_bad_silence_closes),
		cmocka_unit_test(test_publisher_stray_bytes_on_idle_connection),
		cmocka_unit_test(test_publisher_other_address_reconnects),
		cmocka_unit_test(test_publisher_server_gone_same_port),
		cmocka_unit_test(test_publisher_ipv6),
		cmocka_unit_test(test_publisher_bad_request_refused),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
