//! Signing: building envelopes the way the server does.
//!
//! Every signature (envelopes, signed-JSON licenses) is made by the crypto
//! backend (`backend`), whose RSA signing is constant time and blinded and
//! whose Ed25519 signing is constant time. The rsa crate never signs: it is
//! subject to the Marvin timing attack (RUSTSEC-2023-0071), for which no
//! fixed release exists. Its one private-key use is the `.lic` writer's raw
//! type-1 operation, which no backend offers (see `license::writer`).
//!
//! Private keys never appear in `Debug` output or error text, and the DER
//! bytes read from PEM are zeroized once ring has parsed them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::algorithm::{Algorithm, Hash};
use crate::backend::{Active, Backend};
use crate::error::{Error, KeyProblem, Member, Problem, Snippet};
use crate::key::PublicKey;
use crate::keyring::check_name;
use crate::limits::Limits;
use crate::oid::ID_ED25519;
use crate::private_key::{self, Form};
use crate::{canonical, json};

/// The largest RSA modulus, in bits, a [`SigningKey`] takes (ring's limit).
pub const MAX_SIGNING_BITS: usize = 4096;

/// A private key with the algorithm it signs with: RSA (2048 to 4096
/// bits) with a hash, or Ed25519.
#[derive(Clone)]
pub struct SigningKey {
    pair: Arc<Pair>,
    public: PublicKey,
    hash: Hash,
}

enum Pair {
    Rsa(<Active as Backend>::SignKey),
    Ed25519(<Active as Backend>::Ed25519SignKey),
}

impl Pair {
    fn sign(&self, hash: Hash, msg: &[u8]) -> Option<Vec<u8>> {
        match self {
            Pair::Rsa(pair) => Active::sign(pair, hash, msg),
            Pair::Ed25519(pair) => Some(Active::ed25519_sign(pair, msg)),
        }
    }
}

/// Whether a DER PKCS#8 `PrivateKeyInfo` names `id-Ed25519` as its
/// algorithm (only the version and the AlgorithmIdentifier are read).
fn pkcs8_is_ed25519(der: &[u8]) -> bool {
    use der::{Decode, Reader, SliceReader, Tagged};
    let read = || -> der::Result<bool> {
        let outer = der::asn1::AnyRef::from_der(der)?;
        if outer.tag() != der::Tag::Sequence {
            return Ok(false);
        }
        let mut reader = SliceReader::new(outer.value())?;
        let _version: u8 = reader.decode()?;
        let algorithm: spki::AlgorithmIdentifierRef<'_> = reader.decode()?;
        Ok(algorithm.oid == ID_ED25519)
    };
    read().unwrap_or(false)
}

