//! Debug-mode attribution of refcount trace events to IR ops. When the engines' traces
//! diverge, the runner re-executes the module with this deliberately plain reference walk
//! (every op straight to its shim, in IR order, recursion on the Rust stack) and records the
//! trace length before each op, so the diverging event can be named as "produced by op N of
//! fn f at line:col". It is a diagnostic aid only: conformance is judged on the engines.

use cairn_lang::ir::{self, BinaryOp, Builtin, Constant, OpKind, TerminatorKind, UnaryOp};
use cairn_runtime::abi::shims;
use cairn_runtime::heap::TraceEvent;
use cairn_runtime::value::TRUE_WORD;
use cairn_runtime::{Context, Limits, Value};

/// Rust frames the walk may nest before it stops attributing (it recurses per call).
pub const MAX_WALK_DEPTH: usize = 2_000;
/// Ops the walk executes before it stops attributing (keeps long loops cheap).
pub const MAX_WALK_STEPS: u64 = 2_000_000;
const WALK_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Where an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventSite {
    /// Op (or terminator) `op` of function `function`, numbered as `Function::op_at`.
    Op { function: u32, op: u32 },
    /// The runner's release of `main`'s result after the run.
    ResultRelease,
}

/// The first trace index of each executed op, in execution order.
#[derive(Clone, Debug, Default)]
pub struct Attribution {
    starts: Vec<(usize, EventSite)>,
    /// False when the walk stopped early (depth/step cap or an unsupported op).
    pub complete: bool,
    /// The walk's own trace (equal to the engines' when they conform).
    pub trace: Vec<TraceEvent>,
}

impl Attribution {
    /// The op that was executing when event `index` was recorded.
    pub fn site_of(&self, index: usize) -> Option<EventSite> {
        let after = self.starts.partition_point(|(start, _)| *start <= index);
        // Ops that recorded no event share their start with the next op; the last op that
        // started at or before `index` is the one that recorded it.
        let (_, site) = *self.starts.get(after.checked_sub(1)?)?;
        Some(site)
    }
}

enum Stop {
    /// The program failed (error parked and unwound, as an engine would).
    Failed,
    /// The walk gave up (cap reached or something it does not model).
    GaveUp,
}

struct Walk<'m> {
    module: &'m ir::Module,
    ctx: *mut Context,
    attribution: Attribution,
    depth: usize,
    steps: u64,
}

/// Runs `main` of `module` under `limits` with the reference walk, on a thread with a
/// large stack, and returns which op produced each trace event.
pub fn attribute_events(module: &ir::Module, limits: &Limits) -> Result<Attribution, String> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("conformance-attribution".into())
            .stack_size(WALK_STACK_BYTES)
            .spawn_scoped(scope, || walk_main(module, limits))
            .map_err(|e| format!("cannot start the attribution thread: {e}"))?
            .join()
            .map_err(|_| "the attribution walk panicked".to_string())?
    })
}

fn walk_main(module: &ir::Module, limits: &Limits) -> Result<Attribution, String> {
    let mut context =
        Context::new(limits.clone()).map_err(|e| format!("cannot create a context: {e}"))?;
    context.begin_run();
    context.heap.start_trace();
    let mut walk = Walk {
        module,
        ctx: context.as_ptr(),
        attribution: Attribution::default(),
        depth: 0,
        steps: 0,
    };
    let outcome = walk.call(module.entry.0, &[]);
    let mut attribution = std::mem::take(&mut walk.attribution);
    drop(walk);
    match outcome {
        Ok(result) => {
            let start = context.heap.trace_events().len();
            attribution.starts.push((start, EventSite::ResultRelease));
            // SAFETY: `context` is live and exclusively ours; `result` is the owned result word.
            unsafe { shims::rt_release(context.as_ptr(), result) };
            attribution.complete = true;
        }
        Err(Stop::Failed) => attribution.complete = true,
        Err(Stop::GaveUp) => attribution.complete = false,
    }
    attribution.trace = context.heap.take_trace();
    Ok(attribution)
}

