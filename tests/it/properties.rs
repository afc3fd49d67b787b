//! Property tests. Failures proptest finds are kept in
//! `tests/properties.proptest-regressions` and replayed first.
//!
//! 1. Sign then verify accepts any JSON object payload (unicode, escapes,
//!    floats, integers at the 64-bit edges, nesting up to the default limit)
//!    and hands back exactly the canonical bytes; one level deeper, signing
//!    refuses.
//! 2. Any single-bit change inside the `response_base64` or `signature`
//!    string of a valid envelope is refused, with the error that
//!    independent code predicts (std's UTF-8 check, serde_json, the
//!    `base64` crate).
//! 3. The canonical form of generated values and of generated JSON texts
//!    (whitespace, optional escapes, many number spellings) reads back as
//!    the model says, is a fixed point, and equals PHP's `json_encode`
//!    (when `php` is on the PATH; required with `RESPSIG_REQUIRE_TOOLS=1`).
//! 4. No reader panics on arbitrary bytes, token soup, damaged envelopes or
//!    damaged keys; the readers agree with each other; random input never
//!    verifies, and a damaged envelope that still verifies carries the
//!    original signed payload.
//!
//! Two rules of the canonical form (PROTOCOL.md) shape the expectations:
//! an integral float below 1e17 prints without a fraction, so it reads back
//! as an integer (`1E2` -> `100`), and `-0.0` prints `-0`, which reads back
//! as the integer 0. Reading canonical bytes therefore gives [`reread`] of
//! the value, and the bytes are a fixed point from the second round on
//! (from the first when the value holds no `-0.0`).
use crate::common;
use respsig::Policy;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::{Range, RangeInclusive};
use std::sync::OnceLock;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestRunner, contextualize_config};
use respsig::{
    Error, Keyring, Limits, Member, Problem, PublicKey, Signer, SigningKey, Verified, canonical,
    dangerous,
};
use serde_json::{Map, Number, Value};

const STANDARD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

// ---------------------------------------------------------------------------
// Running properties

/// Runs a property the way `proptest!` does (same regressions file, same
/// environment overrides), so the test can look afterwards at what the
/// cases covered.
fn check<S: Strategy>(
    name: &'static str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut config = contextualize_config(Config {
        cases,
        ..Config::default()
    });
    config.source_file = Some(file!());
    config.test_name = Some(name);
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}\n{runner}");
    }
}

/// Outcomes seen, by label.
#[derive(Default)]
struct Tally(RefCell<BTreeMap<String, usize>>);

impl Tally {
    fn add(&self, label: impl Into<String>) {
        *self.0.borrow_mut().entry(label.into()).or_default() += 1;
    }

    /// Fails unless every label was seen.
    fn assert_saw(&self, labels: &[&str]) {
        let seen = self.0.borrow();
        for label in labels {
            assert!(
                seen.contains_key(*label),
                "no case produced {label:?}; seen: {seen:?}"
            );
        }
    }
}

/// The variant name of an error (`Malformed`, `BadSignature`, ...).
fn variant(e: &Error) -> String {
    let text = format!("{e:?}");
    let end = text.find([' ', '(', '{']).unwrap_or(text.len());
    text[..end].to_owned()
}

// ---------------------------------------------------------------------------
// Keys

struct Keys {
    /// Signing keys, all configured under `product` in this order.
    signers: Vec<SigningKey>,
    /// The signers' public keys, then the demo key, under `product`; the
    /// demo key under `global` too (the seeds use both names).
    keyring: Keyring,
    /// The modulus lengths of the `product` keys, in keyring order.
    product_lens: Vec<usize>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signers: Vec<SigningKey> = [
            "keys/rsa2048.pem",
            "keys/other2048.pem",
            "keys/rsa3072.pem",
            "keys/rsa4096.pem",
        ]
        .into_iter()
        .map(common::private)
        .collect();
        assert_eq!(
            signers[0].public_key(),
            &common::public("keys/rsa2048.pub.pem")
        );
        let mut keyring = Keyring::new();
        for s in &signers {
            keyring.add("product", s.public_key().clone()).unwrap();
        }
        keyring.add("product", common::demo_key()).unwrap();
        keyring.add("global", common::demo_key()).unwrap();
        let product_lens = keyring
            .keys("product")
            .iter()
            .map(PublicKey::signature_len)
            .collect();
        Keys {
            signers,
            keyring,
            product_lens,
        }
    })
}

// ---------------------------------------------------------------------------
// Generators

fn signed(f: f64, negative: bool) -> f64 {
    if negative { -f } else { f }
}

#[rustfmt::skip]
const SPECIAL_CHARS: &[char] = &[
    '"', '\\', '/', '\u{7f}', '\u{80}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{fffd}',
    '\u{fffe}', '\u{ffff}', '\u{e9}', '\u{10000}', '\u{10ffff}', '\u{1f600}', '\0', '\u{8}',
    '\u{c}', '\n', '\r', '\t', ' ', 'u', '\'',
];

/// Characters where escaping has rules: quotes, backslash, `/`, controls,
/// DEL, the JavaScript line separators, BOM, non-characters, astral.
fn special_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => select(SPECIAL_CHARS),
        1 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x1_0000u32..=0x10_ffff).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(special_char(), 0..12).prop_map(String::from_iter)
}

