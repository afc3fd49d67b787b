//! ring (the `ring` feature, with `default-features = false`):
//! constant-time, blinded RSA signing, and verification with the
//! 2048-8192-bit parameter sets; Ed25519 signing and verification; SHA-256.
//! For targets aws-lc does not build for; slower (see the module's
//! `VerifyKey`, and BENCHMARKS.md).

use ring::digest;
use ring::rand::SystemRandom;
use ring::signature::{
    self, Ed25519KeyPair, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey,
};

use super::Backend;
use crate::algorithm::Hash;
use crate::error::KeyProblem;

pub(crate) struct Ring;

/// ring 0.17 has no pre-parsed public key for verification: `rsa::PublicKey`
/// can only be built inside ring, and every public verify entry point
/// (`UnparsedPublicKey`, `RsaPublicKeyComponents`) parses `n` and `e` and
/// computes the Montgomery constants on each call (`LIMBS_shl_mod`, about
/// 10% of a 2048-bit verify in a profile). The raw ring baseline pays the
/// same; the aws-lc backend parses once.
pub(crate) struct VerifyKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl Backend for Ring {
    type VerifyKey = VerifyKey;
    type SignKey = RsaKeyPair;

    fn verify_key(n: &[u8], e: &[u8]) -> Result<VerifyKey, KeyProblem> {
        Ok(VerifyKey {
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    fn verify(key: &VerifyKey, hash: Hash, msg: &[u8], sig: &[u8]) -> bool {
        let params = match hash {
            Hash::Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Hash::Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Hash::Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        };
        RsaPublicKeyComponents {
            n: &key.n,
            e: &key.e,
        }
        .verify(params, msg, sig)
        .is_ok()
    }

    fn sign_key(der: &[u8], pkcs8: bool) -> Result<RsaKeyPair, KeyProblem> {
        let pair = if pkcs8 {
            RsaKeyPair::from_pkcs8(der)
        } else {
            RsaKeyPair::from_der(der)
        };
        pair.map_err(|e| KeyProblem::PrivateKey {
            reason: e.to_string(),
        })
    }

    fn public_pkcs1_der(key: &RsaKeyPair) -> &[u8] {
        key.public().as_ref()
    }

    fn sign(key: &RsaKeyPair, hash: Hash, msg: &[u8]) -> Option<Vec<u8>> {
        let padding = match hash {
            Hash::Sha256 => &signature::RSA_PKCS1_SHA256,
            Hash::Sha384 => &signature::RSA_PKCS1_SHA384,
            Hash::Sha512 => &signature::RSA_PKCS1_SHA512,
        };
        let mut sig = vec![0u8; key.public().modulus_len()];
        key.sign(padding, &SystemRandom::new(), msg, &mut sig)
            .ok()
            .map(|()| sig)
    }

    type Ed25519VerifyKey = [u8; 32];
    type Ed25519SignKey = Ed25519KeyPair;

    /// ring takes any 32 bytes and decodes the point at each verify.
    fn ed25519_verify_key(raw: &[u8; 32]) -> Result<[u8; 32], KeyProblem> {
        Ok(*raw)
    }

    fn ed25519_verify(key: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::ED25519, key)
            .verify(msg, sig)
            .is_ok()
    }

    /// PKCS#8 v1 (what `openssl genpkey` writes, no public key inside) or
    /// v2; a v2 document's public key must match the private key.
    fn ed25519_sign_key(pkcs8: &[u8]) -> Result<Ed25519KeyPair, KeyProblem> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(|e| KeyProblem::PrivateKey {
            reason: e.to_string(),
        })
    }

    fn ed25519_public(key: &Ed25519KeyPair) -> &[u8] {
        key.public_key().as_ref()
    }

    fn ed25519_sign(key: &Ed25519KeyPair, msg: &[u8]) -> Option<Vec<u8>> {
        Some(key.sign(msg).as_ref().to_vec())
    }

    fn sha256(data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
        out
    }
}
