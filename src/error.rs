//! The crate's one error type.
//!
//! Each cause has one variant, whatever artifact it was found in (a bad
//! signature is [`Error::BadSignature`] for an envelope and a license
//! alike). `Display` says what went wrong and where, and nothing more:
//! what to do about it is the caller's to say (the CLI adds it, once). `Display` never prints key material and never echoes more than
//! a short, escaped prefix of attacker-controlled input ([`Snippet`]).

use std::fmt;
use std::time::Duration;

use crate::time::UnixTime;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading keys, verifying or signing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than the configured limit; it was refused before
    /// parsing.
    TooLarge {
        /// Length of the input in bytes.
        len: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The envelope (or one of its members) is not what the server sends.
    Malformed {
        /// Which member is wrong.
        member: Member,
        /// What is wrong with it.
        problem: Problem,
    },
    /// A key was refused when it was loaded.
    KeyRejected(KeyProblem),
    /// No key is configured under the name: the one an envelope's
    /// `private_key_used` gives, or the one a license or a signer was asked
    /// to use.
    UnknownKeyName {
        /// A short prefix of the name.
        name: Snippet,
    },
    /// The response carries no signature: `signature` is missing, empty, or
    /// the server's literal `Private key not set`.
    Unsigned,
    /// The signature (of an envelope or a signed-JSON license) does not
    /// verify under any key of the selected name.
    ///
    /// Deliberately carries no reason.
    BadSignature,
    /// The signature is not as long as a signature under any key of the
    /// selected name (an RSA signature is as long as the modulus, an Ed25519
    /// signature 64 bytes).
    SignatureLength {
        /// The decoded length in bytes.
        got: usize,
        /// The signature length of the name's first key (with rotation
        /// across key sizes, others may differ).
        expected: usize,
    },
    /// The signature is valid, but the decoded `response_base64` is not a
    /// JSON object.
    PayloadNotJson {
        /// Why the payload could not be read.
        problem: Problem,
    },
    /// The signature is valid, but the plain `response` member does not
    /// have the signed payload's content.
    ///
    /// The rule is PHP's: the two have the same content when PHP's
    /// `json_encode` would write them as the same bytes (the crate's
    /// [`canonical`](crate::canonical) form), member order aside. So `1`,
    /// `1.0` and `1e0` are the same (all written `1`), and so are `0`, `-0`
    /// and `0.0` (all `0`); the float `-0.0` (written `-0`) is not `0.0`;
    /// `\/` is `/`; an object's members may come in another order, a
    /// list's items may not; `{}` is not `[]`.
    ContentMismatch,
    /// The policy bounds the answer's age but the signed payload has no
    /// usable integer `timestamp`.
    MissingTimestamp,
    /// The signed `timestamp` is older than the policy's maximum age
    /// ([`Policy::max_age`](crate::Policy::max_age)): typically an answer
    /// kept offline for too long.
    StaleTimestamp {
        /// The payload's signed time.
        signed_at: UnixTime,
        /// The verifier's clock.
        now: UnixTime,
        /// The maximum age allowed.
        max_age: Duration,
    },
    /// The signed `timestamp` is ahead of this machine's clock by more than
    /// the clock drift allowed ([`DEFAULT_CLOCK_DRIFT`](crate::DEFAULT_CLOCK_DRIFT)
    /// unless the policy says otherwise): one of the two clocks is wrong.
    FutureTimestamp {
        /// The payload's signed time.
        signed_at: UnixTime,
        /// The verifier's clock.
        now: UnixTime,
        /// The drift allowed.
        clock_drift: Duration,
    },
    /// The answer was signed before the request it is checked against was
    /// sent, by more than the replay window
    /// ([`Policy::answer_to`](crate::Policy::answer_to)): it answers an
    /// earlier request, so it is a recorded answer played back, or this
    /// machine's clock runs ahead of the server's by more than the window.
    NotAnAnswerToRequest {
        /// The payload's signed time.
        signed_at: UnixTime,
        /// When the request was sent, as the caller stated.
        sent_at: UnixTime,
        /// The replay window allowed.
        replay_window: Duration,
    },
    /// The envelope verified under a key name other than the one the policy
    /// requires ([`Policy::signed_by`](crate::Policy::signed_by)).
    WrongSigner {
        /// The configured name whose key verified the envelope.
        signed_by: Snippet,
        /// The name the policy requires.
        required: Snippet,
    },
    /// A signed member the caller required
    /// ([`Verified::require`](crate::Verified::require)) is missing or has
    /// another value: the answer is about something else. Neither value is
    /// kept, so that the error never carries another customer's license key.
    MemberMismatch {
        /// The member's path as the caller gave it, cut short.
        member: Snippet,
        /// Whether the member is there (with another value) or missing.
        present: bool,
    },
    /// The verified payload does not fit the caller's type.
    Deserialize {
        /// serde's explanation, cut to [`Snippet::MAX_REASON_CHARS`].
        reason: Snippet,
    },
    /// A key name given to the keyring or signer is not acceptable.
    InvalidKeyName(KeyNameProblem),
    /// The signing backend failed (should not happen with a loaded key).
    SigningFailed,
    /// Generating a new key pair failed (the random source or the key
    /// generator).
    KeyGeneration,
    /// An offline license file was refused, or a verified license broke
    /// the offline rules.
    License(LicenseProblem),
    /// A verified `get-product-public-key` response does not vouch for a
    /// key (see [`Keyring::add_product_key`](crate::Keyring::add_product_key)).
    KeyResponse(KeyResponseProblem),
    /// The envelope's `signature_metadata.algorithm` names an algorithm
    /// that is not the one of any key configured under the selected name,
    /// or one this crate does not know. Checked before any signature work;
    /// the member never chooses the algorithm, it can only get the
    /// envelope refused.
    AlgorithmMismatch {
        /// A short prefix of the name the envelope gave.
        claimed: Snippet,
        /// The algorithm of the (first) key configured under that name.
        key: crate::algorithm::Algorithm,
    },
}