/// Object keys. With `php`, no key starts with NUL: PHP's `json_decode`
/// cannot make such a `stdClass` property, so no server response has one.
fn key(php: bool) -> BoxedStrategy<String> {
    if php {
        text()
            .prop_filter("PHP refuses a key starting with NUL", |k| {
                !k.starts_with('\0')
            })
            .boxed()
    } else {
        text().boxed()
    }
}

/// Finite floats, weighted toward the edges of the float format.
fn float() -> impl Strategy<Value = f64> {
    let below_1e17 = f64::from_bits(1e17f64.to_bits() - 1);
    let below_1e_4 = f64::from_bits(1e-4f64.to_bits() - 1);
    prop_oneof![
        // Any bit pattern.
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |f| f.is_finite()),
        // Subnormals.
        (1u64..1 << 52, any::<bool>()).prop_map(|(bits, neg)| signed(f64::from_bits(bits), neg)),
        // Short mantissas at every exponent.
        (1u32..1_000_000, -330i32..=308, any::<bool>()).prop_filter_map("finite", |(m, e, neg)| {
            let f: f64 = format!("{m}e{e}").parse().ok()?;
            f.is_finite().then_some(signed(f, neg))
        }),
        // Exact ties between two shortest forms (PHP takes the even digit).
        (10_000_000_000_000u64..100_000_000_000_000_000, 0u8..8)
            .prop_map(|(i, k)| i as f64 + f64::from(k) / 8.0),
        // -0.0 prints `-0`, which reads back as the integer 0.
        Just(-0.0),
        // Integral floats, which print without a fraction below 1e17.
        (-2e17f64..2e17).prop_map(f64::trunc),
        any::<i64>().prop_map(|i| i as f64),
        select(vec![
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1e17,
            below_1e17,
            -1e17,
            1e16,
            1e-4,
            below_1e_4,
            1e-5,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            9007199254740993.0,
            // Prints `58992594302072050`, which reads back as that integer.
            58992594302072048.0,
            9223372036854775808.0,
        ]),
    ]
}

fn integer() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        // Above i64::MAX PHP has no integer: these are floats.
        any::<u64>().prop_map(Value::from),
        select(vec![
            Value::from(i64::MIN),
            Value::from(i64::MAX),
            Value::from(u64::MAX),
            Value::from(1u64 << 63),
            Value::from(0),
        ]),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integer(),
        float().prop_map(Value::from),
        text().prop_map(Value::String),
    ]
}

fn object_of(
    key: BoxedStrategy<String>,
    value: impl Strategy<Value = Value>,
) -> impl Strategy<Value = Value> {
    // Collecting into the insertion-ordered map drops repeated keys.
    prop::collection::vec((key, value), 0..6)
        .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>()))
}

/// Any JSON value, nested up to 4 levels.
fn json_value(php: bool) -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                object_of(key(php), inner),
            ]
        })
        .boxed()
}

/// A server `response`: always an object.
fn response(php: bool) -> impl Strategy<Value = Value> {
    object_of(key(php), json_value(php))
}

/// A response with a member `nested` holding a string `levels` containers
/// deep (arrays and objects as the bits of `shape` say). The response then
/// has depth `levels + 1`: up to 127 verifies by default, 128 is refused.
fn nested_response() -> impl Strategy<Value = Value> {
    let levels = prop_oneof![
        6 => Just(0usize),
        2 => 1usize..8,
        1 => Just(126usize),
        1 => Just(127usize),
        1 => 118usize..=130,
    ];
    (response(false), levels, any::<u64>(), text()).prop_map(|(mut r, levels, shape, leaf)| {
        if levels > 0 {
            let mut v = Value::String(leaf);
            for i in 0..levels {
                v = if shape >> (i % 64) & 1 == 0 {
                    Value::Array(vec![v])
                } else {
                    Value::Object(Map::from_iter([("k".to_owned(), v)]))
                };
            }
            r.as_object_mut().unwrap().insert("nested".to_owned(), v);
        }
        r
    })
}

// ---------------------------------------------------------------------------
// Models of reading JSON the PHP way (independent of the crate)

fn map_numbers(v: &Value, f: &impl Fn(&Number) -> Value) -> Value {
    match v {
        Value::Number(n) => f(n),
        Value::Array(items) => Value::Array(items.iter().map(|i| map_numbers(i, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), map_numbers(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What reading a text that spells `v` gives: an integer above `i64::MAX`
/// is a float.
fn as_read(v: &Value) -> Value {
    map_numbers(v, &|n| match (n.as_i64(), n.as_u64()) {
        (None, Some(u)) => Value::from(u as f64),
        _ => Value::Number(n.clone()),
    })
}

/// What reading the canonical bytes of `v` gives: besides, an integral
/// float below 1e17 (`-0.0` too) is printed as an integer, its shortest
/// round-trip digits padded with zeros, and read as that integer. Above
/// 2^53 that is not the float's exact value: `5.899259430207205e16`
/// (exactly ...048) prints `58992594302072050` and reads back as that
/// integer, in PHP as here.
fn reread(v: &Value) -> Value {
    map_numbers(&as_read(v), &|n| match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e17 => {
            // Rust's `Display` prints the shortest digits, zero padded.
            Value::from(format!("{f}").parse::<i64>().unwrap())
        }
        _ => Value::Number(n.clone()),
    })
}

fn has_negative_zero(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_f64() && n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative())
        }
        Value::Array(items) => items.iter().any(has_negative_zero),
        Value::Object(map) => map.values().any(has_negative_zero),
        _ => false,
    }
}

/// Nesting depth: 1 for `[]` or `{}`, 0 for a scalar.
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

// ---------------------------------------------------------------------------
// Spelling a value as a noisy JSON text

/// Choices for the speller, taken in turn from generated bytes (none: the
/// plainest spelling), so a failing text shrinks toward the plain one.
struct Noise<'a> {
    bytes: &'a [u8],
    next: usize,
}

