//! The license writer (feature `license-writer`), checked against what the
//! OpenSSL CLI and PHP wrote (`testdata/license/make.py`), and read back by
//! PHP's `openssl_public_decrypt` and `openssl rsautl -verify`.
#![cfg(feature = "license-writer")]

use std::ffi::OsStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Error, FixedClock, INTEGRITY_MEMBER, KeyProblem, Keyring, LicensePolicy, LicenseProblem,
    LicenseWriter, Member, Problem, PublicKey, Snippet, canonical,
};
use serde_json::{Value, json};

use crate::common;

fn writer(rel: &str) -> LicenseWriter {
    LicenseWriter::from_pem(&common::text(rel)).unwrap()
}

/// The machine the test licenses are bound to, on 2026-01-01.
fn policy() -> LicensePolicy {
    LicensePolicy::new()
        .hardware_id("HW-1234")
        .clock(FixedClock::at(1_767_225_600))
}

fn reader(pub_rel: &str) -> Keyring {
    Keyring::new()
        .with("product", common::public(pub_rel))
        .unwrap()
}

/// A license longer than `blocks` blocks of a `k`-byte key, with unicode,
/// escapes and numbers of every kind the canonical writer handles.
fn long_license(min_bytes: usize) -> Value {
    let mut features = Vec::new();
    let mut license = json!({
        "license_key": "LIC-ROUND-TRIP",
        "product_uuid": "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f",
        "hardware_id": "HW-1234",
        "domain": "example.com",
        "expires_at": 2_082_758_399,
        "licenseCheckInterval": 7,
        "forceLicenseValidation": 30,
        "customer": {"name": "Zoë Ünïcødé 株式会社 😀", "note": "a/b \"quoted\" \\ tab\t"},
        "ratio": 0.1,
        "big": 1e300,
    });
    let mut i = 0;
    while canonical::to_vec(&license).len() < min_bytes {
        features.push(json!(format!("feature-{i:04}")));
        license["features"] = Value::Array(features.clone());
        i += 1;
    }
    license
}

/// `json` with the integrity member inserted before its final `}`, the
/// digest computed here from its definition: SHA-256 (ring) of the
/// canonical bytes of the license as read.
fn with_member(json: &[u8]) -> Vec<u8> {
    let value = canonical::read(json).unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, &canonical::to_vec(&value));
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let end = json.iter().rposition(|&b| b == b'}').unwrap();
    let comma = if value.as_object().unwrap().is_empty() {
        ""
    } else {
        ","
    };
    [
        &json[..end],
        format!("{comma}\"{INTEGRITY_MEMBER}\":\"{hex}\"").as_bytes(),
        &json[end..],
    ]
    .concat()
}

#[test]
fn output_is_byte_for_byte_what_openssl_and_php_wrote() {
    // Type-1 padding is deterministic, so for the same bytes and key each
    // block before the integrity member must be identical to the ones
    // OpenSSL and PHP made, and the text must be theirs plus the member.
    for (json, lic, key) in [
        (
            "license/openssl-2048.json",
            "license/openssl-2048.lic",
            "keys/rsa2048.pem",
        ),
        (
            "license/openssl-2048-long.json",
            "license/openssl-2048-long.lic",
            "keys/rsa2048.pem",
        ),
        (
            "license/openssl-2048-long.json",
            "license/php-2048-long.lic",
            "keys/rsa2048.pem",
        ),
        (
            "license/openssl-4096-long.json",
            "license/openssl-4096-long.lic",
            "keys/rsa4096.pem",
        ),
    ] {
        let json = common::bytes(json);
        let w = writer(key);
        let k = w.public_key().signature_len();
        let file = w.write_json(&json).unwrap();
        let public = Keyring::new().with("p", w.public_key().clone()).unwrap();
        let verified = public.verify_license("p", &file, &policy()).unwrap();
        assert!(verified.has_integrity());
        assert_eq!(verified.signed_bytes(), with_member(&json).as_slice());
        let ours = STANDARD.decode(&file).unwrap();
        let theirs = STANDARD.decode(common::text(lic).trim_end()).unwrap();
        let same = (json.len() - 1) / (k - 11) * k;
        assert_eq!(ours[..same], theirs[..same], "{lic}");
        assert_ne!(ours[same..], theirs[same..], "{lic}");
    }
    // PKCS#1 PEM and DER keys write the same file.
    let json = common::bytes("license/openssl-2048-long.json");
    let expected = writer("keys/rsa2048.pem").write_json(&json).unwrap();
    for der in ["keys/rsa2048.der", "keys/rsa2048.rsa.der"] {
        let w = LicenseWriter::from_der(&common::bytes(der)).unwrap();
        assert_eq!(w.write_json(&json).unwrap(), expected, "{der}");
    }
    assert_eq!(
        writer("keys/rsa2048.rsa.pem").write_json(&json).unwrap(),
        expected
    );
}

