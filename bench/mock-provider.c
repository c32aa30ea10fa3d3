/*
 * The AI provider for bench/run: an OpenAI-compatible /v1/chat/completions that answers every
 * call after a fixed latency, with one short supportive reply (server-sent events when the
 * request asks for a stream, one JSON answer otherwise).
 *
 *   mock-provider --latency-ms 200        prints "listening http://127.0.0.1:PORT", then serves
 *
 * Why not the test suite's mock (tests/integration/mock_ai.py): that one speaks every failure the
 * tests need, in Python, a thread per connection. On the two cores the gateway is measured on it
 * took about 0.5 ms of CPU per chat, and at the lowest priority it was held back whenever the
 * stack was busy, then sent the replies it owed all at once: late replies (its p99 was 213-238 ms
 * for a 200 ms latency) arriving in clumps, which the gateway then queued for. A real provider is
 * on another machine and is not slowed by our load. This one is a single epoll loop, costs a few
 * microseconds a call, runs at normal priority, and keeps its deadlines.
 *
 * Deliberately small: HTTP/1.1 with Content-Length bodies only (libcurl's requests from
 * cgi-bin/ai/provider.c), keep-alive, no TLS. A request it cannot read closes the connection.
 * Because the latency is the same for every call, the replies are due in the order the requests
 * were read: a FIFO of deadlines is the whole scheduler.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define REQUEST_MAX (1024 * 1024)

static const char REPLY_TEXT[] =
	"That sounds really heavy to carry tonight. I'm here with you: what feels hardest about tomorrow?";

struct conn {
	int fd;               /* -1: free */
	char *in;             /* the request read so far */
	size_t in_len, in_cap;
	int owes;             /* a reply is queued for this connection */
	int stream;           /* ... as server-sent events */
	unsigned generation;  /* bumped on close, so a queued reply for a closed fd is dropped */
};

struct due {
	int slot;
	unsigned generation;
	long long at_us;
};

static struct conn conns[MAX_CONNS];
static struct due *queue;
static size_t q_head, q_tail, q_cap;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
conn_close(int epfd, struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->in_len = 0;
	c->owes = 0;
	c->generation++;
}

static int
queue_push(int slot, unsigned generation, long long at_us)
{
	if (q_tail == q_cap) {
		if (q_head > 0) {
			memmove(queue, queue + q_head, (q_tail - q_head) * sizeof(*queue));
			q_tail -= q_head;
			q_head = 0;
		} else {
			size_t cap = q_cap ? q_cap * 2 : 1024;
			struct due *grown = realloc(queue, cap * sizeof(*grown));

			if (grown == NULL)
				return -1;
			queue = grown;
			q_cap = cap;
		}
	}
	queue[q_tail++] = (struct due){ slot, generation, at_us };
	return 0;
}

/* Whether the request body asks for a stream ("stream": true, with or without spaces). */
static int
asks_stream(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "\"stream\"", 8), *end = buf + len;

	if (p == NULL)
		return 0;
	for (p += 8; p < end && (*p == ' ' || *p == ':'); p++)
		;
	return end - p >= 4 && memcmp(p, "true", 4) == 0;
}

/* Length of the complete request at the start of buf (head and Content-Length body), 0 when more
   is needed, -1 when it cannot be read. */
