/* Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer, so that
   `make check` can run the seed corpora with gcc. Arguments: files, or directories whose regular
   files are all replayed; with none, the directory the build named in ASTRAL_FUZZ_CORPUS. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (16 * 1024 * 1024)

/* Read one file into a buffer of exactly its size, so that a read past the end is caught by ASan. */
static int
replay_file(const char *path, unsigned long *count)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	size_t len;
	int rc = -1;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path, REPLAY_MAX_INPUT);
		goto out;
	}
	len = (size_t)st.st_size;
	buf = malloc(len ? len : 1);
	if (!buf) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (len && fread(buf, 1, len, f) != len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, len);
	(*count)++;
	rc = 0;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

static int
replay_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int n;

		if (e->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", dir, e->d_name);
			rc = -1;
			continue;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, rc = 0, nargs = argc - 1;
	char **args = argv + 1;
#ifdef ASTRAL_FUZZ_CORPUS
	static char default_corpus[] = ASTRAL_FUZZ_CORPUS;
	static char *default_args[] = { default_corpus };

	if (nargs == 0) {
		nargs = 1;
		args = default_args;
	}
#endif
	if (nargs == 0) {
		fprintf(stderr, "usage: %s file-or-directory...\n", argv[0]);
		return 2;
	}
	for (i = 0; i < nargs; i++) {
		struct stat st;

		if (stat(args[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", args[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(args[i], &count) != 0)
				rc = 1;
		} else if (replay_file(args[i], &count) != 0) {
			rc = 1;
		}
	}
	printf("replayed %lu inputs\n", count);
	if (count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		rc = 1;
	}
	return rc;
}
