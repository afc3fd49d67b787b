//! The generated `ResponseCode` against the catalogue it was generated from,
//! and against the codes real envelopes carry.
use crate::common;
use respsig::Policy;

use std::collections::BTreeSet;

use respsig::ResponseCode;

#[derive(serde::Deserialize)]
struct Entry {
    code: i64,
    name: String,
    message: String,
}

fn catalogue() -> Vec<Entry> {
    serde_json::from_slice(&common::bytes("gkm/response-codes.json")).unwrap()
}

#[test]
fn every_catalogue_entry_maps_both_ways() {
    let entries = catalogue();
    assert_eq!(entries.len(), 104);
    assert_eq!(ResponseCode::KNOWN.len(), entries.len());
    for (entry, known) in entries.iter().zip(ResponseCode::KNOWN) {
        let code = ResponseCode::from_code(entry.code);
        assert_eq!(code, known, "{}", entry.code);
        assert_eq!(code.code(), entry.code);
        assert_eq!(code.name(), Some(entry.name.as_str()));
        assert_eq!(code.message(), Some(entry.message.as_str()));
        assert!(code.is_known());
        assert_eq!(code.to_string(), format!("{} {}", entry.code, entry.name));
    }
    let distinct: BTreeSet<i64> = ResponseCode::KNOWN.iter().map(|c| c.code()).collect();
    assert_eq!(distinct.len(), entries.len());
}

/// Equality is by number: a code made from its number is the catalogue's
/// constant (an enum with an `Unknown(i64)` variant got this wrong).
#[test]
fn codes_equal_by_number() {
    for known in ResponseCode::KNOWN {
        assert_eq!(ResponseCode::from_code(known.code()), known);
    }
    assert_eq!(
        ResponseCode::from_code(373),
        ResponseCode::PRODUCT_META_UPDATED
    );
    assert_ne!(
        ResponseCode::from_code(372),
        ResponseCode::PRODUCT_META_UPDATED
    );
}

#[test]
fn unknown_codes_are_kept_as_numbers() {
    let listed: BTreeSet<i64> = catalogue().iter().map(|e| e.code).collect();
    for n in [-1, 0, 99, 104, 299, 634, 999, 1603, i64::MAX, i64::MIN] {
        assert!(!listed.contains(&n));
        let code = ResponseCode::from(n);
        assert_eq!(code, ResponseCode::from_code(n));
        assert_eq!((code.code(), code.name(), code.message()), (n, None, None));
        assert!(!code.is_known());
        assert_eq!(code.to_string(), format!("{n} (unknown)"));
    }
}

/// Every verified real envelope's code looked up through `Verified`.
#[test]
fn real_envelopes_carry_catalogue_codes() {
    let keyring = common::demo_keyring();
    let mut known = 0;
    let mut unknown = Vec::new();
    for v in common::vectors().iter().filter(|v| v.signature_valid) {
        let Ok(verified) = keyring.verify(&v.envelope, &Policy::any_age()) else {
            continue;
        };
        let code = verified.response_code().expect("every payload has a code");
        assert_eq!(Some(code.code()), verified.code());
        if code.is_known() {
            known += 1;
        } else {
            unknown.push(code.code());
        }
    }
    println!("real envelopes: {known} catalogue codes, unknown: {unknown:?}");
    assert_eq!(known, 43);
    assert!(
        unknown.is_empty(),
        "codes missing from the catalogue: {unknown:?}"
    );
}

/// The catalogue's message and the server's can differ: 372.
#[test]
fn the_signed_message_is_the_servers_not_the_catalogues() {
    let verified = common::demo_keyring()
        .verify(
            common::bytes("gkm/seed-372-update-product-meta.json"),
            &Policy::any_age(),
        )
        .unwrap();
    let code = verified.response_code().unwrap();
    assert_eq!(code, ResponseCode::PRODUCT_META_KEY_NOT_EXISTS_UPDATE);
    assert_eq!(code.message(), Some("Meta key doesn't exist"));
    assert_eq!(verified.message(), Some("Meta key doesn't exists"));
}
