//! The decision: from the store's files, the keyring, the policy and one
//! reading of the clock, one [`State`] and its [`Reason`]. Nothing is
//! trusted that does not verify again here, on every read.
//!
//! The steps, in order:
//! 1. read every entry ([`read_entry`]): any that does not verify under a
//!    key still configured makes the whole store *invalid*; one whose key
//!    is no longer configured counts as absent, and caps the state at
//!    *none* (go online);
//! 2. the clock: behind the newest signed time by more than the drift
//!    tolerance is *invalid* (rolled back);
//! 3. the newest denial, if it is at least as new as the newest grant:
//!    *revoked* (or *expired* for 205), whatever else the store holds;
//! 4. the newest grant, by its age: *active*, *grace*, *expired*;
//! 5. the license: expiry and binding: *active*, *expired*, *invalid*;
//! 6. the better of 4 and 5, capped by 1.

use std::cmp::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::entry::{self, Kind};
use super::table::{self, Verdict};
use super::verify::{self, LicenseFacts, LicenseRules, LicenseVerdict, Time};
use super::{
    DEFAULT_GRACE, DEFAULT_REVALIDATE_AFTER, Decision, EntryProblem, MAX_ENTRIES, Reason, State,
    StatePolicy,
};
use crate::keyring::Keyring;

/// A verified answer of the store.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub verdict: Verdict,
    pub code: i64,
    pub signed_at: Time,
    pub why: &'static str,
}

/// What one entry turned out to be.
#[derive(Debug)]
pub(super) enum Read {
    Answer(Answer),
    License(Box<LicenseFacts>),
    /// Signed by a key that is no longer configured.
    Retired {
        fingerprint: String,
    },
}

/// Reads and verifies one entry file.
pub(super) fn read_entry(
    keyring: &Keyring,
    name: &str,
    bytes: &[u8],
    policy: &StatePolicy,
    now: Time,
) -> Result<Read, EntryProblem> {
    let entry = entry::decode(name, bytes).map_err(EntryProblem::Format)?;
    if !verify::is_configured(keyring, entry.fingerprint) {
        return Ok(Read::Retired {
            fingerprint: entry.fingerprint.to_owned(),
        });
    }
    match entry.kind {
        Kind::Answer => {
            let facts = verify::stored_answer(keyring, entry.body, policy.limits)
                .map_err(EntryProblem::Verify)?;
            if facts.fingerprint != entry.fingerprint {
                return Err(EntryProblem::FingerprintMismatch);
            }
            let answer = classify(facts.code, facts.signed_at)?;
            if let Some(problem) = names_other(&facts.payload, policy) {
                return Err(problem);
            }
            Ok(Read::Answer(answer))
        }
        Kind::License => {
            let name = entry.key_name.as_deref().unwrap_or_default();
            let facts = verify::license(keyring, name, entry.body, &rules(policy, Some(now)))
                .map_err(EntryProblem::Verify)?;
            if facts.fingerprint != entry.fingerprint {
                return Err(EntryProblem::FingerprintMismatch);
            }
            if matches!(facts.verdict, LicenseVerdict::OtherLicense) {
                return Err(EntryProblem::OtherLicense);
            }
            Ok(Read::License(Box::new(facts)))
        }
    }
}

/// The table's verdict on a verified answer's code and timestamp.
pub(super) fn classify(code: Option<i64>, signed_at: Option<Time>) -> Result<Answer, EntryProblem> {
    let (verdict, why, code) = match code.and_then(|c| table::verdict(c).map(|v| (v, c))) {
        Some(((verdict, why), code)) => (verdict, why, code),
        None => return Err(EntryProblem::NotAboutTheLicense { code }),
    };
    let signed_at = signed_at.ok_or(EntryProblem::NoTimestamp)?;
    Ok(Answer {
        verdict,
        code,
        signed_at,
        why,
    })
}

/// What a signed payload names, at the top level or in a top-level
/// `data` object.
fn named<'a>(payload: &'a Value, member: &str) -> impl Iterator<Item = &'a Value> {
    [
        payload.get(member),
        payload.get("data").and_then(|d| d.get(member)),
    ]
    .into_iter()
    .flatten()
}

