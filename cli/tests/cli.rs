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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const DEMO: &str = "product=testdata/gkm/gkm-demo-public.pem";
const SEED: &str = "testdata/gkm/seed-373-update-product-meta.json";

#[test]
fn verify_prints_the_signed_payload() {
    let o = respsig(&["verify", "--key", DEMO, SEED], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout,
        b"{\"code\":373,\"message\":\"Product meta updated\",\"timestamp\":1709169556}\n"
    );
    assert!(stderr(&o).contains("signed by key `product` (RSA-2048, SHA-256"));
    // From standard input, quietly.
    let o = respsig(
        &["verify", "-q", "--key", DEMO, "-"],
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
            "names key \"global\"",
        ),
        (
            seed.replace("\"code\": 373", "\"code\": 372"),
            "content mismatch",
        ),
    ];
    for (input, message) in cases {
        let o = respsig(&["verify", "--key", DEMO], Some(input.as_bytes()));
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
        &["verify", "--key", DEMO],
        Some(serde_json::to_string(&env).unwrap().as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad signature"), "{}", stderr(&o));
    // Stale under a freshness policy (the seed is from 2024).
    let o = respsig(&["verify", "--key", DEMO, "--max-age", "3600", SEED], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("stale response"), "{}", stderr(&o));
    // Over the size limit: refused before parsing.
    let o = respsig(&["verify", "--key", DEMO, "--max-bytes", "100", SEED], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("exceeds the 100-byte limit"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_and_key_errors_exit_2() {
    for (args, message) in [
        (vec!["verify", "--key", "product", SEED], "NAME=PATH"),
        (
            vec!["verify", "--key", "product=testdata/keys/missing.pem", SEED],
            "cannot read",
        ),
        (
            vec![
                "verify",
                "--key",
                "product=testdata/keys/rsa1024.pub.pem",
                SEED,
            ],
            "below the 2048-bit minimum",
        ),
        (
            vec!["verify", "--key", "product=testdata/keys/rsa2048.pem", SEED],
            "PEM label \"PRIVATE KEY\"",
        ),
        (
            vec!["verify", "--key", DEMO, "testdata/none.json"],
            "cannot read",
        ),
        (vec!["verify", SEED], "--key"),
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
    let o = respsig(
        &["sign", "--key", &private],
        Some(br#"{"code": 300, "message": "License key activated", "url": "a/b"}"#),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(
        br#"{"response":{"code":300,"message":"License key activated","url":"a\/b"},"response_base64":""#
    ));
    let o = respsig(&["verify", "--key", &public], Some(&o.stdout));
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
    let out = String::from_utf8(o.stdout).unwrap();
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
    let out = String::from_utf8(o.stdout).unwrap();
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
    let o = respsig(&["verify", "--key", DEMO, SEED], None);
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
        (vec!["--key", key, SEED], 1, "not strict standard base64"),
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
    // --exact: the file's bytes as they are; type-1 padding is
    // deterministic, so the output is the OpenSSL-made file.
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
    assert_eq!(o.stdout, common::bytes("license/openssl-2048-long.lic"));
    assert!(
        stderr(&o).contains("5 block(s) under key `product` (RSA-2048, sha256:"),
        "{}",
        stderr(&o)
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
    assert_eq!(
        v.stdout,
        b"{\"license_key\":\"LIC-CLI\",\"expires_at\":\"2035-01-01\",\"path\":\"a\\/b\"}\n"
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
        &["verify", "--key", public, "-q"],
        Some(envelope.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, format!("{payload}\n").as_bytes());

    let o = respsig(
        &["verify", "--key", public, "-q", "--pretty"],
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
