#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "publisher.h"

#define CONNECT_TIMEOUT_MS 500
#define RESPONSE_TIMEOUT_MS 1000

/* The thread's one connection to the publisher, and the address it was opened to. */
static _Thread_local struct {
	int fd;
	char host[64];
	char port[8];
} kept = { .fd = -1 };

/* How one request-response exchange on a connection ended. */
enum exchange {
	EXCHANGE_DONE,     /* a status was read */
	EXCHANGE_STALE,    /* the peer was gone: sending failed, or it closed before any byte of an answer */
	EXCHANGE_FAILED    /* timeout, malformed or cut answer: the connection's state is unknown */
};

/* ---- parsers ---- */

astral_err
astral_publisher_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen, char *path,
                           size_t pathlen)
{
	static const char scheme[] = "http://";
	const char *h, *colon, *slash;
	size_t n;

	if (url == NULL || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return ASTRAL_ERR_INVALID;
	h = url + sizeof(scheme) - 1;
	slash = strchr(h, '/');
	if (slash == NULL)
		return ASTRAL_ERR_INVALID;
	if (*h == '[') {                                   /* [::1]:8091 */
		const char *close = memchr(h, ']', (size_t)(slash - h));

		if (close == NULL || close[1] != ':')
			return ASTRAL_ERR_INVALID;
		n = (size_t)(close - h - 1);
		if (n == 0 || n >= hostlen)
			return ASTRAL_ERR_INVALID;
		memcpy(host, h + 1, n);
		host[n] = '\0';
		colon = close + 1;
	} else {
		colon = memchr(h, ':', (size_t)(slash - h));
		if (colon == NULL)
			return ASTRAL_ERR_INVALID;
		n = (size_t)(colon - h);
		if (n == 0 || n >= hostlen)
			return ASTRAL_ERR_INVALID;
		memcpy(host, h, n);
		host[n] = '\0';
	}
	n = (size_t)(slash - colon - 1);
	if (n == 0 || n > 5 || n >= portlen || strspn(colon + 1, "0123456789") < n)
		return ASTRAL_ERR_INVALID;
	memcpy(port, colon + 1, n);
	port[n] = '\0';
	{
		long number = strtol(port, NULL, 10);

		if (number < 1 || number > 65535)
			return ASTRAL_ERR_INVALID;
	}
	n = strlen(slash);
	if (n >= pathlen || strpbrk(slash, " \r\n?#@") != NULL)
		return ASTRAL_ERR_INVALID;
	memcpy(path, slash, n + 1);
	{
		unsigned char addr[sizeof(struct in6_addr)];

		if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1)
			return ASTRAL_ERR_INVALID;             /* numeric addresses only */
	}
	return ASTRAL_OK;
}

astral_err
astral_publisher_parse_status(const char *buf, size_t len, int *status)
{
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
		return ASTRAL_ERR_INVALID;
	for (int i = 9; i < 12; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return ASTRAL_ERR_INVALID;
	if (len > 12 && buf[12] != ' ' && buf[12] != '\r')
		return ASTRAL_ERR_INVALID;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return *status >= 100 ? ASTRAL_OK : ASTRAL_ERR_INVALID;
}

/* A header name's characters (RFC 9110 token). */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* name[0..len) is the header `want` (lower case), in any case. */
static int
name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* Content-Length: one run of digits, at most ASTRAL_PUBLISHER_BODY_MAX. */
static astral_err
parse_content_length(const char *value, size_t len, long *out)
{
	long n = 0;

	if (len == 0)
		return ASTRAL_ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			return ASTRAL_ERR_INVALID;
		n = n * 10 + (value[i] - '0');
		if (n > ASTRAL_PUBLISHER_BODY_MAX)
			return ASTRAL_ERR_TOO_LARGE;           /* checked per digit: no overflow */
	}
	*out = n;
	return ASTRAL_OK;
}

/* The comma-separated Connection value names "close". */
static int
connection_says_close(const char *value, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		start = i;
		while (i < len && value[i] != ',')
			i++;
		end = i;
		while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
			end--;
		if (name_is(value + start, end - start, "close"))
			return 1;
	}
	return 0;
}

