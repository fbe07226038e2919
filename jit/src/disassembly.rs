//! `CAIRN_JIT_DISASM=1`: prints each compiled function's optimized Cranelift IR and its
//! machine code (Cranelift's VCode listing, after register allocation) to stderr, to read
//! what the JIT generates when profiling. Off by default; reading the variable once is the
//! only cost.

use std::sync::OnceLock;

/// Whether `CAIRN_JIT_DISASM` is set (read once per process).
pub(crate) fn disassembly_requested() -> bool {
    static REQUESTED: OnceLock<bool> = OnceLock::new();
    *REQUESTED.get_or_init(|| std::env::var_os("CAIRN_JIT_DISASM").is_some())
}

/// Prints the optimized IR and the listing of the function `codegen` just compiled.
pub(crate) fn print_disassembly(name: &str, codegen: &cranelift_codegen::Context) {
    let listing = codegen
        .compiled_code()
        .and_then(|code| code.vcode.as_deref())
        .unwrap_or("(no listing: compiled without set_disasm)");
    eprintln!("=== {name}\n{}\n{listing}", codegen.func.display());
}
