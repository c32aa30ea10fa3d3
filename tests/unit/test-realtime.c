/*
 * Tests for lib/realtime.c: the publish URL and status-line parsers, and astral_rt_close_user and
 * astral_rt_publish_pending against a one-connection HTTP server on loopback started by the test
 * (lib/publisher.c's connection handling has its own tests in test-publisher.c).
 *
 * Linked with loopback-guard.c, whose connect() refuses any address off the host and counts the
 * attempts, so the tests can tell whether a connection was attempted at all.
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include "log.h"
#include "realtime.h"

#define USER_ID "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"

/* ---- a loopback HTTP server for one connection ---- */

enum reply {
	REPLY_204,
	REPLY_200,
	REPLY_404,
	REPLY_500,
	REPLY_GARBAGE,
	REPLY_SPLIT_204,   /* "HTTP/1.1 2" ... a pause ... "04 No Content" */
	REPLY_CLOSE,       /* close without a word */
	REPLY_NOTHING,     /* keep the connection open and say nothing */
	REPLY_201_KEEP,    /* nchan's answer to a publish: text/plain with a Content-Length, kept open */
	REPLY_200_KEEP     /* nchan's answer to a channel delete, kept open */
};

struct server {
	int listen_fd;
	int family;
	char port[8];
	enum reply reply;
	int rounds;               /* requests answered on the one connection (REPLY_*_KEEP); 1 otherwise */
	char head[4096];          /* the requests received (head and body), one after another */
	size_t head_len;
	int accepted;
	int requests;             /* whole requests read */
	pthread_t thread;
};

/* Read one request (head, then Content-Length bytes of body) onto the end of s->head. */
static int
read_request(struct server *s, int fd)
{
	size_t start = s->head_len;
	const char *end = NULL, *cl;
	size_t want = 0;

	while (s->head_len < sizeof(s->head) - 1 && test_wait_readable(fd, 3000)) {
		ssize_t n = recv(fd, s->head + s->head_len, sizeof(s->head) - 1 - s->head_len, 0);

		if (n <= 0)
			break;
		s->head_len += (size_t)n;
		s->head[s->head_len] = '\0';
		if (end == NULL && (end = strstr(s->head + start, "\r\n\r\n")) != NULL) {
			cl = strstr(s->head + start, "\r\nContent-Length: ");
			want = (size_t)(end + 4 - s->head);
			if (cl != NULL && cl < end)
				want += strtoul(cl + 18, NULL, 10);
		}
		if (end != NULL && s->head_len >= want)
			return 1;
	}
	return 0;
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int fd;

	if (!test_wait_readable(s->listen_fd, 5000))
		return NULL;
	fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	s->accepted = 1;
	for (int round = 0; round < (s->rounds > 0 ? s->rounds : 1); round++) {
		if (read_request(s, fd))
			s->requests++;
		else if (round > 0)
			break;                         /* the client closed the kept connection */
		switch (s->reply) {
		case REPLY_204:
			test_send_all(fd, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
			break;
		case REPLY_200:
			test_send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
			break;
		case REPLY_404:
			test_send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
			break;
		case REPLY_500:
			test_send_all(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
			break;
		case REPLY_GARBAGE:
			test_send_all(fd, "SSH-2.0-OpenSSH_9.2\r\n");
			break;
		case REPLY_SPLIT_204:
			test_send_all(fd, "HTTP/1.1 2");
			nanosleep(&pause, NULL);
			test_send_all(fd, "04 No Content\r\n\r\n");
			break;
		case REPLY_CLOSE:
			break;
		case REPLY_NOTHING: {
			/* Hold the line until the client gives up (or 5 s, so a broken client cannot hang us). */
			char sink[256];

			while (test_wait_readable(fd, 5000) && recv(fd, sink, sizeof(sink), 0) > 0)
				;
			break;
		}
		case REPLY_201_KEEP:
			test_send_all(fd, "HTTP/1.1 201 Created\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
			             "Content-Length: 24\r\nConnection: keep-alive\r\n\r\nqueued messages: 1\r\nok\r\n");
			break;
		case REPLY_200_KEEP:
			test_send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n");
			break;
		}
	}
	close(fd);
	return NULL;
}

/* Listen on an ephemeral loopback port; 0 when that address family is not available here. */
static int
server_start(struct server *s, int family, enum reply reply)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int port;

	memset(s, 0, sizeof(*s));
	memset(&ss, 0, sizeof(ss));
	s->family = family;
	s->reply = reply;
	s->listen_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return 0;
	if (family == AF_INET) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = 0 };

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		memcpy(&ss, &in, sizeof(in));
		len = sizeof(in);
	} else {
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = 0 };

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
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
	return 1;
}

