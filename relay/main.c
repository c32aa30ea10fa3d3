/*
 * astral-relay: takes the programs' real-time events from a Unix datagram socket ([realtime]
 * relay_socket; lib/relay_client.h) and sends them to nchan's publisher ([realtime] publish_url)
 * on one kept HTTP/1.1 connection, many requests in one write, reading the answers as they come.
 *
 * Why: a program that publishes an event itself writes a request, waits, and reads the answer,
 * and nginx wakes for each; a send in a conversation publishes two. Handed to the relay, an event
 * costs the program one system call, and nginx reads a batch of requests on one wake-up
 * (docs/peer-support.md, "What a message send costs").
 *
 * What it keeps: events in the order they came, until nchan has answered each. A connection that
 * ends takes nothing with it: the requests not answered are written again on the next one. What it
 * may lose: events that came while its queue was full (the publisher unreachable for long), and
 * those held when it stops. Nothing a person wrote is lost with them: PostgreSQL holds it, and
 * clients fetch what they missed (docs/architecture.md, "Real time").
 *
 * The socket is fd 0 when systemd hands it over (astral-relay.socket); otherwise the relay binds
 * relay_socket itself (mode 0600: only the service user's programs may write to it).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "outbox.h"
#include "publisher.h"
#include "relay_datagram.h"

/* The most bytes of requests held while the publisher is slow or away (some 20,000 events). */
#define OUTBOX_LIMIT (16u << 20)
/* Datagrams taken per recvmmsg. */
#define BATCH 16
/* Waits between attempts to reach the publisher: the first at once, then doubling to this. */
#define RECONNECT_MAX_MS 2000
/* On TERM: how long the events still held may take to go out. */
#define DRAIN_MS 1000

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

struct relay {
	const struct astral_config *cfg;
	char host[64], port[8], path[256];
	int in;                        /* the datagram socket */
	int out;                       /* the connection to the publisher, or -1 */
	struct outbox box;
	char answers[ASTRAL_PUBLISHER_HEAD_MAX + 1024];
	size_t answers_len;
	int64_t last_write_ms;
	int64_t reconnect_at_ms;       /* when to try the publisher again; 0: now */
	int64_t reconnect_wait_ms;
	unsigned long refused, dropped, failed;   /* counted, logged once a second */
	int64_t last_report_ms;
};

