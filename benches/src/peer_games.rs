//! The Benchmarks Game programs of the peers bench (`benches/benches/peers.rs`): binary-trees,
//! fannkuch-redux, spectral-norm and n-body at in-process sizes, each a Cairn program whose
//! `main` returns an Int and the same computation as a Lua chunk returning it. They are the
//! whole-process programs of `benches/programs/` (`binarytrees`, `fannkuch`, `spectralnorm`,
//! `nbody`: the algorithms and the operation order are those files'), with the printed lines
//! folded into one Int. They have no Rhai version (the peers table shows `-`).
//!
//! - binary-trees: the sum of every check the whole-process program prints, at depth 10.
//! - fannkuch-redux: `checksum * 100 + max flips`, n = 8.
//! - spectral-norm: the norm times 10^9 truncated, N = 100.
//! - n-body: the energy after 10,000 steps times 10^9 truncated toward zero.

use crate::BenchProgram;
use crate::peer_programs::PeerProgram;

pub const PEER_BINARY_TREES: PeerProgram = PeerProgram {
    short: "bintrees",
    cairn: BenchProgram {
        name: "binary-trees (depth 10)",
        source: "\
fn bottom_up(depth) = if depth > 0 then (bottom_up(depth - 1), bottom_up(depth - 1)) else ()
fn item_check(tree) = if tree == () then 1 else 1 + item_check(tree[0]) + item_check(tree[1])
fn many(i, iterations, depth, check) =
  if i > iterations then check
  else many(i + 1, iterations, depth, check + item_check(bottom_up(depth)))
fn depths(depth, mindepth, maxdepth, acc) = if depth > maxdepth then acc else
  depths(depth + 2, mindepth, maxdepth, acc + many(1, pow(2, maxdepth - depth + mindepth), depth, 0))
fn main() = {
  stretch = item_check(bottom_up(11));
  longlived = bottom_up(10);
  checks = depths(4, 4, 10, stretch);
  checks + item_check(longlived)
}
",
        expected_result: "135854",
    },
    lua: "\
local function BottomUpTree(depth)
  if depth > 0 then
    depth = depth - 1
    local left, right = BottomUpTree(depth), BottomUpTree(depth)
    return { left, right }
  else
    return { }
  end
end
local function ItemCheck(tree)
  if tree[1] then
    return 1 + ItemCheck(tree[1]) + ItemCheck(tree[2])
  else
    return 1
  end
end
local mindepth, maxdepth = 4, 10
local total = ItemCheck(BottomUpTree(maxdepth + 1))
local longlivedtree = BottomUpTree(maxdepth)
for depth = mindepth, maxdepth, 2 do
  local iterations = 2 ^ (maxdepth - depth + mindepth)
  local check = 0
  for i = 1, iterations do
    check = check + ItemCheck(BottomUpTree(depth))
  end
  total = total + check
end
return math.floor(total + ItemCheck(longlivedtree))
",
    rhai: None,
};

