//! Public keys: loading from PEM, DER or raw components, and the size
//! policy. What a key verifies with ([`Algorithm`], [`Hash`]) is in
//! `algorithm.rs`.
//!
//! Two kinds of key: RSA (RSASSA-PKCS1-v1_5 with SHA-256, SHA-384 or
//! SHA-512) and Ed25519. Each key carries the one [`Algorithm`] it verifies
//! with, set by the caller when the key is configured; no envelope content
//! can change it.
//!
//! Policy, applied at load time so that a bad key never reaches a verify:
//! for RSA, modulus 2048 to 8192 bits, public exponent odd and between
//! 65537 and 2^33 - 1 (small exponents such as 3 invite Bleichenbacher-style
//! forgeries against sloppy verifiers and the server uses 65537).
//! [`KeyPolicy::allow_small_exponent`] is the one, explicit, way to load a
//! key with an exponent from 3 up: interoperability with old keys, and test
//! suites such as Wycheproof that build edge cases on e = 3. The verifier's
//! padding check is an exact comparison of the whole encoded block (ring),
//! so the e = 3 forgeries that parse the padding loosely do not apply.
//! Which hash a key verifies with is the caller's choice, made here, never
//! the envelope's.
//!
//! An Ed25519 key is 32 bytes (raw, or in a SubjectPublicKeyInfo with
//! algorithm id-Ed25519 and no parameters, RFC 8410), loaded as ring loads
//! it: any 32 bytes are a key, and one that is not the encoding of a curve
//! point simply verifies nothing (the point is decoded, and signatures'
//! `S` range-checked, at each verify, by ring or aws-lc alike).

use std::fmt;
use std::sync::Arc;

use der::asn1::{AnyRef, BitStringRef, UintRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use crate::algorithm::{Algorithm, Hash};
use crate::backend::{Active, Backend};
use crate::error::{Error, KeyProblem, Snippet};
use crate::oid::{ID_ED25519, RSA_ENCRYPTION};

/// The length of an Ed25519 public key, in bytes.
pub const ED25519_KEY_LEN: usize = 32;
/// The length of an Ed25519 signature, in bytes.
const ED25519_SIG_LEN: usize = 64;

/// Smallest modulus accepted, in bits.
pub const MIN_BITS: usize = 2048;
/// Largest modulus accepted, in bits.
pub const MAX_BITS: usize = 8192;

/// The keys configured under one name, with the name as the keyring
/// stores it: what a verifier is given to try.
pub(crate) type Named<'k> = (&'k Arc<str>, &'k [PublicKey]);

/// A public key that passed the key policy: RSA with the hash it verifies
/// with, or Ed25519. Cheap to clone.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<Inner>,
    /// For RSA keys; Ed25519's hash is fixed.
    hash: Hash,
}

struct Inner {
    spki_der: Vec<u8>,
    kind: Kind,
}

enum Kind {
    Rsa {
        /// Big-endian, no leading zeros.
        n: Vec<u8>,
        e: Vec<u8>,
        bits: usize,
        modulus_len: usize,
        backend: <Active as Backend>::VerifyKey,
    },
    Ed25519 {
        backend: <Active as Backend>::Ed25519VerifyKey,
    },
}

/// What a key must satisfy to be loaded. The default is the strict policy
/// every `PublicKey::from_*` constructor applies: for RSA, modulus 2048 to
/// 8192 bits, exponent odd and 65537 to 2^33 - 1; for Ed25519, 32 bytes.
///
/// ```
/// use respsig::{KeyPolicy, KeyProblem, Error};
/// # let (n, e3) = (vec![0xffu8; 256], [3u8]);
/// assert_eq!(
///     respsig::PublicKey::from_components(&n, &e3),
///     Err(Error::KeyRejected(KeyProblem::SmallExponent { e: 3 }))
/// );
/// let pem = respsig::PublicKey::from_components(&n, &[1, 0, 1]).unwrap().to_pem();
/// # let pem = pem.replace("AQAB", "AQAB"); // a key with e = 65537 loads either way
/// let key = KeyPolicy::default().allow_small_exponent().load(pem.as_bytes()).unwrap();
/// assert_eq!(key.bits(), 2048);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyPolicy {
    small_exponent: bool,
}

impl KeyPolicy {
    /// The strict policy (the same as `KeyPolicy::default()`).
    pub const fn strict() -> Self {
        KeyPolicy {
            small_exponent: false,
        }
    }

