-- POST /api/wellness/mood: a day's check-in (the first creates it, the next ones update it), by
-- many people at once: requests go round the access tokens listed one per line in the file named
-- by BENCH_TOKENS (as bench/wellness-setup.py prints them).
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
	if line:match("^%S+$") then
		tokens[#tokens + 1] = line
	end
end
assert(#tokens > 0, "BENCH_TOKENS names no tokens")

local counter = 0
local thread_id = 0
local tags = { "[]", '["Calm"]', '["Tired","Hopeful"]', '["Stressed"]' }

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("first", thread_id)
end

request = function()
	counter = counter + 1
	local token = tokens[(counter * 7 + first) % #tokens + 1]
	local body = string.format('{"mood":%d,"anxiety":%d,"sleep":3,"energy":%d,"tags":%s,"timezone":"Europe/Madrid"}',
		counter % 5 + 1, (counter + 2) % 5 + 1, (counter + 1) % 5 + 1, tags[counter % #tags + 1])
	return wrk.format("POST", "/api/wellness/mood",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
