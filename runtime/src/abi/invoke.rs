//! Calling closures from the runtime: the loaded program's function table (name, arity and
//! the engine's entry for each function) and the engine's *closure invoker*, which the
//! sequence operations use to call `map`/`filter`/`fold` callbacks and generator thunks.
//!
//! The runtime never runs code itself: an engine installs an invoker for the duration of a
//! run (`Context::install_functions`), and [`call_closure`] hands it the function's entry and
//! the owned argument words `(closure, args...)`. The callee runs the shared IR exactly as a
//! language call would (its `Enter` counts depth and fuel; on failure it records its frame
//! and releases its own params), so both engines produce the same refcount events.
//!
//! Re-entrancy: the invoker runs language code, which calls shims, which take
//! `&mut Context` from the same pointer. Code that calls [`call_closure`] must therefore not
//! hold a `&mut Context` across the call; it works from the raw pointer (see
//! `shims::guard_reentrant`).

use crate::context::Context;
use crate::error::RuntimeError;
use crate::heap::programs::decode_closure_function;
use crate::objects::header::{checked_head, live_head_of};
use crate::objects::{kind_name_of, retain, tuple};
use crate::value::{Kind, Value};

/// One function of the loaded program, by function id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The source name (`lambda@LINE:COL` for a lambda): RT0305 and `<fn name>`.
    pub name: String,
    /// Arguments a closure of this function takes (its IR params minus the closure itself);
    /// `None` when the function is not closure-callable.
    pub closure_arity: Option<u32>,
    /// The engine's entry for the function (a native address for the JIT, an index for the
    /// interpreter); never 0.
    pub entry: u64,
    /// The process-unique id of the program this function belongs to
    /// (`heap::programs::new_program_id`, the same for every entry of one table): closures
    /// record it, so one made by another module is refused (RT0407, docs/EMBEDDING.md).
    pub program: u64,
}

/// Runs function `function` (an index into the installed function table) with the owned
/// words `args` (`args[0]` is the closure itself);
/// returns the owned result word, or 0 with the error parked and the frames recorded.
///
/// # Safety
/// `ctx` is the run's context pointer, not aliased by a live `&mut Context`; `data` is the
/// pointer the engine installed with this function.
pub type InvokeFunction =
    unsafe fn(data: *const (), ctx: *mut Context, function: u32, args: &[u64]) -> u64;

/// The engine's closure invoker, installed for the duration of a run.
#[derive(Clone, Copy, Debug)]
pub struct ClosureInvoker {
    pub data: *const (),
    pub invoke: InvokeFunction,
}

// SAFETY: `data` points at the engine's immutable compiled program, which the engine keeps
// alive (and only reads) for the run it installed the invoker for; the context that holds
// the invoker moves to the run thread with it and the invoker is removed when the run ends.
unsafe impl Send for ClosureInvoker {}

/// The most arguments the runtime passes to a closure (`fold`/`scan` pass two).
pub const MAX_RUNTIME_CALL_ARGS: usize = 3;

/// The placeholder returned by [`call_closure`] when the callee failed: the real error is
/// already parked in the context, and `Context::raise` keeps the first parked error.
fn callee_failed() -> RuntimeError {
    RuntimeError::internal("a closure called by the runtime failed")
}

/// Validates a callee for a call with `argc` arguments: RT0304 when it is not a Closure,
/// RT0305 on an arity mismatch. Returns the function's entry.
pub fn closure_entry(context: &Context, callee: Value, argc: usize) -> Result<u64, RuntimeError> {
    let function = closure_target(context, callee, argc)?;
    Ok(context.functions[function as usize].entry)
}

/// [`closure_entry`], returning the function's index in the function table.
#[inline]
pub fn closure_target(context: &Context, callee: Value, argc: usize) -> Result<u32, RuntimeError> {
    match accepted_closure_target(context, callee, argc) {
        Some(function) => Ok(function),
        None => closure_target_reporting(context, callee, argc),
    }
}

/// The function of `callee` when every check of [`closure_target`] passes, decided without
/// a `Result` (the calls' fast path; `None` takes the reporting path, which finds the fault).
/// It reads the heap and changes nothing, so an engine may run it before `rt_call_target`
/// and call the shim only on `None` (same result, same events).
#[inline]
pub fn accepted_closure_target(context: &Context, callee: Value, argc: usize) -> Option<u32> {
    let head = live_head_of(&context.heap, callee, Kind::Closure)?;
    let slot = tuple::head_block_element(&context.heap, head, 0)?;
    let (stamp, function) = decode_closure_function(slot.as_int()?)?;
    if stamp == 0 || stamp != context.heap.program_stamp() {
        return None;
    }
    let arity = context.functions.get(function as usize)?.closure_arity?;
    (arity as usize == argc).then_some(function)
}

/// [`closure_target`]'s full path: every check in order, with its diagnostic.
#[inline(never)]
fn closure_target_reporting(
    context: &Context,
    callee: Value,
    argc: usize,
) -> Result<u32, RuntimeError> {
    if callee.heap_kind() != Some(Kind::Closure) {
        return Err(RuntimeError::not_callable(kind_name_of(callee)?));
    }
    let function = closure_function(context, callee)?;
    let info = &context.functions[function as usize];
    let arity = info.closure_arity.ok_or_else(|| {
        RuntimeError::internal(&format!(
            "closure of `{}`, which is not closure-callable",
            info.name
        ))
    })?;
    if arity as usize != argc {
        return Err(RuntimeError::arity_mismatch(
            &info.name,
            arity as usize,
            argc,
        ));
    }
    Ok(function)
}

