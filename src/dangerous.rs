//! Reading an envelope **without verifying it**.
//!
//! # Warning
//! Nothing here is authenticated. Anyone can write an envelope that reads
//! fine through this module. Use it to show what an envelope claims
//! (`respsig inspect`), to log or debug, never to decide anything about a
//! license. To act on a response, use [`crate::Keyring::verify`] and the
//! [`crate::Verified`] it returns.

use serde_json::Value;

use crate::base64;
use crate::envelope::{self, is_unsigned};
use crate::error::Error;
use crate::limits::Limits;
use crate::verify::decode_payload;

/// An envelope that has been parsed but **not** verified.
#[derive(Debug, Clone)]
pub struct Unverified {
    inner: envelope::Envelope,
    depth: usize,
}

/// Parses an envelope's shape (same strict rules as verification) without
/// checking its signature or content.
pub fn read(input: &[u8], limits: &Limits) -> Result<Unverified, Error> {
    Ok(Unverified {
        inner: envelope::parse(input, limits)?,
        depth: limits.depth_limit(),
    })
}

impl Unverified {
    /// The key name the envelope claims, unchecked.
    pub fn claimed_key_name(&self) -> &str {
        &self.inner.private_key_used
    }

    /// Whether the envelope is unsigned (`signature` missing, empty or
    /// `Private key not set`).
    pub fn is_unsigned(&self) -> bool {
        is_unsigned(self.inner.signature.as_deref())
    }

    /// The unsigned `signature_metadata` object, if the envelope has one.
    /// It never chooses anything: verification only refuses an envelope
    /// whose `algorithm` here disagrees with the key.
    pub fn signature_metadata(&self) -> Option<&Value> {
        self.inner.signature_metadata.as_ref()
    }

    /// `signature_metadata.algorithm` as sent, and the algorithm it names
    /// (`None` for a name this crate does not know).
    pub fn claimed_algorithm(&self) -> Option<(&str, Option<crate::Algorithm>)> {
        let name = self.signature_metadata()?.get("algorithm")?.as_str()?;
        Some((name, crate::Algorithm::from_name(name)))
    }

    /// The `signature` text as sent, if any.
    pub fn signature_text(&self) -> Option<&str> {
        self.inner.signature.as_deref()
    }

    /// The decoded signature length, if `signature` is strict base64.
    pub fn signature_len(&self) -> Option<usize> {
        base64::decode(self.inner.signature.as_deref()?).map(|s| s.len())
    }

    /// The unsigned plain `response` member.
    pub fn response(&self) -> &Value {
        &self.inner.response
    }

    /// The `response_base64` text, as the signature would cover it.
    pub fn response_base64(&self) -> &str {
        &self.inner.response_base64
    }

    /// The decoded `response_base64`, unchecked, as JSON.
    pub fn decoded_payload(&self) -> Result<Value, Error> {
        decode_payload(&self.inner.response_base64, self.depth).map(|(_, value)| value)
    }

    /// Whether `response` has the decoded payload's content, by the rule
    /// of [`Error::ContentMismatch`] (PHP would write both as the same
    /// bytes, member order aside); `None` when the payload cannot be
    /// decoded.
    pub fn response_matches_payload(&self) -> Option<bool> {
        self.decoded_payload()
            .ok()
            .map(|p| crate::json::same_content(&p, &self.inner.response))
    }
}
