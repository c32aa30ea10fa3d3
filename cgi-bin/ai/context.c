/* What goes with a model call from a conversation: its newest turns, within AI_CONTEXT_BYTES. A
   long conversation sent whole would pass a small model's context, and the provider would refuse
   every call made with it (docs/ai.md, "A request's path", step 2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"

size_t
ai_context_keep_newest(struct ai_turn *t, size_t k)
{
	size_t from, total;

	if (k == 0)
		return 0;
	from = k - 1;
	total = strlen(t[k - 1].text);
	while (from > 0 && total + strlen(t[from - 1].text) <= AI_CONTEXT_BYTES)
		total += strlen(t[--from].text);
	while (from < k - 1 && t[from].speaker == AI_SPEAKER_MODEL)
		from++;
	for (size_t i = 0; i < from; i++)
		free((char *)(uintptr_t)t[i].text);
	memmove(t, t + from, (k - from) * sizeof(*t));
	return k - from;
}