/// The function id stored in a validated Closure (slot 0, `stamp << FUNCTION_BITS |
/// function`): RT0407 when another loaded program than the installed one made it.
pub fn closure_function(context: &Context, closure: Value) -> Result<u32, RuntimeError> {
    let head = checked_head(&context.heap, closure, Some(Kind::Closure))?;
    let (stamp, function) = tuple::slot_at(&context.heap, head, 0)
        .map(|slot| slot.read(&context.heap))
        .and_then(|word| word.as_int())
        .and_then(decode_closure_function)
        .filter(|&(stamp, _)| stamp != 0)
        .ok_or_else(|| RuntimeError::invalid_reference("closure without a valid function id"))?;
    if stamp != context.heap.program_stamp() {
        return Err(RuntimeError::foreign_closure());
    }
    if function as usize >= context.functions.len() {
        return Err(RuntimeError::invalid_reference(
            "closure without a valid function id",
        ));
    }
    Ok(function)
}

/// Calls `closure` (borrowed) with `args` (owned, consumed also on failure) through the
/// installed invoker. The closure is retained for the callee (its param 0 is owned).
/// On failure the error is parked in the context and a placeholder is returned (the guard's
/// `raise` keeps the parked one).
///
/// # Safety
/// `ctx` is the run's context pointer and no `&mut Context` derived from it is live.
pub unsafe fn call_closure(
    ctx: *mut Context,
    closure: Value,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    let (invoker, words) = {
        // SAFETY: no other `&mut Context` is live (the caller's contract); this one ends
        // before the invoker runs.
        let context = unsafe { &mut *ctx };
        let prepared = (|| {
            let entry = closure_target(context, closure, args.len())?;
            let invoker = context.invoker.ok_or_else(|| {
                RuntimeError::internal("no closure invoker is installed for this run")
            })?;
            if args.len() > MAX_RUNTIME_CALL_ARGS {
                return Err(RuntimeError::internal(
                    "the runtime calls closures with at most three arguments",
                ));
            }
            let closure = retain(&mut context.heap, closure)?;
            // A fixed array, not a Vec: this runs once per item of every `map`/`filter` stage.
            let mut words = [0u64; MAX_RUNTIME_CALL_ARGS + 1];
            words[0] = closure.bits();
            for (slot, arg) in words[1..].iter_mut().zip(args) {
                *slot = arg.bits();
            }
            Ok::<_, RuntimeError>(((invoker, entry), words))
        })();
        match prepared {
            Ok(prepared) => prepared,
            Err(error) => {
                for &arg in args {
                    crate::abi::shims::release_recording(context, arg);
                }
                return Err(error);
            }
        }
    };
    let ((invoker, entry), words) = (invoker, words);
    // The callee reports its own allocation sites; what this shim allocates after it
    // returns belongs to the op that called the shim.
    // SAFETY: a shared read of a `Cell`, with no `&mut Context` live (the caller's contract).
    let caller_site = unsafe { (*ctx).heap.current_site() };
    // SAFETY: the invoker was installed by the engine running this context; no `&mut
    // Context` is live across the call.
    let word = unsafe { (invoker.invoke)(invoker.data, ctx, entry, &words[..args.len() + 1]) };
    // SAFETY: as above; the callee has returned.
    unsafe { (*ctx).heap.set_current_site(caller_site) };
    if word == 0 {
        Err(callee_failed())
    } else {
        Ok(Value(word))
    }
}

/// A loaded program's function table and the names closures print with, built once when
/// the program is loaded and shared (not copied) by every run that installs it: a host call
/// installs it without allocating.
#[derive(Clone, Debug, Default)]
pub struct FunctionTable {
    infos: std::sync::Arc<[FunctionInfo]>,
    names: std::sync::Arc<[String]>,
}

impl FunctionTable {
    pub fn new(infos: Vec<FunctionInfo>) -> FunctionTable {
        let names = infos.iter().map(|f| f.name.clone()).collect();
        FunctionTable {
            infos: infos.into(),
            names,
        }
    }

    /// The process-unique id of the program (0 for an empty table).
    pub fn program(&self) -> u64 {
        self.infos.first().map_or(0, |f| f.program)
    }
}

impl From<Vec<FunctionInfo>> for FunctionTable {
    fn from(infos: Vec<FunctionInfo>) -> FunctionTable {
        FunctionTable::new(infos)
    }
}

impl std::ops::Deref for FunctionTable {
    type Target = [FunctionInfo];

    fn deref(&self) -> &[FunctionInfo] {
        &self.infos
    }
}

impl Context {
    /// Installs the loaded program's function table (and the names closures print with).
    pub fn install_functions(&mut self, functions: impl Into<FunctionTable>) {
        let functions = functions.into();
        let program = functions.program();
        debug_assert!(functions.iter().all(|f| f.program == program));
        self.heap.install_program(program, functions.names.clone());
        self.functions = functions;
    }
}

/// Validates that `value` is a live Closure (for the shims that store callbacks).
pub fn expect_closure(context: &Context, value: Value, op: &str) -> Result<(), RuntimeError> {
    if value.heap_kind() != Some(Kind::Closure) {
        return Err(RuntimeError::type_mismatch(
            op,
            "a function",
            kind_name_of(value)?.as_str(),
        ));
    }
    checked_head(&context.heap, value, Some(Kind::Closure))?;
    Ok(())
}
