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
//!   ([`php_strtod`]), refusing literals that overflow to infinity, which
//!   PHP could never encode;
//! - refuses lone UTF-16 surrogates in `\u` escapes and invalid UTF-8.
//!
//! Its output is a `serde_json::Value` with member order kept.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Number, Value};

use crate::error::{Problem, Snippet};

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

/// Compares two JSON texts already read without error by [`Reader::skip`]
/// token by token: `Some(true)` if PHP writes them as the same bytes
/// (numbers by [`same_number`]), `Some(false)` if it does not, `None` if an object lists its keys in
/// another order (the caller then compares as maps, [`same_value`]).
/// Nothing is built, no hashing: the server writes `response` and the
/// signed payload from one array, so in practice they agree in order.
pub(crate) fn same_text(a: &str, b: &str) -> Option<bool> {
    let mut a = Reader::from_text(a, DEPTH_CEILING);
    let mut b = Reader::from_text(b, DEPTH_CEILING);
    // Per open container: whether it is an object.
    let mut open: Stack<bool, 16> = Stack::new();
    'value: loop {
        a.skip_ws();
        b.skip_ws();
        let same = match (a.peek(), b.peek()) {
            (Some(open_a @ (b'{' | b'[')), Some(open_b)) if open_a == open_b => {
                let (close, object) = match open_a {
                    b'{' => (b'}', true),
                    _ => (b']', false),
                };
                a.pos += 1;
                b.pos += 1;
                match (a.next_is(close), b.next_is(close)) {
                    (true, true) => {
                        a.pos += 1;
                        b.pos += 1;
                        true
                    }
                    (false, false) => {
                        if object && !same_key(&mut a, &mut b)? {
                            return None;
                        }
                        open.push(object);
                        continue 'value;
                    }
                    _ => false,
                }
            }
            (Some(b'"'), Some(b'"')) => same_string(&mut a, &mut b)?,
            (Some(b'-' | b'0'..=b'9'), Some(b'-' | b'0'..=b'9')) => {
                let (x, y) = (a.check_number().ok()?, b.check_number().ok()?);
                // The same literal is the same number; else as PHP writes
                // them.
                x == y || same_number(&number_value(x, 0).ok()?, &number_value(y, 0).ok()?)
            }
            (Some(x @ (b't' | b'f' | b'n')), Some(y)) if x == y => {
                let word = match x {
                    b't' => "true",
                    b'f' => "false",
                    _ => "null",
                };
                a.literal(word).is_ok() && b.literal(word).is_ok()
            }
            _ => false,
        };
        if !same {
            return Some(false);
        }
        loop {
            a.skip_ws();
            b.skip_ws();
            let Some(&mut object) = open.last_mut() else {
                return Some(a.peek().is_none() && b.peek().is_none());
            };
            let close = if object { b'}' } else { b']' };
            match (a.peek(), b.peek()) {
                (Some(b','), Some(b',')) => {
                    a.pos += 1;
                    b.pos += 1;
                    if object && !same_key(&mut a, &mut b)? {
                        return None;
                    }
                    continue 'value;
                }
                (Some(x), Some(y)) if x == close && y == close => {
                    a.pos += 1;
                    b.pos += 1;
                    open.pop();
                }
                // One has more members or items than the other (keys are
                // unique: more keys is a different object).
                _ => return Some(false),
            }
        }
    }
}

/// Compares the string literals both readers stand at: as written first
/// (the usual case, and no allocation even with escapes), unescaped only if
/// they are written differently.
fn same_string(a: &mut Reader<'_>, b: &mut Reader<'_>) -> Option<bool> {
    let (raw_a, escaped_a) = a.raw_string().ok()?;
    let (raw_b, escaped_b) = b.raw_string().ok()?;
    if raw_a == raw_b {
        return Some(true);
    }
    if !escaped_a && !escaped_b {
        return Some(false);
    }
    fn text(raw: &str, escaped: bool) -> Cow<'_, str> {
        match escaped {
            true => Cow::Owned(unescape(raw)),
            false => Cow::Borrowed(raw),
        }
    }
    Some(text(raw_a, escaped_a) == text(raw_b, escaped_b))
}

/// Compares the member keys both readers stand at, reading past the `:`.
fn same_key(a: &mut Reader<'_>, b: &mut Reader<'_>) -> Option<bool> {
    a.skip_ws();
    b.skip_ws();
    let same = same_string(a, b)?;
    a.eat(b':', "`:`").ok()?;
    b.eat(b':', "`:`").ok()?;
    Some(same)
}

/// Whether `text`, a JSON value already read without error by
/// [`Reader::skip`] (so its keys are unique), is what PHP writes as the
/// same bytes as `expected`, member order aside: objects compare as maps,
/// numbers by [`same_number`], strings exactly. Nothing is built; no
/// recursion.
pub(crate) fn same_value(text: &str, expected: &Value) -> bool {
    Reader::from_text(text, DEPTH_CEILING).same(expected)
}

/// [`same_value`] for two values: whether PHP writes them as the same
/// bytes, member order aside. No recursion.
pub(crate) fn same_content(a: &Value, b: &Value) -> bool {
    let mut stack = vec![(a, b)];
    while let Some(pair) = stack.pop() {
        match pair {
            (Value::Number(x), Value::Number(y)) if same_number(x, y) => {}
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                stack.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for (k, v) in x {
                    let Some(w) = y.get(k) else {
                        return false;
                    };
                    stack.push((v, w));
                }
            }
            (Value::Number(_) | Value::Array(_) | Value::Object(_), _) => return false,
            (a, b) if a != b => return false,
            _ => {}
        }
    }
    true
}

