//! Every call this module makes into the crate's verification and license
//! API, and its one hash, in one place: the rest of `state` sees only the
//! facts below, so a change of those APIs is a change of this file.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, LicenseProblem};
use crate::keyring::Keyring;
use crate::license::{License, LicensePolicy};
use crate::limits::Limits;
use crate::policy::Policy;
use crate::time::{Clock, FixedClock, UnixTime};

use super::Binding;

/// A point in time: the crate's [`UnixTime`].
pub(crate) type Time = UnixTime;

/// How far a signed time may be ahead of the local clock, and how far the
/// local clock may be behind the newest signed time in a store before the
/// store counts as rolled back: the crate's one clock drift tolerance,
/// [`DEFAULT_CLOCK_DRIFT`](crate::DEFAULT_CLOCK_DRIFT), 15 minutes, so a PC
/// a few minutes slow is not "rolled back".
pub(crate) const CLOCK_DRIFT: Duration = crate::DEFAULT_CLOCK_DRIFT;

/// Seconds since the Unix epoch of `time`.
pub(super) fn secs(time: Time) -> i64 {
    time.as_secs()
}

/// The clock's current time.
pub(super) fn now(clock: &dyn Clock) -> Time {
    clock.now()
}

/// SHA-256 of `bytes`, as lowercase hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    crate::backend::sha256_hex(bytes)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    crate::hex::encode(bytes)
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
    drift: Duration,
    limits: Limits,
) -> Result<AnswerFacts, Error> {
    let policy = Policy::answer_to(sent_at)
        .limits(limits)
        .clock_drift(drift)
        .clock(FixedClock(clock.now()));
    keyring.verify(envelope, &policy).map(|v| facts(&v))
}

/// Verifies an answer read back from the store: signature and content, of
/// any age (the state judges the age itself).
pub(super) fn stored_answer(
    keyring: &Keyring,
    envelope: &[u8],
    limits: Limits,
) -> Result<AnswerFacts, Error> {
    let policy = Policy::any_age().limits(limits);
    keyring.verify(envelope, &policy).map(|v| facts(&v))
}

/// What the crate's license check says of a license that verified.
#[derive(Debug, Clone)]
pub(super) enum LicenseVerdict {
    /// Unexpired, bound here (or unbound), the policy's license.
    Usable(Box<License>),
    /// Expired.
    Expired { expired_at: Time, now: Time },
    /// Bound elsewhere, or bound and not checked.
    Elsewhere(Binding),
    /// Another license key or product than the policy's.
    OtherLicense,
    /// An `expires_at` the crate does not read.
    BadExpiry,
}

/// A license that verified under one key of its name, and the verdict.
#[derive(Debug, Clone)]
pub(super) struct LicenseFacts {
    /// The SHA-256 fingerprint of the key that verified it.
    pub fingerprint: String,
    pub verdict: LicenseVerdict,
    /// Its typed fields, when it is for this machine and this license
    /// (expired or not): what its `licenseCheckInterval` and
    /// `forceLicenseValidation` are read from.
    pub stated: Option<Box<License>>,
}

/// What the license must match: the state's policy, and the time (`None`
/// at record: expiry is judged on every check, not then).
pub(super) struct LicenseRules<'a> {
    pub hardware_id: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub license_key: Option<&'a str>,
    pub product_uuid: Option<&'a str>,
    pub now: Option<Time>,
    pub limits: Limits,
}

/// Verifies a license file (either format) under the keys named `name`,
/// one key at a time so the key that verified it is known even when the
/// crate's license rules then refuse it.
pub(super) fn license(
    keyring: &Keyring,
    name: &str,
    file: &[u8],
    rules: &LicenseRules<'_>,
) -> Result<LicenseFacts, Error> {
    let mut policy = LicensePolicy::new().limits(rules.limits).clock(FixedClock(
        rules.now.unwrap_or(UnixTime::from_secs(i64::MIN)),
    ));
    if let Some(id) = rules.hardware_id {
        policy = policy.hardware_id(id);
    }
    if let Some(domain) = rules.domain {
        policy = policy.domain(domain);
    }
    if let Some(key) = rules.license_key {
        policy = policy.license_key(key);
    }
    if let Some(uuid) = rules.product_uuid {
        policy = policy.product_uuid(uuid);
    }
    let mut last = None;
    for key in keyring.keys(name) {
        let one = Keyring::new().with(name, key.clone())?;
        let verdict = match one.verify_license(name, file, &policy) {
            Ok(v) => LicenseVerdict::Usable(Box::new(v.license().clone())),
            Err(Error::License(problem)) => match problem {
                LicenseProblem::Expired { expired_at, now } => {
                    LicenseVerdict::Expired { expired_at, now }
                }
                LicenseProblem::HardwareMismatch => {
                    LicenseVerdict::Elsewhere(Binding::HardwareMismatch)
                }
                LicenseProblem::DomainMismatch => {
                    LicenseVerdict::Elsewhere(Binding::DomainMismatch)
                }
                LicenseProblem::BindingNotChecked { .. } => {
                    LicenseVerdict::Elsewhere(Binding::NotChecked)
                }
                LicenseProblem::LicenseKeyMismatch | LicenseProblem::ProductMismatch => {
                    LicenseVerdict::OtherLicense
                }
                LicenseProblem::BadExpiry => LicenseVerdict::BadExpiry,
                other => {
                    last = Some(Error::License(other));
                    continue;
                }
            },
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        let stated = match &verdict {
            LicenseVerdict::Usable(license) => Some(license.clone()),
            // The same rules but expiry: its fields.
            LicenseVerdict::Expired { .. } => {
                let timeless = policy
                    .clone()
                    .clock(FixedClock(UnixTime::from_secs(i64::MIN)));
                one.verify_license(name, file, &timeless)
                    .ok()
                    .map(|v| Box::new(v.license().clone()))
            }
            _ => None,
        };
        return Ok(LicenseFacts {
            fingerprint: key.fingerprint(),
            verdict,
            stated,
        });
    }
    Err(last.unwrap_or_else(|| Error::UnknownKeyName {
        name: crate::Snippet::new(name),
    }))
}
