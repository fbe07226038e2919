//! Host objects in the C API (docs/EMBEDDING.md, "Host objects"; docs/ABI.md, "The C
//! embedding API (`include/cairn.h`)"): `cairn_engine_register_type` and `cairn_engine_register_method` on an
//! engine, `cairn_host_object_new` (a `void *` and its drop callback as a host object of a
//! runtime) and `cairn_host_object_data` (the pointer back, checked against the type name).
//! The drop callback runs exactly once, at the object's final release.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use cairn_runtime::RuntimeError;
use cairn_runtime::abi::handles::boundary::catch_abi_panic;
use cairn_runtime::abi::handles::runtime_lifecycle::with_live_runtime;
use cairn_runtime::abi::handles::value::checked_value;
use cairn_runtime::abi::handles::{AiviErrorHandle, AiviRuntime, AiviValueHandle};
use cairn_runtime::objects::{host_object, kind_name_of};
use cairn_runtime::{Context, KindName};

use super::engine::{CairnEngine, CairnFreeFn, CairnHostFn, with_engine};
use super::host::{UserData, c_host_body};
use super::{c_str_arg, misuse, report_outcome};

/// A C host object's payload: the host's pointer and the callback that drops it.
struct CPayload {
    data: *mut c_void,
    drop: CairnFreeFn,
}

// SAFETY: `data` is opaque to Rust (only handed back to the host); `cairn_host_object_new`'s
// contract makes it usable, and droppable, on any thread that uses the runtime.
unsafe impl Send for CPayload {}

impl Drop for CPayload {
    fn drop(&mut self) {
        if let Some(drop) = self.drop {
            // SAFETY: the host gave `drop` for `data`; the payload is dropped exactly once
            // (the host object table takes it out of its slot first).
            unsafe { drop(self.data) };
        }
    }
}

fn run_error(error: crate::RunError) -> RuntimeError {
    misuse(error.message().to_string())
}

/// `uint32_t cairn_engine_register_type(CairnEngine *engine, const char *name,
/// AiviErrorHandle *error_out)`: registers the C host type `name`, whose methods
/// `cairn_engine_register_method` adds. 1, or 0 with an owned error in `*error_out` (RT0404
/// for a NULL or dead engine or a NULL name; RT0001 for a name that is not an identifier or
/// that a Rust type of the engine has). Registering a C type again is a no-op.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_engine_register_type(
    engine: *mut CairnEngine,
    name: *const c_char,
    error_out: *mut AiviErrorHandle,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str_arg("cairn_engine_register_type", "name", name) }?;
        with_engine(engine, |state| {
            state
                .engine
                .types_mut()
                .register(name, None)
                .map_err(run_error)
        })?
    });
    // SAFETY: forwarded from this function's contract.
    unsafe { report_outcome(error_out, outcome) }
}

/// `uint32_t cairn_engine_register_method(CairnEngine *engine, const char *type_name, const
/// char *method, size_t arity, CairnHostFn function, void *user, CairnFreeFn free_user,
/// AiviErrorHandle *error_out)`: adds method `method` of `arity` arguments to the registered
/// type `type_name`: scripts compiled afterwards call it as `object.method(a1, ..., aN)`, and
/// `function` gets `nargs = arity + 1` borrowed handles, the receiver first (read its data
/// with `cairn_host_object_data`). Its outcome is a host function's (`cairn_engine_register`),
/// named `Type.method` in diagnostics. 1, or 0 with an owned error in `*error_out` (RT0404
/// for a NULL or dead engine or NULL names; RT0001 for a NULL function, a type that is not
/// registered, a method name that is not an identifier, more than 64 arguments); on
/// failure `user` stays the caller's.
///
/// # Safety
/// As `cairn_engine_register`: the names are NULL or NUL-terminated, `error_out` is NULL or
/// writable, `function` may be called with `user` from any thread running a module of this
/// engine, and `free_user`, if not NULL, is called once with `user` when the last engine or
/// module holding the method is freed.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cairn_engine_register_method(
    engine: *mut CairnEngine,
    type_name: *const c_char,
    method: *const c_char,
    arity: usize,
    function: CairnHostFn,
    user: *mut c_void,
    free_user: CairnFreeFn,
    error_out: *mut AiviErrorHandle,
) -> u32 {
    let outcome = catch_abi_panic(|| {
        // SAFETY: forwarded from this function's contract.
        let type_name =
            unsafe { c_str_arg("cairn_engine_register_method", "type_name", type_name) }?;
        // SAFETY: forwarded from this function's contract.
        let method = unsafe { c_str_arg("cairn_engine_register_method", "method", method) }?;
        let Some(function) = function else {
            return Err(misuse(
                "cairn_engine_register_method: the function pointer is NULL (a CairnHostFn is required)",
            ));
        };
        with_engine(engine, |state| {
            let types = state.engine.types_mut();
            if !types.methods.contains_key(type_name) {
                return Err(misuse(format!(
                    "cannot register method `{type_name}.{method}`: `{type_name}` is not a registered host type"
                )));
            }
            // Checked before the user data is wrapped, so a refusal never frees it.
            if arity > crate::MAX_HOST_ARITY {
                return Err(misuse(format!(
                    "cannot register method `{type_name}.{method}`: more than {} arguments",
                    crate::MAX_HOST_ARITY
                )));
            }
            let mut chars = method.chars();
            let identifier = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !identifier {
                return Err(misuse(format!(
                    "cannot register host method `{method}`: not an identifier"
                )));
            }
            let user = Arc::new(UserData::new(user, free_user));
            let body = c_host_body(format!("{type_name}.{method}"), arity + 1, function, user);
            types
                .add_method(type_name, method, arity, body)
                .map_err(run_error)
        })?
    });
    // SAFETY: forwarded from this function's contract.
    unsafe { report_outcome(error_out, outcome) }
}

