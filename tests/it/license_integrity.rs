//! Splicing, reordering and repeating the blocks of `.lic` files: what the
//! reader can tell without the integrity member (files as the server writes
//! them, made by PHP in `testdata/license/make.py`) and with it (files the
//! crate writes); a license standing in for a server answer; and PHP doing
//! what the SDK's `parseLicenseFile` does on the crate's files.
#![cfg(feature = "license-writer")]
use crate::common;
use respsig::Policy;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Error, FixedClock, INTEGRITY_MEMBER, Keyring, License, LicensePolicy, LicenseProblem,
    LicenseWriter, Member, Problem, SigningKey, UnixTime, canonical,
};
use serde_json::json;

/// 2026-01-01 00:00:00 UTC.
const NOW: i64 = 1_767_225_600;

/// The machine `hardware_id`, at `now`.
fn bound_to(hardware_id: &str, now: i64) -> LicensePolicy {
    LicensePolicy::new()
        .hardware_id(hardware_id)
        .clock(FixedClock::at(now))
}

/// Before the attacker's license expired (2020-01-01).
const BEFORE_2020: i64 = 1_500_000_000;

fn keyring() -> Keyring {
    Keyring::new()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap()
}

/// The blocks of a `.lic` file.
type Blocks = Vec<Vec<u8>>;

/// The blocks (256 bytes each) of a `.lic` file.
fn blocks(file: &str) -> Blocks {
    STANDARD
        .decode(file.trim_end())
        .unwrap()
        .chunks(256)
        .map(<[u8]>::to_vec)
        .collect()
}

fn join(blocks: &[&[u8]]) -> String {
    STANDARD.encode(blocks.concat())
}

/// The two server-style files (no integrity member), and the same two
/// licenses written by the crate (with it).
fn files() -> ([Blocks; 2], [Blocks; 2]) {
    let writer = LicenseWriter::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let server = ["attacker", "someone"]
        .map(|who| blocks(&common::text(&format!("license/splice-{who}.lic"))));
    let ours = ["attacker", "someone"].map(|who| {
        let json = common::bytes(&format!("license/splice-{who}.json"));
        blocks(&writer.write_json(&json).unwrap())
    });
    for file in server.iter().chain(&ours) {
        assert_eq!(file.len(), 4);
    }
    (server, ours)
}

fn mismatch() -> Error {
    Error::License(LicenseProblem::IntegrityMismatch)
}

/// The attack of the issue: block 0 of my expired license, blocks 1-3 of
/// someone else's. Without the member the reader cannot tell; with it the
/// file is refused.
#[test]
fn splice_of_two_files() {
    let ([attacker, someone], [our_attacker, our_someone]) = files();
    let ring = keyring();

    // Server files: the spliced file opens, parses, and mixes the two.
    let spliced = join(&[&attacker[0], &someone[1], &someone[2], &someone[3]]);
    let check = bound_to("HW-ATTACKER", NOW);
    let verified = ring.verify_license("product", &spliced, &check).unwrap();
    assert!(!verified.has_integrity());
    let license: License = verified.deserialize().unwrap();
    assert_eq!(license.license_key, "LIC-ATTACKER-0001");
    assert_eq!(license.hardware_id.as_deref(), Some("HW-ATTACKER"));
    assert_eq!(
        license.expires_at,
        Some(respsig::Expiry::Text("2035-12-31".into()))
    );
    assert_eq!(verified.license(), &license);
    // The genuine file of the attacker is expired.
    let genuine = join(&attacker.iter().map(Vec::as_slice).collect::<Vec<_>>());
    assert_eq!(
        ring.verify_license("product", &genuine, &check)
            .unwrap_err(),
        Error::License(LicenseProblem::Expired {
            expired_at: UnixTime::from_secs(1_577_923_199),
            now: UnixTime::from_secs(NOW)
        })
    );
    // All the reader can do for such files is refuse them outright.
    assert_eq!(
        ring.verify_license("product", &spliced, &check.clone().require_integrity(true))
            .unwrap_err(),
        Error::License(LicenseProblem::IntegrityMissing)
    );

    // The crate's files: refused, both ways round, with the integrity error.
    for (first, rest) in [(&our_attacker, &our_someone), (&our_someone, &our_attacker)] {
        let spliced = join(&[&first[0], &rest[1], &rest[2], &rest[3]]);
        assert_eq!(
            ring.verify_license("product", &spliced, &check)
                .unwrap_err(),
            mismatch()
        );
        // Only the last block swapped: the member comes from the other file.
        let spliced = join(&[&first[0], &first[1], &first[2], &rest[3]]);
        assert_eq!(
            ring.verify_license("product", &spliced, &check)
                .unwrap_err(),
            mismatch()
        );
    }
    // A splice of a crate file with a server file that keeps the server's
    // last block (no member) is a file without the member.
    let spliced = join(&[&our_attacker[0], &someone[1], &someone[2], &someone[3]]);
    assert!(
        !ring
            .verify_license("product", &spliced, &check)
            .unwrap()
            .has_integrity()
    );
    assert_eq!(
        ring.verify_license("product", &spliced, &check.clone().require_integrity(true))
            .unwrap_err(),
        Error::License(LicenseProblem::IntegrityMissing)
    );
}