    /// Also accept odd public exponents from 3 to 65535. Only for keys you
    /// cannot replace and for test suites; the server's keys use 65537.
    pub const fn allow_small_exponent(mut self) -> Self {
        self.small_exponent = true;
        self
    }

    /// Loads a public key file's bytes under this policy, read as
    /// [`PublicKey::from_pem_or_der`] reads them (PEM, DER
    /// SubjectPublicKeyInfo or PKCS#1, or a raw 32-byte Ed25519 key).
    pub fn load(&self, bytes: &[u8]) -> Result<PublicKey, Error> {
        crate::pem::either(
            bytes,
            |pem| self.load_pem(pem),
            |der| {
                if der.len() == ED25519_KEY_LEN {
                    self.load_ed25519(der)
                } else {
                    self.load_der(der)
                }
            },
        )
    }

    /// A PEM public key: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or
    /// `BEGIN RSA PUBLIC KEY` (PKCS#1).
    fn load_pem(&self, pem: &str) -> Result<PublicKey, Error> {
        let (label, der) = crate::pem::decode(pem)?;
        match label {
            "PUBLIC KEY" => self.load_spki_der(&der),
            "RSA PUBLIC KEY" => self.load_pkcs1_der(&der),
            other => Err(KeyProblem::PemLabel {
                found: Snippet::new(other),
                expected: "PUBLIC KEY, RSA PUBLIC KEY",
            }
            .into()),
        }
    }

    /// A DER public key, SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`
    /// (the two are told apart by their structure).
    fn load_der(&self, der: &[u8]) -> Result<PublicKey, Error> {
        match self.load_spki_der(der) {
            Err(Error::KeyRejected(KeyProblem::Der)) => self.load_pkcs1_der(der),
            other => other,
        }
    }

    /// A DER SubjectPublicKeyInfo with algorithm `rsaEncryption` (an RSA
    /// key, verifying with SHA-256 until [`with_hash`](PublicKey::with_hash))
    /// or `id-Ed25519` (an Ed25519 key).
    fn load_spki_der(&self, der: &[u8]) -> Result<PublicKey, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyProblem::Der)?;
        let key = spki.subject_public_key.as_bytes().ok_or(KeyProblem::Der)?;
        if spki.algorithm.oid == ID_ED25519 {
            // RFC 8410: the parameters of id-Ed25519 are absent.
            if spki.algorithm.parameters.is_some() {
                return Err(KeyProblem::Der.into());
            }
            return self.load_ed25519(key);
        }
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(KeyProblem::UnsupportedAlgorithm.into());
        }
        // RFC 3279: the parameters of rsaEncryption are NULL.
        if spki.algorithm.parameters != Some(AnyRef::NULL) {
            return Err(KeyProblem::Der.into());
        }
        self.load_pkcs1_der(key)
    }

    /// A raw Ed25519 public key: exactly 32 bytes (RFC 8032's encoding of
    /// the point `A`).
    fn load_ed25519(&self, raw: &[u8]) -> Result<PublicKey, Error> {
        let raw: &[u8; ED25519_KEY_LEN] = raw
            .try_into()
            .map_err(|_| KeyProblem::Ed25519Length { len: raw.len() })?;
        if is_small_order(raw) {
            return Err(KeyProblem::Ed25519SmallOrder.into());
        }
        let spki_der = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: ID_ED25519,
                parameters: None,
            },
            subject_public_key: BitStringRef::from_bytes(raw).map_err(|_| KeyProblem::Der)?,
        }
        .to_der()
        .map_err(|_| KeyProblem::Der)?;
        Ok(PublicKey {
            inner: Arc::new(Inner {
                spki_der,
                kind: Kind::Ed25519 {
                    backend: Active::ed25519_verify_key(raw)?,
                },
            }),
            hash: Hash::Sha512,
        })
    }

    /// A DER PKCS#1 `RSAPublicKey`.
    fn load_pkcs1_der(&self, der: &[u8]) -> Result<PublicKey, Error> {
        let key = pkcs1::RsaPublicKey::from_der(der).map_err(|_| KeyProblem::Der)?;
        self.load_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    }

    /// A key from its big-endian modulus and public exponent (leading zero
    /// bytes allowed).
    fn load_components(&self, n: &[u8], e: &[u8]) -> Result<PublicKey, Error> {
        let n = strip_zeros(n);
        let e = strip_zeros(e);
        let bits = bit_len(n);
        if bits < MIN_BITS {
            return Err(KeyProblem::TooSmall {
                bits,
                min: MIN_BITS,
            }
            .into());
        }
        if bits > MAX_BITS {
            return Err(KeyProblem::TooLarge {
                bits,
                max: MAX_BITS,
            }
            .into());
        }
        let odd = e.last().is_some_and(|b| b & 1 == 1);
        let e_bits = bit_len(e);
        if !odd || !(2..=33).contains(&e_bits) {
            return Err(KeyProblem::BadExponent.into());
        }
        // Every odd value of 17 bits or more is at least 65537.
        if e_bits < 17 && !self.small_exponent {
            let e = e.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            return Err(KeyProblem::SmallExponent { e }.into());
        }
        if n.last().is_some_and(|b| b & 1 == 0) {
            return Err(KeyProblem::InvalidModulus.into());
        }
        let spki_der = encode_spki(n, e)?;
        let backend = Active::verify_key(n, e)?;
        Ok(PublicKey {
            inner: Arc::new(Inner {
                spki_der,
                kind: Kind::Rsa {
                    n: n.to_vec(),
                    e: e.to_vec(),
                    bits,
                    modulus_len: n.len(),
                    backend,
                },
            }),
            hash: Hash::Sha256,
        })
    }
}

