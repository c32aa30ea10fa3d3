/*
 * The Range request header (RFC 9110 §14.2) against a file of known size, for the answers a
 * program sends itself (lib/file_response.c). One range is served; several ranges, another unit
 * or a malformed header are ignored (the whole file, 200), which the RFC allows.
 */
#ifndef ASTRAL_BYTE_RANGE_H
#define ASTRAL_BYTE_RANGE_H

enum astral_byte_range {
	ASTRAL_RANGE_WHOLE,          /* no usable Range: send every byte with 200 */
	ASTRAL_RANGE_PART,           /* send bytes *first..*last (inclusive) with 206 */
	ASTRAL_RANGE_UNSATISFIABLE,  /* 416, Content-Range: bytes * / size */
};

/* header: the Range value ("bytes=0-99", "bytes=100-", "bytes=-100"), NULL or "" when absent;
   size: the file's length in bytes (>= 0). *first and *last are set for ASTRAL_RANGE_PART only. */
enum astral_byte_range astral_byte_range_parse(const char *header, long long size, long long *first,
                                               long long *last);

#endif
