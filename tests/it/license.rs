//! Offline license files made by the OpenSSL CLI and PHP
//! (`testdata/license/make.py`), read by the crate.
use crate::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Error, Expiry, FixedClock, Keyring, License, LicensePolicy, LicenseProblem, Member, Problem,
    SigningKey, UnixTime,
};
use serde_json::Value;

/// 2026-01-01 00:00:00 UTC: before the test licenses expire.
const NOW: i64 = 1_767_225_600;

/// The machine the test licenses are bound to, before they expire.
fn policy() -> LicensePolicy {
    LicensePolicy::new()
        .hardware_id("HW-1234")
        .clock(FixedClock::at(NOW))
}

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
        let verified = ring.verify_license("product", &file, &policy()).unwrap();
        assert_eq!(verified.key_name(), "product");
        assert_eq!(
            verified.signed_bytes(),
            common::bytes(json).as_slice(),
            "{lic}"
        );
        let decoded = STANDARD.decode(file.trim_ascii_end()).unwrap();
        assert_eq!(
            decoded.len(),
            blocks * verified.key().signature_len(),
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
        .verify_license(
            "product",
            common::bytes("license/openssl-2048.lic"),
            &policy(),
        )
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

/// Only the keys under the name the caller gives are tried: the right key
/// under another name does not open the file.
#[test]
fn only_the_named_keys_are_tried() {
    let ring = Keyring::new()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap()
        .with("old", common::public("keys/rsa3072.pub.pem"))
        .unwrap()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap();
    let file = common::bytes("license/openssl-2048-long.lic");
    let verified = ring.verify_license("product", &file, &policy()).unwrap();
    assert_eq!(verified.key_name(), "product");
    // Only the wrong key: block 0 opens under none.
    assert_eq!(
        ring.verify_license("global", &file, &policy()).unwrap_err(),
        Error::License(LicenseProblem::Padding { block: 0 })
    );
    // Only a key of another size.
    assert_eq!(
        ring.verify_license("old", &file, &policy()).unwrap_err(),
        Error::License(LicenseProblem::Length { len: 1280 })
    );
    // No key under the name.
    assert_eq!(
        ring.verify_license("nobody", &file, &policy()).unwrap_err(),
        Error::UnknownKeyName {
            name: respsig::Snippet::new("nobody")
        }
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
                .verify_license(
                    "product",
                    common::bytes(&format!("license/{file}")),
                    &policy()
                )
                .unwrap_err(),
            Error::License(LicenseProblem::Padding { block: 2 }),
            "{file}"
        );
    }
}

