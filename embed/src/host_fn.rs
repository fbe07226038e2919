//! Host functions: Rust closures a script calls like any function. The typed form takes up
//! to six [`FromValue`] arguments and returns an [`IntoValue`] or `Result<_, HostError>`; the
//! raw form ([`crate::Engine::register_raw`]) receives the argument [`Value`]s and a
//! [`HostContext`] (call script closures back, observe cancellation). Both engines call them
//! through the one shim `rt_call_host`; a [`HostError`] is RT0701 and a panic RT0702 in the
//! script, with its call stack.

use std::sync::Arc;

use cairn_runtime::abi::host::{HostCall, HostFailure, HostFunctionBody};
use cairn_runtime::value::Value as Word;

use crate::convert::{FromValue, IntoArgs, IntoValue};
use crate::error::{HostError, RunError};
use crate::value::{ReleaseQueue, Value};
use crate::value_io::{read_value, write_value};

/// How deeply host functions and script callbacks may nest (host → script → host ...):
/// bounded by the runtime's call-depth limit (each script call enters a frame, RT0501), and
/// by this many host calls on the stack at once.
///
/// The host call one level too deep fails with RT0701 `host function {name} failed: host
/// functions nested more than 64 deep`; each level above passes that error on if it uses
/// `?`. The bound keeps the Rust stack of the run safe whatever the script does.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, MAX_HOST_NESTING};
///
/// let mut engine = Engine::new(EngineKind::Interpreter);
/// engine.register_raw("call_back", 1, |host, args| Ok(host.call(&args[0], ())?)).unwrap();
/// let module = engine
///     .compile("nest.cairn", "fn main() = 0
/// fn depth(n) = if n == 0 then 0 else call_back(\\ -> depth(n - 1)) + 1")
///     .unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// let nested = MAX_HOST_NESTING as i64;
/// assert_eq!(rt.call::<i64>(&module, "depth", (nested,)).unwrap(), nested);
/// let error = rt.call::<i64>(&module, "depth", (nested + 1,)).unwrap_err();
/// assert_eq!(
///     error.message(),
///     format!("host function call_back failed: host functions nested more than {MAX_HOST_NESTING} deep")
/// );
/// ```
pub const MAX_HOST_NESTING: usize = 64;

/// What a raw host function ([`crate::Engine::register_raw`]) can do with the run that
/// called it: call script closures back and observe cancellation.
pub struct HostContext<'a, 'b> {
    call: &'a mut HostCall<'b>,
    queue: Arc<ReleaseQueue>,
}

impl HostContext<'_, '_> {
    /// Calls the script closure `closure` (a [`Value::Opaque`] Closure the script passed, or
    /// one a previous call of the same runtime returned) with `args` and returns its
    /// result. The closure runs with the run's limits: its calls count toward the call
    /// depth, its fuel points charge the run's fuel.
    ///
    /// A failure of the closure (its own error, with its frames) is returned as a
    /// [`RunError`]. Return it with `?` (it converts to a [`HostError`]) and the script fails
    /// with the closure's error and call stack, not RT0701; or handle it and return a value,
    /// and nothing of the failure remains. A value that is not a Closure fails with RT0304,
    /// a wrong argument count with RT0305.
    ///
    /// ```
    /// use cairn::{Engine, EngineKind, Limits, Value};
    ///
    /// let mut engine = Engine::new(EngineKind::Jit);
    /// // attempt(f, fallback): f(), or fallback if f fails.
    /// engine.register_raw("attempt", 2, |host, args| {
    ///     Ok(host.call(&args[0], ()).unwrap_or_else(|_| args[1].clone()))
    /// }).unwrap();
    /// // each(xs, f): [f(x) for x in xs], failing as f fails.
    /// engine.register_raw("each", 2, |host, args| {
    ///     let Value::List(items) = &args[0] else { return Ok(Value::Unit) };
    ///     let mut out = Vec::new();
    ///     for item in items {
    ///         out.push(host.call(&args[1], (item.clone(),))?);
    ///     }
    ///     Ok(Value::List(out))
    /// }).unwrap();
    /// let module = engine
    ///     .compile("cb.cairn", "fn main() = 0
    /// fn safe(x) = attempt(\\ -> 100 / x, -1)
    /// fn inverses(xs) = each(xs, \\x -> 100 / x)")
    ///     .unwrap();
    /// let mut rt = engine.runtime(Limits::default()).unwrap();
    /// assert_eq!(rt.call::<i64>(&module, "safe", (0,)).unwrap(), -1);
    /// assert_eq!(rt.call::<Vec<i64>>(&module, "inverses", (vec![1, 4],)).unwrap(), [100, 25]);
    /// let error = rt.call::<Vec<i64>>(&module, "inverses", (vec![1, 0],)).unwrap_err();
    /// assert_eq!(error.code(), "RT0302"); // the closure's own error ...
    /// assert_eq!(error.stack(), ["in lambda@3:28 at 3:34", "in inverses at 3:19"]); // ... and frames
    /// ```
    pub fn call(&mut self, closure: &Value, args: impl IntoArgs) -> Result<Value, RunError> {
        let ctx = self.call.context();
        let callee = write_value(ctx, closure, &self.queue)?;
        let mut words = Vec::new();
        for arg in args.into_args() {
            match write_value(self.call.context(), &arg, &self.queue) {
                Ok(word) => words.push(word),
                Err(error) => {
                    release(self.call, callee, &words);
                    return Err(error);
                }
            }
        }
        let outcome = self.call.call_closure(callee, &words);
        release(self.call, callee, &words);
        let word = outcome.map_err(|error| RunError::api(error.code.as_str(), error.message))?;
        let value = read_value(self.call.context(), word, &self.queue);
        cairn_runtime::abi::shims::release_recording(self.call.context(), word);
        value
    }

