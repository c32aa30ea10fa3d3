/* The configuration file: one table of keys walked by generic code (style.md practice 8). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define CFG_FILE_MAX (1024 * 1024)   /* the config file itself */
#define CFG_SECRET_MAX 65536         /* a secret file */
#define CFG_NAME_SHOWN 64            /* longest name quoted back in an error */

enum cfg_type { CFG_STRING, CFG_PATH, CFG_INTEGER, CFG_BOOLEAN, CFG_ENUM, CFG_SECRET_FILE };

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	const char *def;                    /* default, written as in the file; NULL: none */
	bool required;
	long long min, max;                 /* integer: range; secret file: length in bytes */
	size_t offset;                      /* the field in struct astral_config */
	bool binary;                        /* secret file: bytes with a length field, else text */
	size_t len_offset;                  /* binary secret file: its size_t length field */
	const char *default_from;           /* "section.key" (earlier in the table) giving the default */
	const char *choices;                /* enum: the words, '|'-separated */
	int (*parse_enum)(const char *);    /* enum: word → value, -1 if unknown */
	const char *(*check)(const char *); /* string: why the value is refused, or NULL */
	const char *help;
};

static const char *cfg_check_origin(const char *v);
static const char *cfg_check_http_url(const char *v);
static const char *cfg_check_absolute(const char *v);
static const char *cfg_check_relay_socket(const char *v);
static const char *cfg_check_ai_endpoint(const char *v);
static const char *cfg_check_region(const char *v);
static const char *cfg_check_donation_url(const char *v);
static int cfg_parse_ai_provider(const char *s);
static int cfg_parse_rt_transport(const char *s);
static int cfg_parse_media_delivery(const char *s);

#define F(field) offsetof(struct astral_config, field)

