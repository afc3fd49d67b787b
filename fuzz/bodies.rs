//! The bodies of the fuzz targets, one public function per target.
//!
//! This one file is compiled twice: as the library of the fuzz crate
//! (`fuzz/Cargo.toml`, `[lib] path = "bodies.rs"`), which every
//! `fuzz_targets/<name>.rs` calls, and as a module of the main crate's
//! `tests/it/fuzz_replay.rs`, which replays the committed seed corpus and the
//! regression inputs through exactly the same code under `cargo test`.
//!
//! Each body calls one public entry point of `respsig` on the input and
//! panics when a property fails; a panic is what libFuzzer reports as a
//! crash. Only the public API is used, plus `serde_json` and the `base64`
//! crate as independent oracles. The fixed keys are compiled in with
//! `include_str!`, so a fuzz binary does not depend on its working
//! directory.

use std::collections::HashSet;
use std::sync::OnceLock;

use base64::Engine as _;
use std::time::Duration;

use respsig::{
    Error, FixedClock, KeyPolicy, Keyring, LicenseFormat, LicensePolicy, LicenseProblem, Limits,
    Member, Policy, Problem, PublicKey, SigningKey, UNSIGNED_MARKER, UnixTime, VerifiedLicense,
    canonical, dangerous,
};
use serde_json::Value;

/// A target's body: takes the fuzzer's input, panics on a failed property.
pub type Body = fn(&[u8]);

/// Every target: its name (the directory under `fuzz/seeds/` and the file
/// under `fuzz/fuzz_targets/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("envelope", envelope),
    ("verify", verify),
    ("canonical", canonical),
    ("key", key),
    ("sign", sign),
    ("license", license),
    ("state", state),
];

#[path = "state_body.rs"]
mod state_body;
pub use state_body::{state, state_encode, state_genuine_stores};

/// The demo public key behind the 47 real envelopes.
const DEMO_PUBLIC_PEM: &str = include_str!("../testdata/gkm/gkm-demo-public.pem");
/// The real envelopes with their independently computed verdicts.
const VECTORS_JSON: &str = include_str!("../testdata/gkm/gkm-docs-vectors.json");
/// The test key the `sign` target signs with (PKCS#8, 2048 bits).
const SIGNING_PEM: &str = include_str!("../testdata/keys/rsa2048.pem");

/// The depth limit of `canonical::read` and of the default verifier.
const MAX_DEPTH: usize = Limits::DEFAULT_MAX_DEPTH;

/// The fixed "now" of the freshness check in the `verify` target:
/// 2024-02-29T00:00:00Z, among the real envelopes' timestamps.
const NOW: i64 = 1_709_164_800;
/// The freshness window of the `verify` target: 30 days old, 5 minutes
/// ahead.
const MAX_AGE: u64 = 30 * 86_400;
const MAX_SKEW: u64 = 300;

fn demo_key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| match PublicKey::from_pem(DEMO_PUBLIC_PEM) {
        Ok(key) => key,
        Err(e) => panic!("testdata/gkm/gkm-demo-public.pem: {e}"),
    })
}

/// The demo key under both names the server uses.
fn demo_keyring() -> &'static Keyring {
    static KEYRING: OnceLock<Keyring> = OnceLock::new();
    KEYRING.get_or_init(|| {
        let mut keyring = Keyring::new();
        for name in ["product", "global"] {
            if let Err(e) = keyring.add(name, demo_key().clone()) {
                panic!("keyring name {name}: {e}");
            }
        }
        keyring
    })
}

/// The payloads the demo key really signed: the decoded `response_base64`
/// of every real envelope whose signature an independent tool (Python
/// `cryptography`, see testdata/gkm/README.md) found valid. Decoded with
/// the `base64` crate, not with respsig.
fn genuine_payloads() -> &'static HashSet<Vec<u8>> {
    static PAYLOADS: OnceLock<HashSet<Vec<u8>>> = OnceLock::new();
    PAYLOADS.get_or_init(|| {
        let file: Value = match serde_json::from_str(VECTORS_JSON) {
            Ok(file) => file,
            Err(e) => panic!("gkm-docs-vectors.json: {e}"),
        };
        let Some(vectors) = file["vectors"].as_array() else {
            panic!("gkm-docs-vectors.json: no `vectors` array");
        };
        let mut set = HashSet::new();
        for vector in vectors {
            if vector["signature_valid"] != Value::Bool(true) {
                continue;
            }
            let Some(text) = vector["envelope"].as_str() else {
                panic!("vector without `envelope`: {vector}");
            };
            let envelope: Value = match serde_json::from_str(text) {
                Ok(envelope) => envelope,
                Err(e) => panic!("vector envelope: {e}"),
            };
            let Some(b64) = envelope["response_base64"].as_str() else {
                panic!("vector without `response_base64`: {text}");
            };
            match base64::engine::general_purpose::STANDARD.decode(b64) {
                Ok(payload) => set.insert(payload),
                Err(e) => panic!("vector `response_base64`: {e}"),
            };
        }
        // 43 valid signatures; two pages of the docs show the same
        // signed response.
        assert_eq!(set.len(), 42, "distinct genuinely signed payloads");
        set
    })
}

fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| match SigningKey::from_pem(SIGNING_PEM) {
        Ok(key) => key,
        Err(e) => panic!("testdata/keys/rsa2048.pem: {e}"),
    })
}

/// The public half of [`signing_key`] under the name `product`.
fn signing_keyring() -> &'static Keyring {
    static KEYRING: OnceLock<Keyring> = OnceLock::new();
    KEYRING.get_or_init(|| {
        match Keyring::new().with("product", signing_key().public_key().clone()) {
            Ok(keyring) => keyring,
            Err(e) => panic!("keyring: {e}"),
        }
    })
}

/// Nesting depth (`0` for a scalar, `1` for `[]` or `{}`), without
/// recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, level)) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, level + 1))),
            Value::Object(map) => stack.extend(map.values().map(|c| (c, level + 1))),
            _ => continue,
        }
        deepest = deepest.max(level);
    }
    deepest
}

/// Whether the value holds the float `-0.0` anywhere: its canonical text
/// `-0` reads back as the integer `0`, written `0`, so it is the one value
/// whose canonical bytes change on a second pass (documented in
/// `respsig::canonical`).
fn has_negative_zero(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n)
                if n.is_f64() && n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) =>
            {
                return true;
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    false
}

/// Whether `reread` is what PHP's `json_decode(json_encode($value))` gives,
/// and so what `canonical::read(canonical::to_vec(value))` must give: the
/// same value, except that a float with no fraction below 1e17 in magnitude
/// is written in plain digits, its shortest round-trip digits padded with
/// zeros (`100.0` as `100`, `-0.0` as `-0`, `9.0123456789012352e16` as
/// `90123456789012350`), so it reads back as the integer with those digits:
/// an integer that converts to the same float, with no more significant
/// digits than the float's shortest form (where two such integers exist,
/// an exact tie, PHP takes the even last digit and Rust's formatting the
/// upper one; either is accepted here, `tests/it/canonical_php.rs` pins PHP's
/// choice). Object members in the same order.
fn reads_back_as(value: &Value, reread: &Value) -> bool {
    same_shape(value, reread, |x, y| match x.as_f64() {
        Some(f) if x.is_f64() && f.fract() == 0.0 && f.abs() < 1e17 => {
            let shortest = format!("{f:e}");
            let shortest = shortest.split('e').next().unwrap_or_default();
            let digits = shortest.bytes().filter(u8::is_ascii_digit).count();
            let Some(i) = y.as_i64() else {
                return false;
            };
            let significant = i.unsigned_abs().to_string();
            let significant = significant.trim_end_matches('0').len();
            i as f64 == f && significant <= digits
        }
        _ => x == y,
    })
}

/// Same JSON shape and strings, numbers compared as `f64` (serde_json reads
/// `-0` as `-0.0` and large integers as `u64` where respsig, like PHP, has
/// `0` and floats), object members in the same order.
fn same_as_serde(ours: &Value, theirs: &Value) -> bool {
    same_shape(ours, theirs, |x, y| x.as_f64() == y.as_f64())
}

/// The same JSON tree (strings, literals, arrays, object members in the
/// same order), numbers compared by `numbers`. Iterative: inputs can be 128
/// levels deep.
fn same_shape(
    a: &Value,
    b: &Value,
    numbers: impl Fn(&serde_json::Number, &serde_json::Number) -> bool,
) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                if !numbers(x, y) {
                    return false;
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                stack.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() || !x.keys().eq(y.keys()) {
                    return false;
                }
                stack.extend(x.values().zip(y.values()));
            }
            (x, y) => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

