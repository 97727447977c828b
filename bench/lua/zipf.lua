-- Requests /z/<rank> with Zipf(alpha) popularity over N objects: the most popular object is
-- rank 1. Arguments: N alpha seed. Each wrk thread draws from its own seeded generator.
local n, alpha, seed = 100000, 1.0, 1
local cdf = {}

function init(args)
  n = tonumber(args[1] or n)
  alpha = tonumber(args[2] or alpha)
  seed = tonumber(args[3] or seed)
  local sum = 0
  for rank = 1, n do
    sum = sum + rank ^ -alpha
    cdf[rank] = sum
  end
  for rank = 1, n do cdf[rank] = cdf[rank] / sum end
  math.randomseed(seed)
end

local function draw()
  local u, lo, hi = math.random(), 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

function request()
  return wrk.format(nil, "/z/" .. draw())
end
