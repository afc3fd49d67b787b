//! `respsig::state`: the license state kept from signed bytes, every case
//! of issue 22's "Done when", with exact states and reasons.

use std::path::{Path, PathBuf};
use std::time::Duration;

use respsig::state::{
    Binding, DEFAULT_GRACE, DEFAULT_REVALIDATE_AFTER, EntryProblem, FormatProblem, Kind,
    MAX_ENTRIES, Reason, RecordError, Sdk, State, StatePolicy, Store, Verdict,
};
use respsig::{Error, FixedClock, Keyring, SigningKey, UnixTime};
use serde_json::json;

use crate::common;

/// A signed time of the tests: 2027-01-15.
const T: i64 = 1_800_000_000;
/// `openssl-2048.lic`'s last valid second (2026-12-31 23:59:59 UTC).
const LIC_EXPIRES: i64 = 1_798_761_599;

fn server() -> SigningKey {
    common::private("keys/rsa2048.pem")
}

fn other_server() -> SigningKey {
    common::private("keys/other2048.pem")
}

fn keyring() -> Keyring {
    Keyring::new()
        .with("product", server().public_key().clone())
        .unwrap()
}

fn answer_by(key: &SigningKey, code: i64, timestamp: i64) -> Vec<u8> {
    key.sign_envelope(
        "product",
        &json!({"code": code, "message": "m", "timestamp": timestamp}),
    )
    .unwrap()
    .into_bytes()
}

fn answer(code: i64, timestamp: i64) -> Vec<u8> {
    answer_by(&server(), code, timestamp)
}

fn at(now: i64) -> StatePolicy {
    StatePolicy::new().clock(FixedClock::at(now))
}

/// Records an answer signed at `timestamp`, its request sent a second
/// before, the clock a second after.
fn record(store: &Store, code: i64, timestamp: i64) {
    store
        .record_answer(
            &keyring(),
            &answer(code, timestamp),
            UnixTime::from_secs(timestamp - 1),
            &at(timestamp + 1),
        )
        .unwrap();
}

fn check(store: &Store, now: i64) -> (State, Reason) {
    let d = store.check(&keyring(), &at(now));
    (d.state(), d.reason().clone())
}

/// Every file of the store: name and bytes, sorted.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = listing
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

fn entries(dir: &Path, kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(kind) && n.ends_with(".entry"))
        })
        .collect();
    v.sort();
    v
}

fn granted(signed_at: i64, age: u64, revalidate_after: Duration) -> (State, Reason) {
    (
        State::Active,
        Reason::Granted {
            code: 200,
            signed_at: UnixTime::from_secs(signed_at),
            age: Duration::from_secs(age),
            revalidate_after,
        },
    )
}

#[test]
fn a_fresh_grant_is_active() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let kept = store
        .record_answer(
            &keyring(),
            &answer(200, T),
            UnixTime::from_secs(T - 1),
            &at(T + 1),
        )
        .unwrap();
    assert_eq!(
        (kept.kind, kept.verdict),
        (Kind::Answer, Some(Verdict::Grant))
    );
    assert_eq!(
        check(&store, T + 10),
        granted(T, 10, DEFAULT_REVALIDATE_AFTER)
    );
    for code in [300, 301] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        record(&store, code, T);
        assert_eq!(check(&store, T).0, State::Active, "{code}");
    }
}

#[test]
fn past_the_revalidation_interval_is_grace_and_past_the_grace_limit_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let r = DEFAULT_REVALIDATE_AFTER.as_secs();
    let g = DEFAULT_GRACE.as_secs();
    assert_eq!(
        check(&store, T + r as i64),
        granted(T, r, DEFAULT_REVALIDATE_AFTER)
    );
    assert_eq!(
        check(&store, T + r as i64 + 1),
        (
            State::Grace,
            Reason::RevalidateNow {
                code: 200,
                signed_at: UnixTime::from_secs(T),
                age: Duration::from_secs(r + 1),
                revalidate_after: DEFAULT_REVALIDATE_AFTER,
                grace: DEFAULT_GRACE,
            }
        )
    );
    assert_eq!(check(&store, T + g as i64).0, State::Grace);
    assert_eq!(
        check(&store, T + g as i64 + 1),
        (
            State::Expired,
            Reason::AnswerTooOld {
                code: 200,
                signed_at: UnixTime::from_secs(T),
                age: Duration::from_secs(g + 1),
                grace: DEFAULT_GRACE,
            }
        )
    );
    // The caller's spans.
    let policy = at(T + 100)
        .revalidate_after(Duration::from_secs(50))
        .grace(Duration::from_secs(150));
    assert_eq!(store.check(&keyring(), &policy).state(), State::Grace);
    let policy = at(T + 151)
        .revalidate_after(Duration::from_secs(50))
        .grace(Duration::from_secs(150));
    assert_eq!(store.check(&keyring(), &policy).state(), State::Expired);
}

