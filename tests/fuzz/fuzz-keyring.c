/* libFuzzer target for the keyring file (lib/keyring.c, astral_keyring_parse: what
   astral_keyring_load does once it has read the file). Any text either gives a keyring whose
   current version has a key, or is refused with a message naming the file that never echoes a
   token of the text long enough to be key material; nothing leaks (the keys are freed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz-keyring"
/* Shorter than any base64 key (44 characters), longer than any word of the messages. */
#define FUZZ_SECRET_MIN 16

/* abort() when err holds a blank-separated token of text of FUZZ_SECRET_MIN bytes or more. */
static void
fuzz_check_not_echoed(const char *err, const uint8_t *text, size_t size)
{
	char token[64];
	size_t i = 0;

	while (i < size) {
		size_t start, n;

		while (i < size && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
			i++;
		start = i;
		while (i < size && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			i++;
		n = i - start;
		if (n < FUZZ_SECRET_MIN || memchr(text + start, '\0', n) != NULL)
			continue;
		/* A longer token is found by its first bytes as well. */
		if (n >= sizeof(token))
			n = sizeof(token) - 1;
		memcpy(token, text + start, n);
		token[n] = '\0';
		if (strstr(err, token) != NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_keyring *kr = NULL;
	char err[512];
	uint32_t current;
	astral_err rc;

	rc = astral_keyring_parse(FUZZ_NAME, (const char *)data, size, &kr, err, sizeof(err));
	if (rc != ASTRAL_OK) {
		if (kr != NULL || (rc != ASTRAL_ERR_CONFIG && rc != ASTRAL_ERR_NOMEM))
			abort();
		if (memchr(err, '\0', sizeof(err)) == NULL || strncmp(err, FUZZ_NAME, strlen(FUZZ_NAME)) != 0)
			abort();  /* every refusal names the file */
		fuzz_check_not_echoed(err, data, size);
		return 0;
	}
	current = astral_keyring_current(kr);
	if (kr == NULL || current == 0 || astral_keyring_key(kr, current) == NULL || astral_keyring_key(kr, 0) != NULL)
		abort();
	/* No file behind it: a reload fails and the keys stay. */
	if (astral_keyring_reload(kr) == ASTRAL_OK || astral_keyring_error(kr)[0] == '\0' ||
	    astral_keyring_key(kr, current) == NULL || astral_keyring_current(kr) != current)
		abort();
	astral_keyring_free(kr);
	return 0;
}
