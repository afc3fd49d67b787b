//! Verification: the only place a [`Verified`] is built.
//!
//! [`verify`] runs these steps, in this order; each names the function
//! that does it and the error it gives:
//! 1. size limit, then shape ([`crate::envelope::view`]): nothing is
//!    decoded or hashed before the input is known to be a well-formed
//!    envelope;
//! 2. `signature` present and not the server's `Private key not set`
//!    ([`check_signed`], [`Error::Unsigned`]);
//! 3. `private_key_used` names a configured key (`Keyring::named`,
//!    [`Error::UnknownKeyName`]);
//! 4. `signature_metadata.algorithm`, when the envelope has one, names the
//!    algorithm of a key of that name ([`check_metadata`],
//!    [`Error::AlgorithmMismatch`]): it is unsigned, so it can only refuse,
//!    never choose; keys it disagrees with are not tried;
//! 5. `signature` is strict base64 ([`decode_signature`]) of exactly the
//!    signature length of a key of that name ([`check_signature_len`],
//!    [`Error::SignatureLength`]);
//! 6. the signature over the ASCII bytes of `response_base64` under a key
//!    of that name, with that key's algorithm ([`Error::BadSignature`]);
//! 7. only now is the signed text decoded: strict base64, UTF-8 JSON object
//!    ([`check_content`], [`Error::PayloadNotJson`]);
//! 8. the plain `response` must have the same content: PHP would write
//!    it as the same bytes, member order aside ([`check_content`],
//!    [`Error::ContentMismatch`]);
//! 9. the name that verified is the one the policy requires, if it names
//!    one ([`Policy::signed_by`], [`Error::WrongSigner`]);
//! 10. the age: for a live answer, not signed more than the replay window
//!     before its request ([`Error::NotAnAnswerToRequest`]); not more than
//!     the clock drift ahead of the clock ([`Error::FutureTimestamp`]); not
//!     older than a maximum age ([`Error::StaleTimestamp`]); a bounded age
//!     needs an integer `timestamp` ([`Error::MissingTimestamp`]).
//!
//! # Replay
//!
//! The server's payloads name no request and carry no nonce: a signature
//! proves "the server said this at `timestamp`", never "the server answered
//! *my* request". A live answer is therefore checked against the moment its
//! request was sent ([`Policy::answer_to`]): anything signed earlier, less
//! the replay window, answers an earlier request. An answer read back from
//! a cache or disk has no request; [`Policy::max_age`] bounds its age. What
//! no check here can stop (a replay within the window, an answer relayed in
//! real time from another client) is in `SECURITY.md`.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::algorithm::Algorithm;
use crate::base64;
use crate::envelope;
use crate::error::{Error, Member, Problem, Snippet};
use crate::json;
use crate::key::{Named, PublicKey};
use crate::policy::Policy;
use crate::response_code::ResponseCode;
use crate::time::UnixTime;

/// A response whose signature, payload and content all checked out.
///
/// Nothing outside this crate can construct one: holding a `Verified` means
/// [`Keyring::verify`](crate::Keyring::verify) accepted the envelope under the caller's [`Policy`]. The payload it hands out comes
/// from the signed `response_base64`, never from the unsigned `response`.
///
/// The key name is the one exception: `private_key_used` is not covered by
/// the signature, it only selected which of your keys to try. If you put
/// one key under two names (as the server's demo setup does with `product`
/// and `global`), the sender chooses which of those names you see here:
/// require the name in the policy ([`Policy::signed_by`]), or keep one key
/// per name.
#[derive(Clone)]
pub struct Verified {
    key_name: Arc<str>,
    key: PublicKey,
    payload_bytes: Vec<u8>,
    /// The payload read into a `Value` on first use: verification checks
    /// it without building it (see [`verify`]).
    payload: OnceLock<Value>,
}

impl Verified {
    /// The configured name that `private_key_used` selected (unsigned: see
    /// the type's docs).
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The key whose signature matched.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The exact signed payload: the bytes `response_base64` decodes to.
    pub fn payload_bytes(&self) -> &[u8] {
        &self.payload_bytes
    }

    /// The signed payload as JSON, member order kept.
    pub fn payload(&self) -> &Value {
        self.payload
            .get_or_init(|| read_checked(&self.payload_bytes))
    }

    /// Consumes the value, returning the signed payload.
    pub fn into_payload(self) -> Value {
        match self.payload.into_inner() {
            Some(payload) => payload,
            None => read_checked(&self.payload_bytes),
        }
    }