impl PublicKey {
    /// Loads a PEM public key: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo, RSA
    /// or Ed25519) or `BEGIN RSA PUBLIC KEY` (PKCS#1), under the strict
    /// [`KeyPolicy`]. An RSA key verifies with SHA-256 unless
    /// [`with_hash`](Self::with_hash) says otherwise.
    ///
    /// ```
    /// let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// let key = respsig::PublicKey::from_pem(&pem).unwrap();
    /// assert_eq!(key.bits(), 2048);
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        KeyPolicy::strict().load_pem(pem)
    }

    /// Loads a DER public key, SubjectPublicKeyInfo or PKCS#1
    /// `RSAPublicKey`, under the strict [`KeyPolicy`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        KeyPolicy::strict().load_der(der)
    }

    /// Loads a key file's bytes as OpenSSL reads them: PEM when they hold
    /// a `-----BEGIN ` line (text, a comment or a UTF-8 BOM before it is
    /// ignored), a raw Ed25519 key when they are exactly
    /// [`ED25519_KEY_LEN`] bytes (no DER key is that short), DER otherwise;
    /// under the strict [`KeyPolicy`].
    ///
    /// ```
    /// let bytes = std::fs::read("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// let with_bom = [&b"\xef\xbb\xbf"[..], &bytes].concat();
    /// let key = respsig::PublicKey::from_pem_or_der(&with_bom).unwrap();
    /// assert_eq!(key.bits(), 2048);
    /// ```
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        KeyPolicy::strict().load(bytes)
    }

    /// Loads a raw 32-byte Ed25519 public key.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/ed25519.pem").unwrap();
    /// let signer = respsig::SigningKey::from_pem(&pem).unwrap();
    /// let raw = std::fs::read("testdata/keys/ed25519.pub.raw").unwrap();
    /// let key = respsig::PublicKey::from_ed25519(&raw).unwrap();
    /// assert_eq!(key.algorithm(), respsig::Algorithm::Ed25519);
    /// assert_eq!(&key, signer.public_key());
    /// let sig = signer.sign_bytes(b"hello").unwrap();
    /// assert_eq!(key.verify_signature(b"hello", &sig), Ok(()));
    /// ```
    pub fn from_ed25519(raw: &[u8]) -> Result<Self, Error> {
        KeyPolicy::strict().load_ed25519(raw)
    }

    /// The public half of a private key file's bytes: PEM (`BEGIN PRIVATE
    /// KEY` or `BEGIN RSA PRIVATE KEY`) or DER (PKCS#8 or PKCS#1), under the
    /// strict [`KeyPolicy`]. For RSA, any size a verifier accepts, including
    /// sizes a [`SigningKey`](crate::SigningKey) refuses (the key is only
    /// read, not loaded for signing); for Ed25519, the public key the
    /// backend derives from the seed.
    ///
    /// ```
    /// let private = std::fs::read("testdata/keys/rsa2048.pem").unwrap();
    /// let public = respsig::PublicKey::from_private(&private).unwrap();
    /// let expected = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
    /// assert_eq!(public, respsig::PublicKey::from_pem(&expected).unwrap());
    /// ```
    pub fn from_private(bytes: &[u8]) -> Result<Self, Error> {
        crate::pem::either(
            bytes,
            |pem| {
                let (label, der) = crate::pem::decode(pem)?;
                match label {
                    crate::private_key::PKCS8_LABEL | crate::private_key::PKCS1_LABEL => {
                        Self::from_private_der(&der)
                    }
                    other => Err(crate::private_key::label_error(other)),
                }
            },
            Self::from_private_der,
        )
    }

    fn from_private_der(der: &[u8]) -> Result<Self, Error> {
        let form = crate::private_key::Form::of(der);
        match crate::private_key::rsa_public_half(der, form)? {
            Some(half) => Self::from_components(half.n, half.e),
            None => {
                let pair = Active::ed25519_sign_key(der)?;
                Self::from_ed25519(Active::ed25519_public(&pair))
            }
        }
    }

    /// Builds a key from its big-endian modulus and public exponent
    /// (leading zero bytes allowed), under the strict [`KeyPolicy`].
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        KeyPolicy::strict().load_components(n, e)
    }

    /// The same key, verifying with `hash`. An RSA key only: an Ed25519
    /// key has its hash built in (SHA-512) and comes back unchanged.
    pub fn with_hash(mut self, hash: Hash) -> Self {
        if self.is_rsa() {
            self.hash = hash;
        }
        self
    }

    /// The hash this key verifies with: for RSA the configured one, for
    /// Ed25519 SHA-512 (part of the algorithm, not a choice).
    pub fn hash(&self) -> Hash {
        self.hash
    }

    /// The algorithm this key verifies with.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner.kind {
            Kind::Rsa { .. } => Algorithm::rsa(self.hash),
            Kind::Ed25519 { .. } => Algorithm::Ed25519,
        }
    }

    fn is_rsa(&self) -> bool {
        matches!(self.inner.kind, Kind::Rsa { .. })
    }

    /// The key size in bits: the RSA modulus length, or 256 for Ed25519.
    pub fn bits(&self) -> usize {
        match self.inner.kind {
            Kind::Rsa { bits, .. } => bits,
            Kind::Ed25519 { .. } => ED25519_KEY_LEN * 8,
        }
    }

    /// The length in bytes every signature under this key has: the RSA
    /// modulus length, or 64 for Ed25519.
    pub fn signature_len(&self) -> usize {
        match self.inner.kind {
            Kind::Rsa { modulus_len, .. } => modulus_len,
            Kind::Ed25519 { .. } => ED25519_SIG_LEN,
        }
    }

    /// The key as DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki_der
    }

    /// The key as PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        crate::pem::encode("PUBLIC KEY", self.spki_der())
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER, lowercase hex: a fingerprint
    /// to pin the key by.
    pub fn fingerprint(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.spki_der());
        crate::hex::encode(digest.as_ref())
    }

    /// Verification of `sig` over the raw bytes `msg` with this key's
    /// algorithm (RSASSA-PKCS1-v1_5 with the key's hash, or Ed25519): the
    /// primitive under envelope verification, for
    /// protocols that sign other bytes. Any mismatch, including a signature
    /// of the wrong length, is [`Error::BadSignature`]. For envelopes use
    /// [`Keyring::verify`](crate::Keyring::verify), which also decides
    /// which bytes are signed.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// let signer = respsig::SigningKey::from_pem(&pem).unwrap();
    /// let sig = signer.sign_bytes(b"hello").unwrap();
    /// let key = signer.public_key();
    /// assert_eq!(key.verify_signature(b"hello", &sig), Ok(()));
    /// assert_eq!(key.verify_signature(b"hellO", &sig), Err(respsig::Error::BadSignature));
    /// ```
    pub fn verify_signature(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        match self.verify_raw(msg, sig) {
            true => Ok(()),
            false => Err(Error::BadSignature),
        }
    }

    /// The modulus and public exponent, big-endian without leading zeros
    /// (`None` for an Ed25519 key).
    pub(crate) fn components(&self) -> Option<(&[u8], &[u8])> {
        match &self.inner.kind {
            Kind::Rsa { n, e, .. } => Some((n, e)),
            Kind::Ed25519 { .. } => None,
        }
    }

    /// Verification of `sig` over `msg` with this key's algorithm.
    pub(crate) fn verify_raw(&self, msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != self.signature_len() {
            return false;
        }
        match &self.inner.kind {
            Kind::Rsa { backend, .. } => Active::verify(backend, self.hash, msg, sig),
            Kind::Ed25519 { backend } => Active::ed25519_verify(backend, msg, sig),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .field("hash", &self.hash)
            .field("algorithm", &self.algorithm())
            .field("sha256", &self.fingerprint())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm() && self.spki_der() == other.spki_der()
    }
}

