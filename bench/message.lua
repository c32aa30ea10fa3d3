-- POST /api/sessions/{id}/messages: one new message per request (a fresh client_key each time,
-- so every request inserts, seals and publishes). The session id and token come from the
-- environment: BENCH_SESSION, BENCH_TOKEN.
local session = os.getenv("BENCH_SESSION")
local token = os.getenv("BENCH_TOKEN")
local counter = 0
local thread_id = 0

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("prefix", string.format("t%d-%d", thread_id, os.time()))
end

request = function()
	counter = counter + 1
	local body = string.format('{"text":"bench message %d","client_key":"%s-%d"}', counter, prefix, counter)
	return wrk.format("POST", "/api/sessions/" .. session .. "/messages",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
