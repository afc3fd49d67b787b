//! aws-lc-rs (the `aws-lc` feature, the default): public keys parsed once,
//! at load, into aws-lc's own form, so a verify is the RSA operation and
//! nothing else; RSA signing with aws-lc's constant-time, blinded
//! private-key operation; Ed25519 signing and verification; SHA-256.
//!
//! A private key meets the crate's own checks first (the key policy in
//! `sign.rs`, the structure read here), so a refusal names the same cause
//! under either backend: `InvalidEncoding` for DER that is not an RSA
//! private key, `WrongAlgorithm` for a PKCS#8 key of another algorithm,
//! `InconsistentComponents` for an Ed25519 PKCS#8 v2 document whose public
//! key is not its private key's, as ring words them. Past those, aws-lc is
//! stricter than ring in one respect: it checks every component of an RSA
//! key, `d` included, at load (`RSA_check_key`). A key with a wrong `dP` or
//! `dQ` is refused at load by both backends (ring through the crate's test
//! signature in `sign.rs`, aws-lc here, with [`INCONSISTENT`]); a key whose
//! only fault is a wrong `d`, which ring never reads, loads under ring and
//! is refused here.

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair, RsaPublicKeyComponents,
};
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
use zeroize::Zeroizing;

use super::Backend;
use crate::algorithm::Hash;
use crate::error::KeyProblem;
use crate::oid::ID_ED25519;
use crate::private_key::{self, Form};

/// The reason given for an RSA private key that is well-formed DER and
/// within the key policy but whose components aws-lc's key check refuses.
pub(crate) const INCONSISTENT: &str = "inconsistent key: aws-lc's key check failed";

pub(crate) struct AwsLc;

/// One parsed key per hash: aws-lc binds the algorithm into the parsed key,
/// and the hash is chosen per [`crate::PublicKey`] after loading.
pub(crate) struct VerifyKey {
    sha256: ParsedPublicKey,
    sha384: ParsedPublicKey,
    sha512: ParsedPublicKey,
}

/// ring's word for a private key that is not the DER it claims to be,
/// kept so both backends refuse a malformed key alike.
fn invalid_encoding() -> KeyProblem {
    KeyProblem::PrivateKey {
        reason: "InvalidEncoding".to_owned(),
    }
}

fn rejected(e: aws_lc_rs::error::KeyRejected) -> KeyProblem {
    KeyProblem::PrivateKey {
        reason: e.to_string(),
    }
}

impl Backend for AwsLc {
    type VerifyKey = VerifyKey;
    type SignKey = RsaKeyPair;

    fn verify_key(n: &[u8], e: &[u8]) -> Result<VerifyKey, KeyProblem> {
        let components = RsaPublicKeyComponents { n, e };
        let parse = |params| {
            components
                .to_parsed_public_key(params)
                .map_err(|_| KeyProblem::InvalidModulus)
        };
        Ok(VerifyKey {
            sha256: parse(&signature::RSA_PKCS1_2048_8192_SHA256)?,
            sha384: parse(&signature::RSA_PKCS1_2048_8192_SHA384)?,
            sha512: parse(&signature::RSA_PKCS1_2048_8192_SHA512)?,
        })
    }

    fn verify(key: &VerifyKey, hash: Hash, msg: &[u8], sig: &[u8]) -> bool {
        let key = match hash {
            Hash::Sha256 => &key.sha256,
            Hash::Sha384 => &key.sha384,
            Hash::Sha512 => &key.sha512,
        };
        key.verify_sig(msg, sig).is_ok()
    }

