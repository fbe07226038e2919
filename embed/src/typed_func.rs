//! [`TypedFunc`]: a script function resolved once by name and checked for its argument
//! count, then called with typed arguments by index — no name lookup, no argument `Vec`, no
//! table copied per call (the shape of wasmtime's `TypedFunc`).

use std::marker::PhantomData;
use std::sync::Arc;

use cairn_runtime::Context;
use cairn_runtime::value::Value as Word;

use crate::convert::{FromValue, IntoValue};
use crate::error::RunError;
use crate::module::{ArgWords, Module};
use crate::runtime::Runtime;
use crate::value::ReleaseQueue;
use crate::value_io::write_value;

/// Where a [`TypedArgs`] writes its arguments' words (opaque to hosts).
pub struct ArgWriter<'a> {
    ctx: &'a mut Context,
    queue: &'a Arc<ReleaseQueue>,
    words: &'a mut ArgWords,
    first: usize,
}

impl ArgWriter<'_> {
    /// Writes one argument's owned word; when it fails, releases the ones written before it.
    #[doc(hidden)]
    pub fn push(&mut self, value: crate::Value) -> Result<(), RunError> {
        match write_value(self.ctx, &value, self.queue) {
            Ok(word) => {
                self.words.push(word.bits());
                Ok(())
            }
            Err(error) => {
                for word in self.words.drain(self.first..) {
                    cairn_runtime::abi::shims::release_recording(self.ctx, Word(word));
                }
                Err(error)
            }
        }
    }
}

/// The arguments of a [`TypedFunc`]: `()` or a tuple of up to six [`IntoValue`]s.
pub trait TypedArgs {
    /// How many arguments the tuple holds.
    const COUNT: usize;

    /// Writes the arguments' owned words (on `Err`, nothing is left written).
    #[doc(hidden)]
    fn write_words(self, writer: &mut ArgWriter<'_>) -> Result<(), RunError>;
}

impl TypedArgs for () {
    const COUNT: usize = 0;

    fn write_words(self, _: &mut ArgWriter<'_>) -> Result<(), RunError> {
        Ok(())
    }
}

macro_rules! typed_args {
    ($len:literal: $($name:ident $index:tt),+) => {
        impl<$($name: IntoValue),+> TypedArgs for ($($name,)+) {
            const COUNT: usize = $len;

            fn write_words(self, writer: &mut ArgWriter<'_>) -> Result<(), RunError> {
                $(writer.push(self.$index.into_value())?;)+
                Ok(())
            }
        }
    };
}

typed_args!(1: A 0);
typed_args!(2: A 0, B 1);
typed_args!(3: A 0, B 1, C 2);
typed_args!(4: A 0, B 1, C 2, D 3);
typed_args!(5: A 0, B 1, C 2, D 3, E 4);
typed_args!(6: A 0, B 1, C 2, D 3, E 4, F 5);

/// A function of a [`Module`] resolved once ([`Module::typed_func`]) and called with
/// arguments `P` and result `R` in any [`Runtime`] of the module's engine.
///
/// ```
/// use cairn::{Engine, EngineKind, Limits, TypedFunc};
///
/// let engine = Engine::new(EngineKind::Jit);
/// let module = engine.compile("add.cairn", "fn add(a, b) = a + b\nfn main() = 0").unwrap();
/// let add: TypedFunc<(i64, i64), i64> = module.typed_func("add").unwrap();
/// let mut rt = engine.runtime(Limits::default()).unwrap();
/// assert_eq!(add.call(&mut rt, (1, 2)).unwrap(), 3);
/// assert_eq!(add.call(&mut rt, (40, 2)).unwrap(), 42);
/// let error = module.typed_func::<(i64,), i64>("add").unwrap_err();
/// assert_eq!((error.code(), error.message()), ("RT0305", "arity mismatch: add expects 2 arguments, got 1"));
/// ```
pub struct TypedFunc<P, R> {
    module: Module,
    index: u32,
    signature: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc {
            module: self.module.clone(),
            index: self.index,
            signature: PhantomData,
        }
    }
}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = &self.module.inner.ir.functions[self.index as usize].name;
        f.debug_struct("TypedFunc").field("name", name).finish()
    }
}

impl Module {
    /// Resolves function `name` for typed calls: RT0001 when the module has no such function,
    /// RT0305 when it does not take `P::COUNT` arguments. The handle keeps the module alive.
    pub fn typed_func<P: TypedArgs, R: FromValue>(
        &self,
        name: &str,
    ) -> Result<TypedFunc<P, R>, RunError> {
        let Some((index, function)) = self.function(name) else {
            return Err(RunError::api(
                "RT0001",
                format!("`{}` has no function `{name}`", self.name()),
            ));
        };
        let arity = function.params.len() - usize::from(function.takes_closure);
        if arity != P::COUNT {
            return Err(RunError::api(
                cairn_runtime::ErrorCode::RT0305.as_str(),
                format!(
                    "arity mismatch: {name} expects {}, got {}",
                    cairn_runtime::error::arguments(arity),
                    P::COUNT
                ),
            ));
        }
        Ok(TypedFunc {
            module: self.clone(),
            index,
            signature: PhantomData,
        })
    }
}

impl<P: TypedArgs, R: FromValue> TypedFunc<P, R> {
    /// Calls the function in `runtime` (a runtime of the module's engine) with `args`.
    /// Failures are those of [`Runtime::call`]; the heap after a failed call is the heap
    /// before it.
    pub fn call(&self, runtime: &mut Runtime, args: P) -> Result<R, RunError> {
        runtime.call_index(&self.module, self.index, P::COUNT, |ctx, queue, words| {
            let first = words.len();
            args.write_words(&mut ArgWriter {
                ctx,
                queue,
                words,
                first,
            })
        })
    }
}
