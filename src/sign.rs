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
use crate::{canonical, json};

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

    /// Loads a DER private key, PKCS#8 or PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_pkcs8_der(der).or_else(|_| Self::from_pkcs1_der(der))
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
        write_base64(&response_base64, &mut out);
        out.extend_from_slice(b",\"private_key_used\":");
        canonical::write_str(name, &mut out);
        out.extend_from_slice(b",\"signature\":");
        write_base64(&signature, &mut out);
        out.push(b'}');
        // The canonical writer emits ASCII only, so this is a check, not a
        // copy (a copy byte by byte cost as much as the canonical writer);
        // the lossy branch is never taken.
        Ok(String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

/// A base64 text as a JSON string, as [`canonical::write_str`] writes it
/// (PHP's default flags): of the base64 alphabet only `/` is escaped, as
/// `\/`. Copies the runs between slashes whole instead of character by
/// character, which took more time than writing the payload itself.
fn write_base64(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for (i, run) in text.split('/').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\\/");
        }
        out.extend_from_slice(run.as_bytes());
    }
    out.push(b'"');
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_base64` writes what the canonical string writer writes, on
    /// every base64 character in every position.
    #[test]
    fn base64_strings_as_the_canonical_writer() {
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        let mut texts = vec![
            String::new(),
            "/".to_owned(),
            "//".to_owned(),
            "a/".to_owned(),
        ];
        texts.push(alphabet.to_owned());
        texts.push(alphabet.chars().rev().collect());
        texts.push(alphabet.repeat(40));
        for text in texts {
            let (mut ours, mut canonical) = (Vec::new(), Vec::new());
            write_base64(&text, &mut ours);
            canonical::write_str(&text, &mut canonical);
            assert_eq!(ours, canonical, "{text}");
        }
    }
}
