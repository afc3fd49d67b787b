//! The signed-JSON offline license: `{"license": {...}, "signature": "..."}`,
//! as the PHP SDK's `LicenseValidator::validateOfflineLicense` reads it.
//!
//! The SDK decodes the document into a PHP array, removes `signature`,
//! encodes the rest with `json_encode(..., JSON_UNESCAPED_SLASHES |
//! JSON_UNESCAPED_UNICODE)` and checks the signature over those bytes. This
//! module computes the same bytes with the canonical writer under those two
//! flags ([`canonical::Options::php_sdk_license`]), members in the
//! document's order, and verifies with the configured key's hash; nothing
//! in the document chooses a key, an algorithm or a hash.
//!
//! Strict as the envelope reader: size and depth limits first, a member
//! twice anywhere is an error, `signature` is strict base64 of exactly the
//! modulus length. One thing PHP does that a JSON value does not show: an
//! object that is empty or keyed `"0"`, `"1"`, ... in order becomes a PHP
//! list and is re-encoded as an array, so the SDK would verify other bytes
//! than the document's. Such documents are refused
//! ([`LicenseProblem::ReadsAsPhpList`]), and the writer does not make them.
//!
//! The signature covers every member but itself: unlike a `.lic` file
//! without the integrity member, no part of a signed-JSON license can be
//! replaced, moved or dropped.

use serde_json::{Map, Value};

use crate::canonical::{self, Options};
use crate::error::{Error, LicenseProblem, Member, Problem};
use crate::json;
use crate::key::PublicKey;
use crate::license;
use crate::limits::Limits;
use crate::verify::check_signature_len;

/// The member that holds the license object.
const LICENSE: &str = "license";
/// The member that holds the signature.
const SIGNATURE: &str = "signature";

fn malformed(member: Member, problem: Problem) -> Error {
    Error::Malformed { member, problem }
}

/// Reads and verifies a signed-JSON license under `keys` (the keys of one
/// name: the document does not say which key; the caller does). Returns
/// the key that verified, the signed bytes and the license object.
///
/// In order: the document is one JSON object within the depth limit with
/// no member twice anywhere; `license` is an object and `signature` a
/// string; the signature is strict base64 as long as a signature under a
/// key of the name; no object reads as a PHP list; the signature verifies
/// over the PHP encoding of the document without `signature` under one of
/// the keys, with that key's algorithm. The whole document is covered:
/// nothing in it can be changed, moved or left out.
///
/// Before the signature is checked no `Value` is built: the text is
/// checked as the tree reader would read it (same errors), then re-encoded
/// straight from the text ([`json::Reader::write_canonical`]). What
/// unauthenticated input costs is the signed bytes (about its own size)
/// and the keys of the objects open at one time; only the `license` member
/// of a document that verified becomes a tree.
pub(crate) fn open<'k>(
    keys: &'k [PublicKey],
    input: &[u8],
    limits: &Limits,
) -> Result<(&'k PublicKey, Vec<u8>, Value), Error> {
    let depth = limits.depth_limit();
    let text = json::check_nested(input, depth, 0)
        .map_err(|problem| malformed(Member::LicenseDocument, problem))?;
    let unsigned = read_unsigned(text, depth)
        .map_err(|problem| malformed(Member::LicenseDocument, problem))?
        .ok_or_else(|| malformed(Member::LicenseDocument, Problem::NotAnObject))?;
    let (start, end) = match unsigned.license {
        None => return Err(malformed(Member::License, Problem::Missing)),
        Some(None) => return Err(malformed(Member::License, Problem::NotAnObject)),
        Some(Some(span)) => span,
    };
    let signature = match unsigned.signature {
        None => return Err(malformed(Member::LicenseSignature, Problem::Missing)),
        Some(None) => return Err(malformed(Member::LicenseSignature, Problem::NotAString)),
        Some(Some(s)) => s,
    };
    let signature = crate::base64::decode(&signature)
        .ok_or_else(|| malformed(Member::LicenseSignature, Problem::Base64))?;
    check_signature_len(&signature, keys.iter())?;
    if unsigned.list {
        return Err(LicenseProblem::ReadsAsPhpList.into());
    }
    let signed = unsigned.signed;
    let key = keys
        .iter()
        .find(|k| k.verify_raw(&signed, &signature))
        .ok_or(Error::BadSignature)?;
    // Verified: now, and only now, the license becomes a tree. Its text
    // passed the checks above at this depth.
    let license = json::parse_nested(&text.as_bytes()[start..end], depth, 1)
        .map_err(|problem| malformed(Member::LicenseDocument, problem))?;
    Ok((key, signed, license))
}

