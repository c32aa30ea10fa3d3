/*
 * A helper's achievements (helper_achievements, awarded by the SQL function
 * astral_award_achievements): earned when they accept a post (cgi-bin/posts) and when a seeker
 * gives kudos (cgi-bin/chat). One award, whichever program asks: the newly earned ones are
 * named to the helper in one `achievement.unlocked` event after COMMIT, for the web UI's toast.
 */
#ifndef ASTRAL_ACHIEVEMENTS_H
#define ASTRAL_ACHIEVEMENTS_H

#include <json-c/json.h>

#include "error.h"
#include "http.h"

/* Award `helper_id` what they have earned by now, in the caller's open transaction. *won, when
   not NULL, receives a new JSON array of the ids newly earned (sorted; empty when none). */
astral_err astral_achievements_award(struct astral_request *req, const char *helper_id,
                                     struct json_object **won) ASTRAL_MUST_USE;

#endif
