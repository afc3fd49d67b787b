//! Named public keys.
//!
//! The envelope's `private_key_used` only *selects* one of the names the
//! caller configured here; it never supplies a key or an algorithm. One
//! name may hold several keys, for rotation: any of them verifies until the
//! old one is removed.
//!
//! The methods here hold and verify with keys. The keyring's methods for
//! other artifacts live with the artifact, where their checks are:
//! `add_product_key` in `key_response.rs`, `verify_license*` in
//! `license.rs` (`.lic`) and `license_json.rs` (signed-JSON licenses).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::Error;
use crate::key::PublicKey;
use crate::options::{self, VerifyOptions};
use crate::verify::{self, Verified};

/// [`MAX_NAME_LEN`] as a literal, so the error text can be built from it.
macro_rules! max_name_len {
    () => {
        128
    };
}

/// The longest key name accepted, in bytes.
pub const MAX_NAME_LEN: usize = max_name_len!();

const TOO_LONG: &str = concat!("a key name is at most ", max_name_len!(), " bytes");

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

    /// Verifies an envelope with the default options (1 MiB, depth 128, no
    /// age policy). See [`verify_with`](Self::verify_with).
    ///
    /// This accepts a genuine answer of any age, to any request: the
    /// payloads name no request. For an answer you just asked for, use
    /// [`verify_answer`](Self::verify_answer); for one read back from a
    /// cache or disk, [`verify_with`](Self::verify_with) and a
    /// [`Freshness`](crate::Freshness).
    ///
    /// It does not make you choose an age policy, on purpose: what it is
    /// also for has no request time to give (stored answers, key
    /// distribution, the server's documented examples), and no default age
    /// fits them all: a cached "valid" may be meant to last a week offline,
    /// a live answer needs a time only you know. (jsonwebtoken can check
    /// `exp` by default because a token says how long it lives; these
    /// payloads do not.) Changing that would also break every caller.
    pub fn verify(&self, envelope: impl AsRef<[u8]>) -> Result<Verified, Error> {
        verify::verify(self, envelope.as_ref(), options::default_options())
    }

    /// Verifies a live answer: the envelope, and that it can be the answer
    /// to the request sent at `sent_at` (Unix seconds, read from the clock
    /// just before sending). The recommended way to verify what the server
    /// just sent.
    ///
    /// An answer signed before `sent_at` less [`DEFAULT_CLOCK_SKEW`] is
    /// refused as [`Error::NotAnAnswerToRequest`]: a recorded answer played
    /// back. One signed more than the skew ahead of the system clock is
    /// [`Error::FutureTimestamp`]; one without an integer `timestamp`,
    /// [`Error::MissingTimestamp`]. Otherwise the default options;
    /// [`VerifyOptions::answer_to`] takes another skew, clock or limits.
    ///
    /// ```no_run
    /// # fn send_request() -> String { unimplemented!() }
    /// # let keyring = respsig::Keyring::new();
    /// use respsig::{Clock, SystemClock};
    /// let sent_at = SystemClock.now_unix(); // before the request goes out
    /// let body = send_request();
    /// let verified = keyring.verify_answer(&body, sent_at)?;
    /// # Ok::<(), respsig::Error>(())
    /// ```
    ///
    /// [`DEFAULT_CLOCK_SKEW`]: crate::DEFAULT_CLOCK_SKEW
    pub fn verify_answer(
        &self,
        envelope: impl AsRef<[u8]>,
        sent_at: i64,
    ) -> Result<Verified, Error> {
        let options = options::default_options().clone().answer_to(sent_at);
        verify::verify(self, envelope.as_ref(), &options)
    }

    /// Verifies an envelope: shape, key name, signature over
    /// `response_base64`, the signed payload, `response` against it, and
    /// freshness if `options` asks for it. Only what passes all of these
    /// comes back, as [`Verified`].
    pub fn verify_with(
        &self,
        envelope: impl AsRef<[u8]>,
        options: &VerifyOptions,
    ) -> Result<Verified, Error> {
        verify::verify(self, envelope.as_ref(), options)
    }

    /// Verifies many envelopes with the default options; the results come
    /// back in input order, each exactly what [`verify`](Self::verify)
    /// gives for that envelope. With the `parallel` feature the work is
    /// spread over rayon's thread pool; without it, one after another.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// let keyring = respsig::Keyring::new().with("product", respsig::PublicKey::from_pem(&pem)?)?;
    /// let good = std::fs::read_to_string("testdata/gkm/seed-373-update-product-meta.json")?;
    /// let bad = good.replace("Product meta updated", "Product meta deleted");
    /// let results = keyring.verify_batch(&[&good, &bad]);
    /// assert_eq!(results[0].as_ref().map(|v| v.code()), Ok(Some(373)));
    /// assert_eq!(results[1].as_ref().err(), Some(&respsig::Error::ContentMismatch));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_batch(
        &self,
        envelopes: &[impl AsRef<[u8]> + Sync],
    ) -> Vec<Result<Verified, Error>> {
        self.verify_batch_with(envelopes, options::default_options())
    }

    /// [`verify_batch`](Self::verify_batch) with `options` for every
    /// envelope.
    pub fn verify_batch_with(
        &self,
        envelopes: &[impl AsRef<[u8]> + Sync],
        options: &VerifyOptions,
    ) -> Vec<Result<Verified, Error>> {
        let one = |envelope: &_| verify::verify(self, AsRef::<[u8]>::as_ref(envelope), options);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            // An indexed parallel iterator collects in input order.
            envelopes.par_iter().map(one).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            envelopes.iter().map(one).collect()
        }
    }
}

pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::InvalidKeyName {
            reason: "a key name cannot be empty",
        });
    }
    if name.len() > MAX_NAME_LEN {
        return Err(Error::InvalidKeyName { reason: TOO_LONG });
    }
    Ok(())
}