    /// Makes a host object holding `value` (of a type registered with
    /// [`crate::Engine::register_type`] on the engine that made this runtime) in the run's
    /// heap, and returns it: return it to the script, or store it in a returned container.
    /// The script's last release of it drops `value`, exactly once; a value the host lets go
    /// of inside the call is released when the host function returns. RT0001 for a type
    /// that is not registered; RT0401/RT0402 when the heap is full (then `value` is dropped).
    pub fn new_object<T: Send + 'static>(&mut self, value: T) -> Result<Value, RunError> {
        let names = self.queue.type_names();
        let name = crate::host_object::type_name_of::<T>(&names)?;
        crate::host_object::new_object_value(
            self.call.context(),
            &self.queue,
            name,
            Box::new(value),
        )
    }

    /// The host object `value` (an argument, the receiver of a raw method) as a `T`,
    /// mutably. RT0303 when it is not a host object or of another type, RT0001 when it is one
    /// of another runtime.
    pub fn object_mut<T: 'static>(&mut self, value: &Value) -> Result<&mut T, RunError> {
        crate::host_object::object_in(self.call.context(), &self.queue, value)
    }

    /// Whether the run was cancelled through its [`crate::CancelHandle`]. A host function
    /// doing long work should check it and return soon (any value: the script stops with
    /// RT0503 at its next fuel point).
    pub fn is_cancelled(&mut self) -> bool {
        self.call.is_cancelled()
    }
}

fn release(call: &mut HostCall<'_>, callee: Word, words: &[Word]) {
    let ctx = call.context();
    cairn_runtime::abi::shims::release_recording(ctx, callee);
    for &word in words {
        cairn_runtime::abi::shims::release_recording(ctx, word);
    }
}

/// A host function as the engine stores it: name, arity and the word-level body.
#[derive(Clone)]
pub(crate) struct RegisteredHost {
    pub name: String,
    pub arity: usize,
    pub body: Arc<HostFunctionBody>,
}

thread_local! {
    static HOST_NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Wraps a Value-level raw function into the runtime's word-level body.
pub(crate) fn raw_body(
    f: impl Fn(&mut HostContext<'_, '_>, Vec<Value>) -> Result<Value, HostError> + Send + Sync + 'static,
) -> Arc<HostFunctionBody> {
    Arc::new(move |call: &mut HostCall<'_>, args: &[Word]| {
        let depth = HOST_NESTING.with(|d| d.get());
        if depth >= MAX_HOST_NESTING {
            return Err(HostFailure::Failed(format!(
                "host functions nested more than {MAX_HOST_NESTING} deep"
            )));
        }
        HOST_NESTING.with(|d| d.set(depth + 1));
        let _restore = RestoreNesting(depth);
        let queue = release_queue_of(call)?;
        let mut values = Vec::with_capacity(args.len());
        for &word in args {
            values.push(read_value(call.context(), word, &queue).map_err(run_error_failure)?);
        }
        let mut host = HostContext {
            call,
            queue: queue.clone(),
        };
        let outcome = f(&mut host, values).map_err(host_failure);
        let word = outcome.and_then(|result| {
            write_value(host.call.context(), &result, &queue).map_err(run_error_failure)
        });
        // Handles the host dropped during the call (its arguments, objects it made and let
        // go) are released now, so an object's final release happens inside the run.
        crate::host_object::release_dropped(host.call.context(), &queue);
        word
    })
}

