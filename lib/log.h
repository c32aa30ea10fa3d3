/* One logging module: one line per event on stderr (journald), with program, pid, request id and
   remote address on every line. Never pass a secret, a token or health data to these functions. */
#ifndef ASTRAL_LOG_H
#define ASTRAL_LOG_H

#include <stdio.h>

#include "error.h"

enum astral_log_level { ASTRAL_LOG_ERROR, ASTRAL_LOG_WARN, ASTRAL_LOG_INFO, ASTRAL_LOG_DEBUG };

/* Longest line written, newline included; longer messages are cut at a UTF-8 boundary. */
#define ASTRAL_LOG_LINE_MAX 2048

/* Program name (shown on every line) and the most verbose level written. */
void astral_log_init(const char *program, enum astral_log_level level);
/* Where lines go: stderr by default (also after astral_log_set_sink(NULL)); tests use a tmpfile. */
void astral_log_set_sink(FILE *f);
/* Request id and remote address for the lines that follow; NULLs clear them (shown as "-").
   Call with NULLs when a request ends so nothing carries over to the next one. */
void astral_log_set_request(const char *request_id, const char *remote_addr);

/* <program>[<pid>] level=<l> req=<id|-> addr=<addr|-> <message>
   Control characters (C0, DEL, C1) and bytes that are not valid UTF-8 become '?'. errno is kept. */
void astral_log(enum astral_log_level level, const char *fmt, ...) ASTRAL_PRINTF(2, 3);
/* At level info: ... method=GET route=/api/auth/session status=200 ms=1.23 */
void astral_log_access(const char *method, const char *route, int status, double duration_ms);

/* "error", "warn", "info" or "debug" → the level; anything else → -1. */
int astral_log_level_parse(const char *s);
const char *astral_log_level_name(enum astral_log_level level);

#endif
