//! A strict JSON reader with PHP's number semantics.
//!
//! Why not `serde_json::from_slice`: it keeps the last of duplicated keys
//! silently, its depth limit is fixed, and it reads `-0` as the float `-0.0`
//! where PHP's `json_decode` reads the integer `0` (which the canonical
//! writer must then print as `0`). This reader:
//! - refuses duplicate object keys anywhere;
//! - refuses nesting deeper than the caller's limit (at most
//!   [`DEPTH_CEILING`]), and never recurses itself (an explicit stack);
//! - reads a number literal without fraction or exponent that fits `i64` as
//!   an integer, and every other number as a correctly rounded `f64` with
//!   an exponent above 19999 taken as 19999, as PHP's `zend_strtod` does
//!   ([`number::php_strtod`]), refusing literals that overflow to infinity, which
//!   PHP could never encode;
//! - refuses lone UTF-16 surrogates in `\u` escapes and invalid UTF-8.
//!
//! Its output is a `serde_json::Value` with member order kept.
//!
//! The parts (this file: the entry points, [`parse`], [`check_nested`],
//! [`depth`], [`deserialize`]):
//! - [`read`]: the [`Reader`], one reading loop that builds a `Value` or
//!   only checks;
//! - [`keys`]: the keys read so far, to refuse duplicates: the set of one
//!   object's keys, and the one stack of every open object's keys that
//!   the checking reader keeps;
//! - [`number`]: PHP's reading and comparing of numbers;
//! - [`scan`]: the scan of string contents for their next `"`, `\\` or
//!   control character (a word, then 32-byte vector rounds);
//! - [`stack`]: the reader's explicit stack of open containers;
//! - [`compare`]: whether two values are what PHP writes as the same bytes.

mod compare;
mod keys;
mod number;
mod read;
mod scan;
mod stack;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Problem, Snippet};

pub(crate) use compare::{same_content, same_text, same_value};
pub(crate) use keys::KeySet;
pub(crate) use read::{Reader, list_key};

/// The deepest nesting any caller may configure. The reader itself does
/// not recurse, but what is done with its `Value` does (serde_json's `Drop`
/// and `PartialEq`, the canonical writer), so depth stays bounded.
pub(crate) const DEPTH_CEILING: usize = 1024;

/// Reads one JSON value that must fill the whole input (whitespace around
/// it is allowed).
pub(crate) fn parse(bytes: &[u8], max_depth: usize) -> Result<Value, Problem> {
    parse_nested(bytes, max_depth, 0)
}

/// Reads a value that sits `outer` containers deep in its document (the
/// signed payload stands where `response` stands in the envelope, one
/// level down), so one depth limit means the same thing for both.
pub(crate) fn parse_nested(bytes: &[u8], max_depth: usize, outer: usize) -> Result<Value, Problem> {
    let mut reader = Reader::new(bytes, max_depth)?;
    reader.skip_ws();
    let value = reader.value(outer)?;
    reader.end()?;
    Ok(value)
}

/// The nesting depth of a value (`1` for `[]` or `{}`, `0` for a scalar),
/// computed without recursion.
pub(crate) fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, level)) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, level + 1))),
            Value::Object(map) => stack.extend(map.values().map(|c| (c, level + 1))),
            _ => continue,
        }
        deepest = deepest.max(level + 1);
    }
    deepest
}

/// Checks a value that sits `outer` containers deep in its document, as
/// [`parse_nested`] would read it (same errors), without building it;
/// returns the text.
pub(crate) fn check_nested(bytes: &[u8], max_depth: usize, outer: usize) -> Result<&str, Problem> {
    let mut reader = Reader::new(bytes, max_depth)?;
    reader.skip_ws();
    reader.skip(outer)?;
    reader.end()?;
    Ok(reader.text)
}

/// `value` in the caller's own type; a mismatch is [`Error::Deserialize`]
/// with serde's reason, cut short.
pub(crate) fn deserialize<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    T::deserialize(value).map_err(|e| Error::Deserialize {
        reason: Snippet::prefix(&e.to_string(), Snippet::MAX_REASON_CHARS),
    })
}

#[cfg(test)]
mod tests;
