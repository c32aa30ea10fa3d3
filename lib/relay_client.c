#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "publisher.h"
#include "relay_client.h"
#include "relay_datagram.h"

/* A relay that could not be reached is tried again after this long. */
#define RETRY_AFTER_MS 1000

static _Thread_local struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int64_t failed_at_ms;     /* 0: no failure to wait out */
} relay = { .fd = -1 };

void
astral_relay_disconnect(void)
{
	if (relay.fd >= 0)
		close(relay.fd);
	relay.fd = -1;
	relay.path[0] = '\0';
	relay.failed_at_ms = 0;
}

static void
fail(void)
{
	if (relay.fd >= 0)
		close(relay.fd);
	relay.fd = -1;
	relay.failed_at_ms = astral_clock_monotonic_ms();
}

static astral_err
relay_connect(const char *path)
{
	struct sockaddr_un sun;
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(sun.sun_path))
		return ASTRAL_ERR_CONFIG;
	if (relay.fd >= 0 && strcmp(relay.path, path) == 0)
		return ASTRAL_OK;
	if (strcmp(relay.path, path) == 0 && relay.failed_at_ms != 0 &&
	    astral_clock_monotonic_ms() - relay.failed_at_ms < RETRY_AFTER_MS)
		return ASTRAL_ERR_IO;
	astral_relay_disconnect();
	memcpy(relay.path, path, len + 1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len + 1);
	relay.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (relay.fd < 0 || connect(relay.fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fail();
		return ASTRAL_ERR_IO;
	}
	return ASTRAL_OK;
}

astral_err
astral_relay_send(const char *path, const char *channel, const char *body, size_t body_len)
{
	struct iovec iov[3];
	struct msghdr msg;
	astral_err err;

	if (!astral_publisher_token_valid(channel) || body == NULL || body_len == 0 ||
	    body_len > ASTRAL_RELAY_BODY_MAX)
		return ASTRAL_ERR_INVALID;
	err = relay_connect(path);
	if (err != ASTRAL_OK)
		return err;
	iov[0].iov_base = (void *)(uintptr_t)channel;   /* sendmsg does not write through them */
	iov[0].iov_len = strlen(channel);
	iov[1].iov_base = (void *)(uintptr_t)"\n";
	iov[1].iov_len = 1;
	iov[2].iov_base = (void *)(uintptr_t)body;
	iov[2].iov_len = body_len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 3;
	if (sendmsg(relay.fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return ASTRAL_OK;
	/* EAGAIN: the relay's queue is full (it is behind, or stopped with its socket kept by systemd);
	   the socket stays, the next event tries again. Anything else (ECONNREFUSED: nobody reads
	   the socket any more) drops it for a second. */
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		fail();
	return ASTRAL_ERR_IO;
}
