/*
 * Tests for lib/router.c (astral_dispatch) and the response writer of lib/http.c, end to end over
 * a real FastCGI exchange: a client thread writes BEGIN_REQUEST/PARAMS/STDIN records into a Unix
 * socket, this thread accepts it with libfcgi (FCGX_Accept_r), runs astral_request_init +
 * astral_dispatch, and the client reads the STDOUT records back.
 *
 * Every refusal is checked with app->db == NULL: the dispatcher must answer 404/405/401/403 csrf
 * for a foreign Origin/413/415/400 before it touches the database. Requests that pass every check
 * are sent to an app whose database cannot be reached, so they end in 503 at astral_db_begin: that
 * proves the checks let them through. No handler ever runs there. The 403s on the token's word
 * (role, second factor, CSRF header) are the exception: they hold only for a live session, so the
 * dispatcher settles the session first, and with the database unreachable they answer 503 as the
 * deferred check does; which 403 a live session gets, and the 401 of a revoked one, are tested on
 * the real stack (tests/integration/test_session_check_deferred.py, test_moderation_access.py,
 * test_csrf.py).
 *
 * With a database (ASTRAL_TEST_OWNER_CONNINFO, set by tests/integration/test_db_library.py), the
 * "transaction" tests run handlers that write a row and then answer: what the answer's status
 * does to the write (a 5xx rolls it back) is read back on a connection of its own. Without it
 * they are skipped, as `make check` has no database.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcgiapp.h>
#include <json-c/json.h>
#include <libpq-fe.h>

#include "jwt.h"
#include "log.h"
#include "router.h"
#include "session.h"

#define USER_ID "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
#define SESSION_ID "0a1b2c3d-4e5f-4061-9273-84a5b6c7d8e9"
#define NOTE_ID "11111111-2222-4333-8444-555555555555"
#define ORIGIN "https://example.org"
#define MAX_BODY 65536

/* ---- the program under test: a route table and handlers that must never run ---- */

static int handler_runs;

static void
handler(struct astral_request *req, const void *input)
{
	(void)input;
	handler_runs++;
	astral_respond(req, 200, json_object_new_object());
}

struct note_input {
	const char *text;
};

static const struct astral_field note_fields[] = {
	{ "text", ASTRAL_F_TEXT, 1, 1, 200, NULL, offsetof(struct note_input, text), 0 },
};
static const struct astral_input_spec note_spec = { note_fields, 1, sizeof(struct note_input) };

/* Every field optional: the body may be left out. */
static const struct astral_field optional_fields[] = {
	{ "text", ASTRAL_F_TEXT, 0, 1, 200, NULL, offsetof(struct note_input, text), 0 },
};
static const struct astral_input_spec optional_spec = { optional_fields, 1, sizeof(struct note_input) };

struct list_query {
	long long limit;
};

static const struct astral_field list_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 50, NULL, offsetof(struct list_query, limit), 20 },
};
static const struct astral_input_spec list_spec = { list_fields, 1, sizeof(struct list_query) };

