//! Product keys from the server's `get-product-public-key` response: the
//! `global` key vouches, the code and product must be right, and the key
//! passes the usual policy.
use crate::common;
use respsig::Policy;

use respsig::{Error, KeyProblem, KeyResponseProblem, Keyring, Snippet};
use serde_json::{Value, json};

const UUID: &str = "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f";

/// The server side: `global` = other2048, `product` = rsa2048.
fn server() -> respsig::Signer {
    respsig::Signer::new()
        .with("global", common::private("keys/other2048.pem"))
        .unwrap()
        .with("product", common::private("keys/rsa2048.pem"))
        .unwrap()
}

/// The client side before it knows the product key.
fn client() -> Keyring {
    Keyring::new()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap()
}

fn found(public_key: Value) -> Value {
    json!({"code": 632, "message": "Public key retrieved successfully",
           "product": {"uuid": UUID}, "public_key": public_key, "timestamp": 1709169556})
}

fn product_pem() -> String {
    common::text("keys/rsa2048.pub.pem")
}

fn add(
    payload: &Value,
    signed_as: &str,
    uuid: Option<&str>,
) -> (Keyring, Result<respsig::PublicKey, Error>) {
    let mut keyring = client();
    if signed_as == "product" {
        keyring
            .add("product", common::public("keys/rsa2048.pub.pem"))
            .unwrap();
    }
    let envelope = server().sign(signed_as, payload).unwrap();
    let verified = keyring.verify(&envelope, &Policy::any_age()).unwrap();
    let result = keyring.add_product_key("distributed", &verified, uuid);
    (keyring, result)
}

fn refused(problem: KeyResponseProblem) -> Result<respsig::PublicKey, Error> {
    Err(Error::KeyResponse(problem))
}

#[test]
fn a_vouched_key_is_added_and_then_verifies_product_envelopes() {
    let (keyring, key) = add(&found(product_pem().into()), "global", Some(UUID));
    let key = key.unwrap();
    assert_eq!(key, common::public("keys/rsa2048.pub.pem"));
    assert_eq!(keyring.keys("distributed"), std::slice::from_ref(&key));
    assert_eq!(
        key.fingerprint(),
        common::public("keys/rsa2048.pub.pem").fingerprint()
    );

    // A later product envelope, relabelled to the distributed name, verifies.
    let payload = json!({"code": 200, "message": "Valid license key"});
    let envelope = server().sign("product", &payload).unwrap();
    let envelope = envelope.replace("\"product\"", "\"distributed\"");
    assert_eq!(
        keyring
            .verify(&envelope, &Policy::any_age())
            .unwrap()
            .code(),
        Some(200)
    );
}

#[test]
fn the_sdk_layout_under_data_is_read_too() {
    let payload = json!({"code": 632, "message": "Public key retrieved successfully",
        "data": {"product_uuid": UUID, "public_key": product_pem()}});
    let (_, key) = add(&payload, "global", Some(UUID));
    assert_eq!(key.unwrap(), common::public("keys/rsa2048.pub.pem"));
    // Without a product to match, no product needs to be named.
    let payload = json!({"code": 632, "public_key": product_pem()});
    assert!(add(&payload, "global", None).1.is_ok());
}

#[test]
fn only_the_global_key_vouches() {
    let (keyring, result) = add(&found(product_pem().into()), "product", Some(UUID));
    assert_eq!(
        result,
        refused(KeyResponseProblem::WrongVoucher {
            signed_by: Snippet::new("product"),
            required: "global"
        })
    );
    assert!(keyring.keys("distributed").is_empty());
}