impl Noise<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let Some(&b) = self.bytes.get(self.next % self.bytes.len().max(1)) else {
            return 0;
        };
        self.next += 1;
        usize::from(b) % n
    }

    fn ws(&mut self, out: &mut String) {
        out.push_str(["", " ", "\n", "\t", "\r\n  ", " \t"][self.pick(6)]);
    }
}

fn spell(v: &Value, noise: &[u8]) -> String {
    let mut noise = Noise {
        bytes: noise,
        next: 0,
    };
    let mut out = String::new();
    noise.ws(&mut out);
    spell_value(v, &mut noise, &mut out);
    noise.ws(&mut out);
    out
}

fn spell_value(v: &Value, noise: &mut Noise<'_>, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => spell_number(n, noise, out),
        Value::String(s) => spell_str(s, noise, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                noise.ws(out);
                spell_value(item, noise, out);
                noise.ws(out);
            }
            noise.ws(out);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                noise.ws(out);
                spell_str(k, noise, out);
                noise.ws(out);
                out.push(':');
                noise.ws(out);
                spell_value(item, noise, out);
                noise.ws(out);
            }
            noise.ws(out);
            out.push('}');
        }
    }
}

/// A string with each character raw or escaped (`\"`, `\/`, `\u00e9`,
/// `\u00E9`, surrogate pairs), as allowed.
fn spell_str(s: &str, noise: &mut Noise<'_>, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let pick = noise.pick(4);
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '/' if pick == 1 => Some("\\/"),
            _ => None,
        };
        match short {
            Some(escape) if pick < 2 => out.push_str(escape),
            _ if pick >= 2 || c < ' ' || c == '"' || c == '\\' => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    if pick == 3 {
                        write!(out, "\\u{unit:04X}").unwrap();
                    } else {
                        write!(out, "\\u{unit:04x}").unwrap();
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

fn spell_number(n: &Number, noise: &mut Noise<'_>, out: &mut String) {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(0), _, _) if noise.pick(2) == 1 => out.push_str("-0"),
        (Some(i), _, _) => write!(out, "{i}").unwrap(),
        (None, Some(u), _) if noise.pick(2) == 0 => write!(out, "{u}").unwrap(),
        (None, Some(u), _) => spell_float(u as f64, noise, out),
        (None, None, Some(f)) => spell_float(f, noise, out),
        _ => unreachable!("a finite number"),
    }
}

/// A float literal (with a fraction or an exponent) that reads as `f`.
fn spell_float(f: f64, noise: &mut Noise<'_>, out: &mut String) {
    let sci = format!("{f:e}"); // shortest round-trip digits: "-1.2345e17", "5e-324"
    let (sign, rest) = sci
        .strip_prefix('-')
        .map_or(("", sci.as_str()), |r| ("-", r));
    let (mantissa, exp) = rest.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let (first, frac) = digits.split_at(1);
    let frac = if frac.is_empty() { "0" } else { frac };
    match noise.pick(6) {
        0 => out.push_str(&sci),
        1 => {
            let zeros = "0".repeat(noise.pick(3));
            let exp_sign = if exp < 0 { '-' } else { '+' };
            write!(
                out,
                "{sign}{first}.{frac}{zeros}E{exp_sign}{:03}",
                exp.unsigned_abs()
            )
            .unwrap();
        }
        2 => {
            // Plain decimal (Rust writes the shortest digits, zero padded).
            let fixed = format!("{}", f.abs());
            let point = if fixed.contains('.') { "" } else { ".0" };
            write!(out, "{sign}{fixed}{point}").unwrap();
        }
        3 => {
            let len = i32::try_from(digits.len()).unwrap();
            write!(out, "{sign}{digits}e{}", exp - (len - 1)).unwrap();
        }
        4 => write!(out, "{sign}0.{digits}e{}", exp + 1).unwrap(),
        _ if exp >= 0 => write!(out, "{sign}{first}.{frac}e+{exp}").unwrap(),
        _ => write!(out, "{sign}{first}.{frac}e{exp}").unwrap(),
    }
}

// ---------------------------------------------------------------------------
// PHP

/// One base64 text a line in; `base64(json_encode(json_decode(text)))`, or
/// `-` where PHP reports an error, a line out. Objects decode as
/// `stdClass`, so `{}` and `{"0":1}` stay objects.
const PHP_SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    $v = json_decode(base64_decode(trim($line)));
    $out = json_last_error() === JSON_ERROR_NONE ? json_encode($v) : false;
    echo $out === false ? '-' : base64_encode($out), "\n";
}
"#;

