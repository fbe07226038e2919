//! Unit tests of the handle API through its `extern "C"` entry points: refcount effects in
//! the trace, null safety, RT0404 for malformed and dangling handles with the heap left
//! untouched, error-handle counting, and effect detachment.

use super::AiviErrorHandle;
use super::effect::{EffectScope, effect_raise, effect_release, effect_retain};
use super::error::{
    error_handle_from, error_handle_release, error_handle_retain, runtime_error_of,
};
use super::runtime_lifecycle::{
    AiviRuntime, aivi_runtime_free, aivi_runtime_new, aivi_runtime_take_error,
};
use super::value::{AiviValueHandle, aivi_value_clone, aivi_value_release, aivi_value_retain};
use super::value_constructors::{aivi_value_int, aivi_value_list, aivi_value_text};
use crate::context::Context;
use crate::error::{ErrorCode, RuntimeError};
use crate::heap::{RefOp, compare_snapshots};
use crate::value::{BlockAddress, Kind, Value};

struct TestRuntime(*mut AiviRuntime);

impl TestRuntime {
    fn new(blocks: u32) -> TestRuntime {
        let rt = aivi_runtime_new(blocks);
        assert!(!rt.is_null());
        TestRuntime(rt)
    }
    fn context(&mut self) -> &mut Context {
        // SAFETY: the runtime is live until `drop`, and each test uses it from one thread
        // with no other borrow held across these calls.
        unsafe { &mut *self.0 }
    }
    fn text(&self, text: &str) -> AiviValueHandle {
        // SAFETY: `rt` is live; the bytes are a valid Rust string.
        unsafe { aivi_value_text(self.0, text.as_ptr().cast(), text.len()) }
    }
    fn take_error(&self) -> Option<RuntimeError> {
        // SAFETY: `rt` is live.
        let handle = unsafe { aivi_runtime_take_error(self.0) };
        if handle.is_null() {
            return None;
        }
        let error = runtime_error_of(handle).expect("live error handle");
        error_handle_release(handle).expect("release");
        Some(error)
    }
}

impl Drop for TestRuntime {
    fn drop(&mut self) {
        // SAFETY: created by `aivi_runtime_new` and not freed elsewhere.
        assert_eq!(unsafe { aivi_runtime_free(self.0) }, 1);
    }
}

#[test]
fn value_retain_and_release_go_through_the_refcount_trace() {
    let mut runtime = TestRuntime::new(16);
    let text = runtime.text("abc");
    let block = Value(text.word()).heap_address().unwrap().index as u32;
    runtime.context().heap.start_trace();
    // SAFETY: `rt` is live for all calls below.
    unsafe {
        assert_eq!(aivi_value_retain(runtime.0, text), text);
        assert_eq!(aivi_value_clone(runtime.0, text), text);
        assert_eq!(aivi_value_release(runtime.0, text), 1);
        assert_eq!(aivi_value_release(runtime.0, text), 1);
        assert_eq!(aivi_value_release(runtime.0, text), 1);
    }
    let ops: Vec<(RefOp, u32, u16, u16)> = runtime
        .context()
        .heap
        .take_trace()
        .iter()
        .map(|e| (e.op, e.block, e.old, e.new))
        .collect();
    assert_eq!(
        ops,
        vec![
            (RefOp::IncRef, block, 1, 2),
            (RefOp::IncRef, block, 2, 3),
            (RefOp::DecRef, block, 3, 2),
            (RefOp::DecRef, block, 2, 1),
            (RefOp::Free, block, 1, 0),
        ]
    );
    assert_eq!(runtime.context().heap.blocks_in_use(), 0);
    assert_eq!(runtime.take_error(), None);
}

#[test]
fn null_handles_are_no_ops_that_park_nothing() {
    let runtime = TestRuntime::new(4);
    // SAFETY: `rt` is live.
    unsafe {
        assert!(aivi_value_retain(runtime.0, AiviValueHandle::NULL).is_null());
        assert!(aivi_value_clone(runtime.0, AiviValueHandle::NULL).is_null());
        assert_eq!(aivi_value_release(runtime.0, AiviValueHandle::NULL), 1);
    }
    assert_eq!(
        error_handle_retain(AiviErrorHandle::NULL),
        Ok(AiviErrorHandle::NULL)
    );
    assert_eq!(error_handle_release(AiviErrorHandle::NULL), Ok(()));
    assert_eq!(runtime.take_error(), None);
}

