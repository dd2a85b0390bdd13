/**
 * The store's two Lua scripts. Redis runs a script alone, so a read sees one version of a
 * tree and a commit's version check and writes happen as one step.
 *
 * Keys of a tree T under prefix P (the `{T}` hash tag keeps them in one slot):
 *   P{T}:t  hash: v (version token), tree (every field but the members, JSON), src (source ID)
 *   P{T}:m  hash: peer ID -> the member's JSON
 *   Ptrees  set of tree IDs
 *   Pheld:H set of "T peerID" for the members held by process H
 */

/**
 * KEYS: t, m. ARGV[1]: 'all' for every member, else '1' to add the source and '0' not to;
 * ARGV[2..]: member IDs. Reply: { version, tree JSON, [member JSON or nil per ID]..., [source JSON] }
 * or, for 'all', { version, tree JSON, { id, json, id, json... } }; { nil } if the tree is absent.
 */
export const READ_SCRIPT = `
local head = redis.call('HMGET', KEYS[1], 'v', 'tree', 'src')
if not head[1] then return { false } end
if ARGV[1] == 'all' then
  return { head[1], head[2], redis.call('HGETALL', KEYS[2]) }
end
local reply = { head[1], head[2] }
for i = 2, #ARGV do reply[#reply + 1] = redis.call('HGET', KEYS[2], ARGV[i]) end
if ARGV[1] == '1' then reply[#reply + 1] = redis.call('HGET', KEYS[2], head[3]) end
return reply
`

/**
 * KEYS: t, m, trees, held sets... ARGV: treeID, expected version ('' for an absent tree),
 * op ('put' or 'delete'), key prefix, then for 'put': new version, tree JSON, source ID,
 * the number of members written, then per member ID, JSON, old holder's key index, new
 * holder's key index (0: none), then per deleted member ID, old holder's key index.
 * Reply: 1 committed, 0 the version moved (nothing written).
 */
export const COMMIT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'v') or ''
if current ~= ARGV[2] then return 0 end
local tree = ARGV[1]
if ARGV[3] == 'delete' then
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local holder = cjson.decode(all[i + 1]).holder
    if type(holder) == 'string' then redis.call('SREM', ARGV[4] .. 'held:' .. holder, tree .. ' ' .. all[i]) end
  end
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SREM', KEYS[3], tree)
  return 1
end
redis.call('HSET', KEYS[1], 'v', ARGV[5], 'tree', ARGV[6], 'src', ARGV[7])
redis.call('SADD', KEYS[3], tree)
local puts = tonumber(ARGV[8])
local i = 9
for _ = 1, puts do
  local id, old, new = ARGV[i], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  redis.call('HSET', KEYS[2], id, ARGV[i + 1])
  if old ~= new then
    if old > 0 then redis.call('SREM', KEYS[old], tree .. ' ' .. id) end
    if new > 0 then redis.call('SADD', KEYS[new], tree .. ' ' .. id) end
  end
  i = i + 4
end
while i <= #ARGV do
  local id, old = ARGV[i], tonumber(ARGV[i + 1])
  redis.call('HDEL', KEYS[2], id)
  if old > 0 then redis.call('SREM', KEYS[old], tree .. ' ' .. id) end
  i = i + 2
end
return 1
`