static void
server_stop(struct server *s)
{
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	close(s->listen_fd);
}

/* astral_rt_close_user against a server that answers with `reply`. */
static astral_err
close_user_against(enum reply reply, struct server *s)
{
	struct astral_app app;
	char url[128];
	astral_err err;

	assert_true(server_start(s, AF_INET, reply));
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/rt/pub", s->port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	connect_calls = connect_refused = 0;
	err = astral_rt_close_user(&app, USER_ID);
	server_stop(s);
	assert_int_equal(connect_calls, 1);
	assert_int_equal(connect_refused, 0);
	assert_true(s->accepted);
	return err;
}

/* The request is exactly what nchan's publisher expects. */
static void
expect_delete_request(const struct server *s)
{
	static const char line[] = "DELETE /rt/pub/user-" USER_ID " HTTP/1.1\r\n";
	char host[64];

	if (strncmp(s->head, line, sizeof(line) - 1) != 0)
		fail_msg("request head: \"%s\"", s->head);
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%s\r\n", s->port);
	assert_non_null(strstr(s->head, host));
	assert_non_null(strstr(s->head, "\r\nContent-Length: 0\r\n"));
	assert_non_null(strstr(s->head, "\r\n\r\n"));
}

/* ---- astral_rt_parse_url ---- */

static astral_err
parse(const char *url, char *host, char *port, char *path)
{
	return astral_rt_parse_url(url, host, 64, port, 8, path, 256);
}

static void
test_realtime_parse_url_ipv4(void **state)
{
	char host[64], port[8], path[256];

	(void)state;
	assert_int_equal(parse("http://127.0.0.1:8091/rt/pub", host, port, path), ASTRAL_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "8091");
	assert_string_equal(path, "/rt/pub");

	assert_int_equal(parse("http://10.1.2.3:1/", host, port, path), ASTRAL_OK);
	assert_string_equal(host, "10.1.2.3");
	assert_string_equal(port, "1");
	assert_string_equal(path, "/");

	assert_int_equal(parse("http://127.0.0.1:65535/a", host, port, path), ASTRAL_OK);
	assert_string_equal(port, "65535");
}

static void
test_realtime_parse_url_ipv6(void **state)
{
	char host[64], port[8], path[256];

	(void)state;
	assert_int_equal(parse("http://[::1]:8091/rt/pub", host, port, path), ASTRAL_OK);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "8091");
	assert_string_equal(path, "/rt/pub");

	assert_int_equal(parse("http://[fd00::1:2]:80/x", host, port, path), ASTRAL_OK);
	assert_string_equal(host, "fd00::1:2");
}

static void
expect_url_refused(const char *url)
{
	char host[64], port[8], path[256];
	astral_err err = parse(url, host, port, path);

	if (err != ASTRAL_ERR_INVALID)
		fail_msg("\"%s\": got %d (%s), want INVALID", url, (int)err, astral_strerror(err));
}