/// Why a license file was refused, or a license check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LicenseProblem {
    /// The file decodes to nothing.
    Empty,
    /// The decoded length is not a multiple of the modulus length of any
    /// RSA key of the name.
    Length {
        /// The decoded length in bytes.
        len: usize,
    },
    /// A block, read as a number, is not below the modulus.
    BlockOutOfRange {
        /// The block's index, from 0.
        block: usize,
    },
    /// A block does not carry PKCS#1 v1.5 type-1 padding under the key
    /// (for block 0: under any RSA key of the name).
    Padding {
        /// The block's index, from 0.
        block: usize,
    },
    /// `expires_at` is in none of the accepted forms.
    BadExpiry,
    /// The license has expired.
    Expired {
        /// The last second it was valid.
        expired_at: UnixTime,
        /// The policy's clock.
        now: UnixTime,
    },
    /// The license is bound to another machine, or to none.
    HardwareMismatch,
    /// The license is bound to another domain, or to none.
    DomainMismatch,
    /// The license is bound (to a machine or a domain) and the policy does
    /// not say which one this is: a bound license passes only a policy that
    /// names its binding ([`LicensePolicy::hardware_id`](crate::LicensePolicy::hardware_id),
    /// [`LicensePolicy::domain`](crate::LicensePolicy::domain)).
    BindingNotChecked {
        /// `hardware_id` or `domain`.
        member: &'static str,
    },
    /// The license is for another license key than the policy requires, or
    /// names none.
    LicenseKeyMismatch,
    /// The license is for another product than the policy requires, or
    /// names none.
    ProductMismatch,
    /// A `.lic` file is RSA blocks, and no RSA key is configured under the
    /// name (an Ed25519 key cannot open one).
    NoRsaKey,
    /// The text a `.lic` file's blocks open to is not a JSON object.
    Json {
        /// Why it could not be read.
        problem: Problem,
    },
    /// The integrity member ([`INTEGRITY_MEMBER`](crate::INTEGRITY_MEMBER))
    /// does not match the rest of the license: the blocks of the file were
    /// spliced, reordered, duplicated or substituted.
    IntegrityMismatch,
    /// The integrity member is not a string of 64 lowercase hex digits.
    IntegrityMalformed,
    /// The reader requires the integrity member and the license has none.
    IntegrityMissing,
    /// An object in the document is empty or has exactly the keys `"0"`,
    /// `"1"`, ... in order: PHP's `json_decode($doc, true)` makes it a
    /// list, which `json_encode` writes as an array, so the bytes the SDK
    /// verifies would not be the document's.
    ReadsAsPhpList,
}

