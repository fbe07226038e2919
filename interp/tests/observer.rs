//! The execution observer: every instruction reports its IR op (jump-argument moves report
//! the `Jump`), the observer sees the live context between shims, an unwinding failure
//! reports each frame's failing op, and observing changes nothing about the run.

mod support;

use cairn_interp::{ExecutionObserver, NoObserver};
use cairn_lang::ir::{BinaryOp, Module, OpKind};
use cairn_runtime::context::{Context, ErrorFrame, RunFailure};
use cairn_runtime::error::ErrorCode;
use cairn_runtime::heap::{RefOp, TraceEvent, compare_snapshots};
use cairn_runtime::value::Value;
use support::ir_builder::{BORROWED, FunctionBuilder, OWNED, module};
use support::{context, expect_failure, expect_int, small_limits};

/// Records every hook call with the trace length the context had at that moment.
#[derive(Default)]
struct Recorder {
    instructions: Vec<(u32, u32)>,
    trace_lengths: Vec<usize>,
    unwound: Vec<ErrorFrame>,
    unwind_trace_lengths: Vec<usize>,
}

impl Recorder {
    /// The (function, op) of the instruction that was running when event `index` was
    /// recorded: the last one that started at or before it.
    fn instruction_of(&self, index: usize) -> (u32, u32) {
        let started = self.trace_lengths.partition_point(|&len| len <= index);
        self.instructions[started - 1]
    }
}

impl ExecutionObserver for Recorder {
    fn before_instruction(&mut self, ctx: &Context, function: u32, op: u32) {
        self.instructions.push((function, op));
        self.trace_lengths.push(ctx.heap.trace_events().len());
    }

    fn before_unwind_frame(&mut self, ctx: &Context, function: u32, op: u32) {
        self.unwound.push(ErrorFrame { function, op });
        self.unwind_trace_lengths
            .push(ctx.heap.trace_events().len());
    }
}

/// Runs `module` (whose result is never a heap value) traced, observed by `observer`;
/// returns the outcome and the trace, and checks the heap is left as it was found.
fn run_traced(
    module: &Module,
    observer: &mut impl ExecutionObserver,
) -> (Result<Value, RunFailure>, Vec<TraceEvent>) {
    let program = cairn_interp::load(module).expect("module loads");
    let mut ctx = context(small_limits());
    let before = ctx.heap.snapshot();
    ctx.heap.start_trace();
    let result = program.run_main_observed(&mut ctx, observer);
    let delta = compare_snapshots(&before, &ctx.heap.snapshot());
    assert!(delta.is_clean(), "heap not clean after the run: {delta}");
    (result, ctx.heap.take_trace())
}

/// Ops 0-4: enter, 50, 0, 1, jump header(50, 0, 1) | 5-7: 0, n > 0, branch |
/// 8-12: 1, n - 1, a + b, fuel, jump header(n - 1, b, a + b) (a swap) | 13: return a.
fn fibonacci_loop() -> Module {
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    let (header, vars) = main.block(&[OWNED, OWNED, OWNED]);
    let (body, _) = main.block(&[]);
    let (done, _) = main.block(&[]);
    let (n, a, b) = (vars[0], vars[1], vars[2]);
    main.enter(&[]);
    let start_n = main.int(2);
    let zero = main.int(0);
    let one = main.int(1);
    main.jump(header, &[start_n, zero, one]);
    main.switch_to(header);
    let zero = main.int(0);
    let more = main.binary(BinaryOp::Gt, n, zero, &[]);
    main.branch(more, body, done);
    main.switch_to(body);
    let one = main.int(1);
    let next_n = main.binary(BinaryOp::Sub, n, one, &[]);
    let next_b = main.binary(BinaryOp::Add, a, b, &[]);
    main.op(OpKind::Fuel, &[]);
    main.jump(header, &[next_n, b, next_b]);
    main.switch_to(done);
    main.ret(a);
    module(vec![main.finish()], 0)
}

#[test]
fn every_instruction_reports_its_ir_op_and_jump_moves_report_the_jump() {
    let mut recorder = Recorder::default();
    let (result, _) = run_traced(&fibonacci_loop(), &mut recorder);
    assert_eq!(expect_int(&result), 1);
    assert!(recorder.instructions.iter().all(|&(f, _)| f == 0));
    let ops: Vec<u32> = recorder.instructions.iter().map(|&(_, op)| op).collect();
    let mut distinct = ops.clone();
    distinct.dedup();
    // Two trips round the loop, then the exit.
    let trip = [5, 6, 7, 8, 9, 10, 11, 12];
    let expected: Vec<u32> = [0, 1, 2, 3, 4]
        .into_iter()
        .chain(trip)
        .chain(trip)
        .chain([5, 6, 7, 13])
        .collect();
    assert_eq!(distinct, expected);
    // Three independent moves carry op 4 (the jump falls through into the header); the
    // swapping jump moves through scratch registers and then jumps back, all as op 12.
    assert_eq!(ops.iter().filter(|&&op| op == 4).count(), 3);
    assert!(ops.iter().filter(|&&op| op == 12).count() >= 2 * 4);
    assert!(recorder.unwound.is_empty());
}

