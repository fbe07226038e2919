-- Are We Fast Yet's Permute (benchmarks/Lua/permute.lua, after the SOM benchmarks; Francois
-- Perrad's Lua port), made self-contained: the harness's inner loop runs the benchmark N times
-- and checks each result, then one line is printed.
local permute = {}

function permute:benchmark ()
    self.count = 0
    self.v = {0, 0, 0, 0, 0, 0}
    self:permute(6)
    return self.count
end

function permute:permute (n)
    self.count = self.count + 1
    if n ~= 0 then
        local n1 = n - 1
        self:permute(n1)
        for i = n, 1, -1 do
            self:swap(n, i)
            self:permute(n1)
            self:swap(n, i)
        end
    end
end

function permute:swap (i, j)
    local tmp = self.v[i]
    self.v[i] = self.v[j]
    self.v[j] = tmp
end

local N = tonumber(arg and arg[1]) or 1000
local result
for _ = 1, N do
    result = permute:benchmark()
    if result ~= 8660 then error('Benchmark failed with incorrect result') end
end
print(("Permute: iterations=%d result=%s"):format(N, tostring(result)))
