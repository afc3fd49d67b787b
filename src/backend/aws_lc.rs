//! aws-lc-rs (the `aws-lc` feature): public keys parsed once, at load, into
//! aws-lc's own form, so a verify is the RSA operation and nothing else;
//! signing with aws-lc's constant-time, blinded private-key operation.
//!
//! Both backends must accept and refuse the same keys with the same errors
//! (the test suite runs under both). aws-lc accepts private keys ring
//! refuses (up to 8192 bits, any exponent) and refuses one ring accepts (a
//! wrong `d`, which ring never uses), so a private key is first loaded by
//! ring, whose verdict and error stand; aws-lc then signs with it, or, for
//! the rare key aws-lc's own consistency check refuses, ring does.
//!
//! Ed25519: verification with aws-lc (the key parsed once, at load);
//! signing with ring, whose Ed25519 is constant time too. Ed25519
//! signatures are deterministic, so both give the same bytes.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, ParsedPublicKey, RsaKeyPair as AwsKeyPair, RsaPublicKeyComponents,
};

use super::Backend;
use super::ring::Ring;
use crate::algorithm::Hash;
use crate::error::KeyProblem;

pub(crate) struct AwsLc;

/// One parsed key per hash: aws-lc binds the algorithm into the parsed key,
/// and the hash is chosen per [`crate::PublicKey`] after loading.
pub(crate) struct VerifyKey {
    sha256: ParsedPublicKey,
    sha384: ParsedPublicKey,
    sha512: ParsedPublicKey,
}

pub(crate) enum SignKey {
    AwsLc {
        pair: AwsKeyPair,
        /// ring's PKCS#1 encoding of the public half, so both backends
        /// hand out the same bytes.
        public: Vec<u8>,
    },
    Ring(<Ring as Backend>::SignKey),
}

impl Backend for AwsLc {
    type VerifyKey = VerifyKey;
    type SignKey = SignKey;

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

    fn sign_key(der: &[u8], pkcs8: bool) -> Result<SignKey, KeyProblem> {
        let ring = Ring::sign_key(der, pkcs8)?;
        let pair = if pkcs8 {
            AwsKeyPair::from_pkcs8(der)
        } else {
            AwsKeyPair::from_der(der)
        };
        Ok(match pair {
            Ok(pair) => SignKey::AwsLc {
                public: Ring::public_pkcs1_der(&ring).to_vec(),
                pair,
            },
            Err(_) => SignKey::Ring(ring),
        })
    }

    fn public_pkcs1_der(key: &SignKey) -> &[u8] {
        match key {
            SignKey::AwsLc { public, .. } => public,
            SignKey::Ring(ring) => Ring::public_pkcs1_der(ring),
        }
    }

    fn sign(key: &SignKey, hash: Hash, msg: &[u8]) -> Option<Vec<u8>> {
        let pair = match key {
            SignKey::AwsLc { pair, .. } => pair,
            SignKey::Ring(ring) => return Ring::sign(ring, hash, msg),
        };
        let padding = match hash {
            Hash::Sha256 => &signature::RSA_PKCS1_SHA256,
            Hash::Sha384 => &signature::RSA_PKCS1_SHA384,
            Hash::Sha512 => &signature::RSA_PKCS1_SHA512,
        };
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(padding, &SystemRandom::new(), msg, &mut sig)
            .ok()
            .map(|()| sig)
    }

    type Ed25519VerifyKey = ParsedPublicKey;
    type Ed25519SignKey = <Ring as Backend>::Ed25519SignKey;

    /// aws-lc, like ring, takes any 32 bytes (no point check at load).
    fn ed25519_verify_key(raw: &[u8; 32]) -> Result<ParsedPublicKey, KeyProblem> {
        ParsedPublicKey::new(&signature::ED25519, raw).map_err(|_| KeyProblem::Der)
    }

    fn ed25519_verify(key: &ParsedPublicKey, msg: &[u8], sig: &[u8]) -> bool {
        key.verify_sig(msg, sig).is_ok()
    }

    fn ed25519_sign_key(pkcs8: &[u8]) -> Result<Self::Ed25519SignKey, KeyProblem> {
        Ring::ed25519_sign_key(pkcs8)
    }

    fn ed25519_public(key: &Self::Ed25519SignKey) -> &[u8] {
        Ring::ed25519_public(key)
    }

    fn ed25519_sign(key: &Self::Ed25519SignKey, msg: &[u8]) -> Vec<u8> {
        Ring::ed25519_sign(key, msg)
    }
}
