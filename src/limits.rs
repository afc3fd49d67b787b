//! Size and nesting limits, the same for every artifact the crate reads:
//! checked before any parsing (size) and while parsing (depth).

use crate::error::Error;
use crate::json::DEPTH_CEILING;

/// Size and nesting limits, checked before and during parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_input_bytes: usize,
    max_depth: usize,
}

impl Limits {
    /// Default input limit: 1 MiB.
    pub const DEFAULT_MAX_INPUT_BYTES: usize = 1 << 20;
    /// Default nesting limit: 128 levels of objects and arrays.
    pub const DEFAULT_MAX_DEPTH: usize = 128;
    /// The largest nesting limit that can be configured: the reader does
    /// not recurse, but serde_json's `Drop` and `PartialEq` and the
    /// canonical writer do, and at this depth they fit a 2 MiB thread stack
    /// even in a debug build.
    pub const MAX_DEPTH_CEILING: usize = DEPTH_CEILING;

    /// The defaults: 1 MiB, 128 levels.
    pub const fn new() -> Self {
        Limits {
            max_input_bytes: Self::DEFAULT_MAX_INPUT_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }

    /// Inputs longer than `bytes` are refused before parsing.
    pub const fn max_input_bytes(mut self, bytes: usize) -> Self {
        self.max_input_bytes = bytes;
        self
    }

    /// Objects and arrays may nest `depth` levels deep (the envelope itself
    /// is level 1). Values above [`Limits::MAX_DEPTH_CEILING`] are lowered
    /// to it.
    pub const fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = if depth > DEPTH_CEILING {
            DEPTH_CEILING
        } else {
            depth
        };
        self
    }

    /// The input limit in bytes.
    pub const fn input_limit(&self) -> usize {
        self.max_input_bytes
    }

    /// The nesting limit.
    pub const fn depth_limit(&self) -> usize {
        self.max_depth
    }

    pub(crate) fn check_len(&self, len: usize) -> Result<(), Error> {
        if len > self.max_input_bytes {
            Err(Error::TooLarge {
                len,
                limit: self.max_input_bytes,
            })
        } else {
            Ok(())
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}
