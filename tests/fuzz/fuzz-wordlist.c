/* libFuzzer target for the common-password list (lib/password.c, astral_wordlist_read: what
   astral_wordlist_load does with the file auth.common_passwords_file names), read from the input
   through fmemopen. Each line's word (up to a NUL, trimmed of white space, neither empty nor a
   '#' comment) is in the list whatever its case, the list holds as many words as there are
   distinct ones lower-cased, and the password policy refuses a word of the list as too common
   whenever it would accept it otherwise. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of text (NUL-terminated lines copied out of data), lower-cased, as a new array. */
static size_t
fuzz_words(const uint8_t *data, size_t size, char ***out)
{
	char **words = calloc(size / 2 + 1, sizeof(*words));
	size_t n = 0, at = 0;

	if (words == NULL)
		abort();
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
		char *line = strndup((const char *)data + at, len), *start = line, *end;

		if (line == NULL)
			abort();
		at += len + 1;
		end = line + strlen(line);
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		while (isspace((unsigned char)*start))
			start++;
		if (*start == '\0' || *start == '#') {
			free(line);
			continue;
		}
		memmove(line, start, strlen(start) + 1);
		for (char *p = line; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		words[n++] = line;
	}
	*out = words;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_wordlist *list = NULL;
	char **words, *copy = malloc(size ? size : 1);  /* fmemopen takes a buffer it may write */
	size_t n, distinct = 0;
	FILE *fp;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	fp = fmemopen(copy, size, "r");
	if (fp == NULL)
		abort();
	if (astral_wordlist_read(fp, &list) != ASTRAL_OK || list == NULL)
		abort();  /* memory does not fail to read */
	fclose(fp);
	free(copy);
	n = fuzz_words(data, size, &words);
	qsort(words, n, sizeof(*words), fuzz_cmp);
	for (size_t i = 0; i < n; i++) {
		distinct += i == 0 || strcmp(words[i - 1], words[i]) != 0;
		if (strlen(words[i]) <= ASTRAL_PASSWORD_MAX_BYTES && !astral_wordlist_contains(list, words[i]))
			abort();
		if (astral_password_policy_problem(NULL, words[i]) == NULL &&
		    (astral_password_policy_problem(list, words[i]) == NULL ||
		     strcmp(astral_password_policy_problem(list, words[i]), "is too common") != 0))
			abort();
	}
	if (astral_wordlist_count(list) != distinct)
		abort();
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	astral_wordlist_free(list);
	return 0;
}
