//! Deeply nested expressions (operator chains in parentheses, nested blocks, `if` chains),
//! bounded well below the front end's limit of 256 nesting levels.

use super::ast::{Expr, Kind};
use super::generator::Gen;
use super::ty::Ty;

/// `vN = <deep expression>` as a block item.
pub fn deep_item(g: &mut Gen) -> Expr {
    let mut e = Expr::leaf(Kind::Int(g.int_in(0, 9)), Ty::Int);
    match g.below(3) {
        0 => {
            g.used("deep operator nesting");
            for _ in 0..g.int_in(20, 80) {
                let op = ["+", "-", "*"][g.below(3)];
                let small = Expr::leaf(Kind::Int(g.int_in(0, 3)), Ty::Int);
                e = Expr::new(Kind::Binary(op), Ty::Int, vec![small, e]);
            }
        }
        1 => {
            g.used("deep block nesting");
            for _ in 0..g.int_in(20, 70) {
                let name = g.fresh("d");
                let value = Expr::leaf(Kind::Int(g.int_in(0, 3)), Ty::Int);
                let sum = Expr::new(
                    Kind::Binary("+"),
                    Ty::Int,
                    vec![Expr::leaf(Kind::Var(name.clone()), Ty::Int), e],
                );
                e = Expr::new(
                    Kind::Block,
                    Ty::Int,
                    vec![
                        Expr::item(Kind::Bind(name), vec![value]),
                        Expr::item(Kind::ExprItem, vec![sum]),
                    ],
                );
            }
        }
        _ => {
            g.used("deep if nesting");
            for _ in 0..g.int_in(20, 70) {
                let c = Expr::leaf(Kind::Bool(g.chance(0.8)), Ty::Bool);
                let other = Expr::leaf(Kind::Int(g.int_in(0, 9)), Ty::Int);
                e = Expr::new(Kind::If, Ty::Int, vec![c, e, other]);
            }
        }
    }
    let name = g.fresh("v");
    g.bind(&name, Ty::Int);
    Expr::item(Kind::Bind(name), vec![e])
}