    /// The response code. The server sometimes sends it as a string
    /// (`"400"`); that is accepted when it is a plain decimal integer.
    pub fn code(&self) -> Option<i64> {
        integer(self.payload().get("code")?)
    }

    /// The response code as the server's catalogue names it; codes the
    /// catalogue does not list keep their number ([`ResponseCode::is_known`]).
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// # let key = respsig::PublicKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", key).unwrap();
    /// # let envelope = std::fs::read_to_string("testdata/gkm/seed-373-update-product-meta.json").unwrap();
    /// use respsig::ResponseCode;
    /// let verified = keyring.verify(&envelope, &respsig::Policy::any_age()).unwrap();
    /// assert_eq!(verified.response_code(), Some(ResponseCode::PRODUCT_META_UPDATED));
    /// ```
    pub fn response_code(&self) -> Option<ResponseCode> {
        self.code().map(ResponseCode::from_code)
    }

    /// The response message.
    pub fn message(&self) -> Option<&str> {
        self.payload().get("message")?.as_str()
    }

    /// The signed `timestamp` (Unix seconds), as an integer or a decimal
    /// string.
    ///
    /// A string of decimal digits (with an optional `-`), such as
    /// `"1709169556"`, reads as that number, as the server's string codes
    /// (`"400"`) do: it is what the server signed either way. Anything else
    /// (a fraction, an exponent, `+`, blanks, a number beyond `i64`) is
    /// `None`, and the age checks refuse it as
    /// [`Error::MissingTimestamp`].
    pub fn timestamp(&self) -> Option<UnixTime> {
        integer(self.payload().get("timestamp")?).map(UnixTime::from_secs)
    }

    /// Requires the signed member at `member` to be exactly `value` (as
    /// JSON: a string equals only the same string, `4` is not `"4"`), and
    /// returns `self` to chain. `member` is a member name, or names joined
    /// by `.` to reach into nested objects (`product.uuid`).
    ///
    /// Use it wherever a payload names something the caller knows: the
    /// license key it sent, its product, its hardware id. An answer that
    /// names another one, or none, is refused with
    /// [`Error::MemberMismatch`], which carries neither value.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// # let server = respsig::SigningKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", server.public_key().clone())?;
    /// # let envelope = server.sign_envelope("product", &serde_json::json!({"code": 200,
    /// #     "license_key": "LIC-1", "product": {"uuid": "8d3f"}, "timestamp": 1709169556}))?;
    /// let verified = keyring.verify(&envelope, &respsig::Policy::any_age())?;
    /// verified.require("license_key", "LIC-1")?.require("product.uuid", "8d3f")?;
    /// assert_eq!(
    ///     verified.require("license_key", "LIC-2").unwrap_err(),
    ///     respsig::Error::MemberMismatch { member: respsig::Snippet::new("license_key"), present: true }
    /// );
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn require(&self, member: &str, value: impl Into<Value>) -> Result<&Self, Error> {
        let found = member
            .split('.')
            .try_fold(self.payload(), |value, name| value.get(name));
        match found {
            Some(found) if *found == value.into() => Ok(self),
            found => Err(Error::MemberMismatch {
                member: Snippet::new(member),
                present: found.is_some(),
            }),
        }
    }

    /// The signed payload in the caller's own type.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// # let key = respsig::PublicKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", key).unwrap();
    /// # let envelope = std::fs::read_to_string("testdata/gkm/seed-373-update-product-meta.json").unwrap();
    /// #[derive(serde::Deserialize)]
    /// struct Reply { code: u32, message: String }
    /// let reply: Reply = keyring.verify(&envelope, &respsig::Policy::any_age()).unwrap().deserialize().unwrap();
    /// assert_eq!((reply.code, reply.message.as_str()), (373, "Product meta updated"));
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        json::deserialize(self.payload())
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("key_name", &self.key_name)
            .field("key", &self.key)
            .field("payload", self.payload())
            .finish_non_exhaustive()
    }
}

