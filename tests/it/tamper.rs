//! Every real envelope that verifies, altered in every way the issue lists,
//! must be refused with the right error.
use crate::common;
use respsig::Policy;

use base64::Engine as _;
use respsig::{Error, Keyring, Member, Problem, Snippet};
use serde_json::Value;

const STANDARD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn valid_envelopes() -> Vec<common::Vector> {
    let v: Vec<_> = common::vectors()
        .into_iter()
        .filter(|v| v.signature_valid && v.response_matches_base64)
        .collect();
    assert_eq!(v.len(), 43);
    v
}

/// The byte range of a member's string value inside the envelope text.
fn value_span(text: &str, member: &str) -> std::ops::Range<usize> {
    let env: Value = serde_json::from_str(text).unwrap();
    let value = env[member].as_str().unwrap();
    let start = text.find(value).unwrap();
    assert_eq!(text.matches(value).count(), 1);
    start..start + value.len()
}

/// Two replacements per position: another base64 character, and one
/// outside the alphabet.
fn replacements(original: u8) -> [u8; 2] {
    [if original == b'A' { b'B' } else { b'A' }, b'*']
}

#[test]
fn every_single_byte_change_of_response_base64_is_refused() {
    let keyring = common::demo_keyring();
    let mut checked = 0;
    for v in valid_envelopes() {
        let span = value_span(&v.envelope, "response_base64");
        for i in span {
            for r in replacements(v.envelope.as_bytes()[i]) {
                let mut bytes = v.envelope.clone().into_bytes();
                bytes[i] = r;
                // The signature covers this text, so any change is a bad
                // signature, whether or not the text still decodes.
                assert_eq!(
                    keyring.verify(&bytes, &Policy::any_age()).unwrap_err(),
                    Error::BadSignature,
                    "{} byte {i}",
                    v.source
                );
                checked += 1;
            }
        }
    }
    println!("response_base64 changes refused: {checked}");
}

#[test]
fn every_single_byte_change_of_signature_is_refused() {
    let keyring = common::demo_keyring();
    let mut counts = [0usize; 3];
    for v in valid_envelopes() {
        let span = value_span(&v.envelope, "signature");
        for i in span.clone() {
            for r in replacements(v.envelope.as_bytes()[i]) {
                let mut bytes = v.envelope.clone().into_bytes();
                bytes[i] = r;
                let mutated = std::str::from_utf8(&bytes[span.clone()]).unwrap();
                // The expected error, decided by an independent strict
                // decoder (the `base64` crate).
                let want = match STANDARD.decode(mutated) {
                    Err(_) => {
                        counts[0] += 1;
                        Error::Malformed {
                            member: Member::Signature,
                            problem: Problem::Base64,
                        }
                    }
                    Ok(sig) if sig.len() != 256 => {
                        counts[1] += 1;
                        Error::SignatureLength {
                            got: sig.len(),
                            expected: 256,
                        }
                    }
                    Ok(_) => {
                        counts[2] += 1;
                        Error::BadSignature
                    }
                };
                assert_eq!(
                    keyring.verify(&bytes, &Policy::any_age()).unwrap_err(),
                    want,
                    "{} byte {i}",
                    v.source
                );
            }
        }
    }
    println!(
        "signature changes refused: {} not base64, {} wrong length, {} bad signature",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|&c| c > 0));
}

fn relabel(envelope: &str, name: &str) -> String {
    let mut env: Value = serde_json::from_str(envelope).unwrap();
    env["private_key_used"] = Value::from(name);
    serde_json::to_string(&env).unwrap()
}

#[test]
fn a_swapped_key_name_is_refused() {
    let demo = common::demo_key();
    let other = common::public("keys/other2048.pub.pem");
    // Each name holds a different key, as on a real server.
    let product_is_demo = Keyring::new()
        .with("product", demo.clone())
        .unwrap()
        .with("global", other.clone())
        .unwrap();
    let global_is_demo = Keyring::new()
        .with("global", demo)
        .unwrap()
        .with("product", other)
        .unwrap();
    for v in valid_envelopes() {
        let (keyring, swapped) = match v.key_name.as_str() {
            "product" => (&product_is_demo, "global"),
            _ => (&global_is_demo, "product"),
        };
        assert!(
            keyring.verify(&v.envelope, &Policy::any_age()).is_ok(),
            "{}",
            v.source
        );
        assert_eq!(
            keyring
                .verify(relabel(&v.envelope, swapped), &Policy::any_age())
                .unwrap_err(),
            Error::BadSignature,
            "{}",
            v.source
        );
        for unknown in ["Product", "GLOBAL", "", "product "] {
            assert_eq!(
                keyring
                    .verify(relabel(&v.envelope, unknown), &Policy::any_age())
                    .unwrap_err(),
                Error::UnknownKeyName {
                    name: Snippet::new(unknown)
                }
            );
        }
    }
}

