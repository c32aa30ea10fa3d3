/* Password hashing (argon2id, OWASP parameters) and password policy. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>

#include "password.h"
#include "random.h"

/* Length in characters of unpadded base64 for n bytes. */
#define B64_NOPAD_LEN(n) (((n) * 4 + 2) / 3)

struct astral_wordlist {
	char **words;
	size_t count;
};

/* Reads a decimal uint32 at *s (no sign, no leading zero) and advances *s. */
static int
parse_u32(const char **s, uint32_t *v)
{
	const char *p = *s;
	uint64_t acc = 0;

	if (*p < '0' || *p > '9')
		return -1;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		acc = acc * 10 + (uint64_t)(*p - '0');
		if (acc > UINT32_MAX)
			return -1;
		p++;
	}
	*v = (uint32_t)acc;
	*s = p;
	return 0;
}

static int
expect(const char **s, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*s, lit, n) != 0)
		return -1;
	*s += n;
	return 0;
}

/* Length of a run of unpadded standard-base64 characters at s. */
static size_t
b64_run(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '/')
		n++;
	return n;
}

/* Parses "$<type>$[v=<n>$]m=<n>,t=<n>,p=<n>$<salt>$<tag>": see password.h. */
int
astral_password_phc_parse(const char *s, struct astral_phc *pp)
{
	memset(pp, 0, sizeof(*pp));
	if (s == NULL)
		return -1;
	if (expect(&s, "$argon2id$") == 0)
		pp->is_argon2id = 1;
	else if (expect(&s, "$argon2i$") != 0 && expect(&s, "$argon2d$") != 0)
		goto bad;
	pp->version = 0x10;
	if (expect(&s, "v=") == 0) {
		if (parse_u32(&s, &pp->version) != 0 || expect(&s, "$") != 0)
			goto bad;
	}
	if (expect(&s, "m=") != 0 || parse_u32(&s, &pp->m) != 0 ||
	    expect(&s, ",t=") != 0 || parse_u32(&s, &pp->t) != 0 ||
	    expect(&s, ",p=") != 0 || parse_u32(&s, &pp->p) != 0 ||
	    expect(&s, "$") != 0)
		goto bad;
	pp->salt_chars = b64_run(s);
	s += pp->salt_chars;
	if (expect(&s, "$") != 0)
		goto bad;
	pp->tag_chars = b64_run(s);
	s += pp->tag_chars;
	if (*s != '\0' || pp->salt_chars == 0 || pp->tag_chars == 0)
		goto bad;
	return 0;
bad:
	memset(pp, 0, sizeof(*pp));
	return -1;
}

static astral_err
argon2_to_astral(int rc)
{
	switch (rc) {
	case ARGON2_OK:
		return ASTRAL_OK;
	case ARGON2_VERIFY_MISMATCH:
		return ASTRAL_ERR_UNAUTHORIZED;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		return ASTRAL_ERR_NOMEM;
	case ARGON2_THREAD_FAIL:
	case ARGON2_INCORRECT_PARAMETER:
	case ARGON2_INCORRECT_TYPE:
	case ARGON2_ENCODING_FAIL:
		return ASTRAL_ERR_INTERNAL;
	default:
		return ASTRAL_ERR_INVALID;
	}
}

