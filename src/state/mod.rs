//! May this app run now? A license state kept from server-signed bytes
//! alone, verified again on every read. No network: the application does
//! the HTTP and hands the answers over.
//!
//! A [`Store`] is a directory that holds nothing but what the server
//! signed: answers as the envelopes it sent, licenses as the files it
//! issued, each behind one line of unsigned hints ([`entry`](self#the-files)).
//! Nothing derived is kept, so a copied, edited or rolled-back store can
//! only make the state worse, never better.
//!
//! ```
//! # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem")?;
//! # let server = respsig::SigningKey::from_pem(&pem)?;
//! # let dir = tempfile::tempdir()?;
//! use respsig::state::{State, StatePolicy, Store};
//! use respsig::{FixedClock, Keyring, UnixTime};
//! let keyring = Keyring::new().with("product", server.public_key().clone())?;
//! let sent_at = UnixTime::from_secs(1_800_000_000); // read from the clock just before the request
//! # let body = server.sign_envelope("product", &serde_json::json!(
//! #     {"code": 200, "message": "Valid license key", "timestamp": 1_800_000_001}))?;
//! let store = Store::new(dir.path());
//! let policy = StatePolicy::new().clock(FixedClock::at(1_800_000_002));
//! store.record_answer(&keyring, body.as_bytes(), sent_at, &policy)?;
//! assert_eq!(store.check(&keyring, &policy).state(), State::Active);
//! // Two days later, offline: past the one-day revalidation interval.
//! let later = StatePolicy::new().clock(FixedClock::at(1_800_000_000 + 2 * 86_400));
//! assert_eq!(store.check(&keyring, &later).state(), State::Grace);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Record
//!
//! [`Store::record_answer`] takes a live answer and the time its request
//! was sent (it must verify as the answer to that request: a replayed
//! answer is refused); [`Store::record_license`] an offline license, in
//! either format. An answer is kept only if its code is in the grant/deny
//! table ([`verdict`]): every other code is refused as not about the
//! license state. Where the policy names the license key or product, an
//! answer or license that names another is refused (a bound license's key
//! only if the policy names its binding too: the crate's license rules
//! check the binding first; every read checks it). Whatever is refused
//! leaves the store as it was.
//!
//! # Decide
//!
//! [`Store::check`] gives one [`State`] and its [`Reason`]:
//!
//! | state | when | the application should |
//! |---|---|---|
//! | *active* | the newest answer grants and is younger than the revalidation interval; or a license verifies, is unexpired and bound to this machine or domain | run |
//! | *grace* | the newest answer grants, older than the interval, younger than the grace limit | run, and revalidate online now |
//! | *expired* | the newest grant is older than the grace limit, the license has expired, or the newest answer is 205 | stop; revalidate or renew online |
//! | *revoked* | the newest answer denies (at equal times the denial wins; a denial outranks any license) | stop |
//! | *invalid* | an entry does not verify (the whole store, not the entry), the clock is behind the newest signed time by more than [`DEFAULT_CLOCK_DRIFT`](crate::DEFAULT_CLOCK_DRIFT), or the license is bound elsewhere | stop; fix the clock or go online |
//! | *none* | nothing recorded, or an entry under a key no longer configured | go online |
//!
//! The revalidation interval and grace limit are [`DEFAULT_REVALIDATE_AFTER`]
//! and [`DEFAULT_GRACE`] unless the store's license states
//! `licenseCheckInterval` / `forceLicenseValidation` (days), which set them
//! unless the caller's ([`StatePolicy::revalidate_after`],
//! [`StatePolicy::grace`]) are shorter.
//!
//! # Rotation and tampering
//!
//! Each entry's header keeps the SHA-256 fingerprint of the key that
//! verified it. On read, an entry whose fingerprint is not configured
//! under any name is *retired*: it counts as absent, and the state can be
//! no better than *none* (go online and record a new answer, which clears
//! it). An entry whose fingerprint is configured must verify under that
//! very key, or the store is *invalid*. The hint is unsigned; forging it
//! can turn an entry into "retired", which can only lower the state to
//! *none* (never let the app run), or into "tampered" (*invalid*).
//!
//! # The files
//!
//! `<kind>-<SHA-256 of the file>.entry`, one per entry, written to a
//! temporary file in the same directory, flushed (`fsync`), renamed into
//! place, and the directory flushed (Unix): a crash leaves either the old
//! files or the new one, never half of one. No file is ever rewritten:
//! recording adds one file, then removes those that no longer decide (an
//! older grant, an older denial, an older license), so the store holds at
//! most three entries. Two processes recording at once need no lock: each
//! adds its own file, and a file is removed only when a newer one of its
//! kind is present, by one total order (signed time, then name) that every
//! process computes alike, so the newest of each kind always survives.
//! Names starting with `.` (temporary files) are ignored; any other file
//! not an entry makes the store *invalid*. The store holds no secret: only
//! what the server sent, which anyone watching the traffic could see.
//!
//! # What the store cannot protect against
//!
//! A user who deletes it gets *none*, not *active*. One who keeps an old
//! copy of it (or of the answers) and restores it with the clock turned
//! back gets what that copy said, for as long as it would have lasted then:
//! offline, nothing tells a restored copy from the real one. A store copied
//! from another machine: an answer that names its machine (`identifier`,
//! `hardware_id`) must name this one when the policy gives a hardware id or
//! domain, but the server's answers mostly name none, nor a license key;
//! those read the same anywhere until they age out. An answer relayed in
//! real time from another machine is `SECURITY.md`'s concern.
//! A `.lic` file without the integrity member (as the server writes them)
//! can be spliced from blocks of other files under the same key
//! (`SECURITY.md`, *Offline licenses*); it may still make the state
//! *active*.

