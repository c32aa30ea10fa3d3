/*
 * One provider per worker process: a libcurl easy handle kept open (so the connection to the
 * provider is reused), the request headers and URLs made once, and the circuit breaker (shared
 * by the program's workers: breaker.c).
 *
 * A call is one or two attempts inside the call's time budget (ai.timeout_ms). The second
 * attempt is made only when nothing of the first reached the caller and the request cannot have
 * been worked on: the connection was refused or reset before any response, or the provider
 * answered 429/503 with no Retry-After, or one of at most a second.
 *
 * Only the outcome, the HTTP status, the attempts and the time are logged: never the key, the
 * prompt or the reply.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "breaker.h"
#include "log.h"
#include "provider.h"
#include "strbuf.h"

#define PROV_USER_AGENT "astral-ai/1"
#define PROV_RETRY_PAUSE_MS 100      /* before a retry the provider gave no Retry-After for */
#define PROV_RETRY_AFTER_MAX_S 1     /* a longer Retry-After: no retry */
#define PROV_ATTEMPT_MIN_MS 100      /* no retry with less time than this left */

struct ai_provider {
	enum astral_ai_provider kind;
	CURL *curl;
	char *url_whole, *url_stream;
	char *model;
	struct curl_slist *head_whole, *head_stream;    /* the key is in these: wiped before freeing */
	long connect_ms, timeout_ms;
	size_t max_bytes;
	struct ai_breaker *breaker;
};

/* ------------------------------------------------------------------ small helpers */

static double
prov_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
prov_pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* a, b and c joined into a new string; NULL when memory runs out. */
static char *
prov_join(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *s = malloc(na + nb + nc + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	memcpy(s + na + nb, c, nc + 1);
	return s;
}

/* The header list with every string wiped first (some hold the key). */
static void
prov_headers_free(struct curl_slist *h)
{
	for (struct curl_slist *i = h; i != NULL; i = i->next)
		if (i->data != NULL)
			explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(h);
}

/* Append one header; 0 on success. On failure the list is freed and *h set to NULL. */
static int
prov_header_add(struct curl_slist **h, const char *line)
{
	struct curl_slist *n = curl_slist_append(*h, line);

	if (n == NULL) {
		prov_headers_free(*h);
		*h = NULL;
		return -1;
	}
	*h = n;
	return 0;
}

/* The request headers: the key (when there is one), the body's type, what is accepted, and no
   "Expect: 100-continue" round trip. */
static struct curl_slist *
prov_headers(const struct ai_provider *p, const char *key, const char *accept)
{
	struct curl_slist *h = NULL;
	char *line = NULL;
	int rc = 0;

	if (key != NULL) {
		line = prov_join(p->kind == ASTRAL_AI_GEMINI ? "x-goog-api-key: " : "Authorization: Bearer ", key, "");
		if (line == NULL)
			return NULL;
		rc = prov_header_add(&h, line);
		explicit_bzero(line, strlen(line));
		free(line);
		if (rc != 0)
			return NULL;
	}
	if (prov_header_add(&h, "Content-Type: application/json") != 0 || prov_header_add(&h, accept) != 0 ||
	    prov_header_add(&h, "Expect:") != 0)
		return NULL;
	return h;
}

const char *
ai_outcome_name(enum ai_outcome o)
{
	switch (o) {
	case AI_OK: return "ok";
	case AI_STOPPED: return "stopped";
	case AI_BLOCKED: return "blocked";
	case AI_TIMEOUT: return "timeout";
	case AI_HTTP_ERROR: return "http_error";
	case AI_BAD_REPLY: return "bad_reply";
	case AI_UNREACHABLE: return "unreachable";
	case AI_BREAKER_OPEN: return "breaker_open";
	case AI_NO_PROVIDER: return "no_provider";
	}
	return "unknown";
}

void
ai_reply_free(struct ai_reply *r)
{
	if (r == NULL)
		return;
	free(r->text);
	r->text = NULL;
	r->len = 0;
}

/* ------------------------------------------------------------------ open and close */

static long
prov_clamp_long(long long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : (long)v;
}

astral_err
ai_provider_open(const struct astral_config *cfg, struct ai_provider **out)
{
	struct ai_provider *p = NULL;
	char *model = NULL, *base = NULL;
	const char *endpoint = cfg->ai_endpoint != NULL ? cfg->ai_endpoint : "";
	astral_err err = ASTRAL_ERR_NOMEM;
	CURLcode rc = CURLE_OK;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto out;
	p->kind = cfg->ai_provider == ASTRAL_AI_GEMINI ? ASTRAL_AI_GEMINI :
	          cfg->ai_provider == ASTRAL_AI_OPENAI ? ASTRAL_AI_OPENAI : ASTRAL_AI_NONE;
	p->connect_ms = prov_clamp_long(cfg->ai_connect_timeout_ms, 1, LONG_MAX);
	p->timeout_ms = prov_clamp_long(cfg->ai_timeout_ms, 1, LONG_MAX);
	p->max_bytes = cfg->ai_max_reply_bytes > 0 ? (size_t)cfg->ai_max_reply_bytes : 1;
	if (p->kind == ASTRAL_AI_NONE) {
		err = ASTRAL_OK;
		goto out;
	}
	/* A trial call ends within the provider timeout; a second more before another worker may
	   take it over. The cooldown is 1..3600 s (lib/config.c). */
	err = ai_breaker_open(cfg->ai_breaker_file, cfg->ai_breaker_failures, cfg->ai_breaker_cooldown * 1000,
	                      (long long)p->timeout_ms + 1000, &p->breaker);
	if (err != ASTRAL_OK)
		goto out;
	err = ASTRAL_ERR_NOMEM;
	p->model = strdup(cfg->ai_model != NULL ? cfg->ai_model : "");
	if (p->model == NULL)
		goto out;
	p->curl = curl_easy_init();
	if (p->curl == NULL)
		goto out;
	if (p->kind == ASTRAL_AI_GEMINI) {
		model = curl_easy_escape(p->curl, p->model, 0);
		if (model == NULL)
			goto out;
		base = prov_join(endpoint, "/models/", model);
		if (base == NULL)
			goto out;
		p->url_whole = prov_join(base, ":generateContent", "");
		p->url_stream = prov_join(base, ":streamGenerateContent?alt=sse", "");
	} else {
		p->url_whole = prov_join(endpoint, "/chat/completions", "");
		p->url_stream = prov_join(endpoint, "/chat/completions", "");
	}
	if (p->url_whole == NULL || p->url_stream == NULL)
		goto out;
	p->head_whole = prov_headers(p, cfg->ai_key, "Accept: application/json");
	p->head_stream = prov_headers(p, cfg->ai_key, "Accept: text/event-stream");
	if (p->head_whole == NULL || p->head_stream == NULL)
		goto out;

	/* The same on every call: TLS verified (libcurl's default, said again), HTTP(S) only, no
	   redirects, no signals (libcurl must not arm SIGALRM for its timeouts in a worker), a POST,
	   and a reply announced as larger than the cap refused before it is read. */
	if ((rc = curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYPEER, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_SSL_VERIFYHOST, 2L)) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    (rc = curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
#else
	    (rc = curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))) != CURLE_OK ||
#endif
	    (rc = curl_easy_setopt(p->curl, CURLOPT_FOLLOWLOCATION, 0L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_POST, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_USERAGENT, PROV_USER_AGENT)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_TCP_KEEPALIVE, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(p->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)p->max_bytes)) != CURLE_OK) {
		err = rc == CURLE_OUT_OF_MEMORY ? ASTRAL_ERR_NOMEM : ASTRAL_ERR_INTERNAL;
		goto out;
	}
	err = ASTRAL_OK;