impl Walk<'_> {
    fn trace_len(&self) -> usize {
        // SAFETY: `self.ctx` points at the context `walk_main` owns for the whole walk; no
        // `&mut` to it is live while a shim is not running.
        unsafe { (*self.ctx).heap.trace_events().len() }
    }

    fn mark(&mut self, function: u32, op: u32) -> Result<(), Stop> {
        self.steps += 1;
        if self.steps > MAX_WALK_STEPS {
            return Err(Stop::GaveUp);
        }
        let start = self.trace_len();
        self.attribution
            .starts
            .push((start, EventSite::Op { function, op }));
        Ok(())
    }

    fn call(&mut self, function_index: u32, args: &[u64]) -> Result<u64, Stop> {
        let function = self
            .module
            .functions
            .get(function_index as usize)
            .ok_or(Stop::GaveUp)?;
        if self.depth >= MAX_WALK_DEPTH {
            return Err(Stop::GaveUp);
        }
        self.depth += 1;
        let result = self.run_function(function_index, function, args);
        self.depth -= 1;
        result
    }

    fn run_function(
        &mut self,
        index: u32,
        function: &ir::Function,
        args: &[u64],
    ) -> Result<u64, Stop> {
        let bases = function.block_op_bases();
        let mut vars = vec![0u64; function.var_count as usize];
        let mut block_index = 0usize;
        let mut incoming: Vec<u64> = args.to_vec();
        loop {
            let block = function.blocks.get(block_index).ok_or(Stop::GaveUp)?;
            for (param, word) in block.params.iter().zip(incoming.drain(..)) {
                *vars.get_mut(param.var.0 as usize).ok_or(Stop::GaveUp)? = word;
            }
            for (offset, op) in block.ops.iter().enumerate() {
                let op_index = bases[block_index] + offset as u32;
                self.mark(index, op_index)?;
                match self.execute(&op.kind, &mut vars) {
                    Ok(()) => {}
                    Err(Stop::Failed) => {
                        return Err(self.unwind(index, op_index, &op.cleanup, &vars));
                    }
                    Err(Stop::GaveUp) => return Err(Stop::GaveUp),
                }
            }
            let terminator_index = bases[block_index] + block.ops.len() as u32;
            self.mark(index, terminator_index)?;
            let word = |var: &ir::Var| vars.get(var.0 as usize).copied().ok_or(Stop::GaveUp);
            match &block.terminator.kind {
                TerminatorKind::Return { value } => {
                    let result = word(value)?;
                    // SAFETY: see `trace_len`.
                    unsafe { shims::rt_leave(self.ctx) };
                    return Ok(result);
                }
                TerminatorKind::Jump { target, args } => {
                    incoming = args.iter().map(word).collect::<Result<_, _>>()?;
                    block_index = target.0 as usize;
                }
                TerminatorKind::Branch {
                    condition,
                    context,
                    then_block,
                    else_block,
                } => {
                    // SAFETY: see `trace_len`.
                    let checked = unsafe {
                        shims::rt_expect_bool(self.ctx, word(condition)?, *context as u64)
                    };
                    if checked == 0 {
                        let cleanup = &block.terminator.cleanup;
                        return Err(self.unwind(index, terminator_index, cleanup, &vars));
                    }
                    block_index = if checked == TRUE_WORD {
                        then_block.0 as usize
                    } else {
                        else_block.0 as usize
                    };
                }
            }
        }
    }

    /// The engines' uniform error exit: frame, cleanup releases in order, leave.
    fn unwind(&mut self, function: u32, op: u32, cleanup: &[ir::Var], vars: &[u64]) -> Stop {
        // SAFETY: see `trace_len`.
        unsafe {
            shims::rt_unwind_frame(self.ctx, function as u64, op as u64);
            for var in cleanup {
                if let Some(&word) = vars.get(var.0 as usize) {
                    shims::rt_release(self.ctx, word);
                }
            }
            shims::rt_leave(self.ctx);
        }
        Stop::Failed
    }

    fn execute(&mut self, kind: &OpKind, vars: &mut [u64]) -> Result<(), Stop> {
        let word = match kind {
            OpKind::Const { value, .. } => constant_word(*value)?,
            OpKind::Call { function, args, .. } => {
                let words = words_of(args, vars)?;
                self.call(function.0, &words)?
            }
            OpKind::GeneratorItem { .. } => return Err(Stop::GaveUp),
            _ => {
                let words = operand_words(kind, vars)?;
                // SAFETY: `self.ctx` is the walk's live context (see `trace_len`) and
                // `words` holds exactly the operands `kind` names, in IR order.
                unsafe { op_shim(self.ctx, kind, &words)? }
            }
        };
        if word == 0 {
            return Err(Stop::Failed);
        }
        if let Some(dst) = kind.dst() {
            *vars.get_mut(dst.0 as usize).ok_or(Stop::GaveUp)? = word;
        }
        Ok(())
    }
}

fn words_of(list: &[ir::Var], vars: &[u64]) -> Result<Vec<u64>, Stop> {
    list.iter()
        .map(|var| vars.get(var.0 as usize).copied().ok_or(Stop::GaveUp))
        .collect()
}

/// The operand words of a shim-backed op, in IR order (map entries flattened key, value).
fn operand_words(kind: &OpKind, vars: &[u64]) -> Result<Vec<u64>, Stop> {
    match kind {
        OpKind::Unary { operand, .. } => words_of(&[*operand], vars),
        OpKind::Binary { lhs, rhs, .. } => words_of(&[*lhs, *rhs], vars),
        OpKind::Builtin { args, .. } => words_of(args, vars),
        OpKind::MakeList { elements, .. } | OpKind::MakeTuple { elements, .. } => {
            words_of(elements, vars)
        }
        OpKind::MakeMap { entries, .. } => {
            let flat: Vec<ir::Var> = entries.iter().flat_map(|(k, v)| [*k, *v]).collect();
            words_of(&flat, vars)
        }
        OpKind::Index { base, index, .. } => words_of(&[*base, *index], vars),
        OpKind::Retain { src, .. } => words_of(&[*src], vars),
        OpKind::Release { var } => words_of(&[*var], vars),
        _ => Ok(Vec::new()),
    }
}