#[test]
fn dangling_and_forged_value_handles_are_rt0404_and_leave_the_heap_alone() {
    let mut runtime = TestRuntime::new(16);
    let keep = runtime.text("kept");
    let gone = runtime.text("gone");
    // SAFETY: `rt` is live.
    assert_eq!(unsafe { aivi_value_release(runtime.0, gone) }, 1);
    let before = runtime.context().heap.snapshot();

    let keep_block = Value(keep.word()).heap_address().unwrap();
    let wrong_kind = Value::heap(Kind::List, keep_block);
    let out_of_range = Value::heap(
        Kind::Text,
        BlockAddress {
            segment: 0,
            index: 9000,
        },
    );
    let other_segment = Value::heap(
        Kind::Text,
        BlockAddress {
            segment: 3,
            index: 0,
        },
    );
    let interior_node = Value::heap(Kind::ListNode, keep_block);
    for word in [
        gone.word(),
        wrong_kind.bits(),
        out_of_range.bits(),
        other_segment.bits(),
        interior_node.bits(),
        0x0000_0000_0000_0007,
        u64::MAX,
    ] {
        let handle = AiviValueHandle::from_bits(word);
        // SAFETY: `rt` is live; the handles are deliberately bad.
        unsafe {
            assert_eq!(aivi_value_release(runtime.0, handle), 0, "{word:#x}");
            let error = runtime.take_error().expect("parked");
            assert_eq!(
                error.code,
                ErrorCode::RT0404,
                "{word:#x}: {}",
                error.message
            );
            assert!(aivi_value_retain(runtime.0, handle).is_null());
            assert_eq!(
                runtime.take_error().map(|e| e.code),
                Some(ErrorCode::RT0404)
            );
        }
    }
    let after = runtime.context().heap.snapshot();
    assert!(compare_snapshots(&before, &after).is_clean());
    // SAFETY: `rt` is live.
    assert_eq!(unsafe { aivi_value_release(runtime.0, keep) }, 1);
}

#[test]
fn a_list_with_a_bad_element_retains_and_allocates_nothing() {
    let mut runtime = TestRuntime::new(16);
    let text = runtime.text("element");
    // SAFETY: `rt` is live.
    let number = unsafe { aivi_value_int(runtime.0, 7) };
    let bad = AiviValueHandle::from_bits(
        Value::heap(
            Kind::Text,
            BlockAddress {
                segment: 0,
                index: 12,
            },
        )
        .bits(),
    );
    let before = runtime.context().heap.snapshot();
    let items = [text, number, bad];
    // SAFETY: `rt` is live; `items` holds three readable handles.
    let list = unsafe { aivi_value_list(runtime.0, items.as_ptr(), items.len()) };
    assert!(list.is_null());
    assert_eq!(
        runtime.take_error().map(|e| e.code),
        Some(ErrorCode::RT0404)
    );
    assert!(compare_snapshots(&before, &runtime.context().heap.snapshot()).is_clean());
    // SAFETY: `rt` is live.
    assert_eq!(unsafe { aivi_value_release(runtime.0, text) }, 1);
    assert_eq!(runtime.context().heap.blocks_in_use(), 0);
}

#[test]
fn a_dead_runtime_is_diagnosed_not_dereferenced() {
    let rt = aivi_runtime_new(4);
    // SAFETY: `rt` came from `aivi_runtime_new`; afterwards it is dead and only checked.
    unsafe {
        assert_eq!(aivi_runtime_free(rt), 1);
        assert_eq!(aivi_runtime_free(rt), 0);
        assert!(aivi_value_int(rt, 1).is_null());
        let error = aivi_runtime_take_error(rt);
        assert_eq!(
            runtime_error_of(error).map(|e| e.code),
            Ok(ErrorCode::RT0404)
        );
        error_handle_release(error).unwrap();
    }
}

