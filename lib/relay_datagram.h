/*
 * One real-time event on its way from a program to the relay (relay/astral-relay.c): a Unix
 * datagram "<channel>\n<body>", where channel is the channel id the publisher's URL ends with and
 * body the event's JSON text. A datagram is one event: the kernel keeps its bounds, so no length
 * prefix is needed, and a program never waits for an answer.
 */
#ifndef ASTRAL_RELAY_DATAGRAM_H
#define ASTRAL_RELAY_DATAGRAM_H

#include <stddef.h>

#include "error.h"
#include "publisher.h"

/* The largest body carried (an event is a few hundred bytes; a message at most 4,000 characters). */
#define ASTRAL_RELAY_BODY_MAX 65536
/* The largest datagram: a channel id, '\n', a body. */
#define ASTRAL_RELAY_DATAGRAM_MAX (ASTRAL_PUBLISHER_TOKEN_MAX + 1 + ASTRAL_RELAY_BODY_MAX)

struct astral_relay_event {
	char channel[ASTRAL_PUBLISHER_TOKEN_MAX + 1];   /* NUL-terminated */
	const char *body;    /* inside the datagram */
	size_t body_len;
};

/* Read a datagram. INVALID: no '\n' within the first ASTRAL_PUBLISHER_TOKEN_MAX + 1 bytes, a
   channel that is not a token of [A-Za-z0-9._-] (astral_publisher_token_valid; a NUL in it
   included), an empty body or one over ASTRAL_RELAY_BODY_MAX. */
astral_err astral_relay_datagram_parse(const char *buf, size_t len, struct astral_relay_event *out)
	ASTRAL_MUST_USE;

#endif