#[test]
fn a_clock_moved_back_before_the_newest_signed_time_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let drift = respsig::DEFAULT_CLOCK_DRIFT.as_secs() as i64;
    // A clock a few minutes slow is not rolled back.
    assert_eq!(
        check(&store, T - drift),
        granted(T, 0, DEFAULT_REVALIDATE_AFTER)
    );
    assert_eq!(
        check(&store, T - drift - 1),
        (
            State::Invalid,
            Reason::ClockBehind {
                newest_signed_at: UnixTime::from_secs(T),
                now: UnixTime::from_secs(T - drift - 1),
                clock_drift: respsig::DEFAULT_CLOCK_DRIFT,
            }
        )
    );
    // Back to before the answer was ever signed: the same.
    assert_eq!(check(&store, T - 86_400).0, State::Invalid);
    // The newest of all counts, a denial too.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    record(&store, 204, T + 10_000);
    assert_eq!(
        check(&store, T + 10_000 - drift - 1).1,
        Reason::ClockBehind {
            newest_signed_at: UnixTime::from_secs(T + 10_000),
            now: UnixTime::from_secs(T + 10_000 - drift - 1),
            clock_drift: respsig::DEFAULT_CLOCK_DRIFT,
        }
    );
}

fn denied(code: i64, signed_at: i64, why: &'static str) -> Reason {
    Reason::Denied {
        code,
        signed_at: UnixTime::from_secs(signed_at),
        why,
    }
}

#[test]
fn a_newer_refusal_wins_whatever_the_order_of_recording() {
    // Recorded after the older grant.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    record(&store, 204, T + 100);
    assert_eq!(
        check(&store, T + 200),
        (State::Revoked, denied(204, T + 100, "license key blocked"))
    );
    // Recorded before the older grant (which reached the store later).
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 204, T + 100);
    record(&store, 200, T);
    assert_eq!(
        check(&store, T + 200),
        (State::Revoked, denied(204, T + 100, "license key blocked"))
    );
    // At equal times the denial wins.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    record(&store, 302, T);
    assert_eq!(check(&store, T + 1).0, State::Revoked);
    // A newer grant outranks an older denial.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 210, T);
    record(&store, 301, T + 1);
    assert_eq!(
        check(&store, T + 2),
        (
            State::Active,
            Reason::Granted {
                code: 301,
                signed_at: UnixTime::from_secs(T + 1),
                age: Duration::from_secs(1),
                revalidate_after: DEFAULT_REVALIDATE_AFTER,
            }
        )
    );
    // 205 is expired, not revoked.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    record(&store, 205, T + 5);
    assert_eq!(
        check(&store, T + 6),
        (State::Expired, denied(205, T + 5, "license key expired"))
    );
}

#[test]
fn every_denial_code_of_the_table_revokes() {
    for (code, want) in [
        (201, State::Revoked),
        (202, State::Revoked),
        (203, State::Revoked),
        (204, State::Revoked),
        (205, State::Expired),
        (210, State::Revoked),
        (302, State::Revoked),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        record(&store, code, T);
        assert_eq!(check(&store, T + 1).0, want, "{code}");
    }
}

#[test]
fn a_replayed_answer_is_refused_and_the_store_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 204, T);
    let before = snapshot(dir.path());
    // A grant signed two minutes before the request was sent.
    let replayed = answer(200, T + 1000);
    let err = store
        .record_answer(
            &keyring(),
            &replayed,
            UnixTime::from_secs(T + 1120),
            &at(T + 1121),
        )
        .unwrap_err();
    match err {
        RecordError::Refused(Error::NotAnAnswerToRequest {
            signed_at, sent_at, ..
        }) => assert_eq!(
            (signed_at.as_secs(), sent_at.as_secs()),
            (T + 1000, T + 1120)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(check(&store, T + 2000).0, State::Revoked);
}

#[test]
fn refused_input_leaves_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let before = snapshot(dir.path());
    // Not about the license.
    let err = store
        .record_answer(
            &keyring(),
            &answer(373, T + 5),
            UnixTime::from_secs(T + 4),
            &at(T + 6),
        )
        .unwrap_err();
    assert!(
        matches!(err, RecordError::NotAboutTheLicense { code: Some(373) }),
        "{err:?}"
    );
    // Tampered.
    let forged = String::from_utf8(answer(204, T + 5))
        .unwrap()
        .replace("\"code\":204", "\"code\":200");
    let err = store
        .record_answer(
            &keyring(),
            forged.as_bytes(),
            UnixTime::from_secs(T + 4),
            &at(T + 6),
        )
        .unwrap_err();
    assert!(
        matches!(err, RecordError::Refused(Error::ContentMismatch)),
        "{err:?}"
    );
    // An answer from the future.
    let err = store
        .record_answer(
            &keyring(),
            &answer(204, T + 5000),
            UnixTime::from_secs(T + 4),
            &at(T + 6),
        )
        .unwrap_err();
    assert!(
        matches!(err, RecordError::Refused(Error::FutureTimestamp { .. })),
        "{err:?}"
    );
    // Not a license.
    let err = store
        .record_license(&keyring(), "product", b"not a license", &at(T))
        .unwrap_err();
    assert!(
        matches!(err, RecordError::Refused(Error::Malformed { .. })),
        "{err:?}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn an_answer_under_a_key_not_configured() {
    // At record: refused.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let foreign = answer_by(&other_server(), 200, T);
    let err = store
        .record_answer(&keyring(), &foreign, UnixTime::from_secs(T - 1), &at(T + 1))
        .unwrap_err();
    assert!(
        matches!(err, RecordError::Refused(Error::BadSignature)),
        "{err:?}"
    );
    assert_eq!(snapshot(dir.path()), Vec::new());

    // In the store, after the key was rotated out: absent, so none.
    record(&store, 200, T);
    let rotated = Keyring::new()
        .with("product", other_server().public_key().clone())
        .unwrap();
    let fingerprint = server().public_key().fingerprint();
    let d = store.check(&rotated, &at(T + 10));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::None,
            Reason::KeyRetired {
                fingerprint: fingerprint.clone()
            }
        )
    );
    // Even with a denial: a retired entry never makes it better than none,
    // and a revocation stays.
    let new_grant = answer_by(&other_server(), 200, T + 20);
    let kept = store
        .record_answer(
            &rotated,
            &new_grant,
            UnixTime::from_secs(T + 19),
            &at(T + 21),
        )
        .unwrap();
    // The new answer cleared the retired entry.
    assert_eq!(entries(dir.path(), "answer"), vec![kept.file]);
    let d = store.check(&rotated, &at(T + 30));
    assert_eq!(d.state(), State::Active);
    // During rotation (both keys configured) both verify.
    let both = rotated
        .clone()
        .with("product", server().public_key().clone())
        .unwrap();
    assert_eq!(store.check(&both, &at(T + 30)).state(), State::Active);
}