/// `dangerous::read`: never panics; what it reports agrees with the
/// `base64` crate, with `canonical::read` and with the verifier.
pub fn envelope(data: &[u8]) {
    let limits = Limits::default();
    let unverified = match dangerous::read(data, &limits) {
        Ok(unverified) => unverified,
        Err(e) => {
            // The verifier reads the shape with the same code and limits,
            // so it must refuse with the same error.
            assert_eq!(
                demo_keyring().verify(data, &Policy::any_age()).err(),
                Some(e)
            );
            return;
        }
    };
    assert!(unverified.response().is_object());
    assert!(depth(unverified.response()) < MAX_DEPTH);

    let signature = unverified.signature_text();
    assert_eq!(
        unverified.is_unsigned(),
        matches!(signature, None | Some("")) || signature == Some(UNSIGNED_MARKER)
    );
    let strict = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        unverified.signature_len(),
        signature
            .and_then(|s| strict.decode(s).ok())
            .map(|s| s.len())
    );

    let decoded = unverified.decoded_payload();
    match (strict.decode(unverified.response_base64()), &decoded) {
        (Err(_), _) => assert_eq!(
            decoded,
            Err(Error::Malformed {
                member: Member::ResponseBase64,
                problem: Problem::Base64,
            })
        ),
        (Ok(bytes), Ok(value)) => {
            assert_eq!(canonical::read(&bytes).as_ref(), Ok(value));
            assert!(depth(value) < MAX_DEPTH);
        }
        (Ok(bytes), Err(Error::PayloadNotJson { problem })) => {
            match (canonical::read(&bytes), problem) {
                // The payload is read one level down, where `response`
                // stands, so it may be one level too deep for the verifier
                // and not for `canonical::read`; and a too-deep payload is
                // refused before any later syntax error is seen.
                (Ok(value), Problem::TooDeep { limit }) => {
                    assert_eq!((depth(&value), *limit), (MAX_DEPTH, MAX_DEPTH));
                }
                (Err(_), Problem::TooDeep { limit }) => assert_eq!(*limit, MAX_DEPTH),
                (read, _) => assert_eq!(
                    read,
                    Err(Error::Malformed {
                        member: Member::Document,
                        problem: problem.clone(),
                    })
                ),
            }
        }
        (Ok(_), Err(e)) => panic!("decoded_payload: unexpected error {e:?}"),
    }
    assert_eq!(
        unverified.response_matches_payload(),
        decoded.ok().map(|p| same_to_php(&p, unverified.response()))
    );
}

/// `Keyring::verify` against the demo key: never panics, and never accepts
/// anything but a payload the demo key really signed. The seeds are real
/// signed envelopes, so the fuzzer starts past the signature check; any
/// mutation that is still accepted must hand back one of those 43 signed
/// payloads (whitespace or unknown members outside the signed text may
/// change; the signed bytes may not). Anything else accepted is a forgery
/// the verifier let through.
pub fn verify(data: &[u8]) {
    let Ok(verified) = demo_keyring().verify(data, &Policy::any_age()) else {
        return;
    };
    assert!(
        genuine_payloads().contains(verified.payload_bytes()),
        "ACCEPTED A PAYLOAD THE DEMO KEY NEVER SIGNED: {:?}",
        String::from_utf8_lossy(verified.payload_bytes())
    );
    assert_eq!(verified.key(), demo_key());
    assert!(matches!(verified.key_name(), "product" | "global"));
    assert_eq!(
        canonical::read(verified.payload_bytes()).as_ref(),
        Ok(verified.payload())
    );

    // The same envelope under a freshness policy with a fixed clock.
    let options = Policy::max_age(Duration::from_secs(MAX_AGE))
        .clock_drift(Duration::from_secs(MAX_SKEW))
        .clock(FixedClock::at(NOW));
    let expected = match verified.timestamp() {
        None => Err(Error::MissingTimestamp),
        Some(t) if i128::from(NOW) - i128::from(t.as_secs()) > i128::from(MAX_AGE) => {
            Err(Error::StaleTimestamp {
                signed_at: t,
                now: UnixTime::from_secs(NOW),
                max_age: Duration::from_secs(MAX_AGE),
            })
        }
        Some(t) if i128::from(t.as_secs()) - i128::from(NOW) > i128::from(MAX_SKEW) => {
            Err(Error::FutureTimestamp {
                signed_at: t,
                now: UnixTime::from_secs(NOW),
                clock_drift: Duration::from_secs(MAX_SKEW),
            })
        }
        Some(_) => Ok(verified.payload_bytes().to_vec()),
    };
    let got = demo_keyring()
        .verify(data, &options)
        .map(|v| v.payload_bytes().to_vec());
    assert_eq!(got, expected);
}

