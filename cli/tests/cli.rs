//! The `respsig` binary, run as a user would: exit codes, stdout bytes,
//! stderr messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root: test data lives in its `testdata/`.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the CLI crate sits in the repository")
}

/// Helpers over the repository's `testdata/`.
mod common {
    use super::*;

    pub fn path(rel: &str) -> PathBuf {
        root().join("testdata").join(rel)
    }

    pub fn bytes(rel: &str) -> Vec<u8> {
        std::fs::read(path(rel)).unwrap_or_else(|e| panic!("testdata/{rel}: {e}"))
    }

    pub fn text(rel: &str) -> String {
        String::from_utf8(bytes(rel)).unwrap()
    }

    /// An external program, if installed; with `RESPSIG_REQUIRE_TOOLS=1`
    /// (CI sets it) a missing program fails the test instead.
    pub fn tool(name: &str, version_arg: &str) -> Option<&'static str> {
        let found = Command::new(name)
            .arg(version_arg)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if found {
            return Some(Box::leak(name.to_owned().into_boxed_str()));
        }
        if std::env::var("RESPSIG_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("`{name}` is required (RESPSIG_REQUIRE_TOOLS=1) but not on the PATH");
        }
        eprintln!("SKIPPED: `{name}` is not on the PATH; install it to run this check");
        None
    }
}