#[test]
fn a_forged_hint_can_only_make_the_state_worse() {
    // A denial whose fingerprint hint is rewritten to an unknown key (and
    // renamed to match) counts as retired: the state is none, not the
    // older grant's active.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    record(&store, 204, T + 10);
    let denial = entries(dir.path(), "answer")
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains(&clear_code(204))
        })
        .unwrap();
    let text = std::fs::read_to_string(&denial).unwrap();
    let fp = server().public_key().fingerprint();
    let forged = text.replacen(&fp, &"0".repeat(64), 1);
    rewrite(&denial, forged.as_bytes());
    assert_eq!(
        check(&store, T + 20),
        (
            State::None,
            Reason::KeyRetired {
                fingerprint: "0".repeat(64)
            }
        )
    );
}

/// A code member as the envelope's unsigned `response` copy shows it.
fn clear_code(code: i64) -> String {
    format!("\"code\":{code}")
}

/// Replaces `path` by `bytes` under the name its digest gives (as a
/// tamperer who knows the format would).
fn rewrite(path: &Path, bytes: &[u8]) -> PathBuf {
    let name = path.file_name().unwrap().to_str().unwrap();
    let kind = name.split('-').next().unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let new = path.with_file_name(format!("{kind}-{hex}.entry"));
    std::fs::remove_file(path).unwrap();
    std::fs::write(&new, bytes).unwrap();
    new
}

fn lic_policy(now: i64) -> StatePolicy {
    at(now).hardware_id("HW-1234")
}

/// A store with a grant, an older denial and the `.lic` license.
fn full_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 204, T - 50);
    record(&store, 200, T);
    store
        .record_license(
            &keyring(),
            "product",
            &common::bytes("license/openssl-2048.lic"),
            &at(T),
        )
        .unwrap();
    (dir, store)
}

#[test]
fn every_file_with_one_byte_changed_makes_the_store_invalid() {
    let (dir, store) = full_store();
    let policy = lic_policy(T + 10);
    assert_eq!(store.check(&keyring(), &policy).state(), State::Active);
    let files = snapshot(dir.path());
    assert_eq!(files.len(), 3);
    let mut cases = 0;
    for (name, original) in &files {
        let path = dir.path().join(name);
        for i in 0..original.len() {
            let mut changed = original.clone();
            changed[i] ^= 0x01;
            std::fs::write(&path, &changed).unwrap();
            let d = store.check(&keyring(), &policy);
            assert_eq!(
                (d.state(), d.reason().clone()),
                (
                    State::Invalid,
                    Reason::Unreadable {
                        file: name.clone(),
                        problem: EntryProblem::Format(FormatProblem::Digest),
                    }
                ),
                "{name} byte {i}"
            );
            cases += 1;
        }
        // Truncated.
        std::fs::write(&path, &original[..original.len() - 1]).unwrap();
        assert_eq!(store.check(&keyring(), &policy).state(), State::Invalid);
        std::fs::write(&path, original).unwrap();
    }
    assert!(cases > 1000, "{cases}");
    assert_eq!(store.check(&keyring(), &policy).state(), State::Active);
}