pub const PEER_FANNKUCH: PeerProgram = PeerProgram {
    short: "fannkuch",
    cairn: BenchProgram {
        name: "fannkuch-redux (n = 8)",
        source: r#"fn swap(xs, i, j) = {
  a = xs[i];
  b = xs[j];
  set(set(xs, i, b), j, a)
}

// Reverses q[i..=j] in place.
fn reverse_range(q, i, j) = if i >= j then q else reverse_range(swap(q, i, j), i + 1, j - 1)

// q[i..n] = p[i..n]: the working copy, overwritten in place as the Lua program does.
fn copy_from(q, p, i, n) = if i == n then q else copy_from(set(q, i, p[i]), p, i + 1, n)

// Flips the copy q (whose first element is q1) until its first element is 0; returns q and
// the number of flips.
fn flips(q, q1, count) = {
  qq = q[q1];
  if qq == 0 then (q, count) else {
    q2 = set(q, q1, q1);
    q3 = if q1 >= 3 then reverse_range(q2, 1, q1 - 1) else q2;
    flips(q3, qq, count + 1)
  }
}

// p[0..=i] = p[1..=i+1] then p[i + 1] = t (the rotation 0 <- i + 1).
fn rotate(p, j, i, t) = if j > i then set(p, i + 1, t) else {
  x = p[j + 1];
  rotate(set(p, j, x), j + 1, i, t)
}

fn fannkuch(p, q, s, sign, maxflips, sum, n) = {
  q1 = p[0];
  (q2, maxflips2, sum2) = if q1 == 0 then (q, maxflips, sum) else {
    (q3, f) = flips(copy_from(q, p, 1, n), q1, 1);
    (q3, max(maxflips, f), sum + sign * f)
  };
  if sign == 1 then fannkuch(swap(p, 0, 1), q2, s, -1, maxflips2, sum2, n)
  else permute(swap(p, 1, 2), q2, s, 2, n, maxflips2, sum2)
}

fn permute(p, q, s, i, n, maxflips, sum) = {
  sx = s[i];
  if sx != 0 then fannkuch(p, q, set(s, i, sx - 1), 1, maxflips, sum, n)
  else if i == n - 1 then (sum, maxflips)
  else {
    t = p[0];
    permute(rotate(p, 0, i, t), q, set(s, i, i), i + 1, n, maxflips, sum)
  }
}
fn main() = {
  (sum, maxflips) = fannkuch(collect(range(0, 8)), collect(range(0, 8)), collect(range(0, 8)),
    1, 0, 0, 8);
  sum * 100 + maxflips
}
"#,
        expected_result: "161622",
    },
    lua: r#"local function fannkuch(n)
  local p, q, s, sign, maxflips, sum = {}, {}, {}, 1, 0, 0
  for i = 1, n do p[i] = i; q[i] = i; s[i] = i end
  repeat
    -- Copy and flip.
    local q1 = p[1]                             -- Cache 1st element.
    if q1 ~= 1 then
      for i = 2, n do q[i] = p[i] end           -- Work on a copy.
      local flips = 1
      repeat
        local qq = q[q1]
        if qq == 1 then                         -- ... until 1st element is 1.
          sum = sum + sign * flips
          if flips > maxflips then maxflips = flips end -- New maximum?
          break
        end
        q[q1] = q1
        if q1 >= 4 then
          local i, j = 2, q1 - 1
          repeat q[i], q[j] = q[j], q[i]; i = i + 1; j = j - 1; until i >= j
        end
        q1 = qq; flips = flips + 1
      until false
    end
    -- Permute.
    if sign == 1 then
      p[2], p[1] = p[1], p[2]; sign = -1        -- Rotate 1<-2.
    else
      p[2], p[3] = p[3], p[2]; sign = 1         -- Rotate 1<-3 and 2<-3.
      for i = 3, n do
        local sx = s[i]
        if sx ~= 1 then s[i] = sx - 1; break end
        if i == n then return sum, maxflips end -- Out of permutations.
        s[i] = i
        -- Rotate 1<-i+1.
        local t = p[1]; for j = 1, i do p[j] = p[j + 1] end; p[i + 1] = t
      end
    end
  until false
end
local sum, flips = fannkuch(8)
return sum * 100 + flips
"#,
    rhai: None,
};

pub const PEER_SPECTRAL_NORM: PeerProgram = PeerProgram {
    short: "spectral",
    cairn: BenchProgram {
        name: "spectral-norm (N = 100)",
        source: r#"// A(i, j) of the 1-based program at (i + 1, j + 1): ij = i + j + 1, in the same operation order.
fn a(i, j) = 1.0 / ((i + j + 1) * (i + j) * 0.5 + (i + 1))

fn dot_row(x, i, j, n, acc) = if j == n then acc else dot_row(x, i, j + 1, n, acc + x[j] * a(i, j))
fn dot_col(x, i, j, n, acc) = if j == n then acc else dot_col(x, i, j + 1, n, acc + x[j] * a(j, i))

fn av(x, i, n, y) = if i == n then y else av(x, i + 1, n, push(y, dot_row(x, i, 0, n, 0)))
fn atv(x, i, n, y) = if i == n then y else atv(x, i + 1, n, push(y, dot_col(x, i, 0, n, 0)))

fn atav(x, n) = atv(av(x, 0, n, []), 0, n, [])

// Ten rounds of v = AtA u; u = AtA v; returns (u, v).
fn rounds(k, u, n) = {
  v = atav(u, n);
  u2 = atav(v, n);
  if k == 10 then (u2, v) else rounds(k + 1, u2, n)
}

fn sums(u, v, i, n, vbv, vv) =
  if i == n then (vbv, vv)
  else sums(u, v, i + 1, n, vbv + u[i] * v[i], vv + v[i] * v[i])
fn main() = {
  n = 100;
  (u, v) = rounds(1, collect(map(range(0, n), \i -> 1)), n);
  (vbv, vv) = sums(u, v, 0, n, 0, 0);
  int(sqrt(vbv / vv) * 1e9)
}
"#,
        expected_result: "1274219991",
    },
    lua: r#"local function A(i, j)
  local ij = i + j - 1
  return 1.0 / (ij * (ij - 1) * 0.5 + i)
end

local function Av(x, y, N)
  for i = 1, N do
    local a = 0
    for j = 1, N do a = a + x[j] * A(i, j) end
    y[i] = a
  end
end

local function Atv(x, y, N)
  for i = 1, N do
    local a = 0
    for j = 1, N do a = a + x[j] * A(j, i) end
    y[i] = a
  end
end

local function AtAv(x, y, t, N)
  Av(x, t, N)
  Atv(t, y, N)
end
local N = 100
local u, v, t = {}, {}, {}
for i = 1, N do u[i] = 1 end
for i = 1, 10 do AtAv(u, v, t, N) AtAv(v, u, t, N) end
local vBv, vv = 0, 0
for i = 1, N do
  local ui, vi = u[i], v[i]
  vBv = vBv + ui * vi
  vv = vv + vi * vi
end
return math.floor(math.sqrt(vBv / vv) * 1e9)
"#,
    rhai: None,
};

