//! PHP's number writing, as `json_encode` writes numbers under
//! `serialize_precision = -1`: integers as they are, floats in their
//! shortest round-trip digits. Used by the canonical writer and by the JSON
//! reader's comparison of numbers, so both agree on what a number is.

use serde_json::Number;

pub(crate) fn write_number(n: &Number, out: &mut Vec<u8>) {
    if let Some(i) = n.as_i64() {
        out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    } else if let Some(u) = n.as_u64() {
        // Above i64::MAX: PHP reads it as a float (round to nearest).
        write_float(u as f64, out);
    } else if let Some(f) = n.as_f64() {
        write_float(f, out);
    }
}

/// PHP's `smart_str_append_double(..., precision = 17, zero_frac = false)`
/// with `serialize_precision = -1`: the shortest digits that round-trip
/// (`zend_gcvt` over `zend_dtoa` mode 0), fixed notation while the decimal
/// exponent `x` (value = d.ddd * 10^x) satisfies -4 <= x < 17, otherwise
/// `d.ddde+X` with at least one fractional digit.
///
/// The digits come from Ryu, which picks what mode 0 picks: the shortest
/// digits that read back as `f`, of those the nearest to `f`, and of two
/// equally near the one with the even last digit (`1658206780088562.25`
/// is `...562.2`).
pub(crate) fn write_float(f: f64, out: &mut Vec<u8>) {
    if f.is_sign_negative() {
        out.push(b'-');
    }
    if f == 0.0 {
        out.push(b'0');
        return;
    }
    let mut ryu = ryu::Buffer::new();
    let (digits, exp) = Shortest::of(ryu.format_finite(f.abs()).as_bytes());
    let digits = digits.as_slice();

    if !(-4..17).contains(&exp) {
        out.push(digits[0]);
        out.push(b'.');
        if digits.len() > 1 {
            out.extend_from_slice(&digits[1..]);
        } else {
            out.push(b'0');
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        out.extend_from_slice(itoa::Buffer::new().format(exp.unsigned_abs()).as_bytes());
    } else if exp < 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
        out.extend_from_slice(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', int_len - digits.len()));
        } else {
            out.extend_from_slice(&digits[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    }
}

/// The significant digits of a positive double's shortest form (at most
/// 17, no leading or trailing zeros, at least one).
struct Shortest {
    digits: [u8; Shortest::MAX],
    len: usize,
}

impl Shortest {
    /// Ryu writes at most 17 significant digits, and in its fixed form at
    /// most 16 before the point plus one `0` after it.
    const MAX: usize = 24;

    /// Reads Ryu's text of a finite positive double (`1e17`, `1.2345e17`,
    /// `5e-324`, `0.001`, `100.0`, `123.45`): its significant digits, and
    /// the decimal exponent `x` of the first (value = d.ddd * 10^x).
    fn of(text: &[u8]) -> (Shortest, i32) {
        let (mantissa, exp) = match text.iter().position(|&b| b == b'e') {
            Some(at) => (&text[..at], parse_exponent(&text[at + 1..])),
            None => (text, 0),
        };
        let point = mantissa
            .iter()
            .position(|&b| b == b'.')
            .unwrap_or(mantissa.len());
        let mut shortest = Shortest {
            digits: [b'0'; Shortest::MAX],
            len: 0,
        };
        let mut first = None;
        for (i, &b) in mantissa.iter().enumerate() {
            if b == b'.' || (first.is_none() && b == b'0') {
                continue;
            }
            first.get_or_insert(i);
            if let Some(slot) = shortest.digits.get_mut(shortest.len) {
                *slot = b;
                shortest.len += 1;
            }
        }
        while shortest.len > 1 && shortest.digits[shortest.len - 1] == b'0' {
            shortest.len -= 1;
        }
        let first = first.unwrap_or(0);
        // Positions are small (under 30): no overflow.
        let x = if first < point {
            exp + (point - first - 1) as i32
        } else {
            exp - (first - point) as i32
        };
        shortest.len = shortest.len.max(1);
        (shortest, x)
    }

    fn as_slice(&self) -> &[u8] {
        &self.digits[..self.len]
    }
}

/// Ryu's exponent: `-324`..`308`.
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let magnitude = digits.iter().fold(0i32, |acc, &d| {
        acc.saturating_mul(10)
            .saturating_add(i32::from(d.wrapping_sub(b'0') % 10))
    });
    if negative { -magnitude } else { magnitude }
}