static const struct cfg_key cfg_keys[] = {
	{ .section = "database", .name = "conninfo", .type = CFG_STRING, .required = true,
	  .offset = F(db_conninfo),
	  .help = "libpq connection string for the application role, e.g. \"host=/run/postgresql "
	          "dbname=astral user=astral_app\"" },
	{ .section = "database", .name = "password_file", .type = CFG_SECRET_FILE, .min = 1,
	  .max = CFG_SECRET_MAX, .offset = F(db_password),
	  .help = "file holding the application role's password (not needed with peer authentication)" },
	{ .section = "database", .name = "owner_conninfo", .type = CFG_STRING,
	  .default_from = "database.conninfo", .offset = F(db_owner_conninfo),
	  .help = "libpq connection string for the owner role, used by astralctl migrate" },
	{ .section = "database", .name = "statement_timeout_ms", .type = CFG_INTEGER, .def = "5000",
	  .min = 100, .max = 600000, .offset = F(db_statement_timeout_ms),
	  .help = "statement_timeout set on every connection, in milliseconds" },

	{ .section = "auth", .name = "jwt_key_file", .type = CFG_SECRET_FILE, .required = true,
	  .min = 32, .max = CFG_SECRET_MAX, .offset = F(jwt_key), .binary = true,
	  .len_offset = F(jwt_key_len),
	  .help = "file holding the HMAC key that signs access tokens" },
	{ .section = "auth", .name = "issuer", .type = CFG_STRING, .def = "astral-core",
	  .offset = F(jwt_issuer), .help = "\"iss\" claim of access tokens" },
	{ .section = "auth", .name = "audience", .type = CFG_STRING, .def = "astral-core",
	  .offset = F(jwt_audience), .help = "\"aud\" claim of access tokens" },
	{ .section = "auth", .name = "access_ttl", .type = CFG_INTEGER, .def = "900", .min = 60, .max = 900,
	  .offset = F(access_ttl), .help = "lifetime of an access token, in seconds" },
	{ .section = "auth", .name = "idle_timeout", .type = CFG_INTEGER, .def = "1800", .min = 60,
	  .max = 86400, .offset = F(idle_timeout),
	  .help = "seconds without activity before a seeker's or helper's session ends" },
	{ .section = "auth", .name = "staff_idle_timeout", .type = CFG_INTEGER, .def = "900", .min = 60,
	  .max = 86400, .offset = F(staff_idle_timeout),
	  .help = "seconds without activity before a moderator's or admin's session ends" },
	{ .section = "auth", .name = "absolute_timeout", .type = CFG_INTEGER, .def = "43200", .min = 300,
	  .max = 604800, .offset = F(absolute_timeout),
	  .help = "seconds after sign-in when a session ends whatever its activity" },
	{ .section = "auth", .name = "refresh_grace", .type = CFG_INTEGER, .def = "10", .min = 0, .max = 60,
	  .offset = F(refresh_grace),
	  .help = "seconds in which a retried refresh receives the same successor instead of a reuse alarm" },
	{ .section = "auth", .name = "address_rate", .type = CFG_INTEGER, .def = "0", .min = 0, .max = 1000000,
	  .offset = F(auth_address_rate),
	  .help = "requests a second each client address may make to /api/auth/, counted by the programs; "
	          "0 leaves it to the web server (nginx's limit_req); set it behind Apache" },
	{ .section = "auth", .name = "address_burst", .type = CFG_INTEGER, .def = "20", .min = 1, .max = 1000000,
	  .offset = F(auth_address_burst),
	  .help = "with address_rate: how many /api/auth/ requests an address may make at once" },
	{ .section = "auth", .name = "public_origin", .type = CFG_STRING, .required = true,
	  .check = cfg_check_origin, .offset = F(public_origin),
	  .help = "scheme://host[:port] the browser sees, e.g. https://support.example.org; "
	          "unsafe requests must carry this Origin" },
	{ .section = "auth", .name = "common_passwords_file", .type = CFG_PATH,
	  .def = "/usr/share/astral-core/common-passwords.txt", .offset = F(common_passwords_file),
	  .help = "list of refused passwords, one per line" },

	{ .section = "crypto", .name = "keyring_file", .type = CFG_PATH, .required = true,
	  .offset = F(keyring_file),
	  .help = "keyring of field-encryption master keys (read by the keyring module; mode 600)" },

	{ .section = "http", .name = "max_body_bytes", .type = CFG_INTEGER, .def = "65536", .min = 1024,
	  .max = 1048576, .offset = F(max_body_bytes),
	  .help = "largest request body a program accepts (keep nginx's client_max_body_size equal)" },

	{ .section = "chat", .name = "threads", .type = CFG_INTEGER, .def = "1", .min = 1, .max = 64,
	  .offset = F(chat_threads),
	  .help = "requests one astral-chat process serves at once, each on its own thread and "
	          "database connection; the sends of those threads commit together (1: one at a time)" },

	{ .section = "realtime", .name = "transport", .type = CFG_ENUM, .def = "nchan", .choices = "nchan|polling",
	  .parse_enum = cfg_parse_rt_transport, .offset = F(rt_transport),
	  .help = "how browsers hear of new events: nchan (nginx with the nchan module streams them) or "
	          "polling (a front end without nchan, such as Apache: nothing is published, GET "
	          "/api/rt/connect tells the UI to poll the lists every poll_seconds)" },
	{ .section = "realtime", .name = "poll_seconds", .type = CFG_INTEGER, .def = "5", .min = 2, .max = 60,
	  .offset = F(rt_poll_seconds),
	  .help = "with transport = polling: seconds between the UI's checks for new messages, sessions "
	          "and alerts" },
	{ .section = "realtime", .name = "publish_url", .type = CFG_STRING,
	  .def = "http://127.0.0.1:8091/rt/pub", .check = cfg_check_http_url, .offset = F(rt_publish_url),
	  .help = "nchan publisher location, on loopback; the channel id is appended (unused with "
	          "transport = polling)" },
	{ .section = "realtime", .name = "relay_socket", .type = CFG_PATH, .def = "/run/astral/relay.sock",
	  .check = cfg_check_relay_socket, .offset = F(rt_relay_socket),
	  .help = "Unix datagram socket of astral-relay, which sends the programs' events to publish_url "
	          "many at a time; a program that cannot reach it publishes the event itself. off: "
	          "programs always publish themselves" },
	{ .section = "realtime", .name = "relay_batch_ms", .type = CFG_INTEGER, .def = "2", .min = 0, .max = 100,
	  .offset = F(rt_relay_batch_ms),
	  .help = "astral-relay writes to the publisher at most once in this many milliseconds, all "
	          "events that came meanwhile together (0: as each comes)" },

	{ .section = "media", .name = "video_dir", .type = CFG_PATH, .def = "/var/lib/astral/videos",
	  .check = cfg_check_absolute, .offset = F(media_video_dir),
	  .help = "directory of uploaded wellness videos, outside the web root; nginx serves it through an "
	          "internal location whose alias must name the same directory" },
	{ .section = "media", .name = "delivery", .type = CFG_ENUM, .def = "x-accel", .choices = "x-accel|program",
	  .parse_enum = cfg_parse_media_delivery, .offset = F(media_delivery),
	  .help = "who sends a video's bytes once astral-videos has checked who may watch: x-accel (nginx, "
	          "through X-Accel-Redirect to its internal location) or program (astral-videos itself, "
	          "Range requests included: for Apache, which has no X-Accel-Redirect)" },

	{ .section = "wellness", .name = "resources_file", .type = CFG_PATH,
	  .def = "/usr/share/astral-core/resources.json", .offset = F(wellness_resources_file),
	  .help = "crisis lines, emergency numbers and self-help resources (JSON, read at start-up by every "
	          "program): served by /api/resources and shown to anyone the crisis detector flags" },
	{ .section = "wellness", .name = "crisis_region", .type = CFG_STRING, .def = "US", .check = cfg_check_region,
	  .offset = F(crisis_region),
	  .help = "ISO 3166 alpha-2 code of the country this host serves (US, GB, ES, CA, AU...): crisis answers "
	          "and the UI show its crisis lines and emergency number from resources_file, then "
	          "findahelpline.com; start-up refuses a region without a crisis line in that file" },

	{ .section = "site", .name = "donation_url", .type = CFG_STRING, .check = cfg_check_donation_url,
	  .offset = F(site_donation_url),
	  .help = "https:// address of the page where people can donate to whoever runs this host; the web "
	          "UI links to it from every page's footer (no link when unset). Astral Core never handles "
	          "a payment" },

	{ .section = "ai", .name = "provider", .type = CFG_ENUM, .def = "none", .choices = "none|gemini|openai",
	  .parse_enum = cfg_parse_ai_provider, .offset = F(ai_provider),
	  .help = "model behind the AI features: none (they answer 503 and the UI hides them), gemini, or "
	          "openai (any OpenAI-compatible server, e.g. llama.cpp, vLLM, Ollama on this host)" },
	{ .section = "ai", .name = "endpoint", .type = CFG_STRING,
	  .def = "https://generativelanguage.googleapis.com/v1beta", .check = cfg_check_ai_endpoint,
	  .offset = F(ai_endpoint),
	  .help = "provider base URL: https://, or http:// to a loopback address (a model on this host); "
	          "gemini: .../v1beta, openai: the URL ending in /v1" },
	{ .section = "ai", .name = "model", .type = CFG_STRING, .def = "gemini-2.5-flash", .offset = F(ai_model),
	  .help = "model name sent to the provider" },
	{ .section = "ai", .name = "key_file", .type = CFG_SECRET_FILE, .min = 1, .max = 4096, .offset = F(ai_key),
	  .help = "file holding the provider's API key (gemini: required; openai: sent as a Bearer token "
	          "when set)" },
	{ .section = "ai", .name = "connect_timeout_ms", .type = CFG_INTEGER, .def = "3000", .min = 100,
	  .max = 60000, .offset = F(ai_connect_timeout_ms),
	  .help = "milliseconds to connect to the provider" },
	{ .section = "ai", .name = "timeout_ms", .type = CFG_INTEGER, .def = "30000", .min = 1000, .max = 300000,
	  .offset = F(ai_timeout_ms),
	  .help = "milliseconds a whole provider call may take (a worker is busy at most this long)" },
	{ .section = "ai", .name = "max_reply_bytes", .type = CFG_INTEGER, .def = "262144", .min = 1024,
	  .max = 4194304, .offset = F(ai_max_reply_bytes),
	  .help = "largest provider response read; a longer one is cut off and treated as a failure" },
	{ .section = "ai", .name = "breaker_failures", .type = CFG_INTEGER, .def = "5", .min = 1, .max = 1000,
	  .offset = F(ai_breaker_failures),
	  .help = "consecutive provider failures, counted across the workers, after which no worker calls it for "
	          "breaker_cooldown" },
	{ .section = "ai", .name = "breaker_cooldown", .type = CFG_INTEGER, .def = "30", .min = 1, .max = 3600,
	  .offset = F(ai_breaker_cooldown),
	  .help = "seconds the circuit breaker stays open before one trial call" },
	{ .section = "ai", .name = "breaker_file", .type = CFG_PATH, .def = "/run/astral-ai/breaker",
	  .check = cfg_check_absolute, .offset = F(ai_breaker_file),
	  .help = "file through which the workers share the circuit breaker (created, 0600; on tmpfs: "
	          "systemd's RuntimeDirectory of astral-ai); a worker that cannot use it keeps its own breaker" },
	{ .section = "ai", .name = "prompt_dir", .type = CFG_PATH, .def = "/usr/share/astral-core/ai-prompts",
	  .check = cfg_check_absolute, .offset = F(ai_prompt_dir),
	  .help = "directory of the system prompts, one file per action (read at start-up)" },
	{ .section = "ai", .name = "quota_chat", .type = CFG_INTEGER, .def = "200", .min = 0, .max = 100000,
	  .offset = F(ai_quota_chat), .help = "companion messages per user per UTC day (0: off)" },
	{ .section = "ai", .name = "quota_draft_post", .type = CFG_INTEGER, .def = "20", .min = 0, .max = 100000,
	  .offset = F(ai_quota_draft_post), .help = "post drafts per user per UTC day (0: off)" },
	{ .section = "ai", .name = "quota_summarize", .type = CFG_INTEGER, .def = "100", .min = 0, .max = 100000,
	  .offset = F(ai_quota_summarize), .help = "post and session summaries per user per UTC day (0: off)" },
	{ .section = "ai", .name = "quota_guidance", .type = CFG_INTEGER, .def = "200", .min = 0, .max = 100000,
	  .offset = F(ai_quota_guidance), .help = "guidance requests per helper per UTC day (0: off)" },
	{ .section = "ai", .name = "quota_match", .type = CFG_INTEGER, .def = "50", .min = 0, .max = 100000,
	  .offset = F(ai_quota_match), .help = "For You matchings per helper per UTC day (0: off)" },
	{ .section = "ai", .name = "quota_feedback", .type = CFG_INTEGER, .def = "20", .min = 0, .max = 100000,
	  .offset = F(ai_quota_feedback), .help = "private session feedback per helper per UTC day (0: off)" },

	{ .section = "helpers", .name = "rest_minutes", .type = CFG_INTEGER, .def = "60", .min = 0, .max = 1440,
	  .offset = F(helpers_rest_minutes),
	  .help = "minutes a helper rests (counts as offline, is not matched) after a session with a high-severity "
	          "crisis alert ends; 0 turns the rest off" },

	{ .section = "limits", .name = "posts_per_hour", .type = CFG_INTEGER, .def = "10", .min = 0, .max = 100000,
	  .offset = F(limits_posts_per_hour),
	  .help = "posts a person may write to the feed in an hour, refilled evenly over the hour (0: no limit)" },
	{ .section = "limits", .name = "reports_per_hour", .type = CFG_INTEGER, .def = "20", .min = 0, .max = 100000,
	  .offset = F(limits_reports_per_hour),
	  .help = "posts a person may report in an hour; a report hides its post until a moderator decides "
	          "(0: no limit)" },
	{ .section = "limits", .name = "direct_requests_per_hour", .type = CFG_INTEGER, .def = "5", .min = 0,
	  .max = 100000, .offset = F(limits_direct_requests_per_hour),
	  .help = "direct requests to a helper a person may send in an hour (0: no limit)" },
	{ .section = "limits", .name = "reflections_per_hour", .type = CFG_INTEGER, .def = "10", .min = 0,
	  .max = 100000, .offset = F(limits_reflections_per_hour),
	  .help = "reflections a person may share in an hour (0: no limit)" },
	{ .section = "limits", .name = "videos_per_day", .type = CFG_INTEGER, .def = "5", .min = 0, .max = 100000,
	  .offset = F(limits_videos_per_day),
	  .help = "wellness videos a person may upload in a day, refilled evenly over the day (0: no limit)" },

	{ .section = "log", .name = "level", .type = CFG_ENUM, .def = "info", .choices = "error|warn|info|debug",
	  .parse_enum = astral_log_level_parse, .offset = F(log_level),
	  .help = "most verbose level written to the log" },

#ifdef ASTRAL_TEST_CLOCK
	{ .section = "test", .name = "clock_file", .type = CFG_PATH, .offset = F(test_clock_file),
	  .help = "test builds only: file holding a clock offset in seconds, added to the real clock" },
#endif
};

