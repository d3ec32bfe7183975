/**
 * The Lua scripts that make every cluster decision atomic in Redis. Each runs as one unit, so two
 * nodes can never both win an id, a frame is either published once or queued once, and an expired
 * queue entry yields its EXPIRE notice to exactly one node.
 *
 * Key layout (P = key prefix, see keys.ts):
 * - `P peer:<id>`    hash {t: SHA-256 of the token (hex), n: node id, c: connection id}, PX lapse
 * - `P q:<id>`       list of queued entries `<ms>\n<src>\n<frame>` (oldest first)
 * - `P qm:<id>`      hash {b: frame bytes of the queue, told:<src>: 1 for senders told on refusal}
 * - `P qidx`         sorted set: id → time of its oldest queued entry (what expiry scans)
 * - `P qbytes`, `P qframes`  cluster-wide totals (bytes include the per-queue overhead)
 * - `P alive:<node>` the node's local peer count, PX lapse (the node's liveness)
 * - `P nodes`        sorted set: node → time of its last heartbeat
 * - channel `P node:<node>` what the node's one subscriber connection listens to
 *
 * Data that is not in this shape (a wrong type, a missing field, an entry without separators) is
 * treated as absent and removed, never as an error: a bad write by someone else must not stop a node.
 *
 * Keys are built inside the scripts, which a standalone Redis (or a Sentinel-managed primary)
 * allows; Redis Cluster does not, and is not supported.
 *
 * Published payloads (parsed by payload.ts):
 * - `B\n` then per frame `<dst>\n<conn>\n<src>\n<queueable 0|1>\n<hops>\n<bytes>\n<frame>`:
 *   frames for connections of the node (a frame may contain newlines; its byte length delimits it);
 * - `K\n<id>\n<conn>` the connection was replaced by a newer one on another node: close it.
 */

/** Shared helpers, prepended to every script. */
const LIB = `
local P = ARGV[1]
-- tonumber accepts 'nan' and 'inf' (strtod): a counter or time must be a plain finite number.
local function finite(v)
  if v and v == v and v > -1e15 and v < 1e15 then return v end
  return nil
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- The peer record if well-formed (node, conn, token hash); a malformed one is deleted.
local function peer(key)
  local ty = redis.call('TYPE', key).ok
  if ty == 'none' then return nil end
  if ty == 'hash' then
    local r = redis.call('HMGET', key, 't', 'n', 'c')
    if r[1] and r[2] and r[3] then return r end
  end
  redis.call('DEL', key)
  return nil
end
-- Length of a queue list; a malformed queue (wrong type) is dropped with its meta.
local function qlen(q, meta, id)
  local ty = redis.call('TYPE', q).ok
  if ty == 'list' then return redis.call('LLEN', q) end
  if ty ~= 'none' then redis.call('DEL', q) end
  if redis.call('TYPE', meta).ok ~= 'hash' then redis.call('DEL', meta) end
  return 0
end
local function qbytes(meta)
  if redis.call('TYPE', meta).ok ~= 'hash' then
    redis.call('DEL', meta)
    return 0
  end
  return finite(tonumber(redis.call('HGET', meta, 'b') or '0')) or 0
end
local function num(key)
  local ty = redis.call('TYPE', key).ok
  if ty == 'string' then
    local v = finite(tonumber(redis.call('GET', key)))
    if v then return v end
  end
  if ty ~= 'none' then redis.call('DEL', key) end
  return 0
end
local function adjust(key, delta)
  local v = num(key) + delta
  if v < 0 then v = 0 end
  redis.call('SET', key, v)
end
-- Splits an entry into (at, src, frame); nil when malformed.
local function entry(s)
  local a = string.find(s, '\\n', 1, true)
  if not a then return nil end
  local b = string.find(s, '\\n', a + 1, true)
  if not b then return nil end
  local at = finite(tonumber(string.sub(s, 1, a - 1)))
  if not at then return nil end
  return at, string.sub(s, a + 1, b - 1), string.sub(s, b + 1)
end
-- Removes the whole queue of id and returns its frames, oldest first.
local function take(id, overhead)
  local q = P .. 'q:' .. id
  local meta = P .. 'qm:' .. id
  local n = qlen(q, meta, id)
  local out = {}
  if n == 0 then
    redis.call('DEL', meta)
    redis.call('ZREM', P .. 'qidx', id)
    return out
  end
  local items = redis.call('LRANGE', q, 0, -1)
  local b = qbytes(meta)
  for _, s in ipairs(items) do
    local _at, _src, frame = entry(s)
    if frame then out[#out + 1] = frame end
  end
  redis.call('DEL', q, meta)
  redis.call('ZREM', P .. 'qidx', id)
  adjust(P .. 'qbytes', -(b + overhead))
  adjust(P .. 'qframes', -#items)
  return out
end
`;

