/* Master keys for envelope encryption, read from a 0600 text file. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* mkostemp */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "encoding.h"
#include "keyring.h"
#include "random.h"

#define KEYRING_MAX_FILE_BYTES (1024 * 1024)
#define KEYRING_HEADER "# astral keyring\n"
/* The temporary file add_version writes beside the keyring: "<file>" KEYRING_TMP_INFIX "XXXXXX".
 * A name no admin gives a file, so that the stale ones can be removed without touching theirs
 * (a "keyring.backup" would match "<file>.XXXXXX"). */
#define KEYRING_TMP_INFIX ".astral-tmp."
#define KEYRING_TMP_RANDOM 6

struct keyring_entry {
	uint32_t version;
	unsigned char key[ASTRAL_KEYRING_KEY_LEN];
	struct keyring_entry *next_retired;
};

struct keyring_data {
	struct keyring_entry **entries;
	size_t count, cap;
	uint32_t current;
};

struct astral_keyring {
	char *path;
	struct keyring_data data;
	struct keyring_entry *retired;  /* dropped entries, zeroed, freed last */
	char error[512];
};

static void ASTRAL_PRINTF(3, 4)
set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
entry_free(struct keyring_entry *e)
{
	if (e == NULL)
		return;
	OPENSSL_cleanse(e->key, sizeof(e->key));
	free(e);
}

static void
data_clear(struct keyring_data *d)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		entry_free(d->entries[i]);
	free(d->entries);
	memset(d, 0, sizeof(*d));
}

static struct keyring_entry *
data_find(const struct keyring_data *d, uint32_t version)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (d->entries[i]->version == version)
			return d->entries[i];
	return NULL;
}

/* Wipes the first len bytes (all that was written) and frees text. */
static void
text_free(char *text, size_t len)
{
	if (text == NULL)
		return;
	OPENSSL_cleanse(text, len);
	free(text);
}

/* Reads the whole file after checking that it is a regular file with no
 * group or other permissions.  *text is NUL-terminated. */
