/*
 * Tests for the real-time relay's parts that run without nchan: the datagram a program hands over
 * (lib/relay_datagram.c), the program's side of the socket (lib/relay_client.c) against a Unix
 * datagram socket bound by the test in a temporary directory, the request head the relay writes
 * (astral_publisher_format_head), and the relay's queue of requests (relay/outbox.c).
 *
 * Datagrams are parsed from heap copies of exactly their length, so that a read past the end is
 * caught by ASan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "outbox.h"
#include "publisher.h"
#include "relay_client.h"
#include "relay_datagram.h"

#define CHANNEL "user-6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
#define BODY "{\"type\":\"message\",\"text\":\"hello\"}"

/* ---------------------------------------------------------------- datagrams */

/* A heap copy of exactly len bytes (one byte when len is 0, never read). */
static char *
copy_exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* The event as a refusal must leave it: every byte zero. */
static void
assert_event_zeroed(const struct astral_relay_event *ev)
{
	struct astral_relay_event zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(ev, &zero, sizeof(zero));
}

/* Parse s[0..len) from an exact copy; the event is filled with junk first. */
static astral_err
parse(const char *s, size_t len, struct astral_relay_event *ev, char **copy)
{
	*copy = copy_exact(s, len);
	memset(ev, 0x5a, sizeof(*ev));
	return astral_relay_datagram_parse(*copy, len, ev);
}

/* Expect a refusal of s[0..len), with the event zeroed. (The copy is freed before the checks, so
   that a failure is reported without a leak.) */
static void
assert_datagram_refused(const char *s, size_t len)
{
	struct astral_relay_event ev;
	char *copy;
	astral_err rc = parse(s, len, &ev, &copy);

	free(copy);
	assert_int_equal(rc, ASTRAL_ERR_INVALID);
	assert_event_zeroed(&ev);
}

static void
test_relay_datagram_good(void **state)
{
	static const char dgram[] = CHANNEL "\n" BODY;
	struct astral_relay_event ev;
	char *copy;

	(void)state;
	assert_int_equal(parse(dgram, sizeof(dgram) - 1, &ev, &copy), ASTRAL_OK);
	assert_string_equal(ev.channel, CHANNEL);
	assert_int_equal(ev.channel[strlen(CHANNEL)], '\0');
	assert_ptr_equal(ev.body, copy + strlen(CHANNEL) + 1);
	assert_int_equal(ev.body_len, strlen(BODY));
	assert_memory_equal(ev.body, BODY, strlen(BODY));
	free(copy);
}

/* The channel ends at the first newline; later ones belong to the body. */
static void
test_relay_datagram_newline_in_body(void **state)
{
	static const char dgram[] = "c.1_-Z\n{\"a\":\n1}\n";
	struct astral_relay_event ev;
	char *copy;

	(void)state;
	assert_int_equal(parse(dgram, sizeof(dgram) - 1, &ev, &copy), ASTRAL_OK);
	assert_string_equal(ev.channel, "c.1_-Z");
	assert_ptr_equal(ev.body, copy + 7);
	assert_int_equal(ev.body_len, 9);
	assert_memory_equal(ev.body, "{\"a\":\n1}\n", 9);
	free(copy);
}

static void
test_relay_datagram_bad_no_newline(void **state)
{
	static const char dgram[] = CHANNEL BODY;

	(void)state;
	assert_datagram_refused(dgram, sizeof(dgram) - 1);
	assert_datagram_refused("c", 1);
	assert_datagram_refused("", 0);
}

static void
test_relay_datagram_bad_null(void **state)
{
	struct astral_relay_event ev;

	(void)state;
	memset(&ev, 0x5a, sizeof(ev));
	assert_int_equal(astral_relay_datagram_parse(NULL, 0, &ev), ASTRAL_ERR_INVALID);
	assert_event_zeroed(&ev);
	memset(&ev, 0x5a, sizeof(ev));
	assert_int_equal(astral_relay_datagram_parse(NULL, 10, &ev), ASTRAL_ERR_INVALID);
	assert_event_zeroed(&ev);
}