#define CFG_N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

struct astral_config_private {
	char *secret_path[CFG_N_KEYS];      /* secret_file values, by table index */
};

static void cfg_error(char *err, size_t errlen, const char *fmt, ...) ASTRAL_PRINTF(3, 4);

static void
cfg_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A name from the file, quoted back in a message: printable ASCII only, cut if long. */
static const char *
cfg_shown(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i, cap = dstlen - 4;

	for (i = 0; i < n && i < cap; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > cap) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
	return dst;
}

static const char *
cfg_check_http_url(const char *v)
{
	const char *p;

	if (strncmp(v, "http://", 7) == 0)
		p = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		p = v + 8;
	else
		return "must start with http:// or https://";
	if (*p == '\0' || *p == '/')
		return "has no host";
	for (; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "must not contain spaces or control characters";
	}
	return NULL;
}

/* The AI provider's base URL: TLS to anywhere, plain HTTP only to this host (a self-hosted model
   on loopback, or the test suite's mock provider). No trailing '/', no query. */
static const char *
cfg_check_ai_endpoint(const char *v)
{
	static const char *const loopback[] = { "http://127.0.0.1", "http://localhost", "http://[::1]", NULL };
	const char *why = cfg_check_http_url(v);

	if (why)
		return why;
	if (v[strlen(v) - 1] == '/')
		return "must not end with '/'";
	if (strpbrk(v, "?#"))
		return "must not have a query or fragment";
	if (strncmp(v, "http://", 7) != 0)
		return NULL;
	for (size_t i = 0; loopback[i]; i++) {
		size_t n = strlen(loopback[i]);

		if (strncmp(v, loopback[i], n) == 0 && (v[n] == '\0' || v[n] == ':' || v[n] == '/'))
			return NULL;
	}
	return "plain http:// is allowed to a loopback address only (127.0.0.1, localhost, [::1]); use https://";
}