static long
request_length(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	const char *p;
	size_t head;
	long body = 0;

	if (end == NULL)
		return len > 65536 ? -1 : 0;
	head = (size_t)(end - buf) + 4;
	for (p = buf; p < end; p++) {
		if ((p == buf || p[-1] == '\n') && (size_t)(end - p) > 15 && strncasecmp(p, "content-length:", 15) == 0) {
			char *stop;

			body = strtol(p + 15, &stop, 10);
			if (body < 0 || body > REQUEST_MAX || stop == p + 15)
				return -1;
		}
	}
	return head + (size_t)body <= len ? (long)(head + (size_t)body) : 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;   /* a reply is a few hundred bytes: the socket buffer takes it whole */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_reply(struct conn *c, unsigned long id)
{
	char body[2048], out[2560];
	int blen, olen;

	if (c->stream)
		blen = snprintf(body, sizeof(body),
		    "data: {\"id\":\"chatcmpl-bench-%lu\",\"object\":\"chat.completion.chunk\",\"model\":\"mock\","
		    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"%s\"},\"finish_reason\":null}]}\n\n"
		    "data: {\"id\":\"chatcmpl-bench-%lu\",\"object\":\"chat.completion.chunk\",\"model\":\"mock\","
		    "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
		    "data: [DONE]\n\n", id, REPLY_TEXT, id);
	else
		blen = snprintf(body, sizeof(body),
		    "{\"id\":\"chatcmpl-bench-%lu\",\"object\":\"chat.completion\",\"model\":\"mock\","
		    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},"
		    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}",
		    id, REPLY_TEXT);
	olen = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
	    c->stream ? "text/event-stream" : "application/json", blen, body);
	return write_all(c->fd, out, (size_t)olen);
}

/* Reads what the connection has; a complete request queues its reply. 0: keep, -1: close. */
static int
conn_read(struct conn *c, int slot, long long latency_ms)
{
	for (;;) {
		ssize_t n;
		long need;

		if (c->in_cap - c->in_len < 16384) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 65536;
			char *grown;

			if (cap > 2 * REQUEST_MAX || (grown = realloc(c->in, cap)) == NULL)
				return -1;
			c->in = grown;
			c->in_cap = cap;
		}
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->in_len += (size_t)n;
		need = request_length(c->in, c->in_len);
		if (need < 0 || (need > 0 && c->owes))
			return -1;   /* unreadable, or a second request before the first was answered */
		if (need > 0) {
			c->stream = asks_stream(c->in, (size_t)need);
			c->owes = 1;
			memmove(c->in, c->in + need, c->in_len - (size_t)need);
			c->in_len -= (size_t)need;
			if (queue_push(slot, c->generation, now_us() + latency_ms * 1000) != 0)
				return -1;
		}
	}
}

int
main(int argc, char **argv)
{
	long long latency_ms = 200;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	unsigned long replies = 0;
	int lfd, epfd, one = 1;

	if (argc == 3 && strcmp(argv[1], "--latency-ms") == 0)
		latency_ms = atoll(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: mock-provider [--latency-ms N]\n");
		return 2;
	}
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 1024) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
		perror("mock-provider: listen");
		return 1;
	}
	epfd = epoll_create1(0);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &(struct epoll_event){ .events = EPOLLIN, .data.u32 = MAX_CONNS }) != 0) {
		perror("mock-provider: epoll");
		return 1;
	}
	printf("listening http://127.0.0.1:%d\n", ntohs(addr.sin_port));
	fflush(stdout);

	for (;;) {
		struct epoll_event events[256];
		long long wait_ms = -1;
		int n;

		if (q_head < q_tail) {   /* rounded up: a reply is never sent before it is due */
			long long wait_us = queue[q_head].at_us - now_us();

			wait_ms = wait_us > 0 ? (wait_us + 999) / 1000 : 0;
		}
		n = epoll_wait(epfd, events, 256, (int)wait_ms);
		if (n < 0 && errno != EINTR) {
			perror("mock-provider: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			unsigned slot = events[i].data.u32;

			if (slot == MAX_CONNS) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					int s = 0;

					while (s < MAX_CONNS && conns[s].fd >= 0)
						s++;
					if (s == MAX_CONNS) {
						close(fd);
						continue;
					}
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					conns[s].fd = fd;
					epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event){ .events = EPOLLIN, .data.u32 = (unsigned)s });
				}
				continue;
			}
			if (conns[slot].fd >= 0 && conn_read(&conns[slot], (int)slot, latency_ms) != 0)
				conn_close(epfd, &conns[slot]);
		}
		for (long long now = now_us(); q_head < q_tail && queue[q_head].at_us <= now; q_head++) {
			struct due d = queue[q_head];
			struct conn *c = &conns[d.slot];

			if (c->fd < 0 || c->generation != d.generation)
				continue;
			c->owes = 0;
			if (send_reply(c, ++replies) != 0)
				conn_close(epfd, c);
		}
	}
}
