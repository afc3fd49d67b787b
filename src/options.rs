//! How to verify: [`VerifyOptions`] (limits, the age policy, the clock),
//! [`Freshness`] and the check of an answer against its request.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::envelope::Limits;
use crate::error::Error;

/// How far apart the client's and the server's clocks may be, by default,
/// for [`VerifyOptions::answer_to`]: a minute, what NTP-synced machines
/// need with room to spare.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

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

/// How old (and how far in the future) a signed `timestamp` may be: the
/// policy for answers read back from a cache or disk.
///
/// The server's payloads carry no nonce: a signed "license valid" is valid
/// for any request under that key, forever, unless the verifier bounds its
/// age. For a live answer, check it against its request instead
/// ([`VerifyOptions::answer_to`]): a maximum age still lets a recorded
/// answer through for as long as it lasts.
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

/// Whether a signed `timestamp` can be the answer to a request sent at
/// `sent_at`: not signed before it, nor after `now`, beyond `clock_skew`.
fn check_answer(signed_at: i64, sent_at: i64, clock_skew: Duration, now: i64) -> Result<(), Error> {
    let clock_skew = clock_skew.as_secs();
    let skew = i128::from(clock_skew);
    if i128::from(signed_at) < i128::from(sent_at) - skew {
        return Err(Error::NotAnAnswerToRequest {
            signed_at,
            sent_at,
            clock_skew,
        });
    }
    if i128::from(signed_at) - i128::from(now) > skew {
        return Err(Error::FutureTimestamp {
            timestamp: signed_at,
            now,
            max_future_skew: clock_skew,
        });
    }
    Ok(())
}

/// Options for [`Keyring::verify_with`](crate::Keyring::verify_with): limits, the age policy (answer to
/// a request, freshness), clock.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub(crate) limits: Limits,
    freshness: Option<Freshness>,
    answer_to: Option<i64>,
    clock_skew: Duration,
    clock: Arc<dyn Clock>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            limits: Limits::new(),
            freshness: None,
            answer_to: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            clock: Arc::new(SystemClock),
        }
    }
}

/// The default options, built once (they hold an `Arc`).
pub(crate) fn default_options() -> &'static VerifyOptions {
    static DEFAULT: OnceLock<VerifyOptions> = OnceLock::new();
    DEFAULT.get_or_init(VerifyOptions::default)
}

impl VerifyOptions {
    /// The defaults: [`Limits::new`], no age policy, the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Input size and nesting limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Require the signed `timestamp` to be fresh: for answers read back
    /// from a cache or disk. A live answer is better checked with
    /// [`answer_to`](Self::answer_to).
    pub fn freshness(mut self, freshness: Freshness) -> Self {
        self.freshness = Some(freshness);
        self
    }

    /// Require the envelope to be the answer to a request sent at `sent_at`
    /// (Unix seconds, read from the clock just before sending it).
    ///
    /// The signed `timestamp` must not be earlier than `sent_at` less the
    /// clock skew ([`Error::NotAnAnswerToRequest`]: an answer signed
    /// before the request was sent answers another one), nor later than the
    /// clock's now plus the skew ([`Error::FutureTimestamp`]); a payload
    /// without an integer `timestamp` is [`Error::MissingTimestamp`]. Both
    /// bounds are inclusive. The skew is [`DEFAULT_CLOCK_SKEW`] unless
    /// [`clock_skew`](Self::clock_skew) says otherwise. With
    /// [`freshness`](Self::freshness) as well, both apply, this one first.
    ///
    /// [`Keyring::verify_answer`](crate::Keyring::verify_answer) is this with the other defaults.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// # let server = respsig::SigningKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", server.public_key().clone())?;
    /// # let answer = |timestamp: i64| server.sign_envelope("product", &serde_json::json!(
    /// #     {"code": 200, "message": "Valid license key", "timestamp": timestamp})).unwrap();
    /// use respsig::{Error, FixedClock, VerifyOptions};
    /// let sent_at = 1_800_000_000;
    /// let options = VerifyOptions::new().answer_to(sent_at).clock(FixedClock(sent_at + 2));
    /// assert!(keyring.verify_with(answer(sent_at + 1), &options).is_ok());
    /// // Recorded two minutes before the request: it answers another one.
    /// assert_eq!(
    ///     keyring.verify_with(answer(sent_at - 120), &options).unwrap_err(),
    ///     Error::NotAnAnswerToRequest { signed_at: sent_at - 120, sent_at, clock_skew: 60 }
    /// );
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn answer_to(mut self, sent_at: i64) -> Self {
        self.answer_to = Some(sent_at);
        self
    }

