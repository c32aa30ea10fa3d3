/*
 * How long the crisis detector takes on a 5000-character post (the longest a post may be), with
 * one phrase near its end. Built and run by bench/run; a measurement, never a test.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crisis.h"

int
main(void)
{
	static const char para[] = "Today was hard. I went to work, came home and felt tired and a bit low, "
	    "but I talked to a friend and we laughed about the cat. Tomorrow I will try to rest. ";
	static char text[5001];
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
	printf("crisis detector, 5000-character post: %.1f us per screen (%d screens)\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / rounds, rounds);
	return 0;
}
