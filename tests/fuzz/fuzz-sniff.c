/* libFuzzer target for the video sniffer of cgi-bin/videos (sniff.c), which reads the first
   bytes of a client's upload: at most VIDEOS_SNIFF_BYTES, as upload.c holds back. Prefixes are
   sniffed from buffers of exactly their length, so that a read past one is caught (every prefix
   to 64 bytes, then every 64th, and the last eight). The verdict is one of the three kinds, has a
   MIME type unless unknown, and once a prefix is MP4 or WebM every longer prefix is the same: the
   sniffer decides on a box or header complete within the bytes given, which later bytes cannot
   change. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgi-bin/videos/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum videos_kind
fuzz_sniff_prefix(const uint8_t *data, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);
	enum videos_kind kind;

	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	kind = videos_sniff(copy, len);
	free(copy);
	if (kind != VIDEOS_KIND_UNKNOWN && kind != VIDEOS_KIND_MP4 && kind != VIDEOS_KIND_WEBM)
		abort();
	if ((videos_kind_mime(kind) == NULL) != (kind == VIDEOS_KIND_UNKNOWN))
		abort();
	return kind;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum videos_kind first = VIDEOS_KIND_UNKNOWN;

	if (size > VIDEOS_SNIFF_BYTES)
		size = VIDEOS_SNIFF_BYTES;
	for (size_t len = 0; len <= size; len++) {
		enum videos_kind kind;

		/* Every prefix up to 64 bytes, then every 64th, and the last eight. */
		if (len > 64 && len % 64 != 0 && len + 8 < size)
			continue;
		kind = fuzz_sniff_prefix(data, len);

		if (first != VIDEOS_KIND_UNKNOWN && kind != first)
			abort();
		if (first == VIDEOS_KIND_UNKNOWN)
			first = kind;
	}
	if (videos_sniff(NULL, size) != VIDEOS_KIND_UNKNOWN)
		abort();
	return 0;
}
