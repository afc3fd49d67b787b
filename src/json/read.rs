//! The strict reader: a cursor over UTF-8 text with one iterative reading
//! loop that either builds a `serde_json::Value` or only checks.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use super::DEPTH_CEILING;
use super::keys::{KeyStack, OpenKeys};
use super::number::number_value;
use super::scan::plain_run;
use super::stack::Stack;
use crate::error::{Problem, Snippet};
use crate::php_encode::write_number;
use crate::php_encode::{Options, write_str_with};

/// What [`Reader::read`] does with what it reads.
trait Sink<'a> {
    /// Whether string and number values are wanted; if not, they are only
    /// checked.
    const STRINGS: bool;
    type Value;
    type Array;
    type Object;
    /// A key held until its member's value is read.
    type Key: Default;
    fn array(&mut self) -> Self::Array;
    fn push(&mut self, array: &mut Self::Array, value: Self::Value);
    fn end_array(&mut self, array: Self::Array) -> Self::Value;
    fn object(&mut self) -> Self::Object;
    /// Takes the key of the next member of `object`, or gives it back if
    /// `object` has it already.
    fn key(
        &mut self,
        object: &mut Self::Object,
        key: Cow<'a, str>,
    ) -> Result<Self::Key, Cow<'a, str>>;
    /// Adds the member whose key [`key`](Self::key) took.
    fn insert(&mut self, object: &mut Self::Object, key: Self::Key, value: Self::Value);
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
    type Key = Cow<'a, str>;
    fn key(
        &mut self,
        object: &mut Map<String, Value>,
        key: Cow<'a, str>,
    ) -> Result<Cow<'a, str>, Cow<'a, str>> {
        match object.contains_key(&*key) {
            true => Err(key),
            false => Ok(key),
        }
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
struct Check<'a> {
    keys: KeyStack<'a>,
}

impl<'a> Sink<'a> for Check<'a> {
    const STRINGS: bool = false;
    type Value = ();
    type Array = ();
    type Object = OpenKeys<'a>;
    fn array(&mut self) {}
    fn push(&mut self, _: &mut (), _: ()) {}
    fn end_array(&mut self, _: ()) {}
    fn object(&mut self) -> OpenKeys<'a> {
        self.keys.open()
    }
    /// Kept as soon as read: nothing to carry to [`insert`](Sink::insert).
    type Key = ();
    fn key(&mut self, object: &mut OpenKeys<'a>, key: Cow<'a, str>) -> Result<(), Cow<'a, str>> {
        self.keys.add(object, key)
    }
    fn insert(&mut self, _: &mut OpenKeys<'a>, _: (), _: ()) {}
    fn end_object(&mut self, object: OpenKeys<'a>) {
        self.keys.close(object);
    }
    fn string(&mut self, _: Cow<'a, str>) {}
    fn number(&mut self, _: Number) {}
    fn bool(&mut self, _: bool) {}
    fn null(&mut self) {}
}

/// Writes what it reads as PHP's `json_encode` with its options would: the
/// bytes the canonical writer gives for the `Value` [`Build`] makes, with
/// no `Value` made. Notes whether an object is one PHP reads as a list
/// (empty, or keyed `"0"`, `"1"`, ... in order). Keeps no keys: the caller
/// has checked the text ([`Reader::skip`]) first, duplicates included.
struct Canon<'o> {
    out: &'o mut Vec<u8>,
    options: Options,
    list: bool,
}

impl Canon<'_> {
    /// Closes a container: drops the `,` after its last element, if any.
    fn close(&mut self, byte: u8) {
        if self.out.last() == Some(&b',') {
            self.out.pop();
        }
        self.out.push(byte);
    }
}

/// An object being written: how many members it has had, while all were
/// keyed `"0"`, `"1"`, ... in order; `None` once one was not.
type ListKeys = Option<usize>;

