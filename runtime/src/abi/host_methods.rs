//! Method calls on host objects (docs/LANGUAGE.md, "Method calls"; docs/EMBEDDING.md, "Host
//! objects"). The compiler lowers `receiver.name(args)` to a host call of the signature
//! `.name` taking the receiver and the arguments (all borrowed), so both engines run it
//! through `rt_call_host` like any host function. The body installed for such a signature is
//! [`method_dispatcher`]: at run time it reads the receiver's host type, finds the method in
//! the embedder's [`HostMethodTable`] and runs it; RT0307 when the receiver is not a host
//! object or its type has no such method, RT0305 for a wrong argument count.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::RuntimeError;
use crate::objects::host_object;
use crate::value::{KindName, Value};

use super::host::{HostCall, HostFailure, HostFunction, HostFunctionBody};

/// One method of a host type: its argument count (without the receiver) and its body, which
/// receives the receiver as argument 0.
#[derive(Clone)]
pub struct HostMethod {
    pub arity: usize,
    pub body: Arc<HostFunctionBody>,
}

/// The methods of every host type an embedder registered: type name → method name → method.
pub type HostMethodTable = HashMap<String, HashMap<String, HostMethod>>;

/// Whether a host signature's name is a method call's (`.name`).
pub fn is_method_signature(name: &str) -> bool {
    name.starts_with('.')
}

/// The body of the host signature `.method` with `arity` words (the receiver and the
/// arguments), resolving the method on the receiver's host type in `table`.
pub fn method_dispatcher(
    signature: &str,
    arity: usize,
    table: Arc<HostMethodTable>,
) -> HostFunction {
    let method = signature.trim_start_matches('.').to_string();
    let body = move |call: &mut HostCall<'_>, args: &[Value]| -> Result<Value, HostFailure> {
        let receiver = args[0];
        let kind = receiver.kind_name();
        if kind != Some(KindName::HostObject) {
            let kind = kind.map_or("an invalid value", KindName::as_str);
            return Err(HostFailure::Raised(RuntimeError::no_method(kind, &method)));
        }
        let type_name =
            host_object::type_name(&call.context().heap, receiver).map_err(HostFailure::Raised)?;
        let Some(found) = table
            .get(&*type_name)
            .and_then(|methods| methods.get(&method))
        else {
            return Err(HostFailure::Raised(RuntimeError::no_method(
                &type_name, &method,
            )));
        };
        let qualified = format!("{type_name}.{method}");
        if found.arity + 1 != args.len() {
            return Err(HostFailure::Raised(RuntimeError::arity_mismatch(
                &qualified,
                found.arity,
                args.len() - 1,
            )));
        }
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (found.body)(call, args)));
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(HostFailure::Failed(message))) => Err(HostFailure::Raised(
                RuntimeError::host_failed(&qualified, &message),
            )),
            Ok(Err(raised)) => Err(raised),
            Err(panic) => Err(HostFailure::Raised(RuntimeError::host_panicked(
                &qualified,
                &super::handles::boundary::panic_detail(panic.as_ref()),
            ))),
        }
    };
    HostFunction {
        name: signature.to_string(),
        arity,
        body: Arc::new(body),
    }
}
