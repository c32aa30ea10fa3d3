-- POST /api/ai/chat: companion messages (JSON answer), one person per connection. bench/ai.py runs
-- wrk with as many threads as connections, so each thread holds one connection and one person:
-- the access tokens are listed one per line in the file named by BENCH_TOKENS (bench/ai.py makes
-- them, each an adult who has answered the age question), and thread N sends as the Nth. A person
-- thus never has two messages in flight, as in a real conversation with the companion (with
-- requests dealt round the tokens instead, two connections wrote as one person at once, and the
-- second waited on the first's quota row: a wait of the benchmark's making).
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
	if line:match("^%S+$") then
		tokens[#tokens + 1] = line
	end
end
assert(#tokens > 0, "BENCH_TOKENS names no tokens")

local thread_id = 0

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("token", tokens[(thread_id - 1) % #tokens + 1])
end

local counter = 0

request = function()
	counter = counter + 1
	local body = string.format('{"message":"Tonight is hard, message %d: I keep worrying about tomorrow."}', counter)
	return wrk.format("POST", "/api/ai/chat",
		{ ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