astral_err
astral_password_hash(const char *password, char **encoded)
{
	astral_err err;
	unsigned char salt[ASTRAL_ARGON2_SALT_LEN];
	char *buf = NULL;
	size_t pwlen, buflen;
	int rc;

	*encoded = NULL;
	if (password == NULL) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	pwlen = strlen(password);
	if (pwlen > ASTRAL_PASSWORD_MAX_BYTES) {
		err = ASTRAL_ERR_TOO_LARGE;
		goto out;
	}
	err = astral_random_bytes(salt, sizeof(salt));
	if (err != ASTRAL_OK)
		goto out;
	buflen = argon2_encodedlen(ASTRAL_ARGON2_T_COST, ASTRAL_ARGON2_M_COST,
	    ASTRAL_ARGON2_PARALLEL, ASTRAL_ARGON2_SALT_LEN, ASTRAL_ARGON2_TAG_LEN,
	    Argon2_id) + 1;
	buf = malloc(buflen);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	rc = argon2id_hash_encoded(ASTRAL_ARGON2_T_COST, ASTRAL_ARGON2_M_COST,
	    ASTRAL_ARGON2_PARALLEL, password, pwlen, salt, sizeof(salt),
	    ASTRAL_ARGON2_TAG_LEN, buf, buflen);
	if (rc != ARGON2_OK) {
		err = rc == ARGON2_MEMORY_ALLOCATION_ERROR ? ASTRAL_ERR_NOMEM : ASTRAL_ERR_INTERNAL;
		goto out;
	}
	*encoded = buf;
	buf = NULL;
	err = ASTRAL_OK;
out:
	OPENSSL_cleanse(salt, sizeof(salt));
	free(buf);
	return err;
}

astral_err
astral_password_verify(const char *encoded, const char *password)
{
	struct astral_phc pp;

	if (encoded == NULL || password == NULL)
		return ASTRAL_ERR_INVALID;
	if (astral_password_phc_parse(encoded, &pp) != 0 || !pp.is_argon2id)
		return ASTRAL_ERR_INVALID;
	if (pp.m > ASTRAL_PHC_MAX_M_COST || pp.t > ASTRAL_PHC_MAX_T_COST || pp.p > ASTRAL_PHC_MAX_PARALLEL)
		return ASTRAL_ERR_INVALID;
	return argon2_to_astral(argon2id_verify(encoded, password, strlen(password)));
}

int
astral_password_needs_rehash(const char *encoded)
{
	struct astral_phc pp;

	if (astral_password_phc_parse(encoded, &pp) != 0)
		return 1;
	return !pp.is_argon2id || pp.version != ARGON2_VERSION_13 ||
	    pp.m < ASTRAL_ARGON2_M_COST || pp.t < ASTRAL_ARGON2_T_COST ||
	    pp.p < ASTRAL_ARGON2_PARALLEL ||
	    pp.salt_chars < B64_NOPAD_LEN(ASTRAL_ARGON2_SALT_LEN) ||
	    pp.tag_chars < B64_NOPAD_LEN(ASTRAL_ARGON2_TAG_LEN);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void
dummy_hash_make(void)
{
	char *token = astral_random_token(18);
	char *hash = NULL;

	if (token != NULL && astral_password_hash(token, &hash) == ASTRAL_OK)
		dummy_hash = hash;
	if (token != NULL) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
}

void
astral_password_burn(const char *password)
{
	char *hash = NULL;

	if (password == NULL)
		password = "";
	(void)pthread_once(&dummy_once, dummy_hash_make);
	if (dummy_hash != NULL) {
		(void)argon2id_verify(dummy_hash, password, strlen(password));
		return;
	}
	/* No dummy could be made: a fresh hash costs the same. */
	if (astral_password_hash(password, &hash) == ASTRAL_OK)
		free(hash);
}

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int
cmp_words(const void *a, const void *b)
{
	const char *const *wa = a;
	const char *const *wb = b;

	return strcmp(*wa, *wb);
}

astral_err
astral_wordlist_read(FILE *fp, struct astral_wordlist **out)
{
	astral_err err = ASTRAL_ERR_NOMEM;
	struct astral_wordlist *list = NULL;
	char *line = NULL;
	size_t linecap = 0, cap = 0, i, j;
	ssize_t n;

	*out = NULL;
	list = calloc(1, sizeof(*list));
	if (list == NULL)
		goto out;
	while ((n = getline(&line, &linecap, fp)) != -1) {
		char *start = line, *end = line + strlen(line), *word;

		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		while (isspace((unsigned char)*start))
			start++;
		if (*start == '\0' || *start == '#')
			continue;
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			char **nw = realloc(list->words, ncap * sizeof(*nw));
			if (nw == NULL)
				goto out;
			list->words = nw;
			cap = ncap;
		}
		word = strdup(start);
		if (word == NULL)
			goto out;
		ascii_lower(word);
		list->words[list->count++] = word;
	}
	if (ferror(fp)) {
		err = ASTRAL_ERR_IO;
		goto out;
	}
	if (list->count > 0)
		qsort(list->words, list->count, sizeof(*list->words), cmp_words);
	/* Drop duplicates so that the list is strictly ordered. */
	for (i = 0, j = 0; i < list->count; i++) {
		if (j > 0 && strcmp(list->words[j - 1], list->words[i]) == 0)
			free(list->words[i]);
		else
			list->words[j++] = list->words[i];
	}
	list->count = j;
	*out = list;
	list = NULL;
	err = ASTRAL_OK;
out:
	free(line);
	astral_wordlist_free(list);
	return err;
}