static void
test_realtime_bad_url_shape(void **state)
{
	(void)state;
	expect_url_refused("http://127.0.0.1/rt/pub");           /* no port */
	expect_url_refused("http://127.0.0.1:/rt/pub");          /* empty port */
	expect_url_refused("http://127.0.0.1:8091");             /* no path */
	expect_url_refused("http://:8091/rt/pub");               /* no host */
	expect_url_refused("https://127.0.0.1:8091/rt/pub");     /* TLS */
	expect_url_refused("HTTP://127.0.0.1:8091/rt/pub");
	expect_url_refused("ftp://127.0.0.1:8091/rt/pub");
	expect_url_refused("//127.0.0.1:8091/rt/pub");
	expect_url_refused("127.0.0.1:8091/rt/pub");
	expect_url_refused("");
	expect_url_refused("http://");
	expect_url_refused("http:///");
	expect_url_refused("http://[::1]/rt/pub");               /* no port */
	expect_url_refused("http://[::1]8091/rt/pub");
	expect_url_refused("http://[]:8091/rt/pub");
	expect_url_refused("http://[::1:8091/rt/pub");
	expect_url_refused("http://::1:8091/rt/pub");            /* IPv6 without brackets */
	expect_url_refused("http://[::1%lo]:8091/rt/pub");       /* zone id */
}

static void
test_realtime_bad_url_host_name(void **state)
{
	(void)state;
	expect_url_refused("http://localhost:8091/rt/pub");
	expect_url_refused("http://publisher.internal:8091/rt/pub");
	expect_url_refused("http://LOCALHOST:8091/rt/pub");
	expect_url_refused("http://[localhost]:8091/rt/pub");
	expect_url_refused("http://0x7f.1:8091/rt/pub");
}

static void
test_realtime_bad_url_not_an_address(void **state)
{
	(void)state;
	/* Only numeric addresses are accepted; names spelled with the letters a-f and dotted strings
	   that are no IPv4 address are not addresses. */
	expect_url_refused("http://cafe:8091/rt/pub");
	expect_url_refused("http://dead.beef:8091/rt/pub");
	expect_url_refused("http://1.2.3.4.5:8091/rt/pub");
	expect_url_refused("http://[::1::2]:8091/rt/pub");
}

static void
test_realtime_bad_url_user_info(void **state)
{
	(void)state;
	expect_url_refused("http://user@127.0.0.1:8091/rt/pub");
	expect_url_refused("http://user:pw@127.0.0.1:8091/rt/pub");
	expect_url_refused("http://127.0.0.1:8091@10.0.0.1:80/rt/pub");
	expect_url_refused("http://[::1]:8091@10.0.0.1/rt/pub");
}

static void
test_realtime_bad_url_path(void **state)
{
	(void)state;
	expect_url_refused("http://127.0.0.1:8091/rt pub");
	expect_url_refused("http://127.0.0.1:8091/rt\r\nX-Injected: 1");
	expect_url_refused("http://127.0.0.1:8091/rt\npub");
	expect_url_refused("http://127.0.0.1:8091/rt/pub?x=1");
	expect_url_refused("http://127.0.0.1:8091/rt/pub#frag");
	expect_url_refused("http://127.0.0.1:8091/rt@pub");
}

static void
test_realtime_bad_url_port(void **state)
{
	(void)state;
	expect_url_refused("http://127.0.0.1:123456/rt/pub");    /* too long */
	expect_url_refused("http://127.0.0.1:8o91/rt/pub");
	expect_url_refused("http://127.0.0.1:-1/rt/pub");
	expect_url_refused("http://127.0.0.1:+80/rt/pub");
	expect_url_refused("http://127.0.0.1: 80/rt/pub");
	expect_url_refused("http://[::1]:80a/rt/pub");
}

static void
test_realtime_bad_url_port_range(void **state)
{
	(void)state;
	/* Five digits but no TCP port: getaddrinfo would wrap 99999 to 34463, another service. */
	expect_url_refused("http://127.0.0.1:99999/rt/pub");
	expect_url_refused("http://127.0.0.1:65536/rt/pub");
	expect_url_refused("http://127.0.0.1:0/rt/pub");
}

