//! The long-lived JIT context: owns the Cranelift `JITModule` for one compiled program, the
//! native ISA (`opt_level = "speed"`; a second one without optimisation, built on first
//! need, for very large functions), and the import declaration of every runtime shim.
//! Shims are declared and their symbols registered from `Shim::ALL`, so the JIT has no list of
//! runtime functions of its own; the one other import is the pure Float remainder helper
//! (`inline_float::float_remainder`, Rust's f64 `%`), which touches no memory.

use std::collections::HashMap;

use cairn_runtime::Shim;
use cranelift_codegen::ir::types::F64;
use cranelift_codegen::ir::{AbiParam, Signature, Type};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, default_libcall_names};

use crate::inline_float::{FLOAT_REMAINDER_SYMBOL, float_remainder};
use crate::lazy_compile::{COMPILE_ON_FIRST_CALL_SYMBOL, cairn_jit_compile_on_first_call};

/// The JIT module plus the imported shim declarations. Dropping the context frees the code
/// memory, so whoever holds a pointer into the code must hold the context too.
pub struct JitContext {
    /// `Some` until drop.
    module: Option<JITModule>,
    /// Shims declared so far (each on its first use: declaring all of `Shim::ALL` up front
    /// was a tenth of an empty program's startup).
    shim_functions: HashMap<Shim, FuncId>,
    /// The import declaration of `inline_float::float_remainder` (Float `%`).
    float_remainder: FuncId,
    /// The import declaration of the compile-on-first-call helper, on first use.
    compile_helper: Option<FuncId>,
    pointer_type: Type,
    /// The ISA for functions of more than [`LARGE_FUNCTION_OPS`] ops, on first need.
    large_function_isa: Option<OwnedTargetIsa>,
}

/// Functions with more IR ops than this are compiled without Cranelift's optimisation
/// passes and with its single-pass register allocator: both of the default passes grow
/// faster than linearly on one huge function (a 20,000-entry map literal took 9.6 s, a
/// 200,000-entry one minutes), and code that big runs once, so compile time dominates.
pub const LARGE_FUNCTION_OPS: usize = 20_000;

/// The flags both ISAs share; `large_function` turns optimisation off and picks the
/// single-pass register allocator.
fn isa_flags(large_function: bool) -> Result<settings::Flags, String> {
    let mut flags = settings::builder();
    let setting_error = |e: settings::SetError| format!("cranelift setting rejected: {e}");
    let opt_level = if large_function { "none" } else { "speed" };
    flags.set("opt_level", opt_level).map_err(setting_error)?;
    if large_function {
        flags
            .set("regalloc_algorithm", "single_pass")
            .map_err(setting_error)?;
    }
    // Cranelift's IR verifier runs in debug builds, and in release builds only when asked
    // (`CAIRN_VERIFY_JIT=1`): it costs compile time on every function.
    let verify = cfg!(debug_assertions) || std::env::var_os("CAIRN_VERIFY_JIT").is_some();
    flags
        .set("enable_verifier", if verify { "true" } else { "false" })
        .map_err(setting_error)?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(setting_error)?;
    flags.set("is_pic", "false").map_err(setting_error)?;
    // `return_call` (tail calls between Cairn functions) requires frame pointers.
    flags
        .set("preserve_frame_pointers", "true")
        .map_err(setting_error)?;
    Ok(settings::Flags::new(flags))
}

fn native_isa(large_function: bool) -> Result<OwnedTargetIsa, String> {
    let isa_builder = cranelift_native::builder()
        .map_err(|e| format!("host machine is not supported by cranelift: {e}"))?;
    isa_builder
        .finish(isa_flags(large_function)?)
        .map_err(|e| format!("cannot build the native ISA: {e}"))
}

impl JitContext {
    /// Builds the native ISA and the module, which resolves shim symbols through `Shim::ALL`
    /// (shims are declared on first use, [`Self::shim_function`]), and declares the Float
    /// remainder helper.
    pub fn new() -> Result<JitContext, String> {
        let isa = native_isa(false)?;
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        // Shim addresses are looked up by symbol when the code that calls them is linked, so
        // only the shims a program uses are ever resolved.
        builder.symbol_lookup_fn(Box::new(|name| Shim::from_symbol(name).map(Shim::address)));
        builder.symbol(
            COMPILE_ON_FIRST_CALL_SYMBOL,
            cairn_jit_compile_on_first_call as unsafe extern "C" fn(_, _, _, _) -> u64 as *const u8,
        );
        builder.symbol(
            FLOAT_REMAINDER_SYMBOL,
            float_remainder as extern "C" fn(f64, f64) -> f64 as *const u8,
        );
        let mut module = JITModule::new(builder);
        let pointer_type = module.target_config().pointer_type();
        let mut remainder_signature = module.make_signature();
        remainder_signature.params = vec![AbiParam::new(F64), AbiParam::new(F64)];
        remainder_signature.returns = vec![AbiParam::new(F64)];
        let float_remainder = module
            .declare_function(
                FLOAT_REMAINDER_SYMBOL,
                Linkage::Import,
                &remainder_signature,
            )
            .map_err(|e| format!("cannot declare {FLOAT_REMAINDER_SYMBOL}: {e}"))?;
        Ok(JitContext {
            module: Some(module),
            shim_functions: HashMap::new(),
            float_remainder,
            compile_helper: None,
            pointer_type,
            large_function_isa: None,
        })
    }