#[test]
fn an_edited_response_member_is_refused() {
    let keyring = common::demo_keyring();
    for v in valid_envelopes() {
        let env: Value = serde_json::from_str(&v.envelope).unwrap();
        let edits: [&dyn Fn(&mut Value); 4] = [
            &|r| r["code"] = Value::from(999_999),
            &|r| r["message"] = Value::from(format!("{} (edited)", r["message"].as_str().unwrap())),
            &|r| {
                r.as_object_mut()
                    .unwrap()
                    .insert("extra".into(), Value::from(true));
            },
            &|r| {
                r.as_object_mut().unwrap().shift_remove("code");
            },
        ];
        for edit in edits {
            let mut edited = env.clone();
            edit(&mut edited["response"]);
            assert_eq!(
                keyring
                    .verify(serde_json::to_string(&edited).unwrap(), &Policy::any_age())
                    .unwrap_err(),
                Error::ContentMismatch,
                "{}",
                v.source
            );
        }
        // Reordering members is not an edit: the same JSON value.
        let mut reordered = env.clone();
        reordered["response"].as_object_mut().unwrap().sort_keys();
        assert!(
            keyring
                .verify(
                    serde_json::to_string(&reordered).unwrap(),
                    &Policy::any_age()
                )
                .is_ok()
        );
    }
}

/// Every possible single-byte change (all 255 other values) at every
/// position of `response_base64` and `signature` in the four seed
/// envelopes. The expected outcome comes from independent code: serde_json
/// decides whether the document is still JSON, the `base64` crate whether
/// the signature is still strict base64 of the right length.
#[test]
fn every_value_of_every_byte_in_the_seed_envelopes() {
    let keyring = common::demo_keyring();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for seed in [
        "gkm/seed-372-update-product-meta.json",
        "gkm/seed-373-update-product-meta.json",
        "gkm/seed-650-update-product.json",
        "gkm/seed-651-update-product.json",
    ] {
        let text = common::text(seed);
        assert!(keyring.verify(&text, &Policy::any_age()).is_ok());
        for member in ["response_base64", "signature"] {
            for i in value_span(&text, member) {
                for b in 0..=255u8 {
                    let mut bytes = text.clone().into_bytes();
                    if bytes[i] == b {
                        continue;
                    }
                    bytes[i] = b;
                    let got = keyring.verify(&bytes, &Policy::any_age()).unwrap_err();
                    let Ok(env) = serde_json::from_slice::<Value>(&bytes) else {
                        assert!(
                            matches!(got, Error::Malformed { .. }),
                            "{seed} {member} byte {i} = {b:#04x}: {got:?}"
                        );
                        *counts.entry("not JSON: Malformed").or_default() += 1;
                        continue;
                    };
                    let (want, label) = if member == "response_base64" {
                        (Error::BadSignature, "response_base64: BadSignature")
                    } else {
                        match STANDARD.decode(env["signature"].as_str().unwrap()) {
                            Err(_) => (
                                Error::Malformed {
                                    member: Member::Signature,
                                    problem: Problem::Base64,
                                },
                                "signature: Base64",
                            ),
                            Ok(sig) if sig.len() != 256 => (
                                Error::SignatureLength {
                                    got: sig.len(),
                                    expected: 256,
                                },
                                "signature: SignatureLength",
                            ),
                            Ok(_) => (Error::BadSignature, "signature: BadSignature"),
                        }
                    };
                    assert_eq!(got, want, "{seed} {member} byte {i} = {b:#04x}");
                    *counts.entry(label).or_default() += 1;
                }
            }
        }
    }
    println!("all single-byte changes of the 4 seeds: {counts:?}");
    assert_eq!(counts.len(), 5, "every kind of outcome is exercised");
}