/// PHP's canonical bytes of each text, all from one `php` process.
fn php_encode(php: &str, texts: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
    let input: String = texts.iter().map(|t| STANDARD.encode(t) + "\n").collect();
    let output = common::run(php, &["-r".as_ref(), PHP_SCRIPT.as_ref()], input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "php failed: {stderr}");
    let answers: Vec<_> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| (line != "-").then(|| STANDARD.decode(line).unwrap()))
        .collect();
    assert_eq!(answers.len(), texts.len(), "php stderr: {stderr}");
    answers
}

// ---------------------------------------------------------------------------
// Envelope text

/// The raw spans (between the quotes) of the `response_base64` and
/// `signature` strings in an envelope that `sign_envelope` wrote under the
/// name `product` for a payload of `payload_len` bytes.
fn spans(envelope: &str, payload_len: usize) -> (Range<usize>, Range<usize>) {
    let head = r#"{"response":"#;
    let b64_key = r#","response_base64":""#;
    let middle = r#"","private_key_used":"product","signature":""#;
    let b64_start = head.len() + payload_len + b64_key.len();
    assert!(envelope.starts_with(head));
    assert_eq!(&envelope[b64_start - b64_key.len()..b64_start], b64_key);
    let b64_end = b64_start + envelope[b64_start..].find('"').unwrap();
    let sig_start = b64_end + middle.len();
    assert_eq!(&envelope[b64_end..sig_start], middle);
    assert!(envelope.ends_with("\"}"));
    (b64_start..b64_end, sig_start..envelope.len() - 2)
}

/// The JSON string whose raw span (between the quotes) is `span`, decoded.
fn json_string(text: &[u8], span: &Range<usize>) -> String {
    serde_json::from_slice(&text[span.start - 1..span.end + 1]).unwrap()
}

// ---------------------------------------------------------------------------
// 1. Sign then verify

#[test]
fn sign_then_verify_accepts_any_payload() {
    let keys = keys();
    let tally = Tally::default();
    let deepest_accepted = RefCell::new(0);
    check(
        "sign_then_verify_accepts_any_payload",
        256,
        (nested_response(), 0..keys.signers.len()),
        |(response, k)| {
            let key = &keys.signers[k];
            let signer = Signer::new().with("product", key.clone()).unwrap();
            let signed = signer.sign("product", &response);
            let depth = depth(&response);
            // `response` is the envelope's level 2: one level is left for it.
            if depth >= Limits::DEFAULT_MAX_DEPTH {
                prop_assert_eq!(
                    signed,
                    Err(Error::Malformed {
                        member: Member::Response,
                        problem: Problem::TooDeep {
                            limit: Limits::DEFAULT_MAX_DEPTH
                        }
                    })
                );
                tally.add("too deep to sign");
                return Ok(());
            }
            let envelope = signed.map_err(|e| TestCaseError::fail(format!("sign: {e:?}")))?;
            let payload = canonical::to_vec(&response);
            let verified = keys
                .keyring
                .verify(&envelope, &Policy::any_age())
                .map_err(|e| TestCaseError::fail(format!("verify: {e:?}")))?;
            prop_assert_eq!(verified.key_name(), "product");
            prop_assert_eq!(verified.key(), key.public_key());
            prop_assert_eq!(verified.payload_bytes(), payload.as_slice());
            prop_assert_eq!(verified.payload(), &reread(&response));
            prop_assert_eq!(verified.payload(), &canonical::read(&payload).unwrap());

            // The envelope's strings, read by independent decoders: the
            // signature is over the ASCII base64 text of the payload.
            let (b64, sig) = spans(&envelope, payload.len());
            let b64 = json_string(envelope.as_bytes(), &b64);
            prop_assert_eq!(STANDARD.decode(&b64).unwrap(), payload);
            let sig = STANDARD
                .decode(json_string(envelope.as_bytes(), &sig))
                .unwrap();
            prop_assert_eq!(sig.len(), key.public_key().signature_len());
            prop_assert_eq!(
                key.public_key().verify_signature(b64.as_bytes(), &sig),
                Ok(())
            );

            let mut deepest = deepest_accepted.borrow_mut();
            *deepest = (*deepest).max(depth);
            tally.add(format!("signed with key {k}"));
            Ok(())
        },
    );
    // Both sides of the depth limit, and every key, were exercised.
    assert_eq!(*deepest_accepted.borrow(), Limits::DEFAULT_MAX_DEPTH - 1);
    tally.assert_saw(&[
        "too deep to sign",
        "signed with key 0",
        "signed with key 1",
        "signed with key 2",
        "signed with key 3",
    ]);
}

// ---------------------------------------------------------------------------
// 2. Single-bit changes

/// Where in the string to flip a bit.
#[derive(Debug, Clone, Copy)]
enum At {
    Anywhere,
    /// One of the last three characters, where the padding is.
    End,
    /// A byte one bit away from `"` or `\` (`2`, `b`, `X`, `T`, `L`), or
    /// the `\` or `/` of an escaped `\/`: where a flip changes the JSON
    /// rather than the base64.
    NearSyntax,
}

