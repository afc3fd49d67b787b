#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod backend;
pub mod canonical;
pub mod dangerous;
mod envelope;
mod error;
mod json;
mod key;
mod key_response;
#[cfg(feature = "keygen")]
pub mod keygen;
mod keyring;
mod license;
mod license_json;
#[cfg(feature = "license-writer")]
mod license_writer;
mod pem;
mod response_code;
mod sign;
mod verify;

pub use envelope::Limits;
pub use error::{
    Error, KeyProblem, KeyResponseProblem, LicenseProblem, Member, Problem, Result, Snippet,
};
pub use key::{Hash, KeyPolicy, MAX_BITS, MIN_BITS, PublicKey};
pub use key_response::VOUCHER;
pub use keyring::{Keyring, MAX_NAME_LEN};
pub use license::{
    Expiry, INTEGRITY_MEMBER, License, LicenseCheck, LicenseFormat, LicenseOptions, VerifiedLicense,
};
#[cfg(feature = "license-writer")]
pub use license_writer::LicenseWriter;
pub use response_code::ResponseCode;
pub use sign::{Signer, SigningKey};
pub use verify::{
    Clock, FixedClock, Freshness, SystemClock, UNSIGNED_MARKER, Verified, VerifyOptions,
};
