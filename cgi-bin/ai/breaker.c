/*
 * The circuit breaker's state, shared through a mapped file: three counters read and written with
 * atomic operations, so no lock is held and a worker that dies mid-call leaves nothing held (a
 * trial it claimed expires after trial_ms). A file of zeros is a closed breaker, so a new file
 * needs no initialising. Times are CLOCK_REALTIME milliseconds, the one clock every process
 * reads alike; a value further ahead than the breaker could have set it (the clock was set back,
 * or the file outlived a reboot outside tmpfs) counts as passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "breaker.h"
#include "log.h"

struct ai_breaker_state {
	int64_t failures;        /* consecutive failed calls, across the workers */
	int64_t open_until_ms;   /* 0: closed; else calls are refused until then, and a trial follows */
	int64_t trial_until_ms;  /* a trial call is under way until then (0: none) */
};

struct ai_breaker {
	struct ai_breaker_state *state;   /* the mapped file's, or `own` */
	struct ai_breaker_state own;
	int shared;
	long long failures, cooldown_ms, trial_ms;
};

int64_t
ai_breaker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The state file mapped, or NULL (errno set): a regular file of ours, never a link. */
static struct ai_breaker_state *
map_state(const char *path)
{
	struct ai_breaker_state *s;
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	/* Every worker may extend it at once: each extends to the same size, with zeros. */
	if ((size_t)st.st_size < sizeof(*s) && ftruncate(fd, (off_t)sizeof(*s)) < 0) {
		close(fd);
		return NULL;
	}
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return s == MAP_FAILED ? NULL : s;
}

astral_err
ai_breaker_open(const char *path, long long failures, long long cooldown_ms, long long trial_ms,
                struct ai_breaker **out)
{
	struct ai_breaker *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (b == NULL)
		return ASTRAL_ERR_NOMEM;
	b->failures = failures > 0 ? failures : 1;
	b->cooldown_ms = cooldown_ms > 0 ? cooldown_ms : 1;
	b->trial_ms = trial_ms > 0 ? trial_ms : 1;
	b->state = &b->own;
	if (path != NULL && path[0] != '\0') {
		struct ai_breaker_state *s = map_state(path);

		if (s != NULL) {
			b->state = s;
			b->shared = 1;
		} else {
			astral_log(ASTRAL_LOG_WARN, "ai breaker: cannot share its state through %s (%s); this worker "
			           "keeps its own", path, strerror(errno));
		}
	}
	*out = b;
	return ASTRAL_OK;
}

void
ai_breaker_close(struct ai_breaker *b)
{
	if (b == NULL)
		return;
	if (b->shared)
		munmap(b->state, sizeof(*b->state));
	free(b);
}

static int64_t
load(const int64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static void
store(int64_t *v, int64_t x)
{
	__atomic_store_n(v, x, __ATOMIC_RELEASE);
}

/* `until` is still ahead of now, and no further ahead than `span` could have put it. */
static int
ahead(int64_t until, int64_t now_ms, long long span)
{
	return until > now_ms && until - now_ms <= span;
}

/* The cooldown is not over. */
static int
cooling(const struct ai_breaker *b, int64_t now_ms)
{
	return ahead(load(&b->state->open_until_ms), now_ms, b->cooldown_ms);
}

int
ai_breaker_is_open(const struct ai_breaker *b, int64_t now_ms)
{
	if (b == NULL || load(&b->state->open_until_ms) == 0)
		return 0;
	/* While another worker's trial call is under way, calls are refused too. */
	return cooling(b, now_ms) || ahead(load(&b->state->trial_until_ms), now_ms, b->trial_ms);
}

enum ai_breaker_admit
ai_breaker_admit(struct ai_breaker *b, int64_t now_ms)
{
	struct ai_breaker_state *s = b->state;
	int64_t trial;

	if (load(&s->open_until_ms) == 0)
		return AI_BREAKER_ADMIT_CALL;
	if (cooling(b, now_ms))
		return AI_BREAKER_ADMIT_REFUSE;
	/* The cooldown is over: the first to claim the trial makes it; a claim not reported within
	   trial_ms (its worker died) is taken over. */
	trial = load(&s->trial_until_ms);
	if (ahead(trial, now_ms, b->trial_ms))
		return AI_BREAKER_ADMIT_REFUSE;
	if (!__atomic_compare_exchange_n(&s->trial_until_ms, &trial, now_ms + b->trial_ms, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return AI_BREAKER_ADMIT_REFUSE;
	return AI_BREAKER_ADMIT_TRIAL;
}

void
ai_breaker_record(struct ai_breaker *b, int ok, int trial, int64_t now_ms)
{
	struct ai_breaker_state *s = b->state;
	int64_t failed;

	if (ok) {
		if (trial)
			astral_log(ASTRAL_LOG_INFO, "ai breaker closed: the trial call succeeded");
		if (load(&s->failures) != 0)
			store(&s->failures, 0);
		if (load(&s->open_until_ms) != 0) {
			store(&s->open_until_ms, 0);
			store(&s->trial_until_ms, 0);
		}
		return;
	}
	failed = __atomic_add_fetch(&s->failures, 1, __ATOMIC_ACQ_REL);
	/* Calls admitted before it opened may still fail after: they do not extend the cooldown. */
	if (trial || (failed >= b->failures && load(&s->open_until_ms) == 0)) {
		store(&s->open_until_ms, now_ms + b->cooldown_ms);
		store(&s->trial_until_ms, 0);
		astral_log(ASTRAL_LOG_WARN, "ai breaker open for %llds after %lld consecutive failures%s%s",
		           b->cooldown_ms / 1000, (long long)failed, trial ? " (the trial call failed)" : "",
		           b->shared ? "" : " (this worker only)");
	}
}

int
ai_breaker_shared(const struct ai_breaker *b)
{
	return b != NULL && b->shared;
}
