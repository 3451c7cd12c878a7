-- The sandbox and the `redis` API of hematite's Lua engine (Redis 7.0's).
--
-- Run once when the engine starts, with a table of primitives written in
-- Rust (`prims`). It returns the pieces the Rust side keeps: the runners
-- and the environment switches. Everything here is compiled under the
-- chunk name "=redis"; the error handler skips frames from this chunk so
-- that an error raised by, say, redis.call is reported at the script's
-- line, as Redis reports it.
--
-- Redis makes the globals and every library table read-only with a patch
-- to the Lua VM. Stock Lua 5.1 has no such flag, so the same visible
-- behaviour is built from metatables: scripts see proxy tables whose
-- __newindex raises "Attempt to modify a readonly table" and whose __index
-- falls through to the real tables; reading a missing global raises
-- "Script attempted to access nonexistent global variable".

local prims = ...
local G = _G
local dbg = debug
local type, error, tostring, tonumber, select = type, error, tostring, tonumber, select
local rawget, rawset, setmetatable, setfenv = rawget, rawset, setmetatable, setfenv
local orig_pcall, orig_xpcall, floor = pcall, xpcall, math.floor
local orig_loadstring, orig_load = loadstring, load
local cwrap = prims.cwrap

-- Globals Redis never exposes.
G.debug = nil
G.print = nil
G.dofile = nil
G.loadfile = nil
G.module = nil
G.require = nil
G.package = nil
G.newproxy = nil
G.setfenv = nil
G.getfenv = nil
G.io = nil
G.os = nil

local protected = setmetatable({}, { __mode = 'k' })

local function readonly()
  error('Attempt to modify a readonly table', 2)
end

local function protect(t)
  local p = {}
  protected[p] = true
  setmetatable(p, { __index = t, __newindex = readonly, __metatable = {} })
  return p
end

local function missing_global(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end

-- Redis's error table: "-CODE msg" or "msg" (code ERR), trimmed of CR/LF.
local function error_table(e)
  local code, msg
  if e:sub(1, 1) == '-' then
    local sp = e:find(' ', 1, true)
    if sp then
      code, msg = e:sub(2, sp - 1), e:sub(sp + 1)
    else
      code, msg = 'ERR', e:sub(2)
    end
  else
    code, msg = 'ERR', e
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return { err = code .. ' ' .. msg }
end

local function raise(msg)
  error(error_table(msg))
end

local function trunc(n)
  if n >= 0 then return floor(n) end
  return -floor(-n)
end

-- The error handler of every script and function call: turns the error
-- into Redis's {err=, source=, line=} table.
local function handler(err)
  local level, info = 2, nil
  while true do
    info = dbg.getinfo(level, 'Sl')
    if not info then break end
    if info.what ~= 'C' and info.what ~= 'tail' and info.source ~= '=redis' then break end
    level = level + 1
  end
  local abort = prims.killed()
  if abort then
    err = { err = abort }
  elseif type(err) ~= 'table' then
    err = { err = 'ERR ' .. tostring(err) }
  end
  if info then
    err.source = info.source
    err.line = info.currentline
  end
  return err
end

---------------------------------------------------------------------------
-- The redis table.

local redis = {}

redis.call = function(...)
  local r, failed = prims.call(...)
  if failed then error(r) end
  return r
end

redis.pcall = function(...)
  local r, failed = prims.call(...)
  if failed == 2 then error(r) end
  return r
end

redis.sha1hex = function(...)
  if select('#', ...) ~= 1 then raise('wrong number of arguments') end
  return prims.sha1hex((...))
end

redis.error_reply = function(...)
  local e = ...
  if select('#', ...) ~= 1 or type(e) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  if e:sub(1, 1) ~= '-' then e = '-' .. e end
  return error_table(e)
end

redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  return { ok = s }
end

local function log(...)
  local n = select('#', ...)
  if n < 2 then raise('redis.log() requires two arguments or more.') end
  local level = tonumber((...))
  if not level then raise('First argument must be a number (log level).') end
  level = trunc(level)
  if level < 0 or level > 3 then raise('Invalid debug level.') end
  local parts = {}
  for j = 2, n do
    local v = select(j, ...)
    local t = type(v)
    if t == 'string' or t == 'number' then parts[#parts + 1] = tostring(v) end
  end
  prims.log(level, table.concat(parts, ' '))
end
redis.log = log
redis.LOG_DEBUG = 0
redis.LOG_VERBOSE = 1
redis.LOG_NOTICE = 2
redis.LOG_WARNING = 3

redis.setresp = function(...)
  if select('#', ...) ~= 1 then raise('redis.setresp() requires one argument.') end
  local r = trunc(tonumber((...)) or 0)
  if r ~= 2 and r ~= 3 then raise('RESP version must be 2 or 3.') end
  prims.setresp(r)
end

redis.set_repl = function(...)
  if select('#', ...) ~= 1 then raise('redis.set_repl() requires two arguments.') end
  local f = trunc(tonumber((...)) or 0)
  if f < 0 or f > 3 then
    raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  end
end
redis.replicate_commands = function() return true end
redis.REPL_NONE = 0
redis.REPL_AOF = 1
redis.REPL_SLAVE = 2
redis.REPL_REPLICA = 2
redis.REPL_ALL = 3

redis.acl_check_cmd = function(...)
  local r, failed = prims.acl_check(...)
  if failed then error(r) end
  return r
end

redis.breakpoint = function() return false end
redis.debug = function() end
redis.REDIS_VERSION = prims.version
redis.REDIS_VERSION_NUM = prims.version_num

---------------------------------------------------------------------------
-- Libraries.

local math_random = function(...)
  local r = prims.rand()
  local n = select('#', ...)
  if n == 0 then return r end
  local a, b = ...
  if n == 1 then
    local u = tonumber(a)
    if not u then error("bad argument #1 to 'random' (number expected, got " .. type(a) .. ")", 3) end
    u = trunc(u)
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 3) end
    return floor(r * u) + 1
  elseif n == 2 then
    local l, u = tonumber(a), tonumber(b)
    if not l then error("bad argument #1 to 'random' (number expected, got " .. type(a) .. ")", 3) end
    if not u then error("bad argument #2 to 'random' (number expected, got " .. type(b) .. ")", 3) end
    l, u = trunc(l), trunc(u)
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 3) end
    return floor(r * (u - l + 1)) + l
  end
  error('wrong number of arguments', 3)
