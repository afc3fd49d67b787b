//! Signed-JSON offline licenses: files PHP made the way the server and SDK
//! do (`testdata/license/make_json.php`), every single-byte change of one,
//! the reader's strictness, and PHP doing what the SDK's
//! `validateOfflineLicense` does on licenses the crate writes.
use crate::common;

use std::process::Command;

use std::time::Duration;

use respsig::{
    Error, Expiry, FixedClock, Hash, Keyring, License, LicenseFormat, LicensePolicy,
    LicenseProblem, Limits, Member, Problem, SigningKey, Snippet, UnixTime, canonical,
};
use serde_json::{Value, json};

fn keyring(public: &str) -> Keyring {
    Keyring::new()
        .with("product", common::public(public))
        .unwrap()
}

fn k2048() -> Keyring {
    keyring("keys/rsa2048.pub.pem")
}

fn refused(problem: LicenseProblem) -> Error {
    Error::License(problem)
}

fn document(member: Member, problem: Problem) -> Error {
    Error::Malformed { member, problem }
}

/// The machine the PHP-made licenses are bound to, on 2026-01-01 (they
/// expire at the end of 2035).
fn policy() -> LicensePolicy {
    LicensePolicy::new()
        .hardware_id("HW-1234")
        .clock(FixedClock::at(1_767_225_600))
}

/// The license every PHP-made file carries, as PHP's json_encode wrote it.
fn expected_license() -> Value {
    canonical::read(
        "{\"license_key\":\"LIC-2024-ABCD1234\",\"product_uuid\":\"8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f\",\
         \"hardware_id\":\"HW-1234\",\"domain\":\"example.com\",\"expires_at\":\"2035-12-31 23:59:59\",\
         \"download_url\":\"https://downloads.example.com/app/v2/setup.exe\",\
         \"customer\":{\"name\":\"Zo\u{eb} \u{dc}n\u{ef}c\u{f8}d\u{e9} \u{682a}\u{5f0f}\u{4f1a}\u{793e}\",\
         \"emoji\":\"\u{1f511}\u{1f600}\",\"lines\":\"first\u{2028}second\u{2029}third\",\
         \"control\":\"tab\\there \\\"quoted\\\" back\\\\slash \u{7f}\"},\
         \"price\":19.99,\"ratio\":0.1,\"big\":1.0e+25,\"small\":1.5e-7,\"whole\":100,\"negative\":-0.5,\
         \"features\":[\"reports/export\",\"api\",\"sso\"],\"licenseCheckInterval\":7,\"forceLicenseValidation\":30}"
            .as_bytes(),
    )
    .unwrap()
}

#[test]
fn php_made_licenses_verify() {
    let compact = common::bytes("license/php-signed-compact.json");
    for (file, ring, signed_suffix) in [
        ("license/php-signed-compact.json", k2048(), "}"),
        ("license/php-signed-pretty.json", k2048(), "}"),
        (
            "license/php-signed-4096-extra.json",
            keyring("keys/rsa4096.pub.pem"),
            ",\"issued\":{\"at\":1767225600,\"by\":\"server/1.0\"}}",
        ),
    ] {
        let bytes = common::bytes(file);
        assert_eq!(LicenseFormat::detect(&bytes), LicenseFormat::SignedJson);
        let verified = ring.verify_license("product", &bytes, &policy()).unwrap();
        assert_eq!(verified.format(), LicenseFormat::SignedJson);
        assert_eq!(verified.key_name(), "product");
        assert!(!verified.has_integrity());
        assert_eq!(verified.value(), &expected_license(), "{file}");
        // The signed bytes are PHP's flagged json_encode of the document
        // without `signature`: for the compact file, its own text up to the
        // signature member.
        let cut = compact
            .windows(13)
            .position(|w| w == b",\"signature\":")
            .unwrap();
        let signed = [&compact[..cut], signed_suffix.as_bytes()].concat();
        assert_eq!(
            String::from_utf8_lossy(verified.signed_bytes()),
            String::from_utf8_lossy(&signed),
            "{file}"
        );
        let license: License = verified.deserialize().unwrap();
        assert_eq!(license.hardware_id.as_deref(), Some("HW-1234"));
        assert_eq!(
            license.expires_at,
            Some(Expiry::Text("2035-12-31 23:59:59".into()))
        );
    }
}