/* A datagram of `clen` channel characters, '\n', then "{}". */
static char *
datagram_with_channel(size_t clen, size_t *len)
{
	char *d = malloc(clen + 3);

	assert_non_null(d);
	memset(d, 'a', clen);
	memcpy(d + clen, "\n{}", 3);
	*len = clen + 3;
	return d;
}

static void
test_relay_datagram_channel_128(void **state)
{
	struct astral_relay_event ev;
	size_t len;
	char *d = datagram_with_channel(ASTRAL_PUBLISHER_TOKEN_MAX, &len);
	char *copy;

	(void)state;
	assert_int_equal(parse(d, len, &ev, &copy), ASTRAL_OK);
	assert_int_equal(strlen(ev.channel), ASTRAL_PUBLISHER_TOKEN_MAX);
	assert_memory_equal(ev.channel, d, ASTRAL_PUBLISHER_TOKEN_MAX);
	assert_ptr_equal(ev.body, copy + ASTRAL_PUBLISHER_TOKEN_MAX + 1);
	assert_int_equal(ev.body_len, 2);
	free(copy);
	free(d);
}

static void
test_relay_datagram_bad_channel_129(void **state)
{
	size_t len;
	char *d = datagram_with_channel(ASTRAL_PUBLISHER_TOKEN_MAX + 1, &len);

	(void)state;
	assert_datagram_refused(d, len);
	free(d);
}

/* The newline comes only well after the 129 bytes the parser looks at. */
static void
test_relay_datagram_bad_newline_late(void **state)
{
	size_t len;
	char *d = datagram_with_channel(300, &len);

	(void)state;
	assert_datagram_refused(d, len);
	free(d);
	/* 129 bytes and no newline at all: nothing past them is read. */
	d = datagram_with_channel(129, &len);
	assert_datagram_refused(d, 129);
	free(d);
}

static void
test_relay_datagram_bad_channel_characters(void **state)
{
	(void)state;
	assert_datagram_refused("a b\n{}", 6);
	assert_datagram_refused("a/b\n{}", 6);
	assert_datagram_refused("\n{}", 3);
	assert_datagram_refused("a\r\n{}", 5);
	assert_datagram_refused("a?b=1\n{}", 8);
	assert_datagram_refused("caf\xc3\xa9\n{}", 8);
}

/* A NUL inside the channel makes it "a" in C but it is not the token the program sent: refused,
   never published to a channel that is a prefix of the one meant. */
static void
test_relay_datagram_bad_channel_nul(void **state)
{
	(void)state;
	assert_datagram_refused("a\0b\n{}", 6);
	assert_datagram_refused("user-\0" "6f1c\n{}", 13);
}

static void
test_relay_datagram_bad_empty_body(void **state)
{
	(void)state;
	assert_datagram_refused(CHANNEL "\n", strlen(CHANNEL) + 1);
	assert_datagram_refused("c\n", 2);
}

static void
test_relay_datagram_body_limit(void **state)
{
	size_t len = 2 + ASTRAL_RELAY_BODY_MAX + 1;
	char *d = malloc(len);
	struct astral_relay_event ev;
	char *copy;

	(void)state;
	assert_non_null(d);
	memcpy(d, "c\n", 2);
	memset(d + 2, 'x', ASTRAL_RELAY_BODY_MAX + 1);
	assert_int_equal(parse(d, len - 1, &ev, &copy), ASTRAL_OK);
	assert_string_equal(ev.channel, "c");
	assert_ptr_equal(ev.body, copy + 2);
	assert_int_equal(ev.body_len, ASTRAL_RELAY_BODY_MAX);
	free(copy);
	assert_datagram_refused(d, len);
	free(d);
}