/// Why a verified public-key response was not taken as a key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyResponseProblem {
    /// Code 633: the server has no public key for the product.
    NotFound,
    /// The code is neither 632 (found) nor 633 (not found).
    UnexpectedCode {
        /// The payload's code, if it has one.
        code: Option<i64>,
    },
    /// The response was signed under another name than the one required
    /// to vouch for keys (`global`).
    WrongVoucher {
        /// The name that signed it.
        signed_by: Snippet,
        /// The name required.
        required: &'static str,
    },
    /// No `public_key` string in the payload (nor in `data`).
    MissingKey,
    /// `public_key` and `data.public_key` are both there and differ.
    AmbiguousKey,
    /// The caller named a product, and the payload names none.
    MissingProduct,
    /// The payload is about another product than the caller asked for.
    ProductMismatch {
        /// A short prefix of the product the payload names.
        got: Snippet,
    },
}

/// The envelope member an [`Error::Malformed`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Member {
    /// The envelope as a whole (its JSON text or its top level).
    Envelope,
    /// `response`, the unsigned plain copy of the payload.
    Response,
    /// `response_base64`, the signed text.
    ResponseBase64,
    /// `private_key_used`, the name of the signing key.
    PrivateKeyUsed,
    /// `signature`.
    Signature,
    /// A JSON document given to the canonical writer.
    Document,
    /// `signature_metadata`, an unsigned member newer servers add.
    SignatureMetadata,
    /// `signature_metadata.algorithm`.
    SignatureMetadataAlgorithm,
    /// A `.lic` license file's text (strict base64 of RSA blocks).
    LicenseFile,
    /// A signed-JSON license document as a whole.
    LicenseDocument,
    /// The signed-JSON license document's `license` member.
    License,
    /// The signed-JSON license document's `signature` member.
    LicenseSignature,
}

impl Member {
    /// The member's name as it appears in the envelope.
    pub fn name(self) -> &'static str {
        match self {
            Member::Envelope => "envelope",
            Member::Response => "response",
            Member::ResponseBase64 => "response_base64",
            Member::PrivateKeyUsed => "private_key_used",
            Member::Signature => "signature",
            Member::Document => "document",
            Member::SignatureMetadata => "signature_metadata",
            Member::SignatureMetadataAlgorithm => "signature_metadata.algorithm",
            Member::LicenseFile => "license file",
            Member::LicenseDocument => "license document",
            Member::License => "license",
            Member::LicenseSignature => "signature",
        }
    }
}

