/*
 * astralctl backup --output DIR: a backup set of everything needed to bring the service back
 * except the keys (backup_set.h describes the set). The database is dumped by pg_dump in a
 * snapshot exported by a transaction that also reads the facts the manifest records, so the
 * counts and chain heads are those of the dump; video files are those the snapshot's rows name.
 * The JWT key and the keyring are never written into the set: the command says where they are.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup_set.h"

static const struct option backup_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What one run has made, so that a failure removes it all. */
struct backup_run {
	const char *out_path;
	int out_fd;                /* the set's directory */
	int created_dir;           /* the command made out_path */
	int videos_fd;             /* out_path/videos, -1 until made */
	int dump_made, manifest_made;
	json_object *copied;       /* names written under videos/ */
};

/* Opens DIR for the set: a new directory (mode 0700), or an existing empty one. Exit code. */
static int
backup_open_output(struct backup_run *run)
{
	struct dirent *e;
	DIR *d = NULL;
	int rc = ASTRALCTL_USAGE;

	if (mkdir(run->out_path, 0700) == 0) {
		run->created_dir = 1;
	} else if (errno != EEXIST) {
		astralctl_error("--output %s: cannot create the directory: %s", run->out_path, strerror(errno));
		goto out;
	}
	run->out_fd = open(run->out_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run->out_fd < 0) {
		astralctl_error("--output %s: %s", run->out_path,
		                errno == ENOTDIR ? "exists and is not a directory" : strerror(errno));
		goto out;
	}
	if (!run->created_dir) {
		int dup_fd = dup(run->out_fd);

		d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
		if (d == NULL) {
			astralctl_error("--output %s: cannot list it: %s", run->out_path, strerror(errno));
			if (dup_fd >= 0)
				close(dup_fd);
			goto out;
		}
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				astralctl_error("--output %s: the directory is not empty (it holds %s); a backup set goes "
				                "into a new or empty directory", run->out_path, e->d_name);
				goto out;
			}
		}
	}
	rc = ASTRALCTL_OK;
out:
	if (d != NULL)
		closedir(d);
	return rc;
}

/* Whether a signal asked the run to stop (astralctl_catch_interrupts); says so once. */
static int
backup_stopped(void)
{
	static int said;

	if (astralctl_interrupted() == 0)
		return 0;
	if (!said)
		astralctl_error("interrupted by signal %d", astralctl_interrupted());
	said = 1;
	return 1;
}

/* Removes what the run wrote (after a failure or an interruption). */
static void
backup_remove_partial(struct backup_run *run)
{
	if (run->out_fd >= 0) {
		if (run->manifest_made) {
			(void)unlinkat(run->out_fd, BACKUP_MANIFEST_MAC, 0);
			(void)unlinkat(run->out_fd, BACKUP_MANIFEST, 0);
		}
		if (run->videos_fd >= 0) {
			for (size_t i = 0; run->copied != NULL && i < json_object_array_length(run->copied); i++)
				(void)unlinkat(run->videos_fd,
				               json_object_get_string(json_object_array_get_idx(run->copied, i)), 0);
			(void)unlinkat(run->out_fd, BACKUP_VIDEOS, AT_REMOVEDIR);
		}
		if (run->dump_made)
			(void)unlinkat(run->out_fd, BACKUP_DUMP, 0);
	}
	if (run->created_dir)
		(void)rmdir(run->out_path);
	if (run->created_dir || run->dump_made)
		fprintf(stderr, "astralctl: the partial backup set was removed from %s\n", run->out_path);
}

/* Adds {"path", "size", "sha256"} to files. 0 on success. */
static int
backup_list_file(json_object *files, const char *path, long long size, const char *hex)
{
	json_object *f = json_object_new_object();

	if (f == NULL || json_object_array_add(files, f) != 0) {
		json_object_put(f);
		return -1;
	}
	if (json_object_object_add(f, "path", json_object_new_string(path)) != 0 ||
	    json_object_object_add(f, "size", json_object_new_int64(size)) != 0 ||
	    json_object_object_add(f, "sha256", json_object_new_string(hex)) != 0)
		return -1;
	return 0;
}

