#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static atomic_int stopping;   /* set by a signal handler or the main thread */

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

/* One serving thread: its own copy of the app (configuration, keys and lists shared, read
   only) with its own database connection, whose one-round-trip commits it shares. */
struct server_thread {
	pthread_t id;
	int started;
	atomic_int in_accept;          /* waiting in accept(): a stop interrupts it */
	atomic_int done;
	struct astral_app app;
	const struct astral_program *prog;
};

/* One thread accepts at a time, as libfcgi's threaded example does. */
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void
on_wake(int sig)
{
	(void)sig;                     /* only to interrupt accept() */
}

static int
accept_next(struct server_thread *t, FCGX_Request *fcgx)
{
	int rc = -1;

	pthread_mutex_lock(&accept_lock);
	atomic_store(&t->in_accept, 1);
	if (!stopping)
		rc = FCGX_Accept_r(fcgx);
	atomic_store(&t->in_accept, 0);
	pthread_mutex_unlock(&accept_lock);
	return rc;
}

static void *
serve_thread(void *arg)
{
	struct server_thread *t = arg;
	FCGX_Request fcgx;
	struct astral_request req;

	if (FCGX_InitRequest(&fcgx, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		astral_log(ASTRAL_LOG_ERROR, "FCGX_InitRequest failed");
		atomic_store(&t->done, 1);
		return NULL;
	}
	while (accept_next(t, &fcgx) >= 0) {
		if (astral_request_init(&req, &fcgx, &t->app) != ASTRAL_OK) {
			astral_log(ASTRAL_LOG_ERROR, "out of memory; exiting so the supervisor restarts us");
			FCGX_Finish_r(&fcgx);
			exit(1);
		}
		astral_dispatch(&req, t->prog->routes, t->prog->nroutes);
		astral_request_free(&req);
		FCGX_Finish_r(&fcgx);
	}
	FCGX_Free(&fcgx, 1);
	atomic_store(&t->done, 1);
	return NULL;
}

/* After SIGTERM or SIGINT: interrupt the thread waiting in accept() (again, until every thread is
   out: one may only just have begun to wait); requests being served finish first. */
static void
stop_threads(struct server_thread *threads, int n)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	int live;

	stopping = 1;
	do {
		live = 0;
		for (int i = 0; i < n; i++) {
			if (!threads[i].started || atomic_load(&threads[i].done))
				continue;
			live++;
			if (atomic_load(&threads[i].in_accept))
				pthread_kill(threads[i].id, SIGUSR1);
		}
		if (live > 0)
			nanosleep(&pause, NULL);
	} while (live > 0);
}

/* Serve on `n` threads until SIGTERM or SIGINT, which the main thread waits for. */
static void
serve_threads(struct astral_app *app, const struct astral_program *prog, int n)
{
	struct astral_db_shared_commit *shared = NULL;
	struct server_thread *threads = calloc((size_t)n, sizeof(*threads));
	struct sigaction wake;
	sigset_t stop_signals;
	astral_err err;
	int sig;

	if (threads == NULL) {
		astral_log(ASTRAL_LOG_ERROR, "out of memory");
		return;
	}
	err = astral_db_shared_commit_open(app->cfg.db_conninfo, app->cfg.db_password,
	                                   app->cfg.db_statement_timeout_ms, prog->stmt_tables, prog->stmt_counts,
	                                   &shared);
	if (shared == NULL) {
		astral_log(ASTRAL_LOG_ERROR, "database: %s", astral_strerror(err));
		free(threads);
		return;
	}
	memset(&wake, 0, sizeof(wake));
	wake.sa_handler = on_wake;     /* no SA_RESTART */
	sigaction(SIGUSR1, &wake, NULL);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);     /* the threads inherit it */
	for (int i = 0; i < n; i++) {
		struct server_thread *t = &threads[i];

		t->app = *app;
		t->prog = prog;
		/* Every connection opens now, its statements prepared, as a worker's does at start-up. */
		if (i > 0) {                    /* thread 0 has the one opened at start-up */
			err = astral_db_open(app->cfg.db_conninfo, app->cfg.db_password, app->cfg.db_statement_timeout_ms,
			                     prog->stmt_tables, prog->stmt_counts, &t->app.db);
			if (t->app.db == NULL) {
				astral_log(ASTRAL_LOG_ERROR, "database: %s", astral_strerror(err));
				break;
			}
		}
		astral_db_share_commits(t->app.db, shared);
		if (pthread_create(&t->id, NULL, serve_thread, t) != 0) {
			astral_log(ASTRAL_LOG_ERROR, "cannot start serving thread %d", i);
			if (i > 0)
				astral_db_close(t->app.db);
			break;
		}
		t->started = 1;
	}
	if (threads[0].started) {
		int started = 0;

		for (int i = 0; i < n; i++)
			started += threads[i].started;
		astral_log(ASTRAL_LOG_INFO, "ready, %d threads", started);
		if (!stopping)                  /* a signal before the mask was handled by on_term */
			sigwait(&stop_signals, &sig);
	}
	stop_threads(threads, n);
	for (int i = 0; i < n; i++) {
		if (!threads[i].started)
			continue;
		pthread_join(threads[i].id, NULL);
		astral_db_share_commits(threads[i].app.db, NULL);
		if (i > 0)
			astral_db_close(threads[i].app.db);
	}
	astral_db_shared_commit_close(shared);
	free(threads);
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
	if (prog->threaded && app.cfg.chat_threads > 1) {
		serve_threads(&app, prog, (int)app.cfg.chat_threads);
	} else {
		astral_log(ASTRAL_LOG_INFO, "ready");
		serve(&app, prog);
	}
	status = 0;
out:
	astral_db_close(app.db);
	astral_keyring_free(app.keyring);
	astral_wordlist_free(app.common_passwords);
	json_object_put(app.resources);
	astral_config_free(&app.cfg);
	return status;
}
