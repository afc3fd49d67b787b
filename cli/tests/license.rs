//! `respsig license`: every cut and splice of files the crate writes
//! refused with exit 1, `--hash` on both license commands, Ed25519 keys
//! described as Ed25519 on every path, and `.lic` files with no RSA key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The repository root: test data lives in its `testdata/`.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the CLI crate sits in the repository")
}

fn testdata(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("testdata").join(rel)).unwrap()
}

fn respsig(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_respsig"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    match pipe.write_all(stdin) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// PHP, if installed; with `RESPSIG_REQUIRE_TOOLS=1` (CI) a missing PHP
/// fails the test instead.
fn php() -> Option<&'static str> {
    let found = Command::new("php")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("php");
    }
    if std::env::var("RESPSIG_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("`php` is required (RESPSIG_REQUIRE_TOOLS=1) but not on the PATH");
    }
    eprintln!("SKIPPED: `php` is not on the PATH");
    None
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_decode(text: &str) -> Vec<u8> {
    let digits: Vec<u32> = text
        .bytes()
        .filter(|&b| b != b'=' && !b.is_ascii_whitespace())
        .map(|b| B64.iter().position(|&c| c == b).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | d << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

const PRIVATE: &str = "product=testdata/keys/rsa2048.pem";
const PUBLIC: &str = "product=testdata/keys/rsa2048.pub.pem";
const ED_PRIVATE: &str = "product=testdata/keys/ed25519.pem";
const ED_PUBLIC: &str = "product=testdata/keys/ed25519.pub.pem";

/// `respsig license issue` of `license` (JSON) with `args` more.
fn issue(license: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["license", "issue", "-q"];
    all.extend_from_slice(args);
    let o = respsig(&all, license.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o.stdout
}

const MISMATCH: &str = "respsig: refused: license refused: the license's integrity digest does not match its content\n";
const NOT_JSON: &str =
    "respsig: refused: license refused: the license content is not a JSON object: ";

/// Every cut, splice (at every pair of blocks, both ways), swap and
/// repeat of two unbound, unexpiring licenses written by `license issue`
/// is refused by `license verify` with no options: exit 1, nothing on
/// standard output, the digest or the JSON named. The genuine files
/// verify with no options.
#[test]
fn every_cut_and_splice_of_issued_files_exits_1() {
    let licenses = ["a", "b"].map(|c| {
        format!(
            "{{\"license_key\":\"LIC-{c}-0001\",\"note\":\"{}\",\"expires_at\":\"2099-01-31\"}}",
            c.repeat(500)
        )
    });
    let files = licenses.map(|l| {
        let file = issue(&l, &["--key", PRIVATE]);
        let o = respsig(&["license", "verify", "--key", PUBLIC], &file);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let blocks: Vec<Vec<u8>> = b64_decode(std::str::from_utf8(&file).unwrap())
            .chunks(256)
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(blocks.len(), 3);
        blocks
    });
    let mut candidates: Vec<Vec<&[u8]>> = Vec::new();
    for (x, y) in [(0, 1), (1, 0)] {
        let a: Vec<&[u8]> = files[x].iter().map(Vec::as_slice).collect();
        let b: Vec<&[u8]> = files[y].iter().map(Vec::as_slice).collect();
        for i in 0..3 {
            let mut cut = a.clone();
            cut.remove(i);
            candidates.push(cut);
        }
        for i in 1..3 {
            candidates.push(a[..i].to_vec());
            candidates.push(a[i..].to_vec());
        }
        for i in 1..=3 {
            for j in 0..3 {
                candidates.push([&a[..i], &b[j..]].concat());
            }
        }
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            let mut swapped = a.clone();
            swapped.swap(i, j);
            candidates.push(swapped);
        }
        for i in 0..3 {
            for at in 0..=3 {
                let mut repeated = a.clone();
                repeated.insert(at, a[i]);
                candidates.push(repeated);
            }
        }
    }
    let genuine: Vec<Vec<u8>> = files.iter().map(|f| f.concat()).collect();
    let (mut digest, mut not_json) = (0, 0);
    for candidate in &candidates {
        let bytes = candidate.concat();
        if genuine.contains(&bytes) {
            continue;
        }
        let o = respsig(
            &["license", "verify", "--key", PUBLIC],
            b64_encode(&bytes).as_bytes(),
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        let message = stderr(&o);
        if message == MISMATCH {
            digest += 1;
        } else {
            assert!(message.starts_with(NOT_JSON), "{message}");
            not_json += 1;
        }
    }
    // Same-length licenses: splices at matching blocks parse, and only
    // the digest refuses them.
    assert!(digest >= 4, "{digest} refused by the digest");
    assert_eq!(candidates.len(), 62);
    assert_eq!(digest + not_json, 62, "{digest} + {not_json}");
}

/// The issue's case: an expired license bound to HW-9 with block 1 cut
/// out verified as unexpiring. Now it is refused.
#[test]
fn the_expired_license_with_a_block_cut_out_is_refused() {
    let license = format!(
        "{{\"license_key\":\"LIC-EXP\",\"hardware_id\":\"HW-9\",\"note\":\"{}\",\"expires_at\":\"2024-01-31\"}}",
        "n".repeat(321)
    );
    let file = issue(&license, &["--key", PRIVATE]);
    let args = [
        "license",
        "verify",
        "--key",
        PUBLIC,
        "--hardware-id",
        "HW-9",
    ];
    let o = respsig(&args, &file);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the license expired at 1706745599"));
    let blocks = b64_decode(std::str::from_utf8(&file).unwrap());
    assert_eq!(blocks.len(), 3 * 256);
    let cut = [&blocks[..256], &blocks[512..]].concat();
    let o = respsig(&args, b64_encode(&cut).as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let message = stderr(&o);
    assert!(
        message == MISMATCH || message.starts_with(NOT_JSON),
        "{message}"
    );
}

const SHA512_FILE: &str = "testdata/license/php-signed-sha512.json";

/// A PHP-made RSA-SHA512 signed-JSON license: `--hash sha512` reads it
/// (and PHP still makes the same bytes); without it, it is refused with a
/// pointer to `--hash`; tampered, it is refused with `--hash` too.
#[test]
fn license_verify_hash_sha512_reads_a_php_made_license() {
    let fixture = testdata("license/php-signed-sha512.json");
    if let Some(php) = php() {
        let o = Command::new(php)
            .arg("testdata/license/make_sha512.php")
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success());
        assert_eq!(o.stdout, fixture);
    }
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            PUBLIC,
            "--hash",
            "sha512",
            SHA512_FILE,
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::str::from_utf8(&fixture).unwrap();
    let license = &text["{\"license\":".len()..text.find(",\"signature\"").unwrap()];
    assert_eq!(o.stdout, format!("{license}\n").into_bytes());
    let fingerprint = "sha256:"; // followed by the key's fingerprint
    assert!(
        stderr(&o).starts_with(&format!(
            "respsig: signed-JSON license {SHA512_FILE} verified: key `product` (RSA-2048, SHA-512, {fingerprint}"
        )),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).ends_with("), license key LIC-2024-SHA512\n"));

    // The key configured with SHA-256 (the default): refused, and the
    // message says how to name the hash.
    let o = respsig(&["license", "verify", "--key", PUBLIC, SHA512_FILE], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: bad signature: it does not verify under any configured key of that name; it was altered, or signed by another key; or it was signed with SHA-384 or SHA-512 (RSA keys verify with SHA-256 unless --hash says otherwise)\n"
    );
    // SHA-384 is a third hash: refused too.
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            PUBLIC,
            "--hash",
            "sha384",
            SHA512_FILE,
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));

    // Tampered: one letter of the license key, then one of the signature.
    let tampered = text.replacen("LIC-2024-SHA512", "LIC-2024-SHA513", 1);
    let sig_at = text.find("\"signature\":\"").unwrap() + 20;
    let mut sig_tampered = text.as_bytes().to_vec();
    sig_tampered[sig_at] = if sig_tampered[sig_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    for bad in [tampered.into_bytes(), sig_tampered] {
        let o = respsig(
            &["license", "verify", "--key", PUBLIC, "--hash", "sha512"],
            &bad,
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(o.stdout.is_empty());
        assert_eq!(
            stderr(&o),
            "respsig: refused: bad signature: it does not verify under any configured key of that name; it was altered, or signed by another key\n"
        );
    }
}

/// `license issue --format json --hash sha512` writes, byte for byte, what
/// PHP's `openssl_sign(..., OPENSSL_ALGO_SHA512)` wrote; `--hash` with a
/// `.lic` or an Ed25519 key is a usage error.
#[test]
fn license_issue_hash_signs_as_php_does() {
    let fixture = String::from_utf8(testdata("license/php-signed-sha512.json")).unwrap();
    let license = &fixture["{\"license\":".len()..fixture.find(",\"signature\"").unwrap()];
    let file = issue(
        license,
        &["--key", PRIVATE, "--format", "json", "--hash", "sha512"],
    );
    assert_eq!(String::from_utf8(file).unwrap(), fixture);

    let o = respsig(
        &["license", "issue", "--key", PRIVATE, "--hash", "sha512"],
        license.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --hash applies to --format json: a .lic file has no hash, its RSA blocks carry the license itself\n"
    );
    let o = respsig(
        &[
            "license", "issue", "--key", ED_PRIVATE, "--format", "json", "--hash", "sha512",
        ],
        license.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --hash sha512: key `product` is an Ed25519 key, whose hash is part of the algorithm; --hash applies to RSA keys only, leave it out\n"
    );
}

/// Ed25519 keys on the license path: described as Ed25519 on issue and
/// verify, never as RSA; a wrong-length signature names no modulus; a
/// `.lic` with only an Ed25519 key says that a `.lic` needs an RSA key;
/// `license issue` of a `.lic` with an Ed25519 key says the same.
#[test]
fn ed25519_keys_on_the_license_path() {
    let license = "{\"license_key\":\"LIC-ED-1\",\"expires_at\":\"2099-01-31\"}";
    let o = respsig(
        &["license", "issue", "--key", ED_PRIVATE, "--format", "json"],
        license.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let issued = stderr(&o);
    assert!(
        issued.starts_with("respsig: signed-JSON license for standard input written under key `product` (Ed25519, sha256:"),
        "{issued}"
    );
    let file = o.stdout;
    let o = respsig(&["license", "verify", "--key", ED_PUBLIC], &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, format!("{license}\n").into_bytes());
    let verified = stderr(&o);
    assert!(
        verified.starts_with(
            "respsig: signed-JSON license standard input verified: key `product` (Ed25519, sha256:"
        ),
        "{verified}"
    );
    for message in [&issued, &verified] {
        assert!(!message.contains("RSA"), "{message}");
    }
    // --hash with only Ed25519 keys is a usage error.
    let o = respsig(
        &["license", "verify", "--key", ED_PUBLIC, "--hash", "sha512"],
        &file,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "respsig: error: --hash sha512: every --key is an Ed25519 key, whose hash is part of the algorithm; --hash applies to RSA keys only, leave it out\n"
    );

    // An RSA signature (256 bytes) under an Ed25519 key.
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            ED_PUBLIC,
            "testdata/license/php-signed-compact.json",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: the signature is 256 bytes, but a signature under the key is 64 bytes\n"
    );

    // A .lic file with only an Ed25519 key.
    let o = respsig(
        &[
            "license",
            "verify",
            "--key",
            ED_PUBLIC,
            "--hardware-id",
            "HW-1234",
            "testdata/license/openssl-2048.lic",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "respsig: refused: license refused: a .lic file is RSA blocks, and no RSA key is configured under that name; give the RSA public key the .lic file was written with\n"
    );

    // Writing a .lic with an Ed25519 key.
    let o = respsig(
        &["license", "issue", "--key", ED_PRIVATE],
        license.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    let message = stderr(&o);
    assert!(
        message.starts_with("respsig: error: testdata/keys/ed25519.pem: ")
            && message.ends_with(
                "an Ed25519 key cannot write a .lic file, which is RSA blocks (it can sign a signed-JSON license)\n"
            ),
        "{message}"
    );
    assert!(!message.contains("rsa crate"), "{message}");
}
