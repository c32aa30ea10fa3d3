/*
 * Running PostgreSQL's client programs (pg_dump, pg_restore) for astralctl backup and restore:
 * fork and execvpe with an argument vector, never a shell; the password in the child's
 * environment only (PGPASSWORD), never on its command line, where any local user could read it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* execvpe */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "backup_set.h"

#define PG_TOOL_MAX_ARGS 32
#define PG_TOOL_PASSWORD_VAR "PGPASSWORD="

extern char **environ;

/* Appends s to buf (at *len, capacity cap), doubling the buffer as needed. 0 on success. */
static int
pg_tool_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap : 128);
		char *nbuf;

		while (*len + n + 1 > ncap)
			ncap *= 2;
		nbuf = realloc(*buf, ncap);
		if (nbuf == NULL)
			return -1;
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Appends " key='value'" (no space when first), quotes and backslashes escaped. 0 on success. */
static int
pg_tool_append_pair(char **buf, size_t *len, size_t *cap, const char *key, const char *value)
{
	if ((*len > 0 && pg_tool_append(buf, len, cap, " ", 1) != 0) ||
	    pg_tool_append(buf, len, cap, key, strlen(key)) != 0 || pg_tool_append(buf, len, cap, "='", 2) != 0)
		return -1;
	for (const char *p = value; *p != '\0'; p++) {
		if ((*p == '\'' || *p == '\\') && pg_tool_append(buf, len, cap, "\\", 1) != 0)
			return -1;
		if (pg_tool_append(buf, len, cap, p, 1) != 0)
			return -1;
	}
	return pg_tool_append(buf, len, cap, "'", 1);
}

/* The connection string without its password, as key='value' pairs (quotes and backslashes
   escaped), and the password it held (or NULL). Both malloc'd. 0 on success; prints why on -1. */
static int
pg_tool_split_conninfo(const char *conninfo, char **without, char **password)
{
	PQconninfoOption *opts = NULL;
	char *errmsg = NULL, *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	*without = NULL;
	*password = NULL;
	/* A bare database name, which libpq accepts as dbname, is not a connection string. */
	if (strchr(conninfo, '=') == NULL && strncmp(conninfo, "postgresql://", 13) != 0 &&
	    strncmp(conninfo, "postgres://", 11) != 0) {
		if (pg_tool_append_pair(&buf, &len, &cap, "dbname", conninfo) != 0)
			goto nomem;
		goto done;
	}
	opts = PQconninfoParse(conninfo, &errmsg);
	if (opts == NULL) {
		astralctl_error("database.owner_conninfo cannot be parsed: %s", errmsg ? errmsg : "out of memory");
		goto out;
	}
	if (pg_tool_append(&buf, &len, &cap, "", 0) != 0)
		goto nomem;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			*password = strdup(o->val);
			if (*password == NULL)
				goto nomem;
			continue;
		}
		if (pg_tool_append_pair(&buf, &len, &cap, o->keyword, o->val) != 0)
			goto nomem;
	}
done:
	*without = buf;
	buf = NULL;
	rc = 0;
	goto out;
nomem:
	astralctl_error("out of memory");
out:
	if (rc != 0 && *password != NULL) {
		OPENSSL_cleanse(*password, strlen(*password));
		free(*password);
		*password = NULL;
	}
	free(buf);
	PQfreemem(errmsg);
	PQconninfoFree(opts);
	return rc;
}

/* A copy of environ without PGPASSWORD, plus PGPASSWORD=password when password is not NULL. The
   strings are environ's, except the last one, which is malloc'd (*owned). */
