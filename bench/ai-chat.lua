-- POST /api/ai/chat: companion messages (JSON answer), one person per connection as far as the
-- tokens go round: the access tokens are listed one per line in the file named by BENCH_TOKENS
-- (bench/ai.py makes them, each an adult who has answered the age question).
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
	if line:match("^%S+$") then
		tokens[#tokens + 1] = line
	end
end
assert(#tokens > 0, "BENCH_TOKENS names no tokens")

local counter = 0
local thread_id = 0

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("first", thread_id * 1000)
end

request = function()
	counter = counter + 1
	local token = tokens[(counter + first) % #tokens + 1]
	local body = string.format('{"message":"Tonight is hard, message %d: I keep worrying about tomorrow."}', counter)
	return wrk.format("POST", "/api/ai/chat",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
