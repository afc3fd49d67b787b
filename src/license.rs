//! Offline license files (`.lic`).
//!
//! The format, as the server's official PHP SDK reads it: standard base64 of
//! a sequence of RSA blocks, each exactly the modulus length, each the
//! private-key operation over PKCS#1 v1.5 type-1 padded data (what OpenSSL
//! calls private-key encryption, PHP `openssl_private_encrypt`). Reading
//! applies the public key to each block, checks and strips the padding,
//! concatenates the data and reads it as a JSON object.
//!
//! There is no hash: what protects a block is its padding (`00 01`, at least
//! eight `FF` bytes, `00`) and that the recovered bytes must be valid JSON.
//! The reader checks all of it exactly, refuses a block that is not reduced
//! modulo `n`, and names the first block that fails.
//!
//! Base64 is strict (RFC 4648 alphabet, padding, zero trailing bits); line
//! breaks and surrounding whitespace, which files pick up in transit, are
//! removed first.

use num_bigint::BigUint;
use serde::Deserialize;

use crate::envelope::Limits;
use crate::error::{Error, LicenseProblem};
use crate::json;
use crate::keyring::Keyring;
use crate::verify::{self, Clock, SystemClock, Verified};

/// Fewest `FF` bytes in a type-1 padding (RFC 8017, 8 bytes).
const MIN_PADDING: usize = 8;

/// The usual fields of a license payload, for
/// [`Verified::deserialize`](crate::Verified::deserialize). Fields the
/// server leaves out are `None`; other fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct License {
    /// The license key.
    pub license_key: String,
    /// The product the license is for.
    #[serde(default)]
    pub product_uuid: Option<String>,
    /// The machine the license is bound to, if any.
    #[serde(default)]
    pub hardware_id: Option<String>,
    /// The domain the license is bound to, if any.
    #[serde(default)]
    pub domain: Option<String>,
    /// When the license expires: Unix seconds, `YYYY-MM-DD` or
    /// `YYYY-MM-DD HH:MM:SS` (UTC); `None` or `null` for never.
    #[serde(default)]
    pub expires_at: Option<Expiry>,
    /// Days between online checks.
    #[serde(default, rename = "licenseCheckInterval")]
    pub license_check_interval: Option<u32>,
    /// Days after which an online validation is required.
    #[serde(default, rename = "forceLicenseValidation")]
    pub force_license_validation: Option<u32>,
}

/// A license's expiry as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Expiry {
    /// Unix seconds.
    Unix(i64),
    /// A date (`YYYY-MM-DD`, the end of that day) or date and time
    /// (`YYYY-MM-DD HH:MM:SS`), UTC.
    Text(String),
}

impl Expiry {
    /// The last Unix second at which the license is still valid, or `None`
    /// when the text is not one of the accepted forms.
    pub fn last_valid_second(&self) -> Option<i64> {
        match self {
            Expiry::Unix(t) => Some(*t),
            Expiry::Text(text) => parse_utc(text),
        }
    }
}

/// The offline rules: expiry against a clock, and the binding to a machine
/// or domain when the caller gives one.
///
/// ```
/// # let lic = std::fs::read_to_string("testdata/license/openssl-2048.lic").unwrap();
/// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
/// use respsig::{FixedClock, Keyring, License, LicenseCheck, PublicKey};
/// let keyring = Keyring::new().with("product", PublicKey::from_pem(&pem)?)?;
/// let verified = keyring.verify_license(&lic)?;
/// let license: License = verified.deserialize()?;
/// LicenseCheck::new()
///     .hardware_id("HW-1234")
///     .clock(FixedClock(1_767_225_600)) // 2026-01-01
///     .check(&license)?;
/// # Ok::<(), respsig::Error>(())
/// ```
pub struct LicenseCheck {
    hardware_id: Option<String>,
    domain: Option<String>,
    clock: Box<dyn Clock>,
}

impl Default for LicenseCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl LicenseCheck {
    /// Expiry against the system clock, no binding.
    pub fn new() -> Self {
        LicenseCheck {
            hardware_id: None,
            domain: None,
            clock: Box::new(SystemClock),
        }
    }

    /// Require the license to be bound to this hardware id (exact match).
    pub fn hardware_id(mut self, id: &str) -> Self {
        self.hardware_id = Some(id.to_owned());
        self
    }