/**
 * CLAIM: ARGV = P, id, token hash, node, conn, lapse ms, overhead, mode.
 * mode 'claim': a new socket asks for the id. Another token → {'taken'}. Otherwise the record
 * becomes ours; a previous holder on another node is told to close (K); the id's queue is taken.
 * Returns {'registered'|'reattached', previous node, previous conn, frames...}.
 * mode 'reassert': a node re-asserts a registration it holds (after Redis came back or lost the
 * record). If the record now belongs to another connection → {'lost'}; else as 'claim'.
 */
export const CLAIM_SCRIPT = `${LIB}
local id, th, node, conn = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local lapse, overhead, mode = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local key = P .. 'peer:' .. id
local r = peer(key)
local pn, pc = '', ''
if r then
  if mode == 'reassert' then
    if r[2] ~= node or r[3] ~= conn then return {'lost'} end
  elseif r[1] ~= th then
    return {'taken'}
  end
  pn, pc = r[2], r[3]
end
redis.call('HSET', key, 't', th, 'n', node, 'c', conn)
redis.call('PEXPIRE', key, lapse)
if pn ~= '' and pn ~= node then
  redis.call('PUBLISH', P .. 'node:' .. pn, 'K\\n' .. id .. '\\n' .. pc)
end
local res = {r and 'reattached' or 'registered', pn, pc}
for _, f in ipairs(take(id, overhead)) do res[#res + 1] = f end
return res
`;

/**
 * RELEASE: ARGV = P, id, node, conn. Deletes the record only if it is still this connection's
 * (a replaced socket closing late must not unregister its successor). Returns 1 if deleted.
 */
export const RELEASE_SCRIPT = `${LIB}
local key = P .. 'peer:' .. ARGV[2]
local r = peer(key)
if r and r[2] == ARGV[3] and r[3] == ARGV[4] then
  redis.call('DEL', key)
  return 1
end
return 0
`;

/**
 * ROUTE: ARGV = P, max msgs, max bytes, max total, overhead, then one 5-tuple per frame (src, dst,
 * queueable 0|1, frame, hops), in the order the frames were sent. Answers one outcome per frame.
 * Frames for registered ids are published, one PUBLISH per destination node carrying all of that
 * node's frames of this batch ('delivered'). When no subscriber received a node's batch, that node
 * is gone: the records of its ids are dropped at once and their frames treated as offline. Offline:
 * LEAVE/EXPIRE are dropped, others queued within the bounds ('queued'), else 'refused' (first time
 * per sender and queue) or 'refused-again'.
 */