/* The socket systemd handed over on fd 0, or relay_socket bound here. -1 on failure (logged). */
static int
open_socket(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int type = 0, fd;
	socklen_t tlen = sizeof(type);

	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_DGRAM) {
		fd = 0;
	} else {
		if (strlen(path) >= sizeof(sun.sun_path)) {
			astral_log(ASTRAL_LOG_ERROR, "relay_socket %s is too long for a socket address", path);
			return -1;
		}
		/* A socket left by an earlier relay that did not stop cleanly; never any other file. */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path) + 1);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0600) < 0) {
			astral_log(ASTRAL_LOG_ERROR, "cannot listen on %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	/* How many datagrams wait here while the relay sleeps out relay_batch_ms is the kernel's
	   net.unix.max_dgram_qlen (10 by default; astral-relay(8) says how to raise it), not a buffer
	   size: past it, programs publish themselves. */
	return fd;
}

static void
disconnect(struct relay *r)
{
	if (r->out >= 0)
		close(r->out);
	r->out = -1;
	r->answers_len = 0;
	outbox_rewind(&r->box);
}

/* Connect when there is something to send and the wait after a failure is over. */
static void
maybe_connect(struct relay *r, int64_t now)
{
	astral_err err;

	if (r->out >= 0 || outbox_count(&r->box) == 0 || now < r->reconnect_at_ms)
		return;
	err = astral_publisher_open(r->host, r->port, &r->out);
	if (err == ASTRAL_OK) {
		r->reconnect_wait_ms = 0;
		return;
	}
	r->reconnect_wait_ms = r->reconnect_wait_ms == 0 ? 100 : r->reconnect_wait_ms * 2;
	if (r->reconnect_wait_ms > RECONNECT_MAX_MS)
		r->reconnect_wait_ms = RECONNECT_MAX_MS;
	r->reconnect_at_ms = now + r->reconnect_wait_ms;
	astral_log(ASTRAL_LOG_WARN, "cannot reach the publisher at %s:%s (%s); %zu events wait", r->host, r->port,
	           astral_strerror(err), outbox_count(&r->box));
}

/* One datagram: an event into the queue as its request. */
static void
take(struct relay *r, const char *dgram, size_t len)
{
	char head[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX];
	struct astral_relay_event ev;
	int n;

	if (astral_relay_datagram_parse(dgram, len, &ev) != ASTRAL_OK ||
	    (n = astral_publisher_format_head(head, sizeof(head), "POST", r->host, r->port, r->path, ev.channel,
	                                      ev.body_len)) < 0) {
		r->refused++;
		return;
	}
	if (outbox_add(&r->box, head, (size_t)n, ev.body, ev.body_len) != 0)
		r->dropped++;
}

/* Every datagram waiting on the socket. */
static void
take_all(struct relay *r)
{
	static char bufs[BATCH][ASTRAL_RELAY_DATAGRAM_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int n;

	do {
		memset(msgs, 0, sizeof(msgs));
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(r->in, msgs, BATCH, MSG_DONTWAIT, NULL);
		for (int i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
				r->refused++;
			else
				take(r, bufs[i], msgs[i].msg_len);
		}
	} while (n == BATCH);
}

/* A new batch may be written: relay_batch_ms has passed since the last one began, or the relay
   is stopping and writes what it holds at once. */
static int
batch_due(const struct relay *r, int64_t now)
{
	return stopping || now - r->last_write_ms >= r->cfg->rt_relay_batch_ms;
}

/* Write what is waiting: a new batch at most once per relay_batch_ms; the rest of a request
   already begun at once. */
static void
write_out(struct relay *r, int64_t now)
{
	size_t len;
	const char *p = outbox_unwritten(&r->box, &len);
	ssize_t n;

	if (r->out < 0 || len == 0)
		return;
	if (!outbox_mid_request(&r->box)) {
		if (!batch_due(r, now))
			return;
		r->last_write_ms = now;
	}
	while (len > 0) {
		n = send(r->out, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				disconnect(r);
			return;
		}
		outbox_wrote(&r->box, (size_t)n);
		p += n;
		len -= (size_t)n;
	}
}

/* Read nchan's answers and forget the requests they answer. */
static void
read_answers(struct relay *r)
{
	struct astral_publisher_head head;
	ssize_t n;

	for (;;) {
		n = recv(r->out, r->answers + r->answers_len, sizeof(r->answers) - r->answers_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			disconnect(r);                 /* closed or broken: the unanswered go again */
			return;
		}
		if (n < 0)
			return;
		r->answers_len += (size_t)n;
		while (r->answers_len > 0) {
			size_t whole;

			if (memmem(r->answers, r->answers_len, "\r\n\r\n", 4) == NULL) {
				if (r->answers_len >= ASTRAL_PUBLISHER_HEAD_MAX)
					goto broken;
				break;                       /* the rest of the head is still to come */
			}
			if (astral_publisher_parse_head(r->answers, r->answers_len, &head) != ASTRAL_OK ||
			    head.content_length < 0 || outbox_in_flight(&r->box) == 0)
				goto broken;
			whole = head.head_len + (size_t)head.content_length;
			if (whole > sizeof(r->answers))
				goto broken;
			if (r->answers_len < whole)
				break;                       /* the body is still to come */
			/* 201: stored for subscribers to come; 202: stored, nobody listening; 200: delivered. */
			if (head.status != 200 && head.status != 201 && head.status != 202)
				r->failed++;
			outbox_answered(&r->box);
			memmove(r->answers, r->answers + whole, r->answers_len - whole);
			r->answers_len -= whole;
			if (!head.keep_alive) {
				disconnect(r);             /* nginx reads nothing more on this connection */
				return;
			}
		}
	}
broken:
	astral_log(ASTRAL_LOG_WARN, "the publisher's answer could not be read; reconnecting");
	disconnect(r);
}

static void
report(struct relay *r, int64_t now)
{
	if (now - r->last_report_ms < 1000)
		return;
	r->last_report_ms = now;
	if (r->refused > 0)
		astral_log(ASTRAL_LOG_WARN, "%lu datagrams were not events and were dropped", r->refused);
	if (r->dropped > 0)
		astral_log(ASTRAL_LOG_WARN, "%lu events were dropped: %zu are waiting for the publisher", r->dropped,
		           outbox_count(&r->box));
	if (r->failed > 0)
		astral_log(ASTRAL_LOG_WARN, "the publisher refused %lu events", r->failed);
	r->refused = r->dropped = r->failed = 0;
}

/* How long poll may sleep: until the reconnect wait or the batch window ends, when one matters;
   a second while anything is held or to be reported; else until a datagram comes. */
static int
sleep_ms(const struct relay *r, int64_t now)
{
	size_t unwritten;
	int64_t until = -1;

	(void)outbox_unwritten(&r->box, &unwritten);
	if (r->out < 0 && outbox_count(&r->box) > 0)
		until = r->reconnect_at_ms;
	else if (r->out >= 0 && unwritten > 0 && !outbox_mid_request(&r->box))
		until = r->last_write_ms + r->cfg->rt_relay_batch_ms;
	if (until >= 0)
		return until <= now ? 0 : (int)(until - now);
	return outbox_count(&r->box) > 0 || r->refused + r->dropped + r->failed > 0 ? 1000 : -1;
}

/* Wait for room to write: a request is half-written, or a batch is due. */
static int
wants_to_write(const struct relay *r, int64_t now)
{
	size_t unwritten;

	(void)outbox_unwritten(&r->box, &unwritten);
	return unwritten > 0 && (outbox_mid_request(&r->box) || batch_due(r, now));
}

/* The loop. After each batch it sleeps out relay_batch_ms without looking at either socket, so
   events and answers that come meanwhile are taken in one wake-up each; an idle relay waits on
   both sockets, and the first event after a quiet spell goes out at once. */
static int
run(struct relay *r)
{
	int64_t drain_until = 0;

	for (;;) {
		struct pollfd fds[2];
		int64_t now = astral_clock_monotonic_ms();
		int nfds = 1;

		if (stopping && drain_until == 0) {
			drain_until = now + DRAIN_MS;
			take_all(r);                   /* what programs sent before the stop, then no more */
		}
		if (stopping && (outbox_count(&r->box) == 0 || now >= drain_until))
			break;
		maybe_connect(r, now);
		write_out(r, now);
		report(r, now);
		if (!batch_due(r, now) && !outbox_mid_request(&r->box)) {
			int64_t wait = r->last_write_ms + r->cfg->rt_relay_batch_ms - now;

			(void)poll(NULL, 0, stopping && wait > 50 ? 50 : (int)wait);
			continue;
		}
		fds[0].fd = stopping ? -1 : r->in;
		fds[0].events = POLLIN;
		if (r->out >= 0) {
			fds[1].fd = r->out;
			fds[1].events = POLLIN | (wants_to_write(r, now) ? POLLOUT : 0);
			nfds = 2;
		}
		if (poll(fds, (nfds_t)nfds, stopping ? 50 : sleep_ms(r, now)) < 0) {
			if (errno == EINTR)
				continue;
			astral_log(ASTRAL_LOG_ERROR, "poll: %s", strerror(errno));
			return 1;
		}
		if (fds[0].fd >= 0 && (fds[0].revents & POLLIN))
			take_all(r);
		if (nfds == 2 && r->out >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_answers(r);
	}
	if (outbox_count(&r->box) > 0)
		astral_log(ASTRAL_LOG_WARN, "stopping with %zu events not published", outbox_count(&r->box));
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: astral-relay [-c CONFIG] [-n] [--version]\n"
	                "  -c CONFIG  configuration file (default " ASTRAL_SYSCONFDIR "/astral.conf)\n"
	                "  -n         check the configuration and exit\n");
}

int
main(int argc, char **argv)
{
	const char *config = ASTRAL_SYSCONFDIR "/astral.conf";
	struct astral_config cfg;
	struct relay r;
	struct sigaction sa;
	char err[512] = "";
	int check_only = 0, status = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("astral-relay %s\n", PACKAGE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-n") == 0) {
			check_only = 1;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	astral_log_init("astral-relay", ASTRAL_LOG_INFO);
	memset(&cfg, 0, sizeof(cfg));
	memset(&r, 0, sizeof(r));
	r.in = r.out = -1;
	if (astral_config_load(config, &cfg, err, sizeof(err)) != ASTRAL_OK) {
		fprintf(stderr, "astral-relay: %s\n", err);
		astral_log(ASTRAL_LOG_ERROR, "%s", err);
		return 1;
	}
	astral_log_init("astral-relay", (enum astral_log_level)cfg.log_level);
	if (cfg.rt_transport != ASTRAL_RT_NCHAN || strcmp(cfg.rt_relay_socket, "off") == 0) {
		fprintf(stderr, "astral-relay: nothing to relay: [realtime] %s\n",
		        cfg.rt_transport != ASTRAL_RT_NCHAN ? "transport is polling" : "relay_socket is off");
		goto out;
	}
	if (astral_publisher_parse_url(cfg.rt_publish_url, r.host, sizeof(r.host), r.port, sizeof(r.port), r.path,
	                               sizeof(r.path)) != ASTRAL_OK || !astral_publisher_host_is_loopback(r.host)) {
		fprintf(stderr, "astral-relay: [realtime] publish_url is not a numeric loopback http:// URL\n");
		goto out;
	}
	if (check_only) {
		printf("astral-relay: configuration OK\n");
		status = 0;
		goto out;
	}
	r.cfg = &cfg;
	r.in = open_socket(cfg.rt_relay_socket);
	if (r.in < 0)
		goto out;
	outbox_init(&r.box, OUTBOX_LIMIT);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	astral_log(ASTRAL_LOG_INFO, "relaying events from %s to http://%s:%s%s/<channel>, %lld ms batches",
	           r.in == 0 ? "the socket systemd gave" : cfg.rt_relay_socket, r.host, r.port, r.path,
	           cfg.rt_relay_batch_ms);
	status = run(&r);
	disconnect(&r);
	outbox_free(&r.box);
	if (r.in > 0)
		close(r.in);
out:
	astral_config_free(&cfg);
	return status;
}