pub const PEER_NBODY: PeerProgram = PeerProgram {
    short: "nbody",
    cairn: BenchProgram {
        name: "n-body (10,000 steps)",
        source: r#"fn solar_mass() = 4 * pi() * pi()

fn bodies() = {
  dpy = 365.24;
  sm = solar_mass();
  [
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, sm),
    (4.84143144246472090, -1.16032004402742839, -1.03622044471123109e-01,
     1.66007664274403694e-03 * dpy, 7.69901118419740425e-03 * dpy,
     -6.90460016972063023e-05 * dpy, 9.54791938424326609e-04 * sm),
    (8.34336671824457987, 4.12479856412430479, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * dpy, 4.99852801234917238e-03 * dpy,
     2.30417297573763929e-05 * dpy, 2.85885980666130812e-04 * sm),
    (1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * dpy, 2.37847173959480950e-03 * dpy,
     -2.96589568540237556e-05 * dpy, 4.36624404335156298e-05 * sm),
    (1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * dpy, 1.62824170038242295e-03 * dpy,
     -9.51592254519715870e-05 * dpy, 5.15138902046611451e-05 * sm)
  ]
}

// The pairs (i, j) for j > i: updates body j's velocity, returns the List and body i's velocity.
fn pairs(bs, j, n, dt, x, y, z, m, vx, vy, vz) = if j == n then (bs, vx, vy, vz) else {
  (bx, by, bz, bvx, bvy, bvz, bmass) = bs[j];
  dx = x - bx;
  dy = y - by;
  dz = z - bz;
  d2 = dx * dx + dy * dy + dz * dz;
  mag = dt / (sqrt(d2) * d2);
  bm = bmass * mag;
  im = m * mag;
  bs2 = set(bs, j, (bx, by, bz, bvx + dx * im, bvy + dy * im, bvz + dz * im, bmass));
  pairs(bs2, j + 1, n, dt, x, y, z, m, vx - dx * bm, vy - dy * bm, vz - dz * bm)
}

fn advance(bs, i, n, dt) = if i == n then bs else {
  (x, y, z, vx, vy, vz, m) = bs[i];
  (bs2, vx2, vy2, vz2) = pairs(bs, i + 1, n, dt, x, y, z, m, vx, vy, vz);
  advance(set(bs2, i, (x + dt * vx2, y + dt * vy2, z + dt * vz2, vx2, vy2, vz2, m)), i + 1, n, dt)
}

fn potential(bs, j, n, x, y, z, m, e) = if j == n then e else {
  (bx, by, bz, bvx, bvy, bvz, bmass) = bs[j];
  dx = x - bx;
  dy = y - by;
  dz = z - bz;
  potential(bs, j + 1, n, x, y, z, m, e - m * bmass / sqrt(dx * dx + dy * dy + dz * dz))
}

fn energy(bs, i, n, e) = if i == n then e else {
  (x, y, z, vx, vy, vz, m) = bs[i];
  e2 = e + 0.5 * m * (vx * vx + vy * vy + vz * vz);
  energy(bs, i + 1, n, potential(bs, i + 1, n, x, y, z, m, e2))
}

fn momentum(bs, i, n, px, py, pz) = if i == n then (px, py, pz) else {
  (x, y, z, vx, vy, vz, m) = bs[i];
  momentum(bs, i + 1, n, px + vx * m, py + vy * m, pz + vz * m)
}

fn offset_momentum(bs, n) = {
  (px, py, pz) = momentum(bs, 0, n, 0, 0, 0);
  (x, y, z, vx, vy, vz, m) = bs[0];
  sm = solar_mass();
  set(bs, 0, (x, y, z, -px / sm, -py / sm, -pz / sm, m))
}

fn steps(k, bs, n) = if k == 0 then bs else steps(k - 1, advance(bs, 0, n, 0.01), n)
fn main() = int(energy(steps(10000, offset_momentum(bodies(), 5), 5), 0, 5, 0) * 1e9)
"#,
        expected_result: "-169016441",
    },
    lua: r#"local sqrt = math.sqrt

