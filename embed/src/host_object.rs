//! Host objects (docs/EMBEDDING.md, "Host objects"): a host registers a Rust type and its
//! methods on the [`crate::Engine`]; scripts receive values of the type as host objects
//! (kind `HostObject`, printed `<Type#serial>`), store them, pass them back and call their
//! methods (`player.damage(10)`), resolved at run time on the receiver's type. The value
//! itself lives in the runtime's host object table; its block is counted and traced like any
//! object, and its final release drops the value, exactly once.

use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use cairn_runtime::abi::host::{HostCall, HostFailure, HostFunctionBody};
use cairn_runtime::abi::host_methods::{HostMethod, HostMethodTable};
use cairn_runtime::objects::host_object;
use cairn_runtime::value::Value as Word;
use cairn_runtime::{Context, KindName};

use crate::convert::{FromValue, IntoValue};
use crate::engine::Engine;
use crate::error::{HostError, RunError};
use crate::host_fn::{HostContext, host_failure, raw_body, release_queue_of, run_error_failure};
use crate::value::{Opaque, ReleaseQueue, Value};
use crate::value_io::{read_value, write_value};

/// The names of the Rust types registered as host types (what `new_object` names them).
pub(crate) type TypeNames = HashMap<TypeId, Arc<str>>;

/// The host types an engine knows: Rust types by `TypeId`, every type's name (C types have
/// no `TypeId`), and every type's methods.
#[derive(Clone, Default)]
pub(crate) struct HostTypes {
    pub names: TypeNames,
    pub owners: HashMap<String, Option<TypeId>>,
    pub methods: HostMethodTable,
}

impl HostTypes {
    /// Registers the type `name`, a Rust type (`Some(TypeId)`) or a C one (`None`).
    /// Registering the same type under the same name again keeps its methods.
    pub fn register(&mut self, name: &str, type_id: Option<TypeId>) -> Result<(), RunError> {
        check_name("type", name)?;
        let refuse = |reason: String| {
            Err(RunError::api(
                "RT0001",
                format!("cannot register host type `{name}`: {reason}"),
            ))
        };
        match self.owners.get(name) {
            Some(owner) if *owner == type_id => return Ok(()),
            Some(_) => return refuse("another type is registered under that name".into()),
            None => {}
        }
        if let Some(type_id) = type_id {
            if let Some(other) = self.names.get(&type_id) {
                return refuse(format!("this Rust type is already registered as `{other}`"));
            }
            self.names.insert(type_id, Arc::from(name));
        }
        self.owners.insert(name.to_string(), type_id);
        self.methods.entry(name.to_string()).or_default();
        Ok(())
    }

    /// Adds (or replaces) method `method` of the registered type `type_name`.
    pub fn add_method(
        &mut self,
        type_name: &str,
        method: &str,
        arity: usize,
        body: Arc<HostFunctionBody>,
    ) -> Result<(), RunError> {
        check_name("method", method)?;
        if arity > crate::engine::MAX_HOST_ARITY {
            return Err(RunError::api(
                "RT0001",
                format!(
                    "cannot register method `{type_name}.{method}`: more than {} arguments",
                    crate::engine::MAX_HOST_ARITY
                ),
            ));
        }
        let Some(methods) = self.methods.get_mut(type_name) else {
            return Err(RunError::api(
                "RT0001",
                format!(
                    "cannot register method `{type_name}.{method}`: `{type_name}` is not a registered host type"
                ),
            ));
        };
        methods.insert(method.to_string(), HostMethod { arity, body });
        Ok(())
    }
}

/// RT0001 unless `name` is an identifier (ASCII letter or `_`, then letters, digits, `_`).
fn check_name(what: &str, name: &str) -> Result<(), RunError> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(RunError::api(
            "RT0001",
            format!("cannot register host {what} `{name}`: not an identifier"),
        ))
    }
}

/// Adds methods to a host type registered with [`Engine::register_type`].
pub struct TypeBuilder<'e, T> {
    engine: &'e mut Engine,
    name: String,
    _type: PhantomData<fn(T)>,
}

