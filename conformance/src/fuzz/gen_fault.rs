//! Programs that fail on purpose: one expression per runtime code the engines can raise from source
//! (every RT code of docs/LANGUAGE.md, "Runtime diagnostics" except RT0201, which only host-built
//! IR reaches, RT0503 cancellation, RT0601 ABI, RT07xx host functions and RT0801 audit), placed in
//! `main`, in a callback pulled by a sequence consumer, or in a named function.

use super::ast::{Expr, FnDef, Kind, ProgramLimits, call, int, var};
use super::generator::Gen;
use super::ty::Ty;

/// The runtime codes the generator targets.
pub const TARGETED_CODES: &[&str] = &[
    "RT0101", "RT0102", "RT0103", "RT0104", "RT0105", "RT0106", "RT0301", "RT0302", "RT0303",
    "RT0304", "RT0305", "RT0401", "RT0402", "RT0403", "RT0501", "RT0502", "RT0900",
];

fn text(t: &str) -> Expr {
    Expr::leaf(Kind::Text(t.to_string()), Ty::Text)
}

fn bin(op: &'static str, a: Expr, b: Expr) -> Expr {
    Expr::new(Kind::Binary(op), Ty::Int, vec![a, b])
}

fn index(e: Expr, i: Expr) -> Expr {
    Expr::new(Kind::Index, Ty::Int, vec![e, i])
}

fn lambda(params: &[&str], body: Expr) -> Expr {
    Expr::new(
        Kind::Lambda(params.iter().map(|p| p.to_string()).collect()),
        Ty::func(vec![Ty::Int; params.len()], Ty::Int),
        vec![body],
    )
}

/// `{ name = value; body }`.
fn let_in(name: &str, value: Expr, body: Expr) -> Expr {
    Expr::new(
        Kind::Block,
        body.ty.clone(),
        vec![
            Expr::item(Kind::Bind(name.to_string()), vec![value]),
            Expr::item(Kind::ExprItem, vec![body]),
        ],
    )
}

/// A block item of `main` that fails with one of [`TARGETED_CODES`]; may add a function or
/// tighten `limits`.
pub fn fault(g: &mut Gen, functions: &mut Vec<FnDef>, limits: &mut ProgramLimits) -> Expr {
    let code = TARGETED_CODES[g.below(TARGETED_CODES.len())];
    g.used(match code {
        "RT0101" => "fault:RT0101",
        "RT0102" => "fault:RT0102",
        "RT0103" => "fault:RT0103",
        "RT0104" => "fault:RT0104",
        "RT0105" => "fault:RT0105",
        "RT0106" => "fault:RT0106",
        "RT0301" => "fault:RT0301",
        "RT0302" => "fault:RT0302",
        "RT0303" => "fault:RT0303",
        "RT0304" => "fault:RT0304",
        "RT0305" => "fault:RT0305",
        "RT0401" => "fault:RT0401",
        "RT0402" => "fault:RT0402",
        "RT0403" => "fault:RT0403",
        "RT0501" => "fault:RT0501",
        "RT0502" => "fault:RT0502",
        _ => "fault:RT0900",
    });
    let placement = g.below(4);
    let failing = if placement == 1 {
        // A function of its own sees none of main's locals.
        g.with_empty_scope(|g| failing_expr(g, code, functions, limits))
    } else {
        failing_expr(g, code, functions, limits)
    };
    let placed = match placement {
        0 => {
            g.used("fault in callback");
            let body = Expr::new(
                Kind::Block,
                Ty::Int,
                vec![
                    Expr::item(Kind::ExprItem, vec![failing]),
                    Expr::item(Kind::ExprItem, vec![var("p0", Ty::Int)]),
                ],
            );
            let list = Expr::new(
                Kind::List(vec![false, false]),
                Ty::list(Ty::Int),
                vec![int(1), int(2)],
            );
            let mapped = call("map", Ty::seq(Ty::Int), vec![list, lambda(&["p0"], body)]);
            call("collect", Ty::list(Ty::Int), vec![mapped])
        }
        1 => {
            g.used("fault in function");
            let name = g.fresh("f");
            functions.push(FnDef {
                name: name.clone(),
                params: Vec::new(),
                body: failing,
            });
            call(&name, Ty::Int, Vec::new())
        }
        _ => failing,
    };
    Expr::item(Kind::ExprItem, vec![placed])
}

