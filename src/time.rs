//! Time: [`UnixTime`], the [`Clock`] it is read from, and the two
//! tolerances every age check shares.
//!
//! Every point in time in the API is a [`UnixTime`] and every span a
//! [`Duration`], so an argument cannot be a second count of the wrong kind.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How far a signed time may be ahead of this machine's clock: 15 minutes.
///
/// A signed `timestamp` later than the local clock plus this is refused as
/// [`Error::FutureTimestamp`](crate::Error::FutureTimestamp), and the
/// license state calls the clock rolled back when it is this much behind the
/// newest signed time it holds. It is clock drift, not a security bound:
/// desktop clocks without NTP drift by minutes, and a server's answer is
/// still the server's answer. Fifteen minutes covers a PC that has been off
/// for weeks and a wrong time zone setting corrected by hand within the
/// quarter hour, while a clock turned back by a day (to outlive a license)
/// is still caught.
pub const DEFAULT_CLOCK_DRIFT: Duration = Duration::from_secs(15 * 60);

/// How long before the request went out a live answer may have been signed:
/// one minute.
///
/// An answer signed earlier than `sent_at` less this answers another
/// request: a recorded answer played back
/// ([`Error::NotAnAnswerToRequest`](crate::Error::NotAnAnswerToRequest)).
/// Every second added is a second in which a recorded answer can still be
/// played back. It also bounds how far this machine's clock may run *ahead*
/// of the server's: a client clock more than this fast reads every live
/// answer as signed before its request, and no setting here can tell that
/// from a replay (the fix is the clock).
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(60);

/// A point in time: whole seconds since the Unix epoch (UTC), as the
/// server's `timestamp` members carry them.
///
/// ```
/// use respsig::UnixTime;
/// let t = UnixTime::from_secs(1_709_169_556);
/// assert_eq!(t.as_secs(), 1_709_169_556);
/// assert!(UnixTime::now() > t);
/// assert_eq!(t + std::time::Duration::from_secs(60), UnixTime::from_secs(1_709_169_616));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(i64);

impl UnixTime {
    /// The time `secs` seconds after the epoch (negative: before it).
    pub const fn from_secs(secs: i64) -> Self {
        UnixTime(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> i64 {
        self.0
    }

    /// The system clock's time now.
    pub fn now() -> Self {
        SystemClock.now()
    }

    /// `self - earlier` in seconds, without overflow.
    pub(crate) fn since(self, earlier: UnixTime) -> i128 {
        i128::from(self.0) - i128::from(earlier.0)
    }
}

/// A later time; saturates at the end of `i64`.
impl std::ops::Add<Duration> for UnixTime {
    type Output = UnixTime;

    fn add(self, span: Duration) -> UnixTime {
        let secs = i64::try_from(span.as_secs()).unwrap_or(i64::MAX);
        UnixTime(self.0.saturating_add(secs))
    }
}

/// An earlier time; saturates at the start of `i64`.
impl std::ops::Sub<Duration> for UnixTime {
    type Output = UnixTime;

    fn sub(self, span: Duration) -> UnixTime {
        let secs = i64::try_from(span.as_secs()).unwrap_or(i64::MAX);
        UnixTime(self.0.saturating_sub(secs))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Seconds of a span, for comparisons with [`UnixTime::since`].
pub(crate) fn secs(span: Duration) -> i128 {
    i128::from(span.as_secs())
}

/// A source of the current time.
///
/// [`SystemClock`] is the default everywhere; [`FixedClock`] stands for a
/// time the caller computed (a trusted network time, an audit's "as of",
/// a test).
pub trait Clock: Send + Sync + fmt::Debug {
    /// The time now.
    fn now(&self) -> UnixTime;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> UnixTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> UnixTime {
        (**self).now()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime(match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        })
    }
}

/// A clock that always reads one time: a time the caller knows better than
/// the system clock (from a trusted time source, or "as of" in an audit),
/// or a test's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub UnixTime);

impl FixedClock {
    /// A clock stopped at `secs` seconds after the epoch.
    pub const fn at(secs: i64) -> Self {
        FixedClock(UnixTime(secs))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        self.0
    }
}