/// A checked document, read once more without a tree.
struct Unsigned {
    /// PHP's encoding of the document without `signature`.
    signed: Vec<u8>,
    /// `license`: missing, not an object, or where its text is.
    license: Option<Option<(usize, usize)>>,
    /// `signature`: missing, not a string, or its value.
    signature: Option<Option<String>>,
    /// Whether an object of the document without `signature` reads as a
    /// PHP list.
    list: bool,
}

/// Reads `text`, which [`json::check_nested`] has passed, and writes the
/// document without its `signature` member as the PHP SDK re-encodes it;
/// `None` if the document is not an object.
fn read_unsigned(text: &str, depth: usize) -> Result<Option<Unsigned>, Problem> {
    let options = Options::php_sdk_license();
    let mut reader = json::Reader::from_text(text, depth);
    if !reader.next_is(b'{') {
        return Ok(None);
    }
    let mut out = Unsigned {
        signed: Vec::with_capacity(text.len()),
        license: None,
        signature: None,
        list: false,
    };
    out.signed.push(b'{');
    // The top level's members but `signature`, while keyed as a list.
    let mut list_keys = Some(0);
    reader.object_members(|r, key| {
        if key == SIGNATURE {
            out.signature = Some(if r.next_is(b'"') {
                Some(r.string()?.into_owned())
            } else {
                r.skip(1)?;
                None
            });
            return Ok::<(), Problem>(());
        }
        list_keys = list_keys
            .filter(|&i| json::list_key(&key, i))
            .map(|i| i + 1);
        if out.signed.len() > 1 {
            out.signed.push(b',');
        }
        crate::php_encode::write_str_with(&key, options, &mut out.signed);
        out.signed.push(b':');
        let object = r.next_is(b'{');
        let start = r.position();
        out.list |= r.write_canonical(1, options, &mut out.signed)?;
        if key == LICENSE {
            out.license = Some(object.then_some((start, r.position())));
        }
        Ok(())
    })?;
    out.signed.push(b'}');
    out.list |= list_keys.is_some();
    Ok(Some(out))
}