static astral_err
read_text(const char *path, char **text, size_t *textlen, struct stat *stp,
    char *err, size_t errlen)
{
	astral_err rc = ASTRAL_ERR_IO;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = -1;

	*text = NULL;
	*textlen = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		set_error(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ASTRAL_ERR_CONFIG;
		set_error(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		rc = ASTRAL_ERR_CONFIG;
		set_error(err, errlen, "%s: mode %03o gives access to group or others; run chmod 600 %s",
		    path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	if (st.st_size > KEYRING_MAX_FILE_BYTES) {
		rc = ASTRAL_ERR_CONFIG;
		set_error(err, errlen, "%s: larger than %d bytes", path, KEYRING_MAX_FILE_BYTES);
		goto out;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		rc = ASTRAL_ERR_NOMEM;
		set_error(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* Read one byte more than fstat reported, to notice a file that grew. */
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(err, errlen, "%s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		set_error(err, errlen, "%s: changed while being read", path);
		goto out;
	}
	buf[len] = '\0';
	if (stp != NULL)
		*stp = st;
	*text = buf;
	*textlen = len;
	buf = NULL;
	rc = ASTRAL_OK;
out:
	text_free(buf, len < cap ? len + 1 : len);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Decimal 1..UINT32_MAX, no sign, no leading zero. */
static int
parse_version(const char *s, uint32_t *v)
{
	uint64_t acc = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		acc = acc * 10 + (uint64_t)(*s - '0');
		if (acc > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)acc;
	return 0;
}

/* Splits line in place into at most max tokens separated by blanks;
 * returns the token count, or max + 1 if there are more. */
static size_t
split_blanks(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

/* Parses text (modified in place) into d. */
static astral_err
parse_text(const char *path, char *text, struct keyring_data *d, char *err, size_t errlen)
{
	astral_err rc = ASTRAL_ERR_CONFIG;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	unsigned lineno = 0, current_line = 0;
	int have_current = 0;
	char *line = text;

	memset(d, 0, sizeof(*d));
	while (line != NULL && *line != '\0') {
		char *next = strchr(line, '\n'), *tok[3], *p;
		size_t ntok;

		if (next != NULL)
			*next++ = '\0';
		lineno++;
		p = line + strlen(line);
		if (p > line && p[-1] == '\r')
			p[-1] = '\0';
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#') {
			line = next;
			continue;
		}
		ntok = split_blanks(p, tok, 3);
		if (strcmp(tok[0], "key") == 0) {
			struct keyring_entry *e;
			uint32_t version;

			if (ntok != 3) {
				set_error(err, errlen, "%s line %u: expected 'key <version> <base64 key>'",
				    path, lineno);
				goto out;
			}
			if (parse_version(tok[1], &version) != 0) {
				set_error(err, errlen, "%s line %u: key version must be a number from 1 to %u",
				    path, lineno, (unsigned)UINT32_MAX);
				goto out;
			}
			if (data_find(d, version) != NULL) {
				set_error(err, errlen, "%s line %u: key %u appears twice",
				    path, lineno, (unsigned)version);
				goto out;
			}
			if (astral_b64_decode(tok[2], strlen(tok[2]), &raw, &rawlen) != ASTRAL_OK) {
				set_error(err, errlen, "%s line %u: key %u is not valid base64",
				    path, lineno, (unsigned)version);
				goto out;
			}
			if (rawlen != ASTRAL_KEYRING_KEY_LEN) {
				set_error(err, errlen, "%s line %u: key %u must be %d bytes, not %zu",
				    path, lineno, (unsigned)version, ASTRAL_KEYRING_KEY_LEN, rawlen);
				goto out;
			}
			if (d->count == d->cap) {
				size_t ncap = d->cap ? d->cap * 2 : 8;
				struct keyring_entry **ne = realloc(d->entries, ncap * sizeof(*ne));

				if (ne == NULL)
					goto nomem;
				d->entries = ne;
				d->cap = ncap;
			}
			e = calloc(1, sizeof(*e));
			if (e == NULL)
				goto nomem;
			e->version = version;
			memcpy(e->key, raw, ASTRAL_KEYRING_KEY_LEN);
			d->entries[d->count++] = e;
			OPENSSL_cleanse(raw, rawlen);
			free(raw);
			raw = NULL;
		} else if (strcmp(tok[0], "current") == 0) {
			if (ntok != 2 || parse_version(tok[1], &d->current) != 0) {
				set_error(err, errlen, "%s line %u: expected 'current <version>'", path, lineno);
				goto out;
			}
			if (have_current) {
				set_error(err, errlen, "%s line %u: second 'current' line (first on line %u)",
				    path, lineno, current_line);
				goto out;
			}
			have_current = 1;
			current_line = lineno;
		} else {
			/* The token is not echoed: it could be key material. */
			set_error(err, errlen, "%s line %u: unknown directive (expected 'key' or 'current')",
			    path, lineno);
			goto out;
		}
		line = next;
	}
	if (d->count == 0) {
		set_error(err, errlen, "%s: no 'key' lines", path);
		goto out;
	}
	if (!have_current) {
		set_error(err, errlen, "%s: missing 'current <version>' line", path);
		goto out;
	}
	if (data_find(d, d->current) == NULL) {
		set_error(err, errlen, "%s line %u: current key %u is not in the file",
		    path, current_line, (unsigned)d->current);
		goto out;
	}
	rc = ASTRAL_OK;
	goto out;
nomem:
	rc = ASTRAL_ERR_NOMEM;
	set_error(err, errlen, "%s: out of memory", path);
out:
	if (raw != NULL) {
		OPENSSL_cleanse(raw, rawlen);
		free(raw);
	}
	if (rc != ASTRAL_OK)
		data_clear(d);
	return rc;
}

/* Parses the len bytes at text (left as they are) into d; name is the file's in messages. */
static astral_err
parse_bytes(const char *name, const char *text, size_t len, struct keyring_data *d,
    char *err, size_t errlen)
{
	char *copy;
	astral_err rc;

	memset(d, 0, sizeof(*d));
	if (memchr(text, '\0', len) != NULL) {
		set_error(err, errlen, "%s: contains a NUL byte", name);
		return ASTRAL_ERR_CONFIG;
	}
	/* parse_text cuts its text into lines and tokens in place. */
	copy = malloc(len + 1);
	if (copy == NULL) {
		set_error(err, errlen, "%s: out of memory", name);
		return ASTRAL_ERR_NOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	rc = parse_text(name, copy, d, err, errlen);
	text_free(copy, len + 1);
	return rc;
}

/* Reads and parses path into d; *stp gets the file's metadata if not NULL. */
static astral_err
read_keyring(const char *path, struct keyring_data *d, struct stat *stp,
    char *err, size_t errlen)
{
	char *text = NULL;
	size_t textlen = 0;
	astral_err rc;

	memset(d, 0, sizeof(*d));
	rc = read_text(path, &text, &textlen, stp, err, errlen);
	if (rc == ASTRAL_OK)
		rc = parse_bytes(path, text, textlen, d, err, errlen);
	text_free(text, textlen + 1);
	return rc;
}

astral_err
astral_keyring_load(const char *path, struct astral_keyring **out, char *err, size_t errlen)
{
	astral_err rc = ASTRAL_ERR_NOMEM;
	struct astral_keyring *kr = NULL;

	*out = NULL;
	set_error(err, errlen, "%s", "");
	if (path == NULL) {
		set_error(err, errlen, "no keyring path");
		return ASTRAL_ERR_INVALID;
	}
	kr = calloc(1, sizeof(*kr));
	if (kr == NULL || (kr->path = strdup(path)) == NULL) {
		set_error(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rc = read_keyring(path, &kr->data, NULL, err, errlen);
	if (rc != ASTRAL_OK)
		goto out;
	*out = kr;
	kr = NULL;
out:
	astral_keyring_free(kr);
	return rc;
}

astral_err
astral_keyring_parse(const char *name, const char *text, size_t len, struct astral_keyring **out,
    char *err, size_t errlen)
{
	struct astral_keyring *kr;
	astral_err rc;

	*out = NULL;
	set_error(err, errlen, "%s", "");
	if (name == NULL || text == NULL) {
		set_error(err, errlen, "no keyring text");
		return ASTRAL_ERR_INVALID;
	}
	kr = calloc(1, sizeof(*kr));
	if (kr == NULL) {
		set_error(err, errlen, "%s: out of memory", name);
		return ASTRAL_ERR_NOMEM;
	}
	rc = parse_bytes(name, text, len, &kr->data, err, errlen);
	if (rc != ASTRAL_OK) {
		astral_keyring_free(kr);
		return rc;
	}
	*out = kr;
	return ASTRAL_OK;
}

static void
retire(struct astral_keyring *kr, struct keyring_entry *e)
{
	OPENSSL_cleanse(e->key, sizeof(e->key));
	e->next_retired = kr->retired;
	kr->retired = e;
}

astral_err
astral_keyring_reload(struct astral_keyring *kr)
{
	struct keyring_data fresh;
	astral_err rc;
	size_t i;

	if (kr == NULL)
		return ASTRAL_ERR_INVALID;
	if (kr->path == NULL) {
		set_error(kr->error, sizeof(kr->error), "the keyring was parsed from text: no file to re-read");
		return ASTRAL_ERR_INVALID;
	}
	rc = read_keyring(kr->path, &fresh, NULL, kr->error, sizeof(kr->error));
	if (rc != ASTRAL_OK)
		return rc;
	/* Keep the old entry (and so the caller's pointers) for unchanged keys. */
	for (i = 0; i < fresh.count; i++) {
		size_t j;

		for (j = 0; j < kr->data.count; j++) {
			struct keyring_entry *old = kr->data.entries[j];

			if (old != NULL && old->version == fresh.entries[i]->version &&
			    CRYPTO_memcmp(old->key, fresh.entries[i]->key, sizeof(old->key)) == 0) {
				entry_free(fresh.entries[i]);
				fresh.entries[i] = old;
				kr->data.entries[j] = NULL;
				break;
			}
		}
	}
	for (i = 0; i < kr->data.count; i++)
		if (kr->data.entries[i] != NULL)
			retire(kr, kr->data.entries[i]);
	free(kr->data.entries);
	kr->data = fresh;
	kr->error[0] = '\0';
	return ASTRAL_OK;
}

const char *
astral_keyring_error(const struct astral_keyring *kr)
{
	return kr == NULL ? "" : kr->error;
}

uint32_t
astral_keyring_current(const struct astral_keyring *kr)
{
	return kr == NULL ? 0 : kr->data.current;
}

const unsigned char *
astral_keyring_key(struct astral_keyring *kr, uint32_t version)
{
	struct keyring_entry *e;

	if (kr == NULL || version == 0)
		return NULL;
	e = data_find(&kr->data, version);
	if (e == NULL && astral_keyring_reload(kr) == ASTRAL_OK)
		e = data_find(&kr->data, version);
	return e == NULL ? NULL : e->key;
}

void
astral_keyring_free(struct astral_keyring *kr)
{
	if (kr == NULL)
		return;
	data_clear(&kr->data);
	while (kr->retired != NULL) {
		struct keyring_entry *next = kr->retired->next_retired;

		entry_free(kr->retired);
		kr->retired = next;
	}
	free(kr->path);
	OPENSSL_cleanse(kr, sizeof(*kr));
	free(kr);
}

static astral_err
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ASTRAL_ERR_IO;
		buf += n;
		len -= (size_t)n;
	}
	return ASTRAL_OK;
}

/* Opens the directory holding path (for fsync after rename, and flock). */
static int
open_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (slash == path)
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

/* A "key <version> <base64>\n" line for a fresh random key, malloc'd. */
static astral_err
new_key_line(uint32_t version, char **line, size_t *linelen)
{
	unsigned char key[ASTRAL_KEYRING_KEY_LEN];
	char *b64 = NULL, *buf = NULL;
	size_t cap = 0;
	astral_err rc;
	int n;

	*line = NULL;
	*linelen = 0;
	rc = astral_random_bytes(key, sizeof(key));
	if (rc != ASTRAL_OK)
		goto out;
	rc = ASTRAL_ERR_NOMEM;
	b64 = astral_b64_encode(key, sizeof(key));
	if (b64 == NULL)
		goto out;
	cap = strlen(b64) + 32;
	buf = malloc(cap);
	if (buf == NULL)
		goto out;
	n = snprintf(buf, cap, "key %u %s\n", (unsigned)version, b64);
	if (n < 0 || (size_t)n >= cap) {
		rc = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	*line = buf;
	*linelen = (size_t)n;
	buf = NULL;
	rc = ASTRAL_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (b64 != NULL)
		text_free(b64, strlen(b64));
	if (buf != NULL)
		text_free(buf, cap);
	return rc;
}

astral_err
astral_keyring_create(const char *path)
{
	astral_err rc = ASTRAL_ERR_IO;
	char *keyline = NULL;
	size_t keylen = 0;
	int fd = -1, dirfd = -1, created = 0;
	static const char current[] = "current 1\n";

	if (path == NULL)
		return ASTRAL_ERR_INVALID;
	rc = new_key_line(1, &keyline, &keylen);
	if (rc != ASTRAL_OK)
		goto out;
	rc = ASTRAL_ERR_IO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = ASTRAL_ERR_CONFLICT;
		goto out;
	}
	created = 1;
	if (fchmod(fd, 0600) != 0)
		goto out;
	if (write_all(fd, KEYRING_HEADER, strlen(KEYRING_HEADER)) != ASTRAL_OK ||
	    write_all(fd, keyline, keylen) != ASTRAL_OK ||
	    write_all(fd, current, strlen(current)) != ASTRAL_OK)
		goto out;
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	dirfd = open_parent_dir(path);
	if (dirfd < 0 || fsync(dirfd) != 0)
		goto out;
	rc = ASTRAL_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != ASTRAL_OK && created)
		(void)unlink(path);
	if (dirfd >= 0)
		close(dirfd);
	if (keyline != NULL)
		text_free(keyline, keylen);
	return rc;
}

/* Appends the lines of text other than 'current' lines to buf at *o. */
static void
copy_without_current(const char *text, char *buf, size_t *o)
{
	const char *line = text;

	while (*line != '\0') {
		const char *end = strchr(line, '\n'), *p = line;
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		while (*p == ' ' || *p == '\t')
			p++;
		if (!(strncmp(p, "current", 7) == 0 && (p[7] == ' ' || p[7] == '\t' ||
		    p[7] == '\r' || p[7] == '\n' || p[7] == '\0'))) {
			memcpy(buf + *o, line, n);
			*o += n;
			buf[(*o)++] = '\n';
		}
		if (end == NULL)
			break;
		line = end + 1;
	}
}

astral_err
astral_keyring_add_version(const char *path, uint32_t *new_version)
{
	astral_err rc = ASTRAL_ERR_IO;
	struct keyring_data d;
	struct stat st;
	char *text = NULL, *out_text = NULL, *keyline = NULL, *tmp = NULL, *real = NULL;
	size_t textlen = 0, keylen = 0, cap = 0, o = 0, i, tmpcap;
	uint32_t max = 0;
	int dirfd = -1, fd = -1, n;

	memset(&d, 0, sizeof(d));
	if (new_version != NULL)
		*new_version = 0;
	if (path == NULL || new_version == NULL)
		return ASTRAL_ERR_INVALID;
	/* Through a symbolic link, the file it names gets the key: renaming over the link would
	 * leave that file (the one backed up) without it. */
	real = realpath(path, NULL);
	if (real == NULL)
		goto out;
	path = real;
	dirfd = open_parent_dir(path);
	if (dirfd < 0 || flock(dirfd, LOCK_EX) != 0)
		goto out;
	rc = read_text(path, &text, &textlen, &st, NULL, 0);
	if (rc != ASTRAL_OK)
		goto out;
	rc = parse_bytes(path, text, textlen, &d, NULL, 0);
	if (rc != ASTRAL_OK)
		goto out;
	for (i = 0; i < d.count; i++)
		if (d.entries[i]->version > max)
			max = d.entries[i]->version;
	if (max == UINT32_MAX) {
		rc = ASTRAL_ERR_CONFLICT;
		goto out;
	}
	rc = new_key_line(max + 1, &keyline, &keylen);
	if (rc != ASTRAL_OK)
		goto out;
	rc = ASTRAL_ERR_NOMEM;
	/* Every line may gain a '\n'; then the new key and 'current N'. */
	cap = textlen * 2 + 1 + keylen + 32;
	out_text = malloc(cap);
	if (out_text == NULL)
		goto out;
	copy_without_current(text, out_text, &o);
	memcpy(out_text + o, keyline, keylen);
	o += keylen;
	n = snprintf(out_text + o, cap - o, "current %u\n", (unsigned)(max + 1));
	if (n < 0 || (size_t)n >= cap - o) {
		rc = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	o += (size_t)n;
	tmpcap = strlen(path) + sizeof(KEYRING_TMP_INFIX "XXXXXX");
	tmp = malloc(tmpcap);
	if (tmp == NULL)
		goto out;
	(void)snprintf(tmp, tmpcap, "%s" KEYRING_TMP_INFIX "XXXXXX", path);
	rc = ASTRAL_ERR_IO;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) != 0)
		goto out;
	if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(fd, st.st_uid, st.st_gid) != 0)
		goto out;
	if (write_all(fd, out_text, o) != ASTRAL_OK || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	if (fsync(dirfd) != 0)
		goto out;
	*new_version = max + 1;
	rc = ASTRAL_OK;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	if (dirfd >= 0)
		close(dirfd);       /* also releases the lock */
	data_clear(&d);
	text_free(text, textlen + 1);
	text_free(out_text, cap);
	text_free(keyline, keylen);
	free(real);
	return rc;
}

/* 1 when name is base KEYRING_TMP_INFIX followed by KEYRING_TMP_RANDOM letters and digits, the
 * name mkostemp gives add_version's temporary file. */
static int
is_keyring_tmp_name(const char *name, const char *base)
{
	size_t blen = strlen(base), ilen = strlen(KEYRING_TMP_INFIX);
	const char *p;

	if (strncmp(name, base, blen) != 0 || strncmp(name + blen, KEYRING_TMP_INFIX, ilen) != 0)
		return 0;
	p = name + blen + ilen;
	if (strlen(p) != KEYRING_TMP_RANDOM)
		return 0;
	for (; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	}
	return 1;
}

astral_err
astral_keyring_remove_stale_temps(const char *path, unsigned *removed)
{
	astral_err rc = ASTRAL_ERR_IO;
	const char *base;
	char *real = NULL;
	struct dirent *e;
	DIR *d = NULL;
	int dirfd = -1, listfd;

	if (removed != NULL)
		*removed = 0;
	if (path == NULL)
		return ASTRAL_ERR_INVALID;
	/* Beside the file a symbolic link names, as add_version writes them; the keyring may not
	 * exist yet (keys init). */
	real = realpath(path, NULL);
	if (real == NULL && errno != ENOENT)
		goto out;
	if (real != NULL)
		path = real;
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	dirfd = open_parent_dir(path);
	/* add_version holds this lock while its temporary file exists: one found under it is stale. */
	if (dirfd < 0 || flock(dirfd, LOCK_EX) != 0)
		goto out;
	listfd = dup(dirfd);
	d = listfd >= 0 ? fdopendir(listfd) : NULL;
	if (d == NULL) {
		if (listfd >= 0)
			close(listfd);
		goto out;
	}
	rc = ASTRAL_OK;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (!is_keyring_tmp_name(e->d_name, base))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) != 0) {
			rc = ASTRAL_ERR_IO;
			continue;
		}
		if (removed != NULL)
			(*removed)++;
	}
	if (removed != NULL && *removed > 0 && fsync(dirfd) != 0)
		rc = ASTRAL_ERR_IO;
out:
	if (d != NULL)
		closedir(d);
	if (dirfd >= 0)
		close(dirfd);       /* also releases the lock */
	free(real);
	return rc;
}