// docs/STATE.md's examples run as doc tests too.
#[cfg(doctest)]
#[doc = include_str!("../../docs/STATE.md")]
pub struct StateDoctests;

mod decide;
mod entry;
mod hardware_id;
mod store;
mod table;
mod verify;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use entry::{FORMAT_VERSION, FormatProblem, Kind};
pub use hardware_id::{HardwareIdError, Sdk, combine_identifiers, hardware_id};
pub use store::{Recorded, Store};
pub use table::{TABLE, Verdict, verdict};
use verify::Time;

use crate::error::Error;
use crate::keyring::Keyring;
use crate::limits::Limits;
use crate::time::{Clock, SystemClock};

/// How long a grant is good without asking the server again, by default:
/// one day. A desktop app that is online most of the time then asks at
/// most daily, and a license revoked on the server stops a connected
/// machine within a day.
pub const DEFAULT_REVALIDATE_AFTER: Duration = Duration::from_secs(86_400);

/// How old a grant may be before the app must stop, by default: 14 days.
/// A laptop can be offline for two weeks (a trip) and keep working, in
/// *grace* after the first day; beyond that a revocation it never heard of
/// would otherwise last forever.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(14 * 86_400);

/// The most entry files a store may hold (it keeps at most three, and a
/// few for moments between records); more is *invalid*.
pub const MAX_ENTRIES: usize = 16;

/// What a decision rests on: the clock, the spans, the machine, the
/// license the store is for, and the size limits.
#[derive(Debug, Clone)]
pub struct StatePolicy {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) revalidate_after: Option<Duration>,
    pub(crate) grace: Option<Duration>,
    pub(crate) clock_drift: Duration,
    pub(crate) hardware_id: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) license_key: Option<String>,
    pub(crate) product_uuid: Option<String>,
    pub(crate) limits: Limits,
}

impl Default for StatePolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl StatePolicy {
    /// The system clock, [`DEFAULT_REVALIDATE_AFTER`], [`DEFAULT_GRACE`]
    /// (unless the license says otherwise), [`DEFAULT_CLOCK_DRIFT`](crate::DEFAULT_CLOCK_DRIFT), no machine or
    /// domain, any license, [`Limits::new`].
    pub fn new() -> Self {
        StatePolicy {
            clock: Arc::new(SystemClock),
            revalidate_after: None,
            grace: None,
            clock_drift: verify::CLOCK_DRIFT,
            hardware_id: None,
            domain: None,
            license_key: None,
            product_uuid: None,
            limits: Limits::new(),
        }
    }

