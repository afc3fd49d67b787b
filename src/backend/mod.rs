//! The signature backend, kept private behind one small trait: ring by
//! default, aws-lc-rs with the `aws-lc` feature. Nothing else in the crate
//! names either. The envelope never reaches this layer: the algorithm
//! (RSASSA-PKCS1-v1_5 with a hash, or Ed25519) comes from the caller's key.

#[cfg(feature = "aws-lc")]
mod aws_lc;
mod ring;

use crate::algorithm::Hash;
use crate::error::KeyProblem;

/// What the crate needs from a signature implementation.
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

    /// Loads a PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) DER key.
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

    /// Ed25519 signature of `msg` (deterministic).
    fn ed25519_sign(key: &Self::Ed25519SignKey, msg: &[u8]) -> Vec<u8>;
}

/// The backend in use.
#[cfg(not(feature = "aws-lc"))]
pub(crate) type Active = ring::Ring;
/// The backend in use.
#[cfg(feature = "aws-lc")]
pub(crate) type Active = aws_lc::AwsLc;
