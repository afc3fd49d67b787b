//! Offline licenses: the block `.lic` file and the signed-JSON document,
//! the two forms the server's official PHP SDK reads offline. Both readers
//! hand out a [`VerifiedLicense`], which nothing else in the crate accepts
//! (a license is not a server answer).
//!
//! # The `.lic` file
//!
//! Standard base64 of a sequence of RSA blocks, each exactly the modulus
//! length, each the private-key operation over PKCS#1 v1.5 type-1 padded
//! data (what OpenSSL calls private-key encryption, PHP
//! `openssl_private_encrypt`). Reading applies the public key to each
//! block, checks and strips the padding, concatenates the data and reads it
//! as a JSON object.
//!
//! There is no hash: what protects a block is its padding (`00 01`, at least
//! eight `FF` bytes, `00`) and that the recovered bytes must be valid JSON.
//! The reader checks all of it exactly, refuses a block that is not reduced
//! modulo `n`, and names the first block that fails.
//!
//! **What that does not protect**: each block is signed on its own, so
//! blocks of different files under the same key can be combined. Where a
//! block boundary falls inside a JSON string of the same length in two
//! files, block 0 of one followed by block 1 of the other is a file that
//! opens, parses, and mixes the two licenses (one's hardware id, the
//! other's expiry). Blocks can likewise be reordered or repeated wherever
//! the JSON still parses. Files as the license server issues them are
//! open to this.
//!
//! **The integrity member**: [`LicenseWriter`](crate::LicenseWriter) adds
//! one member, [`INTEGRITY_MEMBER`], to every file it writes: the SHA-256
//! (lowercase hex) of the canonical bytes ([`crate::canonical::to_vec`])
//! of the license read back without that member. The reader checks it
//! whenever it is present, so a splice, reorder, repeat or substitution of
//! blocks fails with [`LicenseProblem::IntegrityMismatch`]. It cannot tell
//! a file that never had the member from one whose member was cut away
//! with its blocks: [`LicenseOptions::require_integrity`] refuses files
//! without it, for producers that always write it. The PHP SDK ignores
//! members it does not know, so it still reads these files.
//!
//! Base64 is strict (RFC 4648 alphabet, padding, zero trailing bits); line
//! breaks and surrounding whitespace, which files pick up in transit, are
//! removed first.
//!
//! # The signed-JSON document
//!
//! `{"license": {...}, "signature": "..."}`: an RSASSA-PKCS1-v1_5
//! signature (the key's configured hash) over PHP's `json_encode` of the
//! document without `signature`, with `JSON_UNESCAPED_SLASHES |
//! JSON_UNESCAPED_UNICODE`, members in the document's order. The signature
//! covers the whole document except itself, so no part can be changed or
//! moved; see [`Keyring::verify_license_json`].

use std::fmt;
use std::sync::Arc;

use num_bigint::BigUint;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::canonical;
use crate::envelope::Limits;
use crate::error::{Error, LicenseProblem, Problem};
use crate::json;
use crate::key::PublicKey;
use crate::keyring::Keyring;
use crate::options::{Clock, SystemClock};

/// Fewest `FF` bytes in a type-1 padding (RFC 8017, 8 bytes).
const MIN_PADDING: usize = 8;

/// The member [`LicenseWriter`](crate::LicenseWriter) adds to a `.lic`
/// license: the SHA-256, as 64 lowercase hex digits, of the canonical
/// bytes of the license without this member. The name is this crate's, so
/// it cannot collide with a member the server writes.
pub const INTEGRITY_MEMBER: &str = "respsig_integrity_sha256";

/// The usual fields of a license, for [`VerifiedLicense::deserialize`].
/// Fields the license leaves out are `None`; other fields are ignored.
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

/// The two offline license formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenseFormat {
    /// The `.lic` file: base64 of RSA blocks.
    Blocks,
    /// The JSON document `{"license": {...}, "signature": "..."}`.
    SignedJson,
}