/* ---------------------------------------------------------------- the request head */

static void
test_relay_format_head_ipv4(void **state)
{
	static const char want[] = "POST /rt/pub/" CHANNEL " HTTP/1.1\r\nHost: 127.0.0.1:8091\r\n"
	                           "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n";
	char buf[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX];
	int n;

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	n = astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/rt/pub", CHANNEL, 17);
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, sizeof(want));   /* with its NUL */
}

static void
test_relay_format_head_ipv6(void **state)
{
	static const char want[] = "DELETE /pub/c HTTP/1.1\r\nHost: [::1]:80\r\n"
	                           "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n";
	char buf[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX];
	int n;

	(void)state;
	n = astral_publisher_format_head(buf, sizeof(buf), "DELETE", "::1", "80", "/pub", "c", 0);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void
test_relay_format_head_bad_tokens(void **state)
{
	char buf[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX], long_token[ASTRAL_PUBLISHER_TOKEN_MAX + 2];
	static const char *const bad[] = { "", "a b", "a/b", "a\r\nX: y", "a?b", "caf\xc3\xa9" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/p", bad[i],
		                                              2), -1);
		assert_int_equal(astral_publisher_format_head(buf, sizeof(buf), bad[i], "127.0.0.1", "8091", "/p", "c",
		                                              2), -1);
	}
	memset(long_token, 'a', sizeof(long_token) - 1);
	long_token[sizeof(long_token) - 1] = '\0';
	assert_int_equal(astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/p", long_token,
	                                              2), -1);
	long_token[ASTRAL_PUBLISHER_TOKEN_MAX] = '\0';   /* 128: a token */
	assert_true(astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/p", long_token,
	                                         2) > 0);
	assert_int_equal(astral_publisher_format_head(buf, sizeof(buf), NULL, "127.0.0.1", "8091", "/p", "c", 2), -1);
	assert_int_equal(astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/p", NULL, 2),
	                 -1);
}

static void
test_relay_format_head_bad_cap(void **state)
{
	char buf[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX];
	int n;

	(void)state;
	n = astral_publisher_format_head(buf, sizeof(buf), "POST", "127.0.0.1", "8091", "/rt/pub", "c", 12345);
	assert_true(n > 0);
	/* Room for the head but not its NUL: refused. Exactly enough: the same head. */
	assert_int_equal(astral_publisher_format_head(buf, (size_t)n, "POST", "127.0.0.1", "8091", "/rt/pub", "c",
	                                              12345), -1);
	assert_int_equal(astral_publisher_format_head(buf, (size_t)n + 1, "POST", "127.0.0.1", "8091", "/rt/pub", "c",
	                                              12345), n);
	assert_int_equal(astral_publisher_format_head(buf, 1, "POST", "127.0.0.1", "8091", "/rt/pub", "c", 12345), -1);
	assert_int_equal(astral_publisher_format_head(buf, 0, "POST", "127.0.0.1", "8091", "/rt/pub", "c", 12345), -1);
}

/* ---------------------------------------------------------------- the outbox */

/* The outbox's unwritten bytes are exactly want[0..len). */
static void
assert_unwritten(const struct outbox *o, const char *want, size_t want_len)
{
	size_t len;
	const char *p = outbox_unwritten(o, &len);

	assert_int_equal(len, want_len);
	if (want_len > 0)
		assert_memory_equal(p, want, want_len);
}

static void
add(struct outbox *o, const char *head, const char *body)
{
	assert_int_equal(outbox_add(o, head, strlen(head), body, strlen(body)), 0);
}

