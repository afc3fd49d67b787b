//! Offline license files made by the OpenSSL CLI and PHP
//! (`testdata/license/make.py`), read by the crate.
use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{Error, Expiry, FixedClock, Keyring, License, LicenseCheck, LicenseProblem, Problem};

fn keyring(pub_pem: &str) -> Keyring {
    Keyring::new()
        .with("product", common::public(pub_pem))
        .unwrap()
}

fn k2048() -> Keyring {
    keyring("keys/rsa2048.pub.pem")
}

#[test]
fn openssl_and_php_files_verify_to_the_exact_bytes() {
    for (lic, json, ring, blocks) in [
        (
            "license/openssl-2048.lic",
            "license/openssl-2048.json",
            k2048(),
            1,
        ),
        (
            "license/openssl-2048-long.lic",
            "license/openssl-2048-long.json",
            k2048(),
            5,
        ),
        (
            "license/php-2048-long.lic",
            "license/openssl-2048-long.json",
            k2048(),
            5,
        ),
        (
            "license/openssl-4096-long.lic",
            "license/openssl-4096-long.json",
            keyring("keys/rsa4096.pub.pem"),
            3,
        ),
    ] {
        let file = common::bytes(lic);
        let verified = ring.verify_license(&file).unwrap();
        assert_eq!(verified.key_name(), "product");
        assert_eq!(
            verified.signed_bytes(),
            common::bytes(json).as_slice(),
            "{lic}"
        );
        let decoded = STANDARD.decode(file.trim_ascii_end()).unwrap();
        assert_eq!(
            decoded.len(),
            blocks * verified.key().modulus_len(),
            "{lic}"
        );
        let license: License = verified.deserialize().unwrap();
        assert_eq!(license.license_key, "LIC-2024-ABCD1234");
        assert_eq!(license.hardware_id.as_deref(), Some("HW-1234"));
        assert_eq!(license.domain.as_deref(), Some("example.com"));
        assert_eq!(license.license_check_interval, Some(7));
        assert_eq!(license.force_license_validation, Some(30));
    }
    let short: License = k2048()
        .verify_license(common::bytes("license/openssl-2048.lic"))
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(
        short.expires_at,
        Some(Expiry::Text("2026-12-31 23:59:59".into()))
    );
    assert_eq!(
        short.product_uuid.as_deref(),
        Some("8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f")
    );
}

#[test]
fn the_right_key_is_found_among_several() {
    let ring = Keyring::new()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap()
        .with("old", common::public("keys/rsa3072.pub.pem"))
        .unwrap()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap();
    let verified = ring
        .verify_license(common::bytes("license/openssl-2048-long.lic"))
        .unwrap();
    assert_eq!(verified.key_name(), "product");
    // Only the wrong key: block 0 opens under none.
    assert_eq!(
        keyring("keys/other2048.pub.pem")
            .verify_license(common::bytes("license/openssl-2048-long.lic"))
            .unwrap_err(),
        Error::License(LicenseProblem::Padding { block: 0 })
    );
    // Only a key of another size.
    assert_eq!(
        keyring("keys/rsa3072.pub.pem")
            .verify_license(common::bytes("license/openssl-2048-long.lic"))
            .unwrap_err(),
        Error::License(LicenseProblem::Length { len: 1280 })
    );
}

#[test]
fn bad_padding_is_refused_naming_the_block() {
    for file in [
        "bad-padding-type2.lic",
        "bad-padding-short.lic",
        "bad-padding-no-separator.lic",
    ] {
        assert_eq!(
            k2048()
                .verify_license(common::bytes(&format!("license/{file}")))
                .unwrap_err(),
            Error::License(LicenseProblem::Padding { block: 2 }),
            "{file}"
        );
    }
}

