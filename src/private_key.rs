//! The public half of an RSA private key, read from its DER structure
//! without loading it for signing.
//!
//! Two uses: [`SigningKey`](crate::SigningKey) applies the key policy to
//! the modulus and exponent before the signing backend sees the key, so a
//! refusal names the real cause (`TooSmall { bits }`, `SmallExponent { e }`)
//! instead of the backend's one word; and
//! [`PublicKey::from_private`](crate::PublicKey::from_private) gives
//! the public key of a private key of any size the verifier accepts (to
//! print its fingerprint, say), which the signer may not accept.

use der::Decode;

use crate::error::{Error, KeyProblem, Snippet};
use crate::oid::RSA_ENCRYPTION;

/// The PEM label of a PKCS#8 private key.
pub(crate) const PKCS8_LABEL: &str = "PRIVATE KEY";
/// The PEM label of a PKCS#1 RSA private key.
pub(crate) const PKCS1_LABEL: &str = "RSA PRIVATE KEY";

/// The refusal of a PEM private key whose label is neither.
pub(crate) fn label_error(found: &str) -> Error {
    KeyProblem::PemLabel {
        found: Snippet::new(found),
        expected: "PRIVATE KEY, RSA PRIVATE KEY",
    }
    .into()
}

/// How a private key's DER is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// PKCS#8 `PrivateKeyInfo`.
    Pkcs8,
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1,
}

impl Form {
    /// The form `der` is written in, told apart by its structure: a
    /// `PrivateKeyInfo` parses as one, whatever key it holds.
    ///
    /// A `PrivateKeyInfo` the pkcs8 crate does not read (the v2 form ring
    /// writes, with the public key as an explicit `[1]`) is told by its
    /// outline: after the version comes the algorithm (a SEQUENCE), where
    /// an `RSAPrivateKey` has the modulus (an INTEGER).
    pub(crate) fn of(der: &[u8]) -> Form {
        if pkcs8::PrivateKeyInfo::try_from(der).is_ok() || algorithm_after_version(der) {
            Form::Pkcs8
        } else {
            Form::Pkcs1
        }
    }
}

/// Whether `der` is a SEQUENCE whose first member is an INTEGER and whose
/// second is a SEQUENCE: the outline of a `PrivateKeyInfo`.
fn algorithm_after_version(der: &[u8]) -> bool {
    use der::{Header, Reader, SliceReader, Tag};
    let outline = || -> der::Result<bool> {
        let mut reader = SliceReader::new(der)?;
        let outer = Header::decode(&mut reader)?;
        if outer.tag != Tag::Sequence {
            return Ok(false);
        }
        let version = Header::decode(&mut reader)?;
        if version.tag != Tag::Integer {
            return Ok(false);
        }
        reader.read_slice(version.length)?;
        Ok(reader.peek_tag()? == Tag::Sequence)
    };
    outline().unwrap_or(false)
}

/// The big-endian modulus and public exponent of an RSA key.
pub(crate) struct PublicHalf<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
}

/// The public half of an RSA private key, or `None` for a PKCS#8 key of
/// another algorithm (left to the loader).
pub(crate) fn rsa_public_half(
    der: &[u8],
    form: Form,
) -> Result<Option<PublicHalf<'_>>, KeyProblem> {
    let rsa_der = match form {
        Form::Pkcs1 => der,
        Form::Pkcs8 => {
            let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|_| KeyProblem::Der)?;
            if info.algorithm.oid != RSA_ENCRYPTION {
                return Ok(None);
            }
            info.private_key
        }
    };
    let key = pkcs1::RsaPrivateKey::from_der(rsa_der).map_err(|_| KeyProblem::Der)?;
    Ok(Some(PublicHalf {
        n: key.modulus.as_bytes(),
        e: key.public_exponent.as_bytes(),
    }))
}