static void
test_relay_outbox_order(void **state)
{
	struct outbox o;

	(void)state;
	outbox_init(&o, 1 << 20);
	assert_unwritten(&o, "", 0);
	assert_int_equal(outbox_count(&o), 0);
	add(&o, "H1:", "b1");
	add(&o, "Head2:", "body2");
	add(&o, "H3:", "");
	assert_int_equal(outbox_count(&o), 3);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_false(outbox_mid_request(&o));
	assert_unwritten(&o, "H1:b1Head2:body2H3:", 19);

	outbox_wrote(&o, 19);
	assert_unwritten(&o, "", 0);
	assert_int_equal(outbox_in_flight(&o), 3);
	assert_false(outbox_mid_request(&o));

	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 2);
	assert_int_equal(outbox_in_flight(&o), 2);
	add(&o, "H4:", "b4");
	assert_unwritten(&o, "H4:b4", 5);
	assert_int_equal(outbox_in_flight(&o), 2);
	outbox_answered(&o);
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 1);
	assert_int_equal(outbox_in_flight(&o), 0);
	/* Nothing written is in flight: an answer now answers nothing. */
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 1);
	assert_unwritten(&o, "H4:b4", 5);
	outbox_wrote(&o, 5);
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 0);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_unwritten(&o, "", 0);
	outbox_free(&o);
}

static void
test_relay_outbox_partial_writes(void **state)
{
	struct outbox o;

	(void)state;
	outbox_init(&o, 1 << 20);
	add(&o, "AAAAA", "aaaaa");     /* 10 bytes */
	add(&o, "BBBB", "bbb");        /* 7 bytes */

	outbox_wrote(&o, 1);
	assert_true(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_unwritten(&o, "AAAAaaaaaBBBBbbb", 16);
	outbox_wrote(&o, 8);
	assert_true(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_unwritten(&o, "aBBBBbbb", 8);
	outbox_wrote(&o, 1);           /* A's last byte */
	assert_false(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 1);
	outbox_wrote(&o, 3);
	assert_true(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 1);
	assert_unwritten(&o, "Bbbb", 4);

	/* A is answered while B is half out: B stays half out, its rest unchanged. */
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 1);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_true(outbox_mid_request(&o));
	assert_unwritten(&o, "Bbbb", 4);
	/* An answer with nothing whole in flight is ignored. */
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 1);
	assert_unwritten(&o, "Bbbb", 4);
	outbox_wrote(&o, 3);
	assert_true(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 0);
	outbox_wrote(&o, 1);
	assert_false(outbox_mid_request(&o));
	assert_int_equal(outbox_in_flight(&o), 1);
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 0);
	outbox_free(&o);
}

/* Answers free the oldest; the requests after it keep their bytes exactly, written or not. */
static void
test_relay_outbox_answered_keeps_rest(void **state)
{
	struct outbox o;

	(void)state;
	outbox_init(&o, 1 << 20);
	add(&o, "first ", "one;");
	add(&o, "second ", "two;");
	add(&o, "third ", "three;");
	outbox_wrote(&o, 10 + 11);
	assert_int_equal(outbox_in_flight(&o), 2);
	outbox_answered(&o);
	assert_unwritten(&o, "third three;", 12);
	outbox_rewind(&o);
	assert_unwritten(&o, "second two;third three;", 23);
	assert_int_equal(outbox_count(&o), 2);
	outbox_free(&o);
}

static void
test_relay_outbox_rewind(void **state)
{
	struct outbox o;

	(void)state;
	outbox_init(&o, 1 << 20);
	outbox_rewind(&o);             /* nothing held: nothing changes */
	assert_unwritten(&o, "", 0);
	add(&o, "A:", "1111");         /* 6 */
	add(&o, "B:", "2222");         /* 6 */
	add(&o, "C:", "3333");         /* 6 */
	outbox_wrote(&o, 6 + 3);       /* A whole, B in part */
	outbox_answered(&o);           /* A answered: it must not go again */
	outbox_rewind(&o);
	assert_int_equal(outbox_count(&o), 2);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_false(outbox_mid_request(&o));
	assert_unwritten(&o, "B:2222C:3333", 12);
	/* The answer for a request of the old connection cannot answer one not yet written again. */
	outbox_answered(&o);
	assert_int_equal(outbox_count(&o), 2);
	assert_unwritten(&o, "B:2222C:3333", 12);

	/* Everything written, nothing answered, then the connection ends: all of it goes again. */
	outbox_wrote(&o, 12);
	assert_int_equal(outbox_in_flight(&o), 2);
	outbox_rewind(&o);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_unwritten(&o, "B:2222C:3333", 12);
	outbox_wrote(&o, 5);
	outbox_wrote(&o, 7);
	assert_int_equal(outbox_in_flight(&o), 2);
	outbox_answered(&o);
	assert_unwritten(&o, "", 0);
	outbox_rewind(&o);
	assert_unwritten(&o, "C:3333", 6);
	outbox_free(&o);
}