impl LicenseFormat {
    /// Which format `input` is in, by content: a JSON object (first
    /// non-blank byte `{`, which base64 never contains) is
    /// [`SignedJson`](Self::SignedJson), anything else is
    /// [`Blocks`](Self::Blocks). This only picks the reader; the reader
    /// decides.
    ///
    /// ```
    /// use respsig::LicenseFormat;
    /// assert_eq!(LicenseFormat::detect(b" {\"license\":{}}"), LicenseFormat::SignedJson);
    /// assert_eq!(LicenseFormat::detect(b"AAEC\n"), LicenseFormat::Blocks);
    /// ```
    pub fn detect(input: &[u8]) -> Self {
        match input.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => LicenseFormat::SignedJson,
            _ => LicenseFormat::Blocks,
        }
    }
}

/// A license that verified under one of the caller's keys, in either
/// format.
///
/// Only [`Keyring::verify_license`] and [`Keyring::verify_license_json`]
/// (and their `_with` forms) build one. It is a different type from a
/// verified server answer ([`Verified`](crate::Verified)), so a license
/// cannot be passed where a server answer is required, such as key
/// distribution:
///
/// ```compile_fail,E0308
/// # let lic = std::fs::read_to_string("testdata/license/openssl-2048.lic").unwrap();
/// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
/// let mut keyring = respsig::Keyring::new().with("global", respsig::PublicKey::from_pem(&pem)?)?;
/// let license = keyring.verify_license(&lic)?;
/// keyring.add_product_key("product", &license, None)?; // a license is not a server answer
/// # Ok::<(), respsig::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifiedLicense {
    format: LicenseFormat,
    key_name: Arc<str>,
    key: PublicKey,
    signed_bytes: Vec<u8>,
    license: Value,
    integrity: bool,
}

impl VerifiedLicense {
    /// The format the license came in.
    pub fn format(&self) -> LicenseFormat {
        self.format
    }

    /// The configured name of the key that verified it.
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The key that verified it.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The exact bytes the key vouches for: for a `.lic` file the text its
    /// blocks open to (the license JSON); for a signed-JSON document the
    /// PHP encoding of the document without `signature`.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }

    /// The license object: the whole content of a `.lic` file (with the
    /// integrity member, if it has one), the `license` member of a
    /// signed-JSON document.
    pub fn license(&self) -> &Value {
        &self.license
    }

    /// Consumes the value, returning the license object.
    pub fn into_license(self) -> Value {
        self.license
    }

    /// Whether the license carried the integrity member
    /// ([`INTEGRITY_MEMBER`]), which then matched. A signed-JSON document
    /// needs none: its signature covers the whole of it.
    pub fn has_integrity(&self) -> bool {
        self.integrity
    }

    /// The license object in the caller's own type (for example
    /// [`License`]).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        json::deserialize(&self.license)
    }
}

impl fmt::Debug for VerifiedLicense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedLicense")
            .field("format", &self.format)
            .field("key_name", &self.key_name)
            .field("key", &self.key)
            .field("license", &self.license)
            .field("integrity", &self.integrity)
            .finish()
    }
}

/// How the license readers read: size and nesting limits, and whether a
/// `.lic` file must carry the integrity member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LicenseOptions {
    limits: Limits,
    require_integrity: bool,
}

impl LicenseOptions {
    /// The defaults: [`Limits::new`], integrity member checked when present
    /// but not required.
    pub const fn new() -> Self {
        LicenseOptions {
            limits: Limits::new(),
            require_integrity: false,
        }
    }

    /// Input size and nesting limits.
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Refuse `.lic` files without the integrity member
    /// ([`LicenseProblem::IntegrityMissing`]). Only for files from a
    /// producer that always writes it (this crate's writer); the license
    /// server's own files do not carry it. No effect on signed-JSON
    /// documents, whose signature covers everything.
    pub const fn require_integrity(mut self, require: bool) -> Self {
        self.require_integrity = require;
        self
    }
}

