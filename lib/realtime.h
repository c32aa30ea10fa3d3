/*
 * The server side of real time: events are published to nchan's loopback-only publisher
 * (realtime.publish_url) after COMMIT. A failed publish loses nothing: PostgreSQL holds the data.
 */
#ifndef ASTRAL_REALTIME_H
#define ASTRAL_REALTIME_H

#include "app.h"
#include "error.h"

/* The channel id of a user's event stream: "user-<uuid>". */
void astral_rt_user_channel(const char *user_id, char *buf, size_t len);
/* Delete the user's channel, which closes every open stream of that user (logout, ban, role change). */
astral_err astral_rt_close_user(const struct astral_app *app, const char *user_id) ASTRAL_MUST_USE;

#endif
