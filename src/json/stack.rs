//! A small stack with inline storage.

/// A stack whose first `N` entries live inline: the open
/// containers of a reader, which are few in any real document, cost no heap
/// allocation until they are many.
pub(super) struct Stack<T, const N: usize = 4> {
    inline: [Option<T>; N],
    inline_len: usize,
    spilled: Vec<T>,
}

impl<T, const N: usize> Stack<T, N> {
    pub(super) fn new() -> Self {
        Stack {
            inline: [const { None }; N],
            inline_len: 0,
            spilled: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.inline_len + self.spilled.len()
    }

    pub(super) fn push(&mut self, item: T) {
        match self.inline.get_mut(self.inline_len) {
            Some(slot) if self.spilled.is_empty() => {
                *slot = Some(item);
                self.inline_len += 1;
            }
            _ => self.spilled.push(item),
        }
    }

    pub(super) fn pop(&mut self) -> Option<T> {
        if let Some(item) = self.spilled.pop() {
            return Some(item);
        }
        self.inline_len = self.inline_len.checked_sub(1)?;
        self.inline[self.inline_len].take()
    }

    pub(super) fn last_mut(&mut self) -> Option<&mut T> {
        match self.spilled.last_mut() {
            Some(item) => Some(item),
            None => self.inline[..self.inline_len].last_mut()?.as_mut(),
        }
    }
}
