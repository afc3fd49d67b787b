//! The canonical form: the exact bytes of PHP's `json_encode($value)` with
//! default flags, which is what the server base64-encodes and signs.
//!
//! The rules (`docs/PROTOCOL.md` in the repository, checked against PHP
//! itself by the test suite): compact; members in their order; `/`
//! escaped as `\/`; `\b \f \n \r \t` as such, other control characters
//! as `\u00XX`, every non-ASCII character as lowercase `\uXXXX`
//! (surrogate pairs above U+FFFF), U+007F raw; integers as plain integers;
//! floats in PHP's shortest round-trip form (`serialize_precision = -1`),
//! exponent form from 1e17 up and below 1e-4.
//!
//! [`Options`] selects two of PHP's flags, for formats that the server or
//! SDK encode with them (the signed-JSON offline license uses both):
//! `JSON_UNESCAPED_SLASHES` writes `/` as is, `JSON_UNESCAPED_UNICODE`
//! writes non-ASCII characters as raw UTF-8, except U+2028 and U+2029,
//! which PHP still escapes (`\u2028`, `\u2029`) unless
//! `JSON_UNESCAPED_LINE_TERMINATORS` is also given (not offered here).
//!
//! A `serde_json::Value` integer above `i64::MAX` (a `u64`) is written as a
//! float, because PHP has no unsigned integers and reads such a literal as a
//! float.
//!
//! One edge, shared with PHP: the float `-0.0` is written `-0`, which reads
//! back as the integer `0` and is then written `0`. So canonicalizing twice
//! turns every `-0.0` into `0`; after that the bytes are a fixed point
//! (`tests/it/canonical_php.rs` checks both steps against PHP).
//!
//! # Reading numbers as PHP does
//!
//! [`read`] (and so [`canonicalize`], the CLI's `sign`, and the content
//! check of `verify`) reads a number literal as PHP's `json_decode` does:
//! an integer literal that fits 64 bits is an integer, everything else the
//! correctly rounded double, except that PHP's reader (`zend_strtod`) takes
//! an exponent written above 19999 in magnitude as 19999 before it counts
//! the digits after the point. So, as in PHP 8.2:
//!
//! | literal | reads as |
//! |---|---|
//! | `0.<19999 zeros>1e20000` | `0.1` |
//! | `0.<30000 zeros>1e30001` | `0` |
//! | `0.<19990 zeros>1e20000` | `100000000` |
//! | `1<30000 zeros>e-30000` | infinity: refused ([`Problem::NumberOutOfRange`](crate::Problem::NumberOutOfRange)), where PHP's `json_encode` fails with "Inf and NaN cannot be JSON encoded" |
//!
//! # Objects stay objects
//!
//! The crate signs the JSON value it is given. PHP's server code decodes
//! request data into arrays (`json_decode($json, true)`), and a PHP array
//! is written as an object or a list by its keys alone: an empty map
//! becomes `[]` and a map with keys `"0"`, `"1"`, ... in order becomes a
//! list.
//!
//! ```text
//! php > echo json_encode(json_decode('{}', true));
//! []
//! php > echo json_encode(json_decode('{"0":"a","1":"b"}', true));
//! ["a","b"]
//! php > echo json_encode(json_decode('{}'));        // objects as stdClass
//! {}
//! ```
//!
//! Here `{}` stays `{}` and `{"0":"a","1":"b"}` stays an object (what
//! `json_decode` without `true` gives, as the last line): build the value
//! you want signed, `[]` or `{}`, as the server would send it.
//!
//! ```
//! assert_eq!(respsig::canonical::canonicalize(b"{}").unwrap(), b"{}");
//! assert_eq!(
//!     respsig::canonical::canonicalize(br#"{"0":"a","1":"b"}"#).unwrap(),
//!     br#"{"0":"a","1":"b"}"#
//! );
//! ```

use serde_json::Value;