static void
test_relay_outbox_bad_over_limit(void **state)
{
	char head[61], body[41];
	struct outbox o;

	(void)state;
	memset(head, 'h', sizeof(head));
	memset(body, 'b', sizeof(body));
	outbox_init(&o, 100);
	assert_int_equal(outbox_add(&o, head, 30, body, 30), 0);            /* 60 */
	outbox_wrote(&o, 10);
	assert_int_equal(outbox_add(&o, head, 1, body, 40), -1);            /* 101 */
	assert_int_equal(outbox_count(&o), 1);
	assert_int_equal(outbox_in_flight(&o), 0);
	assert_true(outbox_mid_request(&o));
	{
		size_t len;
		const char *p = outbox_unwritten(&o, &len);

		assert_int_equal(len, 50);
		assert_memory_equal(p, head, 20);
		assert_memory_equal(p + 20, body, 30);
	}
	assert_int_equal(outbox_add(&o, head, 0, body, 40), 0);            /* exactly 100 */
	assert_int_equal(outbox_count(&o), 2);
	assert_int_equal(outbox_add(&o, head, 1, body, 0), -1);
	assert_int_equal(outbox_count(&o), 2);
	/* An answer makes room again. */
	outbox_wrote(&o, 50);
	outbox_answered(&o);
	assert_int_equal(outbox_add(&o, head, 60, body, 0), 0);
	assert_int_equal(outbox_add(&o, head, 1, body, 0), -1);
	assert_int_equal(outbox_count(&o), 2);
	outbox_free(&o);
}

/* The n-th request of the long run: a head and a body of varying size, its bytes telling n. */
static size_t
nth_request(unsigned n, char *head, size_t *head_len, char *body)
{
	size_t body_len = 1 + (n * 7919u) % 900;

	*head_len = (size_t)snprintf(head, 64, "POST /pub/c%u HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", n, body_len);
	for (size_t i = 0; i < body_len; i++)
		body[i] = (char)('a' + (n + i) % 26);
	return body_len;
}

