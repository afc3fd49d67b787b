//! The machine id the official SDKs bind licenses to (`hardware_id`), as
//! each computes it, so a Rust client keeps the activations a PHP or Node
//! client made on the same machine.
//!
//! Both take the first 32 hex digits of SHA-256 over the sorted
//! identifiers joined by `|`; they differ in the identifiers and the sort:
//!
//! - PHP SDK (`LicenseClient::generateHardwareId`): `php_uname('n')`
//!   (the node name), `php_uname('m')` (the machine), then on Linux the
//!   `trim`med content of `/etc/machine-id` and of
//!   `/var/lib/dbus/machine-id`, each that exists; `sort()` (PHP 8's
//!   comparison: two numeric strings compare as numbers, else as bytes;
//!   stable).
//! - JS SDK (`generateHardwareId`): Node's `os.hostname()`,
//!   `os.platform()` and `os.arch()`, then on Linux only the first of
//!   those two files that exists, `trim`med as JavaScript trims;
//!   `Array.prototype.sort()` (UTF-16 code units).
//!
//! This machine's identifiers are read as PHP and Node read them on Linux:
//! the node name from `/proc/sys/kernel/hostname` (the `uname` node name
//! of this UTS namespace, which `gethostname` also returns), the machine
//! from `/proc/sys/kernel/arch` (the `uname` machine; `uname -m` where the
//! kernel lacks that file), Node's platform and arch from the target this
//! crate was built for (Node reports its own build's). Both are tested on
//! Linux against `php -r` and `node -e` running the SDKs' steps. On
//! Windows and macOS the SDKs read the system UUID (`wmic`, `ioreg`); that
//! is not implemented here: [`hardware_id`] returns
//! [`HardwareIdError::Unsupported`] there, and [`combine_identifiers`]
//! does the SDKs' last step over identifiers the caller read.

use std::cmp::Ordering;
use std::fmt;
use std::io;

use super::verify::sha256_hex;

/// Which SDK's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sdk {
    /// The PHP SDK's `generateHardwareId()`.
    Php,
    /// The JS (Node) SDK's `generateHardwareId()`.
    Node,
}

/// Why this machine's id could not be computed.
#[derive(Debug)]
#[non_exhaustive]
pub enum HardwareIdError {
    /// Not Linux: the SDKs read the system UUID there, which this crate
    /// does not.
    Unsupported,
    /// An identifier could not be read.
    Io {
        /// What was being read.
        what: &'static str,
        /// Why.
        error: io::Error,
    },
}

impl fmt::Display for HardwareIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HardwareIdError::Unsupported => f.write_str(
                "the SDKs' hardware id is computed here on Linux only (elsewhere they read the system UUID)",
            ),
            HardwareIdError::Io { what, error } => write!(f, "cannot read {what}: {error}"),
        }
    }
}

impl std::error::Error for HardwareIdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HardwareIdError::Io { error, .. } => Some(error),
            HardwareIdError::Unsupported => None,
        }
    }
}

const MACHINE_IDS: [&str; 2] = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

/// This machine's hardware id as `sdk` computes it (Linux only).
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use respsig::state::{Sdk, hardware_id};
/// let id = hardware_id(Sdk::Php)?;
/// assert_eq!(id.len(), 32);
/// assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
/// # }
/// # Ok::<(), respsig::state::HardwareIdError>(())
/// ```
pub fn hardware_id(sdk: Sdk) -> Result<String, HardwareIdError> {
    if !cfg!(target_os = "linux") {
        return Err(HardwareIdError::Unsupported);
    }
    let identifiers = match sdk {
        Sdk::Php => php_identifiers()?,
        Sdk::Node => node_identifiers()?,
    };
    Ok(combine_identifiers(sdk, identifiers))
}

/// The SDKs' last step: sort `identifiers` as `sdk`'s language sorts,
/// join with `|`, SHA-256, the first 32 lowercase hex digits. Node's
/// identifiers are text; bytes that are not UTF-8 are read as Node reads
/// them (U+FFFD).
///
/// ```
/// use respsig::state::{Sdk, combine_identifiers};
/// let ids = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
/// // PHP compares numeric strings as numbers: "10" after "9".
/// let php = combine_identifiers(Sdk::Php, ids(&["10", "9"]));
/// assert_eq!(php, combine_identifiers(Sdk::Node, ids(&["9|10"])));
/// ```
pub fn combine_identifiers(sdk: Sdk, identifiers: Vec<Vec<u8>>) -> String {
    let joined = match sdk {
        Sdk::Php => php_sort(identifiers).join(&b'|'),
        Sdk::Node => {
            let mut texts: Vec<String> = identifiers
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            texts.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            texts.join("|").into_bytes()
        }
    };
    let mut hex = sha256_hex(&joined);
    hex.truncate(32);
    hex
}

fn read(path: &'static str) -> Result<Vec<u8>, HardwareIdError> {
    std::fs::read(path).map_err(|error| HardwareIdError::Io { what: path, error })
}

