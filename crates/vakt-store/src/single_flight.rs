//! One computation at a time per key in this process: requests that miss a cache together wait for
//! the one computing the value instead of each computing it (the overview of 50,000 people's standings,
//! a page of a unit's people).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// A lock per key; keys nobody holds are forgotten once there are more than `keep` of them.
pub struct KeyedLocks<K> {
    locks: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
    keep: usize,
}

impl<K: Eq + Hash + Clone> KeyedLocks<K> {
    pub fn new(keep: usize) -> Self {
        KeyedLocks {
            locks: Mutex::new(HashMap::new()),
            keep,
        }
    }

    /// The lock of `key` (the same one for every caller while anyone holds it).
    pub fn lock_for(&self, key: &K) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = match self.locks.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > self.keep {
            map.retain(|_, m| Arc::strong_count(m) > 1);
        }
        map.entry(key.clone()).or_default().clone()
    }
}
