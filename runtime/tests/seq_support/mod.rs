//! Test support for the Seq tests: a closure invoker whose functions are Rust code calling
//! the shims, the way compiled Cairn code would (depth counted with `rt_enter`/`rt_leave`,
//! params owned by the callee and released by it), plus helpers over `shim_harness`.
#![allow(dead_code)]

use std::cell::Cell;

use cairn_runtime::abi::invoke::{ClosureInvoker, FunctionInfo};
use cairn_runtime::abi::shims;
use cairn_runtime::{Context, ErrorCode, RuntimeError, Value};

use crate::shim_harness::{Harness, int};

/// The test program's functions (function id = discriminant; entries are unused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F {
    /// `x -> x + x`
    Double,
    /// `x -> x % 2 == 0`
    IsEven,
    /// captures `[k]`: `x -> x`, but fails with RT0900 `boom` once `calls()` exceeds `k`.
    FailAfter,
    /// `() -> [1, 2, 3]`
    ListThunk,
    /// `acc, x -> acc + x`
    Add,
    /// `x -> x`, counting calls.
    CountCalls,
    /// captures `[n]`: `() -> seq_cons(n, NatDefer[n + 1])`
    NatCons,
    /// captures `[n]`: `() -> seq_defer(NatCons[n])`
    NatDefer,
    /// captures `[v]`: `() -> v`
    ConstThunk,
    /// `acc, x -> push(acc, x)`
    Push,
    /// `x -> seq_cons(x, ())`
    Singleton,
    /// captures `[n]`: `() -> seq_append(seq_cons(n, ()), NatAppend[n + 1])`
    NatAppend,
    /// `x -> 1`
    NotBool,
    /// `() -> fail("boom")`
    FailThunk,
    /// captures `[k]`: `acc, x -> push(acc, x)`, failing with RT0900 once `calls()` exceeds `k`.
    PushFailAfter,
}

const FUNCTIONS: [(F, &str, u32); 15] = [
    (F::Double, "double", 1),
    (F::IsEven, "is_even", 1),
    (F::FailAfter, "fail_after", 1),
    (F::ListThunk, "list_thunk", 0),
    (F::Add, "add", 2),
    (F::CountCalls, "count_calls", 1),
    (F::NatCons, "nat_cons", 0),
    (F::NatDefer, "nat_defer", 0),
    (F::ConstThunk, "const_thunk", 0),
    (F::Push, "push", 2),
    (F::Singleton, "singleton", 1),
    (F::NatAppend, "nat_append", 0),
    (F::NotBool, "not_bool", 1),
    (F::FailThunk, "fail_thunk", 0),
    (F::PushFailAfter, "push_fail_after", 2),
];

thread_local! {
    static CALLS: Cell<i64> = const { Cell::new(0) };
}

/// Calls of the counting functions on this thread since the last [`reset_calls`].
pub fn calls() -> i64 {
    CALLS.with(Cell::get)
}

pub fn reset_calls() {
    CALLS.with(|c| c.set(0));
}