/// `AiviValueHandle cairn_host_object_new(AiviRuntime *rt, const char *type_name, void *data,
/// CairnFreeFn drop)`: a new host object of type `type_name` holding `data`, as an OWNED
/// handle (printed `<type_name#N>`, `N` the object's serial number in `rt`). Its final
/// release — the host's `aivi_value_release` or the script's, whichever is last — calls
/// `drop(data)` once (`drop` may be NULL). NULL on failure with the error parked: RT0404 for
/// a bad `rt` or a NULL `type_name`, RT0303 for a name that is not UTF-8, RT0401/RT0402
/// when the heap is full. On every failure `drop(data)` has already been called, so `data`
/// never leaks.
///
/// # Safety
/// `type_name` is NULL or NUL-terminated; `rt` is NULL or any pointer value (a dead or forged
/// one is diagnosed); `drop` may be called with `data` during any later call on `rt` that
/// releases values (or when `rt` is freed) and must not call back into the runtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_host_object_new(
    rt: *mut AiviRuntime,
    type_name: *const c_char,
    data: *mut c_void,
    drop: CairnFreeFn,
) -> AiviValueHandle {
    let payload = CPayload { data, drop };
    let body = |context: &mut Context| {
        // SAFETY: forwarded from this function's contract.
        let name = unsafe { c_str_arg("cairn_host_object_new", "type_name", type_name) }?;
        let word =
            host_object::new_host_object(&mut context.heap, Arc::from(name), Box::new(payload))?;
        Ok(AiviValueHandle::tagged(
            word.bits(),
            context.heap.handle_tag(),
        ))
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, AiviValueHandle::NULL, body) }
}

/// `void *cairn_host_object_data(AiviRuntime *rt, AiviValueHandle object, const char
/// *type_name)`: the `data` pointer of the host object `object` (borrowed), checked to be of
/// type `type_name` (NULL accepts any type). NULL with the error parked: RT0303 for another
/// kind or type, RT0404 for a bad handle. A C object's data is the host's; a Rust object's
/// has no C pointer (RT0303).
///
/// # Safety
/// `type_name` is NULL or NUL-terminated; `rt` is NULL or any pointer value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_host_object_data(
    rt: *mut AiviRuntime,
    object: AiviValueHandle,
    type_name: *const c_char,
) -> *mut c_void {
    let body = |context: &mut Context| {
        if object.is_null() {
            return Err(RuntimeError::invalid_reference(
                "cairn_host_object_data was given a NULL value handle",
            ));
        }
        let word = checked_value(&context.heap, object)?;
        let kind = kind_name_of(word)?;
        if kind != KindName::HostObject {
            return Err(RuntimeError::type_mismatch(
                "cairn_host_object_data",
                "a host object",
                kind.as_str(),
            ));
        }
        let actual = host_object::type_name(&context.heap, word)?;
        if !type_name.is_null() {
            // SAFETY: non-NULL and NUL-terminated per this function's contract.
            let wanted = unsafe { c_str_arg("cairn_host_object_data", "type_name", type_name) }?;
            if wanted != &*actual {
                return Err(RuntimeError::type_mismatch(
                    "cairn_host_object_data",
                    wanted,
                    &actual,
                ));
            }
        }
        let payload = host_object::payload(&context.heap, word)?;
        match payload.downcast_ref::<CPayload>() {
            Some(payload) => Ok(payload.data),
            None => Err(RuntimeError::type_mismatch(
                "cairn_host_object_data",
                "a C host object",
                &format!("the Rust host object {actual}"),
            )),
        }
    };
    // SAFETY: `rt` is forwarded under this function's own `# Safety` contract.
    unsafe { with_live_runtime(rt, std::ptr::null_mut(), body) }
}