/// Whether `key` is the `index`-th key of a PHP list.
pub(crate) fn list_key(key: &str, index: usize) -> bool {
    key == itoa::Buffer::new().format(index)
}

impl<'a> Sink<'a> for Canon<'_> {
    const STRINGS: bool = true;
    type Value = ();
    type Array = ();
    type Object = ListKeys;
    fn array(&mut self) {
        self.out.push(b'[');
    }
    fn push(&mut self, _: &mut (), _: ()) {
        self.out.push(b',');
    }
    fn end_array(&mut self, _: ()) {
        self.close(b']');
    }
    fn object(&mut self) -> ListKeys {
        self.out.push(b'{');
        Some(0)
    }
    type Key = ();
    fn key(&mut self, object: &mut ListKeys, key: Cow<'a, str>) -> Result<(), Cow<'a, str>> {
        *object = object.filter(|&i| list_key(&key, i)).map(|i| i + 1);
        write_str_with(&key, self.options, self.out);
        self.out.push(b':');
        Ok(())
    }
    fn insert(&mut self, _: &mut ListKeys, _: (), _: ()) {
        self.out.push(b',');
    }
    fn end_object(&mut self, object: ListKeys) {
        self.list |= object.is_some();
        self.close(b'}');
    }
    fn string(&mut self, s: Cow<'a, str>) {
        write_str_with(&s, self.options, self.out);
    }
    fn number(&mut self, n: Number) {
        write_number(&n, self.out);
    }
    fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true".as_slice() } else { b"false" });
    }
    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }
}

