/*
 * GET /healthz and GET /healthz/<program>: whether this program runs and reaches its database,
 * for load balancers and monitoring. Public, never cached, and it says nothing more than that.
 */
#ifndef ASTRAL_HEALTH_H
#define ASTRAL_HEALTH_H

#include "db.h"
#include "router.h"

/* Its one statement, prepared with the library's own (lib/db.c). */
extern const struct astral_stmt astral_health_stmts[];
extern const size_t astral_health_stmt_count;

/* The routes every program answers besides its own (astral_dispatch looks here last). */
extern const struct astral_route astral_health_routes[];
extern const size_t astral_health_route_count;

#endif
