/**
 * The Lua scripts. Each runs atomically on the Redis server, so every process sees one sequence of
 * decisions. Numbers are integers below 2^53 (micro-tokens: at most 1e9 tokens × 1e6), exact in
 * Lua's doubles, and written back with `%.0f` (Lua's own tostring keeps only 14 digits).
 */
import { Script } from './client.js'

/**
 * Lua: removes a cache entry with its index records (index, sizes, byte count). Returns the byte
 * count left and whether the entry existed (1/0).
 */
const DROP_ENTRY = `
local function drop_entry(k, index, sizes, count)
  local bytes = redis.call('DECRBY', count, tonumber(redis.call('HGET', sizes, k) or '0'))
  redis.call('HDEL', sizes, k)
  redis.call('ZREM', index, k)
  return bytes, redis.call('DEL', k)
end
`

/** Lua: the two numbers of a stored pair `<a>:<b>` (a bucket's micro-tokens and time, a counter's period start and count). */
const PARSE_PAIR = `
local function parse_pair(s)
  local sep = string.find(s, ':', 1, true)
  return tonumber(string.sub(s, 1, sep - 1)), tonumber(string.sub(s, sep + 1))
end
`

/**
 * Lua: reads a quota counter `<period start>:<used>`; a counter of an earlier period reads as
 * `pstart`, 0 (a new period begins at zero). Returns period start, used.
 */
const READ_COUNTER = `${PARSE_PAIR}
local function read_counter(key, pstart)
  local c = redis.call('GET', key)
  if not c then return pstart, 0 end
  local p, used = parse_pair(c)
  if pstart > p then return pstart, 0 end
  return p, used
end
`

/**
 * Throttle decisions, one or many in one call (a batch: the decisions of several requests that
 * arrived together), taken in order as if each were its own call: every bucket and the quota,
 * consuming one token from each bucket and counting the quota only when all admit. The arithmetic
 * is the memory store's, line for line. A bucket is a string `<micro-tokens>:<ms>` and a quota
 * counter `<period start>:<used>`. Every key is read once (one `MGET` for the batch) and written
 * once, with the state after the last decision (an account bucket several decisions share, too).
 *
 * KEYS: per decision, bucket 1..n, then (with a quota) the quota counter and the day's usage record.
 * ARGV: the number of decisions, idle grace ms, then per decision: n, quota (1/0), now (-1: the
 * server's clock, `TIME`), per bucket capacity and micro-tokens per ms, then (with a quota) limit,
 * period start, ms to the period's end, usage retention ms.
 * Returns, per decision: allowed (1/0), index of the first refusing bucket (-1), quota exceeded
 * (1/0), quota used, the time used (ms), then the micro-tokens left in each bucket.
 *
 * A missing bucket is a full one, so every bucket expires when it would be full again (plus a
 * grace): idle keys cost nothing and forgetting them changes no decision. A refusal writes
 * nothing (refilling is the same whenever it is computed).
 */