fn failing_expr(
    g: &mut Gen,
    code: &str,
    functions: &mut Vec<FnDef>,
    limits: &mut ProgramLimits,
) -> Expr {
    let some_list = |g: &mut Gen| g.expr(&Ty::list(Ty::Int), 1);
    match code {
        "RT0101" => {
            let xs = some_list(g);
            index(xs, text("k"))
        }
        "RT0102" => {
            let t = g.expr(&Ty::Tuple(vec![Ty::Int, Ty::Text]), 1);
            index(t, Expr::leaf(Kind::Bool(true), Ty::Bool))
        }
        "RT0103" => {
            let xs = some_list(g);
            let beyond = bin(
                "+",
                call("len", Ty::Int, vec![var("t0", Ty::list(Ty::Int))]),
                int(g.int_in(0, 3)),
            );
            if g.chance(0.3) {
                let sliced = call(
                    "slice",
                    Ty::list(Ty::Int),
                    vec![
                        var("t0", Ty::list(Ty::Int)),
                        int(0),
                        bin("+", beyond, int(1)),
                    ],
                );
                let_in("t0", xs, sliced)
            } else {
                let_in("t0", xs, index(var("t0", Ty::list(Ty::Int)), beyond))
            }
        }
        "RT0104" => {
            let m = g.expr(&Ty::map(Ty::Int, Ty::Int), 1);
            let bad_key = match g.below(3) {
                0 => Expr::new(Kind::List(vec![false]), Ty::list(Ty::Int), vec![int(1)]),
                1 => Expr::new(
                    Kind::Binary("/"),
                    Ty::Float,
                    vec![
                        Expr::leaf(Kind::Float(0.0), Ty::Float),
                        Expr::leaf(Kind::Float(0.0), Ty::Float),
                    ],
                ),
                _ => call("ref", Ty::Ref(Box::new(Ty::Int)), vec![int(1)]),
            };
            if g.chance(0.5) {
                call("insert", m.ty.clone(), vec![m, bad_key, int(1)])
            } else {
                Expr::new(Kind::Map, Ty::map(Ty::Int, Ty::Int), vec![bad_key, int(2)])
            }
        }
        "RT0105" => {
            let m = g.expr(&Ty::map(Ty::Int, Ty::Int), 1);
            let k = int(g.int_in(-3, 5));
            let removed = call("remove", m.ty.clone(), vec![m, k.clone()]);
            index(removed, k)
        }
        "RT0106" => {
            let of = [Ty::Int, Ty::Bool, Ty::Text, Ty::Float][g.below(4)].clone();
            let v = g.expr(&of, 1);
            index(v, int(0))
        }
        "RT0301" => {
            let big = int(140_737_488_355_327);
            match g.below(3) {
                0 => bin("+", big, int(g.int_in(1, 9))),
                1 => bin("*", int(70_368_744_177_664), int(g.int_in(2, 5))),
                _ => {
                    let xs = Expr::new(
                        Kind::List(vec![false, false]),
                        Ty::list(Ty::Int),
                        vec![big, int(1)],
                    );
                    call("sum", Ty::Int, vec![xs])
                }
            }
        }
        "RT0302" => {
            let a = g.expr(&Ty::Int, 1);
            let op = ["/", "%"][g.below(2)];
            bin(op, a, int(0))
        }
        "RT0303" => type_mismatch(g),
        "RT0304" => {
            let v = g.expr(&Ty::Int, 1);
            let called = Expr::new(Kind::CallValue, Ty::Int, vec![var("t0", Ty::Int), int(1)]);
            let_in("t0", v, called)
        }
        "RT0305" => match g.below(3) {
            0 => {
                let f = lambda(&["p0"], var("p0", Ty::Int));
                let called = Expr::new(
                    Kind::CallValue,
                    Ty::Int,
                    vec![var("t0", f.ty.clone()), int(1), int(2)],
                );
                let_in("t0", f, called)
            }
            1 => {
                let f = lambda(&["p0", "p1"], var("p0", Ty::Int));
                let mapped = call("map", Ty::seq(Ty::Int), vec![some_list(g), f]);
                call("collect", Ty::list(Ty::Int), vec![mapped])
            }
            _ => {
                let f = lambda(&["p0"], var("p0", Ty::Int));
                let list = Expr::new(Kind::List(vec![false]), Ty::list(Ty::Int), vec![int(3)]);
                call("fold", Ty::Int, vec![list, int(0), f])
            }
        },
        "RT0401" | "RT0402" => {
            if code == "RT0401" {
                limits.heap = Some(g.int_in(150, 600) as u32);
            } else {
                limits.quota = Some(g.int_in(40, 400) as u32);
            }
            let label = bin(
                "++",
                call("str", Ty::Text, vec![var("p0", Ty::Int)]),
                text("-label"),
            );
            let mapped = call(
                "map",
                Ty::seq(Ty::Text),
                vec![
                    call("range", Ty::seq(Ty::Int), vec![int(0), int(100_000)]),
                    lambda(&["p0"], label),
                ],
            );
            call("collect", Ty::list(Ty::Text), vec![mapped])
        }
        "RT0403" => match g.below(3) {
            0 => call("ref", Ty::Int, vec![call("ref", Ty::Int, vec![int(1)])]),
            1 => {
                let cell = call("ref", Ty::Int, vec![int(0)]);
                let list = Expr::new(
                    Kind::List(vec![false]),
                    Ty::Int,
                    vec![call("ref", Ty::Int, vec![int(1)])],
                );
                let assign = Expr::new(Kind::Assign, Ty::Unit, vec![var("t0", Ty::Int), list]);
                let_in("t0", cell, assign)
            }
            _ => {
                let cell = call("ref", Ty::Int, vec![int(0)]);
                let reads = lambda(
                    &["p0"],
                    Expr::new(Kind::Deref, Ty::Int, vec![var("t0", Ty::Int)]),
                );
                let_in("t0", cell, call("ref", Ty::Int, vec![reads]))
            }
        },
        "RT0501" => {
            let depth = g.int_in(20, 80);
            limits.depth = Some(depth as u64);
            let name = recursive_helper(g, functions, false);
            call(&name, Ty::Int, vec![int(depth + g.int_in(5, 200)), int(1)])
        }
        "RT0502" => {
            limits.fuel = g.int_in(20, 3000) as u64;
            let name = recursive_helper(g, functions, true);
            call(&name, Ty::Int, vec![int(1_000_000), int(0)])
        }
        _ => {
            let message = if g.chance(0.5) {
                text(&g.text_value())
            } else {
                let of = g.any_ty(1);
                call("str", Ty::Text, vec![g.expr(&of, 1)])
            };
            call("fail", Ty::Int, vec![message])
        }
    }
}