/// Reads a payload [`verify`] has already checked (within the depth
/// ceiling, which bounds every configurable limit), so it cannot fail. If
/// it ever did, that would be a bug in this crate: it panics (and the fuzz
/// targets report it) rather than hand out a `null` in place of what was
/// signed.
fn read_checked(bytes: &[u8]) -> Value {
    match json::parse_nested(bytes, json::DEPTH_CEILING, 1) {
        Ok(value) => value,
        Err(problem) => panic!("respsig bug: a verified payload did not read back: {problem}"),
    }
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

/// Decodes `response_base64` (strict base64) and reads it as JSON at the
/// level where `response` stands in the envelope, so one depth limit means
/// the same for both. Returns the bytes and the value.
pub(crate) fn decode_payload(
    response_base64: &str,
    max_depth: usize,
) -> Result<(Vec<u8>, Value), Error> {
    let bytes = base64::decode(response_base64).ok_or(Error::Malformed {
        member: Member::ResponseBase64,
        problem: Problem::Base64,
    })?;
    let value = json::parse_nested(&bytes, max_depth, 1)
        .map_err(|problem| Error::PayloadNotJson { problem })?;
    Ok((bytes, value))
}

/// JSON's whitespace.
const JSON_BLANK: [char; 4] = [' ', '\t', '\n', '\r'];

/// `bytes` without JSON's whitespace at either end.
fn trim_blank(bytes: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The longest signature decoded on the stack: the largest modulus an RSA
/// [`PublicKey`] may have (Ed25519 signatures are 64 bytes). Longer ones
/// are decoded on the heap, only to be refused for their length.
const MAX_SIGNATURE_LEN: usize = crate::key::MAX_BITS / 8;

/// Verifies an envelope: the steps of the module's docs, in that order.
/// `keys_of` gives the configured keys of a name (the keyring's lookup).
pub(crate) fn verify<'k>(
    input: &[u8],
    policy: &Policy,
    keys_of: impl FnOnce(&str) -> Result<Named<'k>, Error>,
) -> Result<Verified, Error> {
    // Borrowed until the signature checks out: no `Value`, no copies.
    let env = envelope::view(input, policy.input_limits())?;
    let signature = check_signed(env.signature.as_deref())?;
    let (key_name, keys) = keys_of(&env.private_key_used)?;
    let claimed = check_metadata(&env, keys)?;
    let agrees = |k: &&PublicKey| claimed.is_none_or(|algorithm| algorithm == k.algorithm());
    let mut stack = [0u8; MAX_SIGNATURE_LEN];
    let mut heap = Vec::new();
    let sig = decode_signature(signature, &mut stack, &mut heap)?;
    check_signature_len(sig, keys.iter().filter(agrees))?;
    let key = keys
        .iter()
        .filter(agrees)
        .find(|k| k.verify_raw(env.response_base64.as_bytes(), sig))
        .ok_or(Error::BadSignature)?;
    // Signed from here on.
    let (payload_bytes, payload) = check_content(&env, policy.input_limits().depth_limit())?;
    let verified = Verified {
        key_name: Arc::clone(key_name),
        key: key.clone(),
        payload_bytes,
        payload,
    };
    policy.check_signer(&verified.key_name)?;
    policy.check_age(|| verified.timestamp())?;
    Ok(verified)
}

/// Step 2: `signature` is there and is not the server's "unsigned".
fn check_signed(signature: Option<&str>) -> Result<&str, Error> {
    match signature {
        s if envelope::is_unsigned(s) => Err(Error::Unsigned),
        Some(s) => Ok(s),
        None => Err(Error::Unsigned),
    }
}

/// Step 4: `signature_metadata.algorithm`, when there, names the algorithm
/// of a key of the name: the algorithm keys are narrowed to. It is
/// unsigned, so it can only refuse (an unknown name agrees with no key),
/// never choose.
fn check_metadata(
    env: &envelope::View<'_>,
    keys: &[PublicKey],
) -> Result<Option<Algorithm>, Error> {
    let Some(name) = env
        .signature_metadata
        .as_ref()
        .and_then(|m| m.algorithm.as_deref())
    else {
        return Ok(None);
    };
    match Algorithm::from_name(name) {
        Some(algorithm) if keys.iter().any(|k| k.algorithm() == algorithm) => Ok(Some(algorithm)),
        _ => Err(Error::AlgorithmMismatch {
            claimed: Snippet::new(name),
            key: keys[0].algorithm(),
        }),
    }
}

/// Step 5, first half: `signature` is strict base64, decoded on the stack
/// when it is no longer than any key's signature.
fn decode_signature<'b>(
    signature: &str,
    stack: &'b mut [u8; MAX_SIGNATURE_LEN],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8], Error> {
    let malformed = || Error::Malformed {
        member: Member::Signature,
        problem: Problem::Base64,
    };
    let len = base64::decoded_len(signature.as_bytes()).ok_or_else(malformed)?;
    let sig: &mut [u8] = if len <= MAX_SIGNATURE_LEN {
        &mut stack[..len]
    } else {
        // Longer than any modulus: decoded only to be refused for its
        // length (or its encoding).
        heap.resize(len, 0);
        heap
    };
    if !base64::decode_into(signature.as_bytes(), sig) {
        return Err(malformed());
    }
    Ok(sig)
}

