/*
 * What a video file is, decided by its first bytes and nothing else (never the name or the type
 * a client declares). Pure: no I/O, no allocation; unit-tested in tests/unit/test-sniff.c.
 *
 *   MP4  an ISO BMFF `ftyp` box at offset 0 (its type at offset 4), complete within the bytes
 *        given, whose major brand or one of whose compatible brands is in the allow-list.
 *   WebM an EBML header (1A 45 DF A3) whose DocType element says "webm" (Matroska's "matroska"
 *        is not WebM and is refused).
 */
#ifndef VIDEOS_SNIFF_H
#define VIDEOS_SNIFF_H

#include <stddef.h>

/* How much of the start of a file the sniffer wants (it decides on less when the file is shorter). */
#define VIDEOS_SNIFF_BYTES 4096

enum videos_kind {
	VIDEOS_KIND_UNKNOWN = 0,
	VIDEOS_KIND_MP4,
	VIDEOS_KIND_WEBM
};

enum videos_kind videos_sniff(const unsigned char *buf, size_t len);
/* "video/mp4", "video/webm"; NULL for VIDEOS_KIND_UNKNOWN. */
const char *videos_kind_mime(enum videos_kind kind);

#endif
