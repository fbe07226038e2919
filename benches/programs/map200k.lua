local n = 200000
local m = {}
for i = 0, n - 1 do m[tostring(i * 7919 % n)] = i end
local acc = 0
for k = 0, n - 1 do acc = acc + m[tostring(k)] end
print(acc)
