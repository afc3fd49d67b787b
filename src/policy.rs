//! What a valid envelope is, for one call: [`Policy`], the argument of
//! [`Keyring::verify`](crate::Keyring::verify).
//!
//! A policy cannot be made without saying how old an answer may be: a live
//! answer is checked against the time its request was sent
//! ([`Policy::answer_to`]), a stored one against a maximum age
//! ([`Policy::max_age`]), and a caller who really wants neither says so
//! ([`Policy::any_age`]). There is no default, because no default fits: a
//! cached "valid" may be meant to last a week offline, and a live answer
//! needs a time only the caller knows.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Snippet};
use crate::limits::Limits;
use crate::time::{self, Clock, DEFAULT_CLOCK_DRIFT, DEFAULT_REPLAY_WINDOW, SystemClock, UnixTime};

/// How old an answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// The answer to a request sent at this time, and at most this old
    /// when one is given.
    AnswerTo(UnixTime, Option<Duration>),
    /// At most this old.
    MaxAge(Duration),
    /// Any age: the caller said so.
    Any,
}

/// What [`Keyring::verify`](crate::Keyring::verify) requires of an envelope
/// beyond a valid signature: its age, optionally the key name that signed
/// it, and the input limits and clock to judge it by.
///
/// ```
/// use std::time::Duration;
/// use respsig::{Policy, UnixTime};
/// // A live answer: signed no earlier than a minute before the request.
/// let sent_at = UnixTime::now();
/// let live = Policy::answer_to(sent_at).signed_by("product");
/// // An answer read back from disk: at most a week old.
/// let stored = Policy::max_age(Duration::from_secs(7 * 24 * 3600));
/// # let _ = (live, stored);
/// ```
///
/// There is no `Policy::default()`: the age is the caller's decision.
///
/// ```compile_fail,E0599
/// let policy = respsig::Policy::default();
/// ```
#[derive(Clone)]
pub struct Policy {
    age: Bound,
    signed_by: Option<Arc<str>>,
    limits: Limits,
    clock_drift: Duration,
    replay_window: Duration,
    /// `None` is the system clock (a policy is made without allocating).
    clock: Option<Arc<dyn Clock>>,
}

impl Policy {
    fn with_age(age: Bound) -> Self {
        Policy {
            age,
            signed_by: None,
            limits: Limits::new(),
            clock_drift: DEFAULT_CLOCK_DRIFT,
            replay_window: DEFAULT_REPLAY_WINDOW,
            clock: None,
        }
    }

    /// A live answer: the answer to the request sent at `sent_at` (read the
    /// clock just before the request goes out).
    ///
    /// An answer signed earlier than `sent_at` less the replay window
    /// ([`DEFAULT_REPLAY_WINDOW`] unless [`replay_window`](Self::replay_window)
    /// says otherwise) answers another request and is refused as
    /// [`Error::NotAnAnswerToRequest`]; one signed more than the clock drift
    /// ahead of the clock is [`Error::FutureTimestamp`]; one without an
    /// integer `timestamp` is [`Error::MissingTimestamp`]. Both bounds are
    /// inclusive.
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// # let server = respsig::SigningKey::from_pem(&pem).unwrap();
    /// # let keyring = respsig::Keyring::new().with("product", server.public_key().clone())?;
    /// # let answer = |timestamp: i64| server.sign_envelope("product", &serde_json::json!(
    /// #     {"code": 200, "message": "Valid license key", "timestamp": timestamp})).unwrap();
    /// use std::time::Duration;
    /// use respsig::{Error, FixedClock, Policy, UnixTime};
    /// let sent_at = UnixTime::from_secs(1_800_000_000);
    /// let policy = Policy::answer_to(sent_at).clock(FixedClock::at(1_800_000_002));
    /// assert!(keyring.verify(answer(1_800_000_001), &policy).is_ok());
    /// // The server's clock five minutes ahead of this machine's: still its answer.
    /// assert!(keyring.verify(answer(1_800_000_300), &policy).is_ok());
    /// // Recorded two minutes before the request: it answers another one.
    /// assert_eq!(
    ///     keyring.verify(answer(1_799_999_880), &policy).unwrap_err(),
    ///     Error::NotAnAnswerToRequest {
    ///         signed_at: UnixTime::from_secs(1_799_999_880),
    ///         sent_at,
    ///         replay_window: Duration::from_secs(60),
    ///     }
    /// );
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn answer_to(sent_at: UnixTime) -> Self {
        Self::with_age(Bound::AnswerTo(sent_at, None))
    }

