/* One HTTP request and its response over libfcgi: see http.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "encoding.h"
#include "file_response.h"
#include "http.h"
#include "log.h"
#include "random.h"

static double
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *
param(FCGX_Request *fcgx, const char *name)
{
	const char *v = FCGX_GetParam(name, fcgx->envp);

	return v ? v : "";
}

/* The front end's request id: nginx's $request_id (hex), Apache's mod_unique_id (base64url, or
   '@' and '-' in older versions), a UUID. */
static int
request_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 36)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_@", s[i]) == NULL)
			return 0;
	return 1;
}

astral_err
astral_request_init(struct astral_request *req, FCGX_Request *fcgx, struct astral_app *app)
{
	const char *uri, *q, *len, *rid;
	char *end;

	memset(req, 0, sizeof(*req));
	req->fcgx = fcgx;
	req->app = app;
	req->started_ms = monotonic_ms();
	req->now = astral_clock_now(&app->cfg);
	req->status = 500;
	req->method = param(fcgx, "REQUEST_METHOD");
	req->content_type = param(fcgx, "CONTENT_TYPE");
	req->cookie_header = param(fcgx, "HTTP_COOKIE");
	req->authorization = param(fcgx, "HTTP_AUTHORIZATION");
	req->origin = param(fcgx, "HTTP_ORIGIN");
	req->remote_addr = param(fcgx, "REMOTE_ADDR");
	req->token_delivery = param(fcgx, "HTTP_X_ASTRAL_TOKEN_DELIVERY");
	req->query = param(fcgx, "QUERY_STRING");

	/* DOCUMENT_URI is nginx's normalised path; REQUEST_URI carries the query as well. */
	uri = FCGX_GetParam("DOCUMENT_URI", fcgx->envp);
	if (uri != NULL) {
		req->path = strdup(uri);
	} else {
		uri = param(fcgx, "REQUEST_URI");
		q = strchr(uri, '?');
		req->path = q ? strndup(uri, (size_t)(q - uri)) : strdup(uri);
	}
	if (req->path == NULL)
		return ASTRAL_ERR_NOMEM;

	len = FCGX_GetParam("CONTENT_LENGTH", fcgx->envp);
	req->content_length = -1;
	if (len != NULL && *len != '\0') {
		errno = 0;
		long long v = strtoll(len, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			req->content_length = v;
		else
			req->content_length = (long long)1 << 62;   /* unparsable: treated as too large */
	}

	rid = param(fcgx, "REQUEST_ID");
	if (request_id_valid(rid)) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", rid);
	} else {
		unsigned char raw[16];
		char *hex;

		if (astral_random_bytes(raw, sizeof(raw)) != ASTRAL_OK || (hex = astral_hex_encode(raw, sizeof(raw))) == NULL)
			return ASTRAL_ERR_NOMEM;
		snprintf(req->request_id, sizeof(req->request_id), "%s", hex);
		free(hex);
	}
	astral_log_set_request(req->request_id, req->remote_addr);
	return ASTRAL_OK;
}

void
astral_request_free(struct astral_request *req)
{
	free(req->path);
	free(req->body);
	free(req->query_store);
	json_object_put(req->json);
	json_object_put(req->response);
	json_object_put(req->rt_events);
	free(req->text_body);
	free(req->headers);
	astral_file_response_drop(req);
	astral_log_set_request(NULL, NULL);
	memset(req, 0, sizeof(*req));
}

astral_err
astral_request_read_body(struct astral_request *req, size_t max)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL;
	int n;

	if (req->content_length > (long long)max)
		return ASTRAL_ERR_TOO_LARGE;
	if (req->content_length >= 0)
		cap = (size_t)req->content_length + 1;
	buf = malloc(cap);
	if (buf == NULL)
		return ASTRAL_ERR_NOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb;

			if (cap > max + 1) {
				free(buf);
				return ASTRAL_ERR_TOO_LARGE;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return ASTRAL_ERR_NOMEM;
			}
			buf = nb;
		}
		n = FCGX_GetStr(buf + len, (int)(cap - len - 1), req->fcgx->in);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > max) {
			free(buf);
			return ASTRAL_ERR_TOO_LARGE;
		}
	}
	buf[len] = '\0';
	req->body = buf;
	req->body_len = len;
	return ASTRAL_OK;
}

