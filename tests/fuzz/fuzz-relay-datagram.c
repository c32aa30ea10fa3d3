/* libFuzzer target for the datagram a program hands the real-time relay (lib/relay_datagram.c):
   the input is one datagram, not NUL-terminated. An accepted one has a channel that is a token
   and is exactly the bytes before the first '\n', and a body of 1..ASTRAL_RELAY_BODY_MAX bytes
   that is the rest of the input; a refused one gives INVALID and an event of zeroes.
   (The publisher's answer head, the relay's other input, is fuzzed in fuzz-request.c.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/publisher.h"
#include "../../lib/relay_datagram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct astral_relay_event ev, zero;
	const char *nl = size > 0 ? memchr(buf, '\n', size) : NULL;
	astral_err rc;
	size_t clen;

	memset(&ev, 0x5a, sizeof(ev));
	memset(&zero, 0, sizeof(zero));
	rc = astral_relay_datagram_parse(buf, size, &ev);
	if (rc != ASTRAL_OK) {
		if (rc != ASTRAL_ERR_INVALID || memcmp(&ev, &zero, sizeof(ev)) != 0)
			abort();
		return 0;
	}
	if (nl == NULL || memchr(ev.channel, '\0', sizeof(ev.channel)) == NULL ||
	    !astral_publisher_token_valid(ev.channel))
		abort();
	clen = (size_t)(nl - buf);
	if (strlen(ev.channel) != clen || memcmp(ev.channel, buf, clen) != 0)
		abort();                                   /* the channel is the bytes sent, all of them */
	if (ev.body != nl + 1 || ev.body_len < 1 || ev.body_len > ASTRAL_RELAY_BODY_MAX ||
	    ev.body + ev.body_len != buf + size)
		abort();
	return 0;
}