#[test]
fn round_trips_at_2048_and_4096_bits_over_several_blocks() {
    for (key, public, k) in [
        ("keys/rsa2048.pem", "keys/rsa2048.pub.pem", 256),
        ("keys/rsa4096.pem", "keys/rsa4096.pub.pem", 512),
    ] {
        let w = writer(key);
        assert_eq!(w.public_key(), &common::public(public));
        // One block exactly full, one byte over, and several blocks.
        for size in [k - 11, k - 10, 4 * k] {
            let license = long_license(size);
            let bytes = with_member(&canonical::to_vec(&license));
            let file = w.write(&license).unwrap();
            let blocks = bytes.len().div_ceil(k - 11);
            assert_eq!(STANDARD.decode(&file).unwrap().len(), blocks * k);
            let verified = reader(public)
                .verify_license("product", &file, &policy())
                .unwrap();
            assert_eq!(verified.signed_bytes(), bytes.as_slice());
            let mut read = verified.value().clone();
            read.as_object_mut().unwrap().shift_remove(INTEGRITY_MEMBER);
            assert_eq!(read, license);
            let parsed: respsig::License = verified.deserialize().unwrap();
            assert_eq!(parsed.license_key, "LIC-ROUND-TRIP");
        }
        // A payload of exactly k - 11 bytes with the member (94 bytes) is
        // one block; one byte more is two.
        let exact = format!("{{\"license_key\":\"{}\"}}", "x".repeat(k - 11 - 18 - 94));
        assert_eq!(with_member(exact.as_bytes()).len(), k - 11);
        let file = w.write_json(exact.as_bytes()).unwrap();
        assert_eq!(STANDARD.decode(&file).unwrap().len(), k);
        let one_more = exact.replace("\"}", "x\"}");
        let file = w.write_json(one_more.as_bytes()).unwrap();
        assert_eq!(STANDARD.decode(&file).unwrap().len(), 2 * k);
    }
}

/// PHP reads each block with `openssl_public_decrypt`, the way the official
/// PHP SDK reads a license file.
#[test]
fn php_openssl_public_decrypt_reads_what_the_writer_wrote() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    const SCRIPT: &str = r#"
$key = openssl_pkey_get_public(file_get_contents($argv[1]));
$k = openssl_pkey_get_details($key)['bits'] / 8;
$raw = base64_decode(stream_get_contents(STDIN), true);
$out = '';
foreach (str_split($raw, $k) as $block) {
    if (!openssl_public_decrypt($block, $data, $key)) { fwrite(STDERR, "block refused\n"); exit(1); }
    $out .= $data;
}
echo $out;
"#;
    for (key, public) in [
        ("keys/rsa2048.pem", "keys/rsa2048.pub.pem"),
        ("keys/rsa4096.pem", "keys/rsa4096.pub.pem"),
    ] {
        let license = long_license(1500);
        let file = writer(key).write(&license).unwrap();
        let key = common::path(public);
        let out = common::run(
            php,
            &["-r".as_ref(), SCRIPT.as_ref(), key.as_os_str()],
            file.as_bytes(),
        );
        assert!(out.status.success(), "{public}");
        assert_eq!(
            out.stdout,
            with_member(&canonical::to_vec(&license)),
            "{public}"
        );
    }
}

/// `openssl rsautl -verify` (the public-key operation and type-1 unpadding)
/// on each block.
#[test]
fn openssl_rsautl_verify_reads_each_block() {
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let license = long_license(1200);
    let file = writer("keys/rsa4096.pem").write(&license).unwrap();
    let raw = STANDARD.decode(&file).unwrap();
    let mut recovered = Vec::new();
    for block in raw.chunks(512) {
        let key = common::path("keys/rsa4096.pub.pem");
        let args = ["rsautl", "-verify", "-pubin", "-inkey"].map(OsStr::new);
        let out = common::run(openssl, &[&args[..], &[key.as_os_str()]].concat(), block);
        assert!(out.status.success());
        recovered.extend_from_slice(&out.stdout);
    }
    assert_eq!(recovered, with_member(&canonical::to_vec(&license)));
}