astral_err
astral_publisher_parse_head(const char *buf, size_t len, struct astral_publisher_head *out)
{
	const char *end, *line, *eol;
	size_t limit = len < ASTRAL_PUBLISHER_HEAD_MAX ? len : ASTRAL_PUBLISHER_HEAD_MAX;
	long length = -1;
	int status, http11, transfer_encoding = 0, close = 0;
	astral_err err;

	if (buf == NULL || out == NULL)
		return ASTRAL_ERR_INVALID;
	end = memmem(buf, limit, "\r\n\r\n", 4);           /* the blank line ends at end + 4 */
	if (end == NULL)
		return ASTRAL_ERR_INVALID;
	eol = memmem(buf, (size_t)(end + 2 - buf), "\r\n", 2);
	if (memchr(buf, '\0', (size_t)(eol - buf)) != NULL || memchr(buf, '\r', (size_t)(eol - buf)) != NULL ||
	    memchr(buf, '\n', (size_t)(eol - buf)) != NULL ||
	    astral_publisher_parse_status(buf, (size_t)(eol - buf), &status) != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	http11 = buf[7] == '1';
	for (line = eol + 2; eol != end; line = eol + 2) {
		const char *colon, *value;
		size_t n, vlen;

		eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		n = (size_t)(eol - line);
		if (memchr(line, '\0', n) != NULL || memchr(line, '\r', n) != NULL || memchr(line, '\n', n) != NULL)
			return ASTRAL_ERR_INVALID;
		colon = memchr(line, ':', n);
		if (colon == NULL || colon == line)
			return ASTRAL_ERR_INVALID;             /* no name (a folded line starts with a space) */
		for (const char *c = line; c < colon; c++)
			if (!is_tchar((unsigned char)*c))
				return ASTRAL_ERR_INVALID;
		value = colon + 1;
		vlen = (size_t)(eol - value);
		while (vlen > 0 && (*value == ' ' || *value == '\t')) {
			value++;
			vlen--;
		}
		while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
			vlen--;
		if (name_is(line, (size_t)(colon - line), "content-length")) {
			if (length >= 0)
				return ASTRAL_ERR_INVALID;     /* repeated: which one frames the body? */
			err = parse_content_length(value, vlen, &length);
			if (err != ASTRAL_OK)
				return err;
		} else if (name_is(line, (size_t)(colon - line), "transfer-encoding")) {
			transfer_encoding = 1;
		} else if (name_is(line, (size_t)(colon - line), "connection")) {
			close |= connection_says_close(value, vlen);
		}
	}
	out->status = status;
	out->head_len = (size_t)(end - buf) + 4;
	if (status < 200 || status == 204 || status == 304)
		out->content_length = 0;                       /* no body, whatever the headers say */
	else if (transfer_encoding)
		out->content_length = -1;                      /* framed by the encoding: read to the end */
	else
		out->content_length = length;
	out->keep_alive = http11 && !close && !transfer_encoding && status >= 200 && out->content_length >= 0;
	return ASTRAL_OK;
}

/* ---- the connection ---- */

static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return memcmp(&in6->sin6_addr, &in6addr_loopback, sizeof(in6addr_loopback)) == 0;
	}
	return 0;
}

bool
astral_publisher_host_is_loopback(const char *host)
{
	struct addrinfo hints, *ai = NULL;
	bool yes;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
		return false;
	yes = is_loopback(ai->ai_addr);
	freeaddrinfo(ai);
	return yes;
}

static int
ms_left(int64_t deadline)
{
	int64_t left = deadline - astral_clock_monotonic_ms();

	return left > 0 ? (int)left : 0;
}

/* The socket is ready for `events` (or in error) within timeout_ms. */
static int
wait_for(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int rc;

	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	return rc == 1;
}

void
astral_publisher_disconnect(void)
{
	if (kept.fd >= 0)
		close(kept.fd);
	kept.fd = -1;
	kept.host[0] = kept.port[0] = '\0';
}

astral_err
astral_publisher_open(const char *host, const char *port, int *out)
{
	struct addrinfo hints, *ai = NULL;
	astral_err err = ASTRAL_ERR_IO;
	int fd = -1, one = 1, soerr = 0;
	socklen_t slen = sizeof(soerr);

	*out = -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL)
		return ASTRAL_ERR_CONFIG;
	if (!is_loopback(ai->ai_addr)) {
		err = ASTRAL_ERR_CONFIG;                       /* the publisher must never leave the host */
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
	if (fd < 0)
		goto out;
	/* One write per request already; no Nagle wait behind a delayed ACK on a kept connection. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		goto out;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS || !wait_for(fd, POLLOUT, CONNECT_TIMEOUT_MS) ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0 || soerr != 0)
			goto out;
	}
	*out = fd;
	fd = -1;
	err = ASTRAL_OK;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return err;
}

/* Open the kept connection to host:port (numeric, loopback only). */
static astral_err
publisher_connect(const char *host, const char *port)
{
	astral_err err = astral_publisher_open(host, port, &kept.fd);

	if (err == ASTRAL_OK) {
		snprintf(kept.host, sizeof(kept.host), "%s", host);   /* both as long as the parsed URL's buffers */
		snprintf(kept.port, sizeof(kept.port), "%s", port);
	}
	return err;
}

/* An idle kept connection has nothing to read: no stray bytes, no end of stream, no error. */
static int
idle_connection_is_clean(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&pfd, 1, 0);
	} while (rc < 0 && errno == EINTR);
	return rc == 0;
}

/* Send the iovecs whole (non-blocking socket), with one system call when the socket takes it. */
static enum exchange
send_request(int fd, struct iovec *iov, int iovcnt, int64_t deadline)
{
	while (iovcnt > 0) {
		struct msghdr msg;
		ssize_t n;

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)iovcnt;
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_for(fd, POLLOUT, ms_left(deadline)))
				return EXCHANGE_FAILED;
			continue;
		}
		if (n <= 0)
			return EXCHANGE_STALE;                 /* EPIPE, ECONNRESET: the peer is gone */
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return EXCHANGE_DONE;
}