use crate::error::{Error, Member};
use crate::{json, php_number};

/// The canonical bytes of `value`.
///
/// ```
/// let v = serde_json::json!({"url": "https://é.example/", "n": 1e17, "f": 0.1});
/// assert_eq!(
///     respsig::canonical::to_vec(&v),
///     br#"{"url":"https:\/\/\u00e9.example\/","n":1.0e+17,"f":0.1}"#
/// );
/// ```
pub fn to_vec(value: &Value) -> Vec<u8> {
    to_vec_with(value, Options::new())
}

/// Reads JSON text as PHP's `json_decode` would see it, strictly: an
/// integer literal that fits 64 bits stays an integer (`-0` is `0`), every
/// other number is a float (long exponents as PHP reads them, see the
/// [module docs](self)), duplicate keys and lone surrogates are errors,
/// nesting is limited to [`Limits::DEFAULT_MAX_DEPTH`](crate::Limits).
///
/// ```
/// let zeros = "0".repeat(19999);
/// let v = respsig::canonical::read(format!("[0.{zeros}1e20000]").as_bytes()).unwrap();
/// assert_eq!(v, serde_json::json!([0.1]));
/// ```
pub fn read(json_text: &[u8]) -> Result<Value, Error> {
    json::parse(json_text, crate::Limits::DEFAULT_MAX_DEPTH).map_err(|problem| Error::Malformed {
        member: Member::Document,
        problem,
    })
}

/// [`read`] then [`to_vec`]: the canonical bytes of a JSON text.
///
/// ```
/// assert_eq!(
///     respsig::canonical::canonicalize(br#"{ "a" : -0, "b" : 1E2 }"#).unwrap(),
///     br#"{"a":0,"b":100}"#
/// );
/// ```
pub fn canonicalize(json_text: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(to_vec(&read(json_text)?))
}

/// Which of PHP's `json_encode` flags the writer follows; the default is
/// none (PHP's default flags, what the server signs envelopes with).
///
/// ```
/// use respsig::canonical::{Options, to_vec_with};
/// let v = serde_json::json!({"url": "https://é.example/", "ls": "\u{2028}"});
/// assert_eq!(to_vec_with(&v, Options::new()), br#"{"url":"https:\/\/\u00e9.example\/","ls":"\u2028"}"#);
/// assert_eq!(
///     to_vec_with(&v, Options::new().unescaped_slashes(true).unescaped_unicode(true)),
///     r#"{"url":"https://é.example/","ls":"\u2028"}"#.as_bytes()
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Options {
    unescaped_slashes: bool,
    unescaped_unicode: bool,
}

impl Options {
    /// PHP's default flags.
    pub const fn new() -> Self {
        Options {
            unescaped_slashes: false,
            unescaped_unicode: false,
        }
    }

    /// `JSON_UNESCAPED_SLASHES`: `/` is written as is, not as `\/`.
    pub const fn unescaped_slashes(mut self, on: bool) -> Self {
        self.unescaped_slashes = on;
        self
    }

    /// `JSON_UNESCAPED_UNICODE`: non-ASCII characters are written as UTF-8,
    /// not as `\uXXXX`; U+2028 and U+2029 are still escaped, as PHP does.
    pub const fn unescaped_unicode(mut self, on: bool) -> Self {
        self.unescaped_unicode = on;
        self
    }

    /// `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`: what the PHP SDK
    /// re-encodes a signed-JSON offline license with before verifying it.
    pub const fn php_sdk_license() -> Self {
        Self::new().unescaped_slashes(true).unescaped_unicode(true)
    }
}

/// The bytes of PHP's `json_encode($value, flags)` for the flags in
/// `options` (with [`Options::unescaped_unicode`] they are UTF-8, not
/// ASCII).
pub fn to_vec_with(value: &Value, options: Options) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_value_with(value, options, &mut out);
    out
}