static void
test_realtime_bad_url_small_buffers(void **state)
{
	char host[64], port[8], path[256];

	(void)state;
	assert_int_equal(astral_rt_parse_url(NULL, host, sizeof(host), port, sizeof(port), path, sizeof(path)),
	                 ASTRAL_ERR_INVALID);
	/* "127.0.0.1" needs 10 bytes. */
	assert_int_equal(astral_rt_parse_url("http://127.0.0.1:8091/rt/pub", host, 9, port, sizeof(port), path,
	                                     sizeof(path)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_rt_parse_url("http://127.0.0.1:8091/rt/pub", host, sizeof(host), port, 4, path,
	                                     sizeof(path)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_rt_parse_url("http://127.0.0.1:8091/rt/pub", host, sizeof(host), port, sizeof(port),
	                                     path, 7), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_rt_parse_url("http://127.0.0.1:8091/rt/pub", host, 10, port, 5, path, 8), ASTRAL_OK);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "8091");
	assert_string_equal(path, "/rt/pub");
}

/* ---- astral_rt_parse_status ---- */

static int
status_of(const char *line, astral_err *err)
{
	int status = -1;

	*err = astral_rt_parse_status(line, strlen(line), &status);
	return status;
}

static void
test_realtime_parse_status_good(void **state)
{
	astral_err err;

	(void)state;
	assert_int_equal(status_of("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", &err), 204);
	assert_int_equal(err, ASTRAL_OK);
	assert_int_equal(status_of("HTTP/1.0 404 Not Found\r\n", &err), 404);
	assert_int_equal(err, ASTRAL_OK);
	assert_int_equal(status_of("HTTP/1.1 200\r\n", &err), 200);
	assert_int_equal(err, ASTRAL_OK);
	assert_int_equal(status_of("HTTP/1.1 500", &err), 500);
	assert_int_equal(err, ASTRAL_OK);
	assert_int_equal(status_of("HTTP/1.1 100 Continue\r\n", &err), 100);
	assert_int_equal(err, ASTRAL_OK);
}

static void
expect_status_refused(const char *buf, size_t len)
{
	int status = -1;
	astral_err err = astral_rt_parse_status(buf, len, &status);

	if (err != ASTRAL_ERR_INVALID)
		fail_msg("\"%.*s\": got %d (status %d), want INVALID", (int)len, buf, (int)err, status);
}

#define STATUS_REFUSED(lit) expect_status_refused((lit), sizeof(lit) - 1)

static void
test_realtime_bad_status(void **state)
{
	(void)state;
	STATUS_REFUSED("HTTP/2 204\r\n");
	STATUS_REFUSED("HTTP/2.0 204 No Content\r\n");
	STATUS_REFUSED("HTTP/1.2 204 No Content\r\n");
	STATUS_REFUSED("HTTP/1.1 20");                /* short */
	STATUS_REFUSED("HTTP/1.1");
	STATUS_REFUSED("");
	STATUS_REFUSED("HTTP/1.1 2x4 No Content\r\n"); /* non-digit */
	STATUS_REFUSED("HTTP/1.1 -04 No Content\r\n");
	STATUS_REFUSED("HTTP/1.1  204 No Content\r\n");
	STATUS_REFUSED("HTTP/1.1 2040 No Content\r\n");
	STATUS_REFUSED("HTTP/1.1 099 Low\r\n");
	STATUS_REFUSED("http/1.1 204 No Content\r\n");
	STATUS_REFUSED("HTTP/1.1\t204 No Content\r\n");
	STATUS_REFUSED("SSH-2.0-OpenSSH_9.2\r\n");
	/* The length is respected: a good line cut short is refused. */
	expect_status_refused("HTTP/1.1 204 No Content\r\n", 11);
	expect_status_refused("HTTP/1.1 204 No Content\r\n", 0);
}

/* ---- the channel name ---- */

static void
test_realtime_user_channel(void **state)
{
	char buf[64];

	(void)state;
	astral_rt_user_channel(USER_ID, buf, sizeof(buf));
	assert_string_equal(buf, "user-" USER_ID);
	astral_rt_user_channel(USER_ID, buf, 8);
	assert_string_equal(buf, "user-6f");
}

/* ---- astral_rt_close_user against a loopback server ---- */

static void
test_realtime_close_user_204(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_204, &s), ASTRAL_OK);
	expect_delete_request(&s);
}

