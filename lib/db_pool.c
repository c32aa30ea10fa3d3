/* Connections shared by a program's serving threads: see db_pool.h. */
#include <pthread.h>
#include <stdlib.h>

#include "db_pool.h"

struct astral_db_pool {
	pthread_mutex_t lock;
	const struct astral_db *model;   /* the first handle: the others are made like it */
	struct astral_db_shared_commit *shared;
	int max, made, nidle;
	struct astral_db **idle;       /* a stack: the last given back on top */
};

astral_err
astral_db_pool_open(struct astral_db *first, struct astral_db_shared_commit *shared, int max,
                    struct astral_db_pool **out)
{
	struct astral_db_pool *pool = calloc(1, sizeof(*pool));

	*out = NULL;
	if (pool == NULL || (pool->idle = calloc((size_t)max, sizeof(*pool->idle))) == NULL) {
		free(pool);
		return ASTRAL_ERR_NOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pool->model = first;
	pool->shared = shared;
	pool->max = max;
	pool->idle[pool->nidle++] = first;
	pool->made = 1;
	*out = pool;
	return ASTRAL_OK;
}

void
astral_db_pool_close(struct astral_db_pool *pool)
{
	if (pool == NULL)
		return;
	for (int i = 0; i < pool->nidle; i++)
		astral_db_close(pool->idle[i]);
	pthread_mutex_destroy(&pool->lock);
	free(pool->idle);
	free(pool);
}

struct astral_db *
astral_db_pool_take(struct astral_db_pool *pool)
{
	struct astral_db *db = NULL;

	pthread_mutex_lock(&pool->lock);
	if (pool->nidle > 0)
		db = pool->idle[--pool->nidle];
	else if (pool->made < pool->max && astral_db_open_like(pool->model, &db) == ASTRAL_OK)
		pool->made++;
	pthread_mutex_unlock(&pool->lock);
	if (db != NULL)
		astral_db_share_commits(db, pool->shared);
	return db;
}

void
astral_db_pool_give(struct astral_db_pool *pool, struct astral_db *db)
{
	pthread_mutex_lock(&pool->lock);
	pool->idle[pool->nidle++] = db;
	pthread_mutex_unlock(&pool->lock);
}
