//! Writing offline license files (feature `license-writer`).
//!
//! A license file is standard base64 of RSA blocks: the license JSON cut
//! into chunks of at most `k - 11` bytes (`k` = modulus bytes), each chunk
//! given PKCS#1 v1.5 type-1 padding and put through the private-key
//! operation. That is what PHP's `openssl_private_encrypt` and `openssl
//! rsautl -sign` do, and because type-1 padding is deterministic the output
//! is byte for byte theirs.
//!
//! # Constant-time story
//!
//! ring, which makes every envelope signature, has no raw private-key
//! operation over caller-padded data, so this one operation goes through
//! the rsa crate (`RsaPrivateKey::sign_with_rng` with an unprefixed PKCS#1
//! v1.5 scheme). That path is **blinded** (a fresh random blinding factor
//! from the operating system per block) and checks its result against the
//! public key before returning it, but the rsa crate's big-integer
//! arithmetic is not constant time: RUSTSEC-2023-0071 (the Marvin attack)
//! applies to it. Blinding keeps the timing from revealing the key for a
//! given input; the advisory's residual risk is an attacker who can make a
//! server write many licenses for inputs they choose and time each one
//! precisely. Write licenses where that timing is not observable (an
//! offline tool, a queue, a job that does not answer per request), or not
//! at all from an endpoint that answers attacker-chosen input immediately.
//! `supply-chain/README.md` records this decision.
//!
//! Every file gets one more member, [`INTEGRITY_MEMBER`]: the SHA-256 of
//! the canonical bytes of the license without it (see the `blocks`
//! module), so that blocks of two files cannot be combined unnoticed. The
//! PHP SDK ignores members it does not know.
//!
//! Every file written is read back with the public key before it is
//! returned, so the writer never hands out a file the reader refuses.
//!
//! The other offline format, the signed-JSON document, is an ordinary
//! signature made by the crypto backend:
//! [`SigningKey::sign_license_json`].

use std::fmt;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::Value;

use crate::error::{Error, KeyProblem, LicenseProblem, Problem, Snippet};
use crate::key::PublicKey;
use crate::license::{self, INTEGRITY_MEMBER, integrity_digest};
use crate::limits::Limits;
use crate::sign::SigningKey;
use crate::{canonical, json};

/// Bytes of a block taken by the type-1 padding (`00 01`, at least eight
/// `FF`, `00`).
const PADDING: usize = 11;

/// An RSA private key (2048 to 4096 bits) that writes offline license
/// files.
///
/// ```
/// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem")?;
/// # let public = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem")?;
/// use respsig::{Keyring, LicensePolicy, LicenseWriter, PublicKey};
///
/// let writer = LicenseWriter::from_pem(&pem)?;
/// let license = serde_json::json!({
///     "license_key": "LIC-2024-ABCD1234",
///     "hardware_id": "HW-1234",
///     "expires_at": "2035-12-31",
/// });
/// let file = writer.write(&license)?;
///
/// // A client reads it back with the public key only.
/// let keyring = Keyring::new().with("product", PublicKey::from_pem(&public)?)?;
/// let policy = LicensePolicy::new().hardware_id("HW-1234");
/// let verified = keyring.verify_license("product", &file, &policy)?;
/// assert!(verified.has_integrity());
/// assert_eq!(verified.license().hardware_id.as_deref(), Some("HW-1234"));
/// assert_eq!(verified.value().as_object().unwrap().len(), 4); // and the integrity member
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LicenseWriter {
    key: RsaPrivateKey,
    public: PublicKey,
}