#[test]
fn translated_code_labels_every_instruction() {
    let program = cairn_interp::load(&fibonacci_loop()).expect("loads");
    let code = &program.functions()[0].code;
    let ops = program.op_indices(0).expect("function 0 exists");
    assert_eq!(ops.len(), code.len());
    assert!(ops.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(ops.last(), Some(&13));
    assert!(program.op_indices(1).is_none());
}

/// `level(_) = { list = ["inner"]; 1 / 0 }` with `list` in the division's cleanup;
/// `main() = { text = "outer"; level(text) }` with `text` in the call's cleanup.
fn failing_call() -> Module {
    let (mut level, _) = FunctionBuilder::new("level", &[BORROWED]);
    level.enter(&[]);
    let inner = level.text("inner", &[]);
    let list = level.make_list(&[inner], &[]);
    let one = level.int(1);
    let zero = level.int(0);
    let quotient = level.binary(BinaryOp::Div, one, zero, &[list]);
    level.release(list);
    level.ret(quotient);
    let (mut main, _) = FunctionBuilder::new("main", &[]);
    main.enter(&[]);
    let text = main.text("outer", &[]);
    let result = main.call(0, &[text], &[text]);
    main.release(text);
    main.ret(result);
    module(vec![level.finish(), main.finish()], 1)
}

#[test]
fn an_unwinding_failure_reports_each_frame_and_the_context_is_live() {
    let mut recorder = Recorder::default();
    let (result, trace) = run_traced(&failing_call(), &mut recorder);
    let failure = expect_failure(result, ErrorCode::RT0302);
    let frames = vec![
        ErrorFrame { function: 0, op: 5 },
        ErrorFrame { function: 1, op: 2 },
    ];
    assert_eq!(failure.frames, frames);
    assert_eq!(recorder.unwound, frames);
    assert_eq!(
        recorder.instructions,
        vec![
            (1, 0),
            (1, 1),
            (1, 2),
            (0, 0),
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (0, 5)
        ]
    );
    // Main's op 1 allocates the outer text, level's op 1 the inner text and op 2 the list.
    let allocating: Vec<(u32, u32)> = trace
        .iter()
        .enumerate()
        .filter(|(_, event)| event.op == RefOp::Malloc)
        .map(|(index, _)| recorder.instruction_of(index))
        .collect();
    assert_eq!(allocating.first(), Some(&(1, 1)), "{trace:?}");
    assert_eq!(allocating[1], (0, 1), "{trace:?}");
    assert!(
        allocating[2..].iter().all(|&site| site == (0, 2)),
        "{trace:?}"
    );
    // The two Text literals are the run's (docs/MEMORY.md, "Text literals"): each is built
    // once and retained for its evaluation (one `incRef` each) before the failure. Level's
    // cleanup frees the list and releases the inner text before main's frame unwinds; main's
    // cleanup releases the outer text; the run's end frees both literals, in build order.
    let [level_unwind, main_unwind] = recorder.unwind_trace_lengths[..] else {
        panic!("two frames unwound: {:?}", recorder.unwind_trace_lengths);
    };
    let count_between =
        |from: usize, to: usize, op: RefOp| trace[from..to].iter().filter(|e| e.op == op).count();
    assert_eq!(
        level_unwind,
        allocating.len() + 2,
        "nothing released before the failure"
    );
    assert_eq!(count_between(0, level_unwind, RefOp::IncRef), 2);
    assert_eq!(
        count_between(level_unwind, main_unwind, RefOp::Free),
        allocating.len() - 2,
        "the list's blocks"
    );
    assert_eq!(count_between(level_unwind, main_unwind, RefOp::DecRef), 1);
    assert_eq!(count_between(main_unwind, trace.len(), RefOp::DecRef), 1);
    assert_eq!(count_between(main_unwind, trace.len(), RefOp::Free), 2);
    assert_eq!(trace.len(), 2 * allocating.len() + 4);
}

#[test]
fn observing_does_not_change_the_run() {
    for module in [fibonacci_loop(), failing_call()] {
        let (plain_result, plain_trace) = run_traced(&module, &mut NoObserver);
        let (observed_result, observed_trace) = run_traced(&module, &mut Recorder::default());
        assert_eq!(plain_result, observed_result);
        assert_eq!(plain_trace, observed_trace);
    }
}
