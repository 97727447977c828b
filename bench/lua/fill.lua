-- Requests /tiny/1 .. /tiny/N once each, then stops: fills a cache with N distinct objects.
-- Arguments: N [path prefix, default /tiny/]. Use one wrk thread so the sequence is not split.
local n, prefix, next_key, answered = 1000000, "/tiny/", 0, 0

function init(args)
  n = tonumber(args[1] or n)
  prefix = args[2] or prefix
end

function request()
  next_key = next_key + 1
  return wrk.format(nil, prefix .. next_key)
end

function response()
  answered = answered + 1
  if answered >= n then wrk.thread:stop() end
end
