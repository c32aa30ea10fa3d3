-- GET /api/wellness/mood/insights?days=90 for one person, asking in a different time zone on
-- each request (16 in turn). The server keeps one document per person and window, built for one
-- zone (migrations/0012_insights_cache.sql), so nearly every request computes the insights afresh:
-- this measures the statement, where the plain insights benchmark measures the kept document.
-- The person's access token is in BENCH_TOKEN.
local zones = {
	"UTC", "Europe/London", "Europe/Madrid", "Europe/Helsinki", "Africa/Nairobi", "Asia/Dubai",
	"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
	"America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Los_Angeles",
}
local token = os.getenv("BENCH_TOKEN")
assert(token ~= nil and token ~= "", "BENCH_TOKEN is not set")

local counter = 0
local thread_id = 0

setup = function(thread)
	thread_id = thread_id + 1
	thread:set("first", thread_id * 5)
end

request = function()
	counter = counter + 1
	local zone = zones[(counter + first) % #zones + 1]
	return wrk.format("GET", "/api/wellness/mood/insights?days=90&timezone=" .. zone,
		{ ["Authorization"] = "Bearer " .. token })
end