/// How many bytes at the start of `bytes` can stand in a JSON string as
/// they are: none is `"`, `\\` or a control character. Eight bytes at a
/// time while none is (strings are most of an envelope: the signature and
/// the signed base64).
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of the result is set if that byte (or one
    // below it: exact only as a yes/no answer) is `"`, `\\` or under 0x20.
    let stops = |x: u64| {
        let quote = x ^ (ONES * 0x22);
        let backslash = x ^ (ONES * 0x5c);
        (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x)
    };
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_ne_bytes(w)
    };
    let mut skipped = 0;
    // Sixteen bytes a round: two independent words keep the CPU busy.
    for pair in bytes.chunks_exact(16) {
        if (stops(word(&pair[..8])) | stops(word(&pair[8..]))) & HIGH != 0 {
            break;
        }
        skipped += 16;
    }
    let rest = &bytes[skipped..];
    skipped
        + rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len())
}

/// The text of a string literal whose escapes [`Reader::raw_string`] has
/// checked, unescaped: one allocation, sized for the raw text (never
/// shorter than the result).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut reader = Reader::from_text(raw, 0);
    let mut run = 0;
    while let Some(at) = raw[reader.pos..].find('\\') {
        reader.pos += at;
        out.push_str(&raw[run..reader.pos]);
        reader.pos += 1;
        // Checked already: cannot fail.
        let _ = reader.escape(Some(&mut out));
        run = reader.pos;
    }
    out.push_str(&raw[run..]);
    out
}

/// The value of a number literal (its grammar checked) that starts at
/// byte `start`, with PHP's semantics.
fn number_value(literal: &str, start: usize) -> Result<Number, Problem> {
    let integral = !literal.contains(['.', 'e', 'E']);
    if integral {
        // PHP: an integer literal that fits a signed 64-bit integer is an
        // integer (`-0` is 0); beyond that range it is a float.
        if let Ok(i) = literal.parse::<i64>() {
            return Ok(Number::from(i));
        }
    }
    // Infinity (and, never for a checked literal, a parse error as NaN)
    // has no JSON form: PHP's json_encode fails on it.
    Number::from_f64(php_strtod(literal)).ok_or(Problem::NumberOutOfRange { offset: start })
}

/// The largest exponent magnitude PHP's `zend_strtod` (David Gay's strtod)
/// takes as written: a larger one counts as this, before the digits after
/// the point are accounted for.
const PHP_EXPONENT_CLAMP: u32 = 19_999;

/// The double PHP's `json_decode` reads from a number literal whose grammar
/// is checked: correctly rounded (as `str::parse`), except that an exponent
/// above 19999 in magnitude is first taken as 19999, as `zend_strtod` does.
/// So `0.<19999 zeros>1e20000` is `0.1` and `1<30000 zeros>e-30000` is
/// infinite. Overflow gives infinity; a parse error (not possible for a
/// checked literal) NaN.
pub(crate) fn php_strtod(literal: &str) -> f64 {
    if let Some(at) = literal.rfind(['e', 'E']) {
        let (mantissa, exponent) = (&literal[..at], &literal[at + 1..]);
        let (sign, digits) = match exponent.as_bytes().first() {
            Some(b'-') => ("-", &exponent[1..]),
            Some(b'+') => ("", &exponent[1..]),
            _ => ("", exponent),
        };
        let digits = digits.trim_start_matches('0');
        // Five digits or fewer fit u32; more is past the clamp anyway.
        if digits.len() > 5 || digits.parse::<u32>().is_ok_and(|e| e > PHP_EXPONENT_CLAMP) {
            let clamped = format!("{mantissa}e{sign}{PHP_EXPONENT_CLAMP}");
            return clamped.parse().unwrap_or(f64::NAN);
        }
    }
    literal.parse().unwrap_or(f64::NAN)
}

/// Whether PHP's `json_encode` writes `a` and `b` as the same bytes: two
/// integers if equal, two floats if the same double (shortest round-trip
/// digits tell every double apart, `-0.0` from `0.0` too), an integer and
/// a float if the float's plain digits are the integer's (`1.0` and `1`,
/// both written `1`).
pub(crate) fn same_number(a: &Number, b: &Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if a.is_f64() && b.is_f64() => x.to_bits() == y.to_bits(),
            _ => {
                let (mut x, mut y) = (Vec::new(), Vec::new());
                crate::canonical::write_number(a, &mut x);
                crate::canonical::write_number(b, &mut y);
                x == y
            }
        },
    }
}

/// A stack whose first `N` entries live inline: the open
/// containers of a reader, which are few in any real document, cost no heap
/// allocation until they are many.
struct Stack<T, const N: usize = 4> {
    inline: [Option<T>; N],
    inline_len: usize,
    spilled: Vec<T>,
}