/* Read one response: the head, then exactly Content-Length body bytes when the connection is to
   be kept. *reusable tells whether it may carry the next request. */
static enum exchange
read_response(int fd, int64_t deadline, int *status, int *reusable)
{
	char buf[ASTRAL_PUBLISHER_HEAD_MAX];
	struct astral_publisher_head head;
	size_t got = 0, in_buf;
	long left;

	*reusable = 0;
	for (;;) {
		size_t from = got > 3 ? got - 3 : 0;
		ssize_t n;

		if (!wait_for(fd, POLLIN, ms_left(deadline)))
			return EXCHANGE_FAILED;                /* silence */
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return got == 0 ? EXCHANGE_STALE : EXCHANGE_FAILED;
		got += (size_t)n;
		if (memcmp(buf, "HTTP/1.", got < 7 ? got : 7) != 0)
			return EXCHANGE_FAILED;                /* not HTTP: do not wait for more */
		if (memmem(buf + from, got - from, "\r\n\r\n", 4) != NULL)
			break;
		if (got == sizeof(buf))
			return EXCHANGE_FAILED;                /* head too large */
	}
	if (astral_publisher_parse_head(buf, got, &head) != ASTRAL_OK)
		return EXCHANGE_FAILED;
	*status = head.status;
	if (!head.keep_alive)
		return EXCHANGE_DONE;                          /* the caller closes: nothing more to read */
	in_buf = got - head.head_len;
	if (in_buf > (size_t)head.content_length)
		return EXCHANGE_DONE;                          /* bytes after the body: not reusable */
	left = head.content_length - (long)in_buf;
	while (left > 0) {
		char sink[512];
		ssize_t n;

		if (!wait_for(fd, POLLIN, ms_left(deadline)))
			return EXCHANGE_FAILED;
		n = recv(fd, sink, (size_t)left < sizeof(sink) ? (size_t)left : sizeof(sink), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0)
			return EXCHANGE_FAILED;                /* the body was cut */
		left -= (long)n;
	}
	*reusable = 1;
	return EXCHANGE_DONE;
}

bool
astral_publisher_token_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= ASTRAL_PUBLISHER_TOKEN_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int
astral_publisher_format_head(char *buf, size_t cap, const char *method, const char *host, const char *port,
                             const char *path, const char *channel, size_t body_len)
{
	int v6 = strchr(host, ':') != NULL;
	int n;

	if (!astral_publisher_token_valid(method) || !astral_publisher_token_valid(channel))
		return -1;
	n = snprintf(buf, cap,
	             "%s %s/%s HTTP/1.1\r\nHost: %s%s%s:%s\r\nContent-Type: application/json\r\n"
	             "Content-Length: %zu\r\n\r\n",
	             method, path, channel, v6 ? "[" : "", host, v6 ? "]" : "", port, body_len);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

astral_err
astral_publisher_request(const char *publish_url, const char *method, const char *channel, const char *body,
                         size_t body_len, int *status)
{
	char host[64], port[8], path[256], head[ASTRAL_PUBLISHER_REQUEST_HEAD_MAX];
	astral_err err;
	int n;

	if (astral_publisher_parse_url(publish_url, host, sizeof(host), port, sizeof(port), path, sizeof(path)) !=
	    ASTRAL_OK)
		return ASTRAL_ERR_CONFIG;
	if (body == NULL)
		body_len = 0;
	n = astral_publisher_format_head(head, sizeof(head), method, host, port, path, channel, body_len);
	if (n < 0)
		return ASTRAL_ERR_INVALID;
	if (kept.fd >= 0 && (strcmp(kept.host, host) != 0 || strcmp(kept.port, port) != 0 ||
	                     !idle_connection_is_clean(kept.fd)))
		astral_publisher_disconnect();
	for (;;) {
		struct iovec iov[2];
		int fresh = kept.fd < 0, reusable = 0;
		int64_t deadline;
		enum exchange ex;

		if (fresh && (err = publisher_connect(host, port)) != ASTRAL_OK)
			break;
		iov[0].iov_base = head;
		iov[0].iov_len = (size_t)n;
		iov[1].iov_base = (void *)(uintptr_t)body;     /* sendmsg does not write through it */
		iov[1].iov_len = body_len;
		deadline = astral_clock_monotonic_ms() + RESPONSE_TIMEOUT_MS;
		ex = send_request(kept.fd, iov, body_len > 0 ? 2 : 1, deadline);
		if (ex == EXCHANGE_DONE)
			ex = read_response(kept.fd, deadline, status, &reusable);
		if (ex == EXCHANGE_DONE) {
			if (!reusable)
				astral_publisher_disconnect();
			err = ASTRAL_OK;
			break;
		}
		astral_publisher_disconnect();
		if (ex == EXCHANGE_FAILED || fresh) {
			err = ASTRAL_ERR_IO;
			break;
		}
		/* A kept connection the peer had closed (keepalive_timeout, keepalive_requests): nothing of
		   an answer arrived, so the request goes again, once, on a new connection. */
	}
	return err;
}