/* Runs pg_dump in the exported snapshot into database.dump (0600). Exit code. */
static int
backup_dump(struct astralctl *ctl, struct backup_run *run, const char *snapshot)
{
	char snapshot_arg[128];
	const char *args[] = { "pg_dump", "--format=custom", "--no-password", "--enable-row-security",
	                       snapshot_arg, NULL };
	int fd, rc = ASTRALCTL_DATABASE;

	snprintf(snapshot_arg, sizeof(snapshot_arg), "--snapshot=%s", snapshot);
	fd = openat(run->out_fd, BACKUP_DUMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		astralctl_error("--output %s: cannot create %s: %s", run->out_path, BACKUP_DUMP, strerror(errno));
		return ASTRALCTL_USAGE;
	}
	run->dump_made = 1;
	if (pg_tool_run(args, ctl->cfg.db_owner_conninfo, astralctl_owner_password(ctl), NULL, fd) != 0)
		goto out;
	if (fsync(fd) != 0) {
		astralctl_error("cannot write %s/%s: %s", run->out_path, BACKUP_DUMP, strerror(errno));
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	if (close(fd) != 0 && rc == ASTRALCTL_OK) {
		astralctl_error("cannot write %s/%s: %s", run->out_path, BACKUP_DUMP, strerror(errno));
		rc = ASTRALCTL_USAGE;
	}
	return rc;
}

/* Reads, in the snapshot the dump uses, what the manifest records about the database. */
static int
backup_read_facts(PGconn *conn, json_object *manifest, json_object **video_ids)
{
	json_object *tables = NULL, *migrations = NULL, *chains = NULL, *versions = NULL, *last;
	PGresult *res = NULL;
	int rc;

	*video_ids = NULL;
	rc = backup_facts_tables(conn, &tables);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_migrations(conn, &migrations);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_chains(conn, &chains);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_key_versions(conn, &versions);
	if (rc == ASTRALCTL_OK)
		rc = backup_facts_video_ids(conn, video_ids);
	if (rc == ASTRALCTL_OK && backup_sql(conn, "SELECT current_setting('server_version')",
	                                     "reading the server version", &res) != 0)
		rc = ASTRALCTL_DATABASE;
	if (rc != ASTRALCTL_OK)
		goto out;
	last = json_object_array_length(migrations) > 0
	           ? json_object_array_get_idx(migrations, json_object_array_length(migrations) - 1)
	           : NULL;
	json_object_object_add(manifest, "postgresql_version", json_object_new_string(PQgetvalue(res, 0, 0)));
	json_object_object_add(manifest, "schema_version",
	                       json_object_get(last ? json_object_object_get(last, "version") : NULL));
	json_object_object_add(manifest, "schema_migrations", migrations);
	json_object_object_add(manifest, "tables", tables);
	json_object_object_add(manifest, "audit_chains", chains);
	json_object_object_add(manifest, "key_versions", versions);
	tables = migrations = chains = versions = NULL;
out:
	PQclear(res);
	json_object_put(tables);
	json_object_put(migrations);
	json_object_put(chains);
	json_object_put(versions);
	if (rc != ASTRALCTL_OK) {
		json_object_put(*video_ids);
		*video_ids = NULL;
	}
	return rc;
}

/* The database part: snapshot, facts, pg_dump. Exit code. */
static int
backup_database(struct astralctl *ctl, struct backup_run *run, json_object *manifest, json_object **video_ids,
                double *seconds)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	double started = backup_now();
	int rc;

	*video_ids = NULL;
	rc = astralctl_connect_owner(ctl, &conn);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = ASTRALCTL_DATABASE;
	/* The transaction stays open until pg_dump has finished: its snapshot is the dump's. */
	if (backup_sql(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the snapshot", NULL) != 0 ||
	    backup_sql(conn, "SELECT pg_export_snapshot()", "exporting the snapshot", &res) != 0)
		goto out;
	rc = backup_facts_check_visibility(conn);
	if (rc == ASTRALCTL_OK)
		rc = backup_read_facts(conn, manifest, video_ids);
	if (rc == ASTRALCTL_OK)
		rc = backup_dump(ctl, run, PQgetvalue(res, 0, 0));
	if (rc == ASTRALCTL_OK && backup_sql(conn, "COMMIT", "ending the snapshot", NULL) != 0)
		rc = ASTRALCTL_DATABASE;
out:
	PQclear(res);
	if (conn != NULL)
		PQfinish(conn);
	*seconds = backup_now() - started;
	return rc;
}

/* Copies the file of every video row into videos/ (0600). Rows without a file are listed under
   "videos_missing" and reported; they are a video nobody can play in the source too. */
static int
backup_videos(struct astralctl *ctl, struct backup_run *run, json_object *video_ids, json_object *manifest,
              json_object *files, long long *bytes)
{
	const char *dir = ctl->cfg.media_video_dir;
	json_object *missing = json_object_new_array();
	int src_fd = -1, rc = ASTRALCTL_USAGE;

	*bytes = 0;
	if (missing == NULL || (run->copied = json_object_new_array()) == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	src_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src_fd < 0) {
		astralctl_error("cannot open media.video_dir %s: %s", dir, strerror(errno));
		rc = ASTRALCTL_CONFIG;
		goto out;
	}
	if (mkdirat(run->out_fd, BACKUP_VIDEOS, 0700) != 0 ||
	    (run->videos_fd = openat(run->out_fd, BACKUP_VIDEOS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		astralctl_error("--output %s: cannot create %s/: %s", run->out_path, BACKUP_VIDEOS, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(video_ids); i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(video_ids, i));
		char hex[2 * ASTRAL_SHA256_LEN + 1], path[sizeof(BACKUP_VIDEOS) + 40];
		long long size;

		if (backup_stopped())
			goto out;
		if (backup_file_copy(src_fd, id, run->videos_fd, id, 0600, 0, hex, &size) != 0) {
			if (errno != ENOENT) {
				astralctl_error("cannot copy %s/%s into %s/%s/: %s", dir, id, run->out_path, BACKUP_VIDEOS,
				                strerror(errno));
				goto out;
			}
			fprintf(stderr, "astralctl: warning: video %s has a row but no file in %s; the set holds its "
			        "row only\n", id, dir);
			json_object_array_add(missing, json_object_new_string(id));
			continue;
		}
		json_object_array_add(run->copied, json_object_new_string(id));
		snprintf(path, sizeof(path), "%s/%s", BACKUP_VIDEOS, id);
		if (backup_list_file(files, path, size, hex) != 0) {
			astralctl_error("out of memory");
			goto out;
		}
		*bytes += size;
	}
	if (fsync(run->videos_fd) != 0) {
		astralctl_error("cannot write %s/%s/: %s", run->out_path, BACKUP_VIDEOS, strerror(errno));
		goto out;
	}
	json_object_object_add(manifest, "videos_missing", missing);
	missing = NULL;
	rc = ASTRALCTL_OK;
out:
	json_object_put(missing);
	if (src_fd >= 0)
		close(src_fd);
	return rc;
}

/* Names each key version the data uses with its key identifier (never the key). Versions the
   keyring lacks get a null identifier and a warning: that data is unreadable already. */
static void
backup_name_key_versions(struct astralctl *ctl, struct astral_keyring *kr, json_object *manifest)
{
	json_object *versions = json_object_object_get(manifest, "key_versions");

	for (size_t i = 0; i < json_object_array_length(versions); i++) {
		json_object *v = json_object_array_get_idx(versions, i);
		long long version = json_object_get_int64(json_object_object_get(v, "version"));
		char id[BACKUP_KEY_ID_HEX + 1];

		if (version > 0 && version <= (long long)UINT32_MAX && backup_key_id(kr, (uint32_t)version, id) == 0) {
			json_object_object_add(v, "key_id", json_object_new_string(id));
			continue;
		}
		fprintf(stderr, "astralctl: warning: key version %lld, used by %lld user keys and %lld help session "
		        "keys, is not in the keyring %s: that data cannot be read now either\n", version,
		        (long long)json_object_get_int64(json_object_object_get(v, "user_keys")),
		        (long long)json_object_get_int64(json_object_object_get(v, "help_session_keys")),
		        ctl->cfg.keyring_file);
		json_object_object_add(v, "key_id", NULL);
	}
}

/* "2, 3" for the key versions of the manifest, into buf. */
static void
backup_versions_text(json_object *manifest, char *buf, size_t len)
{
	json_object *versions = json_object_object_get(manifest, "key_versions");
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(versions) && off < len; i++) {
		json_object *v = json_object_array_get_idx(versions, i);
		int n = snprintf(buf + off, len - off, "%s%lld", i ? ", " : "",
		                 (long long)json_object_get_int64(json_object_object_get(v, "version")));

		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "(none: no data key yet)");
}

/* Sum of the row counts of the manifest's tables. */
static long long
backup_total_rows(json_object *manifest)
{
	long long total = 0;

	json_object_object_foreach(json_object_object_get(manifest, "tables"), name, count) {
		(void)name;
		total += json_object_get_int64(count);
	}
	return total;
}

/* The manifest's header: format, time, versions, where the keys are. NULL when out of memory. */
static json_object *
backup_new_manifest(struct astralctl *ctl)
{
	json_object *m = json_object_new_object(), *keys = json_object_new_object();
	const char *jwt = astral_config_secret_path(&ctl->cfg, "auth.jwt_key_file");
	char when[32];
	struct tm tm;
	time_t now = time(NULL);

	if (m == NULL || keys == NULL || gmtime_r(&now, &tm) == NULL) {
		json_object_put(m);
		json_object_put(keys);
		return NULL;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(m, "format", json_object_new_string(BACKUP_FORMAT));
	json_object_object_add(m, "format_version", json_object_new_int(BACKUP_FORMAT_VERSION));
	json_object_object_add(m, "created_at", json_object_new_string(when));
	json_object_object_add(m, "tool_version", json_object_new_string(ASTRAL_VERSION));
	/* Where the keys were; the files themselves are never part of a set. */
	json_object_object_add(keys, "auth.jwt_key_file", jwt ? json_object_new_string(jwt) : NULL);
	json_object_object_add(keys, "crypto.keyring_file",
	                       ctl->cfg.keyring_file ? json_object_new_string(ctl->cfg.keyring_file) : NULL);
	json_object_object_add(m, "keys_kept_apart", keys);
	return m;
}

int
astralctl_backup(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command(NULL, "backup");
	struct backup_run run = { .out_fd = -1, .videos_fd = -1 };
	struct astral_keyring *kr = NULL;
	json_object *manifest = NULL, *files = NULL, *video_ids = NULL;
	char hex[2 * ASTRAL_SHA256_LEN + 1], versions[256];
	long long dump_size = 0, video_bytes = 0;
	double started = backup_now(), dump_seconds = 0, video_seconds;
	int rc, opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", backup_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			run.out_path = optarg;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	if (run.out_path == NULL || run.out_path[0] == '\0') {
		astralctl_error("--output DIR is required: the directory the backup set is written to");
		return astralctl_usage(cmd);
	}
	umask(077);
	/* Ctrl-C or a service manager's stop removes the partial set instead of leaving it behind. */
	astralctl_catch_interrupts();
	rc = astralctl_open_keyring(ctl, &kr);
	if (rc != ASTRALCTL_OK)
		return rc;
	manifest = backup_new_manifest(ctl);
	files = json_object_new_array();
	if (manifest == NULL || files == NULL) {
		astralctl_error("out of memory");
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	rc = backup_open_output(&run);
	if (rc != ASTRALCTL_OK)
		goto out;

	rc = backup_database(ctl, &run, manifest, &video_ids, &dump_seconds);
	if (rc == ASTRALCTL_OK && backup_stopped())
		rc = ASTRALCTL_USAGE;
	if (rc != ASTRALCTL_OK)
		goto out;
	if (backup_file_sha256(run.out_fd, BACKUP_DUMP, hex, &dump_size) != 0 ||
	    backup_list_file(files, BACKUP_DUMP, dump_size, hex) != 0) {
		astralctl_error("cannot read back %s/%s: %s", run.out_path, BACKUP_DUMP, strerror(errno));
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	printf("database.dump  %lld bytes, pg_dump in one snapshot: %.2f s\n", dump_size, dump_seconds);

	video_seconds = backup_now();
	rc = backup_videos(ctl, &run, video_ids, manifest, files, &video_bytes);
	if (rc != ASTRALCTL_OK)
		goto out;
	video_seconds = backup_now() - video_seconds;
	printf("videos/        %zu files, %lld bytes: %.2f s\n", json_object_array_length(run.copied), video_bytes,
	       video_seconds);

	if (backup_stopped()) {              /* the last moment to stop: the manifest completes the set */
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	backup_name_key_versions(ctl, kr, manifest);
	json_object_object_add(manifest, "files", json_object_get(files));
	if (backup_manifest_write(run.out_fd, run.out_path, manifest, kr) != 0) {
		run.manifest_made = 1;
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	run.manifest_made = 1;
	backup_versions_text(manifest, versions, sizeof(versions));
	printf("manifest.json  schema version %lld, %zu tables with %lld rows, %zu audit chains, key versions %s\n",
	       (long long)json_object_get_int64(json_object_object_get(manifest, "schema_version")),
	       (size_t)json_object_object_length(json_object_object_get(manifest, "tables")),
	       backup_total_rows(manifest),
	       json_object_array_length(json_object_object_get(manifest, "audit_chains")), versions);
	printf("backup set written to %s in %.2f s: %zu files, %lld bytes\n", run.out_path, backup_now() - started,
	       json_object_array_length(files) + 1, dump_size + video_bytes);
	printf("the set holds no keys. Back these up apart from it (offline, encrypted, on another medium):\n"
	       "  auth.jwt_key_file    %s\n"
	       "  crypto.keyring_file  %s\n",
	       astral_config_secret_path(&ctl->cfg, "auth.jwt_key_file"), ctl->cfg.keyring_file);
	if (json_object_array_length(json_object_object_get(manifest, "key_versions")) > 0)
		printf("without the keyring's key versions %s the encrypted data in the set cannot be read\n", versions);
	rc = ASTRALCTL_OK;
out:
	if (rc != ASTRALCTL_OK) {
		(void)backup_stopped();           /* names the signal when one caused the failure */
		backup_remove_partial(&run);
	}
	if (run.videos_fd >= 0)
		close(run.videos_fd);
	if (run.out_fd >= 0)
		close(run.out_fd);
	json_object_put(run.copied);
	json_object_put(video_ids);
	json_object_put(files);
	json_object_put(manifest);
	astral_keyring_free(kr);
	if (rc != ASTRALCTL_OK)
		astralctl_end_by_interrupt();   /* ends by the signal when one stopped the run */
	return rc;
}
