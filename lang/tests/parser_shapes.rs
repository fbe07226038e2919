//! Parser precedence, associativity, desugaring and newline rules, checked by printing the
//! AST of `fn main() = ...` bodies as S-expressions.

use cairn_lang::ast::{Expr, ExprKind, ItemKind, ListElement};
use cairn_lang::ir::BinaryOp;
use cairn_lang::parser::parse;

fn sexpr(expr: &Expr) -> String {
    let list = |items: Vec<String>| items.join(" ");
    match &expr.kind {
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Unit => "()".into(),
        ExprKind::Text(t) => format!("{t:?}"),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Negate(e) => format!("(neg {})", sexpr(e)),
        ExprKind::Not(e) => format!("(not {})", sexpr(e)),
        ExprKind::Binary(op, l, r) => {
            let name = match op {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                BinaryOp::Rem => "%",
                BinaryOp::Concat => "++",
                BinaryOp::Eq => "==",
                BinaryOp::Ne => "!=",
                BinaryOp::Lt => "<",
                BinaryOp::Le => "<=",
                BinaryOp::Gt => ">",
                BinaryOp::Ge => ">=",
            };
            format!("({name} {} {})", sexpr(l), sexpr(r))
        }
        ExprKind::And(l, r) => format!("(and {} {})", sexpr(l), sexpr(r)),
        ExprKind::Or(l, r) => format!("(or {} {})", sexpr(l), sexpr(r)),
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => format!(
            "(if {} {} {})",
            sexpr(condition),
            sexpr(then_branch),
            sexpr(else_branch)
        ),
        ExprKind::Call { callee, args } => {
            format!(
                "({} {})",
                sexpr(callee),
                list(args.iter().map(sexpr).collect())
            )
        }
        ExprKind::Index { base, index } => format!("(at {} {})", sexpr(base), sexpr(index)),
        ExprKind::MethodCall {
            receiver,
            method,
            args,
        } => {
            let mut items = vec![sexpr(receiver)];
            items.extend(args.iter().map(sexpr));
            format!("(.{} {})", method.text, list(items))
        }
        ExprKind::List(elements) => format!(
            "[{}]",
            list(
                elements
                    .iter()
                    .map(|e| match e {
                        ListElement::Single(e) => sexpr(e),
                        ListElement::Spread(e) => format!("...{}", sexpr(e)),
                    })
                    .collect()
            )
        ),
        ExprKind::Tuple(elements) => {
            format!("(tuple {})", list(elements.iter().map(sexpr).collect()))
        }
        ExprKind::Map(entries) => format!(
            "#{{{}}}",
            list(
                entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", sexpr(k), sexpr(v)))
                    .collect()
            )
        ),
        ExprKind::Block(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|item| match &item.kind {
                    ItemKind::Bind(name, e) => format!("{}={}", name.text, sexpr(e)),
                    ItemKind::Destructure(pattern, e) => format!(
                        "({})={}",
                        pattern
                            .names
                            .iter()
                            .map(|n| n.text.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        sexpr(e)
                    ),
                    ItemKind::Expr(e) => sexpr(e),
                    other => other.kind_name().to_string(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ExprKind::Lambda { params, body } => format!(
            "(\\{} {})",
            params
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(","),
            sexpr(body)
        ),
        ExprKind::Deref(e) => format!("(! {})", sexpr(e)),
        ExprKind::Assign(target, value) => format!("(:= {} {})", sexpr(target), sexpr(value)),
        ExprKind::Generate(items) => format!("(generate {})", items.len()),
        ExprKind::Loop { body, init, .. } => format!("(loop {} {})", sexpr(init), body.len()),
        ExprKind::Unsupported => "<unsupported>".into(),
    }
}

fn body(source: &str) -> String {
    let program = parse(&format!("fn main() = {source}")).unwrap_or_else(|e| panic!("{e:?}"));
    sexpr(&program.functions[0].body)
}

#[test]
fn precedence_from_pipeline_down_to_postfix() {
    assert_eq!(body("1 + 2 * 3 - 4"), "(- (+ 1 (* 2 3)) 4)");
    assert_eq!(body("a ++ b + c"), "(++ a (+ b c))");
    assert_eq!(body("a + b < c ++ d"), "(< (+ a b) (++ c d))");
    assert_eq!(
        body("not a == b and c or d"),
        "(or (and (not (== a b)) c) d)"
    );
    assert_eq!(body("-x[0] * -f(y)"), "(* (neg (at x 0)) (neg (f y)))");
    assert_eq!(body("x |> f(1) |> g"), "(g (f x 1))");
    assert_eq!(body("a or b |> f"), "(f (or a b))");
    assert_eq!(body("1 + if c then 2 else 3 + 4"), "(+ 1 (if c 2 (+ 3 4)))");
    assert_eq!(body("-p.hp() * 2"), "(* (neg (.hp p)) 2)");
    assert_eq!(body("a.b(1)[0].c(x, y)"), "(.c (at (.b a 1) 0) x y)");
    assert_eq!(body("p.f() |> g"), "(g (.f p))");
    assert_eq!(body("1.5.abs()"), "(.abs 1.5)");
}

#[test]
fn literals_tuples_lists_maps_and_negative_literal_folding() {
    assert_eq!(body("-5 - -0x10"), "(- -5 -16)");
    assert_eq!(body("(1,)"), "(tuple 1)");
    assert_eq!(body("((1), (2, 3), ())"), "(tuple 1 (tuple 2 3) ())");
    assert_eq!(body("[1, ...xs, 2,]"), "[1 ...xs 2]");
    assert_eq!(
        body("#{\"a\": 1, (1, 2): [3]}"),
        "#{\"a\":1 (tuple 1 2):[3]}"
    );
    assert_eq!(body("1.5e3 + 2.0"), "(+ 1500.0 2.0)");
}

#[test]
fn block_items_are_split_by_semicolons_and_newlines() {
    assert_eq!(
        body("{ x = 1; (a, b) = t\n  x + a }"),
        "{x=1; (a,b)=t; (+ x a)}"
    );
    // A newline before `(`, `[` or `-` starts a new item.
    assert_eq!(
        body("{\n  f\n  (a, b) = t\n  [1]\n  -1\n}"),
        "{f; (a,b)=t; [1]; -1}"
    );
    // Other operators at the start of a line continue the expression.
    assert_eq!(body("{\n  x\n    |> f()\n    |> g\n}"), "{(g (f x))}");
    assert_eq!(body("{\n  x\n    + 1\n}"), "{(+ x 1)}");
    // Inside parentheses newlines do not matter.
    assert_eq!(body("{ (a\n - b) }"), "{(- a b)}");
    assert_eq!(body("{ }"), "{}");
    assert_eq!(
        body("{ x <- xs; when c; yield x; recurse y }"),
        "{BindFrom; Filter; Yield; Recurse}"
    );
}

#[test]
fn comparisons_are_non_associative() {
    let errors = parse("fn main() = a == b == c").unwrap_err();
    assert_eq!(errors[0].code, "E0001");
    assert_eq!(body("(a == b) == c"), "(== (== a b) c)");
}

#[test]
fn lambdas_refs_and_generators() {
    assert_eq!(body("\\x, y -> x + y"), "(\\x,y (+ x y))");
    assert_eq!(body("\\ -> 1"), "(\\ 1)");
    // The lambda body extends as far as possible; the callee of a call may be any expression.
    assert_eq!(body("f(\\x -> x)(2)"), "((f (\\x x)) 2)");
    assert_eq!(body("fs[0](5)"), "((at fs 0) 5)");
    assert_eq!(body("!r + 1"), "(+ (! r) 1)");
    // `:=` has the lowest precedence.
    assert_eq!(body("r := !r + 1"), "(:= r (+ (! r) 1))");
    assert_eq!(body("{ r := 2; !r }"), "{(:= r 2); (! r)}");
    assert_eq!(body("generate { x <- xs; yield x }"), "(generate 2)");
    assert_eq!(
        body("loop (a, b) = (0, 1) { yield a; recurse (b, a + b) }"),
        "(loop (tuple 0 1) 2)"
    );
}
