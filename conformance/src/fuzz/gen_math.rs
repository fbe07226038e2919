//! Productions of the generator for the math builtins (docs/LANGUAGE.md, "Standard
//! library" / "Math") and the random-number Seqs: calls over generated numbers mixed with
//! the edge values (NaN, ±0.0, ±inf, the Int limits ±(2^47 − 1) and −2^47, shift counts
//! at and past the ends of 0 ..= 47), so that overflow and RT0306 paths run too.

use super::ast::{Expr, Kind, call, int};
use super::gen_values::binary;
use super::generator::Gen;
use super::ty::Ty;

const INT_MAX: i64 = (1 << 47) - 1;
const INT_MIN: i64 = -(1 << 47);

fn float(x: f64) -> Expr {
    Expr::leaf(Kind::Float(x), Ty::Float)
}

/// An edge-case Float: NaN and the infinities as divisions (they have no literal).
fn edge_float(g: &mut Gen) -> Expr {
    match g.below(8) {
        0 => binary("/", Ty::Float, float(0.0), float(0.0)),
        1 => binary("/", Ty::Float, float(1.0), float(0.0)),
        2 => binary("/", Ty::Float, float(-1.0), float(0.0)),
        3 => float(-0.0),
        4 => float(0.0),
        5 => float(140737488355328.0),
        6 => float(-140737488355328.5),
        _ => float([0.5, -2.5, 1e300, -1e-300][g.below(4)]),
    }
}

fn edge_int(g: &mut Gen) -> Expr {
    int([INT_MAX, -INT_MAX, INT_MIN, 0, -1, 1, 47, 48][g.below(8)])
}

/// A number argument: usually generated, sometimes an edge value.
fn number(g: &mut Gen, depth: u32) -> Expr {
    match g.below(6) {
        0 => edge_float(g),
        1 => edge_int(g),
        2 => g.expr(&Ty::Float, depth),
        _ => g.expr(&Ty::Int, depth),
    }
}

fn int_arg(g: &mut Gen, depth: u32) -> Expr {
    if g.chance(0.3) {
        edge_int(g)
    } else {
        g.expr(&Ty::Int, depth)
    }
}

/// An Int-typed math call: the result is an Int whatever the arguments' kinds are.
pub fn int_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Int;
    match g.below(7) {
        0 | 1 => {
            let name = ["band", "bor", "bxor"][g.below(3)];
            g.used("math bits");
            let (a, b) = (int_arg(g, depth), int_arg(g, depth));
            call(name, t, vec![a, b])
        }
        2 | 3 => {
            let name = ["shl", "shr"][g.below(2)];
            g.used("math shift");
            let x = int_arg(g, depth);
            let n = if g.chance(0.8) {
                int(g.int_in(-1, 48))
            } else {
                g.expr(&Ty::Int, depth)
            };
            call(name, t, vec![x, n])
        }
        4 => {
            g.used("math int");
            let x = number(g, depth);
            call("int", t, vec![x])
        }
        5 => {
            // Int arguments keep the Int kind through these.
            let name = [
                "abs", "floor", "ceil", "round", "trunc", "min", "max", "pow",
            ][g.below(8)];
            g.used("math int kinds");
            let a = int_arg(g, depth);
            let kids = match name {
                "min" | "max" => vec![a, int_arg(g, depth)],
                "pow" => vec![a, int(g.int_in(-1, 49))],
                _ => vec![a],
            };
            call(name, t, kids)
        }
        _ => {
            g.used("math clamp");
            let x = int_arg(g, depth);
            // Mostly ordered bounds; sometimes anything (RT0306 when `lo > hi`).
            let (lo, hi) = if g.chance(0.8) {
                (int(g.int_in(-5, 0)), int(g.int_in(0, 5)))
            } else {
                (int_arg(g, depth), g.expr(&Ty::Int, depth))
            };
            call("clamp", t, vec![x, lo, hi])
        }
    }
}

/// A Float-typed math call (every argument a number; Float functions always give Floats).
pub fn float_expr(g: &mut Gen, depth: u32) -> Expr {
    let t = Ty::Float;
    match g.below(6) {
        0 | 1 => {
            let name = ["sqrt", "exp", "ln", "sin", "cos", "tan", "float"][g.below(7)];
            g.used("math float function");
            let x = number(g, depth);
            call(name, t, vec![x])
        }
        2 => {
            let name = ["log", "atan2", "pow"][g.below(3)];
            g.used("math float binary");
            let a = number(g, depth);
            // `pow` gives a Float only with a Float argument.
            let b = if name == "pow" {
                edge_float(g)
            } else {
                number(g, depth)
            };
            call(name, t, vec![a, b])
        }
        3 => {
            let name = ["floor", "ceil", "round", "trunc", "abs"][g.below(5)];
            g.used("math float rounding");
            let x = if g.chance(0.5) {
                edge_float(g)
            } else {
                g.expr(&Ty::Float, depth)
            };
            call(name, t, vec![x])
        }
        4 => {
            let name = ["min", "max"][g.below(2)];
            g.used("math min max");
            let (a, b) = (edge_float(g), g.expr(&Ty::Float, depth));
            let kids = if g.chance(0.5) {
                vec![a, b]
            } else {
                vec![b, a]
            };
            call(name, t, kids)
        }
        _ => {
            g.used("math pi");
            call("pi", t, vec![])
        }
    }
}

/// `is_nan` of a number.
pub fn bool_expr(g: &mut Gen, depth: u32) -> Expr {
    g.used("math is_nan");
    let x = number(g, depth);
    call("is_nan", Ty::Bool, vec![x])
}

/// A finite Seq of random numbers, `take(random_*(seed), k)`, for a Seq of Ints or Floats
/// (seeds and bounds include the Int limits, and sometimes a bad bound: RT0306).
pub fn random_seq(g: &mut Gen, of: &Ty, depth: u32) -> Option<Expr> {
    let t = Ty::seq(of.clone());
    let seed = int_arg(g, depth);
    let source = match of {
        Ty::Int if g.chance(0.5) => {
            g.used("random ints");
            call("random_ints", t.clone(), vec![seed])
        }
        Ty::Int => {
            g.used("random below");
            let n = if g.chance(0.9) {
                int([1, 2, 6, 10, 1000, INT_MAX][g.below(6)])
            } else {
                int_arg(g, depth)
            };
            call("random_below", t.clone(), vec![seed, n])
        }
        Ty::Float => {
            g.used("random floats");
            call("random_floats", t.clone(), vec![seed])
        }
        _ => return None,
    };
    Some(call("take", t, vec![source, int(g.int_in(0, 4))]))
}