impl<T, const N: usize> Stack<T, N> {
    fn new() -> Self {
        Stack {
            inline: [const { None }; N],
            inline_len: 0,
            spilled: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.inline_len + self.spilled.len()
    }

    fn push(&mut self, item: T) {
        match self.inline.get_mut(self.inline_len) {
            Some(slot) if self.spilled.is_empty() => {
                *slot = Some(item);
                self.inline_len += 1;
            }
            _ => self.spilled.push(item),
        }
    }

    fn pop(&mut self) -> Option<T> {
        if let Some(item) = self.spilled.pop() {
            return Some(item);
        }
        self.inline_len = self.inline_len.checked_sub(1)?;
        self.inline[self.inline_len].take()
    }

    fn last_mut(&mut self) -> Option<&mut T> {
        match self.spilled.last_mut() {
            Some(item) => Some(item),
            None => self.inline[..self.inline_len].last_mut()?.as_mut(),
        }
    }
}

/// What [`Reader::read`] does with what it reads.
trait Sink<'a> {
    /// Whether string and number values are wanted; if not, they are only
    /// checked.
    const STRINGS: bool;
    type Value;
    type Array;
    type Object;
    fn array(&mut self) -> Self::Array;
    fn push(&mut self, array: &mut Self::Array, value: Self::Value);
    fn end_array(&mut self, array: Self::Array) -> Self::Value;
    fn object(&mut self) -> Self::Object;
    /// Whether `key` was already read in this object.
    fn contains(&self, object: &Self::Object, key: &str) -> bool;
    fn insert(&mut self, object: &mut Self::Object, key: Cow<'a, str>, value: Self::Value);
    fn end_object(&mut self, object: Self::Object) -> Self::Value;
    fn string(&mut self, s: Cow<'a, str>) -> Self::Value;
    fn number(&mut self, n: Number) -> Self::Value;
    fn bool(&mut self, b: bool) -> Self::Value;
    fn null(&mut self) -> Self::Value;
}

/// Builds a `serde_json::Value`, member order kept.
struct Build;

impl<'a> Sink<'a> for Build {
    const STRINGS: bool = true;
    type Value = Value;
    type Array = Vec<Value>;
    type Object = Map<String, Value>;
    fn array(&mut self) -> Vec<Value> {
        Vec::new()
    }
    fn push(&mut self, array: &mut Vec<Value>, value: Value) {
        array.push(value);
    }
    fn end_array(&mut self, array: Vec<Value>) -> Value {
        Value::Array(array)
    }
    fn object(&mut self) -> Map<String, Value> {
        Map::new()
    }
    fn contains(&self, object: &Map<String, Value>, key: &str) -> bool {
        object.contains_key(key)
    }
    fn insert(&mut self, object: &mut Map<String, Value>, key: Cow<'a, str>, value: Value) {
        object.insert(key.into_owned(), value);
    }
    fn end_object(&mut self, object: Map<String, Value>) -> Value {
        Value::Object(object)
    }
    fn string(&mut self, s: Cow<'a, str>) -> Value {
        Value::String(s.into_owned())
    }
    fn number(&mut self, n: Number) -> Value {
        Value::Number(n)
    }
    fn bool(&mut self, b: bool) -> Value {
        Value::Bool(b)
    }
    fn null(&mut self) -> Value {
        Value::Null
    }
}

/// Builds nothing; keeps the keys of the open objects, to find duplicates.
#[derive(Default)]
struct Check;

/// An open object under [`Check`]: its keys, inline while they are few.
struct CheckedObject<'a> {
    inline: [Cow<'a, str>; CheckedObject::LINEAR],
    len: usize,
    /// Past [`CheckedObject::LINEAR`] keys, a hash set (so a million keys
    /// cost linear time, not quadratic).
    set: Option<HashSet<Cow<'a, str>>>,
}

impl CheckedObject<'_> {
    /// The most keys of one object kept inline and searched linearly.
    const LINEAR: usize = 8;
}

impl<'a> Sink<'a> for Check {
    const STRINGS: bool = false;
    type Value = ();
    type Array = ();
    type Object = CheckedObject<'a>;
    fn array(&mut self) {}
    fn push(&mut self, _: &mut (), _: ()) {}
    fn end_array(&mut self, _: ()) {}
    fn object(&mut self) -> CheckedObject<'a> {
        CheckedObject {
            inline: [const { Cow::Borrowed("") }; CheckedObject::LINEAR],
            len: 0,
            set: None,
        }
    }
    fn contains(&self, object: &CheckedObject<'a>, key: &str) -> bool {
        match &object.set {
            Some(set) => set.contains(key),
            None => object.inline[..object.len].iter().any(|k| k == key),
        }
    }
    fn insert(&mut self, object: &mut CheckedObject<'a>, key: Cow<'a, str>, _: ()) {
        if let Some(set) = &mut object.set {
            set.insert(key);
        } else if let Some(slot) = object.inline.get_mut(object.len) {
            *slot = key;
            object.len += 1;
        } else {
            let mut set: HashSet<_> = object.inline.iter_mut().map(std::mem::take).collect();
            set.insert(key);
            object.set = Some(set);
        }
    }
    fn end_object(&mut self, _: CheckedObject<'a>) {}
    fn string(&mut self, _: Cow<'a, str>) {}
    fn number(&mut self, _: Number) {}
    fn bool(&mut self, _: bool) {}
    fn null(&mut self) {}
}

/// A cursor over UTF-8 checked JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    /// Checks UTF-8 up front, so every slice between ASCII delimiters is a
    /// valid `&str`.
    pub(crate) fn new(bytes: &'a [u8], max_depth: usize) -> Result<Self, Problem> {
        let text = std::str::from_utf8(bytes).map_err(|e| Problem::InvalidUtf8 {
            offset: e.valid_up_to(),
        })?;
        Ok(Reader {
            text,
            bytes,
            pos: 0,
            max_depth: max_depth.min(DEPTH_CEILING),
        })
    }

    /// A reader over text already known to be UTF-8.
    pub(crate) fn from_text(text: &'a str, max_depth: usize) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            max_depth: max_depth.min(DEPTH_CEILING),
        }
    }

