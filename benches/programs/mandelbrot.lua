-- Are We Fast Yet's Mandelbrot (benchmarks/Lua/mandelbrot.lua with mandelbrot-fn.lua and
-- mandelbrot-fn-53.lua, after the SOM benchmarks and the Benchmarks Game's Ruby program;
-- Francois Perrad's Lua port), made self-contained: as AWFY's version, Lua 5.3+ gets the
-- function with the native bit operators (loaded from a string, since they are a lexical error
-- in LuaJIT), LuaJIT the one with the `bit` module. The inner-iterations argument N is the
-- image size; one line with the result is printed (191 for N = 500, 50 for 750, 128 for 1).
local mandelbrot
if _VERSION < 'Lua 5.3' then
    local bit    = bit32 or require'bit'
    local bxor   = bit.bxor
    local lshift = bit.lshift

    mandelbrot = function (size)
        local sum      = 0
        local byte_acc = 0
        local bit_num  = 0
    
        local y = 0
        while y < size do
            local ci = (2.0 * y / size) - 1.0
            local x  = 0
    
            while x < size do
                local zrzr = 0.0
                local zizi, zi = 0.0, 0.0
                local cr   = (2.0 * x / size) - 1.5
    
                local z = 0
                local not_done = true
                local escape = 0
                while not_done and z < 50 do
                    local zr = zrzr - zizi + cr
                    zi = 2.0 * zr * zi + ci
    
                    -- preserve recalculation
                    zrzr = zr * zr
                    zizi = zi * zi
                    if zrzr + zizi > 4.0 then
                        not_done = false
                        escape   = 1
                    end
                    z = z + 1
                end
    
                byte_acc = (byte_acc * 2) + escape
                bit_num = bit_num + 1
    
                -- Code is very similar for these cases, but using separate blocks
                -- ensures we skip the shifting when it's unnecessary,
                -- which is most cases.
                if bit_num == 8 then
                    sum = bxor(sum, byte_acc)
                    byte_acc = 0
                    bit_num  = 0
                elseif x == size - 1 then
                    byte_acc = lshift(byte_acc, (8 - bit_num))
                    sum = bxor(sum,byte_acc)
                    byte_acc = 0
                    bit_num  = 0
                end
                x = x + 1
            end
            y = y + 1
        end
    
        return sum
    end
else
    mandelbrot = assert(load[==[
    return function (size)
        local sum      = 0
        local byte_acc = 0
        local bit_num  = 0
    
        local y = 0
        while y < size do
            local ci = (2.0 * y / size) - 1.0
            local x  = 0
    
            while x < size do
                local zrzr = 0.0
                local zizi, zi = 0.0, 0.0
                local cr   = (2.0 * x / size) - 1.5
    
                local z = 0
                local not_done = true
                local escape = 0
                while not_done and z < 50 do
                    local zr = zrzr - zizi + cr
                    zi = 2.0 * zr * zi + ci
    
                    -- preserve recalculation
                    zrzr = zr * zr
                    zizi = zi * zi
                    if zrzr + zizi > 4.0 then
                        not_done = false
                        escape   = 1
                    end
                    z = z + 1
                end
    
                byte_acc = (byte_acc << 1) + escape
                bit_num = bit_num + 1
    
                -- Code is very similar for these cases, but using separate blocks
                -- ensures we skip the shifting when it's unnecessary,
                -- which is most cases.
                if bit_num == 8 then
                    sum = sum ~ byte_acc
                    byte_acc = 0
                    bit_num  = 0
                elseif x == size - 1 then
                    byte_acc = byte_acc << (8 - bit_num)
                    sum = sum ~ byte_acc
                    byte_acc = 0
                    bit_num  = 0
                end
                x = x + 1
            end
            y = y + 1
        end
    
        return sum
    end
    ]==])()
end

local N = tonumber(arg and arg[1]) or 750
local result = mandelbrot(N)
local expected = ({[500] = 191, [750] = 50, [1] = 128})[N]
if expected and result ~= expected then error('Benchmark failed with incorrect result') end
print(("Mandelbrot: size=%d result=%s"):format(N, tostring(result)))
