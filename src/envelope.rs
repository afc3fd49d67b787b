//! The wire format: reading an envelope's four members strictly.
//!
//! Nothing here is trusted; this module only checks shape. Members other
//! than the four are read (they must be valid JSON) and ignored, except
//! `signature_metadata`, whose shape is checked here (an object; its
//! `algorithm`, if present, a string) so that verification can refuse an
//! envelope whose claimed algorithm disagrees with the key; it never
//! selects one. A member that appears twice, anywhere in the document, is
//! an error: serde_json would keep the last one silently, and two readers
//! disagreeing about which copy counts is how signature bypasses happen.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{Error, Member, Problem, Snippet};
use crate::json::{KeySet, Reader};
use crate::limits::Limits;

/// What the server sends in `signature` when it has no signing key.
pub const UNSIGNED_MARKER: &str = "Private key not set";

/// Whether a `signature` value means "unsigned".
pub(crate) fn is_unsigned(signature: Option<&str>) -> bool {
    matches!(signature, None | Some("" | UNSIGNED_MARKER))
}

/// An envelope whose shape is right and whose content is unchecked, owned
/// (for [`crate::dangerous`]).
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    /// The unsigned plain copy of the payload (an object).
    pub(crate) response: Value,
    /// The signed text.
    pub(crate) response_base64: String,
    /// The key name the envelope claims.
    pub(crate) private_key_used: String,
    /// `None` when the member is absent.
    pub(crate) signature: Option<String>,
    /// The unsigned `signature_metadata` object, if present.
    pub(crate) signature_metadata: Option<Value>,
}

/// `signature_metadata` as read: an object, with `algorithm` a string if
/// present. Unsigned.
#[derive(Debug, Clone)]
pub(crate) struct Metadata<'a> {
    /// The object's JSON text.
    pub(crate) text: &'a str,
    /// The `algorithm` member, if present.
    pub(crate) algorithm: Option<Cow<'a, str>>,
}

/// The same, borrowed from the input: what verification reads before the
/// signature is checked. `response` is kept as its JSON text, fully checked
/// (syntax, duplicates, depth, numbers) but not built into a `Value`.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    /// The text of the unsigned plain copy of the payload (an object).
    pub(crate) response: &'a str,
    /// The signed text (owned only if the JSON string had escapes).
    pub(crate) response_base64: Cow<'a, str>,
    /// The key name the envelope claims.
    pub(crate) private_key_used: Cow<'a, str>,
    /// `None` when the member is absent.
    pub(crate) signature: Option<Cow<'a, str>>,
    /// `None` when the member is absent.
    pub(crate) signature_metadata: Option<Metadata<'a>>,
}

impl View<'_> {
    /// The owned form; `depth` is the limit the view was read under.
    fn to_owned(&self, depth: usize) -> Result<Envelope, Error> {
        // Read without error once already, in place: this cannot fail.
        let response =
            crate::json::parse_nested(self.response.as_bytes(), depth, 1).map_err(|problem| {
                Error::Malformed {
                    member: Member::Response,
                    problem,
                }
            })?;
        let signature_metadata = match &self.signature_metadata {
            Some(metadata) => Some(
                crate::json::parse_nested(metadata.text.as_bytes(), depth, 1).map_err(
                    |problem| Error::Malformed {
                        member: Member::SignatureMetadata,
                        problem,
                    },
                )?,
            ),
            None => None,
        };
        Ok(Envelope {
            response,
            response_base64: self.response_base64.clone().into_owned(),
            private_key_used: self.private_key_used.clone().into_owned(),
            signature: self.signature.clone().map(Cow::into_owned),
            signature_metadata,
        })
    }
}

/// A syntax problem at the envelope's top level.
struct TopLevel(Error);

impl From<Problem> for TopLevel {
    fn from(problem: Problem) -> Self {
        TopLevel(Error::Malformed {
            member: Member::Envelope,
            problem,
        })
    }
}

fn malformed(member: Member, problem: Problem) -> TopLevel {
    TopLevel(Error::Malformed { member, problem })
}

/// Reads an envelope, enforcing `limits`.
pub(crate) fn parse(input: &[u8], limits: &Limits) -> Result<Envelope, Error> {
    view(input, limits)?.to_owned(limits.depth_limit())
}