/* A small generator, the same on every run. */
static uint32_t
next_random(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * 10,000 requests added, written in chunks of any size, answered in bursts, now and then a
 * connection lost; the outbox is compared with a model (every request's bytes end to end, the
 * oldest unanswered one, the bytes written) after every step. Answers are held back for stretches
 * so that the buffer and the sizes grow past their first size, and taken so that they compact.
 */
static void
test_relay_outbox_long_run(void **state)
{
	enum { N = 10000 };
	size_t *offs = malloc((N + 1) * sizeof(*offs));
	char *all = malloc((size_t)N * 1000), head[64], body[1000];
	size_t oldest = 0, added = 0, written = 0, peak = 0;
	uint32_t seed = 12345;
	struct outbox o;

	(void)state;
	assert_non_null(offs);
	assert_non_null(all);
	outbox_init(&o, 64u << 20);
	offs[0] = 0;
	for (unsigned n = 0; n < N || oldest < added; n++) {
		size_t head_len, body_len, whole, len, bytes;
		const char *p;

		if (n < N) {
			body_len = nth_request(n, head, &head_len, body);
			assert_int_equal(outbox_add(&o, head, head_len, body, body_len), 0);
			memcpy(all + offs[added], head, head_len);
			memcpy(all + offs[added] + head_len, body, body_len);
			offs[added + 1] = offs[added] + head_len + body_len;
			added++;
		}
		/* Write a chunk of any size, up to all that waits. */
		p = outbox_unwritten(&o, &len);
		assert_int_equal(len, offs[added] - offs[oldest] - written);
		assert_memory_equal(p, all + offs[oldest] + written, len);
		bytes = n < N ? next_random(&seed) % 1500 : len;
		if (bytes > len)
			bytes = len;
		outbox_wrote(&o, bytes);
		written += bytes;
		/* The requests written whole, and whether one is half out. */
		for (whole = 0; oldest + whole < added && offs[oldest + whole + 1] - offs[oldest] <= written; whole++)
			;
		assert_int_equal(outbox_in_flight(&o), whole);
		assert_int_equal(outbox_mid_request(&o) != 0, written > offs[oldest + whole] - offs[oldest]);
		/* Answers: none for a while every 2,000 requests, else some of those in flight. */
		if (n >= N || n % 2000 >= 600) {
			size_t answers = n < N ? next_random(&seed) % (whole + 2) : whole;

			for (size_t i = 0; i < answers && whole > 0; i++, whole--) {
				outbox_answered(&o);
				written -= offs[oldest + 1] - offs[oldest];
				oldest++;
			}
		}
		/* Now and then the connection ends. */
		if (n < N && next_random(&seed) % 500 == 0) {
			outbox_rewind(&o);
			written = 0;
			assert_int_equal(outbox_in_flight(&o), 0);
			assert_false(outbox_mid_request(&o));
		}
		assert_int_equal(outbox_count(&o), added - oldest);
		if (offs[added] - offs[oldest] > peak)
			peak = offs[added] - offs[oldest];
	}
	assert_int_equal(outbox_count(&o), 0);
	assert_unwritten(&o, "", 0);
	/* The run did make the buffer grow past its first 64 KiB and the sizes past their first 256. */
	assert_true(peak > 4 * 65536);
	assert_true(o.sizes_cap > 256);
	outbox_free(&o);
	free(all);
	free(offs);
}

/* ---------------------------------------------------------------- the program's side of the socket */

struct relay_dir {
	char dir[64];
	char path[128];
	int receiver;                  /* the test's bound socket, or -1 */
};

static int
relay_setup(void **state)
{
	struct relay_dir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/astral-relay-test-XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		free(d);
		return -1;
	}
	snprintf(d->path, sizeof(d->path), "%s/relay.sock", d->dir);
	d->receiver = -1;
	astral_relay_disconnect();
	*state = d;
	return 0;
}

static int
relay_teardown(void **state)
{
	struct relay_dir *d = *state;

	astral_relay_disconnect();
	if (d->receiver >= 0)
		close(d->receiver);
	unlink(d->path);
	rmdir(d->dir);
	free(d);
	return 0;
}

/* Bind the relay's end of the socket at d->path. */
static void
bind_receiver(struct relay_dir *d)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(d->path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, d->path, strlen(d->path) + 1);
	d->receiver = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(d->receiver >= 0);
	assert_int_equal(bind(d->receiver, (struct sockaddr *)&sun, sizeof(sun)), 0);
}

/* The next datagram waiting, its length (or -1 when none waits). */
static ssize_t
receive(struct relay_dir *d, char *buf, size_t cap)
{
	return recv(d->receiver, buf, cap, MSG_DONTWAIT);
}

