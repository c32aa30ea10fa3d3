/*
 * A streaming multipart/form-data parser (RFC 7578 over RFC 2046): the body is fed in chunks of
 * any size and the parts come out through a sink as they are read, so a 50 MB file never sits in
 * memory. Pure: no I/O, no allocation, fixed-size state; fuzzed by tests/fuzz/fuzz-multipart.c and
 * unit-tested in tests/unit/test-multipart.c.
 *
 * Strict where it costs nothing: lines end in CRLF, part headers are bounded in length and
 * number, every part has `Content-Disposition: form-data; name=...`, at most VIDEOS_MP_PARTS_MAX
 * parts, and the body must end with the closing delimiter. The preamble and epilogue are ignored;
 * the filename and a part's Content-Type are not passed on (the program judges files by their
 * bytes).
 */
#ifndef VIDEOS_MULTIPART_H
#define VIDEOS_MULTIPART_H

#include <stddef.h>

#include "error.h"

#define VIDEOS_MP_BOUNDARY_MAX 70      /* RFC 2046 */
#define VIDEOS_MP_LINE_MAX 1024        /* one part header line, without its CRLF */
#define VIDEOS_MP_HEADERS_MAX 8        /* header lines in one part */
#define VIDEOS_MP_PARTS_MAX 8
#define VIDEOS_MP_NAME_MAX 64          /* bytes of a part's name */

/* What the sink learns of a part before its content. */
struct videos_mp_part {
	char name[VIDEOS_MP_NAME_MAX + 1];
	int has_filename;                /* filename= or filename*= was given */
};

/* The sink: any error it returns stops the parser and comes back from videos_mp_feed. */
struct videos_mp_sink {
	astral_err (*begin)(void *ctx, const struct videos_mp_part *part);
	astral_err (*data)(void *ctx, const unsigned char *buf, size_t len);
	astral_err (*end)(void *ctx);
};

enum videos_mp_state {
	VIDEOS_MP_PREAMBLE,
	VIDEOS_MP_AFTER_DELIMITER,
	VIDEOS_MP_CLOSE_DASH,
	VIDEOS_MP_PADDING,
	VIDEOS_MP_DELIMITER_LF,
	VIDEOS_MP_HEADERS,
	VIDEOS_MP_HEADER_LF,
	VIDEOS_MP_DATA,
	VIDEOS_MP_EPILOGUE,
	VIDEOS_MP_FAILED
};

struct videos_multipart {
	enum videos_mp_state state;
	char delimiter[4 + VIDEOS_MP_BOUNDARY_MAX + 1];   /* CRLF "--" boundary */
	size_t delimiter_len;
	size_t match;                    /* bytes of the delimiter matched so far */
	char line[VIDEOS_MP_LINE_MAX + 1];
	size_t line_len;
	int headers;                     /* header lines of the current part */
	int parts;
	int has_disposition;
	struct videos_mp_part part;
	const struct videos_mp_sink *sink;
	void *ctx;
	astral_err error;                /* what a failed parser keeps answering */
	int sink_failed;                 /* the error came from the sink */
	const char *problem;             /* the parser's own reason, for the client; NULL otherwise */
};

/* The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not; other
   parameters ignored), into out (at least VIDEOS_MP_BOUNDARY_MAX + 1 bytes). INVALID for another
   media type, a missing, empty, too long or badly formed boundary, or malformed parameters. */
astral_err videos_mp_boundary(const char *content_type, char *out, size_t outlen) ASTRAL_MUST_USE;

/* Start parsing a body with this boundary (as videos_mp_boundary returned it). */
void videos_mp_init(struct videos_multipart *mp, const char *boundary, const struct videos_mp_sink *sink,
                    void *ctx);
/* Feed the next bytes. INVALID (mp->problem says why) for a malformed body, or the sink's error;
   after an error every call returns it again. */
astral_err videos_mp_feed(struct videos_multipart *mp, const unsigned char *buf, size_t len) ASTRAL_MUST_USE;
/* The body has ended: INVALID unless the closing delimiter was read. */
astral_err videos_mp_finish(struct videos_multipart *mp) ASTRAL_MUST_USE;

#endif