fn base64_error() -> Error {
    Error::Malformed {
        member: Member::LicenseFile,
        problem: Problem::Base64,
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
        ring.verify_license("product", cut, &policy()).unwrap_err(),
        Error::License(LicenseProblem::Length { len })
    );
    // The last block dropped: every block opens, the JSON is cut short.
    let blocks = STANDARD.decode(text).unwrap();
    let four = STANDARD.encode(&blocks[..4 * 256]);
    assert_eq!(
        ring.verify_license("product", &four, &policy())
            .unwrap_err(),
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
        ring.verify_license("product", STANDARD.encode(&swapped), &policy())
            .unwrap_err(),
        Error::License(LicenseProblem::Json {
            problem: Problem::Syntax {
                offset: 247,
                expected: "`,` or `]`"
            }
        })
    );
    // Not base64, empty, URL-safe alphabet, missing padding.
    for (input, error) in [
        ("not base64!".to_owned(), base64_error()),
        (String::new(), Error::License(LicenseProblem::Empty)),
        ("\n \r\n".to_owned(), Error::License(LicenseProblem::Empty)),
        (text.replace('+', "-").replace('/', "_"), base64_error()),
        (text.trim_end_matches('=').to_owned(), base64_error()),
    ] {
        assert_eq!(
            ring.verify_license("product", &input, &policy())
                .unwrap_err(),
            error
        );
    }
    // Line breaks and surrounding whitespace are tolerated.
    let wrapped: String = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    assert!(
        ring.verify_license("product", format!("  {wrapped}\n\n"), &policy())
            .is_ok()
    );
    // A block equal to the modulus (not reduced).
    let n = respsig::PublicKey::from_pem(&common::text("keys/rsa2048.pub.pem")).unwrap();
    let modulus = &n.spki_der()[n.spki_der().len() - 5 - 256..n.spki_der().len() - 5];
    let mut unreduced = blocks.clone();
    unreduced[256..512].copy_from_slice(modulus);
    assert_eq!(
        ring.verify_license("product", STANDARD.encode(&unreduced), &policy())
            .unwrap_err(),
        Error::License(LicenseProblem::BlockOutOfRange { block: 1 })
    );
    // Block 0 equal to the modulus gets the same treatment.
    let mut unreduced = blocks.clone();
    unreduced[..256].copy_from_slice(modulus);
    assert_eq!(
        ring.verify_license("product", STANDARD.encode(&unreduced), &policy())
            .unwrap_err(),
        Error::License(LicenseProblem::BlockOutOfRange { block: 0 })
    );
    // Over the size limit, before decoding.
    assert_eq!(
        ring.verify_license("product", vec![b'A'; (1 << 20) + 1], &policy())
            .unwrap_err(),
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
            match ring
                .verify_license("product", STANDARD.encode(&changed), &policy())
                .unwrap_err()
            {
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

/// The license of `openssl-2048.lic`, as JSON.
fn license() -> Value {
    k2048()
        .verify_license(
            "product",
            common::bytes("license/openssl-2048.lic"),
            &policy(),
        )
        .unwrap()
        .value()
        .clone()
}

/// `license`, signed as a signed-JSON document by the key of `k2048`.
fn signed(license: &Value) -> String {
    SigningKey::from_pem(&common::text("keys/rsa2048.pem"))
        .unwrap()
        .sign_license_json(license)
        .unwrap()
}

/// The offline rules, on the license of `openssl-2048.lic` and variants of
/// it signed as JSON documents: the rules run inside `verify_license`.
#[test]
fn offline_rules() {
    let ring = k2048();
    let lic = license();
    let doc = signed(&lic);
    let check =
        |doc: &str, policy: LicensePolicy| ring.verify_license("product", doc, &policy).map(|_| ());
    // expires_at "2026-12-31 23:59:59" UTC = 1798761599.
    let at = |t| LicensePolicy::new().clock(FixedClock::at(t));
    let file = common::text("license/openssl-2048.lic");
    for doc in [doc.as_str(), file.as_str()] {
        assert_eq!(check(doc, at(1_798_761_599).hardware_id("HW-1234")), Ok(()));
        assert_eq!(
            check(doc, at(1_798_761_600).hardware_id("HW-1234")),
            Err(Error::License(LicenseProblem::Expired {
                expired_at: UnixTime::from_secs(1_798_761_599),
                now: UnixTime::from_secs(1_798_761_600)
            }))
        );
    }
    let now = NOW;
    assert_eq!(check(&doc, at(now).hardware_id("HW-1234")), Ok(()));
    assert_eq!(
        check(&doc, at(now).hardware_id("hw-1234")),
        Err(Error::License(LicenseProblem::HardwareMismatch))
    );
    assert_eq!(check(&doc, at(now).domain("EXAMPLE.com")), Ok(()));
    assert_eq!(
        check(&doc, at(now).domain("example.org")),
        Err(Error::License(LicenseProblem::DomainMismatch))
    );
    // Both bindings named: both must match.
    assert_eq!(
        check(&doc, at(now).hardware_id("HW-1234").domain("example.com")),
        Ok(())
    );
    assert_eq!(
        check(&doc, at(now).hardware_id("HW-1234").domain("example.org")),
        Err(Error::License(LicenseProblem::DomainMismatch))
    );
    // A bound license fails a policy that names no binding.
    assert_eq!(
        check(&doc, at(now)),
        Err(Error::License(LicenseProblem::BindingNotChecked {
            member: "hardware_id"
        }))
    );
    let mut domain_only = lic.clone();
    domain_only.as_object_mut().unwrap().remove("hardware_id");
    assert_eq!(
        check(&signed(&domain_only), at(now)),
        Err(Error::License(LicenseProblem::BindingNotChecked {
            member: "domain"
        }))
    );
    // Unbound licenses fail a binding the caller asks for.
    let mut unbound = lic.clone();
    unbound.as_object_mut().unwrap().remove("hardware_id");
    unbound.as_object_mut().unwrap().remove("domain");
    let unbound_doc = signed(&unbound);
    assert_eq!(check(&unbound_doc, at(now)), Ok(()));
    assert_eq!(
        check(&unbound_doc, at(now).hardware_id("HW-1234")),
        Err(Error::License(LicenseProblem::HardwareMismatch))
    );
    assert_eq!(
        check(&unbound_doc, at(now).domain("example.com")),
        Err(Error::License(LicenseProblem::DomainMismatch))
    );
    // An empty binding is no binding.
    let mut empty = unbound.clone();
    empty["hardware_id"] = "".into();
    empty["domain"] = "".into();
    assert_eq!(check(&signed(&empty), at(now)), Ok(()));
    // Other expiry forms; no expiry never expires.
    let mut other = unbound;
    let mut with_expiry = |expiry: Value| {
        other["expires_at"] = expiry;
        signed(&other)
    };
    let doc = with_expiry(100.into());
    assert_eq!(
        check(&doc, at(101)),
        Err(Error::License(LicenseProblem::Expired {
            expired_at: UnixTime::from_secs(100),
            now: UnixTime::from_secs(101)
        }))
    );
    assert_eq!(check(&doc, at(100)), Ok(()));
    let doc = with_expiry("2026-12-31".into());
    assert_eq!(check(&doc, at(1_798_761_599)), Ok(()));
    assert!(check(&doc, at(1_798_761_600)).is_err());
    let doc = with_expiry("31/12/2026".into());
    assert_eq!(
        check(&doc, at(0)),
        Err(Error::License(LicenseProblem::BadExpiry))
    );
    let doc = with_expiry(Value::Null);
    assert_eq!(check(&doc, at(i64::MAX)), Ok(()));
    other.as_object_mut().unwrap().remove("expires_at");
    assert_eq!(check(&signed(&other), at(i64::MAX)), Ok(()));
}

/// A machine-bound license, in both formats: refused by a policy that names
/// no machine, taken with the right one; the wrong machine, license key or
/// product is refused with its own error.
#[test]
fn a_bound_license_needs_its_binding_named() {
    let lic = common::bytes("license/openssl-2048.lic");
    let json = common::bytes("license/php-signed-compact.json");
    let ring = k2048();
    for file in [&lic, &json] {
        let at = || LicensePolicy::new().clock(FixedClock::at(NOW));
        let verify = |policy: LicensePolicy| {
            ring.verify_license("product", file, &policy)
                .map(|v| v.license().clone())
        };
        assert_eq!(
            verify(LicensePolicy::new().clock(FixedClock::at(NOW))).unwrap_err(),
            Error::License(LicenseProblem::BindingNotChecked {
                member: "hardware_id"
            })
        );
        let license = verify(at().hardware_id("HW-1234")).unwrap();
        assert_eq!(license.hardware_id.as_deref(), Some("HW-1234"));
        assert_eq!(license.license_key, "LIC-2024-ABCD1234");
        assert_eq!(
            verify(at().hardware_id("HW-9999")).unwrap_err(),
            Error::License(LicenseProblem::HardwareMismatch)
        );
        assert_eq!(
            verify(at().hardware_id("HW-1234").license_key("LIC-2024-ABCD1234")).unwrap(),
            license
        );
        assert_eq!(
            verify(at().hardware_id("HW-1234").license_key("other")).unwrap_err(),
            Error::License(LicenseProblem::LicenseKeyMismatch)
        );
        assert_eq!(
            verify(
                at().hardware_id("HW-1234")
                    .product_uuid("8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f")
            )
            .unwrap(),
            license
        );
        assert_eq!(
            verify(at().hardware_id("HW-1234").product_uuid("other")).unwrap_err(),
            Error::License(LicenseProblem::ProductMismatch)
        );
    }
    // With the system clock (the default), LicensePolicy::new() alone
    // refuses the JSON license (it expires in 2035) for its binding.
    assert_eq!(
        ring.verify_license("product", &json, &LicensePolicy::new())
            .unwrap_err(),
        Error::License(LicenseProblem::BindingNotChecked {
            member: "hardware_id"
        })
    );
}

/// `licenseCheckInterval` (the server's spelling) and
/// `license_check_interval` both read into `License::license_check_interval`;
/// a license with both is refused.
#[test]
fn license_check_interval_in_either_spelling() {
    let ring = k2048();
    let policy = LicensePolicy::new();
    for member in ["licenseCheckInterval", "license_check_interval"] {
        let doc = signed(&serde_json::json!({"license_key": "LIC-1", member: 7}));
        let verified = ring.verify_license("product", &doc, &policy).unwrap();
        assert_eq!(
            verified.license().license_check_interval,
            Some(7),
            "{member}"
        );
    }
    let both = serde_json::json!({
        "license_key": "LIC-1",
        "licenseCheckInterval": 7,
        "license_check_interval": 7,
    });
    let key = SigningKey::from_pem(&common::text("keys/rsa2048.pem")).unwrap();
    let refused = key.sign_license_json(&both).unwrap_err();
    let Error::Deserialize { reason } = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(reason.as_str(), "duplicate field `licenseCheckInterval`");
    assert!(!reason.is_truncated());
    // The same document signed by hand (the writer refuses to make it):
    // the reader refuses it too.
    let signed_bytes = respsig::canonical::to_vec(&serde_json::json!({ "license": both }));
    let signature =
        base64::engine::general_purpose::STANDARD.encode(key.sign_bytes(&signed_bytes).unwrap());
    let doc = format!(
        "{{\"license\":{},\"signature\":\"{signature}\"}}",
        String::from_utf8(respsig::canonical::to_vec(&both)).unwrap()
    );
    assert_eq!(
        ring.verify_license("product", &doc, &policy).unwrap_err(),
        refused
    );
}