    /// Require the license to be bound to this domain (ASCII
    /// case-insensitive match).
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_owned());
        self
    }

    /// The clock expiry is checked against.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Applies the rules to a verified license.
    pub fn check(&self, license: &License) -> Result<(), Error> {
        if let Some(expiry) = &license.expires_at {
            let last = expiry
                .last_valid_second()
                .ok_or(LicenseProblem::BadExpiry)?;
            let now = self.clock.now_unix();
            if now > last {
                return Err(LicenseProblem::Expired {
                    expired_at: last,
                    now,
                }
                .into());
            }
        }
        if let Some(wanted) = &self.hardware_id
            && license.hardware_id.as_deref() != Some(wanted.as_str())
        {
            return Err(LicenseProblem::HardwareMismatch.into());
        }
        if let Some(wanted) = &self.domain
            && !license
                .domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(wanted))
        {
            return Err(LicenseProblem::DomainMismatch.into());
        }
        Ok(())
    }
}

impl Keyring {
    /// Reads and verifies an offline license file with the keys of this
    /// keyring, under the default [`Limits`].
    ///
    /// Every key is tried in name order; the key whose public operation
    /// turns the first block into correctly padded data is the one that
    /// must turn every other block into correctly padded data too. The
    /// result is a [`Verified`] like a verified response: the name and key
    /// that matched, the recovered bytes and the JSON object.
    pub fn verify_license(&self, file: impl AsRef<[u8]>) -> Result<Verified, Error> {
        verify_license(self, file.as_ref(), &Limits::default())
    }
}

fn verify_license(keyring: &Keyring, file: &[u8], limits: &Limits) -> Result<Verified, Error> {
    limits.check_len(file.len())?;
    let text: Vec<u8> = file
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let text = std::str::from_utf8(&text).map_err(|_| LicenseProblem::Base64)?;
    let blocks = verify::decode_base64(text).ok_or(LicenseProblem::Base64)?;
    if blocks.is_empty() {
        return Err(LicenseProblem::Empty.into());
    }

    let mut sized = false;
    for name in keyring.names() {
        for key in keyring.keys(name) {
            // License files are RSA blocks: an Ed25519 key cannot open one.
            let Some((n, e)) = key.components() else {
                continue;
            };
            let k = key.modulus_len();
            if blocks.len() % k != 0 {
                continue;
            }
            sized = true;
            let (n, e) = (BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
            // The first block decides whether this is the key.
            let Ok(first) = open_block(&n, &e, &blocks[..k], 0) else {
                continue;
            };
            let mut data = first;
            for (index, block) in blocks.chunks(k).enumerate().skip(1) {
                data.extend_from_slice(&open_block(&n, &e, block, index)?);
            }
            let payload = json::parse_nested(&data, limits.depth_limit(), 0)
                .map_err(|problem| Error::PayloadNotJson { problem })?;
            if !payload.is_object() {
                return Err(Error::PayloadNotJson {
                    problem: crate::error::Problem::NotAnObject,
                });
            }
            return Ok(verify::verified_license(name, key, data, payload));
        }
    }
    if !sized {
        return Err(LicenseProblem::Length { len: blocks.len() }.into());
    }
    Err(LicenseProblem::Padding { block: 0 }.into())
}

/// The public-key operation (`n`, `e`) on one block, then the type-1
/// padding check.
fn open_block(n: &BigUint, e: &BigUint, block: &[u8], index: usize) -> Result<Vec<u8>, Error> {
    let c = BigUint::from_bytes_be(block);
    if c >= *n {
        return Err(LicenseProblem::BlockOutOfRange { block: index }.into());
    }
    let m = c.modpow(e, n).to_bytes_be();
    // `m` has lost its leading zero bytes; the padded block is k bytes.
    let k = block.len();
    if m.len() != k - 1 || m[0] != 0x01 {
        return Err(LicenseProblem::Padding { block: index }.into());
    }
    let ff = m[1..].iter().take_while(|&&b| b == 0xff).count();
    let sep = 1 + ff;
    if ff < MIN_PADDING || m.get(sep) != Some(&0x00) {
        return Err(LicenseProblem::Padding { block: index }.into());
    }
    Ok(m[sep + 1..].to_vec())
}

/// `YYYY-MM-DD` (end of that day) or `YYYY-MM-DD HH:MM:SS`, UTC.
fn parse_utc(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(r)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() != 10 && b.len() != 19 {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (h, mi, s) = if b.len() == 19 {
        if b[10] != b' ' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        (digits(11..13)?, digits(14..16)?, digits(17..19)?)
    } else {
        (23, 59, 59)
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[(mo - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_utc("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_utc("1970-01-01"), Some(86_399));
        assert_eq!(parse_utc("2026-01-01 00:00:00"), Some(1_767_225_600));
        assert_eq!(parse_utc("2024-02-29 12:00:00"), Some(1_709_208_000));
        assert_eq!(parse_utc("1969-12-31 23:59:59"), Some(-1));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-01-01T00:00:00",
            "2026-01-01 24:00:00",
            "2026-1-01",
            "+026-01-01",
            "",
            "2026-01-01 00:00",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