/// Bytes one bit away from `"` or `\`, and the bytes of `\/`.
const NEAR_SYNTAX: &[u8] = b"2bXTL\\/";

/// One bit to flip: in `signature` or `response_base64`, where, which bit.
fn flip() -> impl Strategy<Value = (bool, At, Index, u8)> {
    let at = prop_oneof![Just(At::Anywhere), Just(At::End), Just(At::NearSyntax)];
    (any::<bool>(), at, any::<Index>(), 0u8..8)
}

/// What verification must answer for an envelope whose `member` string
/// (raw span `span`) had byte `pos` changed, decided without the crate.
enum Want {
    Exact(Error, &'static str),
    /// `Malformed { member, Syntax { offset } }`, offset in the range.
    Syntax(Member, RangeInclusive<usize>, &'static str),
}

fn oracle(bytes: &[u8], member: Member, span: &Range<usize>, pos: usize, original: &str) -> Want {
    if let Err(e) = std::str::from_utf8(bytes) {
        let problem = Problem::InvalidUtf8 {
            offset: e.valid_up_to(),
        };
        return Want::Exact(
            Error::Malformed {
                member: Member::Envelope,
                problem,
            },
            "not UTF-8",
        );
    }
    let Ok(env) = serde_json::from_slice::<Value>(bytes) else {
        // Not JSON. Either the changed string itself no longer reads (an
        // error inside it, at or just after the change), or it ended early
        // and what follows it is wrong (an error at the envelope level).
        let string_reads = serde_json::Deserializer::from_slice(&bytes[span.start - 1..])
            .into_iter::<String>()
            .next()
            .is_some_and(|r| r.is_ok());
        return if string_reads {
            Want::Syntax(Member::Envelope, pos + 1..=bytes.len(), "string ends early")
        } else {
            Want::Syntax(member, pos..=pos + 12, "string broken")
        };
    };
    let text = env[member.name()].as_str().unwrap();
    assert_ne!(text, original, "a changed byte changes the string");
    if member == Member::ResponseBase64 {
        // The signature covers this text: whatever it decodes to now.
        return Want::Exact(Error::BadSignature, "response_base64: BadSignature");
    }
    let lens = &keys().product_lens;
    match STANDARD.decode(text) {
        Err(_) => Want::Exact(
            Error::Malformed {
                member: Member::Signature,
                problem: Problem::Base64,
            },
            "signature: Base64",
        ),
        Ok(sig) if !lens.contains(&sig.len()) => Want::Exact(
            Error::SignatureLength {
                got: sig.len(),
                expected: lens[0],
            },
            "signature: SignatureLength",
        ),
        Ok(_) => Want::Exact(Error::BadSignature, "signature: BadSignature"),
    }
}

#[test]
fn any_single_bit_flip_is_refused() {
    let keys = keys();
    let tally = Tally::default();
    check(
        "any_single_bit_flip_is_refused",
        256,
        (
            response(false),
            0..keys.signers.len(),
            prop::collection::vec(flip(), 1..32),
        ),
        |(response, k, flips)| {
            let envelope = keys.signers[k].sign_envelope("product", &response).unwrap();
            let (b64, sig) = spans(&envelope, canonical::to_vec(&response).len());
            for (in_signature, at, index, bit) in flips {
                let (member, span) = if in_signature {
                    (Member::Signature, &sig)
                } else {
                    (Member::ResponseBase64, &b64)
                };
                let near_syntax: Vec<usize> = span
                    .clone()
                    .filter(|&i| NEAR_SYNTAX.contains(&envelope.as_bytes()[i]))
                    .collect();
                let pos = match at {
                    At::End => span.end - 1 - index.index(3),
                    At::NearSyntax if !near_syntax.is_empty() => *index.get(&near_syntax),
                    _ => span.start + index.index(span.len()),
                };
                let mut bytes = envelope.clone().into_bytes();
                bytes[pos] ^= 1 << bit;
                let original = json_string(envelope.as_bytes(), span);
                let got = match keys.keyring.verify(&bytes, &Policy::any_age()) {
                    Ok(v) => {
                        return Err(TestCaseError::fail(format!(
                            "accepted after flipping bit {bit} of byte {pos} ({}): {v:?}",
                            member.name()
                        )));
                    }
                    Err(e) => e,
                };
                match oracle(&bytes, member, span, pos, &original) {
                    Want::Exact(want, label) => {
                        prop_assert_eq!(&got, &want, "bit {} of byte {}", bit, pos);
                        tally.add(label);
                    }
                    Want::Syntax(want_member, offsets, label) => {
                        let ok = matches!(
                            &got,
                            Error::Malformed { member, problem: Problem::Syntax { offset, .. } }
                                if *member == want_member && offsets.contains(offset)
                        );
                        prop_assert!(
                            ok,
                            "bit {} of byte {}: got {:?}, want Syntax in {:?} at {:?}",
                            bit,
                            pos,
                            got,
                            want_member,
                            offsets
                        );
                        tally.add(label);
                    }
                }
            }
            Ok(())
        },
    );
    tally.assert_saw(&[
        "not UTF-8",
        "string ends early",
        "string broken",
        "response_base64: BadSignature",
        "signature: Base64",
        "signature: BadSignature",
        "signature: SignatureLength",
    ]);
}

// ---------------------------------------------------------------------------
// 3. The canonical form: fixed point, and PHP's

#[test]
fn canonical_form_is_a_fixed_point_and_matches_php() {
    // Looked up before the property runs: a missing `php` that is required
    // fails the test once, not as a failing (and saved) case.
    let php = common::tool("php", "-v");
    let tally = Tally::default();
    check(
        "canonical_form_is_a_fixed_point_and_matches_php",
        128,
        prop::collection::vec(
            (json_value(true), prop::collection::vec(any::<u8>(), 0..48)),
            1..16,
        ),
        |batch| {
            // (input, what PHP must make of it)
            let mut for_php: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            for (value, noise) in &batch {
                let text = spell(value, noise);
                prop_assert_eq!(
                    canonical::read(text.as_bytes()),
                    Ok(as_read(value)),
                    "{}",
                    text
                );
                let c1 = canonical::canonicalize(text.as_bytes()).unwrap();
                prop_assert_eq!(&c1, &canonical::to_vec(value), "{}", text);
                let round = reread(value);
                prop_assert_eq!(canonical::read(&c1), Ok(round.clone()));
                let c2 = canonical::canonicalize(&c1).unwrap();
                prop_assert_eq!(&c2, &canonical::to_vec(&round));
                // Idempotent from the first round, unless a -0.0 became 0.
                prop_assert_eq!(c1 == c2, !has_negative_zero(value));
                prop_assert_eq!(canonical::canonicalize(&c2), Ok(c2.clone()));
                tally.add(if c1 == c2 {
                    "fixed at once"
                } else {
                    "-0.0 then fixed"
                });
                if text.as_bytes() != c1.as_slice() {
                    tally.add("text not canonical");
                }
                for_php.push((text.into_bytes(), c1.clone()));
                for_php.push((c1, c2));
            }
            let Some(php) = php else {
                return Ok(());
            };
            let inputs: Vec<&[u8]> = for_php.iter().map(|(t, _)| t.as_slice()).collect();
            for ((input, want), got) in for_php.iter().zip(php_encode(php, &inputs)) {
                prop_assert!(
                    got.as_deref() == Some(want.as_slice()),
                    "PHP differs\n input: {:?}\n  php: {:?}\n ours: {:?}",
                    String::from_utf8_lossy(input),
                    got.map(|g| String::from_utf8_lossy(&g).into_owned()),
                    String::from_utf8_lossy(want)
                );
            }
            tally.add("compared with PHP");
            Ok(())
        },
    );
    tally.assert_saw(&["fixed at once", "-0.0 then fixed", "text not canonical"]);
    if php.is_some() {
        tally.assert_saw(&["compared with PHP"]);
    }
}

// ---------------------------------------------------------------------------
// 4. No panics

/// JSON and envelope fragments, valid and not.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ":", ",", " ", "\n", "\t", "\"", "\\", "\"response\"",
    "\"response_base64\"", "\"private_key_used\"", "\"signature\"", "\"product\"",
    "\"global\"", "\"Private key not set\"", "\"\"", "\"eyJhIjoxfQ==\"", "\"AAAA\"",
    "\"AA=A\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud83d\\ude00\"", "\"\\u00e9\"",
    "\"\\u00\"", "\"\\/\"", "\"\\x\"", "\"\u{1}\"", "0", "-0", "-", "1e400", "-1e400",
    "1e-400", "9223372036854775808", "-9223372036854775809", "1.5", "1.", ".5",
    "01", "1E+2", "true", "false", "null", "nul", "tru", "\u{0}", "\u{7f}", "é",
    "\u{2028}", "\u{feff}", "\u{1f600}",
];

/// A run of tokens and stray bytes.
fn soup(max_tokens: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..3),
    ];
    prop::collection::vec(piece, 0..max_tokens).prop_map(|pieces| pieces.concat())
}