/// What is wrong with a piece of JSON or an envelope member.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Not valid JSON; `offset` is the byte where reading stopped.
    Syntax {
        /// Byte offset of the error.
        offset: usize,
        /// What the reader expected there.
        expected: &'static str,
    },
    /// The text is not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// Objects and arrays nest deeper than the configured limit.
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// An object has the same key twice.
    DuplicateKey {
        /// A short prefix of the key.
        key: Snippet,
    },
    /// A number is too large to be represented: it reads as infinity (as
    /// PHP reads it, see [`canonical`](crate::canonical)), which no JSON
    /// text can carry.
    NumberOutOfRange {
        /// Byte offset of the number.
        offset: usize,
    },
    /// The value is required to be an object.
    NotAnObject,
    /// The member is required to be a string.
    NotAString,
    /// The member is missing.
    Missing,
    /// The member appears twice in the envelope.
    Duplicate,
    /// Not strict standard base64 (RFC 4648 alphabet, `=` padding, no
    /// whitespace, zero trailing bits).
    Base64,
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// Not a PEM document (or its base64 body is broken).
    Pem,
    /// An encrypted PEM key (`Proc-Type: 4,ENCRYPTED`); decrypt it first.
    EncryptedPem,
    /// The PEM block has header lines (`Name: value`, RFC 1421) but is not
    /// an encrypted key: OpenSSL and PHP refuse such blocks too.
    PemHeaders,
    /// A PEM document whose label this key type does not accept.
    PemLabel {
        /// The label found, e.g. `CERTIFICATE`, cut short.
        found: Snippet,
        /// The labels that are accepted.
        expected: &'static str,
    },
    /// The DER structure is not a key of the expected form.
    Der,
    /// The key is neither an RSA nor an Ed25519 key.
    UnsupportedAlgorithm,
    /// The modulus is even, so it is not an RSA modulus.
    InvalidModulus,
    /// The modulus is shorter than the policy allows.
    TooSmall {
        /// The modulus length in bits.
        bits: usize,
        /// The smallest size allowed.
        min: usize,
    },
    /// The modulus is longer than the policy allows.
    TooLarge {
        /// The modulus length in bits.
        bits: usize,
        /// The largest size allowed.
        max: usize,
    },
    /// The public exponent is even, 1, or above 2^33 - 1.
    BadExponent,
    /// The public exponent is odd but below 65537 (typically 3). Such keys
    /// are refused unless [`KeyPolicy::allow_small_exponent`](crate::KeyPolicy::allow_small_exponent)
    /// says otherwise.
    SmallExponent {
        /// The exponent.
        e: u32,
    },
    /// The private key was refused by the signing backend.
    PrivateKey {
        /// The backend's reason (a fixed word such as `InvalidEncoding`,
        /// never key material).
        reason: String,
    },
    /// Key generation offers this size only in the listed sizes
    /// ([`keygen::SIZES`](crate::keygen::SIZES)).
    UnsupportedSize {
        /// The size asked for, in bits.
        bits: usize,
    },
    /// An Ed25519 public key that is not 32 bytes long.
    Ed25519Length {
        /// Its length in bytes.
        len: usize,
    },
    /// An Ed25519 public key that is a point of small order (the identity,
    /// for instance, or 32 zero bytes). Under such a key a signature with
    /// `S = 0` verifies for every message, so it would accept anything.
    Ed25519SmallOrder,
}

/// Why a key name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyNameProblem {
    /// The name is empty.
    Empty,
    /// The name is longer than [`MAX_NAME_LEN`](crate::MAX_NAME_LEN) bytes.
    TooLong {
        /// The name's length in bytes.
        len: usize,
    },
}

impl fmt::Display for KeyNameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyNameProblem::Empty => f.write_str("a key name cannot be empty"),
            KeyNameProblem::TooLong { len } => write!(
                f,
                "a key name is at most {} bytes, not {len}",
                crate::MAX_NAME_LEN
            ),
        }
    }
}

/// A short, escaped prefix of untrusted text, safe to print.
///
/// Holds at most [`Snippet::MAX_CHARS`] characters of a name or key
/// ([`Snippet::MAX_REASON_CHARS`] of a serde explanation); control and
/// non-ASCII characters are escaped when displayed.
#[derive(Clone, PartialEq, Eq)]
pub struct Snippet {
    text: String,
    truncated: bool,
}

impl Snippet {
    /// How many characters of the original are kept.
    pub const MAX_CHARS: usize = 32;

