//! The 47 real envelopes from the server's documentation, each against the
//! verdict that independent tools (Python `cryptography`, Python `json`,
//! PHP 8.2) computed for it.
use crate::common;
use respsig::Policy;

use base64::Engine as _;
use respsig::{Error, Keyring, canonical};

/// What the labels imply: the signature is checked first, so an envelope
/// whose signature is invalid is refused as `BadSignature` whatever its
/// content; a valid signature with a mismatched `response` is a
/// `ContentMismatch`.
fn expected(v: &common::Vector) -> Result<(), Error> {
    match (v.signature_valid, v.response_matches_base64) {
        (true, true) => Ok(()),
        (false, _) => Err(Error::BadSignature),
        (true, false) => Err(Error::ContentMismatch),
    }
}

#[test]
fn all_47_envelopes_get_their_expected_verdict() {
    let keyring = common::demo_keyring();
    let vectors = common::vectors();
    assert_eq!(vectors.len(), 47);
    let (mut accepted, mut refused, mut wrong) = (0, 0, 0);
    println!("| # | source | key | expected | got |");
    println!("|---|---|---|---|---|");
    for (i, v) in vectors.iter().enumerate() {
        let want = expected(v);
        let got = keyring.verify(&v.envelope, &Policy::any_age());
        let show = |r: &Result<(), Error>| match r {
            Ok(()) => "verified".to_owned(),
            Err(e) => format!("{e:?}"),
        };
        let got_unit = got.as_ref().map(|_| ()).map_err(Clone::clone);
        let source = v.source.trim_start_matches("content/docs/api/");
        println!(
            "| {} | {source} | {} | {} | {} |",
            i + 1,
            v.key_name,
            show(&want),
            show(&got_unit)
        );
        match (&got_unit, &want) {
            (a, b) if a == b => {
                if a.is_ok() {
                    accepted += 1
                } else {
                    refused += 1
                }
            }
            _ => wrong += 1,
        }
        if let Ok(verified) = &got {
            assert_eq!(verified.key_name(), v.key_name);
            let envelope: serde_json::Value = serde_json::from_str(&v.envelope).unwrap();
            let b64 = envelope["response_base64"].as_str().unwrap();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            assert_eq!(verified.payload_bytes(), decoded.as_slice());
        }
    }
    println!("accepted {accepted}, refused {refused}, mismatches {wrong}");
    assert_eq!((accepted, refused, wrong), (43, 4, 0));
}

/// PHP's verdict says whether `json_encode($response)` reproduces the
/// signed bytes; the canonical writer must reach the same verdict on every
/// envelope.
#[test]
fn canonical_writer_reproduces_php_verdicts() {
    for v in common::vectors() {
        let envelope: serde_json::Value = serde_json::from_str(&v.envelope).unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(envelope["response_base64"].as_str().unwrap())
            .unwrap();
        // Read `response` with the crate's own strict reader (PHP number
        // semantics), then write it canonically.
        let unverified =
            respsig::dangerous::read(v.envelope.as_bytes(), &respsig::Limits::new()).unwrap();
        let ours = canonical::to_vec(unverified.response());
        assert_eq!(
            ours == decoded,
            v.php_json_encode_of_response_equals_decoded_base64,
            "{}",
            v.source
        );
    }
}

#[test]
fn seed_fixtures_verify() {
    let keyring = common::demo_keyring();
    for (file, name, code, message, timestamp) in [
        (
            "gkm/seed-372-update-product-meta.json",
            "product",
            372,
            "Meta key doesn't exists",
            1709169540,
        ),
        (
            "gkm/seed-373-update-product-meta.json",
            "product",
            373,
            "Product meta updated",
            1709169556,
        ),
        (
            "gkm/seed-650-update-product.json",
            "global",
            650,
            "Product updated",
            1709003049,
        ),
        (
            "gkm/seed-651-update-product.json",
            "global",
            651,
            "Incorrect data found",
            1709002994,
        ),
    ] {
        let v = keyring
            .verify(common::bytes(file), &Policy::any_age())
            .unwrap();
        assert_eq!(v.key_name(), name);
        assert_eq!(v.code(), Some(code));
        assert_eq!(v.message(), Some(message));
        assert_eq!(v.timestamp(), Some(respsig::UnixTime::from_secs(timestamp)));
        assert_eq!(v.key(), &common::demo_key());
        assert_eq!(canonical::to_vec(v.payload()), v.payload_bytes());
    }
    let v = keyring
        .verify(
            common::bytes("gkm/seed-651-update-product.json"),
            &Policy::any_age(),
        )
        .unwrap();
    assert_eq!(
        v.payload()["errors"]["product_id"][0],
        "The selected product id is invalid."
    );
}

#[test]
fn only_configured_names_are_used() {
    let only_global = Keyring::new().with("global", common::demo_key()).unwrap();
    assert_eq!(
        only_global
            .verify(
                common::bytes("gkm/seed-373-update-product-meta.json"),
                &Policy::any_age()
            )
            .unwrap_err(),
        Error::UnknownKeyName {
            name: respsig::Snippet::new("product")
        }
    );
    assert!(
        only_global
            .verify(
                common::bytes("gkm/seed-650-update-product.json"),
                &Policy::any_age()
            )
            .is_ok()
    );
}

/// `Policy::signed_by` names the key name whose word counts: an envelope
/// signed under `product` fails a policy that requires `global`, even when
/// both names hold the same key.
#[test]
fn signed_by_requires_the_name() {
    let keyring = common::demo_keyring();
    let product_signed = common::bytes("gkm/seed-373-update-product-meta.json");
    assert_eq!(
        keyring
            .verify(&product_signed, &Policy::any_age().signed_by("global"))
            .unwrap_err(),
        Error::WrongSigner {
            signed_by: respsig::Snippet::new("product"),
            required: respsig::Snippet::new("global")
        }
    );
    let verified = keyring
        .verify(&product_signed, &Policy::any_age().signed_by("product"))
        .unwrap();
    assert_eq!(verified.key_name(), "product");
    let global_signed = common::bytes("gkm/seed-650-update-product.json");
    assert!(
        keyring
            .verify(&global_signed, &Policy::any_age().signed_by("global"))
            .is_ok()
    );
}