out:
	curl_free(model);
	free(base);
	if (err != ASTRAL_OK) {
		ai_provider_close(p);
		p = NULL;
	}
	*out = p;
	return err;
}

void
ai_provider_close(struct ai_provider *p)
{
	if (p == NULL)
		return;
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	prov_headers_free(p->head_whole);
	prov_headers_free(p->head_stream);
	free(p->url_whole);
	free(p->url_stream);
	free(p->model);
	ai_breaker_close(p->breaker);
	free(p);
}

/* ------------------------------------------------------------------ the breaker */

int
ai_provider_breaker_open(const struct ai_provider *p)
{
	return p != NULL && ai_breaker_is_open(p->breaker, ai_breaker_now_ms());
}

/* ------------------------------------------------------------------ one attempt */

struct prov_attempt {
	struct ai_provider *p;
	const struct ai_call *call;
	int stream;
	size_t bytes;                /* response body bytes read */
	int too_large, nomem;
	int text_passed;             /* some text went to the caller's sink */
	int stream_over;             /* the event reader is finished: the rest is read and dropped */
	long retry_after;            /* seconds from Retry-After; -1: none */
	struct astral_strbuf body;   /* whole replies */
	struct astral_strbuf text;   /* streamed replies: the text handed on so far */
	struct ai_sse sse;
};

static void
prov_attempt_free(struct prov_attempt *a)
{
	astral_strbuf_free(&a->body);
	astral_strbuf_free(&a->text);
	ai_sse_free(&a->sse);
	memset(a, 0, sizeof(*a));
}

