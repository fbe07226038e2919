//! The Cairn text of each stress scenario: templates whose `@NAME` placeholders are filled
//! from the (clamped) parameters. `run` loops are self tail calls; every program ends with
//! `main` printing and returning the checksum `mix` folds its values into.

use super::params::StressParams;

/// Replaces each `@NAME` of `template` (longest names first, so `@TOTAL` never eats part of
/// a longer placeholder).
fn fill(template: &str, values: &[(&str, u64)]) -> String {
    let mut ordered: Vec<&(&str, u64)> = values.iter().collect();
    ordered.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut text = template.to_string();
    for (name, value) in ordered {
        text = text.replace(&format!("@{name}"), &value.to_string());
    }
    debug_assert!(!text.contains('@'), "unfilled placeholder in {text}");
    text
}

/// `mix` (the checksum step), `cp(t)` (a checkpoint at about four points of `rounds`), and
/// the disposal policy's `fresh()` / `keep(h, i, x)`.
pub fn prelude(p: &StressParams, rounds: u64) -> String {
    let every = (rounds / 3).max(1);
    format!(
        "fn mix(h, v) = (h * 31 + v) % 1000003\n\
         fn cp(t) = if t % {every} == 0 then checkpoint() else ()\n{}",
        p.disposal.cairn_functions()
    )
}

const MAIN: &str = "
fn main() = {
  checkpoint();
  r = START;
  checkpoint();
  print(r);
  r
}
";

fn with_main(body: String, start: &str) -> String {
    format!("{body}{}", MAIN.replace("START", start))
}

