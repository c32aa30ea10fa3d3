#include <stdio.h>
#include <string.h>

#include "log.h"
#include "publisher.h"
#include "realtime.h"
#include "relay_client.h"

void
astral_rt_user_channel(const char *user_id, char *buf, size_t len)
{
	snprintf(buf, len, "user-%s", user_id);
}

astral_err
astral_rt_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen, char *path,
                    size_t pathlen)
{
	return astral_publisher_parse_url(url, host, hostlen, port, portlen, path, pathlen);
}

astral_err
astral_rt_parse_status(const char *buf, size_t len, int *status)
{
	return astral_publisher_parse_status(buf, len, status);
}

astral_err
astral_rt_close_user(const struct astral_app *app, const char *user_id)
{
	char channel[64];
	int status = 0;
	astral_err err;

	if (app->cfg.rt_transport == ASTRAL_RT_POLLING)
		return ASTRAL_OK;            /* no streams to close: the UI polls */
	astral_rt_user_channel(user_id, channel, sizeof(channel));
	err = astral_publisher_request(app->cfg.rt_publish_url, "DELETE", channel, NULL, 0, &status);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_WARN, "closing a real-time channel failed: %s", astral_strerror(err));
		return err;
	}
	/* 200/204: closed; 404: nobody was subscribed. */
	return status == 200 || status == 204 || status == 404 ? ASTRAL_OK : ASTRAL_ERR_IO;
}

/* Publish one event (a JSON object) to the user's channel now. A failure is logged and
   returned; after COMMIT nobody needs more (the data is in PostgreSQL; clients resync). */
static astral_err
publish(const struct astral_app *app, const char *user_id, struct json_object *event)
{
	char channel[64];
	const char *text;
	size_t len = 0;
	int status = 0;
	astral_err err;

	astral_rt_user_channel(user_id, channel, sizeof(channel));
	text = json_object_to_json_string_length(event, JSON_C_TO_STRING_PLAIN, &len);
	if (text == NULL)
		return ASTRAL_ERR_NOMEM;
	/* Through the relay when it is there (lib/relay_client.h); else, or when it cannot take the
	   event, the program publishes it itself. */
	if (app->cfg.rt_relay_socket != NULL && strcmp(app->cfg.rt_relay_socket, "off") != 0 &&
	    astral_relay_send(app->cfg.rt_relay_socket, channel, text, len) == ASTRAL_OK)
		return ASTRAL_OK;
	err = astral_publisher_request(app->cfg.rt_publish_url, "POST", channel, text, len, &status);
	if (err != ASTRAL_OK) {
		astral_log(ASTRAL_LOG_WARN, "publishing a real-time event failed: %s", astral_strerror(err));
		return err;
	}
	/* 201: stored for subscribers to come; 202: stored, nobody listening now; 200: delivered. */
	if (status != 200 && status != 201 && status != 202) {
		astral_log(ASTRAL_LOG_WARN, "the real-time publisher answered %d", status);
		return ASTRAL_ERR_IO;
	}
	return ASTRAL_OK;
}

void
astral_rt_after_commit(struct astral_request *req, const char *user_id, struct json_object *event)
{
	struct json_object *entry;

	/* Polling (no nchan in front): nobody subscribes, the UI finds the change in the lists it polls. */
	if (user_id == NULL || event == NULL || req->app->cfg.rt_transport == ASTRAL_RT_POLLING) {
		json_object_put(event);
		return;
	}
	if (req->rt_events == NULL)
		req->rt_events = json_object_new_array();
	entry = json_object_new_object();
	if (req->rt_events == NULL || entry == NULL) {
		json_object_put(entry);
		json_object_put(event);
		return;
	}
	json_object_object_add(entry, "user", json_object_new_string(user_id));
	json_object_object_add(entry, "event", event);
	json_object_array_add(req->rt_events, entry);
}

void
astral_rt_close_after_commit(struct astral_request *req, const char *user_id)
{
	struct json_object *entry;

	if (user_id == NULL || req->app->cfg.rt_transport == ASTRAL_RT_POLLING)
		return;                      /* polling: there is no stream to close */
	if (req->rt_events == NULL)
		req->rt_events = json_object_new_array();
	entry = json_object_new_object();
	if (req->rt_events == NULL || entry == NULL) {
		json_object_put(entry);
		return;
	}
	json_object_object_add(entry, "user", json_object_new_string(user_id));
	json_object_object_add(entry, "close", json_object_new_boolean(1));
	json_object_array_add(req->rt_events, entry);
}

void
astral_rt_publish_pending(struct astral_request *req, int with_events)
{
	size_t n;

	if (req->rt_events == NULL)
		return;
	n = json_object_array_length(req->rt_events);
	for (size_t i = 0; i < n; i++) {
		struct json_object *entry = json_object_array_get_idx(req->rt_events, i);
		struct json_object *user = NULL, *event = NULL;

		if (!json_object_object_get_ex(entry, "user", &user))
			continue;
		if (json_object_object_get_ex(entry, "event", &event)) {
			if (with_events)
				(void)publish(req->app, json_object_get_string(user), event);
		}
		else if (json_object_object_get_ex(entry, "close", NULL) &&
		         astral_rt_close_user(req->app, json_object_get_string(user)) != ASTRAL_OK)
			astral_log(ASTRAL_LOG_WARN, "could not close a user's real-time streams after COMMIT");
	}
	json_object_put(req->rt_events);
	req->rt_events = NULL;
}