    /// The ISA for a function of more than [`LARGE_FUNCTION_OPS`] ops (built on first use).
    pub fn large_function_isa(&mut self) -> Result<&dyn TargetIsa, String> {
        if self.large_function_isa.is_none() {
            self.large_function_isa = Some(native_isa(true)?);
        }
        Ok(&**self.large_function_isa.as_ref().expect("just built"))
    }

    pub fn module(&self) -> &JITModule {
        self.module.as_ref().expect("the module lives until drop")
    }

    pub fn module_mut(&mut self) -> &mut JITModule {
        self.module.as_mut().expect("the module lives until drop")
    }

    pub fn pointer_type(&self) -> Type {
        self.pointer_type
    }

    /// The module-level id of a shim's import declaration `(ctx, i64 x param_count) -> i64`,
    /// declared on first use.
    pub fn shim_function(&mut self, shim: Shim) -> FuncId {
        if let Some(id) = self.shim_functions.get(&shim) {
            return *id;
        }
        let signature = word_signature(self.module(), self.pointer_type, shim.param_count());
        let id = self
            .module_mut()
            .declare_function(shim.symbol(), Linkage::Import, &signature)
            .expect("a shim symbol is declared once, always with the same signature");
        self.shim_functions.insert(shim, id);
        id
    }

    /// The module-level id of the import declaration of the compile-on-first-call helper:
    /// `(compiler, ctx, function: i64, args) -> i64` in the host's C convention.
    pub fn compile_helper_function(&mut self) -> FuncId {
        if let Some(id) = self.compile_helper {
            return id;
        }
        let pointer_type = self.pointer_type;
        let mut signature = self.module().make_signature();
        signature.params = vec![
            AbiParam::new(pointer_type),
            AbiParam::new(pointer_type),
            AbiParam::new(cranelift_codegen::ir::types::I64),
            AbiParam::new(pointer_type),
        ];
        signature.returns = vec![AbiParam::new(cranelift_codegen::ir::types::I64)];
        let id = self
            .module_mut()
            .declare_function(COMPILE_ON_FIRST_CALL_SYMBOL, Linkage::Import, &signature)
            .expect("the compile helper is declared once, always with the same signature");
        self.compile_helper = Some(id);
        id
    }

    /// The module-level id of the import declaration of the Float remainder helper.
    pub fn float_remainder_function(&self) -> FuncId {
        self.float_remainder
    }

    /// The signature of a compiled Cairn function with `param_count` value parameters:
    /// `(ctx, i64...) -> i64` in Cranelift's `tail` calling convention, so that calls in tail
    /// position can be `return_call`s. Hosts enter through [`Self::host_signature`] wrappers.
    pub fn function_signature(&self, param_count: usize) -> Signature {
        let mut signature = word_signature(self.module(), self.pointer_type, param_count);
        signature.call_conv = CallConv::Tail;
        signature
    }

    /// The same words in the host's C calling convention (entry wrappers called from Rust).
    pub fn host_signature(&self, param_count: usize) -> Signature {
        word_signature(self.module(), self.pointer_type, param_count)
    }
}

impl Drop for JitContext {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: code pointers into this module are only handed out by `compile`, which
            // stores them in the `JitProgram` that owns this context; that program's
            // `run_main` joins its run thread before returning, so no compiled code is
            // running or reachable once the context is dropped.
            unsafe { module.free_memory() };
        }
    }
}

/// `(ctx: pointer, i64 x param_count) -> i64` in the host's default calling convention
/// (the same as Rust's `extern "C"`).
fn word_signature(module: &JITModule, pointer_type: Type, param_count: usize) -> Signature {
    let mut signature = module.make_signature();
    signature.params.push(AbiParam::new(pointer_type));
    for _ in 0..param_count {
        signature
            .params
            .push(AbiParam::new(cranelift_codegen::ir::types::I64));
    }
    signature
        .returns
        .push(AbiParam::new(cranelift_codegen::ir::types::I64));
    signature
}