/* The event reader's sink: keep the piece, then give it to the caller's. */
static int
prov_relay(void *ctx, const char *piece, size_t len)
{
	struct prov_attempt *a = ctx;

	astral_strbuf_add(&a->text, piece, len);
	if (a->text.failed) {
		a->nomem = 1;
		return 1;
	}
	a->text_passed = 1;
	return a->call->on_text(a->call->ctx, piece, len);
}

static size_t
prov_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct prov_attempt *a = arg;
	size_t n = size * nmemb;
	long status = 0;

	if (n > a->p->max_bytes - a->bytes) {
		a->too_large = 1;
		return 0;
	}
	a->bytes += n;
	if (curl_easy_getinfo(a->p->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status < 200 ||
	    status > 299)
		return n;                               /* an error page: counted, not kept */
	if (!a->stream) {
		astral_strbuf_add(&a->body, data, n);
		if (a->body.failed) {
			a->nomem = 1;
			return 0;
		}
		return n;
	}
	if (a->stream_over)
		return n;
	if (ai_sse_feed(&a->sse, data, n, prov_relay, a) != 0) {
		a->stream_over = 1;
		if (a->sse.outcome != AI_OK)
			return 0;                       /* stopped, blocked or broken: read no more */
	}
	return n;
}

/* Retry-After in delta-seconds; an HTTP date or anything else counts as too long to wait. */
static long
prov_retry_after(const char *v, size_t n)
{
	long secs = 0;
	size_t i = 0, digits = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
		if (secs < 100000)
			secs = secs * 10 + (v[i] - '0');
	while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
		i++;
	return digits > 0 && i == n ? secs : LONG_MAX;
}

static size_t
prov_on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct prov_attempt *a = arg;
	size_t n = size * nmemb;
	static const char name[] = "Retry-After:";

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		a->retry_after = -1;                    /* a new response (after a 100 Continue) */
	else if (n >= sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0)
		a->retry_after = prov_retry_after(data + sizeof(name) - 1, n - (sizeof(name) - 1));
	return n;
}

/* How the attempt went, once the transfer is over; *text is filled on AI_OK and AI_STOPPED. */
static enum ai_outcome
prov_outcome(struct prov_attempt *a, CURLcode rc, long status, char **text)
{
	enum ai_outcome o;

	*text = NULL;
	if (a->nomem)
		return AI_BAD_REPLY;
	if (status != 0 && (status < 200 || status > 299))
		return AI_HTTP_ERROR;
	if (a->too_large)
		return AI_BAD_REPLY;
	if (a->stream && a->sse.outcome == AI_OK && !a->sse.done && rc == CURLE_OK) {
		/* The body ended: an event not closed by an empty line is complete all the same. */
		(void)ai_sse_feed(&a->sse, "\n\n", 2, prov_relay, a);
		if (a->nomem)
			return AI_BAD_REPLY;
	}
	if (a->stream && (a->sse.outcome != AI_OK || a->sse.done)) {
		o = a->sse.outcome;
		if (o == AI_OK || o == AI_STOPPED) {
			*text = astral_strbuf_take(&a->text);
			if (*text == NULL)
				o = AI_BAD_REPLY;
		}
		return o;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return AI_TIMEOUT;
	if (rc != CURLE_OK)
		return status == 0 ? AI_UNREACHABLE : AI_BAD_REPLY;
	if (status == 0 || a->stream)
		return AI_BAD_REPLY;                    /* no answer, or a stream cut short */
	if (a->p->kind == ASTRAL_AI_GEMINI)
		return ai_wire_gemini_parse(a->body.s != NULL ? a->body.s : "", a->body.len, text);
	return ai_wire_openai_parse(a->body.s != NULL ? a->body.s : "", a->body.len, text);
}

/* One request within budget_ms. *rc and *status say what happened on the wire. */
static enum ai_outcome
prov_attempt(struct prov_attempt *a, const char *body, long budget_ms, CURLcode *rc, long *status, char **text)
{
	struct ai_provider *p = a->p;
	CURL *c = p->curl;

	*status = 0;
	*text = NULL;
	a->retry_after = -1;
	ai_sse_init(&a->sse, p->kind == ASTRAL_AI_GEMINI ? AI_WIRE_GEMINI : AI_WIRE_OPENAI, p->max_bytes);
	if ((*rc = curl_easy_setopt(c, CURLOPT_URL, a->stream ? p->url_stream : p->url_whole)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, a->stream ? p->head_stream : p->head_whole)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, body)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body))) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, prov_on_body)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, a)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, prov_on_header)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_HEADERDATA, a)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, budget_ms)) != CURLE_OK ||
	    (*rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms < budget_ms ? p->connect_ms : budget_ms))
	        != CURLE_OK)
		return AI_BAD_REPLY;
	*rc = curl_easy_perform(c);
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status) != CURLE_OK)
		*status = 0;
	return prov_outcome(a, *rc, *status, text);
}

