//! Calls through the module's function table (see `lazy_compile.rs`): load the callee's
//! address; when it is 0 (not compiled yet) call the compile helper on a cold path, which
//! compiles the callee and returns its address, or unwinds the callee's frame and returns 0,
//! in which case this call fails like any failing op (a tail call leaves its frame first).

use cairn_runtime::Shim;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{BlockArg, InstBuilder};

use crate::translate::FunctionTranslator;

/// Which function a call names.
#[derive(Clone, Copy)]
pub(crate) enum Callee {
    /// A direct call's function index.
    Known(u32),
    /// A value call's function index (from `rt_call_target`'s entry, which is index + 1).
    Computed(cranelift_codegen::ir::Value),
}

/// What a call does when its callee cannot be compiled.
#[derive(Clone, Copy)]
pub(crate) enum OnCompileFailure {
    /// Unwind this frame at op `op_index` with its cleanup (a call that returns here).
    Unwind { op_index: u32 },
    /// Leave this frame and return failure (a tail call: nothing else is held).
    LeaveAndFail,
}

impl FunctionTranslator<'_, '_> {
    /// The native address of `callee`, compiling it on its first call; `param_words` are the
    /// words the callee will be called with (`ctx` excluded).
    pub(crate) fn emit_callee_address(
        &mut self,
        callee: Callee,
        param_words: &[cranelift_codegen::ir::Value],
        on_failure: OnCompileFailure,
    ) -> cranelift_codegen::ir::Value {
        let table = self.inputs.function_table;
        let (slot_address, index) = match callee {
            Callee::Known(index) => (
                self.word(table + 8 * u64::from(index)),
                self.word(u64::from(index)),
            ),
            Callee::Computed(index) => {
                let offset = self.builder.ins().ishl_imm_u(index, 3);
                let base = self.word(table);
                (self.builder.ins().iadd(base, offset), index)
            }
        };
        let flags = cranelift_codegen::ir::MemFlagsData::trusted();
        let loaded = self.builder.ins().atomic_load(I64, flags, slot_address);
        let call_block = self.builder.create_block();
        let address = self.builder.append_block_param(call_block, I64);
        let compile_block = self.builder.create_block();
        let failed_block = self.builder.create_block();
        self.builder.set_cold_block(compile_block);
        self.builder.set_cold_block(failed_block);
        self.builder.ins().brif(
            loaded,
            call_block,
            &[BlockArg::Value(loaded)],
            compile_block,
            &[],
        );

        self.builder.switch_to_block(compile_block);
        let args_address = self.spill_words(param_words);
        let compiler = self.word(self.inputs.compiler);
        let helper = self.compile_helper_ref();
        let call = self
            .builder
            .ins()
            .call(helper, &[compiler, self.ctx, index, args_address]);
        let compiled = self.builder.inst_results(call)[0];
        self.builder.ins().brif(
            compiled,
            call_block,
            &[BlockArg::Value(compiled)],
            failed_block,
            &[],
        );

        self.builder.switch_to_block(failed_block);
        match on_failure {
            OnCompileFailure::Unwind { op_index } => {
                self.emit_unwind_exit(op_index);
            }
            OnCompileFailure::LeaveAndFail => {
                self.call_shim(Shim::Leave, &[]);
                let zero = self.word(0);
                self.builder.ins().return_(&[zero]);
            }
        }
        self.builder.switch_to_block(call_block);
        address
    }

    /// Stores `words` in a new stack slot (at least one word); returns its address.
    fn spill_words(
        &mut self,
        words: &[cranelift_codegen::ir::Value],
    ) -> cranelift_codegen::ir::Value {
        let bytes = (words.len().max(1) * 8) as u32;
        let slot = self.operand_area(crate::translate::OperandArea::FirstCallCopy, bytes);
        let pointer_type = self.pointer_type();
        for (position, word) in words.iter().enumerate() {
            self.builder
                .ins()
                .stack_store(pointer_type, *word, slot, (position * 8) as i32);
        }
        self.builder.ins().stack_addr(pointer_type, slot, 0)
    }
}
