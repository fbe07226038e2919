//! What `heap watch` shows, and how heap events update it. The [`Tracker`] lives in the
//! audit hook on the thread that runs the program: it sees only [`HeapEvent`]s (never the
//! heap), counts them, keeps the reference-count histogram (malloc → a head with count 1,
//! incRef/decRef → it moves between buckets, free → it leaves) and the live objects per
//! allocation site, and now and then publishes a [`WatchState`] for the UI thread. Events
//! name head blocks only, so the live view counts objects; the blocks in use and the
//! per-kind counts come from the heap statistics taken when `main` returns.

use std::collections::{BTreeMap, VecDeque};

use cairn::{AllocationSite, HeapEvent, HeapStats, RefOp};

/// Samples of live objects kept for the sparkline.
pub const HISTORY: usize = 240;
/// Busiest allocation sites listed while the program runs.
pub const TOP_SITES: usize = 6;

/// A picture of the run for one frame of the UI: plain data, cheap to clone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WatchState {
    /// `FILE on ENGINE`.
    pub title: String,
    /// The heap's size in blocks.
    pub heap_blocks: u32,
    pub mallocs: u64,
    pub frees: u64,
    pub inc_refs: u64,
    pub dec_refs: u64,
    pub cows: u64,
    /// Live objects (head blocks) now, and the most at once.
    pub live_objects: u64,
    pub peak_live_objects: u64,
    /// `REF_COUNT` → live objects with that count.
    pub histogram: BTreeMap<u16, u64>,
    /// The sites with the most live objects (`fn NAME at L:C`, objects), most first.
    pub top_sites: Vec<(String, u64)>,
    /// Live objects at each publication, oldest first.
    pub history: VecDeque<u64>,
    /// Wall-clock seconds since the run started, at the last publication.
    pub elapsed_seconds: f64,
    /// Objects allocated per second since the previous publication.
    pub allocation_rate: f64,
    /// Heap statistics when `main` returned (before its result was released).
    pub final_stats: Option<HeapStats>,
    /// `finished: result ...`, `failed: ...` or `cancelled` once the run is over.
    pub finished: Option<String>,
}

/// The hook's running counts (see the module doc).
#[derive(Debug, Default)]
pub struct Tracker {
    state: WatchState,
    live_by_site: BTreeMap<AllocationSite, u64>,
    mallocs_at_last_publication: u64,
    last_publication_seconds: f64,
}

fn bucket_remove(histogram: &mut BTreeMap<u16, u64>, count: u16) {
    if let Some(heads) = histogram.get_mut(&count) {
        *heads -= 1;
        if *heads == 0 {
            histogram.remove(&count);
        }
    }
}

impl Tracker {
    pub fn new(title: String, heap_blocks: u32) -> Tracker {
        Tracker {
            state: WatchState {
                title,
                heap_blocks,
                ..WatchState::default()
            },
            ..Tracker::default()
        }
    }

    /// Takes one heap event.
    pub fn apply(&mut self, event: &HeapEvent) {
        let state = &mut self.state;
        match event.op {
            RefOp::Malloc => {
                state.mallocs += 1;
                state.live_objects += 1;
                state.peak_live_objects = state.peak_live_objects.max(state.live_objects);
                *state.histogram.entry(event.new).or_insert(0) += 1;
                *self.live_by_site.entry(event.site).or_insert(0) += 1;
            }
            RefOp::IncRef | RefOp::DecRef => {
                if event.op == RefOp::IncRef {
                    state.inc_refs += 1;
                } else {
                    state.dec_refs += 1;
                }
                bucket_remove(&mut state.histogram, event.old);
                *state.histogram.entry(event.new).or_insert(0) += 1;
            }
            RefOp::Free => {
                state.frees += 1;
                state.live_objects = state.live_objects.saturating_sub(1);
                bucket_remove(&mut state.histogram, event.old);
                if let Some(live) = self.live_by_site.get_mut(&event.site) {
                    *live -= 1;
                    if *live == 0 {
                        self.live_by_site.remove(&event.site);
                    }
                }
            }
            RefOp::Cow => state.cows += 1,
        }
    }

