#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "realtime.h"

#define CONNECT_TIMEOUT_MS 500
#define RESPONSE_TIMEOUT_MS 1000

void
astral_rt_user_channel(const char *user_id, char *buf, size_t len)
{
	snprintf(buf, len, "user-%s", user_id);
}

astral_err
astral_rt_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen, char *path,
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
astral_rt_parse_status(const char *buf, size_t len, int *status)
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

/* Send all of buf (non-blocking socket). */
static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_for(fd, POLLOUT, RESPONSE_TIMEOUT_MS))
				return 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

/* One request to the loopback publisher (body may be NULL); *status gets the HTTP status. */
static astral_err
publisher_request(const char *publish_url, const char *method, const char *channel, const char *body,
                  size_t body_len, int *status)
{
	char host[64], port[8], path[256], request[512], response[256];
	struct addrinfo hints, *ai = NULL;
	astral_err err = ASTRAL_ERR_IO;
	size_t got = 0;
	int fd = -1, n, soerr = 0;
	socklen_t slen = sizeof(soerr);

	if (astral_rt_parse_url(publish_url, host, sizeof(host), port, sizeof(port), path, sizeof(path)) != ASTRAL_OK)
		return ASTRAL_ERR_CONFIG;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL)
		return ASTRAL_ERR_CONFIG;
	if (!is_loopback(ai->ai_addr)) {
		err = ASTRAL_ERR_CONFIG;                       /* the publisher must never leave the host */
		goto out;
	}
	n = snprintf(request, sizeof(request),
	             "%s %s/%s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
	             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	             method, path, channel, host, port, body != NULL ? body_len : 0);
	if (n < 0 || (size_t)n >= sizeof(request)) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto out;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS || !wait_for(fd, POLLOUT, CONNECT_TIMEOUT_MS) ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0 || soerr != 0)
			goto out;
	}
	if (!send_all(fd, request, (size_t)n) || (body != NULL && !send_all(fd, body, body_len)))
		goto out;
	while (got < sizeof(response) - 1 && wait_for(fd, POLLIN, RESPONSE_TIMEOUT_MS)) {
		ssize_t r = recv(fd, response + got, sizeof(response) - 1 - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(response, '\n', got) != NULL)
			break;
	}
	err = astral_rt_parse_status(response, got, status);
	if (err != ASTRAL_OK)
		err = ASTRAL_ERR_IO;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return err;
}

astral_err
astral_rt_close_user(const struct astral_app *app, const char *user_id)
{
	char channel[64];
	int status = 0;
	astral_err err;

	astral_rt_user_channel(user_id, channel, sizeof(channel));
	err = publisher_request(app->cfg.rt_publish_url, "DELETE", channel, NULL, 0, &status);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_WARN, "closing a real-time channel failed: %s", astral_strerror(err));
		return err;
	}
	/* 200/204: closed; 404: nobody was subscribed. */
	return status == 200 || status == 204 || status == 404 ? ASTRAL_OK : ASTRAL_ERR_IO;
}

/* Publish one event (a JSON object) to the user's channel now. A failure is logged and
   returned; after COMMIT nobody needs more (the data is in PostgreSQL; clients resync). */
static astral_err
publish(const struct astral_app *app, const char *user_id, struct json_object *event)
{
	char channel[64];
	const char *text;
	size_t len = 0;
	int status = 0;
	astral_err err;

	astral_rt_user_channel(user_id, channel, sizeof(channel));
	text = json_object_to_json_string_length(event, JSON_C_TO_STRING_PLAIN, &len);
	if (text == NULL)
		return ASTRAL_ERR_NOMEM;
	err = publisher_request(app->cfg.rt_publish_url, "POST", channel, text, len, &status);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_WARN, "publishing a real-time event failed: %s", astral_strerror(err));
		return err;
	}
	/* 201: stored for subscribers to come; 202: stored, nobody listening now; 200: delivered. */
	if (status != 200 && status != 201 && status != 202) {
		astral_log(ASTRAL_LOG_WARN, "the real-time publisher answered %d", status);
		return ASTRAL_ERR_IO;
	}
	return ASTRAL_OK;
}

void
astral_rt_after_commit(struct astral_request *req, const char *user_id, struct json_object *event)
{
	struct json_object *entry;

	if (user_id == NULL || event == NULL) {
		json_object_put(event);
		return;
	}
	if (req->rt_events == NULL)
		req->rt_events = json_object_new_array();
	entry = json_object_new_object();
	if (req->rt_events == NULL || entry == NULL) {
		json_object_put(entry);
		json_object_put(event);
		return;
	}
	json_object_object_add(entry, "user", json_object_new_string(user_id));
	json_object_object_add(entry, "event", event);
	json_object_array_add(req->rt_events, entry);
}

void
astral_rt_publish_pending(struct astral_request *req)
{
	size_t n;

	if (req->rt_events == NULL)
		return;
	n = json_object_array_length(req->rt_events);
	for (size_t i = 0; i < n; i++) {
		struct json_object *entry = json_object_array_get_idx(req->rt_events, i);
		struct json_object *user = NULL, *event = NULL;

		if (json_object_object_get_ex(entry, "user", &user) && json_object_object_get_ex(entry, "event", &event))
			(void)publish(req->app, json_object_get_string(user), event);
	}
	json_object_put(req->rt_events);
	req->rt_events = NULL;
}
