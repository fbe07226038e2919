-- 200k scattered dense Int keys: the keys 0..n-1 inserted in the scattered order i * 7919 % n
-- (as map200k_dense.cairn), then each looked up once. Lua keeps them as Int keys (dense keys
-- end up in the table's array part: that is what a Lua table does with them).
local n = 200000
local m = {}
for i = 0, n - 1 do m[i * 7919 % n] = i end
local acc = 0
for k = 0, n - 1 do acc = acc + m[k] end
print(acc)
