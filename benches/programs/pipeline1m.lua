-- The lazy pipeline of pipeline1m.cairn with closures, as a Lua iterator library would write
-- it: every stage is a function taking an iterator closure (and a callback) and returning a
-- new iterator closure; nil ends a sequence; take pulls exactly n items, never one more.
local function range(a, b)
  local i = a - 1
  return function()
    i = i + 1
    if i < b then return i end
    return nil
  end
end

local function map(it, f)
  return function()
    local x = it()
    if x == nil then return nil end
    return f(x)
  end
end

local function filter(it, p)
  return function()
    while true do
      local x = it()
      if x == nil then return nil end
      if p(x) then return x end
    end
  end
end

local function take(it, n)
  local taken = 0
  return function()
    if taken >= n then return nil end
    taken = taken + 1
    return it()
  end
end

local function sum(it)
  local s = 0
  for x in it do s = s + x end
  return s
end

print(sum(take(filter(map(range(0, 10000000), function(x) return x * 2 end),
                      function(y) return y % 3 == 0 end), 1000000)))
