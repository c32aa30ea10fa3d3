/* The configuration file (/etc/astral/astral.conf, INI), read through one table of keys.
   conf/astral.conf.example documents every key; astral_config_describe() prints the table. */
#ifndef ASTRAL_CONFIG_H
#define ASTRAL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct astral_config_private;  /* the loader's own: secret file paths */

/* [ai] provider: none (AI features answer 503), gemini (Generative Language API), openai (any
   OpenAI-compatible /chat/completions server: llama.cpp, vLLM, Ollama). */
enum astral_ai_provider { ASTRAL_AI_NONE, ASTRAL_AI_GEMINI, ASTRAL_AI_OPENAI };
const char *astral_ai_provider_name(int provider);

/* [realtime] transport: nchan (events published to nginx's nchan, streamed to browsers) or polling
   (a front end without nchan: nothing is published, the UI polls the lists). */
enum astral_rt_transport { ASTRAL_RT_NCHAN, ASTRAL_RT_POLLING };
/* [media] delivery: who sends a video's bytes, nginx (X-Accel-Redirect) or the program itself. */
enum astral_media_delivery { ASTRAL_MEDIA_X_ACCEL, ASTRAL_MEDIA_PROGRAM };

struct astral_config {
	char *db_conninfo;
	char *db_password;             /* from database.password_file; NULL when not configured */
	char *db_owner_conninfo;
	long long db_statement_timeout_ms;
	unsigned char *jwt_key;        /* from auth.jwt_key_file, >= 32 bytes */
	size_t jwt_key_len;
	char *jwt_issuer;
	char *jwt_audience;
	long long access_ttl, idle_timeout, staff_idle_timeout, absolute_timeout, refresh_grace;
	long long auth_address_rate;     /* [auth] /api/auth/ requests a second per address; 0: off (nginx limits) */
	long long auth_address_burst;    /* [auth] the most taken at once */
	char *public_origin;
	char *common_passwords_file;
	char *keyring_file;
	long long max_body_bytes;
	int rt_transport;              /* enum astral_rt_transport */
	long long rt_poll_seconds;     /* transport = polling: the UI's interval */
	char *rt_publish_url;
	char *rt_relay_socket;         /* astral-relay's datagram socket, or "off" */
	long long rt_relay_batch_ms;   /* astral-relay: the shortest time between two writes */
	char *media_video_dir;         /* wellness video files (cgi-bin/videos) */
	int media_delivery;            /* enum astral_media_delivery */
	char *wellness_resources_file; /* crisis and self-help resources (lib/resource_catalog.h) */
	char *crisis_region;           /* ISO 3166 alpha-2: whose crisis lines crisis answers show */
	char *site_donation_url;       /* [site] https:// page to donate; NULL: none */
	/* [ai] (cgi-bin/ai): the model provider and the limits around it. */
	int ai_provider;               /* enum astral_ai_provider */
	char *ai_endpoint;             /* base URL: https://, or http:// on loopback only */
	char *ai_model;
	char *ai_key;                  /* from ai.key_file; NULL when not configured */
	long long ai_connect_timeout_ms, ai_timeout_ms, ai_max_reply_bytes;
	long long ai_breaker_failures, ai_breaker_cooldown;
	char *ai_breaker_file;
	char *ai_prompt_dir;
	long long ai_quota_chat, ai_quota_draft_post, ai_quota_summarize, ai_quota_guidance, ai_quota_match,
		ai_quota_feedback;         /* per user per UTC day; 0 turns the action off */
	long long chat_threads;          /* [chat] requests served at once by one astral-chat process */
	long long helpers_rest_minutes;  /* [helpers] the gentle limit after a high-severity session; 0: off */
	/* [limits] (lib/write_budget.h): writes that reach other people, per person; 0: no limit. */
	long long limits_posts_per_hour, limits_reports_per_hour, limits_direct_requests_per_hour,
		limits_reflections_per_hour, limits_videos_per_day;
	int log_level;                 /* enum astral_log_level */
	char *test_clock_file;         /* only with -DASTRAL_TEST_CLOCK; otherwise always NULL */
	struct astral_config_private *priv;
};

/* Parse text only (no file reads: secret_file values are kept as paths in a private side table, and
   the secret fields stay NULL) — used by the fuzz target and by astral_config_load. *out is
   overwritten (free an earlier config first); on error it is left empty and err (if errlen > 0)
   says which line and key, e.g. "line 7: unknown key 'auth.isuer'". Errors: ASTRAL_ERR_CONFIG,
   ASTRAL_ERR_NOMEM. */
astral_err astral_config_parse(const char *text, size_t len, struct astral_config *out, char *err,
	size_t errlen) ASTRAL_MUST_USE;

/* Read the file, parse, then read the secret files (each must be a non-empty regular file readable
   by its owner only; one trailing newline is stripped). err receives a message an admin can act on,
   naming the file. Errors: ASTRAL_ERR_CONFIG, ASTRAL_ERR_IO, ASTRAL_ERR_NOMEM. */
astral_err astral_config_load(const char *path, struct astral_config *out, char *err, size_t errlen)
	ASTRAL_MUST_USE;

/* The path given to a secret_file key ("auth.jwt_key_file"), after parse or load — for tools that
   create or check the file. NULL if the key was not set, is unknown or is not a secret file. */
const char *astral_config_secret_path(const struct astral_config *cfg, const char *key);

/* Frees every field, wiping the secrets first; leaves *cfg empty. NULL is fine. */
void astral_config_free(struct astral_config *cfg);

/* Every key with its type, range, default and a line of help (astralctl config check --describe). */
void astral_config_describe(FILE *out);

/* The boolean words the config accepts: true/false, yes/no, on/off, 1/0 (any case).
   *out is set to 1 or 0; anything else → ASTRAL_ERR_CONFIG. */
astral_err astral_config_parse_bool(const char *s, int *out) ASTRAL_MUST_USE;

#endif
