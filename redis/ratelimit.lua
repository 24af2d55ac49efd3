-- One Take of a ratelimit.Policy on one key, the same arithmetic as
-- Policy.Apply in Go (middleware/ratelimit/policy.go), exactly.
--
-- Lua numbers are doubles: integers are exact below 2^53 only, and Unix
-- nanoseconds (~1.8e18) are not. So an instant is a pair {s, n} (seconds,
-- nanoseconds 0..1e9-1), durations are numbers kept below 2^53 (the Go side
-- bounds windows), and the sliding window's 128-bit products are compared
-- with 24-bit limbs. Every value written back goes through '%.0f', never
-- Lua's default '%.14g'.
--
-- KEYS[1] the limit's key (a hash: a = algorithm, s/n = Time, c = Count,
--         p = Prev)
-- ARGV    algorithm, limit, window, step, span, cost, clock (0: the
--         server's TIME, 1: the caller's), caller seconds, caller nanos,
--         extra milliseconds to keep the key (the caller's clock is not
--         the server's: the key outlives its reset on either)
-- returns {allowed 0/1, remaining, reset ns, retry-after ns}

local E9 = 1000000000
local fmod, floor = math.fmod, math.floor

local alg = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local w = tonumber(ARGV[3])
local step = tonumber(ARGV[4])
local span = tonumber(ARGV[5])
local cost = tonumber(ARGV[6])

local t
if ARGV[7] == '0' then
  local now = redis.call('TIME')
  t = {tonumber(now[1]), tonumber(now[2]) * 1000}
else
  t = {tonumber(ARGV[8]), tonumber(ARGV[9])}
end

-- instants --------------------------------------------------------------

local function split(d) -- d >= 0 → whole seconds, nanoseconds
  local n = fmod(d, E9)
  return (d - n) / E9, n
end

local function tadd(a, d) -- instant + duration (d >= 0)
  local ds, dn = split(d)
  local s, n = a[1] + ds, a[2] + dn
  if n >= E9 then n = n - E9; s = s + 1 end
  return {s, n}
end

local function tsub(a, d) -- instant - duration (d >= 0)
  local ds, dn = split(d)
  local s, n = a[1] - ds, a[2] - dn
  if n < 0 then n = n + E9; s = s - 1 end
  return {s, n}
end

local function tdiff(a, b) -- a - b in nanoseconds
  return (a[1] - b[1]) * E9 + (a[2] - b[2])
end

local function tcmp(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end

local function addmod(x, y, m) -- (x + y) mod m for x, y < m, without overflow
  if x >= m - y then return x - (m - y) end
  return x + y
end

local function tmod(a, m) -- instant mod m, exactly
  local r, b, acc = fmod(a[1], m), E9, 0
  while b > 0 do -- acc = r * 1e9 mod m by doubling
    if fmod(b, 2) == 1 then acc = addmod(acc, r, m) end
    r = addmod(r, r, m)
    b = floor(b / 2)
  end
  return addmod(acc, fmod(a[2], m), m)
end

local function wstart(a, m) return tsub(a, tmod(a, m)) end

-- exact products -------------------------------------------------------

local B = 16777216 -- 2^24

local function bmul(x, y) -- x*y for integers 0 <= x, y < 2^53, as 6 limbs
  local a, b = {}, {}
  for i = 1, 3 do
    a[i] = fmod(x, B); x = (x - a[i]) / B
    b[i] = fmod(y, B); y = (y - b[i]) / B
  end
  local r = {0, 0, 0, 0, 0, 0}
  for i = 1, 3 do
    for j = 1, 3 do r[i + j - 1] = r[i + j - 1] + a[i] * b[j] end
  end
  local carry = 0
  for k = 1, 6 do
    local v = r[k] + carry
    r[k] = fmod(v, B)
    carry = (v - r[k]) / B
  end
  return r
end

local function bcmp(x, y)
  for k = 6, 1, -1 do
    if x[k] ~= y[k] then return x[k] < y[k] and -1 or 1 end
  end
  return 0
end

-- floor(a*b/c) for integers a, b >= 0, 0 < c < 2^53, when the quotient is
-- below 2^53; and whether the division is exact.
local P53 = 9007199254740992 -- 2^53: below it, products are exact doubles

local function muldiv(a, b, c)
  if a * b < P53 then -- the fast path: exact in doubles
    local ab = a * b
    local q = floor(ab / c)
    if q * c > ab then q = q - 1 end
    if (q + 1) * c <= ab then q = q + 1 end
    return q, q * c == ab
  end
  local ab = bmul(a, b)
  local q = floor(a * (b / c))
  if q < 0 then q = 0 end
  while q > 0 and bcmp(bmul(q, c), ab) > 0 do q = q - 1 end
  while bcmp(bmul(q + 1, c), ab) <= 0 do q = q + 1 end
  return q, bcmp(bmul(q, c), ab) == 0
end

-- floor(x / y) for integers 0 <= x < 2^53, 0 < y.
local function idiv(x, y)
  local q = floor(x / y)
  if q * y > x then q = q - 1 end
  if (q + 1) * y <= x then q = q + 1 end
  return q
end

-- the algorithms ---------------------------------------------------------
-- each returns the new state {time, count, prev} and the result
-- {allowed, remaining, reset, retry}

local function fixed(st, n)
  local start = wstart(t, w)
  local count = 0
  local c = tcmp(st.t, start)
  if c == 0 then count = st.c
  elseif c > 0 then start, count = st.t, st.c end
  local finish = tadd(start, w)
  local allowed, remaining, retry, reset = 0, 0, 0, 0
  if count + n > limit then
    remaining = limit - count
    retry = tdiff(finish, t)
  else
    count = count + n
    allowed = 1
    remaining = limit - count
  end
  if count > 0 then reset = tdiff(finish, t) end
  return {t = start, c = count, p = 0}, {allowed, remaining, reset, retry}
end

local function sliding(st, n)
  local start = wstart(t, w)
  local prev, curr = 0, 0
  if tcmp(st.t, start) == 0 then prev, curr = st.p, st.c
  elseif tcmp(st.t, tsub(start, w)) == 0 then prev = st.c
  elseif tcmp(st.t, start) > 0 then start, prev, curr = st.t, st.p, st.c end
  local elapsed = math.min(math.max(tdiff(t, start), 0), w - 1)
  local rest = w - elapsed
  -- admitted when prev*rest + (curr+n)*w <= limit*w
  local fits = function(used)
    local room = limit - used
    if room < 0 then return false end
    if prev == 0 then return true end
    local x, y = prev * rest, room * w
    if x < P53 and y < P53 then return x <= y end
    return bcmp(bmul(prev, rest), bmul(room, w)) <= 0
  end
  local allowed, retry, used = 0, 0, curr
  if fits(curr + n) then
    used = curr + n
    allowed = 1
  elseif curr + n <= limit then
    local q = muldiv(limit - curr - n, w, prev)
    retry = w - q - elapsed
  else
    local q = muldiv(limit - n, w, curr)
    retry = w - elapsed + w - q
  end
  local remaining = 0
  if fits(used) then
    -- floor(((limit-used)*w - prev*rest) / w) = limit-used - ceil(prev*rest/w)
    local q, exact = muldiv(prev, rest, w)
    if not exact then q = q + 1 end
    remaining = limit - used - q
  end
  local reset = 0
  if used > 0 then reset = 2 * w - tdiff(t, start)
  elseif prev > 0 then reset = w - tdiff(t, start) end
  return {t = start, c = used, p = prev}, {allowed, remaining, reset, retry}
end

local function gcra(st, n)
  local tat = st.t
  if tcmp(tat, t) < 0 then tat = t end
  local nxt = tadd(tat, n * step)
  local allowAt = tsub(nxt, span)
  local allowed, retry, time = 0, 0, st.t
  if tcmp(t, allowAt) < 0 then
    retry = tdiff(allowAt, t)
  else
    allowed = 1
    tat = nxt
    time = nxt
  end
  local x = span - tdiff(tat, t)
  local remaining -- truncated toward zero, as Go's integer division
  if x >= 0 then remaining = idiv(x, step) else remaining = -idiv(-x, step) end
  return {t = time, c = 0, p = 0}, {allowed, remaining, tdiff(tat, t), retry}
end

local algs = {[0] = sliding, [1] = fixed, [2] = gcra}
local apply = algs[alg]

-- load, apply, store -------------------------------------------------------

local key = KEYS[1]
local h = redis.call('HMGET', key, 'a', 's', 'n', 'c', 'p')
local present = h[1] ~= false
local st = {t = {0, 0}, c = 0, p = 0}
if present and tonumber(h[1]) == alg then
  st = {t = {tonumber(h[2]), tonumber(h[3])}, c = tonumber(h[4]), p = tonumber(h[5])}
end

local new, res = apply(st, cost)
if cost == 0 then
  -- a read: the state as it is, and whether a request of cost 1 would pass
  local _, one = apply(st, 1)
  res[1], res[4] = one[1], one[4]
end

if res[3] <= 0 then
  if present then redis.call('DEL', key) end
else
  local f = '%.0f'
  redis.call('HSET', key, 'a', alg, 's', string.format(f, new.t[1]), 'n', string.format(f, new.t[2]),
    'c', string.format(f, new.c), 'p', string.format(f, new.p))
  redis.call('PEXPIRE', key, string.format(f, math.ceil(res[3] / 1000000) + tonumber(ARGV[10])))
end
return res
