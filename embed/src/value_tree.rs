//! The standard traits of [`Value`] (`Drop`, `Clone`, `PartialEq`, `Debug`, `Display`),
//! written as loops over an explicit stack instead of derived: a host `Value` can be nested
//! as deep as the script's (a List 100,000 deep), and derived code recurses once per level
//! on the thread's stack. See docs/EMBEDDING.md ("Values of any depth").

use std::fmt;

use cairn_runtime::objects::print::push_quoted;

use crate::value::Value;

/// The child count of a container (a Map's children are its keys and values, in turn), or
/// `None` for a leaf.
pub(crate) fn child_count(value: &Value) -> Option<usize> {
    match value {
        Value::List(items) | Value::Tuple(items) => Some(items.len()),
        Value::Map(entries) => Some(entries.len() * 2),
        _ => None,
    }
}

/// Child `index` of a container (`index < child_count`).
pub(crate) fn child_at(value: &Value, index: usize) -> &Value {
    match value {
        Value::List(items) | Value::Tuple(items) => &items[index],
        Value::Map(entries) => {
            let (key, item) = &entries[index / 2];
            if index.is_multiple_of(2) { key } else { item }
        }
        _ => unreachable!("child_at of a leaf"),
    }
}

/// A container like `shape` (List, Tuple or Map) holding `children` (a Map's as
/// key, value, key, value, ...).
pub(crate) fn rebuild(shape: &Value, children: Vec<Value>) -> Value {
    match shape {
        Value::List(_) => Value::List(children),
        Value::Tuple(_) => Value::Tuple(children),
        _ => {
            let mut entries = Vec::with_capacity(children.len() / 2);
            let mut children = children.into_iter();
            while let (Some(key), Some(item)) = (children.next(), children.next()) {
                entries.push((key, item));
            }
            Value::Map(entries)
        }
    }
}

/// Moves the children of `value` onto `stack` when any of them has children itself (a
/// container of leaves drops in place: its leaves hold no `Value`).
fn take_nested_children(value: &mut Value, stack: &mut Vec<Value>) {
    let nested = |child: &Value| child_count(child).is_some_and(|count| count > 0);
    match value {
        Value::List(items) | Value::Tuple(items) if items.iter().any(nested) => {
            stack.extend(std::mem::take(items));
        }
        Value::Map(entries) if entries.iter().any(|(k, v)| nested(k) || nested(v)) => {
            for (key, item) in std::mem::take(entries) {
                stack.push(key);
                stack.push(item);
            }
        }
        _ => {}
    }
}

impl Drop for Value {
    /// Frees nested containers from an explicit stack: each value popped is emptied of its
    /// nested children before it drops, so no drop recurses more than one level.
    fn drop(&mut self) {
        let mut stack = Vec::new();
        take_nested_children(self, &mut stack);
        while let Some(mut value) = stack.pop() {
            take_nested_children(&mut value, &mut stack);
        }
    }
}

impl Clone for Value {
    fn clone(&self) -> Value {
        struct Frame<'a> {
            source: &'a Value,
            next: usize,
            copies: Vec<Value>,
        }
        let shallow = |value: &Value| match value {
            Value::Unit => Value::Unit,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(n) => Value::Int(*n),
            Value::Float(x) => Value::Float(*x),
            Value::Text(text) => Value::Text(text.clone()),
            Value::Opaque(opaque) => Value::Opaque(opaque.clone()),
            Value::List(_) | Value::Tuple(_) | Value::Map(_) => unreachable!("a container"),
        };
        fn frame(source: &Value) -> Option<Frame<'_>> {
            child_count(source).map(|count| Frame {
                source,
                next: 0,
                copies: Vec::with_capacity(count),
            })
        }
        let Some(root) = frame(self) else {
            return shallow(self);
        };
        let mut stack = vec![root];
        loop {
            let top = stack.last_mut().expect("a frame");
            if top.next < child_count(top.source).unwrap_or(0) {
                let child = child_at(top.source, top.next);
                top.next += 1;
                match frame(child) {
                    Some(nested) => stack.push(nested),
                    None => top.copies.push(shallow(child)),
                }
                continue;
            }
            let done = stack.pop().expect("a frame");
            let copy = rebuild(done.source, done.copies);
            match stack.last_mut() {
                Some(parent) => parent.copies.push(copy),
                None => return copy,
            }
        }
    }
}