export const ROUTE_SCRIPT = `${LIB}
local maxMsgs, maxBytes, maxTotal = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local overhead = tonumber(ARGV[5])
local function enqueue(src, dst, frame)
  local q = P .. 'q:' .. dst
  local meta = P .. 'qm:' .. dst
  local len = qlen(q, meta, dst)
  local qb = 0
  if len > 0 then qb = qbytes(meta) end
  local total = num(P .. 'qbytes')
  local bytes = #frame
  local newcost = 0
  if len == 0 then newcost = overhead end
  if len < maxMsgs and qb + bytes <= maxBytes and total + bytes + newcost <= maxTotal then
    local now = now_ms()
    if len == 0 then
      redis.call('DEL', meta)
      redis.call('ZADD', P .. 'qidx', now, dst)
    end
    redis.call('RPUSH', q, now .. '\\n' .. src .. '\\n' .. frame)
    redis.call('HINCRBY', meta, 'b', bytes)
    adjust(P .. 'qbytes', bytes + newcost)
    adjust(P .. 'qframes', 1)
    return 'queued'
  end
  if len == 0 then return 'refused' end
  if redis.call('HSETNX', meta, 'told:' .. src, '1') == 1 then return 'refused' end
  return 'refused-again'
end
local out, where, batches, order = {}, {}, {}, {}
local count = math.floor((#ARGV - 5) / 5)
for i = 1, count do
  local base = 5 + (i - 1) * 5
  local src, dst, queueable, frame, hops = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4], ARGV[base + 5]
  local w = where[dst]
  if w == nil then
    local r = peer(P .. 'peer:' .. dst)
    if r then w = {r[2], r[3]} else w = false end
    where[dst] = w
  end
  if w then
    local b = batches[w[1]]
    if not b then
      b = {recs = {}, idx = {}}
      batches[w[1]] = b
      order[#order + 1] = w[1]
    end
    b.recs[#b.recs + 1] = dst .. '\\n' .. w[2] .. '\\n' .. src .. '\\n' .. queueable .. '\\n' .. hops .. '\\n' .. #frame .. '\\n' .. frame
    b.idx[#b.idx + 1] = i
    out[i] = 'delivered'
  elseif queueable == '1' then
    out[i] = enqueue(src, dst, frame)
  else
    out[i] = 'dropped'
  end
end
for _, node in ipairs(order) do
  local b = batches[node]
  if redis.call('PUBLISH', P .. 'node:' .. node, 'B\\n' .. table.concat(b.recs)) == 0 then
    for _, i in ipairs(b.idx) do
      local base = 5 + (i - 1) * 5
      local src, dst, queueable, frame = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
      redis.call('DEL', P .. 'peer:' .. dst)
      if queueable == '1' then out[i] = enqueue(src, dst, frame) else out[i] = 'dropped' end
    end
  end
end
return out
`;

/**
 * EXPIRE: ARGV = P, expire timeout ms, overhead, max queues per run. For each queue whose oldest
 * entry is due: every sender whose oldest entry reached the timeout loses all its entries, and is
 * owed one EXPIRE unless told on refusal. Returns a flat list {offline, sender, offline, sender...}.
 */
export const EXPIRE_SCRIPT = `${LIB}
local timeout, overhead, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cutoff = now_ms() - timeout
local out = {}
local due = redis.call('ZRANGEBYSCORE', P .. 'qidx', '-inf', cutoff, 'LIMIT', 0, limit)
for _, dst in ipairs(due) do
  local q = P .. 'q:' .. dst
  local meta = P .. 'qm:' .. dst
  local n = qlen(q, meta, dst)
  local items = {}
  if n > 0 then items = redis.call('LRANGE', q, 0, -1) end
  local seen, stale, order = {}, {}, {}
  for _, s in ipairs(items) do
    local at, src = entry(s)
    if at and not seen[src] then
      seen[src] = true
      if at <= cutoff then
        stale[src] = true
        order[#order + 1] = src
      end
    end
  end
  local kept, dropped, droppedBytes, firstAt = {}, 0, 0, nil
  for _, s in ipairs(items) do
    local at, src, frame = entry(s)
    if at and not stale[src] then
      kept[#kept + 1] = s
      if not firstAt then firstAt = at end
    else
      dropped = dropped + 1
      if frame then droppedBytes = droppedBytes + #frame end
    end
  end
  for _, sender in ipairs(order) do
    local told = false
    if redis.call('TYPE', meta).ok == 'hash' then told = redis.call('HEXISTS', meta, 'told:' .. sender) == 1 end
    if not told then
      out[#out + 1] = dst
      out[#out + 1] = sender
    end
  end
  adjust(P .. 'qframes', -dropped)
  if #kept == 0 then
    local b = 0
    if n > 0 then b = qbytes(meta) end
    redis.call('DEL', q, meta)
    redis.call('ZREM', P .. 'qidx', dst)
    if n > 0 then adjust(P .. 'qbytes', -(b + overhead)) end
  else
    redis.call('DEL', q)
    -- In slices: unpack() of a long list would exceed Lua's stack (--queue-messages may be large).
    for j = 1, #kept, 500 do
      redis.call('RPUSH', q, unpack(kept, j, math.min(j + 499, #kept)))
    end
    redis.call('HINCRBY', meta, 'b', -droppedBytes)
    adjust(P .. 'qbytes', -droppedBytes)
    redis.call('ZADD', P .. 'qidx', firstAt, dst)
  end
end
return out
`;