    /// How far apart the client's and the server's clocks may be for
    /// [`answer_to`](Self::answer_to), in whole seconds (default
    /// [`DEFAULT_CLOCK_SKEW`]). Every second added is a second in which a
    /// recorded answer can still be played back.
    pub fn clock_skew(mut self, clock_skew: Duration) -> Self {
        self.clock_skew = clock_skew;
        self
    }

    /// The clock freshness and [`answer_to`](Self::answer_to)'s future
    /// bound are judged against.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Applies the age policy, if any: [`answer_to`](Self::answer_to)
    /// first, then [`freshness`](Self::freshness). `timestamp` (the signed
    /// one) is read only if there is a policy.
    pub(crate) fn check_age(&self, timestamp: impl FnOnce() -> Option<i64>) -> Result<(), Error> {
        if self.answer_to.is_none() && self.freshness.is_none() {
            return Ok(());
        }
        let timestamp = timestamp().ok_or(Error::MissingTimestamp)?;
        let now = self.clock.now_unix();
        if let Some(sent_at) = self.answer_to {
            check_answer(timestamp, sent_at, self.clock_skew, now)?;
        }
        if let Some(freshness) = &self.freshness {
            freshness.check(timestamp, now)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Every combination on a small grid against the rule written out:
    /// accepted exactly when `sent_at - skew <= signed_at <= now + skew`.
    #[test]
    fn answer_check_on_a_grid() {
        let mut cases = 0;
        for skew in 0..=2u64 {
            for signed_at in -4..=4i64 {
                for sent_at in -4..=4i64 {
                    for now in -4..=4i64 {
                        let skew_i = skew as i64;
                        let expected = if signed_at < sent_at - skew_i {
                            Err(Error::NotAnAnswerToRequest {
                                signed_at,
                                sent_at,
                                clock_skew: skew,
                            })
                        } else if signed_at > now + skew_i {
                            Err(Error::FutureTimestamp {
                                timestamp: signed_at,
                                now,
                                max_future_skew: skew,
                            })
                        } else {
                            Ok(())
                        };
                        let got = check_answer(signed_at, sent_at, Duration::from_secs(skew), now);
                        assert_eq!(got, expected, "{signed_at} {sent_at} {now} {skew}");
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 3 * 9 * 9 * 9);
    }

    #[test]
    fn answer_check_does_not_overflow() {
        let max = Duration::from_secs(u64::MAX);
        assert_eq!(check_answer(i64::MIN, i64::MIN, max, i64::MAX), Ok(()));
        assert_eq!(check_answer(i64::MAX, i64::MIN, max, i64::MIN), Ok(()));
        assert_eq!(
            check_answer(i64::MIN, i64::MAX, Duration::ZERO, i64::MAX),
            Err(Error::NotAnAnswerToRequest {
                signed_at: i64::MIN,
                sent_at: i64::MAX,
                clock_skew: 0
            })
        );
        assert_eq!(
            check_answer(i64::MAX, i64::MIN, Duration::ZERO, i64::MIN),
            Err(Error::FutureTimestamp {
                timestamp: i64::MAX,
                now: i64::MIN,
                max_future_skew: 0
            })
        );
    }
}