    /// The clock (read once per record and once per check).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How long a grant stays *active*: at most this, and at most the
    /// license's `licenseCheckInterval`.
    pub fn revalidate_after(mut self, span: Duration) -> Self {
        self.revalidate_after = Some(span);
        self
    }

    /// How old a grant may be before the state is *expired*: at most this,
    /// and at most the license's `forceLicenseValidation`.
    pub fn grace(mut self, span: Duration) -> Self {
        self.grace = Some(span);
        self
    }

    /// How far the clock may be behind the newest signed time before the
    /// store counts as rolled back ([`DEFAULT_CLOCK_DRIFT`](crate::DEFAULT_CLOCK_DRIFT) by default).
    pub fn clock_drift(mut self, drift: Duration) -> Self {
        self.clock_drift = drift;
        self
    }

    /// This machine's hardware id, which a license's `hardware_id` must
    /// equal ([`hardware_id`] computes it as an SDK does).
    pub fn hardware_id(mut self, id: &str) -> Self {
        self.hardware_id = Some(id.to_owned());
        self
    }

    /// This site's domain, which a license's `domain` must equal (ASCII
    /// case aside).
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_owned());
        self
    }

    /// The license key the store is for: an answer or license that names
    /// another is refused at record and *invalid* on read.
    pub fn license_key(mut self, key: &str) -> Self {
        self.license_key = Some(key.to_owned());
        self
    }

    /// The product the store is for, likewise (`product_uuid`).
    pub fn product_uuid(mut self, uuid: &str) -> Self {
        self.product_uuid = Some(uuid.to_owned());
        self
    }

    /// Size and nesting limits for every entry's signed bytes.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// May the app run: the six states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Run.
    Active,
    /// Run, and revalidate online now.
    Grace,
    /// Stop: the grant is too old, or the license has expired.
    Expired,
    /// Stop: the server refused the license.
    Revoked,
    /// Stop: the store does not verify, the clock was turned back, or the
    /// license is for another machine.
    Invalid,
    /// Nothing to go on: go online.
    None,
}

impl State {
    /// The word the CLI prints: `active`, `grace`, `expired`, `revoked`,
    /// `invalid`, `none`.
    pub fn word(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Grace => "grace",
            State::Expired => "expired",
            State::Revoked => "revoked",
            State::Invalid => "invalid",
            State::None => "none",
        }
    }

    /// Whether the app may run: *active* or *grace*.
    pub fn may_run(self) -> bool {
        matches!(self, State::Active | State::Grace)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A license binding that does not hold here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Binding {
    /// The license is bound to another hardware id.
    HardwareMismatch,
    /// The license is bound to another domain.
    DomainMismatch,
    /// The license is bound, and the policy names no hardware id or domain
    /// to check it against.
    NotChecked,
}

/// Why an entry makes the store *invalid*.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryProblem {
    /// Its name or header cannot be read.
    Format(FormatProblem),
    /// It no longer verifies under the key its header names, which is
    /// still configured: tampered.
    Verify(Error),
    /// It verifies, but under another key than its header names.
    FingerprintMismatch,
    /// An answer whose code is not in the table.
    NotAboutTheLicense {
        /// The signed code.
        code: Option<i64>,
    },
    /// An answer without a signed timestamp.
    NoTimestamp,
    /// It names another license key or product than the policy's.
    OtherLicense,
    /// An answer that names another machine (`identifier`, `hardware_id`)
    /// than the policy's hardware id or domain: a store copied from
    /// elsewhere.
    OtherMachine,
    /// Not a regular file (a directory, a link).
    NotAFile,
    /// Larger than the limit.
    TooLarge {
        /// Its length.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// It could not be read.
    Io(std::io::ErrorKind),
}

impl fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryProblem::Format(p) => write!(f, "{p}"),
            EntryProblem::Verify(e) => write!(
                f,
                "it no longer verifies under the key that verified it, which is still configured (tampered): {e}"
            ),
            EntryProblem::FingerprintMismatch => {
                f.write_str("it verifies under another key than its header names (tampered)")
            }
            EntryProblem::NotAboutTheLicense { code: Some(code) } => {
                write!(f, "its code {code} is not about the license state")
            }
            EntryProblem::NotAboutTheLicense { code: None } => {
                f.write_str("it has no integer code")
            }
            EntryProblem::NoTimestamp => f.write_str("it has no signed timestamp"),
            EntryProblem::OtherLicense => {
                f.write_str("it names another license key or product than this store's")
            }
            EntryProblem::OtherMachine => {
                f.write_str("it names another machine than this one (copied from elsewhere?)")
            }
            EntryProblem::NotAFile => f.write_str("it is not a regular file"),
            EntryProblem::TooLarge { len, limit } => {
                write!(f, "it is {len} bytes, over the {limit}-byte limit")
            }
            EntryProblem::Io(kind) => write!(f, "it cannot be read ({kind})"),
        }
    }
}

