/* libFuzzer target for astral_crisis_screen: valid UTF-8 is screened and the result keeps every
   documented invariant (severity is the max of the reasons, reasons sorted and capped at 8, rule
   ids from the static table and never the input); anything else is refused with INVALID.
   The same text is then fed to the streaming screen in pieces split at random (seeded by the
   input, so a replay splits alike): each window ends at the text's end and re-reads at most
   ASTRAL_CRISIS_STREAM_CAP bytes before the piece, each result keeps the invariants, and for a
   text the cap cannot cut the stream first flags at the piece where the whole text first does. */
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

/* xorshift: piece lengths from a seed taken from the input. */
static uint32_t
fuzz_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void
fuzz_stream(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct astral_crisis_stream st = { 0 };
	struct astral_crisis_result r;
	uint32_t seed = 2166136261u;
	size_t at = 0, piece = 0, stream_at = 0, whole_at = 0, i;
	/* Up to the cap no window is cut, and the whole text holds too few words to fill the
	   detector's signal table: there the stream must agree with the whole text exactly. */
	int exact = size <= ASTRAL_CRISIS_STREAM_CAP;
	/* Longer texts (the 63 KB seed) in fewer, longer pieces, so that each run stays quick. */
	size_t longest = exact ? 24 : size / 32;

	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	seed |= 1;
	while (at < size && stream_at == 0) {
		size_t old = at;

		at += 1 + fuzz_next(&seed) % longest;
		if (at > size)
			at = size;
		while (at < size && (data[at] & 0xC0) == 0x80)
			at++;
		piece++;
		if (astral_crisis_stream_feed(&st, text, at, &r) != ASTRAL_OK)
			abort();
		fuzz_check_result(&r, data, size);
		if (st.fed != at || st.window_start + st.window_len != at || st.window_start > old ||
		    old - st.window_start > ASTRAL_CRISIS_STREAM_CAP || (exact && st.capped))
			abort();
		if (r.severity != ASTRAL_CRISIS_NONE)
			stream_at = piece;
		if (exact && whole_at == 0) {
			if (astral_crisis_screen(text, at, &r) != ASTRAL_OK)
				abort();
			if (r.severity != ASTRAL_CRISIS_NONE)
				whole_at = piece;
		}
	}
	if (exact && stream_at != whole_at)
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
		fuzz_stream(data, size);
	} else if (rc != ASTRAL_ERR_INVALID || r.severity != ASTRAL_CRISIS_NONE || r.nreasons != 0) {
		abort();
	}
	return 0;
}
