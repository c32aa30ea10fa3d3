/* Audit rows of the whole wellness program (wellness.h and care.h): the caller is both actor and
   subject, since nobody else reaches these records. */
#ifndef ASTRAL_WELLNESS_AUDIT_H
#define ASTRAL_WELLNESS_AUDIT_H

#include "router.h"

/* Append an audit row about the caller's own data: `action` on `object_type` (mood_checkin,
   habit, journal_entry, assessment or safety_plan) `object_id` (or NULL), `detail` a reason code
   (never content) or NULL. A failed append is logged; the request goes on. */
void wellness_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
                    const char *detail);

#endif