    /// The state to publish at `elapsed_seconds` into the run: the rate since the previous
    /// publication, one more history sample, the busiest sites named by `label`.
    pub fn publish(
        &mut self,
        elapsed_seconds: f64,
        label: &dyn Fn(AllocationSite) -> String,
    ) -> WatchState {
        let interval = elapsed_seconds - self.last_publication_seconds;
        let allocated = self.state.mallocs - self.mallocs_at_last_publication;
        self.state.allocation_rate = if interval > 0.0 {
            allocated as f64 / interval
        } else {
            0.0
        };
        self.state.elapsed_seconds = elapsed_seconds;
        self.last_publication_seconds = elapsed_seconds;
        self.mallocs_at_last_publication = self.state.mallocs;
        if self.state.history.len() == HISTORY {
            self.state.history.pop_front();
        }
        self.state.history.push_back(self.state.live_objects);
        let mut sites: Vec<(AllocationSite, u64)> =
            self.live_by_site.iter().map(|(&s, &n)| (s, n)).collect();
        // Most objects first; ties in site order, so the list does not flicker.
        sites.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.state.top_sites = sites
            .into_iter()
            .take(TOP_SITES)
            .map(|(site, live)| (label(site), live))
            .collect();
        self.state.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(op: RefOp, block: u32, old: u16, new: u16, site: AllocationSite) -> HeapEvent {
        HeapEvent {
            seq: 0,
            op,
            block,
            old,
            new,
            site,
        }
    }

    #[test]
    fn events_move_objects_between_histogram_buckets() {
        let a = AllocationSite::op(0, 1);
        let b = AllocationSite::op(0, 7);
        let mut tracker = Tracker::new("t.cairn on jit".into(), 100);
        let events = [
            event(RefOp::Malloc, 0, 0, 1, a),
            event(RefOp::Malloc, 1, 0, 1, b),
            event(RefOp::Malloc, 2, 0, 1, b),
            event(RefOp::IncRef, 1, 1, 2, b),
            event(RefOp::IncRef, 1, 2, 3, b),
            event(RefOp::Cow, 1, 3, 3, b),
            event(RefOp::DecRef, 1, 3, 2, b),
            event(RefOp::Free, 0, 1, 0, a),
        ];
        for e in &events {
            tracker.apply(e);
        }
        let state = tracker.publish(2.0, &|site| site.to_string());
        assert_eq!((state.mallocs, state.frees, state.cows), (3, 1, 1));
        assert_eq!((state.inc_refs, state.dec_refs), (2, 1));
        assert_eq!((state.live_objects, state.peak_live_objects), (2, 3));
        assert_eq!(state.histogram, BTreeMap::from([(1, 1), (2, 1)]));
        assert_eq!(state.top_sites, vec![("function 0 op 7".to_string(), 2)]);
        assert_eq!(state.allocation_rate, 1.5);
        assert_eq!(state.history, VecDeque::from([2]));

        // The rate covers the interval since the previous publication only.
        tracker.apply(&event(RefOp::Free, 1, 2, 0, b));
        tracker.apply(&event(RefOp::Malloc, 0, 0, 1, a));
        let state = tracker.publish(2.5, &|site| site.to_string());
        assert_eq!(state.allocation_rate, 2.0);
        assert_eq!(state.histogram, BTreeMap::from([(1, 2)]));
        assert_eq!(state.history, VecDeque::from([2, 2]));
        assert_eq!(state.top_sites.len(), 2);
    }

    #[test]
    fn history_keeps_the_latest_samples() {
        let mut tracker = Tracker::new(String::new(), 10);
        for step in 0..HISTORY + 5 {
            tracker.apply(&event(
                RefOp::Malloc,
                step as u32,
                0,
                1,
                AllocationSite::UNKNOWN,
            ));
            tracker.publish(step as f64, &|_| String::new());
        }
        let state = tracker.publish(1e6, &|_| String::new());
        assert_eq!(state.history.len(), HISTORY);
        assert_eq!(state.history.back(), Some(&(HISTORY as u64 + 5)));
    }
}
