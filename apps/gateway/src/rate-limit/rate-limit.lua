-- One atomic decision for one request: a sliding-window log over the last
-- `window_ms` (exact: a request is admitted iff fewer than `limit` were
-- admitted in the preceding window) and a fixed calendar-day counter.
-- Time comes from the Redis server, so every gateway replica shares one clock.
--
-- KEYS[1] sorted set of admitted request times (window log)
-- KEYS[2] counter of the current UTC day
-- ARGV: limit, window_ms, day_limit (0 = none), day_ttl_seconds, member
-- Returns {admitted(0/1), window_remaining, window_reset_ms, day_remaining, blocked_by(0 none, 1 window, 2 day)}

local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local day_limit = tonumber(ARGV[3])
local day_ttl = tonumber(ARGV[4])
local member = ARGV[5]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local day_used = tonumber(redis.call('GET', KEYS[2]) or '0')

local function reset_ms()
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] == nil then return 0 end
  return tonumber(oldest[2]) + window - now
end

if used >= limit then
  return {0, 0, reset_ms(), math.max(day_limit - day_used, 0), 1}
end
if day_limit > 0 and day_used >= day_limit then
  return {0, limit - used, reset_ms(), 0, 2}
end

redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], window)
local day_now = redis.call('INCR', KEYS[2])
if day_now == 1 then redis.call('EXPIRE', KEYS[2], day_ttl + 3600) end
return {1, limit - used - 1, reset_ms(), math.max(day_limit - day_now, 0), 0}
