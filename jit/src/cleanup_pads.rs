//! The failure paths of one IR block, built from its cleanup table (`ir::Block::cleanup`):
//! every failing op of the block branches to the block's one *unwind block* with its op
//! index, which records the frame (`rt_unwind_frame`) and runs one landing pad per table
//! entry, each falling through to the next: the pad of entry `(var, from, to)` releases
//! `var` when the failing op's position is in `from..to`. The releases are those of the
//! op's cleanup in table (ascending) order, as the interpreter walks the same table, so a
//! var held across N fallible ops costs one pad and one store, not N releases (a failure
//! path per op releasing everything held made the machine code quadratic in the number of
//! live values).
//!
//! The pads read each var from a stack slot, stored at the start of the var's range (right
//! after the op that defines it, or at the block's start): a failure path shared by ops
//! before and after a definition cannot take the var as an SSA value. Slots are shared by
//! vars whose ranges do not overlap (a linear scan per block), so the frame holds at most as
//! many as are held at once. Vars the value-kind analysis proves immediate need no release,
//! hence no pad and no slot.
//!
//! The same per-block pass gives each block-local var used long after its definition a
//! *home slot* (`translate.rs`'s `def`/`use_var` store and load it): see
//! [`LONG_LIVED_POSITIONS`].

use cairn_lang::ir::{self, Var};
use cairn_runtime::Shim;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{
    Block, BlockArg, InstBuilder, StackSlot, StackSlotData, StackSlotKind,
};

use crate::translate::FunctionTranslator;

/// One pad: `var` (in `slot`) is released by failures at op indices `from..to`.
struct Pad {
    var: Var,
    from: u32,
    to: u32,
    slot: StackSlot,
}

/// The cleanup state of the IR block being translated.
#[derive(Default)]
pub(crate) struct BlockCleanup {
    pads: Vec<Pad>,
    /// Per position of the block, the pads whose range starts there (indices into `pads`).
    starts: Vec<Vec<usize>>,
    /// The unwind block (param: the failing op's index), created with the block.
    unwind: Option<Block>,
    /// Whether any failure branches to `unwind`.
    used: bool,
}

/// The stack slots pads use, shared by all blocks of the function, and the home slots of
/// long-lived block-local vars.
#[derive(Default)]
pub(crate) struct PadSlots {
    slots: Vec<StackSlot>,
    homes: Vec<StackSlot>,
}

/// A block-local var used this many positions or more after its definition lives in a stack
/// slot (stored once, loaded at each use) instead of an SSA value: N values live across N
/// fallible ops (each a branch) made the register allocator quadratic in N (its per-branch
/// handling of every live value), so a block of many long-lived locals compiled in time and
/// memory quadratic in its length.
const LONG_LIVED_POSITIONS: u32 = 16;

impl FunctionTranslator<'_, '_> {
    /// Prepares block `block` (whose first op has index `base`): its pads and slots, and its
    /// unwind block. Call before translating the block's first op.
    pub(crate) fn begin_block_cleanup(&mut self, block: &ir::Block, base: u32) {
        let mut pads: Vec<Pad> = Vec::new();
        let mut starts: Vec<Vec<usize>> = vec![Vec::new(); block.ops.len() + 1];
        // Linear scan over the ranges by start: a slot is free again once its range ended.
        let mut order: Vec<&ir::CleanupRange> = (block.cleanup.iter())
            .filter(|range| range.from < range.to && self.kinds_of(range.var).may_be_heap())
            .collect();
        order.sort_by_key(|range| (range.from, range.var));
        let mut busy: Vec<(u32, usize)> = Vec::new(); // (to, slot index)
        let mut free: Vec<usize> = Vec::new();
        let mut assigned: Vec<(Var, u32, u32, usize)> = Vec::with_capacity(order.len());
        for range in order {
            busy.retain(|&(to, slot)| {
                let ended = to <= range.from;
                if ended {
                    free.push(slot);
                }
                !ended
            });
            let slot = free.pop().unwrap_or_else(|| self.new_pad_slot());
            busy.push((range.to, slot));
            assigned.push((range.var, range.from, range.to, slot));
        }
        // Pads in table order (ascending by var): the release order of every cleanup.
        assigned.sort_by_key(|&(var, ..)| var);
        for (var, from, to, slot) in assigned {
            if let Some(start) = starts.get_mut(from as usize) {
                start.push(pads.len());
            }
            pads.push(Pad {
                var,
                from: base + from,
                to: base.saturating_add(to),
                slot: self.pad_slots.slots[slot],
            });
        }
        self.assign_home_slots(block);
        let unwind = self.builder.create_block();
        self.builder.set_cold_block(unwind);
        self.builder.append_block_param(unwind, I64);
        self.block_cleanup = BlockCleanup {
            pads,
            starts,
            unwind: Some(unwind),
            used: false,
        };
    }

