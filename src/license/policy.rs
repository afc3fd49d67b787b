//! What a valid license is, for one call: [`LicensePolicy`], the argument
//! of [`Keyring::verify_license`](crate::Keyring::verify_license).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, LicenseProblem};
use crate::license::License;
use crate::limits::Limits;
use crate::time::{self, Clock, SystemClock};

/// The offline rules a license must pass beyond its signature: expiry
/// against a clock; the binding to a machine or a domain; optionally which
/// license key and product; and how the file is read.
///
/// A license that is bound (it carries a `hardware_id` or a `domain`)
/// passes only a policy that says which machine or domain this is: a check
/// that names neither is refused with [`LicenseProblem::BindingNotChecked`],
/// so forgetting the binding cannot let a license run on any machine. Each
/// binding the policy names must match (a license bound to a domain only
/// fails a policy that names a machine). An empty `hardware_id` or
/// `domain` (`""`) is no binding.
///
/// ```
/// # let lic = std::fs::read_to_string("testdata/license/openssl-2048.lic").unwrap();
/// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem").unwrap();
/// use std::time::Duration;
/// use respsig::{Error, FixedClock, Keyring, LicensePolicy, LicenseProblem, PublicKey};
/// let keyring = Keyring::new().with("product", PublicKey::from_pem(&pem)?)?;
/// let on_this_machine = LicensePolicy::new()
///     .hardware_id("HW-1234")
///     .clock(FixedClock::at(1_767_225_600)); // 2026-01-01
/// keyring.verify_license("product", &lic, &on_this_machine)?;
/// // The file is bound to HW-1234: a policy that names no machine refuses it.
/// assert_eq!(
///     keyring.verify_license("product", &lic, &LicensePolicy::new()).unwrap_err(),
///     Error::License(LicenseProblem::BindingNotChecked { member: "hardware_id" })
/// );
/// // A day after expiry it is refused, unless the SDK's 24 hours are allowed.
/// let late = FixedClock::at(1_798_761_599 + 86_400);
/// let policy = LicensePolicy::new().hardware_id("HW-1234").clock(late);
/// assert!(keyring.verify_license("product", &lic, &policy).is_err());
/// let policy = policy.expiry_leeway(Duration::from_secs(86_400));
/// keyring.verify_license("product", &lic, &policy)?;
/// # Ok::<(), respsig::Error>(())
/// ```
///
/// The rules run only inside verification: a [`License`] read from any
/// JSON cannot be checked on its own.
///
/// ```compile_fail,E0624
/// let license: respsig::License = serde_json::from_str(r#"{"license_key":"LIC-1"}"#).unwrap();
/// respsig::LicensePolicy::new().check(&license).unwrap(); // unverified data
/// ```
#[derive(Clone)]
pub struct LicensePolicy {
    hardware_id: Option<String>,
    domain: Option<String>,
    license_key: Option<String>,
    product_uuid: Option<String>,
    clock: Arc<dyn Clock>,
    leeway: Duration,
    limits: Limits,
    require_integrity: bool,
}

impl Default for LicensePolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl LicensePolicy {
    /// Expiry against the system clock with no leeway; bound licenses
    /// refused until the binding is named; [`Limits::new`]; the integrity
    /// member of a `.lic` file checked when present, not required.
    pub fn new() -> Self {
        LicensePolicy {
            hardware_id: None,
            domain: None,
            license_key: None,
            product_uuid: None,
            clock: Arc::new(SystemClock),
            leeway: Duration::ZERO,
            limits: Limits::new(),
            require_integrity: false,
        }
    }

    /// This machine's hardware id: a license bound to a machine must be
    /// bound to this one (exact match), and an unbound license is refused
    /// ([`LicenseProblem::HardwareMismatch`]).
    pub fn hardware_id(mut self, id: &str) -> Self {
        self.hardware_id = Some(id.to_owned());
        self
    }

    /// This installation's domain: a license must be bound to it (ASCII
    /// case-insensitive match; [`LicenseProblem::DomainMismatch`]).
    pub fn domain(mut self, domain: &str) -> Self {
        self.domain = Some(domain.to_owned());
        self
    }