static void
test_realtime_close_user_200(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_200, &s), ASTRAL_OK);
	expect_delete_request(&s);
}

static void
test_realtime_close_user_404(void **state)
{
	struct server s;

	(void)state;
	/* Nobody was subscribed: nothing to close, not an error. */
	assert_int_equal(close_user_against(REPLY_404, &s), ASTRAL_OK);
	expect_delete_request(&s);
}

static void
test_realtime_close_user_split_status(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_SPLIT_204, &s), ASTRAL_OK);
}

static void
test_realtime_close_user_ipv6(void **state)
{
	struct astral_app app;
	struct server s;
	char url[128];

	(void)state;
	if (!server_start(&s, AF_INET6, REPLY_204))
		skip();
	snprintf(url, sizeof(url), "http://[::1]:%s/rt/pub", s.port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	connect_calls = connect_refused = 0;
	assert_int_equal(astral_rt_close_user(&app, USER_ID), ASTRAL_OK);
	server_stop(&s);
	assert_int_equal(connect_calls, 1);
	assert_non_null(strstr(s.head, "DELETE /rt/pub/user-" USER_ID " HTTP/1.1\r\n"));
}

/* Two closes in a row: one connection carries both (HTTP/1.1 keep-alive, no "Connection: close"). */
static void
test_realtime_close_user_twice_one_connection(void **state)
{
	static const char line[] = "DELETE /rt/pub/user-" USER_ID " HTTP/1.1\r\n";
	struct astral_app app;
	struct server s;
	char url[128];
	const char *second;

	(void)state;
	assert_true(server_start(&s, AF_INET, REPLY_200_KEEP));
	s.rounds = 2;
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/rt/pub", s.port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	connect_calls = connect_refused = 0;
	assert_int_equal(astral_rt_close_user(&app, USER_ID), ASTRAL_OK);
	assert_int_equal(astral_rt_close_user(&app, USER_ID), ASTRAL_OK);
	server_stop(&s);
	assert_int_equal(connect_calls, 1);
	assert_int_equal(s.requests, 2);
	expect_delete_request(&s);
	second = strstr(s.head + 1, line);
	assert_non_null(second);
	assert_null(strstr(second + 1, line));
	assert_null(strstr(s.head, "Connection: close"));
}

/* A message send publishes two events after COMMIT: both go over one connection, in order, each
   with its JSON body. */
static void
test_realtime_publish_pending_one_connection(void **state)
{
	static const char other[] = "0a1b2c3d-4e5f-4a6b-8c7d-e8f901234567";
	struct astral_request req;
	struct astral_app app;
	struct server s;
	char url[128];
	const char *first, *second;

	(void)state;
	assert_true(server_start(&s, AF_INET, REPLY_201_KEEP));
	s.rounds = 2;
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/rt/pub", s.port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	memset(&req, 0, sizeof(req));
	req.app = &app;
	astral_rt_after_commit(&req, USER_ID, json_tokener_parse("{\"type\":\"message\",\"n\":1}"));
	astral_rt_after_commit(&req, other, json_tokener_parse("{\"type\":\"message\",\"n\":2}"));
	connect_calls = connect_refused = 0;
	astral_rt_publish_pending(&req, 1);
	server_stop(&s);
	assert_null(req.rt_events);
	assert_int_equal(connect_calls, 1);
	assert_int_equal(s.requests, 2);
	first = strstr(s.head, "POST /rt/pub/user-" USER_ID " HTTP/1.1\r\n");
	second = strstr(s.head, "POST /rt/pub/user-0a1b2c3d-4e5f-4a6b-8c7d-e8f901234567 HTTP/1.1\r\n");
	if (first != s.head || second == NULL)
		fail_msg("requests: \"%s\"", s.head);
	assert_non_null(strstr(first, "\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n"
	                               "{\"type\":\"message\",\"n\":1}POST "));
	assert_non_null(strstr(second, "\r\nContent-Length: 24\r\n\r\n{\"type\":\"message\",\"n\":2}"));
	assert_null(strstr(s.head, "Connection: close"));
}

/* A ban publishes nothing but closes the person's streams after COMMIT, behind any event kept
   before it: the event's POST, then the channel's DELETE, over the one connection. */
static void
test_realtime_publish_pending_then_close(void **state)
{
	struct astral_request req;
	struct astral_app app;
	struct server s;
	char url[128];
	const char *post, *del;

	(void)state;
	assert_true(server_start(&s, AF_INET, REPLY_200_KEEP));
	s.rounds = 2;
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/rt/pub", s.port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	memset(&req, 0, sizeof(req));
	req.app = &app;
	astral_rt_after_commit(&req, USER_ID, json_tokener_parse("{\"type\":\"session.ended\"}"));
	astral_rt_close_after_commit(&req, USER_ID);
	astral_rt_close_after_commit(&req, NULL);
	connect_calls = connect_refused = 0;
	astral_rt_publish_pending(&req, 1);
	server_stop(&s);
	assert_null(req.rt_events);
	assert_int_equal(connect_calls, 1);
	assert_int_equal(s.requests, 2);
	post = strstr(s.head, "POST /rt/pub/user-" USER_ID " HTTP/1.1\r\n");
	del = strstr(s.head, "DELETE /rt/pub/user-" USER_ID " HTTP/1.1\r\n");
	if (post != s.head || del == NULL || del < post)
		fail_msg("requests: \"%s\"", s.head);
}

/* A refusal that revoked sessions (a reused refresh token answers 401 after revoking its family):
   its closes go out after COMMIT, its events do not. */
static void
test_realtime_publish_pending_refused_closes_only(void **state)
{
	struct astral_request req;
	struct astral_app app;
	struct server s;
	char url[128];

	(void)state;
	assert_true(server_start(&s, AF_INET, REPLY_200_KEEP));
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/rt/pub", s.port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	memset(&req, 0, sizeof(req));
	req.app = &app;
	astral_rt_after_commit(&req, USER_ID, json_tokener_parse("{\"type\":\"session.ended\"}"));
	astral_rt_close_after_commit(&req, USER_ID);
	connect_calls = connect_refused = 0;
	astral_rt_publish_pending(&req, 0);
	server_stop(&s);
	assert_null(req.rt_events);
	assert_int_equal(s.requests, 1);
	expect_delete_request(&s);
	assert_null(strstr(s.head, "POST "));
}

static void
test_realtime_bad_close_user_500(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_500, &s), ASTRAL_ERR_IO);
	expect_delete_request(&s);
}

