//! PHP's number semantics: how `json_decode` reads a number literal and
//! when `json_encode` writes two numbers as the same bytes.

use serde_json::Number;

use crate::error::Problem;

/// The value of a number literal (its grammar checked) that starts at
/// byte `start`, with PHP's semantics.
pub(super) fn number_value(literal: &str, start: usize) -> Result<Number, Problem> {
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
pub(super) fn same_number(a: &Number, b: &Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if a.is_f64() && b.is_f64() => x.to_bits() == y.to_bits(),
            _ => {
                let (mut x, mut y) = (Vec::new(), Vec::new());
                crate::php_number::write_number(a, &mut x);
                crate::php_number::write_number(b, &mut y);
                x == y
            }
        },
    }
}