static const struct astral_route routes[] = {
	{ "GET",    "/api/ping",             handler, ASTRAL_PUBLIC, NULL, 0 },
	{ "POST",   "/api/echo",             handler, ASTRAL_PUBLIC, &note_spec, 0 },
	{ "POST",   "/api/echo-large",       handler, ASTRAL_PUBLIC, &note_spec, ASTRAL_BODY_LARGE },
	{ "POST",   "/api/optional",         handler, ASTRAL_PUBLIC, &optional_spec, ASTRAL_BODY_OPTIONAL },
	{ "POST",   "/api/nobody",           handler, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET",    "/api/list",             handler, ASTRAL_PUBLIC, &list_spec, 0 },
	{ "GET",    "/api/items/{id}",       handler, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET",    "/api/me/notes",         handler, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST",   "/api/me/notes",         handler, ASTRAL_SEEKER | ASTRAL_HELPER, &note_spec, 0 },
	{ "PUT",    "/api/me/notes/{uuid}",  handler, ASTRAL_ANY_USER, &note_spec, 0 },
	{ "DELETE", "/api/me/notes/{uuid}",  handler, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST",   "/api/staff/action",     handler, ASTRAL_STAFF, NULL, 0 },
	{ "POST",   "/api/staff/mfa",        handler, ASTRAL_STAFF, NULL, ASTRAL_NO_MFA_NEEDED },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* ---- applications: one without a database, one whose database is unreachable ---- */

static unsigned char jwt_key[] = "0123456789abcdef0123456789abcdef-router-test-key";
static char jwt_issuer[] = "astral-test-issuer";
static char jwt_audience[] = "astral-test-audience";
static char public_origin[] = ORIGIN;

static struct astral_app app_nodb;      /* db == NULL: refusals must not reach it */
static struct astral_app app_downdb;    /* a database that cannot be reached: 503 at begin */
static char sock_dir[64], sock_path[108];
static int listen_fd = -1;

static void
app_init(struct astral_app *app)
{
	memset(app, 0, sizeof(*app));
	app->program = "test-router";
	app->cfg.jwt_key = jwt_key;
	app->cfg.jwt_key_len = sizeof(jwt_key) - 1;
	app->cfg.jwt_issuer = jwt_issuer;
	app->cfg.jwt_audience = jwt_audience;
	app->cfg.public_origin = public_origin;
	app->cfg.max_body_bytes = MAX_BODY;
	app->cfg.access_ttl = 900;
	app->cfg.idle_timeout = 1800;
	app->cfg.staff_idle_timeout = 900;
	app->cfg.absolute_timeout = 86400;
	app->cfg.refresh_grace = 30;
}

/* ---- the FastCGI client side ---- */

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void
bytes_add(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* What a test allocates is registered here, so a failed assertion (which jumps out of the test)
   leaks nothing: the per-test teardown releases whatever is left. */
#define MAX_KEPT 16
static void *kept_mem[MAX_KEPT];
static struct json_object *kept_json[MAX_KEPT];

static void *
keep(void *p)
{
	assert_non_null(p);
	for (size_t i = 0; i < MAX_KEPT; i++)
		if (kept_mem[i] == NULL) {
			kept_mem[i] = p;
			return p;
		}
	fail_msg("more than %d allocations kept", MAX_KEPT);
	return p;
}

static void
drop(void *p)
{
	for (size_t i = 0; p != NULL && i < MAX_KEPT; i++)
		if (kept_mem[i] == p)
			kept_mem[i] = NULL;
	free(p);
}

static struct json_object *
keep_json(struct json_object *o)
{
	for (size_t i = 0; o != NULL && i < MAX_KEPT; i++)
		if (kept_json[i] == NULL) {
			kept_json[i] = o;
			return o;
		}
	return o;
}

static void
drop_json(struct json_object *o)
{
	for (size_t i = 0; o != NULL && i < MAX_KEPT; i++)
		if (kept_json[i] == o)
			kept_json[i] = NULL;
	json_object_put(o);
}

static void
drop_all(void)
{
	for (size_t i = 0; i < MAX_KEPT; i++) {
		free(kept_mem[i]);
		kept_mem[i] = NULL;
		json_object_put(kept_json[i]);
		kept_json[i] = NULL;
	}
}

enum { FCGI_BEGIN_REQUEST = 1, FCGI_END_REQUEST = 3, FCGI_PARAMS = 4, FCGI_STDIN = 5, FCGI_STDOUT = 6 };

/* One record (request id 1); content over 65535 bytes goes in several records. An empty record
   ends a stream. */
static void
fcgi_records(struct bytes *b, int type, const unsigned char *content, size_t len)
{
	do {
		size_t n = len > 65535 ? 65535 : len;
		unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8), (unsigned char)(n & 0xff),
		                       0, 0 };

		bytes_add(b, h, sizeof(h));
		bytes_add(b, content, n);
		content += n;
		len -= n;
	} while (len > 0);
}

static void
fcgi_length(struct bytes *b, size_t n)
{
	if (n < 128) {
		unsigned char c = (unsigned char)n;

		bytes_add(b, &c, 1);
	} else {
		unsigned char c[4] = { (unsigned char)((n >> 24) | 0x80), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
		                       (unsigned char)n };

		bytes_add(b, c, 4);
	}
}

#define MAX_PARAMS 16

/* One HTTP request as nginx would pass it. */
struct call {
	const char *names[MAX_PARAMS];
	const char *values[MAX_PARAMS];
	int n;
	const char *body;
	size_t body_len;
	char path[512];
	char length[24];
};

static void
call_param(struct call *c, const char *name, const char *value)
{
	assert_true(c->n < MAX_PARAMS);
	c->names[c->n] = name;
	c->values[c->n] = value;
	c->n++;
}

/* uri may carry a query string: DOCUMENT_URI gets the path, QUERY_STRING the rest. */
static void
call_init(struct call *c, const char *method, const char *uri)
{
	const char *q = strchr(uri, '?');

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%.*s", q ? (int)(q - uri) : (int)strlen(uri), uri);
	call_param(c, "REQUEST_METHOD", method);
	call_param(c, "REQUEST_URI", uri);
	call_param(c, "DOCUMENT_URI", c->path);
	call_param(c, "QUERY_STRING", q ? q + 1 : "");
	call_param(c, "REMOTE_ADDR", "127.0.0.1");
}

/* A body with its Content-Type (NULL: none) and Content-Length. */
static void
call_body(struct call *c, const char *content_type, const char *body, size_t len)
{
	if (content_type != NULL)
		call_param(c, "CONTENT_TYPE", content_type);
	snprintf(c->length, sizeof(c->length), "%zu", len);
	call_param(c, "CONTENT_LENGTH", c->length);
	c->body = body;
	c->body_len = len;
}

static void
call_json(struct call *c, const char *json)
{
	call_body(c, "application/json", json, strlen(json));
}

struct client {
	struct bytes request;
	struct bytes response;
};

static void *
client_main(void *arg)
{
	struct client *cl = arg;
	struct sockaddr_un sa;
	size_t off = 0;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return NULL;
	}
	/* The server may stop reading early (a body it refuses): then stop writing. */
	while (off < cl->request.len) {
		ssize_t n = send(fd, cl->request.p + off, cl->request.len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		unsigned char buf[8192];
		ssize_t n;

		if (poll(&pfd, 1, 10000) != 1)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		bytes_add(&cl->response, buf, (size_t)n);
	}
	close(fd);
	return NULL;
}

/* ---- the response as the client saw it ---- */

struct response {
	int status;
	int ended;                 /* FCGI_END_REQUEST seen */
	char *head;                /* "Status: ...\r\nName: value\r\n...\r\n" without the blank line */
	char *body;
	size_t body_len;
	struct json_object *json;  /* parsed body, or NULL */
};

static void
response_free(struct response *r)
{
	drop(r->head);
	drop(r->body);
	drop_json(r->json);
	memset(r, 0, sizeof(*r));
}

static void
response_parse(const struct bytes *raw, struct response *r)
{
	struct bytes out = { 0 };
	size_t off = 0;
	char *text, *blank;

	memset(r, 0, sizeof(*r));
	while (off + 8 <= raw->len) {
		const unsigned char *h = raw->p + off;
		size_t clen = ((size_t)h[4] << 8) | h[5], plen = h[6];

		assert_true(off + 8 + clen + plen <= raw->len);
		if (h[1] == FCGI_STDOUT)
			bytes_add(&out, h + 8, clen);
		else if (h[1] == FCGI_END_REQUEST)
			r->ended = 1;
		off += 8 + clen + plen;
	}
	assert_int_equal(off, raw->len);
	bytes_add(&out, "", 1);
	text = (char *)out.p;
	blank = strstr(text, "\r\n\r\n");
	if (blank == NULL)
		fail_msg("no end of headers in \"%s\"", text);
	r->head = keep(strndup(text, (size_t)(blank - text) + 2));
	r->body_len = out.len - 1 - (size_t)(blank + 4 - text);
	r->body = keep(malloc(r->body_len + 1));
	memcpy(r->body, blank + 4, r->body_len + 1);
	if (sscanf(text, "Status: %d ", &r->status) != 1)
		fail_msg("no status line in \"%s\"", text);
	if (r->body_len > 0)
		r->json = keep_json(json_tokener_parse(r->body));
	free(out.p);
}

/* The value of header `name` (first occurrence), copied into buf; NULL when absent. */
static const char *
header(const struct response *r, const char *name, char *buf, size_t len)
{
	const char *p = r->head;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			break;
		if ((size_t)(eol - p) > n + 1 && strncasecmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
			snprintf(buf, len, "%.*s", (int)(eol - p - (ptrdiff_t)n - 2), p + n + 2);
			return buf;
		}
		p = eol + 2;
	}
	return NULL;
}

/* The status line is exactly "Status: <want>". */
static void
expect_status_line(const struct response *r, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(r->head, "Status: ", 8) != 0 || strncmp(r->head + 8, want, n) != 0 ||
	    strncmp(r->head + 8 + n, "\r\n", 2) != 0)
		fail_msg("status line of \"%s\", want \"Status: %s\"", r->head, want);
}

static int
header_count(const struct response *r, const char *name)
{
	char line[128];
	const char *p = r->head;
	int count = 0;

	snprintf(line, sizeof(line), "\r\n%s: ", name);
	while ((p = strstr(p, line)) != NULL) {
		count++;
		p += strlen(line);
	}
	return count;
}

/* ---- running one exchange ---- */

typedef void (*serve_fn)(struct astral_request *req);

static void
serve_dispatch(struct astral_request *req)
{
	astral_dispatch(req, routes, NROUTES);
}

static void
exchange(const struct call *c, struct astral_app *app, serve_fn serve, struct response *r)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };   /* responder, no keep-alive */
	struct astral_request req;
	struct client cl;
	struct bytes params = { 0 };
	pthread_t thread;
	FCGX_Request fcgx;

	memset(&cl, 0, sizeof(cl));
	fcgi_records(&cl.request, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	for (int i = 0; i < c->n; i++) {
		fcgi_length(&params, strlen(c->names[i]));
		fcgi_length(&params, strlen(c->values[i]));
		bytes_add(&params, c->names[i], strlen(c->names[i]));
		bytes_add(&params, c->values[i], strlen(c->values[i]));
	}
	fcgi_records(&cl.request, FCGI_PARAMS, params.p, params.len);
	fcgi_records(&cl.request, FCGI_PARAMS, NULL, 0);
	if (c->body_len > 0)
		fcgi_records(&cl.request, FCGI_STDIN, (const unsigned char *)c->body, c->body_len);
	fcgi_records(&cl.request, FCGI_STDIN, NULL, 0);
	free(params.p);

	assert_int_equal(pthread_create(&thread, NULL, client_main, &cl), 0);
	assert_int_equal(FCGX_InitRequest(&fcgx, listen_fd, 0), 0);
	assert_int_equal(FCGX_Accept_r(&fcgx), 0);
	assert_int_equal(astral_request_init(&req, &fcgx, app), ASTRAL_OK);
	serve(&req);
	astral_request_free(&req);
	FCGX_Finish_r(&fcgx);
	assert_int_equal(pthread_join(thread, NULL), 0);

	response_parse(&cl.response, r);
	free(cl.request.p);
	free(cl.response.p);
	assert_true(r->ended);
}