static void
assert_nothing_waits(struct relay_dir *d)
{
	char buf[16];

	assert_int_equal(receive(d, buf, sizeof(buf)), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void
assert_received(struct relay_dir *d, const char *channel, const char *body, size_t body_len)
{
	static char buf[ASTRAL_RELAY_DATAGRAM_MAX + 16];
	size_t clen = strlen(channel);
	ssize_t n = receive(d, buf, sizeof(buf));

	assert_int_equal(n, (ssize_t)(clen + 1 + body_len));
	assert_memory_equal(buf, channel, clen);
	assert_int_equal(buf[clen], '\n');
	assert_memory_equal(buf + clen + 1, body, body_len);
}

static void
test_relay_send_good(void **state)
{
	struct relay_dir *d = *state;
	char *big = malloc(ASTRAL_RELAY_BODY_MAX);

	assert_non_null(big);
	memset(big, 'x', ASTRAL_RELAY_BODY_MAX);
	big[ASTRAL_RELAY_BODY_MAX - 1] = '}';
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_int_equal(astral_relay_send(d->path, "c", "{\n}", 3), ASTRAL_OK);
	assert_int_equal(astral_relay_send(d->path, "c", big, ASTRAL_RELAY_BODY_MAX), ASTRAL_OK);
	/* One datagram each, whole, in order; and the relay's parser reads them back. */
	assert_received(d, CHANNEL, BODY, strlen(BODY));
	assert_received(d, "c", "{\n}", 3);
	assert_received(d, "c", big, ASTRAL_RELAY_BODY_MAX);
	assert_nothing_waits(d);
	free(big);
}

static void
test_relay_send_bad_event(void **state)
{
	struct relay_dir *d = *state;
	char *big = calloc(1, ASTRAL_RELAY_BODY_MAX + 1);

	assert_non_null(big);
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, "a b", BODY, strlen(BODY)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, "a/b", BODY, strlen(BODY)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, "", BODY, strlen(BODY)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, NULL, BODY, strlen(BODY)), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, 0), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, NULL, 5), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, big, ASTRAL_RELAY_BODY_MAX + 1), ASTRAL_ERR_INVALID);
	assert_nothing_waits(d);
	/* None of them counted as a failure of the relay: the next event goes at once. */
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
	free(big);
}

static void
test_relay_send_bad_no_socket(void **state)
{
	struct relay_dir *d = *state;

	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	/* The relay is there now, but the last try was less than a second ago. */
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	assert_nothing_waits(d);
	astral_relay_disconnect();
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
}

/* After a failure the relay is tried again once a second has passed, without being told. */
static void
test_relay_send_retry_after_a_second(void **state)
{
	struct relay_dir *d = *state;
	struct timespec wait = { 1, 100 * 1000 * 1000 };

	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	nanosleep(&wait, NULL);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
	assert_nothing_waits(d);
}

/* The relay does not read: its queue fills, a send says IO, and the socket is kept, so the first
   send once it has read goes at once. Every send that said OK arrived, once. */
static void
test_relay_send_bad_full(void **state)
{
	struct relay_dir *d = *state;
	char body[1000], buf[2048];
	unsigned sent = 0, got = 0;
	astral_err err = ASTRAL_OK;

	memset(body, 'f', sizeof(body));
	bind_receiver(d);
	alarm(20);                     /* a send that waits for room ends the run here */
	while (sent < 100000 && (err = astral_relay_send(d->path, "c", body, sizeof(body))) == ASTRAL_OK)
		sent++;
	assert_int_equal(err, ASTRAL_ERR_IO);
	assert_true(sent > 0);
	/* Still full: IO again, and nothing lost from what waits. */
	assert_int_equal(astral_relay_send(d->path, "c", body, sizeof(body)), ASTRAL_ERR_IO);
	while (receive(d, buf, sizeof(buf)) == (ssize_t)(2 + sizeof(body)))
		got++;
	assert_int_equal(got, sent);
	alarm(0);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
	assert_nothing_waits(d);
}

/* The relay stopped (its socket closed): IO, not a signal or a crash; the path bound again by a
   new relay is tried once the second is over, or at once after a disconnect. */