static int
cfg_parse_ai_provider(const char *s)
{
	for (int p = ASTRAL_AI_NONE; p <= ASTRAL_AI_OPENAI; p++)
		if (strcasecmp(s, astral_ai_provider_name(p)) == 0)
			return p;
	return -1;
}

static int
cfg_parse_rt_transport(const char *s)
{
	if (strcmp(s, "nchan") == 0)
		return ASTRAL_RT_NCHAN;
	if (strcmp(s, "polling") == 0)
		return ASTRAL_RT_POLLING;
	return -1;
}

static int
cfg_parse_media_delivery(const char *s)
{
	if (strcmp(s, "x-accel") == 0)
		return ASTRAL_MEDIA_X_ACCEL;
	if (strcmp(s, "program") == 0)
		return ASTRAL_MEDIA_PROGRAM;
	return -1;
}

const char *
astral_ai_provider_name(int provider)
{
	switch (provider) {
	case ASTRAL_AI_GEMINI:
		return "gemini";
	case ASTRAL_AI_OPENAI:
		return "openai";
	default:
		return "none";
	}
}

/* A directory the programs and nginx both name: absolute, without spaces or control characters
   (it is written into nginx's configuration as it is). */
static const char *
cfg_check_absolute(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	for (; *v; v++) {
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return "must not contain spaces or control characters";
	}
	return NULL;
}