/* Dispatch on the app without a database. */
static void
run(const struct call *c, struct response *r)
{
	exchange(c, &app_nodb, serve_dispatch, r);
}

static const char *
error_code(const struct response *r)
{
	struct json_object *err, *code;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "error", &err) ||
	    !json_object_object_get_ex(err, "code", &code))
		return NULL;
	return json_object_get_string(code);
}

/* The problem the response names for `field`, or NULL. */
static const char *
field_problem(const struct response *r, const char *field)
{
	struct json_object *err, *fields, *v;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "error", &err) ||
	    !json_object_object_get_ex(err, "fields", &fields) || !json_object_object_get_ex(fields, field, &v))
		return NULL;
	return json_object_get_string(v);
}

static void
expect_error(const struct response *r, int status, const char *code)
{
	const char *got = error_code(r);
	char ct[128];

	if (r->status != status || got == NULL || strcmp(got, code) != 0)
		fail_msg("got %d %s, want %d %s; body: %s", r->status, got ? got : "(no code)", status, code, r->body);
	assert_non_null(header(r, "Content-Type", ct, sizeof(ct)));
	assert_string_equal(ct, "application/json; charset=utf-8");
	assert_int_equal(handler_runs, 0);
}

/* Run on the app whose database is down: the request passed every check before the database. */
static void
expect_reaches_database(const struct call *c)
{
	struct response r;
	char v[32];

	exchange(c, &app_downdb, serve_dispatch, &r);
	if (r.status != 503)
		fail_msg("request stopped before the database: %d %s", r.status, r.body);
	expect_error(&r, 503, "service_unavailable");
	assert_non_null(header(&r, "Retry-After", v, sizeof(v)));
	assert_string_equal(v, "5");
	response_free(&r);
}

/* ---- tokens ---- */

static char *
token(const char *role, int mfa, int64_t lifetime_from, int64_t lifetime_to)
{
	int64_t now = (int64_t)time(NULL);
	struct astral_claims c;
	char *tok = NULL;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", USER_ID);
	snprintf(c.sid, sizeof(c.sid), "%s", SESSION_ID);
	snprintf(c.role, sizeof(c.role), "%s", role);
	c.mfa = mfa;
	c.iat = now + lifetime_from;
	c.exp = now + lifetime_to;
	assert_int_equal(astral_jwt_issue(jwt_key, sizeof(jwt_key) - 1, jwt_issuer, jwt_audience, &c, &tok), ASTRAL_OK);
	return tok;
}

/* "Bearer <token>" for a live token of `role`. */
static char *
bearer(const char *role, int mfa)
{
	char *tok = token(role, mfa, -10, 600);
	size_t n = strlen(tok) + 8;
	char *h = keep(malloc(n));

	snprintf(h, n, "Bearer %s", tok);
	free(tok);
	return h;
}

/* "a=b; __Host-astral_at=<token>" for a live token of `role`. */
static char *
cookie(const char *role, int mfa)
{
	char *tok = token(role, mfa, -10, 600);
	size_t n = strlen(tok) + 64;
	char *h = keep(malloc(n));

	snprintf(h, n, "a=b; " ASTRAL_COOKIE_ACCESS "=%s", tok);
	free(tok);
	return h;
}

/* ================================================================ routing */

static void
test_router_bad_unknown_path(void **state)
{
	static const char *const paths[] = {
		"/api/nope", "/api/pin", "/api/pingx", "/api/ping/", "/api", "/", "/API/PING", "/api//ping",
		"/api/me/notes/", "/api/items/", "/api/items/1/2",
	};
	struct response r;
	struct call c;
	char v[64];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		call_init(&c, "GET", paths[i]);
		run(&c, &r);
		if (r.status != 404)
			fail_msg("GET %s: %d, want 404", paths[i], r.status);
		expect_error(&r, 404, "not_found");
		assert_null(header(&r, "Allow", v, sizeof(v)));
		response_free(&r);
	}
}