/// deep-nesting: `V0 = [t]`, `Vn = [Vn-1]`; walk to the bottom; dispose of the top.
pub fn deep_nesting(p: &StressParams) -> String {
    let body = "
fn nest(n, v) = if n == 0 then v else nest(n - 1, [v])
fn bottom(v, n) = if n == 0 then v[0] else bottom(v[0], n - 1)
fn run(t, h, acc) = if t == @TOTAL then acc else {
  top = nest(@DEPTH, [t]);
  cp(t);
  b = bottom(top, @DEPTH);
  if b != t then fail(\"deep-nesting: wrong bottom\") else run(t + 1, keep(h, t, top), mix(acc, b))
}
";
    let total = p.iterations * p.allocation_rate;
    with_main(
        fill(body, &[("TOTAL", total), ("DEPTH", p.chain_depth)]),
        "run(0, fresh(), 7)",
    )
}

/// fan-out: a base list shared by many parents; one parent's base is mutated.
pub fn fan_out(p: &StressParams) -> String {
    let body = "
fn parents(n, base, acc) = if n == 0 then acc else parents(n - 1, base, push(acc, [n, base]))
fn others_ok(ps, k, j, v) = if k == len(ps) then true
  else if k != j and ps[k][1][0] != v then false
  else others_ok(ps, k + 1, j, v)
fn run(i, h, acc) = if i == @ITER then acc else {
  cp(i);
  base = collect(range(i, i + @SIZE));
  ps = parents(@RATE, base, []);
  j = i % @RATE;
  p = ps[j];
  p2 = set(p, 1, set(p[1], 0, -1));
  ps2 = set(ps, j, p2);
  ok = others_ok(ps2, 0, j, i) and ps2[j][1][0] == -1 and base[0] == i;
  if not ok then fail(\"fan-out: a shared branch changed\")
  else run(i + 1, keep(h, i, ps2), mix(acc, sum(ps2[j][1]) + len(ps2)))
}
";
    with_main(
        fill(
            body,
            &[
                ("ITER", p.iterations),
                ("SIZE", p.max_vector_size),
                ("RATE", p.allocation_rate),
            ],
        ),
        "run(0, fresh(), 7)",
    )
}

/// slicing: sliding-window slices of one long list.
pub fn slicing(p: &StressParams) -> String {
    let width = (p.max_vector_size / 4).max(1);
    let body = "
fn run(t, long, h, acc) = if t == @TOTAL then acc else {
  cp(t);
  s = t % @STARTS;
  w = slice(long, s, s + @WIDTH);
  v = sum(w);
  if v != @WIDTH * s + @TRIANGLE then fail(\"slicing: wrong window sum\")
  else run(t + 1, long, keep(h, t, w), mix(acc, v))
}
";
    let values = [
        ("TOTAL", p.iterations * p.allocation_rate),
        ("STARTS", p.max_vector_size - width + 1),
        ("WIDTH", width),
        ("TRIANGLE", width * (width - 1) / 2),
    ];
    let start = format!(
        "run(0, collect(range(0, {})), fresh(), 7)",
        p.max_vector_size
    );
    with_main(fill(body, &values), &start)
}

/// chain-of-mappings: range -> map(x2) -> filter(even) -> take(n), drained with `next`.
pub fn chain_of_mappings(p: &StressParams) -> String {
    let body = "
fn drain(s, acc, n) = {
  (ok, v) = next(s);
  if not ok then { if n != @TAKE then fail(\"chain-of-mappings: wrong item count\") else acc }
  else if v % 2 != 0 then fail(\"chain-of-mappings: an odd item passed the filter\")
  else drain(s, mix(acc, v), n + 1)
}
fn run(t, h, acc) = if t == @TOTAL then acc else {
  cp(t);
  s = take(filter(map(range(t, t + 2 * @TAKE), \\x -> x * 2), \\x -> x % 2 == 0), @TAKE);
  a = drain(s, 0, 0);
  run(t + 1, keep(h, t, s), mix(acc, a))
}
";
    let values = [
        ("TOTAL", p.iterations * p.allocation_rate),
        ("TAKE", p.max_vector_size),
    ];
    with_main(fill(body, &values), "run(0, fresh(), 7)")
}

/// sequence-reuse: a consumed Seq consumed again yields nothing.
pub fn sequence_reuse(p: &StressParams) -> String {
    let k = p.max_vector_size;
    let body = "
fn run(t, h, acc) = if t == @TOTAL then acc else {
  cp(t);
  s = map(range(0, @SIZE), \\x -> x + t);
  a = sum(s);
  b = sum(s);
  (more, rest) = next(s);
  c = count(s);
  if a != @SIZE * t + @TRIANGLE or b != 0 or more or c != 0 or rest != () then
    fail(\"sequence-reuse: a consumed sequence yielded items\")
  else run(t + 1, keep(h, t, s), mix(acc, a))
}
";
    let values = [
        ("TOTAL", p.iterations * p.allocation_rate),
        ("SIZE", k),
        ("TRIANGLE", k * (k - 1) / 2),
    ];
    with_main(fill(body, &values), "run(0, fresh(), 7)")
}

/// alternating-consumers: clones of one Seq, one consumed fully, the others partially.
pub fn alternating_consumers(p: &StressParams) -> String {
    let k = p.max_vector_size;
    let body = "
fn pulled(k) = if k + 1 < @SIZE then k + 1 else @SIZE
fn partials(base, k, i, t, h, acc) = if k == @RATE then (h, acc) else {
  c = clone(base);
  n = pulled(k);
  part = sum(take(c, k + 1));
  if part != 3 * n * (n - 1) / 2 + n * i then fail(\"alternating-consumers: wrong partial sum\")
  else partials(base, k + 1, i, t + 1, keep(h, t, c), mix(acc, part))
}
fn run(i, h, acc) = if i == @ITER then acc else {
  cp(i);
  base = map(range(0, @SIZE), \\x -> x * 3 + i);
  full = clone(base);
  total = sum(full);
  (h2, acc2) = partials(base, 0, i, i * (@RATE + 1), h, acc);
  (more, first) = next(base);
  if total != 3 * @TRIANGLE + @SIZE * i or not more or first != i then
    fail(\"alternating-consumers: a clone disturbed another cursor\")
  else run(i + 1, keep(h2, i * (@RATE + 1) + @RATE, base), mix(acc2, total))
}
";
    let values = [
        ("ITER", p.iterations),
        ("RATE", p.allocation_rate),
        ("SIZE", k),
        ("TRIANGLE", k * (k - 1) / 2),
    ];
    with_main(fill(body, &values), "run(0, fresh(), 7)")
}

/// merge-storm: many small maps merged into one cumulative map.
pub fn merge_storm(p: &StressParams) -> String {
    let body = "
fn storm(m, r, i, h, acc) = if r == @RATE then (m, h, acc) else {
  x = i * @RATE + r;
  m2 = merge(m, #{x % @KEYS: #{\"a\": x}});
  h2 = if r == 0 then keep(h, i, m2) else h;
  storm(m2, r + 1, i, h2, mix(acc, len(m2)))
}
fn run(i, h, acc) = if i == @ITER then acc else {
  cp(i);
  (m, h2, acc2) = storm(#{}, 0, i, h, acc);
  expected = if @RATE < @KEYS then @RATE else @KEYS;
  total = fold(values(m), 0, \\s, d -> s + d[\"a\"]);
  if len(m) != expected then fail(\"merge-storm: wrong key count\")
  else run(i + 1, h2, mix(acc2, total))
}
";
    let values = [
        ("ITER", p.iterations),
        ("RATE", p.allocation_rate),
        ("KEYS", p.max_vector_size),
    ];
    with_main(fill(body, &values), "run(0, fresh(), 7)")
}

/// sharing-graph: `D1 = #{"a": t}`, `Dk = #{k: Dk-1}`; altering the top leaves the inner ones.
pub fn sharing_graph(p: &StressParams) -> String {
    let body = "
fn build(k, v) = if k > @DEPTH then v else build(k + 1, #{k: v})
fn bottom(m, k) = if k == 1 then m[\"a\"] else bottom(m[k], k - 1)
fn alter(top, r, i, t, h, acc) = if r == @RATE then (h, acc) else {
  top2 = insert(top, -1 - r, t);
  same = top2[@DEPTH] == top[@DEPTH] and len(top2) == 2 and len(top) == 1;
  if not same or bottom(top2, @DEPTH) != i then fail(\"sharing-graph: an inner map changed\")
  else alter(top, r + 1, i, t + 1, keep(h, t, top2), mix(acc, len(top2)))
}
fn run(i, h, acc) = if i == @ITER then acc else {
  cp(i);
  top = build(2, #{\"a\": i});
  (h2, acc2) = alter(top, 0, i, i * @RATE, h, acc);
  run(i + 1, h2, mix(acc2, bottom(top, @DEPTH)))
}
";
    let values = [
        ("ITER", p.iterations),
        ("RATE", p.allocation_rate),
        ("DEPTH", p.chain_depth.max(2)),
    ];
    with_main(fill(body, &values), "run(0, fresh(), 7)")
}

/// allocation-mix: an LCG-driven mix of lists, Seqs and maps over pools of 16 slots.
pub fn allocation_mix(p: &StressParams) -> String {
    let body = "
fn lcg(r) = (r * 48271) % 2147483647
fn pool(n, v, acc) = if n == 0 then acc else pool(n - 1, v, push(acc, v))
fn swap(pl, j, v, h, t) = {
  old = pl[j];
  (set(pl, j, v), keep(h, t, old))
}
fn step(t, r, ls, ss, ms, h, acc) = if t == @TOTAL then acc else {
  cp(t);
  r2 = lcg(r);
  op = r2 % 8;
  j = (r2 / 8) % 16;
  n = (r2 / 128) % @SIZE;
  if op == 0 then {
    (ls2, h2) = swap(ls, j, collect(range(0, n)), h, t);
    step(t + 1, r2, ls2, ss, ms, h2, mix(acc, n))
  } else if op == 1 then {
    (ss2, h2) = swap(ss, j, map(range(0, n), \\x -> x + n), h, t);
    step(t + 1, r2, ls, ss2, ms, h2, mix(acc, n))
  } else if op == 2 then {
    (ms2, h2) = swap(ms, j, #{n % 13: n, \"k\": [n]}, h, t);
    step(t + 1, r2, ls, ss, ms2, h2, mix(acc, n))
  } else if op == 3 then {
    v = push(ls[j], n);
    (ls2, h2) = swap(ls, j, v, h, t);
    step(t + 1, r2, ls2, ss, ms, h2, mix(acc, len(v)))
  } else if op == 4 then {
    v = insert(ms[j], n % 13, n);
    (ms2, h2) = swap(ms, j, v, h, t);
    step(t + 1, r2, ls, ss, ms2, h2, mix(acc, len(v)))
  } else if op == 5 then {
    (ls2, h2) = swap(ls, (j + 1) % 16, ls[j], h, t);
    step(t + 1, r2, ls2, ss, ms, h2, mix(acc, len(ls2[j])))
  } else if op == 6 then {
    v = sum(take(ss[j], 3));
    step(t + 1, r2, ls, ss, ms, h, mix(acc, v))
  } else {
    (ls2, h2) = swap(ls, j, [], h, t);
    (ms2, h3) = swap(ms, j, #{}, h2, t + 1);
    step(t + 1, r2, ls2, ss, ms2, h3, mix(acc, j))
  }
}
";
    let values = [
        ("TOTAL", p.iterations * p.allocation_rate),
        ("SIZE", p.max_vector_size),
    ];
    with_main(
        fill(body, &values),
        "step(0, 12345, pool(16, [], []), pool(16, range(0, 0), []), pool(16, #{}, []), fresh(), 7)",
    )
}

/// sliding-window: windows of rows, `filter` + `scan` rolling aggregates collected into lists.
pub fn sliding_window(p: &StressParams) -> String {
    let body = "
fn lcg(r) = (r * 48271) % 2147483647
fn rows(t) = map(range(t, t + @WIDTH), \\k -> (k, lcg(k + 1) % 100))
fn run(t, total, h, acc) = if t == @TOTAL then acc else {
  cp(t);
  kept = filter(rows(t), \\row -> row[1] >= 30);
  aggs = collect(scan(kept, (0, 0), \\a, row -> (a[0] + 1, a[1] + row[1])));
  last = if len(aggs) == 0 then (0, 0) else aggs[len(aggs) - 1];
  check = sum(map(filter(rows(t), \\row -> row[1] >= 30), \\row -> row[1]));
  if check != last[1] then fail(\"sliding-window: rolling sum differs from the direct sum\")
  else run(t + 1, total + last[1], keep(h, t, aggs), mix(acc, last[0] * 1000 + last[1] % 1000))
}
";
    let values = [
        ("TOTAL", p.iterations * p.allocation_rate),
        ("WIDTH", p.max_vector_size),
    ];
    with_main(fill(body, &values), "run(0, 0, fresh(), 7)")
}
