local s, taken = 0, 0
for x = 0, 10000000 - 1 do
  local y = x * 2
  if y % 3 == 0 then
    s = s + y
    taken = taken + 1
    if taken == 1000000 then break end
  end
end
print(s)
