//! The store's directory: atomic writes, reading, and removing what no
//! longer decides. The only I/O of the module; the decision itself works
//! on bytes already read ([`super::check_files`]).
//!
//! Durability, per system:
//! - every entry is written to a temporary file (`.tmp-...`, in the same
//!   directory, so the rename does not cross file systems), flushed with
//!   `File::sync_all` (`fsync`; `FlushFileBuffers` on Windows), then
//!   renamed to its final name. An entry's name is the SHA-256 of its
//!   content, so a rename only ever replaces a file with the same bytes.
//! - Unix: the directory is then flushed too (`fsync` on the directory),
//!   so the rename itself survives a power cut. Windows cannot open a
//!   directory for flushing through `std`; NTFS journals the rename
//!   (`MoveFileEx`, which `std::fs::rename` uses, replacing an existing
//!   file), so it is skipped there. Tested on Linux only.
//! - A crash leaves at most a temporary file, which readers ignore and a
//!   later record removes once it is an hour old.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::decide::{self, Read as Entry};
use super::entry::{self, Kind};
use super::table::Verdict;
use super::verify::{self, Time};
use super::{Decision, EntryProblem, MAX_ENTRIES, Reason, RecordError, State, StatePolicy};
use crate::keyring::Keyring;

/// How old a temporary file must be before a record removes it: older than
/// any write in progress.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// The longest header an entry may have: its file may be this much larger
/// than the input limit.
const HEADER_ALLOWANCE: u64 = 512;

/// A store: a directory of entries. Creating one does no I/O; the
/// directory is made by the first record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
}

/// What a record kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The entry's file.
    pub file: PathBuf,
    /// What it is.
    pub kind: Kind,
    /// For an answer, what its code says.
    pub verdict: Option<Verdict>,
}

impl Store {
    /// The store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records a live answer: `envelope` exactly as the server sent it,
    /// `sent_at` the time its request was sent (read from the clock just
    /// before sending). Kept only if it verifies as the answer to that
    /// request, its code is in the grant/deny table and it names no other
    /// license key or product than the policy's; otherwise nothing in the
    /// store changes. A kept answer also clears entries that no longer
    /// verify or whose key was retired: it is the server's word now.
    pub fn record_answer(
        &self,
        keyring: &Keyring,
        envelope: &[u8],
        sent_at: Time,
        policy: &StatePolicy,
    ) -> Result<Recorded, RecordError> {
        let facts = verify::live_answer(
            keyring,
            envelope,
            sent_at,
            &*policy.clock,
            policy.clock_drift,
            policy.limits,
        )
        .map_err(RecordError::Refused)?;
        let answer = decide::classify(facts.code, facts.signed_at).map_err(|p| match p {
            EntryProblem::NotAboutTheLicense { code } => RecordError::NotAboutTheLicense { code },
            // The answer check requires a timestamp: not reached.
            _ => RecordError::Refused(crate::Error::MissingTimestamp),
        })?;
        match decide::names_other(&facts.payload, policy) {
            Some(EntryProblem::OtherMachine) => return Err(RecordError::OtherMachine),
            Some(_) => return Err(RecordError::OtherLicense),
            None => {}
        }
        let (name, bytes) = entry::encode(Kind::Answer, &facts.fingerprint, None, envelope);
        let file = write_entry(&self.dir, &name, &bytes).map_err(RecordError::Io)?;
        compact(&self.dir, keyring, policy, true);
        Ok(Recorded {
            file,
            kind: Kind::Answer,
            verdict: Some(answer.verdict),
        })
    }

    /// Records an offline license file (either format) that verifies under
    /// the keys named `name`. Expiry and binding are judged on every
    /// [`check`](Self::check), not here. One license per store: a kept
    /// license replaces the one before.
    pub fn record_license(
        &self,
        keyring: &Keyring,
        name: &str,
        file: &[u8],
        policy: &StatePolicy,
    ) -> Result<Recorded, RecordError> {
        let facts = verify::license(keyring, name, file, &decide::rules(policy, None))
            .map_err(RecordError::Refused)?;
        if matches!(facts.verdict, verify::LicenseVerdict::OtherLicense) {
            return Err(RecordError::OtherLicense);
        }
        let (entry_name, bytes) =
            entry::encode(Kind::License, &facts.fingerprint, Some(name), file);
        let path = write_entry(&self.dir, &entry_name, &bytes).map_err(RecordError::Io)?;
        compact(&self.dir, keyring, policy, false);
        Ok(Recorded {
            file: path,
            kind: Kind::License,
            verdict: None,
        })
    }

    /// The state, from the store's files as they are now, every one of
    /// them verified again.
    pub fn check(&self, keyring: &Keyring, policy: &StatePolicy) -> Decision {
        let now = verify::now(&*policy.clock);
        match read_all(&self.dir, policy) {
            Ok(files) => {
                let borrowed: Vec<(&str, &[u8])> = files
                    .iter()
                    .map(|f| (f.name.as_str(), f.bytes.as_slice()))
                    .collect();
                decide::decide(keyring, &borrowed, policy, now)
            }
            Err(reason) => Decision::new(State::Invalid, reason),
        }
    }
}

/// One file of the store, read.
struct File {
    name: String,
    bytes: Vec<u8>,
    modified: Option<SystemTime>,
}

/// Reads every entry of `dir` (none if it does not exist). A file listed
/// and gone before it is read was removed by a record in another process:
/// the listing is taken again, a few times.
fn read_all(dir: &Path, policy: &StatePolicy) -> Result<Vec<File>, Reason> {
    let mut attempts = 0;
    loop {
        match read_once(dir, policy) {
            Err(Listing::Vanished) if attempts < 8 => attempts += 1,
            Err(Listing::Vanished) => {
                return Err(Reason::StoreUnreadable(io::ErrorKind::NotFound));
            }
            Err(Listing::Bad(reason)) => return Err(reason),
            Ok(files) => return Ok(files),
        }
    }
}