/// Every reader on `input`. None may panic; they must agree with each
/// other and with serde_json where their rules coincide. Returns what
/// `verify` said.
fn read_everything(input: &[u8]) -> Result<Result<Verified, Error>, TestCaseError> {
    // The canonical reader and writer.
    let read = canonical::read(input);
    let canonicalized = canonical::canonicalize(input);
    match &read {
        Ok(v) => {
            let c1 = canonical::to_vec(v);
            prop_assert_eq!(canonicalized.as_ref(), Ok(&c1));
            // serde_json refuses 128 levels; below that it accepts
            // everything this stricter reader does.
            if depth(v) < 127 {
                prop_assert!(
                    serde_json::from_slice::<Value>(input).is_ok(),
                    "canonical::read accepts what serde_json refuses"
                );
            }
            let c2 = canonical::canonicalize(&c1).unwrap();
            prop_assert_eq!(canonical::canonicalize(&c2), Ok(c2.clone()));
        }
        Err(e) => {
            prop_assert!(
                matches!(
                    e,
                    Error::Malformed {
                        member: Member::Document,
                        ..
                    }
                ),
                "{:?}",
                e
            );
            prop_assert_eq!(canonicalized.as_ref(), Err(e));
        }
    }

    // The envelope reader, verification, and what they agree on.
    let unverified = dangerous::read(input, &Limits::default());
    let verified = keys().keyring.verify(input, &Policy::any_age());
    match &unverified {
        // Verification reads the shape first, with the same limits.
        Err(e) => prop_assert_eq!(verified.as_ref().err(), Some(e)),
        Ok(u) => {
            let decoded = u.decoded_payload();
            let signature = u.signature_text();
            prop_assert_eq!(
                u.is_unsigned(),
                matches!(signature, None | Some("" | respsig::UNSIGNED_MARKER))
            );
            prop_assert_eq!(
                u.signature_len(),
                signature
                    .and_then(|s| STANDARD.decode(s).ok())
                    .map(|s| s.len())
            );
            prop_assert_eq!(
                u.response_matches_payload(),
                decoded.as_ref().ok().map(|p| p == u.response())
            );
            if let Ok(v) = &verified {
                prop_assert_eq!(v.key_name(), u.claimed_key_name());
                prop_assert_eq!(Ok(v.payload()), decoded.as_ref());
                prop_assert_eq!(
                    v.payload_bytes(),
                    STANDARD.decode(u.response_base64()).unwrap()
                );
            }
        }
    }
    Ok(verified)
}

