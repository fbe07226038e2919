//! A Closure records the loaded program that made it: `rt_call_target` refuses one of another
//! program with RT0407 (releasing the owned callee and arguments), and it prints as `<fn>`
//! there; reinstalling its own program makes it callable again (docs/ABI.md, "Closures and
//! callbacks").

mod shim_harness;

use cairn_runtime::abi::invoke::FunctionInfo;
use cairn_runtime::abi::shims;
use cairn_runtime::{ErrorCode, Value};
use shim_harness::{Harness, int};

/// Installs program `program`: one closure-callable function `name` (id 0, arity 1).
fn install(h: &mut Harness, program: u64, name: &str) {
    h.ctx.install_functions(vec![FunctionInfo {
        name: name.into(),
        closure_arity: Some(1),
        entry: 1,
        program,
    }]);
}

/// `MakeClosure` of function 0 capturing `capture` (consumed).
fn closure(h: &mut Harness, capture: Value) -> Value {
    let words = [int(0).bits(), capture.bits()];
    // SAFETY: live context; `words` holds two initialised words for the call.
    let word = unsafe { shims::rt_closure_from(h.ctx.as_ptr(), words.as_ptr() as u64, 2) };
    assert_ne!(word, 0, "closure built: {:?}", h.ctx.pending_error());
    Value(word)
}

/// `rt_call_target(callee, [arg])`, both owned by the call; the entry, or the error's code.
fn call_target(h: &mut Harness, callee: Value, arg: Value) -> Result<u64, ErrorCode> {
    let args = [arg.bits()];
    // SAFETY: live context; `args` holds one initialised word for the call.
    let entry =
        unsafe { shims::rt_call_target(h.ctx.as_ptr(), callee.bits(), args.as_ptr() as u64, 1) };
    if entry != 0 {
        // Success consumes nothing: the engine would pass the words on; drop them here.
        h.release(callee);
        h.release(arg);
        return Ok(entry);
    }
    Err(h.ctx.take_error().expect("an error is parked").0.code)
}

#[test]
fn a_closure_of_another_program_is_refused_and_releases_what_the_call_owned() {
    let mut h = Harness::new(64);
    let before = h.snapshot();
    install(&mut h, 1001, "f");
    let c = closure(&mut h, int(7));
    assert_eq!(h.show(c), "<fn f>");

    install(&mut h, 1002, "g");
    assert_eq!(
        h.show(c),
        "<fn>",
        "another program's closure has no name here"
    );
    let callee = h.retain(c);
    let arg = h.list(&[int(1)]);
    assert_eq!(call_target(&mut h, callee, arg), Err(ErrorCode::RT0407));
    // The refused call released its callee and argument: `c` alone holds the heap.
    assert_eq!(h.ctx.heap.ref_count(c.heap_block().expect("heap value")), 1);

    // The second program's own closure works there and not in the first.
    let d = closure(&mut h, int(8));
    let callee = h.retain(d);
    assert_eq!(call_target(&mut h, callee, int(1)), Ok(1));
    install(&mut h, 1001, "f");
    let callee = h.retain(d);
    assert_eq!(call_target(&mut h, callee, int(1)), Err(ErrorCode::RT0407));
    let callee = h.retain(c);
    assert_eq!(call_target(&mut h, callee, int(1)), Ok(1));
    assert_eq!(h.show(c), "<fn f>");

    h.release(c);
    h.release(d);
    h.assert_heap_equals(&before);
}
