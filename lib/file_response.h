/*
 * A file as the answer, sent by the program itself: for a front end without X-Accel-Redirect
 * (Apache; [media] delivery = program). One Range request is honoured (lib/byte_range.h). The
 * file is opened while the handler runs and its bytes are written by astral_response_send after
 * COMMIT, so no transaction stays open while a slow client downloads.
 */
#ifndef ASTRAL_FILE_RESPONSE_H
#define ASTRAL_FILE_RESPONSE_H

#include "error.h"
#include "http.h"

/* Answer with the regular file at `path` (not followed if a symbolic link) as `content_type`
   (under 80 bytes, no CR/LF): 200 with every byte, 206 with the one range asked for (Range, unless
   If-Range is sent: this answer carries no validator to match), or a JSON 416 with
   `Content-Range: bytes * / size` when the range starts past the end. A later astral_respond*
   replaces the file answer. Errors (no response set): NOT_FOUND when there is no such file,
   INVALID for a bad content type, IO, INTERNAL when the path is not a regular file. */
astral_err astral_respond_file(struct astral_request *req, const char *path, const char *content_type)
	ASTRAL_MUST_USE;

/* astral_response_send's part for a file answer, after the head it writes: the bytes. A client
   that goes away ends it early (logged). */
void astral_file_response_write_body(struct astral_request *req);

/* Close the answer's file, if any (a replaced answer, the end of the request). */
void astral_file_response_drop(struct astral_request *req);

#endif
