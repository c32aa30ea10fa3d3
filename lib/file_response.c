/* A file as the answer: see file_response.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byte_range.h"
#include "file_response.h"
#include "log.h"

#define FILE_CHUNK (64 * 1024)

void
astral_file_response_drop(struct astral_request *req)
{
	if (req->has_file) {
		close(req->file_fd);
		req->has_file = 0;
		req->file_fd = -1;
	}
}

astral_err
astral_respond_file(struct astral_request *req, const char *path, const char *content_type)
{
	const char *range = FCGX_GetParam("HTTP_RANGE", req->fcgx->envp);
	const char *if_range = FCGX_GetParam("HTTP_IF_RANGE", req->fcgx->envp);
	size_t tlen = strlen(content_type);
	long long first = 0, last = -1;
	enum astral_byte_range kind;
	char value[96];
	struct stat st;
	astral_err err = ASTRAL_OK;
	int fd = -1;

	if (tlen == 0 || tlen >= sizeof(req->file_type) || strpbrk(content_type, "\r\n") != NULL)
		return ASTRAL_ERR_INVALID;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err = errno == ENOENT ? ASTRAL_ERR_NOT_FOUND : ASTRAL_ERR_IO;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		err = ASTRAL_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	kind = if_range != NULL ? ASTRAL_RANGE_WHOLE
	                        : astral_byte_range_parse(range, (long long)st.st_size, &first, &last);
	if (kind == ASTRAL_RANGE_UNSATISFIABLE) {
		snprintf(value, sizeof(value), "bytes */%lld", (long long)st.st_size);
		astral_header(req, "Content-Range", value);
		astral_respond_error(req, 416, "range_not_satisfiable", "The range asked for starts past the end.");
		goto out;                           /* closes fd: nothing to send */
	}
	astral_header(req, "Accept-Ranges", "bytes");
	if (kind == ASTRAL_RANGE_PART) {
		snprintf(value, sizeof(value), "bytes %lld-%lld/%lld", first, last, (long long)st.st_size);
		astral_header(req, "Content-Range", value);
		astral_respond(req, 206, NULL);
	} else {
		first = 0;
		last = (long long)st.st_size - 1;
		astral_respond(req, 200, NULL);
	}
	memcpy(req->file_type, content_type, tlen + 1);
	req->file_first = first;
	req->file_last = last;
	req->file_fd = fd;
	req->has_file = 1;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

void
astral_file_response_write_body(struct astral_request *req)
{
	FCGX_Stream *out = req->fcgx->out;
	long long at = req->file_first, end = req->file_last + 1;
	char buf[FILE_CHUNK];

	while (at < end) {
		size_t want = end - at < (long long)sizeof(buf) ? (size_t)(end - at) : sizeof(buf);
		ssize_t n = pread(req->file_fd, buf, want, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The file shrank or could not be read: the client sees a short answer. */
			astral_log(ASTRAL_LOG_ERROR, "reading the answer's file failed at byte %lld: %s", at,
			           n < 0 ? strerror(errno) : "unexpected end of file");
			return;
		}
		if (FCGX_PutStr(buf, (int)n, out) < 0) {
			astral_log(ASTRAL_LOG_WARN, "the file answer could not be written (the client went away?)");
			return;
		}
		at += n;
	}
}
