//! Whether two JSON values are what PHP's `json_encode` writes as the same
//! bytes, member order aside: one engine over two values
//! ([`same_content`]), and a token-by-token fast path over two texts
//! ([`same_text`]) for the verify path, where the two texts almost always
//! list their members in the same order.

use std::borrow::Cow;

use serde_json::Value;

use super::number::{number_value, same_number};
use super::read::{Reader, unescape};
use super::stack::Stack;
use super::{DEPTH_CEILING, parse};

/// Compares two JSON texts token by token, `a` already read without error
/// by [`Reader::skip`]: `Some(true)` if PHP writes them as the same bytes
/// (numbers by [`same_number`]), `Some(false)` if it does not, `None` if an
/// object lists its keys in another order (the caller then compares as
/// maps, [`same_value`]). `b` may be unchecked: every token of `b` is read
/// with the reader's checks, so `Some(true)` also means `b` is valid JSON
/// with `a`'s keys and nesting; `None` or `Some(false)` say nothing about
/// `b`'s validity.
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
    // `b` may be unchecked: a key must start here.
    if a.peek() != Some(b'"') || b.peek() != Some(b'"') {
        return None;
    }
    let same = same_string(a, b)?;
    a.eat(b':', "`:`").ok()?;
    b.eat(b':', "`:`").ok()?;
    Some(same)
}

/// Whether `text`, a JSON value already read without error by
/// [`Reader::skip`] (so its keys are unique), is what PHP writes as the
/// same bytes as `expected`, member order aside: [`same_content`] of the
/// value read from `text`. Only where [`same_text`] cannot tell (keys in
/// another order), which the server does not do: not worth a second engine.
pub(crate) fn same_value(text: &str, expected: &Value) -> bool {
    parse(text.as_bytes(), DEPTH_CEILING).is_ok_and(|value| same_content(&value, expected))
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
