/*
 * Socket helpers for the tests that run a fake HTTP peer on loopback (test-publisher,
 * test-realtime).
 */
#ifndef ASTRAL_TEST_SOCKET_H
#define ASTRAL_TEST_SOCKET_H

/* fd has something to read (or is closed) within timeout_ms. */
int test_wait_readable(int fd, int timeout_ms);
/* Send all of s, stopping quietly when the peer is gone. */
void test_send_all(int fd, const char *s);

#endif