impl SigningKey {
    /// Loads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8, RSA or
    /// Ed25519) or `BEGIN RSA PRIVATE KEY` (PKCS#1). Encrypted keys are not
    /// supported.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = crate::pem::decode(pem)?;
        match label {
            private_key::PKCS8_LABEL => Self::from_pkcs8_der(&der),
            private_key::PKCS1_LABEL => Self::from_pkcs1_der(&der),
            other => Err(private_key::label_error(other)),
        }
    }

    /// Loads a DER private key, PKCS#8 (RSA or Ed25519; PKCS#8 v1 as
    /// `openssl genpkey` writes it, or v2 with the public key, which must
    /// match) or PKCS#1, told apart by their structure so that a refusal
    /// names the real cause.
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

    // A DER PKCS#8 `PrivateKeyInfo` holding an RSA key, or an Ed25519 key
    // (PKCS#8 v1 as `openssl genpkey` writes it, or v2 with the public key,
    // which must match).
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/ed25519.pem").unwrap();
    /// let key = respsig::SigningKey::from_pem(&pem).unwrap();
    /// assert_eq!(key.algorithm(), respsig::Algorithm::Ed25519);
    /// let envelope = key.sign_envelope("product", &serde_json::json!({"code": 200})).unwrap();
    /// let keyring = respsig::Keyring::new().with("product", key.public_key().clone()).unwrap();
    /// assert_eq!(keyring.verify(&envelope, &respsig::Policy::any_age()).unwrap().code(), Some(200));
    /// ```
    fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        if pkcs8_is_ed25519(der) {
            let pair = Active::ed25519_sign_key(der)?;
            let public = PublicKey::from_ed25519(Active::ed25519_public(&pair))?;
            return Self::checked(Pair::Ed25519(pair), public);
        }
        Self::load(der, true)
    }

    /// A DER PKCS#1 `RSAPrivateKey`.
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::load(der, false)
    }

    fn load(der: &[u8], pkcs8: bool) -> Result<Self, Error> {
        check_policy(der, pkcs8)?;
        let pair = Active::sign_key(der, pkcs8)?;
        // The public half goes through the same policy as any public key.
        let public = PublicKey::from_der(Active::public_pkcs1_der(&pair))?;
        Self::checked(Pair::Rsa(pair), public)
    }

    fn checked(pair: Pair, public: PublicKey) -> Result<Self, Error> {
        // ring checks p, q and qInv at load but not the CRT exponents dP and
        // dQ; a key with a wrong one loads and then can never sign (ring's
        // check after signing refuses the faulty result). One signature
        // here, verified, refuses such a key at load instead (found by the
        // `key` fuzz target; inputs in fuzz/regressions/key/).
        const PROBE: &[u8] = b"respsig: private key consistency check";
        let consistent = pair
            .sign(Hash::Sha256, PROBE)
            .is_some_and(|sig| public.verify_raw(PROBE, &sig));
        if !consistent {
            return Err(KeyProblem::PrivateKey {
                reason: "inconsistent key: a test signature failed".to_owned(),
            }
            .into());
        }
        Ok(SigningKey {
            hash: public.hash(),
            pair: Arc::new(pair),
            public,
        })
    }

    /// The same key, signing with `hash`. An RSA key only: an Ed25519 key
    /// has its hash built in (SHA-512) and comes back unchanged.
    pub fn with_hash(mut self, hash: Hash) -> Self {
        self.public = self.public.with_hash(hash);
        self.hash = self.public.hash();
        self
    }

    /// The hash this key signs with (for Ed25519, SHA-512, part of the
    /// algorithm).
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    /// The public half, verifying with the same hash.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// A signature over `msg` with this key's algorithm (RSASSA-PKCS1-v1_5
    /// with its hash, or Ed25519).
    pub fn sign_bytes(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.pair.sign(self.hash, msg).ok_or(Error::SigningFailed)
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

    /// Writes `license` (a JSON object) as a signed-JSON offline license,
    /// the form the PHP SDK's `validateOfflineLicense` reads:
    /// `{"license":...,"signature":"..."}`, encoded as PHP's `json_encode`
    /// with `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`, signed with
    /// this key's algorithm over the document without `signature`. The one
    /// way to write this format (`.lic` files: [`LicenseWriter`](crate::LicenseWriter)).
    ///
    /// Refuses a license with an object PHP would re-encode as an array
    /// ([`LicenseProblem::ReadsAsPhpList`](crate::LicenseProblem::ReadsAsPhpList))
    /// or nested deeper than the reader's default limit. The document is
    /// read back with the public key before it is returned.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// use respsig::{Keyring, LicensePolicy, SigningKey};
    /// let key = SigningKey::from_pem(&pem)?;
    /// let doc = key.sign_license_json(&serde_json::json!({
    ///     "license_key": "LIC-1", "hardware_id": "HW-1", "url": "https://é.example/",
    /// }))?;
    /// assert!(doc.starts_with(r#"{"license":{"license_key":"LIC-1","hardware_id":"HW-1","url":"https://é.example/"},"signature":""#));
    /// let keyring = Keyring::new().with("product", key.public_key().clone())?;
    /// let verified = keyring.verify_license("product", &doc, &LicensePolicy::new().hardware_id("HW-1"))?;
    /// assert_eq!(verified.value()["url"], "https://é.example/");
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn sign_license_json(&self, license: &Value) -> Result<String, Error> {
        crate::license::signed_json::write(&self.public, |m| self.sign_bytes(m), license)
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
            .field("algorithm", &self.algorithm())
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