/* "off" (no relay), or an absolute path that fits a Unix socket address (107 bytes). */
static const char *
cfg_check_relay_socket(const char *v)
{
	if (strcmp(v, "off") == 0)
		return NULL;
	if (strlen(v) > 107)
		return "must be at most 107 bytes (a Unix socket's path)";
	return cfg_check_absolute(v);
}

/* A country code as ISO 3166 alpha-2 writes it: two capital letters. Whether resources_file has a
   crisis line for it is checked once the file is read (lib/program.c). */
static const char *
cfg_check_region(const char *v)
{
	if (strlen(v) != 2 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2)
		return "must be an ISO 3166 alpha-2 country code in capitals, such as US, GB or ES";
	return NULL;
}

/* A page on the web that people are sent to: https only, at most 500 bytes. */
static const char *
cfg_check_donation_url(const char *v)
{
	const char *why = cfg_check_http_url(v);

	if (why)
		return why;
	if (strncmp(v, "https://", 8) != 0)
		return "must start with https://";
	if (strlen(v) > 500)
		return "must be at most 500 bytes";
	return NULL;
}

static const char *
cfg_check_origin(const char *v)
{
	const char *why = cfg_check_http_url(v);
	const char *host;

	if (why)
		return why;
	host = strstr(v, "://") + 3;
	if (v[strlen(v) - 1] == '/')
		return "must not end with '/'";
	if (strpbrk(host, "/?#@"))
		return "must be scheme://host[:port] only, without path, query or user";
	return NULL;
}

astral_err
astral_config_parse_bool(const char *s, int *out)
{
	static const struct { const char *word; int val; } words[] = {
		{ "true", 1 }, { "yes", 1 }, { "on", 1 }, { "1", 1 },
		{ "false", 0 }, { "no", 0 }, { "off", 0 }, { "0", 0 },
	};
	size_t i;

	if (!s || !out)
		return ASTRAL_ERR_CONFIG;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i].word) == 0) {
			*out = words[i].val;
			return ASTRAL_OK;
		}
	}
	return ASTRAL_ERR_CONFIG;
}

/* Decimal, optional '-', digits only, no overflow. */
static bool
cfg_parse_integer(const char *s, long long *out)
{
	const char *p = s;
	char *end = NULL;
	long long v;

	if (*p == '-')
		p++;
	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = v;
	return true;
}

static void *
cfg_field(struct astral_config *cfg, size_t offset)
{
	return (char *)cfg + offset;
}

/* Pointer fields are char * or unsigned char *, which share a representation (C11 6.2.5p28). */
static void
cfg_set_pointer(struct astral_config *cfg, size_t offset, char *p)
{
	memcpy(cfg_field(cfg, offset), &p, sizeof(p));
}

static char *
cfg_get_pointer(struct astral_config *cfg, size_t offset)
{
	char *p;

	memcpy(&p, cfg_field(cfg, offset), sizeof(p));
	return p;
}

static char *
cfg_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static const char *
cfg_type_name(const struct cfg_key *k)
{
	switch (k->type) {
	case CFG_STRING:      return "string";
	case CFG_PATH:        return "path";
	case CFG_INTEGER:     return "integer";
	case CFG_BOOLEAN:     return "boolean";
	case CFG_ENUM:        return "word";
	case CFG_SECRET_FILE: return "secret file";
	}
	return "?";
}

/* Convert value (NUL-terminated, trimmed, quotes removed) and store it for key index idx.
   ASTRAL_ERR_CONFIG with why filled in, or ASTRAL_ERR_NOMEM. */
