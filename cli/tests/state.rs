//! `respsig state record|check` and `respsig hardware-id`, run as a user
//! would: exact first words and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use respsig::SigningKey;
use serde_json::json;

const T: i64 = 1_800_000_000;
const LIC_EXPIRES: i64 = 1_798_761_599;
const KEY: &str = "product=testdata/keys/rsa2048.pub.pem";
const OTHER_KEY: &str = "product=testdata/keys/other2048.pub.pem";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn server() -> SigningKey {
    let pem = std::fs::read_to_string(root().join("testdata/keys/rsa2048.pem")).unwrap();
    SigningKey::from_pem(&pem).unwrap()
}

fn respsig(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_respsig"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes an answer signed by `key` at `timestamp` into `dir`, returns its path.
fn answer_file(dir: &Path, key: &SigningKey, code: i64, timestamp: i64) -> PathBuf {
    let body = key
        .sign_envelope(
            "product",
            &json!({"code": code, "message": "m", "timestamp": timestamp}),
        )
        .unwrap();
    let path = dir.join(format!("answer-{code}-{timestamp}.json"));
    std::fs::write(&path, body).unwrap();
    path
}

struct Fixture {
    _tmp: tempfile::TempDir,
    store: String,
    inputs: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store").to_str().unwrap().to_owned();
    let inputs = tmp.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    Fixture {
        _tmp: tmp,
        store,
        inputs,
    }
}

impl Fixture {
    fn record_answer_with(&self, key: &str, code: i64, timestamp: i64, sent_at: i64) -> Output {
        let signer = server();
        let file = answer_file(&self.inputs, &signer, code, timestamp);
        respsig(&[
            "state",
            "record",
            "--store",
            &self.store,
            "--key",
            key,
            "--sent-at",
            &sent_at.to_string(),
            file.to_str().unwrap(),
        ])
    }

    /// Records with the system clock: the answers are signed around now.
    fn record(&self, code: i64, timestamp: i64) -> Output {
        self.record_answer_with(KEY, code, timestamp, timestamp - 1)
    }

    fn check(&self, now: i64, extra: &[&str]) -> Output {
        self.check_with(KEY, now, extra)
    }

    fn check_with(&self, key: &str, now: i64, extra: &[&str]) -> Output {
        let now = now.to_string();
        let mut args = vec![
            "state",
            "check",
            "--store",
            &self.store,
            "--key",
            key,
            "--now",
            &now,
        ];
        args.extend_from_slice(extra);
        respsig(&args)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The state's word and the exit code.
fn verdict(o: &Output) -> (String, Option<i32>) {
    let out = stdout(o);
    let word = out.split(':').next().unwrap_or_default().to_owned();
    (word, o.status.code())
}

fn kept(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(stderr(o).starts_with("respsig: kept "), "{}", stderr(o));
}

fn listing(dir: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = entries
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_fresh_grant_then_grace_then_expired() {
    let f = fixture();
    let t = now();
    kept(&f.record(200, t));
    let o = f.check(t + 5, &[]);
    assert_eq!(
        verdict(&o),
        ("active".to_owned(), Some(0)),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).starts_with("active: the newest answer (code 200, signed at "));
    assert_eq!(
        verdict(&f.check(t + 86_401, &[])),
        ("grace".to_owned(), Some(0))
    );
    let o = f.check(t + 14 * 86_400 + 1, &[]);
    assert_eq!(verdict(&o), ("expired".to_owned(), Some(1)));
    assert!(
        stderr(&o).contains("the state is expired"),
        "{}",
        stderr(&o)
    );
    // The caller's spans.
    assert_eq!(
        verdict(&f.check(t + 100, &["--revalidate-after", "50"])),
        ("grace".to_owned(), Some(0))
    );
    assert_eq!(
        verdict(&f.check(t + 100, &["--revalidate-after", "50", "--grace", "99"])),
        ("expired".to_owned(), Some(1))
    );
}

#[test]
fn a_clock_moved_back_is_invalid() {
    let f = fixture();
    let t = now();
    kept(&f.record(200, t));
    assert_eq!(
        verdict(&f.check(t - 900, &[])),
        ("active".to_owned(), Some(0))
    );
    let o = f.check(t - 901, &[]);
    assert_eq!(verdict(&o), ("invalid".to_owned(), Some(1)));
    assert!(stdout(&o).contains("it was turned back"), "{}", stdout(&o));
}

#[test]
fn a_newer_refusal_recorded_before_or_after_an_older_grant() {
    for order in [[(200, 0), (204, 10)], [(204, 10), (200, 0)]] {
        let f = fixture();
        let t = now() - 100;
        for (code, offset) in order {
            kept(&f.record(code, t + offset));
        }
        let o = f.check(t + 20, &[]);
        assert_eq!(verdict(&o), ("revoked".to_owned(), Some(1)), "{order:?}");
        assert!(
            stdout(&o).contains("(code 204, signed at")
                && stdout(&o).contains("license key blocked"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn a_replayed_answer_is_refused_and_the_store_unchanged() {
    let f = fixture();
    let t = now();
    kept(&f.record(200, t - 500));
    let before = listing(&f.store);
    let o = f.record_answer_with(KEY, 204, t - 400, t);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
    assert_eq!(listing(&f.store), before);
    // Not about the license: refused too.
    let o = f.record(373, t);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("code 373 says nothing about the license state"));
    assert_eq!(listing(&f.store), before);
}

#[test]
fn an_answer_under_a_key_not_configured() {
    let f = fixture();
    let t = now();
    // Signed by rsa2048, checked against other2048 only: refused.
    let o = f.record_answer_with(OTHER_KEY, 200, t, t - 1);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(listing(&f.store), Vec::new());
    // Recorded, then the key rotated out: none, go online.
    kept(&f.record(200, t));
    let o = f.check_with(OTHER_KEY, t + 1, &[]);
    assert_eq!(verdict(&o), ("none".to_owned(), Some(1)));
    assert!(
        stdout(&o).contains("no longer configured"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_file_with_one_byte_changed_is_invalid() {
    let f = fixture();
    let t = now();
    kept(&f.record(204, t - 10));
    kept(&f.record(200, t));
    let files = listing(&f.store);
    assert_eq!(files.len(), 2);
    for (name, bytes) in &files {
        let path = Path::new(&f.store).join(name);
        // Every 37th byte and the last: a CLI run per byte.
        let positions: Vec<usize> = (0..bytes.len())
            .step_by(37)
            .chain([bytes.len() - 1])
            .collect();
        for i in positions {
            let mut changed = bytes.clone();
            changed[i] ^= 0x20;
            std::fs::write(&path, &changed).unwrap();
            let o = f.check(t + 1, &[]);
            assert_eq!(verdict(&o), ("invalid".to_owned(), Some(1)), "{name} {i}");
            assert!(stdout(&o).contains(name.as_str()), "{}", stdout(&o));
        }
        std::fs::write(&path, bytes).unwrap();
    }
    assert_eq!(
        verdict(&f.check(t + 1, &[])),
        ("active".to_owned(), Some(0))
    );
}

#[test]
fn an_empty_store_is_none() {
    let f = fixture();
    let o = f.check(T, &[]);
    assert_eq!(verdict(&o), ("none".to_owned(), Some(1)));
    assert_eq!(stdout(&o), "none: nothing recorded: ask the server\n");
}

#[test]
fn an_offline_license_on_the_right_and_the_wrong_machine() {
    let f = fixture();
    let o = respsig(&[
        "state",
        "record",
        "--store",
        &f.store,
        "--key",
        "global=testdata/keys/other2048.pub.pem",
        "--key",
        KEY,
        "testdata/license/openssl-2048.lic",
    ]);
    kept(&o);
    let right = f.check(LIC_EXPIRES - 10, &["--hardware-id", "HW-1234"]);
    assert_eq!(
        verdict(&right),
        ("active".to_owned(), Some(0)),
        "{}",
        stdout(&right)
    );
    assert_eq!(
        stdout(&right),
        format!(
            "active: the offline license verifies, is bound here and is valid until {LIC_EXPIRES}\n"
        )
    );
    let wrong = f.check(LIC_EXPIRES - 10, &["--hardware-id", "HW-9999"]);
    assert_eq!(verdict(&wrong), ("invalid".to_owned(), Some(1)));
    assert_eq!(
        stdout(&wrong),
        "invalid: the offline license is bound to another hardware id\n"
    );
    let unchecked = f.check(LIC_EXPIRES - 10, &[]);
    assert_eq!(verdict(&unchecked), ("invalid".to_owned(), Some(1)));
    let domain = f.check(LIC_EXPIRES - 10, &["--domain", "example.com"]);
    assert_eq!(verdict(&domain), ("active".to_owned(), Some(0)));
    let expired = f.check(LIC_EXPIRES + 1, &["--hardware-id", "HW-1234"]);
    assert_eq!(verdict(&expired), ("expired".to_owned(), Some(1)));
    // A store for another license key: this license is invalid there.
    let other = f.check(
        LIC_EXPIRES - 10,
        &["--hardware-id", "HW-1234", "--license-key", "LIC-OTHER"],
    );
    assert_eq!(verdict(&other), ("invalid".to_owned(), Some(1)));
    assert!(
        stdout(&other).contains("names another license key or product"),
        "{}",
        stdout(&other)
    );
    let ours = f.check(
        LIC_EXPIRES - 10,
        &[
            "--hardware-id",
            "HW-1234",
            "--license-key",
            "LIC-2024-ABCD1234",
        ],
    );
    assert_eq!(verdict(&ours), ("active".to_owned(), Some(0)));
}

#[test]
fn usage_errors_exit_2() {
    let f = fixture();
    let t = now();
    let file = answer_file(&f.inputs, &server(), 200, t);
    // An answer without --sent-at.
    let o = respsig(&[
        "state",
        "record",
        "--store",
        &f.store,
        "--key",
        KEY,
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("give --sent-at"), "{}", stderr(&o));
    assert_eq!(listing(&f.store), Vec::new());
    for args in [
        vec!["state", "check", "--key", KEY],
        vec!["state", "check", "--store", &f.store],
        vec![
            "state",
            "check",
            "--store",
            &f.store,
            "--key",
            KEY,
            "--hardware-id",
            "A",
            "--domain",
            "b",
        ],
        vec![
            "state",
            "check",
            "--store",
            &f.store,
            "--key",
            "product=/nonexistent.pem",
        ],
        vec!["state", "record", "--store", &f.store, "--key", KEY],
        vec!["hardware-id", "--like", "python"],
    ] {
        let o = respsig(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn hardware_id_prints_what_the_library_and_the_sdks_compute() {
    for (like, sdk) in [
        ("php", respsig::state::Sdk::Php),
        ("node", respsig::state::Sdk::Node),
    ] {
        let o = respsig(&["hardware-id", "--like", like]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            format!("{}\n", respsig::state::hardware_id(sdk).unwrap())
        );
    }
    let default = respsig(&["hardware-id"]);
    assert_eq!(
        stdout(&default),
        stdout(&respsig(&["hardware-id", "--like", "php"]))
    );
    // And what PHP's SDK steps give, where PHP is installed.
    let php = Command::new("php").arg("--version").output();
    if php.map(|o| o.status.success()).unwrap_or(false) {
        let steps = "$i=[php_uname('n'),php_uname('m')];\
            foreach(['/etc/machine-id','/var/lib/dbus/machine-id'] as $f){if(file_exists($f)){$i[]=trim(file_get_contents($f));}}\
            sort($i);echo substr(hash('sha256',implode('|',$i)),0,32),\"\\n\";";
        let theirs = Command::new("php").args(["-r", steps]).output().unwrap();
        assert_eq!(stdout(&default), stdout(&theirs));
    } else if std::env::var("RESPSIG_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("`php` is required (RESPSIG_REQUIRE_TOOLS=1) but not on the PATH");
    } else {
        eprintln!("SKIPPED: `php` is not on the PATH; install it to run this check");
    }
}

/// Kills recording processes at many points of their run, a large answer
/// so the write takes a while: after each kill the store reads as before
/// or with the new answer, never invalid, and a later record succeeds.
#[test]
fn a_writer_killed_mid_write_leaves_the_previous_state_readable() {
    let f = fixture();
    let t = now() - 1000;
    kept(&f.record(200, t));
    // A denial padded to about 700 KB (its two copies under the 1 MiB limit).
    let pad = "x".repeat(300_000);
    let body = server()
        .sign_envelope(
            "product",
            &json!({"code": 204, "message": "m", "timestamp": t + 10, "pad": pad}),
        )
        .unwrap();
    let big = f.inputs.join("big.json");
    std::fs::write(&big, body).unwrap();
    let record_big = || {
        Command::new(env!("CARGO_BIN_EXE_respsig"))
            .args([
                "state",
                "record",
                "--store",
                &f.store,
                "--key",
                KEY,
                "--sent-at",
                &(t + 9).to_string(),
                big.to_str().unwrap(),
            ])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let drop_big = || {
        for (name, bytes) in listing(&f.store) {
            if name.starts_with("answer-") && bytes.len() > 100_000 {
                std::fs::remove_file(Path::new(&f.store).join(&name)).unwrap();
            }
        }
    };
    // How long one whole record takes here, then kills spread over it.
    let started = std::time::Instant::now();
    assert_eq!(record_big().wait().unwrap().code(), Some(0));
    let whole = started.elapsed();
    assert_eq!(verdict(&f.check(t + 20, &[])).0, "revoked");
    let mut killed = 0;
    let mut states = std::collections::BTreeSet::new();
    let rounds = 60u32;
    for round in 0..rounds {
        // Each round starts from the grant alone (and what crashes left).
        drop_big();
        let mut child = record_big();
        std::thread::sleep(whole * round / (rounds - 10));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed += 1;
        }
        let (word, code) = verdict(&f.check(t + 20, &[]));
        assert!(
            (word == "active" && code == Some(0)) || (word == "revoked" && code == Some(1)),
            "after a kill in round {round}: {word}"
        );
        states.insert(word);
    }
    let debris = listing(&f.store)
        .iter()
        .filter(|(n, _)| n.starts_with(".tmp-"))
        .count();
    println!(
        "{killed} of 60 writers killed before they finished, {debris} temporary files left; states seen: {states:?}"
    );
    assert!(killed > 0, "no writer was killed before it finished");
    // The early kills land before the rename: the grant alone still reads.
    assert!(states.contains("active"), "{states:?}");
    // The debris does not stop the next record.
    let o = f.record(204, t + 30);
    kept(&o);
    assert_eq!(
        verdict(&f.check(t + 40, &[])),
        ("revoked".to_owned(), Some(1))
    );
}

#[test]
fn processes_recording_at_once_lose_nothing_that_matters() {
    let f = fixture();
    let t = now() - 1000;
    let signer = server();
    let mut children = Vec::new();
    for i in 0..8i64 {
        let code = if i % 2 == 0 { 200 } else { 204 };
        let file = answer_file(&f.inputs, &signer, code, t + i);
        children.push(
            Command::new(env!("CARGO_BIN_EXE_respsig"))
                .args([
                    "state",
                    "record",
                    "--store",
                    &f.store,
                    "--key",
                    KEY,
                    "--sent-at",
                    &(t + i - 1).to_string(),
                    file.to_str().unwrap(),
                ])
                .current_dir(root())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // The newest is the denial at t + 7; the newest grant (t + 6) is kept.
    let o = f.check(t + 10, &[]);
    assert_eq!(verdict(&o), ("revoked".to_owned(), Some(1)));
    assert!(
        stdout(&o).contains(&format!("signed at {}", t + 7)),
        "{}",
        stdout(&o)
    );
    let texts: Vec<String> = listing(&f.store)
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(
        texts
            .iter()
            .any(|s| s.contains(&format!("\"timestamp\":{}", t + 6)))
    );
    assert!(texts.len() <= 8);
}