static void
test_relay_send_bad_receiver_closed(void **state)
{
	struct relay_dir *d = *state;

	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	close(d->receiver);
	d->receiver = -1;
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	/* The file left behind, nobody bound to it: a fresh connect is refused too. */
	astral_relay_disconnect();
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	/* A new relay on the same path. */
	unlink(d->path);
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	astral_relay_disconnect();
	assert_int_equal(astral_relay_send(d->path, CHANNEL, "{}", 2), ASTRAL_OK);
	assert_received(d, CHANNEL, "{}", 2);
	assert_nothing_waits(d);
}

/* The relay restarted: its new socket at the same path is reached once the second after the
   failure is over, without a disconnect (the old socket is dropped, not kept failing). */
static void
test_relay_send_relay_restarted(void **state)
{
	struct relay_dir *d = *state;
	struct timespec wait = { 1, 100 * 1000 * 1000 };

	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
	close(d->receiver);
	d->receiver = -1;
	unlink(d->path);
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	assert_nothing_waits(d);
	nanosleep(&wait, NULL);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, "{}", 2), ASTRAL_OK);
	assert_received(d, CHANNEL, "{}", 2);
	assert_nothing_waits(d);
}

/* Another path: the socket follows the configuration, without waiting out the other's failure. */
static void
test_relay_send_other_path(void **state)
{
	struct relay_dir *d = *state;
	char other[160];

	snprintf(other, sizeof(other), "%s/none.sock", d->dir);
	assert_int_equal(astral_relay_send(other, CHANNEL, BODY, strlen(BODY)), ASTRAL_ERR_IO);
	bind_receiver(d);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
}

/* A path too long for a socket address, or empty: nothing is sent, and no crash. */
static void
test_relay_send_bad_path(void **state)
{
	struct relay_dir *d = *state;
	char long_path[200];

	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	bind_receiver(d);
	assert_int_not_equal(astral_relay_send(long_path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_int_not_equal(astral_relay_send("", CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_int_equal(astral_relay_send(d->path, CHANNEL, BODY, strlen(BODY)), ASTRAL_OK);
	assert_received(d, CHANNEL, BODY, strlen(BODY));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_datagram_good),
		cmocka_unit_test(test_relay_datagram_newline_in_body),
		cmocka_unit_test(test_relay_datagram_bad_no_newline),
		cmocka_unit_test(test_relay_datagram_bad_null),
		cmocka_unit_test(test_relay_datagram_channel_128),
		cmocka_unit_test(test_relay_datagram_bad_channel_129),
		cmocka_unit_test(test_relay_datagram_bad_newline_late),
		cmocka_unit_test(test_relay_datagram_bad_channel_characters),
		cmocka_unit_test(test_relay_datagram_bad_channel_nul),
		cmocka_unit_test(test_relay_datagram_bad_empty_body),
		cmocka_unit_test(test_relay_datagram_body_limit),
		cmocka_unit_test(test_relay_format_head_ipv4),
		cmocka_unit_test(test_relay_format_head_ipv6),
		cmocka_unit_test(test_relay_format_head_bad_tokens),
		cmocka_unit_test(test_relay_format_head_bad_cap),
		cmocka_unit_test(test_relay_outbox_order),
		cmocka_unit_test(test_relay_outbox_partial_writes),
		cmocka_unit_test(test_relay_outbox_answered_keeps_rest),
		cmocka_unit_test(test_relay_outbox_rewind),
		cmocka_unit_test(test_relay_outbox_bad_over_limit),
		cmocka_unit_test(test_relay_outbox_long_run),
		cmocka_unit_test_setup_teardown(test_relay_send_good, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_bad_event, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_bad_no_socket, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_retry_after_a_second, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_bad_full, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_bad_receiver_closed, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_relay_restarted, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_other_path, relay_setup, relay_teardown),
		cmocka_unit_test_setup_teardown(test_relay_send_bad_path, relay_setup, relay_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