astral_err
astral_wordlist_load(const char *path, struct astral_wordlist **out)
{
	astral_err err;
	FILE *fp;

	*out = NULL;
	if (path == NULL)
		return ASTRAL_ERR_INVALID;
	fp = fopen(path, "re");
	if (fp == NULL)
		return errno == ENOENT ? ASTRAL_ERR_NOT_FOUND : ASTRAL_ERR_IO;
	err = astral_wordlist_read(fp, out);
	fclose(fp);
	return err;
}

size_t
astral_wordlist_count(const struct astral_wordlist *list)
{
	return list == NULL ? 0 : list->count;
}

int
astral_wordlist_contains(const struct astral_wordlist *list, const char *word)
{
	char buf[ASTRAL_PASSWORD_MAX_BYTES + 1];
	const char *key = buf;
	size_t len;

	if (list == NULL || word == NULL || list->count == 0)
		return 0;
	len = strlen(word);
	if (len >= sizeof(buf))
		return 0;       /* longer than any password we accept */
	memcpy(buf, word, len + 1);
	ascii_lower(buf);
	return bsearch(&key, list->words, list->count, sizeof(*list->words), cmp_words) != NULL;
}

void
astral_wordlist_free(struct astral_wordlist *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->count; i++)
		free(list->words[i]);
	free(list->words);
	free(list);
}

/*
 * Walks s as UTF-8.  Returns -1 on malformed UTF-8, 1 if a control
 * character (C0, DEL or C1) occurs, else 0 with the code point count in *chars.
 */
static int
utf8_scan(const unsigned char *s, size_t *chars)
{
	size_t count = 0;

	while (*s != '\0') {
		uint32_t cp;
		int extra, i;

		if (s[0] < 0x80) {
			cp = s[0];
			extra = 0;
		} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
			cp = s[0] & 0x1f;
			extra = 1;
		} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
			cp = s[0] & 0x0f;
			extra = 2;
		} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
			cp = s[0] & 0x07;
			extra = 3;
		} else {
			return -1;
		}
		for (i = 1; i <= extra; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return -1;      /* also catches the terminating NUL */
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 1;
		s += extra + 1;
		count++;
	}
	*chars = count;
	return 0;
}

const char *
astral_password_policy_problem(const struct astral_wordlist *common, const char *password)
{
	size_t chars = 0;
	int rc;

	if (password == NULL)
		return "must be at least 8 characters";
	if (strlen(password) > ASTRAL_PASSWORD_MAX_BYTES)
		return "must be at most 256 bytes";
	rc = utf8_scan((const unsigned char *)password, &chars);
	if (rc < 0)
		return "must be valid UTF-8";
	if (rc > 0)
		return "must not contain control characters";
	if (chars < ASTRAL_PASSWORD_MIN_BYTES)
		return "must be at least 8 characters";
	if (astral_wordlist_contains(common, password))
		return "is too common";
	return NULL;
}