/// Reads an envelope without copying it, enforcing `limits`: the same
/// checks, in the same order, with the same errors as [`parse`].
pub(crate) fn view<'a>(input: &'a [u8], limits: &Limits) -> Result<View<'a>, Error> {
    limits.check_len(input.len())?;
    let mut reader =
        Reader::new(input, limits.depth_limit()).map_err(|problem| Error::Malformed {
            member: Member::Envelope,
            problem,
        })?;
    read(&mut reader).map_err(|TopLevel(e)| e)
}

fn read<'a>(reader: &mut Reader<'a>) -> Result<View<'a>, TopLevel> {
    if !reader.next_is(b'{') {
        return Err(malformed(Member::Envelope, Problem::NotAnObject));
    }
    reader.enter(0)?;
    let mut response = None;
    let mut response_base64 = None;
    let mut private_key_used = None;
    let mut signature = None;
    let mut signature_metadata = None;
    // Members other than the four, to find their duplicates too (the four
    // are duplicates when their slot is already filled).
    let mut others = KeySet::new();

    reader.object_members(|reader, key| {
        let member = match &*key {
            "response" => Member::Response,
            "response_base64" => Member::ResponseBase64,
            "private_key_used" => Member::PrivateKeyUsed,
            "signature" => Member::Signature,
            "signature_metadata" => {
                if signature_metadata.is_some() {
                    return Err(malformed(Member::SignatureMetadata, Problem::Duplicate));
                }
                signature_metadata = Some(metadata(reader)?);
                return Ok(());
            }
            _ => {
                if others.contains(&key) {
                    let key = Snippet::new(&key);
                    return Err(malformed(Member::Envelope, Problem::DuplicateKey { key }));
                }
                others.insert(key);
                // Not one of ours: it must be valid JSON, and is ignored.
                reader.skip(1)?;
                return Ok(());
            }
        };
        let filled = match member {
            Member::Response => response.is_some(),
            Member::ResponseBase64 => response_base64.is_some(),
            Member::PrivateKeyUsed => private_key_used.is_some(),
            _ => signature.is_some(),
        };
        if filled {
            return Err(malformed(member, Problem::Duplicate));
        }
        reader.skip_ws();
        let start = reader.position();
        let first = reader.next_is(b'"');
        let text = if first {
            Some(reader.string().map_err(|p| malformed(member, p))?)
        } else {
            reader.skip(1).map_err(|p| malformed(member, p))?;
            None
        };
        let slot = match member {
            Member::Response => {
                let value = reader.since(start);
                if !value.starts_with('{') {
                    return Err(malformed(member, Problem::NotAnObject));
                }
                response = Some(value);
                return Ok(());
            }
            Member::ResponseBase64 => &mut response_base64,
            Member::PrivateKeyUsed => &mut private_key_used,
            _ => &mut signature,
        };
        match text {
            Some(text) => *slot = Some(text),
            None => return Err(malformed(member, Problem::NotAString)),
        }
        Ok(())
    })?;
    reader.end()?;

    Ok(View {
        response: response.ok_or(malformed(Member::Response, Problem::Missing))?,
        response_base64: response_base64
            .ok_or(malformed(Member::ResponseBase64, Problem::Missing))?,
        private_key_used: private_key_used
            .ok_or(malformed(Member::PrivateKeyUsed, Problem::Missing))?,
        signature,
        signature_metadata,
    })
}

