-- bench/checkin --client wrk: one phase's requests, read from a file that bench/checkin.py wrote.
--
-- wrk -t T -c C -d S -s bench/_checkin_wrk.lua http://127.0.0.1:PORT -- REQUESTS_FILE AUTH_FILE T
--
-- REQUESTS_FILE: one request a line, "METHOD<TAB>PATH<TAB>BODY". Thread k of T sends lines
-- k, k+T, k+2T, ... in order, once each; a file of one line is sent over and over. A check-in
-- line (its path starts with /sessions/) carries the cadre's cookie and CSRF header from
-- AUTH_FILE (two lines: the Cookie header, the token). done() prints one JSON line: the count
-- and latency quantiles wrk measured, the answers' statuses and how many lines each thread sent
-- (bench/checkin.py works out from those which scans went out).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[3])  -- wrk runs a thread's init before the next thread's setup
  local auth = io.open(args[2])
  cookie = auth:read("*l")
  csrf = auth:read("*l")
  auth:close()
  local all = {}
  for line in io.lines(args[1]) do
    table.insert(all, {line:match("^(%u+)\t([^\t]+)\t(.*)$")})
  end
  cycle = (#all == 1)  -- one line: every thread sends it over and over
  lines = {}
  for i, r in ipairs(all) do
    if cycle or (i - 1) % nthreads == id then table.insert(lines, r) end
  end
  -- wrk calls thread 0's request() once before the run to check it parses, and never sends it:
  -- answer that call without counting it as sent.
  verifying = (id == 0)
  sent = 0
  exhausted = 0
  created, duplicate, refused, other = 0, 0, 0, 0
end

local function format(r)
  local headers = {["Host"] = "127.0.0.1"}
  if r[2]:sub(1, 10) == "/sessions/" then
    headers["Content-Type"] = "application/json"
    headers["X-CSRFToken"] = csrf
    headers["Cookie"] = cookie
  end
  local body = nil
  if r[3] ~= "" then body = r[3] end
  return wrk.format(r[1], r[2], headers, body)
end

function request()
  if verifying then
    verifying = false
    return format(lines[1])
  end
  local n = sent + 1
  if n > #lines then
    if not cycle then exhausted = exhausted + 1 end
    n = (n - 1) % #lines + 1
  end
  sent = sent + 1
  return format(lines[n])
end

function response(status, headers, body)
  if status ~= 200 then
    other = other + 1
  elseif body:find('"status": "created"', 1, true) then
    created = created + 1
  elseif body:find('"status": "duplicate"', 1, true) then
    duplicate = duplicate + 1
  elseif body:find('"status": "refused"', 1, true) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local totals = {created = 0, duplicate = 0, refused = 0, other = 0, exhausted = 0}
  local sent_by_thread = {}
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do totals[k] = totals[k] + t:get(k) end
    sent_by_thread[t:get("id") + 1] = t:get("sent")
  end
  local e = summary.errors
  io.write(string.format(
    '{"wrk": {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, '
      .. '"socket_errors": %d, "created": %d, "duplicate": %d, "refused": %d, "other": %d, '
      .. '"exhausted": %d, "sent_by_thread": [%s]}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    latency.max, e.connect + e.read + e.write + e.timeout, totals.created, totals.duplicate,
    totals.refused, totals.other, totals.exhausted, table.concat(sent_by_thread, ", ")))
end