    /// A stored answer (from a cache or disk): signed at most `max_age`
    /// before the clock ([`Error::StaleTimestamp`] otherwise), and not more
    /// than the clock drift after it ([`Error::FutureTimestamp`]).
    ///
    /// A maximum age is no defence against replay within that age: a live
    /// answer is better checked with [`answer_to`](Self::answer_to).
    pub fn max_age(max_age: Duration) -> Self {
        Self::with_age(Bound::MaxAge(max_age))
    }

    /// No age policy: a genuine answer of any age verifies. For what has no
    /// request and no age limit, such as the server's documented examples;
    /// an application acting on a verdict should not use it, since a
    /// recorded "valid" then replays forever.
    pub fn any_age() -> Self {
        Self::with_age(Bound::Any)
    }

    /// On a policy from [`answer_to`](Self::answer_to): also at most
    /// `max_age` old (the answer to a request sent long ago, read back
    /// later). On the others it sets the maximum age.
    pub fn and_max_age(mut self, max_age: Duration) -> Self {
        self.age = match self.age {
            Bound::AnswerTo(sent_at, _) => Bound::AnswerTo(sent_at, Some(max_age)),
            Bound::MaxAge(_) | Bound::Any => Bound::MaxAge(max_age),
        };
        self
    }

    /// Require the envelope to verify under a key configured as `name`
    /// ([`Error::WrongSigner`] otherwise). The envelope's
    /// `private_key_used` is unsigned: it only chooses among the names you
    /// configured, so when one name holds the keys whose word you act on
    /// (`product`), say so here.
    pub fn signed_by(mut self, name: &str) -> Self {
        self.signed_by = Some(Arc::from(name));
        self
    }

    /// Input size and nesting limits (default [`Limits::new`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How far a signed time may be ahead of the clock (default
    /// [`DEFAULT_CLOCK_DRIFT`]).
    pub fn clock_drift(mut self, drift: Duration) -> Self {
        self.clock_drift = drift;
        self
    }

    /// How long before `sent_at` a live answer may be signed (default
    /// [`DEFAULT_REPLAY_WINDOW`]): the time in which a recorded answer can
    /// still be played back.
    pub fn replay_window(mut self, window: Duration) -> Self {
        self.replay_window = window;
        self
    }