    /// Gives each long-lived block-local var defined in `block` a home slot (a linear scan
    /// over `definition..last use`, so vars whose lives do not overlap share one).
    fn assign_home_slots(&mut self, block: &ir::Block) {
        let mut busy: Vec<(u32, usize)> = Vec::new(); // (last use, home index)
        let mut free: Vec<usize> = Vec::new();
        for (position, op) in block.ops.iter().enumerate() {
            let position = position as u32;
            let Some(dst) = op.kind.dst() else { continue };
            let index = dst.0 as usize;
            if index >= self.home_slots.len() {
                continue;
            }
            self.home_slots[index] = None;
            let last = self.last_use[index];
            if !self.is_block_local(dst) || last < position + LONG_LIVED_POSITIONS {
                continue;
            }
            busy.retain(|&(end, home)| {
                let ended = end <= position;
                if ended {
                    free.push(home);
                }
                !ended
            });
            let home = free.pop().unwrap_or_else(|| {
                self.add_slot_bytes(8);
                let slot = self.builder.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    8,
                    3,
                ));
                self.pad_slots.homes.push(slot);
                self.pad_slots.homes.len() - 1
            });
            busy.push((last, home));
            self.home_slots[index] = Some(self.pad_slots.homes[home]);
        }
    }

    fn new_pad_slot(&mut self) -> usize {
        self.add_slot_bytes(8);
        let slot = self.builder.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            8,
            3,
        ));
        self.pad_slots.slots.push(slot);
        self.pad_slots.slots.len() - 1
    }

    /// Stores the vars whose cleanup range starts at `position` into their pads' slots. Call
    /// before translating the op (or terminator) at `position`.
    pub(crate) fn store_cleanup_vars_at(&mut self, position: usize) {
        let Some(starting) = self.block_cleanup.starts.get_mut(position) else {
            return;
        };
        let starting = std::mem::take(starting);
        let pointer_type = self.pointer_type();
        for pad in starting {
            let (var, slot) = (
                self.block_cleanup.pads[pad].var,
                self.block_cleanup.pads[pad].slot,
            );
            let value = self.use_var(var);
            self.builder.ins().stack_store(pointer_type, value, slot, 0);
        }
    }

    /// The failure exit of op `op_index` of the current block: to the block's unwind block.
    pub(crate) fn jump_to_unwind(&mut self, op_index: u32) {
        let unwind = self.current_unwind_block();
        let op = self.word(u64::from(op_index));
        self.builder.ins().jump(unwind, &[BlockArg::Value(op)]);
    }

    /// `brif result == 0` to the current block's unwind block with `op_index`.
    pub(crate) fn brif_to_unwind(
        &mut self,
        result: cranelift_codegen::ir::Value,
        op_index: u32,
        ok: Block,
    ) {
        let unwind = self.current_unwind_block();
        let op = self.word(u64::from(op_index));
        self.builder
            .ins()
            .brif(result, ok, &[], unwind, &[BlockArg::Value(op)]);
    }

    fn current_unwind_block(&mut self) -> Block {
        self.block_cleanup.used = true;
        self.block_cleanup
            .unwind
            .expect("begin_block_cleanup runs before the block's ops")
    }

    /// Emits the current block's unwind block and pads (if any failure uses them) and seals
    /// them. Call after the block's terminator.
    pub(crate) fn finish_block_cleanup(&mut self) {
        let cleanup = std::mem::take(&mut self.block_cleanup);
        let Some(unwind) = cleanup.unwind else {
            return;
        };
        if !cleanup.used {
            // Never entered: never switched to, so not in the layout.
            self.builder.seal_block(unwind);
            return;
        }
        let mark = crate::block_sealing::block_mark(&self.builder);
        self.builder.seal_block(unwind);
        self.builder.switch_to_block(unwind);
        let op = self.builder.block_params(unwind)[0];
        let function = self.word(u64::from(self.function_index()));
        self.call_shim(Shim::UnwindFrame, &[function, op]);
        let pointer_type = self.pointer_type();
        for pad in &cleanup.pads {
            let release = self.builder.create_block();
            let next = self.builder.create_block();
            self.builder.set_cold_block(release);
            self.builder.set_cold_block(next);
            // `from <= op < to` as one unsigned comparison: `op - from < to - from`.
            let offset = self.builder.ins().iadd_imm_s(op, -i64::from(pad.from));
            let inside = self.builder.ins().icmp_imm_u(
                IntCC::UnsignedLessThan,
                offset,
                i64::from(pad.to - pad.from),
            );
            self.builder.ins().brif(inside, release, &[], next, &[]);
            self.builder.switch_to_block(release);
            let value = self
                .builder
                .ins()
                .stack_load(pointer_type, I64, pad.slot, 0);
            self.emit_release_of_value(pad.var, value);
            self.builder.ins().jump(next, &[]);
            self.builder.switch_to_block(next);
        }
        self.call_shim(Shim::Leave, &[]);
        let zero = self.word(0);
        self.builder.ins().return_(&[zero]);
        crate::block_sealing::seal_blocks_created_since(&mut self.builder, mark);
    }
}