#[test]
fn a_changed_entry_renamed_to_its_new_digest_never_reads_better() {
    let (dir, store) = full_store();
    let policy = lic_policy(T + 10);
    let original = store.check(&keyring(), &policy);
    assert_eq!(original.state(), State::Active);
    let files = snapshot(dir.path());
    let (mut invalid, mut retired, mut same) = (0, 0, 0);
    for (name, bytes) in &files {
        // Every byte of the header and a stride through the body.
        let header = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        let positions: Vec<usize> = (0..header)
            .chain((header..bytes.len()).step_by(7))
            .collect();
        for i in positions {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            let moved = rewrite(&dir.path().join(name), &changed);
            let d = store.check(&keyring(), &policy);
            match (d.state(), d.reason()) {
                (State::Invalid, Reason::Unreadable { .. }) => invalid += 1,
                // A grant's hint made "retired": what is left decides,
                // never better than none (here the older denial).
                (State::None, Reason::KeyRetired { .. }) | (State::Revoked, _) => retired += 1,
                _ if d == original => same += 1,
                _ => panic!("{name} byte {i}: {d}"),
            }
            assert!(
                !d.state().may_run() || d == original,
                "{name} byte {i}: {d}"
            );
            std::fs::remove_file(&moved).unwrap();
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
    }
    // The fingerprint hint is the only place a change reads as retired;
    // bytes nobody signed or checks (none in these files) would read the same.
    assert!(invalid > 250 && retired >= 3, "{invalid} {retired} {same}");
}

#[test]
fn tampered_signed_bytes_under_a_configured_key_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 204, T);
    let path = entries(dir.path(), "answer").pop().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let forged = text.replace("\"code\":204", "\"code\":200");
    let moved = rewrite(&path, forged.as_bytes());
    let name = moved.file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        check(&store, T + 1),
        (
            State::Invalid,
            Reason::Unreadable {
                file: name,
                problem: EntryProblem::Verify(Error::ContentMismatch),
            }
        )
    );
    // The hint pointing at another configured key.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let path = entries(dir.path(), "answer").pop().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let other_fp = other_server().public_key().fingerprint();
    let forged = text.replacen(&server().public_key().fingerprint(), &other_fp, 1);
    rewrite(&path, forged.as_bytes());
    let both = keyring()
        .with("global", other_server().public_key().clone())
        .unwrap();
    let d = store.check(&both, &at(T + 1));
    assert_eq!(d.state(), State::Invalid);
    assert!(
        matches!(
            d.reason(),
            Reason::Unreadable {
                problem: EntryProblem::FingerprintMismatch,
                ..
            }
        ),
        "{d}"
    );
}

#[test]
fn an_empty_store_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Store::new(dir.path().join("never-made"));
    assert_eq!(check(&missing, T), (State::None, Reason::NothingRecorded));
    let empty = Store::new(dir.path());
    assert_eq!(check(&empty, T), (State::None, Reason::NothingRecorded));
    // A temporary file a crash left is not an entry.
    std::fs::write(dir.path().join(".tmp-1-2-3"), b"respsig-state 1 ans").unwrap();
    assert_eq!(check(&empty, T), (State::None, Reason::NothingRecorded));
}

#[test]
fn an_offline_license_on_the_right_and_the_wrong_machine() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let kept = store
        .record_license(
            &keyring(),
            "product",
            &common::bytes("license/openssl-2048.lic"),
            &at(T),
        )
        .unwrap();
    assert_eq!((kept.kind, kept.verdict), (Kind::License, None));
    let now = LIC_EXPIRES - 1000;
    let d = store.check(&keyring(), &lic_policy(now));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::Active,
            Reason::LicenseValid {
                expires_at: Some(UnixTime::from_secs(LIC_EXPIRES))
            }
        )
    );
    let d = store.check(&keyring(), &at(now).hardware_id("HW-9999"));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::Invalid,
            Reason::NotThisMachine {
                binding: Binding::HardwareMismatch
            }
        )
    );
    let d = store.check(&keyring(), &at(now).domain("other.example"));
    assert_eq!(
        d.reason().clone(),
        Reason::NotThisMachine {
            binding: Binding::DomainMismatch
        }
    );
    assert_eq!(
        store
            .check(&keyring(), &at(now).domain("EXAMPLE.com"))
            .state(),
        State::Active
    );
    let d = store.check(&keyring(), &at(now));
    assert_eq!(
        d.reason().clone(),
        Reason::NotThisMachine {
            binding: Binding::NotChecked
        }
    );
    // Its last second, and the one after.
    assert_eq!(
        store.check(&keyring(), &lic_policy(LIC_EXPIRES)).state(),
        State::Active
    );
    let d = store.check(&keyring(), &lic_policy(LIC_EXPIRES + 1));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::Expired,
            Reason::LicenseExpired {
                expired_at: UnixTime::from_secs(LIC_EXPIRES),
                now: UnixTime::from_secs(LIC_EXPIRES + 1)
            }
        )
    );
}