static void
test_router_bad_method(void **state)
{
	struct response r;
	struct call c;
	char v[128];

	(void)state;
	call_init(&c, "DELETE", "/api/me/notes");
	run(&c, &r);
	expect_error(&r, 405, "method_not_allowed");
	assert_non_null(header(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "GET, POST");
	expect_status_line(&r, "405 Method Not Allowed");
	response_free(&r);

	call_init(&c, "PATCH", "/api/me/notes/" NOTE_ID);
	run(&c, &r);
	expect_error(&r, 405, "method_not_allowed");
	assert_non_null(header(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "PUT, DELETE");
	assert_int_equal(header_count(&r, "Allow"), 1);
	response_free(&r);

	call_init(&c, "POST", "/api/ping");
	run(&c, &r);
	expect_error(&r, 405, "method_not_allowed");
	assert_non_null(header(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "GET");
	response_free(&r);

	/* Methods are case-sensitive. */
	call_init(&c, "get", "/api/ping");
	run(&c, &r);
	expect_error(&r, 405, "method_not_allowed");
	response_free(&r);
}

static void
test_router_bad_method_before_auth(void **state)
{
	struct response r;
	struct call c;

	(void)state;
	/* 404 and 405 come before 401: an unknown address says nothing about sign-in. */
	call_init(&c, "PATCH", "/api/staff/action");
	run(&c, &r);
	expect_error(&r, 405, "method_not_allowed");
	response_free(&r);
	call_init(&c, "GET", "/api/staff/nothing");
	run(&c, &r);
	expect_error(&r, 404, "not_found");
	response_free(&r);
}

static void
test_router_bad_uuid_segment(void **state)
{
	static const char *const paths[] = {
		"/api/me/notes/not-a-uuid",
		"/api/me/notes/11111111-2222-4333-8444-55555555555",      /* one short */
		"/api/me/notes/11111111-2222-4333-8444-5555555555555",    /* one long */
		"/api/me/notes/11111111x2222-4333-8444-555555555555",
		"/api/me/notes/1111111g-2222-4333-8444-555555555555",
		"/api/me/notes/" NOTE_ID "/x",
		"/api/me/notes/%31111111-2222-4333-8444-555555555555",
	};
	char *auth = bearer("seeker", 0);
	struct response r;
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* Without and with a good token: the path never matches. */
		call_init(&c, "DELETE", paths[i]);
		run(&c, &r);
		if (r.status != 404)
			fail_msg("DELETE %s: %d, want 404", paths[i], r.status);
		expect_error(&r, 404, "not_found");
		response_free(&r);

		call_init(&c, "DELETE", paths[i]);
		call_param(&c, "HTTP_AUTHORIZATION", auth);
		run(&c, &r);
		expect_error(&r, 404, "not_found");
		response_free(&r);
	}
	drop(auth);
}

static void
test_router_bad_long_segment(void **state)
{
	char path[256], seg[100];
	struct response r;
	struct call c;

	(void)state;
	/* A captured segment must fit its 64-byte slot. */
	memset(seg, '7', sizeof(seg) - 1);
	seg[sizeof(seg) - 1] = '\0';
	snprintf(path, sizeof(path), "/api/items/%s", seg);
	call_init(&c, "GET", path);
	run(&c, &r);
	expect_error(&r, 404, "not_found");
	response_free(&r);
}

static void
test_router_uuid_segment_reaches_database(void **state)
{
	char *auth = bearer("seeker", 0);
	struct call c;

	(void)state;
	call_init(&c, "DELETE", "/api/me/notes/" NOTE_ID);
	call_param(&c, "HTTP_AUTHORIZATION", auth);
	expect_reaches_database(&c);
	call_init(&c, "GET", "/api/items/63");
	expect_reaches_database(&c);
	drop(auth);
}

/* ================================================================ origin and CSRF */

static void
test_router_bad_foreign_origin(void **state)
{
	static const char *const origins[] = {
		"https://evil.example", "https://example.org.evil.example", "http://example.org", "null",
		"https://example.org:8443", "https://EXAMPLE.org",
	};
	char *auth = bearer("seeker", 0);
	struct response r;
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		call_init(&c, "POST", "/api/echo");
		call_param(&c, "HTTP_ORIGIN", origins[i]);
		call_json(&c, "{\"text\":\"hi\"}");
		run(&c, &r);
		if (r.status != 403)
			fail_msg("Origin %s: %d, want 403", origins[i], r.status);
		expect_error(&r, 403, "csrf");
		response_free(&r);
	}
	/* A Bearer token does not excuse a foreign origin, and the origin is checked before the token. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_ORIGIN", "https://evil.example");
	call_param(&c, "HTTP_AUTHORIZATION", auth);
	call_json(&c, "{\"text\":\"hi\"}");
	run(&c, &r);
	expect_error(&r, 403, "csrf");
	response_free(&r);
	call_init(&c, "DELETE", "/api/me/notes/" NOTE_ID);
	call_param(&c, "HTTP_ORIGIN", "https://evil.example");
	run(&c, &r);
	expect_error(&r, 403, "csrf");
	response_free(&r);
	drop(auth);
}

static void
test_router_origin_allowed(void **state)
{
	struct call c;

	(void)state;
	/* Our own origin, no origin at all, and any origin on a safe method pass. */
	call_init(&c, "POST", "/api/echo");
	call_param(&c, "HTTP_ORIGIN", ORIGIN);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/echo");
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	call_init(&c, "GET", "/api/ping");
	call_param(&c, "HTTP_ORIGIN", "https://evil.example");
	expect_reaches_database(&c);
}

/* Refused on the token's word: the session is settled first, so 503 here (see the top). */
static void
test_router_bad_cookie_post_without_csrf(void **state)
{
	char *jar = cookie("seeker", 0);
	char *other_session = keep(astral_csrf_token(&app_nodb, "1b2c3d4e-5f60-4172-8384-95a6b7c8d9e0"));
	struct call c;

	(void)state;
	assert_non_null(other_session);
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_COOKIE", jar);
	call_param(&c, "HTTP_ORIGIN", ORIGIN);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);

	/* The token of another session. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_COOKIE", jar);
	call_param(&c, "HTTP_X_CSRF_TOKEN", other_session);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);

	/* DELETE is unsafe too. */
	call_init(&c, "DELETE", "/api/me/notes/" NOTE_ID);
	call_param(&c, "HTTP_COOKIE", jar);
	call_param(&c, "HTTP_X_CSRF_TOKEN", "");
	expect_reaches_database(&c);
	drop(jar);
	drop(other_session);
}

