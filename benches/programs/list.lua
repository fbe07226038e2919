-- Are We Fast Yet's List (benchmarks/Lua/list.lua, after the SOM benchmarks; Francois Perrad's
-- Lua port), made self-contained: the harness's inner loop runs the benchmark N times and
-- checks each result, then one line is printed.
local Element = {_CLASS = 'Element'} do

function Element.new (v)
    local obj = {val = v, next = nil}
    return setmetatable(obj, {__index = Element})
end

function Element:length ()
    if not self.next then
        return 1
    else
        return 1 + self.next:length()
    end
end

end -- class Element

local list = {} do

function list:benchmark ()
    local result = self:tail(self:make_list(15),
                             self:make_list(10),
                             self:make_list(6))
    return result:length()
end

function list:make_list (length)
    if length == 0 then
        return nil
    else
        local e = Element.new(length)
        e.next = self:make_list(length - 1)
        return e
    end
end

function list:is_shorter_than (x, y)
    local x_tail, y_tail = x, y
    while y_tail do
        if not x_tail then
            return true
        end
        x_tail = x_tail.next
        y_tail = y_tail.next
    end
    return false
end

function list:tail (x, y, z)
    if self:is_shorter_than(y, x) then
        return self:tail(self:tail(x.next, y, z),
                         self:tail(y.next, z, x),
                         self:tail(z.next, x, y))
    else
        return z
    end
end

end -- object list

local N = tonumber(arg and arg[1]) or 1500
local result
for _ = 1, N do
    result = list:benchmark()
    if result ~= 10 then error('Benchmark failed with incorrect result') end
end
print(("List: iterations=%d result=%s"):format(N, tostring(result)))