#[test]
fn a_signed_json_license_and_one_license_per_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let doc = |key: &str| {
        server()
            .sign_license_json(&json!({"license_key": key, "hardware_id": "HW-1"}))
            .unwrap()
    };
    store
        .record_license(&keyring(), "product", doc("LIC-A").as_bytes(), &at(T))
        .unwrap();
    store
        .record_license(&keyring(), "product", doc("LIC-B").as_bytes(), &at(T))
        .unwrap();
    // The second replaced the first.
    let licenses = entries(dir.path(), "license");
    assert_eq!(licenses.len(), 1);
    assert!(
        std::fs::read_to_string(&licenses[0])
            .unwrap()
            .contains("LIC-B")
    );
    let policy = at(T).hardware_id("HW-1");
    assert_eq!(
        store.check(&keyring(), &policy).reason().clone(),
        Reason::LicenseValid { expires_at: None }
    );
    // A store for LIC-A: LIC-B is refused at record and invalid on read.
    let for_a = policy.clone().license_key("LIC-A");
    let before = snapshot(dir.path());
    let err = store
        .record_license(&keyring(), "product", doc("LIC-C").as_bytes(), &for_a)
        .unwrap_err();
    assert!(matches!(err, RecordError::OtherLicense), "{err:?}");
    assert_eq!(snapshot(dir.path()), before);
    let d = store.check(&keyring(), &for_a);
    assert_eq!(d.state(), State::Invalid);
    assert!(
        matches!(
            d.reason(),
            Reason::Unreadable {
                problem: EntryProblem::OtherLicense,
                ..
            }
        ),
        "{d}"
    );
    // Answers that name another license key are refused; those that name
    // none, or the same, are kept.
    let named = |key: &str| {
        server()
            .sign_envelope(
                "product",
                &json!({"code": 200, "license_key": key, "timestamp": T}),
            )
            .unwrap()
    };
    let for_b = policy.clone().license_key("LIC-B");
    let err = store
        .record_answer(
            &keyring(),
            named("LIC-Z").as_bytes(),
            UnixTime::from_secs(T - 1),
            &for_b,
        )
        .unwrap_err();
    assert!(matches!(err, RecordError::OtherLicense), "{err:?}");
    store
        .record_answer(
            &keyring(),
            named("LIC-B").as_bytes(),
            UnixTime::from_secs(T - 1),
            &for_b,
        )
        .unwrap();
    store
        .record_answer(
            &keyring(),
            &answer(200, T + 1),
            UnixTime::from_secs(T),
            &for_b,
        )
        .unwrap();
    // Under another key name the document does not verify.
    let err = store
        .record_license(&keyring(), "global", doc("LIC-B").as_bytes(), &for_b)
        .unwrap_err();
    assert!(
        matches!(err, RecordError::Refused(Error::UnknownKeyName { .. })),
        "{err:?}"
    );
}

#[test]
fn the_license_sets_the_intervals_unless_the_caller_sets_shorter() {
    // A license expired before T (the answers decide), stating
    // licenseCheckInterval 7, forceLicenseValidation 30.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let doc = server()
        .sign_license_json(&json!({"license_key": "LIC-1", "hardware_id": "HW-1234",
            "expires_at": "2026-12-31", "licenseCheckInterval": 7, "forceLicenseValidation": 30}))
        .unwrap();
    store
        .record_license(&keyring(), "product", doc.as_bytes(), &at(T))
        .unwrap();
    let day = 86_400;
    let week = Duration::from_secs(7 * day as u64);
    let month = Duration::from_secs(30 * day as u64);
    let grant_at = |age: i64| {
        let d = store.check(&keyring(), &lic_policy(T + age));
        (d.state(), d.reason().clone())
    };
    assert_eq!(grant_at(7 * day), granted(T, 7 * day as u64, week));
    assert_eq!(
        grant_at(7 * day + 1),
        (
            State::Grace,
            Reason::RevalidateNow {
                code: 200,
                signed_at: UnixTime::from_secs(T),
                age: Duration::from_secs(7 * day as u64 + 1),
                revalidate_after: week,
                grace: month,
            }
        )
    );
    assert_eq!(grant_at(30 * day + 1).0, State::Expired);
    // The caller's shorter interval wins; a longer one does not.
    let d = store.check(
        &keyring(),
        &lic_policy(T + 2 * day).revalidate_after(Duration::from_secs(day as u64)),
    );
    assert_eq!(d.state(), State::Grace);
    let d = store.check(
        &keyring(),
        &lic_policy(T + 2 * day).revalidate_after(Duration::from_secs(10 * day as u64)),
    );
    assert_eq!(d.reason().clone(), granted(T, 2 * day as u64, week).1);
    let d = store.check(
        &keyring(),
        &lic_policy(T + 20 * day).grace(Duration::from_secs(10 * day as u64)),
    );
    assert_eq!(d.state(), State::Expired);
}

#[test]
fn a_denial_outranks_an_offline_license() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    store
        .record_license(
            &keyring(),
            "product",
            &common::bytes("license/openssl-2048.lic"),
            &at(T),
        )
        .unwrap();
    let now = LIC_EXPIRES - 100;
    assert_eq!(
        store.check(&keyring(), &lic_policy(now)).state(),
        State::Active
    );
    // An old denial (signed long before) still outranks the license.
    record(&store, 202, now - 30 * 86_400);
    assert_eq!(
        store.check(&keyring(), &lic_policy(now)).state(),
        State::Revoked
    );
    // A grant newer than the denial: the license's active again.
    record(&store, 200, now - 20 * 86_400);
    let d = store.check(&keyring(), &lic_policy(now));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::Active,
            Reason::LicenseValid {
                expires_at: Some(UnixTime::from_secs(LIC_EXPIRES))
            }
        )
    );
}

#[test]
fn the_store_keeps_only_what_decides() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    for i in 0..12 {
        record(&store, 200, T + i * 10);
        record(&store, 204, T + i * 10 - 5);
    }
    // Older ones arriving late are dropped too.
    record(&store, 200, T - 1000);
    for _ in 0..3 {
        store
            .record_license(
                &keyring(),
                "product",
                &common::bytes("license/openssl-2048.lic"),
                &at(T),
            )
            .unwrap();
    }
    assert_eq!(entries(dir.path(), "answer").len(), 2);
    assert_eq!(entries(dir.path(), "license").len(), 1);
    assert_eq!(snapshot(dir.path()).len(), 3);
    let d = store.check(&keyring(), &lic_policy(T + 111));
    assert_eq!(
        d.reason().clone(),
        Reason::Granted {
            code: 200,
            signed_at: UnixTime::from_secs(T + 110),
            age: Duration::from_secs(1),
            revalidate_after: Duration::from_secs(7 * 86_400),
        }
    );
}