fn respsig(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_respsig"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command refused on its arguments exits without reading its input.
    match pipe.write_all(stdin.unwrap_or_default()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// `respsig sign --key KEY` on `payload`, which must succeed: the first
/// half of every sign-then-verify test.
fn sign(key: &str, payload: &[u8]) -> Output {
    let o = respsig(&["sign", "--key", key], Some(payload));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const DEMO: &str = "product=testdata/gkm/gkm-demo-public.pem";
const SEED: &str = "testdata/gkm/seed-373-update-product-meta.json";

#[test]
fn verify_prints_the_signed_payload() {
    let o = respsig(&["verify", "--any-age", "--key", DEMO, SEED], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout,
        b"{\"code\":373,\"message\":\"Product meta updated\",\"timestamp\":1709169556}\n"
    );
    assert!(stderr(&o).contains("signed by key `product` (RSA-2048, SHA-256"));
    // From standard input, quietly.
    let o = respsig(
        &["verify", "--any-age", "-q", "--key", DEMO, "-"],
        Some(&common::bytes("gkm/seed-373-update-product-meta.json")),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty());
}

#[test]
fn verify_refusals_exit_1() {
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let cases = [
        (
            seed.replace("\"product\"", "\"global\""),
            "no key is configured under the name \"global\"",
        ),
        (
            seed.replace("\"code\": 373", "\"code\": 372"),
            "content mismatch",
        ),
    ];
    for (input, message) in cases {
        let o = respsig(
            &["verify", "--any-age", "--key", DEMO],
            Some(input.as_bytes()),
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(
            stderr(&o).starts_with("respsig: refused: "),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
    // A tampered signature.
    let mut env: serde_json::Value = serde_json::from_str(&seed).unwrap();
    env["signature"] = serde_json::Value::from(
        common::text("gkm/seed-372-update-product-meta.json")
            .split("\"signature\": \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap(),
    );
    let o = respsig(
        &["verify", "--any-age", "--key", DEMO],
        Some(serde_json::to_string(&env).unwrap().as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    // The advice comes once, from the CLI; the library's message has none.
    assert_eq!(
        stderr(&o),
        "respsig: refused: bad signature: it does not verify under any configured key of that name; it was altered, or signed by another key\n"
    );
    // Stale under a freshness policy (the seed is from 2024).
    let o = respsig(&["verify", "--key", DEMO, "--max-age", "3600", SEED], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the answer is too old"),
        "{}",
        stderr(&o)
    );
    // Over the size limit: refused before parsing.
    let o = respsig(
        &[
            "verify",
            "--any-age",
            "--key",
            DEMO,
            "--max-bytes",
            "100",
            SEED,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("exceeds the 100-byte limit"),
        "{}",
        stderr(&o)
    );
}

/// The seed's signed timestamp.
const SEED_SIGNED_AT: i64 = 1_709_169_556;

const SEED_PAYLOAD: &[u8] =
    b"{\"code\":373,\"message\":\"Product meta updated\",\"timestamp\":1709169556}\n";

#[test]
fn verify_sent_at_refuses_an_answer_to_an_earlier_request() {
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "-q", "--key", DEMO];
        args.extend(extra);
        args.push(SEED);
        respsig(&args, None)
    };
    // Passes: sent before it was signed, at the boundary (sent_at - skew
    // = signed_at), and within a custom skew.
    for sent_at in [SEED_SIGNED_AT - 3600, SEED_SIGNED_AT, SEED_SIGNED_AT + 60] {
        let o = verify(&["--sent-at", &sent_at.to_string()]);
        assert_eq!(o.status.code(), Some(0), "{sent_at}: {}", stderr(&o));
        assert_eq!(o.stdout, SEED_PAYLOAD);
        assert_eq!(stderr(&o), "");
    }
    let o = verify(&["--sent-at", "1709169656", "--replay-window", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, SEED_PAYLOAD);

    // Refused, exit 1: one second past the default skew, past a custom one.
    for (extra, sent_at, skew) in [
        (vec!["--sent-at", "1709169617"], 1_709_169_617, 60),
        (
            vec!["--sent-at", "1709169587", "--replay-window", "30"],
            1_709_169_587,
            30,
        ),
        (
            vec!["--sent-at", "1709169557", "--replay-window", "0"],
            1_709_169_557,
            0,
        ),
        // --max-age alone would accept it; --sent-at still refuses.
        (
            vec!["--sent-at", "1709169617", "--max-age", "999999999"],
            1_709_169_617,
            60,
        ),
    ] {
        let o = verify(&extra);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(
            stderr(&o),
            format!(
                "respsig: refused: not an answer to this request: signed at 1709169556, {} s before the request was sent at {sent_at}, more than the {skew} s replay window; it is an earlier answer played back, or this machine's clock runs ahead of the server's (check the clock)\n",
                sent_at - 1_709_169_556
            ),
            "{extra:?}"
        );
    }

    // Signed in the year 2100: beyond the skew ahead of this machine's clock.
    let future = sign(
        "product=testdata/keys/rsa2048.pem",
        br#"{"code": 200, "message": "Valid license key", "timestamp": 4102444800}"#,
    );
    let o = respsig(
        &[
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
            "--sent-at",
            "4102444800",
            "-",
        ],
        Some(&future.stdout),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let message = stderr(&o);
    let (ahead, now): (&str, &str) = message
        .strip_prefix("respsig: refused: the answer is signed ")
        .and_then(|rest| rest.strip_suffix(", more than the 900 s of clock drift allowed; check this machine's clock (or raise --clock-drift)\n"))
        .and_then(|rest| rest.split_once(" s ahead of this machine's clock (signed at 4102444800, clock at "))
        .and_then(|(ahead, now)| Some((ahead, now.strip_suffix(')')?)))
        .unwrap_or_else(|| panic!("{message}"));
    let now: i64 = now.parse().unwrap();
    assert_eq!(ahead.parse::<i64>().unwrap(), 4_102_444_800 - now);
    let system_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now.abs_diff(system_now as i64) < 600, "{now}");

    // No timestamp to check: refused.
    let stamped = sign(
        "product=testdata/keys/rsa2048.pem",
        br#"{"code": 200, "message": "Valid license key"}"#,
    );
    let o = respsig(
        &[
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
            "--sent-at",
            "1709169556",
        ],
        Some(&stamped.stdout),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "respsig: refused: the signed payload has no integer `timestamp`, so its age cannot be checked\n"
    );

    // Bad usage, exit 2: --replay-window without --sent-at, values that are
    // not whole seconds.
    for (extra, message) in [
        (
            vec!["--replay-window", "5"],
            "error: the following required arguments were not provided:\n  <--sent-at <UNIX_SECONDS>|--max-age <SECONDS>|--any-age>\n",
        ),
        (
            vec!["--sent-at", "1709169556.5"],
            "error: invalid value '1709169556.5' for '--sent-at <UNIX_SECONDS>': invalid digit found in string\n",
        ),
        (
            vec!["--sent-at", "1709169556", "--replay-window", "-1"],
            "error: unexpected argument '-1' found\n",
        ),
        (
            vec!["--sent-at", ""],
            "error: invalid value '' for '--sent-at <UNIX_SECONDS>': cannot parse integer from empty string\n",
        ),
        (
            vec!["--sent-at", "99999999999999999999"],
            "error: invalid value '99999999999999999999' for '--sent-at <UNIX_SECONDS>': number too large to fit in target type\n",
        ),
    ] {
        let o = verify(&extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).starts_with(message), "{extra:?}: {}", stderr(&o));
    }
}

#[test]
fn usage_and_key_errors_exit_2() {
    for (args, message) in [
        (
            vec!["verify", "--any-age", "--key", "product", SEED],
            "NAME=PATH",
        ),
        (
            vec![
                "verify",
                "--any-age",
                "--key",
                "product=testdata/keys/missing.pem",
                SEED,
            ],
            "cannot read",
        ),
        (
            vec![
                "verify",
                "--any-age",
                "--key",
                "product=testdata/keys/rsa1024.pub.pem",
                SEED,
            ],
            "below the 2048-bit minimum",
        ),
        (
            vec![
                "verify",
                "--any-age",
                "--key",
                "product=testdata/keys/rsa2048.pem",
                SEED,
            ],
            "PEM label \"PRIVATE KEY\"",
        ),
        (
            vec!["verify", "--any-age", "--key", DEMO, "testdata/none.json"],
            "cannot read",
        ),
        (vec!["verify", "--any-age", SEED], "--key"),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ] {
        let o = respsig(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn keygen_sign_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = respsig(
        &[
            "keygen", "--bits", "2048", "--out", out, "--name", "product",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("sha256:"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("product.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Refuses to overwrite.
    let o = respsig(&["keygen", "--out", out, "--name", "product"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"));
    // A dangling symlink where a key would go is not followed.
    #[cfg(unix)]
    {
        let link = dir.path().join("global.pem");
        std::os::unix::fs::symlink(dir.path().join("elsewhere.pem"), &link).unwrap();
        let o = respsig(&["keygen", "--out", out, "--name", "global"], None);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(!dir.path().join("elsewhere.pem").exists());
    }

    let private = format!("product={out}/product.pem");
    let public = format!("product={out}/product.pub.pem");
    let o = sign(
        &private,
        br#"{"code": 300, "message": "License key activated", "url": "a/b"}"#,
    );
    assert!(o.stdout.starts_with(
        br#"{"response":{"code":300,"message":"License key activated","url":"a\/b"},"response_base64":""#
    ));
    let o = respsig(&["verify", "--any-age", "--key", &public], Some(&o.stdout));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout,
        b"{\"code\":300,\"message\":\"License key activated\",\"url\":\"a\\/b\"}\n"
    );
    // Signing something that is not an object is refused.
    let o = respsig(&["sign", "--key", &private], Some(b"[1]"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a JSON object"), "{}", stderr(&o));
}

#[test]
fn canonicalize_prints_exact_bytes() {
    let o = respsig(
        &["canonicalize"],
        Some("{ \"b\": -0, \"a\": [1E2, 0.00001, \"é/😀\"] }".as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        o.stdout,
        br#"{"b":0,"a":[100,1.0e-5,"\u00e9\/\ud83d\ude00"]}"#
    );
    let o = respsig(&["canonicalize"], Some(br#"{"a":1,"a":2}"#));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("duplicate key \"a\""));
}

/// Long exponents as PHP 8.2 reads them (`php -r 'echo
/// json_encode(json_decode(...));'` gives these bytes, and for the last
/// fails: "Inf and NaN cannot be JSON encoded").
#[test]
fn canonicalize_reads_long_exponents_as_php() {
    let zeros = |n| "0".repeat(n);
    for (input, want) in [
        (format!("[0.{}1e20000]", zeros(19999)), "[0.1]"),
        (format!("[0.{}1e30001]", zeros(30000)), "[0]"),
        (format!("[0.{}1e20000]", zeros(19990)), "[100000000]"),
    ] {
        let o = respsig(&["canonicalize"], Some(input.as_bytes()));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(String::from_utf8(o.stdout).unwrap(), want);
    }
    // `sign` reads its input the same way.
    let o = respsig(
        &["sign", "--key", "product=testdata/keys/rsa2048.pem"],
        Some(format!("{{\"n\":0.{}1e20000}}", zeros(19999)).as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        o.stdout
            .starts_with(br#"{"response":{"n":0.1},"response_base64":"eyJuIjowLjF9","#)
    );
    let o = respsig(
        &["canonicalize"],
        Some(format!("[1{}e-30000]", zeros(30000)).as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: refused: malformed JSON document: number at byte 1 is out of range: it reads as infinity, which has no JSON form (PHP's json_encode fails on it too)\n"
    );
}

#[test]
fn inspect_never_claims_validity() {
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let edited = seed.replace("\"code\": 373", "\"code\": 372");
    let o = respsig(&["inspect"], Some(edited.as_bytes()));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(out.starts_with("NOT VERIFIED"), "{out}");
    assert!(out.contains("private_key_used: \"product\""), "{out}");
    assert!(
        out.contains("signature:        256 bytes (2048 bits)"),
        "{out}"
    );
    assert!(out.contains("response matches: NO"), "{out}");
    let unsigned = seed.replace(
        &seed.split("\"signature\": \"").nth(1).unwrap()[..344],
        "Private key not set",
    );
    let o = respsig(&["inspect"], Some(unsigned.as_bytes()));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(
        out.contains("\"Private key not set\" (unsigned response)"),
        "{out}"
    );
    let o = respsig(&["inspect"], Some(b"{\"response\":1}"));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn keys_fingerprint_matches_openssl() {
    let files = [
        "testdata/keys/rsa2048.pub.pem",
        "testdata/keys/rsa2048.pem",
        "testdata/keys/rsa2048.rsapub.der",
        "testdata/gkm/gkm-demo-public.pem",
    ];
    let mut args = vec!["keys", "fingerprint"];
    args.extend(files);
    let o = respsig(&args, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), files.len());
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    for (line, file) in lines.iter().zip(files) {
        // SPKI DER as OpenSSL writes it, hashed by this test.
        let pubin: &[&str] = if file.ends_with(".pem") && !file.ends_with("rsa2048.pem") {
            &["-pubin"]
        } else if file.ends_with(".der") {
            &["-pubin", "-inform", "DER"]
        } else {
            &[]
        };
        let der = std::process::Command::new(openssl)
            .args(["pkey", "-pubout", "-outform", "DER", "-in", file])
            .args(pubin)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(der.status.success(), "{file}: {}", stderr(&der));
        let digest = ring::digest::digest(&ring::digest::SHA256, &der.stdout);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(*line, format!("{hex}  RSA-2048  {file}"));
    }
    // verify names the key that matched by the same fingerprint.
    let o = respsig(&["verify", "--any-age", "--key", DEMO, SEED], None);
    assert!(
        stderr(&o).contains(&format!(
            "signed by key `product` (RSA-2048, SHA-256, sha256:{})",
            &lines[3][..64]
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn keys_fingerprint_refuses_what_is_not_a_usable_key() {
    for (file, message) in [
        (
            "testdata/keys/rsa1024.pub.pem",
            "below the 2048-bit minimum",
        ),
        ("testdata/keys/ec-p256.pub.pem", "not an RSA key"),
        (
            "testdata/gkm/seed-373-update-product-meta.json",
            "key rejected",
        ),
        ("testdata/does-not-exist.pem", "cannot read"),
    ] {
        let o = respsig(&["keys", "fingerprint", file], None);
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains(message), "{file}: {}", stderr(&o));
    }
}

#[test]
fn license_verify_prints_the_license_or_refuses() {
    let key = "product=testdata/keys/rsa2048.pub.pem";
    let long = "testdata/license/php-2048-long.lic";
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            key,
            "--hardware-id",
            "HW-1234",
            long,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut expected = common::bytes("license/openssl-2048-long.json");
    expected.push(b'\n');
    assert_eq!(o.stdout, expected);
    assert!(
        stderr(&o).contains("license key LIC-2024-ABCD1234"),
        "{}",
        stderr(&o)
    );
    for (args, code, message) in [
        (
            vec!["--key", "product=testdata/keys/other2048.pub.pem", long],
            1,
            "block 0 does not open",
        ),
        (
            vec!["--key", key, "testdata/license/bad-padding-type2.lic"],
            1,
            "block 2 does not carry",
        ),
        (
            vec!["--key", key, "--domain", "example.org", long],
            1,
            "not bound to this domain",
        ),
        (
            vec!["--key", key, "--hardware-id", "HW-9", long],
            1,
            "hardware id",
        ),
        // An envelope is not a license.
        (
            vec!["--key", key, SEED],
            1,
            "malformed license document: member `license`: missing",
        ),
        (
            // A bare license object: JSON, but no signed document.
            vec!["--key", key, "testdata/license/openssl-2048.json"],
            1,
            "malformed license document: member `license`: missing",
        ),
        (
            vec!["--key", key, "testdata/keys/rsa2048.pub.pem"],
            1,
            "malformed license file: not strict standard base64",
        ),
        // A file the server wrote has no integrity member.
        (
            vec!["--key", key, "--require-integrity", long],
            1,
            "license refused: the license has no integrity member, and one is required; --require-integrity refuses it; files the license server writes have none",
        ),
        (
            vec!["--key", "product=testdata/keys/rsa1024.pub.pem", long],
            2,
            "2048-bit minimum",
        ),
        (vec![long], 2, "--key"),
    ] {
        let mut full = vec!["license", "verify"];
        full.extend(args);
        let o = respsig(&full, None);
        assert_eq!(o.status.code(), Some(code), "{full:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains(message), "{full:?}: {}", stderr(&o));
    }
}

#[test]
fn license_issue_writes_what_openssl_wrote_and_verify_reads_it() {
    let key = "product=testdata/keys/rsa2048.pem";
    // --exact: the file's bytes as they are, plus the integrity member;
    // type-1 padding is deterministic, so the four blocks before the
    // member (1,023 bytes: 1,364 base64 characters) are the OpenSSL-made
    // file's.
    let o = respsig(
        &[
            "license",
            "issue",
            "--key",
            key,
            "--exact",
            "testdata/license/openssl-2048-long.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout[..1364],
        common::bytes("license/openssl-2048-long.lic")[..1364]
    );
    assert!(
        stderr(&o).contains("6 block(s) under key `product` (RSA-2048, SHA-256, sha256:"),
        "{}",
        stderr(&o)
    );
    let v = respsig(
        &[
            "license",
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
            "--hardware-id",
            "HW-1234",
            "--require-integrity",
        ],
        Some(&o.stdout),
    );
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    let json = common::bytes("license/openssl-2048-long.json");
    let (body, member) = v.stdout.split_at(json.len() - 1);
    assert_eq!(body, &json[..json.len() - 1]);
    let member = std::str::from_utf8(member).unwrap();
    let hex = member
        .strip_prefix(",\"respsig_integrity_sha256\":\"")
        .and_then(|m| m.strip_suffix("\"}\n"))
        .unwrap();
    assert_eq!(hex.len(), 64);
    assert!(
        stderr(&v).contains(".lic license with integrity member"),
        "{}",
        stderr(&v)
    );

    // Without --exact the object is written in canonical form; from
    // standard input, choosing one of two keys by name.
    let pretty = b"{\n  \"license_key\": \"LIC-CLI\",\n  \"expires_at\": \"2035-01-01\",\n  \"path\": \"a/b\"\n}\n";
    let o = respsig(
        &[
            "license",
            "issue",
            "--key",
            "global=testdata/keys/other2048.pem",
            "--key",
            key,
            "--name",
            "product",
            "-q",
        ],
        Some(pretty),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty());
    let v = respsig(
        &[
            "license",
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
            "-q",
        ],
        Some(&o.stdout),
    );
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    assert!(
        v.stdout.starts_with(
            b"{\"license_key\":\"LIC-CLI\",\"expires_at\":\"2035-01-01\",\"path\":\"a\\/b\",\"respsig_integrity_sha256\":\""
        ),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );

    for (args, stdin, code, message) in [
        (vec!["--key", key], &b"[1,2]"[..], 1, "not a JSON object"),
        (
            vec!["--key", key],
            &b"{\"a\":"[..],
            1,
            "invalid JSON at byte 5",
        ),
        (
            vec!["--key", "product=testdata/keys/rsa2048.pub.pem"],
            &b"{}"[..],
            2,
            "PUBLIC KEY",
        ),
        (
            vec!["--key", "product=testdata/keys/rsa1024.pem"],
            &b"{}"[..],
            2,
            "rsa1024.pem",
        ),
        (
            vec!["--key", key, "--key", "global=testdata/keys/other2048.pem"],
            &b"{}"[..],
            2,
            "--name",
        ),
        (
            vec!["--key", key, "--name", "global"],
            &b"{}"[..],
            2,
            "no --key was given under that name",
        ),
        (vec![], &b"{}"[..], 2, "--key"),
    ] {
        let mut full = vec!["license", "issue"];
        full.extend(args);
        let o = respsig(&full, Some(stdin));
        assert_eq!(o.status.code(), Some(code), "{full:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains(message), "{full:?}: {}", stderr(&o));
    }
}

#[test]
fn license_verify_reads_signed_json_licenses() {
    let key = "product=testdata/keys/rsa2048.pub.pem";
    let compact = common::text("license/php-signed-compact.json");
    // The license object as it stands in the signed bytes.
    let start = "{\"license\":".len();
    let end = compact.find(",\"signature\":").unwrap();
    let license = format!("{}\n", &compact[start..end]);
    for file in [
        "testdata/license/php-signed-compact.json",
        "testdata/license/php-signed-pretty.json",
    ] {
        let o = respsig(
            &[
                "license",
                "verify",
                "--key",
                key,
                "--hardware-id",
                "HW-1234",
                file,
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(String::from_utf8(o.stdout.clone()).unwrap(), license);
        assert!(
            stderr(&o).starts_with(&format!(
                "respsig: signed-JSON license {file} verified: key `product` (RSA-2048, SHA-256, sha256:"
            )),
            "{}",
            stderr(&o)
        );
    }
    // One byte changed (the hardware id): exit 1.
    let tampered = compact.replacen("HW-1234", "HW-1235", 1);
    let o = respsig(
        &["license", "verify", "--key", key],
        Some(tampered.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: refused: bad signature: it does not verify under any configured key of that name; it was altered, or signed by another key\n"
    );
    // The key name: the only one, or --name among several.
    let two = [
        "license",
        "verify",
        "--hardware-id",
        "HW-1234",
        "--key",
        key,
        "--key",
        "global=testdata/keys/other2048.pub.pem",
    ];
    let o = respsig(&two, Some(compact.as_bytes()));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: several keys given: say which one verifies the license with --name NAME\n"
    );
    let o = respsig(
        &[&two[..], &["--name", "product"]].concat(),
        Some(compact.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = respsig(
        &[&two[..], &["--name", "global"]].concat(),
        Some(compact.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    let o = respsig(
        &[&two[..], &["--name", "nope"]].concat(),
        Some(compact.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --name nope: no --key was given under that name\n"
    );
}

/// Block 0-2 of one file and block 3 of another (768 bytes: exactly 1,024
/// base64 characters, so the cut is at a character boundary).
#[test]
fn license_verify_refuses_a_splice_of_crate_files() {
    let public = "product=testdata/keys/rsa2048.pub.pem";
    let splice = |a: &[u8], b: &[u8]| [&a[..1024], &b[1024..]].concat();
    // Server files (no integrity member): the splice verifies.
    let spliced = splice(
        &common::bytes("license/splice-attacker.lic"),
        &common::bytes("license/splice-someone.lic"),
    );
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            public,
            "--hardware-id",
            "HW-ATTACKER",
        ],
        Some(&spliced),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(
        text.starts_with("{\"license_key\":\"LIC-ATTACKER-0001\",\"hardware_id\":\"HW-ATTACKER\",")
    );
    assert!(
        text.ends_with(",\"expires_at\":\"2035-12-31\"}\n"),
        "{text}"
    );
    assert!(stderr(&o).contains(".lic license without integrity member"));
    let o = respsig(
        &["license", "verify", "--key", public, "--require-integrity"],
        Some(&spliced),
    );
    assert_eq!(o.status.code(), Some(1));
    // The same licenses written by respsig: the splice is refused.
    let issue = |who: &str| {
        let o = respsig(
            &[
                "license",
                "issue",
                "--key",
                "product=testdata/keys/rsa2048.pem",
                "--exact",
                "-q",
                &format!("testdata/license/splice-{who}.json"),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(0));
        o.stdout
    };
    let spliced = splice(&issue("attacker"), &issue("someone"));
    let o = respsig(&["license", "verify", "--key", public], Some(&spliced));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: refused: license refused: the license's integrity digest does not match its content\n"
    );
}

#[test]
fn license_issue_writes_signed_json() {
    let input = "{\"license_key\":\"LIC-J\",\"hardware_id\":\"HW-1\",\"expires_at\":\"2035-01-01\",\"url\":\"https://x.example/a\",\"name\":\"Zo\\u00eb \u{1f600}\"}";
    let o = respsig(
        &[
            "license",
            "issue",
            "--format",
            "json",
            "--key",
            "product=testdata/keys/rsa2048.pem",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = String::from_utf8(o.stdout.clone()).unwrap();
    let license = "{\"license_key\":\"LIC-J\",\"hardware_id\":\"HW-1\",\"expires_at\":\"2035-01-01\",\"url\":\"https://x.example/a\",\"name\":\"Zo\u{eb} \u{1f600}\"}";
    assert!(
        doc.starts_with(&format!("{{\"license\":{license},\"signature\":\"")),
        "{doc}"
    );
    assert!(doc.ends_with("\"}\n"));
    assert!(stderr(&o).starts_with("respsig: signed-JSON license for standard input written under key `product` (RSA-2048, SHA-256, sha256:"), "{}", stderr(&o));
    let v = respsig(
        &[
            "license",
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
            "--hardware-id",
            "HW-1",
            "-q",
        ],
        Some(doc.as_bytes()),
    );
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    assert_eq!(
        String::from_utf8(v.stdout.clone()).unwrap(),
        format!("{license}\n")
    );
    // --exact is for .lic files.
    let o = respsig(
        &[
            "license",
            "issue",
            "--format",
            "json",
            "--exact",
            "--key",
            "product=testdata/keys/rsa2048.pem",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn canonicalize_with_php_flags() {
    let input = "{\"u\":\"https://\u{e9}.example/\",\"l\":\"a\u{2028}b\",\"e\":\"\u{1f600}\"}";
    for (flags, expected) in [
        (
            &[][..],
            r#"{"u":"https:\/\/\u00e9.example\/","l":"a\u2028b","e":"\ud83d\ude00"}"#,
        ),
        (
            &["--unescaped-slashes"][..],
            r#"{"u":"https://\u00e9.example/","l":"a\u2028b","e":"\ud83d\ude00"}"#,
        ),
        (
            &["--unescaped-unicode"][..],
            "{\"u\":\"https:\\/\\/\u{e9}.example\\/\",\"l\":\"a\\u2028b\",\"e\":\"\u{1f600}\"}",
        ),
        (
            &["--unescaped-slashes", "--unescaped-unicode"][..],
            "{\"u\":\"https://\u{e9}.example/\",\"l\":\"a\\u2028b\",\"e\":\"\u{1f600}\"}",
        ),
    ] {
        let o = respsig(
            &[&["canonicalize"][..], flags].concat(),
            Some(input.as_bytes()),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            String::from_utf8(o.stdout.clone()).unwrap(),
            expected,
            "{flags:?}"
        );
    }
}

/// `respsig canonicalize big.json | head -c1`: the reader goes away after
/// one byte; respsig exits 0 and says nothing, as coreutils and ripgrep do.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;

    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let items: Vec<String> = (0..60_000).map(|i| format!("\"item {i}\"")).collect();
    std::fs::write(&big, format!("{{\"list\":[{}]}}", items.join(","))).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_respsig"))
        .args(["canonicalize", big.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"{");
    drop(stdout);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// Key files as people keep them: a comment line or a UTF-8 BOM before
/// `-----BEGIN` is read (as OpenSSL and PHP read it); a `Comment:` header
/// line is refused with its own reason (OpenSSL refuses it too: "not proc
/// type"), not as an encrypted key.
#[test]
fn pem_key_files_with_leading_text_or_headers() {
    let dir = tempfile::tempdir().unwrap();
    let pem = common::text("gkm/gkm-demo-public.pem");
    let (begin, body) = pem.split_once('\n').unwrap();
    let variants = [
        (
            "comment.pem",
            format!("demo key, from the server's docs\n{pem}"),
        ),
        ("bom.pem", format!("\u{feff}{pem}")),
        ("crlf.pem", pem.replace('\n', "\r\n")),
    ];
    for (name, text) in &variants {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let key = format!("product={}", path.display());
        let o = respsig(&["verify", "--any-age", "-q", "--key", &key, SEED], None);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(
            o.stdout,
            b"{\"code\":373,\"message\":\"Product meta updated\",\"timestamp\":1709169556}\n",
            "{name}"
        );
    }
    let path = dir.path().join("header.pem");
    std::fs::write(&path, format!("{begin}\nComment: demo\n\n{body}")).unwrap();
    let key = format!("product={}", path.display());
    let o = respsig(&["verify", "--any-age", "--key", &key, SEED], None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "respsig: error: {}: key rejected: the PEM block has header lines (`Name: value`); keys in PEM carry none unless encrypted; remove the header lines and the blank line after them\n",
            path.display()
        )
    );
}

/// Private keys are refused for the reason that applies, with the bit
/// count or the exponent; `keys fingerprint` reads a private key of any
/// size the verifier takes without loading it for signing.
#[test]
fn private_key_refusals_name_the_cause() {
    for (file, message) in [
        (
            "testdata/keys/rsa1024.pem",
            "key rejected: 1024-bit RSA modulus is below the 2048-bit minimum; use a key of 2048 bits or more",
        ),
        (
            "testdata/adversarial/keys/e3-2048.pem",
            "key rejected: RSA public exponent 3 is below 65537; the server's keys use the exponent 65537",
        ),
        (
            "testdata/cli/rsa8192.pem",
            "key rejected: 8192-bit RSA modulus is above the 4096-bit maximum",
        ),
    ] {
        let key = format!("product={file}");
        let o = respsig(&["sign", "--key", &key], Some(b"{\"code\":1}"));
        assert_eq!(o.status.code(), Some(2), "{file}");
        assert_eq!(stderr(&o), format!("respsig: error: {file}: {message}\n"));
    }
    let o = respsig(
        &[
            "keys",
            "fingerprint",
            "testdata/cli/rsa8192.pem",
            "testdata/cli/rsa8192.pub.pem",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0][..64], lines[1][..64]);
    assert_eq!(lines[0][64..], *"  RSA-8192  testdata/cli/rsa8192.pem");
}

/// A duplicated unknown member is named; a misspelled `signature` is
/// reported as missing, not as a server without a key.
#[test]
fn envelope_refusals_name_the_cause() {
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let dup = seed.replacen('{', r#"{"x":1,"x":2,"#, 1);
    let o = respsig(
        &["verify", "--any-age", "--key", DEMO, "-"],
        Some(dup.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: malformed envelope: duplicate key \"x\"\n"
    );
    let misspelled = seed.replace("\"signature\"", "\"Signature\"");
    assert_ne!(misspelled, seed);
    let o = respsig(
        &["verify", "--any-age", "--key", DEMO, "-"],
        Some(misspelled.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: unsigned response: the envelope has no `signature` member, or it is empty or the server's `Private key not set`; nothing in this response is signed, so none of it can be trusted\n"
    );
}

/// The fingerprint `openssl pkey -pubin -pubout -outform DER | sha256sum`
/// gives for a public key file, or `None` without openssl.
fn openssl_fingerprint(file: &str) -> Option<String> {
    let openssl = common::tool("openssl", "version")?;
    let der = Command::new(openssl)
        .args(["pkey", "-pubin", "-pubout", "-outform", "DER", "-in", file])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(der.status.success(), "{file}: {}", stderr(&der));
    let digest = ring::digest::digest(&ring::digest::SHA256, &der.stdout);
    Some(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

const RESPONSE: &[u8] = br#"{"code":200,"message":"Valid license key","timestamp":1709169556}"#;

#[test]
fn ed25519_signs_and_verifies_with_every_key_form() {
    let o = sign("product=testdata/keys/ed25519.pem", RESPONSE);
    let envelope = o.stdout;
    let fingerprint = openssl_fingerprint("testdata/keys/ed25519.pub.pem");
    for public in ["ed25519.pub.pem", "ed25519.pub.der", "ed25519.pub.raw"] {
        let key = format!("product=testdata/keys/{public}");
        let o = respsig(&["verify", "--any-age", "--key", &key], Some(&envelope));
        assert_eq!(o.status.code(), Some(0), "{public}: {}", stderr(&o));
        assert_eq!(o.stdout, [RESPONSE, b"\n"].concat());
        let line = stderr(&o);
        assert!(
            line.starts_with(
                "respsig: verified standard input: signed by key `product` (Ed25519, sha256:"
            ),
            "{line}"
        );
        if let Some(fp) = &fingerprint {
            assert!(
                line.contains(&format!("(Ed25519, sha256:{fp}), code 200")),
                "{line}"
            );
        }
    }
    // The same key in every file form has one fingerprint.
    let o = respsig(
        &[
            "keys",
            "fingerprint",
            "testdata/keys/ed25519.pem",
            "testdata/keys/ed25519.pub.der",
            "testdata/keys/ed25519.pub.raw",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let fp = &out[..64];
    assert_eq!(
        out,
        format!(
            "{fp}  Ed25519  testdata/keys/ed25519.pem\n{fp}  Ed25519  testdata/keys/ed25519.pub.der\n{fp}  Ed25519  testdata/keys/ed25519.pub.raw\n"
        )
    );
    if let Some(openssl) = fingerprint {
        assert_eq!(fp, openssl);
    }
    // Another Ed25519 key refuses it; an RSA key refuses it for its length.
    let o = respsig(
        &[
            "verify",
            "--any-age",
            "--key",
            "product=testdata/keys/other-ed25519.pub.pem",
        ],
        Some(&envelope),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("respsig: refused: bad signature:"),
        "{}",
        stderr(&o)
    );
    let o = respsig(
        &[
            "verify",
            "--any-age",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
        ],
        Some(&envelope),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: the signature is 64 bytes, but a signature under the key is 256 bytes\n"
    );
}

/// `--hash` is for RSA keys: with only Ed25519 keys it is a usage error,
/// next to an RSA key it applies to the RSA key only.
#[test]
fn hash_option_and_ed25519_keys() {
    let o = respsig(
        &[
            "sign",
            "--key",
            "p=testdata/keys/ed25519.pem",
            "--hash",
            "sha384",
        ],
        Some(RESPONSE),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --hash sha384: key `p` is an Ed25519 key, whose hash is part of the algorithm; --hash applies to RSA keys only, leave it out\n"
    );
    assert!(o.stdout.is_empty());
    let envelope = respsig(
        &["sign", "--key", "p=testdata/keys/ed25519.pem"],
        Some(RESPONSE),
    )
    .stdout;
    let o = respsig(
        &[
            "verify",
            "--any-age",
            "--key",
            "p=testdata/keys/ed25519.pub.pem",
            "--hash",
            "sha256",
        ],
        Some(&envelope),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --hash sha256: every --key is an Ed25519 key, whose hash is part of the algorithm; --hash applies to RSA keys only, leave it out\n"
    );
    // Next to an RSA key, --hash is the RSA key's; the Ed25519 key still
    // verifies Ed25519.
    for (signer, name) in [
        ("p=testdata/keys/ed25519.pem", "p"),
        ("g=testdata/keys/rsa2048.pem", "g"),
    ] {
        let mut args = vec!["sign", "--key", signer];
        if name == "g" {
            args.extend(["--hash", "sha512"]);
        }
        let envelope = respsig(&args, Some(RESPONSE)).stdout;
        let o = respsig(
            &[
                "verify",
                "--any-age",
                "--key",
                "p=testdata/keys/ed25519.pub.pem",
                "--key",
                "g=testdata/keys/rsa2048.pub.pem",
                "--hash",
                "sha512",
            ],
            Some(&envelope),
        );
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    }
    // With the other key chosen by --name, --hash applies to the RSA key.
    let o = respsig(
        &[
            "sign",
            "--key",
            "p=testdata/keys/ed25519.pem",
            "--key",
            "g=testdata/keys/rsa2048.pem",
            "--name",
            "g",
            "--hash",
            "sha384",
        ],
        Some(RESPONSE),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn rsa_sha384_signs_and_verifies_and_openssl_agrees() {
    let o = respsig(
        &[
            "sign",
            "--key",
            "product=testdata/keys/rsa2048.pem",
            "--hash",
            "sha384",
        ],
        Some(RESPONSE),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let envelope = o.stdout;
    let key = "product=testdata/keys/rsa2048.pub.pem";
    let o = respsig(
        &["verify", "--any-age", "--key", key, "--hash", "sha384"],
        Some(&envelope),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("(RSA-2048, SHA-384, sha256:"),
        "{}",
        stderr(&o)
    );
    for other in [vec![], vec!["--hash", "sha256"], vec!["--hash", "sha512"]] {
        let mut args = vec!["verify", "--any-age", "--key", key];
        args.extend(other);
        let o = respsig(&args, Some(&envelope));
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).starts_with("respsig: refused: bad signature:"));
    }
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let env: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
    std::fs::write(&msg, env["response_base64"].as_str().unwrap()).unwrap();
    let sig_b64 = dir.path().join("sig.b64");
    std::fs::write(&sig_b64, env["signature"].as_str().unwrap()).unwrap();
    let o = Command::new(openssl)
        .args(["base64", "-d", "-A", "-in"])
        .arg(&sig_b64)
        .arg("-out")
        .arg(&sig)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&sig).unwrap().len(), 256);
    let o = Command::new(openssl)
        .args([
            "dgst",
            "-sha384",
            "-verify",
            "testdata/keys/rsa2048.pub.pem",
            "-signature",
        ])
        .arg(&sig)
        .arg(&msg)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Verified OK\n");
}

#[test]
fn signature_metadata_in_verify_and_inspect() {
    let envelope = respsig(
        &["sign", "--key", "product=testdata/keys/ed25519.pem"],
        Some(RESPONSE),
    )
    .stdout;
    let envelope = String::from_utf8(envelope).unwrap();
    let with = |metadata: &str| {
        format!(
            "{},\"signature_metadata\":{metadata}}}\n",
            envelope.trim_end().strip_suffix('}').unwrap()
        )
    };
    let key = "product=testdata/keys/ed25519.pub.pem";
    let agrees = with(r#"{"algorithm":"ED25519"}"#);
    let o = respsig(
        &["verify", "--any-age", "--key", key],
        Some(agrees.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = respsig(&["inspect"], Some(agrees.as_bytes()));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("\nsignature_metadata: {\"algorithm\":\"ED25519\"} (names Ed25519; unsigned: verify refuses the envelope if it disagrees with the key, never follows it)\n"),
        "{out}"
    );

    let disagrees = with(r#"{"algorithm":"RSA-SHA256"}"#);
    let o = respsig(
        &["verify", "--any-age", "--key", key],
        Some(disagrees.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: algorithm mismatch: `signature_metadata` names algorithm \"RSA-SHA256\", but the key configured under that name verifies with Ed25519\n"
    );
    assert!(o.stdout.is_empty());

    let unknown = with(r#"{"algorithm":"none"}"#);
    let o = respsig(
        &["verify", "--any-age", "--key", key],
        Some(unknown.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("names algorithm \"none\", but"),
        "{}",
        stderr(&o)
    );
    let o = respsig(&["inspect"], Some(unknown.as_bytes()));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("signature_metadata: {\"algorithm\":\"none\"} (names \"none\", an algorithm respsig does not know;"),
        "{out}"
    );

    let malformed = with(r#"{"algorithm":256}"#);
    for command in [vec!["verify", "--any-age", "--key", key], vec!["inspect"]] {
        let o = respsig(&command, Some(malformed.as_bytes()));
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            stderr(&o),
            "respsig: refused: malformed envelope: member `signature_metadata.algorithm`: not a string\n"
        );
    }
    let o = respsig(&["inspect"], Some(with("{}").as_bytes()));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("signature_metadata: {} (names no algorithm;"),
        "{out}"
    );
    let o = respsig(&["inspect"], Some(envelope.as_bytes()));
    assert!(
        !String::from_utf8(o.stdout)
            .unwrap()
            .contains("signature_metadata")
    );
}

/// Bad option values are clap usage errors (exit 2) that name the option
/// and, where the values are few, list them; every command's help lists
/// its exit codes.
#[test]
fn option_values_are_checked_by_clap_and_help_lists_exit_codes() {
    for (args, expected) in [
        (
            vec!["verify", "--any-age", "--key", "product", SEED],
            "error: invalid value 'product' for '--key <NAME=PATH>': expected NAME=PATH, e.g. product=keys/product.pub.pem",
        ),
        (
            vec!["keygen", "--bits", "1024", "--name", "x"],
            "error: invalid value '1024' for '--bits <BITS>'\n  [possible values: 2048, 3072, 4096]",
        ),
        (
            vec!["inspect", "--max-bytes", "1.5MiB", SEED],
            "error: invalid value '1.5MiB' for '--max-bytes <SIZE>': expected a size such as 1048576, 64KiB or 2MiB",
        ),
        (
            vec!["verify", "--any-age", "--key", DEMO, "--hash", "md5", SEED],
            "error: invalid value 'md5' for '--hash <HASH>'\n  [possible values: sha256, sha384, sha512]",
        ),
    ] {
        let o = respsig(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).starts_with(expected), "{args:?}: {}", stderr(&o));
    }
    for command in [
        &["verify"][..],
        &["sign"],
        &["keygen"],
        &["canonicalize"],
        &["inspect"],
        &["license", "verify"],
        &["license", "issue"],
        &["keys", "fingerprint"],
        &[],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let o = respsig(&args, None);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let help = String::from_utf8(o.stdout).unwrap();
        assert!(help.contains("Exit codes:"), "{args:?}: {help}");
        if command.is_empty() {
            continue;
        }
        assert!(help.contains("\n  0  "), "{args:?}: {help}");
        assert!(help.contains("\n  2  usage error"), "{args:?}: {help}");
    }
}

/// Every command that reads an input takes --max-bytes, so the advice a
/// too-large input gets names an option the command has.
#[test]
fn too_large_inputs_get_advice_the_command_can_follow() {
    for command in [
        &["verify", "--any-age", "--key", DEMO][..],
        &["inspect"],
        &["canonicalize"],
        &["sign", "--key", "product=testdata/keys/rsa2048.pem"],
        &[
            "license",
            "verify",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
        ],
    ] {
        let mut args = command.to_vec();
        args.extend(["--max-bytes", "100", SEED]);
        let o = respsig(&args, None);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("respsig: refused: input of "),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).ends_with(
                " bytes exceeds the 100-byte limit; raise --max-bytes only if the input really is this large\n"
            ),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// `sign` speaks of the response it was given, not of an envelope.
#[test]
fn sign_refuses_a_response_that_is_not_an_object() {
    let o = respsig(
        &["sign", "--key", "product=testdata/keys/rsa2048.pem"],
        Some(b"[1]"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: refused: standard input: the response to sign is not a JSON object\n"
    );
}

/// Standard base64 with padding (test helper; the CLI crate has no base64
/// dependency).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `verify --pretty` changes whitespace only: big integers, exponents in
/// both cases, `-0`, `1.0` and string escapes stay as signed.
#[test]
fn verify_pretty_keeps_every_token() {
    let payload = concat!(
        r#"{"id":123456789012345678901234567890,"n":1E2,"m":2.5e-7,"z":-0,"f":1.0,"#,
        r#""neg":-0.0,"s":"caf\u00e9 \/","l":[1E+2,{}],"code":300}"#
    );
    let key = respsig::SigningKey::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let b64 = base64(payload.as_bytes());
    let sig = base64(&key.sign_bytes(b64.as_bytes()).unwrap());
    let envelope = format!(
        r#"{{"response":{payload},"response_base64":"{b64}","private_key_used":"product","signature":"{sig}"}}"#
    );
    let public = "product=testdata/keys/rsa2048.pub.pem";

    let o = respsig(
        &["verify", "--any-age", "--key", public, "-q"],
        Some(envelope.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, format!("{payload}\n").as_bytes());

    let o = respsig(
        &["verify", "--any-age", "--key", public, "-q", "--pretty"],
        Some(envelope.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = concat!(
        "{\n",
        "  \"id\": 123456789012345678901234567890,\n",
        "  \"n\": 1E2,\n",
        "  \"m\": 2.5e-7,\n",
        "  \"z\": -0,\n",
        "  \"f\": 1.0,\n",
        "  \"neg\": -0.0,\n",
        "  \"s\": \"caf\\u00e9 \\/\",\n",
        "  \"l\": [\n",
        "    1E+2,\n",
        "    {}\n",
        "  ],\n",
        "  \"code\": 300\n",
        "}\n"
    );
    assert_eq!(String::from_utf8(o.stdout).unwrap(), want);
}

/// `license verify --name` limits the keys tried to that name's for a
/// .lic file too: a file opened by another name's key is refused, and a
/// name with no --key is a usage error.
#[test]
fn license_verify_name_limits_the_keys_for_lic_files() {
    let file = "testdata/license/openssl-2048.lic";
    let keys = [
        "--key",
        "other=testdata/keys/other2048.pub.pem",
        "--key",
        "product=testdata/keys/rsa2048.pub.pem",
    ];
    let run = |name: &str| {
        let mut args = vec!["license", "verify", "-q", "--hardware-id", "HW-1234"];
        args.extend(keys);
        args.extend(["--name", name, file]);
        respsig(&args, None)
    };
    let o = run("product");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run("other");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: refused: license refused: block 0 does not open under any RSA key of that name\n"
    );
    let o = run("global");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --name global: no --key was given under that name\n"
    );
}

/// `sign` reads only the key it signs with, and one name means one key.
#[test]
fn sign_reads_only_the_chosen_key() {
    let payload = br#"{"code": 200, "message": "Valid license key", "timestamp": 1709169556}"#;
    // The other key's file does not exist: never opened.
    let o = respsig(
        &[
            "sign",
            "--key",
            "product=testdata/keys/rsa2048.pem",
            "--key",
            "global=testdata/keys/no-such-key.pem",
            "--name",
            "product",
        ],
        Some(payload),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = respsig(
        &[
            "verify",
            "--any-age",
            "-q",
            "--key",
            "product=testdata/keys/rsa2048.pub.pem",
        ],
        Some(&o.stdout),
    );
    assert_eq!(v.status.code(), Some(0), "{}", stderr(&v));
    // Two keys under one name: which would sign is not the user's guess.
    let o = respsig(
        &[
            "sign",
            "--key",
            "product=testdata/keys/rsa2048.pem",
            "--key",
            "product=testdata/keys/other2048.pem",
        ],
        Some(payload),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "respsig: error: --key product=testdata/keys/other2048.pem: a key named `product` was already given\n"
    );
}
