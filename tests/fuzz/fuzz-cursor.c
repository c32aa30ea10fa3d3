/* libFuzzer target for keyset cursors (lib/cursor.c): any token either is refused, or decodes
   into parts that each pass the part check again and re-encode to a token that decodes to the
   same parts; typed readers (integer, UUID, text) never accept what they should not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_cursor c, again, copy;
	char text[ASTRAL_CURSOR_TEXT_MAX + 2];
	char token[ASTRAL_CURSOR_TEXT_MAX + 1];
	long long v;
	const char *id;
	char name[ASTRAL_CURSOR_TEXT_PART_MAX + 1];

	if (size > ASTRAL_CURSOR_TEXT_MAX + 1)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t n = 1; n <= ASTRAL_CURSOR_MAX_PARTS; n++) {
		if (astral_cursor_decode(text, n, &c) != ASTRAL_OK)
			continue;
		if (c.n != n)
			abort();
		astral_cursor_init(&copy);
		for (size_t i = 0; i < c.n; i++) {
			if (astral_cursor_add(&copy, c.parts[i]) != ASTRAL_OK)
				abort();
			if (astral_cursor_int(&c, i, &v) == ASTRAL_OK && strspn(c.parts[i], "-0123456789") != strlen(c.parts[i]))
				abort();
			if (astral_cursor_uuid(&c, i, &id) == ASTRAL_OK && strlen(id) != 36)
				abort();
			if (astral_cursor_text(&c, i, name, sizeof(name)) == ASTRAL_OK &&
			    (name[0] == '\0' || strlen(name) > ASTRAL_CURSOR_TEXT_PART_MAX))
				abort();
		}
		if (astral_cursor_encode(&copy, token, sizeof(token)) != ASTRAL_OK)
			abort();
		if (astral_cursor_decode(token, n, &again) != ASTRAL_OK || memcmp(&again, &c, sizeof(c)) != 0)
			abort();
	}
	return 0;
}