#[test]
fn hostile_files_make_the_store_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let reason = |store: &Store| check(store, T + 1);
    // A file that is not an entry.
    std::fs::write(dir.path().join("notes.txt"), b"hi").unwrap();
    assert_eq!(
        reason(&store),
        (
            State::Invalid,
            Reason::Unreadable {
                file: "\"notes.txt\"".to_owned(),
                problem: EntryProblem::Format(FormatProblem::Name),
            }
        )
    );
    std::fs::remove_file(dir.path().join("notes.txt")).unwrap();
    // A directory under an entry's name.
    let name = format!("answer-{}.entry", "a".repeat(64));
    std::fs::create_dir(dir.path().join(&name)).unwrap();
    assert_eq!(
        reason(&store),
        (
            State::Invalid,
            Reason::Unreadable {
                file: name.clone(),
                problem: EntryProblem::NotAFile,
            }
        )
    );
    std::fs::remove_dir(dir.path().join(&name)).unwrap();
    // A link to an entry.
    #[cfg(unix)]
    {
        let target = entries(dir.path(), "answer").pop().unwrap();
        let link = dir.path().join(format!("answer-{}.entry", "b".repeat(64)));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(reason(&store).0, State::Invalid);
        std::fs::remove_file(&link).unwrap();
    }
    // Too large.
    let big = vec![b'x'; (1 << 20) + 600];
    let big_name = format!("license-{}.entry", "c".repeat(64));
    std::fs::write(dir.path().join(&big_name), &big).unwrap();
    assert!(matches!(
        reason(&store).1,
        Reason::Unreadable {
            problem: EntryProblem::TooLarge { .. },
            ..
        }
    ));
    std::fs::remove_file(dir.path().join(&big_name)).unwrap();
    // Too many.
    for i in 0..MAX_ENTRIES {
        std::fs::write(dir.path().join(format!("answer-{:064x}.entry", i)), b"x").unwrap();
    }
    assert_eq!(
        reason(&store),
        (
            State::Invalid,
            Reason::TooManyEntries {
                count: MAX_ENTRIES + 1,
                limit: MAX_ENTRIES,
            }
        )
    );
}

#[test]
fn another_format_version_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let path = entries(dir.path(), "answer").pop().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("respsig-state 1 answer "));
    let moved = rewrite(
        &path,
        text.replacen("respsig-state 1 ", "respsig-state 2 ", 1)
            .as_bytes(),
    );
    assert_eq!(
        check(&store, T + 1),
        (
            State::Invalid,
            Reason::Unreadable {
                file: moved.file_name().unwrap().to_str().unwrap().to_owned(),
                problem: EntryProblem::Format(FormatProblem::Version),
            }
        )
    );
}

#[test]
fn the_store_holds_the_bytes_the_server_sent_and_nothing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let sent = answer(200, T);
    store
        .record_answer(&keyring(), &sent, UnixTime::from_secs(T - 1), &at(T + 1))
        .unwrap();
    let path = entries(dir.path(), "answer").pop().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let header = format!(
        "respsig-state 1 answer {}\n",
        server().public_key().fingerprint()
    );
    assert_eq!(bytes, [header.as_bytes(), &sent].concat());
    assert!(!String::from_utf8_lossy(&bytes).contains("PRIVATE"));
}

#[test]
fn a_crash_mid_write_leaves_the_previous_state_readable() {
    // What a writer killed mid-write leaves: a temporary file with part of
    // an entry. Readers ignore it; the state is the previous one.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let before = check(&store, T + 5);
    let denial = answer(204, T + 3);
    let header = format!(
        "respsig-state 1 answer {}\n",
        server().public_key().fingerprint()
    );
    let whole = [header.as_bytes(), &denial].concat();
    for cut in [0, 10, header.len(), whole.len() / 2, whole.len() - 1] {
        std::fs::write(dir.path().join(".tmp-4242-0-0"), &whole[..cut]).unwrap();
        assert_eq!(check(&store, T + 5), before, "cut at {cut}");
    }
    // The write itself failing (the store's path is a file, not a
    // directory): refused with an I/O error, the state unchanged.
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let broken = Store::new(&file);
    let err = broken
        .record_answer(
            &keyring(),
            &answer(200, T),
            UnixTime::from_secs(T - 1),
            &at(T + 1),
        )
        .unwrap_err();
    assert!(matches!(err, RecordError::Io(_)), "{err:?}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    // The next record goes through and the debris is ignored until it is
    // an hour old.
    record(&store, 204, T + 3);
    assert_eq!(check(&store, T + 5).0, State::Revoked);
    assert!(dir.path().join(".tmp-4242-0-0").exists());
}

#[test]
fn concurrent_records_keep_the_newest_of_each_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::new(path);
                for j in 0..6 {
                    let t = T + i * 100 + j;
                    let code = if (i + j) % 2 == 0 { 200 } else { 204 };
                    store
                        .record_answer(
                            &keyring(),
                            &answer(code, t),
                            UnixTime::from_secs(t - 1),
                            &at(t + 1),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let store = Store::new(&path);
    // The newest: i = 7, j = 5 (code 200 since 12 is even); the newest
    // denial: i = 7, j = 4.
    assert_eq!(
        check(&store, T + 800).1,
        granted(T + 705, 95, DEFAULT_REVALIDATE_AFTER).1
    );
    // At most what decides, and the newest denial is still there.
    let files = snapshot(&path);
    assert!(
        files.iter().all(|(n, _)| !n.starts_with(".tmp")),
        "{files:?}"
    );
    let texts: Vec<String> = files
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("\"timestamp\":{}", T + 704)))
    );
}

