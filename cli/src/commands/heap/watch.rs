//! `cairn heap watch FILE [--exit-on-finish]`: a live terminal view of the heap while the
//! program runs (ratatui on crossterm). The program runs on a worker thread that owns its
//! runtime; an audit hook there counts heap events into a [`Tracker`] and publishes a
//! [`WatchState`] every few events (at most every 50 ms). The UI thread redraws from the last
//! published state at about 20 Hz. `q`, Esc or Ctrl-C cancel the run (through the runtime's
//! cancel handle) and quit; once the program ends, the final state and `finished: result
//! ...` stay on screen until a key is pressed (or the view closes at once with
//! `--exit-on-finish`). The program's output and result are printed after the view closes.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cairn::{CancelHandle, Engine, Module, RefOp, Value};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::args::WatchArgs;
use super::watch_draw::draw;
use super::watch_state::{Tracker, WatchState};
use super::{audited_limits, emit, site_label, write_stderr};
use crate::frontend::compile_or_report;
use crate::outcome::{Outcome, UsageError};
use crate::source_input::read_source;

/// Events between two looks at the clock in the hook.
const CLOCK_EVERY: u32 = 64;
/// The least time between two publications.
const PUBLISH_EVERY: Duration = Duration::from_millis(50);
/// The UI's redraw period (20 Hz).
const FRAME: Duration = Duration::from_millis(50);

/// What the UI thread and the worker share.
#[derive(Default)]
struct Shared {
    state: Mutex<WatchState>,
    cancel: OnceLock<CancelHandle>,
}

impl Shared {
    fn set_state(&self, state: WatchState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }
    fn state(&self) -> WatchState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// How the program's run ended, for printing once the terminal is restored.
struct RunEnd {
    output: Vec<u8>,
    result: Result<Value, String>,
}

pub fn watch_command(args: &WatchArgs) -> Result<Outcome, UsageError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "heap watch needs a terminal (use `heap stats` in pipes and scripts)".to_string(),
        ));
    }
    let source = read_source(&args.run.file)?;
    let engine = Engine::new(args.run.engine.kind());
    let Some(module) = compile_or_report(&engine, &source) else {
        return Ok(Outcome::Failure);
    };
    let module = Arc::new(module);
    let limits = audited_limits(&args.run);
    let title = format!("{} on {}", source.name, args.run.engine.label());
    let shared = Arc::new(Shared::default());
    shared.set_state(WatchState {
        title: title.clone(),
        heap_blocks: limits.heap_blocks,
        ..WatchState::default()
    });

    let mut terminal = ratatui::try_init()
        .map_err(|error| UsageError(format!("cannot set up the terminal: {error}")))?;
    let worker = {
        let shared = shared.clone();
        std::thread::spawn(move || run_program(&engine, module, limits, title, &shared))
    };
    let ui = ui_loop(&mut terminal, &shared, args.exit_on_finish);
    ratatui::restore();
    if ui.is_err()
        && let Some(cancel) = shared.cancel.get()
    {
        cancel.cancel();
    }
    let end = worker
        .join()
        .map_err(|_| UsageError("the program's thread panicked".to_string()))?;
    ui.map_err(|error| UsageError(format!("terminal error: {error}")))?;
    emit(&String::from_utf8_lossy(&end.output))?;
    match end.result {
        Ok(value) => {
            if value != Value::Unit {
                emit(&format!("{value}\n"))?;
            }
            Ok(Outcome::Success)
        }
        Err(diagnostic) => {
            write_stderr(&diagnostic);
            Ok(Outcome::Failure)
        }
    }
}

/// Redraws until the user quits (cancelling a run still going) or, after the program ended,
/// presses a key — or at once when it ended and `exit_on_finish`.
fn ui_loop(
    terminal: &mut ratatui::DefaultTerminal,
    shared: &Shared,
    exit_on_finish: bool,
) -> std::io::Result<()> {
    loop {
        let state = shared.state();
        terminal.draw(|frame| draw(frame, &state))?;
        let finished = state.finished.is_some();
        if finished && exit_on_finish {
            return Ok(());
        }
        if !event::poll(FRAME)? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let quit = matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
            || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL));
        if finished {
            return Ok(());
        }
        if quit {
            if let Some(cancel) = shared.cancel.get() {
                cancel.cancel();
            }
            return Ok(());
        }
    }
}

/// The worker: creates the runtime, hooks the tracker in, runs `main`, publishes the end.
fn run_program(
    engine: &Engine,
    module: Arc<Module>,
    limits: cairn::Limits,
    title: String,
    shared: &Arc<Shared>,
) -> RunEnd {
    let heap_blocks = limits.heap_blocks;
    let mut runtime = match engine.runtime(limits) {
        Ok(runtime) => runtime,
        Err(error) => {
            let end = "failed: the runtime could not be created".to_string();
            shared.set_state(WatchState {
                title,
                finished: Some(end),
                ..WatchState::default()
            });
            return RunEnd {
                output: Vec::new(),
                result: Err(error.to_string()),
            };
        }
    };
    let _ = shared.cancel.set(runtime.cancel_handle());
    let started = Instant::now();
    let tracker = Arc::new(Mutex::new(Tracker::new(title, heap_blocks)));
    let label_module = module.clone();
    let label = move |site| site_label(&label_module, site);
    {
        let tracker = tracker.clone();
        let shared = shared.clone();
        let label = label.clone();
        let mut since_clock = 0u32;
        let mut last_publication = started;
        let all = [
            RefOp::Malloc,
            RefOp::IncRef,
            RefOp::DecRef,
            RefOp::Free,
            RefOp::Cow,
        ];
        // Hooks are on in full audit mode; without them the view would show only the end.
        let _ = runtime.register_audit_hook(&all, move |event| {
            let mut tracker = tracker.lock().unwrap_or_else(|e| e.into_inner());
            tracker.apply(event);
            since_clock += 1;
            if since_clock < CLOCK_EVERY {
                return;
            }
            since_clock = 0;
            let now = Instant::now();
            if now - last_publication >= PUBLISH_EVERY {
                last_publication = now;
                let state = tracker.publish((now - started).as_secs_f64(), &label);
                shared.set_state(state);
            }
        });
    }
    // The final state is taken when main has returned, before its result is released, so
    // the events' counts and the heap statistics agree.
    let (result, mut state) = runtime.call_value_inspecting(&module, "main", Vec::new(), |rt| {
        let stats = rt.export_heap_stats();
        let mut state = tracker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .publish(started.elapsed().as_secs_f64(), &label);
        state.final_stats = Some(stats);
        state
    });
    state.finished = Some(match &result {
        Ok(value) => format!("finished: result {value}"),
        Err(error) if error.code() == "RT0503" => "cancelled".to_string(),
        Err(error) => format!("failed: {} {}", error.code(), error.message()),
    });
    shared.set_state(state);
    RunEnd {
        output: runtime.output().to_vec(),
        result: result.map_err(|error| error.to_string()),
    }
}
