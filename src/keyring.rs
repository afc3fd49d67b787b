//! Named public keys, and the entry points that verify with them.
//!
//! The envelope's `private_key_used` only *selects* one of the names the
//! caller configured here; it never supplies a key or an algorithm. One
//! name may hold several keys, for rotation: any of them verifies until the
//! old one is removed. Each artifact has one entry point here, which
//! delegates to the module that knows the artifact: [`Keyring::verify`] to
//! `verify` (envelopes), [`Keyring::verify_license`] to `license`,
//! [`Keyring::add_product_key`] to `key_distribution`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{Error, KeyNameProblem, Snippet};
use crate::key::{Named, PublicKey};
use crate::key_distribution;
use crate::license::{self, LicensePolicy, VerifiedLicense};
use crate::policy::Policy;
use crate::verify::{self, Verified};

/// The longest key name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 128;

/// Public keys by name (`product`, `global`, or any name the caller uses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyring {
    /// Names are shared with each [`Verified`] (no copy per verify).
    keys: BTreeMap<Arc<str>, Vec<PublicKey>>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key` under `name` (after any keys already there).
    pub fn add(&mut self, name: &str, key: PublicKey) -> Result<&mut Self, Error> {
        check_name(name)?;
        let keys = self.keys.entry(Arc::from(name)).or_default();
        if !keys.contains(&key) {
            keys.push(key);
        }
        Ok(self)
    }

    /// [`add`](Self::add), by value, for building a keyring in one
    /// expression.
    pub fn with(mut self, name: &str, key: PublicKey) -> Result<Self, Error> {
        self.add(name, key)?;
        Ok(self)
    }

    /// Removes one key from a name (the end of a rotation); returns whether
    /// it was there. A name left with no key is removed.
    pub fn remove(&mut self, name: &str, key: &PublicKey) -> bool {
        let Some(keys) = self.keys.get_mut(name) else {
            return false;
        };
        let before = keys.len();
        keys.retain(|k| k != key);
        let removed = keys.len() != before;
        if keys.is_empty() {
            self.keys.remove(name);
        }
        removed
    }

    /// The keys configured under `name`, in the order they were added.
    pub fn keys(&self, name: &str) -> &[PublicKey] {
        self.keys.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The name as stored, and its keys.
    pub(crate) fn entry(&self, name: &str) -> Option<(&Arc<str>, &[PublicKey])> {
        self.keys
            .get_key_value(name)
            .map(|(name, keys)| (name, keys.as_slice()))
    }

    /// The configured names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(|name| &**name)
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The name as stored and its keys, or [`Error::UnknownKeyName`].
    fn named(&self, name: &str) -> Result<Named<'_>, Error> {
        match self.entry(name) {
            Some((name, keys)) if !keys.is_empty() => Ok((name, keys)),
            _ => Err(Error::UnknownKeyName {
                name: Snippet::new(name),
            }),
        }
    }

    /// Verifies an envelope under `policy`: shape, key name, signature over
    /// `response_base64`, the signed payload, `response` against it, then
    /// what the policy requires (the signer's name, the age). Only what
    /// passes all of these comes back, as [`Verified`]. The steps, in
    /// order, are in the README's "What `verify` checks".
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// use respsig::{Keyring, Policy, PublicKey};
    /// let keyring = Keyring::new().with("product", PublicKey::from_pem(&pem)?)?;
    /// let envelope = std::fs::read("testdata/gkm/seed-373-update-product-meta.json")?;
    /// // A documented sample from 2024: no request, no age limit.
    /// let verified = keyring.verify(&envelope, &Policy::any_age())?;
    /// assert_eq!(verified.code(), Some(373));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The policy is not optional:
    ///
    /// ```compile_fail,E0061
    /// # let keyring = respsig::Keyring::new();
    /// let verified = keyring.verify(b"{}"); // how old may it be?
    /// ```
    ///
    /// `Keyring` is `Sync`: verify many envelopes on many threads by
    /// calling this from each (with rayon, `envelopes.par_iter().map(|e|
    /// keyring.verify(e, &policy))`).
    pub fn verify(&self, envelope: impl AsRef<[u8]>, policy: &Policy) -> Result<Verified, Error> {
        verify::verify(envelope.as_ref(), policy, |name| self.named(name))
    }

    /// Reads and verifies an offline license, in either format (detected
    /// from the content: [`LicenseFormat::detect`](crate::LicenseFormat::detect)),
    /// under the keys named `name` only, then applies `policy` (expiry,
    /// binding, which license). See [`crate::LicensePolicy`] and the
    /// `license` module's docs for what each format protects.
    ///
    /// ```
    /// # let lic = std::fs::read_to_string("testdata/license/openssl-2048.lic").unwrap();
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
    /// use respsig::{FixedClock, Keyring, LicensePolicy, PublicKey};
    /// let keyring = Keyring::new().with("product", PublicKey::from_pem(&pem)?)?;
    /// let policy = LicensePolicy::new()
    ///     .hardware_id("HW-1234")
    ///     .clock(FixedClock::at(1_767_225_600)); // 2026-01-01
    /// let verified = keyring.verify_license("product", &lic, &policy)?;
    /// assert_eq!(verified.license().license_key, "LIC-2024-ABCD1234");
    /// # Ok::<(), respsig::Error>(())
    /// ```
    ///
    /// The key name is not optional, and neither is the policy:
    ///
    /// ```compile_fail,E0061
    /// # let keyring = respsig::Keyring::new();
    /// let license = keyring.verify_license(b"AAAA"); // under which key? for which machine?
    /// ```
    pub fn verify_license(
        &self,
        name: &str,
        file: impl AsRef<[u8]>,
        policy: &LicensePolicy,
    ) -> Result<VerifiedLicense, Error> {
        license::verify(file.as_ref(), policy, || self.named(name))
    }

    /// Adds, under `name`, the product key that a verified
    /// `get-product-public-key` response carries, and returns it.
    ///
    /// `response` must have been verified under [`VOUCHER`](crate::VOUCHER)
    /// (`global`) and carry code 632
    /// ([`ResponseCode::PRODUCT_PUBLIC_KEY_FOUND`](crate::ResponseCode::PRODUCT_PUBLIC_KEY_FOUND));
    /// code 633 is [`KeyResponseProblem::NotFound`](crate::KeyResponseProblem::NotFound).
    /// With `product_uuid`, the payload must name that product. The key is
    /// loaded as PEM under the strict [`KeyPolicy`](crate::KeyPolicy) with
    /// SHA-256; pin it by its [`fingerprint`](PublicKey::fingerprint) if
    /// you can.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/other2048.pem").unwrap();
    /// # let server = respsig::SigningKey::from_pem(&pem).unwrap();
    /// # let product_pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
    /// # let response = serde_json::json!({"code": 632, "message": "Public key retrieved successfully",
    /// #     "public_key": product_pem, "product": {"uuid": "8d3f"}, "timestamp": respsig::UnixTime::now().as_secs()});
    /// # let envelope = server.sign_envelope("global", &response).unwrap();
    /// # let sent_at = respsig::UnixTime::now();
    /// let mut keyring = respsig::Keyring::new().with("global", server.public_key().clone())?;
    /// let verified = keyring.verify(&envelope, &respsig::Policy::answer_to(sent_at))?;
    /// let key = keyring.add_product_key("product", &verified, Some("8d3f"))?;
    /// assert_eq!(keyring.keys("product"), &[key]);
    /// # Ok::<(), respsig::Error>(())
    /// ```
    ///
    /// A license is not a server answer, so it cannot vouch for a key:
    ///
    /// ```compile_fail,E0308
    /// # let lic = std::fs::read_to_string("testdata/license/openssl-2048.lic").unwrap();
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
    /// let mut keyring = respsig::Keyring::new().with("global", respsig::PublicKey::from_pem(&pem)?)?;
    /// let license = keyring.verify_license("global", &lic, &respsig::LicensePolicy::new())?;
    /// keyring.add_product_key("product", &license, None)?;
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn add_product_key(
        &mut self,
        name: &str,
        response: &Verified,
        product_uuid: Option<&str>,
    ) -> Result<PublicKey, Error> {
        let key = key_distribution::product_key(response, product_uuid)?;
        self.add(name, key.clone())?;
        Ok(key)
    }
}

pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::InvalidKeyName(KeyNameProblem::Empty));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::InvalidKeyName(KeyNameProblem::TooLong {
            len: name.len(),
        }));
    }
    Ok(())
}
