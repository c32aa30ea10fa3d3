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
};

int astral_program_main(int argc, char **argv, const struct astral_program *prog);

#endif
