#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "http.h"
#include "log.h"
#include "program.h"
#include "realtime.h"
#include "resource_catalog.h"

#ifndef ASTRAL_SYSCONFDIR
#define ASTRAL_SYSCONFDIR "/etc/astral"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(const char *name)
{
	fprintf(stderr, "usage: astral-%s [-n | -t] [-c config]\n"
	                "  -c FILE    configuration (default %s/astral.conf)\n"
	                "  -n         check the configuration and exit\n"
	                "  -t         also connect to the database, prepare every statement, and exit\n"
	                "  --version  print the version and exit\n", name, ASTRAL_SYSCONFDIR);
}

/* Configuration, keys, the common-password list and the resources catalogue, which must hold a
   crisis line for the host's region; no database. */
static int
load_static(struct astral_app *app, const char *path, char *err, size_t errlen)
{
	char why[400];

	if (astral_config_load(path, &app->cfg, err, errlen) != ASTRAL_OK)
		return 0;
	{
		char host[64], port[8], url_path[256];

		if (astral_rt_parse_url(app->cfg.rt_publish_url, host, sizeof(host), port, sizeof(port), url_path,
		                        sizeof(url_path)) != ASTRAL_OK) {
			snprintf(err, errlen, "realtime.publish_url must be http://<numeric loopback address>:<port>/<path>");
			return 0;
		}
	}
	if (astral_keyring_load(app->cfg.keyring_file, &app->keyring, err, errlen) != ASTRAL_OK)
		return 0;
	if (app->cfg.common_passwords_file != NULL && app->cfg.common_passwords_file[0] != '\0' &&
	    astral_wordlist_load(app->cfg.common_passwords_file, &app->common_passwords) != ASTRAL_OK) {
		snprintf(err, errlen, "cannot read auth.common_passwords_file %s", app->cfg.common_passwords_file);
		return 0;
	}
	if (astral_resources_load(app->cfg.wellness_resources_file, &app->resources, why, sizeof(why)) != ASTRAL_OK) {
		snprintf(err, errlen, "wellness.resources_file: %s", why);
		return 0;
	}
	if (astral_resources_check_region(app->resources, app->cfg.crisis_region, why, sizeof(why)) != ASTRAL_OK) {
		snprintf(err, errlen, "wellness.crisis_region: %s", why);
		return 0;
	}
	return 1;
}

static void
serve(struct astral_app *app, const struct astral_program *prog)
{
	FCGX_Request fcgx;
	struct astral_request req;

	if (FCGX_InitRequest(&fcgx, 0, 0) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "FCGX_InitRequest failed");
		return;
	}
	while (!stopping) {
		if (FCGX_Accept_r(&fcgx) < 0)
			break;
		if (astral_request_init(&req, &fcgx, app) != ASTRAL_OK) {
			astral_log(ASTRAL_LOG_ERROR, "out of memory; exiting so the supervisor restarts us");
			FCGX_Finish_r(&fcgx);
			exit(1);
		}
		astral_dispatch(&req, prog->routes, prog->nroutes);
		astral_request_free(&req);
		FCGX_Finish_r(&fcgx);
	}
	FCGX_Free(&fcgx, 1);
}

int
astral_program_main(int argc, char **argv, const struct astral_program *prog)
{
	struct astral_app app;
	const char *config = ASTRAL_SYSCONFDIR "/astral.conf";
	char progname[64], err[512] = "";
	int check_only = 0, check_statements = 0, status = 1;
	astral_err dberr;

	/* Large buffers (argon2id's 19 MiB) are mapped and returned to the system when freed. A fixed
	   threshold stops glibc raising it after the first such free, after which every worker kept
	   the 19 MiB resident for good. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	memset(&app, 0, sizeof(app));
	app.program = prog->name;
	snprintf(progname, sizeof(progname), "astral-%s", prog->name);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s %s\n", progname, PACKAGE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-n") == 0) {
			check_only = 1;
		} else if (strcmp(argv[i], "-t") == 0) {
			check_statements = 1;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else {
			usage(prog->name);
			return 2;
		}
	}
	astral_log_init(progname, ASTRAL_LOG_INFO);
	if (!load_static(&app, config, err, sizeof(err))) {
		astral_log(ASTRAL_LOG_ERROR, "%s", err);
		fprintf(stderr, "%s: %s\n", progname, err);
		goto out;
	}
	astral_log_init(progname, (enum astral_log_level)app.cfg.log_level);
	if (check_only) {
		printf("%s: configuration OK\n", progname);
		status = 0;
		goto out;
	}
	dberr = astral_db_open(app.cfg.db_conninfo, app.cfg.db_password, app.cfg.db_statement_timeout_ms,
	                       prog->stmt_tables, prog->stmt_counts, &app.db);
	if (check_statements) {
		if (dberr == ASTRAL_OK)
			printf("%s: %zu statements prepared\n", progname, astral_db_statement_count(app.db));
		else
			fprintf(stderr, "%s: database: %s\n", progname, astral_strerror(dberr));
		status = dberr == ASTRAL_OK ? 0 : 1;
		goto out;
	}
	if (dberr == ASTRAL_ERR_DB_DOWN) {
		astral_log(ASTRAL_LOG_WARN, "database unreachable at start-up; requests get 503 until it is back");
	} else if (dberr != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "database: %s (are migrations applied? run astralctl migrate)",
		           astral_strerror(dberr));
		goto out;
	}
	if (prog->init != NULL && prog->init(&app) != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_ERROR, "start-up of %s failed", progname);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;   /* no SA_RESTART: accept() returns and the loop ends */
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	if (FCGX_Init() != 0) {
		astral_log(ASTRAL_LOG_ERROR, "FCGX_Init failed");
		goto out;
	}
	astral_log(ASTRAL_LOG_INFO, "ready");
	serve(&app, prog);
	status = 0;
out:
	astral_db_close(app.db);
	astral_keyring_free(app.keyring);
	astral_wordlist_free(app.common_passwords);
	json_object_put(app.resources);
	astral_config_free(&app.cfg);
	return status;
}
