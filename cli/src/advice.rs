//! What to do about a refusal: the library's messages say what went wrong
//! and where; the CLI, which knows its own options, adds the advice.

use respsig::{Error, KeyProblem, LicenseProblem};

/// The advice for `e`, if there is any worth giving.
pub fn for_error(e: &Error) -> Option<&'static str> {
    Some(match e {
        Error::TooLarge { .. } => "raise --max-bytes only if the input really is this large",
        Error::UnknownKeyName { .. } => "add that key with --key NAME=PATH if you trust it",
        Error::Unsigned => "nothing in this response is signed, so none of it can be trusted",
        Error::BadSignature => "it was altered, or signed by another key",
        Error::ContentMismatch => "the unsigned copy was altered; do not trust it",
        Error::FutureTimestamp { .. } => "check this machine's clock (or raise --clock-drift)",
        Error::NotAnAnswerToRequest { .. } => {
            "it is an earlier answer played back, or this machine's clock runs ahead of the server's (check the clock)"
        }
        Error::StaleTimestamp { .. } => "ask the server again",
        Error::KeyRejected(problem) => return for_key(problem),
        Error::License(problem) => return for_license(problem),
        _ => return None,
    })
}

fn for_key(problem: &KeyProblem) -> Option<&'static str> {
    Some(match problem {
        KeyProblem::EncryptedPem => "decrypt it first: openssl pkey -in KEY -out PLAIN",
        KeyProblem::PemHeaders => "remove the header lines and the blank line after them",
        KeyProblem::TooSmall { .. } => "use a key of 2048 bits or more",
        KeyProblem::SmallExponent { .. } => "the server's keys use the exponent 65537",
        _ => return None,
    })
}

fn for_license(problem: &LicenseProblem) -> Option<&'static str> {
    Some(match problem {
        LicenseProblem::BindingNotChecked { member: "domain" } => {
            "say which domain this is with --domain"
        }
        LicenseProblem::BindingNotChecked { .. } => "say which machine this is with --hardware-id",
        LicenseProblem::NoRsaKey => "give the RSA public key the .lic file was written with",
        LicenseProblem::IntegrityMissing => {
            "--require-integrity refuses it; files the license server writes have none"
        }
        _ => return None,
    })
}

/// `e`'s message followed by its advice.
pub fn message(e: &Error) -> String {
    match for_error(e) {
        Some(advice) => format!("{e}; {advice}"),
        None => e.to_string(),
    }
}