#[test]
fn every_single_byte_change_of_a_written_file_is_refused_at_its_block() {
    let file = writer("keys/rsa2048.pem")
        .write(&long_license(600))
        .unwrap();
    let raw = STANDARD.decode(&file).unwrap();
    assert_eq!(raw.len(), 3 * 256);
    let ring = reader("keys/rsa2048.pub.pem");
    for pos in 0..raw.len() {
        for flip in [0x01u8, 0x80] {
            let mut changed = raw.clone();
            changed[pos] ^= flip;
            let block = pos / 256;
            let err = ring
                .verify_license("product", STANDARD.encode(&changed), &policy())
                .unwrap_err();
            assert!(
                err == Error::License(LicenseProblem::Padding { block })
                    || err == Error::License(LicenseProblem::BlockOutOfRange { block }),
                "byte {pos} ^ {flip:#x}: {err:?}"
            );
        }
    }
    // Each character of the text, replaced by another base64 character.
    let text = file.as_bytes();
    for pos in 0..text.len() {
        let mut changed = text.to_vec();
        changed[pos] = if text[pos] == b'A' { b'B' } else { b'A' };
        let err = ring
            .verify_license("product", &changed, &policy())
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::License(_)
                    | Error::Malformed {
                        member: Member::LicenseFile,
                        problem: Problem::Base64
                    }
            ),
            "char {pos}: {err:?}"
        );
    }
}

#[test]
fn truncated_written_file_is_refused() {
    let file = writer("keys/rsa2048.pem")
        .write(&long_license(600))
        .unwrap();
    let raw = STANDARD.decode(&file).unwrap();
    let ring = reader("keys/rsa2048.pub.pem");
    // A whole block dropped from the end: the JSON is cut off.
    let short = STANDARD.encode(&raw[..2 * 256]);
    assert_eq!(
        ring.verify_license("product", short, &policy())
            .unwrap_err(),
        Error::License(LicenseProblem::Json {
            problem: Problem::Syntax {
                offset: 490,
                expected: "`\"` closing the string"
            }
        })
    );
    // Cut inside a block.
    let cut = STANDARD.encode(&raw[..2 * 256 + 100]);
    assert_eq!(
        ring.verify_license("product", cut, &policy()).unwrap_err(),
        Error::License(LicenseProblem::Length { len: 612 })
    );
}

fn json_problem(problem: Problem) -> Error {
    Error::License(LicenseProblem::Json { problem })
}

#[test]
fn the_writer_refuses_what_the_reader_would_refuse() {
    let w = writer("keys/rsa2048.pem");
    assert_eq!(
        w.write(&json!(["not", "an", "object"])).unwrap_err(),
        json_problem(Problem::NotAnObject)
    );
    assert_eq!(
        w.write_json(b"[1,2]").unwrap_err(),
        json_problem(Problem::NotAnObject)
    );
    assert_eq!(
        w.write_json(b"{\"a\":1,\"a\":2}").unwrap_err(),
        json_problem(Problem::DuplicateKey {
            key: Snippet::new("a")
        })
    );
    assert_eq!(
        w.write_json(b"{\"a\":").unwrap_err(),
        json_problem(Problem::Syntax {
            offset: 5,
            expected: "a JSON value"
        })
    );
    assert_eq!(
        w.write_json(b"{\"a\":\"\xff\"}").unwrap_err(),
        json_problem(Problem::InvalidUtf8 { offset: 6 })
    );
    // A license that already has the integrity member would have it twice.
    let twice = format!("{{\"{INTEGRITY_MEMBER}\":\"x\"}}");
    assert_eq!(
        w.write_json(twice.as_bytes()).unwrap_err(),
        json_problem(Problem::DuplicateKey {
            key: Snippet::new(INTEGRITY_MEMBER)
        })
    );
    // Too deep for the reader's default depth (128).
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    assert_eq!(
        w.write_json(deep.as_bytes()).unwrap_err(),
        json_problem(Problem::TooDeep { limit: 128 })
    );
    // A file over the reader's 1 MiB limit is refused before any
    // private-key work.
    let big = format!("{{\"a\":\"{}\"}}", "x".repeat(800_000));
    // 800,008 bytes: 3,266 blocks of 256 bytes, 1,114,796 base64 characters.
    assert_eq!(
        w.write_json(big.as_bytes()).unwrap_err(),
        Error::TooLarge {
            len: 1_114_796,
            limit: 1 << 20
        }
    );
}

#[test]
fn keys_load_under_the_signing_key_rules() {
    // Too small: the same error as SigningKey gives.
    let small = common::text("keys/rsa1024.pem");
    assert_eq!(
        LicenseWriter::from_pem(&small).unwrap_err(),
        respsig::SigningKey::from_pem(&small).unwrap_err()
    );
    // A public key is not a private key.
    assert!(matches!(
        LicenseWriter::from_pem(&common::text("keys/rsa2048.pub.pem")).unwrap_err(),
        Error::KeyRejected(KeyProblem::PemLabel { .. })
    ));
    assert!(LicenseWriter::from_der(b"\x30\x03\x02\x01\x00").is_err());
    // Debug names the public key only.
    let w = writer("keys/rsa2048.pem");
    let debug = format!("{w:?}");
    let public = PublicKey::from_pem(&common::text("keys/rsa2048.pub.pem")).unwrap();
    assert_eq!(debug, format!("LicenseWriter {{ public: {public:?}, .. }}"));
}