astral_err
astral_cookie_get(const struct astral_request *req, const char *name, char *buf, size_t len)
{
	const char *p = req->cookie_header;
	size_t nlen = strlen(name);

	while (*p != '\0') {
		const char *end;
		size_t vlen;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			vlen = (size_t)(end - p) - nlen - 1;
			if (vlen + 1 > len)
				return ASTRAL_ERR_TOO_LARGE;
			memcpy(buf, p + nlen + 1, vlen);
			buf[vlen] = '\0';
			return ASTRAL_OK;
		}
		p = end;
	}
	return ASTRAL_ERR_NOT_FOUND;
}

astral_err
astral_query_get(const struct astral_request *req, const char *name, char *buf, size_t len)
{
	const char *p = req->query;
	size_t nlen = strlen(name);

	while (*p != '\0') {
		const char *end = strchr(p, '&');

		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) >= nlen && strncmp(p, name, nlen) == 0 &&
		    (p[nlen] == '=' || p + nlen == end)) {
			const char *v = p + nlen + (p[nlen] == '=' ? 1 : 0);
			size_t o = 0;

			if (len == 0)
				return ASTRAL_ERR_TOO_LARGE;
			while (v < end) {
				int c = (unsigned char)*v;

				if (c == '%') {
					if (end - v < 3 || astral_hex_digit(v[1]) < 0 || astral_hex_digit(v[2]) < 0)
						return ASTRAL_ERR_INVALID;
					c = astral_hex_digit(v[1]) * 16 + astral_hex_digit(v[2]);
					v += 3;
				} else {
					if (c == '+')
						c = ' ';
					v++;
				}
				if (c == 0)
					return ASTRAL_ERR_INVALID;
				if (o + 1 >= len)
					return ASTRAL_ERR_TOO_LARGE;
				buf[o++] = (char)c;
			}
			buf[o] = '\0';
			return ASTRAL_OK;
		}
		p = *end ? end + 1 : end;
	}
	return ASTRAL_ERR_NOT_FOUND;
}