export const CONSUME = new Script(`${PARSE_PAIR}
local grace = tonumber(ARGV[2])
local TOKEN = 1000000
local server = nil
local bt, bat, bttl = {}, {}, {}
local qp, qu, qttl = {}, {}, {}
local days = {}
local out = {}
local count = tonumber(ARGV[1])
-- one MGET for every bucket and quota counter the batch reads
local raw = {}
local want = {}
local a = 3
local k = 1
for _ = 1, count do
  local n = tonumber(ARGV[a])
  local hasq = ARGV[a + 1] == '1'
  for i = k, k + n - (hasq and 0 or 1) do
    local key = KEYS[i]
    if raw[key] == nil then
      raw[key] = false
      want[#want + 1] = key
    end
  end
  if hasq then
    k = k + n + 2
    a = a + 3 + n * 2 + 4
  else
    k = k + n
    a = a + 3 + n * 2
  end
end
local got = redis.call('MGET', unpack(want))
for i = 1, #want do raw[want[i]] = got[i] end
local o = 0
a = 3
k = 1
for _ = 1, count do
  local n = tonumber(ARGV[a])
  local hasq = ARGV[a + 1] == '1'
  local now = tonumber(ARGV[a + 2])
  if now < 0 then
    if server == nil then
      local t = redis.call('TIME')
      server = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end
    now = server
  end
  a = a + 3
  local allowed = 1
  local bound = -1
  local tok = {}
  for i = 1, n do
    local key = KEYS[k + i - 1]
    local cap = tonumber(ARGV[a + i * 2 - 2])
    local per = tonumber(ARGV[a + i * 2 - 1])
    local t = bt[key]
    local at = bat[key]
    if t == nil then
      t = cap
      at = now
      local s = raw[key]
      if s then t, at = parse_pair(s) end
    end
    if now > at then
      local missing = cap - t
      local elapsed = now - at
      if missing <= 0 or elapsed >= math.ceil(missing / per) then t = cap else t = t + elapsed * per end
      at = now
    end
    bt[key] = t
    bat[key] = at
    tok[i] = t
    if t < TOKEN and bound == -1 then
      allowed = 0
      bound = i - 1
    end
  end
  local qexceeded = 0
  local qused = 0
  if hasq then
    local qa = a + n * 2
    local qk = KEYS[k + n]
    local limit = tonumber(ARGV[qa])
    local pstart = tonumber(ARGV[qa + 1])
    local p = qp[qk]
    if p == nil then
      p = pstart
      local c = raw[qk]
      if c then p, qused = parse_pair(c) end
    else
      qused = qu[qk]
    end
    if pstart > p then
      p = pstart
      qused = 0
    end
    if allowed == 1 and limit >= 0 and qused >= limit then
      allowed = 0
      qexceeded = 1
    end
    if allowed == 1 then
      qused = qused + 1
      qttl[qk] = math.max(0, tonumber(ARGV[qa + 2])) + 86400000
      local dk = KEYS[k + n + 1]
      local dd = days[dk]
      if dd == nil then days[dk] = { 1, tonumber(ARGV[qa + 3]) } else dd[1] = dd[1] + 1 end
    end
    qp[qk] = p
    qu[qk] = qused
  end
  out[o + 1] = allowed
  out[o + 2] = bound
  out[o + 3] = qexceeded
  out[o + 4] = qused
  out[o + 5] = now
  o = o + 5
  for i = 1, n do
    local key = KEYS[k + i - 1]
    local t = tok[i]
    if allowed == 1 then
      t = t - TOKEN
      bt[key] = t
      bttl[key] = math.ceil((tonumber(ARGV[a + i * 2 - 2]) - t) / tonumber(ARGV[a + i * 2 - 1])) + grace
    end
    o = o + 1
    out[o] = t
  end
  if hasq then
    k = k + n + 2
    a = a + n * 2 + 4
  else
    k = k + n
    a = a + n * 2
  end
end
for key, ttl in pairs(bttl) do
  redis.call('SET', key, string.format('%.0f:%.0f', bt[key], bat[key]), 'PX', ttl)
end
for key, ttl in pairs(qttl) do
  redis.call('SET', key, string.format('%.0f:%.0f', qp[key], qu[key]), 'PX', ttl)
end
for key, d in pairs(days) do
  if redis.call('HINCRBY', key, 'u', d[1]) == d[1] then redis.call('PEXPIRE', key, d[2]) end
end
return out
`)

/**
 * UpdateUsage: sets the count of the current period and records the change as the day's
 * adjustment. KEYS: counter, day record. ARGV: period start, used, ms to the period's end,
 * retention ms.
 */
export const SET_USED = new Script(`${READ_COUNTER}
local used = tonumber(ARGV[2])
local p, old = read_counter(KEYS[1], tonumber(ARGV[1]))
redis.call('HINCRBY', KEYS[2], 'a', used - old)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('SET', KEYS[1], string.format('%.0f:%.0f', p, used), 'PX', math.max(0, tonumber(ARGV[3])) + 86400000)
return 1
`)

