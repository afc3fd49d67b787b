//! Which answer codes say something about the license, and what.
//!
//! The crate's catalogue ([`ResponseCode`](crate::ResponseCode)) holds
//! codes and messages only; this is the one table of what each code means
//! for "may this app run". A code not in it is refused at record as not
//! about the license state (an API-key error, a meta update, a rate limit:
//! none of them says whether this license may run here).

/// What an answer says about the license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The license may run.
    Grant,
    /// The license may not run: the state is *revoked*.
    Deny,
    /// The license has expired: the state is *expired*.
    Expire,
}

/// The table: code, verdict, why. In the docs of [`verdict`].
pub const TABLE: [(i64, Verdict, &str); 10] = [
    (200, Verdict::Grant, "valid license key"),
    (300, Verdict::Grant, "license key activated"),
    (301, Verdict::Grant, "license key already active"),
    (201, Verdict::Deny, "license key not assigned"),
    (
        202,
        Verdict::Deny,
        "no activation found for this license key and identifier",
    ),
    (203, Verdict::Deny, "product inactive or missing"),
    (204, Verdict::Deny, "license key blocked"),
    (205, Verdict::Expire, "license key expired"),
    (210, Verdict::Deny, "invalid license key"),
    (
        302,
        Verdict::Deny,
        "activation limit reached: no activation for this machine",
    ),
];

/// What `code` says about the license, and why; `None` for a code that is
/// not about the license state.
///
/// | code | verdict | why |
/// |---|---|---|
/// | 200 | grant | valid license key |
/// | 300 | grant | license key activated |
/// | 301 | grant | license key already active |
/// | 201 | deny (*revoked*) | license key not assigned |
/// | 202 | deny (*revoked*) | no activation found for this license key and identifier |
/// | 203 | deny (*revoked*) | product inactive or missing |
/// | 204 | deny (*revoked*) | license key blocked |
/// | 205 | deny (*expired*) | license key expired |
/// | 210 | deny (*revoked*) | invalid license key |
/// | 302 | deny (*revoked*) | activation limit reached: no activation for this machine |
///
/// ```
/// use respsig::state::{Verdict, verdict};
/// assert_eq!(verdict(300), Some((Verdict::Grant, "license key activated")));
/// assert_eq!(verdict(205).map(|v| v.0), Some(Verdict::Expire));
/// assert_eq!(verdict(373), None); // product meta updated: not about the license
/// ```
pub fn verdict(code: i64) -> Option<(Verdict, &'static str)> {
    TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, verdict, why)| (*verdict, *why))
}

impl Verdict {
    /// A grant, as opposed to a denial (of either kind).
    pub fn grants(self) -> bool {
        self == Verdict::Grant
    }
}