impl Eq for PublicKey {}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Bit length of a big-endian number without leading zero bytes.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(&top) => bytes.len() * 8 - top.leading_zeros() as usize,
    }
}

fn encode_spki(n: &[u8], e: &[u8]) -> Result<Vec<u8>, KeyProblem> {
    let pkcs1 = pkcs1::RsaPublicKey {
        modulus: UintRef::new(n).map_err(|_| KeyProblem::Der)?,
        public_exponent: UintRef::new(e).map_err(|_| KeyProblem::Der)?,
    }
    .to_der()
    .map_err(|_| KeyProblem::Der)?;
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: BitStringRef::from_bytes(&pkcs1).map_err(|_| KeyProblem::Der)?,
    }
    .to_der()
    .map_err(|_| KeyProblem::Der)
}

/// Whether `key` encodes an Ed25519 point of small order (order 1, 2, 4 or
/// 8), in any of its encodings: the sign bit is ignored, and `y` may be
/// written canonically or as `y + p`. The list is libsodium's
/// (`ge25519_has_small_order`). ring does not refuse such keys, and under
/// them `R` of small order with `S = 0` verifies for every message.
fn is_small_order(key: &[u8; ED25519_KEY_LEN]) -> bool {
    const BLOCKED: [[u8; ED25519_KEY_LEN]; 7] = [
        // 0 (order 4)
        [0; 32],
        // 1 (order 1)
        [
            0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0,
        ],
        // order 8
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ],
        // order 8
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ],
        // p - 1 (order 2)
        [
            0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
        // p, non-canonical 0 (order 4)
        [
            0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
        // p + 1, non-canonical 1 (order 1)
        [
            0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
    ];
    let mut y = *key;
    y[31] &= 0x7f;
    BLOCKED.contains(&y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        if !bits.is_multiple_of(8) {
            n[0] = (1u8 << (bits % 8)) - 1;
        }
        n
    }

    #[test]
    fn size_policy_is_exact() {
        let e = [1, 0, 1];
        assert!(PublicKey::from_components(&modulus(2048), &e).is_ok());
        assert_eq!(
            PublicKey::from_components(&modulus(2047), &e),
            Err(Error::KeyRejected(KeyProblem::TooSmall {
                bits: 2047,
                min: 2048
            }))
        );
        assert!(PublicKey::from_components(&modulus(8192), &e).is_ok());
        assert_eq!(
            PublicKey::from_components(&modulus(8193), &e),
            Err(Error::KeyRejected(KeyProblem::TooLarge {
                bits: 8193,
                max: 8192
            }))
        );
    }

    #[test]
    fn exponent_policy() {
        let n = modulus(2048);
        for bad in [&[1u8][..], &[1, 0, 0], &[], &[2, 0, 0, 0, 1]] {
            assert_eq!(
                PublicKey::from_components(&n, bad),
                Err(Error::KeyRejected(KeyProblem::BadExponent)),
                "{bad:?}"
            );
        }
        for good in [
            &[1u8, 0, 1][..],
            &[0, 1, 0, 1],
            &[1, 0, 0xff],
            &[1, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert!(PublicKey::from_components(&n, good).is_ok(), "{good:?}");
        }
        for (small, value) in [(&[3u8][..], 3), (&[0, 0, 0x11], 17), (&[0xff, 0xff], 65535)] {
            assert_eq!(
                PublicKey::from_components(&n, small),
                Err(Error::KeyRejected(KeyProblem::SmallExponent { e: value })),
            );
            let lax = KeyPolicy::strict().allow_small_exponent();
            assert!(lax.load_components(&n, small).is_ok(), "{small:?}");
        }
        let lax = KeyPolicy::default().allow_small_exponent();
        for bad in [&[1u8][..], &[2], &[0xff, 0xfe], &[2, 0, 0, 0, 1]] {
            assert_eq!(
                lax.load_components(&n, bad),
                Err(Error::KeyRejected(KeyProblem::BadExponent)),
                "{bad:?}"
            );
        }
    }
}
