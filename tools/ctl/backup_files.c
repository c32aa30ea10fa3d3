/* The files of a backup set: their SHA-256, copying them in and out, and the clock that times it
   (which names a set may hold is backup_manifest_check.c's). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "backup_set.h"

#define BACKUP_COPY_BUFFER (256 * 1024)

void
backup_hex(const unsigned char *bytes, size_t n, char *hex)
{
	static const char hexdigits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = hexdigits[bytes[i] >> 4];
		hex[2 * i + 1] = hexdigits[bytes[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

/* Writes all of buf to fd. 0 on success, -1 with errno set. */
static int
backup_write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads fd to its end, hashing it and, when out_fd >= 0, writing it there. 0 or -1 (errno). */
static int
backup_stream(int fd, int out_fd, char hex[2 * ASTRAL_SHA256_LEN + 1], long long *size)
{
	unsigned char digest[ASTRAL_SHA256_LEN];
	unsigned char *buf = malloc(BACKUP_COPY_BUFFER);
	unsigned int dlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = -1, saved = ENOMEM;

	*size = 0;
	if (buf == NULL || md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, BACKUP_COPY_BUFFER);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
			saved = EIO;
			goto out;
		}
		if (out_fd >= 0 && backup_write_all(out_fd, buf, (size_t)n) != 0) {
			saved = errno;
			goto out;
		}
		*size += n;
	}
	if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != ASTRAL_SHA256_LEN) {
		saved = EIO;
		goto out;
	}
	backup_hex(digest, ASTRAL_SHA256_LEN, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	free(buf);
	if (rc != 0)
		errno = saved;
	return rc;
}

/* Opens a regular file for reading without following a symbolic link; -1 with errno otherwise. */
static int
backup_open_regular(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EINVAL;
	else
		return fd;
	close(fd);
	errno = saved;
	return -1;
}

int
backup_file_sha256(int dirfd, const char *name, char hex[2 * ASTRAL_SHA256_LEN + 1], long long *size)
{
	int fd = backup_open_regular(dirfd, name), rc, saved;

	if (fd < 0)
		return -1;
	rc = backup_stream(fd, -1, hex, size);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
backup_file_copy(int src_dirfd, const char *src_name, int dst_dirfd, const char *dst_name, unsigned mode,
                 int chown_to_dir, char hex[2 * ASTRAL_SHA256_LEN + 1], long long *size)
{
	struct stat dir_st;
	int in = -1, out_fd = -1, created = 0, rc = -1, saved = 0;

	in = backup_open_regular(src_dirfd, src_name);
	if (in < 0) {
		saved = errno;
		goto out;
	}
	out_fd = openat(dst_dirfd, dst_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
	if (out_fd < 0) {
		saved = errno;
		goto out;
	}
	created = 1;
	if (fchmod(out_fd, (mode_t)mode) != 0 ||
	    (chown_to_dir && (fstat(dst_dirfd, &dir_st) != 0 || fchown(out_fd, dir_st.st_uid, dir_st.st_gid) != 0)) ||
	    backup_stream(in, out_fd, hex, size) != 0 || fsync(out_fd) != 0) {
		saved = errno;
		goto out;
	}
	if (close(out_fd) != 0) {
		out_fd = -1;
		saved = errno;
		goto out;
	}
	out_fd = -1;
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out_fd >= 0)
		close(out_fd);
	if (rc != 0 && created)
		(void)unlinkat(dst_dirfd, dst_name, 0);
	if (rc != 0)
		errno = saved;
	return rc;
}

double
backup_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
backup_write_new_file(int dirfd, const char *dir_path, const char *name, const char *text, size_t len)
{
	size_t off = 0;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		goto io;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io;
	if (close(fd) != 0) {
		fd = -1;
		goto io;
	}
	fd = -1;
	if (fsync(dirfd) != 0)
		goto io;
	return 0;
io:
	astralctl_error("cannot write %s/%s: %s", dir_path, name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int
backup_read_small_file(int dirfd, const char *name, const char *where, size_t max, char **text, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf = NULL;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

	*text = NULL;
	*len = 0;
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 || fstat(fd, &st) != 0) {
		astralctl_error("cannot read %s: %s", where, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (unsigned long long)st.st_size > max) {
		astralctl_error("%s: not a regular file of 1 to %zu bytes", where, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		astralctl_error("out of memory reading %s", where);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			astralctl_error("cannot read %s: %s", where, n < 0 ? strerror(errno) : "it became shorter");
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}