/// Blocks 1 and 2 lie wholly inside the `note` string: swapped or repeated,
/// the JSON still parses.
#[test]
fn reordered_and_repeated_blocks() {
    let ([server, _], [ours, _]) = files();
    let ring = keyring();
    let note = |text: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["note"].as_str().unwrap().to_owned()
    };
    let original = note(&common::text("license/splice-attacker.json"));
    let policy = bound_to("HW-ATTACKER", BEFORE_2020);

    // Swapped: a server file verifies with another note; ours is refused.
    let swapped = join(&[&server[0], &server[2], &server[1], &server[3]]);
    let verified = ring.verify_license("product", &swapped, &policy).unwrap();
    let changed = note(std::str::from_utf8(verified.signed_bytes()).unwrap());
    assert_eq!(changed.len(), original.len());
    assert_ne!(changed, original);
    let swapped = join(&[&ours[0], &ours[2], &ours[1], &ours[3]]);
    assert_eq!(
        ring.verify_license("product", &swapped, &policy)
            .unwrap_err(),
        mismatch()
    );

    // Block 1 twice in place of block 2: the same.
    let repeated = join(&[&server[0], &server[1], &server[1], &server[3]]);
    let verified = ring.verify_license("product", &repeated, &policy).unwrap();
    assert_ne!(
        note(std::str::from_utf8(verified.signed_bytes()).unwrap()),
        original
    );
    let repeated = join(&[&ours[0], &ours[1], &ours[1], &ours[3]]);
    assert_eq!(
        ring.verify_license("product", &repeated, &policy)
            .unwrap_err(),
        mismatch()
    );

    // Where the JSON breaks, both kinds fail as JSON: block 0 moved...
    // (849 bytes of license text; 943 with the 94-byte member.)
    for (file, len) in [(&server, 849), (&ours, 943)] {
        let moved = join(&[&file[1], &file[0], &file[2], &file[3]]);
        assert_eq!(
            ring.verify_license("product", &moved, &policy).unwrap_err(),
            Error::License(LicenseProblem::Json {
                problem: Problem::Syntax {
                    offset: 0,
                    expected: "a JSON value"
                }
            })
        );
        // ...or the whole file twice.
        let twice = join(&[
            &file[0], &file[1], &file[2], &file[3], &file[0], &file[1], &file[2], &file[3],
        ]);
        assert_eq!(
            ring.verify_license("product", &twice, &policy).unwrap_err(),
            Error::License(LicenseProblem::Json {
                problem: Problem::Syntax {
                    offset: len,
                    expected: "end of input"
                }
            })
        );
    }
}