impl<'e, T: Send + 'static> TypeBuilder<'e, T> {
    pub(crate) fn new(engine: &'e mut Engine, name: &str) -> TypeBuilder<'e, T> {
        TypeBuilder {
            engine,
            name: name.to_string(),
            _type: PhantomData,
        }
    }

    /// Adds the typed method `name`: a closure taking the object mutably and up to five
    /// [`FromValue`] arguments, returning an [`IntoValue`] or `Result<_, HostError>`. Scripts
    /// call it as `object.name(args)`. An `Err` fails the script with RT0701 `host function
    /// Type.name failed: ...`, a panic with RT0702.
    pub fn method<Marker>(
        &mut self,
        name: &str,
        method: impl IntoHostMethod<T, Marker>,
    ) -> Result<&mut Self, RunError> {
        let arity = method.arity();
        let body = method.into_body();
        self.engine
            .types_mut()
            .add_method(&self.name, name, arity, body)?;
        Ok(self)
    }

    /// Adds the raw method `name` of `arity` arguments (the receiver not counted): it gets
    /// a [`HostContext`] and the argument values, the receiver first (a [`Value::Opaque`];
    /// reach the object with [`HostContext::object_mut`]), so it can make new host objects
    /// or call script closures back.
    pub fn method_raw(
        &mut self,
        name: &str,
        arity: usize,
        method: impl Fn(&mut HostContext<'_, '_>, Vec<Value>) -> Result<Value, HostError>
        + Send
        + Sync
        + 'static,
    ) -> Result<&mut Self, RunError> {
        self.engine
            .types_mut()
            .add_method(&self.name, name, arity, raw_body(method))?;
        Ok(self)
    }
}

/// A Rust method usable on host type `T`: `Fn(&mut T, A, ...) -> R` with up to five
/// [`FromValue`] arguments, returning an [`IntoValue`] or `Result<R, HostError>`. `Marker`
/// only tells the blanket implementations apart (see [`TypeBuilder::method`]).
pub trait IntoHostMethod<T, Marker>: Send + Sync + 'static {
    /// The number of arguments (the receiver not counted).
    fn arity(&self) -> usize;
    /// The word-level body (the receiver is argument 0).
    fn into_body(self) -> Arc<HostFunctionBody>;
}

/// The word-level body of a typed method: the arguments after the receiver read as
/// values, the receiver's payload borrowed mutably while `f` runs, the result written back.
fn method_body<T: Send + 'static>(
    f: impl Fn(&mut T, Vec<Value>) -> Result<Value, HostError> + Send + Sync + 'static,
) -> Arc<HostFunctionBody> {
    Arc::new(move |call: &mut HostCall<'_>, args: &[Word]| {
        let queue = release_queue_of(call)?;
        let mut values = Vec::with_capacity(args.len().saturating_sub(1));
        for &word in &args[1..] {
            values.push(read_value(call.context(), word, &queue).map_err(run_error_failure)?);
        }
        let outcome = {
            let payload = host_object::payload_mut(&mut call.context().heap, args[0])
                .map_err(HostFailure::Raised)?;
            let Some(this) = payload.downcast_mut::<T>() else {
                return Err(HostFailure::Failed(format!(
                    "the receiver is not a {}",
                    std::any::type_name::<T>()
                )));
            };
            f(this, values)
        };
        let result = outcome.map_err(host_failure)?;
        let word = write_value(call.context(), &result, &queue).map_err(run_error_failure);
        drop(result);
        release_dropped(call.context(), &queue);
        word
    })
}

/// Applies the releases of handles dropped during a host call at its end, so an object the
/// host let go of inside the call is released there, not at the runtime's next call.
pub(crate) fn release_dropped(ctx: &mut Context, queue: &ReleaseQueue) {
    for word in queue.drain() {
        cairn_runtime::abi::shims::release_recording(ctx, Word(word));
    }
}

#[doc(hidden)]
pub struct PlainMethod;
#[doc(hidden)]
pub struct FallibleMethod;