#[test]
fn codes_other_than_632_are_refused() {
    let not_found = json!({"code": 633, "message": "Public key not available for product"});
    assert_eq!(
        add(&not_found, "global", None).1,
        refused(KeyResponseProblem::NotFound)
    );
    let mut other = found(product_pem().into());
    other["code"] = json!(200);
    assert_eq!(
        add(&other, "global", None).1,
        refused(KeyResponseProblem::UnexpectedCode { code: Some(200) })
    );
    other.as_object_mut().unwrap().remove("code");
    assert_eq!(
        add(&other, "global", None).1,
        refused(KeyResponseProblem::UnexpectedCode { code: None })
    );
    // The server sometimes sends codes as strings; "632" is 632.
    let mut as_string = found(product_pem().into());
    as_string["code"] = json!("632");
    assert!(add(&as_string, "global", Some(UUID)).1.is_ok());
}

#[test]
fn the_product_must_be_the_one_asked_for() {
    let payload = found(product_pem().into());
    let (keyring, result) = add(&payload, "global", Some("another-product"));
    assert_eq!(
        result,
        refused(KeyResponseProblem::ProductMismatch {
            got: Snippet::new(UUID)
        })
    );
    assert!(keyring.keys("distributed").is_empty());

    let mut unnamed = payload.clone();
    unnamed.as_object_mut().unwrap().remove("product");
    assert_eq!(
        add(&unnamed, "global", Some(UUID)).1,
        refused(KeyResponseProblem::MissingProduct)
    );

    // Two places name a product: both must match.
    let mut two = payload.clone();
    two["data"] = json!({"product_uuid": "someone-else"});
    assert_eq!(
        add(&two, "global", Some(UUID)).1,
        refused(KeyResponseProblem::ProductMismatch {
            got: Snippet::new("someone-else")
        })
    );
    let mut number = payload;
    number["product"] = json!({"uuid": 42});
    assert_eq!(
        add(&number, "global", Some(UUID)).1,
        refused(KeyResponseProblem::ProductMismatch {
            got: Snippet::new("42")
        })
    );
}

#[test]
fn the_key_must_be_there_once_and_acceptable() {
    let mut missing = found(Value::Null);
    missing.as_object_mut().unwrap().remove("public_key");
    assert_eq!(
        add(&missing, "global", None).1,
        refused(KeyResponseProblem::MissingKey)
    );
    assert_eq!(
        add(&found(json!(42)), "global", None).1,
        refused(KeyResponseProblem::MissingKey)
    );
    let mut two = found(product_pem().into());
    two["data"] = json!({"public_key": common::text("keys/other2048.pub.pem")});
    assert_eq!(
        add(&two, "global", None).1,
        refused(KeyResponseProblem::AmbiguousKey)
    );
    let mut same = found(product_pem().into());
    same["data"] = json!({"public_key": product_pem()});
    assert!(add(&same, "global", None).1.is_ok());

    assert_eq!(
        add(
            &found(common::text("keys/rsa1024.pub.pem").into()),
            "global",
            None
        )
        .1,
        Err(Error::KeyRejected(KeyProblem::TooSmall {
            bits: 1024,
            min: 2048
        }))
    );
    assert_eq!(
        add(
            &found(common::text("keys/ec-p256.pub.pem").into()),
            "global",
            None
        )
        .1,
        Err(Error::KeyRejected(KeyProblem::UnsupportedAlgorithm))
    );
    assert_eq!(
        add(
            &found(common::text("adversarial/keys/e3-2048.pub.pem").into()),
            "global",
            None
        )
        .1,
        Err(Error::KeyRejected(KeyProblem::SmallExponent { e: 3 }))
    );
}

/// A key response altered in transit never gets as far as the keyring.
#[test]
fn a_swapped_key_fails_verification() {
    let envelope = server()
        .sign("global", &found(product_pem().into()))
        .unwrap();
    let mut parsed: Value = serde_json::from_str(&envelope).unwrap();
    let forged = found(common::text("keys/rsa3072.pub.pem").into());
    let text = String::from_utf8(respsig::canonical::to_vec(&forged)).unwrap();
    parsed["response"] = forged;
    parsed["response_base64"] = json!(b64(text.as_bytes()));
    assert_eq!(
        client()
            .verify(serde_json::to_vec(&parsed).unwrap(), &Policy::any_age())
            .unwrap_err(),
        Error::BadSignature
    );
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
