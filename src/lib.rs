//! Verify, offline and strictly, the signed JSON responses and offline
//! license files of the GetKeyManager license server, and sign envelopes of
//! the same shape.
//!
//! The server answers every call with an envelope: a plain `response`
//! object, its compact JSON text in base64 (`response_base64`), the name of
//! the signing key (`private_key_used`) and an RSA signature over the ASCII
//! text of `response_base64`, with an RSA or Ed25519 key. A [`Keyring`]
//! holds the public keys you trust, under the names the server uses;
//! [`Keyring::verify`] checks an envelope under a [`Policy`] that says how
//! old an answer may be, and hands back a [`Verified`] value, the only way
//! to reach the signed payload.
//!
//! ```
//! # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem")?;
//! # let envelope = std::fs::read("testdata/gkm/seed-373-update-product-meta.json")?;
//! use respsig::{Keyring, Policy, PublicKey};
//! let keyring = Keyring::new().with("product", PublicKey::from_pem(&pem)?)?;
//! // A documented sample: no request to answer, no age limit.
//! let verified = keyring.verify(&envelope, &Policy::any_age())?;
//! assert_eq!(verified.code(), Some(373));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # One entry point per artifact
//!
//! | artifact | call | policy | verified type |
//! |---|---|---|---|
//! | a server answer | [`Keyring::verify`] | [`Policy`] | [`Verified`] |
//! | an offline license (either format) | [`Keyring::verify_license`] | [`LicensePolicy`] | [`VerifiedLicense`] |
//! | a distributed product key | [`Keyring::add_product_key`] | a [`Verified`] signed by [`VOUCHER`] | [`PublicKey`] |
//!
//! # Where to go next
//!
//! - [`Policy`]: the age of an answer (the request it answers, a maximum
//!   age), the signer's name, limits, the clock; [`UnixTime`] and
//!   [`Clock`] for time.
//! - [`Verified`]: what a verified envelope gives you (the exact signed
//!   bytes, `code`/`message`/`timestamp`, `deserialize` into your types).
//! - [`Error`]: every refusal; each cause has one variant, whatever the
//!   artifact.
//! - [`PublicKey`] and [`KeyPolicy`]: loading keys.
//! - [`Signer`] and [`SigningKey`]: build envelopes as the server does;
//!   [`SigningKey::sign_license_json`] and `LicenseWriter` write licenses.
//! - [`canonical`]: PHP's `json_encode`, byte for byte.
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
//! | `aws-lc` | **yes** | the crypto backend: aws-lc-rs verifies, signs (RSA and Ed25519) and hashes; public keys parsed once, at load |
//! | `ring` | no | the other backend, ring, for targets aws-lc does not build for: `default-features = false, features = ["ring"]` (links no aws-lc) |
//! | `keygen` | no | `keygen::generate`: new RSA key pairs (the rsa crate) |
//! | `license-writer` | no | `LicenseWriter`: writes `.lic` files (the rsa crate's blinded private-key operation) |
//!
//! Exactly one backend is compiled in: with both `aws-lc` and `ring` on
//! (as `--all-features` does), aws-lc-rs is used; with neither, the build
//! stops with an error naming the two. Both accept and refuse the same
//! keys and envelopes with the same errors, with one exception: an RSA
//! private key whose only fault is a wrong private exponent `d` (which ring
//! never reads) signs under ring and is refused under aws-lc. aws-lc-rs
//! needs a C compiler to build (no CMake, Go or bindgen on the common
//! targets; NASM on Windows x86/x86-64); ring needs one too and also builds
//! for `wasm32-unknown-unknown`. The README's "Backends" section has the
//! details and the measured difference (aws-lc verifies about 1.3x and
//! signs about 2x as fast as ring here).
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
mod hex;
mod json;
mod key;
mod key_distribution;
#[cfg(feature = "keygen")]
#[cfg_attr(docsrs, doc(cfg(feature = "keygen")))]
pub mod keygen;
mod keyring;
mod license;
mod limits;
mod oid;
mod pem;
mod php_encode;
mod policy;
mod private_key;
mod response_code;
mod sign;
pub mod state;
#[cfg(test)]
mod test_rng;
mod time;
mod verify;

pub use algorithm::{Algorithm, Hash};
pub use envelope::UNSIGNED_MARKER;
pub use error::{
    Error, KeyNameProblem, KeyProblem, KeyResponseProblem, LicenseProblem, Member, Problem, Result,
    Snippet,
};
pub use key::{ED25519_KEY_LEN, KeyPolicy, MAX_BITS, MIN_BITS, PublicKey};
pub use key_distribution::VOUCHER;
pub use keyring::{Keyring, MAX_NAME_LEN};
#[cfg(feature = "license-writer")]
#[cfg_attr(docsrs, doc(cfg(feature = "license-writer")))]
pub use license::writer::LicenseWriter;
pub use license::{
    Expiry, INTEGRITY_MEMBER, License, LicenseFormat, LicensePolicy, VerifiedLicense,
};
pub use limits::Limits;
pub use policy::Policy;
pub use response_code::ResponseCode;
pub use sign::{MAX_SIGNING_BITS, Signer, SigningKey};
pub use time::{
    Clock, DEFAULT_CLOCK_DRIFT, DEFAULT_REPLAY_WINDOW, FixedClock, SystemClock, UnixTime,
};
pub use verify::Verified;