static void
test_router_cookie_csrf_passes(void **state)
{
	char *jar = cookie("seeker", 0);
	char *csrf = keep(astral_csrf_token(&app_nodb, SESSION_ID));
	char *auth = bearer("seeker", 0);
	struct call c;

	(void)state;
	assert_non_null(csrf);
	/* Cookie + the session's CSRF token. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_COOKIE", jar);
	call_param(&c, "HTTP_X_CSRF_TOKEN", csrf);
	call_param(&c, "HTTP_ORIGIN", ORIGIN);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	/* Cookie on a safe method needs no CSRF token. */
	call_init(&c, "GET", "/api/me/notes");
	call_param(&c, "HTTP_COOKIE", jar);
	expect_reaches_database(&c);
	/* Bearer needs none either. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_AUTHORIZATION", auth);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	drop(jar);
	drop(csrf);
	drop(auth);
}

/* ================================================================ who may call */

static void
test_router_bad_no_token(void **state)
{
	char *expired = keep(token("seeker", 0, -1000, -100));
	char expired_bearer[4200];
	struct response r;
	struct call c;
	const char *auths[] = { NULL, "Bearer garbage", "Basic dXNlcjpwYXNz", "Bearer ", expired_bearer };

	(void)state;
	snprintf(expired_bearer, sizeof(expired_bearer), "Bearer %s", expired);
	for (size_t i = 0; i < sizeof(auths) / sizeof(auths[0]); i++) {
		call_init(&c, "GET", "/api/me/notes");
		if (auths[i] != NULL)
			call_param(&c, "HTTP_AUTHORIZATION", auths[i]);
		run(&c, &r);
		if (r.status != 401)
			fail_msg("Authorization %zu: %d, want 401", i, r.status);
		expect_error(&r, 401, "unauthorized");
		response_free(&r);
	}
	/* 401 comes before the body is even looked at. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "CONTENT_LENGTH", "99999999");
	call_param(&c, "CONTENT_TYPE", "text/plain");
	run(&c, &r);
	expect_error(&r, 401, "unauthorized");
	response_free(&r);
	drop(expired);
}

/* Refused on the token's word: the session is settled first, so 503 here (see the top). */
static void
test_router_bad_role(void **state)
{
	char *seeker = bearer("seeker", 1);
	char *helper = bearer("helper", 1);
	char *admin = bearer("admin", 1);
	struct call c;

	(void)state;
	call_init(&c, "POST", "/api/staff/action");
	call_param(&c, "HTTP_AUTHORIZATION", seeker);
	expect_reaches_database(&c);

	call_init(&c, "POST", "/api/staff/action");
	call_param(&c, "HTTP_AUTHORIZATION", helper);
	expect_reaches_database(&c);

	/* Staff are not seekers: a route for seekers and helpers refuses an admin. */
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_AUTHORIZATION", admin);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	drop(seeker);
	drop(helper);
	drop(admin);
}

/* Refused on the token's word: the session is settled first, so 503 here (see the top). */
static void
test_router_bad_staff_without_mfa(void **state)
{
	char *moderator = bearer("moderator", 0);
	char *admin = bearer("admin", 0);
	struct call c;

	(void)state;
	call_init(&c, "POST", "/api/staff/action");
	call_param(&c, "HTTP_AUTHORIZATION", moderator);
	expect_reaches_database(&c);

	call_init(&c, "GET", "/api/me/notes");
	call_param(&c, "HTTP_AUTHORIZATION", admin);
	expect_reaches_database(&c);
	drop(moderator);
	drop(admin);
}

static void
test_router_roles_pass(void **state)
{
	char *moderator_nomfa = bearer("moderator", 0);
	char *admin = bearer("admin", 1);
	char *helper = bearer("helper", 0);
	struct call c;

	(void)state;
	/* Enrolment is open to staff without MFA. */
	call_init(&c, "POST", "/api/staff/mfa");
	call_param(&c, "HTTP_AUTHORIZATION", moderator_nomfa);
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/staff/action");
	call_param(&c, "HTTP_AUTHORIZATION", admin);
	expect_reaches_database(&c);
	call_init(&c, "GET", "/api/me/notes");
	call_param(&c, "HTTP_AUTHORIZATION", admin);
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/me/notes");
	call_param(&c, "HTTP_AUTHORIZATION", helper);
	call_json(&c, "{\"text\":\"hi\"}");
	expect_reaches_database(&c);
	drop(moderator_nomfa);
	drop(admin);
	drop(helper);
}

/* ================================================================ body and query */

static void
test_router_bad_body_too_large(void **state)
{
	static const char *const lengths[] = { "65537", "99999999999", "99999999999999999999999", "abc", "-1", "1e3" };
	struct response r;
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		call_init(&c, "POST", "/api/echo");
		call_param(&c, "CONTENT_TYPE", "application/json");
		call_param(&c, "CONTENT_LENGTH", lengths[i]);
		run(&c, &r);
		if (r.status != 413)
			fail_msg("Content-Length %s: %d, want 413", lengths[i], r.status);
		expect_error(&r, 413, "payload_too_large");
		expect_status_line(&r, "413 Payload Too Large");
		response_free(&r);
	}
}

static void
test_router_bad_body_too_large_unannounced(void **state)
{
	size_t n = MAX_BODY + 1000;
	char *big = keep(malloc(n));
	struct response r;
	struct call c;

	(void)state;
	assert_non_null(big);
	/* No Content-Length, a body over the limit: the reader stops at the limit. */
	big[0] = '{';
	memset(big + 1, ' ', n - 2);
	big[n - 1] = '}';
	call_init(&c, "POST", "/api/echo");
	call_param(&c, "CONTENT_TYPE", "application/json");
	c.body = big;
	c.body_len = n;
	run(&c, &r);
	expect_error(&r, 413, "payload_too_large");
	response_free(&r);

	/* A Content-Length that understates the body. */
	call_init(&c, "POST", "/api/echo");
	call_param(&c, "CONTENT_TYPE", "application/json");
	call_param(&c, "CONTENT_LENGTH", "10");
	c.body = big;
	c.body_len = n;
	run(&c, &r);
	expect_error(&r, 413, "payload_too_large");
	response_free(&r);
	drop(big);
}

static void
test_router_body_at_limit(void **state)
{
	static const char json[] = "{\"text\":\"hi\"}";
	char *body = keep(malloc(MAX_BODY));
	struct call c;

	(void)state;
	assert_non_null(body);
	/* Exactly max_body_bytes: the object, then spaces. */
	memset(body, ' ', MAX_BODY);
	memcpy(body, json, sizeof(json) - 1);
	call_init(&c, "POST", "/api/echo");
	call_body(&c, "application/json", body, MAX_BODY);
	expect_reaches_database(&c);
	drop(body);
}

/* An ASTRAL_BODY_LARGE route takes up to ASTRAL_LARGE_BODY_MAX whatever max_body_bytes says. */
static void
test_router_large_body_route(void **state)
{
	static const char json[] = "{\"text\":\"hi\"}";
	size_t n = ASTRAL_LARGE_BODY_MAX;
	char *body = keep(malloc(n + 1));
	struct response r;
	struct call c;

	(void)state;
	assert_non_null(body);
	assert_true(MAX_BODY < ASTRAL_LARGE_BODY_MAX);
	memset(body, ' ', n + 1);
	memcpy(body, json, sizeof(json) - 1);
	call_init(&c, "POST", "/api/echo-large");
	call_body(&c, "application/json", body, n);
	expect_reaches_database(&c);

	call_init(&c, "POST", "/api/echo-large");
	call_body(&c, "application/json", body, n + 1);
	run(&c, &r);
	expect_error(&r, 413, "payload_too_large");
	response_free(&r);

	/* The same body on an ordinary route is over its limit. */
	call_init(&c, "POST", "/api/echo");
	call_body(&c, "application/json", body, MAX_BODY + 1);
	run(&c, &r);
	expect_error(&r, 413, "payload_too_large");
	response_free(&r);
	drop(body);
}

static void
test_router_bad_content_type(void **state)
{
	static const char *const types[] = {
		"text/plain", "application/jsonp", "application/json-patch+json", "text/json", "application/x-www-form-urlencoded",
		"", "multipart/form-data; boundary=x",
	};
	struct response r;
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		call_init(&c, "POST", "/api/echo");
		call_body(&c, types[i], "{\"text\":\"hi\"}", 13);
		run(&c, &r);
		if (r.status != 415)
			fail_msg("Content-Type \"%s\": %d, want 415", types[i], r.status);
		expect_error(&r, 415, "unsupported_media_type");
		response_free(&r);
	}
	/* No Content-Type at all. */
	call_init(&c, "POST", "/api/echo");
	call_body(&c, NULL, "{\"text\":\"hi\"}", 13);
	run(&c, &r);
	expect_error(&r, 415, "unsupported_media_type");
	response_free(&r);
}

static void
test_router_content_type_variants(void **state)
{
	static const char *const types[] = { "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8" };
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		call_init(&c, "POST", "/api/echo");
		call_body(&c, types[i], "{\"text\":\"hi\"}", 13);
		expect_reaches_database(&c);
	}
}

static void
test_router_bad_json(void **state)
{
	static const char *const bodies[] = { "{", "{\"text\":}", "not json", "{\"text\":\"hi\"} x", "\"", "" };
	struct response r;
	struct call c;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		call_init(&c, "POST", "/api/echo");
		call_json(&c, bodies[i]);
		run(&c, &r);
		if (r.status != 400 || error_code(&r) == NULL || strcmp(error_code(&r), "invalid_json") != 0)
			fail_msg("body \"%s\": %d %s", bodies[i], r.status, r.body);
		expect_error(&r, 400, "invalid_json");
		assert_non_null(field_problem(&r, "body"));
		response_free(&r);
	}
}

static void
test_router_bad_field(void **state)
{
	struct response r;
	struct call c;

	(void)state;
	call_init(&c, "POST", "/api/echo");
	call_json(&c, "{\"text\":\"hi\",\"colour\":\"red\"}");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "colour"));
	assert_null(field_problem(&r, "text"));
	response_free(&r);

	/* A required field missing, a wrong type, a value too long. */
	call_init(&c, "POST", "/api/echo");
	call_json(&c, "{}");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "text"));
	response_free(&r);

	call_init(&c, "POST", "/api/echo");
	call_json(&c, "{\"text\":5}");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "text"));
	response_free(&r);

	call_init(&c, "POST", "/api/echo");
	call_json(&c, "[\"text\"]");
	run(&c, &r);
	assert_int_equal(r.status, 400);
	assert_int_equal(handler_runs, 0);
	response_free(&r);
}

static void
test_router_bad_body_where_none_taken(void **state)
{
	struct response r;
	struct call c;

	(void)state;
	call_init(&c, "POST", "/api/nobody");
	call_json(&c, "{\"a\":1}");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "body"));
	response_free(&r);

	call_init(&c, "POST", "/api/nobody");
	call_json(&c, "[]");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	response_free(&r);
}

static void
test_router_empty_bodies_pass(void **state)
{
	struct call c;

	(void)state;
	/* No body where none is taken; {} where none is taken; an optional body left out. */
	call_init(&c, "POST", "/api/nobody");
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/nobody");
	call_json(&c, "{}");
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/optional");
	call_body(&c, NULL, "", 0);
	expect_reaches_database(&c);
	call_init(&c, "POST", "/api/optional");
	call_json(&c, "{}");
	expect_reaches_database(&c);
}

