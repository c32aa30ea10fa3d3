/* libFuzzer target for the Range header (lib/byte_range.c): any header, against sizes from empty
   to huge, gives a part inside the file (first <= last < size), a refusal, or the whole file, and
   never touches first/last unless it gives a part. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/byte_range.h"

#define HEADER_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long long sizes[] = { 0, 1, 2, 10, 100000, 52428800, 999999999999999999LL };
	char header[HEADER_MAX + 1];

	if (size > HEADER_MAX)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		long long first = -7, last = -7;
		enum astral_byte_range kind = astral_byte_range_parse(header, sizes[i], &first, &last);

		if (kind == ASTRAL_RANGE_PART) {
			if (first < 0 || first > last || last >= sizes[i])
				abort();
		} else if (kind == ASTRAL_RANGE_WHOLE || kind == ASTRAL_RANGE_UNSATISFIABLE) {
			if (first != -7 || last != -7)
				abort();
		} else {
			abort();
		}
	}
	return 0;
}