    /// The input from byte `start` to the current position.
    pub(crate) fn since(&self, start: usize) -> &'a str {
        &self.text[start..self.pos]
    }

    /// The current byte offset.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// See [`same_value`].
    fn same(&mut self, expected: &Value) -> bool {
        /// A container being compared: what is left of the expected array,
        /// or the expected object and how many of its keys were met.
        enum Frame<'v> {
            Array(std::slice::Iter<'v, Value>),
            Object(&'v Map<String, Value>, usize),
        }
        let mut open: Stack<Frame<'_>> = Stack::new();
        let mut expected = expected;
        'value: loop {
            self.skip_ws();
            let same = match self.peek() {
                Some(b'[') => {
                    let Value::Array(items) = expected else {
                        return false;
                    };
                    self.pos += 1;
                    if self.next_is(b']') {
                        self.pos += 1;
                        items.is_empty()
                    } else {
                        let mut rest = items.iter();
                        let Some(first) = rest.next() else {
                            return false;
                        };
                        open.push(Frame::Array(rest));
                        expected = first;
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    let Value::Object(map) = expected else {
                        return false;
                    };
                    self.pos += 1;
                    if self.next_is(b'}') {
                        self.pos += 1;
                        map.is_empty()
                    } else {
                        let Some(first) = self.member_key().ok().and_then(|k| map.get(&*k)) else {
                            return false;
                        };
                        open.push(Frame::Object(map, 1));
                        expected = first;
                        continue 'value;
                    }
                }
                Some(b'"') => match (self.string(), expected) {
                    (Ok(s), Value::String(e)) => *s == **e,
                    _ => false,
                },
                Some(b't') => self.literal("true").is_ok() && *expected == Value::Bool(true),
                Some(b'f') => self.literal("false").is_ok() && *expected == Value::Bool(false),
                Some(b'n') => self.literal("null").is_ok() && expected.is_null(),
                Some(b'-' | b'0'..=b'9') => match (self.number(), expected) {
                    (Ok(n), Value::Number(e)) => same_number(&n, e),
                    _ => false,
                },
                _ => false,
            };
            if !same {
                return false;
            }
            loop {
                self.skip_ws();
                match open.last_mut() {
                    None => return self.peek().is_none(),
                    Some(Frame::Array(rest)) => match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            let Some(next) = rest.next() else {
                                return false;
                            };
                            expected = next;
                            continue 'value;
                        }
                        Some(b']') if rest.len() == 0 => {
                            self.pos += 1;
                            open.pop();
                        }
                        _ => return false,
                    },
                    Some(Frame::Object(map, met)) => match (self.peek(), *map) {
                        (Some(b','), map) => {
                            self.pos += 1;
                            let Some(next) = self.member_key().ok().and_then(|k| map.get(&*k))
                            else {
                                return false;
                            };
                            *met += 1;
                            expected = next;
                            continue 'value;
                        }
                        // The keys are unique: as many as the expected
                        // object's, all found in it, means the same keys.
                        (Some(b'}'), map) if *met == map.len() => {
                            self.pos += 1;
                            open.pop();
                        }
                        _ => return false,
                    },
                }
            }
        }
    }

    fn syntax(&self, expected: &'static str) -> Problem {
        Problem::Syntax {
            offset: self.pos,
            expected,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// After the last value: only whitespace may follow.
    pub(crate) fn end(&mut self) -> Result<(), Problem> {
        self.skip_ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax("end of input")),
        }
    }

    pub(crate) fn eat(&mut self, byte: u8, expected: &'static str) -> Result<(), Problem> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    /// Whether the next non-blank byte is `byte`.
    pub(crate) fn next_is(&mut self, byte: u8) -> bool {
        self.skip_ws();
        self.peek() == Some(byte)
    }

    /// Reads a value into a `serde_json::Value`; `depth` is the number of
    /// containers already open around it.
    pub(crate) fn value(&mut self, depth: usize) -> Result<Value, Problem> {
        self.read(depth, &mut Build)
    }

    /// Reads a value with every check [`value`](Self::value) makes, in the
    /// same order and with the same errors, but builds nothing: strings
    /// without escapes stay borrowed and only object keys are kept (to find
    /// duplicates).
    pub(crate) fn skip(&mut self, depth: usize) -> Result<(), Problem> {
        self.read(depth, &mut Check)
    }

    /// The one reading loop behind [`value`](Self::value) and
    /// [`skip`](Self::skip), so both refuse exactly the same inputs.
    ///
    /// Iterative, with an explicit stack of the containers being built, so
    /// no nesting depth can overflow the call stack whatever limit the
    /// caller sets; the limit is checked before each container is opened.
    fn read<S: Sink<'a>>(&mut self, depth: usize, sink: &mut S) -> Result<S::Value, Problem> {
        /// A container being read, with the key of the member being read.
        enum Open<'a, S: Sink<'a>> {
            Array(S::Array),
            Object(S::Object, Cow<'a, str>),
        }
        let mut open: Stack<Open<'a, S>> = Stack::new();
        'value: loop {
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    let array = sink.array();
                    if self.next_is(b']') {
                        self.pos += 1;
                        sink.end_array(array)
                    } else {
                        open.push(Open::Array(array));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    let object = sink.object();
                    if self.next_is(b'}') {
                        self.pos += 1;
                        sink.end_object(object)
                    } else {
                        let key = self.member_key()?;
                        open.push(Open::Object(object, key));
                        continue 'value;
                    }
                }
                Some(b'"') if S::STRINGS => {
                    let s = self.string()?;
                    sink.string(s)
                }
                Some(b'"') => {
                    self.raw_string()?;
                    sink.string(Cow::Borrowed(""))
                }
                Some(b't') => self.literal("true").map(|()| sink.bool(true))?,
                Some(b'f') => self.literal("false").map(|()| sink.bool(false))?,
                Some(b'n') => self.literal("null").map(|()| sink.null())?,
                Some(b'-' | b'0'..=b'9') if S::STRINGS => {
                    let n = self.number()?;
                    sink.number(n)
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.check_number()?;
                    sink.number(Number::from(0))
                }
                _ => return Err(self.syntax("a JSON value")),
            };
            // A value is complete: add it to its container, and close every
            // container that ends here. The container stays in place while
            // its members are read (it can be large: not moved per member).
            loop {
                match open.last_mut() {
                    None => return Ok(value),
                    Some(Open::Array(items)) => {
                        sink.push(items, value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                value = match open.pop() {
                                    Some(Open::Array(items)) => sink.end_array(items),
                                    _ => return Err(self.syntax("`,` or `]`")),
                                };
                            }
                            _ => return Err(self.syntax("`,` or `]`")),
                        }
                    }
                    Some(Open::Object(map, key)) => {
                        sink.insert(map, std::mem::take(key), value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let next = self.member_key()?;
                                if sink.contains(map, &next) {
                                    return Err(Problem::DuplicateKey {
                                        key: Snippet::new(&next),
                                    });
                                }
                                *key = next;
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                value = match open.pop() {
                                    Some(Open::Object(map, _)) => sink.end_object(map),
                                    _ => return Err(self.syntax("`,` or `}`")),
                                };
                            }
                            _ => return Err(self.syntax("`,` or `}`")),
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn enter(&self, depth: usize) -> Result<(), Problem> {
        if depth >= self.max_depth {
            Err(Problem::TooDeep {
                limit: self.max_depth,
            })
        } else {
            Ok(())
        }
    }

    /// Reads `"key" :`.
    fn member_key(&mut self) -> Result<Cow<'a, str>, Problem> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.syntax("a string key"));
        }
        let key = self.string()?;
        self.eat(b':', "`:`")?;
        Ok(key)
    }

    /// Reads `{ "key": <member>, ... }`, calling `member` with the reader
    /// positioned at each member's value. The caller reads the value and
    /// decides about duplicates. The caller has checked the depth.
    pub(crate) fn object_members<E: From<Problem>>(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.eat(b'{', "`{`")?;
        if self.next_is(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let key = self.member_key()?;
            member(self, key)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("`,` or `}`").into()),
            }
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), Problem> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax(word))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number literal's grammar; returns it, where it starts, and
    /// whether it has an exponent.
    fn number_literal(&mut self) -> Result<(&'a str, usize, bool), Problem> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax("a digit after `.`"));
            }
        }
        let exponent = matches!(self.peek(), Some(b'e' | b'E'));
        if exponent {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("a digit in the exponent"));
            }
        }
        Ok((&self.text[start..self.pos], start, exponent))
    }

    /// Reads a number.
    fn number(&mut self) -> Result<Number, Problem> {
        let (literal, start, _) = self.number_literal()?;
        number_value(literal, start)
    }

    /// Checks a number as [`number`](Self::number) would read it (same
    /// errors), returning its literal. Only a literal that could overflow
    /// to infinity is converted: one with an exponent, or of 300 characters
    /// or more (without an exponent, anything shorter is below 1e300).
    fn check_number(&mut self) -> Result<&'a str, Problem> {
        let (literal, start, exponent) = self.number_literal()?;
        if exponent || literal.len() >= 300 {
            number_value(literal, start)?;
        }
        Ok(literal)
    }

    /// Reads a string literal, the reader at its opening quote. Borrowed
    /// from the input unless it has escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, Problem> {
        let (raw, escaped) = self.raw_string()?;
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        Ok(Cow::Owned(unescape(raw)))
    }

    /// Checks a string literal, the reader at its opening quote, and
    /// returns its text between the quotes as written, and whether it has
    /// escapes. Every error [`string`](Self::string) can give comes from
    /// here.
    fn raw_string(&mut self) -> Result<(&'a str, bool), Problem> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Most of a string needs no look: eight bytes at a time.
            self.pos += plain_run(&self.bytes[self.pos..]);
            match self.peek() {
                None => return Err(self.syntax("`\"` closing the string")),
                Some(b'"') => {
                    let raw = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok((raw, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    self.escape(None)?;
                }
                Some(_) => return Err(self.syntax("no raw control character")),
            }
        }
    }

    /// Reads the escape after a `\\`, pushing its character to `out`.
    fn escape(&mut self, out: Option<&mut String>) -> Result<(), Problem> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let c = match first {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(self.syntax("a low surrogate after a high one"));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.syntax("a low surrogate after a high one"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.syntax("no lone low surrogate")),
                    c => c,
                };
                let c = char::from_u32(c).ok_or(self.syntax("a valid code point"))?;
                if let Some(out) = out {
                    out.push(c);
                }
                return Ok(());
            }
            _ => return Err(self.syntax("a valid escape")),
        };
        self.pos += 1;
        if let Some(out) = out {
            out.push(c);
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Problem> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.syntax("four hex digits")),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Value, Problem> {
        parse(s.as_bytes(), 128)
    }

    #[test]
    fn php_number_semantics() {
        assert_eq!(p("-0").unwrap(), Value::from(0i64));
        assert!(p("-0").unwrap().is_i64());
        assert!(p("-0.0").unwrap().is_f64());
        assert_eq!(p("9223372036854775807").unwrap(), Value::from(i64::MAX));
        assert!(p("9223372036854775808").unwrap().is_f64());
        assert!(p("-9223372036854775809").unwrap().is_f64());
        assert!(p("1E2").unwrap().is_f64());
        assert_eq!(
            p("1e400"),
            Err(Problem::NumberOutOfRange { offset: 0 }),
            "infinity cannot come from PHP"
        );
        assert_eq!(p("1e-400").unwrap().as_f64(), Some(0.0));
    }

    #[test]
    fn refuses_bad_grammar() {
        for bad in [
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "tru",
            "\"\\x\"",
            "\"a",
            "[1 2]",
            "{1:2}",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "1 2",
            "",
        ] {
            assert!(
                matches!(p(bad), Err(Problem::Syntax { .. })),
                "{bad:?} gave {:?}",
                p(bad)
            );
        }
    }

    #[test]
    fn duplicate_keys_anywhere() {
        assert_eq!(
            p(r#"{"a":1,"b":{"c":1,"c":2}}"#),
            Err(Problem::DuplicateKey {
                key: Snippet::new("c")
            })
        );
        // Escaped and plain spellings of one key are the same key.
        assert_eq!(
            p(r#"{"a":1,"\u0061":2}"#),
            Err(Problem::DuplicateKey {
                key: Snippet::new("a")
            })
        );
    }

    #[test]
    fn depth_limit_is_exact() {
        assert!(parse(b"[[[1]]]", 3).is_ok());
        assert_eq!(parse(b"[[[1]]]", 2), Err(Problem::TooDeep { limit: 2 }));
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse(deep.as_bytes(), 128),
            Err(Problem::TooDeep { limit: 128 })
        );
    }

    /// The reader never recurses: 200,000 levels read on a 256 KiB stack
    /// (the ceiling is bypassed here to show it).
    #[test]
    fn reader_never_overflows_the_stack() {
        const DEEP: usize = 200_000;
        let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
        let run = move || {
            let mut reader = Reader::new(arrays.as_bytes(), 0).unwrap();
            reader.max_depth = usize::MAX;
            let v = reader.value(0).unwrap();
            assert!(v.is_array());
            // serde_json's Drop recurses: keep the value, so only the reader
            // is under test.
            std::mem::forget(v);
        };
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    /// At the ceiling, everything that recurses over the value afterwards
    /// (comparison, canonical writing, drop) fits a 2 MiB thread stack in
    /// a debug build.
    #[test]
    fn ceiling_depth_fits_a_small_stack() {
        let d = DEPTH_CEILING;
        let arrays = format!("{}{}", "[".repeat(d), "]".repeat(d));
        let objects = format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d));
        let run = move || {
            for text in [&arrays, &objects] {
                let a = parse(text.as_bytes(), usize::MAX).unwrap();
                let b = parse(text.as_bytes(), usize::MAX).unwrap();
                assert_eq!(a, b);
                assert_eq!(crate::canonical::to_vec(&a), text.as_bytes());
            }
            assert_eq!(
                parse(format!("[{arrays}]").as_bytes(), usize::MAX),
                Err(Problem::TooDeep {
                    limit: DEPTH_CEILING
                })
            );
        };
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn depth_of_values() {
        assert_eq!(depth(&serde_json::json!(1)), 0);
        assert_eq!(depth(&serde_json::json!([])), 1);
        assert_eq!(depth(&serde_json::json!({"a": [1, {"b": []}], "c": 2})), 4);
        assert_eq!(parse_nested(b"[[1]]", 3, 1), Ok(serde_json::json!([[1]])));
        assert_eq!(
            parse_nested(b"[[1]]", 2, 1),
            Err(Problem::TooDeep { limit: 2 })
        );
    }

    #[test]
    fn strings_and_order() {
        let v = p(r#"{"z":"\ud83d\ude00\/\n","a":[true,false,null]}"#).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(v["z"], "😀/\n");
    }

    /// `skip` refuses exactly what `value` refuses, with the same error.
    #[test]
    fn skip_agrees_with_value() {
        let many: String = (0..40).map(|i| format!("\"k{i}\":{i},")).collect();
        let inputs = [
            r#"{"a":1,"b":{"c":1,"c":2}}"#.to_owned(),
            r#"{"a":1,"\u0061":2}"#.to_owned(),
            r#"{"a":[1,{"b":2,"b":3}],"b":1}"#.to_owned(),
            r#"{"a":{"x":1},"b":{"x":1},"a":2}"#.to_owned(),
            format!("{{{many}\"k39\":0}}"),
            format!("{{{many}\"k40\":0}}"),
            format!("{{{many}\"k3\":0}}"),
            "[[[[1]]]]".to_owned(),
            "1e400".to_owned(),
            format!("[1{}]", "0".repeat(309)),
            format!("[-1{}.5]", "0".repeat(310)),
            format!("[1{}]", "0".repeat(298)),
            "[-0.0e0,1E-400,2e+308,1.5e308]".to_owned(),
            "[\"\\ud800\"]".to_owned(),
            "{\"a\":tru}".to_owned(),
            "[\"\\x\"]".to_owned(),
            "[\"a\\u00e9\u{1}\"]".to_owned(),
            "[\"a\\u00e9\\ud83d\\ude00\\\"\",\"b\\u00\"]".to_owned(),
            r#"{"\u0061":{"b":"\u00e9"},"a":1}"#.to_owned(),
            "{\"a\" 1}".to_owned(),
            r#"{"a":"x\/y","b":[true,false,null,-0,1.5e3]}"#.to_owned(),
        ];
        for text in &inputs {
            for depth in [3, 128] {
                let built = Reader::new(text.as_bytes(), depth).and_then(|mut r| {
                    let v = r.value(0)?;
                    r.end()?;
                    Ok(v)
                });
                let checked = Reader::new(text.as_bytes(), depth).and_then(|mut r| {
                    r.skip(0)?;
                    r.end()
                });
                assert_eq!(built.map(|_| ()), checked, "{text}");
            }
        }
    }

    /// Whether PHP writes `a` and `b` as the same bytes, member order
    /// aside: written out here by recursion, against the iterative readers.
    fn php_same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                crate::canonical::to_vec(a) == crate::canonical::to_vec(b) && same_number(x, y)
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| php_same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k).is_some_and(|w| php_same(v, w)))
            }
            _ => a == b,
        }
    }

    /// The long-exponent reading PHP 8.2 gives (`php -r 'echo
    /// json_encode(json_decode("[0.<19999 zeros>1e20000]"));'` prints
    /// `[0.1]`): the exponent as written is taken as at most 19999.
    #[test]
    fn long_exponents_read_as_php() {
        let zeros = |n| "0".repeat(n);
        let float = |text: String| p(&text).map(|v| v.as_f64());
        assert_eq!(float(format!("0.{}1e20000", zeros(19999))), Ok(Some(0.1)));
        assert_eq!(float(format!("0.{}1e30001", zeros(30000))), Ok(Some(0.0)));
        assert_eq!(float(format!("0.{}1e20000", zeros(19990))), Ok(Some(1e8)));
        assert_eq!(float(format!("0.{}1E+020000", zeros(19990))), Ok(Some(1e8)));
        assert_eq!(
            float(format!("-0.{}1e999999999999", zeros(19998))),
            Ok(Some(-1.0))
        );
        let negative_zero = p(&format!("-0.{}1e30001", zeros(30000))).unwrap();
        assert!(
            negative_zero
                .as_f64()
                .is_some_and(|f| f == 0.0 && f.is_sign_negative())
        );
        assert_eq!(
            p(&format!("[1{}e-30000]", zeros(30000))),
            Err(Problem::NumberOutOfRange { offset: 1 })
        );
        // At the clamp itself nothing changes.
        assert_eq!(float(format!("0.{}1e19999", zeros(19998))), Ok(Some(1.0)));
        assert_eq!(float("1e-19999".to_owned()), Ok(Some(0.0)));
        // The content check reads numbers the same way.
        let text = format!("{{\"a\":0.{}1e20000}}", zeros(19999));
        assert_eq!(same_text(&text, r#"{"a":0.1}"#), Some(true));
        assert_eq!(same_text(&text, r#"{"a":1}"#), Some(false));
        assert!(same_value(&text, &p(r#"{"a":0.1}"#).unwrap()));
        assert!(!same_value(&text, &p(r#"{"a":1}"#).unwrap()));
    }

    #[test]
    fn same_text_is_value_equality_or_unsure() {
        let (yes, no, unsure) = (Some(true), Some(false), None);
        let cases = [
            (r#"{"a":1,"b":[1,2]}"#, r#"{"a":1,"b":[1,2]}"#, yes),
            (r#"{"a":1,"b":[1,2]}"#, r#"{"b":[1,2],"a":1}"#, unsure),
            (r#"{"a":1}"#, r#"{"a":1.0}"#, yes),
            (r#"{"a":1}"#, r#"{"a":1.5}"#, no),
            (r#" {"a":-0}"#, r#"{"a":0} "#, yes),
            (r#"{"a":"\/"}"#, r#"{"a":"/"}"#, yes),
            (r#"{"\u0061":1}"#, r#"{"a":1}"#, yes),
            (r#"{"a":1}"#, r#"{"a":1,"b":2}"#, no),
            (r#"{"a":1,"b":2}"#, r#"{"a":1}"#, no),
            (r#"{"a":[1]}"#, r#"{"a":[1,2]}"#, no),
            (r#"{"a":[1,2]}"#, r#"{"a":[1]}"#, no),
            (r#"{"a":[]}"#, r#"{"a":{}}"#, no),
            (r#"{"a":{}}"#, r#"{"a":{}}"#, yes),
            (r#"{"a":[]}"#, r#"{"a":[0]}"#, no),
            (r#"{"a":[0]}"#, r#"{"a":[]}"#, no),
            (
                r#"{"a":[{"b":null}],"c":true}"#,
                r#"{"a":[{"b":null}],"c":true}"#,
                yes,
            ),
            (
                r#"{"a":[{"b":null}],"c":true}"#,
                r#"{"c":true,"a":[{"b":null}]}"#,
                unsure,
            ),
            (r#"{"a":[{"b":null}]}"#, r#"{"a":[{"b":false}]}"#, no),
            (r#"{"a":true}"#, r#"{"a":"true"}"#, no),
            (r#"{"a":null}"#, r#"{"a":false}"#, no),
            (r#"{"a":"x"}"#, r#"{"a":"y"}"#, no),
            (r#"{"a":1e2}"#, r#"{"a":100.0}"#, yes),
            (r#"{"a":1e2}"#, r#"{"a":100}"#, yes),
            (r#"{"a":-0}"#, r#"{"a":-0.0}"#, no),
            (r#"{"a":-0.0}"#, r#"{"a":0.0}"#, no),
            (r#"{"a":0.0}"#, r#"{"a":-0.0}"#, no),
            (r#"{"a":0.0}"#, r#"{"a":-0}"#, yes),
            (r#"{"a":-0.0}"#, r#"{"a":-0e5}"#, yes),
            (
                r#"{"a":72057594037927940}"#,
                r#"{"a":7.205759403792794e16}"#,
                yes,
            ),
            (
                r#"{"a":72057594037927936}"#,
                r#"{"a":7.205759403792794e16}"#,
                no,
            ),
            (
                r#"{"a":9223372036854775807}"#,
                r#"{"a":9223372036854775808}"#,
                no,
            ),
            (
                r#"{"a":9223372036854775808}"#,
                r#"{"a":9.223372036854776e18}"#,
                yes,
            ),
            (r#"{"b":1}"#, r#"{"a":1}"#, unsure),
            (r#"{"a":{"x":1,"y":2}}"#, r#"{"a":{"y":2,"x":1}}"#, unsure),
            (r#"{"a":"caf\u00e9"}"#, r#"{"a":"café"}"#, yes),
            (r#"{"a":"caf\u00e9"}"#, r#"{"a":"caf\u00e8"}"#, no),
            (r#"{"a":"x\/y"}"#, r#"{"a":"x\/z"}"#, no),
            (r#"{"\u0062":1,"c":2}"#, r#"{"b":1,"c":2}"#, yes),
            (r#"{"\u0062":1}"#, r#"{"c":1}"#, unsure),
        ];
        for (text, other, want) in cases {
            assert_eq!(same_text(text, other), want, "{text} {other}");
            if let Some(same) = want {
                assert_eq!(
                    php_same(&p(text).unwrap(), &p(other).unwrap()),
                    same,
                    "{text} {other}"
                );
            }
        }
    }

    #[test]
    fn unescaping() {
        let raw = r#"a\/b\u00e9\ud83d\ude00\n\"\\"#;
        assert_eq!(unescape(raw), "a/bé😀\n\"\\");
        let mut reader = Reader::from_text("\"a\\u00e9\" ", 8);
        assert_eq!(reader.string(), Ok(Cow::Owned("aé".to_owned())));
        let mut reader = Reader::from_text("\"plain\"", 8);
        assert_eq!(reader.string(), Ok(Cow::Borrowed("plain")));
    }

    #[test]
    fn same_value_is_value_equality() {
        let cases = [
            (r#"{"a":1,"b":[1,2]}"#, r#"{"b":[1,2],"a":1}"#, true),
            (r#"{"a":1}"#, r#"{"a":1.0}"#, true),
            (r#"{"a":1}"#, r#"{"a":1.5}"#, false),
            (r#"{"a":-0}"#, r#"{"a":0}"#, true),
            (r#"{"b":-0.0,"a":1}"#, r#"{"a":1,"b":0.0}"#, false),
            (r#"{"b":0.0,"a":1}"#, r#"{"a":1,"b":-0.0}"#, false),
            (r#"{"b":-0.0,"a":1}"#, r#"{"a":1,"b":-0.0}"#, true),
            (r#"{"b":0,"a":1}"#, r#"{"a":1,"b":0.0}"#, true),
            (r#"{"a":"\/"}"#, r#"{"a":"/"}"#, true),
            (r#"{"a":1}"#, r#"{"a":1,"b":2}"#, false),
            (r#"{"a":1,"b":2}"#, r#"{"a":1}"#, false),
            (r#"{"a":[1]}"#, r#"{"a":[1,2]}"#, false),
            (r#"{"a":[1,2]}"#, r#"{"a":[1]}"#, false),
            (r#"{"a":[]}"#, r#"{"a":{}}"#, false),
            (r#"{"a":{}}"#, r#"{"a":{}}"#, true),
            (
                r#"{"a":[{"b":null}],"c":true}"#,
                r#"{"c":true,"a":[{"b":null}]}"#,
                true,
            ),
            (r#"{"a":[{"b":null}]}"#, r#"{"a":[{"b":false}]}"#, false),
            (r#"{"a":"x"}"#, r#"{"a":"y"}"#, false),
            (r#"{"a":1e2}"#, r#"{"a":100.0}"#, true),
            (r#"{"b":1}"#, r#"{"a":1}"#, false),
        ];
        for (text, other, same) in cases {
            let expected = p(other).unwrap();
            assert_eq!(
                php_same(&p(text).unwrap(), &expected),
                same,
                "{text} {other}"
            );
            assert_eq!(same_value(text, &expected), same, "{text} {other}");
            assert_eq!(
                same_content(&p(text).unwrap(), &expected),
                same,
                "{text} {other}"
            );
        }
    }

    #[test]
    fn plain_runs() {
        for len in 0..40 {
            for stop in [b'"', b'\\', 0x00, 0x1f] {
                for at in 0..=len {
                    let mut bytes: Vec<u8> = (0..len).map(|i| b' ' + (i * 7 % 90) as u8).collect();
                    bytes.retain(|&b| b != b'"' && b != b'\\');
                    bytes.extend([0xc3, 0xa9, 0x7f, 0x20]);
                    let at = at.min(bytes.len());
                    bytes.insert(at, stop);
                    assert_eq!(plain_run(&bytes), at, "{bytes:?}");
                }
            }
            let clean = vec![b'a'; len];
            assert_eq!(plain_run(&clean), len);
        }
    }

    #[test]
    fn stack_spills_in_order() {
        let mut stack: Stack<usize> = Stack::new();
        for i in 0..20 {
            stack.push(i);
            assert_eq!(stack.last_mut(), Some(&mut i.clone()));
            assert_eq!(stack.len(), i + 1);
        }
        for i in (0..20).rev() {
            assert_eq!(stack.pop(), Some(i));
        }
        assert_eq!(stack.pop(), None);
        assert_eq!(stack.last_mut(), None);
        assert_eq!(stack.len(), 0);
        stack.push(7);
        assert_eq!(stack.pop(), Some(7));
    }

    #[test]
    fn invalid_utf8() {
        assert_eq!(
            parse(b"\"ab\xff\"", 8),
            Err(Problem::InvalidUtf8 { offset: 3 })
        );
    }
}