/// Whether PHP writes `a` and `b` as the same bytes, member order aside:
/// the canonical bytes of both with every object's members sorted by key.
fn same_to_php(a: &Value, b: &Value) -> bool {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut members: Vec<_> = map.iter().collect();
                members.sort_by(|x, y| x.0.cmp(y.0));
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    canonical::to_vec(&sorted(a)) == canonical::to_vec(&sorted(b))
}

/// Whether `data` holds `e` or `E`, an optional sign and an exponent above
/// 19999 (leading zeros aside): a number PHP reads with its exponent taken
/// as 19999 (or text that merely looks like one, inside a string).
fn has_long_exponent(data: &[u8]) -> bool {
    data.iter().enumerate().any(|(i, &b)| {
        if b != b'e' && b != b'E' {
            return false;
        }
        let rest = &data[i + 1..];
        let rest = rest
            .strip_prefix(b"-")
            .or(rest.strip_prefix(b"+"))
            .unwrap_or(rest);
        let digits: Vec<u8> = rest
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .copied()
            .skip_while(|&d| d == b'0')
            .collect();
        digits.len() > 5 || (digits.len() == 5 && digits.as_slice() > b"19999".as_slice())
    })
}

/// The number reading of PHP's `zend_strtod` on a literal built from the
/// input's first bytes: a sign, `0.<zeros><digits><zeros>` or
/// `<digits><zeros>`, an exponent from -40000 to 40000 in any spelling.
/// `canonical::canonicalize` must give the canonical form of the value an
/// independent reckoning finds (significant digits and the decimal
/// exponent counted here, the written exponent clamped at 19999), or
/// refuse the number exactly when that value is infinite.
fn long_exponent(data: &[u8]) {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let word = |i: usize| usize::from(byte(i)) << 8 | usize::from(byte(i + 1));
    let flags = byte(0);
    let negative = flags & 1 != 0;
    let fraction = flags & 2 != 0;
    let zeros = |w: usize| match w % 4 {
        0 => w / 4 % 24,
        1 => 19_999 - 340 + w / 4 % 680,
        _ => w / 4 % 30_001,
    };
    let (lead, trail) = (zeros(word(1)), zeros(word(3)));
    let magnitude = match word(5) % 3 {
        0 => word(7) % 40_001,
        1 => 19_990 + word(7) % 20,
        _ => 20_000 + word(7) % 20_001,
    };
    let exp_negative = flags & 4 != 0;
    let digits: String = data
        .iter()
        .skip(9)
        .take(40)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let digits = if digits.is_empty() {
        "7".to_owned()
    } else {
        digits
    };
    let (int_part, frac_part) = if fraction {
        (
            "0".to_owned(),
            format!("{}{digits}{}", "0".repeat(lead), "0".repeat(trail)),
        )
    } else {
        let int = digits.trim_start_matches('0');
        let int = if int.is_empty() { "1" } else { int };
        (format!("{int}{}", "0".repeat(trail)), String::new())
    };
    let e = ["e", "E", "e+", "E+00"][usize::from(flags >> 3) % 4];
    let e = match (exp_negative, e.strip_prefix(['e', 'E'])) {
        (true, Some(rest)) => format!("{}-{}", &e[..1], rest.trim_start_matches('+')),
        _ => e.to_owned(),
    };
    let literal = format!(
        "{}{int_part}{}{}{e}{magnitude}",
        if negative { "-" } else { "" },
        if frac_part.is_empty() { "" } else { "." },
        frac_part
    );

    // Value = 0.D * 10^x: D the significant digits, x counted from the
    // point, the written exponent clamped at 19999.
    let all = format!("{int_part}{frac_part}");
    let leading = all.len() - all.trim_start_matches('0').len();
    let significant = all.trim_matches('0');
    let clamped = magnitude.min(19_999) as i64;
    let clamped = if exp_negative { -clamped } else { clamped };
    let x = int_part.len() as i64 - leading as i64 + clamped;
    let expected = if significant.is_empty() || x < -400 {
        Some(0.0)
    } else if x > 400 {
        None
    } else {
        let f: f64 = format!("0.{significant}e{x}").parse().unwrap();
        f.is_finite().then_some(f)
    };
    let got = canonical::canonicalize(format!("[{literal}]").as_bytes());
    match expected {
        Some(f) => {
            let f = if negative { -f } else { f };
            let want = canonical::to_vec(&Value::Array(vec![Value::from(f)]));
            assert_eq!(got.as_ref(), Ok(&want), "{literal:.120}");
        }
        None => assert!(
            matches!(
                got,
                Err(Error::Malformed {
                    problem: Problem::NumberOutOfRange { offset: 1 },
                    ..
                })
            ),
            "{literal:.120}: {got:?}"
        ),
    }
}