#[test]
fn truncated_and_malformed_files() {
    let text = common::text("license/openssl-2048-long.lic");
    let text = text.trim_end();
    let ring = k2048();
    // Cut inside a block: not a whole number of blocks.
    let cut = &text[..text.len() - 100];
    let cut = &cut[..cut.len() / 4 * 4];
    let len = STANDARD.decode(cut).unwrap().len();
    assert_eq!(
        ring.verify_license(cut).unwrap_err(),
        Error::License(LicenseProblem::Length { len })
    );
    // The last block dropped: every block opens, the JSON is cut short.
    let blocks = STANDARD.decode(text).unwrap();
    let four = STANDARD.encode(&blocks[..4 * 256]);
    assert_eq!(
        ring.verify_license(&four).unwrap_err(),
        Error::License(LicenseProblem::Json {
            problem: Problem::Syntax {
                offset: 980,
                expected: "`,` or `]`"
            }
        })
    );
    // Blocks in another order: block 0 opens, the JSON does not parse.
    let mut swapped = blocks.clone();
    swapped[256..512].copy_from_slice(&blocks[512..768]);
    swapped[512..768].copy_from_slice(&blocks[256..512]);
    assert_eq!(
        ring.verify_license(STANDARD.encode(&swapped)).unwrap_err(),
        Error::License(LicenseProblem::Json {
            problem: Problem::Syntax {
                offset: 247,
                expected: "`,` or `]`"
            }
        })
    );
    // Not base64, empty, URL-safe alphabet, missing padding.
    for (input, problem) in [
        ("not base64!".to_owned(), LicenseProblem::Base64),
        (String::new(), LicenseProblem::Empty),
        ("\n \r\n".to_owned(), LicenseProblem::Empty),
        (
            text.replace('+', "-").replace('/', "_"),
            LicenseProblem::Base64,
        ),
        (
            text.trim_end_matches('=').to_owned(),
            LicenseProblem::Base64,
        ),
    ] {
        assert_eq!(
            ring.verify_license(&input).unwrap_err(),
            Error::License(problem)
        );
    }
    // Line breaks and surrounding whitespace are tolerated.
    let wrapped: String = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    assert!(ring.verify_license(format!("  {wrapped}\n\n")).is_ok());
    // A block equal to the modulus (not reduced).
    let n = respsig::PublicKey::from_pem(&common::text("keys/rsa2048.pub.pem")).unwrap();
    let modulus = &n.spki_der()[n.spki_der().len() - 5 - 256..n.spki_der().len() - 5];
    let mut unreduced = blocks.clone();
    unreduced[256..512].copy_from_slice(modulus);
    assert_eq!(
        ring.verify_license(STANDARD.encode(&unreduced))
            .unwrap_err(),
        Error::License(LicenseProblem::BlockOutOfRange { block: 1 })
    );
    // Block 0 equal to the modulus gets the same treatment.
    let mut unreduced = blocks.clone();
    unreduced[..256].copy_from_slice(modulus);
    assert_eq!(
        ring.verify_license(STANDARD.encode(&unreduced))
            .unwrap_err(),
        Error::License(LicenseProblem::BlockOutOfRange { block: 0 })
    );
    // Over the size limit, before decoding.
    assert_eq!(
        ring.verify_license(vec![b'A'; (1 << 20) + 1]).unwrap_err(),
        Error::TooLarge {
            len: (1 << 20) + 1,
            limit: 1 << 20
        }
    );
}

/// Every byte of every block, changed three ways, is refused, and the
/// refusal names the block that was changed.
#[test]
fn every_byte_change_is_refused_at_its_block() {
    let ring = k2048();
    let blocks = STANDARD
        .decode(common::text("license/openssl-2048-long.lic").trim_end())
        .unwrap();
    let mut runs = 0;
    for i in 0..blocks.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut changed = blocks.clone();
            changed[i] ^= flip;
            let block = i / 256;
            match ring.verify_license(STANDARD.encode(&changed)).unwrap_err() {
                Error::License(LicenseProblem::Padding { block: b })
                | Error::License(LicenseProblem::BlockOutOfRange { block: b }) => {
                    assert_eq!(b, block, "byte {i} ^ {flip:#x}")
                }
                other => panic!("byte {i} ^ {flip:#x}: {other:?}"),
            }
            runs += 1;
        }
    }
    assert_eq!(runs, 1280 * 3);
}

fn license() -> License {
    k2048()
        .verify_license(common::bytes("license/openssl-2048.lic"))
        .unwrap()
        .deserialize()
        .unwrap()
}

#[test]
fn offline_rules() {
    let lic = license();
    // expires_at "2026-12-31 23:59:59" UTC = 1798761599.
    let at = |t| LicenseCheck::new().clock(FixedClock(t));
    assert_eq!(at(1_798_761_599).check(&lic), Ok(()));
    assert_eq!(
        at(1_798_761_600).check(&lic),
        Err(Error::License(LicenseProblem::Expired {
            expired_at: 1_798_761_599,
            now: 1_798_761_600
        }))
    );
    let now = 1_767_225_600;
    assert_eq!(at(now).hardware_id("HW-1234").check(&lic), Ok(()));
    assert_eq!(
        at(now).hardware_id("hw-1234").check(&lic),
        Err(Error::License(LicenseProblem::HardwareMismatch))
    );
    assert_eq!(at(now).domain("EXAMPLE.com").check(&lic), Ok(()));
    assert_eq!(
        at(now).domain("example.org").check(&lic),
        Err(Error::License(LicenseProblem::DomainMismatch))
    );
    // Unbound licenses fail a binding the caller asks for.
    let mut unbound = lic.clone();
    unbound.hardware_id = None;
    unbound.domain = None;
    assert_eq!(
        at(now).hardware_id("HW-1234").check(&unbound),
        Err(Error::License(LicenseProblem::HardwareMismatch))
    );
    assert_eq!(
        at(now).domain("example.com").check(&unbound),
        Err(Error::License(LicenseProblem::DomainMismatch))
    );
    // Other expiry forms; no expiry never expires.
    let mut other = lic;
    other.expires_at = Some(Expiry::Unix(100));
    assert!(at(101).check(&other).is_err());
    assert_eq!(at(100).check(&other), Ok(()));
    other.expires_at = Some(Expiry::Text("2026-12-31".into()));
    assert_eq!(at(1_798_761_599).check(&other), Ok(()));
    other.expires_at = Some(Expiry::Text("31/12/2026".into()));
    assert_eq!(
        at(0).check(&other),
        Err(Error::License(LicenseProblem::BadExpiry))
    );
    other.expires_at = None;
    assert_eq!(at(i64::MAX).check(&other), Ok(()));
}
