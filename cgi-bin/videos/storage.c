/*
 * The video directory: see videos.h. A file goes through three names: none (it does not exist
 * yet), ".upload-<random>" while the body is read, and the video id once its row is in. Every
 * failure removes what was written; a worker killed in the middle leaves a ".upload-" file that
 * `astralctl media sweep` removes once it is an hour old (nginx has buffered the whole body before
 * a worker reads it, so no live upload is that old).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "random.h"
#include "videos.h"

#define TMP_PREFIX ".upload-"

astral_err
videos_store_prepare(const char *dir)
{
	int dirfd = -1;
	astral_err err = ASTRAL_ERR_CONFIG;

	if (dir == NULL || dir[0] != '/') {
		astral_log(ASTRAL_LOG_ERROR, "media.video_dir must be an absolute path");
		goto out;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		astral_log(ASTRAL_LOG_ERROR, "media.video_dir %s cannot be opened: %s (create it, owned by the "
		           "service user, readable by nginx's group)", dir, strerror(errno));
		goto out;
	}
	if (faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "media.video_dir %s is not writable by this user", dir);
		goto out;
	}
	err = ASTRAL_OK;
out:
	if (dirfd >= 0)
		close(dirfd);
	return err;
}

void
videos_file_init(struct videos_file *f)
{
	f->dirfd = -1;
	f->fd = -1;
	f->tmpname[0] = '\0';
}

astral_err
videos_file_create(struct videos_file *f, const char *dir)
{
	unsigned char raw[12];
	size_t used;
	astral_err err;

	videos_file_init(f);
	err = astral_random_bytes(raw, sizeof(raw));
	if (err != ASTRAL_OK)
		return err;
	used = (size_t)snprintf(f->tmpname, sizeof(f->tmpname), "%s", TMP_PREFIX);
	for (size_t i = 0; i < sizeof(raw); i++)
		used += (size_t)snprintf(f->tmpname + used, sizeof(f->tmpname) - used, "%02x", raw[i]);
	f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		astral_log(ASTRAL_LOG_ERROR, "cannot open the video directory: %s", strerror(errno));
		f->tmpname[0] = '\0';
		return ASTRAL_ERR_IO;
	}
	f->fd = openat(f->dirfd, f->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (f->fd < 0) {
		astral_log(ASTRAL_LOG_ERROR, "cannot create a file in the video directory: %s", strerror(errno));
		f->tmpname[0] = '\0';
		videos_file_close(f);
		return ASTRAL_ERR_IO;
	}
	/* Whatever the umask: nginx's workers read the file through their group. */
	if (fchmod(f->fd, 0640) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "cannot set the mode of an uploaded file: %s", strerror(errno));
		videos_file_close(f);
		return ASTRAL_ERR_IO;
	}
	return ASTRAL_OK;
}

astral_err
videos_file_write(struct videos_file *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			astral_log(ASTRAL_LOG_ERROR, "cannot write an uploaded file: %s", n < 0 ? strerror(errno) : "short write");
			return ASTRAL_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return ASTRAL_OK;
}

astral_err
videos_file_publish(struct videos_file *f, const char *id)
{
	if (f->fd < 0 || f->tmpname[0] == '\0' || !astral_uuid_valid(id))
		return ASTRAL_ERR_INTERNAL;
	if (fsync(f->fd) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "cannot sync an uploaded file: %s", strerror(errno));
		return ASTRAL_ERR_IO;
	}
	if (renameat2(f->dirfd, f->tmpname, f->dirfd, id, RENAME_NOREPLACE) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "cannot rename an uploaded file: %s", strerror(errno));
		return ASTRAL_ERR_IO;
	}
	f->tmpname[0] = '\0';
	if (fsync(f->dirfd) != 0)
		astral_log(ASTRAL_LOG_WARN, "cannot sync the video directory: %s", strerror(errno));
	return ASTRAL_OK;
}

void
videos_file_unpublish(struct videos_file *f, const char *id)
{
	if (f->dirfd < 0 || !astral_uuid_valid(id))
		return;
	if (unlinkat(f->dirfd, id, 0) != 0)
		astral_log(ASTRAL_LOG_ERROR, "cannot remove the file of a video whose row was not stored: %s",
		           strerror(errno));
}

void
videos_file_close(struct videos_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmpname[0] != '\0' && f->dirfd >= 0 && unlinkat(f->dirfd, f->tmpname, 0) != 0)
		astral_log(ASTRAL_LOG_ERROR, "cannot remove an unfinished upload: %s", strerror(errno));
	f->tmpname[0] = '\0';
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->dirfd = -1;
}

astral_err
videos_init(struct astral_app *app)
{
	return videos_store_prepare(app->cfg.media_video_dir);
}
