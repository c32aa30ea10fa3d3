/*
 * The life of a program: read and check the configuration, load keys, open the database and
 * prepare statements, run the program's own start-up hook, then accept FastCGI requests on fd 0 one at a time until told to stop.
 * Every program's main() is one call to astral_program_main().
 */
#ifndef ASTRAL_PROGRAM_H
#define ASTRAL_PROGRAM_H

#include <stddef.h>

#include "app.h"
#include "db.h"
#include "router.h"

struct astral_program {
	const char *name;                         /* "auth": logs say astral-auth */
	const struct astral_route *routes;
	size_t nroutes;
	const struct astral_stmt *const *stmt_tables;   /* NULL-terminated */
	const size_t *stmt_counts;
	/* Optional, run after the database is open and before the first accept (the AI program
	   initialises libcurl here). */
	astral_err (*init)(struct astral_app *app);
	/* Serve [chat] threads requests at once, each thread with its own connection, sharing their
	   one-round-trip commits (lib/db_shared_commit.c). Its handlers and everything they call
	   keep per-request state on the stack or in _Thread_local memory. */
	int threaded;
};

int astral_program_main(int argc, char **argv, const struct astral_program *prog);

/* The rest of a program's main.c after its route table: the program with one statement table,
   and main() handing it to astral_program_main(). */
#define ASTRAL_PROGRAM(prog_name, route_table, stmt_table, stmt_count)                          \
	ASTRAL_PROGRAM_SERVING(prog_name, route_table, stmt_table, stmt_count, 0)
/* The same, for a program that serves on threads (`threaded` above). */
#define ASTRAL_PROGRAM_SERVING(prog_name, route_table, stmt_table, stmt_count, on_threads)     \
	static const struct astral_stmt *const astral_stmt_tables[] = { stmt_table, NULL };      \
	static const size_t astral_stmt_counts[] = { stmt_count, 0 };                          \
	static const struct astral_program astral_this_program = {                             \
		.name = prog_name,                                                              \
		.routes = route_table,                                                          \
		.nroutes = sizeof(route_table) / sizeof((route_table)[0]),                      \
		.stmt_tables = astral_stmt_tables,                                              \
		.stmt_counts = astral_stmt_counts,                                              \
		.threaded = on_threads,                                                         \
	};                                                                                     \
	int main(int argc, char **argv)                                                        \
	{                                                                                      \
		return astral_program_main(argc, argv, &astral_this_program);                   \
	}

#endif