/// Whether a signed payload names another license key or product than the
/// policy's ([`EntryProblem::OtherLicense`]), or another machine: an
/// `identifier` that is neither the policy's hardware id nor its domain, a
/// `hardware_id` that is not its hardware id ([`EntryProblem::OtherMachine`]).
/// A payload that names none of them passes: it cannot be checked.
pub(super) fn names_other(payload: &Value, policy: &StatePolicy) -> Option<EntryProblem> {
    let differs = |member: &str, wanted: &Option<String>| {
        let Some(wanted) = wanted else { return false };
        named(payload, member).any(|found| found.as_str() != Some(wanted.as_str()))
    };
    if differs("license_key", &policy.license_key) || differs("product_uuid", &policy.product_uuid)
    {
        return Some(EntryProblem::OtherLicense);
    }
    if differs("hardware_id", &policy.hardware_id) {
        return Some(EntryProblem::OtherMachine);
    }
    if policy.hardware_id.is_some() || policy.domain.is_some() {
        let ours = |found: &Value| {
            found.as_str().is_some_and(|id| {
                policy.hardware_id.as_deref() == Some(id)
                    || policy
                        .domain
                        .as_deref()
                        .is_some_and(|d| d.eq_ignore_ascii_case(id))
            })
        };
        if named(payload, "identifier").any(|found| !ours(found)) {
            return Some(EntryProblem::OtherMachine);
        }
    }
    None
}

/// The crate's license rules for the state's policy, at `now` (`None`:
/// expiry not judged).
pub(super) fn rules(policy: &StatePolicy, now: Option<Time>) -> LicenseRules<'_> {
    LicenseRules {
        hardware_id: policy.hardware_id.as_deref(),
        domain: policy.domain.as_deref(),
        license_key: policy.license_key.as_deref(),
        product_uuid: policy.product_uuid.as_deref(),
        now,
        limits: policy.limits,
    }
}

/// `a` newer than `b`: by signed time, then by file name (a total order,
/// so concurrent compactions agree on the newest).
fn newer(a: (&Answer, &str), b: (&Answer, &str)) -> bool {
    (a.0.signed_at, a.1).cmp(&(b.0.signed_at, b.1)) == Ordering::Greater
}

/// The decision over files already read: `(name, bytes)`.
pub(super) fn decide(
    keyring: &Keyring,
    files: &[(&str, &[u8])],
    policy: &StatePolicy,
    now: Time,
) -> Decision {
    if files.len() > MAX_ENTRIES {
        return Decision::new(
            State::Invalid,
            Reason::TooManyEntries {
                count: files.len(),
                limit: MAX_ENTRIES,
            },
        );
    }
    let mut grant: Option<(Answer, &str)> = None;
    let mut denial: Option<(Answer, &str)> = None;
    let mut licenses: Vec<Box<LicenseFacts>> = Vec::new();
    let mut retired: Option<String> = None;
    for &(name, bytes) in files {
        match read_entry(keyring, name, bytes, policy, now) {
            Ok(Read::Answer(answer)) => {
                let slot = if answer.verdict.grants() {
                    &mut grant
                } else {
                    &mut denial
                };
                if slot
                    .as_ref()
                    .is_none_or(|(old, old_name)| newer((&answer, name), (old, old_name)))
                {
                    *slot = Some((answer, name));
                }
            }
            Ok(Read::License(facts)) => licenses.push(facts),
            Ok(Read::Retired { fingerprint }) => retired = Some(fingerprint),
            Err(problem) => {
                return Decision::new(
                    State::Invalid,
                    Reason::Unreadable {
                        file: shown_name(name),
                        problem,
                    },
                );
            }
        }
    }

    // The clock against the newest signed time.
    let newest = [&grant, &denial]
        .into_iter()
        .flatten()
        .map(|(a, _)| a.signed_at)
        .max();
    if let Some(newest) = newest
        && i128::from(verify::secs(now))
            < i128::from(verify::secs(newest)) - i128::from(policy.clock_drift.as_secs())
    {
        return Decision::new(
            State::Invalid,
            Reason::ClockBehind {
                newest_signed_at: newest,
                now,
                clock_drift: policy.clock_drift,
            },
        );
    }

    // A denial at least as new as the newest grant outranks everything.
    if let Some((denial, _)) = &denial
        && grant
            .as_ref()
            .is_none_or(|(g, _)| denial.signed_at >= g.signed_at)
    {
        let state = match denial.verdict {
            Verdict::Expire => State::Expired,
            _ => State::Revoked,
        };
        return Decision::new(
            state,
            Reason::Denied {
                code: denial.code,
                signed_at: denial.signed_at,
                why: denial.why,
            },
        );
    }

    // Where several licenses are present (a moment between two records),
    // the shortest spans they state, and the worse state of their own
    // paths, are used: fail closed, whatever the order of the files.
    let stated: Vec<&crate::License> = licenses
        .iter()
        .filter_map(|l| l.stated.as_deref())
        .collect();
    let answer_path = grant.as_ref().map(|(g, _)| by_age(g, now, policy, &stated));
    let license_path = licenses
        .iter()
        .map(|facts| by_license(facts))
        .max_by_key(|d| rank(d.state));
    let chosen = match (answer_path, license_path) {
        (Some(a), Some(l)) => {
            if rank(l.state) < rank(a.state) {
                l
            } else {
                a
            }
        }
        (Some(a), None) => a,
        (None, Some(l)) => l,
        (None, None) => {
            return Decision::new(
                State::None,
                match retired {
                    Some(fingerprint) => Reason::KeyRetired { fingerprint },
                    None => Reason::NothingRecorded,
                },
            );
        }
    };
    match retired {
        Some(fingerprint) if chosen.state.may_run() => {
            Decision::new(State::None, Reason::KeyRetired { fingerprint })
        }
        _ => chosen,
    }
}

