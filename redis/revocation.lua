-- Revocations that keep the later times (auth.RevocationList). Times are
-- Unix milliseconds.
--
-- KEYS[1] the entry; ARGV[1] 'family' (ARGV[2] expiry) or 'subject'
-- (ARGV[2] expiry, ARGV[3] cutoff). A family's value is its expiry; a
-- subject's is "cutoff expiry".
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local key, exp = KEYS[1], tonumber(ARGV[2])
if exp <= now then return 0 end -- already expired: nothing to remember
local cur = redis.call('GET', key)
if ARGV[1] == 'family' then
  if cur and tonumber(cur) >= exp then return 0 end
  redis.call('SET', key, ARGV[2], 'PXAT', ARGV[2])
  return 1
end
local before = tonumber(ARGV[3])
if cur then
  local b, e = string.match(cur, '^(%d+) (%d+)$')
  if b then
    before = math.max(before, tonumber(b))
    exp = math.max(exp, tonumber(e))
  end
end
local f = '%.0f'
redis.call('SET', key, string.format(f, before) .. ' ' .. string.format(f, exp), 'PXAT', string.format(f, exp))
return 1
