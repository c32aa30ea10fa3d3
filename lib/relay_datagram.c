#include <string.h>

#include "publisher.h"
#include "relay_datagram.h"

astral_err
astral_relay_datagram_parse(const char *buf, size_t len, struct astral_relay_event *out)
{
	size_t scan = len < sizeof(out->channel) ? len : sizeof(out->channel);
	const char *nl = buf != NULL ? memchr(buf, '\n', scan) : NULL;
	size_t clen;

	memset(out, 0, sizeof(*out));
	if (nl == NULL)
		return ASTRAL_ERR_INVALID;
	clen = (size_t)(nl - buf);
	if (memchr(buf, '\0', clen) != NULL)
		return ASTRAL_ERR_INVALID;             /* the channel would be read shorter than sent */
	memcpy(out->channel, buf, clen);
	out->channel[clen] = '\0';
	out->body = nl + 1;
	out->body_len = len - clen - 1;
	if (!astral_publisher_token_valid(out->channel) || out->body_len == 0 ||
	    out->body_len > ASTRAL_RELAY_BODY_MAX) {
		memset(out, 0, sizeof(*out));
		return ASTRAL_ERR_INVALID;
	}
	return ASTRAL_OK;
}