    /// The clock ages are judged against (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    pub(crate) fn input_limits(&self) -> &Limits {
        &self.limits
    }

    /// The signer check: the configured name whose key verified.
    pub(crate) fn check_signer(&self, key_name: &str) -> Result<(), Error> {
        match &self.signed_by {
            Some(required) if **required != *key_name => Err(Error::WrongSigner {
                signed_by: Snippet::new(key_name),
                required: Snippet::new(required),
            }),
            _ => Ok(()),
        }
    }

    /// The age check on the signed `timestamp`, read only when the policy
    /// bounds the age: the request's lower bound first, then the future
    /// bound, then the maximum age.
    pub(crate) fn check_age(
        &self,
        timestamp: impl FnOnce() -> Option<UnixTime>,
    ) -> Result<(), Error> {
        let (sent_at, max_age) = match self.age {
            Bound::Any => return Ok(()),
            Bound::AnswerTo(sent_at, max_age) => (Some(sent_at), max_age),
            Bound::MaxAge(max_age) => (None, Some(max_age)),
        };
        let signed_at = timestamp().ok_or(Error::MissingTimestamp)?;
        let now = match &self.clock {
            Some(clock) => clock.now(),
            None => SystemClock.now(),
        };
        if let Some(sent_at) = sent_at {
            check_answer(signed_at, sent_at, self.replay_window)?;
        }
        check_future(signed_at, now, self.clock_drift)?;
        if let Some(max_age) = max_age
            && now.since(signed_at) > time::secs(max_age)
        {
            return Err(Error::StaleTimestamp {
                signed_at,
                now,
                max_age,
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("age", &self.age)
            .field("signed_by", &self.signed_by)
            .field("limits", &self.limits)
            .field("clock_drift", &self.clock_drift)
            .field("replay_window", &self.replay_window)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Whether an answer signed at `signed_at` can answer the request sent at
/// `sent_at`: not signed more than `window` before it.
fn check_answer(signed_at: UnixTime, sent_at: UnixTime, window: Duration) -> Result<(), Error> {
    if sent_at.since(signed_at) > time::secs(window) {
        return Err(Error::NotAnAnswerToRequest {
            signed_at,
            sent_at,
            replay_window: window,
        });
    }
    Ok(())
}

/// Whether `signed_at` is at most `drift` ahead of `now`.
pub(crate) fn check_future(
    signed_at: UnixTime,
    now: UnixTime,
    drift: Duration,
) -> Result<(), Error> {
    if signed_at.since(now) > time::secs(drift) {
        return Err(Error::FutureTimestamp {
            signed_at,
            now,
            clock_drift: drift,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::FixedClock;

    fn t(secs: i64) -> UnixTime {
        UnixTime::from_secs(secs)
    }

    #[test]
    fn max_age_bounds_are_inclusive() {
        let p = Policy::max_age(Duration::from_secs(60))
            .clock_drift(Duration::from_secs(5))
            .clock(FixedClock::at(1060));
        assert_eq!(p.check_age(|| Some(t(1000))), Ok(()));
        let p = p.clock(FixedClock::at(1061));
        assert_eq!(
            p.check_age(|| Some(t(1000))),
            Err(Error::StaleTimestamp {
                signed_at: t(1000),
                now: t(1061),
                max_age: Duration::from_secs(60)
            })
        );
        let p = p.clock(FixedClock::at(1000));
        assert_eq!(p.check_age(|| Some(t(1005))), Ok(()));
        assert_eq!(
            p.check_age(|| Some(t(1006))),
            Err(Error::FutureTimestamp {
                signed_at: t(1006),
                now: t(1000),
                clock_drift: Duration::from_secs(5)
            })
        );
        let p = p.clock(FixedClock::at(i64::MAX));
        assert!(p.check_age(|| Some(t(i64::MIN))).is_err());
    }

    #[test]
    fn any_age_reads_no_timestamp() {
        let policy = Policy::any_age();
        assert_eq!(
            policy.check_age(|| panic!("the timestamp was read")),
            Ok(())
        );
    }

    #[test]
    fn a_bounded_age_needs_a_timestamp() {
        for policy in [
            Policy::answer_to(t(0)),
            Policy::max_age(Duration::from_secs(1)),
        ] {
            assert_eq!(policy.check_age(|| None), Err(Error::MissingTimestamp));
        }
    }

    /// Every combination on a small grid against the rule written out:
    /// accepted exactly when `sent_at - window <= signed_at <= now + drift`.
    #[test]
    fn answer_check_on_a_grid() {
        let mut cases = 0;
        for window in 0..=2i64 {
            for drift in 0..=2i64 {
                for signed_at in -4..=4i64 {
                    for sent_at in -4..=4i64 {
                        for now in -4..=4i64 {
                            let w = Duration::from_secs(window as u64);
                            let d = Duration::from_secs(drift as u64);
                            let expected = if signed_at < sent_at - window {
                                Err(Error::NotAnAnswerToRequest {
                                    signed_at: t(signed_at),
                                    sent_at: t(sent_at),
                                    replay_window: w,
                                })
                            } else if signed_at > now + drift {
                                Err(Error::FutureTimestamp {
                                    signed_at: t(signed_at),
                                    now: t(now),
                                    clock_drift: d,
                                })
                            } else {
                                Ok(())
                            };
                            let policy = Policy::answer_to(t(sent_at))
                                .replay_window(w)
                                .clock_drift(d)
                                .clock(FixedClock::at(now));
                            let got = policy.check_age(|| Some(t(signed_at)));
                            assert_eq!(
                                got, expected,
                                "{signed_at} {sent_at} {now} {window} {drift}"
                            );
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 3 * 3 * 9 * 9 * 9);
    }

    #[test]
    fn answer_check_does_not_overflow() {
        let max = Duration::from_secs(u64::MAX);
        assert_eq!(check_answer(t(i64::MIN), t(i64::MAX), max), Ok(()));
        assert_eq!(check_future(t(i64::MAX), t(i64::MIN), max), Ok(()));
        assert_eq!(
            check_answer(t(i64::MIN), t(i64::MAX), Duration::ZERO),
            Err(Error::NotAnAnswerToRequest {
                signed_at: t(i64::MIN),
                sent_at: t(i64::MAX),
                replay_window: Duration::ZERO
            })
        );
        assert_eq!(
            check_future(t(i64::MAX), t(i64::MIN), Duration::ZERO),
            Err(Error::FutureTimestamp {
                signed_at: t(i64::MAX),
                now: t(i64::MIN),
                clock_drift: Duration::ZERO
            })
        );
    }

    #[test]
    fn signer_is_checked_only_when_stated() {
        assert_eq!(Policy::any_age().check_signer("global"), Ok(()));
        let policy = Policy::any_age().signed_by("product");
        assert_eq!(policy.check_signer("product"), Ok(()));
        assert_eq!(
            policy.check_signer("global"),
            Err(Error::WrongSigner {
                signed_by: Snippet::new("global"),
                required: Snippet::new("product"),
            })
        );
    }
}