/// `canonical::read` and the canonical writer: whatever the reader accepts,
/// serde_json reads as the same JSON (up to number kinds); the writer's
/// output is ASCII and reads back as PHP's `json_decode` would read PHP's
/// `json_encode` output (integral floats below 1e17 become integers, see
/// [`reads_back_as`]); and the canonical bytes are a fixed point, on the
/// first pass or, when the float `-0.0` is present, on the second.
pub fn canonical(data: &[u8]) {
    long_exponent(data);
    let Ok(value) = canonical::read(data) else {
        return;
    };
    assert!(depth(&value) <= MAX_DEPTH);
    // serde_json does not take a long exponent as 19999, as PHP does.
    if depth(&value) < MAX_DEPTH && !has_long_exponent(data) {
        // serde_json's own recursion limit is 128 levels.
        match serde_json::from_slice::<Value>(data) {
            Ok(theirs) => assert!(
                same_as_serde(&value, &theirs),
                "canonical::read and serde_json disagree: {value} vs {theirs}"
            ),
            Err(e) => panic!("canonical::read accepted what serde_json refuses: {e}"),
        }
    }

    let first = canonical::to_vec(&value);
    assert!(first.is_ascii());
    assert_eq!(&canonical::to_vec(&value)[..], &first[..]);
    assert_eq!(canonical::canonicalize(data).as_ref(), Ok(&first));

    let reread = match canonical::read(&first) {
        Ok(reread) => reread,
        Err(e) => panic!(
            "the canonical form does not read back ({e}): {}",
            String::from_utf8_lossy(&first)
        ),
    };
    assert!(
        reads_back_as(&value, &reread),
        "the canonical form reads back as {reread}, not as {value}"
    );
    let second = canonical::to_vec(&reread);
    if has_negative_zero(&value) {
        assert_ne!(second, first);
        assert_eq!(canonical::canonicalize(&second).as_ref(), Ok(&second));
    } else {
        assert_eq!(second, first);
    }
}

/// Key loading from arbitrary PEM and DER, public and private: never
/// panics, and every key that loads obeys the size policy and re-encodes
/// (`to_pem`, `spki_der`) to a key that loads as the same key.
pub fn key(data: &[u8]) {
    let lax = KeyPolicy::strict().allow_small_exponent();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(key) = &PublicKey::from_pem(text) {
            check_public(key);
            assert_eq!(lax.load(data).as_ref(), Ok(key));
        }
        if let Ok(signer) = SigningKey::from_pem(text) {
            check_signer(&signer);
        }
    }

    // `from_der` tells SubjectPublicKeyInfo from PKCS#1 by structure.
    if let Ok(key) = &PublicKey::from_der(data) {
        check_public(key);
    }
    // `KeyPolicy::load` reads the bytes as `from_pem_or_der` does (PEM,
    // raw Ed25519 or DER), and the lax policy differs only in the exponent.
    let strict = PublicKey::from_pem_or_der(data);
    if let Ok(key) = &strict {
        check_public(key);
        assert_eq!(lax.load(data).as_ref(), Ok(key));
    } else if let Ok(key) = lax.load(data) {
        check_small_exponent(&key, &strict);
    }
    if let Ok(signer) = SigningKey::from_der(data) {
        check_signer(&signer);
    }

    // Raw Ed25519: exactly the 32-byte inputs load, as the key they are,
    // but for the points of small order.
    match PublicKey::from_ed25519(data) {
        Ok(key) => {
            check_public(&key);
            assert_eq!(&key.spki_der()[12..], data);
        }
        Err(e) if data.len() == respsig::ED25519_KEY_LEN => assert_eq!(
            e,
            Error::KeyRejected(respsig::KeyProblem::Ed25519SmallOrder)
        ),
        Err(e) => assert_eq!(
            e,
            Error::KeyRejected(respsig::KeyProblem::Ed25519Length { len: data.len() })
        ),
    }
}