/* Whether a failed first attempt may be made again, and after how long (ms). */
static int
prov_may_retry(const struct prov_attempt *a, CURLcode rc, long status, long *pause_ms)
{
	if (a->text_passed)
		return 0;
	if (status == 0 && a->bytes == 0 &&
	    (rc == CURLE_COULDNT_CONNECT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)) {
		*pause_ms = 0;
		return 1;
	}
	if (status == 429 || status == 503) {
		if (a->retry_after > PROV_RETRY_AFTER_MAX_S)
			return 0;
		*pause_ms = a->retry_after >= 0 ? a->retry_after * 1000 : PROV_RETRY_PAUSE_MS;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ a call */

/* Whether the call shows the provider working, for the breaker. It answered (a safety block
   included), or it refused this one request as malformed, too large or unprocessable (400, 413,
   422): that is about what was sent, most often one person's conversation over the model's
   context, and counting it would let one person's requests open the breaker for everyone. Every
   other status counts as a failure: 401, 403 and 404 are about the key or the endpoint, 408 and
   429 about the provider's load, 5xx about the provider itself. */
static int
prov_answered(const struct ai_reply *r)
{
	switch (r->outcome) {
	case AI_OK:
	case AI_STOPPED:
	case AI_BLOCKED:
		return 1;
	case AI_HTTP_ERROR:
		return r->http_status == 400 || r->http_status == 413 || r->http_status == 422;
	default:
		return 0;
	}
}

void
ai_provider_call(struct ai_provider *p, const struct ai_call *call, struct ai_reply *out)
{
	struct prov_attempt a;
	double start = prov_now_ms();
	enum ai_outcome o = AI_BAD_REPLY;
	char *body = NULL, *text = NULL;
	long status = 0;
	int attempts = 0, trial = 0, reached = 0;
	CURLcode rc = CURLE_OK;
	astral_err err;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	if (p == NULL || p->kind == ASTRAL_AI_NONE) {
		o = AI_NO_PROVIDER;
		goto out;
	}
	/* The body first: a call that cannot be made must not take the breaker's one trial, which
	   would then stand unreported until another worker takes it over. */
	if (p->kind == ASTRAL_AI_GEMINI)
		err = ai_wire_gemini_request(call, &body);
	else
		err = ai_wire_openai_request(call, p->model, call->on_text != NULL, &body);
	if (err != ASTRAL_OK)
		goto out;
	switch (ai_breaker_admit(p->breaker, ai_breaker_now_ms())) {
	case AI_BREAKER_ADMIT_REFUSE:
		o = AI_BREAKER_OPEN;
		goto out;
	case AI_BREAKER_ADMIT_TRIAL:
		trial = 1;                              /* half-open: this call decides */
		break;
	case AI_BREAKER_ADMIT_CALL:
		break;
	}
	reached = 1;
	for (;;) {
		long budget = (long)((double)p->timeout_ms - (prov_now_ms() - start)), pause_ms = 0;

		if (budget <= 0) {
			o = AI_TIMEOUT;
			break;
		}
		prov_attempt_free(&a);
		a.p = p;
		a.call = call;
		a.stream = call->on_text != NULL;
		attempts++;
		o = prov_attempt(&a, body, budget, &rc, &status, &text);
		if (o == AI_OK || o == AI_STOPPED || attempts > 1 || !prov_may_retry(&a, rc, status, &pause_ms))
			break;
		if ((double)p->timeout_ms - (prov_now_ms() - start) < (double)(pause_ms + PROV_ATTEMPT_MIN_MS))
			break;
		prov_pause_ms(pause_ms);
	}
out:
	out->outcome = o;
	out->http_status = status;
	out->text = text != NULL ? text : strdup("");
	if (out->text == NULL)
		out->outcome = AI_BAD_REPLY;
	else
		out->len = strlen(out->text);
	out->elapsed_ms = prov_now_ms() - start;
	if (reached) {
		int fine = prov_answered(out);

		astral_log(fine ? ASTRAL_LOG_INFO : ASTRAL_LOG_WARN,
		           "ai call provider=%s stream=%d outcome=%s status=%ld attempts=%d curl=%d ms=%.0f",
		           astral_ai_provider_name(p->kind), call->on_text != NULL, ai_outcome_name(out->outcome), status,
		           attempts, (int)rc, out->elapsed_ms);
		ai_breaker_record(p->breaker, fine, trial, ai_breaker_now_ms());
	}
	prov_attempt_free(&a);
	free(body);
}