/// Step 5, second half (and the signed-JSON license's): the signature is as
/// long as a signature under one of `keys` (which are never none).
pub(crate) fn check_signature_len<'k>(
    sig: &[u8],
    mut keys: impl Iterator<Item = &'k PublicKey> + Clone,
) -> Result<(), Error> {
    if keys.clone().any(|k| k.signature_len() == sig.len()) {
        return Ok(());
    }
    Err(Error::SignatureLength {
        got: sig.len(),
        expected: keys.next().map_or(0, PublicKey::signature_len),
    })
}

/// Steps 7 and 8: the signed text decodes to a JSON object with the
/// content of the plain `response`. Read with the errors and in the order
/// [`decode_payload`] and a `Value` would give, but without building one
/// unless the two copies differ in key order.
fn check_content(
    env: &envelope::View<'_>,
    depth_limit: usize,
) -> Result<(Vec<u8>, OnceLock<Value>), Error> {
    let payload_bytes = base64::decode(&env.response_base64).ok_or(Error::Malformed {
        member: Member::ResponseBase64,
        problem: Problem::Base64,
    })?;
    let payload = OnceLock::new();
    // The server writes `response` and the payload with one json_encode:
    // byte for byte the same text (blanks around aside). Then the payload
    // passed every check `response` passed, under the same depth limit at
    // the same level, and is the same value: nothing to read again.
    let same = trim_blank(&payload_bytes) == env.response.as_bytes()
        // Another layout of the same text (`response` pretty-printed, as
        // the docs show it): a payload that matches `response` token by
        // token was read in full on the way (grammar, escapes, numbers)
        // and has `response`'s keys and nesting, which were checked, so it
        // passes every check below: it is read once, not twice.
        || std::str::from_utf8(&payload_bytes)
            .is_ok_and(|text| json::same_text(env.response, text) == Some(true))
        || {
        let payload_text = json::check_nested(&payload_bytes, depth_limit, 1)
            .map_err(|problem| Error::PayloadNotJson { problem })?;
        if !payload_text.trim_start_matches(JSON_BLANK).starts_with('{') {
            return Err(Error::PayloadNotJson {
                problem: Problem::NotAnObject,
            });
        }
        // Same content as PHP writes it: objects compare as maps (order
        // aside), numbers by their canonical bytes, strings exactly; token
        // by token unless keys come in another order.
        match json::same_text(env.response, payload_text) {
            Some(same) => same,
            None => json::same_value(
                env.response,
                payload.get_or_init(|| read_checked(&payload_bytes)),
            ),
        }
    };
    if !same {
        return Err(Error::ContentMismatch);
    }
    Ok((payload_bytes, payload))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::keyring::Keyring;
    use crate::time::{DEFAULT_CLOCK_DRIFT, DEFAULT_REPLAY_WINDOW, FixedClock};

    #[test]
    fn blanks_trimmed() {
        assert_eq!(trim_blank(b" \t\r\n{}\n "), b"{}");
        assert_eq!(trim_blank(b"{ }"), b"{ }");
        assert_eq!(
            trim_blank(b"\x0c{}"),
            b"\x0c{}",
            "form feed is not JSON blank"
        );
        assert_eq!(trim_blank(b"  "), b"");
        assert_eq!(trim_blank(b""), b"");
    }

    /// A keyring and a signer over the repository's test key, and an
    /// envelope signing `payload` under `product`.
    fn signed(payload: Value) -> (Keyring, String) {
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/keys/rsa2048.pem"
        ))
        .unwrap();
        let key = crate::SigningKey::from_pem(&pem).unwrap();
        let keyring = Keyring::new()
            .with("product", key.public_key().clone())
            .unwrap();
        let envelope = key.sign_envelope("product", &payload).unwrap();
        (keyring, envelope)
    }

    const SENT_AT: i64 = 1_800_000_000;
    const NOW: i64 = SENT_AT + 5;

    fn t(secs: i64) -> UnixTime {
        UnixTime::from_secs(secs)
    }

    fn policy() -> Policy {
        Policy::answer_to(t(SENT_AT)).clock(FixedClock::at(NOW))
    }

    /// Verifies an answer with `timestamp` against a request sent at
    /// `SENT_AT`, the clock at `NOW`, the default window and drift.
    fn answer(timestamp: Value) -> Result<Option<i64>, Error> {
        let (keyring, envelope) = signed(serde_json::json!(
            {"code": 200, "message": "Valid license key", "timestamp": timestamp}
        ));
        keyring
            .verify(&envelope, &policy())
            .map(|verified| verified.timestamp().map(UnixTime::as_secs))
    }

    #[test]
    fn answer_to_request_bounds_are_inclusive() {
        assert_eq!(DEFAULT_REPLAY_WINDOW, Duration::from_secs(60));
        assert_eq!(DEFAULT_CLOCK_DRIFT, Duration::from_secs(900));
        let early = SENT_AT - 60;
        assert_eq!(answer(Value::from(early)), Ok(Some(early)));
        assert_eq!(
            answer(Value::from(early - 1)),
            Err(Error::NotAnAnswerToRequest {
                signed_at: t(early - 1),
                sent_at: t(SENT_AT),
                replay_window: DEFAULT_REPLAY_WINDOW
            })
        );
        // The future is measured from the clock, not from `sent_at`: a
        // server clock up to 15 minutes ahead is still the server's answer.
        let late = NOW + 900;
        assert_eq!(answer(Value::from(late)), Ok(Some(late)));
        assert_eq!(
            answer(Value::from(late + 1)),
            Err(Error::FutureTimestamp {
                signed_at: t(late + 1),
                now: t(NOW),
                clock_drift: DEFAULT_CLOCK_DRIFT
            })
        );
    }

    #[test]
    fn answer_to_request_without_a_usable_timestamp() {
        // Missing.
        let (keyring, envelope) = signed(serde_json::json!({"code": 200}));
        assert_eq!(
            keyring.verify(&envelope, &policy()).unwrap_err(),
            Error::MissingTimestamp
        );
        // Not an integer, or not a plain decimal string: missing too. (A
        // float with no fraction, 1.8e9, is written as an integer by PHP
        // and by the signer, so it arrives as one.)
        for bad in [
            serde_json::json!(1_800_000_000.5),
            serde_json::json!("1800000000.0"),
            serde_json::json!("+1800000000"),
            serde_json::json!(" 1800000000"),
            serde_json::json!("18e8"),
            serde_json::json!(""),
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!([SENT_AT]),
            serde_json::json!({"timestamp": SENT_AT}),
            serde_json::json!(u64::MAX),
        ] {
            assert_eq!(answer(bad.clone()), Err(Error::MissingTimestamp), "{bad}");
        }
        // A decimal string reads as its number, like the server's "400"
        // codes: in range it passes, and "400" is 1970.
        assert_eq!(answer(Value::from(SENT_AT.to_string())), Ok(Some(SENT_AT)));
        assert_eq!(
            answer(Value::from("400")),
            Err(Error::NotAnAnswerToRequest {
                signed_at: t(400),
                sent_at: t(SENT_AT),
                replay_window: DEFAULT_REPLAY_WINDOW
            })
        );
    }

    #[test]
    fn answer_to_request_with_other_tolerances_and_a_maximum_age() {
        let (keyring, envelope) = signed(serde_json::json!({"timestamp": SENT_AT - 1}));
        let strict = Policy::answer_to(t(SENT_AT))
            .replay_window(Duration::ZERO)
            .clock_drift(Duration::ZERO)
            .clock(FixedClock::at(SENT_AT));
        assert_eq!(
            keyring.verify(&envelope, &strict).unwrap_err(),
            Error::NotAnAnswerToRequest {
                signed_at: t(SENT_AT - 1),
                sent_at: t(SENT_AT),
                replay_window: Duration::ZERO
            }
        );
        // Sub-second tolerances count in whole seconds.
        let (keyring, envelope) = signed(serde_json::json!({"timestamp": SENT_AT + 2}));
        assert_eq!(
            keyring
                .verify(
                    &envelope,
                    &strict.clone().clock_drift(Duration::from_millis(1999))
                )
                .unwrap_err(),
            Error::FutureTimestamp {
                signed_at: t(SENT_AT + 2),
                now: t(SENT_AT),
                clock_drift: Duration::from_millis(1999)
            }
        );
        // Both bounds apply: an answer to the request, but older than the
        // maximum age allows (a clock far ahead of `sent_at`).
        let (keyring, envelope) = signed(serde_json::json!({"timestamp": SENT_AT}));
        let both = Policy::answer_to(t(SENT_AT))
            .and_max_age(Duration::from_secs(30))
            .clock(FixedClock::at(SENT_AT + 31));
        assert_eq!(
            keyring.verify(&envelope, &both).unwrap_err(),
            Error::StaleTimestamp {
                signed_at: t(SENT_AT),
                now: t(SENT_AT + 31),
                max_age: Duration::from_secs(30)
            }
        );
        // The answer-to check comes first.
        let both = Policy::answer_to(t(SENT_AT + 61))
            .and_max_age(Duration::from_secs(30))
            .clock(FixedClock::at(SENT_AT + 31));
        assert_eq!(
            keyring.verify(&envelope, &both).unwrap_err(),
            Error::NotAnAnswerToRequest {
                signed_at: t(SENT_AT),
                sent_at: t(SENT_AT + 61),
                replay_window: DEFAULT_REPLAY_WINDOW
            }
        );
        // Any age, as the caller said.
        assert!(keyring.verify(&envelope, &Policy::any_age()).is_ok());
    }

    #[test]
    fn the_signer_named_in_the_policy() {
        let (keyring, envelope) = signed(serde_json::json!({"timestamp": SENT_AT}));
        let product = Policy::any_age().signed_by("product");
        assert!(keyring.verify(&envelope, &product).is_ok());
        assert_eq!(
            keyring
                .verify(&envelope, &Policy::any_age().signed_by("global"))
                .unwrap_err(),
            Error::WrongSigner {
                signed_by: Snippet::new("product"),
                required: Snippet::new("global")
            }
        );
    }

    #[test]
    fn required_members() {
        let (keyring, envelope) = signed(serde_json::json!({
            "code": 200,
            "license_key": "LIC-1",
            "product_id": 4,
            "product": {"uuid": "8d3f"},
            "data": {"hardware_id": null},
            "timestamp": SENT_AT
        }));
        let verified = keyring.verify(&envelope, &Policy::any_age()).unwrap();
        let mismatch = |member: &str, present| Error::MemberMismatch {
            member: Snippet::new(member),
            present,
        };
        assert!(
            verified
                .require("license_key", "LIC-1")
                .and_then(|v| v.require("product.uuid", "8d3f"))
                .and_then(|v| v.require("product_id", 4))
                .and_then(|v| v.require("data.hardware_id", Value::Null))
                .is_ok()
        );
        for (member, value, expected) in [
            (
                "license_key",
                Value::from("LIC-2"),
                mismatch("license_key", true),
            ),
            (
                "license_key",
                Value::from("lic-1"),
                mismatch("license_key", true),
            ),
            ("product_id", Value::from("4"), mismatch("product_id", true)),
            ("product_id", Value::from(4.0), mismatch("product_id", true)),
            ("product", Value::from("8d3f"), mismatch("product", true)),
            (
                "product.uuid",
                Value::from("8d3e"),
                mismatch("product.uuid", true),
            ),
            ("hardware_id", Value::Null, mismatch("hardware_id", false)),
            (
                "product.name",
                Value::from("x"),
                mismatch("product.name", false),
            ),
            (
                "license_key.x",
                Value::from("LIC-1"),
                mismatch("license_key.x", false),
            ),
            ("", Value::from("LIC-1"), mismatch("", false)),
        ] {
            assert_eq!(
                verified.require(member, value).unwrap_err(),
                expected,
                "{member}"
            );
        }
        assert_eq!(
            mismatch("license_key", true).to_string(),
            "the signed payload's member \"license_key\" does not have the value required: the answer is about something else"
        );
        assert_eq!(
            mismatch("hardware_id", false).to_string(),
            "the signed payload has no member \"hardware_id\", so it cannot be matched to the value required"
        );
        assert_eq!(
            Error::NotAnAnswerToRequest {
                signed_at: t(1),
                sent_at: t(62),
                replay_window: DEFAULT_REPLAY_WINDOW
            }
            .to_string(),
            "not an answer to this request: signed at 1, 61 s before the request was sent at 62, more than the 60 s replay window"
        );
    }

    #[test]
    fn integer_accessor() {
        assert_eq!(integer(&Value::from(400)), Some(400));
        assert_eq!(integer(&Value::from("400")), Some(400));
        assert_eq!(integer(&Value::from("-4")), Some(-4));
        for bad in ["", "+4", "4 ", "0x10", "4.0", "-"] {
            assert_eq!(integer(&Value::from(bad)), None, "{bad:?}");
        }
        assert_eq!(integer(&Value::from(4.0)), None);
    }
}