fn check_public(key: &PublicKey) {
    match key.algorithm() {
        respsig::Algorithm::Ed25519 => {
            assert_eq!((key.bits(), key.signature_len()), (256, 64));
            assert_eq!(key.spki_der().len(), 44);
            assert_eq!(
                PublicKey::from_ed25519(&key.spki_der()[12..]).as_ref(),
                Ok(key)
            );
        }
        _ => {
            assert!(
                (respsig::MIN_BITS..=respsig::MAX_BITS).contains(&key.bits()),
                "{} bits",
                key.bits()
            );
            assert_eq!(key.signature_len(), key.bits().div_ceil(8));
        }
    }
    let fingerprint = key.fingerprint();
    assert_eq!(fingerprint.len(), 64);
    assert!(
        fingerprint
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    );
    assert_eq!(PublicKey::from_pem(&key.to_pem()).as_ref(), Ok(key));
    assert_eq!(PublicKey::from_der(key.spki_der()).as_ref(), Ok(key));
    assert_eq!(PublicKey::from_der(key.spki_der()).as_ref(), Ok(key));
}

/// A key only the lax policy loads: the strict one refused it for its
/// small exponent and nothing else.
fn check_small_exponent(key: &PublicKey, strict: &Result<PublicKey, Error>) {
    match strict {
        Err(Error::KeyRejected(respsig::KeyProblem::SmallExponent { e })) => {
            assert!(*e >= 3 && *e < 65_537 && e % 2 == 1, "e = {e}");
        }
        other => panic!("lax policy loaded a key the strict one refused with {other:?}"),
    }
    let lax = KeyPolicy::strict().allow_small_exponent();
    assert_eq!(lax.load(key.to_pem().as_bytes()).as_ref(), Ok(key));
    assert_eq!(lax.load(key.spki_der()).as_ref(), Ok(key));
}

fn check_signer(signer: &SigningKey) {
    let public = signer.public_key();
    check_public(public);
    assert!(public.bits() <= 4096, "{} bits", public.bits());
    assert_eq!(signer.algorithm(), public.algorithm());
    let msg = b"respsig fuzz";
    match signer.sign_bytes(msg) {
        Ok(sig) => assert_eq!(public.verify_signature(msg, &sig), Ok(())),
        Err(e) => panic!("a loaded key failed to sign: {e}"),
    }
}

/// Sign-then-verify: any JSON object `canonical::read` accepts, signed with
/// a fixed test key, verifies, and the verifier returns exactly the
/// canonical bytes.
pub fn sign(data: &[u8]) {
    let Ok(response) = canonical::read(data) else {
        return;
    };
    let signed = signing_key().sign_envelope("product", &response);
    let envelope = match (signed, response.is_object(), depth(&response)) {
        (Ok(envelope), true, d) if d < MAX_DEPTH => envelope,
        (Err(e), false, _) => {
            assert_eq!(
                e,
                Error::Malformed {
                    member: Member::Response,
                    problem: Problem::NotAnObject,
                }
            );
            return;
        }
        // `response` sits one level inside the envelope: an object of
        // depth 128 makes an envelope the default verifier refuses.
        (Err(e), true, MAX_DEPTH) => {
            assert_eq!(
                e,
                Error::Malformed {
                    member: Member::Response,
                    problem: Problem::TooDeep { limit: MAX_DEPTH },
                }
            );
            return;
        }
        (other, object, d) => panic!("sign_envelope: {other:?} for object={object} depth={d}"),
    };

    let payload = canonical::to_vec(&response);
    if envelope.len() > Limits::DEFAULT_MAX_INPUT_BYTES {
        assert_eq!(
            signing_keyring()
                .verify(&envelope, &Policy::any_age())
                .err(),
            Some(Error::TooLarge {
                len: envelope.len(),
                limit: Limits::DEFAULT_MAX_INPUT_BYTES,
            })
        );
        return;
    }
    let verified = match signing_keyring().verify(&envelope, &Policy::any_age()) {
        Ok(verified) => verified,
        Err(e) => panic!("a freshly signed envelope was refused ({e}): {envelope}"),
    };
    assert_eq!(verified.payload_bytes(), &payload[..]);
    assert_eq!(verified.key_name(), "product");
    assert_eq!(verified.key(), signing_key().public_key());
    assert!(
        reads_back_as(&response, verified.payload()),
        "signed {response}, verified {}",
        verified.payload()
    );
    // Under the same name, the demo key refuses it.
    assert_eq!(
        demo_keyring().verify(&envelope, &Policy::any_age()).err(),
        Some(Error::BadSignature)
    );
}

