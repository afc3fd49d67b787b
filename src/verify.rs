//! Verification: the only place a [`Verified`] is built.
//!
//! The order of checks, and why:
//! 1. size limit, then shape ([`crate::envelope`]): nothing is decoded or
//!    hashed before the input is known to be a well-formed envelope;
//! 2. `signature` present and not the server's `Private key not set`
//!    ([`Error::Unsigned`]);
//! 3. `private_key_used` names a configured key ([`Error::UnknownKeyName`]);
//! 4. `signature` is strict base64 of exactly the modulus length;
//! 5. RSASSA-PKCS1-v1_5 over the ASCII bytes of `response_base64` under a
//!    key of that name, with that key's hash ([`Error::BadSignature`]);
//! 6. only now is the signed text decoded: strict base64, UTF-8 JSON object
//!    ([`Error::PayloadNotJson`]);
//! 7. the plain `response` must have the same content: PHP would write
//!    it as the same bytes, member order aside ([`Error::ContentMismatch`]);
//! 8. the freshness policy, if any, on the signed `timestamp`.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::envelope::{self, Limits};
use crate::error::{Error, Member, Problem, Snippet};
use crate::json;
use crate::key::PublicKey;
use crate::keyring::Keyring;
use crate::response_code::ResponseCode;

/// What the server sends in `signature` when it has no signing key.
pub const UNSIGNED_MARKER: &str = "Private key not set";

/// A response whose signature, payload and content all checked out.
///
/// Nothing outside this crate can construct one: holding a `Verified` means
/// [`Keyring::verify`] accepted the envelope. The payload it hands out comes
/// from the signed `response_base64`, never from the unsigned `response`.
///
/// The key name is the one exception: `private_key_used` is not covered by
/// the signature, it only selected which of your keys to try. If you put
/// one key under two names (as the server's demo setup does with `product`
/// and `global`), the sender chooses which of those names you see here;
/// decide on the key ([`Verified::key`]), or keep one key per name.
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
    /// catalogue does not list come back as [`ResponseCode::Unknown`].
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/gkm/gkm-demo-public.pem").unwrap();
    /// # let key = respsig::PublicKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", key).unwrap();
    /// # let envelope = std::fs::read_to_string("testdata/gkm/seed-373-update-product-meta.json").unwrap();
    /// use respsig::ResponseCode;
    /// let verified = keyring.verify(&envelope).unwrap();
    /// assert_eq!(verified.response_code(), Some(ResponseCode::ProductMetaUpdated));
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
    pub fn timestamp(&self) -> Option<i64> {
        integer(self.payload().get("timestamp")?)
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
    /// let reply: Reply = keyring.verify(&envelope).unwrap().deserialize().unwrap();
    /// assert_eq!((reply.code, reply.message.as_str()), (373, "Product meta updated"));
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        T::deserialize(self.payload()).map_err(|e| Error::Deserialize {
            reason: Snippet::prefix(&e.to_string(), Snippet::MAX_REASON_CHARS),
        })
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

/// A source of the current time, injectable for tests.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }
}

/// A clock stopped at a given Unix time, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// How old (and how far in the future) a signed `timestamp` may be.
///
/// The server's payloads carry no nonce: a signed "license valid" is valid
/// for any request under that key, forever, unless the verifier bounds its
/// age. Binding a response to its request is left to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    max_age: Duration,
    max_future_skew: Duration,
}

impl Freshness {
    /// Accept timestamps at most `max_age` old and at most
    /// `max_future_skew` ahead of the clock.
    pub const fn new(max_age: Duration, max_future_skew: Duration) -> Self {
        Freshness {
            max_age,
            max_future_skew,
        }
    }

    fn check(&self, timestamp: i64, now: i64) -> Result<(), Error> {
        let max_age = self.max_age.as_secs();
        let max_future_skew = self.max_future_skew.as_secs();
        let age = i128::from(now) - i128::from(timestamp);
        if age > i128::from(max_age) {
            return Err(Error::StaleTimestamp {
                timestamp,
                now,
                max_age,
            });
        }
        if -age > i128::from(max_future_skew) {
            return Err(Error::FutureTimestamp {
                timestamp,
                now,
                max_future_skew,
            });
        }
        Ok(())
    }
}

/// Options for [`Keyring::verify_with`]: limits, freshness, clock.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    limits: Limits,
    freshness: Option<Freshness>,
    clock: Arc<dyn Clock>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            limits: Limits::new(),
            freshness: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// The default options, built once (they hold an `Arc`).
pub(crate) fn default_options() -> &'static VerifyOptions {
    static DEFAULT: std::sync::OnceLock<VerifyOptions> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(VerifyOptions::default)
}

impl VerifyOptions {
    /// The defaults: [`Limits::new`], no freshness check, the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Input size and nesting limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Require the signed `timestamp` to be fresh.
    pub fn freshness(mut self, freshness: Freshness) -> Self {
        self.freshness = Some(freshness);
        self
    }

