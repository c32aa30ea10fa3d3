-- POST /api/sessions/{id}/messages: one new message per request (a fresh client_key each time,
-- so every request inserts, seals and publishes). Requests go round the conversations listed in
-- the file named by BENCH_SESSIONS, one line each: "<session id> <seeker's access token>" (as
-- bench/fanout.py --setup-many prints them): many people each writing in their own conversation,
-- not 64 connections writing into one.
local sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
	local id, token = line:match("^(%S+)%s+(%S+)$")
	if id then
		sessions[#sessions + 1] = { id = id, token = token }
	end
end
assert(#sessions > 0, "BENCH_SESSIONS names no sessions")

local counter = 0
local thread_id = 0

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("prefix", string.format("t%d-%d", thread_id, os.time()))
	thread:set("first", thread_id)
end

request = function()
	counter = counter + 1
	local s = sessions[(counter * 7 + first) % #sessions + 1]
	local body = string.format('{"text":"bench message %d","client_key":"%s-%d"}', counter, prefix, counter)
	return wrk.format("POST", "/api/sessions/" .. s.id .. "/messages",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. s.token }, body)
end
