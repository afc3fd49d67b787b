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
    pub(super) const LINEAR: usize = 8;
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

/// The keys of every object open in one read, innermost last: one stack
/// for all of them, so opening and closing an object moves no key set.
/// Inline while few (any real document's chain of open objects), on the
/// heap past that.
pub(super) struct KeyStack<'a> {
    inline: [Cow<'a, str>; KeyStack::INLINE],
    spilled: Vec<Cow<'a, str>>,
    len: usize,
}

impl KeyStack<'_> {
    const INLINE: usize = 24;
}

/// One open object's place in a [`KeyStack`]: where its keys start, and
/// its hash set once it has more than [`KeySet::LINEAR`] keys (they then
/// go there, not on the stack).
pub(super) struct OpenKeys<'a> {
    start: usize,
    #[expect(
        clippy::box_collection,
        reason = "one pointer on the reader's stack of open containers, not a set's 48 bytes"
    )]
    set: Option<Box<HashSet<Cow<'a, str>>>>,
}

impl<'a> KeyStack<'a> {
    pub(super) fn new() -> Self {
        KeyStack {
            inline: [const { Cow::Borrowed("") }; KeyStack::INLINE],
            spilled: Vec::new(),
            len: 0,
        }
    }

    /// A new object, with no keys yet.
    pub(super) fn open(&self) -> OpenKeys<'a> {
        OpenKeys {
            start: self.len,
            set: None,
        }
    }

    /// The keys on the stack from `start` on.
    fn since(&self, start: usize) -> impl Iterator<Item = &Cow<'a, str>> {
        let inline = &self.inline[start.min(Self::INLINE)..self.len.min(Self::INLINE)];
        let spilled = &self.spilled[start.saturating_sub(Self::INLINE)..];
        inline.iter().chain(spilled)
    }

    /// Adds `key` to `object` (the innermost open object), or gives it
    /// back if `object` has it already.
    pub(super) fn add(
        &mut self,
        object: &mut OpenKeys<'a>,
        key: Cow<'a, str>,
    ) -> Result<(), Cow<'a, str>> {
        if let Some(set) = &mut object.set {
            // One lookup: a borrowed key costs nothing to hand back.
            return match key {
                Cow::Borrowed(k) if set.insert(Cow::Borrowed(k)) => Ok(()),
                Cow::Borrowed(k) => Err(Cow::Borrowed(k)),
                owned if set.contains(&*owned) => Err(owned),
                owned => {
                    set.insert(owned);
                    Ok(())
                }
            };
        }
        let known = match self.spilled.is_empty() {
            // Almost always: every key inline.
            true => self.inline[object.start..self.len].contains(&key),
            false => self.since(object.start).any(|k| *k == key),
        };
        if known {
            return Err(key);
        }
        if self.len - object.start < KeySet::LINEAR {
            match self.inline.get_mut(self.len) {
                Some(slot) => *slot = key,
                None => self.spilled.push(key),
            }
            self.len += 1;
        } else {
            let mut set: HashSet<_> = self.since(object.start).cloned().collect();
            set.insert(key);
            object.set = Some(Box::new(set));
        }
        Ok(())
    }

    /// Closes `object`, the innermost open object.
    pub(super) fn close(&mut self, object: OpenKeys<'a>) {
        self.spilled
            .truncate(object.start.saturating_sub(Self::INLINE));
        // The inline slots above keep their old keys until overwritten.
        self.len = object.start;
    }
}