/// Every byte of the compact file, changed by each of eight single-bit
/// flips. Each change is refused, except where the document still reads as
/// the same JSON value (serde_json decides): the signature covers PHP's
/// re-encoding, which the SDK verifies too, so a spelling the encoding
/// does not keep (`1.0E+25` for `1.0e+25`) is the same license.
#[test]
fn every_single_byte_change_is_refused() {
    let ring = k2048();
    let original = common::bytes("license/php-signed-compact.json");
    let value: Value = serde_json::from_slice(&original).unwrap();
    let (mut refused_count, mut same_value) = (0, Vec::new());
    for pos in 0..original.len() {
        for bit in 0..8 {
            let mut changed = original.clone();
            changed[pos] ^= 1 << bit;
            match ring.verify_license("product", &changed, &policy()) {
                Err(
                    Error::License(_)
                    | Error::BadSignature
                    | Error::SignatureLength { .. }
                    | Error::Malformed {
                        member:
                            Member::LicenseDocument
                            | Member::License
                            | Member::LicenseSignature
                            | Member::LicenseFile,
                        ..
                    },
                ) => refused_count += 1,
                Err(other) => panic!("byte {pos} bit {bit}: {other:?}"),
                Ok(verified) => {
                    let reread: Value = serde_json::from_slice(&changed).unwrap();
                    assert_eq!(reread, value, "byte {pos} bit {bit} accepted");
                    assert_eq!(verified.value(), &expected_license());
                    same_value.push((pos, changed[pos] as char));
                }
            }
        }
    }
    // Exactly the exponent letters of `1.0e+25` and `1.5e-7`, as `E`.
    let at = |needle: &[u8]| {
        original
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
            + 3
    };
    assert_eq!(same_value, [(at(b"1.0e+25"), 'E'), (at(b"1.5e-7"), 'E')]);
    println!(
        "{} changes: {refused_count} refused, {} the same JSON value: {same_value:?}",
        original.len() * 8,
        same_value.len()
    );
    assert_eq!(refused_count + same_value.len(), original.len() * 8);
}

