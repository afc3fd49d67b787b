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
//!   an integer, and every other number as a correctly rounded `f64`
//!   (refusing literals that overflow to infinity, which PHP could never
//!   encode);
//! - refuses lone UTF-16 surrogates in `\u` escapes and invalid UTF-8.
//!
//! Its output is a `serde_json::Value` with member order kept.

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

    /// Reads a value; `depth` is the number of containers already open
    /// around it.
    ///
    /// Iterative, with an explicit stack of the containers being built, so
    /// no nesting depth can overflow the call stack whatever limit the
    /// caller sets; the limit is checked before each container is opened.
    pub(crate) fn value(&mut self, depth: usize) -> Result<Value, Problem> {
        /// A container being read, with the key of the member being read.
        enum Open {
            Array(Vec<Value>),
            Object(Map<String, Value>, String),
        }
        let mut open: Vec<Open> = Vec::new();
        'value: loop {
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    if self.next_is(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        open.push(Open::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.enter(depth + open.len())?;
                    self.pos += 1;
                    if self.next_is(b'}') {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = self.member_key()?;
                        open.push(Open::Object(Map::new(), key));
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                _ => return Err(self.syntax("a JSON value")),
            };
            // A value is complete: add it to its container, and close every
            // container that ends here.
            loop {
                match open.pop() {
                    None => return Ok(value),
                    Some(Open::Array(mut items)) => {
                        items.push(value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                open.push(Open::Array(items));
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                value = Value::Array(items);
                            }
                            _ => return Err(self.syntax("`,` or `]`")),
                        }
                    }
                    Some(Open::Object(mut map, key)) => {
                        map.insert(key, value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let key = self.member_key()?;
                                if map.contains_key(key.as_str()) {
                                    return Err(Problem::DuplicateKey {
                                        key: Snippet::new(&key),
                                    });
                                }
                                open.push(Open::Object(map, key));
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                value = Value::Object(map);
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
    fn member_key(&mut self) -> Result<String, Problem> {
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
        mut member: impl FnMut(&mut Self, String) -> Result<(), E>,
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

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, Problem> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
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

    fn number(&mut self) -> Result<Number, Problem> {
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
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax("a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.pos];
        if integral {
            // PHP: an integer literal that fits a signed 64-bit integer is
            // an integer (`-0` is 0); beyond that range it is a float.
            if let Ok(i) = literal.parse::<i64>() {
                return Ok(Number::from(i));
            }
        }
        let float: f64 = literal
            .parse()
            .map_err(|_| Problem::NumberOutOfRange { offset: start })?;
        Number::from_f64(float).ok_or(Problem::NumberOutOfRange { offset: start })
    }

    /// Reads a string literal, the reader at its opening quote.
    pub(crate) fn string(&mut self) -> Result<String, Problem> {
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.syntax("`\"` closing the string")),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(0x00..=0x1f) => return Err(self.syntax("no raw control character")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Problem> {
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
                out.push(char::from_u32(c).ok_or(self.syntax("a valid code point"))?);
                return Ok(());
            }
            _ => return Err(self.syntax("a valid escape")),
        };
        self.pos += 1;
        out.push(c);
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

    #[test]
    fn invalid_utf8() {
        assert_eq!(
            parse(b"\"ab\xff\"", 8),
            Err(Problem::InvalidUtf8 { offset: 3 })
        );
    }
}