/// Files whose integrity member is there but wrong, made block by block
/// with the rsa crate (type-1 padding, as the writer and PHP do).
#[test]
fn a_wrong_or_malformed_member_is_refused() {
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let write = |text: &str| -> String {
        let mut out = Vec::new();
        for chunk in text.as_bytes().chunks(245) {
            out.extend(
                key.sign(rsa::Pkcs1v15Sign::new_unprefixed(), chunk)
                    .unwrap(),
            );
        }
        STANDARD.encode(out)
    };
    let body = r#"{"license_key":"LIC-1","hardware_id":"HW-1"}"#;
    let digest = |text: &str| -> String {
        let v = canonical::read(text.as_bytes()).unwrap();
        let d = ring::digest::digest(&ring::digest::SHA256, &canonical::to_vec(&v));
        d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    };
    let good = digest(body);
    let with = |member: &str| {
        format!(
            "{},\"{INTEGRITY_MEMBER}\":{member}}}",
            &body[..body.len() - 1]
        )
    };
    let ring = keyring();
    let policy = bound_to("HW-1", NOW);
    // The right digest: accepted (so the files below differ only in it).
    let ok = ring
        .verify_license("product", write(&with(&format!("\"{good}\""))), &policy)
        .unwrap();
    assert!(ok.has_integrity());
    for (member, problem) in [
        (
            format!("\"{}\"", digest("{}")),
            LicenseProblem::IntegrityMismatch,
        ),
        (
            format!("\"{}\"", good.to_uppercase()),
            LicenseProblem::IntegrityMalformed,
        ),
        (
            format!("\"{}\"", &good[..63]),
            LicenseProblem::IntegrityMalformed,
        ),
        ("\"\"".to_owned(), LicenseProblem::IntegrityMalformed),
        ("null".to_owned(), LicenseProblem::IntegrityMalformed),
        ("1".to_owned(), LicenseProblem::IntegrityMalformed),
    ] {
        assert_eq!(
            ring.verify_license("product", write(&with(&member)), &policy)
                .unwrap_err(),
            Error::License(problem),
            "{member}"
        );
    }
    // The digest is over the license as read, without the member: where
    // the member stands, blanks and escapes in the file do not matter; the
    // order of the other members does (it is part of the canonical bytes).
    let spaced = format!(
        "{{ \"{INTEGRITY_MEMBER}\" : \"{good}\", \"license_key\" : \"LIC-1\", \"hardware_id\" : \"HW\\u002d1\" }}"
    );
    assert!(
        ring.verify_license("product", write(&spaced), &policy)
            .unwrap()
            .has_integrity()
    );
    let reordered = format!(
        "{{\"hardware_id\":\"HW-1\",\"license_key\":\"LIC-1\",\"{INTEGRITY_MEMBER}\":\"{good}\"}}"
    );
    assert_eq!(
        ring.verify_license("product", write(&reordered), &policy)
            .unwrap_err(),
        mismatch()
    );
}

/// A license written under `global` that looks like a key-distribution
/// answer (code 632, a public key) is a license, not a server answer: the
/// envelope reader refuses it in either format, and `add_product_key` does
/// not take a `VerifiedLicense` (the compile-fail example on
/// `VerifiedLicense`).
#[test]
fn a_license_is_not_a_key_distribution_answer() {
    let server = LicenseWriter::from_pem(&common::text("keys/other2048.pem")).unwrap();
    let fake = json!({
        "code": 632,
        "message": "Public key retrieved successfully",
        "public_key": common::text("keys/rsa2048.pub.pem"),
        "product": {"uuid": "8d3f"},
        "license_key": "LIC-632",
    });
    let mut ring = Keyring::new()
        .with("global", server.public_key().clone())
        .unwrap();
    let lic = server.write(&fake).unwrap();
    let doc = SigningKey::from_pem(&common::text("keys/other2048.pem"))
        .unwrap()
        .sign_license_json(&fake)
        .unwrap();
    // Unbound and without expiry: the default policy.
    let verified = ring
        .verify_license("global", &lic, &LicensePolicy::new())
        .unwrap();
    assert_eq!(verified.key_name(), "global");
    assert_eq!(verified.value()["code"], 632);
    let verified = ring
        .verify_license("global", &doc, &LicensePolicy::new())
        .unwrap();
    assert_eq!(verified.value()["code"], 632);

    assert_eq!(
        ring.verify(&lic, &Policy::any_age()).unwrap_err(),
        Error::Malformed {
            member: Member::Envelope,
            problem: Problem::NotAnObject
        }
    );
    assert_eq!(
        ring.verify(&doc, &Policy::any_age()).unwrap_err(),
        Error::Malformed {
            member: Member::Response,
            problem: Problem::Missing
        }
    );
    // And a genuine 632 envelope under the same key is still taken.
    let signer = respsig::SigningKey::from_pem(&common::text("keys/other2048.pem")).unwrap();
    let envelope = signer.sign_envelope("global", &fake).unwrap();
    let answer = ring.verify(&envelope, &Policy::any_age()).unwrap();
    ring.add_product_key("product", &answer, Some("8d3f"))
        .unwrap();
    assert_eq!(
        ring.keys("product"),
        &[common::public("keys/rsa2048.pub.pem")]
    );
}

