//! Closures: building one (`MakeClosure`), loading a capture, and resolving the target of a
//! value call (`CallValue`). Layout: the Tuple layout with kind Closure, slot 0 =
//! Int(stamp << 21 | function id), slots 1.. = the captured values (see docs/MEMORY.md; the
//! stamp names the program that made it, `heap::programs`).

use crate::abi::invoke::closure_entry;
use crate::error::RuntimeError;
use crate::heap::programs::encode_closure_function;
use crate::objects::header::{checked_head, live_head_of};
use crate::objects::{retain, tuple};
use crate::value::{Kind, Value};

use super::{read_words, release_recording};

define_shim! {
    /// `MakeClosure`: consumes `count` owned words at `ptr`, `[Int(function), captures...]`.
    fn rt_closure_from(context, ptr, count) {
        // The engine passes `count` initialised words it owns at `ptr` (the shim's contract;
        // the body already runs in the shim's unsafe context).
        let mut words = read_words(ptr, count)?;
        let function = words.first().and_then(|w| w.as_int());
        let valid = function
            .and_then(|id| usize::try_from(id).ok())
            .and_then(|id| context.functions.get(id))
            .is_some_and(|info| info.closure_arity.is_some());
        let slot = if valid {
            // The function id was checked against the table just above.
            let function = function.unwrap_or_default() as u32;
            context.heap.program_stamp_for_closure().and_then(|stamp| {
                encode_closure_function(stamp, function)
                    .and_then(Value::int)
                    .ok_or_else(|| RuntimeError::internal("closure function id out of range"))
            })
        } else {
            Err(RuntimeError::internal(&format!(
                "closure of function {function:?}, which the loaded program does not have as closure-callable"
            )))
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(error) => {
                for &word in words.iter().skip(1) {
                    release_recording(context, word);
                }
                return Err(error);
            }
        };
        words[0] = slot;
        Ok(tuple::slots_from_values(&mut context.heap, Kind::Closure, words)?.bits())
    }
}

/// Capture `index` of `closure` when the closure is a live Closure head and the capture
/// lies in its head block, read without a `Result` (the shim's fast path; anything else
/// takes its full path).
#[inline]
fn capture_in_head(heap: &crate::heap::Heap, closure: Value, index: Value) -> Option<Value> {
    let head = live_head_of(heap, closure, Kind::Closure)?;
    let capture = usize::try_from(index.as_int()?).ok()?;
    tuple::head_block_element(heap, head, capture + 1)
}

define_shim! {
    /// Capture `index` (an Int, borrowed) of `closure` (borrowed), retained.
    fn rt_closure_capture(context, closure, index) {
        if let Some(capture) = capture_in_head(&context.heap, Value(closure), Value(index)) {
            return Ok(retain(&mut context.heap, capture)?.bits());
        }
        let head = checked_head(&context.heap, Value(closure), Some(Kind::Closure))?;
        let capture = Value(index)
            .as_int()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| tuple::slot_at(&context.heap, head, i + 1))
            .map(|slot| slot.read(&context.heap))
            .ok_or_else(|| RuntimeError::internal("closure capture index out of range"))?;
        Ok(retain(&mut context.heap, capture)?.bits())
    }
}

define_reentrant_shim! {
    /// `CallHost`: host function `index` of the installed list with the `count` borrowed
    /// words at `ptr`; returns its owned result (RT0701/RT0702 on failure or panic).
    fn rt_call_host(context, index, ptr, count) {
        // The engine passes `count` initialised words at `ptr` (the shim's contract).
        let args = read_words(ptr, count)?;
        // `context` is the shim's raw context pointer and no `&mut Context` is live (the
        // reentrant shim's contract; the body already runs in the shim's unsafe context).
        crate::abi::host::call_host(context, index, &args)
    }
}

define_shim! {
    /// `CallValue`'s check: `callee` and the `count` words at `ptr` are owned by the call.
    /// Returns the callee function's engine entry (nothing consumed: the engine passes the
    /// words on to the callee); on RT0304/RT0305 releases `callee` and the args and returns 0.
    fn rt_call_target(context, callee, ptr, count) {
        match closure_entry(context, Value(callee), count as usize) {
            Ok(entry) => Ok(entry),
            Err(error) => {
                // The engine passes `count` initialised words it owns at `ptr` (the shim's
                // contract); they are read only on this failure path.
                let args = read_words(ptr, count)?;
                release_recording(context, Value(callee));
                for &arg in &args {
                    release_recording(context, arg);
                }
                Err(error)
            }
        }
    }
}
