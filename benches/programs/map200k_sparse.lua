-- 200k sparse Int keys (as map200k_sparse.cairn): they stay in the table's hash part.
local n = 200000
local m = {}
for i = 0, n - 1 do m[i * 7919 % n * 1000003] = i end
local acc = 0
for k = 0, n - 1 do acc = acc + m[k * 1000003] end
print(acc)