/// The reader's checks, each with its exact error.
#[test]
fn strict_reading() {
    let ring = k2048();
    let good = common::text("license/php-signed-compact.json");
    let (body, signature) = {
        let cut = good.find(",\"signature\":").unwrap();
        (
            &good[..cut],
            good[cut + 14..].trim_end().trim_end_matches("\"}"),
        )
    };
    let doc = |license_part: &str, signature_part: &str| {
        format!("{license_part},\"signature\":{signature_part}}}")
    };
    let sig = format!("\"{signature}\"");
    assert!(
        ring.verify_license("product", doc(body, &sig), &policy())
            .is_ok()
    );

    let cases: Vec<(String, Error)> = vec![
        // Not JSON, not an object, duplicates at any depth, too deep.
        // What does not start with `{` is not read as a document at all:
        // the format is detected by content, and it is read as a `.lic`.
        ("".into(), refused(LicenseProblem::Empty)),
        ("[1]".into(), document(Member::LicenseFile, Problem::Base64)),
        // A document that does not parse, and one that is not an object.
        (
            "{".into(),
            document(
                Member::LicenseDocument,
                Problem::Syntax {
                    offset: 1,
                    expected: "a string key",
                },
            ),
        ),
        ("{}".into(), document(Member::License, Problem::Missing)),
        (
            doc(body, &format!("{sig},\"signature\":{sig}")),
            document(
                Member::LicenseDocument,
                Problem::DuplicateKey {
                    key: Snippet::new("signature"),
                },
            ),
        ),
        (
            doc(
                &body.replacen("\"api\"", "\"api\"],\"features\":[\"x\"", 1),
                &sig,
            ),
            document(
                Member::LicenseDocument,
                Problem::DuplicateKey {
                    key: Snippet::new("features"),
                },
            ),
        ),
        (
            doc(
                &body.replacen("\"domain\":", "\"domain\":\"x\",\"domain\":", 1),
                &sig,
            ),
            document(
                Member::LicenseDocument,
                Problem::DuplicateKey {
                    key: Snippet::new("domain"),
                },
            ),
        ),
        (
            format!(
                "{{\"license\":{{\"a\":{}1{}}},\"signature\":\"\"}}",
                "[".repeat(200),
                "]".repeat(200)
            ),
            document(Member::LicenseDocument, Problem::TooDeep { limit: 128 }),
        ),
        // The two members.
        (
            format!("{{\"signature\":{sig}}}"),
            document(Member::License, Problem::Missing),
        ),
        (
            format!("{{\"license\":[],\"signature\":{sig}}}"),
            document(Member::License, Problem::NotAnObject),
        ),
        (
            format!("{{\"license\":\"x\",\"signature\":{sig}}}"),
            document(Member::License, Problem::NotAnObject),
        ),
        (
            format!("{body}}}"),
            document(Member::LicenseSignature, Problem::Missing),
        ),
        (
            doc(body, "null"),
            document(Member::LicenseSignature, Problem::NotAString),
        ),
        (
            doc(body, "1"),
            document(Member::LicenseSignature, Problem::NotAString),
        ),
        // Strict base64 of exactly the modulus length.
        (
            doc(body, &sig.replace('+', "-").replace('/', "_")),
            document(Member::LicenseSignature, Problem::Base64),
        ),
        (
            doc(body, &format!("\"{}\"", signature.trim_end_matches('='))),
            document(Member::LicenseSignature, Problem::Base64),
        ),
        (
            doc(body, &format!("\" {signature}\"")),
            document(Member::LicenseSignature, Problem::Base64),
        ),
        (
            doc(
                body,
                &format!("\"{}\\n{}\"", &signature[..64], &signature[64..]),
            ),
            document(Member::LicenseSignature, Problem::Base64),
        ),
        (
            doc(body, "\"\""),
            Error::SignatureLength {
                got: 0,
                expected: 256,
            },
        ),
        (
            doc(body, "\"AAAA\""),
            Error::SignatureLength {
                got: 3,
                expected: 256,
            },
        ),
        (
            doc(body, &format!("\"{signature}AAAA\"")),
            document(Member::LicenseSignature, Problem::Base64),
        ),
        (
            doc(body, &format!("\"{}AAA=\"", "A".repeat(680))),
            Error::SignatureLength {
                got: 512,
                expected: 256,
            },
        ),
        // PHP would re-encode these objects as arrays.
        (
            doc(
                &body.replacen("\"customer\":{", "\"empty\":{},\"customer\":{", 1),
                &sig,
            ),
            refused(LicenseProblem::ReadsAsPhpList),
        ),
        (
            doc(
                &body.replacen(
                    "\"customer\":{",
                    "\"listy\":{\"0\":\"a\",\"1\":\"b\"},\"customer\":{",
                    1,
                ),
                &sig,
            ),
            refused(LicenseProblem::ReadsAsPhpList),
        ),
        // Anything else changed: the signature.
        (
            doc(&body.replacen("HW-1234", "HW-1235", 1), &sig),
            Error::BadSignature,
        ),
        (
            doc(&body.replacen("\"domain\":\"example.com\",", "", 1), &sig),
            Error::BadSignature,
        ),
        (
            format!("{{\"x\":1,{}", &doc(body, &sig)[1..]),
            Error::BadSignature,
        ),
        // Members in another order are other signed bytes.
        (
            doc(
                &format!("{{\"license\":{}", &body[11..])
                    .replacen(
                        "\"license_key\":\"LIC-2024-ABCD1234\",\"product_uuid\"",
                        "\"product_uuid\"",
                        1,
                    )
                    .replacen(
                        "\"hardware_id\"",
                        "\"license_key\":\"LIC-2024-ABCD1234\",\"hardware_id\"",
                        1,
                    ),
                &sig,
            ),
            Error::BadSignature,
        ),
    ];
    for (input, expected) in &cases {
        assert_eq!(
            ring.verify_license("product", input, &policy())
                .as_ref()
                .unwrap_err(),
            expected,
            "{input:.120}"
        );
    }
    println!("{} malformed documents refused", cases.len());

    // The key name comes from the caller, the hash from the key.
    assert_eq!(
        ring.verify_license("global", &good, &policy()).unwrap_err(),
        Error::UnknownKeyName {
            name: Snippet::new("global")
        }
    );
    let sha512 = Keyring::new()
        .with(
            "product",
            common::public("keys/rsa2048.pub.pem").with_hash(Hash::Sha512),
        )
        .unwrap();
    assert_eq!(
        sha512
            .verify_license("product", &good, &policy())
            .unwrap_err(),
        Error::BadSignature
    );
    let other = keyring("keys/other2048.pub.pem");
    assert_eq!(
        other
            .verify_license("product", &good, &policy())
            .unwrap_err(),
        Error::BadSignature
    );
    // Size limit first.
    let small = policy().limits(Limits::new().max_input_bytes(100));
    assert_eq!(
        ring.verify_license("product", &good, &small).unwrap_err(),
        Error::TooLarge {
            len: good.len(),
            limit: 100
        }
    );
    // require_integrity concerns .lic files only.
    let strict = policy().require_integrity(true);
    assert!(ring.verify_license("product", &good, &strict).is_ok());
}

/// PHP's `json_decode($text, true)` makes `{}` and `{"0":..,"1":..}` lists,
/// which `json_encode` writes as arrays: why the reader refuses them.
#[test]
fn php_reencodes_list_keyed_objects_as_arrays() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let out = Command::new(php)
        .args([
            "-r",
            r#"echo json_encode(json_decode('{"a":{},"b":{"0":"x","1":"y"},"c":{"1":"x","0":"y"}}', true));"#,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        r#"{"a":[],"b":["x","y"],"c":{"1":"x","0":"y"}}"#
    );
    // The same document is refused by the reader (before any signature
    // work), and the writer does not make one.
    let key = SigningKey::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    for license in [
        json!({"a": {}}),
        json!({"b": {"0": "x", "1": "y"}}),
        json!({}),
    ] {
        assert_eq!(
            key.sign_license_json(&license).unwrap_err(),
            refused(LicenseProblem::ReadsAsPhpList)
        );
    }
    // (A license names its license key: the writer reads it back as one.)
    let fine = json!({"license_key": "LIC-1", "c": {"1": "x", "0": "y"}, "d": []});
    assert!(key.sign_license_json(&fine).is_ok());
}

