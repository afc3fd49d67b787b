//! The 0.2 `.lic` layout (integrity member first, in block 0; no later
//! block can begin a JSON object), read by PHP doing what the SDK's
//! `LicenseValidator::parseLicenseFile` does: whatever the crate's reader
//! accepts, PHP decodes to the same data; and what the reader refuses of
//! cut and spliced files, PHP's steps alone would not have caught.
#![cfg(feature = "license-writer")]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Error, INTEGRITY_MEMBER, Keyring, LicensePolicy, LicenseProblem, LicenseWriter, canonical,
};
use serde_json::{Map, Value, json};

use crate::common;

/// The SDK's steps (base64, `openssl_public_decrypt` per block of the
/// key's size, concatenate, `json_decode($text, true)`), then the data
/// written back with the flags the SDK encodes licenses with; one line
/// per input line (base64 of a `.lic` file), `REFUSED` where a step fails.
const PARSE_LICENSE_FILE: &str = r#"
$key = openssl_pkey_get_public(file_get_contents($argv[1]));
$chunk = openssl_pkey_get_details($key)['bits'] / 8;
while (($line = fgets(STDIN)) !== false) {
    $raw = base64_decode(trim($line));
    $text = '';
    $ok = true;
    foreach (str_split($raw, $chunk) as $block) {
        if (!openssl_public_decrypt($block, $part, $key)) { $ok = false; break; }
        $text .= $part;
    }
    $data = $ok ? json_decode($text, true) : null;
    echo is_array($data) ? json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) : 'REFUSED', "\n";
}
"#;

/// `value` as PHP holds it after `json_decode(..., true)`: an object that
/// is empty or keyed "0", "1", ... in order is a list.
fn php_view(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let list = map.keys().enumerate().all(|(i, k)| *k == i.to_string());
            if list {
                Value::Array(map.values().map(php_view).collect())
            } else {
                Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), php_view(v)))
                        .collect::<Map<_, _>>(),
                )
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(php_view).collect()),
        other => other.clone(),
    }
}

/// Runs PHP's steps over `files`; one answer per file.
fn php_parse(php: &str, files: &[String]) -> Vec<String> {
    let input = files.join("\n") + "\n";
    let key = common::path("keys/rsa2048.pub.pem");
    let out = common::run(
        php,
        &[
            "-r".as_ref(),
            PARSE_LICENSE_FILE.as_ref(),
            "--".as_ref(),
            key.as_os_str(),
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Licenses of many sizes and contents: the block boundaries fall at
/// many places, inside strings with `/`, non-ASCII, escapes and blanks.
fn licenses() -> Vec<Value> {
    let mut out = Vec::new();
    for n in (0..900).step_by(13) {
        out.push(json!({
            "license_key": format!("LIC-{n:04}"),
            "product_uuid": "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f",
            "url": "https://example.com/a/b",
            "customer": {"name": "Zoë 株式会社 😀", "line": "a\u{2028}b", "note": "é/{ }".repeat(n / 5)},
            "ratio": 0.1,
            "big": 1e25,
            "whole": 100.0,
            "features": (0..n / 40).map(|i| format!("feature-{i}")).collect::<Vec<_>>(),
            "empty": {},
            "list": {"0": "a", "1": "b"},
            "expires_at": "2099-12-31 23:59:59",
        }));
    }
    out
}

/// Every file the writer writes is accepted, and PHP's steps decode it to
/// the same data, with the integrity member first.
#[test]
fn php_decodes_every_written_file_to_what_the_reader_accepts() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let writer = LicenseWriter::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let ring = Keyring::new()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap();
    let files: Vec<String> = licenses()
        .iter()
        .map(|l| writer.write(l).unwrap())
        .collect();
    let answers = php_parse(php, &files);
    assert_eq!(answers.len(), files.len());
    for (file, answer) in files.iter().zip(&answers) {
        let verified = ring
            .verify_license("product", file, &LicensePolicy::new())
            .unwrap();
        assert!(verified.has_integrity());
        let first = verified.value().as_object().unwrap().keys().next().unwrap();
        assert_eq!(first, INTEGRITY_MEMBER);
        let ours = canonical::to_vec_with(
            &php_view(verified.value()),
            canonical::Options::php_sdk_license(),
        );
        assert_eq!(answer.as_bytes(), ours.as_slice());
    }
}

/// Cut and spliced files of two written licenses: what the reader accepts
/// PHP decodes to the same data (only genuine files are accepted); what
/// PHP's steps accept but the reader refuses is refused for its digest.
#[test]
fn php_and_the_reader_on_cut_and_spliced_files() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let writer = LicenseWriter::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let ring = Keyring::new()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap();
    let mut candidates = Vec::new();
    let mut genuine = Vec::new();
    for n in (0..600).step_by(47) {
        let pair = ["A", "B"].map(|c| {
            let license = json!({
                "license_key": format!("LIC-{c}-{n:04}"),
                "note": c.repeat(n),
                "expires_at": "2099-12-31",
            });
            let file = writer.write(&license).unwrap();
            STANDARD.decode(&file).unwrap()
        });
        let blocks: Vec<Vec<&[u8]>> = pair.iter().map(|f| f.chunks(256).collect()).collect();
        for (x, y) in [(0, 1), (1, 0)] {
            let (a, b) = (&blocks[x], &blocks[y]);
            for i in 0..a.len() {
                let mut cut = a.clone();
                cut.remove(i);
                candidates.push(cut.concat());
                for j in 0..b.len() {
                    candidates.push([&a[..=i], &b[j..]].concat().concat());
                }
            }
        }
        genuine.extend(pair.iter().map(|f| STANDARD.encode(f)));
        candidates.extend(pair);
    }
    let files: Vec<String> = candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| STANDARD.encode(c))
        .collect();
    let answers = php_parse(php, &files);
    assert_eq!(answers.len(), files.len());
    let (mut accepted, mut php_only) = (0, 0);
    for (file, answer) in files.iter().zip(&answers) {
        match ring.verify_license("product", file, &LicensePolicy::new()) {
            Ok(verified) => {
                assert!(genuine.contains(file));
                accepted += 1;
                let ours = canonical::to_vec_with(
                    &php_view(verified.value()),
                    canonical::Options::php_sdk_license(),
                );
                assert_eq!(answer.as_bytes(), ours.as_slice());
            }
            Err(e) if answer != "REFUSED" => {
                php_only += 1;
                assert_eq!(e, Error::License(LicenseProblem::IntegrityMismatch));
            }
            Err(_) => {}
        }
    }
    // The genuine files only (a few candidates are genuine files too).
    let expected = files.iter().filter(|f| genuine.contains(f)).count();
    assert!(expected >= 26, "{expected}");
    assert_eq!(accepted, expected);
    assert!(php_only > 0, "{php_only}");
}
