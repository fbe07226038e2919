//! Inline fast paths of `rt_retain` and `rt_release` for heap words: the runtime's own
//! unobserved fast paths (`release::retain` / `release::release` through
//! `Heap::try_inc_ref_unobserved` / `try_dec_ref_unobserved`) done in compiled code. When
//! nothing observes the heap (no trace, no audit: the heap's `observing` byte is 0), the
//! word is a well-formed reference (top 24 bits the heap tag, a known kind byte; for a
//! retain not a `ListNode`, whose retain invalidates the List tail-leaf caches), its block
//! is mapped, in the `Head` state and of that kind, and its count steps within the fast
//! path's range (a retain from `1..MAX_REF_COUNT`, a release from `2..=MAX_REF_COUNT`, so
//! nothing is copied or freed), the count is stored stepped. That is what the shim does in
//! that state, and an unobserved step records no event, so results and traces are the
//! shim's. Every other case calls the shim on the unchanged state.

use cairn_runtime::inline_heap_layout::InlineHeapLayout;
use cairn_runtime::value::{TAG_HEAP, TAG_SHIFT};
use cairn_runtime::{Context, Kind, Shim};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, MemFlagsData, Value as ClValue};

use crate::inline_list::block_read;
use crate::translate::FunctionTranslator;

const LAYOUT: InlineHeapLayout = Context::INLINE_HEAP_LAYOUT;

/// Which way a count steps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Increment,
    Decrement,
}

/// The largest kind byte (`Kind::from_u8` knows `1..=LAST_KIND`).
const LAST_KIND: i64 = Kind::HostObject as i64;

impl FunctionTranslator<'_, '_> {
    /// `rt_retain(word)` for a word known to be heap-tagged or not (a non-heap word is
    /// its own owned copy and skips both paths): the inline step when it applies, the shim
    /// otherwise. Returns the owned word (the shim may return a copy).
    pub(crate) fn emit_inline_retain(&mut self, src: ClValue, op_index: u32) -> ClValue {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let join = self.builder.create_block();
        let result = self.builder.append_block_param(join, I64);
        self.step_count_or(src, Step::Increment, slow);
        self.builder.ins().jump(join, &[BlockArg::Value(src)]);
        self.builder.switch_to_block(slow);
        let word = self.call_shim(Shim::Retain, &[src]);
        self.branch_on_failure(word, op_index);
        self.builder.ins().jump(join, &[BlockArg::Value(word)]);
        self.builder.switch_to_block(join);
        result
    }

    /// `rt_release(word)`: the inline step when it applies, the shim otherwise (a non-heap
    /// word reaches the shim, which ignores it, only when the caller did not test it).
    pub(crate) fn emit_inline_release(&mut self, value: ClValue) {
        let slow = self.builder.create_block();
        self.builder.set_cold_block(slow);
        let done = self.builder.create_block();
        self.step_count_or(value, Step::Decrement, slow);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(slow);
        self.call_shim(Shim::Release, &[value]);
        self.builder.ins().jump(done, &[]);
        self.builder.switch_to_block(done);
    }

    /// Steps the count of the object `word` names in place when the fast path applies
    /// (see the module docs) and continues; branches to `slow`, having changed nothing,
    /// otherwise.
    fn step_count_or(&mut self, word: ClValue, step: Step, slow: Block) {
        let observing =
            self.builder
                .ins()
                .uload8(I64, MemFlagsData::trusted(), self.ctx, LAYOUT.observing);
        self.branch_unless_imm(IntCC::Equal, observing, 0, slow);
        let top = self.builder.ins().ushr_imm_s(word, 40);
        self.branch_unless_imm(
            IntCC::Equal,
            top,
            (TAG_HEAP << (TAG_SHIFT - 40)) as i64,
            slow,
        );
        let kind = self.builder.ins().ushr_imm_s(word, 32);
        let kind = self.builder.ins().band_imm_s(kind, 0xFF);
        let kind_less_one = self.builder.ins().iadd_imm_s(kind, -1);
        self.branch_unless_imm(IntCC::UnsignedLessThan, kind_less_one, LAST_KIND, slow);
        if step == Step::Increment {
            self.branch_unless_imm(IntCC::NotEqual, kind, Kind::ListNode as i64, slow);
        }
        let (_, _, block) = self.located_head_block(word, slow);
        let stored_kind = self
            .builder
            .ins()
            .uload8(I64, block_read(), block, LAYOUT.kind);
        self.branch_unless(IntCC::Equal, stored_kind, kind, slow);
        let count = self
            .builder
            .ins()
            .uload16(I64, block_read(), block, LAYOUT.ref_count);
        // Increment: `count - 1 < MAX_REF_COUNT - 1` (count in 1..MAX_REF_COUNT);
        // decrement: `count - 2 < MAX_REF_COUNT - 1` (count in 2..=MAX_REF_COUNT).
        let (lowest, delta) = match step {
            Step::Increment => (1, 1),
            Step::Decrement => (2, -1),
        };
        let offset = self.builder.ins().iadd_imm_s(count, -lowest);
        self.branch_unless_imm(
            IntCC::UnsignedLessThan,
            offset,
            LAYOUT.max_ref_count - 1,
            slow,
        );
        let stepped = self.builder.ins().iadd_imm_s(count, delta);
        self.builder
            .ins()
            .istore16(block_read(), stepped, block, LAYOUT.ref_count);
    }
}