/// `fn f(n, acc) = if n <= 0 then acc else f(n - 1, acc + 1)` (tail) or
/// `... else 1 + f(n - 1, acc)` (non-tail); returns its name.
fn recursive_helper(g: &mut Gen, functions: &mut Vec<FnDef>, tail: bool) -> String {
    let name = g.fresh("f");
    let n = var("n", Ty::Int);
    let acc = var("acc", Ty::Int);
    let next = bin("-", n.clone(), int(1));
    let again = if tail {
        call(&name, Ty::Int, vec![next, bin("+", acc.clone(), int(1))])
    } else {
        bin("+", int(1), call(&name, Ty::Int, vec![next, acc.clone()]))
    };
    let stop = Expr::new(Kind::Binary("<="), Ty::Bool, vec![n, int(0)]);
    functions.push(FnDef {
        name: name.clone(),
        params: vec!["n".into(), "acc".into()],
        body: Expr::new(Kind::If, Ty::Int, vec![stop, acc, again]),
    });
    name
}

fn type_mismatch(g: &mut Gen) -> Expr {
    g.used("type mismatch");
    let t = Ty::Int;
    match g.below(9) {
        0 => bin("+", g.expr(&Ty::Int, 1), text("a")),
        1 => Expr::new(
            Kind::Binary("and"),
            Ty::Bool,
            vec![int(1), Expr::leaf(Kind::Bool(true), Ty::Bool)],
        ),
        2 => Expr::new(Kind::Not, Ty::Bool, vec![int(3)]),
        3 => Expr::new(Kind::If, t, vec![int(3), int(1), int(2)]),
        4 => {
            let a = g.expr(&Ty::list(Ty::Int), 1);
            let b = g.expr(&Ty::list(Ty::Int), 1);
            Expr::new(Kind::Binary("<"), Ty::Bool, vec![a, b])
        }
        5 => call(
            "count",
            Ty::Int,
            vec![call(
                "range",
                Ty::seq(Ty::Int),
                vec![int(0), int(5), int(0)],
            )],
        ),
        6 => Expr::new(Kind::Deref, t, vec![g.expr(&Ty::Int, 1)]),
        7 => {
            let when = Expr::item(Kind::When, vec![int(1)]);
            let yielded = Expr::item(Kind::Yield, vec![int(2)]);
            let generated = Expr::new(Kind::Generate, Ty::seq(Ty::Int), vec![when, yielded]);
            call("count", Ty::Int, vec![generated])
        }
        _ => {
            let tuple = Expr::new(
                Kind::Tuple,
                Ty::Tuple(vec![Ty::Int; 3]),
                vec![int(1), int(2), int(3)],
            );
            Expr::new(
                Kind::Block,
                Ty::Unit,
                vec![Expr::item(
                    Kind::BindTuple(vec!["t1".into(), "t2".into()]),
                    vec![tuple],
                )],
            )
        }
    }
}