/// A cursor over UTF-8 checked JSON text.
pub(crate) struct Reader<'a> {
    pub(super) text: &'a str,
    bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) max_depth: usize,
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

    fn syntax(&self, expected: &'static str) -> Problem {
        Problem::Syntax {
            offset: self.pos,
            expected,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
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
        self.read(
            depth,
            &mut Check {
                keys: KeyStack::new(),
            },
        )
    }

    /// Reads a value of text [`skip`](Self::skip) has passed and appends
    /// PHP's `json_encode` of it under `options` to `out`, building no
    /// `Value`; returns whether any object in it reads as a PHP list.
    pub(crate) fn write_canonical(
        &mut self,
        depth: usize,
        options: Options,
        out: &mut Vec<u8>,
    ) -> Result<bool, Problem> {
        let mut sink = Canon {
            out,
            options,
            list: false,
        };
        self.read(depth, &mut sink)?;
        Ok(sink.list)
    }

    /// The one reading loop behind [`value`](Self::value),
    /// [`skip`](Self::skip) and [`write_canonical`](Self::write_canonical),
    /// so all refuse exactly the same inputs.
    ///
    /// Iterative, with an explicit stack of the containers being built, so
    /// no nesting depth can overflow the call stack whatever limit the
    /// caller sets; the limit is checked before each container is opened.
    fn read<S: Sink<'a>>(&mut self, depth: usize, sink: &mut S) -> Result<S::Value, Problem> {
        /// A container being read, with the key of the member being read.
        enum Open<'a, S: Sink<'a>> {
            Array(S::Array),
            Object(S::Object, S::Key),
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
                    let mut object = sink.object();
                    if self.next_is(b'}') {
                        self.pos += 1;
                        sink.end_object(object)
                    } else {
                        let key = self.member_key()?;
                        let key = sink.key(&mut object, key).map_err(duplicate)?;
                        open.push(Open::Object(object, key));
                        continue 'value;
                    }
                }
                Some(b'"') if S::STRINGS => {
                    let s = self.string()?;
                    sink.string(s)
                }
                Some(b'"') => {
                    self.skip_string()?;
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
                                *key = sink.key(map, next).map_err(duplicate)?;
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

    pub(super) fn literal(&mut self, word: &'static str) -> Result<(), Problem> {
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
    pub(super) fn check_number(&mut self) -> Result<&'a str, Problem> {
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
    pub(super) fn raw_string(&mut self) -> Result<(&'a str, bool), Problem> {
        let (start, escaped) = self.skip_string()?;
        Ok((&self.text[start..self.pos - 1], escaped))
    }

    /// Checks a string literal as [`raw_string`](Self::raw_string) does
    /// (same errors), leaving the reader after its closing quote; returns
    /// where its text starts, and whether it has escapes.
    fn skip_string(&mut self) -> Result<(usize, bool), Problem> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut pos = start;
        let mut escaped = false;
        loop {
            // Most of a string needs no look (`plain_run` skips it).
            pos += plain_run(&bytes[pos..]);
            match bytes.get(pos) {
                Some(b'"') => {
                    self.pos = pos + 1;
                    return Ok((start, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    // The escapes a string is full of (`\/`, and `\u` of a
                    // character outside the surrogates) are checked here;
                    // every other escape, and every error, by `escape`.
                    let next = bytes.get(pos + 1).copied().unwrap_or(0);
                    if SIMPLE_ESCAPE[usize::from(next)] {
                        pos += 2;
                    } else if next == b'u'
                        && let Some(len) = unicode_escape_len(bytes, pos)
                    {
                        pos += len;
                    } else {
                        self.pos = pos + 1;
                        self.escape(None)?;
                        pos = self.pos;
                    }
                }
                None => {
                    self.pos = pos;
                    return Err(self.syntax("`\"` closing the string"));
                }
                Some(_) => {
                    self.pos = pos;
                    return Err(self.syntax("no raw control character"));
                }
            }
        }
    }

    /// Reads the escape after a `\\`, pushing its character to `out`.
    pub(super) fn escape(&mut self, out: Option<&mut String>) -> Result<(), Problem> {
        let c = match self.peek().map(|b| (b, simple_escape(b))) {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
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
            let d = self.peek().map_or(0xff, |b| HEX[usize::from(b)]);
            if d == 0xff {
                return Err(self.syntax("four hex digits"));
            }
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

/// The error for a key its object already has.
fn duplicate(key: Cow<'_, str>) -> Problem {
    Problem::DuplicateKey {
        key: Snippet::new(&key),
    }
}

/// The character of the one-character escape `\\` `b`, if `b` makes one.
const fn simple_escape(b: u8) -> Option<char> {
    match b {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    }
}

/// [`simple_escape`] as a table, for the string loop.
static SIMPLE_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = simple_escape(b as u8).is_some();
        b += 1;
    }
    table
};

/// The value of each byte as a hex digit, 0xff if it is not one.
static HEX: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = match i as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => 0xff,
        };
        i += 1;
    }
    table
};

/// The four hex digits at `at`, if there are four.
fn hex4_at(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let digit = |i: usize| HEX[usize::from(digits[i])];
    let (a, b, c, d) = (digit(0), digit(1), digit(2), digit(3));
    if (a | b | c | d) & 0x80 != 0 {
        return None;
    }
    Some(u32::from(a) << 12 | u32::from(b) << 8 | u32::from(c) << 4 | u32::from(d))
}

/// The length of the valid `\\u` escape at `at`: six bytes for a
/// character outside the surrogates, twelve for a surrogate pair; `None`
/// for anything else, left to [`Reader::escape`] to refuse or read.
fn unicode_escape_len(bytes: &[u8], at: usize) -> Option<usize> {
    match hex4_at(bytes, at + 2)? {
        0xD800..=0xDBFF => {
            let low = bytes.get(at + 6..at + 8) == Some(b"\\u")
                && hex4_at(bytes, at + 8).is_some_and(|c| (0xDC00..=0xDFFF).contains(&c));
            low.then_some(12)
        }
        0xDC00..=0xDFFF => None,
        _ => Some(6),
    }
}

/// The text of a string literal whose escapes [`Reader::raw_string`] has
/// checked, unescaped: one allocation, sized for the raw text (never
/// shorter than the result).
pub(super) fn unescape(raw: &str) -> String {
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
