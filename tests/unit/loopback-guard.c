#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loopback-guard.h"

/* glibc declares connect() with a transparent union under _GNU_SOURCE. */
#if defined(__USE_GNU) && defined(__GNUC__)
#define SOCKADDR_PTR(a) ((a).__sockaddr__)
#else
#define SOCKADDR_PTR(a) (a)
#endif

int connect_calls;
int connect_refused;

static int
address_is_loopback(const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;

		memcpy(&in, sa, sizeof(in));
		return (ntohl(in.sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;

		memcpy(&in6, sa, sizeof(in6));
		return memcmp(&in6.sin6_addr, &in6addr_loopback, sizeof(in6addr_loopback)) == 0;
	}
	return 0;
}

int
connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	const struct sockaddr *sa = SOCKADDR_PTR(addr);

	if (sa == NULL || !address_is_loopback(sa, len)) {
		connect_refused++;
		errno = ENETUNREACH;
		return -1;
	}
	connect_calls++;
	return (int)syscall(SYS_connect, fd, sa, len);
}