/// Better states rank lower.
fn rank(state: State) -> u8 {
    match state {
        State::Active => 0,
        State::Grace => 1,
        State::Expired => 2,
        State::None => 3,
        State::Revoked => 4,
        State::Invalid => 5,
    }
}

fn days(days: u32) -> Duration {
    Duration::from_secs(u64::from(days) * 86_400)
}

/// The caller's span, the license's, or the default: the license's sets it
/// unless the caller's is shorter.
fn pick(caller: Option<Duration>, license: Option<Duration>, default: Duration) -> Duration {
    match (caller, license) {
        (Some(c), Some(l)) => c.min(l),
        (Some(c), None) => c,
        (None, Some(l)) => l,
        (None, None) => default,
    }
}

/// The revalidation interval and grace limit in force: the caller's, the
/// licenses' (the shortest any states), or the defaults.
pub(super) fn spans(policy: &StatePolicy, licenses: &[&crate::License]) -> (Duration, Duration) {
    let stated = |field: fn(&crate::License) -> Option<u32>| {
        licenses.iter().filter_map(|l| field(l)).min().map(days)
    };
    let revalidate = pick(
        policy.revalidate_after,
        stated(|l| l.license_check_interval),
        DEFAULT_REVALIDATE_AFTER,
    );
    let grace = pick(
        policy.grace,
        stated(|l| l.force_license_validation),
        DEFAULT_GRACE,
    );
    (revalidate, grace)
}

fn by_age(
    grant: &Answer,
    now: Time,
    policy: &StatePolicy,
    licenses: &[&crate::License],
) -> Decision {
    let (revalidate_after, grace) = spans(policy, licenses);
    let age = i128::from(verify::secs(now)) - i128::from(verify::secs(grant.signed_at));
    // Signed up to the drift tolerance ahead of this clock: age zero.
    let age_secs = u64::try_from(age.max(0)).unwrap_or(u64::MAX);
    let age = Duration::from_secs(age_secs);
    let (code, signed_at) = (grant.code, grant.signed_at);
    if age <= revalidate_after && age <= grace {
        Decision::new(
            State::Active,
            Reason::Granted {
                code,
                signed_at,
                age,
                revalidate_after,
            },
        )
    } else if age <= grace {
        Decision::new(
            State::Grace,
            Reason::RevalidateNow {
                code,
                signed_at,
                age,
                revalidate_after,
                grace,
            },
        )
    } else {
        Decision::new(
            State::Expired,
            Reason::AnswerTooOld {
                code,
                signed_at,
                age,
                grace,
            },
        )
    }
}

fn by_license(facts: &LicenseFacts) -> Decision {
    match &facts.verdict {
        LicenseVerdict::Usable(license) => {
            let expires_at = license
                .expires_at
                .as_ref()
                .and_then(|e| e.last_valid_second());
            Decision::new(State::Active, Reason::LicenseValid { expires_at })
        }
        LicenseVerdict::Expired { expired_at, now } => Decision::new(
            State::Expired,
            Reason::LicenseExpired {
                expired_at: *expired_at,
                now: *now,
            },
        ),
        LicenseVerdict::Elsewhere(binding) => {
            Decision::new(State::Invalid, Reason::NotThisMachine { binding: *binding })
        }
        LicenseVerdict::BadExpiry => Decision::new(State::Invalid, Reason::LicenseBadExpiry),
        // Refused in `read_entry`.
        LicenseVerdict::OtherLicense => Decision::new(
            State::Invalid,
            Reason::Unreadable {
                file: String::new(),
                problem: EntryProblem::OtherLicense,
            },
        ),
    }
}

/// A file name as shown in a reason: in full when it is an entry's name,
/// else a short prefix (it may be anything).
pub(super) fn shown_name(name: &str) -> String {
    if entry::kind_of_name(name).is_some() {
        name.to_owned()
    } else {
        crate::Snippet::new(name).to_string()
    }
}
