-- Are We Fast Yet's Storage (benchmarks/Lua/storage.lua and som.lua's Random, after the SOM
-- benchmarks; Francois Perrad's Lua port), made self-contained: the harness's inner loop runs
-- the benchmark N times and checks each result, then one line is printed. As in AWFY's Lua
-- version a leaf array is not pre-allocated: it records only its size n.
local band
if _VERSION < 'Lua 5.3' then
    band = (bit32 or require'bit').band
else
    band = assert(load'--[[band]] return function (a, b) return a & b end')()
end

local Random = {_CLASS = 'Random'} do

function Random.new ()
    local obj = {seed = 74755}
    return setmetatable(obj, {__index = Random})
end

function Random:next ()
  self.seed = band(((self.seed * 1309) + 13849), 65535);
  return self.seed;
end

end -- class Random

local storage = {} do

function storage:benchmark ()
    local random = Random.new()
    self.count = 0
    self:build_tree_depth(7, random)
    return self.count
end

function storage:build_tree_depth (depth, random)
    self.count = self.count + 1
    if depth == 1 then
        -- With Lua, an array cannot be pre-allocated.
        -- We just compute the size like in others languages.
        return {n = random:next() % 10 + 1}
    else
        local arr = {n = 4}
        for i = 1, 4 do
            arr[i] = self:build_tree_depth(depth - 1, random)
        end
        return arr
    end
end

end -- object storage

local N = tonumber(arg and arg[1]) or 300
local result
for _ = 1, N do
    result = storage:benchmark()
    if result ~= 5461 then error('Benchmark failed with incorrect result') end
end
print(("Storage: iterations=%d result=%s"):format(N, tostring(result)))
