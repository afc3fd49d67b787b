//! Offline licenses: the block `.lic` file ([`blocks`]) and the
//! signed-JSON document ([`signed_json`]), the two forms the server's
//! official PHP SDK reads offline; the rules a license must pass
//! ([`LicensePolicy`]); and the writer of `.lic` files (`writer`, feature
//! `license-writer`).
//!
//! [`verify`] is the one way in: it picks the reader by the content
//! ([`LicenseFormat::detect`]), tries only the keys of the name the caller
//! gives, applies the policy, and only then builds a [`VerifiedLicense`],
//! which nothing else in the crate accepts (a license is not a server
//! answer).
//!
//! What each form protects:
//! - a signed-JSON document: everything in it; nothing can be changed,
//!   moved or left out;
//! - a `.lic` file with [`INTEGRITY_MEMBER`] (this crate's writer): any
//!   splice, reorder, repeat or substitution of blocks that keeps the
//!   member;
//! - a `.lic` file without it (as the license server writes them): each
//!   block, but not that the blocks belong together; see [`blocks`] and
//!   `SECURITY.md`.

mod blocks;
mod calendar;
mod policy;
pub(crate) mod signed_json;
#[cfg(feature = "license-writer")]
pub(crate) mod writer;

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::json;
use crate::key::{Named, PublicKey};
use crate::time::UnixTime;

#[cfg(feature = "license-writer")]
pub(crate) use blocks::integrity_digest;
pub use policy::LicensePolicy;

/// The member this crate's writer adds to a `.lic` license: the SHA-256,
/// as 64 lowercase hex digits, of the canonical bytes of the license
/// without this member. The name is this crate's, so it cannot collide
/// with a member the server writes.
pub const INTEGRITY_MEMBER: &str = "respsig_integrity_sha256";

/// The fields of a license the crate checks and the SDKs use, read from a
/// verified license ([`VerifiedLicense::license`]). Fields the license
/// leaves out are `None`; other fields are ignored (reach them through
/// [`VerifiedLicense::value`] or [`VerifiedLicense::deserialize`]).
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
    /// Days between online checks: `licenseCheckInterval` (as the server
    /// and the SDKs spell it) or `license_check_interval`; a license with
    /// both is refused.
    #[serde(
        default,
        rename = "licenseCheckInterval",
        alias = "license_check_interval"
    )]
    pub license_check_interval: Option<u32>,
    /// Days after which an online validation is required:
    /// `forceLicenseValidation` or `force_license_validation`; a license
    /// with both is refused.
    #[serde(
        default,
        rename = "forceLicenseValidation",
        alias = "force_license_validation"
    )]
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
    /// The last second at which the license is still valid, or `None`
    /// when the text is not one of the accepted forms.
    pub fn last_valid_second(&self) -> Option<UnixTime> {
        match self {
            Expiry::Unix(t) => Some(*t),
            Expiry::Text(text) => calendar::parse_utc(text),
        }
        .map(UnixTime::from_secs)
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
/// format, and passed the caller's [`LicensePolicy`].
///
/// Only [`Keyring::verify_license`](crate::Keyring::verify_license) builds
/// one. It is a different type from a verified server answer
/// ([`Verified`](crate::Verified)), so a license cannot be passed where a
/// server answer is required, such as key distribution; and the checks a
/// license must pass run inside verification, so none can run on a
/// [`License`] read from unverified JSON:
///
/// ```compile_fail,E0277
/// // A `VerifiedLicense` cannot be made from JSON, only by verification.
/// let forged: respsig::VerifiedLicense = serde_json::from_str(r#"{"license_key":"x"}"#).unwrap();
/// ```
#[derive(Clone)]
pub struct VerifiedLicense {
    format: LicenseFormat,
    key_name: Arc<str>,
    key: PublicKey,
    signed_bytes: Vec<u8>,
    value: Value,
    license: License,
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

    /// The fields the policy checked, and the SDKs' re-check intervals.
    pub fn license(&self) -> &License {
        &self.license
    }

    /// The whole license object: the content of a `.lic` file (with the
    /// integrity member, if it has one), the `license` member of a
    /// signed-JSON document.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Whether the license carried the integrity member
    /// ([`INTEGRITY_MEMBER`]), which then matched. A signed-JSON document
    /// needs none: its signature covers the whole of it.
    pub fn has_integrity(&self) -> bool {
        self.integrity
    }

    /// The license object in the caller's own type.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        json::deserialize(&self.value)
    }
}

impl fmt::Debug for VerifiedLicense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedLicense")
            .field("format", &self.format)
            .field("key_name", &self.key_name)
            .field("key", &self.key)
            .field("license", &self.value)
            .field("integrity", &self.integrity)
            .finish()
    }
}

/// Reads `file` in the format it is in under the keys `keys` gives (the
/// keyring's keys of the caller's name), then applies `policy`.
pub(crate) fn verify<'k>(
    file: &[u8],
    policy: &LicensePolicy,
    keys: impl FnOnce() -> Result<Named<'k>, Error>,
) -> Result<VerifiedLicense, Error> {
    let verified = read(file, policy, keys)?;
    policy.check(&verified.license)?;
    Ok(verified)
}

/// The genuine license, before the policy's rules: for [`verify`] and for
/// the writers' read-back.
pub(crate) fn read<'k>(
    file: &[u8],
    policy: &LicensePolicy,
    keys: impl FnOnce() -> Result<Named<'k>, Error>,
) -> Result<VerifiedLicense, Error> {
    policy.input_limits().check_len(file.len())?;
    let (key_name, keys) = keys()?;
    let format = LicenseFormat::detect(file);
    let (key, signed_bytes, value, integrity) = match format {
        LicenseFormat::Blocks => {
            let opened = blocks::open(keys, file, policy)?;
            (opened.key, opened.text, opened.license, opened.integrity)
        }
        LicenseFormat::SignedJson => {
            let (key, signed, license) = signed_json::open(keys, file, policy.input_limits())?;
            (key, signed, license, false)
        }
    };
    let license = json::deserialize(&value)?;
    Ok(VerifiedLicense {
        format,
        key_name: Arc::clone(key_name),
        key: key.clone(),
        signed_bytes,
        value,
        license,
        integrity,
    })
}

/// A file a writer made, read back under its public key alone (default
/// limits, no policy): the writers' check that they hand out only what the
/// reader accepts.
pub(crate) fn read_back(public: &PublicKey, file: &[u8]) -> Result<VerifiedLicense, Error> {
    let name: Arc<str> = Arc::from("license");
    read(file, &LicensePolicy::new(), || {
        Ok((&name, std::slice::from_ref(public)))
    })
}
