//! The `state` target's body (compiled into `bodies.rs` with `#[path]`):
//! hostile store contents for `respsig::state::check_files`, the reader
//! behind `Store::check`.
//!
//! The input is split at `FF FE` into up to nine files. A file's first byte
//! says how it is named: `a` / `l`: `answer-` / `license-` and the SHA-256
//! of the rest (so changed contents get past the name check and reach the
//! header and the signature), `n`: the rest up to its first newline is the
//! name, the remainder the content; anything else: the whole part, named
//! as an answer. The seeds (`fuzz/seeds/state/`) are stores of genuine
//! entries in this form.
//!
//! Properties: no panic; the same decision twice and in the reverse file
//! order (same state); and the app may run (*active*, *grace*) only if
//! every file is byte for byte one of the genuine entries the body made
//! itself at start-up, under the same names.

use std::sync::OnceLock;

use respsig::state::{State, StatePolicy, Store, check_files};
use respsig::{FixedClock, Keyring, PublicKey, SigningKey, UnixTime};

const SIGNING_PEM: &str = include_str!("../testdata/keys/rsa2048.pem");
const OTHER_PEM: &str = include_str!("../testdata/keys/other2048.pem");
const LIC: &str = include_str!("../testdata/license/openssl-2048.lic");

/// The clock of the target: before `openssl-2048.lic` expires.
pub const STATE_NOW: i64 = 1_798_000_000;

struct Fixture {
    keyring: Keyring,
    policy: StatePolicy,
    /// Every genuine entry file: name and bytes.
    genuine: Vec<(String, Vec<u8>)>,
}

fn signing(pem: &str) -> SigningKey {
    match SigningKey::from_pem(pem) {
        Ok(key) => key,
        Err(e) => panic!("state fuzz key: {e}"),
    }
}

fn public(key: &SigningKey) -> PublicKey {
    key.public_key().clone()
}

/// The genuine entries a store can hold under the target's keyring: a
/// grant, a later denial, an older grant, the `.lic` license, a signed-JSON
/// license, and a grant under another key (recorded while it was
/// configured: retired for the target).
pub fn state_genuine_stores() -> Vec<Vec<(String, Vec<u8>)>> {
    let server = signing(SIGNING_PEM);
    let other = signing(OTHER_PEM);
    let keyring = target_keyring(&server);
    let both = keyring
        .clone()
        .with("product", public(&other))
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = |key: &SigningKey, code: i64, t: i64| {
        key.sign_envelope(
            "product",
            &serde_json::json!({"code": code, "message": "m", "timestamp": t}),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let json_license = server
        .sign_license_json(&serde_json::json!({
            "license_key": "LIC-FUZZ", "hardware_id": "HW-1234",
            "licenseCheckInterval": 1, "forceLicenseValidation": 2,
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    // One directory per call: the replay tests call this from two threads.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("respsig-fuzz-state-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let policy = |t: i64| StatePolicy::new().clock(FixedClock::at(t));
    let mut stores = Vec::new();
    let mut take = |dir: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let bytes = std::fs::read(e.path()).ok()?;
                Some((name, bytes))
            })
            .filter(|(name, _)| !name.starts_with('.'))
            .collect();
        files.sort();
        stores.push(files);
    };
    let record = |store: &Store, keyring: &Keyring, body: String, t: i64| {
        if let Err(e) = store.record_answer(
            keyring,
            body.as_bytes(),
            UnixTime::from_secs(t - 1),
            &policy(t + 1),
        ) {
            panic!("{e}");
        }
    };
    let t = STATE_NOW;
    for (i, step) in [
        // Each store: what is recorded into it, in order.
        vec![(200, t - 5, false)],
        vec![(200, t - 100, false), (204, t - 50, false)],
        vec![(204, t - 100, false), (301, t - 50, false)],
        vec![(200, t - 200_000, false)],
        vec![(200, t - 5, true)],
    ]
    .into_iter()
    .enumerate()
    {
        let d = dir.join(i.to_string());
        let store = Store::new(&d);
        for (code, at, by_other) in step {
            let (key, ring) = if by_other {
                (&other, &both)
            } else {
                (&server, &keyring)
            };
            record(&store, ring, answer(key, code, at), at);
        }
        take(&d);
    }
    // Licenses, alone and with an answer.
    for (i, file) in [LIC.to_owned(), json_license].into_iter().enumerate() {
        let d = dir.join(format!("lic{i}"));
        let store = Store::new(&d);
        if let Err(e) = store.record_license(&keyring, "product", file.as_bytes(), &policy(t)) {
            panic!("{e}");
        }
        take(&d);
        record(
            &store,
            &keyring,
            answer(&server, 200, t - 3 * 86_400),
            t - 3 * 86_400,
        );
        take(&d);
    }
    let _ = std::fs::remove_dir_all(&dir);
    stores
}

fn target_keyring(server: &SigningKey) -> Keyring {
    Keyring::new()
        .with("product", public(server))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut genuine: Vec<(String, Vec<u8>)> =
            state_genuine_stores().into_iter().flatten().collect();
        genuine.sort();
        genuine.dedup();
        Fixture {
            keyring: target_keyring(&signing(SIGNING_PEM)),
            policy: StatePolicy::new()
                .clock(FixedClock::at(STATE_NOW))
                .hardware_id("HW-1234"),
            genuine,
        }
    })
}

fn digest_name(kind: &str, content: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, content);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{hex}.entry")
}

/// A store in the input form above.
pub fn state_encode(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&[0xff, 0xfe]);
        }
        let kind = if name.starts_with("license-") {
            b'l'
        } else {
            b'a'
        };
        out.push(kind);
        out.extend_from_slice(bytes);
    }
    out
}

fn split(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() < 9 {
        let (part, tail) = match rest.windows(2).position(|w| w == [0xff, 0xfe]) {
            Some(i) => (&rest[..i], Some(&rest[i + 2..])),
            None => (rest, None),
        };
        parts.push(part);
        match tail {
            Some(t) => rest = t,
            None => break,
        }
    }
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|part| match part[0] {
            b'a' => (digest_name("answer", &part[1..]), &part[1..]),
            b'l' => (digest_name("license", &part[1..]), &part[1..]),
            b'n' => {
                let body = &part[1..];
                let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
                let name = String::from_utf8_lossy(&body[..end]).into_owned();
                (name, body.get(end + 1..).unwrap_or_default())
            }
            _ => (digest_name("answer", part), part),
        })
        .collect()
}

pub fn state(data: &[u8]) {
    let fx = fixture();
    let files = split(data);
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let decision = check_files(&fx.keyring, &borrowed, &fx.policy);
    let _ = decision.to_string();
    assert_eq!(check_files(&fx.keyring, &borrowed, &fx.policy), decision);
    let mut reversed = borrowed.clone();
    reversed.reverse();
    assert_eq!(
        check_files(&fx.keyring, &reversed, &fx.policy).state(),
        decision.state(),
        "the file order changed the state"
    );
    if decision.state().may_run() {
        for (name, bytes) in &borrowed {
            assert!(
                fx.genuine
                    .iter()
                    .any(|(n, b)| n == name && b.as_slice() == *bytes),
                "{} from a file that is not a genuine entry: {name}",
                decision.state()
            );
        }
    }
    // A store of no file is none.
    if borrowed.is_empty() {
        assert_eq!(decision.state(), State::None);
    }
}
