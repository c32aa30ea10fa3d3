/*
 * The connections of a program serving on threads: a request takes one for its life and gives it
 * back. The one given back last is taken first, so a process keeps as many connections as it has
 * served requests at once, not one per thread.
 */
#ifndef ASTRAL_DB_POOL_H
#define ASTRAL_DB_POOL_H

#include "db.h"

struct astral_db_pool;

/* A pool of up to `max` handles: `first`, which the pool now owns, and more like it made when
   needed; each shares its one-round-trip commits through `shared` (NULL: none). */
astral_err astral_db_pool_open(struct astral_db *first, struct astral_db_shared_commit *shared, int max,
                               struct astral_db_pool **out) ASTRAL_MUST_USE;
void astral_db_pool_close(struct astral_db_pool *pool);
/* A handle for one request: the last given back, or a new one (connected at its first
   transaction); NULL when out of memory. Never more than `max` are out: the pool is sized to the
   threads that take from it. */
struct astral_db *astral_db_pool_take(struct astral_db_pool *pool);
void astral_db_pool_give(struct astral_db_pool *pool, struct astral_db *db);

#endif
