//! The keys of one JSON object, kept to refuse a duplicate.

use std::borrow::Cow;
use std::collections::HashSet;

/// The keys met so far in one object: inline and searched linearly while
/// they are few (most objects), a hash set past that (so a million keys
/// cost linear time, not quadratic).
pub(crate) struct KeySet<'a> {
    inline: [Cow<'a, str>; KeySet::LINEAR],
    len: usize,
    set: Option<HashSet<Cow<'a, str>>>,
}

impl KeySet<'_> {
    /// The most keys kept inline and searched linearly.
    const LINEAR: usize = 8;
}

impl<'a> KeySet<'a> {
    /// An empty set; allocates nothing.
    pub(crate) fn new() -> Self {
        KeySet {
            inline: [const { Cow::Borrowed("") }; KeySet::LINEAR],
            len: 0,
            set: None,
        }
    }

    /// Whether `key` is in the set.
    pub(crate) fn contains(&self, key: &str) -> bool {
        match &self.set {
            Some(set) => set.contains(key),
            None => self.inline[..self.len].iter().any(|k| k == key),
        }
    }

    /// Adds `key` (the caller has checked it is not there yet).
    pub(crate) fn insert(&mut self, key: Cow<'a, str>) {
        if let Some(set) = &mut self.set {
            set.insert(key);
        } else if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = key;
            self.len += 1;
        } else {
            let mut set: HashSet<_> = self.inline.iter_mut().map(std::mem::take).collect();
            set.insert(key);
            self.set = Some(set);
        }
    }
}