/// Whether any object in `value` is one PHP's `json_decode($text, true)`
/// turns into a list: empty, or keyed exactly `"0"`, `"1"`, ... in order.
fn reads_as_php_list(value: &Value) -> bool {
    // An explicit stack: the depth is bounded by the reader, but no
    // recursion is needed.
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if is_list_keyed(map) {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fn is_list_keyed(map: &Map<String, Value>) -> bool {
    map.keys()
        .enumerate()
        .all(|(i, key)| key.as_str() == i.to_string())
}

/// Writes `license` (a JSON object) as a signed-JSON offline license,
/// signed by `sign` and read back with `public`: what
/// [`SigningKey::sign_license_json`](crate::SigningKey::sign_license_json)
/// does.
pub(crate) fn write(
    public: &PublicKey,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, Error>,
    license: &Value,
) -> Result<String, Error> {
    use base64ct::{Base64, Encoding};

    if !license.is_object() {
        return Err(malformed(Member::License, Problem::NotAnObject));
    }
    let limit = Limits::DEFAULT_MAX_DEPTH;
    if json::depth(license) + 1 > limit {
        return Err(malformed(Member::License, Problem::TooDeep { limit }));
    }
    let mut members = Map::new();
    members.insert(LICENSE.to_owned(), license.clone());
    let unsigned = Value::Object(members);
    if reads_as_php_list(&unsigned) {
        return Err(LicenseProblem::ReadsAsPhpList.into());
    }
    let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
    let signature = Base64::encode_string(&sign(&signed)?);
    // `signed` ends with the document's closing brace.
    let mut out = signed[..signed.len() - 1].to_vec();
    out.extend_from_slice(b",\"signature\":\"");
    out.extend_from_slice(signature.as_bytes());
    out.extend_from_slice(b"\"}");
    let out = String::from_utf8(out).map_err(|_| Error::SigningFailed)?;

    // Read it back as a client would.
    let read = license::read_back(public, out.as_bytes())?;
    if read.signed_bytes() != signed.as_slice() {
        return Err(Error::SigningFailed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    /// The reader as it was before it learned to re-encode without a
    /// tree: the whole document as a `Value`, then the checks. The
    /// differential test holds the new one to its accept set and errors.
    fn open_tree<'k>(
        keys: &'k [PublicKey],
        input: &[u8],
        limits: &Limits,
    ) -> Result<(&'k PublicKey, Vec<u8>, Value), Error> {
        let document = json::parse_nested(input, limits.depth_limit(), 0)
            .map_err(|problem| malformed(Member::LicenseDocument, problem))?;
        let Value::Object(mut members) = document else {
            return Err(malformed(Member::LicenseDocument, Problem::NotAnObject));
        };
        match members.get(LICENSE) {
            None => return Err(malformed(Member::License, Problem::Missing)),
            Some(Value::Object(_)) => {}
            Some(_) => return Err(malformed(Member::License, Problem::NotAnObject)),
        }
        let signature = match members.shift_remove(SIGNATURE) {
            None => return Err(malformed(Member::LicenseSignature, Problem::Missing)),
            Some(Value::String(s)) => s,
            Some(_) => return Err(malformed(Member::LicenseSignature, Problem::NotAString)),
        };
        let signature = crate::base64::decode(&signature)
            .ok_or_else(|| malformed(Member::LicenseSignature, Problem::Base64))?;
        check_signature_len(&signature, keys.iter())?;
        let mut unsigned = Value::Object(members);
        if reads_as_php_list(&unsigned) {
            return Err(LicenseProblem::ReadsAsPhpList.into());
        }
        let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
        let key = keys
            .iter()
            .find(|k| k.verify_raw(&signed, &signature))
            .ok_or(Error::BadSignature)?;
        let license = unsigned
            .get_mut(LICENSE)
            .map(Value::take)
            .unwrap_or_default();
        Ok((key, signed, license))
    }

    fn keys() -> Vec<PublicKey> {
        [
            include_str!("../../testdata/keys/rsa2048.pub.pem"),
            include_str!("../../testdata/keys/rsa4096.pub.pem"),
        ]
        .map(|pem| PublicKey::from_pem(pem).unwrap())
        .to_vec()
    }

    const GENUINE: [&str; 4] = [
        include_str!("../../testdata/license/php-signed-compact.json"),
        include_str!("../../testdata/license/php-signed-pretty.json"),
        include_str!("../../testdata/license/php-signed-4096-extra.json"),
        include_str!("../../testdata/license/respsig-signed.json"),
    ];

    /// Both readers give the same answer: the same key, signed bytes and
    /// license, or the same error.
    fn same(keys: &[PublicKey], input: &[u8], limits: &Limits) -> bool {
        let new = open(keys, input, limits).map(|(k, s, l)| (k.fingerprint(), s, l));
        let old = open_tree(keys, input, limits).map(|(k, s, l)| (k.fingerprint(), s, l));
        assert_eq!(new, old, "{}", String::from_utf8_lossy(input));
        new.is_ok()
    }

    /// A random JSON value of PHP's kinds, with the shapes that matter
    /// here: list-keyed and empty objects, escaped keys, numbers PHP
    /// rewrites, blanks, and now and then a duplicate or a syntax error.
    fn value(rng: &mut Rng, depth: usize, out: &mut String) {
        let blank = |rng: &mut Rng, out: &mut String| {
            if rng.below(4) == 0 {
                out.push_str(rng.pick(&[" ", "\n", "\t ", "\r\n  "]));
            }
        };
        blank(rng, out);
        match if depth == 0 {
            rng.below(4)
        } else {
            rng.below(7)
        } {
            0 => out.push_str(rng.pick(&[
                "0",
                "-0",
                "1e2",
                "1.5e-7",
                "19.99",
                "12345678901234567890",
                "1E400",
                "0.1",
                "-12",
                "3.0",
            ])),
            1 => out.push_str(rng.pick(&[
                "\"a/b\"",
                "\"\\u00e9\\/\"",
                "\"\\ud83d\\ude00\"",
                "\"\u{2028}\"",
                "\"x\"",
                "\"\\ud800\"",
                "\"\"",
                "\"\u{7f}\\n\"",
            ])),
            2 => out.push_str(rng.pick(&["true", "false", "null", "nul"])),
            3 => out.push_str(rng.pick(&["[]", "{}", "[1,]"])),
            4 | 5 => {
                out.push('{');
                let n = rng.below(4);
                let list = rng.below(3) == 0;
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    blank(rng, out);
                    let key = if list {
                        i.to_string()
                    } else {
                        rng.pick(&["0", "1", "a", "b", "signature", "license", "\\u0061"])
                            .to_owned()
                    };
                    out.push_str(&format!("\"{key}\":"));
                    value(rng, depth - 1, out);
                }
                out.push('}');
            }
            _ => {
                out.push('[');
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    value(rng, depth - 1, out);
                }
                out.push(']');
            }
        }
        blank(rng, out);
    }

    /// A document: `license`, `signature` and other members in random
    /// order and kinds.
    fn document(rng: &mut Rng) -> String {
        let sig256 = "A".repeat(342) + "==";
        let mut members: Vec<String> = Vec::new();
        if rng.below(8) != 0 {
            let mut license = String::new();
            if rng.below(4) == 0 {
                value(rng, 3, &mut license);
            } else {
                license.push_str("{\"license_key\":\"LIC-1\"");
                if rng.below(2) == 0 {
                    license.push_str(",\"more\":");
                    value(rng, 3, &mut license);
                }
                license.push('}');
            }
            members.push(format!("\"license\":{license}"));
        }
        if rng.below(8) != 0 {
            let signature = match rng.below(5) {
                0 => "\"AAAA\"".to_owned(),
                1 => "17".to_owned(),
                2 => "\"not base64!\"".to_owned(),
                _ => format!("\"{sig256}\""),
            };
            members.push(format!("\"signature\":{signature}"));
        }
        for _ in 0..rng.below(3) {
            let mut extra = String::new();
            value(rng, 2, &mut extra);
            let key = rng.pick(&["issued", "0", "license", "x"]);
            members.push(format!("\"{key}\":{extra}"));
        }
        // Shuffle.
        for i in (1..members.len()).rev() {
            members.swap(i, rng.below(i + 1));
        }
        format!("{{{}}}", members.join(","))
    }

    /// The differential test: generated documents, the genuine files, and
    /// every single-byte change and cut of the genuine files, under the
    /// default and tight depth limits.
    #[test]
    fn reencoding_from_text_accepts_and_refuses_as_the_tree_did() {
        let keys = keys();
        let limits = [Limits::default(), Limits::new().max_depth(3)];
        let mut rng = Rng(0x51f1_5eed_0bad_cafe);
        let mut ok = 0;
        for _ in 0..20_000 {
            let doc = document(&mut rng);
            for l in &limits {
                same(&keys, doc.as_bytes(), l);
            }
        }
        for genuine in GENUINE {
            assert!(same(&keys, genuine.as_bytes(), &limits[0]));
            let bytes = genuine.as_bytes();
            for i in 0..bytes.len() {
                let mut changed = bytes.to_vec();
                changed[i] ^= 1 << rng.below(8);
                ok += usize::from(same(&keys, &changed, &limits[0]));
                let cut = [&bytes[..i], &bytes[i + 1..]].concat();
                ok += usize::from(same(&keys, &cut, &limits[0]));
            }
        }
        // Only whitespace changes in the pretty file may still verify.
        assert!(ok < 400, "{ok}");
    }

    /// The hostile document of the issue: refused for its signature, with
    /// the signed bytes written from the text.
    #[test]
    fn hostile_document_is_refused_at_the_signature() {
        let keys = keys();
        let mut doc = String::from("{\"license\":{\"x\":[");
        while doc.len() < 1 << 20 {
            doc.push_str("{\"a\":0},");
        }
        doc.push_str("{\"a\":0}]},\"signature\":\"");
        doc.push_str(&"A".repeat(342));
        doc.push_str("==\"}");
        let limits = Limits::new().max_input_bytes(2 << 20);
        assert_eq!(
            open(&keys, doc.as_bytes(), &limits).unwrap_err(),
            Error::BadSignature
        );
        let unsigned = read_unsigned(&doc, limits.depth_limit()).unwrap().unwrap();
        let end = doc.find(",\"signature\"").unwrap();
        assert_eq!(unsigned.signed, format!("{}}}", &doc[..end]).into_bytes());
    }
}
