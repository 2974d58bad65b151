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

/**
 * Lua: reads a quota counter `<period start>:<used>`; a counter of an earlier period reads as
 * `pstart`, 0 (a new period begins at zero). Returns period start, used.
 */
const READ_COUNTER = `
local function read_counter(key, pstart)
  local p = pstart
  local used = 0
  local c = redis.call('GET', key)
  if c then
    local sep = string.find(c, ':', 1, true)
    p = tonumber(string.sub(c, 1, sep - 1))
    used = tonumber(string.sub(c, sep + 1))
  end
  if pstart > p then
    return pstart, 0
  end
  return p, used
end
`

/**
 * One throttle decision: every bucket and the quota; consumes one token from each bucket and
 * counts the quota only when all admit. The arithmetic is the memory store's, line for line. A
 * bucket is a string `<micro-tokens>:<ms>` and a quota counter `<period start>:<used>`: one
 * command each to read and to write (with its expiry).
 *
 * KEYS: bucket 1..n, then (with a quota) the quota counter and the day's usage record.
 * ARGV: n, now (-1: the server's clock, `TIME`), idle grace ms, then per bucket capacity and
 * micro-tokens per ms, then (with a quota) limit, period start, ms to the period's end, usage
 * retention ms, day.
 * Returns: allowed (1/0), index of the first refusing bucket (-1), quota exceeded (1/0), quota
 * used, the time used (ms), then the micro-tokens left in each bucket.
 *
 * A missing bucket is a full one, so every bucket expires when it would be full again (plus a
 * grace): idle keys cost nothing and forgetting them changes no decision. A refusal writes
 * nothing (refilling is the same whenever it is computed).
 */
export const CONSUME = new Script(`${READ_COUNTER}
local n = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local grace = tonumber(ARGV[3])
local TOKEN = 1000000
local tokens = {}
local ats = {}
local allowed = 1
local bound = -1
for i = 1, n do
  local cap = tonumber(ARGV[2 + i * 2])
  local per = tonumber(ARGV[3 + i * 2])
  local s = redis.call('GET', KEYS[i])
  local t = cap
  local at = now
  if s then
    local sep = string.find(s, ':', 1, true)
    t = tonumber(string.sub(s, 1, sep - 1))
    at = tonumber(string.sub(s, sep + 1))
    if now > at then
      local missing = cap - t
      local elapsed = now - at
      if missing <= 0 or elapsed >= math.ceil(missing / per) then t = cap else t = t + elapsed * per end
      at = now
    end
  end
  tokens[i] = t
  ats[i] = at
  if t < TOKEN and bound == -1 then
    allowed = 0
    bound = i - 1
  end
end
local qexceeded = 0
local qused = 0
local q = 4 + n * 2
if KEYS[n + 1] then
  local limit = tonumber(ARGV[q])
  local p
  p, qused = read_counter(KEYS[n + 1], tonumber(ARGV[q + 1]))
  if allowed == 1 and limit >= 0 and qused >= limit then
    allowed = 0
    qexceeded = 1
  end
  if allowed == 1 then
    qused = qused + 1
    redis.call('SET', KEYS[n + 1], string.format('%.0f:%.0f', p, qused), 'PX', math.max(0, tonumber(ARGV[q + 2])) + 86400000)
    if redis.call('HINCRBY', KEYS[n + 2], 'u', 1) == 1 then redis.call('PEXPIRE', KEYS[n + 2], tonumber(ARGV[q + 3])) end
  end
end
local out = { allowed, bound, qexceeded, qused, now }
for i = 1, n do
  local t = tokens[i]
  if allowed == 1 then
    t = t - TOKEN
    local cap = tonumber(ARGV[2 + i * 2])
    local per = tonumber(ARGV[3 + i * 2])
    redis.call('SET', KEYS[i], string.format('%.0f:%.0f', t, ats[i]), 'PX', math.ceil((cap - t) / per) + grace)
  end
  out[5 + i] = t
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
export const REFUND = new Script(`
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
    local sep = string.find(c, ':', 1, true)
    local p = tonumber(string.sub(c, 1, sep - 1))
    local u = tonumber(string.sub(c, sep + 1))
    if p == tonumber(ARGV[n + 2]) and u > 0 then
      redis.call('SET', KEYS[n + 1], string.format('%.0f:%.0f', p, u - 1), 'PX', ttl)
      redis.call('HINCRBY', KEYS[n + 2], 'u', -1)
    end
  end
end
return 1
`)