#[test]
fn readers_never_panic_on_arbitrary_bytes() {
    let tally = Tally::default();
    check(
        "readers_never_panic_on_arbitrary_bytes",
        8192,
        prop_oneof![prop::collection::vec(any::<u8>(), 0..256), soup(48)],
        |input| {
            match read_everything(&input)? {
                Ok(v) => {
                    return Err(TestCaseError::fail(format!("random input verified: {v:?}")));
                }
                Err(e) => tally.add(variant(&e)),
            }
            if canonical::read(&input).is_ok() {
                tally.add("JSON");
            }
            Ok(())
        },
    );
    tally.assert_saw(&["Malformed", "JSON"]);
}

/// An envelope that verifies, with the payload and key it verifies with.
struct Original {
    envelope: Vec<u8>,
    payload: Vec<u8>,
    key: PublicKey,
}

fn originals() -> &'static [Original] {
    static ORIGINALS: OnceLock<Vec<Original>> = OnceLock::new();
    ORIGINALS.get_or_init(|| {
        let fresh = serde_json::json!({
            "code": 300,
            "message": "License key activated \u{e9}/\u{1f600}",
            "timestamp": 1_700_000_000,
            "data": {"limits": [1, 2.5, -0.0, 1e17, null], "ok": true, "": {}},
        });
        let mut envelopes = vec![
            keys().signers[0]
                .sign_envelope("product", &fresh)
                .unwrap()
                .into_bytes(),
        ];
        for seed in [372, 373, 650, 651] {
            let kind = if seed < 600 { "-meta" } else { "" };
            envelopes.push(common::bytes(&format!(
                "gkm/seed-{seed}-update-product{kind}.json"
            )));
        }
        envelopes
            .into_iter()
            .map(|envelope| {
                let v = keys()
                    .keyring
                    .verify(&envelope, &Policy::any_age())
                    .unwrap();
                Original {
                    payload: v.payload_bytes().to_vec(),
                    key: v.key().clone(),
                    envelope,
                }
            })
            .collect()
    })
}

/// A JSON string holding the base64 of `bytes`.
fn quoted_base64(bytes: Vec<u8>) -> Vec<u8> {
    format!("\"{}\"", STANDARD.encode(bytes)).into_bytes()
}

fn literal(values: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    select(values).prop_map(|s| s.as_bytes().to_vec())
}

/// Envelope-shaped text: the four members and an extra one, each with a
/// plausible or a wrong value, in any order, one of them maybe missing and
/// one maybe repeated.
fn envelope_like() -> impl Strategy<Value = Vec<u8>> {
    let plain = prop_oneof![
        3 => response(false).prop_map(|v| canonical::to_vec(&v)),
        1 => json_value(false).prop_map(|v| canonical::to_vec(&v)),
        1 => soup(4),
    ];
    let response_base64 = prop_oneof![
        3 => response(false).prop_map(|v| quoted_base64(canonical::to_vec(&v))),
        1 => json_value(false).prop_map(|v| quoted_base64(canonical::to_vec(&v))),
        1 => literal(&["\"eyJjb2RlIjoxfQ\"", "\"W10=\"", "\"\"", "7", "{}"]),
    ];
    let name = literal(&[
        "\"product\"",
        "\"global\"",
        "\"nobody\"",
        "\"\"",
        "7",
        "null",
    ]);
    let signature = prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 256..=256).prop_map(quoted_base64),
        1 => prop_oneof![Just(384usize), Just(512), 0usize..600]
            .prop_flat_map(|n| prop::collection::vec(any::<u8>(), n..=n))
            .prop_map(quoted_base64),
        1 => literal(&["\"\"", "\"Private key not set\"", "\"AA=A\"", "null", "[]"]),
    ];
    let extra = prop_oneof![
        json_value(false).prop_map(|v| canonical::to_vec(&v)),
        soup(4)
    ];
    (plain, response_base64, name, signature, extra)
        .prop_flat_map(|(r, b, n, s, x)| {
            let members = vec![
                ("response", r),
                ("response_base64", b),
                ("private_key_used", n),
                ("signature", s),
                ("signature_metadata", x),
            ];
            // Indexes past the end: nothing dropped, nothing repeated.
            (Just(members).prop_shuffle(), 0usize..10, 0usize..10)
        })
        .prop_map(|(mut members, drop, repeat)| {
            if let Some(member) = members.get(repeat).cloned() {
                members.push(member);
            }
            if drop < members.len() {
                members.remove(drop);
            }
            let mut out = b"{".to_vec();
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(format!("\"{name}\":").as_bytes());
                out.extend_from_slice(value);
            }
            out.push(b'}');
            out
        })
}