/// Reads the value of `signature_metadata`: an object whose `algorithm`,
/// if present, is a string; its other members are checked as JSON and
/// ignored.
fn metadata<'a>(reader: &mut Reader<'a>) -> Result<Metadata<'a>, TopLevel> {
    let member = Member::SignatureMetadata;
    reader.skip_ws();
    let start = reader.position();
    if !reader.next_is(b'{') {
        // A syntax error in the value comes first, as for `response`.
        reader.skip(1).map_err(|p| malformed(member, p))?;
        return Err(malformed(member, Problem::NotAnObject));
    }
    reader.enter(1).map_err(|p| malformed(member, p))?;
    let mut algorithm = None;
    let mut keys = KeySet::new();
    reader
        .object_members(|reader, key| {
            if key == "algorithm" {
                let member = Member::SignatureMetadataAlgorithm;
                if algorithm.is_some() {
                    return Err(malformed(member, Problem::Duplicate));
                }
                if reader.next_is(b'"') {
                    algorithm = Some(reader.string().map_err(|p| malformed(member, p))?);
                    return Ok(());
                }
                reader.skip(2).map_err(|p| malformed(member, p))?;
                return Err(malformed(member, Problem::NotAString));
            }
            if keys.contains(&key) {
                return Err(malformed(
                    member,
                    Problem::DuplicateKey {
                        key: crate::error::Snippet::new(&key),
                    },
                ));
            }
            reader.skip(2).map_err(|p| malformed(member, p))?;
            keys.insert(key);
            Ok(())
        })
        .map_err(|TopLevel(e)| match e {
            // Syntax errors inside the object are about this member.
            Error::Malformed {
                member: Member::Envelope,
                problem,
            } => malformed(member, problem),
            other => TopLevel(other),
        })?;
    Ok(Metadata {
        text: reader.since(start),
        algorithm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &str) -> Error {
        parse(input.as_bytes(), &Limits::new()).unwrap_err()
    }

    const OK: &str = r#"{"response":{"code":1},"response_base64":"eyJjb2RlIjoxfQ==","private_key_used":"product","signature":"AA=="}"#;

    #[test]
    fn reads_the_four_members() {
        let env = parse(OK.as_bytes(), &Limits::new()).unwrap();
        assert_eq!(env.response, serde_json::json!({"code": 1}));
        assert_eq!(env.response_base64, "eyJjb2RlIjoxfQ==");
        assert_eq!(env.private_key_used, "product");
        assert_eq!(env.signature.as_deref(), Some("AA=="));
    }

    #[test]
    fn the_view_borrows() {
        let escaped = OK.replace("product", "pro\\u0064uct");
        let view = view(escaped.as_bytes(), &Limits::new()).unwrap();
        assert_eq!(view.response, r#"{"code":1}"#);
        assert!(matches!(
            view.response_base64,
            Cow::Borrowed("eyJjb2RlIjoxfQ==")
        ));
        assert!(matches!(view.private_key_used, Cow::Owned(ref s) if s == "product"));
        let unknown = OK.replace('}', r#","x":[1,{"y":2}],"z":{}}"#);
        assert!(super::view(unknown.as_bytes(), &Limits::new()).is_ok());
        let many: String = (0..40).map(|i| format!(",\"x{i}\":{i}")).collect();
        let dup = format!("{}{many},\"x7\":0}}", &OK[..OK.len() - 1]);
        assert_eq!(
            err(&dup),
            Error::Malformed {
                member: Member::Envelope,
                problem: Problem::DuplicateKey {
                    key: Snippet::new("x7")
                }
            }
        );
    }

    #[test]
    fn duplicates_are_errors() {
        let dup = OK.replace(
            r#""signature":"AA==""#,
            r#""signature":"AA==","signature":"AA==""#,
        );
        assert_eq!(
            err(&dup),
            Error::Malformed {
                member: Member::Signature,
                problem: Problem::Duplicate
            }
        );
        let dup = OK.replace('}', r#","x":1,"x":2}"#);
        assert_eq!(
            err(&dup).to_string(),
            "malformed envelope: member `response`: duplicate key \"x\""
        );
        let dup = format!(r#"{},"x":1,"x":2}}"#, &OK[..OK.len() - 1]);
        assert_eq!(
            err(&dup).to_string(),
            "malformed envelope: duplicate key \"x\""
        );
    }

    #[test]
    fn types_and_missing() {
        let bad = OK.replace(r#""private_key_used":"product""#, r#""private_key_used":7"#);
        assert_eq!(
            err(&bad),
            Error::Malformed {
                member: Member::PrivateKeyUsed,
                problem: Problem::NotAString
            }
        );
        let bad = OK.replace(r#""response":{"code":1},"#, "");
        assert_eq!(
            err(&bad),
            Error::Malformed {
                member: Member::Response,
                problem: Problem::Missing
            }
        );
        assert_eq!(
            err("[]"),
            Error::Malformed {
                member: Member::Envelope,
                problem: Problem::NotAnObject
            }
        );
    }

    #[test]
    fn limits_apply() {
        let limits = Limits::new().max_input_bytes(10);
        assert_eq!(
            parse(OK.as_bytes(), &limits).unwrap_err(),
            Error::TooLarge {
                len: OK.len(),
                limit: 10
            }
        );
        assert_eq!(
            Limits::new().max_depth(5000).depth_limit(),
            Limits::MAX_DEPTH_CEILING
        );
        let limits = Limits::new().max_depth(1);
        assert_eq!(
            parse(OK.as_bytes(), &limits).unwrap_err(),
            Error::Malformed {
                member: Member::Response,
                problem: Problem::TooDeep { limit: 1 }
            }
        );
    }
}