    /// Require the license to be for this license key
    /// ([`LicenseProblem::LicenseKeyMismatch`]).
    pub fn license_key(mut self, key: &str) -> Self {
        self.license_key = Some(key.to_owned());
        self
    }

    /// Require the license to name this product (`product_uuid`;
    /// [`LicenseProblem::ProductMismatch`]).
    pub fn product_uuid(mut self, uuid: &str) -> Self {
        self.product_uuid = Some(uuid.to_owned());
        self
    }

    /// The clock expiry is checked against (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Accept a license up to `leeway` after its last valid second. The
    /// PHP SDK's `validateOfflineLicense` allows 24 hours; the default is
    /// none.
    pub fn expiry_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Input size and nesting limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Refuse `.lic` files without the integrity member
    /// ([`LicenseProblem::IntegrityMissing`]). Only for files from a
    /// producer that always writes it (this crate's writer); the license
    /// server's own files do not carry it. No effect on signed-JSON
    /// documents, whose signature covers everything.
    pub fn require_integrity(mut self, require: bool) -> Self {
        self.require_integrity = require;
        self
    }

    pub(crate) fn input_limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn integrity_required(&self) -> bool {
        self.require_integrity
    }

    /// The rules, in order: expiry, binding, license key, product.
    pub(crate) fn check(&self, license: &License) -> Result<(), Error> {
        self.check_expiry(license)?;
        self.check_binding(license)?;
        if let Some(wanted) = &self.license_key
            && license.license_key != *wanted
        {
            return Err(LicenseProblem::LicenseKeyMismatch.into());
        }
        if let Some(wanted) = &self.product_uuid
            && license.product_uuid.as_deref() != Some(wanted.as_str())
        {
            return Err(LicenseProblem::ProductMismatch.into());
        }
        Ok(())
    }

    /// Each binding the policy names must match; a bound license fails a
    /// policy that names none.
    fn check_binding(&self, license: &License) -> Result<(), Error> {
        let hardware_id = bound(license.hardware_id.as_deref());
        let domain = bound(license.domain.as_deref());
        match (&self.hardware_id, &self.domain) {
            (None, None) => {
                if hardware_id.is_some() {
                    return Err(LicenseProblem::BindingNotChecked {
                        member: "hardware_id",
                    }
                    .into());
                }
                if domain.is_some() {
                    return Err(LicenseProblem::BindingNotChecked { member: "domain" }.into());
                }
            }
            (wanted_id, wanted_domain) => {
                if let Some(wanted) = wanted_id
                    && hardware_id != Some(wanted.as_str())
                {
                    return Err(LicenseProblem::HardwareMismatch.into());
                }
                if let Some(wanted) = wanted_domain
                    && !domain.is_some_and(|d| d.eq_ignore_ascii_case(wanted))
                {
                    return Err(LicenseProblem::DomainMismatch.into());
                }
            }
        }
        Ok(())
    }

    fn check_expiry(&self, license: &License) -> Result<(), Error> {
        let Some(expiry) = &license.expires_at else {
            return Ok(());
        };
        let last = expiry
            .last_valid_second()
            .ok_or(LicenseProblem::BadExpiry)?;
        let now = self.clock.now();
        if now.since(last) > time::secs(self.leeway) {
            return Err(LicenseProblem::Expired {
                expired_at: last,
                now,
            }
            .into());
        }
        Ok(())
    }
}

/// A binding as the license gives it: `None` or empty is none.
fn bound(member: Option<&str>) -> Option<&str> {
    member.filter(|b| !b.is_empty())
}
impl fmt::Debug for LicensePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicensePolicy")
            .field("hardware_id", &self.hardware_id)
            .field("domain", &self.domain)
            .field("license_key", &self.license_key)
            .field("product_uuid", &self.product_uuid)
            .field("clock", &self.clock)
            .field("leeway", &self.leeway)
            .field("limits", &self.limits)
            .field("require_integrity", &self.require_integrity)
            .finish()
    }
}
