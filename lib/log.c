/* One line per event, every byte of it safe to show on a terminal or store in the journal. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_FIELD_MAX 80      /* request id, remote address */
#define LOG_PROGRAM_MAX 64
#define LOG_ROUTE_MAX 256

/* Set once at start-up, before any thread: the program, the level, the sink. */
static struct {
	char program[LOG_PROGRAM_MAX];
	enum astral_log_level level;
	FILE *sink;
} log_state = { "astral", ASTRAL_LOG_INFO, NULL };

/* Per request, on the thread serving it; astral_log_set_request(NULL, NULL) clears it. */
static _Thread_local struct {
	char request_id[LOG_FIELD_MAX];
	char remote_addr[LOG_FIELD_MAX];
} log_request;

static const char *const log_level_names[] = {
	[ASTRAL_LOG_ERROR] = "error",
	[ASTRAL_LOG_WARN] = "warn",
	[ASTRAL_LOG_INFO] = "info",
	[ASTRAL_LOG_DEBUG] = "debug",
};
#define LOG_N_LEVELS (sizeof(log_level_names) / sizeof(log_level_names[0]))

const char *
astral_log_level_name(enum astral_log_level level)
{
	if ((unsigned)level >= LOG_N_LEVELS)
		return "?";
	return log_level_names[level];
}

int
astral_log_level_parse(const char *s)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < LOG_N_LEVELS; i++) {
		if (strcmp(s, log_level_names[i]) == 0)
			return (int)i;
	}
	return -1;
}

/* A one-word field (program, request id, address, method, route): printable ASCII other than
   space is kept, everything else becomes '?'; cut to fit dst. Empty or NULL is left empty. */
static void
log_copy_word(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	if (src) {
		for (; src[i] != '\0' && i + 1 < dstlen; i++) {
			unsigned char ch = (unsigned char)src[i];

			dst[i] = (ch > 0x20 && ch < 0x7f) ? (char)ch : '?';
		}
	}
	dst[i] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes available), 0 if the bytes there are
   not valid UTF-8, or -1 if n ends inside what could still be a valid sequence. */
static int
log_utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;          /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;          /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;          /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;          /* above U+10FFFF */
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* Copy src into dst (room for cap bytes, no terminator written) replacing C0 controls, DEL, C1
   controls and invalid UTF-8 with '?'. Stops before a character that does not fit whole. Returns
   the number of bytes written. */
static size_t
log_clean_message(char *dst, size_t cap, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t in = 0, out = 0;

	while (in < srclen) {
		int len = log_utf8_sequence(s + in, srclen - in);

		if (len < 0)
			break;  /* the formatter cut a character in half */
		if (len == 0 || s[in] < 0x20 || s[in] == 0x7f ||
		    (len == 2 && s[in] == 0xc2 && s[in + 1] < 0xa0)) {
			if (out + 1 > cap)
				break;
			dst[out++] = '?';
			in += len == 0 ? 1 : (size_t)len;
			continue;
		}
		if (out + (size_t)len > cap)
			break;
		memcpy(dst + out, s + in, (size_t)len);
		out += (size_t)len;
		in += (size_t)len;
	}
	return out;
}

static void
log_write_line(enum astral_log_level level, const char *msg, size_t msglen)
{
	char line[ASTRAL_LOG_LINE_MAX];
	FILE *sink = log_state.sink ? log_state.sink : stderr;
	int n;
	size_t used;

	n = snprintf(line, sizeof(line), "%s[%ld] level=%s req=%s addr=%s ", log_state.program,
	    (long)getpid(), astral_log_level_name(level),
	    log_request.request_id[0] ? log_request.request_id : "-",
	    log_request.remote_addr[0] ? log_request.remote_addr : "-");
	if (n < 0)
		return;
	used = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 1;
	used += log_clean_message(line + used, sizeof(line) - 1 - used, msg, msglen);
	line[used++] = '\n';
	(void)fwrite(line, 1, used, sink);
	(void)fflush(sink);
}

void
astral_log_init(const char *program, enum astral_log_level level)
{
	const char *base = program ? strrchr(program, '/') : NULL;

	log_copy_word(log_state.program, sizeof(log_state.program),
	    base ? base + 1 : (program && program[0] ? program : "astral"));
	if (log_state.program[0] == '\0')
		log_copy_word(log_state.program, sizeof(log_state.program), "astral");
	log_state.level = (unsigned)level < LOG_N_LEVELS ? level : ASTRAL_LOG_INFO;
}

void
astral_log_set_sink(FILE *f)
{
	log_state.sink = f;
}

void
astral_log_set_request(const char *request_id, const char *remote_addr)
{
	log_copy_word(log_request.request_id, sizeof(log_request.request_id), request_id);
	log_copy_word(log_request.remote_addr, sizeof(log_request.remote_addr), remote_addr);
}

void
astral_log(enum astral_log_level level, const char *fmt, ...)
{
	char msg[ASTRAL_LOG_LINE_MAX];
	va_list ap;
	int saved_errno = errno, n;

	if ((unsigned)level >= LOG_N_LEVELS)
		level = ASTRAL_LOG_ERROR;
	if (level > log_state.level || !fmt)
		goto out;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	log_write_line(level, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
out:
	errno = saved_errno;
}

void
astral_log_access(const char *method, const char *route, int status, double duration_ms)
{
	char m[16], r[LOG_ROUTE_MAX];

	log_copy_word(m, sizeof(m), method);
	log_copy_word(r, sizeof(r), route);
	astral_log(ASTRAL_LOG_INFO, "method=%s route=%s status=%d ms=%.2f", m[0] ? m : "-", r[0] ? r : "-",
	    status, duration_ms);
}