/// What the SDK's `LicenseValidator::validateOfflineLicense` does: decode
/// into arrays, take out `signature`, `openssl_verify` (SHA-256) over
/// `json_encode(..., JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)`, then
/// `expires_at` with 24 hours of tolerance and `hardware_id` against the
/// caller's.
const VALIDATE_OFFLINE_LICENSE: &str = r#"
$doc = file_get_contents($argv[1]);
$key = openssl_pkey_get_public(file_get_contents($argv[2]));
$hardwareId = $argv[3];
$now = (int) $argv[4];
$data = json_decode($doc, true);
if (!$data || !isset($data['license']) || !isset($data['signature'])) { echo "invalid format"; exit(1); }
$signature = $data['signature'];
unset($data['signature']);
$payload = json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
if (openssl_verify($payload, base64_decode($signature), $key, OPENSSL_ALGO_SHA256) !== 1) { echo "invalid signature"; exit(1); }
$license = $data['license'];
if (isset($license['expires_at']) && strtotime($license['expires_at'] . ' UTC') + 86400 < $now) { echo "expired"; exit(1); }
if (isset($license['hardware_id']) && $license['hardware_id'] !== $hardwareId) { echo "hardware mismatch"; exit(1); }
echo "valid ", $license['license_key'];
"#;

#[test]
fn php_validate_offline_license_accepts_the_crate_licenses() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let key = SigningKey::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let licenses = [
        json!({
            "license_key": "LIC-CRATE-1",
            "hardware_id": "HW-1234",
            "expires_at": "2035-12-31 23:59:59",
            "url": "https://example.com/a/b?c=/d",
            "customer": {"name": "Zoë Ünïcødé 株式会社", "emoji": "🔑😀", "lines": "a\u{2028}b\u{2029}c", "del": "\u{7f}"},
            "price": 19.99, "ratio": 0.1, "big": 1e25, "small": 1.5e-7, "whole": 100.0, "negative": -0.5,
            "max": i64::MAX, "features": ["a/b", "", "\"q\""],
            "nested": {"list": [1, {"k": null}], "flag": true},
        }),
        expected_license(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let public = common::path("keys/rsa2048.pub.pem");
    let run = |doc: &str, hardware: &str, now: i64| -> String {
        let path = dir.path().join("license.json");
        std::fs::write(&path, doc).unwrap();
        let out = Command::new(php)
            .args(["-r", VALIDATE_OFFLINE_LICENSE])
            .arg(&path)
            .arg(&public)
            .arg(hardware)
            .arg(now.to_string())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let ring = k2048();
    for license in &licenses {
        let doc = key.sign_license_json(license).unwrap();
        let name = license["license_key"].as_str().unwrap();
        assert_eq!(run(&doc, "HW-1234", 1_767_225_600), format!("valid {name}"));
        assert_eq!(run(&doc, "HW-9999", 1_767_225_600), "hardware mismatch");
        // The SDK's 24 hours, and LicensePolicy's leeway giving the same.
        let last = 2_082_758_399; // 2035-12-31 23:59:59 UTC
        assert_eq!(run(&doc, "HW-1234", last + 86_400), format!("valid {name}"));
        assert_eq!(run(&doc, "HW-1234", last + 86_401), "expired");
        let sdk = |now| {
            LicensePolicy::new()
                .hardware_id("HW-1234")
                .clock(FixedClock::at(now))
                .expiry_leeway(Duration::from_secs(86_400))
        };
        let verified = ring.verify_license("product", &doc, &sdk(last + 86_400));
        assert_eq!(verified.unwrap().license().license_key, name);
        assert_eq!(
            ring.verify_license("product", &doc, &sdk(last + 86_401))
                .unwrap_err(),
            refused(LicenseProblem::Expired {
                expired_at: UnixTime::from_secs(last),
                now: UnixTime::from_secs(last + 86_401)
            })
        );
        // One byte of the license changed: PHP refuses it too.
        let tampered = doc.replacen("HW-1234", "HW-1235", 1);
        assert_eq!(
            run(&tampered, "HW-1235", 1_767_225_600),
            "invalid signature"
        );
        assert_eq!(
            ring.verify_license("product", &tampered, &policy())
                .unwrap_err(),
            Error::BadSignature
        );
    }
}