    /// The longest prefix kept of an explanation that may quote input
    /// (serde's messages).
    pub const MAX_REASON_CHARS: usize = 96;

    /// Keeps a short prefix of `text` ([`Snippet::MAX_CHARS`]).
    pub fn new(text: &str) -> Self {
        Self::prefix(text, Self::MAX_CHARS)
    }

    pub(crate) fn prefix(text: &str, max_chars: usize) -> Self {
        let mut chars = text.char_indices();
        match chars.nth(max_chars) {
            Some((end, _)) => Snippet {
                text: text[..end].to_owned(),
                truncated: true,
            },
            None => Snippet {
                text: text.to_owned(),
                truncated: false,
            },
        }
    }

    /// The kept prefix, unescaped.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the original was longer than the kept prefix.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.text.chars() {
            if c.is_ascii_graphic() || c == ' ' {
                if c == '"' || c == '\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            } else {
                write!(f, "{}", c.escape_unicode())?;
            }
        }
        f.write_str("\"")?;
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooLarge { len, limit } => write!(
                f,
                "input of {len} bytes exceeds the {limit}-byte limit"
            ),
            Error::Malformed { member, problem } => match (member, problem) {
                (Member::Envelope, p) => write!(f, "malformed envelope: {p}"),
                (Member::Document, p) => write!(f, "malformed JSON document: {p}"),
                (Member::LicenseFile, p) => write!(f, "malformed license file: {p}"),
                (Member::LicenseDocument, p) => write!(f, "malformed license document: {p}"),
                (m @ (Member::License | Member::LicenseSignature), p) => {
                    write!(f, "malformed license document: member `{}`: {p}", m.name())
                }
                (m, p) => write!(f, "malformed envelope: member `{}`: {p}", m.name()),
            },
            Error::KeyRejected(p) => write!(f, "key rejected: {p}"),
            Error::UnknownKeyName { name } => {
                write!(f, "no key is configured under the name {name}")
            }
            Error::Unsigned => f.write_str(
                "unsigned response: the envelope has no `signature` member, or it is empty or the server's `Private key not set`",
            ),
            Error::BadSignature => f.write_str(
                "bad signature: it does not verify under any configured key of that name",
            ),
            Error::SignatureLength { got, expected } => write!(
                f,
                "the signature is {got} bytes, but a signature under the key is {expected} bytes"
            ),
            Error::PayloadNotJson { problem } => write!(
                f,
                "the signed payload (decoded `response_base64`) is not a JSON object: {problem}"
            ),
            Error::ContentMismatch => f.write_str(
                "content mismatch: the plain `response` member differs from the signed `response_base64` payload",
            ),
            Error::MissingTimestamp => f.write_str(
                "the signed payload has no integer `timestamp`, so its age cannot be checked",
            ),
            Error::StaleTimestamp {
                signed_at,
                now,
                max_age,
            } => write!(
                f,
                "the answer is too old: signed at {signed_at}, {} s before the clock's {now}, more than the {} s allowed",
                now.since(*signed_at),
                max_age.as_secs()
            ),
            Error::FutureTimestamp {
                signed_at,
                now,
                clock_drift,
            } => write!(
                f,
                "the answer is signed {} s ahead of this machine's clock (signed at {signed_at}, clock at {now}), more than the {} s of clock drift allowed",
                signed_at.since(*now),
                clock_drift.as_secs()
            ),
            Error::NotAnAnswerToRequest {
                signed_at,
                sent_at,
                replay_window,
            } => write!(
                f,
                "not an answer to this request: signed at {signed_at}, {} s before the request was sent at {sent_at}, more than the {} s replay window",
                sent_at.since(*signed_at),
                replay_window.as_secs()
            ),
            Error::WrongSigner {
                signed_by,
                required,
            } => write!(
                f,
                "signed under the key named {signed_by}, but the policy requires {required}"
            ),
            Error::MemberMismatch {
                member,
                present: true,
            } => write!(
                f,
                "the signed payload's member {member} does not have the value required: the answer is about something else"
            ),
            Error::MemberMismatch {
                member,
                present: false,
            } => write!(
                f,
                "the signed payload has no member {member}, so it cannot be matched to the value required"
            ),
            Error::Deserialize { reason } => write!(
                f,
                "the verified payload does not fit the requested type: {reason}"
            ),
            Error::InvalidKeyName(problem) => write!(f, "invalid key name: {problem}"),
            Error::SigningFailed => f.write_str("signing failed in the crypto backend"),
            Error::KeyGeneration => f.write_str("key generation failed"),
            Error::KeyResponse(problem) => write!(f, "public-key response refused: {problem}"),
            Error::License(problem) => write!(f, "license refused: {problem}"),
            Error::AlgorithmMismatch { claimed, key } => write!(
                f,
                "algorithm mismatch: `signature_metadata` names algorithm {claimed}, but the key configured under that name verifies with {key}"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax { offset, expected } => {
                write!(f, "invalid JSON at byte {offset}: expected {expected}")
            }
            Problem::InvalidUtf8 { offset } => write!(f, "invalid UTF-8 at byte {offset}"),
            Problem::TooDeep { limit } => {
                write!(
                    f,
                    "objects and arrays nest deeper than the limit of {limit}"
                )
            }
            Problem::DuplicateKey { key } => write!(f, "duplicate key {key}"),
            Problem::NumberOutOfRange { offset } => {
                write!(
                    f,
                    "number at byte {offset} is out of range: it reads as infinity, which has no JSON form (PHP's json_encode fails on it too)"
                )
            }
            Problem::NotAnObject => f.write_str("not a JSON object"),
            Problem::NotAString => f.write_str("not a string"),
            Problem::Missing => f.write_str("missing"),
            Problem::Duplicate => f.write_str("appears more than once"),
            Problem::Base64 => f.write_str(
                "not strict standard base64 (RFC 4648 alphabet, `=` padding, no whitespace)",
            ),
        }
    }
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyProblem::Pem => f.write_str("not a valid PEM document"),
            KeyProblem::EncryptedPem => {
                f.write_str("the PEM key is encrypted (`Proc-Type: 4,ENCRYPTED`)")
            }
            KeyProblem::PemHeaders => f.write_str(
                "the PEM block has header lines (`Name: value`); keys in PEM carry none unless encrypted",
            ),
            KeyProblem::PemLabel { found, expected } => {
                write!(f, "PEM label {found} is not one of {expected}")
            }
            KeyProblem::Der => f.write_str("not a DER-encoded key of the expected structure"),
            KeyProblem::UnsupportedAlgorithm => f.write_str(
                "not an RSA key (algorithm is not rsaEncryption), nor an Ed25519 key (id-Ed25519)",
            ),
            KeyProblem::InvalidModulus => f.write_str("the modulus is even: not an RSA key"),
            KeyProblem::TooSmall { bits, min } => {
                write!(f, "{bits}-bit RSA modulus is below the {min}-bit minimum")
            }
            KeyProblem::TooLarge { bits, max } => {
                write!(f, "{bits}-bit RSA modulus is above the {max}-bit maximum")
            }
            KeyProblem::BadExponent => f.write_str(
                "RSA public exponent must be odd and between 65537 and 2^33-1 (the server uses 65537)",
            ),
            KeyProblem::SmallExponent { e } => write!(
                f,
                "RSA public exponent {e} is below 65537"
            ),
            KeyProblem::PrivateKey { reason } => {
                write!(f, "private key refused by the signing backend: {reason}")
            }
            KeyProblem::UnsupportedSize { bits } => write!(
                f,
                "{bits} bits is not a size key generation offers (2048, 3072 or 4096)"
            ),
            KeyProblem::Ed25519Length { len } => {
                write!(f, "an Ed25519 public key is 32 bytes, not {len}")
            }
            KeyProblem::Ed25519SmallOrder => f.write_str(
                "the Ed25519 public key is a point of small order, under which any message verifies",
            ),
        }
    }
}