/// Why the state is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// *none*: the store holds no entry.
    NothingRecorded,
    /// *none*: an entry was signed by a key no longer configured.
    KeyRetired {
        /// The SHA-256 fingerprint its header names.
        fingerprint: String,
    },
    /// *active*: the newest answer grants and is young enough.
    Granted {
        /// Its code.
        code: i64,
        /// Its signed time.
        signed_at: Time,
        /// Its age.
        age: Duration,
        /// The revalidation interval in force.
        revalidate_after: Duration,
    },
    /// *grace*: the newest answer grants, but is past the revalidation
    /// interval.
    RevalidateNow {
        /// Its code.
        code: i64,
        /// Its signed time.
        signed_at: Time,
        /// Its age.
        age: Duration,
        /// The revalidation interval in force.
        revalidate_after: Duration,
        /// The grace limit in force.
        grace: Duration,
    },
    /// *expired*: the newest answer grants, but is past the grace limit.
    AnswerTooOld {
        /// Its code.
        code: i64,
        /// Its signed time.
        signed_at: Time,
        /// Its age.
        age: Duration,
        /// The grace limit in force.
        grace: Duration,
    },
    /// *active*: the license verifies, is unexpired and bound here.
    LicenseValid {
        /// Its last valid second; `None` for never.
        expires_at: Option<Time>,
    },
    /// *expired*: the license has expired.
    LicenseExpired {
        /// Its last valid second.
        expired_at: Time,
        /// The clock.
        now: Time,
    },
    /// *invalid*: the license's `expires_at` is not a form the crate reads.
    LicenseBadExpiry,
    /// *invalid*: the license is bound to another machine or domain.
    NotThisMachine {
        /// Which binding failed.
        binding: Binding,
    },
    /// *revoked* (or *expired* for 205): the newest answer denies.
    Denied {
        /// Its code.
        code: i64,
        /// Its signed time.
        signed_at: Time,
        /// The table's reason.
        why: &'static str,
    },
    /// *invalid*: the clock is behind the newest signed time by more than
    /// the drift tolerance (rolled back).
    ClockBehind {
        /// The newest signed time in the store.
        newest_signed_at: Time,
        /// The clock.
        now: Time,
        /// The tolerance.
        clock_drift: Duration,
    },
    /// *invalid*: an entry does not verify or cannot be read.
    Unreadable {
        /// The file's name (a short prefix if it is not an entry's).
        file: String,
        /// What is wrong with it.
        problem: EntryProblem,
    },
    /// *invalid*: the store holds more files than [`MAX_ENTRIES`].
    TooManyEntries {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// *invalid*: the store's directory cannot be read.
    StoreUnreadable(std::io::ErrorKind),
}

