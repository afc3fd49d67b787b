//! The crypto backend, kept private behind one small trait: aws-lc-rs by
//! default (the `aws-lc` feature), ring with `default-features = false,
//! features = ["ring"]`. Nothing else in the crate names either: RSA and
//! Ed25519 verification and signing, and SHA-256 (key fingerprints, the
//! license integrity digest), all go through [`Active`]. The envelope never
//! reaches this layer: the algorithm (RSASSA-PKCS1-v1_5 with a hash, or
//! Ed25519) comes from the caller's key.
//!
//! Exactly one backend is compiled. With both features on (`cargo
//! --all-features`, docs.rs), aws-lc-rs is used and ring is not compiled
//! into the crate's code; with neither, the build stops with an error that
//! names the features.

#[cfg(not(any(feature = "aws-lc", feature = "ring")))]
compile_error!(
    "respsig needs a crypto backend: enable its `aws-lc` feature (the default) \
     or, where aws-lc does not build, `ring` (default-features = false, features = [\"ring\"])"
);

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(all(feature = "ring", not(feature = "aws-lc")))]
mod ring;

use crate::algorithm::Hash;
use crate::error::KeyProblem;

/// What the crate needs from a crypto implementation.
pub(crate) trait Backend {
    /// A public key prepared for verification.
    type VerifyKey: Send + Sync;
    /// A private key prepared for signing.
    type SignKey: Send + Sync;

    /// Prepares a public key from its big-endian modulus and exponent
    /// (already checked against the size policy).
    fn verify_key(n: &[u8], e: &[u8]) -> Result<Self::VerifyKey, KeyProblem>;

    /// RSASSA-PKCS1-v1_5 verification of `sig` over `msg`.
    fn verify(key: &Self::VerifyKey, hash: Hash, msg: &[u8], sig: &[u8]) -> bool;

    /// Loads a PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) DER key
    /// (already checked against the key policy).
    fn sign_key(der: &[u8], pkcs8: bool) -> Result<Self::SignKey, KeyProblem>;

    /// The PKCS#1 `RSAPublicKey` DER of a private key's public half.
    fn public_pkcs1_der(key: &Self::SignKey) -> &[u8];

    /// RSASSA-PKCS1-v1_5 signature of `msg`, in constant time.
    fn sign(key: &Self::SignKey, hash: Hash, msg: &[u8]) -> Option<Vec<u8>>;

    /// An Ed25519 public key prepared for verification.
    type Ed25519VerifyKey: Send + Sync;
    /// An Ed25519 private key prepared for signing.
    type Ed25519SignKey: Send + Sync;

    /// Prepares a 32-byte Ed25519 public key.
    fn ed25519_verify_key(raw: &[u8; 32]) -> Result<Self::Ed25519VerifyKey, KeyProblem>;

    /// Ed25519 verification of `sig` over `msg`.
    fn ed25519_verify(key: &Self::Ed25519VerifyKey, msg: &[u8], sig: &[u8]) -> bool;

    /// Loads a PKCS#8 (v1 or v2) DER Ed25519 private key.
    fn ed25519_sign_key(pkcs8: &[u8]) -> Result<Self::Ed25519SignKey, KeyProblem>;

    /// The 32-byte public half of an Ed25519 private key.
    fn ed25519_public(key: &Self::Ed25519SignKey) -> &[u8];

    /// Ed25519 signature of `msg` (deterministic, so both backends give
    /// the same bytes).
    fn ed25519_sign(key: &Self::Ed25519SignKey, msg: &[u8]) -> Option<Vec<u8>>;

    /// SHA-256 of `data`.
    fn sha256(data: &[u8]) -> [u8; 32];
}

/// The backend in use: aws-lc-rs whenever its feature is on.
#[cfg(feature = "aws-lc")]
pub(crate) type Active = aws_lc::AwsLc;
/// The backend in use: ring (the `aws-lc` feature is off).
#[cfg(all(feature = "ring", not(feature = "aws-lc")))]
pub(crate) type Active = ring::Ring;

/// SHA-256 of `data` through the active backend, as lowercase hex.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    crate::hex::encode(&Active::sha256(data))
}
