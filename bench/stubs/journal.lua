-- wrk script for the journal measurement: POSTs an 8 KiB body to /journal and stops each
-- thread after JOURNAL_REQUESTS_PER_THREAD responses (wrk itself only knows durations).
local per_thread = tonumber(os.getenv("JOURNAL_REQUESTS_PER_THREAD") or "0") or 0
local seen = 0

wrk.method = "POST"
wrk.path = "/journal"
wrk.body = string.rep("j", 8192)
wrk.headers["Content-Type"] = "text/plain"

function response(status, headers, body)
  seen = seen + 1
  if per_thread > 0 and seen >= per_thread then
    wrk.thread:stop()
  end
end
