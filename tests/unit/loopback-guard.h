/*
 * A connect() for test programs that open sockets through libastral: the executable's
 * definition comes before libc's, so the library's calls land here. Loopback addresses are
 * passed to the kernel; any other address is refused (ENETUNREACH) and counted, so a test can
 * never send traffic off the host and can tell whether a connection was attempted at all.
 */
#ifndef ASTRAL_TEST_LOOPBACK_GUARD_H
#define ASTRAL_TEST_LOOPBACK_GUARD_H

extern int connect_calls;         /* connect() calls that reached the kernel */
extern int connect_refused;       /* connect() calls to a non-loopback address, refused here */

#endif