static void
test_router_bad_empty_required_body(void **state)
{
	struct response r;
	struct call c;

	(void)state;
	/* A route whose body is not optional: an empty body is not JSON. */
	call_init(&c, "POST", "/api/echo");
	call_body(&c, "application/json", "", 0);
	run(&c, &r);
	expect_error(&r, 400, "invalid_json");
	assert_non_null(field_problem(&r, "body"));
	response_free(&r);

	/* An optional body that is given is checked like any other. */
	call_init(&c, "POST", "/api/optional");
	call_json(&c, "{\"text\":\"\"}");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "text"));
	response_free(&r);
}

static void
test_router_bad_query(void **state)
{
	struct response r;
	struct call c;

	(void)state;
	/* A route that takes no query. */
	call_init(&c, "GET", "/api/ping?x=1");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "query"));
	response_free(&r);

	/* An undeclared parameter (input.c reports it under "query"); a value out of range. */
	call_init(&c, "GET", "/api/list?bogus=1");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "query"));
	response_free(&r);

	call_init(&c, "GET", "/api/list?limit=999");
	run(&c, &r);
	expect_error(&r, 400, "invalid_field");
	assert_non_null(field_problem(&r, "limit"));
	response_free(&r);
}

static void
test_router_query_passes(void **state)
{
	struct call c;

	(void)state;
	call_init(&c, "GET", "/api/list?limit=5");
	expect_reaches_database(&c);
	call_init(&c, "GET", "/api/list");
	expect_reaches_database(&c);
}

/* ================================================================ the response writer */

static int respond_case;

static void
serve_respond(struct astral_request *req)
{
	struct json_object *o;

	switch (respond_case) {
	case 0:      /* a plain 200 with a body that has a slash, a quote and non-ASCII text */
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string("a/b \"c\" \xc3\xa9"));
		astral_respond(req, 200, o);
		break;
	case 1:      /* 204 drops the body even when one is given */
		astral_respond(req, 204, json_object_new_object());
		break;
	case 2:      /* 201 without a body */
		astral_respond(req, 201, NULL);
		break;
	case 3:      /* nothing answered at all */
		break;
	case 4:      /* a second answer replaces the first */
		astral_respond(req, 200, json_object_new_string("first"));
		astral_respond_error(req, 409, "conflict", "second");
		break;
	case 5:      /* headers: good ones kept in order, bad ones refused */
		astral_header(req, "X-One", "1");
		astral_header(req, "X-Bad", "a\r\nX-Injected: yes");
		astral_header(req, "X-Bad2\r\nX-Injected", "yes");
		astral_header(req, "X-Bad: x", "y");
		astral_header(req, "", "empty name");
		astral_header(req, "X-Lf", "a\nX-Injected: yes");
		astral_header(req, "X-Two", "2");
		astral_respond(req, 200, NULL);
		break;
	case 6:      /* cookies */
		astral_cookie_set(req, "__Host-astral_at", "tok.en", 900);
		astral_cookie_clear(req, "__Host-astral_rt");
		astral_respond(req, 204, NULL);
		break;
	case 7:      /* field errors */
		astral_respond_field_error(req, 400, "invalid_field", "Check the form.", "email", "is not an address");
		break;
	case 8: {    /* many headers: the buffer grows */
		char name[32], value[200];

		memset(value, 'v', sizeof(value) - 1);
		value[sizeof(value) - 1] = '\0';
		for (int i = 0; i < 50; i++) {
			snprintf(name, sizeof(name), "X-H%d", i);
			astral_header(req, name, value);
		}
		astral_respond(req, 200, NULL);
		break;
	}
	case 9: {    /* a large body, several FastCGI records */
		char *big = malloc(50001);

		assert_non_null(big);
		memset(big, 'z', 50000);
		big[50000] = '\0';
		o = json_object_new_object();
		json_object_object_add(o, "big", json_object_new_string(big));
		free(big);
		astral_respond(req, 200, o);
		break;
	}
	default:
		fail_msg("no response case %d", respond_case);
	}
	astral_response_send(req);
}

static void
respond_with(int which, struct response *r)
{
	struct call c;

	respond_case = which;
	call_init(&c, "GET", "/x");
	exchange(&c, &app_nodb, serve_respond, r);
}

static void
test_router_response_basic(void **state)
{
	struct json_object *v;
	struct response r;
	char h[128];

	(void)state;
	respond_with(0, &r);
	assert_int_equal(r.status, 200);
	expect_status_line(&r, "200 OK");
	assert_non_null(header(&r, "Content-Type", h, sizeof(h)));
	assert_string_equal(h, "application/json; charset=utf-8");
	assert_non_null(header(&r, "Cache-Control", h, sizeof(h)));
	assert_string_equal(h, "no-store");
	assert_non_null(header(&r, "X-Request-Id", h, sizeof(h)));
	assert_int_equal(strlen(h), 32);
	assert_int_equal(strspn(h, "0123456789abcdef"), 32);
	assert_non_null(strstr(r.body, "\"a/b \\\"c\\\" \xc3\xa9\""));
	assert_non_null(r.json);
	assert_true(json_object_object_get_ex(r.json, "path", &v));
	assert_string_equal(json_object_get_string(v), "a/b \"c\" \xc3\xa9");
	response_free(&r);
}

static void
test_router_response_request_id(void **state)
{
	static const char *const bad[] = { "has space", "semi;colon", "0123456789012345678901234567890123456789", "" };
	struct response r;
	struct call c;
	char h[128];

	(void)state;
	respond_case = 2;
	call_init(&c, "GET", "/x");
	call_param(&c, "REQUEST_ID", "abc-123");
	exchange(&c, &app_nodb, serve_respond, &r);
	assert_non_null(header(&r, "X-Request-Id", h, sizeof(h)));
	assert_string_equal(h, "abc-123");
	response_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call_init(&c, "GET", "/x");
		call_param(&c, "REQUEST_ID", bad[i]);
		exchange(&c, &app_nodb, serve_respond, &r);
		assert_non_null(header(&r, "X-Request-Id", h, sizeof(h)));
		if (strlen(h) != 32 || strspn(h, "0123456789abcdef") != 32)
			fail_msg("REQUEST_ID \"%s\" gave X-Request-Id \"%s\"", bad[i], h);
		response_free(&r);
	}
}

static void
test_router_response_no_body(void **state)
{
	struct response r;
	char h[128];

	(void)state;
	respond_with(1, &r);
	assert_int_equal(r.status, 204);
	expect_status_line(&r, "204 No Content");
	assert_int_equal(r.body_len, 0);
	assert_null(header(&r, "Content-Type", h, sizeof(h)));
	response_free(&r);

	respond_with(2, &r);
	assert_int_equal(r.status, 201);
	expect_status_line(&r, "201 Created");
	assert_int_equal(r.body_len, 0);
	assert_null(header(&r, "Content-Type", h, sizeof(h)));
	response_free(&r);
}

static void
test_router_bad_response_missing(void **state)
{
	struct response r;

	(void)state;
	/* A handler that answered nothing: the client still gets a well-formed 500. */
	respond_with(3, &r);
	expect_error(&r, 500, "internal");
	expect_status_line(&r, "500 Internal Server Error");
	response_free(&r);
}

