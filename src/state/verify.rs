//! Every call this module makes into the crate's verification and license
//! API, and its one hash, in one place: the rest of `state` sees only the
//! facts below, so a change of those APIs is a change of this file.

use std::time::Duration;

use serde_json::Value;

use crate::envelope::Limits;
use crate::error::{Error, LicenseProblem};
use crate::keyring::Keyring;
use crate::license::{License, LicenseFormat, LicenseOptions};
use crate::options::{Clock, VerifyOptions};

/// A point in time, in Unix seconds, as the crate's verify API takes it.
pub type Time = i64;

/// How far a signed time may be ahead of the local clock, and how far the
/// local clock may be behind the newest signed time in a store before the
/// store counts as rolled back: 15 minutes, the crate's clock-drift
/// tolerance, so a PC a few minutes slow is not "rolled back".
pub const CLOCK_DRIFT: Duration = Duration::from_secs(15 * 60);

/// How far before its request's `sent_at` a live answer may be signed.
const REPLAY_WINDOW: Duration = Duration::from_secs(60);

/// Seconds since the Unix epoch of `time`.
pub(super) fn secs(time: Time) -> i64 {
    time
}

/// The clock's current time.
pub(super) fn now(clock: &dyn Clock) -> Time {
    clock.now_unix()
}

/// SHA-256 of `bytes`, as lowercase hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    hex(digest.as_ref())
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// What a verified answer says, as far as the state needs it.
#[derive(Debug, Clone)]
pub(super) struct AnswerFacts {
    /// The SHA-256 fingerprint of the key that verified it.
    pub fingerprint: String,
    /// The signed `code`.
    pub code: Option<i64>,
    /// The signed `timestamp`.
    pub signed_at: Option<Time>,
    /// The signed payload.
    pub payload: Value,
}

/// Whether any key configured in `keyring`, under any name, has this
/// fingerprint.
pub(super) fn is_configured(keyring: &Keyring, fingerprint: &str) -> bool {
    keyring
        .names()
        .flat_map(|name| keyring.keys(name))
        .any(|key| key.fingerprint() == fingerprint)
}

fn facts(verified: &crate::Verified) -> AnswerFacts {
    AnswerFacts {
        fingerprint: verified.key().fingerprint(),
        code: verified.code(),
        signed_at: verified.timestamp(),
        payload: verified.payload().clone(),
    }
}

/// Verifies a live answer as the answer to the request sent at `sent_at`.
pub(super) fn live_answer(
    keyring: &Keyring,
    envelope: &[u8],
    sent_at: Time,
    clock: &dyn Clock,
    limits: Limits,
) -> Result<AnswerFacts, Error> {
    let options = VerifyOptions::new()
        .limits(limits)
        .answer_to(sent_at)
        .clock_skew(REPLAY_WINDOW)
        .clock(FrozenAt(clock.now_unix()));
    keyring.verify_with(envelope, &options).map(|v| facts(&v))
}

/// Verifies an answer read back from the store: signature and content, of
/// any age (the state judges the age itself).
pub(super) fn stored_answer(
    keyring: &Keyring,
    envelope: &[u8],
    limits: Limits,
) -> Result<AnswerFacts, Error> {
    let options = VerifyOptions::new().limits(limits);
    keyring.verify_with(envelope, &options).map(|v| facts(&v))
}

/// A clock stopped at one reading of the caller's clock, so one decision
/// sees one time.
#[derive(Debug, Clone, Copy)]
struct FrozenAt(i64);

impl Clock for FrozenAt {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// What a verified license says, as far as the state needs it.
#[derive(Debug, Clone)]
pub(super) struct LicenseFacts {
    /// The SHA-256 fingerprint of the key that verified it.
    pub fingerprint: String,
    /// The typed fields.
    pub license: License,
}

/// Verifies a license file (either format) under the keys named `name`
/// only: signature (and integrity member, when present), nothing else.
pub(super) fn license(
    keyring: &Keyring,
    name: &str,
    file: &[u8],
    limits: Limits,
) -> Result<LicenseFacts, Error> {
    let options = LicenseOptions::new().limits(limits);
    let verified = match LicenseFormat::detect(file) {
        LicenseFormat::SignedJson => keyring.verify_license_json_with(name, file, &options)?,
        LicenseFormat::Blocks => {
            // Only the keys under `name`: a keyring of that name alone.
            let mut only = Keyring::new();
            for key in keyring.keys(name) {
                only.add(name, key.clone())?;
            }
            if only.is_empty() {
                return Err(LicenseProblem::UnknownKeyName {
                    name: crate::Snippet::new(name),
                }
                .into());
            }
            only.verify_license_with(file, &options)?
        }
    };
    let license: License = verified.deserialize()?;
    Ok(LicenseFacts {
        fingerprint: verified.key().fingerprint(),
        license,
    })
}

/// The last second at which the license is valid: `Ok(None)` for a license
/// that never expires.
pub(super) fn license_expiry(license: &License) -> Result<Option<Time>, LicenseProblem> {
    match &license.expires_at {
        None => Ok(None),
        Some(expiry) => expiry
            .last_valid_second()
            .map(Some)
            .ok_or(LicenseProblem::BadExpiry),
    }
}
