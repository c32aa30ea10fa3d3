/*
 * A program's side of the relay ([realtime] relay_socket): an event is handed over in one
 * datagram (lib/relay_datagram.h) and the program goes on; the relay (relay/astral-relay.c) sends
 * events to nchan's publisher many at a time on one connection. Handing over costs one system call
 * where a publish of its own costs a request, a wait and a response in both the program and nginx.
 *
 * The socket is process state, opened at the first event and kept; after a failure it is tried
 * again at most once a second, and the caller publishes the event itself meanwhile (lib/realtime.c).
 * Call from one thread at a time.
 */
#ifndef ASTRAL_RELAY_CLIENT_H
#define ASTRAL_RELAY_CLIENT_H

#include <stddef.h>

#include "error.h"

/* Hand one event for `channel` to the relay listening on the Unix datagram socket `path`, without
   waiting. INVALID: channel or body unfit for a datagram (nothing is sent). CONFIG: a path that
   cannot be a socket's (empty, or over 107 bytes; the configuration check refuses it). IO: no relay there
   (no socket, nobody reading it, or tried and failed less than a second ago), or its queue is full:
   the caller sends the event another way. */
astral_err astral_relay_send(const char *path, const char *channel, const char *body, size_t body_len)
	ASTRAL_MUST_USE;

/* Forget the socket (tests; a program never needs it). */
void astral_relay_disconnect(void);

#endif