int
astral_content_type_is_json(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (ct == NULL || strncasecmp(ct, json, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

void
astral_header(struct astral_request *req, const char *name, const char *value)
{
	size_t need;
	int n;

	if (!header_safe(name) || !header_safe(value) || *name == '\0' || strchr(name, ':') != NULL) {
		astral_log(ASTRAL_LOG_ERROR, "refused a response header with a line break");
		return;
	}
	need = strlen(name) + strlen(value) + 5;
	if (req->headers_len + need >= req->headers_cap) {
		size_t cap = req->headers_cap ? req->headers_cap : 512;
		char *nb;

		while (req->headers_len + need >= cap)
			cap *= 2;
		nb = realloc(req->headers, cap);
		if (nb == NULL) {
			astral_log(ASTRAL_LOG_ERROR, "out of memory for a response header");
			return;
		}
		req->headers = nb;
		req->headers_cap = cap;
	}
	n = snprintf(req->headers + req->headers_len, req->headers_cap - req->headers_len, "%s: %s\r\n", name, value);
	if (n > 0)
		req->headers_len += (size_t)n;
}

void
astral_cookie_set(struct astral_request *req, const char *name, const char *value, long long max_age)
{
	char line[4600];

	snprintf(line, sizeof(line), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Strict",
	         name, value, max_age);
	astral_header(req, "Set-Cookie", line);
}

void
astral_cookie_clear(struct astral_request *req, const char *name)
{
	astral_cookie_set(req, name, "", 0);
}

void
astral_response_cache_public(struct astral_request *req, int seconds)
{
	req->cache_max_age = seconds >= 1 && seconds <= 86400 ? seconds : 0;
}

/* The body built so far (JSON, text or file) goes. */
static void
drop_body(struct astral_request *req)
{
	astral_file_response_drop(req);
	free(req->text_body);
	req->text_body = NULL;
	req->text_len = 0;
	json_object_put(req->response);
	req->response = NULL;
}

void
astral_response_reset(struct astral_request *req)
{
	drop_body(req);
	json_object_put(req->rt_events);
	req->rt_events = NULL;
	free(req->headers);
	req->headers = NULL;
	req->headers_len = req->headers_cap = 0;
	req->cache_max_age = 0;
	req->has_response = 0;
	req->status = 500;
}

void
astral_respond(struct astral_request *req, int status, struct json_object *body)
{
	drop_body(req);
	req->response = body;
	req->status = status;
	req->has_response = 1;
}

/* {"error": {code, message, reason?, fields?}}; takes ownership of `fields`. */
static void
respond_error_body(struct astral_request *req, int status, const char *code, const char *message,
                   const char *reason, struct json_object *fields)
{
	struct json_object *root = json_object_new_object();
	struct json_object *err = json_object_new_object();

	json_object_object_add(err, "code", json_object_new_string(code));
	json_object_object_add(err, "message", json_object_new_string(message));
	if (reason != NULL)
		json_object_object_add(err, "reason", json_object_new_string(reason));
	if (fields != NULL)
		json_object_object_add(err, "fields", fields);
	json_object_object_add(root, "error", err);
	astral_respond(req, status, root);
}

void
astral_respond_fields(struct astral_request *req, int status, const char *code, const char *message,
                      struct json_object *fields)
{
	respond_error_body(req, status, code, message, NULL, fields);
}

void
astral_respond_refusal(struct astral_request *req, int status, const char *reason, const char *message,
                       const char *field, const char *problem)
{
	struct json_object *fields = NULL;

	if (field != NULL) {
		fields = json_object_new_object();
		json_object_object_add(fields, field, json_object_new_string(problem));
	}
	respond_error_body(req, status, status == 403 ? "forbidden" : "conflict", message, reason, fields);
}

void
astral_respond_text(struct astral_request *req, int status, const char *content_type, char *body, size_t len)
{
	size_t tlen = strlen(content_type);

	if (tlen == 0 || tlen >= sizeof(req->text_type) || strpbrk(content_type, "\r\n") != NULL ||
	    len > INT_MAX) {
		free(body);
		astral_log(ASTRAL_LOG_ERROR, "refused a text response with a bad content type or size");
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
		return;
	}
	astral_respond(req, status, NULL);
	memcpy(req->text_type, content_type, tlen + 1);
	req->text_body = body;
	req->text_len = len;
}

void
astral_respond_error(struct astral_request *req, int status, const char *code, const char *message)
{
	astral_respond_fields(req, status, code, message, NULL);
}

void
astral_respond_field_error(struct astral_request *req, int status, const char *code, const char *message,
                           const char *field, const char *problem)
{
	struct json_object *fields = json_object_new_object();

	json_object_object_add(fields, field, json_object_new_string(problem));
	astral_respond_fields(req, status, code, message, fields);
}

void
astral_respond_too_many(struct astral_request *req, double wait, const char *message)
{
	char retry[24];
	long long seconds = wait >= 86400 ? 86400 : (long long)wait;

	if (seconds < 86400 && wait - (double)seconds > 0.001)
		seconds++;
	snprintf(retry, sizeof(retry), "%lld", seconds < 1 ? 1 : seconds);
	astral_header(req, "Retry-After", retry);
	astral_respond_error(req, 429, "too_many_requests", message);
}

void
astral_respond_err(struct astral_request *req, astral_err err)
{
	switch (err) {
	case ASTRAL_ERR_DB_DOWN:
		astral_header(req, "Retry-After", "5");
		astral_respond_error(req, 503, "service_unavailable",
		                     "The service is briefly unavailable. Please try again in a moment.");
		break;
	case ASTRAL_ERR_NOT_FOUND:
		astral_respond_error(req, 404, "not_found", "Not found.");
		break;
	case ASTRAL_ERR_CONFLICT:
		astral_respond_error(req, 409, "conflict", "That conflicts with the current state.");
		break;
	case ASTRAL_ERR_INVALID:
		astral_respond_error(req, 400, "invalid_field", "The request is not valid.");
		break;
	case ASTRAL_ERR_TOO_LARGE:
		astral_respond_error(req, 413, "payload_too_large", "The request body is too large.");
		break;
	case ASTRAL_ERR_UNAUTHORIZED:
	case ASTRAL_ERR_EXPIRED:
		astral_respond_error(req, 401, "unauthorized", "Please sign in.");
		break;
	case ASTRAL_ERR_FORBIDDEN:
		astral_respond_error(req, 403, "forbidden", "You are not allowed to do that.");
		break;
	default:
		astral_log(ASTRAL_LOG_ERROR, "internal error: %s", astral_strerror(err));
		astral_respond_error(req, 500, "internal", "Something went wrong on our side.");
		break;
	}
}

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default:  return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/* The head of every answer: status, request id, caching, `extra` (whole header lines), the
   type (NULL: no body), the length (-1: not sent) and the handler's own headers. Below 0 when
   the client went away. */
static int
write_head(struct astral_request *req, const char *type, long long length, const char *extra)
{
	FCGX_Stream *out = req->fcgx->out;

	if (FCGX_FPrintF(out, "Status: %d %s\r\n", req->status, reason_phrase(req->status)) < 0 ||
	    FCGX_FPrintF(out, "X-Request-Id: %s\r\n", req->request_id) < 0 ||
	    (req->cache_max_age > 0 && req->status >= 200 && req->status < 300
	     ? FCGX_FPrintF(out, "Cache-Control: public, max-age=%d\r\n", req->cache_max_age)
	     : FCGX_PutS("Cache-Control: no-store\r\n", out)) < 0 ||
	    FCGX_PutS(extra, out) < 0 ||
	    (type != NULL && FCGX_FPrintF(out, "Content-Type: %s\r\n", type) < 0) ||
	    (length >= 0 && FCGX_FPrintF(out, "Content-Length: %lld\r\n", length) < 0) ||
	    (req->headers_len > 0 && FCGX_PutStr(req->headers, (int)req->headers_len, out) < 0) ||
	    FCGX_PutS("\r\n", out) < 0)
		return -1;
	return 0;
}

void
astral_response_send(struct astral_request *req)
{
	const char *type = "application/json; charset=utf-8";
	const char *body = NULL;
	size_t blen = 0;
	FCGX_Stream *out = req->fcgx->out;

	if (req->streaming) {
		astral_log_access(req->method, req->route[0] ? req->route : "-", req->status,
		                  monotonic_ms() - req->started_ms);
		return;
	}
	if (!req->has_response)
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
	if (req->has_file) {
		if (write_head(req, req->file_type, req->file_last - req->file_first + 1, "") < 0)
			astral_log(ASTRAL_LOG_WARN, "the response could not be written (the client went away?)");
		else
			astral_file_response_write_body(req);
		astral_log_access(req->method, req->route[0] ? req->route : "-", req->status,
		                  monotonic_ms() - req->started_ms);
		return;
	}
	if (req->response != NULL && req->status != 204) {
		body = json_object_to_json_string_length(req->response, JSON_C_TO_STRING_PLAIN |
		                                          JSON_C_TO_STRING_NOSLASHESCAPE, &blen);
	} else if (req->text_body != NULL && req->status != 204) {
		body = req->text_body;
		blen = req->text_len;
		type = req->text_type;
	}
	if (write_head(req, body != NULL ? type : NULL, -1, "") < 0 ||
	    (body != NULL && FCGX_PutStr(body, (int)blen, out) < 0))
		astral_log(ASTRAL_LOG_WARN, "the response could not be written (the client went away?)");
	astral_log_access(req->method, req->route[0] ? req->route : "-", req->status,
	                  monotonic_ms() - req->started_ms);
}

astral_err
astral_stream_begin(struct astral_request *req, int status, const char *content_type)
{
	FCGX_Stream *out = req->fcgx->out;

	if (req->streaming || strpbrk(content_type, "\r\n") != NULL)
		return ASTRAL_ERR_INTERNAL;
	/* Nothing is on the wire before the caller's session has passed its check (a COMMIT, which
	   streams follow, gets the verdict first; this only keeps it so). */
	if (req->who.check_pending) {
		astral_log(ASTRAL_LOG_ERROR, "a stream was begun before the session check's verdict");
		return ASTRAL_ERR_INTERNAL;
	}
	req->streaming = 1;
	req->status = status;
	req->has_response = 1;
	if (write_head(req, content_type, -1, "X-Accel-Buffering: no\r\n") < 0 || FCGX_FFlush(out) < 0)
		return ASTRAL_ERR_IO;
	return ASTRAL_OK;
}

astral_err
astral_stream_write(struct astral_request *req, const char *data, size_t len)
{
	FCGX_Stream *out = req->fcgx->out;

	if (!req->streaming || len > INT_MAX)
		return ASTRAL_ERR_INTERNAL;
	if ((len > 0 && FCGX_PutStr(data, (int)len, out) < 0) || FCGX_FFlush(out) < 0)
		return ASTRAL_ERR_IO;
	return ASTRAL_OK;
}

void
astral_response_flush(struct astral_request *req)
{
	if (FCGX_FFlush(req->fcgx->out) < 0)
		astral_log(ASTRAL_LOG_WARN, "the response could not be flushed (the client went away?)");
}
