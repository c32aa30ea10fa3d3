/* Content type by magic bytes: see sniff.h. */
#include <stdint.h>
#include <string.h>

#include "sniff.h"

/* ISO BMFF brands a browser plays as video/mp4 (QuickTime's "qt  " is not among them). */
static const char mp4_brands[][4] = {
	{ 'i', 's', 'o', 'm' }, { 'i', 's', 'o', '2' }, { 'i', 's', 'o', '3' }, { 'i', 's', 'o', '4' },
	{ 'i', 's', 'o', '5' }, { 'i', 's', 'o', '6' }, { 'm', 'p', '4', '1' }, { 'm', 'p', '4', '2' },
	{ 'a', 'v', 'c', '1' }, { 'a', 'v', '0', '1' }, { 'M', '4', 'V', ' ' }, { 'M', '4', 'V', 'H' },
	{ 'M', '4', 'V', 'P' }, { 'd', 'a', 's', 'h' }, { 'c', 'm', 'f', 'c' }, { 'm', 'm', 'p', '4' },
	{ 'M', 'S', 'N', 'V' },
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
mp4_brand_allowed(const unsigned char *b)
{
	for (size_t i = 0; i < sizeof(mp4_brands) / sizeof(mp4_brands[0]); i++)
		if (memcmp(b, mp4_brands[i], 4) == 0)
			return 1;
	return 0;
}

/* ftyp: size(4) "ftyp" major_brand(4) minor_version(4) compatible_brands(4 each). */
static int
is_mp4(const unsigned char *buf, size_t len)
{
	uint32_t size;

	if (len < 16 || memcmp(buf + 4, "ftyp", 4) != 0)
		return 0;
	size = be32(buf);
	if (size < 16 || size > len || (size - 16) % 4 != 0)
		return 0;
	if (mp4_brand_allowed(buf + 8))
		return 1;
	for (uint32_t off = 16; off < size; off += 4)
		if (mp4_brand_allowed(buf + off))
			return 1;
	return 0;
}

/* An EBML variable-length integer at buf[*pos]: its length is one plus the leading zero bits of
   the first byte (at most max_len). With keep_marker the length bit stays (element IDs);
   otherwise it is removed (sizes), and an all-ones size ("unknown") is refused. */
static int
ebml_vint(const unsigned char *buf, size_t len, size_t *pos, size_t max_len, int keep_marker, uint64_t *out)
{
	unsigned char first;
	size_t n = 1;
	uint64_t v;
	int all_ones;

	if (*pos >= len)
		return 0;
	first = buf[*pos];
	while (n <= 8 && !(first & (0x80 >> (n - 1))))
		n++;
	if (n > max_len || *pos + n > len)
		return 0;
	v = keep_marker ? first : (first & (0xFFu >> n));
	all_ones = v == (0xFFu >> n);
	for (size_t i = 1; i < n; i++) {
		v = v << 8 | buf[*pos + i];
		all_ones = all_ones && buf[*pos + i] == 0xFF;
	}
	if (!keep_marker && all_ones)
		return 0;
	*pos += n;
	*out = v;
	return 1;
}

#define EBML_HEADER_ID 0x1A45DFA3u
#define EBML_DOCTYPE_ID 0x4282u

/* The EBML header's children are walked until DocType; its value (trailing NULs allowed, as
   EBML strings may be padded) must be "webm". */
static int
is_webm(const unsigned char *buf, size_t len)
{
	size_t pos = 0, end;
	uint64_t id, size;

	if (!ebml_vint(buf, len, &pos, 4, 1, &id) || id != EBML_HEADER_ID)
		return 0;
	if (!ebml_vint(buf, len, &pos, 8, 0, &size) || size > len - pos)
		return 0;
	end = pos + (size_t)size;
	while (pos < end) {
		if (!ebml_vint(buf, end, &pos, 4, 1, &id) || !ebml_vint(buf, end, &pos, 8, 0, &size) ||
		    size > end - pos)
			return 0;
		if (id == EBML_DOCTYPE_ID) {
			size_t n = (size_t)size;

			while (n > 0 && buf[pos + n - 1] == '\0')
				n--;
			return n == 4 && memcmp(buf + pos, "webm", 4) == 0;
		}
		pos += (size_t)size;
	}
	return 0;
}

enum videos_kind
videos_sniff(const unsigned char *buf, size_t len)
{
	if (buf == NULL)
		return VIDEOS_KIND_UNKNOWN;
	if (is_mp4(buf, len))
		return VIDEOS_KIND_MP4;
	if (is_webm(buf, len))
		return VIDEOS_KIND_WEBM;
	return VIDEOS_KIND_UNKNOWN;
}

const char *
videos_kind_mime(enum videos_kind kind)
{
	switch (kind) {
	case VIDEOS_KIND_MP4:
		return "video/mp4";
	case VIDEOS_KIND_WEBM:
		return "video/webm";
	case VIDEOS_KIND_UNKNOWN:
		break;
	}
	return NULL;
}