fn bump() -> i64 {
    CALLS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

/// Installs the function table and the invoker on the harness's context.
pub fn install(h: &mut Harness) {
    let table: Vec<_> = FUNCTIONS
        .iter()
        .map(|&(f, name, arity)| FunctionInfo {
            name: name.to_string(),
            closure_arity: Some(arity),
            entry: f as u64 + 1,
            program: 1,
        })
        .collect();
    h.ctx.install_functions(table);
    h.ctx.invoker = Some(ClosureInvoker {
        data: std::ptr::null(),
        invoke,
    });
    reset_calls();
}

/// A harness of `blocks` blocks with the test program installed.
pub fn harness(blocks: u32) -> Harness {
    let mut h = Harness::new(blocks);
    install(&mut h);
    h
}

/// A closure of `f` capturing `captures` (consumed).
pub fn closure(h: &mut Harness, f: F, captures: &[Value]) -> Value {
    let ptr = h.ctx.as_ptr();
    // SAFETY: `ptr` is the live boxed context, unaliased during the call.
    let word = unsafe { make_closure(ptr, f, captures) };
    assert_ne!(word, 0, "closure: {:?}", h.ctx.take_failure().error);
    Value(word)
}

/// # Safety
/// `ctx` is a live context with no `&mut` borrow active.
unsafe fn make_closure(ctx: *mut Context, f: F, captures: &[Value]) -> u64 {
    let mut words = vec![int(f as i64).bits()];
    words.extend(captures.iter().map(|v| v.bits()));
    // SAFETY: the caller's contract; `words` holds `words.len()` initialised words.
    unsafe { shims::rt_closure_from(ctx, words.as_ptr() as u64, words.len() as u64) }
}

/// The test invoker: runs function `function` (a [`FUNCTIONS`] index) with the owned `args`.
///
/// # Safety
/// As `InvokeFunction`: `ctx` is the run's pointer with no live `&mut Context`.
unsafe fn invoke(_data: *const (), ctx: *mut Context, function: u32, args: &[u64]) -> u64 {
    // SAFETY: the invoker's contract (this function's `# Safety`) for every shim call below.
    unsafe {
        let entered = shims::rt_enter(ctx);
        let result = if entered == 0 {
            for &word in args {
                shims::rt_release(ctx, word);
            }
            0
        } else {
            body(ctx, FUNCTIONS[function as usize].0, args)
        };
        shims::rt_leave(ctx);
        result
    }
}

/// # Safety
/// As [`invoke`].
unsafe fn body(ctx: *mut Context, f: F, args: &[u64]) -> u64 {
    // SAFETY: as `invoke`: every call below gets the run's pointer with no live borrow.
    unsafe {
        let closure = args[0];
        let capture = |i: i64| shims::rt_closure_capture(ctx, closure, int(i).bits());
        let fail = |owned: &[u64]| {
            for &word in owned {
                shims::rt_release(ctx, word);
            }
            (*ctx).raise(RuntimeError::new(ErrorCode::RT0900, "boom"))
        };
        let two = int(2).bits();
        let result = match f {
            F::Double => {
                let r = shims::rt_add(ctx, args[1], args[1]);
                shims::rt_release(ctx, args[1]);
                r
            }
            F::IsEven => {
                let rem = shims::rt_rem(ctx, args[1], two);
                shims::rt_release(ctx, args[1]);
                if rem == 0 {
                    0
                } else {
                    shims::rt_eq(ctx, rem, int(0).bits())
                }
            }
            F::FailAfter | F::PushFailAfter => {
                let limit = Value(capture(0)).as_int().unwrap();
                if bump() > limit {
                    fail(&args[1..])
                } else if f == F::FailAfter {
                    args[1]
                } else {
                    shims::rt_push(ctx, args[1], args[2])
                }
            }
            F::ListThunk => {
                let words = [int(1).bits(), int(2).bits(), int(3).bits()];
                shims::rt_list_from(ctx, words.as_ptr() as u64, 3)
            }
            F::Add => {
                let r = shims::rt_add(ctx, args[1], args[2]);
                shims::rt_release(ctx, args[1]);
                shims::rt_release(ctx, args[2]);
                r
            }
            F::CountCalls => {
                bump();
                args[1]
            }
            F::NatCons => {
                let n = capture(0);
                let next = int(Value(n).as_int().unwrap() + 1);
                let rest = make_closure(ctx, F::NatDefer, &[next]);
                shims::rt_seq_cons(ctx, n, rest)
            }
            F::NatDefer => {
                let thunk = make_closure(ctx, F::NatCons, &[Value(capture(0))]);
                shims::rt_seq_defer(ctx, thunk)
            }
            F::ConstThunk => capture(0),
            F::Push => shims::rt_push(ctx, args[1], args[2]),
            F::Singleton => shims::rt_seq_cons(ctx, args[1], Value::UNIT.bits()),
            F::NatAppend => {
                let n = capture(0);
                let next = int(Value(n).as_int().unwrap() + 1);
                let first = shims::rt_seq_cons(ctx, n, Value::UNIT.bits());
                let rest = make_closure(ctx, F::NatAppend, &[next]);
                shims::rt_seq_append(ctx, first, rest)
            }
            F::NotBool => {
                shims::rt_release(ctx, args[1]);
                int(1).bits()
            }
            F::FailThunk => fail(&[]),
        };
        shims::rt_release(ctx, closure);
        result
    }
}

/// The canonical form of a List of everything left in `seq` (borrowed), released.
pub fn collected(h: &mut Harness, seq: Value) -> String {
    let list = h
        .call1(shims::rt_collect, seq)
        .unwrap_or_else(|e| panic!("collect: {e}"));
    let shown = h.show(list);
    h.release(list);
    shown
}

/// `next(seq)` as its canonical form, released.
pub fn next_shown(h: &mut Harness, seq: Value) -> String {
    let pair = h.call1(shims::rt_next, seq).expect("next");
    let shown = h.show(pair);
    h.release(pair);
    shown
}

pub fn range(h: &mut Harness, start: i64, end: i64) -> Value {
    h.call2(shims::rt_range, int(start), int(end))
        .expect("range")
}

pub fn range_step(h: &mut Harness, start: i64, end: i64, step: i64) -> Value {
    h.call3(shims::rt_range_step, int(start), int(end), int(step))
        .expect("range")
}

/// `op(source, f)` for the two-argument producers (`map`, `filter`, `zip`, ...).
pub fn stage(h: &mut Harness, shim: crate::shim_harness::Shim2, source: Value, f: Value) -> Value {
    h.call2(shim, source, f).expect("stage")
}

/// The error of a failing call, as `CODE message`.
pub fn error_text(result: Result<Value, RuntimeError>) -> String {
    let error = result.expect_err("expected an error");
    format!("{} {}", error.code, error.message)
}