#[test]
fn readers_never_panic_on_envelope_like_input() {
    let originals = originals();
    let tally = Tally::default();
    // A real envelope with a few bytes replaced (index into `originals`),
    // or envelope-shaped text from scratch (no index).
    let damaged = (
        0..originals.len(),
        any::<Index>(),
        prop_oneof![3 => 0usize..8, 1 => Just(0usize)],
        prop_oneof![
            2 => prop::collection::vec(any::<u8>(), 0..8),
            2 => soup(3),
            1 => literal(&[" ", "\n", "", "\"", ","]),
        ],
    )
        .prop_map(|(i, at, len, with)| {
            let envelope = &originals[i].envelope;
            let start = at.index(envelope.len() + 1);
            let end = (start + len).min(envelope.len());
            let bytes = [&envelope[..start], &with, &envelope[end..]].concat();
            (Some(i), bytes)
        });
    check(
        "readers_never_panic_on_envelope_like_input",
        4096,
        prop_oneof![
            3 => damaged,
            2 => envelope_like().prop_map(|bytes| (None, bytes)),
        ],
        |(original, input)| {
            match (read_everything(&input)?, original) {
                // Still accepted: then it carries what was signed, under the
                // key that signed it (only the unsigned parts changed).
                (Ok(v), Some(i)) => {
                    prop_assert_eq!(v.payload_bytes(), originals[i].payload.as_slice());
                    prop_assert_eq!(v.key(), &originals[i].key);
                    tally.add("damaged but verified");
                }
                (Ok(v), None) => {
                    return Err(TestCaseError::fail(format!(
                        "forged envelope verified: {v:?}"
                    )));
                }
                (Err(e), _) => tally.add(variant(&e)),
            }
            Ok(())
        },
    );
    tally.assert_saw(&[
        "damaged but verified",
        "ContentMismatch",
        "Malformed",
        "Unsigned",
        "UnknownKeyName",
        "BadSignature",
    ]);
}

/// Key loaders on random bytes, damaged DER, and PEM around either.
#[test]
fn key_loaders_never_panic() {
    let ders: Vec<Vec<u8>> = [
        "keys/rsa2048.pub.der",
        "keys/rsa2048.rsapub.der",
        "keys/rsa2048.der",
        "keys/rsa2048.rsa.der",
    ]
    .into_iter()
    .map(common::bytes)
    .collect();
    let damaged_der = (
        select(ders),
        any::<Index>(),
        0usize..4,
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(der, at, len, with)| {
            let start = at.index(der.len() + 1);
            let end = (start + len).min(der.len());
            [&der[..start], &with, &der[end..]].concat()
        });
    let der = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..300),
        3 => damaged_der,
    ];
    let label = select(vec![
        "PUBLIC KEY",
        "RSA PUBLIC KEY",
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "CERTIFICATE",
        "",
    ]);
    let input = prop_oneof![
        der.clone().prop_map(|der| (der, false)),
        (der, label, any::<bool>()).prop_map(|(der, label, wrap)| {
            let mut body = STANDARD.encode(&der);
            if wrap {
                body = body
                    .as_bytes()
                    .chunks(64)
                    .map(|c| String::from_utf8_lossy(c) + "\r\n")
                    .collect();
            }
            let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
            (pem.into_bytes(), true)
        }),
        soup(16).prop_map(|bytes| {
            let mut pem = b"-----BEGIN PUBLIC KEY-----\n".to_vec();
            pem.extend(bytes);
            pem.extend_from_slice(b"\n-----END PUBLIC KEY-----");
            (pem, true)
        }),
    ];
    let tally = Tally::default();
    check("key_loaders_never_panic", 4096, input, |(input, pem)| {
        let text = String::from_utf8_lossy(&input);
        for key in [PublicKey::from_der(&input), PublicKey::from_pem(&text)] {
            match key {
                Ok(key) => {
                    prop_assert!((respsig::MIN_BITS..=respsig::MAX_BITS).contains(&key.bits()));
                    prop_assert_eq!(key.signature_len(), key.bits().div_ceil(8));
                    tally.add("public key loaded");
                }
                Err(e) => {
                    prop_assert!(matches!(e, Error::KeyRejected(_)), "{:?}", e);
                    tally.add(if pem { "PEM refused" } else { "DER refused" });
                }
            }
        }
        for key in [SigningKey::from_der(&input), SigningKey::from_pem(&text)] {
            match key {
                Ok(key) => {
                    prop_assert!(key.public_key().bits() >= respsig::MIN_BITS);
                    tally.add("private key loaded");
                }
                Err(e) => prop_assert!(matches!(e, Error::KeyRejected(_)), "{:?}", e),
            }
        }
        Ok(())
    });
    tally.assert_saw(&["public key loaded", "PEM refused", "DER refused"]);
}
