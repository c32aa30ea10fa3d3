/*
 * astralctl media sweep: remove wellness video files that no row names any more (the account
 * that uploaded them was deleted, and its rows with it) and upload files a killed worker left.
 * Only files older than --min-age seconds (default an hour) are touched, so an upload being
 * committed right now is never swept; files whose names are not a video id or an upload are
 * not ours and are left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/random.h"
#include "astralctl.h"

#define UPLOAD_PREFIX ".upload-"

static const struct astral_stmt media_stmts[] = {
	{ "media_video_exists", "SELECT EXISTS (SELECT 1 FROM wellness_videos WHERE id = $1::uuid)", 1 },
};

static const struct option media_sweep_options[] = {
	{ "min-age", required_argument, NULL, 'a' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Whether the row of video `id` exists: 1, 0, or -1 on a database failure. */
static int
video_row_exists(struct astral_db *db, const char *id)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;
	int exists;

	astral_params_init(&p);
	astral_params_text(&p, id);
	err = astral_db_exec(db, &media_stmts[0], &p, &res);
	exists = err == ASTRAL_OK ? astral_db_bool(res, 0, 0) : -1;
	if (err != ASTRAL_OK)
		astralctl_db_failure(db, "looking up a video", err);
	PQclear(res);
	return exists;
}

/* What to do with one directory entry: 1 remove, 0 keep, -1 failure. */
static int
sweep_decision(struct astral_db *db, int dirfd, const char *name, time_t now, long long min_age)
{
	struct stat st;
	int ours;

	ours = astral_uuid_valid(name) || strncmp(name, UPLOAD_PREFIX, sizeof(UPLOAD_PREFIX) - 1) == 0;
	if (!ours || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if ((long long)(now - st.st_mtime) < min_age)
		return 0;
	if (!astral_uuid_valid(name))
		return 1;                                  /* an upload nobody finished */
	switch (video_row_exists(db, name)) {
	case 0:
		return 1;
	case 1:
		return 0;
	default:
		return -1;
	}
}

int
astralctl_media_sweep(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("media", "sweep");
	struct astral_db *db = NULL;
	long long min_age = 3600, removed = 0, kept = 0;
	const char *dir_path;
	struct dirent *e;
	DIR *dir = NULL;
	int rc, opt, dry_run = 0;
	char *end;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", media_sweep_options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			errno = 0;
			min_age = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || min_age < 0 || min_age > INT_MAX) {
				astralctl_error("--min-age must be a number of seconds, got '%s'", optarg);
				return ASTRALCTL_USAGE;
			}
			break;
		case 'n':
			dry_run = 1;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	rc = astralctl_load_config(ctl);
	if (rc != ASTRALCTL_OK)
		return rc;
	dir_path = ctl->cfg.media_video_dir;
	rc = astralctl_open_owner(ctl, media_stmts, sizeof(media_stmts) / sizeof(media_stmts[0]), &db);
	if (rc != ASTRALCTL_OK)
		goto out;
	dir = opendir(dir_path);
	if (dir == NULL) {
		astralctl_error("cannot open media.video_dir %s: %s", dir_path, strerror(errno));
		rc = ASTRALCTL_CONFIG;
		goto out;
	}
	if (astral_db_begin(db, NULL, "system") != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "starting a transaction", ASTRAL_ERR_DB);
		goto out;
	}
	while ((e = readdir(dir)) != NULL) {
		int decision = sweep_decision(db, dirfd(dir), e->d_name, time(NULL), min_age);

		if (decision < 0) {
			rc = ASTRALCTL_DATABASE;
			goto out;
		}
		if (decision == 0) {
			kept += e->d_name[0] != '.';
			continue;
		}
		if (!dry_run && unlinkat(dirfd(dir), e->d_name, 0) != 0) {
			astralctl_error("cannot remove %s/%s: %s", dir_path, e->d_name, strerror(errno));
			rc = ASTRALCTL_CONFIG;
			goto out;
		}
		printf("%s %s/%s\n", dry_run ? "would remove" : "removed", dir_path, e->d_name);
		removed++;
	}
	printf("%s %lld file%s, kept %lld\n", dry_run ? "would remove" : "removed", removed,
	       removed == 1 ? "" : "s", kept);
	rc = ASTRALCTL_OK;
out:
	if (dir != NULL)
		closedir(dir);
	if (db != NULL && astral_db_in_transaction(db))
		astral_db_rollback(db);
	astral_db_close(db);
	return rc;
}
