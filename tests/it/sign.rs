//! Sign -> verify round trips, and interoperability with verifiers and
//! signers no one here wrote: the `openssl` CLI and PHP's `openssl_verify`.
use crate::common;
use respsig::Policy;

use std::process::Command;

use base64::Engine as _;
use respsig::{
    DEFAULT_CLOCK_DRIFT, DEFAULT_REPLAY_WINDOW, Error, FixedClock, Hash, Keyring, Signer, UnixTime,
    canonical,
};
use serde_json::{Value, json};
use std::time::Duration;

const STANDARD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn payload() -> Value {
    json!({
        "code": 300,
        "message": "License key activated — ünïcødé 😀",
        "url": "https://example.com/a/b",
        "price": 19.99,
        "big": 1e17,
        "errors": {"product_id": ["The selected product id is invalid."]},
        "empty": [],
        "timestamp": 1709169556
    })
}

#[test]
fn round_trips_at_every_size_and_hash() {
    for bits in [2048, 3072, 4096] {
        for hash in [Hash::Sha256, Hash::Sha512] {
            let key = common::private(&format!("keys/rsa{bits}.pem")).with_hash(hash);
            let envelope = Signer::new()
                .with("product", key)
                .unwrap()
                .sign("product", &payload())
                .unwrap();
            let public = common::public(&format!("keys/rsa{bits}.pub.pem")).with_hash(hash);
            let keyring = Keyring::new().with("product", public.clone()).unwrap();
            let verified = keyring.verify(&envelope, &Policy::any_age()).unwrap();
            assert_eq!(verified.payload(), &payload());
            assert_eq!(verified.payload_bytes(), canonical::to_vec(&payload()));
            assert_eq!(verified.key(), &public);
            assert_eq!(verified.code(), Some(300));

            // The envelope cannot choose the hash: the same key configured
            // with the other hash refuses it.
            let other = match hash {
                Hash::Sha256 => Hash::Sha512,
                _ => Hash::Sha256,
            };
            let wrong_hash = Keyring::new()
                .with("product", public.with_hash(other))
                .unwrap();
            assert_eq!(
                wrong_hash
                    .verify(&envelope, &Policy::any_age())
                    .unwrap_err(),
                Error::BadSignature
            );
        }
    }
}

#[test]
fn envelope_has_the_servers_shape() {
    let envelope = common::private("keys/rsa2048.pem")
        .sign_envelope(
            "global",
            &json!({"code": 650, "message": "Product updated"}),
        )
        .unwrap();
    let members: Vec<String> = serde_json::from_str::<Value>(&envelope)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        members,
        [
            "response",
            "response_base64",
            "private_key_used",
            "signature"
        ]
    );
    assert!(envelope.starts_with(
        r#"{"response":{"code":650,"message":"Product updated"},"response_base64":"eyJjb2RlIjo2NTAsIm1lc3NhZ2UiOiJQcm9kdWN0IHVwZGF0ZWQifQ==","private_key_used":"global","signature":""#
    ));
}

#[test]
fn rotation_accepts_old_and_new_keys() {
    let old = common::private("keys/rsa2048.pem");
    let new = common::private("keys/other2048.pem");
    let keyring = Keyring::new()
        .with("product", old.public_key().clone())
        .unwrap()
        .with("product", new.public_key().clone())
        .unwrap();
    for key in [&old, &new] {
        let env = key.sign_envelope("product", &payload()).unwrap();
        assert_eq!(
            keyring.verify(&env, &Policy::any_age()).unwrap().key(),
            key.public_key()
        );
    }
    let stranger = common::private("keys/rsa3072.pem")
        .sign_envelope("product", &payload())
        .unwrap();
    assert_eq!(
        keyring.verify(stranger, &Policy::any_age()).unwrap_err(),
        Error::SignatureLength {
            got: 384,
            expected: 256
        }
    );
}

#[test]
fn freshness_policy() {
    let key = common::private("keys/rsa2048.pem");
    let keyring = Keyring::new()
        .with("product", key.public_key().clone())
        .unwrap();
    let env = key.sign_envelope("product", &payload()).unwrap();
    let ts = 1709169556;
    let at = |now| {
        Policy::max_age(Duration::from_secs(300))
            .clock_drift(Duration::from_secs(30))
            .clock(FixedClock::at(now))
    };
    assert!(keyring.verify(&env, &at(ts + 300)).is_ok());
    assert!(keyring.verify(&env, &at(ts - 30)).is_ok());
    assert_eq!(
        keyring.verify(&env, &at(ts + 301)).unwrap_err(),
        Error::StaleTimestamp {
            signed_at: UnixTime::from_secs(ts),
            now: UnixTime::from_secs(ts + 301),
            max_age: Duration::from_secs(300)
        }
    );
    assert_eq!(
        keyring.verify(&env, &at(ts - 31)).unwrap_err(),
        Error::FutureTimestamp {
            signed_at: UnixTime::from_secs(ts),
            now: UnixTime::from_secs(ts - 31),
            clock_drift: Duration::from_secs(30)
        }
    );
    let untimed = key
        .sign_envelope("product", &json!({"code": 1, "message": "x"}))
        .unwrap();
    assert_eq!(
        keyring.verify(&untimed, &at(ts)).unwrap_err(),
        Error::MissingTimestamp
    );
    // Without a policy, no timestamp is needed.
    assert!(keyring.verify(&untimed, &Policy::any_age()).is_ok());
}