local PI = math.pi
local SOLAR_MASS = 4 * PI * PI
local DAYS_PER_YEAR = 365.24
local bodies = {
  { x = 0, y = 0, z = 0, vx = 0, vy = 0, vz = 0, mass = SOLAR_MASS }, -- Sun
  { -- Jupiter
    x = 4.84143144246472090e+00,
    y = -1.16032004402742839e+00,
    z = -1.03622044471123109e-01,
    vx = 1.66007664274403694e-03 * DAYS_PER_YEAR,
    vy = 7.69901118419740425e-03 * DAYS_PER_YEAR,
    vz = -6.90460016972063023e-05 * DAYS_PER_YEAR,
    mass = 9.54791938424326609e-04 * SOLAR_MASS
  },
  { -- Saturn
    x = 8.34336671824457987e+00,
    y = 4.12479856412430479e+00,
    z = -4.03523417114321381e-01,
    vx = -2.76742510726862411e-03 * DAYS_PER_YEAR,
    vy = 4.99852801234917238e-03 * DAYS_PER_YEAR,
    vz = 2.30417297573763929e-05 * DAYS_PER_YEAR,
    mass = 2.85885980666130812e-04 * SOLAR_MASS
  },
  { -- Uranus
    x = 1.28943695621391310e+01,
    y = -1.51111514016986312e+01,
    z = -2.23307578892655734e-01,
    vx = 2.96460137564761618e-03 * DAYS_PER_YEAR,
    vy = 2.37847173959480950e-03 * DAYS_PER_YEAR,
    vz = -2.96589568540237556e-05 * DAYS_PER_YEAR,
    mass = 4.36624404335156298e-05 * SOLAR_MASS
  },
  { -- Neptune
    x = 1.53796971148509165e+01,
    y = -2.59193146099879641e+01,
    z = 1.79258772950371181e-01,
    vx = 2.68067772490389322e-03 * DAYS_PER_YEAR,
    vy = 1.62824170038242295e-03 * DAYS_PER_YEAR,
    vz = -9.51592254519715870e-05 * DAYS_PER_YEAR,
    mass = 5.15138902046611451e-05 * SOLAR_MASS
  },
}

local function advance(bodies, nbody, dt)
  for i = 1, nbody do
    local bi = bodies[i]
    local bix, biy, biz, bimass = bi.x, bi.y, bi.z, bi.mass
    local bivx, bivy, bivz = bi.vx, bi.vy, bi.vz
    for j = i + 1, nbody do
      local bj = bodies[j]
      local dx, dy, dz = bix - bj.x, biy - bj.y, biz - bj.z
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = sqrt(d2)
      mag = dt / (mag * d2)
      local bm = bj.mass * mag
      bivx = bivx - (dx * bm)
      bivy = bivy - (dy * bm)
      bivz = bivz - (dz * bm)
      bm = bimass * mag
      bj.vx = bj.vx + (dx * bm)
      bj.vy = bj.vy + (dy * bm)
      bj.vz = bj.vz + (dz * bm)
    end
    bi.vx = bivx
    bi.vy = bivy
    bi.vz = bivz
    bi.x = bix + dt * bivx
    bi.y = biy + dt * bivy
    bi.z = biz + dt * bivz
  end
end

local function energy(bodies, nbody)
  local e = 0
  for i = 1, nbody do
    local bi = bodies[i]
    local vx, vy, vz, bim = bi.vx, bi.vy, bi.vz, bi.mass
    e = e + (0.5 * bim * (vx * vx + vy * vy + vz * vz))
    for j = i + 1, nbody do
      local bj = bodies[j]
      local dx, dy, dz = bi.x - bj.x, bi.y - bj.y, bi.z - bj.z
      local distance = sqrt(dx * dx + dy * dy + dz * dz)
      e = e - ((bim * bj.mass) / distance)
    end
  end
  return e
end

local function offsetMomentum(b, nbody)
  local px, py, pz = 0, 0, 0
  for i = 1, nbody do
    local bi = b[i]
    local bim = bi.mass
    px = px + (bi.vx * bim)
    py = py + (bi.vy * bim)
    pz = pz + (bi.vz * bim)
  end
  b[1].vx = -px / SOLAR_MASS
  b[1].vy = -py / SOLAR_MASS
  b[1].vz = -pz / SOLAR_MASS
end

local function trunc(x)
  if x < 0 then return math.ceil(x) else return math.floor(x) end
end
local nbody = #bodies
offsetMomentum(bodies, nbody)
for i = 1, 10000 do advance(bodies, nbody, 0.01) end
return trunc(energy(bodies, nbody) * 1e9)
"#,
    rhai: None,
};

/// The Benchmarks Game programs, in table order (after [`crate::peer_programs::PEER_PROGRAMS`]'s).
pub const PEER_GAMES: &[PeerProgram] = &[
    PEER_BINARY_TREES,
    PEER_FANNKUCH,
    PEER_SPECTRAL_NORM,
    PEER_NBODY,
];
