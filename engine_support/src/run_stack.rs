//! The stack a run executes on. A run needs room for its call-depth limit (compiled frames,
//! shims, nested interpreter executors for closures called back); a host thread's own stack
//! is usually smaller. Mapping a fresh segment for every call costs tens of microseconds of
//! `mmap`/`mprotect`/`munmap`, so each thread keeps one run stack (lazily mapped, with a guard
//! page, grown when a larger limit needs it) and switches to it with `psm` for every call. A
//! call made while that stack is in use (a host function calling into another runtime) runs
//! on it directly when enough of it is left, else on a fresh `stacker` segment.

use std::cell::{Cell, RefCell};

/// One mapped stack: `size` bytes at `base`, the lowest page a guard.
struct MappedStack {
    base: *mut u8,
    size: usize,
}

impl MappedStack {
    fn map(size: usize) -> Result<MappedStack, String> {
        let page = page_size();
        let size = size.div_ceil(page) * page + page;
        // SAFETY: an anonymous private mapping with no address hint; the result is checked.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error().to_string());
        }
        // SAFETY: `base` is the page-aligned start of the mapping just made, at least one page.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            let error = std::io::Error::last_os_error().to_string();
            // SAFETY: unmapping exactly the mapping made above.
            unsafe { libc::munmap(base, size) };
            return Err(error);
        }
        Ok(MappedStack {
            base: base.cast(),
            size,
        })
    }

    /// The usable range above the guard page.
    fn usable(&self) -> (*mut u8, usize) {
        let page = page_size();
        // SAFETY: the mapping is `size >= 2 * page` bytes; the usable part starts one page in.
        (unsafe { self.base.add(page) }, self.size - page)
    }
}

impl Drop for MappedStack {
    fn drop(&mut self) {
        // SAFETY: `base`/`size` describe a mapping made by `map` and not unmapped before; no
        // code runs on it (it is only dropped while not in use).
        unsafe { libc::munmap(self.base.cast(), self.size) };
    }
}

fn page_size() -> usize {
    // SAFETY: `sysconf` has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(4096)
}

thread_local! {
    /// This thread's run stack, mapped on first need.
    static RUN_STACK: RefCell<Option<MappedStack>> = const { RefCell::new(None) };
    /// The usable range of the run stack while a call runs on it: `(low, high)` addresses.
    static ON_RUN_STACK: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Bytes of stack left below the current stack pointer, when known.
fn remaining_stack() -> Option<usize> {
    match ON_RUN_STACK.with(Cell::get) {
        Some((low, _)) => Some((psm::stack_pointer() as usize).saturating_sub(low)),
        None => stacker::remaining_stack(),
    }
}

/// Why a run did not complete on its stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunStackError {
    /// The stack could not be mapped (an address-space limit such as `ulimit -v`): the
    /// host's environment, reported as RT0410.
    Unmapped(String),
    /// The run panicked (caught at the stack switch): a runtime bug, RT0001.
    Panicked(String),
}

/// Runs `run` with at least `bytes` of stack (see the module docs). `Err` when the stack
/// cannot be mapped or the run panicked.
pub fn with_stack<R>(bytes: usize, run: impl FnOnce() -> R) -> Result<R, RunStackError> {
    if remaining_stack().is_some_and(|left| left >= bytes) {
        return Ok(run());
    }
    if ON_RUN_STACK.with(Cell::get).is_some() {
        // Already on this thread's run stack and it is not enough: a fresh segment.
        return grow_fresh(bytes, run);
    }
    let (low, size) = RUN_STACK.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().is_none_or(|stack| stack.usable().1 < bytes) {
            *cached = None;
            *cached = Some(MappedStack::map(bytes).map_err(RunStackError::Unmapped)?);
        }
        let (low, size) = cached.as_ref().expect("just mapped").usable();
        Ok::<_, RunStackError>((low, size))
    })?;
    ON_RUN_STACK.with(|on| on.set(Some((low as usize, low as usize + size))));
    let _leave = LeaveRunStack;
    // SAFETY: `low..low + size` is this thread's mapped, writable stack (page-aligned base and
    // size, so aligned for the target), not in use by anything else (ON_RUN_STACK was None),
    // and not unmapped while the callback runs (only replaced when not in use). The callback
    // cannot unwind across the switch: panics are caught inside and resumed outside.
    let outcome = unsafe {
        psm::on_stack(low, size, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        })
    };
    outcome.map_err(|panic| RunStackError::Panicked(crate::panic_message(panic.as_ref())))
}

/// Marks the run stack free again, also when the run panicked.
struct LeaveRunStack;

impl Drop for LeaveRunStack {
    fn drop(&mut self) {
        ON_RUN_STACK.with(|on| on.set(None));
    }
}

fn grow_fresh<R>(bytes: usize, run: impl FnOnce() -> R) -> Result<R, RunStackError> {
    let saved = ON_RUN_STACK.with(|on| on.replace(None));
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stacker::grow(bytes, run)))
            .map_err(|panic| RunStackError::Panicked(crate::panic_message(panic.as_ref())));
    ON_RUN_STACK.with(|on| on.set(saved));
    outcome
}