/// The license files the test keys really made (`testdata/license/`), with
/// their block length: by OpenSSL and PHP without the integrity member, by
/// respsig with it.
const LIC_FILES: &[(&str, usize, bool)] = &[
    (
        include_str!("../testdata/license/openssl-2048.lic"),
        256,
        false,
    ),
    (
        include_str!("../testdata/license/openssl-2048-long.lic"),
        256,
        false,
    ),
    (
        include_str!("../testdata/license/php-2048-long.lic"),
        256,
        false,
    ),
    (
        include_str!("../testdata/license/openssl-4096-long.lic"),
        512,
        false,
    ),
    (
        include_str!("../testdata/license/splice-attacker.lic"),
        256,
        false,
    ),
    (
        include_str!("../testdata/license/splice-someone.lic"),
        256,
        false,
    ),
    (
        include_str!("../testdata/license/respsig-splice-attacker.lic"),
        256,
        true,
    ),
    (
        include_str!("../testdata/license/respsig-splice-someone.lic"),
        256,
        true,
    ),
    (MEMBER_FIRST[0], 256, true),
    (MEMBER_FIRST[1], 256, true),
];
/// The files of 0.2's writer (the member first, in block 0), under the
/// 2048-bit key.
const MEMBER_FIRST: [&str; 2] = [
    include_str!("../testdata/license/respsig-first-attacker.lic"),
    include_str!("../testdata/license/respsig-first-someone.lic"),
];
/// The signed-JSON licenses the test keys really signed.
const JSON_FILES: &[&str] = &[
    include_str!("../testdata/license/php-signed-compact.json"),
    include_str!("../testdata/license/php-signed-pretty.json"),
    include_str!("../testdata/license/php-signed-4096-extra.json"),
    include_str!("../testdata/license/respsig-signed.json"),
];
const RSA2048_PUB: &str = include_str!("../testdata/keys/rsa2048.pub.pem");
const RSA4096_PUB: &str = include_str!("../testdata/keys/rsa4096.pub.pem");

/// Both test keys under `product`.
fn license_keyring() -> &'static Keyring {
    static KEYRING: OnceLock<Keyring> = OnceLock::new();
    KEYRING.get_or_init(|| {
        let mut keyring = Keyring::new();
        for pem in [RSA2048_PUB, RSA4096_PUB] {
            let key = match PublicKey::from_pem(pem) {
                Ok(key) => key,
                Err(e) => panic!("license test key: {e}"),
            };
            if let Err(e) = keyring.add("product", key) {
                panic!("keyring: {e}");
            }
        }
        keyring
    })
}

/// The blocks of a `.lic` text, decoded by the `base64` crate after the
/// whitespace the reader removes; `None` if that fails.
fn lic_blocks(text: &[u8], k: usize) -> Option<Vec<Vec<u8>>> {
    let clean: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(clean)
        .ok()?;
    Some(raw.chunks(k).map(<[u8]>::to_vec).collect())
}

struct Genuine {
    /// Every block of every genuine file.
    blocks: HashSet<Vec<u8>>,
    /// The block sequences of the files that carry the integrity member.
    with_integrity: HashSet<Vec<Vec<u8>>>,
    /// Block 0 of each file with the member first (0.2's writer).
    member_first_block0: HashSet<Vec<u8>>,
    /// The license objects of the genuine signed-JSON files, as serde_json
    /// reads them.
    json_licenses: Vec<Value>,
}

fn genuine() -> &'static Genuine {
    static GENUINE: OnceLock<Genuine> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let mut blocks = HashSet::new();
        let mut with_integrity = HashSet::new();
        let mut member_first_block0 = HashSet::new();
        for &(text, k, integrity) in LIC_FILES {
            let Some(file) = lic_blocks(text.as_bytes(), k) else {
                panic!("a genuine license file is not base64");
            };
            blocks.extend(file.iter().cloned());
            if integrity {
                with_integrity.insert(file);
            }
        }
        for text in MEMBER_FIRST {
            let Some(file) = lic_blocks(text.as_bytes(), 256) else {
                panic!("a genuine license file is not base64");
            };
            member_first_block0.insert(file[0].clone());
        }
        let json_licenses = JSON_FILES
            .iter()
            .map(|text| match serde_json::from_str::<Value>(text) {
                Ok(doc) => doc["license"].clone(),
                Err(e) => panic!("genuine signed-JSON license: {e}"),
            })
            .collect();
        Genuine {
            blocks,
            with_integrity,
            member_first_block0,
            json_licenses,
        }
    })
}

/// Before any genuine license expires (2017-07-14; the earliest expiry
/// is 2020-01-01).
const LICENSE_NOW: i64 = 1_500_000_000;