/**
 * REFRESH: ARGV = P, node, lapse ms, overhead, then triples (id, token hash, conn) of this node's
 * live registrations. Extends each record that is still ours; re-creates (and takes the queue of)
 * each that lapsed or was lost with a Redis restart; reports each now held by another connection.
 * Returns {lost ids, {id, frames...}...}: lost first, then ids that had queued frames.
 */
export const REFRESH_SCRIPT = `${LIB}
local node, lapse, overhead = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local lost, found = {}, {}
for i = 5, #ARGV - 2, 3 do
  local id, th, conn = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = P .. 'peer:' .. id
  local r = peer(key)
  if r and (r[2] ~= node or r[3] ~= conn) then
    lost[#lost + 1] = id
  elseif r then
    redis.call('PEXPIRE', key, lapse)
  else
    redis.call('HSET', key, 't', th, 'n', node, 'c', conn)
    redis.call('PEXPIRE', key, lapse)
    local frames = take(id, overhead)
    if #frames > 0 then
      table.insert(frames, 1, id)
      found[#found + 1] = frames
    end
  end
end
local res = {lost}
for _, f in ipairs(found) do res[#res + 1] = f end
return res
`;

/**
 * HEARTBEAT: ARGV = P, node, lapse ms, local peer count. Marks the node alive and answers the
 * cluster figures {live nodes, peers on live nodes, queued frames, queued bytes}.
 */
export const HEARTBEAT_SCRIPT = `${LIB}
local node, lapse, count = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()
redis.call('SET', P .. 'alive:' .. node, count, 'PX', lapse)
if redis.call('TYPE', P .. 'nodes').ok ~= 'zset' and redis.call('TYPE', P .. 'nodes').ok ~= 'none' then
  redis.call('DEL', P .. 'nodes')
end
redis.call('ZADD', P .. 'nodes', now, node)
redis.call('ZREMRANGEBYSCORE', P .. 'nodes', '-inf', now - lapse)
local nodes = redis.call('ZRANGE', P .. 'nodes', 0, -1)
local live, peers = 0, 0
for _, n in ipairs(nodes) do
  local c = num(P .. 'alive:' .. n)
  if redis.call('EXISTS', P .. 'alive:' .. n) == 1 then
    live = live + 1
    peers = peers + c
  end
end
return {live, peers, num(P .. 'qframes'), num(P .. 'qbytes'), redis.call('ZCARD', P .. 'qidx')}
`;

/** LEAVE: ARGV = P, node. Removes a node's liveness on shutdown so it stops counting at once. */
export const LEAVE_SCRIPT = `${LIB}
redis.call('DEL', P .. 'alive:' .. ARGV[2])
redis.call('ZREM', P .. 'nodes', ARGV[2])
return 1
`;