enum Listing {
    Vanished,
    Bad(Reason),
}

fn unreadable(name: &str, problem: EntryProblem) -> Listing {
    Listing::Bad(Reason::Unreadable {
        file: decide::shown_name(name),
        problem,
    })
}

fn read_once(dir: &Path, policy: &StatePolicy) -> Result<Vec<File>, Listing> {
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Listing::Bad(Reason::StoreUnreadable(e.kind()))),
    };
    let limit = u64::try_from(policy.limits.input_limit())
        .unwrap_or(u64::MAX)
        .saturating_add(HEADER_ALLOWANCE);
    let mut files = Vec::new();
    let mut count = 0usize;
    for item in listing {
        let item = item.map_err(|e| Listing::Bad(Reason::StoreUnreadable(e.kind())))?;
        let name = match item.file_name().into_string() {
            Ok(name) => name,
            Err(raw) => {
                let shown = raw.to_string_lossy().into_owned();
                return Err(unreadable(
                    &shown,
                    EntryProblem::Format(entry::FormatProblem::Name),
                ));
            }
        };
        if name.starts_with('.') {
            continue;
        }
        count += 1;
        if count > MAX_ENTRIES {
            return Err(Listing::Bad(Reason::TooManyEntries {
                count,
                limit: MAX_ENTRIES,
            }));
        }
        if entry::kind_of_name(&name).is_none() {
            return Err(unreadable(
                &name,
                EntryProblem::Format(entry::FormatProblem::Name),
            ));
        }
        let path = item.path();
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Listing::Vanished),
            Err(e) => return Err(unreadable(&name, EntryProblem::Io(e.kind()))),
        };
        if !meta.is_file() {
            return Err(unreadable(&name, EntryProblem::NotAFile));
        }
        if meta.len() > limit {
            return Err(unreadable(
                &name,
                EntryProblem::TooLarge {
                    len: meta.len(),
                    limit,
                },
            ));
        }
        let mut bytes = Vec::new();
        let read = fs::File::open(&path)
            .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut bytes));
        match read {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Listing::Vanished),
            Err(e) => return Err(unreadable(&name, EntryProblem::Io(e.kind()))),
        }
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if len > limit {
            return Err(unreadable(&name, EntryProblem::TooLarge { len, limit }));
        }
        files.push(File {
            name,
            bytes,
            modified: meta.modified().ok(),
        });
    }
    // The decision does not depend on listing order, but reasons do: the
    // first bad file by name is the one reported.
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// A process-wide counter for temporary names.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` as `dir/name`: temporary file, flush, rename, directory
/// flush.
fn write_entry(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let temp = dir.join(format!(
        ".tmp-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        let path = dir.join(name);
        fs::rename(&temp, &path)?;
        sync_dir(dir)?;
        Ok(path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Removes what no longer decides: every grant but the newest, every
/// denial but the newest, every license but the last written; with
/// `clear_bad` (after a kept answer) also entries that do not verify or
/// whose key was retired; and stale temporary files. A file is removed
/// only when a newer one of its kind was read in the same pass, by one
/// total order, so two processes doing this at once keep the newest of
/// each kind. Failures to remove are left for the next record.
fn compact(dir: &Path, keyring: &Keyring, policy: &StatePolicy, clear_bad: bool) {
    remove_stale_temps(dir);
    let now = verify::now(&*policy.clock);
    let Ok(files) = read_all(dir, policy) else {
        return;
    };
    let mut grants: Vec<(Time, &str)> = Vec::new();
    let mut denials: Vec<(Time, &str)> = Vec::new();
    let mut licenses: Vec<(Option<SystemTime>, &str)> = Vec::new();
    let mut bad: Vec<&str> = Vec::new();
    for file in &files {
        match decide::read_entry(keyring, &file.name, &file.bytes, policy, now) {
            Ok(Entry::Answer(a)) if a.verdict.grants() => grants.push((a.signed_at, &file.name)),
            Ok(Entry::Answer(a)) => denials.push((a.signed_at, &file.name)),
            Ok(Entry::License(_)) => licenses.push((file.modified, &file.name)),
            Ok(Entry::Retired { .. }) | Err(EntryProblem::Format(_) | EntryProblem::Verify(_)) => {
                bad.push(&file.name)
            }
            Err(EntryProblem::FingerprintMismatch | EntryProblem::NotAboutTheLicense { .. }) => {
                bad.push(&file.name)
            }
            Err(EntryProblem::NoTimestamp) => bad.push(&file.name),
            // Another license's entry, or one that could not be read now:
            // left as it is.
            Err(_) => {}
        }
    }
    let mut remove: Vec<&str> = Vec::new();
    for mut group in [grants, denials] {
        group.sort();
        group.pop();
        remove.extend(group.into_iter().map(|(_, name)| name));
    }
    licenses.sort();
    licenses.pop();
    remove.extend(licenses.into_iter().map(|(_, name)| name));
    if clear_bad {
        remove.extend(bad);
    }
    let mut removed = false;
    for name in remove {
        removed |= fs::remove_file(dir.join(name)).is_ok();
    }
    if removed {
        let _ = sync_dir(dir);
    }
}

fn remove_stale_temps(dir: &Path) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for item in listing.flatten() {
        let is_temp = item
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(".tmp-"));
        if !is_temp {
            continue;
        }
        let stale = item
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMP);
        if stale {
            let _ = fs::remove_file(item.path());
        }
    }
}