impl fmt::Display for LicenseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LicenseProblem::Empty => f.write_str("the file is empty"),
            LicenseProblem::Length { len } => write!(
                f,
                "{len} bytes is not a whole number of blocks for any RSA key of that name"
            ),
            LicenseProblem::BlockOutOfRange { block } => {
                write!(f, "block {block} is not below the key's modulus")
            }
            LicenseProblem::Padding { block: 0 } => f.write_str(
                "block 0 does not open under any RSA key of that name",
            ),
            LicenseProblem::Padding { block } => {
                write!(f, "block {block} does not carry PKCS#1 v1.5 type-1 padding")
            }
            LicenseProblem::BadExpiry => {
                f.write_str("expires_at is not Unix seconds, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")
            }
            LicenseProblem::Expired { expired_at, now } => write!(
                f,
                "the license expired at {expired_at} (Unix seconds); the clock reads {now}"
            ),
            LicenseProblem::HardwareMismatch => {
                f.write_str("the license is not bound to this machine's hardware id")
            }
            LicenseProblem::DomainMismatch => {
                f.write_str("the license is not bound to this domain")
            }
            LicenseProblem::BindingNotChecked { member } => write!(
                f,
                "the license is bound by `{member}`, and the check does not say which one this is"
            ),
            LicenseProblem::LicenseKeyMismatch => {
                f.write_str("the license is not for the license key required")
            }
            LicenseProblem::ProductMismatch => {
                f.write_str("the license is not for the product required")
            }
            LicenseProblem::NoRsaKey => f.write_str(
                "a .lic file is RSA blocks, and no RSA key is configured under that name",
            ),
            LicenseProblem::Json { problem } => {
                write!(f, "the license content is not a JSON object: {problem}")
            }
            LicenseProblem::IntegrityMismatch => f.write_str(
                "the license's integrity digest does not match its content",
            ),
            LicenseProblem::IntegrityMalformed => {
                f.write_str("the license's integrity member is not 64 lowercase hex digits")
            }
            LicenseProblem::IntegrityMissing => {
                f.write_str("the license has no integrity member, and one is required")
            }
            LicenseProblem::ReadsAsPhpList => f.write_str(
                "an object is empty or keyed \"0\", \"1\", ... in order, which PHP re-encodes as an array, so its signed bytes are ambiguous",
            ),
        }
    }
}

