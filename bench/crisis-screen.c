/*
 * How long the crisis detector takes on a 5000-character post (the longest a post may be), with
 * one phrase near its end; then the detector time of a companion reply streamed in 4-character
 * pieces, screened at each piece whole (as on_piece did) and with the streaming screen. Built and
 * run by bench/run; a measurement, never a test.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crisis.h"

static double
elapsed_us(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e6 + (double)(t1->tv_nsec - t0->tv_nsec) / 1e3;
}

/* Detector microseconds for one reply of `len` bytes fed in `piece`-byte pieces, averaged over
   `rounds` replies; -1 when a screen fails or flags (the text is benign). */
static double
streamed_us(const char *text, size_t len, size_t piece, int whole, int rounds)
{
	struct timespec t0, t1;
	struct astral_crisis_result r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++) {
		struct astral_crisis_stream st = { 0 };

		for (size_t at = piece < len ? piece : len;; at = at + piece < len ? at + piece : len) {
			astral_err err = whole ? astral_crisis_screen(text, at, &r) : astral_crisis_stream_feed(&st, text, at, &r);

			if (err != ASTRAL_OK || r.severity != ASTRAL_CRISIS_NONE)
				return -1;
			if (at == len)
				break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return elapsed_us(&t0, &t1) / rounds;
}

int
main(void)
{
	static const char para[] = "Today was hard. I went to work, came home and felt tired and a bit low, "
	    "but I talked to a friend and we laughed about the cat. Tomorrow I will try to rest. ";
	static const char reply[] = "That sounds like a really heavy day, and it makes sense that you feel worn out. "
	    "Talking to your friend and laughing about the cat was a kind thing to do for yourself. "
	    "Would it help to plan one small, restful thing for tomorrow morning? ";
	static const char run_on[] = "and then we talked about the garden and the weather and the trains ";
	static const size_t lens[] = { 800, 4000 };
	static char text[5001], streamed[4001], unpunctuated[4001];
	struct timespec t0, t1;
	struct astral_crisis_result r;
	const int rounds = 10000;

	for (size_t i = 0; i < 5000; i++)
		text[i] = para[i % (sizeof(para) - 1)];
	memcpy(text + 4000, " I want to die ", 15);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++)
		if (astral_crisis_screen(text, 5000, &r) != ASTRAL_OK || r.severity != ASTRAL_CRISIS_HIGH)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("crisis detector, 5000-character post: %.1f us per screen (%d screens)\n", elapsed_us(&t0, &t1) / rounds,
	       rounds);

	for (size_t i = 0; i < 4000; i++) {
		streamed[i] = reply[i % (sizeof(reply) - 1)];
		unpunctuated[i] = run_on[i % (sizeof(run_on) - 1)];
	}
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		int n = lens[k] > 1000 ? 10 : 50;
		double whole = streamed_us(streamed, lens[k], 4, 1, n), stream = streamed_us(streamed, lens[k], 4, 0, n);

		if (whole < 0 || stream < 0)
			return 1;
		printf("companion reply, %zu characters in 4-character pieces: %.0f us screening the whole text at each "
		       "piece, %.0f us with the streaming screen\n", lens[k], whole, stream);
	}
	{
		double whole = streamed_us(unpunctuated, 4000, 4, 1, 10), stream = streamed_us(unpunctuated, 4000, 4, 0, 10);

		if (whole < 0 || stream < 0)
			return 1;
		printf("companion reply, 4000 characters without a sentence end, 4-character pieces: %.0f us whole, "
		       "%.0f us streaming (window capped at %d bytes)\n", whole, stream, ASTRAL_CRISIS_STREAM_CAP);
	}
	return 0;
}