static void
test_router_response_replaced(void **state)
{
	struct response r;

	(void)state;
	respond_with(4, &r);
	expect_error(&r, 409, "conflict");
	assert_null(strstr(r.body, "first"));
	response_free(&r);
}

static void
test_router_bad_response_headers(void **state)
{
	struct response r;
	char h[128];

	(void)state;
	respond_with(5, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(header(&r, "X-One", h, sizeof(h)));
	assert_string_equal(h, "1");
	assert_non_null(header(&r, "X-Two", h, sizeof(h)));
	assert_string_equal(h, "2");
	assert_true(strstr(r.head, "X-One: 1\r\n") < strstr(r.head, "X-Two: 2\r\n"));
	assert_null(strstr(r.head, "Injected"));
	assert_null(strstr(r.head, "X-Bad"));
	assert_null(strstr(r.head, "X-Lf"));
	assert_null(strstr(r.head, "empty name"));
	assert_int_equal(r.body_len, 0);
	response_free(&r);
}

static void
test_router_response_cookies(void **state)
{
	struct response r;

	(void)state;
	respond_with(6, &r);
	assert_int_equal(r.status, 204);
	assert_non_null(strstr(r.head, "\r\nSet-Cookie: __Host-astral_at=tok.en; Path=/; Max-Age=900; HttpOnly; Secure; "
	                               "SameSite=Strict\r\n"));
	assert_non_null(strstr(r.head, "\r\nSet-Cookie: __Host-astral_rt=; Path=/; Max-Age=0; HttpOnly; Secure; "
	                               "SameSite=Strict\r\n"));
	assert_int_equal(header_count(&r, "Set-Cookie"), 2);
	response_free(&r);
}

static void
test_router_response_field_error(void **state)
{
	struct json_object *err, *v;
	struct response r;

	(void)state;
	respond_with(7, &r);
	expect_error(&r, 400, "invalid_field");
	assert_string_equal(field_problem(&r, "email"), "is not an address");
	assert_true(json_object_object_get_ex(r.json, "error", &err));
	assert_true(json_object_object_get_ex(err, "message", &v));
	assert_string_equal(json_object_get_string(v), "Check the form.");
	response_free(&r);
}

static void
test_router_response_large(void **state)
{
	struct json_object *v;
	struct response r;

	(void)state;
	respond_with(8, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(header_count(&r, "X-H49"), 1);
	for (int i = 0; i < 50; i++) {
		char name[32], h[256];

		snprintf(name, sizeof(name), "X-H%d", i);
		assert_non_null(header(&r, name, h, sizeof(h)));
		assert_int_equal(strlen(h), 199);
	}
	response_free(&r);

	respond_with(9, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	assert_true(json_object_object_get_ex(r.json, "big", &v));
	assert_int_equal(json_object_get_string_len(v), 50000);
	response_free(&r);
}

/* Each library error becomes the status and code a client expects. */
static astral_err err_case;

static void
serve_err(struct astral_request *req)
{
	astral_respond_err(req, err_case);
	astral_response_send(req);
}

static void
test_router_response_err_mapping(void **state)
{
	static const struct {
		astral_err err;
		int status;
		const char *code;
	} map[] = {
		{ ASTRAL_ERR_DB_DOWN, 503, "service_unavailable" },
		{ ASTRAL_ERR_NOT_FOUND, 404, "not_found" },
		{ ASTRAL_ERR_CONFLICT, 409, "conflict" },
		{ ASTRAL_ERR_INVALID, 400, "invalid_field" },
		{ ASTRAL_ERR_TOO_LARGE, 413, "payload_too_large" },
		{ ASTRAL_ERR_UNAUTHORIZED, 401, "unauthorized" },
		{ ASTRAL_ERR_EXPIRED, 401, "unauthorized" },
		{ ASTRAL_ERR_FORBIDDEN, 403, "forbidden" },
		{ ASTRAL_ERR_NOMEM, 500, "internal" },
		{ ASTRAL_ERR_CRYPTO, 500, "internal" },
		{ ASTRAL_ERR_IO, 500, "internal" },
		{ ASTRAL_ERR_CONFIG, 500, "internal" },
		{ ASTRAL_ERR_DB, 500, "internal" },
		{ ASTRAL_ERR_INTERNAL, 500, "internal" },
	};
	struct response r;
	struct call c;
	char h[32];

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		err_case = map[i].err;
		call_init(&c, "GET", "/x");
		exchange(&c, &app_nodb, serve_err, &r);
		if (r.status != map[i].status || error_code(&r) == NULL || strcmp(error_code(&r), map[i].code) != 0)
			fail_msg("%s: %d %s, want %d %s", astral_strerror(map[i].err), r.status, r.body, map[i].status,
			         map[i].code);
		if (map[i].err == ASTRAL_ERR_DB_DOWN) {
			assert_non_null(header(&r, "Retry-After", h, sizeof(h)));
			assert_string_equal(h, "5");
		} else {
			assert_null(header(&r, "Retry-After", h, sizeof(h)));
		}
		response_free(&r);
	}
}

/* ---- setup ---- */

/* ================================================================ the transaction */

/* A write, then an answer of the status the route names: what the dispatcher does with the
   handler's transaction. The table is made by the group's setup; labels say which route wrote. */
static const struct astral_stmt probe_stmts[] = {
	{ "router_probe_insert", "INSERT INTO router_probe (label) VALUES ($1)", 1 },
};
static const struct astral_stmt *const probe_tables[] = { probe_stmts, NULL };
static const size_t probe_counts[] = { sizeof(probe_stmts) / sizeof(probe_stmts[0]) };

static struct astral_app app_db;        /* a real database, or db == NULL: the tests are skipped */
static const char *owner_conninfo;

static void
write_then_answer(struct astral_request *req, const char *label, int status)
{
	struct astral_params p;

	astral_params_init(&p);
	astral_params_text(&p, label);
	if (astral_db_exec(req->app->db, &probe_stmts[0], &p, NULL) != ASTRAL_OK) {
		astral_respond_err(req, ASTRAL_ERR_DB);
		return;
	}
	if (status == 500)
		astral_respond_err(req, ASTRAL_ERR_INTERNAL);
	else if (status == 503)
		astral_respond_err(req, ASTRAL_ERR_DB_DOWN);
	else if (status == 409)
		astral_respond_error(req, 409, "conflict", "Refused after a write of its own.");
	else
		astral_respond(req, 201, json_object_new_object());
}

static void
probe_created(struct astral_request *req, const void *input)
{
	(void)input;
	write_then_answer(req, "created", 201);
}

static void
probe_refused(struct astral_request *req, const void *input)
{
	(void)input;
	write_then_answer(req, "refused", 409);
}

static void
probe_failed(struct astral_request *req, const void *input)
{
	(void)input;
	write_then_answer(req, "failed", 500);
}

static void
probe_unavailable(struct astral_request *req, const void *input)
{
	(void)input;
	write_then_answer(req, "unavailable", 503);
}

/* A success answer with a header of its own over a write that failed (NULL in a NOT NULL column):
   the dispatcher must answer 500 without that header. */
static void
probe_header_then_failed_write(struct astral_request *req, const void *input)
{
	struct astral_params p;

	(void)input;
	astral_header(req, "X-Accel-Redirect", "/_media/private-file");
	astral_params_init(&p);
	astral_params_null(&p);
	if (astral_db_exec(req->app->db, &probe_stmts[0], &p, NULL) == ASTRAL_OK)
		fail_msg("a NULL label was stored");
	astral_respond(req, 200, json_object_new_object());
}

static const struct astral_route probe_routes[] = {
	{ "POST", "/api/probe/created",     probe_created,     ASTRAL_PUBLIC, NULL, 0 },
	{ "POST", "/api/probe/refused",     probe_refused,     ASTRAL_PUBLIC, NULL, 0 },
	{ "POST", "/api/probe/failed",      probe_failed,      ASTRAL_PUBLIC, NULL, 0 },
	{ "POST", "/api/probe/unavailable", probe_unavailable, ASTRAL_PUBLIC, NULL, 0 },
	{ "POST", "/api/probe/header",      probe_header_then_failed_write, ASTRAL_PUBLIC, NULL, 0 },
};

static void
serve_probe(struct astral_request *req)
{
	astral_dispatch(req, probe_routes, sizeof(probe_routes) / sizeof(probe_routes[0]));
}

/* Run `sql` as the owner on a connection of its own; the first value of the first row, or "". */
static char *
owner_query(const char *sql)
{
	PGconn *conn = PQconnectdb(owner_conninfo);
	PGresult *res;
	char *value;

	if (PQstatus(conn) != CONNECTION_OK)
		fail_msg("owner connection: %s", PQerrorMessage(conn));
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	value = keep(strdup(PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : ""));
	PQclear(res);
	PQfinish(conn);
	return value;
}

static int
probe_post(const char *path)
{
	struct response r;
	struct call c;
	int status;

	call_init(&c, "POST", path);
	exchange(&c, &app_db, serve_probe, &r);
	status = r.status;
	response_free(&r);
	return status;
}

/* What a request wrote stands when it succeeded or was refused, and not when it failed: a 5xx
   after a write (a help session inserted, then its key could not be made) leaves nothing behind. */
static void
test_router_server_error_rolls_back_the_handlers_writes(void **state)
{
	(void)state;
	if (app_db.db == NULL)
		skip();
	owner_query("TRUNCATE router_probe");
	assert_int_equal(probe_post("/api/probe/created"), 201);
	assert_int_equal(probe_post("/api/probe/refused"), 409);
	assert_int_equal(probe_post("/api/probe/failed"), 500);
	assert_int_equal(probe_post("/api/probe/unavailable"), 503);
	assert_string_equal(owner_query("SELECT string_agg(label, ',' ORDER BY label) FROM router_probe"),
	                    "created,refused");
	/* The connection is usable after the rollbacks: the next request's write stands. */
	assert_int_equal(probe_post("/api/probe/created"), 201);
	assert_string_equal(owner_query("SELECT count(*) FROM router_probe WHERE label = 'created'"), "2");
}

/* An answer replaced by an error keeps none of its headers: nginx would follow an
   X-Accel-Redirect (and a browser keep a cookie) whatever the status. */
static void
test_router_replaced_answer_drops_its_headers(void **state)
{
	struct response r;
	struct call c;
	char v[128];

	(void)state;
	if (app_db.db == NULL)
		skip();
	call_init(&c, "POST", "/api/probe/header");
	exchange(&c, &app_db, serve_probe, &r);
	assert_int_equal(r.status, 500);
	assert_null(header(&r, "X-Accel-Redirect", v, sizeof(v)));
	assert_non_null(header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/json; charset=utf-8");
	response_free(&r);
}

/* The database of the transaction tests, when the environment names one. */
static int
probe_db_open(void)
{
	astral_err err;

	app_init(&app_db);
	owner_conninfo = getenv("ASTRAL_TEST_OWNER_CONNINFO");
	if (owner_conninfo == NULL || owner_conninfo[0] == '\0')
		return 0;
	{
		PGconn *conn = PQconnectdb(owner_conninfo);
		PGresult *res = PQexec(conn, "CREATE TABLE IF NOT EXISTS router_probe (label text NOT NULL)");
		int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

		if (!ok)
			fprintf(stderr, "router_probe: %s\n", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		if (!ok)
			return -1;
	}
	err = astral_db_open(owner_conninfo, NULL, 5000, probe_tables, probe_counts, &app_db.db);
	if (err != ASTRAL_OK) {
		fprintf(stderr, "astral_db_open: %s\n", astral_strerror(err));
		return -1;
	}
	return 0;
}

static void
probe_db_close(void)
{
	if (app_db.db == NULL)
		return;
	astral_db_close(app_db.db);
	{
		PGconn *conn = PQconnectdb(owner_conninfo);

		PQclear(PQexec(conn, "DROP TABLE IF EXISTS router_probe"));
		PQfinish(conn);
	}
}

static int
group_setup(void **state)
{
	struct sockaddr_un sa;
	astral_err err;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	astral_log_init("test-router", ASTRAL_LOG_ERROR);
	app_init(&app_nodb);
	app_init(&app_downdb);
	/* A database that cannot be reached: a socket directory that does not exist. */
	err = astral_db_open("host=/nonexistent/astral-test-router port=1 dbname=astral connect_timeout=2", NULL,
	                     1000, NULL, NULL, &app_downdb.db);
	if (app_downdb.db == NULL) {
		fprintf(stderr, "astral_db_open: %s\n", astral_strerror(err));
		return -1;
	}
	if (probe_db_open() != 0)
		return -1;
	if (FCGX_Init() != 0)
		return -1;
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/astral-test-router-XXXXXX");
	if (mkdtemp(sock_dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/fcgi.sock", sock_dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(listen_fd, 8) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (listen_fd >= 0)
		close(listen_fd);
	unlink(sock_path);
	rmdir(sock_dir);
	astral_db_close(app_downdb.db);
	probe_db_close();
	return 0;
}

static int
test_setup(void **state)
{
	(void)state;
	handler_runs = 0;
	return 0;
}

static int
test_teardown(void **state)
{
	(void)state;
	drop_all();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_router_bad_unknown_path),
		T(test_router_bad_method),
		T(test_router_bad_method_before_auth),
		T(test_router_bad_uuid_segment),
		T(test_router_bad_long_segment),
		T(test_router_uuid_segment_reaches_database),
		T(test_router_bad_foreign_origin),
		T(test_router_origin_allowed),
		T(test_router_bad_cookie_post_without_csrf),
		T(test_router_cookie_csrf_passes),
		T(test_router_bad_no_token),
		T(test_router_bad_role),
		T(test_router_bad_staff_without_mfa),
		T(test_router_roles_pass),
		T(test_router_bad_body_too_large),
		T(test_router_bad_body_too_large_unannounced),
		T(test_router_body_at_limit),
		T(test_router_large_body_route),
		T(test_router_bad_content_type),
		T(test_router_content_type_variants),
		T(test_router_bad_json),
		T(test_router_bad_field),
		T(test_router_bad_body_where_none_taken),
		T(test_router_empty_bodies_pass),
		T(test_router_bad_empty_required_body),
		T(test_router_bad_query),
		T(test_router_query_passes),
		T(test_router_response_basic),
		T(test_router_response_request_id),
		T(test_router_response_no_body),
		T(test_router_bad_response_missing),
		T(test_router_response_replaced),
		T(test_router_bad_response_headers),
		T(test_router_response_cookies),
		T(test_router_response_field_error),
		T(test_router_response_large),
		T(test_router_response_err_mapping),
		T(test_router_server_error_rolls_back_the_handlers_writes),
		T(test_router_replaced_answer_drops_its_headers),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
