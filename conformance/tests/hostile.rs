//! Hostile scripts against the limits (issue 9, deliverable 5): one trial per program of
//! `conformance/hostile` (sandbox-escape attempts, each citing the bug tracker it is modelled
//! on). Each is checked like a corpus program (expected diagnostic on both engines, identical
//! traces, nothing leaked), must be stopped by a limit (fuel, depth, heap, quota, output, or the
//! Ref rule), and must leave its runtime reusable: a normal program then runs in the same
//! context on each engine.

use std::path::{Path, PathBuf};

use cairn_conformance::program::{Program, load_program, program_from_source};
use cairn_conformance::{corpus_files, run_program};
use cairn_runtime::{Context, RunFailure, Value};
use libtest_mimic::{Arguments, Failed, Trial};

/// The codes a hostile script may end with: a limit or a refused cycle.
const STOPPING_CODES: [&str; 7] = [
    "RT0401", "RT0402", "RT0403", "RT0405", "RT0501", "RT0502", "RT0503",
];

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("hostile")
}

fn main() {
    let args = Arguments::from_args();
    let files = corpus_files(&hostile_dir()).expect("the hostile directory is readable");
    assert!(files.len() >= 12, "the hostile corpus lost programs");
    let trials: Vec<Trial> = files.into_iter().map(hostile_trial).collect();
    libtest_mimic::run(&args, trials).exit();
}

fn hostile_trial(path: PathBuf) -> Trial {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("<unnamed>")
        .to_string();
    Trial::test(format!("hostile::{name}"), move || {
        let report = run_program(&path);
        if !report.passed() {
            return Err(report.failure_text().into());
        }
        let program = load_program(&path)?;
        let expected = program.expectations.error.as_ref().map(|e| e.code.clone());
        match expected {
            Some(code) if STOPPING_CODES.contains(&code.as_str()) => {}
            other => return Err(format!("not stopped by a limit: expects {other:?}").into()),
        }
        check_reusable(&program)
    })
}

/// Runs the hostile program, then a normal one, in one context per engine.
fn check_reusable(hostile: &Program) -> Result<(), Failed> {
    let normal = program_from_source(
        "normal.cairn",
        "//# result: 4950\nfn main() = sum(collect(range(0, 100)))\n",
    )?;
    let limits = hostile.expectations.limits.to_limits();
    for engine in ["interp", "jit"] {
        let mut ctx = Context::new(limits.clone())?;
        let failure = run(engine, hostile, &mut ctx)
            .err()
            .ok_or("the hostile program returned")?;
        check_clean(&ctx, engine, "after the hostile run")?;
        let value = run(engine, &normal, &mut ctx).map_err(|f| {
            format!(
                "{engine}: the runtime is not reusable after {}: {}",
                failure.error, f.error
            )
        })?;
        let text = cairn_runtime::canonical_form(&ctx.heap, value, true);
        // SAFETY: `ctx` is live and exclusively ours; `value` is the owned result just
        // returned and is not used again.
        unsafe { cairn_runtime::abi::shims::rt_release(ctx.as_ptr(), value.0) };
        if text != "4950" {
            return Err(format!("{engine}: the normal program returned {text}").into());
        }
        check_clean(&ctx, engine, "after the normal run")?;
    }
    Ok(())
}

fn run(engine: &str, program: &Program, ctx: &mut Context) -> Result<Value, RunFailure> {
    let module = program.module().expect("the program compiles");
    if engine == "interp" {
        cairn_interp::load(module)?.run_main(ctx)
    } else {
        cairn_jit::compile(module)?.run_main(ctx)
    }
}

fn check_clean(ctx: &Context, engine: &str, when: &str) -> Result<(), Failed> {
    if ctx.heap.blocks_in_use() != 0 || !ctx.heap.integrity_violations.is_empty() {
        return Err(format!(
            "{engine} {when}: {} blocks in use, violations {:?}",
            ctx.heap.blocks_in_use(),
            ctx.heap.integrity_violations
        )
        .into());
    }
    ctx.heap
        .validate_free_list()
        .map_err(|e| format!("{engine} {when}: free list {e:?}").into())
}
