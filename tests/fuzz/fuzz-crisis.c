/* libFuzzer target for astral_crisis_screen: valid UTF-8 is screened and the result keeps every
   documented invariant (severity is the max of the reasons, reasons sorted and capped at 8, rule
   ids from the static table and never the input); anything else is refused with INVALID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/crisis.h"
#include "../../lib/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_rule_id_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '.'))
			return 0;
	return n <= 64;
}

static void
fuzz_check_result(const struct astral_crisis_result *r, const uint8_t *data, size_t size)
{
	enum astral_crisis_severity max = ASTRAL_CRISIS_NONE;
	unsigned cats = 0;
	size_t i;

	if (r->nreasons > ASTRAL_CRISIS_MAX_REASONS || r->severity > ASTRAL_CRISIS_HIGH)
		abort();
	for (i = 0; i < r->nreasons; i++) {
		const struct astral_crisis_reason *re = &r->reasons[i];

		if (re->severity < ASTRAL_CRISIS_LOW || re->severity > ASTRAL_CRISIS_HIGH)
			abort();
		if (i > 0 && re->severity > r->reasons[i - 1].severity)
			abort();
		if (re->category != ASTRAL_CRISIS_SUICIDE && re->category != ASTRAL_CRISIS_SELF_HARM &&
		    re->category != ASTRAL_CRISIS_DANGER && re->category != ASTRAL_CRISIS_DISTRESS)
			abort();
		if (!fuzz_rule_id_ok(re->rule))
			abort();
		if ((const uint8_t *)re->rule >= data && (const uint8_t *)re->rule < data + size)
			abort();
		if (re->severity > max)
			max = re->severity;
		cats |= re->category;
	}
	if (r->severity != max || (cats & ~r->categories) != 0 || (r->nreasons == 0 && r->categories != 0))
		abort();
	if (r->nreasons > 0 && r->severity != r->reasons[0].severity)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_crisis_result r;
	astral_err rc;

	rc = astral_crisis_screen((const char *)data, size, &r);
	if (astral_utf8_valid((const char *)data, size)) {
		if (rc != ASTRAL_OK)
			abort();
		fuzz_check_result(&r, data, size);
	} else if (rc != ASTRAL_ERR_INVALID || r.severity != ASTRAL_CRISIS_NONE || r.nreasons != 0) {
		abort();
	}
	return 0;
}
