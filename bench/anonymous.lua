-- POST /api/auth/anonymous: a new seeker account and session per request.
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
