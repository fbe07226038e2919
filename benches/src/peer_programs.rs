//! The peers programs (`benches/benches/peers.rs`): each Cairn benchmark program next to the
//! same computation written in Lua (run by Lua 5.4 through mlua and by LuaJIT) and in Rhai.
//!
//! Every Lua source is a chunk that returns the result and runs unchanged on Lua 5.4 and
//! LuaJIT 2.1 (whose numbers are doubles: every intermediate value here is an integer below
//! 2^53, so the results are exact). Every Rhai source is a script whose last expression is the
//! result. Choices where the languages differ:
//!
//! - Loops: Cairn loops are self tail calls (loops in the IR); Lua and Rhai use `for`.
//! - Vector: Lua appends with `xs[#xs + 1] = i` (the idiomatic push) and indexes from 1.
//! - Map: Cairn and Lua use Int keys: the keys 0..n-1 inserted in the scattered order
//!   `i * 7919 % n` (dense: Lua's table moves them to its array part, as a Lua program's table
//!   would). Rhai object maps only have string keys, so Rhai converts every key with
//!   `to_string()`. (`benches/programs/` has both key shapes: `map200k_sparse`, `map200k_dense`.)
//! - Sequence pipeline: Lua builds the same lazy pipeline from closures (each stage a function
//!   taking an iterator closure and returning one; `take` pulls exactly n items), as
//!   `benches/programs/pipeline1m.lua` does. Rhai runs the plain loop that computes the same
//!   sum.
//! - Text: Cairn appends with `++` (in place on the unique Text: linear, docs/MEMORY.md
//!   "Appending to a Text in place"); Lua collects the pieces in a table and joins them once
//!   with `table.concat` (the idiomatic linear way; `..` in a loop copies, quadratic); Rhai
//!   appends with `+=` (in place when the string is not shared).
//! - The Benchmarks Game programs are in [`crate::peer_games`].

use crate::{
    BenchProgram, FIB_27, LOOP_5M, MAP_20K, SEQUENCE_PIPELINE_100K, TEXT_10K, VECTOR_100K,
};

/// One program on every peer engine: the Cairn program (with the expected result, which every
/// engine must return) and its Lua and Rhai versions.
#[derive(Clone, Copy, Debug)]
pub struct PeerProgram {
    /// A short name: the criterion group and the table row.
    pub short: &'static str,
    pub cairn: BenchProgram,
    pub lua: &'static str,
    /// `None` where there is no Rhai version (the Benchmarks Game programs).
    pub rhai: Option<&'static str>,
}

impl PeerProgram {
    /// The expected result as an integer (every peer program returns an Int).
    pub fn expected(&self) -> i64 {
        self.cairn
            .expected_result
            .parse()
            .expect("peer programs return Ints")
    }
}

pub const PEER_FIB: PeerProgram = PeerProgram {
    short: "fib",
    cairn: FIB_27,
    lua: "\
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
return fib(27)
",
    rhai: Some(
        "\
fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
fib(27)
",
    ),
};

pub const PEER_LOOP: PeerProgram = PeerProgram {
    short: "loop",
    cairn: LOOP_5M,
    lua: "\
local s = 0
for i = 0, 5000000 - 1 do
  s = s + (i % 7) * (i % 7) % 7
end
return s
",
    rhai: Some(
        "\
let s = 0;
for i in 0..5000000 { s += (i % 7) * (i % 7) % 7; }
s
",
    ),
};

pub const PEER_VEC: PeerProgram = PeerProgram {
    short: "vec",
    cairn: VECTOR_100K,
    lua: "\
local n = 100000
local xs = {}
for i = 0, n - 1 do xs[#xs + 1] = i end
local acc = 0
for _ = 1, 10 do
  for i = 1, n do acc = acc + xs[i] end
end
return acc
",
    rhai: Some(
        "\
let n = 100000;
let xs = [];
for i in 0..n { xs.push(i); }
let acc = 0;
for p in 0..10 { for i in 0..n { acc += xs[i]; } }
acc
",
    ),
};

pub const PEER_MAP: PeerProgram = PeerProgram {
    short: "map",
    cairn: MAP_20K,
    lua: "\
local n = 20000
local m = {}
for i = 0, n - 1 do m[i * 7919 % n] = i end
local acc = 0
for k = 0, n - 1 do acc = acc + m[k] end
return acc
",
    rhai: Some(
        "\
let n = 20000;
let m = #{};
for i in 0..n { m[(i * 7919 % n).to_string()] = i; }
let acc = 0;
for k in 0..n { acc += m[k.to_string()]; }
acc
",
    ),
};

pub const PEER_PIPELINE: PeerProgram = PeerProgram {
    short: "pipeline",
    cairn: SEQUENCE_PIPELINE_100K,
    lua: "\
local function range(a, b)
  local i = a - 1
  return function()
    i = i + 1
    if i < b then return i end
    return nil
  end
end
local function map(it, f)
  return function()
    local x = it()
    if x == nil then return nil end
    return f(x)
  end
end
local function filter(it, p)
  return function()
    while true do
      local x = it()
      if x == nil then return nil end
      if p(x) then return x end
    end
  end
end
local function take(it, n)
  local taken = 0
  return function()
    if taken >= n then return nil end
    taken = taken + 1
    return it()
  end
end
local function sum(it)
  local s = 0
  for x in it do s = s + x end
  return s
end
return sum(take(filter(map(range(0, 1000000), function(x) return x * 2 end),
                       function(y) return y % 3 == 0 end), 100000))
",
    rhai: Some(
        "\
let s = 0;
let taken = 0;
for x in 0..1000000 {
  let y = x * 2;
  if y % 3 == 0 {
    s += y;
    taken += 1;
    if taken == 100000 { break; }
  }
}
s
",
    ),
};

pub const PEER_TEXT: PeerProgram = PeerProgram {
    short: "text",
    cairn: TEXT_10K,
    lua: "\
local parts = {}
for i = 0, 10000 - 1 do parts[#parts + 1] = tostring(i) end
return #table.concat(parts)
",
    rhai: Some(
        "\
let s = \"\";
for i in 0..10000 { s += i.to_string(); }
s.len()
",
    ),
};

/// Issue 8's programs of the peers bench, in table order (the Benchmarks Game programs follow:
/// [`all_peer_programs`]).
pub const PEER_PROGRAMS: &[PeerProgram] = &[
    PEER_FIB,
    PEER_LOOP,
    PEER_VEC,
    PEER_MAP,
    PEER_PIPELINE,
    PEER_TEXT,
];

/// Everything the peers bench runs, in table order: [`PEER_PROGRAMS`], then
/// [`crate::peer_games::PEER_GAMES`].
pub fn all_peer_programs() -> impl Iterator<Item = &'static PeerProgram> {
    PEER_PROGRAMS.iter().chain(crate::peer_games::PEER_GAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Lua versions return the expected results on Lua 5.4 (mlua, a dev-dependency).
    /// Rhai and Cairn are checked by the peers bench before timing (Rhai is too slow in a
    /// debug build for a unit test).
    #[test]
    fn lua_versions_return_the_expected_results() {
        let lua = mlua::Lua::new();
        for program in all_peer_programs() {
            let result: i64 = lua
                .load(program.lua)
                .set_name(program.short)
                .eval()
                .unwrap_or_else(|e| panic!("{}: {e}", program.short));
            assert_eq!(result, program.expected(), "{}", program.short);
        }
    }

    #[test]
    fn short_names_are_unique() {
        let mut names: Vec<_> = all_peer_programs().map(|p| p.short).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all_peer_programs().count());
    }
}