/// PHP doing what the SDK's `LicenseValidator::parseLicenseFile` does
/// (base64, `openssl_public_decrypt` per block of the key's size,
/// concatenate, `json_decode(..., true)`), then checking the integrity
/// member the way its definition says: SHA-256 of `json_encode` of the
/// license without it.
#[test]
fn php_parse_license_file_reads_the_crate_files() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    const SCRIPT: &str = r#"
$key = openssl_pkey_get_public(file_get_contents($argv[1]));
$chunk = openssl_pkey_get_details($key)['bits'] / 8;
$raw = base64_decode(trim(stream_get_contents(STDIN)));
$text = '';
foreach (str_split($raw, $chunk) as $block) {
    if (!openssl_public_decrypt($block, $part, $key)) { fwrite(STDERR, "block refused\n"); exit(1); }
    $text .= $part;
}
$data = json_decode($text, true);
if (!is_array($data)) { fwrite(STDERR, "not JSON\n"); exit(1); }
$member = $data['respsig_integrity_sha256'];
unset($data['respsig_integrity_sha256']);
echo $data['license_key'], ' ', $data['hardware_id'], ' ', $data['expires_at'], ' ',
    hash('sha256', json_encode($data)) === $member ? 'digest-ok' : 'digest-differs';
"#;
    let writer = LicenseWriter::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let long = json!({
        "license_key": "LIC-PHP",
        "hardware_id": "HW-1234",
        "expires_at": "2035-12-31 23:59:59",
        "url": "https://example.com/a/b",
        "customer": {"name": "Zoë 株式会社 😀", "line": "a\u{2028}b"},
        "ratio": 0.1,
        "big": 1e25,
        "features": (0..80).map(|i| format!("feature-{i}")).collect::<Vec<_>>(),
    });
    for (license, expected) in [
        (
            canonical::read(&common::bytes("license/splice-someone.json")).unwrap(),
            "LIC-SOMEONE1-0002 HW-SOMEONE1 2035-12-31 digest-ok",
        ),
        (long, "LIC-PHP HW-1234 2035-12-31 23:59:59 digest-ok"),
    ] {
        let file = writer.write(&license).unwrap();
        let key = common::path("keys/rsa2048.pub.pem");
        let out = common::run(
            php,
            &["-r".as_ref(), SCRIPT.as_ref(), key.as_os_str()],
            file.as_bytes(),
        );
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    }
}

/// The crate-written files in `testdata/license/` (the `license` fuzz
/// target's oracle) are what the writer writes today.
#[test]
fn committed_crate_files_are_the_writers_output() {
    let writer = LicenseWriter::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    for who in ["attacker", "someone"] {
        let json = common::bytes(&format!("license/splice-{who}.json"));
        assert_eq!(
            format!("{}\n", writer.write_json(&json).unwrap()),
            common::text(&format!("license/respsig-splice-{who}.lic"))
        );
    }
    let license = canonical::read(&common::bytes("license/openssl-2048.json")).unwrap();
    assert_eq!(
        format!(
            "{}\n",
            SigningKey::from_pem(&common::text("keys/rsa2048.pem"))
                .unwrap()
                .sign_license_json(&license)
                .unwrap()
        ),
        common::text("license/respsig-signed.json")
    );
}