/// A live answer from a server whose clock runs ahead of ours: signed
/// after the request went out by up to the clock drift (15 minutes), it
/// verifies; further ahead it is a future timestamp; signed more than the
/// replay window (60 s) before the request, it answers another request.
#[test]
fn a_live_answer_from_a_server_clock_ahead() {
    assert_eq!(DEFAULT_CLOCK_DRIFT, Duration::from_secs(15 * 60));
    assert_eq!(DEFAULT_REPLAY_WINDOW, Duration::from_secs(60));
    let key = common::private("keys/rsa2048.pem");
    let keyring = Keyring::new()
        .with("product", key.public_key().clone())
        .unwrap();
    let sent_at = 1_709_169_556;
    let signed_at = |offset: i64| {
        let mut response = payload();
        response["timestamp"] = json!(sent_at + offset);
        key.sign_envelope("product", &response).unwrap()
    };
    let policy = Policy::answer_to(UnixTime::from_secs(sent_at)).clock(FixedClock::at(sent_at + 1));
    let t = UnixTime::from_secs;
    // 5 minutes after the request (the server's clock is ahead).
    let verified = keyring.verify(signed_at(5 * 60), &policy).unwrap();
    assert_eq!(verified.timestamp(), Some(t(sent_at + 5 * 60)));
    // The bounds themselves are accepted.
    assert!(keyring.verify(signed_at(1 + 15 * 60), &policy).is_ok());
    assert!(keyring.verify(signed_at(-60), &policy).is_ok());
    // 16 minutes after: beyond the drift.
    assert_eq!(
        keyring.verify(signed_at(16 * 60), &policy).unwrap_err(),
        Error::FutureTimestamp {
            signed_at: t(sent_at + 16 * 60),
            now: t(sent_at + 1),
            clock_drift: DEFAULT_CLOCK_DRIFT
        }
    );
    // 61 s before the request: the replay window is still 60 s.
    assert_eq!(
        keyring.verify(signed_at(-61), &policy).unwrap_err(),
        Error::NotAnAnswerToRequest {
            signed_at: t(sent_at - 61),
            sent_at: t(sent_at),
            replay_window: DEFAULT_REPLAY_WINDOW
        }
    );
}

#[test]
fn unsigned_responses_are_refused() {
    let keyring = common::demo_keyring();
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let mut env: Value = serde_json::from_str(&seed).unwrap();
    for unsigned in [Some("Private key not set"), Some(""), None] {
        match unsigned {
            Some(s) => env["signature"] = Value::from(s),
            None => {
                env.as_object_mut().unwrap().shift_remove("signature");
            }
        }
        assert_eq!(
            keyring
                .verify(serde_json::to_string(&env).unwrap(), &Policy::any_age())
                .unwrap_err(),
            Error::Unsigned,
            "{unsigned:?}"
        );
    }
}

