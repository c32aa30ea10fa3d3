/*
 * The connection to nchan's publisher on loopback (realtime.publish_url).
 *
 * A FastCGI program serves one request at a time, and a request publishes its events one after
 * another, so each process keeps one HTTP/1.1 keep-alive connection to the publisher and sends
 * every request over it: no TCP connect and close per event in the program, nor accept and close
 * in nginx. The connection is opened on the first request, replaced when the publish URL names
 * another address or port, and closed whenever its state is not known to be clean (a timeout, a
 * malformed answer, a response that ends with the connection). A connection that nginx closed
 * while idle (keepalive_timeout, keepalive_requests) is noticed before or while sending, and the
 * request goes again, once, on a fresh connection.
 *
 * Numeric loopback addresses only: any other address is a configuration error and nothing is sent.
 * The connection is process state: call from one thread at a time.
 */
#ifndef ASTRAL_PUBLISHER_H
#define ASTRAL_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Longest response head read (status line and headers, through the blank line). */
#define ASTRAL_PUBLISHER_HEAD_MAX 4096
/* Longest response body read (nchan answers with about 100 bytes of text/plain). */
#define ASTRAL_PUBLISHER_BODY_MAX 65536

struct astral_publisher_head {
	int status;               /* 100..999 */
	size_t head_len;          /* bytes through the CRLFCRLF that ends the head */
	long content_length;      /* the body's length: Content-Length, 0 for 1xx/204/304 where HTTP says
	                             so, -1 when the body runs to the end of the connection */
	bool keep_alive;          /* the connection may carry the next request once the body is read */
};

/* Parse the response head at the start of buf[0..len) (bytes after the head are ignored). Status
   line "HTTP/1.0" or "HTTP/1.1", three digits; header names case-insensitive; lines end in CRLF.
   keep_alive is true only for HTTP/1.1 with a known body length (Content-Length, or a status
   without a body), no Transfer-Encoding, no "close" in Connection, and a status of 200 or more.
   INVALID: no CRLFCRLF within ASTRAL_PUBLISHER_HEAD_MAX, a bad status line, a malformed header
   line, a Content-Length that is repeated or not all digits. TOO_LARGE: a Content-Length over
   ASTRAL_PUBLISHER_BODY_MAX. */
astral_err astral_publisher_parse_head(const char *buf, size_t len, struct astral_publisher_head *out)
	ASTRAL_MUST_USE;

/* The status code of an HTTP/1.x status line ("HTTP/1.1 204 No Content\r\n..."). */
astral_err astral_publisher_parse_status(const char *buf, size_t len, int *status) ASTRAL_MUST_USE;

/* "http://127.0.0.1:8091/rt/pub" → host, port, path. INVALID for anything else (https, names,
   user info, a missing path, ports outside 1..65535). */
astral_err astral_publisher_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen,
                                      char *path, size_t pathlen) ASTRAL_MUST_USE;

/* Longest method or channel id (letters, digits, '.', '_' and '-'). */
#define ASTRAL_PUBLISHER_TOKEN_MAX 128
/* Room for a request head: the request line with the URL's path and a channel, Host, and the
   two fixed headers. */
#define ASTRAL_PUBLISHER_REQUEST_HEAD_MAX 768

/* A method or channel id fit for the request line: 1 to ASTRAL_PUBLISHER_TOKEN_MAX of
   [A-Za-z0-9._-]. */
bool astral_publisher_token_valid(const char *s);

/* The head of one request to the publisher: METHOD <path>/<channel> HTTP/1.1, Host, a JSON
   Content-Type and Content-Length; its length, or -1 when method or channel is not a token or the
   head does not fit in cap. */
int astral_publisher_format_head(char *buf, size_t cap, const char *method, const char *host, const char *port,
                                 const char *path, const char *channel, size_t body_len);

/* host is a numeric loopback address (127.0.0.0/8, ::1): the only place the publisher may be. */
bool astral_publisher_host_is_loopback(const char *host);

/* Open a TCP connection to host:port (numeric, loopback only), non-blocking, TCP_NODELAY; the
   connect waits at most 500 ms. CONFIG: not a numeric loopback address. IO: refused or timed out. */
astral_err astral_publisher_open(const char *host, const char *port, int *fd) ASTRAL_MUST_USE;

/* One request to the publisher: METHOD <url path>/<channel>, with body (may be NULL) sent as
   application/json; *status gets the HTTP status of the answer. CONFIG: the URL is unusable or
   not a loopback address (nothing is sent). INVALID: a method or channel outside [A-Za-z0-9._-].
   IO: no connection, a timeout (connect 500 ms, answer 1 s), or a malformed or cut answer. */
astral_err astral_publisher_request(const char *publish_url, const char *method, const char *channel,
                                    const char *body, size_t body_len, int *status) ASTRAL_MUST_USE;

/* Close the kept connection, if any (the next request opens a new one). */
void astral_publisher_disconnect(void);

#endif
