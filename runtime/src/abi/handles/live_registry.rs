//! A process-wide set of live handle addresses, one per boxed handle kind (errors, effects,
//! runtimes). Membership is checked before a handle is dereferenced, so a dangling or
//! forged pointer is diagnosed (RT0404) instead of being read.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

/// The addresses of the live boxes of one handle kind.
pub struct LiveRegistry {
    addresses: Mutex<BTreeSet<usize>>,
}

impl LiveRegistry {
    pub const fn new() -> LiveRegistry {
        LiveRegistry {
            addresses: Mutex::new(BTreeSet::new()),
        }
    }

    /// Locks the set. A poisoned lock is recovered: the set is only ever mutated by
    /// single `insert`/`remove` calls, which cannot leave it half-updated.
    pub fn lock(&self) -> MutexGuard<'_, BTreeSet<usize>> {
        self.addresses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn insert(&self, address: usize) {
        self.lock().insert(address);
    }

    pub fn contains(&self, address: usize) -> bool {
        self.lock().contains(&address)
    }

    /// Removes `address`; `false` when it was not live.
    pub fn remove(&self, address: usize) -> bool {
        self.lock().remove(&address)
    }
}

impl Default for LiveRegistry {
    fn default() -> LiveRegistry {
        LiveRegistry::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_live_between_insert_and_remove() {
        let registry = LiveRegistry::new();
        assert!(!registry.contains(0x1000));
        registry.insert(0x1000);
        assert!(registry.contains(0x1000));
        assert!(registry.remove(0x1000));
        assert!(!registry.contains(0x1000));
        assert!(
            !registry.remove(0x1000),
            "a second removal reports a dead address"
        );
    }
}
