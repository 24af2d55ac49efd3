-- The login throttle's fixed windows (auth.ThrottleStore) on one hash:
-- c = attempts counted, e = the window's end, i = the window's id, both in
-- microseconds of the server's clock. Ids only grow (a new window's id is
-- its start, or the last id + 1), so a Release for an old window never
-- touches a new one, even after a Reset.
--
-- KEYS[1] the key; ARGV[1] op: 'reserve' (ARGV[2] limit, ARGV[3] window
-- µs), 'release' (ARGV[2] window id) or 'reset'.
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local key = KEYS[1]
local h = redis.call('HMGET', key, 'c', 'e', 'i')
local c, e, id = tonumber(h[1]), tonumber(h[2]), tonumber(h[3])
local f = '%.0f'
local op = ARGV[1]

if op == 'reserve' then
  local limit, window = tonumber(ARGV[2]), tonumber(ARGV[3])
  if not e or now >= e then
    local nid = now
    if id and id >= nid then nid = id + 1 end
    id, c, e = nid, 0, now + window
  end
  if c >= limit then
    return {0, id, e - now}
  end
  redis.call('HSET', key, 'c', string.format(f, c + 1), 'e', string.format(f, e), 'i', string.format(f, id))
  redis.call('PEXPIREAT', key, string.format(f, math.ceil(e / 1000)))
  return {1, id, 0}
elseif op == 'release' then
  if e and now < e and id == tonumber(ARGV[2]) and c > 0 then
    redis.call('HSET', key, 'c', string.format(f, c - 1))
  end
  return 0
else -- reset: the window ends now; its id stays until the key expires
  if e then redis.call('HSET', key, 'c', '0', 'e', '0') end
  return 0
end