/// The offline rules: expiry against a clock, and the binding to a machine
/// or domain when the caller gives one. The same for both formats.
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
/// // A day after expiry it is refused, unless the SDK's 24 hours are allowed.
/// let late = FixedClock(1_798_761_599 + 86_400);
/// assert!(LicenseCheck::new().clock(late).check(&license).is_err());
/// LicenseCheck::new().clock(late).expiry_leeway(86_400).check(&license)?;
/// # Ok::<(), respsig::Error>(())
/// ```
pub struct LicenseCheck {
    hardware_id: Option<String>,
    domain: Option<String>,
    clock: Box<dyn Clock>,
    leeway: u64,
}

impl Default for LicenseCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl LicenseCheck {
    /// Expiry against the system clock with no leeway, no binding.
    pub fn new() -> Self {
        LicenseCheck {
            hardware_id: None,
            domain: None,
            clock: Box::new(SystemClock),
            leeway: 0,
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

    /// Accept a license up to `seconds` after its last valid second. The
    /// PHP SDK's `validateOfflineLicense` allows 24 hours (`86_400`); the
    /// default is none.
    pub fn expiry_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Applies the rules to a verified license.
    pub fn check(&self, license: &License) -> Result<(), Error> {
        if let Some(expiry) = &license.expires_at {
            let last = expiry
                .last_valid_second()
                .ok_or(LicenseProblem::BadExpiry)?;
            let now = self.clock.now_unix();
            if i128::from(now) > i128::from(last) + i128::from(self.leeway) {
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

// Here, not in keyring.rs: reading a `.lic` file is this module's
// concern; the keyring only supplies the keys.
impl Keyring {
    /// Reads and verifies a `.lic` file with the keys of this keyring,
    /// under the default [`LicenseOptions`]. See
    /// [`verify_license_with`](Self::verify_license_with).
    pub fn verify_license(&self, file: impl AsRef<[u8]>) -> Result<VerifiedLicense, Error> {
        verify_blocks(self, file.as_ref(), &LicenseOptions::new())
    }

    /// Reads and verifies a `.lic` file with the keys of this keyring.
    ///
    /// Every key is tried in name order; the key whose public operation
    /// turns the first block into correctly padded data is the one that
    /// must turn every other block into correctly padded data too. The
    /// recovered text must be a JSON object; if it carries
    /// [`INTEGRITY_MEMBER`], that must match the rest.
    ///
    /// What this proves and what it does not: each block was made by the
    /// private key, but, without the integrity member, not that the blocks
    /// belong to one file. Blocks of two files under the same key can be
    /// combined wherever the JSON still parses (`SECURITY.md`, *Offline
    /// licenses*, shows how). With the member, any
    /// such change is [`LicenseProblem::IntegrityMismatch`];
    /// [`LicenseOptions::require_integrity`] refuses files without it.
    pub fn verify_license_with(
        &self,
        file: impl AsRef<[u8]>,
        options: &LicenseOptions,
    ) -> Result<VerifiedLicense, Error> {
        verify_blocks(self, file.as_ref(), options)
    }
}

fn verify_blocks(
    keyring: &Keyring,
    file: &[u8],
    options: &LicenseOptions,
) -> Result<VerifiedLicense, Error> {
    let limits = &options.limits;
    limits.check_len(file.len())?;
    let text: Vec<u8> = file
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let text = std::str::from_utf8(&text).map_err(|_| LicenseProblem::Base64)?;
    let blocks = crate::base64::decode(text).ok_or(LicenseProblem::Base64)?;
    if blocks.is_empty() {
        return Err(LicenseProblem::Empty.into());
    }

    let mut sized = false;
    let mut padding_failed = false;
    for name in keyring.names() {
        let (name, keys) = match keyring.entry(name) {
            Some(entry) => entry,
            None => continue,
        };
        for key in keys {
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
            let first = match open_block(&n, &e, &blocks[..k], 0) {
                Ok(first) => first,
                Err(LicenseProblem::Padding { .. }) => {
                    padding_failed = true;
                    continue;
                }
                Err(_) => continue,
            };
            let mut data = first;
            for (index, block) in blocks.chunks(k).enumerate().skip(1) {
                data.extend_from_slice(&open_block(&n, &e, block, index)?);
            }
            let license = json::parse_nested(&data, limits.depth_limit(), 0)
                .map_err(|problem| LicenseProblem::Json { problem })?;
            if !license.is_object() {
                return Err(LicenseProblem::Json {
                    problem: Problem::NotAnObject,
                }
                .into());
            }
            let integrity = check_integrity(&license)?;
            if !integrity && options.require_integrity {
                return Err(LicenseProblem::IntegrityMissing.into());
            }
            return Ok(VerifiedLicense {
                format: LicenseFormat::Blocks,
                key_name: Arc::clone(name),
                key: key.clone(),
                signed_bytes: data,
                license,
                integrity,
            });
        }
    }
    if !sized {
        return Err(LicenseProblem::Length { len: blocks.len() }.into());
    }
    // Block 0 opened under no key. When no key's padding check even ran,
    // it was not below the modulus of any key of its length.
    if padding_failed {
        Err(LicenseProblem::Padding { block: 0 }.into())
    } else {
        Err(LicenseProblem::BlockOutOfRange { block: 0 }.into())
    }
}

/// The digest [`INTEGRITY_MEMBER`] carries for `license` (an object
/// without that member).
pub(crate) fn integrity_digest(license: &Value) -> String {
    crate::backend::sha256_hex(&canonical::to_vec(license))
}

/// Checks the integrity member of a `.lic` license if it has one; returns
/// whether it had one.
fn check_integrity(license: &Value) -> Result<bool, LicenseProblem> {
    let Some(map) = license.as_object() else {
        return Ok(false);
    };
    let Some(member) = map.get(INTEGRITY_MEMBER) else {
        return Ok(false);
    };
    let claimed = member.as_str().ok_or(LicenseProblem::IntegrityMalformed)?;
    if claimed.len() != 64
        || !claimed
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(LicenseProblem::IntegrityMalformed);
    }
    let mut rest = map.clone();
    rest.shift_remove(INTEGRITY_MEMBER);
    // Public data on both sides: no need for a constant-time comparison.
    if integrity_digest(&Value::Object(rest)) != claimed {
        return Err(LicenseProblem::IntegrityMismatch);
    }
    Ok(true)
}

/// The signed-JSON reader builds its result here, so that one module
/// constructs every [`VerifiedLicense`].
pub(crate) fn verified_json(
    key_name: &Arc<str>,
    key: &PublicKey,
    signed_bytes: Vec<u8>,
    license: Value,
) -> VerifiedLicense {
    VerifiedLicense {
        format: LicenseFormat::SignedJson,
        key_name: Arc::clone(key_name),
        key: key.clone(),
        signed_bytes,
        license,
        integrity: false,
    }
}

/// Options the signed-JSON reader needs from [`LicenseOptions`].
pub(crate) fn limits_of(options: &LicenseOptions) -> &Limits {
    &options.limits
}

/// The public-key operation (`n`, `e`) on one block, then the type-1
/// padding check.
fn open_block(
    n: &BigUint,
    e: &BigUint,
    block: &[u8],
    index: usize,
) -> Result<Vec<u8>, LicenseProblem> {
    let c = BigUint::from_bytes_be(block);
    if c >= *n {
        return Err(LicenseProblem::BlockOutOfRange { block: index });
    }
    let m = c.modpow(e, n).to_bytes_be();
    // `m` has lost its leading zero bytes; the padded block is k bytes.
    let k = block.len();
    if m.len() != k - 1 || m[0] != 0x01 {
        return Err(LicenseProblem::Padding { block: index });
    }
    let ff = m[1..].iter().take_while(|&&b| b == 0xff).count();
    let sep = 1 + ff;
    if ff < MIN_PADDING || m.get(sep) != Some(&0x00) {
        return Err(LicenseProblem::Padding { block: index });
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