static char **
pg_tool_child_env(const char *password, char **owned)
{
	size_t n = 0, k = 0, plen;
	char **env;

	*owned = NULL;
	while (environ[n] != NULL)
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (password != NULL && strncmp(environ[i], PG_TOOL_PASSWORD_VAR, strlen(PG_TOOL_PASSWORD_VAR)) == 0)
			continue;
		env[k++] = environ[i];
	}
	if (password != NULL) {
		plen = strlen(PG_TOOL_PASSWORD_VAR) + strlen(password) + 1;
		*owned = malloc(plen);
		if (*owned == NULL) {
			free(env);
			return NULL;
		}
		snprintf(*owned, plen, "%s%s", PG_TOOL_PASSWORD_VAR, password);
		env[k++] = *owned;
	}
	env[k] = NULL;
	return env;
}

/* Waits for pid; 0 when it exited with status 0, else prints what happened and returns -1. */
static int
pg_tool_wait(pid_t pid, const char *name)
{
	int status, passed_on = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			astralctl_error("waiting for %s: %s", name, strerror(errno));
			return -1;
		}
		/* Interrupted (astralctl_catch_interrupts): the child stops too, then the caller cleans up. */
		if (astralctl_interrupted() != 0 && !passed_on) {
			(void)kill(pid, SIGTERM);
			passed_on = 1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		astralctl_error("%s could not be run (is the postgresql-client package installed and %s on PATH?)",
		                name, name);
	else if (WIFEXITED(status))
		astralctl_error("%s failed with exit status %d (its messages are above)", name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		astralctl_error("%s was killed by signal %d", name, WTERMSIG(status));
	else
		astralctl_error("%s ended abnormally", name);
	return -1;
}

int
pg_tool_run(const char *const *args, const char *conninfo, const char *password, const char *last_arg,
            int stdout_fd)
{
	const char *argv[PG_TOOL_MAX_ARGS + 3];
	char *without = NULL, *in_conninfo = NULL, *dbname = NULL, *pw_var = NULL, *file = NULL;
	char **env = NULL;
	size_t n = 0, dlen;
	pid_t pid;
	int rc = -1, devnull = -1;

	while (args[n] != NULL) {
		if (n == PG_TOOL_MAX_ARGS) {
			astralctl_error("too many arguments for %s", args[0]);
			goto out;
		}
		argv[n] = args[n];
		n++;
	}
	if (pg_tool_split_conninfo(conninfo, &without, &in_conninfo) != 0)
		goto out;
	dlen = strlen("--dbname=") + strlen(without) + 1;
	dbname = malloc(dlen);
	env = dbname ? pg_tool_child_env(password ? password : in_conninfo, &pw_var) : NULL;
	if (env == NULL) {
		astralctl_error("out of memory");
		goto out;
	}
	snprintf(dbname, dlen, "--dbname=%s", without);
	argv[n++] = dbname;
	if (last_arg != NULL && last_arg[0] != '/') {
		/* A relative path starting with '-' would be read as an option: "./" makes it a path. */
		size_t flen = strlen("./") + strlen(last_arg) + 1;

		file = malloc(flen);
		if (file == NULL) {
			astralctl_error("out of memory");
			goto out;
		}
		snprintf(file, flen, "./%s", last_arg);
		last_arg = file;
	}
	if (last_arg != NULL)
		argv[n++] = last_arg;
	argv[n] = NULL;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0) {
		astralctl_error("cannot open /dev/null: %s", strerror(errno));
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		astralctl_error("cannot start %s: %s", args[0], strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* The child: only async-signal-safe calls until exec. */
		if (dup2(devnull, STDIN_FILENO) < 0 || (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0))
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		/* execvpe takes char *const[]: the strings are not changed. */
		execvpe(argv[0], (char *const *)(void *)argv, env);
		_exit(127);
	}
	rc = pg_tool_wait(pid, args[0]);
out:
	if (devnull >= 0)
		close(devnull);
	if (pw_var != NULL) {
		OPENSSL_cleanse(pw_var, strlen(pw_var));
		free(pw_var);
	}
	if (in_conninfo != NULL) {
		OPENSSL_cleanse(in_conninfo, strlen(in_conninfo));
		free(in_conninfo);
	}
	free(env);
	free(file);
	free(dbname);
	free(without);
	return rc;
}