static astral_err
cfg_store(size_t idx, const char *value, struct astral_config *cfg, char *why, size_t whylen)
{
	const struct cfg_key *k = &cfg_keys[idx];
	const char *reason;
	long long ll;
	int iv;
	char *copy;

	if (value[0] == '\0') {
		cfg_error(why, whylen, "value is empty");
		return ASTRAL_ERR_CONFIG;
	}
	switch (k->type) {
	case CFG_STRING:
	case CFG_PATH:
		if (k->check && (reason = k->check(value)) != NULL) {
			cfg_error(why, whylen, "%s", reason);
			return ASTRAL_ERR_CONFIG;
		}
		copy = cfg_strndup(value, strlen(value));
		if (!copy)
			return ASTRAL_ERR_NOMEM;
		cfg_set_pointer(cfg, k->offset, copy);
		return ASTRAL_OK;
	case CFG_INTEGER:
		if (!cfg_parse_integer(value, &ll)) {
			cfg_error(why, whylen, "not a whole number");
			return ASTRAL_ERR_CONFIG;
		}
		if (ll < k->min || ll > k->max) {
			cfg_error(why, whylen, "%lld is out of range %lld..%lld", ll, k->min, k->max);
			return ASTRAL_ERR_CONFIG;
		}
		memcpy(cfg_field(cfg, k->offset), &ll, sizeof(ll));
		return ASTRAL_OK;
	case CFG_BOOLEAN:
		if (astral_config_parse_bool(value, &iv) != ASTRAL_OK) {
			cfg_error(why, whylen, "must be true/false, yes/no, on/off or 1/0");
			return ASTRAL_ERR_CONFIG;
		}
		memcpy(cfg_field(cfg, k->offset), &iv, sizeof(iv));
		return ASTRAL_OK;
	case CFG_ENUM:
		iv = k->parse_enum(value);
		if (iv < 0) {
			cfg_error(why, whylen, "must be one of %s", k->choices);
			return ASTRAL_ERR_CONFIG;
		}
		memcpy(cfg_field(cfg, k->offset), &iv, sizeof(iv));
		return ASTRAL_OK;
	case CFG_SECRET_FILE:
		copy = cfg_strndup(value, strlen(value));
		if (!copy)
			return ASTRAL_ERR_NOMEM;
		cfg->priv->secret_path[idx] = copy;
		return ASTRAL_OK;
	}
	cfg_error(why, whylen, "key has no type");
	return ASTRAL_ERR_INTERNAL;
}

static bool
cfg_name_is(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && memcmp(name, s, n) == 0;
}

static bool
cfg_section_known(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < CFG_N_KEYS; i++)
		if (cfg_name_is(cfg_keys[i].section, s, n))
			return true;
	return false;
}

