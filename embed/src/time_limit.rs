//! The wall-clock limit of a call (`Limits::time_limit`): one process-wide timer thread,
//! started on first use, sets an armed call's cancel flag when its deadline passes, so the
//! run stops at its next fuel point exactly as a host's `CancelHandle::cancel` would stop
//! it (RT0503, with the time limit named in the message). No thread per call, no watchdog
//! of the host's own.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cairn_runtime::CancelHandle;

/// One armed call: the flag to set and whether the timer set it.
struct Armed {
    cancel: CancelHandle,
    fired: AtomicBool,
}

#[derive(Default)]
struct Deadlines {
    next_id: u64,
    armed: BTreeMap<(Instant, u64), Arc<Armed>>,
}

struct Timer {
    deadlines: Mutex<Deadlines>,
    wake: Condvar,
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            deadlines: Mutex::new(Deadlines::default()),
            wake: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("cairn-time-limit".into())
            .spawn(move || timer.run())
            .expect("the time-limit timer thread starts");
        timer
    })
}

impl Timer {
    /// Fires every deadline that has passed, then sleeps until the next one (or a new one).
    fn run(&self) -> ! {
        let mut deadlines = self.deadlines.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            while let Some(entry) = deadlines.armed.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let armed = entry.remove();
                armed.fired.store(true, Ordering::SeqCst);
                armed.cancel.cancel();
            }
            deadlines = match deadlines.armed.keys().next() {
                Some(&(deadline, _)) => {
                    let wait = deadline.saturating_duration_since(now);
                    self.wake
                        .wait_timeout(deadlines, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => self.wake.wait(deadlines).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

/// A call's armed time limit; [`TimeLimit::disarm`] it when the call returns.
pub(crate) struct TimeLimit {
    key: (Instant, u64),
    armed: Arc<Armed>,
}

impl TimeLimit {
    /// Arms `limit` for a call that starts now and stops through `cancel`.
    pub(crate) fn arm(limit: Duration, cancel: &CancelHandle) -> TimeLimit {
        let timer = timer();
        let deadline = Instant::now().checked_add(limit).unwrap_or_else(|| {
            // A limit past what an Instant can hold: in practice never reached.
            Instant::now() + Duration::from_secs(60 * 60 * 24 * 365 * 100)
        });
        let armed = Arc::new(Armed {
            cancel: cancel.clone(),
            fired: AtomicBool::new(false),
        });
        let mut deadlines = timer.deadlines.lock().unwrap_or_else(|e| e.into_inner());
        let key = (deadline, deadlines.next_id);
        deadlines.next_id += 1;
        deadlines.armed.insert(key, armed.clone());
        drop(deadlines);
        timer.wake.notify_one();
        TimeLimit { key, armed }
    }

    /// Disarms the limit; `true` when it had already fired (the call's cancel flag was set
    /// by the timer).
    pub(crate) fn disarm(self) -> bool {
        let timer = timer();
        timer
            .deadlines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .armed
            .remove(&self.key);
        self.armed.fired.load(Ordering::SeqCst)
    }
}

/// How a time limit reads in the RT0503 message: `50 ms`, `2 s`, `1.5 s`, `200 µs`.
pub(crate) fn describe(limit: Duration) -> String {
    if limit.as_nanos().is_multiple_of(1_000_000_000) {
        format!("{} s", limit.as_secs())
    } else if limit.as_nanos().is_multiple_of(1_000_000) {
        format!("{} ms", limit.as_millis())
    } else if limit.as_nanos().is_multiple_of(1_000) {
        format!("{} µs", limit.as_micros())
    } else {
        format!("{:?}", limit)
    }
}