#[test]
fn error_handles_count_references_and_free_exactly_once() {
    let handle = error_handle_from(RuntimeError::failed("boom"));
    assert_eq!(error_handle_retain(handle), Ok(handle));
    assert_eq!(error_handle_release(handle), Ok(()));
    assert_eq!(
        runtime_error_of(handle).map(|e| e.message),
        Ok("boom".to_string())
    );
    assert_eq!(error_handle_release(handle), Ok(()));
    let dead = error_handle_release(handle).unwrap_err();
    assert_eq!(dead.code, ErrorCode::RT0404);
    assert!(runtime_error_of(handle).is_err());
}

#[test]
fn an_effect_scope_detaches_its_handle_when_it_ends() {
    let runtime = TestRuntime::new(4);
    let kept = {
        // SAFETY: the context outlives the scope and is used only through its handle.
        let scope = unsafe { EffectScope::bind(runtime.0) };
        let kept = effect_retain(scope.handle()).unwrap();
        assert_eq!(effect_raise(scope.handle(), "RT0900", "inside"), Ok(true));
        kept
    };
    let raised = runtime.take_error().expect("raised inside the scope");
    assert_eq!(
        (raised.code, raised.message.as_str()),
        (ErrorCode::RT0900, "inside")
    );
    let late = effect_raise(kept, "RT0900", "late").unwrap_err();
    assert_eq!(late.code, ErrorCode::RT0404);
    assert_eq!(
        runtime.take_error(),
        None,
        "a detached effect reaches nothing"
    );
    assert_eq!(effect_release(kept), Ok(()));
    assert!(
        effect_release(kept).is_err(),
        "the box was freed by the last release"
    );
}

#[test]
fn cloning_a_seq_handle_gives_an_independent_cursor() {
    use crate::abi::shims::{rt_next, rt_range, rt_seq_clone};
    let runtime = TestRuntime::new(64);
    let int = |n: i64| Value::int(n).unwrap().bits();
    // SAFETY: `rt` is live for all calls below; every owned word is released once.
    unsafe {
        let seq = rt_range(runtime.0, int(0), int(3));
        assert_ne!(seq, 0);
        let first = rt_next(runtime.0, seq);
        aivi_value_release(runtime.0, AiviValueHandle::from_bits(first));
        let copy = aivi_value_clone(runtime.0, AiviValueHandle::from_bits(seq));
        assert!(!copy.is_null());
        assert_ne!(copy.word(), seq, "a Seq clone is a new cursor");
        // Both continue from 1, independently.
        for cursor in [seq, copy.word()] {
            let pulled = rt_next(runtime.0, cursor);
            let context = &*runtime.0;
            assert_eq!(
                crate::objects::canonical_form(&context.heap, Value(pulled), true),
                "(true, 1)"
            );
            aivi_value_release(runtime.0, AiviValueHandle::from_bits(pulled));
        }
        // The shim and the handle function agree.
        let again = rt_seq_clone(runtime.0, seq);
        aivi_value_release(runtime.0, AiviValueHandle::from_bits(again));
        aivi_value_release(runtime.0, copy);
        aivi_value_release(runtime.0, AiviValueHandle::from_bits(seq));
        assert_eq!((*runtime.0).heap.blocks_in_use(), 0);
    }
}

#[test]
fn a_lent_context_works_with_the_handle_api_and_is_never_freed_by_it() {
    use super::runtime_lifecycle::{lend_runtime, withdraw_runtime};
    let mut context = Box::new(Context::new(crate::context::Limits::default()).unwrap());
    let rt: *mut AiviRuntime = context.as_ptr();
    // SAFETY: `context` stays boxed (same address) until after `withdraw_runtime` below, and
    // this test is its only user.
    unsafe {
        lend_runtime(rt);
        let list = aivi_value_list(rt, [aivi_value_int(rt, 7)].as_ptr(), 1);
        assert!(!list.is_null());
        assert_eq!(
            aivi_runtime_free(rt),
            0,
            "a lent runtime belongs to its owner"
        );
        assert_eq!(aivi_value_release(rt, list), 1);
        let scope = EffectScope::bind(rt);
        let kept = effect_retain(scope.handle()).unwrap();
        drop(scope);
        assert!(withdraw_runtime(rt));
        assert!(!withdraw_runtime(rt), "withdrawn once");
        assert!(aivi_value_int(rt, 1).is_null(), "no longer accepted");
        assert!(effect_raise(kept, "RT0900", "late").is_err());
        effect_release(kept).unwrap();
    }
    assert_eq!(context.heap.blocks_in_use(), 0);
}

