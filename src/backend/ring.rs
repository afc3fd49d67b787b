//! ring: constant-time, blinded RSA signing, and verification with the
//! 2048-8192-bit parameter sets.

use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, RsaPublicKeyComponents};

use super::Backend;
use crate::error::KeyProblem;
use crate::key::Hash;

pub(crate) struct Ring;

/// ring 0.17 has no pre-parsed public key for verification: `rsa::PublicKey`
/// can only be built inside ring, and every public verify entry point
/// (`UnparsedPublicKey`, `RsaPublicKeyComponents`) parses `n` and `e` and
/// computes the Montgomery constants on each call (`LIMBS_shl_mod`, about
/// 10% of a 2048-bit verify in a profile). The raw ring baseline pays the
/// same; the `aws-lc` backend parses once.
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
            Hash::Sha512 => &signature::RSA_PKCS1_SHA512,
        };
        let mut sig = vec![0u8; key.public().modulus_len()];
        key.sign(padding, &SystemRandom::new(), msg, &mut sig)
            .ok()
            .map(|()| sig)
    }
}