/// Calls the one shim `kind` lowers to and returns its word (0 = error parked).
///
/// # Safety
/// `ctx` must be a live context not otherwise borrowed during the call (the contract of
/// `cairn_runtime::abi::shims::guard`), and `words` must be `operand_words(kind, ..)`.
unsafe fn op_shim(ctx: *mut Context, kind: &OpKind, words: &[u64]) -> Result<u64, Stop> {
    let word = |i: usize| words.get(i).copied().ok_or(Stop::GaveUp);
    let count = words.len() as u64;
    let pointer = words.as_ptr() as u64;
    // SAFETY: `ctx` satisfies the shim contract (this function's `# Safety`); literal and
    // aggregate pointers point at live buffers (`text`, `words`) that outlive the call, with
    // the lengths passed alongside.
    unsafe {
        Ok(match kind {
            OpKind::Enter => shims::rt_enter(ctx),
            OpKind::Fuel => shims::rt_fuel(ctx),
            OpKind::Text { text, .. } => {
                shims::rt_text_literal(ctx, text.as_ptr() as u64, text.len() as u64)
            }
            OpKind::Unary {
                op: UnaryOp::Neg, ..
            } => shims::rt_neg(ctx, word(0)?),
            OpKind::Unary {
                op: UnaryOp::Not, ..
            } => shims::rt_not(ctx, word(0)?),
            OpKind::Binary { op, .. } => binary_shim(*op)(ctx, word(0)?, word(1)?),
            OpKind::Builtin { builtin, .. } => call_builtin(ctx, *builtin, words)?,
            OpKind::MakeList { .. } => shims::rt_list_from(ctx, pointer, count),
            OpKind::MakeTuple { .. } => shims::rt_tuple_from(ctx, pointer, count),
            OpKind::MakeMap { .. } => shims::rt_map_from(ctx, pointer, count / 2),
            OpKind::Index { .. } => shims::rt_index(ctx, word(0)?, word(1)?),
            OpKind::Retain { .. } => shims::rt_retain(ctx, word(0)?),
            OpKind::Release { .. } => shims::rt_release(ctx, word(0)?),
            OpKind::Const { .. } | OpKind::Call { .. } | OpKind::GeneratorItem { .. } => {
                return Err(Stop::GaveUp);
            }
        })
    }
}

fn constant_word(value: Constant) -> Result<u64, Stop> {
    Ok(match value {
        Constant::Int(n) => Value::int(n).ok_or(Stop::GaveUp)?.bits(),
        Constant::Float(x) => Value::float(x).bits(),
        Constant::Bool(b) => Value::bool(b).bits(),
        Constant::Unit => Value::UNIT.bits(),
    })
}

type Shim2 = unsafe extern "C" fn(*mut Context, u64, u64) -> u64;

fn binary_shim(op: BinaryOp) -> Shim2 {
    match op {
        BinaryOp::Add => shims::rt_add,
        BinaryOp::Sub => shims::rt_sub,
        BinaryOp::Mul => shims::rt_mul,
        BinaryOp::Div => shims::rt_div,
        BinaryOp::Rem => shims::rt_rem,
        BinaryOp::Concat => shims::rt_concat,
        BinaryOp::Eq => shims::rt_eq,
        BinaryOp::Ne => shims::rt_ne,
        BinaryOp::Lt => shims::rt_lt,
        BinaryOp::Le => shims::rt_le,
        BinaryOp::Gt => shims::rt_gt,
        BinaryOp::Ge => shims::rt_ge,
    }
}

/// # Safety
/// As for [`op_shim`].
unsafe fn call_builtin(ctx: *mut Context, builtin: Builtin, args: &[u64]) -> Result<u64, Stop> {
    if args.len() != builtin.arity() {
        return Err(Stop::GaveUp);
    }
    // SAFETY: `ctx` satisfies the shim contract (this function's `# Safety`); the arity
    // was checked above, so every index is in bounds.
    Ok(unsafe {
        match builtin {
            Builtin::Print => shims::rt_print(ctx, args[0]),
            Builtin::Len => shims::rt_len(ctx, args[0]),
            Builtin::Str => shims::rt_str(ctx, args[0]),
            Builtin::Pop => shims::rt_pop(ctx, args[0]),
            Builtin::Push => shims::rt_push(ctx, args[0], args[1]),
            Builtin::Remove => shims::rt_remove(ctx, args[0], args[1]),
            Builtin::Has => shims::rt_has(ctx, args[0], args[1]),
            Builtin::ListExtend => shims::rt_list_extend(ctx, args[0], args[1]),
            Builtin::Set => shims::rt_set(ctx, args[0], args[1], args[2]),
            Builtin::Get => shims::rt_get(ctx, args[0], args[1], args[2]),
            Builtin::Insert => shims::rt_insert(ctx, args[0], args[1], args[2]),
        }
    })
}
