//! Malformed envelopes: each refused with the exact error, never a panic,
//! and error text that never echoes more than a short prefix of the input.
use crate::common;
use respsig::Policy;

use base64::Engine as _;
use respsig::{Error, Keyring, Limits, Member, Problem, Snippet};

const STANDARD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn keyring() -> Keyring {
    Keyring::new()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap()
}

/// An envelope over an arbitrary payload text, really signed with the test
/// key, so that only the payload's own content can be wrong.
fn signed_over(payload: &[u8], response: &str) -> String {
    let key = common::private("keys/rsa2048.pem");
    let b64 = STANDARD.encode(payload);
    let sig = STANDARD.encode(key.sign_bytes(b64.as_bytes()).unwrap());
    format!(
        r#"{{"response":{response},"response_base64":"{b64}","private_key_used":"product","signature":"{sig}"}}"#
    )
}

fn malformed(member: Member, problem: Problem) -> Error {
    Error::Malformed { member, problem }
}

#[test]
fn duplicates_at_every_level() {
    let good = signed_over(br#"{"code":1}"#, r#"{"code":1}"#);
    assert!(keyring().verify(&good, &Policy::any_age()).is_ok());

    // Top level: each of the four members, and an unknown one.
    for member in [
        "response",
        "response_base64",
        "private_key_used",
        "signature",
    ] {
        let value = &good[good.find(&format!("\"{member}\":")).unwrap()..];
        let value = &value[..value.find(",\"").unwrap_or(value.len() - 1)];
        let dup = good.replacen('{', &format!("{{{value},"), 1);
        let want_member = match member {
            "response" => Member::Response,
            "response_base64" => Member::ResponseBase64,
            "private_key_used" => Member::PrivateKeyUsed,
            _ => Member::Signature,
        };
        assert_eq!(
            keyring().verify(&dup, &Policy::any_age()).unwrap_err(),
            malformed(want_member, Problem::Duplicate),
            "{member}"
        );
    }
    // An unknown member twice: named in the error.
    let dup = good.replacen('{', r#"{"x":1,"x":1,"#, 1);
    let err = keyring().verify(&dup, &Policy::any_age()).unwrap_err();
    assert_eq!(
        err,
        malformed(
            Member::Envelope,
            Problem::DuplicateKey {
                key: respsig::Snippet::new("x")
            }
        )
    );
    assert_eq!(err.to_string(), r#"malformed envelope: duplicate key "x""#);

    // Inside `response`.
    let env = signed_over(br#"{"code":1}"#, r#"{"code":1,"code":1}"#);
    assert_eq!(
        keyring().verify(&env, &Policy::any_age()).unwrap_err(),
        malformed(
            Member::Response,
            Problem::DuplicateKey {
                key: Snippet::new("code")
            }
        )
    );

    // Inside the signed payload: the signature is good, the payload is not.
    let env = signed_over(br#"{"code":1,"code":2}"#, r#"{"code":2}"#);
    assert_eq!(
        keyring().verify(&env, &Policy::any_age()).unwrap_err(),
        Error::PayloadNotJson {
            problem: Problem::DuplicateKey {
                key: Snippet::new("code")
            }
        }
    );
}

#[test]
fn signed_payloads_that_are_not_json_objects() {
    for (payload, want) in [
        (&b"[1,2]"[..], Problem::NotAnObject),
        (
            b"xyz",
            Problem::Syntax {
                offset: 0,
                expected: "a JSON value",
            },
        ),
        (b"{\"a\":\"\xff\"}", Problem::InvalidUtf8 { offset: 6 }),
    ] {
        let env = signed_over(payload, "{}");
        assert_eq!(
            keyring().verify(&env, &Policy::any_age()).unwrap_err(),
            Error::PayloadNotJson { problem: want },
            "{payload:?}"
        );
    }
}

#[test]
fn wrong_types() {
    let good = signed_over(br#"{"code":1}"#, r#"{"code":1}"#);
    let sig_value = good
        .split("\"signature\":")
        .nth(1)
        .unwrap()
        .trim_end_matches('}');
    for (from, to, want) in [
        (
            sig_value,
            "5",
            malformed(Member::Signature, Problem::NotAString),
        ),
        (
            sig_value,
            "null",
            malformed(Member::Signature, Problem::NotAString),
        ),
        (
            r#""product""#,
            r#"["product"]"#,
            malformed(Member::PrivateKeyUsed, Problem::NotAString),
        ),
        (
            r#""response":{"code":1}"#,
            r#""response":[]"#,
            malformed(Member::Response, Problem::NotAnObject),
        ),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good);
        assert_eq!(
            keyring().verify(&bad, &Policy::any_age()).unwrap_err(),
            want,
            "{to}"
        );
    }
    assert_eq!(
        keyring().verify("[]", &Policy::any_age()).unwrap_err(),
        malformed(Member::Envelope, Problem::NotAnObject)
    );
    assert_eq!(
        keyring().verify("", &Policy::any_age()).unwrap_err(),
        malformed(Member::Envelope, Problem::NotAnObject)
    );
    assert_eq!(
        keyring()
            .verify(&good[..good.len() - 1], &Policy::any_age())
            .unwrap_err(),
        malformed(
            Member::Envelope,
            Problem::Syntax {
                offset: good.len() - 1,
                expected: "`,` or `}`"
            }
        )
    );
}

#[test]
fn deep_nesting_and_size_limits() {
    let deep = format!(
        r#"{{"response":{{"a":{}}},"response_base64":"","private_key_used":"product"}}"#,
        "[".repeat(100_000)
    );
    assert_eq!(
        keyring().verify(&deep, &Policy::any_age()).unwrap_err(),
        malformed(Member::Response, Problem::TooDeep { limit: 128 })
    );
    let big = vec![b' '; 64 << 20];
    let start = std::time::Instant::now();
    assert_eq!(
        keyring().verify(&big, &Policy::any_age()).unwrap_err(),
        Error::TooLarge {
            len: 64 << 20,
            limit: 1 << 20
        }
    );
    // Refused by length alone: no parsing of 64 MiB (generous bound for
    // debug builds on a loaded machine; this is a sanity check, not a
    // benchmark).
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
    // A raised limit lets a larger envelope through to the parser.
    let options = Policy::any_age().limits(Limits::new().max_input_bytes(128 << 20));
    assert_eq!(
        keyring().verify(&big, &options).unwrap_err(),
        malformed(Member::Envelope, Problem::NotAnObject)
    );
}

#[test]
fn error_text_never_echoes_long_input() {
    let long_name = "x".repeat(10_000);
    let env = signed_over(br#"{"code":1}"#, r#"{"code":1}"#)
        .replace("\"product\"", &format!("\"{long_name}\""));
    let err = keyring().verify(&env, &Policy::any_age()).unwrap_err();
    let text = err.to_string();
    assert!(text.len() < 200, "{text}");
    assert!(
        text.contains(&format!("\"{}\"...", "x".repeat(32))),
        "{text}"
    );

    // A terminal escape sequence (as a JSON escape) at the start of a
    // long duplicated key.
    let long_key = format!("\\u001b[31m{}", "k".repeat(5000));
    let env = signed_over(
        br#"{"code":1}"#,
        &format!(r#"{{"{long_key}":1,"{long_key}":2}}"#),
    );
    let err = keyring().verify(&env, &Policy::any_age()).unwrap_err();
    assert!(matches!(
        &err,
        Error::Malformed { member: Member::Response, problem: Problem::DuplicateKey { key } }
            if key.is_truncated() && key.as_str().starts_with("\u{1b}[31mkkk")
    ));
    let text = err.to_string();
    assert!(text.len() < 200, "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}[31mkkk"), "{text}");
}

#[test]
fn unknown_members_are_ignored_but_must_be_json() {
    let seed = common::text("gkm/seed-650-update-product.json");
    let keyring = common::demo_keyring();
    let extended = seed.replacen(
        '{',
        r#"{"signature_metadata": {"alg": "none", "key": "attacker"}, "x": [1, 2],"#,
        1,
    );
    let verified = keyring.verify(&extended, &Policy::any_age()).unwrap();
    assert_eq!(verified.code(), Some(650));
    assert_eq!(verified.key(), &common::demo_key());
    let broken = seed.replacen('{', r#"{"x": [1, 2,],"#, 1);
    assert!(matches!(
        keyring.verify(&broken, &Policy::any_age()).unwrap_err(),
        Error::Malformed {
            member: Member::Envelope,
            problem: Problem::Syntax { .. }
        }
    ));
}
