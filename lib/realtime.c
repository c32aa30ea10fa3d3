#include <curl/curl.h>
#include <stdio.h>

#include "log.h"
#include "realtime.h"

void
astral_rt_user_channel(const char *user_id, char *buf, size_t len)
{
	snprintf(buf, len, "user-%s", user_id);
}

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

astral_err
astral_rt_close_user(const struct astral_app *app, const char *user_id)
{
	char channel[64], url[512];
	CURL *curl;
	CURLcode rc;
	long status = 0;

	astral_rt_user_channel(user_id, channel, sizeof(channel));
	if ((size_t)snprintf(url, sizeof(url), "%s/%s", app->cfg.rt_publish_url, channel) >= sizeof(url))
		return ASTRAL_ERR_CONFIG;
	curl = curl_easy_init();
	if (curl == NULL)
		return ASTRAL_ERR_NOMEM;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 500L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 1000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		astral_log(ASTRAL_LOG_WARN, "closing real-time channel failed: %s", curl_easy_strerror(rc));
		return ASTRAL_ERR_IO;
	}
	/* 200/204: closed; 404: nobody was subscribed. */
	return status == 200 || status == 204 || status == 404 ? ASTRAL_OK : ASTRAL_ERR_IO;
}