#[test]
fn check_files_decides_on_bytes_already_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    record(&store, 200, T);
    let files = snapshot(dir.path());
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let d = respsig::state::check_files(&keyring(), &borrowed, &at(T + 1));
    assert_eq!(d, store.check(&keyring(), &at(T + 1)));
    assert_eq!(d.to_string().split(':').next(), Some("active"));
}

/// The SDKs' steps, run by PHP and Node on this machine, against ours.
mod hardware_ids {
    use super::*;

    const PHP_STEPS: &str = r#"
$identifiers = [];
$identifiers[] = php_uname('n');
$identifiers[] = php_uname('m');
if (file_exists('/etc/machine-id')) { $identifiers[] = trim(file_get_contents('/etc/machine-id')); }
if (file_exists('/var/lib/dbus/machine-id')) { $identifiers[] = trim(file_get_contents('/var/lib/dbus/machine-id')); }
sort($identifiers);
echo substr(hash('sha256', implode('|', $identifiers)), 0, 32);
"#;

    const NODE_STEPS: &str = r#"
const os = require('os'); const fs = require('fs'); const crypto = require('crypto');
const identifiers = [os.hostname(), os.platform(), os.arch()];
try {
  if (fs.existsSync('/etc/machine-id')) { identifiers.push(fs.readFileSync('/etc/machine-id', 'utf8').trim()); }
  else if (fs.existsSync('/var/lib/dbus/machine-id')) { identifiers.push(fs.readFileSync('/var/lib/dbus/machine-id', 'utf8').trim()); }
} catch (e) {}
identifiers.sort();
process.stdout.write(crypto.createHash('sha256').update(identifiers.join('|')).digest('hex').substring(0, 32));
"#;

    fn run(program: &str, args: &[&str], input: &[u8]) -> String {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let out = common::run(program, &args, input);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn php_computes_the_same_id_on_this_machine() {
        let Some(php) = common::tool("php", "--version") else {
            return;
        };
        let theirs = run(php, &["-r", PHP_STEPS], b"");
        let ours = respsig::state::hardware_id(Sdk::Php).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 32);
        assert_ne!(ours, respsig::state::hardware_id(Sdk::Node).unwrap());
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn node_computes_the_same_id_on_this_machine() {
        let Some(node) = common::tool("node", "--version") else {
            return;
        };
        let theirs = run(node, &["-e", NODE_STEPS], b"");
        assert_eq!(respsig::state::hardware_id(Sdk::Node).unwrap(), theirs);
    }

    /// Identifier lists that reach every branch of the sorts: numeric
    /// strings (integers, floats, exponents, overflow, whitespace), text,
    /// non-ASCII, in every order of up to four.
    fn cases() -> Vec<Vec<Vec<u8>>> {
        let atoms: [&[u8]; 22] = [
            b"vm",
            b"x86_64",
            b"10",
            b"9",
            b"1e3",
            b"1000",
            b" 1000",
            b"1000 ",
            b"0x1A",
            b"-5",
            b"1.5",
            b".5",
            b"1.",
            b"123456789012345678901234567890",
            b"123456789012345678901234567891",
            b"9223372036854775807",
            b"9223372036854775808",
            b"1e999",
            b"abc",
            b"Abc",
            "\u{e9}t\u{e9}".as_bytes(),
            "\u{1f600}x".as_bytes(),
        ];
        let mut cases = Vec::new();
        // Pairs and triples of neighbours, every rotation, and all
        // quadruples of a few.
        for i in 0..atoms.len() {
            for j in 0..atoms.len() {
                cases.push(vec![atoms[i].to_vec(), atoms[j].to_vec()]);
                let k = (i + j + 1) % atoms.len();
                cases.push(vec![
                    atoms[i].to_vec(),
                    atoms[j].to_vec(),
                    atoms[k].to_vec(),
                ]);
                let l = (i * 7 + j * 3 + 5) % atoms.len();
                cases.push(vec![
                    atoms[i].to_vec(),
                    atoms[j].to_vec(),
                    atoms[k].to_vec(),
                    atoms[l].to_vec(),
                ]);
            }
        }
        cases.push(vec![]);
        cases.push(vec![b"only".to_vec()]);
        cases
    }

    fn as_input(cases: &[Vec<Vec<u8>>]) -> Vec<u8> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut input = String::new();
        for case in cases {
            let line: Vec<String> = case.iter().map(|id| b64.encode(id)).collect();
            input.push_str(&line.join(","));
            input.push('\n');
        }
        input.into_bytes()
    }