static void
test_realtime_bad_close_user_garbage(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_GARBAGE, &s), ASTRAL_ERR_IO);
}

static void
test_realtime_bad_close_user_hang_up(void **state)
{
	struct server s;

	(void)state;
	assert_int_equal(close_user_against(REPLY_CLOSE, &s), ASTRAL_ERR_IO);
}

static void
test_realtime_bad_close_user_silence(void **state)
{
	struct timespec t0, t1;
	struct server s;
	double secs;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(close_user_against(REPLY_NOTHING, &s), ASTRAL_ERR_IO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* The client gave up on its own, about a second later, well before the server's 5 s. */
	if (secs > 4.0)
		fail_msg("a silent publisher held the caller for %.1f s", secs);
}

static void
test_realtime_bad_close_user_nobody_listening(void **state)
{
	struct astral_app app;
	char url[128];
	int fd, port;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof(in);

	(void)state;
	/* A port that was just free: bind, read it, close; nobody listens there now. */
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	port = ntohs(in.sin_port);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/rt/pub", port);
	memset(&app, 0, sizeof(app));
	app.cfg.rt_publish_url = url;
	connect_calls = connect_refused = 0;
	assert_int_equal(astral_rt_close_user(&app, USER_ID), ASTRAL_ERR_IO);
	assert_int_equal(connect_calls, 1);
}

/* A publish URL that must be refused before any socket is opened. */
static void
expect_config_without_connect(const char *url_text)
{
	struct astral_app app;
	char url[128];
	astral_err err;

	memset(&app, 0, sizeof(app));
	if (url_text != NULL) {
		snprintf(url, sizeof(url), "%s", url_text);
		app.cfg.rt_publish_url = url;
	}
	connect_calls = connect_refused = 0;
	err = astral_rt_close_user(&app, USER_ID);
	if (err != ASTRAL_ERR_CONFIG)
		fail_msg("publish URL \"%s\": got %s, want CONFIG", url_text ? url_text : "(none)", astral_strerror(err));
	if (connect_calls != 0 || connect_refused != 0)
		fail_msg("publish URL \"%s\": a connection was attempted", url_text ? url_text : "(none)");
}

static void
test_realtime_bad_close_user_not_loopback(void **state)
{
	(void)state;
	expect_config_without_connect("http://10.0.0.1:9/x");
	expect_config_without_connect("http://192.0.2.1:8091/rt/pub");
	expect_config_without_connect("http://0.0.0.0:8091/rt/pub");
	expect_config_without_connect("http://[::]:8091/rt/pub");
	expect_config_without_connect("http://[2001:db8::1]:8091/rt/pub");
	expect_config_without_connect("http://[::ffff:10.0.0.1]:8091/rt/pub");
}

static void
test_realtime_bad_close_user_bad_url(void **state)
{
	(void)state;
	expect_config_without_connect(NULL);
	expect_config_without_connect("");
	expect_config_without_connect("https://127.0.0.1:8091/rt/pub");
	expect_config_without_connect("http://localhost:8091/rt/pub");
	expect_config_without_connect("http://cafe:8091/rt/pub");
	expect_config_without_connect("http://127.0.0.1:8091/rt\r\npub");
}

static int
group_setup(void **state)
{
	(void)state;
	/* close_user logs a warning for each failure; keep the test output readable. */
	astral_log_init("test-realtime", ASTRAL_LOG_ERROR);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realtime_parse_url_ipv4),
		cmocka_unit_test(test_realtime_parse_url_ipv6),
		cmocka_unit_test(test_realtime_bad_url_shape),
		cmocka_unit_test(test_realtime_bad_url_host_name),
		cmocka_unit_test(test_realtime_bad_url_not_an_address),
		cmocka_unit_test(test_realtime_bad_url_user_info),
		cmocka_unit_test(test_realtime_bad_url_path),
		cmocka_unit_test(test_realtime_bad_url_port),
		cmocka_unit_test(test_realtime_bad_url_port_range),
		cmocka_unit_test(test_realtime_bad_url_small_buffers),
		cmocka_unit_test(test_realtime_parse_status_good),
		cmocka_unit_test(test_realtime_bad_status),
		cmocka_unit_test(test_realtime_user_channel),
		cmocka_unit_test(test_realtime_close_user_204),
		cmocka_unit_test(test_realtime_close_user_200),
		cmocka_unit_test(test_realtime_close_user_404),
		cmocka_unit_test(test_realtime_close_user_split_status),
		cmocka_unit_test(test_realtime_close_user_ipv6),
		cmocka_unit_test(test_realtime_close_user_twice_one_connection),
		cmocka_unit_test(test_realtime_publish_pending_one_connection),
		cmocka_unit_test(test_realtime_publish_pending_then_close),
		cmocka_unit_test(test_realtime_publish_pending_refused_closes_only),
		cmocka_unit_test(test_realtime_bad_close_user_500),
		cmocka_unit_test(test_realtime_bad_close_user_garbage),
		cmocka_unit_test(test_realtime_bad_close_user_hang_up),
		cmocka_unit_test(test_realtime_bad_close_user_silence),
		cmocka_unit_test(test_realtime_bad_close_user_nobody_listening),
		cmocka_unit_test(test_realtime_bad_close_user_not_loopback),
		cmocka_unit_test(test_realtime_bad_close_user_bad_url),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
