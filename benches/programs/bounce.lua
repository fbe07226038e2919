-- Are We Fast Yet's Bounce (benchmarks/Lua/bounce.lua and som.lua's Random, after the SOM
-- benchmarks; Francois Perrad's Lua port), made self-contained: the harness's inner loop runs
-- the benchmark N times and checks each result, then one line is printed.
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

local Ball = {_CLASS = 'Ball'} do

local abs = math.abs

function Ball.new (random)
    local obj = {
        x = random:next() % 500,
        y = random:next() % 500,
        x_vel = (random:next() % 300) - 150,
        y_vel = (random:next() % 300) - 150,
    }
    return setmetatable(obj, {__index = Ball})
end

function Ball:bounce ()
    local x_limit, y_limit = 500, 500
    local bounced = false
    self.x = self.x + self.x_vel
    self.y = self.y + self.y_vel
    if self.x > x_limit then
        self.x = x_limit
        self.x_vel = 0 - abs(self.x_vel)
        bounced = true
    end
    if self.x < 0 then
        self.x = 0
        self.x_vel = abs(self.x_vel)
        bounced = true
    end
    if self.y > y_limit then
        self.y = y_limit
        self.y_vel = 0 - abs(self.y_vel)
        bounced = true
    end
    if self.y < 0 then
        self.y = 0
        self.y_vel = abs(self.y_vel)
        bounced = true
    end
    return bounced
end

end -- class Ball

local function benchmark ()
    local random     = Random.new()
    local ball_count = 100
    local bounces    = 0
    local balls      = {}

    for i = 1, ball_count do
        balls[i] = Ball.new(random)
    end

    for _ = 1, 50 do
        for i = 1, #balls do
            local ball = balls[i]
            if ball:bounce() then
                bounces = bounces + 1
            end
        end
    end
    return bounces
end

local N = tonumber(arg and arg[1]) or 1000
local result
for _ = 1, N do
    result = benchmark()
    if result ~= 1331 then error('Benchmark failed with incorrect result') end
end
print(("Bounce: iterations=%d result=%s"):format(N, tostring(result)))