/// [`read`] then [`to_vec_with`].
///
/// ```
/// use respsig::canonical::{Options, canonicalize_with};
/// assert_eq!(
///     canonicalize_with(br#"{"a": "x/\u00e9"}"#, Options::new().unescaped_slashes(true)).unwrap(),
///     br#"{"a":"x/\u00e9"}"#
/// );
/// ```
pub fn canonicalize_with(json_text: &[u8], options: Options) -> Result<Vec<u8>, Error> {
    Ok(to_vec_with(&read(json_text)?, options))
}

/// Appends the bytes of `json_encode($value, flags)` to `out`, the flags
/// given by `options`.
pub(crate) fn write_value_with(value: &Value, options: Options, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => php_number::write_number(n, out),
        Value::String(s) => write_str_with(s, options, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value_with(item, options, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str_with(k, options, out);
                out.push(b':');
                write_value_with(v, options, out);
            }
            out.push(b'}');
        }
    }
}

/// A JSON string as PHP writes it with default flags.
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    write_str_with(s, Options::new(), out);
}

/// A JSON string as PHP writes it with the flags in `options`.
fn write_str_with(s: &str, options: Options, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '/' if options.unescaped_slashes => out.push(b'/'),
            '/' => out.extend_from_slice(b"\\/"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if options.unescaped_unicode
                && (c as u32) > 0x7f
                && !matches!(c, '\u{2028}' | '\u{2029}') =>
            {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.extend_from_slice(b"\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(crate::hex::DIGITS[usize::from((*unit >> shift) & 0xf)]);
                    }
                }
            }
            c => out.push(c as u8),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(f: f64) -> String {
        let mut out = Vec::new();
        crate::php_number::write_float(f, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// The examples `docs/PROTOCOL.md` quotes from PHP 8.2. The PHP
    /// comparison itself lives in `tests/it/canonical_php.rs`.
    #[test]
    #[allow(clippy::approx_constant)] // 3.14 is the protocol's own example
    fn protocol_float_examples() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(3.14), "3.14");
        assert_eq!(float(100.0), "100");
        assert_eq!(float(1e16), "10000000000000000");
        assert_eq!(float(1e17), "1.0e+17");
        assert_eq!(float(1.2345e17), "1.2345e+17");
        assert_eq!(float(1e-5), "1.0e-5");
        assert_eq!(float(0.0001), "0.0001");
        assert_eq!(float(5e-324), "5.0e-324");
        assert_eq!(float(-0.0), "-0");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(9223372036854775808.0), "9.223372036854776e+18");
    }

    /// Exact ties between two shortest candidates go to the even digit,
    /// as in PHP 8.2 (`php -r 'echo json_encode(1658206780088562.25);'`).
    #[test]
    #[allow(clippy::excessive_precision)] // the exact values are the point
    fn ties_go_to_the_even_digit() {
        assert_eq!(float(1658206780088562.25), "1658206780088562.2");
        assert_eq!(float(233115890514796.125), "233115890514796.12");
        assert_eq!(float(-1658206780088562.25), "-1658206780088562.2");
        // A tie whose even digit is also the rounded-up one.
        assert_eq!(float(1658206780088562.75), "1658206780088562.8");
        // Not a tie.
        assert_eq!(float(0.3), "0.3");
    }

    #[test]
    fn protocol_string_examples() {
        let v = serde_json::json!("a/\"\\\u{8}\u{c}\n\r\t\u{1}\u{7f}é😀");
        assert_eq!(
            String::from_utf8(to_vec(&v)).unwrap(),
            r#""a\/\"\\\b\f\n\r\t\u0001"#.to_owned() + "\u{7f}" + r#"\u00e9\ud83d\ude00""#
        );
    }

    #[test]
    fn u64_beyond_i64_is_a_float() {
        let v = serde_json::json!(9223372036854775808u64);
        assert_eq!(
            String::from_utf8(to_vec(&v)).unwrap(),
            "9.223372036854776e+18"
        );
    }
}