/// `Keyring::verify_license` under `product`, at [`LICENSE_NOW`], for each
/// machine a genuine license is bound to (and for none): the first result
/// that is not a binding refusal.
fn read_license(data: &[u8], require_integrity: bool) -> Result<VerifiedLicense, Error> {
    let mut result = Err(Error::License(LicenseProblem::Empty));
    for machine in [
        None,
        Some("HW-1234"),
        Some("HW-ATTACKER"),
        Some("HW-SOMEONE1"),
    ] {
        let mut policy = LicensePolicy::new()
            .clock(FixedClock::at(LICENSE_NOW))
            .require_integrity(require_integrity);
        if let Some(machine) = machine {
            policy = policy.hardware_id(machine);
        }
        result = license_keyring().verify_license("product", data, &policy);
        match &result {
            Err(Error::License(
                LicenseProblem::BindingNotChecked { .. } | LicenseProblem::HardwareMismatch,
            )) => {}
            _ => break,
        }
    }
    result
}

/// The license reader, `Keyring::verify_license`, on the input, in
/// whichever format it detects.
///
/// A `.lic` file that verifies holds only blocks the test keys really made
/// (the `base64` crate decodes it); if it has the integrity member it is,
/// block for block, one of the files the crate wrote: a splice, reorder or
/// repeat that passed the member would be a crash. A file that starts with
/// the block 0 of a member-first file (0.2's writer) must be that file, and
/// a license whose first member is the integrity member must start with
/// such a block 0 (no other block can begin a JSON object; the PHP side of
/// that check is `tests/it/license_member_first.rs`). Requiring the member
/// refuses exactly the files without it. A signed-JSON document that
/// verifies carries one of the genuine licenses (serde_json reads it), and
/// its signed bytes are the flagged canonical form of the document without
/// `signature`. The reader names the format it read, the one
/// `LicenseFormat::detect` gives.
pub fn license(data: &[u8]) {
    let format = LicenseFormat::detect(data);
    let Ok(verified) = read_license(data, false) else {
        return;
    };
    assert_eq!(verified.format(), format);
    if format == LicenseFormat::Blocks {
        let k = verified.key().signature_len();
        let Some(blocks) = lic_blocks(data, k) else {
            panic!("the reader accepted what the base64 crate refuses");
        };
        for (i, block) in blocks.iter().enumerate() {
            assert!(
                genuine().blocks.contains(block),
                "ACCEPTED A BLOCK THE KEY NEVER MADE: block {i}"
            );
        }
        if verified.has_integrity() {
            assert!(
                genuine().with_integrity.contains(&blocks),
                "SPLICED FILE PASSED THE INTEGRITY MEMBER: {:?}",
                String::from_utf8_lossy(verified.signed_bytes())
            );
        }
        // A file that starts with the block 0 of a member-first file is
        // that file, block for block: no cut, splice or repeat passes.
        if genuine().member_first_block0.contains(&blocks[0]) {
            assert!(
                genuine().with_integrity.contains(&blocks),
                "A CUT OR SPLICE OF A MEMBER-FIRST FILE VERIFIED: {:?}",
                String::from_utf8_lossy(verified.signed_bytes())
            );
        }
        // No block but a member-first file's block 0 begins a license:
        // the text the blocks open to starts with `{` after blanks only in
        // block 0's data, which holds the whole member.
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(verified.signed_bytes())
            && map.keys().next().map(String::as_str) == Some(respsig::INTEGRITY_MEMBER)
        {
            assert!(genuine().member_first_block0.contains(&blocks[0]));
        }
        assert_eq!(
            canonical::read(verified.signed_bytes()).as_ref(),
            Ok(verified.value())
        );
        let required = read_license(data, true);
        match (verified.has_integrity(), required) {
            (true, Ok(again)) => assert_eq!(again.signed_bytes(), verified.signed_bytes()),
            (false, Err(Error::License(LicenseProblem::IntegrityMissing))) => {}
            (integrity, other) => panic!("require_integrity with integrity={integrity}: {other:?}"),
        }
    } else {
        assert!(
            genuine().json_licenses.contains(verified.value()),
            "ACCEPTED A LICENSE THE KEY NEVER SIGNED: {}",
            verified.value()
        );
        let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(data) else {
            panic!("the reader accepted a document serde_json does not read as an object");
        };
        doc.shift_remove("signature");
        assert_eq!(
            canonical::to_vec_with(&Value::Object(doc), canonical::Options::php_sdk_license()),
            verified.signed_bytes()
        );
        assert!(read_license(data, true).is_ok());
    }
}