impl LicenseWriter {
    /// Loads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8) or
    /// `BEGIN RSA PRIVATE KEY` (PKCS#1), under the same rules as
    /// [`SigningKey::from_pem`] (2048 to 4096 bits, e = 65537 or more, a
    /// consistent key).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        // The signing key's loader applies the size and exponent policy,
        // checks the PEM label and proves the key consistent.
        let signing = SigningKey::from_pem(pem)?;
        let (_, der) = crate::pem::decode(pem)?;
        Self::finish(&signing, &der)
    }

    /// Loads a private key file's bytes, PEM or DER, as
    /// [`PublicKey::from_pem_or_der`](crate::PublicKey::from_pem_or_der)
    /// reads a public key file.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        crate::pem::either(bytes, Self::from_pem, Self::from_der)
    }

    /// Loads a DER private key, PKCS#8 or PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::finish(&SigningKey::from_der(der)?, der)
    }

    /// The rsa crate's form of a key `signing` has accepted.
    fn finish(signing: &SigningKey, der: &[u8]) -> Result<Self, Error> {
        let key = RsaPrivateKey::from_pkcs8_der(der)
            .or_else(|_| RsaPrivateKey::from_pkcs1_der(der))
            // The error names no key material; the rsa crate's own message
            // could quote the input.
            .map_err(|_| KeyProblem::PrivateKey {
                reason: "the rsa crate could not read this key".to_owned(),
            })?;
        Ok(LicenseWriter {
            key,
            public: signing.public_key().clone(),
        })
    }

    /// The public half: what a client needs to read the files.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Writes `license` (a JSON object) as a license file: the canonical
    /// form of the value (PHP's `json_encode`, as the server writes it)
    /// with [`INTEGRITY_MEMBER`] added at the end, then the blocks, base64,
    /// no line breaks and no final newline.
    pub fn write(&self, license: &Value) -> Result<String, Error> {
        if !license.is_object() {
            return Err(LicenseProblem::Json {
                problem: Problem::NotAnObject,
            }
            .into());
        }
        self.write_json(&canonical::to_vec(license))
    }

    /// Writes the exact bytes `json_text`, with [`INTEGRITY_MEMBER`]
    /// inserted before the final `}`, as a license file. They must be a
    /// JSON object the reader accepts (UTF-8, no duplicate members, within
    /// the default depth) without that member; the file must fit the
    /// reader's default size limit.
    pub fn write_json(&self, json_text: &[u8]) -> Result<String, Error> {
        use base64ct::{Base64, Encoding};

        let limits = Limits::default();
        let value = json::parse_nested(json_text, limits.depth_limit(), 0)
            .map_err(|problem| LicenseProblem::Json { problem })?;
        let Some(members) = value.as_object() else {
            return Err(LicenseProblem::Json {
                problem: Problem::NotAnObject,
            }
            .into());
        };
        if members.contains_key(INTEGRITY_MEMBER) {
            return Err(LicenseProblem::Json {
                problem: Problem::DuplicateKey {
                    key: Snippet::new(INTEGRITY_MEMBER),
                },
            }
            .into());
        }
        // The digest is over the license as the reader will see it.
        let member = format!("\"{INTEGRITY_MEMBER}\":\"{}\"", integrity_digest(&value));
        let end = json_text
            .iter()
            .rposition(|&b| b == b'}')
            .ok_or(Error::SigningFailed)?;
        let mut text = Vec::with_capacity(json_text.len() + member.len() + 1);
        text.extend_from_slice(&json_text[..end]);
        if !members.is_empty() {
            text.push(b',');
        }
        text.extend_from_slice(member.as_bytes());
        text.extend_from_slice(&json_text[end..]);

        let k = self.public.signature_len();
        // Refuse a file the reader would refuse as too large before doing
        // any private-key work: blocks, then base64.
        let blocks = text.len().div_ceil(k - PADDING);
        limits.check_len((blocks * k).div_ceil(3) * 4)?;

        let mut rng = rsa::rand_core::OsRng;
        let mut out = Vec::with_capacity(blocks * k);
        for chunk in text.chunks(k - PADDING) {
            let block = self
                .key
                .sign_with_rng(&mut rng, Pkcs1v15Sign::new_unprefixed(), chunk)
                .map_err(|_| Error::SigningFailed)?;
            out.extend_from_slice(&block);
        }
        let file = Base64::encode_string(&out);

        // Read it back as a client would; a fault anywhere above shows here.
        let read = license::read_back(&self.public, file.as_bytes())?;
        if read.signed_bytes() != text || !read.has_integrity() {
            return Err(Error::SigningFailed);
        }
        Ok(file)
    }
}

impl fmt::Debug for LicenseWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseWriter")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}