/**
 * Stores a cache entry within the byte cap. KEYS: entry, index (sorted by expiry), sizes, byte
 * count. ARGV: value, path, resource path, ttl ms, expires-at (for the index), size, max bytes,
 * now. Expired entries leave the index first, then the soonest to expire until the cap holds.
 */
export const CACHE_SET = new Script(`${DROP_ENTRY}
local size = tonumber(ARGV[6])
local max = tonumber(ARGV[7])
local now = tonumber(ARGV[8])
if size > max then return 0 end
local old = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('ZADD', KEYS[2], tonumber(ARGV[5]), KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
local bytes = redis.call('INCRBY', KEYS[4], size - old)
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, k in ipairs(gone) do
  if k ~= KEYS[1] then
    bytes = drop_entry(k, KEYS[2], KEYS[3], KEYS[4])
  end
end
while bytes > max do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)
  local k = first[1]
  if not k then break end
  bytes = drop_entry(k, KEYS[2], KEYS[3], KEYS[4])
end
return 1
`)

/**
 * Removes cache entries: all (ARGV[1] = ''), or those whose path or resource path starts with
 * ARGV[2] (ARGV[1] = 'prefix') or equals it (ARGV[1] = 'exact'). KEYS: index, sizes, byte count.
 * Returns how many live entries were removed.
 */
export const CACHE_FLUSH = new Script(`${DROP_ENTRY}
local mode = ARGV[1]
local p = ARGV[2]
local n = 0
local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, k in ipairs(keys) do
  local match = true
  local e = redis.call('HMGET', k, 'p', 'r')
  if mode ~= '' then
    local path = e[1] or ''
    local res = e[2] or ''
    if mode == 'exact' then
      match = path == p or res == p
    else
      match = string.sub(path, 1, #p) == p or string.sub(res, 1, #p) == p
    end
    if not e[1] then match = true end
  end
  if match then
    if e[1] then n = n + 1 end
    drop_entry(k, KEYS[1], KEYS[2], KEYS[3])
  end
end
return n
`)

/** Deletes a cache entry and its index records. KEYS: entry, index, sizes, byte count. */
export const CACHE_DELETE = new Script(`${DROP_ENTRY}
local _, deleted = drop_entry(KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return deleted
`)

/**
 * Gives back what a `CONSUME` took, when another slot's script refused the same request (Redis
 * Cluster with per-identity slots): one token to each bucket (at most its capacity) and one count
 * to the quota of the same period. KEYS: buckets 1..n, then optionally the quota counter and the
 * day record. ARGV: n, each bucket's capacity, then the quota's period start.
 */
export const REFUND = new Script(`${PARSE_PAIR}
local n = tonumber(ARGV[1])
for i = 1, n do
  local s = redis.call('GET', KEYS[i])
  local ttl = redis.call('PTTL', KEYS[i])
  if s and ttl > 0 then
    local sep = string.find(s, ':', 1, true)
    local t = tonumber(string.sub(s, 1, sep - 1)) + 1000000
    local cap = tonumber(ARGV[1 + i])
    if t > cap then t = cap end
    redis.call('SET', KEYS[i], string.format('%.0f', t) .. string.sub(s, sep), 'PX', ttl)
  end
end
if KEYS[n + 1] then
  local c = redis.call('GET', KEYS[n + 1])
  local ttl = redis.call('PTTL', KEYS[n + 1])
  if c and ttl > 0 then
    local p, u = parse_pair(c)
    if p == tonumber(ARGV[n + 2]) and u > 0 then
      redis.call('SET', KEYS[n + 1], string.format('%.0f:%.0f', p, u - 1), 'PX', ttl)
      redis.call('HINCRBY', KEYS[n + 2], 'u', -1)
    end
  end
end
return 1
`)
