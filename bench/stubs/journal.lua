-- wrk script for the journal measurement: POSTs an 8 KiB body to /journal and ends the run
-- after JOURNAL_REQUESTS responses. wrk itself only knows durations (a stopped thread still
-- waits for -d to pass), so the script exits the process; run it with one thread (-t1), whose
-- count is then the run's. It prints "journal.lua: N responses in S s" first.
local wanted = tonumber(os.getenv("JOURNAL_REQUESTS") or "0") or 0
local seen = 0
local started = os.time()

wrk.method = "POST"
wrk.path = "/journal"
wrk.body = string.rep("j", 8192)
wrk.headers["Content-Type"] = "text/plain"

function response(status, headers, body)
  seen = seen + 1
  if wanted > 0 and seen >= wanted then
    io.write(string.format("journal.lua: %d responses in %d s\n", seen, os.time() - started))
    io.flush()
    os.exit(0)
  end
end
