/*
 * Socket helpers for the tests that run a fake HTTP peer on loopback (test-publisher,
 * test-realtime, test-ai-provider).
 */
#ifndef ASTRAL_TEST_SOCKET_H
#define ASTRAL_TEST_SOCKET_H

#include <stddef.h>

/* fd has something to read (or is closed) within timeout_ms. */
int test_wait_readable(int fd, int timeout_ms);
/* Send all of s, stopping quietly when the peer is gone. */
void test_send_all(int fd, const char *s);
/* Read one HTTP request (head, then Content-Length bytes of body, the header name in any case)
   into buf, NUL-terminated; 0 at end of stream or after 3 s of silence. */
int test_read_http_request(int fd, char *buf, size_t cap);

#endif
