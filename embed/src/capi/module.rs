//! `CairnModule`: a compiled script ([`crate::Module`]). Thread-safe: one module runs in any
//! number of runtimes on any threads; freeing it while a call runs it is safe (the call holds
//! its own reference).

use std::ffi::c_char;

use cairn_runtime::RuntimeError;
use cairn_runtime::abi::handles::boundary::catch_abi_panic_or;
use cairn_runtime::abi::handles::live_registry::LiveRegistry;

use super::{c_str_arg, free_registered, with_registered};
use crate::module::Module;

/// `typedef struct CairnModule CairnModule;` (opaque to C).
pub struct CairnModule {
    pub(crate) module: Module,
}

pub(crate) static MODULES: LiveRegistry = LiveRegistry::new();

/// A new reference to the module behind `module` (RT0404 for NULL or a dead pointer).
pub(crate) fn module_of(module: *const CairnModule) -> Result<Module, RuntimeError> {
    // SAFETY: MODULES holds exactly the boxes `cairn_engine_compile` registered and
    // `cairn_module_free` unregisters before freeing.
    unsafe { with_registered(&MODULES, "module", module, |m| m.module.clone()) }
}

/// `uint32_t cairn_module_free(CairnModule *module)`: 1 (also for NULL), 0 when `module` is
/// not live (nothing is touched).
///
/// # Safety
/// `module` is NULL or any pointer value (a dead or forged one is diagnosed, not read).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_module_free(module: *mut CairnModule) -> u32 {
    // SAFETY: MODULES holds exactly the boxes `cairn_engine_compile` registered.
    catch_abi_panic_or(0, || unsafe { free_registered(&MODULES, module) })
}

/// `int64_t cairn_module_arity(const CairnModule *module, const char *name)`: how many
/// arguments function `name` takes as `cairn_call` sees it; -1 when the module has no such
/// function, or `module` / `name` is NULL, dead or not UTF-8.
///
/// # Safety
/// `name` is NULL or NUL-terminated; `module` is NULL or any pointer value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cairn_module_arity(
    module: *const CairnModule,
    name: *const c_char,
) -> i64 {
    catch_abi_panic_or(-1, || {
        // SAFETY: forwarded from this function's contract.
        let Ok(name) = (unsafe { c_str_arg("cairn_module_arity", "name", name) }) else {
            return -1;
        };
        let Ok(module) = module_of(module) else {
            return -1;
        };
        module.function(name).map_or(-1, |(_, function)| {
            (function.params.len() - usize::from(function.takes_closure)) as i64
        })
    })
}