#[test]
fn deserialize_into_callers_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Reply {
        code: u32,
        message: String,
        timestamp: i64,
    }
    let keyring = common::demo_keyring();
    let verified = keyring
        .verify(
            common::bytes("gkm/seed-372-update-product-meta.json"),
            &Policy::any_age(),
        )
        .unwrap();
    assert_eq!(
        verified.deserialize::<Reply>().unwrap(),
        Reply {
            code: 372,
            message: "Meta key doesn't exists".into(),
            timestamp: 1709169540
        }
    );
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        code: String,
    }
    let err = verified.deserialize::<Wrong>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the verified payload does not fit the requested type: \"invalid type: integer `372`, expected a string\""
    );
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An envelope signed by the crate verifies with `openssl dgst -verify`
/// over the `response_base64` text.
#[test]
fn openssl_cli_accepts_what_the_crate_signs() {
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (bits, hash, flag) in [
        (2048, Hash::Sha256, "-sha256"),
        (2048, Hash::Sha512, "-sha512"),
        (4096, Hash::Sha256, "-sha256"),
    ] {
        let env = common::private(&format!("keys/rsa{bits}.pem"))
            .with_hash(hash)
            .sign_envelope("product", &payload())
            .unwrap();
        let env: Value = serde_json::from_str(&env).unwrap();
        let msg = dir.path().join("msg");
        let sig = dir.path().join("sig");
        std::fs::write(&msg, env["response_base64"].as_str().unwrap()).unwrap();
        std::fs::write(
            &sig,
            STANDARD.decode(env["signature"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let out = run(Command::new(openssl)
            .args(["dgst", flag, "-verify"])
            .arg(common::path(&format!("keys/rsa{bits}.pub.pem")))
            .arg("-signature")
            .arg(&sig)
            .arg(&msg));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");
    }
}

/// A signature made by `openssl dgst -sign` over the base64 text of the
/// canonical payload is accepted by the crate.
#[test]
fn crate_accepts_what_openssl_cli_signs() {
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (bits, hash, flag) in [
        (2048, Hash::Sha256, "-sha256"),
        (3072, Hash::Sha512, "-sha512"),
        (4096, Hash::Sha256, "-sha256"),
    ] {
        let response_base64 = STANDARD.encode(canonical::to_vec(&payload()));
        let msg = dir.path().join("msg");
        let sig = dir.path().join("sig");
        std::fs::write(&msg, &response_base64).unwrap();
        run(Command::new(openssl)
            .args(["dgst", flag, "-sign"])
            .arg(common::path(&format!("keys/rsa{bits}.pem")))
            .arg("-out")
            .arg(&sig)
            .arg(&msg));
        let envelope = json!({
            "response": payload(),
            "response_base64": response_base64,
            "private_key_used": "global",
            "signature": STANDARD.encode(std::fs::read(&sig).unwrap()),
        });
        let keyring = Keyring::new()
            .with(
                "global",
                common::public(&format!("keys/rsa{bits}.pub.pem")).with_hash(hash),
            )
            .unwrap();
        let verified = keyring
            .verify(
                serde_json::to_string(&envelope).unwrap(),
                &Policy::any_age(),
            )
            .unwrap();
        assert_eq!(verified.payload(), &payload());
    }
}

/// PHP, the server's own language, checks an envelope the crate signed the
/// way the server would: `openssl_verify` over `response_base64`, and
/// `json_encode($response)` equal to the decoded payload.
#[test]
fn php_accepts_what_the_crate_signs() {
    let Some(php) = common::tool("php", "-v") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let env_path = dir.path().join("envelope.json");
    for (bits, hash, algo) in [
        (2048, Hash::Sha256, "OPENSSL_ALGO_SHA256"),
        (4096, Hash::Sha512, "OPENSSL_ALGO_SHA512"),
    ] {
        let env = common::private(&format!("keys/rsa{bits}.pem"))
            .with_hash(hash)
            .sign_envelope("product", &payload())
            .unwrap();
        std::fs::write(&env_path, &env).unwrap();
        let script = format!(
            r#"$e = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
$k = openssl_pkey_get_public(file_get_contents($argv[2]));
$sig = base64_decode($e["signature"], true);
echo openssl_verify($e["response_base64"], $sig, $k, {algo}), " ";
echo json_encode($e["response"]) === base64_decode($e["response_base64"], true) ? "same" : "differs";"#
        );
        let out = run(Command::new(php)
            .args(["-r", &script])
            .arg(&env_path)
            .arg(common::path(&format!("keys/rsa{bits}.pub.pem"))));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "1 same",
            "{bits} {hash}"
        );
    }
}

/// The depth limit means the same for signing, for `response` and for the
/// signed payload: the deepest response the crate signs is the deepest the
/// default verifier accepts.
#[test]
fn depth_limit_agrees_between_signing_and_verifying() {
    let key = common::private("keys/rsa2048.pem");
    let keyring = Keyring::new()
        .with("product", key.public_key().clone())
        .unwrap();
    let nested = |arrays: usize| -> Value {
        let text = format!(r#"{{"x":{}1{}}}"#, "[".repeat(arrays), "]".repeat(arrays));
        canonical::read(text.as_bytes()).unwrap()
    };
    // Envelope (1) + response (1) + 126 arrays = 128 levels.
    let deepest = nested(126);
    let env = key.sign_envelope("product", &deepest).unwrap();
    assert_eq!(
        keyring.verify(&env, &Policy::any_age()).unwrap().payload(),
        &deepest
    );
    assert_eq!(
        key.sign_envelope("product", &nested(127)).unwrap_err(),
        Error::Malformed {
            member: respsig::Member::Response,
            problem: respsig::Problem::TooDeep { limit: 128 }
        }
    );
}

/// A private key with a wrong CRT exponent (found by the `key` fuzz
/// target) is refused at load, not at its first signature; a wrong `d`,
/// which ring never uses, still signs correctly.
#[test]
fn inconsistent_private_keys_are_refused_at_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/key");
    for file in ["rsa2048-bad-dP.der", "rsa2048-bad-dQ.der"] {
        let der = std::fs::read(dir.join(file)).unwrap();
        assert_eq!(
            respsig::SigningKey::from_der(&der).err(),
            Some(respsig::Error::KeyRejected(
                respsig::KeyProblem::PrivateKey {
                    reason: "inconsistent key: a test signature failed".into()
                }
            )),
            "{file}"
        );
    }
    let der = std::fs::read(dir.join("rsa2048-bad-d.der")).unwrap();
    let key = respsig::SigningKey::from_der(&der).unwrap();
    let sig = key.sign_bytes(b"msg").unwrap();
    assert_eq!(key.public_key().verify_signature(b"msg", &sig), Ok(()));
}