macro_rules! host_method_impls {
    ($count:literal; $($arg:ident),*) => {
        impl<T, F, R, $($arg),*> IntoHostMethod<T, (PlainMethod, R, $($arg,)*)> for F
        where
            T: Send + 'static,
            F: Fn(&mut T, $($arg),*) -> R + Send + Sync + 'static,
            R: IntoValue,
            $($arg: FromValue,)*
        {
            fn arity(&self) -> usize {
                $count
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_body(self) -> Arc<HostFunctionBody> {
                method_body(move |this: &mut T, args| {
                    let mut args = args.into_iter();
                    $(let $arg = $arg::from_value(args.next().expect("arity checked by the dispatcher"))
                        .map_err(|e| HostError::new(e.message().to_string()))?;)*
                    Ok((self)(this, $($arg),*).into_value())
                })
            }
        }
        impl<T, F, R, $($arg),*> IntoHostMethod<T, (FallibleMethod, R, $($arg,)*)> for F
        where
            T: Send + 'static,
            F: Fn(&mut T, $($arg),*) -> Result<R, HostError> + Send + Sync + 'static,
            R: IntoValue,
            $($arg: FromValue,)*
        {
            fn arity(&self) -> usize {
                $count
            }
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_body(self) -> Arc<HostFunctionBody> {
                method_body(move |this: &mut T, args| {
                    let mut args = args.into_iter();
                    $(let $arg = $arg::from_value(args.next().expect("arity checked by the dispatcher"))
                        .map_err(|e| HostError::new(e.message().to_string()))?;)*
                    (self)(this, $($arg),*).map(IntoValue::into_value)
                })
            }
        }
    };
}

host_method_impls!(0;);
host_method_impls!(1; A);
host_method_impls!(2; A, B);
host_method_impls!(3; A, B, C);
host_method_impls!(4; A, B, C, D);
host_method_impls!(5; A, B, C, D, E);

/// Makes a host object of the registered name `type_name` holding `payload` in `ctx`'s heap
/// and returns it as a held [`Value::Opaque`] (the creation reference is the handle's).
pub(crate) fn new_object_value(
    ctx: &mut Context,
    queue: &Arc<ReleaseQueue>,
    type_name: Arc<str>,
    payload: host_object::HostPayload,
) -> Result<Value, RunError> {
    let word = host_object::new_host_object(&mut ctx.heap, type_name, payload)
        .map_err(|e| RunError::api(e.code.as_str(), e.message))?;
    let printed = cairn_runtime::canonical_form(&ctx.heap, word, false);
    Ok(Value::Opaque(Opaque::hold(
        word.bits(),
        KindName::HostObject,
        printed,
        queue,
    )))
}

/// The registered name of `T` in `names` (RT0001 when it is not registered).
pub(crate) fn type_name_of<T: 'static>(names: &TypeNames) -> Result<Arc<str>, RunError> {
    names.get(&TypeId::of::<T>()).cloned().ok_or_else(|| {
        RunError::api(
            "RT0001",
            format!(
                "{} is not registered as a host type (Engine::register_type)",
                std::any::type_name::<T>()
            ),
        )
    })
}

/// The word of `value` if it is a host object of the runtime whose queue is `queue`.
pub(crate) fn object_word(value: &Value, queue: &Arc<ReleaseQueue>) -> Result<Word, RunError> {
    let Value::Opaque(opaque) = value else {
        return Err(RunError::type_mismatch("a host object", value));
    };
    if opaque.kind() != "HostObject" {
        return Err(RunError::type_mismatch("a host object", value));
    }
    let word = opaque
        .word_for(queue)
        .ok_or_else(|| RunError::api("RT0001", "this HostObject belongs to another runtime"))?;
    Ok(Word(word))
}

/// The payload of the host object `value` of `ctx`'s runtime as a `T` (RT0303 for another
/// type).
pub(crate) fn object_in<'c, T: 'static>(
    ctx: &'c mut Context,
    queue: &Arc<ReleaseQueue>,
    value: &Value,
) -> Result<&'c mut T, RunError> {
    let word = object_word(value, queue)?;
    let type_name = host_object::type_name(&ctx.heap, word)
        .map_err(|e| RunError::api(e.code.as_str(), e.message))?;
    let payload = host_object::payload_mut(&mut ctx.heap, word)
        .map_err(|e| RunError::api(e.code.as_str(), e.message))?;
    payload.downcast_mut::<T>().ok_or_else(|| {
        RunError::api(
            "RT0303",
            format!(
                "type mismatch: the host expects a {}, got a {type_name}",
                std::any::type_name::<T>()
            ),
        )
    })
}