/// The `uname` node name: `/proc/sys/kernel/hostname`, without its line end.
fn node_name() -> Result<Vec<u8>, HardwareIdError> {
    let mut name = read("/proc/sys/kernel/hostname")?;
    if name.last() == Some(&b'\n') {
        name.pop();
    }
    Ok(name)
}

/// The `uname` machine: `/proc/sys/kernel/arch`, else `uname -m`.
fn machine() -> Result<Vec<u8>, HardwareIdError> {
    let mut machine = match std::fs::read("/proc/sys/kernel/arch") {
        Ok(bytes) => bytes,
        Err(_) => {
            std::process::Command::new("uname")
                .arg("-m")
                .output()
                .map_err(|error| HardwareIdError::Io {
                    what: "uname -m",
                    error,
                })?
                .stdout
        }
    };
    if machine.last() == Some(&b'\n') {
        machine.pop();
    }
    Ok(machine)
}

fn php_identifiers() -> Result<Vec<Vec<u8>>, HardwareIdError> {
    let mut ids = vec![node_name()?, machine()?];
    for path in MACHINE_IDS {
        if std::path::Path::new(path).exists() {
            ids.push(php_trim(&read(path)?).to_vec());
        }
    }
    Ok(ids)
}

fn node_identifiers() -> Result<Vec<Vec<u8>>, HardwareIdError> {
    let mut ids = vec![
        node_name()?,
        b"linux".to_vec(),
        node_arch().as_bytes().to_vec(),
    ];
    // Only the first that exists; a read error adds nothing (the SDK
    // catches it).
    if let Some(path) = MACHINE_IDS
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        && let Ok(bytes) = std::fs::read(path)
    {
        let text = String::from_utf8_lossy(&bytes);
        ids.push(js_trim(&text).as_bytes().to_vec());
    }
    Ok(ids)
}

/// Node's `os.arch()` for the target this crate was built for.
fn node_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "x86" => "ia32",
        "aarch64" => "arm64",
        "arm" => "arm",
        "powerpc64" => "ppc64",
        "powerpc" => "ppc",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loongarch64" => "loong64",
        "mips" if cfg!(target_endian = "little") => "mipsel",
        "mips" => "mips",
        other => other,
    }
}

/// PHP's `trim`: " \t\n\r\0\x0B" off both ends.
fn php_trim(bytes: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x0b);
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// JavaScript's `String.prototype.trim`: white space and line terminators
/// (Unicode's White_Space less U+0085, plus U+FEFF).
fn js_trim(text: &str) -> &str {
    text.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
}

/// PHP's `sort()` of strings (PHP 8: stable, the default comparison).
/// Up to four elements (all Linux ever has) it runs `zend_sort`'s own
/// networks for two, three and four, so even comparisons that are not
/// transitive (numbers against text) come out as PHP's; beyond, a stable
/// sort with the same comparison.
fn php_sort(mut items: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    // Ties fall back to the original position, as PHP 8's stable sort does.
    let mut v: Vec<(usize, Vec<u8>)> = items.drain(..).enumerate().collect();
    let gt = |a: &(usize, Vec<u8>), b: &(usize, Vec<u8>)| {
        php_compare(&a.1, &b.1).then(a.0.cmp(&b.0)) == Ordering::Greater
    };
    match v.len() {
        0 | 1 => {}
        2 => {
            if gt(&v[0], &v[1]) {
                v.swap(0, 1);
            }
        }
        3 => sort3(&mut v, 0, &gt),
        4 => {
            sort3(&mut v, 0, &gt);
            if gt(&v[2], &v[3]) {
                v.swap(2, 3);
                if gt(&v[1], &v[2]) {
                    v.swap(1, 2);
                    if gt(&v[0], &v[1]) {
                        v.swap(0, 1);
                    }
                }
            }
        }
        _ => v.sort_by(|a, b| php_compare(&a.1, &b.1)),
    }
    v.into_iter().map(|(_, item)| item).collect()
}

/// `zend_sort_3` on `v[at..at + 3]`.
fn sort3<T>(v: &mut [T], at: usize, gt: &impl Fn(&T, &T) -> bool) {
    let (a, b, c) = (at, at + 1, at + 2);
    if !gt(&v[a], &v[b]) {
        if !gt(&v[b], &v[c]) {
            return;
        }
        v.swap(b, c);
        if gt(&v[a], &v[b]) {
            v.swap(a, b);
        }
        return;
    }
    if !gt(&v[c], &v[b]) {
        v.swap(a, c);
        return;
    }
    v.swap(a, b);
    if gt(&v[b], &v[c]) {
        v.swap(b, c);
    }
}

/// A numeric string as PHP 8 reads it (`is_numeric_string_ex`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Numeric {
    Long(i64),
    /// The value, and the side an integer overflowed to (0 if none).
    Double(f64, i8),
}

