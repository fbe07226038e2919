local n = 1000000
local xs = {}
for i = 0, n - 1 do xs[#xs + 1] = i end
local acc = 0
for _ = 1, 10 do
  for i = 1, n do acc = acc + xs[i] end
end
print(acc)
