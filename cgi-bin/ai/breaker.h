/*
 * The AI provider's circuit breaker, shared by every worker of the program.
 *
 * After `failures` consecutive failed calls (counted across all workers) no worker calls the
 * provider for `cooldown_ms`; then exactly one worker makes a trial call while the others keep
 * answering with the fallback, and its outcome closes the breaker or opens it again. A provider
 * that hangs therefore costs `failures` timeouts in all, not that many per worker, and one trial
 * per cooldown, not one per worker.
 *
 * The state is a few counters in a file mapped by every worker (ai.breaker_file, on tmpfs under
 * systemd's RuntimeDirectory). When the file cannot be opened the breaker keeps its state in the
 * process, as one worker's own, and says so once in the log. docs/ai.md, "Circuit breaker".
 */
#ifndef ASTRAL_AI_BREAKER_H
#define ASTRAL_AI_BREAKER_H

#include <stdint.h>

#include "error.h"

struct ai_breaker;

enum ai_breaker_admit {
	AI_BREAKER_ADMIT_CALL,   /* closed: call */
	AI_BREAKER_ADMIT_TRIAL,  /* the cooldown is over and this worker makes the one trial call */
	AI_BREAKER_ADMIT_REFUSE  /* open, or another worker's trial call is under way: do not call */
};

/* A breaker on the state file at `path` (NULL: in the process only). `trial_ms` is how long a
   trial call may take (the provider timeout): a trial not reported by then is given up and the
   next caller makes another. ASTRAL_ERR_NOMEM only; a file that cannot be used is logged and the
   process keeps its own state. */
astral_err ai_breaker_open(const char *path, long long failures, long long cooldown_ms, long long trial_ms,
                           struct ai_breaker **out) ASTRAL_MUST_USE;
void ai_breaker_close(struct ai_breaker *b);

/* Whether a call may go out at `now_ms` (milliseconds since the epoch, CLOCK_REALTIME). */
enum ai_breaker_admit ai_breaker_admit(struct ai_breaker *b, int64_t now_ms);

/* The outcome of a call that was admitted: `ok` (the provider answered, a safety block included)
   closes the breaker; a failure counts towards opening it, and a failed trial opens it again. */
void ai_breaker_record(struct ai_breaker *b, int ok, int trial, int64_t now_ms);

/* Whether calls are refused at `now_ms` (for /api/ai/status): open, and the cooldown not over or
   a trial call under way. */
int ai_breaker_is_open(const struct ai_breaker *b, int64_t now_ms);

/* Whether the state is shared through the file (0: this process's own). */
int ai_breaker_shared(const struct ai_breaker *b);

int64_t ai_breaker_now_ms(void);

#endif