fn php_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn php_numeric(s: &[u8]) -> Option<Numeric> {
    let start = s.iter().position(|&b| !php_blank(b))?;
    let end = s
        .iter()
        .rposition(|&b| !php_blank(b))
        .map_or(start, |i| i + 1);
    let t = &s[start..end];
    let mut i = 0;
    let negative = t.first() == Some(&b'-');
    if matches!(t.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while t.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = &t[int_start..i];
    let mut fraction = false;
    let mut digits = int_digits.len();
    if t.get(i) == Some(&b'.') {
        let after = i + 1;
        let mut j = after;
        while t.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        // "1." is numeric; "." alone or ".e1" is not.
        if int_digits.is_empty() && j == after {
            return None;
        }
        digits += j - after;
        fraction = true;
        i = j;
    }
    if digits == 0 {
        return None;
    }
    let mut exponent = false;
    if matches!(t.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(t.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exp_start = j;
        while t.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == exp_start {
            return None;
        }
        exponent = true;
        i = j;
    }
    if i != t.len() {
        return None;
    }
    let text = std::str::from_utf8(t).ok()?;
    let double = || text.parse::<f64>().ok();
    let significant = int_digits
        .iter()
        .position(|&b| b != b'0')
        .map_or(&int_digits[..0], |p| &int_digits[p..]);
    let oflow = if negative { -1 } else { 1 };
    // Twenty integer digits or more: a double that overflowed, whatever
    // follows them.
    if significant.len() >= 20 {
        return Some(Numeric::Double(double()?, oflow));
    }
    if fraction || exponent {
        return Some(Numeric::Double(double()?, 0));
    }
    let magnitude: u64 = std::str::from_utf8(significant).ok()?.parse().unwrap_or(0);
    let limit = if negative {
        1u64 << 63
    } else {
        (1u64 << 63) - 1
    };
    if magnitude > limit {
        return Some(Numeric::Double(double()?, oflow));
    }
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)?
    } else {
        i64::try_from(magnitude).ok()?
    };
    Some(Numeric::Long(value))
}

/// PHP 8's comparison of two strings (`zendi_smart_strcmp`).
fn php_compare(a: &[u8], b: &[u8]) -> Ordering {
    let (Some(x), Some(y)) = (php_numeric(a), php_numeric(b)) else {
        return a.cmp(b);
    };
    let as_f64 = |n: Numeric| match n {
        Numeric::Long(l) => l as f64,
        Numeric::Double(d, _) => d,
    };
    let oflow = |n: Numeric| match n {
        Numeric::Double(_, o) => o,
        Numeric::Long(_) => 0,
    };
    let (o1, o2) = (oflow(x), oflow(y));
    if o1 != 0 && o1 == o2 && as_f64(x) - as_f64(y) == 0.0 {
        return a.cmp(b);
    }
    match (x, y) {
        (Numeric::Long(l1), Numeric::Long(l2)) => l1.cmp(&l2),
        (Numeric::Long(_), Numeric::Double(_, o)) if o != 0 => {
            if o > 0 {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Numeric::Double(_, o), Numeric::Long(_)) if o != 0 => {
            if o > 0 {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        _ => {
            let (d1, d2) = (as_f64(x), as_f64(y));
            if d1 == d2 && !d1.is_finite() {
                return a.cmp(b);
            }
            let diff = d1 - d2;
            if diff > 0.0 {
                Ordering::Greater
            } else if diff < 0.0 {
                Ordering::Less
            } else {
                // Equal, or NaN (PHP's ZEND_NORMALIZE_BOOL of NaN is 0).
                Ordering::Equal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_strings() {
        assert_eq!(php_numeric(b"123"), Some(Numeric::Long(123)));
        assert_eq!(php_numeric(b" -7 \n"), Some(Numeric::Long(-7)));
        assert_eq!(php_numeric(b"1e3"), Some(Numeric::Double(1000.0, 0)));
        assert_eq!(php_numeric(b"1."), Some(Numeric::Double(1.0, 0)));
        assert_eq!(php_numeric(b".5"), Some(Numeric::Double(0.5, 0)));
        assert_eq!(
            php_numeric(b"-9223372036854775808"),
            Some(Numeric::Long(i64::MIN))
        );
        assert_eq!(
            php_numeric(b"9223372036854775808"),
            Some(Numeric::Double(9_223_372_036_854_775_808.0, 1))
        );
        for not in [
            &b""[..],
            b" ",
            b".",
            b"1e",
            b"1e+",
            b"abc",
            b"0x1A",
            b"1 2",
            b"e5",
            b"+",
        ] {
            assert_eq!(php_numeric(not), None, "{not:?}");
        }
    }

    #[test]
    fn trims() {
        assert_eq!(php_trim(b"\0 \x0bab c\t\r\n"), b"ab c");
        assert_eq!(php_trim(b"\x0c1"), b"\x0c1");
        assert_eq!(js_trim("\u{feff}\u{a0}x\u{2028}"), "x");
        assert_eq!(js_trim("\u{85}x"), "\u{85}x");
    }
}