/// The release queue of the `cairn::Runtime` running `call` (RT0001 outside one).
pub(crate) fn release_queue_of(call: &mut HostCall<'_>) -> Result<Arc<ReleaseQueue>, HostFailure> {
    call.context()
        .embedder_data
        .clone()
        .and_then(|data| data.downcast::<ReleaseQueue>().ok())
        .ok_or_else(|| {
            HostFailure::Raised(cairn_runtime::RuntimeError::internal(
                "host function called outside a cairn::Runtime",
            ))
        })
}

struct RestoreNesting(usize);

impl Drop for RestoreNesting {
    fn drop(&mut self) {
        HOST_NESTING.with(|d| d.set(self.0));
    }
}

/// A [`HostError`] as the runtime raises it: a passed-on script error unchanged, anything
/// else RT0701.
pub(crate) fn host_failure(error: HostError) -> HostFailure {
    let raised = error.raised.as_ref().and_then(|(code, message)| {
        cairn_runtime::abi::handles::effect::parse_error_code(code).map(|code| {
            HostFailure::Raised(cairn_runtime::RuntimeError {
                code,
                message: message.clone(),
            })
        })
    });
    raised.unwrap_or_else(|| HostFailure::Failed(error.message().to_string()))
}

/// A conversion between host values and heap words that failed. The heap's own limits
/// (RT0401 exhausted, RT0402 quota, RT0406 object too large), the output budget (RT0405,
/// an argument whose host copy would pass `Limits::max_output_bytes`) and an Int result
/// outside the 48-bit range (RT0301, as the script's own arithmetic reports it) are raised
/// as themselves — a host result that does not fit is reported as the script's own value
/// would be (docs/EMBEDDING.md) — anything else as the host function's failure (RT0701).
pub(crate) fn run_error_failure(error: RunError) -> HostFailure {
    let raised_as_itself =
        ["RT0301", "RT0401", "RT0402", "RT0405", "RT0406"].contains(&error.code());
    match cairn_runtime::abi::handles::effect::parse_error_code(error.code()) {
        Some(code) if raised_as_itself => HostFailure::Raised(cairn_runtime::RuntimeError {
            code,
            message: error.message().to_string(),
        }),
        _ => HostFailure::Failed(format!("{}: {}", error.code(), error.message())),
    }
}

/// A Rust function usable as a host function: `Fn(A, B, ...) -> R` with up to six
/// [`FromValue`] arguments, returning an [`IntoValue`] or `Result<T: IntoValue, HostError>`.
/// `Marker` only tells the blanket implementations apart. It is implemented for every such
/// closure or function; hosts never implement or call it themselves
/// (see [`crate::Engine::register_fn`]).
pub trait IntoHostFunction<Marker>: Send + Sync + 'static {
    /// The number of arguments.
    fn arity(&self) -> usize;
    /// The word-level body.
    fn into_body(self) -> Arc<HostFunctionBody>;
}

#[doc(hidden)]
pub struct Plain;
#[doc(hidden)]
pub struct Fallible;

macro_rules! host_function_impls {
    ($count:literal; $($arg:ident),*) => {
        impl<F, R, $($arg),*> IntoHostFunction<(Plain, R, $($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: IntoValue,
            $($arg: FromValue,)*
        {
            fn arity(&self) -> usize {
                $count
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_body(self) -> Arc<HostFunctionBody> {
                raw_body(move |_host, args| {
                    let mut args = args.into_iter();
                    $(let $arg = $arg::from_value(args.next().expect("arity checked by the runtime"))
                        .map_err(|e| HostError::new(e.message().to_string()))?;)*
                    Ok((self)($($arg),*).into_value())
                })
            }
        }
        impl<F, R, $($arg),*> IntoHostFunction<(Fallible, R, $($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Result<R, HostError> + Send + Sync + 'static,
            R: IntoValue,
            $($arg: FromValue,)*
        {
            fn arity(&self) -> usize {
                $count
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_body(self) -> Arc<HostFunctionBody> {
                raw_body(move |_host, args| {
                    let mut args = args.into_iter();
                    $(let $arg = $arg::from_value(args.next().expect("arity checked by the runtime"))
                        .map_err(|e| HostError::new(e.message().to_string()))?;)*
                    (self)($($arg),*).map(IntoValue::into_value)
                })
            }
        }
    };
}

host_function_impls!(0;);
host_function_impls!(1; A);
host_function_impls!(2; A, B);
host_function_impls!(3; A, B, C);
host_function_impls!(4; A, B, C, D);
host_function_impls!(5; A, B, C, D, E);
host_function_impls!(6; A, B, C, D, E, G);