impl PartialEq for Value {
    /// Structural, except that two [`crate::Opaque`] values are equal only when they are the
    /// same script object; `Float`s compare as `f64`.
    fn eq(&self, other: &Value) -> bool {
        let mut pairs = vec![(self, other)];
        while let Some((a, b)) = pairs.pop() {
            let same = match (a, b) {
                (Value::Unit, Value::Unit) => true,
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::Text(x), Value::Text(y)) => x == y,
                (Value::Opaque(x), Value::Opaque(y)) => x == y,
                (Value::List(xs), Value::List(ys)) | (Value::Tuple(xs), Value::Tuple(ys)) => {
                    pairs.extend(xs.iter().zip(ys));
                    xs.len() == ys.len()
                }
                (Value::Map(xs), Value::Map(ys)) => {
                    for ((ka, va), (kb, vb)) in xs.iter().zip(ys) {
                        pairs.push((ka, kb));
                        pairs.push((va, vb));
                    }
                    xs.len() == ys.len()
                }
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
    }
}

enum Piece<'a> {
    Value(&'a Value, bool),
    Literal(&'static str),
}

/// Writes `value` piece by piece: `leaf` writes a leaf, `open`/`close` a container's
/// brackets, `between` the separators (`", "` between children, `entry` between a Map's key
/// and value; a Map entry is wrapped in `entry_open`/`entry_close`).
struct Layout {
    open: fn(&Value) -> &'static str,
    close: fn(&Value) -> &'static str,
    entry_open: &'static str,
    entry: &'static str,
    entry_close: &'static str,
    leaf: fn(&Value, bool, &mut fmt::Formatter<'_>) -> fmt::Result,
}

fn write_layout(value: &Value, layout: &Layout, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut stack = vec![Piece::Value(value, true)];
    while let Some(piece) = stack.pop() {
        let (value, top_level) = match piece {
            Piece::Literal(text) => {
                f.write_str(text)?;
                continue;
            }
            Piece::Value(value, top_level) => (value, top_level),
        };
        let mut pieces = vec![Piece::Literal((layout.open)(value))];
        match value {
            Value::List(items) | Value::Tuple(items) => {
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        pieces.push(Piece::Literal(", "));
                    }
                    pieces.push(Piece::Value(item, false));
                }
            }
            Value::Map(entries) => {
                for (position, (key, item)) in entries.iter().enumerate() {
                    if position > 0 {
                        pieces.push(Piece::Literal(", "));
                    }
                    pieces.push(Piece::Literal(layout.entry_open));
                    pieces.push(Piece::Value(key, false));
                    pieces.push(Piece::Literal(layout.entry));
                    pieces.push(Piece::Value(item, false));
                    pieces.push(Piece::Literal(layout.entry_close));
                }
            }
            leaf => {
                (layout.leaf)(leaf, top_level, f)?;
                continue;
            }
        }
        pieces.push(Piece::Literal((layout.close)(value)));
        stack.extend(pieces.into_iter().rev());
    }
    Ok(())
}

impl fmt::Display for Value {
    /// The canonical form (docs/LANGUAGE.md), as `print` writes it at top level (a Text raw).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = Layout {
            open: |value| match value {
                Value::List(_) => "[",
                Value::Tuple(_) => "(",
                _ => "#{",
            },
            close: |value| match value {
                Value::List(_) => "]",
                Value::Tuple(items) if items.len() == 1 => ",)",
                Value::Tuple(_) => ")",
                _ => "}",
            },
            entry_open: "",
            entry: ": ",
            entry_close: "",
            leaf: |value, top_level, f| match value {
                Value::Unit => f.write_str("()"),
                Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
                Value::Int(n) => write!(f, "{n}"),
                Value::Float(x) => write!(f, "{x:?}"),
                Value::Text(text) if top_level => f.write_str(text),
                Value::Text(text) => {
                    let mut quoted = String::with_capacity(text.len() + 2);
                    push_quoted(&mut quoted, text);
                    f.write_str(&quoted)
                }
                Value::Opaque(opaque) => f.write_str(opaque.printed()),
                _ => unreachable!("a container"),
            },
        };
        write_layout(self, &layout, f)
    }
}

impl fmt::Debug for Value {
    /// The form `#[derive(Debug)]` would write (`List([Int(1), Text("a")])`), on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layout = Layout {
            open: |value| match value {
                Value::List(_) => "List([",
                Value::Tuple(_) => "Tuple([",
                _ => "Map([",
            },
            close: |_| "])",
            entry_open: "(",
            entry: ", ",
            entry_close: ")",
            leaf: |value, _, f| match value {
                Value::Unit => f.write_str("Unit"),
                Value::Bool(b) => write!(f, "Bool({b:?})"),
                Value::Int(n) => write!(f, "Int({n:?})"),
                Value::Float(x) => write!(f, "Float({x:?})"),
                Value::Text(text) => write!(f, "Text({text:?})"),
                Value::Opaque(opaque) => write!(f, "{opaque:?}"),
                _ => unreachable!("a container"),
            },
        };
        write_layout(self, &layout, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        Value::Map(vec![
            (
                Value::Text("a".into()),
                Value::List(vec![Value::Int(1), Value::Float(2.5)]),
            ),
            (
                Value::Tuple(vec![Value::Bool(true)]),
                Value::Tuple(vec![Value::Unit, Value::Text("q\"".into())]),
            ),
        ])
    }

    #[test]
    fn debug_writes_the_derived_form_and_display_the_canonical_form() {
        assert_eq!(
            format!("{:?}", sample()),
            r#"Map([(Text("a"), List([Int(1), Float(2.5)])), (Tuple([Bool(true)]), Tuple([Unit, Text("q\"")]))])"#
        );
        assert_eq!(
            sample().to_string(),
            r#"#{"a": [1, 2.5], (true,): ((), "q\"")}"#
        );
        assert_eq!(Value::Text("raw".into()).to_string(), "raw");
    }

    #[test]
    fn clone_and_equality_are_structural() {
        let value = sample();
        let copy = value.clone();
        assert!(copy == value);
        assert!(Value::Float(f64::NAN) != Value::Float(f64::NAN));
        let mut other = sample();
        if let Value::Map(entries) = &mut other {
            entries[1].1 = Value::Unit;
        }
        assert!(other != value);
    }
}