    #[test]
    fn php_combines_identifiers_as_ours() {
        let Some(php) = common::tool("php", "--version") else {
            return;
        };
        let script = r#"
while (($line = fgets(STDIN)) !== false) {
  $line = rtrim($line, "\n");
  $ids = $line === '' ? [] : array_map('base64_decode', explode(',', $line));
  sort($ids);
  echo substr(hash('sha256', implode('|', $ids)), 0, 32), "\n";
}"#;
        let cases = cases();
        let theirs = run(php, &["-r", script], &as_input(&cases));
        let theirs: Vec<&str> = theirs.lines().collect();
        assert_eq!(theirs.len(), cases.len());
        for (case, theirs) in cases.iter().zip(theirs) {
            let ours = respsig::state::combine_identifiers(Sdk::Php, case.clone());
            assert_eq!(
                ours,
                theirs,
                "{:?}",
                case.iter()
                    .map(|c| String::from_utf8_lossy(c))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn node_combines_identifiers_as_ours() {
        let Some(node) = common::tool("node", "--version") else {
            return;
        };
        let script = r#"
const crypto = require('crypto');
const lines = require('fs').readFileSync(0, 'utf8').split('\n'); lines.pop();
const out = lines.map(line => {
  const ids = line === '' ? [] : line.split(',').map(s => Buffer.from(s, 'base64').toString('utf8'));
  ids.sort();
  return crypto.createHash('sha256').update(ids.join('|')).digest('hex').substring(0, 32);
});
process.stdout.write(out.join('\n') + '\n');"#;
        let cases = cases();
        let theirs = run(node, &["-e", script], &as_input(&cases));
        let theirs: Vec<&str> = theirs.lines().collect();
        assert_eq!(theirs.len(), cases.len());
        for (case, theirs) in cases.iter().zip(theirs) {
            let ours = respsig::state::combine_identifiers(Sdk::Node, case.clone());
            assert_eq!(ours, theirs, "{case:?}");
        }
    }
}

#[test]
fn an_answer_naming_another_machine_is_refused_or_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let naming = |identifier: &str, t: i64| {
        server()
            .sign_envelope(
                "product",
                &json!({"code": 200, "data": {"identifier": identifier}, "timestamp": t}),
            )
            .unwrap()
    };
    // Recorded where the machine was not given (a store made elsewhere),
    // then read here: invalid, not active.
    store
        .record_answer(
            &keyring(),
            naming("HW-OTHER", T).as_bytes(),
            UnixTime::from_secs(T - 1),
            &at(T + 1),
        )
        .unwrap();
    let d = store.check(&keyring(), &at(T + 2).hardware_id("HW-1234"));
    assert_eq!(
        (d.state(), d.reason().clone()),
        (
            State::Invalid,
            Reason::Unreadable {
                file: entries(dir.path(), "answer")[0]
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned(),
                problem: EntryProblem::OtherMachine,
            }
        )
    );
    assert_eq!(
        store
            .check(&keyring(), &at(T + 2).hardware_id("HW-OTHER"))
            .state(),
        State::Active
    );
    // A domain activation names its domain (ASCII case aside).
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let policy = at(T + 1).domain("example.com");
    store
        .record_answer(
            &keyring(),
            naming("Example.COM", T).as_bytes(),
            UnixTime::from_secs(T - 1),
            &policy,
        )
        .unwrap();
    assert_eq!(store.check(&keyring(), &policy).state(), State::Active);
    // At record, with the machine given: refused, the store unchanged.
    let before = snapshot(dir.path());
    let err = store
        .record_answer(
            &keyring(),
            naming("HW-OTHER", T + 5).as_bytes(),
            UnixTime::from_secs(T + 4),
            &at(T + 6).hardware_id("HW-1234"),
        )
        .unwrap_err();
    assert!(matches!(err, RecordError::OtherMachine), "{err:?}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn two_licenses_at_once_use_the_shortest_spans_in_any_order() {
    // What a moment between two license records can look like: both files.
    let a = tempfile::tempdir().unwrap();
    let store_a = Store::new(a.path());
    store_a
        .record_license(
            &keyring(),
            "product",
            &common::bytes("license/openssl-2048.lic"),
            &at(T),
        )
        .unwrap();
    let short = server()
        .sign_license_json(
            &json!({"license_key": "LIC-2024-ABCD1234", "hardware_id": "HW-1234",
            "licenseCheckInterval": 1, "forceLicenseValidation": 2}),
        )
        .unwrap();
    let b = tempfile::tempdir().unwrap();
    let store_b = Store::new(b.path());
    store_b
        .record_license(&keyring(), "product", short.as_bytes(), &at(T))
        .unwrap();
    record(&store_b, 200, T);
    let mut files = snapshot(a.path());
    files.extend(snapshot(b.path()));
    let now = T + 36 * 3600;
    let want = (
        State::Grace,
        Reason::RevalidateNow {
            code: 200,
            signed_at: UnixTime::from_secs(T),
            age: Duration::from_secs(36 * 3600),
            revalidate_after: Duration::from_secs(86_400),
            grace: Duration::from_secs(2 * 86_400),
        },
    );
    for reverse in [false, true] {
        let mut borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        if reverse {
            borrowed.reverse();
        }
        let d = respsig::state::check_files(&keyring(), &borrowed, &lic_policy(now));
        assert_eq!((d.state(), d.reason().clone()), want, "reversed: {reverse}");
    }
}
