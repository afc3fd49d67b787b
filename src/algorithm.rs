//! Signature algorithms: the [`Algorithm`] a key verifies or signs with,
//! the RSA [`Hash`], and their names as the official SDK spells them.

use std::fmt;

#[cfg(doc)]
use crate::{Error, PublicKey};

/// The hash an RSA key signs and verifies with (RSASSA-PKCS1-v1_5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Hash {
    /// SHA-256, what the server uses by default.
    #[default]
    Sha256,
    /// SHA-512 (the server's product setting "RSA-SHA512").
    Sha512,
    /// SHA-384 (accepted by the official SDK as "RSA-SHA384").
    Sha384,
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        })
    }
}

/// A signature algorithm: what a [`PublicKey`] verifies with and a
/// [`SigningKey`](crate::SigningKey) signs with. It is a property of the
/// key the caller configured; an envelope's `signature_metadata` can only
/// agree with it or get the envelope refused
/// ([`Error::AlgorithmMismatch`]).
///
/// ```
/// use respsig::Algorithm;
/// assert_eq!(Algorithm::from_name("rsa-SHA384"), Some(Algorithm::RsaSha384));
/// assert_eq!(Algorithm::from_name("sha512"), Some(Algorithm::RsaSha512));
/// assert_eq!(Algorithm::from_name("ED25519"), Some(Algorithm::Ed25519));
/// assert_eq!(Algorithm::from_name("HS256"), None);
/// assert_eq!(Algorithm::RsaSha256.to_string(), "RSA-SHA256");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaSha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaSha512,
    /// Ed25519 (RFC 8032, pure EdDSA over edwards25519).
    Ed25519,
}

impl Algorithm {
    /// The name the official SDK writes: `RSA-SHA256`, `RSA-SHA384`,
    /// `RSA-SHA512`, `Ed25519`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "RSA-SHA256",
            Algorithm::RsaSha384 => "RSA-SHA384",
            Algorithm::RsaSha512 => "RSA-SHA512",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// Reads an algorithm name as the official SDK spells it, ignoring
    /// case: `RSA-SHA256` or `SHA256` (likewise 384 and 512), and
    /// `Ed25519`. Anything else is `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        let is = |text: &[u8], word: &str| text.eq_ignore_ascii_case(word.as_bytes());
        let name = name.as_bytes();
        if is(name, "ed25519") {
            return Some(Algorithm::Ed25519);
        }
        let hash = match name.split_at_checked(4) {
            Some((rsa, hash)) if is(rsa, "rsa-") => hash,
            _ => name,
        };
        [
            ("sha256", Algorithm::RsaSha256),
            ("sha384", Algorithm::RsaSha384),
            ("sha512", Algorithm::RsaSha512),
        ]
        .into_iter()
        .find(|(word, _)| is(hash, word))
        .map(|(_, algorithm)| algorithm)
    }

    /// The RSA algorithm with `hash`.
    pub const fn rsa(hash: Hash) -> Self {
        match hash {
            Hash::Sha256 => Algorithm::RsaSha256,
            Hash::Sha384 => Algorithm::RsaSha384,
            Hash::Sha512 => Algorithm::RsaSha512,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
