/*
 * The relay's queue: the HTTP requests for the publisher, in the order their events came, from
 * the moment an event is taken until nchan has answered its request. Requests are kept as the
 * bytes written to the connection; `written` of them have gone out. When a connection ends, the
 * ones not answered go again on the next (outbox_rewind): nginx answers a kept connection's last
 * request (keepalive_requests) with "Connection: close" and reads no further, so those were never
 * published.
 */
#ifndef ASTRAL_RELAY_OUTBOX_H
#define ASTRAL_RELAY_OUTBOX_H

#include <stddef.h>

struct outbox {
	char *buf;
	size_t start, len, cap;      /* the requests held: buf[start .. start + len) */
	size_t written;              /* bytes of them written to the current connection */
	size_t whole, whole_bytes;   /* the requests written entire (the oldest ones), and their bytes */
	size_t *sizes;               /* each request's length, oldest first: sizes[first .. first + count) */
	size_t first, count, sizes_cap;
	size_t limit;                /* the most bytes held; an event that would pass it is refused */
};

void outbox_init(struct outbox *o, size_t limit);
void outbox_free(struct outbox *o);
/* Append one request (head then body). 0, or -1 when it would pass the limit or memory ran out
   (nothing is added). */
int outbox_add(struct outbox *o, const char *head, size_t head_len, const char *body, size_t body_len);
/* The bytes not yet written to the connection. */
const char *outbox_unwritten(const struct outbox *o, size_t *len);
void outbox_wrote(struct outbox *o, size_t n);
/* Requests written entire and not yet answered. */
size_t outbox_in_flight(const struct outbox *o);
/* The oldest written request was answered: forget it. */
void outbox_answered(struct outbox *o);
/* The connection ended: every request not answered is to be written again. */
void outbox_rewind(struct outbox *o);
size_t outbox_count(const struct outbox *o);
/* A request is written in part: the rest must follow before anything else. */
int outbox_mid_request(const struct outbox *o);

#endif
