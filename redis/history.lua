-- Room history: a bounded stream of messages numbered by a per-room
-- offset, and the room's epoch, which changes whenever the numbering
-- starts over (the room's keys expired or were lost), so that a client's
-- offset from another epoch is known to mean nothing.
--
-- KEYS[1] the stream, KEYS[2] the meta hash (epoch, offset); they share a
-- hash tag. ARGV[1] op: 'append' (ARGV[2] data, ARGV[3] max entries,
-- ARGV[4] ttl ms, ARGV[5] a fresh epoch in case the room has none) or
-- 'since' (ARGV[2] offset, ARGV[3] epoch).
local stream, meta = KEYS[1], KEYS[2]
if ARGV[1] == 'append' then
  local epoch = redis.call('HGET', meta, 'epoch')
  if not epoch then
    epoch = ARGV[5]
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', epoch, 'offset', 0)
  end
  local offset = redis.call('HINCRBY', meta, 'offset', 1)
  redis.call('XADD', stream, 'MAXLEN', ARGV[3], offset .. '-1', 'd', ARGV[2])
  redis.call('PEXPIRE', stream, ARGV[4])
  redis.call('PEXPIRE', meta, ARGV[4])
  return {offset, epoch}
end
-- since: {current offset, epoch, recovered 0/1, entries...}
local m = redis.call('HMGET', meta, 'epoch', 'offset')
if not m[1] then return {0, '', 0} end
local epoch, offset = m[1], tonumber(m[2])
local from = tonumber(ARGV[2])
if m[1] ~= ARGV[3] or from > offset then return {offset, epoch, 0} end
local entries = redis.call('XRANGE', stream, '(' .. from .. '-1', '+')
local first = offset + 1
if #entries > 0 then first = tonumber(string.match(entries[1][1], '^(%d+)')) end
local out = {offset, epoch, (first == from + 1) and 1 or 0}
for _, e in ipairs(entries) do
  out[#out + 1] = e[1]
  out[#out + 1] = e[2][2]
end
return out