impl From<LicenseProblem> for Error {
    fn from(p: LicenseProblem) -> Self {
        Error::License(p)
    }
}

impl fmt::Display for KeyResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyResponseProblem::NotFound => {
                f.write_str("the server has no public key for this product (code 633)")
            }
            KeyResponseProblem::UnexpectedCode { code: Some(code) } => write!(
                f,
                "code {code} is not a public-key response (632 found, 633 not found)"
            ),
            KeyResponseProblem::UnexpectedCode { code: None } => {
                f.write_str("the payload has no code: not a public-key response")
            }
            KeyResponseProblem::WrongVoucher {
                signed_by,
                required,
            } => write!(
                f,
                "signed under {signed_by}, but only the `{required}` key may vouch for a product key"
            ),
            KeyResponseProblem::MissingKey => {
                f.write_str("the payload carries no `public_key` (nor `data.public_key`) string")
            }
            KeyResponseProblem::AmbiguousKey => {
                f.write_str("`public_key` and `data.public_key` carry different keys")
            }
            KeyResponseProblem::MissingProduct => f.write_str(
                "the payload names no product, so it cannot be matched to the product asked for",
            ),
            KeyResponseProblem::ProductMismatch { got } => write!(
                f,
                "the payload is about product {got}, not the one asked for"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<KeyProblem> for Error {
    fn from(p: KeyProblem) -> Self {
        Error::KeyRejected(p)
    }
}