fn span(d: &Duration) -> String {
    let s = d.as_secs();
    if s >= 86_400 && s.is_multiple_of(86_400) {
        format!("{} d", s / 86_400)
    } else {
        format!("{s} s")
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NothingRecorded => f.write_str("nothing recorded: ask the server"),
            Reason::KeyRetired { fingerprint } => write!(
                f,
                "an entry was signed by a key no longer configured (sha256:{fingerprint}): ask the server"
            ),
            Reason::Granted {
                code,
                signed_at,
                age,
                revalidate_after,
            } => write!(
                f,
                "the newest answer (code {code}, signed at {signed_at}) grants; {} old, revalidate after {}",
                span(age),
                span(revalidate_after)
            ),
            Reason::RevalidateNow {
                code,
                signed_at,
                age,
                revalidate_after,
                grace,
            } => write!(
                f,
                "the newest answer (code {code}, signed at {signed_at}) grants but is {} old, past the {} revalidation interval: revalidate online (grace ends at {})",
                span(age),
                span(revalidate_after),
                span(grace)
            ),
            Reason::AnswerTooOld {
                code,
                signed_at,
                age,
                grace,
            } => write!(
                f,
                "the newest answer (code {code}, signed at {signed_at}) is {} old, past the {} grace limit",
                span(age),
                span(grace)
            ),
            Reason::LicenseValid { expires_at: None } => {
                f.write_str("the offline license verifies, is bound here and never expires")
            }
            Reason::LicenseValid {
                expires_at: Some(t),
            } => write!(
                f,
                "the offline license verifies, is bound here and is valid until {t}"
            ),
            Reason::LicenseExpired { expired_at, now } => write!(
                f,
                "the offline license expired at {expired_at} (now {now})"
            ),
            Reason::LicenseBadExpiry => {
                f.write_str("the offline license's expires_at is not a date the crate reads")
            }
            Reason::NotThisMachine { binding } => f.write_str(match binding {
                Binding::HardwareMismatch => {
                    "the offline license is bound to another hardware id"
                }
                Binding::DomainMismatch => "the offline license is bound to another domain",
                Binding::NotChecked => {
                    "the offline license is bound to a machine or domain, and none was given to check it against"
                }
            }),
            Reason::Denied {
                code,
                signed_at,
                why,
            } => write!(
                f,
                "the newest answer (code {code}, signed at {signed_at}) denies: {why}"
            ),
            Reason::ClockBehind {
                newest_signed_at,
                now,
                clock_drift,
            } => write!(
                f,
                "the clock ({now}) is behind the newest signed time in the store ({newest_signed_at}) by more than {}: it was turned back",
                span(clock_drift)
            ),
            Reason::Unreadable { file, problem } => write!(f, "entry {file}: {problem}"),
            Reason::TooManyEntries { count, limit } => write!(
                f,
                "the store holds {count} files, more than the {limit} it may"
            ),
            Reason::StoreUnreadable(kind) => {
                write!(f, "the store's directory cannot be read ({kind})")
            }
        }
    }
}

/// A state and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    state: State,
    reason: Reason,
}

impl Decision {
    fn new(state: State, reason: Reason) -> Self {
        Decision { state, reason }
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Why.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }
}

impl fmt::Display for Decision {
    /// The state's word, then the reason: `active: the newest answer ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.state, self.reason)
    }
}

/// Why [`Store::record_answer`] or [`Store::record_license`] kept nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum RecordError {
    /// It does not verify: as an answer to the request (a replayed or
    /// forged answer), or as a license under that key name.
    Refused(Error),
    /// An answer whose code is not in the table ([`verdict`]).
    NotAboutTheLicense {
        /// The signed code.
        code: Option<i64>,
    },
    /// It names another license key or product than the policy's.
    OtherLicense,
    /// An answer that names another machine than the policy's hardware id
    /// or domain.
    OtherMachine,
    /// The store could not be written (nothing was kept).
    Io(std::io::Error),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Refused(e) => write!(f, "{e}"),
            RecordError::NotAboutTheLicense { code: Some(code) } => write!(
                f,
                "code {code} says nothing about the license state (not in the grant/deny table)"
            ),
            RecordError::NotAboutTheLicense { code: None } => {
                f.write_str("the answer has no integer code")
            }
            RecordError::OtherLicense => {
                f.write_str("it names another license key or product than this store's")
            }
            RecordError::OtherMachine => {
                f.write_str("it names another machine than this store's hardware id or domain")
            }
            RecordError::Io(e) => write!(f, "the store could not be written: {e}"),
        }
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordError::Refused(e) => Some(e),
            RecordError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Decides over a store's files already read, as `(file name, bytes)`:
/// what [`Store::check`] does after reading the directory, for an
/// application that keeps the files elsewhere (and for fuzzing).
pub fn check_files(keyring: &Keyring, files: &[(&str, &[u8])], policy: &StatePolicy) -> Decision {
    let now = verify::now(&*policy.clock);
    decide::decide(keyring, files, policy, now)
}
