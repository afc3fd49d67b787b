//! Signing: building envelopes the way the server does.
//!
//! All private-key operations go through ring, whose RSA signing is
//! constant-time and blinded. The rsa crate's signing is not used: it is
//! subject to the Marvin timing attack (RUSTSEC-2023-0071), for which no
//! fixed release exists.
//!
//! Private keys never appear in `Debug` output or error text, and the DER
//! bytes read from PEM are zeroized once ring has parsed them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::backend::{Active, Backend};
use crate::envelope::Limits;
use crate::error::{Error, KeyProblem, Member, Problem, Snippet};
use crate::key::{Hash, PublicKey};
use crate::keyring::check_name;
use crate::private_key::{self, Form};
use crate::{canonical, json};

/// The largest modulus, in bits, a [`SigningKey`] takes (ring's limit).
pub const MAX_SIGNING_BITS: usize = 4096;

/// An RSA private key (2048 to 4096 bits) with the hash it signs with.
#[derive(Clone)]
pub struct SigningKey {
    pair: Arc<<Active as Backend>::SignKey>,
    public: PublicKey,
    hash: Hash,
}

impl SigningKey {
    /// Loads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8) or
    /// `BEGIN RSA PRIVATE KEY` (PKCS#1). Encrypted keys are not supported.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = crate::pem::decode(pem)?;
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            other => Err(KeyProblem::PemLabel {
                found: Snippet::new(other),
                expected: "PRIVATE KEY, RSA PRIVATE KEY",
            }
            .into()),
        }
    }

    /// Loads a DER private key, PKCS#8 or PKCS#1 (told apart by their
    /// structure, so a refusal names the real cause).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        match Form::of(der) {
            Form::Pkcs8 => Self::from_pkcs8_der(der),
            Form::Pkcs1 => Self::from_pkcs1_der(der),
        }
    }

    /// Loads a private key file's bytes, PEM or DER, as
    /// [`PublicKey::from_pem_or_der`] reads a public key file.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        crate::pem::either(bytes, Self::from_pem, Self::from_der)
    }

    /// Loads a DER PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        Self::load(der, true)
    }

    /// Loads a DER PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::load(der, false)
    }

    fn load(der: &[u8], pkcs8: bool) -> Result<Self, Error> {
        check_policy(der, pkcs8)?;
        let pair = Active::sign_key(der, pkcs8)?;
        // The public half goes through the same policy as any public key.
        let public = PublicKey::from_pkcs1_der(Active::public_pkcs1_der(&pair))?;
        // ring checks p, q and qInv at load but not the CRT exponents dP and
        // dQ; a key with a wrong one loads and then can never sign (ring's
        // check after signing refuses the faulty result). One signature
        // here, verified, refuses such a key at load instead (found by the
        // `key` fuzz target; inputs in fuzz/regressions/key/).
        const PROBE: &[u8] = b"respsig: private key consistency check";
        let consistent = Active::sign(&pair, Hash::Sha256, PROBE)
            .is_some_and(|sig| public.verify_raw(PROBE, &sig));
        if !consistent {
            return Err(KeyProblem::PrivateKey {
                reason: "inconsistent key: a test signature failed".to_owned(),
            }
            .into());
        }
        Ok(SigningKey {
            pair: Arc::new(pair),
            public,
            hash: Hash::Sha256,
        })
    }

    /// The same key, signing with `hash`.
    pub fn with_hash(mut self, hash: Hash) -> Self {
        self.hash = hash;
        self.public = self.public.with_hash(hash);
        self
    }

    /// The hash this key signs with.
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// The public half, verifying with the same hash.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// RSASSA-PKCS1-v1_5 signature over `msg`.
    pub fn sign_bytes(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        Active::sign(&self.pair, self.hash, msg).ok_or(Error::SigningFailed)
    }

    /// Signs `response` into an envelope under the key name `name`,
    /// members in the server's order: `response`, `response_base64`,
    /// `private_key_used`, `signature`. The payload is the canonical form of
    /// `response`, which must be a JSON object. The envelope is written the
    /// way PHP writes it (`\/` in the base64 strings).
    pub fn sign_envelope(&self, name: &str, response: &Value) -> Result<String, Error> {
        use base64ct::{Base64, Encoding};

        check_name(name)?;
        if !response.is_object() {
            return Err(Error::Malformed {
                member: Member::Response,
                problem: Problem::NotAnObject,
            });
        }
        // Never make an envelope the default verifier refuses: `response`
        // sits one level inside the envelope.
        let limit = Limits::DEFAULT_MAX_DEPTH;
        if json::depth(response) + 1 > limit {
            return Err(Error::Malformed {
                member: Member::Response,
                problem: Problem::TooDeep { limit },
            });
        }
        let payload = canonical::to_vec(response);
        let response_base64 = Base64::encode_string(&payload);
        let signature = Base64::encode_string(&self.sign_bytes(response_base64.as_bytes())?);

        let mut out = Vec::with_capacity(payload.len() * 2 + signature.len() + 96);
        out.extend_from_slice(b"{\"response\":");
        out.extend_from_slice(&payload);
        out.extend_from_slice(b",\"response_base64\":");
        canonical::write_str(&response_base64, &mut out);
        out.extend_from_slice(b",\"private_key_used\":");
        canonical::write_str(name, &mut out);
        out.extend_from_slice(b",\"signature\":");
        canonical::write_str(&signature, &mut out);
        out.push(b'}');
        // The canonical writer emits ASCII only.
        Ok(out.into_iter().map(char::from).collect())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("bits", &self.public.bits())
            .field("hash", &self.hash)
            .field("public_sha256", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

/// Signing keys by name, as a server holds them (`product`, `global`).
#[derive(Debug, Clone, Default)]
pub struct Signer {
    keys: BTreeMap<String, SigningKey>,
}

impl Signer {
    /// A signer with no keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the key for `name`.
    pub fn with(mut self, name: &str, key: SigningKey) -> Result<Self, Error> {
        check_name(name)?;
        self.keys.insert(name.to_owned(), key);
        Ok(self)
    }

    /// The key configured for `name`.
    pub fn key(&self, name: &str) -> Option<&SigningKey> {
        self.keys.get(name)
    }

    /// Signs `response` with the key named `name` (see
    /// [`SigningKey::sign_envelope`]).
    pub fn sign(&self, name: &str, response: &Value) -> Result<String, Error> {
        let key = self.keys.get(name).ok_or_else(|| Error::UnknownKeyName {
            name: Snippet::new(name),
        })?;
        key.sign_envelope(name, response)
    }
}

/// The key policy, applied to a private key's modulus and exponent before
/// the backend sees the key, so that a refusal says why (`TooSmall { bits }`,
/// `SmallExponent { e }`, `TooLarge { bits, max }`) as it does for public
/// keys. A key whose structure does not parse is left to the backend,
/// which names the encoding problem.
fn check_policy(der: &[u8], pkcs8: bool) -> Result<(), Error> {
    let form = if pkcs8 { Form::Pkcs8 } else { Form::Pkcs1 };
    let Ok(Some(half)) = private_key::rsa_public_half(der, form) else {
        return Ok(());
    };
    let public = PublicKey::from_components(half.n, half.e)?;
    if public.bits() > MAX_SIGNING_BITS {
        return Err(KeyProblem::TooLarge {
            bits: public.bits(),
            max: MAX_SIGNING_BITS,
        }
        .into());
    }
    Ok(())
}