    fn sign_key(der: &[u8], pkcs8: bool) -> Result<RsaKeyPair, KeyProblem> {
        // The structure first, as ring reads it: an RSAPrivateKey (inside a
        // PrivateKeyInfo naming rsaEncryption for PKCS#8).
        let form = if pkcs8 { Form::Pkcs8 } else { Form::Pkcs1 };
        match private_key::rsa_public_half(der, form) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(KeyProblem::PrivateKey {
                    reason: "WrongAlgorithm".to_owned(),
                });
            }
            Err(_) => return Err(invalid_encoding()),
        }
        // Well-formed, so a refusal now is aws-lc's consistency check
        // (whose own word for it is `UnexpectedError`).
        if pkcs8 {
            RsaKeyPair::from_pkcs8(der)
        } else {
            RsaKeyPair::from_der(der)
        }
        .map_err(|_| KeyProblem::PrivateKey {
            reason: INCONSISTENT.to_owned(),
        })
    }

    fn public_pkcs1_der(key: &RsaKeyPair) -> &[u8] {
        key.public_key().as_ref()
    }

    fn sign(key: &RsaKeyPair, hash: Hash, msg: &[u8]) -> Option<Vec<u8>> {
        let padding = match hash {
            Hash::Sha256 => &signature::RSA_PKCS1_SHA256,
            Hash::Sha384 => &signature::RSA_PKCS1_SHA384,
            Hash::Sha512 => &signature::RSA_PKCS1_SHA512,
        };
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(padding, &SystemRandom::new(), msg, &mut sig)
            .ok()
            .map(|()| sig)
    }

    type Ed25519VerifyKey = ParsedPublicKey;
    type Ed25519SignKey = Ed25519KeyPair;

    /// aws-lc, like ring, takes any 32 bytes (no point check at load).
    fn ed25519_verify_key(raw: &[u8; 32]) -> Result<ParsedPublicKey, KeyProblem> {
        ParsedPublicKey::new(&signature::ED25519, raw).map_err(|_| KeyProblem::Der)
    }

    fn ed25519_verify(key: &ParsedPublicKey, msg: &[u8], sig: &[u8]) -> bool {
        key.verify_sig(msg, sig).is_ok()
    }

    /// PKCS#8 v1 (what `openssl genpkey` writes, no public key inside) or
    /// v2 (the public key as RFC 5958's `[1] IMPLICIT BIT STRING`, or
    /// explicitly tagged as ring 0.16 wrote it); a v2 document's public key
    /// must match the private key. The crate reads the document, aws-lc
    /// loads the seed as a v1 document; what the crate cannot read is left
    /// to aws-lc's verdict.
    fn ed25519_sign_key(pkcs8: &[u8]) -> Result<Ed25519KeyPair, KeyProblem> {
        let Some((seed, public)) = ed25519_parts(pkcs8) else {
            return Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(rejected);
        };
        let mut v1 = Zeroizing::new(Vec::with_capacity(ED25519_V1_PREFIX.len() + seed.len()));
        v1.extend_from_slice(&ED25519_V1_PREFIX);
        v1.extend_from_slice(seed);
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&v1).map_err(rejected)?;
        if public.is_some_and(|public| public != pair.public_key().as_ref()) {
            return Err(KeyProblem::PrivateKey {
                reason: "InconsistentComponents".to_owned(),
            });
        }
        Ok(pair)
    }

    fn ed25519_public(key: &Ed25519KeyPair) -> &[u8] {
        key.public_key().as_ref()
    }

    fn ed25519_sign(key: &Ed25519KeyPair, msg: &[u8]) -> Option<Vec<u8>> {
        key.try_sign(msg).ok().map(|sig| sig.as_ref().to_vec())
    }

    fn sha256(data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
        out
    }
}

/// A PKCS#8 v1 `PrivateKeyInfo` for Ed25519 up to its 32-byte seed:
/// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING {
/// OCTET STRING (32 bytes) } }.
const ED25519_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An Ed25519 private key's 32-byte seed and, in a v2 document, the 32-byte
/// public key it carries.
type Ed25519Parts<'a> = (&'a [u8], Option<&'a [u8]>);

/// The seed and, for a v2 document, the public key of an Ed25519 PKCS#8
/// document in one of the forms ring reads (v1 without a public key, v2
/// with one); `None` for anything else.
fn ed25519_parts(doc: &[u8]) -> Option<Ed25519Parts<'_>> {
    let read = || -> der::Result<Option<Ed25519Parts<'_>>> {
        let outer = AnyRef::from_der(doc)?;
        if outer.tag() != Tag::Sequence {
            return Ok(None);
        }
        let mut reader = SliceReader::new(outer.value())?;
        let version: u8 = reader.decode()?;
        let algorithm: spki::AlgorithmIdentifierRef<'_> = reader.decode()?;
        if algorithm.oid != ID_ED25519 || algorithm.parameters.is_some() {
            return Ok(None);
        }
        let private: OctetStringRef<'_> = reader.decode()?;
        let seed = OctetStringRef::from_der(private.as_bytes())?.as_bytes();
        if seed.len() != 32 {
            return Ok(None);
        }
        let public = if reader.is_finished() {
            None
        } else {
            let field: AnyRef<'_> = reader.decode()?;
            let key = match field.tag() {
                Tag::ContextSpecific {
                    constructed: false,
                    number: TagNumber::N1,
                } => BitStringRef::from_bytes(field.value().get(1..).unwrap_or_default())
                    .ok()
                    .filter(|_| field.value().first() == Some(&0)),
                Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber::N1,
                } => Some(BitStringRef::from_der(field.value())?),
                _ => None,
            };
            let Some(key) = key.and_then(|k| k.as_bytes()).filter(|k| k.len() == 32) else {
                return Ok(None);
            };
            Some(key)
        };
        reader.finish(())?;
        Ok(match (version, public) {
            (0, None) | (1, Some(_)) => Some((seed, public)),
            _ => None,
        })
    };
    read().ok().flatten()
}