static bool
cfg_find(const char *sec, size_t seclen, const char *name, size_t namelen, size_t *idx)
{
	size_t i;

	for (i = 0; i < CFG_N_KEYS; i++) {
		if (cfg_name_is(cfg_keys[i].section, sec, seclen) && cfg_name_is(cfg_keys[i].name, name, namelen)) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* Index of "section.key", for default_from. */
static bool
cfg_find_dotted(const char *dotted, size_t *idx)
{
	const char *dot = strchr(dotted, '.');

	return dot && cfg_find(dotted, (size_t)(dot - dotted), dot + 1, strlen(dot + 1), idx);
}

static void
cfg_trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/* Defaults for every key the file did not set; a missing required key is an error. */
static astral_err
cfg_apply_defaults(struct astral_config *cfg, const size_t *seen, char *err, size_t errlen)
{
	char why[256];
	size_t i, from;
	astral_err rc;

	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (seen[i])
			continue;
		if (k->required) {
			cfg_error(err, errlen, "missing required key '%s.%s' (in section [%s])", k->section, k->name,
			    k->section);
			return ASTRAL_ERR_CONFIG;
		}
		if (k->default_from) {
			char *src, *copy;

			if (!cfg_find_dotted(k->default_from, &from) || from >= i)
				return ASTRAL_ERR_INTERNAL;
			src = cfg_get_pointer(cfg, cfg_keys[from].offset);
			if (!src)
				continue;
			copy = cfg_strndup(src, strlen(src));
			if (!copy)
				return ASTRAL_ERR_NOMEM;
			cfg_set_pointer(cfg, k->offset, copy);
		} else if (k->def) {
			rc = cfg_store(i, k->def, cfg, why, sizeof(why));
			if (rc != ASTRAL_OK) {
				cfg_error(err, errlen, "default of '%s.%s' refused: %s", k->section, k->name, why);
				return rc == ASTRAL_ERR_NOMEM ? rc : ASTRAL_ERR_INTERNAL;
			}
		}
	}
	return ASTRAL_OK;
}

astral_err
astral_config_parse(const char *text, size_t len, struct astral_config *out, char *err, size_t errlen)
{
	astral_err rc = ASTRAL_ERR_INTERNAL;
	struct astral_config cfg;
	size_t seen[CFG_N_KEYS];            /* line that set each key, 0 if none */
	const char *p, *end, *section = NULL;
	size_t seclen = 0, lineno = 0;
	char why[256], shown[CFG_NAME_SHOWN + 4], shown2[CFG_NAME_SHOWN + 4];

	memset(&cfg, 0, sizeof(cfg));
	memset(seen, 0, sizeof(seen));
	cfg_error(err, errlen, "%s", "");
	if (!out || (!text && len > 0))
		goto out;
	memset(out, 0, sizeof(*out));
	rc = ASTRAL_ERR_NOMEM;
	cfg.priv = calloc(1, sizeof(*cfg.priv));
	if (!cfg.priv)
		goto out;

	rc = ASTRAL_ERR_CONFIG;
	p = text;
	end = text ? text + len : text;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ls = p, *le = nl ? nl : end, *eq, *ks, *ke, *vs, *ve;
		char *value;
		size_t idx;
		astral_err src;

		p = nl ? nl + 1 : end;
		lineno++;
		if (memchr(ls, '\0', (size_t)(le - ls))) {
			cfg_error(err, errlen, "line %zu: contains a NUL byte", lineno);
			goto out;
		}
		cfg_trim(&ls, &le);
		if (ls == le || *ls == '#' || *ls == ';')
			continue;

		if (*ls == '[') {
			if (le - ls < 2 || le[-1] != ']') {
				cfg_error(err, errlen, "line %zu: a section header must look like [name]", lineno);
				goto out;
			}
			ks = ls + 1;
			ke = le - 1;
			cfg_trim(&ks, &ke);
			if (!cfg_section_known(ks, (size_t)(ke - ks))) {
				cfg_error(err, errlen, "line %zu: unknown section [%s]", lineno,
				    cfg_shown(shown, sizeof(shown), ks, (size_t)(ke - ks)));
				goto out;
			}
			section = ks;
			seclen = (size_t)(ke - ks);
			continue;
		}

		eq = memchr(ls, '=', (size_t)(le - ls));
		if (!eq) {
			cfg_error(err, errlen, "line %zu: expected 'key = value', found '%s'", lineno,
			    cfg_shown(shown, sizeof(shown), ls, (size_t)(le - ls)));
			goto out;
		}
		ks = ls;
		ke = eq;
		vs = eq + 1;
		ve = le;
		cfg_trim(&ks, &ke);
		cfg_trim(&vs, &ve);
		if (ks == ke) {
			cfg_error(err, errlen, "line %zu: no key name before '='", lineno);
			goto out;
		}
		cfg_shown(shown, sizeof(shown), ks, (size_t)(ke - ks));
		if (!section) {
			cfg_error(err, errlen, "line %zu: key '%s' comes before any [section]", lineno, shown);
			goto out;
		}
		cfg_shown(shown2, sizeof(shown2), section, seclen);
		if (!cfg_find(section, seclen, ks, (size_t)(ke - ks), &idx)) {
			cfg_error(err, errlen, "line %zu: unknown key '%s.%s'", lineno, shown2, shown);
			goto out;
		}
		if (seen[idx]) {
			cfg_error(err, errlen, "line %zu: duplicate key '%s.%s' (first set on line %zu)", lineno,
			    shown2, shown, seen[idx]);
			goto out;
		}
		seen[idx] = lineno;
		if (vs < ve && *vs == '"') {
			if (ve - vs < 2 || ve[-1] != '"') {
				cfg_error(err, errlen, "line %zu: '%s.%s': the quoted value has no closing '\"'",
				    lineno, shown2, shown);
				goto out;
			}
			vs++;
			ve--;
		}
		value = cfg_strndup(vs, (size_t)(ve - vs));
		if (!value) {
			rc = ASTRAL_ERR_NOMEM;
			goto out;
		}
		src = cfg_store(idx, value, &cfg, why, sizeof(why));
		free(value);
		if (src != ASTRAL_OK) {
			rc = src;
			cfg_error(err, errlen, "line %zu: '%s.%s': %s", lineno, shown2, shown,
			    src == ASTRAL_ERR_NOMEM ? "out of memory" : why);
			goto out;
		}
	}

	rc = cfg_apply_defaults(&cfg, seen, err, errlen);
	if (rc != ASTRAL_OK)
		goto out;
	*out = cfg;
	memset(&cfg, 0, sizeof(cfg));
	rc = ASTRAL_OK;
out:
	astral_config_free(&cfg);
	return rc;
}

/* Read a whole regular file of at most maxlen bytes; data is NUL-terminated. A secret file must not
   be accessible by group or other. */
