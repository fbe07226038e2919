-- Are We Fast Yet's Sieve (benchmarks/Lua/sieve.lua, after the SOM benchmarks; Francois
-- Perrad's Lua port), made self-contained: the harness's inner loop runs the benchmark N times
-- and checks each result, then one line is printed.
local function sieve(flags, size)
    local prime_count = 0
    for i = 2, size do
        if flags[i - 1] then
            prime_count = prime_count + 1
            local k = i + i
            while k <= size do
                flags[k - 1] = false
                k = k + i
            end
        end
    end
    return prime_count
end

local function benchmark()
    local flags = {}
    for i = 1, 5000 do
        flags[i] = true
    end
    return sieve(flags, 5000)
end

local N = tonumber(arg and arg[1]) or 3000
local result
for _ = 1, N do
    result = benchmark()
    if result ~= 669 then error('Benchmark failed with incorrect result') end
end
print(("Sieve: iterations=%d result=%s"):format(N, tostring(result)))