end
math.random = cwrap(math_random)
math.randomseed = cwrap(function(s)
  local n = tonumber(s)
  if not n then error("bad argument #1 to 'randomseed' (number expected, got " .. type(s) .. ")", 3) end
  prims.srand(trunc(n))
end)

-- Libraries written in Rust (cjson, cmsgpack, bit, struct) report errors
-- as (nil, message) pairs; these wrappers raise them at the caller's line
-- as the C libraries' luaL_error does.
local LIBERR = prims.liberr
local unpack = unpack
local function pack_n(...) return { n = select('#', ...), ... } end
local function wrap_lib(t)
  local out = {}
  for k, v in pairs(t) do
    if type(v) == 'function' then
      out[k] = cwrap(function(...)
        local r = pack_n(v(...))
        if r[1] == LIBERR then error(r[2], 3) end
        return unpack(r, 1, r.n)
      end)
    else
      out[k] = v
    end
  end
  return out
end

local libs = prims.libs
G.cjson = protect(wrap_lib(libs.cjson))
G.cmsgpack = protect(wrap_lib(libs.cmsgpack))
G.bit = protect(wrap_lib(libs.bit))
G.struct = protect(wrap_lib(libs.struct))

-- Redis's pcall returns the message of an error table, not the table.
-- A killed script must not survive by catching the error: pcall and
-- xpcall re-raise it.
local function fix_pcall(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if prims.killed() then error(e, 0) end
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then return false, m end
  end
  return false, e
end
G.pcall = cwrap(function(...) return fix_pcall(orig_pcall(...)) end)
local function fix_xpcall(ok, ...)
  if not ok and prims.killed() then error((...), 0) end
  return ok, ...
end
G.xpcall = cwrap(function(f, h) return fix_xpcall(orig_xpcall(f, h)) end)

G.rawset = cwrap(function(t, k, v)
  if protected[t] then error('Attempt to modify a readonly table', 0) end
  return rawset(t, k, v)
end)

-- The environment of every script and function.
local genv = {}
local gmeta = { __index = G, __newindex = readonly, __metatable = {} }
setmetatable(genv, gmeta)
protected[genv] = true

-- Chunks made by loadstring/load get the script environment too.
G.loadstring = function(...)
  local f, e = orig_loadstring(...)
  if f then setfenv(f, genv) end
  return f, e
end
G.load = function(...)
  local f, e = orig_load(...)
  if f then setfenv(f, genv) end
  return f, e
end

for k, v in pairs(redis) do
  if type(v) == 'function' then redis[k] = cwrap(v) end
end
G.redis = protect(redis)
G.string = protect(string)
G.math = protect(math)
G.table = protect(table)
G.coroutine = protect(coroutine)
G._G = genv
setmetatable(G, { __index = missing_global, __newindex = readonly, __metatable = {} })

-- What FUNCTION LOAD code sees: only the library API.
local lib_redis = {
  register_function = cwrap(function(...)
    local r, failed = prims.register_function(...)
    if failed then error(r) end
  end),
  log = cwrap(log),
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REDIS_VERSION = prims.version,
  REDIS_VERSION_NUM = prims.version_num,
}
setmetatable(lib_redis, { __index = missing_global })
local lib_api = setmetatable({ redis = protect(lib_redis) },
  { __index = missing_global, __newindex = readonly, __metatable = {} })

local M = {}

M.env = genv

-- Runs an EVAL body with KEYS and ARGV set.
function M.run_eval(f, keys, args)
  rawset(G, 'KEYS', keys)
  rawset(G, 'ARGV', args)
  return orig_xpcall(f, handler)
end

-- Runs a function's callback with its keys and args tables.
function M.run_function(f, keys, args)
  rawset(G, 'KEYS', nil)
  rawset(G, 'ARGV', nil)
  return orig_xpcall(function() return f(keys, args) end, handler)
end

-- Runs library code in the library-API environment.
function M.run_load(f)
  gmeta.__index = lib_api
  local ok, err = orig_xpcall(f, handler)
  gmeta.__index = G
  return ok, err
end

return M