#[test]
fn error_handles_carry_a_location_and_any_code() {
    use super::error::{
        aivi_error_code, aivi_error_column, aivi_error_line, diagnostic_handle, error_handle_clone,
        error_location_of,
    };
    use crate::error::ErrorLocation;
    let at = ErrorLocation {
        line: 3,
        column: 14,
    };
    let compile = diagnostic_handle("E0101", "unknown name `x`", at);
    assert_eq!(
        (aivi_error_line(compile), aivi_error_column(compile)),
        (3, 14)
    );
    // SAFETY: the code pointer is valid until the handle's last release (below).
    let code = unsafe { std::ffi::CStr::from_ptr(aivi_error_code(compile)) };
    assert_eq!(code.to_str(), Ok("E0101"));
    assert_eq!(
        runtime_error_of(compile).map_err(|e| e.code),
        Err(ErrorCode::RT0303),
        "an E code is not a runtime error"
    );
    let copy = error_handle_clone(compile).unwrap();
    assert_eq!(error_location_of(copy), Ok(at));
    error_handle_release(copy).unwrap();
    error_handle_release(compile).unwrap();
    assert_eq!(
        (aivi_error_line(compile), aivi_error_column(compile)),
        (0, 0)
    );
    assert_eq!(aivi_error_line(AiviErrorHandle::NULL), 0);

    // A location parked with the error reaches the handle `aivi_runtime_take_error` makes.
    let mut runtime = TestRuntime::new(4);
    runtime.context().raise_at(
        RuntimeError::out_of_fuel(),
        ErrorLocation { line: 2, column: 5 },
    );
    runtime
        .context()
        .raise_at(RuntimeError::failed("second"), at);
    // SAFETY: `rt` is live.
    let taken = unsafe { aivi_runtime_take_error(runtime.0) };
    assert_eq!(
        runtime_error_of(taken).map(|e| e.code),
        Ok(ErrorCode::RT0502)
    );
    assert_eq!((aivi_error_line(taken), aivi_error_column(taken)), (2, 5));
    error_handle_release(taken).unwrap();
    runtime.context().raise(RuntimeError::failed("plain"));
    // SAFETY: `rt` is live.
    let plain = unsafe { aivi_runtime_take_error(runtime.0) };
    assert_eq!(aivi_error_line(plain), 0, "take resets the parked location");
    error_handle_release(plain).unwrap();
}

#[test]
fn a_handle_of_another_runtime_is_refused_even_where_this_one_has_the_same_object() {
    let mut one = TestRuntime::new(16);
    let other = TestRuntime::new(16);
    let mine = one.text("mine");
    let theirs = other.text("theirs");
    // Same block, same kind in both heaps: only the runtime tag tells them apart.
    assert_eq!(mine.word(), theirs.word());
    assert_ne!(mine.runtime_tag(), theirs.runtime_tag());
    assert_eq!(mine.runtime_tag(), one.context().heap.handle_tag());
    let before = one.context().heap.snapshot();
    // SAFETY: both runtimes are live; `theirs` is deliberately a handle of `other`.
    unsafe {
        assert!(aivi_value_retain(one.0, theirs).is_null());
        let error = one.take_error().expect("parked");
        assert_eq!(error.code, ErrorCode::RT0404);
        assert!(
            error.message.ends_with("belongs to another runtime"),
            "{}",
            error.message
        );
        assert_eq!(aivi_value_release(one.0, theirs), 0);
        assert_eq!(one.take_error().map(|e| e.code), Some(ErrorCode::RT0404));
    }
    assert!(compare_snapshots(&before, &one.context().heap.snapshot()).is_clean());
    // A shim's word (tag 0) is accepted as a word of the runtime it is passed to.
    let raw = AiviValueHandle::from_bits(mine.word());
    assert_eq!(raw.runtime_tag(), 0);
    // SAFETY: `one` is live and `raw` names its live Text.
    unsafe {
        let again = aivi_value_retain(one.0, raw);
        assert_eq!(again, mine, "the retained handle carries the runtime tag");
        assert_eq!(aivi_value_release(one.0, again), 1);
        assert_eq!(aivi_value_release(one.0, mine), 1);
        assert_eq!(aivi_value_release(other.0, theirs), 1);
    }
}