static astral_err
cfg_read_file(const char *path, bool secret, size_t maxlen, char **data, size_t *len, char *err,
	size_t errlen)
{
	astral_err rc = ASTRAL_ERR_IO;
	struct stat st;
	char *buf = NULL;
	size_t cap, got = 0;
	int fd = -1;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cfg_error(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		cfg_error(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	rc = ASTRAL_ERR_CONFIG;
	if (!S_ISREG(st.st_mode)) {
		cfg_error(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		cfg_error(err, errlen, "%s is accessible by group or other (mode %03o); run: chmod 600 %s",
		    path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > maxlen) {
		cfg_error(err, errlen, "%s is larger than %zu bytes", path, maxlen);
		goto out;
	}
	cap = (size_t)st.st_size + 1;   /* one more, to notice a file that grew */
	rc = ASTRAL_ERR_NOMEM;
	buf = malloc(cap + 1);
	if (!buf)
		goto out;
	rc = ASTRAL_ERR_IO;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cfg_error(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == cap) {
		cfg_error(err, errlen, "%s changed while being read", path);
		goto out;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
	rc = ASTRAL_OK;
out:
	if (buf) {
		explicit_bzero(buf, cap + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Read every secret file named in cfg->priv into its field. */
static astral_err
cfg_load_secrets(struct astral_config *cfg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *path = cfg->priv->secret_path[i];
		char *data = NULL, why[512];
		size_t len = 0, got;
		astral_err rc;

		if (k->type != CFG_SECRET_FILE || !path)
			continue;
		rc = cfg_read_file(path, true, (size_t)k->max, &data, &len, why, sizeof(why));
		if (rc != ASTRAL_OK) {
			cfg_error(err, errlen, "%s.%s: %s", k->section, k->name, why);
			return rc;
		}
		got = len;
		if (len > 0 && data[len - 1] == '\n')
			len--;
		if (len > 0 && data[len - 1] == '\r')
			len--;
		rc = ASTRAL_ERR_CONFIG;
		if (len == 0)
			cfg_error(err, errlen, "%s.%s: %s is empty", k->section, k->name, path);
		else if (!k->binary && memchr(data, '\0', len))
			cfg_error(err, errlen, "%s.%s: %s contains a NUL byte", k->section, k->name, path);
		else if ((long long)len < k->min)
			cfg_error(err, errlen, "%s.%s: %s holds %zu bytes, at least %lld are needed; "
			    "make one with: openssl rand -base64 48 > %s", k->section, k->name, path, len, k->min,
			    path);
		else
			rc = ASTRAL_OK;
		if (rc != ASTRAL_OK) {
			explicit_bzero(data, got);
			free(data);
			return rc;
		}
		explicit_bzero(data + len, got - len);  /* the stripped newline becomes the terminator */
		cfg_set_pointer(cfg, k->offset, data);
		if (k->binary)
			memcpy(cfg_field(cfg, k->len_offset), &len, sizeof(len));
	}
	return ASTRAL_OK;
}

astral_err
astral_config_load(const char *path, struct astral_config *out, char *err, size_t errlen)
{
	astral_err rc = ASTRAL_ERR_INTERNAL;
	struct astral_config cfg;
	char *text = NULL, perr[512];
	size_t len = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg_error(err, errlen, "%s", "");
	if (!path || !out)
		goto out;
	memset(out, 0, sizeof(*out));
	rc = cfg_read_file(path, false, CFG_FILE_MAX, &text, &len, err, errlen);
	if (rc != ASTRAL_OK)
		goto out;
	rc = astral_config_parse(text, len, &cfg, perr, sizeof(perr));
	if (rc != ASTRAL_OK) {
		cfg_error(err, errlen, "%s: %s", path, perr);
		goto out;
	}
	rc = cfg_load_secrets(&cfg, err, errlen);
	if (rc != ASTRAL_OK)
		goto out;
	*out = cfg;
	memset(&cfg, 0, sizeof(cfg));
out:
	astral_config_free(&cfg);
	free(text);
	return rc;
}

const char *
astral_config_secret_path(const struct astral_config *cfg, const char *key)
{
	size_t idx;

	if (!cfg || !cfg->priv || !key || !cfg_find_dotted(key, &idx))
		return NULL;
	if (cfg_keys[idx].type != CFG_SECRET_FILE)
		return NULL;
	return cfg->priv->secret_path[idx];
}

void
astral_config_free(struct astral_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		char *p;

		if (k->type != CFG_STRING && k->type != CFG_PATH && k->type != CFG_SECRET_FILE)
			continue;
		p = cfg_get_pointer(cfg, k->offset);
		if (p && k->type == CFG_SECRET_FILE) {
			size_t len;

			if (k->binary)
				memcpy(&len, cfg_field(cfg, k->len_offset), sizeof(len));
			else
				len = strlen(p);
			explicit_bzero(p, len);
		}
		free(p);
		if (cfg->priv)
			free(cfg->priv->secret_path[i]);
	}
	free(cfg->priv);
	memset(cfg, 0, sizeof(*cfg));
}

void
astral_config_describe(FILE *out)
{
	size_t i;

	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		fprintf(out, "%s.%s", k->section, k->name);
		if (k->required)
			fprintf(out, "  (required)\n");
		else if (k->def)
			fprintf(out, "  (default: %s)\n", k->def);
		else if (k->default_from)
			fprintf(out, "  (default: the value of %s)\n", k->default_from);
		else
			fprintf(out, "  (optional)\n");
		fprintf(out, "    %s", cfg_type_name(k));
		if (k->type == CFG_INTEGER)
			fprintf(out, " %lld..%lld", k->min, k->max);
		else if (k->type == CFG_ENUM)
			fprintf(out, " %s", k->choices);
		else if (k->type == CFG_SECRET_FILE)
			fprintf(out, ", mode 600, %lld..%lld bytes", k->min, k->max);
		fprintf(out, ": %s\n", k->help);
	}
}
