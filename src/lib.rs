//! Verify, offline and strictly, the signed JSON responses and offline
//! license files of the GetKeyManager license server, and sign envelopes of
//! the same shape.
//!
//! The server answers every call with an envelope: a plain `response`
//! object, its compact JSON text in base64 (`response_base64`), the name of
//! the signing key (`private_key_used`) and an RSA signature over the ASCII
//! text of `response_base64`. A [`Keyring`] holds the public keys you trust,
//! under the names the server uses; [`Keyring::verify`] checks an envelope
//! and hands back a [`Verified`] value, the only way to reach the signed
//! payload.
//!
//! ```
//! # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem")?;
//! # let envelope = std::fs::read("testdata/gkm/seed-373-update-product-meta.json")?;
//! let keyring = respsig::Keyring::new().with("product", respsig::PublicKey::from_pem(&pem)?)?;
//! let verified = keyring.verify(&envelope)?;
//! assert_eq!(verified.code(), Some(373));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where to go next
//!
//! - [`Keyring`] and [`VerifyOptions`]: keys by name, key rotation, size
//!   limits and the freshness of the signed `timestamp`.
//! - [`Verified`]: what a verified envelope gives you (the exact signed
//!   bytes, `code`/`message`/`timestamp`, `deserialize` into your types).
//! - [`Error`]: every refusal, one variant per cause.
//! - [`Signer`] and [`SigningKey`]: build envelopes as the server does.
//! - [`canonical`]: PHP's `json_encode`, byte for byte.
//! - [`Keyring::verify_license`], [`License`] and [`LicenseCheck`]: offline
//!   license files.
//! - [`state`]: may this app run now? A license state kept from signed
//!   bytes only.
//! - [`dangerous`]: reading an envelope without verifying it.
//! - The repository's `SECURITY.md`: what a verified answer proves, and
//!   what it does not.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `keygen` | no | `keygen::generate`: new RSA key pairs (the rsa crate) |
//! | `license-writer` | no | `LicenseWriter`: writes offline license files (the rsa crate's blinded private-key operation) |
//! | `aws-lc` | no | aws-lc-rs as the RSA backend instead of ring (its C build takes minutes) |
//! | `parallel` | no | [`Keyring::verify_batch`] across threads (rayon) |
//!
//! The `respsig` command-line tool is its own crate, `respsig-cli`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

// The README's examples run as doc tests too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod algorithm;
mod backend;
mod base64;
pub mod canonical;
pub mod dangerous;
mod envelope;
mod error;
mod json;
mod key;
mod key_response;
#[cfg(feature = "keygen")]
#[cfg_attr(docsrs, doc(cfg(feature = "keygen")))]
pub mod keygen;
mod keyring;
mod license;
mod license_json;
#[cfg(feature = "license-writer")]
mod license_writer;
mod options;
mod pem;
mod private_key;
mod response_code;
mod sign;
pub mod state;
#[cfg(test)]
mod test_rng;
mod verify;

pub use algorithm::{Algorithm, Hash};
pub use envelope::Limits;
pub use error::{
    Error, KeyProblem, KeyResponseProblem, LicenseProblem, Member, Problem, Result, Snippet,
};
pub use key::{ED25519_KEY_LEN, KeyPolicy, MAX_BITS, MIN_BITS, PublicKey};
pub use key_response::VOUCHER;
pub use keyring::{Keyring, MAX_NAME_LEN};
pub use license::{
    Expiry, INTEGRITY_MEMBER, License, LicenseCheck, LicenseFormat, LicenseOptions, VerifiedLicense,
};
#[cfg(feature = "license-writer")]
#[cfg_attr(docsrs, doc(cfg(feature = "license-writer")))]
pub use license_writer::LicenseWriter;
pub use options::{Clock, DEFAULT_CLOCK_SKEW, FixedClock, Freshness, SystemClock, VerifyOptions};
pub use response_code::ResponseCode;
pub use sign::{MAX_SIGNING_BITS, Signer, SigningKey};
pub use verify::{UNSIGNED_MARKER, Verified};