    /// The clock freshness is judged against.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}

/// Strict standard base64: RFC 4648 alphabet, `=` padding, no whitespace,
/// zero trailing bits.
///
/// Exactly what `base64ct::Base64` accepts (a test checks), but table
/// driven: base64ct is constant-time, made for secrets, and costs about
/// 1.7 ns a byte; what is decoded here (signatures, signed payloads,
/// license blocks) is public.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![0u8; base64_len(text.as_bytes())?];
    base64_into(text.as_bytes(), &mut out).then_some(out)
}

/// The decoded length of strict base64 `text`, from its shape alone
/// (`None`: not a multiple of four characters).
fn base64_len(text: &[u8]) -> Option<usize> {
    if text.len() % 4 != 0 {
        return None;
    }
    let pad = match text {
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    Some(text.len() / 4 * 3 - pad)
}

/// Decodes `text` into `out`, whose length is [`base64_len`] of `text`;
/// returns whether `text` is strict base64.
fn base64_into(text: &[u8], out: &mut [u8]) -> bool {
    let pad = text.len() / 4 * 3 - out.len();
    let (body, tail) =
        text[..text.len() - pad].split_at(text.len() / 4 * 4 - 4 * (pad > 0) as usize);
    let (full, last) = out.split_at_mut(body.len() / 4 * 3);
    // Invalid characters map to 0xff: one bit test at the end finds any.
    let mut bad = 0u8;
    for (chunk, dst) in body.chunks_exact(4).zip(full.chunks_exact_mut(3)) {
        let [a, b, c, d] = [chunk[0], chunk[1], chunk[2], chunk[3]].map(sextet);
        bad |= a | b | c | d;
        dst[0] = a << 2 | b >> 4;
        dst[1] = b << 4 | c >> 2;
        dst[2] = c << 6 | d;
    }
    match *tail {
        [] => {}
        [a, b] => {
            let [a, b] = [a, b].map(sextet);
            bad |= a | b;
            // Trailing bits must be zero (one encoding per byte string).
            bad |= (b & 0x0f != 0) as u8 * 0x80;
            last[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let [a, b, c] = [a, b, c].map(sextet);
            bad |= a | b | c;
            bad |= (c & 0x03 != 0) as u8 * 0x80;
            last[0] = a << 2 | b >> 4;
            last[1] = b << 4 | c >> 2;
        }
        _ => return false,
    }
    bad & 0x80 == 0
}

/// The value of a base64 character, 0xff if it is not one.
fn sextet(c: u8) -> u8 {
    const TABLE: [u8; 256] = {
        let mut table = [0xffu8; 256];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut i = 0;
        while i < 64 {
            table[alphabet[i] as usize] = i as u8;
            i += 1;
        }
        table
    };
    TABLE[usize::from(c)]
}

/// Decodes `response_base64` (strict base64) and reads it as JSON at the
/// level where `response` stands in the envelope, so one depth limit means
/// the same for both. Returns the bytes and the value.
pub(crate) fn decode_payload(
    response_base64: &str,
    max_depth: usize,
) -> Result<(Vec<u8>, Value), Error> {
    let bytes = decode_base64(response_base64).ok_or(Error::Malformed {
        member: Member::ResponseBase64,
        problem: Problem::Base64,
    })?;
    let value = json::parse_nested(&bytes, max_depth, 1)
        .map_err(|problem| Error::PayloadNotJson { problem })?;
    Ok((bytes, value))
}

/// A license file's content, opened under `key` (see `license.rs`).
pub(crate) fn verified_license(
    name: &str,
    key: &PublicKey,
    payload_bytes: Vec<u8>,
    payload: Value,
) -> Verified {
    Verified {
        key_name: Arc::from(name),
        key: key.clone(),
        payload_bytes,
        payload: OnceLock::from(payload),
    }
}

/// Whether a `signature` value means "unsigned".
pub(crate) fn is_unsigned(signature: Option<&str>) -> bool {
    matches!(signature, None | Some("" | UNSIGNED_MARKER))
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

/// The longest signature decoded on the stack: the largest modulus a
/// [`PublicKey`] may have. Longer ones are decoded on the heap, only to be
/// refused for their length.
const MAX_SIGNATURE_LEN: usize = crate::key::MAX_BITS / 8;

pub(crate) fn verify(
    keyring: &Keyring,
    input: &[u8],
    options: &VerifyOptions,
) -> Result<Verified, Error> {
    // Borrowed until the signature checks out: no `Value`, no copies.
    let env = envelope::view(input, &options.limits)?;
    let signature = match env.signature.as_deref() {
        s if is_unsigned(s) => return Err(Error::Unsigned),
        Some(s) => s,
        None => return Err(Error::Unsigned),
    };
    let (key_name, keys) = match keyring.entry(&env.private_key_used) {
        Some((name, keys)) if !keys.is_empty() => (name, keys),
        _ => {
            return Err(Error::UnknownKeyName {
                name: Snippet::new(&env.private_key_used),
            });
        }
    };
    let malformed = Error::Malformed {
        member: Member::Signature,
        problem: Problem::Base64,
    };
    let mut stack = [0u8; MAX_SIGNATURE_LEN];
    let mut heap = Vec::new();
    let len = base64_len(signature.as_bytes()).ok_or(malformed.clone())?;
    let sig: &mut [u8] = if len <= MAX_SIGNATURE_LEN {
        &mut stack[..len]
    } else {
        // Longer than any modulus: decoded only to be refused for its
        // length (or its encoding).
        heap.resize(len, 0);
        &mut heap
    };
    if !base64_into(signature.as_bytes(), sig) {
        return Err(malformed);
    }
    let sig: &[u8] = sig;
    if !keys.iter().any(|k| k.modulus_len() == sig.len()) {
        return Err(Error::Malformed {
            member: Member::Signature,
            problem: Problem::SignatureLength {
                got: sig.len(),
                expected: keys[0].modulus_len(),
            },
        });
    }
    let key = keys
        .iter()
        .find(|k| k.verify_raw(env.response_base64.as_bytes(), sig))
        .ok_or(Error::BadSignature)?;

    // Signed from here on: decode and check the payload, with the errors
    // and in the order `decode_payload` and a `Value` would give, but
    // without building one unless the two copies differ in key order.
    let payload_bytes = decode_base64(&env.response_base64).ok_or(Error::Malformed {
        member: Member::ResponseBase64,
        problem: Problem::Base64,
    })?;
    let payload = OnceLock::new();
    // The server writes `response` and the payload with one json_encode:
    // byte for byte the same text (blanks around aside). Then the payload
    // passed every check `response` passed, under the same depth limit at
    // the same level, and is the same value: nothing to read again.
    let same = trim_blank(&payload_bytes) == env.response.as_bytes() || {
        let payload_text = json::check_nested(&payload_bytes, options.limits.depth_limit(), 1)
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

    let verified = Verified {
        key_name: Arc::clone(key_name),
        key: key.clone(),
        payload_bytes,
        payload,
    };
    if let Some(freshness) = &options.freshness {
        let timestamp = verified.timestamp().ok_or(Error::MissingTimestamp)?;
        freshness.check(timestamp, options.clock.now_unix())?;
    }
    Ok(verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table decoder accepts exactly what base64ct accepts, with the
    /// same output: every string of up to 4 characters over a mixed
    /// alphabet (alone and after a valid block), and random encodings with
    /// one character changed.
    #[test]
    fn base64_agrees_with_base64ct() {
        use base64ct::{Base64, Encoding};
        let chars = b"AQgw/+=_- \n\xc3";
        let check = |text: &[u8]| {
            let Ok(text) = std::str::from_utf8(text) else {
                return;
            };
            assert_eq!(
                decode_base64(text),
                Base64::decode_vec(text).ok(),
                "{text:?}"
            );
        };
        for len in 0..=4 {
            let mut idx = vec![0usize; len];
            loop {
                let text: Vec<u8> = idx.iter().map(|&i| chars[i]).collect();
                check(&text);
                check(&[b"QUJD".as_slice(), &text].concat());
                let Some(pos) = idx.iter().rposition(|&i| i + 1 < chars.len()) else {
                    break;
                };
                idx[pos] += 1;
                idx[pos + 1..].iter_mut().for_each(|i| *i = 0);
            }
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let bytes: Vec<u8> = (0..(seed % 40) as usize)
                .map(|i| (seed >> (i % 8 * 8)) as u8)
                .collect();
            let text = Base64::encode_string(&bytes);
            check(text.as_bytes());
            let mut broken = text.into_bytes();
            if let Some(b) = broken.get_mut((seed >> 40) as usize % 40) {
                *b = chars[(seed >> 50) as usize % chars.len()];
            }
            check(&broken);
        }
    }

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

    #[test]
    fn strict_base64() {
        assert_eq!(decode_base64("AAEC"), Some(vec![0, 1, 2]));
        assert_eq!(decode_base64("AAE="), Some(vec![0, 1]));
        for bad in [
            "AAE", "AAF=", "AA==AA==", "A A=", "AAE=\n", "_-8=", "AAE==", "AA=E",
        ] {
            assert_eq!(decode_base64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn freshness_bounds_are_inclusive() {
        let f = Freshness::new(Duration::from_secs(60), Duration::from_secs(5));
        assert_eq!(f.check(1000, 1060), Ok(()));
        assert_eq!(
            f.check(1000, 1061),
            Err(Error::StaleTimestamp {
                timestamp: 1000,
                now: 1061,
                max_age: 60
            })
        );
        assert_eq!(f.check(1005, 1000), Ok(()));
        assert_eq!(
            f.check(1006, 1000),
            Err(Error::FutureTimestamp {
                timestamp: 1006,
                now: 1000,
                max_future_skew: 5
            })
        );
        assert!(f.check(i64::MIN, i64::MAX).is_err());
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
